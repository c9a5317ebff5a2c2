//! What an operator sees: `/healthz`, `/readyz`, `/metrics` after a flow, and a request id on
//! every response (on every log line: `log_format.rs`).

mod support;
use support::POSTCARD;

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use stamps_connect::screen::Screen;
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
async fn readyz_answers_from_the_background_check_not_a_query_per_hit() {
    let mut app = TestApp::start().await;
    let before = app.state.readiness.checks_run();
    assert!(before >= 1, "checked once at start-up");
    for _ in 0..50 {
        let (status, headers, body) = get(&mut app, "/readyz").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    }
    // The background refresh may have run once meanwhile; fifty hits ran no check of their own.
    let ran = app.state.readiness.checks_run() - before;
    assert!(ran <= 1, "50 hits ran {ran} checks");
}

#[tokio::test]
async fn readyz_says_not_ready_without_saying_why() {
    // `.invalid` never resolves (RFC 2606): the upstream check fails.
    let mut app =
        TestApp::start_with(&[("SHIPENGINE_BASE_URL", "https://api.shipengine.invalid")]).await;
    let (status, _, body) = get(&mut app, "/readyz").await;
    // No host, no check name, no database error: those are in the log only.
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    );
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
    let refused = app.post("register", &registration_form(), POSTCARD).await;
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

#[tokio::test]
async fn a_request_id_too_long_or_with_odd_characters_is_replaced_by_a_fresh_one() {
    let mut app = TestApp::start().await;
    let id_of = |response: &axum::http::Response<Body>| {
        response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let longest = "a".repeat(64);
    for kept in ["proxy-42", "Req.7_b-9", longest.as_str()] {
        let request = Request::get("/healthz")
            .header("x-request-id", kept)
            .body(Body::empty())
            .unwrap();
        let response = app.send(request).await;
        assert_eq!(id_of(&response), kept);
    }

    let too_long = "a".repeat(65);
    let odd: [&[u8]; 6] = [
        too_long.as_bytes(),
        b"two words",
        b"<script>alert(1)</script>",
        b"id\",\"level\":\"error",
        b"a;b=c",
        "caf\u{e9}".as_bytes(),
    ];
    for sent in odd {
        let request = Request::get("/healthz")
            .header("x-request-id", HeaderValue::from_bytes(sent).unwrap())
            .body(Body::empty())
            .unwrap();
        let response = app.send(request).await;
        let id = id_of(&response);
        assert_eq!(id.len(), 36, "a fresh UUID instead of {sent:?}: {id}");
        assert_ne!(id.as_bytes(), sent);
    }

    // Two ids: neither is taken.
    let request = Request::get("/healthz")
        .header("x-request-id", "first")
        .header("x-request-id", "second")
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(id_of(&response).len(), 36);
}
