//! The state behind a [`Simulator`], and the checks every API call goes through.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use super::faults::FaultQueue;
use super::funds::Charge;
use super::rate_limit::RateLimiter;
use super::record::{RecordedRequest, RequestLog};
use super::stamps_logins::StampsLogins;
use super::verification::Carriers;
use super::{SANDBOX_RATE_LIMIT_PER_MINUTE, Simulator, SimulatorConfig};

const SANDBOX_KEY_PREFIX: &str = "TEST_";

#[derive(Debug)]
pub(crate) struct Shared {
    config: SimulatorConfig,
    state: Mutex<State>,
}

impl Shared {
    pub fn new(config: SimulatorConfig) -> Self {
        Self {
            state: Mutex::new(State::new(&config)),
            config,
        }
    }
}

/// Everything that changes; locked briefly, never across an `.await`.
#[derive(Debug)]
pub(crate) struct State {
    pub log: RequestLog,
    pub faults: FaultQueue,
    pub carriers: Carriers,
    pub rate_limiter: RateLimiter,
    pub stamps_logins: StampsLogins,
    /// Every successful `add_funds`, oldest first.
    pub charges: Vec<Charge>,
    /// The account's plan includes address validation.
    pub address_validation_allowed: bool,
}

impl State {
    fn new(config: &SimulatorConfig) -> Self {
        Self {
            log: RequestLog::default(),
            faults: FaultQueue::default(),
            carriers: Carriers::default(),
            rate_limiter: RateLimiter::default(),
            stamps_logins: StampsLogins::new(&config.stamps_logins),
            charges: Vec::new(),
            address_validation_allowed: config.address_validation_allowed,
        }
    }
}

impl Simulator {
    pub(crate) fn config(&self) -> &SimulatorConfig {
        &self.shared.config
    }

    /// The state, even after a panic elsewhere: a test server should keep answering.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn record(&self, mut request: RecordedRequest) {
        if self.config().redact_card_numbers {
            request.redact_card_numbers();
        }
        // A Stamps.com password is never kept, whatever the configuration.
        if request.endpoint == Some(super::Endpoint::ConnectStampsCom) {
            request.redact_password();
        }
        let user_agent = request
            .headers
            .iter()
            .find(|(name, _)| name == "user-agent");
        tracing::info!(
            method = %request.method,
            path = %request.path,
            user_agent = user_agent.map(|(_, value)| value.as_str()),
            "shipengine simulator received a request"
        );
        self.state().log.push(request);
    }

    /// The key if it is acceptable: not blank, and configured when a list is configured.
    pub(crate) fn authenticate(&self, api_key: Option<&str>) -> Option<String> {
        let key = api_key?.trim();
        let accepted = &self.config().api_keys;
        let known = accepted.is_empty() || accepted.iter().any(|accepted| accepted == key);
        (!key.is_empty() && known).then(|| key.to_owned())
    }

    /// Counts a request against the key's limit, or returns the seconds to wait.
    pub(crate) fn admit_rate(&self, api_key: &str) -> Result<(), u64> {
        let limit = self.rate_limit_for(api_key);
        self.state()
            .rate_limiter
            .admit(api_key, limit, Instant::now())
    }

    fn rate_limit_for(&self, api_key: &str) -> u32 {
        let configured = self.config().rate_limit_per_minute;
        if is_sandbox_key(api_key) {
            configured.min(SANDBOX_RATE_LIMIT_PER_MINUTE)
        } else {
            configured
        }
    }
}

pub(crate) fn is_sandbox_key(api_key: &str) -> bool {
    api_key.starts_with(SANDBOX_KEY_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simulator(api_keys: &[&str], rate_limit_per_minute: u32) -> Simulator {
        Simulator::new(SimulatorConfig {
            api_keys: api_keys.iter().map(|key| key.to_string()).collect(),
            rate_limit_per_minute,
            ..SimulatorConfig::default()
        })
    }

    #[test]
    fn any_non_blank_key_is_accepted_when_none_is_configured() {
        let simulator = simulator(&[], 200);
        assert_eq!(
            simulator.authenticate(Some("anything")),
            Some("anything".into())
        );
        assert_eq!(simulator.authenticate(Some("  ")), None);
        assert_eq!(simulator.authenticate(None), None);
    }

    #[test]
    fn only_configured_keys_are_accepted_when_some_are() {
        let simulator = simulator(&["good"], 200);
        assert_eq!(simulator.authenticate(Some("good")), Some("good".into()));
        assert_eq!(simulator.authenticate(Some("bad")), None);
    }

    #[test]
    fn sandbox_keys_get_the_sandbox_limit_at_most() {
        assert_eq!(simulator(&[], 200).rate_limit_for("TEST_abc"), 20);
        assert_eq!(simulator(&[], 5).rate_limit_for("TEST_abc"), 5);
        assert_eq!(simulator(&[], 200).rate_limit_for("live"), 200);
    }
}
