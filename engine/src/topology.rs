//! The topology model: which queues, topics, subscriptions, buses, rules, targets,
//! archives, handlers and MQTT settings a scenario has, as serde JSON.
//!
//! Every field also reads under the name AWS gives it in CloudFormation
//! (`ContentBasedDeduplication`, `VisibilityTimeout`, `RedrivePolicy` with
//! `maxReceiveCount`, `EventPattern`, `Targets`, `InputTransformer`, `FilterPolicy`, …), so
//! a learner may write either; files keep the project's names when written.
//!
//! [`Topology::from_json`] reports problems with the JSON path of the offending value
//! (`rules[2].targets[0].input_transformer`), both for shape errors (through
//! `crate::shape`) and for semantic ones checked by [`Topology::validate`]: unknown
//! references, FIFO/standard mismatches, AWS limits, invalid patterns and templates.

use crate::pattern::{self, EventPattern};
pub use crate::transform::InputTransformer;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// A problem in a topology, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}: {message}")]
pub struct TopologyError {
    pub path: String,
    pub message: String,
}

fn problem<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, TopologyError> {
    Err(TopologyError {
        path: path.into(),
        message: message.into(),
    })
}

/// The whole wiring of a scenario.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Topology {
    /// SQS queues (AWS::SQS::Queue).
    #[serde(rename = "Queues", alias = "queues")]
    pub queues: Vec<QueueConfig>,
    /// SNS topics (AWS::SNS::Topic).
    #[serde(rename = "Topics", alias = "topics")]
    pub topics: Vec<TopicConfig>,
    /// Topic subscriptions (AWS::SNS::Subscription), each delivering to a queue or a handler.
    #[serde(rename = "Subscriptions", alias = "subscriptions")]
    pub subscriptions: Vec<SubscriptionConfig>,
    /// Custom buses; `default` always exists.
    #[serde(rename = "Buses", alias = "buses")]
    pub buses: Vec<BusConfig>,
    /// EventBridge rules (AWS::Events::Rule), each on a bus named by `EventBusName`.
    #[serde(rename = "Rules", alias = "rules")]
    pub rules: Vec<RuleConfig>,
    /// EventBridge archives (AWS::Events::Archive) that keep a bus's events for replay.
    #[serde(rename = "Archives", alias = "archives")]
    pub archives: Vec<ArchiveConfig>,
    /// Service handlers: consumers that subscriptions and rules deliver to directly.
    #[serde(rename = "Handlers", alias = "handlers")]
    pub handlers: Vec<HandlerConfig>,
    /// The MQTT broker's timing and bounds (the simulation's own settings).
    pub mqtt: MqttConfig,
}

fn d30() -> u32 {
    30
}
fn d4days() -> u32 {
    345_600
}
fn d256k() -> usize {
    262_144
}
fn d100k() -> usize {
    100_000
}
fn dtrue() -> bool {
    true
}
fn ddefault() -> String {
    "default".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// The queue's name, 1 to 80 characters; a FIFO queue's ends in `.fifo`.
    #[serde(rename = "QueueName", alias = "name")]
    pub name: String,
    /// FIFO queues' names end in `.fifo`.
    #[serde(default)]
    #[serde(rename = "FifoQueue", alias = "fifo")]
    pub fifo: bool,
    /// Seconds a received message stays hidden from other consumers, 0–43,200; default 30.
    #[serde(default = "d30")]
    #[serde(rename = "VisibilityTimeout", alias = "visibility_timeout_s")]
    pub visibility_timeout_s: u32,
    /// Queue delay, 0–900 s.
    #[serde(default)]
    #[serde(rename = "DelaySeconds", alias = "delay_s")]
    pub delay_s: u32,
    /// 60 s to 14 days; default 4 days.
    #[serde(default = "d4days")]
    #[serde(rename = "MessageRetentionPeriod", alias = "retention_s")]
    pub retention_s: u32,
    /// 1,024 B to 1 MiB; default 256 KiB.
    #[serde(default = "d256k")]
    #[serde(rename = "MaximumMessageSize", alias = "max_message_bytes")]
    pub max_message_bytes: usize,
    /// Default long-poll wait, 0–20 s.
    #[serde(default)]
    #[serde(rename = "ReceiveMessageWaitTimeSeconds", alias = "receive_wait_s")]
    pub receive_wait_s: u32,
    /// Where messages go after too many receives: a dead-letter queue of the same type.
    #[serde(default)]
    #[serde(rename = "RedrivePolicy", alias = "redrive")]
    pub redrive: Option<Redrive>,
    /// FIFO only: a SHA-256 of the body is the deduplication id when a send gives none.
    #[serde(default)]
    #[serde(rename = "ContentBasedDeduplication", alias = "content_based_dedup")]
    pub content_based_dedup: bool,
    /// Deduplicate per message group (high-throughput mode) instead of per queue.
    #[serde(default)]
    pub dedup_scope_group: bool,
    /// Most messages held (a simulation bound; sends beyond it are refused).
    #[serde(default = "d100k")]
    pub capacity: usize,
}

impl QueueConfig {
    pub fn named(name: &str) -> QueueConfig {
        QueueConfig {
            name: name.into(),
            fifo: name.ends_with(".fifo"),
            visibility_timeout_s: 30,
            delay_s: 0,
            retention_s: 345_600,
            max_message_bytes: 262_144,
            receive_wait_s: 0,
            redrive: None,
            content_based_dedup: false,
            dedup_scope_group: false,
            capacity: 100_000,
        }
    }

    /// The settings in words: "Standard queue; visibility timeout 30 s, delay 0 s,
    /// retention 4 days; dead-letter queue q-dlq after 3 receives."
    pub fn summary(&self) -> String {
        let kind = if self.fifo { "FIFO" } else { "Standard" };
        let dlq = match &self.redrive {
            Some(r) => format!(
                "dead-letter queue {} after {} receives",
                r.dlq, r.max_receive_count
            ),
            None => "no dead-letter queue (a message is retried until retention ends)".to_owned(),
        };
        let retention = match self.retention_s {
            s if s % 86_400 == 0 => format!("{} days", s / 86_400),
            s if s % 3_600 == 0 => format!("{} hours", s / 3_600),
            s => format!("{s} s"),
        };
        format!(
            "{kind} queue; visibility timeout {} s, delay {} s, retention {retention}; {dlq}.",
            self.visibility_timeout_s, self.delay_s
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Redrive {
    /// The dead-letter queue (its name, where AWS takes its ARN).
    #[serde(rename = "deadLetterTargetArn", alias = "dlq")]
    pub dlq: String,
    /// Receives before a message moves to the dead-letter queue, 1–1,000.
    #[serde(rename = "maxReceiveCount", alias = "max_receive_count")]
    pub max_receive_count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TopicConfig {
    /// The topic's name; a FIFO topic's ends in `.fifo`.
    #[serde(rename = "TopicName", alias = "name")]
    pub name: String,
    /// A FIFO topic: ordered per message group, for FIFO queues.
    #[serde(default)]
    #[serde(rename = "FifoTopic", alias = "fifo")]
    pub fifo: bool,
    /// FIFO only: the body's hash is the deduplication id when a publish gives none.
    #[serde(default)]
    #[serde(rename = "ContentBasedDeduplication", alias = "content_based_dedup")]
    pub content_based_dedup: bool,
}

/// Where a subscription or target delivers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Endpoint {
    Queue(String),
    Topic(String),
    Bus(String),
    Handler(String),
}

impl Endpoint {
    pub fn describe(&self) -> String {
        match self {
            Endpoint::Queue(n) => format!("queue:{n}"),
            Endpoint::Topic(n) => format!("topic:{n}"),
            Endpoint::Bus(n) => format!("bus:{n}"),
            Endpoint::Handler(n) => format!("handler:{n}"),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum FilterPolicyScope {
    #[default]
    MessageAttributes,
    MessageBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SubscriptionConfig {
    /// The topic subscribed to (its name, where AWS takes its ARN).
    #[serde(rename = "TopicArn", alias = "topic")]
    pub topic: String,
    /// Where the topic delivers: `{ "queue": name }` or `{ "handler": name }`.
    #[serde(rename = "Endpoint", alias = "endpoint")]
    pub endpoint: Endpoint,
    /// An SNS filter policy; only matching messages are delivered. Absent: every message.
    #[serde(default)]
    #[serde(rename = "FilterPolicy", alias = "filter_policy")]
    pub filter_policy: Option<serde_json::Value>,
    /// What the filter policy reads: `MessageAttributes` (default) or `MessageBody`.
    #[serde(default)]
    #[serde(rename = "FilterPolicyScope", alias = "filter_policy_scope")]
    pub filter_policy_scope: FilterPolicyScope,
    /// Deliver the bare message instead of the SNS JSON envelope.
    #[serde(default)]
    #[serde(rename = "RawMessageDelivery", alias = "raw_message_delivery")]
    pub raw_message_delivery: bool,
    /// Where a message goes that cannot be delivered: a queue of the topic's type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "RedrivePolicy", alias = "redrive_policy")]
    pub redrive_policy: Option<SubscriptionRedrive>,
}

/// A subscription's dead-letter queue (AWS's subscription `RedrivePolicy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SubscriptionRedrive {
    /// The dead-letter queue (its name, where AWS takes its ARN).
    #[serde(rename = "deadLetterTargetArn", alias = "dlq")]
    pub dlq: String,
}

impl SubscriptionConfig {
    /// The filter policy in force: none when there is none, and none for an empty JSON
    /// object, which is how SNS removes a policy (`docs/semantics.md` §2).
    pub fn policy(&self) -> Option<&serde_json::Value> {
        self.filter_policy
            .as_ref()
            .filter(|p| p.as_object().is_none_or(|m| !m.is_empty()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BusConfig {
    /// The bus's name; the `default` bus always exists.
    #[serde(rename = "Name", alias = "name")]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// The rule's name, unique on its bus.
    #[serde(rename = "Name", alias = "name")]
    pub name: String,
    /// The bus the rule listens on (its name); default `default`.
    #[serde(default = "ddefault")]
    #[serde(rename = "EventBusName", alias = "bus")]
    pub bus: String,
    /// An EventBridge event pattern; matching events go to the targets.
    #[serde(rename = "EventPattern", alias = "pattern")]
    pub pattern: serde_json::Value,
    /// A disabled rule matches nothing (AWS's `State`).
    #[serde(default = "dtrue")]
    pub enabled: bool,
    /// Up to five targets, each sent every matching event.
    #[serde(default)]
    #[serde(rename = "Targets", alias = "targets")]
    pub targets: Vec<TargetConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// The target's id, unique in its rule.
    #[serde(rename = "Id", alias = "id")]
    pub id: String,
    /// Where the rule delivers: `{ "queue" | "topic" | "bus" | "handler": name }`.
    pub endpoint: Endpoint,
    /// Constant JSON text delivered instead of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "Input", alias = "input")]
    pub input: Option<String>,
    /// A JSONPath: deliver only this part of the event.
    #[serde(default)]
    #[serde(rename = "InputPath", alias = "input_path")]
    pub input_path: Option<String>,
    /// Reshape the event: named JSONPaths filled into a template.
    #[serde(default)]
    #[serde(rename = "InputTransformer", alias = "input_transformer")]
    pub input_transformer: Option<InputTransformer>,
    /// How long and how often a failed delivery is retried.
    #[serde(default)]
    #[serde(rename = "RetryPolicy", alias = "retry_policy")]
    pub retry_policy: RetryPolicy,
    /// A standard SQS queue for events that fail for good.
    #[serde(default)]
    pub dlq: Option<String>,
    /// For a FIFO queue target, which AWS requires: the message group its events go in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "SqsParameters", alias = "sqs_parameters")]
    pub sqs_parameters: Option<SqsParameters>,
}

/// A target's SQS parameters (AWS's `SqsParameters`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SqsParameters {
    /// The message group of every event this target sends to its FIFO queue.
    #[serde(rename = "MessageGroupId", alias = "message_group_id")]
    pub message_group_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// 60–86,400 s.
    #[serde(rename = "MaximumEventAgeInSeconds", alias = "maximum_event_age_s")]
    pub maximum_event_age_s: u32,
    /// 0–185.
    #[serde(rename = "MaximumRetryAttempts", alias = "maximum_retry_attempts")]
    pub maximum_retry_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            maximum_event_age_s: 86_400,
            maximum_retry_attempts: 185,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ArchiveConfig {
    /// The archive's name; replays name it.
    #[serde(rename = "ArchiveName", alias = "name")]
    pub name: String,
    /// The bus archived (its name, where AWS takes its ARN); default `default`.
    #[serde(default = "ddefault")]
    #[serde(rename = "SourceArn", alias = "bus")]
    pub bus: String,
    /// An event pattern: only matching events are archived. Absent: every event.
    #[serde(default)]
    #[serde(rename = "EventPattern", alias = "pattern")]
    pub pattern: Option<serde_json::Value>,
    /// 0 keeps events forever.
    #[serde(default)]
    #[serde(rename = "RetentionDays", alias = "retention_days")]
    pub retention_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HandlerConfig {
    /// The handler's name, as endpoints name it.
    pub name: String,
    /// Fail this many deliveries first (to exercise retries), with `error_code`.
    #[serde(default)]
    pub fail_first: u32,
    /// Fail every delivery.
    #[serde(default)]
    pub fail_always: bool,
    /// Fail every delivery until this simulated time (ms): a consumer that is down, then
    /// back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_until_ms: Option<u64>,
    /// `THROTTLING`, `TIMEOUT` (retried) or `NO_PERMISSIONS`, `NO_RESOURCE` (not retried).
    #[serde(default = "throttling")]
    pub error_code: String,
}

fn throttling() -> String {
    "THROTTLING".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct MqttConfig {
    /// Whose MQTT the broker follows: `oasis` (MQTT 3.1.1 as written, the default) or
    /// `aws_iot_core` (AWS IoT Core's documented differences).
    pub profile: MqttProfile,
    /// AWS IoT Core only: how long a disconnected persistent session is kept (one hour
    /// by default; at most seven days).
    pub session_expiry_s: u32,
    /// How long a client takes to PUBACK a QoS 1 delivery.
    pub ack_after_ms: u64,
    /// QoS 1 messages kept per offline persistent session; the oldest is dropped beyond it.
    pub session_queue_limit: usize,
    /// Most retained messages the broker keeps.
    pub retained_limit: usize,
}

/// The MQTT a broker follows (`docs/semantics.md` §6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MqttProfile {
    /// OASIS MQTT 3.1.1 as written (as mosquitto does it).
    #[default]
    Oasis,
    /// AWS IoT Core's broker: no retained message for a wildcard subscription, `#` not
    /// matching its parent level, no DUP flag, no QoS 2, sessions that expire, and its
    /// topic and payload limits.
    AwsIotCore,
}

impl MqttProfile {
    pub fn name(self) -> &'static str {
        match self {
            MqttProfile::Oasis => "OASIS MQTT 3.1.1",
            MqttProfile::AwsIotCore => "AWS IoT Core",
        }
    }
}

impl Default for MqttConfig {
    fn default() -> Self {
        MqttConfig {
            profile: MqttProfile::Oasis,
            session_expiry_s: 3600,
            ack_after_ms: 5,
            session_queue_limit: 1000,
            retained_limit: 10_000,
        }
    }
}

pub const MAX_TARGETS_PER_RULE: usize = 5;
pub const MAX_RULES_PER_BUS: usize = 300;
const RETRIABLE: &[&str] = &["THROTTLING", "TIMEOUT", "INTERNAL_ERROR"];
const NOT_RETRIABLE: &[&str] = &["NO_PERMISSIONS", "NO_RESOURCE", "RESOURCE_ALREADY_EXISTS"];

pub(crate) fn is_retriable(code: &str) -> bool {
    !NOT_RETRIABLE.contains(&code)
}

impl TopologyError {
    /// A shape mistake in a design read whole as `document` ("topology", "scenario"),
    /// worded by [`crate::wording::shape`]; a mistake in no member is at `document`.
    pub(crate) fn from_shape(e: crate::shape::ShapeError, document: &str) -> TopologyError {
        TopologyError {
            message: crate::wording::shape(&e.path, &e.message),
            path: if e.path == "." {
                document.into()
            } else {
                e.path
            },
        }
    }
}

impl Topology {
    /// The queues named as a queue's or a rule target's dead-letter queue.
    pub fn dead_letter_queues(&self) -> BTreeSet<&str> {
        self.queues
            .iter()
            .filter_map(|q| q.redrive.as_ref().map(|r| r.dlq.as_str()))
            .chain(
                self.rules
                    .iter()
                    .flat_map(|r| r.targets.iter().filter_map(|x| x.dlq.as_deref())),
            )
            .collect()
    }

    /// Parses and validates topology JSON.
    pub fn from_json(text: &str) -> Result<Topology, TopologyError> {
        let topology: Topology =
            crate::shape::from_str(text).map_err(|e| TopologyError::from_shape(e, "topology"))?;
        topology.validate()?;
        Ok(topology)
    }

    /// Checks references, limits, FIFO pairings, patterns and templates.
    pub fn validate(&self) -> Result<(), TopologyError> {
        // AWS IoT Core keeps a persistent session at most seven days.
        if self.mqtt.session_expiry_s > 604_800 {
            return problem(
                "mqtt.session_expiry_s",
                "a session expiry is at most 604,800 s (seven days), as on AWS IoT Core",
            );
        }
        let mut queues = BTreeMap::new();
        for (i, q) in self.queues.iter().enumerate() {
            let p = format!("Queues[{i}]");
            if q.name.is_empty() || q.name.len() > 80 {
                return problem(
                    format!("{p}.QueueName"),
                    "a queue name has 1 to 80 characters",
                );
            }
            if q.fifo != q.name.ends_with(".fifo") {
                return problem(
                    format!("{p}.QueueName"),
                    "a FIFO queue's name must end in .fifo, and only a FIFO queue's may",
                );
            }
            if queues.insert(q.name.as_str(), q).is_some() {
                return problem(
                    format!("{p}.QueueName"),
                    format!("another queue is already named \"{}\"", q.name),
                );
            }
            if q.delay_s > 900 {
                return problem(
                    format!("{p}.DelaySeconds"),
                    "DelaySeconds must be between 0 and 900",
                );
            }
            if q.visibility_timeout_s > 43_200 {
                return problem(
                    format!("{p}.VisibilityTimeout"),
                    "VisibilityTimeout must be between 0 and 43200 seconds (12 hours)",
                );
            }
            if !(60..=1_209_600).contains(&q.retention_s) {
                return problem(
                    format!("{p}.MessageRetentionPeriod"),
                    "MessageRetentionPeriod must be between 60 seconds and 14 days (1209600)",
                );
            }
            if !(1024..=1_048_576).contains(&q.max_message_bytes) {
                return problem(
                    format!("{p}.MaximumMessageSize"),
                    "MaximumMessageSize must be between 1024 and 1048576 bytes",
                );
            }
            if q.receive_wait_s > 20 {
                return problem(
                    format!("{p}.ReceiveMessageWaitTimeSeconds"),
                    "ReceiveMessageWaitTimeSeconds must be between 0 and 20",
                );
            }
            if q.capacity == 0 {
                return problem(
                    format!("{p}.capacity"),
                    "a queue must be able to hold at least one message",
                );
            }
        }
        for (i, q) in self.queues.iter().enumerate() {
            if let Some(r) = &q.redrive {
                let p = format!("Queues[{i}].RedrivePolicy");
                let Some(dlq) = queues.get(r.dlq.as_str()) else {
                    return problem(
                        format!("{p}.deadLetterTargetArn"),
                        format!("there is no queue named \"{}\"", r.dlq),
                    );
                };
                if dlq.fifo != q.fifo {
                    return problem(format!("{p}.deadLetterTargetArn"), "a dead-letter queue must be the same type as its source (FIFO with FIFO, standard with standard)");
                }
                if r.dlq == q.name {
                    return problem(
                        format!("{p}.deadLetterTargetArn"),
                        "a queue cannot be its own dead-letter queue",
                    );
                }
                if !(1..=1000).contains(&r.max_receive_count) {
                    return problem(
                        format!("{p}.maxReceiveCount"),
                        "maxReceiveCount must be between 1 and 1000",
                    );
                }
            }
        }
        let mut topics = BTreeMap::new();
        for (i, t) in self.topics.iter().enumerate() {
            if t.fifo != t.name.ends_with(".fifo") {
                return problem(
                    format!("Topics[{i}].TopicName"),
                    "a FIFO topic's name must end in .fifo, and only a FIFO topic's may",
                );
            }
            if topics.insert(t.name.as_str(), t).is_some() {
                return problem(
                    format!("Topics[{i}].TopicName"),
                    format!("another topic is already named \"{}\"", t.name),
                );
            }
        }
        let handlers: BTreeSet<&str> = self.handlers.iter().map(|h| h.name.as_str()).collect();
        for (i, h) in self.handlers.iter().enumerate() {
            if !RETRIABLE.contains(&h.error_code.as_str())
                && !NOT_RETRIABLE.contains(&h.error_code.as_str())
            {
                return problem(
                    format!("Handlers[{i}].error_code"),
                    format!(
                        "unknown error code \"{}\"; use one of {}",
                        h.error_code,
                        [RETRIABLE, NOT_RETRIABLE].concat().join(", ")
                    ),
                );
            }
        }
        let mut buses: BTreeSet<&str> = BTreeSet::from(["default"]);
        for (i, b) in self.buses.iter().enumerate() {
            if !buses.insert(b.name.as_str()) {
                return problem(
                    format!("Buses[{i}].Name"),
                    format!("a bus named \"{}\" already exists", b.name),
                );
            }
        }
        let check_endpoint = |path: String, e: &Endpoint| -> Result<(), TopologyError> {
            let known = match e {
                Endpoint::Queue(n) => queues.contains_key(n.as_str()),
                Endpoint::Topic(n) => topics.contains_key(n.as_str()),
                Endpoint::Bus(n) => buses.contains(n.as_str()),
                Endpoint::Handler(n) => handlers.contains(n.as_str()),
            };
            if known {
                Ok(())
            } else {
                problem(path, format!("{} does not exist", e.describe()))
            }
        };
        for (i, s) in self.subscriptions.iter().enumerate() {
            let p = format!("Subscriptions[{i}]");
            let Some(topic) = topics.get(s.topic.as_str()) else {
                return problem(
                    format!("{p}.TopicArn"),
                    format!("there is no topic named \"{}\"", s.topic),
                );
            };
            check_endpoint(format!("{p}.Endpoint"), &s.endpoint)?;
            match &s.endpoint {
                Endpoint::Queue(q) if queues[q.as_str()].fifo && !topic.fifo => {
                    return problem(
                        format!("{p}.Endpoint"),
                        "a FIFO queue can subscribe only to a FIFO topic",
                    );
                }
                Endpoint::Handler(_) | Endpoint::Topic(_) | Endpoint::Bus(_) if topic.fifo => {
                    return problem(
                        format!("{p}.Endpoint"),
                        "a FIFO topic delivers only to SQS queues",
                    );
                }
                Endpoint::Topic(_) | Endpoint::Bus(_) => {
                    return problem(
                        format!("{p}.Endpoint"),
                        "a topic subscription delivers to a queue or a handler",
                    );
                }
                _ => {}
            }
            if let Some(r) = &s.redrive_policy {
                let topic_fifo = self.topics.iter().any(|t| t.name == s.topic && t.fifo);
                match self.queues.iter().find(|q| q.name == r.dlq) {
                    None => {
                        return problem(
                            format!("{p}.RedrivePolicy.deadLetterTargetArn"),
                            format!("there is no queue named \"{}\"", r.dlq),
                        )
                    }
                    Some(q) if q.fifo != topic_fifo => {
                        return problem(
                            format!("{p}.RedrivePolicy.deadLetterTargetArn"),
                            "a subscription's dead-letter queue is of its topic's type (FIFO for a FIFO topic, standard for a standard one)",
                        )
                    }
                    Some(_) => {}
                }
            }
            if let Some(policy) = s.policy() {
                let dialect = match s.filter_policy_scope {
                    FilterPolicyScope::MessageAttributes => pattern::Dialect::SnsAttributes,
                    FilterPolicyScope::MessageBody => pattern::Dialect::SnsBody,
                };
                if let Err(e) = EventPattern::parse(&policy.to_string(), dialect) {
                    return problem(format!("{p}.FilterPolicy"), e.aws_message());
                }
            }
        }
        let mut rule_names = BTreeSet::new();
        let mut per_bus: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, r) in self.rules.iter().enumerate() {
            let p = format!("Rules[{i}]");
            if !buses.contains(r.bus.as_str()) {
                return problem(
                    format!("{p}.EventBusName"),
                    format!("there is no bus named \"{}\"", r.bus),
                );
            }
            if !rule_names.insert((r.bus.as_str(), r.name.as_str())) {
                return problem(
                    format!("{p}.Name"),
                    format!("bus \"{}\" already has a rule named \"{}\"", r.bus, r.name),
                );
            }
            let count = per_bus.entry(r.bus.as_str()).or_default();
            *count += 1;
            if *count > MAX_RULES_PER_BUS {
                return problem(
                    p.clone(),
                    format!(
                        "LimitExceededException: a bus can have at most {MAX_RULES_PER_BUS} rules"
                    ),
                );
            }
            if let Err(e) = EventPattern::eventbridge(&r.pattern.to_string()) {
                return problem(format!("{p}.EventPattern"), e.aws_message());
            }
            if r.targets.len() > MAX_TARGETS_PER_RULE {
                return problem(
                    format!("{p}.Targets[{MAX_TARGETS_PER_RULE}]"),
                    format!("LimitExceededException: a rule can have at most {MAX_TARGETS_PER_RULE} targets"),
                );
            }
            let mut ids = BTreeSet::new();
            for (j, t) in r.targets.iter().enumerate() {
                let tp = format!("{p}.Targets[{j}]");
                if !ids.insert(t.id.as_str()) {
                    return problem(
                        format!("{tp}.Id"),
                        format!("another target of this rule has the id \"{}\"", t.id),
                    );
                }
                check_endpoint(format!("{tp}.Endpoint"), &t.endpoint)?;
                // AWS: Input, InputPath and InputTransformer are mutually exclusive.
                let inputs = [
                    t.input.is_some(),
                    t.input_path.is_some(),
                    t.input_transformer.is_some(),
                ];
                if inputs.iter().filter(|x| **x).count() > 1 {
                    return problem(
                        tp,
                        "a target takes one of Input, InputPath or InputTransformer, not more",
                    );
                }
                if let Some(input) = &t.input {
                    if serde_json::from_str::<serde_json::Value>(input).is_err() {
                        return problem(
                            format!("{tp}.Input"),
                            "Input must be valid JSON text (a constant sent instead of the event)",
                        );
                    }
                }
                // AWS refuses a FIFO queue target without a message group.
                if let Endpoint::Queue(q) = &t.endpoint {
                    let target_queue = self.queues.iter().find(|x| &x.name == q);
                    let fifo = target_queue.is_some_and(|x| x.fifo);
                    if target_queue.is_some_and(|x| x.fifo && !x.content_based_dedup) {
                        return problem(
                            format!("{tp}.Endpoint"),
                            format!("the FIFO queue {q} must have ContentBasedDeduplication turned on to be a rule's target"),
                        );
                    }
                    let group = t.sqs_parameters.as_ref().map(|p| p.message_group_id.trim());
                    if fifo && group.is_none_or(str::is_empty) {
                        return problem(
                            format!("{tp}.SqsParameters"),
                            format!("the FIFO queue {q} needs a message group: give the target SqsParameters with a MessageGroupId"),
                        );
                    }
                }
                if let Some(path) = &t.input_path {
                    if let Err(e) = crate::transform::parse_path(path) {
                        return problem(format!("{tp}.InputPath"), e.to_string());
                    }
                }
                if let Some(tr) = &t.input_transformer {
                    if let Err(e) = crate::transform::validate(tr, &t.id) {
                        return problem(format!("{tp}.InputTransformer"), e.to_string());
                    }
                }
                let rp = &t.retry_policy;
                if !(60..=86_400).contains(&rp.maximum_event_age_s) {
                    return problem(
                        format!("{tp}.RetryPolicy.MaximumEventAgeInSeconds"),
                        "MaximumEventAgeInSeconds must be between 60 and 86400",
                    );
                }
                if rp.maximum_retry_attempts > 185 {
                    return problem(
                        format!("{tp}.RetryPolicy.MaximumRetryAttempts"),
                        "MaximumRetryAttempts must be between 0 and 185",
                    );
                }
                if let Some(dlq) = &t.dlq {
                    match queues.get(dlq.as_str()) {
                        None => return problem(format!("{tp}.dlq"), format!("there is no queue named \"{dlq}\"")),
                        Some(q) if q.fifo => return problem(format!("{tp}.dlq"), "a rule target's dead-letter queue must be a standard SQS queue, not FIFO"),
                        _ => {}
                    }
                }
            }
        }
        for (i, a) in self.archives.iter().enumerate() {
            if !buses.contains(a.bus.as_str()) {
                return problem(
                    format!("Archives[{i}].SourceArn"),
                    format!("there is no bus named \"{}\"", a.bus),
                );
            }
            if let Some(pattern) = &a.pattern {
                if let Err(e) = EventPattern::eventbridge(&pattern.to_string()) {
                    return problem(format!("Archives[{i}].EventPattern"), e.aws_message());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_errors_name_the_json_path() {
        let err = Topology::from_json(r#"{"rules":[{"name":"r","pattern":{"a":["x"]},"targets":[{"id":"t","endpoint":{"queue":"q"},"input_transformer":{"input_template":5}}]}]}"#)
            .expect_err("bad template type");
        assert_eq!(
            err.path,
            "rules[0].targets[0].input_transformer.input_template"
        );
    }

    #[test]
    fn unknown_fields_are_refused_with_their_path() {
        let err = Topology::from_json(r#"{"queues":[{"name":"q","visibilty_timeout_s":5}]}"#)
            .expect_err("typo");
        assert_eq!(err.path, "queues[0].visibilty_timeout_s");
        assert!(
            err.message.starts_with("`visibilty_timeout_s` is not a field of a queue (at `queues[0].visibilty_timeout_s`). Did you mean `VisibilityTimeout` ("),
            "{}",
            err.message
        );
    }

    #[test]
    fn cloudformation_names_are_read_as_the_same_settings() {
        let aws = Topology::from_json(
            r#"{"Queues":[{"QueueName":"q.fifo","FifoQueue":true,"ContentBasedDeduplication":true,"VisibilityTimeout":45,
                "RedrivePolicy":{"deadLetterTargetArn":"dlq.fifo","maxReceiveCount":3}},{"QueueName":"dlq.fifo","FifoQueue":true}],
              "Rules":[{"Name":"r","EventPattern":{"source":["a"]},"Targets":[{"Id":"t","endpoint":{"queue":"q.fifo"},
                "RetryPolicy":{"MaximumRetryAttempts":3,"MaximumEventAgeInSeconds":60},"SqsParameters":{"MessageGroupId":"r"}}]}]}"#,
        )
        .expect("AWS's names");
        let ours = Topology::from_json(
            r#"{"queues":[{"name":"q.fifo","fifo":true,"content_based_dedup":true,"visibility_timeout_s":45,
                "redrive":{"dlq":"dlq.fifo","max_receive_count":3}},{"name":"dlq.fifo","fifo":true}],
              "rules":[{"name":"r","pattern":{"source":["a"]},"targets":[{"id":"t","endpoint":{"queue":"q.fifo"},
                "retry_policy":{"maximum_retry_attempts":3,"maximum_event_age_s":60},"sqs_parameters":{"message_group_id":"r"}}]}]}"#,
        )
        .expect("the project's names");
        assert_eq!(aws, ours);
    }

    #[test]
    fn semantic_errors_name_the_path() {
        let six: Vec<String> = (0..6)
            .map(|i| format!(r#"{{"id":"t{i}","endpoint":{{"queue":"q"}}}}"#))
            .collect();
        let text = format!(
            r#"{{"queues":[{{"name":"q"}}],"rules":[{{"name":"r","pattern":{{"a":["x"]}},"targets":[{}]}}]}}"#,
            six.join(",")
        );
        let err = Topology::from_json(&text).expect_err("six targets");
        assert_eq!(err.path, "Rules[0].Targets[5]", "paths use AWS's names");
        assert!(err.message.starts_with("LimitExceededException"));
        let err = Topology::from_json(r#"{"rules":[{"name":"r","pattern":{"a":"x"}}]}"#)
            .expect_err("bad pattern");
        assert_eq!(err.to_string(), "Rules[0].EventPattern: Event pattern is not valid. Reason: \"a\" must be an object or an array");
        let err = Topology::from_json(r#"{"queues":[{"name":"a.fifo","fifo":true,"redrive":{"dlq":"b","max_receive_count":3}},{"name":"b"}]}"#)
            .expect_err("type mismatch");
        assert_eq!(err.path, "Queues[0].RedrivePolicy.deadLetterTargetArn");
    }
}
