//! The workshop at one cursor position, every number derived from one place.
//!
//! A run keeps a [`Ledger`] beside its history: for each history entry, where the channel
//! trace stood once the entry was published and delivered, and the entry's payload size;
//! and every cost as it happened (a callback to Customer Management, a replica update, the
//! CQRS projector catching up), stamped with how many entries had been recorded by then.
//! [`Outcome::at_cursor`] reads all of it up to one position, so the read models and
//! their lag, the queues, the narration, the canvas's callback counts and the style's
//! cost table cannot disagree: they are the same reading. The run's own
//! [`StyleMetrics`] is the ledger read at the end of the history.
//!
//! What "at position `p`" means: right after entry `p` was recorded and published, with
//! its bus deliveries made and nothing later. Costs that came after entry `p` count from
//! `p + 1` on; the end of the history (`p` = its length) counts everything, including
//! what the services did after the last event. This is not a second simulation: nothing
//! here runs the services again.

use super::{Outcome, Style, StyleMetrics};
use crate::projection::{CustomerView, Projection};
use crate::sim::contents::ChannelContents;
use crate::sim::{narrate_publish, TraceKind};
use crate::timetravel::WorldState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where one history entry left the channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Channel trace entries once this entry was published and delivered.
    pub trace_end: usize,
    /// The bytes of the event as published (thin or fat, by style).
    pub payload_bytes: u64,
}

/// Something the integration style cost, when it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    /// History entries recorded when it happened: it is seen from the next entry on.
    pub after_entries: u64,
    pub at_ms: u64,
    pub kind: CostKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CostKind {
    /// A service called Customer Management back for a customer's details.
    Callback { service: &'static str },
    /// A replica applied a customer event this long after it happened.
    ReplicaUpdate { waited_ms: u64 },
    /// The CQRS projector folded the whole log as it stood: up to entry `after_entries`.
    CatchUp,
}

/// A [`CostKind`] as read, with the service's name not yet kept (`super::keep_name`).
#[derive(Deserialize)]
enum CostKindRead {
    Callback { service: String },
    ReplicaUpdate { waited_ms: u64 },
    CatchUp,
}

// By hand: a derived reader would borrow the name from the text for `'static`.
impl<'de> Deserialize<'de> for CostKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        CostKindRead::deserialize(d).map(CostKind::from)
    }
}

impl From<CostKindRead> for CostKind {
    fn from(read: CostKindRead) -> Self {
        match read {
            CostKindRead::Callback { service } => CostKind::Callback {
                service: super::keep_name(service),
            },
            CostKindRead::ReplicaUpdate { waited_ms } => CostKind::ReplicaUpdate { waited_ms },
            CostKindRead::CatchUp => CostKind::CatchUp,
        }
    }
}

/// A run's record of where each entry left the channels and what each style cost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// One per history entry, in order.
    pub steps: Vec<Step>,
    /// In the order they happened.
    pub costs: Vec<Cost>,
}

/// A read model's distance behind the write head at the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lag {
    /// The last history entry the model has folded.
    pub checkpoint: u64,
    pub events: u64,
    pub ms: u64,
}

/// Everything the workshop shows at one position.
#[derive(Debug, Clone)]
pub struct Cursor {
    pub position: u64,
    pub at_ms: u64,
    /// Whether this is the end of the history (everything counted).
    pub end: bool,
    /// Aggregates and read models as the learner sees them. In the CQRS style the
    /// `CustomerView` is the projector's, which lags behind the log.
    pub state: WorldState,
    /// Each read model's lag, by its stable name.
    pub lags: BTreeMap<&'static str, Lag>,
    pub channels: ChannelContents,
    /// The style's costs up to here.
    pub metrics: StyleMetrics,
    /// Callbacks to Customer Management up to here, by the service that made them.
    pub callbacks_by_service: BTreeMap<&'static str, u64>,
    /// The entry's journey in words, for the narration.
    pub narration: String,
}

impl Outcome {
    /// The whole workshop at history position `position` (clamped to the history).
    pub fn at_cursor(&self, position: u64) -> Cursor {
        let len = self.timeline.len() as u64;
        let p = position.min(len);
        let end = p == len;
        let mut state = self.timeline.state_at(p);
        // Seen at the cursor: costs that came before entry p (or all of them at the end).
        let seen = |c: &&Cost| end || c.after_entries < p;
        let costs: Vec<&Cost> = self.ledger.costs.iter().filter(seen).collect();
        let trace_end = self.trace_end_at(p);
        let channels = self.channels.after_entries(trace_end);

        let mut lags: BTreeMap<&'static str, Lag> = state
            .read_models
            .checkpoints()
            .into_iter()
            .map(|(name, cp)| {
                let (events, ms) = cp.lag(crate::projection::Checkpoint {
                    position: p,
                    at_ms: state.at_ms,
                });
                (
                    name,
                    Lag {
                        checkpoint: cp.position,
                        events,
                        ms,
                    },
                )
            })
            .collect();
        let mut max_lag = (0, 0);
        if self.style == Style::Cqrs {
            // The projector's checkpoint at every position up to the cursor (one pass over
            // its catch-ups, which come in order); its view and lag at the cursor, and
            // the worst lag on the way.
            let catch_ups: Vec<u64> = self
                .ledger
                .costs
                .iter()
                .filter(|c| c.kind == CostKind::CatchUp)
                .map(|c| c.after_entries)
                .collect();
            let mut next = 0;
            let mut checkpoint = 0;
            let mut lag = self.lag_behind(0, 0);
            for q in 1..=p {
                // A catch-up to `to` happened after entry `to` was recorded, so it is seen
                // from entry `to + 1` on, or at the end of the history.
                while next < catch_ups.len() && (catch_ups[next] < q || (end && q == p)) {
                    checkpoint = checkpoint.max(catch_ups[next]);
                    next += 1;
                }
                lag = self.lag_behind(q, checkpoint);
                max_lag = (max_lag.0.max(lag.events), max_lag.1.max(lag.ms));
            }
            state.read_models.customers =
                self.timeline.state_at(lag.checkpoint).read_models.customers;
            lags.insert(CustomerView::NAME, lag);
        }

        let mut m = StyleMetrics::default();
        let mut by_second: BTreeMap<u64, u64> = BTreeMap::new();
        let mut callbacks_by_service: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut staleness_total = 0;
        for c in &costs {
            match c.kind {
                CostKind::Callback { service } => {
                    m.callbacks += 1;
                    *by_second.entry(c.at_ms / 1000).or_default() += 1;
                    *callbacks_by_service.entry(service).or_default() += 1;
                }
                CostKind::ReplicaUpdate { waited_ms } => {
                    m.replica_updates += 1;
                    staleness_total += waited_ms;
                    m.max_staleness_ms = m.max_staleness_ms.max(waited_ms);
                }
                CostKind::CatchUp => {}
            }
        }
        m.peak_callbacks_per_s = by_second.values().copied().max().unwrap_or(0);
        m.events_published = p;
        m.payload_bytes = self.ledger.steps[..p as usize]
            .iter()
            .map(|s| s.payload_bytes)
            .sum();
        m.mean_payload_bytes = m.payload_bytes / m.events_published.max(1);
        m.mean_staleness_ms = staleness_total / m.replica_updates.max(1);
        (m.max_read_model_lag_events, m.max_read_model_lag_ms) = max_lag;
        // The deepest each service queue got: the depths its deliveries reported, which
        // are the depths the narration names.
        for e in &self.channels.trace()[..trace_end] {
            if let (TraceKind::Enqueued { depth, .. }, Some(q)) =
                (&e.kind, e.channel.strip_prefix("queue:"))
            {
                let peak = m.peak_queue_depth.entry(q.to_owned()).or_default();
                *peak = (*peak).max(*depth);
            }
        }

        Cursor {
            position: p,
            at_ms: state.at_ms,
            end,
            narration: self.narration_at(p),
            state,
            lags,
            channels,
            metrics: m,
            callbacks_by_service,
        }
    }

    /// How much of the channel trace has happened at position `p`: up to entry `p`'s
    /// publish and deliveries, or all of it at the end of the history.
    pub fn trace_end_at(&self, p: u64) -> usize {
        if p >= self.timeline.len() as u64 {
            self.channels.trace().len()
        } else {
            p.checked_sub(1)
                .and_then(|i| self.ledger.steps.get(i as usize))
                .map_or(0, |s| s.trace_end)
        }
    }

    /// A model at `checkpoint` seen from position `q`.
    fn lag_behind(&self, q: u64, checkpoint: u64) -> Lag {
        let at = |position: u64| {
            position
                .checked_sub(1)
                .and_then(|i| self.timeline.entries().get(i as usize))
                .map_or(0, |e| e.at_ms)
        };
        Lag {
            checkpoint,
            events: q.saturating_sub(checkpoint),
            ms: at(q).saturating_sub(at(checkpoint)),
        }
    }

    /// Entry `p`'s journey in words: what was recorded, and what its publish did on the
    /// bus (the publish between the previous entry's trace end and its own).
    pub fn narration_at(&self, p: u64) -> String {
        let Some(i) = p.checked_sub(1) else {
            return "At the start of the history: nothing has happened yet.".to_owned();
        };
        let Some(e) = self.timeline.entries().get(i as usize) else {
            return String::new();
        };
        let ty = e.event.type_name();
        let from = i
            .checked_sub(1)
            .and_then(|j| self.ledger.steps.get(j as usize))
            .map_or(0, |s| s.trace_end);
        let to = self
            .ledger
            .steps
            .get(i as usize)
            .map_or(from, |s| s.trace_end);
        let trace = self.channels.trace();
        let flow = (from..to)
            .find(|k| {
                trace[*k].channel == "bus:default"
                    && matches!(trace[*k].kind, TraceKind::Published { .. })
            })
            .and_then(|k| narrate_publish(trace, k, ty));
        format!(
            "Step {p} of {}: {ty} recorded for {} at {} ms. {}",
            self.timeline.len(),
            e.event.stream_id(),
            e.at_ms,
            flow.unwrap_or_else(|| "It was not published on the bus.".to_owned())
        )
    }
}
