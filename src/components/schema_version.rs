//! Which schema version an event was written in, and how consumers on the latest version
//! read it: for each registry that holds its type, the newest version the event fits,
//! and when that is not the latest, the upcasters it passes through and what comes out.
//! Shown on an event's page and at the workshop debugger's cursor.

use crate::state::use_store;
use dojo_engine::schemas::registry::Registries;
use leptos::prelude::*;
use serde_json::Value;

/// One registry's reading of an event.
#[derive(Clone, Debug, PartialEq)]
struct Reading {
    registry: String,
    latest: u32,
    /// The newest version the event fits, if any.
    written_in: Option<u32>,
    /// Through the upcasters to the latest: the versions passed and the data, or why not.
    upcast: Option<Result<(Vec<u32>, Value), String>>,
}

fn readings(registries: &Registries, name: &str, data: &Value) -> Vec<Reading> {
    registries
        .registries
        .iter()
        .filter_map(|(registry, schemas)| {
            let reader = schemas.get(name)?.reader();
            let latest = Some(reader.latest()).filter(|v| *v > 0)?;
            let written_in = reader.version_of(data);
            let upcast = written_in.filter(|v| *v < latest).map(|v| {
                reader
                    .upcast(v, data)
                    .map(|(value, passed)| (passed, value))
            });
            Some(Reading {
                registry: registry.clone(),
                latest,
                written_in,
                upcast,
            })
        })
        .collect()
}

fn sentence(name: &str, r: &Reading) -> String {
    match (r.written_in, &r.upcast) {
        (None, _) => format!(
            "Fits no version of {name} in {} (latest v{}).",
            r.registry, r.latest
        ),
        (Some(v), None) => format!(
            "Written in {name} v{v} of {}, the latest: read as it is.",
            r.registry
        ),
        (Some(v), Some(Ok((passed, _)))) => {
            let steps: Vec<String> = passed.iter().map(|p| format!("v{}→v{p}", p - 1)).collect();
            format!(
                "Written in {name} v{v} of {}: upcast to v{} for consumers on the latest ({}).",
                r.registry,
                r.latest,
                steps.join(", ")
            )
        }
        (Some(v), Some(Err(why))) => format!(
            "Written in {name} v{v} of {}; consumers on v{} cannot read it: {why}.",
            r.registry, r.latest
        ),
    }
}

/// The schema versions an event of schema `name` with `data` is written in and read as.
/// Nothing when no registry holds `name`.
#[component]
pub fn SchemaVersionNote(#[prop(into)] name: String, data: Value) -> impl IntoView {
    let schemas = use_store().schemas;
    move || {
        let list = schemas.with(|s| readings(s, &name, &data));
        (!list.is_empty()).then(|| {
            view! {
                <div class="schema-version" data-testid="schema-version">
                    {list.iter().map(|r| {
                        let upcast = match &r.upcast {
                            Some(Ok((_, value))) => Some(serde_json::to_string_pretty(value).unwrap_or_default()),
                            _ => None,
                        };
                        view! {
                            <p class:broken-item=r.written_in.is_none()>{sentence(&name, r)}</p>
                            {upcast.map(|text| view! {
                                <details class="event-data"><summary>"As the latest version reads it"</summary>
                                    <pre class="json" tabindex="0" aria-label="The event after upcasting">{text}</pre>
                                </details>
                            })}
                        }
                    }).collect_view()}
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dojo_engine::schemas::compat::Mode;
    use dojo_engine::schemas::registry::Origin;
    use serde_json::json;

    #[test]
    fn an_old_event_is_read_through_the_upcasters_and_said_so() {
        let mut reg = Registries::default();
        let at = "2026-12-06T10:00:00Z";
        let v1 =
            json!({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]});
        let v2 =
            json!({"type": "object", "properties": {"b": {"type": "integer"}}, "required": ["b"]});
        reg.register("mine", "T", &v1, Origin::Written, at)
            .expect("v1");
        reg.entry_mut("mine", "T").expect("kept").compatibility = Mode::None;
        reg.register("mine", "T", &v2, Origin::Written, at)
            .expect("v2");
        let found = readings(&reg, "T", &json!({"a": 1}));
        assert_eq!(
            sentence("T", &found[0]),
            "Written in T v1 of mine; consumers on v2 cannot read it: no upcaster from v1 to v2."
        );
        reg.entry_mut("mine", "T")
            .expect("kept")
            .upcasters
            .insert(1, "rename a to b".into());
        let found = readings(&reg, "T", &json!({"a": 1}));
        assert_eq!(
            sentence("T", &found[0]),
            "Written in T v1 of mine: upcast to v2 for consumers on the latest (v1→v2)."
        );
        assert_eq!(found[0].upcast, Some(Ok((vec![2], json!({"b": 1})))));
        assert_eq!(
            sentence("T", &readings(&reg, "T", &json!({"b": 1}))[0]),
            "Written in T v2 of mine, the latest: read as it is."
        );
        assert_eq!(
            sentence("T", &readings(&reg, "T", &json!({}))[0]),
            "Fits no version of T in mine (latest v2)."
        );
        assert!(readings(&reg, "U", &json!({})).is_empty());
    }
}
