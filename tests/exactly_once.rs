//! Exactly one upstream registration per submitted form, however it is repeated: a double
//! click, two tabs, a resubmit after a network error, a form posted without its session. The
//! simulator counts the accounts it opened; the database holds one row.

mod support;
use support::POSTCARD;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Response, StatusCode};
use leptos::config::LeptosOptions;
use stamps_connect::error::AppError;
use stamps_connect::screen::Screen;
use stamps_connect::server::storage::{Database, RegistrationStatus};
use stamps_connect::simulator::{Endpoint, Fault};
use support::databases::TestDatabase;
use support::{TestApp, answer_of, body_bytes, registration_form};

const HTML: &str = "text/html";

fn form_with_key(key: &str) -> Vec<(&str, &str)> {
    let mut form = registration_form();
    form.push(("idempotency_key", key));
    form
}

async fn screen(response: Response<Body>) -> Screen {
    assert_eq!(response.status(), StatusCode::OK);
    postcard::from_bytes(&body_bytes(response).await).expect("a screen")
}

fn is_verify(screen: &Screen) -> bool {
    matches!(screen, Screen::Verify(_))
}

async fn status_of(app: &TestApp, key: &str) -> RegistrationStatus {
    let row = app.state.database.registration(key).await.unwrap();
    row.expect("a row for the key").status
}

#[tokio::test]
async fn a_double_click_opens_one_account() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let options = LeptosOptions::builder()
            .output_name("stamps-connect")
            .build();
        let mut app = TestApp::start_on(database, &[], options).await;
        let key = app.form_key().await;
        // The first call is slow enough for the others to arrive while it is in flight.
        let simulator = &app.simulator.simulator;
        simulator.inject_fault(Endpoint::Register, Fault::Delay { millis: 400 }, 1);

        let form = form_with_key(&key);
        let clicks: Vec<_> = (0..3)
            .map(|_| tokio::spawn(app.post_alongside("register", &form, POSTCARD)))
            .collect();
        for click in clicks {
            let response = click.await.unwrap();
            assert!(
                is_verify(&screen(response).await),
                "{backend}: every click gets the first one's result"
            );
        }
        assert_eq!(app.upstream_requests(Endpoint::Register), 1, "{backend}");
        assert_eq!(app.upstream_registrations(), 1, "{backend}");
        assert_eq!(status_of(&app, &key).await, RegistrationStatus::Registered);
    }
}

#[tokio::test]
async fn a_plain_form_posted_twice_opens_one_account() {
    let mut app = TestApp::start().await;
    let key = app.form_key().await;
    let simulator = &app.simulator.simulator;
    simulator.inject_fault(Endpoint::Register, Fault::Delay { millis: 300 }, 1);

    let form = form_with_key(&key);
    let first = tokio::spawn(app.post_alongside("register", &form, HTML));
    let second = tokio::spawn(app.post_alongside("register", &form, HTML));
    for response in [first.await.unwrap(), second.await.unwrap()] {
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    assert!(app.page().await.contains("Confirm your phone number"));
    assert_eq!(app.upstream_registrations(), 1);
}

#[tokio::test]
async fn a_second_tab_gets_the_first_tabs_result() {
    let mut app = TestApp::start().await;
    // A page view writes nothing, so each tab's form carries a key of its own; the browser's
    // flow cookie makes the second tab's submission find the first one's registration.
    let first_tab = app.form_key().await;
    let second_tab = app.form_key().await;

    let one = app
        .post("register", &form_with_key(&first_tab), POSTCARD)
        .await;
    assert!(is_verify(&screen(one).await));
    let two = app
        .post("register", &form_with_key(&second_tab), POSTCARD)
        .await;
    assert!(is_verify(&screen(two).await));

    assert_eq!(app.upstream_requests(Endpoint::Register), 1);
    assert_eq!(app.upstream_registrations(), 1);
}

#[tokio::test]
async fn a_resubmit_after_a_network_error_waits_for_the_first_and_gets_its_result() {
    let mut app = TestApp::start().await;
    let key = app.form_key().await;
    let simulator = &app.simulator.simulator;
    simulator.inject_fault(Endpoint::Register, Fault::Delay { millis: 800 }, 1);

    // The browser gives up on the first request (a network error): its future is dropped.
    let form = form_with_key(&key);
    let abandoned = tokio::time::timeout(
        Duration::from_millis(200),
        app.post_alongside("register", &form, POSTCARD),
    )
    .await;
    assert!(abandoned.is_err(), "the first request was cut off");
    assert_eq!(status_of(&app, &key).await, RegistrationStatus::Submitted);

    let retry = app.post("register", &form, POSTCARD).await;
    assert!(is_verify(&screen(retry).await));
    assert_eq!(app.upstream_requests(Endpoint::Register), 1);
    assert_eq!(app.upstream_registrations(), 1);
    assert_eq!(status_of(&app, &key).await, RegistrationStatus::Registered);
}

#[tokio::test]
async fn a_request_cut_off_mid_call_still_finishes_and_the_next_page_resumes() {
    let mut app = TestApp::start().await;
    let key = app.form_key().await;
    let simulator = &app.simulator.simulator;
    simulator.inject_fault(Endpoint::Register, Fault::Delay { millis: 300 }, 1);
    let form = form_with_key(&key);
    let cut_off = tokio::time::timeout(
        Duration::from_millis(100),
        app.post_alongside("register", &form, POSTCARD),
    )
    .await;
    assert!(cut_off.is_err());

    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(status_of(&app, &key).await, RegistrationStatus::Registered);
    assert!(
        app.page().await.contains("Confirm your phone number"),
        "a reload finds the step the finished call reached"
    );
    assert_eq!(app.upstream_registrations(), 1);
}

#[tokio::test]
async fn a_form_posted_without_its_session_is_recognised_by_its_key() {
    let mut app = TestApp::start().await;
    let key = app.form_key().await;
    let form = form_with_key(&key);

    // The session is gone (expired), the flow cookie is not: the key is this browser's.
    let first = app.post("register", &form, POSTCARD).await;
    assert!(is_verify(&screen(first).await));
    app.forget_cookie(support::SESSION_COOKIE);
    let again = app.post("register", &form, POSTCARD).await;
    assert!(is_verify(&screen(again).await));
    assert_eq!(app.upstream_registrations(), 1);

    // Cookies blocked: the post arrives as a new browser, with only the form's key. It is
    // neither sent again nor allowed to follow the registration.
    app.cookie = None;
    let refused = answer_of(app.post("register", &form, POSTCARD).await).await;
    assert_eq!(refused, Err(AppError::SentFromAnotherBrowser));
    assert_eq!(app.upstream_requests(Endpoint::Register), 1);
}

#[tokio::test]
async fn a_refused_registration_gives_the_next_submission_a_new_key() {
    let mut app = TestApp::start().await;
    let key = app.form_key().await;
    let simulator = &app.simulator.simulator;
    simulator.inject_fault(Endpoint::Register, Fault::Refused, 1);

    let refused = app.post("register", &form_with_key(&key), POSTCARD).await;
    assert_eq!(refused.status(), StatusCode::FAILED_DEPENDENCY);
    assert!(matches!(
        answer_of(refused).await,
        Err(AppError::Upstream { .. })
    ));
    assert_eq!(status_of(&app, &key).await, RegistrationStatus::Failed);
    let next_key = support::idempotency_key_in(&app.page().await);
    assert_ne!(next_key, key, "the next submission is a new one");

    let next = app
        .post("register", &form_with_key(&next_key), POSTCARD)
        .await;
    assert!(is_verify(&screen(next).await));
    assert_eq!(app.upstream_requests(Endpoint::Register), 2);
    assert_eq!(app.upstream_registrations(), 1);
}

#[tokio::test]
async fn after_an_unknown_outcome_the_form_is_not_sent_again_until_support_settles_it() {
    let mut app = TestApp::start().await;
    let key = app.form_key().await;
    let simulator = &app.simulator.simulator;
    simulator.inject_fault(Endpoint::Register, Fault::DropConnection, 1);

    let lost = answer_of(app.post("register", &form_with_key(&key), POSTCARD).await).await;
    let Err(AppError::OutcomeUnknown { reference }) = lost.clone() else {
        panic!("the merchant is told the outcome is unknown: {lost:?}");
    };
    let message = lost.unwrap_err().to_string();
    assert!(
        message.contains("do not enter your card again"),
        "{message}"
    );
    let row = app
        .state
        .database
        .registration(&key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, RegistrationStatus::OutcomeUnknown);
    assert_eq!(row.reference, reference, "the reference finds the row");

    // Resubmitting, even from a reloaded page, is refused without a call.
    let again = answer_of(app.post("register", &form_with_key(&key), POSTCARD).await).await;
    assert!(
        matches!(again, Err(AppError::OutcomeUnknown { .. })),
        "{again:?}"
    );
    let page = app.page().await;
    assert!(
        page.contains(&reference),
        "the page keeps showing the reference"
    );
    assert!(
        !page.contains("please enter it again"),
        "never asked to re-enter the card it must not send again"
    );
    assert_eq!(app.upstream_requests(Endpoint::Register), 1);

    // Support finds the account upstream and records it: the merchant continues.
    settle(&app.state.database, &reference, "se-7654321").await;
    assert!(app.page().await.contains("Confirm your phone number"));
}

/// What support does once it has found the account ShipEngine opened.
async fn settle(database: &Database, reference: &str, carrier_id: &str) {
    let sql =
        "UPDATE registrations SET status = 'registered', carrier_id = $1 WHERE reference = $2";
    match database {
        Database::Sqlite(pool) => {
            let query = sqlx::query(sql).bind(carrier_id).bind(reference);
            query.execute(pool).await.unwrap();
        }
        Database::Postgres(pool) => {
            let query = sqlx::query(sql).bind(carrier_id).bind(reference);
            query.execute(pool).await.unwrap();
        }
    };
}

#[tokio::test]
async fn the_row_keeps_the_card_brand_and_last_four_and_the_database_never_the_number() {
    let mut app = TestApp::start().await;
    let key = app.form_key().await;
    app.call("register", &form_with_key(&key)).await;
    app.call("send_code", &[("phone", "5121112222")]).await;
    app.call("verify_code", &[("code", "123456")]).await;

    let row = app
        .state
        .database
        .registration(&key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, RegistrationStatus::Verified);
    assert_eq!(
        (row.card_brand.as_str(), row.card_last4.as_str()),
        ("visa", "1111")
    );
    assert_eq!(row.email, "john.doe@example.com");
    assert!(row.carrier_id.is_some_and(|id| id.starts_with("se-")));
    assert!(row.session_id.is_some());

    // Every byte the database wrote (rows, sessions, the write-ahead log).
    app.state.database.close().await;
    let folder = app.database.sqlite_dir().unwrap();
    let mut scanned = 0;
    for entry in std::fs::read_dir(folder).unwrap() {
        // A write-ahead log merged into the file on close may be gone by now.
        let Ok(bytes) = std::fs::read(entry.unwrap().path()) else {
            continue;
        };
        scanned += bytes.len();
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["4111111111111111", "4111 1111 1111 1111", "123456"] {
            assert!(!text.contains(secret), "{secret} is on disk");
        }
    }
    assert!(scanned > 0, "the database file was read");
}

/// Every session's data as stored, as text where it is text.
async fn stored_sessions(database: &Database) -> String {
    let Database::Sqlite(pool) = database else {
        unreachable!("an SQLite test app")
    };
    let blobs: Vec<Vec<u8>> = sqlx::query_scalar("SELECT data FROM tower_sessions")
        .fetch_all(pool)
        .await
        .unwrap();
    blobs
        .iter()
        .map(|blob| String::from_utf8_lossy(blob).into_owned())
        .collect()
}

#[tokio::test]
async fn the_session_keeps_the_cardholder_and_expiry_only_until_the_account_is_opened() {
    let mut app = TestApp::start().await;
    let key = app.form_key().await;
    let mut form = form_with_key(&key);
    form.retain(|(name, _)| *name != "postal_code");
    form.push(("postal_code", "7875"));
    let invalid = app.attempt("register", &form).await;
    assert!(matches!(invalid, Err(AppError::Invalid(_))), "{invalid:?}");
    let kept = stored_sessions(&app.state.database).await;
    assert!(kept.contains("my credit card"), "kept while on the form");
    assert!(kept.contains("2035"));
    assert!(!kept.contains("4111"), "never the card number");

    let Screen::Verify(_) = app.call("register", &form_with_key(&key)).await else {
        panic!("registered");
    };
    let kept = stored_sessions(&app.state.database).await;
    assert!(!kept.contains("my credit card"), "{kept}");
    assert!(!kept.contains("2035"), "{kept}");
}

#[tokio::test]
async fn a_refusal_is_still_said_after_a_reload_and_a_repeat_of_the_refused_post_is_not_sent() {
    let mut app = TestApp::start().await;
    let key = app.form_key().await;
    app.simulator
        .simulator
        .inject_fault(Endpoint::Register, Fault::Refused, 1);
    let refused = app.attempt("register", &form_with_key(&key)).await;
    assert!(
        matches!(refused, Err(AppError::Upstream { .. })),
        "{refused:?}"
    );

    for _ in 0..2 {
        let page = app.page().await;
        assert!(
            page.contains("ShipEngine did not open the account with these details"),
            "{page}"
        );
        assert_ne!(
            support::idempotency_key_in(&page),
            key,
            "a new key for the next one"
        );
    }
    // A double click's second request, arriving after the first was refused: told the same,
    // not sent again.
    let again = app.attempt("register", &form_with_key(&key)).await;
    assert!(matches!(again, Err(AppError::Upstream { .. })), "{again:?}");
    assert_eq!(app.upstream_requests(Endpoint::Register), 1);

    // The form sent anew, with the key the page now carries, is a new registration.
    let next = support::idempotency_key_in(&app.page().await);
    let Screen::Verify(_) = app.call("register", &form_with_key(&next)).await else {
        panic!("registered");
    };
    assert!(!app.page().await.contains("did not open the account"));
}
