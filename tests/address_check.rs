//! The USPS check of the merchant's address before registering (issue 14): through the app's
//! HTTP interface, against the simulator's address rules (README, "The calls around the
//! account"), on SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL. What reached ShipEngine is
//! read from the simulator's record.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use leptos::config::LeptosOptions;
use serde_json::{Value, json};
use stamps_connect::error::AppError;
use stamps_connect::fields::FieldProblem;
use stamps_connect::registration::{
    AddressCheck, AddressDecision, AddressPart, PostalAddress, RegisterScreen, RegistrationField,
};
use stamps_connect::screen::Screen;
use stamps_connect::simulator::{Endpoint, Fault};
use support::databases::TestDatabase;
use support::{TestApp, body_bytes, registration_form, screen_in};

async fn start_on(database: TestDatabase, vars: &[(&str, &str)]) -> TestApp {
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    TestApp::start_on(database, vars, options).await
}

/// The guide's merchant with `changes` typed instead.
fn form_with(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut form = registration_form();
    for (name, value) in changes {
        form.retain(|(field, _)| field != name);
        form.push((name, value));
    }
    form
}

/// An address USPS writes differently: "Boulevard" and "Suite" are abbreviated.
const SPELLED_OUT: &[(&str, &str)] = &[
    ("address_line1", "4009 Marathon Boulevard"),
    ("address_line2", "Suite 300"),
];

fn register_screen(screen: Screen) -> RegisterScreen {
    match screen {
        Screen::Register(screen) => screen,
        other => panic!("the form again, not {other:?}"),
    }
}

/// The body of the registration ShipEngine received (the only one).
fn registered_address(app: &TestApp) -> Value {
    let requests = app.simulator.simulator.requests();
    let registrations: Vec<_> = requests
        .iter()
        .filter(|r| r.endpoint == Some(Endpoint::Register))
        .collect();
    assert_eq!(registrations.len(), 1, "one registration upstream");
    registrations[0].body["address"].clone()
}

async fn readyz_details(app: &mut TestApp) -> Value {
    let response = app
        .send(
            Request::get("/readyz")
                .header(header::ACCEPT, "application/json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the check never fails readiness"
    );
    serde_json::from_slice(&body_bytes(response).await).unwrap()
}

#[tokio::test]
async fn an_address_usps_has_as_typed_registers_at_once() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        // Typed in lower case, with ZIP 78756: USPS answers in capitals with the ZIP+4.
        let form = form_with(&[("city_locality", "austin"), ("address_line2", "ste. 300")]);
        let screen = app.call("register", &form).await;
        assert!(matches!(screen, Screen::Verify(_)), "{backend}: {screen:?}");
        assert_eq!(
            app.upstream_requests(Endpoint::ValidateAddresses),
            1,
            "{backend}"
        );
        let address = registered_address(&app);
        assert_eq!(address["city_locality"], "austin", "{backend}: as typed");
        assert_eq!(address["postal_code"], "78756", "{backend}");
        assert_eq!(
            readyz_details(&mut app).await,
            json!({"status": "ready", "details": {"address_validation": "on"}})
        );
    }
}

#[tokio::test]
async fn a_corrected_address_is_offered_and_nothing_is_sent_or_counted() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        // One registration per address: asking about the address three times spends none.
        let mut app = start_on(database, &[("LIMIT_REGISTRATIONS_PER_IP", "1")]).await;
        for _ in 0..3 {
            let screen = register_screen(app.call("register", &form_with(SPELLED_OUT)).await);
            let Some(AddressCheck::Suggestion {
                typed,
                matched,
                differs,
            }) = &screen.address_check
            else {
                panic!("{backend}: a suggestion, not {:?}", screen.address_check);
            };
            assert_eq!(typed.address_line1, "4009 Marathon Boulevard", "{backend}");
            assert_eq!(
                *matched,
                PostalAddress {
                    address_line1: "4009 MARATHON BLVD".into(),
                    address_line2: "STE 300".into(),
                    city_locality: "AUSTIN".into(),
                    state_province: "TX".into(),
                    postal_code: "78756-3915".into(),
                },
                "{backend}"
            );
            assert_eq!(
                differs,
                &[AddressPart::Line1, AddressPart::Line2],
                "{backend}"
            );
            assert_eq!(screen.error, None, "{backend}: a choice, not an error");
            assert_eq!(screen.draft.address_line1, "4009 Marathon Boulevard");
            assert_eq!(screen.draft.card_number, "", "{backend}: never kept");
            assert_eq!(
                screen.draft.address_decision,
                AddressDecision::UseUsps,
                "{backend}: the USPS address is offered first"
            );
        }
        assert_eq!(app.upstream_requests(Endpoint::Register), 0, "{backend}");
        assert_eq!(app.upstream_registrations(), 0, "{backend}");
        // A reload shows the same choice.
        let page = app.page().await;
        assert!(
            register_screen(screen_in(&page)).address_check.is_some(),
            "{backend}"
        );

        let chosen = form_with(&[SPELLED_OUT, &[("address_decision", "as_typed")]].concat());
        let screen = app.call("register", &chosen).await;
        assert!(
            matches!(screen, Screen::Verify(_)),
            "{backend}: not limited"
        );
    }
}

#[tokio::test]
async fn choosing_the_usps_address_registers_the_matched_address() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        register_screen(app.call("register", &form_with(SPELLED_OUT)).await);
        let chosen = form_with(&[SPELLED_OUT, &[("address_decision", "usps")]].concat());
        let screen = app.call("register", &chosen).await;
        assert!(matches!(screen, Screen::Verify(_)), "{backend}: {screen:?}");
        // The suggestion shown (kept by the server, never taken from the browser): one check.
        assert_eq!(
            app.upstream_requests(Endpoint::ValidateAddresses),
            1,
            "{backend}"
        );
        let address = registered_address(&app);
        assert_eq!(address["address_line1"], "4009 MARATHON BLVD", "{backend}");
        assert_eq!(address["address_line2"], "STE 300", "{backend}");
        assert_eq!(address["city_locality"], "AUSTIN", "{backend}");
        assert_eq!(address["postal_code"], "78756-3915", "{backend}");
        // The rest is as typed.
        assert_eq!(address["name"], "John Doe", "{backend}");
    }
}

#[tokio::test]
async fn the_usps_address_chosen_while_the_check_is_down_is_the_one_shown() {
    let mut app = start_on(TestDatabase::sqlite(), &[]).await;
    register_screen(app.call("register", &form_with(SPELLED_OUT)).await);
    app.simulator
        .simulator
        .inject_fault(Endpoint::ValidateAddresses, Fault::Unavailable, 5);
    let chosen = form_with(&[SPELLED_OUT, &[("address_decision", "usps")]].concat());
    let screen = app.call("register", &chosen).await;
    assert!(matches!(screen, Screen::Verify(_)), "{screen:?}");
    assert_eq!(
        registered_address(&app)["address_line1"],
        "4009 MARATHON BLVD"
    );
}

#[tokio::test]
async fn keeping_the_address_as_typed_registers_it_without_another_check() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        register_screen(app.call("register", &form_with(SPELLED_OUT)).await);
        let kept = form_with(&[SPELLED_OUT, &[("address_decision", "as_typed")]].concat());
        let screen = app.call("register", &kept).await;
        assert!(matches!(screen, Screen::Verify(_)), "{backend}: {screen:?}");
        assert_eq!(
            app.upstream_requests(Endpoint::ValidateAddresses),
            1,
            "{backend}"
        );
        let address = registered_address(&app);
        assert_eq!(
            address["address_line1"], "4009 Marathon Boulevard",
            "{backend}"
        );
        assert_eq!(address["address_line2"], "Suite 300", "{backend}");
    }
}

#[tokio::test]
async fn a_decision_counts_only_for_the_address_it_was_shown_for() {
    let mut app = start_on(TestDatabase::sqlite(), &[]).await;
    // Never shown a check: "I'm sure" and "use USPS" posted by hand are no decision.
    for decision in ["as_typed", "usps"] {
        app.cookie = None;
        let posted = form_with(&[SPELLED_OUT, &[("address_decision", decision)]].concat());
        let screen = register_screen(app.call("register", &posted).await);
        assert!(screen.address_check.is_some(), "{decision}");
    }
    // Shown a check, then the address changed: the new one is checked.
    let other = form_with(
        &[
            SPELLED_OUT,
            &[("postal_code", "78701"), ("address_decision", "usps")],
        ]
        .concat(),
    );
    let screen = register_screen(app.call("register", &other).await);
    let Some(AddressCheck::Suggestion { matched, .. }) = screen.address_check else {
        panic!("the new address is checked");
    };
    assert_eq!(matched.postal_code, "78701");
    assert_eq!(app.upstream_registrations(), 0);
}

#[tokio::test]
async fn an_unconfirmed_address_puts_the_problems_on_its_fields_then_im_sure_registers() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        // A ZIP code USPS does not know: `unverified`.
        let unknown_zip = form_with(&[("postal_code", "73301")]);
        let screen = register_screen(app.call("register", &unknown_zip).await);
        assert!(
            matches!(screen.address_check, Some(AddressCheck::Unconfirmed { .. })),
            "{backend}"
        );
        let Some(AppError::Invalid(problems)) = &screen.error else {
            panic!(
                "{backend}: the problems on the fields, not {:?}",
                screen.error
            );
        };
        assert_eq!(
            problems.get(RegistrationField::PostalCode),
            Some(FieldProblem::UspsZipUnknown),
            "{backend}"
        );
        assert_eq!(screen.draft.address_decision, AddressDecision::Unset);
        assert_eq!(app.upstream_registrations(), 0, "{backend}");

        // A street USPS cannot find: `error`, on the first line.
        app.cookie = None;
        let not_found = form_with(&[("address_line1", "1 Undeliverable Way")]);
        let screen = register_screen(app.call("register", &not_found).await);
        assert_eq!(
            screen
                .error
                .as_ref()
                .and_then(AppError::field_errors)
                .and_then(|e| e.get(RegistrationField::AddressLine1)),
            Some(FieldProblem::UspsAddressNotFound),
            "{backend}"
        );

        // USPS data lags new addresses: the merchant is sure, and it is registered as typed.
        let sure = form_with(&[
            ("address_line1", "1 Undeliverable Way"),
            ("address_decision", "as_typed"),
        ]);
        let screen = app.call("register", &sure).await;
        assert!(matches!(screen, Screen::Verify(_)), "{backend}: {screen:?}");
        assert_eq!(
            registered_address(&app)["address_line1"],
            "1 Undeliverable Way",
            "{backend}"
        );
    }
}

#[tokio::test]
async fn without_javascript_the_choice_is_the_page_after_the_redirect() {
    let mut app = start_on(TestDatabase::sqlite(), &[]).await;
    let response = app
        .post("register", &form_with(SPELLED_OUT), "text/html")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page().await;
    assert!(
        page.contains("We found this address in USPS records"),
        "{page}"
    );
    assert!(page.contains("<mark>4009 MARATHON BLVD</mark>"), "{page}");
    assert!(
        page.contains("<mark>4009 Marathon Boulevard</mark>"),
        "{page}"
    );
    assert!(
        page.contains(r#"id="address-usps" name="address_decision" value="usps" checked"#),
        "the USPS address is chosen unless the merchant picks the other: {page}"
    );
    // The card number is never rendered back: the page says why it is blank.
    assert!(page.contains(r#"id="card-cleared""#), "{page}");

    let chosen = form_with(&[SPELLED_OUT, &[("address_decision", "usps")]].concat());
    let response = app.post("register", &chosen, "text/html").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(matches!(screen_in(&app.page().await), Screen::Verify(_)));
    assert_eq!(
        registered_address(&app)["address_line1"],
        "4009 MARATHON BLVD"
    );
}

#[tokio::test]
async fn a_plan_without_validation_never_blocks_and_readyz_says_so() {
    let logs = support::logs::captured();
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[]).await;
        app.simulator
            .simulator
            .set_address_validation_allowed(false);
        let logged = || {
            logs.text()
                .lines()
                .filter(|line| {
                    line.contains("address validation unavailable") && line.contains("plan")
                })
                .count()
        };
        let before = logged();
        for _ in 0..2 {
            // A new merchant each time, with an address USPS would have corrected.
            app.cookie = None;
            let screen = app.call("register", &form_with(SPELLED_OUT)).await;
            assert!(matches!(screen, Screen::Verify(_)), "{backend}: {screen:?}");
        }
        assert_eq!(app.upstream_registrations(), 2, "{backend}");
        assert_eq!(
            logged() - before,
            1,
            "{backend}: logged once, not per merchant"
        );
        assert_eq!(
            readyz_details(&mut app).await,
            json!({"status": "ready", "details": {"address_validation": "unavailable: plan"}}),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn an_outage_of_the_check_never_blocks() {
    let mut app = start_on(TestDatabase::sqlite(), &[]).await;
    app.simulator
        .simulator
        .inject_fault(Endpoint::ValidateAddresses, Fault::Unavailable, 5);
    let screen = app.call("register", &form_with(SPELLED_OUT)).await;
    assert!(matches!(screen, Screen::Verify(_)), "{screen:?}");
    assert_eq!(
        readyz_details(&mut app).await["details"]["address_validation"],
        "unavailable: upstream error"
    );
}

#[tokio::test]
async fn switched_off_no_check_reaches_shipengine() {
    let mut app = start_on(TestDatabase::sqlite(), &[("ADDRESS_VALIDATION", "off")]).await;
    let screen = app.call("register", &form_with(SPELLED_OUT)).await;
    assert!(matches!(screen, Screen::Verify(_)), "{screen:?}");
    assert_eq!(app.upstream_requests(Endpoint::ValidateAddresses), 0);
    assert_eq!(
        registered_address(&app)["address_line1"],
        "4009 Marathon Boulevard"
    );
    assert_eq!(
        readyz_details(&mut app).await["details"]["address_validation"],
        "off"
    );
    // The plain answer is unchanged for an orchestrator.
    let response = app
        .send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(body_bytes(response).await, b"ready");
}

#[tokio::test]
async fn past_the_limit_of_checks_per_ip_the_registration_goes_on_unchecked() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database, &[("LIMIT_ADDRESS_CHECKS_PER_IP", "1")]).await;
        register_screen(app.call("register", &form_with(SPELLED_OUT)).await);
        // Sent again without a choice: a second check would be the second from this IP.
        let screen = app.call("register", &form_with(SPELLED_OUT)).await;
        assert!(matches!(screen, Screen::Verify(_)), "{backend}: {screen:?}");
        assert_eq!(
            app.upstream_requests(Endpoint::ValidateAddresses),
            1,
            "{backend}"
        );
        assert_eq!(
            registered_address(&app)["address_line1"],
            "4009 Marathon Boulevard",
            "{backend}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_limit_of_checks_per_ip_holds_under_simultaneous_forms() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let app = start_on(database, &[("LIMIT_ADDRESS_CHECKS_PER_IP", "3")]).await;
        // Twelve browsers from one address send a form USPS would correct, all at once.
        let posts: Vec<_> = (0..12)
            .map(|_| {
                let mut browser = support::Browser {
                    cookie: None,
                    ..app.same_browser()
                };
                tokio::spawn(async move {
                    let _ = browser.attempt("register", &form_with(SPELLED_OUT)).await;
                })
            })
            .collect();
        for post in posts {
            post.await.unwrap();
        }
        assert_eq!(
            app.upstream_requests(Endpoint::ValidateAddresses),
            3,
            "{backend}"
        );
    }
}
