//! What the admin console reads and the few things it writes: registrations filtered and paged,
//! onboarding links, the overview's numbers, the
//! funnel's first step, and sign-in tries given back.

use super::registrations::COLUMNS;
use super::{Database, Registration, RegistrationStatus, StorageError, on_pool};
use crate::server::limits::Count;

/// Which registrations a list or an export shows. `None` is "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistrationSearch {
    pub status: Option<RegistrationStatus>,
    /// Created at or after (Unix ms).
    pub created_from_ms: Option<i64>,
    /// Created before (Unix ms).
    pub created_before_ms: Option<i64>,
    /// Part of the email, the reference or the merchant ref, in any case.
    pub search: Option<String>,
}

/// An onboarding link as the console lists it (never its token).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct LinkSummary {
    pub id: String,
    pub merchant_ref: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub used_at_ms: Option<i64>,
    /// 1 when a return URL is set (an integer: both backends decode it alike).
    pub has_return_url: i64,
}

/// The funnel's counts over a period: browsers shown the form, then registrations created in it
/// that got that far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct FunnelCounts {
    pub form_opened: i64,
    pub registered: i64,
    pub code_sent: i64,
    pub verified: i64,
}

/// The timeline events that are an upstream failure, by kind.
pub const UPSTREAM_FAILURES: [&str; 4] = [
    "failed",
    "outcome_unknown",
    "send_code_failed",
    "verify_code_failed",
];

/// The filter as SQL over `$1`…`$4`; every value is bound. `\` escapes `%` and `_` in `$4`.
const FILTERED: &str = "($1 IS NULL OR status = $1) \
     AND ($2 IS NULL OR created_at_ms >= $2) \
     AND ($3 IS NULL OR created_at_ms < $3) \
     AND ($4 IS NULL OR LOWER(email) LIKE $4 ESCAPE '\\' \
          OR LOWER(reference) LIKE $4 ESCAPE '\\' \
          OR LOWER(COALESCE(merchant_ref, '')) LIKE $4 ESCAPE '\\')";

impl RegistrationSearch {
    /// The search as a `LIKE` pattern: lower case, its wildcards taken literally.
    fn pattern(&self) -> Option<String> {
        self.search.as_ref().map(|search| {
            let escaped = search
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        })
    }
}

/// Binds the filter's four values to `$query`, in `FILTERED`'s order.
macro_rules! bind_filter {
    ($query:expr, $filter:expr, $pattern:expr) => {
        $query
            .bind($filter.status.map(RegistrationStatus::as_str))
            .bind($filter.created_from_ms)
            .bind($filter.created_before_ms)
            .bind($pattern)
    };
}

impl Database {
    /// One page of the registrations `filter` matches, newest first, and how many match in all.
    pub async fn filtered_registrations(
        &self,
        filter: &RegistrationSearch,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Registration>, i64), StorageError> {
        let pattern = filter.pattern();
        let page = format!(
            "SELECT {COLUMNS} FROM registrations WHERE {FILTERED} \
             ORDER BY created_at_ms DESC, reference LIMIT $5 OFFSET $6"
        );
        let total = format!("SELECT COUNT(*) FROM registrations WHERE {FILTERED}");
        Ok(on_pool!(self, |pool| {
            let rows = bind_filter!(sqlx::query_as::<_, Registration>(&page), filter, &pattern)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = bind_filter!(sqlx::query_scalar(&total), filter, &pattern)
                .fetch_one(pool)
                .await?;
            (rows, total)
        }))
    }

    /// Every registration `filter` matches, newest first (the CSV export).
    pub async fn all_filtered_registrations(
        &self,
        filter: &RegistrationSearch,
    ) -> Result<Vec<Registration>, StorageError> {
        let pattern = filter.pattern();
        let query = format!(
            "SELECT {COLUMNS} FROM registrations WHERE {FILTERED} \
             ORDER BY created_at_ms DESC, reference"
        );
        Ok(on_pool!(self, |pool| {
            bind_filter!(sqlx::query_as::<_, Registration>(&query), filter, &pattern)
                .fetch_all(pool)
                .await?
        }))
    }

    /// One page of the onboarding links, newest first, and how many there are.
    pub async fn onboarding_links_page(
        &self,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<LinkSummary>, i64), StorageError> {
        Ok(on_pool!(self, |pool| {
            let links = sqlx::query_as(
                "SELECT id, merchant_ref, created_at_ms, expires_at_ms, used_at_ms, \
                 CAST(CASE WHEN return_url IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_return_url \
                 FROM onboarding_links ORDER BY created_at_ms DESC, id LIMIT $1 OFFSET $2",
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM onboarding_links")
                .fetch_one(pool)
                .await?;
            (links, total)
        }))
    }

    /// The funnel since `since_ms`: forms opened then, and of the registrations created then,
    /// those ShipEngine opened (a carrier id), those texted a code, those verified.
    pub async fn funnel_since(&self, since_ms: i64) -> Result<FunnelCounts, StorageError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT (SELECT CAST(COALESCE(SUM(opened), 0) AS BIGINT) FROM form_opens_daily \
                 WHERE day >= $2) AS form_opened, \
                 COUNT(carrier_id) AS registered, COUNT(verification_id) AS code_sent, \
                 COALESCE(SUM(CASE WHEN status = 'verified' THEN 1 ELSE 0 END), 0) AS verified \
                 FROM registrations WHERE created_at_ms >= $1",
            )
            .bind(since_ms)
            .bind(since_ms.div_euclid(86_400_000))
            .fetch_one(pool)
            .await?
        }))
    }

    /// Registrations created since `since_ms`, per UTC day (days since the epoch), days with
    /// none left out.
    pub async fn registrations_per_day(
        &self,
        since_ms: i64,
    ) -> Result<Vec<(i64, i64)>, StorageError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT created_at_ms / 86400000 AS day, COUNT(*) FROM registrations \
                 WHERE created_at_ms >= $1 GROUP BY created_at_ms / 86400000 ORDER BY day",
            )
            .bind(since_ms)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The upstream failures in the timelines since `since_ms`, by event (see
    /// [`UPSTREAM_FAILURES`]).
    pub async fn upstream_failures_since(
        &self,
        since_ms: i64,
    ) -> Result<Vec<(String, i64)>, StorageError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT event, COUNT(*) FROM registration_events WHERE at_ms >= $1 \
                 AND event IN ('failed', 'outcome_unknown', 'send_code_failed', \
                 'verify_code_failed') GROUP BY event",
            )
            .bind(since_ms)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Adds `opened` forms opened to the count of `day` (UTC days since the epoch).
    pub async fn add_form_opens(&self, day: i64, opened: i64) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO form_opens_daily (day, opened) VALUES ($1, $2) \
                 ON CONFLICT (day) DO UPDATE SET opened = form_opens_daily.opened + excluded.opened",
            )
            .bind(day)
            .bind(opened)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Removes one hit, counted at `at_secs`, from each of `counts`: a try that
    /// [`Database::admit`] counted before its outcome was known, and that must not count (a
    /// sign-in with the right password).
    pub async fn give_back(&self, counts: &[Count], at_secs: u64) -> Result<(), StorageError> {
        let at = i64::try_from(at_secs).unwrap_or(i64::MAX);
        // Hits have no id: any one of the count's hits at that second is the same.
        let query = match self {
            Self::Sqlite(_) => {
                "DELETE FROM limit_hits WHERE rowid IN (SELECT rowid FROM limit_hits \
                 WHERE counter = $1 AND at_secs = $2 LIMIT 1)"
            }
            Self::Postgres(_) => {
                "DELETE FROM limit_hits WHERE ctid IN (SELECT ctid FROM limit_hits \
                 WHERE counter = $1 AND at_secs = $2 LIMIT 1)"
            }
        };
        for count in counts {
            on_pool!(self, |pool| {
                sqlx::query(query)
                    .bind(&count.counter)
                    .bind(at)
                    .execute(pool)
                    .await?
                    .rows_affected()
            });
        }
        Ok(())
    }
}
