//! The read models folded from the event store, with their checkpoint and a rebuild that
//! reads the log page by page and shows its progress.

use crate::components::ErrorView;
use crate::state::use_store;
use dojo_engine::domain::{DomainEvent, QuoteStatus};
use dojo_engine::projection::{HistoryEntry, Projection, ReadModels};
use dojo_engine::EventStore;
use leptos::prelude::*;
use leptos::task::spawn_local;

const PAGE: usize = 500;

/// Lets the browser paint between pages of a long fold.
async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Folds every domain event in the store into fresh read models, reporting progress.
async fn fold(
    store: crate::storage::IdbStore,
    progress: RwSignal<Option<(u64, u64)>>,
) -> Result<(ReadModels, u64), String> {
    let head = store.head().await.map_err(|e| e.to_string())?;
    let mut models = ReadModels::default();
    let mut from = 1;
    let mut ignored = 0;
    loop {
        let page = store
            .read_all(from, PAGE)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        for e in &page {
            match DomainEvent::from_envelope(e) {
                Some(Ok(event)) => models.apply(&HistoryEntry {
                    position: e.position,
                    at_ms: 0,
                    event,
                }),
                _ => ignored += 1,
            }
        }
        progress.set(Some((from - 1, head)));
        yield_to_browser().await;
    }
    Ok((models, ignored))
}

#[component]
pub fn StoreReadModels() -> impl IntoView {
    let ctx = use_store();
    let store = StoredValue::new_local(ctx.store.clone());
    let revision = ctx.revision;
    let progress = RwSignal::new(None::<(u64, u64)>);
    let models = RwSignal::new(None::<Result<(ReadModels, u64), String>>);
    let rebuilding = RwSignal::new(false);
    let head = RwSignal::new(0u64);

    let refresh = move || {
        let s = store.get_value();
        rebuilding.set(true);
        spawn_local(async move {
            if let Ok(h) = s.head().await {
                head.set(h);
            }
            let result = fold(s, progress).await;
            models.set(Some(result));
            rebuilding.set(false);
        });
    };
    // Re-fold whenever the store changes.
    Effect::new(move |_| {
        revision.track();
        refresh();
    });

    view! {
        <section class="panel" aria-labelledby="store-rm-heading" data-testid="store-read-models">
            <h2 id="store-rm-heading">"Read models"</h2>
            <div class="form-actions">
                <button type="button" class="secondary" on:click=move |_| refresh() disabled=move || rebuilding.get() data-testid="rebuild">"Rebuild from the log"</button>
                {move || progress.get().map(|(done, total)| view! {
                    <progress max=total.max(1).to_string() value=done.to_string() aria-label="Rebuild progress"></progress>
                    <span class="muted" data-testid="rebuild-progress">{format!("{done} of {total} events read")}</span>
                })}
            </div>
            {move || models.get().map(|r| match r {
                Err(e) => view! { <ErrorView title="Could not read the log" message=e/> }.into_any(),
                Ok((m, ignored)) => {
                    let checkpoint = m.dashboard.checkpoint().position.max(m.customers.checkpoint().position);
                    let lag = head.get().saturating_sub(checkpoint);
                    view! {
                        <p class="muted" data-testid="rm-checkpoint">{format!(
                            "Checkpoint #{checkpoint}; {lag} later events are not domain events ({ignored} hand-published events skipped in all)."
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
