//! The one place errors are shown: a titled alert with the message and, optionally, what
//! the learner can do about it. Every feature reports failures through it, so an error
//! never becomes a blank screen.

use leptos::prelude::*;

#[component]
pub fn ErrorView(
    /// A short summary, for example "Could not open the event store".
    #[prop(into)]
    title: String,
    /// The underlying reason, shown verbatim.
    #[prop(into)]
    message: String,
    /// Advice on what to do next.
    #[prop(optional, into)]
    hint: Option<String>,
) -> impl IntoView {
    view! {
        <div class="error-view" role="alert" data-testid="error-view">
            <strong class="error-title">{title}</strong>
            <p class="error-message">{message}</p>
            {hint.map(|h| view! { <p class="error-hint">{h}</p> })}
        </div>
    }
}
