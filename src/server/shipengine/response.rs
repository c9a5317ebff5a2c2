//! Reading an answer: the headers that matter, a bounded body, and the choice between the
//! documented response, the error envelope and "unexpected".

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::de::DeserializeOwned;

use super::error::{ErrorEnvelope, ShipEngineError, is_plausible_request_id};

const REQUEST_ID_HEADER: &str = "x-shipengine-requestid";

/// Answers are a few hundred bytes; anything far larger is not ShipEngine's JSON.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// What the client keeps from an answer's status line and headers.
pub(super) struct AnswerHead {
    pub(super) status: StatusCode,
    /// From `x-shipengine-requestid`; the envelope's own `request_id` takes precedence.
    pub(super) request_id: Option<String>,
    retry_after: Option<Duration>,
}

impl AnswerHead {
    pub(super) fn new(status: StatusCode, headers: &HeaderMap) -> Self {
        Self {
            status,
            request_id: header_text(headers, REQUEST_ID_HEADER)
                .filter(|id| is_plausible_request_id(id))
                .map(str::to_owned),
            retry_after: retry_after(headers),
        }
    }

    /// The documented response on 2xx, the error envelope otherwise.
    pub(super) fn decode<T: DeserializeOwned>(self, body: &[u8]) -> Result<T, ShipEngineError> {
        if self.status.is_success() {
            serde_json::from_slice(body).map_err(|_| self.unexpected_body())
        } else {
            Err(self.api_error(body))
        }
    }

    pub(super) fn unexpected_body(self) -> ShipEngineError {
        ShipEngineError::UnexpectedBody {
            status: self.status.as_u16(),
            request_id: self.request_id,
        }
    }

    /// The connection failed while the body was arriving. On a 2xx the call took effect but its
    /// result is lost, as ambiguous as no answer at all; on an error status the envelope that
    /// would say ShipEngine refused it is lost (an unexpected body: a doubt too).
    pub(super) fn body_lost(self) -> ShipEngineError {
        if self.status.is_success() {
            ShipEngineError::NoResponse
        } else {
            self.unexpected_body()
        }
    }

    fn api_error(self, body: &[u8]) -> ShipEngineError {
        let Ok(envelope) = serde_json::from_slice::<ErrorEnvelope>(body) else {
            return self.unexpected_body();
        };
        let body_request_id = envelope.request_id.filter(|id| is_plausible_request_id(id));
        ShipEngineError::Api {
            status: self.status.as_u16(),
            request_id: body_request_id.or(self.request_id),
            errors: envelope.errors,
            retry_after: self.retry_after,
        }
    }
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

/// `Retry-After` in whole seconds. ShipEngine sends seconds (as a string, which tripped the
/// Python SDK); the HTTP-date form is allowed by HTTP but not used, so it is ignored.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = header_text(headers, RETRY_AFTER.as_str())?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

pub(super) enum BodyFailure {
    TooLarge,
    Transport(reqwest::Error),
}

pub(super) async fn read_capped_body(
    mut response: reqwest::Response,
) -> Result<Vec<u8>, BodyFailure> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyFailure::Transport)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyFailure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use reqwest::header::HeaderValue;
    use serde_json::json;

    use super::*;
    use crate::server::shipengine::{
        ApiErrorDetail, ErrorCode, ErrorSource, ErrorType, Registered, VerificationStarted,
    };

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn decode_error(status: u16, pairs: &[(&'static str, &str)], body: &str) -> ShipEngineError {
        let head = AnswerHead::new(StatusCode::from_u16(status).unwrap(), &headers(pairs));
        head.decode::<Registered>(body.as_bytes()).unwrap_err()
    }

    fn detail(error: &ShipEngineError) -> &ApiErrorDetail {
        assert_eq!(error.errors().len(), 1, "{error:?}");
        &error.errors()[0]
    }

    #[test]
    fn request_body_required_400() {
        let error = decode_error(
            400,
            &[],
            r#"{
            "request_id": "22467317-a130-4927-95a6-76124b716e58",
            "errors": [{
                "error_source": "shipengine",
                "error_type": "validation",
                "error_code": "request_body_required",
                "message": "Request body cannot be empty."
            }]
        }"#,
        );
        assert_eq!(error.status(), Some(400));
        assert_eq!(
            error.request_id(),
            Some("22467317-a130-4927-95a6-76124b716e58")
        );
        assert_eq!(
            detail(&error),
            &ApiErrorDetail {
                error_source: ErrorSource::Shipengine,
                error_type: ErrorType::Validation,
                error_code: ErrorCode::RequestBodyRequired,
                message: "Request body cannot be empty.".into(),
                field_name: None,
            }
        );
        assert_eq!(error.retry_after(), None);
        assert_eq!(error.field_errors().count(), 0);
        assert!(!error.may_have_taken_effect());
    }

    #[test]
    fn unauthorized_401_display_keeps_codes_and_drops_the_message() {
        let error = decode_error(
            401,
            &[],
            r#"{
            "request_id": "cdc19c7b-eec7-4730-8814-462623a62ddb",
            "errors": [{
                "error_source": "shipengine",
                "error_type": "security",
                "error_code": "unauthorized",
                "message": "The API key is invalid. Please see https://www.shipengine.com/docs/auth"
            }]
        }"#,
        );
        assert!(error.has_code(ErrorCode::Unauthorized));
        assert_eq!(detail(&error).error_type, ErrorType::Security);
        assert_eq!(
            error.to_string(),
            "ShipEngine answered HTTP 401: shipengine/security/unauthorized \
             (request id cdc19c7b-eec7-4730-8814-462623a62ddb)"
        );
    }

    #[test]
    fn rate_limited_429_reads_retry_after_sent_as_a_string_header() {
        let error = decode_error(
            429,
            &[
                ("retry-after", "30"),
                (
                    "x-shipengine-requestid",
                    "204c855f-dcc0-4270-ba12-c585fc5ef4bf",
                ),
            ],
            r#"{
                "request_id": "204c855f-dcc0-4270-ba12-c585fc5ef4bf",
                "errors": [{
                    "error_source": "shipengine",
                    "error_type": "system",
                    "error_code": "rate_limit_exceeded",
                    "message": "You have exceeded the rate limit. Please see https://www.shipengine.com/docs/rate-limits"
                }]
            }"#,
        );
        assert_eq!(error.status(), Some(429));
        assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
        assert_eq!(error.first_code(), Some(&ErrorCode::RateLimitExceeded));
        assert_eq!(detail(&error).error_type, ErrorType::System);
    }

    #[test]
    fn retry_after_as_http_date_or_garbage_is_ignored() {
        for value in ["Wed, 21 Oct 2015 07:28:00 GMT", "-5", "soon", "1.5", ""] {
            assert_eq!(
                retry_after(&headers(&[("retry-after", value)])),
                None,
                "{value:?}"
            );
        }
        assert_eq!(
            retry_after(&headers(&[("retry-after", " 7 ")])),
            Some(Duration::from_secs(7))
        );
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn real_404_with_misassigned_method_and_path_fields() {
        // Reproduced as posted in ShipEngine/shipengine-openapi#1, trailing comma removed.
        let error = decode_error(
            404,
            &[],
            r#"{
            "request_id": "1ca82945-e86f-47f1-b585-1f849a68ea62",
            "errors": [{
                "error_source": "shipengine",
                "error_type": "security",
                "error_code": "not_found",
                "message": "POST",
                "method": "/v1/connections/carriers/stamps_com/se-284845/settings",
                "path": "POST /v1/connections/carriers/stamps_com/se-284845/settings is not a valid API endpoint."
            }]
        }"#,
        );
        assert_eq!(
            error.request_id(),
            Some("1ca82945-e86f-47f1-b585-1f849a68ea62")
        );
        assert!(error.has_code(ErrorCode::NotFound));
        assert_eq!(detail(&error).error_type, ErrorType::Security);
        assert!(!error.to_string().contains("not a valid API endpoint"));
    }

    #[test]
    fn carrier_business_rules_error_with_carrier_fields() {
        let error = decode_error(
            400,
            &[],
            r#"{
            "request_id": "5a8d3073-2626-4a64-983d-29c5d55dce5e",
            "errors": [{
                "error_source": "carrier",
                "error_type": "business_rules",
                "error_code": "unspecified",
                "message": "A shipping carrier error occurred: There are no valid services available.",
                "carrier_id": "se-5497981",
                "carrier_code": "fedex",
                "carrier_name": "..."
            }]
        }"#,
        );
        let detail = detail(&error);
        assert_eq!(detail.error_source, ErrorSource::Carrier);
        assert_eq!(detail.error_type, ErrorType::BusinessRules);
        assert_eq!(detail.error_code, ErrorCode::Unspecified);
        assert_eq!(
            error.to_string(),
            "ShipEngine answered HTTP 400: carrier/business_rules/unspecified \
             (request id 5a8d3073-2626-4a64-983d-29c5d55dce5e)"
        );
    }

    #[test]
    fn field_errors_list_only_errors_with_a_field_name() {
        let error = decode_error(
            400,
            &[],
            r#"{
            "request_id": "5a8d3073-2626-4a64-983d-29c5d55dce5e",
            "errors": [
                {"error_source": "shipengine", "error_type": "validation",
                 "error_code": "field_value_required", "message": "m", "field_name": "address.phone"},
                {"error_source": "shipengine", "error_type": "validation",
                 "error_code": "invalid_string_length", "message": "m",
                 "field_name": "nickname", "min_length": 1, "max_length": 50},
                {"error_source": "shipengine", "error_type": "validation",
                 "error_code": "terms_not_accepted", "message": "m"}
            ]
        }"#,
        );
        let fields: Vec<_> = error.field_errors().collect();
        assert_eq!(
            fields,
            [
                ("address.phone", &ErrorCode::FieldValueRequired),
                ("nickname", &ErrorCode::InvalidStringLength)
            ]
        );
        assert!(error.has_code(ErrorCode::TermsNotAccepted));
        assert_eq!(error.first_code(), Some(&ErrorCode::FieldValueRequired));
        assert!(error.to_string().contains(
            "shipengine/validation/field_value_required [address.phone], \
             shipengine/validation/invalid_string_length [nickname], \
             shipengine/validation/terms_not_accepted"
        ));
    }

    #[test]
    fn unknown_enum_values_are_preserved_and_escaped_in_display() {
        let error = decode_error(
            400,
            &[],
            r#"{
            "request_id": "5a8d3073-2626-4a64-983d-29c5d55dce5e",
            "errors": [{"error_source": "wallet_provider", "error_type": "funding_sources",
                        "error_code": "funding_source_error\nFAKE LOG LINE", "message": "m"}]
        }"#,
        );
        let detail = detail(&error);
        assert_eq!(
            detail.error_source,
            ErrorSource::Other("wallet_provider".into())
        );
        assert_eq!(
            detail.error_type,
            ErrorType::Other("funding_sources".into())
        );
        assert_eq!(
            detail.error_code,
            ErrorCode::Other("funding_source_error\nFAKE LOG LINE".into())
        );
        assert!(!error.to_string().contains('\n'), "{error}");
        assert!(!error.has_code(ErrorCode::Unspecified));
    }

    #[test]
    fn request_id_falls_back_to_the_header() {
        let body = r#"{"errors": [{"error_source": "shipengine", "error_type": "system",
                        "error_code": "unspecified", "message": "m"}]}"#;
        let header_id = "8e1a4f0e-1d2b-4c3a-9f00-0123456789ab";
        let error = decode_error(500, &[("x-shipengine-requestid", header_id)], body);
        assert_eq!(error.request_id(), Some(header_id));
        assert_eq!(decode_error(500, &[], body).request_id(), None);
    }

    #[test]
    fn the_body_request_id_wins_and_implausible_ids_are_dropped() {
        let body_id = "22467317-a130-4927-95a6-76124b716e58";
        let header_id = "8e1a4f0e-1d2b-4c3a-9f00-0123456789ab";
        let envelope = |id: &str| {
            json!({"request_id": id, "errors": [{"error_source": "shipengine",
                "error_type": "system", "error_code": "unspecified", "message": "m"}]})
            .to_string()
        };
        let from_body = decode_error(
            503,
            &[("x-shipengine-requestid", header_id)],
            &envelope(body_id),
        );
        assert_eq!(from_body.request_id(), Some(body_id));
        let hostile = decode_error(
            503,
            &[("x-shipengine-requestid", header_id)],
            &envelope("x\nINJECTED"),
        );
        assert_eq!(hostile.request_id(), Some(header_id));
        let hostile_header = decode_error(503, &[("x-shipengine-requestid", "<script>")], "oops");
        assert_eq!(hostile_header.request_id(), None);
    }

    #[test]
    fn html_502_is_an_unexpected_body_with_the_header_request_id() {
        let error = decode_error(
            502,
            &[(
                "x-shipengine-requestid",
                "8e1a4f0e-1d2b-4c3a-9f00-0123456789ab",
            )],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        );
        assert!(matches!(
            &error,
            ShipEngineError::UnexpectedBody { status: 502, request_id: Some(id) }
                if id == "8e1a4f0e-1d2b-4c3a-9f00-0123456789ab"
        ));
        assert!(!error.to_string().contains("Bad Gateway"));
    }

    #[test]
    fn json_error_bodies_that_are_not_the_envelope_are_unexpected() {
        for body in [
            "",
            "{}",
            r#"{"message": "Internal Server Error"}"#,
            r#"{"request_id": "22467317-a130-4927-95a6-76124b716e58", "errors": "boom"}"#,
            r#"{"errors": [{"error_code": "unspecified", "message": "missing source and type"}]}"#,
            r#"{"errors": [{"error_source": 1, "error_type": "system", "error_code": "unspecified", "message": "m"}]}"#,
        ] {
            assert!(
                matches!(
                    decode_error(500, &[], body),
                    ShipEngineError::UnexpectedBody { status: 500, .. }
                ),
                "{body:?}"
            );
        }
    }

    #[test]
    fn an_empty_errors_array_is_still_an_api_error() {
        let error = decode_error(
            409,
            &[],
            r#"{"request_id": "22467317-a130-4927-95a6-76124b716e58", "errors": []}"#,
        );
        assert!(matches!(error, ShipEngineError::Api { status: 409, .. }));
        assert_eq!(error.first_code(), None);
        assert!(error.to_string().contains("no error details"));
    }

    #[test]
    fn success_bodies_decode_into_the_documented_responses() {
        let head = || AnswerHead::new(StatusCode::OK, &HeaderMap::new());
        let registered: Registered = head().decode(br#"{"carrier_id": "se-123890"}"#).unwrap();
        assert_eq!(registered.carrier_id.as_str(), "se-123890");
        let started: VerificationStarted = head()
            .decode(
                br#"{"phone": "5121112222", "verification_id": "vfn_base58encodedguid",
                         "verification_method": "sms/voice", "status": "unverified"}"#,
            )
            .unwrap();
        assert_eq!(started.verification_id.as_str(), "vfn_base58encodedguid");
    }

    #[test]
    fn only_shipengines_own_4xx_refusal_says_nothing_happened() {
        let envelope = |code: &str| {
            format!(
                r#"{{"request_id": "22467317-a130-4927-95a6-76124b716e58", "errors": [{{
                    "error_source": "shipengine", "error_type": "system",
                    "error_code": "{code}", "message": "m"}}]}}"#
            )
        };
        for status in [400, 401, 403, 404, 409, 422, 429] {
            let error = decode_error(status, &[], &envelope("unspecified"));
            assert!(matches!(error, ShipEngineError::Api { .. }), "{error:?}");
            assert!(!error.may_have_taken_effect(), "{status}: a refusal");
        }
        // ShipEngine failed mid-way, or something else answered: the outcome is unknown.
        for status in [500, 502, 503, 504] {
            let error = decode_error(status, &[], &envelope("unspecified"));
            assert!(matches!(error, ShipEngineError::Api { .. }), "{error:?}");
            assert!(error.may_have_taken_effect(), "{status} with an envelope");
        }
        for (status, body) in [
            (502, "<html><h1>502 Bad Gateway</h1></html>"),
            (500, "Internal Server Error"),
            (400, "<html>Bad Request</html>"),
            (404, r#"{"message": "no route"}"#),
        ] {
            let error = decode_error(status, &[], body);
            assert!(
                matches!(error, ShipEngineError::UnexpectedBody { .. }),
                "{error:?}"
            );
            assert!(error.may_have_taken_effect(), "{status} {body}");
        }
        assert!(!ShipEngineError::Connect.may_have_taken_effect());
        assert!(ShipEngineError::NoResponse.may_have_taken_effect());
    }

    #[test]
    fn a_2xx_body_that_does_not_match_is_unexpected_and_may_have_taken_effect() {
        for body in [
            &b"<html></html>"[..],
            br#"{"carrier": "se-1"}"#,
            br#"{"carrier_id": "se-1/../x"}"#,
        ] {
            let head = AnswerHead::new(StatusCode::OK, &HeaderMap::new());
            let error = head.decode::<Registered>(body).unwrap_err();
            assert!(
                matches!(error, ShipEngineError::UnexpectedBody { status: 200, .. }),
                "{error:?}"
            );
            assert!(error.may_have_taken_effect());
        }
    }

    #[test]
    fn a_body_lost_on_success_is_no_response_but_on_failure_is_unexpected() {
        let lost = |status| AnswerHead::new(status, &HeaderMap::new()).body_lost();
        assert!(matches!(lost(StatusCode::OK), ShipEngineError::NoResponse));
        assert!(matches!(
            lost(StatusCode::BAD_REQUEST),
            ShipEngineError::UnexpectedBody { status: 400, .. }
        ));
    }

    proptest! {
        #[test]
        fn decoding_never_panics(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..256)) {
            let head = AnswerHead::new(StatusCode::from_u16(status).unwrap(), &HeaderMap::new());
            let _ = head.decode::<Registered>(&body);
        }

        #[test]
        fn any_error_code_string_round_trips(code in ".*") {
            let parsed: ErrorCode = serde_json::from_value(json!(code.clone())).unwrap();
            prop_assert_eq!(parsed.as_str(), code.as_str());
        }
    }
}
