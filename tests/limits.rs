//! Every limit, enforced on the server: the N+1th attempt within the window gets a 429 that says
//! when to try again, and never reaches ShipEngine.

mod support;
use support::POSTCARD;
use support::assert_rate_limited;

use axum::http::StatusCode;
use stamps_connect::error::AppError;
use stamps_connect::screen::Screen;
use stamps_connect::simulator::Endpoint;
use support::{TestApp, body_bytes, registration_form};

/// No resend wait, so the counts can be reached at once.
const NO_COOLDOWN: (&str, &str) = ("LIMIT_RESEND_COOLDOWN_SECS", "0");

fn upstream_calls(app: &TestApp, endpoint: Endpoint) -> usize {
    app.simulator
        .simulator
        .requests()
        .iter()
        .filter(|r| r.endpoint == Some(endpoint))
        .count()
}

/// A new browser that has registered, ready to send codes.
async fn registered(app: &mut TestApp) {
    app.cookie = None;
    app.call("register", &registration_form()).await;
}

#[tokio::test]
async fn the_send_past_the_sessions_limit_gets_429() {
    let mut app = TestApp::start_with(&[NO_COOLDOWN, ("LIMIT_SENDS_PER_SESSION", "3")]).await;
    registered(&mut app).await;
    for _ in 0..3 {
        app.call("send_code", &[("phone", "5121112222")]).await;
    }
    let response = app
        .post("send_code", &[("phone", "5121112222")], POSTCARD)
        .await;
    let wait = assert_rate_limited(response).await;
    assert!((3590..=3600).contains(&wait), "{wait}");
    assert_eq!(upstream_calls(&app, Endpoint::SendCode), 3);
}

#[tokio::test]
async fn sends_to_one_phone_are_limited_across_browsers() {
    let mut app = TestApp::start_with(&[NO_COOLDOWN, ("LIMIT_SENDS_PER_PHONE", "2")]).await;
    for n in 0..2 {
        app.peer.set_ip([198, 51, 100, n].into());
        registered(&mut app).await;
        app.call("send_code", &[("phone", "5121112222")]).await;
    }
    app.peer.set_ip([198, 51, 100, 9].into());
    registered(&mut app).await;
    let response = app
        .post("send_code", &[("phone", "(512) 111-2222")], POSTCARD)
        .await;
    assert_rate_limited(response).await;
    // Another number is still fine.
    let Screen::Verify(sent) = app.call("send_code", &[("phone", "5123334444")]).await else {
        panic!("stays on the SMS step");
    };
    assert!(sent.code_sent_to.is_some());
    assert_eq!(upstream_calls(&app, Endpoint::SendCode), 3);
}

#[tokio::test]
async fn sends_from_one_address_are_limited_across_browsers() {
    let mut app = TestApp::start_with(&[NO_COOLDOWN, ("LIMIT_SENDS_PER_IP", "2")]).await;
    for phone in ["5121110001", "5121110002"] {
        registered(&mut app).await;
        app.call("send_code", &[("phone", phone)]).await;
    }
    registered(&mut app).await;
    let response = app
        .post("send_code", &[("phone", "5121110003")], POSTCARD)
        .await;
    assert_rate_limited(response).await;

    app.peer.set_ip([198, 51, 100, 7].into());
    registered(&mut app).await;
    assert!(matches!(
        app.call("send_code", &[("phone", "5121110003")]).await,
        Screen::Verify(screen) if screen.code_sent_to.is_some()
    ));
}

#[tokio::test]
async fn sends_of_the_whole_app_are_capped() {
    let mut app = TestApp::start_with(&[NO_COOLDOWN, ("LIMIT_SENDS_TOTAL", "2")]).await;
    for n in 0..2 {
        app.peer.set_ip([198, 51, 100, n].into());
        registered(&mut app).await;
        app.call("send_code", &[("phone", &format!("512111000{n}"))])
            .await;
    }
    app.peer.set_ip([198, 51, 100, 9].into());
    registered(&mut app).await;
    let response = app
        .post("send_code", &[("phone", "5129998888")], POSTCARD)
        .await;
    assert_rate_limited(response).await;
    assert_eq!(upstream_calls(&app, Endpoint::SendCode), 2);
}

#[tokio::test]
async fn registrations_from_one_address_are_limited() {
    let mut app = TestApp::start_with(&[("LIMIT_REGISTRATIONS_PER_IP", "2")]).await;
    for _ in 0..2 {
        registered(&mut app).await;
    }
    app.cookie = None;
    let response = app.post("register", &registration_form(), POSTCARD).await;
    assert_rate_limited(response).await;
    assert_eq!(upstream_calls(&app, Endpoint::Register), 2);

    // Forms that never go upstream are not counted, nor refused.
    let mut invalid = registration_form();
    invalid.retain(|(name, _)| *name != "agree_to_carrier_terms");
    let refused = app.attempt("register", &invalid).await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
}

#[tokio::test]
async fn the_resend_wait_is_enforced_and_shown_on_the_page() {
    let mut app = TestApp::start_with(&[("LIMIT_RESEND_COOLDOWN_SECS", "30")]).await;
    registered(&mut app).await;
    let Screen::Verify(before) = app.call("send_code", &[("phone", "5121112222")]).await else {
        panic!("stays on the SMS step");
    };
    let shown = before
        .resend_available_in_secs
        .expect("the wait is part of the screen");
    assert!((29..=30).contains(&shown), "{shown}");

    let response = app
        .post("send_code", &[("phone", "5121112222")], POSTCARD)
        .await;
    let wait = assert_rate_limited(response).await;
    assert!((29..=30).contains(&wait), "{wait}");
    assert_eq!(upstream_calls(&app, Endpoint::SendCode), 1);

    // Without JavaScript, the page itself says when.
    let page = app.page().await;
    assert!(
        page.contains("You can send a new code in 30 seconds.")
            || page.contains("You can send a new code in 29 seconds."),
        "{page}"
    );
}

#[tokio::test]
async fn a_plain_form_post_over_a_limit_is_redirected_to_a_page_that_says_when() {
    let mut app = TestApp::start_with(&[
        NO_COOLDOWN,
        ("LIMIT_SENDS_PER_PHONE", "1"),
        ("LIMIT_WINDOW_SECS", "120"),
    ])
    .await;
    registered(&mut app).await;
    app.call("send_code", &[("phone", "5121112222")]).await;
    let response = app
        .post("send_code", &[("phone", "5121112222")], "text/html")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page().await;
    assert!(
        page.contains("Too many attempts. Please try again in 2 minutes."),
        "{page}"
    );
    assert_eq!(upstream_calls(&app, Endpoint::SendCode), 1);
}

#[tokio::test]
async fn a_plain_form_post_within_the_resend_wait_lands_on_the_page_with_the_wait_not_an_error() {
    let mut app = TestApp::start_with(&[("LIMIT_RESEND_COOLDOWN_SECS", "120")]).await;
    registered(&mut app).await;
    app.call("send_code", &[("phone", "5121112222")]).await;
    let response = app
        .post("send_code", &[("phone", "5121112222")], "text/html")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page().await;
    assert!(
        page.contains("You can send a new code in 2 minutes."),
        "{page}"
    );
    assert!(!page.contains("Too many attempts"), "{page}");
    assert_eq!(upstream_calls(&app, Endpoint::SendCode), 1);
}

#[tokio::test]
async fn after_too_many_wrong_codes_only_a_new_code_can_be_checked() {
    let mut app = TestApp::start_with(&[NO_COOLDOWN, ("LIMIT_WRONG_CODES", "2")]).await;
    registered(&mut app).await;
    app.call("send_code", &[("phone", "5121112222")]).await;
    for _ in 0..2 {
        let wrong = app.attempt("verify_code", &[("code", "000000")]).await;
        assert!(matches!(wrong, Err(AppError::Invalid(_))), "{wrong:?}");
    }
    let response = app
        .post("verify_code", &[("code", "123456")], POSTCARD)
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let error: AppError = postcard::from_bytes(&body_bytes(response).await).unwrap();
    assert_eq!(error, AppError::TooManyWrongCodes);
    assert!(error.to_string().contains("Send a new code"));
    assert_eq!(upstream_calls(&app, Endpoint::VerifyCode), 2);

    // A new code starts a new count.
    app.call("send_code", &[("phone", "5121112222")]).await;
    assert!(matches!(
        app.call("verify_code", &[("code", "123456")]).await,
        Screen::Done(_)
    ));
}
