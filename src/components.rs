//! Widgets shared by several features.

mod error_view;

pub use error_view::ErrorView;
