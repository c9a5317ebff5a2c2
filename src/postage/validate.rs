//! The amount rule: one function for whatever shows or sends the form.

use super::form::{AmountForm, OTHER, PRESETS, PostageField};
use super::money::Money;
use crate::error::{AppError, FieldErrors};
use crate::fields::FieldProblem;

/// ShipEngine's minimum for adding funds: $10.00.
pub const MIN_CENTS: i64 = 1000;

/// The amount to charge, from `form`, between [`MIN_CENTS`] and `max_cents` (`FUNDING_MAX_USD`).
/// The problem is on the radio group when nothing usable was chosen, on the typed amount
/// otherwise.
pub fn validate_amount(form: &AmountForm, max_cents: i64) -> Result<Money, AppError> {
    let chosen = form.amount.trim();
    let (field, cents) = if chosen == OTHER {
        let cents = parse_dollars(&form.other_amount)
            .map_err(|problem| AppError::invalid_field(PostageField::OtherAmount, problem))?;
        (PostageField::OtherAmount, cents)
    } else {
        let preset = PRESETS
            .iter()
            .find(|preset| preset.to_string() == chosen)
            .ok_or_else(|| {
                AppError::invalid_field(PostageField::Amount, FieldProblem::AmountNotChosen)
            })?;
        (PostageField::Amount, i64::from(*preset) * 100)
    };
    let problem = if cents < MIN_CENTS {
        Some(FieldProblem::AmountTooSmall)
    } else if cents > max_cents {
        Some(FieldProblem::AmountTooLarge {
            max_dollars: u32::try_from(max_cents / 100).unwrap_or(u32::MAX),
        })
    } else {
        None
    };
    match problem {
        Some(problem) => {
            let mut errors = FieldErrors::default();
            errors.push(field, problem);
            Err(AppError::Invalid(errors))
        }
        None => Ok(Money::usd_cents(cents)),
    }
}

/// Dollars and cents as people type them: `25`, `25.5`, `25.50`, `$25`, `1,250.00`. At most two
/// decimals; commas only between groups of three digits.
fn parse_dollars(typed: &str) -> Result<i64, FieldProblem> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(FieldProblem::AmountMissing);
    }
    let number = typed.strip_prefix('$').unwrap_or(typed).trim_start();
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped_well = groups.len() == 1
        || (matches!(groups[0].len(), 1..=3) && groups[1..].iter().all(|g| g.len() == 3));
    let whole: String = groups.concat();
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 9
        || !grouped_well
        || !digits(&whole)
        || fraction.len() > 2
        || !digits(fraction)
    {
        return Err(FieldProblem::AmountInvalid);
    }
    let dollars: i64 = whole.parse().map_err(|_| FieldProblem::AmountInvalid)?;
    let cents: i64 = match fraction.len() {
        0 => 0,
        1 => {
            fraction
                .parse::<i64>()
                .map_err(|_| FieldProblem::AmountInvalid)?
                * 10
        }
        _ => fraction.parse().map_err(|_| FieldProblem::AmountInvalid)?,
    };
    Ok(dollars * 100 + cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: i64 = 50_000;

    fn other(typed: &str) -> Result<Money, AppError> {
        let form = AmountForm {
            amount: OTHER.into(),
            other_amount: typed.into(),
        };
        validate_amount(&form, MAX)
    }

    fn problem(outcome: Result<Money, AppError>) -> (PostageField, FieldProblem) {
        let error = outcome.expect_err("refused");
        let field = error
            .field_errors()
            .unwrap()
            .iter()
            .next()
            .unwrap()
            .to_owned();
        let crate::error::FormField::Postage(postage) = field.field else {
            panic!("a postage field")
        };
        (postage, field.problem)
    }

    #[test]
    fn presets_are_whole_dollars() {
        for preset in PRESETS {
            let form = AmountForm {
                amount: preset.to_string(),
                other_amount: "999".into(),
            };
            assert_eq!(
                validate_amount(&form, MAX),
                Ok(Money::usd_cents(i64::from(preset) * 100))
            );
        }
    }

    #[test]
    fn typed_amounts_are_dollars_and_cents() {
        for (typed, cents) in [
            ("35", 3500),
            ("35.5", 3550),
            ("35.50", 3550),
            (" $35.05 ", 3505),
            ("$ 10", 1000),
            ("500.00", 50000),
            ("10.", 1000),
        ] {
            assert_eq!(other(typed), Ok(Money::usd_cents(cents)), "{typed}");
        }
        let big = AmountForm {
            amount: OTHER.into(),
            other_amount: "1,250.75".into(),
        };
        assert_eq!(
            validate_amount(&big, 500_000),
            Ok(Money::usd_cents(125_075))
        );
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        let invalid = (PostageField::OtherAmount, FieldProblem::AmountInvalid);
        for typed in [
            "ten",
            "12.345",
            "1,00",
            "12,5.00",
            "-20",
            "1e3",
            "12.3.4",
            "$",
            ".50",
            "20 00",
            "9999999999",
        ] {
            assert_eq!(problem(other(typed)), invalid, "{typed}");
        }
        assert_eq!(
            problem(other("  ")),
            (PostageField::OtherAmount, FieldProblem::AmountMissing)
        );
        assert_eq!(
            problem(other("9.99")),
            (PostageField::OtherAmount, FieldProblem::AmountTooSmall)
        );
        assert_eq!(
            problem(other("500.01")),
            (
                PostageField::OtherAmount,
                FieldProblem::AmountTooLarge { max_dollars: 500 }
            )
        );
        let nothing = AmountForm::default();
        assert_eq!(
            problem(validate_amount(&nothing, MAX)),
            (PostageField::Amount, FieldProblem::AmountNotChosen)
        );
        let hand_made = AmountForm {
            amount: "30".into(),
            ..Default::default()
        };
        assert_eq!(
            problem(validate_amount(&hand_made, MAX)),
            (PostageField::Amount, FieldProblem::AmountNotChosen)
        );
        let over_a_low_max = AmountForm {
            amount: "100".into(),
            ..Default::default()
        };
        assert_eq!(
            problem(validate_amount(&over_a_low_max, 50_00)),
            (
                PostageField::Amount,
                FieldProblem::AmountTooLarge { max_dollars: 50 }
            )
        );
    }
}
