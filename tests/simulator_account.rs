//! The simulator's calls around the account over real HTTP: connect an existing Stamps.com
//! account, a carrier, add funds, account links, address validation, and their control calls:
//! `cargo test --features ssr --test simulator_account`.
#![cfg(feature = "ssr")]

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use stamps_connect::simulator::{
    DEMO_STAMPS_PASSWORD, DEMO_STAMPS_USERNAME, Endpoint, Fault, LOCKED_STAMPS_USERNAME,
    REDACTED_PASSWORD, RunningSimulator, Simulator, SimulatorConfig, spawn,
};

const KEY: &str = "live_key";
const SANDBOX_KEY: &str = "TEST_sandbox_key";
const CONNECT: &str = "/v1/connections/carriers/stamps_com";
const CARRIERS: &str = "/v1/carriers";
const VALIDATE: &str = "/v1/addresses/validate";

fn carrier_path(carrier_id: &str) -> String {
    format!("{CARRIERS}/{carrier_id}")
}

fn add_funds_path(carrier_id: &str) -> String {
    format!("{CARRIERS}/{carrier_id}/add_funds")
}

fn account_url_path(carrier_id: &str) -> String {
    format!("{CONNECT}/{carrier_id}/request_account_url")
}

fn demo_login(nickname: &str) -> Value {
    json!({"nickname": nickname, "username": DEMO_STAMPS_USERNAME, "password": DEMO_STAMPS_PASSWORD})
}

fn usd(amount: f64) -> Value {
    json!({"currency": "usd", "amount": amount})
}

/// The flow's test address, as a merchant might type it.
fn marathon(line1: &str, city: &str, postal_code: &str) -> Value {
    json!({"address_line1": line1, "city_locality": city, "state_province": "TX",
           "postal_code": postal_code, "country_code": "US"})
}

struct Harness {
    running: RunningSimulator,
    client: Client,
}

async fn start() -> Harness {
    start_with(SimulatorConfig::default()).await
}

async fn start_with(config: SimulatorConfig) -> Harness {
    let config = SimulatorConfig {
        api_keys: vec![KEY.into(), SANDBOX_KEY.into()],
        ..config
    };
    let running = spawn(Simulator::new(config), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator binds");
    Harness {
        running,
        client: Client::new(),
    }
}

impl Harness {
    fn simulator(&self) -> &Simulator {
        &self.running.simulator
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> reqwest::Result<Response> {
        let url = format!("{}{path}", self.running.base_url);
        let mut request = self.client.request(method, url);
        if let Some(key) = key {
            request = request.header("API-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await
    }

    /// `(status, body)` of a call with the right key.
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let answer = self
            .send(method, path, Some(KEY), body)
            .await
            .expect("answer");
        let status = answer.status();
        assert!(
            answer.headers().contains_key("x-shipengine-requestid"),
            "{path}"
        );
        (status, answer.json().await.expect("JSON"))
    }

    async fn control(&self, method: Method, path: &str, body: &Value) -> StatusCode {
        let answer = self
            .send(method, &format!("/__simulator{path}"), None, Some(body))
            .await
            .expect("answer");
        answer.status()
    }

    async fn connect(&self, nickname: &str) -> String {
        let (status, body) = self
            .call(Method::POST, CONNECT, Some(&demo_login(nickname)))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["carrier_id"].as_str().expect("carrier_id").to_owned()
    }

    fn calls_to(&self, endpoint: Endpoint) -> usize {
        let requests = self.simulator().requests();
        requests
            .iter()
            .filter(|request| request.endpoint == Some(endpoint))
            .count()
    }
}

/// `(error_source, error_type, error_code, field_name)` of each error in an envelope.
fn errors(envelope: &Value) -> Vec<(String, String, String, String)> {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    envelope["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| {
            (
                text(&error["error_source"]),
                text(&error["error_type"]),
                text(&error["error_code"]),
                text(&error["field_name"]),
            )
        })
        .collect()
}

fn error(source: &str, kind: &str, code: &str, field: &str) -> (String, String, String, String) {
    (source.into(), kind.into(), code.into(), field.into())
}

// --- Connecting an existing Stamps.com account -------------------------------------------------

#[tokio::test]
async fn the_demo_login_connects_and_the_carrier_is_listed() {
    let harness = start().await;
    let carrier_id = harness.connect("My shop").await;
    assert!(carrier_id.starts_with("se-"));
    let (_, listed) = harness.call(Method::GET, CARRIERS, None).await;
    assert_eq!(listed["carriers"][0]["carrier_id"], carrier_id.as_str());
    assert_eq!(listed["carriers"][0]["carrier_code"], "stamps_com");
    assert_eq!(listed["carriers"][0]["nickname"], "My shop");
    assert_eq!(
        harness.simulator().registrations(),
        0,
        "connected, not opened"
    );
}

#[tokio::test]
async fn wrong_locked_and_already_connected_logins_are_refused_each_its_own_way() {
    let harness = start().await;
    harness.connect("First").await;
    let wrong_password =
        json!({"nickname": "x", "username": DEMO_STAMPS_USERNAME, "password": "guess"});
    let unknown_user =
        json!({"nickname": "x", "username": "nobody", "password": DEMO_STAMPS_PASSWORD});
    let locked = json!({"nickname": "x", "username": LOCKED_STAMPS_USERNAME, "password": DEMO_STAMPS_PASSWORD});
    let wrong = error("carrier", "security", "unauthorized", "");
    for (body, expected) in [
        (wrong_password, wrong.clone()),
        (unknown_user, wrong),
        (locked, error("carrier", "account_status", "forbidden", "")),
        (
            demo_login("Again"),
            error("shipengine", "business_rules", "carrier_conflict", ""),
        ),
    ] {
        let (status, envelope) = harness.call(Method::POST, CONNECT, Some(&body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(errors(&envelope), [expected], "{body}");
    }
    let (_, listed) = harness.call(Method::GET, CARRIERS, None).await;
    assert_eq!(listed["carriers"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_login_added_through_the_control_api_connects() {
    let harness = start().await;
    let login = json!({"username": "shop-42", "password": "hunter2-long"});
    assert_eq!(
        harness
            .control(Method::POST, "/stamps_logins", &login)
            .await,
        StatusCode::NO_CONTENT
    );
    let body = json!({"nickname": "Shop 42", "username": "shop-42", "password": "hunter2-long"});
    let (status, _) = harness.call(Method::POST, CONNECT, Some(&body)).await;
    assert_eq!(status, StatusCode::OK);
    let locked = json!({"username": "shop-43", "password": "pw", "locked": true});
    harness
        .control(Method::POST, "/stamps_logins", &locked)
        .await;
    let body = json!({"nickname": "Shop 43", "username": "shop-43", "password": "pw"});
    let (status, envelope) = harness.call(Method::POST, CONNECT, Some(&body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(envelope["errors"][0]["error_code"], "forbidden");
    let bad = json!({"username": "x"});
    assert_eq!(
        harness.control(Method::POST, "/stamps_logins", &bad).await,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn connecting_needs_the_key_and_every_field() {
    let harness = start().await;
    let unauthorized = harness
        .send(Method::POST, CONNECT, None, Some(&demo_login("Shop")))
        .await
        .expect("answer");
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);

    let body = json!({"nickname": "Shop", "password": "", "pin": "1234"});
    let (status, envelope) = harness.call(Method::POST, CONNECT, Some(&body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        errors(&envelope),
        [
            error(
                "shipengine",
                "validation",
                "field_value_required",
                "username"
            ),
            error(
                "shipengine",
                "validation",
                "field_value_required",
                "password"
            ),
            error("shipengine", "validation", "invalid_field_value", "pin"),
        ]
    );
}

#[tokio::test]
async fn a_sandbox_key_cannot_connect_when_so_configured() {
    let harness = start_with(SimulatorConfig {
        reject_sandbox_registration: true,
        ..SimulatorConfig::default()
    })
    .await;
    let refused = harness
        .send(
            Method::POST,
            CONNECT,
            Some(SANDBOX_KEY),
            Some(&demo_login("Shop")),
        )
        .await
        .expect("answer");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let envelope: Value = refused.json().await.expect("JSON");
    assert_eq!(
        errors(&envelope),
        [error("shipengine", "business_rules", "forbidden", "")]
    );
    harness.connect("Shop").await;
}

#[tokio::test]
async fn the_password_never_reaches_the_record() {
    let harness = start().await;
    harness.connect("Shop").await;
    let wrong =
        json!({"nickname": "x", "username": DEMO_STAMPS_USERNAME, "password": "my-secret-guess"});
    harness.call(Method::POST, CONNECT, Some(&wrong)).await;
    let not_json = harness
        .client
        .post(format!("{}{CONNECT}", harness.running.base_url))
        .header("API-Key", KEY)
        .body(format!("password={DEMO_STAMPS_PASSWORD}"))
        .send()
        .await
        .expect("answer");
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);

    let over_http = harness
        .send(Method::GET, "/__simulator/requests", None, None)
        .await
        .expect("answer")
        .text()
        .await
        .expect("text");
    let in_process = format!("{:?}", harness.simulator().requests());
    for record in [over_http, in_process] {
        assert!(!record.contains(DEMO_STAMPS_PASSWORD), "{record}");
        assert!(!record.contains("my-secret-guess"), "{record}");
    }
    let requests = harness.simulator().requests();
    assert_eq!(requests[0].body["password"], REDACTED_PASSWORD);
    assert_eq!(requests[0].body["username"], DEMO_STAMPS_USERNAME);
}

#[tokio::test]
async fn connecting_plays_its_faults() {
    let harness = start().await;
    let fault = json!({"endpoint": "connect_stamps_com", "fault": {"kind": "unavailable"}});
    harness.control(Method::POST, "/faults", &fault).await;
    let (status, _) = harness
        .call(Method::POST, CONNECT, Some(&demo_login("Shop")))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    harness
        .simulator()
        .inject_fault(Endpoint::ConnectStampsCom, Fault::DropAnswer, 1);
    let lost = harness
        .send(Method::POST, CONNECT, Some(KEY), Some(&demo_login("Lost")))
        .await;
    assert!(lost.is_err(), "no answer");
    let (_, listed) = harness.call(Method::GET, CARRIERS, None).await;
    assert_eq!(
        listed["carriers"][0]["nickname"], "Lost",
        "connected all the same"
    );
    assert_eq!(harness.calls_to(Endpoint::ConnectStampsCom), 2);
}

// --- A carrier ------------------------------------------------------------------------------

#[tokio::test]
async fn a_carrier_has_the_documented_shape_and_an_unknown_one_is_404() {
    let harness = start().await;
    let carrier_id = harness.connect("My shop").await;
    let (status, carrier) = harness
        .call(Method::GET, &carrier_path(&carrier_id), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(carrier["carrier_id"], carrier_id.as_str());
    assert_eq!(carrier["carrier_code"], "stamps_com");
    assert_eq!(carrier["nickname"], "My shop");
    assert_eq!(carrier["friendly_name"], "Stamps.com");
    assert_eq!(carrier["balance"], 0.0);
    assert_eq!(carrier["requires_funded_amount"], true);
    assert!(carrier["account_number"].is_string());
    assert!(carrier["primary"].is_boolean());

    let (status, envelope) = harness.call(Method::GET, &carrier_path("se-1"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        errors(&envelope),
        [error("shipengine", "validation", "not_found", "")]
    );
    let unauthorized = harness
        .send(Method::GET, &carrier_path(&carrier_id), Some("bad"), None)
        .await
        .expect("answer");
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);

    harness
        .simulator()
        .inject_fault(Endpoint::GetCarrier, Fault::InternalError, 1);
    let (status, _) = harness
        .call(Method::GET, &carrier_path(&carrier_id), None)
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

// --- Adding funds ------------------------------------------------------------------------------

#[tokio::test]
async fn funds_grow_the_balance_and_each_charge_is_kept() {
    let harness = start().await;
    let carrier_id = harness.connect("Shop").await;
    let (status, body) = harness
        .call(Method::PUT, &add_funds_path(&carrier_id), Some(&usd(25.0)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"balance": {"currency": "usd", "amount": 25.0}})
    );
    let (_, body) = harness
        .call(Method::PUT, &add_funds_path(&carrier_id), Some(&usd(17.17)))
        .await;
    assert_eq!(body["balance"]["amount"], 42.17);
    let (_, carrier) = harness
        .call(Method::GET, &carrier_path(&carrier_id), None)
        .await;
    assert_eq!(carrier["balance"], 42.17);

    let charges: Value = harness
        .send(Method::GET, "/__simulator/charges", None, None)
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        charges,
        json!([
            {"carrier_id": carrier_id, "amount_cents": 2500},
            {"carrier_id": carrier_id, "amount_cents": 1717},
        ])
    );
}

#[tokio::test]
async fn funds_are_usd_from_ten_dollars_to_the_ceiling() {
    let harness = start().await;
    let carrier_id = harness.connect("Shop").await;
    let path = add_funds_path(&carrier_id);
    for (body, field, code) in [
        (usd(9.99), "amount", "invalid_field_value"),
        (usd(5000.01), "amount", "invalid_field_value"),
        (usd(12.345), "amount", "invalid_field_value"),
        (
            json!({"currency": "eur", "amount": 25}),
            "currency",
            "invalid_field_value",
        ),
        (json!({"currency": "usd"}), "amount", "field_value_required"),
    ] {
        let (status, envelope) = harness.call(Method::PUT, &path, Some(&body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            errors(&envelope),
            [error("shipengine", "validation", code, field)],
            "{body}"
        );
    }
    let (status, _) = harness
        .call(Method::PUT, &add_funds_path("se-1"), Some(&usd(25.0)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(harness.simulator().charges().is_empty());
}

#[tokio::test]
async fn a_declined_card_and_funding_not_enabled_charge_nothing() {
    let harness = start().await;
    let carrier_id = harness.connect("Shop").await;
    let funding = format!("/carriers/{carrier_id}/funding");
    let path = add_funds_path(&carrier_id);

    let declined = json!({"card_declined": true});
    assert_eq!(
        harness.control(Method::PATCH, &funding, &declined).await,
        StatusCode::NO_CONTENT
    );
    let (status, envelope) = harness.call(Method::PUT, &path, Some(&usd(25.0))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        errors(&envelope),
        [error(
            "carrier",
            "business_rules",
            "funding_source_error",
            ""
        )]
    );

    let disabled = json!({"enabled": false, "card_declined": false});
    harness.control(Method::PATCH, &funding, &disabled).await;
    let (status, envelope) = harness.call(Method::PUT, &path, Some(&usd(25.0))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        errors(&envelope),
        [error(
            "shipengine",
            "business_rules",
            "funding_source_missing_configuration",
            ""
        )]
    );
    assert!(harness.simulator().charges().is_empty());
    let (_, carrier) = harness
        .call(Method::GET, &carrier_path(&carrier_id), None)
        .await;
    assert_eq!(carrier["balance"], 0.0);

    let unknown = harness
        .control(Method::PATCH, "/carriers/se-1/funding", &disabled)
        .await;
    assert_eq!(unknown, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn adding_funds_plays_its_faults_and_counts_a_lost_answer_as_charged() {
    let harness = start().await;
    let carrier_id = harness.connect("Shop").await;
    let path = add_funds_path(&carrier_id);
    let fault = json!({"endpoint": "add_funds", "fault": {"kind": "internal_error"}});
    harness.control(Method::POST, "/faults", &fault).await;
    let (status, _) = harness.call(Method::PUT, &path, Some(&usd(25.0))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(harness.simulator().charges().is_empty());

    harness
        .simulator()
        .inject_fault(Endpoint::AddFunds, Fault::DropAnswer, 1);
    let lost = harness
        .send(Method::PUT, &path, Some(KEY), Some(&usd(25.0)))
        .await;
    assert!(lost.is_err());
    assert_eq!(harness.simulator().charges().len(), 1);
}

#[tokio::test]
async fn every_new_call_counts_against_the_rate_limit() {
    let harness = start_with(SimulatorConfig {
        rate_limit_per_minute: 2,
        ..SimulatorConfig::default()
    })
    .await;
    let carrier_id = harness.simulator().add_carrier("stamps_com", "Shop");
    harness
        .call(Method::GET, &carrier_path(&carrier_id), None)
        .await;
    harness
        .call(Method::PUT, &add_funds_path(&carrier_id), Some(&usd(25.0)))
        .await;
    let limited = harness
        .send(Method::POST, VALIDATE, Some(KEY), Some(&json!([])))
        .await
        .expect("answer");
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
}

// --- Links into the Stamps.com account ----------------------------------------------------------

#[tokio::test]
async fn account_links_come_one_per_type_on_the_fake_stamps_host() {
    let harness = start().await;
    let carrier_id = harness.connect("Shop").await;
    let body = json!({"url_types": ["account_settings", "report_balances", "manifest_form", "payment_methods"]});
    let (status, answer) = harness
        .call(Method::PUT, &account_url_path(&carrier_id), Some(&body))
        .await;
    assert_eq!(status, StatusCode::OK);
    let urls = answer["urls"].as_array().expect("urls");
    assert_eq!(urls.len(), 4);
    for (url, kind) in urls
        .iter()
        .zip(body["url_types"].as_array().expect("types"))
    {
        assert_eq!(&url["url_type"], kind);
        let link = url["url"].as_str().expect("url");
        assert!(
            link.starts_with("https://account.stamps-simulator.test/"),
            "{link}"
        );
    }

    let bad = json!({"url_types": ["account_settings", "home_page"]});
    let (status, envelope) = harness
        .call(Method::PUT, &account_url_path(&carrier_id), Some(&bad))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        errors(&envelope),
        [error(
            "shipengine",
            "validation",
            "invalid_field_value",
            "url_types[1]"
        )]
    );

    let ups = harness.simulator().add_carrier("ups", "Other");
    for carrier_id in ["se-1", ups.as_str()] {
        let (status, _) = harness
            .call(Method::PUT, &account_url_path(carrier_id), Some(&body))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{carrier_id}");
    }

    harness
        .simulator()
        .inject_fault(Endpoint::RequestAccountUrl, Fault::RateLimited, 1);
    let (status, _) = harness
        .call(Method::PUT, &account_url_path(&carrier_id), Some(&body))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

// --- Address validation ------------------------------------------------------------------------

#[tokio::test]
async fn addresses_get_each_their_status() {
    let harness = start().await;
    let body = json!([
        marathon("4009 MARATHON BLVD", "AUSTIN", "78756-3915"),
        marathon("4009 marathon boulevard", "austin", "78756"),
        marathon("4009 Marathon Blvd", "Austn", "78756"),
        marathon("4009 Marathon Blvd UNDELIVERABLE", "Austin", "78756"),
        marathon("4009 Marathon Blvd", "Austin", "00000"),
    ]);
    let (status, results) = harness.call(Method::POST, VALIDATE, Some(&body)).await;
    assert_eq!(status, StatusCode::OK);
    let statuses: Vec<&str> = results
        .as_array()
        .expect("array")
        .iter()
        .map(|result| result["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        statuses,
        ["verified", "verified", "warning", "error", "unverified"]
    );

    let known = &results[0];
    assert_eq!(
        known["matched_address"]["address_line1"],
        "4009 MARATHON BLVD"
    );
    assert_eq!(known["messages"], json!([]));
    let corrected = &results[1]["matched_address"];
    assert_eq!(corrected["address_line1"], "4009 MARATHON BLVD");
    assert_eq!(corrected["city_locality"], "AUSTIN");
    assert_eq!(corrected["postal_code"], "78756-3915");
    assert_eq!(
        results[1]["original_address"]["address_line1"],
        "4009 marathon boulevard"
    );
    assert_eq!(
        results[2]["messages"][0]["detail_code"],
        "city_locality_changed_or_added"
    );
    for failed in [&results[3], &results[4]] {
        assert_eq!(failed["matched_address"], Value::Null);
        let message = &failed["messages"][0];
        assert_eq!(message["type"], "error");
        for field in ["code", "message", "detail_code"] {
            assert!(message[field].is_string(), "{field}");
        }
    }
}

#[tokio::test]
async fn addresses_are_checked_field_by_field() {
    let harness = start().await;
    let body = json!([
        marathon("4009 Marathon Blvd", "Austin", "78756"),
        {"address_line1": "1 Main St", "state_province": "TX", "country_code": "US"},
    ]);
    let (status, envelope) = harness.call(Method::POST, VALIDATE, Some(&body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        errors(&envelope),
        [error(
            "shipengine",
            "validation",
            "field_value_required",
            "[1].city_locality"
        )]
    );
    let (status, _) = harness
        .call(Method::POST, VALIDATE, Some(&json!({"address_line1": "x"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let unauthorized = harness
        .send(Method::POST, VALIDATE, None, Some(&body))
        .await
        .expect("answer");
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_plan_without_address_validation_is_refused_until_allowed_again() {
    let harness = start().await;
    let body = json!([marathon("4009 Marathon Blvd", "Austin", "78756")]);
    let plan = |allowed: bool| json!({ "allowed": allowed });
    assert_eq!(
        harness
            .control(Method::PUT, "/address_validation", &plan(false))
            .await,
        StatusCode::NO_CONTENT
    );
    let (status, envelope) = harness.call(Method::POST, VALIDATE, Some(&body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        errors(&envelope),
        [error(
            "shipengine",
            "account_status",
            "invalid_billing_plan",
            ""
        )]
    );
    harness
        .control(Method::PUT, "/address_validation", &plan(true))
        .await;
    let (status, _) = harness.call(Method::POST, VALIDATE, Some(&body)).await;
    assert_eq!(status, StatusCode::OK);

    let off = start_with(SimulatorConfig {
        address_validation_allowed: false,
        ..SimulatorConfig::default()
    })
    .await;
    let (status, _) = off.call(Method::POST, VALIDATE, Some(&body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn address_validation_plays_its_faults() {
    let harness = start().await;
    let fault = json!({"endpoint": "validate_addresses", "fault": {"kind": "malformed_body"}});
    harness.control(Method::POST, "/faults", &fault).await;
    let answer = harness
        .send(
            Method::POST,
            VALIDATE,
            Some(KEY),
            Some(&json!([marathon("4009 Marathon Blvd", "Austin", "78756")])),
        )
        .await
        .expect("answer");
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.json::<Value>().await.is_err());
    assert_eq!(harness.calls_to(Endpoint::ValidateAddresses), 1);
}
