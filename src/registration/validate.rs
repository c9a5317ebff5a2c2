//! One validation for the registration form, run by the browser as the merchant types and by the
//! server before any upstream call (the server never trusts the browser).

use crate::error::FieldErrors;
use crate::fields::card::{ValidCard, validate_card_number};
use crate::fields::email::validate_email;
use crate::fields::expiry::{YearMonth, validate_expiry};
use crate::fields::phone::normalize_us_phone;
use crate::fields::postal::validate_zip;
use crate::fields::states::is_us_state;
use crate::fields::text::required_text;

use super::form::RegistrationForm;

/// Generous limits: ShipEngine documents none, but an unbounded field is an abuse vector.
const MAX_TEXT: usize = 100;

/// The registration, checked and normalised: what the server sends upstream.
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

/// Checks every field; the errors come in page order, one per field.
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
    let email = check("email", validate_email(&form.email).map_err(String::from));
    let name = check(
        "name",
        required_text(&form.name, "Enter your full name", MAX_TEXT),
    );
    let company_name = optional(&form.company_name);
    let phone = check(
        "phone",
        normalize_us_phone(&form.phone).map_err(String::from),
    );
    let address_line1 = check(
        "address_line1",
        required_text(
            &form.address_line1,
            "Enter the first line of your address",
            MAX_TEXT,
        ),
    );
    let address_line2 = optional(&form.address_line2);
    let city_locality = check(
        "city_locality",
        required_text(&form.city_locality, "Enter your city", MAX_TEXT),
    );
    let state_province = check("state_province", state(&form.state_province));
    let postal_code = check(
        "postal_code",
        validate_zip(&form.postal_code).map_err(String::from),
    );
    let residential = check("residential", residential(&form.residential));
    let card_name = check(
        "card_name",
        required_text(&form.card_name, "Enter the name on your card", MAX_TEXT),
    );
    let card = validate_card_number(&form.card_number)
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
                company_name,
                address_line1,
                address_line2,
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

fn optional(input: &str) -> Option<String> {
    let trimmed = input.trim();
    (!trimmed.is_empty()).then(|| trimmed.chars().take(MAX_TEXT).collect())
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
