//! Upcasters: a small mapping, one step per line, that turns an event written in one
//! version of a schema into the next version's shape, so that aggregates and read models
//! on the new version keep folding old events.
//!
//! ```text
//! # QuoteIssued v1 → v2
//! rename premium_pence to premium.amount_pence
//! default premium.currency = "GBP"
//! retype expires_at_ms to string
//! remove legacy_code
//! set source_version = 1
//! ```
//!
//! `rename` moves a field (nothing happens when the event lacks it), `remove` drops one,
//! `default` sets a field the event lacks, `set` sets it always, and `retype` converts a
//! value to `string`, `number`, `integer` or `boolean` (a value that cannot convert fails
//! the event, with the reason). Paths are dotted; missing parent objects are created.

use super::JsonType;
use serde_json::{Map, Value};
use std::fmt;
use thiserror::Error;

/// One step of an upcaster.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Rename { from: String, to: String },
    Remove { path: String },
    Default { path: String, value: Value },
    Set { path: String, value: Value },
    Retype { path: String, to: JsonType },
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Rename { from, to } => write!(f, "rename {from} to {to}"),
            Op::Remove { path } => write!(f, "remove {path}"),
            Op::Default { path, value } => write!(f, "default {path} = {value}"),
            Op::Set { path, value } => write!(f, "set {path} = {value}"),
            Op::Retype { path, to } => write!(f, "retype {path} to {to}"),
        }
    }
}

/// An upcaster's steps, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Upcaster {
    pub ops: Vec<Op>,
}

/// A line of an upcaster that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct UpcasterError {
    pub line: usize,
    pub message: String,
}

/// An event the upcaster could not turn into the next version.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{op}` failed: {reason}")]
pub struct UpcastFailure {
    pub op: String,
    pub reason: String,
}

const USAGE: &str = "a step is `rename A to B`, `remove A`, `default A = JSON`, `set A = JSON` or `retype A to string|number|integer|boolean`";

fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '$'))
        })
}

impl Upcaster {
    /// Reads an upcaster; the first line that is not a step is named, with what a step is.
    pub fn parse(text: &str) -> Result<Upcaster, UpcasterError> {
        let mut ops = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |message: String| UpcasterError {
                line: i + 1,
                message,
            };
            let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let rest = rest.trim();
            let path = |p: &str| -> Result<String, UpcasterError> {
                let p = p.trim();
                if valid_path(p) {
                    Ok(p.to_owned())
                } else {
                    Err(err(format!(
                        "{p:?} is not a field path (names joined by dots, such as premium.amount)"
                    )))
                }
            };
            let op = match verb {
                "rename" => {
                    let (from, to) = rest
                        .split_once(" to ")
                        .ok_or_else(|| err("rename needs `rename A to B`".into()))?;
                    Op::Rename {
                        from: path(from)?,
                        to: path(to)?,
                    }
                }
                "remove" => Op::Remove { path: path(rest)? },
                "default" | "set" => {
                    let (p, value) = rest
                        .split_once('=')
                        .ok_or_else(|| err(format!("{verb} needs `{verb} A = JSON`")))?;
                    let value: Value = serde_json::from_str(value.trim()).map_err(|e| {
                        err(format!(
                            "the value {:?} is not JSON ({e}); write strings in double quotes",
                            value.trim()
                        ))
                    })?;
                    let p = path(p)?;
                    if verb == "set" {
                        Op::Set { path: p, value }
                    } else {
                        Op::Default { path: p, value }
                    }
                }
                "retype" => {
                    let (p, to) = rest
                        .split_once(" to ")
                        .ok_or_else(|| err("retype needs `retype A to TYPE`".into()))?;
                    let to = match JsonType::parse(to.trim()) {
                        Some(
                            t @ (JsonType::String
                            | JsonType::Number
                            | JsonType::Integer
                            | JsonType::Boolean),
                        ) => t,
                        _ => {
                            return Err(err(format!(
                                "retype converts to string, number, integer or boolean, not {:?}",
                                to.trim()
                            )))
                        }
                    };
                    Op::Retype { path: path(p)?, to }
                }
                other => return Err(err(format!("unknown step {other:?}: {USAGE}"))),
            };
            ops.push(op);
        }
        Ok(Upcaster { ops })
    }

    /// The upcaster as text, one step per line.
    pub fn to_text(&self) -> String {
        self.ops.iter().map(|op| format!("{op}\n")).collect()
    }

    /// The event's data in the next version's shape.
    pub fn apply(&self, data: &Value) -> Result<Value, UpcastFailure> {
        let mut out = data.clone();
        for op in &self.ops {
            let fail = |reason: String| UpcastFailure {
                op: op.to_string(),
                reason,
            };
            match op {
                Op::Rename { from, to } => {
                    if let Some(v) = take(&mut out, from) {
                        put(&mut out, to, v).map_err(fail)?;
                    }
                }
                Op::Remove { path } => {
                    take(&mut out, path);
                }
                Op::Default { path, value } => {
                    if get(&out, path).is_none() {
                        put(&mut out, path, value.clone()).map_err(fail)?;
                    }
                }
                Op::Set { path, value } => put(&mut out, path, value.clone()).map_err(fail)?,
                Op::Retype { path, to } => {
                    if let Some(v) = get(&out, path) {
                        let converted = convert(v, *to).map_err(fail)?;
                        put(&mut out, path, converted).map_err(fail)?;
                    }
                }
            }
        }
        Ok(out)
    }
}

fn get<'a>(data: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(data, |here, name| here.get(name))
}

fn take(data: &mut Value, path: &str) -> Option<Value> {
    let (parent, name) = match path.rsplit_once('.') {
        Some((p, n)) => (
            p.split('.')
                .try_fold(&mut *data, |here, seg| here.get_mut(seg))?,
            n,
        ),
        None => (data, path),
    };
    parent.as_object_mut()?.shift_remove(name)
}

fn put(data: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let mut here = data;
    let mut segments = path.split('.').peekable();
    while let Some(name) = segments.next() {
        let Value::Object(m) = here else {
            return Err(format!(
                "the place of `{name}` holds {}, not an object",
                JsonType::of(here)
            ));
        };
        if segments.peek().is_none() {
            m.insert(name.to_owned(), value);
            return Ok(());
        }
        here = m
            .entry(name.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    Ok(())
}

fn convert(value: &Value, to: JsonType) -> Result<Value, String> {
    let cannot = || format!("{value} cannot become {to}");
    Ok(match (to, value) {
        (JsonType::String, Value::String(_)) => value.clone(),
        (JsonType::String, Value::Number(_) | Value::Bool(_)) => Value::String(value.to_string()),
        (JsonType::Number, Value::Number(_)) => value.clone(),
        (JsonType::Number, Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
            .map(|v| integer_if_whole(&v).unwrap_or(v))
            .ok_or_else(cannot)?,
        (JsonType::Integer, Value::Number(_)) => integer_if_whole(value).ok_or_else(cannot)?,
        (JsonType::Integer, Value::String(s)) => {
            let n: i64 = s.trim().parse().map_err(|_| cannot())?;
            Value::from(n)
        }
        (JsonType::Boolean, Value::Bool(_)) => value.clone(),
        (JsonType::Boolean, Value::String(s)) => match s.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(cannot()),
        },
        _ => return Err(cannot()),
    })
}

fn integer_if_whole(v: &Value) -> Option<Value> {
    if v.is_i64() || v.is_u64() {
        return Some(v.clone());
    }
    let f = v.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then(|| Value::from(f as i64))
}

/// How an upcaster fared on the stored events of the version it reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trial {
    /// Events it was tried on.
    pub tried: usize,
    /// Events it turned into ones that fit the new version.
    pub fit: usize,
    /// Up to ten failures: the event's index among those tried, and why.
    pub failures: Vec<(usize, String)>,
    /// How many failed in all.
    pub failed: usize,
}

/// Tries `upcaster` on each of `events` and checks the result against `target`.
pub fn trial<'a>(
    upcaster: &Upcaster,
    events: impl IntoIterator<Item = &'a Value>,
    target: &super::Schema,
) -> Trial {
    let mut t = Trial::default();
    for (i, data) in events.into_iter().enumerate() {
        t.tried += 1;
        let outcome = upcaster
            .apply(data)
            .map_err(|e| e.to_string())
            .and_then(|v| {
                let violations = super::validate::validate(target, &v);
                match violations.first() {
                    None => Ok(()),
                    Some(first) => Err(format!("the result does not fit: {first}")),
                }
            });
        match outcome {
            Ok(()) => t.fit += 1,
            Err(reason) => {
                t.failed += 1;
                if t.failures.len() < 10 {
                    t.failures.push((i, reason));
                }
            }
        }
    }
    t
}
