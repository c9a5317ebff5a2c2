//! The thin server adapters of step 2: read the request, hand it to [`super::service`].

use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

use crate::error::AppError;
use crate::screen::Screen;

/// Texts a code to `phone`: see [`super::service::send_code`].
#[server(endpoint = "send_code", output = Postcard)]
pub async fn send_code(phone: String) -> Result<Screen, AppError> {
    use crate::server::{AppState, ClientIp, Flow, with_status};

    let flow = Flow::load().await?;
    let state = AppState::from_context()?;
    let ClientIp(ip) = ClientIp::from_context()?;
    let island = !flow.is_plain_form_post();
    let outcome = super::service::send_code(&state, flow, ip, &phone).await;
    with_status(crate::postage::answer_with_balance(&state, island, outcome).await)
}

/// Checks the typed code: see [`super::service::verify_code`].
#[server(endpoint = "verify_code", output = Postcard)]
pub async fn verify_code(code: String) -> Result<Screen, AppError> {
    use crate::server::{AppState, ClientIp, Flow, with_status};

    let flow = Flow::load().await?;
    let state = AppState::from_context()?;
    let ClientIp(ip) = ClientIp::from_context()?;
    let island = !flow.is_plain_form_post();
    let outcome = super::service::verify_code(&state, flow, ip, &code).await;
    with_status(crate::postage::answer_with_balance(&state, island, outcome).await)
}
