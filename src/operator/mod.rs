//! The operator's side (server only): its backend mints onboarding links for its merchants and
//! reads their registrations through a JSON API behind bearer tokens; a merchant opens a link at
//! `/start/{token}`. The handlers read the request and call plain services (`mint_link`,
//! `open_link`, `list_registrations`), which tests drive without HTTP too.

mod auth;
mod binding;
mod config;
mod error;
mod links;
mod registrations;
mod return_url;
mod start;

pub use binding::LinkBinding;
pub use config::OperatorConfig;
pub use error::OperatorError;
pub use links::{MintRequest, MintedLink, Prefill, mint_link};
pub use registrations::{ListQuery, RegistrationPage, RegistrationView, list_registrations};
pub use start::{LinkRefused, OpenedLink, open_link, start_from_link};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::server::AppState;
use crate::server::storage::now_ms;

/// The largest body `POST /operator/v1/links` reads.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// The operator API's routes, each behind the bearer check, none cached.
pub fn api_routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/operator/v1/links",
            post(mint).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/operator/v1/registrations", get(list))
        .route("/operator/v1/registrations/{reference}", get(one))
        .layer(from_fn_with_state(
            state.clone(),
            auth::require_operator_token,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

async fn mint(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let origin = own_origin(&state, &headers);
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return OperatorError::TooLarge.into_response();
        }
        Err(rejection) => {
            return OperatorError::Invalid {
                field: None,
                message: format!("the body could not be read: {rejection}"),
            }
            .into_response();
        }
    };
    let minted = async {
        let mint_request: MintRequest =
            serde_json::from_slice(&body).map_err(|error| OperatorError::Invalid {
                field: None,
                message: format!("the body is not a valid link request: {error}"),
            })?;
        let origin = origin.ok_or_else(|| {
            OperatorError::invalid("host", "the request has no Host and PUBLIC_ORIGIN is unset")
        })?;
        mint_link(
            &state.database,
            &state.operator,
            &origin,
            mint_request,
            now_ms(),
        )
        .await
    };
    match minted.await {
        Ok(link) => (StatusCode::CREATED, axum::Json(link)).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn list(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let listed = async {
        let query: ListQuery = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
            .map_err(|error| OperatorError::Invalid {
                field: None,
                message: format!("the query is not valid: {error}"),
            })?;
        list_registrations(&state.database, &query).await
    };
    match listed.await {
        Ok(page) => axum::Json(page).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn one(State(state): State<AppState>, Path(reference): Path<String>) -> Response {
    match registrations::registration(&state.database, &reference).await {
        Ok(view) => axum::Json(view).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Where merchants reach the app: `PUBLIC_ORIGIN`, else this request's own host (`http` on a
/// loopback host, as in development; `https` anywhere else, as behind a TLS proxy).
fn own_origin(state: &AppState, headers: &HeaderMap) -> Option<String> {
    if let Some(origin) = &state.public_origin {
        return Some(origin.as_str().to_owned());
    }
    let host = headers.get(header::HOST)?.to_str().ok()?;
    request_origin(host)
}

/// The origin of a request to `host` (its `Host` header) when no `PUBLIC_ORIGIN` is set.
fn request_origin(host: &str) -> Option<String> {
    // `[::1]:3000`, `localhost:3000`, `example.com`: the name without its port.
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    let scheme = if crate::server::config::is_loopback_host(name) {
        "http"
    } else {
        "https"
    };
    // A Host is a host and a port only: anything else would make the URL another site's.
    let well_formed = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    well_formed.then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_requests_origin_is_http_on_loopback_only_and_a_host_only() {
        let origin = |host| request_origin(host);
        assert_eq!(
            origin("localhost:3000").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(origin("127.0.0.1").as_deref(), Some("http://127.0.0.1"));
        assert_eq!(origin("[::1]").as_deref(), Some("http://[::1]"));
        assert_eq!(origin("[::1]:8080").as_deref(), Some("http://[::1]:8080"));
        assert_eq!(
            origin("connect.example.com").as_deref(),
            Some("https://connect.example.com")
        );
        for bad in ["", "evil.example/x", "a@b", "host name"] {
            assert_eq!(origin(bad), None, "{bad:?}");
        }
    }
}
