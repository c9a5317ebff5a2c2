//! The balance on the done screen (`GET /v1/carriers/{carrier_id}` → `balance`): shown beside
//! the nickname, "not available right now" when ShipEngine fails or is slow (the page still
//! renders), and there for a merchant who comes back through an operator link. On SQLite and
//! PostgreSQL.

mod support;

use std::time::{Duration, Instant};

use leptos::config::LeptosOptions;
use serde_json::json;
use stamps_connect::postage::Money;
use stamps_connect::screen::Screen;
use stamps_connect::simulator::{Endpoint, Fault};
use support::databases::TestDatabase;
use support::operator::{minted_url, open_link, operator_vars};
use support::{API_KEY, Browser, TestApp, registration_form, screen_in};

async fn start_on(database: TestDatabase, vars: &[(&str, &str)]) -> TestApp {
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    TestApp::start_on(database, vars, options).await
}

/// Registers, sends a code and checks it: the done screen the check answered.
async fn finish_flow(browser: &mut Browser) -> Screen {
    let Screen::Verify(_) = browser.call("register", &registration_form()).await else {
        panic!("the code step")
    };
    browser.call("send_code", &[("phone", "5121112222")]).await;
    browser.call("verify_code", &[("code", "123456")]).await
}

/// Adds `dollars` to the carrier's balance straight at the simulator, as another app would.
async fn fund_upstream(app: &TestApp, carrier_id: &str, dollars: f64) {
    let response = reqwest::Client::new()
        .put(format!(
            "{}/v1/carriers/{carrier_id}/add_funds",
            app.simulator.base_url
        ))
        .header("API-Key", API_KEY)
        .json(&json!({"currency": "usd", "amount": dollars}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

#[tokio::test]
async fn the_done_screen_shows_the_balance_beside_the_nickname() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        let Screen::Done(done) = finish_flow(&mut app).await else {
            panic!("done")
        };
        assert_eq!(
            done.balance,
            Some(Money::usd_cents(0)),
            "{backend}: the check's answer"
        );
        assert!(done.add_postage, "{backend}");

        fund_upstream(&app, &done.carrier_id, 42.17).await;
        let page = app.page().await;
        let Screen::Done(done) = screen_in(&page) else {
            panic!("done")
        };
        assert_eq!(done.balance, Some(Money::usd_cents(4217)), "{backend}");
        for shown in [
            "Postage balance",
            "$42.17",
            "My Stamps.com account",
            "Add postage",
        ] {
            assert!(page.contains(shown), "{backend}: {shown}");
        }
        assert!(page.contains(r#"href="/account/postage""#), "{backend}");
    }
}

#[tokio::test]
async fn a_failing_or_slow_carrier_call_says_not_available_and_the_page_renders() {
    let mut app = start_on(TestDatabase::sqlite(), &[("UPSTREAM_TIMEOUT_SECS", "10")]).await;
    let Screen::Done(_) = finish_flow(&mut app).await else {
        panic!("done")
    };
    let simulator = app.simulator.simulator.clone();
    simulator.inject_fault(Endpoint::GetCarrier, Fault::InternalError, 1);
    let page = app.page().await;
    let Screen::Done(done) = screen_in(&page) else {
        panic!("still the done screen")
    };
    assert_eq!(done.balance, None);
    assert!(page.contains("Not available right now"), "{page}");
    assert!(page.contains("Your Stamps.com account is ready"));

    // Slower than the page waits (3 s), well within the client's own timeout.
    simulator.inject_fault(Endpoint::GetCarrier, Fault::Delay { millis: 6000 }, 1);
    let started = Instant::now();
    let page = app.page().await;
    assert!(
        started.elapsed() < Duration::from_millis(4500),
        "{:?}",
        started.elapsed()
    );
    let Screen::Done(done) = screen_in(&page) else {
        panic!("still the done screen")
    };
    assert_eq!(done.balance, None);

    // And the answer of the code check itself, with the carrier call failing.
    let mut other = Browser {
        cookie: None,
        ..app.same_browser()
    };
    simulator.inject_fault(Endpoint::GetCarrier, Fault::Unavailable, 1);
    let Screen::Done(done) = finish_flow(&mut other).await else {
        panic!("done")
    };
    assert_eq!(done.balance, None);
}

#[tokio::test]
async fn an_operator_link_for_a_verified_merchant_lands_on_the_done_screen_with_the_balance() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let operator = operator_vars();
        let vars: Vec<(&str, &str)> = operator.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let app = start_on(database, &vars).await;
        let mut first = Browser {
            cookie: None,
            ..app.same_browser()
        };
        let url = minted_url(&app, json!({"merchant_ref": "shop-42"})).await;
        open_link(&mut first, &url).await;
        let Screen::Done(done) = finish_flow(&mut first).await else {
            panic!("done")
        };
        fund_upstream(&app, &done.carrier_id, 25.0).await;

        // Days later, on another device, through a new link.
        let mut later = Browser {
            cookie: None,
            ..app.same_browser()
        };
        let url = minted_url(&app, json!({"merchant_ref": "shop-42"})).await;
        open_link(&mut later, &url).await;
        let page = later.page().await;
        let Screen::Done(shown) = screen_in(&page) else {
            panic!("{backend}: the done screen, not an empty form")
        };
        assert_eq!(shown.carrier_id, done.carrier_id, "{backend}");
        assert_eq!(shown.balance, Some(Money::usd_cents(2500)), "{backend}");
        assert!(page.contains("$25.00"), "{backend}");
        assert_eq!(app.upstream_registrations(), 1, "{backend}");
    }
}
