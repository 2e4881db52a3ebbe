//! The workshop's features, one folder each: components plus their private helpers.

pub mod classroom;
pub mod console;
pub mod event_log;
pub mod lab;
pub mod learn;
pub mod pattern_sandbox;
pub mod schemas;
pub mod start;
pub mod workshop;
