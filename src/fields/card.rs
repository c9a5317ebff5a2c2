//! Card number: brand from the exact IIN ranges, length per brand, Luhn, and grouping as typed.
//!
//! The card number is the most sensitive value in the app: [`ValidCard`] never prints its digits.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldProblem;

/// The card brands the Stamps.com registration accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
}

impl CardBrand {
    /// The `credit_card.type` value of the ShipEngine API.
    pub fn api_value(self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "master_card",
            CardBrand::Amex => "american_express",
            CardBrand::Discover => "discover",
        }
    }

    /// The brand's name, as printed on the card.
    pub fn display_name(self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "American Express",
            CardBrand::Discover => "Discover",
        }
    }

    /// The lengths a card number of this brand can have, shortest first.
    fn lengths(self) -> &'static [usize] {
        match self {
            CardBrand::Visa => &[13, 16, 19],
            CardBrand::Mastercard => &[16],
            CardBrand::Amex => &[15],
            CardBrand::Discover => &[16, 17, 18, 19],
        }
    }

    fn min_length(self) -> usize {
        self.lengths().first().copied().unwrap_or(MAX_CARD_LENGTH)
    }

    fn max_length(self) -> usize {
        self.lengths().last().copied().unwrap_or(MAX_CARD_LENGTH)
    }

    /// How the digits are grouped on the card (and so in the field).
    fn groups(self) -> &'static [usize] {
        match self {
            CardBrand::Amex => &[4, 6, 5],
            CardBrand::Visa | CardBrand::Mastercard | CardBrand::Discover => DEFAULT_GROUPS,
        }
    }
}

/// No accepted brand issues longer numbers (ISO/IEC 7812 caps a PAN at 19 digits).
const MAX_CARD_LENGTH: usize = 19;

/// 4-4-4-4, then the last 3 digits of a 19-digit number.
const DEFAULT_GROUPS: &[usize] = &[4, 4, 4, 4, 3];

/// The longest IIN prefix in [`IIN_RANGES`]; every range is written with this many digits.
const IIN_WIDTH: usize = 4;

/// Exact IIN ranges, as 4-digit prefixes (inclusive). Mastercard's 2-series is exactly 2221–2720:
/// the common `2[2-7]` shortcut wrongly accepts 2200–2220 and 2721–2799.
const IIN_RANGES: &[(u16, u16, CardBrand)] = &[
    (4000, 4999, CardBrand::Visa),
    (5100, 5599, CardBrand::Mastercard),
    (2221, 2720, CardBrand::Mastercard),
    (3400, 3499, CardBrand::Amex),
    (3700, 3799, CardBrand::Amex),
    (6011, 6011, CardBrand::Discover),
    (6440, 6499, CardBrand::Discover),
    (6500, 6599, CardBrand::Discover),
];

const MISSING: FieldProblem = FieldProblem::CardNumberMissing;
const NOT_DIGITS: FieldProblem = FieldProblem::CardNumberNotDigits;
const INCOMPLETE: FieldProblem = FieldProblem::CardNumberIncomplete;
const UNKNOWN_BRAND: FieldProblem = FieldProblem::CardBrandNotAccepted;
const TYPO: FieldProblem = FieldProblem::CardNumberTypo;

/// A card number that passed every check: the only form in which the server holds one.
///
/// Its `Debug` shows the brand and the last 4 digits only, so a stray `{:?}` cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidCard {
    pub brand: CardBrand,
    /// Digits only, no separators.
    pub digits: String,
}

impl ValidCard {
    /// The last 4 digits: all the UI and the logs may ever show.
    pub fn last4(&self) -> &str {
        let start = self.digits.len().saturating_sub(4);
        self.digits.get(start..).unwrap_or_default()
    }
}

impl fmt::Debug for ValidCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidCard")
            .field("brand", &self.brand)
            .field("last4", &self.last4())
            .finish_non_exhaustive()
    }
}

/// The digits of a typed or pasted card number: spaces and dashes are dropped (as on the card, or
/// as a password manager pastes them); any other character makes it `None`.
pub fn card_digits(input: &str) -> Option<String> {
    input
        .chars()
        .filter(|&c| !is_separator(c))
        .map(|c| c.is_ascii_digit().then_some(c))
        .collect()
}

/// Whitespace (a pasted non-breaking space too), the hyphen and the dashes a paste may bring.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// The brand of a (possibly partial) card number, once its first digits decide it: `"4"` is Visa,
/// `"5"` is not known yet (50 and 56–59 are not Mastercard), `"2221"` is Mastercard.
/// `None` for anything that is not digits only.
pub fn detect_brand(digits: &str) -> Option<CardBrand> {
    let (lowest, highest) = possible_prefixes(digits)?;
    IIN_RANGES
        .iter()
        .find(|&&(start, end, _)| start <= lowest && highest <= end)
        .map(|&(_, _, brand)| brand)
}

/// Whether typing more digits could still give an accepted brand.
fn could_become_accepted_brand(digits: &str) -> bool {
    possible_prefixes(digits).is_some_and(|(lowest, highest)| {
        IIN_RANGES
            .iter()
            .any(|&(start, end, _)| start <= highest && lowest <= end)
    })
}

/// The range of 4-digit prefixes a number starting with `digits` can have: `"5"` → 5000–5999,
/// `"51"` → 5100–5199, `"51234"` → 5123–5123. `None` if `digits` is not digits only.
fn possible_prefixes(digits: &str) -> Option<(u16, u16)> {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let known = &digits.as_bytes()[..digits.len().min(IIN_WIDTH)];
    let prefix = known
        .iter()
        .fold(0u16, |value, &b| value * 10 + u16::from(b - b'0'));
    let unknown_digits = IIN_WIDTH - known.len();
    let span = 10u16.pow(unknown_digits as u32);
    let lowest = prefix * span;
    Some((lowest, lowest + (span - 1)))
}

/// The Luhn (mod 10) checksum every card number carries. `false` for an empty string or any
/// non-digit.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum = digits
        .bytes()
        .rev()
        .enumerate()
        .fold(0u8, |sum, (position, b)| {
            let digit = b - b'0';
            let value = if position % 2 == 1 {
                double_and_fold(digit)
            } else {
                digit
            };
            (sum + value) % 10
        });
    sum == 0
}

/// Luhn doubles every second digit from the right and adds the digits of the result.
fn double_and_fold(digit: u8) -> u8 {
    let doubled = digit * 2;
    if doubled > 9 { doubled - 9 } else { doubled }
}

/// The card number as it should look in the field while being typed: digits only, grouped the way
/// the brand prints them (4-4-4-4, up to 4-4-4-4-3; American Express 4-6-5) and cut at the
/// brand's longest length (19 while the brand is not known).
pub fn format_card_number(input: &str) -> String {
    let mut digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let brand = detect_brand(&digits);
    digits.truncate(brand.map_or(MAX_CARD_LENGTH, CardBrand::max_length));
    group(&digits, brand.map_or(DEFAULT_GROUPS, CardBrand::groups))
}

/// Splits ASCII `digits` into groups of the given sizes, joined by single spaces.
fn group(digits: &str, sizes: &[usize]) -> String {
    let mut grouped = String::with_capacity(digits.len() + sizes.len());
    let mut rest = digits;
    for &size in sizes {
        if rest.is_empty() {
            break;
        }
        let (head, tail) = rest.split_at(size.min(rest.len()));
        if !grouped.is_empty() {
            grouped.push(' ');
        }
        grouped.push_str(head);
        rest = tail;
    }
    grouped
}

/// Checks a card number as typed: characters, brand, length for the brand, then Luhn (Luhn last,
/// so the merchant hears first about the mistakes that are easiest to fix).
pub fn validate_card_number(input: &str) -> Result<ValidCard, FieldProblem> {
    let digits = card_digits(input).ok_or(NOT_DIGITS)?;
    if digits.is_empty() {
        return Err(MISSING);
    }
    let Some(brand) = detect_brand(&digits) else {
        return Err(if could_become_accepted_brand(&digits) {
            INCOMPLETE
        } else {
            UNKNOWN_BRAND
        });
    };
    if digits.len() < brand.min_length() {
        return Err(INCOMPLETE);
    }
    if !brand.lengths().contains(&digits.len()) {
        return Err(FieldProblem::CardNumberWrongLength(brand));
    }
    if !luhn_valid(&digits) {
        return Err(TYPO);
    }
    Ok(ValidCard { brand, digits })
}

/// Whether the input is valid or could still become valid by typing more digits: the field shows
/// its error while typing only once this is `false` (and always on submit).
pub fn card_number_could_become_valid(input: &str) -> bool {
    let Some(digits) = card_digits(input) else {
        return false;
    };
    match detect_brand(&digits) {
        Some(brand) => digits.len() < brand.max_length() || validate_card_number(input).is_ok(),
        None => could_become_accepted_brand(&digits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published test numbers (Stripe, Braintree), each checked to pass Luhn, plus generated
    /// numbers where no published one covers an edge (marked).
    const VISA: &[&str] = &[
        "4242424242424242",
        "4111111111111111",
        "4000056655665556",
        "4222222222222",
        "4000000000000000006", // generated: 19 digits
    ];
    const MASTERCARD: &[&str] = &[
        "5555555555554444",
        "2223003122003222",
        "5105105105105100",
        "2221000000000009", // generated: first of the 2-series
        "2720990000000007", // generated: last of the 2-series
    ];
    const AMEX: &[&str] = &["378282246310005", "371449635398431"];
    const DISCOVER: &[&str] = &[
        "6011111111111117",
        "6011000990139424",
        "6445644564456445",
        "6490000000000004",    // generated: top of 644–649
        "6500000000000002",    // generated: 65
        "60110000000000001",   // generated: 17 digits
        "6011000000000000001", // generated: 19 digits
    ];

    fn brand_of(input: &str) -> CardBrand {
        validate_card_number(input).expect(input).brand
    }

    #[test]
    fn published_test_numbers_validate_to_their_brand() {
        for (numbers, brand) in [
            (VISA, CardBrand::Visa),
            (MASTERCARD, CardBrand::Mastercard),
            (AMEX, CardBrand::Amex),
            (DISCOVER, CardBrand::Discover),
        ] {
            for number in numbers {
                assert!(luhn_valid(number), "{number}");
                assert_eq!(brand_of(number), brand, "{number}");
            }
        }
    }

    #[test]
    fn api_values_are_shipengine_enum_values() {
        assert_eq!(CardBrand::Visa.api_value(), "visa");
        assert_eq!(CardBrand::Mastercard.api_value(), "master_card");
        assert_eq!(CardBrand::Amex.api_value(), "american_express");
        assert_eq!(CardBrand::Discover.api_value(), "discover");
        assert_eq!(CardBrand::Amex.display_name(), "American Express");
        assert_eq!(CardBrand::Mastercard.display_name(), "Mastercard");
    }

    #[test]
    fn mastercard_2_series_is_exactly_2221_to_2720() {
        assert_eq!(detect_brand("2220"), None);
        assert_eq!(detect_brand("2221"), Some(CardBrand::Mastercard));
        assert_eq!(detect_brand("2720"), Some(CardBrand::Mastercard));
        assert_eq!(detect_brand("2721"), None);
        assert_eq!(validate_card_number("2220000000000000"), Err(UNKNOWN_BRAND));
        assert_eq!(validate_card_number("2721000000000004"), Err(UNKNOWN_BRAND));
    }

    #[test]
    fn mastercard_51_to_55_only() {
        assert_eq!(detect_brand("50"), None);
        assert_eq!(detect_brand("51"), Some(CardBrand::Mastercard));
        assert_eq!(detect_brand("55"), Some(CardBrand::Mastercard));
        assert_eq!(detect_brand("56"), None);
    }

    #[test]
    fn discover_ranges() {
        assert_eq!(detect_brand("6011"), Some(CardBrand::Discover));
        assert_eq!(detect_brand("6012"), None);
        assert_eq!(detect_brand("643"), None);
        assert_eq!(detect_brand("644"), Some(CardBrand::Discover));
        assert_eq!(detect_brand("649"), Some(CardBrand::Discover));
        assert_eq!(detect_brand("65"), Some(CardBrand::Discover));
        assert_eq!(detect_brand("66"), None);
    }

    #[test]
    fn amex_is_34_and_37() {
        assert_eq!(detect_brand("34"), Some(CardBrand::Amex));
        assert_eq!(detect_brand("37"), Some(CardBrand::Amex));
        assert_eq!(detect_brand("35"), None);
        assert_eq!(detect_brand("36"), None);
    }

    #[test]
    fn brand_is_decided_only_when_the_prefix_is_enough() {
        for undecided in [
            "", "2", "22", "222", "27", "272", "5", "6", "60", "601", "64", "3",
        ] {
            assert_eq!(detect_brand(undecided), None, "{undecided:?}");
        }
        assert_eq!(detect_brand("4"), Some(CardBrand::Visa));
        assert_eq!(detect_brand("23"), Some(CardBrand::Mastercard));
        assert_eq!(detect_brand("271"), Some(CardBrand::Mastercard));
    }

    /// Every 1–3 digit prefix, against brute force over its 4-digit completions.
    #[test]
    fn partial_detection_agrees_with_every_completion() {
        let brand_of_prefix = |prefix: u16| {
            IIN_RANGES
                .iter()
                .find(|&&(start, end, _)| (start..=end).contains(&prefix))
                .map(|&(_, _, brand)| brand)
        };
        for width in 1..IIN_WIDTH {
            let span = 10u16.pow((IIN_WIDTH - width) as u32);
            for prefix in 0..10u16.pow(width as u32) {
                let typed = format!("{prefix:0width$}");
                let mut completions = (prefix * span..(prefix + 1) * span).map(brand_of_prefix);
                let first = completions.next().flatten();
                let all_same = completions.all(|brand| brand == first);
                let expected = if all_same { first } else { None };
                assert_eq!(detect_brand(&typed), expected, "{typed}");
            }
        }
    }

    #[test]
    fn detect_brand_refuses_non_digits() {
        assert_eq!(detect_brand("4a"), None);
        assert_eq!(detect_brand("4242 4242"), None);
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("4242424242424242"));
        assert!(!luhn_valid("4242424242424241"));
        assert!(luhn_valid("0"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("4242-4242"));
        assert!(!luhn_valid("٤٢"));
    }

    #[test]
    fn card_digits_accepts_spaces_and_dashes_only() {
        assert_eq!(
            card_digits("4242 4242-4242\u{a0}4242").as_deref(),
            Some("4242424242424242")
        );
        assert_eq!(
            card_digits(" 3782\u{2013}822463\u{2014}10005 ").as_deref(),
            Some("378282246310005")
        );
        assert_eq!(card_digits("").as_deref(), Some(""));
        assert_eq!(card_digits("4242.4242"), None);
        assert_eq!(card_digits("4242x"), None);
        assert_eq!(card_digits("٤٢٤٢"), None);
    }

    #[test]
    fn formats_by_brand_as_typed() {
        assert_eq!(format_card_number(""), "");
        assert_eq!(format_card_number("4"), "4");
        assert_eq!(format_card_number("42424"), "4242 4");
        assert_eq!(
            format_card_number("4242424242424242"),
            "4242 4242 4242 4242"
        );
        assert_eq!(
            format_card_number("4000000000000000006"),
            "4000 0000 0000 0000 006"
        );
        assert_eq!(format_card_number("3782822463"), "3782 822463");
        assert_eq!(format_card_number("378282246310005"), "3782 822463 10005");
        assert_eq!(format_card_number("4242-4242 abc 4242"), "4242 4242 4242");
    }

    #[test]
    fn formatting_caps_at_the_brands_longest_length() {
        assert_eq!(
            format_card_number("3782822463100059999"),
            "3782 822463 10005"
        );
        assert_eq!(
            format_card_number("55555555555544449"),
            "5555 5555 5555 4444"
        );
        assert_eq!(
            format_card_number("40000000000000000061"),
            "4000 0000 0000 0000 006"
        );
        assert_eq!(
            format_card_number("1234567890123456789012"),
            "1234 5678 9012 3456 789"
        );
    }

    #[test]
    fn validation_messages() {
        assert_eq!(validate_card_number(""), Err(MISSING));
        assert_eq!(validate_card_number("   "), Err(MISSING));
        assert_eq!(validate_card_number("4242 4242 4242 424x"), Err(NOT_DIGITS));
        assert_eq!(validate_card_number("1234567812345678"), Err(UNKNOWN_BRAND));
        assert_eq!(validate_card_number("3530111333300000"), Err(UNKNOWN_BRAND)); // JCB
        assert_eq!(validate_card_number("5"), Err(INCOMPLETE));
        assert_eq!(validate_card_number("4242 4242"), Err(INCOMPLETE));
        assert_eq!(validate_card_number("4242424242424242424"), Err(TYPO));
        assert_eq!(validate_card_number("4242424242424241"), Err(TYPO));
    }

    #[test]
    fn length_is_checked_per_brand() {
        let visa_14 = "42424242424242";
        assert_eq!(
            validate_card_number(visa_14),
            Err(FieldProblem::CardNumberWrongLength(CardBrand::Visa))
        );
        let amex_16 = "3782822463100050";
        assert_eq!(
            validate_card_number(amex_16),
            Err(FieldProblem::CardNumberWrongLength(CardBrand::Amex))
        );
        let amex_14 = "37828224631000";
        assert_eq!(validate_card_number(amex_14), Err(INCOMPLETE));
        let mastercard_19 = "5555555555554444000";
        assert_eq!(
            validate_card_number(mastercard_19),
            Err(FieldProblem::CardNumberWrongLength(CardBrand::Mastercard))
        );
        let discover_20 = "60110000000000000001";
        assert_eq!(
            validate_card_number(discover_20),
            Err(FieldProblem::CardNumberWrongLength(CardBrand::Discover))
        );
    }

    #[test]
    fn spaced_input_validates_to_bare_digits() {
        let card = validate_card_number(" 3782 822463 10005 ").unwrap();
        assert_eq!(card.digits, "378282246310005");
        assert_eq!(card.brand, CardBrand::Amex);
        assert_eq!(card.last4(), "0005");
    }

    #[test]
    fn debug_never_prints_the_digits() {
        let card = validate_card_number("4242424242424242").unwrap();
        let printed = format!("{card:?} {card:#?}");
        assert!(!printed.contains("424242"), "{printed}");
        assert!(
            printed.contains("Visa") && printed.contains("4242"),
            "{printed}"
        );
    }

    #[test]
    fn last4_never_panics_on_hand_built_values() {
        let short = ValidCard {
            brand: CardBrand::Visa,
            digits: "42".into(),
        };
        assert_eq!(short.last4(), "42");
        // The last 4 bytes start inside the "é": no panic, nothing shown.
        let odd = ValidCard {
            brand: CardBrand::Visa,
            digits: "xé424".into(),
        };
        assert_eq!(odd.last4(), "");
    }

    #[test]
    fn could_become_valid_only_while_more_digits_may_fix_it() {
        for still_open in [
            "",
            "5",
            "2",
            "4242 4242",
            "4242424242424241",
            "4242424242424242",
        ] {
            assert!(card_number_could_become_valid(still_open), "{still_open:?}");
        }
        for dead_end in [
            "4242x",
            "1",
            "2220",
            "56",
            "3782822463100059",
            "4242424242424242424",
        ] {
            assert!(!card_number_could_become_valid(dead_end), "{dead_end:?}");
        }
    }
}
