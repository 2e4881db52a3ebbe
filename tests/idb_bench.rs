//! The browser half of `make bench`, run in headless Chromium by wasm-bindgen-test (not
//! part of `make test`): `IdbStore`'s batched appends against a raw-JS IndexedDB loop
//! doing the same puts in the same batch sizes, with the same strict durability, in the
//! same page; `read_all` throughput; and a full replay into every read model in wasm.
//! Each prints one JSON line in the shared benchmark format; `scripts/bench-browser.sh`
//! adds the wasm-vs-native replay ratio from the native run of the same `make bench`.
#![cfg(target_arch = "wasm32")]

use dojo_engine::projection::ReadModels;
use dojo_engine::sim::iso_time;
use dojo_engine::workload::{insurance_entries, insurance_history};
use dojo_engine::{EventEnvelope, EventStore, ExpectedVersion};
use event_dojo::storage::{IdbStore, StreamAppend};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Events per append measurement (the replay uses `REPLAY_EVENTS`).
const EVENTS: usize = 100_000;
const REPLAY_EVENTS: usize = 200_000;
const BATCHES: [usize; 2] = [100, 1000];

#[wasm_bindgen(inline_js = r#"
export async function raw_append(name, records, batch) {
  await new Promise((res) => { const d = indexedDB.deleteDatabase(name); d.onsuccess = res; d.onerror = res; d.onblocked = res; });
  const db = await new Promise((res, rej) => {
    const o = indexedDB.open(name, 1);
    o.onupgradeneeded = () => {
      const e = o.result.createObjectStore('events', { keyPath: 'globalposition' });
      e.createIndex('by-stream-version', ['streamid', 'streamversion'], { unique: true });
      o.result.createObjectStore('streams');
      o.result.createObjectStore('meta');
    };
    o.onsuccess = () => res(o.result);
    o.onerror = () => rej(o.error);
  });
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += batch) {
    const tx = db.transaction(['events', 'streams', 'meta'], 'readwrite', { durability: 'strict' });
    const events = tx.objectStore('events'), streams = tx.objectStore('streams'), meta = tx.objectStore('meta');
    const chunk = records.slice(i, i + batch);
    const versions = new Map();
    for (const r of chunk) { events.add(r); versions.set(r.streamid, r.streamversion); }
    for (const [s, v] of versions) streams.put(v, s);
    meta.put(chunk[chunk.length - 1].globalposition, 'head');
    await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); tx.onabort = () => rej(tx.error); });
  }
  const ms = performance.now() - t0;
  db.close();
  return ms;
}
"#)]
extern "C" {
    async fn raw_append(name: &str, records: JsValue, batch: u32) -> JsValue;
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The history as batches of appends (each event to its own stream's append, as the
/// sample loader does), and the same events as the records a raw loop stores.
fn workload(batch: usize) -> (Vec<Vec<StreamAppend>>, js_sys::Array) {
    let history = insurance_history(EVENTS, 11);
    let mut versions = std::collections::HashMap::<String, u64>::new();
    let records = js_sys::Array::new();
    let mut batches = Vec::new();
    for (i, chunk) in history.chunks(batch).enumerate() {
        let mut appends = Vec::new();
        for (k, (at, event)) in chunk.iter().enumerate() {
            let position = (i * batch + k + 1) as u64;
            let stream = event.stream_id();
            let new = event.to_new_event(&format!("bench-{position}"), &iso_time(*at));
            let version = versions.entry(stream.clone()).or_default();
            *version += 1;
            let envelope = EventEnvelope::recorded(new.clone(), &stream, *version, position);
            let record = js_sys::Object::new();
            let set = |k: &str, v: JsValue| {
                js_sys::Reflect::set(&record, &k.into(), &v).expect("set a field");
            };
            set("globalposition", (position as f64).into());
            set("streamid", stream.as_str().into());
            set("streamversion", (*version as f64).into());
            set("envelope", envelope.to_cloudevent_json().into());
            records.push(&record);
            appends.push((stream, ExpectedVersion::Any, vec![new]));
        }
        batches.push(appends);
    }
    (batches, records)
}

fn line(value: serde_json::Value) {
    console_log!("{value}");
}

#[wasm_bindgen_test]
async fn bench_appends_reads_and_replay() {
    for batch in BATCHES {
        let (batches, records) = workload(batch);
        let name = format!("bench-idb-{batch}");
        IdbStore::delete(&name).await.expect("delete");
        let store = IdbStore::open(&name).await.expect("open");
        let start = now_ms();
        for appends in batches {
            store.append_batch(appends).await.expect("append");
        }
        let ours = EVENTS as f64 / ((now_ms() - start) / 1000.0);
        let raw_ms = raw_append(&format!("bench-raw-{batch}"), records.into(), batch as u32)
            .await
            .as_f64()
            .expect("milliseconds");
        let raw = EVENTS as f64 / (raw_ms / 1000.0);
        line(serde_json::json!({
            "bench": format!("idb/append/batch-{batch}/{EVENTS}-events"),
            "value": ours.round(), "unit": "events/s",
            "baseline": "raw-js-indexeddb", "baseline_value": raw.round(),
            "ratio": (ours / raw * 100.0).round() / 100.0,
        }));
        if batch == 1000 {
            let start = now_ms();
            let mut from = 1;
            let mut read = 0;
            loop {
                let page = store.read_all(from, 1000).await.expect("read");
                let Some(last) = page.last() else { break };
                from = last.position + 1;
                read += page.len();
            }
            assert_eq!(read, EVENTS);
            let rate = read as f64 / ((now_ms() - start) / 1000.0);
            line(serde_json::json!({
                "bench": format!("idb/read-all/page-1000/{EVENTS}-events"),
                "value": rate.round(), "unit": "events/s",
            }));
        }
        store.close();
        IdbStore::delete(&name).await.expect("delete");
    }

    let history = insurance_entries(REPLAY_EVENTS, 7);
    let mut rates = Vec::new();
    for _ in 0..3 {
        let mut models = ReadModels::default();
        let start = now_ms();
        for e in &history {
            models.apply(e);
        }
        rates.push(history.len() as f64 / ((now_ms() - start) / 1000.0));
    }
    rates.sort_by(f64::total_cmp);
    line(serde_json::json!({
        "bench": format!("replay/full-wasm/{REPLAY_EVENTS}-events"),
        "value": rates[1].round(), "unit": "events/s",
    }));
}
