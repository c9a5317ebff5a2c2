//! Every status change writes its timeline line, its webhook event and (for a settlement) its
//! audit entry in the same transaction: on SQLite and PostgreSQL, one at a time and in parallel.

mod support;

use stamps_connect::server::storage::{
    Claim, Database, NewRegistration, RegistrationEvent, RegistrationStatus, VerificationCall,
};
use support::databases::TestDatabase;

async fn claim(database: &Database, merchant_ref: Option<&str>) -> (String, String) {
    let key = uuid::Uuid::new_v4().to_string();
    let new = NewRegistration {
        idempotency_key: &key,
        owner_hash: &key,
        session_id: None,
        nickname: "Corner shop",
        email: "ana@example.com",
        card_brand: "visa",
        card_last4: "1111",
        merchant_ref,
        allow_another: false,
    };
    let Claim::New { reference } = database.claim(&new).await.unwrap() else {
        panic!("a new key is claimed");
    };
    (key, reference)
}

fn events(timeline: &[stamps_connect::server::storage::TimelineEntry]) -> Vec<&str> {
    timeline.iter().map(|line| line.event.as_str()).collect()
}

#[tokio::test]
async fn each_step_is_in_the_timeline_and_each_status_change_is_announced_once() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let (key, reference) = claim(&database, Some("merchant-7")).await;
        let steps = [
            RegistrationEvent::Registered {
                carrier_id: "se-77",
                request_id: Some("req-register"),
            },
            RegistrationEvent::CallFailed {
                call: VerificationCall::SendCode,
                request_id: Some("req-send-1"),
                error: "ShipEngine answered HTTP 503",
            },
            RegistrationEvent::CodeSent {
                verification_id: "ver-1",
                sent_to: "(•••) •••-2222",
                request_id: Some("req-send-2"),
            },
            RegistrationEvent::CodeSent {
                verification_id: "ver-2",
                sent_to: "(•••) •••-2222",
                request_id: Some("req-send-3"),
            },
            RegistrationEvent::Verified {
                request_id: Some("req-verify-1"),
            },
            // A second check that passed: the timeline has it, the operator hears nothing new.
            RegistrationEvent::Verified {
                request_id: Some("req-verify-2"),
            },
        ];
        for step in steps {
            assert!(database.record(&key, step).await.unwrap(), "{step:?}");
        }
        let timeline = database.timeline(&reference).await.unwrap();
        assert_eq!(
            events(&timeline),
            [
                "submitted",
                "registered",
                "send_code_failed",
                "code_sent",
                "code_sent",
                "verified",
                "verified"
            ],
            "{}",
            db.backend()
        );
        assert_eq!(timeline[2].status, "registered");
        assert_eq!(timeline[2].request_id.as_deref(), Some("req-send-1"));
        assert_eq!(
            timeline[2].detail.as_deref(),
            Some("ShipEngine answered HTTP 503")
        );
        assert!(timeline.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));

        let announced = database.webhook_events_of(&reference).await.unwrap();
        let kinds: Vec<&str> = announced.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(
            kinds,
            ["registration.registered", "registration.verified"],
            "{}",
            db.backend()
        );
        let body: serde_json::Value = serde_json::from_str(&announced[1].payload).unwrap();
        assert_eq!(body["id"], announced[1].event_id.as_str());
        assert_eq!(body["type"], "registration.verified");
        assert_eq!(body["data"]["reference"], reference.as_str());
        assert_eq!(body["data"]["merchant_ref"], "merchant-7");
        assert_eq!(body["data"]["status"], "verified");
        assert_eq!(body["data"]["carrier_id"], "se-77");
        assert_eq!(body["data"]["card_last4"], "1111");
        assert!(
            announced
                .iter()
                .all(|e| e.delivered_at_ms.is_none() && e.attempts == 0)
        );
        assert_ne!(announced[0].event_id, announced[1].event_id);
    }
}

#[tokio::test]
async fn an_event_its_status_does_not_follow_leaves_no_trace() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let (key, reference) = claim(&database, None).await;
        let early = RegistrationEvent::Verified { request_id: None };
        assert!(!database.record(&key, early).await.unwrap());
        assert_eq!(
            events(&database.timeline(&reference).await.unwrap()),
            ["submitted"]
        );
        assert!(
            database
                .webhook_events_of(&reference)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_settlement_moves_an_unknown_outcome_once_and_is_audited_with_its_note() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let (found, found_reference) = claim(&database, Some("m-1")).await;
        let (gone, gone_reference) = claim(&database, Some("m-2")).await;
        for key in [&found, &gone] {
            let unknown = RegistrationEvent::OutcomeUnknown { error: "timed out" };
            assert!(database.record(key, unknown).await.unwrap());
        }
        let settle_found = RegistrationEvent::SettledRegistered {
            carrier_id: "se-5",
            by: "admin:support",
            note: "seen in the ShipEngine dashboard",
        };
        assert!(database.record(&found, settle_found).await.unwrap());
        assert!(
            !database.record(&found, settle_found).await.unwrap(),
            "{}: settled once",
            db.backend()
        );
        let settle_gone = RegistrationEvent::SettledFailed {
            by: "reconciliation",
            note: "no stamps_com carrier with its nickname after 30 minutes",
        };
        assert!(database.record(&gone, settle_gone).await.unwrap());

        let row = database.registration(&found).await.unwrap().unwrap();
        assert_eq!(row.status, RegistrationStatus::Registered);
        assert_eq!(row.carrier_id.as_deref(), Some("se-5"));
        let row = database.registration(&gone).await.unwrap().unwrap();
        assert_eq!(row.status, RegistrationStatus::Failed);

        let audit = database.audit_of(&found_reference).await.unwrap();
        assert_eq!(audit.len(), 1, "{}", db.backend());
        assert_eq!(audit[0].actor, "admin:support");
        assert_eq!(audit[0].action, "settled_registered");
        assert_eq!(audit[0].detail, "seen in the ShipEngine dashboard");
        assert_eq!(
            database.audit_of(&gone_reference).await.unwrap()[0].actor,
            "reconciliation"
        );

        let kinds = |announced: Vec<stamps_connect::server::storage::OutboxEntry>| {
            announced
                .into_iter()
                .map(|e| (e.event_type, serde_json::from_str::<serde_json::Value>(&e.payload).unwrap()["data"]["status"].clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kinds(database.webhook_events_of(&found_reference).await.unwrap()),
            [
                (
                    "registration.outcome_unknown".to_owned(),
                    "outcome_unknown".into()
                ),
                ("registration.settled".to_owned(), "registered".into()),
            ]
        );
        assert_eq!(
            kinds(database.webhook_events_of(&gone_reference).await.unwrap())[1],
            ("registration.settled".to_owned(), "failed".into())
        );
    }
}

#[tokio::test]
async fn many_simultaneous_verifications_announce_verified_once() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let (key, reference) = claim(&database, None).await;
        let registered = RegistrationEvent::Registered {
            carrier_id: "se-9",
            request_id: None,
        };
        database.record(&key, registered).await.unwrap();
        let code = RegistrationEvent::CodeSent {
            verification_id: "ver-1",
            sent_to: "(•••) •••-2222",
            request_id: None,
        };
        database.record(&key, code).await.unwrap();
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..40 {
            let (database, key) = (database.clone(), key.clone());
            calls.spawn(async move {
                let verified = RegistrationEvent::Verified { request_id: None };
                database.record(&key, verified).await.unwrap()
            });
        }
        for applied in calls.join_all().await {
            assert!(applied);
        }
        let verified: Vec<_> = database
            .webhook_events_of(&reference)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event_type == "registration.verified")
            .collect();
        assert_eq!(verified.len(), 1, "{}", db.backend());
        let timeline = database.timeline(&reference).await.unwrap();
        assert_eq!(
            timeline.iter().filter(|l| l.event == "verified").count(),
            40,
            "{}",
            db.backend()
        );
    }
}

#[tokio::test]
async fn a_released_claim_leaves_no_line_in_the_timeline() {
    for db in TestDatabase::each().await {
        let database = db.connect().await;
        let (key, reference) = claim(&database, None).await;
        assert_eq!(
            events(&database.timeline(&reference).await.unwrap()),
            ["submitted"],
            "{}",
            db.backend()
        );

        database.release_claim(&key).await.unwrap();

        assert!(database.registration(&key).await.unwrap().is_none());
        assert!(
            database.timeline(&reference).await.unwrap().is_empty(),
            "{}: the row and its line go together",
            db.backend()
        );
        // A row that was sent is not released, and keeps its timeline.
        let (sent_key, sent_reference) = claim(&database, None).await;
        let unknown = RegistrationEvent::OutcomeUnknown { error: "timed out" };
        assert!(database.record(&sent_key, unknown).await.unwrap());
        database.release_claim(&sent_key).await.unwrap();
        assert!(database.registration(&sent_key).await.unwrap().is_some());
        assert_eq!(
            events(&database.timeline(&sent_reference).await.unwrap()),
            ["submitted", "outcome_unknown"],
            "{}",
            db.backend()
        );
    }
}
