//! "English / Español" on every screen: the page's language, and a button for each other one.
//! It works without JavaScript: a button posts to [`LANGUAGE_PATH`], which keeps what was typed
//! in the form the button belongs to (the card number excepted, as on any server round trip),
//! remembers the choice in a cookie and sends the browser back to the page.

use std::cell::Cell;

use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::i18n::{Locale, Text};

/// Where the switch posts.
pub const LANGUAGE_PATH: &str = "/language";

/// The button's `name`: its value is the language's tag.
const LANGUAGE_FIELD: &str = "language";

/// The switch. With `form`, the id of the form on the page, its buttons send that form's fields
/// along, so nothing typed is lost. It must come after that form in the page: the first submit
/// button of a form is the one Enter presses.
#[component]
pub fn LanguageSwitch(#[prop(default = None)] form: Option<&'static str>) -> impl IntoView {
    let current = Locale::current();
    let languages = Locale::ALL.iter().map(move |&locale| {
        let name = locale.text(Text::LanguageName);
        if locale == current {
            Either::Left(
                view! { <li><span lang=locale.tag() aria-current="true">{name}</span></li> },
            )
        } else {
            Either::Right(view! {
                <li>
                    <button type="submit" name=LANGUAGE_FIELD value=locale.tag() lang=locale.tag()
                        form=form formaction=LANGUAGE_PATH formmethod="post" formnovalidate
                        class="link-button" on:click=|_| SWITCH_PRESSED.set(true)>
                        {name}
                    </button>
                </li>
            })
        }
    });
    view! {
        <form method="post" action=LANGUAGE_PATH class="language-switch"
            aria-label=current.text(Text::LanguageSwitchLabel)>
            <ul>{languages.collect_view()}</ul>
        </form>
    }
}

thread_local! {
    /// A switch button was just pressed: for browsers whose submit events do not say which
    /// button sent them (`submitter`, Safari before 15.4).
    static SWITCH_PRESSED: Cell<bool> = const { Cell::new(false) };
}

/// Whether `ev` is the language switch sending its form: the page lets the browser post it.
pub fn sent_by_language_switch(ev: &SubmitEvent) -> bool {
    let pressed = SWITCH_PRESSED.replace(false);
    match ev.submitter() {
        Some(button) => button
            .get_attribute("name")
            .is_some_and(|name| name == LANGUAGE_FIELD),
        None => pressed,
    }
}
