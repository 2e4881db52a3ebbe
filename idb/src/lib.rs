//! `IdbStore`: the engine's `EventStore` over IndexedDB, through `indexed_db_futures`.
//!
//! Schema (version [`SCHEMA_VERSION`]):
//! - `chunks` (since version 4): the log, packed. One record holds up to
//!   [`CHUNK_EVENTS`] consecutive events of one append, keyed in-line by `last` (the
//!   global position of its last event), with `first`; `events`, the events' CloudEvents
//!   JSON texts one per line (NDJSON, so numbers and key order survive exactly);
//!   `streams`, one `[streamid, highest version in this chunk]` per stream it holds; and
//!   `slots`, per event the index of its stream in `streams`. A stream's events in one
//!   chunk have consecutive versions ending at its highest, so each event's version
//!   follows from these. A unique multi-entry index `stream_version` on `streams` finds
//!   the chunks holding a stream's events from a version on, and gives a stream's current
//!   version. IndexedDB spends most of its time per record, per index entry and per
//!   value it clones, so packing is what makes batched appends fast: see the README's
//!   benchmark.
//! - `meta`: `"head"` → the last global position.
//! - `documents` (since version 2): a name → JSON text of what a learner built outside
//!   the event log: the workshop session and the channels lab.
//! - `snapshots` (since version 3): a name → JSON text of read models folded up to a log
//!   position (`dojo_engine::projection::Snapshot`), so a reload folds only newer events.
//! - `identities` (since version 5): which CloudEvent identities (`source` plus `id`)
//!   the log holds. One record per `chunks` record, keyed in-line by the same `last`,
//!   with `ids`, one `[source, id]` per event; a unique multi-entry index `identity` on
//!   `ids` finds an identity and refuses a second copy of one. A database from version 4
//!   gets its identities from its chunks when first opened (see
//!   [`IdbStore::open_with`]); where an older build had stored an identity twice, its
//!   first event keeps it.
//! - `events` and `streams` (versions 1 to 3: one record per event, and stream → version)
//!   exist only in databases an older build created. Opening one moves their events into
//!   `chunks` in one transaction and empties them (see [`IdbStore::open_with`]).
//!
//! Every append runs its version check and all its writes in one read-write transaction
//! (with `strict` durability: a completed append is on disk) and awaits nothing but that
//! transaction's own requests, so the browser cannot auto-commit it half way. IndexedDB
//! serialises read-write transactions with overlapping scopes, which makes the
//! check-then-write safe across tabs too. Stream versions come from a per-connection
//! cache that is only trusted for the head it was built at: the append reads the head in
//! its transaction and first catches the cache up on anything another tab appended.

pub mod fold;
pub mod import;
pub mod page_worker;
pub mod protocol;
pub mod runs;
pub mod sample;
pub mod worker;

use dojo_engine::store::check_event_size;
use dojo_engine::{
    Added, AppendResult, EventEnvelope, EventStore, ExpectedVersion, NewEvent, StoreError,
    StreamAppend,
};
use indexed_db_futures::database::{Database, VersionChangeEvent};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyRange;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The database the app uses.
pub const DB_NAME: &str = "event-dojo";
/// The schema version this build expects; `upgrade` migrates from every older one.
pub const SCHEMA_VERSION: u32 = 5;
/// The most events one `chunks` record holds.
pub const CHUNK_EVENTS: usize = 100;

const CHUNKS: &str = "chunks";
const META: &str = "meta";
const DOCUMENTS: &str = "documents";
const SNAPSHOTS: &str = "snapshots";
const STREAM_VERSION_INDEX: &str = "stream_version";
const IDENTITIES: &str = "identities";
const IDENTITY_INDEX: &str = "identity";
const HEAD_KEY: &str = "head";
/// Versions 1 to 3 of the schema: one record per event, and stream → version.
const LEGACY_EVENTS: &str = "events";
const LEGACY_STREAMS: &str = "streams";
/// Past this many events appended elsewhere, the stream cache starts over instead of
/// reading them all.
const CATCH_UP_LIMIT: u64 = 20_000;

/// A `chunks` record as read back: loosely, so a damaged one is reported with its
/// positions instead of failing the whole read anonymously.
#[derive(Deserialize)]
struct StoredChunk {
    #[serde(default)]
    first: Option<f64>,
    last: f64,
    #[serde(default)]
    events: serde_json::Value,
    #[serde(default)]
    streams: serde_json::Value,
    #[serde(default)]
    slots: serde_json::Value,
}

/// The identity of a stored event's CloudEvents text: all the identity index needs.
#[derive(Deserialize)]
struct StoredIdentity {
    source: String,
    id: String,
}

/// An identity as an IndexedDB key, `[source, id]`.
fn identity_key(source: &str, id: &str) -> wasm_bindgen::JsValue {
    js_sys::Array::of2(&source.into(), &id.into()).into()
}

/// For each identity, in order, whether the `identity` index holds it. The requests all
/// go out before the first answer is awaited, so a whole import waits for one round trip.
async fn present_identities<'a>(
    index: &indexed_db_futures::index::Index<'_>,
    identities: impl Iterator<Item = (&'a str, &'a str)>,
) -> indexed_db_futures::Result<Vec<bool>> {
    let requests = identities
        .map(|(source, id)| {
            index
                .count()
                .with_query::<wasm_bindgen::JsValue, _>(identity_key(source, id))
                .primitive()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut present = Vec::with_capacity(requests.len());
    for request in requests {
        present.push(request.await? > 0);
    }
    Ok(present)
}

/// A record of the legacy `events` store (schema versions 1 to 3).
#[derive(Deserialize)]
struct LegacyRecord {
    globalposition: f64,
    #[serde(default)]
    streamid: String,
    #[serde(default)]
    streamversion: f64,
    #[serde(default)]
    envelope: serde_json::Value,
}

/// Stream versions as of one head, so appends need not ask IndexedDB for them.
#[derive(Debug, Default)]
struct StreamVersions {
    /// The head the versions are exact for; `None` until the first append.
    head: Option<u64>,
    /// Every stream with events is in `versions` (the cache began at an empty store).
    complete: bool,
    versions: HashMap<String, u64>,
}

impl StreamVersions {
    fn restart(&mut self, head: u64) {
        self.versions.clear();
        self.complete = head == 0;
        self.head = Some(head);
    }

    /// Records a stream version read or written; versions only grow.
    fn learn(&mut self, stream: &str, version: u64) {
        match self.versions.get_mut(stream) {
            Some(v) => *v = (*v).max(version),
            None => {
                self.versions.insert(stream.to_owned(), version);
            }
        }
    }
}

/// An open connection to the event store database. Cheap to clone; clones share the
/// stream version cache.
#[derive(Clone, Debug)]
pub struct IdbStore {
    db: Database,
    // Behind a mutex only because context values must be `Send`; the browser runs one
    // thread, and no lock is held across an await.
    versions: Arc<Mutex<StreamVersions>>,
    /// Another tab's upgrade (or deletion) of the database closed this connection.
    closed_for_upgrade: Arc<AtomicBool>,
}

/// Turns a browser storage error into the store's error, by the DOM exception's name.
fn backend(context: &str, error: impl std::fmt::Display) -> StoreError {
    let text = format!("{context}: {error}");
    if text.contains("QuotaExceeded") {
        StoreError::QuotaExceeded(text)
    } else if ["AbortError", "TransactionInactive", "ConstraintError"]
        .iter()
        .any(|name| text.contains(name))
    {
        StoreError::Aborted(text)
    } else if text.contains("InvalidStateError") {
        StoreError::Closed(text)
    } else {
        StoreError::Backend(text)
    }
}

/// Commits `tx`. When the browser aborts it instead, the transaction's own error says
/// why (`QuotaExceededError`, `ConstraintError`, …), which the failed commit does not.
async fn commit(
    tx: indexed_db_futures::transaction::Transaction<'_>,
    context: &str,
) -> Result<(), StoreError> {
    use indexed_db_futures::internals::SystemRepr;
    use wasm_bindgen::JsCast;
    let sys: web_sys::IdbTransaction = tx.as_sys().clone().unchecked_into();
    tx.commit().await.map_err(|e| match sys.error() {
        Some(dom) if dom.message().is_empty() => backend(context, dom.name()),
        Some(dom) => backend(context, format!("{}: {}", dom.name(), dom.message())),
        None => backend(context, e),
    })
}

/// Calls `f` on every `versionchange` event of the connection: another tab opening the
/// database at a newer version, or deleting it. The listener lives as long as the page.
fn on_version_change(db: &Database, f: impl Fn() + 'static) {
    use indexed_db_futures::internals::SystemRepr;
    use wasm_bindgen::{closure::Closure, JsCast};
    let target: &web_sys::EventTarget = db.as_sys().unchecked_ref();
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| f());
    let _ =
        target.add_event_listener_with_callback("versionchange", listener.as_ref().unchecked_ref());
    listener.forget();
}

/// Closes the connection as soon as another tab asks to upgrade or delete the database,
/// from the moment it is open (even while this tab is still moving old records), so that
/// tab never waits on this one; `closed` remembers that it happened.
fn let_go_on_version_change(db: &Database, closed: Arc<AtomicBool>) {
    let connection = db.clone();
    on_version_change(db, move || {
        connection.clone().close();
        closed.store(true, Ordering::Relaxed);
    });
}

/// Why the database could not be opened: the database is newer than this build, or the
/// browser will not provide IndexedDB at all.
fn open_failed(error: impl std::fmt::Display) -> StoreError {
    let text = format!("opening the event database failed: {error}");
    if text.contains("VersionError") {
        StoreError::Backend(format!(
            "{text}. It was saved by a newer version of Event Dojo than this page: reload to get the newest version; nothing stored is lost"
        ))
    } else {
        StoreError::Unavailable(text)
    }
}

impl IdbStore {
    /// Opens (creating or migrating as needed) the database called `name`.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        Self::open_with(name, || {}).await
    }

    /// Opens the database, calling `on_blocked` if an upgrade has to wait because another
    /// tab holds an older version open. The open then finishes once that tab lets go.
    pub async fn open_with(
        name: &str,
        on_blocked: impl Fn() + 'static,
    ) -> Result<Self, StoreError> {
        let db = Database::open(name)
            .with_version(SCHEMA_VERSION)
            .with_on_blocked(move |_| {
                on_blocked();
                Ok(())
            })
            .with_on_upgrade_needed(upgrade)
            .await
            .map_err(open_failed)?;
        let closed_for_upgrade = Arc::new(AtomicBool::new(false));
        let_go_on_version_change(&db, closed_for_upgrade.clone());
        let store = Self {
            db,
            versions: Arc::default(),
            closed_for_upgrade,
        };
        let prepared = async {
            store.move_legacy_events().await?;
            store.index_identities().await
        };
        match prepared.await {
            Err(_) if store.closed_for_upgrade.load(Ordering::Relaxed) => Err(StoreError::Backend(
                "a newer version of Event Dojo in another tab upgraded the database while this tab was opening it: reload this tab to carry on; nothing stored is lost".into(),
            )),
            Err(e) => Err(e),
            Ok(()) => Ok(store),
        }
    }

    /// Deletes the database called `name` (used by tests to start from nothing).
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Database::delete_by_name(name)
            .map_err(|e| backend("deleting the database failed", e))?
            .await
            .map_err(|e| backend("deleting the database failed", e))
    }

    /// Closes the connection so the database can be deleted or upgraded.
    pub fn close(self) {
        self.db.close();
    }

    /// Calls `on_closed` once another tab's upgrade (or deletion) of the database has
    /// closed this connection (see [`let_go_on_version_change`]), at once if it already
    /// has.
    pub fn on_closed_for_upgrade(&self, on_closed: impl Fn() + 'static) {
        if self.closed_for_upgrade.load(Ordering::Relaxed) {
            on_closed();
            return;
        }
        on_version_change(&self.db, on_closed);
    }

    /// The global position of the newest event, or 0 when the store is empty.
    pub async fn head(&self) -> Result<u64, StoreError> {
        let tx = self
            .db
            .transaction(META)
            .build()
            .map_err(|e| backend("reading the head failed", e))?;
        let meta = tx
            .object_store(META)
            .map_err(|e| backend("reading the head failed", e))?;
        read_counter(&meta, HEAD_KEY).await
    }

    /// The document saved under `name`, as its JSON text.
    pub async fn document(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.get_text(DOCUMENTS, name, "reading a saved document failed")
            .await
    }

    /// Saves `text` under `name`, replacing what was there, in one transaction.
    pub async fn put_document(&self, name: &str, text: &str) -> Result<(), StoreError> {
        self.put_text(DOCUMENTS, name, text, "saving a document failed")
            .await
    }

    /// The snapshot of the read models called `name`, as its JSON text.
    pub async fn snapshot(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.get_text(SNAPSHOTS, name, "reading a snapshot failed")
            .await
    }

    /// Saves a snapshot of the read models called `name`, replacing the older one.
    pub async fn put_snapshot(&self, name: &str, text: &str) -> Result<(), StoreError> {
        self.put_text(SNAPSHOTS, name, text, "saving a snapshot failed")
            .await
    }

    async fn get_text(
        &self,
        store: &str,
        key: &str,
        context: &str,
    ) -> Result<Option<String>, StoreError> {
        let fail = |e| backend(context, e);
        let tx = self.db.transaction(store).build().map_err(fail)?;
        let texts = tx.object_store(store).map_err(fail)?;
        texts
            .get(key)
            .primitive()
            .map_err(fail)?
            .await
            .map_err(fail)
    }

    async fn put_text(
        &self,
        store: &str,
        key: &str,
        text: &str,
        context: &str,
    ) -> Result<(), StoreError> {
        let fail = |e| backend(context, e);
        let tx = self
            .db
            .transaction(store)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(fail)?;
        let texts = tx.object_store(store).map_err(fail)?;
        texts
            .put(text.to_owned())
            .with_key(key)
            .primitive()
            .map_err(fail)?;
        commit(tx, context).await
    }
}

/// Creates or migrates the schema. Each arm moves one version forward, so a database at
/// any older version reaches [`SCHEMA_VERSION`] by running the arms in order. A new
/// database gets no legacy stores; an old one keeps them until
/// [`IdbStore::move_legacy_events`] has moved their events.
fn upgrade(event: VersionChangeEvent, db: Database) -> indexed_db_futures::Result<()> {
    let old = event.old_version() as u32;
    if old < 1 {
        db.create_object_store(META).build()?;
    }
    if old < 2 {
        db.create_object_store(DOCUMENTS).build()?;
    }
    if old < 3 {
        db.create_object_store(SNAPSHOTS).build()?;
    }
    if old < 4 {
        db.create_object_store(CHUNKS)
            .with_key_path("last".into())
            .build()?
            .create_index(STREAM_VERSION_INDEX, "streams".into())
            .with_unique(true)
            .with_multi_entry(true)
            .build()?;
    }
    if old < 5 {
        db.create_object_store(IDENTITIES)
            .with_key_path("last".into())
            .build()?
            .create_index(IDENTITY_INDEX, "ids".into())
            .with_unique(true)
            .with_multi_entry(true)
            .build()?;
    }
    Ok(())
}

async fn read_counter(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
) -> Result<u64, StoreError> {
    let value: Option<f64> = store
        .get(key)
        .primitive()
        .map_err(|e| backend("reading a counter failed", e))?
        .await
        .map_err(|e| backend("reading a counter failed", e))?;
    Ok(value.map_or(0, |v| v as u64))
}

/// Each event's stream and version in `chunk`, from its `streams` and `slots`, or `None`
/// when they do not fit together.
fn chunk_keys(chunk: &StoredChunk, count: usize) -> Option<Vec<(&str, u64)>> {
    let streams = chunk.streams.as_array()?;
    let slots = chunk.slots.as_array()?;
    if slots.len() != count {
        return None;
    }
    let slots: Vec<usize> = slots
        .iter()
        .map(|s| s.as_u64().map(|s| s as usize))
        .collect::<Option<_>>()?;
    // A stream's events here end at its highest version: count them back from there.
    let mut left = vec![0u64; streams.len()];
    for &slot in &slots {
        *left.get_mut(slot)? += 1;
    }
    let mut keys = Vec::with_capacity(count);
    for slot in slots {
        let entry = &streams[slot];
        let stream = entry.get(0)?.as_str()?;
        let highest = entry.get(1)?.as_f64()? as u64;
        keys.push((stream, (highest + 1).checked_sub(left[slot])?));
        left[slot] -= 1;
    }
    Some(keys)
}

/// The events of `chunk` whose positions pass `wanted`, in order. A damaged chunk or
/// event fails with the first damaged position that was wanted.
fn decode_chunk(
    chunk: &StoredChunk,
    wanted: impl Fn(u64, &str, u64) -> bool,
    out: &mut Vec<EventEnvelope>,
) -> Result<(), StoreError> {
    let last = chunk.last as u64;
    let (Some(first), Some(text)) = (chunk.first.map(|f| f as u64), chunk.events.as_str()) else {
        return Err(StoreError::Corrupt {
            position: last,
            detail: "the chunk holding it is missing its fields".into(),
        });
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let keys = (first <= last && lines.len() as u64 == last - first + 1)
        .then(|| chunk_keys(chunk, lines.len()))
        .flatten();
    let Some(keys) = keys else {
        return Err(StoreError::Corrupt {
            position: first.min(last),
            detail: "the chunk holding it does not hold one event per position".into(),
        });
    };
    for (i, (line, (stream, version))) in lines.iter().zip(keys).enumerate() {
        let position = first + i as u64;
        if !wanted(position, stream, version) {
            continue;
        }
        let event = EventEnvelope::from_cloudevent_json(line).map_err(|e| StoreError::Corrupt {
            position,
            detail: e.to_string(),
        })?;
        out.push(event);
    }
    Ok(())
}

/// A `chunks` record given as JSON, decoded as a read decodes it: every event, or the
/// first damaged position. For the fuzz targets, which feed it damaged records.
#[cfg(fuzzing)]
pub fn decode_chunk_json(json: &str) -> Result<Vec<EventEnvelope>, String> {
    let chunk: StoredChunk = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    decode_chunk(&chunk, |_, _, _| true, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Events waiting to be written as one `chunks` record.
#[derive(Default)]
struct ChunkBuffer {
    first: u64,
    count: usize,
    /// The events' CloudEvents JSON, one per line.
    events: String,
    /// Each stream in the chunk with its highest version, in order of first appearance.
    streams: Vec<(String, u64)>,
    slots: Vec<u32>,
    /// The events' identities as JSON `[source, id]` keys, comma-separated, for the
    /// `identities` record.
    ids: Vec<u8>,
}

/// Appends `text` to `out` as a JSON string.
fn push_json_str(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(out, text).expect("writing JSON into a Vec cannot fail");
}

/// A `chunks` record's fields but its events, as JSON for the browser's parser.
#[derive(serde::Serialize)]
struct ChunkFields<'a> {
    first: u64,
    last: u64,
    streams: &'a [(String, u64)],
    slots: &'a [u32],
}

impl ChunkBuffer {
    fn push(
        &mut self,
        stream: &str,
        version: u64,
        envelope_json: &str,
        identity: Option<(&str, &str)>,
    ) {
        if let Some((source, id)) = identity {
            if !self.ids.is_empty() {
                self.ids.push(b',');
            }
            self.ids.push(b'[');
            push_json_str(&mut self.ids, source);
            self.ids.push(b',');
            push_json_str(&mut self.ids, id);
            self.ids.push(b']');
        }
        if self.count > 0 {
            self.events.push('\n');
        }
        self.events.push_str(envelope_json);
        self.count += 1;
        // Chunks hold at most CHUNK_EVENTS events, so a linear search stays short.
        let slot = match self.streams.iter().position(|(s, _)| s == stream) {
            Some(i) => {
                self.streams[i].1 = version;
                i
            }
            None => {
                self.streams.push((stream.to_owned(), version));
                self.streams.len() - 1
            }
        };
        self.slots.push(slot as u32);
    }

    /// Adds the requests that write the buffered events, if any, and their identities
    /// (into `identities`, when given), and empties the buffer. Each record crosses into
    /// JavaScript whole: its small fields as one JSON text for the browser's parser, its
    /// events as one string (a value or a string per field or per event costs far more
    /// in crossings than IndexedDB spends storing it).
    fn flush(
        &mut self,
        chunks: &indexed_db_futures::object_store::ObjectStore<'_>,
        identities: Option<&indexed_db_futures::object_store::ObjectStore<'_>>,
    ) -> indexed_db_futures::Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        let last = self.first + self.count as u64 - 1;
        let fields = serde_json::to_string(&ChunkFields {
            first: self.first,
            last,
            streams: &self.streams,
            slots: &self.slots,
        })
        .expect("numbers and strings always serialise");
        let record = js_sys::JSON::parse(&fields)?;
        js_sys::Reflect::set(&record, &"events".into(), &self.events.as_str().into())?;
        // Requests go out when built; the commit waits for all of them.
        chunks.add(record).primitive()?;
        if let Some(identities) = identities {
            let ids = std::str::from_utf8(&self.ids).expect("serde_json writes UTF-8");
            let record = js_sys::JSON::parse(&format!(r#"{{"last":{last},"ids":[{ids}]}}"#))?;
            identities.add(record).primitive()?;
        }
        self.ids.clear();
        self.first += self.count as u64;
        self.count = 0;
        self.events.clear();
        self.streams.clear();
        self.slots.clear();
        Ok(())
    }
}

/// An `identities` record: the chunk's `last` and its events' identities.
fn identity_record(
    last: &wasm_bindgen::JsValue,
    ids: &js_sys::Array,
) -> indexed_db_futures::Result<js_sys::Object> {
    let record = js_sys::Object::new();
    js_sys::Reflect::set(&record, &"last".into(), last)?;
    js_sys::Reflect::set(&record, &"ids".into(), ids)?;
    Ok(record)
}

/// [`stream_range`] as JavaScript values, for the cursor builder.
fn js_stream_range(stream: &str, from_version: u64) -> KeyRange<wasm_bindgen::JsValue> {
    let bound =
        |v: f64| -> wasm_bindgen::JsValue { js_sys::Array::of2(&stream.into(), &v.into()).into() };
    KeyRange::Bound(
        bound(from_version.max(1) as f64),
        false,
        bound(f64::MAX),
        false,
    )
}

/// The bounds of a stream's index entries from `from_version` on.
fn stream_range(stream: &str, from_version: u64) -> KeyRange<(String, f64)> {
    KeyRange::Bound(
        (stream.to_owned(), from_version.max(1) as f64),
        false,
        (stream.to_owned(), f64::MAX),
        false,
    )
}

impl IdbStore {
    fn cache(&self) -> MutexGuard<'_, StreamVersions> {
        self.versions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The first of `identities` the store holds, if any.
    async fn first_present(&self, identities: &[(String, String)]) -> Option<(String, String)> {
        let tx = self.db.transaction(IDENTITIES).build().ok()?;
        let store = tx.object_store(IDENTITIES).ok()?;
        let index = store.index(IDENTITY_INDEX).ok()?;
        let present = present_identities(
            &index,
            identities.iter().map(|(s, i)| (s.as_str(), i.as_str())),
        )
        .await
        .ok()?;
        identities
            .iter()
            .zip(present)
            .find(|(_, present)| *present)
            .map(|(identity, _)| identity.clone())
    }

    /// Appends each `(stream, event)` whose identity is not stored yet (nor earlier in
    /// `events`), in one transaction: see [`EventStore::append_new`].
    async fn add_new(&self, events: Vec<(String, NewEvent)>) -> Result<Added, StoreError> {
        let total = events.len();
        let batch = events
            .into_iter()
            .map(|(stream, event)| (stream, ExpectedVersion::Any, vec![event]))
            .collect();
        let (result, added) = self.write(batch, true).await?;
        Ok(Added {
            added,
            already_present: total - added,
            result,
        })
    }

    /// Writes `batch` in one strict read-write transaction, with the events' identities.
    /// With `skip_present`, events whose identity is stored already or came earlier in the
    /// batch are left out first. Returns where the events landed and how many were added.
    async fn write(
        &self,
        mut batch: Vec<StreamAppend>,
        skip_present: bool,
    ) -> Result<(AppendResult, usize), StoreError> {
        if batch.iter().any(|(stream, _, _)| stream.is_empty()) {
            return Err(StoreError::EmptyStreamId);
        }
        let fail = |e: indexed_db_futures::error::Error| backend("appending failed", e);
        // Strict durability: when the commit completes the events are on disk, so a
        // crash of the browser or the machine never loses a committed event.
        let mut options = indexed_db_futures::transaction::TransactionOptions::new();
        options.set_durability(indexed_db_futures::transaction::TransactionDurability::Strict);
        let tx = self
            .db
            .transaction([CHUNKS, META, IDENTITIES])
            .with_mode(TransactionMode::Readwrite)
            .with_options(options)
            .build()
            .map_err(fail)?;
        let chunks = tx.object_store(CHUNKS).map_err(fail)?;
        let meta = tx.object_store(META).map_err(fail)?;
        let identities = tx.object_store(IDENTITIES).map_err(fail)?;
        let head = meta
            .get(HEAD_KEY)
            .primitive()
            .map_err(fail)?
            .await
            .map_err(fail)?
            .map_or(0, |v: f64| v as u64);
        if skip_present {
            let index = identities.index(IDENTITY_INDEX).map_err(fail)?;
            let present = present_identities(
                &index,
                batch
                    .iter()
                    .flat_map(|(_, _, events)| events)
                    .map(|e| (e.source.as_str(), e.id.as_str())),
            )
            .await
            .map_err(fail)?;
            let mut present = present.into_iter();
            let mut seen = std::collections::HashSet::new();
            for (_, _, events) in &mut batch {
                events.retain(|e| {
                    let stored = present.next().unwrap_or(false);
                    !stored && seen.insert((e.source.clone(), e.id.clone()))
                });
            }
            batch.retain(|(_, _, events)| !events.is_empty());
        }
        self.catch_up(&chunks, head).await.map_err(fail)?;
        self.ask_for_unknown_streams(&chunks, &batch)
            .await
            .map_err(fail)?;

        let mut position = head;
        let mut pending: HashMap<String, u64> = HashMap::new();
        let mut last_version = 0;
        let mut buffer = ChunkBuffer {
            first: head + 1,
            ..ChunkBuffer::default()
        };
        for (stream, expected, events) in batch {
            let actual = match pending.get(&stream) {
                Some(v) => *v,
                None => self.cache().versions.get(&stream).copied().unwrap_or(0),
            };
            if !expected.admits(actual) {
                // Dropping the transaction without committing rolls the whole batch back.
                return Err(StoreError::Conflict {
                    stream,
                    expected,
                    actual,
                });
            }
            let mut version = actual;
            for event in events {
                version += 1;
                position += 1;
                let envelope = EventEnvelope::recorded(event, &stream, version, position);
                let json = envelope.to_cloudevent_json();
                // Dropping the transaction without committing rolls the whole batch back.
                check_event_size(&envelope, &json)?;
                buffer.push(
                    &stream,
                    version,
                    &json,
                    Some((&envelope.source, &envelope.id)),
                );
                if buffer.count == CHUNK_EVENTS {
                    buffer.flush(&chunks, Some(&identities)).map_err(fail)?;
                }
            }
            last_version = version;
            pending.insert(stream, version);
        }
        buffer.flush(&chunks, Some(&identities)).map_err(fail)?;
        if position > head {
            meta.put(position as f64)
                .with_key(HEAD_KEY)
                .primitive()
                .map_err(fail)?;
        }
        commit(tx, "appending failed").await?;

        let mut cache = self.cache();
        for (stream, version) in &pending {
            cache.learn(stream, *version);
        }
        if cache.head == Some(head) {
            cache.head = Some(position);
        }
        Ok((
            AppendResult {
                first_position: head + 1,
                last_position: position,
                stream_version: last_version,
            },
            (position - head) as usize,
        ))
    }

    /// Makes the stream cache exact for `head`: reads what other tabs appended since it
    /// was last exact, or starts it over.
    async fn catch_up(
        &self,
        chunks: &indexed_db_futures::object_store::ObjectStore<'_>,
        head: u64,
    ) -> indexed_db_futures::Result<()> {
        let known = self.cache().head;
        match known {
            Some(h) if h == head => {}
            Some(h) if h < head && head - h <= CATCH_UP_LIMIT => {
                let newer = chunks
                    .get_all::<StoredChunk>()
                    .with_query::<f64, _>(KeyRange::LowerBound(h as f64, true))
                    .serde()?
                    .await?;
                let mut cache = self.cache();
                for chunk in newer {
                    let chunk = chunk?;
                    for key in chunk.streams.as_array().into_iter().flatten() {
                        if let (Some(stream), Some(version)) = (
                            key.get(0).and_then(serde_json::Value::as_str),
                            key.get(1).and_then(serde_json::Value::as_f64),
                        ) {
                            cache.learn(stream, version as u64);
                        }
                    }
                }
                cache.head = Some(head);
            }
            _ => self.cache().restart(head),
        }
        Ok(())
    }

    /// Asks the stream index for the versions of the batch's streams the cache does not
    /// know, all at once: a stream's newest index entry, `[stream, highest version]`.
    async fn ask_for_unknown_streams(
        &self,
        chunks: &indexed_db_futures::object_store::ObjectStore<'_>,
        batch: &[StreamAppend],
    ) -> indexed_db_futures::Result<()> {
        let unknown: Vec<&str> = {
            let cache = self.cache();
            if cache.complete {
                return Ok(());
            }
            let mut unknown: Vec<&str> = batch
                .iter()
                .map(|(s, _, _)| s.as_str())
                .filter(|s| !cache.versions.contains_key(*s))
                .collect();
            unknown.sort_unstable();
            unknown.dedup();
            unknown
        };
        if unknown.is_empty() {
            return Ok(());
        }
        let index = chunks.index(STREAM_VERSION_INDEX)?;
        // A stream's newest index entry holds its version. Requests go out when built, so
        // the batch waits for one round trip.
        let requests = unknown
            .iter()
            .map(|s| {
                index
                    .open_key_cursor()
                    .with_query::<wasm_bindgen::JsValue, _>(js_stream_range(s, 1))
                    .with_direction(indexed_db_futures::cursor::CursorDirection::Prev)
                    .primitive()
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (stream, request) in unknown.iter().zip(requests) {
            let version = match request.await? {
                Some(cursor) => {
                    use indexed_db_futures::internals::SystemRepr;
                    use wasm_bindgen::JsCast;
                    let sys: &web_sys::IdbCursor = cursor.as_sys().unchecked_ref();
                    // The key is [stream, version].
                    let key = sys.key().map_err(indexed_db_futures::error::Error::from)?;
                    js_sys::Reflect::get_u32(&key, 1)
                        .ok()
                        .and_then(|v| v.as_f64())
                        .map_or(0, |v| v as u64)
                }
                None => 0,
            };
            self.cache().learn(stream, version);
        }
        Ok(())
    }

    /// Gives a database from schema version 4 its `identities`: one record per chunk,
    /// read from the chunk's events, in one transaction. Runs on every open and does
    /// nothing once `identities` has records (or `chunks` has none); tabs opening at once
    /// take turns. An identity an older build stored twice is indexed at its first event
    /// only (both events stay), and a damaged event has no identity to index.
    async fn index_identities(&self) -> Result<(), StoreError> {
        let fail =
            |e: indexed_db_futures::error::Error| backend("indexing the stored events failed", e);
        let tx = self
            .db
            .transaction([CHUNKS, IDENTITIES])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(fail)?;
        let chunks = tx.object_store(CHUNKS).map_err(fail)?;
        let identities = tx.object_store(IDENTITIES).map_err(fail)?;
        let counts = (
            identities.count().primitive().map_err(fail)?,
            chunks.count().primitive().map_err(fail)?,
        );
        let (indexed, stored): (u32, u32) =
            (counts.0.await.map_err(fail)?, counts.1.await.map_err(fail)?);
        if indexed > 0 || stored == 0 {
            return Ok(());
        }
        let mut seen = std::collections::HashSet::new();
        let mut from = 0.0;
        loop {
            let page = chunks
                .get_all::<StoredChunk>()
                .with_query::<f64, _>(KeyRange::LowerBound(from, true))
                .with_limit(500)
                .serde()
                .map_err(fail)?
                .await
                .map_err(fail)?;
            let mut last = None;
            for chunk in page {
                let chunk = chunk.map_err(fail)?;
                let ids: js_sys::Array = chunk
                    .events
                    .as_str()
                    .unwrap_or_default()
                    .split('\n')
                    .filter_map(|line| serde_json::from_str::<StoredIdentity>(line).ok())
                    .filter(|i| seen.insert((i.source.clone(), i.id.clone())))
                    .map(|i| identity_key(&i.source, &i.id))
                    .collect();
                identities
                    .add(identity_record(&chunk.last.into(), &ids).map_err(fail)?)
                    .primitive()
                    .map_err(fail)?;
                last = Some(chunk.last);
            }
            match last {
                Some(l) => from = l,
                None => break,
            }
        }
        commit(tx, "indexing the stored events failed").await
    }

    /// Moves the events an older build kept one per record (schema versions 1 to 3) into
    /// `chunks`, in one transaction, and empties the old stores. Runs on every open, and
    /// does nothing once they are empty; tabs opening at once take turns.
    async fn move_legacy_events(&self) -> Result<(), StoreError> {
        if !self.db.object_store_names().any(|n| n == LEGACY_EVENTS) {
            return Ok(());
        }
        let fail = |e: indexed_db_futures::error::Error| {
            backend("moving the events of an older version failed", e)
        };
        let tx = self
            .db
            .transaction([LEGACY_EVENTS, LEGACY_STREAMS, CHUNKS])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(fail)?;
        let legacy = tx.object_store(LEGACY_EVENTS).map_err(fail)?;
        let count: u32 = legacy
            .count()
            .primitive()
            .map_err(fail)?
            .await
            .map_err(fail)?;
        if count == 0 {
            return Ok(());
        }
        let chunks = tx.object_store(CHUNKS).map_err(fail)?;
        let mut buffer = ChunkBuffer::default();
        let mut from = 0.0;
        loop {
            let page = legacy
                .get_all::<LegacyRecord>()
                .with_query::<f64, _>(KeyRange::LowerBound(from, true))
                .with_limit(5_000)
                .serde()
                .map_err(fail)?
                .await
                .map_err(fail)?;
            let mut last = None;
            for record in page {
                let record = record.map_err(fail)?;
                let position = record.globalposition as u64;
                // A chunk holds consecutive positions only.
                if buffer.count == CHUNK_EVENTS
                    || (buffer.count > 0 && position != buffer.first + buffer.count as u64)
                {
                    buffer.flush(&chunks, None).map_err(fail)?;
                }
                if buffer.count == 0 {
                    buffer.first = position;
                }
                // A damaged envelope stays damaged, and is reported as such when read.
                let text = match record.envelope {
                    serde_json::Value::String(s) => s.replace('\n', " "),
                    other => other.to_string(),
                };
                buffer.push(&record.streamid, record.streamversion as u64, &text, None);
                last = Some(record.globalposition);
            }
            match last {
                Some(l) => from = l,
                None => break,
            }
        }
        buffer.flush(&chunks, None).map_err(fail)?;
        legacy.clear().map_err(fail)?;
        tx.object_store(LEGACY_STREAMS)
            .map_err(fail)?
            .clear()
            .map_err(fail)?;
        commit(tx, "moving the events of an older version failed").await
    }
}

impl EventStore for IdbStore {
    /// One read-write transaction. An identity stored already is found by the unique
    /// identity index refusing the transaction.
    async fn append_batch(&self, batch: Vec<StreamAppend>) -> Result<AppendResult, StoreError> {
        let mut seen = std::collections::HashSet::new();
        let repeated = batch
            .iter()
            .flat_map(|(_, _, events)| events)
            .find(|e| !seen.insert((e.source.as_str(), e.id.as_str())));
        if let Some(e) = repeated {
            return Err(StoreError::Duplicate {
                event_source: e.source.clone(),
                id: e.id.clone(),
            });
        }
        let identities: Vec<(String, String)> = seen
            .into_iter()
            .map(|(s, i)| (s.to_owned(), i.to_owned()))
            .collect();
        match self.write(batch, false).await {
            // The identity index refused the transaction: say which event was stored
            // already, if that was the reason.
            Err(StoreError::Aborted(text)) if text.contains("ConstraintError") => {
                match self.first_present(&identities).await {
                    Some((event_source, id)) => Err(StoreError::Duplicate { event_source, id }),
                    None => Err(StoreError::Aborted(text)),
                }
            }
            other => other.map(|(result, _)| result),
        }
    }

    async fn append_new(&self, events: Vec<(String, NewEvent)>) -> Result<Added, StoreError> {
        self.add_new(events).await
    }

    async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        let fail = |e: indexed_db_futures::error::Error| backend("reading a stream failed", e);
        let tx = self.db.transaction(CHUNKS).build().map_err(fail)?;
        let chunks = tx.object_store(CHUNKS).map_err(fail)?;
        let index = chunks.index(STREAM_VERSION_INDEX).map_err(fail)?;
        // The chunks holding the stream's events from `from_version` on, in order.
        let holding: Vec<f64> = index
            .get_all_keys::<f64>()
            .with_query(stream_range(stream, from_version))
            .serde()
            .map_err(fail)?
            .await
            .map_err(fail)?
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        let requests = holding
            .iter()
            .map(|last| chunks.get::<StoredChunk, f64, _>(*last).serde())
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        let mut out = Vec::new();
        for request in requests {
            if let Some(chunk) = request.await.map_err(fail)? {
                decode_chunk(&chunk, |_, s, v| s == stream && v >= from_version, &mut out)?;
            }
        }
        Ok(out)
    }

    async fn read_all(
        &self,
        from_position: u64,
        max: usize,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        let fail = |e: indexed_db_futures::error::Error| backend("reading the log failed", e);
        let mut out = Vec::new();
        let mut next = from_position.max(1);
        while out.len() < max {
            let tx = self.db.transaction(CHUNKS).build().map_err(fail)?;
            let chunks = tx.object_store(CHUNKS).map_err(fail)?;
            // Chunks hold up to CHUNK_EVENTS events; fewer if appends were small, in which
            // case the loop asks again from where this page ended.
            let want = max - out.len();
            let limit = want.div_ceil(CHUNK_EVENTS) + 1;
            let page = chunks
                .get_all::<StoredChunk>()
                .with_query::<f64, _>(KeyRange::LowerBound(next as f64, false))
                .with_limit(u32::try_from(limit).unwrap_or(u32::MAX))
                .serde()
                .map_err(fail)?
                .await
                .map_err(fail)?;
            let mut last = None;
            // The positions this page may add: [next, end).
            let end = next + want as u64;
            for chunk in page {
                let chunk = chunk.map_err(fail)?;
                decode_chunk(&chunk, |p, _, _| p >= next && p < end, &mut out)?;
                last = Some(chunk.last as u64);
                if out.len() >= max {
                    break;
                }
            }
            match last {
                Some(l) => next = l + 1,
                None => break,
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::{backend, open_failed};
    use dojo_engine::StoreError;

    #[test]
    fn browser_errors_become_the_failures_the_app_reacts_to() {
        let quota = backend(
            "appending failed",
            "QuotaExceededError: the quota has been exceeded",
        );
        assert!(matches!(quota, StoreError::QuotaExceeded(_)));
        assert!(quota.leaves_store_read_only());
        assert!(matches!(
            backend(
                "appending failed",
                "ConstraintError: Key already exists in the object store."
            ),
            StoreError::Aborted(_)
        ));
        assert!(matches!(
            backend(
                "appending failed",
                "AbortError: The transaction was aborted"
            ),
            StoreError::Aborted(_)
        ));
        assert!(matches!(
            backend(
                "reading the log failed",
                "InvalidStateError: The database connection is closing."
            ),
            StoreError::Closed(_)
        ));
        assert!(matches!(backend("x", "DataError"), StoreError::Backend(_)));
        assert!(matches!(
            open_failed("The `indexedDB` getter returned `null` or `undefined`"),
            StoreError::Unavailable(_)
        ));
        assert!(open_failed(
            "VersionError: The requested version (3) is less than the existing version (4)."
        )
        .to_string()
        .contains("saved by a newer version of Event Dojo"));
    }
}
