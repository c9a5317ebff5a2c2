//! Control endpoints under `/__simulator`, for tests driving a standalone simulator over HTTP.
//! They need no API key and are neither recorded nor rate-limited.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde::Deserialize;

use super::envelope::ApiError;
use super::{Charge, Endpoint, Fault, FundingChange, RecordedRequest, Simulator, StampsLogin};

pub(crate) const PREFIX: &str = "/__simulator";

pub(crate) fn router() -> Router<Simulator> {
    Router::new()
        .route(
            "/__simulator/requests",
            get(list_requests).delete(clear_requests),
        )
        .route(
            "/__simulator/faults",
            post(inject_fault).delete(clear_faults),
        )
        .route("/__simulator/carriers", post(add_carrier))
        .route(
            "/__simulator/carriers/{carrier_id}/funding",
            patch(change_funding),
        )
        .route("/__simulator/charges", get(list_charges))
        .route("/__simulator/stamps_logins", post(add_stamps_login))
        .route(
            "/__simulator/address_validation",
            put(allow_address_validation),
        )
        .route("/__simulator/health", get(health))
}

async fn list_requests(State(simulator): State<Simulator>) -> Json<Vec<RecordedRequest>> {
    Json(simulator.requests())
}

async fn clear_requests(State(simulator): State<Simulator>) -> StatusCode {
    simulator.clear_requests();
    StatusCode::NO_CONTENT
}

/// Body of `POST /__simulator/faults`, e.g.
/// `{"endpoint":"send_code","fault":{"kind":"delay","millis":5000},"times":2}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultInjection {
    endpoint: Endpoint,
    fault: Fault,
    #[serde(default = "once")]
    times: u32,
}

fn once() -> u32 {
    1
}

async fn inject_fault(
    State(simulator): State<Simulator>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let injection: FaultInjection = serde_json::from_slice(&body).map_err(|error| {
        ApiError::invalid_body(format!(
            r#"Expected {{"endpoint": …, "fault": {{"kind": …}}, "times": …}}: {error}."#
        ))
    })?;
    simulator.inject_fault(injection.endpoint, injection.fault, injection.times);
    Ok(StatusCode::NO_CONTENT)
}

/// Body of `POST /__simulator/carriers`, e.g. `{"nickname":"My Stamps.com account"}`: a
/// carrier on the account that this simulator's register call did not open (someone else's
/// with the same nickname, or another carrier code).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCarrier {
    nickname: String,
    #[serde(default = "stamps_com")]
    carrier_code: String,
}

fn stamps_com() -> String {
    "stamps_com".to_owned()
}

/// 201 `{"carrier_id": "se-…"}`.
async fn add_carrier(
    State(simulator): State<Simulator>,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let carrier: NewCarrier = serde_json::from_slice(&body).map_err(|error| {
        ApiError::invalid_body(format!(
            r#"Expected {{"nickname": …, "carrier_code": …}}: {error}."#
        ))
    })?;
    let carrier_id = simulator.add_carrier(&carrier.carrier_code, &carrier.nickname);
    let created = serde_json::json!({ "carrier_id": carrier_id });
    Ok((StatusCode::CREATED, Json(created)))
}

/// `PATCH /__simulator/carriers/{carrier_id}/funding` with a [`FundingChange`]: 204, or 404
/// for an unknown carrier.
async fn change_funding(
    State(simulator): State<Simulator>,
    Path(carrier_id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let change: FundingChange = parse(&body, r#"{"enabled": …, "card_declined": …}"#)?;
    if simulator.set_funding(&carrier_id, change) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "Carrier {carrier_id} was not found."
        )))
    }
}

async fn list_charges(State(simulator): State<Simulator>) -> Json<Vec<Charge>> {
    Json(simulator.charges())
}

/// `POST /__simulator/stamps_logins` with a [`StampsLogin`]: 204. The password is not echoed.
async fn add_stamps_login(
    State(simulator): State<Simulator>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let login: StampsLogin = parse(&body, r#"{"username": …, "password": …, "locked": …}"#)?;
    simulator.add_stamps_login(login);
    Ok(StatusCode::NO_CONTENT)
}

/// Body of `PUT /__simulator/address_validation`, e.g. `{"allowed": false}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressValidationPlan {
    allowed: bool,
}

async fn allow_address_validation(
    State(simulator): State<Simulator>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let plan: AddressValidationPlan = parse(&body, r#"{"allowed": …}"#)?;
    simulator.set_address_validation_allowed(plan.allowed);
    Ok(StatusCode::NO_CONTENT)
}

/// A control body, or a 400 saying the shape expected. The serde error is left out: it could
/// quote a password.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8], expected: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|_| ApiError::invalid_body(format!("Expected {expected}.")))
}

async fn clear_faults(State(simulator): State<Simulator>) -> StatusCode {
    simulator.clear_faults();
    StatusCode::NO_CONTENT
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}
