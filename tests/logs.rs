//! The logs of a whole flow, at every level and from every crate, carry neither the API key nor
//! the card number; neither does any response.

mod support;
use support::POSTCARD;

use axum::body::Body;
use axum::http::{Request, Response};
use stamps_connect::simulator::{Endpoint, Fault};
use support::logs::captured;
use support::{API_KEY, TestApp, body_bytes, registration_form};

const CARD_NUMBER: &str = "4111111111111111";
const SANDBOX_KEY: &str = "TEST_sandbox_key_3c9d1e7f";

/// Every response's status line, headers and body, as text.
#[derive(Default)]
struct Responses(String);

impl Responses {
    async fn keep(&mut self, response: Response<Body>) {
        self.0.push_str(&format!("{:?}\n", response.headers()));
        let body = String::from_utf8_lossy(&body_bytes(response).await).into_owned();
        // A page's island carries its screen in base64: read as the browser does.
        if let Some(screen) = support::island_screen(&body) {
            self.0.push_str(&serde_json::to_string(&screen).unwrap());
        }
        self.0.push_str(&body);
    }
}

fn with(
    form: &[(&'static str, &'static str)],
    name: &str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    form.iter()
        .map(|&(k, v)| if k == name { (k, value) } else { (k, v) })
        .collect()
}

#[tokio::test]
async fn a_whole_flow_logs_and_answers_neither_the_key_nor_the_card_number() {
    let logs = captured();
    let mut app = TestApp::start_with(&[("LIMIT_RESEND_COOLDOWN_SECS", "60")]).await;
    let mut responses = Responses::default();
    let form = registration_form();

    responses
        .keep(
            app.send(Request::get("/").body(Body::empty()).unwrap())
                .await,
        )
        .await;
    // Refused by validation (an expired card), by ShipEngine, then accepted.
    let expired = with(&form, "card_exp_year", "2020");
    responses
        .keep(app.post("register", &expired, POSTCARD).await)
        .await;
    responses
        .keep(app.post("register", &expired, "text/html").await)
        .await;
    responses
        .keep(
            app.send(Request::get("/").body(Body::empty()).unwrap())
                .await,
        )
        .await;
    app.simulator
        .simulator
        .inject_fault(Endpoint::Register, Fault::Refused, 1);
    responses
        .keep(app.post("register", &form, POSTCARD).await)
        .await;
    responses
        .keep(app.post("register", &form, POSTCARD).await)
        .await;
    // A code, a resend too soon, a wrong code, the right one.
    responses
        .keep(
            app.post("send_code", &[("phone", "5121112222")], POSTCARD)
                .await,
        )
        .await;
    responses
        .keep(
            app.post("send_code", &[("phone", "5121112222")], POSTCARD)
                .await,
        )
        .await;
    responses
        .keep(
            app.post("verify_code", &[("code", "000000")], POSTCARD)
                .await,
        )
        .await;
    responses
        .keep(
            app.post("verify_code", &[("code", "123456")], POSTCARD)
                .await,
        )
        .await;
    responses
        .keep(
            app.send(Request::get("/").body(Body::empty()).unwrap())
                .await,
        )
        .await;

    let sent = app.simulator.simulator.requests();
    // Two address checks, two registrations, a code sent and two checked, and the done screen's
    // balance twice (the check's answer, the page after it).
    assert_eq!(sent.len(), 9, "the flow did reach ShipEngine");
    assert_eq!(sent[1].body["credit_card"]["number"], CARD_NUMBER);

    let logs = logs.text();
    assert!(
        logs.contains("registered"),
        "the logs were captured: {logs}"
    );
    assert!(
        logs.contains("last4"),
        "the card is logged as its last 4 only"
    );
    for (what, text) in [("logs", &logs), ("responses", &responses.0)] {
        assert!(!text.contains(API_KEY), "the key is in the {what}");
        for card in [CARD_NUMBER, "4111 1111 1111 1111", "411111"] {
            assert!(!text.contains(card), "the card number is in the {what}");
        }
    }
}

#[tokio::test]
async fn a_sandbox_key_is_warned_about_at_start_up_without_being_shown() {
    let logs = captured();
    TestApp::start_with(&[("SHIPENGINE_API_KEY", SANDBOX_KEY)]).await;
    let logs = logs.text();
    assert!(
        logs.contains("SHIPENGINE_API_KEY is a sandbox (TEST_) key"),
        "{logs}"
    );
    assert!(!logs.contains(SANDBOX_KEY));
}
