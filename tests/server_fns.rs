//! The three server functions over HTTP, against a simulator on an ephemeral port: what they
//! send upstream (asserted from the simulator's record), and what the merchant gets back.

mod support;
use support::POSTCARD;

use axum::http::StatusCode;
use serde_json::json;
use stamps_connect::error::{AppError, UpstreamProblem};
use stamps_connect::fields::FieldProblem;
use stamps_connect::i18n::Locale;
use stamps_connect::registration::RegistrationField;
use stamps_connect::screen::Screen;
use stamps_connect::simulator::{Endpoint, Fault};
use stamps_connect::verification::VerificationField;
use support::{API_KEY, TestApp, body_bytes, registration_form};

fn carrier_path(path: &str) -> String {
    // se-123 and vfn_abc vary per run.
    path.split('/')
        .map(|part| match part {
            p if p.starts_with("se-") => ":carrier_id",
            p if p.starts_with("vfn_") => ":verification_id",
            p => p,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn the_whole_flow_sends_exactly_the_documented_json_with_the_key() {
    let mut app = TestApp::start().await;

    let Screen::Verify(verify) = app.call("register", &registration_form()).await else {
        panic!("registration should lead to the SMS step");
    };
    assert_eq!(verify.nickname, "My Stamps.com account");
    assert_eq!(
        verify.phone, "(512) 111-2222",
        "prefilled from the address phone"
    );
    assert_eq!(verify.code_sent_to, None);

    let Screen::Verify(sent) = app.call("send_code", &[("phone", "512.111.2222")]).await else {
        panic!("sending a code stays on the SMS step");
    };
    assert_eq!(sent.code_sent_to.as_deref(), Some("(•••) •••-2222"));

    let Screen::Done(done) = app.call("verify_code", &[("code", "123 456")]).await else {
        panic!("the right code finishes the flow");
    };
    assert_eq!(done.nickname, "My Stamps.com account");
    assert!(done.carrier_id.starts_with("se-"), "{}", done.carrier_id);

    let received = app.simulator.simulator.requests();
    let calls: Vec<_> = received
        .iter()
        .map(|r| format!("{} {}", r.method, carrier_path(&r.path)))
        .collect();
    assert_eq!(
        calls,
        [
            "POST /v1/addresses/validate",
            "POST /v1/registration/stamps_com",
            "POST /v1/connections/carriers/stamps_com/:carrier_id/verification",
            "PUT /v1/connections/carriers/stamps_com/:carrier_id/verification/:verification_id",
            // The done screen's balance.
            "GET /v1/carriers/:carrier_id",
        ]
    );
    assert!(
        received
            .iter()
            .all(|r| r.api_key.as_deref() == Some(API_KEY))
    );
    // Every call with a body sends it as JSON (the balance's GET has none).
    assert!(received.iter().filter(|r| r.method != "GET").all(|r| {
        r.headers
            .iter()
            .any(|(name, value)| name == "content-type" && value == "application/json")
    }));
    // The address alone is checked with USPS: no name, phone or card.
    assert_eq!(
        received[0].body,
        json!([{
            "address_line1": "4009 Marathon Blvd",
            "address_line2": "Ste 300",
            "city_locality": "Austin",
            "state_province": "TX",
            "postal_code": "78756",
            "country_code": "US"
        }])
    );
    assert_eq!(
        received[1].body,
        json!({
            "nickname": "My Stamps.com account",
            "email": "john.doe@example.com",
            "agree_to_carrier_terms": true,
            "address": {
                "name": "John Doe",
                "phone": "5121112222",
                "company_name": "Example Corp.",
                "address_line1": "4009 Marathon Blvd",
                "address_line2": "Ste 300",
                "city_locality": "Austin",
                "state_province": "TX",
                "postal_code": "78756",
                "country_code": "US",
                "address_residential_indicator": "no"
            },
            "credit_card": {
                "name": "my credit card",
                "number": "4111111111111111",
                "type": "visa",
                "expiration_year": "2035",
                "expiration_month": "07"
            }
        })
    );
    assert_eq!(
        received[2].body,
        json!({"phone": "5121112222", "verification_type": "sms"})
    );
    assert_eq!(received[3].body, json!({"verification_code": "123456"}));
    // The carrier the code went to is the one registered.
    let carrier = &done.carrier_id;
    assert!(
        received[2].path.contains(carrier.as_str()) && received[3].path.contains(carrier.as_str())
    );
}

#[tokio::test]
async fn optional_fields_left_blank_are_not_sent() {
    let mut app = TestApp::start().await;
    let form: Vec<_> = registration_form()
        .into_iter()
        .map(|(k, v)| {
            if k == "company_name" || k == "address_line2" {
                (k, "")
            } else {
                (k, v)
            }
        })
        .collect();
    app.call("register", &form).await;
    let requests = app.simulator.simulator.requests();
    let register = requests
        .iter()
        .find(|r| r.endpoint == Some(Endpoint::Register))
        .expect("registered");
    let body = &register.body;
    assert!(body["address"].get("company_name").is_none(), "{body}");
    assert!(body["address"].get("address_line2").is_none(), "{body}");
}

#[tokio::test]
async fn invalid_input_never_reaches_shipengine_and_keeps_what_was_typed() {
    let mut app = TestApp::start().await;
    let form: Vec<_> = registration_form()
        .into_iter()
        .map(|(k, v)| match k {
            "postal_code" => (k, "7875"),
            "card_number" => (k, "4111 1111 1111 1112"),
            _ => (k, v),
        })
        .collect();
    let refused = app.attempt("register", &form).await;
    let Err(AppError::Invalid(errors)) = &refused else {
        panic!("{refused:?}")
    };
    assert!(errors.get(RegistrationField::PostalCode).is_some());
    assert!(errors.get(RegistrationField::CardNumber).is_some());
    let page = app.page().await;
    assert!(page.contains(r#"value="john.doe@example.com""#), "{page}");
    assert!(page.contains(r#"value="7875""#));
    let Screen::Register(form) = support::screen_in(&page) else {
        panic!("the form")
    };
    assert_eq!(
        form.draft.card_number, "",
        "the card number is never sent back"
    );
    assert_eq!(form.draft.postal_code, "7875");
    assert!(app.simulator.simulator.requests().is_empty());
}

#[tokio::test]
async fn shipengine_refusing_is_a_summary_with_the_reference_and_keeps_the_draft() {
    let mut app = TestApp::start().await;
    app.simulator
        .simulator
        .inject_fault(Endpoint::Register, Fault::Refused, 1);
    let refused = app.attempt("register", &registration_form()).await;
    let Err(AppError::Upstream { problem, reference }) = &refused else {
        panic!("a refusal keeps the merchant on the form: {refused:?}")
    };
    assert_eq!(*problem, UpstreamProblem::DetailsRefused);
    let message = Locale::En.upstream_problem(*problem);
    assert!(
        message.contains("ShipEngine could not accept these details"),
        "{message}"
    );
    let reference = reference
        .as_deref()
        .expect("the upstream request id as reference");
    assert_eq!(reference.len(), 36);
    let page = app.page().await;
    assert!(page.contains(r#"value="My Stamps.com account""#), "{page}");
}

#[tokio::test]
async fn a_wrong_code_is_a_field_error_and_the_right_one_still_works() {
    let mut app = TestApp::start().await;
    app.call("register", &registration_form()).await;
    app.call("send_code", &[("phone", "(512) 111-2222")]).await;

    let wrong = app.attempt("verify_code", &[("code", "000000")]).await;
    let Err(AppError::Invalid(errors)) = &wrong else {
        panic!("a wrong code is a field error: {wrong:?}")
    };
    let problem = errors.get(VerificationField::Code).unwrap();
    assert_eq!(problem, FieldProblem::CodeWrong);
    assert!(Locale::En.field_problem(problem).contains("not right"));

    assert!(matches!(
        app.call("verify_code", &[("code", "123456")]).await,
        Screen::Done(_)
    ));
}

#[tokio::test]
async fn steps_cannot_be_skipped() {
    let mut app = TestApp::start().await;
    // No registration yet: sending or verifying a code does nothing upstream.
    assert!(matches!(
        app.call("send_code", &[("phone", "5121112222")]).await,
        Screen::Register(_)
    ));
    assert!(matches!(
        app.call("verify_code", &[("code", "123456")]).await,
        Screen::Register(_)
    ));
    assert!(app.simulator.simulator.requests().is_empty());
}

#[tokio::test]
async fn a_plain_form_post_is_redirected_to_the_page_which_shows_the_outcome() {
    let mut app = TestApp::start().await;
    let mut form = registration_form();
    form.retain(|(k, _)| *k != "agree_to_carrier_terms");
    let response = app
        .post("register", &form, "text/html,application/xhtml+xml")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/");

    let page = app.page().await;
    assert!(
        page.contains("There is a problem"),
        "the summary is rendered"
    );
    assert!(
        page.contains("Agree to the Stamps.com terms"),
        "the field error is rendered"
    );
    assert!(
        page.contains(r#"value="john.doe@example.com""#),
        "typed values are kept"
    );
    support::assert_no_card_number(&page);
    assert!(page.contains("please enter it again"));

    // The error is shown once; the values stay.
    let again = app.page().await;
    assert!(!again.contains("There is a problem"));
    assert!(again.contains(r#"value="john.doe@example.com""#));
}

#[tokio::test]
async fn the_page_renders_the_step_the_session_is_on() {
    let mut app = TestApp::start().await;
    assert!(
        app.page()
            .await
            .contains("Open your free Stamps.com account")
    );
    app.call("register", &registration_form()).await;
    let page = app.page().await;
    assert!(page.contains("Confirm your phone number"));
    assert!(page.contains(r#"value="(512) 111-2222""#));
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_refused_without_an_upstream_call() {
    let mut app = TestApp::start().await;
    let response = app
        .post("register", &[("nickname[nested]", "1")], POSTCARD)
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error: AppError = postcard::from_bytes(&body_bytes(response).await).unwrap();
    assert_eq!(error, AppError::BadRequest);
    assert!(app.simulator.simulator.requests().is_empty());
}

#[tokio::test]
async fn a_plain_form_post_the_function_cannot_read_comes_back_with_a_message() {
    let mut app = TestApp::start().await;
    app.call("register", &registration_form()).await;
    // The fields of no function: what a hand-made or cut-off form would send.
    let response = app
        .post("send_code", &[("telephone", "5121112222")], "text/html")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page().await;
    assert!(
        page.contains("We could not read that request. Please try again."),
        "{page}"
    );
    assert!(
        app.simulator
            .simulator
            .requests()
            .iter()
            .all(|r| r.endpoint != Some(Endpoint::SendCode))
    );
    // Said once: a reload shows the step as it is.
    assert!(!app.page().await.contains("We could not read that request"));
}

#[tokio::test]
async fn after_a_failed_different_number_without_javascript_a_new_code_goes_to_the_last_number() {
    let mut app = TestApp::start_with(&[("LIMIT_RESEND_COOLDOWN_SECS", "0")]).await;
    app.call("register", &registration_form()).await;
    app.call("send_code", &[("phone", "5121112222")]).await;
    let response = app
        .post("send_code", &[("phone", "555")], "text/html")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page().await;
    assert!(
        page.contains(r#"<input type="hidden" name="phone" value="(512) 111-2222""#),
        "the resend form keeps the number the code went to: {page}"
    );
    assert!(
        page.contains(r#"value="555""#),
        "what was typed is kept: {page}"
    );
}
