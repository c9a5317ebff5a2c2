//! The carriers of the account and, for each `stamps_com` one, its phone verification state
//! machine.
//!
//! Per carrier, at most one live verification: a new code request supersedes the previous one.
//! A verification accepts at most [`MAX_WRONG_CODES`] wrong codes, then refuses every try.
//! Re-submitting the right code to a verified verification answers `verified` again.

use std::collections::HashMap;

use serde::Serialize;

pub(crate) const MAX_WRONG_CODES: u32 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    Unverified,
    Verified,
}

/// A verification as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Verification {
    pub phone: String,
    pub verification_id: String,
    pub verification_method: &'static str,
    pub status: Status,
    #[serde(skip)]
    wrong_codes: u32,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SubmitError {
    UnknownCarrier,
    UnknownVerification,
    WrongCode { tries_left: u32 },
    Locked,
}

/// The carrier code of a Stamps.com account.
pub(crate) const STAMPS_COM: &str = "stamps_com";

/// A carrier of the account, as `GET /v1/carriers` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Carrier {
    pub carrier_id: String,
    pub carrier_code: String,
    pub nickname: String,
    /// Postage bought and not yet spent, in cents.
    pub balance_cents: u64,
    pub funding: FundingSettings,
}

/// How a carrier's `add_funds` behaves; a test sets it through the control API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FundingSettings {
    /// ShipEngine support has enabled adding funds through the API for the account. On by
    /// default, so the demo can fund an account.
    pub enabled: bool,
    /// The account's card is declined.
    pub card_declined: bool,
}

impl Default for FundingSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            card_declined: false,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Carriers {
    /// Every carrier, oldest first.
    listed: Vec<Carrier>,
    /// Per `stamps_com` carrier, its live verification.
    live_verification: HashMap<String, Option<Verification>>,
    /// Accounts opened by the register call (not those a test added).
    registered: usize,
    next_number: u64,
}

impl Default for Carriers {
    fn default() -> Self {
        // A random start makes ids differ between runs, as real ones would.
        let next_number = rand::random_range(1_000_000..9_000_000);
        Self {
            listed: Vec::new(),
            live_verification: HashMap::new(),
            registered: 0,
            next_number,
        }
    }
}

impl Carriers {
    /// Opens a Stamps.com account (duplicates are welcome) and returns its `se-…` id.
    pub fn register(&mut self, nickname: &str) -> String {
        self.registered += 1;
        self.add(STAMPS_COM, nickname)
    }

    /// Adds a carrier as if it had been connected some other way (by a test, or by someone else
    /// on the same ShipEngine account); returns its `se-…` id.
    pub fn add(&mut self, carrier_code: &str, nickname: &str) -> String {
        let carrier_id = format!("se-{}", self.next_number);
        self.next_number += 1;
        if carrier_code == STAMPS_COM {
            self.live_verification.insert(carrier_id.clone(), None);
        }
        self.listed.push(Carrier {
            carrier_id: carrier_id.clone(),
            carrier_code: carrier_code.to_owned(),
            nickname: nickname.to_owned(),
            balance_cents: 0,
            funding: FundingSettings::default(),
        });
        carrier_id
    }

    pub fn find(&self, carrier_id: &str) -> Option<&Carrier> {
        self.listed
            .iter()
            .find(|carrier| carrier.carrier_id == carrier_id)
    }

    pub fn find_mut(&mut self, carrier_id: &str) -> Option<&mut Carrier> {
        self.listed
            .iter_mut()
            .find(|carrier| carrier.carrier_id == carrier_id)
    }

    /// How many accounts the register call opened.
    pub fn count(&self) -> usize {
        self.registered
    }

    /// Every carrier, oldest first.
    pub fn list(&self) -> &[Carrier] {
        &self.listed
    }

    /// Starts a verification by text message, superseding any previous one. `None`: unknown carrier.
    pub fn request_code(&mut self, carrier_id: &str, phone: String) -> Option<Verification> {
        let live = self.live_verification.get_mut(carrier_id)?;
        let verification = Verification {
            phone,
            verification_id: new_verification_id(),
            verification_method: "sms",
            status: Status::Unverified,
            wrong_codes: 0,
        };
        *live = Some(verification.clone());
        Some(verification)
    }

    pub fn submit_code(
        &mut self,
        carrier_id: &str,
        verification_id: &str,
        submitted: &str,
        expected: &str,
    ) -> Result<Verification, SubmitError> {
        let live = self
            .live_verification
            .get_mut(carrier_id)
            .ok_or(SubmitError::UnknownCarrier)?;
        let verification = live
            .as_mut()
            .filter(|live| live.verification_id == verification_id)
            .ok_or(SubmitError::UnknownVerification)?;
        if verification.wrong_codes >= MAX_WRONG_CODES {
            return Err(SubmitError::Locked);
        }
        if submitted != expected {
            verification.wrong_codes += 1;
            let tries_left = MAX_WRONG_CODES - verification.wrong_codes;
            return Err(SubmitError::WrongCode { tries_left });
        }
        verification.status = Status::Verified;
        Ok(verification.clone())
    }
}

/// `vfn_` and a random 128-bit value in base58, like ShipEngine's "base58 encoded guid".
fn new_verification_id() -> String {
    format!("vfn_{}", base58(rand::random()))
}

/// Fixed width: 22 base58 digits hold any 128-bit value, leading zeros written as `1`.
fn base58(mut value: u128) -> String {
    const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut digits = [ALPHABET[0]; 22];
    for digit in digits.iter_mut().rev() {
        *digit = ALPHABET[(value % 58) as usize];
        value /= 58;
    }
    digits.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "123456";

    fn carrier_with_code() -> (Carriers, String, String) {
        let mut carriers = Carriers::default();
        let carrier_id = carriers.register("Mine");
        let verification = carriers.request_code(&carrier_id, "5121112222".into());
        let verification_id = verification.map(|v| v.verification_id).unwrap_or_default();
        (carriers, carrier_id, verification_id)
    }

    #[test]
    fn carrier_ids_follow_the_spec_pattern_and_are_unique() {
        let mut carriers = Carriers::default();
        let (first, second) = (carriers.register("Mine"), carriers.register("Mine"));
        assert_ne!(first, second);
        for id in [first, second] {
            let digits = id.strip_prefix("se-").unwrap_or_default();
            assert!(
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
                "{id}"
            );
            assert!(id.len() <= 25);
        }
    }

    #[test]
    fn every_carrier_is_listed_but_only_registrations_count_as_opened() {
        let mut carriers = Carriers::default();
        let opened = carriers.register("Mine");
        let added = carriers.add(STAMPS_COM, "Mine");
        let other = carriers.add("ups", "Mine");
        assert_eq!(carriers.count(), 1);
        let listed: Vec<_> = carriers
            .list()
            .iter()
            .map(|c| c.carrier_id.as_str())
            .collect();
        assert_eq!(listed, [opened.as_str(), added.as_str(), other.as_str()]);
        assert!(carriers.request_code(&added, "5121112222".into()).is_some());
        assert_eq!(
            carriers.request_code(&other, "5121112222".into()),
            None,
            "only a stamps_com carrier has a phone to verify"
        );
    }

    #[test]
    fn base58_is_fixed_width_and_uses_the_bitcoin_alphabet() {
        assert_eq!(base58(0), "1".repeat(22));
        assert_eq!(base58(57), format!("{}z", "1".repeat(21)));
        assert_eq!(base58(58), format!("{}21", "1".repeat(20)));
        assert_eq!(base58(u128::MAX).len(), 22);
        assert!(!base58(u128::MAX).contains(['0', 'O', 'I', 'l']));
    }

    #[test]
    fn a_code_request_starts_an_unverified_sms_verification() {
        let mut carriers = Carriers::default();
        let carrier_id = carriers.register("Mine");
        let verification = carriers.request_code(&carrier_id, "5121112222".into());
        let verification = verification.expect("known carrier");
        assert_eq!(verification.status, Status::Unverified);
        assert_eq!(verification.verification_method, "sms");
        assert!(verification.verification_id.starts_with("vfn_"));
        assert_eq!(carriers.request_code("se-0", "5121112222".into()), None);
    }

    #[test]
    fn the_right_code_verifies_and_verifying_again_is_idempotent() {
        let (mut carriers, carrier, verification) = carrier_with_code();
        for _ in 0..2 {
            let verified = carriers.submit_code(&carrier, &verification, CODE, CODE);
            assert_eq!(verified.map(|v| v.status), Ok(Status::Verified));
        }
    }

    #[test]
    fn five_wrong_codes_lock_the_verification() {
        let (mut carriers, carrier, verification) = carrier_with_code();
        for tries_left in (0..MAX_WRONG_CODES).rev() {
            let wrong = carriers.submit_code(&carrier, &verification, "000000", CODE);
            assert_eq!(wrong, Err(SubmitError::WrongCode { tries_left }));
        }
        let right = carriers.submit_code(&carrier, &verification, CODE, CODE);
        assert_eq!(right, Err(SubmitError::Locked));
    }

    #[test]
    fn a_new_code_request_supersedes_the_previous_verification() {
        let (mut carriers, carrier, old) = carrier_with_code();
        let new = carriers
            .request_code(&carrier, "5121112222".into())
            .map(|v| v.verification_id);
        let new = new.unwrap_or_default();
        assert_ne!(old, new);
        let superseded = carriers.submit_code(&carrier, &old, CODE, CODE);
        assert_eq!(superseded, Err(SubmitError::UnknownVerification));
        assert!(carriers.submit_code(&carrier, &new, CODE, CODE).is_ok());
    }

    #[test]
    fn unknown_ids_are_reported_as_such() {
        let (mut carriers, carrier, verification) = carrier_with_code();
        let unknown_carrier = carriers.submit_code("se-1", &verification, CODE, CODE);
        assert_eq!(unknown_carrier, Err(SubmitError::UnknownCarrier));
        let unknown_verification = carriers.submit_code(&carrier, "vfn_x", CODE, CODE);
        assert_eq!(unknown_verification, Err(SubmitError::UnknownVerification));
    }
}
