//! Read-model snapshots: every read model folded up to a log position, kept beside the
//! events so that a reload folds only the events after it instead of the whole log.
//!
//! A snapshot is plain JSON with a format number. One written by a build with another
//! format, one that does not parse, or one ahead of the log it belongs to is refused with
//! a reason, and the caller folds from the start instead: a snapshot is only ever a
//! shortcut, never the source of truth.

use super::{HistoryEntry, ReadModels};
use crate::domain::DomainEvent;
use crate::envelope::EventEnvelope;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The snapshot layout this build writes and reads.
pub const SNAPSHOT_FORMAT: u64 = 1;

/// How many newly folded events make a new snapshot worth writing.
pub const SNAPSHOT_EVERY: u64 = 1_000;

/// The read models as of one log position.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: u64,
    /// The global position of the last event folded, domain event or not.
    pub position: u64,
    /// Events read that were not domain events (published by hand in the console), or
    /// that no upcaster could read.
    pub skipped: u64,
    pub models: ReadModels,
}

/// Why a stored snapshot cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SnapshotError {
    #[error(
        "the snapshot was written in format {found}, and this build reads format {SNAPSHOT_FORMAT}"
    )]
    Format { found: u64 },
    #[error("the snapshot is damaged: {0}")]
    Corrupt(String),
    #[error("the snapshot is at position {position}, after the end of the log at {head}")]
    Ahead { position: u64, head: u64 },
}

impl Snapshot {
    /// Nothing folded yet.
    pub fn empty() -> Self {
        Self {
            format: SNAPSHOT_FORMAT,
            ..Self::default()
        }
    }

    /// Folds one event from the log; events at or before `position` are ignored, so
    /// folding a page twice changes nothing.
    pub fn fold(&mut self, envelope: &EventEnvelope) {
        if envelope.position <= self.position {
            return;
        }
        match DomainEvent::from_envelope(envelope) {
            Some(Ok(event)) => self.models.apply(&HistoryEntry {
                position: envelope.position,
                at_ms: 0,
                event,
            }),
            _ => self.skipped += 1,
        }
        self.position = envelope.position;
    }

    /// Goes past a record at `position` that cannot be read (see
    /// `store::read_around_damage`): it counts as skipped, and the fold carries on.
    pub fn pass_over(&mut self, position: u64) {
        if position > self.position {
            self.skipped += 1;
            self.position = position;
        }
    }

    /// Whether enough has been folded since a snapshot at `saved_at` to write a new one.
    pub fn worth_saving(&self, saved_at: u64) -> bool {
        self.position >= saved_at.saturating_add(SNAPSHOT_EVERY)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("read models serialise to JSON")
    }

    /// Reads a stored snapshot of a log whose last position is `head`.
    pub fn from_json(text: &str, head: u64) -> Result<Self, SnapshotError> {
        #[derive(Deserialize)]
        struct Header {
            format: u64,
        }
        let header: Header =
            serde_json::from_str(text).map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
        if header.format != SNAPSHOT_FORMAT {
            return Err(SnapshotError::Format {
                found: header.format,
            });
        }
        let snapshot: Snapshot =
            serde_json::from_str(text).map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
        if snapshot.position > head {
            return Err(SnapshotError::Ahead {
                position: snapshot.position,
                head,
            });
        }
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::iso_time;
    use crate::workload::insurance_history;
    use proptest::prelude::*;

    /// A recorded log of `n` insurance events, with a hand-published event every 50th.
    fn log(n: usize) -> Vec<EventEnvelope> {
        let mut versions = std::collections::HashMap::<String, u64>::new();
        insurance_history(n, 5)
            .into_iter()
            .enumerate()
            .map(|(i, (at, event))| {
                let position = i as u64 + 1;
                let (stream, new) = if position.is_multiple_of(50) {
                    let mut new = event.to_new_event(&format!("e{position}"), &iso_time(at));
                    new.event_type = "HandPublished".into();
                    ("scratch".to_owned(), new)
                } else {
                    let new = event.to_new_event(&format!("e{position}"), &iso_time(at));
                    (event.stream_id(), new)
                };
                let version = versions.entry(stream.clone()).or_default();
                *version += 1;
                EventEnvelope::recorded(new, &stream, *version, position)
            })
            .collect()
    }

    fn fold_all<'a>(
        mut from: Snapshot,
        events: impl IntoIterator<Item = &'a EventEnvelope>,
    ) -> Snapshot {
        for e in events {
            from.fold(e);
        }
        from
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Resuming from a stored snapshot gives exactly what folding from zero gives.
        #[test]
        fn resuming_from_a_snapshot_equals_folding_from_zero(split in 0usize..=400) {
            let events = log(400);
            let whole = fold_all(Snapshot::empty(), &events);
            let early = fold_all(Snapshot::empty(), &events[..split]);
            let stored = Snapshot::from_json(&early.to_json(), events.len() as u64).expect("reads back");
            prop_assert_eq!(&stored, &early);
            // The page straddling the snapshot is folded again: it must change nothing.
            let overlap = split.saturating_sub(10);
            prop_assert_eq!(fold_all(stored, &events[overlap..]), whole);
        }
    }

    #[test]
    fn hand_published_events_are_counted_as_skipped() {
        let snapshot = fold_all(Snapshot::empty(), &log(200));
        assert_eq!(snapshot.position, 200);
        assert_eq!(snapshot.skipped, 4);
        assert!(snapshot.models.customers.checkpoint.position > 0);
    }

    #[test]
    fn unusable_snapshots_say_why() {
        let snapshot = fold_all(Snapshot::empty(), &log(120));
        assert_eq!(
            Snapshot::from_json(&snapshot.to_json(), 100),
            Err(SnapshotError::Ahead {
                position: 120,
                head: 100
            })
        );
        let other = snapshot
            .to_json()
            .replacen("\"format\":1", "\"format\":7", 1);
        assert_eq!(
            Snapshot::from_json(&other, 200)
                .expect_err("another format is refused")
                .to_string(),
            "the snapshot was written in format 7, and this build reads format 1"
        );
        let cut = &snapshot.to_json()[..40];
        assert!(matches!(
            Snapshot::from_json(cut, 200),
            Err(SnapshotError::Corrupt(_))
        ));
    }

    #[test]
    fn a_damaged_record_is_passed_over_once() {
        let events = log(10);
        let mut s = fold_all(Snapshot::empty(), &events[..4]);
        s.pass_over(5);
        s.pass_over(5);
        let s = fold_all(s, &events[5..]);
        assert_eq!((s.position, s.skipped), (10, 1));
    }

    #[test]
    fn a_new_snapshot_is_worth_writing_every_thousand_events() {
        let mut s = Snapshot::empty();
        s.position = 1_999;
        assert!(!s.worth_saving(1_000));
        s.position = 2_000;
        assert!(s.worth_saving(1_000));
    }
}
