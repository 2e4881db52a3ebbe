//! The Quote Generator's pricing rules: a premium from cover, age, postcode risk band and
//! sum insured, in whole pence. Pure and deterministic, so a replay prices identically.

use super::Cover;

/// The risk band of a postcode, from its letters: A (lowest) to E (highest).
pub fn risk_band(postcode: &str) -> char {
    let area: String = postcode
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    match area.as_str() {
        "EH" | "AB" | "IV" | "KW" => 'A',
        "G" | "DD" | "PH" | "KY" => 'B',
        "M" | "L" | "LS" | "S" | "NE" => 'C',
        "B" | "CV" | "NG" | "LE" => 'D',
        "E" | "EC" | "N" | "SE" | "SW" | "W" | "WC" | "NW" => 'E',
        _ => 'C',
    }
}

/// The premium in pence for a customer born in `birth_year`, quoted in `year`.
pub fn premium_pence(
    cover: Cover,
    sum_insured: u64,
    birth_year: u16,
    postcode: &str,
    year: u16,
) -> u64 {
    let base: u64 = match cover {
        Cover::Home => 30_000,
        Cover::Car => 45_000,
        Cover::Travel => 6_000,
    };
    let age = year.saturating_sub(birth_year);
    let age_percent: u64 = match age {
        0..=24 => 160,
        25..=59 => 100,
        _ => 125,
    };
    let band_percent: u64 = match risk_band(postcode) {
        'A' => 85,
        'B' => 95,
        'C' => 100,
        'D' => 115,
        _ => 135,
    };
    // £1 per £1,000 insured above £100,000.
    let loading = sum_insured.saturating_sub(100_000) / 1000 * 100;
    base * age_percent / 100 * band_percent / 100 + loading
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn young_drivers_in_london_pay_more_than_mid_life_edinburgh_homeowners() {
        let young_london_car = premium_pence(Cover::Car, 20_000, 2005, "SW1A 1AA", 2026);
        let edinburgh_home = premium_pence(Cover::Home, 250_000, 1980, "EH1 1AA", 2026);
        assert_eq!(young_london_car, 45_000 * 160 / 100 * 135 / 100);
        assert_eq!(edinburgh_home, 30_000 * 85 / 100 + 150 * 100);
        assert!(young_london_car > edinburgh_home);
    }

    #[test]
    fn unknown_areas_are_band_c() {
        assert_eq!(risk_band("ZZ9 9ZZ"), 'C');
        assert_eq!(risk_band("eh3 9aa"), 'A');
    }
}
