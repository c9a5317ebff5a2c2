//! Building blocks shared by the steps' views.

mod field;
mod language_switch;
mod problems;
mod submission;
mod submit_button;
mod summary;

pub use field::{FieldMessage, FieldState, TextField};
#[cfg(feature = "ssr")]
pub use language_switch::LANGUAGE_PATH;
pub use language_switch::{LanguageSwitch, sent_by_language_switch};
pub use problems::Problems;
pub use submission::Submission;
pub use submit_button::SubmitButton;
pub use summary::ErrorSummary;

/// Moves keyboard and screen-reader focus to the element `selector` finds, once the page has
/// drawn the change that brings it.
pub fn focus_soon(selector: &'static str) {
    use leptos::prelude::{document, request_animation_frame};
    use leptos::wasm_bindgen::JsCast;
    request_animation_frame(move || {
        let element = document().query_selector(selector).ok().flatten();
        if let Some(element) =
            element.and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}
