//! Reads the configuration, builds the state, serves.

use std::process::ExitCode;

use stamps_connect::server::observability::log_subscriber;
use stamps_connect::server::{
    AppState, Config, ServeSettings, build_router, leptos_options, serve,
};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("hash-admin-password") {
        return match stamps_connect::admin::hash_password_command() {
            Ok(hash) => {
                println!("{hash}");
                ExitCode::SUCCESS
            }
            Err(error) => fail(error),
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => return fail(error),
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = log_subscriber(config.log_format, filter, std::io::stdout);
    if let Err(error) = tracing::subscriber::set_global_default(logs) {
        return fail(error);
    }
    let leptos_options = match leptos_options() {
        Ok(options) => options,
        Err(error) => return fail(error),
    };
    let state = match AppState::start(&config, leptos_options).await {
        Ok(state) => state,
        Err(error) => return fail(error),
    };
    let demo = state.demo_code.is_some();
    let listener = match tokio::net::TcpListener::bind(config.listen_addr).await {
        Ok(listener) => listener,
        Err(error) => return fail(format!("cannot listen on {}: {error}", config.listen_addr)),
    };
    println!(
        "stamps-connect listening on http://{}{}",
        config.listen_addr,
        if demo {
            " (demo mode: no API key, embedded ShipEngine simulator)"
        } else {
            ""
        }
    );
    // Header and body timeouts, the peer address for the per-IP limits, and a graceful shutdown
    // that waits for the ShipEngine calls in flight.
    let settings = ServeSettings::of(&state);
    let webhooks = state.webhooks.clone();
    let (form_opens, database) = (state.form_opens.clone(), state.database.clone());
    if let Err(error) = serve(listener, build_router(state), shutdown_signal(), settings).await {
        return fail(error);
    }
    if let Some(webhooks) = webhooks {
        webhooks.stop().await;
    }
    form_opens.flush(&database).await;
    ExitCode::SUCCESS
}

fn fail(error: impl std::fmt::Display) -> ExitCode {
    eprintln!("stamps-connect: {error}");
    ExitCode::FAILURE
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            term.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}
