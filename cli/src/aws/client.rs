//! Signed calls to SQS (JSON protocol), SNS (query protocol, XML answers) and
//! EventBridge (JSON protocol): the few calls a run needs, over one HTTP agent.

use super::credentials::Account;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// A call the service refused, or that did not reach it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{service} {action}: {code}: {message}")]
pub struct AwsError {
    pub service: &'static str,
    pub action: String,
    pub code: String,
    pub message: String,
}

impl AwsError {
    /// What a run returns once Ctrl-C has been pressed.
    pub fn interrupted() -> AwsError {
        AwsError {
            service: "dojo",
            action: "run".into(),
            code: "Interrupted".into(),
            message: "stopped by Ctrl-C".into(),
        }
    }
}

pub struct Client {
    agent: ureq::Agent,
    identity: Identity,
    region: String,
    endpoint: Option<String>,
}

impl Client {
    pub fn new(account: &Account, endpoint: Option<&str>) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Client {
            agent,
            identity: account.credentials.clone().into(),
            region: account.region.clone(),
            endpoint: endpoint.map(|e| e.trim_end_matches('/').to_owned() + "/"),
        }
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    fn url(&self, service: &str) -> String {
        self.endpoint
            .clone()
            .unwrap_or_else(|| format!("https://{service}.{}.amazonaws.com/", self.region))
    }

    /// One signed POST; the status and the answer's text.
    fn post(
        &self,
        service: &'static str,
        action: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<(u16, String), AwsError> {
        let failed = |code: &str, message: String| AwsError {
            service,
            action: action.to_owned(),
            code: code.to_owned(),
            message,
        };
        let url = self.url(service);
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name(service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| failed("SigningError", e.to_string()))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            &url,
            headers.iter().copied(),
            SignableBody::Bytes(body.as_bytes()),
        )
        .map_err(|e| failed("SigningError", e.to_string()))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| failed("SigningError", e.to_string()))?
            .into_parts();
        let mut request = self.agent.post(&url);
        for (name, value) in headers.iter().copied().chain(instructions.headers()) {
            request = request.header(name, value);
        }
        let mut response = request
            .send(body)
            .map_err(|e| failed("NetworkError", format!("{url}: {e}")))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| failed("NetworkError", format!("{url}: {e}")))?;
        Ok((status, text))
    }

    fn json(
        &self,
        service: &'static str,
        target: &str,
        version: &str,
        action: &str,
        body: &Value,
    ) -> Result<Value, AwsError> {
        let content_type = format!("application/x-amz-json-{version}");
        let target = format!("{target}.{action}");
        let (status, text) = self.post(
            service,
            action,
            &[("content-type", &content_type), ("x-amz-target", &target)],
            &body.to_string(),
        )?;
        let answer: Value = if text.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(&text).map_err(|e| AwsError {
                service,
                action: action.into(),
                code: format!("HTTP {status}"),
                message: format!(
                    "the endpoint's answer is not JSON ({e}); it begins: {}",
                    begins(&text)
                ),
            })?
        };
        if (200..300).contains(&status) {
            return Ok(answer);
        }
        let code = answer["__type"]
            .as_str()
            .map(|t| t.rsplit('#').next().unwrap_or(t).to_owned())
            .unwrap_or_else(|| format!("HTTP {status}"));
        let message = answer["message"]
            .as_str()
            .or(answer["Message"].as_str())
            .unwrap_or(&text)
            .to_owned();
        Err(AwsError {
            service,
            action: action.into(),
            code,
            message,
        })
    }

    /// An SQS action in its JSON protocol.
    pub fn sqs(&self, action: &str, body: Value) -> Result<Value, AwsError> {
        self.json("sqs", "AmazonSQS", "1.0", action, &body)
    }

    /// An EventBridge action.
    pub fn events(&self, action: &str, body: Value) -> Result<Value, AwsError> {
        self.json("events", "AWSEvents", "1.1", action, &body)
    }

    /// An SNS action in its query protocol; the answer's XML text.
    pub fn sns(&self, action: &str, params: &[(String, String)]) -> Result<String, AwsError> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", action);
        form.append_pair("Version", "2010-03-31");
        for (k, v) in params {
            form.append_pair(k, v);
        }
        let body = form.finish();
        let (status, text) = self.post(
            "sns",
            action,
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
            &body,
        )?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        Err(AwsError {
            service: "sns",
            action: action.into(),
            code: xml_value(&text, "Code").unwrap_or_else(|| format!("HTTP {status}")),
            message: xml_value(&text, "Message").unwrap_or_else(|| begins(&text)),
        })
    }
}

/// An answer's first 100 characters on one line, for a message.
fn begins(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(100).collect()
}

/// The text of the first element named `tag` in an XML answer.
pub fn xml_value(xml: &str, tag: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    doc.descendants()
        .find(|n| n.is_element() && n.tag_name().name() == tag)
        .and_then(|n| n.text())
        .map(str::to_owned)
}
