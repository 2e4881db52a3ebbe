//! Reading JSON into a type with errors that name where the mistake is
//! (`steps[3].receive.max`).
//!
//! serde_json says *what* is wrong and at which line and column; the path is found by
//! reading the text up to that place and keeping the keys and indexes on the way, which
//! is only done when there is an error. (A wrapper that tracks the path while reading,
//! such as `serde_path_to_error`, gives the same paths but compiles a second copy of
//! every type's deserializer into the app.) serde_json reports an unknown field at its
//! key, a value of the wrong type at the value, and a missing field at the closing
//! brace of its object, so the path names the key, the value and the object.

use serde::de::DeserializeOwned;

/// A shape mistake: the path of the place (`.` for the whole document) and serde's
/// description of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    pub path: String,
    pub message: String,
}

/// Reads `text` as `T`; on error, the path where reading stopped.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, ShapeError> {
    serde_json::from_str(text).map_err(|e| ShapeError {
        path: path_at(text, e.line(), e.column(), ends_container(&e.to_string())),
        message: e.to_string(),
    })
}

/// [`from_str`] for a value already parsed (written out and read again, so that the
/// error has a place).
pub fn from_value<T: DeserializeOwned, V: serde::Serialize>(value: &V) -> Result<T, ShapeError> {
    let text = serde_json::to_string(value).map_err(|e| ShapeError {
        path: ".".into(),
        message: e.to_string(),
    })?;
    from_str(&text)
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum State {
    /// Before a member's key or an array's element.
    Between,
    /// Inside a key, after it, or after its colon.
    Key,
    /// Inside a member's value or an array's element.
    Value,
    /// After a value, before the comma or the closing bracket.
    After,
}

struct Frame {
    /// The member's key, or `None` in an array.
    key: Option<String>,
    index: usize,
    state: State,
}

/// Whether serde found the mistake when an object or array ended (a missing field, too
/// few elements): serde_json then places it at the closing bracket, after a value that
/// is complete.
fn ends_container(message: &str) -> bool {
    message.starts_with("missing field") || message.starts_with("invalid length")
}

/// The JSON path of the place at `line` and `column` (1-based, as serde_json counts:
/// bytes, the column of the last byte read). Everything before that byte is read. With
/// `through` (a mistake found at the end of an object) that byte is the object's closing
/// brace, so what came before it is complete; otherwise it is the last (or only) byte of
/// the value at fault. Line 0 (an error with no place) gives `.`.
pub fn path_at(text: &str, line: usize, column: usize, through: bool) -> String {
    if line == 0 {
        return ".".into();
    }
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let end = (line_start + column.saturating_sub(1)).min(text.len());
    let b = &text.as_bytes()[..end];
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    // Marks the innermost frame's current member or element as holding a value.
    let start_value = |stack: &mut Vec<Frame>| {
        if let Some(top) = stack.last_mut() {
            top.state = State::Value;
        }
    };
    let end_value = |stack: &mut Vec<Frame>| {
        if let Some(top) = stack.last_mut() {
            top.state = State::After;
        }
    };
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => {
                start_value(&mut stack);
                stack.push(Frame {
                    key: (b[i] == b'{').then(String::new),
                    index: 0,
                    state: State::Between,
                });
            }
            b'}' | b']' => {
                stack.pop();
                end_value(&mut stack);
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.state = State::Between;
                    if top.key.is_none() {
                        top.index += 1;
                    }
                }
            }
            b':' => {}
            b'"' => {
                // A string to its closing quote, or to where reading stopped.
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let is_key =
                    matches!(stack.last(), Some(f) if f.key.is_some() && f.state == State::Between);
                if is_key {
                    let top = stack.last_mut().expect("a frame");
                    let raw = String::from_utf8_lossy(&b[i + 1..j.min(b.len())]);
                    top.key = Some(
                        serde_json::from_str(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.into()),
                    );
                    top.state = State::Key;
                } else {
                    start_value(&mut stack);
                    if j < b.len() {
                        end_value(&mut stack);
                    }
                }
                i = j;
            }
            c if c.is_ascii_whitespace() => {}
            _ => {
                // A number, true, false or null, to its last byte.
                start_value(&mut stack);
                while i + 1 < b.len() && !b"{}[],:\" \t\r\n".contains(&b[i + 1]) {
                    i += 1;
                }
                if i + 1 < b.len() || through {
                    end_value(&mut stack);
                }
            }
        }
        i += 1;
    }
    if let (Some(&c), false) = (text.as_bytes().get(end), through) {
        if let Some(top) = stack.last_mut() {
            let then = text.as_bytes()[end + 1..]
                .iter()
                .find(|c| !c.is_ascii_whitespace());
            if top.state == State::After
                && (c == b',' || c == b']' || (c == b'}' && then != Some(&b',')))
            {
                // A value serde read whole before looking inside (an untagged or
                // internally tagged enum) is placed at its own closing brace when a
                // comma follows it in an object, and otherwise after it: at the comma
                // that follows it in an array, or at the bracket that closes its
                // container, so the fault is in the container's last member. (When an
                // object is the last member of an object that a comma follows, the two
                // cannot be told apart, and the path names the inner object.)
                top.state = State::Value;
            } else if !b"}],: \t\r\n".contains(&c)
                && top.state == State::Between
                && top.key.is_none()
            {
                // A value's first (and only) byte: `7`, `{`.
                top.state = State::Value;
            }
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match (&frame.key, frame.state) {
            (_, State::Between | State::After) => break,
            (Some(key), _) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            (None, _) => path.push_str(&format!("[{}]", frame.index)),
        }
    }
    if path.is_empty() {
        ".".into()
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        name: String,
        #[serde(default)]
        steps: Vec<Step>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Step {
        at: u32,
        #[serde(default)]
        send: Option<Send>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Goal {
        Count { queue: String, count: u32 },
        Matching { matching: String },
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Send {
        #[serde(default)]
        goals: Vec<Goal>,
        #[serde(default)]
        goal: Option<Goal>,
        to: String,
        #[serde(default)]
        count: u8,
    }

    /// The path serde_path_to_error gives for the same text: the paths must not change
    /// from the ones learners saw before.
    fn tracked(text: &str) -> String {
        let de = &mut serde_json::Deserializer::from_str(text);
        let r: Result<Doc, _> = serde_path_to_error::deserialize(de);
        r.expect_err("a shape mistake").path().to_string()
    }

    #[test]
    fn paths_name_the_key_the_value_or_the_object() {
        for text in [
            r#"{"name":"a","nmae":1}"#,
            r#"{"name":7}"#,
            r#"{"steps":[]}"#,
            r#"{"name":"a","steps":[{"at":1},{"at":"x"}]}"#,
            r#"{"name":"a","steps":[{"at":1},{"send":{"to":"q"}}]}"#,
            "{\n  \"name\": \"a\",\n  \"steps\": [\n    {\"at\": 1, \"send\": {\"to\": \"q\", \"count\": 900}}\n  ]\n}",
            r#"{"name":"a","steps":[{"at":1,"send":{"to":"q","cuont":1}}]}"#,
            r#"{"name":"a","steps":[{"at":1,"send":{"to":["q"]}}]}"#,
            r#"{"name":"a","steps":[{"at":1,"send":{"to":{"x":"y"}}}]}"#,
            r#"{"name":"a","steps":{"at":1}}"#,
            r#"{"name":"a \"quoted\" [x]","steps":[{"at":1},{"at":2,"send":null},{"at":-1}]}"#,
            r#"{"name":"a","steps":[{"at":1,"send":{"to":"q","count":1}},{"at":2,"send":{"count":1}}]}"#,
            r#"{"na\u006de":"a","steps":[{"at":true}]}"#,
            r#"[1,2]"#,
            r#"{"name":"a","steps":[{"at":1,"send":{"to":"q","goals":[{"queue":"q","count":1},{"queue":"q","cuont":1}]}}]}"#,
            r#"{"name":"a","steps":[{"at":1,"send":{"to":"q","goals":[{"queue":"q","cuont":1},{"matching":"x"}]}}]}"#,
            r#"{"name":"a","steps":[{"at":1,"send":{"to":"q","goal":{"queue":"q"}}}]}"#,
            r#"{"name":"a","steps":[{"at":1,"send":{"goal":{"queue":"q"},"to":"q"}}]}"#,
        ] {
            let mine = from_str::<Doc>(text).expect_err("a shape mistake");
            assert_eq!(mine.path, tracked(text), "{text}: {}", mine.message);
        }
    }

    #[test]
    fn a_value_read_again_keeps_its_paths() {
        let value = serde_json::json!({"name": "a", "steps": [{"at": 1}, {"at": 2, "sned": {}}]});
        let e = from_value::<Doc, _>(&value).expect_err("unknown field");
        assert_eq!(e.path, "steps[1].sned");
        assert!(e.message.contains("unknown field `sned`"), "{}", e.message);
    }

    proptest::proptest! {
        #[test]
        fn any_text_and_place_gives_a_path(
            text in "[{}\\[\\]\",:a-c0-9 é\\\\\n]{0,40}",
            line in 0usize..4,
            column in 0usize..50,
            through: bool,
        ) {
            proptest::prop_assert!(!path_at(&text, line, column, through).is_empty());
        }
    }

    #[test]
    fn an_error_with_no_place_is_the_whole_document() {
        assert_eq!(path_at("{}", 0, 0, false), ".");
    }
}
