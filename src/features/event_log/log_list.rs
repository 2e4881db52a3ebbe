//! The event log: persisted events, newest first, a page at a time, each with its
//! envelope. It re-reads whenever the store's revision changes.

use crate::components::ErrorView;
use crate::state::use_store;
use dojo_engine::{EventEnvelope, EventStore, StoreError};
use leptos::prelude::*;
use leptos_router::components::A;

/// How many events one "show older" adds.
const PAGE: usize = 50;

/// The newest `count` events and the head position.
async fn newest(
    store: crate::storage::IdbStore,
    count: usize,
) -> Result<(u64, Vec<EventEnvelope>), StoreError> {
    let head = store.head().await?;
    let from = head.saturating_sub(count as u64) + 1;
    let mut events = store.read_all(from, count).await?;
    events.reverse();
    Ok((head, events))
}

#[component]
pub fn EventLog() -> impl IntoView {
    let ctx = use_store();
    let shown = RwSignal::new(PAGE);
    let revision = ctx.revision;
    let store = ctx.store.clone();
    let events = LocalResource::new(move || {
        revision.track();
        newest(store.clone(), shown.get())
    });

    move || {
        match events.get() {
        None => view! { <p class="muted" data-testid="log-loading">"Reading the log…"</p> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorView title="Could not read the event log" message=e.to_string()
                hint="Your events are still stored; reload the page to try again."/>
        }
        .into_any(),
        Some(Ok((0, _))) => view! {
            <p class="empty-state" data-testid="log-empty">
                "No events yet. Publish one with the form: it will appear here and stay after a reload."
            </p>
        }
        .into_any(),
        Some(Ok((head, list))) => {
            let more = head as usize > list.len();
            view! {
                <p class="log-summary" data-testid="log-summary">
                    {format!("{head} event{} in the store, newest first.", if head == 1 { "" } else { "s" })}
                </p>
                <ol class="event-list" data-testid="event-list" reversed>
                    {list.into_iter().map(|e| view! { <EventRow event=e/> }).collect_view()}
                </ol>
                {more.then(|| view! {
                    <button type="button" class="secondary" data-testid="log-more"
                        on:click=move |_| shown.update(|n| *n += PAGE)>
                        "Show older events"
                    </button>
                })}
            }
            .into_any()
        }
    }
    }
}

#[component]
fn EventRow(event: EventEnvelope) -> impl IntoView {
    let data = event
        .data
        .as_ref()
        .map(|d| serde_json::to_string_pretty(d).unwrap_or_default())
        .unwrap_or_default();
    let href = format!("/event/{}", event.position);
    view! {
        <li class="event-row" data-testid="event-row" data-position=event.position>
            <div class="event-head">
                <span class="badge position" title="Global position">{format!("#{}", event.position)}</span>
                <span class="event-type" data-testid="event-type">{event.event_type.clone()}</span>
                <span class="event-stream" title="Stream and version in that stream">
                    {format!("{} · v{}", event.stream_id, event.stream_version)}
                </span>
            </div>
            <dl class="event-meta">
                <div><dt>"source"</dt><dd>{event.source.clone()}</dd></div>
                <div><dt>"time"</dt><dd>{event.time.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"id"</dt><dd class="mono">{event.id.clone()}</dd></div>
            </dl>
            <details class="event-data">
                <summary>"data"</summary>
                <pre class="json" data-testid="event-data">{data}</pre>
            </details>
            <A href=href attr:class="event-link">"Full envelope"</A>
        </li>
    }
}
