//! Connecting an existing Stamps.com account: the domain, plain Rust over the flow and the app's
//! state (the adapter only reads the request; tests drive it without HTTP).
//!
//! Exactly once, as a registration: the row of the form's key is claimed (`submitted`, origin
//! `connected`) before ShipEngine is called, and only the request that claimed it calls; a
//! repeat follows the first one's outcome. The outcome moves the row in one transaction with its
//! timeline line and webhook event: `verified` (`registration.connected`), `failed`, or
//! `outcome_unknown`, which is never sent again. The password goes into the one call and
//! nowhere else.

use std::net::IpAddr;

use super::{ConnectField, ConnectForm, ValidConnection, validate_connection};
use crate::error::{AppError, UpstreamProblem};
use crate::server::limits::unix_now;
use crate::server::observability::metrics;
use crate::server::shipengine::{
    ConnectStampsRequest, ErrorCode, ErrorType, ShipEngineError, StampsConnected,
};
use crate::server::storage::{
    Claim, NewRegistration, Origin, Registration, RegistrationEvent, RegistrationStatus,
};
use crate::server::{AppState, Flow, database_error, upstream_error};

/// Connects the account `form` names for the browser whose `flow` this is, asking from `ip`.
/// `Ok` when the flow is past the form (connected now, or earlier): the merchant goes to `/`,
/// which shows where they are. An error is what the connect page says.
pub async fn connect(
    state: &AppState,
    flow: Flow,
    ip: IpAddr,
    form: &ConnectForm,
) -> Result<(), AppError> {
    if !flow.is_registering() {
        // An account is open already (or on its code step): the merchant's page shows it.
        return Ok(());
    }
    if !flow.may_use_form(state.operator.public_form) {
        return Err(AppError::LinkRequired);
    }
    let valid = validate_connection(form).map_err(AppError::Invalid)?;
    let key = posted_key(&form.idempotency_key);
    let database = &state.database;
    // A repeat of this submission (a double click, a resubmit) follows the first one.
    if let Some(row) = database.registration(&key).await.map_err(database_error)? {
        return follow(state, flow, row).await;
    }
    // This browser's registration or connection still on its way, or of unknown outcome: a
    // second account must not be connected beside it.
    if let Some(open) = database
        .open_registration_of(flow.owner().hash())
        .await
        .map_err(database_error)?
    {
        return follow(state, flow, open).await;
    }
    let session_id = flow.session_id();
    let new_row = NewRegistration {
        idempotency_key: &key,
        owner_hash: flow.owner().hash(),
        session_id: session_id.as_deref(),
        nickname: &valid.nickname,
        // A connected account brings no email and no card of ours.
        email: "",
        card_brand: "",
        card_last4: "",
        merchant_ref: flow.merchant_ref(),
        allow_another: flow.allows_another(),
    };
    let reference = match database
        .claim_connection(&new_row)
        .await
        .map_err(database_error)?
    {
        Claim::New { reference } => reference,
        // A twin of this post, another tab's, or the merchant's one account sent from another
        // browser: follow it, nothing more is counted.
        Claim::Existing(row) => return follow(state, flow, *row).await,
    };
    // Each connection tries a password through the operator's key: counted once the row is
    // this request's, so a twin never counts twice; a refused one is not kept.
    let counts = state.limits.connection_counts(ip, &valid.username);
    let admitted = database
        .admit(&counts, state.limits.longest_window_secs(), unix_now())
        .await;
    let refusal = match admitted {
        Ok(Ok(())) => None,
        Ok(Err(over)) => Some(Ok(over)),
        Err(error) => Some(Err(database_error(error))),
    };
    if let Some(refusal) = refusal {
        if let Err(error) = database.release_claim(&key).await {
            tracing::error!(%error, %reference, "a refused connection's row was not released");
        }
        let over = refusal?;
        tracing::warn!(limit = over.limit, %ip, "connection refused");
        metrics::limit_rejected(over.limit);
        return Err(over.into());
    }
    // In a task of its own, tracked so a graceful shutdown waits for it: a closed tab must not
    // cut the call short, or the row would never learn its outcome.
    let call = state.spawn_upstream(tracing::Instrument::instrument(
        connect_upstream(state.clone(), key.clone(), upstream_request(valid)),
        tracing::Span::current(),
    ));
    let outcome = call.await.map_err(|error| {
        tracing::error!(%error, %reference, "connection task failed");
        AppError::Internal { reference: None }
    })?;
    match outcome {
        Ok(connected) => {
            tracing::info!(carrier_id = %connected.carrier_id, %reference, "connected");
            let row = database.registration(&key).await.map_err(database_error)?;
            match row {
                Some(row) => follow(state, flow, row).await,
                None => Err(AppError::Internal { reference: None }),
            }
        }
        Err(error) if error.may_have_taken_effect() => {
            tracing::error!(%reference, %error, "connection outcome unknown: support must settle it");
            Err(unknown(reference))
        }
        Err(error) => Err(refusal_of(&error)),
    }
}

/// The posted key, as the database keeps it; a form without one (hand-made) gets its own.
fn posted_key(posted: &str) -> String {
    uuid::Uuid::parse_str(posted.trim())
        .unwrap_or_else(|_| uuid::Uuid::new_v4())
        .hyphenated()
        .to_string()
}

/// Follows `row`, found before this request could send anything: this browser's (waiting for
/// its outcome while it is in flight), or the merchant's one account (through the flow's
/// onboarding link). Never a second call upstream.
async fn follow(state: &AppState, flow: Flow, row: Registration) -> Result<(), AppError> {
    if row.owner_hash.as_deref() != Some(flow.owner().hash()) {
        // Another browser's: the flow follows it only if the operator vouches for the merchant.
        return flow.follow(row).await.map(drop);
    }
    let wait = state.registration_settles_within;
    let settled = state
        .database
        .settled_registration(&row.idempotency_key, wait, wait)
        .await
        .map_err(database_error)?
        .unwrap_or(row);
    match settled.status {
        RegistrationStatus::Submitted => Err(AppError::RegistrationInProgress),
        RegistrationStatus::Failed => Err(refusal_logged(
            settled.last_error.as_deref().unwrap_or_default(),
            settled.register_request_id,
        )),
        RegistrationStatus::OutcomeUnknown if settled.origin == Origin::Connected => {
            Err(unknown(settled.reference))
        }
        RegistrationStatus::OutcomeUnknown => Err(AppError::OutcomeUnknown {
            reference: settled.reference,
        }),
        // Open: the flow takes it (a new session id), and the merchant's page shows it.
        RegistrationStatus::Registered
        | RegistrationStatus::CodeSent
        | RegistrationStatus::Verified => flow.follow(settled).await.map(drop),
    }
}

fn unknown(reference: String) -> AppError {
    AppError::Upstream {
        problem: UpstreamProblem::ConnectionUnknown,
        reference: Some(reference),
    }
}

/// Calls ShipEngine and records the outcome on the row of `key`.
async fn connect_upstream(
    state: AppState,
    key: String,
    request: ConnectStampsRequest,
) -> Result<StampsConnected, ShipEngineError> {
    let outcome = state.shipengine.connect_stamps_account(&request).await;
    // The password is not held a moment longer than the call.
    drop(request);
    let carrier_id;
    let error;
    let event = match &outcome {
        Ok(connected) => {
            carrier_id = connected.carrier_id.to_string();
            RegistrationEvent::Connected {
                carrier_id: &carrier_id,
                request_id: connected.request_id.as_deref(),
            }
        }
        Err(failure) => {
            error = failure.to_string();
            upstream_error::failure_event(failure, &error)
        }
    };
    Flow::record(&state.database, &key, event).await;
    outcome
}

fn upstream_request(valid: ValidConnection) -> ConnectStampsRequest {
    ConnectStampsRequest {
        nickname: valid.nickname,
        username: valid.username,
        password: valid.password,
    }
}

/// What a definitive refusal tells the merchant: Stamps.com's three answers about the login in
/// words of their own, anything else as any other call's.
pub fn refusal_of(error: &ShipEngineError) -> AppError {
    let problem = if error.has_code(ErrorCode::CarrierConflict) {
        Some(UpstreamProblem::StampsAlreadyConnected)
    } else if error
        .errors()
        .iter()
        .any(|e| e.error_type == ErrorType::AccountStatus)
    {
        Some(UpstreamProblem::StampsAccountLocked)
    } else if error
        .errors()
        .iter()
        .any(|e| e.error_type == ErrorType::Security)
        || error.has_code(ErrorCode::Unauthorized)
    {
        Some(UpstreamProblem::StampsLoginRefused)
    } else {
        None
    };
    match problem {
        Some(problem) => {
            tracing::warn!(call = "connect", status = ?error.status(), request_id = ?error.request_id(), %error, "upstream call failed");
            AppError::Upstream {
                problem,
                reference: error.request_id().map(str::to_owned),
            }
        }
        None => upstream_error::to_app_error("connect", error, connect_field_of),
    }
}

/// The refusal a repeat of a refused connection is told: its row keeps the failure as `logged`
/// (status, `source/type/code`, request id), which names the same codes [`refusal_of`] reads.
fn refusal_logged(logged: &str, reference: Option<String>) -> AppError {
    let problem = if logged.contains("/carrier_conflict") {
        UpstreamProblem::StampsAlreadyConnected
    } else if logged.contains("/account_status/") {
        UpstreamProblem::StampsAccountLocked
    } else if logged.contains("/security/") || logged.contains("/unauthorized") {
        UpstreamProblem::StampsLoginRefused
    } else {
        UpstreamProblem::DetailsRefused
    };
    AppError::Upstream { problem, reference }
}

/// Which form field an upstream `field_name` is about, if any.
fn connect_field_of(upstream: &str) -> Option<ConnectField> {
    Some(match upstream {
        "nickname" => ConnectField::Nickname,
        "username" => ConnectField::Username,
        "password" => ConnectField::Password,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::FieldProblem;
    use crate::server::shipengine::{ApiErrorDetail, ErrorSource};

    fn refused(source: &str, kind: &str, code: &str, field: Option<&str>) -> ShipEngineError {
        ShipEngineError::Api {
            status: 400,
            request_id: Some("5a8d3073-2626-4a64-983d-29c5d55dce5e".into()),
            errors: vec![ApiErrorDetail {
                error_source: ErrorSource::from(source.to_owned()),
                error_type: ErrorType::from(kind.to_owned()),
                error_code: ErrorCode::from(code.to_owned()),
                message: "upstream wording, never shown".into(),
                field_name: field.map(str::to_owned),
            }],
            retry_after: None,
        }
    }

    fn problem_of(error: &ShipEngineError) -> Option<UpstreamProblem> {
        match refusal_of(error) {
            AppError::Upstream { problem, reference } => {
                assert_eq!(
                    reference.as_deref(),
                    Some("5a8d3073-2626-4a64-983d-29c5d55dce5e")
                );
                Some(problem)
            }
            _ => None,
        }
    }

    #[test]
    fn the_simulators_three_refusals_each_read_as_their_own_problem() {
        assert_eq!(
            problem_of(&refused("carrier", "security", "unauthorized", None)),
            Some(UpstreamProblem::StampsLoginRefused)
        );
        assert_eq!(
            problem_of(&refused("carrier", "account_status", "forbidden", None)),
            Some(UpstreamProblem::StampsAccountLocked)
        );
        assert_eq!(
            problem_of(&refused(
                "shipengine",
                "business_rules",
                "carrier_conflict",
                None
            )),
            Some(UpstreamProblem::StampsAlreadyConnected)
        );
    }

    #[test]
    fn other_refusals_read_as_any_calls() {
        assert_eq!(
            refusal_of(&refused(
                "shipengine",
                "validation",
                "field_value_required",
                Some("username")
            )),
            AppError::invalid_field(ConnectField::Username, FieldProblem::UpstreamRequired)
        );
        assert_eq!(
            problem_of(&refused(
                "shipengine",
                "business_rules",
                "unspecified",
                None
            )),
            Some(UpstreamProblem::DetailsRefused)
        );
    }

    #[test]
    fn a_repeat_reads_the_refusal_its_row_logged() {
        for (error, problem) in [
            (
                refused("carrier", "security", "unauthorized", None),
                UpstreamProblem::StampsLoginRefused,
            ),
            (
                refused("carrier", "account_status", "forbidden", None),
                UpstreamProblem::StampsAccountLocked,
            ),
            (
                refused("shipengine", "business_rules", "carrier_conflict", None),
                UpstreamProblem::StampsAlreadyConnected,
            ),
        ] {
            assert_eq!(
                refusal_logged(&error.to_string(), error.request_id().map(str::to_owned)),
                AppError::Upstream {
                    problem,
                    reference: error.request_id().map(str::to_owned),
                }
            );
        }
    }
}
