//! The body of a webhook event, made when the status change it announces is recorded, and kept
//! in the outbox exactly as it will be signed and sent.

use serde::Serialize;

use super::Registration;

pub struct WebhookEvent {
    /// `evt_` and 32 hex digits: the receiver's key to drop a repeat.
    pub id: String,
    /// The JSON body.
    pub payload: String,
}

#[derive(Serialize)]
struct Body<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    /// Unix seconds.
    created: i64,
    data: Data<'a>,
}

/// What an operator's backend needs to update its merchant: never more than the card's brand and
/// last four.
#[derive(Serialize)]
struct Data<'a> {
    reference: &'a str,
    merchant_ref: Option<&'a str>,
    status: &'a str,
    carrier_id: Option<&'a str>,
    nickname: &'a str,
    email: &'a str,
    card_brand: &'a str,
    card_last4: &'a str,
}

impl WebhookEvent {
    pub fn new(kind: &str, row: &Registration, now_ms: i64) -> Self {
        let id = format!("evt_{}", uuid::Uuid::new_v4().simple());
        let body = Body {
            id: &id,
            kind,
            created: now_ms / 1000,
            data: Data {
                reference: &row.reference,
                merchant_ref: row.merchant_ref.as_deref(),
                status: row.status.as_str(),
                carrier_id: row.carrier_id.as_deref(),
                nickname: &row.nickname,
                email: &row.email,
                card_brand: &row.card_brand,
                card_last4: &row.card_last4,
            },
        };
        let payload = serde_json::to_string(&body).expect("a struct of strings serialises");
        Self { id, payload }
    }
}
