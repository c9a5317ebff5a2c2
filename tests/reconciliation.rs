//! Unknown outcomes settle themselves where they can: the merchant's answer is lost, then a
//! round of the reconciliation job asks the simulator for its carriers and settles the row (or
//! leaves it for support), on SQLite and PostgreSQL.

mod support;

use std::time::{Duration, Instant};

use leptos::config::LeptosOptions;
use stamps_connect::error::AppError;
use stamps_connect::screen::Screen;
use stamps_connect::server::reconciliation::{Reconciler, RoundError, RoundOutcome};
use stamps_connect::server::storage::{
    Claim, Database, NewRegistration, RegistrationEvent, RegistrationStatus, StorageError,
};
use stamps_connect::simulator::{Endpoint, Fault};
use support::databases::TestDatabase;
use support::{TestApp, registration_form, screen_in};

/// Rounds are run by the tests, one at a time.
const JOB_OFF: &[(&str, &str)] = &[("RECONCILE", "off")];
const NICKNAME: &str = "My Stamps.com account";
const DEFAULT_GRACE: Duration = Duration::from_secs(30 * 60);

async fn start(database: TestDatabase, vars: &[(&str, &str)]) -> TestApp {
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    TestApp::start_on(database, vars, options).await
}

fn form_with_key(key: &str) -> Vec<(&str, &str)> {
    let mut form = registration_form();
    form.push(("idempotency_key", key));
    form
}

/// A row left `outcome_unknown`.
struct Lost {
    key: String,
    reference: String,
}

/// The merchant sends the form and `fault` loses the answer: `drop_answer` after the account
/// was opened, `drop_connection` before anything was.
async fn send_and_lose_the_answer(app: &mut TestApp, fault: Fault) -> Lost {
    let key = app.form_key().await;
    app.simulator
        .simulator
        .inject_fault(Endpoint::Register, fault, 1);
    let answer = app.attempt("register", &form_with_key(&key)).await;
    let Err(AppError::OutcomeUnknown { reference }) = answer else {
        panic!("the outcome is unknown: {answer:?}");
    };
    assert_eq!(
        status(&app.state.database, &key).await,
        RegistrationStatus::OutcomeUnknown
    );
    Lost { key, reference }
}

async fn status(database: &Database, key: &str) -> RegistrationStatus {
    let row = database.registration(key).await.unwrap();
    row.expect("a row").status
}

fn reconciler(app: &TestApp, grace: Duration) -> Reconciler {
    Reconciler::new(
        app.state.database.clone(),
        app.state.shipengine.clone(),
        grace,
    )
}

/// The carrier ids the simulator lists, asked as the app asks.
async fn listed_carrier_ids(app: &TestApp) -> Vec<String> {
    let listed = app.state.shipengine.list_carriers().await.unwrap();
    listed
        .carriers
        .into_iter()
        .map(|carrier| carrier.carrier_id.as_str().to_owned())
        .collect()
}

#[tokio::test]
async fn an_account_opened_whose_answer_was_lost_is_settled_and_the_merchant_continues() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start(database, JOB_OFF).await;
        let lost = send_and_lose_the_answer(&mut app, Fault::DropAnswer).await;
        let opened = listed_carrier_ids(&app).await;
        assert_eq!(opened.len(), 1, "{backend}: the simulator opened it");

        let outcome = reconciler(&app, DEFAULT_GRACE).run_round().await.unwrap();

        assert_eq!(outcome.registered, 1, "{backend}: {outcome:?}");
        let row = app.state.database.registration(&lost.key).await.unwrap();
        let row = row.expect("a row");
        assert_eq!(row.status, RegistrationStatus::Registered, "{backend}");
        assert_eq!(
            row.carrier_id.as_deref(),
            Some(opened[0].as_str()),
            "{backend}"
        );
        let audit = app.state.database.audit_of(&lost.reference).await.unwrap();
        assert_eq!(audit.len(), 1, "{backend}: {audit:?}");
        assert_eq!(
            (audit[0].actor.as_str(), audit[0].action.as_str()),
            ("reconciliation", "settled_registered"),
            "{backend}"
        );
        let page = app.page().await;
        assert!(
            matches!(screen_in(&page), Screen::Verify(_)),
            "{backend}: the merchant continues at the code step"
        );
        assert_eq!(app.upstream_registrations(), 1, "{backend}");
    }
}

#[tokio::test]
async fn no_account_after_the_grace_period_fails_and_the_merchant_sends_again() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start(database, JOB_OFF).await;
        let lost = send_and_lose_the_answer(&mut app, Fault::DropConnection).await;
        assert_eq!(app.upstream_registrations(), 0, "{backend}");

        let within = reconciler(&app, DEFAULT_GRACE).run_round().await.unwrap();
        assert_eq!(
            within,
            RoundOutcome {
                waiting: 1,
                ..RoundOutcome::default()
            },
            "{backend}"
        );
        assert_eq!(
            status(&app.state.database, &lost.key).await,
            RegistrationStatus::OutcomeUnknown,
            "{backend}: nothing yet within the grace period"
        );

        let after = reconciler(&app, Duration::ZERO).run_round().await.unwrap();
        assert_eq!(after.failed, 1, "{backend}: {after:?}");
        assert_eq!(
            status(&app.state.database, &lost.key).await,
            RegistrationStatus::Failed,
            "{backend}"
        );
        let audit = app.state.database.audit_of(&lost.reference).await.unwrap();
        assert_eq!(audit.len(), 1, "{backend}");
        assert_eq!(audit[0].action, "settled_failed", "{backend}");

        let page = app.page().await;
        let Screen::Register(form) = screen_in(&page) else {
            panic!("{backend}: the form again");
        };
        assert_ne!(
            form.idempotency_key, lost.key,
            "{backend}: a new submission"
        );
        let again = app
            .attempt("register", &form_with_key(&form.idempotency_key))
            .await;
        assert!(
            matches!(again, Ok(Screen::Verify(_))),
            "{backend}: {again:?}"
        );
        let new_row = app
            .state
            .database
            .registration(&form.idempotency_key)
            .await
            .unwrap()
            .expect("a new registration");
        assert_ne!(new_row.reference, lost.reference, "{backend}");
        assert_eq!(new_row.status, RegistrationStatus::Registered, "{backend}");
        assert_eq!(app.upstream_registrations(), 1, "{backend}");
    }
}

#[tokio::test]
async fn two_carriers_with_the_nickname_are_left_for_support_with_one_audit_entry() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start(database, JOB_OFF).await;
        let lost = send_and_lose_the_answer(&mut app, Fault::DropAnswer).await;
        let someone_elses = app.simulator.simulator.add_carrier("stamps_com", NICKNAME);

        let job = reconciler(&app, Duration::ZERO);
        for round in 1..=2 {
            let outcome = job.run_round().await.unwrap();
            assert_eq!(
                outcome,
                RoundOutcome {
                    left_for_support: 1,
                    ..RoundOutcome::default()
                },
                "{backend}: round {round}"
            );
        }

        assert_eq!(
            status(&app.state.database, &lost.key).await,
            RegistrationStatus::OutcomeUnknown,
            "{backend}"
        );
        let audit = app.state.database.audit_of(&lost.reference).await.unwrap();
        assert_eq!(
            audit.len(),
            1,
            "{backend}: once, not every round: {audit:?}"
        );
        assert_eq!(audit[0].actor, "reconciliation", "{backend}");
        assert_eq!(audit[0].action, "reconcile_ambiguous", "{backend}");
        for carrier_id in listed_carrier_ids(&app).await {
            assert!(
                audit[0].detail.contains(&carrier_id),
                "{backend}: {}",
                audit[0].detail
            );
        }
        assert!(audit[0].detail.contains(&someone_elses), "{backend}");
    }
}

#[tokio::test]
async fn a_failing_carrier_list_settles_nothing() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start(database, JOB_OFF).await;
        let lost = send_and_lose_the_answer(&mut app, Fault::DropConnection).await;
        app.simulator
            .simulator
            .inject_fault(Endpoint::ListCarriers, Fault::InternalError, 1);

        let round = reconciler(&app, Duration::ZERO).run_round().await;

        assert!(
            matches!(round, Err(RoundError::Carriers(_))),
            "{backend}: {round:?}"
        );
        assert_eq!(
            status(&app.state.database, &lost.key).await,
            RegistrationStatus::OutcomeUnknown,
            "{backend}"
        );
        let audit = app.state.database.audit_of(&lost.reference).await.unwrap();
        assert!(audit.is_empty(), "{backend}: {audit:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_running_at_once_settle_a_row_once() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start(database, JOB_OFF).await;
        let lost = send_and_lose_the_answer(&mut app, Fault::DropAnswer).await;
        // Each job on a pool of its own, as on instances of their own.
        let mut jobs = vec![reconciler(&app, DEFAULT_GRACE)];
        for _ in 0..3 {
            let own_pool = app.database.connect().await;
            jobs.push(Reconciler::new(
                own_pool,
                app.state.shipengine.clone(),
                DEFAULT_GRACE,
            ));
        }

        let mut rounds = tokio::task::JoinSet::new();
        for job in jobs {
            rounds.spawn(async move { job.run_round().await });
        }

        let settled: usize = rounds
            .join_all()
            .await
            .into_iter()
            .map(|round| round.unwrap().registered)
            .sum();
        assert_eq!(settled, 1, "{backend}");
        assert_eq!(
            status(&app.state.database, &lost.key).await,
            RegistrationStatus::Registered,
            "{backend}"
        );
        let audit = app.state.database.audit_of(&lost.reference).await.unwrap();
        assert_eq!(audit.len(), 1, "{backend}: {audit:?}");
        let events = app
            .state
            .database
            .webhook_events_of(&lost.reference)
            .await
            .unwrap();
        let settled_events = events
            .iter()
            .filter(|event| event.event_type == "registration.settled")
            .count();
        assert_eq!(settled_events, 1, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_running_at_once_leave_one_note_for_support() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start(database, JOB_OFF).await;
        let lost = send_and_lose_the_answer(&mut app, Fault::DropAnswer).await;
        app.simulator.simulator.add_carrier("stamps_com", NICKNAME);
        let mut rounds = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let job = Reconciler::new(
                app.database.connect().await,
                app.state.shipengine.clone(),
                DEFAULT_GRACE,
            );
            rounds.spawn(async move { job.run_round().await });
        }

        for round in rounds.join_all().await {
            assert_eq!(round.unwrap().left_for_support, 1, "{backend}");
        }
        let audit = app.state.database.audit_of(&lost.reference).await.unwrap();
        assert_eq!(audit.len(), 1, "{backend}: {audit:?}");
    }
}

#[tokio::test]
async fn the_job_started_with_the_app_settles_by_itself() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start(database, &[("RECONCILE_EVERY_SECS", "1")]).await;
        let lost = send_and_lose_the_answer(&mut app, Fault::DropAnswer).await;

        let started = Instant::now();
        while status(&app.state.database, &lost.key).await != RegistrationStatus::Registered {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{backend}: the job settled it within a few rounds"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let audit = app.state.database.audit_of(&lost.reference).await.unwrap();
        assert_eq!(audit.len(), 1, "{backend}");
    }
}

/// A row claimed as the form would, `submitted`, whose call is (as far as the row knows) on its
/// way.
async fn claim_submitted(database: &Database, nickname: &str) -> (String, String) {
    let key = uuid::Uuid::new_v4().to_string();
    let new = NewRegistration {
        idempotency_key: &key,
        owner_hash: &key,
        session_id: None,
        nickname,
        email: "ana@example.com",
        card_brand: "visa",
        card_last4: "1111",
        merchant_ref: None,
        allow_another: false,
    };
    let Claim::New { reference } = database.claim(&new).await.unwrap() else {
        panic!("a new row");
    };
    (key, reference)
}

#[tokio::test]
async fn a_row_left_submitted_settles_without_its_browser() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let app = start(database, JOB_OFF).await;
        let db = &app.state.database;
        // Its instance stopped mid-call; the merchant never comes back.
        let (old_key, old_reference) = claim_submitted(db, NICKNAME).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (young_key, _) = claim_submitted(db, "Another shop").await;

        let job =
            reconciler(&app, DEFAULT_GRACE).settling_submissions_after(Duration::from_millis(200));
        let outcome = job.run_round().await.unwrap();

        assert_eq!(
            outcome,
            RoundOutcome {
                stale: 1,
                waiting: 1,
                ..RoundOutcome::default()
            },
            "{backend}"
        );
        assert_eq!(
            status(db, &old_key).await,
            RegistrationStatus::OutcomeUnknown,
            "{backend}"
        );
        assert_eq!(
            status(db, &young_key).await,
            RegistrationStatus::Submitted,
            "{backend}: a call still within its time is left alone"
        );
        let timeline = db.timeline(&old_reference).await.unwrap();
        let events: Vec<&str> = timeline.iter().map(|line| line.event.as_str()).collect();
        assert_eq!(events, ["submitted", "outcome_unknown"], "{backend}");
        let webhooks = db.webhook_events_of(&old_reference).await.unwrap();
        let types: Vec<&str> = webhooks.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, ["registration.outcome_unknown"], "{backend}");
        // A second round moves nothing again.
        assert_eq!(job.run_round().await.unwrap().stale, 0, "{backend}");
    }
}

#[tokio::test]
async fn a_carrier_a_submitted_row_may_have_opened_is_left_for_support() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start(database, JOB_OFF).await;
        let lost = send_and_lose_the_answer(&mut app, Fault::DropAnswer).await;
        // Another registration with the nickname, its answer not recorded yet: the one carrier
        // may be its account as well as the lost one's.
        let (_, submitted) = claim_submitted(&app.state.database, NICKNAME).await;

        let outcome = reconciler(&app, DEFAULT_GRACE).run_round().await.unwrap();

        assert_eq!(outcome.left_for_support, 1, "{backend}: {outcome:?}");
        assert_eq!(
            status(&app.state.database, &lost.key).await,
            RegistrationStatus::OutcomeUnknown,
            "{backend}"
        );
        let audit = app.state.database.audit_of(&lost.reference).await.unwrap();
        assert_eq!(audit.len(), 1, "{backend}");
        assert!(
            audit[0].detail.contains(&submitted),
            "{backend}: {}",
            audit[0].detail
        );
    }
}

#[tokio::test]
async fn two_rows_never_hold_one_carrier() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start(database, JOB_OFF).await;
        let lost = send_and_lose_the_answer(&mut app, Fault::DropAnswer).await;
        let opened = listed_carrier_ids(&app).await;
        let db = &app.state.database;
        let (other_key, _) = claim_submitted(db, "Another shop").await;
        let registered = RegistrationEvent::Registered {
            carrier_id: &opened[0],
            request_id: None,
        };
        assert!(
            db.record(&other_key, registered).await.unwrap(),
            "{backend}"
        );

        // Support (or a job) settling the lost row with that carrier is refused, and nothing
        // of the settlement is written.
        let settle = RegistrationEvent::SettledRegistered {
            carrier_id: &opened[0],
            by: "admin:support",
            note: "found it",
        };
        let refused = db.record(&lost.key, settle).await;
        assert!(
            matches!(&refused, Err(StorageError::CarrierHeld(id)) if *id == opened[0]),
            "{backend}: {refused:?}"
        );
        assert_eq!(
            status(db, &lost.key).await,
            RegistrationStatus::OutcomeUnknown,
            "{backend}"
        );
        assert!(
            db.audit_of(&lost.reference).await.unwrap().is_empty(),
            "{backend}"
        );
        let timeline = db.timeline(&lost.reference).await.unwrap();
        assert_eq!(
            timeline.last().unwrap().event,
            "outcome_unknown",
            "{backend}"
        );
        let webhooks = db.webhook_events_of(&lost.reference).await.unwrap();
        assert!(
            webhooks
                .iter()
                .all(|e| e.event_type != "registration.settled"),
            "{backend}"
        );
        // The job sees the carrier held: nothing to settle with it.
        let outcome = reconciler(&app, DEFAULT_GRACE).run_round().await.unwrap();
        assert_eq!(outcome.registered, 0, "{backend}: {outcome:?}");
    }
}
