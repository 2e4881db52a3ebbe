//! A write-behind queue for streams of events the simulation produces: events wait in
//! memory and are appended together, when `max` events are waiting or at the next
//! animation frame, whichever comes first, so a run of thousands of events costs a
//! handful of transactions and never blocks a frame on storage.
//!
//! Each event is added unless the store holds its identity (source plus id) already
//! (`EventStore::append_new`), so saving the same run twice stores it once.
//!
//! The queue writes through any [`EventStore`]; the app gives it its own store, which
//! notes each write's outcome and tells the read models.
//!
//! Durability: every flush is one strict transaction (see `IdbStore::append_batch`), so a
//! flushed event is on disk. A crash can lose only what is still waiting: at most `max`
//! events, or one frame's worth. Never a committed event.

use dojo_engine::{EventStore, NewEvent};

/// One event for a stream.
type Queued = (String, NewEvent);
use std::cell::RefCell;
use std::rc::Rc;

/// Hears, after each flush, how many events are written in all, and the error if one
/// stopped the queue.
type OnFlush = Box<dyn Fn(usize, Option<&str>)>;

struct Inner<S> {
    store: S,
    max: usize,
    /// The batch filling up.
    open: Vec<Queued>,
    /// Batches sealed (full, or at a frame) and not yet written, oldest first.
    sealed: std::collections::VecDeque<Vec<Queued>>,
    /// A seal is scheduled for the next frame.
    scheduled: bool,
    /// That frame's request, until it fires.
    frame: Option<gloo_render::AnimationFrame>,
    /// The writer is running; it writes sealed batches one at a time, in order.
    writing: bool,
    written: usize,
    /// Of those, the events left out because the store held them already.
    already_present: usize,
    error: Option<String>,
    on_flush: OnFlush,
}

/// The queue. Cheap to clone; clones share it.
pub struct WriteBehind<S>(Rc<RefCell<Inner<S>>>);

impl<S> Clone for WriteBehind<S> {
    fn clone(&self) -> Self {
        WriteBehind(self.0.clone())
    }
}

impl<S: EventStore + Clone + 'static> WriteBehind<S> {
    /// A queue in front of `store` that writes a batch when `max` events wait, and at
    /// every frame. `on_flush` hears, after each write, how many events are written in
    /// all, and the error if one stopped the queue.
    pub fn new(store: S, max: usize, on_flush: impl Fn(usize, Option<&str>) + 'static) -> Self {
        WriteBehind(Rc::new(RefCell::new(Inner {
            store,
            max: max.max(1),
            open: Vec::new(),
            sealed: std::collections::VecDeque::new(),
            scheduled: false,
            frame: None,
            writing: false,
            written: 0,
            already_present: 0,
            error: None,
            on_flush: Box::new(on_flush),
        })))
    }

    /// Queues events for their streams. After an error the queue takes nothing more.
    pub fn push(&self, append: (String, NewEvent)) {
        let full = {
            let mut inner = self.0.borrow_mut();
            if inner.error.is_some() {
                return;
            }
            inner.open.push(append);
            inner.open.len() >= inner.max
        };
        if full {
            self.seal();
        } else {
            self.schedule_frame();
        }
    }

    /// Events not yet written (waiting in the open batch or in sealed ones).
    pub fn waiting(&self) -> usize {
        let inner = self.0.borrow();
        inner.open.len() + inner.sealed.iter().map(Vec::len).sum::<usize>()
    }

    /// Closes the open batch and makes sure the writer runs.
    fn seal(&self) {
        let start = {
            let mut inner = self.0.borrow_mut();
            if !inner.open.is_empty() {
                let batch = std::mem::take(&mut inner.open);
                inner.sealed.push_back(batch);
            }
            !std::mem::replace(&mut inner.writing, true)
        };
        if start {
            let this = self.clone();
            wasm_bindgen_futures::spawn_local(async move { this.write_sealed().await });
        }
    }

    fn schedule_frame(&self) {
        if std::mem::replace(&mut self.0.borrow_mut().scheduled, true) {
            return;
        }
        let this = self.clone();
        let frame = gloo_render::request_animation_frame(move |_| {
            let fired = {
                let mut inner = this.0.borrow_mut();
                inner.scheduled = false;
                inner.frame.take()
            };
            drop(fired);
            this.seal();
        });
        // Kept until it fires: dropping it would cancel the frame.
        self.0.borrow_mut().frame = Some(frame);
    }

    /// The writer: sealed batches, oldest first, one transaction each.
    async fn write_sealed(&self) {
        loop {
            let (batch, store) = {
                let mut inner = self.0.borrow_mut();
                match (inner.error.is_some(), inner.sealed.pop_front()) {
                    (false, Some(b)) => (b, inner.store.clone()),
                    _ => {
                        inner.writing = false;
                        return;
                    }
                }
            };
            let n = batch.len();
            let result = store.append_new(batch).await;
            let mut inner = self.0.borrow_mut();
            match result {
                Ok(added) => {
                    inner.written += n;
                    inner.already_present += added.already_present;
                    (inner.on_flush)(inner.written, None);
                }
                Err(e) => {
                    let message = format!(
                        "{n} {} not written: {e}",
                        if n == 1 { "event was" } else { "events were" }
                    );
                    (inner.on_flush)(inner.written, Some(&message));
                    inner.error = Some(message);
                    inner.sealed.clear();
                    inner.open.clear();
                }
            }
        }
    }

    /// How many of the events written were left out because the store held them
    /// already (the same source and id).
    pub fn already_present(&self) -> usize {
        self.0.borrow().already_present
    }

    /// Writes everything queued so far and waits until it is written. Returns the error
    /// that stopped the queue, if any.
    pub async fn flush(&self) -> Result<(), String> {
        self.seal();
        loop {
            {
                let inner = self.0.borrow();
                if let Some(e) = &inner.error {
                    return Err(e.clone());
                }
                if !inner.writing && inner.sealed.is_empty() && inner.open.is_empty() {
                    return Ok(());
                }
            }
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
    }
}
