//! The workshop's runs, derived in the run worker (`dojo_idb::runs`) so the page
//! keeps answering while a scenario runs: the main run, a what-if branch, the other
//! style of a comparison. A run crosses back as JSON without its snapshots, which are
//! taken again as it is read (see `dojo_engine::services::Outcome`).

use crate::storage::runs::{RunJob, RunReport, RunWorker};
use dojo_engine::services::{Outcome, Scenario};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// What a run's asker does with it: the run, or why there is none.
type Then = Box<dyn FnOnce(Result<Arc<Outcome>, String>)>;

/// The runs asked for and not back yet, by id.
type Waiting = Rc<RefCell<HashMap<u64, Then>>>;

struct Worker {
    handle: RunWorker,
    waiting: Waiting,
    /// Set when the worker stopped; the next run starts a new one.
    broken: Rc<Cell<bool>>,
}

/// The page's runner: one run worker for as long as the workshop is open, any
/// number of runs at once, answered in the order they were asked.
#[derive(Clone, Copy)]
pub(crate) struct Runs {
    worker: StoredValue<Option<Worker>, LocalStorage>,
    next_id: StoredValue<u64>,
}

impl Runs {
    pub fn new() -> Self {
        Runs {
            worker: StoredValue::new_local(None),
            next_id: StoredValue::new(1),
        }
    }

    /// Runs `scenario` in the worker (see `RunJob`), then calls `then` with it.
    pub fn derive(
        self,
        scenario: &Scenario,
        quarantine: bool,
        then: impl FnOnce(Result<Arc<Outcome>, String>) + 'static,
    ) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let job = RunJob {
            id,
            scenario: Box::new(scenario.clone()),
            quarantine,
        };
        let stopped = self
            .worker
            .with_value(|w| w.as_ref().is_none_or(|w| w.broken.get()));
        if stopped {
            if let Err(why) = self.start() {
                then(Err(why));
                return;
            }
        }
        let sent = self.worker.with_value(|w| {
            let w = w.as_ref().expect("started above");
            w.waiting.borrow_mut().insert(id, Box::new(then));
            w.handle.send(&job)
        });
        if let Err(why) = sent {
            let then = self
                .worker
                .with_value(|w| w.as_ref().and_then(|w| w.waiting.borrow_mut().remove(&id)));
            if let Some(then) = then {
                then(Err(why));
            }
        }
    }

    /// Starts a worker in place of the one before (stopped with it, if any).
    fn start(self) -> Result<(), String> {
        self.worker.set_value(None);
        let waiting: Waiting = Rc::default();
        let broken = Rc::new(Cell::new(false));
        let on_report = {
            let (waiting, broken) = (waiting.clone(), broken.clone());
            move |report: RunReport| match report {
                RunReport::Ran { id, outcome } => {
                    let then = waiting.borrow_mut().remove(&id);
                    if let Some(then) = then {
                        // Read in this task, shown in the next: two shorter tasks on the
                        // page's thread instead of one long one.
                        leptos::task::spawn_local(async move {
                            crate::browser::yield_to_browser().await;
                            then(Ok(Arc::new(*outcome)));
                        });
                    }
                }
                RunReport::Broken(why) => {
                    broken.set(true);
                    let stranded: Vec<Then> =
                        waiting.borrow_mut().drain().map(|(_, t)| t).collect();
                    for then in stranded {
                        then(Err(format!("The scenario did not run: {why}.")));
                    }
                }
                RunReport::Ready => {}
            }
        };
        // A run that cannot start its worker says so, and nothing changes.
        let handle = RunWorker::start(on_report)
            .map_err(|why| format!("The scenario did not run: {why}."))?;
        self.worker.set_value(Some(Worker {
            handle,
            waiting,
            broken,
        }));
        Ok(())
    }
}

/// Which of an asker's requests still counts: each [`Latest::next`] makes those before it
/// stale, so a run that arrives after a newer one was asked for is dropped.
#[derive(Clone, Copy)]
pub(crate) struct Latest(StoredValue<u64>);

impl Latest {
    pub fn new() -> Self {
        Latest(StoredValue::new(0))
    }

    /// A new request: the check says whether it is still the newest (and the page is
    /// still there).
    pub fn next(self) -> impl Fn() -> bool + Copy + 'static {
        self.forget();
        let this = self.0.get_value();
        move || self.0.try_get_value() == Some(this)
    }

    /// Makes every request so far stale.
    pub fn forget(self) {
        self.0.update_value(|n| *n += 1);
    }
}
