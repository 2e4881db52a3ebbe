//! Shared by the targets: splitting one input into its parts.

/// The input as text, cut at its first NUL into two parts (the second empty without one).
#[allow(dead_code)]
pub fn two_parts(data: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(data).ok()?;
    Some(text.split_once('\0').unwrap_or((text, "")))
}

/// The input's first byte, choosing what reads it, and the rest as text.
#[allow(dead_code)]
pub fn chosen_text(data: &[u8]) -> Option<(u8, &str)> {
    let (&which, rest) = data.split_first()?;
    Some((which, std::str::from_utf8(rest).ok()?))
}
