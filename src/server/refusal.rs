//! Requests refused before any server function runs (cross-site, too large, not a form), in the
//! shape the caller can read; and the language a request's page is in.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::i18n::{LANGUAGE_COOKIE, Locale};
use crate::server::answer::error_response;
use crate::server::cookies::sent_cookie;

/// A plain HTML form post (no JavaScript) asks for HTML; the island asks for postcard.
pub fn is_plain_form_post(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// `error` with `status`: as the server functions answer their own errors (postcard), or as a
/// plain sentence for a form post, which the browser shows as it is, in the page's language.
pub fn refuse(status: StatusCode, error: &AppError, request_headers: &HeaderMap) -> Response {
    if is_plain_form_post(request_headers) {
        let sentence = page_locale(request_headers).error(error).into_owned();
        return (status, sentence).into_response();
    }
    let mut response = error_response(error);
    *response.status_mut() = status;
    response
}

/// The page's language: the switch's cookie, else the language of the onboarding link the flow
/// began at, else the browser's `Accept-Language`.
pub fn page_locale_with_link(headers: &HeaderMap, link: Option<Locale>) -> Locale {
    let chosen = sent_cookie(headers, LANGUAGE_COOKIE).and_then(|tag| Locale::from_tag(&tag));
    chosen.or(link).unwrap_or_else(|| page_locale(headers))
}

/// The page's language: the switch's cookie, else the browser's `Accept-Language`.
pub fn page_locale(headers: &HeaderMap) -> Locale {
    let chosen = sent_cookie(headers, LANGUAGE_COOKIE);
    let accept_language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    Locale::negotiate(chosen.as_deref(), accept_language)
}
