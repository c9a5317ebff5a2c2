//! The operator's read API over registrations: a filtered listing, newest first, a page at a
//! time with an opaque cursor, and one registration by its reference. Each object carries only
//! what the operator needs: never the owner's hash, the session or the verification id.

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::OperatorError;
use super::error::internal;
use crate::server::storage::{Database, Registration, RegistrationFilter, RegistrationStatus};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;

/// `GET /operator/v1/registrations`'s query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub merchant_ref: Option<String>,
    pub status: Option<String>,
    /// Changed at or after this time (Unix seconds).
    pub since: Option<i64>,
    pub limit: Option<u32>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// A registration as the operator sees it.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationView {
    pub reference: String,
    pub status: String,
    /// `registered` (opened by the form) or `connected` (an existing Stamps.com account: no
    /// email, no card).
    pub origin: String,
    pub carrier_id: Option<String>,
    pub merchant_ref: Option<String>,
    pub nickname: String,
    pub email: String,
    pub card_brand: String,
    pub card_last4: String,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub register_request_id: Option<String>,
    pub send_code_request_id: Option<String>,
    pub verify_code_request_id: Option<String>,
}

impl From<Registration> for RegistrationView {
    fn from(row: Registration) -> Self {
        Self {
            reference: row.reference,
            status: row.status.as_str().to_owned(),
            origin: row.origin.as_str().to_owned(),
            carrier_id: row.carrier_id,
            merchant_ref: row.merchant_ref,
            nickname: row.nickname,
            email: row.email,
            card_brand: row.card_brand,
            card_last4: row.card_last4,
            created_at: row.created_at_ms / 1000,
            updated_at: row.updated_at_ms / 1000,
            register_request_id: row.register_request_id,
            send_code_request_id: row.send_code_request_id,
            verify_code_request_id: row.verify_code_request_id,
        }
    }
}

/// One page of the listing.
#[derive(Debug, Serialize, Deserialize)]
pub struct RegistrationPage {
    pub data: Vec<RegistrationView>,
    /// Pass it as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

pub async fn list_registrations(
    database: &Database,
    query: &ListQuery,
) -> Result<RegistrationPage, OperatorError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(OperatorError::invalid(
            "limit",
            format!("must be from 1 to {MAX_LIMIT}"),
        ));
    }
    let status = query
        .status
        .as_deref()
        .map(|raw| {
            RegistrationStatus::try_from(raw.to_owned()).map_err(|_| {
                OperatorError::invalid("status", "must be one of the registration statuses")
            })
        })
        .transpose()?;
    let after = query
        .cursor
        .as_deref()
        .map(|cursor| {
            decode_cursor(cursor).ok_or_else(|| OperatorError::invalid("cursor", "is not valid"))
        })
        .transpose()?;
    let filter = RegistrationFilter {
        merchant_ref: query.merchant_ref.clone(),
        status,
        updated_since_ms: query.since.map(|secs| secs.saturating_mul(1000)),
        after,
        // One more than asked: whether there is a next page.
        limit: limit + 1,
    };
    let mut rows = database
        .list_registrations(&filter)
        .await
        .map_err(internal)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = more.then(|| rows.last().map(encode_cursor)).flatten();
    Ok(RegistrationPage {
        data: rows.into_iter().map(RegistrationView::from).collect(),
        next_cursor,
    })
}

pub async fn registration(
    database: &Database,
    reference: &str,
) -> Result<RegistrationView, OperatorError> {
    database
        .registration_by_reference(reference)
        .await
        .map_err(internal)?
        .map(RegistrationView::from)
        .ok_or(OperatorError::NotFound)
}

/// The position after `row` in the listing's order, opaque to the operator.
fn encode_cursor(row: &Registration) -> String {
    let position = format!("{}.{}", row.created_at_ms, row.reference);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(position)
}

fn decode_cursor(cursor: &str) -> Option<(i64, String)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let position = String::from_utf8(bytes).ok()?;
    let (created_at_ms, reference) = position.split_once('.')?;
    Some((created_at_ms.parse().ok()?, reference.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let encoded =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("1700.7KQ2-M9XD-4HTP");
        assert_eq!(
            decode_cursor(&encoded),
            Some((1700, "7KQ2-M9XD-4HTP".to_owned()))
        );
        assert_eq!(decode_cursor("!!"), None);
        let no_number = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("x.y");
        assert_eq!(decode_cursor(&no_number), None);
    }
}
