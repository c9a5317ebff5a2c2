//! stamps-connect: open the free Stamps.com account of a ShipEngine account from a browser.
//!
//! The flow is the architecture: one folder per step (`registration`, `verification`, `done`),
//! each holding its types, its validation (compiled for the server and the browser alike), its
//! thin `#[server]` adapter and its view. Server-only code lives behind the `ssr` feature.

pub mod error;
pub mod fields;

#[cfg(feature = "ssr")]
pub mod simulator;
