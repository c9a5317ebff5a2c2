//! The links page: each opens the Stamps.com account in a new tab; a way back to `/`.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

use super::ManageScreen;
use crate::i18n::{Locale, Text};
use crate::ui::LanguageSwitch;

#[component]
pub fn ManagePage() -> impl IntoView {
    let locale = Locale::current();
    let text = move |text| locale.text(text);
    let screen =
        use_context::<ManageScreen>().unwrap_or(ManageScreen::Unavailable { reference: None });
    let body = match screen {
        ManageScreen::Links(links) => Either::Left(view! {
            <p class="lede">{text(Text::ManageLede)}</p>
            <ul class="account-links">
                {links.into_iter().map(|link| view! {
                    <li>
                        <a href=link.url target="_blank" rel="noopener noreferrer">
                            {text(link.label)} " " <span class="new-tab">{text(Text::OpensInNewTab)}</span>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        }),
        ManageScreen::Unavailable { reference } => {
            #[cfg(feature = "ssr")]
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(axum::http::StatusCode::FAILED_DEPENDENCY);
            }
            Either::Right(view! {
                <div class="error-summary error-summary--shown" role="alert">
                    <p>{text(Text::ManageUnavailable)}</p>
                    {reference.map(|reference| view! {
                        <p class="reference">
                            {text(Text::ReferenceForSupport)} <code>{reference}</code>
                        </p>
                    })}
                </div>
            })
        }
    };
    view! {
        <Title text=text(Text::ManageTitle)/>
        <main id="main" class="container">
            <h1>{text(Text::ManageTitle)}</h1>
            {body}
            <p><a class="button button--secondary" href="/">{text(Text::ManageBack)}</a></p>
        </main>
        <LanguageSwitch/>
    }
}
