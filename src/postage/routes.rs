//! The thin axum handlers of "Add postage": read the request, ask [`super::service`], render
//! [`super::PostagePage`] with what it answered (or redirect). Routed in `server::router` inside
//! the merchant flow's protections: sessions, the flow cookie, `no-store`, and for posts the
//! cross-site check and the body limit.

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;
use tower_sessions::Session;

use super::{
    Account, AmountForm, AmountPage, FundingStatus, Money, POSTAGE_PATH, PostageLoaded,
    RequestPage, current_balance, service,
};
use crate::error::AppError;
use crate::server::form_body::{MAX_BODY_BYTES, read_form};
use crate::server::refusal::refuse;
use crate::server::storage::FundingRequest;
use crate::server::{AppState, FlowOwner, render_page_with};

/// `GET /account/postage`: the amount form (prefilled from the query by "Change amount").
pub async fn amount_page(
    State(state): State<AppState>,
    Extension(owner): Extension<FlowOwner>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let account = match account(&state, session, owner, head_of(&request)).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let form = request
        .uri()
        .query()
        .and_then(|query| serde_urlencoded::from_str::<AmountForm>(query).ok())
        .unwrap_or_default();
    let page = amount_form(&state, account, form, None).await;
    render(&state, request, page, StatusCode::OK).await
}

/// `POST /account/postage`: a valid amount becomes a pending request (303 to its confirmation);
/// an invalid one is the form again, with what was typed and why.
pub async fn submit_amount(
    State(state): State<AppState>,
    Extension(owner): Extension<FlowOwner>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let account = match account(&state, session, owner.clone(), head_of(&request)).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let (request, body) = match read_body(request).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let form: AmountForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    match service::open_request(&state, &owner, &account, &form).await {
        Ok(id) => Redirect::to(&format!("{POSTAGE_PATH}/{id}")).into_response(),
        Err(error @ AppError::Invalid(_)) => {
            let page = amount_form(&state, account, form, Some(error)).await;
            render(&state, request, page, StatusCode::BAD_REQUEST).await
        }
        Err(_) => {
            render(
                &state,
                request,
                PostageLoaded::Failed,
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await
        }
    }
}

/// `GET /account/postage/{id}`: the confirmation, the charge in progress, or its outcome.
pub async fn request_page(
    State(state): State<AppState>,
    Extension(owner): Extension<FlowOwner>,
    Path(id): Path<String>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let account = match account(&state, session, owner.clone(), head_of(&request)).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let (page, status) = match service::request_of(&state, &owner, &account, &id).await {
        Ok(Some(row)) => (request_view(&state, row, None).await, StatusCode::OK),
        Ok(None) => (PostageLoaded::NotFound, StatusCode::NOT_FOUND),
        Err(_) => (PostageLoaded::Failed, StatusCode::SERVICE_UNAVAILABLE),
    };
    render_for(&state, request, page, status, account.link_locale).await
}

/// `POST /account/postage/{id}`: the confirmation. Every answer but a full limit is a 303 to
/// the request's page, which shows the one outcome however many times it was confirmed.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(owner): Extension<FlowOwner>,
    Path(id): Path<String>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let account = match account(&state, session, owner.clone(), head_of(&request)).await {
        Ok(account) => account,
        Err(response) => return response,
    };
    let (request, _) = match read_body(request).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let locale = account.link_locale;
    match service::confirm(&state, &owner, &account, &id).await {
        Ok(Some(())) => Redirect::to(&format!("{POSTAGE_PATH}/{id}")).into_response(),
        Ok(None) => {
            render_for(
                &state,
                request,
                PostageLoaded::NotFound,
                StatusCode::NOT_FOUND,
                locale,
            )
            .await
        }
        Err(error @ AppError::RateLimited { retry_after_secs }) => {
            let row = service::request_of(&state, &owner, &account, &id).await;
            let Ok(Some(row)) = row else {
                return render_for(
                    &state,
                    request,
                    PostageLoaded::Failed,
                    StatusCode::SERVICE_UNAVAILABLE,
                    locale,
                )
                .await;
            };
            let page = request_view(&state, row, Some(error)).await;
            let mut response =
                render_for(&state, request, page, StatusCode::TOO_MANY_REQUESTS, locale).await;
            if let Ok(wait) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, wait);
            }
            response
        }
        Err(_) => {
            render_for(
                &state,
                request,
                PostageLoaded::Failed,
                StatusCode::SERVICE_UNAVAILABLE,
                locale,
            )
            .await
        }
    }
}

/// This browser's account, or the answer instead: "not available" with `FUNDING=off`, the flow
/// at `/` when the account is not open (yet), "try again" when the database failed.
async fn account(
    state: &AppState,
    session: Session,
    owner: FlowOwner,
    head: Request<Body>,
) -> Result<Account, Response> {
    let (page, status) = if state.funding.enabled {
        match service::account_of(state, session, owner).await {
            Ok(Some(account)) => return Ok(account),
            Ok(None) => return Err(Redirect::to("/").into_response()),
            Err(_) => (PostageLoaded::Failed, StatusCode::SERVICE_UNAVAILABLE),
        }
    } else {
        (PostageLoaded::Unavailable, StatusCode::NOT_FOUND)
    };
    Err(render_for(state, head, page, status, None).await)
}

/// The request without its body, to render a page for it.
fn head_of(request: &Request<Body>) -> Request<Body> {
    let mut head = Request::new(Body::empty());
    *head.method_mut() = request.method().clone();
    *head.uri_mut() = request.uri().clone();
    *head.headers_mut() = request.headers().clone();
    head
}

async fn amount_form(
    state: &AppState,
    account: Account,
    form: AmountForm,
    error: Option<AppError>,
) -> PostageLoaded {
    let balance = current_balance(state, &account.carrier_id).await;
    PostageLoaded::Amount(Box::new(AmountPage {
        account,
        balance,
        form,
        error,
        max_cents: state.funding.max_cents,
    }))
}

/// The request's page: the balance now while it waits for confirmation, or the balance
/// ShipEngine answered after the charge.
async fn request_view(
    state: &AppState,
    row: FundingRequest,
    error: Option<AppError>,
) -> PostageLoaded {
    let balance = match row.status {
        FundingStatus::Pending => current_balance(state, &row.carrier_id).await,
        FundingStatus::Charged => row.balance_cents.map(Money::usd_cents),
        _ => None,
    };
    PostageLoaded::Request(Box::new(RequestPage {
        refusal: row.refusal(),
        amount: Money::usd_cents(row.amount_cents),
        status: row.status,
        id: row.id,
        balance,
        error,
    }))
}

/// The form post's body (a urlencoded form within the size limit), with the request's head kept
/// for rendering; otherwise the refusal.
async fn read_body(request: Request<Body>) -> Result<(Request<Body>, axum::body::Bytes), Response> {
    let headers = request.headers().clone();
    let request = read_form(request)
        .await
        .map_err(|(status, error)| refuse(status, &error, &headers))?;
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    Ok((Request::from_parts(parts, Body::empty()), body))
}

async fn render(
    state: &AppState,
    request: Request<Body>,
    page: PostageLoaded,
    status: StatusCode,
) -> Response {
    let locale = match &page {
        PostageLoaded::Amount(amount) => amount.account.link_locale,
        _ => None,
    };
    render_for(state, request, page, status, locale).await
}

async fn render_for(
    state: &AppState,
    request: Request<Body>,
    page: PostageLoaded,
    status: StatusCode,
    link_locale: Option<crate::i18n::Locale>,
) -> Response {
    let mut response = render_page_with(state, request, link_locale, move || {
        provide_context(page.clone())
    })
    .await;
    *response.status_mut() = status;
    response
}
