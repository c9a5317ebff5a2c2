//! What is wrong with a field, as a code: the rules return these, the language catalog
//! (`crate::i18n`) words them. A code where two rules once said different sentences stays two
//! codes, so each language can say them apart too.

use serde::{Deserialize, Serialize};

use super::card::CardBrand;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldProblem {
    /// A control character or an invisible reordering mark (see `text::is_hidden`).
    Hidden,
    /// More than `max` characters.
    TooLong {
        max: u32,
    },
    NicknameMissing,
    NameMissing,
    AddressLine1Missing,
    CityMissing,
    CardNameMissing,
    EmailMissing,
    EmailInvalid,
    /// More than the 254 characters an address may have.
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
    /// The brand is known, the length is not one of its lengths.
    CardNumberWrongLength(CardBrand),
    /// The Luhn check failed.
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
    /// ShipEngine said the code is not the one it sent.
    CodeWrong,
    /// ShipEngine: a required field was missing.
    UpstreamRequired,
    /// ShipEngine: a field's length was refused.
    UpstreamLength,
    /// ShipEngine refused a field for another reason.
    UpstreamRefused,
    /// USPS has no record of the address (`address_not_found`).
    UspsAddressNotFound,
    /// USPS does not know the ZIP code (`invalid_postal_code`).
    UspsZipUnknown,
    /// USPS could not confirm the address, for another reason.
    UspsAddressUnconfirmed,
    /// The Stamps.com username of the account to connect.
    UsernameMissing,
    /// The Stamps.com password of the account to connect.
    PasswordMissing,
    /// "Add postage": neither a preset nor "Other amount" was chosen.
    AmountNotChosen,
    /// "Other amount" was chosen and nothing typed.
    AmountMissing,
    /// Not dollars and cents.
    AmountInvalid,
    /// Under ShipEngine's minimum, $10.00.
    AmountTooSmall,
    /// Over `FUNDING_MAX_USD`.
    AmountTooLarge {
        max_dollars: u32,
    },
}
