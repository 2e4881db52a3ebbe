//! The visual editor of a schema exercise's design: the new version's fields (type,
//! required, remove, add) and the upcaster, one step per line. Every change is checked
//! before it is made; a refused one says why and changes nothing.

use crate::features::lab::Notice;
use dojo_engine::evolution::Proposal;
use dojo_engine::exercise::Evolution;
use dojo_engine::schemas::upcaster::Upcaster;
use dojo_engine::schemas::{split_path, JsonType, Schema};
use leptos::prelude::*;

/// Types a field can be given here.
const TYPES: [JsonType; 6] = [
    JsonType::String,
    JsonType::Integer,
    JsonType::Number,
    JsonType::Boolean,
    JsonType::Object,
    JsonType::Array,
];

/// One change to the new version's fields.
enum FieldChange {
    Required(bool),
    Type(JsonType),
    Remove,
}

/// The schema with `change` made to the field at `path`: the type and removal through
/// the evolution lab's own [`Proposal`]s, `required` here (no proposal toggles it).
fn changed(schema: &Schema, path: &str, change: &FieldChange) -> Result<Schema, String> {
    if schema.at(path).is_none() {
        return Err(format!("the new version has no field `{path}`"));
    }
    let proposal = match change {
        FieldChange::Type(t) => Proposal::Retype {
            path: path.to_owned(),
            to: *t,
        },
        FieldChange::Remove => Proposal::Remove {
            path: path.to_owned(),
        },
        FieldChange::Required(required) => {
            let mut out = schema.clone();
            let (parent, name) = split_path(path);
            let parent = out
                .at_mut(parent)
                .ok_or_else(|| format!("the new version has no object at `{parent}`"))?;
            parent.required.retain(|r| r != name);
            if *required {
                parent.required.push(name.to_owned());
            }
            return Ok(out);
        }
    };
    proposal.apply(schema).map_err(|e| e.0)
}

/// The schema with a new field at `path` (through the evolution lab's [`Proposal`]).
fn added(schema: &Schema, path: &str, of: JsonType, required: bool) -> Result<Schema, String> {
    let valid = !path.is_empty()
        && path.split('.').all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        });
    if !valid {
        return Err(format!(
            "{path:?} is not a field name: letters, digits, '_' and '-', with dots between the names of nested fields"
        ));
    }
    let (parent, _) = split_path(path);
    if schema.at(parent).is_none() {
        return Err(format!(
            "the new version has no object at `{parent}`: add it first, of type object"
        ));
    }
    let path = path.to_owned();
    let proposal = if required {
        // The value old events get is the upcaster's business, not the schema's.
        Proposal::AddRequired {
            path,
            of,
            default: serde_json::Value::Null,
        }
    } else {
        Proposal::AddOptional { path, of }
    };
    proposal.apply(schema).map_err(|e| e.0)
}

#[component]
pub(crate) fn EvolutionForm(
    evolution: Signal<Evolution>,
    on_change: Callback<Evolution>,
    notice: Notice,
) -> impl IntoView {
    let schema = Memo::new(move |_| evolution.with(|e| Schema::from_json(&e.schema)));
    let apply = move |next: Result<Schema, String>, said: String| match next {
        Ok(s) => {
            let mut e = evolution.get_untracked();
            e.schema = s.to_json();
            on_change.run(e);
            notice.set(Some(Ok(said)));
        }
        Err(why) => notice.set(Some(Err(format!("{why}. Nothing changed.")))),
    };
    let change = move |path: String, c: FieldChange| {
        let said = match &c {
            FieldChange::Required(true) => format!("`{path}` is now required."),
            FieldChange::Required(false) => format!("`{path}` is now optional."),
            FieldChange::Type(t) => format!("`{path}` is now of type {t}."),
            FieldChange::Remove => format!("Removed `{path}`."),
        };
        let next = schema
            .get_untracked()
            .map_err(|e| e.to_string())
            .and_then(|s| changed(&s, &path, &c));
        apply(next, said);
    };
    let rows = move || {
        let Ok(s) = schema.get() else {
            return view! { <p class="muted">"The new version in the JSON below is not a schema the registry holds; fix it there."</p> }.into_any();
        };
        let paths: Vec<String> = s
            .field_paths()
            .into_iter()
            .filter(|p| !p.contains("[]"))
            .collect();
        view! {
            <table data-testid="evolution-fields">
                <caption class="visually-hidden">"The new version's fields"</caption>
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Type"</th><th scope="col">"Required"</th><th scope="col"><span class="visually-hidden">"Remove"</span></th></tr></thead>
                <tbody>
                {paths.into_iter().map(|path| {
                    let (parent, name) = split_path(&path);
                    let field = s.at(&path).cloned().unwrap_or_default();
                    let required = s.at(parent).is_some_and(|p| p.is_required(name));
                    let current = field.types.as_deref().and_then(|t| t.first().copied());
                    let (p1, p2, p3) = (path.clone(), path.clone(), path.clone());
                    view! {
                        <tr data-testid="evolution-field">
                            <th scope="row"><code>{path.clone()}</code></th>
                            <td>
                                <select aria-label=format!("Type of {path}") data-testid="evolution-field-type" on:change=move |ev| {
                                    if let Some(t) = JsonType::parse(&event_target_value(&ev)) { change(p1.clone(), FieldChange::Type(t)) }
                                }>
                                    {TYPES.into_iter().map(|t| view! { <option value=t.name() selected=current == Some(t)>{t.name()}</option> }).collect_view()}
                                </select>
                            </td>
                            <td><input type="checkbox" aria-label=format!("{path} is required") data-testid="evolution-field-required" prop:checked=required
                                on:change=move |ev| change(p2.clone(), FieldChange::Required(event_target_checked(&ev)))/></td>
                            <td><button type="button" class="secondary" aria-label=format!("Remove {path}") data-testid="evolution-field-remove"
                                on:click=move |_| change(p3.clone(), FieldChange::Remove)>"Remove"</button></td>
                        </tr>
                    }
                }).collect_view()}
                </tbody>
            </table>
        }.into_any()
    };
    // A new field.
    let new_path = RwSignal::new(String::new());
    let new_type = RwSignal::new(JsonType::String);
    let new_required = RwSignal::new(false);
    let add = move |_| {
        let path = new_path.get_untracked().trim().to_owned();
        let next = schema
            .get_untracked()
            .map_err(|e| e.to_string())
            .and_then(|s| {
                added(
                    &s,
                    &path,
                    new_type.get_untracked(),
                    new_required.get_untracked(),
                )
            });
        let ok = next.is_ok();
        apply(next, format!("Added `{path}`."));
        if ok {
            new_path.set(String::new());
        }
    };
    // The upcaster, one step per line, saved when the field is left.
    let upcaster_text = Memo::new(move |_| evolution.with(|e| e.upcaster.join("\n")));
    let save_upcaster = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if text == upcaster_text.get_untracked() {
            return;
        }
        match Upcaster::parse(&text) {
            Ok(_) => {
                let mut e = evolution.get_untracked();
                e.upcaster = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect();
                let n = e.upcaster.len();
                on_change.run(e);
                notice.set(Some(Ok(format!("Saved the upcaster: {n} step(s)."))));
            }
            Err(e) => notice.set(Some(Err(format!("The upcaster's {e}. Nothing changed.")))),
        }
    };
    view! {
        <fieldset class="lab-form evolution-form">
            <legend>"The new version's fields"</legend>
            {rows}
            <div class="inline-fields">
                <div class="field">
                    <label for="evolution-new-path">"New field"</label>
                    <input id="evolution-new-path" data-testid="evolution-new-path" placeholder="premium.currency"
                        prop:value=move || new_path.get() on:input=move |ev| new_path.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="evolution-new-type">"Type"</label>
                    <select id="evolution-new-type" data-testid="evolution-new-type" on:change=move |ev| {
                        if let Some(t) = JsonType::parse(&event_target_value(&ev)) { new_type.set(t) }
                    }>
                        {TYPES.into_iter().map(|t| view! { <option value=t.name() prop:selected=move || new_type.get() == t>{t.name()}</option> }).collect_view()}
                    </select>
                </div>
                <label class="checkbox"><input type="checkbox" data-testid="evolution-new-required" prop:checked=move || new_required.get()
                    on:change=move |ev| new_required.set(event_target_checked(&ev))/>" Required"</label>
                <button type="button" class="secondary" data-testid="evolution-add" on:click=add>"Add field"</button>
            </div>
        </fieldset>
        <fieldset class="lab-form evolution-form">
            <legend>"Upcaster"</legend>
            <label for="evolution-upcaster" class="muted">"One step per line: rename A to B, remove A, default A = JSON, set A = JSON, retype A to string|number|integer|boolean. Saved when you leave the field."</label>
            <textarea id="evolution-upcaster" class="upcaster" rows="4" spellcheck="false" data-testid="evolution-upcaster"
                prop:value=move || upcaster_text.get() on:change=save_upcaster></textarea>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Schema {
        Schema::from_json(&json!({"type": "object", "properties": {
            "a": {"type": "integer"},
            "p": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}
        }, "required": ["a", "p"]}))
        .expect("a schema")
    }

    #[test]
    fn fields_change_one_at_a_time_and_a_bad_change_says_why() {
        let s = changed(&schema(), "a", &FieldChange::Required(false)).expect("a exists");
        assert!(!s.is_required("a"));
        let s = changed(&s, "p.x", &FieldChange::Type(JsonType::Integer)).expect("p.x exists");
        assert_eq!(
            s.at("p.x").and_then(|x| x.types.clone()),
            Some(vec![JsonType::Integer])
        );
        let s = added(&s, "p.currency", JsonType::String, true).expect("a new nested field");
        assert!(s.at("p").is_some_and(|p| p.is_required("currency")));
        assert_eq!(
            added(&s, "p.currency", JsonType::String, true).err(),
            Some("`p.currency` is already a field".into())
        );
        assert!(added(&s, "q.z", JsonType::String, false)
            .expect_err("no q")
            .contains("add it first"));
        assert!(added(&s, "bad name", JsonType::String, false).is_err());
        let s = changed(&s, "p", &FieldChange::Remove).expect("p exists");
        assert!(s.at("p").is_none() && !s.is_required("p"));
        assert_eq!(
            changed(&s, "nope", &FieldChange::Remove).err(),
            Some("the new version has no field `nope`".into())
        );
    }
}
