//! Event Dojo's browser app: Leptos components grouped by feature, the IndexedDB adapter,
//! and app-wide state. All domain logic lives in the `dojo-engine` crate; this crate only
//! renders read models and sends commands to it.

pub mod app;
pub mod components;
pub mod features;
pub mod paths;
pub mod state;
pub mod storage;
