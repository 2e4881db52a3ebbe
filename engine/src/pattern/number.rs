//! JSON numbers as the pattern languages compare them.
//!
//! A number is *comparable* when its double reproduces its decimal text exactly: written
//! out to as many significant digits as the text has, the double gives back the text.
//! `0.1`, `300.0`, `3e2` and `37.730438355350252` (the double nearest it, printed to 17
//! digits) are comparable; `3.0000000000000001` and `9007199254740993` (2^53+1) are not,
//! because their doubles print as `3.0000000000000000` and `9007199254740992`.
//! Comparable numbers compare by value as doubles; the others compare by literal text
//! only and never satisfy a `numeric` condition (event-ruler since 2024). Reading
//! "reproduces" at the text's own precision keeps 17-digit coordinates (as GeoJSON
//! writers print them) equal to their shortest form, as AWS and Quamina treat them.

/// A number with its literal text.
#[derive(Debug, Clone)]
pub struct Num {
    pub text: String,
    pub value: f64,
    pub comparable: bool,
}

impl PartialEq for Num {
    /// Numeric equality for comparable numbers, literal text otherwise.
    fn eq(&self, other: &Self) -> bool {
        self.as_ref().same(&other.as_ref())
    }
}

/// A borrowed number, so hot paths need not allocate the text. Whether it is comparable
/// is worked out only when a comparison needs it, which is rare: two numbers whose
/// doubles differ are different whatever their texts.
#[derive(Debug, Clone, Copy)]
pub struct NumRef<'a> {
    pub text: &'a str,
    pub value: f64,
}

impl<'a> NumRef<'a> {
    pub fn parse(text: &'a str) -> NumRef<'a> {
        NumRef {
            text,
            value: text.parse().unwrap_or(f64::NAN),
        }
    }

    pub fn comparable(&self) -> bool {
        is_comparable(self.text, self.value)
    }

    /// Numeric equality for comparable numbers, literal text otherwise.
    pub fn same(&self, other: &NumRef) -> bool {
        // Equal texts parse to equal doubles, so differing doubles settle it at once.
        self.value == other.value
            && (self.text == other.text || (self.comparable() && other.comparable()))
    }
}

impl Num {
    pub fn as_ref(&self) -> NumRef<'_> {
        NumRef {
            text: &self.text,
            value: self.value,
        }
    }

    /// Reads the literal text of a JSON number (already known to be valid JSON).
    pub fn parse(text: &str) -> Num {
        let value: f64 = text.parse().unwrap_or(f64::NAN);
        Num {
            text: text.to_owned(),
            value,
            comparable: is_comparable(text, value),
        }
    }
}

/// Whether `value` (the double nearest `text`) reproduces `text` exactly.
pub fn is_comparable(text: &str, value: f64) -> bool {
    if !value.is_finite() {
        return false;
    }
    // Any decimal of at most 15 significant digits in the normal range survives the round
    // trip through a double (DBL_DIG), so the slow comparison is needed only beyond that.
    let normal = value == 0.0 || (1e-290..1e290).contains(&value.abs());
    let Some((negative, m, k)) = significant_integer(text) else {
        return (significant_digits(text) <= 15 && normal) || reproduces_by_printing(text, value);
    };
    if m < 1_000_000_000_000_000 && normal {
        return true;
    }
    if let Some(answer) = integers_reproduce(negative, m, k, value) {
        return answer;
    }
    reproduces_by_printing(text, value)
}

/// The definition itself: print the double to as many significant digits as the text
/// has, and read both back as decimals.
fn reproduces_by_printing(text: &str, value: f64) -> bool {
    let Some(decimal) = Decimal::read(text) else {
        return false;
    };
    let digits = decimal.digits.len().max(1);
    let rendered = format!("{value:.*e}", digits - 1);
    Decimal::read(&rendered).is_some_and(|d| d.same_value(&decimal))
}

/// The same answer without printing, for texts of at most 19 significant digits (most
/// long numbers in events, such as 16- to 18-digit coordinates); `None` when the numbers
/// do not fit in 128-bit integers, or for an exact tie, which printing settles.
///
/// The text is T = M × 10^k with M's d digits its significant ones, and the double is
/// V = m × 2^e exactly. Printing V to d significant digits rounds it to the nearest
/// multiple of 10^k, so it gives back T exactly when |V − T| < 10^k / 2. Scaled by
/// 2^p × 10^q, with p and q just large enough, all three sides are integers.
#[cfg(test)]
fn reproduces_by_integers(text: &str, value: f64) -> Option<bool> {
    let (negative, m_dec, k) = significant_integer(text)?;
    integers_reproduce(negative, m_dec, k, value)
}

/// Whether printing `value` gives back the text read as its significant digits `m_dec`
/// scaled by 10^`k`: the test above without reading the text again.
fn integers_reproduce(negative: bool, m_dec: u64, k: i64, value: f64) -> Option<bool> {
    if m_dec == 0 || value == 0.0 || negative != value.is_sign_negative() {
        return None;
    }
    let bits = value.abs().to_bits();
    let exponent_bits = (bits >> 52) as i64;
    if exponent_bits == 0 {
        return None; // subnormal: printing settles it
    }
    let m_bin = u128::from((bits & ((1 << 52) - 1)) | (1 << 52));
    let e = exponent_bits - 1075;
    let p = (-e).max(0) + 1;
    let q = (-k).max(0);
    let pow10 = |n: i64| -> Option<u128> { 10u128.checked_pow(u32::try_from(n).ok()?) };
    let pow2 = |n: i64| -> Option<u128> { 1u128.checked_shl(u32::try_from(n).ok()?) };
    // V × 2^p × 10^q, T × 2^p × 10^q and (10^k / 2) × 2^p × 10^q.
    let v = m_bin.checked_mul(pow2(e + p)?)?.checked_mul(pow10(q)?)?;
    let t = u128::from(m_dec)
        .checked_mul(pow10(k + q)?)?
        .checked_mul(pow2(p)?)?;
    let half = pow10(k + q)?.checked_mul(pow2(p - 1)?)?;
    let distance = v.abs_diff(t);
    (distance != half).then_some(distance < half)
}

/// A JSON number's text as its sign, its digits before and after the point, and its
/// exponent; `None` when the exponent does not fit an `i64`.
fn parts(text: &str) -> Option<(bool, &str, &str, i64)> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    Some((negative, int, frac, exp))
}

/// A JSON number's text as its sign, its significant digits as an integer, and the power
/// of ten they are scaled by, read in one pass; `None` past 19 significant digits or when
/// the exponent does not fit an `i64`.
fn significant_integer(text: &str) -> Option<(bool, u64, i64)> {
    let b = text.as_bytes();
    let negative = b.first() == Some(&b'-');
    let mut i = usize::from(negative);
    let mut digits = 0u32;
    let mut value = 0u64;
    let mut zeros = 0u32; // zeros seen since the last nonzero digit
    let mut fraction = 0i64; // digits after the point
    let mut in_fraction = false;
    let mut exp = 0i64;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                fraction += i64::from(in_fraction);
                if c == b'0' {
                    zeros += u32::from(digits > 0);
                } else {
                    digits += zeros + 1;
                    if digits > 19 {
                        return None;
                    }
                    value = value * POWERS_U64[zeros as usize + 1] + u64::from(c - b'0');
                    zeros = 0;
                }
            }
            b'.' if !in_fraction => in_fraction = true,
            b'e' | b'E' => {
                exp = text[i + 1..].parse::<i64>().ok()?;
                break;
            }
            _ => return None,
        }
        i += 1;
    }
    let k = exp.checked_sub(fraction)?.checked_add(i64::from(zeros))?;
    Some((negative, value, k))
}

/// Powers of ten up to the largest a `u64` holds.
const POWERS_U64: [u64; 20] = {
    let mut powers = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

/// Powers of ten a double holds exactly.
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A JSON number's value to within [`APPROXIMATION`] of its size, read quickly: its first
/// nine significant digits (the rest are dropped, and digits after the point need no
/// look) scaled by a power of ten a double holds exactly. `None` for a text it cannot
/// read that way (an exponent beyond ±22 in all, or malformed text).
pub fn approximate(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let negative = b.first() == Some(&b'-');
    let mut i = usize::from(negative);
    let mut m = 0u32;
    let mut k = 0i64;
    let mut in_fraction = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' if m < 100_000_000 => {
                m = m * 10 + u32::from(c - b'0');
                k -= i64::from(in_fraction);
            }
            b'0'..=b'9' if in_fraction => {
                // Nine digits are in hand: the rest of the fraction can only be dropped.
                let rest = &b[i..];
                match rest.iter().position(|&c| c | 0x20 == b'e') {
                    Some(e) => i += e,
                    None => break,
                }
                continue;
            }
            b'0'..=b'9' => k += 1,
            b'.' if !in_fraction => in_fraction = true,
            b'e' | b'E' => {
                k = k.checked_add(text[i + 1..].parse::<i64>().ok()?)?;
                break;
            }
            _ => return None,
        }
        i += 1;
    }
    let scale = *EXACT_POWERS.get(usize::try_from(k.unsigned_abs()).ok()?)?;
    let magnitude = if k >= 0 {
        f64::from(m) * scale
    } else {
        f64::from(m) / scale
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// How far [`approximate`] may be from the double nearest the text, relative to its size:
/// the dropped digits are less than 1e-8 of it, and each rounding at most 2^-53.
pub const APPROXIMATION: f64 = 2e-8;

/// How many significant digits the mantissa of a JSON number has, without allocating.
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    let digits = mantissa.bytes().filter(u8::is_ascii_digit);
    let leading_zeros = digits.clone().take_while(|&d| d == b'0').count();
    let total = digits.clone().count();
    let trailing_zeros = mantissa
        .bytes()
        .rev()
        .filter(u8::is_ascii_digit)
        .take_while(|&d| d == b'0')
        .count();
    total.saturating_sub(leading_zeros + trailing_zeros)
}

/// A decimal number as significant digits and a power of ten: value = digits × 10^exponent.
#[derive(Debug, PartialEq)]
struct Decimal {
    negative: bool,
    /// No leading or trailing zeros; empty for zero.
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    fn read(text: &str) -> Option<Decimal> {
        let (negative, int, frac, exp) = parts(text)?;
        let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
        let mut exponent = exp - frac.len() as i64;
        let leading = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..leading);
        while digits.last() == Some(&0) {
            digits.pop();
            exponent += 1;
        }
        if digits.is_empty() {
            exponent = 0;
        }
        Some(Decimal {
            negative,
            digits,
            exponent,
        })
    }

    fn same_value(&self, other: &Decimal) -> bool {
        self.digits == other.digits
            && self.exponent == other.exponent
            && (self.digits.is_empty() || self.negative == other.negative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_decimals_are_comparable() {
        for text in [
            "0",
            "-0",
            "0.1",
            "300",
            "300.0",
            "3.0e2",
            "3.018e2",
            "-5e9",
            "1e300",
            "123456789012345",
        ] {
            assert!(Num::parse(text).comparable, "{text}");
        }
    }

    /// A number's text from its parts: sign, integer digits, fraction digits (none: no
    /// point) and an exponent as written.
    fn number_text(negative: bool, int: &str, frac: &str, exp: Option<String>) -> String {
        format!(
            "{}{int}{}{}",
            if negative { "-" } else { "" },
            if frac.is_empty() {
                String::new()
            } else {
                format!(".{frac}")
            },
            exp.unwrap_or_default(),
        )
    }

    proptest::proptest! {
        /// The quick approximation is as close to the exact reading as it says.
        #[test]
        fn approximations_are_within_their_margin(
            negative in proptest::bool::ANY,
            int in "[0-9]{1,12}",
            frac in "[0-9]{0,19}",
            exp in proptest::option::of(-12i32..12),
        ) {
            let text = number_text(negative, &int, &frac, exp.map(|e| format!("E{e:+}")));
            let exact: f64 = text.parse().expect("a number");
            if let Some(near) = approximate(&text) {
                proptest::prop_assert!(
                    (near - exact).abs() <= exact.abs() * APPROXIMATION,
                    "{} read as {} for {}", text, near, exact
                );
            }
        }
    }

    #[test]
    fn approximations_refuse_what_they_cannot_read() {
        assert_eq!(approximate("1.2.3"), None);
        assert_eq!(approximate("1e5e3"), None);
        assert_eq!(approximate("1e400"), None);
        assert_eq!(approximate("-122.419206142425537"), Some(-122.419206));
        assert_eq!(approximate("0.000001e-3"), Some(1e-9));
    }

    proptest::proptest! {
        /// The integer shortcut agrees with printing wherever it answers.
        #[test]
        fn integers_answer_as_printing_does(
            negative in proptest::bool::ANY,
            int in "[0-9]{1,4}",
            frac in "[0-9]{0,17}",
            exp in proptest::option::of(-30i32..30),
        ) {
            let text = number_text(negative, &int, &frac, exp.map(|e| format!("e{e}")));
            let value: f64 = text.parse().expect("a number");
            if let Some(answer) = reproduces_by_integers(&text, value) {
                proptest::prop_assert_eq!(answer, reproduces_by_printing(&text, value), "{}", text);
            }
        }
    }

    proptest::proptest! {
        /// Doubles written out in full or to 16 to 18 digits, most of them comparable.
        #[test]
        fn integers_answer_as_printing_does_for_written_doubles(
            value in -1e6f64..1e6,
            digits in 15usize..18,
        ) {
            for text in [format!("{value}"), format!("{value:.*e}", digits)] {
                let parsed: f64 = text.parse().expect("a number");
                if let Some(answer) = reproduces_by_integers(&text, parsed) {
                    proptest::prop_assert_eq!(answer, reproduces_by_printing(&text, parsed), "{}", text);
                }
            }
        }
    }

    #[test]
    fn the_integer_shortcut_answers_for_long_coordinates() {
        for (text, comparable) in [
            ("37.730438355350252", true),
            ("-122.44570098324853", true),
            ("3.0000000000000001", false),
            ("9007199254740993", false),
            ("-122.445678901234567", false),
        ] {
            let value: f64 = text.parse().expect("a number");
            assert_eq!(
                reproduces_by_integers(text, value),
                Some(comparable),
                "{text}"
            );
            assert_eq!(reproduces_by_printing(text, value), comparable, "{text}");
        }
    }

    #[test]
    fn numbers_a_double_cannot_hold_are_not_comparable() {
        for text in [
            "3.0000000000000001",
            "9007199254740993",
            "1e400",
            "0.30000000000000000001",
        ] {
            assert!(!Num::parse(text).comparable, "{text}");
        }
        assert!(Num::parse("9007199254740992").comparable);
        assert!(Num::parse("0.30000000000000004").comparable);
        assert!(Num::parse("37.730438355350252").comparable);
        assert!(Num::parse("0.1000000000000000055511151231257827").comparable);
    }

    #[test]
    fn comparable_numbers_are_equal_by_value_and_others_by_text() {
        assert_eq!(Num::parse("300"), Num::parse("3.0e2"));
        assert_eq!(Num::parse("-0"), Num::parse("0"));
        assert_ne!(Num::parse("3.0000000000000001"), Num::parse("3"));
        assert_eq!(
            Num::parse("37.730438355350252"),
            Num::parse("37.73043835535025")
        );
        assert_eq!(
            Num::parse("3.0000000000000001"),
            Num::parse("3.0000000000000001")
        );
    }
}
