//! Discovery: a schema per event type from the events seen, in the event store, in the
//! channels lab's traffic or in the workshop's, each registered into
//! `discovered-schemas` with one click (and refused, with the reason per field, when it
//! breaks the schema's compatibility mode).

use super::{scan_store, Picked};
use crate::components::ErrorView;
use crate::state::{use_store, StoreContext};
use dojo_engine::discovery::Discovery;
use dojo_engine::schemas::registry::{Origin, Registered, DISCOVERED};
use dojo_engine::services::{bus_detail, BUS_SOURCE};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use std::collections::BTreeMap;

/// Where discovery reads events from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Store,
    Lab,
    Workshop,
}

impl Source {
    const ALL: [Source; 3] = [Source::Store, Source::Lab, Source::Workshop];

    fn key(self) -> &'static str {
        match self {
            Source::Store => "store",
            Source::Lab => "lab",
            Source::Workshop => "workshop",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Source::Store => "The event store (named by CloudEvents type)",
            Source::Lab => "The channels lab's bus events (named source@detail-type)",
            Source::Workshop => "The workshop scenario's bus events (named source@detail-type)",
        }
    }
}

/// One event type discovery found.
#[derive(Clone, Debug, PartialEq)]
struct FoundType {
    name: String,
    events: u64,
    shapes: usize,
    fields: usize,
    document: Value,
}

/// What one discovery run found.
#[derive(Clone, Debug, PartialEq)]
struct Found {
    source: Source,
    read: u64,
    took_ms: f64,
    types: Vec<FoundType>,
}

fn found_types(discovery: &Discovery) -> Vec<FoundType> {
    discovery
        .types
        .iter()
        .map(|(name, d)| {
            let document = d.inferred.to_schema();
            let fields = dojo_engine::schemas::Schema::from_json(&document)
                .map_or(0, |s| s.field_paths().len());
            FoundType {
                name: name.clone(),
                events: d.events,
                shapes: d.versions.len(),
                fields,
                document,
            }
        })
        .collect()
}

/// The lab's bus events, from its saved document.
async fn from_lab(ctx: &StoreContext) -> Discovery {
    let mut discovery = Discovery::default();
    let lab = ctx
        .load_document::<crate::features::lab::Lab>(crate::features::lab::DOCUMENT)
        .await
        .unwrap_or_default();
    for entry in lab.bus_entries() {
        discovery.add(
            &format!("{}@{}", entry.source, entry.detail_type),
            &entry.detail,
        );
    }
    discovery
}

/// The workshop scenario's bus events: the saved session's scenario, run here.
async fn from_workshop(ctx: &StoreContext) -> Result<Discovery, String> {
    use crate::features::workshop::{scenario_of, session};
    let saved = ctx
        .load_document::<session::Session>(session::DOCUMENT)
        .await
        .and_then(session::usable)
        .unwrap_or_default();
    let scenario = scenario_of(&saved)
        .ok_or_else(|| "the workshop's saved scenario could not be read".to_owned())?;
    let outcome = dojo_engine::services::run(&scenario, false);
    let mut discovery = Discovery::default();
    for entry in outcome.timeline.entries() {
        let detail = bus_detail(scenario.style, &entry.event, entry.at_ms);
        discovery.add(
            &format!("{BUS_SOURCE}@{}", entry.event.type_name()),
            &detail,
        );
    }
    Ok(discovery)
}

async fn discover(ctx: StoreContext, source: Source) -> Result<Found, String> {
    let started = js_sys::Date::now();
    let (discovery, read) = match source {
        Source::Store => {
            let mut discovery = Discovery::default();
            let read = scan_store(&ctx, |e| {
                discovery.add(&e.event_type, e.data.as_ref().unwrap_or(&Value::Null))
            })
            .await
            .map_err(|e| crate::advice::explain(&e))?;
            (discovery, read)
        }
        Source::Lab => {
            let d = from_lab(&ctx).await;
            let read = d.types.values().map(|t| t.events).sum();
            (d, read)
        }
        Source::Workshop => {
            let d = from_workshop(&ctx).await?;
            let read = d.types.values().map(|t| t.events).sum();
            (d, read)
        }
    };
    Ok(Found {
        source,
        read,
        took_ms: js_sys::Date::now() - started,
        types: found_types(&discovery),
    })
}

fn empty_advice(source: Source) -> &'static str {
    match source {
        Source::Store => "The event store has no events yet. Publish one on the Event store page, run a command in the Event console, or load the sample history there, then discover again.",
        Source::Lab => "The channels lab has sent no events to a bus yet. Put an event on a bus in the lab's Try it panel, then discover again.",
        Source::Workshop => "The workshop scenario published nothing. Choose a preset on the Workshop page, then discover again.",
    }
}

#[component]
pub fn DiscoverPanel() -> impl IntoView {
    let ctx = use_store();
    let picked = expect_context::<Picked>();
    let source = RwSignal::new(Source::Store);
    let found = RwSignal::new(None::<Result<Found, String>>);
    let busy = RwSignal::new(false);
    // Per event type, what registering it did.
    let outcomes = RwSignal::new(BTreeMap::<String, Result<String, String>>::new());
    let run = move |_| {
        busy.set(true);
        outcomes.set(BTreeMap::new());
        spawn_local(async move {
            found.set(Some(discover(picked.store(), source.get_untracked()).await));
            busy.set(false);
        });
    };
    let register = move |t: &FoundType| {
        let ctx = picked.store();
        let mut next = ctx.schemas.get_untracked();
        let outcome = match next.register(
            DISCOVERED,
            &t.name,
            &t.document,
            Origin::Discovered,
            &crate::browser::now_rfc3339(),
        ) {
            Ok(Registered::New(v)) => {
                ctx.update_schemas(|r| *r = next);
                picked.pick(DISCOVERED, &t.name);
                Ok(format!("Registered as v{v}"))
            }
            Ok(Registered::Same(v)) => Ok(format!("Already registered as v{v}")),
            Err(e) => Err(e.to_string()),
        };
        outcomes.update(|o| {
            o.insert(t.name.clone(), outcome);
        });
    };
    let table = move |f: Found| {
        if f.types.is_empty() {
            return view! { <p class="empty-state" data-testid="discover-empty">{empty_advice(f.source)}</p> }.into_any();
        }
        let registered = ctx.schemas.get();
        let rows = f.types.into_iter().map(|t| {
            let name = t.name.clone();
            let in_registry = registered
                .entry(DISCOVERED, &t.name)
                .and_then(|e| e.latest().map(|v| v.version));
            let row = t.clone();
            let outcome_name = name.clone();
            view! {
                <tr data-testid="discovered-row">
                    <th scope="row"><code>{name.clone()}</code></th>
                    <td class="num">{t.events}</td>
                    <td class="num">{t.shapes}</td>
                    <td class="num">{t.fields}</td>
                    <td>{in_registry.map_or("not yet".to_owned(), |v| format!("v{v}"))}</td>
                    <td>
                        <button type="button" class="secondary" data-testid="discovered-register"
                            aria-label=format!("Register {name}") on:click=move |_| register(&row)>"Register"</button>
                        {move || outcomes.with(|o| o.get(&outcome_name).cloned()).map(|r| match r {
                            Ok(t) => view! { <p class="form-status" role="status">{t}</p> }.into_any(),
                            Err(e) => view! { <ErrorView title="Not registered" message=e/> }.into_any(),
                        })}
                    </td>
                </tr>
            }
        }).collect_view();
        view! {
            <p class="muted" data-testid="discover-summary">{format!(
                "Read {} events in {:.0} ms: {} event types.",
                f.read, f.took_ms, rows.len()
            )}</p>
            <div class="table-scroll">
                <table class="data-table" data-testid="discovered">
                    <thead><tr>
                        <th scope="col">"Event type"</th><th scope="col">"Events"</th>
                        <th scope="col" title="How many times an event changed the inferred schema">"Shapes seen"</th>
                        <th scope="col">"Fields"</th><th scope="col">"In the registry"</th><th scope="col">"Register"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }.into_any()
    };
    view! {
        <section class="panel" aria-labelledby="schemas-discover">
            <h2 id="schemas-discover">"1. Discover"</h2>
            <p class="panel-intro">"As EventBridge's schema discovery does: one schema per event type, with each field's type, the fields every event had as required, nested objects and lists, and a format (date-time, email, uuid) only where every value had it."</p>
            <fieldset class="mode-picker">
                <legend>"Read events from"</legend>
                {Source::ALL.into_iter().map(|s| view! {
                    <label>
                        <input type="radio" name="discover-source" value=s.key() data-testid=format!("discover-{}", s.key())
                            prop:checked=move || source.get() == s on:change=move |_| source.set(s)/>
                        {s.label()}
                    </label>
                }).collect_view()}
            </fieldset>
            <button type="button" class="primary" data-testid="discover-run" on:click=run prop:disabled=move || busy.get()>
                {move || if busy.get() { "Discovering…" } else { "Discover schemas" }}
            </button>
            <div aria-live="polite">
            {move || found.get().map(|r| match r {
                Ok(f) => table(f),
                Err(e) => view! { <ErrorView title="Could not discover" message=e/> }.into_any(),
            })}
            </div>
        </section>
    }
}
