//! Persistence in the browser: the IndexedDB implementation of the engine's
//! `EventStore` trait. Nothing outside this module touches IndexedDB.

mod idb;

pub use idb::{IdbStore, StreamAppend, DB_NAME, SCHEMA_VERSION};
