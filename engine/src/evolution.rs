//! Evolving an event type: a proposed change to its schema (rename, remove, retype, add
//! a field), and before it is accepted, everything it breaks: the rules, subscriptions
//! and target inputs whose patterns or paths name the field, the read models and
//! aggregates that read the event type (found by experiment on a sample history, not
//! declared), and the stored events that would no longer fit. A breaking change comes
//! with a drafted upcaster.

use crate::domain::{upcast, DomainEvent, StoredEvent};
use crate::json;
use crate::pattern::{EventPattern, Field};
use crate::projection::HistoryEntry;
use crate::schemas::upcaster::{Op, Upcaster};
use crate::schemas::validate::validate;
use crate::schemas::{split_path, JsonType, Schema};
use crate::timetravel::WorldState;
use crate::topology::{FilterPolicyScope, Topology};
use serde_json::{json, Value};
use thiserror::Error;

/// A change a learner proposes to one field of an event type.
#[derive(Debug, Clone, PartialEq)]
pub enum Proposal {
    /// Rename the field; `to` is the new name beside it.
    Rename {
        path: String,
        to: String,
    },
    Remove {
        path: String,
    },
    Retype {
        path: String,
        to: JsonType,
    },
    /// A new required field; old events get `default` from the upcaster.
    AddRequired {
        path: String,
        of: JsonType,
        default: Value,
    },
    AddOptional {
        path: String,
        of: JsonType,
    },
}

/// Why a proposal cannot apply to a schema.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct ProposalError(pub String);

impl Proposal {
    /// The field it changes.
    pub fn path(&self) -> &str {
        match self {
            Proposal::Rename { path, .. }
            | Proposal::Remove { path }
            | Proposal::Retype { path, .. }
            | Proposal::AddRequired { path, .. }
            | Proposal::AddOptional { path, .. } => path,
        }
    }

    /// The schema with the change made.
    pub fn apply(&self, schema: &Schema) -> Result<Schema, ProposalError> {
        let mut out = schema.clone();
        let (parent_path, name) = split_path(self.path());
        let parent = out
            .at_mut(parent_path)
            .ok_or_else(|| ProposalError(format!("the schema has no object at `{parent_path}`")))?;
        let exists = parent.properties.contains_key(name);
        let missing = || ProposalError(format!("the schema has no field `{}`", self.path()));
        match self {
            Proposal::Rename { to, .. } => {
                if to.is_empty() || to.contains('.') {
                    return Err(ProposalError(format!(
                        "the new name {to:?} is one field name, without dots"
                    )));
                }
                if parent.properties.contains_key(to) {
                    return Err(ProposalError(format!("`{to}` is already a field here")));
                }
                let field = parent.properties.remove(name).ok_or_else(missing)?;
                parent.properties.insert(to.clone(), field);
                for r in &mut parent.required {
                    if r == name {
                        *r = to.clone();
                    }
                }
            }
            Proposal::Remove { .. } => {
                parent.properties.remove(name).ok_or_else(missing)?;
                parent.required.retain(|r| r != name);
            }
            Proposal::Retype { to, .. } => {
                let field = parent.properties.get_mut(name).ok_or_else(missing)?;
                field.types = Some(vec![*to]);
                if *to != JsonType::String {
                    field.format = None;
                }
                field.enumeration = None;
            }
            Proposal::AddRequired { of, .. } | Proposal::AddOptional { of, .. } => {
                if exists {
                    return Err(ProposalError(format!(
                        "`{}` is already a field",
                        self.path()
                    )));
                }
                parent.properties.insert(
                    name.to_owned(),
                    Schema {
                        types: Some(vec![*of]),
                        open: true,
                        ..Schema::default()
                    },
                );
                if matches!(self, Proposal::AddRequired { .. }) {
                    parent.required.push(name.to_owned());
                }
            }
        }
        Ok(out)
    }

    /// The upcaster that carries old events across this change, as a draft the learner
    /// may edit; empty for an optional field, which old events may lack.
    pub fn draft_upcaster(&self) -> Upcaster {
        let op = match self {
            Proposal::Rename { path, to } => {
                let (parent, _) = split_path(path);
                Op::Rename {
                    from: path.clone(),
                    to: crate::schemas::join(parent, to),
                }
            }
            Proposal::Remove { path } => Op::Remove { path: path.clone() },
            Proposal::Retype { path, to } => Op::Retype {
                path: path.clone(),
                to: *to,
            },
            Proposal::AddRequired { path, default, .. } => Op::Default {
                path: path.clone(),
                value: default.clone(),
            },
            Proposal::AddOptional { .. } => return Upcaster::default(),
        };
        Upcaster { ops: vec![op] }
    }

    /// Whether readers of the old shape lose the field (its name, its type or itself).
    fn takes_field_away(&self) -> bool {
        matches!(
            self,
            Proposal::Rename { .. } | Proposal::Remove { .. } | Proposal::Retype { .. }
        )
    }
}

/// Where a schema's events travel as bus events: their `source` (when the schema names
/// one) and `detail-type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub source: Option<String>,
    pub detail_type: String,
}

impl Envelope {
    /// A schema named `source@detail-type` (a bus event), or a CloudEvents type (which
    /// the workshop's services publish as the detail-type).
    pub fn of_schema(name: &str) -> Envelope {
        match name.split_once('@') {
            Some((source, dt)) => Envelope {
                source: Some(source.into()),
                detail_type: dt.into(),
            },
            None => Envelope {
                source: None,
                detail_type: name.into(),
            },
        }
    }

    /// Whether a pattern branch can match events of this schema: its `source` and
    /// `detail-type` conditions, tried on an event holding only those.
    fn reaches(&self, branch: &[Field]) -> bool {
        let envelope_fields: Vec<Field> = branch
            .iter()
            .filter(|f| f.path == "detail-type" || (f.path == "source" && self.source.is_some()))
            .cloned()
            .collect();
        if envelope_fields.is_empty() {
            return true;
        }
        let mut event = json!({ "detail-type": self.detail_type });
        if let Some(s) = &self.source {
            event["source"] = json!(s);
        }
        let probe = EventPattern {
            dialect: crate::pattern::Dialect::EventBridge,
            branches: vec![envelope_fields],
        };
        json::parse(&event.to_string()).is_ok_and(|parsed| probe.matches(&parsed.value))
    }
}

/// One consumer in a design that names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternUse {
    /// The design it is in ("Channels lab", a workshop style).
    pub design: String,
    /// What it is: `rule to-comms on default`, `subscription of quotes to comms`, ...
    pub consumer: String,
    /// The path it names, as written.
    pub path: String,
}

/// The field as a pattern path: array steps vanish (patterns flatten arrays).
fn pattern_path(field: &str) -> String {
    field.replace("[]", "")
}

fn names(pattern_path: &str, field: &str) -> bool {
    pattern_path == field || pattern_path.starts_with(&format!("{field}."))
}

/// Every rule, subscription filter and target input in `designs` that names `field`
/// of the schema named `schema_name`.
pub fn pattern_uses(
    schema_name: &str,
    field: &str,
    designs: &[(String, Topology)],
) -> Vec<PatternUse> {
    let envelope = Envelope::of_schema(schema_name);
    let in_detail = format!("detail.{}", pattern_path(field));
    let bare = pattern_path(field);
    let mut out = Vec::new();
    for (design, topology) in designs {
        for rule in &topology.rules {
            let Ok(pattern) = EventPattern::eventbridge(&rule.pattern.to_string()) else {
                continue;
            };
            let reachable: Vec<&Vec<Field>> = pattern
                .branches
                .iter()
                .filter(|b| envelope.reaches(b))
                .collect();
            if reachable.is_empty() {
                continue;
            }
            for branch in &reachable {
                for f in branch.iter().filter(|f| names(&f.path, &in_detail)) {
                    out.push(PatternUse {
                        design: design.clone(),
                        consumer: format!("rule {} on {}", rule.name, rule.bus),
                        path: f.path.clone(),
                    });
                }
            }
            for target in &rule.targets {
                let mut paths: Vec<&String> = target.input_path.iter().collect();
                if let Some(t) = &target.input_transformer {
                    paths.extend(t.input_paths_map.values());
                }
                for p in paths {
                    let plain = p.trim_start_matches("$.");
                    if names(plain, &in_detail) {
                        out.push(PatternUse {
                            design: design.clone(),
                            consumer: format!("target {} of rule {}", target.id, rule.name),
                            path: p.clone(),
                        });
                    }
                }
            }
        }
        for sub in &topology.subscriptions {
            let (Some(policy), FilterPolicyScope::MessageBody) =
                (sub.policy(), &sub.filter_policy_scope)
            else {
                continue;
            };
            let Ok(pattern) =
                EventPattern::parse(&policy.to_string(), crate::pattern::Dialect::SnsBody)
            else {
                continue;
            };
            for f in pattern.branches.iter().flatten() {
                if names(&f.path, &bare) || names(&f.path, &in_detail) {
                    out.push(PatternUse {
                        design: design.clone(),
                        consumer: format!(
                            "subscription of {} to {}",
                            sub.topic,
                            sub.endpoint.describe()
                        ),
                        path: f.path.clone(),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.design, &a.consumer, &a.path).cmp(&(&b.design, &b.consumer, &b.path)));
    out.dedup();
    out
}

/// A read model or aggregate of the insurance system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub name: &'static str,
    pub kind: &'static str,
}

pub const READERS: [Reader; 8] = [
    Reader {
        name: "customers",
        kind: "read model",
    },
    Reader {
        name: "quote-dashboard",
        kind: "read model",
    },
    Reader {
        name: "comms-outbox",
        kind: "read model",
    },
    Reader {
        name: "customers-by-postcode",
        kind: "read model",
    },
    Reader {
        name: "Customer",
        kind: "aggregate",
    },
    Reader {
        name: "Quote",
        kind: "aggregate",
    },
    Reader {
        name: "Policy",
        kind: "aggregate",
    },
    Reader {
        name: "Notification",
        kind: "aggregate",
    },
];

/// Which of [`READERS`] differ between two folded worlds.
fn differing(a: &WorldState, b: &WorldState) -> [bool; 8] {
    let (m, n) = (&a.read_models, &b.read_models);
    let (x, y) = (&a.aggregates, &b.aggregates);
    [
        m.customers != n.customers,
        m.dashboard != n.dashboard,
        m.outbox != n.outbox,
        m.by_postcode != n.by_postcode,
        x.customers != y.customers,
        x.quotes != y.quotes,
        x.policies != y.policies,
        x.notifications != y.notifications,
    ]
}

fn fold(entries: impl IntoIterator<Item = HistoryEntry>) -> WorldState {
    let mut world = WorldState::default();
    for e in entries {
        world.apply(&e);
    }
    world
}

/// How a reader uses an event type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderUse {
    pub reader: Reader,
    /// Its state depends on the field's value.
    pub reads_field: bool,
}

/// The readers whose state depends on events of `event_type` in `sample`, and whether it
/// depends on `field`'s value: each is found by folding the sample again without those
/// events, and with the field's values shifted to other values seen (or changed).
pub fn reader_uses(event_type: &str, field: &str, sample: &[HistoryEntry]) -> Vec<ReaderUse> {
    let base = fold(sample.iter().cloned());
    let without = fold(
        sample
            .iter()
            .filter(|e| e.event.type_name() != event_type)
            .cloned(),
    );
    let handles = differing(&base, &without);
    let shifted = fold(shift_field(sample, event_type, field));
    let reads = differing(&base, &shifted);
    READERS
        .iter()
        .enumerate()
        .filter(|(i, _)| handles[*i])
        .map(|(i, r)| ReaderUse {
            reader: *r,
            reads_field: reads[i],
        })
        .collect()
}

/// The sample with `field` of every `event_type` event moved to another value of its
/// kind: the next distinct value seen (so an enum stays valid), or a changed one.
fn shift_field(sample: &[HistoryEntry], event_type: &str, field: &str) -> Vec<HistoryEntry> {
    let data_of = |e: &DomainEvent| e.to_stored().data;
    let mut seen: Vec<Value> = Vec::new();
    for e in sample.iter().filter(|e| e.event.type_name() == event_type) {
        if let Some(v) = data_of(&e.event).get(field) {
            if !seen.contains(v) {
                seen.push(v.clone());
            }
        }
    }
    let other = |v: &Value| -> Value {
        if seen.len() > 1 {
            let i = seen.iter().position(|s| s == v).unwrap_or(0);
            return seen[(i + 1) % seen.len()].clone();
        }
        match v {
            Value::String(s) => json!(format!("{s}~")),
            Value::Bool(b) => json!(!b),
            Value::Number(n) => json!(n.as_u64().map_or(0, |x| x + 1)),
            other => other.clone(),
        }
    };
    sample
        .iter()
        .map(|e| {
            if e.event.type_name() != event_type {
                return e.clone();
            }
            let stored = e.event.to_stored();
            let mut data = stored.data.clone();
            if let Some(v) = data.get(field).cloned() {
                data[field] = other(&v);
            }
            let changed = upcast(&StoredEvent { data, ..stored }).unwrap_or(e.event.clone());
            HistoryEntry {
                event: changed,
                ..e.clone()
            }
        })
        .collect()
}

/// How the stored events of a type fare against a proposed schema.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredFit {
    pub checked: u64,
    pub misfits: u64,
    /// Up to five: the event's global position and its first violation.
    pub examples: Vec<(u64, String)>,
}

/// Checks each stored event (its position and data) against `schema`.
pub fn stored_fit<'a>(
    schema: &Schema,
    events: impl IntoIterator<Item = (u64, &'a Value)>,
) -> StoredFit {
    let mut fit = StoredFit::default();
    for (position, data) in events {
        fit.checked += 1;
        if let Some(first) = validate(schema, data).into_iter().next() {
            fit.misfits += 1;
            if fit.examples.len() < 5 {
                fit.examples.push((position, first.to_string()));
            }
        }
    }
    fit
}

/// Everything a proposal breaks, before it is accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Impact {
    pub proposed: Schema,
    pub patterns: Vec<PatternUse>,
    /// Readers of the type; each breaks when the proposal takes the field away, because
    /// the engine reads its events strictly.
    pub readers: Vec<ReaderUse>,
    /// Whether the proposal takes the field away from readers of the old shape.
    pub takes_field_away: bool,
    pub stored: StoredFit,
    pub upcaster: Upcaster,
}

/// The impact of `proposal` on the schema `schema_name` at version `current`.
pub fn impact<'a>(
    schema_name: &str,
    current: &Schema,
    proposal: &Proposal,
    designs: &[(String, Topology)],
    sample: &[HistoryEntry],
    stored: impl IntoIterator<Item = (u64, &'a Value)>,
) -> Result<Impact, ProposalError> {
    let proposed = proposal.apply(current)?;
    let field = proposal.path();
    let event_type = Envelope::of_schema(schema_name).detail_type;
    Ok(Impact {
        patterns: pattern_uses(schema_name, field, designs),
        readers: reader_uses(&event_type, field, sample),
        takes_field_away: proposal.takes_field_away(),
        stored: stored_fit(&proposed, stored),
        upcaster: proposal.draft_upcaster(),
        proposed,
    })
}

#[cfg(test)]
mod tests;
