//! Onboarding links minted by the operator's backend. Only the SHA-256 of a link's token is
//! stored: the database alone opens no flow. A link is redeemed by one conditional update, so
//! of many simultaneous openings exactly one wins.

use super::{Database, Registration, StorageError, on_pool};

/// A link as the operator asked for it, before it is stored.
#[derive(Clone, Debug)]
pub struct NewLink<'a> {
    pub id: &'a str,
    pub token_hash: &'a str,
    pub merchant_ref: &'a str,
    /// The form's prefilled fields, as JSON (never card data).
    pub prefill: Option<&'a str>,
    pub return_url: Option<&'a str>,
    pub refresh_url: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub allow_another: bool,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// A stored link (without its token's hash, which nothing needs back).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OnboardingLink {
    pub id: String,
    pub merchant_ref: String,
    pub prefill: Option<String>,
    pub return_url: Option<String>,
    pub refresh_url: Option<String>,
    pub locale: Option<String>,
    pub allow_another: bool,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub used_at_ms: Option<i64>,
}

const LINK_COLUMNS: &str = "id, merchant_ref, prefill, return_url, refresh_url, locale, \
    allow_another, created_at_ms, expires_at_ms, used_at_ms";

impl Database {
    pub async fn insert_link(&self, new: &NewLink<'_>) -> Result<(), StorageError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO onboarding_links (id, token_hash, merchant_ref, prefill, return_url, \
                 refresh_url, locale, allow_another, created_at_ms, expires_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(new.id)
            .bind(new.token_hash)
            .bind(new.merchant_ref)
            .bind(new.prefill)
            .bind(new.return_url)
            .bind(new.refresh_url)
            .bind(new.locale)
            .bind(new.allow_another)
            .bind(new.created_at_ms)
            .bind(new.expires_at_ms)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Marks the link of `token_hash` used, if it is unused and unexpired at `now_ms`, and
    /// returns it; `None` when it is not (another opening won, it expired, or it is unknown).
    pub async fn redeem_link(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<OnboardingLink>, StorageError> {
        let query = format!(
            "UPDATE onboarding_links SET used_at_ms = $2 WHERE token_hash = $1 \
             AND used_at_ms IS NULL AND expires_at_ms > $2 RETURNING {LINK_COLUMNS}"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, OnboardingLink>(&query)
                .bind(token_hash)
                .bind(now_ms)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Gives back the link `id` redeemed at `used_at_ms` (its flow could not start), so it opens
    /// again; a link redeemed at another time is left as it is.
    pub async fn release_link(&self, id: &str, used_at_ms: i64) -> Result<bool, StorageError> {
        let released = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE onboarding_links SET used_at_ms = NULL WHERE id = $1 AND used_at_ms = $2",
            )
            .bind(id)
            .bind(used_at_ms)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(released == 1)
    }

    /// The link of `token_hash`, used or not.
    pub async fn link_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<OnboardingLink>, StorageError> {
        let query = format!("SELECT {LINK_COLUMNS} FROM onboarding_links WHERE token_hash = $1");
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, OnboardingLink>(&query)
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The latest registration of the operator's merchant `merchant_ref` that ShipEngine did
    /// not refuse: verified, or still on its way.
    pub async fn registration_of_merchant(
        &self,
        merchant_ref: &str,
    ) -> Result<Option<Registration>, StorageError> {
        self.registration_where(
            "merchant_ref = $1 AND status <> 'failed' ORDER BY updated_at_ms DESC LIMIT 1",
            merchant_ref,
        )
        .await
    }
}
