//! The connect page (server-rendered, no WebAssembly) and the choice on the registration form
//! that leads to it.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{CONNECT_PATH, ConnectField as Field, ConnectForm, ConnectScreen, ConnectSignals};
use crate::error::{AppError, FormField};
use crate::i18n::{Locale, Text};
use crate::pages::{StartFromPlatform, TryAgain};
use crate::ui::{ErrorSummary, LanguageSwitch, Problems, TextField};

/// The registration form's way to the connect page: a plain link, so the island carries next
/// to nothing for it.
#[component]
pub fn ConnectChoice() -> impl IntoView {
    let locale = Locale::current();
    view! {
        <p class="choice">
            {locale.text(Text::ConnectChoice)} " "
            <a href=CONNECT_PATH>{locale.text(Text::ConnectChoiceLink)}</a>
        </p>
    }
}

/// `/connect`, as its handler loaded it.
#[component]
pub fn ConnectPage() -> impl IntoView {
    match use_context::<ConnectScreen>() {
        Some(ConnectScreen::Form {
            nickname,
            username,
            idempotency_key,
            error,
        }) => view! { <ConnectFormView nickname username idempotency_key error/> }.into_any(),
        Some(ConnectScreen::LinkRequired) => view! { <StartFromPlatform/> }.into_any(),
        _ => view! { <TryAgain/> }.into_any(),
    }
}

/// The form: nickname, username, password.
#[component]
fn ConnectFormView(
    nickname: String,
    username: String,
    idempotency_key: String,
    error: Option<AppError>,
) -> impl IntoView {
    let locale = Locale::current();
    // The password field always starts empty.
    let fields = ConnectSignals::new(ConnectForm {
        nickname,
        username,
        ..ConnectForm::default()
    });
    let problems = Problems::new(error);
    let errors = problems.fields;
    // Nothing to re-check as the merchant types: the page runs no script.
    let on_check = Callback::new(|_: FormField| {});
    view! {
        <Title text=locale.text(Text::ConnectTitle)/>
        <main id="main" class="container">
            <h1 tabindex="-1">{locale.text(Text::ConnectTitle)}</h1>
            <p class="lede">{locale.text(Text::ConnectLede)}</p>
            <ErrorSummary problems/>
            <form method="post" action=CONNECT_PATH novalidate>
                <input type="hidden" name="idempotency_key" value=idempotency_key/>
                <TextField field=Field::Nickname label=Text::NicknameLabel value=fields.nickname
                    errors on_check hint=Text::NicknameHint/>
                <TextField field=Field::Username label=Text::ConnectUsernameLabel value=fields.username
                    errors on_check autocomplete="username"/>
                <TextField field=Field::Password label=Text::ConnectPasswordLabel value=fields.password
                    errors on_check input_type="password" autocomplete="current-password"
                    hint=Text::ConnectPasswordHint/>
                <button type="submit" class="button">{locale.text(Text::ConnectButton)}</button>
            </form>
            <p class="choice">
                <a href="/">{locale.text(Text::ConnectOpenInstead)}</a>
            </p>
        </main>
        <LanguageSwitch/>
    }
}
