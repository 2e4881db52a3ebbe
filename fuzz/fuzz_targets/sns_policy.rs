//! SNS filter policies, differentially, in both scopes: a policy that validates gives the
//! same answer from the compiled matcher as from the reference evaluator, on a message
//! body (MessageBody scope) or on attributes written as SNS's JSON (MessageAttributes).
//! Input: one byte choosing the scope, then policy NUL message.
#![no_main]
#[path = "common.rs"]
mod common;
use dojo_engine::json;
use dojo_engine::pattern::compiled::RuleSet;
use dojo_engine::pattern::sns::body_to_json;
use dojo_engine::pattern::{Dialect, EventPattern};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&scope, rest)) = data.split_first() else {
        return;
    };
    let dialect = if scope % 2 == 0 {
        Dialect::SnsBody
    } else {
        Dialect::SnsAttributes
    };
    let Some((policy, message)) = common::two_parts(rest) else {
        return;
    };
    let Ok(p) = EventPattern::parse(policy, dialect) else {
        return;
    };
    let Ok(parsed) = json::parse(message) else {
        return;
    };
    let set = RuleSet::new([&p]);
    let mut scratch = set.scratch();
    let compiled = |v: &json::Json, scratch: &mut _| !set.matches_json(v, scratch).is_empty();
    match dialect {
        Dialect::SnsBody => {
            let reference = p.matches_body(&parsed.value);
            let wrapped = body_to_json(&parsed.value);
            let by_set = wrapped.as_ref().is_some_and(|b| compiled(b, &mut scratch));
            assert_eq!(reference, by_set, "body: {policy} / {message}");
        }
        _ => {
            let reference = p.matches(&parsed.value);
            assert_eq!(
                reference,
                compiled(&parsed.value, &mut scratch),
                "attributes: {policy} / {message}"
            );
        }
    }
});
