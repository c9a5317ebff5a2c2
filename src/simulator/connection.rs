//! A listener whose connections a handler can drop, for the `drop_connection` fault.
//!
//! A handler cannot reach the socket, and an erroring body stream may still let the status line
//! out. So each accepted stream shares a flag with the handler (through `ConnectInfo`): once
//! set, every write fails, hyper gives up on the connection and closes it before a single byte
//! of the response is sent. The client sees the connection close mid-request.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Lets a handler drop the connection its request arrived on.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnectionDropper(Arc<AtomicBool>);

impl ConnectionDropper {
    pub fn drop_connection(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_dropped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Connected<IncomingStream<'_, DroppableListener>> for ConnectionDropper {
    fn connect_info(stream: IncomingStream<'_, DroppableListener>) -> Self {
        stream.io().dropper.clone()
    }
}

/// A TCP listener handing out [`DroppableStream`]s.
pub(crate) struct DroppableListener(pub TcpListener);

impl Listener for DroppableListener {
    type Io = DroppableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own accept loop, which already retries on transient errors.
        let (inner, addr) = Listener::accept(&mut self.0).await;
        let stream = DroppableStream {
            inner,
            dropper: ConnectionDropper::default(),
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A TCP stream that refuses to write once its connection has been dropped.
pub(crate) struct DroppableStream {
    inner: TcpStream,
    dropper: ConnectionDropper,
}

impl DroppableStream {
    fn refuse_if_dropped(&self) -> Option<io::Error> {
        self.dropper.is_dropped().then(|| {
            io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection dropped by fault",
            )
        })
    }
}

impl AsyncRead for DroppableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DroppableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(error) = self.refuse_if_dropped() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Some(error) = self.refuse_if_dropped() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(error) = self.refuse_if_dropped() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
