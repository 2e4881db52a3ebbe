//! Widgets shared by several features.

pub mod diagram;
mod error_view;
pub mod files;
pub mod markdown;

pub use error_view::ErrorView;
