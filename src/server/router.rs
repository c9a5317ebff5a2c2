//! The HTTP surface: the page, the server functions, the static assets. Built from a state so
//! tests can drive it without a port.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use leptos::prelude::provide_context;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, MemoryStore, Session, SessionManagerLayer};

use crate::app::shell;
use crate::error::AppError;
use crate::flow::PageData;
use crate::flow::Screen;
use crate::registration::RegisterScreen;
use crate::server::client_ip::ClientIp;
use crate::server::csrf::refuse_cross_site;
use crate::server::form_body::{MAX_BODY_BYTES, read_form};
use crate::server::refusal::is_plain_form_post;
use crate::server::security_headers::{add_security_headers, set_page_policy};
use crate::server::{AppState, Flow};

pub const SESSION_COOKIE: &str = "stamps_connect_session";

pub fn build_router(state: AppState) -> Router {
    // Leptos renders on the tokio runtime; a second call (tests build many routers) is harmless.
    let _ = any_spawner::Executor::init_tokio();
    let served_over_tls = state.public_origin.as_ref().is_some_and(|o| o.is_https());
    let sessions = SessionManagerLayer::new(MemoryStore::default())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(served_over_tls)
        .with_expiry(Expiry::OnInactivity(Duration::hours(2)));
    let server_fns = post(server_fn)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(state.clone(), refuse_cross_site));
    // The flow's responses carry what one merchant typed: no cache may keep them.
    let flow = Router::new()
        .route("/", get(page))
        .route("/api/{*fn_name}", server_fns)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(sessions);
    let site_root = state.leptos_options.site_root.to_string();
    Router::new()
        .merge(flow)
        .fallback_service(ServeDir::new(site_root))
        .layer(from_fn_with_state(state.clone(), add_security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Renders the step the session is on.
async fn page(State(state): State<AppState>, session: Session, request: Request<Body>) -> Response {
    let limits = state.limits.config().clone();
    let screen = match Flow::from_session(session, false, limits).await {
        Ok(flow) => flow.take_screen().await,
        Err(error) => Err(error),
    }
    .unwrap_or_else(|error| {
        Screen::Register(RegisterScreen {
            error: Some(error),
            ..Default::default()
        })
    });
    let page = PageData {
        screen,
        demo_code: state.demo_code.clone(),
    };
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(set_page_policy, move || {
        shell(options.clone(), page.clone())
    });
    render(request).await.into_response()
}

/// The three server functions, with the state and the client's address in their context.
///
/// A plain HTML form post (no JavaScript) gets Post/Redirect/Get: a 303 to the page, which
/// renders the outcome the function stored in the session. A call from the hydrated page gets
/// the function's JSON, with an error status that says whose fault an error is.
async fn server_fn(State(state): State<AppState>, request: Request<Body>) -> Response {
    let plain_form_post = is_plain_form_post(request.headers());
    let request = match read_form(request).await {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    let client_ip = ClientIp::of(
        request.headers(),
        request.extensions(),
        state.trust_forwarded_for,
    );
    let response = leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(state.clone());
            provide_context(client_ip);
        },
        request,
    )
    .await
    .into_response();
    if plain_form_post {
        return Redirect::to("/").into_response();
    }
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    // Error bodies are one small JSON value: read it to pick the status.
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = status_of(&error);
        if let AppError::RateLimited { retry_after_secs } = error {
            parts
                .headers
                .insert(header::RETRY_AFTER, retry_after_secs.into());
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::BadRequest | AppError::Invalid(_) => StatusCode::BAD_REQUEST,
        AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::CrossSite => StatusCode::FORBIDDEN,
        AppError::WrongStep => StatusCode::CONFLICT,
        AppError::RateLimited { .. } | AppError::TooManyWrongCodes => StatusCode::TOO_MANY_REQUESTS,
        AppError::Upstream { .. } => StatusCode::BAD_GATEWAY,
        AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
