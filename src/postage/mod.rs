//! "Add postage": after the account is open, the merchant adds funds to its Stamps.com balance.
//! An amount (a preset or typed) → a confirmation that says the card on the account will be
//! charged → one charge, exactly once (`PUT /v1/carriers/{id}/add_funds`) → the new balance.
//!
//! Server-rendered pages only (no island, no WebAssembly): they work the same with and without
//! JavaScript. The amount form's fields and rule are here ([`form`], [`validate`]), the balance
//! fetch ([`balance`]), the domain ([`service`]: a request row claimed once, limits, the charge
//! in a tracked task), the thin axum handlers ([`routes`]) and the view ([`view`]).

#[cfg(feature = "ssr")]
pub mod balance;
#[cfg(feature = "ssr")]
pub mod config;
mod form;
mod money;
#[cfg(feature = "ssr")]
mod routes;
#[cfg(feature = "ssr")]
pub mod service;
mod validate;
#[cfg(feature = "ssr")]
mod view;

#[cfg(feature = "ssr")]
pub use balance::{answer_with_balance, current_balance, with_balance};
#[cfg(feature = "ssr")]
pub use config::FundingConfig;
pub use form::{AmountForm, AmountSignals, OTHER, PRESETS, PostageField};
pub use money::{Currency, Money};
#[cfg(feature = "ssr")]
pub use routes::{amount_page, confirm, request_page, submit_amount};
pub use validate::{MIN_CENTS, validate_amount};
#[cfg(feature = "ssr")]
pub use view::PostagePage;

use crate::error::AppError;

/// Where the amount form is; a request is at `/account/postage/{id}`.
pub const POSTAGE_PATH: &str = "/account/postage";

/// Where a funding request is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundingStatus {
    /// Chosen, not confirmed: the confirmation page.
    Pending,
    /// Confirmed: ShipEngine is being asked to charge the card.
    Charging,
    Charged,
    /// ShipEngine refused the charge: nothing was charged.
    Refused,
    /// The charge was sent and no usable answer came back: it may or may not have happened.
    /// Never sent again.
    OutcomeUnknown,
}

impl FundingStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Charging => "charging",
            Self::Charged => "charged",
            Self::Refused => "refused",
            Self::OutcomeUnknown => "outcome_unknown",
        }
    }
}

impl TryFrom<String> for FundingStatus {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, String> {
        [
            Self::Pending,
            Self::Charging,
            Self::Charged,
            Self::Refused,
            Self::OutcomeUnknown,
        ]
        .into_iter()
        .find(|status| status.as_str() == stored)
        .ok_or_else(|| format!("unknown funding status {stored:?}"))
    }
}

/// Why ShipEngine refused a charge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundingRefusal {
    /// `funding_source_error`: the card on the account was declined.
    CardDeclined,
    /// `funding_source_missing_configuration`: adding funds is not enabled for the account.
    NotEnabled,
    /// Any other refusal (a 4xx that is not one of those).
    Other,
}

impl FundingRefusal {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CardDeclined => "card_declined",
            Self::NotEnabled => "not_enabled",
            Self::Other => "refused",
        }
    }

    /// A stored value; anything unknown reads as a refusal of another kind.
    pub fn from_stored(stored: &str) -> Self {
        [Self::CardDeclined, Self::NotEnabled]
            .into_iter()
            .find(|refusal| refusal.as_str() == stored)
            .unwrap_or(Self::Other)
    }
}

/// The verified Stamps.com account the pages are about: this browser's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub nickname: String,
    pub carrier_id: String,
    /// The language of the onboarding link the flow began at, if any.
    pub link_locale: Option<crate::i18n::Locale>,
}

/// The amount form, as its page shows it.
#[derive(Clone, Debug)]
pub struct AmountPage {
    pub account: Account,
    pub balance: Option<Money>,
    /// What was posted, shown back as typed.
    pub form: AmountForm,
    pub error: Option<AppError>,
    pub max_cents: i64,
}

/// A funding request, as its page shows it.
#[derive(Clone, Debug)]
pub struct RequestPage {
    pub id: String,
    pub amount: Money,
    pub status: FundingStatus,
    pub refusal: Option<FundingRefusal>,
    /// The balance now (pending), or as ShipEngine answered after the charge (charged).
    pub balance: Option<Money>,
    /// Why the confirmation did not go through (a limit).
    pub error: Option<AppError>,
}

/// What the handler loaded for the page, provided in context.
#[derive(Clone, Debug)]
pub enum PostageLoaded {
    /// `FUNDING=off`.
    Unavailable,
    Amount(Box<AmountPage>),
    Request(Box<RequestPage>),
    /// No request of this browser has that id.
    NotFound,
    /// Our side failed (the database).
    Failed,
}
