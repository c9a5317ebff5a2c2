//! Requests refused before any server function runs (cross-site, too large, not a form), in the
//! shape the caller can read.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::server::answer::error_response;

/// A plain HTML form post (no JavaScript) asks for HTML; the island asks for postcard.
pub fn is_plain_form_post(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// `error` with `status`: as the server functions answer their own errors (postcard), or as a
/// plain sentence for a form post, which the browser shows as it is.
pub fn refuse(status: StatusCode, error: &AppError, request_headers: &HeaderMap) -> Response {
    if is_plain_form_post(request_headers) {
        return (status, error.to_string()).into_response();
    }
    let mut response = error_response(error);
    *response.status_mut() = status;
    response
}
