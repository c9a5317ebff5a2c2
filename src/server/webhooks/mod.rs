//! Webhooks to the operator's backend: every status change a registration announces (written to
//! the outbox in the transaction that makes it, see [`crate::server::storage::Database::record`])
//! is POSTed, signed, to `OPERATOR_WEBHOOK_URL`, in order per registration, at least once,
//! retried with backoff for `WEBHOOK_RETRY_FOR_SECS`, by one worker per instance.

mod schedule;
mod sender;
mod signature;
mod worker;

use std::time::Duration;

pub use schedule::{MAX_BACKOFF, RetrySchedule};
pub use sender::WebhookSender;
pub use signature::{EVENT_ID_HEADER, MIN_SECRET_CHARS, SIGNATURE_HEADER, WebhookSecret, sign};
pub use worker::{RunningWebhooks, WebhookWorker};

/// Where and how webhooks are delivered (read from the environment: see
/// [`crate::server::Config`]).
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// `OPERATOR_WEBHOOK_URL`: https, or http to a loopback address.
    pub url: reqwest::Url,
    /// `OPERATOR_WEBHOOK_SECRET`.
    pub secret: WebhookSecret,
    /// `WEBHOOK_TIMEOUT_SECS`: one attempt's longest wait for an answer.
    pub timeout: Duration,
    pub schedule: RetrySchedule,
    /// `WEBHOOK_POLL_MS`: how often an idle worker looks for due events.
    pub poll_every: Duration,
}

impl WebhookConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_RETRY_FOR: Duration = Duration::from_secs(3 * 24 * 3600);
    pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_secs(10);
    pub const DEFAULT_POLL_EVERY: Duration = Duration::from_secs(1);

    /// Delivery to `url`, signed with `secret`, with the default timing.
    pub fn new(url: reqwest::Url, secret: WebhookSecret) -> Self {
        Self {
            url,
            secret,
            timeout: Self::DEFAULT_TIMEOUT,
            schedule: RetrySchedule {
                base: Self::DEFAULT_BACKOFF_BASE,
                retry_for: Self::DEFAULT_RETRY_FOR,
            },
            poll_every: Self::DEFAULT_POLL_EVERY,
        }
    }
}
