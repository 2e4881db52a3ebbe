//! The exercise page's state: one `Page` of signals, shared by the page's parts (the
//! header, beats, hints, design panel, drawing, forms, mock panel and review), with the
//! actions on it (check, undo, reset, show solution).

use super::progress::{ExerciseProgress, Progress};
use crate::components::focus::focus_soon;
use dojo_engine::exercise::check::{check, Report};
use dojo_engine::exercise::{Design, Exercise};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The exercise page's state, shared by its parts. Cheap to copy.
#[derive(Clone, Copy)]
pub(super) struct Page {
    pub(super) progress: RwSignal<Progress>,
    pub(super) loaded: RwSignal<bool>,
    pub(super) id: Memo<String>,
    pub(super) exercises: Memo<Vec<Exercise>>,
    pub(super) exercise: Memo<Option<Exercise>>,
    /// The design's JSON, as the learner sees it.
    pub(super) text: RwSignal<String>,
    /// The design as the JSON stands: the forms edit it while it parses.
    pub(super) parsed: Memo<Result<Design, String>>,
    /// What the forms and drawings show: the design as it last parsed, so that a mistake
    /// being typed in the JSON does not blank them.
    pub(super) last_good: Memo<Design>,
    /// Earlier texts of the design in this visit, newest last: Undo takes back the last
    /// change, whichever view made it (a form, the JSON, Reset or Show solution).
    pub(super) edits: RwSignal<Vec<String>>,
    pub(super) builder_notice: RwSignal<Option<Result<String, String>>>,
    pub(super) report: RwSignal<Option<Report>>,
    pub(super) error: RwSignal<Option<String>>,
    pub(super) notice: RwSignal<Option<String>>,
    /// The beat at which the learner last checked, for beats that wait for a check.
    pub(super) checked_at_beat: RwSignal<Option<usize>>,
}

impl Page {
    pub(super) fn new() -> Self {
        let params = use_params_map();
        let (progress, loaded) = super::use_progress();
        let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
        // Parsing the packs again only when they change, not on every keystroke.
        let packs = Memo::new(move |_| progress.with(|p| p.packs.clone()));
        let exercises = Memo::new(move |_| {
            let packs = packs.get();
            Progress {
                packs,
                ..Progress::default()
            }
            .exercises()
        });
        let exercise = Memo::new(move |_| {
            let id = id.get();
            exercises.with(|all| all.iter().find(|e| e.id == id).cloned())
        });
        let text = RwSignal::new(String::new());
        let parsed = Memo::new(move |_| text.with(|t| Design::from_json(t)));
        let last_good = Memo::new(move |before: Option<&Design>| {
            parsed.with(|p| match p {
                Ok(d) => d.clone(),
                Err(_) => before.cloned().unwrap_or_default(),
            })
        });
        Page {
            progress,
            loaded,
            id,
            exercises,
            exercise,
            text,
            parsed,
            last_good,
            edits: RwSignal::new(Vec::new()),
            builder_notice: RwSignal::new(None),
            report: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            checked_at_beat: RwSignal::new(None),
        }
    }

    /// This learner's progress on this exercise.
    pub(super) fn mine(self) -> ExerciseProgress {
        self.progress
            .with(|p| p.exercises.get(&self.id.get()).cloned().unwrap_or_default())
    }

    pub(super) fn update(self, f: &dyn Fn(&mut ExerciseProgress)) {
        let key = self.id.get_untracked();
        self.progress
            .update(|p| f(p.exercises.entry(key).or_default()));
    }

    // A new text for the design, from a form, Reset or Show solution: the old one can be
    // brought back with Undo, and the new one is the saved draft.
    pub(super) fn replace_text(self, next: String) {
        let Page { text, edits, .. } = self;

        let before = text.get_untracked();
        if before == next {
            return;
        }
        edits.update(|e| e.push(before));
        text.set(next.clone());
        self.update(&|m| m.draft = Some(next.clone()));
    }

    pub(super) fn run_check(self) {
        let Page {
            exercise,
            text,
            report,
            error,
            notice,
            checked_at_beat,
            ..
        } = self;

        let Some(ex) = exercise.get_untracked() else {
            return;
        };
        let t = text.get_untracked();
        match Design::from_json(&t) {
            Err(e) => {
                error.set(Some(format!("The design is not valid. {e}")));
            }
            Ok(design) => {
                let r = check(&ex, &design);
                error.set(None);
                notice.set(None);
                let (solved, golf) = (r.solved, r.golf);
                self.update(&|m| m.record_check(t.clone(), solved, golf));
                checked_at_beat.set(Some(self.mine().beat));
                report.set(Some(r));
                // The verdict is what the learner asked for, wherever they pressed Check.
                focus_soon("[data-testid=check-summary]");
            }
        }
    }

    pub(super) fn undo(self) {
        let Page {
            exercise,
            text,
            edits,
            report,
            error,
            notice,
            builder_notice,
            ..
        } = self;

        let Some(ex) = exercise.get_untracked() else {
            return;
        };
        builder_notice.set(None);
        // First the changes made in this visit, in either view.
        if let Some(before) = edits.try_update(|e| e.pop()).flatten() {
            text.set(before.clone());
            self.update(&|m| m.draft = Some(before.clone()));
            error.set(None);
            notice.set(Some(
                "Undone: the design is as it was before your last change.".into(),
            ));
            return;
        }
        let mut m = self.mine();
        let previous = m.undo();
        self.update(&|p| {
            p.undo();
        });
        error.set(None);
        match previous {
            Some(t) => {
                report.set(Design::from_json(&t).ok().map(|d| check(&ex, &d)));
                text.set(t);
                notice.set(Some("Back to your previous design.".into()));
            }
            None => {
                text.set(ex.start_text.clone());
                report.set(None);
                notice.set(Some(
                    "Nothing left to undo: back to the starting design.".into(),
                ));
            }
        }
    }

    pub(super) fn reset(self) {
        let Page {
            exercise,
            text,
            edits,
            report,
            error,
            notice,
            checked_at_beat,
            ..
        } = self;

        let Some(ex) = exercise.get_untracked() else {
            return;
        };
        let before = text.get_untracked();
        self.update(&|m| {
            m.checked.clear();
            m.draft = None;
            m.beat = 0;
            m.hints = 0;
        });
        if before != ex.start_text {
            edits.update(|e| e.push(before));
        }
        text.set(ex.start_text.clone());
        report.set(None);
        error.set(None);
        checked_at_beat.set(None);
        notice.set(Some(
            "The exercise starts again. Your best golf score stays; Undo brings your design back."
                .into(),
        ));
    }

    pub(super) fn show_solution(self) {
        let Page {
            exercise, notice, ..
        } = self;

        let Some(ex) = exercise.get_untracked() else {
            return;
        };
        self.replace_text(ex.solution_text.clone());
        notice.set(Some(
            "The reference solution is in both views. Nothing is applied until you press Check; Undo brings your design back."
                .into(),
        ));
    }

    /// The forms change the design that parsed last and write it back as JSON.
    pub(super) fn change_design(self, change: &dyn Fn(&mut Design)) {
        if let Ok(mut d) = self.parsed.get_untracked() {
            change(&mut d);
            self.replace_text(d.to_compact_json());
        }
    }

    /// The scenario the forms and the drawing show: the design's, else the exercise's
    /// start, else the first preset.
    pub(super) fn design_scenario(self) -> Signal<dojo_engine::services::Scenario> {
        let (last_good, exercise) = (self.last_good, self.exercise);
        Signal::derive(move || {
            last_good
                .with(|d| d.scenario.clone())
                .or_else(|| exercise.with(|e| e.as_ref().and_then(|e| e.start.scenario.clone())))
                .or_else(|| {
                    let (_, text) = dojo_engine::services::presets().into_iter().next()?;
                    dojo_engine::services::Scenario::from_json(text).ok()
                })
                .expect("the presets hold a scenario")
        })
    }
}
