//! Required free-text fields (names, address lines, city).

/// The trimmed text, or an error: `missing` when there is nothing but spaces, or a length message
/// when it has more than `max_len` characters (counted as characters, not bytes, so accented
/// names are not cut short).
pub fn required_text(input: &str, missing: &'static str, max_len: usize) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err(missing.to_owned());
    }
    if text.chars().count() > max_len {
        return Err(format!("Enter {max_len} characters or fewer"));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MISSING: &str = "Enter your city";

    #[test]
    fn trims() {
        assert_eq!(
            required_text("  Austin \n", MISSING, 10).as_deref(),
            Ok("Austin")
        );
    }

    #[test]
    fn blank_is_missing() {
        assert_eq!(required_text("", MISSING, 10), Err(MISSING.to_owned()));
        assert_eq!(required_text(" \t ", MISSING, 10), Err(MISSING.to_owned()));
    }

    #[test]
    fn length_counts_characters_after_trimming() {
        assert_eq!(required_text(" Zoë ", MISSING, 3).as_deref(), Ok("Zoë"));
        assert_eq!(
            required_text("Zoë", MISSING, 2),
            Err("Enter 2 characters or fewer".to_owned())
        );
    }
}
