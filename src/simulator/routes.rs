//! The ShipEngine calls, and the steps every call goes through before its own logic.

use axum::body::{Bytes, to_bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};
use uuid::Uuid;

use super::account_routes;
use super::carrier_list::carrier_list;
use super::connection::ConnectionDropper;
use super::control;
use super::envelope::{
    ApiError, ErrorCode, ErrorDetail, ErrorType, REQUEST_ID_HEADER, stamp_response,
};
use super::faults::drop_connection;
use super::record::api_key;
use super::state::is_sandbox_key;
use super::validation::{
    check_code_request, check_code_submission, check_registration, parse_object,
};
use super::verification::{MAX_WRONG_CODES, SubmitError, Verification};
use super::{Endpoint, RecordedRequest, Simulator};

const REGISTER: &str = "/v1/registration/stamps_com";
const SEND_CODE: &str = "/v1/connections/carriers/stamps_com/{carrier_id}/verification";
const VERIFY_CODE: &str =
    "/v1/connections/carriers/stamps_com/{carrier_id}/verification/{verification_id}";
const CARRIERS: &str = "/v1/carriers";

/// Real bodies are well under 2 KiB; anything far larger is refused.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub(crate) fn router(simulator: Simulator) -> Router {
    Router::new()
        .route(REGISTER, post(register))
        .route(SEND_CODE, post(send_code))
        .route(VERIFY_CODE, put(verify_code))
        .route(CARRIERS, get(list_carriers))
        .merge(account_routes::router())
        .merge(control::router())
        .method_not_allowed_fallback(no_such_endpoint)
        .fallback(no_such_endpoint)
        .layer(map_response(stamp_response))
        .with_state(simulator)
}

/// An API call that passed the common steps.
pub(super) struct Call {
    pub api_key: String,
    pub body: Bytes,
    pub delivery: Delivery,
}

/// Whether the call's answer reaches the client.
pub(super) enum Delivery {
    Answer,
    /// A `drop_answer` fault: the work is done, then the connection (if the simulator was served
    /// by [`super::spawn`]) is dropped instead of answering.
    Lose(Option<ConnectionDropper>),
}

impl Delivery {
    pub(super) fn deliver(&self, answer: impl IntoResponse) -> Response {
        match self {
            Self::Answer => answer.into_response(),
            Self::Lose(connection) => drop_connection(connection.as_ref()),
        }
    }
}

/// Record, play a pending fault, check the key, count against the rate limit.
pub(super) async fn receive(
    simulator: &Simulator,
    endpoint: Endpoint,
    request: Request,
) -> Result<Call, Response> {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, MAX_BODY_BYTES).await;
    let raw_body = body.as_ref().map_or(&[][..], |bytes| bytes.as_ref());
    simulator.record(RecordedRequest::new(&parts, Some(endpoint), raw_body));
    let latency = simulator.config().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let connection = parts
        .extensions
        .get::<ConnectInfo<ConnectionDropper>>()
        .map(|info| info.0.clone());
    let fault = simulator.state().faults.take(endpoint);
    let delivery = match fault {
        Some(fault) if fault.drops_the_answer() => Delivery::Lose(connection),
        Some(fault) => match fault.play(connection.as_ref()).await {
            Some(response) => return Err(response),
            None => Delivery::Answer,
        },
        None => Delivery::Answer,
    };
    match admit(simulator, &parts.headers, body) {
        Ok((api_key, body)) => Ok(Call {
            api_key,
            body,
            delivery,
        }),
        Err(refusal) => Err(delivery.deliver(refusal)),
    }
}

/// The key, the rate limit and the body's size: the key and the body if all pass.
fn admit<E>(
    simulator: &Simulator,
    headers: &HeaderMap,
    body: Result<Bytes, E>,
) -> Result<(String, Bytes), ApiError> {
    let api_key = simulator
        .authenticate(api_key(headers))
        .ok_or_else(ApiError::unauthorized)?;
    simulator
        .admit_rate(&api_key)
        .map_err(ApiError::rate_limited)?;
    let body = body.map_err(|_| {
        ApiError::invalid_body(format!(
            "The request body is larger than {MAX_BODY_BYTES} bytes."
        ))
    })?;
    Ok((api_key, body))
}

async fn register(
    State(simulator): State<Simulator>,
    request: Request,
) -> Result<Response, Response> {
    let call = receive(&simulator, Endpoint::Register, request).await?;
    Ok(call.delivery.deliver(open_account(&simulator, &call)))
}

fn open_account(simulator: &Simulator, call: &Call) -> Result<Json<Value>, ApiError> {
    refuse_sandbox_key(simulator, &call.api_key)?;
    let body = parse_object(&call.body)?;
    check_registration(&body)?;
    let nickname = body.get("nickname").and_then(Value::as_str).unwrap_or("");
    let carrier_id = simulator.state().carriers.register(nickname);
    Ok(Json(json!({ "carrier_id": carrier_id })))
}

/// A sandbox key cannot open or connect a carrier account, when so configured.
pub(super) fn refuse_sandbox_key(simulator: &Simulator, api_key: &str) -> Result<(), ApiError> {
    if simulator.config().reject_sandbox_registration && is_sandbox_key(api_key) {
        let detail = ErrorDetail::new(
            ErrorType::BusinessRules,
            ErrorCode::Forbidden,
            "Carrier accounts cannot be connected with a sandbox (TEST_) API key.",
        );
        return Err(ApiError::single(StatusCode::BAD_REQUEST, detail));
    }
    Ok(())
}

/// `GET /v1/carriers`: every carrier, those the register call opened and those a test added.
async fn list_carriers(
    State(simulator): State<Simulator>,
    request: Request,
) -> Result<Response, Response> {
    let call = receive(&simulator, Endpoint::ListCarriers, request).await?;
    let request_id = Uuid::new_v4().to_string();
    let body = carrier_list(simulator.state().carriers.list(), &request_id);
    let mut answer = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        answer.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(call.delivery.deliver(answer))
}

async fn send_code(
    State(simulator): State<Simulator>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Result<Response, Response> {
    let call = receive(&simulator, Endpoint::SendCode, request).await?;
    Ok(call
        .delivery
        .deliver(start_verification(&simulator, path, &call)))
}

fn start_verification(
    simulator: &Simulator,
    path: Result<Path<String>, PathRejection>,
    call: &Call,
) -> Result<Json<Verification>, ApiError> {
    let Path(carrier_id) = path.map_err(|_| unreadable_path())?;
    let phone = check_code_request(&parse_object(&call.body)?)?;
    let verification = simulator.state().carriers.request_code(&carrier_id, phone);
    Ok(Json(
        verification.ok_or_else(|| unknown_carrier(&carrier_id))?,
    ))
}

async fn verify_code(
    State(simulator): State<Simulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: Request,
) -> Result<Response, Response> {
    let call = receive(&simulator, Endpoint::VerifyCode, request).await?;
    Ok(call.delivery.deliver(check_code(&simulator, path, &call)))
}

fn check_code(
    simulator: &Simulator,
    path: Result<Path<(String, String)>, PathRejection>,
    call: &Call,
) -> Result<Json<Verification>, ApiError> {
    let Path((carrier_id, verification_id)) = path.map_err(|_| unreadable_path())?;
    let body = parse_object(&call.body)?;
    let code = check_code_submission(&body)?;
    let expected = &simulator.config().verification_code;
    let outcome =
        simulator
            .state()
            .carriers
            .submit_code(&carrier_id, &verification_id, code, expected);
    outcome.map(Json).map_err(|error| match error {
        SubmitError::UnknownCarrier => unknown_carrier(&carrier_id),
        SubmitError::UnknownVerification => ApiError::not_found(format!(
            "Verification {verification_id} of carrier {carrier_id} was not found; request a new code."
        )),
        SubmitError::WrongCode { tries_left } => wrong_code(format!(
            "The verification code is incorrect; {tries_left} tries left."
        )),
        SubmitError::Locked => wrong_code(format!(
            "{MAX_WRONG_CODES} incorrect codes were entered; request a new code."
        )),
    })
}

pub(super) fn unknown_carrier(carrier_id: &str) -> ApiError {
    ApiError::not_found(format!("Carrier {carrier_id} was not found."))
}

/// A path whose ids are not valid percent-encoded UTF-8 cannot name anything.
pub(super) fn unreadable_path() -> ApiError {
    ApiError::not_found("The ids in the path are not readable.")
}

fn wrong_code(message: String) -> ApiError {
    let detail = ErrorDetail::field(ErrorCode::VerificationFailure, "verification_code", message);
    ApiError::single(StatusCode::BAD_REQUEST, detail)
}

/// Unknown path or method: recorded like any API request, then 404 `not_found`.
async fn no_such_endpoint(State(simulator): State<Simulator>, request: Request) -> ApiError {
    let (parts, body) = request.into_parts();
    if !parts.uri.path().starts_with(control::PREFIX) {
        let raw_body = to_bytes(body, MAX_BODY_BYTES).await.unwrap_or_default();
        simulator.record(RecordedRequest::new(&parts, None, &raw_body));
    }
    ApiError::no_such_endpoint(parts.method.as_str(), parts.uri.path())
}
