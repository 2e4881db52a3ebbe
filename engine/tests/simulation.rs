//! Seeded simulation tests of the channels' semantics (`docs/semantics.md` §3–§6), named
//! as sentences, plus determinism and property tests. Each failure message names its seed.

use dojo_engine::pattern::sns::MessageAttribute;
use dojo_engine::sim::script::{run, Record, Script};
use dojo_engine::sim::{
    PublishRequest, PutEventsEntry, ReceiveRequest, ReceivedMessage, ReplayRequest, SendRequest,
    SetQueueAttributes, SimErrorKind, TraceKind, World,
};
use dojo_engine::topology::Topology;
use proptest::prelude::*;
use serde_json::json;

fn world(topology: serde_json::Value) -> World {
    let t = Topology::from_json(&topology.to_string()).unwrap_or_else(|e| panic!("topology: {e}"));
    World::new(&t, 1).expect("valid topology")
}

fn send(w: &mut World, queue: &str, body: &str) -> String {
    w.send(&SendRequest {
        queue: queue.into(),
        body: body.into(),
        ..Default::default()
    })
    .expect("send")
}

fn send_fifo(w: &mut World, queue: &str, body: &str, group: &str, dedup: Option<&str>) -> String {
    w.send(&SendRequest {
        queue: queue.into(),
        body: body.into(),
        group_id: Some(group.into()),
        dedup_id: dedup.map(Into::into),
        ..Default::default()
    })
    .expect("send")
}

/// Receives up to `max` messages now, as `consumer`.
fn receive_messages(w: &mut World, queue: &str, consumer: &str, max: u32) -> Vec<ReceivedMessage> {
    w.receive(&ReceiveRequest {
        queue: queue.into(),
        consumer: consumer.into(),
        max,
        wait_s: None,
        visibility_timeout_s: None,
        step: None,
    })
    .expect("receive");
    w.take_completed_receives()
        .into_iter()
        .flat_map(|r| r.messages)
        .collect()
}

/// Receives now and returns the (message id, receipt handle) pairs.
fn receive(w: &mut World, queue: &str, consumer: &str, max: u32) -> Vec<(String, String)> {
    receive_messages(w, queue, consumer, max)
        .into_iter()
        .map(|m| (m.message_id, m.receipt_handle))
        .collect()
}

/// Receives up to `max` messages now and returns their bodies.
fn receive_bodies(w: &mut World, queue: &str, max: u32) -> Vec<String> {
    receive_messages(w, queue, "c", max)
        .into_iter()
        .map(|m| m.body)
        .collect()
}

fn kinds(w: &World, pred: impl Fn(&TraceKind) -> bool) -> usize {
    w.trace().iter().filter(|e| pred(&e.kind)).count()
}

#[test]
fn a_message_not_deleted_within_its_visibility_timeout_is_delivered_again() {
    let mut w = world(json!({"queues": [{"name": "q", "visibility_timeout_s": 30}]}));
    let id = send(&mut w, "q", "hello");
    assert_eq!(receive(&mut w, "q", "a", 1)[0].0, id);
    w.run_until(29_999);
    assert!(
        receive(&mut w, "q", "b", 1).is_empty(),
        "still invisible before the timeout"
    );
    w.run_until(30_000);
    let again = receive(&mut w, "q", "b", 1);
    assert_eq!(again[0], (id.clone(), format!("{id}/r2")));
    assert_eq!(
        kinds(&w, |k| matches!(
            k,
            TraceKind::VisibilityExpired { receive_count: 1 }
        )),
        1
    );
}

#[test]
fn queue_contents_at_a_moment_say_since_when_each_message_is_in_its_state() {
    let mut w = world(json!({"queues": [{"name": "q", "visibility_timeout_s": 30}]}));
    let kept = send(&mut w, "q", "kept");
    w.run_until(5_000);
    let later = w
        .send(&SendRequest {
            queue: "q".into(),
            body: "later".into(),
            delay_s: Some(60),
            ..Default::default()
        })
        .expect("send with a delay");
    w.run_until(10_000);
    assert_eq!(receive(&mut w, "q", "a", 1)[0].0, kept);
    w.run_until(20_000);
    let contents = dojo_engine::sim::contents::ChannelTimeline::new(w.trace(), 4).at_time(20_000);
    let q = &contents.queues["q"];
    assert_eq!(
        (q[&kept].state, q[&kept].since_ms),
        ("in_flight", 10_000),
        "visible again 30 s after it was received"
    );
    assert_eq!((q[&later].state, q[&later].visible_at), ("delayed", 65_000));
}

#[test]
fn a_stale_receipt_handle_does_not_delete() {
    let mut w = world(json!({"queues": [{"name": "q", "visibility_timeout_s": 1}]}));
    send(&mut w, "q", "x");
    let first = receive(&mut w, "q", "a", 1)[0].1.clone();
    w.run_until(1000);
    let second = receive(&mut w, "q", "b", 1)[0].1.clone();
    assert!(w
        .delete("q", &first)
        .expect("succeeds")
        .starts_with("not deleted"));
    assert_eq!(w.delete("q", &second).expect("deletes"), "deleted");
    assert!(w.delete("q", &second).is_err(), "the message is gone");
}

/// SQS Developer Guide, "Amazon SQS visibility timeout" and the `DeleteMessage` API
/// reference: the most recent receipt handle deletes the message even after its
/// visibility timeout has passed, as long as nobody has received it since
/// (`docs/semantics.md` §4).
#[test]
fn the_latest_receipt_handle_deletes_after_the_visibility_timeout_until_the_next_receive() {
    let mut w = world(json!({"queues": [{"name": "q", "visibility_timeout_s": 1}]}));
    send(&mut w, "q", "x");
    let handle = receive(&mut w, "q", "a", 1)[0].1.clone();
    w.run_until(5000);
    assert_eq!(w.peek("q").expect("q").messages[0].state, "visible");
    assert_eq!(w.delete("q", &handle).expect("deletes"), "deleted");
    assert!(w.peek("q").expect("q").messages.is_empty());
}

/// SQS API reference, `ReceiveMessage` (`ApproximateReceiveCount`) and the Developer
/// Guide's "Using dead-letter queues": the receive count goes with a message into its
/// dead-letter queue (`docs/semantics.md` §4).
#[test]
fn a_message_keeps_its_receive_count_in_the_dead_letter_queue() {
    let mut w = world(json!({"queues": [
        {"name": "q", "visibility_timeout_s": 1, "redrive": {"dlq": "dlq", "max_receive_count": 2}},
        {"name": "dlq"}]}));
    send(&mut w, "q", "poison");
    for n in 0..2 {
        w.run_until(n * 1000);
        assert_eq!(receive_messages(&mut w, "q", "worker", 1).len(), 1);
    }
    w.run_until(2000);
    assert!(
        receive_messages(&mut w, "q", "worker", 1).is_empty(),
        "moved"
    );
    let in_dlq = receive_messages(&mut w, "dlq", "ops", 1);
    assert_eq!(
        in_dlq[0].receive_count, 3,
        "two receives in q, one in the DLQ"
    );
}

/// SQS Developer Guide, "Using dead-letter queues": a standard queue's dead-letter queue
/// keeps the original enqueue time, so retention counts from it; a FIFO queue's starts
/// it again when the message moves (`docs/semantics.md` §4).
#[test]
fn retention_in_a_dead_letter_queue_counts_from_the_first_enqueue_unless_it_is_fifo() {
    let held_at = |fifo: bool, at: u64| {
        let (q, dlq) = if fifo {
            ("q.fifo", "dlq.fifo")
        } else {
            ("q", "dlq")
        };
        let mut w = world(json!({"queues": [
            {"name": q, "fifo": fifo, "content_based_dedup": fifo, "visibility_timeout_s": 1, "retention_s": 60,
             "redrive": {"dlq": dlq, "max_receive_count": 1}},
            {"name": dlq, "fifo": fifo, "content_based_dedup": fifo, "retention_s": 60}]}));
        if fifo {
            send_fifo(&mut w, q, "poison", "g", None);
        } else {
            send(&mut w, q, "poison");
        }
        assert_eq!(receive_messages(&mut w, q, "worker", 1).len(), 1);
        w.run_until(10_000);
        assert!(
            receive_messages(&mut w, q, "worker", 1).is_empty(),
            "moved at 10 s"
        );
        w.run_until(at);
        w.peek(dlq).expect("dlq").messages.len()
    };
    assert_eq!(
        held_at(false, 61_000),
        0,
        "standard: 60 s from the send at 0 s"
    );
    assert_eq!(held_at(true, 61_000), 1, "FIFO: 60 s from the move at 10 s");
    assert_eq!(held_at(true, 71_000), 0);
}

/// SQS API reference, `SetQueueAttributes`, and the Developer Guide's "Amazon SQS delay
/// queues": a new queue delay is not retroactive on a standard queue and is on a FIFO
/// queue (`docs/semantics.md` §4).
#[test]
fn a_new_queue_delay_is_retroactive_on_fifo_queues_only() {
    let visible_at = |fifo: bool| {
        let q = if fifo { "q.fifo" } else { "q" };
        let mut w = world(json!({"queues": [
            {"name": q, "fifo": fifo, "content_based_dedup": fifo, "delay_s": 60}]}));
        if fifo {
            send_fifo(&mut w, q, "early", "g", None);
        } else {
            send(&mut w, q, "early");
        }
        w.run_until(5_000);
        let said = w
            .set_queue_attributes(&SetQueueAttributes {
                queue: q.into(),
                delay_s: Some(10),
                ..Default::default()
            })
            .expect("a valid change");
        assert!(said.contains("DelaySeconds 10 s"), "{said}");
        w.peek(q).expect("q").messages[0].visible_at_ms
    };
    assert_eq!(
        visible_at(false),
        60_000,
        "standard: the delay it was sent with"
    );
    assert_eq!(
        visible_at(true),
        10_000,
        "FIFO: the new delay, from its send at 0 s"
    );
}

/// SQS API reference, `SetQueueAttributes`: a new visibility timeout applies to later
/// receives, and a redrive policy set on a running queue applies from the next receive;
/// an invalid change is refused and changes nothing (`docs/semantics.md` §4).
#[test]
fn queue_attributes_change_while_the_simulation_runs() {
    let mut w =
        world(json!({"queues": [{"name": "q", "visibility_timeout_s": 30}, {"name": "dlq"}]}));
    send(&mut w, "q", "x");
    assert!(w
        .set_queue_attributes(&SetQueueAttributes {
            queue: "q".into(),
            visibility_timeout_s: Some(50_000),
            ..Default::default()
        })
        .is_err());
    w.set_queue_attributes(&SetQueueAttributes {
        queue: "q".into(),
        visibility_timeout_s: Some(2),
        redrive_policy: Some(dojo_engine::topology::Redrive {
            dlq: "dlq".into(),
            max_receive_count: 1,
        }),
        ..Default::default()
    })
    .expect("valid");
    assert_eq!(receive(&mut w, "q", "a", 1).len(), 1);
    w.run_until(2_000);
    assert!(
        receive(&mut w, "q", "a", 1).is_empty(),
        "moved on the second receive"
    );
    assert_eq!(receive(&mut w, "dlq", "ops", 1).len(), 1);
    assert_eq!(
        kinds(&w, |k| matches!(k, TraceKind::Configured { .. })),
        1,
        "the refused change left no trace"
    );
    // The same change written as a script step.
    let script: Script = Script::from_json(
        &json!({"seed": 1, "topology": {"queues": [{"name": "q"}]}, "steps": [
            {"at_ms": 0, "set_queue_attributes": {"queue": "q", "VisibilityTimeout": 5}}]})
        .to_string(),
    )
    .expect("a script");
    let records = run(&script).expect("runs");
    assert!(
        records
            .iter()
            .any(|r| serde_json::to_string(r).is_ok_and(|t| t.contains("VisibilityTimeout 5 s"))),
        "the step's record says what changed"
    );
}

#[test]
fn a_message_moves_to_the_dlq_when_a_receive_would_exceed_max_receive_count() {
    let mut w = world(json!({"queues": [
        {"name": "q", "visibility_timeout_s": 1, "redrive": {"dlq": "dlq", "max_receive_count": 3}},
        {"name": "dlq"}]}));
    let id = send(&mut w, "q", "poison");
    for n in 0..3 {
        w.run_until(n * 1000);
        assert_eq!(
            receive(&mut w, "q", "worker", 1).len(),
            1,
            "receive {}",
            n + 1
        );
    }
    w.run_until(3000);
    assert!(
        receive(&mut w, "q", "worker", 1).is_empty(),
        "the fourth receive moves it instead"
    );
    assert_eq!(kinds(&w, |k| matches!(k, TraceKind::MovedToDlq { .. })), 1);
    let in_dlq = receive(&mut w, "dlq", "ops", 1);
    assert_eq!(in_dlq[0].0, id, "the DLQ keeps the message id");
    assert_eq!(w.metrics()["queue:q"].dlq_depth, Some(1));
}

#[test]
fn fifo_group_is_blocked_while_its_head_is_in_flight() {
    let mut w = world(
        json!({"queues": [{"name": "o.fifo", "fifo": true, "content_based_dedup": true, "visibility_timeout_s": 10}]}),
    );
    let a1 = send_fifo(&mut w, "o.fifo", "a1", "A", None);
    let a2 = send_fifo(&mut w, "o.fifo", "a2", "A", None);
    let b1 = send_fifo(&mut w, "o.fifo", "b1", "B", None);
    let first = receive(&mut w, "o.fifo", "w1", 1);
    assert_eq!(first[0].0, a1);
    let second = receive(&mut w, "o.fifo", "w2", 10);
    assert_eq!(
        second.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(),
        [b1.as_str()],
        "group A is locked"
    );
    w.delete("o.fifo", &first[0].1).expect("delete a1");
    assert_eq!(
        receive(&mut w, "o.fifo", "w2", 10)[0].0,
        a2,
        "A unlocks after the head is deleted"
    );
}

#[test]
fn a_peek_shows_which_fifo_groups_are_locked_and_by_which_message() {
    let mut w = world(
        json!({"queues": [{"name": "o.fifo", "fifo": true, "content_based_dedup": true, "visibility_timeout_s": 10}]}),
    );
    let a1 = send_fifo(&mut w, "o.fifo", "a1", "A", None);
    send_fifo(&mut w, "o.fifo", "a2", "A", None);
    send_fifo(&mut w, "o.fifo", "b1", "B", None);
    w.run_until(1_000);
    let held = receive(&mut w, "o.fifo", "w1", 1);
    let peek = w.peek("o.fifo").expect("the queue exists");
    assert_eq!(peek.locked_groups, [("A".to_owned(), a1.clone())]);
    let states: Vec<(&str, &str)> = peek
        .messages
        .iter()
        .map(|m| (m.body.as_str(), m.state))
        .collect();
    assert_eq!(
        states,
        [("a1", "in_flight"), ("a2", "visible"), ("b1", "visible")]
    );
    assert_eq!(
        peek.messages[0].visible_at_ms, 11_000,
        "received at 1 s, 10 s visibility"
    );
    assert_eq!(peek.messages[0].consumer.as_deref(), Some("w1"));
    assert_eq!((peek.metrics.depth, peek.metrics.in_flight), (2, 1));
    w.delete("o.fifo", &held[0].1).expect("delete a1");
    assert!(w.peek("o.fifo").expect("queue").locked_groups.is_empty());
    assert!(w.peek("nope").is_none());
}

#[test]
fn a_published_event_is_narrated_with_its_rules_and_deliveries() {
    let mut w = world(json!({
        "queues": [{"name": "quotes"}, {"name": "audit"}],
        "rules": [
            {"name": "quotes", "pattern": {"detail-type": ["QuoteRequested"]}, "targets": [{"id": "t", "endpoint": {"queue": "quotes"}}]},
            {"name": "all", "pattern": {"source": ["s"]}, "targets": [{"id": "t", "endpoint": {"queue": "audit"}}]},
            {"name": "other", "pattern": {"source": ["x"]}, "targets": [{"id": "t", "endpoint": {"queue": "audit"}}]}
        ]
    }));
    send(&mut w, "quotes", "earlier");
    let entry = |t: &str| PutEventsEntry {
        source: "s".into(),
        detail_type: t.into(),
        detail: json!({}),
        resources: vec![],
        time: None,
    };
    w.put_events("default", &[entry("QuoteRequested")])
        .expect("put");
    let at = w
        .trace()
        .iter()
        .position(|e| e.channel == "bus:default" && matches!(e.kind, TraceKind::Published { .. }))
        .expect("published");
    assert_eq!(
        dojo_engine::sim::narrate_publish(w.trace(), at, "QuoteRequested").as_deref(),
        Some("QuoteRequested published on bus:default; matched 2 of 3 rules; delivered to queue:audit (depth 1), queue:quotes (depth 2).")
    );
    assert_eq!(
        dojo_engine::sim::narrate_publish(w.trace(), 0, "x"),
        None,
        "entry 0 is an enqueue"
    );
}

#[test]
fn fifo_receive_fills_a_batch_from_one_group_first() {
    let mut w =
        world(json!({"queues": [{"name": "o.fifo", "fifo": true, "content_based_dedup": true}]}));
    let a1 = send_fifo(&mut w, "o.fifo", "a1", "A", None);
    let b1 = send_fifo(&mut w, "o.fifo", "b1", "B", None);
    let a2 = send_fifo(&mut w, "o.fifo", "a2", "A", None);
    let got: Vec<String> = receive(&mut w, "o.fifo", "w", 10)
        .into_iter()
        .map(|m| m.0)
        .collect();
    assert_eq!(got, [a1, a2, b1]);
}

#[test]
fn fifo_duplicates_are_dropped_within_five_minutes_and_accepted_after() {
    let mut w = world(json!({"queues": [{"name": "o.fifo", "fifo": true}]}));
    let first = send_fifo(&mut w, "o.fifo", "x", "g", Some("d1"));
    w.run_until(299_999);
    assert_eq!(
        send_fifo(&mut w, "o.fifo", "x", "g", Some("d1")),
        first,
        "a duplicate returns the original id"
    );
    assert_eq!(
        kinds(&w, |k| matches!(k, TraceKind::Deduplicated { .. })),
        1
    );
    w.run_until(300_000);
    assert_ne!(
        send_fifo(&mut w, "o.fifo", "x", "g", Some("d1")),
        first,
        "after the window it is a new message"
    );
    assert_eq!(w.metrics()["queue:o.fifo"].sent, 2);
}

#[test]
fn content_based_deduplication_hashes_the_body_only() {
    let mut w =
        world(json!({"queues": [{"name": "o.fifo", "fifo": true, "content_based_dedup": true}]}));
    let a = send_fifo(&mut w, "o.fifo", "same", "g1", None);
    assert_eq!(
        send_fifo(&mut w, "o.fifo", "same", "g2", None),
        a,
        "queue scope: groups do not matter"
    );
    assert_ne!(send_fifo(&mut w, "o.fifo", "other", "g1", None), a);
}

#[test]
fn fifo_sends_without_a_group_or_dedup_id_are_refused_and_change_nothing() {
    let mut w = world(json!({"queues": [{"name": "o.fifo", "fifo": true}]}));
    let e = w
        .send(&SendRequest {
            queue: "o.fifo".into(),
            body: "x".into(),
            ..Default::default()
        })
        .expect_err("no group");
    assert_eq!(e.kind, SimErrorKind::MissingParameter, "{e}");
    let e = w
        .send(&SendRequest {
            queue: "o.fifo".into(),
            body: "x".into(),
            group_id: Some("g".into()),
            ..Default::default()
        })
        .expect_err("no dedup");
    assert!(e.message.contains("ContentBasedDeduplication"), "{e}");
    assert!(w.trace().is_empty());
}

#[test]
fn queue_and_message_delays_hide_messages_until_they_end() {
    let mut w = world(json!({"queues": [{"name": "q", "delay_s": 5}]}));
    send(&mut w, "q", "x");
    w.send(&SendRequest {
        queue: "q".into(),
        body: "y".into(),
        delay_s: Some(1),
        ..Default::default()
    })
    .expect("send");
    assert!(receive(&mut w, "q", "a", 10).is_empty());
    w.run_until(1000);
    assert_eq!(
        receive(&mut w, "q", "a", 10).len(),
        1,
        "the per-message delay overrides the queue's"
    );
    w.run_until(5000);
    assert_eq!(receive(&mut w, "q", "a", 10).len(), 1);
}

#[test]
fn a_long_poll_returns_when_a_message_arrives() {
    let mut w = world(json!({"queues": [{"name": "q"}]}));
    w.receive(&ReceiveRequest {
        queue: "q".into(),
        consumer: "a".into(),
        max: 1,
        wait_s: Some(20),
        visibility_timeout_s: None,
        step: Some(0),
    })
    .expect("poll");
    assert!(w.take_completed_receives().is_empty(), "waiting");
    w.run_until(3000);
    send(&mut w, "q", "late");
    let done = w.take_completed_receives();
    assert_eq!(
        (
            done[0].requested_at_ms,
            done[0].returned_at_ms,
            done[0].messages.len()
        ),
        (0, 3000, 1)
    );
}

#[test]
fn oversized_messages_and_full_queues_are_refused() {
    let mut w = world(json!({"queues": [{"name": "q", "max_message_bytes": 1024, "capacity": 1}]}));
    assert!(w
        .send(&SendRequest {
            queue: "q".into(),
            body: "x".repeat(1025),
            ..Default::default()
        })
        .expect_err("too big")
        .message
        .contains("shorter than 1024"));
    send(&mut w, "q", "one");
    assert!(
        w.send(&SendRequest {
            queue: "q".into(),
            body: "two".into(),
            ..Default::default()
        })
        .expect_err("full")
        .kind
            == SimErrorKind::QueueFull
    );
}

#[test]
fn messages_past_retention_are_dropped() {
    let mut w = world(json!({"queues": [{"name": "q", "retention_s": 60}]}));
    send(&mut w, "q", "old");
    w.run_until(60_000);
    assert_eq!(w.metrics()["queue:q"].dropped, 1);
    assert!(receive(&mut w, "q", "a", 1).is_empty());
}

fn attr(v: &str, t: &str) -> MessageAttribute {
    MessageAttribute {
        data_type: t.into(),
        value: v.into(),
    }
}

#[test]
fn a_topic_fans_out_through_filter_policies() {
    let mut w = world(json!({
    "queues": [{"name": "comms"}, {"name": "audit"}, {"name": "big"}],
    "topics": [{"name": "quotes"}],
    "subscriptions": [
        {"topic": "quotes", "endpoint": {"queue": "comms"}, "filter_policy": {"type": ["QuoteIssued"]}},
        {"topic": "quotes", "endpoint": {"queue": "audit"}},
        {"topic": "quotes", "endpoint": {"queue": "big"}, "filter_policy": {"premium": [{"numeric": [">", 500]}]}, "raw_message_delivery": true}
    ]}));
    let attrs = [
        ("type".to_string(), attr("QuoteIssued", "String")),
        ("premium".to_string(), attr("450", "Number")),
    ]
    .into();
    w.publish(&PublishRequest {
        topic: "quotes".into(),
        message: "m1".into(),
        attributes: attrs,
        ..Default::default()
    })
    .expect("publish");
    assert_eq!(receive(&mut w, "comms", "c", 10).len(), 1);
    assert_eq!(receive(&mut w, "audit", "a", 10).len(), 1);
    assert!(receive(&mut w, "big", "b", 10).is_empty());
    let misses: Vec<String> = w
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Routed {
                matched: false,
                reason,
                ..
            } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(misses.len(), 1);
    assert!(misses[0].contains("`premium` is 450"), "{}", misses[0]);
}

#[test]
fn a_fifo_topic_keeps_group_order_into_a_fifo_queue() {
    let mut w = world(json!({
        "queues": [{"name": "q.fifo", "fifo": true}],
        "topics": [{"name": "t.fifo", "fifo": true, "content_based_dedup": true}],
        "subscriptions": [{"topic": "t.fifo", "endpoint": {"queue": "q.fifo"}, "raw_message_delivery": true}]}));
    for body in ["1", "2", "2"] {
        w.publish(&PublishRequest {
            topic: "t.fifo".into(),
            message: body.into(),
            group_id: Some("g".into()),
            ..Default::default()
        })
        .expect("publish");
    }
    let bodies = receive_bodies(&mut w, "q.fifo", 10);
    assert_eq!(bodies, ["1", "2"], "in order, the duplicate removed");
}

#[test]
fn a_rule_takes_five_targets_and_refuses_a_sixth() {
    let targets = |n: usize| {
        (0..n)
            .map(|i| json!({"id": format!("t{i}"), "endpoint": {"queue": "q"}}))
            .collect::<Vec<_>>()
    };
    let five = json!({"queues": [{"name": "q"}], "rules": [{"name": "r", "pattern": {"source": ["s"]}, "targets": targets(5)}]});
    let mut w = world(five);
    w.put_events(
        "default",
        &[PutEventsEntry {
            source: "s".into(),
            detail_type: "T".into(),
            detail: json!({}),
            resources: vec![],
            time: None,
        }],
    )
    .expect("put");
    assert_eq!(w.metrics()["queue:q"].sent, 5);
    let six = json!({"queues": [{"name": "q"}], "rules": [{"name": "r", "pattern": {"source": ["s"]}, "targets": targets(6)}]});
    let e = Topology::from_json(&six.to_string()).expect_err("six targets");
    assert_eq!(e.path, "Rules[0].Targets[5]");
}

#[test]
fn an_input_transformer_rewrites_the_event_and_invalid_output_is_dropped_silently() {
    let mut w = world(json!({
    "queues": [{"name": "q"}],
    "rules": [{"name": "r", "pattern": {"source": ["s"]}, "targets": [
        {"id": "ok", "endpoint": {"queue": "q"}, "input_transformer": {"input_paths_map": {"c": "$.detail.customer"}, "input_template": "{\"who\": <c>, \"rule\": \"<aws.events.rule-name>\"}"}},
        {"id": "bad", "endpoint": {"queue": "q"}, "input_transformer": {"input_paths_map": {"p": "$.detail"}, "input_template": "{\"p\": \"<p>\" \"x\"}"}}
    ]}]}));
    let results = w
        .put_events(
            "default",
            &[PutEventsEntry {
                source: "s".into(),
                detail_type: "T".into(),
                detail: json!({"customer": "c-1"}),
                resources: vec![],
                time: None,
            }],
        )
        .expect("put");
    assert!(results[0].event_id.is_some(), "PutEvents itself succeeds");
    let bodies = receive_bodies(&mut w, "q", 10);
    assert_eq!(bodies, ["{\"who\": \"c-1\", \"rule\": \"r\"}"]);
    assert!(w.trace().iter().any(
        |e| matches!(&e.kind, TraceKind::Dropped { reason } if reason.contains("invalid JSON"))
    ));
}

#[test]
fn failing_deliveries_are_retried_then_sent_to_the_dlq_with_error_attributes() {
    let mut w = world(json!({
        "queues": [{"name": "dlq"}],
        "handlers": [{"name": "crm", "fail_always": true, "error_code": "THROTTLING"}],
        "rules": [{"name": "r", "pattern": {"source": ["s"]}, "targets": [
            {"id": "t", "endpoint": {"handler": "crm"}, "dlq": "dlq", "retry_policy": {"maximum_event_age_s": 3600, "maximum_retry_attempts": 3}}]}]}));
    w.put_events(
        "default",
        &[PutEventsEntry {
            source: "s".into(),
            detail_type: "T".into(),
            detail: json!({}),
            resources: vec![],
            time: None,
        }],
    )
    .expect("put");
    w.run_until(3_600_000);
    assert_eq!(kinds(&w, |k| matches!(k, TraceKind::Retried { .. })), 3);
    w.receive(&ReceiveRequest {
        queue: "dlq".into(),
        consumer: "ops".into(),
        max: 1,
        wait_s: None,
        visibility_timeout_s: None,
        step: None,
    })
    .expect("receive");
    let m = &w.take_completed_receives()[0].messages[0];
    assert_eq!(m.attributes["ERROR_CODE"].value, "THROTTLING");
    assert_eq!(
        m.attributes["EXHAUSTED_RETRY_CONDITION"].value,
        "MaximumRetryAttempts"
    );
    assert_eq!(m.attributes["RETRY_ATTEMPTS"].value, "3");
    assert_eq!(
        m.attributes["RULE_ARN"].value,
        "arn:aws:events:us-east-1:123456789012:rule/r"
    );
    assert!(m.attributes["TARGET_ARN"].value.ends_with(":function:crm"));
}

#[test]
fn non_retriable_errors_go_straight_to_the_dlq() {
    let mut w = world(json!({
        "queues": [{"name": "dlq"}],
        "handlers": [{"name": "h", "fail_always": true, "error_code": "NO_PERMISSIONS"}],
        "rules": [{"name": "r", "pattern": {"source": ["s"]}, "targets": [{"id": "t", "endpoint": {"handler": "h"}, "dlq": "dlq"}]}]}));
    w.put_events(
        "default",
        &[PutEventsEntry {
            source: "s".into(),
            detail_type: "T".into(),
            detail: json!({}),
            resources: vec![],
            time: None,
        }],
    )
    .expect("put");
    assert_eq!(kinds(&w, |k| matches!(k, TraceKind::Retried { .. })), 0);
    assert_eq!(w.metrics()["queue:dlq"].sent, 1);
}

#[test]
fn the_event_age_limit_stops_retries() {
    let mut w = world(json!({
        "handlers": [{"name": "h", "fail_always": true}],
        "rules": [{"name": "r", "pattern": {"source": ["s"]}, "targets": [{"id": "t", "endpoint": {"handler": "h"}, "retry_policy": {"maximum_event_age_s": 60, "maximum_retry_attempts": 185}}]}]}));
    w.put_events(
        "default",
        &[PutEventsEntry {
            source: "s".into(),
            detail_type: "T".into(),
            detail: json!({}),
            resources: vec![],
            time: None,
        }],
    )
    .expect("put");
    w.run_until_idle();
    let dropped = w
        .trace()
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Dropped { reason } => Some(reason.clone()),
            _ => None,
        })
        .expect("dropped");
    assert!(
        dropped.contains("MaximumEventAgeInSeconds") && dropped.contains("no DLQ"),
        "{dropped}"
    );
    assert!(w.now() <= 60_000 + 1);
}

#[test]
fn an_archive_replays_its_window_with_replay_name() {
    let mut w = world(json!({
        "queues": [{"name": "q"}],
        "rules": [{"name": "r", "pattern": {"source": ["s"]}, "targets": [{"id": "t", "endpoint": {"queue": "q"}}]},
                  {"name": "live-only", "pattern": {"replay-name": [{"exists": false}]}, "targets": [{"id": "t", "endpoint": {"queue": "q"}}]}],
        "archives": [{"name": "a", "pattern": {"source": ["s"]}}]}));
    let entry = |s: &str| PutEventsEntry {
        source: s.into(),
        detail_type: "T".into(),
        detail: json!({}),
        resources: vec![],
        time: None,
    };
    w.put_events("default", &[entry("s"), entry("other")])
        .expect("put");
    assert_eq!(w.metrics()["queue:q"].sent, 3, "r once, live-only twice");
    w.run_until(120_000);
    let n = w
        .start_replay(&ReplayRequest {
            name: "again".into(),
            archive: "a".into(),
            event_start_time: "2026-01-01T00:00:00Z".into(),
            event_end_time: "2026-01-01T00:01:00Z".into(),
            rules: None,
        })
        .expect("replay");
    assert_eq!(n, 1, "only the archived event in the window");
    assert_eq!(
        w.metrics()["queue:q"].sent,
        4,
        "live-only skips the replayed event"
    );
    let replayed: Vec<serde_json::Value> = receive_bodies(&mut w, "q", 10)
        .iter()
        .map(|b| serde_json::from_str(b).expect("json"))
        .filter(|v: &serde_json::Value| v.get("replay-name").is_some())
        .collect();
    assert_eq!(replayed.len(), 1);
    assert_eq!(replayed[0]["replay-name"], "again");
}

#[test]
fn a_retained_message_reaches_new_subscribers_and_an_empty_payload_clears_it() {
    let mut w = world(json!({}));
    w.mqtt_connect("pub", true).expect("connect");
    w.mqtt_publish("pub", "home/temp", "21", 1, true)
        .expect("publish");
    w.mqtt_connect("sub", true).expect("connect");
    w.mqtt_subscribe("sub", "home/#", 0).expect("subscribe");
    let got: Vec<(bool, Option<u8>)> = w
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Delivered {
                consumer,
                retain,
                qos,
                ..
            } if consumer == "sub" => Some((*retain, *qos)),
            _ => None,
        })
        .collect();
    assert_eq!(
        got,
        [(true, Some(0))],
        "retained, at min(stored 1, granted 0)"
    );
    w.mqtt_publish("pub", "home/temp", "", 0, true)
        .expect("clear");
    w.mqtt_connect("late", true).expect("connect");
    w.mqtt_subscribe("late", "home/#", 1).expect("subscribe");
    assert!(!w
        .trace()
        .iter()
        .any(|e| matches!(&e.kind, TraceKind::Delivered { consumer, .. } if consumer == "late")));
}

#[test]
fn wildcard_filters_skip_dollar_topics() {
    let mut w = world(json!({}));
    w.mqtt_connect("c", true).expect("connect");
    w.mqtt_subscribe("c", "#", 0).expect("subscribe");
    w.mqtt_subscribe("c", "$SYS/#", 0).expect("subscribe");
    w.mqtt_publish("c", "$SYS/load", "1", 0, false)
        .expect("publish");
    w.mqtt_publish("c", "a/b", "1", 0, false).expect("publish");
    assert_eq!(
        kinds(&w, |k| matches!(k, TraceKind::Delivered { .. })),
        2,
        "one copy each: $SYS only via $SYS/#"
    );
}

#[test]
fn qos1_unacknowledged_messages_are_redelivered_with_dup_on_reconnect() {
    let mut w = world(json!({"mqtt": {"ack_after_ms": 100}}));
    w.mqtt_connect("pub", true).expect("connect");
    w.mqtt_connect("sub", false).expect("connect");
    w.mqtt_subscribe("sub", "x", 1).expect("subscribe");
    w.mqtt_subscribe("sub", "+", 0).expect("subscribe");
    w.mqtt_publish("pub", "x", "m", 1, false).expect("publish");
    w.run_until(50);
    w.mqtt_disconnect("sub").expect("drop before PUBACK");
    w.mqtt_publish("pub", "x", "while offline", 1, false)
        .expect("publish");
    w.mqtt_publish("pub", "x", "qos0 offline", 0, false)
        .expect("publish");
    w.run_until(1000);
    w.mqtt_connect("sub", false).expect("reconnect");
    w.run_until(2000);
    let deliveries: Vec<(bool, Option<u8>)> = w
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Delivered {
                consumer, dup, qos, ..
            } if consumer == "sub" => Some((*dup, *qos)),
            _ => None,
        })
        .collect();
    assert_eq!(
        deliveries,
        [(false, Some(1)), (true, Some(1)), (false, Some(1))],
        "one copy at the highest QoS; DUP on redelivery; queued QoS 1 after"
    );
    assert_eq!(
        kinds(
            &w,
            |k| matches!(k, TraceKind::Acknowledged { how, .. } if how.starts_with("PUBACK"))
        ),
        2
    );
    assert!(w
        .trace()
        .iter()
        .any(|e| matches!(&e.kind, TraceKind::Dropped { reason } if reason.contains("QoS 0"))));
}

#[test]
fn the_same_script_and_seed_give_the_same_trace_hash() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/examples/bus-fanout-fifo-mqtt.json"
    ))
    .expect("example");
    let script = Script::from_json(&text).expect("valid script");
    let hash = |s: &Script| match run(s).expect("runs").last() {
        Some(Record::Summary { trace_hash, .. }) => trace_hash.clone(),
        other => panic!("no summary: {other:?}"),
    };
    assert_eq!(hash(&script), hash(&script));
    let mut other_seed = script.clone();
    other_seed.seed += 1;
    assert_ne!(
        hash(&script),
        hash(&other_seed),
        "the seed drives event ids and jitter"
    );
}

#[test]
fn a_large_mixed_scenario_is_deterministic() {
    let build = |seed: u64| {
        let mut w = World::new(&Topology::from_json(&json!({
            "queues": [{"name": "q", "visibility_timeout_s": 2, "redrive": {"dlq": "dlq", "max_receive_count": 4}}, {"name": "dlq"},
                       {"name": "f.fifo", "fifo": true, "content_based_dedup": true, "visibility_timeout_s": 3}],
            "handlers": [{"name": "h", "fail_first": 50}],
            "rules": [{"name": "r", "pattern": {"detail": {"n": [{"numeric": [">", 10]}]}}, "targets": [{"id": "t", "endpoint": {"handler": "h"}, "retry_policy": {"maximum_event_age_s": 600, "maximum_retry_attempts": 5}}, {"id": "q", "endpoint": {"queue": "q"}}]}]
        }).to_string()).expect("topology"), seed).expect("world");
        let mut rng = dojo_engine::rng::SeededRng::new(seed);
        for i in 0..2000u64 {
            w.run_until(i * 50);
            match rng.below(5) {
                0 => {
                    send(&mut w, "q", &format!("m{i}"));
                }
                1 => {
                    send_fifo(
                        &mut w,
                        "f.fifo",
                        &format!("f{i}"),
                        &format!("g{}", rng.below(4)),
                        None,
                    );
                }
                2 => {
                    w.put_events(
                        "default",
                        &[PutEventsEntry {
                            source: "s".into(),
                            detail_type: "T".into(),
                            detail: json!({"n": rng.below(20)}),
                            resources: vec![],
                            time: None,
                        }],
                    )
                    .expect("put");
                }
                3 => {
                    let got = receive(
                        &mut w,
                        if rng.below(2) == 0 { "q" } else { "f.fifo" },
                        "c",
                        3,
                    );
                    if rng.below(2) == 0 {
                        for (_, h) in got {
                            let q = if h.starts_with("f.fifo") {
                                "f.fifo"
                            } else {
                                "q"
                            };
                            w.delete(q, &h).expect("delete");
                        }
                    }
                }
                _ => {
                    receive(&mut w, "dlq", "ops", 10);
                }
            }
        }
        w.run_until_idle();
        (w.trace().len(), w.trace_hash())
    };
    let (len, hash) = build(99);
    assert!(len > 4000, "a large trace ({len} entries)");
    assert_eq!(build(99), (len, hash.clone()), "seed 99 reproduces");
    assert_ne!(build(100).1, hash);
}

#[derive(Debug, Clone)]
enum Op {
    Send,
    Receive(u32),
    DeleteAll,
    Wait(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Send),
        (1u32..=10).prop_map(Op::Receive),
        Just(Op::DeleteAll),
        (0u64..5000).prop_map(Op::Wait)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    /// Every message sent is, at the end, exactly one of: deleted once, still in the queue,
    /// or in the DLQ; and no message is ever in flight with two consumers at once.
    #[test]
    fn no_message_is_lost_or_duplicated_beyond_at_least_once(seed in any::<u64>(), ops in prop::collection::vec(op(), 1..120)) {
        let mut w = World::new(&Topology::from_json(&json!({"queues": [
            {"name": "q", "visibility_timeout_s": 1, "redrive": {"dlq": "dlq", "max_receive_count": 3}}, {"name": "dlq"}]}).to_string()).expect("t"), seed).expect("w");
        let mut sent = std::collections::BTreeSet::new();
        let mut deleted = std::collections::BTreeMap::<String, u32>::new();
        let mut held: Vec<(String, String)> = Vec::new();
        for (i, o) in ops.iter().enumerate() {
            match o {
                Op::Send => { sent.insert(send(&mut w, "q", &format!("m{i}"))); }
                Op::Receive(n) => held.extend(receive(&mut w, "q", &format!("c{}", i % 3), *n)),
                Op::DeleteAll => for (id, h) in held.drain(..) {
                    if w.delete("q", &h).map(|o| o == "deleted").unwrap_or(false) { *deleted.entry(id).or_default() += 1; }
                },
                Op::Wait(ms) => { let t = w.now() + ms; w.run_until(t); }
            }
        }
        prop_assert!(deleted.values().all(|&n| n == 1), "seed {seed}: a message was deleted twice");
        let m = w.metrics();
        let remaining = m["queue:q"].depth + m["queue:q"].in_flight + m["queue:q"].delayed;
        let in_dlq = m["queue:dlq"].sent as usize;
        prop_assert_eq!(sent.len(), deleted.len() + remaining + in_dlq, "seed {}: every message is accounted for", seed);
    }

    /// Within a message group, a message is delivered only after every earlier message of
    /// that group was deleted.
    #[test]
    fn fifo_order_is_never_overtaken_within_a_group(seed in any::<u64>(), ops in prop::collection::vec(op(), 1..120)) {
        let mut w = World::new(&Topology::from_json(&json!({"queues": [{"name": "f.fifo", "fifo": true, "content_based_dedup": true, "visibility_timeout_s": 1}]}).to_string()).expect("t"), seed).expect("w");
        let mut order: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        let mut gone = std::collections::BTreeSet::new();
        let mut held: Vec<(String, String)> = Vec::new();
        let mut rng = dojo_engine::rng::SeededRng::new(seed);
        for (i, o) in ops.iter().enumerate() {
            match o {
                Op::Send => {
                    let g = format!("g{}", rng.below(3));
                    let id = send_fifo(&mut w, "f.fifo", &format!("m{i}"), &g, None);
                    order.entry(g).or_default().push(id);
                }
                Op::Receive(n) => {
                    let batch = receive(&mut w, "f.fifo", "c", *n);
                    let ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
                    for (k, (id, h)) in batch.into_iter().enumerate() {
                        let group = order.iter().find(|(_, ids)| ids.contains(&id)).map(|(g, _)| g.clone()).expect("known");
                        let earlier: Vec<&String> = order[&group].iter().take_while(|x| **x != id).collect();
                        // Earlier messages of the group are deleted, or came first in this batch.
                        prop_assert!(
                            earlier.iter().all(|e| gone.contains(*e) || ids[..k].contains(*e)),
                            "seed {}: {} overtook an earlier message of {}", seed, id, group
                        );
                        held.push((id, h));
                    }
                }
                Op::DeleteAll => for (id, h) in held.drain(..) {
                    if w.delete("f.fifo", &h).map(|o| o == "deleted").unwrap_or(false) { gone.insert(id); }
                },
                Op::Wait(ms) => { let t = w.now() + ms; w.run_until(t); }
            }
        }
    }
}

/// SNS Developer Guide, "Amazon SNS message and JSON formats" (the HTTP/S notification
/// JSON, which an SQS subscriber without raw delivery receives as its body): AWS's fields
/// and only those; `Subject` and `MessageAttributes` are left out when there are none,
/// and the signature is labelled simulated (`docs/semantics.md` §3).
#[test]
fn a_notification_without_raw_delivery_has_aws_fields_only() {
    let mut w = world(json!({"queues": [{"name": "q"}], "topics": [{"name": "t"}],
        "subscriptions": [{"topic": "t", "endpoint": {"queue": "q"}}]}));
    let keys = |w: &mut World| {
        let body = receive_bodies(w, "q", 1).pop().expect("delivered");
        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        v.as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    w.publish(&PublishRequest {
        topic: "t".into(),
        message: "plain".into(),
        ..Default::default()
    })
    .expect("published");
    assert_eq!(
        keys(&mut w),
        [
            "Type",
            "MessageId",
            "TopicArn",
            "Message",
            "Timestamp",
            "SignatureVersion",
            "Signature",
            "SigningCertURL",
            "UnsubscribeURL"
        ]
    );
    w.publish(&PublishRequest {
        topic: "t".into(),
        message: "with".into(),
        subject: Some("Hello".into()),
        attributes: [("kind".to_owned(), attr("quote", "String"))]
            .into_iter()
            .collect(),
        ..Default::default()
    })
    .expect("published");
    let with = keys(&mut w);
    assert!(
        with.contains(&"Subject".to_owned()) && with.contains(&"MessageAttributes".to_owned()),
        "{with:?}"
    );
}

/// EventBridge API reference, `Target` and `SqsParameters`: a FIFO queue target needs a
/// message group id, and its queue content-based deduplication; EventBridge refuses the
/// target otherwise. The events go into that group (`docs/semantics.md` §5).
#[test]
fn a_fifo_queue_target_needs_a_message_group_and_uses_it() {
    let design = |target: serde_json::Value, dedup: bool| {
        json!({"Queues": [{"QueueName": "o.fifo", "FifoQueue": true, "ContentBasedDeduplication": dedup}],
            "Rules": [{"Name": "r", "EventPattern": {"source": ["s"]}, "Targets": [target]}]})
        .to_string()
    };
    let bare = json!({"Id": "t", "endpoint": {"queue": "o.fifo"}});
    let e = Topology::from_json(&design(bare, true)).expect_err("no group");
    assert_eq!(e.path, "Rules[0].Targets[0].SqsParameters");
    let grouped = json!({"Id": "t", "endpoint": {"queue": "o.fifo"}, "SqsParameters": {"MessageGroupId": "g7"}});
    let e = Topology::from_json(&design(grouped.clone(), false)).expect_err("no dedup");
    assert!(
        e.message.contains("ContentBasedDeduplication"),
        "{}",
        e.message
    );
    let t = Topology::from_json(&design(grouped, true)).expect("valid");
    let mut w = World::new(&t, 1).expect("world");
    w.put_events(
        "default",
        &[PutEventsEntry {
            source: "s".into(),
            detail_type: "x".into(),
            detail: json!({}),
            resources: vec![],
            time: None,
        }],
    )
    .expect("put");
    w.run_until(1000);
    let got = receive_messages(&mut w, "o.fifo", "c", 1);
    assert_eq!(got[0].group_id.as_deref(), Some("g7"));
}

/// EventBridge API reference, `Target` (`Input`): constant JSON is sent instead of the
/// event; `Input`, `InputPath` and `InputTransformer` are mutually exclusive
/// (`docs/semantics.md` §5).
#[test]
fn a_constant_input_is_sent_instead_of_the_event() {
    let design = |target: serde_json::Value| {
        json!({"Queues": [{"QueueName": "q"}],
            "Rules": [{"Name": "r", "EventPattern": {"source": ["s"]}, "Targets": [target]}]})
        .to_string()
    };
    let both =
        json!({"Id": "t", "endpoint": {"queue": "q"}, "Input": "{}", "InputPath": "$.detail"});
    assert!(Topology::from_json(&design(both)).is_err());
    let bad = json!({"Id": "t", "endpoint": {"queue": "q"}, "Input": "{not json"});
    assert_eq!(
        Topology::from_json(&design(bad))
            .expect_err("bad JSON")
            .path,
        "Rules[0].Targets[0].Input"
    );
    let t = Topology::from_json(&design(
        json!({"Id": "t", "endpoint": {"queue": "q"}, "Input": "{\"seen\": true}"}),
    ))
    .expect("valid");
    let mut w = World::new(&t, 1).expect("world");
    w.put_events(
        "default",
        &[PutEventsEntry {
            source: "s".into(),
            detail_type: "x".into(),
            detail: json!({"big": "payload"}),
            resources: vec![],
            time: None,
        }],
    )
    .expect("put");
    w.run_until(1000);
    assert_eq!(receive_bodies(&mut w, "q", 1), ["{\"seen\": true}"]);
}

/// SNS Developer Guide, "Amazon SNS message delivery retries": a handler (an
/// AWS-managed endpoint such as a Lambda function) that fails is retried 3 times at
/// once, twice a second apart, 10 times backing off from 1 to 20 s, then every 20 s
/// (`docs/semantics.md` §3).
#[test]
fn a_failing_handler_subscription_is_retried_on_the_sns_delivery_policy() {
    use dojo_engine::sim::sns_retry_delay_ms;
    let schedule: Vec<u64> = (0..16)
        .map(|n| sns_retry_delay_ms(n).expect("within"))
        .collect();
    assert_eq!(&schedule[..6], &[0, 0, 0, 1000, 1000, 1000]);
    assert_eq!((schedule[14], schedule[15]), (20_000, 20_000));
    assert!(
        schedule[5..15].windows(2).all(|w| w[0] < w[1]),
        "backs off: {schedule:?}"
    );
    assert_eq!(sns_retry_delay_ms(100_015), None, "100,015 retries in all");

    // A topic whose one subscription is the handler `crm`, with a message published.
    let published_to = |handler: serde_json::Value| {
        let mut w = world(json!({"topics": [{"name": "t"}], "handlers": [handler],
            "subscriptions": [{"topic": "t", "endpoint": {"handler": "crm"}}]}));
        w.publish(&PublishRequest {
            topic: "t".into(),
            message: "m".into(),
            ..Default::default()
        })
        .expect("published");
        w
    };
    let mut w = published_to(json!({"name": "crm", "fail_first": 4, "error_code": "THROTTLING"}));
    w.run_until(5_000);
    assert_eq!(kinds(&w, |k| matches!(k, TraceKind::Retried { .. })), 4);
    let delivered: Vec<_> = w
        .trace()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Delivered { .. }))
        .map(|e| e.at_ms)
        .collect();
    assert_eq!(
        delivered,
        [1000],
        "the fifth attempt, a second after the three immediate retries"
    );
    assert_eq!(
        dojo_engine::sim::narrate_publish(w.trace(), 0, "m").as_deref(),
        Some("m published on topic:t; matched 1 of 1 route; a delivery failed 4 times; delivered to crm on attempt 5."),
        "the narration follows the message through its retries"
    );
    let mut w =
        published_to(json!({"name": "crm", "fail_always": true, "error_code": "THROTTLING"}));
    w.run_until(1_500);
    assert_eq!(
        dojo_engine::sim::narrate_publish(w.trace(), 0, "m").as_deref(),
        Some("m published on topic:t; matched 1 of 1 route; a delivery failed 5 times so far (THROTTLING); the next attempt is at 2.0 s."),
    );
}

/// SNS Developer Guide, "Amazon SNS dead-letter queues (DLQs)": a message a subscription
/// cannot deliver (a client-side error is not retried) goes to the subscription's
/// dead-letter queue, which is of the topic's type (`docs/semantics.md` §3).
#[test]
fn an_undeliverable_notification_goes_to_the_subscription_dead_letter_queue() {
    let design = |dlq: &str| {
        json!({"queues": [{"name": "dlq"}, {"name": "dlq.fifo", "fifo": true}], "topics": [{"name": "t"}],
            "handlers": [{"name": "crm", "fail_always": true, "error_code": "NO_PERMISSIONS"}],
            "subscriptions": [{"topic": "t", "endpoint": {"handler": "crm"}, "RedrivePolicy": {"deadLetterTargetArn": dlq}}]})
    };
    let e = Topology::from_json(&design("dlq.fifo").to_string()).expect_err("type mismatch");
    assert_eq!(e.path, "Subscriptions[0].RedrivePolicy.deadLetterTargetArn");
    let mut w = world(design("dlq"));
    w.publish(&PublishRequest {
        topic: "t".into(),
        message: "m".into(),
        ..Default::default()
    })
    .expect("published");
    w.run_until(1_000);
    assert_eq!(
        kinds(&w, |k| matches!(k, TraceKind::Retried { .. })),
        0,
        "not retried"
    );
    assert_eq!(kinds(&w, |k| matches!(k, TraceKind::MovedToDlq { .. })), 1);
    let said = dojo_engine::sim::narrate_publish(w.trace(), 0, "m").expect("narrated");
    assert!(
        said.contains("dead-lettered to queue:dlq (handler:crm failed (NO_PERMISSIONS"),
        "{said}"
    );
    assert_eq!(receive_bodies(&mut w, "dlq", 1).len(), 1);
}

/// How many messages `client` was handed, and with which DUP flags.
fn mqtt_deliveries(w: &World, client: &str) -> Vec<bool> {
    w.trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Delivered { consumer, dup, .. } if consumer == client => Some(*dup),
            _ => None,
        })
        .collect()
}

/// AWS IoT Core Developer Guide, "MQTT", section "AWS IoT differences from MQTT
/// specifications": a subscription whose filter has a wildcard gets no retained message
/// (only an exact filter does), `sensor/#` does not match `sensor`, and QoS 2 gets no
/// SUBACK. The OASIS profile keeps MQTT 3.1.1's behaviour [MQTT-4.7.1-2]
/// (`docs/semantics.md` §6).
#[test]
fn the_aws_iot_core_profile_follows_its_documented_differences() {
    for iot in [false, true] {
        let profile = if iot { "aws_iot_core" } else { "oasis" };
        let mut w = world(json!({"mqtt": {"profile": profile}}));
        w.mqtt_connect("sensor", true).expect("connect");
        w.mqtt_publish("sensor", "home/kitchen/temp", "21", 1, true)
            .expect("retained");
        w.mqtt_connect("dash", true).expect("connect");
        w.mqtt_subscribe("dash", "home/+/temp", 1)
            .expect("subscribe");
        w.run_until(100);
        assert_eq!(
            mqtt_deliveries(&w, "dash").len(),
            usize::from(!iot),
            "{profile}: retained to a wildcard"
        );
        w.mqtt_connect("exact", true).expect("connect");
        w.mqtt_subscribe("exact", "home/kitchen/temp", 1)
            .expect("subscribe");
        w.run_until(200);
        assert_eq!(
            mqtt_deliveries(&w, "exact").len(),
            1,
            "{profile}: retained to an exact filter"
        );
        w.mqtt_connect("all", true).expect("connect");
        w.mqtt_subscribe("all", "home/#", 1).expect("subscribe");
        w.mqtt_publish("sensor", "home", "parent", 1, false)
            .expect("publish");
        w.run_until(300);
        let parent = mqtt_deliveries(&w, "all").len();
        // OASIS: home/# also gets the retained home/kitchen/temp and the parent `home`.
        assert_eq!(
            parent,
            if iot { 0 } else { 2 },
            "{profile}: `home/#` and the parent level"
        );
        let e = w.mqtt_subscribe("dash", "x", 2).expect_err("QoS 2");
        assert_eq!(e.message.contains("no SUBACK"), iot, "{profile}: {e}");
        assert!(
            w.mqtt_publish("sensor", "x", "m", 2, false).is_err(),
            "{profile}: QoS 2 publish"
        );
    }
}

/// AWS IoT Core Developer Guide, "MQTT" (differences: "The MQTT DUP flag is not
/// supported"; persistent sessions expire, one hour by default): a redelivery on
/// reconnect carries no DUP flag, and a session away longer than its expiry is gone
/// (`docs/semantics.md` §6).
#[test]
fn aws_iot_core_sessions_expire_and_redeliver_without_dup() {
    let mut w = world(
        json!({"mqtt": {"profile": "aws_iot_core", "ack_after_ms": 100, "session_expiry_s": 60}}),
    );
    w.mqtt_connect("pub", true).expect("connect");
    w.mqtt_connect("sub", false).expect("connect");
    w.mqtt_subscribe("sub", "x", 1).expect("subscribe");
    w.mqtt_publish("pub", "x", "m", 1, false).expect("publish");
    w.run_until(50);
    w.mqtt_disconnect("sub").expect("drop before PUBACK");
    w.run_until(1_000);
    w.mqtt_connect("sub", false)
        .expect("reconnect within the hour");
    w.run_until(2_000);
    assert_eq!(
        mqtt_deliveries(&w, "sub"),
        [false, false],
        "redelivered, without DUP"
    );
    w.mqtt_disconnect("sub").expect("away");
    w.mqtt_publish("pub", "x", "queued", 1, false)
        .expect("publish");
    w.run_until(120_000);
    w.mqtt_connect("sub", false).expect("back after the expiry");
    w.run_until(121_000);
    assert_eq!(
        mqtt_deliveries(&w, "sub").len(),
        2,
        "the queued message went with the session"
    );
    assert!(w.trace().iter().any(|e| matches!(&e.kind,
        TraceKind::Session { action, .. } if action.starts_with("session expired after 60 s"))));
    // Topic limits: 7 slashes at most.
    assert!(w
        .mqtt_publish("pub", "a/b/c/d/e/f/g/h/i", "deep", 0, false)
        .is_err());
}
