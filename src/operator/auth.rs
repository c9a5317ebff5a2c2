//! The operator API's bearer tokens: `Authorization: Bearer <token>`, checked against the
//! configured hashes. Without any configured, the API does not exist (404).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::OperatorError;
use crate::server::AppState;

/// Middleware of every operator API route.
pub async fn require_operator_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !state.operator.api_enabled() {
        return OperatorError::Disabled.into_response();
    }
    match bearer_token(request.headers()) {
        Some(token) if state.operator.accepts_token(token) => next.run(request).await,
        presented => {
            // Never the token itself: only whether one came.
            tracing::warn!(
                token_presented = presented.is_some(),
                path = request.uri().path(),
                "operator API call refused"
            );
            OperatorError::Unauthorized.into_response()
        }
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bearer_token_is_read() {
        let headers = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value.parse().unwrap());
            headers
        };
        assert_eq!(bearer_token(&headers("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(&headers("bearer  abc ")), Some("abc"));
        assert_eq!(bearer_token(&headers("Basic abc")), None);
        assert_eq!(bearer_token(&headers("Bearer ")), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }
}
