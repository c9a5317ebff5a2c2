//! Slow and idle clients, over real connections to the real serving loop: a client that sends
//! half a request head, or nothing at all, is disconnected after `HTTP_HEADER_TIMEOUT_SECS` while
//! other clients are answered; a body that stalls is cut off after `HTTP_BODY_TIMEOUT_SECS`.

mod served;
mod support;

use std::time::{Duration, Instant};

use served::Served;
use support::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ONE_SECOND_TIMEOUTS: &[(&str, &str)] = &[
    ("HTTP_HEADER_TIMEOUT_SECS", "1"),
    ("HTTP_BODY_TIMEOUT_SECS", "1"),
];

/// Longer than any timeout here, shorter than waiting forever.
const PATIENCE: Duration = Duration::from_secs(10);

/// What the server sends until it closes the connection, and when it closed it (`None`: still
/// open after [`PATIENCE`]).
async fn until_closed(stream: &mut TcpStream, since: Instant) -> (String, Option<Duration>) {
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    let closed = tokio::time::timeout(PATIENCE, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&received).into_owned();
    (text, closed.ok().map(|()| since.elapsed()))
}

#[tokio::test]
async fn a_client_that_stalls_in_its_request_head_is_disconnected_while_others_are_answered() {
    let app = TestApp::start_with(ONE_SECOND_TIMEOUTS).await;
    let served = Served::start(&app.state).await;

    let started = Instant::now();
    let mut half = TcpStream::connect(served.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: loc")
        .await
        .unwrap();
    let mut silent = TcpStream::connect(served.addr).await.unwrap();

    // Meanwhile another client, on a connection of its own, gets its answer.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut normal = TcpStream::connect(served.addr).await.unwrap();
    normal
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = until_closed(&mut normal, Instant::now()).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(answer.ends_with("ok"), "{answer:?}");

    for (what, stream) in [("half a request head", &mut half), ("nothing", &mut silent)] {
        let (sent, closed) = until_closed(stream, started).await;
        let closed = closed.unwrap_or_else(|| panic!("{what}: still open after {PATIENCE:?}"));
        assert!(
            closed >= Duration::from_millis(900) && closed < Duration::from_secs(5),
            "{what}: closed after {closed:?}, the timeout is 1 s"
        );
        assert!(!sent.contains("200 OK"), "{what}: {sent:?}");
    }
}

#[tokio::test]
async fn a_body_that_stalls_is_cut_off_after_the_body_timeout() {
    let app = TestApp::start_with(ONE_SECOND_TIMEOUTS).await;
    let served = Served::start(&app.state).await;
    let address = served.addr;

    let started = Instant::now();
    let mut stream = TcpStream::connect(address).await.unwrap();
    // A whole head, from the app's own page, announcing a body that never comes in full.
    let head = format!(
        "POST /api/register HTTP/1.1\r\nHost: {address}\r\nOrigin: http://{address}\r\n\
         Sec-Fetch-Site: same-origin\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n\
         nickname=My+Stamps"
    );
    stream.write_all(head.as_bytes()).await.unwrap();

    let (answer, closed) = until_closed(&mut stream, started).await;
    let closed = closed.unwrap_or_else(|| panic!("still waiting for the body after {PATIENCE:?}"));
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    assert!(
        closed < Duration::from_secs(5),
        "answered after {closed:?}, the body timeout is 1 s"
    );
    assert!(
        app.simulator.simulator.requests().is_empty(),
        "nothing reached ShipEngine"
    );
}
