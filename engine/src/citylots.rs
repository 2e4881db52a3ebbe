//! A deterministic corpus of city-lots-like events and pattern families over it, for
//! `dojo bench match` and the browser benchmark of the matcher.
//!
//! Events have the shape of the San Francisco "citylots" GeoJSON that event-ruler and
//! Quamina benchmark on: nested `properties` with strings (one sometimes null), and a
//! `geometry` whose coordinates are arrays of arrays of numbers. The same seed always
//! gives the same bytes.

use crate::rng::SeededRng;

const STREETS: &[(&str, &str)] = &[
    ("MISSION", "ST"),
    ("VALENCIA", "ST"),
    ("CASTRO", "ST"),
    ("MARKET", "ST"),
    ("GEARY", "BLVD"),
    ("CALIFORNIA", "ST"),
    ("BALBOA", "ST"),
    ("BROADWAY", "ST"),
    ("BRYANT", "ST"),
    ("BUSH", "ST"),
    ("CLEMENT", "ST"),
    ("CABRILLO", "ST"),
    ("CHURCH", "ST"),
    ("CLAY", "ST"),
    ("DOLORES", "ST"),
    ("DIAMOND", "ST"),
    ("EDDY", "ST"),
    ("ELLIS", "ST"),
    ("FOLSOM", "ST"),
    ("FULTON", "ST"),
    ("FILLMORE", "ST"),
    ("GOLDEN GATE", "AVE"),
    ("GUERRERO", "ST"),
    ("HAIGHT", "ST"),
    ("HOWARD", "ST"),
    ("HYDE", "ST"),
    ("IRVING", "ST"),
    ("JACKSON", "ST"),
    ("JUDAH", "ST"),
    ("KEARNY", "ST"),
    ("LARKIN", "ST"),
    ("LINCOLN", "WAY"),
    ("LOMBARD", "ST"),
    ("MASONIC", "AVE"),
    ("NORIEGA", "ST"),
    ("OCEAN", "AVE"),
    ("OAK", "ST"),
    ("PAGE", "ST"),
    ("POLK", "ST"),
    ("POTRERO", "AVE"),
    ("QUINTARA", "ST"),
    ("RIVERA", "ST"),
    ("SACRAMENTO", "ST"),
    ("SANCHEZ", "ST"),
    ("SANTIAGO", "ST"),
    ("STOCKTON", "ST"),
    ("TARAVAL", "ST"),
    ("TURK", "ST"),
    ("ULLOA", "ST"),
    ("UNION", "ST"),
    ("VAN NESS", "AVE"),
    ("VICENTE", "ST"),
    ("WASHINGTON", "ST"),
    ("WAWONA", "ST"),
    ("YORK", "ST"),
    ("24TH", "ST"),
    ("19TH", "AVE"),
    ("3RD", "ST"),
    ("CRANLEIGH", "DR"),
    ("ZOE", "ST"),
];

/// `n` events, one JSON object per string.
pub fn citylots(n: usize, seed: u64) -> Vec<String> {
    let mut rng = SeededRng::new(seed);
    let mut out = Vec::with_capacity(n);
    let mut block = 1u32;
    let mut lot = 1u32;
    for _ in 0..n {
        if rng.below(20) == 0 {
            block += 1 + rng.below(3) as u32;
            lot = 1;
        } else {
            lot += 1;
        }
        let (street, kind) = *rng.pick(STREETS);
        let from = rng.below(3000);
        let st_type = if rng.below(10) == 0 {
            "null".to_owned()
        } else {
            format!("\"{kind}\"")
        };
        let odd_even = if from.is_multiple_of(2) { "E" } else { "O" };
        let (lon, lat) = (-122.51 + rng.unit() * 0.14, 37.70 + rng.unit() * 0.11);
        let multi = rng.below(1000) < 3;
        let ring = |rng: &mut SeededRng| {
            let vertices = 4 + rng.below(12) + if rng.below(8) == 0 { rng.below(40) } else { 0 };
            let points: Vec<String> = (0..vertices)
                .map(|_| {
                    let x = lon + (rng.unit() - 0.5) * 0.0008;
                    let y = lat + (rng.unit() - 0.5) * 0.0008;
                    format!("[ {x:.15}, {y:.14}, 0.0 ]")
                })
                .collect();
            format!("[ {} ]", points.join(", "))
        };
        let geometry = if multi {
            format!(
                "{{ \"type\": \"MultiPolygon\", \"coordinates\": [ [ {} ], [ {} ] ] }}",
                ring(&mut rng),
                ring(&mut rng)
            )
        } else {
            format!(
                "{{ \"type\": \"Polygon\", \"coordinates\": [ {} ] }}",
                ring(&mut rng)
            )
        };
        out.push(format!(
            "{{ \"type\": \"Feature\", \"properties\": {{ \"MAPBLKLOT\": \"{block:04}{lot:03}\", \"BLKLOT\": \"{block:04}{lot:03}\", \"BLOCK_NUM\": \"{block:04}\", \"LOT_NUM\": \"{lot:03}\", \"FROM_ST\": \"{from}\", \"TO_ST\": \"{to}\", \"STREET\": \"{street}\", \"ST_TYPE\": {st_type}, \"ODD_EVEN\": \"{odd_even}\" }}, \"geometry\": {geometry} }}",
            to = from + rng.below(40),
        ));
    }
    out
}

/// The operator families `dojo bench match` measures.
pub const FAMILIES: &[&str] = &[
    "exact",
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "numeric",
    "exists",
    "mixed",
];

fn street(i: usize) -> String {
    match STREETS.get(i) {
        Some((name, _)) => (*name).to_owned(),
        // Beyond the real names: plausible names that match nothing, as most rules don't.
        None => format!("STREET {i}"),
    }
}

/// `count` patterns of one family, as JSON text.
pub fn family(name: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| one(name, i)).collect()
}

/// The `i`th pattern of a family.
fn one(name: &str, i: usize) -> String {
    match name {
        "exact" => format!(r#"{{"properties":{{"STREET":["{}"]}}}}"#, street(i)),
        "prefix" => format!(
            r#"{{"properties":{{"BLKLOT":[{{"prefix":"{:04}"}}]}}}}"#,
            i * 7 + 1
        ),
        "suffix" => format!(
            r#"{{"properties":{{"MAPBLKLOT":[{{"suffix":"{:03}"}}]}}}}"#,
            i % 1000
        ),
        "equals-ignore-case" => format!(
            r#"{{"properties":{{"STREET":[{{"equals-ignore-case":"{}"}}]}}}}"#,
            street(i).to_lowercase()
        ),
        "wildcard" => {
            let a = (b'A' + (i % 26) as u8) as char;
            let b = (b'A' + (i / 26 % 26) as u8) as char;
            if i < 676 {
                format!(r#"{{"properties":{{"STREET":[{{"wildcard":"{a}*{b}"}}]}}}}"#)
            } else {
                format!(r#"{{"properties":{{"STREET":[{{"wildcard":"*{a}{b}*"}}]}}}}"#)
            }
        }
        "anything-but" => format!(
            r#"{{"properties":{{"STREET":[{{"anything-but":["{}"]}}]}}}}"#,
            street(i)
        ),
        "numeric" => {
            let lo = -122.51 + (i % 140) as f64 * 0.001;
            format!(
                r#"{{"geometry":{{"coordinates":[{{"numeric":[">",{lo:.4},"<",{:.4}]}}]}}}}"#,
                lo + 0.0005
            )
        }
        "exists" => {
            const FIELDS: &[&str] = &["ST_TYPE", "STREET", "ODD_EVEN", "LOT_NUM", "NOT_THERE"];
            format!(
                r#"{{"properties":{{"{}":[{{"exists":{}}}]}}}}"#,
                FIELDS[i % FIELDS.len()],
                i.is_multiple_of(2)
            )
        }
        _ => one(FAMILIES[i % (FAMILIES.len() - 1)], i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::EventPattern;

    #[test]
    fn the_corpus_is_deterministic_valid_json() {
        let a = citylots(50, 1);
        assert_eq!(a, citylots(50, 1));
        for line in &a {
            serde_json::from_str::<serde_json::Value>(line).expect("valid JSON");
        }
    }

    #[test]
    fn every_family_yields_valid_patterns() {
        for name in FAMILIES {
            let patterns = family(name, 1000);
            assert_eq!(patterns.len(), 1000);
            for p in &patterns {
                EventPattern::eventbridge(p).unwrap_or_else(|e| panic!("{name}: {p}: {e}"));
            }
        }
    }
}
