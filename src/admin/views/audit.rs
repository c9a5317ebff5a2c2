//! The whole audit log, newest first: sign-ins (and failed ones), sign-outs, settlements,
//! redeliveries, exports, the reconciliation job's notes.

use leptos::prelude::*;

use super::pager;
use crate::admin::dates::format_time;
use crate::admin::service::Paged;
use crate::server::storage::AuditEntry;

pub fn audit_page(list: Paged<AuditEntry>) -> AnyView {
    let rows = list
        .items
        .iter()
        .map(|entry| {
            let reference = entry.reference.clone().map(|reference| {
                let href = format!("/admin/registrations/{reference}");
                view! { <a href=href><code>{reference}</code></a> }
            });
            view! {
                <tr>
                    <td>{format_time(entry.at_ms)}</td>
                    <td>{entry.actor.clone()}</td>
                    <th scope="row"><code>{entry.action.clone()}</code></th>
                    <td>{reference}</td>
                    <td>{entry.detail.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let found = match list.total {
        0 => "Nothing has been recorded yet.".to_owned(),
        1 => "1 entry.".to_owned(),
        n => format!("{n} entries."),
    };
    view! {
        <h1>"Audit log"</h1>
        <p class="admin-count">{found}</p>
        <div class="admin-table-wrap">
            <table class="admin-table">
                <caption class="visually-hidden">"Audit log, newest first"</caption>
                <thead><tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Action"</th>
                    <th scope="col">"Registration"</th>
                    <th scope="col">"Detail"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {pager(list.page, list.pages, |page| format!("/admin/audit?page={page}"))}
    }
    .into_any()
}
