//! What a learner builds outside the event log (the workshop session, the channels lab,
//! the sandbox drafts, exercise progress),
//! kept as JSON in IndexedDB's `documents` store. Builds before schema version 2 kept
//! these in localStorage; loading moves such a copy across, so nothing is lost.

use super::IdbStore;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;

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

thread_local! {
    /// Per document name being written: the newest text still to write, if any. A name is
    /// present while its writer runs.
    static PENDING: RefCell<BTreeMap<&'static str, Option<String>>> = const { RefCell::new(BTreeMap::new()) };
}

/// Takes the newest unwritten text for `name`, or ends its writer when there is none.
fn next_pending(name: &'static str) -> Option<String> {
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let next = p.get_mut(name).and_then(Option::take);
        if next.is_none() {
            p.remove(name);
        }
        next
    })
}

/// Saves `value` under `name` in the background. One writer per name writes the newest
/// value; values asked for while a write is in flight are coalesced, so a playing
/// debugger that changes the session many times a second costs one write at a time.
pub fn save<T: Serialize>(store: &IdbStore, name: &'static str, value: &T) {
    let Ok(text) = serde_json::to_string(value) else {
        return;
    };
    let writer_running = PENDING.with(|p| p.borrow_mut().insert(name, Some(text)).is_some());
    if writer_running {
        return;
    }
    let store = store.clone();
    leptos::task::spawn_local(async move {
        while let Some(text) = next_pending(name) {
            // A failed write (storage full or blocked) leaves the previous copy in place.
            if store.put_document(name, &text).await.is_ok() {
                // The copy an older build left in localStorage is superseded.
                if let Some(s) = local_storage() {
                    let _ = s.remove_item(name);
                }
            }
        }
    });
}

/// A page's saved document as a signal: read from IndexedDB once, then saved on every
/// change. Until it is read, `loaded` is false and nothing is saved, so an early edit
/// cannot overwrite it; pages keep their controls inert until then.
pub fn use_document<T>(
    name: &'static str,
) -> (
    leptos::prelude::RwSignal<T>,
    leptos::prelude::RwSignal<bool>,
)
where
    T: Default + Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    use leptos::prelude::*;
    let store = crate::state::use_store().store;
    let value = RwSignal::new(T::default());
    let loaded = RwSignal::new(false);
    {
        let store = store.clone();
        leptos::task::spawn_local(async move {
            if let Some(saved) = load::<T>(&store, name).await {
                value.set(saved);
            }
            loaded.set(true);
        });
    }
    Effect::new(move |_| {
        let current = value.get();
        if loaded.get_untracked() {
            save(&store, name, &current);
        }
    });
    (value, loaded)
}

/// Where [`replace_keeping_backup`] keeps what it replaced.
pub fn backup_name(name: &str) -> String {
    format!("{name}.before-exercise")
}

/// Replaces the document `name` with `text` (an exercise opened in the lab or the
/// workshop), first keeping what was there under [`backup_name`], so the learner's own
/// work can be restored.
pub async fn replace_keeping_backup(
    store: &IdbStore,
    name: &str,
    text: &str,
) -> Result<(), String> {
    let current = store.document(name).await.map_err(|e| e.to_string())?;
    if let Some(current) = current.filter(|c| !c.is_empty() && c != text) {
        store
            .put_document(&backup_name(name), &current)
            .await
            .map_err(|e| e.to_string())?;
    }
    store
        .put_document(name, text)
        .await
        .map_err(|e| e.to_string())
}

/// Puts the backup of `name` back in place and clears it. Returns whether there was one.
pub async fn restore_backup(store: &IdbStore, name: &str) -> Result<bool, String> {
    let backup = store
        .document(&backup_name(name))
        .await
        .map_err(|e| e.to_string())?;
    match backup.filter(|b| !b.is_empty()) {
        None => Ok(false),
        Some(text) => {
            store
                .put_document(name, &text)
                .await
                .map_err(|e| e.to_string())?;
            store
                .put_document(&backup_name(name), "")
                .await
                .map_err(|e| e.to_string())?;
            Ok(true)
        }
    }
}
