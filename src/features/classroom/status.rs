//! The classroom's status in the header, on every page: off, connecting, connected, or
//! waiting to reconnect, with the outbox's count when events are waiting.

use super::{seconds_left, use_classroom, Status};
use leptos::prelude::*;

#[component]
pub fn ClassroomStatus() -> impl IntoView {
    let classroom = use_classroom();
    let state = move || match classroom.status.get() {
        Status::Off => "off",
        Status::Connecting { .. } => "connecting",
        Status::Connected => "connected",
        Status::Waiting { .. } => "waiting",
    };
    let text = move || {
        let room = classroom.settings.with(|s| s.room.clone());
        match classroom.status.get() {
            Status::Off => "Classroom: off".to_owned(),
            Status::Connecting { .. } => format!("{room}: connecting…"),
            Status::Connected => format!("{room}: connected"),
            // Short enough that the header stays one row at 1280 px with events waiting;
            // the title and the classroom page say it in full.
            Status::Waiting { at_ms, .. } => format!(
                "Offline: retry in {} s",
                seconds_left(at_ms, classroom.now_ms.get())
            ),
        }
    };
    let waiting = move || match classroom.outbox.get() {
        0 => None,
        n => Some(format!("{n} waiting")),
    };
    view! {
        <a href=crate::paths::href("/classroom") class="room-status" data-testid="room-status" data-state=state
            title=move || format!("Classroom: room {}, and this tab's connection to it", classroom.settings.with(|s| s.room.clone()))>
            <span class="room-dot" aria-hidden="true"></span>
            <span class="room-label">{text}</span>
            // Announced when the state changes, not at every tick of the countdown.
            <span class="visually-hidden" role="status">{move || match classroom.status.get() {
                Status::Off => "",
                Status::Connecting { .. } => "Classroom: connecting",
                Status::Connected => "Classroom: connected",
                Status::Waiting { .. } => "Classroom: offline, retrying",
            }}</span>
            {move || waiting().map(|w| view! { <span class="badge" data-testid="room-status-outbox">{w}</span> })}
        </a>
    }
}

/// The instructor's "go to this exercise", as a banner a learner can follow or dismiss.
#[component]
pub fn GoToBanner() -> impl IntoView {
    let classroom = use_classroom();
    let dismissed = RwSignal::new(None::<(String, String)>);
    move || {
        let goto = classroom.coordination.with(|c| c.goto.clone())?;
        let learner = classroom
            .settings
            .with(|s| s.role == dojo_engine::classroom::Role::Learner);
        if !learner || dismissed.get().as_ref() == Some(&goto) {
            return None;
        }
        let (from, id) = goto.clone();
        let title = dojo_engine::exercise::SHIPPED_INDEX
            .iter()
            .find(|(x, _)| *x == id)
            .map_or_else(|| id.clone(), |(_, t)| (*t).to_owned());
        Some(view! {
            <div class="goto-banner" role="status" data-testid="goto-banner">
                <span>{format!("Your instructor {from} sends the room to \u{201c}{title}\u{201d}.")}</span>
                <a href=crate::paths::href(&format!("/learn/{id}")) data-testid="goto-follow" on:click=move |_| dismissed.set(Some(goto.clone()))>"Go there"</a>
                <button type="button" class="secondary" on:click=move |_| dismissed.set(Some((from.clone(), id.clone()))) data-testid="goto-dismiss">"Dismiss"</button>
            </div>
        })
    }
}
