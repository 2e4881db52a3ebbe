//! Designs as a learner types them: topologies, sim scripts, scenarios and whole exercise
//! designs are refused with a reason or accepted, never a panic; an accepted topology
//! builds a simulated world, and an accepted design's compact JSON reads back as the same
//! design. Input: one byte choosing the reader, then the text.
#![no_main]
#[path = "common.rs"]
mod common;
use dojo_engine::exercise::Design;
use dojo_engine::services::Scenario;
use dojo_engine::sim::script::Script;
use dojo_engine::sim::World;
use dojo_engine::topology::Topology;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, text)) = common::chosen_text(data) else {
        return;
    };
    match which % 4 {
        0 => {
            if let Ok(t) = Topology::from_json(text) {
                World::new(&t, 1).expect("a topology that reads builds a world");
            }
        }
        1 => {
            let _ = Script::from_json(text);
        }
        2 => {
            let _ = Scenario::from_json(text);
        }
        _ => {
            if let Ok(d) = Design::from_json(text) {
                let compact = d.to_compact_json();
                let again = Design::from_json(&compact).expect("its compact JSON reads");
                assert_eq!(again, d, "{compact}");
            }
        }
    }
});
