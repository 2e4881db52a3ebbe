//! Trace entries: one line per thing that happened, self-explanatory as JSON.

use super::SimTime;
use serde::{Deserialize, Serialize};

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        dup: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
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
    /// A channel's settings changed while the simulation ran (SetQueueAttributes).
    Configured { change: String },
    /// MQTT session events: connect, disconnect, subscribe, unsubscribe.
    Session { client: String, action: String },
}

/// What happened to the message published at `trace[index]`, in words for a live region:
/// "QuoteRequested published on bus:default; matched 2 of 5 rules; delivered to
/// queue:quotes (depth 3)." `what` names the message. Routing decisions are the entries
/// with the published message's id; deliveries are the enqueues that follow at the same
/// moment, before the next publish.
pub fn narrate_publish(trace: &[TraceEntry], index: usize, what: &str) -> Option<String> {
    let published = trace.get(index)?;
    if !matches!(published.kind, TraceKind::Published { .. }) {
        return None;
    }
    let mut routes = 0;
    let mut matched = 0;
    let mut rules = true;
    let mut delivered = Vec::new();
    let mut dropped = 0;
    for e in trace[index + 1..]
        .iter()
        .take_while(|e| e.at_ms == published.at_ms)
        .take_while(|e| !matches!(e.kind, TraceKind::Published { .. }))
    {
        match &e.kind {
            TraceKind::Routed {
                via, matched: m, ..
            } if e.message_id == published.message_id => {
                routes += 1;
                matched += usize::from(*m);
                rules &= via.starts_with("rule:");
            }
            TraceKind::Enqueued { depth, .. } => {
                delivered.push(format!("{} (depth {depth})", e.channel))
            }
            TraceKind::Dropped { .. } => dropped += 1,
            _ => {}
        }
    }
    let mut text = format!("{what} published on {}", published.channel);
    if routes > 0 {
        let noun = match (rules, routes) {
            (true, 1) => "rule",
            (true, _) => "rules",
            (false, 1) => "route",
            (false, _) => "routes",
        };
        text.push_str(&format!("; matched {matched} of {routes} {noun}"));
    }
    if !delivered.is_empty() {
        text.push_str(&format!("; delivered to {}", delivered.join(", ")));
    }
    if dropped > 0 {
        text.push_str(&format!("; {dropped} dropped"));
    }
    text.push_str(&later_deliveries(trace, index));
    text.push('.');
    Some(text)
}

/// What happened to the message published at `trace[index]` after its first moment:
/// failed deliveries retried (SNS's delivery policy, a rule target's retry policy), a
/// delivery that succeeded on a later attempt, and what was dead-lettered or dropped.
fn later_deliveries(trace: &[TraceEntry], index: usize) -> String {
    let published = &trace[index];
    // Each retry entry follows a failed attempt.
    let mut retries = 0;
    let mut next: Option<(SimTime, String)> = None;
    let mut text = String::new();
    for e in trace[index + 1..]
        .iter()
        .filter(|e| e.message_id == published.message_id)
    {
        match &e.kind {
            TraceKind::Retried {
                next_attempt_at_ms,
                error_code,
                ..
            } => {
                retries += 1;
                next = Some((*next_attempt_at_ms, error_code.clone()));
            }
            TraceKind::Delivered {
                consumer,
                receive_count,
                ..
            } if *receive_count > 1 && e.channel == published.channel => {
                next = None;
                text.push_str(&format!(
                    "; delivered to {consumer} on attempt {receive_count}"
                ));
            }
            TraceKind::MovedToDlq { dlq, reason } => {
                next = None;
                text.push_str(&format!("; dead-lettered to queue:{dlq} ({reason})"));
            }
            TraceKind::Dropped { reason } if e.at_ms > published.at_ms => {
                next = None;
                text.push_str(&format!("; dropped ({reason})"));
            }
            _ => {}
        }
    }
    let mut out = String::new();
    if retries > 0 {
        out.push_str(&format!(
            "; a delivery failed {retries} time{}",
            if retries == 1 { "" } else { "s" }
        ));
        if let Some((at, code)) = next {
            out.push_str(&format!(
                " so far ({code}); the next attempt is at {:.1} s",
                at as f64 / 1000.0
            ));
        }
    }
    out + &text
}
