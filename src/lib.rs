#![recursion_limit = "256"]
//! stamps-connect: open the free Stamps.com account of a ShipEngine account from a browser.
//!
//! The flow is the architecture: one folder per step (`registration`, `verification`, `done`),
//! each holding its types, its validation (compiled for the server and the browser alike), its
//! thin `#[server]` adapter and its view. The routes (`app`) are matched on the server and each
//! page (`pages`) is server-rendered; the merchant flow is the one island the browser runs.
//! Every sentence is in the catalog (`i18n`). Server-only code lives behind the `ssr` feature.

// The document and its routes: rendered by the server only (the browser runs the islands).
#[cfg(feature = "ssr")]
pub mod app;
pub mod done;
pub mod error;
pub mod fields;
pub mod hex;
pub mod i18n;
pub mod pages;
pub mod postage;
pub mod registration;
pub mod screen;
mod ui;
pub mod verification;

// Connecting an existing Stamps.com account, and the links into it: server-rendered pages.
pub mod connect;
pub mod manage;

#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod operator;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod simulator;

use fields::expiry::YearMonth;

/// This month, for card expiry checks: from the system clock on the server, the browser's
/// clock in the browser.
pub fn today() -> YearMonth {
    #[cfg(target_arch = "wasm32")]
    {
        let now = js_sys::Date::new_0();
        YearMonth {
            year: now.get_utc_full_year() as u16,
            month: now.get_utc_month() as u8 + 1,
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        fields::expiry::today_utc()
    }
}

/// The browser's entry point: brings the page's islands to life (the rest stays as the server
/// rendered it).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console help while developing; a release build ships without them.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
