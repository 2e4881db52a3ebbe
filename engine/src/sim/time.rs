//! Simulated wall-clock text. The run starts at 2026-01-01T00:00:00Z by convention, so
//! event `time` fields and ISO timestamps are reproducible.

use super::SimTime;

/// Unix milliseconds of the simulation's time 0 (2026-01-01T00:00:00Z).
pub const EPOCH_UNIX_MS: i64 = 1_767_225_600_000;

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// RFC 3339 UTC text for a simulated time, to whole seconds (as EventBridge writes `time`).
pub fn iso_time(at: SimTime) -> String {
    let ms = EPOCH_UNIX_MS + at as i64;
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zero_is_new_year_2026() {
        assert_eq!(iso_time(0), "2026-01-01T00:00:00Z");
        assert_eq!(iso_time(61_500), "2026-01-01T00:01:01Z");
        assert_eq!(iso_time(59 * 86_400_000), "2026-03-01T00:00:00Z");
    }
}
