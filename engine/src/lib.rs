//! The pure engine of Event Dojo.
//!
//! Everything a learner studies runs here: the event envelope, the event store contract
//! and its in-memory implementation, and (as the workshop grows) patterns, channels,
//! replay and the domain. The engine has no web, UI or IndexedDB dependency and never
//! reads the wall clock or a global random number generator, so it builds natively and
//! for `wasm32-unknown-unknown` and every test runs with plain `cargo test`.
//!
//! How the main types relate: a caller builds [`NewEvent`]s (validated from learner
//! input by [`publish::PublishForm`]), appends them to an [`EventStore`] with an
//! [`ExpectedVersion`], and reads back [`EventEnvelope`]s that carry their stream
//! version and global position.
//!
//! ```
//! use dojo_engine::{EventStore, ExpectedVersion, MemStore, NewEvent};
//! # futures_executor::block_on(async {
//! let store = MemStore::default();
//! let event = NewEvent::new("evt-1", "customer-42", "CustomerRegistered", "dojo.customers")
//!     .with_data(serde_json::json!({"name": "Ada"}));
//! let appended = store
//!     .append("customer-42", ExpectedVersion::NoStream, vec![event])
//!     .await
//!     .expect("a new stream accepts its first event");
//! assert_eq!(appended.last_position, 1);
//! let log = store.read_all(1, 10).await.expect("memory reads cannot fail");
//! assert_eq!(log[0].stream_version, 1);
//! # });
//! ```

pub mod citylots;
pub mod classroom;
pub mod cloudformation;
pub mod command;
pub mod compact;
pub mod domain;
pub mod envelope;
pub mod exercise;
pub mod json;
pub mod mqtt_wire;
pub mod pattern;
pub mod projection;
pub mod publish;
pub mod rng;
pub mod schema;
pub mod services;
pub mod shape;
pub mod sim;
pub mod store;
pub mod timetravel;
pub mod topology;
pub mod transfer;
pub mod transform;
pub mod wording;
pub mod workload;

pub use envelope::{EventEnvelope, NewEvent};
pub use store::{
    damaged_records, identity, read_around_damage, Added, AppendResult, EventStore,
    ExpectedVersion, Fault, FaultyStore, MemStore, StoreError, StoreHealth, StreamAppend,
};
