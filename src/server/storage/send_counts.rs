//! The send limits that must hold across instances (codes per phone number, codes in total),
//! counted in the database as sliding windows, with the same rules as the in-process counts of
//! [`crate::server::limits`].
//!
//! Admission is check-then-insert, so it runs one at a time: SQLite's `BEGIN IMMEDIATE` takes the
//! write lock up front; on PostgreSQL a transaction-scoped advisory lock serialises every
//! instance's admissions (a few per second at most: each one is a paid text message).

use super::{Database, StorageError};
use crate::server::limits::OverLimit;

/// An arbitrary constant naming the advisory lock of send admissions.
const SEND_ADMISSION_LOCK: i64 = 0x5354_414d_5053;

/// One count to check and bump.
#[derive(Clone, Debug)]
pub struct SharedCount {
    /// For the log, e.g. "sends per phone".
    pub name: &'static str,
    /// What is counted, e.g. `phone:5121112222` or `total`.
    pub counter: String,
    pub limit: u32,
}

/// Runs the admission on an open transaction of either backend (same SQL, two drivers).
macro_rules! admit_in {
    ($tx:expr, $counts:expr, $window_secs:expr, $now:expr) => {{
        let window = i64::try_from($window_secs).unwrap_or(i64::MAX);
        let now = i64::try_from($now).unwrap_or(i64::MAX);
        sqlx::query("DELETE FROM send_hits WHERE sent_at_secs <= $1")
            .bind(now.saturating_sub(window))
            .execute(&mut *$tx)
            .await?;
        let mut refusal: Option<OverLimit> = None;
        for count in $counts {
            // The hit whose leaving the window would make room, if the count is at its limit.
            let freeing: Option<i64> = sqlx::query_scalar(
                "SELECT sent_at_secs FROM send_hits WHERE counter = $1 \
                 ORDER BY sent_at_secs DESC LIMIT 1 OFFSET $2",
            )
            .bind(&count.counter)
            .bind(i64::from(count.limit.saturating_sub(1)))
            .fetch_optional(&mut *$tx)
            .await?;
            if let Some(sent_at) = freeing {
                let wait = u64::try_from(sent_at + window - now).unwrap_or(0).max(1);
                if refusal.is_none_or(|r| wait > r.retry_after_secs) {
                    refusal = Some(OverLimit {
                        limit: count.name,
                        retry_after_secs: wait,
                    });
                }
            }
        }
        if refusal.is_none() {
            for count in $counts {
                sqlx::query("INSERT INTO send_hits (counter, sent_at_secs) VALUES ($1, $2)")
                    .bind(&count.counter)
                    .bind(now)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
        $tx.commit().await?;
        refusal
    }};
}

impl Database {
    /// Counts a send on every count if each has room within `window_secs`; otherwise counts
    /// none and says how long until all of them have room. `now` is in Unix seconds.
    pub async fn admit_shared_send(
        &self,
        counts: &[SharedCount],
        window_secs: u64,
        now: u64,
    ) -> Result<Result<(), OverLimit>, StorageError> {
        let refusal = match self {
            Self::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                admit_in!(tx, counts, window_secs, now)
            }
            Self::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(SEND_ADMISSION_LOCK)
                    .execute(&mut *tx)
                    .await?;
                admit_in!(tx, counts, window_secs, now)
            }
        };
        Ok(refusal.map_or(Ok(()), Err))
    }
}
