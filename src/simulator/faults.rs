//! Fault injection: failures played on the next requests to an endpoint.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::connection::ConnectionDropper;
use super::envelope::{ApiError, ErrorCode, ErrorDetail, ErrorType};
use super::record::Endpoint;

/// A failure to play on a request, tagged by `kind` in JSON:
///
/// | JSON                                  | effect                                           |
/// |---------------------------------------|--------------------------------------------------|
/// | `{"kind":"internal_error"}`           | 500, `system`/`unspecified` envelope             |
/// | `{"kind":"unavailable"}`              | 503, `system`/`unspecified` envelope             |
/// | `{"kind":"rate_limited"}`             | 429, `rate_limit_exceeded`, `Retry-After: 1`     |
/// | `{"kind":"refused"}`                  | 400, `business_rules`/`unspecified` envelope     |
/// | `{"kind":"delay","millis":5000}`      | waits, then answers normally                     |
/// | `{"kind":"malformed_body"}`           | 200 with a body that is not JSON                 |
/// | `{"kind":"drop_connection"}`          | closes the TCP connection without any response   |
/// | `{"kind":"drop_answer"}`              | does the work (opens the account), then closes   |
/// |                                       | the connection instead of answering              |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    InternalError,
    Unavailable,
    RateLimited,
    /// ShipEngine's own refusal, on no field: the one fault that says for sure that nothing
    /// happened (a 5xx or an unreadable answer leaves the outcome unknown).
    Refused,
    Delay {
        millis: u64,
    },
    MalformedBody,
    DropConnection,
    /// The call takes effect, then its answer is lost: what leaves a registration's outcome
    /// unknown although the account exists. Played by the route after its work (see
    /// [`Fault::drops_the_answer`]), not by [`Fault::play`].
    DropAnswer,
}

/// What a 429 fault asks the client to wait: short, so retry tests stay fast.
const FAULT_RETRY_AFTER_SECS: u64 = 1;

/// A body cut off mid-way, announced as JSON.
const MALFORMED_BODY: &str = r#"{"request_id": "7b1c0e52-3f"#;

impl Fault {
    /// The fault lets the call do its work and loses the answer afterwards.
    pub(crate) fn drops_the_answer(self) -> bool {
        self == Self::DropAnswer
    }

    /// Plays the fault: `Some(response)` replaces the normal answer, `None` lets it proceed.
    pub(crate) async fn play(self, connection: Option<&ConnectionDropper>) -> Option<Response> {
        let response = match self {
            Self::Delay { millis } => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                return None;
            }
            Self::DropAnswer => return None,
            Self::InternalError => ApiError::system(
                StatusCode::INTERNAL_SERVER_ERROR,
                "An internal error occurred (injected by the simulator).",
            )
            .into_response(),
            Self::Unavailable => ApiError::system(
                StatusCode::SERVICE_UNAVAILABLE,
                "The service is unavailable (injected by the simulator).",
            )
            .into_response(),
            Self::RateLimited => ApiError::rate_limited(FAULT_RETRY_AFTER_SECS).into_response(),
            Self::Refused => ApiError::single(
                StatusCode::BAD_REQUEST,
                ErrorDetail::new(
                    ErrorType::BusinessRules,
                    ErrorCode::Unspecified,
                    "The request was refused (injected by the simulator).",
                ),
            )
            .into_response(),
            Self::MalformedBody => (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                MALFORMED_BODY,
            )
                .into_response(),
            Self::DropConnection => drop_connection(connection),
        };
        Some(response)
    }
}

/// Drops the connection the request came on: the response returned never reaches the client.
pub(crate) fn drop_connection(connection: Option<&ConnectionDropper>) -> Response {
    match connection {
        Some(connection) => {
            connection.drop_connection();
            // Never reaches the client: writing it fails and hyper closes the socket.
            StatusCode::NO_CONTENT.into_response()
        }
        None => ApiError::system(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Dropping a connection needs the simulator served by simulator::spawn.",
        )
        .into_response(),
    }
}

#[derive(Debug)]
struct PendingFault {
    fault: Fault,
    remaining: u32,
}

/// Faults waiting per endpoint, played in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    pending: HashMap<Endpoint, VecDeque<PendingFault>>,
}

impl FaultQueue {
    pub fn inject(&mut self, endpoint: Endpoint, fault: Fault, times: u32) {
        if times > 0 {
            let queue = self.pending.entry(endpoint).or_default();
            queue.push_back(PendingFault {
                fault,
                remaining: times,
            });
        }
    }

    /// The fault for the next request to `endpoint`, if any, counting it as used.
    pub fn take(&mut self, endpoint: Endpoint) -> Option<Fault> {
        let queue = self.pending.get_mut(&endpoint)?;
        let front = queue.front_mut()?;
        let fault = front.fault;
        front.remaining -= 1;
        if front.remaining == 0 {
            queue.pop_front();
        }
        Some(fault)
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_is_tagged_by_kind() {
        let delay: Result<Fault, _> = serde_json::from_str(r#"{"kind":"delay","millis":5000}"#);
        assert_eq!(delay.ok(), Some(Fault::Delay { millis: 5000 }));
        let drop: Result<Fault, _> = serde_json::from_str(r#"{"kind":"drop_connection"}"#);
        assert_eq!(drop.ok(), Some(Fault::DropConnection));
        let refused: Result<Fault, _> = serde_json::from_str(r#"{"kind":"refused"}"#);
        assert_eq!(refused.ok(), Some(Fault::Refused));
        let lost: Result<Fault, _> = serde_json::from_str(r#"{"kind":"drop_answer"}"#);
        assert_eq!(lost.ok(), Some(Fault::DropAnswer));
        assert_eq!(
            serde_json::to_string(&Fault::InternalError).ok().as_deref(),
            Some(r#"{"kind":"internal_error"}"#)
        );
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"explode"}"#).is_err());
    }

    #[test]
    fn faults_play_in_order_for_their_count_and_endpoint_only() {
        let mut queue = FaultQueue::default();
        queue.inject(Endpoint::Register, Fault::Unavailable, 2);
        queue.inject(Endpoint::Register, Fault::MalformedBody, 1);
        queue.inject(Endpoint::SendCode, Fault::RateLimited, 0);
        assert_eq!(queue.take(Endpoint::SendCode), None);
        assert_eq!(queue.take(Endpoint::VerifyCode), None);
        assert_eq!(queue.take(Endpoint::Register), Some(Fault::Unavailable));
        assert_eq!(queue.take(Endpoint::Register), Some(Fault::Unavailable));
        assert_eq!(queue.take(Endpoint::Register), Some(Fault::MalformedBody));
        assert_eq!(queue.take(Endpoint::Register), None);
    }

    #[test]
    fn clear_forgets_every_pending_fault() {
        let mut queue = FaultQueue::default();
        queue.inject(Endpoint::VerifyCode, Fault::InternalError, 3);
        queue.clear();
        assert_eq!(queue.take(Endpoint::VerifyCode), None);
    }

    #[test]
    fn malformed_body_is_not_json() {
        assert!(serde_json::from_str::<serde_json::Value>(MALFORMED_BODY).is_err());
    }
}
