//! The error summary at the top of a form: what went wrong, with a link to each field.

use leptos::either::Either;
use leptos::prelude::*;

use super::Problems;
use crate::i18n::{Locale, Text};

/// Shows the form's problem (field errors as links to their fields, anything else in plain
/// words with its reference); [`Problems::show`] moves focus here.
#[component]
pub fn ErrorSummary(problems: Problems) -> impl IntoView {
    let error = problems.error;
    let locale = Locale::current();
    view! {
        <div
            class="error-summary"
            class:error-summary--shown=move || error.with(Option::is_some)
            role="alert"
            tabindex="-1"
            aria-labelledby=move || error.with(Option::is_some).then_some("error-summary-title")
            node_ref=problems.summary
        >
            {move || error.get().map(|error| view! {
                <h2 id="error-summary-title">{locale.text(Text::SummaryTitle)}</h2>
                {match error.field_errors() {
                    Some(fields) => Either::Left(view! {
                        <ul>
                            {fields.iter().map(|e| view! {
                                <li>
                                    <a href=format!("#{}", e.field.name()) on:click=focus_field(e.field.name())>
                                        {locale.field_problem(e.problem)}
                                    </a>
                                </li>
                            }).collect_view()}
                        </ul>
                    }),
                    None => Either::Right(view! { <p>{error.message(locale)}</p> }),
                }}
                {error.reference().map(|reference| view! {
                    <p class="reference">
                        {locale.text(Text::ReferenceForSupport)} <code>{reference.to_owned()}</code>
                    </p>
                })}
            })}
        </div>
    }
}

/// A summary link moves focus into its field (a plain link only scrolls to it): the field
/// itself, or the first control of a group such as the residential radios.
fn focus_field(id: &'static str) -> impl Fn(leptos::ev::MouseEvent) + 'static {
    move |ev| {
        use leptos::wasm_bindgen::JsCast;
        let target = document()
            .query_selector(&format!("#{id}:is(input, select, textarea), #{id} input"))
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok());
        if let Some(field) = target {
            ev.prevent_default();
            let _ = field.focus();
        }
    }
}
