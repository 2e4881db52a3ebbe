//! The `wildcard` operator: `*` matches any run of characters (including none and `/`),
//! `\*` is a literal star and `\\` a literal backslash. Parsing reports event-ruler's
//! errors; [`too_complex`] approximates its machine-complexity check.

use std::collections::{BTreeSet, HashSet};

/// One piece of a parsed wildcard pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Token {
    Char(char),
    Star,
}

/// A parsed wildcard pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Wildcard {
    pub source: String,
    pub tokens: Vec<Token>,
    /// The literal runs between the stars, as UTF-8 bytes: `a*bc*` is `["a", "bc", ""]`.
    /// There is always one more run than there are stars.
    pub runs: Vec<Vec<u8>>,
}

impl Wildcard {
    /// Parses the pattern, or returns event-ruler's reason (positions are 0-based).
    pub fn parse(source: &str) -> Result<Wildcard, String> {
        let mut tokens = Vec::new();
        let mut chars = source.chars().enumerate().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '*' => {
                    if tokens.last() == Some(&Token::Star) {
                        return Err(format!("Consecutive wildcard characters at pos {i}"));
                    }
                    tokens.push(Token::Star);
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('*' | '\\'))) => tokens.push(Token::Char(e)),
                    _ => return Err(format!("Invalid escape character at pos {i}")),
                },
                c => tokens.push(Token::Char(c)),
            }
        }
        let runs = runs(&tokens);
        Ok(Wildcard {
            source: source.to_owned(),
            tokens,
            runs,
        })
    }

    /// Whether the whole of `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        matches_runs(&self.runs, value.as_bytes())
    }
}

fn runs(tokens: &[Token]) -> Vec<Vec<u8>> {
    let mut runs = vec![Vec::new()];
    let mut buf = [0u8; 4];
    for t in tokens {
        match t {
            Token::Star => runs.push(Vec::new()),
            Token::Char(c) => runs
                .last_mut()
                .expect("there is always a run")
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    runs
}

/// Whether `value` is the runs in order with anything between them (see
/// [`Wildcard::runs`]). The first run must start the value and the last end it; each
/// run between is taken at its leftmost place after the one before, which is enough
/// because a star can absorb whatever the leftmost choice leaves. Comparing UTF-8 bytes
/// is comparing characters: a run begins with a character's first byte, so it can only
/// match where a character begins.
fn matches_runs(runs: &[Vec<u8>], value: &[u8]) -> bool {
    let (first, rest) = runs.split_first().expect("there is always a run");
    let Some((last, middle)) = rest.split_last() else {
        return value == first.as_slice();
    };
    if value.len() < first.len() + last.len() || !value.starts_with(first) || !value.ends_with(last)
    {
        return false;
    }
    let mut inside = &value[first.len()..value.len() - last.len()];
    for run in middle {
        match memchr::memmem::find(inside, run) {
            Some(at) => inside = &inside[at + run.len()..],
            None => return false,
        }
    }
    true
}

/// Most automaton states one value may keep active across the wildcards of one field.
pub const COMPLEXITY_LIMIT: usize = 10;
/// Reachable state sets explored before the rule is declared too complex anyway.
const EXPLORATION_LIMIT: usize = 20_000;

/// Whether the wildcard patterns given for one field are too complex to accept.
///
/// Models event-ruler's `MachineComplexityEvaluator`: build the automaton for all the
/// field's wildcards together, explore every set of states a value can reach, and
/// reject when one set holds more than [`COMPLEXITY_LIMIT`] states. Many stars, or stars
/// followed by repeating characters, let one value sit in many states at once. This is an
/// approximation: AWS does not publish its threshold, but it accepts ordinary patterns
/// like `*/lib/*` and rejects `*:*:*:*:*:event-bus/*`, as this does.
pub fn too_complex(patterns: &[&Wildcard]) -> bool {
    if patterns
        .iter()
        .all(|p| p.tokens.iter().filter(|t| **t == Token::Star).count() <= 1)
    {
        return false;
    }
    let closure = |set: &mut BTreeSet<(usize, usize)>, p: usize, mut s: usize| {
        let tokens = &patterns[p].tokens;
        loop {
            set.insert((p, s));
            if tokens.get(s) == Some(&Token::Star) {
                s += 1;
            } else {
                break;
            }
        }
    };
    let mut alphabet: Vec<Option<char>> = vec![None];
    let mut seen_chars = HashSet::new();
    for p in patterns {
        for t in &p.tokens {
            if let Token::Char(c) = t {
                if seen_chars.insert(*c) {
                    alphabet.push(Some(*c));
                }
            }
        }
    }
    let mut start = BTreeSet::new();
    for p in 0..patterns.len() {
        closure(&mut start, p, 0);
    }
    let mut seen = HashSet::new();
    let mut pending = vec![start];
    while let Some(set) = pending.pop() {
        if set.len() > COMPLEXITY_LIMIT {
            return true;
        }
        if !seen.insert(set.clone()) {
            continue;
        }
        if seen.len() > EXPLORATION_LIMIT {
            return true;
        }
        for c in &alphabet {
            let mut next = BTreeSet::new();
            for &(p, s) in &set {
                match patterns[p].tokens.get(s) {
                    Some(Token::Star) => closure(&mut next, p, s),
                    Some(Token::Char(x)) if Some(*x) == *c => closure(&mut next, p, s + 1),
                    _ => {}
                }
            }
            if !next.is_empty() && !seen.contains(&next) {
                pending.push(next);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Wildcard {
        Wildcard::parse(s).expect("valid wildcard")
    }

    #[test]
    fn star_matches_any_run_including_slashes_and_nothing() {
        assert!(w("*/lib/*").matches("/usr/lib/x"));
        assert!(w("*/lib/*").matches("/lib/"));
        assert!(w("a*b").matches("ab"));
        assert!(w("a*b").matches("a/x/yb"));
        assert!(!w("a*b").matches("abc"));
        assert!(w("*").matches(""));
        assert!(w("").matches(""));
        assert!(!w("").matches("x"));
        assert!(w("*a*a*").matches("banana"));
    }

    /// Character by character with backtracking to the last star: the plain reading of
    /// the operator, against which the run-by-run matcher is checked.
    fn matches_by_characters(tokens: &[Token], value: &str) -> bool {
        let v: Vec<char> = value.chars().collect();
        let (mut ti, mut vi) = (0, 0);
        let mut backtrack: Option<(usize, usize)> = None;
        while vi < v.len() {
            match tokens.get(ti) {
                Some(Token::Star) => {
                    backtrack = Some((ti, vi));
                    ti += 1;
                }
                Some(Token::Char(c)) if *c == v[vi] => {
                    ti += 1;
                    vi += 1;
                }
                _ => match backtrack {
                    Some((star, at)) => {
                        ti = star + 1;
                        vi = at + 1;
                        backtrack = Some((star, at + 1));
                    }
                    None => return false,
                },
            }
        }
        tokens[ti..].iter().all(|tok| *tok == Token::Star)
    }

    proptest::proptest! {
        #[test]
        fn runs_match_as_characters_do(
            pattern in "[ab*é]{0,8}",
            value in "[abé*]{0,10}",
        ) {
            if let Ok(w) = Wildcard::parse(&pattern) {
                proptest::prop_assert_eq!(w.matches(&value), matches_by_characters(&w.tokens, &value));
            }
        }
    }

    #[test]
    fn escapes_are_literal() {
        assert!(w(r"a\*b").matches("a*b"));
        assert!(!w(r"a\*b").matches("axb"));
        assert!(w(r"a\\b").matches(r"a\b"));
    }

    #[test]
    fn malformed_wildcards_report_event_ruler_positions() {
        assert_eq!(
            Wildcard::parse("ab**c"),
            Err("Consecutive wildcard characters at pos 3".into())
        );
        assert_eq!(
            Wildcard::parse(r"a\b"),
            Err("Invalid escape character at pos 1".into())
        );
        assert_eq!(
            Wildcard::parse("abc\\"),
            Err("Invalid escape character at pos 3".into())
        );
    }

    #[test]
    fn ordinary_wildcards_are_simple_and_star_chains_are_too_complex() {
        assert!(!too_complex(&[&w("*/lib/*")]));
        assert!(!too_complex(&[&w("arn:aws:s3:::bucket/*.png")]));
        assert!(!too_complex(&[&w("a*b*c")]));
        assert!(too_complex(&[&w("*:*:*:*:*:event-bus/*")]));
    }
}
