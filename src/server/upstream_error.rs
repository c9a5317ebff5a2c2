//! Turns a ShipEngine failure into a message a merchant can act on. The detail goes to the log
//! (codes, fields, request id: never the upstream message, which may quote what was sent).

use crate::error::{AppError, FieldErrors};
use crate::server::shipengine::{ErrorCode, ShipEngineError};

/// Maps `error` for the call named `call`. `field_of` says which form field an upstream
/// `field_name` belongs to, so the message can sit beside it.
pub fn to_app_error(
    call: &'static str,
    error: &ShipEngineError,
    field_of: fn(&str) -> Option<&'static str>,
) -> AppError {
    tracing::warn!(call, status = ?error.status(), request_id = ?error.request_id(), %error, "upstream call failed");
    let reference = error.request_id().map(str::to_owned);
    match error {
        ShipEngineError::Api { status: 429, retry_after, .. } => AppError::RateLimited {
            retry_after_secs: retry_after.map_or(30, |wait| wait.as_secs().max(1)),
        },
        ShipEngineError::Api { status: 400 | 409 | 422, .. } => {
            field_errors(error, field_of).unwrap_or_else(|| AppError::Upstream {
                message: "ShipEngine could not accept these details. Check them and try again, or \
                          contact support with the reference below."
                    .into(),
                reference,
            })
        }
        ShipEngineError::Api { status: 401 | 403, .. } => AppError::Upstream {
            message: "This service is not set up correctly, so we could not open your account. \
                      Please contact the site's support team."
                .into(),
            reference,
        },
        ShipEngineError::Api { status: 404, .. } => AppError::Upstream {
            message: "ShipEngine no longer knows this registration. Please start again.".into(),
            reference,
        },
        ShipEngineError::Connect => AppError::Upstream {
            message: "We could not reach ShipEngine just now. Your details are still here: please \
                      try again in a moment."
                .into(),
            reference: None,
        },
        ShipEngineError::NoResponse => AppError::Upstream {
            message: "ShipEngine did not answer in time. Please wait a minute, then try again."
                .into(),
            reference: None,
        },
        _ => AppError::Upstream {
            message: "ShipEngine is having trouble right now. Your details are still here: please \
                      try again in a few minutes."
                .into(),
            reference,
        },
    }
}

/// Upstream validation errors on fields we show, worded by us.
fn field_errors(
    error: &ShipEngineError,
    field_of: fn(&str) -> Option<&'static str>,
) -> Option<AppError> {
    let mut errors = FieldErrors::default();
    for (upstream_field, code) in error.field_errors() {
        let Some(field) = field_of(upstream_field) else { continue };
        let message = match code {
            ErrorCode::FieldValueRequired => "This is required",
            ErrorCode::InvalidStringLength => "This is too long or too short",
            ErrorCode::TermsNotAccepted => "Agree to the Stamps.com terms to open the account",
            _ => "ShipEngine did not accept this. Check it and try again",
        };
        errors.push(field, message);
    }
    (!errors.is_empty()).then_some(AppError::Invalid(errors))
}
