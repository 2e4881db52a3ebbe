//! Persistence in the browser: the IndexedDB implementation of the engine's
//! `EventStore` trait, the write-behind queue for simulated event streams, and the
//! learner's saved documents (workshop session, lab, sandbox, exercise progress).
//! Nothing outside this module touches IndexedDB.

pub mod documents;
mod idb;
mod write_behind;

#[cfg(fuzzing)]
pub use idb::decode_chunk_json;
pub use idb::{IdbStore, StreamAppend, CHUNK_EVENTS, DB_NAME, SCHEMA_VERSION};
pub use write_behind::WriteBehind;
