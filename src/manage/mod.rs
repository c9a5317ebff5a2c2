//! "Manage on Stamps.com": `/account/manage`, a server-rendered page (no WebAssembly) with
//! links into the merchant's Stamps.com account (change the card, settings, balance reports).
//! The links carry short-lived sign-in tokens: asked for on every view, never stored or logged.

#[cfg(feature = "ssr")]
mod server;
#[cfg(feature = "ssr")]
pub mod service;
mod view;

#[cfg(feature = "ssr")]
pub use server::manage_page;
pub use view::ManagePage;

use crate::i18n::Text;

/// The page.
pub const MANAGE_PATH: &str = "/account/manage";

/// What the page shows, as its handler loaded it (provided in context).
#[derive(Clone)]
pub enum ManageScreen {
    Links(Vec<AccountLink>),
    /// ShipEngine gave no links; the reference (its request id) is for support.
    Unavailable {
        reference: Option<String>,
    },
}

/// One link into the account, with its label. Its URL signs its holder in, so there is no
/// `Debug` to print it.
#[derive(Clone)]
pub struct AccountLink {
    pub label: Text,
    pub url: String,
}
