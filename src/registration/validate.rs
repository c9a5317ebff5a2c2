//! One validation for the registration form, run by the browser as the merchant types and by the
//! server before any upstream call (the server never trusts the browser).

use crate::error::FieldErrors;
use crate::fields::FieldProblem;
use crate::fields::card::{ValidCard, validate_card_number};
use crate::fields::email::validate_email;
use crate::fields::expiry::{YearMonth, validate_expiry};
use crate::fields::phone::normalize_us_phone;
use crate::fields::postal::validate_zip;
use crate::fields::states::is_us_state;
use crate::fields::text::{optional_text, required_text, visible_text};

use super::form::{RegistrationField as Field, RegistrationForm};

/// Generous limits: ShipEngine documents none, but an unbounded field is an abuse vector.
const MAX_TEXT: usize = 100;

/// The registration, checked and normalised: what the server sends upstream. Its text is in
/// Unicode NFC and holds no control or bidi formatting character (see [`visible_text`]).
#[derive(Debug, Clone)]
pub struct ValidRegistration {
    pub nickname: String,
    pub email: String,
    pub name: String,
    /// Ten digits.
    pub phone: String,
    pub company_name: Option<String>,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub city_locality: String,
    pub state_province: String,
    pub postal_code: String,
    pub residential: bool,
    pub card_name: String,
    pub card: ValidCard,
    /// Four digits, as the API wants it.
    pub expiration_year: String,
    /// Two digits, as the API wants it.
    pub expiration_month: String,
}

/// Checks every field; the errors come in page order, one per field. Every typed field is first
/// normalised and refused if it hides characters, so each rule sees (and returns) NFC text.
pub fn validate_registration(
    form: &RegistrationForm,
    today: YearMonth,
) -> Result<ValidRegistration, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut check = |field: Field, result: Result<String, FieldProblem>| match result {
        Ok(value) => value,
        Err(problem) => {
            errors.push(field, problem);
            String::new()
        }
    };

    let nickname = check(
        Field::Nickname,
        required_text(&form.nickname, FieldProblem::NicknameMissing, MAX_TEXT),
    );
    let email = check(Field::Email, typed(&form.email, validate_email));
    let name = check(
        Field::Name,
        required_text(&form.name, FieldProblem::NameMissing, MAX_TEXT),
    );
    let company_name = check(Field::CompanyName, optional(&form.company_name));
    let phone = check(Field::Phone, typed(&form.phone, normalize_us_phone));
    let address_line1 = check(
        Field::AddressLine1,
        required_text(
            &form.address_line1,
            FieldProblem::AddressLine1Missing,
            MAX_TEXT,
        ),
    );
    let address_line2 = check(Field::AddressLine2, optional(&form.address_line2));
    let city_locality = check(
        Field::CityLocality,
        required_text(&form.city_locality, FieldProblem::CityMissing, MAX_TEXT),
    );
    let state_province = check(Field::StateProvince, state(&form.state_province));
    let postal_code = check(Field::PostalCode, typed(&form.postal_code, validate_zip));
    let residential = check(Field::Residential, residential(&form.residential));
    let card_name = check(
        Field::CardName,
        required_text(&form.card_name, FieldProblem::CardNameMissing, MAX_TEXT),
    );
    let card = typed(&form.card_number, validate_card_number)
        .map_err(|problem| errors.push(Field::CardNumber, problem))
        .ok();
    let expiry = validate_expiry(&form.card_exp_month, &form.card_exp_year, today)
        .map_err(|problem| {
            // A month that is fine on its own points the merchant at the year, and vice versa.
            let field = if month_looks_valid(&form.card_exp_month) {
                Field::CardExpYear
            } else {
                Field::CardExpMonth
            };
            errors.push(field, problem)
        })
        .ok();
    if !form.agree_to_carrier_terms {
        errors.push(Field::AgreeToCarrierTerms, FieldProblem::TermsNotAccepted);
    }

    match (card, expiry) {
        (Some(card), Some((expiration_year, expiration_month))) if errors.is_empty() => {
            Ok(ValidRegistration {
                nickname,
                email,
                name,
                phone,
                company_name: given(company_name),
                address_line1,
                address_line2: given(address_line2),
                city_locality,
                state_province,
                postal_code,
                residential: residential == "yes",
                card_name,
                card,
                expiration_year,
                expiration_month,
            })
        }
        _ => Err(errors),
    }
}

/// A field the merchant may leave blank: blank comes back empty (see [`given`]).
fn optional(input: &str) -> Result<String, FieldProblem> {
    optional_text(input, MAX_TEXT).map(Option::unwrap_or_default)
}

/// An optional field's checked text, `None` when it was left blank.
fn given(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// A typed field's own `rule`, applied to its visible NFC text.
fn typed<T>(
    input: &str,
    rule: impl FnOnce(&str) -> Result<T, FieldProblem>,
) -> Result<T, FieldProblem> {
    rule(&visible_text(input)?)
}

fn state(input: &str) -> Result<String, FieldProblem> {
    let code = input.trim().to_ascii_uppercase();
    if is_us_state(&code) {
        Ok(code)
    } else {
        Err(FieldProblem::StateMissing)
    }
}

fn residential(input: &str) -> Result<String, FieldProblem> {
    match input {
        "yes" | "no" => Ok(input.to_owned()),
        _ => Err(FieldProblem::ResidentialMissing),
    }
}

fn month_looks_valid(input: &str) -> bool {
    input
        .trim()
        .parse::<u8>()
        .is_ok_and(|month| (1..=12).contains(&month))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FormField;
    use crate::fields::text::HIDDEN;

    const TODAY: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    pub(crate) fn complete_form() -> RegistrationForm {
        RegistrationForm {
            nickname: "Main store".into(),
            email: "john.doe@example.com".into(),
            agree_to_carrier_terms: true,
            name: "John Doe".into(),
            phone: "(512) 111-2222".into(),
            company_name: "Example Corp.".into(),
            address_line1: "4009 Marathon Blvd".into(),
            address_line2: "".into(),
            city_locality: "Austin".into(),
            state_province: "TX".into(),
            postal_code: "78756".into(),
            residential: "no".into(),
            address_decision: Default::default(),
            card_name: "John Doe".into(),
            card_number: "4111 1111 1111 1111".into(),
            card_exp_month: "7".into(),
            card_exp_year: "2030".into(),
            idempotency_key: String::new(),
        }
    }

    #[test]
    fn a_complete_form_is_normalised() {
        let valid = validate_registration(&complete_form(), TODAY).unwrap();
        assert_eq!(valid.phone, "5121112222");
        assert_eq!(valid.card.digits, "4111111111111111");
        assert_eq!(valid.expiration_month, "07");
        assert_eq!(valid.expiration_year, "2030");
        assert_eq!(valid.address_line2, None);
        assert_eq!(valid.company_name.as_deref(), Some("Example Corp."));
        assert!(!valid.residential);
    }

    #[test]
    fn an_empty_form_reports_every_required_field_in_page_order() {
        let errors = validate_registration(&RegistrationForm::default(), TODAY).unwrap_err();
        let fields: Vec<FormField> = errors.iter().map(|e| e.field).collect();
        let expected: Vec<FormField> = [
            Field::Nickname,
            Field::Email,
            Field::Name,
            Field::Phone,
            Field::AddressLine1,
            Field::CityLocality,
            Field::StateProvince,
            Field::PostalCode,
            Field::Residential,
            Field::CardName,
            Field::CardNumber,
            Field::CardExpMonth,
            Field::AgreeToCarrierTerms,
        ]
        .map(FormField::from)
        .into();
        assert_eq!(fields, expected);
    }

    /// `complete_form` with `field` set to `value`.
    fn with_field(field: Field, value: &str) -> RegistrationForm {
        let mut form = complete_form();
        let slot = match field {
            Field::Nickname => &mut form.nickname,
            Field::Email => &mut form.email,
            Field::Name => &mut form.name,
            Field::Phone => &mut form.phone,
            Field::CompanyName => &mut form.company_name,
            Field::AddressLine1 => &mut form.address_line1,
            Field::AddressLine2 => &mut form.address_line2,
            Field::CityLocality => &mut form.city_locality,
            Field::PostalCode => &mut form.postal_code,
            Field::CardName => &mut form.card_name,
            Field::CardNumber => &mut form.card_number,
            other => panic!("no typed field {other:?}"),
        };
        *slot = value.to_owned();
        form
    }

    const TYPED: [Field; 11] = [
        Field::Nickname,
        Field::Email,
        Field::Name,
        Field::Phone,
        Field::CompanyName,
        Field::AddressLine1,
        Field::AddressLine2,
        Field::CityLocality,
        Field::PostalCode,
        Field::CardName,
        Field::CardNumber,
    ];

    #[test]
    fn hidden_characters_are_refused_in_every_typed_field() {
        for field in TYPED {
            for hidden in [
                "\0", "\r\n", "\t", "\u{7f}", "\u{85}", "\u{202e}", "\u{2066}", "\u{200f}",
            ] {
                let form = with_field(field, &format!("{hidden}5121112222"));
                let errors = validate_registration(&form, TODAY).unwrap_err();
                assert_eq!(
                    errors.iter().map(|e| e.field).collect::<Vec<_>>(),
                    [field.into()],
                    "{field:?} with {hidden:?}"
                );
                assert_eq!(errors.get(field), Some(HIDDEN), "{field:?} with {hidden:?}");
            }
        }
    }

    #[test]
    fn free_text_is_sent_composed() {
        let decomposed = "Jose\u{301}";
        let form = RegistrationForm {
            nickname: decomposed.into(),
            name: decomposed.into(),
            company_name: decomposed.into(),
            address_line1: decomposed.into(),
            address_line2: decomposed.into(),
            city_locality: decomposed.into(),
            card_name: decomposed.into(),
            email: "jose\u{301}@example.com".into(),
            ..complete_form()
        };
        let valid = validate_registration(&form, TODAY).unwrap();
        let composed = "Jos\u{e9}";
        for text in [
            &valid.nickname,
            &valid.name,
            &valid.address_line1,
            &valid.city_locality,
            &valid.card_name,
        ] {
            assert_eq!(text, composed);
        }
        assert_eq!(valid.company_name.as_deref(), Some(composed));
        assert_eq!(valid.address_line2.as_deref(), Some(composed));
        assert_eq!(valid.email, "jos\u{e9}@example.com");
    }

    #[test]
    fn very_long_text_is_refused_by_each_length_rule() {
        let long = "x".repeat(100_000);
        for field in TYPED {
            let errors = validate_registration(&with_field(field, &long), TODAY).unwrap_err();
            assert!(errors.get(field).is_some(), "{field:?}");
            assert_eq!(errors.iter().count(), 1, "{field:?}");
        }
        let at_limit = "e\u{301}".repeat(MAX_TEXT);
        let valid =
            validate_registration(&with_field(Field::AddressLine2, &at_limit), TODAY).unwrap();
        assert_eq!(valid.address_line2.unwrap().chars().count(), MAX_TEXT);
    }

    #[test]
    fn an_expired_card_points_at_the_year_when_the_month_is_fine() {
        let form = RegistrationForm {
            card_exp_year: "2020".into(),
            ..complete_form()
        };
        let errors = validate_registration(&form, TODAY).unwrap_err();
        assert_eq!(
            errors.get(Field::CardExpYear),
            Some(FieldProblem::CardExpired)
        );
        assert!(errors.get(Field::CardExpMonth).is_none());
    }

    #[test]
    fn terms_must_be_accepted() {
        let form = RegistrationForm {
            agree_to_carrier_terms: false,
            ..complete_form()
        };
        let errors = validate_registration(&form, TODAY).unwrap_err();
        assert_eq!(errors.iter().count(), 1);
        assert_eq!(
            errors.get(Field::AgreeToCarrierTerms),
            Some(FieldProblem::TermsNotAccepted)
        );
    }

    #[test]
    fn state_must_be_a_usps_code() {
        let form = RegistrationForm {
            state_province: "XX".into(),
            ..complete_form()
        };
        assert!(
            validate_registration(&form, TODAY)
                .unwrap_err()
                .get(Field::StateProvince)
                .is_some()
        );
        let lower = RegistrationForm {
            state_province: "tx".into(),
            ..complete_form()
        };
        assert_eq!(
            validate_registration(&lower, TODAY).unwrap().state_province,
            "TX"
        );
    }
}
