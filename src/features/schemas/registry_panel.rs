//! The registry: its registries and schemas; for the schema picked, its versions with
//! their dates and origins, its compatibility and validation modes, the diff between any
//! two versions, a version as JSON Schema, OpenAPI, TypeScript or Rust (shown and
//! downloadable), and a new version written or imported by hand, refused with the reason
//! per field when it breaks the mode.

use super::{all_schemas, Picked};
use crate::components::files::{chosen_file_text, download};
use crate::components::ErrorView;
use crate::state::{use_store, StoreContext};
use dojo_engine::schemas::compat::Mode;
use dojo_engine::schemas::registry::{Entry, Origin, Registered, Validation};
use dojo_engine::schemas::{bindings, draft4_document, Schema};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

/// The picked schema's entry, if it is still there (tracked).
fn picked_entry(picked: Picked) -> Option<Entry> {
    let ctx = picked.store();
    let (r, n) = (picked.registry.get(), picked.name.get());
    ctx.schemas.with(|s| s.entry(&r, &n).cloned())
}

#[component]
pub fn RegistryPanel() -> impl IntoView {
    let ctx = use_store();
    let picked = expect_context::<Picked>();
    let schemas = Memo::new(move |_| ctx.schemas.with(all_schemas));
    let has_entry = Memo::new(move |_| picked_entry(picked).is_some());
    view! {
        <section class="panel" aria-labelledby="schemas-registry">
            <h2 id="schemas-registry">"2. Registry"</h2>
            <p class="panel-intro">"Each schema keeps its versions. A new version must keep the schema's compatibility mode, or it is refused with the reason per field. Validation decides what publishing does with an event that does not fit the latest version: nothing (off), write it with a warning (warn), or refuse it before anything is written (enforce)."</p>
            <div class="registry-grid">
                <nav aria-label="Schemas in the registry" data-testid="schema-list">
                    {move || {
                        let list = schemas.get();
                        if list.is_empty() {
                            return view! { <p class="empty-state" data-testid="registry-empty">"The registry is empty. Discover schemas above and register them, or write one below."</p> }.into_any();
                        }
                        let mut by_registry: Vec<(String, Vec<String>)> = Vec::new();
                        for (r, n) in list {
                            match by_registry.last_mut() {
                                Some((last, names)) if *last == r => names.push(n),
                                _ => by_registry.push((r, vec![n])),
                            }
                        }
                        by_registry.into_iter().map(|(registry, names)| {
                            let items = names.into_iter().map(|name| {
                                let (r, n) = (registry.clone(), name.clone());
                                let (r2, n2) = (registry.clone(), name.clone());
                                let current = move || picked.registry.get() == r2 && picked.name.get() == n2;
                                view! {
                                    <li>
                                        <button type="button" class="link-button" data-testid="schema-pick"
                                            aria-current=move || current().then_some("true")
                                            on:click=move |_| picked.pick(&r, &n)>{name}</button>
                                    </li>
                                }
                            }).collect_view();
                            view! {
                                <h3 class="registry-name">{registry}</h3>
                                <ul class="schema-names">{items}</ul>
                            }
                        }).collect_view().into_any()
                    }}
                </nav>
                <div>
                    // Drawn again only when a schema appears or goes, not on each change to it.
                    {move || has_entry.get().then(|| view! { <SchemaDetail/> })}
                </div>
            </div>
            <NewSchemaForm/>
        </section>
    }
}

/// The picked schema.
#[component]
fn SchemaDetail() -> impl IntoView {
    let picked = expect_context::<Picked>();
    let entry = Memo::new(move |_| picked_entry(picked).unwrap_or_default());
    let change = move |f: Box<dyn FnOnce(&mut Entry)>| {
        let (r, n) = (picked.registry.get_untracked(), picked.name.get_untracked());
        picked.store().update_schemas(|s| {
            if let Some(e) = s.entry_mut(&r, &n) {
                f(e);
            }
        });
    };
    let set_mode = move |ev: leptos::ev::Event| {
        if let Some(m) = Mode::parse(&event_target_value(&ev)) {
            change(Box::new(move |e| e.compatibility = m));
        }
    };
    let set_validation = move |ev: leptos::ev::Event| {
        if let Some(v) = Validation::parse(&event_target_value(&ev)) {
            change(Box::new(move |e| e.validation = v));
        }
    };
    view! {
        <h3 class="schema-title" data-testid="schema-title">
            {move || picked.name.get()}<span class="muted">{move || format!(" in {}", picked.registry.get())}</span>
        </h3>
        <div class="mode-row">
            <div class="field">
                <label for="schema-compat">"Compatibility"</label>
                <select id="schema-compat" data-testid="schema-compat" on:change=set_mode>
                    {Mode::ALL.into_iter().map(|m| view! {
                        <option value=m.name() prop:selected=move || entry.get().compatibility == m>{m.name()}</option>
                    }).collect_view()}
                </select>
                <p class="field-hint">{move || entry.get().compatibility.promise()}</p>
            </div>
            <div class="field">
                <label for="schema-validation">"Validation at publish"</label>
                <select id="schema-validation" data-testid="schema-validation" on:change=set_validation>
                    {Validation::ALL.into_iter().map(|v| view! {
                        <option value=v.name() prop:selected=move || entry.get().validation == v>{v.name()}</option>
                    }).collect_view()}
                </select>
                <p class="field-hint">{move || match entry.get().validation {
                    Validation::Off => "Events of this type are not checked when published.",
                    Validation::Warn => "An event that does not fit the latest version is written, and a warning says why.",
                    Validation::Enforce => "An event that does not fit the latest version is refused before anything is written: from the publish form, the console, imports and the classroom.",
                }}</p>
            </div>
        </div>
        <VersionsTable entry=entry/>
        <VersionDiff entry=entry/>
        <VersionView entry=entry/>
        <AddVersion entry=entry/>
    }
}

#[component]
fn VersionsTable(entry: Memo<Entry>) -> impl IntoView {
    view! {
        <table data-testid="schema-versions">
            <caption class="visually-hidden">"Versions"</caption>
            <thead><tr>
                <th scope="col">"Version"</th><th scope="col">"Registered"</th><th scope="col">"Origin"</th>
                <th scope="col">"Fields"</th><th scope="col">"Old events read through"</th>
            </tr></thead>
            <tbody>
                {move || {
                    let e = entry.get();
                    e.versions.iter().map(|v| {
                        let fields = v.schema().field_paths().len();
                        let upcaster = e.upcasters.get(&(v.version.saturating_sub(1)))
                            .filter(|_| v.version > 1)
                            .map(|_| format!("an upcaster from v{}", v.version - 1))
                            .unwrap_or_default();
                        view! {
                            <tr data-testid="schema-version-row">
                                <th scope="row">{format!("v{}", v.version)}</th>
                                <td>{v.created.replace('T', " ").trim_end_matches('Z').split('.').next().unwrap_or_default().to_owned()}</td>
                                <td>{v.origin.name()}</td>
                                <td class="num">{fields}</td>
                                <td>{upcaster}</td>
                            </tr>
                        }
                    }).collect_view()
                }}
            </tbody>
        </table>
    }
}

/// A `<select>` of the entry's versions.
#[component]
fn VersionPick(
    entry: Memo<Entry>,
    value: RwSignal<u32>,
    id: &'static str,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <select id=id data-testid=testid on:change=move |ev| {
            if let Ok(v) = event_target_value(&ev).parse() { value.set(v) }
        }>
            {move || entry.get().versions.iter().map(|v| {
                let n = v.version;
                view! { <option value=n.to_string() prop:selected=move || value.get() == n>{format!("v{n}")}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
fn VersionDiff(entry: Memo<Entry>) -> impl IntoView {
    let from = RwSignal::new(0u32);
    let to = RwSignal::new(0u32);
    // The newest pair by default, and again whenever the versions change.
    Effect::new(move |_| {
        let latest = entry.with(|e| e.versions.len() as u32);
        to.set(latest);
        from.set(latest.saturating_sub(1).max(1));
    });
    view! {
        <h4>"What changed"</h4>
        {move || (entry.with(|e| e.versions.len()) < 2).then(|| view! {
            <p class="muted" data-testid="schema-diff-single">"One version so far: register another to compare them."</p>
        })}
        <div class="inline-fields" hidden=move || entry.with(|e| e.versions.len()) < 2>
            <label for="diff-from">"From"</label>
            <VersionPick entry=entry value=from id="diff-from" testid="diff-from"/>
            <label for="diff-to">"to"</label>
            <VersionPick entry=entry value=to id="diff-to" testid="diff-to"/>
        </div>
        {move || {
            let changes = entry.with(|e| e.diff(from.get(), to.get())).unwrap_or_default();
            if entry.with(|e| e.versions.len()) < 2 {
                return ().into_any();
            }
            if changes.is_empty() {
                return view! { <p class="muted" data-testid="schema-diff">"No change."</p> }.into_any();
            }
            view! {
                <ul class="change-list" data-testid="schema-diff">
                    {changes.into_iter().map(|c| view! {
                        <li><span class=format!("change-kind {}", c.kind().replace(' ', "-"))>{c.kind()}</span>" "{c.to_string()}</li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

/// The forms a version can be shown in.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    Draft4,
    OpenApi,
    TypeScript,
    Rust,
}

impl Form {
    const ALL: [Form; 4] = [Form::Draft4, Form::OpenApi, Form::TypeScript, Form::Rust];

    fn label(self) -> &'static str {
        match self {
            Form::Draft4 => "JSON Schema (Draft 4)",
            Form::OpenApi => "OpenAPI 3",
            Form::TypeScript => "TypeScript types",
            Form::Rust => "Rust structs (serde)",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Form::Draft4 => "draft4",
            Form::OpenApi => "openapi",
            Form::TypeScript => "typescript",
            Form::Rust => "rust",
        }
    }

    /// The file name's ending and the MIME type.
    fn file(self) -> (&'static str, &'static str) {
        match self {
            Form::Draft4 => ("schema.json", "application/schema+json"),
            Form::OpenApi => ("openapi.json", "application/json"),
            Form::TypeScript => ("ts", "text/plain"),
            Form::Rust => ("rs", "text/plain"),
        }
    }

    fn text(self, name: &str, version: u32, schema: &Schema) -> String {
        let pretty = |v: &Value| serde_json::to_string_pretty(v).expect("a schema is JSON");
        match self {
            Form::Draft4 => pretty(&draft4_document(name, schema)),
            Form::OpenApi => pretty(&dojo_engine::discovery::openapi3_document(
                name,
                version,
                &schema.to_json(),
            )),
            Form::TypeScript => bindings::typescript(name, version, schema),
            Form::Rust => bindings::rust(name, version, schema),
        }
    }
}

/// A file name's part for a schema name: `dojo.lab@OrderPlaced` → `dojo.lab-OrderPlaced`.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[component]
fn VersionView(entry: Memo<Entry>) -> impl IntoView {
    let picked = expect_context::<Picked>();
    let version = RwSignal::new(0u32);
    let form = RwSignal::new(Form::Draft4);
    Effect::new(move |_| version.set(entry.with(|e| e.versions.len() as u32)));
    let text = Memo::new(move |_| {
        let name = picked.name.get();
        entry.with(|e| {
            e.version(version.get())
                .map(|v| form.get().text(&name, v.version, &v.schema()))
                .unwrap_or_default()
        })
    });
    let failed = RwSignal::new(None::<String>);
    let save = move |_| {
        let (ending, mime) = form.get_untracked().file();
        let name = format!(
            "{}-v{}.{ending}",
            file_stem(&picked.name.get_untracked()),
            version.get_untracked()
        );
        failed.set(download(&name, mime, &text.get_untracked()).err());
    };
    view! {
        <h4>"A version, as a document or as code"</h4>
        <div class="inline-fields">
            <label for="view-version">"Version"</label>
            <VersionPick entry=entry value=version id="view-version" testid="view-version"/>
            <label for="view-form">"as"</label>
            <select id="view-form" data-testid="view-form" on:change=move |ev| {
                let key = event_target_value(&ev);
                if let Some(f) = Form::ALL.into_iter().find(|f| f.key() == key) { form.set(f) }
            }>
                {Form::ALL.into_iter().map(|f| view! {
                    <option value=f.key() prop:selected=move || form.get() == f>{f.label()}</option>
                }).collect_view()}
            </select>
            <button type="button" class="secondary" data-testid="view-download" on:click=save>"Download"</button>
        </div>
        <pre class="json" data-testid="view-text" tabindex="0" aria-label="The version's text">{move || text.get()}</pre>
        {move || failed.get().map(|e| view! { <ErrorView title="Could not download" message=e/> })}
    }
}

/// Registers `text` as the next version of `name` in `registry`: a message saying what
/// happened, or why nothing did.
fn register_text(
    ctx: &StoreContext,
    registry: &str,
    name: &str,
    text: &str,
    origin: Origin,
) -> Result<String, String> {
    if name.trim().is_empty() {
        return Err("Give the schema a name: the event type it describes, for example QuoteIssued, or source@detail-type for a bus event.".into());
    }
    let document: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "The schema is not JSON: {e} (line {}, column {}).",
            e.line(),
            e.column()
        )
    })?;
    let mut next = ctx.schemas.get_untracked();
    match next
        .register(
            registry.trim(),
            name.trim(),
            &document,
            origin,
            &crate::browser::now_rfc3339(),
        )
        .map_err(|e| e.to_string())?
    {
        Registered::New(v) => {
            ctx.update_schemas(|r| *r = next);
            Ok(format!(
                "Registered {} v{v} in {}.",
                name.trim(),
                registry.trim()
            ))
        }
        Registered::Same(v) => Ok(format!("v{v} is already this schema; nothing changed.")),
    }
}

/// Reads the file chosen in the input that fired `ev` into `text`, then registers it as
/// imported (`submit`); a file that cannot be read is the outcome.
fn import_file(
    ev: &leptos::ev::Event,
    text: RwSignal<String>,
    outcome: RwSignal<Option<Result<String, String>>>,
    submit: impl Fn(Origin) + 'static,
) {
    let Some(reading) = chosen_file_text(ev) else {
        return;
    };
    spawn_local(async move {
        match reading.await {
            Ok(t) => {
                text.set(t);
                submit(Origin::Imported);
            }
            Err(e) => outcome.set(Some(Err(e))),
        }
    });
}

#[component]
fn AddVersion(entry: Memo<Entry>) -> impl IntoView {
    let picked = expect_context::<Picked>();
    let text = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    // Starts from the latest version whenever another schema is picked (a version just
    // registered keeps its message).
    Effect::new(move |_| {
        let _ = (picked.registry.get(), picked.name.get());
        let latest = entry.with_untracked(|e| e.latest().map(|v| v.document.clone()));
        text.set(
            latest
                .map(|d| serde_json::to_string_pretty(&d).expect("JSON"))
                .unwrap_or_default(),
        );
        outcome.set(None);
    });
    let submit = move |origin: Origin| {
        outcome.set(Some(register_text(
            &picked.store(),
            &picked.registry.get_untracked(),
            &picked.name.get_untracked(),
            &text.get_untracked(),
            origin,
        )));
    };
    let import = move |ev: leptos::ev::Event| import_file(&ev, text, outcome, submit);
    view! {
        <h4>"Register a new version"</h4>
        <p class="field-hint">"Edit the latest version (JSON Schema Draft 4: type, properties, required, additionalProperties, items, enum, format) or import a file, then register it. It is checked against the compatibility mode first."</p>
        <label class="visually-hidden" for="new-version-text">"The new version's JSON Schema"</label>
        <textarea id="new-version-text" class="code-input" rows="10" spellcheck="false" data-testid="new-version-text"
            prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
        <div class="form-actions">
            <button type="button" class="primary" data-testid="new-version-register" on:click=move |_| submit(Origin::Written)>"Register version"</button>
            <label class="button-like secondary" for="new-version-import">"Import a schema file…"</label>
            <input id="new-version-import" type="file" accept=".json,application/json" class="visually-hidden" data-testid="new-version-import" on:change=import/>
        </div>
        {move || outcome.get().map(|r| match r {
            Ok(t) => view! { <p class="form-status" role="status" data-testid="new-version-status">{t}</p> }.into_any(),
            Err(e) => view! { <ErrorView title="Not registered" message=e hint="Nothing changed in the registry."/> }.into_any(),
        })}
    }
}

/// A new schema, written or imported.
#[component]
fn NewSchemaForm() -> impl IntoView {
    let picked = expect_context::<Picked>();
    let registry = RwSignal::new("my-schemas".to_owned());
    let name = RwSignal::new(String::new());
    let text = RwSignal::new(
        "{\n  \"type\": \"object\",\n  \"properties\": {},\n  \"required\": []\n}".to_owned(),
    );
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let submit = move |origin: Origin| {
        let (r, n) = (registry.get_untracked(), name.get_untracked());
        let result = register_text(&picked.store(), &r, &n, &text.get_untracked(), origin);
        if result.is_ok() {
            picked.pick(r.trim(), n.trim());
        }
        outcome.set(Some(result));
    };
    let import = move |ev: leptos::ev::Event| import_file(&ev, text, outcome, submit);
    view! {
        <details class="new-schema" data-testid="new-schema">
            <summary>"Write or import a new schema"</summary>
            <div class="inline-fields">
                <div class="field">
                    <label for="new-schema-registry">"Registry"</label>
                    <input id="new-schema-registry" data-testid="new-schema-registry" prop:value=move || registry.get()
                        on:input=move |ev| registry.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="new-schema-name">"Event type"</label>
                    <input id="new-schema-name" data-testid="new-schema-name" placeholder="QuoteIssued" prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
            </div>
            <label class="visually-hidden" for="new-schema-text">"The schema's JSON"</label>
            <textarea id="new-schema-text" class="code-input" rows="8" spellcheck="false" data-testid="new-schema-text"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <div class="form-actions">
                <button type="button" class="primary" data-testid="new-schema-register" on:click=move |_| submit(Origin::Written)>"Register schema"</button>
                <label class="button-like secondary" for="new-schema-import">"Import a schema file…"</label>
                <input id="new-schema-import" type="file" accept=".json,application/json" class="visually-hidden" data-testid="new-schema-import" on:change=import/>
            </div>
            {move || outcome.get().map(|r| match r {
                Ok(t) => view! { <p class="form-status" role="status" data-testid="new-schema-status">{t}</p> }.into_any(),
                Err(e) => view! { <ErrorView title="Not registered" message=e hint="Nothing changed in the registry."/> }.into_any(),
            })}
        </details>
    }
}
