//! Refuses server-function calls that another site's page makes from the merchant's browser
//! (cross-site request forgery). The session cookie's `SameSite=Lax` already keeps it off such
//! posts in current browsers; this check does not rely on that, and refuses before anything runs.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::AppError;
use crate::server::AppState;
use crate::server::config::PublicOrigin;
use crate::server::refusal::refuse;

/// Middleware for the server-function routes: a 403 for a cross-site call.
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if is_same_origin(request.headers(), state.public_origin.as_ref()) {
        return next.run(request).await;
    }
    let header_text = |name: &str| {
        request
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap_or("?"))
    };
    tracing::warn!(
        path = request.uri().path(),
        origin = header_text("origin"),
        sec_fetch_site = header_text("sec-fetch-site"),
        "cross-site server function call refused"
    );
    refuse(
        StatusCode::FORBIDDEN,
        &AppError::CrossSite,
        request.headers(),
    )
}

/// Whether the request comes from the app's own pages, as far as the browser says.
///
/// `Sec-Fetch-Site` is the browser's own verdict and cannot be set by a page; browsers without
/// it still send `Origin` on every POST, which must then be the app's. A request with neither
/// comes from a client that is not a browser: it has no merchant's cookie to ride on.
fn is_same_origin(headers: &HeaderMap, public_origin: Option<&PublicOrigin>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site == "same-origin";
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    match public_origin {
        Some(expected) => origin == expected.as_str(),
        // Without a configured origin, the page's origin is whatever host the browser asked for.
        None => {
            let authority = origin.split_once("://").map(|(_, authority)| authority);
            let host = headers
                .get(header::HOST)
                .and_then(|host| host.to_str().ok());
            matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Config;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.parse().unwrap(), value.parse().unwrap()))
            .collect()
    }

    fn configured() -> PublicOrigin {
        Config::from_vars(|name| {
            (name == "PUBLIC_ORIGIN").then(|| "https://connect.example.com".to_owned())
        })
        .unwrap()
        .public_origin
        .unwrap()
    }

    #[test]
    fn the_browsers_fetch_site_verdict_decides() {
        let same = headers(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://evil.example"),
        ]);
        assert!(is_same_origin(&same, None));
        for site in ["cross-site", "same-site", "none"] {
            let other = headers(&[("sec-fetch-site", site), ("host", "localhost")]);
            assert!(!is_same_origin(&other, None), "{site}");
        }
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_be_the_apps() {
        let own = headers(&[
            ("origin", "http://localhost:3000"),
            ("host", "localhost:3000"),
        ]);
        assert!(is_same_origin(&own, None));
        let other = headers(&[
            ("origin", "https://evil.example"),
            ("host", "localhost:3000"),
        ]);
        assert!(!is_same_origin(&other, None));
        let opaque = headers(&[("origin", "null"), ("host", "localhost:3000")]);
        assert!(!is_same_origin(&opaque, None));
    }

    #[test]
    fn a_configured_origin_is_the_only_one_accepted() {
        let origin = configured();
        let own = headers(&[("origin", "https://connect.example.com")]);
        assert!(is_same_origin(&own, Some(&origin)));
        // Behind a proxy the Host may be anything: it does not make an origin the app's.
        let other = headers(&[("origin", "https://evil.example"), ("host", "evil.example")]);
        assert!(!is_same_origin(&other, Some(&origin)));
    }

    #[test]
    fn a_client_that_is_not_a_browser_is_not_a_forgery() {
        assert!(is_same_origin(&headers(&[]), None));
    }
}
