//! Instructor packs (TOML): any text is refused with a reason or read as exercises,
//! never a panic, and every Markdown text a pack carries renders safely (the markdown
//! target's checks).
#![no_main]
#[path = "safe_html.rs"]
mod safe_html;
use dojo_engine::exercise::parse_pack;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(exercises) = parse_pack(text, "fuzz.toml") {
        for e in &exercises {
            for beat in &e.beats {
                safe_html::check(&beat.text);
            }
            for hint in &e.hints {
                safe_html::check(hint);
            }
            safe_html::check(&e.concept);
        }
    }
});
