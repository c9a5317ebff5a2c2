//! Any path no route matches: a page that says so, with the way back, and a 404 status.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{Locale, Text};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let locale = Locale::current();
    view! {
        <Title text=locale.text(Text::NotFoundTitle)/>
        <main id="main" class="container">
            <h1>{locale.text(Text::NotFoundTitle)}</h1>
            <p class="lede">{locale.text(Text::NotFoundBody)}</p>
            <p><a class="button" href="/">{locale.text(Text::NotFoundLink)}</a></p>
        </main>
    }
}
