//! The calls around the account against the simulator, served on an ephemeral port: what each
//! method sends, what it reads back, how refusals map, and which failures are retried.

use std::time::Duration;

use serde_json::Value;

use super::*;
use crate::simulator::{
    self, DEMO_STAMPS_PASSWORD, DEMO_STAMPS_USERNAME, Endpoint as SimulatorEndpoint, Fault,
    FundingChange, LOCKED_STAMPS_USERNAME, RunningSimulator, Simulator, SimulatorConfig,
};

const KEY: &str = "live_account_key";

async fn simulator() -> RunningSimulator {
    let config = SimulatorConfig {
        api_keys: vec![KEY.into()],
        ..SimulatorConfig::default()
    };
    simulator::spawn(Simulator::new(config), ([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

fn client(running: &RunningSimulator, key: &str) -> ShipEngineClient {
    ShipEngineClient::new(ClientConfig {
        timeout: Duration::from_millis(500),
        ..ClientConfig::new(&running.base_url, ApiKey::new(key.into()).unwrap())
    })
    .unwrap()
}

fn demo_login(nickname: &str) -> ConnectStampsRequest {
    ConnectStampsRequest {
        nickname: nickname.into(),
        username: DEMO_STAMPS_USERNAME.into(),
        password: DEMO_STAMPS_PASSWORD.into(),
    }
}

/// Calls the simulator recorded for `endpoint`.
fn calls_to(running: &RunningSimulator, endpoint: SimulatorEndpoint) -> usize {
    let requests = running.simulator.requests();
    requests
        .iter()
        .filter(|request| request.endpoint == Some(endpoint))
        .count()
}

fn refusal(error: &ShipEngineError) -> (Option<u16>, Option<&ErrorType>, Option<&ErrorCode>) {
    let first = error.errors().first();
    (
        error.status(),
        first.map(|e| &e.error_type),
        error.first_code(),
    )
}

#[tokio::test]
async fn connect_reads_the_carrier_id_and_never_shows_the_password() {
    let running = simulator().await;
    let connected = client(&running, KEY)
        .connect_stamps_account(&demo_login("My shop"))
        .await
        .unwrap();
    assert!(connected.carrier_id.as_str().starts_with("se-"));
    assert!(connected.request_id.is_some());
    let listed = client(&running, KEY).list_carriers().await.unwrap();
    assert_eq!(listed.carriers[0].carrier_id, connected.carrier_id);
    assert_eq!(listed.carriers[0].nickname.as_deref(), Some("My shop"));
    let record = format!("{:?}", running.simulator.requests());
    assert!(!record.contains(DEMO_STAMPS_PASSWORD), "{record}");
}

#[tokio::test]
async fn connect_refusals_map_to_their_codes_and_prove_nothing_happened() {
    let running = simulator().await;
    let client = client(&running, KEY);
    client
        .connect_stamps_account(&demo_login("First"))
        .await
        .unwrap();
    let wrong = ConnectStampsRequest {
        password: "guess".into(),
        ..demo_login("Shop")
    };
    let locked = ConnectStampsRequest {
        username: LOCKED_STAMPS_USERNAME.into(),
        ..demo_login("Shop")
    };
    for (request, expected) in [
        (wrong, (ErrorType::Security, ErrorCode::Unauthorized)),
        (locked, (ErrorType::AccountStatus, ErrorCode::Forbidden)),
        (
            demo_login("Again"),
            (ErrorType::BusinessRules, ErrorCode::CarrierConflict),
        ),
    ] {
        let error = client.connect_stamps_account(&request).await.unwrap_err();
        assert_eq!(
            refusal(&error),
            (Some(400), Some(&expected.0), Some(&expected.1)),
            "{error}"
        );
        assert!(!error.may_have_taken_effect());
    }
}

#[tokio::test]
async fn connect_is_never_retried_after_a_lost_connection() {
    let running = simulator().await;
    running.simulator.inject_fault(
        SimulatorEndpoint::ConnectStampsCom,
        Fault::DropConnection,
        1,
    );
    let error = client(&running, KEY)
        .connect_stamps_account(&demo_login("Shop"))
        .await
        .unwrap_err();
    assert!(matches!(error, ShipEngineError::NoResponse), "{error:?}");
    assert_eq!(calls_to(&running, SimulatorEndpoint::ConnectStampsCom), 1);
}

#[tokio::test]
async fn a_carrier_reads_its_balance_and_an_unknown_one_is_404() {
    let running = simulator().await;
    let client = client(&running, KEY);
    let carrier_id = client
        .connect_stamps_account(&demo_login("My shop"))
        .await
        .unwrap()
        .carrier_id;
    let carrier = client.carrier(&carrier_id).await.unwrap();
    assert_eq!(carrier.carrier_id, carrier_id);
    assert_eq!(carrier.carrier_code, "stamps_com");
    assert_eq!(carrier.balance, Some(0.0));
    assert_eq!(carrier.nickname.as_deref(), Some("My shop"));
    assert_eq!(carrier.requires_funded_amount, Some(true));

    let unknown = CarrierId::parse("se-1").unwrap();
    let error = client.carrier(&unknown).await.unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert!(error.has_code(ErrorCode::NotFound));
}

#[tokio::test]
async fn reading_a_carrier_is_retried_after_a_lost_connection() {
    let running = simulator().await;
    let carrier_id = running.simulator.add_carrier("stamps_com", "Shop");
    running
        .simulator
        .inject_fault(SimulatorEndpoint::GetCarrier, Fault::DropConnection, 1);
    let carrier_id = CarrierId::parse(&carrier_id).unwrap();
    let carrier = client(&running, KEY).carrier(&carrier_id).await.unwrap();
    assert_eq!(carrier.carrier_id, carrier_id);
    assert_eq!(calls_to(&running, SimulatorEndpoint::GetCarrier), 2);
}

async fn funded_carrier(running: &RunningSimulator) -> CarrierId {
    let carrier_id = running.simulator.add_carrier("stamps_com", "Shop");
    CarrierId::parse(&carrier_id).unwrap()
}

#[tokio::test]
async fn add_funds_grows_the_balance_once_per_call() {
    let running = simulator().await;
    let client = client(&running, KEY);
    let carrier_id = funded_carrier(&running).await;
    let first = client
        .add_funds(&carrier_id, &Money::usd(25.0))
        .await
        .unwrap();
    assert_eq!(first.balance, Money::usd(25.0));
    let second = client
        .add_funds(&carrier_id, &Money::usd(17.17))
        .await
        .unwrap();
    assert_eq!(second.balance, Money::usd(42.17));
    assert_eq!(
        client.carrier(&carrier_id).await.unwrap().balance,
        Some(42.17)
    );
    assert_eq!(running.simulator.charges().len(), 2);
}

#[tokio::test]
async fn add_funds_refusals_map_to_their_codes() {
    let running = simulator().await;
    let client = client(&running, KEY);
    let carrier_id = funded_carrier(&running).await;

    let too_little = client
        .add_funds(&carrier_id, &Money::usd(9.99))
        .await
        .unwrap_err();
    let fields: Vec<_> = too_little.field_errors().collect();
    assert_eq!(fields, [("amount", &ErrorCode::InvalidFieldValue)]);

    let declined = FundingChange {
        card_declined: Some(true),
        ..FundingChange::default()
    };
    running.simulator.set_funding(carrier_id.as_str(), declined);
    let error = client
        .add_funds(&carrier_id, &Money::usd(25.0))
        .await
        .unwrap_err();
    assert!(error.has_code(ErrorCode::FundingSourceError), "{error}");
    assert_eq!(error.errors()[0].error_source, ErrorSource::Carrier);

    let disabled = FundingChange {
        enabled: Some(false),
        ..FundingChange::default()
    };
    running.simulator.set_funding(carrier_id.as_str(), disabled);
    let error = client
        .add_funds(&carrier_id, &Money::usd(25.0))
        .await
        .unwrap_err();
    assert!(
        error.has_code(ErrorCode::FundingSourceMissingConfiguration),
        "{error}"
    );
    assert!(!error.may_have_taken_effect());
    assert!(running.simulator.charges().is_empty());
}

#[tokio::test]
async fn add_funds_is_never_retried_after_a_timeout_or_a_lost_connection() {
    let running = simulator().await;
    let client = client(&running, KEY);
    let carrier_id = funded_carrier(&running).await;
    for fault in [
        Fault::Delay { millis: 1_000 },
        Fault::DropConnection,
        Fault::DropAnswer,
    ] {
        running.simulator.clear_requests();
        running
            .simulator
            .inject_fault(SimulatorEndpoint::AddFunds, fault, 1);
        let error = client
            .add_funds(&carrier_id, &Money::usd(25.0))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ShipEngineError::NoResponse),
            "{fault:?}: {error:?}"
        );
        assert!(error.may_have_taken_effect());
        assert_eq!(
            calls_to(&running, SimulatorEndpoint::AddFunds),
            1,
            "{fault:?}"
        );
    }
    // The lost answer charged the card; the delayed call did too unless the simulator dropped
    // its work when the client hung up. Never more: nothing was sent twice.
    let charges = running.simulator.charges().len();
    assert!((1..=2).contains(&charges), "{charges}");
}

#[tokio::test]
async fn add_funds_is_retried_after_a_429_only() {
    let running = simulator().await;
    let carrier_id = funded_carrier(&running).await;
    running
        .simulator
        .inject_fault(SimulatorEndpoint::AddFunds, Fault::RateLimited, 1);
    let added = client(&running, KEY)
        .add_funds(&carrier_id, &Money::usd(10.0))
        .await
        .unwrap();
    assert_eq!(added.balance, Money::usd(10.0));
    assert_eq!(running.simulator.charges().len(), 1);
}

#[tokio::test]
async fn account_urls_come_back_one_per_type_asked() {
    let running = simulator().await;
    let client = client(&running, KEY);
    let carrier_id = funded_carrier(&running).await;
    let asked = [
        AccountUrlType::AccountSettings,
        AccountUrlType::PaymentMethods,
    ];
    let urls = client
        .request_account_urls(&carrier_id, &asked)
        .await
        .unwrap();
    let types: Vec<_> = urls.urls.iter().map(|url| url.url_type.clone()).collect();
    assert_eq!(types, asked);
    assert!(urls.urls.iter().all(|url| url.url.starts_with("https://")));

    let unknown = CarrierId::parse("se-1").unwrap();
    let error = client
        .request_account_urls(&unknown, &asked)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
}

fn address(line1: &str, city: &str, postal_code: &str) -> Address {
    Address {
        address_line1: Some(line1.into()),
        city_locality: Some(city.into()),
        state_province: Some("TX".into()),
        postal_code: Some(postal_code.into()),
        country_code: Some("US".into()),
        ..Address::default()
    }
}

#[tokio::test]
async fn address_validation_reads_each_status_in_order() {
    let running = simulator().await;
    let sent = [
        address("4009 Marathon Blvd", "Austin", "78756"),
        address("4009 Marathon Blvd", "Austn", "78756"),
        address("1 Undeliverable Way", "Austin", "78756"),
        address("4009 Marathon Blvd", "Austin", "99999"),
    ];
    let validated = client(&running, KEY)
        .validate_addresses(&sent)
        .await
        .unwrap();
    let statuses: Vec<_> = validated.results.iter().map(|r| r.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            AddressValidationStatus::Verified,
            AddressValidationStatus::Warning,
            AddressValidationStatus::Error,
            AddressValidationStatus::Unverified,
        ]
    );
    let corrected = validated.results[0].matched_address.as_ref().unwrap();
    assert_eq!(
        corrected.address_line1.as_deref(),
        Some("4009 MARATHON BLVD")
    );
    assert_eq!(corrected.postal_code.as_deref(), Some("78756-3915"));
    assert_eq!(
        validated.results[0].original_address,
        sent[0].clone().with_default_indicator()
    );
    assert_eq!(
        validated.results[1].messages[0].message_type,
        AddressMessageType::Warning
    );
    assert!(validated.results[2].matched_address.is_none());
}

impl Address {
    /// What ShipEngine echoes for an address sent without a residential indicator.
    fn with_default_indicator(self) -> Self {
        Self {
            address_residential_indicator: Some(AddressResidentialIndicator::Unknown),
            ..self
        }
    }
}

#[tokio::test]
async fn a_plan_without_address_validation_is_a_refusal_to_go_on_without() {
    let running = simulator().await;
    running.simulator.set_address_validation_allowed(false);
    let error = client(&running, KEY)
        .validate_addresses(&[address("4009 Marathon Blvd", "Austin", "78756")])
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert!(error.has_code(ErrorCode::InvalidBillingPlan), "{error}");
    assert!(!error.may_have_taken_effect());
}

#[tokio::test]
async fn a_bad_key_is_401_on_every_new_call() {
    let running = simulator().await;
    let client = client(&running, "wrong");
    let carrier_id = CarrierId::parse("se-1").unwrap();
    let errors = [
        client
            .connect_stamps_account(&demo_login("Shop"))
            .await
            .map(|_| ()),
        client.carrier(&carrier_id).await.map(|_| ()),
        client
            .add_funds(&carrier_id, &Money::usd(10.0))
            .await
            .map(|_| ()),
        client
            .request_account_urls(&carrier_id, &[AccountUrlType::ReportBalances])
            .await
            .map(|_| ()),
        client.validate_addresses(&[]).await.map(|_| ()),
    ];
    for error in errors {
        let error = error.unwrap_err();
        assert_eq!(error.status(), Some(401), "{error}");
        assert!(error.has_code(ErrorCode::Unauthorized));
    }
    let bodies: Vec<Value> = running
        .simulator
        .requests()
        .into_iter()
        .map(|request| request.body)
        .collect();
    assert!(!format!("{bodies:?}").contains(DEMO_STAMPS_PASSWORD));
}
