//! What happened to a registration, for support: its timeline, the webhook events it announced,
//! and the audit log of what people and jobs did.

use super::{Database, Registration, StorageError, now_ms, on_pool};

/// A line of a registration's timeline.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TimelineEntry {
    pub event: String,
    /// The registration's status after it.
    pub status: String,
    pub request_id: Option<String>,
    pub detail: Option<String>,
    pub at_ms: i64,
}

/// A webhook event in the outbox, and where its delivery stands.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxEntry {
    pub seq: i64,
    pub event_id: String,
    pub event_type: String,
    pub reference: String,
    pub payload: String,
    pub created_at_ms: i64,
    pub attempts: i64,
    pub next_attempt_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
    pub given_up_at_ms: Option<i64>,
}

/// A line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub reference: Option<String>,
    pub detail: String,
}

const OUTBOX_COLUMNS: &str = "seq, event_id, event_type, reference, payload, created_at_ms, \
    attempts, next_attempt_at_ms, delivered_at_ms, given_up_at_ms";

impl Database {
    pub async fn registration_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<Registration>, StorageError> {
        self.registration_where("reference = $1", reference).await
    }

    /// The registration's timeline, oldest first.
    pub async fn timeline(&self, reference: &str) -> Result<Vec<TimelineEntry>, StorageError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT event, status, request_id, detail, at_ms FROM registration_events \
                 WHERE reference = $1 ORDER BY id",
            )
            .bind(reference)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The webhook events the registration announced, oldest first.
    pub async fn webhook_events_of(
        &self,
        reference: &str,
    ) -> Result<Vec<OutboxEntry>, StorageError> {
        let query = format!(
            "SELECT {OUTBOX_COLUMNS} FROM webhook_outbox WHERE reference = $1 ORDER BY seq"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(&query)
                .bind(reference)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Writes a line in the audit log. (A settlement writes its own, in the transaction that
    /// settles: see [`Database::record`].)
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        reference: Option<&str>,
        detail: &str,
    ) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO audit_log (at_ms, actor, action, reference, detail) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(now_ms())
            .bind(actor)
            .bind(action)
            .bind(reference)
            .bind(detail)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// The audit log's lines about one registration, oldest first.
    pub async fn audit_of(&self, reference: &str) -> Result<Vec<AuditEntry>, StorageError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, at_ms, actor, action, reference, detail FROM audit_log \
                 WHERE reference = $1 ORDER BY id",
            )
            .bind(reference)
            .fetch_all(pool)
            .await?
        }))
    }

    /// One page of the whole audit log, newest first, and how many entries there are.
    pub async fn audit_page(
        &self,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditEntry>, i64), StorageError> {
        Ok(on_pool!(self, |pool| {
            let entries = sqlx::query_as(
                "SELECT id, at_ms, actor, action, reference, detail FROM audit_log \
                 ORDER BY id DESC LIMIT $1 OFFSET $2",
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
                .fetch_one(pool)
                .await?;
            (entries, total)
        }))
    }
}
