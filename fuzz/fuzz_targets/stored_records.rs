//! What IndexedDB hands back, damaged: a read-model snapshot and a `chunks` record of the
//! event store are reported as damaged with their position, never a panic. Input: one
//! byte choosing the record, then its JSON.
#![no_main]
#[path = "common.rs"]
mod common;
use dojo_engine::projection::Snapshot;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, text)) = common::chosen_text(data) else {
        return;
    };
    if which % 2 == 0 {
        if let Ok(s) = Snapshot::from_json(text, 1_000_000) {
            let again = Snapshot::from_json(&s.to_json(), 1_000_000).expect("reads back");
            assert_eq!(again.to_json(), s.to_json());
        }
    } else {
        let _ = event_dojo::fuzzing::decode_chunk_json(text);
    }
});
