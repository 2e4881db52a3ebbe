//! The published format of a design: a JSON Schema (`docs/design.schema.json`) derived
//! from the same types that read designs, so the two cannot disagree. The CLI writes it
//! (`dojo schema`, from `exercise::design_schema` with this crate's `schema` feature)
//! and a test fails when the file is out of date. Editors outside the app can validate against it; inside the app,
//! [`fields_at`] reads it to say what a place in a design takes and what each field
//! means, when `wording` explains a mistake.

use serde_json::Value;

/// The schema as published, built into the engine.
pub const TEXT: &str = include_str!("../../docs/design.schema.json");

/// One field a place in a design takes: its name and, where the type documents it,
/// what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDoc {
    pub name: String,
    pub description: Option<String>,
}

fn schema() -> &'static Value {
    static PARSED: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(TEXT).expect("the built-in schema is JSON"))
}

/// Follows `$ref`s into `$defs`.
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        {
            Some(name) => node = &root["$defs"][name],
            None => break,
        }
    }
    node
}

/// The node and the sub-schemas it combines (`anyOf`, `oneOf`, `allOf`), resolved: an
/// `Option<T>` is "T or null", an enum one of its variants.
fn alternatives<'a>(root: &'a Value, node: &'a Value) -> Vec<&'a Value> {
    let node = resolve(root, node);
    let mut out = vec![node];
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(list) = node.get(key).and_then(Value::as_array) {
            for sub in list {
                out.extend(alternatives(root, sub));
            }
        }
    }
    out
}

/// The steps of a serde path: `topology.Queues[0].RedrivePolicy` →
/// `topology`, `Queues`, `[]`, `RedrivePolicy`.
fn steps(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(&rest[..i]);
            }
            rest = &rest[i..];
            while rest.starts_with('[') {
                out.push("[]");
                rest = rest.find(']').map_or("", |j| &rest[j + 1..]);
            }
        } else {
            out.push(rest);
        }
    }
    out
}

fn walk<'a>(root: &'a Value, start: &'a Value, path: &str) -> Option<Vec<&'a Value>> {
    let mut here = alternatives(root, start);
    for step in steps(path) {
        let next: Vec<&Value> = here
            .iter()
            .filter_map(|n| {
                if step == "[]" {
                    n.get("items")
                } else {
                    // An older design's `queues` is the schema's `Queues`.
                    let loose = |name: &str| name.to_lowercase().replace('_', "");
                    let props = n.get("properties").and_then(Value::as_object)?;
                    props.get(step).or_else(|| {
                        props
                            .iter()
                            .find(|(name, _)| loose(name) == loose(step))
                            .map(|(_, v)| v)
                    })
                }
            })
            .collect();
        let first = next.first()?;
        here = alternatives(root, first);
    }
    Some(here)
}

/// The fields of the object at `path` in a design, of a topology or of a scenario (the
/// roots the app reads), for the first root where the path leads to an object whose
/// fields all appear in `allowed` (the names serde expected there, which include the
/// older aliases). None when the schema does not know the place.
pub fn fields_at(path: &str, allowed: &[String]) -> Option<Vec<FieldDoc>> {
    let root = schema();
    let roots = [root, &root["$defs"]["Topology"], &root["$defs"]["Scenario"]];
    roots.into_iter().find_map(|start| {
        let nodes = walk(root, start, path)?;
        let mut fields: Vec<FieldDoc> = Vec::new();
        for n in nodes {
            if let Some(props) = n.get("properties").and_then(Value::as_object) {
                for (name, p) in props {
                    if fields.iter().all(|f| f.name != *name) {
                        let description = alternatives(root, p)
                            .iter()
                            .chain(std::iter::once(&p))
                            .find_map(|x| x.get("description").and_then(Value::as_str))
                            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "));
                        fields.push(FieldDoc {
                            name: name.clone(),
                            description,
                        });
                    }
                }
            }
        }
        let fits = !fields.is_empty() && fields.iter().all(|f| allowed.contains(&f.name));
        fits.then_some(fields)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_schema_names_each_place_s_fields() {
        // The file is read, and knows a queue's AWS names.
        let allowed: Vec<String> = [
            "QueueName",
            "name",
            "VisibilityTimeout",
            "visibility_timeout_s",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert!(
            fields_at("topology.Queues[0]", &allowed).is_none(),
            "too few allowed"
        );
        let all: Vec<String> = serde_json::from_str::<Value>(TEXT).expect("json")["$defs"]
            ["QueueConfig"]["properties"]
            .as_object()
            .expect("a queue's properties")
            .keys()
            .cloned()
            .collect();
        let fields = fields_at("topology.Queues[0]", &all).expect("a queue");
        assert_eq!(fields[0].name, "QueueName");
        assert!(fields.iter().any(|f| f.name == "VisibilityTimeout"));
        // The same place read as a topology on its own.
        assert_eq!(fields_at("Queues[3]", &all), Some(fields));
    }
}
