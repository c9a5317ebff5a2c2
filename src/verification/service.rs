//! Step 2's domain: codes texted and checked within the limits, each outcome recorded on the
//! registration's row. The carrier and verification ids come from the row, never from the
//! request. Plain Rust over the flow and the app's state: the server functions only read the
//! request and call [`send_code`] or [`verify_code`] (tests drive them without HTTP).

use super::{VerificationField, validate_code};
use crate::error::{AppError, UpstreamProblem};
use crate::fields::FieldProblem;
use crate::fields::phone::{mask_phone, normalize_us_phone};
use crate::screen::Screen;
use crate::server::limits::unix_now;
use crate::server::observability::metrics;
use crate::server::shipengine::{
    CarrierId, ErrorCode, ShipEngineError, VerificationId, VerificationResult, VerificationStatus,
};
use crate::server::storage::{RegistrationEvent, VerificationCall};
use crate::server::{AppState, Flow, database_error, upstream_error};

/// Texts a code to `phone` for the registration on `flow`'s code step (`POST
/// …/stamps_com/:carrier_id/verification`), asked from `ip`.
pub async fn send_code(
    state: &AppState,
    mut flow: Flow,
    ip: IpAddr,
    phone: &str,
) -> Result<Screen, AppError> {
    let Some((row, carrier_id)) = flow.code_step() else {
        return flow.current().await;
    };
    let (carrier_id, reference) = (stored_carrier_id(carrier_id)?, row.reference.clone());
    flow.keep_phone(phone);
    let digits = match normalize_us_phone(phone) {
        Ok(digits) => digits,
        Err(problem) => {
            let error = AppError::invalid_field(VerificationField::Phone, problem);
            return flow.fail(error).await;
        }
    };
    // Every code is a text message the operator pays for. Counted before the call: a call that
    // fails may still have sent it.
    let counts = flow.limits().send_counts(&reference, ip, &digits);
    let admitted = state
        .database
        .admit(&counts, flow.limits().longest_window_secs(), unix_now())
        .await
        .map_err(database_error)?;
    if let Err(over) = admitted {
        tracing::warn!(limit = over.limit, %ip, %carrier_id, "code not sent");
        metrics::limit_rejected(over.limit);
        if over.limit == flow.limits().cooldown_name() && flow.is_plain_form_post() {
            // A second click without JavaScript: the page it lands on shows the code sent and
            // when the next may be asked for, not an error.
            return flow.current().await;
        }
        return flow.fail(over.into()).await;
    }
    // Tracked, and recorded by the task: a dropped request or a shutdown still learns which
    // code was sent.
    let key = flow.idempotency_key().to_owned();
    let call = state.spawn_upstream(tracing::Instrument::instrument(
        send_upstream(state.clone(), key, carrier_id.clone(), digits.clone()),
        tracing::Span::current(),
    ));
    match call.await.map_err(task_failed)? {
        Ok(()) => {
            tracing::info!(%carrier_id, "verification code sent");
            metrics::code_sent();
            flow.code_sent(&digits).await
        }
        Err(error) => {
            flow.fail(upstream_error::to_app_error(
                "send_code",
                &error,
                verification_field_of,
            ))
            .await
        }
    }
}

/// Checks `code` for the code last sent on `flow`'s code step (`PUT
/// …/stamps_com/:carrier_id/verification/:verification_id`), asked from `ip`.
pub async fn verify_code(
    state: &AppState,
    flow: Flow,
    ip: IpAddr,
    code: &str,
) -> Result<Screen, AppError> {
    let Some((row, carrier_id)) = flow.code_step() else {
        return flow.current().await;
    };
    let Some(verification_id) = row.verification_id.clone() else {
        return flow.current().await;
    };
    let carrier_id = stored_carrier_id(carrier_id)?;
    let code = match validate_code(code) {
        Ok(code) => code,
        Err(problem) => {
            let error = AppError::invalid_field(VerificationField::Code, problem);
            return flow.fail(error).await;
        }
    };
    // Guessing stops here, not at whatever limit ShipEngine keeps; and no burst of checks may
    // spend the operator's ShipEngine rate limit.
    if let Err((limit, refusal)) = admit_check(state, &flow, &verification_id, ip).await? {
        tracing::warn!(limit, %ip, %carrier_id, "code not checked");
        metrics::limit_rejected(limit);
        return flow.fail(refusal).await;
    }
    let verification_id = VerificationId::parse(&verification_id).map_err(corrupt)?;
    let key = flow.idempotency_key().to_owned();
    let call = state.spawn_upstream(tracing::Instrument::instrument(
        verify_upstream(
            state.clone(),
            key,
            carrier_id.clone(),
            verification_id,
            code,
        ),
        tracing::Span::current(),
    ));
    match call.await.map_err(task_failed)? {
        Ok(result) if result.status == VerificationStatus::Verified => {
            tracing::info!(%carrier_id, "carrier verified");
            flow.verified().await
        }
        Ok(result) => {
            tracing::warn!(%carrier_id, status = ?result.status, "verification not confirmed");
            flow.fail(wrong_code()).await
        }
        Err(error) if error.has_code(ErrorCode::VerificationFailure) => {
            tracing::info!(%carrier_id, request_id = ?error.request_id(), "wrong code");
            flow.fail(wrong_code()).await
        }
        Err(error) if error.status() == Some(404) => {
            tracing::warn!(%carrier_id, request_id = ?error.request_id(), "verification expired");
            flow.fail(AppError::Upstream {
                problem: UpstreamProblem::CodeExpired,
                reference: error.request_id().map(str::to_owned),
            })
            .await
        }
        Err(error) => {
            flow.fail(upstream_error::to_app_error(
                "verify_code",
                &error,
                verification_field_of,
            ))
            .await
        }
    }
}

fn stored_carrier_id(raw: &str) -> Result<CarrierId, AppError> {
    CarrierId::parse(raw).map_err(corrupt)
}

use std::net::IpAddr;

/// Texts a code to `phone` for the registration of `key`, and records which code it was.
async fn send_upstream(
    state: AppState,
    key: String,
    carrier_id: CarrierId,
    phone: String,
) -> Result<(), ShipEngineError> {
    let outcome = state
        .shipengine
        .request_verification_code(&carrier_id, &phone)
        .await;
    let (verification_id, sent_to) = match &outcome {
        Ok(started) => (started.verification_id.to_string(), mask_phone(&phone)),
        Err(_) => Default::default(),
    };
    let event = match &outcome {
        Ok(started) => RegistrationEvent::CodeSent {
            verification_id: &verification_id,
            sent_to: &sent_to,
            request_id: started.request_id.as_deref(),
        },
        Err(error) => RegistrationEvent::CallFailed {
            call: VerificationCall::SendCode,
            request_id: error.request_id(),
            error: &error.to_string(),
        },
    };
    Flow::record(&state.database, &key, event).await;
    outcome.map(drop)
}

/// Checks `code` for the registration of `key`, and records the outcome.
async fn verify_upstream(
    state: AppState,
    key: String,
    carrier_id: CarrierId,
    verification_id: VerificationId,
    code: String,
) -> Result<VerificationResult, ShipEngineError> {
    let outcome = state
        .shipengine
        .submit_verification_code(&carrier_id, &verification_id, &code)
        .await;
    let failure = match &outcome {
        Ok(_) => String::new(),
        Err(error) => error.to_string(),
    };
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
            error: &failure,
        },
    };
    Flow::record(&state.database, &key, event).await;
    outcome
}

fn task_failed(error: tokio::task::JoinError) -> AppError {
    tracing::error!(%error, "verification task failed");
    AppError::Internal { reference: None }
}

/// Takes one of the checks of the code sent (on the registration's row, so parallel requests
/// cannot take more), then counts the check against the address and the app. A check any
/// limit refuses counts against none; the refusal names its limit.
async fn admit_check(
    state: &AppState,
    flow: &Flow,
    verification_id: &str,
    ip: IpAddr,
) -> Result<Result<(), (&'static str, AppError)>, AppError> {
    let key = flow.idempotency_key();
    let limits = flow.limits();
    let reserved = state
        .database
        .reserve_code_check(key, verification_id, limits.wrong_codes_per_code)
        .await
        .map_err(database_error)?;
    if !reserved {
        return Ok(Err(("checks per code", AppError::TooManyWrongCodes)));
    }
    let admitted = state
        .database
        .admit(
            &limits.code_check_counts(ip),
            limits.longest_window_secs(),
            unix_now(),
        )
        .await
        .map_err(database_error)?;
    if let Err(over) = admitted {
        state
            .database
            .release_code_check(key, verification_id)
            .await
            .map_err(database_error)?;
        return Ok(Err((over.limit, over.into())));
    }
    Ok(Ok(()))
}

fn wrong_code() -> AppError {
    AppError::invalid_field(VerificationField::Code, FieldProblem::CodeWrong)
}

fn verification_field_of(upstream: &str) -> Option<VerificationField> {
    match upstream {
        "phone" => Some(VerificationField::Phone),
        "verification_code" => Some(VerificationField::Code),
        _ => None,
    }
}

/// An id in our own session that does not parse: ours to fix, not the merchant's.
fn corrupt(error: impl std::fmt::Debug) -> AppError {
    tracing::error!(?error, "stored id does not parse");
    AppError::Internal { reference: None }
}
