//! Any path no route matches: a page that says so, with the way back, and a 404 status.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <main id="main" class="container">
            <h1>"Page not found"</h1>
            <p class="lede">"There is no page at this address."</p>
            <p><a class="button" href="/">"Go to the start page"</a></p>
        </main>
    }
}
