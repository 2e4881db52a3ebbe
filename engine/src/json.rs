//! A small JSON reader that keeps what `serde_json::Value` throws away and patterns need:
//! the literal text of every number, the position of every value, and error messages in
//! the wording of Jackson (the parser behind AWS's pattern compiler).
//!
//! Objects keep their members in document order; a repeated key replaces the earlier
//! one (the last one wins, as in AWS and in JavaScript). This is not a general-purpose
//! JSON library: it reads one document from a string and nothing else. Its lexical steps
//! are [`scan`]'s, which the pattern matcher's one-pass scan of events uses too.

pub(crate) mod scan;

use scan::Cursor;
use std::fmt;

/// A JSON value with positions and literal number text.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number exactly as written, e.g. `3.0e2`.
    Number(String),
    String(String),
    Array(Vec<Spanned>),
    /// Members in document order, keys unique (the last duplicate wins).
    Object(Vec<(String, Spanned)>),
}

/// A value and where it starts in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    pub value: Json,
    /// Byte offset of the value's first character.
    pub offset: usize,
}

/// A syntax error, with its 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (line {}, column {})",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for JsonError {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parses one JSON document; anything but whitespace after it is an error.
pub fn parse(text: &str) -> Result<Spanned, JsonError> {
    let mut reader = Reader {
        cur: Cursor::new(text, 0),
        depth: 0,
    };
    reader.ws();
    let value = reader.value()?;
    reader.ws();
    if reader.pos < reader.b.len() {
        return Err(reader.unexpected("expected end of input"));
    }
    Ok(value)
}

/// Parses learner-written JSON into a `serde_json::Value`, with syntax errors from this
/// reader rather than from serde_json: serde_json reports a bad literal (`tru`) where it
/// stopped reading, which after a line break is the start of the next line, while this
/// reader names the token's own line and column.
pub fn parse_value(text: &str) -> Result<serde_json::Value, JsonError> {
    parse(text)?;
    serde_json::from_str(text).map_err(|e| {
        // Unreachable in practice (the text was just read as JSON); kept as an error, not
        // a panic, because the two readers are separate code.
        let offset = text.len();
        let (line, column) = line_column(text, offset);
        JsonError {
            message: e.to_string(),
            line,
            column,
            offset,
        }
    })
}

/// Deepest nesting accepted, so hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 256;

/// The tree reader: a [`Cursor`] over the text, and how deep it is.
struct Reader<'a> {
    cur: Cursor<'a>,
    depth: usize,
}

impl<'a> std::ops::Deref for Reader<'a> {
    type Target = Cursor<'a>;
    fn deref(&self) -> &Cursor<'a> {
        &self.cur
    }
}

impl std::ops::DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.cur
    }
}

impl Reader<'_> {
    fn value(&mut self) -> Result<Spanned, JsonError> {
        let offset = self.pos;
        let value = match self.b.get(self.pos) {
            None => {
                return Err(
                    self.error_at("Unexpected end-of-input: expected a value".into(), offset)
                )
            }
            Some(b'{') => self.nested(Self::object)?,
            Some(b'[') => self.nested(Self::array)?,
            Some(b'"') => Json::String(self.decode_string()?),
            Some(b'-' | b'0'..=b'9') => Json::Number(self.number()?),
            Some(b't' | b'f' | b'n' | b'a'..=b'z' | b'A'..=b'Z' | b'_') => self.word()?,
            Some(_) => return Err(self.unexpected("expected a value")),
        };
        Ok(Spanned { value, offset })
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Json, JsonError>) -> Result<Json, JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_at(
                format!("Document nested more than {MAX_DEPTH} levels deep"),
                self.pos,
            ));
        }
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn word(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        while let Some(b) = self.b.get(self.pos) {
            if b.is_ascii_alphanumeric() || *b == b'_' {
                self.pos += 1;
            } else {
                break;
            }
        }
        match &self.text[start..self.pos] {
            "true" => Ok(Json::Bool(true)),
            "false" => Ok(Json::Bool(false)),
            "null" => Ok(Json::Null),
            token => Err(self.error_at(
                format!(
                    "Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
                ),
                start,
            )),
        }
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        let b = self.b;
        if b.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        while matches!(b.get(self.pos), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        if self.pos == int_start {
            return Err(self
                .unexpected("expected digit (0-9) to follow minus sign, for valid numeric value"));
        }
        if b[int_start] == b'0' && self.pos - int_start > 1 {
            return Err(self.error_at(
                "Invalid numeric value: Leading zeroes not allowed".into(),
                int_start,
            ));
        }
        if b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            let frac = self.pos;
            while matches!(b.get(self.pos), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
            if self.pos == frac {
                return Err(self.unexpected("Decimal point not followed by a digit"));
            }
        }
        if matches!(b.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(b.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            let exp = self.pos;
            while matches!(b.get(self.pos), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
            if self.pos == exp {
                return Err(self.unexpected("Exponent indicator not followed by a digit"));
            }
        }
        Ok(self.text[start..self.pos].to_owned())
    }

    fn array(&mut self) -> Result<Json, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.ws();
            if self.b.get(self.pos) == Some(&b']') {
                return Err(self.unexpected("expected a value"));
            }
            items.push(self.value()?);
            self.ws();
            match self.b.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                None => {
                    return Err(self.error_at(
                        "Unexpected end-of-input: expected close marker for Array".into(),
                        self.pos,
                    ))
                }
                Some(_) => {
                    return Err(self.unexpected("was expecting comma to separate Array entries"))
                }
            }
        }
    }

    fn object(&mut self) -> Result<Json, JsonError> {
        self.pos += 1;
        let mut members: Vec<(String, Spanned)> = Vec::new();
        self.ws();
        if self.b.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.ws();
            match self.b.get(self.pos) {
                Some(b'"') => {}
                None => {
                    return Err(self.error_at(
                        "Unexpected end-of-input: expected close marker for Object".into(),
                        self.pos,
                    ))
                }
                Some(_) => {
                    return Err(self.unexpected("was expecting double-quote to start field name"))
                }
            }
            let key = self.decode_string()?;
            self.ws();
            if self.b.get(self.pos) != Some(&b':') {
                return Err(
                    self.unexpected("was expecting a colon to separate field name and value")
                );
            }
            self.pos += 1;
            self.ws();
            let value = self.value()?;
            // The last duplicate wins, and takes the place of the first.
            members.retain(|(k, _)| *k != key);
            members.push((key, value));
            self.ws();
            match self.b.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                None => {
                    return Err(self.error_at(
                        "Unexpected end-of-input: expected close marker for Object".into(),
                        self.pos,
                    ))
                }
                Some(_) => {
                    return Err(self.unexpected("was expecting comma to separate Object entries"))
                }
            }
        }
    }
}

impl Json {
    /// Compact JSON text for this value (numbers keep their literal text).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => write_string(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.value.write(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// Converts a `serde_json::Value` (numbers keep serde_json's rendering).
    pub fn from_serde(value: &serde_json::Value) -> Json {
        match value {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(*b),
            serde_json::Value::Number(n) => Json::Number(n.to_string()),
            serde_json::Value::String(s) => Json::String(s.clone()),
            serde_json::Value::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|v| Spanned {
                        value: Json::from_serde(v),
                        offset: 0,
                    })
                    .collect(),
            ),
            serde_json::Value::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            Spanned {
                                value: Json::from_serde(v),
                                offset: 0,
                            },
                        )
                    })
                    .collect(),
            ),
        }
    }
}

/// Writes `s` as a JSON string literal.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_literal_is_reported_on_its_own_line() {
        let e = parse_value("{\n  \"a\": 1,\n  \"b\": tru\n}").expect_err("tru");
        assert_eq!((e.line, e.column), (3, 8));
        assert!(
            e.message.starts_with("Unrecognized token 'tru'"),
            "{}",
            e.message
        );
        let v = parse_value("{\"a\": [1, 2.50]}").expect("valid");
        assert_eq!(v, serde_json::json!({"a": [1, 2.5]}));
    }

    #[test]
    fn numbers_keep_their_literal_text() {
        let v = parse(r#"[3.0e2, -0, 300, 1E+3]"#).expect("valid");
        let Json::Array(items) = v.value else {
            panic!("array")
        };
        let texts: Vec<_> = items.iter().map(|i| i.value.to_text()).collect();
        assert_eq!(texts, ["3.0e2", "-0", "300", "1E+3"]);
    }

    #[test]
    fn the_last_duplicate_key_wins() {
        let v = parse(r#"{"a": 1, "b": 2, "a": 3}"#).expect("valid");
        assert_eq!(v.value.to_text(), r#"{"b":2,"a":3}"#);
    }

    #[test]
    fn bare_words_get_jacksons_unrecognized_token_message() {
        let e = parse(r#"{"a": [abc]}"#).expect_err("bare word");
        assert_eq!(
            e.message,
            "Unrecognized token 'abc': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
        );
        assert_eq!((e.line, e.column), (1, 8));
    }

    #[test]
    fn structural_errors_name_the_character_and_position() {
        let e = parse("{\n  \"a\": [1,]\n}").expect_err("trailing comma");
        assert_eq!(
            e.message,
            "Unexpected character (']' (code 93)): expected a value"
        );
        assert_eq!((e.line, e.column), (2, 11));
        let e = parse(r#"{"a" 1}"#).expect_err("missing colon");
        assert!(e.message.contains("was expecting a colon"), "{}", e.message);
        let e = parse(r#"{"a": 1"#).expect_err("unterminated");
        assert_eq!(
            e.message,
            "Unexpected end-of-input: expected close marker for Object"
        );
        let e = parse(r#"{a: 1}"#).expect_err("unquoted key");
        assert!(e.message.contains("double-quote to start field name"));
    }

    #[test]
    fn escapes_and_surrogate_pairs_decode() {
        let v = parse(r#""a\"b\\c\u00e9\ud83d\ude00""#).expect("valid");
        assert_eq!(v.value, Json::String("a\"b\\cé😀".into()));
    }

    #[test]
    fn hostile_nesting_is_refused_not_overflowed() {
        let deep = "[".repeat(10_000);
        assert!(parse(&deep)
            .expect_err("too deep")
            .message
            .contains("nested more than"));
    }
}
