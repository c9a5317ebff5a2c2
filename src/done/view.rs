//! Step 3's view: what was opened, and that it is verified.

use leptos::prelude::*;

use super::DoneScreen;

#[component]
pub fn DoneView(screen: DoneScreen) -> impl IntoView {
    view! {
        <div class="panel panel--success">
            <h1 tabindex="-1">"Your Stamps.com account is ready"</h1>
            <p class="lede">"It is verified and linked to ShipEngine. You can print USPS postage now."</p>
        </div>
        <dl class="summary-list">
            <div><dt>"Account nickname"</dt><dd>{screen.nickname}</dd></div>
            <div><dt>"Carrier ID"</dt><dd><code>{screen.carrier_id}</code></dd></div>
            <div><dt>"Status"</dt><dd>"Verified"</dd></div>
        </dl>
    }
}
