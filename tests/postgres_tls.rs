//! PostgreSQL over TLS: the app's own `Database::connect` with `?sslmode=require` and with
//! `?sslmode=verify-full&sslrootcert=…`, each checked on the server's side (`pg_stat_ssl`), and
//! `verify-full` refusing a server whose certificate a wrong root does not vouch for.
//!
//! Needs `TEST_DATABASE_TLS_URL`, `TEST_DATABASE_TLS_ROOT_CERT` and
//! `TEST_DATABASE_TLS_WRONG_ROOT_CERT` (`source scripts/postgres` sets them); skipped without.

use std::io::Write;
use std::sync::Once;

use sqlx::Connection;
use stamps_connect::server::storage::{Database, DatabaseUrl, StorageError};

/// The throwaway server of scripts/postgres, reached by the name on its certificate.
struct TlsServer {
    /// `postgres://user@localhost:port/database`, without a query.
    url: String,
    /// The CA that signed the server's certificate.
    root_cert: String,
    /// A CA that signed nothing the server holds.
    wrong_root_cert: String,
}

impl TlsServer {
    fn from_env() -> Option<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let Some(url) = var("TEST_DATABASE_TLS_URL") else {
            static SAID: Once = Once::new();
            // Straight to stderr: the test harness hides what `eprintln!` prints in passing tests.
            SAID.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "PostgreSQL TLS tests skipped: TEST_DATABASE_TLS_URL is not set (scripts/postgres starts a server)"
                );
            });
            return None;
        };
        let needed = |name: &str| {
            var(name).unwrap_or_else(|| panic!("{name} must be set with TEST_DATABASE_TLS_URL"))
        };
        Some(Self {
            url,
            root_cert: needed("TEST_DATABASE_TLS_ROOT_CERT"),
            wrong_root_cert: needed("TEST_DATABASE_TLS_WRONG_ROOT_CERT"),
        })
    }

    /// A new, empty database on the server (so the app's migrations run on a clean slate), and
    /// its URL with `query` appended.
    async fn fresh_database(&self, query: &str) -> DatabaseUrl {
        let name = format!("stamps_tls_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&format!("{}?sslmode=require", self.url))
            .await
            .expect("TEST_DATABASE_TLS_URL is reachable over TLS");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("a test database can be created");
        let _ = admin.close().await;
        let mut url = reqwest::Url::parse(&self.url).expect("TEST_DATABASE_TLS_URL is a URL");
        url.set_path(&name);
        url.set_query(Some(query));
        DatabaseUrl::parse(url.as_str()).expect("the app accepts the URL")
    }
}

/// Whether the connection the app's pool hands out is encrypted, as the server sees it.
async fn server_says_encrypted(database: &Database) -> bool {
    let Database::Postgres(pool) = database else {
        panic!("a postgres:// URL opens a PostgreSQL pool, not {database:?}");
    };
    sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(pool)
        .await
        .expect("pg_stat_ssl can be read")
}

#[tokio::test]
async fn sslmode_require_encrypts_the_apps_connections() {
    let Some(server) = TlsServer::from_env() else {
        return;
    };
    let url = server.fresh_database("sslmode=require").await;
    let database = Database::connect(&url, 2)
        .await
        .expect("the app connects with sslmode=require");
    assert!(server_says_encrypted(&database).await, "not encrypted");
    database.close().await;
}

#[tokio::test]
async fn sslmode_verify_full_with_the_servers_ca_encrypts_the_apps_connections() {
    let Some(server) = TlsServer::from_env() else {
        return;
    };
    let query = format!("sslmode=verify-full&sslrootcert={}", server.root_cert);
    let url = server.fresh_database(&query).await;
    let database = Database::connect(&url, 2)
        .await
        .expect("the app connects with sslmode=verify-full and the server's CA");
    assert!(server_says_encrypted(&database).await, "not encrypted");
    database.close().await;
}

#[tokio::test]
async fn sslmode_verify_full_with_a_wrong_root_certificate_does_not_connect() {
    let Some(server) = TlsServer::from_env() else {
        return;
    };
    let query = format!("sslmode=verify-full&sslrootcert={}", server.wrong_root_cert);
    let url = server.fresh_database(&query).await;
    match Database::connect(&url, 2).await {
        Ok(database) => {
            let encrypted = server_says_encrypted(&database).await;
            panic!("connected (encrypted: {encrypted}) although the root certificate is wrong");
        }
        // rustls's verdict arrives as `Tls`, or as `Io` when the handshake itself fails
        // ("invalid peer certificate: UnknownIssuer").
        Err(StorageError::Sqlx(error @ (sqlx::Error::Tls(_) | sqlx::Error::Io(_))))
            if error.to_string().contains("certificate") => {}
        Err(other) => panic!("refused, but not for the certificate: {other:?}"),
    }
}

/// The check above can tell: a plain connection to the same server is not encrypted.
#[tokio::test]
async fn sslmode_disable_is_seen_as_unencrypted() {
    let Some(server) = TlsServer::from_env() else {
        return;
    };
    let url = server.fresh_database("sslmode=disable").await;
    let database = Database::connect(&url, 2)
        .await
        .expect("the app connects without TLS");
    assert!(!server_says_encrypted(&database).await, "encrypted");
    database.close().await;
}
