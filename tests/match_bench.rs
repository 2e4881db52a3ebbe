//! The matcher half of the browser benchmark in `make bench`, run in headless Chromium by
//! wasm-bindgen-test (not part of `make test`): the compiled EventBridge matcher in wasm
//! over the same generated city-lots corpus and operator families that `dojo bench match`
//! uses, at 100 and 1,000 rules. Each set prints one JSON line in the shared benchmark
//! format; `scripts/bench-browser.sh` runs `dojo bench match` natively on the same events
//! in the same `make bench` and prints the wasm-to-native ratio of each set.
#![cfg(target_arch = "wasm32")]

use dojo_engine::citylots;
use dojo_engine::json;
use dojo_engine::pattern::compiled::RuleSet;
use dojo_engine::pattern::{reference_matches, EventPattern};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The corpus: `dojo bench match --events 50000` with its default seed gives the same
/// events natively.
const EVENTS: usize = 50_000;
const SEED: u64 = 20_261_127;
const RULES: [usize; 2] = [100, 1000];
/// Events on which the compiled answers are checked against the reference evaluator.
const CHECKED: usize = 200;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
fn bench_compiled_matcher_in_wasm() {
    let events = citylots::citylots(EVENTS, SEED);
    for family in citylots::FAMILIES {
        for rules in RULES {
            let patterns: Vec<EventPattern> = citylots::family(family, rules)
                .iter()
                .map(|text| EventPattern::eventbridge(text).expect("a generated pattern is valid"))
                .collect();
            let set = RuleSet::new(&patterns);
            let mut scratch = set.scratch();

            for event in events.iter().take(CHECKED) {
                let tree = json::parse(event).expect("a generated event is JSON").value;
                let fast = set.matches_text(event, &mut scratch).expect("an object");
                assert_eq!(
                    fast,
                    reference_matches(&patterns, &tree),
                    "{family}/{rules}: the compiled matcher disagrees with the reference in wasm"
                );
            }

            // Three passes over every event, the median reported, as natively.
            let mut matches = 0u64;
            let mut rates = Vec::new();
            for pass in 0..3 {
                let start = now_ms();
                for event in &events {
                    let ids = set.matches_text(event, &mut scratch).expect("an object");
                    if pass == 0 {
                        matches += ids.len() as u64;
                    }
                }
                rates.push(events.len() as f64 / ((now_ms() - start) / 1000.0));
            }
            rates.sort_by(f64::total_cmp);
            console_log!(
                "{}",
                serde_json::json!({
                    "bench": format!("match-wasm/{family}/{rules}-rules"),
                    "value": rates[1].round(), "unit": "events/s",
                    "events": EVENTS, "matches": matches,
                })
            );
        }
    }
}
