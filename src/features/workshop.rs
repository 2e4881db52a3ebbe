//! The workshop: run a scenario of the insurance system on the engine, then move through
//! its whole history with the time-travel debugger. The cursor moves the event store
//! position, every queue's contents and every read model together; breakpoints jump to
//! the next event matching a pattern; what-if branches re-run the services on edited
//! inputs and are compared with the main line. The session (scenario, style, branches,
//! cursor) is kept in local storage and re-derived on reload, since runs are
//! deterministic.

mod debugger;
mod panels;
mod session;

use debugger::Debugger;
use dojo_engine::services::{self, presets, Outcome, Scenario, Style};
use leptos::prelude::*;
use panels::{BranchesPanel, MetricsPanel, QueuesPanel, ReadModelsPanel};
pub use session::{BranchSpec, Session};
use std::sync::Arc;

pub(crate) const STYLES: &[(Style, &str)] = &[
    (Style::Notification, "Event notification"),
    (Style::EventCarriedState, "Event-carried state transfer"),
    (Style::EventSourcing, "Event sourcing"),
    (Style::Cqrs, "CQRS"),
];

pub(crate) fn style_name(style: Style) -> &'static str {
    STYLES
        .iter()
        .find(|(s, _)| *s == style)
        .map_or("", |(_, n)| n)
}

pub(crate) fn style_from(value: &str) -> Style {
    STYLES
        .iter()
        .find(|(s, _)| style_key(*s) == value)
        .map_or(Style::EventCarriedState, |(s, _)| *s)
}

pub(crate) fn style_key(style: Style) -> &'static str {
    match style {
        Style::Notification => "notification",
        Style::EventCarriedState => "event_carried_state",
        Style::EventSourcing => "event_sourcing",
        Style::Cqrs => "cqrs",
    }
}

/// The scenario a session describes.
pub(crate) fn scenario_of(session: &Session) -> Option<Scenario> {
    let text = presets().into_iter().find(|(n, _)| *n == session.preset)?.1;
    let base = Scenario::from_json(text).ok()?;
    Some(Scenario {
        style: session.style,
        ..base
    })
}

/// Everything the page shows, shared with its panels.
#[derive(Clone, Copy)]
pub(crate) struct Workshop {
    pub session: RwSignal<Session>,
    pub outcome: RwSignal<Option<Arc<Outcome>>>,
    pub position: RwSignal<u64>,
}

#[component]
pub fn WorkshopPage() -> impl IntoView {
    let session = RwSignal::new(session::load());
    let outcome = RwSignal::new(None::<Arc<Outcome>>);
    let position = RwSignal::new(0u64);
    let ws = Workshop {
        session,
        outcome,
        position,
    };
    provide_context(ws);

    let run = move || {
        let s = session.get_untracked();
        match scenario_of(&s) {
            Some(scenario) => {
                let out = services::run(&scenario, false);
                let len = out.timeline.len() as u64;
                outcome.set(Some(Arc::new(out)));
                position.set(s.position.min(len));
            }
            None => outcome.set(None),
        }
    };
    // A saved session is re-derived at once.
    if session.get_untracked().ran {
        run();
    }

    let choose_preset = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        session.update(|s| {
            s.preset = v;
            s.branches.clear();
            s.position = 0;
            s.ran = false;
        });
        outcome.set(None);
        session::save(&session.get_untracked());
    };
    let choose_style = move |ev: leptos::ev::Event| {
        let v = style_from(&event_target_value(&ev));
        session.update(|s| {
            s.style = v;
            s.branches.clear();
            s.ran = false;
        });
        outcome.set(None);
        session::save(&session.get_untracked());
    };
    let start = move |_| {
        session.update(|s| {
            s.ran = true;
            s.position = 0;
        });
        session::save(&session.get_untracked());
        run();
        let len = outcome.with_untracked(|o| o.as_ref().map_or(0, |o| o.timeline.len() as u64));
        position.set(len);
    };
    let description = move || {
        presets()
            .into_iter()
            .find(|(n, _)| *n == session.get().preset)
            .and_then(|(_, t)| Scenario::from_json(t).ok())
            .map(|s| s.description)
            .unwrap_or_default()
    };

    view! {
        <div class="page-title">
            <h1>"Workshop"</h1>
            <p class="muted">
                "Run the insurance system (Customer Management, the Quote Generator and Comms) on real channels, "
                "then travel through its history: every read model and queue moves with the cursor."
            </p>
        </div>
        <section class="panel scenario-bar" aria-labelledby="scenario-heading">
            <h2 id="scenario-heading">"Scenario"</h2>
            <div class="scenario-controls">
                <div class="field">
                    <label for="scenario-preset">"Preset"</label>
                    <select id="scenario-preset" data-testid="scenario-preset" on:change=choose_preset
                        prop:value=move || session.get().preset>
                        {presets().into_iter().map(|(name, _)| view! { <option value=name>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="scenario-style">"Integration style"</label>
                    <select id="scenario-style" data-testid="scenario-style" on:change=choose_style
                        prop:value=move || style_key(session.get().style)>
                        {STYLES.iter().map(|(s, name)| view! { <option value=style_key(*s)>{*name}</option> }).collect_view()}
                    </select>
                </div>
                <button type="button" class="primary" on:click=start data-testid="scenario-run">"Run scenario"</button>
            </div>
            <p class="muted">{description}</p>
        </section>
        {move || match outcome.get() {
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
                    <ReadModelsPanel/>
                    <QueuesPanel/>
                    <MetricsPanel/>
                    <BranchesPanel/>
                </div>
            }.into_any(),
        }}
    }
}
