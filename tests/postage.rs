//! "Add postage" over the app's HTTP interface, against the simulator: amounts and their
//! messages, exactly one charge however a confirmation is repeated (asserted on the simulator's
//! record of charges), refusals, unknown outcomes, limits under parallel confirmations,
//! `FUNDING=off`, and requests that belong to their browser. On SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use leptos::config::LeptosOptions;
use serde_json::json;
use stamps_connect::screen::Screen;
use stamps_connect::simulator::{Endpoint, Fault, FundingChange};
use support::databases::TestDatabase;
use support::operator::{minted_url, open_link, operator_vars};
use support::{Browser, ORIGIN, TestApp, body_bytes, registration_form, screen_in};
use tower::ServiceExt;

async fn start_on(database: TestDatabase, vars: &[(&str, &str)]) -> TestApp {
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    TestApp::start_on(database, vars, options).await
}

/// Registers, sends a code and checks it: the browser's account is open. Its carrier id.
async fn verified(browser: &mut Browser) -> String {
    let Screen::Verify(_) = browser.call("register", &registration_form()).await else {
        panic!("the code step")
    };
    browser.call("send_code", &[("phone", "5121112222")]).await;
    let Screen::Done(done) = browser.call("verify_code", &[("code", "123456")]).await else {
        panic!("done")
    };
    done.carrier_id
}

/// A browser that has never been here.
fn new_browser(app: &TestApp) -> Browser {
    Browser {
        cookie: None,
        ..app.same_browser()
    }
}

async fn get(browser: &mut Browser, path: &str) -> (StatusCode, String) {
    let request = Request::get(path)
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap();
    let response = browser.send(request).await;
    let status = response.status();
    (status, text(response).await)
}

async fn text(response: Response<Body>) -> String {
    String::from_utf8(body_bytes(response).await).unwrap()
}

/// A form post from the app's own page.
fn form_post(path: &str, form: &[(&str, &str)]) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
        .unwrap()
}

async fn post(browser: &mut Browser, path: &str, form: &[(&str, &str)]) -> Response<Body> {
    browser.send(form_post(path, form)).await
}

/// A post from this browser that runs alongside others (a double click, a second tab).
fn post_alongside(
    browser: &Browser,
    path: &str,
    form: &[(&str, &str)],
) -> impl Future<Output = Response<Body>> + Send + use<> {
    let mut request = form_post(path, form);
    if let Some(cookie) = &browser.cookie {
        request
            .headers_mut()
            .insert(header::COOKIE, cookie.parse().unwrap());
    }
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(browser.peer));
    let router = browser.router.clone();
    async move { router.oneshot(request).await.unwrap() }
}

fn location(response: &Response<Body>) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

/// Chooses an amount (`form`): the confirmation's path.
async fn choose(browser: &mut Browser, form: &[(&str, &str)]) -> String {
    let response = post(browser, "/account/postage", form).await;
    let path = location(&response);
    assert!(path.starts_with("/account/postage/"), "{path}");
    path
}

/// Confirms the request at `path`: the page it is sent to.
async fn confirm(browser: &mut Browser, path: &str) -> String {
    let response = post(browser, path, &[]).await;
    assert_eq!(location(&response), path);
    let (status, page) = get(browser, path).await;
    assert_eq!(status, StatusCode::OK);
    page
}

/// Every charge the simulator made, as `(carrier_id, cents)`.
fn charges(app: &TestApp) -> Vec<(String, u64)> {
    app.simulator
        .simulator
        .charges()
        .into_iter()
        .map(|charge| (charge.carrier_id, charge.amount_cents))
        .collect()
}

#[tokio::test]
async fn a_preset_and_a_typed_amount_are_confirmed_then_charged() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        let carrier = verified(&mut app).await;

        let (status, form) = get(&mut app, "/account/postage").await;
        assert_eq!(status, StatusCode::OK, "{backend}");
        for preset in ["$10.00", "$25.00", "$50.00", "$100.00", "Other amount"] {
            assert!(form.contains(preset), "{backend}: {preset}");
        }
        assert!(form.contains("From $10.00 to $500.00"), "{backend}");
        assert!(
            !form.contains("data-props"),
            "{backend}: no island on this page"
        );

        let path = choose(&mut app, &[("amount", "25")]).await;
        let (_, confirmation) = get(&mut app, &path).await;
        assert!(
            confirmation.contains("Your card on the Stamps.com account will be charged $25.00."),
            "{backend}: {confirmation}"
        );
        assert!(
            confirmation.contains("$0.00"),
            "{backend}: the current balance"
        );
        assert!(
            charges(&app).is_empty(),
            "{backend}: nothing before Confirm"
        );

        let added = confirm(&mut app, &path).await;
        assert!(added.contains("Postage added"), "{backend}: {added}");
        assert!(added.contains("$25.00 was added to your Stamps.com balance."));
        assert_eq!(charges(&app), [(carrier.clone(), 2500)], "{backend}");

        let path = choose(&mut app, &[("amount", "other"), ("other_amount", "$35.50")]).await;
        let added = confirm(&mut app, &path).await;
        assert!(added.contains("$35.50 was added"), "{backend}");
        assert!(added.contains("$60.50"), "{backend}: the new balance");
        assert_eq!(
            charges(&app),
            [(carrier.clone(), 2500), (carrier.clone(), 3550)],
            "{backend}"
        );

        // Back on the done screen: the balance as ShipEngine has it now.
        let Screen::Done(done) = screen_in(&app.page().await) else {
            panic!("done")
        };
        assert_eq!(done.balance.map(|b| b.cents), Some(6050), "{backend}");
        assert!(done.add_postage);
    }
}

#[tokio::test]
async fn a_wrong_amount_is_said_beside_it_and_what_was_typed_stays() {
    let mut app = start_on(TestDatabase::sqlite(), &[("FUNDING_MAX_USD", "75")]).await;
    verified(&mut app).await;
    for (form, message, typed) in [
        (
            vec![("amount", "other"), ("other_amount", "9.99")],
            "Enter at least $10.00",
            Some("9.99"),
        ),
        (
            vec![("amount", "other"), ("other_amount", "ten dollars")],
            "Enter an amount in dollars and cents, like 35 or 35.50",
            Some("ten dollars"),
        ),
        (
            vec![("amount", "other"), ("other_amount", "12.345")],
            "Enter an amount in dollars and cents",
            Some("12.345"),
        ),
        (
            vec![("amount", "other"), ("other_amount", "75.01")],
            "Enter $75.00 or less",
            Some("75.01"),
        ),
        (
            vec![("amount", "other"), ("other_amount", "")],
            "Enter the amount to add",
            None,
        ),
        (vec![], "Choose an amount to add", None),
        // Above this deploy's maximum, so not offered; posted anyway.
        (vec![("amount", "100")], "Enter $75.00 or less", None),
    ] {
        let response = post(&mut app, "/account/postage", &form).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{form:?}");
        let page = text(response).await;
        assert!(page.contains("There is a problem"), "{form:?}: the summary");
        assert!(page.contains(message), "{form:?}: {page}");
        if let Some(typed) = typed {
            assert!(
                page.contains(&format!(r#"value="{typed}""#)),
                "{form:?}: kept as typed"
            );
            assert!(page.contains(r#"aria-invalid="true""#), "{form:?}");
            assert!(
                page.contains(r##"href="#other_amount""##),
                "{form:?}: linked"
            );
        }
    }
    // The low maximum hides the presets above it.
    let (_, form) = get(&mut app, "/account/postage").await;
    assert!(
        form.contains("$50.00") && !form.contains("$100.00"),
        "{form}"
    );
    assert!(form.contains("From $10.00 to $75.00"));
    assert!(charges(&app).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_confirmations_charge_once_and_all_show_the_one_result() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        let carrier = verified(&mut app).await;
        let path = choose(&mut app, &[("amount", "50")]).await;
        // Slow enough for every other confirmation to arrive while the charge is in flight.
        let simulator = &app.simulator.simulator;
        simulator.inject_fault(Endpoint::AddFunds, Fault::Delay { millis: 400 }, 1);

        let confirms: Vec<_> = (0..20)
            .map(|_| tokio::spawn(post_alongside(&app, &path, &[])))
            .collect();
        for confirm in confirms {
            let response = confirm.await.unwrap();
            assert_eq!(location(&response), path, "{backend}");
        }
        // Each redirect lands on the result, not on "in progress".
        for _ in 0..3 {
            let (_, page) = get(&mut app, &path).await;
            assert!(page.contains("Postage added"), "{backend}: {page}");
            assert!(page.contains("$50.00"), "{backend}");
        }
        assert_eq!(charges(&app), [(carrier, 5000)], "{backend}");
        assert_eq!(app.upstream_requests(Endpoint::AddFunds), 1, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_on_one_confirmation_charge_once() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        let carrier = verified(&mut app).await;
        let path = choose(&mut app, &[("amount", "10")]).await;
        let (mut first, mut second) = (app.same_browser(), app.same_browser());
        let (_, one) = get(&mut first, &path).await;
        let (_, two) = get(&mut second, &path).await;
        assert!(one.contains("Confirm and add postage") && two.contains("Confirm and add postage"));

        app.simulator
            .simulator
            .inject_fault(Endpoint::AddFunds, Fault::Delay { millis: 200 }, 1);
        let (a, b) = tokio::join!(
            post_alongside(&first, &path, &[]),
            post_alongside(&second, &path, &[])
        );
        assert_eq!(location(&a), path);
        assert_eq!(location(&b), path);
        // A confirmation posted again later (a reload of the post) changes nothing either.
        let again = post(&mut first, &path, &[]).await;
        assert_eq!(location(&again), path);
        assert_eq!(charges(&app), [(carrier, 1000)], "{backend}");
        assert_eq!(app.upstream_requests(Endpoint::AddFunds), 1, "{backend}");
    }
}

#[tokio::test]
async fn a_lost_answer_is_an_unknown_outcome_never_charged_again() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        let carrier = verified(&mut app).await;
        let path = choose(&mut app, &[("amount", "100")]).await;
        // The simulator charges the card, then closes the connection unanswered.
        app.simulator
            .simulator
            .inject_fault(Endpoint::AddFunds, Fault::DropAnswer, 1);

        let page = confirm(&mut app, &path).await;
        assert!(
            page.contains(
                "We could not confirm whether your card was charged. Do not add postage again \
                 until you have checked your balance."
            ),
            "{backend}: {page}"
        );
        let id = path.rsplit('/').next().unwrap();
        assert!(
            page.contains(&format!("<code>{id}</code>")),
            "{backend}: the reference"
        );
        assert_eq!(
            charges(&app),
            [(carrier.clone(), 10000)],
            "{backend}: charged once"
        );

        // The merchant (or the browser) retries: no second call, the same message.
        let page = confirm(&mut app, &path).await;
        assert!(page.contains("We could not confirm whether your card was charged"));
        assert_eq!(
            app.upstream_requests(Endpoint::AddFunds),
            1,
            "{backend}: never retried"
        );
        assert_eq!(charges(&app).len(), 1, "{backend}");
    }
}

#[tokio::test]
async fn a_declined_card_and_funding_not_enabled_are_refusals_that_charge_nothing() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        let carrier = verified(&mut app).await;
        let simulator = &app.simulator.simulator;
        simulator.set_funding(
            &carrier,
            FundingChange {
                card_declined: Some(true),
                ..Default::default()
            },
        );
        let path = choose(&mut app, &[("amount", "25")]).await;
        let page = confirm(&mut app, &path).await;
        assert!(page.contains("The card was declined"), "{backend}: {page}");
        assert!(page.contains("Update the card on your Stamps.com account"));

        app.simulator.simulator.set_funding(
            &carrier,
            FundingChange {
                enabled: Some(false),
                card_declined: Some(false),
            },
        );
        let path = choose(&mut app, &[("amount", "25")]).await;
        let page = confirm(&mut app, &path).await;
        assert!(
            page.contains("Adding postage is not set up for this account"),
            "{backend}"
        );
        assert!(page.contains("Please contact your platform"), "{backend}");

        assert!(charges(&app).is_empty(), "{backend}");
        assert_eq!(app.upstream_requests(Endpoint::AddFunds), 2, "{backend}");
    }
}

/// Confirms every request at `paths` at once: how many were charged, and the 429s' waits.
async fn confirm_all_at_once(browsers: &[(&Browser, String)]) -> (usize, Vec<u64>) {
    let confirms: Vec<_> = browsers
        .iter()
        .map(|(browser, path)| tokio::spawn(post_alongside(browser, path, &[])))
        .collect();
    let (mut through, mut waits) = (0, Vec::new());
    for confirm in confirms {
        let response = confirm.await.unwrap();
        match response.status() {
            StatusCode::SEE_OTHER => through += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let wait: u64 = response.headers()[header::RETRY_AFTER]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                let page = text(response).await;
                assert!(
                    page.contains("Too many attempts. Please try again in"),
                    "{page}"
                );
                assert!(
                    page.contains("Confirm and add postage"),
                    "still the confirmation"
                );
                waits.push(wait);
            }
            other => panic!("unexpected {other}"),
        }
    }
    (through, waits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_limit_per_session_holds_under_parallel_confirmations() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let vars = [("FUNDING_LIMIT_PER_SESSION", "2")];
        let mut app = start_on(database, &vars).await;
        verified(&mut app).await;
        let mut paths = Vec::new();
        for _ in 0..6 {
            paths.push(choose(&mut app, &[("amount", "10")]).await);
        }
        let browser = app.same_browser();
        let all: Vec<_> = paths.iter().map(|path| (&browser, path.clone())).collect();
        let (through, waits) = confirm_all_at_once(&all).await;
        assert_eq!(through, 2, "{backend}");
        assert_eq!(charges(&app).len(), 2, "{backend}");
        // Room again when the first confirmation leaves the day's window.
        assert!(
            waits.iter().all(|&w| w > 86_000 && w <= 86_400),
            "{backend}: {waits:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_limit_per_carrier_holds_across_browsers_under_parallel_confirmations() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let operator = operator_vars();
        let mut vars: Vec<(&str, &str)> = operator.iter().map(|(n, v)| (*n, v.as_str())).collect();
        vars.push(("FUNDING_LIMIT_PER_CARRIER_PER_DAY", "3"));
        let app = start_on(database, &vars).await;
        // The merchant's account, opened on the desktop and then followed on the phone.
        let mut desktop = new_browser(&app);
        let url = minted_url(&app, json!({"merchant_ref": "shop-7"})).await;
        open_link(&mut desktop, &url).await;
        let carrier = verified(&mut desktop).await;
        let mut phone = new_browser(&app);
        let url = minted_url(&app, json!({"merchant_ref": "shop-7"})).await;
        open_link(&mut phone, &url).await;
        let Screen::Done(done) = screen_in(&phone.page().await) else {
            panic!("the phone follows the account")
        };
        assert_eq!(done.carrier_id, carrier);

        let mut requests = Vec::new();
        for _ in 0..3 {
            requests.push((0, choose(&mut desktop, &[("amount", "10")]).await));
            requests.push((1, choose(&mut phone, &[("amount", "10")]).await));
        }
        let browsers = [&desktop, &phone];
        let all: Vec<_> = requests
            .iter()
            .map(|(which, path)| (browsers[*which], path.clone()))
            .collect();
        let (through, waits) = confirm_all_at_once(&all).await;
        assert_eq!(through, 3, "{backend}");
        assert_eq!(waits.len(), 3, "{backend}");
        assert_eq!(charges(&app).len(), 3, "{backend}");
    }
}

#[tokio::test]
async fn with_funding_off_nothing_offers_or_adds_postage() {
    let mut app = start_on(TestDatabase::sqlite(), &[("FUNDING", "off")]).await;
    verified(&mut app).await;
    let page = app.page().await;
    let Screen::Done(done) = screen_in(&page) else {
        panic!("done")
    };
    assert!(!done.add_postage);
    assert!(!page.contains("/account/postage"), "no link");

    let (status, page) = get(&mut app, "/account/postage").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Adding postage is not available"), "{page}");
    let response = post(&mut app, "/account/postage", &[("amount", "25")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = post(&mut app, "/account/postage/0123456789abcdef", &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.upstream_requests(Endpoint::AddFunds), 0);
}

#[tokio::test]
async fn a_request_is_its_browsers_alone() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        verified(&mut app).await;
        let path = choose(&mut app, &[("amount", "25")]).await;

        // Another merchant's browser, with an account of its own.
        let mut other = new_browser(&app);
        other.peer = ([192, 0, 2, 7], 50000).into();
        verified(&mut other).await;
        let (status, page) = get(&mut other, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend}");
        assert!(!page.contains("$25.00"), "{backend}");
        let response = post(&mut other, &path, &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{backend}");

        // A browser without an account is sent to the flow.
        let mut stranger = new_browser(&app);
        let response = stranger
            .send(
                Request::get(path.as_str())
                    .header(header::HOST, "localhost")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(location(&response), "/", "{backend}");
        let response = post(&mut stranger, &path, &[]).await;
        assert_eq!(location(&response), "/", "{backend}");

        // Another site's page cannot confirm it for the merchant.
        let mut forged = form_post(&path, &[]);
        forged
            .headers_mut()
            .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        forged
            .headers_mut()
            .insert("sec-fetch-site", "cross-site".parse().unwrap());
        let response = app.send(forged).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{backend}");

        assert!(charges(&app).is_empty(), "{backend}");
        // Its own browser still can.
        let page = confirm(&mut app, &path).await;
        assert!(page.contains("Postage added"), "{backend}");
    }
}

#[tokio::test]
async fn the_pages_are_never_cached_and_speak_spanish() {
    let mut app = start_on(TestDatabase::sqlite(), &[]).await;
    verified(&mut app).await;
    let request = Request::get("/account/postage")
        .header(header::HOST, "localhost")
        .header(header::ACCEPT_LANGUAGE, "es-US")
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let page = text(response).await;
    assert!(page.contains(r#"<html lang="es""#), "{page}");
    assert!(page.contains("Agregar franqueo") && page.contains("Otro monto"));
}

#[tokio::test]
async fn a_request_over_a_maximum_lowered_since_is_not_charged() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        verified(&mut app).await;
        let path = choose(&mut app, &[("amount", "other"), ("other_amount", "400")]).await;
        // The operator lowers the maximum and restarts; the merchant confirms the old page.
        app.restart_with(&[("FUNDING_MAX_USD", "100")]).await;
        let response = post(&mut app, &path, &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{backend}");
        assert!(charges(&app).is_empty(), "{backend}");
        assert_eq!(app.upstream_requests(Endpoint::AddFunds), 0, "{backend}");
    }
}
