//! Unknown outcomes settle themselves where they can.
//!
//! A registration whose answer was lost (`outcome_unknown`) may or may not have opened an
//! account. Every `RECONCILE_EVERY_SECS`, a background task asks ShipEngine for the account's
//! carriers, once for all such rows, and applies [`decide`]: the one free `stamps_com` carrier
//! with the row's nickname settles it as registered; none after `RECONCILE_GRACE_MINUTES` settles
//! it as failed (the merchant may send the form again); more than one is left for support, with
//! one audit entry. A round whose carrier list fails settles nothing.
//!
//! Several instances may run it at once: a settlement is a conditional update
//! ([`Database::record`]), so a row moves, and is announced and audited, once.

mod decide;

use std::collections::HashSet;
use std::time::Duration;

use tokio_util::task::AbortOnDropHandle;

use crate::server::shipengine::{Carrier, CarrierId, ShipEngineClient, ShipEngineError};
use crate::server::storage::{
    Database, NO_ANSWER_IN_TIME, Registration, RegistrationEvent, StorageError, now_ms,
};

pub use decide::{Decision, Round, decide};

/// Who the audit log says settled a row.
pub const ACTOR: &str = "reconciliation";
/// The audit log's action for a row left for support.
pub const AMBIGUOUS: &str = "reconcile_ambiguous";

/// `RECONCILE_EVERY_SECS` and `RECONCILE_GRACE_MINUTES` (`RECONCILE=off`: no job at all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconcileSettings {
    pub every: Duration,
    pub grace: Duration,
}

impl Default for ReconcileSettings {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(60),
            grace: Duration::from_secs(30 * 60),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    #[error("listing ShipEngine's carriers failed: {0}")]
    Carriers(#[from] ShipEngineError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What one round did. A row another instance settled first counts nowhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundOutcome {
    /// Rows left `submitted` too long (their instance stopped mid-call), now unknown outcomes.
    pub stale: usize,
    pub registered: usize,
    pub failed: usize,
    pub left_for_support: usize,
    pub waiting: usize,
}

/// The job's work, without the timer: tests run rounds one by one.
#[derive(Clone, Debug)]
pub struct Reconciler {
    database: Database,
    shipengine: ShipEngineClient,
    grace: Duration,
    /// How long a row may stay `submitted`: see [`Self::settling_submissions_after`].
    stale_after: Option<Duration>,
}

impl Reconciler {
    pub fn new(database: Database, shipengine: ShipEngineClient, grace: Duration) -> Self {
        Self {
            database,
            shipengine,
            grace,
            stale_after: None,
        }
    }

    /// Each round first records as unknown outcomes the rows `submitted` longer than `after`
    /// (the longest a registration can take: `registration_settles_within`), so a row whose
    /// instance stopped mid-call settles even if its merchant never comes back.
    pub fn settling_submissions_after(mut self, after: Duration) -> Self {
        self.stale_after = Some(after);
        self
    }

    /// Runs a round every `every`, the first one `every` after the start, until the handle is
    /// dropped (with the app's state).
    pub fn spawn(self, every: Duration) -> AbortOnDropHandle<()> {
        AbortOnDropHandle::new(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // The first tick is immediate: a starting app has nothing urgent to settle.
            ticks.tick().await;
            loop {
                ticks.tick().await;
                match self.run_round().await {
                    // Each settlement logs its own line; rows still waiting are no news.
                    Ok(outcome) => tracing::debug!(?outcome, "reconciliation round"),
                    Err(error) => {
                        tracing::warn!(%error, "reconciliation round failed; trying next round");
                    }
                }
            }
        }))
    }

    /// Looks at every unknown outcome once, with one `GET /v1/carriers` (none when there is no
    /// such row), and acts on each decision.
    pub async fn run_round(&self) -> Result<RoundOutcome, RoundError> {
        let mut outcome = RoundOutcome {
            stale: self.settle_stale_submissions().await?,
            ..RoundOutcome::default()
        };
        let rows = self.database.unknown_outcomes().await?;
        if rows.is_empty() {
            return Ok(outcome);
        }
        let listed = self.shipengine.list_carriers().await?;
        let stamps_ids: Vec<&str> = listed
            .carriers
            .iter()
            .filter(|carrier| carrier.carrier_code == Carrier::STAMPS_COM)
            .map(|carrier| carrier.carrier_id.as_str())
            .collect();
        // In this order: a carrier listed was opened by a call whose row was made before the
        // list; read after the list, that row is either still without a carrier (pending) or,
        // read after pending, holds it.
        let pending = self.database.registrations_without_carrier().await?;
        let held: HashSet<String> = self.database.carrier_ids_held(&stamps_ids).await?;
        let round = Round {
            rows: &rows,
            pending: &pending,
            carriers: &listed.carriers,
            held: &held,
            grace: self.grace,
            now_ms: now_ms(),
        };
        for (row, decision) in decide(&round) {
            // One row's failure does not hold the others back; it is tried again next round.
            if let Err(error) = self.act(row, &decision, &mut outcome).await {
                tracing::error!(reference = %row.reference, %error, "could not settle the registration");
            }
        }
        Ok(outcome)
    }

    /// Records as unknown outcomes the rows `submitted` too long, one conditional update each
    /// (a row whose answer lands meanwhile is left as it is); how many it moved.
    async fn settle_stale_submissions(&self) -> Result<usize, StorageError> {
        let Some(after) = self.stale_after else {
            return Ok(0);
        };
        let after_ms = i64::try_from(after.as_millis()).unwrap_or(i64::MAX);
        let before_ms = now_ms().saturating_sub(after_ms);
        let mut moved = 0;
        for row in self.database.stale_submissions(before_ms).await? {
            let event = RegistrationEvent::OutcomeUnknown {
                error: NO_ANSWER_IN_TIME,
            };
            if self.database.record(&row.idempotency_key, event).await? {
                moved += 1;
                tracing::warn!(reference = %row.reference, "a registration left submitted is now an unknown outcome");
            }
        }
        Ok(moved)
    }

    async fn act(
        &self,
        row: &Registration,
        decision: &Decision<'_>,
        outcome: &mut RoundOutcome,
    ) -> Result<(), StorageError> {
        let reference = row.reference.as_str();
        match decision {
            Decision::Registered(carrier_id) => {
                let note = format!(
                    "the only stamps_com carrier named {:?} that no registration holds",
                    row.nickname
                );
                let event = RegistrationEvent::SettledRegistered {
                    carrier_id: carrier_id.as_str(),
                    by: ACTOR,
                    note: &note,
                };
                if self.database.record(&row.idempotency_key, event).await? {
                    outcome.registered += 1;
                    tracing::info!(reference, %carrier_id, "unknown outcome settled: registered");
                }
            }
            Decision::Failed => {
                let note = format!(
                    "no stamps_com carrier named {:?} {} minutes after the outcome became unknown",
                    row.nickname,
                    self.grace.as_secs() / 60
                );
                let event = RegistrationEvent::SettledFailed {
                    by: ACTOR,
                    note: &note,
                };
                if self.database.record(&row.idempotency_key, event).await? {
                    outcome.failed += 1;
                    tracing::info!(reference, "unknown outcome settled: failed");
                }
            }
            Decision::Ambiguous {
                carrier_ids,
                other_rows,
            } => {
                outcome.left_for_support += 1;
                let detail = ambiguity(&row.nickname, carrier_ids, other_rows);
                let audit = self
                    .database
                    .audit_unknown_outcome_once(reference, ACTOR, AMBIGUOUS, &detail);
                if audit.await? {
                    let candidates = carrier_ids.len();
                    tracing::warn!(reference, candidates, "unknown outcome left for support");
                }
            }
            Decision::Wait => outcome.waiting += 1,
        }
        Ok(())
    }
}

/// The audit entry's detail: what support has to choose between.
fn ambiguity(nickname: &str, carrier_ids: &[&CarrierId], other_rows: &[&str]) -> String {
    let carriers = carrier_ids
        .iter()
        .map(|id| id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut detail =
        format!("stamps_com carriers named {nickname:?} that no registration holds: {carriers}");
    if !other_rows.is_empty() {
        detail.push_str(&format!(
            "; other registrations with that nickname and no carrier yet: {}",
            other_rows.join(", ")
        ));
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::Config;

    fn settings(vars: &[(&str, &str)]) -> Result<Option<ReconcileSettings>, String> {
        let config = Config::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, value)| value.to_string())
        });
        config
            .map(|config| config.reconcile)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn on_by_default_every_minute_with_half_an_hour_of_grace() {
        assert_eq!(settings(&[]), Ok(Some(ReconcileSettings::default())));
        assert_eq!(
            ReconcileSettings::default(),
            ReconcileSettings {
                every: Duration::from_secs(60),
                grace: Duration::from_secs(1800),
            }
        );
    }

    #[test]
    fn off_switches_it_off_and_the_numbers_are_read() {
        assert_eq!(settings(&[("RECONCILE", "off")]), Ok(None));
        let tuned = settings(&[
            ("RECONCILE", "on"),
            ("RECONCILE_EVERY_SECS", "5"),
            ("RECONCILE_GRACE_MINUTES", "0"),
        ]);
        assert_eq!(
            tuned,
            Ok(Some(ReconcileSettings {
                every: Duration::from_secs(5),
                grace: Duration::ZERO,
            }))
        );
    }

    #[test]
    fn bad_values_stop_start_up() {
        for vars in [
            [("RECONCILE", "maybe")],
            [("RECONCILE_EVERY_SECS", "0")],
            [("RECONCILE_GRACE_MINUTES", "-1")],
        ] {
            let error = settings(&vars).unwrap_err();
            assert!(error.contains(vars[0].0), "{error}");
        }
    }

    #[test]
    fn an_ambiguity_names_every_candidate() {
        let (first, second) = (
            CarrierId::parse("se-1").unwrap(),
            CarrierId::parse("se-2").unwrap(),
        );
        assert_eq!(
            ambiguity("Mine", &[&first, &second], &[]),
            r#"stamps_com carriers named "Mine" that no registration holds: se-1, se-2"#
        );
        assert_eq!(
            ambiguity("Mine", &[&first], &["7KQ2-M9XD-4HTP"]),
            r#"stamps_com carriers named "Mine" that no registration holds: se-1; other registrations with that nickname and no carrier yet: 7KQ2-M9XD-4HTP"#
        );
    }
}
