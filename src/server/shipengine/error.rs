//! What can go wrong in a ShipEngine call, and the error envelope ShipEngine sends on every
//! non-2xx answer (research notes §2).
//!
//! `Display` is for logs: it names the status, the codes, the fields and the request id, never
//! the upstream `message` (free text that may quote what was sent), the key or the card number.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use super::open_enum::open_enum;

#[derive(Debug, thiserror::Error)]
pub enum ShipEngineError {
    /// ShipEngine answered with an error status and its documented error envelope.
    #[error("ShipEngine answered HTTP {status}: {summary}{reference}",
        summary = ErrorSummary(errors), reference = Reference(request_id.as_deref()))]
    Api {
        status: u16,
        /// From the body, or else from the `x-shipengine-requestid` header: the reference a
        /// merchant can quote to support.
        request_id: Option<String>,
        errors: Vec<ApiErrorDetail>,
        /// The `Retry-After` header in seconds (sent with 429).
        retry_after: Option<Duration>,
    },
    /// ShipEngine (or something in front of it) answered with a body this client cannot read: an
    /// HTML error page, a non-envelope error, or a 2xx body that is not the documented response.
    /// A 2xx here means the call took effect, but its result is lost.
    #[error("ShipEngine answered HTTP {status} with a body that is not the documented one{reference}",
        reference = Reference(request_id.as_deref()))]
    UnexpectedBody {
        status: u16,
        request_id: Option<String>,
    },
    /// The request never left: DNS, TCP or TLS failed, or the connect timeout passed. Nothing
    /// happened upstream.
    #[error("could not connect to ShipEngine; the request was not sent")]
    Connect,
    /// The request was (or may have been) sent, but no complete answer came back: a timeout or a
    /// dropped connection. The outcome is unknown: a registration may have opened an account.
    #[error("no complete answer from ShipEngine; the request may or may not have taken effect")]
    NoResponse,
}

impl ShipEngineError {
    /// The HTTP status ShipEngine answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::UnexpectedBody { status, .. } => Some(*status),
            Self::Connect | Self::NoResponse => None,
        }
    }

    /// ShipEngine's id for the failed request: the reference to give support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. } | Self::UnexpectedBody { request_id, .. } => {
                request_id.as_deref()
            }
            Self::Connect | Self::NoResponse => None,
        }
    }

    /// How long ShipEngine asked us to wait before the next call.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The envelope's errors; empty unless this is an [`ShipEngineError::Api`] error.
    pub fn errors(&self) -> &[ApiErrorDetail] {
        match self {
            Self::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    pub fn first_code(&self) -> Option<&ErrorCode> {
        self.errors().first().map(|error| &error.error_code)
    }

    pub fn has_code(&self, code: ErrorCode) -> bool {
        self.errors().iter().any(|error| error.error_code == code)
    }

    /// `(field_name, error_code)` for each error about a named field, e.g. `("address.phone",
    /// FieldValueRequired)`.
    pub fn field_errors(&self) -> impl Iterator<Item = (&str, &ErrorCode)> {
        self.errors()
            .iter()
            .filter_map(|error| Some((error.field_name.as_deref()?, &error.error_code)))
    }

    /// Whether the call may have changed something upstream even though it failed. Only two
    /// failures say it did not: the request never left ([`Self::Connect`]), or ShipEngine itself
    /// refused it, with its error envelope and a 4xx status (429 included: not processed). Any
    /// other answer is a doubt: no answer at all, a 5xx (ShipEngine failed somewhere in the
    /// middle of the work), a gateway's HTML page or any body that is not the envelope (whatever
    /// answered is not ShipEngine, which may still be working on it), a 2xx that cannot be read.
    ///
    /// A registration in this state must not be sent again blindly: it could open a second
    /// account. (The code request and the code check never resend on it either: see
    /// [`super::retry`].)
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            Self::Connect => false,
            Self::Api { status, .. } => !(400..500).contains(status),
            Self::UnexpectedBody { .. } | Self::NoResponse => true,
        }
    }
}

/// One entry of the envelope's `errors`. Fields beyond these (`carrier_id`, `min_length`, the
/// mis-assigned `method`/`path` of a real 404, …) are tolerated and dropped.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ApiErrorDetail {
    pub error_source: ErrorSource,
    pub error_type: ErrorType,
    pub error_code: ErrorCode,
    /// Free text that changes over time: never match on it, never show it to a merchant.
    pub message: String,
    /// Which request field the error is about, as a dotted path such as `address.phone`.
    pub field_name: Option<String>,
}

open_enum! {
    pub enum ErrorSource {
        Carrier = "carrier",
        OrderSource = "order_source",
        Shipengine = "shipengine",
    }
}

open_enum! {
    pub enum ErrorType {
        AccountStatus = "account_status",
        BusinessRules = "business_rules",
        Validation = "validation",
        Security = "security",
        System = "system",
        Integrations = "integrations",
    }
}

open_enum! {
    /// The codes that matter to the Stamps.com calls; the spec lists about fifty.
    pub enum ErrorCode {
        FieldValueRequired = "field_value_required",
        InvalidFieldValue = "invalid_field_value",
        InvalidStringLength = "invalid_string_length",
        RequestBodyRequired = "request_body_required",
        TermsNotAccepted = "terms_not_accepted",
        Unauthorized = "unauthorized",
        Forbidden = "forbidden",
        /// Not in the spec, but what the API answers for an unknown endpoint or id.
        NotFound = "not_found",
        VerificationFailure = "verification_failure",
        RateLimitExceeded = "rate_limit_exceeded",
        IdentifierConflict = "identifier_conflict",
        Unspecified = "unspecified",
        /// The Stamps.com account is already connected (the simulator's choice: the spec is
        /// silent).
        CarrierConflict = "carrier_conflict",
        /// The card was declined while adding funds.
        FundingSourceError = "funding_source_error",
        /// Adding funds is not enabled for the account (ShipEngine support enables it).
        FundingSourceMissingConfiguration = "funding_source_missing_configuration",
        /// The plan does not include the call (address validation needs the Advanced plan).
        InvalidBillingPlan = "invalid_billing_plan",
    }
}

/// The body of every ShipEngine error answer.
#[derive(Deserialize)]
pub(super) struct ErrorEnvelope {
    pub(super) request_id: Option<String>,
    pub(super) errors: Vec<ApiErrorDetail>,
}

/// Request ids are shown to merchants and written to logs, so only the documented shape (a
/// UUID, or anything as tame) is kept.
pub(super) fn is_plausible_request_id(raw: &str) -> bool {
    const MAX_LEN: usize = 64;
    !raw.is_empty()
        && raw.len() <= MAX_LEN
        && raw
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
}

/// `source/type/code [field]` for each error, e.g. `shipengine/validation/field_value_required
/// [address.phone]`.
struct ErrorSummary<'a>(&'a [ApiErrorDetail]);

impl fmt::Display for ErrorSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no error details");
        }
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(
                f,
                "{}/{}/{}",
                error.error_source, error.error_type, error.error_code
            )?;
            if let Some(field) = &error.field_name {
                write!(f, " [{}]", field.escape_debug())?;
            }
        }
        Ok(())
    }
}

struct Reference<'a>(Option<&'a str>);

impl fmt::Display for Reference<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(request_id) => write!(f, " (request id {request_id})"),
            None => Ok(()),
        }
    }
}
