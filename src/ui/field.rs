//! A labelled text field with its hint and its error, wired for screen readers.

use leptos::prelude::*;

use crate::error::{FieldErrors, FormField};
use crate::i18n::{Locale, Text};

/// The ids a field's `aria-describedby` names: its hint, then its error when there is one.
fn describedby(hint_id: Option<&str>, name: &str, has_error: bool) -> Option<String> {
    let error_id = has_error.then(|| format!("{name}-error"));
    match (hint_id, error_id) {
        (Some(hint_id), Some(error_id)) => Some(format!("{hint_id} {error_id}")),
        (hint_id, None) => hint_id.map(str::to_owned),
        (None, error_id) => error_id,
    }
}

/// A field's attributes that follow its error. Each method makes the same closure type
/// wherever it is used, so the browser's code for each attribute is compiled once.
#[derive(Clone, Copy)]
pub struct FieldState {
    field: FormField,
    errors: RwSignal<FieldErrors>,
}

impl FieldState {
    pub fn new(field: impl Into<FormField>, errors: RwSignal<FieldErrors>) -> Self {
        Self {
            field: field.into(),
            errors,
        }
    }

    /// Whether the field shows an error (`class:field--error`).
    pub fn has_error(self) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
        move || self.errors.with(|e| e.get(self.field).is_some())
    }

    /// `aria-invalid`, only once an error is shown.
    pub fn aria_invalid(self) -> impl Fn() -> Option<&'static str> + Copy + Send + Sync + 'static {
        move || self.has_error()().then_some("true")
    }

    /// `aria-describedby`: the hint `hint_id` names, then the error when there is one.
    pub fn aria_describedby(
        self,
        hint_id: Option<String>,
    ) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        move || describedby(hint_id.as_deref(), self.field.name(), self.has_error()())
    }
}

/// The error line under a field, if it has one.
#[component]
pub fn FieldMessage(
    #[prop(into)] field: FormField,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let locale = Locale::current();
    let message = move || errors.with(|e| e.get(field).map(|p| locale.field_problem(p)));
    // A plain optional view, not `<Show>`: its children are an `AnyView`, whose async-hydration
    // code the app never uses (see BENCHMARKS.md).
    view! {
        {move || message().map(|message| view! {
            <p class="field-error" id=format!("{}-error", field.name())>
                <span class="visually-hidden">{locale.text(Text::ErrorPrefix)}</span>
                {message}
            </p>
        })}
    }
}

/// A text input bound to `value`, named and identified by `field`. `on_check` runs on every
/// change; it decides whether the field deserves a message yet (see the forms' `on_check`).
#[component]
pub fn TextField(
    #[prop(into)] field: FormField,
    label: Text,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    on_check: Callback<FormField>,
    #[prop(optional)] hint: Option<Text>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] optional: bool,
    #[prop(optional)] width: Option<&'static str>,
    /// Rewrites what was typed (card number grouping).
    #[prop(optional)]
    format: Option<fn(&str) -> String>,
) -> impl IntoView {
    let locale = Locale::current();
    let name = field.name();
    let state = FieldState::new(field, errors);
    let on_input = move |ev| {
        let typed = event_target_value(&ev);
        value.set(format.map_or(typed.clone(), |format| format(&typed)));
        on_check.run(field);
    };
    view! {
        <div class="field" class:field--error=state.has_error()>
            <label for=name>
                {locale.text(label)}
                {optional.then_some(view! {
                    <span class="optional">{locale.text(Text::Optional)}</span>
                })}
            </label>
            {hint.map(|hint| view! {
                <p class="hint" id=format!("{name}-hint")>{locale.text(hint)}</p>
            })}
            <FieldMessage field errors/>
            <input
                type=input_type
                id=name
                name=name
                class=width.map(|w| format!("input input--{w}")).unwrap_or_else(|| "input".into())
                autocomplete=autocomplete
                inputmode=inputmode
                spellcheck=(input_type == "email" || inputmode.is_some()).then_some("false")
                aria-invalid=state.aria_invalid()
                aria-describedby=state.aria_describedby(hint.map(|_| format!("{name}-hint")))
                value=value.get_untracked()
                prop:value=value
                on:input=on_input
            />
        </div>
    }
}
