//! SNS filter policy validation: the differences from EventBridge and the limits
//! (`docs/semantics.md` §2, after the SNS Developer Guide's "Message filtering").

use dojo_engine::pattern::{Dialect, EventPattern};

fn reason(p: &str, d: Dialect) -> String {
    match EventPattern::parse(p, d) {
        Ok(_) => panic!("{p} should be invalid"),
        Err(e) => e.reason,
    }
}

fn valid(p: &str, d: Dialect) {
    EventPattern::parse(p, d).unwrap_or_else(|e| panic!("{p} should be valid: {e}"));
}

#[test]
fn anything_but_suffix_and_wildcard_are_rejected_by_sns() {
    assert_eq!(
        reason(
            r#"{"a":[{"anything-but":{"suffix":"x"}}]}"#,
            Dialect::SnsAttributes
        ),
        "Unsupported anything-but pattern: suffix"
    );
    assert_eq!(
        reason(r#"{"a":[{"wildcard":"x*"}]}"#, Dialect::SnsBody),
        "Unrecognized match type wildcard"
    );
    valid(
        r#"{"a":[{"anything-but":{"suffix":"x"}}]}"#,
        Dialect::EventBridge,
    );
    valid(
        r#"{"a":[{"anything-but":{"prefix":"x"}},{"suffix":"y"},{"equals-ignore-case":"z"}]}"#,
        Dialect::SnsAttributes,
    );
}

#[test]
fn attribute_scope_rejects_nesting_and_body_scope_allows_it() {
    let nested = r#"{"store":{"key":["x"]}}"#;
    assert_eq!(
        reason(nested, Dialect::SnsAttributes),
        "Filter policy scope MessageAttributes does not support nested filter policy"
    );
    valid(nested, Dialect::SnsBody);
    let err = EventPattern::parse(nested, Dialect::SnsAttributes).expect_err("nested");
    assert_eq!(err.aws_message(), "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
}

#[test]
fn at_most_five_keys() {
    let six = r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}"#;
    assert_eq!(
        reason(six, Dialect::SnsAttributes),
        "Filter policy can not have more than 5 keys"
    );
    valid(
        r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"]}"#,
        Dialect::SnsAttributes,
    );
    valid(six, Dialect::EventBridge);
}

#[test]
fn at_most_150_combinations_summed_over_or_branches() {
    let values = |n: usize| {
        (0..n)
            .map(|i| format!("\"v{i}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    // 3 × 50 = 150 is the most allowed.
    valid(
        &format!(r#"{{"a":[{}],"b":[{}]}}"#, values(3), values(50)),
        Dialect::SnsAttributes,
    );
    assert_eq!(
        reason(
            &format!(r#"{{"a":[{}],"b":[{}]}}"#, values(3), values(51)),
            Dialect::SnsAttributes
        ),
        "Filter policy is too complex"
    );
    // 24 + 64 + 64 = 152.
    let or = format!(
        r#"{{"$or":[{{"a":[{}],"b":[{}]}},{{"c":[{}],"d":[{}]}},{{"e":[{}],"f":[{}]}}]}}"#,
        values(4),
        values(6),
        values(8),
        values(8),
        values(8),
        values(8)
    );
    assert_eq!(
        reason(&or, Dialect::SnsAttributes),
        "Filter policy is too complex"
    );
    // Nested body policies multiply in depth: 3×4×2×3 = 72 is fine.
    valid(
        r#"{"key_a":{"key_b":{"key_c":["1","2","3","4"]}},"key_d":{"key_e":["1","2","3"]}}"#,
        Dialect::SnsBody,
    );
}

#[test]
fn sns_shares_eventbridge_reasons() {
    assert_eq!(
        reason(r#"{"a":[{"NUMERIC":[">",1]}]}"#, Dialect::SnsAttributes),
        "Unrecognized match type NUMERIC"
    );
    assert_eq!(
        reason(r#"{"a":[{"exists":"true"}]}"#, Dialect::SnsAttributes),
        "exists match pattern must be either true or false."
    );
}

/// SNS Developer Guide, "Removing a subscription filter policy": overwriting a policy with
/// an empty JSON body removes it, and the subscription then accepts every message
/// (`docs/semantics.md` §2).
#[test]
fn an_empty_filter_policy_accepts_every_message() {
    let t = dojo_engine::topology::Topology::from_json(
        r#"{"Queues": [{"QueueName": "q"}], "Topics": [{"TopicName": "t"}],
            "Subscriptions": [{"TopicArn": "t", "Endpoint": {"queue": "q"}, "FilterPolicy": {}, "RawMessageDelivery": true}]}"#,
    )
    .expect("an empty policy is valid");
    let mut w = dojo_engine::sim::World::new(&t, 1).expect("a world");
    w.publish(&dojo_engine::sim::PublishRequest {
        topic: "t".into(),
        message: "hello".into(),
        ..Default::default()
    })
    .expect("published");
    assert_eq!(w.peek("q").expect("q").messages.len(), 1, "delivered");
}

/// SNS Developer Guide, "Filter policy constraints": a policy has at most five keys. Keys
/// spread over `$or` branches count too, so six of them are refused even though the
/// policy's top level holds only `$or` (`docs/semantics.md` §2).
#[test]
fn keys_in_or_branches_count_towards_the_five() {
    let five = r#"{"$or": [{"a": ["1"], "b": ["1"], "c": ["1"]}, {"d": ["1"], "e": ["1"]}]}"#;
    assert!(EventPattern::parse(five, Dialect::SnsAttributes).is_ok());
    let six =
        r#"{"$or": [{"a": ["1"], "b": ["1"], "c": ["1"]}, {"d": ["1"], "e": ["1"], "f": ["1"]}]}"#;
    let e = EventPattern::parse(six, Dialect::SnsAttributes).expect_err("six keys");
    assert!(
        e.to_string()
            .contains("Filter policy can not have more than 5 keys"),
        "{e}"
    );
    // The same key in two branches is one key.
    let shared =
        r#"{"$or": [{"a": ["1"], "b": ["1"]}, {"a": ["2"], "c": ["1"]}], "d": ["1"], "e": ["1"]}"#;
    assert!(EventPattern::parse(shared, Dialect::SnsAttributes).is_ok());
}
