//! The event store contract: one narrow trait, its in-memory implementation, and the
//! conformance suite every implementation must pass.
//!
//! The trait is deliberately small (append, read one stream, read everything) so that
//! the IndexedDB adapter in the app and [`MemStore`] here can be held to exactly the
//! same contract by [`conformance::run_all`]. It says nothing about snapshots,
//! projections or subscriptions; those are built on top of it.

pub mod conformance;
mod faults;
mod mem;

pub use faults::{damaged_records, read_around_damage, Fault, FaultyStore, StoreHealth};
pub use mem::MemStore;

use crate::envelope::{EventEnvelope, NewEvent};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What the appender believes about the stream's current version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// Append whatever the stream's version is.
    Any,
    /// The stream must not exist yet (it has no events).
    NoStream,
    /// The stream must have exactly this many events (its last event has this version).
    Exact(u64),
}

impl std::fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::Exact(n) => write!(f, "version {n}"),
        }
    }
}

impl ExpectedVersion {
    /// Whether a stream whose current version is `actual` (0 = no stream) satisfies this.
    pub fn admits(self, actual: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == 0,
            ExpectedVersion::Exact(n) => actual == n,
        }
    }
}

/// Where an append landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendResult {
    /// Global position of the first appended event (equal to `last_position + 1` when
    /// the batch was empty).
    pub first_position: u64,
    /// Global position of the last appended event (the store's head after the append).
    pub last_position: u64,
    /// The stream's version after the append: pass it as `ExpectedVersion::Exact` next.
    pub stream_version: u64,
}

/// Why a store operation failed. Every message says what happened and what it means for
/// the learner's data; what to do about it in a browser is the app's to say. None of
/// these failures writes anything. It
/// crosses from the app's sample-history worker to the page as JSON, so it is serde data.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum StoreError {
    /// Optimistic concurrency: someone else appended to the stream first.
    #[error("stream \"{stream}\" was expected at {expected} but is at version {actual}")]
    Conflict {
        stream: String,
        expected: ExpectedVersion,
        actual: u64,
    },
    /// A stream id must be non-empty so events can be grouped and versioned.
    #[error("a stream id must not be empty")]
    EmptyStreamId,
    /// The browser's storage for the site is full.
    #[error("the browser's storage for this site is full, so nothing was written ({0}); everything already stored can still be read")]
    QuotaExceeded(String),
    /// The backend aborted the transaction (a broken constraint, a crash, a timeout).
    #[error("the browser aborted the transaction, so nothing from it was written ({0})")]
    Aborted(String),
    /// The database cannot be opened or used at all (private browsing, blocked storage).
    #[error("this browser will not let Event Dojo use IndexedDB here, so nothing can be read or saved ({0})")]
    Unavailable(String),
    /// The connection was closed under the app (another tab is upgrading the database).
    #[error("the connection to the database was closed, probably because another tab is upgrading it ({0}); nothing stored is lost")]
    Closed(String),
    /// A stored record no longer decodes as an event.
    #[error("the stored event at position {position} is damaged and cannot be read ({detail}); the events around it are intact")]
    Corrupt { position: u64, detail: String },
    /// An event over the one size limit on an event (`transfer::MAX_EVENT_BYTES`, as its
    /// CloudEvents line), which import and EventBridge apply too.
    #[error("event \"{id}\" is {bytes} bytes as a CloudEvents line, and an event may have at most 262,144 bytes (256 KiB), the limit import and EventBridge share; nothing was written")]
    TooLarge { id: String, bytes: usize },
    /// A CloudEvent's identity is its `source` plus `id`, and the store holds each
    /// identity once: an append that would store one again is refused whole. Imports
    /// use [`EventStore::append_new`], which leaves such events out instead.
    #[error("an event with source \"{event_source}\" and id \"{id}\" is already stored (a CloudEvent is identified by its source and id), so nothing from this append was written; give the new event another id")]
    Duplicate { event_source: String, id: String },
    /// An event does not fit its type's schema, and the schema registry enforces it at
    /// publish: refused before anything was written.
    #[error("event \"{id}\" was refused, so nothing was written: {reason}")]
    Refused { id: String, reason: String },
    /// The storage backend failed in some other way; nothing from the failed call was
    /// committed.
    #[error("storage failed: {0}")]
    Backend(String),
}

impl StoreError {
    /// Whether the store can still be read after this failure but should not be written
    /// to until the learner does something (frees space, reloads).
    pub fn leaves_store_read_only(&self) -> bool {
        matches!(self, StoreError::QuotaExceeded(_) | StoreError::Closed(_))
    }
}

/// Refuses an event whose CloudEvents line (`cloudevent_json`, as the store keeps it and
/// export writes it) is over [`crate::transfer::MAX_EVENT_BYTES`]: every way an event
/// enters the store meets the limit import applies, so nothing stored exports as a line
/// its own import refuses.
pub fn check_event_size(envelope: &EventEnvelope, cloudevent_json: &str) -> Result<(), StoreError> {
    if cloudevent_json.len() > crate::transfer::MAX_EVENT_BYTES {
        return Err(StoreError::TooLarge {
            id: envelope.id.clone(),
            bytes: cloudevent_json.len(),
        });
    }
    Ok(())
}

/// What [`EventStore::append_new`] did: how many events it added and how many it left
/// out because their identity was already stored (or came earlier in the same call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    pub added: usize,
    pub already_present: usize,
    /// Where the added events landed; when none was added, `first_position` is one past
    /// `last_position`, the unchanged head.
    pub result: AppendResult,
}

/// One stream's part of [`EventStore::append_batch`]: the stream, the version its
/// appender expects, and its events.
pub type StreamAppend = (String, ExpectedVersion, Vec<NewEvent>);

/// A CloudEvent's identity: its `source` and its `id`.
pub fn identity(event: &NewEvent) -> (&str, &str) {
    (&event.source, &event.id)
}

/// An append-only, totally ordered event log split into streams.
///
/// Positions: every stored event has a *global position* (1, 2, 3, … with no gaps, in
/// commit order) and a *stream version* (1, 2, 3, … inside its stream). A stream that has
/// no events has version 0 and does not exist.
// Browser futures are not `Send`, so the trait uses plain `async fn` and callers are
// generic over `S: EventStore` instead of boxing futures.
#[allow(
    async_fn_in_trait,
    reason = "implementations run on a single-threaded browser executor"
)]
pub trait EventStore {
    /// Appends `events` to `stream` if its current version satisfies `expected`: a batch
    /// of one stream ([`EventStore::append_batch`]).
    ///
    /// Contract: the version check and the writes are atomic. Either every event in the
    /// batch is stored, consecutively, with consecutive stream versions and consecutive
    /// global positions, or none is. On a version mismatch nothing is written and the
    /// error is [`StoreError::Conflict`] naming the expected and the actual version.
    /// An empty batch writes nothing but still checks the version.
    ///
    /// An event whose identity ([`identity`]: source plus id) is already stored, or
    /// repeats one earlier in the batch, refuses the whole batch with
    /// [`StoreError::Duplicate`].
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        self.append_batch(vec![(stream.to_owned(), expected, events)])
            .await
    }

    /// Appends to several streams at once, with [`EventStore::append`]'s contract over
    /// the whole batch: every stream's expected version is checked, in batch order (a
    /// stream may appear twice, and its second entry sees the first's events), and
    /// either every event is stored, with consecutive positions in batch order, or none
    /// is. The result's `stream_version` is the batch's last stream's version after it.
    /// Failures are checked in one order in every store: an empty stream id, then an
    /// identity repeated inside the batch, then each entry's version and each event's
    /// size in batch order, then identities stored already.
    async fn append_batch(&self, batch: Vec<StreamAppend>) -> Result<AppendResult, StoreError>;

    /// Appends each `(stream, event)` whose identity is not stored yet (and not earlier
    /// in `events`), at any stream version, in one transaction: what imports and the
    /// classroom use, so receiving or importing an event twice stores it once. Events
    /// added keep their order, with consecutive positions. Any other failure (an event
    /// over the size limit, a full disk) writes nothing.
    async fn append_new(&self, events: Vec<(String, NewEvent)>) -> Result<Added, StoreError>;

    /// Reads the events of `stream` whose stream version is `>= from_version`, in version
    /// order. An unknown stream reads as empty, not as an error.
    async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<EventEnvelope>, StoreError>;

    /// Reads at most `max` events whose global position is `>= from_position`, in position
    /// order. Reading past the head returns an empty list. Paging with
    /// `from_position = last.position + 1` visits every event exactly once.
    async fn read_all(
        &self,
        from_position: u64,
        max: usize,
    ) -> Result<Vec<EventEnvelope>, StoreError>;
}
