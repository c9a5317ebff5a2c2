//! Standalone ShipEngine simulator, for demo mode and end-to-end tests.
//! Prints `shipengine-simulator listening on http://HOST:PORT` once bound.

use std::net::{IpAddr, SocketAddr};

use clap::Parser;
use stamps_connect::simulator::{Simulator, SimulatorConfig, spawn};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(about = "Simulates ShipEngine's Stamps.com registration, verification and account API")]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// 0 picks a free port.
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// The verification code that the simulator accepts.
    #[arg(long, default_value = "123456")]
    code: String,
    /// An accepted API key (repeatable); without any, every non-blank key is accepted.
    #[arg(long = "api-key", env = "SIMULATOR_API_KEY")]
    api_keys: Vec<String>,
    /// Requests per minute per key (sandbox `TEST_` keys get at most 20).
    #[arg(long)]
    rate_limit: Option<u32>,
    /// Milliseconds every API call waits before it is answered, like a real upstream.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer address validation as for a plan without it (400 `invalid_billing_plan`).
    #[arg(long)]
    no_address_validation: bool,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let defaults = SimulatorConfig::default();
    let config = SimulatorConfig {
        verification_code: args.code,
        api_keys: args.api_keys,
        rate_limit_per_minute: args.rate_limit.unwrap_or(defaults.rate_limit_per_minute),
        latency: std::time::Duration::from_millis(args.latency_ms),
        address_validation_allowed: !args.no_address_validation,
        ..defaults
    };
    let running = spawn(
        Simulator::new(config),
        SocketAddr::new(args.host, args.port),
    )
    .await?;
    println!("shipengine-simulator listening on {}", running.base_url);
    shutdown_signal().await?;
    running.shutdown().await
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await
}
