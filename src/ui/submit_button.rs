//! A form's submit button, which says so while the form's answer is awaited.

use leptos::prelude::*;

use super::Submission;
use crate::i18n::{Locale, Text};

/// `aria-disabled`, not `disabled`, while busy: the button keeps its focus and is still read
/// out, and a second click is ignored by the [`Submission`] anyway.
#[component]
pub fn SubmitButton(
    label: Text,
    busy_label: Text,
    submission: Submission,
    #[prop(optional)] secondary: bool,
) -> impl IntoView {
    let locale = Locale::current();
    let (label, busy_label) = (locale.text(label), locale.text(busy_label));
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
