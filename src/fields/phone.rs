//! US phone numbers: the verification code goes to this number by text message.
//!
//! Any ten digits pass (after an optional +1): ShipEngine's own examples use numbers such as
//! 512-111-2222 that strict numbering-plan rules would refuse, and refusing a number the
//! merchant knows is theirs helps nobody. Other country codes are refused.

use super::FieldProblem;

const MISSING: FieldProblem = FieldProblem::PhoneMissing;
const INVALID: FieldProblem = FieldProblem::PhoneInvalid;

/// Ten digits (area code, exchange, line) from a number typed the usual ways: `(512) 555-0123`,
/// `512-555-0123`, `512.555.0123`, `+1 512 555 0123`, `1-512-555-0123`.
pub fn normalize_us_phone(input: &str) -> Result<String, FieldProblem> {
    let input = input.trim();
    if input.is_empty() {
        return Err(MISSING);
    }
    national_digits(input).ok_or(INVALID)
}

/// The 10 national digits, once punctuation and the +1 / 1 country code are gone. `None` for
/// letters, symbols, another country code or a wrong digit count.
fn national_digits(input: &str) -> Option<String> {
    let (international, rest) = match input.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    let digits: String = rest
        .chars()
        .filter(|&c| !is_phone_punctuation(c))
        .map(|c| c.is_ascii_digit().then_some(c))
        .collect::<Option<_>>()?;
    match digits.strip_prefix('1') {
        Some(national) if national.len() == 10 => Some(national.to_owned()),
        // A leading + promises a country code; without one it is not a US number.
        _ if digits.len() == 10 && !international => Some(digits),
        _ => None,
    }
}

fn is_phone_punctuation(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '-' | '.' | '\u{2010}'..='\u{2015}')
}

/// A phone number shown without giving it away: `(•••) •••-2222`.
pub fn mask_phone(digits: &str) -> String {
    let skipped = digits.chars().count().saturating_sub(4);
    let last4: String = digits.chars().skip(skipped).collect();
    format!("(•••) •••-{last4}")
}

/// Ten digits written the US way: `(512) 555-0123`. Anything else is returned as it is.
pub fn format_phone(digits: &str) -> String {
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.to_owned();
    }
    let (area_code, rest) = digits.split_at(3);
    let (exchange, line) = rest.split_at(3);
    format!("({area_code}) {exchange}-{line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_ways_of_writing_a_us_number() {
        for typed in [
            "(512) 555-0123",
            "512-555-0123",
            "512.555.0123",
            "512 555 0123",
            "5125550123",
            "+1 512 555 0123",
            "+1 (512) 555-0123",
            "+15125550123",
            "1-512-555-0123",
            "1 (512) 555-0123",
            "  (512)555-0123  ",
            "512\u{2013}555\u{2013}0123",
        ] {
            assert_eq!(
                normalize_us_phone(typed).as_deref(),
                Ok("5125550123"),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn empty_asks_for_a_number() {
        assert_eq!(normalize_us_phone(""), Err(MISSING));
        assert_eq!(normalize_us_phone("   "), Err(MISSING));
    }

    #[test]
    fn rejects_letters_and_symbols() {
        for typed in [
            "512-555-01ab",
            "512-JKL-0123",
            "512 555 0123 x12",
            "512/555/0123",
            "٥١٢٥٥٥٠١٢٣",
        ] {
            assert_eq!(normalize_us_phone(typed), Err(INVALID), "{typed:?}");
        }
    }

    #[test]
    fn rejects_wrong_lengths_and_other_countries() {
        for typed in [
            "555-0123",
            "512-555-012",
            "512-555-01234",
            "2-512-555-0123",
            "+44 20 7946 0958",
            "+512 555 0123",
            "+",
            "11-512-555-0123",
        ] {
            assert_eq!(normalize_us_phone(typed), Err(INVALID), "{typed:?}");
        }
    }

    #[test]
    fn accepts_the_numbers_shipengines_examples_use() {
        assert_eq!(
            normalize_us_phone("(512) 111-2222").as_deref(),
            Ok("5121112222")
        );
        assert_eq!(
            normalize_us_phone("111-111-1111").as_deref(),
            Ok("1111111111")
        );
    }

    #[test]
    fn masks_all_but_the_last_4_digits() {
        assert_eq!(mask_phone("5121112222"), "(•••) •••-2222");
        assert_eq!(mask_phone("22"), "(•••) •••-22");
        assert_eq!(mask_phone("12345678é0"), "(•••) •••-78é0");
    }

    #[test]
    fn formats_ten_digits() {
        assert_eq!(format_phone("5125550123"), "(512) 555-0123");
        assert_eq!(format_phone("512555012"), "512555012");
        assert_eq!(format_phone("51255501é"), "51255501é");
    }
}
