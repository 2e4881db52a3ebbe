//! The console's read models, folded from the log in the store worker, so a rebuild of a
//! million events reads and folds off the page's thread.
//!
//! A fold starts from the newest thing it can trust: the models this worker already
//! folded (one worker serves a console page for as long as it is open), else the
//! snapshot stored beside the events, else the start of the log. After folding
//! [`SNAPSHOT_EVERY`] or more events past the stored snapshot it stores a new one, so a
//! reload reads only what came after it. The models stay in the worker; the page gets
//! a [`ModelsView`] of what it shows.

use crate::protocol::{CustomerLine, ModelsView, Report};
use crate::IdbStore;
use dojo_engine::domain::QuoteStatus;
use dojo_engine::projection::{Snapshot, SNAPSHOT_EVERY};
use dojo_engine::{damaged_records, read_around_damage, StoreError};

/// Events read from the log at a time, with a progress report after each page.
const PAGE: usize = 500;

/// The key the read models' snapshot is stored under.
pub const SNAPSHOT_NAME: &str = "read-models";

/// How many of CustomerView's customers the console lists.
pub const CUSTOMERS_SHOWN: usize = 50;

/// What a worker keeps between folds.
#[derive(Debug, Default)]
pub struct Folds {
    /// The models this worker folded last, if any.
    folded: Option<Snapshot>,
    /// The log position of the snapshot in the store (0: none known).
    saved_at: u64,
}

/// Where a fold began, for the sentence under the heading.
fn start_note(start: &str, from: u64, folded: &Snapshot) -> String {
    let read = folded.position.saturating_sub(from);
    let events = if read == 1 { "event" } else { "events" };
    format!("{start}: folded {read} {events}.")
}

/// The stored snapshot to start from, or an empty one and why it was not used.
async fn stored_start(store: &IdbStore) -> Result<(Snapshot, String), String> {
    let head = store.head().await.map_err(|e| e.to_string())?;
    Ok(match store.snapshot(SNAPSHOT_NAME).await {
        Ok(Some(text)) => match Snapshot::from_json(&text, head) {
            Ok(s) => {
                let note = format!("Started from the snapshot stored at #{}", s.position);
                (s, note)
            }
            Err(e) => (
                Snapshot::empty(),
                format!("The stored snapshot was not used ({e}), so the fold started from the beginning of the log"),
            ),
        },
        Ok(None) => (
            Snapshot::empty(),
            format!("Started from the beginning of the log (a snapshot is stored every {SNAPSHOT_EVERY} events)"),
        ),
        Err(e) => (
            Snapshot::empty(),
            format!("The stored snapshot could not be read ({e}), so the fold started from the beginning of the log"),
        ),
    })
}

/// Folds every event after `folded`'s position into it, reporting progress against the
/// head after each page; the positions of records too damaged to read go to `damaged`.
async fn read_on(
    store: &IdbStore,
    folded: &mut Snapshot,
    damaged: &mut Vec<u64>,
    report: &mut impl FnMut(Report),
) -> Result<(), String> {
    let head = store.head().await.map_err(|e| e.to_string())?;
    loop {
        let page = read_around_damage(store, folded.position + 1, PAGE)
            .await
            .map_err(|e| e.to_string())?;
        if page.is_empty() {
            return Ok(());
        }
        for e in &page {
            match e {
                Ok(e) => folded.fold(e),
                Err(StoreError::Corrupt { position, .. }) => {
                    damaged.push(*position);
                    folded.pass_over(*position);
                }
                Err(_) => {}
            }
        }
        report(Report::Folding {
            done: folded.position,
            total: head.max(folded.position),
        });
    }
}

/// What the console shows of `folded`.
fn view_of(folded: &Snapshot, note: String, head: u64) -> ModelsView {
    let m = &folded.models;
    ModelsView {
        note,
        head,
        checkpoint: m
            .dashboard
            .checkpoint
            .position
            .max(m.customers.checkpoint.position),
        skipped: folded.skipped,
        dashboard: [
            QuoteStatus::Requested,
            QuoteStatus::Issued,
            QuoteStatus::Accepted,
            QuoteStatus::Expired,
        ]
        .into_iter()
        .map(|s| {
            (
                s.name().to_owned(),
                m.dashboard.count(s),
                m.dashboard.premium(s),
            )
        })
        .collect(),
        customers: m
            .customers
            .customers
            .iter()
            .take(CUSTOMERS_SHOWN)
            .map(|(id, r)| CustomerLine {
                id: id.clone(),
                name: r.name.clone(),
                postcode: r.postcode.clone(),
                quotes: r.quotes,
                active_policies: r.active_policies,
            })
            .collect(),
        districts: m
            .by_postcode
            .districts
            .iter()
            .map(|(d, s)| (d.clone(), s.len()))
            .collect(),
    }
}

/// One fold (see the module's docs): [`Report::Folding`] after every page read, and the
/// returned [`Report::Folded`] or [`Report::FoldFailed`] at the end.
pub async fn fold(
    store: &IdbStore,
    state: &mut Folds,
    from_zero: bool,
    mut report: impl FnMut(Report),
) -> Report {
    let start = if from_zero {
        Ok((
            Snapshot::empty(),
            "Rebuilt from the beginning of the log".to_owned(),
        ))
    } else if let Some(folded) = state.folded.take() {
        let note = format!("Continued from #{} folded on this page", folded.position);
        Ok((folded, note))
    } else {
        stored_start(store).await.inspect(|(snapshot, _)| {
            state.saved_at = snapshot.position;
        })
    };
    let (mut folded, note) = match start {
        Ok(start) => start,
        Err(e) => return Report::FoldFailed(e),
    };
    let from = folded.position;
    let mut damaged = Vec::new();
    if let Err(e) = read_on(store, &mut folded, &mut damaged, &mut report).await {
        return Report::FoldFailed(e);
    }
    let mut note = start_note(&note, from, &folded);
    if !damaged.is_empty() {
        note.push_str(&format!(
            " Passed over {}, so the models lack {}.",
            damaged_records(&damaged),
            if damaged.len() == 1 {
                "its effect"
            } else {
                "their effects"
            },
        ));
    }
    if folded.worth_saving(state.saved_at) {
        match store.put_snapshot(SNAPSHOT_NAME, &folded.to_json()).await {
            Ok(()) => {
                state.saved_at = folded.position;
                note.push_str(&format!(" Stored a new snapshot at #{}.", folded.position));
            }
            Err(StoreError::QuotaExceeded(_)) => note.push_str(
                " A new snapshot could not be stored, because the site's storage is full.",
            ),
            Err(e) => note.push_str(&format!(" A new snapshot could not be stored ({e}).")),
        }
    }
    let head = store.head().await.unwrap_or(folded.position);
    let view = view_of(&folded, note, head);
    state.folded = Some(folded);
    Report::Folded(Box::new(view))
}
