//! The schemas page (`/schemas`): discover a schema per event type from the event store,
//! the channels lab's traffic or the workshop's; keep them in a registry in IndexedDB
//! with versions, a compatibility mode that every new version must keep, and a
//! validation mode that publishing obeys; read any two versions' diff, export a version
//! as JSON Schema or OpenAPI, and take TypeScript or Rust types from it. The evolution
//! lab proposes a change to one field and shows everything it breaks before it is
//! accepted, with an upcaster to rescue old events. The decisions are the engine's
//! (`schemas`, `discovery`, `evolution`); this page reads, shows and saves.

mod discover;
mod evolve;
mod registry_panel;

use crate::components::PageHeader;
use crate::state::{use_store, StoreContext};
use dojo_engine::schemas::registry::Registries;
use dojo_engine::{EventEnvelope, EventStore, StoreError};
use leptos::prelude::*;

/// The schema the registry panel and the evolution lab show: its registry and name; and
/// the store, for handlers and tasks, which run without the page's context.
#[derive(Clone, Copy)]
pub(crate) struct Picked {
    pub registry: RwSignal<String>,
    pub name: RwSignal<String>,
    store: StoredValue<StoreContext, LocalStorage>,
}

impl Picked {
    /// The app's store.
    fn store(&self) -> StoreContext {
        self.store.get_value()
    }

    fn pick(&self, registry: &str, name: &str) {
        self.registry.set(registry.to_owned());
        self.name.set(name.to_owned());
    }
}

/// Every schema in the registry as `(registry, name)`, in order.
fn all_schemas(registries: &Registries) -> Vec<(String, String)> {
    registries
        .registries
        .iter()
        .flat_map(|(r, schemas)| schemas.keys().map(move |n| (r.clone(), n.clone())))
        .collect()
}

/// Events read per page while scanning the store.
const PAGE: usize = 2_000;

/// Calls `each` with every stored event, a page at a time, letting the browser draw
/// between pages; the number of events read.
async fn scan_store(
    ctx: &StoreContext,
    mut each: impl FnMut(&EventEnvelope),
) -> Result<u64, StoreError> {
    let mut from = 1;
    let mut read = 0u64;
    loop {
        let page = ctx.read_all(from, PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(read);
        };
        from = last.position + 1;
        read += page.len() as u64;
        page.iter().for_each(&mut each);
        if page.len() < PAGE {
            return Ok(read);
        }
        crate::browser::yield_to_browser().await;
    }
}

#[component]
pub fn SchemasPage() -> impl IntoView {
    let ctx = use_store();
    let picked = Picked {
        registry: RwSignal::new(String::new()),
        name: RwSignal::new(String::new()),
        store: StoredValue::new_local(ctx.clone()),
    };
    provide_context(picked);
    // Until the saved registry is read, nothing may be registered over it.
    let loaded = {
        let ctx = ctx.clone();
        Signal::derive(move || ctx.schemas_loaded())
    };
    // The first schema is shown once there is one.
    Effect::new(move |_| {
        let schemas = ctx.schemas.with(all_schemas);
        let current = (picked.registry.get(), picked.name.get());
        if !schemas.contains(&current) {
            if let Some((r, n)) = schemas.first() {
                picked.pick(r, n);
            }
        }
    });
    view! {
        <PageHeader title="Event schemas" intro="Find out what shape your events have, keep each shape as a version in a registry, decide how new versions must stay compatible, and check events against them as they are published. Then change an event type in the evolution lab and see, before you accept it, who it breaks."/>
        <div class="page schemas-page" inert=move || !loaded.get()>
            <discover::DiscoverPanel/>
            <registry_panel::RegistryPanel/>
            <evolve::EvolutionLab/>
        </div>
    }
}
