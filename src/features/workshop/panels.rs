//! The workshop's panels: read models at the cursor (changes since the previous step
//! highlighted, lag behind the write head), queue contents, the integration style's costs
//! with a side-by-side comparison, and what-if branches compared with the main line.

use super::runs::{Latest, Runs};
use super::{scenario_of, style_from, style_key, BranchSpec, Workshop, STYLES};
use dojo_engine::domain::QuoteStatus;
use dojo_engine::projection::RowDiff;
use dojo_engine::services::{self, Edit, Outcome, StyleMetrics};
use leptos::prelude::*;
use std::sync::Arc;

const MAX_ROWS: usize = 25;

fn ws() -> Workshop {
    use_context::<Workshop>().expect("the workshop page provides its state")
}

fn pounds(pence: u64) -> String {
    format!("£{}.{:02}", pence / 100, pence % 100)
}

#[component]
pub fn ReadModelsPanel() -> impl IntoView {
    let ws = ws();
    let changed = Memo::new(move |_| {
        ws.cursor.with(|c| {
            c.as_ref()
                .map(|(now, before)| before.0.state.read_models.diff(&now.0.state.read_models))
                .unwrap_or_default()
        })
    });
    let is_changed = move |model: &'static str, key: &str| {
        changed.with(|c| c.iter().any(|d: &RowDiff| d.model == model && d.key == key))
    };
    // The lag behind the write head at the cursor (the log as it stands at this step).
    let lag = move |model: &'static str| {
        ws.cursor.with(|c| {
            let (now, _) = c.as_ref()?;
            let lag = now.0.lags.get(model)?;
            Some(format!(
                "checkpoint #{} · lag behind the write head at #{}: {} events, {} ms",
                lag.checkpoint, now.0.position, lag.events, lag.ms
            ))
        })
    };
    view! {
        <section class="panel read-models" aria-labelledby="rm-heading" data-testid="read-models">
            <h2 id="rm-heading">"Read models at the cursor"</h2>
            <p class="muted" data-testid="rm-changes">{move || {
                let c = changed.get();
                if c.is_empty() { "No read model changed at this step.".to_owned() } else {
                    format!("Changed at this step: {}", c.iter().map(|d| format!("{} {}", d.model, d.key)).collect::<Vec<_>>().join(", "))
                }
            }}</p>
            {move || ws.cursor.get().map(|(now, _)| {
                let rm = now.0.state.read_models.clone();
                let cv = rm.customers.clone();
                let dash = rm.dashboard.clone();
                let outbox = rm.outbox.clone();
                let by_pc = rm.by_postcode.clone();
                let customers_total = cv.customers.len();
                view! {
                    <div class="rm">
                        <h3>"CustomerView"</h3>
                        <p class="lag" data-testid="rm-lag-CustomerView">{lag("CustomerView")}</p>
                        <table data-testid="rm-customers">
                            <thead><tr><th scope="col">"Customer"</th><th scope="col">"Name"</th><th scope="col">"Postcode"</th><th scope="col">"Quotes"</th><th scope="col">"Policies"</th></tr></thead>
                            <tbody>
                                {cv.customers.iter().take(MAX_ROWS).map(|(id, r)| view! {
                                    <tr class:changed=is_changed("CustomerView", id)>
                                        <td>{id.clone()}</td><td>{r.name.clone()}</td><td>{r.postcode.clone()}</td><td>{r.quotes}</td><td>{r.active_policies}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {(customers_total > MAX_ROWS).then(|| view! { <p class="muted">{format!("… and {} more", customers_total - MAX_ROWS)}</p> })}
                    </div>
                    <div class="rm">
                        <h3>"QuoteDashboardView"</h3>
                        <p class="lag" data-testid="rm-lag-QuoteDashboardView">{lag("QuoteDashboardView")}</p>
                        <table data-testid="rm-dashboard">
                            <thead><tr><th scope="col">"Status"</th><th scope="col">"Quotes"</th><th scope="col">"Premiums"</th></tr></thead>
                            <tbody>
                                {[QuoteStatus::Requested, QuoteStatus::Issued, QuoteStatus::Accepted, QuoteStatus::Expired].into_iter().map(|s| view! {
                                    <tr class:changed=is_changed("QuoteDashboardView", s.name())>
                                        <td>{s.name()}</td><td>{dash.count(s)}</td><td>{pounds(dash.premium(s))}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <div class="rm">
                        <h3>"CommsOutboxView"</h3>
                        <p class="lag" data-testid="rm-lag-CommsOutboxView">{lag("CommsOutboxView")}</p>
                        <p data-testid="rm-outbox">{format!("{} pending; sent {} emails and {} SMS.", outbox.pending.len(), outbox.sent_email, outbox.sent_sms)}</p>
                    </div>
                    <div class="rm">
                        <h3>"CustomersByPostcodeView"</h3>
                        <p class="lag" data-testid="rm-lag-CustomersByPostcodeView">{lag("CustomersByPostcodeView")}</p>
                        <table>
                            <thead><tr><th scope="col">"District"</th><th scope="col">"Customers"</th></tr></thead>
                            <tbody>
                                {by_pc.districts.iter().map(|(d, set)| view! {
                                    <tr class:changed=is_changed("CustomersByPostcodeView", d)><td>{d.clone()}</td><td>{set.len()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            })}
        </section>
    }
}

#[component]
pub fn QueuesPanel() -> impl IntoView {
    let ws = ws();
    view! {
        <section class="panel queues" aria-labelledby="queues-heading" data-testid="queues">
            <h2 id="queues-heading">"Queues at the cursor"</h2>
            {move || ws.cursor.get().map(|(now, _)| {
                now.0.channels.queues.iter().map(|(name, messages)| {
                    let count = |state: &str| messages.values().filter(|m| m.state == state).count();
                    view! {
                        <div class="queue-row">
                            <strong>{name.clone()}</strong>
                            <span data-testid=format!("queue-{name}")>{format!(" {} visible, {} in flight, {} delayed", count("visible"), count("in_flight"), count("delayed"))}</span>
                        </div>
                    }
                }).collect_view()
            })}
        </section>
    }
}

fn metric_rows(m: &StyleMetrics) -> Vec<(&'static str, String)> {
    vec![
        ("Callbacks to Customer Management", m.callbacks.to_string()),
        (
            "Busiest second's callbacks",
            m.peak_callbacks_per_s.to_string(),
        ),
        ("Events published", m.events_published.to_string()),
        ("Mean payload", format!("{} B", m.mean_payload_bytes)),
        ("Replica updates", m.replica_updates.to_string()),
        (
            "Replica staleness (max / mean)",
            format!("{} / {} ms", m.max_staleness_ms, m.mean_staleness_ms),
        ),
        (
            "Read-model lag (max)",
            format!(
                "{} events, {} ms",
                m.max_read_model_lag_events, m.max_read_model_lag_ms
            ),
        ),
        (
            "Deepest queue",
            m.peak_queue_depth
                .iter()
                .max_by_key(|(_, d)| **d)
                .map(|(q, d)| format!("{q}: {d}"))
                .unwrap_or_default(),
        ),
    ]
}

#[component]
pub fn MetricsPanel() -> impl IntoView {
    let ws = ws();
    let runs = expect_context::<Runs>();
    // The scenario in the style to compare with: it changes with the scenario or that
    // style, not as the cursor moves.
    let wanted = Memo::new(move |_| {
        let s = ws.session.get();
        let style = s.compare_with?;
        scenario_of(&super::Session { style, ..s })
    });
    // Its whole run's metrics, derived in the worker; a newer wish makes one stale.
    let other = RwSignal::new(None::<Result<Arc<StyleMetrics>, String>>);
    let latest = Latest::new();
    Effect::new(move |_| {
        let current = latest.next();
        other.set(None);
        if let Some(scenario) = wanted.get() {
            runs.derive(&scenario, true, move |ran| {
                if current() {
                    other.try_set(Some(ran.map(|o| Arc::new(o.metrics.clone()))));
                }
            });
        }
    });
    let choose = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        ws.session.update(|s| {
            s.compare_with = if v.is_empty() {
                None
            } else {
                Some(style_from(&v))
            }
        });
    };
    view! {
        <section class="panel metrics" aria-labelledby="metrics-heading" data-testid="metrics">
            <h2 id="metrics-heading">"What the style costs"</h2>
            <p class="muted">"Counted up to the cursor, like every other panel; at the end of the history these are the run's totals."</p>
            <div class="field">
                <label for="compare-style">"Compare with"</label>
                <select id="compare-style" on:change=choose data-testid="compare-style">
                    <option value="">"(nothing)"</option>
                    {STYLES.into_iter().map(|s| view! { <option value=style_key(s)>{s.name()}</option> }).collect_view()}
                </select>
            </div>
            {move || {
                let (now, _) = ws.cursor.get()?;
                let main = now.0.metrics.clone();
                let len = ws.outcome.with(|o| o.as_ref().map_or(0, |o| o.timeline.len()));
                let style = ws.session.get().style;
                let (second, failed) = match other.get() {
                    Some(Ok(m)) => (Some(m), None),
                    Some(Err(e)) => (None, Some(e)),
                    None => (None, None),
                };
                // The column appears with its numbers, once the other style has run.
                let compare = ws.session.get().compare_with.filter(|_| second.is_some());
                let running = ws.session.get().compare_with.is_some() && second.is_none() && failed.is_none();
                let right = second.as_ref().map(|m| metric_rows(m));
                Some(view! {
                    {running.then(|| view! { <p class="muted" role="status" data-testid="compare-running">"Running the scenario in the other style…"</p> })}
                    {failed.map(|e| view! { <p class="field-error" data-testid="compare-error">{e}</p> })}
                    <table data-testid="metrics-table">
                        <thead><tr>
                            <th scope="col">"Measure"</th>
                            <th scope="col">{format!("{} (up to #{} of {len})", style.name(), now.0.position)}</th>
                            {compare.map(|c| view! { <th scope="col">{format!("{} (whole run)", c.name())}</th> })}
                        </tr></thead>
                        <tbody>
                            {metric_rows(&main).into_iter().enumerate().map(|(i, (label, value))| view! {
                                <tr><th scope="row">{label}</th><td>{value}</td>
                                {right.as_ref().map(|r| view! { <td>{r[i].1.clone()}</td> })}</tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })
            }}
        </section>
    }
}

/// The main line's run, or a branch's by name, run in the worker (quarantined, as
/// `services::branch` runs it); `then` gets it or why there is none.
fn outcome_of(
    ws: Workshop,
    runs: Runs,
    name: &str,
    then: impl FnOnce(Result<Arc<Outcome>, String>) + 'static,
) {
    let session = ws.session.get_untracked();
    if name == "main" {
        return then(
            ws.outcome
                .get_untracked()
                .ok_or_else(|| "Run the scenario first.".to_owned()),
        );
    }
    let Some(spec) = session.branches.iter().find(|b| b.name == name) else {
        return then(Err(format!("There is no branch called {name}.")));
    };
    let branched = scenario_of(&session)
        .ok_or_else(|| "The scenario could not be read.".to_owned())
        .and_then(|s| s.with_edits(&spec.edits));
    match branched {
        Ok(scenario) => runs.derive(&scenario, true, then),
        Err(e) => then(Err(format!("The branch {name} cannot run: {e}"))),
    }
}

/// The fork being written: which input, replace or insert after it, and its JSON.
type Fork = RwSignal<Option<(usize, bool, String)>>;

/// Writes a fork at one input (replace it, or insert after it) and creates its branch
/// through `on_create` (name, edits) once the input reads; `editor_error` says why not.
#[component]
fn BranchEditor(
    editor: Fork,
    editor_error: RwSignal<Option<String>>,
    on_create: Callback<(String, Vec<Edit>)>,
) -> impl IntoView {
    let add_branch = move |name: String, edits: Vec<Edit>| on_create.run((name, edits));
    let create_edited = move |_| {
        let Some((index, replace, text)) = editor.get_untracked() else {
            return;
        };
        match dojo_engine::wording::parse::<services::TimedInput>(&text) {
            Err(e) => editor_error.set(Some(format!(
                "The input is not valid. {e} Nothing changed."
            ))),
            Ok(input) => {
                let label = input.input.describe();
                let (name, edit) = if replace {
                    (
                        format!("edit #{}: {label}", index + 1),
                        Edit::Replace { index, input },
                    )
                } else {
                    (
                        format!("insert after #{}: {label}", index + 1),
                        Edit::Insert {
                            index: index + 1,
                            input,
                        },
                    )
                };
                add_branch(name, vec![edit]);
                editor.set(None);
            }
        }
    };
    view! {
    {move || editor.get().map(|(index, replace, text)| view! {
        <div class="branch-editor" data-testid="branch-editor">
            <fieldset class="mode-picker">
                <legend>{format!("Fork at input #{}", index + 1)}</legend>
                <label><input type="radio" name="edit-mode" checked=replace on:change=move |_| editor.update(|e| if let Some(e) = e { e.1 = true; })/>" Replace it"</label>
                <label><input type="radio" name="edit-mode" checked=!replace data-testid="edit-insert"
                    on:change=move |_| editor.update(|e| if let Some(e) = e { e.1 = false; })/>" Insert after it"</label>
            </fieldset>
            <label for="branch-input">"The input (JSON)"</label>
            <textarea id="branch-input" rows="8" spellcheck="false" data-testid="branch-input" prop:value=text
                on:input=move |ev| editor.update(|e| if let Some(e) = e { e.2 = event_target_value(&ev); })></textarea>
            <p class="field-error" data-testid="branch-error">{move || editor_error.get()}</p>
            <div class="form-actions">
                <button type="button" class="primary" on:click=create_edited data-testid="branch-create">"Create branch"</button>
                <button type="button" class="secondary" on:click=move |_| editor.set(None)>"Cancel"</button>
            </div>
        </div>
    })}
    }
}

#[component]
pub fn BranchesPanel() -> impl IntoView {
    let ws = ws();
    let runs = expect_context::<Runs>();
    let inputs = Memo::new(move |_| {
        scenario_of(&ws.session.get())
            .map(|s| s.all_inputs())
            .unwrap_or_default()
    });
    let compared = RwSignal::new(None::<(String, Arc<Outcome>, String, Arc<Outcome>)>);
    let left = RwSignal::new("main".to_owned());
    let right = RwSignal::new(String::new());
    let editor: Fork = RwSignal::new(None);
    let editor_error = RwSignal::new(None::<String>);
    let add_branch = move |name: String, edits: Vec<Edit>| {
        ws.session.update(|s| {
            if !s.branches.iter().any(|b| b.name == name) {
                s.branches.push(BranchSpec {
                    name: name.clone(),
                    edits,
                });
            }
        });
        right.set(name);
    };
    let skip = move |index: usize| {
        let label =
            inputs.with_untracked(|i| i.get(index).map(|t| t.input.describe()).unwrap_or_default());
        add_branch(
            format!("skip #{}: {label}", index + 1),
            vec![Edit::Skip { index }],
        );
    };
    let edit = move |index: usize| {
        let text = inputs.with_untracked(|i| {
            i.get(index)
                .and_then(|t| serde_json::to_string_pretty(t).ok())
                .unwrap_or_default()
        });
        editor_error.set(None);
        editor.set(Some((index, true, text)));
    };
    // Both sides derived (a branch in the worker), then shown; a newer comparison
    // makes one on its way stale.
    let comparing = RwSignal::new(None::<Result<String, String>>);
    let latest = Latest::new();
    let compare_pair = move |a: String, b: String| {
        let current = latest.next();
        comparing.set(Some(Ok(format!("Running {a} and {b}…"))));
        outcome_of(ws, runs, &a.clone(), move |first| {
            if !current() {
                return;
            }
            let oa = match first {
                Ok(oa) => oa,
                Err(e) => {
                    comparing.try_set(Some(Err(e)));
                    return;
                }
            };
            outcome_of(ws, runs, &b.clone(), move |second| {
                if !current() {
                    return;
                }
                match second {
                    Ok(ob) => {
                        comparing.try_set(None);
                        compared.try_set(Some((a, oa, b, ob)));
                    }
                    Err(e) => {
                        comparing.try_set(Some(Err(e)));
                    }
                }
            });
        });
    };
    let remove = move |name: String| {
        ws.session.update(|s| s.branches.retain(|b| b.name != name));
        compared.update(|c| {
            if c.as_ref()
                .is_some_and(|(a, _, b, _)| *a == name || *b == name)
            {
                *c = None;
            }
        });
    };
    let names = move || {
        let mut n = vec!["main".to_owned()];
        n.extend(ws.session.get().branches.into_iter().map(|b| b.name));
        n
    };
    view! {
        <section class="panel branches" aria-labelledby="branches-heading" data-testid="branches">
            <h2 id="branches-heading">"What-if branches"</h2>
            <p class="muted">"Fork the history by leaving out, editing or inserting an input; the services run again, so what it caused disappears and new consequences appear. A branch never sends anything: its messages go to a \"would have sent\" outbox."</p>
            <details>
                <summary>{move || format!("Inputs ({})", inputs.with(Vec::len))}</summary>
                <ol class="inputs">
                    {move || inputs.get().into_iter().enumerate().take(40).map(|(i, t)| view! {
                        <li>
                            <span>{format!("{} ms: {}", t.at_ms, t.input.describe())}</span>" "
                            <button type="button" class="chip" on:click=move |_| skip(i) data-testid=format!("skip-{}", i + 1)>"Fork: skip"</button>" "
                            <button type="button" class="chip" on:click=move |_| edit(i) data-testid=format!("edit-{}", i + 1)>"Fork: edit or insert"</button>
                        </li>
                    }).collect_view()}
                </ol>
            </details>
            <BranchEditor editor=editor editor_error=editor_error on_create=Callback::new(move |(name, edits)| add_branch(name, edits))/>
            <ul class="branch-list" data-testid="branch-list">
                <li><strong>"main"</strong>" (the run above)"</li>
                {move || ws.session.get().branches.into_iter().map(|b| {
                    let name = b.name.clone();
                    let name2 = b.name.clone();
                    let name3 = b.name.clone();
                    view! {
                        <li>
                            <span>"⑂ "{b.name.clone()}</span>" "
                            <button type="button" class="secondary" on:click=move |_| compare_pair("main".into(), name3.clone()) data-testid="branch-compare">"Compare with main"</button>" "
                            <button type="button" class="secondary" on:click=move |_| remove(name.clone()) aria-label=format!("Delete branch {name2}")>"Delete"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="compare-any">
                <label for="compare-left">"Compare"</label>
                <select id="compare-left" data-testid="compare-left" on:change=move |ev| left.set(event_target_value(&ev))>
                    {move || names().into_iter().map(|n| view! { <option value=n.clone() selected=n == left.get_untracked()>{n.clone()}</option> }).collect_view()}
                </select>
                <label for="compare-right">"with"</label>
                <select id="compare-right" data-testid="compare-right" on:change=move |ev| right.set(event_target_value(&ev))>
                    {move || names().into_iter().map(|n| view! { <option value=n.clone() selected=n == right.get_untracked()>{n.clone()}</option> }).collect_view()}
                </select>
                <button type="button" class="secondary" on:click=move |_| compare_pair(left.get_untracked(), right.get_untracked()) data-testid="compare-pair">"Compare"</button>
            </div>
            {move || comparing.get().map(|state| match state {
                Ok(running) => view! { <p class="muted" role="status" data-testid="compare-status">{running}</p> }.into_any(),
                Err(e) => view! { <p class="field-error" data-testid="compare-status">{e}</p> }.into_any(),
            })}
            {move || compared.get().map(|(a, oa, b, ob)| comparison(a, &oa, b, &ob))}
        </section>
    }
}

/// Two runs side by side: their events, messages and refusals, and the read-model rows
/// that differ.
fn comparison(a: String, oa: &Outcome, b: String, ob: &Outcome) -> impl IntoView {
    let diffs = oa.read_models().diff(ob.read_models());
    let messages = |o: &Outcome| {
        if o.sent.is_empty() && !o.would_have_sent.is_empty() {
            format!("would have sent {} (held back)", o.would_have_sent.len())
        } else {
            format!("{} sent", o.sent.len())
        }
    };
    view! {
        <div class="comparison" data-testid="branch-comparison">
            <h3>{format!("{a} vs {b}")}</h3>
            <table>
                <thead><tr><th scope="col">"Measure"</th><th scope="col">{a.clone()}</th><th scope="col">{b.clone()}</th></tr></thead>
                <tbody>
                    <tr><th scope="row">"Events"</th><td>{oa.timeline.len()}</td><td>{ob.timeline.len()}</td></tr>
                    <tr><th scope="row">"Messages"</th><td>{messages(oa)}</td><td data-testid="branch-outbox">{messages(ob)}</td></tr>
                    <tr><th scope="row">"Refused commands"</th><td>{oa.refusals.len()}</td><td>{ob.refusals.len()}</td></tr>
                </tbody>
            </table>
            <h4>{format!("{} read-model rows differ", diffs.len())}</h4>
            <ul class="diff-list" data-testid="branch-diff">
                {diffs.into_iter().take(30).map(|d| view! {
                    <li class="changed">{format!("{} {}: {} → {}", d.model, d.key,
                        d.before.map(|v| v.to_string()).unwrap_or_else(|| "absent".into()),
                        d.after.map(|v| v.to_string()).unwrap_or_else(|| "absent".into()))}</li>
                }).collect_view()}
            </ul>
        </div>
    }
}
