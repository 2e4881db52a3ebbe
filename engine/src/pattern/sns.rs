//! SNS subscription filter policies: the two scopes and how messages become something a
//! policy can match.
//!
//! With `MessageAttributes` scope the policy's keys are attribute names: `String` values
//! match as strings, `Number` values as numbers, `String.Array` values as arrays (any
//! element may match) and `Binary` attributes are ignored as if absent. With `MessageBody`
//! scope the body must be a JSON object; anything else never matches. Validation differs
//! from EventBridge as [`Dialect`] describes; see [`super::parse`] and
//! `docs/semantics.md` §2.

use super::*;
use crate::json::Spanned;
use std::collections::BTreeMap;

/// One message attribute, as SNS's Publish API takes it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MessageAttribute {
    #[serde(rename = "Type", alias = "DataType")]
    pub data_type: String,
    #[serde(rename = "Value", alias = "StringValue")]
    pub value: String,
}

/// Why an attribute could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    #[error("attribute \"{name}\": Number value {value:?} is not a number")]
    NotANumber { name: String, value: String },
    #[error("attribute \"{name}\": String.Array value is not a JSON array: {reason}")]
    NotAnArray { name: String, reason: String },
    #[error("attribute \"{name}\": unknown data type {data_type:?}; use String, Number, String.Array or Binary")]
    UnknownType { name: String, data_type: String },
}

fn spanned(value: Json) -> Spanned {
    Spanned { value, offset: 0 }
}

/// The JSON object a filter policy sees for these attributes.
pub fn attributes_to_json(
    attributes: &BTreeMap<String, MessageAttribute>,
) -> Result<Json, AttributeError> {
    let mut members = Vec::new();
    for (name, attr) in attributes {
        // "String.Array", "Number.float" and "String.custom" style custom types keep their base.
        let base = attr.data_type.split('.').next().unwrap_or("");
        let value = match (base, attr.data_type.as_str()) {
            (_, "String.Array") => match crate::json::parse(&attr.value) {
                Ok(Spanned {
                    value: v @ Json::Array(_),
                    ..
                }) => v,
                Ok(_) => {
                    return Err(AttributeError::NotAnArray {
                        name: name.clone(),
                        reason: "it is not an array".into(),
                    })
                }
                Err(e) => {
                    return Err(AttributeError::NotAnArray {
                        name: name.clone(),
                        reason: e.to_string(),
                    })
                }
            },
            ("String", _) => Json::String(attr.value.clone()),
            ("Number", _) => match crate::json::parse(attr.value.trim()) {
                Ok(Spanned {
                    value: n @ Json::Number(_),
                    ..
                }) => n,
                _ => {
                    return Err(AttributeError::NotANumber {
                        name: name.clone(),
                        value: attr.value.clone(),
                    })
                }
            },
            ("Binary", _) => continue,
            _ => {
                return Err(AttributeError::UnknownType {
                    name: name.clone(),
                    data_type: attr.data_type.clone(),
                })
            }
        };
        members.push((name.clone(), spanned(value)));
    }
    Ok(Json::Object(members))
}

/// The JSON object a `MessageBody` policy sees, if the body is one. A JSON string body is
/// the message text and is parsed; a body that is not a JSON object never matches.
pub fn body_to_json(body: &Json) -> Option<Json> {
    match body {
        Json::Object(_) => Some(body.clone()),
        Json::String(text) => match crate::json::parse(text) {
            Ok(Spanned {
                value: v @ Json::Object(_),
                ..
            }) => Some(v),
            _ => None,
        },
        _ => None,
    }
}

impl EventPattern {
    /// Whether a message with these attributes passes a `MessageAttributes` policy.
    pub fn matches_attributes(
        &self,
        attributes: &BTreeMap<String, MessageAttribute>,
    ) -> Result<bool, AttributeError> {
        Ok(self.matches(&attributes_to_json(attributes)?))
    }

    /// Whether a message body passes a `MessageBody` policy.
    pub fn matches_body(&self, body: &Json) -> bool {
        body_to_json(body).is_some_and(|b| self.matches(&b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(list: &[(&str, &str, &str)]) -> BTreeMap<String, MessageAttribute> {
        list.iter()
            .map(|(n, t, v)| {
                (
                    n.to_string(),
                    MessageAttribute {
                        data_type: t.to_string(),
                        value: v.to_string(),
                    },
                )
            })
            .collect()
    }

    fn policy(text: &str) -> EventPattern {
        EventPattern::parse(text, Dialect::SnsAttributes).expect("valid policy")
    }

    #[test]
    fn attribute_types_map_to_json_types() {
        let p = policy(r#"{"price": [{"numeric": [">", 100]}], "store": ["example_corp"]}"#);
        assert!(p
            .matches_attributes(&attrs(&[
                ("price", "Number", "3.015e2"),
                ("store", "String", "example_corp")
            ]))
            .expect("ok"));
        assert!(!p
            .matches_attributes(&attrs(&[
                ("price", "String", "301.5"),
                ("store", "String", "example_corp")
            ]))
            .expect("ok"));
    }

    #[test]
    fn string_array_elements_are_ored() {
        let p = policy(r#"{"interests": ["rugby", "football"]}"#);
        assert!(p
            .matches_attributes(&attrs(&[(
                "interests",
                "String.Array",
                r#"["soccer", "rugby"]"#
            )]))
            .expect("ok"));
        assert!(!p
            .matches_attributes(&attrs(&[("interests", "String.Array", r#"["chess"]"#)]))
            .expect("ok"));
    }

    #[test]
    fn binary_attributes_count_as_absent() {
        let p = policy(r#"{"blob": [{"exists": false}]}"#);
        assert!(p
            .matches_attributes(&attrs(&[("blob", "Binary", "AAEC")]))
            .expect("ok"));
        let p = policy(r#"{"blob": [{"exists": true}]}"#);
        assert!(!p
            .matches_attributes(&attrs(&[("blob", "Binary", "AAEC")]))
            .expect("ok"));
    }

    #[test]
    fn anything_but_needs_the_attribute_present() {
        let p = policy(r#"{"store": [{"anything-but": "x"}]}"#);
        assert!(!p.matches_attributes(&attrs(&[])).expect("ok"));
        assert!(p
            .matches_attributes(&attrs(&[("store", "String", "y")]))
            .expect("ok"));
    }

    #[test]
    fn bad_attribute_values_are_errors_that_name_the_attribute() {
        let p = policy(r#"{"n": [1]}"#);
        let err = p
            .matches_attributes(&attrs(&[("n", "Number", "one")]))
            .expect_err("not a number");
        assert_eq!(
            err.to_string(),
            "attribute \"n\": Number value \"one\" is not a number"
        );
    }

    #[test]
    fn body_scope_needs_a_json_object() {
        let p = EventPattern::parse(r#"{"a": {"b": ["x"]}}"#, Dialect::SnsBody).expect("valid");
        assert!(p.matches_body(&Json::String(r#"{"a":{"b":"x"}}"#.into())));
        assert!(p.matches_body(&crate::json::parse(r#"{"a.b":"x"}"#).expect("json").value));
        assert!(!p.matches_body(&Json::String("plain text".into())));
        assert!(!p.matches_body(
            &crate::json::parse(r#"[{"a":{"b":"x"}}]"#)
                .expect("json")
                .value
        ));
    }
}
