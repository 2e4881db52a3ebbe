//! The Markdown of exercise texts, which imported packs carry: whatever the source, the
//! HTML holds only the renderer's own tags, no event-handler attribute, and no
//! `javascript:` (or other non-web) address.
#![no_main]
#[path = "safe_html.rs"]
mod safe_html;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        safe_html::check(text);
    }
});
