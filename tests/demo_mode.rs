//! Demo mode (no API key): the embedded simulator keeps a card as its brand and last four only,
//! since a demo can be shown a real card. (That it listens on loopback only unless
//! `DEMO_PUBLIC`: `tests/startup.rs` and the configuration's unit tests.)

mod served;
mod support;

use leptos::config::LeptosOptions;
use served::{Browser, Served};
use stamps_connect::server::{AppState, Config};
use stamps_connect::simulator::{Endpoint, RecordedRequest};
use support::{idempotency_key_in, registration_form};

const CARD_DIGITS: &str = "4111111111111111";

#[tokio::test]
async fn the_demo_simulator_records_a_card_as_its_brand_and_last_four() {
    let folder = tempfile::tempdir().unwrap();
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        folder.path().join("demo.db").display()
    );
    let config = Config::from_vars(|name| match name {
        "DATABASE_URL" => Some(database_url.clone()),
        _ => None,
    })
    .expect("demo mode on the default loopback address");
    assert!(config.api_key.is_none());
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    let state = AppState::start(&config, options).await.expect("starts");
    assert!(state.demo_code.is_some(), "demo mode");

    let served = Served::start(&state).await;
    let mut browser = Browser::new(&served);
    let key = idempotency_key_in(&browser.page().await);
    let mut form = registration_form();
    form.push(("idempotency_key", &key));
    let registered = browser.post("register", &form).await.unwrap();
    assert_eq!(registered.status(), reqwest::StatusCode::OK);

    // The embedded simulator's record, as its control endpoint gives it.
    let record_url = format!("{}/__simulator/requests", state.shipengine.base_url());
    let records: Vec<RecordedRequest> = reqwest::get(record_url)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let register = records
        .iter()
        .find(|record| record.endpoint == Some(Endpoint::Register))
        .expect("the registration reached the simulator");
    let card = &register.body["credit_card"];
    assert_eq!(card["type"], "visa");
    assert_eq!(card["number"], "************1111");
    let everything = serde_json::to_string(&records).unwrap();
    assert!(!everything.contains(CARD_DIGITS), "{everything}");
    assert!(!everything.contains("4111 1111"), "{everything}");
}
