//! Onboarding links: the operator's backend mints one per merchant (bearer token), the merchant
//! opens it once, and starts a fresh flow bound to that merchant, prefilled, in the link's
//! language, with a way back to the platform when done. On SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

mod support;

use axum::http::{StatusCode, header};
use leptos::config::LeptosOptions;
use serde_json::json;
use stamps_connect::error::AppError;
use stamps_connect::screen::Screen;
use stamps_connect::server::FlowOwner;
use stamps_connect::server::storage::{Claim, NewRegistration, RegistrationEvent};
use stamps_connect::simulator::Endpoint;
use support::databases::TestDatabase;
use support::operator::{
    OPERATOR_TOKEN, json_of, mint, minted_url, open_link, operator_request, operator_vars,
    page_with_status,
};
use support::{
    Browser, POSTCARD, TestApp, answer_of, body_bytes, island_screen, registration_form, screen_in,
};

async fn start_on(database: TestDatabase, extra: &[(&str, &str)]) -> TestApp {
    let vars = operator_vars();
    let mut all: Vec<(&str, &str)> = vars.iter().map(|(n, v)| (*n, v.as_str())).collect();
    all.extend_from_slice(extra);
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    TestApp::start_on(database, &all, options).await
}

async fn start(extra: &[(&str, &str)]) -> TestApp {
    start_on(TestDatabase::sqlite(), extra).await
}

/// A browser that has never been here.
fn new_browser(app: &TestApp) -> Browser {
    Browser {
        cookie: None,
        ..app.same_browser()
    }
}

/// Opens `url` in `browser`, which must be sent to the form.
async fn open_ok(browser: &mut Browser, url: &str) {
    let response = open_link(browser, url).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/");
}

/// Registers, sends a code and checks it: the done screen.
async fn finish_flow(browser: &mut Browser) -> Screen {
    let Screen::Verify(_) = browser.call("register", &registration_form()).await else {
        panic!("the code step")
    };
    browser.call("send_code", &[("phone", "5121112222")]).await;
    browser.call("verify_code", &[("code", "123456")]).await
}

#[tokio::test]
async fn a_minted_link_answers_201_with_its_url_expiry_and_id() {
    for database in TestDatabase::each().await {
        let app = start_on(database, &[]).await;
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let response = operator_request(
            &app,
            "POST",
            "/operator/v1/links",
            Some(json!({"merchant_ref": "shop-1"}).to_string()),
            Some(OPERATOR_TOKEN),
        )
        .await;
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let (status, json) = json_of(response).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        let url = json["url"].as_str().unwrap();
        let token = url.strip_prefix("http://localhost/start/").expect(url);
        assert_eq!(token.len(), 43, "32 bytes in base64url");
        let expires_at = json["expires_at"].as_i64().unwrap();
        assert!(
            (before + 899..=before + 901).contains(&expires_at),
            "{expires_at}"
        );
        assert!(json["id"].as_str().unwrap().starts_with("lnk_"));
        // Only its hash is stored: the token appears nowhere in the database.
        let stored: Vec<String> = match &app.state.database {
            stamps_connect::server::storage::Database::Sqlite(pool) => {
                sqlx::query_scalar("SELECT token_hash FROM onboarding_links")
                    .fetch_all(pool)
                    .await
                    .unwrap()
            }
            stamps_connect::server::storage::Database::Postgres(pool) => {
                sqlx::query_scalar("SELECT token_hash FROM onboarding_links")
                    .fetch_all(pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0], token);
    }
}

#[tokio::test]
async fn minting_needs_a_configured_token() {
    let app = start(&[]).await;
    let body = || Some(json!({"merchant_ref": "shop-1"}).to_string());
    for token in [None, Some("wrong"), Some("")] {
        let response = operator_request(&app, "POST", "/operator/v1/links", body(), token).await;
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let (status, json) = json_of(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(json["error"]["code"], "unauthorized");
    }
    let response = operator_request(
        &app,
        "POST",
        "/operator/v1/links",
        body(),
        Some(OPERATOR_TOKEN),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);

    // No token configured: the API is not there at all.
    let off = TestApp::start().await;
    let response = operator_request(
        &off,
        "POST",
        "/operator/v1/links",
        body(),
        Some(OPERATOR_TOKEN),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = operator_request(
        &off,
        "GET",
        "/operator/v1/registrations",
        None,
        Some(OPERATOR_TOKEN),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn return_urls_cannot_redirect_anywhere_else() {
    let app = start(&[("OPERATOR_RETURN_HOSTS", "platform.example.com")]).await;
    for field in ["return_url", "refresh_url"] {
        for url in [
            "https://evil.example/back",
            "javascript:alert(document.cookie)",
            "http://platform.example.com/back",
            "https://user:pass@platform.example.com/back",
            "https://platform.example.com@evil.example/",
            "//evil.example/back",
            "/back",
            "data:text/html,<script>alert(1)</script>",
        ] {
            let (status, json) = mint(&app, json!({"merchant_ref": "m", field: url})).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{field} {url}");
            assert_eq!(json["error"]["code"], "invalid_request");
            assert_eq!(json["error"]["field"], field, "{json}");
        }
        let (status, _) = mint(
            &app,
            json!({"merchant_ref": "m", field: "https://platform.example.com/back"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // Unset: loopback only.
    let local = start(&[]).await;
    let (status, _) = mint(
        &local,
        json!({"merchant_ref": "m", "return_url": "http://127.0.0.1:8080/x"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = mint(
        &local,
        json!({"merchant_ref": "m", "return_url": "https://platform.example.com/"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_requests_are_refused_with_the_field_to_fix() {
    let app = start(&[]).await;
    let cases = [
        (
            json!({"merchant_ref": "m", "prefill": {"card_number": "4111111111111111"}}),
            None,
        ),
        (
            json!({"merchant_ref": "m", "card_number": "4111111111111111"}),
            None,
        ),
        (json!({"prefill": {"email": "a@example.com"}}), None),
        (json!({"merchant_ref": ""}), Some("merchant_ref")),
        (json!({"merchant_ref": "a\u{0007}b"}), Some("merchant_ref")),
        (
            json!({"merchant_ref": "x".repeat(201)}),
            Some("merchant_ref"),
        ),
        (
            json!({"merchant_ref": "m", "expires_in": 604_801}),
            Some("expires_in"),
        ),
        (
            json!({"merchant_ref": "m", "expires_in": 0}),
            Some("expires_in"),
        ),
        (json!({"merchant_ref": "m", "locale": "fr"}), Some("locale")),
        (
            json!({"merchant_ref": "m", "prefill": {"email": "x".repeat(201)}}),
            Some("email"),
        ),
        (
            json!({"merchant_ref": "m", "prefill": {"residential": "maybe"}}),
            Some("residential"),
        ),
        (
            json!({"merchant_ref": "m", "prefill": {"agree_to_carrier_terms": "on"}}),
            None,
        ),
    ];
    for (body, field) in cases {
        let (status, json) = mint(&app, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(json["error"]["code"], "invalid_request", "{json}");
        if let Some(field) = field {
            assert_eq!(json["error"]["field"], field, "{json}");
        }
    }
    let (status, json) = mint(
        &app,
        json!({"merchant_ref": "m", "prefill": {"nickname": "x".repeat(20_000)}}),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json["error"]["code"], "too_large");
}

#[tokio::test]
async fn a_link_opens_once_into_a_prefilled_form_and_the_token_leaves_the_address() {
    for database in TestDatabase::each().await {
        let app = start_on(database, &[]).await;
        let url = minted_url(
            &app,
            json!({
                "merchant_ref": "shop-7",
                "prefill": {"email": "owner@shop7.example", "company_name": "Shop Seven",
                            "state_province": "TX"}
            }),
        )
        .await;
        let mut browser = new_browser(&app);
        open_ok(&mut browser, &url).await;
        let page = browser.page().await;
        let Screen::Register(form) = screen_in(&page) else {
            panic!("the form")
        };
        assert_eq!(form.draft.email, "owner@shop7.example");
        assert_eq!(form.draft.company_name, "Shop Seven");
        assert_eq!(form.draft.state_province, "TX");
        assert!(page.contains("owner@shop7.example"));

        // Once only, whoever opens it again.
        for mut again in [browser.clone(), new_browser(&app)] {
            let response = open_link(&mut again, &url).await;
            assert_eq!(response.status(), StatusCode::GONE);
            let page = String::from_utf8(body_bytes(response).await).unwrap();
            assert!(page.contains("This link can no longer be used"), "{page}");
            assert!(island_screen(&page).is_none() && !page.contains(".wasm"));
        }
        let response = open_link(&mut new_browser(&app), "http://localhost/start/nope").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let unknown = "A".repeat(43);
        let response = open_link(
            &mut new_browser(&app),
            &format!("http://localhost/start/{unknown}"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let page = String::from_utf8(body_bytes(response).await).unwrap();
        assert!(page.contains("This link is not valid"));
    }
}

#[tokio::test]
async fn an_expired_link_sends_to_the_refresh_url_or_says_so() {
    for database in TestDatabase::each().await {
        let app = start_on(database, &[]).await;
        let plain = minted_url(&app, json!({"merchant_ref": "m", "expires_in": 1})).await;
        let refreshing = minted_url(
            &app,
            json!({"merchant_ref": "m", "expires_in": 1,
                   "refresh_url": "http://localhost:4000/links/new?m=1"}),
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let response = open_link(&mut new_browser(&app), &plain).await;
        assert_eq!(response.status(), StatusCode::GONE);
        let response = open_link(&mut new_browser(&app), &refreshing).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[header::LOCATION],
            "http://localhost:4000/links/new?m=1"
        );
    }
}

#[tokio::test]
async fn of_many_simultaneous_openings_exactly_one_starts_a_flow() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let app = start_on(database, &[]).await;
        let url = minted_url(&app, json!({"merchant_ref": "race"})).await;
        let openings = (0..24).map(|_| {
            let mut browser = new_browser(&app);
            let url = url.clone();
            tokio::spawn(async move { open_link(&mut browser, &url).await.status() })
        });
        let mut statuses = Vec::new();
        for opening in openings.collect::<Vec<_>>() {
            statuses.push(opening.await.unwrap());
        }
        let opened = statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count();
        let refused = statuses.iter().filter(|s| **s == StatusCode::GONE).count();
        assert_eq!((opened, refused), (1, 23), "{backend}: {statuses:?}");
    }
}

#[tokio::test]
async fn a_link_starts_a_fresh_flow_even_in_a_browser_that_registered_before() {
    let mut app = start(&[]).await;
    let Screen::Verify(_) = app.call("register", &registration_form()).await else {
        panic!("the code step")
    };
    let url = minted_url(&app, json!({"merchant_ref": "fresh"})).await;
    let mut browser = app.same_browser();
    open_ok(&mut browser, &url).await;
    let Screen::Register(form) = screen_in(&browser.page().await) else {
        panic!("a fresh form, not the earlier registration's code step")
    };
    assert_eq!(form.draft.email, "");
    // The earlier flow is still that browser's... under its old cookie only.
    let Screen::Verify(_) = screen_in(&app.page().await) else {
        panic!("the old cookie still follows its own registration")
    };
}

#[tokio::test]
async fn the_done_screen_goes_back_to_the_platform_with_the_outcome() {
    for database in TestDatabase::each().await {
        let app = start_on(database, &[]).await;
        let url = minted_url(
            &app,
            json!({"merchant_ref": "shop 9&co", "return_url": "http://127.0.0.1:7000/back?keep=1"}),
        )
        .await;
        let mut browser = new_browser(&app);
        open_ok(&mut browser, &url).await;
        let Screen::Done(done) = finish_flow(&mut browser).await else {
            panic!("done")
        };
        let expected = format!(
            "http://127.0.0.1:7000/back?keep=1&merchant_ref=shop+9%26co&status=verified&carrier_id={}",
            done.carrier_id
        );
        assert_eq!(done.return_to.as_deref(), Some(expected.as_str()));
        // The page a reload shows has the same plain link, for a browser without JavaScript.
        let page = browser.page().await;
        assert!(page.contains("Go back to your platform"));
        assert!(page.contains(&expected.replace('&', "&amp;")), "{page}");
        let row = app
            .state
            .database
            .registration_of_merchant("shop 9&co")
            .await
            .unwrap()
            .expect("the row of the merchant");
        assert_eq!(row.merchant_ref.as_deref(), Some("shop 9&co"));
    }
}

#[tokio::test]
async fn without_a_return_url_or_a_link_the_done_screen_has_no_way_back() {
    let mut app = start(&[]).await;
    let Screen::Done(done) = finish_flow(&mut app.browser).await else {
        panic!("done")
    };
    assert_eq!(done.return_to, None);
    let owner = FlowOwner::of(&app.cookie_value(support::FLOW_COOKIE).unwrap());
    let row = app
        .state
        .database
        .latest_registration_of(owner.hash())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.merchant_ref, None);
}

#[tokio::test]
async fn a_second_link_for_the_merchant_shows_its_registration_unless_another_is_allowed() {
    for database in TestDatabase::each().await {
        let app = start_on(database, &[]).await;
        let first = minted_url(&app, json!({"merchant_ref": "one-account"})).await;
        let mut desktop = new_browser(&app);
        open_ok(&mut desktop, &first).await;
        let Screen::Verify(_) = desktop.call("register", &registration_form()).await else {
            panic!("the code step")
        };

        // The merchant opens a new link on the phone: the code step of that registration.
        let second = minted_url(&app, json!({"merchant_ref": "one-account"})).await;
        let mut phone = new_browser(&app);
        open_ok(&mut phone, &second).await;
        let Screen::Verify(_) = screen_in(&phone.page().await) else {
            panic!("the registration's code step, not a second form")
        };
        phone.call("send_code", &[("phone", "5121112222")]).await;
        let Screen::Done(_) = phone.call("verify_code", &[("code", "123456")]).await else {
            panic!("done")
        };
        let third = minted_url(&app, json!({"merchant_ref": "one-account"})).await;
        let mut later = new_browser(&app);
        open_ok(&mut later, &third).await;
        let Screen::Done(_) = screen_in(&later.page().await) else {
            panic!("the done screen")
        };

        // The operator may allow another account: a form.
        let another = minted_url(
            &app,
            json!({"merchant_ref": "one-account", "allow_another": true}),
        )
        .await;
        let mut other = new_browser(&app);
        open_ok(&mut other, &another).await;
        let Screen::Register(_) = screen_in(&other.page().await) else {
            panic!("a new form")
        };
        assert_eq!(app.upstream_registrations(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browsers_with_links_for_one_merchant_open_one_account_however_they_race() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let app = start_on(database, &[]).await;
        // Both links opened before either browser registers: neither sees a registration.
        let mut browsers = Vec::new();
        for _ in 0..2 {
            let url = minted_url(&app, json!({"merchant_ref": "racing-shop"})).await;
            let mut browser = new_browser(&app);
            open_ok(&mut browser, &url).await;
            browsers.push(browser);
        }
        // Each browser's double clicks and second tabs, and the post whose cookie it keeps.
        let mut posts = tokio::task::JoinSet::new();
        for browser in &browsers {
            for _ in 0..5 {
                let post = browser.post_alongside("register", &registration_form(), POSTCARD);
                posts.spawn(async move { answer_of(post.await).await });
            }
        }
        let mut kept = tokio::task::JoinSet::new();
        for mut browser in browsers {
            kept.spawn(async move {
                let answer = browser.attempt("register", &registration_form()).await;
                (browser, answer)
            });
        }
        let mut browsers = Vec::new();
        for (browser, answer) in kept.join_all().await {
            assert!(
                matches!(answer, Ok(Screen::Verify(_))),
                "{backend}: {answer:?}"
            );
            browsers.push(browser);
        }
        for answer in posts.join_all().await {
            assert!(
                matches!(answer, Ok(Screen::Verify(_))),
                "{backend}: every post shows the one registration's code step: {answer:?}"
            );
        }
        assert_eq!(
            app.upstream_requests(Endpoint::Register),
            1,
            "{backend}: one registration reached ShipEngine"
        );
        assert_eq!(app.upstream_registrations(), 1, "{backend}");
        for browser in &mut browsers {
            let Screen::Verify(_) = screen_in(&browser.page().await) else {
                panic!("{backend}: both browsers follow the merchant's registration")
            };
        }

        // A link that allows another account still opens a second one.
        let another = minted_url(
            &app,
            json!({"merchant_ref": "racing-shop", "allow_another": true}),
        )
        .await;
        let mut other = new_browser(&app);
        open_ok(&mut other, &another).await;
        let Screen::Verify(_) = other.call("register", &registration_form()).await else {
            panic!("{backend}: a second account")
        };
        assert_eq!(app.upstream_registrations(), 2, "{backend}");
    }
}

#[tokio::test]
async fn with_the_public_form_off_only_a_link_opens_the_form() {
    let mut app = start(&[("PUBLIC_FORM", "off")]).await;
    let (status, page) = page_with_status(&mut app.browser, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Please start from your platform"), "{page}");
    assert!(island_screen(&page).is_none());
    let refused = app.attempt("register", &registration_form()).await;
    assert_eq!(refused, Err(AppError::LinkRequired));
    assert_eq!(app.upstream_registrations(), 0);

    let url = minted_url(&app, json!({"merchant_ref": "invited"})).await;
    let mut invited = new_browser(&app);
    open_ok(&mut invited, &url).await;
    let Screen::Register(_) = screen_in(&invited.page().await) else {
        panic!("the form")
    };
    let Screen::Verify(_) = invited.call("register", &registration_form()).await else {
        panic!("the code step")
    };
}

#[tokio::test]
async fn the_links_language_is_the_pages_unless_the_merchant_chose_one() {
    let app = start(&[]).await;
    let url = minted_url(&app, json!({"merchant_ref": "es-shop", "locale": "es"})).await;
    let mut browser = new_browser(&app);
    open_ok(&mut browser, &url).await;
    let (_, page) = page_with_status(&mut browser, Some("en-US,en")).await;
    assert!(page.contains(r#"<html lang="es""#), "{page}");
    assert!(page.contains("Abra su cuenta gratuita de Stamps.com"));
    // The switch's cookie wins.
    let mut chose_english = browser.clone();
    chose_english.cookie = Some(format!(
        "{}; stamps_connect_lang=en",
        chose_english.cookie.unwrap()
    ));
    let (_, page) = page_with_status(&mut chose_english, Some("es")).await;
    assert!(page.contains(r#"<html lang="en""#));

    // A spent Spanish link says so in Spanish.
    let response = open_link(&mut new_browser(&app), &url).await;
    let page = String::from_utf8(body_bytes(response).await).unwrap();
    assert!(page.contains(r#"<html lang="es""#));
    assert!(page.contains("Este enlace ya no se puede usar"));
}

#[tokio::test]
async fn the_links_token_is_never_logged_but_its_id_and_merchant_are() {
    let logs = support::logs::captured();
    let app = start(&[]).await;
    let (status, json) = mint(&app, json!({"merchant_ref": "logged-shop"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let url = json["url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap();
    let mut browser = new_browser(&app);
    open_ok(&mut browser, url).await;
    open_link(&mut new_browser(&app), url).await;
    let _ = operator_request(&app, "GET", "/operator/v1/registrations", None, Some(token)).await;
    let text = logs.text();
    assert!(text.contains("onboarding link minted"), "{text}");
    assert!(text.contains(json["id"].as_str().unwrap()));
    assert!(text.contains("logged-shop"));
    assert!(text.contains("/start/[token]"));
    assert!(!text.contains(token), "the token is in the logs");
    assert!(
        !text.contains(OPERATOR_TOKEN),
        "the operator's token is in the logs"
    );
}

#[tokio::test]
async fn a_link_to_a_registration_still_being_checked_says_so() {
    for database in TestDatabase::each().await {
        let app = start_on(database, &[]).await;
        let key = uuid::Uuid::new_v4().to_string();
        let owner = "f".repeat(64);
        let claim = app
            .state
            .database
            .claim(&NewRegistration {
                idempotency_key: &key,
                owner_hash: &owner,
                session_id: None,
                nickname: "Store",
                email: "owner@example.com",
                card_brand: "visa",
                card_last4: "1111",
                merchant_ref: Some("checking"),
                allow_another: false,
            })
            .await
            .unwrap();
        let Claim::New { reference } = claim else {
            panic!("a new row")
        };
        let url = minted_url(&app, json!({"merchant_ref": "checking"})).await;
        let mut browser = new_browser(&app);
        open_ok(&mut browser, &url).await;
        let Screen::Register(form) = screen_in(&browser.page().await) else {
            panic!("the form, blocked")
        };
        assert_eq!(form.error, Some(AppError::RegistrationInProgress));

        let unknown = RegistrationEvent::OutcomeUnknown { error: "timed out" };
        assert!(app.state.database.record(&key, unknown).await.unwrap());
        let Screen::Register(form) = screen_in(&browser.page().await) else {
            panic!("the form, blocked")
        };
        assert_eq!(form.error, Some(AppError::OutcomeUnknown { reference }));
        // Sending the form again would risk a second account: it is not sent.
        let refused = browser.attempt("register", &registration_form()).await;
        assert!(
            matches!(refused, Err(AppError::OutcomeUnknown { .. })),
            "{refused:?}"
        );
        assert_eq!(app.upstream_registrations(), 0);
    }
}

#[tokio::test]
async fn a_host_taken_off_the_list_is_followed_no_more_by_links_minted_before() {
    for database in TestDatabase::each().await {
        let hosts = [("OPERATOR_RETURN_HOSTS", "platform.example.com,localhost")];
        let mut app = start_on(database, &hosts).await;
        let done_url = minted_url(
            &app,
            json!({"merchant_ref": "m1", "return_url": "https://platform.example.com/back"}),
        )
        .await;
        let spent_url = minted_url(
            &app,
            json!({"merchant_ref": "m2", "expires_in": 1,
                   "refresh_url": "https://platform.example.com/new"}),
        )
        .await;
        let mut browser = new_browser(&app);
        open_ok(&mut browser, &done_url).await;
        let Screen::Done(done) = finish_flow(&mut browser).await else {
            panic!("done")
        };
        assert!(done.return_to.is_some());
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

        app.restart_with(&[("OPERATOR_RETURN_HOSTS", "localhost")])
            .await;
        let cookie = browser.cookie.clone();
        let mut browser = Browser {
            cookie,
            ..app.same_browser()
        };
        let page = browser.page().await;
        let Screen::Done(done) = screen_in(&page) else {
            panic!("still done")
        };
        assert_eq!(done.return_to, None);
        assert!(!page.contains("platform.example.com"), "{page}");
        let response = open_link(&mut new_browser(&app), &spent_url).await;
        assert_eq!(response.status(), StatusCode::GONE);
    }
}

/// Runs `sql` on the app's database.
async fn execute(app: &TestApp, sql: &str) {
    match &app.state.database {
        stamps_connect::server::storage::Database::Sqlite(pool) => {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
        stamps_connect::server::storage::Database::Postgres(pool) => {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_link_whose_flow_could_not_start_is_not_spent() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        let url = minted_url(&app, json!({"merchant_ref": "retry"})).await;
        // The session store fails: the flow cannot start.
        execute(
            &app,
            if backend == "sqlite" {
                "DROP TABLE tower_sessions"
            } else {
                "DROP TABLE tower_sessions.session"
            },
        )
        .await;
        let response = open_link(&mut new_browser(&app), &url).await;
        assert_ne!(response.status(), StatusCode::SEE_OTHER, "{backend}");
        // The store is back (its table made again at start-up): the same link opens.
        app.restart().await;
        let mut browser = new_browser(&app);
        open_ok(&mut browser, &url).await;
        let Screen::Register(_) = screen_in(&browser.page().await) else {
            panic!("the form")
        };
    }
}
