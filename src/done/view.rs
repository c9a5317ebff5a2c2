//! Step 3's view: what was opened, and that it is verified.

use leptos::prelude::*;

use super::DoneScreen;
use crate::i18n::{Locale, Text};

#[component]
pub fn DoneView(screen: DoneScreen) -> impl IntoView {
    let locale = Locale::current();
    let text = move |text| locale.text(text);
    view! {
        <div class="panel panel--success">
            <h1 tabindex="-1">{text(Text::DoneTitle)}</h1>
            <p class="lede">{text(Text::DoneLede)}</p>
        </div>
        <dl class="summary-list">
            <div><dt>{text(Text::DoneNickname)}</dt><dd>{screen.nickname}</dd></div>
            <div><dt>{text(Text::DoneCarrierId)}</dt><dd><code>{screen.carrier_id}</code></dd></div>
            <div><dt>{text(Text::DoneStatus)}</dt><dd>{text(Text::DoneVerified)}</dd></div>
            <div>
                <dt>{text(Text::DoneBalance)}</dt>
                <dd>{screen.balance.map_or_else(
                    || text(Text::DoneBalanceUnavailable).to_owned(),
                    |balance| locale.money(balance),
                )}</dd>
            </div>
        </dl>
        {screen.add_postage.then(|| view! {
            <p><a class="button" href=crate::postage::POSTAGE_PATH>{text(Text::DoneAddPostage)}</a></p>
        })}
        <p><a href=crate::manage::MANAGE_PATH>{text(Text::ManageOnStamps)}</a></p>
        // A plain link: it works before (or without) the WebAssembly.
        {screen.return_to.map(|href| view! {
            <p><a class="button" href=href>{text(Text::DoneReturnToPlatform)}</a></p>
        })}
    }
}
