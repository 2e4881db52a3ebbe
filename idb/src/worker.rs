//! The store worker: a Web Worker that does the event store's long jobs off the page's
//! thread, so the page keeps answering while they run: loading a sample history (see
//! [`crate::sample`]), importing an NDJSON file (see [`crate::import`]), and folding the
//! log into the console's read models (see [`crate::fold`]).
//!
//! The page starts it through a [`StoreWorker`] (its script is `src/bin/store_worker.rs`,
//! which trunk builds beside the app and `scripts/split.mjs` names by its content's hash
//! in a `<meta name="store-worker">` of index.html). The worker opens the same IndexedDB
//! database and says it is [`Report::Ready`]; then the page sends its [`ToWorker`] job,
//! and the worker reports as the job goes and once at its end. [`ToWorker::Cancel`] stops
//! the job at its next step. A worker can be given one job after another with
//! [`PageWorker::send`] (the console's folds: the worker keeps its models between
//! them). Messages are JSON texts; an import's file travels beside
//! its request, as `[request, file]`. Other tabs hear of every append on the store's
//! channel through the page, as they do of any append.

use crate::fold::Folds;
use crate::page_worker::{listen, post, PageWorker, WorkerReport};
pub use crate::protocol::{CustomerLine, ModelsView, Report, ToWorker};
use crate::IdbStore;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

impl WorkerReport for Report {
    fn is_ready(&self) -> bool {
        *self == Report::Ready
    }
    fn broken(why: String) -> Self {
        Report::Broken(why)
    }
}

/// A message as the page sends it: the request's text, and a file beside an import.
fn read_message(data: &JsValue) -> (String, Option<web_sys::File>) {
    if let Some(text) = data.as_string() {
        return (text, None);
    }
    let parts: js_sys::Array = data.clone().unchecked_into();
    let text = parts.get(0).as_string().unwrap_or_default();
    (text, parts.get(1).dyn_into::<web_sys::File>().ok())
}

async fn run(
    job: ToWorker,
    file: Option<web_sys::File>,
    cancelled: Rc<Cell<bool>>,
    folds: Rc<RefCell<Folds>>,
    scope: web_sys::DedicatedWorkerGlobalScope,
) -> Report {
    let store = match IdbStore::open(crate::DB_NAME).await {
        Ok(store) => store,
        Err(error) => return Report::Failed { done: 0, error },
    };
    let report = |r: Report| post(&scope, &r);
    let last = match (job, file) {
        (
            ToWorker::Load {
                size,
                seed,
                load_id,
            },
            _,
        ) => {
            let batches = crate::sample::Batches::new(size, seed, &load_id);
            crate::sample::load(&store, size, batches, || cancelled.get(), report).await
        }
        (ToWorker::Import { name, schemas }, Some(file)) => {
            let checker = schemas.checker();
            crate::import::import(&store, &file, &name, &checker, || cancelled.get(), report).await
        }
        (ToWorker::Import { name, .. }, None) => Report::Broken(format!(
            "the store worker was asked to import {name} without the file"
        )),
        (ToWorker::Fold { from_zero }, _) => {
            // Taken out for the fold's awaits, and put back with what it folded.
            let mut state = folds.take();
            let last = crate::fold::fold(&store, &mut state, from_zero, report).await;
            folds.replace(state);
            last
        }
        (ToWorker::Cancel, _) => Report::Finished { done: 0 },
    };
    store.close();
    last
}

/// The worker's side: answers [`ToWorker`] messages posted to this worker's global
/// scope. Called by the worker binary's `main`.
pub fn serve_in_worker() {
    let cancelled = Rc::new(Cell::new(false));
    let folds = Rc::new(RefCell::new(Folds::default()));
    listen(&Report::Ready, move |scope, ev| {
        let (text, file) = read_message(&ev.data());
        match serde_json::from_str::<ToWorker>(&text) {
            Ok(ToWorker::Cancel) => cancelled.set(true),
            Ok(job) => {
                cancelled.set(false);
                let (cancelled, folds, scope) = (cancelled.clone(), folds.clone(), scope.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let last = run(job, file, cancelled, folds, scope.clone()).await;
                    post(&scope, &last);
                });
            }
            Err(e) => post(
                scope,
                &Report::Broken(format!(
                    "the store worker got a message it does not understand ({e}); reload the page"
                )),
            ),
        }
    });
}

/// The page's handle on the store worker.
pub type StoreWorker = PageWorker<ToWorker, Report>;

impl StoreWorker {
    /// Starts a store worker on `job` (with `file` for an import); `on_report` gets
    /// every [`Report`] it sends but [`Report::Ready`], on which the job goes to it.
    pub fn start(
        job: &ToWorker,
        file: Option<web_sys::File>,
        on_report: impl FnMut(Report) + 'static,
    ) -> Result<Self, String> {
        let started = Self::start_idle(on_report)?;
        started.send_with(job, file)?;
        Ok(started)
    }

    /// Starts a store worker with no job yet: [`PageWorker::send`] gives it its jobs.
    pub fn start_idle(on_report: impl FnMut(Report) + 'static) -> Result<Self, String> {
        Self::spawn("store-worker", "the store worker", on_report)
    }

    /// Asks the worker to stop its job at the next step; the job's last report follows.
    /// Before the worker has the job, it is stopped at once, and `true` says so
    /// (nothing was written, and no report follows).
    pub fn cancel(&self) -> bool {
        self.cancel_with(&ToWorker::Cancel)
    }
}
