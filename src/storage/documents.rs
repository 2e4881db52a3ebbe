//! What a learner builds outside the event log (the workshop session, the channels lab),
//! kept as JSON in IndexedDB's `documents` store. Builds before schema version 2 kept
//! these in localStorage; loading moves such a copy across, so nothing is lost.

use super::IdbStore;
use serde::de::DeserializeOwned;
use serde::Serialize;

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The document saved under `name`, or one an older build left in localStorage.
/// `None` when there is neither, or when what is there no longer parses.
pub async fn load<T: DeserializeOwned>(store: &IdbStore, name: &str) -> Option<T> {
    let text = match store.document(name).await {
        Ok(Some(text)) => Some(text),
        _ => local_storage().and_then(|s| s.get_item(name).ok().flatten()),
    };
    text.and_then(|t| serde_json::from_str(&t).ok())
}

/// Saves `value` under `name` in the background. Saves land in the order they were asked
/// for: each one opens its transaction before it first waits, and IndexedDB runs
/// read-write transactions on one store in the order they were created.
pub fn save<T: Serialize>(store: &IdbStore, name: &'static str, value: &T) {
    let Ok(text) = serde_json::to_string(value) else {
        return;
    };
    let store = store.clone();
    leptos::task::spawn_local(async move {
        // A failed write (storage full or blocked) leaves the previous copy in place.
        if store.put_document(name, &text).await.is_ok() {
            // The copy an older build left in localStorage is superseded.
            if let Some(s) = local_storage() {
                let _ = s.remove_item(name);
            }
        }
    });
}
