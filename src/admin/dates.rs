//! Dates and times as the console shows and reads them: UTC, `2026-11-30 14:05`, and the
//! `YYYY-MM-DD` a date input sends. (Civil-from-days after Howard Hinnant's algorithms: no date
//! library for a few lines.)

pub const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of the date `year-month-day`.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01, as (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD` as the Unix milliseconds of its first instant (UTC); `None` if it is no date.
pub fn parse_date(raw: &str) -> Option<i64> {
    let mut parts = raw.trim().splitn(3, '-');
    let mut next = |len: usize| {
        parts
            .next()
            .filter(|part| part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|part| part.parse::<i64>().ok())
    };
    let (year, month, day) = (next(4)?, next(2)?, next(2)?);
    let days = days_from_civil(year, month, day);
    // 2026-02-31 would land in March: a date must come back as it was written.
    (civil_from_days(days) == (year, month, day)).then_some(days * MS_PER_DAY)
}

/// The UTC day (days since the epoch) `at_ms` is in.
pub fn day_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(MS_PER_DAY)
}

/// `2026-11-30`.
pub fn format_day(day: i64) -> String {
    let (year, month, day) = civil_from_days(day);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `2026-11-30 14:05 UTC`.
pub fn format_time(at_ms: i64) -> String {
    let minutes = at_ms.rem_euclid(MS_PER_DAY) / 60_000;
    format!(
        "{} {:02}:{:02} UTC",
        format_day(day_of(at_ms)),
        minutes / 60,
        minutes % 60
    )
}

/// `2026-11-30T14:05:09Z`, for the CSV export.
pub fn format_iso(at_ms: i64) -> String {
    let seconds = at_ms.rem_euclid(MS_PER_DAY) / 1000;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_day(day_of(at_ms)),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_nonsense_is_refused() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2026-11-30"), Some(1_795_996_800_000));
        assert_eq!(
            parse_date("2024-02-29")
                .map(day_of)
                .map(format_day)
                .as_deref(),
            Some("2024-02-29")
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-11-30",
            "2026-1-30",
            "",
            "2026-11-30x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_are_shown_in_utc() {
        let at = 1_795_996_800_000 + (14 * 3600 + 5 * 60 + 9) * 1000;
        assert_eq!(format_time(at), "2026-11-30 14:05 UTC");
        assert_eq!(format_iso(at), "2026-11-30T14:05:09Z");
        assert_eq!(format_day(day_of(at)), "2026-11-30");
    }
}
