//! The page: its HTML shell (server only), the demo banner, and the switch between the steps.

use leptos::either::EitherOf3;
use leptos::prelude::*;

use crate::done::DoneView;
#[cfg(feature = "ssr")]
use crate::flow::PageData;
use crate::flow::Screen;
use crate::registration::RegisterView;
use crate::ui::focus_soon;
use crate::verification::VerifyView;

/// The id of the `<script>` data block the page data travels in.
pub const PAGE_DATA_ID: &str = "page-data";

/// The data block's type: base64 text, which no browser runs.
#[cfg(feature = "ssr")]
const PAGE_DATA_TYPE: &str = "application/octet-stream";

/// The id of the element holding [`App`], the page's only hydrated part.
pub const FLOW_ID: &str = "flow";

/// The `performance.mark` set once the page is hydrated.
pub const HYDRATED_MARK: &str = "hydrated";

/// The whole document, rendered by the server.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions, stylesheet: String, page: PageData) -> impl IntoView {
    let page_data = encode_page_data(&page.screen);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <title>"Open your Stamps.com account"</title>
                <meta
                    name="description"
                    content="Open the free Stamps.com account that comes with your ShipEngine account, for discounted USPS postage: one form, then a code sent to your phone."
                />
                <link rel="stylesheet" href=stylesheet/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <script type=PAGE_DATA_TYPE id=PAGE_DATA_ID>{page_data}</script>
                <HydrationScripts options/>
            </head>
            <body>
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
                // Only this part comes alive in the browser: the rest never changes.
                <div id=FLOW_ID>
                    <App screen=page.screen/>
                </div>
            </body>
        </html>
    }
}

/// The screen the page hydrates from, as the server functions answer: postcard (the browser
/// then needs one decoder, and no JSON one), in base64, whose letters cannot end a `<script>`
/// early.
#[cfg(feature = "ssr")]
fn encode_page_data(screen: &Screen) -> String {
    use base64::Engine;
    let bytes = postcard::to_allocvec(screen).expect("screens are plain data and always encode");
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

/// Reads what [`encode_page_data`] wrote, once the browser's own `atob` has undone the base64
/// (no base64 decoder ships in the WebAssembly); `None` for anything else.
pub fn decode_page_data(bytes: &[u8]) -> Option<Screen> {
    postcard::from_bytes(bytes).ok()
}

/// The part of the page the browser hydrates: the steps and the current step's screen.
#[component]
pub fn App(screen: Screen) -> impl IntoView {
    let screen = RwSignal::new(screen);
    let step = StepChange(screen.write_only());
    view! {
        <StepIndicator screen/>
        <main id="main" class="container">
            // `EitherOf3`, not `.into_any()`: an `AnyView` carries async-hydration code for its
            // whole subtree, which this app never uses (see BENCHMARKS.md).
            {move || match screen.get() {
                Screen::Register(s) => EitherOf3::A(view! { <RegisterView screen=s step/> }),
                Screen::Verify(s) => EitherOf3::B(view! { <VerifyView screen=s step/> }),
                Screen::Done(s) => EitherOf3::C(view! { <DoneView screen=s/> }),
            }}
        </main>
    }
}

/// Tells tests (and styles) that the page has come alive; the benchmark reads the mark.
#[cfg(feature = "hydrate")]
pub fn mark_hydrated() {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
    if let Some(performance) = window().performance() {
        let _ = performance.mark(HYDRATED_MARK);
    }
}

/// Moves the page on to another step, as the views' server calls answer.
#[derive(Clone, Copy)]
pub struct StepChange(WriteSignal<Screen>);

impl StepChange {
    /// `next` replaces the page's content: keyboard and screen-reader focus go to its heading,
    /// as a page load would take them to the top.
    pub fn go(self, next: Screen) {
        self.0.set(next);
        focus_soon("main h1");
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

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::error::{AppError, FieldErrors};
    use crate::registration::{RegisterScreen, RegistrationForm};

    #[test]
    fn page_data_survives_the_page_and_cannot_close_its_script() {
        let mut errors = FieldErrors::default();
        errors.push("nickname", "</script><script>alert(1)</script>");
        let screen = Screen::Register(RegisterScreen {
            draft: RegistrationForm {
                nickname: "</script>".into(),
                agree_to_carrier_terms: true,
                ..Default::default()
            },
            error: Some(AppError::Invalid(errors)),
            ..Default::default()
        });
        let encoded = encode_page_data(&screen);
        assert!(
            encoded
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'),
            "{encoded}"
        );
        let bytes =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD_NO_PAD, &encoded);
        assert_eq!(decode_page_data(&bytes.unwrap()), Some(screen));
        assert_eq!(decode_page_data(b"{\"screen\":1}"), None);
    }
}
