//! Email addresses: a pragmatic shape check. Only a message that arrives proves an address works,
//! so this catches typos (a missing `@`, a space, no domain) without rejecting unusual but real ones.

use super::FieldProblem;

/// The SMTP limit on an address (RFC 5321 path length, less the angle brackets).
const MAX_LENGTH: usize = 254;

const MISSING: FieldProblem = FieldProblem::EmailMissing;
const INVALID: FieldProblem = FieldProblem::EmailInvalid;
const TOO_LONG: FieldProblem = FieldProblem::EmailTooLong;

/// The trimmed address, if it has exactly one `@`, something before it, a domain with a dot and no
/// empty label after it, and no spaces.
pub fn validate_email(input: &str) -> Result<String, FieldProblem> {
    let email = input.trim();
    if email.is_empty() {
        return Err(MISSING);
    }
    if email.chars().count() > MAX_LENGTH {
        return Err(TOO_LONG);
    }
    if !has_email_shape(email) {
        return Err(INVALID);
    }
    Ok(email.to_owned())
}

fn has_email_shape(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let no_spaces = !email.chars().any(|c| c.is_whitespace() || c.is_control());
    no_spaces && !local.is_empty() && !domain.contains('@') && is_domain(domain)
}

/// `example.com`, not `example`, `.com`, `example.` or `example..com`.
fn is_domain(domain: &str) -> bool {
    domain.contains('.') && domain.split('.').all(|label| !label.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_and_unusual_addresses() {
        for typed in [
            "john.doe@example.com",
            "a@b.co",
            "first+tag@sub.example.co.uk",
            "o'brien@example.ie",
            "josé@exämple.de",
        ] {
            assert_eq!(validate_email(typed).as_deref(), Ok(typed), "{typed:?}");
        }
    }

    #[test]
    fn trims() {
        assert_eq!(
            validate_email("  john@example.com\n").as_deref(),
            Ok("john@example.com")
        );
    }

    #[test]
    fn empty_asks_for_an_address() {
        assert_eq!(validate_email(""), Err(MISSING));
        assert_eq!(validate_email(" \t "), Err(MISSING));
    }

    #[test]
    fn rejects_typos() {
        for typed in [
            "john.example.com",
            "@example.com",
            "john@",
            "john@example",
            "john@@example.com",
            "john@exa@mple.com",
            "john doe@example.com",
            "john@example .com",
            "john@.example.com",
            "john@example.com.",
            "john@example..com",
            "john\u{0}@example.com",
        ] {
            assert_eq!(validate_email(typed), Err(INVALID), "{typed:?}");
        }
    }

    #[test]
    fn at_most_254_characters() {
        let longest = format!("a@{}.com", "b".repeat(MAX_LENGTH - "a@.com".len()));
        assert_eq!(longest.len(), MAX_LENGTH);
        assert!(validate_email(&longest).is_ok());
        assert_eq!(validate_email(&format!("a{longest}")), Err(TOO_LONG));
    }
}
