//! The admin console, on SQLite and PostgreSQL: signing in (a password, or the single sign-on
//! proxy's header), the lockout (in parallel too), form tokens and the cross-site check, the
//! registrations (filters, search, pages, CSV), a registration's page, settling, redelivering,
//! the links, the overview's numbers; every page signed out goes to the sign-in, and no page
//! loads a script.

mod support;

use std::time::Duration;

use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use leptos::config::LeptosOptions;
use stamps_connect::server::storage::{
    Claim, Database, NewRegistration, RegistrationEvent, RegistrationStatus, VerificationCall,
    now_ms,
};
use support::databases::TestDatabase;
use support::{Browser, TestApp, body_bytes};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";
const ADMIN_COOKIE: &str = "stamps_connect_admin";
const DAY_MS: i64 = 86_400_000;

/// The password's hash at argon2id's lowest cost: the tests check many passwords.
fn cheap_hash(password: &str) -> String {
    let params = Params::new(8, 1, 1, None).unwrap();
    let salt = SaltString::encode_b64(b"sixteen byte salt").unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

async fn console_on(database: TestDatabase, vars: &[(&str, &str)]) -> TestApp {
    let hash = cheap_hash(PASSWORD);
    let mut all = vec![("ADMIN_PASSWORD_HASH", hash.as_str())];
    all.extend_from_slice(vars);
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    TestApp::start_on(database, &all, options).await
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn get(browser: &mut Browser, path: &str) -> Page {
    get_with(browser, path, &[]).await
}

async fn get_with(browser: &mut Browser, path: &str, extra: &[(&str, &str)]) -> Page {
    let mut request = Request::get(path).header(header::HOST, "localhost");
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let response = browser.send(request.body(Body::empty()).unwrap()).await;
    Page {
        status: response.status(),
        headers: response.headers().clone(),
        body: String::from_utf8(body_bytes(response).await).unwrap(),
    }
}

/// A form post from the console's own page.
fn form_post(path: &str, fields: &[(&str, &str)]) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
        .unwrap()
}

async fn post(browser: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Page {
    let response = browser.send(form_post(path, fields)).await;
    Page {
        status: response.status(),
        headers: response.headers().clone(),
        body: String::from_utf8(body_bytes(response).await).unwrap(),
    }
}

fn location(page: &Page) -> &str {
    page.headers[header::LOCATION].to_str().unwrap()
}

/// The form token a page's forms carry.
fn form_token_in(page: &str) -> String {
    let marker = r#"name="form_token" value=""#;
    let start = page.find(marker).expect("a form token") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// Posts `fields` with the token of the page at `from`.
async fn post_from(browser: &mut Browser, from: &str, path: &str, fields: &[(&str, &str)]) -> Page {
    let token = form_token_in(&get(browser, from).await.body);
    let mut all = vec![("form_token", token.as_str())];
    all.extend_from_slice(fields);
    post(browser, path, &all).await
}

async fn sign_in_as(browser: &mut Browser, name: &str, password: &str) -> Page {
    post_from(
        browser,
        "/admin/sign-in",
        "/admin/sign-in",
        &[("name", name), ("password", password)],
    )
    .await
}

async fn signed_in(app: &TestApp) -> Browser {
    let mut browser = app.same_browser();
    let page = sign_in_as(&mut browser, "Ana", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(location(&page), "/admin");
    browser
}

/// Runs a statement written for this test (values inline) on either backend.
async fn execute(database: &Database, sql: &str) {
    match database {
        Database::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        Database::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap_or_else(|error| panic!("{sql}: {error}"));
}

async fn count(database: &Database, sql: &str) -> i64 {
    match database {
        Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .unwrap_or_else(|error| panic!("{sql}: {error}"))
}

/// A registration, `submitted`; its key and reference.
async fn claim(database: &Database, email: &str, nickname: &str) -> (String, String) {
    let key = uuid::Uuid::new_v4().to_string();
    let new = NewRegistration {
        idempotency_key: &key,
        owner_hash: &key,
        session_id: None,
        nickname,
        email,
        card_brand: "visa",
        card_last4: "1111",
        merchant_ref: None,
        allow_another: false,
    };
    let Claim::New { reference } = database.claim(&new).await.unwrap() else {
        panic!("a new key is claimed");
    };
    (key, reference)
}

async fn unknown_outcome(database: &Database, email: &str) -> (String, String) {
    let (key, reference) = claim(database, email, "Corner shop").await;
    let error = "ShipEngine answered HTTP 503";
    assert!(
        database
            .record(&key, RegistrationEvent::OutcomeUnknown { error })
            .await
            .unwrap()
    );
    (key, reference)
}

fn loads_a_script(page: &str) -> bool {
    page.contains("<script")
        || page.contains(".wasm")
        || page.contains("modulepreload")
        || page.contains(".js\"")
}

const PAGES: [&str; 6] = [
    "/admin",
    "/admin/registrations",
    "/admin/registrations.csv",
    "/admin/registrations/AAAA-BBBB-CCCC",
    "/admin/links",
    "/admin/audit",
];

#[tokio::test]
async fn without_a_way_to_sign_in_there_is_no_console() {
    let mut app = TestApp::start().await;
    for path in ["/admin", "/admin/sign-in", "/admin/registrations"] {
        assert_eq!(
            get(&mut app, path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn signed_out_every_page_goes_to_the_sign_in_and_the_right_password_opens_them() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let database = app.state.database.clone();
        let mut browser = app.same_browser();
        for path in PAGES {
            let page = get(&mut browser, path).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(location(&page), "/admin/sign-in", "{path}");
        }
        // A post with a valid token but no sign-in goes there too.
        let (_, reference) = unknown_outcome(&database, "ana@example.com").await;
        let settle = format!("/admin/registrations/{reference}/settle");
        let page = post_from(
            &mut browser,
            "/admin/sign-in",
            &settle,
            &[("outcome", "failed"), ("note", "x")],
        )
        .await;
        assert_eq!(location(&page), "/admin/sign-in");

        let mut new_browser = app.same_browser();
        let form = get(&mut new_browser, "/admin/sign-in").await;
        assert_eq!(form.status, StatusCode::OK);
        let set_cookie = form.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(
            set_cookie.contains("SameSite=Strict") && set_cookie.contains("HttpOnly"),
            "{set_cookie}"
        );
        assert!(
            form.body
                .contains(r#"<label for="password">Password</label>"#),
            "{}",
            form.body
        );
        assert!(form.body.contains(r#"autocomplete="current-password""#));
        let before = browser
            .cookie_value(ADMIN_COOKIE)
            .expect("the sign-in form's session");

        let wrong = sign_in_as(&mut browser, "Ana", "battery staple horse").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(
            wrong.body.contains("That password is not right."),
            "{}",
            wrong.body
        );
        assert!(wrong.body.contains(r#"value="Ana""#), "the name is kept");
        assert!(
            !wrong.body.contains("battery staple horse"),
            "never the password"
        );
        assert_eq!(
            get(&mut browser, "/admin").await.status,
            StatusCode::SEE_OTHER
        );

        let right = sign_in_as(&mut browser, "Ana", PASSWORD).await;
        assert_eq!(right.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&right), "/admin");
        let after = browser.cookie_value(ADMIN_COOKIE).unwrap();
        assert_ne!(before, after, "the session id changes at sign-in");
        let overview = get(&mut browser, "/admin").await;
        assert_eq!(overview.status, StatusCode::OK);
        assert!(
            overview.body.contains("Signed in as <strong>Ana</strong>"),
            "{}",
            overview.body
        );
        // Signed in, the sign-in page goes to the console.
        assert_eq!(
            location(&get(&mut browser, "/admin/sign-in").await),
            "/admin"
        );

        let out = post_from(&mut browser, "/admin", "/admin/sign-out", &[]).await;
        assert_eq!(location(&out), "/admin/sign-in?signed_out=1");
        assert!(
            get(&mut browser, "/admin/sign-in?signed_out=1")
                .await
                .body
                .contains("You have signed out.")
        );
        assert_eq!(
            get(&mut browser, "/admin").await.status,
            StatusCode::SEE_OTHER
        );
        // The old session's cookie opens nothing either.
        let mut replay = app.same_browser();
        replay.cookie = Some(format!("{ADMIN_COOKIE}={after}"));
        assert_eq!(
            get(&mut replay, "/admin").await.status,
            StatusCode::SEE_OTHER
        );

        let audit = count(
            &database,
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'admin:Ana' AND action IN \
             ('sign_in_failed', 'sign_in', 'sign_out')",
        )
        .await;
        assert_eq!(audit, 3);
        let leaked = count(
            &database,
            &format!("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%{PASSWORD}%' OR detail LIKE '%battery staple horse%'"),
        )
        .await;
        assert_eq!(leaked, 0);
    }
}

#[tokio::test]
async fn the_proxy_header_signs_in_only_when_it_is_configured() {
    for db in TestDatabase::each().await {
        // A password only: the header is anybody's.
        let app = console_on(db, &[]).await;
        let mut browser = app.same_browser();
        let page = get_with(
            &mut browser,
            "/admin",
            &[("x-forwarded-email", "mallory@example.com")],
        )
        .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    for db in TestDatabase::each().await {
        let options = LeptosOptions::builder()
            .output_name("stamps-connect")
            .build();
        let app = TestApp::start_on(
            db,
            &[("ADMIN_TRUSTED_HEADER", "X-Forwarded-Email")],
            options,
        )
        .await;
        let mut browser = app.same_browser();
        let proxy = [("x-forwarded-email", "ana@example.com")];
        let page = get_with(&mut browser, "/admin", &proxy).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body
                .contains("Signed in as <strong>ana@example.com</strong> through single sign-on"),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("Sign out"),
            "signing out is the proxy's"
        );
        assert_eq!(
            get_with(&mut browser, "/admin/links", &proxy).await.status,
            StatusCode::OK
        );
        let audit = count(
            &app.state.database,
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'admin:ana@example.com' AND action = 'sign_in'",
        )
        .await;
        assert_eq!(audit, 1, "one sign-in, not one per page");
        // Without the header (the proxy did not vouch for this request), nobody is signed in.
        assert_eq!(
            get(&mut browser, "/admin").await.status,
            StatusCode::SEE_OTHER
        );
        let sign_in = get(&mut browser, "/admin/sign-in").await;
        assert!(
            sign_in.body.contains("single sign-on") && !sign_in.body.contains("password"),
            "{}",
            sign_in.body
        );
        let refused = post(
            &mut browser,
            "/admin/sign-in",
            &[("name", "Ana"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "no password sign-in");
        assert_eq!(
            get(&mut browser, "/admin").await.status,
            StatusCode::SEE_OTHER
        );
    }
}

#[tokio::test]
async fn a_post_without_the_form_token_or_from_another_site_is_refused() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let database = app.state.database.clone();
        let (_, reference) = unknown_outcome(&database, "ana@example.com").await;
        let mut browser = signed_in(&app).await;
        let path = format!("/admin/registrations/{reference}/settle");
        let fields = [("outcome", "failed"), ("note", "not opened")];
        let page_path = format!("/admin/registrations/{reference}");
        let token = form_token_in(&get(&mut browser, &page_path).await.body);

        let none = post(&mut browser, &path, &fields).await;
        assert_eq!(none.status, StatusCode::FORBIDDEN);
        assert!(none.body.contains("This form has expired"), "{}", none.body);
        let wrong = post(
            &mut browser,
            &path,
            &[("form_token", "0000"), fields[0], fields[1]],
        )
        .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);

        let mut cross_site = form_post(
            &path,
            &[("form_token", token.as_str()), fields[0], fields[1]],
        );
        cross_site
            .headers_mut()
            .insert("sec-fetch-site", "cross-site".parse().unwrap());
        cross_site
            .headers_mut()
            .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert_eq!(
            browser.send(cross_site).await.status(),
            StatusCode::FORBIDDEN
        );

        // A sign-in form posted without its token: refused before any password is checked.
        let mut stranger = app.same_browser();
        let page = post(
            &mut stranger,
            "/admin/sign-in",
            &[("name", "Ana"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);

        let row = database
            .registration_by_reference(&reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.status,
            RegistrationStatus::OutcomeUnknown,
            "nothing was settled"
        );
        let accepted = post(
            &mut browser,
            &path,
            &[("form_token", token.as_str()), fields[0], fields[1]],
        )
        .await;
        assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    }
}

/// A wrong password from `browser` (its own session and address), posted alongside others.
fn wrong_password_alongside(browser: &Browser, token: &str) -> tokio::task::JoinHandle<StatusCode> {
    let mut request = form_post(
        "/admin/sign-in",
        &[
            ("form_token", token),
            ("name", "Mallory"),
            ("password", "guess"),
        ],
    );
    request.headers_mut().insert(
        header::COOKIE,
        browser.cookie.clone().unwrap().parse().unwrap(),
    );
    request.extensions_mut().insert(ConnectInfo(browser.peer));
    let router = browser.router.clone();
    tokio::spawn(async move { router.oneshot(request).await.unwrap().status() })
}

#[tokio::test]
async fn failed_sign_ins_close_the_door_even_when_they_come_all_at_once() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[("ADMIN_SIGN_IN_FAILURES_PER_IP", "3")]).await;
        // Right passwords do not count.
        for _ in 0..4 {
            signed_in(&app).await;
        }
        let mut attacker = app.same_browser();
        let token = form_token_in(&get(&mut attacker, "/admin/sign-in").await.body);
        let tries: Vec<_> = (0..12)
            .map(|_| wrong_password_alongside(&attacker, &token))
            .collect();
        let mut statuses = Vec::new();
        for attempt in tries {
            statuses.push(attempt.await.unwrap());
        }
        let checked = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!((checked, refused), (3, 9), "{statuses:?}");

        // Now even the right password waits, and says so.
        let locked = sign_in_as(&mut attacker, "Ana", PASSWORD).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            locked.body.contains("Too many failed sign-ins"),
            "{}",
            locked.body
        );
        let wait: u64 = locked.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&wait), "{wait}");
        // Another address is not locked out by this one.
        let mut elsewhere = app.same_browser();
        elsewhere.peer = ([198, 51, 100, 9], 40000).into();
        assert_eq!(
            sign_in_as(&mut elsewhere, "Ana", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        let failures = count(
            &app.state.database,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in_failed'",
        )
        .await;
        assert_eq!(failures, 3);
    }
    for db in TestDatabase::each().await {
        // Over all addresses, past the count each try waits longer (capped): none is refused,
        // so the right password still opens the console.
        let app = console_on(
            db,
            &[
                ("ADMIN_SIGN_IN_FAILURES_PER_IP", "100"),
                ("ADMIN_SIGN_IN_FAILURES_TOTAL", "2"),
                ("ADMIN_SIGN_IN_SLOWDOWN_STEP_MS", "300"),
                ("ADMIN_SIGN_IN_SLOWDOWN_MAX_MS", "500"),
            ],
        )
        .await;
        let mut timed = Vec::new();
        for (last, password) in [(1u8, "guess"), (2, "guess"), (3, "guess"), (4, PASSWORD)] {
            let mut browser = app.same_browser();
            browser.peer = ([203, 0, 113, last], 40000).into();
            let started = std::time::Instant::now();
            let status = sign_in_as(&mut browser, "Mallory", password).await.status;
            timed.push((status, started.elapsed()));
        }
        let statuses: Vec<_> = timed.iter().map(|(status, _)| *status).collect();
        assert_eq!(
            statuses,
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::UNAUTHORIZED,
                StatusCode::UNAUTHORIZED,
                StatusCode::SEE_OTHER,
            ]
        );
        let waited = |index: usize| timed[index].1;
        // Argon2 and the sign-in page take their time too: compare with the waits' sizes.
        assert!(waited(2) >= Duration::from_millis(300), "{timed:?}");
        assert!(waited(3) >= Duration::from_millis(500), "{timed:?}");
        assert!(waited(3) < Duration::from_millis(5000), "capped: {timed:?}");
    }
}

/// The references a list page links to, in order.
fn listed(page: &str) -> Vec<String> {
    page.split(r#"<a href="/admin/registrations/"#)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_list_filters_searches_and_pages() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let database = app.state.database.clone();
        for n in 0..52 {
            claim(&database, &format!("merchant{n}@example.com"), "Shop").await;
        }
        let (_, unknown) = unknown_outcome(&database, "Ana.Lopez@Example.com").await;
        let (_, old) = claim(&database, "old@example.com", "Old shop").await;
        // 2026-03-15, 00:00 UTC.
        let march = 1_773_532_800_000_i64;
        execute(
            &database,
            &format!("UPDATE registrations SET created_at_ms = {march}, merchant_ref = 'acct_42%' WHERE reference = '{old}'"),
        )
        .await;
        let mut browser = signed_in(&app).await;

        let first = get(&mut browser, "/admin/registrations").await;
        assert!(first.body.contains("54 registrations."), "{}", first.body);
        assert!(first.body.contains("Page 1 of 2"));
        assert_eq!(listed(&first.body).len(), 50);
        let second = get(&mut browser, "/admin/registrations?page=2").await;
        assert_eq!(listed(&second.body).len(), 4);
        assert_eq!(listed(&second.body).last(), Some(&old), "oldest last");
        assert!(
            second
                .body
                .contains(r#"href="/admin/registrations?page=1" rel="prev""#)
                || second
                    .body
                    .contains(r#"href="/admin/registrations?" rel="prev""#),
            "{}",
            second.body
        );

        let by_status = get(&mut browser, "/admin/registrations?status=outcome_unknown").await;
        assert_eq!(listed(&by_status.body), std::slice::from_ref(&unknown));
        let by_email = get(&mut browser, "/admin/registrations?q=ana.lopez%40EXAMPLE").await;
        assert_eq!(listed(&by_email.body), std::slice::from_ref(&unknown));
        let by_reference = get(
            &mut browser,
            &format!("/admin/registrations?q={}", &unknown[5..]),
        )
        .await;
        assert_eq!(listed(&by_reference.body), std::slice::from_ref(&unknown));
        // A merchant ref, its `%` taken as itself.
        let by_merchant = get(&mut browser, "/admin/registrations?q=ACCT_42%25").await;
        assert_eq!(listed(&by_merchant.body), std::slice::from_ref(&old));
        let wildcard = get(&mut browser, "/admin/registrations?q=%25").await;
        assert_eq!(listed(&wildcard.body), std::slice::from_ref(&old));
        let in_march = get(
            &mut browser,
            "/admin/registrations?from=2026-03-15&to=2026-03-15",
        )
        .await;
        assert_eq!(listed(&in_march.body), std::slice::from_ref(&old));
        let after_march = get(&mut browser, "/admin/registrations?from=2026-03-16").await;
        assert!(after_march.body.contains("53 registrations."));
        let none = get(&mut browser, "/admin/registrations?status=verified&q=ana").await;
        assert!(none.body.contains("No registration matches."));
        let bad = get(&mut browser, "/admin/registrations?from=15/03/2026").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(
            bad.body.contains("Enter dates like 2026-11-30."),
            "{}",
            bad.body
        );
        // The filters are kept in the form and in the export link.
        assert!(
            by_status
                .body
                .contains(r#"<option value="outcome_unknown" selected"#),
            "{}",
            by_status.body
        );
        assert!(
            by_status
                .body
                .contains("/admin/registrations.csv?status=outcome_unknown")
        );
    }
}

#[tokio::test]
async fn the_csv_export_has_the_filtered_rows_and_no_formula_runs() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let database = app.state.database.clone();
        let (_, formula) = claim(
            &database,
            "-ana@example.com",
            "=HYPERLINK(\"https://evil.example\",\"x\")",
        )
        .await;
        let (_, plain) = claim(&database, "bob@example.com", "Bob's, shop").await;
        let mut browser = signed_in(&app).await;

        let all = get(&mut browser, "/admin/registrations.csv").await;
        assert_eq!(all.status, StatusCode::OK);
        assert_eq!(all.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        let disposition = all.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"registrations-")
                && disposition.ends_with(".csv\"")
        );
        assert_eq!(all.headers[header::CACHE_CONTROL], "no-store");
        let lines: Vec<&str> = all.body.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3, "{}", all.body);
        assert!(
            lines[0]
                .starts_with("reference,created_at,updated_at,status,email,nickname,merchant_ref")
        );
        let formula_line = lines.iter().find(|l| l.starts_with(&formula)).unwrap();
        assert!(
            formula_line.contains(",'-ana@example.com,"),
            "{formula_line}"
        );
        assert!(
            formula_line.contains(r#","'=HYPERLINK(""https://evil.example"",""x"")","#),
            "{formula_line}"
        );
        assert!(formula_line.contains(",visa,1111,"));
        let plain_line = lines.iter().find(|l| l.starts_with(&plain)).unwrap();
        assert!(plain_line.contains(r#","Bob's, shop","#), "{plain_line}");

        let filtered = get(&mut browser, "/admin/registrations.csv?q=bob").await;
        assert_eq!(
            filtered
                .body
                .split("\r\n")
                .filter(|l| !l.is_empty())
                .count(),
            2
        );
        let audit = count(
            &database,
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'admin:Ana' AND action = 'export_csv' \
             AND detail = '1 rows; filters: q=bob'",
        )
        .await;
        assert_eq!(audit, 1);
        assert_eq!(
            count(
                &database,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'export_csv'"
            )
            .await,
            2
        );
    }
}

#[tokio::test]
async fn a_registration_page_shows_its_timeline_webhook_attempts_and_audit() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let database = app.state.database.clone();
        let (key, reference) = claim(&database, "ana@example.com", "Corner shop").await;
        for step in [
            RegistrationEvent::Registered {
                carrier_id: "se-77",
                request_id: Some("req-register-1"),
            },
            RegistrationEvent::CallFailed {
                call: VerificationCall::SendCode,
                request_id: Some("req-send-1"),
                error: "ShipEngine answered HTTP 503",
            },
        ] {
            assert!(database.record(&key, step).await.unwrap());
        }
        let events = database.webhook_events_of(&reference).await.unwrap();
        let event_id = &events[0].event_id;
        let now = now_ms();
        execute(
            &database,
            &format!(
                "INSERT INTO webhook_deliveries (event_id, at_ms, status_code, error, duration_ms) VALUES \
                 ('{event_id}', {now}, 500, 'the receiver answered 500', 31), \
                 ('{event_id}', {now}, NULL, 'timed out', 10000)"
            ),
        )
        .await;
        execute(&database, &format!("UPDATE webhook_outbox SET attempts = 2, given_up_at_ms = {now} WHERE event_id = '{event_id}'")).await;
        database
            .audit(
                "reconciliation",
                "checked",
                Some(&reference),
                "still waiting",
            )
            .await
            .unwrap();
        let mut browser = signed_in(&app).await;

        let page = get(&mut browser, &format!("/admin/registrations/{reference}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let body = &page.body;
        for expected in [
            "ana@example.com",
            "visa •••• 1111",
            "se-77",
            "req-register-1",
            "req-send-1",
            "send_code_failed",
            "ShipEngine answered HTTP 503",
            "registration.registered",
            event_id.as_str(),
            "HTTP 500",
            "the receiver answered 500",
            "No answer",
            "timed out",
            "Given up",
            "Deliver again now",
            "reconciliation",
            "still waiting",
        ] {
            assert!(body.contains(expected), "{expected}: {body}");
        }
        assert!(
            !body.contains("Settle this registration"),
            "only an unknown outcome is settled"
        );
        assert!(
            !body.contains("4111"),
            "the card as brand and last four only"
        );
        let missing = get(&mut browser, "/admin/registrations/NOPE-NOPE-NOPE").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn settling_needs_a_note_and_a_carrier_id_is_audited_announced_and_happens_once() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let database = app.state.database.clone();
        let (_, reference) = unknown_outcome(&database, "ana@example.com").await;
        let (_, other) = unknown_outcome(&database, "bob@example.com").await;
        let mut browser = signed_in(&app).await;
        let page_path = format!("/admin/registrations/{reference}");
        let settle = format!("{page_path}/settle");
        assert!(
            get(&mut browser, &page_path)
                .await
                .body
                .contains("Settle this registration")
        );

        let empty = post_from(
            &mut browser,
            &page_path,
            &settle,
            &[
                ("outcome", "registered"),
                ("carrier_id", " "),
                ("note", " "),
            ],
        )
        .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            empty
                .body
                .contains("Enter the carrier id ShipEngine gave the account"),
            "{}",
            empty.body
        );
        assert!(empty.body.contains("Write a note: how you found out"));
        assert!(empty.body.contains(r##"href="#carrier_id""##));
        let no_outcome = post_from(&mut browser, &page_path, &settle, &[("note", "checked")]).await;
        assert!(no_outcome.body.contains("Choose what ShipEngine did"));
        let bad_id = post_from(
            &mut browser,
            &page_path,
            &settle,
            &[
                ("outcome", "registered"),
                ("carrier_id", "se 1; drop"),
                ("note", "checked"),
            ],
        )
        .await;
        assert!(
            bad_id.body.contains("A carrier id has only letters"),
            "{}",
            bad_id.body
        );
        assert!(
            bad_id.body.contains(r#"value="se 1; drop""#),
            "what was typed is kept"
        );
        let failed_without_note =
            post_from(&mut browser, &page_path, &settle, &[("outcome", "failed")]).await;
        assert_eq!(failed_without_note.status, StatusCode::UNPROCESSABLE_ENTITY);
        let row = database
            .registration_by_reference(&reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, RegistrationStatus::OutcomeUnknown);

        let done = post_from(
            &mut browser,
            &page_path,
            &settle,
            &[
                ("outcome", "registered"),
                ("carrier_id", "se-4242"),
                ("note", "Found it in the dashboard"),
            ],
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&done), page_path);
        let shown = get(&mut browser, &page_path).await.body;
        assert!(
            shown.contains("Settled as registered, carrier se-4242."),
            "{shown}"
        );
        assert!(
            shown.contains("settled_registered") && shown.contains("Found it in the dashboard")
        );
        assert!(!shown.contains("Settle this registration"));
        let row = database
            .registration_by_reference(&reference)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.status, row.carrier_id.as_deref()),
            (RegistrationStatus::Registered, Some("se-4242"))
        );
        let audit = database.audit_of(&reference).await.unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(
            (audit[0].actor.as_str(), audit[0].action.as_str()),
            ("admin:Ana", "settled_registered")
        );
        let settled = |r: &str| {
            format!(
                "SELECT COUNT(*) FROM webhook_outbox WHERE reference = '{r}' AND event_type = 'registration.settled'"
            )
        };
        assert_eq!(count(&database, &settled(&reference)).await, 1);

        // Twice: refused, said, and nothing more is written.
        let again = post_from(
            &mut browser,
            &format!("/admin/registrations/{other}"),
            &settle,
            &[("outcome", "failed"), ("note", "again")],
        )
        .await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert!(
            get(&mut browser, &page_path)
                .await
                .body
                .contains("Not settled: this registration is no longer waiting")
        );
        assert_eq!(count(&database, &settled(&reference)).await, 1);
        assert_eq!(database.audit_of(&reference).await.unwrap().len(), 1);

        let failed = post_from(
            &mut browser,
            &format!("/admin/registrations/{other}"),
            &format!("/admin/registrations/{other}/settle"),
            &[
                ("outcome", "failed"),
                ("carrier_id", ""),
                ("note", "Not in the dashboard"),
            ],
        )
        .await;
        assert_eq!(failed.status, StatusCode::SEE_OTHER);
        let row = database
            .registration_by_reference(&other)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, RegistrationStatus::Failed);
        assert_eq!(count(&database, &settled(&other)).await, 1);
    }
}

#[tokio::test]
async fn redelivering_puts_an_event_back_in_the_queue_and_is_audited() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let database = app.state.database.clone();
        let (_, reference) = unknown_outcome(&database, "ana@example.com").await;
        let event_id = database.webhook_events_of(&reference).await.unwrap()[0]
            .event_id
            .clone();
        execute(&database, &format!("UPDATE webhook_outbox SET attempts = 9, given_up_at_ms = 1, next_attempt_at_ms = 1 WHERE event_id = '{event_id}'")).await;
        let mut browser = signed_in(&app).await;
        let page_path = format!("/admin/registrations/{reference}");
        let before = now_ms();
        let done = post_from(
            &mut browser,
            &page_path,
            &format!("{page_path}/events/{event_id}/redeliver"),
            &[],
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let event = database
            .webhook_events_of(&reference)
            .await
            .unwrap()
            .remove(0);
        assert_eq!((event.given_up_at_ms, event.delivered_at_ms), (None, None));
        assert!(event.next_attempt_at_ms >= before);
        let shown = get(&mut browser, &page_path).await.body;
        assert!(
            shown.contains("is queued to be delivered again now"),
            "{shown}"
        );
        let audit = database.audit_of(&reference).await.unwrap();
        assert_eq!(
            audit.last().map(|a| (a.actor.as_str(), a.action.as_str())),
            Some(("admin:Ana", "redeliver"))
        );
        assert!(audit.last().unwrap().detail.contains(&event_id));

        // A delivered event too: the receiver answered 2xx yet may have lost it. Its page
        // offers to deliver it again, and doing so is audited as such.
        execute(
            &database,
            &format!("UPDATE webhook_outbox SET delivered_at_ms = 5 WHERE event_id = '{event_id}'"),
        )
        .await;
        let shown = get(&mut browser, &page_path).await.body;
        assert!(
            shown.contains("Delivered") && shown.contains("Deliver again now"),
            "{shown}"
        );
        let delivered = post_from(
            &mut browser,
            &page_path,
            &format!("{page_path}/events/{event_id}/redeliver"),
            &[],
        )
        .await;
        assert_eq!(delivered.status, StatusCode::SEE_OTHER);
        let event = database
            .webhook_events_of(&reference)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(event.delivered_at_ms, None);
        let audit = database.audit_of(&reference).await.unwrap();
        let last = audit.last().unwrap();
        assert_eq!(last.action, "redeliver");
        assert!(last.detail.contains("already delivered"), "{}", last.detail);
        // One of another registration: nothing to do.
        let elsewhere = post_from(
            &mut browser,
            &page_path,
            &format!("/admin/registrations/AAAA-BBBB-CCCC/events/{event_id}/redeliver"),
            &[],
        )
        .await;
        assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_links_are_listed_with_their_state() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let database = app.state.database.clone();
        let now = now_ms();
        execute(
            &database,
            &format!(
                "INSERT INTO onboarding_links (id, token_hash, merchant_ref, return_url, created_at_ms, expires_at_ms, used_at_ms) VALUES \
                 ('lnk_active', 'hash-of-a-token-1', 'acct_active', 'https://platform.example/back', {now}, {}, NULL), \
                 ('lnk_used', 'hash-of-a-token-2', 'acct_used', NULL, {}, {}, {}), \
                 ('lnk_expired', 'hash-of-a-token-3', 'acct_expired', NULL, {}, {}, NULL)",
                now + DAY_MS,
                now - 2,
                now + DAY_MS,
                now - 1,
                now - 3 * DAY_MS,
                now - DAY_MS,
            ),
        )
        .await;
        let mut browser = signed_in(&app).await;
        let page = get(&mut browser, "/admin/links").await;
        assert_eq!(page.status, StatusCode::OK);
        let row = |id: &str| {
            let start = page
                .body
                .find(id)
                .unwrap_or_else(|| panic!("{id}: {}", page.body));
            let rest = &page.body[start..];
            rest[..rest.find("</tr>").unwrap()].to_owned()
        };
        let active = row("lnk_active");
        assert!(
            active.contains("acct_active")
                && active.contains("<td>Active</td>")
                && active.contains("<td>Yes</td>"),
            "{active}"
        );
        assert!(row("lnk_used").contains("<td>Used</td>"));
        let expired = row("lnk_expired");
        assert!(
            expired.contains("<td>Expired</td>") && expired.contains("<td>No</td>"),
            "{expired}"
        );
        assert!(page.body.contains("3 links."));
        assert!(!page.body.contains("hash-of-a-token"), "never the token");
    }
}

#[tokio::test]
async fn the_overview_counts_what_happened_in_the_last_30_days() {
    for db in TestDatabase::each().await {
        let mut app = console_on(db, &[]).await;
        let database = app.state.database.clone();
        // The merchant page counts the form opened by a browser new to the flow, in memory:
        // nothing is written until the minute's flush.
        app.page().await;
        app.page().await;
        let mut cookieless = app.same_browser();
        cookieless.cookie = None;
        cookieless.page().await;
        assert_eq!(
            count(&database, "SELECT COUNT(*) FROM form_opens_daily").await,
            0
        );
        app.state.form_opens.flush(&database).await;
        app.state.form_opens.flush(&database).await;
        // Another instance's flush adds to the day's count.
        database
            .add_form_opens(now_ms().div_euclid(DAY_MS), 2)
            .await
            .unwrap();
        let long_ago = now_ms() - 40 * DAY_MS;
        database
            .add_form_opens(long_ago.div_euclid(DAY_MS), 7)
            .await
            .unwrap();
        assert_eq!(
            count(&database, "SELECT COUNT(*) FROM form_opens_daily").await,
            2
        );
        assert_eq!(
            count(
                &database,
                "SELECT CAST(SUM(opened) AS BIGINT) FROM form_opens_daily"
            )
            .await,
            11
        );

        // Three sent: one verified, one stuck after a failed text, one with no answer.
        let (verified, _) = claim(&database, "a@example.com", "A").await;
        for step in [
            RegistrationEvent::Registered {
                carrier_id: "se-1",
                request_id: None,
            },
            RegistrationEvent::CodeSent {
                verification_id: "v1",
                sent_to: "x",
                request_id: None,
            },
            RegistrationEvent::CallFailed {
                call: VerificationCall::VerifyCode,
                request_id: None,
                error: "503",
            },
            RegistrationEvent::Verified { request_id: None },
        ] {
            assert!(database.record(&verified, step).await.unwrap());
        }
        let (stuck, _) = claim(&database, "b@example.com", "B").await;
        for step in [
            RegistrationEvent::Registered {
                carrier_id: "se-2",
                request_id: None,
            },
            RegistrationEvent::CallFailed {
                call: VerificationCall::SendCode,
                request_id: None,
                error: "503",
            },
            RegistrationEvent::CallFailed {
                call: VerificationCall::SendCode,
                request_id: None,
                error: "503",
            },
        ] {
            assert!(database.record(&stuck, step).await.unwrap());
        }
        unknown_outcome(&database, "c@example.com").await;
        // Before the period: not counted.
        let (_, old) = claim(&database, "old@example.com", "Old").await;
        execute(
            &database,
            &format!(
                "UPDATE registrations SET created_at_ms = {long_ago} WHERE reference = '{old}'"
            ),
        )
        .await;

        let mut browser = signed_in(&app).await;
        let page = get(&mut browser, "/admin").await;
        assert_eq!(page.status, StatusCode::OK);
        let body = page.body;
        let row = |label: &str| {
            let start = body
                .find(&format!(r#"<th scope="row">{label}</th>"#))
                .unwrap_or_else(|| panic!("{label}: {body}"));
            let rest = &body[start..];
            rest[..rest.find("</tr>").unwrap()].to_owned()
        };
        assert!(
            row("Form opened").contains(r#"<td class="number">4</td>"#),
            "{}",
            row("Form opened")
        );
        let registered = row("Registered");
        assert!(
            registered.contains(r#"<td class="number">2</td>"#) && registered.contains("2 (50%)"),
            "{registered}"
        );
        assert!(row("Code sent").contains(r#"<td class="number">1</td>"#));
        assert!(
            row("Verified").contains(r#"<td class="number">1</td><td class="number">0 (0%)</td>"#),
            "{}",
            row("Verified")
        );
        // Every day's row (two columns): today's three, 29 days of none.
        let per_day = &body[body.find("Registrations per day (UTC)").unwrap()..];
        assert_eq!(
            per_day.matches(r#"<td class="number">3</td></tr>"#).count(),
            1,
            "{per_day}"
        );
        assert_eq!(
            body.matches(r#"<td class="number">0</td></tr>"#).count(),
            29
        );
        assert!(body.contains("3 registrations in 30 days"));
        assert!(
            row("Code could not be sent")
                .contains(r#"<td class="number">2</td><td class="number">50%</td>"#)
        );
        assert!(row("Code check failed").contains("25%"));
        assert!(row("Registration with no answer (outcome unknown)").contains("25%"));
        assert!(row("Registration refused by ShipEngine").contains(r#"<td class="number">0</td>"#));
        // Three figures, each an image named by its title and description.
        assert_eq!(
            body.matches(r#"<svg role="img" aria-labelledby=""#).count(),
            3
        );
        for id in ["funnel", "per-day", "failures"] {
            assert!(
                body.contains(&format!(r#"aria-labelledby="{id}-title {id}-desc""#)),
                "{id}"
            );
            assert!(
                body.contains(&format!(r#"<title id="{id}-title">"#)),
                "{id}"
            );
        }
        assert_eq!(body.matches("<table").count(), 3);
    }
}

#[tokio::test]
async fn no_console_page_loads_a_script_and_none_is_cached() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let (_, reference) = unknown_outcome(&app.state.database, "ana@example.com").await;
        let mut browser = app.same_browser();
        let sign_in = get(&mut browser, "/admin/sign-in").await;
        let mut pages = vec![sign_in];
        let mut browser = signed_in(&app).await;
        for path in [
            "/admin",
            "/admin/registrations",
            "/admin/links",
            "/admin/audit",
            &format!("/admin/registrations/{reference}"),
        ] {
            pages.push(get(&mut browser, path).await);
        }
        pages.push(get(&mut browser, "/admin/registrations/NOPE-NOPE-NOPE").await);
        for page in pages {
            assert!(!loads_a_script(&page.body), "{}", page.body);
            assert!(page.body.starts_with("<!DOCTYPE html>"), "{}", page.body);
            assert!(page.body.contains(r#"<html lang="en">"#));
            assert!(page.body.contains(r#"<main id="main""#));
            assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
            let policy = page.headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap();
            assert!(
                policy.contains("default-src 'none'") && !policy.contains("script-src"),
                "{policy}"
            );
            assert!(
                policy.contains("form-action 'self'") && policy.contains("frame-ancestors 'none'")
            );
        }
    }
}

#[tokio::test]
async fn a_database_that_does_not_answer_says_try_again() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let mut browser = signed_in(&app).await;
        app.state.database.close().await;
        let page = get(&mut browser, "/admin/registrations").await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(page.body.contains("Try again in a moment"), "{}", page.body);
        assert_eq!(page.headers[header::RETRY_AFTER], "5");
        assert!(!loads_a_script(&page.body));
    }
}

/// The services work without HTTP: a settlement straight from the database, and a password
/// sign-in where none is configured.
#[tokio::test]
async fn the_services_run_without_http() {
    use stamps_connect::admin::AdminAccess;
    use stamps_connect::admin::service::{
        self, SettleForm, SettleProblem, SettleRefusal, SignInRefusal,
    };
    use stamps_connect::server::ClientIp;
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let (_, reference) = unknown_outcome(&database, "ana@example.com").await;
        let form = |outcome: &str, carrier_id: &str, note: &str| SettleForm {
            outcome: outcome.into(),
            carrier_id: carrier_id.into(),
            note: note.into(),
        };
        assert_eq!(
            service::settle(
                &database,
                &reference,
                "admin:Ana",
                &form("registered", "", "")
            )
            .await
            .unwrap_err(),
            SettleRefusal::Invalid(vec![SettleProblem::NoCarrierId, SettleProblem::NoNote])
        );
        // A carrier another registration holds is refused on the form, and nothing moves.
        let (holder_key, _) = claim(&database, "bo@example.com", "Bo's shop").await;
        let holder = RegistrationEvent::Registered {
            carrier_id: "se-held",
            request_id: None,
        };
        assert!(database.record(&holder_key, holder).await.unwrap());
        assert_eq!(
            service::settle(
                &database,
                &reference,
                "admin:Ana",
                &form("registered", "se-held", "seen in the dashboard")
            )
            .await
            .unwrap_err(),
            SettleRefusal::Invalid(vec![SettleProblem::CarrierHeld])
        );
        let row = service::settle(
            &database,
            &reference,
            "admin:Ana",
            &form("failed", "", "no account"),
        )
        .await
        .unwrap();
        assert_eq!(row.status, RegistrationStatus::Failed);
        assert_eq!(
            service::settle(
                &database,
                &reference,
                "admin:Ana",
                &form("failed", "", "again")
            )
            .await
            .unwrap_err(),
            SettleRefusal::NotUnknown(RegistrationStatus::Failed)
        );
        let no_password = AdminAccess::from_vars(&|_: &str| None).unwrap();
        let ip = ClientIp(std::net::Ipv4Addr::LOCALHOST.into());
        let refused = service::sign_in_with_password(
            &database,
            &no_password,
            900,
            ip,
            "Ana",
            PASSWORD.into(),
        )
        .await;
        assert_eq!(refused, Err(SignInRefusal::NoPassword));
    }
}

#[tokio::test]
async fn the_audit_log_page_lists_every_action_newest_first() {
    for db in TestDatabase::each().await {
        let app = console_on(db, &[]).await;
        let database = app.state.database.clone();
        let (_, reference) = unknown_outcome(&database, "ana@example.com").await;
        let mut browser = signed_in(&app).await;
        get(&mut browser, "/admin/registrations.csv").await;
        database
            .audit(
                "admin:Bea",
                "redeliver",
                Some(&reference),
                "registration.settled evt_1",
            )
            .await
            .unwrap();
        let page = get(&mut browser, "/admin/audit").await;
        assert_eq!(page.status, StatusCode::OK);
        let body = page.body;
        // Linked from the navigation, as the current page.
        assert!(
            body.contains(r#"<a href="/admin/audit" aria-current="page">Audit log</a>"#),
            "{body}"
        );
        assert!(body.contains("<caption"), "{body}");
        assert!(body.contains(r#"<th scope="col">When</th>"#));
        let at = |needle: &str| {
            body.find(needle)
                .unwrap_or_else(|| panic!("{needle}: {body}"))
        };
        // Newest first: the redelivery, the export, the sign-in.
        assert!(at("<code>redeliver</code>") < at("<code>export_csv</code>"));
        assert!(at("<code>export_csv</code>") < at("<code>sign_in</code>"));
        assert!(body.contains(&format!(
            r#"<a href="/admin/registrations/{reference}"><code>{reference}</code></a>"#
        )));
        assert!(body.contains("admin:Bea") && body.contains("admin:Ana"));
        assert!(body.contains("3 entries."), "{body}");
        // Other pages link to it, not as the current page.
        let overview = get(&mut browser, "/admin").await.body;
        assert!(overview.contains(r#"<a href="/admin/audit">Audit log</a>"#));
        // Paged: a page past the end is empty, not an error.
        assert_eq!(
            get(&mut browser, "/admin/audit?page=9").await.status,
            StatusCode::OK
        );
    }
}
