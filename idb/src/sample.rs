//! The sample insurance history, written into the event store by a Web Worker so the
//! page keeps answering while up to a million events go in.
//!
//! The page starts the worker (`src/bin/sample_worker.rs`, which trunk builds beside
//! the app and `scripts/split.mjs` names by its content's hash in a
//! `<meta name="sample-worker">` of index.html) through a [`SampleWorker`], and sends it
//! a [`ToWorker::Load`] once the worker says it is [`Report::Ready`]. The worker
//! opens the same IndexedDB database, generates the history a batch of [`BATCH`] events
//! at a time and appends each batch in one transaction, so a cancel, a closed tab or a
//! crash keeps whole batches only. After every batch it posts a [`Report`]; the page
//! shows the progress and tells its read models, and the other tabs, that the store
//! changed. [`ToWorker::Cancel`] stops the load after the batch being written. Messages
//! are JSON texts both ways.

use crate::{IdbStore, StreamAppend};
use dojo_engine::{ExpectedVersion, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Events generated and appended per transaction.
pub const BATCH: usize = 2000;

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Generate `size` events from `seed` and append them; every event id carries
    /// `load_id`, so two loads (in two tabs, in the same millisecond) never share one.
    Load {
        size: usize,
        seed: u64,
        load_id: String,
    },
    /// Stop after the batch being written.
    Cancel,
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Report {
    /// The worker listens now. A message posted before this would be lost (it arrives
    /// while the worker's wasm is still being compiled), so the page waits for it.
    Ready,
    /// `done` events of `total` are stored.
    Progress { done: usize, total: usize },
    /// The load ended (all of it, or cancelled) with `done` events stored.
    Finished { done: usize },
    /// A write failed after `done` events were stored; nothing of the failed batch was.
    Failed { done: usize, error: StoreError },
    /// The worker itself could not run (its script did not load, or it crashed).
    Broken(String),
}

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

/// The worker's side: answers [`ToWorker`] messages posted to this worker's global
/// scope. Called by the worker binary's `main`.
pub fn serve_in_worker() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let cancelled = std::rc::Rc::new(std::cell::Cell::new(false));
    let post = {
        let scope = scope.clone();
        move |report: &Report| {
            let text = serde_json::to_string(report).unwrap_or_default();
            let _ = scope.post_message(&JsValue::from_str(&text));
        }
    };
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
        move |ev: web_sys::MessageEvent| {
            let text = ev.data().as_string().unwrap_or_default();
            match serde_json::from_str::<ToWorker>(&text) {
            Ok(ToWorker::Cancel) => cancelled.set(true),
            Ok(ToWorker::Load { size, seed, load_id }) => {
                let cancelled = cancelled.clone();
                let post = post.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let last = match IdbStore::open(crate::DB_NAME).await {
                        Ok(store) => {
                            let batches = Batches::new(size, seed, &load_id);
                            let last = load(&store, size, batches, || cancelled.get(), |r| post(&r)).await;
                            store.close();
                            last
                        }
                        Err(error) => Report::Failed { done: 0, error },
                    };
                    post(&last);
                });
            }
            Err(e) => post(&Report::Broken(format!(
                "the sample-history worker got a message it does not understand ({e}); reload the page"
            ))),
        }
        },
    );
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post_ready(&scope);
}

fn post_ready(scope: &web_sys::DedicatedWorkerGlobalScope) {
    let text = serde_json::to_string(&Report::Ready).unwrap_or_default();
    let _ = scope.post_message(&JsValue::from_str(&text));
}

/// The page's handle on a running worker. Dropping it stops the worker at once; the
/// batches it already wrote stay (each is one transaction).
pub struct SampleWorker {
    worker: web_sys::Worker,
    // Whether the request has gone to the worker (after its [`Report::Ready`]); a cancel
    // before that stops the worker instead.
    asked: std::rc::Rc<std::cell::Cell<bool>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

/// The worker's script, as index.html names it, resolved against the page's base.
fn worker_url() -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("there is no page to start the sample-history worker from")?;
    let name = document
        .query_selector(r#"meta[name="sample-worker"]"#)
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .ok_or("this build of Event Dojo has no sample-history worker (index.html names none); rebuild it with trunk")?;
    let base = document.base_uri().ok().flatten().unwrap_or_default();
    web_sys::Url::new_with_base(&name, &base)
        .map(|url| url.href())
        .map_err(|_| format!("the sample-history worker's address \"{name}\" is not valid"))
}

impl SampleWorker {
    /// Starts a worker on `request`; `on_report` gets every [`Report`] it sends but
    /// [`Report::Ready`], on which the request goes to the worker.
    pub fn start(
        request: &ToWorker,
        mut on_report: impl FnMut(Report) + 'static,
    ) -> Result<Self, String> {
        let worker = web_sys::Worker::new(&worker_url()?)
            .map_err(|e| format!("the sample-history worker could not start: {e:?}"))?;
        let request = serde_json::to_string(request).map_err(|e| e.to_string())?;
        let report = std::rc::Rc::new(std::cell::RefCell::new(move |r: Report| on_report(r)));
        let asked = std::rc::Rc::new(std::cell::Cell::new(false));
        let on_message = {
            let report = report.clone();
            let worker = worker.clone();
            let asked = asked.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let text = ev.data().as_string().unwrap_or_default();
                let parsed = serde_json::from_str::<Report>(&text).unwrap_or_else(|e| {
                    Report::Broken(format!("the sample-history worker sent a message the page does not understand ({e})"))
                });
                if parsed == Report::Ready {
                    asked.set(true);
                    if let Err(e) = worker.post_message(&JsValue::from_str(&request)) {
                        let why =
                            format!("the sample-history worker could not be asked to load: {e:?}");
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
                    "the sample-history worker stopped: {why}. Reload the page and try again"
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

    /// Asks the worker to stop after the batch it is writing; a [`Report::Finished`]
    /// follows. Before the worker has the request, it is stopped at once, and `true`
    /// says so (nothing was written, and no report follows).
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

impl Drop for SampleWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
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

    #[test]
    fn messages_read_back_as_they_were_sent() {
        for message in [
            ToWorker::Load {
                size: 10,
                seed: 3,
                load_id: "x".into(),
            },
            ToWorker::Cancel,
        ] {
            let text = serde_json::to_string(&message).expect("serialisable");
            assert_eq!(
                serde_json::from_str::<ToWorker>(&text).expect("readable"),
                message
            );
        }
        let failed = Report::Failed {
            done: 2000,
            error: StoreError::QuotaExceeded("QuotaExceededError".into()),
        };
        let text = serde_json::to_string(&failed).expect("serialisable");
        assert_eq!(
            serde_json::from_str::<Report>(&text).expect("readable"),
            failed
        );
    }
}
