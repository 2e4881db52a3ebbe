//! The compiled matcher: many patterns in one structure, matched against an event in one
//! pass over its text.
//!
//! Compilation interns every field path into a trie of path segments and gives each
//! field an index of the conditions that mention it: a hash map for exact strings and
//! numbers, byte tries for prefixes and suffixes, a cut of the number line for numeric
//! ranges (below), wildcards filed by their literal head (or, when they begin with a
//! star, by the first two bytes of their longest literal run, looked up at every pair of
//! the value), and for `anything-but` a list of strings the list of every such
//! condition with, per excluded string, the places in that list of the conditions it
//! excludes (so a leaf fills the runs between its exclusions whole, instead of testing
//! each), and a short list for the rest. Matching
//! scans the event's JSON text once, descending only into keys some pattern names and
//! skipping everything else without parsing it. Each leaf found is looked up in its
//! field's index, which marks *slots* (one per field of each pattern branch). A branch
//! matches when all its slots are filled, the absent fields are absent, and the filling
//! leaves agree on shared array elements. A branch of one required field (most
//! patterns) needs none of that: filling its slot matches the rule on the spot; and the
//! branches that are a lone `exists: false` are kept by field, so an event missing the
//! field matches all of their rules in one loop; a branch that is a lone `exists: true`
//! is kept as its rule, matched by any leaf of the field without touching a slot. The
//! answer ascends: found in order it stays as it is (an `anything-but` field fills its
//! rules in order, in runs between the value's exclusions), with few matches it is
//! sorted, and when an event matched many rules (at 1,000 `exists` rules, about 600) the
//! per-rule stamps are read in rule order instead, which costs one pass over the rules
//! rather than a sort.
//!
//! Numeric ranges and `anything-but` never become a check per rule. As event-ruler and
//! Quamina turn them into transitions of their automaton (ranges into digit-by-digit
//! paths over a comparable encoding of the number, exclusions into a default transition
//! minus the excluded values), here each field turns them into a table decided before
//! any event arrives. The number line is cut at every range bound into pieces (the
//! stretch between two bounds, and each bound itself), and each piece lists the slots
//! its numbers fill, so a number costs finding its piece, not comparing it with every
//! range. Finding the piece is one comparison for a number beyond every bound (most
//! numbers an event carries: a city lot's latitudes when the ranges are on longitudes),
//! else a look-up in equal buckets laid over the span of the bounds, each knowing how
//! many bounds lie below it, and a step past the few bounds in its bucket. The number is
//! not even parsed exactly when its piece is empty: its first nine significant digits
//! scaled by an exact power of ten give its value to within 2 × 10^-8 of its size
//! ([`number::approximate`]), and when both ends of that margin fall in one piece with no
//! slot, so does the number. Only a number that may fill a slot is parsed exactly and
//! checked to be one a double reproduces. `anything-but` is the complement the same way:
//! the list of every such condition on the field, less the runs each value excludes.
//!
//! The scan itself is where most of the time goes on events with large subtrees no
//! pattern names (a city lot's coordinates are four fifths of its bytes). It reads the
//! text a 64-bit word at a time: a skipped object or array finds its quotes, brackets and
//! braces in each word with a few integer operations (the zero-byte test on the word
//! xor-ed with each byte sought, with bit 5 cleared so that `{` and `[`, `}` and `]`
//! fold together) and steps from one to the next by their bits, counting depth, so a
//! word of digits costs no branch per byte; strings find their closing quote (or a
//! backslash) the same way, which beats a call to a vectorised search on short keys. A
//! path node with few children keeps them in a short list compared by bytes rather than
//! hashing every key of the event. The same code runs in wasm, which has no vector
//! instructions by default.
//!
//! It gives the same answers as the reference evaluator ([`EventPattern::matches`]),
//! which the property tests check, with one documented exception: it reads the event text
//! as it comes, so a key repeated inside one object counts every time instead of only the
//! last time. Events entering the workshop are parsed first, which removes repeats.

use super::eval::ValueRef;
use super::number::{self, Num, NumRef};
use super::*;
use crate::json::scan::{exact_zero_bytes, Cursor, ONES};
use crate::json::{Json, JsonError};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Index of a pattern in the list given to [`RuleSet::new`].
pub type RuleId = u32;

/// In [`FieldIndex::anything_but_rules`]: the slot is not alone, so filling it is a hit.
const NOT_ALONE: RuleId = RuleId::MAX;

/// How a slot is satisfied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotKind {
    /// Needs a matching leaf.
    Required,
    /// `exists: false` or a value: satisfied when the field is absent, else needs a leaf.
    Either,
    /// `exists: false` only.
    Absent,
}

#[derive(Debug, Clone)]
struct Slot {
    subrule: u32,
    /// Its branch's rule (kept here too: a lone slot matches it without a second look-up).
    rule: RuleId,
    field: u32,
    kind: SlotKind,
    /// The slot is its branch's only one, and required: filling it matches the rule at
    /// once, with no counting, no array agreement and nothing left for `finish`.
    alone: bool,
}

#[derive(Debug, Clone)]
struct SubRule {
    rule: RuleId,
    slots: std::ops::Range<u32>,
    required: u32,
}

#[derive(Debug, Default, Clone)]
struct PathNode {
    children: Children,
    field: Option<u32>,
}

/// A path node's children by key. Most nodes have a handful, and comparing a few short
/// keys is quicker than hashing the event's key, so up to [`Children::FEW`] are kept in a
/// list and only more in a hash map.
#[derive(Debug, Default, Clone)]
struct Children {
    few: Vec<(Box<str>, u32)>,
    many: FxHashMap<Box<str>, u32>,
}

impl Children {
    const FEW: usize = 8;

    fn get(&self, key: &str) -> Option<u32> {
        if self.many.is_empty() {
            self.few
                .iter()
                .find(|(k, _)| k.as_bytes() == key.as_bytes())
                .map(|&(_, n)| n)
        } else {
            self.many.get(key).copied()
        }
    }

    fn insert(&mut self, key: &str, node: u32) {
        if self.many.is_empty() && self.few.len() < Self::FEW {
            self.few.push((key.into(), node));
        } else {
            self.many.extend(self.few.drain(..));
            self.many.insert(key.into(), node);
        }
    }

    fn is_empty(&self) -> bool {
        self.few.is_empty() && self.many.is_empty()
    }
}

/// A trie over bytes whose nodes carry the slots of the strings ending there.
#[derive(Debug, Clone)]
struct ByteTrie {
    nodes: Vec<TrieNode>,
}

#[derive(Debug, Clone, Default)]
struct TrieNode {
    edges: Vec<(u8, u32)>,
    slots: Vec<u32>,
}

impl Default for ByteTrie {
    fn default() -> Self {
        ByteTrie {
            nodes: vec![TrieNode::default()],
        }
    }
}

impl ByteTrie {
    fn insert(&mut self, bytes: impl Iterator<Item = u8>, slot: u32) {
        let mut node = 0usize;
        for b in bytes {
            node = match self.nodes[node].edges.iter().find(|(x, _)| *x == b) {
                Some(&(_, next)) => next as usize,
                None => {
                    let next = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    self.nodes[node].edges.push((b, next as u32));
                    next
                }
            };
        }
        self.nodes[node].slots.push(slot);
    }

    /// Calls `f` with the slots of every stored string that is a prefix of `bytes`.
    fn walk(&self, bytes: impl Iterator<Item = u8>, mut f: impl FnMut(u32)) {
        let mut node = 0usize;
        self.nodes[0].slots.iter().for_each(|&s| f(s));
        for b in bytes {
            match self.nodes[node].edges.iter().find(|(x, _)| *x == b) {
                Some(&(_, next)) => node = next as usize,
                None => return,
            }
            self.nodes[node].slots.iter().for_each(|&s| f(s));
        }
    }

    fn is_empty(&self) -> bool {
        self.nodes.len() == 1 && self.nodes[0].slots.is_empty()
    }
}

/// Numeric ranges cut the number line into pieces (each boundary point, and the open
/// stretches between them); every piece lists the ranges that cover it, so one binary
/// search finds all ranges holding a value.
#[derive(Debug, Default, Clone)]
struct RangeIndex {
    pending: Vec<(u32, Numeric)>,
    bounds: Vec<f64>,
    /// `2i`: the stretch below `bounds[i]`; `2i + 1`: the point `bounds[i]`; last: above all.
    pieces: Vec<Vec<u32>>,
    /// The span from the lowest bound to the highest cut into equal buckets: for bucket
    /// `k`, how many bounds lie in lower buckets, so a value's bucket tells it where to
    /// start looking (see [`RangeIndex::count_below`]).
    buckets: Vec<u32>,
    /// Buckets per unit of the number line.
    scale: f64,
}

impl RangeIndex {
    fn build(&mut self) {
        let mut bounds: Vec<f64> = self
            .pending
            .iter()
            .flat_map(|(_, n)| [n.lower.map(|b| b.value), n.upper.map(|b| b.value)])
            .flatten()
            .collect();
        bounds.sort_by(f64::total_cmp);
        bounds.dedup();
        let representative = |piece: usize| -> f64 {
            let i = piece / 2;
            if piece % 2 == 1 {
                return bounds[i];
            }
            match (i.checked_sub(1).map(|j| bounds[j]), bounds.get(i)) {
                (None, Some(&hi)) => hi - hi.abs().max(1.0),
                (Some(lo), None) => lo + lo.abs().max(1.0),
                (Some(lo), Some(&hi)) => lo / 2.0 + hi / 2.0,
                (None, None) => 0.0,
            }
        };
        let count = bounds.len() * 2 + 1;
        self.bounds = bounds.clone();
        self.scale = match (bounds.first(), bounds.last()) {
            (Some(lo), Some(hi)) if hi > lo => (bounds.len() * 2) as f64 / (hi - lo),
            _ => 0.0,
        };
        if self.scale.is_finite() && self.scale > 0.0 {
            // Each bucket's entry is the number of cuts in the buckets before it.
            self.buckets = vec![0u32; bounds.len() * 2 + 2];
            for &b in &bounds {
                let k = self.bucket(b) + 1;
                self.buckets[k] += 1;
            }
            for k in 1..self.buckets.len() {
                self.buckets[k] += self.buckets[k - 1];
            }
        } else {
            self.buckets.clear();
        }
        self.pieces = (0..count)
            .map(|piece| {
                let x = representative(piece);
                self.pending
                    .iter()
                    .filter(|(_, n)| n.admits(x))
                    .map(|(slot, _)| *slot)
                    .collect()
            })
            .collect();
    }

    fn covering(&self, x: f64) -> &[u32] {
        if self.pieces.is_empty() {
            return &[];
        }
        &self.pieces[self.piece(x)]
    }

    fn piece(&self, x: f64) -> usize {
        let i = self.count_below(x);
        if self.bounds.get(i) == Some(&x) {
            2 * i + 1
        } else {
            2 * i
        }
    }

    /// The bucket of `x`, for `x` from the lowest bound to the highest. The same
    /// arithmetic for bounds and values keeps it monotonic: a bound in a lower bucket than
    /// `x` is below `x`, and one in a higher bucket is above it.
    fn bucket(&self, x: f64) -> usize {
        (((x - self.bounds[0]) * self.scale) as usize).min(self.buckets.len().saturating_sub(2))
    }

    /// How many bounds are below `x`: one comparison for a value beyond every bound
    /// (most values in events), else a look-up of its bucket and a step past the few
    /// bounds that share it (a binary search when many do, or when there are no buckets).
    fn count_below(&self, x: f64) -> usize {
        let (Some(&lo), Some(&hi)) = (self.bounds.first(), self.bounds.last()) else {
            return 0;
        };
        if x < lo || x.is_nan() {
            return 0;
        }
        if x > hi {
            return self.bounds.len();
        }
        if self.buckets.is_empty() {
            return self.bounds.partition_point(|b| *b < x);
        }
        let k = self.bucket(x);
        let (start, end) = (self.buckets[k] as usize, self.buckets[k + 1] as usize);
        let same = &self.bounds[start..end];
        start
            + if same.len() > 8 {
                same.partition_point(|b| *b < x)
            } else {
                same.iter().take_while(|b| **b < x).count()
            }
    }

    /// The ranges holding the number written `text`: none unless a double holds it
    /// exactly. Most numbers in events fall where no range is (a city lot's latitudes and
    /// heights when the ranges are on longitudes), and a close approximation of the
    /// number shows that without parsing it exactly: when both ends of its margin of
    /// error fall in one piece, so does the number.
    fn holding(&self, text: &str) -> &[u32] {
        if self.pieces.is_empty() {
            return &[];
        }
        if let Some(near) = number::approximate(text) {
            let margin = near.abs() * number::APPROXIMATION;
            let piece = self.piece(near - margin);
            if self.pieces[piece].is_empty() && piece == self.piece(near + margin) {
                return &[];
            }
        }
        let number = NumRef::parse(text);
        let covering = self.covering(number.value);
        if covering.is_empty() || !number.comparable() {
            return &[];
        }
        covering
    }
}

/// Every condition on one field path, indexed by how it is matched.
#[derive(Debug, Default, Clone)]
struct FieldIndex {
    exact: FxHashMap<Box<str>, Vec<u32>>,
    numbers: FxHashMap<u64, Vec<(u32, Num)>>,
    bools: [Vec<u32>; 2],
    nulls: Vec<u32>,
    prefixes: ByteTrie,
    suffixes: ByteTrie,
    any: Vec<u32>,
    /// The rules of branches that are this one `exists: true` and nothing else: any leaf
    /// matches them outright, so they are kept as rules rather than slots.
    any_rules: Vec<RuleId>,
    ranges: RangeIndex,
    /// `equals-ignore-case` values by their case-folded form, verified on lookup.
    ignore_case: FxHashMap<String, Vec<(u32, String)>>,
    /// Wildcards filed under the literal text before their first star, verified on lookup.
    wildcard_heads: ByteTrie,
    /// Wildcards that begin with a star, by the first two bytes of their longest literal
    /// run: a value can only match where it holds that pair.
    wildcard_pairs: FxHashMap<[u8; 2], Vec<u32>>,
    wildcards: Vec<(u32, super::wildcard::Wildcard)>,
    /// `anything-but` a list of strings: every such slot, ascending, and the positions in
    /// that list of the slots each string excludes, ascending. A string leaf fills all but
    /// its excluded ones; a leaf of another type fills all (it is never excluded).
    anything_but: Vec<u32>,
    anything_but_excluded: FxHashMap<Box<str>, Vec<u32>>,
    /// For each of `anything_but`, its rule when the slot is alone (filling it matches
    /// the rule outright), else [`NOT_ALONE`]: the loop over them reads one array.
    anything_but_rules: Vec<RuleId>,
    /// No entry of `anything_but_rules` is [`NOT_ALONE`] (the usual case).
    anything_but_all_alone: bool,
    others: Vec<(u32, Matcher)>,
}

/// A case-insensitive key: equal for any two strings `equals-ignore-case` accepts
/// (it may also be equal for a few it rejects, which the verification removes).
fn fold_key(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut upper = c.to_uppercase();
            let u = match (upper.next(), upper.next()) {
                (Some(u), None) => u,
                _ => c,
            };
            let mut lower = u.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => u,
            }
        })
        .collect()
}

/// The literal characters before a wildcard's first star, as UTF-8 bytes.
fn wildcard_head(w: &super::wildcard::Wildcard) -> Vec<u8> {
    let mut head = String::new();
    for t in &w.tokens {
        match t {
            super::wildcard::Token::Char(c) => head.push(*c),
            super::wildcard::Token::Star => break,
        }
    }
    head.into_bytes()
}

fn number_key(value: f64) -> u64 {
    // -0 and 0 are equal numbers and must share a key.
    if value == 0.0 {
        0
    } else {
        value.to_bits()
    }
}

impl FieldIndex {
    fn add(&mut self, matcher: &Matcher, slot: u32) {
        match matcher {
            Matcher::Exact(Literal::String(s)) => {
                self.exact.entry(s.as_str().into()).or_default().push(slot)
            }
            Matcher::Exact(Literal::Number(n)) => self
                .numbers
                .entry(number_key(n.value))
                .or_default()
                .push((slot, n.clone())),
            Matcher::Exact(Literal::Bool(b)) => self.bools[*b as usize].push(slot),
            Matcher::Exact(Literal::Null) => self.nulls.push(slot),
            Matcher::Prefix(p) => self.prefixes.insert(p.bytes(), slot),
            Matcher::Suffix(p) => self.suffixes.insert(p.bytes().rev(), slot),
            Matcher::Exists(true) => self.any.push(slot),
            Matcher::Exists(false) => {}
            Matcher::Numeric(n) => self.ranges.pending.push((slot, n.clone())),
            Matcher::EqualsIgnoreCase(p) => self
                .ignore_case
                .entry(fold_key(p))
                .or_default()
                .push((slot, p.clone())),
            Matcher::Wildcard(w) => {
                let i = self.wildcards.len() as u32;
                let head = wildcard_head(w);
                let longest = w.runs.iter().max_by_key(|run| run.len());
                match longest {
                    Some(run) if head.is_empty() && run.len() >= 2 => self
                        .wildcard_pairs
                        .entry([run[0], run[1]])
                        .or_default()
                        .push(i),
                    _ => self.wildcard_heads.insert(head.into_iter(), i),
                }
                self.wildcards.push((slot, w.clone()));
            }
            Matcher::AnythingBut(AnythingBut::Strings(list)) => {
                let position = self.anything_but.len() as u32;
                self.anything_but.push(slot);
                for x in list {
                    let excluded = self
                        .anything_but_excluded
                        .entry(x.as_str().into())
                        .or_default();
                    // A list may name a string twice; the slot is excluded once.
                    if excluded.last() != Some(&position) {
                        excluded.push(position);
                    }
                }
            }
            other => self.others.push((slot, other.clone())),
        }
    }
}

/// A scalar read from event text: strings unescaped only when they hold escapes.
#[derive(Debug, Clone)]
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Num(&'a str),
    Bool(bool),
    Null,
}

/// A set of patterns compiled for matching together.
#[derive(Debug, Clone)]
pub struct RuleSet {
    paths: Vec<PathNode>,
    fields: Vec<FieldIndex>,
    slots: Vec<Slot>,
    subrules: Vec<SubRule>,
    /// Sub-rules with no required slot: no leaf can announce them, so every event checks them.
    always: Vec<u32>,
    /// Branches that are one `exists: false` and nothing else, by field: when the field
    /// has no leaf, all their rules match, with no check per branch.
    absent_alone: Vec<(u32, Vec<RuleId>)>,
    rules: usize,
}

/// Reusable per-event state, so matching allocates nothing in the steady state.
#[derive(Debug, Default)]
pub struct Scratch {
    generation: u32,
    slot_seen: Vec<u32>,
    sub_seen: Vec<u32>,
    sub_count: Vec<u32>,
    field_seen: Vec<u32>,
    rule_seen: Vec<u32>,
    touched: Vec<u32>,
    /// (slot, trail start, trail length) for every slot a leaf filled.
    hits: Vec<(u32, u32, u32)>,
    trails: Vec<(u32, u32)>,
    stack: Vec<(u32, u32)>,
    arrays: u32,
    matched: Vec<RuleId>,
    /// The pattern paths met in each object being scanned, innermost last.
    keys: Vec<usize>,
    /// The event text repeats a key a pattern reads, within one object.
    repeated_key: bool,
}

impl Scratch {
    /// Adds `rule` to this event's answer unless it is there already.
    #[inline]
    fn match_rule(&mut self, rule: RuleId) {
        let seen = &mut self.rule_seen[rule as usize];
        if *seen != self.generation {
            *seen = self.generation;
            self.matched.push(rule);
        }
    }

    /// [`Self::match_rule`] for each of `rules` (a thousand `anything-but` rules a leaf is
    /// the case it is for): the answer is made room for first, and each rule is written
    /// and kept only if it was new, with no branch and no growth check per rule.
    fn match_rules(&mut self, rules: &[RuleId]) {
        let g = self.generation;
        let start = self.matched.len();
        self.matched.resize(start + rules.len(), 0);
        let out = &mut self.matched[start..];
        let mut kept = 0;
        for &rule in rules {
            let stamp = &mut self.rule_seen[rule as usize];
            let new = *stamp != g;
            *stamp = g;
            out[kept] = rule;
            kept += usize::from(new);
        }
        self.matched.truncate(start + kept);
    }
}

impl RuleSet {
    /// Compiles the patterns; [`RuleId`]s are their positions in `patterns`.
    pub fn new<'p>(patterns: impl IntoIterator<Item = &'p EventPattern>) -> RuleSet {
        let mut set = RuleSet {
            paths: vec![PathNode::default()],
            fields: Vec::new(),
            slots: Vec::new(),
            subrules: Vec::new(),
            always: Vec::new(),
            absent_alone: Vec::new(),
            rules: 0,
        };
        for (rule, pattern) in patterns.into_iter().enumerate() {
            set.rules += 1;
            for branch in &pattern.branches {
                set.add_branch(rule as RuleId, branch);
            }
        }
        for field in &mut set.fields {
            field.ranges.build();
            field.anything_but_rules = field
                .anything_but
                .iter()
                .map(|&slot| {
                    let s = &set.slots[slot as usize];
                    if s.alone {
                        s.rule
                    } else {
                        NOT_ALONE
                    }
                })
                .collect();
            field.anything_but_all_alone = !field.anything_but_rules.contains(&NOT_ALONE);
        }
        set
    }

    /// How many patterns were compiled.
    pub fn len(&self) -> usize {
        self.rules
    }

    pub fn is_empty(&self) -> bool {
        self.rules == 0
    }

    fn field_id(&mut self, path: &str) -> u32 {
        let mut node = 0usize;
        for segment in path.split('.') {
            node = match self.paths[node].children.get(segment) {
                Some(n) => n as usize,
                None => {
                    let n = self.paths.len();
                    self.paths.push(PathNode::default());
                    self.paths[node].children.insert(segment, n as u32);
                    n
                }
            };
        }
        match self.paths[node].field {
            Some(f) => f,
            None => {
                let f = self.fields.len() as u32;
                self.fields.push(FieldIndex::default());
                self.paths[node].field = Some(f);
                f
            }
        }
    }

    fn add_branch(&mut self, rule: RuleId, branch: &[Field]) {
        let subrule = self.subrules.len() as u32;
        let start = self.slots.len() as u32;
        let mut required = 0;
        for field in branch {
            let field_id = self.field_id(&field.path);
            let absent = field.matchers.contains(&Matcher::Exists(false));
            let values = field.matchers.iter().any(|m| *m != Matcher::Exists(false));
            let kind = match (absent, values) {
                (true, true) => SlotKind::Either,
                (true, false) => SlotKind::Absent,
                _ => SlotKind::Required,
            };
            required += (kind == SlotKind::Required) as u32;
            let slot = self.slots.len() as u32;
            self.slots.push(Slot {
                subrule,
                rule,
                field: field_id,
                kind,
                alone: false,
            });
            for matcher in &field.matchers {
                self.fields[field_id as usize].add(matcher, slot);
            }
        }
        if self.slots.len() as u32 == start + 1 && required == 1 {
            self.slots[start as usize].alone = true;
            if let [field] = branch {
                if field.matchers == [Matcher::Exists(true)] {
                    let index = &mut self.fields[self.slots[start as usize].field as usize];
                    index.any.retain(|&s| s != start);
                    index.any_rules.push(rule);
                }
            }
        }
        self.subrules.push(SubRule {
            rule,
            slots: start..self.slots.len() as u32,
            required,
        });
        let slots = start as usize..self.slots.len();
        if let [only] = &self.slots[slots] {
            if only.kind == SlotKind::Absent {
                let field = only.field;
                match self.absent_alone.iter_mut().find(|(f, _)| *f == field) {
                    Some((_, rules)) => rules.push(rule),
                    None => self.absent_alone.push((field, vec![rule])),
                }
                return;
            }
        }
        if required == 0 {
            self.always.push(subrule);
        }
    }

    /// A scratch area sized for this rule set.
    pub fn scratch(&self) -> Scratch {
        Scratch {
            slot_seen: vec![0; self.slots.len()],
            sub_seen: vec![0; self.subrules.len()],
            sub_count: vec![0; self.subrules.len()],
            field_seen: vec![0; self.fields.len()],
            rule_seen: vec![0; self.rules],
            ..Scratch::default()
        }
    }

    /// The ids of the patterns that match the event text, in increasing order. The text
    /// must be one JSON object; malformed text is an error, though the scan checks only
    /// the parts it reads.
    pub fn matches_text<'s>(
        &self,
        event: &str,
        scratch: &'s mut Scratch,
    ) -> Result<&'s [RuleId], JsonError> {
        self.begin(scratch);
        let mut scan = Scan {
            cur: Cursor::new(event, 0),
            set: self,
            scratch,
            depth: 0,
        };
        scan.ws();
        if scan.peek() != Some(b'{') {
            return Err(scan.error_here("the event must be a JSON object"));
        }
        scan.object(0)?;
        if scratch.repeated_key {
            // A repeated key's last value is the one that counts (`docs/semantics.md`
            // §1.1), which a single pass cannot know: match the parsed event instead.
            let event = crate::json::parse(event)?.value;
            return Ok(self.matches_json(&event, scratch));
        }
        Ok(self.finish(scratch))
    }

    /// [`RuleSet::matches_text`] on an event already parsed.
    pub fn matches_json<'s>(&self, event: &Json, scratch: &'s mut Scratch) -> &'s [RuleId] {
        self.begin(scratch);
        // An event is a JSON object; anything else matches nothing, as in the text scan
        // (not even a pattern of `exists: false` alone, which `finish` would match).
        if !matches!(event, Json::Object(_)) {
            return &scratch.matched;
        }
        self.walk(event, 0, scratch);
        self.finish(scratch)
    }

    fn walk(&self, value: &Json, node: usize, scratch: &mut Scratch) {
        match value {
            Json::Object(members) => {
                for (key, child) in members {
                    if let Some(next) = self.child(node, key) {
                        self.walk(&child.value, next, scratch);
                    }
                }
            }
            Json::Array(items) => {
                let id = scratch.arrays;
                scratch.arrays += 1;
                for (i, item) in items.iter().enumerate() {
                    scratch.stack.push((id, i as u32));
                    self.walk(&item.value, node, scratch);
                    scratch.stack.pop();
                }
            }
            scalar => {
                if let Some(field) = self.paths[node].field {
                    let s = match scalar {
                        Json::String(s) => Scalar::Str(Cow::Borrowed(s.as_str())),
                        Json::Number(n) => Scalar::Num(n),
                        Json::Bool(b) => Scalar::Bool(*b),
                        _ => Scalar::Null,
                    };
                    self.leaf(field, s, scratch);
                }
            }
        }
    }

    /// The trie node for `key` under `node`; a dotted key walks one segment per part.
    fn child(&self, node: usize, key: &str) -> Option<usize> {
        if !has_dot(key.as_bytes()) {
            return self.paths[node].children.get(key).map(|n| n as usize);
        }
        key.split('.').try_fold(node, |n, seg| {
            self.paths[n].children.get(seg).map(|c| c as usize)
        })
    }

    fn begin(&self, scratch: &mut Scratch) {
        if scratch.slot_seen.len() != self.slots.len() {
            *scratch = self.scratch();
        }
        scratch.generation = scratch.generation.wrapping_add(1);
        if scratch.generation == 0 {
            // After 2^32 events the stamps wrap: start clean once.
            *scratch = self.scratch();
            scratch.generation = 1;
        }
        scratch.touched.clear();
        scratch.hits.clear();
        scratch.trails.clear();
        scratch.stack.clear();
        scratch.arrays = 0;
        scratch.matched.clear();
        scratch.keys.clear();
        scratch.repeated_key = false;
    }

    fn leaf(&self, field: u32, value: Scalar, scratch: &mut Scratch) {
        let g = scratch.generation;
        scratch.field_seen[field as usize] = g;
        let index = &self.fields[field as usize];
        let mut trail: Option<(u32, u32)> = None;
        let mut hit = |slot: u32, scratch: &mut Scratch| {
            let s = &self.slots[slot as usize];
            if s.alone {
                scratch.match_rule(s.rule);
                return;
            }
            let (start, len) = *trail.get_or_insert_with(|| {
                let start = scratch.trails.len() as u32;
                scratch.trails.extend_from_slice(&scratch.stack);
                (start, scratch.stack.len() as u32)
            });
            scratch.hits.push((slot, start, len));
            if scratch.slot_seen[slot as usize] != g {
                scratch.slot_seen[slot as usize] = g;
                let s = &self.slots[slot as usize];
                if s.kind == SlotKind::Required {
                    let sub = s.subrule as usize;
                    if scratch.sub_seen[sub] != g {
                        scratch.sub_seen[sub] = g;
                        scratch.sub_count[sub] = 0;
                        scratch.touched.push(sub as u32);
                    }
                    scratch.sub_count[sub] += 1;
                }
            }
        };
        for &rule in &index.any_rules {
            scratch.match_rule(rule);
        }
        for &slot in &index.any {
            hit(slot, scratch);
        }
        if !index.anything_but.is_empty() {
            let excluded: &[u32] = match &value {
                Scalar::Str(s) => index
                    .anything_but_excluded
                    .get(s.as_ref())
                    .map_or(&[], Vec::as_slice),
                _ => &[],
            };
            // The runs between excluded positions are filled whole. Nearly every event
            // fills nearly every such slot: the lone ones (most) match their rule here.
            let end = index.anything_but.len() as u32;
            let mut from = 0;
            for &stop in excluded.iter().chain([&end]) {
                let run = from as usize..stop as usize;
                if index.anything_but_all_alone {
                    scratch.match_rules(&index.anything_but_rules[run]);
                } else {
                    let slots = &index.anything_but[run.clone()];
                    for (&rule, &slot) in index.anything_but_rules[run].iter().zip(slots) {
                        match rule {
                            NOT_ALONE => hit(slot, scratch),
                            rule => scratch.match_rule(rule),
                        }
                    }
                }
                from = stop + 1;
            }
        }
        let number;
        let as_ref = match &value {
            Scalar::Str(s) => {
                if let Some(slots) = index.exact.get(s.as_ref()) {
                    slots.iter().for_each(|&slot| hit(slot, scratch));
                }
                if !index.prefixes.is_empty() {
                    index.prefixes.walk(s.bytes(), |slot| hit(slot, scratch));
                }
                if !index.suffixes.is_empty() {
                    index
                        .suffixes
                        .walk(s.bytes().rev(), |slot| hit(slot, scratch));
                }
                if !index.ignore_case.is_empty() {
                    if let Some(candidates) = index.ignore_case.get(&fold_key(s)) {
                        for (slot, p) in candidates {
                            if equals_ignore_case(p, s) {
                                hit(*slot, scratch);
                            }
                        }
                    }
                }
                if !index.wildcards.is_empty() {
                    let mut check = |i: u32, scratch: &mut Scratch| {
                        let (slot, w) = &index.wildcards[i as usize];
                        if w.matches(s) {
                            hit(*slot, scratch);
                        }
                    };
                    index.wildcard_heads.walk(s.bytes(), |i| check(i, scratch));
                    if !index.wildcard_pairs.is_empty() {
                        let bytes = s.as_bytes();
                        for (at, pair) in bytes.windows(2).enumerate() {
                            let Some(candidates) = index.wildcard_pairs.get(pair) else {
                                continue;
                            };
                            // Each pair once, at its first place in the value.
                            if bytes[..at + 1].windows(2).any(|earlier| earlier == pair) {
                                continue;
                            }
                            candidates.iter().for_each(|&i| check(i, scratch));
                        }
                    }
                }
                ValueRef::Str(s)
            }
            Scalar::Num(text) => {
                if index.numbers.is_empty() && index.others.is_empty() {
                    // Ranges alone, or nothing: most numbers need no exact parse.
                    for &slot in index.ranges.holding(text) {
                        hit(slot, scratch);
                    }
                    return;
                }
                number = NumRef::parse(text);
                if let Some(candidates) = index.numbers.get(&number_key(number.value)) {
                    for (slot, n) in candidates {
                        if n.as_ref().same(&number) {
                            hit(*slot, scratch);
                        }
                    }
                }
                let covering = index.ranges.covering(number.value);
                if !covering.is_empty() && number.comparable() {
                    covering.iter().for_each(|&slot| hit(slot, scratch));
                }
                ValueRef::Num(number)
            }
            Scalar::Bool(b) => {
                index.bools[*b as usize]
                    .iter()
                    .for_each(|&slot| hit(slot, scratch));
                ValueRef::Bool(*b)
            }
            Scalar::Null => {
                index.nulls.iter().for_each(|&slot| hit(slot, scratch));
                ValueRef::Null
            }
        };
        for (slot, matcher) in &index.others {
            if matcher.matches_ref(as_ref) {
                hit(*slot, scratch);
            }
        }
    }

    fn finish<'s>(&self, scratch: &'s mut Scratch) -> &'s [RuleId] {
        let g = scratch.generation;
        let touched = std::mem::take(&mut scratch.touched);
        for &sub in touched.iter().chain(self.always.iter()) {
            let s = &self.subrules[sub as usize];
            if (s.required > 0 && scratch.sub_count[sub as usize] != s.required)
                || scratch.rule_seen[s.rule as usize] == g
            {
                continue;
            }
            if self.subrule_holds(s, scratch) {
                scratch.rule_seen[s.rule as usize] = g;
                scratch.matched.push(s.rule);
            }
        }
        scratch.touched = touched;
        for (field, rules) in &self.absent_alone {
            if scratch.field_seen[*field as usize] != g {
                for &rule in rules {
                    scratch.match_rule(rule);
                }
            }
        }
        // The answer ascends: often it was found in order (one rule's conditions are
        // compiled after the previous rule's). Else, when many rules matched, reading the
        // stamps in rule order is cheaper than sorting them (at 1,000 `exists` rules an
        // event matches ~600).
        let n = scratch.matched.len();
        if scratch.matched.is_sorted() {
            return &scratch.matched;
        }
        if n >= 32 && n * 16 >= scratch.rule_seen.len() {
            // Without a branch per rule: write every rule, keep the stamped ones.
            let matched = &mut scratch.matched;
            matched.resize(scratch.rule_seen.len(), 0);
            let mut kept = 0;
            for (rule, &stamp) in scratch.rule_seen.iter().enumerate() {
                matched[kept] = rule as RuleId;
                kept += usize::from(stamp == g);
            }
            matched.truncate(kept);
        } else {
            scratch.matched.sort_unstable();
        }
        &scratch.matched
    }

    fn subrule_holds(&self, sub: &SubRule, scratch: &Scratch) -> bool {
        let g = scratch.generation;
        // First without allocating: most branches that hold have one leaf to agree with.
        let mut leaves = 0;
        for slot in sub.slots.clone() {
            let s = &self.slots[slot as usize];
            let present = scratch.field_seen[s.field as usize] == g;
            let filled = scratch.slot_seen[slot as usize] == g;
            let ok = match s.kind {
                SlotKind::Absent => !present,
                SlotKind::Either => !present || filled,
                SlotKind::Required => filled,
            };
            if !ok {
                return false;
            }
            if present && s.kind != SlotKind::Absent {
                leaves += 1;
            }
        }
        if leaves <= 1 {
            return true;
        }
        let needed: Vec<u32> = sub
            .slots
            .clone()
            .filter(|&slot| {
                let s = &self.slots[slot as usize];
                s.kind != SlotKind::Absent && scratch.field_seen[s.field as usize] == g
            })
            .collect();
        // Leaves that sit in no array agree with everything.
        let candidates: Vec<Vec<&[(u32, u32)]>> = needed
            .iter()
            .map(|&slot| {
                scratch
                    .hits
                    .iter()
                    .filter(|h| h.0 == slot)
                    .map(|&(_, start, len)| &scratch.trails[start as usize..(start + len) as usize])
                    .collect()
            })
            .collect();
        if candidates.iter().all(|c| c.iter().any(|t| t.is_empty())) {
            return true;
        }
        fn search<'t>(
            i: usize,
            candidates: &[Vec<&'t [(u32, u32)]>],
            chosen: &mut Vec<&'t [(u32, u32)]>,
        ) -> bool {
            let Some(options) = candidates.get(i) else {
                return true;
            };
            for trail in options {
                if chosen.iter().all(|c| super::eval::consistent(c, trail)) {
                    chosen.push(trail);
                    if search(i + 1, candidates, chosen) {
                        return true;
                    }
                    chosen.pop();
                }
            }
            false
        }
        search(0, &candidates, &mut Vec::new())
    }
}

/// A one-pass reader of event text that only parses what some pattern needs: the JSON
/// scanner's [`Cursor`], the rule set it reads for, and how deep it is.
struct Scan<'a, 's> {
    cur: Cursor<'a>,
    set: &'s RuleSet,
    scratch: &'s mut Scratch,
    depth: usize,
}

impl<'a> std::ops::Deref for Scan<'a, '_> {
    type Target = Cursor<'a>;
    fn deref(&self) -> &Cursor<'a> {
        &self.cur
    }
}

impl std::ops::DerefMut for Scan<'_, '_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.cur
    }
}

const MAX_DEPTH: usize = 256;

impl<'a> Scan<'a, '_> {
    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here("the event is nested too deeply"));
        }
        Ok(())
    }

    fn object(&mut self, node: usize) -> Result<(), JsonError> {
        self.enter()?;
        self.pos += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        let first_key = self.scratch.keys.len();
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.error_here("expected a quoted key"));
            }
            let key = self.string()?;
            self.ws();
            self.expect(b':', "expected ':' after a key")?;
            self.ws();
            match self.set.child(node, &key) {
                Some(child) => {
                    if self.scratch.keys[first_key..].contains(&child) {
                        self.scratch.repeated_key = true;
                    }
                    self.scratch.keys.push(child);
                    self.value(child)?
                }
                None => self.skip_value()?,
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    self.scratch.keys.truncate(first_key);
                    return Ok(());
                }
                _ => return Err(self.error_here("expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self, node: usize) -> Result<(), JsonError> {
        self.enter()?;
        self.pos += 1;
        let id = self.scratch.arrays;
        self.scratch.arrays += 1;
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        let mut index = 0;
        loop {
            self.ws();
            self.scratch.stack.push((id, index));
            self.value(node)?;
            self.scratch.stack.pop();
            index += 1;
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.error_here("expected ',' or ']' in an array")),
            }
        }
    }

    fn value(&mut self, node: usize) -> Result<(), JsonError> {
        let path = &self.set.paths[node];
        match self.peek() {
            Some(b'{') if !path.children.is_empty() => self.object(node),
            Some(b'[') => self.array(node),
            Some(b'{') => self.skip_value(),
            _ => match path.field {
                None => self.skip_value(),
                Some(field) => {
                    let scalar = self.scalar()?;
                    self.set.leaf(field, scalar, self.scratch);
                    Ok(())
                }
            },
        }
    }

    fn scalar(&mut self) -> Result<Scalar<'a>, JsonError> {
        let rest = &self.b[self.pos..];
        let word = |w: &[u8]| rest.starts_with(w);
        Ok(match self.peek() {
            Some(b'"') => Scalar::Str(self.string()?),
            Some(b't') if word(b"true") => {
                self.pos += 4;
                Scalar::Bool(true)
            }
            Some(b'f') if word(b"false") => {
                self.pos += 5;
                Scalar::Bool(false)
            }
            Some(b'n') if word(b"null") => {
                self.pos += 4;
                Scalar::Null
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.peek() {
                    self.pos += 1;
                }
                Scalar::Num(&self.text[start..self.pos])
            }
            _ => return Err(self.error_here("expected a value")),
        })
    }
}

/// Whether a key holds a dot (a flattened path), eight bytes at a time.
fn has_dot(b: &[u8]) -> bool {
    let mut words = b.chunks_exact(8);
    let dotted = words.any(|w| {
        let word = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        exact_zero_bytes(word ^ (ONES * b'.' as u64)) != 0
    });
    dotted || words.remainder().contains(&b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::scan::quote_or_backslash;

    proptest::proptest! {
        #[test]
        fn word_scans_agree_with_looking_at_every_byte(
            bytes in proptest::collection::vec(proptest::sample::select(
                b"\"\\[]{}|;:ab 0-.,\x7b\x7d\x5b\x5d\xdb\xfb\xff\x00".to_vec()), 0..40)
        ) {
            let naive = bytes.iter().position(|&c| c == b'"' || c == b'\\');
            proptest::prop_assert_eq!(has_dot(&bytes), bytes.contains(&b'.'));
            proptest::prop_assert_eq!(quote_or_backslash(&bytes), naive);
            for chunk in bytes.chunks_exact(8) {
                let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
                let flagged = exact_zero_bytes(word ^ (ONES * b'[' as u64));
                let expected = chunk.iter().enumerate().filter(|(_, &c)| c == b'[')
                    .fold(0u64, |m, (k, _)| m | 0x80 << (8 * k));
                proptest::prop_assert_eq!(flagged, expected);
            }
        }
    }

    fn set(patterns: &[&str]) -> RuleSet {
        let parsed: Vec<EventPattern> = patterns
            .iter()
            .map(|p| EventPattern::eventbridge(p).expect("valid"))
            .collect();
        RuleSet::new(&parsed)
    }

    fn ids(set: &RuleSet, event: &str) -> Vec<RuleId> {
        let mut scratch = set.scratch();
        set.matches_text(event, &mut scratch)
            .expect("valid event")
            .to_vec()
    }

    #[test]
    fn matches_many_patterns_in_one_pass() {
        let s = set(&[
            r#"{"source":["a"]}"#,
            r#"{"source":[{"prefix":"a"}],"detail":{"n":[{"numeric":[">",5]}]}}"#,
            r#"{"detail":{"n":[{"exists":false}]}}"#,
            r#"{"source":[{"suffix":"z"}]}"#,
        ]);
        assert_eq!(ids(&s, r#"{"source":"a","detail":{"n":6}}"#), [0, 1]);
        assert_eq!(ids(&s, r#"{"source":"abz","detail":{}}"#), [2, 3]);
        assert_eq!(ids(&s, r#"{"other":{"deep":[1,{"x":"y"}]}}"#), [2]);
    }

    /// The compiled set gives every event the evaluator's answer, pattern by pattern.
    fn assert_agrees(patterns: &[&str], events: &[&str]) {
        let s = set(patterns);
        for event in events {
            let expected: Vec<RuleId> = (0..patterns.len())
                .filter(|&i| {
                    EventPattern::eventbridge(patterns[i])
                        .expect("valid")
                        .matches_text(event)
                        .expect("valid event")
                })
                .map(|i| i as RuleId)
                .collect();
            assert_eq!(ids(&s, event), expected, "{event}");
        }
    }

    #[test]
    fn anything_but_strings_use_their_index_and_agree_with_the_evaluator() {
        let patterns = [
            r#"{"s":[{"anything-but":["a","b","a"]}]}"#,
            r#"{"s":[{"anything-but":"b"}]}"#,
            r#"{"s":[{"anything-but":["c"]}],"t":["x"]}"#,
            r#"{"s":[{"anything-but":[""]}]}"#,
        ];
        assert_agrees(
            &patterns,
            &[
                r#"{"s":"a"}"#,
                r#"{"s":"b"}"#,
                r#"{"s":"c","t":"x"}"#,
                r#"{"s":"d","t":"x"}"#,
                r#"{"s":""}"#,
                r#"{"s":5}"#,
                r#"{"s":null}"#,
                r#"{"s":["a","b"]}"#,
                r#"{"s":[true,"c"],"t":"x"}"#,
                r#"{"t":"x"}"#,
            ],
        );
        let s = set(&patterns);
        assert_eq!(ids(&s, r#"{"s":"a"}"#), [1, 3]);
        assert_eq!(ids(&s, r#"{"s":5}"#), [0, 1, 3]);
    }

    #[test]
    fn a_lone_exists_false_matches_by_field_and_agrees_with_the_evaluator() {
        assert_agrees(
            &[
                r#"{"a":[{"exists":false}]}"#,
                r#"{"a":[{"exists":false}],"b":["x"]}"#,
                r#"{"b":[{"exists":false}]}"#,
                r#"{"a":[{"exists":false}]}"#,
                r#"{"$or":[{"a":[{"exists":false}]},{"b":["x"]}]}"#,
                r#"{"a":{"c":[{"exists":false}]}}"#,
            ],
            &[
                r#"{}"#,
                r#"{"a":1}"#,
                r#"{"b":"x"}"#,
                r#"{"a":null,"b":"x"}"#,
                r#"{"a":{"c":[]}}"#,
                r#"{"a":{"c":[1]}}"#,
                r#"{"a":[]}"#,
            ],
        );
    }

    #[test]
    fn arrays_of_objects_match_element_by_element() {
        let s = set(&[r#"{"e":{"first":["Anna"],"last":["Jones"]}}"#]);
        assert!(ids(
            &s,
            r#"{"e":[{"first":"Anna","last":"Smith"},{"first":"Peter","last":"Jones"}]}"#
        )
        .is_empty());
        assert_eq!(
            ids(
                &s,
                r#"{"e":[{"first":"Peter","last":"Smith"},{"first":"Anna","last":"Jones"}]}"#
            ),
            [0]
        );
    }

    #[test]
    fn escaped_strings_and_dotted_keys_are_read() {
        let s = set(&[r#"{"a":{"b":["x\"y"]}}"#]);
        assert_eq!(ids(&s, r#"{"a.b":"x\"y"}"#), [0]);
        assert_eq!(ids(&s, r#"{"skip":"q\\\"","a":{"b":"x\u0022y"}}"#), [0]);
    }

    #[test]
    fn numeric_ranges_respect_open_and_closed_bounds() {
        let s = set(&[
            r#"{"n":[{"numeric":[">",0,"<=",5]}]}"#,
            r#"{"n":[{"numeric":[">=",5]}]}"#,
            r#"{"n":[{"numeric":["<",0]}]}"#,
            r#"{"n":[{"numeric":["=",2.5]}]}"#,
            r#"{"n":[{"numeric":[">",-1e308,"<",1e308]}]}"#,
        ]);
        assert_eq!(ids(&s, r#"{"n":0}"#), [4]);
        assert_eq!(ids(&s, r#"{"n":5}"#), [0, 1, 4]);
        assert_eq!(ids(&s, r#"{"n":2.5}"#), [0, 3, 4]);
        assert_eq!(ids(&s, r#"{"n":-0.5}"#), [2, 4]);
        assert_eq!(ids(&s, r#"{"n":1e309}"#), Vec::<u32>::new());
        assert_eq!(ids(&s, r#"{"n":3.0000000000000001}"#), Vec::<u32>::new());
    }

    #[test]
    fn wildcards_and_ignore_case_use_their_indexes() {
        let s = set(&[
            r#"{"b":[{"wildcard":"*b"}]}"#,
            r#"{"b":[{"wildcard":"a*"}]}"#,
            r#"{"b":[{"equals-ignore-case":"A*B"}]}"#,
        ]);
        assert_eq!(ids(&s, r#"{"b":"a*b"}"#), [0, 1, 2]);
        assert_eq!(ids(&s, r#"{"b":"xb"}"#), [0]);
    }

    #[test]
    fn wildcards_that_begin_with_a_star_are_found_by_a_pair_of_their_longest_run() {
        let patterns = [
            r#"{"b":[{"wildcard":"*an*"}]}"#,
            r#"{"b":[{"wildcard":"*x*ana"}]}"#,
            r#"{"b":[{"wildcard":"*é*"}]}"#,
            r#"{"b":[{"wildcard":"*a"}]}"#,
            r#"{"b":[{"wildcard":"*nan*"}, {"wildcard":"*ban*"}]}"#,
        ];
        // A pair met twice in the value ("an" in "banana") still matches once.
        assert_eq!(ids(&set(&patterns), r#"{"b":"banana"}"#), [0, 3, 4]);
        assert_eq!(ids(&set(&patterns), r#"{"b":"xana"}"#), [0, 1, 3]);
        assert_eq!(ids(&set(&patterns), r#"{"b":"café"}"#), [2]);
        assert_agrees(
            &patterns,
            &[
                r#"{"b":"banana"}"#,
                r#"{"b":"xxana"}"#,
                r#"{"b":"ana"}"#,
                r#"{"b":"é"}"#,
                r#"{"b":["nan","x"]}"#,
                r#"{"b":""}"#,
            ],
        );
    }

    #[test]
    fn malformed_events_are_errors() {
        let s = set(&[r#"{"a":["x"]}"#]);
        let mut scratch = s.scratch();
        assert!(s.matches_text(r#"["a"]"#, &mut scratch).is_err());
        assert!(s.matches_text(r#"{"a":"x""#, &mut scratch).is_err());
    }

    #[test]
    fn skipped_values_end_where_they_end_wherever_the_words_fall() {
        let s = set(&[r#"{"k":["v"]}"#, r#"{"after":{"n":[{"numeric":[">",1]}]}}"#]);
        for pad in 0..17 {
            let spaces = " ".repeat(pad);
            let event = format!(
                r#"{{"skip":{spaces}{{"a":"x]}}\"[{{","b":[1,[2.5,{{"c":"}}\\"}}],[]],"d":{{}}}},"k":"v","after":{{"n":2}}}}"#
            );
            assert_eq!(ids(&s, &event), [0, 1], "{event}");
            let unterminated = format!(r#"{{"skip":{spaces}[[1,2],"]"#);
            let mut scratch = s.scratch();
            assert!(
                s.matches_text(&unterminated, &mut scratch).is_err(),
                "{unterminated}"
            );
        }
    }
}
