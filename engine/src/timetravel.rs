//! Time travel over one ordered history: the state of every read model and aggregate at
//! any position, stepping, breakpoints and diffs.
//!
//! A [`Timeline`] keeps the entries and a snapshot of the whole [`WorldState`] every
//! `interval` entries. Snapshots share structure (persistent maps), so taking one is
//! O(1) and seeking costs one snapshot copy plus at most `interval` folds, whatever the
//! history's length. The timeline never changes an entry once appended.

use crate::domain::{Aggregate, Customer, DomainEvent, Notification, Policy, Quote};
use crate::json::Json;
use crate::pattern::EventPattern;
use crate::projection::{HistoryEntry, ReadModels, RowDiff};
use imbl::OrdMap;

/// Every aggregate instance, by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregates {
    pub customers: OrdMap<String, Customer>,
    pub quotes: OrdMap<String, Quote>,
    pub policies: OrdMap<String, Policy>,
    pub notifications: OrdMap<String, Notification>,
}

fn evolve<A: Aggregate>(map: &mut OrdMap<String, A>, id: &str, event: &DomainEvent) {
    let next = map.get(id).cloned().unwrap_or_default().apply(event);
    map.insert(id.to_owned(), next);
}

impl Aggregates {
    pub fn apply(&mut self, event: &DomainEvent) {
        match event {
            DomainEvent::CustomerRegistered { customer_id, .. }
            | DomainEvent::AddressChanged { customer_id, .. }
            | DomainEvent::ContactPreferencesChanged { customer_id, .. } => {
                evolve(&mut self.customers, customer_id, event)
            }
            DomainEvent::QuoteRequested { quote_id, .. }
            | DomainEvent::QuoteIssued { quote_id, .. }
            | DomainEvent::QuoteAccepted { quote_id, .. }
            | DomainEvent::QuoteExpired { quote_id, .. } => {
                evolve(&mut self.quotes, quote_id, event)
            }
            DomainEvent::PolicyBound { policy_id, .. }
            | DomainEvent::PolicyCancelled { policy_id, .. } => {
                evolve(&mut self.policies, policy_id, event)
            }
            DomainEvent::NotificationRequested {
                notification_id, ..
            }
            | DomainEvent::EmailSent {
                notification_id, ..
            }
            | DomainEvent::SmsSent {
                notification_id, ..
            } => evolve(&mut self.notifications, notification_id, event),
        }
    }
}

/// Everything observable at one position.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorldState {
    /// The last entry folded in (0 = nothing yet).
    pub position: u64,
    pub at_ms: u64,
    pub read_models: ReadModels,
    pub aggregates: Aggregates,
}

impl WorldState {
    pub fn apply(&mut self, entry: &HistoryEntry) {
        self.position = entry.position;
        self.at_ms = entry.at_ms;
        self.read_models.apply(entry);
        self.aggregates.apply(&entry.event);
    }
}

/// An append-only history with periodic snapshots. It crosses to another thread as its
/// entries and interval, and is folded again on arrival.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(into = "EntriesAndInterval", from = "EntriesAndInterval")]
pub struct Timeline {
    entries: Vec<HistoryEntry>,
    /// `snapshots[i]` is the state after `i * interval` entries.
    snapshots: Vec<WorldState>,
    head: WorldState,
    interval: usize,
}

/// How a [`Timeline`] is serialised.
#[derive(serde::Serialize, serde::Deserialize)]
struct EntriesAndInterval {
    interval: usize,
    entries: Vec<HistoryEntry>,
}

impl From<Timeline> for EntriesAndInterval {
    fn from(t: Timeline) -> Self {
        EntriesAndInterval {
            interval: t.interval,
            entries: t.entries,
        }
    }
}

impl From<EntriesAndInterval> for Timeline {
    fn from(t: EntriesAndInterval) -> Self {
        let mut timeline = Timeline::new(t.interval);
        for entry in t.entries {
            timeline.append(entry.at_ms, entry.event);
        }
        timeline
    }
}

impl Timeline {
    /// An empty timeline that snapshots every `interval` entries (at least 1).
    pub fn new(interval: usize) -> Timeline {
        Timeline {
            entries: Vec::new(),
            snapshots: vec![WorldState::default()],
            head: WorldState::default(),
            interval: interval.max(1),
        }
    }

    /// Appends an event at `at_ms`; its position is the next one.
    pub fn append(&mut self, at_ms: u64, event: DomainEvent) -> u64 {
        let position = self.entries.len() as u64 + 1;
        let entry = HistoryEntry {
            position,
            at_ms,
            event,
        };
        self.head.apply(&entry);
        self.entries.push(entry);
        if self.entries.len().is_multiple_of(self.interval) {
            self.snapshots.push(self.head.clone());
        }
        position
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[HistoryEntry] {
        &self.entries
    }

    pub fn head(&self) -> &WorldState {
        &self.head
    }

    pub fn interval(&self) -> usize {
        self.interval
    }

    /// The state after the first `position` entries (clamped to the history), from the
    /// nearest snapshot at or before it.
    pub fn state_at(&self, position: u64) -> WorldState {
        let position = (position as usize).min(self.entries.len());
        let snapshot = position / self.interval;
        let mut state = self.snapshots[snapshot].clone();
        for entry in &self.entries[snapshot * self.interval..position] {
            state.apply(entry);
        }
        state
    }

    /// The same state, folded from nothing (the baseline seeking is measured against).
    pub fn fold_from_zero(&self, position: u64) -> WorldState {
        let position = (position as usize).min(self.entries.len());
        let mut state = WorldState::default();
        for entry in &self.entries[..position] {
            state.apply(entry);
        }
        state
    }

    /// The next position after `from` whose event matches `pattern` (a breakpoint). The
    /// pattern sees `{"type": ..., "data": {...}, "position": n, "at_ms": t}`.
    pub fn next_matching(&self, from: u64, pattern: &EventPattern) -> Option<u64> {
        self.entries
            .iter()
            .skip(from as usize)
            .find(|e| pattern.matches(&entry_json(e)))
            .map(|e| e.position)
    }

    /// The previous position before `from` whose event matches `pattern`.
    pub fn previous_matching(&self, from: u64, pattern: &EventPattern) -> Option<u64> {
        let upto = (from as usize).saturating_sub(1).min(self.entries.len());
        self.entries[..upto]
            .iter()
            .rev()
            .find(|e| pattern.matches(&entry_json(e)))
            .map(|e| e.position)
    }

    /// Every read-model row that differs between two positions.
    pub fn diff(&self, a: u64, b: u64) -> Vec<RowDiff> {
        self.state_at(a)
            .read_models
            .diff(&self.state_at(b).read_models)
    }
}

/// An entry as the breakpoint patterns see it.
pub fn entry_json(entry: &HistoryEntry) -> Json {
    let mut value = serde_json::to_value(&entry.event).expect("domain events are plain data");
    if let serde_json::Value::Object(m) = &mut value {
        m.insert("position".into(), entry.position.into());
        m.insert("at_ms".into(), entry.at_ms.into());
    }
    Json::from_serde(&value)
}
