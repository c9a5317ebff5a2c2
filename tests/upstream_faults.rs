//! Each of the three calls × each fault the simulator can play (500, 503, 429, a timeout, a
//! malformed body, a dropped connection): the merchant gets a clear message, keeps what they
//! typed, the row's status is right, and ShipEngine never opens a second account.
//!
//! A registration is refused for sure only by ShipEngine's own error envelope with a 4xx status
//! (the `refused` fault, and a 429); any other answer to it leaves the outcome unknown.
//!
//! Faults that a retry would absorb (a 429; a lost connection of the code check) are played one
//! time more than the retries allowed, so the failure reaches the merchant; that one transient
//! failure is absorbed is tested at the end.

mod support;

use stamps_connect::error::AppError;
use stamps_connect::screen::Screen;
use stamps_connect::server::storage::RegistrationStatus;
use stamps_connect::simulator::{Endpoint, Fault};
use support::{TestApp, registration_form};

/// One retry, a one-second timeout and a longer delay: every fault plays out in about a second.
const CONFIG: &[(&str, &str)] = &[
    ("UPSTREAM_TIMEOUT_SECS", "1"),
    ("UPSTREAM_MAX_RETRIES", "1"),
    ("UPSTREAM_MAX_RETRY_WAIT_SECS", "5"),
    ("LIMIT_RESEND_COOLDOWN_SECS", "0"),
];
const RETRIES: u32 = 1;
const TIMEOUT: Fault = Fault::Delay { millis: 1500 };

const FAULTS: [Fault; 6] = [
    Fault::InternalError,
    Fault::Unavailable,
    Fault::RateLimited,
    TIMEOUT,
    Fault::MalformedBody,
    Fault::DropConnection,
];

/// What the merchant is told, by the words that matter.
const TROUBLE: &str = "ShipEngine is having trouble right now";
const RATE_LIMITED: &str = "Please try again in";
const REFUSED: &str = "ShipEngine could not accept these details";
const NO_ANSWER: &str = "did not answer in time";
const UNKNOWN: &str = "cannot tell whether your Stamps.com account was opened";

/// How many times the fault is played so that it reaches the merchant.
fn times(endpoint: Endpoint, fault: Fault) -> u32 {
    let retried = fault == Fault::RateLimited
        || (endpoint == Endpoint::VerifyCode && fault == Fault::DropConnection);
    if retried { 1 + RETRIES } else { 1 }
}

/// What the merchant is told: the error of a failed call, nothing after one that went through.
fn message(answer: &Result<Screen, AppError>) -> String {
    answer
        .as_ref()
        .err()
        .map(AppError::to_string)
        .unwrap_or_default()
}

struct Started {
    app: TestApp,
    key: String,
}

async fn start() -> Started {
    let mut app = TestApp::start_with(CONFIG).await;
    let key = app.form_key().await;
    Started { app, key }
}

fn form_with_key(key: &str) -> Vec<(&str, &str)> {
    let mut form = registration_form();
    form.push(("idempotency_key", key));
    form
}

impl Started {
    async fn status(&self) -> RegistrationStatus {
        let row = self.app.state.database.registration(&self.key).await;
        row.unwrap().expect("a row").status
    }

    fn inject(&self, endpoint: Endpoint, fault: Fault) {
        let times = times(endpoint, fault);
        self.app
            .simulator
            .simulator
            .inject_fault(endpoint, fault, times);
    }
}

#[tokio::test]
async fn register_faults() {
    for fault in FAULTS.into_iter().chain([Fault::Refused]) {
        let mut flow = start().await;
        flow.inject(Endpoint::Register, fault);
        let answer = flow
            .app
            .attempt("register", &form_with_key(&flow.key))
            .await;

        let (expected, status, account_may_exist) = match fault {
            Fault::Refused => (REFUSED, RegistrationStatus::Failed, false),
            Fault::RateLimited => (RATE_LIMITED, RegistrationStatus::Failed, false),
            // Sent, and no refusal in ShipEngine's words (a 5xx, a body that is not its
            // envelope, no answer): never sent again, whatever happened upstream.
            _ => (
                UNKNOWN,
                RegistrationStatus::OutcomeUnknown,
                fault == TIMEOUT,
            ),
        };
        assert!(message(&answer).contains(expected), "{fault:?}: {answer:?}");
        let page = flow.app.page().await;
        let Screen::Register(form) = support::screen_in(&page) else {
            panic!("{fault:?}: still the form");
        };
        let typed = registration_form();
        let kept = serde_urlencoded::to_string(&form.draft).unwrap();
        for (name, value) in typed.iter().filter(|(name, _)| *name != "card_number") {
            let pair = serde_urlencoded::to_string([(name, value)]).unwrap();
            assert!(kept.contains(&pair), "{fault:?}: {name} was lost");
        }
        assert_eq!(flow.status().await, status, "{fault:?}");
        if status == RegistrationStatus::OutcomeUnknown {
            let row = flow.app.state.database.registration(&flow.key).await;
            let row = row.unwrap().expect("a row");
            let reference = answer.as_ref().err().and_then(AppError::reference);
            assert_eq!(
                reference,
                Some(row.reference.as_str()),
                "{fault:?}: the row's reference, for support"
            );
        }
        let sent = flow.app.upstream_requests(Endpoint::Register);
        assert_eq!(sent, times(Endpoint::Register, fault) as usize, "{fault:?}");
        let opened = flow.app.upstream_registrations();
        assert!(
            opened <= usize::from(account_may_exist),
            "{fault:?}: {opened} accounts"
        );

        // Sending the form again: a new registration after a refusal, nothing after a doubt.
        let again = form_with_key(&form.idempotency_key);
        let next = flow.app.attempt("register", &again).await;
        if status == RegistrationStatus::Failed {
            assert!(matches!(next, Ok(Screen::Verify(_))), "{fault:?}: {next:?}");
            assert_eq!(flow.app.upstream_registrations(), 1, "{fault:?}");
        } else {
            assert!(message(&next).contains(UNKNOWN), "{fault:?}: {next:?}");
            assert_eq!(
                flow.app.upstream_requests(Endpoint::Register),
                sent,
                "{fault:?}"
            );
        }
    }
}

#[tokio::test]
async fn send_code_faults() {
    for fault in FAULTS {
        let mut flow = start().await;
        flow.app.call("register", &form_with_key(&flow.key)).await;
        flow.inject(Endpoint::SendCode, fault);
        let typed = "512.111.2222";
        let answer = flow.app.attempt("send_code", &[("phone", typed)]).await;

        let expected = match fault {
            Fault::InternalError | Fault::Unavailable | Fault::MalformedBody => TROUBLE,
            Fault::RateLimited => RATE_LIMITED,
            _ => NO_ANSWER,
        };
        assert!(message(&answer).contains(expected), "{fault:?}: {answer:?}");
        let Screen::Verify(verify) = support::screen_in(&flow.app.page().await) else {
            panic!("{fault:?}: still the SMS step");
        };
        assert_eq!(verify.phone, typed, "{fault:?}: the phone as typed is kept");
        assert_eq!(
            flow.status().await,
            RegistrationStatus::Registered,
            "{fault:?}"
        );
        let sent = flow.app.upstream_requests(Endpoint::SendCode);
        assert_eq!(sent, times(Endpoint::SendCode, fault) as usize, "{fault:?}");
        assert_eq!(
            flow.app.upstream_requests(Endpoint::Register),
            1,
            "{fault:?}"
        );
        assert_eq!(flow.app.upstream_registrations(), 1, "{fault:?}");

        let retry = flow.app.attempt("send_code", &[("phone", typed)]).await;
        assert!(message(&retry).is_empty(), "{fault:?}: {retry:?}");
        assert_eq!(
            flow.status().await,
            RegistrationStatus::CodeSent,
            "{fault:?}"
        );
    }
}

#[tokio::test]
async fn verify_code_faults() {
    for fault in FAULTS {
        let mut flow = start().await;
        flow.app.call("register", &form_with_key(&flow.key)).await;
        flow.app.call("send_code", &[("phone", "5121112222")]).await;
        flow.inject(Endpoint::VerifyCode, fault);
        let answer = flow.app.attempt("verify_code", &[("code", "123456")]).await;

        let expected = match fault {
            Fault::InternalError | Fault::Unavailable | Fault::MalformedBody => TROUBLE,
            Fault::RateLimited => RATE_LIMITED,
            _ => NO_ANSWER,
        };
        assert!(message(&answer).contains(expected), "{fault:?}: {answer:?}");
        let Screen::Verify(verify) = support::screen_in(&flow.app.page().await) else {
            panic!("{fault:?}: still the SMS step");
        };
        assert!(
            verify.code_sent_to.is_some(),
            "{fault:?}: the code sent is still there"
        );
        assert_eq!(
            flow.status().await,
            RegistrationStatus::CodeSent,
            "{fault:?}"
        );
        let sent = flow.app.upstream_requests(Endpoint::VerifyCode);
        assert_eq!(
            sent,
            times(Endpoint::VerifyCode, fault) as usize,
            "{fault:?}"
        );
        assert_eq!(flow.app.upstream_registrations(), 1, "{fault:?}");

        // The same code again, once ShipEngine is back: the check is idempotent.
        let retry = flow.app.call("verify_code", &[("code", "123456")]).await;
        assert!(matches!(retry, Screen::Done(_)), "{fault:?}: {retry:?}");
        assert_eq!(
            flow.status().await,
            RegistrationStatus::Verified,
            "{fault:?}"
        );
    }
}

#[tokio::test]
async fn one_transient_failure_is_absorbed_by_a_retry() {
    let mut flow = start().await;
    let simulator = &flow.app.simulator.simulator;
    simulator.inject_fault(Endpoint::Register, Fault::RateLimited, 1);
    simulator.inject_fault(Endpoint::SendCode, Fault::RateLimited, 1);
    simulator.inject_fault(Endpoint::VerifyCode, Fault::DropConnection, 1);

    let registered = flow.app.call("register", &form_with_key(&flow.key)).await;
    assert!(matches!(registered, Screen::Verify(_)), "{registered:?}");
    let sent = flow.app.call("send_code", &[("phone", "5121112222")]).await;
    assert!(
        matches!(&sent, Screen::Verify(s) if s.code_sent_to.is_some()),
        "{sent:?}"
    );
    let done = flow.app.call("verify_code", &[("code", "123456")]).await;
    assert!(matches!(done, Screen::Done(_)), "{done:?}");

    for endpoint in [Endpoint::Register, Endpoint::SendCode, Endpoint::VerifyCode] {
        assert_eq!(flow.app.upstream_requests(endpoint), 2, "{endpoint:?}");
    }
    assert_eq!(flow.app.upstream_registrations(), 1);
    assert_eq!(flow.status().await, RegistrationStatus::Verified);
}
