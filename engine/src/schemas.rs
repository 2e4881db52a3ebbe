//! Event schemas as a registry keeps them: the part of JSON Schema Draft 4 that
//! describes an event's shape, read into a [`Schema`]; checking an event against one
//! ([`validate`]); what changed between two versions and which changes break readers
//! under a compatibility mode ([`compat`]); the registry itself ([`registry`]); upcasters
//! that turn an old version's events into a new one's ([`upcaster`]); and code bindings
//! ([`bindings`]).
//!
//! The dialect is the one EventBridge's schema discovery writes, plus what a hand-written
//! event schema commonly adds: `type` (one or a list), `properties`, `required`,
//! `additionalProperties` (true or false), `items` (one schema), `enum` and `format`
//! (`date-time`, `email`, `uuid` are checked; any other name is kept and not checked).
//! Annotations (`$schema`, `id`, `title`, `description`, `default`, `examples`,
//! `$comment`) are kept out of the way. Any other keyword is refused by name and place,
//! so a schema never means less here than its author thinks.

pub mod bindings;
pub mod compat;
pub mod registry;
pub mod upcaster;
pub mod validate;

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// A JSON type as JSON Schema names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JsonType {
    Array,
    Boolean,
    Integer,
    Number,
    Null,
    Object,
    String,
}

impl JsonType {
    pub const ALL: [JsonType; 7] = [
        JsonType::Array,
        JsonType::Boolean,
        JsonType::Integer,
        JsonType::Number,
        JsonType::Null,
        JsonType::Object,
        JsonType::String,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JsonType::Array => "array",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Null => "null",
            JsonType::Object => "object",
            JsonType::String => "string",
        }
    }

    pub fn parse(name: &str) -> Option<JsonType> {
        JsonType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The type of a JSON value; a number without a fraction or exponent is an integer
    /// (Draft 4's rule).
    pub fn of(value: &Value) -> JsonType {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }

    /// Whether a value of type `self` is accepted where `allowed` is: an integer is also
    /// a number.
    pub fn fits(self, allowed: JsonType) -> bool {
        self == allowed || (self == JsonType::Integer && allowed == JsonType::Number)
    }
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One place of an event's shape. `types: None` accepts every type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub types: Option<Vec<JsonType>>,
    pub format: Option<String>,
    pub enumeration: Option<Vec<Value>>,
    /// The object's properties, by name.
    pub properties: BTreeMap<String, Schema>,
    pub required: Vec<String>,
    /// `additionalProperties`: whether an object may carry properties not listed.
    pub open: bool,
    pub items: Option<Box<Schema>>,
    pub description: Option<String>,
}

/// Why a document is not a schema this registry can hold.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{at}: {message}")]
pub struct SchemaError {
    /// Where, as a JSON pointer into the document (`/properties/premium/type`).
    pub at: String,
    pub message: String,
}

/// Keywords that annotate and never constrain.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "id",
    "$id",
    "title",
    "description",
    "default",
    "examples",
    "$comment",
];

/// Formats this crate checks; other names are kept as annotations.
pub const CHECKED_FORMATS: &[&str] = &["date-time", "email", "uuid"];

impl Schema {
    /// Reads a Draft 4 document, refusing what this dialect does not hold.
    pub fn from_json(document: &Value) -> Result<Schema, SchemaError> {
        Schema::read(document, "")
    }

    fn read(value: &Value, at: &str) -> Result<Schema, SchemaError> {
        let refuse = |place: String, message: String| SchemaError {
            at: if place.is_empty() { "/".into() } else { place },
            message,
        };
        let Value::Object(m) = value else {
            return Err(refuse(
                at.into(),
                format!("a schema is a JSON object, not {}", JsonType::of(value)),
            ));
        };
        let mut schema = Schema {
            open: true,
            ..Schema::default()
        };
        for (key, v) in m {
            let here = format!("{at}/{key}");
            match key.as_str() {
                "type" => {
                    let names: Vec<&Value> = match v {
                        Value::Array(list) => list.iter().collect(),
                        one => vec![one],
                    };
                    let mut types = Vec::new();
                    for name in names {
                        let t = name.as_str().and_then(JsonType::parse).ok_or_else(|| {
                            refuse(
                                here.clone(),
                                format!(
                                    "{name} is not a JSON type (array, boolean, integer, number, null, object, string)"
                                ),
                            )
                        })?;
                        if !types.contains(&t) {
                            types.push(t);
                        }
                    }
                    types.sort();
                    schema.types = Some(types);
                }
                "format" => {
                    let name = v
                        .as_str()
                        .ok_or_else(|| refuse(here.clone(), "a format is a string".into()))?;
                    schema.format = Some(name.to_owned());
                }
                "enum" => {
                    let list = v.as_array().filter(|l| !l.is_empty()).ok_or_else(|| {
                        refuse(here.clone(), "enum is a list of at least one value".into())
                    })?;
                    if let Some(twice) = list
                        .iter()
                        .enumerate()
                        .find(|(i, v)| list[..*i].contains(v))
                    {
                        return Err(refuse(
                            here,
                            format!("enum lists {} twice; each value once", twice.1),
                        ));
                    }
                    schema.enumeration = Some(list.clone());
                }
                "properties" => {
                    let props = v.as_object().ok_or_else(|| {
                        refuse(here.clone(), "properties is an object of schemas".into())
                    })?;
                    for (name, inner) in props {
                        let place = format!("{here}/{}", pointer_escape(name));
                        schema
                            .properties
                            .insert(name.clone(), Schema::read(inner, &place)?);
                    }
                }
                "required" => {
                    let list = v.as_array().ok_or_else(|| {
                        refuse(here.clone(), "required is a list of property names".into())
                    })?;
                    for name in list {
                        let name = name.as_str().ok_or_else(|| {
                            refuse(here.clone(), format!("{name} is not a property name"))
                        })?;
                        if !schema.required.iter().any(|r| r == name) {
                            schema.required.push(name.to_owned());
                        }
                    }
                }
                "additionalProperties" => {
                    schema.open = v.as_bool().ok_or_else(|| {
                        refuse(
                            here.clone(),
                            "additionalProperties is true or false here (a schema for extra properties is not supported)".into(),
                        )
                    })?;
                }
                "items" => {
                    if v.is_array() {
                        return Err(refuse(
                            here,
                            "items is one schema here (tuple items are not supported)".into(),
                        ));
                    }
                    schema.items = Some(Box::new(Schema::read(v, &here)?));
                }
                "description" => schema.description = v.as_str().map(str::to_owned),
                k if ANNOTATIONS.contains(&k) => {}
                other => {
                    return Err(refuse(
                        here.clone(),
                        format!(
                            "the keyword \"{other}\" is not supported by Event Dojo's registry; it holds type, properties, required, additionalProperties, items, enum and format"
                        ),
                    ))
                }
            }
        }
        Ok(schema)
    }

    /// The schema as a Draft 4 document, without `$schema`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(d) = &self.description {
            m.insert("description".into(), json!(d));
        }
        match self.types.as_deref() {
            None => {}
            Some([one]) => {
                m.insert("type".into(), json!(one.name()));
            }
            Some(many) => {
                let names: Vec<&str> = many.iter().map(|t| t.name()).collect();
                m.insert("type".into(), json!(names));
            }
        }
        if let Some(f) = &self.format {
            m.insert("format".into(), json!(f));
        }
        if let Some(e) = &self.enumeration {
            m.insert("enum".into(), Value::Array(e.clone()));
        }
        if !self.properties.is_empty() {
            let props: Map<String, Value> = self
                .properties
                .iter()
                .map(|(k, s)| (k.clone(), s.to_json()))
                .collect();
            m.insert("properties".into(), Value::Object(props));
        }
        if !self.required.is_empty() {
            m.insert("required".into(), json!(self.required));
        }
        if !self.open {
            m.insert("additionalProperties".into(), json!(false));
        }
        if let Some(items) = &self.items {
            m.insert("items".into(), items.to_json());
        }
        Value::Object(m)
    }

    /// Whether the schema accepts values of type `t`.
    pub fn allows(&self, t: JsonType) -> bool {
        self.types
            .as_ref()
            .is_none_or(|list| list.iter().any(|&allowed| t.fits(allowed)))
    }

    pub fn is_required(&self, name: &str) -> bool {
        self.required.iter().any(|r| r == name)
    }

    /// The schema at a dotted field path (`customer.address.postcode`; `[]` steps into
    /// array items), if it describes one.
    pub fn at(&self, path: &str) -> Option<&Schema> {
        let mut here = self;
        for step in path_steps(path) {
            here = match step {
                Step::Field(name) => here.properties.get(name)?,
                Step::Items => here.items.as_deref()?,
            };
        }
        Some(here)
    }

    /// The same, to change it.
    pub fn at_mut(&mut self, path: &str) -> Option<&mut Schema> {
        let mut here = self;
        for step in path_steps(path) {
            here = match step {
                Step::Field(name) => here.properties.get_mut(name)?,
                Step::Items => here.items.as_deref_mut()?,
            };
        }
        Some(here)
    }

    /// Every field the schema names, as dotted paths, parents before children.
    pub fn field_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_paths("", &mut out);
        out
    }

    fn collect_paths(&self, prefix: &str, out: &mut Vec<String>) {
        for (name, inner) in &self.properties {
            let path = join(prefix, name);
            out.push(path.clone());
            inner.collect_paths(&path, out);
        }
        if let Some(items) = &self.items {
            items.collect_paths(&format!("{prefix}[]"), out);
        }
    }
}

/// One step of a dotted field path.
#[derive(Clone, Copy)]
pub(crate) enum Step<'a> {
    Field(&'a str),
    Items,
}

/// `a.b[].c` → Field(a), Field(b), Items, Field(c).
pub(crate) fn path_steps(path: &str) -> impl Iterator<Item = Step<'_>> {
    path.split('.')
        .filter(|s| !s.is_empty())
        .flat_map(|segment| {
            let name = segment.trim_end_matches("[]");
            let items = (segment.len() - name.len()) / 2;
            std::iter::once(Step::Field(name))
                .filter(|s| !matches!(s, Step::Field("")))
                .chain(std::iter::repeat_n(Step::Items, items))
        })
}

/// A dotted path's parent and last name: `premium.currency` → (`premium`, `currency`);
/// a top-level field's parent is `""`.
pub fn split_path(path: &str) -> (&str, &str) {
    path.rsplit_once('.').unwrap_or(("", path))
}

/// `prefix.name`, or `name` at the top.
pub(crate) fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn pointer_escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The schema of a whole document with `$schema` and a title, as exported.
pub fn draft4_document(title: &str, schema: &Schema) -> Value {
    crate::discovery::titled_draft4(title, schema.to_json())
}

#[cfg(test)]
mod tests;
