//! The operator's admin console (server only, English only, no script): sign-in by password or
//! behind the operator's single sign-on proxy; the registrations (filtered, paged, exported as
//! CSV), each with its timeline, webhook deliveries and audit entries, settling an unknown
//! outcome and delivering an event again; the onboarding links; an overview of the last 30 days
//! drawn as SVG. Every action is in the audit log.
//!
//! `routes` (thin handlers) → `service` (plain functions of the database) → `views` (Leptos
//! components rendered to a string); the console's session, its form token and its sign-in are
//! in `session` and `access`; queries in `crate::server::storage::admin`.

mod access;
mod csv;
mod dates;
mod error;
mod routes;
pub mod service;
mod session;
mod views;

pub use access::{AdminAccess, hash_password, hash_password_command};
pub use error::AdminError;
pub use routes::routes;
