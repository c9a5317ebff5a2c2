//! Control endpoints under `/__simulator`, for tests driving a standalone simulator over HTTP.
//! They need no API key and are neither recorded nor rate-limited.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::envelope::ApiError;
use super::{Endpoint, Fault, RecordedRequest, Simulator};

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

async fn clear_faults(State(simulator): State<Simulator>) -> StatusCode {
    simulator.clear_faults();
    StatusCode::NO_CONTENT
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}
