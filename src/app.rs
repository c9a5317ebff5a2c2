//! The page: its HTML shell (server only), the demo banner, and the switch between the steps.

use leptos::prelude::*;

use crate::done::DoneView;
use crate::flow::{PageData, Screen};
use crate::registration::RegisterView;
use crate::verification::VerifyView;

/// The id of the `<script type="application/json">` the page data travels in.
pub const PAGE_DATA_ID: &str = "page-data";

/// The whole document, rendered by the server.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions, page: PageData) -> impl IntoView {
    let page_json = page_data_json(&page);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <title>"Open your Stamps.com account"</title>
                <link rel="stylesheet" href="/pkg/stamps-connect.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <script type="application/json" id=PAGE_DATA_ID inner_html=page_json></script>
                <HydrationScripts options/>
            </head>
            <body>
                <App page/>
            </body>
        </html>
    }
}

/// JSON that is safe inside a `<script>` element: no `<` can close it early.
#[cfg(feature = "ssr")]
fn page_data_json(page: &PageData) -> String {
    serde_json::to_string(page)
        .expect("page data is plain data and always serialises")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[component]
pub fn App(page: PageData) -> impl IntoView {
    let screen = RwSignal::new(page.screen);
    // Tests (and styles) can tell when the page has come alive.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
    // A new step replaces the page's content: take keyboard and screen-reader focus to its
    // heading, as a page load would (not on the first render: the merchant starts at the top).
    Effect::new(move |previous: Option<()>| {
        screen.track();
        if previous.is_some() {
            request_animation_frame(focus_step_heading);
        }
    });
    let set_screen = screen.write_only();
    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        {page.demo_code.map(|code| view! {
            <div class="demo-banner" role="note">
                <strong>"Demo mode"</strong>
                " \u{2014} no real account is created; the code is "
                <strong class="demo-code">{code}</strong>
            </div>
        })}
        <header class="site-header">
            <p class="brand">"stamps-connect"</p>
        </header>
        <StepIndicator screen/>
        <main id="main" class="container">
            {move || match screen.get() {
                Screen::Register(s) => view! { <RegisterView screen=s set_screen/> }.into_any(),
                Screen::Verify(s) => view! { <VerifyView screen=s set_screen/> }.into_any(),
                Screen::Done(s) => view! { <DoneView screen=s/> }.into_any(),
            }}
        </main>
    }
}

fn focus_step_heading() {
    use leptos::wasm_bindgen::JsCast;
    let heading = document().query_selector("main h1").ok().flatten();
    if let Some(heading) = heading.and_then(|h| h.dyn_into::<leptos::web_sys::HtmlElement>().ok()) {
        let _ = heading.focus();
    }
}

/// Where the merchant is in the three steps.
#[component]
fn StepIndicator(screen: RwSignal<Screen>) -> impl IntoView {
    let current = move || match screen.get() {
        Screen::Register(_) => 1,
        Screen::Verify(_) => 2,
        Screen::Done(_) => 3,
    };
    let step = move |number: u8, label: &'static str| {
        view! {
            <li class:current=move || current() == number
                aria-current=move || (current() == number).then_some("step")>
                {label}
            </li>
        }
    };
    view! {
        <nav class="steps" aria-label="Progress">
            <ol>
                {step(1, "Your details")}
                {step(2, "Confirm your phone")}
                {step(3, "Done")}
            </ol>
        </nav>
    }
}
