//! Step 1's USPS check of the address (issue 14): one `POST /v1/addresses/validate` before the
//! registration is claimed, what its answer means for the merchant, and whether the check is
//! available at all (`/readyz` shows it). The check never blocks a merchant: when ShipEngine
//! cannot do it (the operator's plan, a timeout, an outage) the registration goes on without it.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use super::{
    AddressCheck, AddressDecision, AddressPart, PostalAddress, RegistrationField as Field,
    RegistrationForm, ValidRegistration, validate_registration,
};
use crate::error::FieldErrors;
use crate::fields::FieldProblem;
use crate::fields::expiry::today_utc;
use crate::server::AppState;
use crate::server::limits::unix_now;
use crate::server::shipengine::{
    Address, AddressMessage, AddressValidation, AddressValidationStatus, ErrorCode, ShipEngineError,
};

/// Whether the check is switched on (`ADDRESS_VALIDATION`), and how it went last time.
#[derive(Debug)]
pub struct AddressChecks {
    enabled: bool,
    /// One call's limit: a merchant never waits for retries of a check they can do without.
    timeout: Duration,
    /// `None` until the first check; then the cause of the last failure, if it failed.
    last: Mutex<Option<Result<(), &'static str>>>,
    /// The causes already logged: once per kind, not once per merchant.
    logged: Mutex<HashSet<&'static str>>,
}

/// The longest one check may take, whatever the upstream timeout: a merchant never waits long
/// for a check they can do without, and a registration's request (up to two checks, then the
/// registration) stays within `HTTP_REQUEST_TIMEOUT_SECS`.
pub const ADDRESS_CHECK_LONGEST: Duration = Duration::from_secs(5);

impl AddressChecks {
    pub fn new(enabled: bool, upstream_timeout: Duration) -> Self {
        Self {
            enabled,
            timeout: upstream_timeout.min(ADDRESS_CHECK_LONGEST),
            last: Mutex::new(None),
            logged: Mutex::new(HashSet::new()),
        }
    }

    /// What `/readyz` says of it: `off`, `on`, or `unavailable: <cause>`.
    pub fn status(&self) -> String {
        if !self.enabled {
            return "off".to_owned();
        }
        match *lock(&self.last) {
            None | Some(Ok(())) => "on".to_owned(),
            Some(Err(cause)) => format!("unavailable: {cause}"),
        }
    }

    fn worked(&self) {
        *lock(&self.last) = Some(Ok(()));
        // An outage of the same kind after this recovery is logged again.
        lock(&self.logged).clear();
    }

    fn failed(&self, cause: &'static str, detail: &dyn std::fmt::Display) {
        *lock(&self.last) = Some(Err(cause));
        if lock(&self.logged).insert(cause) {
            tracing::warn!(cause, %detail, "address validation unavailable: registrations go on without it (logged once per cause)");
        }
    }
}

/// A poisoned lock still holds a usable status.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What step 1 does after the check.
#[derive(Debug)]
pub enum Checked {
    /// Register with `valid`. `draft` is the form with the USPS address, when the merchant chose
    /// it: what the form shows if a later error comes.
    GoOn {
        valid: Box<ValidRegistration>,
        draft: Option<RegistrationForm>,
    },
    /// Show the form again with the check: nothing is claimed or counted.
    Ask(AddressCheck),
}

/// Checks the address of `form` (already valid as `valid`) unless the merchant answered
/// `shown`, the check this browser was last shown for the same address. A decision about
/// anything else (another address, a hand-made post) is no decision: the server only acts on a
/// suggestion it made and kept, never on one the browser sends.
pub async fn check_address(
    state: &AppState,
    ip: IpAddr,
    form: &RegistrationForm,
    shown: Option<&AddressCheck>,
    valid: ValidRegistration,
) -> Checked {
    let go_on = |valid| Checked::GoOn {
        valid: Box::new(valid),
        draft: None,
    };
    let checks = &state.address_checks;
    let decision = match (form.address_decision, shown) {
        (AddressDecision::AsTyped, Some(_)) => AddressDecision::AsTyped,
        (AddressDecision::UseUsps, Some(AddressCheck::Suggestion { .. })) => {
            AddressDecision::UseUsps
        }
        _ => AddressDecision::Unset,
    };
    if !checks.enabled || decision == AddressDecision::AsTyped {
        return go_on(valid);
    }
    let typed = PostalAddress::of(form);
    let found = match (decision, shown) {
        // The merchant chose the suggestion this server made and kept in the session for this
        // very address: that one is registered, not whatever USPS would answer now.
        (
            AddressDecision::UseUsps,
            Some(AddressCheck::Suggestion {
                matched, differs, ..
            }),
        ) => Verdict::Differs {
            matched: matched.clone(),
            differs: differs.clone(),
        },
        _ if !admitted(state, ip).await => return go_on(valid),
        _ => match validate(state, &typed).await {
            Some(answer) => verdict(&typed, &answer),
            None => return go_on(valid),
        },
    };
    match found {
        Verdict::Same | Verdict::None => go_on(valid),
        Verdict::Unconfirmed(problems) => {
            Checked::Ask(AddressCheck::Unconfirmed { typed, problems })
        }
        Verdict::Differs { matched, differs } => {
            let with_match = matched.put_into(form);
            let matched_valid = match validate_registration(&with_match, today_utc()) {
                Ok(matched_valid) => matched_valid,
                Err(errors) => {
                    // An address our own rules refuse is no suggestion to offer.
                    tracing::warn!(?errors, "USPS matched an address the form's rules refuse");
                    return Checked::Ask(AddressCheck::Unconfirmed {
                        typed,
                        problems: unconfirmed(&[]),
                    });
                }
            };
            if decision == AddressDecision::UseUsps {
                Checked::GoOn {
                    valid: Box::new(matched_valid),
                    draft: Some(RegistrationForm {
                        address_decision: AddressDecision::Unset,
                        ..with_match
                    }),
                }
            } else {
                Checked::Ask(AddressCheck::Suggestion {
                    typed,
                    matched,
                    differs,
                })
            }
        }
    }
}

/// Whether this form's address may be checked (`LIMIT_ADDRESS_CHECKS_PER_IP`): past the limit,
/// or when the count cannot be read, the registration goes on unchecked (its own limits hold).
async fn admitted(state: &AppState, ip: IpAddr) -> bool {
    let counts = state.limits.address_check_counts(ip);
    let keep_secs = state.limits.longest_window_secs();
    match state.database.admit(&counts, keep_secs, unix_now()).await {
        Ok(Ok(())) => true,
        Ok(Err(over)) => {
            tracing::warn!(limit = over.limit, %ip, "address not checked: limit reached");
            false
        }
        Err(error) => {
            tracing::error!(%error, "address check limit not read: not checked");
            false
        }
    }
}

/// One call for one address; `None` when ShipEngine could not check it.
async fn validate(state: &AppState, typed: &PostalAddress) -> Option<AddressValidation> {
    let checks = &state.address_checks;
    let given = |text: &str| Some(text.trim().to_owned()).filter(|text| !text.is_empty());
    let address = Address {
        address_line1: given(&typed.address_line1),
        address_line2: given(&typed.address_line2),
        city_locality: given(&typed.city_locality),
        state_province: given(&typed.state_province),
        postal_code: given(&typed.postal_code),
        country_code: Some("US".to_owned()),
        ..Address::default()
    };
    let call = state
        .shipengine
        .validate_addresses(std::slice::from_ref(&address));
    match tokio::time::timeout(checks.timeout, call).await {
        Ok(Ok(answer)) => match answer.results.into_iter().next() {
            Some(result) => {
                checks.worked();
                Some(result)
            }
            None => {
                checks.failed("unexpected answer", &"no result for the address sent");
                None
            }
        },
        Ok(Err(error)) => {
            checks.failed(cause_of(&error), &error);
            None
        }
        Err(_) => {
            checks.failed(
                "no answer",
                &format!("no answer within {:?}", checks.timeout),
            );
            None
        }
    }
}

/// Why ShipEngine could not check, in a word or two (what `/readyz` shows).
fn cause_of(error: &ShipEngineError) -> &'static str {
    if error.has_code(ErrorCode::InvalidBillingPlan) {
        return "plan";
    }
    match error {
        ShipEngineError::Api { status: 429, .. } => "rate limited",
        ShipEngineError::Api {
            status: 401 | 403, ..
        } => "not allowed",
        ShipEngineError::Api { status, .. } if *status < 500 => "refused",
        ShipEngineError::Api { .. } | ShipEngineError::UnexpectedBody { .. } => "upstream error",
        ShipEngineError::Connect => "unreachable",
        ShipEngineError::NoResponse => "no answer",
    }
}

/// What one result means for the address as typed.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// USPS has it as typed (case, spacing, punctuation and ZIP+4 aside).
    Same,
    Differs {
        matched: PostalAddress,
        differs: Vec<AddressPart>,
    },
    /// USPS could not confirm it: the problems, per address field.
    Unconfirmed(FieldErrors),
    /// A status we do not know: go on as if unchecked.
    None,
}

fn verdict(typed: &PostalAddress, result: &AddressValidation) -> Verdict {
    match result.status {
        AddressValidationStatus::Verified | AddressValidationStatus::Warning => {
            match &result.matched_address {
                Some(matched) => {
                    let matched = postal_address(matched);
                    let differs = differing_parts(typed, &matched);
                    if differs.is_empty() {
                        Verdict::Same
                    } else {
                        Verdict::Differs { matched, differs }
                    }
                }
                None if result.status == AddressValidationStatus::Verified => Verdict::Same,
                None => Verdict::Unconfirmed(unconfirmed(&result.messages)),
            }
        }
        AddressValidationStatus::Error | AddressValidationStatus::Unverified => {
            Verdict::Unconfirmed(unconfirmed(&result.messages))
        }
        AddressValidationStatus::Other(ref status) => {
            tracing::warn!(%status, "address validation answered a status we do not know");
            Verdict::None
        }
    }
}

fn postal_address(address: &Address) -> PostalAddress {
    let text = |part: &Option<String>| part.clone().unwrap_or_default();
    PostalAddress {
        address_line1: text(&address.address_line1),
        address_line2: text(&address.address_line2),
        city_locality: text(&address.city_locality),
        state_province: text(&address.state_province),
        postal_code: text(&address.postal_code),
    }
}

/// The problems USPS found, each on the field it is about, worded by our catalog (never
/// ShipEngine's own text). At least one: the first line's, when no message says more.
fn unconfirmed(messages: &[AddressMessage]) -> FieldErrors {
    let mut problems = FieldErrors::default();
    for message in messages {
        let (field, problem) = match message.detail_code.as_deref() {
            Some("invalid_postal_code") => (Field::PostalCode, FieldProblem::UspsZipUnknown),
            Some("address_not_found") => (Field::AddressLine1, FieldProblem::UspsAddressNotFound),
            _ => (Field::AddressLine1, FieldProblem::UspsAddressUnconfirmed),
        };
        problems.push(field, problem);
    }
    if problems.is_empty() {
        problems.push(Field::AddressLine1, FieldProblem::UspsAddressUnconfirmed);
    }
    problems
}

/// The parts of `matched` that differ from `typed`, in page order: compared without case,
/// spacing or punctuation, and the ZIP code on its first five digits, so that USPS's capitals
/// and ZIP+4 alone never stop a merchant.
pub fn differing_parts(typed: &PostalAddress, matched: &PostalAddress) -> Vec<AddressPart> {
    AddressPart::ALL
        .into_iter()
        .filter(|&part| {
            let (typed, matched) = (typed.part(part), matched.part(part));
            match part {
                AddressPart::PostalCode => zip5(typed) != zip5(matched),
                _ => fold(typed) != fold(matched),
            }
        })
        .collect()
}

/// Upper case, punctuation dropped, words separated by one space.
fn fold(text: &str) -> String {
    text.split_whitespace()
        .map(|word| {
            word.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_uppercase)
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn zip5(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).take(5).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn address(line1: &str, line2: &str, city: &str, state: &str, zip: &str) -> PostalAddress {
        PostalAddress {
            address_line1: line1.into(),
            address_line2: line2.into(),
            city_locality: city.into(),
            state_province: state.into(),
            postal_code: zip.into(),
        }
    }

    fn result(value: serde_json::Value) -> AddressValidation {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn case_spacing_punctuation_and_zip_plus_four_are_the_same_address() {
        let typed = address("4009  Marathon Blvd.", "Ste #300", "austin", "tx", "78756");
        let usps = address(
            "4009 MARATHON BLVD",
            "STE 300",
            "AUSTIN",
            "TX",
            "78756-3915",
        );
        assert_eq!(differing_parts(&typed, &usps), []);
    }

    #[test]
    fn each_part_that_differs_is_named_in_page_order() {
        let typed = address("4009 Marathon Boulevard", "", "Austn", "TX", "78756");
        let usps = address("4009 MARATHON BLVD", "", "AUSTIN", "TX", "78756-3915");
        assert_eq!(
            differing_parts(&typed, &usps),
            [AddressPart::Line1, AddressPart::City]
        );
        let moved = address("4009 MARATHON BLVD", "STE 1", "AUSTIN", "CA", "78701");
        assert_eq!(
            differing_parts(&typed, &moved),
            [
                AddressPart::Line1,
                AddressPart::Line2,
                AddressPart::City,
                AddressPart::State,
                AddressPart::PostalCode
            ]
        );
    }

    #[test]
    fn a_verified_match_as_typed_goes_on_and_a_corrected_one_is_a_suggestion() {
        let typed = address("4009 Marathon Blvd", "", "Austin", "TX", "78756");
        let same = result(json!({"status": "verified", "original_address": {},
            "matched_address": {"address_line1": "4009 MARATHON BLVD", "city_locality": "AUSTIN",
                "state_province": "TX", "postal_code": "78756-3915"}}));
        assert_eq!(verdict(&typed, &same), Verdict::Same);

        let corrected = result(json!({"status": "warning", "original_address": {},
            "matched_address": {"address_line1": "4009 MARATHON BLVD", "city_locality": "AUSTIN",
                "state_province": "TX", "postal_code": "78701"},
            "messages": [{"code": "a1003", "message": "changed", "type": "warning",
                "detail_code": "city_locality_changed_or_added"}]}));
        let Verdict::Differs { matched, differs } = verdict(&typed, &corrected) else {
            panic!("a different match is a suggestion");
        };
        assert_eq!(differs, [AddressPart::PostalCode]);
        assert_eq!(matched.postal_code, "78701");
        assert_eq!(matched.address_line2, "");
    }

    #[test]
    fn error_and_unverified_put_our_words_on_the_fields() {
        let typed = address("1 Nowhere", "", "Austin", "TX", "00000");
        let unverified = result(json!({"status": "unverified", "original_address": {},
            "matched_address": null, "messages": [{"code": "a1000",
                "message": "Invalid postal code.", "type": "error",
                "detail_code": "invalid_postal_code"}]}));
        let Verdict::Unconfirmed(problems) = verdict(&typed, &unverified) else {
            panic!("unverified asks the merchant");
        };
        assert_eq!(
            problems.get(Field::PostalCode),
            Some(FieldProblem::UspsZipUnknown)
        );

        let error = result(json!({"status": "error", "original_address": {},
            "messages": [{"code": "a1004", "message": "Address not found.", "type": "error",
                "detail_code": "address_not_found"}]}));
        let Verdict::Unconfirmed(problems) = verdict(&typed, &error) else {
            panic!("error asks the merchant");
        };
        assert_eq!(
            problems.get(Field::AddressLine1),
            Some(FieldProblem::UspsAddressNotFound)
        );

        // No message, or one we do not know: still a message, on the first line.
        let bare = result(json!({"status": "error", "original_address": {},
            "messages": [{"code": "a9999", "message": "?", "type": "error"}]}));
        let Verdict::Unconfirmed(problems) = verdict(&typed, &bare) else {
            panic!("error asks the merchant");
        };
        assert_eq!(
            problems.iter().map(|e| e.problem).collect::<Vec<_>>(),
            [FieldProblem::UspsAddressUnconfirmed]
        );
    }

    #[test]
    fn an_unknown_status_goes_on_unchecked() {
        let typed = address("4009 Marathon Blvd", "", "Austin", "TX", "78756");
        let odd = result(json!({"status": "pending", "original_address": {}}));
        assert_eq!(verdict(&typed, &odd), Verdict::None);
    }

    #[test]
    fn each_failure_has_a_short_cause_and_the_status_says_the_last() {
        let plan = ShipEngineError::Api {
            status: 400,
            request_id: None,
            errors: vec![crate::server::shipengine::ApiErrorDetail {
                error_source: crate::server::shipengine::ErrorSource::Shipengine,
                error_type: crate::server::shipengine::ErrorType::AccountStatus,
                error_code: ErrorCode::InvalidBillingPlan,
                message: "no".into(),
                field_name: None,
            }],
            retry_after: None,
        };
        assert_eq!(cause_of(&plan), "plan");
        assert_eq!(cause_of(&ShipEngineError::Connect), "unreachable");
        assert_eq!(cause_of(&ShipEngineError::NoResponse), "no answer");
        let outage = ShipEngineError::UnexpectedBody {
            status: 502,
            request_id: None,
        };
        assert_eq!(cause_of(&outage), "upstream error");

        let checks = AddressChecks::new(true, Duration::from_secs(1));
        assert_eq!(checks.status(), "on");
        checks.failed("plan", &"x");
        assert_eq!(checks.status(), "unavailable: plan");
        checks.worked();
        assert_eq!(checks.status(), "on");
        assert_eq!(
            AddressChecks::new(false, Duration::from_secs(1)).status(),
            "off"
        );
    }
}
