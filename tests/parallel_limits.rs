//! The limits hold under many simultaneous requests, from one session or spread over fresh
//! sessions, and a flow belongs to the browser that started it. Asserted on what the simulator
//! received, not on the app's own counters. On SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

mod support;
use support::POSTCARD;

use axum::body::Body;
use axum::http::{Response, StatusCode, header};
use leptos::config::LeptosOptions;
use stamps_connect::error::AppError;
use stamps_connect::screen::Screen;
use stamps_connect::server::storage::Database;
use stamps_connect::simulator::Endpoint;
use support::databases::TestDatabase;
use support::{
    Browser, FLOW_COOKIE, SESSION_COOKIE, TestApp, body_bytes, idempotency_key_in,
    registration_form,
};

const WRONG_CODE: (&str, &str) = ("code", "000000");
const PHONE: (&str, &str) = ("phone", "5121112222");

async fn start_on(database: TestDatabase, vars: &[(&str, &str)]) -> TestApp {
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    // The address and app-wide check caps are lifted unless a test sets them: these tests are
    // about the counts of one code and one registration.
    let mut all = vec![
        ("LIMIT_CODE_CHECKS_PER_IP", "100000"),
        ("LIMIT_CODE_CHECKS_TOTAL", "100000"),
    ];
    all.extend_from_slice(vars);
    TestApp::start_on(database, &all, options).await
}

/// Registers from a new browser with the page's key and sends one code; returns the key.
async fn waiting_for_a_code(app: &mut TestApp) -> String {
    app.cookie = None;
    let key = idempotency_key_in(&app.page().await);
    let mut form = registration_form();
    form.push(("idempotency_key", &key));
    let Screen::Verify(_) = app.call("register", &form).await else {
        panic!("registered");
    };
    let Screen::Verify(step) = app.call("send_code", &[PHONE]).await else {
        panic!("a code was sent");
    };
    assert!(step.code_sent_to.is_some());
    key
}

/// Fires every request at once and waits for all of them.
async fn all_at_once(
    requests: Vec<impl Future<Output = Response<Body>> + Send + 'static>,
) -> Vec<Response<Body>> {
    let handles: Vec<_> = requests.into_iter().map(tokio::spawn).collect();
    let mut responses = Vec::new();
    for handle in handles {
        responses.push(handle.await.unwrap());
    }
    responses
}

fn assert_no_server_error(responses: &[Response<Body>], backend: &str) {
    for response in responses {
        assert!(
            !response.status().is_server_error(),
            "{backend}: {}",
            response.status()
        );
    }
}

/// `count` fresh sessions of the browser whose cookies `app` holds: the same flow cookie, no
/// session (each expired, or dropped by the browser), each taking up the flow by posting the
/// form's key as the page does.
async fn fresh_sessions(app: &TestApp, key: &str, count: usize) -> Vec<Browser> {
    let mut sessions = Vec::new();
    for _ in 0..count {
        let mut session = app.same_browser();
        session.forget_cookie(SESSION_COOKIE);
        let mut form = registration_form();
        form.push(("idempotency_key", key));
        let Screen::Verify(_) = session.call("register", &form).await else {
            panic!("the browser's own key takes it to its code step");
        };
        sessions.push(session);
    }
    sessions
}

#[tokio::test]
async fn two_hundred_simultaneous_wrong_codes_reach_shipengine_at_most_the_limit() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[("LIMIT_WRONG_CODES", "5")]).await;
        waiting_for_a_code(&mut app).await;

        let burst = (0..200)
            .map(|_| app.post_alongside("verify_code", &[WRONG_CODE], POSTCARD))
            .collect();
        let responses = all_at_once(burst).await;
        assert_no_server_error(&responses, backend);
        assert_eq!(app.upstream_requests(Endpoint::VerifyCode), 5, "{backend}");
        let refused = responses
            .iter()
            .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(refused, 195, "{backend}");

        // The right code is refused too now: only a new code can be checked.
        let response = app
            .post("verify_code", &[("code", "123456")], POSTCARD)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{backend}"
        );
        assert_eq!(app.upstream_requests(Endpoint::VerifyCode), 5);
    }
}

#[tokio::test]
async fn fifty_simultaneous_sends_from_one_session_text_one_code() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        app.cookie = None;
        app.call("register", &registration_form()).await;

        let burst = (0..50)
            .map(|_| app.post_alongside("send_code", &[PHONE], POSTCARD))
            .collect();
        let responses = all_at_once(burst).await;
        assert_no_server_error(&responses, backend);
        assert_eq!(
            app.upstream_requests(Endpoint::SendCode),
            1,
            "{backend}: the resend wait holds under a burst"
        );
        for response in responses
            .into_iter()
            .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        {
            assert!(response.headers().contains_key(header::RETRY_AFTER));
        }
        // The code sent is remembered whichever request sent it.
        let page = app.page().await;
        assert!(
            page.contains("2222"),
            "{backend}: the number the code went to"
        );
    }
}

#[tokio::test]
async fn the_same_bursts_over_twenty_fresh_sessions_of_one_flow_get_no_more() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[("LIMIT_WRONG_CODES", "5")]).await;
        let key = waiting_for_a_code(&mut app).await;
        let sessions = fresh_sessions(&app, &key, 20).await;

        let mut burst = Vec::new();
        for session in &sessions {
            for _ in 0..10 {
                burst.push(session.post_alongside("verify_code", &[WRONG_CODE], POSTCARD));
            }
        }
        let sends = sessions
            .iter()
            .map(|session| session.post_alongside("send_code", &[PHONE], POSTCARD));
        burst.extend(sends);
        let responses = all_at_once(burst).await;
        assert_no_server_error(&responses, backend);

        assert_eq!(
            app.upstream_requests(Endpoint::VerifyCode),
            5,
            "{backend}: every session counts the flow's checks"
        );
        assert_eq!(
            app.upstream_requests(Endpoint::SendCode),
            1,
            "{backend}: every session waits out the flow's resend wait"
        );
        assert_eq!(app.upstream_registrations(), 1, "{backend}");
    }
}

#[tokio::test]
async fn a_key_copied_into_another_browser_drives_nothing() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[("LIMIT_RESEND_COOLDOWN_SECS", "0")]).await;
        let key = waiting_for_a_code(&mut app).await;
        let sends_before = app.upstream_requests(Endpoint::SendCode);

        // Another browser (or a script) with the key from the first one's page, and even the
        // first one's session cookie, but not its flow cookie.
        let mut other = app.same_browser();
        other.forget_cookie(FLOW_COOKIE);
        let mut form = registration_form();
        form.push(("idempotency_key", &key));
        let refused = other.attempt("register", &form).await;
        assert_eq!(
            refused,
            Err(AppError::SentFromAnotherBrowser),
            "{backend}: another browser's key does not lead to its code step"
        );
        for _ in 0..3 {
            let Screen::Register(_) = other.call("send_code", &[PHONE]).await else {
                panic!("{backend}: no code step for another browser");
            };
            let Screen::Register(_) = other.call("verify_code", &[("code", "123456")]).await else {
                panic!("{backend}: no code step for another browser");
            };
        }
        assert_eq!(
            app.upstream_requests(Endpoint::SendCode),
            sends_before,
            "{backend}"
        );
        assert_eq!(app.upstream_requests(Endpoint::VerifyCode), 0);
        assert_eq!(app.upstream_requests(Endpoint::Register), 1, "{backend}");

        // The browser that started it still finishes it.
        let Screen::Done(_) = app.call("verify_code", &[("code", "123456")]).await else {
            panic!("{backend}: the first browser verifies");
        };
    }
}

/// Whether the session store holds the session `id`.
async fn session_stored(database: &Database, id: &str) -> bool {
    let count: i64 = match database {
        Database::Sqlite(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await
                .unwrap()
        }
        Database::Postgres(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions.session WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    count == 1
}

#[tokio::test]
async fn the_session_id_changes_as_the_flow_moves_on_and_an_old_one_is_worth_nothing() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        app.cookie = None;
        app.page().await;
        app.attempt("register", &[("nickname", "Corner shop")])
            .await
            .expect_err("a partial form is invalid");
        let on_the_form = app.cookie_value(SESSION_COOKIE).expect("a session");
        let database = app.state.database.clone();
        assert!(session_stored(&database, &on_the_form).await, "{backend}");

        app.call("register", &registration_form()).await;
        let on_the_code_step = app.cookie_value(SESSION_COOKIE).unwrap();
        assert_ne!(on_the_form, on_the_code_step, "{backend}: registered");
        assert!(!session_stored(&database, &on_the_form).await, "{backend}");
        assert!(session_stored(&database, &on_the_code_step).await);

        app.call("send_code", &[PHONE]).await;
        app.call("verify_code", &[("code", "123456")]).await;
        let done = app.cookie_value(SESSION_COOKIE).unwrap();
        assert_ne!(on_the_code_step, done, "{backend}: verified");
        assert!(!session_stored(&database, &on_the_code_step).await);

        // Someone holding the id from before (seen, or planted before the merchant began) gets
        // an empty session, and nothing reaches ShipEngine.
        let checks = app.upstream_requests(Endpoint::VerifyCode);
        for old in [on_the_form, on_the_code_step] {
            let mut holder = app.same_browser();
            holder.cookie = Some(format!("{SESSION_COOKIE}={old}"));
            let Screen::Register(form) = holder.call("verify_code", &[("code", "123456")]).await
            else {
                panic!("{backend}: an old id leads to no flow");
            };
            assert_eq!(form.draft.nickname, "", "{backend}: and to nothing typed");
        }
        assert_eq!(app.upstream_requests(Endpoint::VerifyCode), checks);
    }
}

#[tokio::test]
async fn a_session_cookie_without_its_flow_cookie_shows_nothing_typed() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        app.cookie = None;
        app.attempt(
            "register",
            &[("nickname", "Corner shop"), ("city_locality", "Austin")],
        )
        .await
        .expect_err("a partial form is invalid");
        assert!(app.page().await.contains("Corner shop"), "{backend}");

        let mut other = app.same_browser();
        other.forget_cookie(FLOW_COOKIE);
        let page = other.page().await;
        assert!(!page.contains("Corner shop"), "{backend}");
        assert!(!page.contains("Austin"), "{backend}");
        // Nor can it plant anything there: what it sends lands in a session of its own.
        other
            .attempt("register", &[("nickname", "Planted")])
            .await
            .expect_err("a partial form is invalid");
        assert_ne!(
            other.cookie_value(SESSION_COOKIE),
            app.cookie_value(SESSION_COOKIE),
            "{backend}"
        );
        assert!(!app.page().await.contains("Planted"), "{backend}");
    }
}

#[tokio::test]
async fn a_browser_whose_session_is_gone_finds_its_done_screen() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        waiting_for_a_code(&mut app).await;
        let Screen::Done(_) = app.call("verify_code", &[("code", "123456")]).await else {
            panic!("{backend}: verified");
        };
        app.forget_cookie(SESSION_COOKIE);
        let page = app.page().await;
        assert!(
            page.contains("Your Stamps.com account is ready"),
            "{backend}: not an empty form that invites a second account"
        );
    }
}

#[tokio::test]
async fn a_double_click_on_the_last_free_registration_opens_the_account_and_refuses_nothing() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[("LIMIT_REGISTRATIONS_PER_EMAIL", "1")]).await;
        app.cookie = None;
        let key = idempotency_key_in(&app.page().await);
        let mut form = registration_form();
        form.push(("idempotency_key", &key));
        let clicks = (0..2)
            .map(|_| app.post_alongside("register", &form, POSTCARD))
            .collect();
        for response in all_at_once(clicks).await {
            assert_eq!(response.status(), StatusCode::OK, "{backend}");
            let screen: Screen = postcard::from_bytes(&body_bytes(response).await).unwrap();
            assert!(matches!(screen, Screen::Verify(_)), "{backend}: {screen:?}");
        }
        assert_eq!(app.upstream_registrations(), 1, "{backend}");
    }
}

#[tokio::test]
async fn a_double_click_on_send_without_javascript_texts_one_code_and_shows_no_error() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        app.cookie = None;
        app.call("register", &registration_form()).await;
        let clicks = (0..2)
            .map(|_| app.post_alongside("send_code", &[PHONE], "text/html"))
            .collect();
        for response in all_at_once(clicks).await {
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{backend}");
        }
        assert_eq!(app.upstream_requests(Endpoint::SendCode), 1, "{backend}");
        let page = app.page().await;
        assert!(page.contains("(•••) •••-2222"), "{backend}: the code sent");
        assert!(!page.contains("Too many attempts"), "{backend}");
    }
}

#[tokio::test]
async fn registrations_are_capped_per_email_and_in_total_even_when_simultaneous() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let app = start_on(
            database,
            &[
                ("LIMIT_REGISTRATIONS_PER_EMAIL", "2"),
                ("LIMIT_REGISTRATIONS_TOTAL", "5"),
                ("LIMIT_REGISTRATIONS_PER_IP", "1000"),
            ],
        )
        .await;
        // Twenty new browsers at once, each with the same email.
        let same_email = registration_form();
        let burst = (0..20)
            .map(|_| {
                let mut browser = app.same_browser();
                browser.cookie = None;
                browser.post_alongside("register", &same_email, POSTCARD)
            })
            .collect();
        let responses = all_at_once(burst).await;
        assert_no_server_error(&responses, backend);
        assert_eq!(app.upstream_requests(Endpoint::Register), 2, "{backend}");
        let refused: Vec<_> = responses
            .into_iter()
            .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
            .collect();
        assert_eq!(refused.len(), 18, "{backend}");
        assert!(refused[0].headers().contains_key(header::RETRY_AFTER));

        // Other emails, until the app's total is reached.
        let emails: Vec<String> = (0..10)
            .map(|n| format!("merchant{n}@example.com"))
            .collect();
        let burst = emails
            .iter()
            .map(|email| {
                let mut form = registration_form();
                form.retain(|(name, _)| *name != "email");
                form.push(("email", email));
                let mut browser = app.same_browser();
                browser.cookie = None;
                browser.post_alongside("register", &form, POSTCARD)
            })
            .collect();
        let responses = all_at_once(burst).await;
        assert_no_server_error(&responses, backend);
        assert_eq!(
            app.upstream_requests(Endpoint::Register),
            5,
            "{backend}: the total"
        );
        let response = responses
            .into_iter()
            .find(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
            .expect("refusals");
        let error: AppError = postcard::from_bytes(&body_bytes(response).await).unwrap();
        assert!(matches!(error, AppError::RateLimited { .. }), "{error:?}");
    }
}

#[tokio::test]
async fn checks_are_capped_per_address_and_a_refused_one_counts_against_nothing() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(
            database,
            &[
                ("LIMIT_CODE_CHECKS_PER_IP", "3"),
                ("LIMIT_WRONG_CODES", "5"),
            ],
        )
        .await;
        waiting_for_a_code(&mut app).await;
        for _ in 0..3 {
            let response = app.post("verify_code", &[WRONG_CODE], POSTCARD).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{backend}");
        }
        for _ in 0..4 {
            let response = app.post("verify_code", &[WRONG_CODE], POSTCARD).await;
            assert_eq!(
                response.status(),
                StatusCode::TOO_MANY_REQUESTS,
                "{backend}"
            );
        }
        assert_eq!(app.upstream_requests(Endpoint::VerifyCode), 3);

        // From another address the code still has the two checks the refusals did not take.
        app.peer = ([198, 51, 100, 9], 40000).into();
        let Screen::Done(_) = app.call("verify_code", &[("code", "123456")]).await else {
            panic!("{backend}: refused checks took none of the code's checks");
        };
    }
}

/// Rows of every table the app writes, sessions included.
async fn rows_written(database: &Database) -> i64 {
    let query = "SELECT (SELECT COUNT(*) FROM registrations) + (SELECT COUNT(*) FROM limit_hits)";
    let (app_rows, sessions): (i64, i64) = match database {
        Database::Sqlite(pool) => (
            sqlx::query_scalar(query).fetch_one(pool).await.unwrap(),
            sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions")
                .fetch_one(pool)
                .await
                .unwrap(),
        ),
        Database::Postgres(pool) => (
            sqlx::query_scalar(query).fetch_one(pool).await.unwrap(),
            sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions.session")
                .fetch_one(pool)
                .await
                .unwrap(),
        ),
    };
    app_rows + sessions
}

#[tokio::test]
async fn a_page_view_writes_nothing() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        for _ in 0..20 {
            app.cookie = None;
            let page = app.page().await;
            assert!(page.contains("name=\"idempotency_key\""));
        }
        assert_eq!(rows_written(&app.state.database).await, 0, "{backend}");

        // A post does: the merchant's typing is kept.
        app.attempt("register", &[("nickname", "Shop")])
            .await
            .expect_err("a partial form is invalid");
        assert!(rows_written(&app.state.database).await > 0, "{backend}");
    }
}
