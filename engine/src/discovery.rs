//! Event schema discovery, as EventBridge's schema discovery does it: from the events
//! seen, a schema per event type, with each property's types, the properties present in
//! every event (required), nested objects and arrays, and a format where every value
//! seen has it (date-time, email, uuid). Each time the schema that describes everything
//! seen changes, the type gets a new version. A schema is written as JSON Schema Draft 4
//! (what EventBridge exports) or as an OpenAPI 3 document.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A string format discovery names only when every string seen has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    DateTime,
    Email,
    Uuid,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::DateTime => "date-time",
            Format::Email => "email",
            Format::Uuid => "uuid",
        }
    }

    /// The format `text` certainly has, if any.
    fn of(text: &str) -> Option<Format> {
        if is_uuid(text) {
            Some(Format::Uuid)
        } else if is_date_time(text) {
            Some(Format::DateTime)
        } else if is_email(text) {
            Some(Format::Email)
        } else {
            None
        }
    }
}

/// Whether `text` has the format named `name`; `None` for a format this crate does not
/// check.
pub fn has_format(name: &str, text: &str) -> Option<bool> {
    match name {
        "date-time" => Some(is_date_time(text)),
        "email" => Some(is_email(text)),
        "uuid" => Some(is_uuid(text)),
        _ => None,
    }
}

fn is_uuid(t: &str) -> bool {
    let groups: Vec<&str> = t.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// RFC 3339: `2026-12-06T09:00:00Z`, with optional fractions and an offset.
fn is_date_time(t: &str) -> bool {
    let b = t.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !(digits(0..4) && digits(5..7) && digits(8..10) && digits(11..13))
        || !(digits(14..16) && digits(17..19))
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return false;
    }
    let mut rest = &t[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

fn is_email(t: &str) -> bool {
    let Some((local, domain)) = t.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !t.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|part| !part.is_empty())
}

/// What every value seen at one place in the events had in common.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inferred {
    null: bool,
    boolean: bool,
    integer: bool,
    number: bool,
    string: bool,
    /// While every string seen has one format: `Some(Some(format))`; after two
    /// formats, or a string with none: `Some(None)`.
    format: Option<Option<Format>>,
    array: bool,
    items: Option<Box<Inferred>>,
    /// How many objects were seen here, and per property how many of them had it.
    objects: u64,
    properties: BTreeMap<String, (u64, Inferred)>,
}

impl Inferred {
    /// Takes one more value seen here into account.
    pub fn add(&mut self, value: &Value) {
        match value {
            Value::Null => self.null = true,
            Value::Bool(_) => self.boolean = true,
            Value::Number(n) if n.is_i64() || n.is_u64() => self.integer = true,
            Value::Number(_) => self.number = true,
            Value::String(s) => {
                self.string = true;
                let here = Format::of(s);
                self.format = Some(match self.format {
                    None => here,
                    Some(seen) if seen == here => seen,
                    Some(_) => None,
                });
            }
            Value::Array(items) => {
                self.array = true;
                let inner = self.items.get_or_insert_with(Box::default);
                for item in items {
                    inner.add(item);
                }
            }
            Value::Object(members) => {
                self.objects += 1;
                for (key, v) in members {
                    let (count, inner) = self.properties.entry(key.clone()).or_default();
                    *count += 1;
                    inner.add(v);
                }
            }
        }
    }

    /// The JSON types seen here, in JSON Schema's names; an integer seen beside other
    /// numbers is a number.
    fn types(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (seen, name) in [
            (self.array, "array"),
            (self.boolean, "boolean"),
            (self.integer && !self.number, "integer"),
            (self.number, "number"),
            (self.null, "null"),
            (self.objects > 0, "object"),
            (self.string, "string"),
        ] {
            if seen {
                out.push(name);
            }
        }
        out
    }

    /// This place as a JSON Schema (Draft 4) without `$schema`.
    pub fn to_schema(&self) -> Value {
        let mut schema = Map::new();
        match self.types().as_slice() {
            [] => {}
            [one] => {
                schema.insert("type".into(), json!(one));
            }
            many => {
                schema.insert("type".into(), json!(many));
            }
        }
        if let Some(Some(format)) = self.format.filter(|_| self.string) {
            schema.insert("format".into(), json!(format.name()));
        }
        if self.objects > 0 {
            let properties: Map<String, Value> = self
                .properties
                .iter()
                .map(|(k, (_, inner))| (k.clone(), inner.to_schema()))
                .collect();
            schema.insert("properties".into(), Value::Object(properties));
            let required: Vec<&String> = self
                .properties
                .iter()
                .filter(|(_, (count, _))| *count == self.objects)
                .map(|(k, _)| k)
                .collect();
            if !required.is_empty() {
                schema.insert("required".into(), json!(required));
            }
        }
        if let Some(items) = &self.items {
            schema.insert("items".into(), items.to_schema());
        }
        Value::Object(schema)
    }
}

/// A JSON Schema Draft 4 document for `inferred`, titled.
pub fn json_schema_draft4(title: &str, inferred: &Inferred) -> Value {
    titled_draft4(title, inferred.to_schema())
}

/// `schema` as a whole Draft 4 document: with `$schema` and a title.
pub fn titled_draft4(title: &str, mut schema: Value) -> Value {
    if let Value::Object(m) = &mut schema {
        m.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-04/schema#"),
        );
        m.insert("title".into(), json!(title));
    }
    schema
}

/// A schema in OpenAPI 3.0's dialect: one `type` per schema (several become `anyOf`),
/// and `null` as `nullable`.
fn openapi_schema(schema: &Value) -> Value {
    let Value::Object(m) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in m {
        match key.as_str() {
            "type" => {
                let types: Vec<&str> = match value {
                    Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
                    Value::String(one) => vec![one.as_str()],
                    _ => Vec::new(),
                };
                let nullable = types.contains(&"null");
                let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
                if nullable {
                    out.insert("nullable".into(), json!(true));
                }
                match types.as_slice() {
                    [] => {}
                    [one] => {
                        out.insert("type".into(), json!(one));
                    }
                    many => {
                        let any: Vec<Value> = many.iter().map(|t| json!({ "type": t })).collect();
                        out.insert("anyOf".into(), Value::Array(any));
                    }
                }
            }
            "properties" => {
                let props: Map<String, Value> = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), openapi_schema(v)))
                    .collect();
                out.insert(key.clone(), Value::Object(props));
            }
            "items" => {
                out.insert(key.clone(), openapi_schema(value));
            }
            "$schema" | "title" => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// An OpenAPI 3 document holding `inferred` as the component schema `name`.
pub fn openapi3(name: &str, version: u32, inferred: &Inferred) -> Value {
    openapi3_document(name, version, &inferred.to_schema())
}

/// An OpenAPI 3 document holding the Draft 4 `schema` as the component schema `name`.
pub fn openapi3_document(name: &str, version: u32, schema: &Value) -> Value {
    json!({
        "openapi": "3.0.0",
        "info": { "title": name, "version": format!("{version}.0.0") },
        "paths": {},
        "components": { "schemas": { name: openapi_schema(schema) } },
    })
}

/// One event type's discovered schema and its versions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovered {
    /// What every event of the type seen so far had in common.
    pub inferred: Inferred,
    /// Each version's schema (Draft 4, without `$schema`), oldest first: a new one
    /// whenever an event changed the schema.
    pub versions: Vec<Value>,
    /// How many events of the type were seen.
    pub events: u64,
}

/// Discovery over a stream of events: a schema per event type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovery {
    pub types: BTreeMap<String, Discovered>,
}

impl Discovery {
    /// Takes the event `data` of type `event_type` into account.
    pub fn add(&mut self, event_type: &str, data: &Value) {
        let discovered = self.types.entry(event_type.to_owned()).or_default();
        discovered.events += 1;
        discovered.inferred.add(data);
        let schema = discovered.inferred.to_schema();
        if discovered.versions.last() != Some(&schema) {
            discovered.versions.push(schema);
        }
    }
}

#[cfg(test)]
mod tests;
