//! The code field's rule, shared by the browser and the server.

use crate::fields::FieldProblem;
use crate::fields::text::{HIDDEN, is_hidden};

/// Codes are short runs of digits; people paste them with spaces or dashes.
const CODE_LENGTHS: std::ops::RangeInclusive<usize> = 4..=10;

/// The digits of a typed or pasted code. Control and bidi characters get the problem every
/// typed field gives them (rather than "numbers only", which would puzzle: they are invisible).
pub fn validate_code(input: &str) -> Result<String, FieldProblem> {
    if input.chars().any(is_hidden) {
        return Err(HIDDEN);
    }
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.is_empty() {
        Err(FieldProblem::CodeMissing)
    } else if !code.chars().all(|c| c.is_ascii_digit()) {
        Err(FieldProblem::CodeNotDigits)
    } else if !CODE_LENGTHS.contains(&code.len()) {
        Err(FieldProblem::CodeWrongLength)
    } else {
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_codes_are_cleaned() {
        assert_eq!(validate_code(" 123 456 ").unwrap(), "123456");
        assert_eq!(validate_code("123-456").unwrap(), "123456");
    }

    #[test]
    fn bad_codes_are_refused_with_a_reason() {
        assert_eq!(validate_code(""), Err(FieldProblem::CodeMissing));
        assert_eq!(validate_code("12a456"), Err(FieldProblem::CodeNotDigits));
        assert_eq!(validate_code("12"), Err(FieldProblem::CodeWrongLength));
        assert_eq!(
            validate_code("12345678901"),
            Err(FieldProblem::CodeWrongLength)
        );
    }

    #[test]
    fn hidden_characters_are_named() {
        for typed in ["123\u{0}456", "123456\r\n", "\t123456", "\u{202e}654321"] {
            assert_eq!(validate_code(typed), Err(HIDDEN), "{typed:?}");
        }
    }
}
