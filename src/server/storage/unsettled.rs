//! What the reconciliation job reads and writes besides [`Database::record`]: the rows whose
//! outcome is unknown, which carrier ids rows already hold, and a note for support written once.

use std::collections::HashSet;

use super::registrations::COLUMNS;
use super::{Database, Registration, StorageError, now_ms, on_pool};

impl Database {
    /// Every registration whose outcome is unknown, the longest waiting first.
    pub async fn unknown_outcomes(&self) -> Result<Vec<Registration>, StorageError> {
        let query = format!(
            "SELECT {COLUMNS} FROM registrations WHERE status = 'outcome_unknown' \
             ORDER BY updated_at_ms, reference"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, Registration>(&query)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Every registration `submitted` since before `before_ms`: its call's answer was never
    /// recorded (its instance stopped mid-call), the oldest first.
    pub async fn stale_submissions(
        &self,
        before_ms: i64,
    ) -> Result<Vec<Registration>, StorageError> {
        let query = format!(
            "SELECT {COLUMNS} FROM registrations WHERE status = 'submitted' \
             AND updated_at_ms < $1 ORDER BY updated_at_ms, reference"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, Registration>(&query)
                .bind(before_ms)
                .fetch_all(pool)
                .await?
        }))
    }

    /// `(reference, nickname)` of every registration not refused that holds no carrier id yet:
    /// still `submitted` (its call may have opened an account whose answer is not recorded
    /// yet), or of unknown outcome.
    pub async fn registrations_without_carrier(
        &self,
    ) -> Result<Vec<(String, String)>, StorageError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT reference, nickname FROM registrations \
                 WHERE carrier_id IS NULL AND status <> 'failed' ORDER BY reference",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Which of `carrier_ids` a registration already holds.
    pub async fn carrier_ids_held(
        &self,
        carrier_ids: &[&str],
    ) -> Result<HashSet<String>, StorageError> {
        if carrier_ids.is_empty() {
            return Ok(HashSet::new());
        }
        // One placeholder per id; a ShipEngine account has tens of carriers, not thousands.
        let placeholders = (1..=carrier_ids.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let query = format!(
            "SELECT DISTINCT carrier_id FROM registrations WHERE carrier_id IN ({placeholders})"
        );
        let held: Vec<String> = on_pool!(self, |pool| {
            let mut select = sqlx::query_scalar(&query);
            for carrier_id in carrier_ids {
                select = select.bind(*carrier_id);
            }
            select.fetch_all(pool).await?
        });
        Ok(held.into_iter().collect())
    }

    /// Writes `action` in the audit log for the registration `reference` while its outcome is
    /// unknown, unless that action is already there for it; says whether it wrote. The row is
    /// locked first (an update that changes nothing), so instances doing this at once write
    /// one line.
    pub async fn audit_unknown_outcome_once(
        &self,
        reference: &str,
        actor: &str,
        action: &str,
        detail: &str,
    ) -> Result<bool, StorageError> {
        let written = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let locked = sqlx::query(
                "UPDATE registrations SET status = status \
                 WHERE reference = $1 AND status = 'outcome_unknown'",
            )
            .bind(reference)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let mut written = 0;
            if locked == 1 {
                written = sqlx::query(
                    "INSERT INTO audit_log (at_ms, actor, action, reference, detail) \
                     SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS \
                     (SELECT 1 FROM audit_log WHERE reference = $4 AND action = $3)",
                )
                .bind(now_ms())
                .bind(actor)
                .bind(action)
                .bind(reference)
                .bind(detail)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            written
        });
        Ok(written == 1)
    }
}
