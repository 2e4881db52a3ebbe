//! An in-memory [`EventStore`]: the reference implementation for tests and simulations.
//! It keeps everything in one `Vec`; it is not persistent and not shared across threads.

use super::{check_event_size, AppendResult, EventStore, ExpectedVersion, StoreError};
use crate::envelope::{EventEnvelope, NewEvent};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The events in position order, plus each stream's list of indexes into them.
#[derive(Debug, Default)]
pub struct MemStore {
    inner: RefCell<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    log: Vec<EventEnvelope>,
    streams: BTreeMap<String, Vec<usize>>,
}

impl EventStore for MemStore {
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        if stream.is_empty() {
            return Err(StoreError::EmptyStreamId);
        }
        let mut inner = self.inner.borrow_mut();
        let actual = inner.streams.get(stream).map_or(0, |s| s.len() as u64);
        if !expected.admits(actual) {
            return Err(StoreError::Conflict {
                stream: stream.to_owned(),
                expected,
                actual,
            });
        }
        let first_position = inner.log.len() as u64 + 1;
        // Every event is checked before any is stored: the batch is all or nothing.
        let envelopes = events
            .into_iter()
            .enumerate()
            .map(|(i, event)| {
                let envelope = EventEnvelope::recorded(
                    event,
                    stream,
                    actual + i as u64 + 1,
                    first_position + i as u64,
                );
                check_event_size(&envelope, &envelope.to_cloudevent_json()).map(|()| envelope)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut version = actual;
        for envelope in envelopes {
            version += 1;
            let index = inner.log.len();
            inner.log.push(envelope);
            inner
                .streams
                .entry(stream.to_owned())
                .or_default()
                .push(index);
        }
        Ok(AppendResult {
            first_position,
            last_position: inner.log.len() as u64,
            stream_version: version,
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
