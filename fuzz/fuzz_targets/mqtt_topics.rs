//! MQTT topic filters and names, differentially: validation never panics, and for a
//! valid filter and topic name the broker's matcher agrees with a second matcher
//! written here straight from MQTT 3.1.1 §4.7 (levels split on '/', '+' one level, '#'
//! the rest including its parent, and no wildcard first level matching a '$' topic).
//! Input: filter NUL topic.
#![no_main]
#[path = "common.rs"]
mod common;
use dojo_engine::pattern::mqtt;
use libfuzzer_sys::fuzz_target;

fn by_the_spec(filter: &str, topic: &str) -> bool {
    let f: Vec<&str> = filter.split('/').collect();
    let t: Vec<&str> = topic.split('/').collect();
    if topic.starts_with('$') && matches!(f[0], "+" | "#") {
        return false;
    }
    for (i, level) in f.iter().enumerate() {
        match *level {
            // [MQTT-4.7.1-2]: "sport/#" also matches "sport".
            "#" => return true,
            "+" if i < t.len() => {}
            lit if i < t.len() && t[i] == lit => {}
            _ => return false,
        }
    }
    f.len() == t.len()
}

fuzz_target!(|data: &[u8]| {
    let Some((filter, topic)) = common::two_parts(data) else {
        return;
    };
    let filter_ok = mqtt::validate_filter(filter).is_ok();
    let topic_ok = mqtt::validate_topic_name(topic).is_ok();
    let _ = mqtt::explain(filter, topic);
    if filter_ok && topic_ok {
        assert_eq!(
            mqtt::matches(filter, topic),
            by_the_spec(filter, topic),
            "{filter:?} on {topic:?}"
        );
        let compiled = mqtt::TopicFilter::new(filter).expect("valid");
        assert_eq!(compiled.matches(topic), by_the_spec(filter, topic));
    }
});
