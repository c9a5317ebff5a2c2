//! Step 2: an SMS code to the merchant's phone, then the code back → a verified account.

mod server;
#[cfg(feature = "ssr")]
pub mod service;
mod validate;
mod view;

pub use server::{SendCode, VerifyCode, send_code, verify_code};
pub use validate::validate_code;
pub use view::VerifyView;

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::fields::declare::field_enum;

field_enum! {
    /// The code step's fields: the phone a code goes to, and the code that came back. Their
    /// names are the `send_code` and `verify_code` server functions' arguments.
    pub enum VerificationField {
        Phone => phone,
        Code => code,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifyScreen {
    /// The account's nickname, to remind the merchant what they are verifying.
    pub nickname: String,
    /// The phone field: prefilled from the address phone, or as last typed.
    pub phone: String,
    /// Where the last code went, masked: "(•••) •••-2222". `None` until a code is sent.
    pub code_sent_to: Option<String>,
    /// The number the last code went to, for "Send a new code" (only this browser's page shows
    /// it, where the merchant typed it).
    pub resend_to: Option<String>,
    /// Seconds until another code may be sent, when this session must wait.
    pub resend_available_in_secs: Option<u64>,
    pub error: Option<AppError>,
}
