//! The console's one error type. Each variant has a status and a sentence safe to show; what
//! went wrong in detail goes to the log. A handler returns it; the console's error layer renders
//! it as a page (see [`super::routes`]).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::server::storage::StorageError;

pub const SIGN_IN_PATH: &str = "/admin/sign-in";

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// Not signed in: the answer is the way to the sign-in page.
    #[error("not signed in")]
    NotSignedIn,
    #[error("no such page")]
    NotFound,
    /// A post without this session's form token (another site's, or an old page's).
    #[error("form token missing or wrong")]
    FormExpired,
    /// A request the console cannot read, with what to do about it.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// The database did not answer (logged where it happened).
    #[error("database unavailable")]
    Unavailable,
}

impl From<StorageError> for AdminError {
    fn from(error: StorageError) -> Self {
        tracing::error!(%error, "admin console: database failed");
        Self::Unavailable
    }
}

impl From<tower_sessions::session::Error> for AdminError {
    fn from(error: tower_sessions::session::Error) -> Self {
        tracing::error!(%error, "admin console: session store failed");
        Self::Unavailable
    }
}

impl AdminError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotSignedIn => StatusCode::SEE_OTHER,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::FormExpired => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The page's title and what it says.
    pub fn words(&self) -> (&'static str, &'static str) {
        match self {
            Self::NotSignedIn => ("Sign in", "Sign in to use the admin console."),
            Self::NotFound => ("Not found", "There is no such page or registration."),
            Self::FormExpired => (
                "This form has expired",
                "It was not sent from this console's current page. Go back, reload the page and \
                 send it again.",
            ),
            Self::BadRequest(why) => ("That request cannot be read", why),
            Self::Unavailable => (
                "Try again in a moment",
                "The database did not answer. Nothing was changed.",
            ),
        }
    }
}

/// A response that the console's error layer replaces with the error's page.
#[derive(Clone, Debug)]
pub struct ErrorToRender(pub AdminError);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        if self == Self::NotSignedIn {
            return Redirect::to(SIGN_IN_PATH).into_response();
        }
        let mut response = self.status().into_response();
        if self == Self::Unavailable {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response.extensions_mut().insert(ErrorToRender(self));
        response
    }
}
