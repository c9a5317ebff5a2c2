//! The merchant page when this browser's flow could not be loaded (the database did not
//! answer): nothing to fill in, a calm message, a way to try again, and a 503 status.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TryAgain() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    }
    view! {
        <Title text="Something went wrong"/>
        <main id="main" class="container">
            <h1>"Something went wrong on our side"</h1>
            <p class="lede">"We could not load your details just now. Please try again in a moment."</p>
            <p><a class="button" href="/">"Try again"</a></p>
        </main>
    }
}
