//! Session files and shared-link fragments (base64 of deflated JSON): refused with a
//! reason or read, never a panic, and a fragment that inflates past the size limit is
//! refused rather than allocated. Input: one byte choosing the reader, then the text.
#![no_main]
#[path = "common.rs"]
mod common;
use event_dojo::fuzzing::{from_fragment, import_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, text)) = common::chosen_text(data) else {
        return;
    };
    if which % 2 == 0 {
        let _ = import_json(text);
    } else {
        let _ = from_fragment(text);
    }
});
