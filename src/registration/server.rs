//! The thin server adapter of step 1: validate, relay to ShipEngine, map the outcome.

use leptos::prelude::*;

use super::form::RegistrationForm;
use crate::error::AppError;
use crate::flow::Screen;

/// Relays `POST /v1/registration/stamps_com`. On success the session moves to the SMS step.
/// Handled failures come back inside the screen, so a plain form post (no JavaScript) can be
/// redirected to the page, which renders them; `Err` is kept for requests that make no sense.
#[server(endpoint = "register")]
pub async fn register(#[server(flatten)] form: RegistrationForm) -> Result<Screen, AppError> {
    use crate::fields::expiry::today_utc;
    use crate::server::limits::unix_now;
    use crate::server::{AppState, ClientIp, Flow, upstream_error};

    let mut flow = Flow::load().await?;
    if !flow.is_registering() {
        // An old tab or a second click: show where this session really is.
        return Ok(flow.screen());
    }
    flow.keep_draft(&form);
    let valid = match super::validate_registration(&form, today_utc()) {
        Ok(valid) => valid,
        Err(errors) => return flow.fail(AppError::Invalid(errors)).await,
    };
    let state = AppState::from_context()?;
    // Each registration checks a card upstream: an address cannot try card after card.
    let ClientIp(ip) = ClientIp::from_context()?;
    if let Err(over) = state.limits.admit_registration(ip, unix_now()) {
        tracing::warn!(limit = over.limit, %ip, "registration refused");
        return flow.refuse(over.into()).await;
    }
    match state
        .shipengine
        .register_stamps_com(&ssr::upstream_request(&valid))
        .await
    {
        Ok(registered) => {
            tracing::info!(carrier_id = %registered.carrier_id, card = ?valid.card, "registered");
            flow.registered(
                registered.carrier_id.to_string(),
                valid.nickname,
                valid.phone,
            )
            .await
        }
        Err(error) => {
            let error = upstream_error::to_app_error("register", &error, ssr::our_field);
            flow.fail(error).await
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::registration::ValidRegistration;
    use crate::server::shipengine::{
        CardType, CreditCard, RegisterRequest, RegistrationAddress, ResidentialIndicator,
    };

    /// The upstream body, field for field as the API documents it.
    pub fn upstream_request(valid: &ValidRegistration) -> RegisterRequest {
        RegisterRequest {
            nickname: valid.nickname.clone(),
            email: valid.email.clone(),
            agree_to_carrier_terms: true,
            address: RegistrationAddress {
                name: valid.name.clone(),
                phone: valid.phone.clone(),
                company_name: valid.company_name.clone(),
                address_line1: valid.address_line1.clone(),
                address_line2: valid.address_line2.clone(),
                city_locality: valid.city_locality.clone(),
                state_province: valid.state_province.clone(),
                postal_code: valid.postal_code.clone(),
                country_code: "US".into(),
                address_residential_indicator: if valid.residential {
                    ResidentialIndicator::Yes
                } else {
                    ResidentialIndicator::No
                },
            },
            credit_card: CreditCard {
                name: valid.card_name.clone(),
                number: valid.card.digits.clone(),
                card_type: CardType::from(valid.card.brand),
                expiration_year: valid.expiration_year.clone(),
                expiration_month: valid.expiration_month.clone(),
            },
        }
    }

    /// Which form field an upstream `field_name` is about, if any.
    pub fn our_field(upstream: &str) -> Option<&'static str> {
        Some(match upstream {
            "nickname" => "nickname",
            "email" => "email",
            "agree_to_carrier_terms" => "agree_to_carrier_terms",
            "address.name" => "name",
            "address.phone" => "phone",
            "address.company_name" => "company_name",
            "address.address_line1" => "address_line1",
            "address.address_line2" => "address_line2",
            "address.city_locality" => "city_locality",
            "address.state_province" => "state_province",
            "address.postal_code" => "postal_code",
            "address.address_residential_indicator" => "residential",
            "credit_card.name" => "card_name",
            "credit_card.number" | "credit_card.type" => "card_number",
            "credit_card.expiration_month" => "card_exp_month",
            "credit_card.expiration_year" => "card_exp_year",
            _ => return None,
        })
    }
}
