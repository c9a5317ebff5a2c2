//! The client against real HTTP servers on ephemeral ports: what goes on the wire, and how each
//! kind of failure is classified.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Response, Uri};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::*;

const KEY: &str = "4WrQpShzaZvpRixBxwSLoYdXaGeU+LCpVsQjaKBFloU";

/// A request as the stub server received it.
#[derive(Debug)]
struct Received {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Value,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// A canned answer: status, headers, body.
#[derive(Clone)]
struct Canned {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
    delay: Duration,
}

impl Canned {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    fn to_response(&self) -> Response<Body> {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::from(self.body.clone())).unwrap()
    }
}

/// Serves `canned` to every request on a fresh port and records what arrives.
async fn stub(canned: Canned) -> (String, Log) {
    let log = Log::default();
    let recorder = Arc::clone(&log);
    let router = Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| async move {
            let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let path = uri.path().to_owned();
            recorder.lock().unwrap().push(Received {
                method,
                path,
                headers,
                body,
            });
            tokio::time::sleep(canned.delay).await;
            canned.to_response()
        },
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}"), log)
}

fn client(base_url: &str) -> ShipEngineClient {
    ShipEngineClient::new(ClientConfig::new(
        base_url,
        ApiKey::new(KEY.into()).unwrap(),
    ))
    .unwrap()
}

fn carrier_id() -> CarrierId {
    CarrierId::parse("se-123890").unwrap()
}

fn header<'a>(received: &'a Received, name: &str) -> &'a str {
    received.headers.get(name).unwrap().to_str().unwrap()
}

fn only(log: &Log) -> Received {
    let mut received = log.lock().unwrap();
    assert_eq!(received.len(), 1, "{received:?}");
    received.pop().unwrap()
}

fn registration() -> RegisterRequest {
    RegisterRequest {
        nickname: "My Stamps.com account".into(),
        email: "john.doe@example.com".into(),
        agree_to_carrier_terms: true,
        address: RegistrationAddress {
            name: "John Doe".into(),
            phone: "111-111-1111".into(),
            company_name: None,
            address_line1: "4009 Marathon Blvd".into(),
            address_line2: None,
            city_locality: "Austin".into(),
            state_province: "TX".into(),
            postal_code: "78756".into(),
            country_code: "US".into(),
            address_residential_indicator: ResidentialIndicator::Unknown,
        },
        credit_card: CreditCard {
            name: "John Doe".into(),
            number: "5555555555554444".into(),
            card_type: CardType::MasterCard,
            expiration_year: "2030".into(),
            expiration_month: "07".into(),
        },
    }
}

#[tokio::test]
async fn register_sends_the_key_json_headers_and_body_to_the_register_path() {
    let (base_url, log) = stub(Canned::json(200, json!({"carrier_id": "se-123890"}))).await;
    let request = registration();

    let registered = client(&base_url)
        .register_stamps_com(&request)
        .await
        .unwrap();

    assert_eq!(registered.carrier_id, carrier_id());
    let received = only(&log);
    assert_eq!(received.method, Method::POST);
    assert_eq!(received.path, "/v1/registration/stamps_com");
    assert_eq!(header(&received, "api-key"), KEY);
    assert_eq!(header(&received, "content-type"), "application/json");
    assert_eq!(header(&received, "accept"), "application/json");
    assert_eq!(
        header(&received, "user-agent"),
        concat!("stamps-connect/", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(received.body, serde_json::to_value(&request).unwrap());
    assert_eq!(received.body["credit_card"]["type"], "master_card");
}

#[tokio::test]
async fn request_verification_code_posts_the_phone_for_an_sms() {
    let answer = json!({"phone": "5121112222", "verification_id": "vfn_base58encodedguid",
                        "verification_method": "sms/voice", "status": "unverified"});
    let (base_url, log) = stub(Canned::json(200, answer)).await;

    let started = client(&base_url)
        .request_verification_code(&carrier_id(), "5121112222")
        .await
        .unwrap();

    assert_eq!(started.phone, "5121112222");
    assert_eq!(started.verification_id.as_str(), "vfn_base58encodedguid");
    assert_eq!(started.status, VerificationStatus::Unverified);
    let received = only(&log);
    assert_eq!(received.method, Method::POST);
    assert_eq!(
        received.path,
        "/v1/connections/carriers/stamps_com/se-123890/verification"
    );
    assert_eq!(header(&received, "api-key"), KEY);
    assert_eq!(
        received.body,
        json!({"phone": "5121112222", "verification_type": "sms"})
    );
}

#[tokio::test]
async fn submit_verification_code_puts_the_code_to_the_verification_path() {
    let answer = json!({"phone": "5121112222", "verification_id": "vfn_base58encodedguid",
                        "verification_method": "sms", "status": "verified"});
    let (base_url, log) = stub(Canned::json(200, answer)).await;
    let verification_id = VerificationId::parse("vfn_base58encodedguid").unwrap();

    let result = client(&base_url)
        .submit_verification_code(&carrier_id(), &verification_id, "123456")
        .await
        .unwrap();

    assert_eq!(result.status, VerificationStatus::Verified);
    let received = only(&log);
    assert_eq!(received.method, Method::PUT);
    assert_eq!(
        received.path,
        "/v1/connections/carriers/stamps_com/se-123890/verification/vfn_base58encodedguid"
    );
    assert_eq!(header(&received, "api-key"), KEY);
    assert_eq!(header(&received, "content-type"), "application/json");
    assert_eq!(received.body, json!({"verification_code": "123456"}));
}

#[tokio::test]
async fn a_429_on_the_wire_carries_retry_after_and_the_request_id() {
    let envelope = json!({"request_id": "204c855f-dcc0-4270-ba12-c585fc5ef4bf", "errors": [{
        "error_source": "shipengine", "error_type": "system", "error_code": "rate_limit_exceeded",
        "message": "You have exceeded the rate limit."}]});
    let canned = Canned::json(429, envelope)
        .header("retry-after", "30")
        .header(
            "x-shipengine-requestid",
            "204c855f-dcc0-4270-ba12-c585fc5ef4bf",
        );
    let (base_url, _log) = stub(canned).await;

    let error = client(&base_url)
        .request_verification_code(&carrier_id(), "5121112222")
        .await
        .unwrap_err();

    assert!(error.has_code(ErrorCode::RateLimitExceeded));
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(
        error.request_id(),
        Some("204c855f-dcc0-4270-ba12-c585fc5ef4bf")
    );
}

#[tokio::test]
async fn an_html_502_on_the_wire_is_an_unexpected_body() {
    let canned = Canned {
        status: 502,
        headers: vec![
            ("content-type", "text/html"),
            ("x-shipengine-requestid", "abc-123"),
        ],
        body: "<html><h1>502 Bad Gateway</h1></html>".into(),
        delay: Duration::ZERO,
    };
    let (base_url, _log) = stub(canned).await;

    let error = client(&base_url)
        .register_stamps_com(&registration())
        .await
        .unwrap_err();

    assert!(matches!(
        &error,
        ShipEngineError::UnexpectedBody { status: 502, request_id: Some(id) } if id == "abc-123"
    ));
    assert!(
        error.may_have_taken_effect(),
        "a gateway's page says nothing of what ShipEngine did"
    );
}

#[tokio::test]
async fn an_oversized_answer_is_an_unexpected_body() {
    let canned = Canned {
        status: 200,
        headers: Vec::new(),
        body: format!(
            r#"{{"carrier_id": "se-1", "padding": "{}"}}"#,
            "x".repeat(100_000)
        ),
        delay: Duration::ZERO,
    };
    let (base_url, _log) = stub(canned).await;

    let error = client(&base_url)
        .register_stamps_com(&registration())
        .await
        .unwrap_err();

    assert!(
        matches!(error, ShipEngineError::UnexpectedBody { status: 200, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_carrier_id_that_could_inject_a_path_is_refused() {
    let answer = json!({"carrier_id": "se-1/../../v1/registration/stamps_com"});
    let (base_url, _log) = stub(Canned::json(200, answer)).await;

    let error = client(&base_url)
        .register_stamps_com(&registration())
        .await
        .unwrap_err();

    assert!(
        matches!(error, ShipEngineError::UnexpectedBody { status: 200, .. }),
        "{error:?}"
    );
    assert!(
        error.may_have_taken_effect(),
        "a 2xx means the account may exist"
    );
    assert!(CarrierId::parse("se-1/../verification").is_err());
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let canned = Canned::json(307, json!({})).header("location", "/elsewhere");
    let (base_url, log) = stub(canned).await;

    let error = client(&base_url)
        .register_stamps_com(&registration())
        .await
        .unwrap_err();

    assert!(
        matches!(error, ShipEngineError::UnexpectedBody { status: 307, .. }),
        "{error:?}"
    );
    assert_eq!(only(&log).path, "/v1/registration/stamps_com");
}

#[tokio::test]
async fn a_slow_answer_is_no_response() {
    let canned = Canned {
        delay: Duration::from_secs(5),
        ..Canned::json(200, json!({"carrier_id": "se-1"}))
    };
    let (base_url, log) = stub(canned).await;
    let mut config = ClientConfig::new(base_url, ApiKey::new(KEY.into()).unwrap());
    config.timeout = Duration::from_millis(300);

    let error = ShipEngineClient::new(config)
        .unwrap()
        .register_stamps_com(&registration())
        .await
        .unwrap_err();

    assert!(matches!(error, ShipEngineError::NoResponse), "{error:?}");
    assert!(error.may_have_taken_effect());
    assert_eq!(log.lock().unwrap().len(), 1, "the request did arrive");
}

#[tokio::test]
async fn a_closed_port_is_a_connect_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);

    let error = client(&format!("http://{address}"))
        .register_stamps_com(&registration())
        .await
        .unwrap_err();

    assert!(matches!(error, ShipEngineError::Connect), "{error:?}");
    assert!(!error.may_have_taken_effect());
}

#[tokio::test]
async fn a_connection_dropped_after_the_request_is_no_response() {
    let address = hang_up_after_reading_the_request().await;

    let error = client(&format!("http://{address}"))
        .register_stamps_com(&registration())
        .await
        .unwrap_err();

    assert!(matches!(error, ShipEngineError::NoResponse), "{error:?}");
}

/// A server that reads whatever arrives first, then closes the connection without answering.
async fn hang_up_after_reading_the_request() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut buffer = [0; 4096];
        loop {
            stream.readable().await.unwrap();
            match stream.try_read(&mut buffer) {
                Ok(_) => break,
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(error) => panic!("{error}"),
            }
        }
    });
    address
}

#[test]
fn client_debug_shows_the_base_url_but_not_the_key() {
    let debug = format!("{:?}", client("https://api.shipengine.com/"));
    assert_eq!(
        debug,
        r#"ShipEngineClient { base_url: "https://api.shipengine.com", .. }"#
    );
}

#[tokio::test]
async fn a_success_keeps_shipengine_s_request_id() {
    let canned = Canned::json(200, json!({"carrier_id": "se-123890"})).header(
        "x-shipengine-requestid",
        "8e1a4f0e-1d2b-4c3a-9f00-0123456789ab",
    );
    let (base_url, _log) = stub(canned).await;

    let registered = client(&base_url)
        .register_stamps_com(&registration())
        .await
        .unwrap();

    assert_eq!(
        registered.request_id.as_deref(),
        Some("8e1a4f0e-1d2b-4c3a-9f00-0123456789ab")
    );
}

#[tokio::test]
async fn a_429_is_retried_after_its_retry_after_then_returned() {
    let canned = Canned::json(
        429,
        json!({"request_id": "204c855f-dcc0-4270-ba12-c585fc5ef4bf", "errors": [{
            "error_source": "shipengine", "error_type": "system",
            "error_code": "rate_limit_exceeded", "message": "m"}]}),
    )
    .header("retry-after", "0");
    let (base_url, log) = stub(canned).await;

    let error = client(&base_url)
        .register_stamps_com(&registration())
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(429));
    let attempts = 1 + RetryPolicy::default().max_retries as usize;
    assert_eq!(log.lock().unwrap().len(), attempts);
}

/// A stub that answers a registration after `delay`, counting the calls it holds at once.
async fn counting_stub(delay: Duration) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (in_flight, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let seen = Arc::clone(&most);
    let router = Router::new().fallback(move || {
        let (in_flight, most) = (Arc::clone(&in_flight), Arc::clone(&most));
        async move {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            Canned::json(200, json!({"carrier_id": "se-123890"})).to_response()
        }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}"), seen)
}

fn capped_client(
    base_url: &str,
    max_concurrent: usize,
    connect_timeout: Duration,
) -> ShipEngineClient {
    ShipEngineClient::new(ClientConfig {
        max_concurrent,
        connect_timeout,
        ..ClientConfig::new(base_url, ApiKey::new(KEY.into()).unwrap())
    })
    .unwrap()
}

#[tokio::test]
async fn an_instance_has_at_most_its_cap_of_calls_in_flight_and_the_rest_wait() {
    let (base_url, most) = counting_stub(Duration::from_millis(200)).await;
    let client = capped_client(&base_url, 2, Duration::from_secs(5));
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.register_stamps_com(&registration()).await })
        })
        .collect();
    for call in calls {
        assert!(call.await.unwrap().is_ok(), "each call waits its turn");
    }
    assert_eq!(most.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_call_that_finds_no_free_slot_in_the_connect_timeout_is_not_made() {
    let (base_url, most) = counting_stub(Duration::from_secs(2)).await;
    let client = capped_client(&base_url, 1, Duration::from_millis(200));
    let first = tokio::spawn({
        let client = client.clone();
        async move { client.register_stamps_com(&registration()).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = client.register_stamps_com(&registration()).await;
    assert!(
        matches!(second, Err(ShipEngineError::Connect)),
        "nothing was sent: {second:?}"
    );
    assert!(!ShipEngineError::Connect.may_have_taken_effect());
    assert!(first.await.unwrap().is_ok());
    assert_eq!(most.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// A carrier as ShipEngine's reference documents it, every field included.
fn listed_carrier(carrier_id: &str, carrier_code: &str, nickname: Value) -> Value {
    json!({
        "carrier_id": carrier_id, "carrier_code": carrier_code, "account_number": "sim123",
        "requires_funded_amount": true, "balance": 42.17, "nickname": nickname,
        "friendly_name": "Stamps.com", "primary": false,
        "has_multi_package_supporting_services": false, "supports_label_messages": true,
        "disabled_by_billing_plan": false, "funding_source_id": null,
        "services": [{"service_code": "usps_priority_mail"}], "packages": [], "options": []
    })
}

#[tokio::test]
async fn list_carriers_gets_the_carriers_without_a_body_and_reads_what_it_uses() {
    let answer = json!({
        "carriers": [
            listed_carrier("se-123890", "stamps_com", json!("My Stamps.com account")),
            listed_carrier("se-77", "ups", Value::Null),
        ],
        "request_id": "8e1a4f0e-1d2b-4c3a-9f00-0123456789ab",
        "errors": []
    });
    let canned = Canned::json(200, answer).header(
        "x-shipengine-requestid",
        "8e1a4f0e-1d2b-4c3a-9f00-0123456789ab",
    );
    let (base_url, log) = stub(canned).await;

    let list = client(&base_url).list_carriers().await.unwrap();

    assert_eq!(
        list.carriers,
        [
            Carrier {
                carrier_id: carrier_id(),
                carrier_code: Carrier::STAMPS_COM.into(),
                nickname: Some("My Stamps.com account".into()),
            },
            Carrier {
                carrier_id: CarrierId::parse("se-77").unwrap(),
                carrier_code: "ups".into(),
                nickname: None,
            },
        ]
    );
    assert_eq!(
        list.request_id.as_deref(),
        Some("8e1a4f0e-1d2b-4c3a-9f00-0123456789ab")
    );
    let received = only(&log);
    assert_eq!(received.method, Method::GET);
    assert_eq!(received.path, "/v1/carriers");
    assert_eq!(header(&received, "api-key"), KEY);
    assert!(received.headers.get("content-type").is_none());
    assert_eq!(received.body, Value::Null);
}

#[tokio::test]
async fn a_carrier_list_with_an_unreadable_carrier_id_is_an_unexpected_body() {
    let answer = json!({"carriers": [listed_carrier("se-1/../x", "stamps_com", json!("n"))]});
    let (base_url, _log) = stub(Canned::json(200, answer)).await;

    let error = client(&base_url).list_carriers().await.unwrap_err();

    assert!(
        matches!(error, ShipEngineError::UnexpectedBody { status: 200, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn list_carriers_is_retried_after_a_429_and_a_500_is_returned_at_once() {
    let rate_limited = Canned::json(
        429,
        json!({"request_id": "204c855f-dcc0-4270-ba12-c585fc5ef4bf", "errors": [{
            "error_source": "shipengine", "error_type": "system",
            "error_code": "rate_limit_exceeded", "message": "m"}]}),
    )
    .header("retry-after", "0");
    let (base_url, log) = stub(rate_limited).await;
    let error = client(&base_url).list_carriers().await.unwrap_err();
    assert_eq!(error.status(), Some(429));
    let attempts = 1 + RetryPolicy::default().max_retries as usize;
    assert_eq!(log.lock().unwrap().len(), attempts);

    let failing = Canned::json(
        500,
        json!({"request_id": "204c855f-dcc0-4270-ba12-c585fc5ef4bf", "errors": [{
            "error_source": "shipengine", "error_type": "system",
            "error_code": "unspecified", "message": "m"}]}),
    );
    let (base_url, log) = stub(failing).await;
    let error = client(&base_url).list_carriers().await.unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(log.lock().unwrap().len(), 1);
}
