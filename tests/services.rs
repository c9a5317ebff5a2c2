//! The domain services of the two steps, driven without HTTP: a flow over a session of the
//! app's own store, the state, an address. What reaches ShipEngine is the simulator's record.

mod support;

use std::net::IpAddr;
use std::sync::Arc;

use stamps_connect::error::AppError;
use stamps_connect::registration::{self, RegistrationForm};
use stamps_connect::screen::Screen;
use stamps_connect::server::storage::SessionStores;
use stamps_connect::server::{Flow, FlowOwner};
use stamps_connect::simulator::Endpoint;
use stamps_connect::verification;
use support::{TestApp, registration_form};
use tower_sessions::Session;

#[tokio::test]
async fn a_whole_flow_runs_through_the_services_without_http() {
    let app = TestApp::start_with(&[("LIMIT_RESEND_COOLDOWN_SECS", "0")]).await;
    let state = &app.state;
    let SessionStores::Sqlite(store) = state.database.session_store() else {
        unreachable!("the test app runs on SQLite")
    };
    let session = Session::new(None, Arc::new(store), None);
    let owner = FlowOwner::of(&"5a".repeat(32));
    let ip: IpAddr = "203.0.113.7".parse().unwrap();
    // Each call gets the flow as a request would, and its session is saved as the response's.
    let flow = || Flow::from_session(session.clone(), owner.clone(), false, state);

    let mut form: RegistrationForm =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(registration_form()).unwrap())
            .unwrap();
    form.idempotency_key = uuid::Uuid::new_v4().to_string();
    let screen = registration::service::register(state, flow().await.unwrap(), ip, &form)
        .await
        .unwrap();
    assert!(matches!(screen, Screen::Verify(_)), "{screen:?}");
    session.save().await.unwrap();

    let screen = verification::service::send_code(state, flow().await.unwrap(), ip, "5121112222")
        .await
        .unwrap();
    let Screen::Verify(step) = screen else {
        panic!("on the code step")
    };
    assert_eq!(step.code_sent_to.as_deref(), Some("(•••) •••-2222"));
    session.save().await.unwrap();

    let wrong =
        verification::service::verify_code(state, flow().await.unwrap(), ip, "000000").await;
    assert!(matches!(wrong, Err(AppError::Invalid(_))), "{wrong:?}");
    session.save().await.unwrap();

    let screen = verification::service::verify_code(state, flow().await.unwrap(), ip, "123456")
        .await
        .unwrap();
    assert!(matches!(screen, Screen::Done(_)), "{screen:?}");
    for (endpoint, calls) in [
        (Endpoint::Register, 1),
        (Endpoint::SendCode, 1),
        (Endpoint::VerifyCode, 2),
    ] {
        assert_eq!(app.upstream_requests(endpoint), calls, "{endpoint:?}");
    }
}
