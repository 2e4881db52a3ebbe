//! The pattern languages: EventBridge event patterns, SNS subscription filter policies and
//! MQTT 3.1.1 topic filters.
//!
//! EventBridge patterns and SNS policies share one grammar (both run on AWS's
//! event-ruler), so they share one parser with a [`Dialect`] switch for what SNS refuses
//! and limits differently. A parsed [`EventPattern`] is a disjunction of *branches* (the
//! `$or` expansion); each branch is a conjunction of [`Field`]s, each field a path and the
//! [`Matcher`]s it accepts. Three things evaluate it:
//! - [`EventPattern::matches`], the straightforward reference evaluator;
//! - [`explain`], which says field by field why an event matched or not;
//! - [`compiled::RuleSet`], which matches an event against many patterns at once.
//!
//! The semantics follow `docs/semantics.md` (§1 EventBridge patterns, §2 SNS filter
//! policies, §6 MQTT topics); validation reasons are AWS's own texts. MQTT filters are separate: see [`mqtt`].

pub mod cidr;
pub mod compiled;

mod eval;
mod explain;
pub mod mqtt;
pub mod number;
mod parse;
pub mod sns;
pub mod wildcard;

pub use eval::{flatten, Leaf, LeafValue, ValueRef};
pub use explain::{
    explain, explain_json, explain_prepared, BranchExplanation, ConditionOutcome, Explanation,
    FieldExplanation, Prepared,
};

use crate::json::{self, Json};
use cidr::IpRange;
use number::Num;
use std::fmt;
use wildcard::Wildcard;

/// Which service's rules a pattern is validated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// An EventBridge event pattern (rules, archives, `TestEventPattern`).
    EventBridge,
    /// An SNS filter policy with `FilterPolicyScope = MessageAttributes` (the default).
    SnsAttributes,
    /// An SNS filter policy with `FilterPolicyScope = MessageBody`.
    SnsBody,
}

impl Dialect {
    pub fn is_sns(self) -> bool {
        !matches!(self, Dialect::EventBridge)
    }
}

/// Longest EventBridge pattern accepted, in characters (the default quota).
pub const MAX_PATTERN_CHARS: usize = 2048;
/// Most `$or` combinations one EventBridge pattern may expand to.
pub const MAX_OR_COMBINATIONS: usize = 1000;
/// Most keys at the top of an SNS filter policy.
pub const SNS_MAX_KEYS: usize = 5;
/// Most value combinations an SNS filter policy may have (summed over `$or` branches).
pub const SNS_MAX_COMBINATIONS: usize = 150;
/// Largest SNS filter policy, in bytes.
pub const SNS_MAX_POLICY_BYTES: usize = 256 * 1024;

/// Why a pattern is invalid: AWS's reason text and, where known, where in the pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub dialect: Dialect,
    /// The reason exactly as AWS words it, e.g. `"source" must be an object or an array`.
    pub reason: String,
    /// 1-based line and column in the pattern text, when the error has a position.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl PatternError {
    /// The whole message the AWS API returns for this error.
    pub fn aws_message(&self) -> String {
        match self.dialect {
            Dialect::EventBridge => format!("Event pattern is not valid. Reason: {}", self.reason),
            _ if self.reason.starts_with("Filter policy scope") => {
                format!("Invalid parameter: {}", self.reason)
            }
            _ => format!(
                "Invalid parameter: Attributes Reason: FilterPolicy: {}",
                self.reason
            ),
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.aws_message())?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PatternError {}

/// A literal value in a pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Number(Num),
    Bool(bool),
    Null,
}

/// What `anything-but` excludes.
#[derive(Debug, Clone, PartialEq)]
pub enum AnythingBut {
    Strings(Vec<String>),
    Numbers(Vec<Num>),
    Prefixes(Vec<String>),
    Suffixes(Vec<String>),
    EqualsIgnoreCase(Vec<String>),
    Wildcards(Vec<Wildcard>),
}

/// One bound of a numeric range: the value and whether it is included.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub value: f64,
    pub inclusive: bool,
}

/// A `numeric` condition: one comparison or a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Numeric {
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
    /// The condition as written, e.g. `[">",0,"<=",5]`.
    pub source: String,
}

impl Numeric {
    pub fn admits(&self, x: f64) -> bool {
        let lower_ok = self.lower.is_none_or(|b| {
            if b.inclusive {
                x >= b.value
            } else {
                x > b.value
            }
        });
        let upper_ok = self.upper.is_none_or(|b| {
            if b.inclusive {
                x <= b.value
            } else {
                x < b.value
            }
        });
        lower_ok && upper_ok
    }
}

/// One alternative in a field's array.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// An exact string, number, boolean or null.
    Exact(Literal),
    /// An exact string that is an IP literal: compared as an address, in any text form.
    ExactIp(String, IpRange),
    Prefix(String),
    PrefixIgnoreCase(String),
    Suffix(String),
    SuffixIgnoreCase(String),
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    AnythingBut(AnythingBut),
    Numeric(Numeric),
    Exists(bool),
    Cidr(String, IpRange),
}

/// A path (keys joined with `.`) and the alternatives it accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub path: String,
    pub matchers: Vec<Matcher>,
}

/// A validated pattern, expanded into branches (one per `$or` combination).
#[derive(Debug, Clone, PartialEq)]
pub struct EventPattern {
    pub dialect: Dialect,
    pub branches: Vec<Vec<Field>>,
}

impl EventPattern {
    /// Parses and validates pattern text.
    pub fn parse(text: &str, dialect: Dialect) -> Result<EventPattern, PatternError> {
        parse::parse(text, dialect)
    }

    /// Parses an EventBridge event pattern.
    pub fn eventbridge(text: &str) -> Result<EventPattern, PatternError> {
        parse::parse(text, Dialect::EventBridge)
    }

    /// Whether the event (JSON text) matches. Invalid event JSON is an error.
    pub fn matches_text(&self, event: &str) -> Result<bool, json::JsonError> {
        Ok(self.matches(&json::parse(event)?.value))
    }

    /// Whether the event matches, by the reference evaluator. An event is a JSON
    /// object; anything else matches nothing (`docs/semantics.md` §1.1).
    pub fn matches(&self, event: &Json) -> bool {
        if !matches!(event, Json::Object(_)) {
            return false;
        }
        let leaves = flatten(event);
        let index = eval::LeafIndex::new(&leaves);
        self.branches
            .iter()
            .any(|branch| eval::branch_matches(branch, &leaves, &index))
    }
}

/// The reference evaluator over many patterns: flattens the event once, then checks the
/// patterns one by one. Returns the indexes of those that match.
pub fn reference_matches(patterns: &[EventPattern], event: &Json) -> Vec<u32> {
    if !matches!(event, Json::Object(_)) {
        return Vec::new();
    }
    let leaves = flatten(event);
    let index = eval::LeafIndex::new(&leaves);
    patterns
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.branches
                .iter()
                .any(|b| eval::branch_matches(b, &leaves, &index))
        })
        .map(|(i, _)| i as u32)
        .collect()
}

/// Case folding as event-ruler does it: a pattern character accepts itself and its
/// single-character lower- and upper-case forms.
pub(crate) fn fold_eq(pattern: char, event: char) -> bool {
    if pattern == event {
        return true;
    }
    let single = |mut it: std::iter::Peekable<std::char::ToLowercase>| {
        let c = it.next();
        if it.peek().is_none() {
            c
        } else {
            None
        }
    };
    let lower = single(pattern.to_lowercase().peekable());
    let mut upper_it = pattern.to_uppercase();
    let upper = match (upper_it.next(), upper_it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    };
    lower == Some(event) || upper == Some(event)
}

/// Whether `value` equals `pattern` ignoring case, character by character.
pub(crate) fn equals_ignore_case(pattern: &str, value: &str) -> bool {
    pattern.chars().count() == value.chars().count()
        && pattern
            .chars()
            .zip(value.chars())
            .all(|(p, e)| fold_eq(p, e))
}

pub(crate) fn starts_with_ignore_case(value: &str, prefix: &str) -> bool {
    let mut v = value.chars();
    prefix
        .chars()
        .all(|p| v.next().is_some_and(|e| fold_eq(p, e)))
}

pub(crate) fn ends_with_ignore_case(value: &str, suffix: &str) -> bool {
    let mut v = value.chars().rev();
    suffix
        .chars()
        .rev()
        .all(|p| v.next().is_some_and(|e| fold_eq(p, e)))
}
