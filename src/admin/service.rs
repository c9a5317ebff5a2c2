//! What the console does, as plain functions of the database (and the access settings): tested
//! without HTTP. The handlers in [`super::routes`] only read the request and render the result.

use serde::{Deserialize, Serialize};

use super::access::{AdminAccess, valid_name};
use super::dates::{MS_PER_DAY, day_of, format_day, format_time, parse_date};
use super::error::AdminError;
use super::session::actor;
use crate::server::ClientIp;
use crate::server::limits::{admin_sign_in_counts, admin_sign_ins_in_total, unix_now};
use crate::server::observability::metrics;
use crate::server::storage::{
    AuditEntry, Database, FunnelCounts, LinkSummary, OutboxEntry, Registration, RegistrationEvent,
    RegistrationSearch, RegistrationStatus, StorageError, TimelineEntry, UPSTREAM_FAILURES,
    WebhookDelivery,
};

/// Rows per page of a list.
pub const PAGE_SIZE: i64 = 50;
/// The overview's period, in days (today included).
pub const OVERVIEW_DAYS: i64 = 30;

/// Why a password sign-in was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInRefusal {
    /// No password is configured: the form does not exist.
    NoPassword,
    /// The name is empty, too long or not printable.
    InvalidName,
    WrongPassword,
    /// Too many tries from this address within 15 minutes.
    TooManyTries {
        retry_after_secs: u64,
    },
    Unavailable,
}

impl From<StorageError> for SignInRefusal {
    fn from(error: StorageError) -> Self {
        tracing::error!(%error, "admin sign-in: database failed");
        Self::Unavailable
    }
}

/// Checks a password sign-in of `name` from `ip`; the name as it will be audited when it is
/// right. Each try is counted before the password is checked (so parallel tries cannot pass the
/// limit) and given back when it was right: only failures lock the door. Success and failure
/// are audited; the password never is. Past `failures_total` tries from all addresses within
/// 15 minutes, each try waits (a delay growing with the count, capped) before it is checked:
/// slowed down, never refused, so an attacker cannot lock support out.
pub async fn sign_in_with_password(
    database: &Database,
    access: &AdminAccess,
    keep_hits_secs: u64,
    ip: ClientIp,
    name: &str,
    password: String,
) -> Result<String, SignInRefusal> {
    if !access.accepts_passwords() {
        return Err(SignInRefusal::NoPassword);
    }
    let name = valid_name(name).ok_or(SignInRefusal::InvalidName)?;
    let counts = admin_sign_in_counts(ip.0, access.failures_per_ip);
    let now = unix_now();
    if let Err(over) = database.admit(&counts, keep_hits_secs, now).await? {
        tracing::warn!(limit = over.limit, ip = %ip.0, "admin sign-in refused: too many tries");
        metrics::limit_rejected(over.limit);
        return Err(SignInRefusal::TooManyTries {
            retry_after_secs: over.retry_after_secs,
        });
    }
    let in_total = database
        .hits_within(&admin_sign_ins_in_total(), now)
        .await?;
    if let Some(delay) = access.slowdown(in_total) {
        tracing::warn!(
            tries = in_total,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            ip = %ip.0,
            "admin sign-in slowed down: many tries from all addresses"
        );
        tokio::time::sleep(delay).await;
    }
    if !access.password_matches(password).await {
        tracing::warn!(ip = %ip.0, "admin sign-in: wrong password");
        database
            .audit(
                &actor(&name),
                "sign_in_failed",
                None,
                &format!("wrong password, from {}", ip.0),
            )
            .await?;
        return Err(SignInRefusal::WrongPassword);
    }
    database.give_back(&counts, now).await?;
    database
        .audit(
            &actor(&name),
            "sign_in",
            None,
            &format!("with the password, from {}", ip.0),
        )
        .await?;
    Ok(name)
}

/// The registrations list's query string, as the filter form sends it (blank is "any").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationQuery {
    pub status: String,
    pub from: String,
    pub to: String,
    pub q: String,
    pub page: String,
}

impl RegistrationQuery {
    pub fn filter(&self) -> Result<RegistrationSearch, AdminError> {
        let status = match self.status.trim() {
            "" => None,
            raw => Some(
                RegistrationStatus::try_from(raw.to_owned())
                    .map_err(|_| AdminError::BadRequest("Choose a status from the list."))?,
            ),
        };
        let date = |raw: &str| match raw.trim() {
            "" => Ok(None),
            raw => parse_date(raw)
                .map(Some)
                .ok_or(AdminError::BadRequest("Enter dates like 2026-11-30.")),
        };
        let search = self.q.trim();
        Ok(RegistrationSearch {
            status,
            created_from_ms: date(&self.from)?,
            // "To" is inclusive: up to the end of that day.
            created_before_ms: date(&self.to)?.map(|start| start + MS_PER_DAY),
            search: (!search.is_empty()).then(|| search.to_owned()),
        })
    }

    /// The page asked for, from 1.
    pub fn page(&self) -> i64 {
        self.page.trim().parse::<i64>().unwrap_or(1).max(1)
    }

    /// This query on another page, as a query string (`status=…&page=2`).
    pub fn with_page(&self, page: i64) -> String {
        let query = Self {
            page: if page > 1 {
                page.to_string()
            } else {
                String::new()
            },
            ..self.clone()
        };
        query.query_string()
    }

    /// The filters alone (no page), as a query string.
    pub fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("status", self.status.trim()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
            ("q", self.q.trim()),
            ("page", self.page.trim()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// One page of a list, and where it is among the others.
#[derive(Clone, Debug)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

impl<T> Paged<T> {
    fn new(items: Vec<T>, total: i64, page: i64) -> Self {
        Self {
            items,
            total,
            page,
            pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        }
    }
}

fn offset_of(page: i64) -> i64 {
    page.saturating_sub(1).saturating_mul(PAGE_SIZE)
}

pub async fn list_registrations(
    database: &Database,
    query: &RegistrationQuery,
) -> Result<Paged<Registration>, AdminError> {
    let filter = query.filter()?;
    let page = query.page();
    let (rows, total) = database
        .filtered_registrations(&filter, PAGE_SIZE, offset_of(page))
        .await?;
    Ok(Paged::new(rows, total, page))
}

/// Every registration the query's filters match, as CSV; the export is audited with its filters
/// and size.
pub async fn export_registrations(
    database: &Database,
    query: &RegistrationQuery,
    actor: &str,
) -> Result<String, AdminError> {
    let filter = query.filter()?;
    let rows = database.all_filtered_registrations(&filter).await?;
    let filters = RegistrationQuery {
        page: String::new(),
        ..query.clone()
    }
    .query_string();
    let detail = format!(
        "{} rows; filters: {}",
        rows.len(),
        if filters.is_empty() { "none" } else { &filters }
    );
    database.audit(actor, "export_csv", None, &detail).await?;
    Ok(super::csv::registrations_csv(&rows))
}

/// A webhook event and its delivery attempts.
#[derive(Clone, Debug)]
pub struct EventDeliveries {
    pub event: OutboxEntry,
    pub attempts: Vec<WebhookDelivery>,
}

/// Everything the registration page shows.
#[derive(Clone, Debug)]
pub struct RegistrationDetail {
    pub registration: Registration,
    pub timeline: Vec<TimelineEntry>,
    pub events: Vec<EventDeliveries>,
    pub audit: Vec<AuditEntry>,
}

pub async fn registration_detail(
    database: &Database,
    reference: &str,
) -> Result<RegistrationDetail, AdminError> {
    let registration = database
        .registration_by_reference(reference)
        .await?
        .ok_or(AdminError::NotFound)?;
    let mut events = Vec::new();
    for event in database.webhook_events_of(reference).await? {
        let attempts = database.webhook_deliveries_of(&event.event_id).await?;
        events.push(EventDeliveries { event, attempts });
    }
    Ok(RegistrationDetail {
        registration,
        timeline: database.timeline(reference).await?,
        events,
        audit: database.audit_of(reference).await?,
    })
}

/// The settle form, as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SettleForm {
    /// `registered` or `failed`.
    pub outcome: String,
    pub carrier_id: String,
    pub note: String,
}

/// What is wrong with a settle form, field by field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettleProblem {
    NoOutcome,
    NoCarrierId,
    BadCarrierId,
    /// Another registration holds that carrier: one account is never given to two.
    CarrierHeld,
    NoNote,
    LongNote,
}

impl SettleProblem {
    /// The field's id in the form, and the sentence beside it.
    pub fn field_and_words(self) -> (&'static str, &'static str) {
        match self {
            Self::NoOutcome => ("outcome-registered", "Choose what ShipEngine did"),
            Self::NoCarrierId => (
                "carrier_id",
                "Enter the carrier id ShipEngine gave the account, like se-1234567",
            ),
            Self::BadCarrierId => (
                "carrier_id",
                "A carrier id has only letters, digits, - and _, like se-1234567",
            ),
            Self::CarrierHeld => (
                "carrier_id",
                "Another registration already holds this carrier id: check it in ShipEngine",
            ),
            Self::NoNote => ("note", "Write a note: how you found out"),
            Self::LongNote => ("note", "Keep the note under 1,000 characters"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettleRefusal {
    Invalid(Vec<SettleProblem>),
    /// Not (or no longer) an unknown outcome: it is in this status.
    NotUnknown(RegistrationStatus),
    Failed(AdminError),
}

impl From<AdminError> for SettleRefusal {
    fn from(error: AdminError) -> Self {
        Self::Failed(error)
    }
}

impl From<StorageError> for SettleRefusal {
    fn from(error: StorageError) -> Self {
        Self::Failed(error.into())
    }
}

const MAX_NOTE_CHARS: usize = 1000;

/// Settles the unknown outcome of `reference` as the form says; the registration as it is now.
/// The status change, its timeline line, its `registration.settled` webhook event and its audit
/// entry are one transaction ([`Database::record`]); a second settlement finds it settled.
pub async fn settle(
    database: &Database,
    reference: &str,
    actor: &str,
    form: &SettleForm,
) -> Result<Registration, SettleRefusal> {
    let note = form.note.trim();
    let carrier_id = form.carrier_id.trim();
    let mut problems = Vec::new();
    let registered = match form.outcome.as_str() {
        "registered" => Some(true),
        "failed" => Some(false),
        _ => {
            problems.push(SettleProblem::NoOutcome);
            None
        }
    };
    if registered == Some(true) {
        if carrier_id.is_empty() {
            problems.push(SettleProblem::NoCarrierId);
        } else if carrier_id.len() > 64
            || !carrier_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            problems.push(SettleProblem::BadCarrierId);
        }
    }
    if note.is_empty() {
        problems.push(SettleProblem::NoNote);
    } else if note.chars().count() > MAX_NOTE_CHARS {
        problems.push(SettleProblem::LongNote);
    }
    let Some(registered) = registered.filter(|_| problems.is_empty()) else {
        return Err(SettleRefusal::Invalid(problems));
    };
    let row = database
        .registration_by_reference(reference)
        .await?
        .ok_or(AdminError::NotFound)?;
    let event = if registered {
        RegistrationEvent::SettledRegistered {
            carrier_id,
            by: actor,
            note,
        }
    } else {
        RegistrationEvent::SettledFailed { by: actor, note }
    };
    let settled = match database.record(&row.idempotency_key, event).await {
        Err(StorageError::CarrierHeld(_)) => {
            return Err(SettleRefusal::Invalid(vec![SettleProblem::CarrierHeld]));
        }
        recorded => recorded?,
    };
    let now = database
        .registration_by_reference(reference)
        .await?
        .ok_or(AdminError::NotFound)?;
    if settled {
        Ok(now)
    } else {
        Err(SettleRefusal::NotUnknown(now.status))
    }
}

/// Puts a webhook event of `reference` back in the queue, due now, delivered or not (a receiver
/// that answered 2xx may still have lost it); the redelivery is audited, saying whether the
/// event had been delivered.
pub async fn redeliver(
    database: &Database,
    reference: &str,
    event_id: &str,
    actor: &str,
) -> Result<OutboxEntry, AdminError> {
    let event = database
        .webhook_events_of(reference)
        .await?
        .into_iter()
        .find(|event| event.event_id == event_id)
        .ok_or(AdminError::NotFound)?;
    if !database.redeliver_webhook(event_id).await? {
        return Err(AdminError::NotFound);
    }
    database
        .audit(
            actor,
            "redeliver",
            Some(reference),
            &match event.delivered_at_ms {
                Some(at) => format!(
                    "{} {} (already delivered {}: sent again)",
                    event.event_type,
                    event.event_id,
                    format_time(at)
                ),
                None => format!("{} {}", event.event_type, event.event_id),
            },
        )
        .await?;
    Ok(event)
}

/// Where an onboarding link stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Active,
    Used,
    Expired,
}

impl LinkState {
    pub fn of(link: &LinkSummary, now_ms: i64) -> Self {
        if link.used_at_ms.is_some() {
            Self::Used
        } else if link.expires_at_ms <= now_ms {
            Self::Expired
        } else {
            Self::Active
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Used => "Used",
            Self::Expired => "Expired",
        }
    }
}

pub async fn list_links(database: &Database, page: i64) -> Result<Paged<LinkSummary>, AdminError> {
    let page = page.max(1);
    let (links, total) = database
        .onboarding_links_page(PAGE_SIZE, offset_of(page))
        .await?;
    Ok(Paged::new(links, total, page))
}

/// One page of the audit log, newest first.
pub async fn list_audit(database: &Database, page: i64) -> Result<Paged<AuditEntry>, AdminError> {
    let page = page.max(1);
    let (entries, total) = database.audit_page(PAGE_SIZE, offset_of(page)).await?;
    Ok(Paged::new(entries, total, page))
}

/// The overview's numbers for the [`OVERVIEW_DAYS`] days up to today (UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overview {
    pub first_day: i64,
    pub funnel: FunnelCounts,
    /// Each day of the period, oldest first, with its registrations.
    pub per_day: Vec<(i64, i64)>,
    /// Each kind of upstream failure (in [`UPSTREAM_FAILURES`]' order), with its count.
    pub failures: Vec<(&'static str, i64)>,
}

impl Overview {
    pub fn period(&self) -> String {
        let last = self.first_day + OVERVIEW_DAYS - 1;
        format!("{} to {}", format_day(self.first_day), format_day(last))
    }
}

pub async fn overview(database: &Database, now_ms: i64) -> Result<Overview, AdminError> {
    let first_day = day_of(now_ms) - (OVERVIEW_DAYS - 1);
    let since_ms = first_day * MS_PER_DAY;
    let funnel = database.funnel_since(since_ms).await?;
    let counted = database.registrations_per_day(since_ms).await?;
    let per_day = (first_day..first_day + OVERVIEW_DAYS)
        .map(|day| {
            let count = counted
                .iter()
                .find(|(counted_day, _)| *counted_day == day)
                .map_or(0, |(_, count)| *count);
            (day, count)
        })
        .collect();
    let found = database.upstream_failures_since(since_ms).await?;
    let failures = UPSTREAM_FAILURES
        .iter()
        .map(|kind| {
            let count = found
                .iter()
                .find(|(event, _)| event == kind)
                .map_or(0, |(_, count)| *count);
            (*kind, count)
        })
        .collect();
    Ok(Overview {
        first_day,
        funnel,
        per_day,
        failures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_becomes_a_filter_with_an_inclusive_end_date() {
        let query = RegistrationQuery {
            status: "outcome_unknown".into(),
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
            q: "  Ana ".into(),
            page: "3".into(),
        };
        let filter = query.filter().unwrap();
        assert_eq!(filter.status, Some(RegistrationStatus::OutcomeUnknown));
        assert_eq!(filter.created_from_ms, parse_date("2026-11-01"));
        assert_eq!(filter.created_before_ms, parse_date("2026-12-01"));
        assert_eq!(filter.search.as_deref(), Some("Ana"));
        assert_eq!(query.page(), 3);
        assert_eq!(
            query.with_page(4),
            "status=outcome_unknown&from=2026-11-01&to=2026-11-30&q=Ana&page=4"
        );
        assert!(
            RegistrationQuery {
                status: "nope".into(),
                ..Default::default()
            }
            .filter()
            .is_err()
        );
        assert!(
            RegistrationQuery {
                from: "30/11/2026".into(),
                ..Default::default()
            }
            .filter()
            .is_err()
        );
        assert_eq!(
            RegistrationQuery::default().filter().unwrap(),
            RegistrationSearch::default()
        );
        assert_eq!(
            RegistrationQuery {
                page: "-2".into(),
                ..Default::default()
            }
            .page(),
            1
        );
    }
}
