//! The domain of "Add postage", plain functions of the app's state (tests drive them without
//! HTTP): whose account it is, a request for an amount, and its confirmation, which charges the
//! card at most once.
//!
//! Exactly once: the confirmation moves the row from `pending` to `charging` in one claim that
//! also counts the limits ([`crate::server::storage::FundingClaim`]). Only the request that moved
//! it calls `add_funds`, in a tracked task, so a closed tab or a deploy does not cut the call
//! short and its outcome is always recorded. A double click, a retry, a second tab: each finds
//! the row claimed and waits for its outcome. A charge whose answer was lost is
//! `outcome_unknown` and is never sent again.

use std::time::Duration;

use tower_sessions::Session;

use super::{Account, AmountForm, FundingRefusal, FundingStatus, Money, validate_amount};
use crate::error::AppError;
use crate::screen::Screen;
use crate::server::observability::metrics;
use crate::server::shipengine::{self, CarrierId, ErrorCode, ShipEngineError};
use crate::server::storage::{FundingClaim, FundingLimits, FundingOutcome, FundingRequest, now_ms};
use crate::server::{AppState, Flow, FlowOwner, database_error};

/// How often a repeat looks whether the charge in flight has ended.
const POLL_EVERY: Duration = Duration::from_millis(100);

/// This browser's verified account, or `None` while it has none (the pages send it to `/`).
pub async fn account_of(
    state: &AppState,
    session: Session,
    owner: FlowOwner,
) -> Result<Option<Account>, AppError> {
    let flow = Flow::from_session(session, owner, false, state).await?;
    let link_locale = flow.link_locale();
    Ok(match flow.current().await? {
        Screen::Done(done) => Some(Account {
            nickname: done.nickname,
            carrier_id: done.carrier_id,
            link_locale,
        }),
        _ => None,
    })
}

/// A pending request of the browser `owner` to add the amount of `form` to `account`; its id.
pub async fn open_request(
    state: &AppState,
    owner: &FlowOwner,
    account: &Account,
    form: &AmountForm,
) -> Result<String, AppError> {
    let amount = validate_amount(form, state.funding.max_cents)?;
    let id = uuid::Uuid::new_v4().simple().to_string();
    state
        .database
        .insert_funding_request(
            &id,
            owner.hash(),
            &account.carrier_id,
            amount.cents,
            now_ms(),
        )
        .await
        .map_err(database_error)?;
    tracing::info!(funding_request = %id, carrier_id = %account.carrier_id, amount_cents = amount.cents, "postage amount chosen");
    Ok(id)
}

/// The request `id` of the browser `owner` for `account`, as it stands now (`None`: not its
/// own). One left `charging` longer than the call can take lost its call: it becomes
/// `outcome_unknown`.
pub async fn request_of(
    state: &AppState,
    owner: &FlowOwner,
    account: &Account,
    id: &str,
) -> Result<Option<FundingRequest>, AppError> {
    let database = &state.database;
    let found = database
        .funding_request(id, owner.hash())
        .await
        .map_err(database_error)?;
    let Some(row) = found.filter(|row| row.carrier_id == account.carrier_id) else {
        return Ok(None);
    };
    let now = now_ms();
    let settles_ms = i64::try_from(state.registration_settles_within.as_millis()).unwrap_or(0);
    let stale = row.status == FundingStatus::Charging
        && row.claimed_at_ms.is_some_and(|at| at < now - settles_ms);
    if stale
        && database
            .give_up_on_charging(id, now - settles_ms, now)
            .await
            .map_err(database_error)?
    {
        tracing::warn!(funding_request = %id, "a charge's outcome was never recorded: outcome unknown");
        return database
            .funding_request(id, owner.hash())
            .await
            .map_err(database_error);
    }
    Ok(Some(row))
}

/// Confirms the request `id`: charges the card if this is the first confirmation and the limits
/// leave room, else waits for the first one's outcome. `Ok(None)`: not this browser's request.
/// A full limit is [`AppError::RateLimited`], with the wait.
pub async fn confirm(
    state: &AppState,
    owner: &FlowOwner,
    account: &Account,
    id: &str,
) -> Result<Option<()>, AppError> {
    let Some(row) = request_of(state, owner, account, id).await? else {
        return Ok(None);
    };
    let funding = state.funding;
    // A request made before the operator lowered `FUNDING_MAX_USD` is not charged.
    if row.amount_cents > funding.max_cents {
        tracing::warn!(funding_request = %id, amount_cents = row.amount_cents, max_cents = funding.max_cents, "postage not confirmed: over the maximum");
        return Ok(None);
    }
    let limits = FundingLimits {
        per_owner: funding.per_session,
        per_carrier: funding.per_carrier_per_day,
        window_ms: super::config::LIMIT_WINDOW_MS,
    };
    let claim = state
        .database
        .claim_funding_request(id, owner.hash(), &limits, now_ms())
        .await
        .map_err(database_error)?;
    match claim {
        FundingClaim::Claimed(row) => {
            tracing::info!(funding_request = %id, carrier_id = %row.carrier_id, amount_cents = row.amount_cents, "postage confirmed: charging");
            let call = state.spawn_upstream(tracing::Instrument::instrument(
                charge(state.clone(), row),
                tracing::Span::current(),
            ));
            if let Err(error) = call.await {
                tracing::error!(%error, funding_request = %id, "the charge's task failed");
            }
        }
        FundingClaim::NotPending => wait_while_charging(state, owner, id).await?,
        FundingClaim::OverLimit { retry_after_secs } => {
            tracing::warn!(funding_request = %id, carrier_id = %account.carrier_id, retry_after_secs, "postage not confirmed: limit reached");
            metrics::limit_rejected("funding");
            return Err(AppError::RateLimited { retry_after_secs });
        }
    }
    Ok(Some(()))
}

/// A repeat of a confirmation: waits (at most as long as the charge can take) for the first
/// one's outcome, so it shows the result rather than "in progress".
async fn wait_while_charging(
    state: &AppState,
    owner: &FlowOwner,
    id: &str,
) -> Result<(), AppError> {
    let deadline = tokio::time::Instant::now() + state.registration_settles_within;
    loop {
        let row = state
            .database
            .funding_request(id, owner.hash())
            .await
            .map_err(database_error)?;
        let charging = row.is_some_and(|row| row.status == FundingStatus::Charging);
        if !charging || tokio::time::Instant::now() >= deadline {
            return Ok(());
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// Charges the card of the claimed request `row` (once: `add_funds` is never retried on a
/// doubt) and records the outcome on the row.
async fn charge(state: AppState, row: FundingRequest) {
    let amount = Money::usd_cents(row.amount_cents);
    let outcome = match CarrierId::parse(&row.carrier_id) {
        Ok(carrier_id) => {
            state
                .shipengine
                .add_funds(&carrier_id, &shipengine::Money::usd(amount.as_dollars()))
                .await
        }
        // Nothing was sent: a refusal of our own making.
        Err(_) => Err(ShipEngineError::Connect),
    };
    let failure = outcome.as_ref().err().map(ToString::to_string);
    let failure = failure.as_deref().unwrap_or_default();
    let recorded = match &outcome {
        Ok(added) => FundingOutcome::Charged {
            balance_cents: usd(&added.balance).map(|balance| balance.cents),
            request_id: added.request_id.as_deref(),
        },
        Err(error) if !error.may_have_taken_effect() => FundingOutcome::Refused {
            refusal: refusal_of(error),
            request_id: error.request_id(),
            error: failure,
        },
        Err(error) => FundingOutcome::Unknown {
            request_id: error.request_id(),
            error: failure,
        },
    };
    match &recorded {
        FundingOutcome::Charged { request_id, .. } => {
            tracing::info!(funding_request = %row.id, request_id, amount_cents = row.amount_cents, "postage added");
        }
        FundingOutcome::Refused { refusal, .. } => {
            tracing::warn!(funding_request = %row.id, refusal = refusal.as_str(), "postage refused");
        }
        FundingOutcome::Unknown { .. } => {
            tracing::error!(funding_request = %row.id, "postage charge's outcome unknown: never sent again");
        }
    }
    match state
        .database
        .record_funding_outcome(&row.id, recorded, now_ms())
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(funding_request = %row.id, "the charge's outcome came after the request had ended otherwise")
        }
        Err(error) => {
            tracing::error!(%error, funding_request = %row.id, "a charge's outcome was not recorded")
        }
    }
}

/// The balance ShipEngine answered, in US dollars only.
fn usd(balance: &shipengine::Money) -> Option<Money> {
    if balance.currency.eq_ignore_ascii_case("usd") {
        Money::from_usd(balance.amount)
    } else {
        tracing::warn!(currency = %balance.currency, "a balance in another currency");
        None
    }
}

fn refusal_of(error: &ShipEngineError) -> FundingRefusal {
    if error.has_code(ErrorCode::FundingSourceError) {
        FundingRefusal::CardDeclined
    } else if error.has_code(ErrorCode::FundingSourceMissingConfiguration) {
        FundingRefusal::NotEnabled
    } else {
        FundingRefusal::Other
    }
}
