//! The serving loop: HTTP/1.1 on hyper's own builder, because `axum::serve` cannot bound how long
//! a client takes to send its request head. A client that connects and sends nothing, or half a
//! request line, is disconnected after `HTTP_HEADER_TIMEOUT_SECS`; the body and the whole request
//! are bounded in the router ([`crate::server::build_router`]).
//!
//! Shutdown is graceful: on `shutdown` the listener closes, every connection finishes the request
//! it is answering (an idle one closes at once), then the upstream calls still in flight (see
//! [`AppState::spawn_upstream`]) are waited for, all within `SHUTDOWN_GRACE_SECS`.

use std::future::Future;
use std::io;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;
use tower::Service;

use crate::server::AppState;

/// How long the server waits for a client, and for its own work once asked to stop (read from the
/// environment: see [`crate::server::Config`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// `HTTP_HEADER_TIMEOUT_SECS`: from the connection (or the previous answer) to the end of the
    /// request's head.
    pub header: Duration,
    /// `HTTP_BODY_TIMEOUT_SECS`: the longest wait for the next piece of a request's body.
    pub body: Duration,
    /// `HTTP_REQUEST_TIMEOUT_SECS`: the longest a request may take, answer included; longer than
    /// a registration can take (checked at start-up).
    pub request: Duration,
    /// `SHUTDOWN_GRACE_SECS`: how long a shutdown waits for requests and upstream calls in flight.
    pub shutdown_grace: Duration,
}

impl Default for HttpTimeouts {
    fn default() -> Self {
        Self {
            header: Duration::from_secs(10),
            body: Duration::from_secs(10),
            request: Duration::from_secs(120),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// What [`serve`] needs besides the router.
#[derive(Clone, Debug)]
pub struct ServeSettings {
    pub header_read_timeout: Duration,
    pub shutdown_grace: Duration,
    /// The upstream calls a shutdown waits for.
    pub upstream_tasks: TaskTracker,
}

impl ServeSettings {
    /// The settings of the app whose state is `state`.
    pub fn of(state: &AppState) -> Self {
        Self {
            header_read_timeout: state.http.header,
            shutdown_grace: state.http.shutdown_grace,
            upstream_tasks: state.upstream_tasks.clone(),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then shuts down gracefully (see the
/// module documentation). Each request carries `ConnectInfo<SocketAddr>`, the peer the per-IP
/// limits count. Returns once the connections are closed and the upstream calls have ended, or
/// the grace period has passed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send,
    settings: ServeSettings,
) -> io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_read_timeout);
    let connections = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(&error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small answers go out at once rather than waiting for more to send.
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().call(request)
        });
        let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // A client that went away, or was too slow: nothing the app can act on.
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: no new connections; finishing the requests in flight");
    let deadline = tokio::time::Instant::now() + settings.shutdown_grace;
    if tokio::time::timeout_at(deadline, connections.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace = ?settings.shutdown_grace,
            "requests still in flight at the end of the shutdown grace period"
        );
    }
    // No request is left to start another call: wait for the ones running.
    let tasks = settings.upstream_tasks;
    tasks.close();
    if !tasks.is_empty() {
        tracing::info!(
            calls = tasks.len(),
            "waiting for the ShipEngine calls in flight"
        );
    }
    if tokio::time::timeout_at(deadline, tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            calls = tasks.len(),
            grace = ?settings.shutdown_grace,
            "ShipEngine calls still in flight at the end of the shutdown grace period: their rows \
             stay `submitted` and become `outcome_unknown`"
        );
    }
    tracing::info!("shut down");
    Ok(())
}

/// An accept error is about one connection (the client gave up) or a shortage of file
/// descriptors: log it, and back off on the latter, which would otherwise spin.
async fn accept_failed(error: &io::Error) {
    let per_connection = matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    );
    if per_connection {
        tracing::debug!(%error, "accept failed");
    } else {
        tracing::error!(%error, "accept failed; retrying in a second");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
