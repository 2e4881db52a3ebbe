//! What a room shares besides events: a team's design edits, a learner's progress (with
//! their consent) and the instructor's "go to this exercise". Each has its own channel
//! level in the room's topic scheme:
//!
//! - `dojo/<room>/<team>/<learner>/design/<exercise>`: every edit the learner made to the
//!   team's design of that exercise ([`team::Edit`]), retained;
//! - `dojo/<room>/<team>/<learner>/progress/<exercise>`: where the learner stands in it
//!   ([`ProgressReport`]), retained, sent only when the learner shares progress;
//! - `dojo/<room>/instructor/<name>/command/goto`: the instructor sends the room to an
//!   exercise.
//!
//! Like events, these come from an untrusted room: each is read with its size, topic and
//! shape checked, and refused with the reason otherwise.

use super::team::{Edit, Note};
use super::Refusal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The channel levels of coordination topics.
pub const DESIGN: &str = "design";
pub const PROGRESS: &str = "progress";
pub const COMMAND: &str = "command";
/// The team level of the instructor's topics.
pub const INSTRUCTOR_TEAM: &str = "instructor";
/// A learner counts as stuck on an exercise they have not solved after this many checks,
/// or this long on it.
pub const STUCK_ATTEMPTS: u32 = 3;
pub const STUCK_SECONDS: u64 = 10 * 60;

/// A team member's edits to one exercise's design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignMessage {
    pub exercise: String,
    pub edits: Vec<Edit>,
    /// The member's notes that still stand (panel predictions and answers, review
    /// answers, the panel's seed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// Where a learner stands in one exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressReport {
    pub exercise: String,
    pub title: String,
    pub solved: bool,
    /// Checks made.
    pub attempts: u32,
    /// Hints shown.
    pub hints: u32,
    /// Seconds spent on the exercise's page.
    pub seconds: u64,
    /// The capstone report, once exported (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

impl ProgressReport {
    /// Whether the learner looks stuck: not solved after several checks, or a long time.
    pub fn stuck(&self) -> bool {
        !self.solved && (self.attempts >= STUCK_ATTEMPTS || self.seconds >= STUCK_SECONDS)
    }
}

/// The instructor's command to the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoTo {
    pub exercise: String,
}

/// What a coordination message says.
#[derive(Debug, Clone, PartialEq)]
pub enum Coordination {
    Design(DesignMessage),
    Progress(ProgressReport),
    GoTo(GoTo),
}

/// A coordination message that passed every check, and who sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct CoordinationMessage {
    pub team: String,
    pub learner: String,
    pub what: Coordination,
}

/// An exercise id as a topic level: lower-case letters, digits and `-`, 1 to 64.
fn exercise_id_ok(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Whether a topic's channel level is a coordination one.
pub fn is_coordination(channel: &str) -> bool {
    matches!(channel, DESIGN | PROGRESS | COMMAND)
}

/// Reads a coordination message that arrived on `topic` for `room`.
pub fn read(room: &str, topic: &str, payload: &[u8]) -> Result<CoordinationMessage, Refusal> {
    let [team, learner, channel, last] = super::room_levels(room, topic, payload)?;
    let bad = |message: String| Refusal::NotAnEvent {
        field: "(payload)".into(),
        message,
    };
    let text = std::str::from_utf8(payload).map_err(|_| bad("is not UTF-8 text".into()))?;
    let what = match channel {
        DESIGN => {
            let m: DesignMessage = serde_json::from_str(text)
                .map_err(|e| bad(format!("is not a team's design edits: {e}")))?;
            if m.exercise != last || !exercise_id_ok(last) {
                return Err(Refusal::Topic);
            }
            if m.edits.iter().any(|e| e.author != learner)
                || m.notes.iter().any(|n| n.author != learner)
            {
                return Err(bad(format!("carries edits not made by {learner}")));
            }
            Coordination::Design(m)
        }
        PROGRESS => {
            let p: ProgressReport = serde_json::from_str(text)
                .map_err(|e| bad(format!("is not a progress report: {e}")))?;
            if p.exercise != last || !exercise_id_ok(last) {
                return Err(Refusal::Topic);
            }
            Coordination::Progress(p)
        }
        COMMAND if last == "goto" && team == INSTRUCTOR_TEAM => {
            let g: GoTo =
                serde_json::from_str(text).map_err(|e| bad(format!("is not a command: {e}")))?;
            if !exercise_id_ok(&g.exercise) {
                return Err(bad("names no exercise".into()));
            }
            Coordination::GoTo(g)
        }
        _ => return Err(Refusal::Topic),
    };
    Ok(CoordinationMessage {
        team: team.to_owned(),
        learner: learner.to_owned(),
        what,
    })
}

/// The room's progress as the instructor sees it: per learner (team, name), their latest
/// report on each exercise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoomProgress {
    pub learners: BTreeMap<(String, String), BTreeMap<String, ProgressReport>>,
}

impl RoomProgress {
    /// Keeps a learner's report, replacing their earlier one on the same exercise.
    pub fn add(&mut self, team: &str, learner: &str, report: ProgressReport) {
        self.learners
            .entry((team.to_owned(), learner.to_owned()))
            .or_default()
            .insert(report.exercise.clone(), report);
    }

    /// Where each learner is stuck, if anywhere: the exercises they look stuck on.
    pub fn stuck(&self) -> Vec<((String, String), Vec<String>)> {
        self.learners
            .iter()
            .filter_map(|(who, ex)| {
                let on: Vec<String> = ex
                    .values()
                    .filter(|r| r.stuck())
                    .map(|r| r.exercise.clone())
                    .collect();
                (!on.is_empty()).then(|| (who.clone(), on))
            })
            .collect()
    }

    /// The room's progress as CSV: one row per learner and exercise.
    pub fn csv(&self) -> String {
        let field = |s: &str| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_owned()
            }
        };
        let mut out = String::from(
            "team,learner,exercise,title,solved,attempts,hints,seconds,stuck,report\n",
        );
        for ((team, learner), exercises) in &self.learners {
            for r in exercises.values() {
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{}\n",
                    field(team),
                    field(learner),
                    field(&r.exercise),
                    field(&r.title),
                    r.solved,
                    r.attempts,
                    r.hints,
                    r.seconds,
                    r.stuck(),
                    r.report.is_some()
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
