//! The app's one error type. Every message is written for a merchant: no upstream text, no URL,
//! no key, no card number. Details go to the server log; the merchant gets a calm sentence and,
//! where there is one, a reference that support can look up.

use leptos::server_fn::codec::PostcardEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// One or more fields need the merchant's attention; each error is shown beside its field.
    #[error("There is a problem with the details you entered. Check the highlighted fields.")]
    Invalid(FieldErrors),
    /// ShipEngine refused or failed the call for a reason the merchant cannot fix by editing a field.
    #[error("{message}")]
    Upstream {
        message: String,
        reference: Option<String>,
    },
    /// The registration was sent, but no usable answer came back: the account may or may not
    /// exist. Sending it again could open a second one, so the form is not sent again; support
    /// finds the registration by its reference and settles it.
    #[error(
        "We sent your details to ShipEngine but did not get an answer, so we cannot tell whether \
         your Stamps.com account was opened. Please do not enter your card again: contact support \
         with the reference below, and they will check and finish it for you."
    )]
    OutcomeUnknown { reference: String },
    /// The same registration, sent a moment ago, is still on its way.
    #[error(
        "We are still opening your account. Please wait a minute, then reload this page. Do not \
         enter your card again."
    )]
    RegistrationInProgress,
    /// The form names a registration another browser sent (or this browser stopped sending
    /// its cookies): only the browser that sent it can follow it.
    #[error(
        "This form was already sent from another browser, or with cookies turned off. If you \
         started opening your account there, finish it there. Otherwise allow cookies for this \
         site, then reload this page."
    )]
    SentFromAnotherBrowser,
    /// Too many attempts; the merchant can try again after a while.
    #[error("Too many attempts. Please try again in {}.", wait_in_words(*.retry_after_secs))]
    RateLimited { retry_after_secs: u64 },
    /// Too many wrong codes for the code last sent: only a new code can be checked now.
    #[error("That was too many wrong codes. Send a new code, then enter the new one.")]
    TooManyWrongCodes,
    /// A request we could not read at all (a hand-made or truncated form post).
    #[error("We could not read that request. Please try again.")]
    BadRequest,
    /// A request far larger than any form of this page.
    #[error("That request is too large. Please shorten what you entered and try again.")]
    TooLarge,
    /// A request sent by another site's page, refused.
    #[error(
        "This request came from another website, so we refused it. Open this page directly and try again."
    )]
    CrossSite,
    /// Something broke on our side; the reference is in our logs.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal { reference: Option<String> },
    /// The page's request got no answer (the connection dropped). Sending again is safe: a
    /// registration goes upstream once per form, whatever the number of tries.
    #[error("We could not reach our server. Check your internet connection, then try again.")]
    Unreachable,
}

impl AppError {
    /// One field's message, as the summary and the field show it.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.push(field, message);
        AppError::Invalid(errors)
    }

    /// The reference a merchant can quote to support, when there is one.
    pub fn reference(&self) -> Option<&str> {
        match self {
            AppError::Upstream { reference, .. } | AppError::Internal { reference } => {
                reference.as_deref()
            }
            AppError::OutcomeUnknown { reference } => Some(reference),
            _ => None,
        }
    }

    /// Field errors, when the error is about fields.
    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = PostcardEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The body or its arguments could not be decoded: the client's fault.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_) => AppError::BadRequest,
            // Anything else (network on the client, serialisation on the server) is ours.
            _ => AppError::Internal { reference: None },
        }
    }
}

/// A wait, as a person says it: "30 seconds", "1 minute", "2 hours" (rounded up).
pub fn wait_in_words(secs: u64) -> String {
    let (count, unit) = match secs {
        0..60 => (secs, "second"),
        60..=7200 => (secs.div_ceil(60), "minute"),
        _ => (secs.div_ceil(3600), "hour"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

/// A message about one form field, keyed by the field's `name` (which is also its `id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The field errors of one submission, in the order the fields appear on the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        // One message per field is enough: the first problem found is the one to fix first.
        if self.get(field).is_none() {
            self.0.push(FieldError {
                field: field.to_owned(),
                message: message.into(),
            });
        }
    }

    /// Replaces the message of `field` (or clears it with `None`), as live validation does.
    pub fn set(&mut self, field: &str, message: Option<String>) {
        self.0.retain(|e| e.field != field);
        if let Some(message) = message {
            self.push(field, message);
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(wait_in_words(1), "1 second");
        assert_eq!(wait_in_words(30), "30 seconds");
        assert_eq!(wait_in_words(60), "1 minute");
        assert_eq!(wait_in_words(61), "2 minutes");
        assert_eq!(wait_in_words(3600), "60 minutes");
        assert_eq!(wait_in_words(7201), "3 hours");
    }

    #[test]
    fn a_rate_limit_says_when_to_try_again() {
        let error = AppError::RateLimited {
            retry_after_secs: 90,
        };
        assert_eq!(
            error.to_string(),
            "Too many attempts. Please try again in 2 minutes."
        );
    }
}
