//! The run worker: a Web Worker that runs the workshop's scenarios off the page's
//! thread, so the page keeps answering while the services, channels and read models of a
//! run are derived. Its script is `src/bin/run_worker.rs`; it holds the engine's
//! services and nothing of the store, and the store worker nothing of the services, so
//! each page fetches the worker it uses.
//!
//! The page sends [`RunJob`]s through a [`RunWorker`], any number at once; the worker
//! runs each to its end before it reads the next message and answers with the whole run
//! ([`RunReport::Ran`]), which crosses as JSON without its snapshots: they are taken
//! again as it is read (see `dojo_engine::services::Outcome`).

use crate::page_worker::{listen, post, PageWorker, WorkerReport};
use dojo_engine::services::{Outcome, Scenario};
use serde::{Deserialize, Serialize};

/// A scenario to run; with `quarantine`, Comms only records what it would have sent
/// (a what-if branch, or a comparison). `id` comes back with the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunJob {
    pub id: u64,
    pub scenario: Box<Scenario>,
    pub quarantine: bool,
}

/// What the run worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RunReport {
    /// The worker listens now (see [`WorkerReport::is_ready`]).
    Ready,
    /// The run asked for as `id`, whole.
    Ran { id: u64, outcome: Box<Outcome> },
    /// The worker itself could not run, or got a message it does not understand.
    Broken(String),
}

impl WorkerReport for RunReport {
    fn is_ready(&self) -> bool {
        *self == RunReport::Ready
    }
    fn broken(why: String) -> Self {
        RunReport::Broken(why)
    }
}

/// The page's handle on a run worker.
pub type RunWorker = PageWorker<RunJob, RunReport>;

impl RunWorker {
    /// Starts a run worker; [`PageWorker::send`] gives it scenarios to run.
    pub fn start(on_report: impl FnMut(RunReport) + 'static) -> Result<Self, String> {
        Self::spawn("run-worker", "the run worker", on_report)
    }
}

/// The worker's side: runs every [`RunJob`] posted to this worker's global scope.
/// Called by the worker binary's `main`.
pub fn serve_runs_in_worker() {
    listen(&RunReport::Ready, |scope, ev| {
        let text = ev.data().as_string().unwrap_or_default();
        let report = match serde_json::from_str::<RunJob>(&text) {
            Ok(job) => RunReport::Ran {
                id: job.id,
                outcome: Box::new(dojo_engine::services::run(&job.scenario, job.quarantine)),
            },
            Err(e) => RunReport::Broken(format!(
                "the run worker got a message it does not understand ({e}); reload the page"
            )),
        };
        post(scope, &report);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_and_runs_read_back_as_they_were_sent() {
        let (_, text) = dojo_engine::services::presets()[0];
        let scenario = Scenario::from_json(text).expect("the first preset reads");
        let job = RunJob {
            id: 7,
            scenario: Box::new(scenario.clone()),
            quarantine: true,
        };
        let back: RunJob =
            serde_json::from_str(&serde_json::to_string(&job).expect("serialisable"))
                .expect("readable");
        assert_eq!(back, job);
        let ran = RunReport::Ran {
            id: 7,
            outcome: Box::new(dojo_engine::services::run(&scenario, true)),
        };
        let back: RunReport =
            serde_json::from_str(&serde_json::to_string(&ran).expect("serialisable"))
                .expect("readable");
        assert_eq!(back, ran);
        assert!(RunReport::Ready.is_ready());
        assert!(!ran.is_ready());
    }
}
