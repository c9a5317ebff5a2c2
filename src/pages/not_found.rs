//! Any path no route matches: a page that says so, with the way back, and a 404 status.

use leptos::prelude::*;

use super::StatusPage;
use crate::i18n::Text;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <StatusPage status=404 title=Text::NotFoundTitle body=Text::NotFoundBody
            link=Text::NotFoundLink/>
    }
}
