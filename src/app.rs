//! The document and its routes. Routes are matched on the server; each page is plain
//! server-rendered HTML, and the merchant flow is the one island the browser brings to life.

use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::connect::ConnectPage;
use crate::i18n::{Locale, Text};
use crate::manage::ManagePage;
use crate::pages::{MerchantPage, NotFound, StartLinkPage};
use crate::postage::PostagePage;

/// The whole document, rendered by the server. `demo_code` is set in demo mode: the fixed code
/// the embedded simulator accepts, shown in a banner.
#[cfg(feature = "ssr")]
pub fn shell(stylesheet: String, demo_code: Option<String>) -> impl IntoView {
    use leptos_meta::MetaTags;
    let locale = Locale::current();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <meta name="description" content=locale.text(Text::MetaDescription)/>
                <link rel="stylesheet" href=stylesheet/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <MetaTags/>
            </head>
            <body>
                <a class="skip-link" href="#main">{locale.text(Text::SkipToMainContent)}</a>
                {demo_code.map(|code| view! {
                    <div class="demo-banner" role="note">
                        <strong>{locale.text(Text::DemoMode)}</strong>
                        {locale.text(Text::DemoModeCodeIs)}
                        <strong class="demo-code">{code}</strong>
                    </div>
                })}
                <header class="site-header">
                    <p class="brand">{locale.text(Text::Brand)}</p>
                </header>
                <App/>
            </body>
        </html>
    }
}

/// The routes. `/start/:token` is an onboarding link's (its handler redirects an opened link to
/// `/`); `/admin/…` is added here as pages of its own.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text=Locale::current().text(Text::PageTitle)/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=MerchantPage/>
                // Rendered only when the link did not open (an opened one redirects to `/`).
                <Route path=path!("/start/:token") view=StartLinkPage/>
                <Route path=path!("/connect") view=ConnectPage/>
                <Route path=path!("/account/manage") view=ManagePage/>
                // "Add postage": server-rendered pages, no island.
                <Route path=path!("/account/postage") view=PostagePage/>
                <Route path=path!("/account/postage/:id") view=PostagePage/>
            </Routes>
        </Router>
    }
}
