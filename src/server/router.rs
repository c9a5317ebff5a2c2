//! The HTTP surface: the page, the server functions, the static assets. Built from a state so
//! tests can drive it without a port.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use leptos::prelude::provide_context;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, MemoryStore, Session, SessionManagerLayer};

use crate::app::shell;
use crate::flow::PageData;
use crate::registration::RegisterScreen;
use crate::flow::Screen;
use crate::server::{AppState, Flow};

pub const SESSION_COOKIE: &str = "stamps_connect_session";

pub fn build_router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(MemoryStore::default())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(false)
        .with_expiry(Expiry::OnInactivity(Duration::hours(2)));
    let site_root = state.leptos_options.site_root.to_string();
    Router::new()
        .route("/", get(page))
        .route("/api/{*fn_name}", post(server_fn))
        .fallback_service(ServeDir::new(site_root))
        .layer(sessions)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Renders the step the session is on.
async fn page(State(state): State<AppState>, session: Session, request: Request<Body>) -> Response {
    let screen = match Flow::from_session(session, false).await {
        Ok(flow) => flow.take_screen().await,
        Err(error) => Err(error),
    }
    .unwrap_or_else(|error| Screen::Register(RegisterScreen { error: Some(error), ..Default::default() }));
    let page = PageData { screen, demo_code: state.demo_code.clone() };
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        || {},
        move || shell(options.clone(), page.clone()),
    );
    render(request).await.into_response()
}

/// The three server functions, with the state in their context.
async fn server_fn(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), request)
        .await
}
