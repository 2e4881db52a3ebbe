//! Channel contents over time, rebuilt from the trace: which messages each queue held at
//! any moment, and in what state. Seeking folds from the nearest snapshot (one every
//! `interval` trace entries), so it costs O(interval), not O(trace).
//!
//! Topics and buses hold nothing between deliveries, so they have no contents here; MQTT
//! sessions and retained messages are not reconstructed (their trace entries still are).

use super::{SimTime, TraceEntry, TraceKind};
use imbl::OrdMap;
use serde::{Deserialize, Serialize};

/// One message in a queue at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldMessage {
    pub body: String,
    /// `visible`, `delayed` or `in_flight`.
    pub state: &'static str,
    pub receive_count: u32,
    /// When the message entered its current state.
    #[serde(skip)]
    pub since_ms: SimTime,
    /// When a delayed message becomes visible.
    #[serde(skip)]
    pub visible_at: SimTime,
}

/// Every queue's messages, by queue name then message id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelContents {
    pub queues: OrdMap<String, OrdMap<String, HeldMessage>>,
}

impl ChannelContents {
    fn apply(&mut self, e: &TraceEntry) {
        let Some(queue) = e.channel.strip_prefix("queue:") else {
            return;
        };
        let messages = self.queues.entry(queue.to_owned()).or_default();
        match &e.kind {
            TraceKind::Enqueued { body, .. } => {
                messages.insert(
                    e.message_id.clone(),
                    HeldMessage {
                        body: body.clone(),
                        state: "visible",
                        receive_count: 0,
                        since_ms: e.at_ms,
                        visible_at: e.at_ms,
                    },
                );
            }
            TraceKind::Delayed { until_ms, .. } => {
                if let Some(m) = messages.get_mut(&e.message_id) {
                    m.state = "delayed";
                    m.since_ms = e.at_ms;
                    m.visible_at = *until_ms;
                }
            }
            TraceKind::Delivered { receive_count, .. } => {
                if let Some(m) = messages.get_mut(&e.message_id) {
                    m.state = "in_flight";
                    m.since_ms = e.at_ms;
                    m.receive_count = *receive_count;
                }
            }
            TraceKind::VisibilityExpired { .. } => {
                if let Some(m) = messages.get_mut(&e.message_id) {
                    m.state = "visible";
                    m.since_ms = e.at_ms;
                }
            }
            TraceKind::Acknowledged { .. }
            | TraceKind::MovedToDlq { .. }
            | TraceKind::Dropped { .. } => {
                messages.remove(&e.message_id);
            }
            _ => {}
        }
    }

    /// Delays that ended by `at` show as visible.
    fn settle(mut self, at: SimTime) -> Self {
        let names: Vec<String> = self.queues.keys().cloned().collect();
        for name in names {
            let Some(messages) = self.queues.get_mut(&name) else {
                continue;
            };
            let due: Vec<String> = messages
                .iter()
                .filter(|(_, m)| m.state == "delayed" && m.visible_at <= at)
                .map(|(k, _)| k.clone())
                .collect();
            for id in due {
                if let Some(m) = messages.get_mut(&id) {
                    m.state = "visible";
                    m.since_ms = m.visible_at;
                }
            }
        }
        self
    }
}

/// The trace with snapshots of the channel contents. It crosses to another thread as
/// its trace and interval, and the snapshots are taken again on arrival.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "TraceAndInterval", from = "TraceAndInterval")]
pub struct ChannelTimeline {
    trace: Vec<TraceEntry>,
    snapshots: Vec<ChannelContents>,
    interval: usize,
}

/// How a [`ChannelTimeline`] is serialised.
#[derive(Serialize, Deserialize)]
struct TraceAndInterval {
    interval: usize,
    trace: Vec<TraceEntry>,
}

impl From<ChannelTimeline> for TraceAndInterval {
    fn from(t: ChannelTimeline) -> Self {
        TraceAndInterval {
            interval: t.interval,
            trace: t.trace,
        }
    }
}

impl From<TraceAndInterval> for ChannelTimeline {
    fn from(t: TraceAndInterval) -> Self {
        ChannelTimeline::new(&t.trace, t.interval)
    }
}

impl ChannelTimeline {
    pub fn new(trace: &[TraceEntry], interval: usize) -> ChannelTimeline {
        let interval = interval.max(1);
        let mut snapshots = vec![ChannelContents::default()];
        let mut current = ChannelContents::default();
        for (i, e) in trace.iter().enumerate() {
            current.apply(e);
            if (i + 1).is_multiple_of(interval) {
                snapshots.push(current.clone());
            }
        }
        ChannelTimeline {
            trace: trace.to_vec(),
            snapshots,
            interval,
        }
    }

    /// The whole trace.
    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    /// The trace entries at or before simulated time `at`.
    pub fn entries_until(&self, at: SimTime) -> &[TraceEntry] {
        &self.trace[..self.trace.partition_point(|e| e.at_ms <= at)]
    }

    /// The time of the last trace entry.
    pub fn end_ms(&self) -> SimTime {
        self.trace.last().map_or(0, |e| e.at_ms)
    }

    /// The contents after the first `entries` trace entries.
    pub fn after_entries(&self, entries: usize) -> ChannelContents {
        let entries = entries.min(self.trace.len());
        let k = entries / self.interval;
        let mut c = self.snapshots[k].clone();
        for e in &self.trace[k * self.interval..entries] {
            c.apply(e);
        }
        let at = entries.checked_sub(1).map_or(0, |i| self.trace[i].at_ms);
        c.settle(at)
    }

    /// The contents at simulated time `at` (every entry at or before it applied).
    pub fn at_time(&self, at: SimTime) -> ChannelContents {
        let entries = self.trace.partition_point(|e| e.at_ms <= at);
        self.after_entries(entries).settle(at)
    }
}
