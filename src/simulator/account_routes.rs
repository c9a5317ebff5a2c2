//! The calls around the account: connect an existing Stamps.com account, read a carrier, add
//! funds, links into the Stamps.com account, address validation. Each goes through the same
//! steps as the others ([`receive`]: record, fault, key, rate limit).
//!
//! Where the reference names no error for an outcome, the simulator's choice (README):
//! | outcome                         | 400 envelope `error_source`/`error_type`/`error_code`         |
//! |---------------------------------|----------------------------------------------------------------|
//! | wrong Stamps.com credentials    | `carrier`/`security`/`unauthorized`                           |
//! | Stamps.com account locked       | `carrier`/`account_status`/`forbidden`                        |
//! | account already connected       | `shipengine`/`business_rules`/`carrier_conflict`              |
//! | adding funds not enabled        | `shipengine`/`business_rules`/`funding_source_missing_configuration` |
//! | card declined                   | `carrier`/`business_rules`/`funding_source_error`             |
//! | plan without address validation | `shipengine`/`account_status`/`invalid_billing_plan`          |

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};
use uuid::Uuid;

use super::account_validation::{check_addresses, check_connection, check_money, check_url_types};
use super::address_validation::{ValidationResult, validate};
use super::carrier_list::carrier;
use super::envelope::{ApiError, ErrorCode, ErrorDetail, ErrorType};
use super::funds::{FundingRefusal, add_funds, dollars};
use super::routes::{Call, receive, refuse_sandbox_key, unknown_carrier, unreadable_path};
use super::stamps_logins::ConnectRefusal;
use super::validation::parse_object;
use super::verification::STAMPS_COM;
use super::{Endpoint, Simulator};

const CONNECT: &str = "/v1/connections/carriers/stamps_com";
const CARRIER: &str = "/v1/carriers/{carrier_id}";
const ADD_FUNDS: &str = "/v1/carriers/{carrier_id}/add_funds";
const ACCOUNT_URL: &str = "/v1/connections/carriers/stamps_com/{carrier_id}/request_account_url";
const VALIDATE_ADDRESSES: &str = "/v1/addresses/validate";

/// Where the simulated links into a Stamps.com account point: a reserved `.test` name, so a
/// link clicked by mistake goes nowhere.
pub(crate) const STAMPS_ACCOUNT_HOST: &str = "https://account.stamps-simulator.test";

pub(super) fn router() -> Router<Simulator> {
    Router::new()
        .route(CONNECT, post(connect_stamps_com))
        .route(CARRIER, get(get_carrier))
        .route(ADD_FUNDS, put(put_add_funds))
        .route(ACCOUNT_URL, put(request_account_url))
        .route(VALIDATE_ADDRESSES, post(validate_addresses))
}

type CarrierPath = Result<Path<String>, PathRejection>;

async fn connect_stamps_com(
    State(simulator): State<Simulator>,
    request: Request,
) -> Result<Response, Response> {
    let call = receive(&simulator, Endpoint::ConnectStampsCom, request).await?;
    Ok(call.delivery.deliver(connect(&simulator, &call)))
}

fn connect(simulator: &Simulator, call: &Call) -> Result<Json<Value>, ApiError> {
    refuse_sandbox_key(simulator, &call.api_key)?;
    let body = parse_object(&call.body)?;
    let credentials = check_connection(&body)?;
    let mut state = simulator.state();
    state
        .stamps_logins
        .check(credentials.username, credentials.password)
        .map_err(connect_refused)?;
    let carrier_id = state.carriers.add(STAMPS_COM, credentials.nickname);
    state
        .stamps_logins
        .connected(credentials.username, &carrier_id);
    Ok(Json(json!({ "carrier_id": carrier_id })))
}

fn connect_refused(refusal: ConnectRefusal) -> ApiError {
    let detail = match refusal {
        ConnectRefusal::WrongCredentials => ErrorDetail::from_carrier(
            ErrorType::Security,
            ErrorCode::Unauthorized,
            "Stamps.com did not accept the username or password.",
        ),
        ConnectRefusal::Locked => ErrorDetail::from_carrier(
            ErrorType::AccountStatus,
            ErrorCode::Forbidden,
            "The Stamps.com account is locked; its owner must contact Stamps.com.",
        ),
        ConnectRefusal::AlreadyConnected { carrier_id } => ErrorDetail::new(
            ErrorType::BusinessRules,
            ErrorCode::CarrierConflict,
            format!("This Stamps.com account is already connected as carrier {carrier_id}."),
        ),
    };
    ApiError::single(StatusCode::BAD_REQUEST, detail)
}

async fn get_carrier(
    State(simulator): State<Simulator>,
    path: CarrierPath,
    request: Request,
) -> Result<Response, Response> {
    let call = receive(&simulator, Endpoint::GetCarrier, request).await?;
    Ok(call.delivery.deliver(find_carrier(&simulator, path)))
}

fn find_carrier(simulator: &Simulator, path: CarrierPath) -> Result<Json<Value>, ApiError> {
    let Path(carrier_id) = path.map_err(|_| unreadable_path())?;
    let state = simulator.state();
    let found = state.carriers.find(&carrier_id);
    Ok(Json(carrier(
        found.ok_or_else(|| unknown_carrier(&carrier_id))?,
    )))
}

async fn put_add_funds(
    State(simulator): State<Simulator>,
    path: CarrierPath,
    request: Request,
) -> Result<Response, Response> {
    let call = receive(&simulator, Endpoint::AddFunds, request).await?;
    Ok(call.delivery.deliver(charge(&simulator, path, &call)))
}

fn charge(simulator: &Simulator, path: CarrierPath, call: &Call) -> Result<Json<Value>, ApiError> {
    let Path(carrier_id) = path.map_err(|_| unreadable_path())?;
    let amount_cents = check_money(&parse_object(&call.body)?)?;
    let mut state = simulator.state();
    let state = &mut *state;
    let balance_cents = add_funds(
        &mut state.carriers,
        &mut state.charges,
        &carrier_id,
        amount_cents,
    )
    .map_err(|refusal| funding_refused(refusal, &carrier_id))?;
    let balance = json!({ "currency": "usd", "amount": dollars(balance_cents) });
    Ok(Json(json!({ "balance": balance })))
}

fn funding_refused(refusal: FundingRefusal, carrier_id: &str) -> ApiError {
    let detail = match refusal {
        FundingRefusal::UnknownCarrier => return unknown_carrier(carrier_id),
        FundingRefusal::NotEnabled => ErrorDetail::new(
            ErrorType::BusinessRules,
            ErrorCode::FundingSourceMissingConfiguration,
            "Adding funds is not enabled for this account; ShipEngine support can enable it.",
        ),
        FundingRefusal::CardDeclined => ErrorDetail::from_carrier(
            ErrorType::BusinessRules,
            ErrorCode::FundingSourceError,
            "The card on file with Stamps.com was declined.",
        ),
    };
    ApiError::single(StatusCode::BAD_REQUEST, detail)
}

async fn request_account_url(
    State(simulator): State<Simulator>,
    path: CarrierPath,
    request: Request,
) -> Result<Response, Response> {
    let call = receive(&simulator, Endpoint::RequestAccountUrl, request).await?;
    Ok(call.delivery.deliver(account_urls(&simulator, path, &call)))
}

fn account_urls(
    simulator: &Simulator,
    path: CarrierPath,
    call: &Call,
) -> Result<Json<Value>, ApiError> {
    let Path(carrier_id) = path.map_err(|_| unreadable_path())?;
    let body = parse_object(&call.body)?;
    let url_types = check_url_types(&body)?;
    let is_stamps_com = simulator
        .state()
        .carriers
        .find(&carrier_id)
        .is_some_and(|carrier| carrier.carrier_code == STAMPS_COM);
    if !is_stamps_com {
        return Err(unknown_carrier(&carrier_id));
    }
    let urls: Vec<Value> = url_types
        .into_iter()
        .map(|url_type| json!({ "url_type": url_type, "url": account_url(url_type, &carrier_id) }))
        .collect();
    Ok(Json(json!({ "urls": urls })))
}

/// A sign-in link like Stamps.com's: one page per type, with a fresh one-time token.
fn account_url(url_type: &str, carrier_id: &str) -> String {
    let page = url_type.replace('_', "-");
    let token = Uuid::new_v4().simple();
    format!("{STAMPS_ACCOUNT_HOST}/{page}?carrier_id={carrier_id}&token={token}")
}

async fn validate_addresses(
    State(simulator): State<Simulator>,
    request: Request,
) -> Result<Response, Response> {
    let call = receive(&simulator, Endpoint::ValidateAddresses, request).await?;
    Ok(call.delivery.deliver(validate_all(&simulator, &call)))
}

fn validate_all(
    simulator: &Simulator,
    call: &Call,
) -> Result<Json<Vec<ValidationResult>>, ApiError> {
    if !simulator.state().address_validation_allowed {
        let detail = ErrorDetail::new(
            ErrorType::AccountStatus,
            ErrorCode::InvalidBillingPlan,
            "Address validation is not included in this account's plan.",
        );
        return Err(ApiError::single(StatusCode::BAD_REQUEST, detail));
    }
    let addresses = check_addresses(&call.body)?;
    Ok(Json(addresses.iter().map(validate).collect()))
}
