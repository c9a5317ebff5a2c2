//! An amount of money as the app keeps it: whole cents and a currency, never a float. ShipEngine
//! writes dollars as JSON numbers; they are turned into cents once, at the edge.

use serde::{Deserialize, Serialize};

/// Stamps.com balances are in US dollars only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Currency {
    Usd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub cents: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn usd_cents(cents: i64) -> Self {
        Self {
            cents,
            currency: Currency::Usd,
        }
    }

    /// `dollars` as ShipEngine writes them (`42.17`), rounded to the cent; `None` for a number
    /// that is no amount (not finite, or beyond any balance).
    pub fn from_usd(dollars: f64) -> Option<Self> {
        let cents = (dollars * 100.0).round();
        (cents.is_finite() && cents.abs() < 1e15).then(|| Self::usd_cents(cents as i64))
    }

    /// The amount in dollars, as ShipEngine takes it (`25.5`).
    pub fn as_dollars(self) -> f64 {
        self.cents as f64 / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_become_cents_once_and_back() {
        assert_eq!(Money::from_usd(42.17), Some(Money::usd_cents(4217)));
        // 0.1 + 0.2 is not 0.3 in floating point: rounding keeps it a cent-exact amount.
        assert_eq!(Money::from_usd(0.1 + 0.2), Some(Money::usd_cents(30)));
        assert_eq!(Money::from_usd(f64::NAN), None);
        assert_eq!(Money::from_usd(f64::INFINITY), None);
        assert_eq!(Money::usd_cents(2550).as_dollars(), 25.5);
    }
}
