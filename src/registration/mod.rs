//! Step 1: the registration form (contact, address, card) → a Stamps.com carrier.

mod address_check;
#[cfg(feature = "ssr")]
pub mod address_service;
mod form;
mod server;
#[cfg(feature = "ssr")]
pub mod service;
mod validate;
mod view;

pub use address_check::{AddressCheck, AddressDecision, AddressPart, PostalAddress};
pub use form::{RegistrationField, RegistrationForm};
pub use server::{Register, register};
pub use validate::{ValidRegistration, validate_registration};
pub use view::{REGISTRATION_FORM_ID, RegisterView};

use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegisterScreen {
    /// What the merchant typed last, never with the card number.
    pub draft: RegistrationForm,
    /// Sent back with the form, so that repeats of one submission open one account.
    pub idempotency_key: String,
    /// Why the last submission did not go through.
    pub error: Option<AppError>,
    /// What USPS said about the address, while the merchant has to decide.
    pub address_check: Option<AddressCheck>,
}
