//! Property tests of replay and time travel: determinism, seeking with snapshots, serde
//! round trips with upcasting, and diffs.

use dojo_engine::domain::{upcast, DomainEvent, StoredEvent};
use dojo_engine::pattern::EventPattern;
use dojo_engine::projection::{HistoryEntry, ReadModels};
use dojo_engine::timetravel::{Timeline, WorldState};
use dojo_engine::workload::insurance_history;
use proptest::prelude::*;

fn timeline(n: usize, seed: u64, interval: usize) -> Timeline {
    let mut t = Timeline::new(interval);
    for (at, e) in insurance_history(n, seed) {
        t.append(at, e);
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]

    #[test]
    fn replaying_twice_gives_identical_state(seed in any::<u64>(), n in 1usize..600) {
        let a = timeline(n, seed, 50);
        let b = timeline(n, seed, 50);
        prop_assert_eq!(a.head(), b.head(), "seed {}", seed);
    }

    #[test]
    fn state_at_k_equals_the_fold_of_the_first_k_entries(seed in any::<u64>(), n in 1usize..600, k in 0usize..700, interval in 1usize..80) {
        let t = timeline(n, seed, interval);
        let k = k.min(n) as u64;
        let mut folded = WorldState::default();
        for e in &t.entries()[..k as usize] {
            folded.apply(e);
        }
        prop_assert_eq!(t.state_at(k), folded.clone(), "seed {}", seed);
        prop_assert_eq!(t.fold_from_zero(k), folded, "seed {}", seed);
    }

    #[test]
    fn a_snapshot_plus_its_tail_equals_the_full_fold(seed in any::<u64>(), n in 1usize..600) {
        let with = timeline(n, seed, 37);
        let without = timeline(n, seed, 1_000_000);
        prop_assert_eq!(with.head(), without.head());
        prop_assert_eq!(with.state_at(n as u64), without.state_at(n as u64));
    }

    #[test]
    fn events_round_trip_through_storage_including_v1_upcasting(seed in any::<u64>(), n in 1usize..300) {
        for (_, event) in insurance_history(n, seed) {
            let stored = event.to_stored();
            let text = serde_json::to_string(&stored).expect("serialises");
            let back: StoredEvent = serde_json::from_str(&text).expect("parses");
            prop_assert_eq!(upcast(&back).expect("reads"), event.clone());
            if let DomainEvent::CustomerRegistered { given_name, family_name, .. } = &event {
                let mut v1 = stored.data.clone();
                let m = v1.as_object_mut().expect("object");
                m.remove("given_name");
                m.remove("family_name");
                m.insert("name".into(), format!("{given_name} {family_name}").into());
                let old = StoredEvent { event_type: "CustomerRegistered".into(), version: 1, data: v1 };
                prop_assert_eq!(upcast(&old).expect("upcasts"), event.clone());
            }
        }
    }
}

#[test]
fn breakpoints_find_the_next_and_previous_matching_entry() {
    let t = timeline(200, 3, 16);
    let accepted = EventPattern::eventbridge(r#"{"type":["QuoteAccepted"]}"#).expect("valid");
    let first = t
        .next_matching(0, &accepted)
        .expect("some quote is accepted");
    assert!(matches!(
        t.entries()[first as usize - 1].event,
        DomainEvent::QuoteAccepted { .. }
    ));
    let second = t.next_matching(first, &accepted).expect("another");
    assert!(second > first);
    assert_eq!(t.previous_matching(second, &accepted), Some(first));
    let big = EventPattern::eventbridge(
        r#"{"type":["QuoteIssued"],"data":{"premium_pence":[{"numeric":[">",100000]}]}}"#,
    )
    .expect("valid");
    if let Some(p) = t.next_matching(0, &big) {
        match &t.entries()[p as usize - 1].event {
            DomainEvent::QuoteIssued { premium_pence, .. } => assert!(*premium_pence > 100_000),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn stepping_back_and_forth_is_consistent() {
    let t = timeline(300, 9, 25);
    let forward = t.state_at(151);
    let back = t.state_at(150);
    let mut stepped = back.clone();
    stepped.apply(&t.entries()[150]);
    assert_eq!(stepped, forward);
}

#[test]
fn diffs_name_the_changed_rows_of_each_model() {
    let mut t = Timeline::new(10);
    for (at, e) in insurance_history(12, 5) {
        t.append(at, e);
    }
    let changes = t.diff(0, 1);
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(changes[0].model, "CustomerView");
    assert!(changes[0].before.is_none() && changes[0].after.is_some());
    assert_eq!(changes[1].model, "CustomersByPostcodeView");
    assert!(t.diff(5, 5).is_empty());
}

#[test]
fn rebuilding_a_read_model_from_the_log_matches_the_live_one() {
    let t = timeline(500, 11, 40);
    let mut rebuilt = ReadModels::default();
    for e in t.entries() {
        rebuilt.apply(&HistoryEntry { ..e.clone() });
    }
    assert_eq!(&rebuilt, &t.head().read_models);
}
