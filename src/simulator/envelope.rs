//! ShipEngine's error envelope: `{"request_id": <uuid>, "errors": [...]}`, with the same id in
//! the `x-shipengine-requestid` header.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use uuid::Uuid;

pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-shipengine-requestid");

/// Values from the spec's `error_type` enumeration that the simulator produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ErrorType {
    Validation,
    Security,
    System,
    BusinessRules,
    AccountStatus,
}

/// Values from the spec's `error_code` enumeration (plus `not_found`, seen in real traffic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ErrorCode {
    FieldValueRequired,
    InvalidFieldValue,
    RequestBodyRequired,
    TermsNotAccepted,
    Unauthorized,
    Forbidden,
    NotFound,
    VerificationFailure,
    RateLimitExceeded,
    Unspecified,
    CarrierConflict,
    FundingSourceError,
    FundingSourceMissingConfiguration,
    InvalidBillingPlan,
}

/// One entry of the `errors` array.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ErrorDetail {
    error_source: &'static str,
    pub error_type: ErrorType,
    pub error_code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_name: Option<String>,
}

impl ErrorDetail {
    pub fn new(error_type: ErrorType, error_code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error_source: "shipengine",
            error_type,
            error_code,
            message: message.into(),
            field_name: None,
        }
    }

    /// An error that the carrier (Stamps.com) itself gave, passed on by ShipEngine.
    pub fn from_carrier(
        error_type: ErrorType,
        error_code: ErrorCode,
        message: impl Into<String>,
    ) -> Self {
        Self {
            error_source: "carrier",
            ..Self::new(error_type, error_code, message)
        }
    }

    /// A validation error about one field, named by its dotted path (`address.postal_code`).
    pub fn field(error_code: ErrorCode, field_name: &str, message: impl Into<String>) -> Self {
        Self {
            field_name: Some(field_name.to_owned()),
            ..Self::new(ErrorType::Validation, error_code, message)
        }
    }
}

/// A complete error answer: status, errors and, for 429, the `Retry-After` seconds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub errors: Vec<ErrorDetail>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, errors: Vec<ErrorDetail>) -> Self {
        Self {
            status,
            errors,
            retry_after_secs: None,
        }
    }

    pub fn single(status: StatusCode, detail: ErrorDetail) -> Self {
        Self::new(status, vec![detail])
    }

    /// 400 with every field problem found.
    pub fn validation(errors: Vec<ErrorDetail>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, errors)
    }

    pub fn request_body_required() -> Self {
        Self::single(
            StatusCode::BAD_REQUEST,
            ErrorDetail::new(
                ErrorType::Validation,
                ErrorCode::RequestBodyRequired,
                "Request body cannot be empty.",
            ),
        )
    }

    /// 400 about the body as a whole (not JSON, not an object, unreadable).
    pub fn invalid_body(message: impl Into<String>) -> Self {
        Self::single(
            StatusCode::BAD_REQUEST,
            ErrorDetail::new(ErrorType::Validation, ErrorCode::InvalidFieldValue, message),
        )
    }

    pub fn unauthorized() -> Self {
        Self::single(
            StatusCode::UNAUTHORIZED,
            ErrorDetail::new(
                ErrorType::Security,
                ErrorCode::Unauthorized,
                "The API key is invalid. Please see https://www.shipengine.com/docs/auth",
            ),
        )
    }

    /// 404 for a path or method the API does not have; `error_type` as in the real answer.
    pub fn no_such_endpoint(method: &str, path: &str) -> Self {
        Self::single(
            StatusCode::NOT_FOUND,
            ErrorDetail::new(
                ErrorType::Security,
                ErrorCode::NotFound,
                format!("{method} {path} is not a valid API endpoint."),
            ),
        )
    }

    /// 404 for an unknown carrier or verification.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::single(
            StatusCode::NOT_FOUND,
            ErrorDetail::new(ErrorType::Validation, ErrorCode::NotFound, message),
        )
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::single(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorDetail::new(
                    ErrorType::System,
                    ErrorCode::RateLimitExceeded,
                    "You have exceeded the rate limit. Please see https://www.shipengine.com/docs/rate-limits",
                ),
            )
        }
    }

    pub fn system(status: StatusCode, message: impl Into<String>) -> Self {
        Self::single(
            status,
            ErrorDetail::new(ErrorType::System, ErrorCode::Unspecified, message),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = Uuid::new_v4().to_string();
        let body = serde_json::json!({ "request_id": request_id, "errors": self.errors });
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            headers.insert(REQUEST_ID_HEADER, value);
        }
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Lets handlers use `?` on `ApiError` when their error type is `Response`.
impl From<ApiError> for Response {
    fn from(error: ApiError) -> Self {
        error.into_response()
    }
}

/// Response middleware: every answer is JSON and carries a request id, like the real API's.
pub(crate) async fn stamp_response(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_TYPE)
        .or_insert(HeaderValue::from_static("application/json"));
    if !headers.contains_key(REQUEST_ID_HEADER)
        && let Ok(value) = HeaderValue::from_str(&Uuid::new_v4().to_string())
    {
        headers.insert(REQUEST_ID_HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_serialize_with_field_name_and_spec_enums() {
        let detail = ErrorDetail::field(ErrorCode::FieldValueRequired, "address.phone", "required");
        assert_eq!(
            serde_json::to_value(detail).ok(),
            Some(serde_json::json!({
                "error_source": "shipengine",
                "error_type": "validation",
                "error_code": "field_value_required",
                "message": "required",
                "field_name": "address.phone",
            }))
        );
    }

    #[test]
    fn errors_without_a_field_omit_field_name() {
        let detail = ErrorDetail::new(ErrorType::BusinessRules, ErrorCode::Forbidden, "no");
        let json = serde_json::to_value(detail).unwrap_or_default();
        assert_eq!(json["error_type"], "business_rules");
        assert!(json.get("field_name").is_none());
    }

    #[test]
    fn rate_limited_response_carries_retry_after_and_matching_request_id() {
        let response = ApiError::rate_limited(17).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "17");
        assert!(response.headers().contains_key(REQUEST_ID_HEADER));
    }
}
