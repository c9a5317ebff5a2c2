//! The operator's read API: its merchants' registrations, filtered, newest first, a page at a
//! time with a cursor, and one by its reference; behind the same bearer token as the links. On
//! SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.

mod support;

use std::collections::BTreeSet;

use axum::http::{StatusCode, header};
use leptos::config::LeptosOptions;
use serde_json::{Value, json};
use stamps_connect::screen::Screen;
use stamps_connect::server::storage::{Claim, NewRegistration, RegistrationEvent};
use support::databases::TestDatabase;
use support::operator::{
    json_of, minted_url, open_link, operator_get, operator_request, operator_vars,
};
use support::{Browser, TestApp, registration_form};

async fn start_on(database: TestDatabase) -> TestApp {
    let vars = operator_vars();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    TestApp::start_on(database, &vars, options).await
}

/// Inserts registration `n` of `merchant_ref` straight into the database; returns its reference.
async fn insert(app: &TestApp, n: usize, merchant_ref: Option<&str>) -> String {
    let key = uuid::Uuid::new_v4().to_string();
    let owner = format!("{n:064}");
    let claim = app
        .state
        .database
        .claim(&NewRegistration {
            idempotency_key: &key,
            owner_hash: &owner,
            session_id: None,
            nickname: "Store",
            email: "owner@example.com",
            card_brand: "visa",
            card_last4: "1111",
            merchant_ref,
            // Not bound: these tests list many rows of one merchant.
            allow_another: true,
        })
        .await
        .unwrap();
    let Claim::New { reference } = claim else {
        panic!("a new row")
    };
    if n.is_multiple_of(3) {
        let carrier_id = format!("se-{n}");
        let registered = RegistrationEvent::Registered {
            carrier_id: &carrier_id,
            request_id: None,
        };
        assert!(app.state.database.record(&key, registered).await.unwrap());
    }
    reference
}

fn references(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["reference"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_registration_from_a_link_carries_its_merchant_ref_and_nothing_private() {
    for database in TestDatabase::each().await {
        let app = start_on(database).await;
        let url = minted_url(&app, json!({"merchant_ref": "acct-77"})).await;
        let mut browser = Browser {
            cookie: None,
            ..app.same_browser()
        };
        open_link(&mut browser, &url).await;
        let Screen::Verify(_) = browser.call("register", &registration_form()).await else {
            panic!("the code step")
        };

        let (status, page) =
            operator_get(&app, "/operator/v1/registrations?merchant_ref=acct-77").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["next_cursor"], Value::Null);
        let rows = page["data"].as_array().unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        let keys: BTreeSet<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from([
                "reference",
                "status",
                "origin",
                "carrier_id",
                "merchant_ref",
                "nickname",
                "email",
                "card_brand",
                "card_last4",
                "created_at",
                "updated_at",
                "register_request_id",
                "send_code_request_id",
                "verify_code_request_id",
            ])
        );
        assert_eq!(row["merchant_ref"], "acct-77");
        assert_eq!(row["status"], "registered");
        assert_eq!(row["card_last4"], "1111");
        assert!(row["carrier_id"].as_str().unwrap().starts_with("se-"));
        assert!(row["register_request_id"].is_string());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        assert!((now - 60..=now + 1).contains(&row["created_at"].as_i64().unwrap()));

        let reference = row["reference"].as_str().unwrap();
        let (status, one) =
            operator_get(&app, &format!("/operator/v1/registrations/{reference}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&one, row);
        let (status, missing) =
            operator_get(&app, "/operator/v1/registrations/AAAA-BBBB-CCCC").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(missing["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps_or_repeats_and_filters_apply() {
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let app = start_on(database).await;
        let mut all = Vec::new();
        for n in 0..11_usize {
            let merchant = if n.is_multiple_of(2) { "even" } else { "odd" };
            all.push(insert(&app, n, Some(merchant)).await);
        }
        all.push(insert(&app, 11, None).await);

        // Pages of 5: every row once, newest first.
        let mut seen = Vec::new();
        let mut path = "/operator/v1/registrations?limit=5".to_owned();
        let mut pages = 0;
        loop {
            let (status, page) = operator_get(&app, &path).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            pages += 1;
            let got = references(&page);
            assert!(got.len() <= 5);
            seen.extend(got);
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    path = format!("/operator/v1/registrations?limit=5&cursor={cursor}")
                }
                None => break,
            }
        }
        assert_eq!(pages, 3, "{backend}");
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{backend}: no repeats");
        assert_eq!(unique, all.iter().collect(), "{backend}: no gaps");
        let (_, everything) = operator_get(&app, "/operator/v1/registrations").await;
        assert_eq!(
            references(&everything),
            seen,
            "{backend}: the same order in one page"
        );
        let created: Vec<i64> = everything["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["created_at"].as_i64().unwrap())
            .collect();
        assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");

        let (_, even) = operator_get(&app, "/operator/v1/registrations?merchant_ref=even").await;
        assert_eq!(references(&even).len(), 6);
        assert!(
            even["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["merchant_ref"] == "even")
        );
        let (_, registered) = operator_get(
            &app,
            "/operator/v1/registrations?status=registered&merchant_ref=odd",
        )
        .await;
        // n = 3 and 9.
        assert_eq!(references(&registered).len(), 2, "{registered}");
        let (_, later) = operator_get(&app, "/operator/v1/registrations?since=99999999999").await;
        assert!(references(&later).is_empty());
        let (_, since_then) = operator_get(&app, "/operator/v1/registrations?since=0").await;
        assert_eq!(references(&since_then).len(), 12);
    }
}

#[tokio::test]
async fn bad_queries_and_missing_tokens_are_refused() {
    let app = start_on(TestDatabase::sqlite()).await;
    for (query, field) in [
        ("limit=0", Some("limit")),
        ("limit=201", Some("limit")),
        ("status=pending", Some("status")),
        ("cursor=%21%21", Some("cursor")),
        ("since=yesterday", None),
        ("owner_hash=x", None),
    ] {
        let (status, json) =
            operator_get(&app, &format!("/operator/v1/registrations?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(json["error"]["code"], "invalid_request");
        if let Some(field) = field {
            assert_eq!(json["error"]["field"], field, "{json}");
        }
    }
    let (status, _) = operator_get(&app, "/operator/v1/registrations?limit=200").await;
    assert_eq!(status, StatusCode::OK);
    for token in [None, Some("not the token")] {
        for path in [
            "/operator/v1/registrations",
            "/operator/v1/registrations/AAAA-BBBB-CCCC",
        ] {
            let response = operator_request(&app, "GET", path, None, token).await;
            assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
            let (status, _) = json_of(response).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
    }
}
