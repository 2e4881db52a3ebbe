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
                <p><A href=crate::paths::href("/store")>"← Back to the event log"</A></p>
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
                        let data = e.data.clone().unwrap_or(serde_json::Value::Null);
                        view! {
                            <p class="panel-intro">"The envelope as CloudEvents 1.0 JSON, with the store's extension attributes."</p>
                            <crate::components::SchemaVersionNote name=e.event_type.clone() data=data/>
                            <pre class="json envelope" data-testid="envelope-json" tabindex="0" aria-label="The envelope">{json}</pre>
                            <Chain event=e.clone()/>
                        }.into_any()
                    }
                }}
            </section>
        </div>
    }
}

const CHAIN_SCAN_PAGE: usize = 2000;
const CHAIN_LIMIT: usize = 50;

/// The causation and correlation chain of an event, as links: the event that caused it,
/// and the others that share its correlation id. Found by scanning the log in pages.
#[component]
fn Chain(event: dojo_engine::EventEnvelope) -> impl IntoView {
    let ctx = use_store();
    let store = ctx.store.clone();
    let correlation = event.correlation_id.clone();
    let causation = event.causation_id.clone();
    let own = event.id.clone();
    let chain = LocalResource::new(move || {
        let store = store.clone();
        let (correlation, causation, own) = (correlation.clone(), causation.clone(), own.clone());
        async move {
            let mut cause = None;
            let mut related = Vec::new();
            let mut from = 1;
            if correlation.is_none() && causation.is_none() {
                return Ok((None, Vec::new()));
            }
            loop {
                let page = store.read_all(from, CHAIN_SCAN_PAGE).await?;
                let Some(last) = page.last() else { break };
                from = last.position + 1;
                for e in &page {
                    if causation.as_deref() == Some(e.id.as_str()) {
                        cause = Some((e.position, e.event_type.clone()));
                    }
                    if e.id != own
                        && correlation.is_some()
                        && e.correlation_id == correlation
                        && related.len() < CHAIN_LIMIT
                    {
                        related.push((e.position, e.event_type.clone()));
                    }
                }
            }
            Ok::<_, dojo_engine::StoreError>((cause, related))
        }
    });
    let correlation_label = event.correlation_id.clone();
    let causation_label = event.causation_id.clone();
    view! {
        <h2>"Causation and correlation"</h2>
        {move || match chain.get() {
            None => view! { <p class="muted">"Following the chain…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorView title="Could not follow the chain" message=e.to_string()/> }.into_any(),
            Some(Ok((cause, related))) => view! {
                <dl class="chain" data-testid="event-chain">
                    <dt>"Caused by"</dt>
                    <dd data-testid="chain-cause">{match (cause, causation_label.clone()) {
                        (Some((p, ty)), _) => view! { <a href=crate::paths::href(&format!("/event/{p}"))>{format!("#{p} {ty}")}</a> }.into_any(),
                        (None, Some(c)) => view! { <span>{format!("{c} (a command or the start of a journey, not an event in this store)")}</span> }.into_any(),
                        (None, None) => view! { <span>"nothing recorded"</span> }.into_any(),
                    }}</dd>
                    <dt>"Correlation"</dt>
                    <dd>{correlation_label.clone().unwrap_or_else(|| "none".into())}</dd>
                    <dt>"Same correlation"</dt>
                    <dd>
                        <ul class="chain-links" data-testid="chain-related">
                            {related.into_iter().map(|(p, ty)| view! { <li><a href=crate::paths::href(&format!("/event/{p}"))>{format!("#{p} {ty}")}</a></li> }).collect_view()}
                        </ul>
                    </dd>
                </dl>
            }.into_any(),
        }}
    }
}
