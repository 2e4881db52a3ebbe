//! The store worker: a Web Worker that does the event store's long writes off the page's
//! thread, so the page keeps answering while they run: loading a sample history (see
//! [`crate::sample`]) and importing an NDJSON file (see [`crate::import`]).
//!
//! The page starts it through a [`StoreWorker`] (its script is `src/bin/store_worker.rs`,
//! which trunk builds beside the app and `scripts/split.mjs` names by its content's hash
//! in a `<meta name="store-worker">` of index.html). The worker opens the same IndexedDB
//! database and says it is [`Report::Ready`]; then the page sends its [`ToWorker`] job,
//! and the worker reports as the job goes and once at its end. [`ToWorker::Cancel`] stops
//! the job at its next step. Messages are JSON texts; an import's file travels beside
//! its request, as `[request, file]`. Other tabs hear of every append on the store's
//! channel through the page, as they do of any append.

use crate::IdbStore;
use dojo_engine::{Added, StoreError};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Generate `size` events from `seed` and append them in batches; every event id
    /// carries `load_id`, so two loads (in two tabs, in the same millisecond) never
    /// share one.
    Load {
        size: usize,
        seed: u64,
        load_id: String,
    },
    /// Import the file sent beside this request, called `name`.
    Import { name: String },
    /// Stop the job at its next step.
    Cancel,
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Report {
    /// The worker listens now. A message posted before this would be lost (it arrives
    /// while the worker's wasm is still being compiled), so the page waits for it.
    Ready,
    /// A sample load has stored `done` events of `total`.
    Progress { done: usize, total: usize },
    /// A sample load ended (all of it, or cancelled) with `done` events stored.
    Finished { done: usize },
    /// An import has checked `read_bytes` of the file's `size` and found `events`.
    Checking {
        read_bytes: f64,
        size: f64,
        events: usize,
    },
    /// An import is writing its `events` in one transaction.
    Writing { events: usize },
    /// An import is stored.
    Imported(Added),
    /// A job refused its input, or was cancelled, before writing anything; the text says
    /// why, for the learner.
    Refused(String),
    /// A write failed after `done` events were stored; nothing of the failed write was.
    Failed { done: usize, error: StoreError },
    /// The worker itself could not run (its script did not load, or it crashed).
    Broken(String),
}

impl Report {
    /// Whether the job is over with this report.
    pub fn ends_the_job(&self) -> bool {
        matches!(
            self,
            Report::Finished { .. }
                | Report::Imported(_)
                | Report::Refused(_)
                | Report::Failed { .. }
                | Report::Broken(_)
        )
    }
}

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
    let on_message = {
        let scope = scope.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let (text, file) = read_message(&ev.data());
            match serde_json::from_str::<ToWorker>(&text) {
                Ok(ToWorker::Cancel) => cancelled.set(true),
                Ok(job) => {
                    let (cancelled, scope) = (cancelled.clone(), scope.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let last = run(job, file, cancelled, scope.clone()).await;
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

/// The page's handle on a store worker running one job. Dropping it stops the worker at
/// once; what it already wrote stays (every write is one transaction).
pub struct StoreWorker {
    worker: web_sys::Worker,
    // Whether the job has gone to the worker (after its [`Report::Ready`]); a cancel
    // before that stops the worker instead.
    asked: Rc<Cell<bool>>,
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
        let text = JsValue::from_str(&serde_json::to_string(job).map_err(|e| e.to_string())?);
        let message: JsValue = match file {
            Some(file) => js_sys::Array::of2(&text, &file).into(),
            None => text,
        };
        let report = Rc::new(RefCell::new(move |r: Report| on_report(r)));
        let asked = Rc::new(Cell::new(false));
        let on_message = {
            let (report, worker, asked) = (report.clone(), worker.clone(), asked.clone());
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let text = ev.data().as_string().unwrap_or_default();
                let parsed = serde_json::from_str::<Report>(&text).unwrap_or_else(|e| {
                    Report::Broken(format!(
                        "the store worker sent a message the page does not understand ({e})"
                    ))
                });
                if parsed == Report::Ready {
                    asked.set(true);
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
        Ok(Self {
            worker,
            asked,
            _on_message: on_message,
            _on_error: on_error,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use dojo_engine::AppendResult;

    #[test]
    fn messages_read_back_as_they_were_sent() {
        for message in [
            ToWorker::Load {
                size: 10,
                seed: 3,
                load_id: "x".into(),
            },
            ToWorker::Import {
                name: "log.ndjson".into(),
            },
            ToWorker::Cancel,
        ] {
            let text = serde_json::to_string(&message).expect("serialisable");
            assert_eq!(
                serde_json::from_str::<ToWorker>(&text).expect("readable"),
                message
            );
        }
        for report in [
            Report::Failed {
                done: 2000,
                error: StoreError::QuotaExceeded("QuotaExceededError".into()),
            },
            Report::Imported(Added {
                added: 3,
                already_present: 1,
                result: AppendResult {
                    first_position: 5,
                    last_position: 7,
                    stream_version: 1,
                },
            }),
            Report::Checking {
                read_bytes: 1_048_576.0,
                size: 3_000_000.0,
                events: 900,
            },
        ] {
            let text = serde_json::to_string(&report).expect("serialisable");
            assert_eq!(
                serde_json::from_str::<Report>(&text).expect("readable"),
                report
            );
        }
    }

    #[test]
    fn only_the_last_report_of_a_job_ends_it() {
        assert!(!Report::Ready.ends_the_job());
        assert!(!Report::Progress { done: 1, total: 2 }.ends_the_job());
        assert!(!Report::Writing { events: 1 }.ends_the_job());
        assert!(Report::Finished { done: 2 }.ends_the_job());
        assert!(Report::Refused("cancelled".into()).ends_the_job());
    }
}
