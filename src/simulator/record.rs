//! The record of received API requests, so tests can assert what the client sent.

use std::collections::VecDeque;

use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

/// The ShipEngine calls the simulator speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `POST /v1/registration/stamps_com`
    Register,
    /// `POST /v1/connections/carriers/stamps_com/{carrier_id}/verification`
    SendCode,
    /// `PUT /v1/connections/carriers/stamps_com/{carrier_id}/verification/{verification_id}`
    VerifyCode,
    /// `GET /v1/carriers`
    ListCarriers,
    /// `POST /v1/connections/carriers/stamps_com`
    ConnectStampsCom,
    /// `GET /v1/carriers/{carrier_id}`
    GetCarrier,
    /// `PUT /v1/carriers/{carrier_id}/add_funds`
    AddFunds,
    /// `PUT /v1/connections/carriers/stamps_com/{carrier_id}/request_account_url`
    RequestAccountUrl,
    /// `POST /v1/addresses/validate`
    ValidateAddresses,
}

/// One request as received, faulted and refused ones included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// The `API-Key` header, whatever its case, if present.
    pub api_key: Option<String>,
    /// Every header, names lower-cased, values decoded lossily.
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON, or `null` when it is empty or not JSON.
    pub body: serde_json::Value,
    /// The body as text; empty when it exceeded the 64 KiB the simulator reads.
    pub raw_body: String,
    /// Which API call the request addressed; `None` for unknown paths and methods.
    pub endpoint: Option<Endpoint>,
}

impl RecordedRequest {
    pub(crate) fn new(parts: &Parts, endpoint: Option<Endpoint>, raw_body: &[u8]) -> Self {
        Self {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            api_key: api_key(&parts.headers).map(str::to_owned),
            headers: parts
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect(),
            body: serde_json::from_slice(raw_body).unwrap_or(serde_json::Value::Null),
            raw_body: String::from_utf8_lossy(raw_body).into_owned(),
            endpoint,
        }
    }
}

impl RecordedRequest {
    /// Keeps card numbers as their last four digits: in the body, every run of
    /// [`CARD_MIN_DIGITS`] or more digits becomes `*`s but for its last four (a phone number,
    /// ten digits, stays). The brand is still there, in `credit_card.type`.
    pub(crate) fn redact_card_numbers(&mut self) {
        let masked = mask_card_numbers(&self.raw_body);
        if masked != self.raw_body {
            self.body = serde_json::from_str(&masked).unwrap_or(serde_json::Value::Null);
            self.raw_body = masked;
        }
    }
}

/// What a redacted password reads as in the record.
pub const REDACTED_PASSWORD: &str = "********";

impl RecordedRequest {
    /// Replaces the body's `password` with [`REDACTED_PASSWORD`]. A body that is not a JSON
    /// object cannot be searched reliably for one, so it is not kept at all.
    pub(crate) fn redact_password(&mut self) {
        match &mut self.body {
            serde_json::Value::Object(fields) => {
                if fields.contains_key("password") {
                    fields.insert("password".to_owned(), REDACTED_PASSWORD.into());
                }
                self.raw_body = self.body.to_string();
            }
            _ if self.raw_body.is_empty() => {}
            _ => {
                self.body = serde_json::Value::Null;
                self.raw_body = "(not kept: it may hold a password)".to_owned();
            }
        }
    }
}

/// The fewest digits a card number has.
pub(crate) const CARD_MIN_DIGITS: usize = 12;

fn mask_card_numbers(text: &str) -> String {
    fn flush(digits: &mut String, out: &mut String) {
        if digits.len() >= CARD_MIN_DIGITS {
            let hidden = digits.len() - 4;
            out.extend(std::iter::repeat_n('*', hidden));
            out.push_str(&digits[hidden..]);
        } else {
            out.push_str(digits);
        }
        digits.clear();
    }
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// The `API-Key` header; `HeaderMap` lookups already ignore the name's case.
pub(crate) fn api_key(headers: &HeaderMap) -> Option<&str> {
    headers.get("api-key").and_then(|value| value.to_str().ok())
}

/// Keeps the latest requests only, so a long-running demo server cannot grow without bound.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: VecDeque<RecordedRequest>,
}

impl RequestLog {
    pub const CAPACITY: usize = 1_000;

    pub fn push(&mut self, request: RecordedRequest) {
        if self.entries.len() == Self::CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(request);
    }

    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().cloned().collect()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(request: Request<()>) -> Parts {
        request.into_parts().0
    }

    #[test]
    fn records_key_headers_and_json_body() {
        let parts = parts(
            Request::post("/v1/registration/stamps_com?x=1")
                .header("Api-Key", "TEST_abc")
                .body(())
                .unwrap_or_default(),
        );
        let record = RecordedRequest::new(&parts, Some(Endpoint::Register), br#"{"a":1}"#);
        assert_eq!(record.method, "POST");
        assert_eq!(record.path, "/v1/registration/stamps_com");
        assert_eq!(record.api_key.as_deref(), Some("TEST_abc"));
        assert!(
            record
                .headers
                .contains(&("api-key".into(), "TEST_abc".into()))
        );
        assert_eq!(record.body, serde_json::json!({"a": 1}));
    }

    #[test]
    fn non_json_body_is_recorded_raw_with_null_body() {
        let parts = parts(Request::post("/").body(()).unwrap_or_default());
        let record = RecordedRequest::new(&parts, None, b"not json \xff");
        assert_eq!(record.body, serde_json::Value::Null);
        assert_eq!(record.raw_body, "not json \u{fffd}");
        assert_eq!(record.api_key, None);
    }

    #[test]
    fn redaction_keeps_the_brand_and_last_four_of_a_card_and_nothing_more() {
        let parts = parts(
            Request::post("/v1/registration/stamps_com")
                .body(())
                .unwrap_or_default(),
        );
        let body = serde_json::json!({
            "nickname": "My Stamps.com account",
            "address": {"phone": "5121112222", "postal_code": "78756"},
            "credit_card": {
                "name": "my credit card",
                "number": "4111111111111111",
                "type": "visa",
                "expiration_year": "2035",
                "expiration_month": "07",
            },
        })
        .to_string();
        let mut record = RecordedRequest::new(&parts, Some(Endpoint::Register), body.as_bytes());
        assert!(
            record.raw_body.contains("4111111111111111"),
            "off: kept whole"
        );

        record.redact_card_numbers();
        let card = &record.body["credit_card"];
        assert_eq!(card["number"], "************1111");
        assert_eq!(card["type"], "visa");
        assert_eq!(record.body["address"]["phone"], "5121112222");
        let everything = format!("{record:?}");
        assert!(!everything.contains("4111111111111111"), "{everything}");
        assert!(!everything.contains("411111111111"), "{everything}");

        // A body that is not JSON is masked all the same.
        let mut raw = RecordedRequest::new(&parts, None, b"number=5555555555554444&x");
        raw.redact_card_numbers();
        assert_eq!(raw.raw_body, "number=************4444&x");
    }

    #[test]
    fn log_drops_the_oldest_entries_beyond_capacity() {
        let parts = parts(Request::get("/").body(()).unwrap_or_default());
        let mut log = RequestLog::default();
        for n in 0..=RequestLog::CAPACITY {
            log.push(RecordedRequest::new(&parts, None, n.to_string().as_bytes()));
        }
        let entries = log.snapshot();
        assert_eq!(entries.len(), RequestLog::CAPACITY);
        assert_eq!(entries[0].raw_body, "1");
    }
}
