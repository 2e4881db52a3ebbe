//! The pure engine of Event Dojo.
//!
//! Everything a learner studies runs here: the event envelope, the event store contract
//! and its in-memory implementation, and (as the workshop grows) patterns, channels,
//! replay and the domain. The engine has no web, UI or IndexedDB dependency and never
//! reads the wall clock or a global random number generator, so it builds natively and
//! for `wasm32-unknown-unknown` and every test runs with plain `cargo test`.
//!
//! How the main types relate: a caller builds [`NewEvent`]s (validated from learner
//! input by [`publish::EventDraft`]), appends them to an [`EventStore`] with an
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

// The modules by layer, from the ground up: a module uses only its own layer's and the
// layers below it.

// Foundations: data formats and readers.
pub mod compact; // data written back without the fields its type would default
pub mod envelope; // the event envelope (CloudEvents 1.0 and the store's extensions)
pub mod json; // the JSON reader that keeps number literals and key order
pub mod mqtt_wire; // MQTT 3.1.1 packets on the wire
pub mod rng; // the seeded random number generator
pub mod schema; // reading the published JSON Schema of a design
pub mod shape; // JSON into a type, with errors that name the place

// Vocabularies: patterns, the domain, and what a learner's mistakes mean.
pub mod citylots; // the city-lots benchmark corpus and pattern families
pub mod domain; // the insurance aggregates, their commands and events, stream names
pub mod pattern; // EventBridge patterns, SNS filter policies, MQTT topic filters
pub mod wording; // design mistakes in a learner's words

// Models: a system's description, and history kept and moved.
pub mod discovery; // event schemas discovered from the events seen
pub mod projection; // the CQRS read models
pub mod schemas; // event schemas: validation, compatibility, the registry, upcasters, bindings
pub mod topology; // queues, topics, buses, rules and targets as a learner designs them
pub mod transfer; // events in and out of a store as NDJSON
pub mod transform; // EventBridge target input: input path and input transformer

// Running: the store, the simulation and the classroom.
pub mod classroom; // classroom mode without I/O: topics, checks, outbox, session
pub mod cloudformation; // a topology as an AWS CloudFormation template
pub mod sim; // the channels on a virtual clock
pub mod store; // the event store contract, its in-memory store and conformance suite
pub mod timetravel; // every read model and aggregate at any position of a history
pub mod workload; // a deterministic insurance workload

// Deciding: commands against a store, and the learner's form.
pub mod command; // rehydrate, decide, append with the expected version
pub mod evolution; // a proposed schema change and everything it breaks
pub mod publish; // the publish form's text checked into an event

// The system and the exercises on top.
pub mod exercise;
pub mod panel; // the capstone's mock panel: the weaknesses a panel probes in a design
pub mod services; // the three services in four integration styles // guided exercises, their checks and quizzes

pub use envelope::{EventEnvelope, NewEvent};
pub use store::{
    damaged_records, identity, read_around_damage, Added, AppendResult, EventStore,
    ExpectedVersion, Fault, FaultyStore, MemStore, StoreError, StoreHealth, StreamAppend,
};
