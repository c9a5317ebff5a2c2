//! The pages of onboarding links that do not lead to the form: a link that did not open, and
//! the form closed to browsers that came without one (`PUBLIC_FORM=off`). Plain server-rendered
//! pages, no WebAssembly; the way on is the operator's platform, so no button leads back here.

use leptos::prelude::*;

use super::{StatusPage, TryAgain};
use crate::i18n::Text;

/// Why `/start/{token}` did not open a flow, as its handler provides it in context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartLinkRefusal {
    /// No link has this token.
    Unknown,
    /// Opened before, or expired (and the link names no `refresh_url` to send the merchant to).
    Spent,
    /// Our side failed.
    Failed,
}

#[component]
pub fn StartLinkPage() -> impl IntoView {
    match use_context::<StartLinkRefusal>().unwrap_or(StartLinkRefusal::Unknown) {
        StartLinkRefusal::Spent => view! {
            <StatusPage status=410 title=Text::LinkSpentTitle body=Text::LinkSpentBody/>
        }
        .into_any(),
        StartLinkRefusal::Unknown => view! {
            <StatusPage status=404 title=Text::LinkUnknownTitle body=Text::LinkUnknownBody/>
        }
        .into_any(),
        StartLinkRefusal::Failed => view! { <TryAgain/> }.into_any(),
    }
}

#[component]
pub fn StartFromPlatform() -> impl IntoView {
    view! {
        <StatusPage status=403 title=Text::StartFromPlatformTitle
            body=Text::StartFromPlatformBody/>
    }
}
