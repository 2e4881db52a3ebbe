//! Whether an event fits a schema, and if not, each place it does not and the rule it
//! breaks. Draft 4's meaning of each keyword; `format` is checked for the formats in
//! [`super::CHECKED_FORMATS`].

use super::{join, JsonType, Schema};
use crate::discovery::has_format;
use serde_json::Value;
use std::fmt;

/// The schema keyword an event broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Type,
    Required,
    Format,
    Enum,
    AdditionalProperties,
}

impl Rule {
    pub fn keyword(self) -> &'static str {
        match self {
            Rule::Type => "type",
            Rule::Required => "required",
            Rule::Format => "format",
            Rule::Enum => "enum",
            Rule::AdditionalProperties => "additionalProperties",
        }
    }
}

/// One place where an event does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The field, dotted, with array indexes (`lines[2].sku`); empty for the whole event.
    pub path: String,
    pub rule: Rule,
    /// What is wrong, in a sentence that names the field.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (rule: {})", self.message, self.rule.keyword())
    }
}

/// Every place `value` breaks `schema`, in document order; empty when it fits.
pub fn validate(schema: &Schema, value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    check(schema, value, "", &mut out);
    out
}

fn field_name(path: &str) -> String {
    if path.is_empty() {
        "the event".into()
    } else {
        format!("field `{path}`")
    }
}

fn check(schema: &Schema, value: &Value, path: &str, out: &mut Vec<Violation>) {
    let t = JsonType::of(value);
    if !schema.allows(t) {
        let expected: Vec<&str> = schema.types.iter().flatten().map(|t| t.name()).collect();
        out.push(Violation {
            path: path.into(),
            rule: Rule::Type,
            message: format!(
                "{} must be {}, found {t} {}",
                field_name(path),
                expected.join(" or "),
                preview(value)
            ),
        });
        return;
    }
    if let Some(allowed) = &schema.enumeration {
        if !allowed.contains(value) {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            out.push(Violation {
                path: path.into(),
                rule: Rule::Enum,
                message: format!(
                    "{} must be one of {}, found {}",
                    field_name(path),
                    list.join(", "),
                    preview(value)
                ),
            });
        }
    }
    match value {
        Value::String(text) => {
            let format = schema.format.as_deref();
            if let Some(false) = format.and_then(|f| has_format(f, text)) {
                out.push(Violation {
                    path: path.into(),
                    rule: Rule::Format,
                    message: format!(
                        "{} must be a {}, found {}",
                        field_name(path),
                        format.unwrap_or_default(),
                        preview(value)
                    ),
                });
            }
        }
        Value::Object(members) => {
            for name in &schema.required {
                if !members.contains_key(name) {
                    out.push(Violation {
                        path: join(path, name),
                        rule: Rule::Required,
                        message: format!(
                            "{} is required and missing",
                            field_name(&join(path, name))
                        ),
                    });
                }
            }
            for (name, v) in members {
                let inner = join(path, name);
                match schema.properties.get(name) {
                    Some(s) => check(s, v, &inner, out),
                    None if !schema.open => out.push(Violation {
                        path: inner.clone(),
                        rule: Rule::AdditionalProperties,
                        message: format!(
                            "{} is not in the schema, which allows no other fields",
                            field_name(&inner)
                        ),
                    }),
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = &schema.items {
                for (i, item) in items.iter().enumerate() {
                    check(s, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// A short rendering of a value for a message.
fn preview(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(37).collect();
        format!("{cut}...")
    } else {
        text
    }
}
