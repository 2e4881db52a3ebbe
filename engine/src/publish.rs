//! Validation of what a learner types into the publish form.
//!
//! The form has a stream id, an event type, a source and JSON data. This module turns
//! that text into a [`NewEvent`] or into one error per field, each saying what is wrong
//! and how to fix it. It does not assign the event id or the time: the engine never reads
//! the clock or a global RNG, so the caller supplies both.

use crate::envelope::NewEvent;
use crate::store::ExpectedVersion;
use serde_json::Value;
use std::fmt;

/// Longest stream id, event type or source accepted, in characters.
pub const MAX_NAME_LEN: usize = 200;

/// The learner's raw input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventDraft {
    pub stream: String,
    pub event_type: String,
    pub source: String,
    pub data: String,
}

/// Which input an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DraftField {
    Stream,
    EventType,
    Source,
    Data,
}

impl DraftField {
    /// The label the form shows for this field.
    pub fn label(self) -> &'static str {
        match self {
            DraftField::Stream => "Stream",
            DraftField::EventType => "Event type",
            DraftField::Source => "Source",
            DraftField::Data => "Data",
        }
    }
}

/// One problem with one field. `message` continues the field's label, so the whole error
/// reads as a sentence through `Display`: "Data is not valid JSON: `Ada` at line 2, column 11 is not a JSON value: …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: DraftField,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field.label(), self.message)
    }
}

impl EventDraft {
    /// Validates every field and builds the event, or returns every field's error.
    pub fn validate(&self, id: &str, time: &str) -> Result<NewEvent, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut check_name = |field: DraftField, value: &str, example: &str| {
            let value = value.trim();
            let message = if value.is_empty() {
                Some(format!("is required, for example \"{example}\""))
            } else if value.chars().count() > MAX_NAME_LEN {
                Some(format!("is longer than {MAX_NAME_LEN} characters"))
            } else if let Some(c) = value.chars().find(|c| c.is_whitespace()) {
                let at = value.chars().position(|x| x == c).unwrap_or(0) + 1;
                Some(format!(
                    "must not contain spaces (found one at character {at}); try \"{}\"",
                    value.replace(char::is_whitespace, "-")
                ))
            } else {
                None
            };
            if let Some(message) = message {
                errors.push(FieldError { field, message });
            }
        };
        check_name(DraftField::Stream, &self.stream, "customer-42");
        check_name(
            DraftField::EventType,
            &self.event_type,
            "CustomerRegistered",
        );
        check_name(DraftField::Source, &self.source, "dojo.customers");
        let data = match parse_data(&self.data) {
            Ok(value) => Some(value),
            Err(message) => {
                errors.push(FieldError {
                    field: DraftField::Data,
                    message,
                });
                None
            }
        };
        match data {
            Some(data) if errors.is_empty() => {
                let stream = self.stream.trim();
                Ok(
                    NewEvent::new(id, stream, self.event_type.trim(), self.source.trim())
                        .with_time(time)
                        .with_data(data),
                )
            }
            _ => Err(errors),
        }
    }
}

/// Parses event data: it must be one JSON object.
fn parse_data(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Err("is required: enter a JSON object such as {\"name\": \"Ada\"}".to_owned());
    }
    let value: Value = crate::json::parse_value(text)
        .map_err(|e| format!("is not valid JSON: {}", crate::wording::syntax(&e)))?;
    match value {
        Value::Object(_) => Ok(value),
        other => Err(format!(
            "must be a JSON object like {{\"name\": \"Ada\"}}, not {}",
            json_kind(&other)
        )),
    }
}

/// Parses the optional "expected version" input: blank means any version, otherwise a
/// whole number (0 = the stream must not exist yet).
pub fn parse_expected_version(text: &str) -> Result<ExpectedVersion, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(ExpectedVersion::Any);
    }
    text.parse::<u64>().map(ExpectedVersion::Exact).map_err(|_| {
        format!("\"{text}\" is not a whole number: enter a whole number such as 0 or 3, or leave it blank to append at any version")
    })
}

/// "an array", "a string", ... for messages.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(stream: &str, event_type: &str, data: &str) -> EventDraft {
        EventDraft {
            stream: stream.into(),
            event_type: event_type.into(),
            source: "dojo.console".into(),
            data: data.into(),
        }
    }

    #[test]
    fn a_complete_form_builds_an_event_with_the_given_id_and_time() {
        let event = form(" customer-1 ", "CustomerRegistered", r#"{"name":"Ada"}"#)
            .validate("id-1", "2026-11-27T10:00:00Z")
            .expect("valid form");
        assert_eq!(event.id, "id-1");
        assert_eq!(event.subject.as_deref(), Some("customer-1"));
        assert_eq!(event.event_type, "CustomerRegistered");
        assert_eq!(event.time.as_deref(), Some("2026-11-27T10:00:00Z"));
        assert_eq!(event.data, Some(json!({"name": "Ada"})));
    }

    #[test]
    fn a_bad_literal_is_reported_on_its_line_not_the_next() {
        let errors = form("s", "T", "{\n  \"a\": 1,\n  \"ok\": tru\n}")
            .validate("i", "t")
            .expect_err("bad literal");
        assert!(
            errors[0]
                .message
                .starts_with("is not valid JSON: `tru` at line 3, column 9 is not a JSON value"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let errors = form("s", "T", "{\n  \"name\": Ada\n}")
            .validate("i", "t")
            .expect_err("bad json");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, DraftField::Data);
        assert!(
            errors[0]
                .message
                .starts_with("is not valid JSON: `Ada` at line 2, column 11 is not a JSON value"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let errors = EventDraft::default()
            .validate("i", "t")
            .expect_err("empty form");
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                DraftField::Stream,
                DraftField::EventType,
                DraftField::Source,
                DraftField::Data
            ]
        );
        assert_eq!(
            errors[0].to_string(),
            "Stream is required, for example \"customer-42\""
        );
    }

    #[test]
    fn expected_version_is_blank_for_any_or_a_whole_number() {
        assert_eq!(parse_expected_version(" "), Ok(ExpectedVersion::Any));
        assert_eq!(parse_expected_version("3"), Ok(ExpectedVersion::Exact(3)));
        let err = parse_expected_version("-1").expect_err("negative");
        assert!(err.starts_with("\"-1\" is not a whole number"), "{err}");
    }

    #[test]
    fn data_must_be_an_object() {
        let errors = form("s", "T", "[1,2]")
            .validate("i", "t")
            .expect_err("array");
        assert_eq!(
            errors[0].message,
            "must be a JSON object like {\"name\": \"Ada\"}, not an array"
        );
    }

    #[test]
    fn names_with_spaces_are_refused_with_a_suggestion() {
        let errors = form("customer 1", "T", "{}")
            .validate("i", "t")
            .expect_err("space");
        assert_eq!(
            errors[0].message,
            "must not contain spaces (found one at character 9); try \"customer-1\""
        );
    }
}
