//! Rows of existing Stamps.com accounts the merchant connected (`origin = 'connected'`): the
//! same table, the same exactly-once claim and the same one place statuses move
//! ([`Database::record`], with [`RegistrationEvent::Connected`](super::RegistrationEvent)), so
//! a connected account is one account per browser and per merchant like any other.

use std::fmt;

use super::registrations::{Claim, NewRegistration};
use super::{Database, StorageError};

/// Where a registration's account comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Opened by the form (card, phone code).
    #[default]
    Registered,
    /// A Stamps.com account the merchant already had, connected with its login.
    Connected,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Connected => "connected",
        }
    }
}

impl TryFrom<String> for Origin {
    type Error = StorageError;

    fn try_from(raw: String) -> Result<Self, StorageError> {
        match raw.as_str() {
            "registered" => Ok(Self::Registered),
            "connected" => Ok(Self::Connected),
            _ => Err(StorageError::Corrupt(format!(
                "registration origin {raw:?}"
            ))),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Database {
    /// [`Database::claim`] for a connection: the row is inserted as `submitted` with origin
    /// `connected` before ShipEngine is called (its card and email stay empty), unless the key,
    /// the browser's open registration or the merchant's one account is there first.
    pub async fn claim_connection(&self, new: &NewRegistration<'_>) -> Result<Claim, StorageError> {
        self.claim_as(new, Origin::Connected).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_round_trip_through_their_names() {
        for origin in [Origin::Registered, Origin::Connected] {
            assert_eq!(Origin::try_from(origin.to_string()).unwrap(), origin);
        }
        assert!(Origin::try_from("imported".to_owned()).is_err());
    }
}
