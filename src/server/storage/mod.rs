//! The app's database: a record of every registration and its flow, the sessions, and the
//! limits' counts.
//!
//! SQLite by default (one file, created with its tables on first start), so the app runs with
//! nothing else installed; PostgreSQL when `DATABASE_URL` is a `postgres://` URL, so several
//! instances behind a load balancer share one state. The queries are written once, in SQL both
//! understand (`$1` placeholders included), and run on either pool; each backend has its own
//! migrations folder.

mod admin;
mod connected;
mod funding;
mod history;
mod limit_hits;
mod links;
mod outbox;
mod registration_list;
mod registrations;
mod unsettled;
mod url;
mod webhook_event;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

pub use admin::{FunnelCounts, LinkSummary, RegistrationSearch, UPSTREAM_FAILURES};
pub use connected::Origin;
pub use funding::{FundingClaim, FundingLimits, FundingOutcome, FundingRequest};
pub use history::{AuditEntry, OutboxEntry, TimelineEntry};
pub use links::{NewLink, OnboardingLink};
pub use outbox::{DeliveryAttempt, DueWebhook, NextStep, Settled, WebhookBatch, WebhookDelivery};
pub use registration_list::RegistrationFilter;
pub use registrations::{
    Claim, NO_ANSWER_IN_TIME, NewRegistration, Registration, RegistrationEvent, RegistrationStatus,
    VerificationCall,
};
pub use url::DatabaseUrl;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How often expired sessions are deleted.
const SESSION_CLEANUP_PERIOD: Duration = Duration::from_secs(3600);

/// A pool on one of the two backends. Cheap to clone: clones share the pool.
#[derive(Clone, Debug)]
pub enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The session store on the same database.
#[derive(Clone, Debug)]
pub enum SessionStores {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unexpected value in the database: {0}")]
    Corrupt(String),
    /// A settlement (or an answer) would give a row a carrier another registration holds: the
    /// one-per-carrier index refused it, and nothing was written.
    #[error("the carrier {0} is held by another registration")]
    CarrierHeld(String),
}

/// Runs `$body` with `$pool` bound to the concrete pool: the same query text, two drivers.
macro_rules! on_pool {
    ($database:expr, |$pool:ident| $body:expr) => {
        match $database {
            $crate::server::storage::Database::Sqlite($pool) => $body,
            $crate::server::storage::Database::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

impl Database {
    /// Connects, creates or updates the tables (the app's and the sessions'), and starts the
    /// task that deletes expired sessions.
    pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<Self, StorageError> {
        let database = match url {
            DatabaseUrl::Sqlite(raw) => {
                let options = SqliteConnectOptions::from_str(raw)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    // Writers queue for the file lock rather than fail at once.
                    .busy_timeout(Duration::from_secs(10));
                let pool = if url.is_in_memory() {
                    // Each connection would see its own empty database: keep exactly one.
                    SqlitePoolOptions::new()
                        .max_connections(1)
                        .min_connections(1)
                        .idle_timeout(None)
                        .max_lifetime(None)
                } else {
                    SqlitePoolOptions::new().max_connections(max_connections)
                }
                .connect_with(options)
                .await?;
                SQLITE_MIGRATIONS.run(&pool).await?;
                Self::Sqlite(pool)
            }
            DatabaseUrl::Postgres(raw) => {
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(raw)
                    .await?;
                // Takes an advisory lock: instances starting together migrate one at a time.
                POSTGRES_MIGRATIONS.run(&pool).await?;
                Self::Postgres(pool)
            }
        };
        let sessions = database.session_store();
        match &sessions {
            SessionStores::Sqlite(store) => store.migrate().await?,
            SessionStores::Postgres(store) => store.migrate().await?,
        }
        tokio::spawn(delete_expired_sessions(sessions));
        Ok(database)
    }

    /// `sqlite` or `postgres`, for logs.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    pub fn session_store(&self) -> SessionStores {
        match self {
            Self::Sqlite(pool) => SessionStores::Sqlite(SqliteStore::new(pool.clone())),
            Self::Postgres(pool) => SessionStores::Postgres(PostgresStore::new(pool.clone())),
        }
    }

    /// Waits for the connections to close (a clean shutdown, or a test restarting the app).
    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await);
    }
}

async fn delete_expired_sessions(sessions: SessionStores) {
    let outcome = match sessions {
        SessionStores::Sqlite(store) => {
            store
                .continuously_delete_expired(SESSION_CLEANUP_PERIOD)
                .await
        }
        SessionStores::Postgres(store) => {
            store
                .continuously_delete_expired(SESSION_CLEANUP_PERIOD)
                .await
        }
    };
    if let Err(error) = outcome {
        tracing::error!(%error, "expired sessions are no longer deleted");
    }
}

/// Now, in Unix milliseconds: the unit of every time in the database.
pub fn now_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
