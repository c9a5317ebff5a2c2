//! The server-only ShipEngine client for the three calls of ShipEngine's "Register Free Stamps
//! Account" guide: register, request an SMS code, submit the code; the list of the account's
//! carriers, which settles a registration whose answer was lost; and the calls around the
//! account: connect an existing Stamps.com account, a carrier and its balance, add funds, links
//! into the Stamps.com account, address validation.
//!
//! Retries are few and safe ([`retry`]): a 429 after its `Retry-After`, and a lost connection of
//! the idempotent code-submitting `PUT`. A registration is never sent twice on a doubt (a second
//! attempt after an ambiguous failure can open a second account) and a code request is never
//! repeated on one (each sends a paid text message), nor a connection of an existing account or a
//! charge adding funds: the caller sees
//! [`ShipEngineError::may_have_taken_effect`] and decides.
//!
//! Each call is logged once: endpoint, method, status, ShipEngine's request id and elapsed time;
//! never the key or a body. Its latency goes to the metrics, by endpoint and outcome.

mod account_types;
mod config;
mod error;
mod open_enum;
mod response;
mod retry;
mod types;

#[cfg(test)]
mod account_tests;
#[cfg(test)]
mod tests;

use std::error::Error as _;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use account_types::{
    AccountUrl, AccountUrlType, AccountUrls, Address, AddressMessage, AddressMessageType,
    AddressResidentialIndicator, AddressValidation, AddressValidationStatus, AddressValidations,
    CarrierDetails, ConnectStampsRequest, FundsAdded, Money, StampsConnected,
};
pub use config::{ApiKey, ClientBuildError, ClientConfig, InvalidApiKey};
pub use error::{ApiErrorDetail, ErrorCode, ErrorSource, ErrorType, ShipEngineError};
pub use retry::RetryPolicy;
pub use types::{
    CardType, Carrier, CarrierId, CarrierList, CreditCard, InvalidId, RegisterRequest, Registered,
    RegistrationAddress, ResidentialIndicator, VerificationId, VerificationResult,
    VerificationStarted, VerificationStatus,
};

use crate::server::observability::metrics;
use account_types::AccountUrlsRequest;
use response::{AnswerHead, BodyFailure, read_capped_body};
use retry::FailedAttempt;
use types::{Reply, VerificationCodeRequest, VerificationCodeSubmission};

const USER_AGENT: &str = concat!("stamps-connect/", env!("CARGO_PKG_VERSION"));

/// Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct ShipEngineClient {
    http: reqwest::Client,
    base_url: Arc<str>,
    retry: RetryPolicy,
    /// One permit per call in flight (see [`ClientConfig::max_concurrent`]).
    in_flight: Arc<tokio::sync::Semaphore>,
    connect_timeout: Duration,
}

impl ShipEngineClient {
    pub fn new(config: ClientConfig) -> Result<Self, ClientBuildError> {
        let base_url = config::normalized_base_url(&config.base_url)?;
        let http = reqwest::Client::builder()
            .default_headers(default_headers(&config.api_key)?)
            .user_agent(USER_AGENT)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            // ShipEngine does not redirect; following one would replay the call, API key
            // included, to wherever it points. It surfaces as an unexpected answer instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ClientBuildError::Http)?;
        Ok(Self {
            http,
            base_url: base_url.into(),
            retry: config.retry,
            in_flight: Arc::new(tokio::sync::Semaphore::new(config.max_concurrent.max(1))),
            connect_timeout: config.connect_timeout,
        })
    }

    /// The base URL the calls go to (for the readiness check).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `POST /v1/registration/stamps_com`. Retried only after a 429: see the module documentation.
    pub async fn register_stamps_com(
        &self,
        body: &RegisterRequest,
    ) -> Result<Registered, ShipEngineError> {
        self.call(Endpoint::Register, Some(body)).await
    }

    /// `POST /v1/connections/carriers/stamps_com/:carrier_id/verification`: sends a text message
    /// with a code to `phone` (10 digits, no punctuation).
    pub async fn request_verification_code(
        &self,
        carrier_id: &CarrierId,
        phone: &str,
    ) -> Result<VerificationStarted, ShipEngineError> {
        let endpoint = Endpoint::RequestVerificationCode { carrier_id };
        self.call(endpoint, Some(&VerificationCodeRequest::sms(phone)))
            .await
    }

    /// `PUT /v1/connections/carriers/stamps_com/:carrier_id/verification/:verification_id`.
    pub async fn submit_verification_code(
        &self,
        carrier_id: &CarrierId,
        verification_id: &VerificationId,
        code: &str,
    ) -> Result<VerificationResult, ShipEngineError> {
        let endpoint = Endpoint::SubmitVerificationCode {
            carrier_id,
            verification_id,
        };
        self.call(
            endpoint,
            Some(&VerificationCodeSubmission {
                verification_code: code,
            }),
        )
        .await
    }

    /// `GET /v1/carriers`: every carrier of the key's account. A read: retried like the code
    /// check (after a 429, or a lost connection).
    pub async fn list_carriers(&self) -> Result<CarrierList, ShipEngineError> {
        self.call(Endpoint::ListCarriers, None::<&()>).await
    }

    /// `POST /v1/connections/carriers/stamps_com`: connects an existing Stamps.com account by
    /// its login. Creates a carrier, so never repeated on a doubt (a second attempt could find
    /// the first one's `carrier_conflict`, or connect twice). Refusals, all 400: wrong login
    /// (`unauthorized`), locked account (`forbidden`, `account_status`), already connected
    /// (`carrier_conflict`).
    pub async fn connect_stamps_account(
        &self,
        body: &ConnectStampsRequest,
    ) -> Result<StampsConnected, ShipEngineError> {
        self.call(Endpoint::ConnectStampsCom, Some(body)).await
    }

    /// `GET /v1/carriers/:carrier_id`: the carrier and its balance; 404 `not_found` for an
    /// unknown id. A read: retried like the list.
    pub async fn carrier(&self, carrier_id: &CarrierId) -> Result<CarrierDetails, ShipEngineError> {
        self.call(Endpoint::Carrier { carrier_id }, None::<&()>)
            .await
    }

    /// `PUT /v1/carriers/:carrier_id/add_funds`: charges the account's card. Money moves, and
    /// the call is not idempotent upstream: only a 429 is retried, never a doubt (see
    /// [`ShipEngineError::may_have_taken_effect`]). Refusals, 400: `funding_source_error` (card
    /// declined), `funding_source_missing_configuration` (not enabled for the account), field
    /// errors on `amount` (at least [`Money::MIN_FUNDS_USD`]) or `currency`.
    pub async fn add_funds(
        &self,
        carrier_id: &CarrierId,
        amount: &Money,
    ) -> Result<FundsAdded, ShipEngineError> {
        self.call(Endpoint::AddFunds { carrier_id }, Some(amount))
            .await
    }

    /// `PUT /v1/connections/carriers/stamps_com/:carrier_id/request_account_url`: sign-in links
    /// into the Stamps.com account, one per type asked. Changes nothing, so retried like a read.
    pub async fn request_account_urls(
        &self,
        carrier_id: &CarrierId,
        url_types: &[AccountUrlType],
    ) -> Result<AccountUrls, ShipEngineError> {
        let endpoint = Endpoint::RequestAccountUrls { carrier_id };
        self.call(endpoint, Some(&AccountUrlsRequest { url_types }))
            .await
    }

    /// `POST /v1/addresses/validate`: one result per address, in order. Changes nothing, so
    /// retried like a read. A plan without address validation answers 400
    /// `invalid_billing_plan`: the caller goes on without validation.
    pub async fn validate_addresses(
        &self,
        addresses: &[Address],
    ) -> Result<AddressValidations, ShipEngineError> {
        self.call(Endpoint::ValidateAddresses, Some(&addresses))
            .await
    }

    /// Makes the call, retrying as [`RetryPolicy`] allows. Each attempt is logged and measured.
    async fn call<T: Reply>(
        &self,
        endpoint: Endpoint<'_>,
        body: Option<&impl Serialize>,
    ) -> Result<T, ShipEngineError> {
        let (mut retries, mut waited) = (0, Duration::ZERO);
        loop {
            let started = Instant::now();
            let outcome = self.exchange::<T>(endpoint, body).await;
            let elapsed = started.elapsed();
            log_outcome(endpoint, &outcome, elapsed);
            metrics::upstream_call(endpoint.name(), outcome_label(&outcome), elapsed);
            let failure = match outcome {
                Ok(answered) => return Ok(answered.value.with_request_id(answered.request_id)),
                Err(failure) => failure,
            };
            let attempt = FailedAttempt {
                error: &failure.error,
                idempotent: endpoint.is_idempotent(),
                timed_out: failure
                    .cause
                    .as_ref()
                    .is_some_and(reqwest::Error::is_timeout),
            };
            let Some(delay) = self.retry.delay(attempt, retries, waited) else {
                return Err(failure.error);
            };
            retries += 1;
            waited += delay;
            tracing::info!(
                endpoint = endpoint.name(),
                retry = retries,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "retrying the ShipEngine call"
            );
            tokio::time::sleep(delay).await;
        }
    }

    async fn exchange<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint<'_>,
        body: Option<&impl Serialize>,
    ) -> Result<Answered<T>, Failure> {
        let url = format!("{}{}", self.base_url, endpoint.path());
        // Held for this attempt only, not across a retry's wait. Waiting for one counts as
        // connecting: past the connect timeout nothing was sent, and the caller hears so.
        let permit = tokio::time::timeout(self.connect_timeout, self.in_flight.acquire()).await;
        let Ok(Ok(_permit)) = permit else {
            tracing::warn!(
                endpoint = endpoint.name(),
                "no free slot for a ShipEngine call"
            );
            return Err(Failure {
                error: ShipEngineError::Connect,
                cause: None,
            });
        };
        let mut request = self.http.request(endpoint.method(), url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(Failure::sending)?;
        let head = AnswerHead::new(response.status(), response.headers());
        let body = match read_capped_body(response).await {
            Ok(body) => body,
            Err(BodyFailure::TooLarge) => return Err(head.unexpected_body().into()),
            Err(BodyFailure::Transport(cause)) => {
                return Err(Failure {
                    error: head.body_lost(),
                    cause: Some(cause),
                });
            }
        };
        let (status, request_id) = (head.status.as_u16(), head.request_id.clone());
        let value = head.decode(&body)?;
        Ok(Answered {
            status,
            request_id,
            value,
        })
    }
}

impl fmt::Debug for ShipEngineClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShipEngineClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn default_headers(api_key: &ApiKey) -> Result<HeaderMap, ClientBuildError> {
    let mut key = HeaderValue::from_str(api_key.expose())
        .map_err(|_| ClientBuildError::InvalidApiKeyHeader)?;
    // Masks the value in any Debug output of the headers (and keeps it out of HTTP/2 tables).
    key.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(HeaderName::from_static("api-key"), key);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    // `Content-Type: application/json` is set by `RequestBuilder::json` on every call.
    Ok(headers)
}

#[derive(Clone, Copy)]
enum Endpoint<'a> {
    Register,
    RequestVerificationCode {
        carrier_id: &'a CarrierId,
    },
    SubmitVerificationCode {
        carrier_id: &'a CarrierId,
        verification_id: &'a VerificationId,
    },
    ListCarriers,
    ConnectStampsCom,
    Carrier {
        carrier_id: &'a CarrierId,
    },
    AddFunds {
        carrier_id: &'a CarrierId,
    },
    RequestAccountUrls {
        carrier_id: &'a CarrierId,
    },
    ValidateAddresses,
}

impl Endpoint<'_> {
    fn name(self) -> &'static str {
        match self {
            Self::Register => "register_stamps_com",
            Self::RequestVerificationCode { .. } => "request_verification_code",
            Self::SubmitVerificationCode { .. } => "submit_verification_code",
            Self::ListCarriers => "list_carriers",
            Self::ConnectStampsCom => "connect_stamps_com",
            Self::Carrier { .. } => "get_carrier",
            Self::AddFunds { .. } => "add_funds",
            Self::RequestAccountUrls { .. } => "request_account_url",
            Self::ValidateAddresses => "validate_addresses",
        }
    }

    /// Repeating the call does nothing more than the first one did. Not the calls that open or
    /// connect an account, send a text message or charge a card.
    fn is_idempotent(self) -> bool {
        match self {
            Self::SubmitVerificationCode { .. }
            | Self::ListCarriers
            | Self::Carrier { .. }
            | Self::RequestAccountUrls { .. }
            | Self::ValidateAddresses => true,
            Self::Register
            | Self::RequestVerificationCode { .. }
            | Self::ConnectStampsCom
            | Self::AddFunds { .. } => false,
        }
    }

    fn method(self) -> Method {
        match self {
            Self::Register
            | Self::RequestVerificationCode { .. }
            | Self::ConnectStampsCom
            | Self::ValidateAddresses => Method::POST,
            Self::SubmitVerificationCode { .. }
            | Self::AddFunds { .. }
            | Self::RequestAccountUrls { .. } => Method::PUT,
            Self::ListCarriers | Self::Carrier { .. } => Method::GET,
        }
    }

    /// The ids are path-safe by construction (letters, digits, `-`, `_`), so they go in as is.
    fn path(self) -> String {
        const CARRIERS: &str = "/v1/connections/carriers/stamps_com";
        match self {
            Self::Register => "/v1/registration/stamps_com".to_owned(),
            Self::RequestVerificationCode { carrier_id } => {
                format!("{CARRIERS}/{carrier_id}/verification")
            }
            Self::SubmitVerificationCode {
                carrier_id,
                verification_id,
            } => {
                format!("{CARRIERS}/{carrier_id}/verification/{verification_id}")
            }
            Self::ListCarriers => "/v1/carriers".to_owned(),
            Self::ConnectStampsCom => CARRIERS.to_owned(),
            Self::Carrier { carrier_id } => format!("/v1/carriers/{carrier_id}"),
            Self::AddFunds { carrier_id } => format!("/v1/carriers/{carrier_id}/add_funds"),
            Self::RequestAccountUrls { carrier_id } => {
                format!("{CARRIERS}/{carrier_id}/request_account_url")
            }
            Self::ValidateAddresses => "/v1/addresses/validate".to_owned(),
        }
    }
}

/// A decoded 2xx, with what the log needs.
struct Answered<T> {
    status: u16,
    request_id: Option<String>,
    value: T,
}

/// A failed call, with the transport error behind it when there is one (for the log only).
struct Failure {
    error: ShipEngineError,
    cause: Option<reqwest::Error>,
}

impl Failure {
    /// Sorts a failed send by whether the request can have reached ShipEngine. Only a connector
    /// error (`is_connect`: DNS, TCP, TLS, or the connect timeout) or a request that could not be
    /// built (`is_builder`) proves nothing was sent. Anything else leaves the outcome unknown: the
    /// total timeout (`is_timeout`; it may also fire while connecting, which is then reported
    /// as unknown, erring on the safe side), or a connection closed before the answer came
    /// (`is_request`).
    fn sending(cause: reqwest::Error) -> Self {
        let error = if cause.is_connect() || cause.is_builder() {
            ShipEngineError::Connect
        } else {
            ShipEngineError::NoResponse
        };
        Self {
            error,
            cause: Some(cause),
        }
    }
}

impl From<ShipEngineError> for Failure {
    fn from(error: ShipEngineError) -> Self {
        Self { error, cause: None }
    }
}

fn log_outcome<T>(
    endpoint: Endpoint<'_>,
    outcome: &Result<Answered<T>, Failure>,
    elapsed: Duration,
) {
    let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    let (name, method) = (endpoint.name(), endpoint.method());
    match outcome {
        Ok(answered) => tracing::info!(
            endpoint = name,
            %method,
            status = answered.status,
            request_id = answered.request_id.as_deref(),
            elapsed_ms,
            "ShipEngine call succeeded"
        ),
        Err(Failure { error, cause }) => tracing::warn!(
            endpoint = name,
            %method,
            status = error.status(),
            request_id = error.request_id(),
            elapsed_ms,
            cause = cause.as_ref().map(|cause| tracing::field::display(ErrorChain(cause))),
            %error,
            "ShipEngine call failed"
        ),
    }
}

/// The `outcome` label of the call's latency metric: few values, so dashboards can group by it.
fn outcome_label<T>(outcome: &Result<Answered<T>, Failure>) -> &'static str {
    let Err(Failure { error, .. }) = outcome else {
        return "success";
    };
    match error {
        ShipEngineError::Api { status: 429, .. } => "rate_limited",
        ShipEngineError::Api { status, .. } if *status >= 500 => "server_error",
        ShipEngineError::Api { .. } => "client_error",
        ShipEngineError::UnexpectedBody { .. } => "unexpected_body",
        ShipEngineError::Connect => "connect_error",
        ShipEngineError::NoResponse => "no_response",
    }
}

/// An error and its sources, `outer: inner: root`, so a log line says "connection refused" or
/// "invalid peer certificate" rather than just "error sending request".
struct ErrorChain<'a>(&'a reqwest::Error);

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}
