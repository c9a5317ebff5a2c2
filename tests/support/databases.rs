//! Throwaway databases for tests: an SQLite file in a temporary folder, and, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, a fresh database on it for each test, so tests
//! run in parallel without seeing each other's rows.

use std::io::Write;
use std::sync::Once;

use sqlx::Connection;
use stamps_connect::server::storage::{Database, DatabaseUrl};
use tempfile::TempDir;

/// A database for one test; an SQLite file is deleted when this is dropped.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    dir: Option<TempDir>,
}

impl TestDatabase {
    /// A new SQLite file (created on first connect).
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("stamps-connect.db");
        let url = DatabaseUrl::Sqlite(format!("sqlite://{}?mode=rwc", path.display()));
        Self {
            url,
            dir: Some(dir),
        }
    }

    /// A new, empty database on the server of `TEST_DATABASE_URL`; `None` (said once on stderr)
    /// when the variable is not set.
    pub async fn postgres() -> Option<Self> {
        let Some(admin_url) = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
        else {
            static SAID: Once = Once::new();
            // Straight to stderr: the test harness hides what `eprintln!` prints in passing tests.
            SAID.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "PostgreSQL tests skipped: TEST_DATABASE_URL is not set (scripts/postgres starts a server)"
                );
            });
            return None;
        };
        let name = format!("stamps_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("TEST_DATABASE_URL is reachable");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("a test database can be created");
        let _ = admin.close().await;
        let mut url = reqwest::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        Some(Self {
            url: DatabaseUrl::Postgres(url.to_string()),
            dir: None,
        })
    }

    /// SQLite, and PostgreSQL when it is configured.
    pub async fn each() -> Vec<Self> {
        let mut databases = vec![Self::sqlite()];
        databases.extend(Self::postgres().await);
        databases
    }

    pub async fn connect(&self) -> Database {
        Database::connect(&self.url, 5)
            .await
            .expect("the test database opens and migrates")
    }

    /// `DATABASE_URL` for an app configured from variables.
    pub fn env_value(&self) -> String {
        match &self.url {
            DatabaseUrl::Sqlite(raw) | DatabaseUrl::Postgres(raw) => raw.clone(),
        }
    }

    pub fn backend(&self) -> &'static str {
        match self.url {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }

    /// The SQLite file's folder, to look at the bytes on disk.
    pub fn sqlite_dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(TempDir::path)
    }
}
