//! The thin server adapters of step 2. The carrier and verification ids come from the session,
//! never from the request.

use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

use crate::error::AppError;
use crate::flow::Screen;

/// Relays `POST …/stamps_com/:carrier_id/verification`: texts a code to `phone`.
#[server(endpoint = "send_code", output = Postcard)]
pub async fn send_code(phone: String) -> Result<Screen, AppError> {
    use crate::fields::phone::normalize_us_phone;
    use crate::server::limits::unix_now;
    use crate::server::observability::metrics;
    use crate::server::storage::{RegistrationEvent, VerificationCall};
    use crate::server::{AppState, ClientIp, Flow, upstream_error};

    let mut flow = Flow::load().await?;
    let Some((carrier_id, _)) = flow.verification() else {
        return flow.current().await;
    };
    let carrier_id = stored_carrier_id(carrier_id)?;
    flow.keep_phone(&phone);
    let digits = match normalize_us_phone(&phone) {
        Ok(digits) => digits,
        Err(message) => return flow.fail(AppError::invalid_field("phone", message)).await,
    };
    let state = AppState::from_context()?;
    // Every code is a text message the operator pays for.
    let ClientIp(ip) = ClientIp::from_context()?;
    let now = unix_now();
    let admitted = match state.limits.admit_send(flow.send_history(), ip, now) {
        // Per phone and in total, every instance counts in the database.
        Ok(()) => state
            .database
            .admit_shared_send(
                &state.limits.shared_send_counts(&digits),
                state.limits.config().window_secs,
                now,
            )
            .await
            .map_err(crate::server::database_error)?,
        Err(over) => Err(over),
    };
    if let Err(over) = admitted {
        tracing::warn!(limit = over.limit, %ip, %carrier_id, "code not sent");
        metrics::limit_rejected(over.limit);
        return flow.refuse(over.into()).await;
    }
    flow.record_send(now);
    match state
        .shipengine
        .request_verification_code(&carrier_id, &digits)
        .await
    {
        Ok(started) => {
            tracing::info!(%carrier_id, "verification code sent");
            metrics::code_sent();
            let request_id = started.request_id.as_deref();
            flow.note(RegistrationEvent::CodeSent { request_id }).await;
            flow.code_sent(&digits, started.verification_id.to_string())
                .await
        }
        Err(error) => {
            flow.note(RegistrationEvent::CallFailed {
                call: VerificationCall::SendCode,
                request_id: error.request_id(),
                error: &error.to_string(),
            })
            .await;
            flow.fail(upstream_error::to_app_error(
                "send_code",
                &error,
                ssr::field_of,
            ))
            .await
        }
    }
}

/// Relays `PUT …/stamps_com/:carrier_id/verification/:verification_id` with the typed code.
#[server(endpoint = "verify_code", output = Postcard)]
pub async fn verify_code(code: String) -> Result<Screen, AppError> {
    use crate::server::observability::metrics;
    use crate::server::shipengine::{ErrorCode, VerificationId, VerificationStatus};
    use crate::server::storage::{RegistrationEvent, VerificationCall};
    use crate::server::{AppState, Flow, upstream_error};

    let mut flow = Flow::load().await?;
    let Some((carrier_id, Some(verification_id))) = flow.verification() else {
        return flow.current().await;
    };
    let carrier_id = stored_carrier_id(carrier_id)?;
    let verification_id = VerificationId::parse(verification_id).map_err(ssr::corrupt)?;
    let code = match super::validate_code(&code) {
        Ok(code) => code,
        Err(message) => return flow.fail(AppError::invalid_field("code", message)).await,
    };
    // Guessing stops here, not at whatever limit ShipEngine keeps.
    if !flow.code_tries_left() {
        tracing::warn!(%carrier_id, "code not checked: too many wrong codes");
        metrics::limit_rejected("wrong codes per code");
        return flow.refuse(AppError::TooManyWrongCodes).await;
    }
    let state = AppState::from_context()?;
    let outcome = state
        .shipengine
        .submit_verification_code(&carrier_id, &verification_id, &code)
        .await;
    let event = match &outcome {
        Ok(result) if result.status == VerificationStatus::Verified => {
            RegistrationEvent::Verified {
                request_id: result.request_id.as_deref(),
            }
        }
        Ok(result) => RegistrationEvent::CallFailed {
            call: VerificationCall::VerifyCode,
            request_id: result.request_id.as_deref(),
            error: "ShipEngine answered without confirming the code",
        },
        Err(error) => RegistrationEvent::CallFailed {
            call: VerificationCall::VerifyCode,
            request_id: error.request_id(),
            error: &error.to_string(),
        },
    };
    flow.note(event).await;
    match outcome {
        Ok(result) if result.status == VerificationStatus::Verified => {
            tracing::info!(%carrier_id, "carrier verified");
            flow.verified().await
        }
        Ok(result) => {
            tracing::warn!(%carrier_id, status = ?result.status, "verification not confirmed");
            flow.count_wrong_code();
            flow.fail(AppError::invalid_field("code", ssr::WRONG_CODE))
                .await
        }
        Err(error) if error.has_code(ErrorCode::VerificationFailure) => {
            tracing::info!(%carrier_id, request_id = ?error.request_id(), "wrong code");
            flow.count_wrong_code();
            flow.fail(AppError::invalid_field("code", ssr::WRONG_CODE))
                .await
        }
        Err(error) if error.status() == Some(404) => {
            tracing::warn!(%carrier_id, request_id = ?error.request_id(), "verification expired");
            flow.fail(AppError::Upstream {
                message: "This code has expired. Send a new code and enter that one.".into(),
                reference: error.request_id().map(str::to_owned),
            })
            .await
        }
        Err(error) => {
            flow.fail(upstream_error::to_app_error(
                "verify_code",
                &error,
                ssr::field_of,
            ))
            .await
        }
    }
}

#[cfg(feature = "ssr")]
fn stored_carrier_id(raw: &str) -> Result<crate::server::shipengine::CarrierId, AppError> {
    crate::server::shipengine::CarrierId::parse(raw).map_err(ssr::corrupt)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;

    pub const WRONG_CODE: &str =
        "That code is not right. Check the text message and try again, or send a new code.";

    pub fn field_of(upstream: &str) -> Option<&'static str> {
        match upstream {
            "phone" => Some("phone"),
            "verification_code" => Some("code"),
            _ => None,
        }
    }

    /// An id in our own session that does not parse: ours to fix, not the merchant's.
    pub fn corrupt(error: impl std::fmt::Debug) -> AppError {
        tracing::error!(?error, "stored id does not parse");
        AppError::Internal { reference: None }
    }
}
