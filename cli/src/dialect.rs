//! The four dialects the CLI answers for, and how each reads its inputs.
//!
//! Inputs are read with the engine's JSON reader, not serde_json, so number literals
//! (`3.0000000000000001`) and duplicate keys reach the matcher exactly as written.

use dojo_engine::json::{self, Json, Spanned};
use dojo_engine::pattern::sns::{self, MessageAttribute};
use dojo_engine::pattern::{self, explain, mqtt, EventPattern};
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// EventBridge event patterns.
    Eventbridge,
    /// SNS filter policies on message attributes.
    SnsAttributes,
    /// SNS filter policies on the message body.
    SnsBody,
    /// MQTT 3.1.1 topic filters.
    Mqtt,
}

impl Dialect {
    fn pattern_dialect(self) -> pattern::Dialect {
        match self {
            Dialect::Eventbridge | Dialect::Mqtt => pattern::Dialect::EventBridge,
            Dialect::SnsAttributes => pattern::Dialect::SnsAttributes,
            Dialect::SnsBody => pattern::Dialect::SnsBody,
        }
    }
}

/// Why an answer could not be given.
#[derive(Debug)]
pub enum Failure {
    /// The pattern is invalid: the AWS reason, and the full message.
    Pattern { reason: String, message: String },
    /// The event, attributes, topic or input line is unusable.
    Input(String),
}

impl Failure {
    pub fn message(&self) -> String {
        match self {
            Failure::Pattern { message, .. } => message.clone(),
            Failure::Input(m) => m.clone(),
        }
    }

    fn reason(&self) -> String {
        match self {
            Failure::Pattern { reason, .. } => reason.clone(),
            Failure::Input(m) => m.clone(),
        }
    }
}

fn parse_pattern(dialect: Dialect, text: &str) -> Result<EventPattern, Failure> {
    EventPattern::parse(text, dialect.pattern_dialect()).map_err(|e| Failure::Pattern {
        reason: e.reason.clone(),
        message: e.to_string(),
    })
}

/// A filter or topic given as a file: a JSON string, or the bare text.
fn bare_text(text: &str) -> String {
    match json::parse(text) {
        Ok(Spanned {
            value: Json::String(s),
            ..
        }) => s,
        _ => text.trim_end_matches(['\n', '\r']).to_owned(),
    }
}

fn parse_json(text: &str, what: &str) -> Result<Json, Failure> {
    json::parse(text)
        .map(|s| s.value)
        .map_err(|e| Failure::Input(format!("the {what} is not valid JSON: {e}")))
}

fn mqtt_filter(filter: &str) -> Result<(), Failure> {
    mqtt::validate_filter(filter).map_err(|e| Failure::Pattern {
        reason: e.to_string(),
        message: format!("invalid topic filter: {e}"),
    })
}

fn mqtt_topic(topic: &str) -> Result<(), Failure> {
    mqtt::validate_topic_name(topic).map_err(|e| Failure::Input(format!("invalid topic name: {e}")))
}

/// `dojo pattern check`: a one-line summary of a valid pattern.
pub fn check(dialect: Dialect, text: &str) -> Result<String, Failure> {
    if dialect == Dialect::Mqtt {
        let filter = bare_text(text);
        mqtt_filter(&filter)?;
        return Ok(format!("valid topic filter \"{filter}\""));
    }
    let p = parse_pattern(dialect, text)?;
    let fields: usize = p.branches.iter().map(Vec::len).sum();
    Ok(format!(
        "valid: {} branch{}, {fields} field condition{}",
        p.branches.len(),
        if p.branches.len() == 1 { "" } else { "es" },
        if fields == 1 { "" } else { "s" }
    ))
}

/// Reads an SNS attributes map: `{"name": {"Type": "String", "Value": "..."}}`.
fn attributes(value: &Json) -> Result<BTreeMap<String, MessageAttribute>, Failure> {
    let Json::Object(members) = value else {
        return Err(Failure::Input(
            "attributes must be a JSON object of {\"Type\": ..., \"Value\": ...} entries".into(),
        ));
    };
    let mut out = BTreeMap::new();
    for (name, attr) in members {
        let Json::Object(fields) = &attr.value else {
            return Err(Failure::Input(format!(
                "attribute \"{name}\" must be an object with Type and Value"
            )));
        };
        let get = |keys: &[&str]| {
            fields
                .iter()
                .find(|(k, _)| keys.contains(&k.as_str()))
                .map(|(_, v)| &v.value)
        };
        let data_type = match get(&["Type", "DataType"]) {
            Some(Json::String(t)) => t.clone(),
            _ => {
                return Err(Failure::Input(format!(
                    "attribute \"{name}\" needs a string \"Type\""
                )))
            }
        };
        let value = match get(&["Value", "StringValue"]) {
            Some(Json::String(v)) => v.clone(),
            // Be forgiving: a bare number or array is taken as its JSON text.
            Some(other @ (Json::Number(_) | Json::Array(_))) => other.to_text(),
            _ => {
                return Err(Failure::Input(format!(
                    "attribute \"{name}\" needs a \"Value\""
                )))
            }
        };
        out.insert(name.clone(), MessageAttribute { data_type, value });
    }
    Ok(out)
}

/// Matches and explains. `subject` is the event, attributes map, body or topic.
fn evaluate(
    dialect: Dialect,
    pattern_text: &str,
    subject: &Json,
    subject_text: Option<&str>,
) -> Result<(bool, String), Failure> {
    match dialect {
        Dialect::Mqtt => {
            let filter = bare_text(pattern_text);
            mqtt_filter(&filter)?;
            let topic = match (subject, subject_text) {
                (Json::String(t), _) => t.clone(),
                (_, Some(raw)) => bare_text(raw),
                _ => return Err(Failure::Input("the topic must be a string".into())),
            };
            mqtt_topic(&topic)?;
            let lines = mqtt::explain(&filter, &topic);
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            Ok((mqtt::matches(&filter, &topic), text))
        }
        Dialect::Eventbridge => {
            let p = parse_pattern(dialect, pattern_text)?;
            if !matches!(subject, Json::Object(_)) {
                return Err(Failure::Input("Parameter Event is not valid.".into()));
            }
            let e = explain(&p, subject);
            Ok((e.matched, explanation_body(&e)))
        }
        Dialect::SnsAttributes => {
            let p = parse_pattern(dialect, pattern_text)?;
            let attrs = attributes(subject)?;
            let view =
                sns::attributes_to_json(&attrs).map_err(|e| Failure::Input(e.to_string()))?;
            let e = explain(&p, &view);
            Ok((e.matched, explanation_body(&e)))
        }
        Dialect::SnsBody => {
            let p = parse_pattern(dialect, pattern_text)?;
            match sns::body_to_json(subject) {
                Some(body) => {
                    let e = explain(&p, &body);
                    Ok((e.matched, explanation_body(&e)))
                }
                None => Ok((false, "the message body is not a JSON object, so a MessageBody policy never matches it\n".into())),
            }
        }
    }
}

/// The explanation without its first line (the CLI prints true/false itself).
fn explanation_body(e: &pattern::Explanation) -> String {
    let text = e.to_string();
    text.split_once('\n')
        .map(|(_, rest)| rest.to_owned())
        .unwrap_or_default()
}

/// `dojo pattern test --pattern P --event E`.
pub fn test(
    dialect: Dialect,
    pattern_text: &str,
    event_text: &str,
) -> Result<(bool, String), Failure> {
    match dialect {
        Dialect::Mqtt => evaluate(dialect, pattern_text, &Json::Null, Some(event_text)),
        Dialect::SnsBody => {
            // A body file that is not JSON is a plain-text message.
            let body = json::parse(event_text)
                .map(|s| s.value)
                .unwrap_or_else(|_| Json::String(event_text.to_owned()));
            evaluate(dialect, pattern_text, &body, None)
        }
        _ => evaluate(
            dialect,
            pattern_text,
            &parse_json(event_text, "event")?,
            None,
        ),
    }
}

/// One line of `--batch`: the answer as a JSON value.
pub fn batch_line(dialect: Dialect, line: &str) -> serde_json::Value {
    match batch_answer(dialect, line) {
        Ok(matched) => json!({ "match": matched }),
        Err(f) => json!({ "error": f.reason() }),
    }
}

fn batch_answer(dialect: Dialect, line: &str) -> Result<bool, Failure> {
    let input = parse_json(line, "input line")?;
    let Json::Object(members) = &input else {
        return Err(Failure::Input(
            "each input line must be a JSON object".into(),
        ));
    };
    let field = |name: &str| {
        members
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| &v.value)
    };
    let need = |name: &str| {
        field(name).ok_or_else(|| Failure::Input(format!("the input line has no \"{name}\"")))
    };
    // A pattern given as a string is the pattern's text, as in the AWS API.
    let text_of = |v: &Json| match v {
        Json::String(s) => s.clone(),
        other => other.to_text(),
    };
    let answer = match dialect {
        Dialect::Eventbridge => {
            let pattern = text_of(need("pattern")?);
            let event = match need("event")? {
                Json::String(s) => parse_json(s, "event")?,
                other => other.clone(),
            };
            evaluate(dialect, &pattern, &event, None)
        }
        Dialect::SnsAttributes => evaluate(
            dialect,
            &text_of(need("policy")?),
            field("attributes").unwrap_or(&Json::Object(Vec::new())),
            None,
        ),
        Dialect::SnsBody => evaluate(dialect, &text_of(need("policy")?), need("body")?, None),
        Dialect::Mqtt => {
            let filter = match need("filter")? {
                Json::String(s) => s.clone(),
                _ => return Err(Failure::Input("\"filter\" must be a string".into())),
            };
            let topic = need("topic")?;
            let Json::String(topic) = topic else {
                return Err(Failure::Input("\"topic\" must be a string".into()));
            };
            mqtt_filter(&filter)?;
            mqtt_topic(topic)?;
            return Ok(mqtt::matches(&filter, topic));
        }
    }?;
    Ok(answer.0)
}
