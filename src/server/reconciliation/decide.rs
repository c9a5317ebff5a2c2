//! The rule that settles an unknown outcome, as a pure function of the rows, the account's
//! carriers and the time: no database, no HTTP, so each case is a unit test.
//!
//! A registration's nickname is the only thing ShipEngine's carrier list shares with it. So a
//! `stamps_com` carrier counts as the row's account only if it has the row's nickname, no other
//! registration already holds its id, and it is the only such carrier for the only row with that
//! nickname holding no carrier yet: a row still `submitted` holds nothing although its call may
//! have opened that carrier. Anything less certain is left to support.

use std::collections::HashSet;
use std::time::Duration;

use crate::server::shipengine::{Carrier, CarrierId};
use crate::server::storage::{Origin, Registration};

/// What one round knows.
#[derive(Clone, Copy, Debug)]
pub struct Round<'a> {
    /// The rows whose outcome is unknown.
    pub rows: &'a [Registration],
    /// `(reference, nickname)` of every registration not refused that holds no carrier yet
    /// (still `submitted`, or of unknown outcome), read after the carriers were listed.
    pub pending: &'a [(String, String)],
    /// Every carrier of the ShipEngine account.
    pub carriers: &'a [Carrier],
    /// The carrier ids registrations already hold.
    pub held: &'a HashSet<String>,
    /// How long after the outcome became unknown no carrier means no account.
    pub grace: Duration,
    pub now_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision<'a> {
    /// The one account the registration opened.
    Registered(&'a CarrierId),
    /// No account, after the grace period: the merchant may send the form again.
    Failed,
    /// More than one carrier could be the row's, or more than one row the carrier's: support
    /// decides.
    Ambiguous {
        carrier_ids: Vec<&'a CarrierId>,
        /// The references of the other rows with the same nickname that hold no carrier yet.
        other_rows: Vec<&'a str>,
    },
    /// No account yet, within the grace period.
    Wait,
}

/// One decision per row, in the rows' order.
pub fn decide<'a>(round: &Round<'a>) -> Vec<(&'a Registration, Decision<'a>)> {
    let grace_ms = i64::try_from(round.grace.as_millis()).unwrap_or(i64::MAX);
    round
        .rows
        .iter()
        .map(|row| {
            let carrier_ids: Vec<&CarrierId> = round
                .carriers
                .iter()
                .filter(|carrier| is_free_account_named(carrier, &row.nickname, round.held))
                .map(|carrier| &carrier.carrier_id)
                .collect();
            let mut other_rows: Vec<&str> = round
                .rows
                .iter()
                .map(|other| (other.reference.as_str(), other.nickname.as_str()))
                .chain(round.pending.iter().map(|(r, n)| (r.as_str(), n.as_str())))
                .filter(|(reference, nickname)| {
                    *reference != row.reference && *nickname == row.nickname
                })
                .map(|(reference, _)| reference)
                .collect();
            other_rows.sort_unstable();
            other_rows.dedup();
            let decision = match carrier_ids.as_slice() {
                [] if round.now_ms.saturating_sub(row.updated_at_ms) >= grace_ms => {
                    Decision::Failed
                }
                [] => Decision::Wait,
                // A nickname is the only link between a row and a carrier. A registered row
                // that takes the wrong one still stops at the code step; a connected one would
                // be verified at once, with another account's card and sign-in links: support
                // decides it.
                [carrier_id] if other_rows.is_empty() && row.origin != Origin::Connected => {
                    Decision::Registered(carrier_id)
                }
                _ => Decision::Ambiguous {
                    carrier_ids,
                    other_rows,
                },
            };
            (row, decision)
        })
        .collect()
}

fn is_free_account_named(carrier: &Carrier, nickname: &str, held: &HashSet<String>) -> bool {
    carrier.carrier_code == Carrier::STAMPS_COM
        && carrier.nickname.as_deref() == Some(nickname)
        && !held.contains(carrier.carrier_id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::storage::RegistrationStatus;

    const NOW_MS: i64 = 10_000_000;
    const GRACE: Duration = Duration::from_secs(30 * 60);
    const MINUTE_MS: i64 = 60_000;

    fn unknown(reference: &str, nickname: &str, minutes_ago: i64) -> Registration {
        let at_ms = NOW_MS - minutes_ago * MINUTE_MS;
        Registration {
            reference: reference.into(),
            idempotency_key: format!("key-{reference}"),
            session_id: None,
            nickname: nickname.into(),
            email: "john.doe@example.com".into(),
            carrier_id: None,
            status: RegistrationStatus::OutcomeUnknown,
            card_brand: "visa".into(),
            card_last4: "1111".into(),
            register_request_id: None,
            send_code_request_id: None,
            verify_code_request_id: None,
            last_error: None,
            created_at_ms: at_ms,
            updated_at_ms: at_ms,
            owner_hash: None,
            origin: Default::default(),
            verification_id: None,
            code_sent_to: None,
            code_checks: 0,
            merchant_ref: None,
        }
    }

    fn carrier(carrier_id: &str, carrier_code: &str, nickname: &str) -> Carrier {
        Carrier {
            carrier_id: CarrierId::parse(carrier_id).unwrap(),
            carrier_code: carrier_code.into(),
            nickname: Some(nickname.into()),
        }
    }

    fn stamps(carrier_id: &str, nickname: &str) -> Carrier {
        carrier(carrier_id, Carrier::STAMPS_COM, nickname)
    }

    /// The decisions of a round, as `(reference, decision)`.
    fn decisions<'a>(
        rows: &'a [Registration],
        carriers: &'a [Carrier],
        held: &'a HashSet<String>,
    ) -> Vec<(&'a str, Decision<'a>)> {
        decisions_with(rows, &[], carriers, held)
    }

    fn decisions_with<'a>(
        rows: &'a [Registration],
        pending: &'a [(String, String)],
        carriers: &'a [Carrier],
        held: &'a HashSet<String>,
    ) -> Vec<(&'a str, Decision<'a>)> {
        let round = Round {
            rows,
            pending,
            carriers,
            held,
            grace: GRACE,
            now_ms: NOW_MS,
        };
        decide(&round)
            .into_iter()
            .map(|(row, decision)| (row.reference.as_str(), decision))
            .collect()
    }

    fn id(raw: &str) -> CarrierId {
        CarrierId::parse(raw).unwrap()
    }

    #[test]
    fn the_one_stamps_com_carrier_with_the_nickname_is_the_account() {
        let rows = [unknown("A", "Mine", 1)];
        let carriers = [stamps("se-1", "Someone else's"), stamps("se-2", "Mine")];
        let held = HashSet::new();
        let se_2 = id("se-2");
        assert_eq!(
            decisions(&rows, &carriers, &held),
            [("A", Decision::Registered(&se_2))]
        );
    }

    #[test]
    fn a_connected_account_is_never_matched_by_its_nickname_alone() {
        let rows = [Registration {
            origin: Origin::Connected,
            ..unknown("A", "Mine", 1)
        }];
        let carriers = [stamps("se-2", "Mine")];
        let held = HashSet::new();
        let se_2 = id("se-2");
        assert_eq!(
            decisions(&rows, &carriers, &held),
            [(
                "A",
                Decision::Ambiguous {
                    carrier_ids: vec![&se_2],
                    other_rows: vec![]
                }
            )]
        );
    }

    #[test]
    fn a_carrier_another_registration_holds_is_not_a_match() {
        let rows = [unknown("A", "Mine", 1), unknown("B", "Mine too", 45)];
        let carriers = [stamps("se-1", "Mine"), stamps("se-2", "Mine too")];
        let held = HashSet::from(["se-1".to_owned(), "se-2".to_owned()]);
        assert_eq!(
            decisions(&rows, &carriers, &held),
            [("A", Decision::Wait), ("B", Decision::Failed)]
        );
    }

    #[test]
    fn two_carriers_with_the_nickname_are_ambiguous() {
        let rows = [unknown("A", "Mine", 45)];
        let carriers = [stamps("se-1", "Mine"), stamps("se-2", "Mine")];
        let held = HashSet::new();
        let (se_1, se_2) = (id("se-1"), id("se-2"));
        assert_eq!(
            decisions(&rows, &carriers, &held),
            [(
                "A",
                Decision::Ambiguous {
                    carrier_ids: vec![&se_1, &se_2],
                    other_rows: vec![],
                }
            )]
        );
    }

    #[test]
    fn one_carrier_for_two_rows_with_its_nickname_is_ambiguous_for_both() {
        let rows = [unknown("A", "Mine", 1), unknown("B", "Mine", 2)];
        let carriers = [stamps("se-1", "Mine")];
        let held = HashSet::new();
        let se_1 = id("se-1");
        assert_eq!(
            decisions(&rows, &carriers, &held),
            [
                (
                    "A",
                    Decision::Ambiguous {
                        carrier_ids: vec![&se_1],
                        other_rows: vec!["B"],
                    }
                ),
                (
                    "B",
                    Decision::Ambiguous {
                        carrier_ids: vec![&se_1],
                        other_rows: vec!["A"],
                    }
                ),
            ]
        );
    }

    #[test]
    fn none_within_the_grace_period_waits_and_none_after_it_failed() {
        let rows = [
            unknown("young", "Mine", 29),
            unknown("exactly", "Mine", 30),
            unknown("old", "Mine", 31),
        ];
        let held = HashSet::new();
        assert_eq!(
            decisions(&rows, &[], &held),
            [
                ("young", Decision::Wait),
                ("exactly", Decision::Failed),
                ("old", Decision::Failed),
            ]
        );
    }

    #[test]
    fn other_carrier_codes_and_other_nicknames_are_ignored() {
        let rows = [unknown("A", "Mine", 45)];
        let carriers = [
            carrier("se-1", "ups", "Mine"),
            carrier("se-2", "fedex", "Mine"),
            stamps("se-3", "mine"),
            Carrier {
                nickname: None,
                ..stamps("se-4", "")
            },
        ];
        let held = HashSet::new();
        assert_eq!(
            decisions(&rows, &carriers, &held),
            [("A", Decision::Failed)]
        );
    }

    #[test]
    fn a_row_still_submitted_with_the_nickname_makes_a_free_carrier_ambiguous() {
        // B's call opened se-1 and its answer is not recorded yet: se-1 is held by no row.
        let rows = [unknown("A", "Mine", 1)];
        let pending = [
            ("A".to_owned(), "Mine".to_owned()),
            ("B".to_owned(), "Mine".to_owned()),
            ("C".to_owned(), "Someone else's".to_owned()),
        ];
        let carriers = [stamps("se-1", "Mine")];
        let held = HashSet::new();
        let se_1 = id("se-1");
        assert_eq!(
            decisions_with(&rows, &pending, &carriers, &held),
            [(
                "A",
                Decision::Ambiguous {
                    carrier_ids: vec![&se_1],
                    other_rows: vec!["B"],
                }
            )]
        );
        // Only rows of another nickname without a carrier: the carrier is A's.
        assert_eq!(
            decisions_with(&rows, &pending[2..], &carriers, &held),
            [("A", Decision::Registered(&se_1))]
        );
    }

    #[test]
    fn a_clock_behind_the_row_waits() {
        let rows = [unknown("A", "Mine", -5)];
        let held = HashSet::new();
        assert_eq!(decisions(&rows, &[], &held), [("A", Decision::Wait)]);
    }
}
