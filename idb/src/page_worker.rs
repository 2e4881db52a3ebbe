//! The page's handle on any of the app's Web Workers: the store worker
//! ([`crate::worker`]) and the run worker ([`crate::runs`]). Each has its own jobs and
//! reports and its own wasm, so a page fetches only the worker it uses.
//!
//! A worker's script is a loader that `scripts/split.mjs` names by its content's hash
//! in a `<meta>` of index.html (`store-worker`, `run-worker`). The worker says it is
//! ready with its first message; jobs sent before that wait on the page, in order, and
//! go to it then. Jobs and reports are JSON texts.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Sends a report from inside a worker to its page, as a JSON text.
pub(crate) fn post(scope: &web_sys::DedicatedWorkerGlobalScope, report: &impl Serialize) {
    let text = serde_json::to_string(report).unwrap_or_default();
    let _ = scope.post_message(&JsValue::from_str(&text));
}

/// Inside a worker: hands every message the page posts to `on_message` (with this
/// worker's scope, to post reports on) for as long as the worker runs, then tells the
/// page it listens with `ready`.
pub(crate) fn listen(
    ready: &impl Serialize,
    mut on_message: impl FnMut(&web_sys::DedicatedWorkerGlobalScope, web_sys::MessageEvent) + 'static,
) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler = {
        let scope = scope.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            on_message(&scope, ev)
        })
    };
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    handler.forget();
    post(&scope, ready);
}

/// What a worker says to its page: the first message says it listens, and the page
/// makes one of its own when the worker itself fails.
pub trait WorkerReport: DeserializeOwned + 'static {
    /// Whether this is the worker's first message: it listens now. A message posted
    /// before it would be lost (it arrives while the worker's wasm is still being
    /// compiled), so the page holds its jobs until then.
    fn is_ready(&self) -> bool;
    /// The report that the worker could not run, and why.
    fn broken(why: String) -> Self;
}

/// The page's handle on one of the app's workers, which takes jobs `J` and reports `R`.
/// Dropping it stops the worker at once; what a store worker already wrote stays
/// (every write is one transaction).
pub struct PageWorker<J, R> {
    worker: web_sys::Worker,
    // Whether the worker said it is ready; jobs sent before wait here until then
    // (a cancel before that stops the worker instead).
    asked: Rc<Cell<bool>>,
    waiting: Rc<RefCell<Vec<JsValue>>>,
    name: &'static str,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
    _messages: PhantomData<fn(J) -> R>,
}

/// The script of the worker that index.html names in `<meta name="{meta}">`, resolved
/// against the page's base.
fn worker_url(meta: &str, name: &str) -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(format!("there is no page to start {name} from"))?;
    let script = document
        .query_selector(&format!(r#"meta[name="{meta}"]"#))
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .ok_or(format!(
            "this build of Event Dojo has no {name} (index.html names none); rebuild it with trunk"
        ))?;
    let base = document.base_uri().ok().flatten().unwrap_or_default();
    web_sys::Url::new_with_base(&script, &base)
        .map(|url| url.href())
        .map_err(|_| format!("the address of {name}, \"{script}\", is not valid"))
}

impl<J: Serialize, R: WorkerReport> PageWorker<J, R> {
    /// Starts the worker that index.html names in `<meta name="{meta}">` (`name` says
    /// which, for the learner) with no job yet: [`PageWorker::send`] gives it its jobs.
    /// `on_report` gets every report it sends but the first, which says it is ready.
    pub fn spawn(
        meta: &str,
        name: &'static str,
        mut on_report: impl FnMut(R) + 'static,
    ) -> Result<Self, String> {
        let worker = web_sys::Worker::new(&worker_url(meta, name)?)
            .map_err(|e| format!("{name} could not start: {e:?}"))?;
        let report = Rc::new(RefCell::new(move |r: R| on_report(r)));
        let asked = Rc::new(Cell::new(false));
        let waiting = Rc::new(RefCell::new(Vec::<JsValue>::new()));
        let on_message = {
            let (report, worker, asked, waiting) = (
                report.clone(),
                worker.clone(),
                asked.clone(),
                waiting.clone(),
            );
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let text = ev.data().as_string().unwrap_or_default();
                let parsed = serde_json::from_str::<R>(&text).unwrap_or_else(|e| {
                    R::broken(format!(
                        "{name} sent a message the page does not understand ({e})"
                    ))
                });
                if parsed.is_ready() {
                    asked.set(true);
                    for message in waiting.take() {
                        if let Err(e) = worker.post_message(&message) {
                            let why = format!("{name} could not be given its job: {e:?}");
                            (report.borrow_mut())(R::broken(why));
                            return;
                        }
                    }
                    return;
                }
                (report.borrow_mut())(parsed);
            })
        };
        // A script that cannot be fetched fires a plain `Event`; a crash, an `ErrorEvent`.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            ev.prevent_default();
            let why = match ev.dyn_ref::<web_sys::ErrorEvent>().map(|e| e.message()) {
                Some(m) if !m.is_empty() => m,
                _ => "its script could not be loaded".to_owned(),
            };
            (report.borrow_mut())(R::broken(format!(
                "{name} stopped: {why}. Reload the page and try again"
            )));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            asked,
            waiting,
            name,
            _on_message: on_message,
            _on_error: on_error,
            _messages: PhantomData,
        })
    }

    /// Gives the worker another job (for the store worker, once the one before has
    /// ended: its last report came). Before the worker is ready, jobs wait for it, in
    /// order.
    pub fn send(&self, job: &J) -> Result<(), String> {
        self.send_with(job, None)
    }

    /// Sends `job` with `file` beside it, as `[job, file]` (an import's file).
    pub(crate) fn send_with(&self, job: &J, file: Option<web_sys::File>) -> Result<(), String> {
        let text = JsValue::from_str(&serde_json::to_string(job).map_err(|e| e.to_string())?);
        let message: JsValue = match file {
            Some(file) => js_sys::Array::of2(&text, &file).into(),
            None => text,
        };
        if !self.asked.get() {
            self.waiting.borrow_mut().push(message);
            return Ok(());
        }
        self.worker
            .post_message(&message)
            .map_err(|e| format!("{} could not be given its job: {e:?}", self.name))
    }

    /// Asks the worker to stop its job at the next step, with `cancel`; the job's last
    /// report follows. Before the worker is ready it is stopped at once, and `true`
    /// says so (no job ran, and no report follows).
    pub(crate) fn cancel_with(&self, cancel: &J) -> bool {
        if !self.asked.get() {
            self.worker.terminate();
            return true;
        }
        let text = serde_json::to_string(cancel).unwrap_or_default();
        let _ = self.worker.post_message(&JsValue::from_str(&text));
        false
    }
}

impl<J, R> Drop for PageWorker<J, R> {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
