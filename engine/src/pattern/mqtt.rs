//! MQTT 3.1.1 topic names and topic filters (OASIS MQTT 3.1.1, section 4.7).
//!
//! `+` matches exactly one level (which may be empty) and must fill its level; `#`
//! matches the parent level and any number of child levels and must be last, alone in
//! its level. A filter whose first level is a wildcard never matches a topic starting
//! with `$` [MQTT-4.7.2-1]. This module does not deliver messages; the broker does.
//! See `docs/semantics.md` §6.

use thiserror::Error;

/// Longest topic name or filter, in UTF-8 bytes.
pub const MAX_TOPIC_BYTES: usize = 65_535;

/// Why a topic name or filter is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TopicError {
    #[error("a topic must be at least one character long")]
    Empty,
    #[error("a topic must not contain the null character U+0000 (found at character {0})")]
    NullCharacter(usize),
    #[error("a topic must be at most 65535 bytes long (this one is {0})")]
    TooLong(usize),
    #[error("a topic name cannot contain the wildcard '{wildcard}' (character {at}); wildcards belong in subscription filters")]
    WildcardInName { wildcard: char, at: usize },
    #[error("'+' must occupy a whole level of the filter (level {level}, \"{text}\"); write it between slashes, as in a/+/c")]
    PlusNotAlone { level: usize, text: String },
    #[error("'#' must be the last character of the filter and occupy a whole level (level {level}, \"{text}\"); write it as a/#")]
    HashMisplaced { level: usize, text: String },
}

fn common_checks(topic: &str) -> Result<(), TopicError> {
    if topic.is_empty() {
        return Err(TopicError::Empty);
    }
    if let Some(at) = topic.chars().position(|c| c == '\0') {
        return Err(TopicError::NullCharacter(at + 1));
    }
    if topic.len() > MAX_TOPIC_BYTES {
        return Err(TopicError::TooLong(topic.len()));
    }
    Ok(())
}

/// Validates a topic name (what a PUBLISH carries): no wildcards.
pub fn validate_topic_name(topic: &str) -> Result<(), TopicError> {
    common_checks(topic)?;
    if let Some((at, wildcard)) = topic
        .chars()
        .enumerate()
        .find(|(_, c)| *c == '+' || *c == '#')
    {
        return Err(TopicError::WildcardInName {
            wildcard,
            at: at + 1,
        });
    }
    Ok(())
}

/// Validates a topic filter (what a SUBSCRIBE carries).
pub fn validate_filter(filter: &str) -> Result<(), TopicError> {
    common_checks(filter)?;
    let levels: Vec<&str> = filter.split('/').collect();
    for (i, level) in levels.iter().enumerate() {
        if level.contains('+') && *level != "+" {
            return Err(TopicError::PlusNotAlone {
                level: i + 1,
                text: level.to_string(),
            });
        }
        if level.contains('#') && (*level != "#" || i != levels.len() - 1) {
            return Err(TopicError::HashMisplaced {
                level: i + 1,
                text: level.to_string(),
            });
        }
    }
    Ok(())
}

/// Whether a valid filter matches a valid topic name.
pub fn matches(filter: &str, topic: &str) -> bool {
    if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    let mut topic_levels = topic.split('/');
    for level in filter.split('/') {
        match level {
            "#" => return true,
            "+" => {
                if topic_levels.next().is_none() {
                    return false;
                }
            }
            literal => {
                if topic_levels.next() != Some(literal) {
                    return false;
                }
            }
        }
    }
    topic_levels.next().is_none()
}

/// Why a filter matches a topic or not, one short sentence per level.
pub fn explain(filter: &str, topic: &str) -> Vec<String> {
    let mut lines = Vec::new();
    if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        lines.push(format!(
            "topic \"{topic}\" starts with '$', and a filter whose first level is a wildcard never matches such topics [MQTT-4.7.2-1]"
        ));
        return lines;
    }
    let topic_levels: Vec<&str> = topic.split('/').collect();
    for (i, level) in filter.split('/').enumerate() {
        let n = i + 1;
        match (level, topic_levels.get(i)) {
            ("#", _) => {
                let rest = topic_levels
                    .get(i..)
                    .map(|r| r.join("/"))
                    .unwrap_or_default();
                lines.push(format!(
                    "level {n}: '#' matches the rest of the topic (\"{rest}\")"
                ));
                return lines;
            }
            ("+", Some(t)) => lines.push(format!("level {n}: '+' matches \"{t}\"")),
            (lit, Some(t)) if lit == *t => {
                lines.push(format!("level {n}: \"{lit}\" equals \"{t}\""))
            }
            (lit, Some(t)) => {
                lines.push(format!(
                    "level {n}: \"{lit}\" does not equal \"{t}\" (topics are case-sensitive)"
                ));
                return lines;
            }
            (lit, None) => {
                lines.push(format!(
                    "level {n}: the filter wants \"{lit}\" but the topic has only {} level(s)",
                    topic_levels.len()
                ));
                return lines;
            }
        }
    }
    let filter_levels = filter.split('/').count();
    if topic_levels.len() > filter_levels {
        lines.push(format!(
            "the topic has {} more level(s) than the filter; end the filter with /# to match deeper topics",
            topic_levels.len() - filter_levels
        ));
    }
    lines
}

/// A validated filter, ready to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicFilter(String);

impl TopicFilter {
    pub fn new(filter: &str) -> Result<Self, TopicError> {
        validate_filter(filter)?;
        Ok(TopicFilter(filter.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, topic: &str) -> bool {
        matches(&self.0, topic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_matches_exactly_one_level_which_may_be_empty() {
        assert!(matches("sport/+", "sport/"));
        assert!(!matches("sport/+", "sport"));
        assert!(matches("+/+", "/finance"));
        assert!(matches("/+", "/finance"));
        assert!(!matches("+", "/finance"));
        assert!(matches("a/+/c", "a/b/c"));
        assert!(!matches("a/+/c", "a/b/x/c"));
    }

    #[test]
    fn hash_matches_the_parent_and_any_children() {
        assert!(matches("sport/#", "sport"));
        assert!(matches("sport/#", "sport/"));
        assert!(matches("sport/#", "sport/tennis/player1"));
        assert!(matches("#", "a/b/c"));
        assert!(!matches("sport/#", "sports"));
    }

    #[test]
    fn wildcards_at_the_first_level_skip_dollar_topics() {
        assert!(!matches("#", "$SYS/broker/load"));
        assert!(!matches("+/monitor/Clients", "$SYS/monitor/Clients"));
        assert!(matches("$SYS/#", "$SYS/broker/load"));
        assert!(matches("$SYS/monitor/+", "$SYS/monitor/Clients"));
    }

    #[test]
    fn topics_are_case_sensitive_and_keep_empty_levels() {
        assert!(!matches("Sport", "sport"));
        assert!(matches("a//b", "a//b"));
        assert!(!matches("a/b", "a//b"));
        assert!(matches("a/ b", "a/ b"));
    }

    #[test]
    fn misplaced_wildcards_are_invalid_filters() {
        assert!(matches!(
            validate_filter("sport+"),
            Err(TopicError::PlusNotAlone { level: 1, .. })
        ));
        assert!(matches!(
            validate_filter("sport/tennis#"),
            Err(TopicError::HashMisplaced { level: 2, .. })
        ));
        assert!(matches!(
            validate_filter("a/#/b"),
            Err(TopicError::HashMisplaced { level: 2, .. })
        ));
        assert!(validate_filter("+/+/#").is_ok());
        assert!(validate_filter("/").is_ok());
        assert_eq!(validate_filter(""), Err(TopicError::Empty));
        assert_eq!(validate_filter("a\0b"), Err(TopicError::NullCharacter(2)));
    }

    #[test]
    fn explanations_name_the_deciding_level() {
        assert_eq!(
            explain("a/+/c", "a/b/d").last().map(String::as_str),
            Some("level 3: \"c\" does not equal \"d\" (topics are case-sensitive)")
        );
        assert!(explain("#", "$SYS/x")[0].contains("starts with '$'"));
        assert!(explain("a/b", "a/b/c")[2].contains("1 more level"));
        assert!(explain("sport/#", "sport")[1].contains("'#' matches the rest"));
    }

    #[test]
    fn topic_names_cannot_hold_wildcards() {
        assert_eq!(
            validate_topic_name("a/+/c"),
            Err(TopicError::WildcardInName {
                wildcard: '+',
                at: 3
            })
        );
        assert!(validate_topic_name("a/b c/$d").is_ok());
        assert!(validate_topic_name(&"x".repeat(65_536)).is_err());
    }
}
