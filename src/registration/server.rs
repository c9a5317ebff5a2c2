//! The thin server adapter of step 1: reads the request, hands it to [`super::service`].

use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

use super::form::RegistrationForm;
use crate::error::AppError;
use crate::screen::Screen;

/// Relays the form to ShipEngine's registration, exactly once: see [`super::service::register`].
#[server(endpoint = "register", output = Postcard)]
pub async fn register(#[server(flatten)] form: RegistrationForm) -> Result<Screen, AppError> {
    use crate::server::{AppState, ClientIp, Flow, with_status};

    let flow = Flow::load().await?;
    let state = AppState::from_context()?;
    let ClientIp(ip) = ClientIp::from_context()?;
    let island = !flow.is_plain_form_post();
    let outcome = super::service::register(&state, flow, ip, &form).await;
    with_status(crate::postage::answer_with_balance(&state, island, outcome).await)
}
