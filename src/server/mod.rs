//! Server-only code: configuration, state, the session's flow, the router, the ShipEngine client.

pub mod config;
mod flow;
mod router;
pub mod shipengine;
mod state;
pub mod upstream_error;

pub use config::Config;
pub use flow::Flow;
pub use router::build_router;
pub use state::AppState;
