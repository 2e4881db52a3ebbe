//! The learner's progress through the exercises, saved in IndexedDB: per exercise the
//! editor's text, the designs checked so far (for undo), whether it is solved and the
//! best golf score, where the narration stands, how many hints are shown, the capstone's
//! answers, and the mode; plus imported instructor packs.

use dojo_engine::exercise::{parse_pack, shipped, Exercise};
use dojo_engine::panel::experiment::Choice;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The name the progress is saved under.
pub const DOCUMENT: &str = "event-dojo.learn";
/// Checked designs kept for undo, per exercise.
const UNDO_DEPTH: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    pub exercises: BTreeMap<String, ExerciseProgress>,
    /// Imported packs: (file name or URL, TOML text), validated when imported.
    pub packs: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExerciseProgress {
    /// What is in the editor (JSON), when it differs from the last checked design.
    pub draft: Option<String>,
    /// Designs checked, oldest first; the last is the current one.
    pub checked: Vec<String>,
    pub solved: bool,
    pub best_golf: Option<u32>,
    /// The narration beat shown (lecture mode).
    pub beat: usize,
    pub hints: usize,
    /// The capstone's review answers, by question.
    pub answers: Vec<String>,
    /// Free exploration instead of lecture mode.
    pub free: bool,
    /// Checks made (every Check, not only the distinct designs kept for undo).
    pub attempts: u32,
    /// Whether the design is worked as a team through the classroom's broker.
    pub team: bool,
    /// The team's edits to the design as this browser last had them: kept here too, so a
    /// change made out of the room survives a reload until it is shared.
    pub team_edits: Vec<dojo_engine::classroom::team::Edit>,
    /// The mock panel's seed, when the learner changed it from the exercise's.
    pub panel_seed: Option<u64>,
    /// The mock panel, by question (`Question::key`): the prediction, what the
    /// experiment showed, and the written answer.
    pub panel: BTreeMap<String, PanelEntry>,
}

/// One question of the mock panel, as the learner worked it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PanelEntry {
    /// The prediction, once committed.
    pub prediction: Option<Choice>,
    /// The prediction's sentence.
    pub why: String,
    /// What the experiment showed, once it ran.
    pub happened: Option<Choice>,
    pub facts: Vec<String>,
    /// The answer to the panel, written after the experiment.
    pub answer: String,
}

/// Where an exercise stands on the level map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    InProgress,
    Solved,
}

impl ExerciseProgress {
    pub fn status(&self) -> Status {
        if self.solved {
            Status::Solved
        } else if self.checked.is_empty()
            && self.draft.is_none()
            && self.beat == 0
            && self.hints == 0
        {
            Status::New
        } else {
            Status::InProgress
        }
    }

    /// Records a checked design and its verdict.
    pub fn record_check(&mut self, design: String, solved: bool, golf: u32) {
        self.attempts += 1;
        if self.checked.last() != Some(&design) {
            self.checked.push(design);
            if self.checked.len() > UNDO_DEPTH {
                self.checked.remove(0);
            }
        }
        self.draft = None;
        if solved {
            self.solved = true;
            self.best_golf = Some(self.best_golf.map_or(golf, |b| b.min(golf)));
        }
    }

    /// Takes back the last checked design; returns the one before it, if any.
    pub fn undo(&mut self) -> Option<String> {
        self.checked.pop()?;
        self.draft = None;
        self.checked.last().cloned()
    }
}

impl Progress {
    /// The shipped exercises, then those of imported packs (an id already taken is
    /// skipped, so a pack cannot replace a shipped exercise).
    pub fn exercises(&self) -> Vec<Exercise> {
        let mut all = shipped();
        for (name, text) in &self.packs {
            for ex in parse_pack(text, name).unwrap_or_default() {
                if !all.iter().any(|x| x.id == ex.id) {
                    all.push(ex);
                }
            }
        }
        all
    }

    /// Where a learner carries on: the id and title of the first shipped exercise not
    /// yet solved, and whether they have begun at all. A newcomer, or one who has solved
    /// everything, is sent to exercise 1. It reads the shipped index, not the exercises,
    /// so the start page needs no exercise parsed.
    pub fn next_exercise(&self) -> ((&'static str, &'static str), bool) {
        let all = dojo_engine::exercise::SHIPPED_INDEX;
        let begun = self.exercises.values().any(|e| e.status() != Status::New);
        let next = all
            .iter()
            .find(|(id, _)| !self.exercises.get(*id).is_some_and(|p| p.solved))
            .or(all.first())
            .copied()
            .expect("at least one exercise is shipped (engine/tests/exercises.rs)");
        (next, begun)
    }

    /// Adds a pack after validating it; says what it added, or exactly what is wrong.
    pub fn import_pack(&mut self, name: &str, text: &str) -> Result<String, String> {
        let list = parse_pack(text, name).map_err(|e| e.to_string())?;
        let taken: Vec<String> = self
            .exercises()
            .into_iter()
            .map(|e| e.id)
            .filter(|id| list.iter().any(|x| &x.id == id))
            .collect();
        if !taken.is_empty() {
            return Err(format!(
                "{name}: these exercise ids are already in use: {}",
                taken.join(", ")
            ));
        }
        for ex in &list {
            dojo_engine::exercise::prove(ex).map_err(|e| format!("{name}: {e}"))?;
        }
        self.packs.push((name.to_owned(), text.to_owned()));
        Ok(format!(
            "Imported {} exercise{} from {name}: {}.",
            list.len(),
            if list.len() == 1 { "" } else { "s" },
            list.iter()
                .map(|e| e.title.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checking_keeps_an_undo_history_and_the_best_golf() {
        let mut p = ExerciseProgress::default();
        assert_eq!(p.status(), Status::New);
        p.record_check("a".into(), false, 3);
        p.record_check("b".into(), true, 2);
        p.record_check("c".into(), true, 4);
        assert_eq!(p.status(), Status::Solved);
        assert_eq!(p.best_golf, Some(2));
        assert_eq!(p.undo().as_deref(), Some("b"));
        assert_eq!(p.undo().as_deref(), Some("a"));
        assert_eq!(p.undo(), None);
        assert_eq!(p.undo(), None);
    }

    #[test]
    fn a_pack_is_validated_before_it_is_kept() {
        let mut p = Progress::default();
        let e = p.import_pack("bad.toml", "id = 3").expect_err("invalid");
        assert_eq!(
            e,
            "bad.toml: exercise #1, id: `id` must be text in double quotes, not the number 3."
        );
        assert!(p.packs.is_empty());
        let shipped_again = dojo_engine::exercise::SHIPPED[0].1;
        let e = p
            .import_pack("again.toml", shipped_again)
            .expect_err("ids taken");
        assert_eq!(
            e,
            "again.toml: these exercise ids are already in use: events-and-commands"
        );
        let mine = shipped_again.replace("id = \"events-and-commands\"", "id = \"my-commands\"");
        assert_eq!(
            p.import_pack("mine.toml", &mine).expect("valid"),
            "Imported 1 exercise from mine.toml: Events are facts, commands can be refused."
        );
        assert_eq!(
            p.exercises().len(),
            dojo_engine::exercise::shipped().len() + 1
        );
    }
}
