//! The evolution lab: propose a change to one field of the picked schema (rename,
//! remove, retype, add a required or an optional field) and see, before accepting it,
//! whether it keeps the compatibility mode, which rules, subscriptions and target inputs
//! name the field (in the channels lab and the workshop's four styles), which read
//! models and aggregates fold the type, and which stored events would no longer fit. A
//! breaking change is accepted only with an upcaster that every stored event survives;
//! a replay then reads every stored event through the upcasters.

use super::{scan_store, Picked};
use crate::components::ErrorView;
use crate::state::{use_store, StoreContext};
use dojo_engine::evolution::{impact, Envelope, Impact, Proposal};
use dojo_engine::schemas::compat::{check, Incompatibility, Mode};
use dojo_engine::schemas::registry::{Entry, Origin, Registered, Version};
use dojo_engine::schemas::upcaster::{trial, Trial, Upcaster};
use dojo_engine::schemas::{JsonType, Schema};
use dojo_engine::services::{topology, Style};
use dojo_engine::topology::Topology;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Rename,
    Remove,
    Retype,
    AddRequired,
    AddOptional,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Rename,
        Kind::Remove,
        Kind::Retype,
        Kind::AddRequired,
        Kind::AddOptional,
    ];

    fn key(self) -> &'static str {
        match self {
            Kind::Rename => "rename",
            Kind::Remove => "remove",
            Kind::Retype => "retype",
            Kind::AddRequired => "add-required",
            Kind::AddOptional => "add-optional",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Rename => "Rename a field",
            Kind::Remove => "Remove a field",
            Kind::Retype => "Change a field's type",
            Kind::AddRequired => "Add a required field",
            Kind::AddOptional => "Add an optional field",
        }
    }

    fn adds(self) -> bool {
        matches!(self, Kind::AddRequired | Kind::AddOptional)
    }
}

const TYPES: [JsonType; 5] = [
    JsonType::String,
    JsonType::Integer,
    JsonType::Number,
    JsonType::Boolean,
    JsonType::Object,
];

/// What the learner filled in.
#[derive(Clone, Copy)]
struct Draft {
    kind: RwSignal<Kind>,
    field: RwSignal<String>,
    new_name: RwSignal<String>,
    of: RwSignal<String>,
    default: RwSignal<String>,
}

impl Draft {
    fn proposal(&self) -> Result<Proposal, String> {
        let kind = self.kind.get_untracked();
        let field = self.field.get_untracked().trim().to_owned();
        let new_name = self.new_name.get_untracked().trim().to_owned();
        let of = JsonType::parse(&self.of.get_untracked()).unwrap_or(JsonType::String);
        if field.is_empty() {
            return Err(if kind.adds() {
                "Name the new field.".into()
            } else {
                "Choose the field to change.".into()
            });
        }
        Ok(match kind {
            Kind::Rename => {
                if new_name.is_empty() {
                    return Err("Give the field its new name.".into());
                }
                Proposal::Rename {
                    path: field,
                    to: new_name,
                }
            }
            Kind::Remove => Proposal::Remove { path: field },
            Kind::Retype => Proposal::Retype {
                path: field,
                to: of,
            },
            Kind::AddRequired => {
                let text = self.default.get_untracked();
                let default: Value = serde_json::from_str(text.trim()).map_err(|e| {
                    format!("The default for old events is not JSON ({e}); write text in double quotes, for example \"GBP\".")
                })?;
                Proposal::AddRequired {
                    path: field,
                    of,
                    default,
                }
            }
            Kind::AddOptional => Proposal::AddOptional { path: field, of },
        })
    }
}

/// Everything the lab found for one proposal.
#[derive(Clone)]
struct Analysis {
    name: String,
    registry: String,
    mode: Mode,
    next: u32,
    impact: Impact,
    breaks: Vec<Incompatibility>,
    /// The stored events of the type: position and data.
    stored: Vec<(u64, Value)>,
    has_store_type: bool,
}

/// The designs whose consumers the lab looks through: the channels lab's, and the
/// workshop's in each style.
async fn designs(ctx: &StoreContext) -> Vec<(String, Topology)> {
    let mut out = Vec::new();
    if let Some(lab) = ctx
        .load_document::<crate::features::lab::Lab>(crate::features::lab::DOCUMENT)
        .await
    {
        out.push(("Channels lab".to_owned(), lab.topology));
    }
    for style in [
        Style::Notification,
        Style::EventCarriedState,
        Style::EventSourcing,
        Style::Cqrs,
    ] {
        out.push((format!("Workshop: {}", style.name()), topology(style)));
    }
    out
}

/// The stored events of the CloudEvents type `event_type`: position and data.
async fn stored_of(ctx: &StoreContext, event_type: &str) -> Result<Vec<(u64, Value)>, String> {
    let mut out = Vec::new();
    scan_store(ctx, |e| {
        if e.event_type == event_type {
            out.push((e.position, e.data.clone().unwrap_or(Value::Null)));
        }
    })
    .await
    .map_err(|e| crate::advice::explain(&e))?;
    Ok(out)
}

async fn analyse(
    ctx: StoreContext,
    registry: String,
    name: String,
    entry: Entry,
    proposal: Proposal,
) -> Result<Analysis, String> {
    let current = entry
        .latest()
        .map(Version::schema)
        .ok_or("The schema has no version yet.")?;
    let envelope = Envelope::of_schema(&name);
    // Stored events are named by CloudEvents type; a bus schema (source@detail-type) has none.
    let has_store_type = envelope.source.is_none();
    let stored = if has_store_type {
        stored_of(&ctx, &name).await?
    } else {
        Vec::new()
    };
    let designs = designs(&ctx).await;
    let sample = dojo_engine::workload::insurance_entries(800, 7);
    let impact = impact(
        &name,
        &current,
        &proposal,
        &designs,
        &sample,
        stored.iter().map(|(p, v)| (*p, v)),
    )
    .map_err(|e| e.to_string())?;
    let earlier: Vec<Schema> = entry.versions.iter().map(Version::schema).collect();
    let breaks = check(entry.compatibility, &earlier, &impact.proposed);
    Ok(Analysis {
        name,
        registry,
        mode: entry.compatibility,
        next: entry.versions.len() as u32 + 1,
        impact,
        breaks,
        stored,
        has_store_type,
    })
}

#[component]
pub fn EvolutionLab() -> impl IntoView {
    let ctx = use_store();
    let picked = expect_context::<Picked>();
    let entry = Memo::new(move |_| {
        let (r, n) = (picked.registry.get(), picked.name.get());
        ctx.schemas.with(|s| s.entry(&r, &n).cloned())
    });
    let fields = Memo::new(move |_| {
        entry
            .get()
            .and_then(|e| e.latest().map(|v| v.schema().field_paths()))
            .unwrap_or_default()
            .into_iter()
            .filter(|p| !p.contains("[]"))
            .collect::<Vec<_>>()
    });
    let draft = Draft {
        kind: RwSignal::new(Kind::Rename),
        field: RwSignal::new(String::new()),
        new_name: RwSignal::new(String::new()),
        of: RwSignal::new("string".to_owned()),
        default: RwSignal::new("\"\"".to_owned()),
    };
    let analysis = RwSignal::new(None::<Result<Analysis, String>>);
    let busy = RwSignal::new(false);
    // A different schema or change starts over.
    Effect::new(move |_| {
        let _ = (picked.name.get(), picked.registry.get(), draft.kind.get());
        analysis.set(None);
        draft.field.set(String::new());
    });
    let see = move |_| {
        let proposal = match draft.proposal() {
            Ok(p) => p,
            Err(e) => return analysis.set(Some(Err(e))),
        };
        let Some(entry) = entry.get_untracked() else {
            return;
        };
        busy.set(true);
        let (r, n) = (picked.registry.get_untracked(), picked.name.get_untracked());
        spawn_local(async move {
            analysis.set(Some(analyse(picked.store(), r, n, entry, proposal).await));
            busy.set(false);
        });
    };
    view! {
        <section class="panel evolution-lab" aria-labelledby="schemas-evolve" id="evolve">
            <h2 id="schemas-evolve">"3. Evolution lab"</h2>
            <p class="panel-intro">"Propose a change to one field of the schema picked in the registry, and see who it breaks before you accept it: the compatibility mode, the rules, subscriptions and target inputs that name the field, the read models and aggregates that fold the event, and the stored events that would no longer fit."</p>
            {move || entry.get().is_none().then(|| view! {
                <p class="empty-state" data-testid="evolve-empty">"Register a schema first (discover one above), then pick it in the registry."</p>
            })}
            <div hidden=move || entry.get().is_none()>
                <p data-testid="evolve-schema">"Changing "<strong>{move || picked.name.get()}</strong>{move || format!(" (latest v{}, {} mode)", entry.get().map_or(0, |e| e.versions.len()), entry.get().map_or(Mode::None, |e| e.compatibility))}</p>
                <div class="inline-fields">
                    <div class="field">
                        <label for="evolve-kind">"Change"</label>
                        <select id="evolve-kind" data-testid="evolve-kind" on:change=move |ev| {
                            let key = event_target_value(&ev);
                            if let Some(k) = Kind::ALL.into_iter().find(|k| k.key() == key) { draft.kind.set(k) }
                        }>
                            {Kind::ALL.into_iter().map(|k| view! {
                                <option value=k.key() prop:selected=move || draft.kind.get() == k>{k.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <ProposalInputs draft=draft fields=fields/>
                </div>
                <button type="button" class="primary" data-testid="evolve-see" on:click=see prop:disabled=move || busy.get()>
                    {move || if busy.get() { "Looking…" } else { "See what it breaks" }}
                </button>
            </div>
            <div aria-live="polite">
            {move || analysis.get().map(|r| match r {
                Ok(a) => view! { <ImpactView analysis=a/> }.into_any(),
                Err(e) => view! { <ErrorView title="Cannot look at this change" message=e/> }.into_any(),
            })}
            </div>
        </section>
    }
}

#[component]
fn ProposalInputs(draft: Draft, fields: Memo<Vec<String>>) -> impl IntoView {
    let kind = draft.kind;
    view! {
        {move || if kind.get().adds() {
            view! {
                <div class="field">
                    <label for="evolve-new-field">"New field"</label>
                    <input id="evolve-new-field" data-testid="evolve-new-field" placeholder="currency"
                        prop:value=move || draft.field.get() on:input=move |ev| draft.field.set(event_target_value(&ev))/>
                </div>
            }.into_any()
        } else {
            view! {
                <div class="field">
                    <label for="evolve-field">"Field"</label>
                    <crate::components::Choice id="evolve-field" testid="evolve-field" value=draft.field options=fields none="Choose a field"/>
                </div>
            }.into_any()
        }}
        <div class="field" hidden=move || kind.get() != Kind::Rename>
            <label for="evolve-new-name">"New name"</label>
            <input id="evolve-new-name" data-testid="evolve-new-name" prop:value=move || draft.new_name.get()
                on:input=move |ev| draft.new_name.set(event_target_value(&ev))/>
        </div>
        <div class="field" hidden=move || !matches!(kind.get(), Kind::Retype | Kind::AddRequired | Kind::AddOptional)>
            <label for="evolve-type">"Type"</label>
            <select id="evolve-type" data-testid="evolve-type" on:change=move |ev| draft.of.set(event_target_value(&ev))>
                {TYPES.into_iter().map(|t| view! {
                    <option value=t.name() prop:selected=move || draft.of.get() == t.name()>{t.name()}</option>
                }).collect_view()}
            </select>
        </div>
        <div class="field" hidden=move || kind.get() != Kind::AddRequired>
            <label for="evolve-default">"Value for old events (JSON)"</label>
            <input id="evolve-default" class="mono" data-testid="evolve-default" prop:value=move || draft.default.get()
                on:input=move |ev| draft.default.set(event_target_value(&ev))/>
        </div>
    }
}

#[component]
fn ImpactView(analysis: Analysis) -> impl IntoView {
    let a = analysis;
    let compat = if a.breaks.is_empty() {
        view! { <p class="verdict ok" data-testid="evolve-compat">{format!("v{} keeps {}: {}", a.next, a.mode, a.mode.promise())}</p> }.into_any()
    } else {
        view! {
            <div data-testid="evolve-compat">
                <p class="verdict broken">{format!("v{} breaks {}: registering it is refused unless an upcaster carries old events across.", a.next, a.mode)}</p>
                <ul>{a.breaks.iter().flat_map(|inc| inc.breaks.iter().map(move |b| view! {
                    <li>{format!("{} against v{}: {b}", inc.direction, inc.version)}</li>
                })).collect_view()}</ul>
            </div>
        }.into_any()
    };
    let consumers = if a.impact.patterns.is_empty() {
        view! { <p class="muted" data-testid="evolve-consumers">"No rule, subscription filter or target input in your designs names this field."</p> }.into_any()
    } else {
        view! {
            <ul data-testid="evolve-consumers">{a.impact.patterns.iter().map(|u| view! {
                <li class="broken-item"><strong>{u.design.clone()}</strong>": "{u.consumer.clone()}" reads "<code>{u.path.clone()}</code></li>
            }).collect_view()}</ul>
        }.into_any()
    };
    let takes = a.impact.takes_field_away;
    let readers = if a.impact.readers.is_empty() {
        view! { <p class="muted" data-testid="evolve-readers">{format!("No read model or aggregate of the insurance system folds {}.", a.name)}</p> }.into_any()
    } else {
        view! {
            <ul data-testid="evolve-readers">{a.impact.readers.iter().map(|r| {
                let what = match (takes, r.reads_field) {
                    (true, true) => "reads this field: breaks",
                    (true, false) => "folds this event, so it breaks too: the engine reads events strictly, and an event without the field it expects cannot be read",
                    (false, true) => "reads this field: keeps working (the field is still there)",
                    (false, false) => "folds this event: keeps working (a field it does not know is ignored)",
                };
                view! { <li class:broken-item=takes>{format!("{} ({}) {what}", r.reader.name, r.reader.kind)}</li> }
            }).collect_view()}</ul>
        }.into_any()
    };
    let stored = &a.impact.stored;
    let stored_view = if !a.has_store_type {
        view! { <p class="muted" data-testid="evolve-stored">"Bus events (source@detail-type) are not kept in the event store, so no stored event is checked."</p> }.into_any()
    } else {
        let examples = stored.examples.iter().map(|(p, why)| view! {
            <li><a href=crate::paths::href(&format!("/event/{p}"))>{format!("#{p}")}</a>": "{why.clone()}</li>
        }).collect_view();
        view! {
            <div data-testid="evolve-stored">
                <p>{format!("{} stored {} events checked: {} would no longer fit v{}.", stored.checked, a.name, stored.misfits, a.next)}</p>
                <ul>{examples}</ul>
            </div>
        }.into_any()
    };
    view! {
        <div class="impact" data-testid="evolve-impact">
            <h3>"Compatibility"</h3>
            {compat}
            <h3>"Rules, subscriptions and target inputs"</h3>
            {consumers}
            <h3>"Read models and aggregates"</h3>
            {readers}
            <h3>"Stored events"</h3>
            {stored_view}
            <Accept analysis=a.clone()/>
        </div>
    }
}

/// The upcaster, its trial on the stored events, accepting the change, and the replay.
#[component]
fn Accept(analysis: Analysis) -> impl IntoView {
    let picked = expect_context::<Picked>();
    let a = StoredValue::new(analysis);
    let needs_upcaster = a.with_value(|a| !a.breaks.is_empty());
    let text = RwSignal::new(a.with_value(|a| a.impact.upcaster.to_text()));
    // The trial of the text as it was when tried.
    let tried = RwSignal::new(None::<(String, Result<Trial, String>)>);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let accepted = RwSignal::new(false);
    let try_it = move |_| {
        let current = text.get_untracked();
        let result = Upcaster::parse(&current)
            .map_err(|e| e.to_string())
            .map(|u| {
                a.with_value(|a| trial(&u, a.stored.iter().map(|(_, v)| v), &a.impact.proposed))
            });
        tried.set(Some((current, result)));
    };
    let accept = move |_| {
        let (registry, name, document) = a.with_value(|a| {
            (
                a.registry.clone(),
                a.name.clone(),
                a.impact.proposed.to_json(),
            )
        });
        let ctx = picked.store();
        let mut next = ctx.schemas.get_untracked();
        let result = if needs_upcaster {
            let current = text.get_untracked();
            match tried.get_untracked() {
                Some((t, Ok(trial))) if t == current => next
                    .register_with_upcaster(
                        &registry,
                        &name,
                        &document,
                        Origin::Written,
                        &crate::browser::now_rfc3339(),
                        &current,
                        trial.failed,
                    )
                    .map_err(|e| e.to_string()),
                Some((t, Err(e))) if t == current => Err(e),
                _ => Err(
                    "Try the upcaster on the stored events first (it must be tried as it is now)."
                        .into(),
                ),
            }
        } else {
            next.register(
                &registry,
                &name,
                &document,
                Origin::Written,
                &crate::browser::now_rfc3339(),
            )
            .map_err(|e| e.to_string())
        };
        outcome.set(Some(result.map(|r| {
            ctx.update_schemas(|s| *s = next);
            accepted.set(true);
            match r {
                Registered::New(v) if needs_upcaster => format!("Registered {name} v{v}, with an upcaster from v{}. Replay the stored events to read them as v{v} consumers do.", v - 1),
                Registered::New(v) => format!("Registered {name} v{v}."),
                Registered::Same(v) => format!("v{v} is already this schema; nothing changed."),
            }
        })));
    };
    view! {
        <h3>"Upcaster"</h3>
        <p class="field-hint">{if needs_upcaster {
            "This change breaks the mode, so it is accepted only with an upcaster: steps that turn an old event into the new shape (rename A to B, remove A, default A = JSON, set A = JSON, retype A to string|number|integer|boolean). Try it on the stored events; every one must fit the new version."
        } else {
            "This change keeps the mode, so no upcaster is needed. One can still be written: try it on the stored events."
        }}</p>
        <label class="visually-hidden" for="evolve-upcaster">"Upcaster steps"</label>
        <textarea id="evolve-upcaster" rows="4" spellcheck="false" data-testid="evolve-upcaster"
            prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
        <div class="form-actions">
            <button type="button" class="secondary" data-testid="evolve-try" on:click=try_it>"Try it on the stored events"</button>
            <button type="button" class="primary" data-testid="evolve-accept" on:click=accept prop:disabled=move || accepted.get()>"Accept the change"</button>
        </div>
        {move || tried.get().map(|(_, r)| match r {
            Ok(t) => view! {
                <div data-testid="evolve-trial">
                    <p class=if t.failed == 0 { "verdict ok" } else { "verdict broken" }>{format!(
                        "{} of {} stored events fit the new version after upcasting; {} failed.", t.fit, t.tried, t.failed
                    )}</p>
                    <ul>{t.failures.iter().map(|(i, why)| view! { <li>{format!("event {}: {why}", i + 1)}</li> }).collect_view()}</ul>
                </div>
            }.into_any(),
            Err(e) => view! { <ErrorView title="The upcaster cannot be read" message=e/> }.into_any(),
        })}
        {move || outcome.get().map(|r| match r {
            Ok(t) => view! { <p class="form-status" role="status" data-testid="evolve-accepted">{t}</p> }.into_any(),
            Err(e) => view! { <ErrorView title="Not accepted" message=e hint="Nothing changed in the registry."/> }.into_any(),
        })}
        <Show when=move || accepted.get()>
            <Replay registry=a.with_value(|a| a.registry.clone()) name=a.with_value(|a| a.name.clone())/>
        </Show>
    }
}

/// Every stored event of the type read as consumers on the latest version read it: in
/// the version it fits, then through the upcasters.
#[component]
fn Replay(registry: String, name: String) -> impl IntoView {
    let picked = expect_context::<Picked>();
    let result = RwSignal::new(None::<Result<String, String>>);
    let run = move |_| {
        let (registry, name) = (registry.clone(), name.clone());
        spawn_local(async move {
            let ctx = picked.store();
            let Some(entry) = ctx
                .schemas
                .with_untracked(|s| s.entry(&registry, &name).cloned())
            else {
                return;
            };
            let stored = match stored_of(&ctx, &name).await {
                Ok(s) => s,
                Err(e) => return result.set(Some(Err(e))),
            };
            result.set(Some(Ok(replay_summary(&name, &entry, &stored))));
        });
    };
    view! {
        <button type="button" class="secondary" data-testid="evolve-replay" on:click=run>"Replay the stored events"</button>
        {move || result.get().map(|r| match r {
            Ok(t) => view! { <p class="verdict ok" role="status" data-testid="evolve-replayed">{t}</p> }.into_any(),
            Err(e) => view! { <ErrorView title="Could not replay" message=e/> }.into_any(),
        })}
    }
}

/// What a replay through the upcasters found, in a sentence.
fn replay_summary(name: &str, entry: &Entry, stored: &[(u64, Value)]) -> String {
    // Every schema and upcaster read once, not once per event.
    let reader = entry.reader();
    let latest = reader.latest();
    let (mut upcast, mut current, mut unreadable) = (0, 0, Vec::new());
    for (position, data) in stored {
        let Some(from) = reader.version_of(data) else {
            unreadable.push(format!("#{position} fits no version"));
            continue;
        };
        match reader.upcast(from, data) {
            Ok((value, passed)) if reader.fits_latest(&value) => {
                if passed.is_empty() {
                    current += 1;
                } else {
                    upcast += 1;
                }
            }
            Ok(_) => unreadable.push(format!(
                "#{position} does not fit v{latest} after upcasting"
            )),
            Err(e) => unreadable.push(format!("#{position}: {e}")),
        }
    }
    let mut text = format!(
        "Replayed {} stored {name} events as v{latest} consumers read them: {upcast} upcast from an older version, {current} already v{latest}",
        stored.len()
    );
    if unreadable.is_empty() {
        text.push_str("; every one fits.");
    } else {
        text.push_str(&format!(
            "; {} cannot be read ({}).",
            unreadable.len(),
            unreadable
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    text
}
