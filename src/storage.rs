//! Persistence in the browser: the IndexedDB implementation of the engine's
//! `EventStore` trait (the `dojo-idb` crate, `idb/`, which the store worker shares), the
//! write-behind queue for simulated event streams, and the learner's saved documents
//! (workshop session, lab, sandbox, exercise progress). Nothing else in the app touches
//! IndexedDB.

pub mod documents;
mod write_behind;

#[cfg(fuzzing)]
pub use dojo_idb::decode_chunk_json;
pub use dojo_idb::{runs, worker, IdbStore, CHUNK_EVENTS, DB_NAME, SCHEMA_VERSION};
pub use write_behind::WriteBehind;
