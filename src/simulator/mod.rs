//! A ShipEngine simulator: a real HTTP server speaking the three Stamps.com calls, the list of
//! carriers and the calls around the account (connect an existing Stamps.com account, a carrier
//! and its balance, add funds, links into the account, address validation) exactly as the
//! upstream contract (`shipengine/API.md`) describes them, for tests and the demo mode.
//!
//! It checks the `API-Key` header (401), validates bodies field by field (400 with
//! `field_name`), runs the verification state machine with a fixed code, rate-limits per key
//! (429 + `Retry-After`) and answers every error with ShipEngine's envelope and
//! `x-shipengine-requestid` header. Tests can inject [`Fault`]s per [`Endpoint`] and read the
//! [`RecordedRequest`]s, in process or over HTTP under `/__simulator`:
//!
//! | request                          | effect                                                   |
//! |----------------------------------|----------------------------------------------------------|
//! | `GET /__simulator/requests`      | the record, a JSON array of [`RecordedRequest`]          |
//! | `DELETE /__simulator/requests`   | clears the record (204)                                  |
//! | `POST /__simulator/faults`       | `{"endpoint":"register","fault":{"kind":"unavailable"},"times":1}` (204) |
//! | `DELETE /__simulator/faults`     | clears pending faults (204)                              |
//! | `POST /__simulator/carriers`     | `{"nickname":"…","carrier_code":"stamps_com"}`: adds a carrier (201 `{"carrier_id"}`) |
//! | `PATCH /__simulator/carriers/{carrier_id}/funding` | `{"enabled":false,"card_declined":true}`: how `add_funds` behaves (204, 404) |
//! | `GET /__simulator/charges`       | every successful `add_funds`, a JSON array of [`Charge`] |
//! | `POST /__simulator/stamps_logins` | `{"username":"…","password":"…","locked":false}`: a connectable Stamps.com account (204) |
//! | `PUT /__simulator/address_validation` | `{"allowed":false}`: the plan without address validation (204) |
//! | `GET /__simulator/health`        | 200 `{"status":"ok"}`                                    |

mod account_routes;
mod account_validation;
mod address_validation;
mod carrier_list;
mod connection;
mod control;
mod envelope;
mod faults;
mod funds;
mod rate_limit;
mod record;
mod routes;
mod stamps_logins;
mod state;
mod validation;
mod verification;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::Fault;
pub use funds::Charge;
pub use record::{Endpoint, REDACTED_PASSWORD, RecordedRequest};
pub use stamps_logins::{
    DEMO_STAMPS_PASSWORD, DEMO_STAMPS_USERNAME, LOCKED_STAMPS_USERNAME, StampsLogin,
};

use connection::{ConnectionDropper, DroppableListener};
use state::Shared;

/// How the simulator behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulatorConfig {
    /// The one code that verifies a phone (shown on the page in demo mode).
    pub verification_code: String,
    /// Accepted API keys; empty accepts any non-blank key.
    pub api_keys: Vec<String>,
    /// Requests per minute per key; `TEST_` keys get at most [`SANDBOX_RATE_LIMIT_PER_MINUTE`].
    pub rate_limit_per_minute: u32,
    /// Refuse registration, and the connection of an existing Stamps.com account, with a `TEST_`
    /// (sandbox) key, as ShipEngine's guide warns it may: 400 `business_rules`/`forbidden`.
    pub reject_sandbox_registration: bool,
    /// How long every API call takes before it is answered, as a network and ShipEngine's own
    /// work would (the benchmark relays against it); zero by default.
    pub latency: Duration,
    /// Record card numbers as their last four digits only (the brand is in `credit_card.type`):
    /// on for the demo mode's simulator, which may be shown real cards. Off by default, so that
    /// tests can assert the exact bodies sent.
    pub redact_card_numbers: bool,
    /// The existing Stamps.com accounts that can be connected; by default
    /// [`StampsLogin::demo_logins`].
    pub stamps_logins: Vec<StampsLogin>,
    /// The account's plan includes address validation (ShipEngine's Advanced plan); off, every
    /// `POST /v1/addresses/validate` is refused with `invalid_billing_plan`.
    pub address_validation_allowed: bool,
}

/// ShipEngine's documented limit for sandbox keys.
pub const SANDBOX_RATE_LIMIT_PER_MINUTE: u32 = 20;

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            verification_code: "123456".to_owned(),
            api_keys: Vec::new(),
            rate_limit_per_minute: 200,
            reject_sandbox_registration: false,
            latency: Duration::ZERO,
            redact_card_numbers: false,
            stamps_logins: StampsLogin::demo_logins(),
            address_validation_allowed: true,
        }
    }
}

/// The simulator's shared state; clones share it.
#[derive(Clone, Debug)]
pub struct Simulator {
    shared: Arc<Shared>,
}

impl Simulator {
    pub fn new(config: SimulatorConfig) -> Self {
        Self {
            shared: Arc::new(Shared::new(config)),
        }
    }

    /// The whole HTTP API, control endpoints included. Serve it with [`spawn`] for the
    /// `drop_connection` and `drop_answer` faults to work; any other server answers them with a
    /// 500.
    pub fn router(&self) -> axum::Router {
        routes::router(self.clone())
    }

    /// Every request received by the API (not the control endpoints), oldest first; only the
    /// latest 1 000 are kept.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().log.snapshot()
    }

    /// How many accounts it opened: registrations that succeeded (the record of requests also
    /// holds faulted and refused ones, and only the latest 1 000).
    pub fn registrations(&self) -> usize {
        self.state().carriers.count()
    }

    pub fn clear_requests(&self) {
        self.state().log.clear();
    }

    /// Plays `fault` on the next `times` requests to `endpoint`, after the faults already
    /// pending for it.
    pub fn inject_fault(&self, endpoint: Endpoint, fault: Fault, times: u32) {
        self.state().faults.inject(endpoint, fault, times);
    }

    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// Adds a carrier to the account that the register call did not open (another merchant's
    /// with the same nickname, or another carrier code): `GET /v1/carriers` lists it, and it
    /// does not count in [`Self::registrations`]. Returns its `se-…` id.
    pub fn add_carrier(&self, carrier_code: &str, nickname: &str) -> String {
        self.state().carriers.add(carrier_code, nickname)
    }
}

/// How a carrier's `add_funds` behaves, for `Simulator::set_funding`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingChange {
    /// Whether ShipEngine support enabled adding funds for the account (on by default).
    pub enabled: Option<bool>,
    /// Whether the account's card is declined (off by default).
    pub card_declined: Option<bool>,
}

impl Simulator {
    /// Makes an existing Stamps.com account connectable (or replaces its login).
    pub fn add_stamps_login(&self, login: StampsLogin) {
        self.state().stamps_logins.add(login);
    }

    /// Changes how `add_funds` behaves for a carrier; `false` if there is no such carrier.
    pub fn set_funding(&self, carrier_id: &str, change: FundingChange) -> bool {
        let mut state = self.state();
        let Some(carrier) = state.carriers.find_mut(carrier_id) else {
            return false;
        };
        if let Some(enabled) = change.enabled {
            carrier.funding.enabled = enabled;
        }
        if let Some(card_declined) = change.card_declined {
            carrier.funding.card_declined = card_declined;
        }
        true
    }

    /// Every successful `add_funds`, oldest first (faulted ones included when the work was
    /// done, as with `drop_answer`).
    pub fn charges(&self) -> Vec<Charge> {
        self.state().charges.clone()
    }

    /// Turns the plan's address validation on or off.
    pub fn set_address_validation_allowed(&self, allowed: bool) {
        self.state().address_validation_allowed = allowed;
    }
}

/// A simulator serving in a background task. Dropping it stops the server too.
#[derive(Debug)]
pub struct RunningSimulator {
    /// `http://IP:PORT` of the bound socket.
    pub base_url: String,
    pub simulator: Simulator,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl RunningSimulator {
    /// Stops accepting connections, lets requests in flight finish, and waits for the server.
    pub async fn shutdown(self) -> io::Result<()> {
        // An error means the server already stopped; the task's result says why.
        let _ = self.stop.send(());
        self.task.await.map_err(io::Error::other)?
    }
}

/// Binds `addr` (port 0 picks a free port) and serves `simulator` in a tokio task.
pub async fn spawn(simulator: Simulator, addr: SocketAddr) -> io::Result<RunningSimulator> {
    let listener = TcpListener::bind(addr).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let service = simulator
        .router()
        .into_make_service_with_connect_info::<ConnectionDropper>();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(DroppableListener(listener), service)
            .with_graceful_shutdown(async {
                // Resolves on `shutdown()` and when the `RunningSimulator` is dropped.
                let _ = stopped.await;
            })
            .await
    });
    tracing::info!(%base_url, "shipengine simulator serving");
    Ok(RunningSimulator {
        base_url,
        simulator,
        stop,
        task,
    })
}
