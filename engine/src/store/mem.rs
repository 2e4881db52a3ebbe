//! An in-memory [`EventStore`]: the reference implementation for tests and simulations.
//! It keeps everything in one `Vec`; it is not persistent and not shared across threads.

use super::{
    check_event_size, identity, Added, AppendResult, EventStore, StoreError, StreamAppend,
};
use crate::envelope::{EventEnvelope, NewEvent};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};

/// The events in position order, each stream's list of indexes into them, and every
/// stored identity (source, id).
#[derive(Debug, Default)]
pub struct MemStore {
    inner: RefCell<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    log: Vec<EventEnvelope>,
    streams: BTreeMap<String, Vec<usize>>,
    identities: HashSet<(String, String)>,
}

impl Inner {
    fn version(&self, stream: &str) -> u64 {
        self.streams.get(stream).map_or(0, |s| s.len() as u64)
    }

    fn present(&self, event: &NewEvent) -> bool {
        let (source, id) = identity(event);
        self.identities
            .contains(&(source.to_owned(), id.to_owned()))
    }

    /// Stamps `events` (stream, event) as they would be stored, checking each one's
    /// size: all of them, or the first failure.
    fn stamp(&self, events: Vec<(String, NewEvent)>) -> Result<Vec<EventEnvelope>, StoreError> {
        let mut versions: BTreeMap<&str, u64> = BTreeMap::new();
        let mut position = self.log.len() as u64;
        let mut out = Vec::with_capacity(events.len());
        for (stream, event) in &events {
            let version = versions
                .entry(stream)
                .or_insert_with(|| self.version(stream));
            *version += 1;
            position += 1;
            let envelope = EventEnvelope::recorded(event.clone(), stream, *version, position);
            check_event_size(&envelope, &envelope.to_cloudevent_json())?;
            out.push(envelope);
        }
        Ok(out)
    }

    fn store(&mut self, envelopes: Vec<EventEnvelope>) {
        for envelope in envelopes {
            let index = self.log.len();
            self.identities
                .insert((envelope.source.clone(), envelope.id.clone()));
            self.streams
                .entry(envelope.stream_id.clone())
                .or_default()
                .push(index);
            self.log.push(envelope);
        }
    }
}

impl EventStore for MemStore {
    async fn append_batch(&self, batch: Vec<StreamAppend>) -> Result<AppendResult, StoreError> {
        if batch.iter().any(|(stream, _, _)| stream.is_empty()) {
            return Err(StoreError::EmptyStreamId);
        }
        let mut seen = HashSet::new();
        let events = || batch.iter().flat_map(|(_, _, events)| events);
        if let Some(event) = events().find(|e| !seen.insert(identity(e))) {
            return Err(StoreError::Duplicate {
                event_source: event.source.clone(),
                id: event.id.clone(),
            });
        }
        let mut inner = self.inner.borrow_mut();
        let first_position = inner.log.len() as u64 + 1;
        let mut versions: BTreeMap<&str, u64> = BTreeMap::new();
        let mut stream_version = 0;
        let mut stamped = Vec::new();
        // Every event is checked before any is stored: the batch is all or nothing.
        for (stream, expected, events) in &batch {
            let actual = *versions
                .entry(stream)
                .or_insert_with(|| inner.version(stream));
            if !expected.admits(actual) {
                return Err(StoreError::Conflict {
                    stream: stream.clone(),
                    expected: *expected,
                    actual,
                });
            }
            let mut version = actual;
            for event in events {
                version += 1;
                let position = first_position + stamped.len() as u64;
                let envelope = EventEnvelope::recorded(event.clone(), stream, version, position);
                check_event_size(&envelope, &envelope.to_cloudevent_json())?;
                stamped.push(envelope);
            }
            versions.insert(stream, version);
            stream_version = version;
        }
        if let Some(event) = events().find(|e| inner.present(e)) {
            return Err(StoreError::Duplicate {
                event_source: event.source.clone(),
                id: event.id.clone(),
            });
        }
        inner.store(stamped);
        Ok(AppendResult {
            first_position,
            last_position: inner.log.len() as u64,
            stream_version,
        })
    }

    async fn append_new(&self, events: Vec<(String, NewEvent)>) -> Result<Added, StoreError> {
        if events.iter().any(|(stream, _)| stream.is_empty()) {
            return Err(StoreError::EmptyStreamId);
        }
        let mut inner = self.inner.borrow_mut();
        let total = events.len();
        let mut seen = HashSet::new();
        let new: Vec<(String, NewEvent)> = events
            .into_iter()
            .filter(|(_, e)| !inner.present(e) && seen.insert((e.source.clone(), e.id.clone())))
            .collect();
        let first_position = inner.log.len() as u64 + 1;
        let envelopes = inner.stamp(new)?;
        let added = envelopes.len();
        let stream_version = envelopes.last().map_or(0, |e| e.stream_version);
        inner.store(envelopes);
        Ok(Added {
            added,
            already_present: total - added,
            result: AppendResult {
                first_position,
                last_position: inner.log.len() as u64,
                stream_version,
            },
        })
    }

    async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        let inner = self.inner.borrow();
        let Some(indexes) = inner.streams.get(stream) else {
            return Ok(Vec::new());
        };
        let skip = from_version.saturating_sub(1) as usize;
        Ok(indexes
            .iter()
            .skip(skip)
            .map(|&i| inner.log[i].clone())
            .collect())
    }

    async fn read_all(
        &self,
        from_position: u64,
        max: usize,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        let inner = self.inner.borrow();
        let skip = from_position.saturating_sub(1) as usize;
        Ok(inner.log.iter().skip(skip).take(max).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_store_passes_the_event_store_conformance_suite() {
        futures_executor::block_on(super::super::conformance::run_all(|_| async {
            MemStore::default()
        }));
    }
}
