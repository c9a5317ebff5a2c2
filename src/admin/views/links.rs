//! The onboarding links the operator minted (never their tokens), newest first.

use leptos::prelude::*;

use super::pager;
use crate::admin::dates::format_time;
use crate::admin::service::{LinkState, Paged};
use crate::server::storage::LinkSummary;

pub fn links_page(list: Paged<LinkSummary>, now_ms: i64) -> AnyView {
    let rows = list
        .items
        .iter()
        .map(|link| {
            view! {
                <tr>
                    <th scope="row"><code>{link.id.clone()}</code></th>
                    <td>{link.merchant_ref.clone()}</td>
                    <td>{format_time(link.created_at_ms)}</td>
                    <td>{format_time(link.expires_at_ms)}</td>
                    <td>{LinkState::of(link, now_ms).word()}</td>
                    <td>{if link.has_return_url == 1 { "Yes" } else { "No" }}</td>
                </tr>
            }
        })
        .collect_view();
    let found = match list.total {
        0 => "No link has been minted yet.".to_owned(),
        1 => "1 link.".to_owned(),
        n => format!("{n} links."),
    };
    view! {
        <h1>"Onboarding links"</h1>
        <p class="admin-count">{found}</p>
        <div class="admin-table-wrap">
            <table class="admin-table">
                <caption class="visually-hidden">"Onboarding links, newest first"</caption>
                <thead><tr>
                    <th scope="col">"Link"</th>
                    <th scope="col">"Merchant ref"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Return URL set"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {pager(list.page, list.pages, |page| format!("/admin/links?page={page}"))}
    }
    .into_any()
}
