//! Step 1's view: one form, validated as the merchant goes, relayed by the `register` server
//! function. Without JavaScript the same form posts to the same function.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{Register, RegisterScreen, RegistrationForm, validate_registration};
use crate::error::{AppError, FieldErrors};
use crate::fields::card::{
    card_digits, card_number_could_become_valid, detect_brand, format_card_number,
};
use crate::fields::states::US_STATES;
use crate::flow::Screen;
use crate::pages::StepChange;
use crate::ui::{
    ErrorSummary, FieldMessage, FieldState, Problems, Submission, SubmitButton, TextField,
};

const TERMS_URL: &str = "https://www.stamps.com/legal/terms-and-conditions/";

/// One signal per field, so each input updates only itself.
#[derive(Clone, Copy)]
struct Fields {
    nickname: RwSignal<String>,
    email: RwSignal<String>,
    agree_to_carrier_terms: RwSignal<bool>,
    name: RwSignal<String>,
    phone: RwSignal<String>,
    company_name: RwSignal<String>,
    address_line1: RwSignal<String>,
    address_line2: RwSignal<String>,
    city_locality: RwSignal<String>,
    state_province: RwSignal<String>,
    postal_code: RwSignal<String>,
    residential: RwSignal<String>,
    card_name: RwSignal<String>,
    card_number: RwSignal<String>,
    card_exp_month: RwSignal<String>,
    card_exp_year: RwSignal<String>,
    idempotency_key: RwSignal<String>,
}

impl Fields {
    fn new(draft: RegistrationForm, idempotency_key: String) -> Self {
        Self {
            nickname: RwSignal::new(draft.nickname),
            email: RwSignal::new(draft.email),
            agree_to_carrier_terms: RwSignal::new(draft.agree_to_carrier_terms),
            name: RwSignal::new(draft.name),
            phone: RwSignal::new(draft.phone),
            company_name: RwSignal::new(draft.company_name),
            address_line1: RwSignal::new(draft.address_line1),
            address_line2: RwSignal::new(draft.address_line2),
            city_locality: RwSignal::new(draft.city_locality),
            state_province: RwSignal::new(draft.state_province),
            postal_code: RwSignal::new(draft.postal_code),
            residential: RwSignal::new(draft.residential),
            card_name: RwSignal::new(draft.card_name),
            card_number: RwSignal::new(draft.card_number),
            card_exp_month: RwSignal::new(draft.card_exp_month),
            card_exp_year: RwSignal::new(draft.card_exp_year),
            idempotency_key: RwSignal::new(idempotency_key),
        }
    }

    fn snapshot(&self) -> RegistrationForm {
        RegistrationForm {
            nickname: self.nickname.get_untracked(),
            email: self.email.get_untracked(),
            agree_to_carrier_terms: self.agree_to_carrier_terms.get_untracked(),
            name: self.name.get_untracked(),
            phone: self.phone.get_untracked(),
            company_name: self.company_name.get_untracked(),
            address_line1: self.address_line1.get_untracked(),
            address_line2: self.address_line2.get_untracked(),
            city_locality: self.city_locality.get_untracked(),
            state_province: self.state_province.get_untracked(),
            postal_code: self.postal_code.get_untracked(),
            residential: self.residential.get_untracked(),
            card_name: self.card_name.get_untracked(),
            card_number: self.card_number.get_untracked(),
            card_exp_month: self.card_exp_month.get_untracked(),
            card_exp_year: self.card_exp_year.get_untracked(),
            idempotency_key: self.idempotency_key.get_untracked(),
        }
    }
}

#[component]
pub fn RegisterView(screen: RegisterScreen, step: StepChange) -> impl IntoView {
    // A page rendered by the server never has the card number: say why it is blank.
    // Only for errors that ask for the form again: not when it must not be sent again.
    let card_cleared = matches!(
        screen.error,
        Some(AppError::Invalid(_) | AppError::Upstream { .. })
    ) && screen.draft.card_number.is_empty();
    let fields = Fields::new(screen.draft, screen.idempotency_key);
    let problems = Problems::new(screen.error);
    let errors = problems.fields;
    let terms = FieldState::new("agree_to_carrier_terms", errors);
    let submission = Submission::new();

    // Re-checks a field as the merchant types, with the rules the server applies. A message
    // appears while typing only once the input can no longer become valid (a card number no
    // brand starts with); otherwise on submit. A message already shown follows every change, so
    // it goes as soon as the field is fixed. Never on blur: a message appearing as focus leaves
    // would move the button the merchant is clicking.
    let on_check = Callback::new(move |field: &'static str| {
        let shown = errors.with(|e| e.get(field).is_some());
        let hopeless = field == "card_number"
            && !card_number_could_become_valid(&fields.card_number.get_untracked());
        if !shown && !hopeless {
            return;
        }
        let message = validate_registration(&fields.snapshot(), crate::today())
            .err()
            .and_then(|found| found.get(field).map(str::to_owned));
        errors.update(|e| e.set(field, message));
    });

    // A refused registration comes back with the key of the next one.
    let on_answer = move |answer| match answer {
        Ok(Screen::Register(same)) => {
            fields.idempotency_key.set(same.idempotency_key);
            problems.show(same.error);
        }
        Ok(next) => step.go(next),
        Err(problem) => problems.show(Some(problem)),
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match validate_registration(&fields.snapshot(), crate::today()) {
            Err(found) => problems.show(Some(AppError::Invalid(found))),
            Ok(_) => {
                problems.show(None);
                submission.send(&ev, on_answer);
            }
        }
    };

    let brand =
        move || card_digits(&fields.card_number.get()).and_then(|digits| detect_brand(&digits));

    view! {
        <h1 tabindex="-1">"Open your free Stamps.com account"</h1>
        <p class="lede">
            "Print discounted USPS postage from your ShipEngine account. This takes about two minutes: "
            "this form, then a code we text to your phone."
        </p>
        <ErrorSummary problems/>
        <form method="post" action=Register::PATH on:submit=on_submit novalidate>
            <input type="hidden" name="idempotency_key" value=fields.idempotency_key.get_untracked()
                prop:value=fields.idempotency_key/>
            <fieldset>
                <legend>"Your account"</legend>
                <TextField name="nickname" label="Account nickname" value=fields.nickname errors on_check
                    hint="A name you will recognise, like \u{201c}Main store\u{201d}"/>
                <TextField name="email" label="Email address" value=fields.email errors on_check
                    input_type="email" autocomplete="email"
                    hint="Stamps.com sends account emails here"/>
            </fieldset>

            <fieldset>
                <legend>"Your address"</legend>
                <p class="hint">"The address you ship from. Stamps.com is for US addresses only."</p>
                <TextField name="name" label="Full name" value=fields.name errors on_check autocomplete="name"/>
                <TextField name="company_name" label="Business name" value=fields.company_name errors on_check
                    autocomplete="organization" optional=true/>
                <TextField name="phone" label="Phone number" value=fields.phone errors on_check
                    input_type="tel" autocomplete="tel" hint="A US mobile number, like (512) 111-2222. We text a code to it next."/>
                <TextField name="address_line1" label="Address line 1" value=fields.address_line1 errors on_check
                    autocomplete="address-line1"/>
                <TextField name="address_line2" label="Address line 2" value=fields.address_line2 errors on_check
                    autocomplete="address-line2" optional=true/>
                <TextField name="city_locality" label="City" value=fields.city_locality errors on_check
                    autocomplete="address-level2" width="medium"/>
                <StateSelect value=fields.state_province errors on_check/>
                <TextField name="postal_code" label="ZIP code" value=fields.postal_code errors on_check
                    autocomplete="postal-code" width="short"/>
                <div class="field">
                    <label for="country">"Country"</label>
                    <select id="country" name="country" autocomplete="country" class="input input--medium">
                        <option value="US" selected>"United States"</option>
                    </select>
                </div>
                <Residential value=fields.residential errors on_check/>
            </fieldset>

            <fieldset>
                <legend>"Card for postage"</legend>
                <p class="hint">
                    "Stamps.com charges postage to this card. We pass it straight to Stamps.com and never keep it."
                </p>
                <TextField name="card_name" label="Name on card" value=fields.card_name errors on_check
                    autocomplete="cc-name"/>
                {card_cleared.then(|| view! {
                    <p class="notice" id="card-cleared">
                        "For your security we never keep card numbers, so please enter it again."
                    </p>
                })}
                <TextField name="card_number" label="Card number" value=fields.card_number errors on_check
                    autocomplete="cc-number" inputmode="numeric" width="card"
                    hint="Visa, Mastercard, American Express or Discover"
                    format=format_card_number/>
                <p class="card-brand" aria-live="polite">
                    {move || brand().map(|brand| format!("{} card", brand.display_name()))}
                </p>
                <CardExpiry month=fields.card_exp_month year=fields.card_exp_year errors on_check/>
            </fieldset>

            <div class="field" class:field--error=terms.has_error()>
                <FieldMessage name="agree_to_carrier_terms" errors/>
                <div class="checkbox">
                    <input type="checkbox" id="agree_to_carrier_terms" name="agree_to_carrier_terms" value="true"
                        checked=fields.agree_to_carrier_terms.get_untracked()
                        bind:checked=fields.agree_to_carrier_terms
                        aria-invalid=terms.aria_invalid()
                        aria-describedby=terms.aria_describedby(None)
                        on:change=move |_| on_check.run("agree_to_carrier_terms")/>
                    <label for="agree_to_carrier_terms">
                        "I agree to the "
                        <a href=TERMS_URL target="_blank" rel="noopener noreferrer">"Stamps.com terms and conditions (opens in a new tab)"</a>
                    </label>
                </div>
            </div>

            <SubmitButton label="Open my Stamps.com account" busy_label="Opening your account\u{2026}" submission/>
        </form>
    }
}

#[component]
fn StateSelect(
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    on_check: Callback<&'static str>,
) -> impl IntoView {
    let name = "state_province";
    let state = FieldState::new(name, errors);
    let initial = value.get_untracked();
    view! {
        <div class="field" class:field--error=state.has_error()>
            <label for=name>"State"</label>
            <FieldMessage name errors/>
            <select id=name name=name autocomplete="address-level1" class="input input--medium"
                aria-invalid=state.aria_invalid()
                aria-describedby=state.aria_describedby(None)
                prop:value=value
                on:change=move |ev| { value.set(event_target_value(&ev)); on_check.run(name) }>
                <option value="" selected=initial.is_empty()>"Select a state"</option>
                {US_STATES.iter().map(|(code, label)| view! {
                    <option value=*code selected=initial == *code>{*label}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Residential(
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    on_check: Callback<&'static str>,
) -> impl IntoView {
    let name = "residential";
    let state = FieldState::new(name, errors);
    let initial = value.get_untracked();
    let choice = move |id: &'static str, choice: &'static str, label: &'static str| {
        view! {
            <div class="radio">
                <input type="radio" id=id name=name value=choice
                    checked=initial == choice
                    prop:checked=move || value.get() == choice
                    on:change=move |_| { value.set(choice.to_owned()); on_check.run(name) }/>
                <label for=id>{label}</label>
            </div>
        }
    };
    view! {
        <fieldset class="field" class:field--error=state.has_error() id=name
            aria-describedby=state.aria_describedby(None)>
            <legend>"Is this a home address?"</legend>
            <FieldMessage name errors/>
            <div class="radios">
                {choice("residential-yes", "yes", "Yes, it is a home")}
                {choice("residential-no", "no", "No, it is a business")}
            </div>
        </fieldset>
    }
}

#[component]
fn CardExpiry(
    month: RwSignal<String>,
    year: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    on_check: Callback<&'static str>,
) -> impl IntoView {
    let has_error = move || {
        errors.with(|e| e.get("card_exp_month").is_some() || e.get("card_exp_year").is_some())
    };
    let part = move |name: &'static str,
                     label: &'static str,
                     value: RwSignal<String>,
                     autocomplete: &'static str,
                     size: &'static str| {
        let state = FieldState::new(name, errors);
        view! {
            <div class="date-part">
                <label for=name>{label}</label>
                <input type="text" id=name name=name inputmode="numeric" autocomplete=autocomplete
                    class=format!("input input--{size}")
                    aria-invalid=state.aria_invalid()
                    aria-describedby=state.aria_describedby(Some("card_exp-hint".to_owned()))
                    value=value.get_untracked()
                    prop:value=value
                    on:input=move |ev| { value.set(event_target_value(&ev)); on_check.run(name) }/>
            </div>
        }
    };
    view! {
        <fieldset class="field" class:field--error=has_error>
            <legend>"Expiry date"</legend>
            <p class="hint" id="card_exp-hint">"As on the card, for example 07 2030"</p>
            <FieldMessage name="card_exp_month" errors/>
            <FieldMessage name="card_exp_year" errors/>
            <div class="date">
                {part("card_exp_month", "Month", month, "cc-exp-month", "2")}
                {part("card_exp_year", "Year", year, "cc-exp-year", "4")}
            </div>
        </fieldset>
    }
}
