//! The explainer's sentences: what learners read when a pattern does or does not match.

use dojo_engine::pattern::{explain_json, EventPattern};

fn explain(pattern: &str, event: &str) -> String {
    let p = EventPattern::eventbridge(pattern).expect("valid pattern");
    explain_json(&p, event).expect("valid event").to_string()
}

#[test]
fn a_failing_numeric_condition_says_what_it_needs() {
    let text = explain(
        r#"{"detail":{"premium":[{"numeric":[">",500]}]}}"#,
        r#"{"detail":{"premium":450}}"#,
    );
    assert_eq!(
        text,
        "false\n✗ `detail.premium` is 450; {\"numeric\":[\">\",500]} needs a number > 500\n"
    );
}

#[test]
fn a_match_names_the_matching_value() {
    let text = explain(
        r#"{"tags":[{"prefix":"gold"}]}"#,
        r#"{"tags":["silver","golden"]}"#,
    );
    assert_eq!(text, "true\n✓ `tags` has values \"silver\" and \"golden\"; {\"prefix\":\"gold\"} matches \"golden\"\n");
}

#[test]
fn missing_objects_and_empty_arrays_are_described() {
    let text = explain(
        r#"{"a":[{"exists":true}],"b":["x"],"c":[null]}"#,
        r#"{"a":{"k":1},"c":[]}"#,
    );
    assert!(
        text.contains(
            "✗ `a` is an object, not a value; {\"exists\":true} needs the field to be present"
        ),
        "{text}"
    );
    assert!(
        text.contains("✗ `b` is missing; \"x\" needs exactly the string \"x\""),
        "{text}"
    );
    assert!(
        text.contains("✗ `c` is an empty array; null needs null"),
        "{text}"
    );
}

#[test]
fn type_mismatches_are_pointed_out() {
    let text = explain(r#"{"n":[{"numeric":["<",10]}]}"#, r#"{"n":"5"}"#);
    assert!(
        text.contains("needs a number < 10, but the value is a string"),
        "{text}"
    );
}

#[test]
fn array_consistency_failures_get_their_own_note() {
    let text = explain(
        r#"{"employees":{"first":["Anna"],"last":["Jones"]}}"#,
        r#"{"employees":[{"first":"Anna","last":"Smith"},{"first":"Peter","last":"Jones"}]}"#,
    );
    assert!(text.starts_with("false\n✓ `employees.first`"), "{text}");
    assert!(
        text.contains("not inside the same element of an array of objects"),
        "{text}"
    );
}

#[test]
fn or_branches_are_explained_one_by_one() {
    let text = explain(r#"{"$or":[{"a":[1]},{"b":[2]}]}"#, r#"{"b":2}"#);
    assert!(
        text.starts_with("true\n✗ $or branch 1 of 2:\n  ✗ `a` is missing"),
        "{text}"
    );
    assert!(
        text.contains("✓ $or branch 2 of 2:\n  ✓ `b` is 2; 2 matches 2"),
        "{text}"
    );
}

#[test]
fn absence_and_anything_but_read_naturally() {
    let text = explain(
        r#"{"x":[{"exists":false}],"y":[{"anything-but":["a","b"]}]}"#,
        r#"{"y":"a"}"#,
    );
    assert!(
        text.contains("✓ `x` is missing; {\"exists\":false} matches: the field is absent"),
        "{text}"
    );
    assert!(text.contains("✗ `y` is \"a\"; {\"anything-but\":[\"a\",\"b\"]} needs a value other than \"a\" or \"b\""), "{text}");
}
