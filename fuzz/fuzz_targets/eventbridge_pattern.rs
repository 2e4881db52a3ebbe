//! EventBridge patterns, differentially: a pattern that validates gives the same answer
//! from the compiled matcher (over the event's text and over the parsed event) as from
//! the reference evaluator. Validation never panics. Input: pattern NUL event.
#![no_main]
#[path = "common.rs"]
mod common;
use dojo_engine::json;
use dojo_engine::pattern::compiled::RuleSet;
use dojo_engine::pattern::{Dialect, EventPattern};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((pattern, event)) = common::two_parts(data) else {
        return;
    };
    let Ok(p) = EventPattern::parse(pattern, Dialect::EventBridge) else {
        return;
    };
    let Ok(parsed) = json::parse(event) else {
        return;
    };
    let reference = p.matches(&parsed.value);
    let set = RuleSet::new([&p]);
    let mut scratch = set.scratch();
    let compiled = !set.matches_json(&parsed.value, &mut scratch).is_empty();
    assert_eq!(reference, compiled, "parsed event: {pattern} / {event}");
    if matches!(parsed.value, json::Json::Object(_)) {
        let from_text = set
            .matches_text(event, &mut scratch)
            .map(|ids| !ids.is_empty());
        assert_eq!(
            from_text.ok(),
            Some(reference),
            "event text: {pattern} / {event}"
        );
    }
});
