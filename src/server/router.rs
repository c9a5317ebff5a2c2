//! The HTTP surface: the page, the server functions, the static assets. Built from a state so
//! tests can drive it without a port.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Extension, Router};
use leptos::prelude::provide_context;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use leptos_axum::render_app_to_stream_with_context;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};

use crate::app::shell;
use crate::error::AppError;
use crate::i18n::{LANGUAGE_COOKIE, Locale};
use crate::pages::LoadedScreen;
use crate::postage;
use crate::registration::{RegistrationField, RegistrationForm};
use crate::screen::Screen;
use crate::server::client_ip::ClientIp;
use crate::server::cookies::set_cookie;
use crate::server::csrf::refuse_cross_site;
use crate::server::flow_owner::{FlowOwner, NewToFlow, identify_flow_owner};
use crate::server::form_body::{MAX_BODY_BYTES, read_form};
use crate::server::observability::{self, metrics};
use crate::server::refusal::page_locale_with_link;
use crate::server::refusal::{is_plain_form_post, refuse};
use crate::server::security_headers::{add_security_headers, set_page_policy};
use crate::server::storage::SessionStores;
use crate::server::{AppState, Flow, answer, assets};
use crate::ui::LANGUAGE_PATH;

/// The session cookie's name over plain HTTP (development); over HTTPS it gets the `__Host-`
/// prefix, so no sibling subdomain can plant one.
pub const SESSION_COOKIE: &str = "stamps_connect_session";
const SECURE_SESSION_COOKIE: &str = "__Host-stamps_connect_session";

pub fn build_router(state: AppState) -> Router {
    // Leptos renders on the tokio runtime; a second call (tests build many routers) is harmless.
    let _ = any_spawner::Executor::init_tokio();
    let served_over_tls = state.public_origin.as_ref().is_some_and(|o| o.is_https());
    // The flow cookie is given inside the cross-site check: another site's form post must not
    // replace a merchant's (its refusal sets no cookie).
    let owner = || from_fn_with_state(state.clone(), identify_flow_owner);
    // Posts, checked alike: the server functions, and the language switch (which keeps what was
    // typed).
    let posts = |handler: MethodRouter<AppState>| {
        handler
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .layer(owner())
            .layer(from_fn_with_state(state.clone(), refuse_cross_site))
    };
    let server_fns = posts(post(server_fn));
    // A switch is posted; an address typed or bookmarked goes to the merchant flow.
    let language = posts(post(switch_language)).get(|| async { Redirect::to("/") });
    // The flow's responses carry what one merchant typed: no cache may keep them.
    let flow = Router::new()
        .route("/", get(merchant_page).layer(owner()))
        // An onboarding link gives the browser a new flow owner of its own making.
        .route("/start/{token}", get(crate::operator::start_from_link))
        .route("/api/{*fn_name}", server_fns)
        .route(LANGUAGE_PATH, language)
        // Connecting an existing Stamps.com account: a page and its plain form's post.
        .route(
            crate::connect::CONNECT_PATH,
            posts(post(crate::connect::submit_connection))
                .merge(get(crate::connect::connect_page).layer(owner())),
        )
        .route(
            crate::manage::MANAGE_PATH,
            get(crate::manage::manage_page).layer(owner()),
        )
        // "Add postage": pages, and posts checked as the flow's are.
        .route(
            "/account/postage",
            posts(post(postage::submit_amount)).merge(get(postage::amount_page).layer(owner())),
        )
        .route(
            "/account/postage/{id}",
            posts(post(postage::confirm)).merge(get(postage::request_page).layer(owner())),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let flow = match state.database.session_store() {
        SessionStores::Sqlite(store) => flow.layer(sessions(store, served_over_tls)),
        SessionStores::Postgres(store) => flow.layer(sessions(store, served_over_tls)),
    };
    metrics::install();
    let router = Router::new()
        .merge(flow)
        .merge(crate::operator::api_routes(&state))
        .merge(crate::admin::routes(&state))
        .merge(observability::routes())
        // Any other path: the app's router finds no page, and says so.
        .merge(assets::routes(
            &state.leptos_options,
            not_found_page(&state),
        ))
        // A body that stalls is cut off (the server function answers 400), and no request may
        // hold its connection longer than a registration can take (503).
        .layer(RequestBodyTimeoutLayer::new(state.http.body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.http.request,
        ))
        .layer(from_fn_with_state(state.clone(), add_security_headers));
    observability::trace_requests(router).with_state(state)
}

/// Sessions kept in the database: a restart, or another instance on the same database, continues
/// a merchant's flow.
fn sessions<S: SessionStore + Clone>(store: S, served_over_tls: bool) -> SessionManagerLayer<S> {
    SessionManagerLayer::new(store)
        .with_name(if served_over_tls {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        })
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(served_over_tls)
        .with_expiry(Expiry::OnInactivity(Duration::hours(2)))
}

/// The merchant flow, on the step this browser is on.
async fn merchant_page(
    State(state): State<AppState>,
    Extension(owner): Extension<FlowOwner>,
    new_to_flow: Option<Extension<NewToFlow>>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let flow = Flow::from_session(session, owner.clone(), false, &state).await;
    let link_locale = flow.as_ref().ok().and_then(Flow::link_locale);
    let screen = match flow {
        Ok(flow) if !flow.may_use_form(state.operator.public_form) => Err(AppError::LinkRequired),
        Ok(flow) => match flow.take_screen().await {
            Ok(screen) => Ok(postage::with_balance(&state, screen).await),
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    // The funnel's first step: a browser new to the flow shown the empty form. Counted in
    // memory (flushed every minute), so a page view writes nothing.
    if new_to_flow.is_some() && matches!(screen, Ok(Screen::Register(_))) {
        state.form_opens.note();
    }
    let loaded = LoadedScreen(screen);
    render_page_with(&state, request, link_locale, move || {
        provide_context(loaded.clone())
    })
    .await
}

/// A page that needs nothing loaded first.
async fn other_page(State(state): State<AppState>, request: Request<Body>) -> Response {
    render_page(&state, request, None).await
}

/// The page for a path that is neither a page of the app nor a file.
fn not_found_page(state: &AppState) -> Router {
    Router::new()
        .fallback(other_page)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .with_state(state.clone())
}

/// Renders the app for `request`'s path, with what the page's handler loaded.
async fn render_page(
    state: &AppState,
    request: Request<Body>,
    loaded: Option<LoadedScreen>,
) -> Response {
    render_page_with(state, request, None, move || {
        if let Some(loaded) = loaded.clone() {
            provide_context(loaded);
        }
    })
    .await
}

/// Renders the app for `request`'s path, in the language an onboarding link asked for unless
/// the merchant chose one, with what `provide` puts in context (what the handler loaded).
pub(crate) async fn render_page_with(
    state: &AppState,
    request: Request<Body>,
    link_locale: Option<Locale>,
    provide: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let options = state.leptos_options.clone();
    let (stylesheet, demo_code) = (state.stylesheet.to_string(), state.demo_code.clone());
    let locale = page_locale_with_link(request.headers(), link_locale);
    let render = render_app_to_stream_with_context(
        move || {
            set_page_policy();
            provide_context(options.clone());
            provide_context(locale);
            provide();
        },
        move || shell(stylesheet.clone(), demo_code.clone()),
    );
    render(request).await.into_response()
}

/// The three server functions, with the state and the client's address in their context.
///
/// A plain HTML form post (no JavaScript) gets Post/Redirect/Get: a 303 back to the page it was
/// sent from, which renders the outcome the flow stored (an error is kept in the session to be
/// shown there once). A call from the island gets the function's answer, with an error status
/// that says whose fault it is (see [`answer`]).
async fn server_fn(
    State(state): State<AppState>,
    Extension(owner): Extension<FlowOwner>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let plain_form_post = is_plain_form_post(request.headers());
    let back_to = page_sent_from(request.headers());
    let headers = request.headers().clone();
    let request = match read_form(request).await {
        Ok(request) => request,
        Err((_, error)) if plain_form_post => {
            return flash_and_go_back(&state, session, owner, error, &back_to).await;
        }
        Err((status, error)) => return refuse(status, &error, &headers),
    };
    let client_ip = ClientIp::of(
        request.headers(),
        request.extensions(),
        state.trust_forwarded_for,
    );
    let context = state.clone();
    let response = leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(context.clone());
            provide_context(client_ip);
        },
        request,
    )
    .await
    .into_response();
    // (Leptos marks a function's error with its header, whatever the status.)
    let failed = response.headers().contains_key(SERVER_FN_ERROR_HEADER);
    if !plain_form_post {
        if failed && response.status() == StatusCode::INTERNAL_SERVER_ERROR {
            // Leptos refuses arguments it cannot read before the function runs, as a 500: the
            // request is the client's fault, and its status says so.
            return answer::error_response(&answer::error_of(response).await);
        }
        return response;
    }
    if failed {
        let error = answer::error_of(response).await;
        return flash_and_go_back(&state, session, owner, error, &back_to).await;
    }
    Redirect::to(&back_to).into_response()
}

/// The language switch: keeps what was typed in the form it was pressed in (never the card
/// number), remembers the language in a cookie for a year, and goes back to the page.
async fn switch_language(
    State(state): State<AppState>,
    Extension(owner): Extension<FlowOwner>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let back_to = page_sent_from(request.headers());
    let headers = request.headers().clone();
    let body = match read_form(request).await {
        Ok(request) => axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES).await,
        Err((_, error)) if is_plain_form_post(&headers) => {
            return flash_and_go_back(&state, session, owner, error, &back_to).await;
        }
        Err((status, error)) => return refuse(status, &error, &headers),
    };
    let body = body.unwrap_or_default();
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let chosen = fields
        .iter()
        .find(|(name, _)| name == "language")
        .and_then(|(_, tag)| Locale::from_tag(tag));
    let typed_form = fields
        .iter()
        .any(|(name, _)| name == RegistrationField::Nickname.name());
    if typed_form && let Ok(form) = serde_urlencoded::from_bytes::<RegistrationForm>(&body) {
        let kept = async {
            let mut flow = Flow::from_session(session, owner, true, &state).await?;
            if flow.is_registering() {
                flow.keep_draft(&form);
            }
            flow.current().await
        };
        if let Err(failure) = kept.await {
            tracing::error!(
                ?failure,
                "what was typed was not kept across the language switch"
            );
        }
    }
    let mut response = Redirect::to(&back_to).into_response();
    if let Some(locale) = chosen {
        let served_over_tls = state.public_origin.as_ref().is_some_and(|o| o.is_https());
        let a_year = tower_sessions::cookie::time::Duration::days(365);
        set_cookie(
            &mut response,
            LANGUAGE_COOKIE,
            locale.tag(),
            a_year,
            served_over_tls,
        );
    }
    response
}

/// A plain form post that failed: the page it is sent back to says why, once.
async fn flash_and_go_back(
    state: &AppState,
    session: Session,
    owner: FlowOwner,
    error: AppError,
    back_to: &str,
) -> Response {
    let flow = Flow::from_session(session, owner, true, state).await;
    if let Err(failure) = async { flow?.flash(error).await }.await {
        tracing::error!(?failure, "a refused post's message was not kept");
    }
    Redirect::to(back_to).into_response()
}

/// The path of the page a plain form post came from (its `Referer`, when that is a page of this
/// site), else the merchant flow's. Never anything a browser could read as another site's
/// address (`//host`, `/\host`): the answer is a redirect.
fn page_sent_from(headers: &axum::http::HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok());
    let referer = headers
        .get(header::REFERER)
        .and_then(|referer| referer.to_str().ok())
        .and_then(|referer| referer.parse::<axum::http::Uri>().ok());
    match (host, referer) {
        (Some(host), Some(referer))
            if referer
                .authority()
                .is_some_and(|a| a.as_str().eq_ignore_ascii_case(host))
                && is_a_page_path(referer.path()) =>
        {
            referer
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |path| path.as_str().to_owned())
        }
        _ => "/".to_owned(),
    }
}

fn is_a_page_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.starts_with("/api/")
}
