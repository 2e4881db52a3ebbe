//! EventBridge target input: `InputPath` and the input transformer (spec §1.7).
//!
//! Paths are the JSONPath subset EventBridge accepts: `$`, then `.name` steps (letters,
//! digits, `_`, `-`, `/`), `[n]` indexes and `*`. Substitution follows what AWS was
//! observed to do: a string value fills a quoted placeholder bare and a bare one with
//! quotes; an object or array inside quotes is written without quotes; a path that does
//! not resolve disappears; values are not escaped; output that should be JSON and is not
//! is dropped silently (the caller traces it). See `docs/semantics.md` §5.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use thiserror::Error;

/// Reshapes the event a rule delivers to a target: values picked from the event by
/// JSONPath, filled into a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InputTransformer {
    /// Names for JSONPaths into the event (`{"premium": "$.detail.premium"}`).
    #[serde(default)]
    #[serde(rename = "InputPathsMap", alias = "input_paths_map")]
    pub input_paths_map: BTreeMap<String, String>,
    /// The text delivered, with `<name>` filled from the paths map.
    #[serde(rename = "InputTemplate", alias = "input_template")]
    pub input_template: String,
}

/// What is wrong with a path or transformer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransformErrorKind {
    /// A path outside the JSONPath subset EventBridge accepts.
    InvalidPath,
    /// More variables in `InputPathsMap` than AWS allows.
    TooManyVariables,
    /// A variable named like one of AWS's own (`aws.events.…`, `AWS.…`).
    ReservedName,
    /// An `InputTemplate` empty or over AWS's length.
    TemplateLength,
    /// A `<placeholder>` that names no variable.
    UnknownPlaceholder,
    /// `<aws.events.event>` inside a string, where it cannot go.
    PlaceholderInString,
}

/// Why a path or transformer is invalid: its kind, and the message AWS would give.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct TransformError {
    pub kind: TransformErrorKind,
    pub message: String,
}

fn refused<T>(kind: TransformErrorKind, message: String) -> Result<T, TransformError> {
    Err(TransformError { kind, message })
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
    Any,
}

pub const RESERVED: &[&str] = &[
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
    "aws.events.event",
    "aws.events.event.json",
];

const MAX_VARIABLES: usize = 100;
const MAX_TEMPLATE_CHARS: usize = 8192;

/// Parses `$.detail.items[0].name`.
pub fn parse_path(path: &str) -> Result<Vec<Step>, TransformError> {
    let bad = |why: &str| {
        refused(
            TransformErrorKind::InvalidPath,
            format!("invalid JSONPath \"{path}\": {why}"),
        )
    };
    let Some(mut rest) = path.strip_prefix('$') else {
        return bad("it must start with $");
    };
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name == "*" {
                steps.push(Step::Any);
            } else if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-/".contains(c))
            {
                steps.push(Step::Key(name.to_owned()));
            } else {
                return bad("a step may hold only letters, digits, _, - and /, or be *");
            }
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else {
                return bad("a [ has no closing ]");
            };
            match &r[..end] {
                "*" => steps.push(Step::Any),
                n => match n.parse() {
                    Ok(i) => steps.push(Step::Index(i)),
                    Err(_) => return bad("an index must be a whole number or *"),
                },
            }
            rest = &r[end + 1..];
        } else {
            return bad("expected . or [ between steps");
        }
    }
    Ok(steps)
}

/// The value at a path, if it resolves. `*` collects every child into an array.
pub fn resolve(value: &Value, steps: &[Step]) -> Option<Value> {
    let Some((first, rest)) = steps.split_first() else {
        return Some(value.clone());
    };
    match (first, value) {
        (Step::Key(k), Value::Object(m)) => resolve(m.get(k)?, rest),
        (Step::Index(i), Value::Array(a)) => resolve(a.get(*i)?, rest),
        (Step::Any, Value::Array(a)) => Some(Value::Array(
            a.iter().filter_map(|v| resolve(v, rest)).collect(),
        )),
        (Step::Any, Value::Object(m)) => Some(Value::Array(
            m.values().filter_map(|v| resolve(v, rest)).collect(),
        )),
        _ => None,
    }
}

/// A placeholder in a template: its name, where it is, and whether it sits inside quotes.
struct Placeholder {
    name: String,
    start: usize,
    end: usize,
    quoted: bool,
}

fn placeholders(template: &str) -> Vec<Placeholder> {
    let bytes = template.as_bytes();
    let mut out = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'<' => {
                let name_len = template[i + 1..]
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || b"_.-".contains(b))
                    .count();
                if name_len > 0 && bytes.get(i + 1 + name_len) == Some(&b'>') {
                    out.push(Placeholder {
                        name: template[i + 1..i + 1 + name_len].to_owned(),
                        start: i,
                        end: i + 2 + name_len,
                        quoted,
                    });
                    i += 1 + name_len;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Checks a transformer as PutTargets does.
pub fn validate(tr: &InputTransformer, target_id: &str) -> Result<(), TransformError> {
    if tr.input_paths_map.len() > MAX_VARIABLES {
        return refused(
            TransformErrorKind::TooManyVariables,
            format!("InputPathsMap can have at most {MAX_VARIABLES} variables"),
        );
    }
    for (name, path) in &tr.input_paths_map {
        if name.starts_with("AWS.") || RESERVED.contains(&name.as_str()) {
            return refused(
                TransformErrorKind::ReservedName,
                format!("InputPathsMap variable \"{name}\" uses a reserved name"),
            );
        }
        parse_path(path)?;
    }
    let chars = tr.input_template.chars().count();
    if chars == 0 || chars > MAX_TEMPLATE_CHARS {
        return refused(
            TransformErrorKind::TemplateLength,
            format!("InputTemplate must have 1 to {MAX_TEMPLATE_CHARS} characters"),
        );
    }
    for p in placeholders(&tr.input_template) {
        if !tr.input_paths_map.contains_key(&p.name) && !RESERVED.contains(&p.name.as_str()) {
            return refused(TransformErrorKind::UnknownPlaceholder, format!(
                "ValidationException: InputTemplate for target {target_id} contains invalid placeholder {}.",
                p.name
            ));
        }
        if p.quoted && (p.name == "aws.events.event" || p.name == "aws.events.event.json") {
            return refused(
                TransformErrorKind::PlaceholderInString,
                format!(
                    "<{}> can be used only as a JSON value, not inside a string",
                    p.name
                ),
            );
        }
    }
    Ok(())
}

/// An object or array written without quotes, as AWS does inside a quoted placeholder.
fn unquoted(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(unquoted).collect::<Vec<_>>().join(",")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}:{}", unquoted(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => other.to_string(),
    }
}

/// Fills a template. `values` gives each placeholder's value (`None` if its path did not
/// resolve). Returns the text and whether it must be JSON.
pub fn render_template(template: &str, values: &dyn Fn(&str) -> Option<Value>) -> (String, bool) {
    let mut out = String::new();
    let mut last = 0;
    for p in placeholders(template) {
        out.push_str(&template[last..p.start]);
        match (values(&p.name), p.quoted) {
            (None, _) => {}
            (Some(Value::String(s)), true) => out.push_str(&s),
            (Some(Value::String(s)), false) => {
                out.push('"');
                out.push_str(&s);
                out.push('"');
            }
            (Some(v @ (Value::Object(_) | Value::Array(_))), true) => out.push_str(&unquoted(&v)),
            (Some(v), _) => out.push_str(&v.to_string()),
        }
        last = p.end;
    }
    out.push_str(&template[last..]);
    let wants_json = matches!(template.trim_start().chars().next(), Some('{' | '[' | '"'));
    (out, wants_json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fill(template: &str, vars: Value) -> String {
        render_template(template, &|name| vars.get(name).cloned()).0
    }

    #[test]
    fn strings_are_quoted_when_bare_and_bare_when_quoted() {
        assert_eq!(
            fill(r#"{"id": <userId>}"#, json!({"userId": "abc"})),
            r#"{"id": "abc"}"#
        );
        assert_eq!(
            fill(r#"{"id": "<userId>"}"#, json!({"userId": "abc"})),
            r#"{"id": "abc"}"#
        );
    }

    #[test]
    fn objects_inside_quotes_lose_their_quotes() {
        let v = json!({"p": {"acc_id": "0a78", "sf_id": "baz"}, "s": ["ACTIVE", "INACTIVE"]});
        assert_eq!(
            fill(r#"{"bod": <p>}"#, v.clone()),
            r#"{"bod": {"acc_id":"0a78","sf_id":"baz"}}"#
        );
        assert_eq!(
            fill(r#"{"bod": "<p>", "s": "<s>"}"#, v),
            r#"{"bod": "{acc_id:0a78,sf_id:baz}", "s": "[ACTIVE,INACTIVE]"}"#
        );
    }

    #[test]
    fn unresolved_paths_disappear_and_values_are_not_escaped() {
        assert_eq!(fill(r#"{"a": "x<missing>y"}"#, json!({})), r#"{"a": "xy"}"#);
        assert_eq!(
            fill(r#"{"a": "<q>"}"#, json!({"q": "say \"hi\""})),
            r#"{"a": "say "hi""}"#
        );
    }

    #[test]
    fn paths_parse_and_resolve() {
        let event =
            json!({"detail": {"items": [{"n": 1}, {"n": 2}], "x-y": "z"}, "resources": ["arn:1"]});
        assert_eq!(
            resolve(&event, &parse_path("$.resources[0]").expect("ok")),
            Some(json!("arn:1"))
        );
        assert_eq!(
            resolve(&event, &parse_path("$.detail.items[*].n").expect("ok")),
            Some(json!([1, 2]))
        );
        assert_eq!(
            resolve(&event, &parse_path("$.detail.x-y").expect("ok")),
            Some(json!("z"))
        );
        assert_eq!(
            resolve(&event, &parse_path("$.detail.nope").expect("ok")),
            None
        );
        assert_eq!(
            parse_path("detail").map_err(|e| e.kind),
            Err(TransformErrorKind::InvalidPath)
        );
        assert!(parse_path("$.a b").is_err());
    }

    #[test]
    fn unknown_placeholders_fail_validation_with_the_aws_message() {
        let tr = InputTransformer {
            input_paths_map: [("a".into(), "$.detail.a".into())].into(),
            input_template: "{\"x\": <b>}".into(),
        };
        let e = validate(&tr, "t1").expect_err("invalid");
        assert_eq!(e.kind, TransformErrorKind::UnknownPlaceholder);
        assert_eq!(
            e.message,
            "ValidationException: InputTemplate for target t1 contains invalid placeholder b."
        );
    }
}
