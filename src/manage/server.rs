//! The thin HTTP adapter of `/account/manage`: only for a browser whose account is open (its
//! flow on the done screen); anyone else is sent to `/`.

use axum::Extension;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;
use tower_sessions::Session;

use super::ManageScreen;
use crate::screen::Screen;
use crate::server::{AppState, Flow, FlowOwner, render_page_with};

/// `GET /account/manage`.
pub async fn manage_page(
    State(state): State<AppState>,
    Extension(owner): Extension<FlowOwner>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let flow = match Flow::from_session(session, owner, false, &state).await {
        Ok(flow) => flow,
        // The merchant's page says "try again" itself.
        Err(_) => return Redirect::to("/").into_response(),
    };
    let Screen::Done(done) = flow.screen() else {
        return Redirect::to("/").into_response();
    };
    let screen = match super::service::account_links(&state, &done.carrier_id).await {
        Ok(links) => ManageScreen::Links(links),
        Err(unavailable) => ManageScreen::Unavailable {
            reference: unavailable.reference,
        },
    };
    render_page_with(&state, request, flow.link_locale(), move || {
        provide_context(screen.clone())
    })
    .await
}
