//! The notice the app shows after an append wrote events that do not fit their type's
//! schema under `warn` validation: which event, which field, which rule and version, and
//! where to change what publishing does with such events.

use crate::state::use_store;
use leptos::prelude::*;

#[component]
pub fn SchemaWarning() -> impl IntoView {
    let warning = use_store().schema_warning;
    move || {
        warning.get().map(|text| {
            view! {
                <div class="schema-warning" role="status" data-testid="schema-warning">
                    <strong>"Written, with a schema warning"</strong>
                    <p>{text}</p>
                    <p class="muted">
                        "Its type's validation is warn. "
                        <a href=crate::paths::href("/schemas")>"Open the schemas"</a>
                        " to see the schema, or set the type to enforce to refuse such events."
                    </p>
                    <button type="button" class="secondary" data-testid="schema-warning-dismiss" on:click=move |_| warning.set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}
