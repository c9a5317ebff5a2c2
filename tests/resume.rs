//! A server restart (or another instance on the same database) returns the merchant to their
//! step with the same cookie: the form with what they typed, the code step, or done. On SQLite,
//! and on PostgreSQL when `TEST_DATABASE_URL` is set.

mod support;
use support::POSTCARD;

use axum::http::StatusCode;
use leptos::config::LeptosOptions;
use stamps_connect::error::AppError;
use stamps_connect::screen::Screen;
use support::databases::TestDatabase;
use support::{TestApp, body_bytes, idempotency_key_in, registration_form};

const FORM: &str = "Open your free Stamps.com account";
const CODE_STEP: &str = "Confirm your phone number";
const DONE: &str = "Your Stamps.com account is ready";

async fn start_on(database: TestDatabase, vars: &[(&str, &str)]) -> TestApp {
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    TestApp::start_on(database, vars, options).await
}

#[tokio::test]
async fn a_restart_keeps_the_form_as_typed_and_its_key() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        let page = app.page().await;
        let key = idempotency_key_in(&page);
        // As the browser sends it: with the key the page was rendered with.
        let mut form = registration_form();
        form.retain(|(name, _)| *name != "postal_code");
        form.push(("postal_code", "7875"));
        form.push(("idempotency_key", &key));
        let refused = app.attempt("register", &form).await;
        assert!(
            matches!(refused, Err(AppError::Invalid(_))),
            "{backend}: a bad ZIP code stays on the form"
        );

        app.restart().await;
        let page = app.page().await;
        assert!(page.contains(FORM), "{backend}");
        assert!(
            page.contains("4009 Marathon Blvd"),
            "{backend}: typed values are back"
        );
        assert!(page.contains("value=\"7875\""), "{backend}");
        support::assert_no_card_number(&page);
        assert_eq!(idempotency_key_in(&page), key, "{backend}: the same key");
    }
}

#[tokio::test]
async fn a_restart_returns_to_the_code_step_and_the_flow_finishes_there() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[("LIMIT_RESEND_COOLDOWN_SECS", "0")]).await;
        app.page().await;
        app.call("register", &registration_form()).await;

        app.restart().await;
        assert!(app.page().await.contains(CODE_STEP), "{backend}");
        let Screen::Verify(sent) = app.call("send_code", &[("phone", "5121112222")]).await else {
            panic!("{backend}: the code step continues");
        };
        assert!(sent.code_sent_to.is_some(), "{backend}");

        app.restart().await;
        let Screen::Done(_) = app.call("verify_code", &[("code", "123456")]).await else {
            panic!("{backend}: the code sent before the restart still verifies");
        };
        app.restart().await;
        assert!(app.page().await.contains(DONE), "{backend}");
        assert_eq!(app.upstream_registrations(), 1, "{backend}");
    }
}

#[tokio::test]
async fn codes_per_phone_are_counted_across_instances() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let vars = [
            ("LIMIT_RESEND_COOLDOWN_SECS", "0"),
            ("LIMIT_SENDS_PER_PHONE", "2"),
        ];
        let mut app = start_on(database, &vars).await;
        app.call("register", &registration_form()).await;
        for _ in 0..2 {
            app.call("send_code", &[("phone", "5121112222")]).await;
        }

        // Another instance, another browser, the same phone.
        app.restart().await;
        app.cookie = None;
        app.call("register", &registration_form()).await;
        let response = app
            .post("send_code", &[("phone", "5121112222")], POSTCARD)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{backend}"
        );
        let error: AppError = postcard::from_bytes(&body_bytes(response).await).unwrap();
        assert!(
            matches!(error, AppError::RateLimited { .. }),
            "{backend}: {error:?}"
        );
    }
}
