//! The registrations: a filter form (a GET, so a filtered list has an address), the table, its
//! pages, and the same filters as a CSV download.

use leptos::prelude::*;

use super::pager;
use crate::admin::dates::format_time;
use crate::admin::service::{Paged, RegistrationQuery};
use crate::server::storage::{Registration, RegistrationStatus};

/// A status in words.
pub fn status_words(status: RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Submitted => "Submitted",
        RegistrationStatus::Registered => "Registered",
        RegistrationStatus::CodeSent => "Code sent",
        RegistrationStatus::Verified => "Verified",
        RegistrationStatus::Failed => "Failed",
        RegistrationStatus::OutcomeUnknown => "Outcome unknown",
    }
}

/// `Visa •••• 1111`, or a dash for an account connected without a card of ours.
pub fn card_words(row: &Registration) -> String {
    if row.card_brand.is_empty() {
        return "—".into();
    }
    format!("{} •••• {}", row.card_brand, row.card_last4)
}

pub fn registrations_page(query: RegistrationQuery, list: Paged<Registration>) -> AnyView {
    let options = RegistrationStatus::ALL
        .into_iter()
        .map(|status| {
            let value = status.as_str();
            view! {
                <option value=value selected=query.status == value>{status_words(status)}</option>
            }
        })
        .collect_view();
    let export_query = RegistrationQuery {
        page: String::new(),
        ..query.clone()
    }
    .query_string();
    let export_href = if export_query.is_empty() {
        "/admin/registrations.csv".to_owned()
    } else {
        format!("/admin/registrations.csv?{export_query}")
    };
    let rows = list
        .items
        .iter()
        .map(|row| {
            let href = format!("/admin/registrations/{}", row.reference);
            view! {
                <tr>
                    <th scope="row"><a href=href>{row.reference.clone()}</a></th>
                    <td>{format_time(row.created_at_ms)}</td>
                    <td>{status_words(row.status)}</td>
                    <td>{row.email.clone()}</td>
                    <td>{row.nickname.clone()}</td>
                    <td>{row.merchant_ref.clone().unwrap_or_default()}</td>
                    <td>{card_words(row)}</td>
                </tr>
            }
        })
        .collect_view();
    let found = match list.total {
        0 => "No registration matches.".to_owned(),
        1 => "1 registration.".to_owned(),
        n => format!("{n} registrations."),
    };
    let for_pages = query.clone();
    view! {
        <h1>"Registrations"</h1>
        <form method="get" action="/admin/registrations" class="admin-filters" role="search"
            aria-label="Filter the registrations">
            <div class="field">
                <label for="q">"Email, reference or merchant ref"</label>
                <input class="input" id="q" name="q" type="search" value=query.q.clone()/>
            </div>
            <div class="field">
                <label for="status">"Status"</label>
                <select class="input" id="status" name="status">
                    <option value="" selected=query.status.is_empty()>"Any status"</option>
                    {options}
                </select>
            </div>
            <div class="field">
                <label for="from">"Created from"</label>
                <input class="input" id="from" name="from" type="date" value=query.from.clone()/>
            </div>
            <div class="field">
                <label for="to">"Created to"</label>
                <input class="input" id="to" name="to" type="date" value=query.to.clone()/>
            </div>
            <div class="admin-filters__actions">
                <button type="submit" class="button">"Filter"</button>
                <a href="/admin/registrations">"Clear the filters"</a>
            </div>
        </form>
        <p class="admin-count">
            {found} " "
            <a href=export_href download="">"Download these as CSV"</a>
        </p>
        <div class="admin-table-wrap">
            <table class="admin-table">
                <caption class="visually-hidden">"Registrations, newest first"</caption>
                <thead><tr>
                    <th scope="col">"Reference"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Nickname"</th>
                    <th scope="col">"Merchant ref"</th>
                    <th scope="col">"Card"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {pager(list.page, list.pages, move |page| {
            format!("/admin/registrations?{}", for_pages.with_page(page))
        })}
    }
    .into_any()
}
