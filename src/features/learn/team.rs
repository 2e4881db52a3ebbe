//! A capstone worked as a team of two through the classroom's broker. With the learner
//! in a room and "Work on this design as team …" ticked, every change to the design (from
//! the forms or the JSON) is an edit shared on the team's topic
//! (`dojo_engine::classroom::team`), and every edit from the team is folded into the
//! design in the team's order, in both browsers. Each change shows its author; when both
//! change one resource at once, both are told which change was kept.

use super::page::Page;
use crate::features::classroom::{use_classroom, Status};
use dojo_engine::classroom::coordination::DesignMessage;
use dojo_engine::classroom::Role;
use dojo_engine::exercise::Design;
use leptos::prelude::*;

/// The team's members as the edits show them, with this learner first.
pub fn members(me: &str, team: &dojo_engine::classroom::team::TeamDesign) -> Vec<String> {
    let mut out = vec![me.to_owned()];
    for e in team.edits() {
        if !out.contains(&e.author) {
            out.push(e.author.clone());
        }
    }
    out
}

#[component]
pub fn TeamPanel(page: Page) -> impl IntoView {
    let classroom = use_classroom();
    let exercise = page.exercise;
    let on = Memo::new(move |_| page.mine().team);
    let in_room = Memo::new(move |_| {
        classroom.status.get() != Status::Off
            && classroom.settings.with(|s| s.role == Role::Learner)
    });
    // The team's design of this exercise, as the edits so far give it.
    let team_design = Memo::new(move |_| {
        let ex = exercise.get()?;
        classroom.coordination.with(|c| {
            c.teams
                .get(&ex.id)
                .filter(|t| !t.is_empty())
                .map(|t| t.design(&ex.start))
        })
    });
    // Shares this learner's edits of this exercise (all of them: the message says all).
    let share = move |exercise: &str| {
        let settings = classroom.settings.get_untracked();
        let Some(topic) = settings.design_topic(exercise) else {
            return;
        };
        let (edits, notes) = classroom.coordination.with_untracked(|c| {
            c.teams
                .get(exercise)
                .map(|t| (t.mine(&settings.learner), t.my_notes(&settings.learner)))
                .unwrap_or_default()
        });
        // Nothing of this learner's yet (say, just after a reload, before the broker's
        // retained edits are back): an empty message would replace theirs on the broker.
        if edits.is_empty() && notes.is_empty() {
            return;
        }
        let message = DesignMessage {
            exercise: exercise.to_owned(),
            edits,
            notes,
        };
        if let Ok(payload) = serde_json::to_string(&message) {
            classroom.share(topic, payload, true);
        }
    };
    // A change here becomes the team's: an edit from the team's design to this one. A
    // team with a design already is joined by taking it up (the effect below), not by
    // overwriting it with this learner's; a team with none starts from this one.
    // The team's edits are kept with the progress, and read back on a new visit (a reload
    // out of the room keeps what was changed meanwhile).
    let saved_edits = move |id: &str| {
        page.progress.with_untracked(|p| {
            p.exercises
                .get(id)
                .map(|e| e.team_edits.clone())
                .unwrap_or_default()
        })
    };
    Effect::new(move |_| {
        let (Some(ex), true) = (exercise.get(), page.loaded.get()) else {
            return;
        };
        let saved = saved_edits(&ex.id);
        if !saved.is_empty() {
            classroom.coordination.update(|c| {
                let found = c.teams.entry(ex.id.clone()).or_default().merge(saved);
                c.conflicts
                    .extend(found.into_iter().map(|x| (ex.id.clone(), x.message())));
            });
        }
    });
    Effect::new(move |_| {
        let Some(ex) = exercise.get_untracked() else {
            return;
        };
        let edits: Vec<_> = classroom.coordination.with(|c| {
            c.teams
                .get(&ex.id)
                .map(|t| t.edits().cloned().collect())
                .unwrap_or_default()
        });
        if !edits.is_empty() && saved_edits(&ex.id) != edits {
            page.update(&|m| m.team_edits = edits.clone());
        }
    });
    // What the team's design last put in the editor: a change that only takes it up is
    // not an edit of this learner's.
    let adopted = StoredValue::new(None::<String>);
    // Out of the room (the learner left it for a while) changes are kept as edits all the
    // same, and shared when they are back (the effect after next). Designs are compared
    // as the editor writes them, so a design read back from its own JSON is no change.
    Effect::new(move |previous: Option<String>| {
        let design = page.last_good.get();
        let text = design.to_compact_json();
        let learner = classroom.settings.with(|s| s.role == Role::Learner);
        if !on.get() || !learner {
            return text;
        }
        let Some(ex) = exercise.get_untracked() else {
            return text;
        };
        let before = team_design.get_untracked();
        let changed_here = previous.as_ref().is_some_and(|p| *p != text);
        let taken_up = adopted.with_value(|a| a.as_ref() == Some(&text));
        let same = before.as_ref().is_some_and(|b| b.to_compact_json() == text);
        if !changed_here || taken_up || same {
            return text;
        }
        let me = classroom.settings.with_untracked(|s| s.learner.clone());
        // Read back from its JSON as this design was, so the edit holds only what changed.
        let before = before.unwrap_or_else(|| ex.start.clone());
        let before = Design::from_json(&before.to_compact_json()).unwrap_or(before);
        let recorded = classroom.coordination.try_update(|c| {
            c.teams
                .entry(ex.id.clone())
                .or_default()
                .record(&me, &before, &design)
                .is_some()
        });
        if recorded == Some(true) {
            share(&ex.id);
        }
        text
    });
    // The team's changes become this design.
    Effect::new(move |_| {
        let Some(theirs) = team_design.get() else {
            return;
        };
        if !on.get() || !in_room.get() {
            return;
        }
        let text = theirs.to_compact_json();
        if page
            .last_good
            .with_untracked(|d| d.to_compact_json() != text)
        {
            adopted.set_value(Some(text.clone()));
            page.replace_text(text);
        }
    });
    // The panel's predictions, outcomes and answers, the review's answers and the panel's
    // seed are the team's too: each is a note, the latest write winning.
    Effect::new(move |_| {
        let m = page.mine();
        if !on.get() {
            return;
        }
        let Some(ex) = exercise.get_untracked() else {
            return;
        };
        let me = classroom.settings.with_untracked(|s| s.learner.clone());
        let mut values: Vec<(String, serde_json::Value)> = m
            .panel
            .iter()
            .filter_map(|(k, e)| Some((format!("panel:{k}"), serde_json::to_value(e).ok()?)))
            .collect();
        // An empty answer is one not written yet here: it must not replace a teammate's.
        values.extend(
            m.answers
                .iter()
                .enumerate()
                .filter(|(_, a)| !a.trim().is_empty())
                .map(|(i, a)| (format!("answer:{i}"), a.clone().into())),
        );
        if let Some(seed) = m.panel_seed {
            values.push(("seed".into(), seed.into()));
        }
        let wrote = classroom.coordination.try_update(|c| {
            let t = c.teams.entry(ex.id.clone()).or_default();
            values
                .into_iter()
                .filter_map(|(k, v)| t.write(&me, &k, v))
                .count()
                > 0
        });
        if wrote == Some(true) {
            share(&ex.id);
        }
    });
    // And a teammate's notes come in here.
    Effect::new(move |_| {
        if !on.get() {
            return;
        }
        let Some(ex) = exercise.get() else {
            return;
        };
        let notes: Vec<dojo_engine::classroom::team::Note> = classroom.coordination.with(|c| {
            c.teams
                .get(&ex.id)
                .map(|t| t.notes().cloned().collect())
                .unwrap_or_default()
        });
        if notes.is_empty() {
            return;
        }
        let mine = page
            .progress
            .with_untracked(|p| p.exercises.get(&ex.id).cloned().unwrap_or_default());
        let mut next = mine.clone();
        for n in &notes {
            if let Some(k) = n.key.strip_prefix("panel:") {
                if let Ok(e) =
                    serde_json::from_value::<super::progress::PanelEntry>(n.value.clone())
                {
                    next.panel.insert(k.to_owned(), e);
                }
            } else if let Some(i) = n
                .key
                .strip_prefix("answer:")
                .and_then(|i| i.parse::<usize>().ok())
            {
                if let (Some(a), true) = (n.value.as_str(), i < 64) {
                    if next.answers.len() <= i {
                        next.answers.resize(i + 1, String::new());
                    }
                    next.answers[i] = a.to_owned();
                }
            } else if n.key == "seed" {
                if let Some(seed) = n.value.as_u64() {
                    next.panel_seed = Some(seed);
                }
            }
        }
        if next != mine {
            page.update(&|m| {
                m.panel.clone_from(&next.panel);
                m.answers.clone_from(&next.answers);
                m.panel_seed = next.panel_seed;
            });
        }
    });
    // Back in the room (or on this page again): this learner's edits go out once more, so
    // what they changed while away reaches the team. The message says all, so a repeat
    // changes nothing.
    Effect::new(move |_| {
        if classroom.status.get() != Status::Connected || !on.get() {
            return;
        }
        if let Some(ex) = exercise.get_untracked() {
            share(&ex.id);
        }
    });
    let toggle = move |ev: leptos::ev::Event| {
        let checked = event_target_checked(&ev);
        page.update(&|m| m.team = checked);
        // Joining a team that has a design already takes it up (the effect above); a
        // team with none yet starts from this learner's design.
        let Some(ex) = exercise.get_untracked() else {
            return;
        };
        if checked && team_design.get_untracked().is_none() {
            let me = classroom.settings.with_untracked(|s| s.learner.clone());
            let design = page.last_good.get_untracked();
            let recorded = classroom.coordination.try_update(|c| {
                c.teams
                    .entry(ex.id.clone())
                    .or_default()
                    .record(&me, &ex.start, &design)
                    .is_some()
            });
            if recorded == Some(true) {
                share(&ex.id);
            }
        }
    };
    move || {
        let ex = exercise.get().filter(super::mock_panel::has_panel)?;
        let team = classroom.settings.with(|s| s.team.clone());
        let me = classroom.settings.with(|s| s.learner.clone());
        let body = if in_room.get() {
            view! {
                <label class="toggle"><input type="checkbox" prop:checked=move || on.get() on:change=toggle data-testid="team-on"/>{format!(" Work on this design as team {team}: every change is shared with your team, and theirs reach you")}</label>
                {move || on.get().then(|| {
                    let (log, conflicts, who) = classroom.coordination.with(|c| {
                        let t = c.teams.get(&ex.id);
                        let log: Vec<(String, String)> = t
                            .map(|t| t.edits().map(|e| (e.author.clone(), e.changes.iter().map(|c| c.resource.clone()).collect::<Vec<_>>().join(", "))).collect())
                            .unwrap_or_default();
                        let conflicts: Vec<String> = c.conflicts.iter().filter(|(x, _)| *x == ex.id).map(|(_, m)| m.clone()).collect();
                        let who = t.map(|t| members(&me, t)).unwrap_or_else(|| vec![me.clone()]);
                        (log, conflicts, who)
                    });
                    view! {
                        <p data-testid="team-members">{format!("Team {team}: {}.", who.join(", "))}</p>
                        {conflicts.into_iter().map(|m| view! { <p class="field-error" role="alert" data-testid="team-conflict">{m}</p> }).collect_view()}
                        {if log.is_empty() {
                            view! { <p class="muted" data-testid="team-empty">"No changes yet: the first change either of you makes starts the team's design."</p> }.into_any()
                        } else {
                            view! {
                                <ol class="team-log" reversed data-testid="team-log">
                                    {log.into_iter().rev().take(20).map(|(author, what)| view! { <li><strong>{author}</strong>{format!(" changed {what}")}</li> }).collect_view()}
                                </ol>
                            }.into_any()
                        }}
                    }
                })}
            }
            .into_any()
        } else {
            view! { <p class="muted" data-testid="team-off">"To work on this capstone as a team of two, both of you join the same room and team on the Classroom page; then tick the box that appears here."</p> }.into_any()
        };
        Some(view! {
            <section class="panel team-panel" aria-labelledby="team-heading" data-testid="team-panel">
                <h2 id="team-heading">"Team"</h2>
                {body}
            </section>
        })
    }
}

/// The team named in the report: the team's name and its members, when the design was
/// worked as a team.
pub fn report_team(
    page: Page,
    classroom: crate::features::classroom::Classroom,
) -> Option<(String, Vec<String>)> {
    let ex = page.exercise.get_untracked()?;
    if !page.mine().team {
        return None;
    }
    let (team, me) = classroom
        .settings
        .with_untracked(|s| (s.team.clone(), s.learner.clone()));
    let who = classroom.coordination.with_untracked(|c| {
        c.teams
            .get(&ex.id)
            .map(|t| members(&me, t))
            .unwrap_or_else(|| vec![me.clone()])
    });
    Some((team, who))
}
