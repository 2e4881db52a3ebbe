//! Event Dojo's browser app: Leptos components grouped by feature, the IndexedDB adapter,
//! and app-wide state. All domain logic lives in the `dojo-engine` crate; this crate only
//! renders read models and sends commands to it.

pub mod advice;
pub mod app;
pub mod browser;
pub mod components;
pub mod features;
pub mod paths;
pub mod state;
pub mod storage;

/// The app's parsers of outside input, for the fuzz targets under `fuzz/` (built with
/// `--cfg fuzzing` only; the engine's parsers are public already).
#[cfg(fuzzing)]
pub mod fuzzing {
    pub use crate::components::markdown::to_html;
    pub use crate::features::workshop::session::{from_fragment, import_json};
    pub use crate::storage::decode_chunk_json;
}
