//! Request body validation. Every problem is reported at once, each naming its field by dotted
//! path (`address.postal_code`), like ShipEngine's `field_name`.
//!
//! Objects are closed (`additionalProperties: false` in the spec): unknown fields are invalid.
//! Required strings must not be blank; optional ones may be absent or null, not blank.

use serde_json::{Map, Value};

use super::envelope::{ApiError, ErrorCode, ErrorDetail};

pub(super) type Object = Map<String, Value>;

/// The body as a JSON object, or the error ShipEngine gives for an empty or unusable body.
pub(crate) fn parse_object(raw: &[u8]) -> Result<Object, ApiError> {
    if raw.trim_ascii().is_empty() {
        return Err(ApiError::request_body_required());
    }
    match serde_json::from_slice(raw) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(Value::Null) => Err(ApiError::request_body_required()),
        Ok(_) => Err(ApiError::invalid_body(
            "The request body must be a JSON object.",
        )),
        Err(error) => Err(ApiError::invalid_body(format!(
            "The request body is not valid JSON: {error}."
        ))),
    }
}

/// `POST /v1/registration/stamps_com`.
pub(crate) fn check_registration(body: &Object) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let mut top = Fields::new(body, "", &mut errors);
    top.required_string("nickname");
    top.required_matching("email", is_email, "must be an email address");
    top.terms_accepted("agree_to_carrier_terms");
    let address = top.required_object("address");
    let credit_card = top.required_object("credit_card");
    top.reject_unknown();

    if let Some(address) = address {
        check_address(address, &mut errors);
    }
    if let Some(credit_card) = credit_card {
        check_credit_card(credit_card, &mut errors);
    }
    finish(errors, Some(()))
}

fn check_address(address: &Object, errors: &mut Vec<ErrorDetail>) {
    let mut fields = Fields::new(address, "address", errors);
    fields.required_string("name");
    fields.required_string("phone");
    fields.optional_string("company_name");
    fields.required_string("address_line1");
    fields.optional_string("address_line2");
    fields.optional_string("address_line3");
    fields.required_string("city_locality");
    fields.required_string("state_province");
    fields.required_string("postal_code");
    fields.required_matching(
        "country_code",
        |code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()),
        "must be a two-letter ISO 3166-1 country code",
    );
    // Absent means "unknown", the spec's default.
    if let Some(indicator) = fields.optional_string("address_residential_indicator")
        && !["yes", "no", "unknown"]
            .iter()
            .any(|v| indicator.eq_ignore_ascii_case(v))
    {
        fields.invalid(
            "address_residential_indicator",
            "must be one of yes, no, unknown",
        );
    }
    fields.reject_unknown();
}

fn check_credit_card(card: &Object, errors: &mut Vec<ErrorDetail>) {
    let mut fields = Fields::new(card, "credit_card", errors);
    fields.required_string("name");
    fields.required_matching("number", is_digits, "must contain digits only");
    fields.required_matching(
        "type",
        is_card_type,
        "must be one of visa, master_card, american_express, discover",
    );
    fields.required_matching(
        "expiration_year",
        |year| year.len() == 4 && is_digits(year),
        "must be a four-digit year",
    );
    fields.required_matching(
        "expiration_month",
        |month| matches!(month.parse::<u8>(), Ok(1..=12)) && month.len() == 2 && is_digits(month),
        "must be a two-digit month, 01 to 12",
    );
    fields.reject_unknown();
}

/// `POST …/verification`: returns the phone to text.
pub(crate) fn check_code_request(body: &Object) -> Result<String, ApiError> {
    let mut errors = Vec::new();
    let mut fields = Fields::new(body, "", &mut errors);
    let phone = fields.required_matching(
        "phone",
        |phone| phone.len() == 10 && is_digits(phone),
        "must be 10 digits without punctuation",
    );
    fields.required_matching(
        "verification_type",
        |kind| kind.eq_ignore_ascii_case("sms"),
        "must be sms, the only verification type supported",
    );
    fields.reject_unknown();
    finish(errors, phone.map(str::to_owned))
}

/// `PUT …/verification/{id}`: returns the submitted code.
pub(crate) fn check_code_submission(body: &Object) -> Result<&str, ApiError> {
    let mut errors = Vec::new();
    let mut fields = Fields::new(body, "", &mut errors);
    let code = fields.required_string("verification_code");
    fields.reject_unknown();
    finish(errors, code)
}

/// The checked value, unless a problem was found (a missing value always reports one).
pub(super) fn finish<T>(errors: Vec<ErrorDetail>, value: Option<T>) -> Result<T, ApiError> {
    match value {
        Some(value) if errors.is_empty() => Ok(value),
        _ => Err(ApiError::validation(errors)),
    }
}

pub(super) fn is_digits(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

/// A deliberately loose check: something, an `@`, a domain with a dot, no spaces.
fn is_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|label| !label.is_empty())
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The spec's enum (`master_card`) or the guide's spelling (`Visa`, `MasterCard`), any case.
fn is_card_type(card_type: &str) -> bool {
    let letters: String = card_type
        .chars()
        .filter(|c| !matches!(c, '_' | ' ' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    ["visa", "mastercard", "americanexpress", "discover"].contains(&letters.as_str())
}

/// Checks the fields of one JSON object, remembering which names are known.
pub(super) struct Fields<'a, 'e> {
    object: &'a Object,
    /// The object's own dotted path (`address`, `[0]`), empty at the top.
    path: String,
    known: Vec<&'static str>,
    errors: &'e mut Vec<ErrorDetail>,
}

impl<'a, 'e> Fields<'a, 'e> {
    pub(super) fn new(
        object: &'a Object,
        path: impl Into<String>,
        errors: &'e mut Vec<ErrorDetail>,
    ) -> Self {
        Self {
            object,
            path: path.into(),
            known: Vec::new(),
            errors,
        }
    }

    fn field_name(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    pub(super) fn report(&mut self, code: ErrorCode, name: &str, problem: &str) {
        let field_name = self.field_name(name);
        let message = format!("{field_name} {problem}.");
        self.errors
            .push(ErrorDetail::field(code, &field_name, message));
    }

    pub(super) fn invalid(&mut self, name: &str, problem: &str) {
        self.report(ErrorCode::InvalidFieldValue, name, problem);
    }

    pub(super) fn required_string(&mut self, name: &'static str) -> Option<&'a str> {
        self.known.push(name);
        match self.object.get(name) {
            None | Some(Value::Null) => {
                self.report(ErrorCode::FieldValueRequired, name, "is required")
            }
            Some(Value::String(text)) if text.trim().is_empty() => {
                self.report(ErrorCode::FieldValueRequired, name, "is required");
            }
            Some(Value::String(text)) => return Some(text),
            Some(_) => self.invalid(name, "must be a string"),
        }
        None
    }

    pub(super) fn required_matching(
        &mut self,
        name: &'static str,
        is_valid: impl Fn(&str) -> bool,
        problem: &str,
    ) -> Option<&'a str> {
        let value = self.required_string(name)?;
        if is_valid(value) {
            return Some(value);
        }
        self.invalid(name, problem);
        None
    }

    /// The field's value as sent, for the caller to check (numbers, arrays); marks it known.
    pub(super) fn raw(&mut self, name: &'static str) -> Option<&'a Value> {
        self.known.push(name);
        self.object.get(name).filter(|value| !value.is_null())
    }

    pub(super) fn optional_string(&mut self, name: &'static str) -> Option<&'a str> {
        self.known.push(name);
        match self.object.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(text)) if text.trim().is_empty() => {
                self.invalid(name, "must not be blank; leave it out instead");
            }
            Some(Value::String(text)) => return Some(text),
            Some(_) => self.invalid(name, "must be a string"),
        }
        None
    }

    fn required_object(&mut self, name: &'static str) -> Option<&'a Object> {
        self.known.push(name);
        match self.object.get(name) {
            None | Some(Value::Null) => {
                self.report(ErrorCode::FieldValueRequired, name, "is required")
            }
            Some(Value::Object(object)) => return Some(object),
            Some(_) => self.invalid(name, "must be an object"),
        }
        None
    }

    /// Anything but `true` is a refusal; a non-boolean is a malformed value.
    fn terms_accepted(&mut self, name: &'static str) {
        self.known.push(name);
        match self.object.get(name) {
            Some(Value::Bool(true)) => {}
            None | Some(Value::Null | Value::Bool(false)) => self.report(
                ErrorCode::TermsNotAccepted,
                name,
                "must be true: the carrier's terms have to be accepted",
            ),
            Some(_) => self.invalid(name, "must be a boolean"),
        }
    }

    pub(super) fn reject_unknown(&mut self) {
        let object = self.object;
        let unknown: Vec<&String> = object
            .keys()
            .filter(|key| !self.known.contains(&key.as_str()))
            .collect();
        for name in unknown {
            self.invalid(name, "is not a known field");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Object {
        match value {
            Value::Object(object) => object,
            _ => Object::new(),
        }
    }

    fn guide_body() -> Value {
        json!({
            "nickname": "My Stamps.com account",
            "email": "john.doe@example.com",
            "agree_to_carrier_terms": true,
            "address": {
                "name": "John Doe", "phone": "111-111-1111", "company_name": "Example Corp.",
                "address_line1": "4009 Marathon Blvd", "address_line2": "Suite 300",
                "city_locality": "Austin", "state_province": "TX", "postal_code": "78756",
                "country_code": "US", "address_residential_indicator": "no"
            },
            "credit_card": {
                "name": "my credit card", "number": "4111111111111111", "type": "Visa",
                "expiration_year": "2025", "expiration_month": "07"
            }
        })
    }

    /// `(error_code, field_name)` of every error, in order.
    fn problems(result: Result<(), ApiError>) -> Vec<(ErrorCode, String)> {
        result
            .err()
            .map(|error| error.errors)
            .unwrap_or_default()
            .into_iter()
            .map(|detail| (detail.error_code, detail.field_name.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn the_guide_example_is_valid() {
        assert_eq!(check_registration(&object(guide_body())), Ok(()));
    }

    #[test]
    fn optional_fields_may_be_left_out() {
        let mut body = guide_body();
        for name in [
            "company_name",
            "address_line2",
            "address_residential_indicator",
        ] {
            body["address"]
                .as_object_mut()
                .map(|address| address.remove(name));
        }
        assert_eq!(check_registration(&object(body)), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_with_its_dotted_field_name() {
        let mut body = guide_body();
        body["email"] = json!("not-an-email");
        body["address"]["phone"] = json!("");
        body["address"]["country_code"] = json!("USA");
        body["address"]["address_residential_indicator"] = json!("maybe");
        body["address"]["address_line2"] = json!(" ");
        body["credit_card"]
            .as_object_mut()
            .map(|card| card.remove("number"));
        body["credit_card"]["type"] = json!("diners");
        body["credit_card"]["expiration_month"] = json!("7");
        body["credit_card"]["cvc"] = json!("123");
        body["extra"] = json!(1);
        use ErrorCode::*;
        assert_eq!(
            problems(check_registration(&object(body))),
            vec![
                (InvalidFieldValue, "email".into()),
                (InvalidFieldValue, "extra".into()),
                (FieldValueRequired, "address.phone".into()),
                (InvalidFieldValue, "address.address_line2".into()),
                (InvalidFieldValue, "address.country_code".into()),
                (
                    InvalidFieldValue,
                    "address.address_residential_indicator".into()
                ),
                (FieldValueRequired, "credit_card.number".into()),
                (InvalidFieldValue, "credit_card.type".into()),
                (InvalidFieldValue, "credit_card.expiration_month".into()),
                (InvalidFieldValue, "credit_card.cvc".into()),
            ]
        );
    }

    #[test]
    fn terms_must_be_exactly_true() {
        for terms in [json!(false), Value::Null] {
            let mut body = guide_body();
            body["agree_to_carrier_terms"] = terms;
            assert_eq!(
                problems(check_registration(&object(body))),
                vec![(ErrorCode::TermsNotAccepted, "agree_to_carrier_terms".into())]
            );
        }
        let mut body = guide_body();
        body["agree_to_carrier_terms"] = json!("true");
        assert_eq!(
            problems(check_registration(&object(body))),
            vec![(
                ErrorCode::InvalidFieldValue,
                "agree_to_carrier_terms".into()
            )]
        );
    }

    #[test]
    fn wrong_json_types_are_invalid_not_missing() {
        let mut body = guide_body();
        body["nickname"] = json!(42);
        body["address"] = json!("4009 Marathon Blvd");
        use ErrorCode::*;
        assert_eq!(
            problems(check_registration(&object(body))),
            vec![
                (InvalidFieldValue, "nickname".into()),
                (InvalidFieldValue, "address".into())
            ]
        );
    }

    #[test]
    fn card_types_are_accepted_in_either_spelling_and_any_case() {
        for accepted in [
            "visa",
            "Visa",
            "VISA",
            "master_card",
            "MasterCard",
            "Master Card",
        ] {
            assert!(is_card_type(accepted), "{accepted}");
        }
        for accepted in [
            "american_express",
            "American Express",
            "discover",
            "Discover",
        ] {
            assert!(is_card_type(accepted), "{accepted}");
        }
        for refused in ["", "amex", "diners", "visa electron"] {
            assert!(!is_card_type(refused), "{refused}");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(is_email("john.doe@example.com"));
        for refused in [
            "john",
            "@example.com",
            "john@example",
            "john@@example.com",
            "jo hn@a.b",
        ] {
            assert!(!is_email(refused), "{refused}");
        }
    }

    #[test]
    fn empty_null_and_non_object_bodies_are_refused() {
        let code = |raw: &[u8]| parse_object(raw).err().map(|e| e.errors[0].error_code);
        assert_eq!(code(b""), Some(ErrorCode::RequestBodyRequired));
        assert_eq!(code(b"  \n"), Some(ErrorCode::RequestBodyRequired));
        assert_eq!(code(b"null"), Some(ErrorCode::RequestBodyRequired));
        assert_eq!(code(b"[1]"), Some(ErrorCode::InvalidFieldValue));
        assert_eq!(code(b"{\"a\":"), Some(ErrorCode::InvalidFieldValue));
        assert!(parse_object(b"{}").is_ok());
    }

    #[test]
    fn code_requests_need_ten_digits_and_sms() {
        let valid = object(json!({"phone": "5121112222", "verification_type": "sms"}));
        assert_eq!(
            check_code_request(&valid).ok().as_deref(),
            Some("5121112222")
        );
        let invalid = object(json!({"phone": "512-111-2222", "verification_type": "voice"}));
        let fields: Vec<_> = check_code_request(&invalid)
            .err()
            .map(|e| e.errors)
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.error_code, d.field_name.unwrap_or_default()))
            .collect();
        assert_eq!(
            fields,
            vec![
                (ErrorCode::InvalidFieldValue, "phone".into()),
                (ErrorCode::InvalidFieldValue, "verification_type".into())
            ]
        );
    }

    #[test]
    fn code_submissions_need_a_code() {
        let valid = object(json!({"verification_code": "123456"}));
        assert_eq!(check_code_submission(&valid).ok(), Some("123456"));
        let missing = check_code_submission(&Object::new())
            .err()
            .map(|e| e.errors);
        assert_eq!(
            missing
                .and_then(|errors| errors.into_iter().next())
                .and_then(|d| d.field_name),
            Some("verification_code".into())
        );
    }
}
