//! The console's HTTP surface: thin handlers that read the request, call [`super::service`] and
//! render [`super::views`]. Every post passes the cross-site check and the form-token check;
//! every answer is `no-store`; with no way to sign in configured, there are no routes at all.

use axum::Router;
use axum::extract::{Form, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::Session;

use super::dates::{day_of, format_day};
use super::error::{AdminError, ErrorToRender, SIGN_IN_PATH};
use super::service::{self, RegistrationQuery, SettleForm, SettleRefusal, SignInRefusal};
use super::session::{self, Admin, SignedInWith, require_form_token};
use super::views::{self, Chrome, Section, SettleFormView, SignInView};
use crate::server::csrf::refuse_cross_site;
use crate::server::storage::{RegistrationStatus, SessionStores, now_ms};
use crate::server::{AppState, ClientIp};

/// The console's pages load the stylesheet and post forms to themselves; nothing else.
const POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                      frame-ancestors 'none'; base-uri 'none'";

/// The console's routes, to merge into the app's router: none unless a way to sign in is
/// configured (then `/admin` is the app's 404, like any unknown path).
pub fn routes(state: &AppState) -> Router<AppState> {
    if !state.admin.is_enabled() {
        return Router::new();
    }
    let checked = |handler: MethodRouter<AppState>| {
        handler
            .layer(from_fn(require_form_token))
            .layer(from_fn_with_state(state.clone(), refuse_cross_site))
    };
    let console = Router::new()
        .route("/admin", get(overview))
        .route(
            SIGN_IN_PATH,
            get(sign_in_form).merge(checked(post(sign_in))),
        )
        .route("/admin/sign-out", checked(post(sign_out)))
        .route("/admin/registrations", get(registrations))
        .route("/admin/registrations.csv", get(export_registrations))
        .route("/admin/registrations/{reference}", get(registration))
        .route(
            "/admin/registrations/{reference}/settle",
            checked(post(settle)),
        )
        .route(
            "/admin/registrations/{reference}/events/{event_id}/redeliver",
            checked(post(redeliver)),
        )
        .route("/admin/links", get(links))
        .route("/admin/audit", get(audit))
        .layer(from_fn_with_state(state.clone(), render_errors))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let served_over_tls = state.public_origin.as_ref().is_some_and(|o| o.is_https());
    match state.database.session_store() {
        SessionStores::Sqlite(store) => console.layer(session::layer(store, served_over_tls)),
        SessionStores::Postgres(store) => console.layer(session::layer(store, served_over_tls)),
    }
}

/// The client's address (for the sign-in limits and the audit log).
struct Ip(ClientIp);

impl FromRequestParts<AppState> for Ip {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        Ok(Self(ClientIp::of(
            &parts.headers,
            &parts.extensions,
            state.trust_forwarded_for,
        )))
    }
}

fn html(status: StatusCode, document: String) -> Response {
    let mut response = (status, Html(document)).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    response
}

/// A page of the console for a signed-in admin.
fn page(
    state: &AppState,
    admin: &Admin,
    section: Section,
    title: &str,
    content: leptos::prelude::AnyView,
) -> Response {
    let chrome = Chrome::of(&state.stylesheet, Some(admin), section);
    html(StatusCode::OK, views::document(chrome, title, content))
}

/// Replaces an [`AdminError`]'s bare response with its page (keeping its status and its
/// `Retry-After`).
async fn render_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let Some(ErrorToRender(error)) = response.extensions().get::<ErrorToRender>().cloned() else {
        return response;
    };
    let (title, body) = error.words();
    let chrome = Chrome::of(&state.stylesheet, None, Section::None);
    let mut page = html(
        error.status(),
        views::document(chrome, title, views::error_content(title, body)),
    );
    if let Some(retry_after) = response.headers().get(header::RETRY_AFTER) {
        page.headers_mut()
            .insert(header::RETRY_AFTER, retry_after.clone());
    }
    page
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInQuery {
    signed_out: Option<String>,
}

async fn sign_in_form(
    State(state): State<AppState>,
    session: Session,
    Ip(ip): Ip,
    Query(query): Query<SignInQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AdminError> {
    if session::signed_in(&state, session.clone(), &headers, ip)
        .await?
        .is_some()
    {
        return Ok(Redirect::to("/admin").into_response());
    }
    let view = SignInView {
        form_token: session::form_token(&session).await?,
        signed_out: query.signed_out.is_some(),
        ..sign_in_view(&state)
    };
    Ok(sign_in_response(&state, StatusCode::OK, view))
}

fn sign_in_view(state: &AppState) -> SignInView {
    SignInView {
        accepts_passwords: state.admin.accepts_passwords(),
        behind_single_sign_on: state.admin.trusted_header.is_some(),
        ..SignInView::default()
    }
}

fn sign_in_response(state: &AppState, status: StatusCode, view: SignInView) -> Response {
    let chrome = Chrome::of(&state.stylesheet, None, Section::None);
    html(
        status,
        views::document(chrome, "Sign in", views::sign_in_page(view)),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInForm {
    name: String,
    password: String,
}

async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    Ip(ip): Ip,
    Form(form): Form<SignInForm>,
) -> Result<Response, AdminError> {
    let keep_hits_secs = state.limits.longest_window_secs();
    let outcome = service::sign_in_with_password(
        &state.database,
        &state.admin,
        keep_hits_secs,
        ip,
        &form.name,
        form.password,
    )
    .await;
    let (status, problem, retry_after) = match outcome {
        Ok(name) => {
            session::sign_in(&session, &name, SignedInWith::Password).await?;
            return Ok(Redirect::to("/admin").into_response());
        }
        Err(SignInRefusal::NoPassword) => return Err(AdminError::NotFound),
        Err(SignInRefusal::Unavailable) => return Err(AdminError::Unavailable),
        Err(SignInRefusal::InvalidName) => (
            StatusCode::BAD_REQUEST,
            "Enter your name: up to 100 letters, digits or signs.".to_owned(),
            None,
        ),
        Err(SignInRefusal::WrongPassword) => (
            StatusCode::UNAUTHORIZED,
            "That password is not right.".to_owned(),
            None,
        ),
        Err(SignInRefusal::TooManyTries { retry_after_secs }) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-ins. For safety, signing in is closed for {}. Nobody \
                 can sign in with the password until then.",
                wait_words(retry_after_secs)
            ),
            Some(retry_after_secs),
        ),
    };
    let view = SignInView {
        form_token: session::form_token(&session).await?,
        name: form.name,
        problem: Some(problem),
        ..sign_in_view(&state)
    };
    let mut response = sign_in_response(&state, status, view);
    if let Some(value) = retry_after.and_then(|secs| HeaderValue::from_str(&secs.to_string()).ok())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    Ok(response)
}

/// "3 minutes", "1 minute", "40 seconds".
fn wait_words(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} seconds"),
        60..=119 => "1 minute".to_owned(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

async fn sign_out(State(state): State<AppState>, admin: Admin) -> Result<Response, AdminError> {
    state
        .database
        .audit(
            &admin.actor(),
            "sign_out",
            None,
            &format!("from {}", admin.client_ip.0),
        )
        .await?;
    session::sign_out(admin.session()).await?;
    Ok(Redirect::to("/admin/sign-in?signed_out=1").into_response())
}

async fn overview(State(state): State<AppState>, admin: Admin) -> Result<Response, AdminError> {
    let overview = service::overview(&state.database, now_ms()).await?;
    Ok(page(
        &state,
        &admin,
        Section::Overview,
        "Overview",
        views::overview_page(overview),
    ))
}

async fn registrations(
    State(state): State<AppState>,
    admin: Admin,
    Query(query): Query<RegistrationQuery>,
) -> Result<Response, AdminError> {
    let list = service::list_registrations(&state.database, &query).await?;
    Ok(page(
        &state,
        &admin,
        Section::Registrations,
        "Registrations",
        views::registrations_page(query, list),
    ))
}

async fn export_registrations(
    State(state): State<AppState>,
    admin: Admin,
    Query(query): Query<RegistrationQuery>,
) -> Result<Response, AdminError> {
    let csv = service::export_registrations(&state.database, &query, &admin.actor()).await?;
    let file = format!(
        "attachment; filename=\"registrations-{}.csv\"",
        format_day(day_of(now_ms()))
    );
    let disposition =
        HeaderValue::from_str(&file).unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}

async fn registration(
    State(state): State<AppState>,
    admin: Admin,
    Path(reference): Path<String>,
) -> Result<Response, AdminError> {
    registration_response(
        &state,
        &admin,
        &reference,
        SettleFormView::default(),
        StatusCode::OK,
    )
    .await
}

async fn registration_response(
    state: &AppState,
    admin: &Admin,
    reference: &str,
    settle_form: SettleFormView,
    status: StatusCode,
) -> Result<Response, AdminError> {
    let detail = service::registration_detail(&state.database, reference).await?;
    let flash = admin.take_flash().await?;
    let title = format!("Registration {reference}");
    let content = views::registration_page(detail, admin.form_token.clone(), flash, settle_form);
    let mut response = page(state, admin, Section::Registrations, &title, content);
    *response.status_mut() = status;
    Ok(response)
}

fn registration_path(reference: &str) -> String {
    format!("/admin/registrations/{reference}")
}

async fn settle(
    State(state): State<AppState>,
    admin: Admin,
    Path(reference): Path<String>,
    Form(form): Form<SettleForm>,
) -> Result<Response, AdminError> {
    match service::settle(&state.database, &reference, &admin.actor(), &form).await {
        Ok(row) => {
            let outcome = match &row.carrier_id {
                Some(carrier_id) if row.status == RegistrationStatus::Registered => {
                    format!("registered, carrier {carrier_id}")
                }
                _ => row.status.to_string(),
            };
            admin
                .flash(
                    true,
                    format!("Settled as {outcome}. The merchant's next page load follows it."),
                )
                .await?;
            Ok(Redirect::to(&registration_path(&reference)).into_response())
        }
        Err(SettleRefusal::Invalid(problems)) => {
            let view = SettleFormView {
                outcome: form.outcome,
                carrier_id: form.carrier_id,
                note: form.note,
                problems,
            };
            registration_response(
                &state,
                &admin,
                &reference,
                view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(SettleRefusal::NotUnknown(status)) => {
            admin
                .flash(
                    false,
                    format!(
                        "Not settled: this registration is no longer waiting to be settled (its \
                         status is {status})."
                    ),
                )
                .await?;
            Ok(Redirect::to(&registration_path(&reference)).into_response())
        }
        Err(SettleRefusal::Failed(error)) => Err(error),
    }
}

async fn redeliver(
    State(state): State<AppState>,
    admin: Admin,
    Path((reference, event_id)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let event = service::redeliver(&state.database, &reference, &event_id, &admin.actor()).await?;
    admin
        .flash(
            true,
            format!(
                "The {} event {} is queued to be delivered again now.",
                event.event_type, event.event_id
            ),
        )
        .await?;
    Ok(Redirect::to(&registration_path(&reference)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    page: String,
}

async fn links(
    State(state): State<AppState>,
    admin: Admin,
    Query(query): Query<PageQuery>,
) -> Result<Response, AdminError> {
    let page_number = query.page.trim().parse::<i64>().unwrap_or(1);
    let list = service::list_links(&state.database, page_number).await?;
    Ok(page(
        &state,
        &admin,
        Section::Links,
        "Onboarding links",
        views::links_page(list, now_ms()),
    ))
}

async fn audit(
    State(state): State<AppState>,
    admin: Admin,
    Query(query): Query<PageQuery>,
) -> Result<Response, AdminError> {
    let page_number = query.page.trim().parse::<i64>().unwrap_or(1);
    let list = service::list_audit(&state.database, page_number).await?;
    Ok(page(
        &state,
        &admin,
        Section::Audit,
        "Audit log",
        views::audit_page(list),
    ))
}
