//! Property test: the compiled matcher gives exactly the reference evaluator's answers on
//! generated patterns and events, both from event text and from a parsed event.

use dojo_engine::json;
use dojo_engine::pattern::compiled::RuleSet;
use dojo_engine::pattern::EventPattern;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Number literals serde_json cannot keep (it would round them) travel as placeholder
/// strings and are put back into the text by [`literal_numbers`].
const RAW_NUMBERS: &[(&str, &str)] = &[
    ("\"__N1__\"", "3.0000000000000001"),
    ("\"__N2__\"", "37.730438355350252"),
    ("\"__N3__\"", "37.73043835535025"),
    ("\"__N4__\"", "9007199254740993"),
    ("\"__N5__\"", "3.0e0"),
];

fn literal_numbers(text: String) -> String {
    RAW_NUMBERS.iter().fold(text, |t, (placeholder, literal)| {
        t.replace(placeholder, literal)
    })
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec!["__N1__", "__N2__", "__N3__", "__N4__", "__N5__"])
            .prop_map(Value::from),
        prop::sample::select(vec!["x", "xy", "ab", "", "AB", "10.0.0.1", "a*b", "é"])
            .prop_map(Value::from),
        prop::sample::select(vec![0.0, 1.0, 1.5, -2.0, 300.0, 1e-7]).prop_map(|n| json!(n)),
        Just(json!(300)),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn leafish() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => scalar(),
        1 => prop::collection::vec(scalar(), 0..3).prop_map(Value::from),
    ]
}

fn event() -> impl Strategy<Value = Value> {
    let element = (prop::option::of(leafish()), prop::option::of(leafish())).prop_map(|(x, y)| {
        let mut m = serde_json::Map::new();
        if let Some(x) = x {
            m.insert("x".into(), x);
        }
        if let Some(y) = y {
            m.insert("y".into(), y);
        }
        Value::Object(m)
    });
    (
        prop::option::of(leafish()),
        prop::option::of(leafish()),
        prop::option::of((prop::option::of(leafish()), prop::option::of(leafish()))),
        prop::option::of(prop::collection::vec(element, 0..3)),
    )
        .prop_map(|(a, b, c, arr)| {
            let mut m = serde_json::Map::new();
            if let Some(a) = a {
                m.insert("a".into(), a);
            }
            if let Some(b) = b {
                m.insert("b".into(), b);
            }
            if let Some((d, e)) = c {
                let mut inner = serde_json::Map::new();
                if let Some(d) = d {
                    inner.insert("d".into(), d);
                }
                if let Some(e) = e {
                    inner.insert("e".into(), e);
                }
                m.insert("c".into(), Value::Object(inner));
            }
            if let Some(arr) = arr {
                m.insert("arr".into(), Value::Array(arr));
            }
            Value::Object(m)
        })
}

fn matcher() -> impl Strategy<Value = Value> {
    let s = || prop::sample::select(vec!["x", "xy", "ab", "a", "AB", "y", "é"]);
    prop_oneof![
        scalar(),
        s().prop_map(|p| json!({ "prefix": p })),
        s().prop_map(|p| json!({ "suffix": p })),
        s().prop_map(|p| json!({ "equals-ignore-case": p })),
        s().prop_map(|p| json!({ "prefix": { "equals-ignore-case": p } })),
        prop::sample::select(vec!["*", "x*", "*b", "a*b", "*ab*", "*b*a", "*xa"])
            .prop_map(|p| json!({ "wildcard": p })),
        s().prop_map(|p| json!({ "anything-but": p })),
        prop::sample::select(vec![0, 1, 300]).prop_map(|n| json!({ "anything-but": [n] })),
        s().prop_map(|p| json!({ "anything-but": { "prefix": p } })),
        prop::sample::select(vec![-1.0, 0.0, 1.0, 100.0])
            .prop_map(|n| json!({ "numeric": [">", n] })),
        prop::sample::select(vec![0.0, 1.5, 300.0, 3.0, 37.73043835535025])
            .prop_map(|n| json!({ "numeric": ["=", n] })),
        Just(json!({ "numeric": [">", 37.7, "<", 37.8] })),
        Just(json!({ "numeric": [">=", 0, "<", 2] })),
        any::<bool>().prop_map(|b| json!({ "exists": b })),
        Just(json!({ "cidr": "10.0.0.0/8" })),
    ]
}

fn field() -> impl Strategy<Value = (Vec<&'static str>, Value)> {
    (
        prop::sample::select(vec![
            vec!["a"],
            vec!["b"],
            vec!["c", "d"],
            vec!["c", "e"],
            vec!["arr", "x"],
            vec!["arr", "y"],
            vec!["c.d"],
        ]),
        prop::collection::vec(matcher(), 1..3).prop_map(Value::from),
    )
}

fn insert(target: &mut serde_json::Map<String, Value>, path: &[&str], value: Value) {
    match path {
        [last] => {
            target.insert(last.to_string(), value);
        }
        [first, rest @ ..] => {
            let entry = target.entry(first.to_string()).or_insert_with(|| json!({}));
            if let Value::Object(inner) = entry {
                insert(inner, rest, value);
            }
        }
        [] => {}
    }
}

fn pattern() -> impl Strategy<Value = String> {
    let conj = || {
        prop::collection::vec(field(), 1..4).prop_map(|fields| {
            let mut m = serde_json::Map::new();
            for (path, v) in fields {
                insert(&mut m, &path, v);
            }
            m
        })
    };
    (
        conj(),
        prop::option::of(prop::collection::vec(conj(), 2..3)),
    )
        .prop_map(|(mut base, or)| {
            if let Some(branches) = or {
                base.insert(
                    "$or".into(),
                    Value::Array(branches.into_iter().map(Value::Object).collect()),
                );
            }
            Value::Object(base).to_string()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn compiled_matcher_agrees_with_the_reference_evaluator(
        patterns in prop::collection::vec(pattern(), 1..5),
        event in event(),
    ) {
        let parsed: Vec<EventPattern> = patterns.iter().filter_map(|p| EventPattern::eventbridge(p).ok()).collect();
        prop_assume!(!parsed.is_empty());
        let text = literal_numbers(event.to_string());
        let tree = json::parse(&text).expect("serde_json writes valid JSON").value;
        let expected = reference(&parsed, &tree);
        let set = RuleSet::new(&parsed);
        let mut scratch = set.scratch();
        let from_text = set.matches_text(&text, &mut scratch).expect("valid event").to_vec();
        prop_assert_eq!(&from_text, &expected, "text scan; patterns {:?}; event {}", patterns, text);
        let from_tree = set.matches_json(&tree, &mut scratch).to_vec();
        prop_assert_eq!(&from_tree, &expected, "tree walk; patterns {:?}; event {}", patterns, text);
    }
}

/// The ids of the patterns the reference evaluator says match.
fn reference(patterns: &[EventPattern], event: &json::Json) -> Vec<u32> {
    patterns
        .iter()
        .enumerate()
        .filter(|(_, p)| p.matches(event))
        .map(|(i, _)| i as u32)
        .collect()
}

fn bound() -> impl Strategy<Value = f64> {
    prop::sample::select(vec![
        -122.51,
        -122.5095,
        0.0,
        1.5,
        2.5,
        37.73043835535025,
        1e-7,
        1e15,
    ])
}

/// A number written near a bound: the bound itself, or nudged by a tiny amount, in plain,
/// long or exponent form, with up to 20 significant digits.
fn number_near(bound: f64) -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            0.0, 1e-17, -1e-17, 1e-15, -1e-15, 1e-9, -1e-9, 0.5, -0.5,
        ]),
        0usize..20,
        any::<bool>(),
    )
        .prop_map(move |(nudge, digits, exponent)| {
            let x = bound + nudge * bound.abs().max(1.0);
            if exponent {
                format!("{x:.digits$e}")
            } else {
                format!("{x:.digits$}")
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, .. ProptestConfig::default() })]

    /// Around every range bound, in every way of writing a number (long, short, with an
    /// exponent, past what a double holds), the compiled matcher answers as the
    /// reference evaluator does.
    #[test]
    fn numbers_near_range_bounds_match_as_the_reference_says(
        ranges in prop::collection::vec((bound(), bound(), any::<bool>(), any::<bool>()), 1..4),
        numbers in bound().prop_flat_map(|b| prop::collection::vec(number_near(b), 1..4)),
    ) {
        let patterns: Vec<String> = ranges
            .iter()
            .map(|(lo, hi, lo_open, hi_open)| {
                let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
                let lower = if *lo_open { ">" } else { ">=" };
                let upper = if *hi_open { "<" } else { "<=" };
                format!(r#"{{"n":[{{"numeric":["{lower}",{lo},"{upper}",{hi}]}}]}}"#)
            })
            .collect();
        let parsed: Vec<EventPattern> = patterns.iter().filter_map(|p| EventPattern::eventbridge(p).ok()).collect();
        prop_assume!(!parsed.is_empty());
        let set = RuleSet::new(&parsed);
        let mut scratch = set.scratch();
        for number in &numbers {
            let text = format!(r#"{{"n":[{number}, 0.0]}}"#);
            let tree = json::parse(&text).expect("a valid event").value;
            let expected = reference(&parsed, &tree);
            let found = set.matches_text(&text, &mut scratch).expect("valid event").to_vec();
            prop_assert_eq!(&found, &expected, "patterns {:?}; event {}", patterns, text);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, .. ProptestConfig::default() })]

    /// Many ranges at once, some crowded into a sliver of the number line and some spread
    /// wide, so the cut of the number line has buckets holding one bound, none, and many:
    /// every number in and around them matches as the reference evaluator says.
    #[test]
    fn many_ranges_crowded_and_spread_match_as_the_reference_says(
        ranges in prop::collection::vec(
            (prop_oneof![-1e6..1e6f64, 37.70..37.71f64, -3.0..3.0f64], 0.0..0.01f64, any::<bool>()),
            9..60,
        ),
        numbers in prop::collection::vec(prop_oneof![-1e6..1e6f64, 37.69..37.72f64, -3.5..3.5f64], 1..20),
    ) {
        let patterns: Vec<String> = ranges
            .iter()
            .map(|(lo, width, closed)| {
                let (lower, upper) = if *closed { (">=", "<=") } else { (">", "<") };
                format!(r#"{{"n":[{{"numeric":["{lower}",{lo},"{upper}",{}]}}]}}"#, lo + width)
            })
            .collect();
        let parsed: Vec<EventPattern> = patterns.iter().filter_map(|p| EventPattern::eventbridge(p).ok()).collect();
        prop_assume!(!parsed.is_empty());
        let set = RuleSet::new(&parsed);
        let mut scratch = set.scratch();
        let bounds = ranges.iter().flat_map(|(lo, width, _)| [*lo, lo + width]);
        for number in numbers.iter().copied().chain(bounds) {
            let text = format!(r#"{{"n":{number}}}"#);
            let tree = json::parse(&text).expect("a valid event").value;
            let expected = reference(&parsed, &tree);
            let found = set.matches_text(&text, &mut scratch).expect("valid event").to_vec();
            prop_assert_eq!(&found, &expected, "patterns {:?}; event {}", patterns, text);
        }
    }
}

/// Found by the `eventbridge_pattern` fuzz target (docs/fuzzing.md): an event repeating
/// a key the pattern reads. Its last value counts (`docs/semantics.md` §1.1); the text
/// scan once matched the first.
#[test]
fn a_repeated_key_in_the_event_counts_its_last_value_on_both_paths() {
    let p = EventPattern::eventbridge(r#"{"source": [{"wildcard": "dojo.*"}]}"#).expect("valid");
    let set = RuleSet::new([&p]);
    let mut scratch = set.scratch();
    for (event, expected) in [
        (r#"{"source": "dojo.quotes", "source": "us-east-1"}"#, false),
        (r#"{"source": "us-east-1", "source": "dojo.quotes"}"#, true),
        (
            r#"{"detail": {"a": 1}, "source": "x", "\u0073ource": "dojo.q"}"#,
            true,
        ),
        (
            r#"{"list": [{"source": 1}, {"source": 2}], "source": "dojo.q"}"#,
            true,
        ),
    ] {
        let tree = json::parse(event).expect("valid").value;
        assert_eq!(p.matches(&tree), expected, "reference: {event}");
        let from_text = !set
            .matches_text(event, &mut scratch)
            .expect("valid")
            .is_empty();
        assert_eq!(from_text, expected, "text scan: {event}");
    }
}

/// Found by the `eventbridge_pattern` fuzz target (docs/fuzzing.md): an "event" that is
/// not an object. The reference evaluator read the number `2` as a field with an empty
/// name and matched `{"": [2]}`; an event is an object, so both paths match nothing.
#[test]
fn a_value_that_is_not_an_object_matches_no_pattern() {
    // Not even a pattern that only asks for a field to be absent (a case the fuzzer
    // found: the compiled matcher matched `exists: false` alone on a string).
    for (pattern, on_an_empty_object) in [
        (r#"{"": [2, 0, 28]}"#, false),
        (r#"{"": {"ne": [{"exists": false}]}}"#, true),
        (r#"{"a": [{"exists": false}]}"#, true),
    ] {
        let p = EventPattern::eventbridge(pattern).expect("valid");
        let set = RuleSet::new([&p]);
        let mut scratch = set.scratch();
        for event in ["2", "\"x\"", " \"det\"", "[2]", "[{\"\": 2}]", "null", "[]"] {
            let tree = json::parse(event).expect("valid").value;
            assert!(!p.matches(&tree), "reference: {pattern} / {event}");
            assert!(
                set.matches_json(&tree, &mut scratch).is_empty(),
                "compiled: {pattern} / {event}"
            );
            assert!(
                set.matches_text(event, &mut scratch).is_err(),
                "text: {pattern} / {event}"
            );
        }
        assert_eq!(
            p.matches_text("{}").expect("valid"),
            on_an_empty_object,
            "{pattern}"
        );
    }
    let p = EventPattern::eventbridge(r#"{"": [2, 0, 28]}"#).expect("valid");
    assert!(p.matches_text(r#"{"": 2}"#).expect("valid"));
}
