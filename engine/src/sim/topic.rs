//! SNS-like topics (spec §2): fan-out to subscriptions, each with an optional filter
//! policy and scope; FIFO topics with groups and 5-minute deduplication into FIFO queues.
//!
//! A topic stores nothing: a publish is delivered to every matching subscription at once.
//! If a subscribed queue refuses the copy (it is full, say), that copy is dropped and
//! traced; the other subscriptions still get theirs.
//!
//! The rules and the pages they follow: `docs/semantics.md` §2 and §3.

use super::queue::{SendRequest, DEDUP_WINDOW_MS};
use super::{err, iso_time, sha256_hex, Attributes, ChannelMetrics, SimError, TraceKind, World};
use crate::json;
use crate::pattern::{explain, sns, Dialect, EventPattern};
use crate::topology::{Endpoint, FilterPolicyScope, SubscriptionConfig, TopicConfig};
use std::collections::BTreeMap;

#[derive(Debug)]
pub(crate) struct Subscription {
    pub endpoint: Endpoint,
    pub policy: Option<EventPattern>,
    pub scope: FilterPolicyScope,
    pub raw: bool,
}

impl Subscription {
    pub fn new(c: &SubscriptionConfig) -> Subscription {
        let dialect = match c.filter_policy_scope {
            FilterPolicyScope::MessageAttributes => Dialect::SnsAttributes,
            FilterPolicyScope::MessageBody => Dialect::SnsBody,
        };
        Subscription {
            endpoint: c.endpoint.clone(),
            // Validated with the topology.
            policy: c
                .policy()
                .and_then(|p| EventPattern::parse(&p.to_string(), dialect).ok()),
            scope: c.filter_policy_scope,
            raw: c.raw_message_delivery,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Topic {
    pub config: TopicConfig,
    pub subscriptions: Vec<Subscription>,
    dedup: BTreeMap<String, (u64, String)>,
    pub metrics: ChannelMetrics,
}

impl Topic {
    pub fn new(config: TopicConfig) -> Topic {
        Topic {
            config,
            subscriptions: Vec::new(),
            dedup: BTreeMap::new(),
            metrics: ChannelMetrics {
                kind: "topic",
                ..Default::default()
            },
        }
    }
}

/// What a publisher sends to a topic.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    pub topic: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedup_id: Option<String>,
}

/// The first failing field of an explanation, as a sentence.
pub(crate) fn why_not(e: &crate::pattern::Explanation) -> String {
    e.branches
        .iter()
        .flat_map(|b| {
            b.fields
                .iter()
                .filter(|f| !f.matched)
                .map(|f| f.to_string())
        })
        .next()
        .or_else(|| e.branches.iter().find_map(|b| b.array_note.clone()))
        .unwrap_or_else(|| "no branch matched".into())
}

impl World {
    /// Publish. Returns the message id (the original one for a FIFO duplicate).
    pub fn publish(&mut self, request: &PublishRequest) -> Result<String, SimError> {
        let now = self.now;
        let Some(topic) = self.topics.get_mut(&request.topic) else {
            return err(format!(
                "NotFound: Topic does not exist: \"{}\"",
                request.topic
            ));
        };
        let channel = format!("topic:{}", request.topic);
        let fifo = topic.config.fifo;
        if request.message.len() > 262_144 {
            return err("InvalidParameter: Message too long (the limit is 262,144 bytes)");
        }
        let mut dedup_id = None;
        if fifo {
            if request.group_id.is_none() {
                return err(
                    "InvalidParameter: The MessageGroupId parameter is required for FIFO topics",
                );
            }
            let id = match (&request.dedup_id, topic.config.content_based_dedup) {
                (Some(id), _) => id.clone(),
                (None, true) => sha256_hex(&request.message),
                (None, false) => {
                    return err("InvalidParameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
                }
            };
            topic.dedup.retain(|_, (at, _)| now < *at + DEDUP_WINDOW_MS);
            if let Some((_, original)) = topic.dedup.get(&id).cloned() {
                self.record(
                    &channel,
                    &original,
                    TraceKind::Deduplicated {
                        deduplication_id: id,
                        original_message_id: original.clone(),
                    },
                );
                return Ok(original);
            }
            dedup_id = Some(id);
        } else if request.group_id.is_some() || request.dedup_id.is_some() {
            return err("InvalidParameter: MessageGroupId and MessageDeduplicationId are only for FIFO topics");
        }
        let id = self.fresh_id(&request.topic);
        let Some(topic) = self.topics.get_mut(&request.topic) else {
            return err("topic vanished");
        };
        if let Some(d) = &dedup_id {
            topic.dedup.insert(d.clone(), (now, id.clone()));
        }
        topic.metrics.sent += 1;
        let routes: Vec<(Endpoint, Option<EventPattern>, FilterPolicyScope, bool)> = topic
            .subscriptions
            .iter()
            .map(|s| (s.endpoint.clone(), s.policy.clone(), s.scope, s.raw))
            .collect();
        self.record(
            &channel,
            &id,
            TraceKind::Published {
                by: None,
                replay_name: None,
                body: request.message.clone(),
            },
        );
        for (i, (endpoint, policy, scope, raw)) in routes.into_iter().enumerate() {
            let via = format!("subscription[{i}]");
            let to = endpoint.describe();
            let verdict = match (&policy, scope) {
                (None, _) => Ok("no filter policy: every message is delivered".to_owned()),
                (Some(p), FilterPolicyScope::MessageAttributes) => match sns::attributes_to_json(&request.attributes) {
                    Err(e) => Err(format!("the message attributes are unusable: {e}")),
                    Ok(view) => {
                        let e = explain(p, &view);
                        if e.matched { Ok("the filter policy matches the message attributes".into()) } else { Err(why_not(&e)) }
                    }
                },
                (Some(p), FilterPolicyScope::MessageBody) => match json::parse(&request.message).ok().and_then(|b| sns::body_to_json(&b.value)) {
                    None => Err("the body is not a JSON object, so a MessageBody filter policy cannot match it".into()),
                    Some(body) => {
                        let e = explain(p, &body);
                        if e.matched { Ok("the filter policy matches the message body".into()) } else { Err(why_not(&e)) }
                    }
                },
            };
            let matched = verdict.is_ok();
            let reason = verdict.unwrap_or_else(|e| e);
            self.record(
                &channel,
                &id,
                TraceKind::Routed {
                    via,
                    to: to.clone(),
                    matched,
                    reason,
                },
            );
            if !matched {
                continue;
            }
            self.deliver_notification(&channel, &id, request, &endpoint, raw, dedup_id.as_deref());
        }
        Ok(id)
    }

    fn deliver_notification(
        &mut self,
        channel: &str,
        id: &str,
        request: &PublishRequest,
        endpoint: &Endpoint,
        raw: bool,
        dedup_id: Option<&str>,
    ) {
        let now = self.now;
        match endpoint {
            Endpoint::Queue(q) => {
                let body = if raw {
                    request.message.clone()
                } else {
                    let attrs: serde_json::Map<String, serde_json::Value> = request
                        .attributes
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                serde_json::json!({"Type": v.data_type, "Value": v.value}),
                            )
                        })
                        .collect();
                    notification(id, request, &iso_time(now), attrs).to_string()
                };
                let queue_fifo = self.queues.get(q).is_some_and(|x| x.config.fifo);
                let send = SendRequest {
                    queue: q.clone(),
                    body,
                    attributes: if raw {
                        request.attributes.clone()
                    } else {
                        Attributes::new()
                    },
                    delay_s: None,
                    group_id: if queue_fifo {
                        request.group_id.clone()
                    } else {
                        None
                    },
                    dedup_id: if queue_fifo {
                        dedup_id.map(str::to_owned).or_else(|| Some(id.to_owned()))
                    } else {
                        None
                    },
                };
                match self.send(&send) {
                    Ok(_) => {
                        if let Some(t) = self.topics.get_mut(&request.topic) {
                            t.metrics.delivered += 1;
                        }
                    }
                    Err(e) => {
                        if let Some(t) = self.topics.get_mut(&request.topic) {
                            t.metrics.dropped += 1;
                        }
                        self.record(
                            channel,
                            id,
                            TraceKind::Dropped {
                                reason: format!("{} refused the copy: {e}", endpoint.describe()),
                            },
                        );
                    }
                }
            }
            Endpoint::Handler(h) => {
                if let Some(t) = self.topics.get_mut(&request.topic) {
                    t.metrics.delivered += 1;
                }
                self.record(
                    channel,
                    id,
                    TraceKind::Delivered {
                        consumer: h.clone(),
                        receive_count: 1,
                        receipt_handle: None,
                        qos: None,
                        dup: false,
                        retain: false,
                    },
                );
            }
            Endpoint::Topic(_) | Endpoint::Bus(_) => {}
        }
    }
}

/// The JSON an SQS subscriber without raw delivery receives: AWS's fields and only those,
/// in AWS's order; `Subject` is left out when the publish had none. The signature is the
/// simulation's stand-in (AWS signs with its own key): it says so, so that nobody
/// mistakes it for one that verifies (`docs/semantics.md` §3).
pub(crate) fn notification(
    id: &str,
    request: &PublishRequest,
    timestamp: &str,
    attributes: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let arn = format!("arn:aws:sns:us-east-1:123456789012:{}", request.topic);
    let mut m = serde_json::Map::new();
    m.insert("Type".into(), "Notification".into());
    m.insert("MessageId".into(), id.into());
    m.insert("TopicArn".into(), arn.clone().into());
    if let Some(subject) = &request.subject {
        m.insert("Subject".into(), subject.clone().into());
    }
    m.insert("Message".into(), request.message.clone().into());
    m.insert("Timestamp".into(), timestamp.into());
    m.insert("SignatureVersion".into(), "1".into());
    m.insert(
        "Signature".into(),
        "SIMULATED-by-Event-Dojo-not-a-real-signature".into(),
    );
    m.insert(
        "SigningCertURL".into(),
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-simulated.pem".into(),
    );
    m.insert(
        "UnsubscribeURL".into(),
        format!("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={arn}:simulated").into(),
    );
    if !attributes.is_empty() {
        m.insert("MessageAttributes".into(), attributes.into());
    }
    serde_json::Value::Object(m)
}
