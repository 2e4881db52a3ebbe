//! Widgets shared by several features.

mod backup_notice;
mod choice;
pub mod diagram;
mod error_view;
pub mod files;
pub mod focus;
pub mod markdown;
mod page_header;
mod play_loop;
mod read_only_banner;
mod schema_version;
mod schema_warning;

pub use backup_notice::BackupNotice;
pub use choice::Choice;
pub use error_view::ErrorView;
pub use page_header::PageHeader;
pub use play_loop::PlayLoop;
pub use read_only_banner::ReadOnlyBanner;
pub use schema_version::SchemaVersionNote;
pub use schema_warning::SchemaWarning;
