//! The console's pages: plain server-rendered HTML (no island, no script), English only. Each
//! page is a whole document rendered to a string; its content is one of the views below.

mod audit;
mod charts;
mod links;
mod overview;
mod registration;
mod registrations;
mod sign_in;

use leptos::prelude::*;

pub use audit::audit_page;
pub use links::links_page;
pub use overview::overview_page;
pub use registration::{SettleFormView, registration_page};
pub use registrations::registrations_page;
pub use sign_in::{SignInView, sign_in_page};

use super::session::{Admin, FORM_TOKEN_FIELD, Flash, SignedInWith};

/// The console's sections, for the navigation's current page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Overview,
    Registrations,
    Links,
    Audit,
    None,
}

/// What every page shows around its content: the stylesheet, and who is signed in.
#[derive(Clone, Debug)]
pub struct Chrome {
    pub stylesheet: String,
    /// The admin's name, when signed in, and the form token of the sign-out button (none
    /// behind single sign-on: signing out is the proxy's).
    pub signed_in: Option<(String, Option<String>)>,
    pub section: Section,
}

impl Chrome {
    pub fn of(stylesheet: &str, admin: Option<&Admin>, section: Section) -> Self {
        Self {
            stylesheet: stylesheet.to_owned(),
            signed_in: admin.map(|admin| {
                let sign_out = (admin.signed_in_with == SignedInWith::Password)
                    .then(|| admin.form_token.clone());
                (admin.name.clone(), sign_out)
            }),
            section,
        }
    }
}

/// The whole document: `title` (the page's `<h1>` says it too), the header, and `content`.
pub fn document(chrome: Chrome, title: &str, content: AnyView) -> String {
    let title = format!("{title} — stamps-connect admin");
    let Chrome {
        stylesheet,
        signed_in,
        section,
    } = chrome;
    let owner = Owner::new();
    owner.with(move || {
        view! {
            <!DOCTYPE html>
            <html lang="en">
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    <meta name="color-scheme" content="light"/>
                    <meta name="robots" content="noindex"/>
                    <title>{title}</title>
                    <link rel="stylesheet" href=stylesheet/>
                    <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                </head>
                <body class="admin">
                    <a class="skip-link" href="#main">"Skip to main content"</a>
                    <header class="admin-header">
                        <p class="brand">"stamps-connect admin"</p>
                        {signed_in.map(|(name, token)| header_nav(section, name, token))}
                    </header>
                    <main id="main" class="admin-main">{content}</main>
                </body>
            </html>
        }
        .to_html()
    })
}

fn header_nav(section: Section, name: String, sign_out: Option<String>) -> impl IntoView {
    let link = move |href: &'static str, label: &'static str, own: Section| {
        view! {
            <li><a href=href aria-current=(section == own).then_some("page")>{label}</a></li>
        }
    };
    view! {
        <nav aria-label="Console">
            <ul>
                {link("/admin", "Overview", Section::Overview)}
                {link("/admin/registrations", "Registrations", Section::Registrations)}
                {link("/admin/links", "Links", Section::Links)}
                {link("/admin/audit", "Audit log", Section::Audit)}
            </ul>
        </nav>
        {match sign_out {
            Some(token) => view! {
                <form class="admin-sign-out" method="post" action="/admin/sign-out">
                    <input type="hidden" name=FORM_TOKEN_FIELD value=token/>
                    <span>"Signed in as " <strong>{name}</strong></span>
                    " "
                    <button type="submit" class="link-button">"Sign out"</button>
                </form>
            }
            .into_any(),
            None => view! {
                <p class="admin-sign-out">
                    "Signed in as " <strong>{name}</strong> " through single sign-on"
                </p>
            }
            .into_any(),
        }}
    }
}

/// The hidden field of this session's form token.
pub fn token_field(token: &str) -> impl IntoView {
    view! { <input type="hidden" name=FORM_TOKEN_FIELD value=token.to_owned()/> }
}

/// What the last action did, announced when the page loads.
pub fn flash_view(flash: Option<Flash>) -> impl IntoView {
    flash.map(|flash| {
        let class = if flash.done {
            "admin-flash admin-flash--done"
        } else {
            "admin-flash admin-flash--problem"
        };
        view! { <p class=class role="status">{flash.text}</p> }
    })
}

/// "Previous / Page 2 of 5 / Next", linking to `href_of(page)`.
pub fn pager(page: i64, pages: i64, href_of: impl Fn(i64) -> String) -> impl IntoView {
    let previous = (page > 1).then(|| {
        view! { <a href=href_of(page - 1) rel="prev">"Previous page"</a> }
    });
    let next = (page < pages).then(|| {
        view! { <a href=href_of(page + 1) rel="next">"Next page"</a> }
    });
    view! {
        <nav class="admin-pager" aria-label="Pages">
            {previous}
            <span>{format!("Page {page} of {pages}")}</span>
            {next}
        </nav>
    }
}

/// The message of an error page.
pub fn error_content(title: &'static str, body: &'static str) -> AnyView {
    view! {
        <h1>{title}</h1>
        <p class="lede">{body}</p>
        <p><a href="/admin">"Back to the console"</a></p>
    }
    .into_any()
}
