//! The browser half of `make bench`, run in headless Chromium by wasm-bindgen-test (not
//! part of `make test`): `IdbStore`'s batched appends against a raw-JS IndexedDB loop
//! doing the same puts (the same `chunks` and `identities` records, schema and indexes) in the same batch
//! sizes, with the same strict durability, in the same page, in pairs of runs side by side
//! (the median of the pairs' ratios); `read_all` throughput; and a full replay into every
//! read model in wasm.
//! Each prints one JSON line in the shared benchmark format; `scripts/bench-browser.sh`
//! adds the wasm-vs-native replay ratio from the native run of the same `make bench`.
#![cfg(target_arch = "wasm32")]

use dojo_engine::projection::ReadModels;
use dojo_engine::sim::iso_time;
use dojo_engine::workload::{insurance_entries, insurance_history};
use dojo_engine::StreamAppend;
use dojo_engine::{EventEnvelope, EventStore, ExpectedVersion};
use event_dojo::storage::{IdbStore, CHUNK_EVENTS};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Events per append measurement (the replay uses `REPLAY_EVENTS`).
const EVENTS: usize = 100_000;
const REPLAY_EVENTS: usize = 200_000;
const BATCHES: [usize; 2] = [1000, 100];

#[wasm_bindgen(inline_js = r#"
export async function raw_append(name, batches, withIdentities) {
  await new Promise((res) => { const d = indexedDB.deleteDatabase(name); d.onsuccess = res; d.onerror = res; d.onblocked = res; });
  const db = await new Promise((res, rej) => {
    const o = indexedDB.open(name, 1);
    o.onupgradeneeded = () => {
      const chunks = o.result.createObjectStore('chunks', { keyPath: 'last' });
      chunks.createIndex('stream_version', 'streams', { unique: true, multiEntry: true });
      o.result.createObjectStore('meta');
      const ids = o.result.createObjectStore('identities', { keyPath: 'last' });
      ids.createIndex('identity', 'ids', { unique: true, multiEntry: true });
    };
    o.onsuccess = () => res(o.result);
    o.onerror = () => rej(o.error);
  });
  const t0 = performance.now();
  for (const { chunks, identities } of batches) {
    const tx = db.transaction(['chunks', 'meta', 'identities'], 'readwrite', { durability: 'strict' });
    const store = tx.objectStore('chunks'), meta = tx.objectStore('meta'), ids = tx.objectStore('identities');
    await new Promise((res, rej) => { const g = meta.get('head'); g.onsuccess = res; g.onerror = () => rej(g.error); });
    for (let i = 0; i < chunks.length; i++) { store.add(chunks[i]); if (withIdentities) ids.add(identities[i]); }
    meta.put(chunks[chunks.length - 1].last, 'head');
    await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); tx.onabort = () => rej(tx.error); });
  }
  const ms = performance.now() - t0;
  db.close();
  return ms;
}
"#)]
extern "C" {
    async fn raw_append(name: &str, batches: JsValue, with_identities: bool) -> JsValue;
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The history as batches of appends (each event to its own stream's append, as the
/// sample loader does), and the same events as the `chunks` and `identities` records a
/// raw loop stores: per batch, runs of up to `CHUNK_EVENTS` consecutive events, exactly
/// as `IdbStore` packs them.
fn workload(batch: usize) -> (Vec<Vec<StreamAppend>>, js_sys::Array) {
    let history = insurance_history(EVENTS, 11);
    let mut versions = std::collections::HashMap::<String, u64>::new();
    let raw = js_sys::Array::new();
    let mut batches = Vec::new();
    for (i, chunk) in history.chunks(batch).enumerate() {
        let mut appends = Vec::new();
        let records = js_sys::Array::new();
        let identities = js_sys::Array::new();
        for (k, run) in chunk.chunks(CHUNK_EVENTS).enumerate() {
            let first = (i * batch + k * CHUNK_EVENTS + 1) as u64;
            let mut lines = Vec::new();
            let mut streams: Vec<(String, u64)> = Vec::new();
            let slots = js_sys::Array::new();
            let ids = js_sys::Array::new();
            for (j, (at, event)) in run.iter().enumerate() {
                let position = first + j as u64;
                let stream = event.stream_id();
                let new = event.to_new_event(&format!("bench-{position}"), &iso_time(*at));
                let version = versions.entry(stream.clone()).or_default();
                *version += 1;
                ids.push(&js_sys::Array::of2(
                    &new.source.as_str().into(),
                    &new.id.as_str().into(),
                ));
                let envelope = EventEnvelope::recorded(new.clone(), &stream, *version, position);
                lines.push(envelope.to_cloudevent_json());
                let slot = match streams.iter().position(|(s, _)| *s == stream) {
                    Some(i) => {
                        streams[i].1 = *version;
                        i
                    }
                    None => {
                        streams.push((stream.clone(), *version));
                        streams.len() - 1
                    }
                };
                slots.push(&(slot as u32).into());
                appends.push((stream, ExpectedVersion::Any, vec![new]));
            }
            let record = js_sys::Object::new();
            let set = |k: &str, v: JsValue| {
                js_sys::Reflect::set(&record, &k.into(), &v).expect("set a field");
            };
            let stream_list = js_sys::Array::new();
            for (stream, version) in streams {
                stream_list.push(&js_sys::Array::of2(
                    &stream.as_str().into(),
                    &(version as f64).into(),
                ));
            }
            set("first", (first as f64).into());
            set("last", ((first + run.len() as u64 - 1) as f64).into());
            set("events", lines.join("\n").into());
            set("streams", stream_list.into());
            set("slots", slots.into());
            records.push(&record);
            let identity = js_sys::Object::new();
            js_sys::Reflect::set(
                &identity,
                &"last".into(),
                &((first + run.len() as u64 - 1) as f64).into(),
            )
            .expect("set last");
            js_sys::Reflect::set(&identity, &"ids".into(), &ids).expect("set ids");
            identities.push(&identity);
        }
        let both = js_sys::Object::new();
        js_sys::Reflect::set(&both, &"chunks".into(), &records).expect("set chunks");
        js_sys::Reflect::set(&both, &"identities".into(), &identities).expect("set identities");
        raw.push(&both);
        batches.push(appends);
    }
    (batches, raw)
}

/// Reads the whole store back in pages of 1,000 and prints the rate.
async fn read_all_rate(store: &IdbStore) {
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

fn line(value: serde_json::Value) {
    console_log!("{value}");
}

/// Pairs of runs (ours and the raw loop, side by side) per batch size.
const PAIRS: usize = 6;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The raw-JS loop's events/s writing `records` into a fresh database `name`.
async fn raw_rate(name: &str, records: &JsValue, with_identities: bool) -> f64 {
    IdbStore::delete(name).await.expect("delete");
    let ms = raw_append(name, records.clone(), with_identities)
        .await
        .as_f64()
        .expect("milliseconds");
    IdbStore::delete(name).await.expect("delete");
    EVENTS as f64 / (ms / 1000.0)
}

/// `IdbStore::append_batch`'s events/s writing `batches` into a fresh database `name`
/// (and, with `read_back`, the `read_all` rate of what it wrote).
async fn our_append(name: &str, batches: &[Vec<StreamAppend>], read_back: bool) -> f64 {
    IdbStore::delete(name).await.expect("delete");
    let store = IdbStore::open(name).await.expect("open");
    let run = batches.to_vec();
    let start = now_ms();
    for appends in run {
        store.append_batch(appends).await.expect("append");
    }
    let rate = EVENTS as f64 / ((now_ms() - start) / 1000.0);
    if read_back {
        read_all_rate(&store).await;
    }
    store.close();
    IdbStore::delete(name).await.expect("delete");
    rate
}

#[wasm_bindgen_test]
async fn bench_appends_reads_and_replay() {
    for batch in BATCHES {
        let (batches, records) = workload(batch);
        let records: JsValue = records.into();
        // IndexedDB compacts in the background after a big write, which slows whatever
        // runs next, and the host's speed drifts by more than the difference measured.
        // So the two sides run in pairs, side by side, in alternating order (raw then
        // ours, ours then raw, ...), and the ratio is the median of the pairs' ratios.
        let mut pairs = Vec::new();
        let mut raw_rates = Vec::new();
        let mut our_rates = Vec::new();
        for pair in 0..PAIRS {
            let mut raw = 0.0;
            let mut ours = 0.0;
            let raw_first = pair % 2 == 0;
            for ours_now in [!raw_first, raw_first] {
                let name = format!("bench-{batch}-{pair}-{ours_now}");
                if ours_now {
                    ours = our_append(&name, &batches, batch == 1000 && pair == 0).await;
                } else {
                    raw = raw_rate(&name, &records, true).await;
                }
            }
            pairs.push(ours / raw);
            raw_rates.push(raw);
            our_rates.push(ours);
        }
        // Once more without the identity records: what the identity index costs.
        let unindexed_rate = raw_rate(&format!("bench-{batch}-unindexed"), &records, false).await;
        let ratio = median(&mut pairs.clone());
        line(serde_json::json!({
            "bench": format!("idb/append/batch-{batch}/{EVENTS}-events"),
            "value": median(&mut our_rates).round(), "unit": "events/s",
            "baseline": "raw-js-indexeddb", "baseline_value": median(&mut raw_rates).round(),
            "ratio": (ratio * 100.0).round() / 100.0,
            "pair_ratios": pairs.iter().map(|r| (r * 100.0).round() / 100.0).collect::<Vec<_>>(),
            "raw_without_identities": unindexed_rate.round(),
        }));
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
