//! The server functions' answers on the wire: the next screen, or the app's error with a status
//! that says whose fault it is, set through Leptos's `ResponseOptions`. Both are postcard, which
//! the page's island decodes with far less code than JSON (see BENCHMARKS.md).

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::use_context;
use leptos::server_fn::ContentType;
use leptos::server_fn::codec::PostcardEncoding;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

/// Larger than any error: a body past it is not one of ours.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Gives a server function's failed `outcome` its status (and a limit its `Retry-After`).
pub fn with_status<T>(outcome: Result<T, AppError>) -> Result<T, AppError> {
    if let (Err(error), Some(response)) = (&outcome, use_context::<ResponseOptions>()) {
        response.set_status(status_of(error));
        if let AppError::RateLimited { retry_after_secs } = error {
            response.insert_header(header::RETRY_AFTER, (*retry_after_secs).into());
        }
    }
    outcome
}

/// The error a server function answered with (Leptos's own refusal of arguments it could not
/// read is one of them: `BadRequest`); ours to apologise for when the body is not one.
pub async fn error_of(response: Response) -> AppError {
    let is_postcard = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value == PostcardEncoding::CONTENT_TYPE);
    let bytes = axum::body::to_bytes(response.into_body(), MAX_ERROR_BYTES).await;
    bytes
        .ok()
        .filter(|_| is_postcard)
        .and_then(|bytes| postcard::from_bytes::<AppError>(&bytes).ok())
        .unwrap_or(AppError::Internal { reference: None })
}

/// `error` as a postcard body with its status, as the functions answer.
pub fn error_response(error: &AppError) -> Response {
    let bytes = postcard::to_allocvec(error).expect("errors always encode");
    let content_type = HeaderValue::from_static(PostcardEncoding::CONTENT_TYPE);
    (
        status_of(error),
        [(header::CONTENT_TYPE, content_type)],
        Body::from(bytes),
    )
        .into_response()
}

pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::BadRequest | AppError::Invalid(_) => StatusCode::BAD_REQUEST,
        AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::CrossSite | AppError::LinkRequired => StatusCode::FORBIDDEN,
        AppError::RegistrationInProgress | AppError::SentFromAnotherBrowser => StatusCode::CONFLICT,
        AppError::RateLimited { .. } | AppError::TooManyWrongCodes => StatusCode::TOO_MANY_REQUESTS,
        // ShipEngine failed the call ours depended on. Not a 5xx (such as 502): no session is
        // saved with a 5xx answer, and what the merchant typed must survive a reload.
        AppError::Upstream { .. } | AppError::OutcomeUnknown { .. } => {
            StatusCode::FAILED_DEPENDENCY
        }
        AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        // Only the page itself concludes this, when no answer came.
        AppError::Unreachable => StatusCode::SERVICE_UNAVAILABLE,
    }
}
