//! The read models folded from the event store, with their checkpoint and a rebuild that
//! reads the log page by page and shows its progress.
//!
//! A fold starts from the newest thing it can trust: the models this page already folded,
//! else the snapshot stored beside the events, else the start of the log. After folding
//! [`SNAPSHOT_EVERY`] or more events past the stored snapshot it stores a new one, so a
//! reload reads only what came after it.

use crate::components::ErrorView;
use crate::state::use_store;
use crate::storage::IdbStore;
use dojo_engine::domain::QuoteStatus;
use dojo_engine::projection::{Snapshot, SNAPSHOT_EVERY};
use dojo_engine::{damaged_records, read_around_damage, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;

const PAGE: usize = 500;

/// The key the read models' snapshot is stored under.
const SNAPSHOT_NAME: &str = "read-models";

/// Lets the browser paint between pages of a long fold.
async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
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
    match store.snapshot(SNAPSHOT_NAME).await {
        Ok(Some(text)) => match Snapshot::from_json(&text, head) {
            Ok(s) => {
                let note = format!("Started from the snapshot stored at #{}", s.position);
                Ok((s, note))
            }
            Err(e) => Ok((
                Snapshot::empty(),
                format!("The stored snapshot was not used ({e}), so the fold started from the beginning of the log"),
            )),
        },
        Ok(None) => Ok((
            Snapshot::empty(),
            format!("Started from the beginning of the log (a snapshot is stored every {SNAPSHOT_EVERY} events)"),
        )),
        Err(e) => Ok((
            Snapshot::empty(),
            format!("The stored snapshot could not be read ({e}), so the fold started from the beginning of the log"),
        )),
    }
}

/// Folds every event after `from` into it, reporting progress against the head.
async fn fold(
    store: &IdbStore,
    mut folded: Snapshot,
    progress: RwSignal<Option<(u64, u64)>>,
    damaged: &mut Vec<u64>,
) -> Result<Snapshot, String> {
    let head = store.head().await.map_err(|e| e.to_string())?;
    loop {
        let page = read_around_damage(store, folded.position + 1, PAGE)
            .await
            .map_err(|e| e.to_string())?;
        if page.is_empty() {
            break;
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
        progress.set(Some((folded.position, head.max(folded.position))));
        yield_to_browser().await;
    }
    Ok(folded)
}

/// What the panel shows: the folded models and how the fold began.
#[derive(Clone)]
struct Folded {
    snapshot: Snapshot,
    note: String,
    head: u64,
}

#[component]
pub fn StoreReadModels() -> impl IntoView {
    let ctx = use_store();
    let store = StoredValue::new_local(ctx.store.clone());
    let revision = ctx.revision;
    let progress = RwSignal::new(None::<(u64, u64)>);
    let models = RwSignal::new(None::<Result<Folded, String>>);
    let rebuilding = RwSignal::new(false);
    // One fold at a time: a change while folding asks for one more pass afterwards.
    let running = StoredValue::new(false);
    let again = StoredValue::new(false);
    let from_zero = StoredValue::new(false);
    // The log position of the snapshot in the store (0: none).
    let saved_at = StoredValue::new(0u64);

    let refresh = move |rebuild: bool| {
        if rebuild {
            from_zero.set_value(true);
        }
        if running.get_value() {
            again.set_value(true);
            return;
        }
        running.set_value(true);
        rebuilding.set(true);
        let s = store.get_value();
        spawn_local(async move {
            loop {
                again.set_value(false);
                let current = models.get_untracked().and_then(Result::ok);
                let start = if from_zero.get_value() {
                    from_zero.set_value(false);
                    Ok((
                        Snapshot::empty(),
                        "Rebuilt from the beginning of the log".to_owned(),
                    ))
                } else if let Some(current) = current {
                    let note = format!(
                        "Continued from #{} folded on this page",
                        current.snapshot.position
                    );
                    Ok((current.snapshot, note))
                } else {
                    stored_start(&s)
                        .await
                        .inspect(|(snapshot, _)| saved_at.set_value(snapshot.position))
                };
                let result = match start {
                    Err(e) => Err(e),
                    Ok((snapshot, note)) => {
                        let from = snapshot.position;
                        let mut damaged = Vec::new();
                        match fold(&s, snapshot, progress, &mut damaged).await {
                            Err(e) => Err(e),
                            Ok(snapshot) => {
                                let mut note = start_note(&note, from, &snapshot);
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
                                if snapshot.worth_saving(saved_at.get_value()) {
                                    match s.put_snapshot(SNAPSHOT_NAME, &snapshot.to_json()).await {
                                        Ok(()) => {
                                            saved_at.set_value(snapshot.position);
                                            note.push_str(&format!(
                                                " Stored a new snapshot at #{}.",
                                                snapshot.position
                                            ));
                                        }
                                        Err(StoreError::QuotaExceeded(_)) => note.push_str(
                                            " A new snapshot could not be stored, because the site's storage is full.",
                                        ),
                                        Err(e) => note.push_str(&format!(
                                            " A new snapshot could not be stored ({e})."
                                        )),
                                    }
                                }
                                let head = s.head().await.unwrap_or(snapshot.position);
                                Ok(Folded {
                                    snapshot,
                                    note,
                                    head,
                                })
                            }
                        }
                    }
                };
                models.set(Some(result));
                if !again.get_value() {
                    break;
                }
            }
            running.set_value(false);
            rebuilding.set(false);
        });
    };
    // Fold again whenever the store changes.
    Effect::new(move |_| {
        revision.track();
        refresh(false);
    });

    view! {
        <section class="panel" aria-labelledby="store-rm-heading" data-testid="store-read-models">
            <h2 id="store-rm-heading">"Read models"</h2>
            <div class="form-actions">
                <button type="button" class="secondary" on:click=move |_| refresh(true) disabled=move || rebuilding.get() data-testid="rebuild">"Rebuild from the log"</button>
                {move || progress.get().map(|(done, total)| view! {
                    <progress max=total.max(1).to_string() value=done.to_string() aria-label="Rebuild progress"></progress>
                    <span class="muted" data-testid="rebuild-progress">{format!("{done} of {total} events read")}</span>
                })}
            </div>
            {move || models.get().map(|r| match r {
                Err(e) => view! { <ErrorView title="Could not read the log" message=e/> }.into_any(),
                Ok(Folded { snapshot, note, head }) => {
                    let m = snapshot.models;
                    let checkpoint = m.dashboard.checkpoint.position.max(m.customers.checkpoint.position);
                    let lag = head.saturating_sub(checkpoint);
                    view! {
                        <p class="muted" data-testid="rm-start">{note}</p>
                        <p class="muted" data-testid="rm-checkpoint">{format!(
                            "Checkpoint #{checkpoint}; {lag} later events are not domain events ({} skipped in all: hand-published, unreadable or damaged).",
                            snapshot.skipped
                        )}</p>
                        <h3>"QuoteDashboardView"</h3>
                        <table data-testid="console-dashboard">
                            <thead><tr><th scope="col">"Status"</th><th scope="col">"Quotes"</th><th scope="col">"Premiums"</th></tr></thead>
                            <tbody>
                                {[QuoteStatus::Requested, QuoteStatus::Issued, QuoteStatus::Accepted, QuoteStatus::Expired].into_iter().map(|s| view! {
                                    <tr><td>{s.name()}</td><td>{m.dashboard.count(s)}</td><td>{format!("£{}.{:02}", m.dashboard.premium(s) / 100, m.dashboard.premium(s) % 100)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <h3>"CustomerView"</h3>
                        <table data-testid="console-customers">
                            <thead><tr><th scope="col">"Customer"</th><th scope="col">"Name"</th><th scope="col">"Postcode"</th><th scope="col">"Quotes"</th><th scope="col">"Active policies"</th></tr></thead>
                            <tbody>
                                {m.customers.customers.iter().take(50).map(|(id, r)| view! {
                                    <tr><td>{id.clone()}</td><td>{r.name.clone()}</td><td>{r.postcode.clone()}</td><td>{r.quotes}</td><td>{r.active_policies}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <h3>"CustomersByPostcodeView"</h3>
                        <p>{m.by_postcode.districts.iter().map(|(d, s)| format!("{d}: {}", s.len())).collect::<Vec<_>>().join(" · ")}</p>
                    }.into_any()
                }
            })}
        </section>
    }
}
