//! The services on the channels: integration styles measured, what-if branches with
//! causal re-derivation, quarantined side effects, scenarios and presets.

use dojo_engine::domain::DomainEvent;
use dojo_engine::services::{branch, presets, run, Edit, Input, Scenario, Style, TimedInput};

/// A built-in preset, as written.
fn preset(name: &str) -> Scenario {
    let text = presets()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no preset {name}"))
        .1;
    Scenario::from_json(text).expect("valid preset")
}

fn journey(style: Style) -> Scenario {
    Scenario {
        style,
        ..preset("quote-journey")
    }
}

fn hotspot(style: Style) -> Scenario {
    Scenario {
        style,
        ..preset("callback-hotspot")
    }
}

fn types(outcome: &dojo_engine::services::Outcome) -> Vec<&'static str> {
    outcome
        .timeline
        .entries()
        .iter()
        .map(|e| e.event.type_name())
        .collect()
}

#[test]
fn every_preset_parses_and_runs() {
    for (name, text) in presets() {
        let s = Scenario::from_json(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = run(&s, false);
        assert!(
            out.timeline.len() > 5,
            "{name} produced {} events",
            out.timeline.len()
        );
        assert!(!out.sent.is_empty(), "{name} sent nothing");
    }
}

#[test]
fn a_scenario_played_again_as_a_script_makes_the_same_trace() {
    use dojo_engine::sim::script::{self, Record};
    for style in [
        Style::Notification,
        Style::EventCarriedState,
        Style::EventSourcing,
        Style::Cqrs,
    ] {
        let scenario = journey(style);
        let out = run(&scenario, false);
        let script = dojo_engine::services::script(&scenario);
        assert!(
            script.steps.iter().any(|s| s.put_events.is_some()),
            "{style:?}"
        );
        assert!(script.steps.iter().any(|s| s.delete.is_some()), "{style:?}");
        let records = script::run(&script).expect("the script runs");
        let hash = records
            .iter()
            .find_map(|r| match r {
                Record::Summary { trace_hash, .. } => Some(trace_hash.clone()),
                _ => None,
            })
            .expect("a summary");
        assert_eq!(hash, out.world.trace_hash, "{style:?}");
    }
}

#[test]
fn one_quote_journey_runs_end_to_end_in_every_style() {
    for style in [
        Style::Notification,
        Style::EventCarriedState,
        Style::EventSourcing,
        Style::Cqrs,
    ] {
        let out = run(&journey(style), false);
        assert_eq!(
            types(&out),
            [
                "CustomerRegistered",
                "QuoteRequested",
                "QuoteIssued",
                "NotificationRequested",
                "EmailSent",
                "QuoteAccepted",
                "PolicyBound",
                "NotificationRequested",
                "SmsSent",
                "AddressChanged",
                "NotificationRequested",
                "EmailSent"
            ],
            "{style:?}"
        );
        assert!(out.refusals.is_empty(), "{style:?}: {:?}", out.refusals);
        assert_eq!(out.sent.len(), 3);
    }
}

#[test]
fn notification_style_makes_a_callback_hotspot_that_event_carried_state_removes() {
    let thin = run(&hotspot(Style::Notification), false).metrics;
    let fat = run(&hotspot(Style::EventCarriedState), false).metrics;
    assert!(thin.callbacks > 300, "{}", thin.callbacks);
    assert!(thin.peak_callbacks_per_s > 5);
    assert_eq!(fat.callbacks, 0);
    assert!(
        fat.mean_payload_bytes > thin.mean_payload_bytes,
        "fat events carry more bytes"
    );
    assert!(
        fat.replica_updates > 0 && fat.max_staleness_ms > 0,
        "replicas lag the source"
    );
}

#[test]
fn the_cqrs_read_model_lags_the_write_head_under_a_spike() {
    let out = run(&preset("spike"), false);
    assert!(
        out.metrics.max_read_model_lag_events > 100,
        "{:?}",
        out.metrics
    );
    assert!(
        out.metrics.peak_queue_depth["quote-generator"] > 100,
        "the queue buffered the spike"
    );
}

#[test]
fn the_same_scenario_gives_the_same_history_and_trace_hash() {
    let a = run(&hotspot(Style::Cqrs), false);
    let b = run(&hotspot(Style::Cqrs), false);
    assert_eq!(a.world.trace_hash, b.world.trace_hash);
    assert_eq!(a.timeline.entries(), b.timeline.entries());
}

#[test]
fn a_branch_with_no_edits_equals_the_original_and_sends_nothing() {
    let scenario = journey(Style::EventSourcing);
    let original = run(&scenario, false);
    let same = branch(&scenario, &[]).expect("branch");
    assert_eq!(original.timeline.entries(), same.timeline.entries());
    assert_eq!(original.read_models(), same.read_models());
    assert!(same.sent.is_empty(), "a branch never sends");
    assert_eq!(
        same.would_have_sent, original.sent,
        "it shows what it would have sent"
    );
}

#[test]
fn skipping_a_quote_request_removes_everything_downstream() {
    let scenario = journey(Style::EventCarriedState);
    let original = run(&scenario, false);
    let index = scenario
        .all_inputs()
        .iter()
        .position(|i| matches!(i.input, Input::RequestQuote { .. }))
        .expect("a request");
    let what_if = branch(&scenario, &[Edit::Skip { index }]).expect("branch");
    let t = types(&what_if);
    assert!(
        !t.contains(&"QuoteIssued") && !t.contains(&"PolicyBound"),
        "{t:?}"
    );
    assert_eq!(
        what_if.refusals.len(),
        1,
        "accepting a quote that was never requested is refused"
    );
    assert!(
        what_if.refusals[0].reason.contains("does not exist"),
        "{:?}",
        what_if.refusals
    );
    let diff = original.diff(&what_if);
    assert!(!diff["read_models"].as_array().expect("rows").is_empty());
    assert_eq!(
        original.timeline.len(),
        12,
        "the original history is untouched"
    );
}

#[test]
fn moving_house_before_quoting_reprices_the_quote() {
    let scenario = journey(Style::Notification);
    let original = run(&scenario, false);
    let move_first = TimedInput {
        at_ms: 1000,
        input: Input::ChangeAddress {
            customer_id: "c1".into(),
            postcode: "SW1A 1AA".into(),
        },
    };
    let what_if = branch(
        &scenario,
        &[Edit::Insert {
            index: 1,
            input: move_first,
        }],
    )
    .expect("branch");
    let premium = |o: &dojo_engine::services::Outcome| {
        o.timeline
            .entries()
            .iter()
            .find_map(|e| match &e.event {
                DomainEvent::QuoteIssued { premium_pence, .. } => Some(*premium_pence),
                _ => None,
            })
            .expect("issued")
    };
    assert!(
        premium(&what_if) > premium(&original),
        "London is a higher risk band than Edinburgh"
    );
}

#[test]
fn reordering_inputs_rederives_the_outcome() {
    let scenario = journey(Style::Cqrs);
    // Accept before the quote is requested: the acceptance is refused and no policy appears.
    let what_if = branch(&scenario, &[Edit::Move { from: 2, to: 1 }]).expect("branch");
    assert!(!types(&what_if).contains(&"PolicyBound"));
    assert!(
        branch(&scenario, &[Edit::Skip { index: 99 }]).is_err(),
        "a bad edit is refused with a reason"
    );
}

#[test]
fn time_travel_works_on_a_scenario_history() {
    let out = run(&hotspot(Style::EventSourcing), false);
    let mid = out.timeline.len() as u64 / 2;
    let state = out.timeline.state_at(mid);
    assert_eq!(state.position, mid);
    assert_eq!(state, out.timeline.fold_from_zero(mid));
}

#[test]
fn invalid_scenarios_name_the_offending_path() {
    let err = Scenario::from_json(r#"{"style":"cqrs","seed":1,"workload":{"customers":5,"spread_ms":10,"accept_percent":150}}"#).expect_err("invalid");
    assert_eq!(err.path, "workload.accept_percent");
    let err = Scenario::from_json(r#"{"style":"sideways","seed":1}"#).expect_err("invalid");
    assert_eq!(err.path, "style");
}

#[test]
fn the_cursor_includes_every_queue_s_contents_at_that_step() {
    let out = run(&preset("spike"), false);
    // Find the busiest moment of the Quote Generator's queue, by seeking through history.
    let busiest = (1..=out.timeline.len() as u64)
        .step_by(25)
        .map(|p| {
            out.at_cursor(p)
                .channels
                .queues
                .get("quote-generator")
                .map_or(0, |q| q.len())
        })
        .max()
        .expect("positions");
    assert!(
        busiest > 50,
        "the spike is visible in the queue's contents ({busiest})"
    );
    let end = out.at_cursor(out.timeline.len() as u64);
    let head = out.read_models();
    assert_eq!(end.state.read_models.dashboard, head.dashboard);
    assert_eq!(end.state.read_models.outbox, head.outbox);
    // The CustomerView is the CQRS projector's, as of its last catch-up: it may have
    // stopped short of the head when the run ended, and the cursor says by how much.
    let lag = end.lags["CustomerView"];
    assert_eq!(
        end.state.read_models.customers,
        out.timeline.state_at(lag.checkpoint).read_models.customers
    );
    assert_eq!(lag.events, out.timeline.len() as u64 - lag.checkpoint);
    assert!(
        end.channels.queues.values().all(|q| q.is_empty()),
        "everything was processed by the end"
    );
}

mod properties {
    use super::*;
    use dojo_engine::services::WorkloadConfig;
    use proptest::prelude::*;

    fn scenario(seed: u64, customers: u32, style: Style) -> Scenario {
        Scenario {
            name: String::new(),
            description: String::new(),
            style,
            seed,
            poll_interval_ms: 500,
            snapshot_interval: 20,
            inputs: Vec::new(),
            workload: Some(WorkloadConfig {
                customers,
                quotes_per_customer: 2,
                accept_percent: 50,
                move_percent: 30,
                spread_ms: 20_000,
                spike: None,
            }),
            decoupling: None,
        }
    }

    fn style() -> impl Strategy<Value = Style> {
        prop::sample::select(vec![
            Style::Notification,
            Style::EventCarriedState,
            Style::EventSourcing,
            Style::Cqrs,
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

        #[test]
        fn a_branch_with_no_edits_equals_the_original(seed in any::<u64>(), customers in 1u32..8, style in style()) {
            let s = scenario(seed, customers, style);
            let original = run(&s, false);
            let same = branch(&s, &[]).expect("branch");
            prop_assert_eq!(original.timeline.entries(), same.timeline.entries(), "seed {}", seed);
            prop_assert_eq!(&original.sent, &same.would_have_sent);
            prop_assert!(same.sent.is_empty());
        }

        #[test]
        fn every_style_reaches_the_same_read_models(seed in any::<u64>(), customers in 1u32..6) {
            let reference = run(&scenario(seed, customers, Style::EventSourcing), false);
            for style in [
            Style::Notification,
            Style::EventCarriedState,
            Style::EventSourcing,
            Style::Cqrs,
        ] {
                let other = run(&scenario(seed, customers, style), false);
                prop_assert_eq!(other.read_models().dashboard.counts.clone(), reference.read_models().dashboard.counts.clone(), "seed {} {:?}", seed, style);
            }
        }
    }
}

#[test]
fn a_run_read_back_from_json_is_the_run_with_its_snapshots_taken_again() {
    use dojo_engine::services::Outcome;
    for (name, _) in presets() {
        for style in [
            Style::Notification,
            Style::EventCarriedState,
            Style::EventSourcing,
            Style::Cqrs,
        ] {
            let scenario = Scenario {
                style,
                ..preset(name)
            };
            let ran = run(&scenario, false);
            let text = ran.to_json();
            let back = Outcome::from_json(&text).expect("readable");
            // Equal whole: entries, snapshots, head, trace, channel snapshots, ledger.
            assert_eq!(back, ran, "{name} in {style:?}");
            let len = ran.timeline.len() as u64;
            for at in [0, 1, len / 2, len] {
                assert_eq!(
                    format!("{:?}", back.at_cursor(at)),
                    format!("{:?}", ran.at_cursor(at)),
                    "{name} in {style:?} at #{at}"
                );
            }
        }
    }
    let branched = branch(&hotspot(Style::Notification), &[]).expect("branch");
    assert_eq!(
        Outcome::from_json(&branched.to_json()).expect("readable"),
        branched
    );
    assert!(Outcome::from_json("{\"timeline\":").is_err());
}
