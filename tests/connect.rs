//! Connecting an existing Stamps.com account through `/connect`, over HTTP against the
//! simulator, on SQLite and on PostgreSQL: the account connected once (the simulator's record),
//! its row, the done screen, the webhook event; each refusal's message; the password nowhere it
//! could stay; exactly once under parallel posts; the limits under parallel posts.

mod support;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use leptos::config::LeptosOptions;
use stamps_connect::screen::Screen;
use stamps_connect::server::storage::{Database, Origin, RegistrationStatus};
use stamps_connect::simulator::{
    DEMO_STAMPS_PASSWORD, DEMO_STAMPS_USERNAME, Endpoint, Fault, LOCKED_STAMPS_USERNAME,
};
use support::databases::TestDatabase;
use support::{Browser, ORIGIN, TestApp, body_bytes, idempotency_key_in, screen_in};

const WRONG_PASSWORD: &str = "not-the-Password-42";
const WRONG_CREDENTIALS: &str = "Stamps.com did not accept this username and password.";
const LOCKED: &str = "Stamps.com has locked this account.";
const ALREADY_CONNECTED: &str =
    "This Stamps.com account is already connected to ShipEngine, through this";

fn options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("stamps-connect")
        .build()
}

/// `GET /connect`: its status and HTML.
async fn connect_page(browser: &mut Browser) -> (StatusCode, String) {
    let request = Request::get("/connect")
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap();
    let response = browser.send(request).await;
    let status = response.status();
    (
        status,
        String::from_utf8(body_bytes(response).await).unwrap(),
    )
}

/// The connect form's post, as a browser sends it from the page.
fn connect_post(form: &[(&str, &str)]) -> Request<Body> {
    Request::post("/connect")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, format!("{ORIGIN}/connect"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
        .unwrap()
}

fn login<'a>(key: &'a str, username: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("idempotency_key", key),
        ("nickname", "Corner shop"),
        ("username", username),
        ("password", password),
    ]
}

/// Where a 303 sends the browser.
fn redirect_of(response: &Response<Body>) -> &str {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()[header::LOCATION].to_str().unwrap()
}

/// Opens the page (the browser gets its flow cookie), posts `username` / `password` with the
/// page's key, and returns the key and where the answer sends the browser.
async fn connect(browser: &mut Browser, username: &str, password: &str) -> (String, String) {
    let (status, page) = connect_page(browser).await;
    assert_eq!(status, StatusCode::OK);
    let key = idempotency_key_in(&page);
    let response = browser
        .send(connect_post(&login(&key, username, password)))
        .await;
    (key, redirect_of(&response).to_owned())
}

/// A browser new to the app, on the same instance and address.
fn another_browser(app: &TestApp) -> Browser {
    Browser {
        cookie: None,
        ..app.same_browser()
    }
}

/// Every session's data, as text where it is text.
async fn stored_sessions(database: &Database) -> String {
    let blobs: Vec<Vec<u8>> = match database {
        Database::Sqlite(pool) => sqlx::query_scalar("SELECT data FROM tower_sessions")
            .fetch_all(pool)
            .await
            .unwrap(),
        Database::Postgres(pool) => sqlx::query_scalar("SELECT data FROM tower_sessions.session")
            .fetch_all(pool)
            .await
            .unwrap(),
    };
    blobs
        .iter()
        .map(|blob| String::from_utf8_lossy(blob).into_owned())
        .collect()
}

/// Every row of the tables that hold what a merchant sent, as text.
async fn stored_rows(database: &Database) -> String {
    let query = "SELECT r.reference || '|' || r.nickname || '|' || r.email || '|' || \
        COALESCE(r.last_error, '') || '|' || COALESCE(o.payload, '') || '|' || \
        COALESCE(e.detail, '') FROM registrations r LEFT JOIN webhook_outbox o ON o.reference = r.reference \
        LEFT JOIN registration_events e ON e.reference = r.reference";
    let rows: Vec<String> = match database {
        Database::Sqlite(pool) => sqlx::query_scalar(query).fetch_all(pool).await.unwrap(),
        Database::Postgres(pool) => sqlx::query_scalar(query).fetch_all(pool).await.unwrap(),
    };
    assert!(!rows.is_empty(), "rows were read");
    rows.concat()
}

#[tokio::test]
async fn the_demo_login_connects_once_and_the_merchant_lands_on_the_done_screen() {
    let logs = support::logs::captured();
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = TestApp::start_on(database, &[], options()).await;
        let (key, to) = connect(&mut app, DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD).await;
        assert_eq!(to, "/", "{backend}");

        // The simulator's record: one connection, with the login as typed (its password
        // masked in the record) and the operator's key.
        let calls: Vec<_> = app
            .simulator
            .simulator
            .requests()
            .into_iter()
            .filter(|r| r.endpoint == Some(Endpoint::ConnectStampsCom))
            .collect();
        assert_eq!(calls.len(), 1, "{backend}");
        assert_eq!(calls[0].api_key.as_deref(), Some(support::API_KEY));
        assert_eq!(calls[0].body["username"], DEMO_STAMPS_USERNAME);
        assert_eq!(calls[0].body["nickname"], "Corner shop");

        // The row: verified, connected, its carrier the one ShipEngine now lists.
        let row = app
            .state
            .database
            .registration(&key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, RegistrationStatus::Verified, "{backend}");
        assert_eq!(row.origin, Origin::Connected, "{backend}");
        assert_eq!((row.email.as_str(), row.card_brand.as_str()), ("", ""));
        let carrier_id = row.carrier_id.clone().expect("a carrier id");
        let listed = app.state.shipengine.list_carriers().await.unwrap();
        assert!(
            listed
                .carriers
                .iter()
                .any(|c| c.carrier_id.as_str() == carrier_id
                    && c.nickname.as_deref() == Some("Corner shop")),
            "{backend}: ShipEngine lists the connected account"
        );

        // `/` shows the done screen, with the way to manage the account.
        let page = app.page().await;
        let Screen::Done(done) = screen_in(&page) else {
            panic!("{backend}: the done screen");
        };
        assert_eq!(done.carrier_id, carrier_id);
        assert!(page.contains(r#"href="/account/manage""#), "{backend}");
        // And `/connect` now sends the merchant there too.
        let request = Request::get("/connect").body(Body::empty()).unwrap();
        assert_eq!(redirect_of(&app.send(request).await), "/");

        // The timeline and the webhook event, with the operator's id and the carrier.
        let timeline = app.state.database.timeline(&row.reference).await.unwrap();
        let events: Vec<_> = timeline.iter().map(|line| line.event.as_str()).collect();
        assert_eq!(events, ["submitted", "connected"], "{backend}");
        let announced = app
            .state
            .database
            .webhook_events_of(&row.reference)
            .await
            .unwrap();
        assert_eq!(announced.len(), 1, "{backend}");
        assert_eq!(announced[0].event_type, "registration.connected");
        let payload: serde_json::Value = serde_json::from_str(&announced[0].payload).unwrap();
        assert_eq!(payload["type"], "registration.connected");
        assert_eq!(payload["data"]["carrier_id"], carrier_id.as_str());
        assert_eq!(payload["data"]["status"], "verified");
        assert!(payload["data"].get("merchant_ref").is_some());

        // The password: in no session, no row, no page, no log line.
        let sessions = stored_sessions(&app.state.database).await;
        assert!(!sessions.is_empty(), "{backend}: the sessions were read");
        assert!(
            !sessions.contains(DEMO_STAMPS_PASSWORD),
            "{backend}: a session"
        );
        assert!(
            !stored_rows(&app.state.database)
                .await
                .contains(DEMO_STAMPS_PASSWORD),
            "{backend}: a row"
        );
        assert!(!page.contains(DEMO_STAMPS_PASSWORD), "{backend}: the page");
    }
    let logged = logs.text();
    assert!(logged.contains("connected"), "the capture works");
    assert!(!logged.contains(DEMO_STAMPS_PASSWORD), "a log line");
}

#[tokio::test]
async fn wrong_credentials_a_locked_account_and_one_already_connected_each_say_so() {
    let logs = support::logs::captured();
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = TestApp::start_on(database, &[], options()).await;

        // A wrong password: back to the form, the message, the username kept, no password.
        let (key, to) = connect(&mut app, DEMO_STAMPS_USERNAME, WRONG_PASSWORD).await;
        assert_eq!(to, "/connect", "{backend}");
        let (status, page) = connect_page(&mut app).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(WRONG_CREDENTIALS), "{backend}: {page}");
        assert!(page.contains(r#"value="demo-merchant""#), "{backend}");
        assert!(page.contains(r#"value="Corner shop""#), "{backend}");
        assert!(
            !page.contains(WRONG_PASSWORD),
            "{backend}: the password is not shown again"
        );
        assert!(page.contains(r#"autocomplete="current-password""#));
        assert!(
            !page.contains("modulepreload") && !page.contains(".wasm"),
            "a page without WebAssembly"
        );
        assert_ne!(
            idempotency_key_in(&page),
            key,
            "the next try is a new connection"
        );
        let row = app
            .state
            .database
            .registration(&key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, RegistrationStatus::Failed, "{backend}");
        assert_eq!(row.origin, Origin::Connected);
        // The message is shown once.
        let (_, again) = connect_page(&mut app).await;
        assert!(!again.contains(WRONG_CREDENTIALS), "{backend}");
        assert!(again.contains(r#"value="demo-merchant""#), "{backend}");
        // A repeat of the refused post is told the same, without a second call.
        let response = app
            .send(connect_post(&login(
                &key,
                DEMO_STAMPS_USERNAME,
                WRONG_PASSWORD,
            )))
            .await;
        assert_eq!(redirect_of(&response), "/connect");
        assert!(connect_page(&mut app).await.1.contains(WRONG_CREDENTIALS));
        assert_eq!(app.upstream_requests(Endpoint::ConnectStampsCom), 1);

        // A locked account.
        let (_, to) = connect(&mut app, LOCKED_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD).await;
        assert_eq!(to, "/connect");
        let page = connect_page(&mut app).await.1;
        assert!(page.contains(LOCKED), "{backend}: {page}");
        assert!(!page.contains(DEMO_STAMPS_PASSWORD));

        // An account another browser connected first.
        let mut first = another_browser(&app);
        let (_, to) = connect(&mut first, DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD).await;
        assert_eq!(to, "/");
        let (_, to) = connect(&mut app, DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD).await;
        assert_eq!(to, "/connect");
        let page = connect_page(&mut app).await.1;
        assert!(page.contains(ALREADY_CONNECTED), "{backend}: {page}");
        assert!(!page.contains(DEMO_STAMPS_PASSWORD));
        // This browser is still at the start: `/` shows the registration form, not a refusal.
        assert!(matches!(screen_in(&app.page().await), Screen::Register(s) if s.error.is_none()));

        // A form with nothing in it is refused before anything is sent.
        let calls = app.upstream_requests(Endpoint::ConnectStampsCom);
        let key = idempotency_key_in(&connect_page(&mut app).await.1);
        let response = app.send(connect_post(&login(&key, "", ""))).await;
        assert_eq!(redirect_of(&response), "/connect");
        let page = connect_page(&mut app).await.1;
        assert!(page.contains("Enter your Stamps.com username"), "{backend}");
        assert!(page.contains("Enter your Stamps.com password"), "{backend}");
        assert!(
            page.contains(r##"href="#password""##),
            "the summary links to the field"
        );
        assert_eq!(app.upstream_requests(Endpoint::ConnectStampsCom), calls);

        let sessions = stored_sessions(&app.state.database).await;
        for secret in [WRONG_PASSWORD, DEMO_STAMPS_PASSWORD] {
            assert!(!sessions.contains(secret), "{backend}: a session");
            let rows = stored_rows(&app.state.database).await;
            assert!(!rows.contains(secret), "{backend}: a row");
        }
    }
    let logged = logs.text();
    assert!(!logged.contains(WRONG_PASSWORD) && !logged.contains(DEMO_STAMPS_PASSWORD));
}

#[tokio::test]
async fn twenty_parallel_posts_of_one_form_connect_once() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = TestApp::start_on(database, &[], options()).await;
        let key = idempotency_key_in(&connect_page(&mut app).await.1);
        // The first call is slow enough for the others to arrive while it is in flight.
        let simulator = &app.simulator.simulator;
        simulator.inject_fault(Endpoint::ConnectStampsCom, Fault::Delay { millis: 400 }, 1);
        let posts: Vec<_> = (0..20)
            .map(|_| {
                let mut browser = app.same_browser();
                let form = login(&key, DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD)
                    .into_iter()
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .collect::<Vec<_>>();
                tokio::spawn(async move {
                    let form: Vec<(&str, &str)> =
                        form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
                    let response = browser.send(connect_post(&form)).await;
                    redirect_of(&response).to_owned()
                })
            })
            .collect();
        for post in posts {
            assert_eq!(
                post.await.unwrap(),
                "/",
                "{backend}: each gets the first one's result"
            );
        }
        assert_eq!(
            app.upstream_requests(Endpoint::ConnectStampsCom),
            1,
            "{backend}"
        );
        let row = app
            .state
            .database
            .registration(&key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, RegistrationStatus::Verified, "{backend}");
        let carriers = app.state.shipengine.list_carriers().await.unwrap().carriers;
        assert_eq!(carriers.len(), 1, "{backend}: one account connected");
        assert_eq!(
            app.state
                .database
                .webhook_events_of(&row.reference)
                .await
                .unwrap()
                .len(),
            1,
            "{backend}: one event"
        );
    }
}

#[tokio::test]
async fn an_unknown_outcome_is_never_sent_again_and_says_so_with_the_reference() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = TestApp::start_on(database, &[], options()).await;
        let simulator = &app.simulator.simulator;
        simulator.inject_fault(Endpoint::ConnectStampsCom, Fault::InternalError, 1);
        let (key, to) = connect(&mut app, DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD).await;
        assert_eq!(to, "/connect");
        let row = app
            .state
            .database
            .registration(&key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, RegistrationStatus::OutcomeUnknown, "{backend}");
        let page = connect_page(&mut app).await.1;
        assert!(page.contains("we cannot tell"), "{backend}: {page}");
        assert!(page.contains(&row.reference), "{backend}: the reference");

        // Sent again, with the page's new key: nothing goes upstream, the same message.
        let (_, to) = connect(&mut app, DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD).await;
        assert_eq!(to, "/connect");
        let page = connect_page(&mut app).await.1;
        assert!(page.contains(&row.reference), "{backend}");
        assert_eq!(
            app.upstream_requests(Endpoint::ConnectStampsCom),
            1,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn limits_per_username_and_per_ip_hold_under_parallel_posts() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let vars = [
            ("LIMIT_CONNECTIONS_PER_USERNAME", "3"),
            ("LIMIT_CONNECTIONS_PER_IP", "5"),
        ];
        let app = TestApp::start_on(database, &vars, options()).await;

        // Ten browsers guess one username's password at once: three guesses reach ShipEngine.
        let guesses: Vec<_> = (0..10)
            .map(|n| {
                let mut browser = another_browser(&app);
                tokio::spawn(async move {
                    let password = format!("guess-{n}");
                    let (_, to) = connect(&mut browser, DEMO_STAMPS_USERNAME, &password).await;
                    assert_eq!(to, "/connect");
                    connect_page(&mut browser).await.1
                })
            })
            .collect();
        let mut limited = 0;
        for guess in guesses {
            let page = guess.await.unwrap();
            if page.contains("Too many attempts") {
                limited += 1;
            } else {
                assert!(page.contains(WRONG_CREDENTIALS), "{backend}: {page}");
            }
        }
        assert_eq!(limited, 7, "{backend}");
        assert_eq!(
            app.upstream_requests(Endpoint::ConnectStampsCom),
            3,
            "{backend}"
        );

        // Other usernames from the same address: two more reach ShipEngine (five per IP).
        let tries: Vec<_> = (0..6)
            .map(|n| {
                let mut browser = another_browser(&app);
                tokio::spawn(async move {
                    let username = format!("merchant-{n}");
                    connect(&mut browser, &username, WRONG_PASSWORD).await;
                    connect_page(&mut browser).await.1
                })
            })
            .collect();
        let mut limited = 0;
        for attempt in tries {
            if attempt.await.unwrap().contains("Too many attempts") {
                limited += 1;
            }
        }
        assert_eq!(limited, 4, "{backend}");
        assert_eq!(
            app.upstream_requests(Endpoint::ConnectStampsCom),
            5,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn with_the_form_closed_to_the_public_the_page_needs_an_onboarding_link() {
    let mut app = TestApp::start_with(&[("PUBLIC_FORM", "off")]).await;
    let (status, page) = connect_page(&mut app).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Please start from your platform"), "{page}");
    assert!(!page.contains(r#"name="password""#));
    // A post made by hand is refused before anything is sent.
    let key = uuid::Uuid::new_v4().to_string();
    let response = app
        .send(connect_post(&login(
            &key,
            DEMO_STAMPS_USERNAME,
            DEMO_STAMPS_PASSWORD,
        )))
        .await;
    assert_eq!(redirect_of(&response), "/connect");
    assert_eq!(app.upstream_requests(Endpoint::ConnectStampsCom), 0);
    assert!(
        app.state
            .database
            .registration(&key)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn through_an_onboarding_link_the_connected_account_is_the_merchants() {
    use support::operator::{minted_url, open_link, operator_vars};
    let vars = operator_vars();
    let mut vars: Vec<(&str, &str)> = vars.iter().map(|(n, v)| (*n, v.as_str())).collect();
    vars.push(("PUBLIC_FORM", "off"));
    let mut app = TestApp::start_with(&vars).await;
    let url = minted_url(&app, serde_json::json!({"merchant_ref": "shop-77"})).await;
    let opened = open_link(&mut app.browser, &url).await;
    assert_eq!(redirect_of(&opened), "/");
    let (key, to) = connect(&mut app, DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD).await;
    assert_eq!(to, "/");
    let row = app
        .state
        .database
        .registration(&key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.merchant_ref.as_deref(), Some("shop-77"));
    assert_eq!(row.status, RegistrationStatus::Verified);
    assert!(matches!(screen_in(&app.page().await), Screen::Done(_)));
}

#[tokio::test]
async fn a_cross_site_post_is_refused() {
    let mut app = TestApp::start().await;
    let request = Request::post("/connect")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            serde_urlencoded::to_string(login("k", DEMO_STAMPS_USERNAME, "x")).unwrap(),
        ))
        .unwrap();
    assert_eq!(app.send(request).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.upstream_requests(Endpoint::ConnectStampsCom), 0);
}

#[tokio::test]
async fn a_connection_whose_answer_was_lost_is_left_to_support_by_the_reconciliation_job() {
    use stamps_connect::server::reconciliation::Reconciler;
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = TestApp::start_on(database, &[("RECONCILE", "off")], options()).await;
        // ShipEngine connects the account, and its answer is lost.
        let simulator = &app.simulator.simulator;
        simulator.inject_fault(Endpoint::ConnectStampsCom, Fault::DropAnswer, 1);
        let (key, to) = connect(&mut app, DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD).await;
        assert_eq!(to, "/connect");
        let row = app
            .state
            .database
            .registration(&key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, RegistrationStatus::OutcomeUnknown, "{backend}");

        let job = Reconciler::new(
            app.state.database.clone(),
            app.state.shipengine.clone(),
            std::time::Duration::from_secs(1800),
        );
        job.run_round().await.unwrap();
        // A carrier with its nickname is there, but a nickname alone never settles a connected
        // row (it would be verified at once, with another account's card): support decides.
        let row = app
            .state
            .database
            .registration(&key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, RegistrationStatus::OutcomeUnknown, "{backend}");
        assert!(row.carrier_id.is_none(), "{backend}");
        assert_eq!(
            app.upstream_requests(Endpoint::ConnectStampsCom),
            1,
            "{backend}"
        );
        let events: Vec<_> = app
            .state
            .database
            .webhook_events_of(&row.reference)
            .await
            .unwrap()
            .into_iter()
            .map(|event| event.event_type)
            .collect();
        assert_eq!(events, ["registration.outcome_unknown"], "{backend}");
        assert!(
            !matches!(screen_in(&app.page().await), Screen::Done(_)),
            "{backend}"
        );
    }
}
