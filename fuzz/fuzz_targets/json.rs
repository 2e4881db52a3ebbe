//! The engine's JSON reader against serde_json: the same texts are accepted, they read
//! as the same values, and an error's offset lies within the text.
#![no_main]
use dojo_engine::json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ours = json::parse_value(text);
    match (&ours, serde_json::from_str::<serde_json::Value>(text)) {
        (Ok(a), Ok(b)) => assert_eq!(a, &b, "read differently: {text:?}"),
        (Err(e), _) => {
            let (line, column) = json::line_column(text, e.offset);
            assert!(line >= 1 && column >= 1);
        }
        (Ok(_), Err(e)) => {
            // serde_json limits nesting to 128; the engine reads deeper documents.
            assert!(
                e.to_string().contains("recursion limit"),
                "accepted what serde_json refuses ({e}): {text:?}"
            );
        }
    }
});
