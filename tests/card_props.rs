//! Properties of the card number rules, on any input a merchant (or a paste) can produce.

use proptest::prelude::*;
use proptest::sample::select;
use stamps_connect::fields::card::{
    CardBrand, card_digits, card_number_could_become_valid, detect_brand, format_card_number,
    luhn_valid, validate_card_number,
};

/// The Luhn check digit for `body`, written independently of the crate's `luhn_valid`.
fn luhn_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(position, &digit)| {
            // The check digit will sit at position 0, so the body's rightmost digit is doubled.
            let value = if position % 2 == 0 { digit * 2 } else { digit };
            u32::from(value / 10 + value % 10)
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A 4-digit IIN prefix and a length that fit one brand.
fn brand_prefix_and_length() -> impl Strategy<Value = (CardBrand, u16, usize)> {
    prop_oneof![
        (4000u16..=4999, select(vec![13usize, 16, 19])).prop_map(|(prefix, length)| (
            CardBrand::Visa,
            prefix,
            length
        )),
        prop_oneof![5100u16..=5599, 2221u16..=2720].prop_map(|prefix| (
            CardBrand::Mastercard,
            prefix,
            16
        )),
        prop_oneof![3400u16..=3499, 3700u16..=3799].prop_map(|prefix| (
            CardBrand::Amex,
            prefix,
            15
        )),
        (prop_oneof![Just(6011u16), 6440u16..=6599], 16usize..=19).prop_map(|(prefix, length)| (
            CardBrand::Discover,
            prefix,
            length
        )),
    ]
}

/// A brand and a card number of that brand, of a valid length, that passes Luhn.
fn valid_card_number() -> impl Strategy<Value = (CardBrand, String)> {
    brand_prefix_and_length().prop_flat_map(|(brand, prefix, length)| {
        // 4 prefix digits + random middle + 1 check digit.
        prop::collection::vec(0u8..10, length - 5).prop_map(move |middle| {
            let mut digits: Vec<u8> = prefix.to_string().bytes().map(|b| b - b'0').collect();
            digits.extend(middle);
            digits.push(luhn_check_digit(&digits));
            (brand, digits.iter().map(|d| char::from(b'0' + d)).collect())
        })
    })
}

/// The number with spaces, dashes and dashes' Unicode cousins between (and around) its digits.
fn with_separators(digits: String) -> impl Strategy<Value = String> {
    let separators = select(vec![
        "", "", "", " ", "  ", "-", " - ", "\u{a0}", "\u{2013}", "\t",
    ]);
    prop::collection::vec(separators, digits.len() + 1).prop_map(move |chosen| {
        let mut typed = chosen[0].to_owned();
        for (digit, separator) in digits.chars().zip(&chosen[1..]) {
            typed.push(digit);
            typed.push_str(separator);
        }
        typed
    })
}

fn ascii_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

proptest! {
    #[test]
    fn formatting_keeps_a_prefix_of_the_typed_digits(input in "\\PC*") {
        let typed = ascii_digits(&input);
        let formatted = format_card_number(&input);
        let kept = ascii_digits(&formatted);
        prop_assert!(typed.starts_with(&kept));
        // Digits are only dropped past a brand's longest length.
        prop_assert!(kept.len() == typed.len() || [15, 16, 19].contains(&kept.len()));
    }

    #[test]
    fn formatting_gives_digit_groups_separated_by_single_spaces(input in "[0-9 -]{0,30}") {
        let formatted = format_card_number(&input);
        prop_assert!(!formatted.starts_with(' ') && !formatted.ends_with(' '));
        prop_assert!(!formatted.contains("  "));
        prop_assert!(formatted.chars().all(|c| c == ' ' || c.is_ascii_digit()));
    }

    #[test]
    fn formatting_is_idempotent(input in "\\PC*") {
        let once = format_card_number(&input);
        prop_assert_eq!(format_card_number(&once), once);
    }

    #[test]
    fn digit_heavy_formatting_is_idempotent(input in "[0-9 -]{0,30}") {
        let once = format_card_number(&input);
        prop_assert_eq!(format_card_number(&once), once);
    }

    #[test]
    fn nothing_panics_on_any_text(input in "\\PC*") {
        let _ = detect_brand(&input);
        let _ = luhn_valid(&input);
        let _ = card_digits(&input);
        let _ = card_number_could_become_valid(&input);
        if let Ok(card) = validate_card_number(&input) {
            prop_assert!(luhn_valid(&card.digits));
            prop_assert_eq!(card.last4().len(), 4);
        }
    }

    #[test]
    fn nothing_panics_on_digit_heavy_text(input in "[0-9 -]{0,40}") {
        let _ = detect_brand(&input);
        let _ = luhn_valid(&input);
        let _ = card_number_could_become_valid(&input);
        let _ = validate_card_number(&input);
    }

    #[test]
    fn a_valid_number_validates_with_any_spacing(
        (brand, typed, digits) in valid_card_number().prop_flat_map(|(brand, digits)| {
            with_separators(digits.clone()).prop_map(move |typed| (brand, typed, digits.clone()))
        })
    ) {
        let card = validate_card_number(&typed)
            .map_err(|problem| TestCaseError::fail(format!("{problem:?}")))?;
        prop_assert_eq!(card.brand, brand);
        prop_assert_eq!(&card.digits, &digits);
        prop_assert!(card_number_could_become_valid(&typed));
        prop_assert_eq!(ascii_digits(&format_card_number(&typed)), digits);
    }

    #[test]
    fn every_prefix_of_a_valid_number_could_become_valid(
        ((_, digits), cut) in (valid_card_number(), any::<prop::sample::Index>())
    ) {
        let prefix = &digits[..cut.index(digits.len() + 1)];
        prop_assert!(card_number_could_become_valid(prefix), "{}", prefix);
    }

    #[test]
    fn changing_one_digit_fails_luhn(
        ((_, digits), position, change) in (valid_card_number(), any::<prop::sample::Index>(), 1u8..10)
    ) {
        let mut changed = digits.into_bytes();
        let at = position.index(changed.len());
        changed[at] = b'0' + (changed[at] - b'0' + change) % 10;
        let changed = String::from_utf8(changed).expect("ASCII digits");
        prop_assert!(!luhn_valid(&changed), "{}", changed);
        prop_assert!(validate_card_number(&changed).is_err());
    }
}
