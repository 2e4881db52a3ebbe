//! The banner the app shows while writing is switched off (see `StoreHealth`): why, that
//! everything stored can still be read and exported, and a button to try writing again
//! once the learner has made room.

use crate::state::use_store;
use dojo_engine::StoreHealth;
use leptos::prelude::*;

/// The reason as a sentence of its own: capitalised, with a full stop.
fn sentence(reason: &str) -> String {
    let mut chars = reason.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[component]
pub fn ReadOnlyBanner() -> impl IntoView {
    let health = use_store().health;
    move || match health.get() {
        // A superseded tab has the app's own "updated in another tab" message instead.
        StoreHealth::Writable | StoreHealth::Superseded => None,
        StoreHealth::ReadOnly { reason } => Some(view! {
            <div class="error-view read-only" role="alert" data-testid="read-only">
                <strong class="error-title">"Event Dojo is read-only for now"</strong>
                <p class="error-message">{sentence(&reason)}</p>
                <p class="error-hint">"You can still browse, filter and export the log, replay read models and use the sandbox. Changes to the lab and the workshop are kept in this tab and in localStorage until they can be saved."</p>
                <button type="button" class="secondary" on:click=move |_| health.update(StoreHealth::retry) data-testid="read-only-retry">"Try writing again"</button>
            </div>
        }),
    }
}
