//! The read models folded from the event store, with their checkpoint and a rebuild that
//! shows its progress. The folding happens in the store worker (`dojo_idb::fold`): it
//! reads the log page by page off the page's thread, keeps the models between folds,
//! stores a snapshot beside the events every 1,000 events, and sends back what this
//! panel shows.

use crate::components::ErrorView;
use crate::state::use_store;
use crate::storage::worker::{ModelsView, Report, StoreWorker, ToWorker};
use leptos::prelude::*;

#[component]
pub fn StoreReadModels() -> impl IntoView {
    let revision = use_store().revision;
    let progress = RwSignal::new(None::<(u64, u64)>);
    let models = RwSignal::new(None::<Result<ModelsView, String>>);
    // The fold the panel wants next (`Some(from_zero)`), and whether one is running:
    // one fold at a time, and changes during a fold ask for one more after it.
    let wanted = RwSignal::new(None::<bool>);
    let running = RwSignal::new(false);
    // Dropped (and so stopped) with the page; replaced when it broke.
    let worker = StoredValue::new_local(None::<StoreWorker>);
    let broken = StoredValue::new(false);

    let on_report = move |report: Report| match report {
        Report::Folding { done, total } => {
            progress.try_set(Some((done, total)));
        }
        Report::Folded(view) => {
            models.try_set(Some(Ok(*view)));
            running.try_set(false);
        }
        Report::FoldFailed(why) => {
            models.try_set(Some(Err(why)));
            running.try_set(false);
        }
        Report::Broken(why) => {
            broken.set_value(true);
            models.try_set(Some(Err(why)));
            running.try_set(false);
        }
        _ => {}
    };
    let ask = move |from_zero: bool| {
        if broken.get_value() {
            // The worker stopped (its script did not load, or it crashed): a new one
            // starts from the stored snapshot.
            broken.set_value(false);
            worker.set_value(None);
        }
        let job = ToWorker::Fold { from_zero };
        let sent = match worker.with_value(|w| w.as_ref().map(|w| w.send(&job))) {
            Some(sent) => sent,
            None => StoreWorker::start(&job, None, on_report)
                .map(|started| worker.set_value(Some(started))),
        };
        if let Err(why) = sent {
            models.set(Some(Err(why)));
            running.set(false);
        }
    };
    // Whenever no fold runs and one is wanted, it starts.
    Effect::new(move |_| {
        if running.get() {
            return;
        }
        if let Some(from_zero) = wanted.get() {
            wanted.set(None);
            running.set(true);
            ask(from_zero);
        }
    });
    // A fold from where the last one ended whenever the store changes, and a rebuild
    // from the beginning of the log on request.
    let want = move |from_zero: bool| {
        wanted.update(|w| *w = Some(from_zero || w.unwrap_or(false)));
    };
    Effect::new(move |_| {
        revision.track();
        want(false);
    });
    let rebuilding = move || running.get() || wanted.get().is_some();

    view! {
        <section class="panel" aria-labelledby="store-rm-heading" data-testid="store-read-models">
            <h2 id="store-rm-heading">"Read models"</h2>
            <div class="form-actions">
                <button type="button" class="secondary" on:click=move |_| want(true) disabled=rebuilding data-testid="rebuild">"Rebuild from the log"</button>
                {move || progress.get().map(|(done, total)| view! {
                    <progress max=total.max(1).to_string() value=done.to_string() aria-label="Rebuild progress"></progress>
                    <span class="muted" data-testid="rebuild-progress">{format!("{done} of {total} events read")}</span>
                })}
            </div>
            {move || models.get().map(|r| match r {
                Err(e) => view! { <ErrorView title="Could not read the log" message=e/> }.into_any(),
                Ok(ModelsView { note, head, checkpoint, skipped, dashboard, customers, districts }) => {
                    let lag = head.saturating_sub(checkpoint);
                    view! {
                        <p class="muted" data-testid="rm-start">{note}</p>
                        <p class="muted" data-testid="rm-checkpoint">{format!(
                            "Checkpoint #{checkpoint}; {lag} later events are not domain events ({skipped} skipped in all: hand-published, unreadable or damaged)."
                        )}</p>
                        <h3>"QuoteDashboardView"</h3>
                        <table data-testid="console-dashboard">
                            <thead><tr><th scope="col">"Status"</th><th scope="col">"Quotes"</th><th scope="col">"Premiums"</th></tr></thead>
                            <tbody>
                                {dashboard.into_iter().map(|(status, quotes, premium)| view! {
                                    <tr><td>{status}</td><td>{quotes}</td><td>{format!("£{}.{:02}", premium / 100, premium % 100)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <h3>"CustomerView"</h3>
                        <table data-testid="console-customers">
                            <thead><tr><th scope="col">"Customer"</th><th scope="col">"Name"</th><th scope="col">"Postcode"</th><th scope="col">"Quotes"</th><th scope="col">"Active policies"</th></tr></thead>
                            <tbody>
                                {customers.into_iter().map(|c| view! {
                                    <tr><td>{c.id}</td><td>{c.name}</td><td>{c.postcode}</td><td>{c.quotes}</td><td>{c.active_policies}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <h3>"CustomersByPostcodeView"</h3>
                        <p>{districts.iter().map(|(d, n)| format!("{d}: {n}")).collect::<Vec<_>>().join(" · ")}</p>
                    }.into_any()
                }
            })}
        </section>
    }
}
