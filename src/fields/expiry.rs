//! Card expiry date: month and year as typed, checked against today's month.

/// A calendar month. Ordered by year, then month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: u16,
    pub month: u8,
}

/// Issuers print expiry dates a few years out; anything further is a typo.
const MAX_YEARS_AHEAD: u16 = 20;

use super::FieldProblem;

const MONTH_MISSING: FieldProblem = FieldProblem::ExpiryMonthMissing;
const MONTH_INVALID: FieldProblem = FieldProblem::ExpiryMonthInvalid;
const YEAR_MISSING: FieldProblem = FieldProblem::ExpiryYearMissing;
const YEAR_INVALID: FieldProblem = FieldProblem::ExpiryYearInvalid;
const EXPIRED: FieldProblem = FieldProblem::CardExpired;
const TOO_FAR_AHEAD: FieldProblem = FieldProblem::ExpiryTooFarAhead;

/// Checks an expiry month (`"7"` or `"07"`) and year (`"2031"` or `"31"`) against `today`.
///
/// A card works through the last day of its expiry month, so this month is fine and last month is
/// expired. Returns `(year, month)` as the ShipEngine API wants them: `("2031", "07")`.
pub fn validate_expiry(
    month: &str,
    year: &str,
    today: YearMonth,
) -> Result<(String, String), FieldProblem> {
    let month = parse_month(month)?;
    let year = parse_year(year, today.year)?;
    let expiry = YearMonth { year, month };
    if expiry < today {
        return Err(EXPIRED);
    }
    if year > today.year.saturating_add(MAX_YEARS_AHEAD) {
        return Err(TOO_FAR_AHEAD);
    }
    Ok((format!("{year:04}"), format!("{month:02}")))
}

fn parse_month(input: &str) -> Result<u8, FieldProblem> {
    let input = input.trim();
    if input.is_empty() {
        return Err(MONTH_MISSING);
    }
    let month = parse_digits(input, &[1, 2]).ok_or(MONTH_INVALID)?;
    u8::try_from(month)
        .ok()
        .filter(|month| (1..=12).contains(month))
        .ok_or(MONTH_INVALID)
}

fn parse_year(input: &str, this_year: u16) -> Result<u16, FieldProblem> {
    let input = input.trim();
    if input.is_empty() {
        return Err(YEAR_MISSING);
    }
    let year = parse_digits(input, &[2, 4]).ok_or(YEAR_INVALID)?;
    Ok(if input.len() == 2 {
        nearest_year_ending_in(year, this_year)
    } else {
        year
    })
}

/// `input` as a number, if it is ASCII digits only and has one of the allowed lengths.
fn parse_digits(input: &str, lengths: &[usize]) -> Option<u16> {
    let only_digits = input.bytes().all(|b| b.is_ascii_digit());
    (only_digits && lengths.contains(&input.len()))
        .then(|| input.parse().ok())
        .flatten()
}

/// A card printed "31" means the year ending in 31 closest to today, so a two-digit year in the
/// past reads as expired (not as a year 80 years ahead) and the app keeps working past 2099.
fn nearest_year_ending_in(two_digits: u16, this_year: u16) -> u16 {
    let this_year = i32::from(this_year);
    let same_century = this_year - this_year % 100 + i32::from(two_digits);
    let nearest = [same_century - 100, same_century, same_century + 100]
        .into_iter()
        .min_by_key(|candidate| (candidate - this_year).abs())
        .unwrap_or(same_century);
    u16::try_from(nearest).unwrap_or(0)
}

/// Today's month in UTC, from the system clock. Server only: `SystemTime::now` panics on
/// `wasm32-unknown-unknown`, so the browser passes a date it reads from JavaScript instead.
#[cfg(not(target_arch = "wasm32"))]
pub fn today_utc() -> YearMonth {
    use std::time::{SystemTime, UNIX_EPOCH};

    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    year_month_from_unix_days(seconds / 86_400)
}

/// The civil month of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`, on
/// unsigned numbers since the clock is past 1970): no date library needed.
#[cfg(not(target_arch = "wasm32"))]
fn year_month_from_unix_days(days: u64) -> YearMonth {
    // Shift the epoch to 0000-03-01 so that leap days fall at the end of each year.
    let days = days + 719_468;
    let era = days / 146_097;
    let day_of_era = days % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    YearMonth {
        year: u16::try_from(year).unwrap_or(u16::MAX),
        month: month as u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_2026: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };
    const DEC_2026: YearMonth = YearMonth {
        year: 2026,
        month: 12,
    };

    fn expiry(month: &str, year: &str, today: YearMonth) -> Result<(String, String), FieldProblem> {
        validate_expiry(month, year, today)
    }

    fn ok(year: &str, month: &str) -> Result<(String, String), FieldProblem> {
        Ok((year.to_owned(), month.to_owned()))
    }

    #[test]
    fn returns_four_digit_year_and_two_digit_month() {
        assert_eq!(expiry("7", "2031", NOV_2026), ok("2031", "07"));
        assert_eq!(expiry("07", "31", NOV_2026), ok("2031", "07"));
        assert_eq!(expiry(" 12 ", " 2030 ", NOV_2026), ok("2030", "12"));
    }

    #[test]
    fn valid_through_the_end_of_its_month() {
        assert_eq!(expiry("11", "2026", NOV_2026), ok("2026", "11"));
        assert_eq!(expiry("10", "2026", NOV_2026), Err(EXPIRED));
        assert_eq!(expiry("12", "2025", NOV_2026), Err(EXPIRED));
    }

    #[test]
    fn year_rollover_from_december_to_january() {
        assert_eq!(expiry("12", "2026", DEC_2026), ok("2026", "12"));
        assert_eq!(expiry("1", "2027", DEC_2026), ok("2027", "01"));
        let january = YearMonth {
            year: 2027,
            month: 1,
        };
        assert_eq!(expiry("12", "2026", january), Err(EXPIRED));
        assert_eq!(expiry("1", "27", january), ok("2027", "01"));
    }

    #[test]
    fn at_most_20_years_ahead() {
        assert_eq!(expiry("12", "2046", NOV_2026), ok("2046", "12"));
        assert_eq!(expiry("1", "2047", NOV_2026), Err(TOO_FAR_AHEAD));
        assert_eq!(expiry("1", "47", NOV_2026), Err(TOO_FAR_AHEAD));
        assert_eq!(expiry("1", "9999", NOV_2026), Err(TOO_FAR_AHEAD));
        let far_future = YearMonth {
            year: u16::MAX,
            month: 12,
        };
        assert_eq!(expiry("12", "9999", far_future), Err(EXPIRED));
    }

    #[test]
    fn two_digit_years_read_as_the_nearest_year() {
        assert_eq!(expiry("1", "25", NOV_2026), Err(EXPIRED));
        assert_eq!(expiry("1", "99", NOV_2026), Err(EXPIRED)); // 1999, not 2099
        let late_century = YearMonth {
            year: 2098,
            month: 6,
        };
        assert_eq!(expiry("1", "03", late_century), ok("2103", "01"));
    }

    #[test]
    fn month_must_be_1_to_12() {
        assert_eq!(expiry("", "2030", NOV_2026), Err(MONTH_MISSING));
        for bad in ["0", "00", "13", "007", "-1", "+7", "7.", "July", "٧"] {
            assert_eq!(expiry(bad, "2030", NOV_2026), Err(MONTH_INVALID), "{bad:?}");
        }
    }

    #[test]
    fn year_must_have_2_or_4_digits() {
        assert_eq!(expiry("7", " ", NOV_2026), Err(YEAR_MISSING));
        for bad in ["3", "203", "20301", "２０３０", "20 30", "'31"] {
            assert_eq!(expiry("7", bad, NOV_2026), Err(YEAR_INVALID), "{bad:?}");
        }
    }

    #[test]
    fn the_month_is_checked_before_the_year() {
        assert_eq!(expiry("", "", NOV_2026), Err(MONTH_MISSING));
    }

    #[test]
    fn civil_month_from_unix_days() {
        let month_of = |days| {
            let YearMonth { year, month } = year_month_from_unix_days(days);
            (year, month)
        };
        assert_eq!(month_of(0), (1970, 1));
        assert_eq!(month_of(364), (1970, 12));
        assert_eq!(month_of(11_016), (2000, 2)); // 2000-02-29
        assert_eq!(month_of(11_017), (2000, 3));
        assert_eq!(month_of(20_818), (2026, 12)); // 2026-12-31
        assert_eq!(month_of(20_819), (2027, 1));
        assert_eq!(month_of(47_541), (2100, 3));
        assert_eq!(month_of(u64::MAX / 1_000).0, u16::MAX);
    }

    #[test]
    fn today_is_a_plausible_month() {
        let today = today_utc();
        assert!(
            today.year >= 2025 && (1..=12).contains(&today.month),
            "{today:?}"
        );
    }
}
