//! What a learner builds outside the event log (the workshop session, the channels lab,
//! the sandbox drafts, exercise progress),
//! kept as JSON in IndexedDB's `documents` store. Builds before schema version 2 kept
//! these in localStorage; loading moves such a copy across, so nothing is lost. While
//! IndexedDB cannot take a save (storage full), the newest copy waits in localStorage.

use super::IdbStore;
use crate::browser::local_storage;
use dojo_engine::StoreError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The document saved under `name`. A copy in localStorage wins over IndexedDB's: it is
/// either an older build's (before IndexedDB held one) or one kept because IndexedDB
/// could not take the newest save. `None` when there is neither, or when what is there
/// no longer parses.
pub async fn load<T: DeserializeOwned>(store: &IdbStore, name: &str) -> Option<T> {
    load_text(store, name)
        .await
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str(&t).ok())
}

async fn load_text(store: &IdbStore, name: &str) -> Result<Option<String>, String> {
    match local_storage().and_then(|s| s.get_item(name).ok().flatten()) {
        Some(text) => Ok(Some(text)),
        None => store.document(name).await.map_err(|e| e.to_string()),
    }
}

/// Drops the localStorage copy of `name` once IndexedDB holds a newer one.
fn forget_kept_copy(name: &str) {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(name);
    }
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
/// `noted` hears each write's outcome. With `writable` false (the app is read-only),
/// the value waits in localStorage instead.
pub fn save<T: Serialize>(
    store: &IdbStore,
    name: &'static str,
    value: &T,
    writable: bool,
    noted: impl Fn(&Result<(), StoreError>) + 'static,
) {
    let Ok(text) = serde_json::to_string(value) else {
        return;
    };
    // While the app is read-only, the newest copy waits in localStorage, which `load`
    // prefers; the first save after the learner retries moves it back.
    if !writable {
        if let Some(s) = local_storage() {
            let _ = s.set_item(name, &text);
        }
        return;
    }
    let writer_running = PENDING.with(|p| p.borrow_mut().insert(name, Some(text)).is_some());
    if writer_running {
        return;
    }
    let store = store.clone();
    leptos::task::spawn_local(async move {
        while let Some(text) = next_pending(name) {
            let result = store.put_document(name, &text).await;
            noted(&result);
            match result {
                // Any copy in localStorage (an older build's, or one kept while
                // IndexedDB was full) is superseded.
                Ok(()) => forget_kept_copy(name),
                // IndexedDB is full or closed: keep the newest copy in localStorage, which
                // `load` prefers, so the learner's work survives a reload.
                Err(_) => {
                    if let Some(s) = local_storage() {
                        let _ = s.set_item(name, &text);
                    }
                }
            }
        }
    });
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
    let current = load_text(store, name).await?;
    if let Some(current) = current.filter(|c| !c.is_empty() && c != text) {
        store
            .put_document(&backup_name(name), &current)
            .await
            .map_err(|e| e.to_string())?;
    }
    store
        .put_document(name, text)
        .await
        .map_err(|e| e.to_string())?;
    forget_kept_copy(name);
    Ok(())
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
            forget_kept_copy(name);
            store
                .put_document(&backup_name(name), "")
                .await
                .map_err(|e| e.to_string())?;
            Ok(true)
        }
    }
}
