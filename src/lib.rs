#![recursion_limit = "256"]
//! stamps-connect: open the free Stamps.com account of a ShipEngine account from a browser.
//!
//! The flow is the architecture: one folder per step (`registration`, `verification`, `done`),
//! each holding its types, its validation (compiled for the server and the browser alike), its
//! thin `#[server]` adapter and its view. Server-only code lives behind the `ssr` feature.

pub mod app;
pub mod done;
pub mod error;
pub mod fields;
pub mod flow;
pub mod i18n;
pub mod registration;
mod ui;
pub mod verification;

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

/// The browser's entry point: hydrates the server-rendered page from the data it carries.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console help while developing; a release build ships without them.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    use leptos::wasm_bindgen::JsCast;
    let document = leptos::prelude::document();
    let screen = document
        .get_element_by_id(app::PAGE_DATA_ID)
        .and_then(|script| script.text_content())
        .and_then(|base64| leptos::prelude::window().atob(base64.trim()).ok())
        // `atob` answers with one char per byte.
        .map(|binary| binary.chars().map(|byte| byte as u8).collect::<Vec<u8>>())
        .and_then(|bytes| app::decode_page_data(&bytes));
    let flow = document
        .get_element_by_id(app::FLOW_ID)
        .and_then(|flow| flow.dyn_into().ok());
    match screen.zip(flow) {
        Some((screen, flow)) => {
            leptos::mount::hydrate_from(flow, move || leptos::view! { <app::App screen/> })
                .forget();
            app::mark_hydrated();
        }
        // Without its data the page stays as the server rendered it: plain forms still work.
        None => leptos::logging::warn!("page data missing: the page stays server-rendered"),
    }
}
