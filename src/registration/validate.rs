//! One validation for the registration form, run by the browser as the merchant types and by the
//! server before any upstream call (the server never trusts the browser).

use crate::error::FieldErrors;
use crate::fields::card::{ValidCard, validate_card_number};
use crate::fields::email::validate_email;
use crate::fields::expiry::{YearMonth, validate_expiry};
use crate::fields::phone::normalize_us_phone;
use crate::fields::postal::validate_zip;
use crate::fields::states::is_us_state;
use crate::fields::text::{optional_text, required_text, visible_text};

use super::form::RegistrationForm;

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
    let mut check = |field: &str, result: Result<String, String>| match result {
        Ok(value) => value,
        Err(message) => {
            errors.push(field, message);
            String::new()
        }
    };

    let nickname = check(
        "nickname",
        required_text(&form.nickname, "Enter a name for this account", MAX_TEXT),
    );
    let email = check("email", typed(&form.email, validate_email));
    let name = check(
        "name",
        required_text(&form.name, "Enter your full name", MAX_TEXT),
    );
    let company_name = check("company_name", optional(&form.company_name));
    let phone = check("phone", typed(&form.phone, normalize_us_phone));
    let address_line1 = check(
        "address_line1",
        required_text(
            &form.address_line1,
            "Enter the first line of your address",
            MAX_TEXT,
        ),
    );
    let address_line2 = check("address_line2", optional(&form.address_line2));
    let city_locality = check(
        "city_locality",
        required_text(&form.city_locality, "Enter your city", MAX_TEXT),
    );
    let state_province = check("state_province", state(&form.state_province));
    let postal_code = check("postal_code", typed(&form.postal_code, validate_zip));
    let residential = check("residential", residential(&form.residential));
    let card_name = check(
        "card_name",
        required_text(&form.card_name, "Enter the name on your card", MAX_TEXT),
    );
    let card = typed(&form.card_number, validate_card_number)
        .map_err(|message| errors.push("card_number", message))
        .ok();
    let expiry = validate_expiry(&form.card_exp_month, &form.card_exp_year, today)
        .map_err(|message| {
            // A month that is fine on its own points the merchant at the year, and vice versa.
            let field = if month_looks_valid(&form.card_exp_month) {
                "card_exp_year"
            } else {
                "card_exp_month"
            };
            errors.push(field, message)
        })
        .ok();
    if !form.agree_to_carrier_terms {
        errors.push(
            "agree_to_carrier_terms",
            "Agree to the Stamps.com terms to open the account",
        );
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
fn optional(input: &str) -> Result<String, String> {
    optional_text(input, MAX_TEXT).map(Option::unwrap_or_default)
}

/// An optional field's checked text, `None` when it was left blank.
fn given(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// A typed field's own `rule`, applied to its visible NFC text.
fn typed<T, E: Into<String>>(
    input: &str,
    rule: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, String> {
    let text = visible_text(input)?;
    rule(&text).map_err(Into::into)
}

fn state(input: &str) -> Result<String, String> {
    let code = input.trim().to_ascii_uppercase();
    if is_us_state(&code) {
        Ok(code)
    } else {
        Err("Select your state".into())
    }
}

fn residential(input: &str) -> Result<String, String> {
    match input {
        "yes" | "no" => Ok(input.to_owned()),
        _ => Err("Say whether this is a home address".into()),
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
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "nickname",
                "email",
                "name",
                "phone",
                "address_line1",
                "city_locality",
                "state_province",
                "postal_code",
                "residential",
                "card_name",
                "card_number",
                "card_exp_month",
                "agree_to_carrier_terms"
            ]
        );
    }

    /// `complete_form` with `field` set to `value`.
    fn with_field(field: &str, value: &str) -> RegistrationForm {
        let mut form = complete_form();
        let slot = match field {
            "nickname" => &mut form.nickname,
            "email" => &mut form.email,
            "name" => &mut form.name,
            "phone" => &mut form.phone,
            "company_name" => &mut form.company_name,
            "address_line1" => &mut form.address_line1,
            "address_line2" => &mut form.address_line2,
            "city_locality" => &mut form.city_locality,
            "postal_code" => &mut form.postal_code,
            "card_name" => &mut form.card_name,
            "card_number" => &mut form.card_number,
            other => panic!("no typed field {other}"),
        };
        *slot = value.to_owned();
        form
    }

    const TYPED: [&str; 11] = [
        "nickname",
        "email",
        "name",
        "phone",
        "company_name",
        "address_line1",
        "address_line2",
        "city_locality",
        "postal_code",
        "card_name",
        "card_number",
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
                    errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
                    [field],
                    "{field} with {hidden:?}"
                );
                assert_eq!(errors.get(field), Some(HIDDEN), "{field} with {hidden:?}");
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
            assert!(errors.get(field).is_some(), "{field}");
            assert_eq!(errors.iter().count(), 1, "{field}");
        }
        let at_limit = "e\u{301}".repeat(MAX_TEXT);
        let valid = validate_registration(&with_field("address_line2", &at_limit), TODAY).unwrap();
        assert_eq!(valid.address_line2.unwrap().chars().count(), MAX_TEXT);
    }

    #[test]
    fn an_expired_card_points_at_the_year_when_the_month_is_fine() {
        let form = RegistrationForm {
            card_exp_year: "2020".into(),
            ..complete_form()
        };
        let errors = validate_registration(&form, TODAY).unwrap_err();
        assert!(errors.get("card_exp_year").is_some());
        assert!(errors.get("card_exp_month").is_none());
    }

    #[test]
    fn terms_must_be_accepted() {
        let form = RegistrationForm {
            agree_to_carrier_terms: false,
            ..complete_form()
        };
        let errors = validate_registration(&form, TODAY).unwrap_err();
        assert_eq!(errors.iter().count(), 1);
        assert!(errors.get("agree_to_carrier_terms").is_some());
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
                .get("state_province")
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
