//! Step 1's view: one form, validated as the merchant goes, relayed by the `register` server
//! function. Without JavaScript the same form posts to the same function.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::form::RegistrationSignals;
use super::{
    AddressCheck, AddressDecision, AddressPart, PostalAddress, Register, RegisterScreen,
    RegistrationField as Field, RegistrationForm, validate_registration,
};
use crate::error::{AppError, FieldErrors, FormField};
use crate::fields::card::{
    card_digits, card_number_could_become_valid, detect_brand, format_card_number,
};
use crate::fields::states::US_STATES;
use crate::i18n::{Locale, Text};
use crate::pages::StepChange;
use crate::screen::Screen;
use crate::ui::{
    ErrorSummary, FieldMessage, FieldState, Problems, Submission, SubmitButton, TextField,
    focus_soon, sent_by_language_switch,
};

/// The registration form's `id`: the language switch sends its fields along.
pub const REGISTRATION_FORM_ID: &str = "registration";

const TERMS_URL: &str = "https://www.stamps.com/legal/terms-and-conditions/";

/// The terms checkbox's name and id.
const TERMS: &str = Field::AgreeToCarrierTerms.name();

#[component]
pub fn RegisterView(screen: RegisterScreen, step: StepChange) -> impl IntoView {
    // A page rendered by the server never has the card number: say why it is blank.
    // Only for errors that ask for the form again: not when it must not be sent again.
    let card_cleared = (matches!(
        screen.error,
        Some(AppError::Invalid(_) | AppError::Upstream { .. })
    ) || screen.address_check.is_some())
        && screen.draft.card_number.is_empty();
    let address_check = RwSignal::new(screen.address_check);
    let fields = RegistrationSignals::new(RegistrationForm {
        idempotency_key: screen.idempotency_key,
        ..screen.draft
    });
    let locale = Locale::current();
    let problems = Problems::new(screen.error);
    let errors = problems.fields;
    let terms = FieldState::new(Field::AgreeToCarrierTerms, errors);
    let submission = Submission::new();

    // Re-checks a field as the merchant types, with the rules the server applies. A message
    // appears while typing only once the input can no longer become valid (a card number no
    // brand starts with); otherwise on submit. A message already shown follows every change, so
    // it goes as soon as the field is fixed. Never on blur: a message appearing as focus leaves
    // would move the button the merchant is clicking.
    let on_check = Callback::new(move |field: FormField| {
        let shown = errors.with(|e| e.get(field).is_some());
        let hopeless = field == Field::CardNumber.into()
            && !card_number_could_become_valid(&fields.card_number.get_untracked());
        if !shown && !hopeless {
            return;
        }
        let problem = validate_registration(&fields.snapshot(), crate::today())
            .err()
            .and_then(|found| found.get(field));
        errors.update(|e| e.set(field, problem));
    });

    // A refused registration comes back with the key of the next one.
    let on_answer = move |answer| match answer {
        Ok(Screen::Register(same)) => {
            fields.idempotency_key.set(same.idempotency_key);
            fields.address_decision.set(same.draft.address_decision);
            let suggested = matches!(same.address_check, Some(AddressCheck::Suggestion { .. }));
            address_check.set(same.address_check);
            problems.show(same.error);
            if suggested {
                focus_soon(ADDRESS_CHECK_TITLE);
            }
        }
        Ok(next) => step.go(next),
        Err(problem) => {
            // ShipEngine refused what was sent with this key: the corrected form is a new
            // registration. (A retry after any other error must keep the key: it may follow a
            // registration already on its way.)
            if matches!(problem, AppError::Upstream { .. } | AppError::Invalid(_))
                && let Some(key) = fresh_idempotency_key()
            {
                fields.idempotency_key.set(key);
            }
            problems.show(Some(problem));
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        if sent_by_language_switch(&ev) {
            return;
        }
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
        <h1 tabindex="-1">{locale.text(Text::RegisterTitle)}</h1>
        <p class="lede">{locale.text(Text::RegisterLede)}</p>
        <crate::connect::ConnectChoice/>
        <ErrorSummary problems/>
        <form id=REGISTRATION_FORM_ID method="post" action=Register::PATH on:submit=on_submit novalidate>
            <input type="hidden" name="idempotency_key" value=fields.idempotency_key.get_untracked()
                prop:value=fields.idempotency_key/>
            {move || address_check.get().map(|check| view! {
                <AddressCheckPanel check decision=fields.address_decision/>
            })}
            <fieldset>
                <legend>{locale.text(Text::YourAccountLegend)}</legend>
                <TextField field=Field::Nickname label=Text::NicknameLabel value=fields.nickname errors on_check
                    hint=Text::NicknameHint/>
                <TextField field=Field::Email label=Text::EmailLabel value=fields.email errors on_check
                    input_type="email" autocomplete="email" hint=Text::EmailHint/>
            </fieldset>

            <fieldset>
                <legend>{locale.text(Text::YourAddressLegend)}</legend>
                <p class="hint">{locale.text(Text::AddressHint)}</p>
                <TextField field=Field::Name label=Text::NameLabel value=fields.name errors on_check autocomplete="name"/>
                <TextField field=Field::CompanyName label=Text::CompanyNameLabel value=fields.company_name errors on_check
                    autocomplete="organization" optional=true/>
                <TextField field=Field::Phone label=Text::PhoneLabel value=fields.phone errors on_check
                    input_type="tel" autocomplete="tel" hint=Text::PhoneHint/>
                <TextField field=Field::AddressLine1 label=Text::AddressLine1Label value=fields.address_line1 errors on_check
                    autocomplete="address-line1"/>
                <TextField field=Field::AddressLine2 label=Text::AddressLine2Label value=fields.address_line2 errors on_check
                    autocomplete="address-line2" optional=true/>
                <TextField field=Field::CityLocality label=Text::CityLabel value=fields.city_locality errors on_check
                    autocomplete="address-level2" width="medium"/>
                <StateSelect value=fields.state_province errors on_check/>
                <TextField field=Field::PostalCode label=Text::PostalCodeLabel value=fields.postal_code errors on_check
                    autocomplete="postal-code" width="short"/>
                <div class="field">
                    <label for="country">{locale.text(Text::CountryLabel)}</label>
                    <select id="country" name="country" autocomplete="country" class="input input--medium">
                        <option value="US" selected>{locale.text(Text::CountryUnitedStates)}</option>
                    </select>
                </div>
                <Residential value=fields.residential errors on_check/>
            </fieldset>

            <fieldset>
                <legend>{locale.text(Text::CardLegend)}</legend>
                <p class="hint">{locale.text(Text::CardHint)}</p>
                <TextField field=Field::CardName label=Text::CardNameLabel value=fields.card_name errors on_check
                    autocomplete="cc-name"/>
                {card_cleared.then(|| view! {
                    <p class="notice" id="card-cleared">{locale.text(Text::CardCleared)}</p>
                })}
                <TextField field=Field::CardNumber label=Text::CardNumberLabel value=fields.card_number errors on_check
                    autocomplete="cc-number" inputmode="numeric" width="card"
                    hint=Text::CardNumberHint format=format_card_number/>
                <p class="card-brand" aria-live="polite">
                    {move || brand().map(|brand| locale.card_of_brand(brand))}
                </p>
                <CardExpiry month=fields.card_exp_month year=fields.card_exp_year errors on_check/>
            </fieldset>

            <div class="field" class:field--error=terms.has_error()>
                <FieldMessage field=Field::AgreeToCarrierTerms errors/>
                <div class="checkbox">
                    <input type="checkbox" id=TERMS name=TERMS value="true"
                        checked=fields.agree_to_carrier_terms.get_untracked()
                        bind:checked=fields.agree_to_carrier_terms
                        aria-invalid=terms.aria_invalid()
                        aria-describedby=terms.aria_describedby(None)
                        on:change=move |_| on_check.run(Field::AgreeToCarrierTerms.into())/>
                    <label for=TERMS>
                        {locale.text(Text::TermsAgree)}
                        <a href=TERMS_URL target="_blank" rel="noopener noreferrer">{locale.text(Text::TermsLink)}</a>
                    </label>
                </div>
            </div>

            <SubmitButton label=Text::RegisterButton busy_label=Text::RegisterBusy submission/>
        </form>
    }
}

/// The heading of the address check's panel, which takes focus when the panel appears.
const ADDRESS_CHECK_TITLE: &str = "#address-check-title";

/// What USPS said of the address: its suggestion beside what was typed, one to choose; or that
/// it could not confirm the address (the problems are on the fields), with a way to go on. One
/// view for both, its parts optional: every distinct view type costs the island code.
#[component]
fn AddressCheckPanel(check: AddressCheck, decision: RwSignal<AddressDecision>) -> impl IntoView {
    let locale = Locale::current();
    let name = Field::AddressDecision.name();
    let (title, lede, suggestion) = match check {
        AddressCheck::Suggestion {
            typed,
            matched,
            differs,
        } => (
            Text::AddressSuggestionTitle,
            Text::AddressSuggestionLede,
            Some((typed, matched, differs)),
        ),
        AddressCheck::Unconfirmed { .. } => (
            Text::AddressUnconfirmedTitle,
            Text::AddressUnconfirmedLede,
            None,
        ),
    };
    // A radio of the suggestion, or the "I'm sure" checkbox: unticking the box unsets it.
    let choice = move |id: &'static str,
                       input_type: &'static str,
                       choice: AddressDecision,
                       label: Text,
                       address: Option<(PostalAddress, &[AddressPart])>| {
        view! {
            <div class=input_type>
                <input type=input_type id=id name=name value=choice.value()
                    checked=decision.get_untracked() == choice
                    prop:checked=move || decision.get() == choice
                    aria-describedby=address.is_some().then_some("address-check-marks")
                    on:change=move |ev| decision.set(if event_target_checked(&ev) {
                        choice
                    } else {
                        AddressDecision::Unset
                    })/>
                <label for=id>
                    <strong>{locale.text(label)}</strong>
                    {address.map(|(address, differs)| address_lines(&address, differs))}
                </label>
            </div>
        }
    };
    let sure = suggestion.is_none();
    view! {
        <fieldset class="address-check" id=name aria-describedby="address-check-lede">
            <legend><h2 id="address-check-title" tabindex="-1">{locale.text(title)}</h2></legend>
            <p class="hint" id="address-check-lede">{locale.text(lede)}</p>
            {suggestion.map(|(typed, matched, differs)| view! {
                <p class="hint" id="address-check-marks">{locale.text(Text::AddressDifferencesMarked)}</p>
                {choice("address-usps", "radio", AddressDecision::UseUsps, Text::AddressUseUsps, Some((matched, &differs)))}
                {choice("address-typed", "radio", AddressDecision::AsTyped, Text::AddressUseTyped, Some((typed, &differs)))}
            })}
            {sure.then(|| choice("address-sure", "checkbox", AddressDecision::AsTyped, Text::AddressSure, None))}
        </fieldset>
    }
}

/// An address as an envelope shows it, each part that differs marked (the hint says so in words:
/// a mark is not colour alone).
fn address_lines(address: &PostalAddress, differs: &[AddressPart]) -> impl IntoView + use<> {
    let part = |part: AddressPart| {
        let text = address.part(part).to_owned();
        let marked = differs.contains(&part);
        (
            marked.then(|| view! { <mark>{text.clone()}</mark> }),
            (!marked).then_some(text),
        )
    };
    view! {
        <span class="address">
            {part(AddressPart::Line1)}
            {(!address.address_line2.is_empty()).then(|| view! { <br/>{part(AddressPart::Line2)} })}
            <br/>{part(AddressPart::City)}", "{part(AddressPart::State)}" "{part(AddressPart::PostalCode)}
        </span>
    }
}

#[component]
fn StateSelect(
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    on_check: Callback<FormField>,
) -> impl IntoView {
    let field = Field::StateProvince;
    let name = field.name();
    let locale = Locale::current();
    let state = FieldState::new(field, errors);
    let initial = value.get_untracked();
    view! {
        <div class="field" class:field--error=state.has_error()>
            <label for=name>{locale.text(Text::StateLabel)}</label>
            <FieldMessage field errors/>
            <select id=name name=name autocomplete="address-level1" class="input input--medium"
                aria-invalid=state.aria_invalid()
                aria-describedby=state.aria_describedby(None)
                prop:value=value
                on:change=move |ev| { value.set(event_target_value(&ev)); on_check.run(field.into()) }>
                <option value="" selected=initial.is_empty()>{locale.text(Text::StateNotChosen)}</option>
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
    on_check: Callback<FormField>,
) -> impl IntoView {
    let field = Field::Residential;
    let name = field.name();
    let locale = Locale::current();
    let state = FieldState::new(field, errors);
    let initial = value.get_untracked();
    let choice = move |id: &'static str, choice: &'static str, label: Text| {
        view! {
            <div class="radio">
                <input type="radio" id=id name=name value=choice
                    checked=initial == choice
                    prop:checked=move || value.get() == choice
                    on:change=move |_| { value.set(choice.to_owned()); on_check.run(field.into()) }/>
                <label for=id>{locale.text(label)}</label>
            </div>
        }
    };
    view! {
        <fieldset class="field" class:field--error=state.has_error() id=name
            aria-describedby=state.aria_describedby(None)>
            <legend>{locale.text(Text::ResidentialLegend)}</legend>
            <FieldMessage field errors/>
            <div class="radios">
                {choice("residential-yes", "yes", Text::ResidentialYes)}
                {choice("residential-no", "no", Text::ResidentialNo)}
            </div>
        </fieldset>
    }
}

#[component]
fn CardExpiry(
    month: RwSignal<String>,
    year: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    on_check: Callback<FormField>,
) -> impl IntoView {
    let locale = Locale::current();
    let has_error = move || {
        errors.with(|e| e.get(Field::CardExpMonth).is_some() || e.get(Field::CardExpYear).is_some())
    };
    let part = move |field: Field,
                     label: Text,
                     value: RwSignal<String>,
                     autocomplete: &'static str,
                     size: &'static str| {
        let name = field.name();
        let state = FieldState::new(field, errors);
        view! {
            <div class="date-part">
                <label for=name>{locale.text(label)}</label>
                <input type="text" id=name name=name inputmode="numeric" autocomplete=autocomplete
                    class=format!("input input--{size}")
                    aria-invalid=state.aria_invalid()
                    aria-describedby=state.aria_describedby(Some("card_exp-hint".to_owned()))
                    value=value.get_untracked()
                    prop:value=value
                    on:input=move |ev| { value.set(event_target_value(&ev)); on_check.run(field.into()) }/>
            </div>
        }
    };
    view! {
        <fieldset class="field" class:field--error=has_error>
            <legend>{locale.text(Text::ExpiryLegend)}</legend>
            <p class="hint" id="card_exp-hint">{locale.text(Text::ExpiryHint)}</p>
            <FieldMessage field=Field::CardExpMonth errors/>
            <FieldMessage field=Field::CardExpYear errors/>
            <div class="date">
                {part(Field::CardExpMonth, Text::ExpiryMonthLabel, month, "cc-exp-month", "2")}
                {part(Field::CardExpYear, Text::ExpiryYearLabel, year, "cc-exp-year", "4")}
            </div>
        </fieldset>
    }
}

/// A new form key, as the server renders one (a random UUID v4), made in the browser; `None` if
/// the browser cannot give random bytes (the form then keeps its key, and a reload gets a new one).
fn fresh_idempotency_key() -> Option<String> {
    let mut bytes = [0u8; 16];
    window()
        .crypto()
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes))
        .ok()?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = crate::hex::encode(&bytes);
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}
