//! The merchant page when this browser's flow could not be loaded (the database did not
//! answer): nothing to fill in, a calm message, a way to try again, and a 503 status.

use leptos::prelude::*;

use super::StatusPage;
use crate::i18n::Text;

#[component]
pub fn TryAgain() -> impl IntoView {
    view! {
        <StatusPage status=503 title=Text::TryAgainTitle body=Text::TryAgainBody
            link=Text::TryAgainLink/>
    }
}
