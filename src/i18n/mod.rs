//! Every sentence the merchant reads, in one catalog per language, checked by the compiler.
//!
//! - [`Text`] names each fixed string of the pages (labels, hints, headings, buttons).
//! - [`FieldProblem`](crate::fields::FieldProblem) and
//!   [`UpstreamProblem`](crate::error::UpstreamProblem) are the codes the rules and the server
//!   return instead of sentences; [`AppError`] carries them.
//! - A language is one file (`en.rs`, `es.rs`) implementing [`Catalog`]: an exhaustive `match`
//!   from each key and code to its text, so a language that misses a key does not compile.
//!   Messages with a value in them (a wait, a nickname) are templates (`{wait}`, `{nickname}`),
//!   filled by [`fill`] on both sides.
//! - The catalogs are compiled on the server only. The merchant flow's island gets its page's
//!   language as a table ([`Words`], every key, built from the catalog) in its props: a language
//!   added to the app adds nothing to the WebAssembly.
//!
//! Adding a language: write its file (start from a copy of `en.rs`), then add one line to the
//! [`locales!`] list below. Views read the page's [`Locale`] with [`Locale::current`] (English
//! when none is provided); the server and tests name it.

mod choice;
mod keys;
mod words;

pub use choice::LANGUAGE_COOKIE;
pub use words::Words;

use std::borrow::Cow;

use crate::error::{AppError, UpstreamProblem};
use crate::fields::FieldProblem;
use crate::fields::card::CardBrand;
use crate::postage::Money;

/// The wording of one language: a catalog (`en.rs`, `es.rs`) on the server, the page's
/// [`Words`] in the browser. The required methods give each key's text or template; the
/// provided ones fill the templates, the same way for both.
pub trait Catalog: Sync {
    /// A fixed string of the pages.
    fn text(&self, text: Text) -> &str;
    /// What is wrong with a field, as shown beside it and in the summary; `TooLong`'s has
    /// `{max}`.
    fn field_problem_template(&self, problem: FieldProblem) -> &str;
    /// Why ShipEngine did not do what was asked.
    fn upstream_problem(&self, problem: UpstreamProblem) -> &str;
    /// The summary's sentence for `error`; `RateLimited`'s has `{wait}`.
    fn error_template(&self, error: &AppError) -> &str;
    /// A count of `unit`, with `{count}`: "{count} second", "{count} seconds".
    fn wait_template(&self, unit: WaitUnit, plural: Plural) -> &str;
    /// When the next code may be asked for, with `{wait}`.
    fn resend_in_template(&self) -> &str;
    /// The brand detected while a card number is typed, with `{brand}`: "{brand} card".
    fn card_of_brand_template(&self) -> &str;
    /// The code step's lede, naming the account just registered: `{nickname}`.
    fn registered_lede_template(&self) -> &str;

    fn field_problem(&self, problem: FieldProblem) -> Cow<'_, str> {
        let template = self.field_problem_template(problem);
        match problem {
            FieldProblem::TooLong { max } => fill(template, "{max}", &max.to_string()).into(),
            FieldProblem::AmountTooLarge { max_dollars } => {
                fill(template, "{max}", &us_dollars(i64::from(max_dollars) * 100)).into()
            }
            _ => template.into(),
        }
    }

    fn error(&self, error: &AppError) -> Cow<'_, str> {
        let template = self.error_template(error);
        match error {
            AppError::RateLimited { retry_after_secs } => {
                fill(template, "{wait}", &self.wait(*retry_after_secs)).into()
            }
            _ => template.into(),
        }
    }

    /// A wait, as a person says it: "30 seconds", "2 minutes".
    fn wait(&self, secs: u64) -> String {
        let (count, unit) = WaitUnit::round_up(secs);
        let plural = if count == 1 {
            Plural::One
        } else {
            Plural::Other
        };
        fill(
            self.wait_template(unit, plural),
            "{count}",
            &count.to_string(),
        )
    }

    /// "You can send a new code in 2 minutes."
    fn resend_in(&self, secs: u64) -> String {
        fill(self.resend_in_template(), "{wait}", &self.wait(secs))
    }

    /// "Visa card".
    fn card_of_brand(&self, brand: CardBrand) -> String {
        fill(
            self.card_of_brand_template(),
            "{brand}",
            brand.display_name(),
        )
    }

    fn registered_lede(&self, nickname: &str) -> String {
        fill(self.registered_lede_template(), "{nickname}", nickname)
    }
}

/// `template` with its `placeholder` (`{name}`) replaced by `value`: the one way a value
/// enters a sentence, in every language and on both sides.
fn fill(template: &str, placeholder: &str, value: &str) -> String {
    template.replace(placeholder, value)
}

/// The unit a wait is said in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitUnit {
    Second,
    Minute,
    Hour,
}

impl WaitUnit {
    /// `secs` as a count of a unit, rounded up: "2 minutes" for 61 seconds, so the merchant
    /// never comes back too early.
    pub fn round_up(secs: u64) -> (u64, WaitUnit) {
        match secs {
            0..60 => (secs, WaitUnit::Second),
            60..=7200 => (secs.div_ceil(60), WaitUnit::Minute),
            _ => (secs.div_ceil(3600), WaitUnit::Hour),
        }
    }
}

/// Which form a count takes: one, or any other number (English and Spanish need no more).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plural {
    One,
    Other,
}

/// Declares the languages: `Variant => module` per line, each module a file of this folder
/// holding `pub struct Words` that implements [`Catalog`]. The module's name is the language's
/// BCP 47 tag (`<html lang>`). The modules are compiled on the server only.
macro_rules! locales {
    ($( $(#[$meta:meta])* $Variant:ident => $module:ident, )+) => {
        $( #[cfg(feature = "ssr")] mod $module; )+

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

            #[cfg(feature = "ssr")]
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
    Es => es,
}

impl Locale {
    /// The page's language, as the app provides it in Leptos context; English when none is.
    pub fn current() -> Self {
        leptos::prelude::use_context::<Locale>().unwrap_or_default()
    }

    /// In the browser, the page's table: the island's language, the only one it was given.
    #[cfg(not(feature = "ssr"))]
    fn catalog(self) -> &'static dyn Catalog {
        words::installed()
    }

    pub fn text(self, text: Text) -> &'static str {
        #[cfg(not(feature = "ssr"))]
        return words::installed_text(self, text);
        #[cfg(feature = "ssr")]
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

    /// An amount in US dollars: both languages write it alike (see [`us_dollars`]); a language
    /// that writes it otherwise would make it a template of its catalog.
    pub fn money(self, amount: Money) -> String {
        us_dollars(amount.cents)
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
    /// The language switch's label, for screen readers.
    LanguageSwitchLabel,
    /// The language's own name, as the switch offers it.
    LanguageName,

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
    /// The done screen's link back to the operator's platform (from an onboarding link).
    DoneReturnToPlatform,

    // Onboarding links (src/operator, src/pages/start_link.rs).
    /// The link was opened before, or expired.
    LinkSpentTitle,
    LinkSpentBody,
    /// No such link.
    LinkUnknownTitle,
    LinkUnknownBody,
    /// The form is only for merchants sent by the platform (`PUBLIC_FORM=off`).
    StartFromPlatformTitle,
    StartFromPlatformBody,

    // Step 1: the USPS check of the address (src/registration/view.rs).
    /// The panel's heading when USPS has the address written another way.
    AddressSuggestionTitle,
    AddressSuggestionLede,
    AddressUseUsps,
    AddressUseTyped,
    /// Describes the USPS option: what the marks mean, not by colour alone.
    AddressDifferencesMarked,
    /// The panel's heading when USPS could not confirm the address.
    AddressUnconfirmedTitle,
    AddressUnconfirmedLede,
    /// The checkbox that goes on with the address as typed.
    AddressSure,
    // Connecting an existing Stamps.com account (src/connect).
    /// On the registration form, before the link to the connect page.
    ConnectChoice,
    ConnectChoiceLink,
    ConnectTitle,
    ConnectLede,
    ConnectUsernameLabel,
    ConnectPasswordLabel,
    ConnectPasswordHint,
    ConnectButton,
    /// Back to the registration form.
    ConnectOpenInstead,

    // The links into the Stamps.com account (src/manage).
    /// The done screen's link to them.
    ManageOnStamps,
    ManageTitle,
    ManageLede,
    ManageChangeCard,
    ManageAccountSettings,
    ManageBalanceReports,
    /// After a link that opens in a new tab.
    OpensInNewTab,
    /// ShipEngine gave no links.
    ManageUnavailable,
    ManageBack,
    // The balance on the done screen (src/done).
    DoneBalance,
    /// The balance could not be read from ShipEngine just now.
    DoneBalanceUnavailable,
    /// The done screen's link to "Add postage" (`FUNDING` on).
    DoneAddPostage,
}

/// `$1,234.56`: US English and US Spanish write dollars alike (the decimal point, commas between
/// thousands, the sign before the amount).
pub(crate) fn us_dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

/// The wording of the "Add postage" pages (src/postage), one implementation per language file.
/// Those pages are server-rendered without an island, so their words are kept out of
/// [`Catalog`]: the island's table of words ([`Words`]), sent with every page of the flow, does
/// not carry them.
#[cfg(feature = "ssr")]
pub trait PostageWords: Sync {
    fn postage(&self, text: PostageText) -> &'static str;
    /// The confirmation: "Your card on the Stamps.com account will be charged $50.00."
    fn charge_notice(&self, amount: &str) -> String;
    /// After the charge: "$50.00 was added to your Stamps.com balance."
    fn postage_added(&self, amount: &str) -> String;
    /// The typed amount's hint: "From $10.00 to $500.00, in US dollars."
    fn amount_range(&self, min: &str, max: &str) -> String;
}

#[cfg(feature = "ssr")]
impl Locale {
    /// The "Add postage" pages' words in this language.
    pub fn postage_words(self) -> &'static dyn PostageWords {
        match self {
            Locale::En => &en::Words,
            Locale::Es => &es::Words,
        }
    }

    pub fn postage(self, text: PostageText) -> &'static str {
        self.postage_words().postage(text)
    }
}

/// Declares [`PostageText`] with `ALL`, so tests can walk every key.
macro_rules! postage_keys {
    ($( $(#[$meta:meta])* $Key:ident, )+) => {
        /// The fixed strings of the "Add postage" pages.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum PostageText {
            $( $(#[$meta])* $Key, )+
        }

        impl PostageText {
            /// Every key, in the order declared.
            pub const ALL: &'static [PostageText] = &[$(PostageText::$Key),+];
        }
    };
}

postage_keys! {
    // The amount form.
    AmountTitle,
    AmountLede,
    CurrentBalance,
    AmountLegend,
    /// The radio that opens the typed amount.
    OtherAmount,
    OtherAmountLabel,
    ContinueButton,
    BackToAccount,
    // The confirmation.
    ConfirmTitle,
    AmountLabel,
    ConfirmButton,
    ChangeAmount,
    // The outcomes.
    ChargingTitle,
    ChargingBody,
    RefreshLink,
    ChargedTitle,
    NewBalance,
    AddMore,
    DeclinedTitle,
    DeclinedBody,
    NotEnabledTitle,
    NotEnabledBody,
    RefusedTitle,
    RefusedBody,
    UnknownTitle,
    UnknownBody,
    /// `FUNDING=off`.
    UnavailableTitle,
    UnavailableBody,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::error::{FieldErrors, FormField};
    use crate::registration::RegistrationField;

    /// Every value of an enum, for the tests to walk: the list and a `match` without a wildcard
    /// over the same variants, so a new variant does not compile until it is listed here.
    macro_rules! every {
        ($Enum:ident: $(
            $Variant:ident $( ( $($arg:expr),* ) )? $( { $($field:ident: $value:expr),* } )?
        ),+ $(,)?) => {{
            #[allow(unreachable_patterns)]
            fn listed(value: $Enum) {
                match value {
                    $( $Enum::$Variant { .. } => {} )+
                }
            }
            let _ = listed;
            vec![$( $Enum::$Variant $( ( $($arg),* ) )? $( { $($field: $value),* } )? ),+]
        }};
    }

    pub(super) fn every_brand() -> Vec<CardBrand> {
        every!(CardBrand: Visa, Mastercard, Amex, Discover)
    }

    pub(super) fn every_field_problem() -> Vec<FieldProblem> {
        every!(FieldProblem:
            Hidden,
            TooLong { max: 80 },
            NicknameMissing,
            NameMissing,
            AddressLine1Missing,
            CityMissing,
            CardNameMissing,
            EmailMissing,
            EmailInvalid,
            EmailTooLong,
            PhoneMissing,
            PhoneInvalid,
            ZipMissing,
            ZipInvalid,
            StateMissing,
            ResidentialMissing,
            CardNumberMissing,
            CardNumberNotDigits,
            CardNumberIncomplete,
            CardBrandNotAccepted,
            CardNumberWrongLength(CardBrand::Visa),
            CardNumberWrongLength(CardBrand::Mastercard),
            CardNumberWrongLength(CardBrand::Amex),
            CardNumberWrongLength(CardBrand::Discover),
            CardNumberTypo,
            ExpiryMonthMissing,
            ExpiryMonthInvalid,
            ExpiryYearMissing,
            ExpiryYearInvalid,
            CardExpired,
            ExpiryTooFarAhead,
            TermsNotAccepted,
            CodeMissing,
            CodeNotDigits,
            CodeWrongLength,
            CodeWrong,
            UpstreamRequired,
            UpstreamLength,
            UpstreamRefused,
            UspsAddressNotFound,
            UspsZipUnknown,
            UspsAddressUnconfirmed,
            UsernameMissing,
            PasswordMissing,
            AmountNotChosen,
            AmountMissing,
            AmountInvalid,
            AmountTooSmall,
            AmountTooLarge { max_dollars: 500 },
        )
    }

    pub(super) fn every_upstream_problem() -> Vec<UpstreamProblem> {
        every!(UpstreamProblem:
            DetailsRefused,
            NotSetUp,
            RegistrationUnknown,
            Unreachable,
            NoAnswer,
            Trouble,
            RegistrationRefused,
            CodeExpired,
            StampsLoginRefused,
            StampsAccountLocked,
            StampsAlreadyConnected,
            ConnectionUnknown,
        )
    }

    /// Every error, with an `Upstream` per problem.
    pub(super) fn every_error() -> Vec<AppError> {
        let mut errors = every!(AppError:
            Invalid(FieldErrors::default()),
            OutcomeUnknown { reference: "r".into() },
            RegistrationInProgress,
            SentFromAnotherBrowser,
            RateLimited { retry_after_secs: 61 },
            TooManyWrongCodes,
            BadRequest,
            TooLarge,
            CrossSite,
            LinkRequired,
            Internal { reference: None },
            Unreachable,
            Upstream { problem: UpstreamProblem::Trouble, reference: None },
        );
        errors.extend(
            every_upstream_problem()
                .into_iter()
                .map(|problem| AppError::Upstream {
                    problem,
                    reference: Some("r".into()),
                }),
        );
        errors
    }

    /// Everything `locale` can say, with sample values in the messages that take one.
    fn everything_said(locale: Locale) -> Vec<String> {
        let mut said: Vec<String> = Text::ALL.iter().map(|&t| locale.text(t).into()).collect();
        said.extend(
            every_field_problem()
                .into_iter()
                .map(|p| locale.field_problem(p).into()),
        );
        said.extend(
            every_upstream_problem()
                .into_iter()
                .map(|p| locale.upstream_problem(p).into()),
        );
        said.extend(every_error().iter().map(|e| locale.error(e).into()));
        for secs in [0, 1, 30, 59, 60, 61, 3600, 7200, 7201, 86_400] {
            said.push(locale.wait(secs));
            said.push(locale.resend_in(secs));
        }
        said.extend(every_brand().into_iter().map(|b| locale.card_of_brand(b)));
        said.push(locale.registered_lede("Main store"));
        said.push(locale.money(Money::usd_cents(123_456)));
        let words = locale.postage_words();
        said.extend(PostageText::ALL.iter().map(|&t| words.postage(t).into()));
        said.push(words.charge_notice("$50.00"));
        said.push(words.postage_added("$50.00"));
        said.push(words.amount_range("$10.00", "$500.00"));
        said
    }

    #[test]
    fn dollars_are_written_the_us_way_in_both_languages() {
        for (cents, written) in [
            (0, "$0.00"),
            (5, "$0.05"),
            (1000, "$10.00"),
            (123_456, "$1,234.56"),
            (100_000_000, "$1,000,000.00"),
            (-2550, "-$25.50"),
        ] {
            for &locale in Locale::ALL {
                assert_eq!(locale.money(Money::usd_cents(cents)), written, "{locale:?}");
            }
        }
    }

    #[test]
    fn postage_messages_include_their_amounts() {
        for &locale in Locale::ALL {
            let words = locale.postage_words();
            assert!(
                words.charge_notice("$50.00").contains("$50.00"),
                "{locale:?}"
            );
            assert!(
                words.postage_added("$25.00").contains("$25.00"),
                "{locale:?}"
            );
            let range = words.amount_range("$10.00", "$500.00");
            assert!(
                range.contains("$10.00") && range.contains("$500.00"),
                "{locale:?}"
            );
            let too_large = locale.field_problem(FieldProblem::AmountTooLarge { max_dollars: 750 });
            assert!(too_large.contains("$750.00"), "{locale:?}: {too_large}");
        }
    }

    #[test]
    fn the_lists_cover_every_brand_once() {
        let problems = every_field_problem();
        for brand in every_brand() {
            let wrong_length = FieldProblem::CardNumberWrongLength(brand);
            assert_eq!(problems.iter().filter(|&&p| p == wrong_length).count(), 1);
        }
    }

    #[test]
    fn every_sentence_is_written_out_in_every_language() {
        for &locale in Locale::ALL {
            for sentence in everything_said(locale) {
                assert!(!sentence.trim().is_empty(), "{locale:?}: an empty sentence");
                assert!(
                    !sentence.contains(['{', '}']),
                    "{locale:?}: a placeholder left in {sentence:?}"
                );
            }
        }
    }

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
            for secs in [1, 90, 7201] {
                let resend = locale.resend_in(secs);
                assert!(resend.contains(&locale.wait(secs)), "{locale:?}: {resend}");
            }
            for nickname in ["Main store", "Panadería Núñez"] {
                let lede = locale.registered_lede(nickname);
                assert!(lede.contains(nickname), "{locale:?}: {lede}");
            }
            for brand in every_brand() {
                let card = locale.card_of_brand(brand);
                assert!(card.contains(brand.display_name()), "{locale:?}: {card}");
            }
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
        assert_eq!(Locale::Es.tag(), "es");
        assert_eq!(Locale::ALL, [Locale::En, Locale::Es]);
    }
}
