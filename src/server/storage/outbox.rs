//! The webhook outbox's delivery side: taking the events that are due, in order per
//! registration and never by two instances at once; recording each attempt and its outcome; an
//! operator's redelivery.
//!
//! An event is taken by a lease, on both databases: one statement chooses the due events and
//! pushes their `next_attempt_at_ms` past the delivery's end, and commits at once. No transaction
//! or row lock is held during the HTTP calls (which PgBouncer in transaction mode, or
//! `idle_in_transaction_session_timeout`, would break); the outcome is written in a short
//! transaction of its own. On PostgreSQL the choice locks what it takes with `FOR UPDATE SKIP
//! LOCKED`, so instances taking at once skip each other's events; SQLite runs the statement
//! under its one write lock. Either way, an instance that stops mid-delivery leaves its events to
//! be taken again once the lease has passed (at least once).

use std::time::Duration;

use super::{Database, StorageError, now_ms, on_pool};

/// An event taken for delivery.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DueWebhook {
    pub seq: i64,
    pub event_id: String,
    pub event_type: String,
    pub reference: String,
    /// The JSON body, exactly as it is signed and sent.
    pub payload: String,
    pub created_at_ms: i64,
    /// Attempts made before this one.
    pub attempts: i64,
    /// As taken: the lease's end. The outcome is written only while it still
    /// holds: an event an operator redelivered meanwhile goes again.
    next_attempt_at_ms: i64,
}

/// One attempt to deliver an event, as `webhook_deliveries` keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub at_ms: i64,
    /// The receiver's HTTP status; `None` when no answer came.
    pub status_code: Option<u16>,
    /// Why it failed, in a few words; never the receiver's body.
    pub error: Option<String>,
    pub duration_ms: i64,
}

impl DeliveryAttempt {
    pub fn succeeded(&self) -> bool {
        self.status_code
            .is_some_and(|status| (200..300).contains(&status))
    }
}

/// What becomes of an event after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextStep {
    Delivered,
    /// Failed: try again at this time (Unix ms).
    RetryAt(i64),
    /// Failed, and its retry window is over.
    GiveUp,
}

/// An attempt and what follows it, to be written by [`WebhookBatch::settle`].
#[derive(Clone, Debug)]
pub struct Settled {
    pub event: DueWebhook,
    pub attempt: DeliveryAttempt,
    pub next: NextStep,
}

/// A recorded attempt, for the admin console.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookDelivery {
    pub id: i64,
    pub event_id: String,
    pub at_ms: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// Events leased by one instance, until [`Self::settle`] writes their outcome. Dropped without
/// it (the instance stopped, the write failed), they become due again once the lease has passed.
pub struct WebhookBatch {
    events: Vec<DueWebhook>,
    database: Database,
}

const DUE_COLUMNS: &str = "seq, event_id, event_type, reference, payload, created_at_ms, attempts, \
    next_attempt_at_ms";

/// An event is due when its time has come and no earlier event of its registration is still
/// to be delivered (a given-up one does not hold the others back). `$1` is now.
const DUE: &str = "o.delivered_at_ms IS NULL AND o.given_up_at_ms IS NULL \
    AND o.next_attempt_at_ms <= $1 \
    AND NOT EXISTS (SELECT 1 FROM webhook_outbox e WHERE e.reference = o.reference \
        AND e.seq < o.seq AND e.delivered_at_ms IS NULL AND e.given_up_at_ms IS NULL)";

impl Database {
    /// Takes up to `max` due events, oldest first, at most one per registration, leased for
    /// `lease`, which must outlast their delivery.
    pub async fn take_due_webhooks(
        &self,
        max: i64,
        lease: Duration,
    ) -> Result<WebhookBatch, StorageError> {
        let now = now_ms();
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        // PostgreSQL: instances taking at once skip the rows another is leasing. SQLite runs the
        // statement under its write lock, so no other instance can take the same event between
        // the choice and the lease.
        let lock = match self {
            Self::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            Self::Sqlite(_) => "",
        };
        let query = format!(
            "UPDATE webhook_outbox SET next_attempt_at_ms = $3 WHERE seq IN \
             (SELECT o.seq FROM webhook_outbox o WHERE {DUE} ORDER BY o.seq LIMIT $2{lock}) \
             RETURNING {DUE_COLUMNS}"
        );
        let mut events: Vec<DueWebhook> = on_pool!(self, |pool| {
            sqlx::query_as(&query)
                .bind(now)
                .bind(max)
                .bind(now.saturating_add(lease_ms))
                .fetch_all(pool)
                .await?
        });
        events.sort_by_key(|event| event.seq);
        Ok(WebhookBatch {
            events,
            database: self.clone(),
        })
    }

    /// Makes the event due now, delivered or given up as it may be (an operator asks for it
    /// again); whether it exists. A given-up event older than the retry window gets one attempt.
    pub async fn redeliver_webhook(&self, event_id: &str) -> Result<bool, StorageError> {
        let updated = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE webhook_outbox SET next_attempt_at_ms = $2, delivered_at_ms = NULL, \
                 given_up_at_ms = NULL WHERE event_id = $1",
            )
            .bind(event_id)
            .bind(now_ms())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(updated == 1)
    }

    /// Every attempt to deliver the event, oldest first.
    pub async fn webhook_deliveries_of(
        &self,
        event_id: &str,
    ) -> Result<Vec<WebhookDelivery>, StorageError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, event_id, at_ms, status_code, error, duration_ms \
                 FROM webhook_deliveries WHERE event_id = $1 ORDER BY id",
            )
            .bind(event_id)
            .fetch_all(pool)
            .await?
        }))
    }
}

/// Writes each attempt and its outcome on the transaction `$tx`: the same statements, two
/// drivers (as [`on_pool`]).
macro_rules! write_settled {
    ($tx:ident, $settled:expr) => {
        for Settled {
            event,
            attempt,
            next,
        } in $settled
        {
            sqlx::query(
                "INSERT INTO webhook_deliveries (event_id, at_ms, status_code, error, \
                 duration_ms) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&event.event_id)
            .bind(attempt.at_ms)
            .bind(attempt.status_code.map(i64::from))
            .bind(&attempt.error)
            .bind(attempt.duration_ms)
            .execute(&mut *$tx)
            .await?;
            let (retry_at, delivered_at, given_up_at) = outcome_columns(*next, attempt);
            // Only while the event is as it was taken: see `DueWebhook::next_attempt_at_ms`.
            let updated = sqlx::query(
                "UPDATE webhook_outbox SET attempts = attempts + 1, \
                 next_attempt_at_ms = COALESCE($3, next_attempt_at_ms), delivered_at_ms = $4, \
                 given_up_at_ms = $5 WHERE seq = $1 AND next_attempt_at_ms = $2 \
                 AND delivered_at_ms IS NULL AND given_up_at_ms IS NULL",
            )
            .bind(event.seq)
            .bind(event.next_attempt_at_ms)
            .bind(retry_at)
            .bind(delivered_at)
            .bind(given_up_at)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if updated == 0 {
                tracing::debug!(
                    event_id = %event.event_id,
                    "the webhook event changed while it was delivered (redelivered, or its \
                     lease passed): its attempt is recorded, its outcome left to the newer one"
                );
            }
        }
    };
}

impl WebhookBatch {
    pub fn events(&self) -> &[DueWebhook] {
        &self.events
    }

    /// Records each attempt and its outcome, and lets the events go.
    pub async fn settle(self, settled: &[Settled]) -> Result<(), StorageError> {
        on_pool!(&self.database, |pool| {
            let mut tx = pool.begin().await?;
            write_settled!(tx, settled);
            tx.commit().await?;
        });
        Ok(())
    }
}

/// `next_attempt_at_ms`, `delivered_at_ms`, `given_up_at_ms` after the attempt.
fn outcome_columns(
    next: NextStep,
    attempt: &DeliveryAttempt,
) -> (Option<i64>, Option<i64>, Option<i64>) {
    let ended_ms = attempt.at_ms.saturating_add(attempt.duration_ms);
    match next {
        NextStep::Delivered => (None, Some(ended_ms), None),
        NextStep::RetryAt(at_ms) => (Some(at_ms), None, None),
        NextStep::GiveUp => (None, None, Some(ended_ms)),
    }
}
