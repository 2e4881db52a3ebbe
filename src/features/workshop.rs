//! The workshop: run a scenario of the insurance system on the engine, then move through
//! its whole history with the time-travel debugger. The cursor moves the event store
//! position, every queue's contents and every read model together; breakpoints jump to
//! the next event matching a pattern; what-if branches re-run the services on edited
//! inputs and are compared with the main line. The session (scenario, style, branches,
//! cursor) is kept in local storage and re-derived on reload, since runs are
//! deterministic.

mod canvas;
mod debugger;
mod panels;
mod runs;
pub(crate) mod session;

use crate::components::ErrorView;
use crate::components::PageHeader;
use canvas::ArchitectureCanvas;
use debugger::Debugger;
use dojo_engine::services::{self, presets, Cursor, Outcome, Scenario, Style};
use leptos::prelude::*;
use panels::{BranchesPanel, MetricsPanel, QueuesPanel, ReadModelsPanel};
use runs::{Latest, Runs};
pub use session::{BranchSpec, Session};
use std::sync::Arc;

pub(crate) const STYLES: [Style; 4] = [
    Style::Notification,
    Style::EventCarriedState,
    Style::EventSourcing,
    Style::Cqrs,
];

pub(crate) fn style_from(value: &str) -> Style {
    STYLES
        .into_iter()
        .find(|s| style_key(*s) == value)
        .unwrap_or(Style::EventCarriedState)
}

pub(crate) fn style_key(style: Style) -> &'static str {
    match style {
        Style::Notification => "notification",
        Style::EventCarriedState => "event_carried_state",
        Style::EventSourcing => "event_sourcing",
        Style::Cqrs => "cqrs",
    }
}

/// The preset picker's value for a session's own scenario (imported, or from an exercise).
const CUSTOM: &str = "(custom)";

/// The scenario a session describes: an imported one, or a preset in the chosen style.
pub(crate) fn scenario_of(session: &Session) -> Option<Scenario> {
    if let Some(custom) = &session.custom {
        return Some(Scenario {
            style: session.style,
            ..custom.clone()
        });
    }
    let text = presets().into_iter().find(|(n, _)| *n == session.preset)?.1;
    let base = Scenario::from_json(text).ok()?;
    Some(Scenario {
        style: session.style,
        ..base
    })
}

/// The saved session for a scenario opened from an exercise: run, with the cursor at the
/// end of its history.
pub(crate) fn document_for(scenario: &Scenario) -> (&'static str, String) {
    let session = Session {
        style: scenario.style,
        ran: true,
        position: u64::MAX,
        custom: Some(scenario.clone()),
        ..Session::default()
    };
    (
        session::DOCUMENT,
        serde_json::to_string(&session).expect("sessions are plain data"),
    )
}

/// The engine's reading of the run at the cursor. Every panel shows this one value, so
/// their numbers agree; a new reading is a new value (compared by identity).
#[derive(Clone)]
pub(crate) struct CursorReading(pub Arc<Cursor>);

impl PartialEq for CursorReading {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Everything the page shows, shared with its panels.
#[derive(Clone, Copy)]
pub(crate) struct Workshop {
    pub session: RwSignal<Session>,
    pub outcome: RwSignal<Option<Arc<Outcome>>>,
    pub position: RwSignal<u64>,
    /// The run read at the cursor (`Outcome::at_cursor`), and one step before it (for
    /// what changed at this step).
    pub cursor: Memo<Option<(CursorReading, CursorReading)>>,
    /// Playing too fast to animate single messages: the canvas shows counters only.
    pub busy: RwSignal<bool>,
}

/// The run read at the cursor and one step before it, for the panels.
fn reading(
    outcome: RwSignal<Option<Arc<Outcome>>>,
    position: RwSignal<u64>,
) -> Memo<Option<(CursorReading, CursorReading)>> {
    Memo::new(move |_| {
        let p = position.get();
        outcome.with(|o| {
            o.as_ref().map(|o| {
                (
                    CursorReading(Arc::new(o.at_cursor(p))),
                    CursorReading(Arc::new(o.at_cursor(p.saturating_sub(1)))),
                )
            })
        })
    })
}

/// A scenario drawn as the workshop draws it, run to its end: the services, bus, queues
/// and store in the scenario's style, each arrow counting what crossed it and callbacks
/// drawn dashed. For an exercise's design, redrawn whenever the scenario changes.
#[component]
pub(crate) fn ScenarioDrawing(scenario: Signal<Scenario>) -> impl IntoView {
    let session = RwSignal::new(Session::default());
    let outcome = RwSignal::new(None::<Arc<Outcome>>);
    let position = RwSignal::new(0u64);
    Effect::new(move |_| {
        let s = scenario.get();
        let out = services::run(&s, false);
        let len = out.timeline.len() as u64;
        session.set(Session {
            style: s.style,
            ran: true,
            position: len,
            custom: Some(s),
            ..Session::default()
        });
        outcome.set(Some(Arc::new(out)));
        position.set(len);
    });
    let cursor = reading(outcome, position);
    provide_context(Workshop {
        session,
        outcome,
        position,
        cursor,
        busy: RwSignal::new(false),
    });
    view! { <ArchitectureCanvas/> }
}

/// Where the page says what happened: an error (nothing changed) or a note.
type Notice = RwSignal<Option<(bool, String)>>;

/// The workshop's main run, derived in the run worker from the session's scenario.
#[derive(Clone, Copy)]
struct MainRun {
    ws: Workshop,
    runs: Runs,
    latest: Latest,
    /// A run is on its way.
    deriving: RwSignal<bool>,
    notice: Notice,
}

impl MainRun {
    /// Derives the session's scenario; `then` reads the run once it is shown. A run asked
    /// for later, or a change of preset or style, makes one on its way stale.
    fn start(self, then: impl FnOnce(&Outcome) + 'static) {
        let s = self.ws.session.get_untracked();
        let Some(scenario) = scenario_of(&s) else {
            self.ws.outcome.set(None);
            return;
        };
        let current = self.latest.next();
        self.deriving.set(true);
        let MainRun {
            ws,
            deriving,
            notice,
            ..
        } = self;
        self.runs.derive(&scenario, false, move |ran| {
            if !current() {
                return;
            }
            deriving.try_set(false);
            match ran {
                Ok(out) => {
                    // An error from an earlier run no longer holds.
                    notice.try_update(|n| {
                        if n.as_ref().is_some_and(|(error, _)| *error) {
                            *n = None;
                        }
                    });
                    let len = out.timeline.len() as u64;
                    ws.outcome.try_set(Some(out.clone()));
                    ws.position.try_set(s.position.min(len));
                    then(&out);
                }
                Err(e) => {
                    notice.try_set(Some((true, e)));
                }
            }
        });
    }

    /// Drops the run shown and any on its way (the scenario changed).
    fn forget(self) {
        self.latest.forget();
        self.deriving.set(false);
        self.ws.outcome.set(None);
    }
}

#[component]
pub fn WorkshopPage() -> impl IntoView {
    let store = crate::state::use_store();
    let session = RwSignal::new(Session::default());
    // Nothing is saved until the saved session has been read, so it cannot be overwritten.
    let loaded = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Arc<Outcome>>);
    let position = RwSignal::new(0u64);
    let cursor = reading(outcome, position);
    let ws = Workshop {
        session,
        outcome,
        position,
        cursor,
        busy: RwSignal::new(false),
    };
    provide_context(ws);
    let runs = Runs::new();
    provide_context(runs);
    let notice = RwSignal::new(None::<(bool, String)>);
    let main = MainRun {
        ws,
        runs,
        latest: Latest::new(),
        deriving: RwSignal::new(false),
        notice,
    };
    {
        let store = store.clone();
        leptos::task::spawn_local(async move {
            if let Some(saved) = store
                .load_document(session::DOCUMENT)
                .await
                .and_then(session::usable)
            {
                session.set(saved);
            }
            // A shared link's session replaces the saved one; a damaged link changes nothing.
            if let Some(hash) = web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .filter(|h| h.starts_with("#session="))
            {
                match session::from_fragment(&hash) {
                    Ok(shared) => {
                        session.set(shared);
                        notice.set(Some((false, "Opened the session from the link.".into())));
                    }
                    Err(e) => notice.set(Some((true, e))),
                }
            }
            // A saved session is re-derived at once.
            if session.get_untracked().ran {
                main.start(|_| {});
            }
            loaded.set(true);
        });
    }
    // Every change to the session is saved once the saved one has been read.
    Effect::new(move |_| {
        let current = session.get();
        if loaded.get_untracked() {
            store.save_document(session::DOCUMENT, &current);
        }
    });

    view! {
        <PageHeader title="Workshop" intro="Run the insurance system (Customer Management, the Quote Generator and Comms) on real channels, then travel through its history: every read model and queue moves with the cursor.">
            <crate::components::BackupNotice name=session::DOCUMENT/>
        </PageHeader>
        <section class="panel scenario-bar" aria-labelledby="scenario-heading">
            <h2 id="scenario-heading">"Scenario"</h2>
            <ScenarioControls main=main loaded=loaded/>
            <div class="form-actions session-actions">
                <SessionActions main=main>
                    <SaveRun ws=ws notice=notice/>
                </SessionActions>
            </div>
            {move || notice.get().map(|(error, text)| if error {
                view! { <ErrorView title="Nothing changed" message=text/> }.into_any()
            } else {
                view! { <p class="form-status" role="status" data-testid="session-notice">{text}</p> }.into_any()
            })}
        </section>
        <RunView ws=ws deriving=main.deriving/>
    }
}

/// The preset, the integration style, and the button that runs them.
#[component]
fn ScenarioControls(main: MainRun, loaded: RwSignal<bool>) -> impl IntoView {
    let session = main.ws.session;
    let deriving = main.deriving;
    let choose_preset = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        if v == CUSTOM {
            return;
        }
        session.update(|s| {
            s.preset = v;
            s.custom = None;
            s.branches.clear();
            s.position = 0;
            s.ran = false;
        });
        main.forget();
    };
    let choose_style = move |ev: leptos::ev::Event| {
        let v = style_from(&event_target_value(&ev));
        session.update(|s| {
            s.style = v;
            s.branches.clear();
            s.ran = false;
        });
        main.forget();
    };
    let position = main.ws.position;
    let start = move |_| {
        session.update(|s| {
            s.ran = true;
            s.position = 0;
        });
        main.start(move |o| position.set(o.timeline.len() as u64));
    };
    // The scenario's own description, then what the chosen style does: the preset's text
    // names no style, so the page never describes one style while running another.
    let description = move || {
        let s = session.get();
        let scenario = scenario_of(&s).map(|x| x.description).unwrap_or_default();
        format!("{scenario} {}", s.style.explained())
    };
    view! {
        <div class="scenario-controls">
                <div class="field">
                    <label for="scenario-preset">"Preset"</label>
                    <select id="scenario-preset" data-testid="scenario-preset" on:change=choose_preset prop:disabled=move || !loaded.get()
                        prop:value=move || if session.get().custom.is_some() { CUSTOM.to_owned() } else { session.get().preset }>
                        // An imported scenario or a design opened from an exercise is listed
                        // under its own name, so the page never claims to run a preset.
                        {move || session.get().custom.map(|c| view! {
                            <option value=CUSTOM>{if c.name.is_empty() { "Imported scenario".to_owned() } else { c.name }}</option>
                        })}
                        {presets().into_iter().map(|(name, _)| view! { <option value=name>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="scenario-style">"Integration style"</label>
                    <select id="scenario-style" data-testid="scenario-style" on:change=choose_style prop:disabled=move || !loaded.get()
                        prop:value=move || style_key(session.get().style)>
                        {STYLES.into_iter().map(|s| view! { <option value=style_key(s)>{s.name()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="button" class="primary" on:click=start data-testid="scenario-run" prop:disabled=move || !loaded.get() || deriving.get()>"Run scenario"</button>
            </div>
            <p class="muted" data-testid="scenario-description">{description}</p>
    }
}

/// Export, import and share the session; `children` go between the share button and the
/// link it shows.
#[component]
fn SessionActions(main: MainRun, children: Children) -> impl IntoView {
    let MainRun { ws, notice, .. } = main;
    let (session, outcome) = (ws.session, ws.outcome);
    let share_link = RwSignal::new(String::new());
    let export = move |_| {
        let s = session.get_untracked();
        let Some(scenario) = scenario_of(&s) else {
            return;
        };
        let text = outcome.with_untracked(|o| session::export_json(&s, &scenario, o.as_deref()));
        match crate::components::files::download(
            "event-dojo-session.json",
            "application/json",
            &text,
        ) {
            Ok(()) => notice.set(Some((
                false,
                "Saved the session as event-dojo-session.json.".into(),
            ))),
            Err(e) => notice.set(Some((true, e))),
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(reading) = crate::components::files::chosen_file_text(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let text = match reading.await {
                Ok(text) => text,
                Err(e) => {
                    notice.set(Some((true, e)));
                    return;
                }
            };
            match session::import_json(&text) {
                Err(e) => notice.set(Some((
                    true,
                    format!("The session was not imported: {e} Your current session is unchanged."),
                ))),
                Ok(imported) => {
                    session.set(imported.session);
                    let history = imported.history;
                    main.start(move |o| {
                        let same = history.is_empty()
                            || (o.timeline.len() == history.len()
                                && o.timeline
                                    .entries()
                                    .iter()
                                    .zip(&history)
                                    .all(|(e, (at, ev))| e.at_ms == *at && e.event == *ev));
                        notice.try_set(Some((false, if same {
                            "Imported the session; the history re-derived from its scenario matches the file.".into()
                        } else {
                            "Imported the session, but its history differs from what this version derives from the scenario; the workshop shows the derived history.".into()
                        })));
                    });
                }
            }
        });
    };
    let share = move |_| {
        let s = session.get_untracked();
        let Some(scenario) = scenario_of(&s) else {
            return;
        };
        let fragment = session::to_fragment(&s, &scenario);
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let link = format!(
            "{}{}#{fragment}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        share_link.set(link.clone());
        let promise = window.navigator().clipboard().write_text(&link);
        leptos::task::spawn_local(async move {
            let copied = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            notice.set(Some((
                false,
                if copied {
                    "Copied a link to this session.".into()
                } else {
                    "Here is a link to this session; copy it from the box.".into()
                },
            )));
        });
    };

    view! {
        <button type="button" class="secondary" on:click=export data-testid="session-export">"Export session"</button>
        <label class="button-like secondary" for="session-import">"Import session"</label>
        <input id="session-import" type="file" accept=".json,application/json" class="visually-hidden" on:change=import data-testid="session-import"/>
        <button type="button" class="secondary" on:click=share data-testid="session-share">"Copy share link"</button>
        {children()}
        <Show when=move || !share_link.get().is_empty()>
            <label for="share-link" class="visually-hidden">"Share link"</label>
            <input id="share-link" type="text" readonly class="share-link" prop:value=move || share_link.get() data-testid="share-link"/>
        </Show>
    }
}

/// Saves the run's events to the event store, with its progress.
#[component]
fn SaveRun(ws: Workshop, notice: Notice) -> impl IntoView {
    let store = crate::state::use_store();
    let outcome = ws.outcome;
    // The run's events go to the event store through the write-behind queue: a few
    // transactions for thousands of events, flushed at 1,000 waiting or every frame.
    let saving = RwSignal::new(None::<(usize, usize)>);
    let health = store.health;
    let save_run = {
        move |_| {
            let Some(o) = outcome.get_untracked() else {
                return;
            };
            let total = o.timeline.len();
            saving.set(Some((0, total)));
            let queue =
                crate::storage::WriteBehind::new(store.clone(), 1000, move |written, error| {
                    match error {
                        None => saving.set(Some((written, total))),
                        Some(e) => {
                            saving.set(None);
                            notice.set(Some((true, e.to_owned())));
                        }
                    }
                });
            let run_id = o.world.trace_hash[..8].to_owned();
            for e in o.timeline.entries() {
                let new = e.event.to_new_event(
                    &format!("run-{run_id}-{}", e.position),
                    &dojo_engine::sim::iso_time(e.at_ms),
                );
                queue.push((e.event.stream_id(), new));
            }
            leptos::task::spawn_local(async move {
                if queue.flush().await.is_ok() {
                    saving.set(None);
                    let text = match queue.already_present() {
                        0 => format!("Saved the run's {total} events to the event store."),
                        n if n == total => format!("The run's {total} events were already in the event store from an earlier save; nothing was added."),
                        n => format!("Saved the run's {total} events to the event store; {n} of them were already there from an earlier save and were not added again."),
                    };
                    notice.set(Some((false, text)));
                }
            });
        }
    };
    view! {
        <button type="button" class="secondary" on:click=save_run prop:disabled=move || outcome.with(|o| o.is_none()) || saving.get().is_some() || !health.with(|h| h.can_write())
            data-testid="save-run">"Save the run's events to the event store"</button>
        {move || saving.get().map(|(done, total)| view! {
            <progress max=total.to_string() value=done.to_string() aria-label="Saving the run's events"></progress>
            <span class="muted" data-testid="save-progress">{format!("{done} of {total}")}</span>
        })}
    }
}

/// The run: "running", nothing yet, or its summary and every panel.
#[component]
fn RunView(ws: Workshop, deriving: RwSignal<bool>) -> impl IntoView {
    let outcome = ws.outcome;
    view! {
        {move || match outcome.get() {
            None if deriving.get() => view! {
                <p class="empty-state" role="status" data-testid="workshop-running">"Running the scenario…"</p>
            }.into_any(),
            None => view! {
                <p class="empty-state" data-testid="workshop-empty">"Choose a preset and a style, then run the scenario."</p>
            }.into_any(),
            Some(out) => view! {
                <p class="run-summary" data-testid="run-summary">
                    {format!(
                        "{} events, {} messages sent, {} refused commands, {} channel trace entries (hash {}).",
                        out.timeline.len(), out.sent.len(), out.refusals.len(), out.world.trace_entries, &out.world.trace_hash[..12]
                    )}
                </p>
                <div class="workshop-grid">
                    <Debugger/>
                    <ArchitectureCanvas/>
                    <ReadModelsPanel/>
                    <QueuesPanel/>
                    <MetricsPanel/>
                    <BranchesPanel/>
                </div>
            }.into_any(),
        }}
    }
}
