//! Design mistakes in a learner's words. The JSON reader and serde describe a problem in
//! their own terms ("unknown field `rules`, expected `name`", "invalid type: string,
//! expected u32", "EOF while parsing a value"); this module turns those into sentences
//! that say where the mistake is, what is allowed there, and the closest valid name.
//!
//! It only rewords: whether a design is valid is decided by the types and by
//! `Topology::validate`, never here. Serde's message shapes are matched as text because
//! serde exposes no structured error for them; a message of a shape not known here is
//! passed on with its path rather than lost.

use crate::json::JsonError;

/// Reads learner-written JSON as `T`, every mistake worded by this module: a syntax
/// mistake with its line and column, a shape mistake with its path.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    crate::json::parse(text).map_err(|e| syntax(&e))?;
    crate::shape::from_str(text).map_err(|e| shape(&e.path, &e.message))
}

/// A syntax mistake (from [`crate::json::parse`]), with its line and column.
pub fn syntax(e: &JsonError) -> String {
    let at = format!("line {}, column {}", e.line, e.column);
    let m = &e.message;
    if m.starts_with("Unexpected end-of-input") {
        format!("The text ends too early ({at}): a closing bracket, brace or quote is missing.")
    } else if let Some(token) = m
        .strip_prefix("Unrecognized token '")
        .and_then(|t| t.split('\'').next())
    {
        format!(
            "`{token}` at {at} is not a JSON value: text needs double quotes (\"{token}\"), and true, false and null are written in lower case."
        )
    } else if let Some(c) = m
        .strip_prefix("Unexpected character ('")
        .and_then(|t| t.chars().next())
    {
        let hint = match c {
            '}' | ']' => " Is there a comma after the last item?",
            '\'' => " JSON quotes text with double quotes, not single ones.",
            '"' => " Is a comma missing before it?",
            _ => "",
        };
        format!("`{c}` is not expected at {at}.{hint}")
    } else {
        format!("The JSON is not valid at {at}.")
    }
}

/// What the thing at a JSON path is, in words: "a queue", "a rule's target".
fn noun(path: &str, root: &str) -> String {
    let last = path
        .rsplit('.')
        .next()
        .unwrap_or(path)
        .split('[')
        .next()
        .unwrap_or("");
    // AWS's names (`Targets`, `RedrivePolicy`) are the same things as ours.
    let last = snake(last);
    match last.as_str() {
        "" => root.into(),
        "topology" => "the topology".into(),
        "goals" => "a goal".into(),
        "beats" => "a beat".into(),
        "workload" => "a workload step".into(),
        "queues" => "a queue".into(),
        "topics" => "a topic".into(),
        "subscriptions" => "a subscription".into(),
        "buses" => "a bus".into(),
        "rules" => "a rule".into(),
        "targets" => "a rule's target".into(),
        "archives" => "an archive".into(),
        "handlers" => "a handler".into(),
        "redrive" | "redrive_policy" => "a redrive policy".into(),
        "retry_policy" => "a retry policy".into(),
        "input_transformer" => "an input transformer".into(),
        "endpoint" => "an endpoint".into(),
        "scenario" => "the scenario".into(),
        "inputs" => "a scenario input".into(),
        "steps" => "a step".into(),
        "mqtt" => "the MQTT settings".into(),
        other => format!("`{other}`"),
    }
}

/// `RedrivePolicy` → `redrive_policy`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The lists that live at the top of a topology, for "belongs elsewhere" advice.
const TOP_LEVEL: &[&str] = &[
    "queues",
    "topics",
    "subscriptions",
    "buses",
    "rules",
    "archives",
    "handlers",
];

/// The project's own names for settings that now have AWS's: older designs (saved labs,
/// sessions, exercise packs) use them, and they are read as aliases, never written.
const FORMER_NAMES: &[&str] = &[
    "archives",
    "bus",
    "buses",
    "content_based_dedup",
    "delay_s",
    "dlq",
    "endpoint",
    "fifo",
    "filter_policy",
    "filter_policy_scope",
    "handlers",
    "id",
    "input_path",
    "input_paths_map",
    "input_template",
    "input_transformer",
    "max_message_bytes",
    "max_receive_count",
    "maximum_event_age_s",
    "maximum_retry_attempts",
    "name",
    "pattern",
    "queues",
    "raw_message_delivery",
    "receive_wait_s",
    "redrive",
    "retention_days",
    "retention_s",
    "retry_policy",
    "rules",
    "subscriptions",
    "targets",
    "topic",
    "topics",
    "visibility_timeout_s",
];

/// "`a`, `b` or `c`".
fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} or `{last}`",
            init.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The names in serde's "expected one of `a`, `b`" (or "expected `a`").
fn expected_names(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The allowed name closest to `wrong`, when it is close enough to be a likely slip.
fn closest<'a>(wrong: &str, allowed: &'a [String]) -> Option<&'a String> {
    let lower = wrong.to_lowercase().replace(['_', '-'], "");
    allowed
        .iter()
        .map(|a| {
            let a_lower = a.to_lowercase().replace(['_', '-'], "");
            (strsim::levenshtein(&lower, &a_lower), a)
        })
        .filter(|(d, a)| *d <= 2.max(a.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

/// How serde names a type, as a learner would say it.
fn kind(expected: &str) -> String {
    let e = expected.trim();
    match e {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number of 0 or more".into(),
        "i32" | "i64" => "a whole number".into(),
        "f64" | "f32" => "a number".into(),
        "a boolean" | "bool" => "true or false".into(),
        "a string" => "text in double quotes".into(),
        "a sequence" => "a list in square brackets".into(),
        _ if e.starts_with("struct ") || e.starts_with("a map") => "an object in braces".into(),
        _ if e.starts_with("enum ") || e.starts_with("internally tagged") => {
            "an object naming one of its kinds".into()
        }
        other => other.into(),
    }
}

/// Serde's "invalid type: string \"5\"" as "the text \"5\"".
fn found(text: &str) -> String {
    let t = text.trim();
    if let Some(v) = t.strip_prefix("string ") {
        format!("the text {v}")
    } else if let Some(v) = t.strip_prefix("integer ") {
        format!("the number {}", v.trim_matches('`'))
    } else if let Some(v) = t.strip_prefix("floating point ") {
        format!("the number {}", v.trim_matches('`'))
    } else if let Some(v) = t.strip_prefix("boolean ") {
        v.trim_matches('`').to_owned()
    } else if t == "sequence" {
        "a list".into()
    } else if t == "map" {
        "an object".into()
    } else {
        t.to_owned()
    }
}

/// A shape mistake at a JSON path (`queues[0].rules`), from serde's message.
pub fn shape(path: &str, message: &str) -> String {
    shape_of("the topology", "the design", path, message)
}

/// [`shape`] for a document that is not a design: `root` names what the whole document
/// is ("an event") and `whole` where a mistake at its top is ("the event").
pub fn shape_of(root: &str, whole: &str, path: &str, message: &str) -> String {
    let place = if path.is_empty() || path == "." {
        whole.to_owned()
    } else {
        format!("`{path}`")
    };
    // serde appends " at line L column C" to some messages; the path says where.
    let message = message.split(" at line ").next().unwrap_or(message);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed = expected_names(tail);
        // The path ends with the unknown field, except inside an internally tagged
        // enum (a goal), where it ends with the object the field was found in.
        let parent = if path == field || path.ends_with(&format!(".{field}")) {
            path.rsplit_once('.').map_or("", |(p, _)| p)
        } else {
            path
        };
        let what = noun(parent, root);
        let mut out = format!("`{field}` is not a field of {what} (at {place}).");
        // Where a design is written in AWS's (CloudFormation's) names, the names older
        // designs used are still read but not offered: the learner is shown AWS's names
        // and the simulation's own settings.
        let aws = allowed.iter().any(|a| a.starts_with(char::is_uppercase));
        // What the place takes comes from the published schema (docs/design.schema.json)
        // where it knows the place, with what each field means; else from serde's list.
        let fields = crate::schema::fields_at(parent, &allowed);
        let shown: Vec<String> = match &fields {
            Some(f) => f.iter().map(|f| f.name.clone()).collect(),
            None => allowed
                .iter()
                .filter(|a| !(aws && FORMER_NAMES.contains(&a.as_str())))
                .cloned()
                .collect(),
        };
        let meaning = |name: &str| {
            fields
                .as_ref()
                .and_then(|f| f.iter().find(|f| f.name == name))
                .and_then(|f| f.description.clone())
                .map(|d| {
                    // "Seconds a message …" reads "(seconds a message …)"; "FIFO only" stays.
                    let mut c = d.trim_end_matches('.').chars();
                    let first = c.next().unwrap_or(' ');
                    let rest: String = c.collect();
                    let first = if rest.starts_with(char::is_lowercase) {
                        first.to_lowercase().collect::<String>()
                    } else {
                        first.to_string()
                    };
                    format!(" ({first}{rest})")
                })
                .unwrap_or_default()
        };
        let belongs = snake(field);
        if TOP_LEVEL.contains(&belongs.as_str()) && !parent.is_empty() && parent != "topology" {
            let name = if aws {
                capitalised(&belongs)
            } else {
                belongs.clone()
            };
            out.push_str(&format!(
                " {} belong to the topology itself: put `{name}` at its top level, beside `{}`{}.",
                capitalised(&belongs),
                if aws { "Queues" } else { "queues" },
                if belongs == "rules" || belongs == "archives" {
                    if aws { ", each naming its bus (`EventBusName`, `SourceArn`; the default bus when left out)" } else { ", each naming its bus" }
                } else {
                    ""
                }
            ));
        } else if let Some(near) = closest(field, &shown).or_else(|| closest(field, &allowed)) {
            out.push_str(&format!(" Did you mean `{near}`{}?", meaning(near)));
        }
        if !shown.is_empty() {
            out.push_str(&format!(" {} takes {}", capitalised(&what), list(&shown)));
            if shown.len() < allowed.len() {
                out.push_str(" (the names older designs used are read too)");
            }
            out.push('.');
        }
        return out;
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return format!(
            "{} needs `{field}` (at {place}).",
            capitalised(&noun(path, root))
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (variant, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed = expected_names(tail);
        let mut out = format!("`{variant}` is not allowed at {place}.");
        if let Some(near) = closest(variant, &allowed) {
            out.push_str(&format!(" Did you mean `{near}`?"));
        }
        if !allowed.is_empty() {
            out.push_str(&format!(" Use one of {}.", list(&allowed)));
        }
        return out;
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((got, expected)) = rest.split_once(", expected ") {
                return format!("{place} must be {}, not {}.", kind(expected), found(got));
            }
        }
    }
    if let Some(n) = message
        .strip_prefix("invalid length ")
        .and_then(|r| r.split(',').next())
    {
        return format!("{place} has the wrong number of items ({n}).");
    }
    // A shape this module does not know: keep serde's words, but say where.
    format!("{place}: {message}")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "1 event", "2 events".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_in_the_wrong_place_says_where_it_belongs() {
        assert_eq!(
            shape("topology.queues[0].rules", "unknown field `rules`, expected one of `name`, `fifo`, `visibility_timeout_s`"),
            "`rules` is not a field of a queue (at `topology.queues[0].rules`). Rules belong to the topology itself: put `rules` at its top level, beside `queues`, each naming its bus. A queue takes `name`, `fifo` or `visibility_timeout_s`."
        );
    }

    #[test]
    fn a_real_mistake_in_a_design_is_worded_with_aws_names() {
        let e = crate::topology::Topology::from_json(
            r#"{"Queues": [{"QueueName": "work", "Rules": []}]}"#,
        )
        .expect_err("rules in a queue");
        assert_eq!(e.path, "Queues[0].Rules");
        assert!(
            e.message.starts_with("`Rules` is not a field of a queue (at `Queues[0].Rules`). Rules belong to the topology itself: put `Rules` at its top level, beside `Queues`, each naming its bus (`EventBusName`"),
            "{}",
            e.message
        );
        assert!(
            e.message
                .contains("A queue takes `QueueName`, `FifoQueue`, `VisibilityTimeout`"),
            "{}",
            e.message
        );
        assert!(
            !e.message.contains("`visibility_timeout_s`"),
            "{}",
            e.message
        );
        let e = crate::topology::Topology::from_json(
            r#"{"Queues": [{"QueueName": "work", "VisibilityTimeOut": 5}]}"#,
        )
        .expect_err("misspelt");
        // What the closest name means comes from the published schema.
        assert!(
            e.message.contains("Did you mean `VisibilityTimeout` (seconds a received message stays hidden from other consumers, 0–43,200; default 30)?"),
            "{}",
            e.message
        );
        // A slip in a design in the older names is answered with AWS's name.
        let e = crate::topology::Topology::from_json(
            r#"{"queues": [{"name": "work", "visibilty_timeout_s": 5}]}"#,
        )
        .expect_err("misspelt, older names");
        assert!(
            e.message.contains("Did you mean `VisibilityTimeout` ("),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_misspelt_field_gets_the_closest_name() {
        let s = shape(
            "topology.queues[0].visibilty_timeout_s",
            "unknown field `visibilty_timeout_s`, expected one of `name`, `fifo`, `visibility_timeout_s`, `delay_s`",
        );
        assert!(s.contains("Did you mean `visibility_timeout_s`?"), "{s}");
        let s = shape(
            "topology.queues[0].contentbaseddedup",
            "unknown field `contentbaseddedup`, expected one of `name`, `content_based_dedup`",
        );
        assert!(s.contains("Did you mean `content_based_dedup`?"), "{s}");
    }

    #[test]
    fn types_are_named_as_a_learner_says_them() {
        assert_eq!(
            shape(
                "topology.queues[0].delay_s",
                "invalid type: string \"5\", expected u32"
            ),
            "`topology.queues[0].delay_s` must be a whole number of 0 or more, not the text \"5\"."
        );
        assert_eq!(
            shape("topology.rules[0].targets[0]", "missing field `endpoint`"),
            "A rule's target needs `endpoint` (at `topology.rules[0].targets[0]`)."
        );
        assert!(shape(
            "scenario.style",
            "unknown variant `evnt_sourcing`, expected one of `notification`, `event_sourcing`"
        )
        .contains("Did you mean `event_sourcing`?"));
    }

    #[test]
    fn syntax_mistakes_name_the_line_and_what_to_fix() {
        let e = crate::json::parse("{\n  \"a\": tru\n}").expect_err("tru");
        assert_eq!(
            syntax(&e),
            "`tru` at line 2, column 8 is not a JSON value: text needs double quotes (\"tru\"), and true, false and null are written in lower case."
        );
        let e = crate::json::parse("{\"scenario\": ").expect_err("short");
        assert!(
            syntax(&e).starts_with("The text ends too early (line 1, column 14)"),
            "{}",
            syntax(&e)
        );
        let e = crate::json::parse("{\"a\": 1,}").expect_err("trailing comma");
        assert!(
            syntax(&e).contains("Is there a comma after the last item?"),
            "{}",
            syntax(&e)
        );
    }
}
