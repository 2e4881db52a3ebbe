//! A learner's progress on the exercise open, shared with the room's instructor when the
//! learner consented (the classroom's "Share my progress" setting): whether it is solved,
//! the checks and hints so far, the time on the page, and the capstone report once
//! exported. Nothing goes out without consent, or out of a room.

use super::page::Page;
use crate::features::classroom::{use_classroom, Classroom, Status};
use dojo_engine::classroom::coordination::ProgressReport;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// How often the time on a visible page is counted.
const TICK_S: u64 = 15;
/// Where the time on each exercise's page is kept (seconds, by exercise id): a document of
/// its own, so that counting it does not touch the progress the page is drawn from.
const TIME_DOCUMENT: &str = "event-dojo.learn.time";

/// The time spent on each exercise's page.
pub type Time = RwSignal<BTreeMap<String, u64>>;

/// The learner's report on the exercise open, with the report text when given.
fn report(page: Page, time: Time, report: Option<String>) -> Option<ProgressReport> {
    let ex = page.exercise.get_untracked()?;
    let m = page.mine();
    Some(ProgressReport {
        exercise: ex.id.clone(),
        title: ex.title.clone(),
        solved: m.solved,
        attempts: m.attempts,
        hints: m.hints as u32,
        seconds: time.with_untracked(|t| t.get(&ex.id).copied().unwrap_or(0)),
        report,
    })
}

/// The time document, read once per page.
pub fn use_time() -> Time {
    crate::state::use_document::<BTreeMap<String, u64>>(TIME_DOCUMENT).0
}

/// Sends the report, when this learner shares progress in a room.
pub fn send(classroom: Classroom, page: Page, time: Time, text: Option<String>) {
    let Some(r) = report(page, time, text) else {
        return;
    };
    let Some(topic) = classroom
        .settings
        .with_untracked(|s| s.progress_topic(&r.exercise))
    else {
        return;
    };
    if let Ok(payload) = serde_json::to_string(&r) {
        classroom.share(topic, payload, true);
    }
}

/// Counts the time on the page and shares the progress as it changes.
#[component]
pub fn ShareProgress(page: Page, time: Time) -> impl IntoView {
    let classroom = use_classroom();
    // The time on the page, while it is visible.
    let ticker = leptos::prelude::set_interval_with_handle(
        move || {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| !d.hidden());
            if let (true, Some(ex)) = (visible, page.exercise.get_untracked()) {
                time.update(|t| *t.entry(ex.id).or_default() += TICK_S);
            }
        },
        std::time::Duration::from_secs(TICK_S),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = ticker {
            t.clear();
        }
    });
    // What an instructor follows: solved, checks, hints, and the time by the minute.
    let shown = Memo::new(move |_| {
        let m = page.mine();
        let id = page.exercise.with(|e| e.as_ref().map(|e| e.id.clone()));
        let minutes =
            time.with(|t| id.as_ref().and_then(|id| t.get(id)).copied().unwrap_or(0) / 60);
        (id, m.solved, m.attempts, m.hints, minutes)
    });
    Effect::new(move |_| {
        shown.track();
        let sharing = classroom.settings.with(|s| s.share_progress);
        if sharing && classroom.status.get() == Status::Connected {
            send(classroom, page, time, None);
        }
    });
}
