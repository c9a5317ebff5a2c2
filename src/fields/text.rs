//! Typed text: the check every typed field goes through first (Unicode NFC, no hidden
//! characters), and the rules of the free-text fields (names, address lines, city).

use super::FieldProblem;

/// A control character or an invisible reordering mark: nothing a merchant means to type.
pub const HIDDEN: FieldProblem = FieldProblem::Hidden;

/// `input` in Unicode Normalization Form C, so that an "é" typed as `e` + U+0301 (as some
/// keyboards and pasted text give it) is the one character U+00E9 in every check and upstream.
///
/// Why two ways: the normalisation tables would weigh on the WebAssembly bundle, and
/// every browser already has them behind `String.prototype.normalize`; the server uses the
/// `unicode-normalization` crate. Both implement the same Unicode algorithm.
pub fn nfc(input: &str) -> String {
    // ASCII is always NFC: most fields never leave this line (and never cross into JavaScript).
    if input.is_ascii() {
        return input.to_owned();
    }
    #[cfg(feature = "ssr")]
    {
        use unicode_normalization::UnicodeNormalization;
        input.nfc().collect()
    }
    #[cfg(not(feature = "ssr"))]
    {
        js_sys::JsString::from(input).normalize("NFC").into()
    }
}

/// A control character (general category Cc: NUL, tab, CR, LF, DEL, the C1 controls), a bidi
/// formatting character (embeddings, overrides, isolates, marks), a line or paragraph separator,
/// or an invisible space (zero-width space, word joiner, byte-order mark): each can make text
/// read differently from what it holds. The zero-width (non-)joiners stay: some scripts need them.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{200B}'
                | '\u{2060}'
                | '\u{FEFF}'
        )
}

/// The text in NFC, or [`HIDDEN`] when it carries a hidden character anywhere (even where
/// trimming would drop it: a form typed in a browser never has one).
pub fn visible_text(input: &str) -> Result<String, FieldProblem> {
    let text = nfc(input);
    if text.chars().any(is_hidden) {
        Err(HIDDEN)
    } else {
        Ok(text)
    }
}

/// The visible, trimmed text, or a problem: `missing` when there is nothing but spaces, or
/// [`FieldProblem::TooLong`] when it has more than `max_len` characters (counted as characters
/// after normalisation, not bytes, so accented names are not cut short).
pub fn required_text(
    input: &str,
    missing: FieldProblem,
    max_len: usize,
) -> Result<String, FieldProblem> {
    optional_text(input, max_len)?.ok_or(missing)
}

/// Like [`required_text`] for a field that may be left blank: `None` when it is.
pub fn optional_text(input: &str, max_len: usize) -> Result<Option<String>, FieldProblem> {
    let text = visible_text(input)?;
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max_len {
        return Err(too_long(max_len));
    }
    Ok(Some(text.to_owned()))
}

fn too_long(max_len: usize) -> FieldProblem {
    FieldProblem::TooLong {
        max: u32::try_from(max_len).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MISSING: FieldProblem = FieldProblem::CityMissing;

    #[test]
    fn trims() {
        assert_eq!(
            required_text("  Austin  ", MISSING, 10).as_deref(),
            Ok("Austin")
        );
    }

    #[test]
    fn blank_is_missing() {
        assert_eq!(required_text("", MISSING, 10), Err(MISSING));
        assert_eq!(required_text("   ", MISSING, 10), Err(MISSING));
        assert_eq!(optional_text("  ", 10), Ok(None));
    }

    #[test]
    fn length_counts_characters_after_trimming() {
        assert_eq!(required_text(" Zoë ", MISSING, 3).as_deref(), Ok("Zoë"));
        assert_eq!(required_text("Zoë", MISSING, 2), Err(too_long(2)));
    }

    #[test]
    fn control_characters_are_refused() {
        let controls = ['\0', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}'];
        let c1 = ('\u{80}'..='\u{9f}').collect::<Vec<_>>();
        for c in controls.into_iter().chain(c1) {
            for typed in [format!("Aus{c}tin"), format!("Austin{c}"), format!("{c}")] {
                assert_eq!(
                    required_text(&typed, MISSING, 100),
                    Err(HIDDEN),
                    "{typed:?}"
                );
                assert_eq!(optional_text(&typed, 100), Err(HIDDEN));
            }
        }
        assert_eq!(required_text("Main\r\nstore", MISSING, 100), Err(HIDDEN));
    }

    #[test]
    fn bidi_formatting_characters_are_refused() {
        let bidi = [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}',
        ];
        for c in bidi {
            let typed = format!("invoice{c}fdp.exe");
            assert_eq!(visible_text(&typed), Err(HIDDEN), "{c:?}");
            assert_eq!(required_text(&typed, MISSING, 100), Err(HIDDEN));
        }
    }

    #[test]
    fn separators_and_invisible_spaces_are_refused_but_joiners_kept() {
        for hidden in ['\u{2028}', '\u{2029}', '\u{200b}', '\u{2060}', '\u{feff}'] {
            assert_eq!(
                visible_text(&format!("Main{hidden}Street")),
                Err(HIDDEN),
                "{hidden:?}"
            );
        }
        // Persian and many Indic names need the zero-width (non-)joiners.
        assert!(
            visible_text("\u{0645}\u{06cc}\u{200c}\u{062e}\u{0648}\u{0627}\u{0647}\u{0645}")
                .is_ok()
        );
        assert!(visible_text("\u{0915}\u{094d}\u{200d}\u{0937}").is_ok());
    }

    #[test]
    fn visible_text_from_other_scripts_passes() {
        for typed in [
            "Zoë Ångström",
            "O'Brien & Sons, Inc.",
            "Straße 5",
            "東京都",
            "שלום",
            "مرحبا",
            "Café 🎉",
        ] {
            assert_eq!(visible_text(typed).as_deref(), Ok(typed), "{typed:?}");
        }
    }

    #[test]
    fn text_is_composed() {
        let decomposed = "Jose\u{301}";
        assert_eq!(nfc(decomposed), "Jos\u{e9}");
        assert_eq!(
            required_text(decomposed, MISSING, 100).as_deref(),
            Ok("Jos\u{e9}")
        );
        assert_eq!(
            optional_text(" Cre\u{300}me ", 100),
            Ok(Some("Cr\u{e8}me".to_owned()))
        );
        // Already composed text is left as it is.
        assert_eq!(nfc("Jos\u{e9}"), "Jos\u{e9}");
    }

    #[test]
    fn length_is_counted_after_composing() {
        // Four characters once composed, though typed as eight.
        let decomposed = "e\u{301}e\u{301}e\u{301}e\u{301}";
        assert_eq!(decomposed.chars().count(), 8);
        assert_eq!(
            required_text(decomposed, MISSING, 4).as_deref(),
            Ok("\u{e9}\u{e9}\u{e9}\u{e9}")
        );
        assert_eq!(required_text(decomposed, MISSING, 3), Err(too_long(3)));
    }

    #[test]
    fn very_long_text_is_refused_by_length() {
        let long = "x".repeat(100_000);
        assert_eq!(required_text(&long, MISSING, 100), Err(too_long(100)));
        assert_eq!(
            optional_text(&"e\u{301}".repeat(100_000), 100),
            Err(too_long(100))
        );
    }
}
