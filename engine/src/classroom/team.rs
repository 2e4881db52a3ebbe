//! A team's shared design: two learners edit one exercise's design, each change shared as
//! an edit over the room's broker, and both browsers fold the same edits in the same
//! order into the same design.
//!
//! An edit is a set of resource changes (a queue, a rule, a subscription… replaced or
//! removed), stamped with a Lamport clock: its author's highest clock seen plus one. The
//! team's order is (clock, author, place in the edit), whatever order the broker
//! delivered them in, so edits that cross on the wire still give both members the same
//! design. Two edits are concurrent when neither author had seen the other's; when they
//! change the same resource, the later in the team's order is kept and both members are
//! told, by name ([`Conflict`]).
//!
//! Each member's message carries every edit they made (see [`TeamDesign::mine`]), sent
//! retained, so a member who joins or reconnects late gets the whole history from the
//! broker.

use crate::exercise::Design;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One resource's new value, or its removal (`value` absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// `queue:comms`, `rule:default/to-comms`, `subscription:quotes → queue:comms`,
    /// `steps`, `scenario`, `evolution`, …
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// One change a member made to the team's design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    pub author: String,
    /// Lamport clock: the author's highest clock seen, plus one.
    pub clock: u64,
    /// The highest clock the author had seen when making it.
    pub after: u64,
    pub changes: Vec<Change>,
}

/// A value the team shares besides the design (a panel's prediction and answer, a review
/// answer, the panel's seed), under a key: the latest write in the team's order wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub key: String,
    pub author: String,
    /// Lamport clock, shared with the edits.
    pub clock: u64,
    pub value: Value,
}

/// Two members changed the same resource at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub resource: String,
    /// The member whose change was kept (later in the team's order), and the other.
    pub kept: String,
    pub replaced: String,
}

impl Conflict {
    /// What both members are told.
    pub fn message(&self) -> String {
        format!(
            "{} and {} changed {} at the same time. {}'s change is kept; {}, look at {} again and change it once more if yours mattered.",
            self.replaced, self.kept, self.resource, self.kept, self.replaced, self.resource
        )
    }
}

/// What one design holds, by resource: each item of the topology under its key, and the
/// steps, scenario and evolution whole.
fn resources(d: &Design) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut put = |key: String, v: Value| {
        out.insert(key, v);
    };
    if let Some(t) = &d.topology {
        for q in &t.queues {
            put(format!("queue:{}", q.name), json(q));
        }
        for x in &t.topics {
            put(format!("topic:{}", x.name), json(x));
        }
        for s in &t.subscriptions {
            put(
                format!("subscription:{} → {}", s.topic, s.endpoint.describe()),
                json(s),
            );
        }
        for b in &t.buses {
            put(format!("bus:{}", b.name), json(b));
        }
        for r in &t.rules {
            put(format!("rule:{}/{}", r.bus, r.name), json(r));
        }
        for a in &t.archives {
            put(format!("archive:{}", a.name), json(a));
        }
        for h in &t.handlers {
            put(format!("handler:{}", h.name), json(h));
        }
        put("mqtt".into(), json(&t.mqtt));
    }
    if !d.steps.is_empty() {
        put("steps".into(), json(&d.steps));
    }
    if let Some(s) = &d.scenario {
        put("scenario".into(), json(s));
    }
    if let Some(e) = &d.evolution {
        put("evolution".into(), json(e));
    }
    out
}

/// A resource as JSON.
fn json<T: Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or_default()
}

/// The changes that turn `before` into `after`, by resource.
pub fn diff(before: &Design, after: &Design) -> Vec<Change> {
    let (b, a) = (resources(before), resources(after));
    let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| Change {
            resource: k.clone(),
            value: a.get(k).cloned(),
        })
        .collect()
}

/// Applies one change: the resource replaced where it is, added at the end, or removed.
/// A value that does not read as its resource changes nothing.
pub fn apply(design: &mut Design, change: &Change) {
    fn put<T: serde::de::DeserializeOwned>(
        list: &mut Vec<T>,
        key: impl Fn(&T) -> String,
        wanted: &str,
        value: &Option<Value>,
    ) {
        let at = list.iter().position(|x| key(x) == wanted);
        match (value.as_ref().map(|v| T::deserialize(v)), at) {
            (None, Some(i)) => {
                list.remove(i);
            }
            (Some(Ok(v)), Some(i)) => list[i] = v,
            (Some(Ok(v)), None) => list.push(v),
            _ => {}
        }
    }
    let Some((kind, name)) = change
        .resource
        .split_once(':')
        .or(Some((change.resource.as_str(), "")))
    else {
        return;
    };
    let v = &change.value;
    if matches!(
        kind,
        "queue" | "topic" | "subscription" | "bus" | "rule" | "archive" | "handler" | "mqtt"
    ) {
        let t = design.topology.get_or_insert_with(Default::default);
        match kind {
            "queue" => put(&mut t.queues, |q| q.name.clone(), name, v),
            "topic" => put(&mut t.topics, |x| x.name.clone(), name, v),
            "subscription" => put(
                &mut t.subscriptions,
                |s| format!("{} → {}", s.topic, s.endpoint.describe()),
                name,
                v,
            ),
            "bus" => put(&mut t.buses, |b| b.name.clone(), name, v),
            "rule" => put(&mut t.rules, |r| format!("{}/{}", r.bus, r.name), name, v),
            "archive" => put(&mut t.archives, |a| a.name.clone(), name, v),
            "handler" => put(&mut t.handlers, |h| h.name.clone(), name, v),
            _ => {
                if let Some(Ok(m)) = v.as_ref().map(|v| serde_json::from_value(v.clone())) {
                    t.mqtt = m;
                }
            }
        }
        return;
    }
    fn read<T: serde::de::DeserializeOwned>(v: &Option<Value>) -> Option<T> {
        v.as_ref().and_then(|v| T::deserialize(v).ok())
    }
    match kind {
        "steps" => design.steps = read(v).unwrap_or_default(),
        "scenario" => design.scenario = read(v),
        "evolution" => design.evolution = read(v),
        _ => {}
    }
}

/// An edit's place in the team's order: its clock and author.
type Place = (u64, String);

/// The team's edits to one exercise, from every member, and the conflicts found so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamDesign {
    /// By (clock, author): the team's order.
    edits: BTreeMap<Place, Edit>,
    /// Conflicts told of: the two edits and the resource.
    reported: BTreeSet<(Place, Place, String)>,
    /// The team's notes, by key: the latest write of each.
    notes: BTreeMap<String, Note>,
}

impl TeamDesign {
    /// The highest clock seen, of edits and notes.
    pub fn clock(&self) -> u64 {
        let edits = self.edits.keys().map(|(c, _)| *c).max().unwrap_or(0);
        let notes = self.notes.values().map(|n| n.clock).max().unwrap_or(0);
        edits.max(notes)
    }

    /// The note under `key`, if any.
    pub fn note(&self, key: &str) -> Option<&Note> {
        self.notes.get(key)
    }

    /// Every note, by key.
    pub fn notes(&self) -> impl Iterator<Item = &Note> {
        self.notes.values()
    }

    /// The notes one member wrote that still stand: what their message carries.
    pub fn my_notes(&self, author: &str) -> Vec<Note> {
        self.notes
            .values()
            .filter(|n| n.author == author)
            .cloned()
            .collect()
    }

    /// A member writes `value` under `key`: the note to share, or `None` when the team
    /// has that value there already.
    pub fn write(&mut self, author: &str, key: &str, value: Value) -> Option<Note> {
        if self.notes.get(key).is_some_and(|n| n.value == value) {
            return None;
        }
        let note = Note {
            key: key.to_owned(),
            author: author.to_owned(),
            clock: self.clock() + 1,
            value,
        };
        self.notes.insert(key.to_owned(), note.clone());
        Some(note)
    }

    /// Merges notes from a member's message: each replaces the one under its key when it
    /// is later in the team's order. Whether anything changed.
    pub fn merge_notes(&mut self, incoming: Vec<Note>) -> bool {
        let mut changed = false;
        for n in incoming {
            let later = self
                .notes
                .get(&n.key)
                .is_none_or(|old| (n.clock, &n.author) > (old.clock, &old.author));
            if later {
                self.notes.insert(n.key.clone(), n);
                changed = true;
            }
        }
        changed
    }

    /// How many edits the team has made.
    pub fn len(&self) -> usize {
        self.edits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// The edits in the team's order.
    pub fn edits(&self) -> impl Iterator<Item = &Edit> {
        self.edits.values()
    }

    /// The edits one member made, in order: what their message carries.
    pub fn mine(&self, author: &str) -> Vec<Edit> {
        self.edits
            .values()
            .filter(|e| e.author == author)
            .cloned()
            .collect()
    }

    /// The design: the start with every edit applied in the team's order.
    pub fn design(&self, start: &Design) -> Design {
        let mut d = start.clone();
        for e in self.edits.values() {
            for c in &e.changes {
                apply(&mut d, c);
            }
        }
        d
    }

    /// A local change from `before` to `after` by `author`: the edit to share, or `None`
    /// when nothing changed.
    pub fn record(&mut self, author: &str, before: &Design, after: &Design) -> Option<Edit> {
        let changes = diff(before, after);
        if changes.is_empty() {
            return None;
        }
        let after_clock = self.clock();
        let edit = Edit {
            author: author.to_owned(),
            clock: after_clock + 1,
            after: after_clock,
            changes,
        };
        self.edits
            .insert((edit.clock, edit.author.clone()), edit.clone());
        Some(edit)
    }

    /// Merges edits from a member's message (repeats are ignored) and returns the
    /// conflicts they reveal, each once.
    pub fn merge(&mut self, incoming: Vec<Edit>) -> Vec<Conflict> {
        let mut fresh = Vec::new();
        for e in incoming {
            let key = (e.clock, e.author.clone());
            if !self.edits.contains_key(&key) {
                self.edits.insert(key.clone(), e);
                fresh.push(key);
            }
        }
        let mut found = Vec::new();
        for key in fresh {
            let Some(new) = self.edits.get(&key) else {
                continue;
            };
            for (other_key, other) in &self.edits {
                let concurrent = other.author != new.author
                    && new.after < other.clock
                    && other.after < new.clock;
                if !concurrent {
                    continue;
                }
                for c in &new.changes {
                    if !other.changes.iter().any(|o| o.resource == c.resource) {
                        continue;
                    }
                    let (first, second) = if key < *other_key {
                        (key.clone(), other_key.clone())
                    } else {
                        (other_key.clone(), key.clone())
                    };
                    if self
                        .reported
                        .insert((first.clone(), second.clone(), c.resource.clone()))
                    {
                        found.push(Conflict {
                            resource: c.resource.clone(),
                            kept: second.1.clone(),
                            replaced: first.1.clone(),
                        });
                    }
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests;
