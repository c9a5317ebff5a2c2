//! The place of every key in a language's table ([`super::Words`]): for each kind of key, the
//! list of its kinds and an index by an exhaustive `match`, so a new variant does not compile
//! until it has a place (a test checks that each list and its index agree).

use crate::error::{AppError, UpstreamProblem};
use crate::fields::FieldProblem;
use crate::fields::card::CardBrand;

use super::{Plural, Text, WaitUnit};

impl Text {
    /// The key's place in [`Text::ALL`] (the order the keys are declared in).
    pub(super) fn index(self) -> usize {
        self as usize
    }
}

impl CardBrand {
    const ALL: [CardBrand; 4] = [
        CardBrand::Visa,
        CardBrand::Mastercard,
        CardBrand::Amex,
        CardBrand::Discover,
    ];

    fn index(self) -> usize {
        match self {
            CardBrand::Visa => 0,
            CardBrand::Mastercard => 1,
            CardBrand::Amex => 2,
            CardBrand::Discover => 3,
        }
    }
}

/// Where the problems after the brand-carrying one start.
const AFTER_WRONG_LENGTH: usize = 20 + CardBrand::ALL.len();

impl FieldProblem {
    /// One problem of each kind, one per brand for those that name one (`TooLong`'s `max` is
    /// filled in when it is worded). The lists are the server's, which builds the tables.
    #[cfg(feature = "ssr")]
    pub(super) const KINDS: &'static [FieldProblem] = &[
        FieldProblem::Hidden,
        FieldProblem::TooLong { max: 0 },
        FieldProblem::NicknameMissing,
        FieldProblem::NameMissing,
        FieldProblem::AddressLine1Missing,
        FieldProblem::CityMissing,
        FieldProblem::CardNameMissing,
        FieldProblem::EmailMissing,
        FieldProblem::EmailInvalid,
        FieldProblem::EmailTooLong,
        FieldProblem::PhoneMissing,
        FieldProblem::PhoneInvalid,
        FieldProblem::ZipMissing,
        FieldProblem::ZipInvalid,
        FieldProblem::StateMissing,
        FieldProblem::ResidentialMissing,
        FieldProblem::CardNumberMissing,
        FieldProblem::CardNumberNotDigits,
        FieldProblem::CardNumberIncomplete,
        FieldProblem::CardBrandNotAccepted,
        FieldProblem::CardNumberWrongLength(CardBrand::ALL[0]),
        FieldProblem::CardNumberWrongLength(CardBrand::ALL[1]),
        FieldProblem::CardNumberWrongLength(CardBrand::ALL[2]),
        FieldProblem::CardNumberWrongLength(CardBrand::ALL[3]),
        FieldProblem::CardNumberTypo,
        FieldProblem::ExpiryMonthMissing,
        FieldProblem::ExpiryMonthInvalid,
        FieldProblem::ExpiryYearMissing,
        FieldProblem::ExpiryYearInvalid,
        FieldProblem::CardExpired,
        FieldProblem::ExpiryTooFarAhead,
        FieldProblem::TermsNotAccepted,
        FieldProblem::CodeMissing,
        FieldProblem::CodeNotDigits,
        FieldProblem::CodeWrongLength,
        FieldProblem::CodeWrong,
        FieldProblem::UpstreamRequired,
        FieldProblem::UpstreamLength,
        FieldProblem::UpstreamRefused,
        FieldProblem::UspsAddressNotFound,
        FieldProblem::UspsZipUnknown,
        FieldProblem::UspsAddressUnconfirmed,
        FieldProblem::UsernameMissing,
        FieldProblem::PasswordMissing,
        FieldProblem::AmountNotChosen,
        FieldProblem::AmountMissing,
        FieldProblem::AmountInvalid,
        FieldProblem::AmountTooSmall,
        FieldProblem::AmountTooLarge { max_dollars: 0 },
    ];

    pub(super) fn index(self) -> usize {
        match self {
            FieldProblem::Hidden => 0,
            FieldProblem::TooLong { .. } => 1,
            FieldProblem::NicknameMissing => 2,
            FieldProblem::NameMissing => 3,
            FieldProblem::AddressLine1Missing => 4,
            FieldProblem::CityMissing => 5,
            FieldProblem::CardNameMissing => 6,
            FieldProblem::EmailMissing => 7,
            FieldProblem::EmailInvalid => 8,
            FieldProblem::EmailTooLong => 9,
            FieldProblem::PhoneMissing => 10,
            FieldProblem::PhoneInvalid => 11,
            FieldProblem::ZipMissing => 12,
            FieldProblem::ZipInvalid => 13,
            FieldProblem::StateMissing => 14,
            FieldProblem::ResidentialMissing => 15,
            FieldProblem::CardNumberMissing => 16,
            FieldProblem::CardNumberNotDigits => 17,
            FieldProblem::CardNumberIncomplete => 18,
            FieldProblem::CardBrandNotAccepted => 19,
            FieldProblem::CardNumberWrongLength(brand) => 20 + brand.index(),
            FieldProblem::CardNumberTypo => AFTER_WRONG_LENGTH,
            FieldProblem::ExpiryMonthMissing => AFTER_WRONG_LENGTH + 1,
            FieldProblem::ExpiryMonthInvalid => AFTER_WRONG_LENGTH + 2,
            FieldProblem::ExpiryYearMissing => AFTER_WRONG_LENGTH + 3,
            FieldProblem::ExpiryYearInvalid => AFTER_WRONG_LENGTH + 4,
            FieldProblem::CardExpired => AFTER_WRONG_LENGTH + 5,
            FieldProblem::ExpiryTooFarAhead => AFTER_WRONG_LENGTH + 6,
            FieldProblem::TermsNotAccepted => AFTER_WRONG_LENGTH + 7,
            FieldProblem::CodeMissing => AFTER_WRONG_LENGTH + 8,
            FieldProblem::CodeNotDigits => AFTER_WRONG_LENGTH + 9,
            FieldProblem::CodeWrongLength => AFTER_WRONG_LENGTH + 10,
            FieldProblem::CodeWrong => AFTER_WRONG_LENGTH + 11,
            FieldProblem::UpstreamRequired => AFTER_WRONG_LENGTH + 12,
            FieldProblem::UpstreamLength => AFTER_WRONG_LENGTH + 13,
            FieldProblem::UpstreamRefused => AFTER_WRONG_LENGTH + 14,
            FieldProblem::UspsAddressNotFound => AFTER_WRONG_LENGTH + 15,
            FieldProblem::UspsZipUnknown => AFTER_WRONG_LENGTH + 16,
            FieldProblem::UspsAddressUnconfirmed => AFTER_WRONG_LENGTH + 17,
            FieldProblem::UsernameMissing => AFTER_WRONG_LENGTH + 18,
            FieldProblem::PasswordMissing => AFTER_WRONG_LENGTH + 19,
            FieldProblem::AmountNotChosen => AFTER_WRONG_LENGTH + 20,
            FieldProblem::AmountMissing => AFTER_WRONG_LENGTH + 21,
            FieldProblem::AmountInvalid => AFTER_WRONG_LENGTH + 22,
            FieldProblem::AmountTooSmall => AFTER_WRONG_LENGTH + 23,
            FieldProblem::AmountTooLarge { .. } => AFTER_WRONG_LENGTH + 24,
        }
    }
}

impl UpstreamProblem {
    #[cfg(feature = "ssr")]
    pub(super) const KINDS: &'static [UpstreamProblem] = &[
        UpstreamProblem::DetailsRefused,
        UpstreamProblem::NotSetUp,
        UpstreamProblem::RegistrationUnknown,
        UpstreamProblem::Unreachable,
        UpstreamProblem::NoAnswer,
        UpstreamProblem::Trouble,
        UpstreamProblem::RegistrationRefused,
        UpstreamProblem::CodeExpired,
        UpstreamProblem::StampsLoginRefused,
        UpstreamProblem::StampsAccountLocked,
        UpstreamProblem::StampsAlreadyConnected,
        UpstreamProblem::ConnectionUnknown,
    ];

    pub(super) fn index(self) -> usize {
        match self {
            UpstreamProblem::DetailsRefused => 0,
            UpstreamProblem::NotSetUp => 1,
            UpstreamProblem::RegistrationUnknown => 2,
            UpstreamProblem::Unreachable => 3,
            UpstreamProblem::NoAnswer => 4,
            UpstreamProblem::Trouble => 5,
            UpstreamProblem::RegistrationRefused => 6,
            UpstreamProblem::CodeExpired => 7,
            UpstreamProblem::StampsLoginRefused => 8,
            UpstreamProblem::StampsAccountLocked => 9,
            UpstreamProblem::StampsAlreadyConnected => 10,
            UpstreamProblem::ConnectionUnknown => 11,
        }
    }
}

impl AppError {
    /// One error of each kind but `Upstream`, which reads as its problem (its own table).
    #[cfg(feature = "ssr")]
    pub(super) fn kinds() -> Vec<AppError> {
        use crate::error::FieldErrors;
        vec![
            AppError::Invalid(FieldErrors::default()),
            AppError::OutcomeUnknown {
                reference: String::new(),
            },
            AppError::RegistrationInProgress,
            AppError::SentFromAnotherBrowser,
            AppError::RateLimited {
                retry_after_secs: 0,
            },
            AppError::TooManyWrongCodes,
            AppError::BadRequest,
            AppError::TooLarge,
            AppError::CrossSite,
            AppError::LinkRequired,
            AppError::Internal { reference: None },
            AppError::Unreachable,
        ]
    }

    /// The error's place among [`AppError::kinds`]; `None` for `Upstream`.
    pub(super) fn kind_index(&self) -> Option<usize> {
        Some(match self {
            AppError::Upstream { .. } => return None,
            AppError::Invalid(_) => 0,
            AppError::OutcomeUnknown { .. } => 1,
            AppError::RegistrationInProgress => 2,
            AppError::SentFromAnotherBrowser => 3,
            AppError::RateLimited { .. } => 4,
            AppError::TooManyWrongCodes => 5,
            AppError::BadRequest => 6,
            AppError::TooLarge => 7,
            AppError::CrossSite => 8,
            AppError::LinkRequired => 9,
            AppError::Internal { .. } => 10,
            AppError::Unreachable => 11,
        })
    }
}

impl WaitUnit {
    #[cfg(feature = "ssr")]
    pub(super) const ALL: [WaitUnit; 3] = [WaitUnit::Second, WaitUnit::Minute, WaitUnit::Hour];
}

impl Plural {
    pub(super) const ALL: [Plural; 2] = [Plural::One, Plural::Other];
}

/// A wait template's place: by unit, then one/other.
pub(super) fn wait_index(unit: WaitUnit, plural: Plural) -> usize {
    let unit = match unit {
        WaitUnit::Second => 0,
        WaitUnit::Minute => 1,
        WaitUnit::Hour => 2,
    };
    let plural = match plural {
        Plural::One => 0,
        Plural::Other => 1,
    };
    unit * Plural::ALL.len() + plural
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn each_list_and_its_index_agree() {
        for (i, &text) in Text::ALL.iter().enumerate() {
            assert_eq!(text.index(), i, "{text:?}");
        }
        for (i, &brand) in CardBrand::ALL.iter().enumerate() {
            assert_eq!(brand.index(), i, "{brand:?}");
        }
        for (i, &problem) in FieldProblem::KINDS.iter().enumerate() {
            assert_eq!(problem.index(), i, "{problem:?}");
        }
        for (i, &problem) in UpstreamProblem::KINDS.iter().enumerate() {
            assert_eq!(problem.index(), i, "{problem:?}");
        }
        for (i, error) in AppError::kinds().iter().enumerate() {
            assert_eq!(error.kind_index(), Some(i), "{error:?}");
        }
        let mut waits = vec![];
        for unit in WaitUnit::ALL {
            for plural in Plural::ALL {
                waits.push(wait_index(unit, plural));
            }
        }
        assert_eq!(
            waits,
            (0..WaitUnit::ALL.len() * Plural::ALL.len()).collect::<Vec<_>>()
        );
    }

    /// The lists hold every value the tests of `i18n` walk (which list every variant by an
    /// exhaustive `match`), brand-carrying problems once per brand.
    #[test]
    fn every_value_has_a_place_of_its_kind() {
        use crate::i18n::tests::{every_error, every_field_problem, every_upstream_problem};
        for problem in every_field_problem() {
            let kind = FieldProblem::KINDS[problem.index()];
            assert_eq!(
                std::mem::discriminant(&kind),
                std::mem::discriminant(&problem)
            );
            if let FieldProblem::CardNumberWrongLength(_) = problem {
                assert_eq!(kind, problem, "one place per brand");
            }
        }
        for problem in every_upstream_problem() {
            assert_eq!(UpstreamProblem::KINDS[problem.index()], problem);
        }
        for error in every_error() {
            match error.kind_index() {
                Some(i) => assert_eq!(
                    std::mem::discriminant(&AppError::kinds()[i]),
                    std::mem::discriminant(&error)
                ),
                None => assert!(matches!(error, AppError::Upstream { .. })),
            }
        }
        assert_eq!(
            FieldProblem::KINDS.len(),
            every_field_problem().len(),
            "one kind per value walked (the walk has one TooLong)"
        );
    }
}
