//! A graceful shutdown (SIGTERM in `main`) waits for the ShipEngine calls in flight, within
//! `SHUTDOWN_GRACE_SECS`, so that a registration sent before it learns its outcome instead of
//! being left `submitted`.

mod served;
mod support;

use std::time::{Duration, Instant};

use served::{Browser, Served};
use stamps_connect::server::storage::RegistrationStatus;
use stamps_connect::simulator::{Endpoint, Fault};
use support::{TestApp, idempotency_key_in, registration_form};

/// Calls long enough for ShipEngine's delay below.
const CONFIG: &[(&str, &str)] = &[("UPSTREAM_TIMEOUT_SECS", "10")];

async fn status(app: &TestApp, key: &str) -> RegistrationStatus {
    let row = app.state.database.registration(key).await.unwrap();
    row.expect("a row").status
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Serves `app`, and sends a registration that ShipEngine answers only after `delay`. Returns
/// once ShipEngine has received it, the merchant having closed the tab meanwhile (the request
/// is cut off: only the app's own task still waits for the answer).
async fn registration_in_flight(app: &TestApp, delay: Duration) -> (Served, String) {
    let millis = u64::try_from(delay.as_millis()).unwrap();
    app.simulator
        .simulator
        .inject_fault(Endpoint::Register, Fault::Delay { millis }, 1);
    let served = Served::start(&app.state).await;
    let mut browser = Browser::new(&served);
    let key = idempotency_key_in(&browser.page().await);
    let mut form = registration_form();
    form.push(("idempotency_key", &key));
    let post = tokio::spawn(browser.post("register", &form));
    wait_for("the registration to reach ShipEngine", || {
        app.upstream_requests(Endpoint::Register) == 1
    })
    .await;
    post.abort();
    (served, key)
}

#[tokio::test]
async fn a_shutdown_waits_for_the_registration_in_flight() {
    let app = TestApp::start_with(CONFIG).await;
    let (mut served, key) = registration_in_flight(&app, Duration::from_secs(3)).await;
    assert_eq!(status(&app, &key).await, RegistrationStatus::Submitted);

    served.begin_shutdown();
    served.returned().await.unwrap();

    assert_eq!(
        status(&app, &key).await,
        RegistrationStatus::Registered,
        "the call ended, and its row knows, before serve returned"
    );
    assert_eq!(app.upstream_registrations(), 1);
    assert_eq!(app.upstream_requests(Endpoint::Register), 1);
}

#[tokio::test]
async fn the_wait_is_bounded_by_the_grace_period() {
    let app = TestApp::start_with(&[
        ("UPSTREAM_TIMEOUT_SECS", "10"),
        ("SHUTDOWN_GRACE_SECS", "1"),
    ])
    .await;
    let (mut served, key) = registration_in_flight(&app, Duration::from_secs(6)).await;

    let stopping = Instant::now();
    served.begin_shutdown();
    served.returned().await.unwrap();
    let waited = stopping.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "waited {waited:?} with a grace of 1 s"
    );
    // Cut short: the row is settled later, as any row left `submitted` (README, "Exactly once").
    assert_eq!(status(&app, &key).await, RegistrationStatus::Submitted);
}

#[tokio::test]
async fn with_nothing_in_flight_a_shutdown_is_immediate() {
    let app = TestApp::start_with(CONFIG).await;
    let mut served = Served::start(&app.state).await;
    let mut browser = Browser::new(&served);
    browser.page().await;

    let stopping = Instant::now();
    served.begin_shutdown();
    served.returned().await.unwrap();
    assert!(
        stopping.elapsed() < Duration::from_secs(2),
        "an idle keep-alive connection does not hold the shutdown: {:?}",
        stopping.elapsed()
    );
}
