//! The store worker: a Web Worker that does the event store's long writes off the page's
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
//! [`StoreWorker::send`] (the console's folds: the worker keeps its models between
//! them). Messages are JSON texts; an import's file travels beside
//! its request, as `[request, file]`. Other tabs hear of every append on the store's
//! channel through the page, as they do of any append.

use crate::fold::Folds;
pub use crate::protocol::{CustomerLine, ModelsView, Report, ToWorker};
use crate::IdbStore;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn post(scope: &web_sys::DedicatedWorkerGlobalScope, report: &Report) {
    let text = serde_json::to_string(report).unwrap_or_default();
    let _ = scope.post_message(&JsValue::from_str(&text));
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
        (ToWorker::Import { name }, Some(file)) => {
            crate::import::import(&store, &file, &name, || cancelled.get(), report).await
        }
        (ToWorker::Import { name }, None) => Report::Broken(format!(
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
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let cancelled = Rc::new(Cell::new(false));
    let folds = Rc::new(RefCell::new(Folds::default()));
    let on_message = {
        let scope = scope.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let (text, file) = read_message(&ev.data());
            match serde_json::from_str::<ToWorker>(&text) {
                Ok(ToWorker::Cancel) => cancelled.set(true),
                Ok(job) => {
                    cancelled.set(false);
                    let (cancelled, folds, scope) =
                        (cancelled.clone(), folds.clone(), scope.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let last = run(job, file, cancelled, folds, scope.clone()).await;
                        post(&scope, &last);
                    });
                }
                Err(e) => post(
                    &scope,
                    &Report::Broken(format!(
                        "the store worker got a message it does not understand ({e}); reload the page"
                    )),
                ),
            }
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &Report::Ready);
}

/// The page's handle on a store worker. Dropping it stops the worker at once; what it
/// already wrote stays (every write is one transaction).
pub struct StoreWorker {
    worker: web_sys::Worker,
    // Whether the worker said it is ready; a job sent before waits here until then
    // (a cancel before that stops the worker instead).
    asked: Rc<Cell<bool>>,
    waiting: Rc<RefCell<Option<JsValue>>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

/// The worker's script, as index.html names it, resolved against the page's base.
fn worker_url() -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("there is no page to start the store worker from")?;
    let name = document
        .query_selector(r#"meta[name="store-worker"]"#)
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .ok_or("this build of Event Dojo has no store worker (index.html names none); rebuild it with trunk")?;
    let base = document.base_uri().ok().flatten().unwrap_or_default();
    web_sys::Url::new_with_base(&name, &base)
        .map(|url| url.href())
        .map_err(|_| format!("the store worker's address \"{name}\" is not valid"))
}

impl StoreWorker {
    /// Starts a worker on `job` (with `file` for an import); `on_report` gets every
    /// [`Report`] it sends but [`Report::Ready`], on which the job goes to the worker.
    pub fn start(
        job: &ToWorker,
        file: Option<web_sys::File>,
        mut on_report: impl FnMut(Report) + 'static,
    ) -> Result<Self, String> {
        let worker = web_sys::Worker::new(&worker_url()?)
            .map_err(|e| format!("the store worker could not start: {e:?}"))?;
        let report = Rc::new(RefCell::new(move |r: Report| on_report(r)));
        let asked = Rc::new(Cell::new(false));
        let waiting = Rc::new(RefCell::new(None::<JsValue>));
        let on_message = {
            let (report, worker, asked, waiting) = (
                report.clone(),
                worker.clone(),
                asked.clone(),
                waiting.clone(),
            );
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let text = ev.data().as_string().unwrap_or_default();
                let parsed = serde_json::from_str::<Report>(&text).unwrap_or_else(|e| {
                    Report::Broken(format!(
                        "the store worker sent a message the page does not understand ({e})"
                    ))
                });
                if parsed == Report::Ready {
                    asked.set(true);
                    let Some(message) = waiting.take() else {
                        return;
                    };
                    if let Err(e) = worker.post_message(&message) {
                        let why = format!("the store worker could not be given its job: {e:?}");
                        (report.borrow_mut())(Report::Broken(why));
                    }
                    return;
                }
                (report.borrow_mut())(parsed);
            })
        };
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
                ev.prevent_default();
                let why = match ev.message() {
                    m if m.is_empty() => "its script could not be loaded".to_owned(),
                    m => m,
                };
                (report.borrow_mut())(Report::Broken(format!(
                    "the store worker stopped: {why}. Reload the page and try again"
                )));
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let started = Self {
            worker,
            asked,
            waiting,
            _on_message: on_message,
            _on_error: on_error,
        };
        started.send_with(job, file)?;
        Ok(started)
    }

    /// Gives the worker its next job, once the one before has ended (its last report
    /// came); before the worker is ready, the job waits for it.
    pub fn send(&self, job: &ToWorker) -> Result<(), String> {
        self.send_with(job, None)
    }

    fn send_with(&self, job: &ToWorker, file: Option<web_sys::File>) -> Result<(), String> {
        let text = JsValue::from_str(&serde_json::to_string(job).map_err(|e| e.to_string())?);
        let message: JsValue = match file {
            Some(file) => js_sys::Array::of2(&text, &file).into(),
            None => text,
        };
        if !self.asked.get() {
            self.waiting.replace(Some(message));
            return Ok(());
        }
        self.worker
            .post_message(&message)
            .map_err(|e| format!("the store worker could not be given its job: {e:?}"))
    }

    /// Asks the worker to stop its job at the next step; the job's last report follows.
    /// Before the worker has the job, it is stopped at once, and `true` says so
    /// (nothing was written, and no report follows).
    pub fn cancel(&self) -> bool {
        if !self.asked.get() {
            self.worker.terminate();
            return true;
        }
        let text = serde_json::to_string(&ToWorker::Cancel).unwrap_or_default();
        let _ = self.worker.post_message(&JsValue::from_str(&text));
        false
    }
}

impl Drop for StoreWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
