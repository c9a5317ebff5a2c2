//! Every sentence the merchant reads, in one catalog per language, checked by the compiler.
//!
//! - [`Text`] names each fixed string of the pages (labels, hints, headings, buttons).
//! - [`FieldProblem`](crate::fields::FieldProblem) and
//!   [`UpstreamProblem`](crate::error::UpstreamProblem) are the codes the rules and the server
//!   return instead of sentences; [`AppError`] carries them.
//! - A language is one file (`en.rs`) implementing [`Catalog`]: an exhaustive `match` from each
//!   key and code to its text, so a language that misses a key does not compile. Messages with a
//!   value in them (a wait, a nickname) are methods, so each language words them itself.
//!
//! Adding a language: write its file (start from a copy of `en.rs`), then add one line to the
//! [`locales!`] list below. Views read the page's [`Locale`] with [`Locale::current`] (English
//! when none is provided); the server and tests name it.

use std::borrow::Cow;

use crate::error::{AppError, UpstreamProblem};
use crate::fields::FieldProblem;
use crate::fields::card::CardBrand;

/// The wording of one language. Each method is an exhaustive `match` in the language's file.
pub trait Catalog: Sync {
    /// A fixed string of the pages.
    fn text(&self, text: Text) -> &'static str;
    /// What is wrong with a field, as shown beside it and in the summary.
    fn field_problem(&self, problem: FieldProblem) -> Cow<'static, str>;
    /// Why ShipEngine did not do what was asked.
    fn upstream_problem(&self, problem: UpstreamProblem) -> &'static str;
    /// The summary's sentence for `error`.
    fn error(&self, error: &AppError) -> Cow<'static, str>;
    /// A wait, as a person says it: "30 seconds", "2 minutes".
    fn wait(&self, secs: u64) -> String;
    /// When the next code may be asked for: "You can send a new code in 2 minutes."
    fn resend_in(&self, secs: u64) -> String;
    /// The brand detected while a card number is typed: "Visa card".
    fn card_of_brand(&self, brand: CardBrand) -> String;
    /// The code step's lede, naming the account just registered.
    fn registered_lede(&self, nickname: &str) -> String;
}

/// Declares the languages: `Variant => module` per line, each module a file of this folder
/// holding `pub struct Words` that implements [`Catalog`]. The module's name is the language's
/// BCP 47 tag (`<html lang>`).
macro_rules! locales {
    ($( $(#[$meta:meta])* $Variant:ident => $module:ident, )+) => {
        $( mod $module; )+

        /// A language the pages can be read in.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #[derive(serde::Serialize, serde::Deserialize)]
        pub enum Locale {
            $( $(#[$meta])* $Variant, )+
        }

        impl Locale {
            /// Every language, in the order declared.
            pub const ALL: &'static [Locale] = &[$(Locale::$Variant),+];

            /// The language's tag, for `<html lang>`.
            pub const fn tag(self) -> &'static str {
                match self {
                    $( Locale::$Variant => stringify!($module), )+
                }
            }

            fn catalog(self) -> &'static dyn Catalog {
                match self {
                    $( Locale::$Variant => &$module::Words, )+
                }
            }
        }
    };
}

locales! {
    #[default]
    En => en,
}

impl Locale {
    /// The page's language, as the app provides it in Leptos context; English when none is.
    pub fn current() -> Self {
        leptos::prelude::use_context::<Locale>().unwrap_or_default()
    }

    pub fn text(self, text: Text) -> &'static str {
        self.catalog().text(text)
    }

    pub fn field_problem(self, problem: FieldProblem) -> Cow<'static, str> {
        self.catalog().field_problem(problem)
    }

    pub fn upstream_problem(self, problem: UpstreamProblem) -> &'static str {
        self.catalog().upstream_problem(problem)
    }

    pub fn error(self, error: &AppError) -> Cow<'static, str> {
        self.catalog().error(error)
    }

    pub fn wait(self, secs: u64) -> String {
        self.catalog().wait(secs)
    }

    pub fn resend_in(self, secs: u64) -> String {
        self.catalog().resend_in(secs)
    }

    pub fn card_of_brand(self, brand: CardBrand) -> String {
        self.catalog().card_of_brand(brand)
    }

    pub fn registered_lede(self, nickname: &str) -> String {
        self.catalog().registered_lede(nickname)
    }
}

/// Declares [`Text`] with `ALL`, so tests can walk every key.
macro_rules! text_keys {
    ($( $(#[$meta:meta])* $Key:ident, )+) => {
        /// The fixed strings of the pages, grouped by where they appear.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Text {
            $( $(#[$meta])* $Key, )+
        }

        impl Text {
            /// Every key, in the order declared.
            pub const ALL: &'static [Text] = &[$(Text::$Key),+];
        }
    };
}

text_keys! {
    // The page around the steps (src/app.rs).
    /// `<title>`.
    PageTitle,
    /// `<meta name="description">`.
    MetaDescription,
    SkipToMainContent,
    /// The demo banner's first, bold words.
    DemoMode,
    /// The demo banner's sentence, before the code it shows.
    DemoModeCodeIs,
    /// The site's name in the header.
    Brand,
    /// The step indicator's `aria-label`.
    StepsLabel,
    StepYourDetails,
    StepConfirmPhone,
    StepDone,
    /// A page that does not exist.
    NotFoundTitle,
    NotFoundBody,
    NotFoundLink,
    /// The page could not be loaded (the database failed).
    TryAgainTitle,
    TryAgainBody,
    TryAgainLink,

    // Shared by the forms (src/ui).
    /// Read out before a field's error (visually hidden).
    ErrorPrefix,
    /// After the label of a field that may be left blank.
    Optional,
    SummaryTitle,
    ReferenceForSupport,

    // Step 1: registration.
    RegisterTitle,
    RegisterLede,
    YourAccountLegend,
    NicknameLabel,
    NicknameHint,
    EmailLabel,
    EmailHint,
    YourAddressLegend,
    AddressHint,
    NameLabel,
    CompanyNameLabel,
    PhoneLabel,
    PhoneHint,
    AddressLine1Label,
    AddressLine2Label,
    CityLabel,
    StateLabel,
    /// The state list's first, empty choice.
    StateNotChosen,
    PostalCodeLabel,
    CountryLabel,
    CountryUnitedStates,
    ResidentialLegend,
    ResidentialYes,
    ResidentialNo,
    CardLegend,
    CardHint,
    CardNameLabel,
    /// Why the card number is blank on a page the server rendered.
    CardCleared,
    CardNumberLabel,
    CardNumberHint,
    ExpiryLegend,
    ExpiryHint,
    ExpiryMonthLabel,
    ExpiryYearLabel,
    /// The terms checkbox's label, before its link.
    TermsAgree,
    /// The link to the terms.
    TermsLink,
    RegisterButton,
    RegisterBusy,

    // Step 2: the code.
    VerifyTitle,
    MobilePhoneLabel,
    MobilePhoneHint,
    SendCode,
    SendCodeToThisNumber,
    SendingBusy,
    /// Before the masked number the code went to.
    CodeSentTo,
    /// After the masked number the code went to.
    CodeSentToEnd,
    CodeLabel,
    CodeHint,
    VerifyButton,
    VerifyBusy,
    NoTextYet,
    SendNewCode,
    UseDifferentNumber,

    // Step 3: done.
    DoneTitle,
    DoneLede,
    DoneNickname,
    DoneCarrierId,
    DoneStatus,
    DoneVerified,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{FieldErrors, FormField};
    use crate::registration::RegistrationField;

    #[test]
    fn every_key_has_text_in_every_language() {
        for &locale in Locale::ALL {
            for &text in Text::ALL {
                assert!(!locale.text(text).trim().is_empty(), "{locale:?} {text:?}");
            }
        }
    }

    #[test]
    fn messages_with_a_value_include_it() {
        for &locale in Locale::ALL {
            assert!(locale.wait(42).contains("42"), "{locale:?}");
            assert!(locale.resend_in(90).contains(&locale.wait(90)));
            assert!(locale.registered_lede("Main store").contains("Main store"));
            assert!(
                locale
                    .card_of_brand(CardBrand::Amex)
                    .contains(CardBrand::Amex.display_name())
            );
            let too_long = locale.field_problem(FieldProblem::TooLong { max: 123 });
            assert!(too_long.contains("123"), "{locale:?}: {too_long}");
            let limited = locale.error(&AppError::RateLimited {
                retry_after_secs: 61,
            });
            assert!(limited.contains(&locale.wait(61)), "{limited}");
        }
    }

    #[test]
    fn an_upstream_error_reads_as_its_problem() {
        let error = AppError::Upstream {
            problem: UpstreamProblem::CodeExpired,
            reference: None,
        };
        assert_eq!(
            error.message(Locale::En),
            Locale::En.upstream_problem(UpstreamProblem::CodeExpired)
        );
        let mut errors = FieldErrors::default();
        errors.push(RegistrationField::Email, FieldProblem::EmailInvalid);
        assert!(
            AppError::Invalid(errors)
                .message(Locale::En)
                .contains("highlighted fields")
        );
        assert_eq!(
            FormField::from(RegistrationField::Email).name(),
            "email",
            "the summary links to the field's id"
        );
    }

    #[test]
    fn the_language_tag_is_the_modules_name() {
        assert_eq!(Locale::default(), Locale::En);
        assert_eq!(Locale::En.tag(), "en");
    }
}
