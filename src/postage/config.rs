//! `FUNDING`, `FUNDING_MAX_USD` and the funding limits, read with the rest of the configuration.

use crate::server::config::{ConfigError, invalid, number};

/// The limits' window: a day, sliding.
pub const LIMIT_WINDOW_MS: i64 = 24 * 3600 * 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FundingConfig {
    /// `FUNDING=off` hides "Add postage" and answers its pages with "not available".
    pub enabled: bool,
    /// `FUNDING_MAX_USD`, in cents: the most one confirmation may charge.
    pub max_cents: i64,
    /// Confirmations one browser may make within a day (`FUNDING_LIMIT_PER_SESSION`).
    pub per_session: u32,
    /// Confirmations for one Stamps.com account within a day, from any browser
    /// (`FUNDING_LIMIT_PER_CARRIER_PER_DAY`).
    pub per_carrier_per_day: u32,
}

impl Default for FundingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_cents: 50_000,
            per_session: 3,
            per_carrier_per_day: 5,
        }
    }
}

impl FundingConfig {
    pub fn from_vars(set: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let enabled = match set("FUNDING").as_deref().map(str::trim) {
            None | Some("on") => true,
            Some("off") => false,
            Some(_) => return Err(invalid("FUNDING", "use on or off")),
        };
        // ShipEngine's minimum is $10; the simulator's (and a sane) ceiling $5,000.
        let max_usd = number(
            set("FUNDING_MAX_USD"),
            "FUNDING_MAX_USD",
            10..=5000,
            u64::try_from(defaults.max_cents / 100).unwrap_or(500),
        )?;
        let count = |name: &'static str, default: u32| {
            number(set(name), name, 1..=1000, default.into())
                .map(|n| u32::try_from(n).unwrap_or(default))
        };
        Ok(Self {
            enabled,
            max_cents: i64::try_from(max_usd).unwrap_or(500) * 100,
            per_session: count("FUNDING_LIMIT_PER_SESSION", defaults.per_session)?,
            per_carrier_per_day: count(
                "FUNDING_LIMIT_PER_CARRIER_PER_DAY",
                defaults.per_carrier_per_day,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<FundingConfig, ConfigError> {
        FundingConfig::from_vars(&|name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn defaults_and_values_are_read() {
        assert_eq!(read(&[]), Ok(FundingConfig::default()));
        let set = read(&[
            ("FUNDING", "off"),
            ("FUNDING_MAX_USD", "1000"),
            ("FUNDING_LIMIT_PER_SESSION", "2"),
            ("FUNDING_LIMIT_PER_CARRIER_PER_DAY", "9"),
        ])
        .unwrap();
        assert_eq!(
            set,
            FundingConfig {
                enabled: false,
                max_cents: 100_000,
                per_session: 2,
                per_carrier_per_day: 9,
            }
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            ("FUNDING", "maybe"),
            ("FUNDING_MAX_USD", "9"),
            ("FUNDING_MAX_USD", "5001"),
            ("FUNDING_MAX_USD", "12.5"),
            ("FUNDING_LIMIT_PER_SESSION", "0"),
            ("FUNDING_LIMIT_PER_CARRIER_PER_DAY", "many"),
        ] {
            let Err(ConfigError::Invalid { name: named, .. }) = read(&[(name, value)]) else {
                panic!("{name}={value} is refused")
            };
            assert_eq!(named, name);
        }
    }
}
