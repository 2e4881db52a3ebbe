//! Persistence in the browser: the IndexedDB implementation of the engine's
//! `EventStore` trait, and the learner's saved documents (workshop session, lab).
//! Nothing outside this module touches IndexedDB.

pub mod documents;
mod idb;

pub use idb::{IdbStore, StreamAppend, DB_NAME, SCHEMA_VERSION};
