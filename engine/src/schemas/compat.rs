//! What changed between two versions of a schema, and which changes break readers under
//! a compatibility mode, in Confluent Schema Registry's terms:
//!
//! - BACKWARD: readers on the new version can read events written in the previous one;
//! - FORWARD: readers on the previous version can read events written in the new one;
//! - FULL: both;
//! - the `_TRANSITIVE` forms check against every earlier version, not only the latest;
//! - NONE checks nothing.
//!
//! Underneath is one question, [`reader_breaks`]: can every event a writer's schema
//! allows be read by a reader's schema? A field a schema does not mention is one its
//! producers do not write (as discovery infers it), so adding an optional field is
//! compatible both ways. Confluent's registry treats an open JSON Schema more strictly
//! (any unmentioned field may hold anything); that difference is written up in
//! `docs/semantics.md`.

use super::{join, JsonType, Schema};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One change between two versions of a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added {
        path: String,
        required: bool,
    },
    Removed {
        path: String,
    },
    TypeChanged {
        path: String,
        from: String,
        to: String,
    },
    MadeRequired {
        path: String,
    },
    MadeOptional {
        path: String,
    },
    FormatChanged {
        path: String,
        from: String,
        to: String,
    },
    EnumChanged {
        path: String,
    },
    Closed {
        path: String,
    },
    Opened {
        path: String,
    },
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Added { path, .. }
            | Change::Removed { path }
            | Change::TypeChanged { path, .. }
            | Change::MadeRequired { path }
            | Change::MadeOptional { path }
            | Change::FormatChanged { path, .. }
            | Change::EnumChanged { path }
            | Change::Closed { path }
            | Change::Opened { path } => path,
        }
    }

    /// The kind, as the registry's diff view labels it.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Added { .. } => "added",
            Change::Removed { .. } => "removed",
            Change::TypeChanged { .. } => "changed",
            Change::MadeRequired { .. } => "made required",
            Change::MadeOptional { .. } => "made optional",
            Change::FormatChanged { .. } => "changed",
            Change::EnumChanged { .. } => "changed",
            Change::Closed { .. } => "closed",
            Change::Opened { .. } => "opened",
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |p: &str| {
            if p.is_empty() {
                "the event".to_owned()
            } else {
                format!("`{p}`")
            }
        };
        match self {
            Change::Added { path, required } => write!(
                f,
                "{} added ({})",
                at(path),
                if *required { "required" } else { "optional" }
            ),
            Change::Removed { path } => write!(f, "{} removed", at(path)),
            Change::TypeChanged { path, from, to } => {
                write!(f, "{} changed type: {from} → {to}", at(path))
            }
            Change::MadeRequired { path } => write!(f, "{} made required", at(path)),
            Change::MadeOptional { path } => write!(f, "{} made optional", at(path)),
            Change::FormatChanged { path, from, to } => {
                write!(f, "{} changed format: {from} → {to}", at(path))
            }
            Change::EnumChanged { path } => write!(f, "{} changed its allowed values", at(path)),
            Change::Closed { path } => write!(f, "{} now allows no other fields", at(path)),
            Change::Opened { path } => write!(f, "{} now allows other fields", at(path)),
        }
    }
}

fn type_label(s: &Schema) -> String {
    match &s.types {
        None => "any".into(),
        Some(list) => list
            .iter()
            .map(|t| t.name())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// Every change from `old` to `new`, parents before children.
pub fn diff(old: &Schema, new: &Schema) -> Vec<Change> {
    let mut out = Vec::new();
    diff_at(old, new, "", &mut out);
    out
}

fn diff_at(old: &Schema, new: &Schema, path: &str, out: &mut Vec<Change>) {
    if old.types != new.types {
        out.push(Change::TypeChanged {
            path: path.into(),
            from: type_label(old),
            to: type_label(new),
        });
    }
    if old.format != new.format {
        let label = |f: &Option<String>| f.clone().unwrap_or_else(|| "none".into());
        out.push(Change::FormatChanged {
            path: path.into(),
            from: label(&old.format),
            to: label(&new.format),
        });
    }
    if old.enumeration != new.enumeration {
        out.push(Change::EnumChanged { path: path.into() });
    }
    if old.open && !new.open {
        out.push(Change::Closed { path: path.into() });
    } else if !old.open && new.open {
        out.push(Change::Opened { path: path.into() });
    }
    for (name, before) in &old.properties {
        let inner = join(path, name);
        match new.properties.get(name) {
            None => out.push(Change::Removed { path: inner }),
            Some(after) => {
                match (old.is_required(name), new.is_required(name)) {
                    (false, true) => out.push(Change::MadeRequired {
                        path: inner.clone(),
                    }),
                    (true, false) => out.push(Change::MadeOptional {
                        path: inner.clone(),
                    }),
                    _ => {}
                }
                diff_at(before, after, &inner, out);
            }
        }
    }
    for name in new.properties.keys() {
        if !old.properties.contains_key(name) {
            out.push(Change::Added {
                path: join(path, name),
                required: new.is_required(name),
            });
        }
    }
    match (&old.items, &new.items) {
        (Some(a), Some(b)) => diff_at(a, b, &format!("{path}[]"), out),
        (None, Some(_)) | (Some(_), None) => out.push(Change::TypeChanged {
            path: format!("{path}[]"),
            from: old.items.as_deref().map_or("any".into(), type_label),
            to: new.items.as_deref().map_or("any".into(), type_label),
        }),
        (None, None) => {}
    }
}

/// A compatibility mode, as Confluent Schema Registry names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    None,
    #[default]
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

impl Mode {
    pub const ALL: [Mode; 7] = [
        Mode::None,
        Mode::Backward,
        Mode::BackwardTransitive,
        Mode::Forward,
        Mode::ForwardTransitive,
        Mode::Full,
        Mode::FullTransitive,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::None => "NONE",
            Mode::Backward => "BACKWARD",
            Mode::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Mode::Forward => "FORWARD",
            Mode::ForwardTransitive => "FORWARD_TRANSITIVE",
            Mode::Full => "FULL",
            Mode::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    pub fn parse(name: &str) -> Option<Mode> {
        let wanted = name.trim().replace('-', "_").to_ascii_uppercase();
        Mode::ALL.into_iter().find(|m| m.name() == wanted)
    }

    /// What the mode promises, in a sentence for the registry's picker.
    pub fn promise(self) -> &'static str {
        match self {
            Mode::None => "No check: any new version is accepted.",
            Mode::Backward => {
                "Consumers on the new version can read events written in the previous one."
            }
            Mode::BackwardTransitive => {
                "Consumers on the new version can read events written in every earlier one."
            }
            Mode::Forward => {
                "Consumers on the previous version can read events written in the new one."
            }
            Mode::ForwardTransitive => {
                "Consumers on every earlier version can read events written in the new one."
            }
            Mode::Full => "Backward and forward against the previous version.",
            Mode::FullTransitive => "Backward and forward against every earlier version.",
        }
    }

    fn backward(self) -> bool {
        matches!(
            self,
            Mode::Backward | Mode::BackwardTransitive | Mode::Full | Mode::FullTransitive
        )
    }

    fn forward(self) -> bool {
        matches!(
            self,
            Mode::Forward | Mode::ForwardTransitive | Mode::Full | Mode::FullTransitive
        )
    }

    fn transitive(self) -> bool {
        matches!(
            self,
            Mode::BackwardTransitive | Mode::ForwardTransitive | Mode::FullTransitive
        )
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One field where a reader cannot read what a writer may write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The field, dotted (`customer.postcode`; `[]` for array items).
    pub path: String,
    /// The keyword whose difference breaks the reader.
    pub rule: &'static str,
    /// Why, naming the reader and the writer.
    pub reason: String,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{} (rule: {})", self.reason, self.rule)
        } else {
            write!(f, "`{}`: {} (rule: {})", self.path, self.reason, self.rule)
        }
    }
}

/// The fields where a reader on `reader` cannot read every event `writer` allows;
/// `reader_name` and `writer_name` label them in the reasons ("v3 consumers", "v2
/// events").
pub fn reader_breaks(
    reader: &Schema,
    writer: &Schema,
    reader_name: &str,
    writer_name: &str,
) -> Vec<Break> {
    let mut out = Vec::new();
    let names = (reader_name, writer_name);
    breaks_at(reader, writer, "", names, &mut out);
    out
}

fn breaks_at(
    reader: &Schema,
    writer: &Schema,
    path: &str,
    (r, w): (&str, &str),
    out: &mut Vec<Break>,
) {
    let mut push = |path: &str, rule, reason: String| {
        out.push(Break {
            path: path.into(),
            rule,
            reason,
        })
    };
    let writer_types: Vec<JsonType> = writer.types.clone().unwrap_or(JsonType::ALL.to_vec());
    let unreadable: Vec<&str> = writer_types
        .iter()
        .filter(|t| !reader.allows(**t))
        .map(|t| t.name())
        .collect();
    if !unreadable.is_empty() {
        push(
            path,
            "type",
            format!(
                "{w} may hold {} here, and {r} accept only {}",
                unreadable.join(" or "),
                type_label(reader)
            ),
        );
        return;
    }
    let writes_strings = writer_types.contains(&JsonType::String);
    if let Some(format) = reader.format.as_deref() {
        if writes_strings && writer.format.as_deref() != Some(format) {
            push(
                path,
                "format",
                format!(
                    "{r} expect a {format}, and {w} may hold {}",
                    writer
                        .format
                        .as_deref()
                        .map_or("any string".to_owned(), |f| format!("a {f}"))
                ),
            );
        }
    }
    if let Some(allowed) = &reader.enumeration {
        let outside: Vec<String> = match &writer.enumeration {
            Some(written) => written
                .iter()
                .filter(|v| !allowed.contains(v))
                .map(|v| v.to_string())
                .collect(),
            None => vec!["any value".into()],
        };
        if !outside.is_empty() {
            push(
                path,
                "enum",
                format!(
                    "{w} may hold {} here, which {r} do not allow",
                    outside.join(", ")
                ),
            );
        }
    }
    let writes_objects = writer_types.contains(&JsonType::Object);
    if writes_objects {
        for name in &reader.required {
            if !writer.is_required(name) {
                let reason = if writer.properties.contains_key(name) {
                    format!("{r} require it, and {w} may leave it out")
                } else {
                    format!("{r} require it, and {w} do not have it")
                };
                push(&join(path, name), "required", reason);
            }
        }
        for (name, written) in &writer.properties {
            let inner = join(path, name);
            match reader.properties.get(name) {
                Some(read) => breaks_at(read, written, &inner, (r, w), out),
                None if !reader.open => out.push(Break {
                    path: inner,
                    rule: "additionalProperties",
                    reason: format!("{w} may hold it, and {r} allow no fields they do not list"),
                }),
                None => {}
            }
        }
    }
    if writer_types.contains(&JsonType::Array) {
        let any = Schema {
            open: true,
            ..Schema::default()
        };
        match (reader.items.as_deref(), writer.items.as_deref()) {
            (Some(read), Some(written)) => {
                breaks_at(read, written, &format!("{path}[]"), (r, w), out)
            }
            (Some(read), None) if *read != any => out.push(Break {
                path: format!("{path}[]"),
                rule: "items",
                reason: format!(
                    "{w} may hold any items here, and {r} expect {}",
                    type_label(read)
                ),
            }),
            _ => {}
        }
    }
}

/// Why a new version is incompatible with one earlier version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    /// The earlier version it was checked against.
    pub version: u32,
    /// `BACKWARD` (new readers, old events) or `FORWARD` (old readers, new events).
    pub direction: Mode,
    pub breaks: Vec<Break>,
}

/// Checks `new` (to become version `versions.len() + 1`) against the earlier `versions`
/// (version 1 first) under `mode`; every incompatibility, newest version first.
pub fn check(mode: Mode, versions: &[Schema], new: &Schema) -> Vec<Incompatibility> {
    let next = versions.len() as u32 + 1;
    let against: Vec<(u32, &Schema)> = versions
        .iter()
        .enumerate()
        .map(|(i, s)| (i as u32 + 1, s))
        .rev()
        .take(if mode.transitive() { usize::MAX } else { 1 })
        .collect();
    let mut out = Vec::new();
    for (version, old) in against {
        if mode.backward() {
            let breaks = reader_breaks(
                new,
                old,
                &format!("consumers on v{next}"),
                &format!("v{version} events"),
            );
            if !breaks.is_empty() {
                out.push(Incompatibility {
                    version,
                    direction: Mode::Backward,
                    breaks,
                });
            }
        }
        if mode.forward() {
            let breaks = reader_breaks(
                old,
                new,
                &format!("consumers on v{version}"),
                &format!("v{next} events"),
            );
            if !breaks.is_empty() {
                out.push(Incompatibility {
                    version,
                    direction: Mode::Forward,
                    breaks,
                });
            }
        }
    }
    out
}
