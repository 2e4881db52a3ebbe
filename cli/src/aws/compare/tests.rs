use super::*;

fn d(queue: &str, step: usize, body: &str, order: usize) -> Delivery {
    Delivery {
        step,
        at_ms: step as u64 * 1000,
        queue: queue.into(),
        consumer: "worker".into(),
        body: body.into(),
        attributes: json!({}),
        receive_count: 1,
        group_id: None,
        order,
    }
}

#[test]
fn content_drops_what_differs_between_runs() {
    let sim = r#"{"Type":"Notification","MessageId":"quotes-1","TopicArn":"arn:aws:sns:us-east-1:000000000000:quotes","Message":"{\"premium\":1200}","Timestamp":"2026-01-01T00:00:00Z"}"#;
    let aws = r#"{"Type":"Notification","MessageId":"0b1c","TopicArn":"arn:aws:sns:eu-west-1:123456789012:dojo-x-quotes","Message":"{\"premium\":1200}","Timestamp":"2026-12-06T10:00:00.000Z","Signature":"abc"}"#;
    assert_eq!(content(sim), content(aws));
    assert_eq!(content(sim), r#"{"sns":{"Message":{"premium":1200}}}"#);
    let event = |id: &str, time: &str| {
        json!({"version": "0", "id": id, "time": time, "account": "1", "region": "r", "source": "dojo.quotes",
            "detail-type": "QuoteIssued", "resources": [], "detail": {"premium": 1}})
        .to_string()
    };
    assert_eq!(
        content(&event("a", "2026-01-01T00:00:00Z")),
        content(&event("b", "2026-12-06T10:00:00Z"))
    );
    assert_eq!(content("plain text"), "plain text");
}

#[test]
fn the_same_deliveries_all_match() {
    let sim = vec![d("orders", 2, "a", 1), d("orders", 2, "b", 2)];
    let report = compare(&sim, &sim.clone(), &Notes::default());
    assert!(report.lines.iter().all(|l| l.status == Status::Match));
    assert_eq!(report.unexpected(), 0);
    assert!(report.text().contains("queue orders: 2 match, 0 differ"));
}

#[test]
fn a_standard_queue_duplicate_and_order_are_expected_and_a_fifo_reorder_is_not() {
    let sim = vec![d("orders", 2, "a", 1), d("orders", 2, "b", 2)];
    let aws = vec![
        d("orders", 2, "b", 1),
        d("orders", 2, "a", 2),
        d("orders", 2, "a", 3),
    ];
    let report = compare(&sim, &aws, &Notes::default());
    let statuses: Vec<Status> = report.lines.iter().map(|l| l.status).collect();
    assert_eq!(statuses, [Status::Match, Status::Differ, Status::AwsOnly]);
    assert!(report.lines[1]
        .reason
        .as_deref()
        .is_some_and(|r| r.starts_with("order: a standard queue")));
    assert!(report.lines[2]
        .reason
        .as_deref()
        .is_some_and(|r| r.starts_with("at-least-once")));
    assert_eq!(report.unexpected(), 0);

    let group = |mut x: Delivery| {
        x.queue = "claims.fifo".into();
        x.group_id = Some("c-1".into());
        x
    };
    let sim: Vec<Delivery> = sim.into_iter().map(group).collect();
    let aws = vec![group(d("", 2, "b", 1)), group(d("", 2, "a", 2))];
    let report = compare(&sim, &aws, &Notes::default());
    assert_eq!(report.unexpected(), 1, "{}", report.text());
    assert!(report
        .text()
        .contains("UNEXPECTED: order: AWS delivered it out of order within message group c-1"));
}

#[test]
fn timing_is_explained_and_a_missing_delivery_is_not() {
    let sim = vec![d("orders", 2, "a", 1), d("orders", 3, "b", 2)];
    let mut late = d("orders", 4, "a", 1);
    late.receive_count = 1;
    let report = compare(&sim, &[late], &Notes::default());
    assert_eq!(report.lines[0].status, Status::Differ);
    assert!(report.lines[0].expected);
    assert!(report.lines[0]
        .reason
        .as_deref()
        .is_some_and(|r| r.contains("by step 2 in the simulation (2000 ms) and by step 4 on AWS")));
    assert_eq!(report.lines[1].status, Status::SimOnly);
    assert!(!report.lines[1].expected);
    assert_eq!(report.unexpected(), 1);
    let json: Vec<Value> = report
        .json_lines()
        .iter()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(json.last().expect("a summary")["sim_only"], 1);
    assert_eq!(json[1]["status"], "sim_only");
}

#[test]
fn a_handler_dead_letter_queue_that_nothing_feeds_on_aws_is_expected_to_be_empty() {
    let sim = vec![d("pager-dlq", 1, "disk full", 1)];
    let notes = Notes {
        unfed: vec!["pager-dlq".into()],
        ..Notes::default()
    };
    let report = compare(&sim, &[], &notes);
    assert_eq!(report.lines[0].status, Status::SimOnly);
    assert!(report.lines[0].expected);
    assert_eq!(compare(&sim, &[], &Notes::default()).unexpected(), 1);
}

#[test]
fn a_step_refused_on_both_sides_is_expected_and_on_one_side_is_not() {
    let notes = Notes {
        not_made: vec![
            "rule r's target t (handler:billing): a handler is a Lambda function".into(),
        ],
        refused_on_aws: vec![
            "step 3 at 100 ms: sqs SendMessage: MissingParameter: group".into(),
            "step 5 at 200 ms: MQTT runs on AWS IoT Core, which a run does not use".into(),
        ],
        refused_in_sim: vec![
            "step 3 at 100 ms: a FIFO send needs a group id".into(),
            "step 7 at 300 ms: QueueFull".into(),
        ],
        unfed: vec![],
    };
    let report = compare(&[d("orders", 4, "a", 1)], &[], &notes);
    assert_eq!(
        report.lines[0].reason.as_deref(),
        Some("AWS refused step 3 (see the notes): what the simulation delivered from there is missing")
    );
    assert!(!report.lines[0].expected);
    let unexpected: Vec<&str> = report
        .notes
        .iter()
        .filter(|n| !n.expected)
        .map(|n| n.what.as_str())
        .collect();
    assert_eq!(
        unexpected,
        ["refused in the simulation, accepted on AWS: step 7 at 300 ms: QueueFull"]
    );
}
