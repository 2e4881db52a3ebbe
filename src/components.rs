//! Widgets shared by several features.

pub mod diagram;
mod error_view;

pub use error_view::ErrorView;
