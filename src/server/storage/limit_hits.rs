//! The limits' counts, as sliding windows of hits in one table (see [`crate::server::limits`]).
//!
//! Admission is check-then-insert over several counts, so it runs one at a time: SQLite's
//! `BEGIN IMMEDIATE` takes the write lock up front; on PostgreSQL a transaction-scoped advisory
//! lock serialises every instance's admissions. Either way the counts hold under any number of
//! parallel requests, and a refused request counts against nothing.

use super::{Database, StorageError, on_pool};
use crate::server::limits::{Count, OverLimit};

/// An arbitrary constant naming the advisory lock of admissions.
const ADMISSION_LOCK: i64 = 0x5354_414d_5053;

/// The hit whose leaving the window would make room, if the count is full.
const FREEING_HIT: &str = "SELECT at_secs FROM limit_hits WHERE counter = $1 AND at_secs > $2 \
                           ORDER BY at_secs DESC LIMIT 1 OFFSET $3";

fn secs(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Runs the admission on an open transaction of either backend (same SQL, two drivers).
macro_rules! admit_in {
    ($tx:expr, $counts:expr, $keep_secs:expr, $now:expr) => {{
        let now = secs($now);
        sqlx::query("DELETE FROM limit_hits WHERE at_secs <= $1")
            .bind(now.saturating_sub(secs($keep_secs)))
            .execute(&mut *$tx)
            .await?;
        let mut refusal: Option<OverLimit> = None;
        for count in $counts {
            let freeing: Option<i64> = sqlx::query_scalar(FREEING_HIT)
                .bind(&count.counter)
                .bind(now.saturating_sub(secs(count.window_secs)))
                .bind(i64::from(count.limit.saturating_sub(1)))
                .fetch_optional(&mut *$tx)
                .await?;
            let freeing = freeing.map(|at| u64::try_from(at).unwrap_or(0));
            if let Some(over) = count.over(freeing, $now)
                && refusal.is_none_or(|r| over.retry_after_secs > r.retry_after_secs)
            {
                refusal = Some(over);
            }
        }
        if refusal.is_none() {
            let mut counted: Vec<&str> = Vec::new();
            for count in $counts {
                // A registration's cooldown and its send limit count the same hits.
                if counted.contains(&count.counter.as_str()) {
                    continue;
                }
                counted.push(&count.counter);
                sqlx::query("INSERT INTO limit_hits (counter, at_secs) VALUES ($1, $2)")
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
    /// Counts a hit on every count if each has room; otherwise counts none and says how long
    /// until all of them have room. Hits older than `keep_secs` are forgotten. `now` is in Unix
    /// seconds.
    pub async fn admit(
        &self,
        counts: &[Count],
        keep_secs: u64,
        now: u64,
    ) -> Result<Result<(), OverLimit>, StorageError> {
        let refusal = match self {
            Self::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                admit_in!(tx, counts, keep_secs, now)
            }
            Self::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(ADMISSION_LOCK)
                    .execute(&mut *tx)
                    .await?;
                admit_in!(tx, counts, keep_secs, now)
            }
        };
        Ok(refusal.map_or(Ok(()), Err))
    }

    /// How many hits `count` has within its window at `now`. Reads only.
    pub async fn hits_within(&self, count: &Count, now: u64) -> Result<u64, StorageError> {
        let hits: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM limit_hits WHERE counter = $1 AND at_secs > $2",
            )
            .bind(&count.counter)
            .bind(secs(now).saturating_sub(secs(count.window_secs)))
            .fetch_one(pool)
            .await?
        });
        Ok(u64::try_from(hits).unwrap_or(0))
    }

    /// Seconds until `count` has room again; `None` when it has room now. Reads only.
    pub async fn wait_for(&self, count: &Count, now: u64) -> Result<Option<u64>, StorageError> {
        let freeing: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar(FREEING_HIT)
                .bind(&count.counter)
                .bind(secs(now).saturating_sub(secs(count.window_secs)))
                .bind(i64::from(count.limit.saturating_sub(1)))
                .fetch_optional(pool)
                .await?
        });
        let freeing = freeing.map(|at| u64::try_from(at).unwrap_or(0));
        Ok(count.over(freeing, now).map(|over| over.retry_after_secs))
    }
}
