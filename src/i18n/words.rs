//! One language's table: every key's text, as the server reads it from the catalog and hands it
//! to the merchant flow's island in the page. The browser's build has no catalog, so a language
//! added to the app adds nothing to the WebAssembly; the island answers from the page's table.

use serde::{Deserialize, Serialize};

use super::{Catalog, Locale, Plural, Text, WaitUnit, keys};
use crate::error::{AppError, UpstreamProblem};
use crate::fields::FieldProblem;

/// One language's words, by key (see [`super::keys`] for each key's place). Templates keep
/// their `{placeholders}`: [`Catalog`]'s provided methods fill them, on both sides.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Words {
    locale: Locale,
    texts: Vec<String>,
    field_problems: Vec<String>,
    upstream_problems: Vec<String>,
    errors: Vec<String>,
    waits: Vec<String>,
    resend_in: String,
    card_of_brand: String,
    registered_lede: String,
    /// Every language's own name, in [`Locale::ALL`]'s order: the switch offers each in its
    /// own words.
    language_names: Vec<String>,
}

impl Words {
    /// `locale`'s table, from its catalog: every key of every kind.
    #[cfg(feature = "ssr")]
    pub fn of(locale: Locale) -> Self {
        let catalog = locale.catalog();
        let mut waits = vec![];
        for unit in WaitUnit::ALL {
            for plural in Plural::ALL {
                waits.push(catalog.wait_template(unit, plural).to_owned());
            }
        }
        Words {
            locale,
            texts: Text::ALL
                .iter()
                .map(|&text| catalog.text(text).to_owned())
                .collect(),
            field_problems: FieldProblem::KINDS
                .iter()
                .map(|&problem| catalog.field_problem_template(problem).to_owned())
                .collect(),
            upstream_problems: UpstreamProblem::KINDS
                .iter()
                .map(|&problem| catalog.upstream_problem(problem).to_owned())
                .collect(),
            errors: AppError::kinds()
                .iter()
                .map(|error| catalog.error_template(error).to_owned())
                .collect(),
            waits,
            resend_in: catalog.resend_in_template().to_owned(),
            card_of_brand: catalog.card_of_brand_template().to_owned(),
            registered_lede: catalog.registered_lede_template().to_owned(),
            language_names: Locale::ALL
                .iter()
                .map(|other| other.catalog().text(Text::LanguageName).to_owned())
                .collect(),
        }
    }

    /// The table's language.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// `locale`'s own name.
    #[cfg_attr(feature = "ssr", allow(dead_code))]
    fn language_name(&self, locale: Locale) -> &str {
        let index = Locale::ALL.iter().position(|&l| l == locale).unwrap_or(0);
        &self.language_names[index]
    }

    /// Makes this the table [`Locale`] reads in the browser. The island calls it before it
    /// renders; on the server, which reads the catalogs themselves, it does nothing.
    pub fn install(self) {
        #[cfg(not(feature = "ssr"))]
        let _ = INSTALLED.set(self);
    }
}

/// The page's table in the browser. A `OnceLock` is enough: a page is in one language and has
/// one island, which installs its table once, before anything reads it.
#[cfg(not(feature = "ssr"))]
static INSTALLED: std::sync::OnceLock<Words> = std::sync::OnceLock::new();

#[cfg(not(feature = "ssr"))]
pub(super) fn installed() -> &'static Words {
    INSTALLED
        .get()
        .expect("the island installs its words before it renders")
}

/// The text of `text` in `locale`, in the browser: the page's table, where only the language
/// names are of other languages.
#[cfg(not(feature = "ssr"))]
pub(super) fn installed_text(locale: Locale, text: Text) -> &'static str {
    let words = installed();
    match text {
        Text::LanguageName => words.language_name(locale),
        _ => words.text(text),
    }
}

impl Catalog for Words {
    fn text(&self, text: Text) -> &str {
        &self.texts[text.index()]
    }

    fn field_problem_template(&self, problem: FieldProblem) -> &str {
        &self.field_problems[problem.index()]
    }

    fn upstream_problem(&self, problem: UpstreamProblem) -> &str {
        &self.upstream_problems[problem.index()]
    }

    fn error_template(&self, error: &AppError) -> &str {
        if let AppError::Upstream { problem, .. } = error {
            return self.upstream_problem(*problem);
        }
        error.kind_index().map_or("", |index| &self.errors[index])
    }

    fn wait_template(&self, unit: WaitUnit, plural: Plural) -> &str {
        &self.waits[keys::wait_index(unit, plural)]
    }

    fn resend_in_template(&self) -> &str {
        &self.resend_in
    }

    fn card_of_brand_template(&self) -> &str {
        &self.card_of_brand
    }

    fn registered_lede_template(&self) -> &str {
        &self.registered_lede
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::i18n::tests::{
        every_brand, every_error, every_field_problem, every_upstream_problem,
    };

    #[test]
    fn each_table_has_every_key() {
        for &locale in Locale::ALL {
            let words = Words::of(locale);
            assert_eq!(words.locale(), locale);
            assert_eq!(words.texts.len(), Text::ALL.len());
            assert_eq!(words.field_problems.len(), FieldProblem::KINDS.len());
            assert_eq!(words.upstream_problems.len(), UpstreamProblem::KINDS.len());
            assert_eq!(words.errors.len(), AppError::kinds().len());
            assert_eq!(words.waits.len(), WaitUnit::ALL.len() * Plural::ALL.len());
            assert_eq!(words.language_names.len(), Locale::ALL.len());
            let every_entry = [
                &words.texts,
                &words.field_problems,
                &words.upstream_problems,
            ]
            .into_iter()
            .chain([&words.errors, &words.waits, &words.language_names])
            .flatten()
            .chain([
                &words.resend_in,
                &words.card_of_brand,
                &words.registered_lede,
            ]);
            for entry in every_entry {
                assert!(!entry.trim().is_empty(), "{locale:?}: an empty entry");
            }
        }
    }

    /// The table says what the catalog says, key by key, templates filled alike.
    #[test]
    fn the_table_answers_as_the_catalog_does() {
        for &locale in Locale::ALL {
            let (words, catalog) = (Words::of(locale), locale.catalog());
            for &text in Text::ALL {
                assert_eq!(words.text(text), catalog.text(text), "{locale:?} {text:?}");
            }
            for (&other, name) in Locale::ALL.iter().zip(&words.language_names) {
                assert_eq!(name, other.catalog().text(Text::LanguageName));
                assert_eq!(words.language_name(other), name);
            }
            let mut problems = every_field_problem();
            problems.extend([1, 80, 254].map(|max| FieldProblem::TooLong { max }));
            for problem in problems {
                assert_eq!(
                    words.field_problem(problem),
                    catalog.field_problem(problem),
                    "{locale:?} {problem:?}"
                );
            }
            for problem in every_upstream_problem() {
                assert_eq!(
                    words.upstream_problem(problem),
                    catalog.upstream_problem(problem),
                    "{locale:?} {problem:?}"
                );
            }
            let mut errors = every_error();
            errors.extend(
                [0, 1, 59, 60, 61, 7201]
                    .map(|retry_after_secs| AppError::RateLimited { retry_after_secs }),
            );
            for error in errors {
                assert_eq!(
                    words.error(&error),
                    catalog.error(&error),
                    "{locale:?} {error:?}"
                );
            }
            for secs in [0, 1, 2, 30, 59, 60, 61, 119, 120, 3600, 7200, 7201, 86_400] {
                assert_eq!(words.wait(secs), catalog.wait(secs), "{locale:?} {secs}");
                assert_eq!(words.resend_in(secs), catalog.resend_in(secs), "{locale:?}");
            }
            for brand in every_brand() {
                assert_eq!(words.card_of_brand(brand), catalog.card_of_brand(brand));
            }
            for nickname in ["Main store", "Panadería Núñez", "{wait} {max}"] {
                assert_eq!(
                    words.registered_lede(nickname),
                    catalog.registered_lede(nickname),
                    "{locale:?}"
                );
            }
        }
    }

    /// The table survives the island's props: what the browser installs is what the server
    /// built.
    #[test]
    fn the_table_travels_whole() {
        for &locale in Locale::ALL {
            let words = Words::of(locale);
            let bytes = postcard::to_allocvec(&words).unwrap();
            assert_eq!(postcard::from_bytes::<Words>(&bytes).unwrap(), words);
        }
    }
}
