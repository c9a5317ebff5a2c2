//! `DATABASE_URL`: which backend, and where. A PostgreSQL URL may hold a password, so `Debug`
//! never shows one.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://path/to/file.db?mode=rwc`, or `sqlite::memory:`.
    Sqlite(String),
    /// `postgres://user:password@host:port/database` (or `postgresql://`).
    Postgres(String),
}

impl DatabaseUrl {
    /// A file next to where the app is started, created on first start.
    pub const DEFAULT: &str = "sqlite://stamps-connect.db?mode=rwc";

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim();
        if raw.starts_with("sqlite:") {
            return Ok(Self::Sqlite(raw.to_owned()));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let url = reqwest::Url::parse(raw)
                .map_err(|_| "use a URL like postgres://user:password@host:5432/database")?;
            if url.host_str().is_none_or(str::is_empty) {
                return Err("the PostgreSQL URL needs a host");
            }
            return Ok(Self::Postgres(raw.to_owned()));
        }
        Err("use sqlite://FILE?mode=rwc or postgres://user:password@host:5432/database")
    }

    /// An SQLite database that lives in memory only: gone when the app stops.
    pub fn is_in_memory(&self) -> bool {
        matches!(self, Self::Sqlite(raw) if raw.contains(":memory:") || raw.contains("mode=memory"))
    }

    /// Several instances can share it.
    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

impl Default for DatabaseUrl {
    fn default() -> Self {
        Self::Sqlite(Self::DEFAULT.to_owned())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(raw) => write!(f, "Sqlite({raw:?})"),
            Self::Postgres(raw) => {
                let mut shown = reqwest::Url::parse(raw).map_err(|_| fmt::Error)?;
                if shown.password().is_some() {
                    let _ = shown.set_password(Some("***"));
                }
                write!(f, "Postgres({:?})", shown.as_str())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_and_postgres_urls_are_told_apart() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/app.db?mode=rwc"),
            Ok(DatabaseUrl::Sqlite("sqlite://data/app.db?mode=rwc".into()))
        );
        assert!(
            DatabaseUrl::parse("sqlite::memory:")
                .unwrap()
                .is_in_memory()
        );
        let postgres = DatabaseUrl::parse("postgresql://app:pw@db.internal:5432/stamps").unwrap();
        assert!(postgres.is_shared());
        assert!(!DatabaseUrl::default().is_shared());
    }

    #[test]
    fn other_urls_are_refused() {
        for raw in ["", "mysql://x/y", "stamps.db", "postgres://", "http://db/x"] {
            assert!(DatabaseUrl::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let url = DatabaseUrl::parse("postgres://app:s3cret-pw@db:5432/stamps").unwrap();
        let shown = format!("{url:?}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(shown.contains("app:***@db:5432/stamps"), "{shown}");
    }
}
