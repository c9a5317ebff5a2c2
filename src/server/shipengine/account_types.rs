//! The bodies of the calls around the account (API.md, "More endpoints around the account"),
//! field for field as ShipEngine's OpenAPI reference has them. Answers are read leniently: fields
//! beyond these are dropped, optional ones may be absent or null, enumerations are open sets.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::open_enum::open_enum;
use super::types::{CarrierId, Reply, reply};

/// The body of `POST /v1/connections/carriers/stamps_com` (`connect_stamps_request_body`).
/// `Debug` never shows the password.
#[derive(Clone, Serialize)]
pub struct ConnectStampsRequest {
    pub nickname: String,
    pub username: String,
    pub password: String,
}

impl fmt::Debug for ConnectStampsRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectStampsRequest")
            .field("nickname", &self.nickname)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// `200` of `POST /v1/connections/carriers/stamps_com` (`connect_account_response_body`).
#[derive(Clone, Debug, Deserialize)]
pub struct StampsConnected {
    pub carrier_id: CarrierId,
    #[serde(skip)]
    pub request_id: Option<String>,
}

/// `200` of `GET /v1/carriers/{carrier_id}` (`schemas/carrier.yaml`). Services, packages and
/// options are dropped.
#[derive(Clone, Debug, Deserialize)]
pub struct CarrierDetails {
    pub carrier_id: CarrierId,
    /// An open set: `stamps_com`, `ups`, …
    pub carrier_code: String,
    #[serde(default)]
    pub account_number: Option<String>,
    /// Postage must be bought before labels (true for Stamps.com).
    #[serde(default)]
    pub requires_funded_amount: Option<bool>,
    /// The postage balance in US dollars, e.g. `42.17`.
    #[serde(default)]
    pub balance: Option<f64>,
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub friendly_name: Option<String>,
    #[serde(default)]
    pub primary: Option<bool>,
    #[serde(default)]
    pub funding_source_id: Option<String>,
    #[serde(skip)]
    pub request_id: Option<String>,
}

/// An amount of money (`monetary_value`). Stamps.com balances are in US dollars only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Money {
    /// ISO 4217, lower case as ShipEngine writes it (`usd`).
    pub currency: String,
    pub amount: f64,
}

impl Money {
    /// ShipEngine's documented minimum for adding funds.
    pub const MIN_FUNDS_USD: f64 = 10.0;

    pub fn usd(amount: f64) -> Self {
        Self {
            currency: "usd".to_owned(),
            amount,
        }
    }
}

/// `200` of `PUT /v1/carriers/{carrier_id}/add_funds`: the balance after the charge.
#[derive(Clone, Debug, Deserialize)]
pub struct FundsAdded {
    pub balance: Money,
    #[serde(skip)]
    pub request_id: Option<String>,
}

open_enum! {
    /// The pages of a Stamps.com account a link can open (the spec's `url_type`).
    pub enum AccountUrlType {
        AccountSettings = "account_settings",
        ReportBalances = "report_balances",
        ManifestForm = "manifest_form",
        PaymentMethods = "payment_methods",
    }
}

/// The body of `PUT …/stamps_com/{carrier_id}/request_account_url`.
#[derive(Serialize)]
pub(super) struct AccountUrlsRequest<'a> {
    pub(super) url_types: &'a [AccountUrlType],
}

/// `200` of `PUT …/stamps_com/{carrier_id}/request_account_url`.
#[derive(Clone, Debug, Deserialize)]
pub struct AccountUrls {
    pub urls: Vec<AccountUrl>,
    #[serde(skip)]
    pub request_id: Option<String>,
}

/// A link into the Stamps.com account. It signs its holder in, so `Debug` shows its type only.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct AccountUrl {
    pub url_type: AccountUrlType,
    pub url: String,
}

impl fmt::Debug for AccountUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountUrl")
            .field("url_type", &self.url_type)
            .finish_non_exhaustive()
    }
}

open_enum! {
    pub enum AddressResidentialIndicator {
        Yes = "yes",
        No = "no",
        Unknown = "unknown",
    }
}

/// An address as address validation takes and gives it (`address_to_validate`, `address`).
/// To validate, `address_line1`, `city_locality`, `state_province` and `country_code` are
/// required. Absent fields are not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city_locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_province: Option<String>,
    /// The spec's own example answers it as a number (`91521`): read either way.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "text_or_number"
    )]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_residential_indicator: Option<AddressResidentialIndicator>,
}

fn text_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(
        Option::<TextOrNumber>::deserialize(deserializer)?.map(|value| match value {
            TextOrNumber::Text(text) => text,
            TextOrNumber::Number(number) => number.to_string(),
        }),
    )
}

open_enum! {
    pub enum AddressValidationStatus {
        Verified = "verified",
        Unverified = "unverified",
        Warning = "warning",
        Error = "error",
    }
}

open_enum! {
    pub enum AddressMessageType {
        Error = "error",
        Warning = "warning",
        Info = "info",
    }
}

/// One `response_message`. `code` (`a1000`…) and `detail_code` (`invalid_postal_code`, …) are
/// long open lists, kept as text; `message` is not stable text.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AddressMessage {
    pub code: String,
    pub message: String,
    #[serde(rename = "type")]
    pub message_type: AddressMessageType,
    #[serde(default)]
    pub detail_code: Option<String>,
}

/// One `address_validation_result`, in the order the addresses were sent.
#[derive(Clone, Debug, Deserialize)]
pub struct AddressValidation {
    pub status: AddressValidationStatus,
    pub original_address: Address,
    /// ShipEngine's corrected address; `None` when nothing matched.
    #[serde(default)]
    pub matched_address: Option<Address>,
    #[serde(default)]
    pub messages: Vec<AddressMessage>,
}

/// `200` of `POST /v1/addresses/validate`: a JSON array, one result per address sent.
#[derive(Clone, Debug, Deserialize)]
#[serde(transparent)]
pub struct AddressValidations {
    pub results: Vec<AddressValidation>,
    #[serde(skip)]
    pub request_id: Option<String>,
}

reply!(
    StampsConnected,
    CarrierDetails,
    FundsAdded,
    AccountUrls,
    AddressValidations
);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn connect_request_sends_the_three_fields_and_debug_hides_the_password() {
        let request = ConnectStampsRequest {
            nickname: "My shop".into(),
            username: "merchant".into(),
            password: "s3cret-pa55".into(),
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"nickname": "My shop", "username": "merchant", "password": "s3cret-pa55"})
        );
        for debug in [format!("{request:?}"), format!("{request:#?}")] {
            assert!(!debug.contains("s3cret"), "{debug}");
            assert!(debug.contains("merchant"), "{debug}");
        }
    }

    #[test]
    fn a_carrier_reads_the_reference_example_and_tolerates_nulls_and_extras() {
        // `schemas/carrier.yaml`'s example values.
        let carrier: CarrierDetails = serde_json::from_value(json!({
            "carrier_id": "se-28529731",
            "carrier_code": "stamps_com",
            "account_number": "account_570827",
            "requires_funded_amount": true,
            "balance": 3799.52,
            "nickname": "ShipEngine Account - Stamps.com",
            "friendly_name": "Stamps.com",
            "primary": true,
            "has_multi_package_supporting_services": true,
            "supports_label_messages": true,
            "funding_source_id": null,
            "services": [{"service_code": "usps_first_class_mail"}],
            "packages": [],
            "options": []
        }))
        .unwrap();
        assert_eq!(carrier.carrier_id.as_str(), "se-28529731");
        assert_eq!(carrier.balance, Some(3799.52));
        assert_eq!(carrier.requires_funded_amount, Some(true));
        assert_eq!(carrier.funding_source_id, None);
        let bare: CarrierDetails =
            serde_json::from_value(json!({"carrier_id": "se-1", "carrier_code": "ups"})).unwrap();
        assert_eq!(bare.balance, None);
    }

    #[test]
    fn add_funds_sends_usd_and_reads_the_balance() {
        assert_eq!(
            serde_json::to_value(Money::usd(25.0)).unwrap(),
            json!({"currency": "usd", "amount": 25.0})
        );
        let added: FundsAdded =
            serde_json::from_value(json!({"balance": {"currency": "usd", "amount": 67.17}}))
                .unwrap();
        assert_eq!(added.balance, Money::usd(67.17));
    }

    #[test]
    fn account_urls_round_trip_the_enumeration_and_hide_the_link_in_debug() {
        let request = AccountUrlsRequest {
            url_types: &[
                AccountUrlType::AccountSettings,
                AccountUrlType::PaymentMethods,
            ],
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"url_types": ["account_settings", "payment_methods"]})
        );
        let urls: AccountUrls = serde_json::from_value(json!({"urls": [
            {"url_type": "report_balances", "url": "https://example.test/r?token=abc"},
            {"url_type": "new_page", "url": "https://example.test/n?token=def"}
        ]}))
        .unwrap();
        assert_eq!(urls.urls[0].url_type, AccountUrlType::ReportBalances);
        assert_eq!(
            urls.urls[1].url_type,
            AccountUrlType::Other("new_page".into())
        );
        let debug = format!("{urls:?}");
        assert!(!debug.contains("token"), "{debug}");
    }

    #[test]
    fn address_validation_reads_the_reference_examples() {
        // `POST /v1/addresses/validate`'s two response examples, verbatim.
        let verified: AddressValidations = serde_json::from_value(json!([{
            "status": "verified",
            "original_address": {"name": "Mickey and Minnie Mouse", "phone": "714-781-4565",
                "company_name": "The Walt Disney Company",
                "address_line1": "500 South Buena Vista Street", "address_line2": null,
                "address_line3": null, "city_locality": "Burbank", "state_province": "CA",
                "postal_code": 91521, "country_code": "US",
                "address_residential_indicator": "unknown"},
            "matched_address": {"name": "MICKEY AND MINNIE MOUSE", "phone": "714-781-4565",
                "company_name": "THE WALT DISNEY COMPANY", "address_line1": "500 S BUENA VISTA ST",
                "address_line2": null, "address_line3": null, "city_locality": "BURBANK",
                "state_province": "CA", "postal_code": "91521-0007", "country_code": "US",
                "address_residential_indicator": "no"},
            "messages": []
        }]))
        .unwrap();
        let result = &verified.results[0];
        assert_eq!(result.status, AddressValidationStatus::Verified);
        assert_eq!(
            result.original_address.postal_code.as_deref(),
            Some("91521")
        );
        let matched = result.matched_address.as_ref().unwrap();
        assert_eq!(matched.postal_code.as_deref(), Some("91521-0007"));
        assert_eq!(
            matched.address_residential_indicator,
            Some(AddressResidentialIndicator::No)
        );

        let unverified: AddressValidations = serde_json::from_value(json!([{
            "status": "unverified",
            "original_address": {"name": null, "phone": null, "company_name": null,
                "address_line1": null, "address_line2": null, "address_line3": null,
                "city_locality": null, "state_province": null, "postal_code": null,
                "country_code": null, "address_residential_indicator": "unknown"},
            "matched_address": null,
            "messages": [{"code": "a1001",
                "message": "country_code is not currently a supported country please check the documentation for acceptable 2-letter country codes.",
                "type": "error", "detail_code": "unsupported_country"}]
        }]))
        .unwrap();
        let result = &unverified.results[0];
        assert_eq!(result.status, AddressValidationStatus::Unverified);
        assert!(result.matched_address.is_none());
        assert_eq!(result.messages[0].message_type, AddressMessageType::Error);
        assert_eq!(
            result.messages[0].detail_code.as_deref(),
            Some("unsupported_country")
        );
    }

    #[test]
    fn an_address_to_validate_leaves_out_what_is_absent() {
        let address = Address {
            address_line1: Some("4009 Marathon Blvd".into()),
            city_locality: Some("Austin".into()),
            state_province: Some("TX".into()),
            postal_code: Some("78756".into()),
            country_code: Some("US".into()),
            ..Address::default()
        };
        assert_eq!(
            serde_json::to_value(&address).unwrap(),
            json!({"address_line1": "4009 Marathon Blvd", "city_locality": "Austin",
                   "state_province": "TX", "postal_code": "78756", "country_code": "US"})
        );
    }
}
