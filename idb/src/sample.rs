//! The sample insurance history as batches of appends, and the loop that writes them;
//! the store worker (see [`crate::worker`]) runs it, so the page keeps answering while
//! up to a million events go in. Each batch is one transaction, so a cancel, a closed
//! tab or a crash keeps whole batches only.

use crate::protocol::Report;
use crate::IdbStore;
use dojo_engine::ExpectedVersion;
use dojo_engine::{EventStore, StreamAppend};
use std::collections::HashMap;

/// Events generated and appended per transaction.
pub const BATCH: usize = 2000;

/// A generated insurance history cut into batches of appends.
pub struct Batches {
    history: std::iter::Take<dojo_engine::workload::InsuranceHistory>,
    load_id: String,
    made: usize,
    // Each customer's journey is one correlation; each event is caused by the one before.
    last_in_journey: HashMap<String, String>,
}

impl Batches {
    pub fn new(size: usize, seed: u64, load_id: &str) -> Self {
        Self {
            history: dojo_engine::workload::InsuranceHistory::new(seed).take(size),
            load_id: load_id.to_owned(),
            made: 0,
            last_in_journey: HashMap::new(),
        }
    }
}

impl Iterator for Batches {
    type Item = Vec<StreamAppend>;

    fn next(&mut self) -> Option<Vec<StreamAppend>> {
        let batch: Vec<StreamAppend> = self
            .history
            .by_ref()
            .take(BATCH)
            .map(|(at, event)| {
                let id = format!("sample-{}-{}", self.load_id, self.made);
                self.made += 1;
                let journey = format!("journey-{}", event.customer_id());
                let cause = self
                    .last_in_journey
                    .insert(journey.clone(), id.clone())
                    .unwrap_or_else(|| journey.clone());
                let new = event
                    .to_new_event(&id, &dojo_engine::sim::iso_time(at))
                    .with_correlation(&journey, &cause);
                (event.stream_id(), ExpectedVersion::Any, vec![new])
            })
            .collect();
        (!batch.is_empty()).then_some(batch)
    }
}

/// Appends the batches to `store` until they run out, `cancelled()` says stop, or a
/// write fails, reporting after every batch. Returns the last report.
pub async fn load(
    store: &IdbStore,
    size: usize,
    batches: Batches,
    cancelled: impl Fn() -> bool,
    mut report: impl FnMut(Report),
) -> Report {
    let mut done = 0;
    for batch in batches {
        if cancelled() {
            break;
        }
        let count = batch.len();
        if let Err(error) = store.append_batch(batch).await {
            return Report::Failed { done, error };
        }
        done += count;
        report(Report::Progress { done, total: size });
    }
    Report::Finished { done }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_the_history_once_with_ids_unique_to_the_load() {
        let batches: Vec<_> = Batches::new(4_500, 7, "L").collect();
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            [BATCH, BATCH, 500]
        );
        let ids: Vec<String> = batches
            .iter()
            .flatten()
            .map(|(_, _, events)| events[0].id.clone())
            .collect();
        assert_eq!(ids.first().map(String::as_str), Some("sample-L-0"));
        assert_eq!(ids.last().map(String::as_str), Some("sample-L-4499"));
        assert_eq!(
            ids.iter().collect::<std::collections::HashSet<_>>().len(),
            4_500
        );
    }

    #[test]
    fn each_event_is_caused_by_the_one_before_in_its_journey() {
        let events: Vec<_> = Batches::new(300, 7, "L")
            .flatten()
            .map(|(_, _, mut events)| events.remove(0))
            .collect();
        let mut last = HashMap::new();
        for event in &events {
            let journey = event
                .correlation_id
                .clone()
                .expect("every sample event has a journey");
            let expected = last
                .insert(journey.clone(), event.id.clone())
                .unwrap_or(journey);
            assert_eq!(event.causation_id.as_deref(), Some(expected.as_str()));
        }
    }
}
