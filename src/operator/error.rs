//! The operator API's one error type, answered as JSON:
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`. Messages are ours and safe to
//! show; what broke inside is logged, never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OperatorError {
    /// No token is configured: the API is off (answered as if it did not exist).
    #[error("the operator API is not enabled")]
    Disabled,
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// The request is wrong; `field` names the part to fix when there is one.
    #[error("{message}")]
    Invalid {
        field: Option<&'static str>,
        message: String,
    },
    #[error("the request body is too large")]
    TooLarge,
    #[error("not found")]
    NotFound,
    #[error("something went wrong on our side; please try again")]
    Internal,
}

impl OperatorError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: Some(field),
            message: message.into(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Disabled | Self::NotFound => "not_found",
            Self::Unauthorized => "unauthorized",
            Self::Invalid { .. } => "invalid_request",
            Self::TooLarge => "too_large",
            Self::Internal => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Disabled | Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Invalid { .. } => StatusCode::BAD_REQUEST,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Logs a failure of ours and answers the calm error instead: `map_err(internal)`.
pub fn internal(error: impl std::fmt::Display) -> OperatorError {
    tracing::error!(%error, "operator API request failed");
    OperatorError::Internal
}

impl IntoResponse for OperatorError {
    fn into_response(self) -> Response {
        let mut body = json!({ "code": self.code(), "message": self.to_string() });
        if let Self::Invalid {
            field: Some(field), ..
        } = &self
        {
            body["field"] = json!(field);
        }
        let mut response = (self.status(), Json(json!({ "error": body }))).into_response();
        if self == Self::Unauthorized {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
