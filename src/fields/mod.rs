//! Field rules shared by the browser and the server: one function checks a field on both sides.
//!
//! Each rule is a pure function of the typed text: it trims and normalises what a merchant may
//! reasonably type, and otherwise returns a plain-words message to show beside the field. Only
//! `std` and serde derives, so the WebAssembly bundle stays small.

pub mod card;
pub mod email;
pub mod expiry;
pub mod phone;
pub mod postal;
pub mod states;
pub mod text;
