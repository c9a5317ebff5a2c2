//! What an operator sees of the running app: a log line per event carrying the request's id,
//! `/healthz` and `/readyz` (checked in the background) for the orchestrator, and Prometheus
//! `/metrics`.

mod health;
pub mod metrics;

pub use health::Readiness;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::map_request;
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::{Span, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::server::AppState;

/// The header that carries a request's id, in and out.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest request id kept from a client or a proxy; a UUID is 36.
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// How log lines are written (`LOG_FORMAT`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    #[default]
    Text,
    /// One JSON object per line, for a log pipeline.
    Json,
}

/// The subscriber `main` installs: `filter` decides what is logged, `writer` where it goes.
/// In JSON, every line carries the fields of its spans, so the request id is on each of them.
pub fn log_subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let lines = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(lines.finish()),
        LogFormat::Json => Box::new(lines.json().flatten_event(true).finish()),
    }
}

/// `/healthz`, `/readyz` and `/metrics`; none of them is cached.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::render))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// Gives every request an id (unless a proxy in front already gave it a usable one: see
/// [`is_usable_request_id`]), logs it in a span around everything the request does, and returns
/// it in the response's `x-request-id`.
pub fn trace_requests<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let name = header::HeaderName::from_static(REQUEST_ID_HEADER);
    router
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::new(name.clone()))
        .layer(SetRequestIdLayer::new(name, MakeRequestUuid))
        // Before the id is set: `SetRequestIdLayer` keeps any id already there.
        .layer(map_request(drop_unusable_request_id))
}

/// Whether a request id from outside can go into the logs and back out as it is: at most
/// [`MAX_REQUEST_ID_LEN`] characters of `[A-Za-z0-9._-]`. Anything else (a line break, quotes,
/// markup, a kilobyte of text) is the client's text, not a proxy's id.
pub fn is_usable_request_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
}

/// Removes a client's `x-request-id` that is not usable, or that comes more than once, so that
/// the request gets a fresh one.
async fn drop_unusable_request_id(mut request: Request<Body>) -> Request<Body> {
    let usable = {
        let mut ids = request.headers().get_all(REQUEST_ID_HEADER).iter();
        match (ids.next(), ids.next()) {
            (Some(id), None) => is_usable_request_id(id.as_bytes()),
            (None, _) => true,
            (Some(_), Some(_)) => false,
        }
    };
    if !usable {
        request.headers_mut().remove(REQUEST_ID_HEADER);
    }
    request
}

/// Path only: a query string is the client's text and has no place in the logs.
fn request_span(request: &Request<Body>) -> Span {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|id| id.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = id,
        method = %request.method(),
        path = loggable_path(request.uri().path()),
    )
}

/// A path as logged: an onboarding link's token opens a merchant's flow, so it is left out.
fn loggable_path(path: &str) -> &str {
    if path.starts_with("/start/") {
        "/start/[token]"
    } else {
        path
    }
}
