//! The operator's backend, as tests play it: minting links and reading registrations with its
//! bearer token, and a merchant's browser opening a link.

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use super::{Browser, TestApp, body_bytes};

/// The token the test operator's backend presents; the app is configured with its hash.
pub const OPERATOR_TOKEN: &str = "op_test_token_5f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// `OPERATOR_API_TOKEN_HASHES` for [`OPERATOR_TOKEN`] (and one other token's).
pub fn token_hashes() -> String {
    use sha2::{Digest, Sha256};
    let hex = |text: &str| stamps_connect::hex::encode(&Sha256::digest(text.as_bytes()));
    format!("{},{}", hex("another operator token"), hex(OPERATOR_TOKEN))
}

/// The variables of an app whose operator API is on.
pub fn operator_vars() -> Vec<(&'static str, String)> {
    vec![("OPERATOR_API_TOKEN_HASHES", token_hashes())]
}

/// A request to the operator API with `token` (none: no `Authorization`).
pub async fn operator_request(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<String>,
    token: Option<&str>,
) -> Response<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = request
        .body(body.map_or_else(Body::empty, Body::from))
        .unwrap();
    app.router.clone().oneshot(request).await.unwrap()
}

/// The JSON of an answer, with its status.
pub async fn json_of(response: Response<Body>) -> (StatusCode, Value) {
    let status = response.status();
    let bytes = body_bytes(response).await;
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json)
}

/// `POST /operator/v1/links` with the operator's token.
pub async fn mint(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let response = operator_request(
        app,
        "POST",
        "/operator/v1/links",
        Some(body.to_string()),
        Some(OPERATOR_TOKEN),
    )
    .await;
    json_of(response).await
}

/// Mints a link that must be minted; returns its URL.
pub async fn minted_url(app: &TestApp, body: Value) -> String {
    let (status, json) = mint(app, body).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    json["url"].as_str().unwrap().to_owned()
}

/// `GET` on the operator API with its token.
pub async fn operator_get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    json_of(operator_request(app, "GET", path, None, Some(OPERATOR_TOKEN)).await).await
}

/// The path of a minted URL (`http://localhost/start/…` → `/start/…`).
pub fn path_of(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    rest[rest.find('/').unwrap()..].to_owned()
}

/// The browser opens the link at `url`.
pub async fn open_link(browser: &mut Browser, url: &str) -> Response<Body> {
    let request = Request::get(path_of(url))
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap();
    browser.send(request).await
}

/// The page at `/` with its status, in the language `accept_language` asks for.
pub async fn page_with_status(
    browser: &mut Browser,
    accept_language: Option<&str>,
) -> (StatusCode, String) {
    let mut request = Request::get("/").header(header::HOST, "localhost");
    if let Some(languages) = accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, languages);
    }
    let response = browser.send(request.body(Body::empty()).unwrap()).await;
    let status = response.status();
    (
        status,
        String::from_utf8(body_bytes(response).await).unwrap(),
    )
}
