//! App-wide state provided through Leptos context: the open event store and a revision
//! counter that read models watch to know when to re-read.

use crate::storage::IdbStore;
use leptos::prelude::*;

/// The event store and its change signal. Components get this through `use_context`.
#[derive(Clone)]
pub struct StoreContext {
    pub store: IdbStore,
    /// Bumped after every successful append so views re-read the store.
    pub revision: RwSignal<u64>,
}

impl StoreContext {
    pub fn new(store: IdbStore) -> Self {
        Self {
            store,
            revision: RwSignal::new(0),
        }
    }

    /// Tells every read model that the store changed.
    pub fn changed(&self) {
        self.revision.update(|r| *r += 1);
    }
}

/// The store context; panics only if a component is used outside the app shell.
pub fn use_store() -> StoreContext {
    use_context::<StoreContext>().expect("StoreContext is provided by App before any page renders")
}
