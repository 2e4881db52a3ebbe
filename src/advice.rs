//! What a learner can do about a store failure in this browser. The engine's
//! `StoreError` says what happened and what it means for the data; the advice (export
//! and clear the site's data, open an ordinary window, reload) is the app's, added
//! wherever a store failure is shown and in the read-only banner's reason.

use dojo_engine::command::CommandError;
use dojo_engine::StoreError;

/// What a learner can do about a store failure in this browser, where there is something
/// (the engine's message says what happened; this is the app's to say).
pub fn store_advice(error: &StoreError) -> Option<&'static str> {
    match error {
        StoreError::QuotaExceeded(_) => Some("To make room, export the log as NDJSON, then clear this site's data or allow it more storage."),
        StoreError::Aborted(_) => Some("Try again, and if it keeps failing, export the log and import it into a fresh profile."),
        StoreError::Unavailable(_) => Some("Private windows and blocked site data do this. Open Event Dojo in an ordinary window, or allow this site to store data."),
        StoreError::Closed(_) => Some("Reload this page to carry on."),
        StoreError::Refused { .. } => Some("Change the event so it fits, or set the type's validation to warn or off on the Schemas page."),
        _ => None,
    }
}

/// A store failure as the learner reads it: what happened, then what to do.
pub fn explain(error: &StoreError) -> String {
    match store_advice(error) {
        Some(advice) => format!("{error}. {advice}"),
        None => error.to_string(),
    }
}

/// A refused or failed command as the learner reads it.
pub fn explain_command(error: &CommandError) -> String {
    match error {
        CommandError::Store(e) => explain(e),
        other => other.to_string(),
    }
}
