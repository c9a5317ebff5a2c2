//! The server functions' answers on the wire. The page's own client asks for postcard (compact,
//! and decoded in the browser with far less code than JSON: see BENCHMARKS.md); any other
//! caller (tests, `curl`, support tooling) gets the same answer as JSON. Either way an error
//! answer's status says whose fault it is.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::server_fn::ContentType;
use leptos::server_fn::codec::PostcardEncoding;
use serde::Serialize;

use crate::error::AppError;
use crate::flow::Screen;

/// Larger than any screen or error: a body past it is not ours to re-encode.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Whether the caller is the page's server-function client, which asks for postcard.
pub fn wants_postcard(request_headers: &HeaderMap) -> bool {
    request_headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains(PostcardEncoding::CONTENT_TYPE))
}

/// A server function's answer (a postcard [`Screen`], or a postcard [`AppError`] with status
/// 500), with the error's own status, in the encoding the caller asked for.
pub async fn answer(response: Response, in_postcard: bool) -> Response {
    let status = response.status();
    if status != StatusCode::OK && status != StatusCode::INTERNAL_SERVER_ERROR {
        return response; // not a function's own answer (an unknown function, say)
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ANSWER_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        if let Ok(error) = postcard::from_bytes::<AppError>(&bytes) {
            parts.status = status_of(&error);
            if let AppError::RateLimited { retry_after_secs } = error {
                parts
                    .headers
                    .insert(header::RETRY_AFTER, retry_after_secs.into());
            }
            if !in_postcard {
                return as_json(parts, &error);
            }
        }
    } else if !in_postcard && let Ok(screen) = postcard::from_bytes::<Screen>(&bytes) {
        return as_json(parts, &screen);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The error a server function answered with; a request it could not read when the body is
/// not one of its errors.
pub async fn error_of(response: Response) -> AppError {
    let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES).await;
    bytes
        .ok()
        .and_then(|bytes| postcard::from_bytes::<AppError>(&bytes).ok())
        .unwrap_or(AppError::BadRequest)
}

/// `value` as a postcard body, with its content type.
pub fn postcard_body(value: &impl Serialize) -> impl IntoResponse {
    let bytes = postcard::to_allocvec(value).expect("screens and errors always encode");
    let content_type = HeaderValue::from_static(PostcardEncoding::CONTENT_TYPE);
    ([(header::CONTENT_TYPE, content_type)], bytes)
}

fn as_json(mut parts: axum::http::response::Parts, value: &impl Serialize) -> Response {
    let json = serde_json::to_vec(value).expect("screens and errors always serialise");
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(json))
}

fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::BadRequest | AppError::Invalid(_) => StatusCode::BAD_REQUEST,
        AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::CrossSite => StatusCode::FORBIDDEN,
        AppError::RegistrationInProgress | AppError::SentFromAnotherBrowser => StatusCode::CONFLICT,
        AppError::RateLimited { .. } | AppError::TooManyWrongCodes => StatusCode::TOO_MANY_REQUESTS,
        AppError::Upstream { .. } | AppError::OutcomeUnknown { .. } => StatusCode::BAD_GATEWAY,
        AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        // Only the page itself concludes this, when no answer came.
        AppError::Unreachable => StatusCode::SERVICE_UNAVAILABLE,
    }
}
