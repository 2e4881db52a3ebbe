//! The one JSON scanner both readers stand on: the tree reader ([`super::parse`], with
//! Jackson's wording for every mistake) and the pattern matcher's one-pass scan of event
//! text (`pattern::compiled`), which reads only what some pattern needs and skips the
//! rest. A [`Cursor`] is a position in the text with the lexical steps: whitespace,
//! strings (borrowed when they hold no escape, decoded when they do), and skipping a
//! value without reading it. Skipping finds quotes and brackets eight bytes at a time
//! with a few integer operations, in native code and in wasm alike.

use super::{line_column, JsonError};
use std::borrow::Cow;

/// A position in JSON text.
pub(crate) struct Cursor<'a> {
    pub(crate) text: &'a str,
    pub(crate) b: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str, pos: usize) -> Self {
        Cursor {
            text,
            b: text.as_bytes(),
            pos,
        }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    pub(crate) fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    /// A mistake at `offset`, with its line and column.
    pub(crate) fn error_at(&self, message: String, offset: usize) -> JsonError {
        let (line, column) = line_column(self.text, offset);
        JsonError {
            message,
            line,
            column,
            offset,
        }
    }

    /// A mistake here.
    pub(crate) fn error_here(&self, message: &str) -> JsonError {
        self.error_at(message.to_owned(), self.pos)
    }

    pub(crate) fn current_char(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    /// Jackson's words for a character (or the end) where `expected` should be.
    pub(crate) fn unexpected(&self, expected: &str) -> JsonError {
        match self.current_char() {
            None => self.error_at(format!("Unexpected end-of-input: {expected}"), self.pos),
            Some(c) => self.error_at(
                format!(
                    "Unexpected character ('{c}' (code {})): {expected}",
                    c as u32
                ),
                self.pos,
            ),
        }
    }

    /// Steps over `byte`, or says `what` was expected.
    pub(crate) fn expect(&mut self, byte: u8, what: &str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error_here(what))
        }
    }

    /// The string at `pos` (at its opening quote), borrowed from the text when it holds
    /// no escape, else decoded; a mistake in it is reported where the string starts.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let start = self.pos + 1;
        match quote_or_backslash(&self.b[start..]) {
            Some(i) if self.b[start + i] == b'"' => {
                self.pos = start + i + 1;
                Ok(Cow::Borrowed(&self.text[start..start + i]))
            }
            Some(_) => {
                let from = self.pos;
                self.decode_string()
                    .map(Cow::Owned)
                    .map_err(|e| self.error_at(e.message, from))
            }
            None => Err(self.error_here("unterminated string")),
        }
    }

    /// The string at `pos` (at its opening quote), escapes decoded, with Jackson's words
    /// for a mistake at the place it is.
    pub(crate) fn decode_string(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(&b) = self.b.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run..self.pos]);
            match self.b.get(self.pos) {
                None => {
                    return Err(self.error_at(
                        "Unexpected end-of-input: was expecting closing quote for a string value".into(),
                        start,
                    ))
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self.b.get(self.pos).copied();
                    self.pos += 1;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => out.push(self.unicode_escape()?),
                        _ => {
                            self.pos -= 1;
                            let c = self.current_char().unwrap_or(' ');
                            return Err(self.error_at(
                                format!("Unrecognized character escape '{c}' (code {})", c as u32),
                                self.pos,
                            ));
                        }
                    }
                }
                Some(&b) => {
                    return Err(self.error_at(
                        format!(
                            "Illegal unquoted character ((CTRL-CHAR, code {b})): has to be escaped using backslash to be included in string value"
                        ),
                        self.pos,
                    ))
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.text.get(self.pos..self.pos + 4).unwrap_or("");
        let value = u32::from_str_radix(digits, 16)
            .ok()
            .filter(|_| digits.len() == 4);
        match value {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.error_at(
                "Unexpected character: expected a hex-digit for character escape sequence".into(),
                self.pos,
            )),
        }
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) && self.text[self.pos..].starts_with("\\u")
        {
            let save = self.pos;
            self.pos += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            } else {
                self.pos = save;
                first
            }
        } else {
            first
        };
        // A lone surrogate has no Rust char; keep the replacement character in its place.
        Ok(char::from_u32(code).unwrap_or('\u{FFFD}'))
    }

    /// Skips the string at `pos` (at its opening quote) without decoding it.
    pub(crate) fn skip_string(&mut self) -> Result<(), JsonError> {
        let mut i = self.pos + 1;
        loop {
            match quote_or_backslash(&self.b[i..]) {
                Some(j) if self.b[i + j] == b'"' => {
                    self.pos = i + j + 1;
                    return Ok(());
                }
                Some(j) => i += j + 2,
                None => return Err(self.error_here("unterminated string")),
            }
            if i > self.b.len() {
                return Err(self.error_here("unterminated string"));
            }
        }
    }

    /// Skips the object or array at `pos`. Only quotes, brackets and braces matter, so it
    /// reads the text eight bytes at a time, finds those bytes in each word with a few
    /// integer operations and steps from one to the next: a city lot's coordinates are
    /// mostly digits, with a bracket every few words.
    pub(crate) fn skip_container(&mut self) -> Result<(), JsonError> {
        let b = self.b;
        let mut i = self.pos + 1;
        let mut depth = 1usize;
        while i + 8 <= b.len() {
            let word = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
            let folded = word & 0xDFDF_DFDF_DFDF_DFDF;
            let opens = exact_zero_bytes(folded ^ (ONES * 0x5B));
            let closes = exact_zero_bytes(folded ^ (ONES * 0x5D));
            let quotes = exact_zero_bytes(word ^ (ONES * b'"' as u64));
            // Brackets before the first quote count; a quote starts a string to skip.
            let before_quote = quotes.wrapping_sub(1) & !quotes;
            let mut marks = (opens | closes) & before_quote;
            while marks != 0 {
                let bit = marks & marks.wrapping_neg();
                if opens & bit != 0 {
                    depth += 1;
                } else {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + (bit.trailing_zeros() / 8) as usize + 1;
                        return Ok(());
                    }
                }
                marks ^= bit;
            }
            if quotes == 0 {
                i += 8;
            } else {
                self.pos = i + (quotes.trailing_zeros() / 8) as usize;
                self.skip_string()?;
                i = self.pos;
            }
        }
        while i < b.len() {
            match b[i] {
                b'"' => {
                    self.pos = i;
                    self.skip_string()?;
                    i = self.pos;
                    continue;
                }
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + 1;
                        return Ok(());
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = b.len();
        Err(self.error_here("unterminated object or array"))
    }

    /// Skips the value at `pos` without reading it.
    pub(crate) fn skip_value(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'"') => self.skip_string(),
            Some(b'{' | b'[') => self.skip_container(),
            Some(_) => {
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.pos += 1;
                }
                Ok(())
            }
            None => Err(self.error_here("unexpected end of the event")),
        }
    }
}

/// A byte repeated in every byte of a word.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `x` that is zero, with no false flags (a byte's low seven
/// bits plus 0x7F carry into its high bit unless they are all zero, and its own high bit
/// is or-ed in).
pub(crate) fn exact_zero_bytes(x: u64) -> u64 {
    const LOWS: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    !(((x & LOWS) + LOWS) | x | LOWS)
}

/// The first quote or backslash in `b`, eight bytes at a time. An event's keys and values
/// are mostly short, where this beats a call to a vectorised search.
pub(crate) fn quote_or_backslash(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= b.len() {
        let word = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        let hits = exact_zero_bytes(word ^ (ONES * b'"' as u64))
            | exact_zero_bytes(word ^ (ONES * b'\\' as u64));
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|k| i + k)
}
