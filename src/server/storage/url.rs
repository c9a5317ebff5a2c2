//! `DATABASE_URL`: which backend, and where. A PostgreSQL URL may hold a password (after the user,
//! or as `?password=`), so `Debug` never shows one. The rest of the query (`sslmode`,
//! `sslrootcert`, …) goes to sqlx as written.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://path/to/file.db?mode=rwc`, or `sqlite::memory:`.
    Sqlite(String),
    /// `postgres://user:password@host:port/database` (or `postgresql://`), with sqlx's query
    /// parameters, e.g. `?sslmode=verify-full&sslrootcert=/path/ca.pem` for TLS.
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
            Self::Postgres(raw) => match redacted(raw) {
                Some(shown) => write!(f, "Postgres({shown:?})"),
                // Built without `parse`: nothing of it is shown, it could all be secret.
                None => f.write_str("Postgres(<not a URL>)"),
            },
        }
    }
}

/// The URL with `***` for the password, wherever it is given.
fn redacted(raw: &str) -> Option<String> {
    let mut shown = reqwest::Url::parse(raw).ok()?;
    if shown.password().is_some() {
        shown.set_password(Some("***")).ok()?;
    }
    if shown.query_pairs().any(|(name, _)| is_secret(&name)) {
        let pairs: Vec<(String, String)> = shown
            .query_pairs()
            .map(|(name, value)| {
                let value = if is_secret(&name) {
                    "***".into()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    Some(shown.into())
}

fn is_secret(query_name: &str) -> bool {
    query_name.to_ascii_lowercase().contains("password")
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

    #[test]
    fn debug_never_shows_a_password_given_in_the_query() {
        let url = DatabaseUrl::parse(
            "postgres://app@db:5432/stamps?sslmode=verify-full&password=s3cret-pw&sslrootcert=/etc/ca.pem",
        )
        .unwrap();
        let shown = format!("{url:?}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(shown.contains("password=***"), "{shown}");
        assert!(shown.contains("sslmode=verify-full"), "{shown}");
        assert!(shown.contains("sslrootcert=%2Fetc%2Fca.pem"), "{shown}");
        assert_eq!(
            format!("{:?}", DatabaseUrl::Postgres("not a url: s3cret-pw".into())),
            "Postgres(<not a URL>)"
        );
    }

    #[test]
    fn tls_parameters_reach_sqlx_as_written() {
        let raw = "postgres://app:pw@db.internal:5432/stamps?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem";
        assert_eq!(
            DatabaseUrl::parse(raw),
            Ok(DatabaseUrl::Postgres(raw.into()))
        );
        let options: sqlx::postgres::PgConnectOptions = raw.parse().unwrap();
        assert!(matches!(
            options.get_ssl_mode(),
            sqlx::postgres::PgSslMode::VerifyFull
        ));
    }
}
