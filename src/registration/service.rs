//! Step 1's domain: a registration sent to ShipEngine exactly once, within the limits, its
//! outcome recorded on its row. Plain Rust over the flow and the app's state: the server function
//! only reads the request and calls [`register`] (tests drive it without HTTP).

use std::net::IpAddr;

use super::address_service::{Checked, check_address};
use super::{
    AddressCheck, AddressDecision, RegistrationField, RegistrationForm, ValidRegistration,
    validate_registration,
};
use crate::error::AppError;
use crate::fields::expiry::today_utc;
use crate::screen::Screen;
use crate::server::limits::unix_now;
use crate::server::observability::metrics::{self, Registration};
use crate::server::shipengine::{
    CardType, CreditCard, RegisterRequest, Registered, RegistrationAddress, ResidentialIndicator,
    ShipEngineError,
};
use crate::server::storage::{Claim, NewRegistration, RegistrationEvent};
use crate::server::{AppState, Flow, database_error, upstream_error};

/// Relays `form` to `POST /v1/registration/stamps_com` for the browser whose `flow` this is,
/// asking from `ip`. On success the flow moves to the SMS step; a failure is the error the
/// merchant is shown, with what was typed kept in the flow.
///
/// Exactly once: the row of the form's idempotency key is inserted before ShipEngine is called,
/// and only the request that inserted it calls. A repeat (double click, second tab, resubmit
/// after a network error) gets the first one's outcome, waiting for it while it is in flight.
pub async fn register(
    state: &AppState,
    mut flow: Flow,
    ip: IpAddr,
    form: &RegistrationForm,
) -> Result<Screen, AppError> {
    if !flow.is_registering() {
        // An old tab or a second click: show where this browser really is.
        return flow.current().await;
    }
    if !flow.may_use_form(state.operator.public_form) {
        return flow.fail(AppError::LinkRequired).await;
    }
    flow.keep_draft(form);
    if let Some(blocked) = flow.registration_blocked() {
        return flow.fail(blocked).await;
    }
    if let Some(refusal) = flow.after_refusal(&form.idempotency_key) {
        return flow.fail(refusal).await;
    }
    if let Err(refused) = flow.adopt_posted_key(&form.idempotency_key).await? {
        return flow.fail(refused).await;
    }
    if flow.registration_sent() {
        return flow.follow_registration().await;
    }
    let valid = match validate_registration(form, today_utc()) {
        Ok(valid) => valid,
        Err(errors) => {
            metrics::registration(Registration::Invalid);
            return flow.fail(AppError::Invalid(errors)).await;
        }
    };
    // Before the claim: a merchant asked about the address has sent nothing and used no limit.
    let valid = match check_address(state, ip, form, flow.address_check(), valid).await {
        Checked::GoOn { valid, draft } => {
            if let Some(draft) = draft {
                flow.keep_draft(&draft);
            }
            flow.address_settled();
            *valid
        }
        Checked::Ask(check) => {
            // The USPS address is offered first; "I'm sure" is for the merchant to tick.
            let preselected = match check {
                AddressCheck::Suggestion { .. } => AddressDecision::UseUsps,
                AddressCheck::Unconfirmed { .. } => AddressDecision::Unset,
            };
            flow.keep_draft(&RegistrationForm {
                address_decision: preselected,
                ..form.clone()
            });
            return flow.ask_about_address(check).await;
        }
    };
    flow.persist().await?;
    let key = flow.idempotency_key().to_owned();
    let session_id = flow.session_id();
    let new_row = new_row(
        &key,
        flow.owner().hash(),
        session_id.as_deref(),
        flow.merchant_ref(),
        flow.allows_another(),
        &valid,
    );
    let reference = match state
        .database
        .claim(&new_row)
        .await
        .map_err(database_error)?
    {
        Claim::New { reference } => reference,
        // A twin, another tab of this browser, or the merchant's other browser (one account per
        // merchant) got there first: nothing more is counted.
        Claim::Existing(row) => return flow.follow(*row).await,
    };
    // Each registration checks a card upstream: no address, email or burst may try card after
    // card. Counted once the row is this request's, so a twin never counts twice; a refused
    // registration is not kept.
    let counts = state.limits.registration_counts(ip, &valid.email);
    let admitted = state
        .database
        .admit(&counts, state.limits.longest_window_secs(), unix_now())
        .await;
    let refusal = match admitted {
        Ok(Ok(())) => None,
        Ok(Err(over)) => Some(Ok(over)),
        Err(error) => Some(Err(database_error(error))),
    };
    if let Some(refusal) = refusal {
        if let Err(error) = state.database.release_claim(&key).await {
            tracing::error!(%error, %reference, "a refused registration's row was not released");
        }
        let over = refusal?;
        tracing::warn!(limit = over.limit, %ip, "registration refused");
        metrics::limit_rejected(over.limit);
        metrics::registration(Registration::Limited);
        return flow.fail(over.into()).await;
    }
    // In a task of its own, tracked so a graceful shutdown waits for it: a merchant closing the
    // tab (or a deploy) must not cut the call short, or the row would never learn its outcome.
    // The request's span goes along, so the call's log line carries the request id.
    let call = state.spawn_upstream(tracing::Instrument::instrument(
        register_upstream(state.clone(), key, upstream_request(&valid)),
        tracing::Span::current(),
    ));
    let outcome = call.await.map_err(|error| {
        tracing::error!(%error, %reference, "registration task failed");
        AppError::Internal { reference: None }
    })?;
    match outcome {
        Ok(registered) => {
            tracing::info!(carrier_id = %registered.carrier_id, %reference, card_brand = valid.card.brand.api_value(), card_last4 = valid.card.last4(), "registered");
            metrics::registration(Registration::Registered);
            flow.registered().await
        }
        Err(error) if error.may_have_taken_effect() => {
            tracing::error!(%reference, %error, "registration outcome unknown: support must settle it");
            metrics::registration(Registration::OutcomeUnknown);
            flow.registration_unknown().await
        }
        Err(error) => {
            metrics::registration(Registration::UpstreamError);
            let error = upstream_error::to_app_error("register", &error, registration_field_of);
            flow.registration_refused(error).await
        }
    }
}

/// The row, before the call: who (and, from an onboarding link, which of the operator's
/// merchants), and which card by brand and last four. Never the number.
fn new_row<'a>(
    key: &'a str,
    owner_hash: &'a str,
    session_id: Option<&'a str>,
    merchant_ref: Option<&'a str>,
    allow_another: bool,
    valid: &'a ValidRegistration,
) -> NewRegistration<'a> {
    NewRegistration {
        idempotency_key: key,
        owner_hash,
        session_id,
        nickname: &valid.nickname,
        email: &valid.email,
        card_brand: valid.card.brand.api_value(),
        card_last4: valid.card.last4(),
        merchant_ref,
        allow_another,
    }
}

/// Calls ShipEngine and records the outcome on the row of `key`.
async fn register_upstream(
    state: AppState,
    key: String,
    request: RegisterRequest,
) -> Result<Registered, ShipEngineError> {
    let outcome = state.shipengine.register_stamps_com(&request).await;
    let carrier_id;
    let error;
    let event = match &outcome {
        Ok(registered) => {
            carrier_id = registered.carrier_id.to_string();
            RegistrationEvent::Registered {
                carrier_id: &carrier_id,
                request_id: registered.request_id.as_deref(),
            }
        }
        Err(failure) => {
            error = failure.to_string();
            upstream_error::failure_event(failure, &error)
        }
    };
    if let Err(failure) = state.database.record(&key, event).await {
        // The merchant still gets the outcome; the row is settled as unknown later.
        tracing::error!(%failure, ?event, "registration outcome not recorded");
    }
    outcome
}

/// The upstream body, field for field as the API documents it.
fn upstream_request(valid: &ValidRegistration) -> RegisterRequest {
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
fn registration_field_of(upstream: &str) -> Option<RegistrationField> {
    use RegistrationField as Field;
    Some(match upstream {
        "nickname" => Field::Nickname,
        "email" => Field::Email,
        "agree_to_carrier_terms" => Field::AgreeToCarrierTerms,
        "address.name" => Field::Name,
        "address.phone" => Field::Phone,
        "address.company_name" => Field::CompanyName,
        "address.address_line1" => Field::AddressLine1,
        "address.address_line2" => Field::AddressLine2,
        "address.city_locality" => Field::CityLocality,
        "address.state_province" => Field::StateProvince,
        "address.postal_code" => Field::PostalCode,
        "address.address_residential_indicator" => Field::Residential,
        "credit_card.name" => Field::CardName,
        "credit_card.number" | "credit_card.type" => Field::CardNumber,
        "credit_card.expiration_month" => Field::CardExpMonth,
        "credit_card.expiration_year" => Field::CardExpYear,
        _ => return None,
    })
}
