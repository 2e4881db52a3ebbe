//! One exercise: narration beats (lecture mode, one idea at a time with Continue, some
//! waiting for a check or a trace event; or free exploration, all at once), the design
//! editor (JSON) with Check, Undo, Reset and Show solution, the checks with what to
//! change, three graded hints, the golf score against par, and for the capstone the
//! review questions and a report to export.

use super::evolution_form::EvolutionForm;
use super::page::Page;
use super::scenario_form::ScenarioForm;
use super::steps_form::StepsForm;
use crate::components::focus::focus_soon;
use crate::components::markdown::Markdown;
use crate::components::ErrorView;
use crate::features::lab::TopologyBuilder;
use dojo_engine::exercise::check::check;
use dojo_engine::exercise::{Design, Exercise, Wait};
use leptos::prelude::*;

/// Whether the exercise is about the MQTT broker alone: its traffic is all MQTT, so the
/// queue, rule and subscription forms and the channels drawing have nothing to show.
fn mqtt_only(ex: &Exercise) -> bool {
    let mqtt = |s: &dojo_engine::sim::script::Step| {
        s.mqtt_connect.is_some()
            || s.mqtt_disconnect.is_some()
            || s.mqtt_subscribe.is_some()
            || s.mqtt_unsubscribe.is_some()
            || s.mqtt_publish.is_some()
    };
    !ex.workload.is_empty() && ex.workload.iter().all(mqtt) && ex.solution.steps.iter().all(mqtt)
}

/// Whether the learner adds steps of their own in this exercise (its start or solution
/// has some, or its traffic is MQTT, where subscribing is the learner's part).
fn uses_steps(ex: &Exercise) -> bool {
    !ex.start.steps.is_empty()
        || !ex.solution.steps.is_empty()
        || ex.workload.iter().any(|s| s.mqtt_connect.is_some())
}

#[component]
pub fn ExercisePage() -> impl IntoView {
    let page = Page::new();
    let time = super::share_progress::use_time();
    let Page {
        progress,
        loaded,
        id,
        exercise,
        text,
        report,
        error,
        notice,
        edits,
        builder_notice,
        checked_at_beat,
        ..
    } = page;
    // Once the progress is read: the editor shows the draft, the last checked design or
    // the start, and the last checked design's verdict.
    Effect::new(move |_| {
        if !loaded.get() {
            return;
        }
        let Some(ex) = exercise.get() else { return };
        let m = progress.with_untracked(|p| p.exercises.get(&ex.id).cloned().unwrap_or_default());
        let last = m.checked.last().cloned();
        text.set(
            m.draft
                .clone()
                .or(last.clone())
                .unwrap_or_else(|| ex.start_text.clone()),
        );
        report.set(
            last.and_then(|t| Design::from_json(&t).ok())
                .map(|d| check(&ex, &d)),
        );
        checked_at_beat.set((!m.checked.is_empty()).then_some(m.beat));
        error.set(None);
        notice.set(None);
        edits.set(Vec::new());
        builder_notice.set(None);
    });

    view! {
        {move || match exercise.get() {
            None => view! {
                <div class="page-title"><h1>"No such exercise"</h1></div>
                {move || loaded.get().then(|| view! {
                    <ErrorView title="This exercise does not exist" message=format!("There is no exercise \"{}\".", id.get()) hint="Pick one from the level map."/>
                })}
                <p><a href=crate::paths::href("/learn")>"Back to the level map"</a></p>
            }.into_any(),
            Some(ex) => view! {
                <ExerciseHeader page=page ex=ex.clone()/>
                <div class="page exercise-page" inert=move || !loaded.get()>
                    <div class="exercise-side">
                    <section class="panel" aria-labelledby="story-heading">
                        <h2 id="story-heading">"The idea"</h2>
                        <Beats page=page/>
                    </section>
                    <section class="panel" aria-labelledby="hints-heading">
                        <h2 id="hints-heading">"Hints"</h2>
                        <Hints page=page/>
                    </section>
                    </div>
                    <DesignPanel page=page ex=ex.clone()/>
                    <ExerciseDrawing page=page ex=ex.clone()/>
                    <DesignViews page=page ex=ex/>
                    <super::share_progress::ShareProgress page=page time=time/>
                    <super::team::TeamPanel page=page/>
                    <super::mock_panel::MockPanel page=page/>
                    <super::report::Review page=page time=time/>
                </div>
            }.into_any(),
        }}
    }
}

/// What kind of design an exercise takes, in words.
fn design_kind(ex: &Exercise) -> &'static str {
    match ex.kind {
        dojo_engine::exercise::Kind::Channels => "a topology (and steps you add)",
        dojo_engine::exercise::Kind::System => "a scenario of the insurance services",
        dojo_engine::exercise::Kind::Schema => {
            "the new version of the event's schema and its upcaster"
        }
    }
}

/// The exercise's title, concept, level and par, and the mode picker.
#[component]
fn ExerciseHeader(page: Page, ex: Exercise) -> impl IntoView {
    view! {
                    <div class="page-title">
                        <p><a href=crate::paths::href("/learn") data-testid="back-to-map">"← Level map"</a></p>
                        <h1>{ex.title.clone()}</h1>
                        <p class="muted">{format!("{} · level {} · par {}", ex.concept, ex.level, ex.par)}</p>
                        <p class="muted golf-explained" data-testid="golf-explained">{ex.golf_explained()}</p>
                        <fieldset class="mode-picker">
                            <legend class="visually-hidden">"Mode"</legend>
                            <label><input type="radio" name="mode" checked=move || !page.mine().free on:change=move |_| page.update(&|m| m.free = false) data-testid="mode-lecture"/>" Lecture"</label>
                            <label><input type="radio" name="mode" checked=move || page.mine().free on:change=move |_| page.update(&|m| m.free = true) data-testid="mode-free"/>" Free exploration"</label>
                        </fieldset>
                    </div>
    }
}

/// The narration: one beat at a time in lecture mode, all of them in free exploration.
#[component]
fn Beats(page: Page) -> impl IntoView {
    let Page {
        exercise,
        report,
        checked_at_beat,
        ..
    } = page;
    move || {
        let ex = exercise.get()?;
        let m = page.mine();
        if m.free {
            return Some(
                view! {
                    <ol class="beats" data-testid="beats">
                        {ex.beats.iter().map(|b| view! { <li><Markdown source=b.text.clone()/></li> }).collect_view()}
                    </ol>
                }
                .into_any(),
            );
        }
        let n = ex.beats.len();
        let k = m.beat.min(n - 1);
        let beat = ex.beats[k].clone();
        let waiting = match &beat.wait {
            None => None,
            Some(Wait::Apply) => checked_at_beat
                .get()
                .is_none_or(|b| b < k)
                .then(|| "Check your design to continue.".to_owned()),
            Some(Wait::Trace(kind)) => (!report
                .with(|r| r.as_ref().is_some_and(|r| r.trace_kinds.contains(kind))))
            .then(|| format!("Continue once your run shows a {kind}.")),
        };
        let last = k + 1 >= n;
        Some(
            view! {
                <div class="beat" data-testid="beat" data-focus-target tabindex="-1">
                    <p class="muted">{format!("{} of {n}", k + 1)}</p>
                    <Markdown source=beat.text.clone()/>
                    {waiting.clone().map(|w| view! { <p class="waiting" data-testid="beat-waiting">{w}</p> })}
                    <div class="form-actions">
                        <button type="button" class="secondary" disabled=k == 0
                            on:click=move |_| {
                                page.update(&|m| m.beat = m.beat.saturating_sub(1));
                                // The button is drawn anew; keep the focus where the reader is.
                                focus_soon(if k == 1 { "[data-testid=beat-continue]" } else { "[data-testid=beat-back]" });
                            } data-testid="beat-back">"Back"</button>
                        {(!last).then(|| view! {
                            <button type="button" class="primary" disabled=waiting.is_some()
                                on:click=move |_| {
                                    page.update(&|m| m.beat = (m.beat + 1).min(n - 1));
                                    // On the last beat there is no Continue: the beat itself takes the focus.
                                    focus_soon(if k + 2 >= n { "[data-testid=beat]" } else { "[data-testid=beat-continue]" });
                                } data-testid="beat-continue">"Continue"</button>
                        })}
                    </div>
                </div>
            }
            .into_any(),
        )
    }
}

/// The hints shown so far, and the button for the next.
#[component]
fn Hints(page: Page) -> impl IntoView {
    let Page { exercise, .. } = page;
    move || {
        let ex = exercise.get()?;
        let shown = page.mine().hints.min(ex.hints.len());
        Some(view! {
            <ol class="hints" data-testid="hints">
                {ex.hints.iter().take(shown).map(|h| view! { <li data-focus-target><Markdown source=h.clone()/></li> }).collect_view()}
            </ol>
            {(shown < ex.hints.len()).then(|| view! {
                <button type="button" class="secondary" data-testid="hint-next" on:click=move |_| {
                    page.update(&|m| m.hints += 1);
                    // The new hint is what the learner asked for: it takes the focus.
                    focus_soon("[data-testid=hints] li:last-child");
                }>
                    {format!("Show hint {} of {}", shown + 1, ex.hints.len())}
                </button>
            })}
        })
    }
}

/// The actions on the design, what they said, the check's results and the way on.
#[component]
fn DesignPanel(page: Page, ex: Exercise) -> impl IntoView {
    let Page {
        exercise,
        text,
        error,
        notice,
        ..
    } = page;
    let kind = design_kind(&ex);
    // Free exploration in the real tools: the design opens in the lab (channels) or the
    // workshop (system); what the learner had there is kept and can be restored.
    let store = crate::state::use_store().store;
    let navigate = leptos_router::hooks::use_navigate();
    let explored = RwSignal::new(None::<&'static str>);
    let explore = move |_| {
        let Some(ex) = exercise.get_untracked() else {
            return;
        };
        let design = match Design::from_json(&text.get_untracked()) {
            Ok(d) => d,
            Err(e) => {
                error.set(Some(format!("The design is not valid. {e}")));
                return;
            }
        };
        let (name, doc, path, skipped) = match (&design.topology, &design.scenario) {
            (Some(t), _) => {
                let mut steps = ex.workload.clone();
                steps.extend(design.steps.iter().cloned());
                steps.sort_by_key(|s| s.at_ms);
                let (name, doc, skipped) = crate::features::lab::document_for(t, &steps);
                (name, doc, "/lab", skipped)
            }
            (None, Some(s)) => {
                // The workshop names it as the learner's own, not as one of its presets.
                let mine = dojo_engine::services::Scenario {
                    name: format!("Your design: {}", ex.title),
                    description: format!(
                        "Your design from the exercise \"{}\", with its {} input(s).",
                        ex.title,
                        s.inputs.len()
                    ),
                    ..s.clone()
                };
                let (name, doc) = crate::features::workshop::document_for(&mine);
                (name, doc, "/workshop", 0)
            }
            (None, None) => {
                // A schema exercise's real tool is the registry, with the learner's own events.
                if design.evolution.is_some() {
                    navigate(&crate::paths::href("/schemas"), Default::default());
                }
                return;
            }
        };
        let store = store.clone();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match crate::storage::documents::replace_keeping_backup(&store, name, &doc).await {
                Ok(()) if skipped > 0 => {
                    notice.set(Some(format!("The design is in the lab, but {skipped} step(s) of this exercise (MQTT) cannot be shown there.")));
                    explored.set(Some(path));
                }
                Ok(()) => navigate(path, Default::default()),
                Err(e) => error.set(Some(format!("The design could not be opened: {e}"))),
            }
        });
    };
    let run_check = move || page.run_check();
    let undo = move |_| page.undo();
    let reset = move |_| page.reset();
    let show_solution = move |_| page.show_solution();
    // Check, Undo, Reset, Show solution and Explore, above the results.
    let actions = move || {
        let ex = exercise.get_untracked()?;
        let explore = explore.clone();
        Some(view! {
            <div class="form-actions">
                <button type="button" class="primary" on:click=move |_| run_check() data-testid="check">"Check"</button>
                <button type="button" class="secondary" on:click=undo data-testid="undo">"Undo"</button>
                <button type="button" class="secondary" on:click=reset data-testid="reset">"Reset"</button>
                <button type="button" class="secondary" on:click=show_solution data-testid="show-solution">"Show solution"</button>
                <button type="button" class="secondary" on:click=explore data-testid="explore">
                    {match ex.kind {
                        dojo_engine::exercise::Kind::Channels => "Explore in the lab",
                        dojo_engine::exercise::Kind::System => "Explore in the workshop",
                        dojo_engine::exercise::Kind::Schema => "Explore on the Schemas page",
                    }}
                </button>
            </div>
        })
    };

    view! {
        <section class="panel" aria-labelledby="design-heading">
            <h2 id="design-heading">"Your design"</h2>
            <p class="muted">{format!("Change {kind} with the forms below the drawing, or in its JSON; the two always show the same design. Then check it against the goals.")}</p>
            {actions()}
            <div id="design-error">{move || error.get().map(|e| view! { <ErrorView title="Nothing was checked" message=e/> })}</div>
            {move || notice.get().map(|n| view! { <p class="form-status" data-testid="exercise-notice">{n}</p> })}
            {move || explored.get().map(|path| view! { <p><a href=crate::paths::href(path) data-testid="explore-open">{format!("Open {path}")}</a></p> })}
            <CheckResults page=page/>
            <NextExercise page=page/>
        </section>
    }
}

/// The goals before the first check; after it, the verdict on each, and the run's log.
#[component]
fn CheckResults(page: Page) -> impl IntoView {
    let Page {
        exercise,
        text,
        report,
        ..
    } = page;
    move || {
        let ex = exercise.get()?;
        // Before the first Check the goals are listed, so the learner knows what to aim for.
        let Some(r) = report.get() else {
            return Some(view! {
            <p class="check-summary" data-testid="goals-intro">{format!("Your design is checked against {} goal(s):", ex.goals.len())}</p>
            <ul class="checks" data-testid="goals">
                {ex.goals.iter().map(|g| view! { <li class="todo"><span class="goal">{g.describe()}</span></li> }).collect_view()}
            </ul>
        }.into_any());
        };
        let passed = r.results.iter().filter(|g| g.passed).count();
        let summary = if r.solved {
            let best = page.mine().best_golf.unwrap_or(r.golf);
            format!(
                "Solved! Golf {} (par {}){}.",
                r.golf,
                ex.par,
                if best < r.golf {
                    format!("; your best is {best}")
                } else {
                    String::new()
                }
            )
        } else {
            format!("{passed} of {} goals pass.", r.results.len())
        };
        // The verdict is of the design as last checked; say so once it has changed.
        let stale = text.with(|t| page.mine().checked.last() != Some(t));
        Some(view! {
        <p class=if r.solved { "check-summary solved" } else { "check-summary" } role="status" data-testid="check-summary">{summary}</p>
        {stale.then(|| view! { <p class="waiting" data-testid="check-stale">"Your design has changed since this check: Check again to see how it does now."</p> })}
        <ul class="checks" data-testid="checks">
            {r.results.into_iter().map(|g| view! {
                <li class=if g.passed { "pass" } else { "fail" }>
                    <span class="goal-verdict">{if g.passed { "✓ Pass: " } else { "✗ Not yet: " }}</span>
                    <span class="goal">{g.goal}</span>
                    <span class="detail">{g.detail}</span>
                </li>
            }).collect_view()}
        </ul>
        <details class="run-log" data-testid="run-log">
            <summary>{format!("What happened in your run ({} lines)", r.log.len())}</summary>
            <table>
                <thead><tr><th scope="col">"At"</th><th scope="col">"Where"</th><th scope="col">"What"</th></tr></thead>
                <tbody>
                    {r.log.iter().map(|l| view! {
                        <tr><td class="mono">{format!("{:.1} s", l.at_ms as f64 / 1000.0)}</td><td class="mono">{l.place.clone()}</td><td>{l.what.clone()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }.into_any())
    }
}

/// The way to the next exercise, once this one is solved.
#[component]
fn NextExercise(page: Page) -> impl IntoView {
    let Page {
        exercise,
        exercises,
        ..
    } = page;
    move || {
        let ex = exercise.get()?;
        let solved = page.mine().solved;
        let following = exercises.with(|all| {
            all.iter()
                .position(|e| e.id == ex.id)
                .and_then(|i| all.get(i + 1))
                .map(|e| (e.id.clone(), e.title.clone()))
        });
        solved.then_some(())?;
        let (nid, title) = following?;
        Some(
            view! { <a class="next-exercise" href=crate::paths::href(&format!("/learn/{nid}")) data-testid="next-exercise">{format!("Next: {title} →")}</a> },
        )
    }
}

/// The design drawn as it stands: the lab's canvas for a channels exercise, the
/// workshop's for a system one.
#[component]
fn ExerciseDrawing(page: Page, ex: Exercise) -> impl IntoView {
    let Page {
        exercise, parsed, ..
    } = page;
    // The design drawn as the lab draws it, from the start and after every edit that
    // parses (an edit that does not keeps the last drawing): the exercise's workload runs
    // through it, so each arrow counts what it carried. A signal rather than a memo,
    // because the canvas's queue inspectors receive and delete on the lab they are given.
    let drawn = RwSignal::new(crate::features::lab::Lab::default());
    // Reads the design the page has already parsed, once per change that parses.
    Effect::new(move |_| {
        let Some(ex) = exercise.get() else {
            return;
        };
        parsed.with(|p| {
            if let Ok(Design {
                topology: Some(topology),
                steps,
                ..
            }) = p
            {
                let mut all = ex.workload.clone();
                all.extend(steps.iter().cloned());
                all.sort_by_key(|s| s.at_ms);
                drawn.set(crate::features::lab::lab_for(topology, &all).0);
            }
        });
    });
    let drawn_run = Memo::new(move |_| crate::features::lab::run(&drawn.get()));

    let design_scenario = page.design_scenario();
    view! {
        {(ex.kind == dojo_engine::exercise::Kind::Channels && !mqtt_only(&ex)).then(|| view! {
            <div class="exercise-drawing" data-testid="exercise-drawing">
                <p class="muted">"Your design as it stands, with the exercise's traffic run through it. Check to see how it does against the goals."</p>
                <crate::features::lab::LabCanvas lab=drawn outcome=drawn_run/>
            </div>
        })}
        {(ex.kind == dojo_engine::exercise::Kind::System).then(|| view! {
            <div class="exercise-drawing" data-testid="exercise-drawing">
                <p class="muted">"Your scenario as it stands, run to its end in its style: each arrow counts the messages that crossed it. Check to see how it does against the goals."</p>
                <crate::features::workshop::ScenarioDrawing scenario=design_scenario/>
            </div>
        })}
        {ex.evolve.clone().map(|setup| view! { <EvolutionDrawing page=page setup=setup seed=ex.seed/> })}
    }
}

/// A schema exercise's drawing: the current version of the event type, as discovery
/// writes it from the stored history, and what the learner's version changes.
#[component]
fn EvolutionDrawing(
    page: Page,
    setup: dojo_engine::exercise::EvolveSetup,
    seed: u64,
) -> impl IntoView {
    let current = dojo_engine::exercise::evolve::current_schema(&setup, seed);
    let current_text = serde_json::to_string_pretty(&current.to_json()).unwrap_or_default();
    let changes = move || {
        page.last_good.with(|d| {
            d.evolution
                .as_ref()
                .and_then(|e| dojo_engine::schemas::Schema::from_json(&e.schema).ok())
                .map(|new| dojo_engine::schemas::compat::diff(&current, &new))
                .unwrap_or_default()
        })
    };
    view! {
        <div class="exercise-drawing" data-testid="exercise-drawing">
            <p class="muted">{format!(
                "{} as the registry holds it now (v1, discovered from the stored events; compatibility mode {}), and what your v2 changes. Check to see what the registry and the history say.",
                setup.event_type, setup.mode
            )}</p>
            <h3>"What your version changes"</h3>
            {move || {
                let list = changes();
                if list.is_empty() {
                    return view! { <p class="muted" data-testid="evolution-changes">"Nothing yet: v2 is v1."</p> }.into_any();
                }
                view! {
                    <ul class="change-list" data-testid="evolution-changes">
                        {list.into_iter().map(|c| view! {
                            <li><span class=format!("change-kind {}", c.kind().replace(' ', "-"))>{c.kind()}</span>" "{c.to_string()}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <details class="event-data">
                <summary>{format!("{} v1", setup.event_type)}</summary>
                <pre class="json" tabindex="0" aria-label="The current version">{current_text}</pre>
            </details>
        </div>
    }
}

/// The design's two views: the visual editor and the JSON, with Check and Undo in view.
#[component]
fn DesignViews(page: Page, ex: Exercise) -> impl IntoView {
    let Page {
        text,
        parsed,
        edits,
        builder_notice,
        last_good,
        ..
    } = page;
    let kind = design_kind(&ex);
    let design_topology =
        Signal::derive(move || last_good.with(|d| d.topology.clone().unwrap_or_default()));
    let design_steps = Signal::derive(move || last_good.with(|d| d.steps.clone()));
    let design_scenario = page.design_scenario();
    let on_topology = Callback::new(move |t: dojo_engine::topology::Topology| {
        page.change_design(&|d| d.topology = Some(t.clone()))
    });
    let on_steps = Callback::new(move |steps: Vec<dojo_engine::sim::script::Step>| {
        page.change_design(&|d| d.steps = steps.clone())
    });
    let on_scenario = Callback::new(move |s: dojo_engine::services::Scenario| {
        page.change_design(&|d| d.scenario = Some(s.clone()))
    });
    let design_evolution =
        Signal::derive(move || last_good.with(|d| d.evolution.clone().unwrap_or_default()));
    let on_evolution = Callback::new(move |e: dojo_engine::exercise::Evolution| {
        page.change_design(&|d| d.evolution = Some(e.clone()))
    });
    let json_before = StoredValue::new(None::<String>);
    let edit = move |ev: leptos::ev::Event| {
        let t = event_target_value(&ev);
        text.set(t.clone());
        page.update(&|m| m.draft = Some(t.clone()));
    };
    // Typing in the JSON is one change for Undo: from focus to leaving the field.
    let json_focus = move |_| json_before.set_value(Some(text.get_untracked()));
    let json_done = move |_| {
        if let Some(before) = json_before.try_update_value(|b| b.take()).flatten() {
            if before != text.get_untracked() {
                edits.update(|e| e.push(before));
            }
        }
    };

    let run_check = move || page.run_check();
    let undo = move |_| page.undo();
    view! {
                        <section class="panel design-views" aria-labelledby="change-heading">
                            <h2 id="change-heading">"Change your design"</h2>
                            {move || parsed.with(|p| p.is_err()).then(|| view! {
                                <p class="waiting" data-testid="forms-paused">"The forms are paused while the JSON below has a mistake: fix it there, or press Undo."</p>
                            })}
                            <fieldset class="visual-editor" data-testid="visual-editor" disabled=move || parsed.with(|p| p.is_err())>
                                <legend class="visually-hidden">"Visual editor"</legend>
                                {match ex.kind {
                                    dojo_engine::exercise::Kind::Channels => view! {
                                        {(!mqtt_only(&ex)).then(|| view! { <TopologyBuilder topology=design_topology on_change=on_topology notice=builder_notice/> })}
                                        {uses_steps(&ex).then(|| {
                                            // Which MQTT broker the steps meet: the exercise's, or the standard one.
                                            let broker = ex.mqtt_profile.unwrap_or_default();
                                            let note = match broker {
                                                dojo_engine::topology::MqttProfile::Oasis => "The MQTT broker follows the MQTT 3.1.1 standard (as mosquitto does).".to_owned(),
                                                other => format!("The MQTT broker is {}: its documented differences from MQTT 3.1.1 apply here.", other.name()),
                                            };
                                            view! {
                                                <p class="muted builder-list" data-testid="mqtt-profile">{note}</p>
                                                <StepsForm steps=design_steps on_change=on_steps notice=builder_notice/>
                                            }
                                        })}
                                    }.into_any(),
                                    dojo_engine::exercise::Kind::System => view! {
                                        <ScenarioForm scenario=design_scenario on_change=on_scenario notice=builder_notice/>
                                    }.into_any(),
                                    dojo_engine::exercise::Kind::Schema => view! {
                                        <EvolutionForm evolution=design_evolution on_change=on_evolution notice=builder_notice/>
                                    }.into_any(),
                                }}
                            </fieldset>
                            <h3 id="json-heading">"The same design as JSON"</h3>
                            <label for="design-editor" class="muted">{format!("Edit {kind} as JSON: every form above follows it.")}</label>
                            <textarea id="design-editor" class="design-editor" rows="18" spellcheck="false" prop:value=move || text.get()
                                on:input=edit on:focus=json_focus on:blur=json_done data-testid="design-editor" aria-describedby="design-json-error"></textarea>
                            <p id="design-json-error" class="field-error" data-testid="design-json-error">{move || parsed.with(|p| p.as_ref().err().cloned())}</p>
                            // What the last change did, and Check, stay in view while the learner
                            // works anywhere in the forms or the JSON.
                            <div class="editor-status" data-testid="editor-status">
                                {move || builder_notice.get().map(|r| match r {
                                    Ok(t) => view! { <p class="form-status" role="status" data-testid="lab-notice">{format!("{t} Check when you are ready.")}</p> }.into_any(),
                                    Err(e) => view! { <ErrorView title="Nothing changed" message=e/> }.into_any(),
                                })}
                                // Check and Undo only: one row even on a phone; the rest are at the top.
                                <div class="form-actions">
                                    <button type="button" class="primary" on:click=move |_| run_check() data-testid="check-bottom">"Check"</button>
                                    <button type="button" class="secondary" on:click=undo data-testid="check-bottom-undo">"Undo"</button>
                                </div>
                            </div>
                        </section>
    }
}
