//! US ZIP codes: 5 digits, or ZIP+4.

use super::FieldProblem;

const MISSING: FieldProblem = FieldProblem::ZipMissing;
const INVALID: FieldProblem = FieldProblem::ZipInvalid;

/// A ZIP code as `78756` or `78756-3717`. Spaces and dashes anywhere are ignored (people type
/// `78756 3717`, autofill may give `787563717`), so any 5 or 9 digits pass.
pub fn validate_zip(input: &str) -> Result<String, FieldProblem> {
    let input = input.trim();
    if input.is_empty() {
        return Err(MISSING);
    }
    let digits: String = input
        .chars()
        .filter(|&c| !is_zip_separator(c))
        .map(|c| c.is_ascii_digit().then_some(c))
        .collect::<Option<_>>()
        .ok_or(INVALID)?;
    match digits.len() {
        5 => Ok(digits),
        9 => {
            let (zip, plus4) = digits.split_at(5);
            Ok(format!("{zip}-{plus4}"))
        }
        _ => Err(INVALID),
    }
}

fn is_zip_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_digits() {
        assert_eq!(validate_zip("78756").as_deref(), Ok("78756"));
        assert_eq!(validate_zip(" 00601 ").as_deref(), Ok("00601"));
    }

    #[test]
    fn zip_plus_4_is_normalised() {
        for typed in [
            "78756-3717",
            "78756 3717",
            "787563717",
            " 78756 - 3717 ",
            "78756\u{2013}3717",
        ] {
            assert_eq!(
                validate_zip(typed).as_deref(),
                Ok("78756-3717"),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn empty_asks_for_a_zip_code() {
        assert_eq!(validate_zip(""), Err(MISSING));
        assert_eq!(validate_zip("  "), Err(MISSING));
    }

    #[test]
    fn rejects_other_shapes() {
        for typed in [
            "7875",
            "787561",
            "78756-371",
            "78756-37171",
            "7875A",
            "SW1A 1AA",
            "78756.3717",
            "-",
        ] {
            assert_eq!(validate_zip(typed), Err(INVALID), "{typed:?}");
        }
    }
}
