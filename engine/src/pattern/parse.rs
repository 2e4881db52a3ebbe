//! Validation and compilation of pattern text into an [`EventPattern`].
//!
//! The walk mirrors event-ruler's `JsonRuleCompiler`: it visits the pattern in document
//! order and stops at the first problem, so the reason a learner sees is the one AWS
//! would give for the same text.

use super::cidr::IpRange;
use super::number::Num;
use super::wildcard::{self, Wildcard};
use super::*;
use crate::json::{self, Json, Spanned};

/// Operator names that `$or` branches may not use as field names.
const RESERVED_IN_OR: &[&str] = &[
    "anything-but",
    "cidr",
    "equals-ignore-case",
    "exists",
    "numeric",
    "prefix",
    "suffix",
    "wildcard",
    "=",
    "<",
    "<=",
    ">",
    ">=",
];

const TOO_COMPLEX: &str =
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

struct Parser<'a> {
    text: &'a str,
    dialect: Dialect,
}

type Branches = Vec<Vec<Field>>;

pub fn parse(text: &str, dialect: Dialect) -> Result<EventPattern, PatternError> {
    let p = Parser { text, dialect };
    match dialect {
        Dialect::EventBridge if text.chars().count() > MAX_PATTERN_CHARS => {
            return Err(p.error_at(
                format!(
                    "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to {MAX_PATTERN_CHARS}"
                ),
                None,
            ));
        }
        Dialect::SnsAttributes | Dialect::SnsBody if text.len() > SNS_MAX_POLICY_BYTES => {
            return Err(p.error_at(
                "Filter policy is too large: the limit is 256 KB".into(),
                None,
            ));
        }
        _ => {}
    }
    let root = json::parse(text).map_err(|e| PatternError {
        dialect,
        reason: e.message,
        line: Some(e.line),
        column: Some(e.column),
    })?;
    let Json::Object(members) = &root.value else {
        return Err(p.error_at("Filter is not an object".into(), Some(root.offset)));
    };
    let branches = p.object(members, "", root.offset, 1, false)?;
    for branch in &branches {
        p.check_wildcard_complexity(branch)?;
    }
    if dialect.is_sns() {
        let combinations: usize = branches
            .iter()
            .map(|b| {
                b.iter()
                    .map(|f| f.matchers.len() * f.path.split('.').count())
                    .product::<usize>()
            })
            .sum();
        if combinations > SNS_MAX_COMBINATIONS {
            return Err(p.error_at("Filter policy is too complex".into(), Some(root.offset)));
        }
    }
    // After the complexity (a policy over both limits is reported as too complex, as AWS
    // answered for one), SNS counts the keys a policy names anywhere, `$or` branches included (a body
    // policy's nested keys count as their top-level key), not only those at its top
    // (`docs/semantics.md` §2).
    if dialect.is_sns() {
        let keys: std::collections::BTreeSet<&str> = branches
            .iter()
            .flat_map(|b| b.iter().map(|f| f.path.split('.').next().unwrap_or("")))
            .collect();
        if keys.len() > SNS_MAX_KEYS {
            return Err(p.error_at(
                "Filter policy can not have more than 5 keys".into(),
                Some(root.offset),
            ));
        }
    }
    Ok(EventPattern { dialect, branches })
}

/// The text Jackson's `getText()` gives for a token, used inside reasons.
fn token_text(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.clone(),
        Json::String(s) => s.clone(),
        Json::Array(_) => "[".into(),
        Json::Object(_) => "{".into(),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Every combination of one branch from `a` and one from `b`.
fn product(a: Branches, b: &Branches) -> Branches {
    let mut out = Vec::with_capacity(a.len() * b.len());
    for left in &a {
        for right in b {
            let mut both = left.clone();
            both.extend(right.iter().cloned());
            out.push(both);
        }
    }
    out
}

impl Parser<'_> {
    fn error_at(&self, reason: String, offset: Option<usize>) -> PatternError {
        let (line, column) = match offset {
            Some(o) => {
                let (l, c) = json::line_column(self.text, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        PatternError {
            dialect: self.dialect,
            reason,
            line,
            column,
        }
    }

    fn fail<T>(&self, reason: impl Into<String>, at: &Spanned) -> Result<T, PatternError> {
        Err(self.error_at(reason.into(), Some(at.offset)))
    }

    fn object(
        &self,
        members: &[(String, Spanned)],
        prefix: &str,
        offset: usize,
        depth: usize,
        in_or: bool,
    ) -> Result<Branches, PatternError> {
        if members.is_empty() {
            return Err(self.error_at("Empty objects are not allowed".into(), Some(offset)));
        }
        let mut branches: Branches = vec![Vec::new()];
        for (key, value) in members {
            if key == "$or" {
                let alternatives = self.or(value, prefix, depth)?;
                branches = product(branches, &alternatives);
            } else {
                if in_or && RESERVED_IN_OR.contains(&key.as_str()) {
                    return self.fail(
                        format!(
                            "{key} is Ruler reserved fieldName which cannot be used inside $or."
                        ),
                        value,
                    );
                }
                let path = join(prefix, key);
                match &value.value {
                    Json::Object(inner) => {
                        if self.dialect == Dialect::SnsAttributes {
                            return self.fail("Filter policy scope MessageAttributes does not support nested filter policy", value);
                        }
                        let nested = self.object(inner, &path, value.offset, depth + 1, in_or)?;
                        branches = product(branches, &nested);
                    }
                    Json::Array(items) => {
                        let field = Field {
                            path,
                            matchers: self.matchers(items, value)?,
                        };
                        for branch in &mut branches {
                            branch.push(field.clone());
                        }
                    }
                    _ => {
                        return self.fail(format!("\"{key}\" must be an object or an array"), value)
                    }
                }
            }
            if branches.len() > MAX_OR_COMBINATIONS && self.dialect == Dialect::EventBridge {
                return self.fail(
                    format!("The pattern's $or conditions combine into more than {MAX_OR_COMBINATIONS} alternatives"),
                    value,
                );
            }
        }
        Ok(branches)
    }

    fn or(&self, value: &Spanned, prefix: &str, depth: usize) -> Result<Branches, PatternError> {
        let Json::Array(items) = &value.value else {
            return self.fail("It must be an Array followed with $or.", value);
        };
        let mut alternatives = Vec::new();
        for item in items {
            let Json::Object(members) = &item.value else {
                return self.fail(
                    "Only JSON object is allowed in array of $or relationship.",
                    item,
                );
            };
            alternatives.extend(self.object(members, prefix, item.offset, depth, true)?);
        }
        if items.len() < 2 {
            return self.fail(
                "There must have at least 2 Objects in $or relationship.",
                value,
            );
        }
        Ok(alternatives)
    }

    fn matchers(&self, items: &[Spanned], array: &Spanned) -> Result<Vec<Matcher>, PatternError> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(match &item.value {
                Json::String(s) => match (self.dialect, IpRange::single(s)) {
                    (_, Some(range)) => Matcher::ExactIp(s.clone(), range),
                    _ => Matcher::Exact(Literal::String(s.clone())),
                },
                Json::Number(n) => Matcher::Exact(Literal::Number(Num::parse(n))),
                Json::Bool(b) => Matcher::Exact(Literal::Bool(*b)),
                Json::Null => Matcher::Exact(Literal::Null),
                Json::Object(members) => self.expression(members, item)?,
                Json::Array(_) => {
                    return self.fail(
                        "Match value must be String, number, true, false, or null",
                        item,
                    )
                }
            });
        }
        if out.is_empty() {
            return self.fail("Empty arrays are not allowed", array);
        }
        Ok(out)
    }

    /// A match expression such as `{"prefix": "a"}`.
    fn expression(
        &self,
        members: &[(String, Spanned)],
        at: &Spanned,
    ) -> Result<Matcher, PatternError> {
        let Some((name, value)) = members.first() else {
            return self.fail("Match expression name not found", at);
        };
        let matcher = match name.as_str() {
            "prefix" | "suffix" => self.affix(name, value)?,
            "equals-ignore-case" => Matcher::EqualsIgnoreCase(
                self.string(value, "equals-ignore-case match pattern must be a string")?,
            ),
            "wildcard" if !self.dialect.is_sns() => {
                let source = self.string(value, "wildcard match pattern must be a string")?;
                Matcher::Wildcard(Wildcard::parse(&source).or_else(|e| self.fail(e, value))?)
            }
            "numeric" => Matcher::Numeric(self.numeric(value)?),
            "exists" => match value.value {
                Json::Bool(b) => Matcher::Exists(b),
                _ => return self.fail("exists match pattern must be either true or false.", value),
            },
            "anything-but" => Matcher::AnythingBut(self.anything_but(value)?),
            "cidr" => {
                // event-ruler reuses the prefix message for a non-string CIDR.
                let source = self.string(value, "prefix match pattern must be a string")?;
                let range = IpRange::parse_cidr(&source).or_else(|e| self.fail(e, value))?;
                Matcher::Cidr(source, range)
            }
            other => return self.fail(format!("Unrecognized match type {other}"), at),
        };
        if members.len() > 1 {
            return self.fail("Only one key allowed in match expression", &members[1].1);
        }
        Ok(matcher)
    }

    fn string(&self, value: &Spanned, reason: &str) -> Result<String, PatternError> {
        match &value.value {
            Json::String(s) => Ok(s.clone()),
            _ => self.fail(reason, value),
        }
    }

    /// `prefix` or `suffix`, plain or with a nested `equals-ignore-case`.
    fn affix(&self, name: &str, value: &Spanned) -> Result<Matcher, PatternError> {
        let prefix = name == "prefix";
        match &value.value {
            Json::String(s) => Ok(if prefix {
                Matcher::Prefix(s.clone())
            } else {
                Matcher::Suffix(s.clone())
            }),
            Json::Object(members) => {
                let Some((inner, inner_value)) = members.first() else {
                    return self.fail("Match expression name not found", value);
                };
                if inner != "equals-ignore-case" {
                    return self.fail(format!("Unsupported {name} pattern: {inner}"), value);
                }
                let s = self.string(
                    inner_value,
                    "equals-ignore-case match pattern must be a string",
                )?;
                if members.len() > 1 {
                    return self.fail("Only one key allowed in match expression", &members[1].1);
                }
                Ok(if prefix {
                    Matcher::PrefixIgnoreCase(s)
                } else {
                    Matcher::SuffixIgnoreCase(s)
                })
            }
            _ => self.fail(format!("{name} match pattern must be a string"), value),
        }
    }

    /// A number literal that numeric matching can compare exactly, or AWS's reason.
    fn comparable(&self, value: &Spanned) -> Result<Num, PatternError> {
        let Json::Number(text) = &value.value else {
            return self.fail(
                "Value of anything-but must be an array or single string/number value.",
                value,
            );
        };
        let n = Num::parse(text);
        if n.comparable {
            Ok(n)
        } else {
            self.fail(format!("Cannot compare number : {text}"), value)
        }
    }

    fn number(&self, value: &Spanned) -> Result<Option<f64>, PatternError> {
        match &value.value {
            Json::Number(text) => {
                let n = Num::parse(text);
                if n.comparable {
                    Ok(Some(n.value))
                } else {
                    self.fail(format!("Cannot compare number : {text}"), value)
                }
            }
            _ => Ok(None),
        }
    }

    fn numeric(&self, value: &Spanned) -> Result<Numeric, PatternError> {
        let Json::Array(items) = &value.value else {
            return self.fail("Value of numeric must be an array.", value);
        };
        let source = value.value.to_text();
        // Reads item i as a numeric operand, failing with `reason` if it is not one.
        let operand = |i: usize, reason: String| -> Result<f64, PatternError> {
            match items.get(i) {
                Some(item) => match self.number(item)? {
                    Some(n) => Ok(n),
                    None => self.fail(reason, item),
                },
                None => self.fail(reason, value),
            }
        };
        let end = |i: usize, reason: &str| -> Result<(), PatternError> {
            match items.get(i) {
                Some(extra) => self.fail(reason, extra),
                None => Ok(()),
            }
        };
        let op = match items.first() {
            Some(Spanned {
                value: Json::String(op),
                ..
            }) => op.as_str(),
            Some(other) => {
                return self.fail(
                    format!(
                        "Invalid member in numeric match: {}",
                        token_text(&other.value)
                    ),
                    other,
                )
            }
            None => return self.fail("Invalid member in numeric match: ]", value),
        };
        let bound = |v: f64, inclusive: bool| {
            Some(Bound {
                value: v,
                inclusive,
            })
        };
        match op {
            "=" => {
                let v = operand(1, "Value of equals must be numeric".into())?;
                end(2, "Too many elements in numeric expression")?;
                Ok(Numeric {
                    lower: bound(v, true),
                    upper: bound(v, true),
                    source,
                })
            }
            "<" | "<=" => {
                let v = operand(1, format!("Value of {op} must be numeric"))?;
                end(2, "Too many elements in numeric expression")?;
                Ok(Numeric {
                    lower: None,
                    upper: bound(v, op == "<="),
                    source,
                })
            }
            ">" | ">=" => {
                let low = operand(1, format!("Value of {op} must be numeric"))?;
                let lower = bound(low, op == ">=");
                let Some(second) = items.get(2) else {
                    return Ok(Numeric {
                        lower,
                        upper: None,
                        source,
                    });
                };
                let top_op = match &second.value {
                    Json::String(s) if s == "<" || s == "<=" => s.as_str(),
                    other => {
                        return self.fail(
                            format!("Bad numeric range operator: {}", token_text(other)),
                            second,
                        )
                    }
                };
                let high = match items.get(3) {
                    Some(item) => match self.number(item)? {
                        Some(n) => n,
                        None => {
                            return self.fail(
                                format!("Bad value in numeric range: {}", token_text(&item.value)),
                                item,
                            )
                        }
                    },
                    None => return self.fail("Bad value in numeric range: ]", value),
                };
                end(4, "Too many terms in numeric range expression")?;
                if low >= high {
                    return self.fail("Bottom must be less than top", value);
                }
                Ok(Numeric {
                    lower,
                    upper: bound(high, top_op == "<="),
                    source,
                })
            }
            other => self.fail(
                format!("Unrecognized numeric range operator: {other}"),
                &items[0],
            ),
        }
    }

    fn anything_but(&self, value: &Spanned) -> Result<AnythingBut, PatternError> {
        const BAD_VALUE: &str =
            "Value of anything-but must be an array or single string/number value.";
        match &value.value {
            Json::String(s) => Ok(AnythingBut::Strings(vec![s.clone()])),
            // A number is compared as numeric matching compares it, so one that a double
            // cannot hold exactly is refused the same way (event-ruler's
            // `ComparableNumber.generate`; docs/semantics.md §1.3).
            Json::Number(_) => Ok(AnythingBut::Numbers(vec![self.comparable(value)?])),
            Json::Array(items) => {
                let (mut strings, mut numbers) = (Vec::new(), Vec::new());
                for item in items {
                    match &item.value {
                        Json::String(s) => strings.push(s.clone()),
                        Json::Number(_) => numbers.push(self.comparable(item)?),
                        _ => {
                            return self.fail(
                                "Inside anything but list, start|null|boolean is not supported.",
                                item,
                            )
                        }
                    }
                }
                // Neither strings nor numbers (an empty list) is refused with the same
                // reason as both, as event-ruler's compiler words it.
                match (strings.is_empty(), numbers.is_empty()) {
                    (false, false) | (true, true) => self.fail(
                        "Inside anything but list, either all values are number or string, mixed type is not supported",
                        value,
                    ),
                    (true, false) => Ok(AnythingBut::Numbers(numbers)),
                    _ => Ok(AnythingBut::Strings(strings)),
                }
            }
            Json::Object(members) => {
                let Some((name, inner)) = members.first() else {
                    return self.fail("Anything-But expression name not found", value);
                };
                let supported = match name.as_str() {
                    "prefix" | "equals-ignore-case" => true,
                    "suffix" | "wildcard" => !self.dialect.is_sns(),
                    _ => false,
                };
                if !supported {
                    return self.fail(format!("Unsupported anything-but pattern: {name}"), value);
                }
                let affix = name == "prefix" || name == "suffix";
                let values: Vec<String> = match &inner.value {
                    Json::String(s) => vec![s.clone()],
                    Json::Array(items) => items
                        .iter()
                        .map(|item| match &item.value {
                            Json::String(s) => Ok(s.clone()),
                            _ => self.fail(format!("Inside anything-but/{name} list, number|start|null|boolean is not supported."), item),
                        })
                        .collect::<Result<_, _>>()?,
                    Json::Object(_) if affix => return self.fail(BAD_VALUE, inner),
                    _ if affix => return self.fail("prefix/suffix match pattern must be a string", inner),
                    _ => return self.fail(format!("{name} match pattern must be a string"), inner),
                };
                if affix && values.iter().any(String::is_empty) {
                    return self.fail("Null prefix/suffix not allowed", inner);
                }
                if members.len() > 1 {
                    return self.fail("Only one key allowed in match expression", &members[1].1);
                }
                Ok(match name.as_str() {
                    "prefix" => AnythingBut::Prefixes(values),
                    "suffix" => AnythingBut::Suffixes(values),
                    "equals-ignore-case" => AnythingBut::EqualsIgnoreCase(values),
                    _ => AnythingBut::Wildcards(
                        values
                            .iter()
                            .map(|v| Wildcard::parse(v).or_else(|e| self.fail(e, inner)))
                            .collect::<Result<_, _>>()?,
                    ),
                })
            }
            _ => self.fail(BAD_VALUE, value),
        }
    }

    fn check_wildcard_complexity(&self, branch: &[Field]) -> Result<(), PatternError> {
        for field in branch {
            let patterns: Vec<&Wildcard> = field
                .matchers
                .iter()
                .flat_map(|m| match m {
                    Matcher::Wildcard(w) => vec![w],
                    Matcher::AnythingBut(AnythingBut::Wildcards(ws)) => ws.iter().collect(),
                    _ => Vec::new(),
                })
                .collect();
            if !patterns.is_empty() && wildcard::too_complex(&patterns) {
                return Err(self.error_at(TOO_COMPLEX.into(), None));
            }
        }
        Ok(())
    }
}
