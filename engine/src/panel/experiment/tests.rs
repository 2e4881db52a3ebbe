use super::*;
use crate::sim::script::Record;
use serde_json::{json, Value};

fn design(v: Value) -> Topology {
    Topology::from_json(&v.to_string()).expect("the test's design is valid")
}

/// Three quotes a second apart, with their premiums.
fn quotes() -> Vec<Step> {
    [450, 1500, 2200]
        .iter()
        .enumerate()
        .map(|(i, premium)| {
            serde_json::from_value(json!({
                "at_ms": i as u64 * 1000,
                "put_events": {"entries": [{"source": "dojo.quotes", "detail_type": "QuoteIssued",
                    "detail": {"customer": format!("c-{}", i % 2), "quote": format!("q{i}"), "premium": premium}}]}
            }))
            .expect("a step")
        })
        .collect()
}

fn to_comms(queue: Value) -> Value {
    json!({
        "queues": [queue],
        "rules": [{"name": "to-comms", "pattern": {"detail-type": ["QuoteIssued"]},
                   "targets": [{"id": "c", "endpoint": {"queue": "comms"}}]}]
    })
}

fn outcome(t: &Value, experiment: Experiment) -> Outcome {
    run(&design(t.clone()), &quotes(), 1, &experiment).expect("the experiment runs")
}

/// Replaying the experiment's script gives the trace it ran: the lab shows what ran.
fn replays(o: &Outcome) {
    let records = script::run(&o.script).expect("the script runs");
    let hash = records.iter().find_map(|r| match r {
        Record::Summary { trace_hash, .. } => Some(trace_hash.clone()),
        _ => None,
    });
    assert_eq!(hash.as_deref(), Some(o.trace_hash.as_str()));
}

#[test]
fn as_designed_every_quote_is_handled_at_once() {
    let o = outcome(
        &to_comms(json!({"name": "comms"})),
        Experiment::DuplicateDelivery {
            queue: "comms".into(),
        },
    );
    assert_eq!(o.before.sent, 3);
    assert_eq!(o.before.handled, 3);
    assert_eq!(o.before.left_in_queues, 0);
    assert_eq!(o.before.longest_wait_ms, 0, "{:?}", o.before);
    assert_eq!(o.before.matched.get("default/to-comms"), Some(&3));
}

#[test]
fn a_poison_message_without_a_dead_letter_queue_stays_and_with_one_is_dead_lettered() {
    let poison = Experiment::PoisonMessage {
        queue: "comms".into(),
    };
    let stuck = outcome(&to_comms(json!({"name": "comms"})), poison.clone());
    assert_eq!(stuck.happened, Choice::Stuck, "{:?}", stuck.facts);
    assert_eq!(stuck.after.handled, 3, "the other messages are handled");
    assert_eq!(stuck.after.left_in_queues, 1);
    // Received again after every 30 s visibility timeout for ten minutes.
    assert!(stuck.after.most_receives >= 15, "{:?}", stuck.after);
    replays(&stuck);

    let mut t =
        to_comms(json!({"name": "comms", "redrive": {"dlq": "comms-dlq", "max_receive_count": 3}}));
    t["queues"]
        .as_array_mut()
        .expect("queues")
        .push(json!({"name": "comms-dlq"}));
    let dead = outcome(&t, poison);
    assert_eq!(dead.happened, Choice::DeadLettered, "{:?}", dead.facts);
    assert_eq!(dead.after.dead_lettered, 1);
    assert_eq!(dead.after.most_receives, 3);
    assert_eq!(dead.after.left_in_queues, 0);
    replays(&dead);
}

#[test]
fn a_poison_message_in_a_fifo_group_holds_back_the_messages_behind_it() {
    let t = json!({
        "queues": [{"name": "comms.fifo", "fifo": true, "content_based_dedup": true}],
        "rules": [{"name": "to-comms", "pattern": {"detail-type": ["QuoteIssued"]},
                   "targets": [{"id": "c", "endpoint": {"queue": "comms.fifo"}, "sqs_parameters": {"message_group_id": "all"}}]}]
    });
    let o = outcome(
        &t,
        Experiment::PoisonMessage {
            queue: "comms.fifo".into(),
        },
    );
    assert_eq!(o.happened, Choice::Stuck);
    assert_eq!(o.after.handled, 0, "every quote waits behind the poison");
    assert_eq!(o.after.left_in_queues, 4);
    replays(&o);
}

#[test]
fn a_duplicate_send_is_handled_twice_on_a_standard_queue_and_once_on_a_deduplicating_fifo_queue() {
    let o = outcome(
        &to_comms(json!({"name": "comms"})),
        Experiment::DuplicateDelivery {
            queue: "comms".into(),
        },
    );
    assert_eq!(o.happened, Choice::Duplicated, "{:?}", o.facts);
    assert_eq!((o.after.sent, o.after.handled_twice), (4, 1));
    replays(&o);
    let fifo = json!({
        "queues": [{"name": "comms.fifo", "fifo": true, "content_based_dedup": true}],
        "rules": [{"name": "to-comms", "pattern": {"detail-type": ["QuoteIssued"]},
                   "targets": [{"id": "c", "endpoint": {"queue": "comms.fifo"}, "sqs_parameters": {"message_group_id": "all"}}]}]
    });
    let o = outcome(
        &fifo,
        Experiment::DuplicateDelivery {
            queue: "comms.fifo".into(),
        },
    );
    assert_eq!(o.happened, Choice::Unaffected, "{:?}", o.facts);
    assert_eq!((o.after.sent, o.after.handled), (4, 3));
}

fn to_handler(target: Value) -> Value {
    json!({
        "handlers": [{"name": "underwriting"}],
        "queues": [{"name": "failed"}],
        "rules": [{"name": "to-uw", "pattern": {"detail-type": ["QuoteIssued"]}, "targets": [target]}]
    })
}

#[test]
fn a_handler_down_for_an_hour_is_late_with_retries_and_loses_events_without_them() {
    let down = Experiment::ConsumerDown {
        consumer: Endpoint::Handler("underwriting".into()),
        hours: 1,
    };
    let retried = outcome(
        &to_handler(json!({"id": "u", "endpoint": {"handler": "underwriting"}})),
        down.clone(),
    );
    assert_eq!(retried.happened, Choice::Late, "{:?}", retried.facts);
    assert_eq!(retried.after.handled, 3);
    assert!(
        retried.after.longest_wait_ms >= 3_500_000,
        "{:?}",
        retried.after
    );
    replays(&retried);

    let short = json!({"id": "u", "endpoint": {"handler": "underwriting"},
                       "retry_policy": {"maximum_event_age_s": 600, "maximum_retry_attempts": 3}});
    let lost = outcome(&to_handler(short.clone()), down.clone());
    assert_eq!(lost.happened, Choice::Lost, "{:?}", lost.facts);
    assert_eq!((lost.after.handled, lost.after.dropped), (0, 3));

    let mut kept = short;
    kept["dlq"] = json!("failed");
    let kept = outcome(&to_handler(kept), down);
    assert_eq!(kept.happened, Choice::DeadLettered, "{:?}", kept.facts);
    assert_eq!(kept.after.dead_lettered, 3);
}

#[test]
fn a_queue_whose_consumer_is_down_for_an_hour_keeps_every_message_until_it_is_back() {
    let o = outcome(
        &to_comms(json!({"name": "comms"})),
        Experiment::ConsumerDown {
            consumer: Endpoint::Queue("comms".into()),
            hours: 1,
        },
    );
    assert_eq!(o.happened, Choice::Late, "{:?}", o.facts);
    assert_eq!(o.after.handled, 3);
    assert!(o.after.longest_wait_ms >= 3_597_000, "{:?}", o.after);
    replays(&o);
}

#[test]
fn a_spike_on_one_fifo_group_waits_longer_than_on_a_standard_queue() {
    let spike = |queue: &str| Experiment::Spike {
        queue: queue.into(),
        times: 10,
    };
    let hot = outcome(
        &json!({
            "queues": [{"name": "comms.fifo", "fifo": true, "content_based_dedup": true}],
            "rules": [{"name": "to-comms", "pattern": {"detail-type": ["QuoteIssued"]},
                       "targets": [{"id": "c", "endpoint": {"queue": "comms.fifo"}, "sqs_parameters": {"message_group_id": "all"}}]}]
        }),
        spike("comms.fifo"),
    );
    let spread = outcome(&to_comms(json!({"name": "comms"})), spike("comms"));
    assert_eq!((hot.after.sent, spread.after.sent), (30, 30));
    assert_eq!(hot.after.handled, 30);
    assert_eq!(spread.after.handled, 30);
    // One group is worked one message at a time; two workers share a standard queue.
    assert!(
        hot.after.longest_wait_ms > spread.after.longest_wait_ms + 5_000,
        "{} vs {}",
        hot.after.longest_wait_ms,
        spread.after.longest_wait_ms
    );
    assert_eq!(hot.happened, Choice::Late);
    replays(&hot);
}

#[test]
fn a_replay_feeds_a_new_read_model_only_from_an_archive() {
    let replay = Experiment::ArchiveReplay {
        bus: "default".into(),
    };
    let none = outcome(&to_comms(json!({"name": "comms"})), replay.clone());
    assert_eq!(none.happened, Choice::Lost, "{:?}", none.facts);
    assert_eq!(none.after.arrived.get(NEW_READ_MODEL), None);
    let mut t = to_comms(json!({"name": "comms"}));
    t["archives"] = json!([{"name": "history", "bus": "default"}]);
    let kept = outcome(&t, replay);
    assert_eq!(kept.happened, Choice::Unaffected, "{:?}", kept.facts);
    assert_eq!(kept.after.arrived.get(NEW_READ_MODEL), Some(&3));
    assert_eq!(
        kept.after.handled, 6,
        "comms's three, and the new read model's"
    );
    assert!(
        kept.facts.iter().any(|f| f.contains("got 3")),
        "{:?}",
        kept.facts
    );
}

#[test]
fn a_renamed_field_silently_unmatches_a_rule_that_reads_it_and_not_one_that_does_not() {
    let mut reads = to_comms(json!({"name": "comms"}));
    reads["rules"][0]["pattern"] =
        json!({"detail-type": ["QuoteIssued"], "detail": {"premium": [{"numeric": [">", 1000]}]}});
    let rename = |field: &str| Experiment::ChangedShape {
        rule: "to-comms".into(),
        bus: "default".into(),
        field: field.into(),
    };
    let o = outcome(&reads, rename("detail.premium"));
    assert_eq!(o.happened, Choice::Lost, "{:?}", o.facts);
    assert_eq!(o.before.matched.get("default/to-comms"), Some(&2));
    assert_eq!(o.after.matched.get("default/to-comms"), None);
    assert!(o
        .facts
        .iter()
        .any(|f| f.contains("nothing reported an error")));
    let o = outcome(&reads, rename("detail.customer"));
    assert_eq!(o.happened, Choice::Unaffected, "{:?}", o.facts);
}

#[test]
fn a_renamed_field_silently_stops_a_body_filter_delivering() {
    let fan_out = json!({
        "queues": [{"name": "underwriting"}],
        "topics": [{"name": "quote-events"}],
        "subscriptions": [{"topic": "quote-events", "endpoint": {"queue": "underwriting"}, "raw_message_delivery": true,
            "filter_policy_scope": "MessageBody", "filter_policy": {"detail": {"premium": [{"numeric": [">", 1000]}]}}}],
        "rules": [{"name": "all", "pattern": {"source": ["dojo.quotes"]}, "targets": [{"id": "t", "endpoint": {"topic": "quote-events"}}]}]
    });
    let o = outcome(
        &fan_out,
        Experiment::FilterChangedShape {
            topic: "quote-events".into(),
            index: 0,
            endpoint: "queue:underwriting".into(),
            field: "detail.premium".into(),
        },
    );
    assert_eq!(o.happened, Choice::Lost, "{:?}", o.facts);
    assert_eq!(
        o.before.matched.get("topic:quote-events/subscription[0]"),
        Some(&2)
    );
    assert!(
        o.facts
            .iter()
            .any(|f| f.contains("delivered 0 message(s) where it delivered 2")),
        "{:?}",
        o.facts
    );
    replays(&o);
}

#[test]
fn every_question_the_finder_asks_of_the_capstone_start_runs() {
    let ex = crate::exercise::shipped()
        .into_iter()
        .find(|e| e.id == "capstone")
        .expect("shipped");
    let t = ex.solution.topology.clone().expect("a topology");
    let questions = super::super::find(&t);
    assert!(!questions.is_empty());
    for q in questions {
        let o = run(&t, &ex.workload, ex.seed, &q.experiment)
            .unwrap_or_else(|e| panic!("{}: {e}", q.asks));
        assert!(!o.facts.is_empty());
        replays(&o);
    }
}
