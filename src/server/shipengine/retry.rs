//! Which failed calls are tried again, and after how long.
//!
//! Only failures that prove the call did nothing, or calls that do no harm twice:
//! - a 429, on every call: ShipEngine refused it unprocessed and said when to come back
//!   (`Retry-After`, honoured only while the total wait stays within bounds);
//! - a connection failure of an idempotent call: the `PUT` that submits a code (the right code
//!   again answers `verified`) and the calls that change nothing (the carriers, a carrier, the
//!   account links, address validation), so even a connection lost mid-call is safe to repeat.
//!
//! Never a registration `POST` or the connection of an existing Stamps.com account after a
//! timeout or a lost connection (it may have opened or connected an account), nor a code `POST`
//! (each one sends a paid text message), nor `add_funds` (it may have charged the card). A timeout is not retried
//! either: the merchant has already waited the whole timeout once.

use std::time::Duration;

use super::ShipEngineError;

/// How much retrying a call may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 turns retrying off.
    pub max_retries: u32,
    /// The longest total wait between attempts, summed over a call's retries. A `Retry-After`
    /// that would go past it is not waited for: the 429 is the answer.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            max_wait: Duration::from_secs(5),
        }
    }
}

/// When a 429 comes without `Retry-After`.
const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(1);
/// Before repeating a `PUT` whose connection failed: a moment for a blip to pass.
const RECONNECT_WAIT: Duration = Duration::from_millis(200);

/// What the retry decision needs to know about a failed attempt.
#[derive(Clone, Copy, Debug)]
pub(super) struct FailedAttempt<'a> {
    pub error: &'a ShipEngineError,
    /// The call can be repeated without effect (the code-submitting `PUT`).
    pub idempotent: bool,
    /// The total timeout ended the attempt.
    pub timed_out: bool,
}

impl RetryPolicy {
    /// How long to wait before the next attempt, or `None` to give up with this failure.
    /// `retries` were made so far, after `waited` in total.
    pub(super) fn delay(
        &self,
        failed: FailedAttempt<'_>,
        retries: u32,
        waited: Duration,
    ) -> Option<Duration> {
        if retries >= self.max_retries {
            return None;
        }
        let delay = match failed.error {
            ShipEngineError::Api { status: 429, .. } => failed
                .error
                .retry_after()
                .unwrap_or(DEFAULT_RATE_LIMIT_WAIT),
            ShipEngineError::Connect if failed.idempotent => RECONNECT_WAIT,
            ShipEngineError::NoResponse if failed.idempotent && !failed.timed_out => RECONNECT_WAIT,
            _ => return None,
        };
        (waited + delay <= self.max_wait).then_some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate_limited(retry_after_secs: Option<u64>) -> ShipEngineError {
        ShipEngineError::Api {
            status: 429,
            request_id: None,
            errors: vec![],
            retry_after: retry_after_secs.map(Duration::from_secs),
        }
    }

    fn api(status: u16) -> ShipEngineError {
        ShipEngineError::Api {
            status,
            request_id: None,
            errors: vec![],
            retry_after: None,
        }
    }

    fn attempt(error: &ShipEngineError, idempotent: bool) -> FailedAttempt<'_> {
        FailedAttempt {
            error,
            idempotent,
            timed_out: false,
        }
    }

    const POLICY: RetryPolicy = RetryPolicy {
        max_retries: 2,
        max_wait: Duration::from_secs(5),
    };

    #[test]
    fn a_429_is_retried_on_every_call_after_its_retry_after() {
        let error = rate_limited(Some(2));
        for idempotent in [false, true] {
            assert_eq!(
                POLICY.delay(attempt(&error, idempotent), 0, Duration::ZERO),
                Some(Duration::from_secs(2))
            );
        }
        let bare = rate_limited(None);
        assert_eq!(
            POLICY.delay(attempt(&bare, false), 0, Duration::ZERO),
            Some(DEFAULT_RATE_LIMIT_WAIT)
        );
    }

    #[test]
    fn waits_and_retries_are_bounded() {
        let error = rate_limited(Some(2));
        assert_eq!(
            POLICY.delay(attempt(&error, false), 1, Duration::from_secs(2)),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            POLICY.delay(attempt(&error, false), 1, Duration::from_secs(4)),
            None,
            "past the total wait"
        );
        assert_eq!(
            POLICY.delay(attempt(&error, false), 2, Duration::ZERO),
            None,
            "past the retries"
        );
        let long = rate_limited(Some(60));
        assert_eq!(POLICY.delay(attempt(&long, false), 0, Duration::ZERO), None);
        let off = RetryPolicy {
            max_retries: 0,
            ..POLICY
        };
        assert_eq!(off.delay(attempt(&error, true), 0, Duration::ZERO), None);
    }

    #[test]
    fn connection_failures_are_retried_only_for_the_idempotent_put() {
        for error in [ShipEngineError::Connect, ShipEngineError::NoResponse] {
            assert_eq!(
                POLICY.delay(attempt(&error, true), 0, Duration::ZERO),
                Some(RECONNECT_WAIT)
            );
            assert_eq!(
                POLICY.delay(attempt(&error, false), 0, Duration::ZERO),
                None,
                "never a POST: {error:?}"
            );
        }
        let timed_out = FailedAttempt {
            timed_out: true,
            ..attempt(&ShipEngineError::NoResponse, true)
        };
        assert_eq!(POLICY.delay(timed_out, 0, Duration::ZERO), None);
    }

    #[test]
    fn answers_are_never_retried() {
        for status in [400, 401, 404, 409, 500, 503] {
            let error = api(status);
            assert_eq!(
                POLICY.delay(attempt(&error, true), 0, Duration::ZERO),
                None,
                "{status}"
            );
        }
        let unexpected = ShipEngineError::UnexpectedBody {
            status: 200,
            request_id: None,
        };
        assert_eq!(
            POLICY.delay(attempt(&unexpected, true), 0, Duration::ZERO),
            None
        );
    }
}
