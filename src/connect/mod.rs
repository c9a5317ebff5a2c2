//! Connecting a Stamps.com account the merchant already has, instead of opening a new one:
//! `/connect`, a server-rendered page (no WebAssembly) whose plain form posts back to itself
//! (Post/Redirect/Get). On success the flow's registration is that account, verified, and `/`
//! shows the done screen.

mod form;
#[cfg(feature = "ssr")]
mod server;
#[cfg(feature = "ssr")]
pub mod service;
mod validate;
mod view;

pub use form::{ConnectField, ConnectForm, ConnectSignals};
#[cfg(feature = "ssr")]
pub use server::{connect_page, submit_connection};
pub use validate::{ValidConnection, validate_connection};
pub use view::{ConnectChoice, ConnectPage};

use crate::error::AppError;

/// The page, and where its form posts.
pub const CONNECT_PATH: &str = "/connect";

/// What the page shows, as its handler loaded it (provided in context).
#[derive(Clone, Debug)]
pub enum ConnectScreen {
    Form {
        /// The nickname and username as last typed; never a password.
        nickname: String,
        username: String,
        /// Minted for this rendering: repeats of one submission connect once.
        idempotency_key: String,
        /// Why the last submission did not connect, shown once.
        error: Option<AppError>,
    },
    /// `PUBLIC_FORM=off` and this browser did not come through an onboarding link.
    LinkRequired,
    /// The flow could not be loaded.
    Failed,
}
