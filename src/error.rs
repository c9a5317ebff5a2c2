//! The app's one error type. It carries codes, never sentences: what the merchant reads comes
//! from the language catalog ([`crate::i18n`]), with no upstream text, no URL, no key and no card
//! number. Details go to the server log; the merchant gets a calm sentence and, where there is
//! one, a reference that support can look up.

use std::borrow::Cow;

use leptos::server_fn::codec::PostcardEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::connect::ConnectField;
use crate::fields::FieldProblem;
use crate::i18n::Locale;
use crate::postage::PostageField;
use crate::registration::RegistrationField;
use crate::verification::VerificationField;

/// Each variant's English wording is in `src/i18n/en.rs` (`Display` is the English text, for
/// logs and for the plain-text refusals of a form post).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// One or more fields need the merchant's attention; each error is shown beside its field.
    Invalid(FieldErrors),
    /// ShipEngine refused or failed the call for a reason the merchant cannot fix by editing a field.
    Upstream {
        problem: UpstreamProblem,
        reference: Option<String>,
    },
    /// The registration was sent, but no usable answer came back: the account may or may not
    /// exist. Sending it again could open a second one, so the form is not sent again; support
    /// finds the registration by its reference and settles it.
    OutcomeUnknown { reference: String },
    /// The same registration, sent a moment ago, is still on its way.
    RegistrationInProgress,
    /// The form names a registration another browser sent (or this browser stopped sending
    /// its cookies): only the browser that sent it can follow it.
    SentFromAnotherBrowser,
    /// Too many attempts; the merchant can try again after a while.
    RateLimited { retry_after_secs: u64 },
    /// Too many wrong codes for the code last sent: only a new code can be checked now.
    TooManyWrongCodes,
    /// A request we could not read at all (a hand-made or truncated form post).
    BadRequest,
    /// A request far larger than any form of this page.
    TooLarge,
    /// A request sent by another site's page, refused.
    CrossSite,
    /// The form is open only to merchants sent by the operator's platform (`PUBLIC_FORM=off`),
    /// and this browser did not come through an onboarding link.
    LinkRequired,
    /// Something broke on our side; the reference is in our logs.
    Internal { reference: Option<String> },
    /// The page's request got no answer (the connection dropped). Sending again is safe: a
    /// registration goes upstream once per form, whatever the number of tries.
    Unreachable,
}

/// Why ShipEngine did not do what was asked, when no field is to blame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpstreamProblem {
    /// A 400, 409 or 422 on no field the form shows.
    DetailsRefused,
    /// A 401 or 403: the operator's key or account, not the merchant's details.
    NotSetUp,
    /// A 404 on the registration.
    RegistrationUnknown,
    /// No connection to ShipEngine.
    Unreachable,
    /// ShipEngine took too long to answer.
    NoAnswer,
    /// Any other failure (a 5xx, an answer we cannot read).
    Trouble,
    /// ShipEngine refused the registration sent with this form (what a reload shows).
    RegistrationRefused,
    /// The code's verification is no longer known (a 404 on the check).
    CodeExpired,
    /// Stamps.com did not accept the username and password of the account to connect.
    StampsLoginRefused,
    /// Stamps.com locked the account to connect.
    StampsAccountLocked,
    /// The Stamps.com account is already connected.
    StampsAlreadyConnected,
    /// The connection was sent, but no usable answer came back: it may or may not be connected;
    /// it is not sent again, and support settles it by the row's reference.
    ConnectionUnknown,
}

impl AppError {
    /// One field's problem, as the summary and the field show it.
    pub fn invalid_field(field: impl Into<FormField>, problem: FieldProblem) -> Self {
        let mut errors = FieldErrors::default();
        errors.push(field, problem);
        AppError::Invalid(errors)
    }

    /// What the merchant reads, in `locale`.
    pub fn message(&self, locale: Locale) -> Cow<'static, str> {
        locale.error(self)
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

/// The English text, for logs and plain-text answers; pages use [`AppError::message`].
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Locale::En))
    }
}

impl std::error::Error for AppError {}

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

/// A field of one of the app's forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FormField {
    Registration(RegistrationField),
    Verification(VerificationField),
    Connect(ConnectField),
    Postage(PostageField),
}

impl FormField {
    /// The field's HTML `name`, which is also its `id`.
    pub const fn name(self) -> &'static str {
        match self {
            FormField::Registration(field) => field.name(),
            FormField::Verification(field) => field.name(),
            FormField::Connect(field) => field.name(),
            FormField::Postage(field) => field.name(),
        }
    }
}

impl From<RegistrationField> for FormField {
    fn from(field: RegistrationField) -> Self {
        FormField::Registration(field)
    }
}

impl From<ConnectField> for FormField {
    fn from(field: ConnectField) -> Self {
        FormField::Connect(field)
    }
}

impl From<VerificationField> for FormField {
    fn from(field: VerificationField) -> Self {
        FormField::Verification(field)
    }
}

impl From<PostageField> for FormField {
    fn from(field: PostageField) -> Self {
        FormField::Postage(field)
    }
}

/// What is wrong with one form field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: FormField,
    pub problem: FieldProblem,
}

/// The field errors of one submission, in the order the fields appear on the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: impl Into<FormField>, problem: FieldProblem) {
        let field = field.into();
        // One message per field is enough: the first problem found is the one to fix first.
        if self.get(field).is_none() {
            self.0.push(FieldError { field, problem });
        }
    }

    /// Replaces the problem of `field` (or clears it with `None`), as live validation does.
    pub fn set(&mut self, field: impl Into<FormField>, problem: Option<FieldProblem>) {
        let field = field.into();
        self.0.retain(|e| e.field != field);
        if let Some(problem) = problem {
            self.push(field, problem);
        }
    }

    pub fn get(&self, field: impl Into<FormField>) -> Option<FieldProblem> {
        let field = field.into();
        self.0.iter().find(|e| e.field == field).map(|e| e.problem)
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
    fn a_rate_limit_says_when_to_try_again() {
        let error = AppError::RateLimited {
            retry_after_secs: 90,
        };
        assert_eq!(
            error.to_string(),
            "Too many attempts. Please try again in 2 minutes."
        );
    }

    #[test]
    fn one_problem_per_field_and_set_replaces_it() {
        let mut errors = FieldErrors::default();
        errors.push(RegistrationField::Email, FieldProblem::EmailMissing);
        errors.push(RegistrationField::Email, FieldProblem::EmailInvalid);
        errors.push(VerificationField::Code, FieldProblem::CodeMissing);
        assert_eq!(
            errors.get(RegistrationField::Email),
            Some(FieldProblem::EmailMissing)
        );
        errors.set(RegistrationField::Email, Some(FieldProblem::EmailTooLong));
        assert_eq!(
            errors.get(RegistrationField::Email),
            Some(FieldProblem::EmailTooLong)
        );
        errors.set(RegistrationField::Email, None);
        assert_eq!(errors.get(RegistrationField::Email), None);
        // The code step's phone is another field than the address's phone.
        assert_eq!(errors.get(RegistrationField::Phone), None);
        assert_eq!(errors.iter().count(), 1);
    }

    #[test]
    fn errors_survive_postcard_and_json() {
        let errors = [
            AppError::invalid_field(
                RegistrationField::CardNumber,
                FieldProblem::CardNumberWrongLength(crate::fields::card::CardBrand::Amex),
            ),
            AppError::invalid_field(VerificationField::Code, FieldProblem::CodeWrong),
            AppError::Upstream {
                problem: UpstreamProblem::DetailsRefused,
                reference: Some("ref".into()),
            },
            AppError::RateLimited {
                retry_after_secs: 3,
            },
        ];
        for error in errors {
            let bytes = postcard::to_allocvec(&error).unwrap();
            assert_eq!(postcard::from_bytes::<AppError>(&bytes).unwrap(), error);
            let json = serde_json::to_string(&error).unwrap();
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), error);
        }
    }

    #[test]
    fn a_field_is_named_as_its_form_posts_it() {
        assert_eq!(
            FormField::from(RegistrationField::AddressLine1).name(),
            "address_line1"
        );
        assert_eq!(
            FormField::from(RegistrationField::AgreeToCarrierTerms).name(),
            "agree_to_carrier_terms"
        );
        assert_eq!(FormField::from(VerificationField::Code).name(), "code");
    }
}
