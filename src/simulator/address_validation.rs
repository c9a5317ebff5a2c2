//! `POST /v1/addresses/validate`: deterministic rules standing in for ShipEngine's address
//! databases, so tests and the demo can reach every status (README, "The ShipEngine simulator").
//!
//! In order, for each address:
//! 1. a country other than `US` → `unverified`, `a1001` `unsupported_country`;
//! 2. a line containing [`UNDELIVERABLE_MARKER`] → `error`, `a1004` `address_not_found`;
//! 3. a postal code missing or not in [`POSTAL_CODES`] → `unverified`, `a1000`
//!    `invalid_postal_code`;
//! 4. otherwise the address is matched: upper case, street words abbreviated as USPS does
//!    (`Boulevard` → `BLVD`), city and state of the postal code, and the ZIP+4 of a street in
//!    [`STREETS`]. A city or state that had to change, or a street not in the table, adds a
//!    `warning` message and makes the status `warning`; else it is `verified` (no messages, even
//!    when only the case or the ZIP+4 changed, as in ShipEngine's own example).
//!
//! The message codes are values of the spec's `address_validation_code`; which code goes with
//! which case is the simulator's choice (the spec does not say).

use serde::Serialize;
use serde_json::{Map, Value};

use super::account_validation::zip5;

/// Any address line containing this (in any case) is not found.
pub(crate) const UNDELIVERABLE_MARKER: &str = "UNDELIVERABLE";

/// `(zip5, city, state)` the simulator knows.
const POSTAL_CODES: &[(&str, &str, &str)] = &[
    ("78756", "AUSTIN", "TX"),
    ("78701", "AUSTIN", "TX"),
    ("91521", "BURBANK", "CA"),
    ("10001", "NEW YORK", "NY"),
];

/// `(normalised line 1, zip5, ZIP+4, residential)` of the streets the simulator knows.
const STREETS: &[(&str, &str, &str, &str)] = &[
    ("4009 MARATHON BLVD", "78756", "78756-3915", "no"),
    ("500 S BUENA VISTA ST", "91521", "91521-0007", "no"),
];

/// USPS abbreviations applied word by word.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("BOULEVARD", "BLVD"),
    ("STREET", "ST"),
    ("AVENUE", "AVE"),
    ("ROAD", "RD"),
    ("DRIVE", "DR"),
    ("LANE", "LN"),
    ("SUITE", "STE"),
    ("NORTH", "N"),
    ("SOUTH", "S"),
    ("EAST", "E"),
    ("WEST", "W"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    Verified,
    Unverified,
    Warning,
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum MessageType {
    Error,
    Warning,
}

/// A `response_message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
struct Message {
    code: &'static str,
    message: &'static str,
    #[serde(rename = "type")]
    message_type: MessageType,
    detail_code: &'static str,
}

const UNSUPPORTED_COUNTRY: Message = Message {
    code: "a1001",
    message: "country_code is not currently a supported country.",
    message_type: MessageType::Error,
    detail_code: "unsupported_country",
};
const NOT_FOUND: Message = Message {
    code: "a1004",
    message: "Address not found.",
    message_type: MessageType::Error,
    detail_code: "address_not_found",
};
const INVALID_POSTAL_CODE: Message = Message {
    code: "a1000",
    message: "Invalid postal code.",
    message_type: MessageType::Error,
    detail_code: "invalid_postal_code",
};
const STREET_UNKNOWN: Message = Message {
    code: "a1002",
    message: "The address was verified to the city only; the street was not found.",
    message_type: MessageType::Warning,
    detail_code: "partially_verified_to_city_level",
};
const CITY_CHANGED: Message = Message {
    code: "a1003",
    message: "The city was changed to match the postal code.",
    message_type: MessageType::Warning,
    detail_code: "city_locality_changed_or_added",
};
const STATE_CHANGED: Message = Message {
    code: "a1003",
    message: "The state was changed to match the postal code.",
    message_type: MessageType::Warning,
    detail_code: "state_province_changed_or_added",
};

/// An address as the answer shows it: every field, `null` when absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
struct Address {
    name: Option<String>,
    phone: Option<String>,
    company_name: Option<String>,
    address_line1: Option<String>,
    address_line2: Option<String>,
    address_line3: Option<String>,
    city_locality: Option<String>,
    state_province: Option<String>,
    postal_code: Option<String>,
    country_code: Option<String>,
    address_residential_indicator: String,
}

impl Address {
    fn from_request(fields: &Map<String, Value>) -> Self {
        let text = |name: &str| match fields.get(name) {
            Some(Value::String(text)) => Some(text.clone()),
            Some(Value::Number(number)) => Some(number.to_string()),
            _ => None,
        };
        Self {
            name: text("name"),
            phone: text("phone"),
            company_name: text("company_name"),
            address_line1: text("address_line1"),
            address_line2: text("address_line2"),
            address_line3: text("address_line3"),
            city_locality: text("city_locality"),
            state_province: text("state_province"),
            postal_code: text("postal_code"),
            country_code: text("country_code"),
            address_residential_indicator: text("address_residential_indicator")
                .unwrap_or_else(|| "unknown".to_owned()),
        }
    }

    fn lines(&self) -> impl Iterator<Item = &str> {
        [
            &self.address_line1,
            &self.address_line2,
            &self.address_line3,
        ]
        .into_iter()
        .filter_map(|line| line.as_deref())
    }
}

/// One `address_validation_result`.
#[derive(Debug, Serialize)]
pub(crate) struct ValidationResult {
    pub status: Status,
    original_address: Address,
    matched_address: Option<Address>,
    messages: Vec<Message>,
}

/// Validates one address, already checked by [`super::account_validation::check_addresses`].
pub(crate) fn validate(fields: &Map<String, Value>) -> ValidationResult {
    let original = Address::from_request(fields);
    let refused = |status, message| ValidationResult {
        status,
        original_address: original.clone(),
        matched_address: None,
        messages: vec![message],
    };
    let country = original.country_code.as_deref().unwrap_or_default();
    if !country.eq_ignore_ascii_case("US") {
        return refused(Status::Unverified, UNSUPPORTED_COUNTRY);
    }
    if original
        .lines()
        .any(|line| line.to_ascii_uppercase().contains(UNDELIVERABLE_MARKER))
    {
        return refused(Status::Error, NOT_FOUND);
    }
    let known_postal_code = original
        .postal_code
        .as_deref()
        .and_then(zip5)
        .and_then(|zip| POSTAL_CODES.iter().find(|(known, ..)| *known == zip));
    let Some(&(zip, city, state)) = known_postal_code else {
        return refused(Status::Unverified, INVALID_POSTAL_CODE);
    };

    let mut messages = Vec::new();
    let mut matched = Address {
        name: original.name.as_deref().map(str::to_uppercase),
        phone: original.phone.clone(),
        company_name: original.company_name.as_deref().map(str::to_uppercase),
        address_line1: original.address_line1.as_deref().map(normalise_line),
        address_line2: original.address_line2.as_deref().map(normalise_line),
        address_line3: original.address_line3.as_deref().map(normalise_line),
        city_locality: Some(city.to_owned()),
        state_province: Some(state.to_owned()),
        postal_code: Some(zip.to_owned()),
        country_code: Some("US".to_owned()),
        address_residential_indicator: original.address_residential_indicator.clone(),
    };
    let same = |given: &Option<String>, known: &str| {
        given
            .as_deref()
            .is_some_and(|given| given.trim().eq_ignore_ascii_case(known))
    };
    if !same(&original.city_locality, city) {
        messages.push(CITY_CHANGED);
    }
    if !same(&original.state_province, state) {
        messages.push(STATE_CHANGED);
    }
    let line1 = matched.address_line1.as_deref().unwrap_or_default();
    match STREETS
        .iter()
        .find(|(street, street_zip, ..)| *street == line1 && *street_zip == zip)
    {
        Some(&(_, _, zip_plus_four, residential)) => {
            matched.postal_code = Some(zip_plus_four.to_owned());
            matched.address_residential_indicator = residential.to_owned();
        }
        None => messages.push(STREET_UNKNOWN),
    }
    ValidationResult {
        status: if messages.is_empty() {
            Status::Verified
        } else {
            Status::Warning
        },
        original_address: original,
        matched_address: Some(matched),
        messages,
    }
}

/// Upper case, no `.` or `,`, single spaces, USPS abbreviations.
fn normalise_line(line: &str) -> String {
    line.to_uppercase()
        .replace(['.', ','], " ")
        .split_whitespace()
        .map(|word| {
            ABBREVIATIONS
                .iter()
                .find(|(long, _)| *long == word)
                .map_or(word, |(_, short)| short)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn result(address: Value) -> Value {
        let fields = match address {
            Value::Object(fields) => fields,
            _ => Map::new(),
        };
        serde_json::to_value(validate(&fields)).unwrap_or_default()
    }

    fn marathon(line1: &str, city: &str, postal_code: &str) -> Value {
        json!({"address_line1": line1, "city_locality": city, "state_province": "TX",
               "postal_code": postal_code, "country_code": "US"})
    }

    #[test]
    fn the_known_address_verifies_to_its_zip_plus_four() {
        let answer = result(marathon("4009 MARATHON BLVD", "AUSTIN", "78756-3915"));
        assert_eq!(answer["status"], "verified");
        assert_eq!(answer["messages"], json!([]));
        assert_eq!(answer["matched_address"]["postal_code"], "78756-3915");
        assert_eq!(answer["original_address"]["address_line2"], Value::Null);
    }

    #[test]
    fn case_abbreviations_and_zip_plus_four_are_corrected_silently() {
        let answer = result(marathon("4009 Marathon Boulevard", "Austin", "78756"));
        assert_eq!(answer["status"], "verified");
        assert_eq!(answer["messages"], json!([]));
        let matched = &answer["matched_address"];
        assert_eq!(matched["address_line1"], "4009 MARATHON BLVD");
        assert_eq!(matched["city_locality"], "AUSTIN");
        assert_eq!(matched["postal_code"], "78756-3915");
        assert_eq!(matched["address_residential_indicator"], "no");
        assert_eq!(
            answer["original_address"]["address_line1"],
            "4009 Marathon Boulevard"
        );
    }

    #[test]
    fn a_wrong_city_is_corrected_with_a_warning() {
        let answer = result(marathon("4009 Marathon Blvd", "Austinn", "78756"));
        assert_eq!(answer["status"], "warning");
        assert_eq!(answer["matched_address"]["city_locality"], "AUSTIN");
        assert_eq!(
            answer["messages"],
            json!([{"code": "a1003", "message": "The city was changed to match the postal code.",
                    "type": "warning", "detail_code": "city_locality_changed_or_added"}])
        );
    }

    #[test]
    fn an_unknown_street_in_a_known_postal_code_is_a_partial_match() {
        let answer = result(marathon("1 Nowhere Lane", "Austin", "78756"));
        assert_eq!(answer["status"], "warning");
        assert_eq!(answer["matched_address"]["address_line1"], "1 NOWHERE LN");
        assert_eq!(answer["matched_address"]["postal_code"], "78756");
        assert_eq!(
            answer["messages"][0]["detail_code"],
            "partially_verified_to_city_level"
        );
    }

    #[test]
    fn the_marker_unknown_postal_codes_and_other_countries_are_not_matched() {
        for (address, status, code) in [
            (
                marathon("4009 Marathon Blvd Undeliverable", "Austin", "78756"),
                "error",
                "a1004",
            ),
            (
                marathon("4009 Marathon Blvd", "Austin", "99999"),
                "unverified",
                "a1000",
            ),
            (
                json!({"address_line1": "1 Main St", "city_locality": "Austin",
                       "state_province": "TX", "country_code": "US"}),
                "unverified",
                "a1000",
            ),
            (
                json!({"address_line1": "1 Bay St", "city_locality": "Toronto",
                       "state_province": "ON", "postal_code": "M5J 2N8", "country_code": "CA"}),
                "unverified",
                "a1001",
            ),
        ] {
            let answer = result(address);
            assert_eq!(answer["status"], status, "{answer}");
            assert_eq!(answer["matched_address"], Value::Null);
            assert_eq!(answer["messages"][0]["code"], code);
            assert_eq!(answer["messages"][0]["type"], "error");
        }
    }

    #[test]
    fn a_numeric_postal_code_is_read_as_text() {
        let mut address = marathon("4009 MARATHON BLVD", "AUSTIN", "");
        address["postal_code"] = json!(78756);
        let answer = result(address);
        assert_eq!(answer["original_address"]["postal_code"], "78756");
        assert_eq!(answer["status"], "verified");
    }
}
