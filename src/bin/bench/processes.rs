//! The release binaries under test, each started on a free loopback port and stopped on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The API key the simulator accepts and the app sends.
pub const API_KEY: &str = "bench_key_2f0c9a";

pub struct Running {
    pub base_url: String,
    child: Child,
    /// A SQLite file of the run's own, removed with the process.
    database: Option<PathBuf>,
}

impl Running {
    /// The simulator, with its rate limit out of the way of the load, answering each call
    /// after `latency`.
    pub async fn simulator(release: &Path, latency: Duration) -> Self {
        let port = free_port();
        let child = Command::new(release.join("shipengine-simulator"))
            .args(["--port", &port.to_string(), "--api-key", API_KEY])
            .args(["--rate-limit", "100000000"])
            .args(["--latency-ms", &latency.as_millis().to_string()])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("target/release/shipengine-simulator runs");
        Self::started(child, port, "/__simulator/health").await
    }

    /// The app in front of the simulator, with its per-IP registration limit lifted (every
    /// virtual merchant comes from 127.0.0.1) and its logs at the production default. Its
    /// database is `BENCH_DATABASE_URL`, or else a SQLite file of its own.
    pub async fn app(release: &Path, simulator: &Running) -> Self {
        let port = free_port();
        let (database_url, database) = match std::env::var("BENCH_DATABASE_URL") {
            Ok(url) => (url, None),
            Err(_) => {
                let file = std::env::temp_dir()
                    .join(format!("stamps-connect-bench-{}.db", std::process::id()));
                (format!("sqlite://{}?mode=rwc", file.display()), Some(file))
            }
        };
        let child = Command::new(release.join("stamps-connect"))
            .env("DATABASE_URL", database_url)
            .env("SHIPENGINE_API_KEY", API_KEY)
            .env("SHIPENGINE_BASE_URL", &simulator.base_url)
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("LIMIT_REGISTRATIONS_PER_IP", "1000000")
            .env("LIMIT_REGISTRATIONS_PER_EMAIL", "1000000")
            .env("LIMIT_REGISTRATIONS_TOTAL", "1000000")
            // The relay is measured, not the cap on calls in flight (16 by default: 64 virtual
            // users against a 100 ms upstream would wait for a slot).
            .env("UPSTREAM_MAX_CONCURRENT", "1000")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .spawn()
            .expect("target/release/stamps-connect runs");
        let mut app = Self::started(child, port, "/healthz").await;
        app.database = database;
        app
    }

    async fn started(child: Child, port: u16, health: &str) -> Self {
        let running = Self {
            base_url: format!("http://127.0.0.1:{port}"),
            child,
            database: None,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("{}{health}", running.base_url);
        loop {
            let answer = reqwest::get(&url).await;
            if answer.is_ok_and(|answer| answer.status().is_success()) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{url} did not answer within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        running
    }

    /// The most memory the process has held resident so far (`VmHWM`), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc is readable");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .expect("VmHWM in /proc/<pid>/status")
            * 1024
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(file) = &self.database {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
    }
}

/// A port nothing listens on now (the OS picks it; the small race is fine on loopback).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}
