//! One event's page: its whole CloudEvents envelope as JSON, addressable by position.

use crate::components::ErrorView;
use crate::state::use_store;
use dojo_engine::EventStore;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EventDetailPage() -> impl IntoView {
    let ctx = use_store();
    let params = use_params_map();
    let position = move || params.with(|p| p.get("position").and_then(|s| s.parse::<u64>().ok()));
    let store = ctx.store.clone();
    let event = LocalResource::new(move || {
        let store = store.clone();
        let position = position();
        async move {
            match position {
                Some(p) if p > 0 => store
                    .read_all(p, 1)
                    .await
                    .map(|mut v| v.pop().filter(|e| e.position == p)),
                _ => Ok(None),
            }
        }
    });
    view! {
        <div class="page">
            <section class="panel" aria-labelledby="detail-heading">
                <p><A href="/">"← Back to the event log"</A></p>
                <h1 id="detail-heading">{move || match position() {
                    Some(p) => format!("Event #{p}"),
                    None => "Event".to_owned(),
                }}</h1>
                {move || match event.get() {
                    None => view! { <p class="muted">"Reading…"</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorView title="Could not read the event" message=e.to_string()/> }.into_any(),
                    Some(Ok(None)) => view! {
                        <ErrorView title="No such event" message="There is no event at that position in this store."
                            hint="Positions start at 1; open the event log to see which exist."/>
                    }.into_any(),
                    Some(Ok(Some(e))) => {
                        let json = serde_json::to_string_pretty(&e).unwrap_or_default();
                        view! {
                            <p class="panel-intro">"The envelope as CloudEvents 1.0 JSON, with the store's extension attributes."</p>
                            <pre class="json envelope" data-testid="envelope-json">{json}</pre>
                        }.into_any()
                    }
                }}
            </section>
        </div>
    }
}
