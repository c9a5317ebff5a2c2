//! What a server function accepts as a body: a URL-encoded form (what both the page and a plain
//! HTML form send), of a size no real form comes near.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};

use crate::error::AppError;

/// The registration form, every field at its longest, is under 4 KiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The request with its body read into memory, or why not, with its status: 415 for another
/// content type, 413 past [`MAX_BODY_BYTES`] (the route's `DefaultBodyLimit`), 400 for a body
/// that breaks off.
pub async fn read_form(request: Request) -> Result<Request, (StatusCode, AppError)> {
    let (parts, body) = request.into_parts();
    if !is_form(&parts.headers) {
        return Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, AppError::BadRequest));
    }
    match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(bytes) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Err(rejection) => {
            let status = rejection.status();
            let error = if status == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest
            };
            Err((status, error))
        }
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_url_encoded_forms_are_forms() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            is_form(&headers)
        };
        assert!(with("application/x-www-form-urlencoded"));
        assert!(with("Application/X-WWW-Form-Urlencoded; charset=UTF-8"));
        assert!(!with("application/json"));
        assert!(!with("multipart/form-data; boundary=x"));
        assert!(!with("text/plain"));
        assert!(!is_form(&HeaderMap::new()));
    }
}
