//! Field rules shared by the browser and the server: one function checks a field on both sides.
//!
//! Each rule is a pure function of the typed text: it trims and normalises what a merchant may
//! reasonably type, and otherwise returns a [`FieldProblem`] code, which the language catalog
//! (`crate::i18n`) words beside the field. Only `std` and serde derives, so the WebAssembly
//! bundle stays small.

pub mod card;
pub(crate) mod declare;
pub mod email;
pub mod expiry;
pub mod phone;
pub mod postal;
mod problem;
pub mod states;
pub mod text;

pub use problem::FieldProblem;
