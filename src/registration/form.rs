//! What the registration form posts. The same flat shape is sent by the island and by a
//! plain HTML form post without JavaScript, so every field is a string the merchant typed.

use serde::{Deserialize, Deserializer};

use super::address_check::AddressDecision;
use crate::fields::declare::form_fields;

form_fields! {
    /// The registration form as typed. `card_number` is only ever filled in the browser and in
    /// the request that carries it: what the server keeps or renders has it blank.
    pub struct RegistrationForm, fields RegistrationField, signals RegistrationSignals {
        Nickname => nickname: String,
        Email => email: String,
        #[serde(deserialize_with = "checkbox")]
        AgreeToCarrierTerms => agree_to_carrier_terms: bool,
        Name => name: String,
        Phone => phone: String,
        CompanyName => company_name: String,
        AddressLine1 => address_line1: String,
        AddressLine2 => address_line2: String,
        CityLocality => city_locality: String,
        StateProvince => state_province: String,
        PostalCode => postal_code: String,
        /// "yes" or "no"; blank until the merchant chooses.
        Residential => residential: String,
        /// The answer to the USPS check of the address, once it asked for one.
        AddressDecision => address_decision: AddressDecision,
        CardName => card_name: String,
        CardNumber => card_number: String,
        CardExpMonth => card_exp_month: String,
        CardExpYear => card_exp_year: String,
    }
    hidden {
        /// The key the form was rendered with (a hidden input): a repeat of this submission, even
        /// from a second tab, is recognised and gets the first one's result.
        idempotency_key: String,
    }
}

impl RegistrationForm {
    /// The form without its card number: what may be kept in a session or rendered back.
    pub fn without_card_number(&self) -> Self {
        Self {
            card_number: String::new(),
            ..self.clone()
        }
    }
}

impl std::fmt::Debug for RegistrationForm {
    // Hand-written so that no log line can ever carry the card number.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrationForm")
            .field("nickname", &self.nickname)
            .field("email", &self.email)
            .field(
                "card_number",
                &if self.card_number.is_empty() {
                    ""
                } else {
                    "[redacted]"
                },
            )
            .finish_non_exhaustive()
    }
}

/// A checkbox posts its value ("true", or "on" without a value attribute) only when ticked.
/// Accepts a JSON bool too, and never fails on other text: anything else means "not ticked".
/// A binary encoding (postcard, in a server function's answer) carries the bool itself.
fn checkbox<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    if !deserializer.is_human_readable() {
        return bool::deserialize(deserializer);
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Posted {
        Bool(bool),
        Text(String),
    }
    Ok(match Posted::deserialize(deserializer)? {
        Posted::Bool(ticked) => ticked,
        Posted::Text(text) => matches!(text.as_str(), "true" | "on" | "yes"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_card_number() {
        let form = RegistrationForm {
            card_number: "4111111111111111".into(),
            ..Default::default()
        };
        let printed = format!("{form:?}");
        assert!(!printed.contains("4111"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn without_card_number_keeps_everything_else() {
        let form = RegistrationForm {
            email: "a@example.com".into(),
            card_number: "4111111111111111".into(),
            card_exp_month: "07".into(),
            ..Default::default()
        };
        let kept = form.without_card_number();
        assert_eq!(kept.card_number, "");
        assert_eq!(kept.email, "a@example.com");
        assert_eq!(kept.card_exp_month, "07");
    }

    #[test]
    fn checkbox_reads_form_posts_and_json() {
        let ticked: RegistrationForm =
            serde_json::from_str(r#"{"agree_to_carrier_terms":"on"}"#).unwrap();
        assert!(ticked.agree_to_carrier_terms);
        let json: RegistrationForm =
            serde_json::from_str(r#"{"agree_to_carrier_terms":true}"#).unwrap();
        assert!(json.agree_to_carrier_terms);
        let other: RegistrationForm =
            serde_json::from_str(r#"{"agree_to_carrier_terms":"nope"}"#).unwrap();
        assert!(!other.agree_to_carrier_terms);
        let absent: RegistrationForm = serde_json::from_str("{}").unwrap();
        assert!(!absent.agree_to_carrier_terms);
    }

    #[test]
    fn a_form_post_fills_each_field_by_its_name() {
        let posted = RegistrationField::ALL
            .iter()
            .map(|field| format!("{}=x", field.name()))
            .collect::<Vec<_>>()
            .join("&");
        let form: RegistrationForm = serde_urlencoded::from_str(&posted).unwrap();
        let filled = RegistrationForm {
            agree_to_carrier_terms: false,
            ..form.clone()
        };
        assert_eq!(
            filled,
            RegistrationForm {
                nickname: "x".into(),
                email: "x".into(),
                name: "x".into(),
                phone: "x".into(),
                company_name: "x".into(),
                address_line1: "x".into(),
                address_line2: "x".into(),
                city_locality: "x".into(),
                state_province: "x".into(),
                postal_code: "x".into(),
                residential: "x".into(),
                card_name: "x".into(),
                card_number: "x".into(),
                card_exp_month: "x".into(),
                card_exp_year: "x".into(),
                ..Default::default()
            }
        );
        for field in RegistrationField::ALL {
            assert_eq!(RegistrationField::from_name(field.name()), Some(*field));
        }
        assert_eq!(RegistrationField::from_name("idempotency_key"), None);
    }

    #[test]
    fn the_address_decision_reads_its_values_and_nothing_else() {
        for (posted, decision) in [
            ("usps", AddressDecision::UseUsps),
            ("as_typed", AddressDecision::AsTyped),
            ("", AddressDecision::Unset),
            ("USPS", AddressDecision::Unset),
        ] {
            let form: RegistrationForm =
                serde_urlencoded::from_str(&format!("address_decision={posted}")).unwrap();
            assert_eq!(form.address_decision, decision, "{posted}");
            assert_eq!(
                serde_json::from_value::<AddressDecision>(serde_json::to_value(decision).unwrap())
                    .unwrap(),
                decision
            );
        }
    }

    #[test]
    fn the_form_survives_postcard() {
        let form = RegistrationForm {
            nickname: "Main store".into(),
            agree_to_carrier_terms: true,
            address_decision: AddressDecision::AsTyped,
            idempotency_key: "k".into(),
            ..Default::default()
        };
        let bytes = postcard::to_allocvec(&form).unwrap();
        assert_eq!(
            postcard::from_bytes::<RegistrationForm>(&bytes).unwrap(),
            form
        );
    }
}
