//! The ShipEngine simulator over real HTTP: `cargo test --features ssr --test simulator`.
#![cfg(feature = "ssr")]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::{Client, Method, Response, StatusCode, header};
use serde_json::{Value, json};
use stamps_connect::simulator::{
    Endpoint, Fault, RecordedRequest, RunningSimulator, Simulator, SimulatorConfig, spawn,
};

const KEY: &str = "live_key";
const CODE: &str = "123456";
const REGISTER: &str = "/v1/registration/stamps_com";

fn send_code_path(carrier_id: &str) -> String {
    format!("/v1/connections/carriers/stamps_com/{carrier_id}/verification")
}

fn verify_path(carrier_id: &str, verification_id: &str) -> String {
    format!("{}/{verification_id}", send_code_path(carrier_id))
}

/// The example body of ShipEngine's guide, `"type": "Visa"` included.
fn guide_body() -> Value {
    json!({
        "nickname": "My Stamps.com account",
        "email": "john.doe@example.com",
        "agree_to_carrier_terms": true,
        "address": {
            "name": "John Doe",
            "phone": "111-111-1111",
            "company_name": "Example Corp.",
            "address_line1": "4009 Marathon Blvd",
            "address_line2": "Suite 300",
            "city_locality": "Austin",
            "state_province": "TX",
            "postal_code": "78756",
            "country_code": "US",
            "address_residential_indicator": "no"
        },
        "credit_card": {
            "name": "my credit card",
            "number": "4111111111111111",
            "type": "Visa",
            "expiration_year": "2025",
            "expiration_month": "07"
        }
    })
}

fn sms_body() -> Value {
    json!({"phone": "5121112222", "verification_type": "sms"})
}

struct Harness {
    running: RunningSimulator,
    client: Client,
}

async fn start() -> Harness {
    start_with(SimulatorConfig::default()).await
}

async fn start_with(config: SimulatorConfig) -> Harness {
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let running = spawn(Simulator::new(config), addr)
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

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url)
    }

    async fn try_call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> reqwest::Result<Response> {
        let mut request = self.client.request(method, self.url(path));
        if let Some(key) = key {
            request = request.header("API-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        self.try_call(method, path, key, body)
            .await
            .expect("simulator answers")
    }

    async fn register(&self, body: &Value) -> Response {
        self.call(Method::POST, REGISTER, Some(KEY), Some(body))
            .await
    }

    async fn send_code(&self, carrier_id: &str, body: &Value) -> Response {
        self.call(
            Method::POST,
            &send_code_path(carrier_id),
            Some(KEY),
            Some(body),
        )
        .await
    }

    async fn verify(&self, carrier_id: &str, verification_id: &str, code: &str) -> Response {
        let body = json!({ "verification_code": code });
        self.call(
            Method::PUT,
            &verify_path(carrier_id, verification_id),
            Some(KEY),
            Some(&body),
        )
        .await
    }

    async fn new_carrier(&self) -> String {
        let body = success(self.register(&guide_body()).await).await;
        body["carrier_id"].as_str().expect("carrier_id").to_owned()
    }

    async fn new_verification(&self, carrier_id: &str) -> String {
        let body = success(self.send_code(carrier_id, &sms_body()).await).await;
        body["verification_id"]
            .as_str()
            .expect("verification_id")
            .to_owned()
    }

    async fn control(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        self.call(method, &format!("/__simulator{path}"), None, body)
            .await
    }
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value == "application/json")
}

/// A 200 JSON answer's body.
async fn success(response: Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    assert!(is_json(&response));
    response.json().await.expect("JSON body")
}

fn is_uuid_v4(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|group| group.bytes().all(|b| b.is_ascii_hexdigit()))
        && groups[2].starts_with('4')
}

/// Checks the envelope of an error answer and returns its body.
async fn failure(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert!(is_json(&response));
    let header_id = response.headers().get("x-shipengine-requestid").cloned();
    let body: Value = response.json().await.expect("JSON error envelope");
    let request_id = body["request_id"].as_str().expect("request_id");
    assert!(is_uuid_v4(request_id), "{request_id}");
    assert_eq!(
        header_id.as_ref().and_then(|id| id.to_str().ok()),
        Some(request_id)
    );
    let errors = body["errors"].as_array().expect("errors array");
    assert!(!errors.is_empty());
    for error in errors {
        assert_eq!(error["error_source"], "shipengine");
        for field in ["error_type", "error_code", "message"] {
            assert!(error[field].is_string(), "{field} in {error}");
        }
    }
    body
}

/// `(error_code, field_name)` of each error; `""` when there is no field.
fn problems(body: &Value) -> Vec<(String, String)> {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|error| (text(&error["error_code"]), text(&error["field_name"])))
        .collect()
}

fn problem(code: &str, field: &str) -> (String, String) {
    (code.to_owned(), field.to_owned())
}

fn first_error(body: &Value) -> (&str, &str) {
    let error = &body["errors"][0];
    (
        error["error_type"].as_str().unwrap_or_default(),
        error["error_code"].as_str().unwrap_or_default(),
    )
}

fn retry_after(response: &Response) -> u64 {
    let value = response
        .headers()
        .get(header::RETRY_AFTER)
        .expect("Retry-After header");
    value
        .to_str()
        .ok()
        .and_then(|secs| secs.parse().ok())
        .expect("integer seconds")
}

// --- The three calls -----------------------------------------------------------------------

#[tokio::test]
async fn the_guide_example_registers_a_carrier() {
    let harness = start().await;
    let body = success(harness.register(&guide_body()).await).await;
    let carrier_id = body["carrier_id"].as_str().expect("carrier_id");
    let digits = carrier_id.strip_prefix("se-").expect("se- prefix");
    assert!(
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        "{carrier_id}"
    );
    assert!(carrier_id.len() <= 25);
    assert_eq!(body.as_object().map(|o| o.len()), Some(1));
}

#[tokio::test]
async fn the_full_flow_verifies_the_phone() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;

    let sent = success(harness.send_code(&carrier_id, &sms_body()).await).await;
    assert_eq!(sent["phone"], "5121112222");
    assert_eq!(sent["verification_method"], "sms");
    assert_eq!(sent["status"], "unverified");
    let verification_id = sent["verification_id"].as_str().expect("verification_id");
    let encoded = verification_id.strip_prefix("vfn_").expect("vfn_ prefix");
    assert_eq!(encoded.len(), 22);
    assert!(
        encoded
            .chars()
            .all(|c| c.is_ascii_alphanumeric() && !"0OIl".contains(c))
    );

    let verified = success(harness.verify(&carrier_id, verification_id, CODE).await).await;
    assert_eq!(
        verified,
        json!({"phone": "5121112222", "verification_id": verification_id,
               "verification_method": "sms", "status": "verified"})
    );
}

#[tokio::test]
async fn the_verification_code_is_configurable() {
    let harness = start_with(SimulatorConfig {
        verification_code: "654321".into(),
        ..SimulatorConfig::default()
    })
    .await;
    let carrier_id = harness.new_carrier().await;
    let verification_id = harness.new_verification(&carrier_id).await;
    let wrong = harness.verify(&carrier_id, &verification_id, CODE).await;
    failure(wrong, StatusCode::BAD_REQUEST).await;
    success(
        harness
            .verify(&carrier_id, &verification_id, "654321")
            .await,
    )
    .await;
}

#[tokio::test]
async fn a_configured_latency_delays_every_answer() {
    let latency = std::time::Duration::from_millis(300);
    let harness = start_with(SimulatorConfig {
        latency,
        ..SimulatorConfig::default()
    })
    .await;
    let started = std::time::Instant::now();
    success(harness.register(&guide_body()).await).await;
    assert!(started.elapsed() >= latency, "{:?}", started.elapsed());
}

#[tokio::test]
async fn duplicate_registrations_create_new_carriers() {
    let harness = start().await;
    let first = harness.new_carrier().await;
    let second = harness.new_carrier().await;
    assert_ne!(first, second);
}

// --- API key -------------------------------------------------------------------------------

#[tokio::test]
async fn a_missing_key_is_unauthorized() {
    let harness = start().await;
    let response = harness
        .call(Method::POST, REGISTER, None, Some(&guide_body()))
        .await;
    let body = failure(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(first_error(&body), ("security", "unauthorized"));
    let blank = harness
        .call(Method::POST, REGISTER, Some("  "), Some(&guide_body()))
        .await;
    failure(blank, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn only_configured_keys_are_accepted() {
    let harness = start_with(SimulatorConfig {
        api_keys: vec![KEY.into()],
        ..SimulatorConfig::default()
    })
    .await;
    let unknown = harness
        .call(Method::POST, REGISTER, Some("other"), Some(&guide_body()))
        .await;
    let body = failure(unknown, StatusCode::UNAUTHORIZED).await;
    assert_eq!(first_error(&body), ("security", "unauthorized"));
    success(harness.register(&guide_body()).await).await;
}

/// reqwest lower-cases header names, so the other spellings go over a raw socket.
#[tokio::test]
async fn the_key_header_name_is_case_insensitive() {
    let harness = start_with(SimulatorConfig {
        api_keys: vec![KEY.into()],
        ..SimulatorConfig::default()
    })
    .await;
    success(harness.register(&guide_body()).await).await;
    let addr = harness
        .running
        .base_url
        .trim_start_matches("http://")
        .to_owned();
    for name in ["API-KEY", "Api-Key", "aPi-kEy"] {
        let status_line = raw_post(&addr, REGISTER, name, &guide_body().to_string()).await;
        assert_eq!(status_line, "HTTP/1.1 200 OK", "{name}");
    }
}

/// Sends one request with an exactly spelled key header; returns the status line.
async fn raw_post(addr: &str, path: &str, key_header: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{key_header}: {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let addr = addr.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.write_all(request.as_bytes()).expect("write");
        let mut response = String::new();
        // A dropped connection may also surface as a reset: either way, no response.
        let _ = stream.read_to_string(&mut response);
        response.lines().next().unwrap_or_default().to_owned()
    })
    .await
    .expect("raw request")
}

// --- Registration validation ---------------------------------------------------------------

#[tokio::test]
async fn an_empty_body_is_request_body_required() {
    let harness = start().await;
    let response = harness
        .client
        .post(harness.url(REGISTER))
        .header("API-Key", KEY)
        .send()
        .await
        .expect("answer");
    let body = failure(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(first_error(&body), ("validation", "request_body_required"));
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let harness = start().await;
    let response = harness
        .client
        .post(harness.url(REGISTER))
        .header("API-Key", KEY)
        .header(header::CONTENT_TYPE, "application/json")
        .body(r#"{"nickname": "#)
        .send()
        .await
        .expect("answer");
    let body = failure(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(first_error(&body), ("validation", "invalid_field_value"));
}

#[tokio::test]
async fn missing_fields_are_all_reported_with_dotted_names() {
    let harness = start().await;
    let mut body = guide_body();
    body["address"]
        .as_object_mut()
        .map(|address| address.remove("phone"));
    body["credit_card"]["number"] = json!("");
    body.as_object_mut().map(|top| top.remove("nickname"));
    let reply = failure(harness.register(&body).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        problems(&reply),
        vec![
            problem("field_value_required", "nickname"),
            problem("field_value_required", "address.phone"),
            problem("field_value_required", "credit_card.number"),
        ]
    );
    assert_eq!(first_error(&reply).0, "validation");
}

#[tokio::test]
async fn bad_enums_email_and_country_code_are_invalid_field_values() {
    let harness = start().await;
    let mut body = guide_body();
    body["email"] = json!("john.doe");
    body["address"]["country_code"] = json!("USA");
    body["address"]["address_residential_indicator"] = json!("maybe");
    body["credit_card"]["type"] = json!("diners_club");
    let reply = failure(harness.register(&body).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        problems(&reply),
        vec![
            problem("invalid_field_value", "email"),
            problem("invalid_field_value", "address.country_code"),
            problem(
                "invalid_field_value",
                "address.address_residential_indicator"
            ),
            problem("invalid_field_value", "credit_card.type"),
        ]
    );
}

#[tokio::test]
async fn card_types_are_accepted_in_either_spelling() {
    let harness = start().await;
    for card_type in [
        "visa",
        "Visa",
        "master_card",
        "MasterCard",
        "american_express",
        "DISCOVER",
    ] {
        let mut body = guide_body();
        body["credit_card"]["type"] = json!(card_type);
        assert_eq!(
            harness.register(&body).await.status(),
            StatusCode::OK,
            "{card_type}"
        );
    }
}

#[tokio::test]
async fn optional_fields_may_be_left_out() {
    let harness = start().await;
    let mut body = guide_body();
    for name in [
        "company_name",
        "address_line2",
        "address_residential_indicator",
    ] {
        body["address"]
            .as_object_mut()
            .map(|address| address.remove(name));
    }
    success(harness.register(&body).await).await;
    for indicator in ["yes", "No", "unknown"] {
        body["address"]["address_residential_indicator"] = json!(indicator);
        success(harness.register(&body).await).await;
    }
}

#[tokio::test]
async fn terms_not_accepted_is_its_own_error() {
    let harness = start().await;
    let mut refused = guide_body();
    refused["agree_to_carrier_terms"] = json!(false);
    let mut missing = guide_body();
    missing
        .as_object_mut()
        .map(|top| top.remove("agree_to_carrier_terms"));
    for body in [refused, missing] {
        let reply = failure(harness.register(&body).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            problems(&reply),
            vec![problem("terms_not_accepted", "agree_to_carrier_terms")]
        );
    }
}

#[tokio::test]
async fn unknown_fields_are_invalid() {
    let harness = start().await;
    let mut body = guide_body();
    body["coupon"] = json!("FREE");
    body["credit_card"]["security_code"] = json!("123");
    let reply = failure(harness.register(&body).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        problems(&reply),
        vec![
            problem("invalid_field_value", "coupon"),
            problem("invalid_field_value", "credit_card.security_code"),
        ]
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let harness = start().await;
    let mut body = guide_body();
    body["nickname"] = json!("x".repeat(100_000));
    let reply = failure(harness.register(&body).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(first_error(&reply), ("validation", "invalid_field_value"));
}

#[tokio::test]
async fn sandbox_registration_can_be_refused() {
    let harness = start_with(SimulatorConfig {
        reject_sandbox_registration: true,
        ..SimulatorConfig::default()
    })
    .await;
    let sandbox = harness
        .call(
            Method::POST,
            REGISTER,
            Some("TEST_abc"),
            Some(&guide_body()),
        )
        .await;
    let reply = failure(sandbox, StatusCode::BAD_REQUEST).await;
    assert_eq!(first_error(&reply), ("business_rules", "forbidden"));
    success(harness.register(&guide_body()).await).await;
}

// --- Verification --------------------------------------------------------------------------

#[tokio::test]
async fn code_requests_need_a_ten_digit_phone_and_sms() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    let cases = [
        (
            json!({"phone": "512-111-2222", "verification_type": "sms"}),
            "invalid_field_value",
            "phone",
        ),
        (
            json!({"phone": "512111222", "verification_type": "sms"}),
            "invalid_field_value",
            "phone",
        ),
        (
            json!({"verification_type": "sms"}),
            "field_value_required",
            "phone",
        ),
        (
            json!({"phone": "5121112222", "verification_type": "voice"}),
            "invalid_field_value",
            "verification_type",
        ),
    ];
    for (body, code, field) in cases {
        let reply = failure(
            harness.send_code(&carrier_id, &body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(problems(&reply), vec![problem(code, field)], "{body}");
    }
}

#[tokio::test]
async fn code_requests_for_an_unknown_carrier_are_not_found() {
    let harness = start().await;
    let reply = failure(
        harness.send_code("se-1", &sms_body()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(problems(&reply), vec![problem("not_found", "")]);
}

#[tokio::test]
async fn unknown_carrier_or_verification_is_not_found() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    let verification_id = harness.new_verification(&carrier_id).await;
    let other_carrier = harness.new_carrier().await;
    for (carrier, verification) in [
        ("se-1", verification_id.as_str()),
        (carrier_id.as_str(), "vfn_unknown"),
        (other_carrier.as_str(), verification_id.as_str()),
    ] {
        let reply = failure(
            harness.verify(carrier, verification, CODE).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(problems(&reply), vec![problem("not_found", "")]);
    }
}

#[tokio::test]
async fn a_new_code_request_supersedes_the_previous_one() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    let old = harness.new_verification(&carrier_id).await;
    let new = harness.new_verification(&carrier_id).await;
    assert_ne!(old, new);
    failure(
        harness.verify(&carrier_id, &old, CODE).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    success(harness.verify(&carrier_id, &new, CODE).await).await;
}

#[tokio::test]
async fn a_wrong_code_fails_and_the_right_one_then_works() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    let verification_id = harness.new_verification(&carrier_id).await;
    let wrong = harness
        .verify(&carrier_id, &verification_id, "000000")
        .await;
    let reply = failure(wrong, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        problems(&reply),
        vec![problem("verification_failure", "verification_code")]
    );
    assert_eq!(first_error(&reply).0, "validation");
    let verified = success(harness.verify(&carrier_id, &verification_id, CODE).await).await;
    assert_eq!(verified["status"], "verified");
}

#[tokio::test]
async fn five_wrong_codes_lock_the_verification() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    let verification_id = harness.new_verification(&carrier_id).await;
    for _ in 0..5 {
        let wrong = harness
            .verify(&carrier_id, &verification_id, "000000")
            .await;
        failure(wrong, StatusCode::BAD_REQUEST).await;
    }
    let locked = harness.verify(&carrier_id, &verification_id, CODE).await;
    let reply = failure(locked, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        problems(&reply),
        vec![problem("verification_failure", "verification_code")]
    );

    let fresh = harness.new_verification(&carrier_id).await;
    success(harness.verify(&carrier_id, &fresh, CODE).await).await;
}

#[tokio::test]
async fn verifying_again_with_the_right_code_is_idempotent() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    let verification_id = harness.new_verification(&carrier_id).await;
    let first = success(harness.verify(&carrier_id, &verification_id, CODE).await).await;
    let again = success(harness.verify(&carrier_id, &verification_id, CODE).await).await;
    assert_eq!(first, again);
    assert_eq!(again["status"], "verified");
}

#[tokio::test]
async fn a_code_submission_needs_a_code() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    let verification_id = harness.new_verification(&carrier_id).await;
    let path = verify_path(&carrier_id, &verification_id);
    let response = harness
        .call(Method::PUT, &path, Some(KEY), Some(&json!({})))
        .await;
    let reply = failure(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        problems(&reply),
        vec![problem("field_value_required", "verification_code")]
    );
}

// --- Routing -------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_paths_and_methods_are_not_found() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    let cases = [
        (Method::GET, "/v1/shipments".to_owned()),
        (Method::DELETE, "/v1/carriers".to_owned()),
        (Method::POST, "/v1/registration/ups".to_owned()),
        (Method::GET, REGISTER.to_owned()),
        (Method::PUT, send_code_path(&carrier_id)),
        (Method::DELETE, verify_path(&carrier_id, "vfn_x")),
    ];
    for (method, path) in cases {
        let response = harness
            .call(method.clone(), &path, Some(KEY), Some(&sms_body()))
            .await;
        let reply = failure(response, StatusCode::NOT_FOUND).await;
        assert_eq!(
            problems(&reply),
            vec![problem("not_found", "")],
            "{method} {path}"
        );
    }
}

// --- Rate limit ----------------------------------------------------------------------------

#[tokio::test]
async fn each_key_is_rate_limited_with_retry_after() {
    let harness = start_with(SimulatorConfig {
        rate_limit_per_minute: 3,
        ..SimulatorConfig::default()
    })
    .await;
    for _ in 0..3 {
        success(harness.register(&guide_body()).await).await;
    }
    let limited = harness.register(&guide_body()).await;
    let wait = retry_after(&limited);
    assert!((1..=60).contains(&wait), "{wait}");
    let reply = failure(limited, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(first_error(&reply), ("system", "rate_limit_exceeded"));

    let other = harness
        .call(Method::POST, REGISTER, Some("other"), Some(&guide_body()))
        .await;
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn sandbox_keys_get_twenty_requests_a_minute() {
    let harness = start().await;
    for _ in 0..20 {
        let response = harness
            .call(Method::POST, REGISTER, Some("TEST_k"), Some(&guide_body()))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let limited = harness
        .call(Method::POST, REGISTER, Some("TEST_k"), Some(&guide_body()))
        .await;
    failure(limited, StatusCode::TOO_MANY_REQUESTS).await;
}

// --- Faults --------------------------------------------------------------------------------

#[tokio::test]
async fn internal_error_and_unavailable_faults_answer_system_errors() {
    let harness = start().await;
    harness
        .simulator()
        .inject_fault(Endpoint::Register, Fault::InternalError, 1);
    harness
        .simulator()
        .inject_fault(Endpoint::Register, Fault::Unavailable, 2);
    let reply = failure(
        harness.register(&guide_body()).await,
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
    assert_eq!(first_error(&reply), ("system", "unspecified"));
    for _ in 0..2 {
        let reply = failure(
            harness.register(&guide_body()).await,
            StatusCode::SERVICE_UNAVAILABLE,
        )
        .await;
        assert_eq!(first_error(&reply), ("system", "unspecified"));
    }
    success(harness.register(&guide_body()).await).await;
}

#[tokio::test]
async fn a_refused_fault_answers_shipengines_400_envelope_and_opens_nothing() {
    let harness = start().await;
    harness
        .simulator()
        .inject_fault(Endpoint::Register, Fault::Refused, 1);
    let reply = failure(
        harness.register(&guide_body()).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(first_error(&reply), ("business_rules", "unspecified"));
    assert_eq!(harness.simulator().registrations(), 0);
    success(harness.register(&guide_body()).await).await;
}

#[tokio::test]
async fn a_rate_limited_fault_answers_429_with_retry_after() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    harness
        .simulator()
        .inject_fault(Endpoint::SendCode, Fault::RateLimited, 1);
    let limited = harness.send_code(&carrier_id, &sms_body()).await;
    assert_eq!(retry_after(&limited), 1);
    let reply = failure(limited, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(first_error(&reply), ("system", "rate_limit_exceeded"));
    success(harness.send_code(&carrier_id, &sms_body()).await).await;
}

#[tokio::test]
async fn a_delay_fault_delays_then_answers_normally() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    let verification_id = harness.new_verification(&carrier_id).await;
    harness
        .simulator()
        .inject_fault(Endpoint::VerifyCode, Fault::Delay { millis: 300 }, 1);
    let started = Instant::now();
    let verified = success(harness.verify(&carrier_id, &verification_id, CODE).await).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(verified["status"], "verified");
}

#[tokio::test]
async fn a_delay_beyond_the_client_timeout_times_the_client_out() {
    let harness = start().await;
    harness
        .simulator()
        .inject_fault(Endpoint::Register, Fault::Delay { millis: 2_000 }, 1);
    let client = Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let outcome = client
        .post(harness.url(REGISTER))
        .header("API-Key", KEY)
        .json(&guide_body())
        .send()
        .await;
    assert!(outcome.is_err_and(|error| error.is_timeout()));
}

#[tokio::test]
async fn a_malformed_body_fault_answers_200_with_non_json() {
    let harness = start().await;
    harness
        .simulator()
        .inject_fault(Endpoint::Register, Fault::MalformedBody, 1);
    let response = harness.register(&guide_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(is_json(&response));
    let text = response.text().await.expect("body");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn a_drop_connection_fault_closes_without_any_response() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    harness
        .simulator()
        .inject_fault(Endpoint::SendCode, Fault::DropConnection, 1);
    let outcome = harness
        .try_call(
            Method::POST,
            &send_code_path(&carrier_id),
            Some(KEY),
            Some(&sms_body()),
        )
        .await;
    let error = outcome.expect_err("no response at all");
    assert!(error.status().is_none() && !error.is_timeout(), "{error:?}");
    // The next request, on a fresh connection, is served normally.
    success(harness.send_code(&carrier_id, &sms_body()).await).await;
}

#[tokio::test]
async fn a_raw_socket_sees_no_byte_when_the_connection_is_dropped() {
    let harness = start().await;
    harness
        .simulator()
        .inject_fault(Endpoint::Register, Fault::DropConnection, 1);
    let addr = harness
        .running
        .base_url
        .trim_start_matches("http://")
        .to_owned();
    let status_line = raw_post(&addr, REGISTER, "API-Key", &guide_body().to_string()).await;
    assert_eq!(status_line, "");
}

#[tokio::test]
async fn faults_apply_only_to_their_endpoint_and_can_be_cleared() {
    let harness = start().await;
    harness
        .simulator()
        .inject_fault(Endpoint::SendCode, Fault::Unavailable, 5);
    let carrier_id = harness.new_carrier().await;
    failure(
        harness.send_code(&carrier_id, &sms_body()).await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    harness.simulator().clear_faults();
    success(harness.send_code(&carrier_id, &sms_body()).await).await;
}

// --- Envelope ------------------------------------------------------------------------------

#[tokio::test]
async fn each_error_has_its_own_request_id_in_header_and_body() {
    let harness = start().await;
    let first = failure(
        harness.call(Method::POST, REGISTER, None, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let second = failure(
        harness.call(Method::POST, REGISTER, None, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_ne!(first["request_id"], second["request_id"]);
}

#[tokio::test]
async fn every_answer_is_json() {
    let harness = start().await;
    assert!(is_json(&harness.register(&guide_body()).await));
    assert!(is_json(
        &harness.call(Method::GET, "/nothing", None, None).await
    ));
    assert!(is_json(
        &harness.control(Method::GET, "/health", None).await
    ));
    assert!(is_json(
        &harness.control(Method::DELETE, "/faults", None).await
    ));
}

// --- Record and control endpoints ----------------------------------------------------------

#[tokio::test]
async fn every_api_request_is_recorded_faulted_and_refused_ones_included() {
    let harness = start().await;
    let carrier_id = harness.new_carrier().await;
    harness
        .simulator()
        .inject_fault(Endpoint::SendCode, Fault::InternalError, 1);
    harness.send_code(&carrier_id, &sms_body()).await;
    harness
        .call(
            Method::POST,
            REGISTER,
            None,
            Some(&json!({"nickname": "x"})),
        )
        .await;
    harness
        .client
        .put(harness.url(&verify_path(&carrier_id, "vfn_x")))
        .header("API-Key", KEY)
        .body("not json")
        .send()
        .await
        .expect("answer");
    harness
        .call(Method::GET, "/v1/unknown", Some(KEY), None)
        .await;
    harness.control(Method::GET, "/health", None).await;

    let records = harness.simulator().requests();
    let endpoints: Vec<_> = records.iter().map(|record| record.endpoint).collect();
    assert_eq!(
        endpoints,
        vec![
            Some(Endpoint::Register),
            Some(Endpoint::SendCode),
            Some(Endpoint::Register),
            Some(Endpoint::VerifyCode),
            None,
        ]
    );
    assert_eq!(records[0].method, "POST");
    assert_eq!(records[0].path, REGISTER);
    assert_eq!(records[0].api_key.as_deref(), Some(KEY));
    assert_eq!(records[0].body, guide_body());
    assert!(
        records[0]
            .headers
            .contains(&("content-type".into(), "application/json".into()))
    );
    assert_eq!(records[1].path, send_code_path(&carrier_id));
    assert_eq!(records[1].body, sms_body());
    assert_eq!(records[2].api_key, None);
    assert_eq!(records[3].method, "PUT");
    assert_eq!(records[3].body, Value::Null);
    assert_eq!(records[3].raw_body, "not json");
    assert_eq!(records[4].path, "/v1/unknown");
    let registrations = records
        .iter()
        .filter(|r| r.endpoint == Some(Endpoint::Register))
        .count();
    assert_eq!(registrations, 2);
}

#[tokio::test]
async fn the_record_is_readable_and_clearable_over_http() {
    let harness = start().await;
    harness.new_carrier().await;
    let listed = harness.control(Method::GET, "/requests", None).await;
    assert_eq!(listed.status(), StatusCode::OK);
    let listed: Vec<RecordedRequest> = listed.json().await.expect("records");
    assert_eq!(listed, harness.simulator().requests());
    assert_eq!(listed.len(), 1);

    let cleared = harness.control(Method::DELETE, "/requests", None).await;
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert!(harness.simulator().requests().is_empty());
    let listed: Value = harness
        .control(Method::GET, "/requests", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn faults_can_be_injected_and_cleared_over_http() {
    let harness = start().await;
    let inject = json!({"endpoint": "register", "fault": {"kind": "unavailable"}, "times": 1});
    let injected = harness
        .control(Method::POST, "/faults", Some(&inject))
        .await;
    assert_eq!(injected.status(), StatusCode::NO_CONTENT);
    failure(
        harness.register(&guide_body()).await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    success(harness.register(&guide_body()).await).await;

    let delay = json!({"endpoint": "register", "fault": {"kind": "delay", "millis": 5000}});
    harness.control(Method::POST, "/faults", Some(&delay)).await;
    let cleared = harness.control(Method::DELETE, "/faults", None).await;
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    let started = Instant::now();
    success(harness.register(&guide_body()).await).await;
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_bad_fault_injection_is_refused() {
    let harness = start().await;
    for body in [
        json!({"endpoint": "register", "fault": {"kind": "explode"}}),
        json!({"endpoint": "labels", "fault": {"kind": "unavailable"}}),
        json!({"fault": {"kind": "unavailable"}}),
    ] {
        let response = harness.control(Method::POST, "/faults", Some(&body)).await;
        let reply = failure(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            first_error(&reply),
            ("validation", "invalid_field_value"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn health_answers_ok() {
    let harness = start().await;
    let health = success(harness.control(Method::GET, "/health", None).await).await;
    assert_eq!(health, json!({"status": "ok"}));
}

// --- Lifecycle -----------------------------------------------------------------------------

#[tokio::test]
async fn shutdown_stops_the_server() {
    let harness = start().await;
    let url = harness.url("/__simulator/health");
    harness.running.shutdown().await.expect("clean shutdown");
    assert!(Client::new().get(url).send().await.is_err());
}

/// The simulator command, killed if a test fails before stopping it.
struct Command(std::process::Child);

impl Drop for Command {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_command_announces_its_address_and_stops_on_sigterm() {
    use std::io::BufRead;
    use std::process::Stdio;

    let mut command = Command(
        std::process::Command::new(env!("CARGO_BIN_EXE_shipengine-simulator"))
            .args(["--port", "0", "--api-key", KEY])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("simulator command starts"),
    );
    let stdout = command.0.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map(|_| line)
    })
    .await
    .expect("reader")
    .expect("announcement");
    let base_url = line
        .trim()
        .strip_prefix("shipengine-simulator listening on ")
        .expect("announcement format")
        .to_owned();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");

    let client = Client::new();
    let health = client
        .get(format!("{base_url}/__simulator/health"))
        .send()
        .await;
    assert_eq!(health.map(|r| r.status()).ok(), Some(StatusCode::OK));
    let refused = client
        .post(format!("{base_url}{REGISTER}"))
        .header("API-Key", "other");
    let refused = refused.json(&guide_body()).send().await;
    assert_eq!(
        refused.map(|r| r.status()).ok(),
        Some(StatusCode::UNAUTHORIZED)
    );

    let pid = command.0.id().to_string();
    let terminated = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    assert!(terminated.is_ok_and(|status| status.success()));
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        match command.0.try_wait().expect("child status") {
            Some(exit) => break exit,
            None if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            None => panic!("the simulator did not stop on SIGTERM"),
        }
    };
    assert!(exit.success(), "{exit}");
}
