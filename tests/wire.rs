//! The server functions' answers: postcard to the page's own client (which asks for it), JSON
//! to any other caller; an error's status is the same either way.

mod support;

use axum::http::{StatusCode, header};
use stamps_connect::error::AppError;
use stamps_connect::flow::Screen;
use support::{TestApp, body_bytes, registration_form};

const POSTCARD: &str = "application/x-postcard";

#[tokio::test]
async fn the_pages_client_gets_postcard_and_any_other_caller_json() {
    let mut app = TestApp::start_with(&[("LIMIT_REGISTRATIONS_PER_IP", "1")]).await;
    let response = app.post("register", &registration_form(), POSTCARD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], POSTCARD);
    let screen: Screen = postcard::from_bytes(&body_bytes(response).await).unwrap();
    assert!(matches!(screen, Screen::Verify(_)), "{screen:?}");

    // A second merchant from the same address is refused: the same error, in each encoding.
    for (accept, decode) in [
        (
            POSTCARD,
            (|b: &[u8]| postcard::from_bytes(b).unwrap()) as fn(&[u8]) -> AppError,
        ),
        ("application/json", |b: &[u8]| {
            serde_json::from_slice(b).unwrap()
        }),
    ] {
        app.cookie = None;
        let response = app.post("register", &registration_form(), accept).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{accept}");
        assert!(
            response.headers().contains_key(header::RETRY_AFTER),
            "{accept}"
        );
        let error = decode(&body_bytes(response).await);
        assert!(
            matches!(error, AppError::RateLimited { .. }),
            "{accept}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_refusal_before_any_function_runs_is_postcard_to_the_page_too() {
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
