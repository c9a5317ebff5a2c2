//! Request bodies of the calls around the account: connecting a Stamps.com login, adding funds,
//! links into the account and address validation. Same rules as [`super::validation`]: every
//! problem at once, each naming its field (`amount`, `url_types[1]`, `[0].country_code`).

use serde_json::Value;

use super::envelope::{ApiError, ErrorCode, ErrorDetail};
use super::funds::dollars;
use super::validation::{Fields, Object, finish, is_digits};

/// `POST /v1/connections/carriers/stamps_com` (`connect_stamps_request_body`).
pub(crate) struct Credentials<'a> {
    pub nickname: &'a str,
    pub username: &'a str,
    pub password: &'a str,
}

pub(crate) fn check_connection(body: &Object) -> Result<Credentials<'_>, ApiError> {
    let mut errors = Vec::new();
    let mut fields = Fields::new(body, "", &mut errors);
    let nickname = fields.required_string("nickname");
    let username = fields.required_string("username");
    let password = fields.required_string("password");
    fields.reject_unknown();
    let credentials = match (nickname, username, password) {
        (Some(nickname), Some(username), Some(password)) => Some(Credentials {
            nickname,
            username,
            password,
        }),
        _ => None,
    };
    finish(errors, credentials)
}

/// ShipEngine's documented minimum for adding funds to a carrier.
pub(crate) const MIN_FUNDS_CENTS: u64 = 1_000;
/// The simulator's own ceiling for one charge (ShipEngine documents none): large enough for any
/// real top-up, small enough that a typo of a few zeros is refused.
pub(crate) const MAX_FUNDS_CENTS: u64 = 500_000;

/// `PUT /v1/carriers/{carrier_id}/add_funds` (`money_request_body`): the amount in cents.
pub(crate) fn check_money(body: &Object) -> Result<u64, ApiError> {
    let mut errors = Vec::new();
    let mut fields = Fields::new(body, "", &mut errors);
    fields.required_matching(
        "currency",
        |currency| currency.eq_ignore_ascii_case("usd"),
        "must be usd, the currency of a Stamps.com balance",
    );
    let cents = match fields.raw("amount") {
        None => {
            fields.report(ErrorCode::FieldValueRequired, "amount", "is required");
            None
        }
        Some(amount) => match amount.as_f64().map(to_cents) {
            Some(Some(cents)) if (MIN_FUNDS_CENTS..=MAX_FUNDS_CENTS).contains(&cents) => {
                Some(cents)
            }
            Some(Some(_)) => {
                fields.invalid(
                    "amount",
                    &format!(
                        "must be between {} and {}",
                        dollars(MIN_FUNDS_CENTS),
                        dollars(MAX_FUNDS_CENTS)
                    ),
                );
                None
            }
            Some(None) => {
                fields.invalid(
                    "amount",
                    "must be a positive amount with at most two decimals",
                );
                None
            }
            None => {
                fields.invalid("amount", "must be a number");
                None
            }
        },
    };
    fields.reject_unknown();
    finish(errors, cents)
}

/// Whole cents, when `amount` is a non-negative amount with at most two decimals.
fn to_cents(amount: f64) -> Option<u64> {
    let cents = amount * 100.0;
    let whole = cents.round();
    let exact = (cents - whole).abs() < 1e-6;
    (amount.is_finite() && amount >= 0.0 && exact && whole < u64::MAX as f64)
        .then_some(whole as u64)
}

/// The spec's `url_type` enumeration for Stamps.com account links.
pub(crate) const URL_TYPES: [&str; 4] = [
    "account_settings",
    "report_balances",
    "manifest_form",
    "payment_methods",
];

/// `PUT …/stamps_com/{carrier_id}/request_account_url` (`stamps_account_urls_request_body`).
pub(crate) fn check_url_types(body: &Object) -> Result<Vec<&str>, ApiError> {
    let mut errors = Vec::new();
    let mut fields = Fields::new(body, "", &mut errors);
    let listed = match fields.raw("url_types") {
        None => {
            fields.report(ErrorCode::FieldValueRequired, "url_types", "is required");
            None
        }
        Some(Value::Array(items)) if items.is_empty() => {
            fields.report(
                ErrorCode::FieldValueRequired,
                "url_types",
                "must list at least one url type",
            );
            None
        }
        Some(Value::Array(items)) => Some(items),
        Some(_) => {
            fields.invalid("url_types", "must be an array");
            None
        }
    };
    fields.reject_unknown();
    let mut url_types = Vec::new();
    for (index, item) in listed.into_iter().flatten().enumerate() {
        match item.as_str().filter(|kind| URL_TYPES.contains(kind)) {
            Some(kind) => url_types.push(kind),
            None => errors.push(ErrorDetail::field(
                ErrorCode::InvalidFieldValue,
                &format!("url_types[{index}]"),
                format!(
                    "url_types[{index}] must be one of {}.",
                    URL_TYPES.join(", ")
                ),
            )),
        }
    }
    finish(errors, Some(url_types))
}

/// ShipEngine validates at most this many addresses per call.
pub(crate) const MAX_ADDRESSES: usize = 250;

/// `POST /v1/addresses/validate` (`validate_address_request_body`): a JSON array of
/// `address_to_validate`, each checked as `[index].field`.
pub(crate) fn check_addresses(raw: &[u8]) -> Result<Vec<Object>, ApiError> {
    if raw.trim_ascii().is_empty() {
        return Err(ApiError::request_body_required());
    }
    let items = match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Array(items)) => items,
        Ok(Value::Null) => return Err(ApiError::request_body_required()),
        Ok(_) => {
            return Err(ApiError::invalid_body(
                "The request body must be a JSON array of addresses.",
            ));
        }
        Err(error) => {
            return Err(ApiError::invalid_body(format!(
                "The request body is not valid JSON: {error}."
            )));
        }
    };
    if items.is_empty() || items.len() > MAX_ADDRESSES {
        return Err(ApiError::invalid_body(format!(
            "The request body must list from 1 to {MAX_ADDRESSES} addresses."
        )));
    }
    let mut errors = Vec::new();
    let mut addresses = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Value::Object(address) => {
                check_address_to_validate(&address, index, &mut errors);
                addresses.push(address);
            }
            _ => errors.push(ErrorDetail::field(
                ErrorCode::InvalidFieldValue,
                &format!("[{index}]"),
                format!("[{index}] must be an address object."),
            )),
        }
    }
    finish(errors, Some(addresses))
}

fn check_address_to_validate(address: &Object, index: usize, errors: &mut Vec<ErrorDetail>) {
    let mut fields = Fields::new(address, format!("[{index}]"), errors);
    for optional in [
        "name",
        "phone",
        "email",
        "company_name",
        "address_line2",
        "address_line3",
    ] {
        fields.optional_string(optional);
    }
    fields.required_string("address_line1");
    fields.required_string("city_locality");
    fields.required_string("state_province");
    fields.required_matching(
        "country_code",
        |code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()),
        "must be a two-letter ISO 3166-1 country code",
    );
    // The spec's own example sends the postal code as a number.
    match fields.raw("postal_code") {
        None | Some(Value::String(_)) => {}
        Some(Value::Number(number)) if number.as_u64().is_some() => {}
        Some(_) => fields.invalid("postal_code", "must be a string"),
    }
    if let Some(indicator) = fields.optional_string("address_residential_indicator")
        && !["yes", "no", "unknown"].contains(&indicator)
    {
        fields.invalid(
            "address_residential_indicator",
            "must be one of yes, no, unknown",
        );
    }
    fields.reject_unknown();
}

/// Whether `postal_code` starts with five digits (`78756`, `78756-3915`).
pub(crate) fn zip5(postal_code: &str) -> Option<&str> {
    postal_code.get(..5).filter(|digits| is_digits(digits))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Object {
        match value {
            Value::Object(object) => object,
            _ => Object::new(),
        }
    }

    fn fields_of(error: ApiError) -> Vec<(ErrorCode, String)> {
        error
            .errors
            .into_iter()
            .map(|d| (d.error_code, d.field_name.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn a_connection_needs_all_three_fields_and_no_other() {
        let body = object(json!({"nickname": "Shop", "username": "u", "password": "p"}));
        assert!(check_connection(&body).is_ok());
        let bad = object(json!({"nickname": "Shop", "username": " ", "pin": "1"}));
        let fields = check_connection(&bad).err().map(fields_of);
        assert_eq!(
            fields,
            Some(vec![
                (ErrorCode::FieldValueRequired, "username".into()),
                (ErrorCode::FieldValueRequired, "password".into()),
                (ErrorCode::InvalidFieldValue, "pin".into()),
            ])
        );
    }

    #[test]
    fn money_is_usd_between_the_minimum_and_the_ceiling_in_whole_cents() {
        let cents = |body: Value| check_money(&object(body));
        assert_eq!(
            cents(json!({"currency": "usd", "amount": 25.0})).ok(),
            Some(2500)
        );
        assert_eq!(
            cents(json!({"currency": "USD", "amount": 10.1})).ok(),
            Some(1010)
        );
        assert_eq!(
            cents(json!({"currency": "usd", "amount": 5000})).ok(),
            Some(500_000)
        );
        for (body, field) in [
            (json!({"currency": "usd", "amount": 9.99}), "amount"),
            (json!({"currency": "usd", "amount": 5000.01}), "amount"),
            (json!({"currency": "usd", "amount": 10.001}), "amount"),
            (json!({"currency": "usd", "amount": "25"}), "amount"),
            (json!({"currency": "eur", "amount": 25}), "currency"),
        ] {
            let fields = cents(body.clone()).err().map(fields_of);
            assert_eq!(
                fields,
                Some(vec![(ErrorCode::InvalidFieldValue, field.into())]),
                "{body}"
            );
        }
        let missing = cents(json!({})).err().map(fields_of);
        assert_eq!(
            missing,
            Some(vec![
                (ErrorCode::FieldValueRequired, "currency".into()),
                (ErrorCode::FieldValueRequired, "amount".into()),
            ])
        );
    }

    #[test]
    fn url_types_come_from_the_spec_enumeration() {
        let types = |body: Value| check_url_types(&object(body)).map(|types| types.join(","));
        let ok = types(json!({"url_types": ["account_settings", "payment_methods"]}));
        assert_eq!(ok.ok().as_deref(), Some("account_settings,payment_methods"));
        let bad = types(json!({"url_types": ["account_settings", "home"]}));
        assert_eq!(
            bad.err().map(fields_of),
            Some(vec![(ErrorCode::InvalidFieldValue, "url_types[1]".into())])
        );
        let empty = types(json!({"url_types": []}));
        assert_eq!(
            empty.err().map(fields_of),
            Some(vec![(ErrorCode::FieldValueRequired, "url_types".into())])
        );
    }

    #[test]
    fn addresses_are_an_array_checked_item_by_item() {
        let raw = json!([
            {"address_line1": "4009 Marathon Blvd", "city_locality": "Austin",
             "state_province": "TX", "postal_code": 78756, "country_code": "US"},
            {"address_line1": "x", "state_province": "TX", "country_code": "USA", "color": 1},
            "not an address"
        ])
        .to_string();
        let fields = check_addresses(raw.as_bytes()).err().map(fields_of);
        assert_eq!(
            fields,
            Some(vec![
                (ErrorCode::FieldValueRequired, "[1].city_locality".into()),
                (ErrorCode::InvalidFieldValue, "[1].country_code".into()),
                (ErrorCode::InvalidFieldValue, "[1].color".into()),
                (ErrorCode::InvalidFieldValue, "[2]".into()),
            ])
        );
        let code = |raw: &[u8]| check_addresses(raw).err().map(|e| e.errors[0].error_code);
        assert_eq!(code(b""), Some(ErrorCode::RequestBodyRequired));
        assert_eq!(code(b"[]"), Some(ErrorCode::InvalidFieldValue));
        assert_eq!(code(b"{}"), Some(ErrorCode::InvalidFieldValue));
        assert_eq!(code(b"[{"), Some(ErrorCode::InvalidFieldValue));
    }

    #[test]
    fn zip5_reads_the_first_five_digits() {
        assert_eq!(zip5("78756"), Some("78756"));
        assert_eq!(zip5("78756-3915"), Some("78756"));
        assert_eq!(zip5("7875"), None);
        assert_eq!(zip5("A1B 2C3"), None);
    }
}
