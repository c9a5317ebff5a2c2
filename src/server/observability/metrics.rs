//! Prometheus metrics: the latency of every ShipEngine call by endpoint and outcome,
//! registrations by how they ended, codes sent, requests refused by a limit, and webhook
//! deliveries.
//!
//! Recording goes through the `metrics` facade, so any module counts with one call and no
//! handle to thread through; the facade's recorder is process-wide by design, like `tracing`'s
//! subscriber, hence the one [`OnceLock`].

use std::sync::OnceLock;
use std::time::Duration;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

const UPSTREAM_SECONDS: &str = "stamps_connect_upstream_request_duration_seconds";
const REGISTRATIONS: &str = "stamps_connect_registrations_total";
const CODES_SENT: &str = "stamps_connect_verification_codes_sent_total";
const LIMIT_REJECTIONS: &str = "stamps_connect_limit_rejections_total";
const WEBHOOK_ATTEMPTS: &str = "stamps_connect_webhook_attempts_total";
const WEBHOOKS_GIVEN_UP: &str = "stamps_connect_webhooks_given_up_total";

/// From a fast local answer to ShipEngine's slowest registrations and the 30 s timeout.
const UPSTREAM_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How often histograms are folded in when nobody scrapes (their samples would pile up).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// How a registration ended.
#[derive(Clone, Copy, Debug)]
pub enum Registration {
    /// ShipEngine opened the account.
    Registered,
    /// The form did not pass validation; nothing was sent upstream.
    Invalid,
    /// A limit refused it before it was sent upstream.
    Limited,
    /// ShipEngine refused it or failed.
    UpstreamError,
    /// Sent, but no usable answer came back: support must settle it.
    OutcomeUnknown,
}

impl Registration {
    fn label(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Invalid => "invalid",
            Self::Limited => "limited",
            Self::UpstreamError => "upstream_error",
            Self::OutcomeUnknown => "outcome_unknown",
        }
    }
}

/// Installs the process's recorder on first use (later calls return the same handle).
pub fn install() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(UPSTREAM_SECONDS.into()), UPSTREAM_BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        if let Err(error) = metrics::set_global_recorder(recorder) {
            tracing::warn!(%error, "another metrics recorder is installed: /metrics stays empty");
        }
        describe();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let handle = handle.clone();
            runtime.spawn(async move {
                let mut every = tokio::time::interval(UPKEEP_EVERY);
                loop {
                    every.tick().await;
                    handle.run_upkeep();
                }
            });
        }
        handle
    })
}

fn describe() {
    metrics::describe_histogram!(
        UPSTREAM_SECONDS,
        metrics::Unit::Seconds,
        "ShipEngine calls by endpoint and outcome"
    );
    metrics::describe_counter!(REGISTRATIONS, "Registrations by how they ended");
    metrics::describe_counter!(CODES_SENT, "Verification codes ShipEngine accepted to send");
    metrics::describe_counter!(LIMIT_REJECTIONS, "Requests refused by a limit, by limit");
    metrics::describe_counter!(WEBHOOK_ATTEMPTS, "Webhook deliveries tried, by outcome");
    metrics::describe_counter!(
        WEBHOOKS_GIVEN_UP,
        "Webhook events no longer tried: their retry window is over"
    );
    // Shown as 0 from the start, rather than missing until the first code.
    metrics::counter!(CODES_SENT).absolute(0);
}

/// One ShipEngine call: `outcome` is `success` or the kind of failure.
pub fn upstream_call(endpoint: &'static str, outcome: &'static str, elapsed: Duration) {
    metrics::histogram!(UPSTREAM_SECONDS, "endpoint" => endpoint, "outcome" => outcome)
        .record(elapsed.as_secs_f64());
}

pub fn registration(ended: Registration) {
    metrics::counter!(REGISTRATIONS, "status" => ended.label()).increment(1);
}

pub fn code_sent() {
    metrics::counter!(CODES_SENT).increment(1);
}

/// A request refused by the limit named `limit` (as [`crate::server::limits`] names it).
pub fn limit_rejected(limit: &'static str) {
    metrics::counter!(LIMIT_REJECTIONS, "limit" => limit).increment(1);
}

/// One attempt to deliver a webhook: `delivered` or `failed`.
pub fn webhook_attempt(delivered: bool) {
    let outcome = if delivered { "delivered" } else { "failed" };
    metrics::counter!(WEBHOOK_ATTEMPTS, "outcome" => outcome).increment(1);
}

pub fn webhook_given_up() {
    metrics::counter!(WEBHOOKS_GIVEN_UP).increment(1);
}

/// `GET /metrics`, in Prometheus' text format.
pub async fn render() -> Response {
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type)], install().render()).into_response()
}
