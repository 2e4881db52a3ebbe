//! Storage failures: injecting them ([`FaultyStore`]), and living with them
//! ([`StoreHealth`] for read-only mode, [`read_around_damage`] for damaged records).
//!
//! The IndexedDB adapter turns the browser's errors into the same [`StoreError`]
//! variants the wrapper injects here, so the app's reactions are tested natively and
//! its messages in the browser.

use super::{Added, AppendResult, EventStore, StoreError, StreamAppend};
use crate::envelope::{EventEnvelope, NewEvent};
use std::cell::RefCell;

/// A failure [`FaultyStore`] injects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Appends fail as if the site's storage were full.
    QuotaExceeded,
    /// The next append is aborted by the backend.
    Abort,
    /// Every call fails as if IndexedDB could not be used at all.
    Unavailable,
    /// The record at this position no longer decodes.
    Corrupt(u64),
}

/// Wraps a store and fails on demand, writing nothing when it fails an append.
#[derive(Debug, Default)]
pub struct FaultyStore<S> {
    inner: S,
    faults: RefCell<Vec<Fault>>,
}

impl<S: EventStore> FaultyStore<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            faults: RefCell::new(Vec::new()),
        }
    }

    /// Starts injecting `fault` (an `Abort` fires once; the others last until cleared).
    pub fn inject(&self, fault: Fault) {
        self.faults.borrow_mut().push(fault);
    }

    /// Stops injecting every fault.
    pub fn clear(&self) {
        self.faults.borrow_mut().clear();
    }

    /// The wrapped store, to check what really got written.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn has(&self, fault: &Fault) -> bool {
        self.faults.borrow().contains(fault)
    }

    fn unavailable(&self) -> Result<(), StoreError> {
        if self.has(&Fault::Unavailable) {
            return Err(StoreError::Unavailable(
                "opening the event database failed: UnknownError".into(),
            ));
        }
        Ok(())
    }

    /// The failure an append meets first, if any: the store is unavailable or full, or
    /// the next append is to be aborted.
    fn write_faults(&self) -> Result<(), StoreError> {
        self.unavailable()?;
        if self.has(&Fault::QuotaExceeded) {
            return Err(StoreError::QuotaExceeded(
                "appending failed: QuotaExceededError".into(),
            ));
        }
        let aborted = {
            let mut faults = self.faults.borrow_mut();
            let abort = faults.iter().position(|f| *f == Fault::Abort);
            abort.map(|i| faults.remove(i)).is_some()
        };
        if aborted {
            return Err(StoreError::Aborted("appending failed: AbortError".into()));
        }
        Ok(())
    }

    /// The first damaged position among `events`, as the error reading them gives.
    fn check_damage(&self, events: Vec<EventEnvelope>) -> Result<Vec<EventEnvelope>, StoreError> {
        let faults = self.faults.borrow();
        let damaged = events
            .iter()
            .map(|e| e.position)
            .find(|p| faults.contains(&Fault::Corrupt(*p)));
        match damaged {
            Some(position) => Err(StoreError::Corrupt {
                position,
                detail: "expected value at line 1 column 1".into(),
            }),
            None => Ok(events),
        }
    }
}

impl<S: EventStore> EventStore for FaultyStore<S> {
    async fn append_batch(&self, batch: Vec<StreamAppend>) -> Result<AppendResult, StoreError> {
        self.write_faults()?;
        self.inner.append_batch(batch).await
    }

    async fn append_new(&self, events: Vec<(String, NewEvent)>) -> Result<Added, StoreError> {
        self.write_faults()?;
        self.inner.append_new(events).await
    }

    async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        self.unavailable()?;
        let events = self.inner.read_stream(stream, from_version).await?;
        self.check_damage(events)
    }

    async fn read_all(
        &self,
        from_position: u64,
        max: usize,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        self.unavailable()?;
        let events = self.inner.read_all(from_position, max).await?;
        self.check_damage(events)
    }
}

/// Whether the app may write, and if not, why. Reading is always allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StoreHealth {
    #[default]
    Writable,
    /// A failure that will repeat until the learner acts (storage full, connection
    /// closed): writing is switched off, with the failure's message as the reason.
    ReadOnly { reason: String },
    /// Another tab upgraded the database and this tab let go of its connection: nothing
    /// can be written until the page is reloaded, and retrying does not change that.
    Superseded,
}

impl StoreHealth {
    /// Takes note of a write's outcome: a failure that leaves the store read-only
    /// switches writing off. A success changes nothing: a small write can fit where a
    /// big one did not, so only the learner's [`Self::retry`] switches writing back on.
    pub fn after_write<T>(&mut self, result: &Result<T, StoreError>) {
        if let Err(e) = result {
            if e.leaves_store_read_only() && *self != StoreHealth::Superseded {
                *self = StoreHealth::ReadOnly {
                    reason: e.to_string(),
                }
            }
        }
    }

    pub fn can_write(&self) -> bool {
        *self == StoreHealth::Writable
    }

    /// The learner freed space (or says they did): the next write may try again.
    pub fn retry(&mut self) {
        if *self != StoreHealth::Superseded {
            *self = StoreHealth::Writable;
        }
    }
}

/// Names damaged records for a learner: "2 damaged records that cannot be read (#4, #9)".
pub fn damaged_records(positions: &[u64]) -> String {
    let list: Vec<String> = positions.iter().map(|p| format!("#{p}")).collect();
    format!(
        "{} damaged record{} that cannot be read ({})",
        positions.len(),
        if positions.len() == 1 { "" } else { "s" },
        list.join(", ")
    )
}

/// Reads like [`EventStore::read_all`], except that a damaged record takes its place in
/// the result as an error instead of failing the whole page, so a view can show every
/// event that can still be read. Failures other than damage still fail the call.
pub async fn read_around_damage<S: EventStore>(
    store: &S,
    from_position: u64,
    max: usize,
) -> Result<Vec<Result<EventEnvelope, StoreError>>, StoreError> {
    let mut out = Vec::new();
    let mut from = from_position.max(1);
    while out.len() < max {
        let want = max - out.len();
        match store.read_all(from, want).await {
            Ok(page) => {
                out.extend(page.into_iter().map(Ok));
                break;
            }
            Err(StoreError::Corrupt { position, detail }) if position >= from => {
                let before = (position - from) as usize;
                if before > 0 {
                    // Everything before the damaged record, read in one page.
                    let page = Box::pin(read_around_damage(store, from, before)).await?;
                    out.extend(page);
                }
                out.push(Err(StoreError::Corrupt { position, detail }));
                from = position + 1;
            }
            Err(e) => return Err(e),
        }
    }
    out.truncate(max);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ExpectedVersion, MemStore};
    use futures_executor::block_on;

    fn event(i: u64) -> NewEvent {
        NewEvent::new(&format!("e{i}"), "dojo.test", "Happened", "dojo.test")
    }

    fn store_with(n: u64) -> FaultyStore<MemStore> {
        let store = FaultyStore::new(MemStore::default());
        for i in 1..=n {
            block_on(store.append("s", ExpectedVersion::Any, vec![event(i)])).expect("append");
        }
        store
    }

    fn positions(store: &FaultyStore<MemStore>) -> Vec<u64> {
        block_on(store.inner().read_all(1, 100))
            .expect("the wrapped store reads")
            .iter()
            .map(|e| e.position)
            .collect()
    }

    #[test]
    fn a_superseded_tab_stays_unable_to_write_whatever_happens_next() {
        let mut health = StoreHealth::Superseded;
        assert!(!health.can_write());
        health.retry();
        health.after_write(&Err::<(), _>(StoreError::QuotaExceeded("full".into())));
        assert_eq!(health, StoreHealth::Superseded);
    }

    #[test]
    fn a_full_store_refuses_writes_says_why_and_keeps_reading() {
        let store = store_with(3);
        let mut health = StoreHealth::default();
        store.inject(Fault::QuotaExceeded);
        let result = block_on(store.append("s", ExpectedVersion::Exact(3), vec![event(4)]));
        health.after_write(&result);
        let message = result.expect_err("a full store refuses").to_string();
        assert!(
            message.contains("storage for this site is full, so nothing was written"),
            "{message}"
        );
        assert!(
            message.contains("everything already stored can still be read"),
            "{message}"
        );
        assert!(!health.can_write());
        assert_eq!(health, StoreHealth::ReadOnly { reason: message });
        // Reading still works, and nothing was written.
        assert_eq!(block_on(store.read_all(1, 10)).expect("reads").len(), 3);
        assert_eq!(positions(&store), [1, 2, 3]);
        // Once space is freed, the learner retries and positions carry on without a gap.
        store.clear();
        health.retry();
        let result = block_on(store.append("s", ExpectedVersion::Exact(3), vec![event(4)]));
        health.after_write(&result);
        assert!(health.can_write());
        assert_eq!(positions(&store), [1, 2, 3, 4]);
    }

    #[test]
    fn an_aborted_append_writes_nothing_and_leaves_the_store_writable() {
        let store = store_with(2);
        let mut health = StoreHealth::default();
        store.inject(Fault::Abort);
        let result = block_on(store.append("s", ExpectedVersion::Any, vec![event(3), event(4)]));
        health.after_write(&result);
        let message = result.expect_err("the abort fails the append").to_string();
        assert!(
            message.contains("aborted the transaction, so nothing from it was written"),
            "{message}"
        );
        assert!(
            health.can_write(),
            "an abort is not a reason to stop writing"
        );
        assert_eq!(positions(&store), [1, 2]);
        // The abort fired once: trying again works.
        block_on(store.append("s", ExpectedVersion::Exact(2), vec![event(3)]))
            .expect("the retry appends");
        assert_eq!(positions(&store), [1, 2, 3]);
    }

    #[test]
    fn an_unavailable_database_says_so_for_every_call() {
        let store = store_with(1);
        store.inject(Fault::Unavailable);
        for result in [
            block_on(store.read_all(1, 10)).map(|_| ()),
            block_on(store.read_stream("s", 1)).map(|_| ()),
            block_on(store.append("s", ExpectedVersion::Any, vec![event(2)])).map(|_| ()),
        ] {
            let message = result.expect_err("nothing works").to_string();
            assert!(
                message.contains("will not let Event Dojo use IndexedDB here"),
                "{message}"
            );
        }
        assert_eq!(positions(&store), [1]);
    }

    #[test]
    fn a_damaged_record_is_named_and_the_events_around_it_still_read() {
        let store = store_with(6);
        store.inject(Fault::Corrupt(3));
        let message = block_on(store.read_all(1, 10))
            .expect_err("the page holds the damage")
            .to_string();
        assert_eq!(
            message,
            "the stored event at position 3 is damaged and cannot be read (expected value at line 1 column 1); the events around it are intact"
        );
        assert!(block_on(store.read_stream("s", 1)).is_err());
        assert_eq!(
            block_on(store.read_stream("s", 4))
                .expect("after the damage")
                .len(),
            3
        );
        let around = block_on(read_around_damage(&store, 1, 10)).expect("reads around the damage");
        let shape: Vec<Result<u64, u64>> = around
            .iter()
            .map(|r| match r {
                Ok(e) => Ok(e.position),
                Err(StoreError::Corrupt { position, .. }) => Err(*position),
                Err(e) => panic!("unexpected {e}"),
            })
            .collect();
        assert_eq!(shape, [Ok(1), Ok(2), Err(3), Ok(4), Ok(5), Ok(6)]);
        // A window that starts at, or ends before, the damage.
        assert_eq!(
            block_on(read_around_damage(&store, 3, 2))
                .expect("reads")
                .len(),
            2
        );
        assert!(block_on(read_around_damage(&store, 1, 2))
            .expect("reads")
            .iter()
            .all(Result::is_ok));
    }

    #[test]
    fn damaged_records_are_listed_by_position() {
        assert_eq!(
            damaged_records(&[7]),
            "1 damaged record that cannot be read (#7)"
        );
        assert_eq!(
            damaged_records(&[4, 9]),
            "2 damaged records that cannot be read (#4, #9)"
        );
    }

    #[test]
    fn only_failures_that_repeat_switch_writing_off_and_only_a_retry_switches_it_on() {
        let mut health = StoreHealth::default();
        health.after_write::<()>(&Err(StoreError::Conflict {
            stream: "s".into(),
            expected: ExpectedVersion::Exact(1),
            actual: 2,
        }));
        assert!(health.can_write());
        health.after_write::<()>(&Err(StoreError::Closed(
            "appending failed: InvalidStateError".into(),
        )));
        assert!(!health.can_write());
        health.after_write(&Ok(()));
        assert!(
            !health.can_write(),
            "a small write that fits does not end read-only mode"
        );
        health.retry();
        assert!(health.can_write());
    }
}
