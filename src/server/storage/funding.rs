//! "Add postage" requests: one row per amount chosen, confirmed at most once.
//!
//! The confirmation is a claim: in one transaction, run one at a time (SQLite's `BEGIN
//! IMMEDIATE`, a transaction-scoped advisory lock on PostgreSQL), the limits are counted and the
//! row moves from `pending` to `charging`. Only the request whose claim moved it calls
//! ShipEngine, and parallel confirmations of different requests cannot pass a limit together.

use super::{Database, StorageError, on_pool};
use crate::postage::{FundingRefusal, FundingStatus};

/// An arbitrary constant naming the advisory lock of funding claims.
const FUNDING_LOCK: i64 = 0x4655_4e44_494e;

const COLUMNS: &str = "id, owner_hash, carrier_id, amount_cents, status, refusal, balance_cents, \
                       request_id, created_at_ms, claimed_at_ms";

/// A row as stored (its failure text is for support, not read back).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct FundingRequest {
    pub id: String,
    pub owner_hash: String,
    pub carrier_id: String,
    pub amount_cents: i64,
    #[sqlx(try_from = "String")]
    pub status: FundingStatus,
    /// See [`Self::refusal`].
    refusal: Option<String>,
    pub balance_cents: Option<i64>,
    pub request_id: Option<String>,
    pub created_at_ms: i64,
    pub claimed_at_ms: Option<i64>,
}

impl FundingRequest {
    /// Why ShipEngine refused the charge, when it did.
    pub fn refusal(&self) -> Option<FundingRefusal> {
        self.refusal.as_deref().map(FundingRefusal::from_stored)
    }
}

/// The confirmations a claim may not pass: per browser and per carrier, within `window_ms`.
#[derive(Clone, Copy, Debug)]
pub struct FundingLimits {
    pub per_owner: u32,
    pub per_carrier: u32,
    pub window_ms: i64,
}

/// What [`Database::claim_funding_request`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FundingClaim {
    /// The row moved to `charging`: this request, and only it, calls ShipEngine.
    Claimed(FundingRequest),
    /// Not this browser's pending request (claimed before, or not its own): nothing moved.
    NotPending,
    /// A limit is full; room again after that many seconds. Nothing moved.
    OverLimit { retry_after_secs: u64 },
}

/// How a claimed request ended.
#[derive(Clone, Copy, Debug)]
pub enum FundingOutcome<'a> {
    Charged {
        /// `None` when the answer's balance could not be read (the card was charged).
        balance_cents: Option<i64>,
        request_id: Option<&'a str>,
    },
    Refused {
        refusal: FundingRefusal,
        request_id: Option<&'a str>,
        error: &'a str,
    },
    Unknown {
        request_id: Option<&'a str>,
        error: &'a str,
    },
}

/// The newest confirmation whose leaving the window would make room under `limit`, if full.
const FREEING_BY_OWNER: &str = "SELECT claimed_at_ms FROM funding_requests WHERE owner_hash = $1 \
     AND claimed_at_ms > $2 ORDER BY claimed_at_ms DESC LIMIT 1 OFFSET $3";
const FREEING_BY_CARRIER: &str = "SELECT claimed_at_ms FROM funding_requests WHERE carrier_id = \
     $1 AND claimed_at_ms > $2 ORDER BY claimed_at_ms DESC LIMIT 1 OFFSET $3";

/// The claim on an open transaction of either backend (same SQL, two drivers).
macro_rules! claim_in {
    ($tx:expr, $id:expr, $owner_hash:expr, $limits:expr, $now_ms:expr) => {{
        let query =
            format!("SELECT {COLUMNS} FROM funding_requests WHERE id = $1 AND owner_hash = $2");
        let row: Option<FundingRequest> = sqlx::query_as(&query)
            .bind($id)
            .bind($owner_hash)
            .fetch_optional(&mut *$tx)
            .await?;
        match row {
            Some(row) if row.status == FundingStatus::Pending => {
                let since = $now_ms.saturating_sub($limits.window_ms);
                let mut freeing_at: Option<i64> = None;
                for (query, key, limit) in [
                    (FREEING_BY_OWNER, row.owner_hash.as_str(), $limits.per_owner),
                    (
                        FREEING_BY_CARRIER,
                        row.carrier_id.as_str(),
                        $limits.per_carrier,
                    ),
                ] {
                    let freeing: Option<i64> = sqlx::query_scalar(query)
                        .bind(key)
                        .bind(since)
                        .bind(i64::from(limit.saturating_sub(1)))
                        .fetch_optional(&mut *$tx)
                        .await?;
                    freeing_at = freeing_at.max(freeing);
                }
                if let Some(at) = freeing_at {
                    $tx.commit().await?;
                    let wait_ms = (at + $limits.window_ms - $now_ms).clamp(1000, $limits.window_ms);
                    FundingClaim::OverLimit {
                        retry_after_secs: u64::try_from(wait_ms).unwrap_or(0).div_ceil(1000),
                    }
                } else {
                    sqlx::query(
                        "UPDATE funding_requests SET status = 'charging', claimed_at_ms = $2, \
                         updated_at_ms = $2 WHERE id = $1 AND status = 'pending'",
                    )
                    .bind($id)
                    .bind($now_ms)
                    .execute(&mut *$tx)
                    .await?;
                    $tx.commit().await?;
                    FundingClaim::Claimed(FundingRequest {
                        status: FundingStatus::Charging,
                        claimed_at_ms: Some($now_ms),
                        ..row
                    })
                }
            }
            _ => {
                $tx.commit().await?;
                FundingClaim::NotPending
            }
        }
    }};
}

impl Database {
    /// A new `pending` request of the browser `owner_hash` to add `amount_cents` to `carrier_id`.
    pub async fn insert_funding_request(
        &self,
        id: &str,
        owner_hash: &str,
        carrier_id: &str,
        amount_cents: i64,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO funding_requests (id, owner_hash, carrier_id, amount_cents, status, \
                 created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, 'pending', $5, $5)",
            )
            .bind(id)
            .bind(owner_hash)
            .bind(carrier_id)
            .bind(amount_cents)
            .bind(now_ms)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The request `id`, if the browser `owner_hash` made it.
    pub async fn funding_request(
        &self,
        id: &str,
        owner_hash: &str,
    ) -> Result<Option<FundingRequest>, StorageError> {
        let query =
            format!("SELECT {COLUMNS} FROM funding_requests WHERE id = $1 AND owner_hash = $2");
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(&query)
                .bind(id)
                .bind(owner_hash)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Moves the browser's pending request `id` to `charging`, if the limits leave room.
    pub async fn claim_funding_request(
        &self,
        id: &str,
        owner_hash: &str,
        limits: &FundingLimits,
        now_ms: i64,
    ) -> Result<FundingClaim, StorageError> {
        Ok(match self {
            Self::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                claim_in!(tx, id, owner_hash, limits, now_ms)
            }
            Self::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(FUNDING_LOCK)
                    .execute(&mut *tx)
                    .await?;
                claim_in!(tx, id, owner_hash, limits, now_ms)
            }
        })
    }

    /// Records how the charge of the claimed request `id` ended: on a row still `charging`, or
    /// one given up on as `outcome_unknown` while the call was still on its way (its real outcome
    /// replaces the doubt). `false` when the row had already ended otherwise.
    pub async fn record_funding_outcome(
        &self,
        id: &str,
        outcome: FundingOutcome<'_>,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let (status, refusal, balance, request_id, error) = match outcome {
            FundingOutcome::Charged {
                balance_cents,
                request_id,
            } => (
                FundingStatus::Charged,
                None,
                balance_cents,
                request_id,
                None,
            ),
            FundingOutcome::Refused {
                refusal,
                request_id,
                error,
            } => (
                FundingStatus::Refused,
                Some(refusal.as_str()),
                None,
                request_id,
                Some(error),
            ),
            FundingOutcome::Unknown { request_id, error } => (
                FundingStatus::OutcomeUnknown,
                None,
                None,
                request_id,
                Some(error),
            ),
        };
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE funding_requests SET status = $2, refusal = $3, balance_cents = $4, \
                 request_id = $5, last_error = $6, updated_at_ms = $7 \
                 WHERE id = $1 AND status IN ('charging', 'outcome_unknown')",
            )
            .bind(id)
            .bind(status.as_str())
            .bind(refusal)
            .bind(balance)
            .bind(request_id)
            .bind(error)
            .bind(now_ms)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// A request still `charging` since before `claimed_before_ms` lost its call (its instance
    /// stopped mid-call): its outcome is unknown, and it is never charged again.
    pub async fn give_up_on_charging(
        &self,
        id: &str,
        claimed_before_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE funding_requests SET status = 'outcome_unknown', \
                 last_error = 'no answer recorded in time', updated_at_ms = $3 \
                 WHERE id = $1 AND status = 'charging' AND claimed_at_ms < $2",
            )
            .bind(id)
            .bind(claimed_before_ms)
            .bind(now_ms)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }
}
