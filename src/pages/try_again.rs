//! The merchant page when this browser's flow could not be loaded (the database did not
//! answer): nothing to fill in, a calm message, a way to try again, and a 503 status.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{Locale, Text};

#[component]
pub fn TryAgain() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    }
    let locale = Locale::current();
    view! {
        <Title text=locale.text(Text::TryAgainTitle)/>
        <main id="main" class="container">
            <h1>{locale.text(Text::TryAgainTitle)}</h1>
            <p class="lede">{locale.text(Text::TryAgainBody)}</p>
            <p><a class="button" href="/">{locale.text(Text::TryAgainLink)}</a></p>
        </main>
    }
}
