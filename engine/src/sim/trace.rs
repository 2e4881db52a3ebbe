//! Trace entries: one line per thing that happened, self-explanatory as JSON.

use super::SimTime;
use serde::Serialize;

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEntry {
    /// 1, 2, 3, … in the order things happened.
    pub position: u64,
    pub at_ms: SimTime,
    /// The channel, as `queue:orders`, `topic:quotes`, `bus:default`, `mqtt:broker`.
    pub channel: String,
    pub message_id: String,
    #[serde(flatten)]
    pub kind: TraceKind,
}

/// What happened. Serialised with a `kind` field and the variant's fields beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceKind {
    /// A producer sent or published a message.
    Published {
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        replay_name: Option<String>,
        body: String,
    },
    /// A rule, subscription or archive pattern was tried: matched or not, and why.
    Routed {
        via: String,
        to: String,
        matched: bool,
        reason: String,
    },
    /// The message is in a queue (the body as enqueued; `depth` counts every message held).
    Enqueued { depth: usize, body: String },
    /// The message waits before it can be received.
    Delayed { until_ms: SimTime, reason: String },
    /// A consumer got the message.
    Delivered {
        consumer: String,
        receive_count: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        receipt_handle: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        qos: Option<u8>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        dup: bool,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        retain: bool,
    },
    /// Deleted from a queue, or a QoS 1 PUBACK arrived.
    Acknowledged { by: String, how: String },
    /// The visibility timeout ran out before a delete: the message can be received again.
    VisibilityExpired { receive_count: u32 },
    /// Moved to a dead-letter queue.
    MovedToDlq { dlq: String, reason: String },
    /// A duplicate within the deduplication window: accepted but not enqueued again.
    Deduplicated {
        deduplication_id: String,
        original_message_id: String,
    },
    /// A failed delivery will be tried again.
    Retried {
        attempt: u32,
        next_attempt_at_ms: SimTime,
        error_code: String,
    },
    /// The message is gone, and why.
    Dropped { reason: String },
    /// An input transformer or input path rewrote the event for a target.
    Transformed { target: String, output: String },
    /// An archive kept a copy of an event.
    Archived { archive: String },
    /// MQTT session events: connect, disconnect, subscribe, unsubscribe.
    Session { client: String, action: String },
}
