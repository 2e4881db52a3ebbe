use super::*;
use serde_json::{json, Value};

fn design(v: Value) -> Topology {
    Topology::from_json(&v.to_string()).expect("the test's design is valid")
}

fn probes(t: &Topology) -> Vec<(Probe, String)> {
    find(t).into_iter().map(|q| (q.probe, q.subject)).collect()
}

/// A bus rule to one queue, as a first design might be.
fn weak() -> Value {
    json!({
        "queues": [{"name": "comms"}],
        "rules": [{"name": "to-comms", "pattern": {"detail-type": ["QuoteIssued"]},
                   "targets": [{"id": "c", "endpoint": {"queue": "comms"}}]}]
    })
}

#[test]
fn a_queue_without_a_dead_letter_queue_is_asked_about_a_poison_message() {
    let found = find(&design(weak()));
    let q = found
        .iter()
        .find(|q| q.probe == Probe::NoDeadLetterQueue)
        .expect("comms has no DLQ");
    assert_eq!(q.subject, "comms");
    assert_eq!(
        q.experiment,
        Experiment::PoisonMessage {
            queue: "comms".into()
        }
    );
    let mut fixed = weak();
    fixed["queues"] = json!([{"name": "comms", "redrive": {"dlq": "comms-dlq", "max_receive_count": 3}}, {"name": "comms-dlq"}]);
    let fixed = probes(&design(fixed));
    assert!(
        !fixed.iter().any(|(p, _)| *p == Probe::NoDeadLetterQueue),
        "{fixed:?}"
    );
    // The dead-letter queue itself is not asked about.
    assert!(!fixed.iter().any(|(_, s)| s == "comms-dlq"), "{fixed:?}");
}

#[test]
fn a_standard_queue_is_asked_about_duplicates_and_a_fifo_one_is_not() {
    assert!(probes(&design(weak())).contains(&(Probe::DuplicatesPossible, "comms".into())));
    let fifo = design(json!({
        "queues": [{"name": "comms.fifo", "fifo": true, "content_based_dedup": true, "redrive": {"dlq": "dlq.fifo", "max_receive_count": 3}}, {"name": "dlq.fifo", "fifo": true}],
        "rules": [{"name": "to-comms", "pattern": {"detail-type": ["QuoteIssued"]},
                   "targets": [{"id": "c", "endpoint": {"queue": "comms.fifo"}, "sqs_parameters": {"message_group_id": "all"}}]}],
        "archives": [{"name": "all", "bus": "default"}]
    }));
    let found = find(&fifo);
    assert!(!found.iter().any(|q| q.probe == Probe::DuplicatesPossible));
    // One fixed group for every event: the hot group.
    let hot = found
        .iter()
        .find(|q| q.probe == Probe::HotFifoGroup)
        .expect("one group");
    assert_eq!(hot.subject, "comms.fifo");
    assert_eq!(
        hot.experiment,
        Experiment::Spike {
            queue: "comms.fifo".into(),
            times: 10
        }
    );
    assert!(hot.asks.contains("\"all\""));
}

#[test]
fn a_push_to_a_handler_without_a_dead_letter_queue_is_asked_about_an_hour_down() {
    let push = design(json!({
        "handlers": [{"name": "underwriting"}],
        "queues": [{"name": "failed"}],
        "rules": [{"name": "to-uw", "pattern": {"detail-type": ["QuoteIssued"]},
                   "targets": [{"id": "u", "endpoint": {"handler": "underwriting"}}]}]
    }));
    let q = find(&push)
        .into_iter()
        .find(|q| q.probe == Probe::PushWithoutDeadLetter)
        .expect("no DLQ on the target");
    assert_eq!(q.subject, "to-uw → underwriting");
    assert_eq!(
        q.experiment,
        Experiment::ConsumerDown {
            consumer: Endpoint::Handler("underwriting".into()),
            hours: 1
        }
    );
    let fixed = design(json!({
        "handlers": [{"name": "underwriting"}],
        "queues": [{"name": "failed"}],
        "rules": [{"name": "to-uw", "pattern": {"detail-type": ["QuoteIssued"]},
                   "targets": [{"id": "u", "endpoint": {"handler": "underwriting"}, "dlq": "failed"}]}]
    }));
    assert!(!probes(&fixed)
        .iter()
        .any(|(p, _)| *p == Probe::PushWithoutDeadLetter));
}

#[test]
fn one_endpoint_for_every_path_is_asked_about() {
    let one = design(json!({
        "queues": [{"name": "everything"}],
        "rules": [
            {"name": "a", "pattern": {"detail-type": ["QuoteIssued"]}, "targets": [{"id": "x", "endpoint": {"queue": "everything"}}]},
            {"name": "b", "pattern": {"detail-type": ["PolicyBound"]}, "targets": [{"id": "x", "endpoint": {"queue": "everything"}}]}
        ]
    }));
    assert!(probes(&one).contains(&(Probe::EveryPathDependsOn, "queue:everything".into())));
    // One path alone is not a dependency of "every path".
    assert!(!probes(&design(weak()))
        .iter()
        .any(|(p, _)| *p == Probe::EveryPathDependsOn));
}

#[test]
fn a_bus_without_an_archive_and_a_pattern_on_a_detail_field_are_asked_about() {
    let mut t = weak();
    t["rules"][0]["pattern"] =
        json!({"detail-type": ["QuoteIssued"], "detail": {"premium": [{"numeric": [">", 1000]}]}});
    let found = find(&design(t.clone()));
    let replay = found
        .iter()
        .find(|q| q.probe == Probe::NoReplay)
        .expect("no archive");
    assert_eq!(
        (replay.subject.as_str(), &replay.experiment),
        (
            "default",
            &Experiment::ArchiveReplay {
                bus: "default".into()
            }
        )
    );
    let shape = found
        .iter()
        .find(|q| q.probe == Probe::DependsOnShape)
        .expect("reads detail.premium");
    assert_eq!(
        shape.experiment,
        Experiment::ChangedShape {
            rule: "to-comms".into(),
            bus: "default".into(),
            field: "detail.premium".into()
        }
    );
    t["archives"] = json!([{"name": "history", "bus": "default"}]);
    t["rules"][0]["pattern"] = json!({"detail-type": ["QuoteIssued"]});
    let fixed = probes(&design(t));
    assert!(
        !fixed
            .iter()
            .any(|(p, _)| matches!(p, Probe::NoReplay | Probe::DependsOnShape)),
        "{fixed:?}"
    );
}

#[test]
fn a_panel_is_repeatable_for_a_seed_asks_each_kind_first_and_differs_between_designs() {
    let t = design(json!({
        "handlers": [{"name": "underwriting"}],
        "queues": [{"name": "comms"}, {"name": "audit"}],
        "rules": [
            {"name": "to-comms", "pattern": {"detail-type": ["QuoteIssued"], "detail": {"premium": [{"exists": true}]}},
             "targets": [{"id": "c", "endpoint": {"queue": "comms"}}, {"id": "a", "endpoint": {"queue": "audit"}}]},
            {"name": "to-uw", "pattern": {"detail-type": ["QuoteIssued"]}, "targets": [{"id": "u", "endpoint": {"handler": "underwriting"}}]}
        ]
    }));
    let a = panel(&t, 7, 5);
    assert_eq!(a, panel(&t, 7, 5), "the same seed asks the same panel");
    assert_eq!(a.len(), 5);
    let kinds: BTreeSet<Probe> = a.iter().map(|q| q.probe).collect();
    assert_eq!(
        kinds.len(),
        5,
        "five kinds found, one question each first: {a:?}"
    );
    let other_seeds: Vec<Vec<Question>> = (1..20).map(|s| panel(&t, s, 5)).collect();
    assert!(
        other_seeds.iter().any(|p| *p != a),
        "seeds pick different panels"
    );
    // Another design raises other questions.
    let b = panel(&design(weak()), 7, 5);
    assert_ne!(
        a.iter().map(|q| &q.subject).collect::<BTreeSet<_>>(),
        b.iter().map(|q| &q.subject).collect::<BTreeSet<_>>()
    );
    // A design with nothing to probe gets an empty panel, not invented questions.
    assert_eq!(
        panel(&design(json!({"queues": [{"name": "idle"}]})), 7, 5),
        vec![]
    );
}

#[test]
fn a_push_through_a_topic_to_a_handler_is_a_synchronous_chain_and_a_queue_breaks_it() {
    let chain = |endpoint: Value| {
        design(json!({
            "handlers": [{"name": "comms"}],
            "queues": [{"name": "inbox"}],
            "topics": [{"name": "quotes"}],
            "subscriptions": [{"topic": "quotes", "endpoint": endpoint}],
            "rules": [{"name": "fan-out", "pattern": {"detail-type": ["QuoteIssued"]},
                       "targets": [{"id": "t", "endpoint": {"topic": "quotes"}}]}]
        }))
    };
    let q = find(&chain(json!({"handler": "comms"})))
        .into_iter()
        .find(|q| q.probe == Probe::SynchronousChain)
        .expect("rule → topic → handler");
    assert_eq!(q.subject, "fan-out → comms");
    assert!(q.asks.contains("through topic quotes"), "{}", q.asks);
    assert_eq!(
        q.experiment,
        Experiment::ConsumerDown {
            consumer: Endpoint::Handler("comms".into()),
            hours: 1
        }
    );
    assert!(!probes(&chain(json!({"queue": "inbox"})))
        .iter()
        .any(|(p, _)| *p == Probe::SynchronousChain));
}

#[test]
fn a_body_filter_on_a_detail_field_is_asked_about_and_an_attribute_filter_is_not() {
    let fan_out = |scope: &str, policy: Value| {
        design(json!({
            "queues": [{"name": "underwriting"}],
            "topics": [{"name": "quote-events"}],
            "subscriptions": [{"topic": "quote-events", "endpoint": {"queue": "underwriting"}, "raw_message_delivery": true,
                "filter_policy_scope": scope, "filter_policy": policy}],
            "rules": [{"name": "all", "pattern": {"source": ["dojo.quotes"]}, "targets": [{"id": "t", "endpoint": {"topic": "quote-events"}}]}]
        }))
    };
    let q = find(&fan_out(
        "MessageBody",
        json!({"detail": {"premium": [{"numeric": [">", 1000]}]}}),
    ))
    .into_iter()
    .find(|q| q.probe == Probe::DependsOnShape)
    .expect("the filter reads detail.premium");
    assert_eq!(q.subject, "quote-events → queue:underwriting");
    assert_eq!(
        q.experiment,
        Experiment::FilterChangedShape {
            topic: "quote-events".into(),
            index: 0,
            endpoint: "queue:underwriting".into(),
            field: "detail.premium".into()
        }
    );
    // An attribute filter reads the publisher's attributes, not the event's shape.
    assert!(!probes(&fan_out(
        "MessageAttributes",
        json!({"premium": [{"numeric": [">", 1000]}]})
    ))
    .iter()
    .any(|(p, _)| *p == Probe::DependsOnShape));
}

#[test]
fn one_handler_at_the_end_of_every_path_through_a_topic_is_asked_about() {
    let t = design(json!({
        "handlers": [{"name": "billing"}],
        "topics": [{"name": "quotes"}],
        "subscriptions": [{"topic": "quotes", "endpoint": {"handler": "billing"}}],
        "rules": [
            {"name": "a", "pattern": {"detail-type": ["QuoteIssued"]}, "targets": [{"id": "t", "endpoint": {"topic": "quotes"}}]},
            {"name": "b", "pattern": {"detail-type": ["PolicyBound"]}, "targets": [{"id": "h", "endpoint": {"handler": "billing"}}]}
        ]
    }));
    assert!(probes(&t).contains(&(Probe::EveryPathDependsOn, "handler:billing".into())));
}
