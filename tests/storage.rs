//! The database on both backends: every test runs on an SQLite file and, when
//! `TEST_DATABASE_URL` is set, on a fresh PostgreSQL database.

mod support;

use std::time::Duration;

use stamps_connect::server::limits::Count;
use stamps_connect::server::storage::{
    Claim, Database, NewRegistration, RegistrationEvent, RegistrationStatus, VerificationCall,
};
use support::databases::TestDatabase;

fn new_registration(key: &str) -> NewRegistration<'_> {
    NewRegistration {
        idempotency_key: key,
        owner_hash: key,
        session_id: Some("session-1"),
        nickname: "Main store",
        email: "john.doe@example.com",
        card_brand: "visa",
        card_last4: "1111",
        merchant_ref: Some("merchant-42"),
        // Not bound by one account per merchant: these tests claim many rows of one merchant.
        allow_another: true,
    }
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn claim_new(database: &Database, key: &str) -> String {
    match database.claim(&new_registration(key)).await.unwrap() {
        Claim::New { reference } => reference,
        Claim::Existing(row) => panic!("key already taken by {row:?}"),
    }
}

#[tokio::test]
async fn migrations_run_on_a_new_database_and_again_on_the_next_start() {
    for db in TestDatabase::each().await {
        let first = db.connect().await;
        first.close().await;
        let again = db.connect().await;
        assert!(
            again.count_by_status().await.unwrap().is_empty(),
            "{}",
            db.backend()
        );
    }
}

#[tokio::test]
async fn a_claimed_key_returns_the_first_row_to_every_repeat() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let key = key();
        let reference = claim_new(&database, &key).await;
        let Claim::Existing(row) = database.claim(&new_registration(&key)).await.unwrap() else {
            panic!("{}: a repeat must not insert", db.backend());
        };
        assert_eq!(row.reference, reference);
        assert_eq!(row.status, RegistrationStatus::Submitted);
        assert_eq!(row.nickname, "Main store");
        assert_eq!(row.email, "john.doe@example.com");
        assert_eq!(
            (row.card_brand.as_str(), row.card_last4.as_str()),
            ("visa", "1111")
        );
        assert_eq!(row.session_id.as_deref(), Some("session-1"));
        assert!(row.created_at_ms > 0 && row.created_at_ms == row.updated_at_ms);
        assert_ne!(claim_new(&database, &self::key()).await, reference);
    }
}

#[tokio::test]
async fn of_many_simultaneous_claims_exactly_one_wins() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let key = key();
        let claims = (0..16).map(|_| {
            let (database, key) = (database.clone(), key.clone());
            tokio::spawn(async move { database.claim(&new_registration(&key)).await.unwrap() })
        });
        let mut new = 0;
        for claim in claims {
            if let Claim::New { .. } = claim.await.unwrap() {
                new += 1;
            }
        }
        assert_eq!(new, 1, "{}", db.backend());
    }
}

#[tokio::test]
async fn statuses_move_only_forward_and_keep_the_request_ids() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let key = key();
        claim_new(&database, &key).await;
        let record = |event| {
            let (database, key) = (database.clone(), key.clone());
            async move { database.record(&key, event).await.unwrap() }
        };
        let code_sent = RegistrationEvent::CodeSent {
            verification_id: "ver-1",
            sent_to: "(•••) •••-2222",
            request_id: None,
        };
        assert!(!record(code_sent).await);
        assert!(
            record(RegistrationEvent::Registered {
                carrier_id: "se-1234567",
                request_id: Some("req-register"),
            })
            .await
        );
        assert!(
            !record(RegistrationEvent::Failed {
                request_id: None,
                error: "late"
            })
            .await,
            "a registered account cannot become failed"
        );
        assert!(
            record(RegistrationEvent::CallFailed {
                call: VerificationCall::SendCode,
                request_id: Some("req-send-1"),
                error: "ShipEngine answered HTTP 503",
            })
            .await
        );
        assert!(
            record(RegistrationEvent::CodeSent {
                verification_id: "ver-2",
                sent_to: "(•••) •••-2222",
                request_id: Some("req-send-2")
            })
            .await
        );
        assert!(
            record(RegistrationEvent::Verified {
                request_id: Some("req-verify")
            })
            .await
        );

        let row = database.registration(&key).await.unwrap().unwrap();
        assert_eq!(row.status, RegistrationStatus::Verified, "{}", db.backend());
        assert_eq!(row.carrier_id.as_deref(), Some("se-1234567"));
        assert_eq!(row.register_request_id.as_deref(), Some("req-register"));
        assert_eq!(row.send_code_request_id.as_deref(), Some("req-send-2"));
        assert_eq!(row.verify_code_request_id.as_deref(), Some("req-verify"));
        assert_eq!(
            row.last_error.as_deref(),
            Some("ShipEngine answered HTTP 503")
        );
        assert!(row.updated_at_ms >= row.created_at_ms);
        assert_eq!(
            database.count_by_status().await.unwrap(),
            [(RegistrationStatus::Verified, 1)]
        );
    }
}

#[tokio::test]
async fn a_late_answer_does_not_change_an_unknown_outcome() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let key = key();
        claim_new(&database, &key).await;
        let error = "no complete answer from ShipEngine";
        assert!(
            database
                .record(&key, RegistrationEvent::OutcomeUnknown { error })
                .await
                .unwrap()
        );
        let late = RegistrationEvent::Registered {
            carrier_id: "se-1",
            request_id: None,
        };
        assert!(!database.record(&key, late).await.unwrap());
        let row = database.registration(&key).await.unwrap().unwrap();
        assert_eq!(
            row.status,
            RegistrationStatus::OutcomeUnknown,
            "{}",
            db.backend()
        );
        assert_eq!(row.last_error.as_deref(), Some(error));
    }
}

#[tokio::test]
async fn a_repeat_waits_for_the_submission_in_flight() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let key = key();
        claim_new(&database, &key).await;
        let finisher = {
            let (database, key) = (database.clone(), key.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let event = RegistrationEvent::Registered {
                    carrier_id: "se-42",
                    request_id: None,
                };
                database.record(&key, event).await.unwrap();
            })
        };
        let settled = database
            .settled_registration(&key, Duration::from_secs(5), Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            settled.status,
            RegistrationStatus::Registered,
            "{}",
            db.backend()
        );
        assert_eq!(settled.carrier_id.as_deref(), Some("se-42"));
        finisher.await.unwrap();

        // A bounded wait: still in flight after it, the row comes back as it is.
        let other = self::key();
        claim_new(&database, &other).await;
        let waited = database
            .settled_registration(&other, Duration::from_millis(200), Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(waited.status, RegistrationStatus::Submitted);
        assert!(
            database
                .settled_registration(&self::key(), Duration::ZERO, Duration::ZERO)
                .await
                .unwrap()
                .is_none(),
            "an unknown key has no row"
        );
    }
}

#[tokio::test]
async fn a_submission_nobody_finished_becomes_outcome_unknown() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let key = key();
        claim_new(&database, &key).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let row = database
            .settled_registration(&key, Duration::from_secs(5), Duration::from_millis(10))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.status,
            RegistrationStatus::OutcomeUnknown,
            "{}",
            db.backend()
        );
    }
}

fn per_phone(phone: &str, limit: u32) -> Count {
    Count {
        name: "sends per phone",
        counter: format!("send/phone/{phone}"),
        limit,
        window_secs: 100,
    }
}

fn total(limit: u32) -> Count {
    Count {
        name: "sends in total",
        counter: "send/total".into(),
        limit,
        window_secs: 100,
    }
}

#[tokio::test]
async fn counts_refuse_past_the_limit_and_count_nothing_then() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let counts = [per_phone("5121112222", 2), total(3)];
        database.admit(&counts, 100, 1000).await.unwrap().unwrap();
        database.admit(&counts, 100, 1010).await.unwrap().unwrap();
        let over = database
            .admit(&counts, 100, 1020)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(over.limit, "sends per phone", "{}", db.backend());
        assert_eq!(
            over.retry_after_secs, 80,
            "the first send leaves the window at 1100"
        );

        // The refused send was not counted: the total still has one place.
        let other = [per_phone("5123334444", 2), total(3)];
        database.admit(&other, 100, 1030).await.unwrap().unwrap();
        let over = database
            .admit(&other, 100, 1040)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!((over.limit, over.retry_after_secs), ("sends in total", 60));

        // Room again once the oldest send has left the window.
        database.admit(&other, 100, 1100).await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn two_instances_on_one_database_share_the_counts() {
    for db in TestDatabase::each().await {
        let (first, second) = (db.connect().await, db.connect().await);
        let admitted = (0..20).map(|n| {
            let database = if n % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tokio::spawn(async move {
                let counts = [per_phone("5121112222", 100), total(7)];
                database.admit(&counts, 3600, 5000).await.unwrap().is_ok()
            })
        });
        let mut count = 0;
        for admitted in admitted {
            count += usize::from(admitted.await.unwrap());
        }
        assert_eq!(count, 7, "{}", db.backend());
    }
}

#[tokio::test]
async fn a_browser_has_one_registration_open_whatever_keys_its_tabs_carry() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let (first, second) = (key(), key());
        let owner = "owner-of-both-tabs";
        let new = |key| NewRegistration {
            owner_hash: owner,
            ..new_registration(key)
        };
        let Claim::New { reference } = database.claim(&new(&first)).await.unwrap() else {
            panic!("{}: the first tab's key is new", db.backend());
        };
        let Claim::Existing(row) = database.claim(&new(&second)).await.unwrap() else {
            panic!(
                "{}: the second tab finds the first's registration",
                db.backend()
            );
        };
        assert_eq!(row.reference, reference);
        assert!(database.registration(&second).await.unwrap().is_none());

        // Refused by ShipEngine: the browser may send a new registration.
        let failed = RegistrationEvent::Failed {
            request_id: None,
            error: "HTTP 400",
        };
        assert!(database.record(&first, failed).await.unwrap());
        assert!(matches!(
            database.claim(&new(&second)).await.unwrap(),
            Claim::New { .. }
        ));
        assert_eq!(
            database
                .open_registration_of(owner)
                .await
                .unwrap()
                .map(|row| row.idempotency_key),
            Some(second)
        );
    }
}

#[tokio::test]
async fn parallel_checks_of_one_code_take_at_most_the_limit_and_a_new_code_starts_again() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let key = key();
        claim_new(&database, &key).await;
        let registered = RegistrationEvent::Registered {
            carrier_id: "se-1",
            request_id: None,
        };
        assert!(database.record(&key, registered).await.unwrap());
        let code_sent = |verification_id| RegistrationEvent::CodeSent {
            verification_id,
            sent_to: "(•••) •••-2222",
            request_id: None,
        };
        assert!(database.record(&key, code_sent("ver-1")).await.unwrap());

        let checks = (0..100).map(|_| {
            let (database, key) = (database.clone(), key.clone());
            tokio::spawn(
                async move { database.reserve_code_check(&key, "ver-1", 5).await.unwrap() },
            )
        });
        let mut taken = 0;
        for check in checks {
            taken += usize::from(check.await.unwrap());
        }
        assert_eq!(taken, 5, "{}", db.backend());
        assert!(
            !database.reserve_code_check(&key, "ver-0", 5).await.unwrap(),
            "{}: an older code is not checked",
            db.backend()
        );

        // A check given back (another limit refused it) can be taken again.
        database.release_code_check(&key, "ver-1").await.unwrap();
        assert!(database.reserve_code_check(&key, "ver-1", 5).await.unwrap());
        assert!(!database.reserve_code_check(&key, "ver-1", 5).await.unwrap());

        assert!(database.record(&key, code_sent("ver-2")).await.unwrap());
        let row = database.registration(&key).await.unwrap().unwrap();
        assert_eq!(
            (row.verification_id.as_deref(), row.code_checks),
            (Some("ver-2"), 0),
            "{}",
            db.backend()
        );
        assert!(database.reserve_code_check(&key, "ver-2", 5).await.unwrap());
    }
}
