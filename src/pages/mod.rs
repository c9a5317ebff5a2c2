//! The app's pages, one per route (see [`crate::app::App`]). Only the merchant flow is an
//! island, so every other page is plain server-rendered HTML and downloads no WebAssembly.

mod merchant;
mod not_found;
mod prop;
mod start_link;
mod status_page;
mod try_again;

pub use merchant::{LoadedScreen, MerchantFlow, MerchantPage, StepChange};
pub use not_found::NotFound;
pub use prop::Prop;
pub use start_link::{StartFromPlatform, StartLinkPage, StartLinkRefusal};
use status_page::StatusPage;
pub use try_again::TryAgain;
