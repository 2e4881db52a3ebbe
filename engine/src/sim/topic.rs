//! SNS-like topics (spec §2): fan-out to subscriptions, each with an optional filter
//! policy and scope; FIFO topics with groups and 5-minute deduplication into FIFO queues.
//!
//! A topic stores nothing: a publish is delivered to every matching subscription at once.
//! If a subscribed queue refuses the copy (it is full, say), that copy goes to the
//! subscription's dead-letter queue, or is dropped and traced; the other subscriptions
//! still get theirs. A handler subscription that fails is retried on SNS's delivery
//! policy for AWS-managed endpoints (3 immediate retries, 2 a second apart, 10 backing
//! off from 1 to 20 s, then every 20 s up to 100,000 more); a client-side error, or the
//! end of the policy, sends the message to the dead-letter queue or drops it.
//!
//! The rules and the pages they follow: `docs/semantics.md` §2 and §3.

use super::queue::{SendRequest, DEDUP_WINDOW_MS};
use super::{
    err, iso_time, sha256_hex, Attributes, ChannelMetrics, SimError, SimErrorKind, TraceKind, World,
};
use crate::json;
use crate::pattern::{explain, sns, Dialect, EventPattern};
use crate::topology::{Endpoint, FilterPolicyScope, SubscriptionConfig, TopicConfig};
use std::collections::BTreeMap;

#[derive(Debug)]
pub(crate) struct Subscription {
    pub endpoint: Endpoint,
    /// The subscription's dead-letter queue.
    pub dlq: Option<String>,
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
            dlq: c.redrive_policy.as_ref().map(|r| r.dlq.clone()),
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
            return err(
                SimErrorKind::NotFound,
                format!("NotFound: Topic does not exist: \"{}\"", request.topic),
            );
        };
        let channel = format!("topic:{}", request.topic);
        let fifo = topic.config.fifo;
        if request.message.len() > 262_144 {
            return err(
                SimErrorKind::InvalidParameter,
                "InvalidParameter: Message too long (the limit is 262,144 bytes)",
            );
        }
        let mut dedup_id = None;
        if fifo {
            if request.group_id.is_none() {
                return err(
                    SimErrorKind::InvalidParameter,
                    "InvalidParameter: The MessageGroupId parameter is required for FIFO topics",
                );
            }
            let id = match (&request.dedup_id, topic.config.content_based_dedup) {
                (Some(id), _) => id.clone(),
                (None, true) => sha256_hex(&request.message),
                (None, false) => {
                    return err(SimErrorKind::InvalidParameter, "InvalidParameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
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
            return err(SimErrorKind::InvalidParameter, "InvalidParameter: MessageGroupId and MessageDeduplicationId are only for FIFO topics");
        }
        let id = self.fresh_id(&request.topic);
        let Some(topic) = self.topics.get_mut(&request.topic) else {
            return err(SimErrorKind::NotFound, "topic vanished");
        };
        if let Some(d) = &dedup_id {
            topic.dedup.insert(d.clone(), (now, id.clone()));
        }
        topic.metrics.sent += 1;
        type Route = (
            Endpoint,
            Option<EventPattern>,
            FilterPolicyScope,
            bool,
            Option<String>,
        );
        let routes: Vec<Route> = topic
            .subscriptions
            .iter()
            .map(|s| {
                (
                    s.endpoint.clone(),
                    s.policy.clone(),
                    s.scope,
                    s.raw,
                    s.dlq.clone(),
                )
            })
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
        for (i, (endpoint, policy, scope, raw, dlq)) in routes.into_iter().enumerate() {
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
            let to = Recipient {
                endpoint: &endpoint,
                raw,
                dlq: dlq.as_deref(),
            };
            self.deliver_notification(&channel, &id, request, &to, dedup_id.as_deref());
        }
        Ok(id)
    }

    fn deliver_notification(
        &mut self,
        channel: &str,
        id: &str,
        request: &PublishRequest,
        to: &Recipient,
        dedup_id: Option<&str>,
    ) {
        let now = self.now;
        let (endpoint, raw) = (to.endpoint, to.raw);
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
                        let why = format!("{} refused the copy: {e}", endpoint.describe());
                        self.sns_dead_letter(
                            channel,
                            id,
                            &request.topic,
                            to.dlq,
                            &send.body,
                            &send.attributes,
                            &why,
                        );
                    }
                }
            }
            Endpoint::Handler(h) => {
                let body = if raw {
                    request.message.clone()
                } else {
                    notification(id, request, &iso_time(now), Default::default()).to_string()
                };
                let retry = SnsRetry {
                    channel: channel.to_owned(),
                    message_id: id.to_owned(),
                    topic: request.topic.clone(),
                    handler: h.clone(),
                    dlq: to.dlq.map(str::to_owned),
                    body,
                    attributes: request.attributes.clone(),
                    retries: 0,
                };
                self.sns_attempt(retry);
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

/// Where one subscription delivers: its endpoint, raw or not, and its dead-letter queue.
pub(crate) struct Recipient<'a> {
    pub endpoint: &'a Endpoint,
    pub raw: bool,
    pub dlq: Option<&'a str>,
}

/// A notification to a handler subscription, between attempts.
#[derive(Debug, Clone)]
pub(crate) struct SnsRetry {
    pub channel: String,
    pub message_id: String,
    pub topic: String,
    pub handler: String,
    pub dlq: Option<String>,
    pub body: String,
    pub attributes: Attributes,
    /// Retries made so far (the first attempt is not one).
    pub retries: u32,
}

/// How long SNS waits before retry number `done + 1` to an AWS-managed endpoint, or
/// `None` once the policy's 100,015 retries are spent (SNS Developer Guide, "Amazon SNS
/// message delivery retries"; `docs/semantics.md` §3).
pub fn sns_retry_delay_ms(done: u32) -> Option<u64> {
    match done {
        0..=2 => Some(0),
        3..=4 => Some(1_000),
        5..=14 => {
            // Ten retries backing off exponentially from 1 s to 20 s.
            let k = f64::from(done - 5) / 9.0;
            Some((1_000.0 * 20f64.powf(k)).round() as u64)
        }
        15..=100_014 => Some(20_000),
        _ => None,
    }
}

impl World {
    /// One delivery attempt of a notification to a handler; a failure is retried on the
    /// policy or dead-lettered.
    pub(crate) fn sns_attempt(&mut self, mut d: SnsRetry) {
        match self.call_handler(&d.handler) {
            Ok(()) => {
                if let Some(t) = self.topics.get_mut(&d.topic) {
                    t.metrics.delivered += 1;
                }
                self.record(
                    &d.channel,
                    &d.message_id,
                    TraceKind::Delivered {
                        consumer: d.handler.clone(),
                        receive_count: d.retries + 1,
                        receipt_handle: None,
                        qos: None,
                        dup: false,
                        retain: false,
                    },
                );
            }
            Err((code, message)) => {
                // Client-side errors are not retried (the endpoint cannot take the message).
                let retriable = !matches!(code.as_str(), "NO_PERMISSIONS" | "NO_RESOURCE");
                let next = retriable.then(|| sns_retry_delay_ms(d.retries)).flatten();
                match next {
                    Some(wait) => {
                        d.retries += 1;
                        let at = self.now + wait;
                        self.record(
                            &d.channel,
                            &d.message_id,
                            TraceKind::Retried {
                                attempt: d.retries,
                                next_attempt_at_ms: at,
                                error_code: code,
                            },
                        );
                        let key = self.next_sns_retry;
                        self.next_sns_retry += 1;
                        self.sns_retries.insert(key, d);
                        self.schedule(at, super::Timer::SnsRetry { delivery: key });
                    }
                    None => {
                        let why = format!(
                            "handler:{} failed ({code}: {message}) after {} attempt(s){}",
                            d.handler,
                            d.retries + 1,
                            if retriable {
                                ", the end of SNS's delivery policy"
                            } else {
                                "; a client-side error is not retried"
                            }
                        );
                        let (channel, id, topic, dlq, body, attributes) = (
                            d.channel,
                            d.message_id,
                            d.topic,
                            d.dlq,
                            d.body,
                            d.attributes,
                        );
                        self.sns_dead_letter(
                            &channel,
                            &id,
                            &topic,
                            dlq.as_deref(),
                            &body,
                            &attributes,
                            &why,
                        );
                    }
                }
            }
        }
    }

    pub(crate) fn sns_retry(&mut self, key: u64) {
        if let Some(d) = self.sns_retries.remove(&key) {
            self.sns_attempt(d);
        }
    }

    /// A notification that could not be delivered: to the subscription's dead-letter
    /// queue when it has one, else dropped; traced either way.
    #[allow(clippy::too_many_arguments)]
    fn sns_dead_letter(
        &mut self,
        channel: &str,
        id: &str,
        topic: &str,
        dlq: Option<&str>,
        body: &str,
        attributes: &Attributes,
        why: &str,
    ) {
        if let Some(t) = self.topics.get_mut(topic) {
            t.metrics.dropped += 1;
        }
        let Some(dlq) = dlq else {
            self.record(
                channel,
                id,
                TraceKind::Dropped {
                    reason: format!("{why}; the subscription has no dead-letter queue"),
                },
            );
            return;
        };
        self.record(
            channel,
            id,
            TraceKind::MovedToDlq {
                dlq: dlq.to_owned(),
                reason: why.to_owned(),
            },
        );
        let fifo = self.queues.get(dlq).is_some_and(|q| q.config.fifo);
        let request = SendRequest {
            queue: dlq.to_owned(),
            body: body.to_owned(),
            attributes: attributes.clone(),
            delay_s: None,
            group_id: fifo.then(|| topic.to_owned()),
            dedup_id: fifo.then(|| id.to_owned()),
        };
        if let Err(e) = self.send(&request) {
            self.record(
                channel,
                id,
                TraceKind::Dropped {
                    reason: format!("could not reach the dead-letter queue {dlq}: {e}"),
                },
            );
        }
    }
}
