//! The bodies of the three calls, field for field as ShipEngine documents them (API.md §1–3),
//! and the ids that travel between them.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::open_enum::open_enum;
use crate::fields::card::CardBrand;

/// The body of `POST /v1/registration/stamps_com`.
#[derive(Clone, Debug, Serialize)]
pub struct RegisterRequest {
    pub nickname: String,
    pub email: String,
    /// ShipEngine refuses the registration unless this is `true`.
    pub agree_to_carrier_terms: bool,
    pub address: RegistrationAddress,
    pub credit_card: CreditCard,
}

#[derive(Clone, Debug, Serialize)]
pub struct RegistrationAddress {
    pub name: String,
    pub phone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    pub address_line1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    pub city_locality: String,
    pub state_province: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, e.g. `US`.
    pub country_code: String,
    pub address_residential_indicator: ResidentialIndicator,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResidentialIndicator {
    Yes,
    No,
    Unknown,
}

/// The card Stamps.com bills. `Debug` shows the brand and the last four digits only.
#[derive(Clone, Serialize)]
pub struct CreditCard {
    /// The cardholder's name.
    pub name: String,
    pub number: String,
    #[serde(rename = "type")]
    pub card_type: CardType,
    /// Four digits, e.g. `"2025"`.
    pub expiration_year: String,
    /// Two digits, e.g. `"07"`.
    pub expiration_month: String,
}

/// The spec's lower-case values; the guide's example sends `"Visa"`, but the spec enum is what
/// the simulator and the real API both accept (API.md §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardType {
    Visa,
    MasterCard,
    AmericanExpress,
    Discover,
}

impl From<CardBrand> for CardType {
    fn from(brand: CardBrand) -> Self {
        match brand {
            CardBrand::Visa => Self::Visa,
            CardBrand::Mastercard => Self::MasterCard,
            CardBrand::Amex => Self::AmericanExpress,
            CardBrand::Discover => Self::Discover,
        }
    }
}

impl fmt::Debug for CreditCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreditCard")
            .field("type", &self.card_type)
            .field("number", &MaskedCardNumber(&self.number))
            .finish_non_exhaustive()
    }
}

struct MaskedCardNumber<'a>(&'a str);

impl fmt::Debug for MaskedCardNumber<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The last four of a short (malformed) number would be most of it: show none then.
        const SHORTEST_WITH_LAST_FOUR_SHOWN: usize = 12;
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < SHORTEST_WITH_LAST_FOUR_SHOWN {
            return f.write_str("\"****\"");
        }
        let last_four: String = chars[chars.len() - 4..].iter().collect();
        write!(f, "\"****{}\"", last_four.escape_debug())
    }
}

/// The body of `POST …/verification`: only SMS is supported upstream.
#[derive(Serialize)]
pub(super) struct VerificationCodeRequest<'a> {
    phone: &'a str,
    verification_type: &'static str,
}

impl<'a> VerificationCodeRequest<'a> {
    pub(super) fn sms(phone: &'a str) -> Self {
        Self {
            phone,
            verification_type: "sms",
        }
    }
}

/// The body of `PUT …/verification/:verification_id`.
#[derive(Serialize)]
pub(super) struct VerificationCodeSubmission<'a> {
    pub(super) verification_code: &'a str,
}

/// A success body, with ShipEngine's request id from the answer's header added.
pub(super) trait Reply: DeserializeOwned {
    fn with_request_id(self, request_id: Option<String>) -> Self;
}

macro_rules! reply {
    ($($name:ident),*) => {$(
        impl Reply for $name {
            fn with_request_id(self, request_id: Option<String>) -> Self {
                Self { request_id, ..self }
            }
        }
    )*};
}

pub(super) use reply;

reply!(
    Registered,
    VerificationStarted,
    VerificationResult,
    CarrierList
);

/// `200` of `POST /v1/registration/stamps_com`.
#[derive(Clone, Debug, Deserialize)]
pub struct Registered {
    pub carrier_id: CarrierId,
    /// From `x-shipengine-requestid`: the reference to give ShipEngine about this call.
    #[serde(skip)]
    pub request_id: Option<String>,
}

/// `200` of `POST …/verification`: a text message is on its way.
#[derive(Clone, Debug, Deserialize)]
pub struct VerificationStarted {
    pub phone: String,
    pub verification_id: VerificationId,
    /// Documented as `"sms/voice"` or `"sms"`: informative only.
    pub verification_method: Option<String>,
    pub status: VerificationStatus,
    #[serde(skip)]
    pub request_id: Option<String>,
}

/// `200` of `PUT …/verification/:verification_id`.
#[derive(Clone, Debug, Deserialize)]
pub struct VerificationResult {
    pub phone: Option<String>,
    pub verification_id: VerificationId,
    pub verification_method: Option<String>,
    pub status: VerificationStatus,
    #[serde(skip)]
    pub request_id: Option<String>,
}

/// `200` of `GET /v1/carriers`. Only the fields the app uses are read; the others (balance,
/// services, packages, …) are tolerated and dropped.
#[derive(Clone, Debug, Deserialize)]
pub struct CarrierList {
    pub carriers: Vec<Carrier>,
    #[serde(skip)]
    pub request_id: Option<String>,
}

/// One carrier of the account. An id of another shape fails the whole list: a list read in
/// part could hide the account a registration opened.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Carrier {
    pub carrier_id: CarrierId,
    /// An open set: `stamps_com`, `ups`, `fedex`, …
    pub carrier_code: String,
    /// The name given when the account was opened or connected; may be absent or null.
    #[serde(default)]
    pub nickname: Option<String>,
}

impl Carrier {
    /// The carrier code of a Stamps.com account.
    pub const STAMPS_COM: &'static str = "stamps_com";
}

open_enum! {
    /// Only `unverified` and `verified` are documented (research notes §8).
    pub enum VerificationStatus {
        Unverified = "unverified",
        Verified = "verified",
    }
}

/// An id that did not have the documented shape. The value is not echoed: it may be anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid ShipEngine {0}")]
pub struct InvalidId(&'static str);

/// An id that came from ShipEngine and goes back into a URL path. It can only be built from a
/// value of the documented shape, so no id can add a path segment, a query or an escape.
macro_rules! path_safe_id {
    ($(#[$meta:meta])* $name:ident, $what:literal, $is_valid:path) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, InvalidId> {
                Self::try_from(raw.to_owned())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;

            fn try_from(raw: String) -> Result<Self, InvalidId> {
                if $is_valid(&raw) { Ok(Self(raw)) } else { Err(InvalidId($what)) }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

path_safe_id!(
    /// A carrier id such as `se-123890`: the spec's `se_id`, `^se(-[a-z0-9]+)+$`, at most 25
    /// characters.
    CarrierId,
    "carrier id",
    is_carrier_id
);

path_safe_id!(
    /// A verification id such as `vfn_base58encodedguid`: letters, digits, `_` and `-`.
    VerificationId,
    "verification id",
    is_verification_id
);

fn is_carrier_id(raw: &str) -> bool {
    const MAX_LEN: usize = 25;
    raw.len() <= MAX_LEN
        && raw.strip_prefix("se-").is_some_and(|parts| {
            parts.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
            })
        })
}

fn is_verification_id(raw: &str) -> bool {
    // Undocumented length; generous, but bounded so a hostile answer cannot grow a URL.
    const MAX_LEN: usize = 128;
    !raw.is_empty()
        && raw.len() <= MAX_LEN
        && raw
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const CARD_NUMBER: &str = "4111111111111111";

    fn guide_request() -> RegisterRequest {
        RegisterRequest {
            nickname: "My Stamps.com account".into(),
            email: "john.doe@example.com".into(),
            agree_to_carrier_terms: true,
            address: RegistrationAddress {
                name: "John Doe".into(),
                phone: "111-111-1111".into(),
                company_name: Some("Example Corp.".into()),
                address_line1: "4009 Marathon Blvd".into(),
                address_line2: Some("Suite 300".into()),
                city_locality: "Austin".into(),
                state_province: "TX".into(),
                postal_code: "78756".into(),
                country_code: "US".into(),
                address_residential_indicator: ResidentialIndicator::No,
            },
            credit_card: CreditCard {
                name: "my credit card".into(),
                number: CARD_NUMBER.into(),
                card_type: CardType::Visa,
                expiration_year: "2025".into(),
                expiration_month: "07".into(),
            },
        }
    }

    #[test]
    fn register_request_serializes_to_the_guide_example_with_the_spec_card_type() {
        let expected = json!({
            "nickname": "My Stamps.com account",
            "email": "john.doe@example.com",
            "agree_to_carrier_terms": true,
            "address": {
                "name": "John Doe",
                "phone": "111-111-1111",
                "company_name": "Example Corp.",
                "address_line1": "4009 Marathon Blvd",
                "address_line2": "Suite 300",
                "city_locality": "Austin",
                "state_province": "TX",
                "postal_code": "78756",
                "country_code": "US",
                "address_residential_indicator": "no"
            },
            "credit_card": {
                "name": "my credit card",
                "number": "4111111111111111",
                "type": "visa",
                "expiration_year": "2025",
                "expiration_month": "07"
            }
        });
        assert_eq!(serde_json::to_value(guide_request()).unwrap(), expected);
    }

    #[test]
    fn register_request_omits_absent_optional_address_lines() {
        let mut request = guide_request();
        request.address.company_name = None;
        request.address.address_line2 = None;
        let value = serde_json::to_value(&request).unwrap();
        let address = value["address"].as_object().unwrap();
        assert!(!address.contains_key("company_name"));
        assert!(!address.contains_key("address_line2"));
        assert_eq!(address.len(), 8);
    }

    #[test]
    fn card_types_and_residential_indicators_use_the_spec_values() {
        for (card_type, wire) in [
            (CardType::Visa, "visa"),
            (CardType::MasterCard, "master_card"),
            (CardType::AmericanExpress, "american_express"),
            (CardType::Discover, "discover"),
        ] {
            assert_eq!(serde_json::to_value(card_type).unwrap(), json!(wire));
        }
        for (indicator, wire) in [
            (ResidentialIndicator::Yes, "yes"),
            (ResidentialIndicator::No, "no"),
            (ResidentialIndicator::Unknown, "unknown"),
        ] {
            assert_eq!(serde_json::to_value(indicator).unwrap(), json!(wire));
        }
    }

    #[test]
    fn card_brands_map_to_the_same_api_value_the_form_module_documents() {
        for brand in [
            CardBrand::Visa,
            CardBrand::Mastercard,
            CardBrand::Amex,
            CardBrand::Discover,
        ] {
            assert_eq!(
                serde_json::to_value(CardType::from(brand)).unwrap(),
                json!(brand.api_value())
            );
        }
    }

    #[test]
    fn debug_shows_card_brand_and_last_four_only() {
        let request = guide_request();
        for debug in [
            format!("{:?}", request.credit_card),
            format!("{request:?}"),
            format!("{request:#?}"),
        ] {
            assert!(!debug.contains(CARD_NUMBER), "{debug}");
            assert!(!debug.contains("411111"), "{debug}");
            assert!(!debug.contains("my credit card"), "{debug}");
            assert!(!debug.contains("2025"), "{debug}");
            assert!(debug.contains("Visa"), "{debug}");
            assert!(debug.contains("****1111"), "{debug}");
        }
    }

    #[test]
    fn debug_of_a_short_card_number_shows_no_digits() {
        let mut card = guide_request().credit_card;
        card.number = "12345678".into();
        let debug = format!("{card:?}");
        assert!(!debug.contains("5678"), "{debug}");
    }

    #[test]
    fn carrier_id_accepts_the_spec_shape() {
        for raw in [
            "se-123890",
            "se-28529731",
            "se-abc-123",
            "se-1",
            "se-1234567890123456789012",
        ] {
            assert_eq!(CarrierId::parse(raw).unwrap().as_str(), raw);
        }
    }

    #[test]
    fn carrier_id_refuses_anything_that_could_change_the_path() {
        for raw in [
            "",
            "se",
            "se-",
            "se--1",
            "se-1-",
            "SE-1",
            "se_1",
            "se-A1",
            "se-1/../../registration/stamps_com",
            "se-1/verification",
            "se-1?x=1",
            "se-1#x",
            "se-1%2F",
            "se-1 ",
            "se-..",
            "se-12345678901234567890123",
        ] {
            assert_eq!(
                CarrierId::parse(raw),
                Err(InvalidId("carrier id")),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn verification_id_accepts_base58_style_ids_and_refuses_path_characters() {
        assert!(VerificationId::parse("vfn_base58encodedguid").is_ok());
        assert!(VerificationId::parse("vfn-7Yh3_x").is_ok());
        for raw in [
            "",
            "..",
            "vfn/..",
            "vfn_1?x",
            "vfn 1",
            "vfn%2F",
            "vfn_é",
            &"a".repeat(129),
        ] {
            assert!(VerificationId::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn ids_round_trip_through_json_and_refuse_bad_shapes_when_decoding() {
        let id: CarrierId = serde_json::from_value(json!("se-123890")).unwrap();
        assert_eq!(serde_json::to_value(&id).unwrap(), json!("se-123890"));
        assert!(serde_json::from_value::<CarrierId>(json!("se-1/../x")).is_err());
        assert!(serde_json::from_value::<VerificationId>(json!("a/b")).is_err());
    }

    #[test]
    fn verification_responses_tolerate_extra_fields_and_unknown_statuses() {
        let started: VerificationStarted = serde_json::from_value(json!({
            "phone": "5121112222",
            "verification_id": "vfn_base58encodedguid",
            "verification_method": "sms/voice",
            "status": "unverified",
            "expires_at": "2030-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(started.status, VerificationStatus::Unverified);
        assert_eq!(started.verification_method.as_deref(), Some("sms/voice"));

        let result: VerificationResult = serde_json::from_value(json!({
            "verification_id": "vfn_base58encodedguid",
            "status": "pending_review"
        }))
        .unwrap();
        assert_eq!(
            result.status,
            VerificationStatus::Other("pending_review".into())
        );
        assert_eq!(result.phone, None);
        assert_eq!(result.verification_method, None);
    }
}
