//! The store worker's messages: the jobs the page gives it and what it reports back.
//! They travel as JSON texts (see [`crate::worker`]).

use dojo_engine::schemas::registry::Registries;
use dojo_engine::{Added, StoreError};
use serde::{Deserialize, Serialize};

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Generate `size` events from `seed` and append them in batches; every event id
    /// carries `load_id`, so two loads (in two tabs, in the same millisecond) never
    /// share one.
    Load {
        size: usize,
        seed: u64,
        load_id: String,
    },
    /// Import the file sent beside this request, called `name`, checking each event
    /// against the schema registry `schemas` as every append does.
    Import {
        name: String,
        #[serde(default)]
        schemas: Registries,
    },
    /// Fold the log into the console's read models: from nothing with `from_zero`, else
    /// from what this worker folded before, else from the snapshot stored beside the
    /// events (see [`crate::fold`]). One worker keeps its fold between these jobs.
    Fold { from_zero: bool },
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
    /// An import holds events that do not fit their type's schema under `warn`
    /// validation: how many, and the first, said as the app says it. Sent before
    /// [`Report::Imported`].
    Warned(String),
    /// An import is stored.
    Imported(Added),
    /// A job refused its input, or was cancelled, before writing anything; the text says
    /// why, for the learner.
    Refused(String),
    /// A write failed after `done` events were stored; nothing of the failed write was.
    Failed { done: usize, error: StoreError },
    /// A fold has read the log up to position `done` of `total`.
    Folding { done: u64, total: u64 },
    /// A fold ended: what the console shows of the read models.
    Folded(Box<ModelsView>),
    /// A fold could not read the log; the text says why.
    FoldFailed(String),
    /// The worker itself could not run (its script did not load, or it crashed).
    Broken(String),
}

/// The console's read models as the page shows them, folded in the worker: the
/// models themselves stay there, and only what the panel draws crosses to the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelsView {
    /// How the fold began and what it did, for the learner.
    pub note: String,
    /// The log's last position when the fold ended.
    pub head: u64,
    /// The last domain event the models hold.
    pub checkpoint: u64,
    /// Events that were not domain events, or could not be read, in all.
    pub skipped: u64,
    /// QuoteDashboardView: per status, its name, quotes and premiums in pence.
    pub dashboard: Vec<(String, u64, u64)>,
    /// CustomerView's first [`crate::fold::CUSTOMERS_SHOWN`] customers.
    pub customers: Vec<CustomerLine>,
    /// CustomersByPostcodeView: per district, how many customers live there.
    pub districts: Vec<(String, usize)>,
}

/// One customer of CustomerView, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerLine {
    pub id: String,
    pub name: String,
    pub postcode: String,
    pub quotes: u32,
    pub active_policies: u32,
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
                | Report::Folded(_)
                | Report::FoldFailed(_)
                | Report::Broken(_)
        )
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
                schemas: Registries::default(),
            },
            ToWorker::Cancel,
            ToWorker::Fold { from_zero: true },
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
            Report::Folding {
                done: 500,
                total: 2001,
            },
            Report::Folded(Box::new(ModelsView {
                note: "Rebuilt from the beginning of the log: folded 2 events.".into(),
                head: 2,
                checkpoint: 2,
                skipped: 0,
                dashboard: vec![("issued".into(), 1, 12_345)],
                customers: vec![CustomerLine {
                    id: "c1".into(),
                    name: "Ada Lovelace".into(),
                    postcode: "SW1A 1AA".into(),
                    quotes: 1,
                    active_policies: 0,
                }],
                districts: vec![("SW1A".into(), 1)],
            })),
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
        assert!(!Report::Folding { done: 1, total: 2 }.ends_the_job());
        assert!(Report::FoldFailed("the log could not be read".into()).ends_the_job());
    }
}
