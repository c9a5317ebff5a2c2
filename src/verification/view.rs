//! Step 2's view: send a code to a phone, then type it in. Both forms post without JavaScript.

use std::time::Duration;

use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{SendCode, VerificationField as Field, VerifyCode, VerifyScreen, validate_code};
use crate::error::{AppError, FormField};
use crate::fields::FieldProblem;
use crate::fields::phone::normalize_us_phone;
use crate::i18n::{Locale, Text};
use crate::pages::StepChange;
use crate::screen::Screen;
use crate::ui::{ErrorSummary, Problems, Submission, SubmitButton, TextField, focus_soon};

#[component]
pub fn VerifyView(screen: VerifyScreen, step: StepChange) -> impl IntoView {
    // The number the last code went to: what "Send a new code" uses, whatever is half-typed in
    // the "different number" field.
    let last_phone = RwSignal::new(screen.resend_to.unwrap_or_else(|| screen.phone.clone()));
    let phone = RwSignal::new(screen.phone);
    let code = RwSignal::new(String::new());
    let sent_to = RwSignal::new(screen.code_sent_to);
    let resend_in = RwSignal::new(screen.resend_available_in_secs);
    let locale = Locale::current();
    let problems = Problems::new(screen.error);
    let errors = problems.fields;
    let code_request = Submission::new();
    let code_check = Submission::new();

    // Both server functions answer with the screen (stay on it, or move on) or the problem.
    let on_answer = move |answer: Result<Screen, AppError>| match answer {
        Ok(Screen::Verify(next)) => {
            if next.code_sent_to.is_some() && next.error.is_none() {
                last_phone.set(next.phone.clone());
            }
            phone.set(next.phone);
            if next.code_sent_to != sent_to.get_untracked() {
                // A code went to another number: a form for it replaces the last one, and the
                // code is what the merchant types next.
                code.set(String::new());
                sent_to.set(next.code_sent_to);
                focus_soon("#code");
            }
            resend_in.set(next.resend_available_in_secs);
            problems.show(next.error);
        }
        Ok(next) => step.go(next),
        Err(problem) => problems.show(Some(problem)),
    };
    // Counts the resend wait down in the browser; the server enforces it either way.
    Effect::new(move |_| {
        let Some(secs) = resend_in.get() else { return };
        let tick = move || resend_in.set(secs.checked_sub(1).filter(|&left| left > 0));
        if let Ok(handle) = set_timeout_with_handle(tick, Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
    let resend_wait = move || {
        resend_in.get().map(|secs| {
            view! { <p class="resend-wait">{locale.resend_in(secs)}</p> }
        })
    };

    // A message shown follows every change (and goes once fixed); new ones wait for submit.
    let on_check = Callback::new(move |field: FormField| {
        if errors.with(|e| e.get(field).is_none()) {
            return;
        }
        let problem = match field {
            FormField::Verification(Field::Phone) => {
                normalize_us_phone(&phone.get_untracked()).err()
            }
            _ => validate_code(&code.get_untracked()).err(),
        };
        errors.update(|e| e.set(field, problem));
    });
    let one_field_problem = move |field: Field, problem: FieldProblem| {
        problems.show(Some(AppError::invalid_field(field, problem)))
    };
    let send_to = move |number: RwSignal<String>| {
        move |ev: SubmitEvent| {
            ev.prevent_default();
            match normalize_us_phone(&number.get_untracked()) {
                Err(problem) => one_field_problem(Field::Phone, problem),
                Ok(_) => {
                    problems.show(None);
                    code_request.send(&ev, move |answer| {
                        // Refused for now: the countdown says until when.
                        if let Err(AppError::RateLimited { retry_after_secs }) = &answer {
                            resend_in.set(Some(*retry_after_secs));
                        }
                        on_answer(answer)
                    });
                }
            }
        }
    };
    let on_verify = move |ev: SubmitEvent| {
        ev.prevent_default();
        match validate_code(&code.get_untracked()) {
            Err(problem) => one_field_problem(Field::Code, problem),
            Ok(_) => {
                problems.show(None);
                code_check.send(&ev, on_answer);
            }
        }
    };

    let phone_form = move |button: Text| {
        view! {
            <form method="post" action=SendCode::PATH on:submit=send_to(phone) novalidate class="send-form">
                <TextField field=Field::Phone label=Text::MobilePhoneLabel value=phone errors on_check
                    input_type="tel" autocomplete="tel" width="medium" hint=Text::MobilePhoneHint/>
                <SubmitButton label=button busy_label=Text::SendingBusy submission=code_request/>
            </form>
        }
    };

    view! {
        <h1 tabindex="-1">{locale.text(Text::VerifyTitle)}</h1>
        <p class="lede">{locale.registered_lede(&screen.nickname)}</p>
        <ErrorSummary problems/>
        {move || match sent_to.get() {
            None => Either::Left(view! { {resend_wait} {phone_form(Text::SendCode)} }),
            Some(masked) => Either::Right(view! {
                <p class="sent" role="status">
                    {locale.text(Text::CodeSentTo)} <strong>{masked}</strong> {locale.text(Text::CodeSentToEnd)}
                </p>
                <form method="post" action=VerifyCode::PATH on:submit=on_verify novalidate>
                    <TextField field=Field::Code label=Text::CodeLabel value=code errors on_check
                        autocomplete="one-time-code" inputmode="numeric" width="code" hint=Text::CodeHint/>
                    <SubmitButton label=Text::VerifyButton busy_label=Text::VerifyBusy submission=code_check/>
                </form>
                <div class="resend">
                    <form method="post" action=SendCode::PATH on:submit=send_to(last_phone)>
                        <input type="hidden" name=Field::Phone.name() value=move || last_phone.get()/>
                        <p>{locale.text(Text::NoTextYet)}</p>
                        {resend_wait}
                        <SubmitButton label=Text::SendNewCode busy_label=Text::SendingBusy
                            submission=code_request secondary=true/>
                    </form>
                    <details>
                        <summary>{locale.text(Text::UseDifferentNumber)}</summary>
                        {phone_form(Text::SendCodeToThisNumber)}
                    </details>
                </div>
            }),
        }}
    }
}
