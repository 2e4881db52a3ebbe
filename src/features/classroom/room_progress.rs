//! The instructor's view of the room's progress: per learner who shares it, each
//! exercise solved or not, the checks, hints and time so far, who looks stuck where, and
//! the capstone reports as they are exported; the room's progress as CSV; and "send the
//! room to an exercise".

use super::use_classroom;
use dojo_engine::classroom::coordination::GoTo;
use leptos::prelude::*;

/// Seconds as minutes and seconds.
fn duration(seconds: u64) -> String {
    if seconds >= 60 {
        format!("{} min {:02} s", seconds / 60, seconds % 60)
    } else {
        format!("{seconds} s")
    }
}

/// An exercise's title, from the shipped index (or its id, for a pack's).
fn title_of(id: &str) -> String {
    dojo_engine::exercise::SHIPPED_INDEX
        .iter()
        .find(|(x, _)| *x == id)
        .map_or_else(|| id.to_owned(), |(_, t)| (*t).to_owned())
}

#[component]
pub fn RoomProgressView() -> impl IntoView {
    let classroom = use_classroom();
    let progress = Memo::new(move |_| classroom.coordination.with(|c| c.progress.clone()));
    let target = RwSignal::new(
        dojo_engine::exercise::SHIPPED_INDEX
            .first()
            .map(|(id, _)| (*id).to_owned())
            .unwrap_or_default(),
    );
    let sent = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let send = move |_| {
        let exercise = target.get_untracked();
        let Some(topic) = classroom.settings.with_untracked(|s| s.command_topic()) else {
            return;
        };
        match serde_json::to_string(&GoTo {
            exercise: exercise.clone(),
        }) {
            Ok(payload) => {
                classroom.share(topic, payload, false);
                sent.set(Some(format!(
                    "Sent the room to \u{201c}{}\u{201d}.",
                    title_of(&exercise)
                )));
            }
            Err(e) => problem.set(Some(e.to_string())),
        }
    };
    let room = move || classroom.settings.with(|s| s.room.clone());
    let csv = move |_| {
        let text = progress.with_untracked(|p| p.csv());
        if let Err(e) = crate::components::files::download(
            &format!("event-dojo-{}-progress.csv", room()),
            "text/csv",
            &text,
        ) {
            problem.set(Some(e));
        }
    };
    view! {
        <section class="panel room-progress" aria-labelledby="progress-heading" data-testid="room-progress">
            <h2 id="progress-heading">"Room progress"</h2>
            <p class="muted" data-testid="room-progress-summary">{move || progress.with(|p| match p.learners.len() {
                0 => "No learner shares their progress yet. Learners tick \u{201c}Share my progress with the instructor\u{201d} when they join; it is off until they do.".to_owned(),
                1 => "1 learner shares their progress.".to_owned(),
                n => format!("{n} learners share their progress."),
            })}</p>
            <p data-testid="room-stuck">{move || progress.with(|p| {
                let stuck = p.stuck();
                if stuck.is_empty() {
                    "Nobody looks stuck.".to_owned()
                } else {
                    let who: Vec<String> = stuck.iter().map(|((team, learner), on)| {
                        format!("{learner} ({team}) on {}", on.iter().map(|e| title_of(e)).collect::<Vec<_>>().join(", "))
                    }).collect();
                    format!("Stuck (not solved after 3 checks, or 10 minutes): {}.", who.join("; "))
                }
            })}</p>
            <div class="table-scroll">
                <table class="room-counts" data-testid="room-progress-table">
                    <thead><tr><th scope="col">"Team"</th><th scope="col">"Learner"</th><th scope="col">"Exercise"</th><th scope="col">"Solved"</th><th scope="col">"Checks"</th><th scope="col">"Hints"</th><th scope="col">"Time"</th><th scope="col">"Report"</th></tr></thead>
                    <tbody>
                        {move || progress.with(|p| p.learners.iter().flat_map(|((team, learner), exercises)| {
                            exercises.values().map(|r| {
                                let file = format!("event-dojo-{team}-{learner}-{}.md", r.exercise);
                                let text = r.report.clone();
                                view! {
                                    <tr data-testid="room-progress-row" class=if r.stuck() { "stuck" } else { "" }>
                                        <td>{team.clone()}</td><td>{learner.clone()}</td><td>{r.title.clone()}</td>
                                        <td>{if r.solved { "yes" } else if r.stuck() { "stuck" } else { "not yet" }}</td>
                                        <td>{r.attempts}</td><td>{r.hints}</td><td>{duration(r.seconds)}</td>
                                        <td>{text.map(|t| {
                                            let file = file.clone();
                                            view! { <button type="button" class="secondary" data-testid="room-report-download"
                                                on:click=move |_| { let _ = crate::components::files::download(&file, "text/markdown", &t); }>"Download"</button> }
                                        })}</td>
                                    </tr>
                                }
                            }).collect::<Vec<_>>()
                        }).collect_view())}
                    </tbody>
                </table>
            </div>
            <div class="form-actions">
                <button type="button" class="secondary" on:click=csv data-testid="room-progress-csv">"Download the room's progress (CSV)"</button>
            </div>
            <div class="field">
                <label for="room-goto">"Send the room to an exercise"</label>
                <select id="room-goto" data-testid="room-goto" on:change=move |ev| target.set(event_target_value(&ev))>
                    {dojo_engine::exercise::SHIPPED_INDEX.iter().map(|(id, title)| view! { <option value=*id>{*title}</option> }).collect_view()}
                </select>
            </div>
            <div class="form-actions">
                <button type="button" class="primary" on:click=send data-testid="room-goto-send">"Send the room there"</button>
            </div>
            {move || sent.get().map(|s| view! { <p class="form-status" role="status" data-testid="room-goto-sent">{s}</p> })}
            {move || problem.get().map(|p| view! { <p class="field-error" role="alert">{p}</p> })}
        </section>
    }
}
