//! The notice a page shows when an exercise replaced its saved document: the learner's
//! own work was kept, and one button puts it back.

use crate::storage::documents;
use leptos::prelude::*;

#[component]
pub fn BackupNotice(name: &'static str) -> impl IntoView {
    let store = crate::state::use_store().store;
    let has_backup = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    {
        let store = store.clone();
        leptos::task::spawn_local(async move {
            let backup = store.document(&documents::backup_name(name)).await;
            has_backup.set(matches!(backup, Ok(Some(t)) if !t.is_empty()));
        });
    }
    let restore = move |_| {
        let store = store.clone();
        leptos::task::spawn_local(async move {
            match documents::restore_backup(&store, name).await {
                // The page reads its document when it opens.
                Ok(_) => {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    move || {
        has_backup.get().then(|| {
            view! {
                <div class="backup-notice" role="status" data-testid="backup-notice">
                    "This page holds an exercise you opened to explore. What you had here before is kept. "
                    <button type="button" class="secondary" on:click=restore.clone() data-testid="backup-restore">"Restore what I had"</button>
                    {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
            }
        })
    }
}
