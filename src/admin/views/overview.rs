//! The overview: the funnel, registrations per day, and upstream failures by kind, each a chart
//! with its numbers in a table.

use leptos::prelude::*;

use super::charts::{Bar, columns, horizontal_bars};
use crate::admin::dates::format_day;
use crate::admin::service::Overview;

/// What a failure event means, for people.
pub fn failure_words(event: &str) -> &'static str {
    match event {
        "failed" => "Registration refused by ShipEngine",
        "outcome_unknown" => "Registration with no answer (outcome unknown)",
        "send_code_failed" => "Code could not be sent",
        "verify_code_failed" => "Code check failed",
        _ => "Other failure",
    }
}

/// `part` of `whole` as a whole percentage ("0%" of nothing).
fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "0%".into();
    }
    format!("{}%", (part * 100 + whole / 2) / whole)
}

pub fn overview_page(overview: Overview) -> AnyView {
    let period = overview.period();
    let funnel = overview.funnel;
    let steps = [
        ("Form opened", funnel.form_opened),
        ("Registered", funnel.registered),
        ("Code sent", funnel.code_sent),
        ("Verified", funnel.verified),
    ];
    let funnel_bars = steps
        .iter()
        .map(|(label, value)| Bar {
            label: (*label).to_owned(),
            value: *value,
            shown: value.to_string(),
        })
        .collect();
    let funnel_description = steps
        .iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect::<Vec<_>>()
        .join(", ");
    let funnel_rows = steps
        .iter()
        .enumerate()
        .map(|(index, (label, value))| {
            let drop = index.checked_sub(1).map(|previous| {
                let before = steps[previous].1;
                let lost = (before - value).max(0);
                format!("{lost} ({})", percent(lost, before))
            });
            view! {
                <tr>
                    <th scope="row">{*label}</th>
                    <td class="number">{value.to_string()}</td>
                    <td class="number">{drop.unwrap_or_else(|| "—".into())}</td>
                </tr>
            }
        })
        .collect_view();

    let total: i64 = overview.per_day.iter().map(|(_, count)| count).sum();
    let day_bars = overview
        .per_day
        .iter()
        .map(|(day, count)| Bar {
            label: format_day(*day),
            value: *count,
            shown: count.to_string(),
        })
        .collect();
    let busiest = overview
        .per_day
        .iter()
        .max_by_key(|(day, count)| (*count, -day))
        .filter(|(_, count)| *count > 0)
        .map_or_else(
            || "none on any day".to_owned(),
            |(day, count)| format!("the most, {count}, on {}", format_day(*day)),
        );
    let day_rows = overview
        .per_day
        .iter()
        .map(|(day, count)| {
            view! {
                <tr><th scope="row">{format_day(*day)}</th><td class="number">{count.to_string()}</td></tr>
            }
        })
        .collect_view();

    let failures_total: i64 = overview.failures.iter().map(|(_, count)| count).sum();
    let failure_bars = overview
        .failures
        .iter()
        .map(|(kind, count)| Bar {
            label: failure_words(kind).replace(" (outcome unknown)", ""),
            value: *count,
            shown: format!("{count} ({})", percent(*count, failures_total)),
        })
        .collect();
    let failure_description = overview
        .failures
        .iter()
        .map(|(kind, count)| {
            format!(
                "{}: {count} ({})",
                failure_words(kind),
                percent(*count, failures_total)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let failure_rows = overview
        .failures
        .iter()
        .map(|(kind, count)| {
            view! {
                <tr>
                    <th scope="row">{failure_words(kind)}</th>
                    <td class="number">{count.to_string()}</td>
                    <td class="number">{percent(*count, failures_total)}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <h1>"Overview"</h1>
        <p class="lede">{format!("The last 30 days, {period} (UTC).")}</p>

        <section class="admin-figure" aria-labelledby="funnel-heading">
            <h2 id="funnel-heading">"Funnel"</h2>
            <p>"Browsers shown the form, then the registrations they sent that ShipEngine opened, that were texted a code, and that were verified."</p>
            {horizontal_bars("funnel", "The funnel of the last 30 days", funnel_description, funnel_bars)}
            <table class="admin-table">
                <caption>"The funnel, step by step"</caption>
                <thead><tr>
                    <th scope="col">"Step"</th>
                    <th scope="col" class="number">"Count"</th>
                    <th scope="col" class="number">"Lost since the step before"</th>
                </tr></thead>
                <tbody>{funnel_rows}</tbody>
            </table>
        </section>

        <section class="admin-figure" aria-labelledby="per-day-heading">
            <h2 id="per-day-heading">"Registrations per day"</h2>
            <p>{format!("{total} registrations in 30 days; {busiest}.")}</p>
            {columns(
                "per-day",
                "Registrations per day, the last 30 days",
                format!("{total} registrations in 30 days; {busiest}. The table below has every day."),
                day_bars,
            )}
            <details>
                <summary>"Every day's number"</summary>
                <table class="admin-table">
                    <caption>"Registrations per day (UTC)"</caption>
                    <thead><tr>
                        <th scope="col">"Day"</th>
                        <th scope="col" class="number">"Registrations"</th>
                    </tr></thead>
                    <tbody>{day_rows}</tbody>
                </table>
            </details>
        </section>

        <section class="admin-figure" aria-labelledby="failures-heading">
            <h2 id="failures-heading">"Upstream failures by kind"</h2>
            <p>{format!("{failures_total} ShipEngine failures in 30 days.")}</p>
            {horizontal_bars("failures", "Upstream failures by kind, the last 30 days", failure_description, failure_bars)}
            <table class="admin-table">
                <caption>"Upstream failures by kind"</caption>
                <thead><tr>
                    <th scope="col">"Kind"</th>
                    <th scope="col" class="number">"Count"</th>
                    <th scope="col" class="number">"Share"</th>
                </tr></thead>
                <tbody>{failure_rows}</tbody>
            </table>
        </section>
    }
    .into_any()
}
