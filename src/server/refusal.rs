//! Requests refused before any server function runs (cross-site, too large, not a form), in the
//! shape the caller can read.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::server::wire;

/// A plain HTML form post (no JavaScript) asks for HTML; the hydrated page asks for postcard.
pub fn is_plain_form_post(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// `error` with `status`: encoded for the page's own calls (their client decodes the app's error
/// from it: postcard, see [`wire`]) and as JSON for other callers, as a plain sentence for a form
/// post, which the browser shows as it is.
pub fn refuse(status: StatusCode, error: &AppError, request_headers: &HeaderMap) -> Response {
    if is_plain_form_post(request_headers) {
        return (status, error.to_string()).into_response();
    }
    if wire::wants_postcard(request_headers) {
        return (status, wire::postcard_body(error)).into_response();
    }
    let body = serde_json::to_string(error).expect("the app's error always serialises");
    let json = HeaderValue::from_static("application/json");
    (status, [(header::CONTENT_TYPE, json)], body).into_response()
}
