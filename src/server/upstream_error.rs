//! Turns a ShipEngine failure into a problem a merchant can act on, which the catalog words
//! (`crate::i18n`). The detail goes to the log
//! (codes, fields, request id: never the upstream message, which may quote what was sent).

use crate::error::{AppError, FieldErrors, FormField, UpstreamProblem};
use crate::fields::FieldProblem;
use crate::server::shipengine::{ErrorCode, ShipEngineError};
use crate::server::storage::RegistrationEvent;

/// What a failed call that opens an account (a registration, a connection) says of its row:
/// its outcome unknown when the call may have taken effect, else refused. `error` is `failure`
/// as logged (`failure.to_string()`), kept by the caller for the event to borrow.
pub fn failure_event<'a>(failure: &'a ShipEngineError, error: &'a str) -> RegistrationEvent<'a> {
    if failure.may_have_taken_effect() {
        RegistrationEvent::OutcomeUnknown { error }
    } else {
        RegistrationEvent::Failed {
            request_id: failure.request_id(),
            error,
        }
    }
}

/// Maps `error` for the call named `call`. `field_of` says which form field an upstream
/// `field_name` belongs to, so the problem can sit beside it.
pub fn to_app_error<F: Into<FormField>>(
    call: &'static str,
    error: &ShipEngineError,
    field_of: fn(&str) -> Option<F>,
) -> AppError {
    tracing::warn!(call, status = ?error.status(), request_id = ?error.request_id(), %error, "upstream call failed");
    let reference = error.request_id().map(str::to_owned);
    match error {
        ShipEngineError::Api {
            status: 429,
            retry_after,
            ..
        } => AppError::RateLimited {
            retry_after_secs: retry_after.map_or(30, |wait| wait.as_secs().max(1)),
        },
        ShipEngineError::Api {
            status: 400 | 409 | 422,
            ..
        } => field_errors(error, field_of).unwrap_or(AppError::Upstream {
            problem: UpstreamProblem::DetailsRefused,
            reference,
        }),
        ShipEngineError::Api {
            status: 401 | 403, ..
        } => AppError::Upstream {
            problem: UpstreamProblem::NotSetUp,
            reference,
        },
        ShipEngineError::Api { status: 404, .. } => AppError::Upstream {
            problem: UpstreamProblem::RegistrationUnknown,
            reference,
        },
        ShipEngineError::Connect => AppError::Upstream {
            problem: UpstreamProblem::Unreachable,
            reference: None,
        },
        ShipEngineError::NoResponse => AppError::Upstream {
            problem: UpstreamProblem::NoAnswer,
            reference: None,
        },
        _ => AppError::Upstream {
            problem: UpstreamProblem::Trouble,
            reference,
        },
    }
}

/// Upstream validation errors on fields we show, worded by us.
fn field_errors<F: Into<FormField>>(
    error: &ShipEngineError,
    field_of: fn(&str) -> Option<F>,
) -> Option<AppError> {
    let mut errors = FieldErrors::default();
    for (upstream_field, code) in error.field_errors() {
        let Some(field) = field_of(upstream_field) else {
            continue;
        };
        let problem = match code {
            ErrorCode::FieldValueRequired => FieldProblem::UpstreamRequired,
            ErrorCode::InvalidStringLength => FieldProblem::UpstreamLength,
            ErrorCode::TermsNotAccepted => FieldProblem::TermsNotAccepted,
            _ => FieldProblem::UpstreamRefused,
        };
        errors.push(field, problem);
    }
    (!errors.is_empty()).then_some(AppError::Invalid(errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::RegistrationField;
    use crate::server::shipengine::{ApiErrorDetail, ErrorSource, ErrorType};
    use std::time::Duration;

    fn api_error(status: u16, errors: Vec<(&str, Option<&str>)>) -> ShipEngineError {
        ShipEngineError::Api {
            status,
            request_id: Some("5a8d3073-2626-4a64-983d-29c5d55dce5e".into()),
            errors: errors
                .into_iter()
                .map(|(code, field)| ApiErrorDetail {
                    error_source: ErrorSource::Shipengine,
                    error_type: ErrorType::Validation,
                    error_code: ErrorCode::from(code.to_owned()),
                    message: "upstream wording, never shown".into(),
                    field_name: field.map(str::to_owned),
                })
                .collect(),
            retry_after: None,
        }
    }

    fn registration_field(upstream: &str) -> Option<RegistrationField> {
        match upstream {
            "address.postal_code" => Some(RegistrationField::PostalCode),
            "credit_card.number" => Some(RegistrationField::CardNumber),
            _ => None,
        }
    }

    #[test]
    fn upstream_field_errors_sit_beside_their_fields_in_our_words() {
        let error = api_error(
            400,
            vec![
                ("invalid_field_value", Some("address.postal_code")),
                ("field_value_required", Some("credit_card.number")),
            ],
        );
        let AppError::Invalid(errors) = to_app_error("register", &error, registration_field) else {
            panic!("field errors expected");
        };
        assert_eq!(
            errors.get(RegistrationField::PostalCode),
            Some(FieldProblem::UpstreamRefused)
        );
        assert_eq!(
            errors.get(RegistrationField::CardNumber),
            Some(FieldProblem::UpstreamRequired)
        );
    }

    #[test]
    fn errors_on_no_known_field_go_to_the_summary_with_the_reference() {
        let error = api_error(400, vec![("some_new_code", Some("address.country_code"))]);
        let app_error = to_app_error("register", &error, registration_field);
        assert_eq!(
            app_error.reference(),
            Some("5a8d3073-2626-4a64-983d-29c5d55dce5e")
        );
        assert_eq!(
            app_error,
            AppError::Upstream {
                problem: UpstreamProblem::DetailsRefused,
                reference: Some("5a8d3073-2626-4a64-983d-29c5d55dce5e".into()),
            }
        );
        assert!(!app_error.to_string().contains("upstream wording"));
    }

    #[test]
    fn rate_limits_say_when_to_try_again() {
        let error = ShipEngineError::Api {
            status: 429,
            request_id: None,
            errors: vec![],
            retry_after: Some(Duration::from_secs(42)),
        };
        assert_eq!(
            to_app_error("send_code", &error, registration_field),
            AppError::RateLimited {
                retry_after_secs: 42
            }
        );
    }

    #[test]
    fn a_bad_key_is_the_operators_problem_not_the_merchants() {
        let error = api_error(401, vec![("unauthorized", None)]);
        let app_error = to_app_error("register", &error, registration_field);
        assert!(matches!(
            app_error,
            AppError::Upstream {
                problem: UpstreamProblem::NotSetUp,
                ..
            }
        ));
        let message = app_error.to_string();
        assert!(message.contains("not set up correctly"), "{message}");
    }
}
