//! The app's own cookies (the flow's owner, the language), as opposed to the session's: read
//! from a request, set on a response, all with the same attributes.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use tower_sessions::cookie::time::Duration;
use tower_sessions::cookie::{Cookie, SameSite};

/// The value of the cookie `name` the browser sent.
pub fn sent_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| Cookie::split_parse(value.to_owned()).filter_map(Result::ok))
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// Sets the cookie `name` for the whole site, for `max_age`: HttpOnly (no script reads it),
/// SameSite=Lax, and Secure when the app is served over TLS.
pub fn set_cookie(
    response: &mut Response,
    name: &str,
    value: &str,
    max_age: Duration,
    served_over_tls: bool,
) {
    let cookie = Cookie::build((name, value))
        .http_only(true)
        .secure(served_over_tls)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(max_age)
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}
