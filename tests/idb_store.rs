//! Browser tests for `IdbStore`: the engine's event store conformance suite in headless
//! Chromium, plus the schema and persistence properties only IndexedDB has.
#![cfg(target_arch = "wasm32")]

use dojo_engine::store::conformance;
use dojo_engine::{EventStore, ExpectedVersion, NewEvent};
use event_dojo::storage::IdbStore;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh(name: &str) -> IdbStore {
    let name = format!("conformance-{name}");
    IdbStore::delete(&name)
        .await
        .expect("delete a leftover test database");
    IdbStore::open(&name).await.expect("open a fresh database")
}

#[wasm_bindgen_test]
async fn idb_store_passes_the_event_store_conformance_suite() {
    conformance::run_all(fresh).await;
}

#[wasm_bindgen_test]
async fn events_survive_closing_and_reopening_the_database() {
    let name = "reopen";
    let store = fresh(name).await;
    let event = NewEvent::new("e1", "s", "ThingHappened", "dojo.test");
    store
        .append("s", ExpectedVersion::NoStream, vec![event])
        .await
        .expect("append");
    store.close();
    let reopened = IdbStore::open(&format!("conformance-{name}"))
        .await
        .expect("reopen");
    let events = reopened.read_all(1, 10).await.expect("read after reopen");
    assert_eq!(events.len(), 1);
    assert_eq!(reopened.head().await.expect("head"), 1);
    let next = reopened
        .append(
            "s",
            ExpectedVersion::Exact(1),
            vec![NewEvent::new("e2", "s", "ThingHappened", "dojo.test")],
        )
        .await
        .expect("versions continue after reopening");
    assert_eq!((next.stream_version, next.last_position), (2, 2));
}

#[wasm_bindgen_test]
async fn head_is_zero_for_an_empty_store() {
    let store = fresh("empty-head").await;
    assert_eq!(store.head().await.expect("head"), 0);
}
