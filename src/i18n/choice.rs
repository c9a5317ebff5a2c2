//! Which language a page is in: the merchant's own choice (the switch, kept in a cookie), else
//! the browser's `Accept-Language`, else English.

use super::Locale;

/// The cookie the language switch sets: a language's tag.
pub const LANGUAGE_COOKIE: &str = "stamps_connect_lang";

impl Locale {
    /// The language of the tag `tag` (`es`, `es-US`, `EN-gb`…), if the app has it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Locale::ALL
            .iter()
            .copied()
            .find(|locale| locale.tag().eq_ignore_ascii_case(primary))
    }

    /// The page's language: `chosen` (the switch's cookie) when it names one of ours, else the
    /// first of `accept_language` (by its q-values) that the app has, else English.
    pub fn negotiate(chosen: Option<&str>, accept_language: Option<&str>) -> Self {
        chosen
            .and_then(Self::from_tag)
            .or_else(|| accept_language.and_then(Self::preferred))
            .unwrap_or_default()
    }

    /// The most wanted language of an `Accept-Language` header that the app has.
    fn preferred(header: &str) -> Option<Self> {
        let mut wanted: Vec<(f32, usize, Self)> = header
            .split(',')
            .enumerate()
            .filter_map(|(position, entry)| {
                let mut parts = entry.split(';');
                let locale = Self::from_tag(parts.next()?.trim())?;
                let quality = parts
                    .find_map(|param| {
                        let (name, value) = param.split_once('=')?;
                        name.trim().eq_ignore_ascii_case("q").then_some(value)
                    })
                    .map_or(Some(1.0), qvalue)?;
                (quality > 0.0).then_some((quality, position, locale))
            })
            .collect();
        // The highest quality first; among equals, the order the browser sent them in.
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        wanted.first().map(|&(_, _, locale)| locale)
    }
}

/// A `q` value as RFC 9110 writes it: `0` to `1`, at most three decimals; nothing else.
fn qvalue(text: &str) -> Option<f32> {
    let text = text.trim();
    let well_formed = text.len() <= 5
        && text.starts_with(['0', '1'])
        && text.chars().all(|c| c.is_ascii_digit() || c == '.');
    let quality = text.parse::<f32>().ok().filter(|_| well_formed)?;
    (0.0..=1.0).contains(&quality).then_some(quality)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_beats_the_browsers_languages() {
        assert_eq!(
            Locale::negotiate(Some("en"), Some("es-US,es;q=0.9")),
            Locale::En
        );
        assert_eq!(Locale::negotiate(Some("es"), Some("en-US")), Locale::Es);
        // A cookie naming no language of ours is no choice.
        assert_eq!(Locale::negotiate(Some("fr"), Some("es-US")), Locale::Es);
    }

    #[test]
    fn the_browsers_languages_are_read_by_quality_then_order() {
        let negotiate = |header| Locale::negotiate(None, Some(header));
        assert_eq!(negotiate("es-US"), Locale::Es);
        assert_eq!(negotiate("es-MX,es;q=0.9,en;q=0.8"), Locale::Es);
        assert_eq!(negotiate("en-US,en;q=0.9,es;q=0.8"), Locale::En);
        assert_eq!(negotiate("fr-FR, es;q=0.5, en;q=0.7"), Locale::En);
        assert_eq!(negotiate("fr, de"), Locale::En);
        assert_eq!(negotiate("es;q=0, en;q=0.1"), Locale::En);
        assert_eq!(negotiate("ES_us"), Locale::Es);
        assert_eq!(negotiate("es;q=abc, en"), Locale::En);
        assert_eq!(negotiate("es;Q=0, en;q=0.1"), Locale::En);
        assert_eq!(negotiate("en;q=1e3, es;q=0.5"), Locale::Es);
        assert_eq!(negotiate("en;q=inf, es;q=0.5"), Locale::Es);
        assert_eq!(negotiate("en;q=0.2, es;q=0.900"), Locale::Es);
        assert_eq!(negotiate(""), Locale::En);
        assert_eq!(Locale::negotiate(None, None), Locale::En);
    }
}
