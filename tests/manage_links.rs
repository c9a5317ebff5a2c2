//! "Manage on Stamps.com": `/account/manage` asks ShipEngine for the account's links on every
//! view and shows the three, each opening in a new tab; before the account is open it sends the
//! merchant to `/`; a failure is a calm message with a reference.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use stamps_connect::screen::Screen;
use stamps_connect::simulator::{DEMO_STAMPS_PASSWORD, DEMO_STAMPS_USERNAME, Endpoint, Fault};
use support::{
    Browser, ORIGIN, TestApp, body_bytes, idempotency_key_in, registration_form, screen_in,
};

/// `GET path`: its status, its `Location` if any, its HTML.
async fn get(browser: &mut Browser, path: &str) -> (StatusCode, Option<String>, String) {
    let request = Request::get(path)
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap();
    let response = browser.send(request).await;
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().to_owned());
    let html = String::from_utf8(body_bytes(response).await).unwrap();
    (status, location, html)
}

/// Connects the demo account from this browser, as the connect page does.
async fn connect_demo_account(browser: &mut Browser) {
    let key = idempotency_key_in(&get(browser, "/connect").await.2);
    let form = [
        ("idempotency_key", key.as_str()),
        ("nickname", "Corner shop"),
        ("username", DEMO_STAMPS_USERNAME),
        ("password", DEMO_STAMPS_PASSWORD),
    ];
    let request = Request::post("/connect")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
        .unwrap();
    let response = browser.send(request).await;
    assert_eq!(response.headers()[header::LOCATION], "/");
}

/// The `<a …>` elements of `html` whose `href` starts with `prefix`.
fn links_to<'a>(html: &'a str, prefix: &str) -> Vec<&'a str> {
    html.split("<a ")
        .skip(1)
        .map(|rest| &rest[..rest.find("</a>").unwrap()])
        .filter(|anchor| anchor.starts_with(&format!(r#"href="{prefix}"#)))
        .collect()
}

#[tokio::test]
async fn an_open_account_gets_its_three_links_each_opening_in_a_new_tab() {
    let mut app = TestApp::start().await;
    connect_demo_account(&mut app).await;
    let (_, _, done) = get(&mut app, "/").await;
    assert!(
        done.contains(r#"href="/account/manage""#),
        "the done screen links here"
    );
    assert!(done.contains("Manage on Stamps.com"));

    let (status, _, page) = get(&mut app, "/account/manage").await;
    assert_eq!(status, StatusCode::OK);
    let links = links_to(&page, "https://account.stamps-simulator.test/");
    assert_eq!(links.len(), 3, "{page}");
    for (link, (page, label)) in links.iter().zip([
        ("payment-methods", "Change your card"),
        ("account-settings", "Account settings"),
        ("report-balances", "Balance reports"),
    ]) {
        assert!(
            link.starts_with(&format!(
                r#"href="https://account.stamps-simulator.test/{page}?"#
            )),
            "{link}"
        );
        assert!(link.contains(r#"target="_blank""#), "{link}");
        assert!(link.contains(r#"rel="noopener noreferrer""#), "{link}");
        assert!(link.contains(label), "{link}");
        assert!(link.contains("(opens in a new tab)"), "{link}");
    }
    assert!(page.contains(r#"href="/""#), "a way back");
    let loads_wasm = |html: &str| html.contains("modulepreload") || html.contains(".wasm");
    assert!(loads_wasm(&done), "the check sees the island's loader");
    assert!(!loads_wasm(&page), "a page without WebAssembly");

    // ShipEngine was asked for exactly these, for this account's carrier.
    let asked: Vec<_> = app
        .simulator
        .simulator
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == Some(Endpoint::RequestAccountUrl))
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0].body["url_types"],
        serde_json::json!(["payment_methods", "account_settings", "report_balances"])
    );
    let Screen::Done(account) = screen_in(&done) else {
        panic!("the done screen");
    };
    let carrier_id = account.carrier_id;
    assert!(asked[0].path.contains(&carrier_id), "{}", asked[0].path);

    // The links carry short-lived tokens: asked for again on every view, never kept.
    let (_, _, again) = get(&mut app, "/account/manage").await;
    let first_token = links[0].split("token=").nth(1).unwrap();
    let first_token = &first_token[..first_token.find('"').unwrap()];
    assert!(!again.contains(first_token), "a fresh link each time");
    assert_eq!(app.upstream_requests(Endpoint::RequestAccountUrl), 2);
}

#[tokio::test]
async fn before_the_account_is_open_the_merchant_is_sent_to_the_start() {
    let mut app = TestApp::start().await;
    // A browser new to the app.
    let (status, location, _) = get(&mut app, "/account/manage").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/"));

    // A registration on its code step.
    let key = app.form_key().await;
    let mut form = registration_form();
    form.push(("idempotency_key", &key));
    app.call("register", &form).await;
    let (status, location, _) = get(&mut app, "/account/manage").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/"));
    assert_eq!(app.upstream_requests(Endpoint::RequestAccountUrl), 0);

    // Verified: now the links are there.
    app.call("send_code", &[("phone", "(512) 111-2222")]).await;
    app.call("verify_code", &[("code", "123456")]).await;
    let (status, _, page) = get(&mut app, "/account/manage").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(links_to(&page, "https://").len(), 3);
}

#[tokio::test]
async fn a_failure_upstream_is_a_calm_message_with_a_reference_and_a_way_back() {
    let mut app = TestApp::start().await;
    connect_demo_account(&mut app).await;
    let simulator = app.simulator.simulator.clone();
    simulator.inject_fault(Endpoint::RequestAccountUrl, Fault::Refused, 1);
    let (status, _, page) = get(&mut app, "/account/manage").await;
    assert_eq!(status, StatusCode::FAILED_DEPENDENCY);
    assert!(
        page.contains("We could not get the links to your Stamps.com account just now"),
        "{page}"
    );
    assert!(page.contains("Reference for support"), "{page}");
    assert!(page.contains(r#"href="/""#));
    assert!(links_to(&page, "https://").is_empty());
    // In Spanish too.
    let request = Request::get("/account/manage")
        .header(header::HOST, "localhost")
        .header(header::ACCEPT_LANGUAGE, "es-US")
        .body(Body::empty())
        .unwrap();
    simulator.inject_fault(Endpoint::RequestAccountUrl, Fault::Unavailable, 1);
    let response = app.send(request).await;
    let html = String::from_utf8(body_bytes(response).await).unwrap();
    assert!(html.contains("No pudimos obtener los enlaces"), "{html}");
}
