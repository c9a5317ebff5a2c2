//! The account's balance (`GET /v1/carriers/{carrier_id}` → `balance`), as the done screen and
//! the postage pages show it. The one place it is fetched. A balance that cannot be had quickly
//! is "not available right now", never an error page.

use std::time::Duration;

use super::Money;
use crate::error::AppError;
use crate::screen::Screen;
use crate::server::AppState;
use crate::server::shipengine::CarrierId;

/// The longest a page waits for the balance: it is a detail of the page, not worth a slow one.
const BALANCE_TIMEOUT: Duration = Duration::from_secs(3);

/// The balance of `carrier_id` now, or `None` when ShipEngine did not give it in time.
pub async fn current_balance(state: &AppState, carrier_id: &str) -> Option<Money> {
    let Ok(carrier) = CarrierId::parse(carrier_id) else {
        tracing::error!(%carrier_id, "a stored carrier id does not parse");
        return None;
    };
    match tokio::time::timeout(BALANCE_TIMEOUT, state.shipengine.carrier(&carrier)).await {
        Ok(Ok(details)) => {
            let balance = details.balance.and_then(Money::from_usd);
            if balance.is_none() {
                tracing::warn!(%carrier_id, request_id = ?details.request_id, "the carrier has no readable balance");
            }
            balance
        }
        Ok(Err(error)) => {
            tracing::warn!(%carrier_id, request_id = ?error.request_id(), %error, "balance not available");
            None
        }
        Err(_) => {
            tracing::warn!(%carrier_id, "balance not available: ShipEngine took too long");
            None
        }
    }
}

/// `screen` with the account's balance and the way to add postage, when it is the done screen.
pub async fn with_balance(state: &AppState, screen: Screen) -> Screen {
    match screen {
        Screen::Done(mut done) => {
            done.balance = current_balance(state, &done.carrier_id).await;
            done.add_postage = state.funding.enabled;
            Screen::Done(done)
        }
        other => other,
    }
}

/// A server function's answer to the island: a done screen gets its balance (an old tab's
/// post lands there too). A plain form post is redirected to the page, which reads it itself.
pub async fn answer_with_balance(
    state: &AppState,
    island: bool,
    outcome: Result<Screen, AppError>,
) -> Result<Screen, AppError> {
    match outcome {
        Ok(screen) if island => Ok(with_balance(state, screen).await),
        outcome => outcome,
    }
}
