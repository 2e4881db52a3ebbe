//! `dojo schema`: infer event schemas from events, check a new version's compatibility,
//! and check events against a schema. The decisions are `dojo_engine::schemas`'.

use crate::dialect::Failure;
use crate::{fail, read};
use dojo_engine::schemas::compat::{check as check_versions, diff, Mode};
use dojo_engine::schemas::validate::validate as fits;
use dojo_engine::schemas::Schema;
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;

/// An event line's type and data: a CloudEvent's `type` and `data`, or an EventBridge
/// event's `source@detail-type` and `detail`.
fn typed_event(line: &str) -> Result<(String, serde_json::Value), String> {
    let event = dojo_engine::json::parse_value(line).map_err(|e| e.to_string())?;
    let text = |key: &str| event.get(key).and_then(serde_json::Value::as_str);
    match (text("detail-type"), text("source"), text("type")) {
        (Some(detail_type), Some(source), _) => Ok((
            format!("{source}@{detail_type}"),
            event.get("detail").cloned().unwrap_or_default(),
        )),
        (_, _, Some(event_type)) => Ok((
            event_type.to_owned(),
            event.get("data").cloned().unwrap_or_default(),
        )),
        _ => Err("not an event: it has neither a CloudEvents \"type\" nor an EventBridge \"source\" and \"detail-type\"".into()),
    }
}

/// `dojo schema infer`: a schema per event type in the events of `file`.
pub fn infer(file: &PathBuf, openapi: bool) -> ExitCode {
    let text = match read(file) {
        Ok(t) => t,
        Err(f) => return fail(&f),
    };
    let mut discovery = dojo_engine::discovery::Discovery::default();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match typed_event(line) {
            Ok((event_type, data)) => discovery.add(&event_type, &data),
            Err(why) => {
                return fail(&Failure::Input(format!(
                    "{} line {}: {why}",
                    file.display(),
                    n + 1
                )))
            }
        }
    }
    let schemas: serde_json::Map<String, serde_json::Value> = discovery
        .types
        .iter()
        .map(|(name, found)| {
            let version = found.versions.len() as u32;
            let schema = if openapi {
                dojo_engine::discovery::openapi3(name, version, &found.inferred)
            } else {
                dojo_engine::discovery::json_schema_draft4(name, &found.inferred)
            };
            (name.clone(), schema)
        })
        .collect();
    let text = serde_json::to_string_pretty(&schemas).expect("schemas are JSON");
    println!("{text}");
    for (name, found) in &discovery.types {
        eprintln!(
            "{name}: {} events, {} version(s)",
            found.events,
            found.versions.len()
        );
    }
    ExitCode::SUCCESS
}

/// A schema file: JSON Schema Draft 4 in the registry's dialect.
fn schema_file(path: &PathBuf) -> Result<Schema, Failure> {
    let text = read(path)?;
    let value = dojo_engine::json::parse_value(&text)
        .map_err(|e| Failure::Input(format!("{}: not JSON: {e}", path.display())))?;
    Schema::from_json(&value)
        .map_err(|e| Failure::Input(format!("{}: not a schema here: {e}", path.display())))
}

/// `dojo schema check OLD... NEW --mode M`.
pub fn check(files: &[PathBuf], mode: &str) -> ExitCode {
    let Some(mode) = Mode::parse(mode) else {
        let names: Vec<String> = Mode::ALL
            .iter()
            .map(|m| m.name().to_ascii_lowercase().replace('_', "-"))
            .collect();
        return fail(&Failure::Input(format!(
            "--mode {mode:?} is not a compatibility mode; use one of {}",
            names.join(", ")
        )));
    };
    let mut schemas = Vec::new();
    for path in files {
        match schema_file(path) {
            Ok(s) => schemas.push(s),
            Err(f) => return fail(&f),
        }
    }
    let (new, earlier) = schemas
        .split_last()
        .expect("clap asks for two files at least");
    let previous = earlier.last().expect("clap asks for two files at least");
    let next = schemas.len();
    println!("changes from v{} to v{next}:", next - 1);
    let changes = diff(previous, new);
    if changes.is_empty() {
        println!("  none");
    }
    for change in &changes {
        println!("  {change}");
    }
    let incompatible = check_versions(mode, earlier, new);
    if incompatible.is_empty() {
        println!("compatible: v{next} keeps {mode} ({})", mode.promise());
        return ExitCode::SUCCESS;
    }
    println!("incompatible: v{next} breaks {mode}");
    for inc in &incompatible {
        for b in &inc.breaks {
            println!("  {} against v{}: {b}", inc.direction, inc.version);
        }
    }
    ExitCode::from(1)
}

/// The data a JSON document of an event holds: a CloudEvent's `data`, an EventBridge
/// event's `detail`, or the document itself.
fn event_data(value: Value) -> Value {
    if value.get("specversion").is_some() {
        value.get("data").cloned().unwrap_or(Value::Null)
    } else if value.get("detail-type").is_some() && value.get("detail").is_some() {
        value["detail"].clone()
    } else {
        value
    }
}

/// `dojo schema validate SCHEMA EVENT`.
pub fn validate(schema: &PathBuf, event: &PathBuf) -> ExitCode {
    let schema = match schema_file(schema) {
        Ok(s) => s,
        Err(f) => return fail(&f),
    };
    let text = match read(event) {
        Ok(t) => t,
        Err(f) => return fail(&f),
    };
    // One JSON document, or else one event per line.
    let events: Vec<(Option<usize>, Value)> = match dojo_engine::json::parse_value(&text) {
        Ok(v) => vec![(None, v)],
        Err(whole) => {
            let mut events = Vec::new();
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                match dojo_engine::json::parse_value(line) {
                    Ok(v) => events.push((Some(n + 1), v)),
                    Err(_) if events.is_empty() => {
                        return fail(&Failure::Input(format!(
                            "{}: not JSON: {whole}",
                            event.display()
                        )))
                    }
                    Err(e) => {
                        return fail(&Failure::Input(format!(
                            "{} line {}: not JSON: {e}",
                            event.display(),
                            n + 1
                        )))
                    }
                }
            }
            events
        }
    };
    let mut misfits = 0;
    for (line, value) in events {
        let violations = fits(&schema, &event_data(value));
        let place = line.map_or(String::new(), |n| format!("line {n}: "));
        if violations.is_empty() {
            println!("{place}fits");
        } else {
            misfits += 1;
            for v in violations {
                println!("{place}{v}");
            }
        }
    }
    if misfits == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
