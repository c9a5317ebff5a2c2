//! The code field's rule, shared by the browser and the server.

/// Codes are short runs of digits; people paste them with spaces or dashes.
const CODE_LENGTHS: std::ops::RangeInclusive<usize> = 4..=10;

/// The digits of a typed or pasted code.
pub fn validate_code(input: &str) -> Result<String, &'static str> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.is_empty() {
        Err("Enter the code from the text message")
    } else if !code.chars().all(|c| c.is_ascii_digit()) {
        Err("The code is made of numbers only")
    } else if !CODE_LENGTHS.contains(&code.len()) {
        Err("Enter the code exactly as it appears in the text message")
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
        assert_eq!(
            validate_code(""),
            Err("Enter the code from the text message")
        );
        assert_eq!(
            validate_code("12a456"),
            Err("The code is made of numbers only")
        );
        assert!(validate_code("12").is_err());
        assert!(validate_code("12345678901").is_err());
    }
}
