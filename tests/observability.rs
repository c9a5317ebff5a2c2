//! What an operator sees: `/healthz`, `/readyz`, `/metrics` after a flow, and a request id on
//! every response (on every log line: `log_format.rs`).

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use stamps_connect::flow::Screen;
use support::{TestApp, body_bytes, registration_form};

async fn get(app: &mut TestApp, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app
        .send(Request::get(path).body(Body::empty()).unwrap())
        .await;
    let (status, headers) = (response.status(), response.headers().clone());
    let body = String::from_utf8(body_bytes(response).await).unwrap();
    (status, headers, body)
}

#[tokio::test]
async fn healthz_says_the_process_answers() {
    let mut app = TestApp::start().await;
    let (status, headers, body) = get(&mut app, "/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn readyz_reports_each_check_and_is_ready_with_a_resolvable_upstream() {
    let mut app = TestApp::start().await;
    let (status, _, body) = get(&mut app, "/readyz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["ready"], true);
    let outcome = |name: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|check| check["name"] == name)
            .unwrap_or_else(|| panic!("no {name} check in {body}"))["outcome"]
            .clone()
    };
    assert_eq!(outcome("configuration"), "ok");
    assert_eq!(outcome("database"), "ok");
    assert_eq!(outcome("upstream_dns"), "ok");
}

#[tokio::test]
async fn metrics_name_the_upstream_calls_registrations_codes_and_limit_rejections() {
    let mut app = TestApp::start_with(&[("LIMIT_REGISTRATIONS_PER_IP", "1")]).await;
    let Screen::Verify(_) = app.call("register", &registration_form()).await else {
        panic!("registration should lead to the SMS step");
    };
    app.call("send_code", &[("phone", "5121112222")]).await;
    // A second merchant from the same address is over the registration limit.
    app.cookie = None;
    let refused = app
        .post("register", &registration_form(), "application/json")
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);

    let (status, headers, text) = get(&mut app, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    for expected in [
        "# TYPE stamps_connect_upstream_request_duration_seconds histogram",
        r#"stamps_connect_upstream_request_duration_seconds_bucket{endpoint="register_stamps_com",outcome="success",le="0.1"}"#,
        r#"stamps_connect_upstream_request_duration_seconds_count{endpoint="request_verification_code",outcome="success"}"#,
        r#"stamps_connect_registrations_total{status="registered"}"#,
        r#"stamps_connect_registrations_total{status="limited"}"#,
        "stamps_connect_verification_codes_sent_total ",
        r#"stamps_connect_limit_rejections_total{limit="registrations per IP"}"#,
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_proxys_own_is_kept() {
    let mut app = TestApp::start().await;
    let mut ids = Vec::new();
    for path in ["/", "/healthz", "/no-such-file"] {
        let (_, headers, _) = get(&mut app, path).await;
        let id = headers["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 36, "a UUID for {path}: {id}");
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "one id per request");

    let request = Request::get("/healthz")
        .header("x-request-id", "proxy-42")
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.headers()["x-request-id"], "proxy-42");
}
