//! The simulator's list of carriers, the carriers tests add to it, and the `drop_answer` fault,
//! over real HTTP: `cargo test --features ssr --test simulator_carriers`.
#![cfg(feature = "ssr")]

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use stamps_connect::simulator::{
    Endpoint, Fault, RunningSimulator, Simulator, SimulatorConfig, spawn,
};

const KEY: &str = "live_key";
const REGISTER: &str = "/v1/registration/stamps_com";
const CARRIERS: &str = "/v1/carriers";

/// ShipEngine's guide example, with `nickname` as given.
fn registration(nickname: &str) -> Value {
    json!({
        "nickname": nickname,
        "email": "john.doe@example.com",
        "agree_to_carrier_terms": true,
        "address": {
            "name": "John Doe", "phone": "111-111-1111", "address_line1": "4009 Marathon Blvd",
            "city_locality": "Austin", "state_province": "TX", "postal_code": "78756",
            "country_code": "US", "address_residential_indicator": "no"
        },
        "credit_card": {
            "name": "my credit card", "number": "4111111111111111", "type": "Visa",
            "expiration_year": "2035", "expiration_month": "07"
        }
    })
}

struct Harness {
    running: RunningSimulator,
    client: Client,
}

async fn start() -> Harness {
    let config = SimulatorConfig {
        api_keys: vec![KEY.into()],
        ..SimulatorConfig::default()
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

    async fn try_call(
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

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        self.try_call(method, path, Some(KEY), body)
            .await
            .expect("simulator answers")
    }

    async fn register(&self, nickname: &str) -> String {
        let answer = self
            .call(Method::POST, REGISTER, Some(&registration(nickname)))
            .await;
        assert_eq!(answer.status(), StatusCode::OK);
        let body: Value = answer.json().await.expect("JSON");
        body["carrier_id"].as_str().expect("carrier_id").to_owned()
    }

    /// The carriers `GET /v1/carriers` lists, as `(carrier_id, carrier_code, nickname)`.
    async fn listed(&self) -> Vec<(String, String, String)> {
        let answer = self.call(Method::GET, CARRIERS, None).await;
        assert_eq!(answer.status(), StatusCode::OK);
        let body: Value = answer.json().await.expect("JSON");
        let text = |value: &Value| value.as_str().expect("a string").to_owned();
        body["carriers"]
            .as_array()
            .expect("carriers")
            .iter()
            .map(|carrier| {
                (
                    text(&carrier["carrier_id"]),
                    text(&carrier["carrier_code"]),
                    text(&carrier["nickname"]),
                )
            })
            .collect()
    }

    async fn control(&self, path: &str, body: &Value) -> Response {
        self.try_call(
            Method::POST,
            &format!("/__simulator{path}"),
            None,
            Some(body),
        )
        .await
        .expect("simulator answers")
    }
}

fn stamps(carrier_id: &str, nickname: &str) -> (String, String, String) {
    (carrier_id.into(), "stamps_com".into(), nickname.into())
}

#[tokio::test]
async fn each_account_opened_is_listed_as_a_stamps_com_carrier_with_its_nickname() {
    let harness = start().await;
    assert_eq!(harness.listed().await, []);
    let first = harness.register("First shop").await;
    let second = harness.register("Second shop").await;
    assert_eq!(
        harness.listed().await,
        [stamps(&first, "First shop"), stamps(&second, "Second shop")]
    );
}

#[tokio::test]
async fn the_list_has_the_documented_shape_and_request_id() {
    let harness = start().await;
    let carrier_id = harness.register("My Stamps.com account").await;
    let answer = harness.call(Method::GET, CARRIERS, None).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let header_id = answer.headers()["x-shipengine-requestid"]
        .to_str()
        .expect("text")
        .to_owned();
    let body: Value = answer.json().await.expect("JSON");
    assert_eq!(body["request_id"], header_id.as_str());
    assert_eq!(body["errors"], json!([]));
    let carrier = &body["carriers"][0];
    assert_eq!(carrier["carrier_id"], carrier_id.as_str());
    assert_eq!(carrier["carrier_code"], "stamps_com");
    assert_eq!(carrier["nickname"], "My Stamps.com account");
    assert!(carrier["balance"].is_number());
    for array in ["services", "packages", "options"] {
        assert!(carrier[array].is_array(), "{array}");
    }
    for flag in [
        "requires_funded_amount",
        "primary",
        "has_multi_package_supporting_services",
        "supports_label_messages",
        "disabled_by_billing_plan",
    ] {
        assert!(carrier[flag].is_boolean(), "{flag}");
    }
}

#[tokio::test]
async fn the_list_needs_the_key_and_plays_its_faults() {
    let harness = start().await;
    let unauthorized = harness
        .try_call(Method::GET, CARRIERS, None, None)
        .await
        .expect("answer");
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    let envelope: Value = unauthorized.json().await.expect("JSON");
    assert_eq!(envelope["errors"][0]["error_code"], "unauthorized");

    harness
        .simulator()
        .inject_fault(Endpoint::ListCarriers, Fault::Unavailable, 1);
    let unavailable = harness.call(Method::GET, CARRIERS, None).await;
    assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
    let recorded = harness.simulator().requests();
    let listed = recorded
        .iter()
        .filter(|r| r.endpoint == Some(Endpoint::ListCarriers))
        .count();
    assert_eq!(listed, 2, "recorded like any API call");

    let over_http = json!({"endpoint": "list_carriers", "fault": {"kind": "internal_error"}});
    assert_eq!(
        harness.control("/faults", &over_http).await.status(),
        StatusCode::NO_CONTENT
    );
    let failed = harness.call(Method::GET, CARRIERS, None).await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(harness.listed().await, []);
}

#[tokio::test]
async fn drop_answer_opens_the_account_then_closes_the_connection_unanswered() {
    let harness = start().await;
    let fault = json!({"endpoint": "register", "fault": {"kind": "drop_answer"}});
    assert_eq!(
        harness.control("/faults", &fault).await.status(),
        StatusCode::NO_CONTENT
    );

    let lost = harness
        .try_call(
            Method::POST,
            REGISTER,
            Some(KEY),
            Some(&registration("Lost answer")),
        )
        .await;
    let error = lost.expect_err("no answer at all");
    assert!(error.status().is_none() && !error.is_timeout(), "{error:?}");

    assert_eq!(harness.simulator().registrations(), 1, "the account exists");
    let listed = harness.listed().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].1, "stamps_com");
    assert_eq!(listed[0].2, "Lost answer");
    // The fault was played once: the next registration is answered.
    harness.register("Answered").await;
    assert_eq!(harness.simulator().registrations(), 2);
}

#[tokio::test]
async fn tests_can_add_carriers_that_no_registration_opened() {
    let harness = start().await;
    let opened = harness.register("Mine").await;
    let added = harness
        .control("/carriers", &json!({"nickname": "Mine"}))
        .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.expect("JSON");
    let added = added["carrier_id"].as_str().expect("carrier_id").to_owned();
    let other = harness.simulator().add_carrier("ups", "Mine");

    assert_eq!(
        harness.listed().await,
        [
            stamps(&opened, "Mine"),
            stamps(&added, "Mine"),
            (other, "ups".into(), "Mine".into()),
        ]
    );
    assert_eq!(
        harness.simulator().registrations(),
        1,
        "only the register call counts as opened"
    );

    for bad in [json!({}), json!({"nickname": "x", "color": "red"})] {
        let refused = harness.control("/carriers", &bad).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}
