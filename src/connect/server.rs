//! The thin HTTP adapter of `/connect`: loads what the page shows, and hands a post to
//! [`super::service::connect`]. A post always ends in a 303: to `/` once connected, else back
//! to the page, which shows the error once with the nickname and username kept (in the
//! session). The password is in no session, no row, no page and no log.

use axum::Extension;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::{CONNECT_PATH, ConnectForm, ConnectScreen};
use crate::error::AppError;
use crate::server::form_body::{MAX_BODY_BYTES, read_form};
use crate::server::{AppState, ClientIp, Flow, FlowOwner, render_page_with};

/// The session's key for what the page keeps between a post and the page shown after it.
const SESSION_KEY: &str = "connect";

/// What the session keeps: never the password.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Kept {
    nickname: String,
    username: String,
    error: Option<AppError>,
}

/// `GET /connect`.
pub async fn connect_page(
    State(state): State<AppState>,
    Extension(owner): Extension<FlowOwner>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let flow = Flow::from_session(session.clone(), owner, false, &state).await;
    let link_locale = flow.as_ref().ok().and_then(Flow::link_locale);
    let screen = match flow {
        Ok(flow) if !flow.may_use_form(state.operator.public_form) => ConnectScreen::LinkRequired,
        // An account is open already: the merchant's page shows it.
        Ok(flow) if !flow.is_registering() => return Redirect::to("/").into_response(),
        Ok(_) => match take_kept(&session).await {
            Ok(kept) => ConnectScreen::Form {
                nickname: kept.nickname,
                username: kept.username,
                idempotency_key: uuid::Uuid::new_v4().hyphenated().to_string(),
                error: kept.error,
            },
            Err(error) => {
                tracing::error!(%error, "the connect page's session could not be read");
                ConnectScreen::Failed
            }
        },
        Err(_) => ConnectScreen::Failed,
    };
    render_page_with(&state, request, link_locale, move || {
        provide_context(screen.clone())
    })
    .await
}

/// What was kept for the page; its error is shown once.
async fn take_kept(session: &Session) -> Result<Kept, tower_sessions::session::Error> {
    let Some(kept) = session.get::<Kept>(SESSION_KEY).await? else {
        return Ok(Kept::default());
    };
    if kept.error.is_some() {
        let without_error = Kept {
            error: None,
            ..kept.clone()
        };
        session.insert(SESSION_KEY, without_error).await?;
    }
    Ok(kept)
}

/// `POST /connect`.
pub async fn submit_connection(
    State(state): State<AppState>,
    Extension(owner): Extension<FlowOwner>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let ClientIp(ip) = ClientIp::of(
        request.headers(),
        request.extensions(),
        state.trust_forwarded_for,
    );
    let form = read_connect_form(request).await;
    let mut kept = Kept::default();
    let outcome = match form {
        Ok(form) => {
            kept.nickname.clone_from(&form.nickname);
            kept.username.clone_from(&form.username);
            match Flow::from_session(session.clone(), owner, true, &state).await {
                Ok(flow) => super::service::connect(&state, flow, ip, &form).await,
                Err(error) => Err(error),
            }
        }
        Err(error) => Err(error),
    };
    let (kept, to) = match outcome {
        Ok(()) => (None, "/"),
        Err(error) => (
            Some(Kept {
                error: Some(error),
                ..kept
            }),
            CONNECT_PATH,
        ),
    };
    let saved = match kept {
        Some(kept) => session.insert(SESSION_KEY, kept).await,
        None => session.remove::<Kept>(SESSION_KEY).await.map(drop),
    };
    if let Err(error) = saved {
        tracing::error!(%error, "what the connect form kept was not saved");
    }
    Redirect::to(to).into_response()
}

async fn read_connect_form(request: Request<Body>) -> Result<ConnectForm, AppError> {
    let request = read_form(request).await.map_err(|(_, error)| error)?;
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| AppError::BadRequest)?;
    serde_urlencoded::from_bytes(&body).map_err(|_| AppError::BadRequest)
}
