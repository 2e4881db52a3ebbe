//! `IdbStore`: the engine's `EventStore` over IndexedDB, through `indexed_db_futures`.
//!
//! Schema (version [`SCHEMA_VERSION`]):
//! - `events`: one record per event, keyed in-line by `globalposition`, with a unique
//!   index `stream_version` on `[streamid, streamversion]`. The envelope itself is kept as
//!   its CloudEvents JSON text, so numbers and key order survive exactly.
//! - `streams`: stream id → current stream version.
//! - `meta`: `"head"` → the last global position.
//! - `documents` (since version 2): a name → JSON text of what a learner built outside
//!   the event log: the workshop session and the channels lab.
//! - `snapshots` (since version 3): a name → JSON text of read models folded up to a log
//!   position (`dojo_engine::projection::Snapshot`), so a reload folds only newer events.
//!
//! Every append runs its version check and all its writes in one read-write transaction
//! (with `strict` durability: a completed append is on disk) over the three stores, and awaits nothing but that transaction's own requests, so the
//! browser cannot auto-commit it half way. IndexedDB serialises read-write transactions
//! with overlapping scopes, which makes the check-then-write safe across tabs too.

use dojo_engine::{AppendResult, EventEnvelope, EventStore, ExpectedVersion, NewEvent, StoreError};
use indexed_db_futures::database::{Database, VersionChangeEvent};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyRange;
use serde::{Deserialize, Serialize};

/// The database the app uses.
pub const DB_NAME: &str = "event-dojo";
/// The schema version this build expects; `upgrade` migrates from every older one.
pub const SCHEMA_VERSION: u32 = 3;

const EVENTS: &str = "events";
const STREAMS: &str = "streams";
const META: &str = "meta";
const DOCUMENTS: &str = "documents";
const SNAPSHOTS: &str = "snapshots";
const STREAM_VERSION_INDEX: &str = "stream_version";
const HEAD_KEY: &str = "head";

/// One row of the `events` object store.
#[derive(Serialize)]
struct EventRecord {
    globalposition: f64,
    streamid: String,
    streamversion: f64,
    envelope: String,
}

/// A row as read back: only what decoding needs, and the envelope as whatever it holds,
/// so a damaged row is reported with its position instead of failing anonymously.
#[derive(Deserialize)]
struct StoredRecord {
    globalposition: f64,
    #[serde(default)]
    envelope: serde_json::Value,
}

/// An open connection to the event store database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct IdbStore {
    db: Database,
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
        Ok(Self { db })
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
/// any older version reaches [`SCHEMA_VERSION`] by running the arms in order.
fn upgrade(event: VersionChangeEvent, db: Database) -> indexed_db_futures::Result<()> {
    let old = event.old_version() as u32;
    if old < 1 {
        let events = db
            .create_object_store(EVENTS)
            .with_key_path("globalposition".into())
            .build()?;
        events
            .create_index(STREAM_VERSION_INDEX, ["streamid", "streamversion"].into())
            .with_unique(true)
            .build()?;
        db.create_object_store(STREAMS).build()?;
        db.create_object_store(META).build()?;
    }
    if old < 2 {
        db.create_object_store(DOCUMENTS).build()?;
    }
    if old < 3 {
        db.create_object_store(SNAPSHOTS).build()?;
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

fn decode(
    records: impl IntoIterator<Item = indexed_db_futures::Result<StoredRecord>>,
) -> Result<Vec<EventEnvelope>, StoreError> {
    records
        .into_iter()
        .map(|record| {
            let record = record.map_err(|e| backend("reading an event failed", e))?;
            let position = record.globalposition as u64;
            let Some(text) = record.envelope.as_str() else {
                return Err(StoreError::Corrupt {
                    position,
                    detail: "the record holds no event text".into(),
                });
            };
            EventEnvelope::from_cloudevent_json(text).map_err(|e| StoreError::Corrupt {
                position,
                detail: e.to_string(),
            })
        })
        .collect()
}

/// One stream's part of a batch: where it is expected to be, and what to add.
pub type StreamAppend = (String, ExpectedVersion, Vec<NewEvent>);

impl IdbStore {
    /// Appends to several streams in one read-write transaction: every stream's expected
    /// version is checked (in batch order, so a stream may appear twice) and either every
    /// event is stored, with consecutive positions, or none is.
    pub async fn append_batch(&self, batch: Vec<StreamAppend>) -> Result<AppendResult, StoreError> {
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
            .transaction([EVENTS, STREAMS, META])
            .with_mode(TransactionMode::Readwrite)
            .with_options(options)
            .build()
            .map_err(fail)?;
        let events_store = tx.object_store(EVENTS).map_err(fail)?;
        let streams = tx.object_store(STREAMS).map_err(fail)?;
        let meta = tx.object_store(META).map_err(fail)?;
        // Every stream's version is asked for at once: requests go out when built, so the
        // batch waits for one round trip, not one per stream.
        let head_request = meta.get(HEAD_KEY).primitive().map_err(fail)?;
        let mut distinct: Vec<&str> = batch.iter().map(|(s, _, _)| s.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let requests = distinct
            .iter()
            .map(|s| streams.get(*s).primitive())
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        let head = head_request
            .await
            .map_err(fail)?
            .map_or(0, |v: f64| v as u64);
        let mut stored: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        for (s, request) in distinct.iter().zip(requests) {
            let v: Option<f64> = request.await.map_err(fail)?;
            stored.insert((*s).to_owned(), v.map_or(0, |v| v as u64));
        }
        let mut position = head;
        let mut versions: std::collections::BTreeMap<String, u64> =
            std::collections::BTreeMap::new();
        let mut last_version = 0;
        for (stream, expected, events) in batch {
            let actual = match versions.get(&stream) {
                Some(v) => *v,
                None => stored.get(&stream).copied().unwrap_or(0),
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
                let record = EventRecord {
                    globalposition: position as f64,
                    streamid: stream.clone(),
                    streamversion: version as f64,
                    envelope: envelope.to_cloudevent_json(),
                };
                // Requests go out when built; the commit below waits for all of them.
                events_store.add(record).serde().map_err(fail)?;
            }
            last_version = version;
            versions.insert(stream, version);
        }
        for (stream, version) in &versions {
            streams
                .put(*version as f64)
                .with_key(stream.as_str())
                .primitive()
                .map_err(fail)?;
        }
        meta.put(position as f64)
            .with_key(HEAD_KEY)
            .primitive()
            .map_err(fail)?;
        commit(tx, "appending failed").await?;
        Ok(AppendResult {
            first_position: head + 1,
            last_position: position,
            stream_version: last_version,
        })
    }
}

impl EventStore for IdbStore {
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        self.append_batch(vec![(stream.to_owned(), expected, events)])
            .await
    }

    async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        let fail = |e: indexed_db_futures::error::Error| backend("reading a stream failed", e);
        let tx = self.db.transaction(EVENTS).build().map_err(fail)?;
        let events = tx.object_store(EVENTS).map_err(fail)?;
        let index = events.index(STREAM_VERSION_INDEX).map_err(fail)?;
        // Compound keys serialise as JS arrays: [streamid, streamversion].
        let lower = (stream.to_owned(), from_version.max(1) as f64);
        let upper = (stream.to_owned(), f64::MAX);
        let records = index
            .get_all::<StoredRecord>()
            .with_query::<(String, f64), _>(KeyRange::Bound(lower, false, upper, false))
            .serde()
            .map_err(fail)?
            .await
            .map_err(fail)?;
        decode(records)
    }

    async fn read_all(
        &self,
        from_position: u64,
        max: usize,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let fail = |e: indexed_db_futures::error::Error| backend("reading the log failed", e);
        let tx = self.db.transaction(EVENTS).build().map_err(fail)?;
        let store = tx.object_store(EVENTS).map_err(fail)?;
        let records = store
            .get_all::<StoredRecord>()
            .with_query::<f64, _>(KeyRange::LowerBound(from_position.max(1) as f64, false))
            .with_limit(u32::try_from(max).unwrap_or(u32::MAX))
            .serde()
            .map_err(fail)?
            .await
            .map_err(fail)?;
        decode(records)
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
