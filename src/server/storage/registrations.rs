//! One row per registration, keyed by the idempotency key the form was rendered with.
//!
//! `claim` inserts the row as `submitted` *before* ShipEngine is called; the unique key makes
//! it insert-or-get, so of two identical submissions only one ever calls upstream. Every status
//! change after that goes through [`Database::record`], the one place statuses move.

use std::fmt;
use std::time::{Duration, Instant};

use rand::Rng;

use super::connected::Origin;
use super::webhook_event::WebhookEvent;
use super::{Database, StorageError, now_ms, on_pool};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegistrationStatus {
    /// Inserted; the call to ShipEngine is on its way.
    Submitted,
    /// ShipEngine opened the account: the carrier id is known.
    Registered,
    /// A code was texted to the merchant's phone.
    CodeSent,
    Verified,
    /// ShipEngine answered that it did not open the account.
    Failed,
    /// Sent, but no usable answer came back: the account may or may not exist.
    OutcomeUnknown,
}

impl RegistrationStatus {
    pub const ALL: [Self; 6] = [
        Self::Submitted,
        Self::Registered,
        Self::CodeSent,
        Self::Verified,
        Self::Failed,
        Self::OutcomeUnknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Registered => "registered",
            Self::CodeSent => "code_sent",
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::OutcomeUnknown => "outcome_unknown",
        }
    }
}

impl TryFrom<String> for RegistrationStatus {
    type Error = StorageError;

    fn try_from(raw: String) -> Result<Self, StorageError> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == raw)
            .ok_or_else(|| StorageError::Corrupt(format!("registration status {raw:?}")))
    }
}

impl fmt::Display for RegistrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A row as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Registration {
    pub reference: String,
    pub idempotency_key: String,
    pub session_id: Option<String>,
    pub nickname: String,
    pub email: String,
    pub carrier_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: RegistrationStatus,
    pub card_brand: String,
    pub card_last4: String,
    pub register_request_id: Option<String>,
    pub send_code_request_id: Option<String>,
    pub verify_code_request_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// The SHA-256 of the flow cookie of the browser that sent it (see `FlowOwner`).
    pub owner_hash: Option<String>,
    /// The code last texted: its verification id, the masked number, its checks so far.
    pub verification_id: Option<String>,
    pub code_sent_to: Option<String>,
    pub code_checks: i64,
    /// The operator's own id for the merchant, when the flow began at an onboarding link.
    pub merchant_ref: Option<String>,
    /// Opened by the form, or an existing Stamps.com account connected.
    #[sqlx(try_from = "String")]
    pub origin: Origin,
}

/// What is known before ShipEngine is called. The card appears as its brand and last four only.
#[derive(Clone, Debug)]
pub struct NewRegistration<'a> {
    pub idempotency_key: &'a str,
    pub owner_hash: &'a str,
    pub session_id: Option<&'a str>,
    pub nickname: &'a str,
    pub email: &'a str,
    pub card_brand: &'a str,
    pub card_last4: &'a str,
    pub merchant_ref: Option<&'a str>,
    /// The link allowed the merchant another account: the row is not bound by the rule of one
    /// account per merchant (a row without `merchant_ref` never is).
    pub allow_another: bool,
}

impl NewRegistration<'_> {
    /// Bound by the rule of one account per merchant: at most one such row of a merchant that
    /// ShipEngine did not refuse (a unique index).
    fn one_per_merchant(&self) -> bool {
        self.merchant_ref.is_some() && !self.allow_another
    }
}

/// The outcome of [`Database::claim`].
#[derive(Debug)]
pub enum Claim {
    /// This submission owns the key: it alone calls ShipEngine. Carries the new row's reference.
    New { reference: String },
    /// The key was claimed before, by this submission's twin, or the browser already has a
    /// registration open (another tab's), or the merchant already has its one account (sent
    /// from another browser through another link): here is its row.
    Existing(Box<Registration>),
}

/// What happened to a registration, moving its status.
#[derive(Clone, Copy, Debug)]
pub enum RegistrationEvent<'a> {
    Registered {
        carrier_id: &'a str,
        request_id: Option<&'a str>,
    },
    /// ShipEngine answered that it did not open the account.
    Failed {
        request_id: Option<&'a str>,
        error: &'a str,
    },
    /// No usable answer to the registration: it may or may not have opened an account.
    OutcomeUnknown {
        error: &'a str,
    },
    CodeSent {
        verification_id: &'a str,
        /// The masked number it went to.
        sent_to: &'a str,
        request_id: Option<&'a str>,
    },
    /// A code request or a code check failed; the status stays, the failure is noted.
    CallFailed {
        call: VerificationCall,
        request_id: Option<&'a str>,
        error: &'a str,
    },
    Verified {
        request_id: Option<&'a str>,
    },
    /// ShipEngine connected the merchant's existing Stamps.com account: nothing left to verify.
    Connected {
        carrier_id: &'a str,
        request_id: Option<&'a str>,
    },
    /// Support (or the reconciliation job) found the account an unknown outcome opened.
    SettledRegistered {
        carrier_id: &'a str,
        /// Who settled it: `admin:<who>` or `reconciliation`. Goes in the audit log.
        by: &'a str,
        note: &'a str,
    },
    /// Support (or the reconciliation job) found that an unknown outcome opened no account:
    /// the merchant may send the form again.
    SettledFailed {
        by: &'a str,
        note: &'a str,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationCall {
    SendCode,
    VerifyCode,
}

/// An event as an update: from which statuses, to which, what else it sets.
struct Change<'a> {
    from: &'static [RegistrationStatus],
    to: Option<RegistrationStatus>,
    carrier_id: Option<&'a str>,
    request_id_column: &'static str,
    request_id: Option<&'a str>,
    error: Option<&'a str>,
    /// A new code: its id and masked number (its checks start again from none).
    code: Option<(&'a str, &'a str)>,
    /// What the timeline says beside the event's name (an error as logged, a settlement's note).
    detail: Option<&'a str>,
}

impl<'a> RegistrationEvent<'a> {
    fn change(self) -> Change<'a> {
        use RegistrationStatus::*;
        let change = |from, to, request_id_column, request_id| Change {
            from,
            to: Some(to),
            carrier_id: None,
            request_id_column,
            request_id,
            error: None,
            code: None,
            detail: None,
        };
        match self {
            Self::Registered {
                carrier_id,
                request_id,
            } => Change {
                carrier_id: Some(carrier_id),
                ..change(&[Submitted], Registered, "register_request_id", request_id)
            },
            Self::Failed { request_id, error } => Change {
                error: Some(error),
                detail: Some(error),
                ..change(&[Submitted], Failed, "register_request_id", request_id)
            },
            Self::OutcomeUnknown { error } => Change {
                error: Some(error),
                detail: Some(error),
                ..change(&[Submitted], OutcomeUnknown, "register_request_id", None)
            },
            Self::CodeSent {
                verification_id,
                sent_to,
                request_id,
            } => Change {
                code: Some((verification_id, sent_to)),
                ..change(
                    &[Registered, CodeSent],
                    CodeSent,
                    "send_code_request_id",
                    request_id,
                )
            },
            Self::CallFailed {
                call,
                request_id,
                error,
            } => Change {
                from: &[Registered, CodeSent],
                to: None,
                carrier_id: None,
                request_id_column: match call {
                    VerificationCall::SendCode => "send_code_request_id",
                    VerificationCall::VerifyCode => "verify_code_request_id",
                },
                request_id,
                error: Some(error),
                code: None,
                detail: Some(error),
            },
            Self::Verified { request_id } => change(
                &[CodeSent, Verified],
                Verified,
                "verify_code_request_id",
                request_id,
            ),
            Self::Connected {
                carrier_id,
                request_id,
            } => Change {
                carrier_id: Some(carrier_id),
                ..change(&[Submitted], Verified, "register_request_id", request_id)
            },
            Self::SettledRegistered {
                carrier_id, note, ..
            } => Change {
                carrier_id: Some(carrier_id),
                detail: Some(note),
                ..change(&[OutcomeUnknown], Registered, "register_request_id", None)
            },
            Self::SettledFailed { note, .. } => Change {
                detail: Some(note),
                ..change(&[OutcomeUnknown], Failed, "register_request_id", None)
            },
        }
    }

    /// The event's name in the timeline.
    pub fn name(self) -> &'static str {
        match self {
            Self::Registered { .. } => "registered",
            Self::Failed { .. } => "failed",
            Self::OutcomeUnknown { .. } => "outcome_unknown",
            Self::CodeSent { .. } => "code_sent",
            Self::CallFailed {
                call: VerificationCall::SendCode,
                ..
            } => "send_code_failed",
            Self::CallFailed {
                call: VerificationCall::VerifyCode,
                ..
            } => "verify_code_failed",
            Self::Verified { .. } => "verified",
            Self::Connected { .. } => "connected",
            Self::SettledRegistered { .. } => "settled_registered",
            Self::SettledFailed { .. } => "settled_failed",
        }
    }

    /// The webhook event a change of status by this event announces, if any.
    pub fn webhook_type(self) -> Option<&'static str> {
        match self {
            Self::Registered { .. } => Some("registration.registered"),
            Self::Failed { .. } => Some("registration.failed"),
            Self::OutcomeUnknown { .. } => Some("registration.outcome_unknown"),
            Self::Verified { .. } => Some("registration.verified"),
            Self::Connected { .. } => Some("registration.connected"),
            Self::SettledRegistered { .. } | Self::SettledFailed { .. } => {
                Some("registration.settled")
            }
            Self::CodeSent { .. } | Self::CallFailed { .. } => None,
        }
    }

    /// Who settled the registration, for the audit log: only a settlement is audited.
    fn settled_by(self) -> Option<&'a str> {
        match self {
            Self::SettledRegistered { by, .. } | Self::SettledFailed { by, .. } => Some(by),
            _ => None,
        }
    }
}

pub(super) const COLUMNS: &str = "reference, idempotency_key, session_id, nickname, email, carrier_id, \
    status, card_brand, card_last4, register_request_id, send_code_request_id, \
    verify_code_request_id, last_error, created_at_ms, updated_at_ms, owner_hash, \
    verification_id, code_sent_to, code_checks, merchant_ref, origin";

/// The status an update sets: the event's (`$2`), except that a connected account found by a
/// settlement has nothing left to verify, so it is `verified` rather than at the code step.
const SETTLED_STATUS: &str = "CASE WHEN $2 = 'registered' AND origin = 'connected' \
    THEN 'verified' ELSE COALESCE($2, status) END";

/// The statuses in which a browser has a registration open: at most one row each (a unique
/// index), so a second tab's key finds the first tab's registration.
const OPEN: &str = "'submitted', 'registered', 'code_sent', 'outcome_unknown'";

/// Why a registration left `submitted` too long became an unknown outcome.
pub const NO_ANSWER_IN_TIME: &str = "no answer was recorded in time: the call's outcome is unknown";

/// How often a repeat looks at the row of the submission it waits for.
const POLL_EVERY: Duration = Duration::from_millis(100);

impl Database {
    /// Inserts the row as `submitted`, unless its key is taken, its browser already has a
    /// registration open, or its merchant already has its one account: then returns the row
    /// that has it.
    pub async fn claim(&self, new: &NewRegistration<'_>) -> Result<Claim, StorageError> {
        self.claim_as(new, Origin::Registered).await
    }

    /// [`Self::claim`] for an account of `origin`.
    pub(super) async fn claim_as(
        &self,
        new: &NewRegistration<'_>,
        origin: Origin,
    ) -> Result<Claim, StorageError> {
        // A conflicting row can move on (refused, verified) before it is read: then try again.
        for _ in 0..3 {
            if let Some(reference) = self.insert_claim(new, origin).await? {
                tracing::info!(%reference, status = %RegistrationStatus::Submitted, "registration recorded");
                return Ok(Claim::New { reference });
            }
            if let Some(row) = self.conflicting_row(new).await? {
                return Ok(Claim::Existing(Box::new(row)));
            }
        }
        Err(StorageError::Corrupt(
            "a registration conflicted but has no row".into(),
        ))
    }

    /// The insert of [`Self::claim`]: the new row's reference, or `None` when a unique index
    /// (the key's, the open-per-owner one, the one-per-merchant one) refused it.
    async fn insert_claim(
        &self,
        new: &NewRegistration<'_>,
        origin: Origin,
    ) -> Result<Option<String>, StorageError> {
        let reference = new_reference();
        let now = now_ms();
        let inserted = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // No conflict target: every unique index counts.
            let inserted = sqlx::query(
                "INSERT INTO registrations (reference, idempotency_key, owner_hash, session_id, \
                 nickname, email, status, card_brand, card_last4, created_at_ms, updated_at_ms, \
                 merchant_ref, one_per_merchant, origin) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $9, $9, $10, $11, $12) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&reference)
            .bind(new.idempotency_key)
            .bind(new.owner_hash)
            .bind(new.session_id)
            .bind(new.nickname)
            .bind(new.email)
            .bind(new.card_brand)
            .bind(new.card_last4)
            .bind(now)
            .bind(new.merchant_ref)
            .bind(new.one_per_merchant())
            .bind(origin.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                sqlx::query(
                    "INSERT INTO registration_events (reference, event, status, at_ms) \
                     VALUES ($1, 'submitted', 'submitted', $2)",
                )
                .bind(&reference)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            inserted
        });
        Ok((inserted == 1).then_some(reference))
    }

    /// The row a claim conflicted with: the key's, the browser's open one, or the merchant's
    /// one account.
    async fn conflicting_row(
        &self,
        new: &NewRegistration<'_>,
    ) -> Result<Option<Registration>, StorageError> {
        if let Some(row) = self.registration(new.idempotency_key).await? {
            return Ok(Some(row));
        }
        if let Some(row) = self.open_registration_of(new.owner_hash).await? {
            return Ok(Some(row));
        }
        match new.merchant_ref {
            Some(merchant_ref) if new.one_per_merchant() => {
                self.registration_where(
                    "merchant_ref = $1 AND one_per_merchant AND status <> 'failed'",
                    merchant_ref,
                )
                .await
            }
            _ => Ok(None),
        }
    }

    pub async fn registration(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<Registration>, StorageError> {
        self.registration_where("idempotency_key = $1", idempotency_key)
            .await
    }

    /// The registration the browser whose flow cookie hashes to `owner_hash` has open, if any.
    pub async fn open_registration_of(
        &self,
        owner_hash: &str,
    ) -> Result<Option<Registration>, StorageError> {
        let condition = format!("owner_hash = $1 AND status IN ({OPEN})");
        self.registration_where(&condition, owner_hash).await
    }

    /// The latest registration of the browser whose flow cookie hashes to `owner_hash` that
    /// ShipEngine did not refuse: the open one, or the verified one.
    pub async fn latest_registration_of(
        &self,
        owner_hash: &str,
    ) -> Result<Option<Registration>, StorageError> {
        let condition =
            "owner_hash = $1 AND status <> 'failed' ORDER BY updated_at_ms DESC LIMIT 1";
        self.registration_where(condition, owner_hash).await
    }

    /// The first row matching `condition` (text from this file only) with `$1` bound to `value`.
    pub(super) async fn registration_where(
        &self,
        condition: &str,
        value: &str,
    ) -> Result<Option<Registration>, StorageError> {
        let query = format!("SELECT {COLUMNS} FROM registrations WHERE {condition}");
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, Registration>(&query)
                .bind(value)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Deletes the row of `idempotency_key` claimed by this request but never sent (a limit
    /// refused it, or recording it failed), so the browser may send it again later. Its
    /// `submitted` line in the timeline goes with it, in the same transaction.
    pub async fn release_claim(&self, idempotency_key: &str) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let released: Option<String> = sqlx::query_scalar(
                "DELETE FROM registrations WHERE idempotency_key = $1 AND status = 'submitted' \
                 AND carrier_id IS NULL AND register_request_id IS NULL RETURNING reference",
            )
            .bind(idempotency_key)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(reference) = &released {
                sqlx::query("DELETE FROM registration_events WHERE reference = $1")
                    .bind(reference)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Takes one of the `max` checks of the code `verification_id` of the registration of
    /// `idempotency_key`, before ShipEngine is asked; `false` when none is left. One conditional
    /// update: parallel requests cannot take more than `max`.
    pub async fn reserve_code_check(
        &self,
        idempotency_key: &str,
        verification_id: &str,
        max: u32,
    ) -> Result<bool, StorageError> {
        let reserved: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "UPDATE registrations SET code_checks = code_checks + 1, updated_at_ms = $4 \
                 WHERE idempotency_key = $1 AND verification_id = $2 AND status = 'code_sent' \
                 AND code_checks < $3 RETURNING code_checks",
            )
            .bind(idempotency_key)
            .bind(verification_id)
            .bind(i64::from(max))
            .bind(now_ms())
            .fetch_optional(pool)
            .await?
        });
        Ok(reserved.is_some())
    }

    /// Gives back a check taken by [`Self::reserve_code_check`] that was never made (another
    /// limit refused it).
    pub async fn release_code_check(
        &self,
        idempotency_key: &str,
        verification_id: &str,
    ) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE registrations SET code_checks = code_checks - 1 \
                 WHERE idempotency_key = $1 AND verification_id = $2 AND code_checks > 0",
            )
            .bind(idempotency_key)
            .bind(verification_id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Moves the registration of `idempotency_key` as `event` says, if its status allows; says
    /// whether it did. Every status change happens here, in one transaction with its line in the
    /// timeline, the webhook event it announces (in the outbox) and, for a settlement, its audit
    /// entry: none of them exists without the others.
    pub async fn record(
        &self,
        idempotency_key: &str,
        event: RegistrationEvent<'_>,
    ) -> Result<bool, StorageError> {
        let change = event.change();
        let column = change.request_id_column;
        // A move to another status first; then, for an event that may repeat (a new code, a
        // second check that passed), the repeat: it is in the timeline but announces nothing.
        let mut attempts = Vec::with_capacity(2);
        match change.to {
            Some(to) if change.from.contains(&to) => {
                attempts.push((statuses(change.from.iter().filter(|s| **s != to)), true));
                attempts.push((statuses([to].iter()), false));
            }
            _ => attempts.push((statuses(change.from.iter()), change.to.is_some())),
        }
        let now = now_ms();
        let moved: Option<(Registration, bool)> = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut moved = None;
            for (from, moves_status) in attempts {
                // Only names from this file go into the text; every value is bound.
                let query = format!(
                    "UPDATE registrations SET status = {status}, \
                     carrier_id = COALESCE($3, carrier_id), {column} = COALESCE($4, {column}), \
                     last_error = COALESCE($5, last_error), updated_at_ms = $6, \
                     verification_id = COALESCE($7, verification_id), \
                     code_sent_to = COALESCE($8, code_sent_to), \
                     code_checks = CASE WHEN $7 IS NULL THEN code_checks ELSE 0 END \
                     WHERE idempotency_key = $1 AND status IN ({from}) RETURNING {COLUMNS}",
                    status = SETTLED_STATUS,
                );
                let row = sqlx::query_as::<_, Registration>(&query)
                    .bind(idempotency_key)
                    .bind(change.to.map(RegistrationStatus::as_str))
                    .bind(change.carrier_id)
                    .bind(change.request_id)
                    .bind(change.error)
                    .bind(now)
                    .bind(change.code.map(|(verification_id, _)| verification_id))
                    .bind(change.code.map(|(_, sent_to)| sent_to))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|error| carrier_held(error, change.carrier_id))?;
                if let Some(row) = row {
                    moved = Some((row, moves_status));
                    break;
                }
            }
            if let Some((row, moves_status)) = &moved {
                sqlx::query(
                    "INSERT INTO registration_events \
                     (reference, event, status, request_id, detail, at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&row.reference)
                .bind(event.name())
                .bind(row.status.as_str())
                .bind(change.request_id)
                .bind(change.detail)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if let (true, Some(kind)) = (*moves_status, event.webhook_type()) {
                    let announced = WebhookEvent::new(kind, row, now);
                    sqlx::query(
                        "INSERT INTO webhook_outbox (event_id, event_type, reference, payload, \
                         created_at_ms, next_attempt_at_ms) VALUES ($1, $2, $3, $4, $5, $5)",
                    )
                    .bind(&announced.id)
                    .bind(kind)
                    .bind(&row.reference)
                    .bind(announced.payload)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some(by) = event.settled_by() {
                    sqlx::query(
                        "INSERT INTO audit_log (at_ms, actor, action, reference, detail) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(now)
                    .bind(by)
                    .bind(event.name())
                    .bind(&row.reference)
                    .bind(change.detail.unwrap_or_default())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            moved
        });
        match (&moved, change.to) {
            (Some((row, true)), Some(status)) => {
                tracing::info!(reference = %row.reference, %status, "registration status changed");
            }
            (Some(_), _) => {}
            (None, _) => tracing::warn!(?event, "registration not in a status this event follows"),
        }
        Ok(moved.is_some())
    }

    /// The registration of `idempotency_key` once it is no longer `submitted`, waiting up to
    /// `wait` for the submission in flight. A row `submitted` longer than `stale_after` lost its
    /// caller (an instance stopped mid-call): it is recorded as outcome unknown.
    pub async fn settled_registration(
        &self,
        idempotency_key: &str,
        wait: Duration,
        stale_after: Duration,
    ) -> Result<Option<Registration>, StorageError> {
        let started = Instant::now();
        loop {
            let Some(row) = self.registration(idempotency_key).await? else {
                return Ok(None);
            };
            if row.status != RegistrationStatus::Submitted || started.elapsed() >= wait {
                return Ok(Some(row));
            }
            let stale_ms = i64::try_from(stale_after.as_millis()).unwrap_or(i64::MAX);
            if now_ms().saturating_sub(row.updated_at_ms) > stale_ms {
                let error = NO_ANSWER_IN_TIME;
                self.record(idempotency_key, RegistrationEvent::OutcomeUnknown { error })
                    .await?;
                continue;
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// How many registrations are in each status.
    pub async fn count_by_status(&self) -> Result<Vec<(RegistrationStatus, i64)>, StorageError> {
        let rows: Vec<(String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT status, COUNT(*) FROM registrations GROUP BY status")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(status, count)| Ok((RegistrationStatus::try_from(status)?, count)))
            .collect()
    }
}

/// A unique violation of an update that gives a row `carrier_id`: another row holds it (the
/// one-per-carrier index).
fn carrier_held(error: sqlx::Error, carrier_id: Option<&str>) -> StorageError {
    match (error.as_database_error(), carrier_id) {
        (Some(database_error), Some(carrier_id)) if database_error.is_unique_violation() => {
            StorageError::CarrierHeld(carrier_id.to_owned())
        }
        _ => StorageError::Sqlx(error),
    }
}

/// `'a', 'b'`: statuses as SQL literals (names from this file only).
fn statuses<'s>(statuses: impl Iterator<Item = &'s RegistrationStatus>) -> String {
    statuses
        .map(|status| format!("'{status}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Twelve characters a person can read out without ambiguity: `7KQ2-M9XD-4HTP`.
fn new_reference() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let mut reference = String::with_capacity(14);
    for index in 0..12 {
        if index > 0 && index % 4 == 0 {
            reference.push('-');
        }
        reference.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    reference
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_three_readable_groups() {
        let reference = new_reference();
        assert_eq!(reference.len(), 14);
        let groups: Vec<&str> = reference.split('-').collect();
        assert_eq!(groups.len(), 3);
        assert!(groups.iter().all(|g| {
            g.len() == 4
                && g.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && !g.contains(['O', '0', 'I', '1', 'L'])
        }));
        assert_ne!(new_reference(), reference);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in RegistrationStatus::ALL {
            assert_eq!(
                RegistrationStatus::try_from(status.as_str().to_owned()).unwrap(),
                status
            );
        }
        assert!(RegistrationStatus::try_from("pending".to_owned()).is_err());
    }
}
