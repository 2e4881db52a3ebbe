//! App-wide state provided through Leptos context: the open event store, a revision
//! counter that read models watch to know when to re-read, and the store's health (which
//! switches writing off after a failure that would repeat, such as a full disk). Appends
//! are announced on a `BroadcastChannel`, so every open tab of the app re-reads too.

use crate::storage::IdbStore;
use dojo_engine::{StoreError, StoreHealth};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;

/// The channel the app's tabs announce appends on.
const CHANNEL_NAME: &str = "event-dojo.store";

thread_local! {
    static CHANNEL: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
    static HEALTH: Cell<Option<RwSignal<StoreHealth>>> = const { Cell::new(None) };
}

/// Whether the app may write now (false while it is read-only). Untracked.
pub fn writes_allowed() -> bool {
    HEALTH
        .with(Cell::get)
        .is_none_or(|h| h.with_untracked(StoreHealth::can_write))
}

/// Takes note of a write's outcome for the whole app: a full store (or a closed
/// connection) makes the app read-only until the learner retries.
pub fn note_write<T>(result: &Result<T, StoreError>) {
    if let Some(health) = HEALTH.with(Cell::get) {
        let mut next = health.get_untracked();
        next.after_write(result);
        if next != health.get_untracked() {
            health.set(next);
        }
    }
}

/// The message a tab sends when its database upgrade is blocked by older connections.
const UPGRADE: &str = "upgrade";

/// Asks the other tabs to let go of the database so an upgrade can finish.
pub fn announce_upgrade() {
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL_NAME) {
        let _ = channel.post_message(&wasm_bindgen::JsValue::from_str(UPGRADE));
        channel.close();
    }
}

/// Listens for other tabs: an append bumps `revision`; an upgrade waiting in another tab
/// (announced on the channel, or seen as the connection's `versionchange` event) closes
/// this tab's connection and makes `health` [`StoreHealth::Superseded`] for good.
fn listen(revision: RwSignal<u64>, health: RwSignal<StoreHealth>, store: IdbStore) {
    // Writing stops with the connection: every write button disables itself.
    let let_go = move || health.set(StoreHealth::Superseded);
    store.on_closed_for_upgrade(let_go);
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL_NAME) else {
        return;
    };
    let on_message = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
        move |ev: web_sys::MessageEvent| {
            if ev.data().as_string().as_deref() == Some(UPGRADE) {
                if !health.with_untracked(|h| *h == StoreHealth::Superseded) {
                    store.clone().close();
                    let_go();
                }
            } else {
                revision.update(|r| *r += 1);
            }
        },
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
    /// Whether writing is switched on, and why not (`Superseded` once another tab's
    /// upgrade took this tab's connection).
    pub health: RwSignal<StoreHealth>,
}

impl StoreContext {
    pub fn new(store: IdbStore) -> Self {
        let revision = RwSignal::new(0);
        let health = RwSignal::new(StoreHealth::default());
        HEALTH.with(|h| h.set(Some(health)));
        listen(revision, health, store.clone());
        Self {
            store,
            revision,
            health,
        }
    }

    /// Whether the app may write now (tracked: buttons that write disable themselves).
    pub fn can_write(&self) -> bool {
        self.health.with(StoreHealth::can_write)
    }

    /// Whether another tab's upgrade took this tab's connection (tracked).
    pub fn superseded(&self) -> bool {
        self.health.with(|h| *h == StoreHealth::Superseded)
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
