//! The explainer: for every field a pattern names, the event's values at that path, each
//! alternative tried, and which one matched or why none did. The sentences are short and
//! exact because learners read them, for example:
//! "`detail.premium` is 450; numeric [">",500] needs a number > 500".

use super::eval::{choose_consistent, field_candidates, LeafIndex};
use super::*;
use std::fmt;

/// The whole answer: whether the event matched, and why, branch by branch.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub matched: bool,
    /// One per `$or` combination; a pattern without `$or` has exactly one.
    pub branches: Vec<BranchExplanation>,
}

/// One conjunction of fields.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchExplanation {
    pub matched: bool,
    pub fields: Vec<FieldExplanation>,
    /// Set when every field matched on its own but not inside the same array element.
    pub array_note: Option<String>,
}

/// One field of the pattern against the event.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldExplanation {
    pub path: String,
    /// The event's values at the path, as JSON text.
    pub values: Vec<String>,
    /// How the path looks when it holds no values ("is missing", "is an object", ...).
    pub found: String,
    pub matched: bool,
    pub conditions: Vec<ConditionOutcome>,
}

/// One alternative of a field.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionOutcome {
    /// The alternative as written in the pattern, e.g. `{"prefix":"ab"}`.
    pub condition: String,
    pub matched: bool,
    /// "matches 600", or what it needs: "needs a number > 500".
    pub detail: String,
}

/// Explains a pattern against an event given as text.
pub fn explain_json(
    pattern: &EventPattern,
    event: &str,
) -> Result<Explanation, crate::json::JsonError> {
    Ok(explain(pattern, &crate::json::parse(event)?.value))
}

/// Explains a pattern against an event.
pub fn explain(pattern: &EventPattern, event: &Json) -> Explanation {
    let leaves = flatten(event);
    explain_prepared(pattern, &Prepared::new(event, &leaves))
}

/// An event made ready to be explained against many patterns (a bus's rules): flattened,
/// indexed and its shapes read once.
pub struct Prepared<'a> {
    leaves: &'a [Leaf],
    index: LeafIndex<'a>,
    shapes: Shapes,
}

impl<'a> Prepared<'a> {
    /// `event` with its `leaves` (from [`flatten`]).
    pub fn new(event: &Json, leaves: &'a [Leaf]) -> Self {
        Prepared {
            leaves,
            index: LeafIndex::new(leaves),
            shapes: Shapes::of(event),
        }
    }
}

/// [`explain`] against an event prepared once for many patterns.
pub fn explain_prepared(pattern: &EventPattern, event: &Prepared) -> Explanation {
    let (leaves, index, shapes) = (event.leaves, &event.index, &event.shapes);
    let branches: Vec<BranchExplanation> = pattern
        .branches
        .iter()
        .map(|branch| {
            let mut fields = Vec::new();
            let mut needed = Vec::new();
            for field in branch {
                let (hits, absent_ok) = field_candidates(field, leaves, index);
                let at = index.at(&field.path);
                let values: Vec<&LeafValue> = at.iter().map(|&i| &leaves[i].value).collect();
                let conditions = field
                    .matchers
                    .iter()
                    .map(|m| outcome(m, &values))
                    .collect();
                if !absent_ok && !hits.is_empty() {
                    needed.push(hits.clone());
                }
                fields.push(FieldExplanation {
                    path: field.path.clone(),
                    values: values.iter().map(|v| v.to_json()).collect(),
                    found: shapes.describe(&field.path),
                    matched: absent_ok || !hits.is_empty(),
                    conditions,
                });
            }
            let each = fields.iter().all(|f| f.matched);
            let together = each && choose_consistent(&needed, leaves).is_some();
            let array_note = (each && !together).then(|| {
                "every field matched on its own, but not inside the same element of an array of objects; \
                 fields under one array must match in one element"
                    .to_owned()
            });
            BranchExplanation { matched: together, fields, array_note }
        })
        .collect();
    Explanation {
        matched: branches.iter().any(|b| b.matched),
        branches,
    }
}

/// What non-leaf things sit at each path: objects and empty arrays.
struct Shapes(std::collections::HashMap<String, &'static str>);

impl Shapes {
    fn of(event: &Json) -> Shapes {
        let mut map = std::collections::HashMap::new();
        fn walk(v: &Json, path: &str, map: &mut std::collections::HashMap<String, &'static str>) {
            match v {
                Json::Object(members) => {
                    if !path.is_empty() {
                        map.insert(path.to_owned(), "is an object, not a value");
                    }
                    for (k, child) in members {
                        let p = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        walk(&child.value, &p, map);
                    }
                }
                Json::Array(items) if items.is_empty() => {
                    map.entry(path.to_owned()).or_insert("is an empty array");
                }
                Json::Array(items) => items.iter().for_each(|i| walk(&i.value, path, map)),
                _ => {}
            }
        }
        walk(event, "", &mut map);
        Shapes(map)
    }

    fn describe(&self, path: &str) -> String {
        self.0.get(path).copied().unwrap_or("is missing").to_owned()
    }
}

fn quoted(s: &str) -> String {
    let mut out = String::new();
    crate::json::write_string(s, &mut out);
    out
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn numeric_need(n: &Numeric) -> String {
    let fmt_bound = |op: &str, b: &Bound| format!("{op} {}", b.value);
    match (&n.lower, &n.upper) {
        (Some(l), Some(u)) if l.value == u.value => format!("= {}", l.value),
        (Some(l), Some(u)) => format!(
            "{} and {}",
            fmt_bound(if l.inclusive { ">=" } else { ">" }, l),
            fmt_bound(if u.inclusive { "<=" } else { "<" }, u)
        ),
        (Some(l), None) => fmt_bound(if l.inclusive { ">=" } else { ">" }, l),
        (None, Some(u)) => fmt_bound(if u.inclusive { "<=" } else { "<" }, u),
        (None, None) => "any number".into(),
    }
}

impl Matcher {
    /// The alternative as written in a pattern.
    pub fn to_pattern_json(&self) -> String {
        let list_json = |v: &[String]| {
            format!(
                "[{}]",
                v.iter().map(|s| quoted(s)).collect::<Vec<_>>().join(",")
            )
        };
        let one_or_list = |v: &[String]| {
            if v.len() == 1 {
                quoted(&v[0])
            } else {
                list_json(v)
            }
        };
        match self {
            Matcher::Exact(Literal::String(s)) | Matcher::ExactIp(s, _) => quoted(s),
            Matcher::Exact(Literal::Number(n)) => n.text.clone(),
            Matcher::Exact(Literal::Bool(b)) => b.to_string(),
            Matcher::Exact(Literal::Null) => "null".into(),
            Matcher::Prefix(p) => format!("{{\"prefix\":{}}}", quoted(p)),
            Matcher::Suffix(p) => format!("{{\"suffix\":{}}}", quoted(p)),
            Matcher::PrefixIgnoreCase(p) => {
                format!("{{\"prefix\":{{\"equals-ignore-case\":{}}}}}", quoted(p))
            }
            Matcher::SuffixIgnoreCase(p) => {
                format!("{{\"suffix\":{{\"equals-ignore-case\":{}}}}}", quoted(p))
            }
            Matcher::EqualsIgnoreCase(p) => format!("{{\"equals-ignore-case\":{}}}", quoted(p)),
            Matcher::Wildcard(w) => format!("{{\"wildcard\":{}}}", quoted(&w.source)),
            Matcher::Numeric(n) => format!("{{\"numeric\":{}}}", n.source),
            Matcher::Exists(b) => format!("{{\"exists\":{b}}}"),
            Matcher::Cidr(c, _) => format!("{{\"cidr\":{}}}", quoted(c)),
            Matcher::AnythingBut(but) => {
                let inner = match but {
                    AnythingBut::Strings(v) => one_or_list(v),
                    AnythingBut::Numbers(v) => {
                        let texts: Vec<String> = v.iter().map(|n| n.text.clone()).collect();
                        if texts.len() == 1 {
                            texts[0].clone()
                        } else {
                            format!("[{}]", texts.join(","))
                        }
                    }
                    AnythingBut::Prefixes(v) => format!("{{\"prefix\":{}}}", one_or_list(v)),
                    AnythingBut::Suffixes(v) => format!("{{\"suffix\":{}}}", one_or_list(v)),
                    AnythingBut::EqualsIgnoreCase(v) => {
                        format!("{{\"equals-ignore-case\":{}}}", one_or_list(v))
                    }
                    AnythingBut::Wildcards(v) => {
                        let s: Vec<String> = v.iter().map(|w| w.source.clone()).collect();
                        format!("{{\"wildcard\":{}}}", one_or_list(&s))
                    }
                };
                format!("{{\"anything-but\":{inner}}}")
            }
        }
    }

    /// What a value needs to satisfy this alternative, as a short phrase.
    pub fn need(&self) -> String {
        match self {
            Matcher::Exact(Literal::String(s)) => format!("needs exactly the string {}", quoted(s)),
            Matcher::Exact(Literal::Number(n)) => format!("needs the number {}", n.text),
            Matcher::Exact(Literal::Bool(b)) => format!("needs the boolean {b}"),
            Matcher::Exact(Literal::Null) => "needs null".into(),
            Matcher::ExactIp(s, _) => format!("needs the IP address {s} (in any notation)"),
            Matcher::Prefix(p) => format!("needs a string starting with {}", quoted(p)),
            Matcher::Suffix(p) => format!("needs a string ending with {}", quoted(p)),
            Matcher::PrefixIgnoreCase(p) => {
                format!("needs a string starting with {} in any case", quoted(p))
            }
            Matcher::SuffixIgnoreCase(p) => {
                format!("needs a string ending with {} in any case", quoted(p))
            }
            Matcher::EqualsIgnoreCase(p) => {
                format!("needs a string equal to {} in any case", quoted(p))
            }
            Matcher::Wildcard(w) => format!(
                "needs a string matching {} (* is any text)",
                quoted(&w.source)
            ),
            Matcher::Numeric(n) => format!("needs a number {}", numeric_need(n)),
            Matcher::Exists(true) => "needs the field to be present".into(),
            Matcher::Exists(false) => "needs the field to be absent".into(),
            Matcher::Cidr(c, _) => format!("needs an IP address in {c}"),
            Matcher::AnythingBut(but) => {
                let q = |v: &[String]| list(&v.iter().map(|s| quoted(s)).collect::<Vec<_>>());
                match but {
                    AnythingBut::Strings(v) => format!("needs a value other than {}", q(v)),
                    AnythingBut::Numbers(v) => {
                        format!(
                            "needs a value other than {}",
                            list(&v.iter().map(|n| n.text.clone()).collect::<Vec<_>>())
                        )
                    }
                    AnythingBut::Prefixes(v) => format!("needs a value not starting with {}", q(v)),
                    AnythingBut::Suffixes(v) => format!("needs a value not ending with {}", q(v)),
                    AnythingBut::EqualsIgnoreCase(v) => {
                        format!("needs a value other than {} in any case", q(v))
                    }
                    AnythingBut::Wildcards(v) => {
                        let s: Vec<String> = v.iter().map(|w| w.source.clone()).collect();
                        format!("needs a value not matching {}", q(&s))
                    }
                }
            }
        }
    }

    /// The type of value this alternative can ever match, if only one.
    fn value_kind(&self) -> Option<&'static str> {
        match self {
            Matcher::Exact(Literal::Number(_)) | Matcher::Numeric(_) => Some("a number"),
            Matcher::Exact(Literal::Bool(_)) => Some("a boolean"),
            Matcher::Exact(Literal::Null) => Some("null"),
            Matcher::Exists(_) | Matcher::AnythingBut(_) => None,
            _ => Some("a string"),
        }
    }
}

fn outcome(matcher: &Matcher, values: &[&LeafValue]) -> ConditionOutcome {
    let condition = matcher.to_pattern_json();
    let matching: Vec<String> = match matcher {
        Matcher::Exists(false) => Vec::new(),
        _ => values
            .iter()
            .filter(|v| matcher.matches(v))
            .map(|v| v.to_json())
            .collect(),
    };
    let (matched, detail) = match matcher {
        Matcher::Exists(false) if values.is_empty() => {
            (true, "matches: the field is absent".to_owned())
        }
        Matcher::Exists(true) if !values.is_empty() => {
            (true, "matches: the field is present".to_owned())
        }
        _ if !matching.is_empty() => (true, format!("matches {}", list(&matching))),
        _ => {
            let mut detail = matcher.need();
            if let (Some(kind), false) = (matcher.value_kind(), values.is_empty()) {
                if values.iter().all(|v| v.kind() != kind) {
                    let got = if values.len() == 1 {
                        values[0].kind()
                    } else {
                        "of other types"
                    };
                    detail.push_str(&format!(", but the value is {got}"));
                }
            }
            if let (Matcher::Numeric(_), true) = (
                matcher,
                values
                    .iter()
                    .any(|v| matches!(v, LeafValue::Number(n) if !n.comparable)),
            ) {
                detail.push_str(" (a number a double cannot hold exactly never satisfies numeric)");
            }
            (false, detail)
        }
    };
    ConditionOutcome {
        condition,
        matched,
        detail,
    }
}

impl FieldExplanation {
    /// "`detail.premium` is 450", "`tags` has values 1, 2 and 3", "`x` is missing".
    pub fn subject(&self) -> String {
        match self.values.as_slice() {
            [] => format!("`{}` {}", self.path, self.found),
            [one] => format!("`{}` is {one}", self.path),
            [init @ .., last] => {
                format!("`{}` has values {} and {last}", self.path, init.join(", "))
            }
        }
    }
}

impl fmt::Display for FieldExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.matched { "✓" } else { "✗" };
        let shown: Vec<String> = if self.matched {
            self.conditions
                .iter()
                .filter(|c| c.matched)
                .take(1)
                .map(|c| format!("{} {}", c.condition, c.detail))
                .collect()
        } else {
            self.conditions
                .iter()
                .map(|c| format!("{} {}", c.condition, c.detail))
                .collect()
        };
        write!(f, "{mark} {}; {}", self.subject(), shown.join("; "))
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.matched)?;
        let many = self.branches.len() > 1;
        for (i, branch) in self.branches.iter().enumerate() {
            if many {
                let mark = if branch.matched { "✓" } else { "✗" };
                writeln!(f, "{mark} $or branch {} of {}:", i + 1, self.branches.len())?;
            }
            for field in &branch.fields {
                writeln!(f, "{}{field}", if many { "  " } else { "" })?;
            }
            if let Some(note) = &branch.array_note {
                writeln!(f, "{}✗ {note}", if many { "  " } else { "" })?;
            }
        }
        Ok(())
    }
}
