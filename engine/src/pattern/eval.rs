//! The reference evaluator: flatten the event into leaves, then check each branch of the
//! pattern field by field. It is written to be obviously right rather than fast; the
//! compiled matcher is tested against it.
//!
//! Flattening joins keys with `.` and lets arrays add no step, so `{"a":{"b":1}}` and
//! `{"a.b":1}` both give the leaf `a.b = 1`. Each leaf remembers the array elements it
//! sits in (its *trail*); fields matched by leaves inside the same array must agree on
//! the element, which is how arrays of objects match element by element.

use super::number::{Num, NumRef};
use super::*;
use std::collections::HashMap;

/// A scalar value in the event.
#[derive(Debug, Clone, PartialEq)]
pub enum LeafValue {
    String(String),
    Number(Num),
    Bool(bool),
    Null,
}

impl LeafValue {
    /// The value as JSON text, for explanations.
    pub fn to_json(&self) -> String {
        match self {
            LeafValue::String(s) => {
                let mut out = String::new();
                crate::json::write_string(s, &mut out);
                out
            }
            LeafValue::Number(n) => n.text.clone(),
            LeafValue::Bool(b) => b.to_string(),
            LeafValue::Null => "null".into(),
        }
    }

    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            LeafValue::String(s) => ValueRef::Str(s),
            LeafValue::Number(n) => ValueRef::Num(n.as_ref()),
            LeafValue::Bool(b) => ValueRef::Bool(*b),
            LeafValue::Null => ValueRef::Null,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            LeafValue::String(_) => "a string",
            LeafValue::Number(_) => "a number",
            LeafValue::Bool(_) => "a boolean",
            LeafValue::Null => "null",
        }
    }
}

/// A borrowed scalar, as the compiled matcher reads it straight from event text.
#[derive(Debug, Clone, Copy)]
pub enum ValueRef<'a> {
    Str(&'a str),
    Num(NumRef<'a>),
    Bool(bool),
    Null,
}

/// One scalar in the event, where it is, and which array elements contain it.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub path: String,
    pub value: LeafValue,
    /// (array id, element index) for every enclosing array, outermost first.
    pub trail: Vec<(u32, u32)>,
}

/// Every leaf of the event, in document order.
pub fn flatten(event: &Json) -> Vec<Leaf> {
    let mut out = Vec::new();
    let mut next_array = 0;
    walk(
        event,
        String::new(),
        &mut Vec::new(),
        &mut next_array,
        &mut out,
    );
    out
}

fn walk(
    value: &Json,
    path: String,
    trail: &mut Vec<(u32, u32)>,
    next_array: &mut u32,
    out: &mut Vec<Leaf>,
) {
    let leaf = |v: LeafValue, out: &mut Vec<Leaf>, trail: &Vec<(u32, u32)>| {
        out.push(Leaf {
            path: path.clone(),
            value: v,
            trail: trail.clone(),
        })
    };
    match value {
        Json::Object(members) => {
            for (key, v) in members {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(&v.value, child, trail, next_array, out);
            }
        }
        Json::Array(items) => {
            let id = *next_array;
            *next_array += 1;
            for (i, item) in items.iter().enumerate() {
                trail.push((id, i as u32));
                walk(&item.value, path.clone(), trail, next_array, out);
                trail.pop();
            }
        }
        Json::String(s) => leaf(LeafValue::String(s.clone()), out, trail),
        Json::Number(n) => leaf(LeafValue::Number(Num::parse(n)), out, trail),
        Json::Bool(b) => leaf(LeafValue::Bool(*b), out, trail),
        Json::Null => leaf(LeafValue::Null, out, trail),
    }
}

/// Leaves grouped by path.
pub(crate) struct LeafIndex<'a> {
    by_path: HashMap<&'a str, Vec<usize>>,
}

impl<'a> LeafIndex<'a> {
    pub fn new(leaves: &'a [Leaf]) -> Self {
        let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, leaf) in leaves.iter().enumerate() {
            by_path.entry(leaf.path.as_str()).or_default().push(i);
        }
        LeafIndex { by_path }
    }

    pub fn at(&self, path: &str) -> &[usize] {
        self.by_path.get(path).map_or(&[], Vec::as_slice)
    }
}

/// Whether two leaves can sit in the same array elements.
pub(crate) fn consistent(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    a.iter()
        .all(|(array, index)| b.iter().all(|(other, j)| other != array || j == index))
}

impl Matcher {
    /// Whether one leaf value satisfies this alternative. `Exists` is decided per field,
    /// not per value: here `exists: true` accepts any value and `exists: false` none.
    pub fn matches(&self, value: &LeafValue) -> bool {
        self.matches_ref(value.as_ref())
    }

    /// [`Matcher::matches`] on a borrowed value.
    pub fn matches_ref(&self, value: ValueRef) -> bool {
        use ValueRef as V;
        match (self, value) {
            (Matcher::Exists(present), _) => *present,
            (Matcher::AnythingBut(but), v) => !but.excludes(v),
            (Matcher::Exact(Literal::String(p)), V::Str(s)) => p == s,
            (Matcher::Exact(Literal::Number(p)), V::Num(n)) => p.as_ref().same(&n),
            (Matcher::Exact(Literal::Bool(p)), V::Bool(b)) => *p == b,
            (Matcher::Exact(Literal::Null), V::Null) => true,
            (Matcher::ExactIp(_, range) | Matcher::Cidr(_, range), V::Str(s)) => range.contains(s),
            (Matcher::Prefix(p), V::Str(s)) => s.starts_with(p.as_str()),
            (Matcher::Suffix(p), V::Str(s)) => s.ends_with(p.as_str()),
            (Matcher::PrefixIgnoreCase(p), V::Str(s)) => starts_with_ignore_case(s, p),
            (Matcher::SuffixIgnoreCase(p), V::Str(s)) => ends_with_ignore_case(s, p),
            (Matcher::EqualsIgnoreCase(p), V::Str(s)) => equals_ignore_case(p, s),
            (Matcher::Wildcard(w), V::Str(s)) => w.matches(s),
            (Matcher::Numeric(range), V::Num(n)) => range.admits(n.value) && n.comparable(),
            _ => false,
        }
    }
}

impl AnythingBut {
    /// Whether `value` is one of the excluded values. Values of another type are never
    /// excluded, so they satisfy `anything-but`.
    pub fn excludes(&self, value: ValueRef) -> bool {
        match (self, value) {
            (AnythingBut::Strings(list), ValueRef::Str(s)) => list.iter().any(|x| x == s),
            (AnythingBut::Numbers(list), ValueRef::Num(n)) => {
                list.iter().any(|x| x.as_ref().same(&n))
            }
            (AnythingBut::Prefixes(list), ValueRef::Str(s)) => {
                list.iter().any(|p| s.starts_with(p.as_str()))
            }
            (AnythingBut::Suffixes(list), ValueRef::Str(s)) => {
                list.iter().any(|p| s.ends_with(p.as_str()))
            }
            (AnythingBut::EqualsIgnoreCase(list), ValueRef::Str(s)) => {
                list.iter().any(|p| equals_ignore_case(p, s))
            }
            (AnythingBut::Wildcards(list), ValueRef::Str(s)) => list.iter().any(|w| w.matches(s)),
            _ => false,
        }
    }
}

/// The leaves at a field's path that satisfy one of its value alternatives, and whether the
/// field is satisfied by absence (`exists: false` and no leaves at all).
pub(crate) fn field_candidates(
    field: &Field,
    leaves: &[Leaf],
    index: &LeafIndex,
) -> (Vec<usize>, bool) {
    let at = index.at(&field.path);
    let absent_ok = at.is_empty() && field.matchers.contains(&Matcher::Exists(false));
    let hits = at
        .iter()
        .copied()
        .filter(|&i| field.matchers.iter().any(|m| m.matches(&leaves[i].value)))
        .collect();
    (hits, absent_ok)
}

/// Whether one branch (a conjunction of fields) matches.
pub(crate) fn branch_matches(branch: &[Field], leaves: &[Leaf], index: &LeafIndex) -> bool {
    let mut needed: Vec<Vec<usize>> = Vec::with_capacity(branch.len());
    for field in branch {
        let (hits, absent_ok) = field_candidates(field, leaves, index);
        if absent_ok {
            continue;
        }
        if hits.is_empty() {
            return false;
        }
        needed.push(hits);
    }
    choose_consistent(&needed, leaves).is_some()
}

/// Picks one leaf per field so that all picked leaves agree on shared array elements.
pub(crate) fn choose_consistent(needed: &[Vec<usize>], leaves: &[Leaf]) -> Option<Vec<usize>> {
    // Fields with fewer candidates first: the search fails fast.
    let mut order: Vec<usize> = (0..needed.len()).collect();
    order.sort_by_key(|&i| needed[i].len());
    let mut chosen = Vec::with_capacity(needed.len());
    fn search(
        order: &[usize],
        needed: &[Vec<usize>],
        leaves: &[Leaf],
        chosen: &mut Vec<usize>,
    ) -> bool {
        let Some((&field, rest)) = order.split_first() else {
            return true;
        };
        for &candidate in &needed[field] {
            let trail = &leaves[candidate].trail;
            if chosen.iter().all(|&c| consistent(&leaves[c].trail, trail)) {
                chosen.push(candidate);
                if search(rest, needed, leaves, chosen) {
                    return true;
                }
                chosen.pop();
            }
        }
        false
    }
    search(&order, needed, leaves, &mut chosen).then_some(chosen)
}
