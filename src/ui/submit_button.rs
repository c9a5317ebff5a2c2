//! A form's submit button, which says so while the form's answer is awaited.

use leptos::prelude::*;

use super::Submission;

/// `aria-disabled`, not `disabled`, while busy: the button keeps its focus and is still read
/// out, and a second click is ignored by the [`Submission`] anyway.
#[component]
pub fn SubmitButton(
    label: &'static str,
    busy_label: &'static str,
    submission: Submission,
    #[prop(optional)] secondary: bool,
) -> impl IntoView {
    let class = if secondary {
        "button button--secondary"
    } else {
        "button"
    };
    view! {
        <button type="submit" class=class aria-disabled=move || submission.pending().then_some("true")>
            {move || if submission.pending() { busy_label } else { label }}
        </button>
    }
}
