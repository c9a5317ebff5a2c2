//! The flow belongs to one browser: the carrier and verification ids live in its session, and a
//! request from another browser, or a body naming another carrier, acts on nothing but its own.

mod support;
use support::POSTCARD;

use stamps_connect::screen::Screen;
use support::{TestApp, body_bytes, registration_form};

/// Ids in a simulator path: `…/stamps_com/se-1/verification/vfn_2`.
fn ids_in(path: &str) -> (String, Option<String>) {
    let part = |prefix: &str| {
        path.split('/')
            .find(|part| part.starts_with(prefix))
            .map(str::to_owned)
    };
    (part("se-").unwrap(), part("vfn_"))
}

/// This browser registers, gets a code and enters a wrong one: its carrier and verification ids,
/// as ShipEngine received them.
async fn waiting_for_the_right_code(app: &mut TestApp) -> (String, String) {
    app.call("register", &registration_form()).await;
    app.call("send_code", &[("phone", "5121112222")]).await;
    app.attempt("verify_code", &[("code", "000000")])
        .await
        .expect_err("a wrong code");
    let put = app.simulator.simulator.requests().pop().unwrap();
    let (carrier_id, verification_id) = ids_in(&put.path);
    (carrier_id, verification_id.unwrap())
}

#[tokio::test]
async fn another_browser_naming_the_carrier_sends_and_verifies_nothing() {
    let mut app = TestApp::start().await;
    let (carrier_id, verification_id) = waiting_for_the_right_code(&mut app).await;
    let first_browser = app.cookie.take();
    app.simulator.simulator.clear_requests();

    let forged_ids = [
        ("carrier_id", carrier_id.as_str()),
        ("verification_id", verification_id.as_str()),
    ];
    let send = [&[("phone", "5125550000")], &forged_ids[..]].concat();
    let verify = [&[("code", "123456")], &forged_ids[..]].concat();
    for accept in [POSTCARD, "text/html"] {
        app.cookie = None;
        app.post("send_code", &send, accept).await;
        app.post("verify_code", &verify, accept).await;
    }
    assert!(matches!(
        app.call("send_code", &send).await,
        Screen::Register(_)
    ));
    assert!(matches!(
        app.call("verify_code", &verify).await,
        Screen::Register(_)
    ));
    assert_eq!(
        app.simulator.simulator.requests(),
        [],
        "nothing reached ShipEngine"
    );

    // The first browser's flow is untouched.
    app.cookie = first_browser;
    assert!(matches!(
        app.call("verify_code", &[("code", "123456")]).await,
        Screen::Done(_)
    ));
}

#[tokio::test]
async fn a_body_naming_another_carrier_acts_on_the_sessions_own() {
    let mut app = TestApp::start().await;
    let (victim_carrier, victim_verification) = waiting_for_the_right_code(&mut app).await;

    // A second merchant, on their own flow, names the first one's ids in every body.
    app.cookie = None;
    let forged_ids = [
        ("carrier_id", victim_carrier.as_str()),
        ("verification_id", victim_verification.as_str()),
    ];
    app.call(
        "register",
        &[registration_form(), forged_ids.to_vec()].concat(),
    )
    .await;
    app.simulator.simulator.clear_requests();
    app.call(
        "send_code",
        &[&[("phone", "5123334444")], &forged_ids[..]].concat(),
    )
    .await;
    app.attempt(
        "verify_code",
        &[&[("code", "000000")], &forged_ids[..]].concat(),
    )
    .await
    .expect_err("a wrong code");

    let received = app.simulator.simulator.requests();
    assert_eq!(received.len(), 2);
    for request in &received {
        let (carrier_id, verification_id) = ids_in(&request.path);
        assert_ne!(carrier_id, victim_carrier, "{}", request.path);
        assert_ne!(
            verification_id.as_deref(),
            Some(victim_verification.as_str())
        );
    }
}

#[tokio::test]
async fn the_ids_never_reach_the_browser_before_the_account_is_done() {
    let mut app = TestApp::start().await;
    app.call("register", &registration_form()).await;
    let sent = app
        .post("send_code", &[("phone", "5121112222")], POSTCARD)
        .await;
    let sent = String::from_utf8(body_bytes(sent).await).unwrap();
    let wrong = app
        .post("verify_code", &[("code", "000000")], POSTCARD)
        .await;
    let wrong = String::from_utf8(body_bytes(wrong).await).unwrap();
    let page = app.page().await;
    let (carrier_id, verification_id) =
        ids_in(&app.simulator.simulator.requests().pop().unwrap().path);
    for text in [&sent, &wrong, &page] {
        assert!(!text.contains(&carrier_id), "{text}");
        assert!(
            !text.contains(verification_id.as_deref().unwrap()),
            "{text}"
        );
    }
}
