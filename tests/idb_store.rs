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

/// Writes `records` into the `chunks` store of database `name` through a second
/// connection, as a bug or another program could, and commits.
async fn put_chunks_behind_the_stores_back(name: &str, records: Vec<serde_json::Value>) {
    use indexed_db_futures::database::Database;
    use indexed_db_futures::prelude::*;
    use indexed_db_futures::transaction::TransactionMode;
    let raw = Database::open(name)
        .await
        .expect("open a second connection");
    let tx = raw
        .transaction("chunks")
        .with_mode(TransactionMode::Readwrite)
        .build()
        .expect("transaction");
    let chunks = tx.object_store("chunks").expect("chunks");
    for record in records {
        chunks.put(record).serde().expect("put a record");
    }
    tx.commit().await.expect("commit");
    raw.close();
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

#[wasm_bindgen_test]
async fn a_batch_across_streams_is_all_or_nothing() {
    let store = fresh("batch").await;
    let e = |n: u32| NewEvent::new(&format!("e{n}"), "s", "ThingHappened", "dojo.test");
    let ok = store
        .append_batch(vec![
            ("a".into(), ExpectedVersion::NoStream, vec![e(1), e(2)]),
            ("b".into(), ExpectedVersion::NoStream, vec![e(3)]),
            ("a".into(), ExpectedVersion::Exact(2), vec![e(4)]),
        ])
        .await
        .expect("a consistent batch commits");
    assert_eq!((ok.first_position, ok.last_position), (1, 4));
    let err = store
        .append_batch(vec![
            ("c".into(), ExpectedVersion::NoStream, vec![e(5)]),
            ("a".into(), ExpectedVersion::Exact(1), vec![e(6)]),
        ])
        .await
        .expect_err("a stale version anywhere rejects the batch");
    assert!(
        matches!(err, dojo_engine::StoreError::Conflict { actual: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        store.head().await.expect("head"),
        4,
        "nothing of the rejected batch was written"
    );
    assert!(store.read_stream("c", 1).await.expect("read c").is_empty());
}

#[wasm_bindgen_test]
async fn documents_are_replaced_by_name_and_survive_reopening() {
    let name = "documents";
    let store = fresh(name).await;
    assert_eq!(store.document("lab").await.expect("read"), None);
    store.put_document("lab", r#"{"v":1}"#).await.expect("save");
    store
        .put_document("lab", r#"{"v":2}"#)
        .await
        .expect("save again");
    store
        .put_document("workshop", "{}")
        .await
        .expect("save another");
    store.close();
    let reopened = IdbStore::open(&format!("conformance-{name}"))
        .await
        .expect("reopen");
    assert_eq!(
        reopened.document("lab").await.expect("read"),
        Some(r#"{"v":2}"#.to_owned())
    );
    assert_eq!(
        reopened.document("workshop").await.expect("read"),
        Some("{}".to_owned())
    );
}

#[wasm_bindgen_test]
async fn a_version_1_database_with_events_is_upgraded_in_place() {
    use indexed_db_futures::database::Database;
    use indexed_db_futures::prelude::*;
    use indexed_db_futures::transaction::TransactionMode;
    #[derive(serde::Serialize)]
    struct V1Record {
        globalposition: f64,
        streamid: String,
        streamversion: f64,
        envelope: String,
    }
    let name = "conformance-upgrade-from-1";
    IdbStore::delete(name).await.expect("delete a leftover");
    // The schema as version 1 of the app created it, holding 250 events of one stream
    // (more than one chunk's worth once moved).
    let v1 = Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_, db: Database| {
            db.create_object_store("events")
                .with_key_path("globalposition".into())
                .build()?
                .create_index("stream_version", ["streamid", "streamversion"].into())
                .with_unique(true)
                .build()?;
            db.create_object_store("streams").build()?;
            db.create_object_store("meta").build()?;
            Ok(())
        })
        .await
        .expect("create a version 1 database");
    let tx = v1
        .transaction(["events", "streams", "meta"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .expect("a version 1 transaction");
    let events = tx.object_store("events").expect("events");
    for version in 1..=250u64 {
        let new = NewEvent::new(
            &format!("old-{version}"),
            "dojo.v1",
            "OldThing",
            "dojo.test",
        );
        let envelope = dojo_engine::EventEnvelope::recorded(new, "old", version, version);
        events
            .put(V1Record {
                globalposition: version as f64,
                streamid: "old".into(),
                streamversion: version as f64,
                envelope: envelope.to_cloudevent_json(),
            })
            .serde()
            .expect("put a version 1 event");
    }
    tx.object_store("streams")
        .expect("streams")
        .put(250.0f64)
        .with_key("old")
        .primitive()
        .expect("put the stream version");
    tx.object_store("meta")
        .expect("meta")
        .put(250.0f64)
        .with_key("head")
        .primitive()
        .expect("put the head");
    tx.commit().await.expect("commit the version 1 data");
    v1.close();

    let store = IdbStore::open(name)
        .await
        .expect("upgrade to the current schema");
    let old = store.read_all(1, 300).await.expect("old events read back");
    assert_eq!(old.len(), 250);
    assert!(old
        .iter()
        .enumerate()
        .all(|(i, e)| e.position == i as u64 + 1 && e.id == format!("old-{}", i + 1)));
    let tail = store.read_stream("old", 249).await.expect("stream");
    assert_eq!(
        tail.iter().map(|e| e.stream_version).collect::<Vec<_>>(),
        [249, 250]
    );
    // The old stream's version and the head carry on where version 1 left them.
    let more = NewEvent::new("new-251", "dojo.v4", "NewThing", "dojo.test");
    let appended = store
        .append("old", ExpectedVersion::Exact(250), vec![more])
        .await
        .expect("events append after the upgrade");
    assert_eq!(
        (appended.last_position, appended.stream_version),
        (251, 251)
    );
    // Opening again finds nothing left to move.
    store.clone().close();
    let store = IdbStore::open(name).await.expect("reopen");
    assert_eq!(store.read_all(1, 300).await.expect("read").len(), 251);
    store
        .put_document("lab", "{}")
        .await
        .expect("documents exist after the upgrade");
    store
        .put_snapshot("read-models", "{}")
        .await
        .expect("snapshots exist after the upgrade");
    assert_eq!(store.head().await.expect("head"), 251);
    store.close();
}

#[wasm_bindgen_test]
async fn an_aborted_append_writes_nothing_and_says_so() {
    let store = fresh("abort").await;
    let event = |id: &str| NewEvent::new(id, "s", "ThingHappened", "dojo.test");
    store
        .append("s", ExpectedVersion::NoStream, vec![event("e1")])
        .await
        .expect("first append");
    // Behind the store's back, a chunk far ahead already claims version 2 of "s": the
    // unique stream index makes IndexedDB abort the next append's transaction.
    put_chunks_behind_the_stores_back(
        "conformance-abort",
        vec![serde_json::json!({
            "first": 1000.0, "last": 1000.0, "events": "{}", "streams": [["s", 2.0]],
            "slots": [0],
        })],
    )
    .await;
    let err = store
        .append("s", ExpectedVersion::Any, vec![event("e2")])
        .await
        .expect_err("the index refuses a second version 2");
    let text = err.to_string();
    assert!(matches!(err, dojo_engine::StoreError::Aborted(_)), "{text}");
    assert!(text.contains("appending failed"), "{text}");
    assert!(text.contains("nothing from it was written"), "{text}");
    assert_eq!(
        store.head().await.expect("head"),
        1,
        "the head did not move"
    );
    assert_eq!(store.read_all(1, 10).await.expect("read").len(), 1);
}

/// Waits `ms` milliseconds of the page's clock.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("a window");
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("a timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("the timer fires");
}

#[wasm_bindgen_test]
async fn the_write_behind_queue_writes_a_small_batch_at_the_next_frame_without_a_flush() {
    use event_dojo::storage::WriteBehind;
    use std::cell::RefCell;
    use std::rc::Rc;
    let store = fresh("write-behind-frame").await;
    let heard = Rc::new(RefCell::new(Vec::<usize>::new()));
    let log = heard.clone();
    let queue = WriteBehind::new(store.clone(), 1000, move |written, _| {
        log.borrow_mut().push(written)
    });
    for i in 0..3 {
        let e = NewEvent::new(&format!("f{i}"), "s", "ThingHappened", "dojo.test");
        queue.push(("s-1".into(), e));
    }
    assert_eq!(
        queue.waiting(),
        3,
        "far below the limit: nothing is sealed yet"
    );
    // No flush: the frame after the pushes seals the batch and the writer stores it.
    let mut waited = 0;
    while store.head().await.expect("head") < 3 && waited < 5000 {
        sleep(20).await;
        waited += 20;
    }
    assert_eq!(
        store.head().await.expect("head"),
        3,
        "written within {waited} ms"
    );
    assert_eq!(queue.waiting(), 0);
    assert_eq!(*heard.borrow(), [3], "one batch, one transaction");
}

#[wasm_bindgen_test]
async fn the_write_behind_queue_flushes_at_its_limit_and_at_the_next_frame() {
    use event_dojo::storage::WriteBehind;
    use std::cell::RefCell;
    use std::rc::Rc;
    let store = fresh("write-behind").await;
    let heard = Rc::new(RefCell::new(Vec::<(usize, Option<String>)>::new()));
    let log = heard.clone();
    let queue = WriteBehind::new(store.clone(), 1000, move |written, error| {
        log.borrow_mut().push((written, error.map(str::to_owned)));
    });
    for i in 0..2500 {
        let e = NewEvent::new(&format!("e{i}"), "s", "ThingHappened", "dojo.test");
        queue.push((format!("s-{}", i % 7), e));
    }
    // Nothing is written while the pushes run; two batches were sealed at the limit.
    assert_eq!(queue.waiting(), 2500);
    queue.flush().await.expect("flush");
    assert_eq!(queue.waiting(), 0);
    assert_eq!(store.head().await.expect("head"), 2500);
    let totals: Vec<usize> = heard.borrow().iter().map(|(n, _)| *n).collect();
    assert_eq!(
        totals,
        [1000, 2000, 2500],
        "batches of the limit, then the rest"
    );
    let events = store.read_all(1, 3000).await.expect("read");
    assert!(events
        .iter()
        .enumerate()
        .all(|(i, e)| e.position == i as u64 + 1));

    // The same events again (a run saved twice) are left out, and counted.
    for i in 2490..2510 {
        let e = NewEvent::new(&format!("e{i}"), "s", "ThingHappened", "dojo.test");
        queue.push(("s-0".into(), e));
    }
    queue.flush().await.expect("flush again");
    assert_eq!(queue.already_present(), 10);
    assert_eq!(
        store.head().await.expect("head"),
        2510,
        "only the 10 new ones"
    );

    // A failed flush stops the queue and says how many events were not written.
    queue.push((String::new(), NewEvent::new("x", "s", "T", "dojo.test")));
    let err = queue
        .flush()
        .await
        .expect_err("an empty stream id is refused");
    assert!(err.starts_with("1 event was not written"), "{err}");
    assert_eq!(
        heard.borrow().last().and_then(|(_, e)| e.clone()),
        Some(err)
    );
    assert_eq!(store.head().await.expect("head"), 2510);
}

#[wasm_bindgen_test]
async fn damaged_records_are_named_by_position_and_read_around() {
    let store = fresh("damaged").await;
    for i in 1..=4 {
        let event = NewEvent::new(&format!("e{i}"), "s", "ThingHappened", "dojo.test");
        store
            .append("s", ExpectedVersion::Any, vec![event])
            .await
            .expect("append");
    }
    // Damage two records behind the store's back. Position 2: broken JSON. Position 3:
    // a chunk whose events are not text.
    let damaged = [
        (2.0, serde_json::json!("{\"specversion")),
        (3.0, serde_json::json!(7)),
    ]
    .into_iter()
    .map(|(position, events)| {
        serde_json::json!({
            "first": position, "last": position, "events": events,
            "streams": [["s", position]], "slots": [0],
        })
    })
    .collect();
    put_chunks_behind_the_stores_back("conformance-damaged", damaged).await;

    let err = store
        .read_all(1, 10)
        .await
        .expect_err("the page holds damage");
    assert!(
        matches!(err, dojo_engine::StoreError::Corrupt { position: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("position 2 is damaged"), "{err}");
    let around = dojo_engine::read_around_damage(&store, 1, 10)
        .await
        .expect("reads around the damage");
    let shape: Vec<Result<u64, String>> = around
        .iter()
        .map(|r| r.as_ref().map(|e| e.position).map_err(ToString::to_string))
        .collect();
    assert_eq!(shape[0], Ok(1));
    assert!(matches!(&shape[1], Err(m) if m.contains("position 2 is damaged")));
    assert!(
        matches!(&shape[2], Err(m) if m.contains("position 3 is damaged") && m.contains("missing its fields"))
    );
    assert_eq!(shape[3], Ok(4));
    assert_eq!(shape.len(), 4);
    store.close();
}

#[wasm_bindgen_test]
async fn big_appends_are_packed_and_read_back_from_any_position() {
    let store = fresh("packed").await;
    let events: Vec<NewEvent> = (1..=250)
        .map(|i| NewEvent::new(&format!("e{i}"), "s", "ThingHappened", "dojo.test"))
        .collect();
    store
        .append("big", ExpectedVersion::NoStream, events)
        .await
        .expect("append 250");
    store
        .append(
            "small",
            ExpectedVersion::NoStream,
            vec![NewEvent::new("x", "s", "T", "dojo.test")],
        )
        .await
        .expect("append 1");
    for (from, max) in [(1, 251), (95, 10), (100, 2), (200, 100), (251, 5), (252, 5)] {
        let page = store.read_all(from, max).await.expect("read");
        let want: Vec<u64> = (from..=251).take(max).collect();
        assert_eq!(
            page.iter().map(|e| e.position).collect::<Vec<_>>(),
            want,
            "read_all({from}, {max})"
        );
    }
    let tail = store.read_stream("big", 199).await.expect("stream");
    assert_eq!(tail.len(), 52);
    assert_eq!(tail[0].stream_version, 199);
    assert_eq!(tail[51].position, 250);
    store.close();
}

#[wasm_bindgen_test]
async fn two_connections_keep_stream_versions_straight() {
    let a = fresh("two-connections").await;
    let b = IdbStore::open("conformance-two-connections")
        .await
        .expect("a second connection, as another tab has");
    let event = |id: &str| NewEvent::new(id, "s", "ThingHappened", "dojo.test");
    a.append("s", ExpectedVersion::NoStream, vec![event("a1")])
        .await
        .expect("a appends");
    b.append("s", ExpectedVersion::Exact(1), vec![event("b2")])
        .await
        .expect("b sees a's event");
    let r = a
        .append("s", ExpectedVersion::Any, vec![event("a3")])
        .await
        .expect("a catches up on b's event");
    assert_eq!((r.last_position, r.stream_version), (3, 3));
    let err = b
        .append("s", ExpectedVersion::Exact(2), vec![event("b4")])
        .await
        .expect_err("b is behind");
    assert!(
        matches!(err, dojo_engine::StoreError::Conflict { actual: 3, .. }),
        "{err}"
    );
    let stream = b.read_stream("s", 1).await.expect("read");
    assert_eq!(
        stream.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["a1", "b2", "a3"]
    );
    a.close();
    b.close();
}

/// A database as schema version 4 (the build before identities) wrote it: the same
/// stores and the same `chunks` records, written through the store's own record format.
/// It holds `events` as `(stream, id)` in position order, in chunks of `per_chunk`.
async fn write_a_version_4_database(name: &str, events: &[(&str, &str)], per_chunk: usize) {
    use indexed_db_futures::database::Database;
    use indexed_db_futures::prelude::*;
    use indexed_db_futures::transaction::TransactionMode;
    IdbStore::delete(name).await.expect("delete a leftover");
    let v4 = Database::open(name)
        .with_version(4u32)
        .with_on_upgrade_needed(|_, db: Database| {
            db.create_object_store("meta").build()?;
            db.create_object_store("documents").build()?;
            db.create_object_store("snapshots").build()?;
            db.create_object_store("chunks")
                .with_key_path("last".into())
                .build()?
                .create_index("stream_version", "streams".into())
                .with_unique(true)
                .with_multi_entry(true)
                .build()?;
            Ok(())
        })
        .await
        .expect("create a version 4 database");
    let tx = v4
        .transaction(["chunks", "meta"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .expect("a version 4 transaction");
    let chunks = tx.object_store("chunks").expect("chunks");
    let mut versions = std::collections::HashMap::<&str, u64>::new();
    for (k, part) in events.chunks(per_chunk).enumerate() {
        let first = (k * per_chunk) as u64 + 1;
        let mut lines = Vec::new();
        let mut streams: Vec<(String, u64)> = Vec::new();
        let mut slots = Vec::new();
        for (i, (stream, id)) in part.iter().enumerate() {
            let version = versions.entry(stream).or_default();
            *version += 1;
            let new = NewEvent::new(id, "s", "OldThing", "dojo.v4");
            let envelope =
                dojo_engine::EventEnvelope::recorded(new, stream, *version, first + i as u64);
            lines.push(envelope.to_cloudevent_json());
            let slot = match streams.iter().position(|(s, _)| s == stream) {
                Some(p) => p,
                None => {
                    streams.push(((*stream).to_owned(), 0));
                    streams.len() - 1
                }
            };
            streams[slot].1 = *version;
            slots.push(slot);
        }
        let record = serde_json::json!({
            "first": first as f64,
            "last": (first + part.len() as u64 - 1) as f64,
            "events": lines.join("\n"),
            "streams": streams.iter().map(|(s, v)| serde_json::json!([s, *v as f64])).collect::<Vec<_>>(),
            "slots": slots,
        });
        chunks.put(record).serde().expect("put a version 4 chunk");
    }
    tx.object_store("meta")
        .expect("meta")
        .put(events.len() as f64)
        .with_key("head")
        .primitive()
        .expect("put the head");
    tx.commit().await.expect("commit the version 4 data");
    v4.close();
}

#[wasm_bindgen_test]
async fn a_version_4_database_gets_its_identities_through_a_real_upgrade() {
    let name = "conformance-upgrade-from-4";
    // 250 events in three chunks; "twice" was stored twice, as version 4 allowed.
    let ids: Vec<String> = (1..=248).map(|i| format!("old-{i}")).collect();
    let mut events: Vec<(&str, &str)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (if i % 2 == 0 { "even" } else { "odd" }, id.as_str()))
        .collect();
    events.push(("even", "twice"));
    events.push(("odd", "twice"));
    write_a_version_4_database(name, &events, 100).await;

    let store = IdbStore::open(name)
        .await
        .expect("upgrade to the current schema");
    assert_eq!(
        store.head().await.expect("head"),
        250,
        "the head carries on"
    );
    let all = store
        .read_all(1, 300)
        .await
        .expect("every event reads back");
    assert_eq!(all.len(), 250);
    assert!(all
        .iter()
        .enumerate()
        .all(|(i, e)| e.position == i as u64 + 1 && e.id == events[i].1));
    // Importing the same events again adds nothing and counts them all; a new one is
    // added after them.
    let again: Vec<(String, NewEvent)> = events
        .iter()
        .map(|(stream, id)| {
            (
                (*stream).to_owned(),
                NewEvent::new(id, "s", "OldThing", "dojo.v4"),
            )
        })
        .chain([(
            "even".to_owned(),
            NewEvent::new("new-1", "s", "NewThing", "dojo.v4"),
        )])
        .collect();
    let added = store.append_new(again).await.expect("import again");
    assert_eq!((added.added, added.already_present), (1, 250));
    assert_eq!(
        (added.result.last_position, added.result.stream_version),
        (251, 126),
        "the new event follows the old ones in its stream"
    );
    // A plain append of a stored identity is refused and names it.
    let err = store
        .append(
            "odd",
            ExpectedVersion::Any,
            vec![NewEvent::new("old-7", "s", "OldThing", "dojo.v4")],
        )
        .await
        .expect_err("an identity already stored");
    assert_eq!(
        err,
        dojo_engine::StoreError::Duplicate {
            event_source: "dojo.v4".into(),
            id: "old-7".into()
        }
    );
    // Opening again indexes nothing twice.
    store.clone().close();
    let store = IdbStore::open(name).await.expect("reopen");
    let none = store
        .append_new(vec![(
            "odd".to_owned(),
            NewEvent::new("new-1", "s", "NewThing", "dojo.v4"),
        )])
        .await
        .expect("import the new one again");
    assert_eq!((none.added, none.already_present), (0, 1));
    assert_eq!(store.head().await.expect("head"), 251);
    store.close();
}

#[wasm_bindgen_test]
async fn a_newer_version_opened_elsewhere_closes_this_connection_and_says_so() {
    use indexed_db_futures::database::Database;
    use std::cell::Cell;
    use std::rc::Rc;
    let store = fresh("upgraded-elsewhere").await;
    let told = Rc::new(Cell::new(false));
    let flag = told.clone();
    store.on_closed_for_upgrade(move || flag.set(true));
    // Another tab's newer build opens the database at a higher version: it does not wait
    // for this connection, which lets go by itself (no message needed).
    let newer = Database::open("conformance-upgraded-elsewhere")
        .with_version(99u32)
        .await
        .expect("the newer version opens without waiting");
    newer.close();
    assert!(told.get(), "this tab was told its connection closed");
    // A listener that comes later hears it at once.
    let late = Rc::new(Cell::new(false));
    let flag = late.clone();
    store.on_closed_for_upgrade(move || flag.set(true));
    assert!(late.get());
    // Writing through the closed connection is an error, not a wait.
    let event = NewEvent::new("e1", "s", "ThingHappened", "dojo.test");
    store
        .append("s", ExpectedVersion::NoStream, vec![event])
        .await
        .expect_err("the connection is closed");
    IdbStore::delete("conformance-upgraded-elsewhere")
        .await
        .expect("delete");
}

#[wasm_bindgen_test]
async fn the_worker_fold_continues_stores_snapshots_and_starts_from_them() {
    use dojo_engine::projection::Snapshot;
    use dojo_idb::fold::{fold, Folds, SNAPSHOT_NAME};
    use dojo_idb::protocol::{ModelsView, Report};
    use dojo_idb::sample::{load, Batches};

    let name = "fold";
    let store = fresh(name).await;
    load(&store, 1500, Batches::new(1500, 11, "f"), || false, |_| {}).await;
    let folded = |report: Report| match report {
        Report::Folded(view) => *view,
        other => panic!("the fold did not end with the models: {other:?}"),
    };

    // From nothing: every event read, progress up to the head, a snapshot stored.
    let mut state = Folds::default();
    let mut seen = Vec::new();
    let first: ModelsView = folded(fold(&store, &mut state, false, |r| seen.push(r)).await);
    assert_eq!(
        first.note,
        "Started from the beginning of the log (a snapshot is stored every 1000 events): folded 1500 events. Stored a new snapshot at #1500."
    );
    assert_eq!(seen.len(), 3, "one report a page of 500");
    assert_eq!(
        seen.last(),
        Some(&Report::Folding {
            done: 1500,
            total: 1500
        })
    );
    assert_eq!(first.head, 1500);
    let quotes: u64 = first.dashboard.iter().map(|(_, n, _)| n).sum();
    assert!(quotes > 0, "the sample history requests quotes");
    assert!(first.customers.len() <= dojo_idb::fold::CUSTOMERS_SHOWN);
    let stored = store
        .snapshot(SNAPSHOT_NAME)
        .await
        .expect("read")
        .expect("stored");
    let snapshot = Snapshot::from_json(&stored, 1500).expect("a usable snapshot");
    assert_eq!(snapshot.position, 1500);

    // Later events are folded on from where this worker stopped.
    load(&store, 10, Batches::new(10, 12, "g"), || false, |_| {}).await;
    let next = folded(fold(&store, &mut state, false, |_| {}).await);
    assert_eq!(
        next.note,
        "Continued from #1500 folded on this page: folded 10 events."
    );
    assert_eq!(next.head, 1510);

    // A fresh worker starts from the stored snapshot; a rebuild from nothing agrees.
    let mut fresh_state = Folds::default();
    let again = folded(fold(&store, &mut fresh_state, false, |_| {}).await);
    assert_eq!(
        again.note,
        "Started from the snapshot stored at #1500: folded 10 events."
    );
    let rebuilt = folded(fold(&store, &mut fresh_state, true, |_| {}).await);
    assert_eq!(
        rebuilt.note,
        "Rebuilt from the beginning of the log: folded 1510 events."
    );
    for view in [&again, &rebuilt] {
        assert_eq!(view.dashboard, next.dashboard);
        assert_eq!(view.customers, next.customers);
        assert_eq!(view.districts, next.districts);
        assert_eq!(view.checkpoint, next.checkpoint);
    }
    store.close();
}
