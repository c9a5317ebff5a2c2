//! Headers on every response: what a browser may load and run, who may frame the page, what
//! leaks in `Referer`, which device features the page may ask for, and HSTS over TLS.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::use_nonce;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::server::AppState;

/// For every response that sets no policy of its own (JSON, redirects, assets): nothing may
/// run, load or frame it.
const NOTHING_RUNS: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The device features the page never needs.
const PERMISSIONS: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), \
                           magnetometer=(), microphone=(), payment=(), usb=()";

/// Two years, the value HSTS preload lists ask for; sent only when `PUBLIC_ORIGIN` is https.
const HSTS: &str = "max-age=63072000";

/// Middleware for the whole router.
pub async fn add_security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(NOTHING_RUNS));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS),
    );
    if state.public_origin.as_ref().is_some_and(|o| o.is_https()) {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// The page's policy: scripts are the app's own files, plus the one inline script (Leptos's
/// hydration loader) that carries this response's `nonce`; WebAssembly may be compiled.
pub fn page_policy(nonce: &str) -> Option<HeaderValue> {
    HeaderValue::try_from(format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ))
    .ok()
}

/// Run inside the page's render, after Leptos has made this response's nonce: sends the page's
/// policy with it. Without a nonce the page keeps [`NOTHING_RUNS`]: it still works, as a plain
/// HTML page.
pub fn set_page_policy() {
    let policy = use_nonce().and_then(|nonce| page_policy(&nonce));
    match (policy, use_context::<ResponseOptions>()) {
        (Some(policy), Some(response)) => {
            response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
        }
        _ => tracing::error!("no CSP nonce in the render: the page will not hydrate"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_policy_allows_only_the_nonced_inline_script() {
        let policy = page_policy("abc123_-").unwrap();
        let policy = policy.to_str().unwrap();
        assert!(policy.contains("script-src 'self' 'nonce-abc123_-' 'wasm-unsafe-eval';"));
        for directive in [
            "frame-ancestors 'none'",
            "form-action 'self'",
            "object-src 'none'",
            "base-uri 'self'",
        ] {
            assert!(policy.contains(directive), "{directive}");
        }
        assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"));
    }
}
