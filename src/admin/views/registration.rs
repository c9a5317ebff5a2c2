//! One registration: its row (the card as brand and last four), its timeline, the webhook events
//! it announced with each delivery attempt, the audit entries, and the actions: settle an
//! unknown outcome, deliver an event again.

use leptos::prelude::*;

use super::registrations::{card_words, status_words};
use super::{flash_view, token_field};
use crate::admin::dates::format_time;
use crate::admin::service::{EventDeliveries, RegistrationDetail, SettleProblem};
use crate::admin::session::Flash;
use crate::server::storage::{Origin, RegistrationStatus};

/// The settle form as it was sent, with what is wrong with it.
#[derive(Clone, Debug, Default)]
pub struct SettleFormView {
    pub outcome: String,
    pub carrier_id: String,
    pub note: String,
    pub problems: Vec<SettleProblem>,
}

/// How the account came to be.
fn origin_words(origin: Origin) -> &'static str {
    match origin {
        Origin::Registered => "Opened with the form",
        Origin::Connected => "An existing Stamps.com account, connected",
    }
}

fn dash(value: Option<String>) -> String {
    value
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "—".into())
}

pub fn registration_page(
    detail: RegistrationDetail,
    form_token: String,
    flash: Option<Flash>,
    settle_form: SettleFormView,
) -> AnyView {
    let row = detail.registration;
    let reference = row.reference.clone();
    let facts = [
        ("Status", status_words(row.status).to_owned()),
        ("Origin", origin_words(row.origin).to_owned()),
        ("Created", format_time(row.created_at_ms)),
        ("Last changed", format_time(row.updated_at_ms)),
        ("Email", dash(Some(row.email.clone()))),
        ("Nickname", row.nickname.clone()),
        ("Merchant ref", dash(row.merchant_ref.clone())),
        ("Carrier id", dash(row.carrier_id.clone())),
        ("Card", card_words(&row)),
        ("Code sent to", dash(row.code_sent_to.clone())),
        ("Latest upstream failure", dash(row.last_error.clone())),
    ]
    .into_iter()
    .map(|(term, value)| view! { <div><dt>{term}</dt><dd>{value}</dd></div> })
    .collect_view();
    let settle = (row.status == RegistrationStatus::OutcomeUnknown)
        .then(|| settle_section(&reference, &form_token, settle_form));
    let timeline = detail
        .timeline
        .into_iter()
        .map(|line| {
            view! {
                <tr>
                    <td>{format_time(line.at_ms)}</td>
                    <th scope="row">{line.event}</th>
                    <td>{line.status}</td>
                    <td><code>{dash(line.request_id)}</code></td>
                    <td>{dash(line.detail)}</td>
                </tr>
            }
        })
        .collect_view();
    let events = if detail.events.is_empty() {
        view! { <p>"No webhook event was announced."</p> }.into_any()
    } else {
        detail
            .events
            .into_iter()
            .map(|event| event_view(&reference, &form_token, event))
            .collect_view()
            .into_any()
    };
    let audit = if detail.audit.is_empty() {
        view! { <p>"Nobody has acted on this registration."</p> }.into_any()
    } else {
        let rows = detail
            .audit
            .into_iter()
            .map(|entry| {
                view! {
                    <tr>
                        <td>{format_time(entry.at_ms)}</td>
                        <td>{entry.actor}</td>
                        <th scope="row">{entry.action}</th>
                        <td>{entry.detail}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="admin-table-wrap">
                <table class="admin-table">
                    <caption class="visually-hidden">"Audit entries, oldest first"</caption>
                    <thead><tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Detail"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <p class="admin-breadcrumb"><a href="/admin/registrations">"All registrations"</a></p>
        <h1>"Registration " <code>{reference.clone()}</code></h1>
        {flash_view(flash)}
        <dl class="summary-list">{facts}</dl>
        {settle}
        <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Timeline"</h2>
            <div class="admin-table-wrap">
                <table class="admin-table">
                    <caption class="visually-hidden">"Every step, oldest first"</caption>
                    <thead><tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Step"</th>
                        <th scope="col">"Status after"</th>
                        <th scope="col">"ShipEngine request id"</th>
                        <th scope="col">"Detail"</th>
                    </tr></thead>
                    <tbody>{timeline}</tbody>
                </table>
            </div>
        </section>
        <section aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">"Webhook events"</h2>
            {events}
        </section>
        <section aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Audit log"</h2>
            {audit}
        </section>
    }
    .into_any()
}

/// The settle form. Its fields are not `required`: the server says what is missing, beside the
/// field and in the summary, rather than the browser's own bubble.
fn settle_section(reference: &str, form_token: &str, form: SettleFormView) -> impl IntoView {
    let problem_of = |field: &str| {
        form.problems
            .iter()
            .map(|problem| problem.field_and_words())
            .find(|(id, _)| *id == field)
            .map(|(_, words)| words)
    };
    let outcome_problem = problem_of("outcome-registered");
    let carrier_problem = problem_of("carrier_id");
    let note_problem = problem_of("note");
    let summary = (!form.problems.is_empty()).then(|| {
        let items = form
            .problems
            .iter()
            .map(|problem| {
                let (id, words) = problem.field_and_words();
                view! { <li><a href=format!("#{id}")>{words}</a></li> }
            })
            .collect_view();
        view! {
            <div class="error-summary error-summary--shown" role="alert" aria-labelledby="settle-problem">
                <h3 id="settle-problem">"There is a problem"</h3>
                <ul>{items}</ul>
            </div>
        }
    });
    let error_line = |id: &'static str, problem: Option<&'static str>| {
        problem.map(|words| view! { <p class="field-error" id=id>{words}</p> })
    };
    let field_class = |problem: Option<&str>| {
        if problem.is_some() {
            "field field--error"
        } else {
            "field"
        }
    };
    let described = |hint: &'static str, error: &'static str, problem: Option<&str>| {
        if problem.is_some() {
            format!("{hint} {error}")
        } else {
            hint.to_owned()
        }
    };
    view! {
        <section aria-labelledby="settle-heading" class="admin-action">
            <h2 id="settle-heading">"Settle this registration"</h2>
            <p>"ShipEngine gave no usable answer, so nobody knows yet whether the account was opened. Check the operator's ShipEngine account, then record what you found. The merchant's next page load follows it."</p>
            {summary}
            <form method="post" action=format!("/admin/registrations/{reference}/settle") class="admin-form">
                {token_field(form_token)}
                <fieldset class=field_class(outcome_problem)>
                    <legend>"What did ShipEngine do?"</legend>
                    {error_line("outcome-error", outcome_problem)}
                    <div class="radio">
                        <input type="radio" id="outcome-registered" name="outcome" value="registered"
                            checked=form.outcome == "registered"/>
                        <label for="outcome-registered">"It opened the account"</label>
                    </div>
                    <div class="radio">
                        <input type="radio" id="outcome-failed" name="outcome" value="failed"
                            checked=form.outcome == "failed"/>
                        <label for="outcome-failed">"It did not open an account"</label>
                    </div>
                </fieldset>
                <div class=field_class(carrier_problem)>
                    <label for="carrier_id">"Carrier id " <span class="optional">"(when it opened the account)"</span></label>
                    <p class="hint" id="carrier-hint">"As ShipEngine shows it, like se-1234567."</p>
                    {error_line("carrier-error", carrier_problem)}
                    <input class="input input--medium" id="carrier_id" name="carrier_id" type="text"
                        value=form.carrier_id.clone()
                        aria-invalid=carrier_problem.map(|_| "true")
                        aria-describedby=described("carrier-hint", "carrier-error", carrier_problem)/>
                </div>
                <div class=field_class(note_problem)>
                    <label for="note">"Note"</label>
                    <p class="hint" id="note-hint">"How you found out. It goes in the timeline and the audit log."</p>
                    {error_line("note-error", note_problem)}
                    <textarea class="input" id="note" name="note" rows="3"
                        aria-invalid=note_problem.map(|_| "true")
                        aria-describedby=described("note-hint", "note-error", note_problem)>
                        {form.note.clone()}
                    </textarea>
                </div>
                <button type="submit" class="button">"Settle"</button>
            </form>
        </section>
    }
}

fn event_view(reference: &str, form_token: &str, delivery: EventDeliveries) -> impl IntoView {
    let event = delivery.event;
    let state = match (event.delivered_at_ms, event.given_up_at_ms) {
        (Some(at), _) => format!("Delivered {}", format_time(at)),
        (None, Some(at)) => format!("Given up {}", format_time(at)),
        (None, None) => format!(
            "Waiting: next attempt {}",
            format_time(event.next_attempt_at_ms)
        ),
    };
    let attempts = if delivery.attempts.is_empty() {
        view! { <p>"No delivery attempt yet."</p> }.into_any()
    } else {
        let rows = delivery
            .attempts
            .into_iter()
            .map(|attempt| {
                let answer = attempt
                    .status_code
                    .map_or_else(|| "No answer".to_owned(), |code| format!("HTTP {code}"));
                view! {
                    <tr>
                        <th scope="row">{format_time(attempt.at_ms)}</th>
                        <td>{answer}</td>
                        <td>{dash(attempt.error)}</td>
                        <td class="number">{format!("{} ms", attempt.duration_ms)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="admin-table-wrap">
                <table class="admin-table">
                    <caption>{format!("Delivery attempts of {}", event.event_id)}</caption>
                    <thead><tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Answer"</th>
                        <th scope="col">"Error"</th>
                        <th scope="col" class="number">"Took"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    // Every event, delivered ones too: a receiver that answered 2xx may still have lost it.
    let redeliver = {
        let action = format!(
            "/admin/registrations/{reference}/events/{}/redeliver",
            event.event_id
        );
        view! {
            <form method="post" action=action>
                {token_field(form_token)}
                <button type="submit" class="button button--secondary">
                    "Deliver again now" <span class="visually-hidden">{format!(" ({})", event.event_id)}</span>
                </button>
            </form>
        }
    };
    view! {
        <article class="admin-event">
            <h3><code>{event.event_type.clone()}</code> " " <span class="admin-muted">{event.event_id.clone()}</span></h3>
            <p>{format!("Created {}; {} attempts. {state}.", format_time(event.created_at_ms), event.attempts)}</p>
            {attempts}
            {redeliver}
        </article>
    }
}
