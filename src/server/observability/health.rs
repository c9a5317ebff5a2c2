//! `/healthz`: the process answers. `/readyz`: it can do its work.
//!
//! Readiness is checked in the background, once at start-up and then every
//! [`REFRESH_EVERY`], never per request: a client hitting `/readyz` in a loop costs a read of a
//! flag, not a database query and a DNS lookup each time. The answer is `ready` or `not ready`;
//! which check failed, and why, goes to the log only (it names hosts and database errors). As
//! JSON it adds whether the USPS address check is available (see [`ready`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::server::AppState;
use crate::server::storage::{Database, on_pool};

/// How long one check may take before the app counts as not ready.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// How often the checks run after the first.
pub const REFRESH_EVERY: Duration = Duration::from_secs(5);

pub async fn alive() -> &'static str {
    "ok"
}

/// The latest outcome of the readiness checks, refreshed by a background task.
#[derive(Debug)]
pub struct Readiness {
    ready: AtomicBool,
    /// How many times the checks have run: what shows they do not run per request.
    checks_run: AtomicU64,
}

impl Readiness {
    /// Runs the checks once, then every [`REFRESH_EVERY`] in a task that ends once the last
    /// handle to the result is dropped.
    pub async fn start(database: Database, base_url: String) -> Arc<Self> {
        let readiness = Arc::new(Self {
            ready: AtomicBool::new(false),
            checks_run: AtomicU64::new(0),
        });
        let failing = readiness.refresh(&database, &base_url, None).await;
        tokio::spawn(refresh_in_background(
            Arc::downgrade(&readiness),
            database,
            base_url,
            failing,
        ));
        readiness
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    /// How many times the checks have run since start-up.
    pub fn checks_run(&self) -> u64 {
        self.checks_run.load(Ordering::Relaxed)
    }

    /// Runs every check; logs when the set of failures differs from `before`; returns it.
    async fn refresh(
        &self,
        database: &Database,
        base_url: &str,
        before: Option<&[String]>,
    ) -> Vec<String> {
        let (database, upstream) =
            tokio::join!(database_answers(database), upstream_resolves(base_url));
        let failing: Vec<String> = [database, upstream]
            .into_iter()
            .filter_map(Result::err)
            .collect();
        self.checks_run.fetch_add(1, Ordering::Relaxed);
        self.ready.store(failing.is_empty(), Ordering::Relaxed);
        if before != Some(failing.as_slice()) {
            if failing.is_empty() {
                tracing::info!("ready: the database answers and ShipEngine's host resolves");
            } else {
                tracing::warn!(failing = ?failing, "not ready");
            }
        }
        failing
    }
}

async fn refresh_in_background(
    readiness: Weak<Readiness>,
    database: Database,
    base_url: String,
    mut failing: Vec<String>,
) {
    let mut every = tokio::time::interval(REFRESH_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate, and the first check already ran.
    every.tick().await;
    loop {
        every.tick().await;
        let Some(readiness) = readiness.upgrade() else {
            return;
        };
        failing = readiness
            .refresh(&database, &base_url, Some(&failing))
            .await;
    }
}

/// 200 `ready` when the latest checks passed, else 503 `not ready`. Asked for JSON, the same
/// status with details an operator can act on and nothing that names a host or an error:
/// `{"status": "ready", "details": {"address_validation": "on"}}`, where the USPS check is
/// `on`, `off` (`ADDRESS_VALIDATION=off`) or `unavailable: <cause>` (the operator's plan, no
/// answer, …). It never makes the app not ready: registrations go on without it.
pub async fn ready(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (status, text) = if state.readiness.is_ready() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    };
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    if wants_json {
        let details = serde_json::json!({
            "status": text,
            "details": {"address_validation": state.address_checks.status()},
        });
        return (status, Json(details)).into_response();
    }
    (status, text).into_response()
}

/// Whether the database answers a trivial query, within [`CHECK_TIMEOUT`]; else why not.
async fn database_answers(database: &Database) -> Result<(), String> {
    let query = async {
        on_pool!(database, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(drop))
    };
    let backend = database.backend();
    match tokio::time::timeout(CHECK_TIMEOUT, query).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(format!("database ({backend}): {error}")),
        Err(_) => Err(format!(
            "database ({backend}) did not answer within {CHECK_TIMEOUT:?}"
        )),
    }
}

/// Whether the host of ShipEngine's base URL resolves, within [`CHECK_TIMEOUT`]; else why not.
async fn upstream_resolves(base_url: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(base_url)
        .map_err(|error| format!("upstream_dns: bad base URL: {error}"))?;
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return Err("upstream_dns: the base URL has no host".to_owned());
    };
    // An IPv6 literal comes bracketed from `Url`; the resolver wants it bare.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match tokio::time::timeout(CHECK_TIMEOUT, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(mut addresses)) => match addresses.next() {
            Some(_) => Ok(()),
            None => Err(format!("upstream_dns: {host} has no address")),
        },
        Ok(Err(error)) => Err(format!("upstream_dns: {host} does not resolve: {error}")),
        Err(_) => Err(format!(
            "upstream_dns: {host} did not resolve within {CHECK_TIMEOUT:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_loopback_address_resolves_and_a_reserved_name_does_not() {
        let ok = upstream_resolves("http://127.0.0.1:4010").await;
        assert!(ok.is_ok(), "{ok:?}");
        // `.invalid` is reserved never to resolve (RFC 2606).
        let bad = upstream_resolves("https://api.shipengine.invalid").await;
        assert!(bad.is_err(), "{bad:?}");
    }
}
