//! The server functions' answers: postcard, the next screen or the app's error, with a status
//! that says whose fault it is (set through Leptos's `ResponseOptions`).

mod support;

use axum::http::{StatusCode, header};
use stamps_connect::error::AppError;
use stamps_connect::screen::Screen;
use support::{POSTCARD, TestApp, assert_rate_limited, body_bytes, registration_form};

#[tokio::test]
async fn an_answer_is_the_next_screen_or_the_error_with_its_status() {
    let mut app = TestApp::start_with(&[("LIMIT_REGISTRATIONS_PER_IP", "1")]).await;
    let response = app.post("register", &registration_form(), POSTCARD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], POSTCARD);
    let screen: Screen = postcard::from_bytes(&body_bytes(response).await).unwrap();
    assert!(matches!(screen, Screen::Verify(_)), "{screen:?}");

    // A second merchant from the same address is refused, and told when to try again.
    app.cookie = None;
    let response = app.post("register", &registration_form(), POSTCARD).await;
    assert_rate_limited(response).await;
}

#[tokio::test]
async fn a_refusal_before_any_function_runs_is_postcard_too() {
    let mut app = TestApp::start().await;
    let request = support::same_origin_post("send_code")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, POSTCARD)
        .body(axum::body::Body::from(format!(
            "phone={}",
            "1".repeat(20_000)
        )))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.headers()[header::CONTENT_TYPE], POSTCARD);
    let error: AppError = postcard::from_bytes(&body_bytes(response).await).unwrap();
    assert_eq!(error, AppError::TooLarge);
}

#[tokio::test]
async fn a_shipengine_failure_is_a_failed_dependency_and_keeps_what_was_typed() {
    use stamps_connect::simulator::{Endpoint, Fault};
    let mut app = TestApp::start().await;
    app.call("register", &registration_form()).await;
    app.simulator
        .simulator
        .inject_fault(Endpoint::SendCode, Fault::InternalError, 10);
    let response = app
        .post("send_code", &[("phone", "512.999.0000")], POSTCARD)
        .await;
    assert_eq!(response.status(), StatusCode::FAILED_DEPENDENCY);
    let error: AppError = postcard::from_bytes(&body_bytes(response).await).unwrap();
    assert!(matches!(error, AppError::Upstream { .. }), "{error:?}");
    assert!(app.page().await.contains(r#"value="512.999.0000""#));
}
