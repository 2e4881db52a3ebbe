//! App-wide state provided through Leptos context: the open event store and a revision
//! counter that read models watch to know when to re-read. Appends are announced on a
//! `BroadcastChannel`, so every open tab of the app re-reads too.

use crate::storage::IdbStore;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsCast;

/// The channel the app's tabs announce appends on.
const CHANNEL_NAME: &str = "event-dojo.store";

thread_local! {
    static CHANNEL: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
}

/// Listens for other tabs' appends and bumps `revision` on each.
fn listen(revision: RwSignal<u64>) {
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL_NAME) else {
        return;
    };
    let on_message = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
        move |_: web_sys::MessageEvent| revision.update(|r| *r += 1),
    );
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The listener lives as long as the page.
    on_message.forget();
    CHANNEL.with(|c| *c.borrow_mut() = Some(channel));
}

/// Tells this tab's read models, and every other tab, that the store changed.
pub fn store_changed(revision: RwSignal<u64>) {
    revision.update(|r| *r += 1);
    CHANNEL.with(|c| {
        if let Some(channel) = c.borrow().as_ref() {
            let _ = channel.post_message(&wasm_bindgen::JsValue::from_str("appended"));
        }
    });
}

/// The event store and its change signal. Components get this through `use_context`.
#[derive(Clone)]
pub struct StoreContext {
    pub store: IdbStore,
    /// Bumped after every successful append so views re-read the store.
    pub revision: RwSignal<u64>,
}

impl StoreContext {
    pub fn new(store: IdbStore) -> Self {
        let revision = RwSignal::new(0);
        listen(revision);
        Self { store, revision }
    }

    /// Tells every read model, in this tab and the others, that the store changed.
    pub fn changed(&self) {
        store_changed(self.revision);
    }
}

/// The store context; panics only if a component is used outside the app shell.
pub fn use_store() -> StoreContext {
    use_context::<StoreContext>().expect("StoreContext is provided by App before any page renders")
}
