//! Webhooks delivered from the outbox to a real receiver on loopback: signed, retried with
//! backoff, in order per registration, given up after their window, once each with two
//! instances on one database, after a restart, and again on an operator's request. On SQLite and
//! on PostgreSQL.

mod support;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use stamps_connect::server::observability::metrics;
use stamps_connect::server::storage::{
    Claim, Database, NewRegistration, OutboxEntry, RegistrationEvent, now_ms,
};
use stamps_connect::server::webhooks::{
    RetrySchedule, RunningWebhooks, WebhookConfig, WebhookSecret, WebhookWorker,
};
use support::TestApp;
use support::databases::TestDatabase;
use tokio_util::sync::CancellationToken;

const SECRET: &str = "whsec_test_0123456789abcdef";

/// What the receiver does with a request.
#[derive(Clone, Copy, Debug)]
enum Reply {
    Status(u16),
    /// Answers only after this long: past the sender's timeout.
    Hang(Duration),
}

/// A request the receiver got, as it came.
#[derive(Clone, Debug)]
struct Received {
    at_ms: i64,
    headers: HeaderMap,
    body: Bytes,
    event_id: String,
    reference: String,
    /// The status it answered; `None` while it hung.
    answered: Option<u16>,
}

#[derive(Default)]
struct Script {
    received: Mutex<Vec<Received>>,
    /// The replies to the next requests, whatever they carry; then 200.
    next: Mutex<VecDeque<Reply>>,
    /// Events answered 500 every time.
    failing: Mutex<HashSet<String>>,
    /// Each answer takes up to this long (random), so that events sent together may arrive
    /// in any order.
    slowness: Mutex<Duration>,
}

/// The operator's backend: an HTTP server on loopback that records what it gets.
struct Receiver {
    url: reqwest::Url,
    script: Arc<Script>,
}

impl Receiver {
    async fn start() -> Self {
        Self::start_on(([127, 0, 0, 1], 0).into()).await
    }

    async fn start_on(addr: SocketAddr) -> Self {
        let script = Arc::new(Script::default());
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = Router::new()
            .route("/hooks", post(receive))
            .with_state(script.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            url: format!("http://{addr}/hooks").parse().unwrap(),
            script,
        }
    }

    fn then(&self, replies: &[Reply]) {
        self.script.next.lock().unwrap().extend(replies);
    }

    fn answer_within(&self, slowness: Duration) {
        *self.script.slowness.lock().unwrap() = slowness;
    }

    fn fail_always(&self, event_id: &str) {
        self.script
            .failing
            .lock()
            .unwrap()
            .insert(event_id.to_owned());
    }

    fn stop_failing(&self, event_id: &str) {
        self.script.failing.lock().unwrap().remove(event_id);
    }

    fn received(&self) -> Vec<Received> {
        self.script.received.lock().unwrap().clone()
    }

    /// The requests answered 2xx.
    fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.answered.is_some_and(|s| (200..300).contains(&s)))
            .collect()
    }

    fn requests_for(&self, event_id: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.event_id == event_id)
            .collect()
    }
}

async fn receive(State(script): State<Arc<Script>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let event_id = json["id"].as_str().unwrap_or_default().to_owned();
    let reply = if script.failing.lock().unwrap().contains(&event_id) {
        Reply::Status(500)
    } else {
        script
            .next
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Reply::Status(200))
    };
    let slowness = *script.slowness.lock().unwrap();
    tokio::time::sleep(slowness.mul_f64(rand::random())).await;
    let answered = match reply {
        Reply::Status(status) => Some(status),
        Reply::Hang(_) => None,
    };
    script.received.lock().unwrap().push(Received {
        at_ms: now_ms(),
        headers,
        reference: json["data"]["reference"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        event_id,
        body,
        answered,
    });
    match reply {
        Reply::Status(status) => StatusCode::from_u16(status).unwrap(),
        Reply::Hang(wait) => {
            tokio::time::sleep(wait).await;
            StatusCode::OK
        }
    }
}

/// Small delays, so that retries happen within a test.
fn quick(url: &reqwest::Url) -> WebhookConfig {
    WebhookConfig {
        timeout: Duration::from_millis(400),
        schedule: RetrySchedule {
            base: Duration::from_millis(150),
            retry_for: Duration::from_secs(60),
        },
        poll_every: Duration::from_millis(20),
        ..WebhookConfig::new(url.clone(), WebhookSecret::new(SECRET).unwrap())
    }
}

fn start_worker(database: &Database, config: &WebhookConfig) -> RunningWebhooks {
    WebhookWorker::new(database.clone(), config)
        .unwrap()
        .spawn()
}

/// A new registration's key and reference.
async fn claim(database: &Database) -> (String, String) {
    let key = uuid::Uuid::new_v4().to_string();
    let new = NewRegistration {
        idempotency_key: &key,
        owner_hash: &key,
        session_id: None,
        nickname: "Corner shop",
        email: "ana@example.com",
        card_brand: "visa",
        card_last4: "1111",
        merchant_ref: None,
        allow_another: false,
    };
    let Claim::New { reference } = database.claim(&new).await.unwrap() else {
        panic!("a new key is claimed");
    };
    (key, reference)
}

async fn record(database: &Database, key: &str, event: RegistrationEvent<'_>) {
    assert!(database.record(key, event).await.unwrap(), "{event:?}");
}

/// ShipEngine opened the account of the registration of `key`: a carrier id of its own (no two
/// rows hold one).
async fn record_registered(database: &Database, key: &str) {
    let carrier_id = format!("se-{key}");
    let registered = RegistrationEvent::Registered {
        carrier_id: &carrier_id,
        request_id: None,
    };
    record(database, key, registered).await;
}

/// A registration that was registered, then verified: two events.
async fn registered_then_verified(database: &Database) -> String {
    let (key, reference) = claim(database).await;
    record_registered(database, &key).await;
    record(
        database,
        &key,
        RegistrationEvent::CodeSent {
            verification_id: "ver-1",
            sent_to: "(•••) •••-2222",
            request_id: None,
        },
    )
    .await;
    record(
        database,
        &key,
        RegistrationEvent::Verified { request_id: None },
    )
    .await;
    reference
}

async fn events_of(database: &Database, reference: &str) -> Vec<OutboxEntry> {
    database.webhook_events_of(reference).await.unwrap()
}

/// Waits up to 20 s for `done`, checking every 20 ms.
async fn wait_until<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn delivered(database: &Database, reference: &str) -> bool {
    events_of(database, reference)
        .await
        .iter()
        .all(|event| event.delivered_at_ms.is_some())
}

/// The signature header checked as a receiver would, without the app's code: HMAC-SHA256 of
/// `<t>.<raw body>` with the shared secret, and a `t` within a minute of now.
fn assert_signed(received: &Received) {
    let header = received.headers["stamps-connect-signature"]
        .to_str()
        .unwrap();
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("t=…,v1=…: {header}"));
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(&received.body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected, "the signature of {}", received.event_id);
    let t: i64 = t.parse().unwrap();
    assert!((now_ms() / 1000 - t).abs() <= 60, "t={t} is recent");
}

#[tokio::test]
async fn an_event_arrives_signed_with_its_id_and_exactly_the_outbox_body() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let receiver = Receiver::start().await;
        let reference = registered_then_verified(&database).await;
        let _worker = start_worker(&database, &quick(&receiver.url));
        wait_until("delivered", || delivered(&database, &reference)).await;

        let events = events_of(&database, &reference).await;
        let received = receiver.received();
        assert_eq!(received.len(), 2, "{}", db.backend());
        for (event, got) in events.iter().zip(&received) {
            assert_signed(got);
            assert_eq!(got.body, event.payload.as_bytes(), "the body as stored");
            assert_eq!(got.event_id, event.event_id);
            assert_eq!(
                got.headers["stamps-connect-event-id"],
                event.event_id.as_str()
            );
            assert_eq!(got.headers["content-type"], "application/json");
            assert_eq!(event.attempts, 1);
            let attempts = database
                .webhook_deliveries_of(&event.event_id)
                .await
                .unwrap();
            assert_eq!(attempts.len(), 1);
            assert_eq!(attempts[0].status_code, Some(200));
            assert_eq!(attempts[0].error, None);
        }
    }
}

#[tokio::test]
async fn a_failing_receiver_gets_the_event_once_it_answers_after_growing_waits() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        // Nothing listens there at first: the connection is refused.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let url: reqwest::Url = format!("http://{addr}/hooks").parse().unwrap();
        let config = quick(&url);
        let (key, reference) = claim(&database).await;
        record_registered(&database, &key).await;
        let event_id = events_of(&database, &reference).await[0].event_id.clone();
        let _worker = start_worker(&database, &config);
        let attempts_made = || async {
            database
                .webhook_deliveries_of(&event_id)
                .await
                .unwrap()
                .len()
        };
        wait_until("a refused attempt", || async { attempts_made().await >= 1 }).await;

        let receiver = Receiver::start_on(addr).await;
        receiver.then(&[
            Reply::Status(500),
            Reply::Status(503),
            Reply::Hang(Duration::from_millis(1500)),
        ]);
        wait_until("delivered", || delivered(&database, &reference)).await;
        // Nothing more comes once it is delivered.
        tokio::time::sleep(Duration::from_millis(600)).await;

        let answers: Vec<Option<u16>> = receiver.received().iter().map(|r| r.answered).collect();
        assert_eq!(
            answers,
            [Some(500), Some(503), None, Some(200)],
            "{}",
            db.backend()
        );
        assert_eq!(receiver.accepted().len(), 1);

        let attempts = database.webhook_deliveries_of(&event_id).await.unwrap();
        let refused = attempts.len() - 4;
        assert!(refused >= 1, "{attempts:?}");
        for attempt in &attempts[..refused] {
            assert_eq!(attempt.status_code, None);
            assert_eq!(attempt.error.as_deref(), Some("could not connect"));
        }
        let rest: Vec<(Option<i64>, Option<&str>)> = attempts[refused..]
            .iter()
            .map(|a| (a.status_code, a.error.as_deref()))
            .collect();
        assert_eq!(
            rest,
            [
                (Some(500), Some("answered HTTP 500 Internal Server Error")),
                (Some(503), Some("answered HTTP 503 Service Unavailable")),
                (None, Some("no answer within 400 ms")),
                (Some(200), None),
            ]
        );
        let event = &events_of(&database, &reference).await[0];
        assert_eq!(event.attempts, i64::try_from(attempts.len()).unwrap());

        // Each wait is at least half of base × 2^(failures − 1), so the last is longer than
        // the first could be.
        let gaps: Vec<i64> = attempts
            .windows(2)
            .map(|w| w[1].at_ms - w[0].at_ms)
            .collect();
        let base = 150;
        for (index, gap) in gaps.iter().enumerate() {
            let lowest = (base << index) / 2;
            assert!(
                *gap >= lowest,
                "wait {index}: {gap} ms < {lowest} ms: {gaps:?}"
            );
        }
        assert!(gaps[gaps.len() - 1] > 2 * gaps[0], "{gaps:?}");
    }
}

#[tokio::test]
async fn a_registrations_events_go_in_order_and_never_hold_back_anothers() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let receiver = Receiver::start().await;
        let first = registered_then_verified(&database).await;
        let first_events = events_of(&database, &first).await;
        let (earlier, later) = (&first_events[0].event_id, &first_events[1].event_id);
        receiver.fail_always(earlier);
        let (other_key, other) = claim(&database).await;
        record_registered(&database, &other_key).await;
        let _worker = start_worker(&database, &quick(&receiver.url));

        wait_until("the other registration's event", || {
            delivered(&database, &other)
        })
        .await;
        wait_until("three attempts of the earlier event", || async {
            receiver.requests_for(earlier).len() >= 3
        })
        .await;
        assert!(
            receiver.requests_for(later).is_empty(),
            "{}: the later event waits for the earlier one",
            db.backend()
        );

        receiver.stop_failing(earlier);
        wait_until("both delivered", || delivered(&database, &first)).await;
        let of_first: Vec<Received> = receiver
            .received()
            .into_iter()
            .filter(|r| r.reference == first)
            .collect();
        let (last, before) = of_first.split_last().unwrap();
        assert_eq!(&last.event_id, later);
        assert_eq!(last.answered, Some(200));
        assert!(before.iter().all(|r| &r.event_id == earlier));
        assert_eq!(before.last().unwrap().answered, Some(200));
    }
}

#[tokio::test]
async fn an_event_is_given_up_after_its_window_and_the_next_one_then_goes() {
    metrics::install();
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let receiver = Receiver::start().await;
        let reference = registered_then_verified(&database).await;
        let events = events_of(&database, &reference).await;
        let (doomed, next) = (&events[0].event_id, &events[1].event_id);
        receiver.fail_always(doomed);
        let mut config = quick(&receiver.url);
        config.schedule.retry_for = Duration::from_millis(800);
        let _worker = start_worker(&database, &config);

        wait_until("the next event delivered", || {
            delivered_event(&database, &reference, 1)
        })
        .await;
        let events = events_of(&database, &reference).await;
        let given_up = events[0].given_up_at_ms.expect("given up");
        assert_eq!(events[0].delivered_at_ms, None);
        assert!(
            given_up - events[0].created_at_ms >= 800,
            "{}",
            db.backend()
        );
        let attempts = database.webhook_deliveries_of(doomed).await.unwrap();
        assert!(attempts.len() >= 3, "{attempts:?}");
        assert!(attempts.iter().all(|a| a.status_code == Some(500)));
        let last_try = receiver.requests_for(doomed).last().unwrap().at_ms;
        let sent = &receiver.requests_for(next)[0];
        assert!(sent.at_ms >= last_try);
    }
    let exposed = metrics::install().render();
    assert!(
        exposed.contains("stamps_connect_webhooks_given_up_total"),
        "{exposed}"
    );
}

async fn delivered_event(database: &Database, reference: &str, index: usize) -> bool {
    events_of(database, reference)
        .await
        .get(index)
        .is_some_and(|event| event.delivered_at_ms.is_some())
}

#[tokio::test]
async fn the_outbox_is_delivered_by_the_next_instance_after_a_stop_mid_delivery() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let receiver = Receiver::start().await;
        // Recorded while no worker runs: they wait.
        let mut references = Vec::new();
        for _ in 0..3 {
            references.push(registered_then_verified(&database).await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(receiver.received().is_empty());

        // An instance stops (its task ends abruptly) while the receiver takes its time.
        receiver.then(&[Reply::Hang(Duration::from_secs(2))]);
        let stop = CancellationToken::new();
        let first = tokio::spawn(
            WebhookWorker::new(database.clone(), &quick(&receiver.url))
                .unwrap()
                .run(stop),
        );
        wait_until("a request in flight", || async {
            !receiver.received().is_empty()
        })
        .await;
        first.abort();
        let _ = first.await;
        database.close().await;

        let restarted = db.connect().await;
        let _worker = start_worker(&restarted, &quick(&receiver.url));
        for reference in &references {
            wait_until("delivered after the restart", || {
                delivered(&restarted, reference)
            })
            .await;
            let accepted: HashSet<String> = receiver
                .accepted()
                .into_iter()
                .map(|r| r.event_id)
                .collect();
            for event in events_of(&restarted, reference).await {
                assert!(accepted.contains(&event.event_id), "{}", db.backend());
            }
        }
    }
}

/// Registrations of every kind, recorded from both instances in parallel: how many events each
/// announced, by reference.
async fn many_registrations(instances: [&Database; 2]) -> HashMap<String, usize> {
    let mut recording = tokio::task::JoinSet::new();
    for index in 0..30 {
        let database = instances[index % 2].clone();
        recording.spawn(async move {
            let (key, reference) = claim(&database).await;
            let announced = match index % 3 {
                0 => {
                    record_registered(&database, &key).await;
                    record(
                        &database,
                        &key,
                        RegistrationEvent::CodeSent {
                            verification_id: "ver-1",
                            sent_to: "(•••) •••-2222",
                            request_id: None,
                        },
                    )
                    .await;
                    record(
                        &database,
                        &key,
                        RegistrationEvent::Verified { request_id: None },
                    )
                    .await;
                    2
                }
                1 => {
                    let failed = RegistrationEvent::Failed {
                        request_id: None,
                        error: "refused",
                    };
                    record(&database, &key, failed).await;
                    1
                }
                _ => {
                    record(
                        &database,
                        &key,
                        RegistrationEvent::OutcomeUnknown { error: "timeout" },
                    )
                    .await;
                    let carrier_id = format!("se-{key}");
                    let settled = RegistrationEvent::SettledRegistered {
                        carrier_id: &carrier_id,
                        by: "admin:ana",
                        note: "found it",
                    };
                    record(&database, &key, settled).await;
                    2
                }
            };
            (reference, announced)
        });
    }
    let mut announced = HashMap::new();
    while let Some(done) = recording.join_next().await {
        let (reference, count) = done.unwrap();
        announced.insert(reference, count);
    }
    announced
}

#[tokio::test]
async fn two_instances_deliver_every_event_once_in_order() {
    for db in TestDatabase::each().await {
        let (one, two) = (db.connect().await, db.connect().await);
        let receiver = Receiver::start().await;
        receiver.answer_within(Duration::from_millis(30));
        let mut config = quick(&receiver.url);
        // No failure is expected: a lease that cannot pass on a busy machine.
        config.timeout = Duration::from_secs(3);
        let _workers = [start_worker(&one, &config), start_worker(&two, &config)];
        let announced = many_registrations([&one, &two]).await;
        let total: usize = announced.values().sum();
        wait_until("every event", || async {
            receiver.accepted().len() >= total
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;

        let received = receiver.received();
        assert_eq!(received.len(), total, "{}: each event once", db.backend());
        let ids: HashSet<&str> = received.iter().map(|r| r.event_id.as_str()).collect();
        assert_eq!(ids.len(), total);
        for (reference, count) in &announced {
            let events = events_of(&one, reference).await;
            assert_eq!(events.len(), *count);
            assert!(
                events
                    .iter()
                    .all(|e| e.delivered_at_ms.is_some() && e.attempts == 1)
            );
            let in_order: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
            let arrived: Vec<&str> = received
                .iter()
                .filter(|r| &r.reference == reference)
                .map(|r| r.event_id.as_str())
                .collect();
            assert_eq!(arrived, in_order, "{}: {reference}", db.backend());
        }
    }
}

#[tokio::test]
async fn a_given_up_event_goes_again_when_an_operator_redelivers_it() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let receiver = Receiver::start().await;
        let (key, reference) = claim(&database).await;
        record_registered(&database, &key).await;
        let event_id = events_of(&database, &reference).await[0].event_id.clone();
        receiver.fail_always(&event_id);
        let mut config = quick(&receiver.url);
        config.schedule.retry_for = Duration::from_millis(300);
        let _worker = start_worker(&database, &config);
        wait_until("given up", || async {
            events_of(&database, &reference).await[0]
                .given_up_at_ms
                .is_some()
        })
        .await;
        let tried = database
            .webhook_deliveries_of(&event_id)
            .await
            .unwrap()
            .len();

        receiver.stop_failing(&event_id);
        assert!(database.redeliver_webhook(&event_id).await.unwrap());
        wait_until("delivered", || delivered(&database, &reference)).await;
        let event = &events_of(&database, &reference).await[0];
        assert_eq!(event.given_up_at_ms, None, "{}", db.backend());
        let attempts = database.webhook_deliveries_of(&event_id).await.unwrap();
        assert_eq!(attempts.len(), tried + 1);
        assert_eq!(attempts.last().unwrap().status_code, Some(200));

        // A delivered one too, when asked.
        assert!(database.redeliver_webhook(&event_id).await.unwrap());
        wait_until("sent again", || async { receiver.accepted().len() == 2 }).await;
        assert!(!database.redeliver_webhook("evt_unknown").await.unwrap());
    }
}

#[tokio::test]
async fn without_a_url_the_app_starts_and_events_wait_in_the_outbox() {
    let app = TestApp::start().await;
    assert!(app.state.webhooks.is_none());
    let database = &app.state.database;
    let reference = registered_then_verified(database).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for event in events_of(database, &reference).await {
        assert_eq!((event.attempts, event.delivered_at_ms), (0, None));
    }
}

#[tokio::test]
async fn with_a_url_the_app_delivers_and_stops_delivering_on_shutdown() {
    let receiver = Receiver::start().await;
    let app = TestApp::start_with(&[
        ("OPERATOR_WEBHOOK_URL", receiver.url.as_str()),
        ("OPERATOR_WEBHOOK_SECRET", SECRET),
        ("WEBHOOK_POLL_MS", "20"),
    ])
    .await;
    let database = &app.state.database;
    let reference = registered_then_verified(database).await;
    wait_until("delivered", || delivered(database, &reference)).await;
    receiver.received().iter().for_each(assert_signed);

    app.state.webhooks.as_ref().expect("a worker").stop().await;
    let (key, later) = claim(database).await;
    record_registered(database, &key).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!delivered(database, &later).await, "stopped: it waits");
}
