//! `/healthz`: the process answers. `/readyz`: it can do its work, check by check (a new
//! dependency is one more entry).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::server::AppState;
use crate::server::storage::{Database, on_pool};

/// How long one check may take before the app counts as not ready.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn alive() -> &'static str {
    "ok"
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Ok,
    Failed,
}

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    outcome: Outcome,
    detail: String,
}

#[derive(Debug, Serialize)]
struct Readiness {
    ready: bool,
    checks: Vec<Check>,
}

/// 200 when every check passes, 503 with the failing ones otherwise.
pub async fn ready(State(state): State<AppState>) -> Response {
    let checks = vec![
        Check {
            name: "configuration",
            outcome: Outcome::Ok,
            // The configuration is checked once, at start-up, which refuses a bad one.
            detail: "valid".to_owned(),
        },
        database_answers(&state.database).await,
        upstream_resolves(state.shipengine.base_url()).await,
    ];
    let ready = checks
        .iter()
        .all(|check| !matches!(check.outcome, Outcome::Failed));
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(Readiness { ready, checks })).into_response()
}

/// Whether the database answers a trivial query, within [`CHECK_TIMEOUT`].
async fn database_answers(database: &Database) -> Check {
    let query = async {
        on_pool!(database, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(drop))
    };
    let (outcome, detail) = match tokio::time::timeout(CHECK_TIMEOUT, query).await {
        Ok(Ok(())) => (Outcome::Ok, format!("{} answers", database.backend())),
        Ok(Err(error)) => (Outcome::Failed, format!("{}: {error}", database.backend())),
        Err(_) => (
            Outcome::Failed,
            format!(
                "{} did not answer within {CHECK_TIMEOUT:?}",
                database.backend()
            ),
        ),
    };
    Check {
        name: "database",
        outcome,
        detail,
    }
}

/// Whether the host of ShipEngine's base URL resolves, within [`CHECK_TIMEOUT`].
async fn upstream_resolves(base_url: &str) -> Check {
    let check = |outcome, detail: String| Check {
        name: "upstream_dns",
        outcome,
        detail,
    };
    let url = match reqwest::Url::parse(base_url) {
        Ok(url) => url,
        Err(error) => return check(Outcome::Failed, format!("bad base URL: {error}")),
    };
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return check(Outcome::Failed, "the base URL has no host".to_owned());
    };
    // An IPv6 literal comes bracketed from `Url`; the resolver wants it bare.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match tokio::time::timeout(CHECK_TIMEOUT, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(mut addresses)) => match addresses.next() {
            Some(_) => check(Outcome::Ok, format!("{host} resolves")),
            None => check(Outcome::Failed, format!("{host} has no address")),
        },
        Ok(Err(error)) => check(Outcome::Failed, format!("{host} does not resolve: {error}")),
        Err(_) => check(
            Outcome::Failed,
            format!("{host} did not resolve within {CHECK_TIMEOUT:?}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_loopback_address_resolves_and_a_reserved_name_does_not() {
        let ok = upstream_resolves("http://127.0.0.1:4010").await;
        assert!(matches!(ok.outcome, Outcome::Ok), "{ok:?}");
        // `.invalid` is reserved never to resolve (RFC 2606).
        let bad = upstream_resolves("https://api.shipengine.invalid").await;
        assert!(matches!(bad.outcome, Outcome::Failed), "{bad:?}");
    }
}
