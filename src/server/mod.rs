//! Server-only code: configuration, state, the session's flow, the router and what guards it
//! (security headers, the cross-site check, body checks, limits), the serving loop (timeouts,
//! graceful shutdown), the ShipEngine client, the database, the operator's webhooks.

mod answer;
mod assets;
mod client_ip;
pub mod config;
mod cookies;
pub(crate) mod csrf;
mod flow;
mod flow_owner;
pub(crate) mod form_body;
pub mod form_opens;
pub mod limits;
pub mod observability;
pub mod reconciliation;
pub(crate) mod refusal;
mod router;
mod security_headers;
pub mod serve;
pub mod shipengine;
mod state;
pub mod storage;
pub mod upstream_error;
pub mod webhooks;

pub use answer::with_status;
pub use assets::leptos_options;
pub use client_ip::ClientIp;
pub use config::Config;
pub use flow::Flow;
pub use flow_owner::{FlowOwner, FreshOwner};
pub use router::build_router;
pub(crate) use router::render_page_with;
pub use serve::{HttpTimeouts, ServeSettings, serve};
pub use state::AppState;

use crate::error::AppError;

/// Logs what broke on our side and gives the merchant the calm message instead.
pub fn internal_error(what: &str, error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "{what} failed");
    AppError::Internal { reference: None }
}

/// A database failure, as [`internal_error`]: `map_err(database_error)`.
pub fn database_error(error: impl std::fmt::Display) -> AppError {
    internal_error("database", error)
}
