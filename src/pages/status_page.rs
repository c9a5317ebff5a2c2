//! A page that only says something, with one link on: not found, try again.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{Locale, Text};
use crate::ui::LanguageSwitch;

/// `title` as the page's title and heading, `body` under it, a button-styled link to `/`
/// labelled `link` (none when the way on is elsewhere); the response gets `status`.
#[component]
pub fn StatusPage(
    status: u16,
    title: Text,
    body: Text,
    #[prop(optional)] link: Option<Text>,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(status),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
    let locale = Locale::current();
    view! {
        <Title text=locale.text(title)/>
        <main id="main" class="container">
            <h1>{locale.text(title)}</h1>
            <p class="lede">{locale.text(body)}</p>
            {link.map(|link| view! { <p><a class="button" href="/">{locale.text(link)}</a></p> })}
        </main>
        <LanguageSwitch/>
    }
}
