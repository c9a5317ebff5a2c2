//! `LOG_FORMAT=json`: one JSON object per line, and the line of each upstream call carries both
//! our request id (from the request's span) and ShipEngine's.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{StatusCode, header};
use serde_json::Value;
use stamps_connect::server::observability::{LogFormat, log_subscriber};
use support::{TestApp, registration_form};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Log lines written to memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_and_the_upstream_call_carries_both_request_ids() {
    let captured = Captured::default();
    let filter = EnvFilter::new("stamps_connect=info");
    // Process-wide, in a test binary of its own: a thread-scoped subscriber misses events when
    // other tests run alongside.
    tracing::subscriber::set_global_default(log_subscriber(
        LogFormat::Json,
        filter,
        captured.clone(),
    ))
    .expect("the only subscriber of this test binary");
    let mut app = TestApp::start().await;
    let request = support::same_origin_post("register")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("x-request-id", "req-json-log-test")
        .body(Body::from(
            serde_urlencoded::to_string(registration_form()).unwrap(),
        ))
        .unwrap();
    assert_eq!(app.send(request).await.status(), StatusCode::OK);

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let call = lines
        .iter()
        .find(|line| {
            line["message"] == "ShipEngine call succeeded"
                && line["endpoint"] == "register_stamps_com"
        })
        .unwrap_or_else(|| panic!("no registration call logged in:\n{text}"));
    assert!(
        call["request_id"].as_str().is_some_and(|id| !id.is_empty()),
        "ShipEngine's request id: {call}"
    );
    assert_eq!(call["span"]["request_id"], "req-json-log-test", "{call}");
    assert!(call["timestamp"].is_string() && call["level"] == "INFO");
}
