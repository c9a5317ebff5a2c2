//! `PUT /v1/carriers/{carrier_id}/add_funds`: a charge to the account's card that grows its
//! balance. Every charge made is kept, so exactly-once tests can count them per carrier.

use serde::{Deserialize, Serialize};

use super::verification::{Carriers, STAMPS_COM};

/// One charge to a carrier's card, as `GET /__simulator/charges` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    pub carrier_id: String,
    pub amount_cents: u64,
}

/// Why funds were not added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FundingRefusal {
    UnknownCarrier,
    /// ShipEngine support has not enabled adding funds for this account (or it is not a
    /// Stamps.com account, which has no balance to fund).
    NotEnabled,
    CardDeclined,
}

/// `12.5` for 1250 cents, as the API writes amounts.
pub(crate) fn dollars(cents: u64) -> f64 {
    cents as f64 / 100.0
}

/// Charges the carrier's card `amount_cents` and returns the new balance in cents.
pub(crate) fn add_funds(
    carriers: &mut Carriers,
    charges: &mut Vec<Charge>,
    carrier_id: &str,
    amount_cents: u64,
) -> Result<u64, FundingRefusal> {
    let carrier = carriers
        .find_mut(carrier_id)
        .ok_or(FundingRefusal::UnknownCarrier)?;
    if !carrier.funding.enabled || carrier.carrier_code != STAMPS_COM {
        return Err(FundingRefusal::NotEnabled);
    }
    if carrier.funding.card_declined {
        return Err(FundingRefusal::CardDeclined);
    }
    carrier.balance_cents = carrier.balance_cents.saturating_add(amount_cents);
    charges.push(Charge {
        carrier_id: carrier_id.to_owned(),
        amount_cents,
    });
    Ok(carrier.balance_cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charge_grows_the_balance_and_is_kept() {
        let mut carriers = Carriers::default();
        let mut charges = Vec::new();
        let carrier_id = carriers.register("Mine");
        assert_eq!(
            add_funds(&mut carriers, &mut charges, &carrier_id, 2500),
            Ok(2500)
        );
        assert_eq!(
            add_funds(&mut carriers, &mut charges, &carrier_id, 1000),
            Ok(3500)
        );
        assert_eq!(charges.len(), 2);
        assert_eq!(charges[1].amount_cents, 1000);
    }

    #[test]
    fn refusals_charge_nothing() {
        let mut carriers = Carriers::default();
        let mut charges = Vec::new();
        let disabled = carriers.register("Disabled");
        let declined = carriers.register("Declined");
        let ups = carriers.add("ups", "Other");
        if let Some(carrier) = carriers.find_mut(&disabled) {
            carrier.funding.enabled = false;
        }
        if let Some(carrier) = carriers.find_mut(&declined) {
            carrier.funding.card_declined = true;
        }
        for (carrier_id, refusal) in [
            (disabled.as_str(), FundingRefusal::NotEnabled),
            (declined.as_str(), FundingRefusal::CardDeclined),
            (ups.as_str(), FundingRefusal::NotEnabled),
            ("se-0", FundingRefusal::UnknownCarrier),
        ] {
            let refused = add_funds(&mut carriers, &mut charges, carrier_id, 2500);
            assert_eq!(refused, Err(refusal), "{carrier_id}");
        }
        assert!(charges.is_empty());
        assert_eq!(carriers.find(&declined).map(|c| c.balance_cents), Some(0));
    }
}
