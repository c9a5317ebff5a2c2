//! The headers every response carries: the page's CSP with its per-response nonce, the other
//! security headers, HSTS only over TLS, and `no-store` on everything the flow answers.

mod support;
use support::POSTCARD;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use support::{TestApp, body_bytes, registration_form};

async fn get_page(app: &mut TestApp) -> (HeaderMap, String) {
    let response = app
        .send(Request::get("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    (
        headers,
        String::from_utf8(body_bytes(response).await).unwrap(),
    )
}

fn csp(headers: &HeaderMap) -> &str {
    headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap()
}

/// The opening tags of every `<script>` of the page.
fn script_tags(html: &str) -> Vec<&str> {
    html.split("<script")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap()])
        .collect()
}

fn nonce_of(tag: &str) -> Option<&str> {
    let start = tag.find(" nonce=\"")? + " nonce=\"".len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

#[tokio::test]
async fn the_page_policy_carries_the_nonce_of_its_hydration_script() {
    let mut app = TestApp::start().await;
    let (headers, html) = get_page(&mut app).await;
    let policy = csp(&headers);

    // Leptos's islands loader: every script that runs has the nonce.
    let scripts = script_tags(&html);
    assert!(!scripts.is_empty());
    let nonce = nonce_of(scripts[0]).expect("the hydration loader has a nonce");
    assert!(nonce.len() >= 16, "{nonce}");
    for tag in &scripts {
        assert_eq!(nonce_of(tag), Some(nonce), "{tag}");
    }
    assert!(
        policy.contains(&format!(
            "script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval';"
        )),
        "{policy}"
    );
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'self'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"));

    let (again, _) = get_page(&mut app).await;
    assert_ne!(csp(&again), policy, "a new nonce for every response");
}

#[tokio::test]
async fn every_response_has_the_security_headers() {
    let mut app = TestApp::start().await;
    let page = app
        .send(Request::get("/").body(Body::empty()).unwrap())
        .await;
    let call = app
        .post("send_code", &[("phone", "5121112222")], POSTCARD)
        .await;
    let asset = app
        .send(Request::get("/pkg/nothing.js").body(Body::empty()).unwrap())
        .await;
    for response in [&page, &call, &asset] {
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
        assert!(
            headers["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("camera=()")
        );
        assert!(csp(headers).contains("frame-ancestors 'none'"));
        assert!(
            !headers.contains_key(header::STRICT_TRANSPORT_SECURITY),
            "no HSTS without TLS"
        );
    }
    // Responses that are not the page may run nothing at all.
    assert!(csp(call.headers()).starts_with("default-src 'none'"));
}

#[tokio::test]
async fn hsts_and_a_secure_cookie_when_served_over_tls() {
    let mut app = TestApp::start_with(&[("PUBLIC_ORIGIN", "https://connect.example.com")]).await;
    let response = app.post("register", &registration_form(), POSTCARD).await;
    let headers = response.headers();
    assert_eq!(
        headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=63072000"
    );
    // `__Host-`: Secure, Path=/ and no Domain, so no sibling subdomain can plant either one.
    let cookies = set_cookies(headers);
    for name in [
        "__Host-stamps_connect_session=",
        "__Host-stamps_connect_flow=",
    ] {
        let cookie = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {cookies:?}"));
        assert!(cookie.contains("; Secure"), "{cookie}");
        assert!(cookie.contains("; Path=/"), "{cookie}");
        assert!(!cookie.contains("Domain"), "{cookie}");
    }
    assert_eq!(cookies.len(), 2, "{cookies:?}");
}

fn set_cookies(headers: &axum::http::HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_session_and_flow_cookies_are_http_only_and_same_site() {
    let mut app = TestApp::start().await;
    let response = app.post("register", &registration_form(), POSTCARD).await;
    let cookies = set_cookies(response.headers());
    for name in ["stamps_connect_session=", "stamps_connect_flow="] {
        let cookie = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {cookies:?}"));
        assert!(cookie.contains("; HttpOnly"), "{cookie}");
        assert!(cookie.contains("; SameSite=Lax"), "{cookie}");
        assert!(
            !cookie.contains("Secure"),
            "plain http cannot keep a Secure cookie"
        );
    }
}

#[tokio::test]
async fn nothing_the_flow_answers_may_be_cached() {
    let mut app = TestApp::start().await;
    let page = app
        .send(Request::get("/").body(Body::empty()).unwrap())
        .await;
    let screen = app.post("register", &registration_form(), POSTCARD).await;
    let redirect = app
        .post("send_code", &[("phone", "5121112222")], "text/html")
        .await;
    let error = app.post("verify_code", &[("code[x]", "1")], POSTCARD).await;
    let too_large = app
        .post("send_code", &[("phone", &"1".repeat(20_000))], POSTCARD)
        .await;
    assert_eq!(redirect.status(), StatusCode::SEE_OTHER);
    assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for response in [page, screen, redirect, error, too_large] {
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    }
}
