//! The publish form: stream, event type, source, optional expected version and JSON data.
//! Every field is validated by the engine before anything is appended; errors appear
//! inline next to their field and the log is left untouched.

use crate::components::ErrorView;
use crate::state::use_store;
use dojo_engine::publish::{parse_expected_version, DraftField, EventDraft, FieldError};
use dojo_engine::EventStore;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The prefilled event: a `CustomerRegistered` at its current schema version, with the
/// fields the read models fold, so a learner who appends it sees it on the console.
const SAMPLE_DATA: &str = r#"{
  "customer_id": "42",
  "given_name": "Ada",
  "family_name": "Lovelace",
  "email": "ada@example.com",
  "phone": "+44 7700 900042",
  "postcode": "EH1 1AA",
  "birth_year": 1985,
  "schema_version": 2
}"#;

#[component]
pub fn PublishForm() -> impl IntoView {
    let ctx = use_store();
    let can_write = {
        let ctx = ctx.clone();
        move || ctx.can_write()
    };
    let stream = RwSignal::new("customer-42".to_owned());
    let event_type = RwSignal::new("CustomerRegistered".to_owned());
    let source = RwSignal::new("dojo.insurance".to_owned());
    let expected = RwSignal::new(String::new());
    let data = RwSignal::new(SAMPLE_DATA.to_owned());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let expected_error = RwSignal::new(None::<String>);
    let store_error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let error_for = move |field: DraftField| {
        move || {
            errors.with(|errs| {
                errs.iter()
                    .find(|e| e.field == field)
                    .map(ToString::to_string)
            })
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        status.set(None);
        store_error.set(None);
        let form = EventDraft {
            stream: stream.get_untracked(),
            event_type: event_type.get_untracked(),
            source: source.get_untracked(),
            data: data.get_untracked(),
        };
        let version = parse_expected_version(&expected.get_untracked());
        expected_error.set(
            version
                .as_ref()
                .err()
                .map(|e| format!("Expected version {e}")),
        );
        let event = form.validate(&crate::browser::random_id(), &crate::browser::now_rfc3339());
        errors.set(event.as_ref().err().cloned().unwrap_or_default());
        let (Ok(event), Ok(version)) = (event, version) else {
            return;
        };
        let ctx = ctx.clone();
        let stream_id = form.stream.trim().to_owned();
        busy.set(true);
        spawn_local(async move {
            match ctx.append(&stream_id, version, vec![event]).await {
                Ok(result) => {
                    status.set(Some(format!(
                        "Appended to {stream_id} as version {} at position {}.",
                        result.stream_version, result.last_position
                    )));
                }
                Err(e) => store_error.set(Some(crate::advice::explain(&e))),
            }
            busy.set(false);
        });
    };

    view! {
        <form class="publish-form" on:submit=submit novalidate data-testid="publish-form">
            <TextField label="Stream" id="publish-stream" value=stream error=Signal::derive(error_for(DraftField::Stream))
                hint="The aggregate instance, e.g. customer-42"/>
            <TextField label="Event type" id="publish-type" value=event_type error=Signal::derive(error_for(DraftField::EventType))
                hint="Past tense: what happened"/>
            <TextField label="Source" id="publish-source" value=source error=Signal::derive(error_for(DraftField::Source))
                hint="The producer, reverse-DNS style"/>
            <TextField label="Expected version" id="publish-expected" value=expected error=Signal::derive(move || expected_error.get())
                hint="Blank appends at any version; a number enforces optimistic concurrency"/>
            <div class="field">
                <label for="publish-data">"Data (JSON object)"</label>
                <textarea id="publish-data" rows="8" spellcheck="false" bind:value=data
                    data-testid="publish-data"
                    aria-invalid=move || error_for(DraftField::Data)().is_some().to_string()
                    aria-describedby="publish-data-hint publish-data-error"></textarea>
                <p id="publish-data-hint" class="field-hint">
                    "The sample is a customer registration the "
                    <a href=crate::paths::href("/console")>"console's read models"</a>
                    " understand: they read an insurance event's fields and its "<code>"schema_version"</code>"."
                </p>
                <p id="publish-data-error" class="field-error" data-testid="publish-data-error" aria-live="polite">
                    {error_for(DraftField::Data)}
                </p>
            </div>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || busy.get() || !can_write() data-testid="publish-submit">
                    "Append event"
                </button>
                <span class="form-status" role="status" data-testid="publish-status">{move || status.get()}</span>
            </div>
            {move || store_error.get().map(|message| view! {
                <ErrorView title="The event was not appended" message=message
                    hint="Nothing was written. If the stream moved on, read its version in the log and try again."/>
            })}
        </form>
    }
}

/// A labelled single-line input with its hint and inline error.
#[component]
fn TextField(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
    hint: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = format!("{hint_id} {error_id}");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="text" autocomplete="off" spellcheck="false" bind:value=value
                data-testid=id aria-invalid=move || error.get().is_some().to_string() aria-describedby=described/>
            <p id=hint_id class="field-hint">{hint}</p>
            <p id=error_id.clone() class="field-error" data-testid=error_id aria-live="polite">{move || error.get()}</p>
        </div>
    }
}
