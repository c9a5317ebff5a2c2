//! Existing Stamps.com accounts that `POST /v1/connections/carriers/stamps_com` can connect:
//! their logins, whether Stamps.com locked them, and the carrier each one is connected as.

use std::fmt;

use serde::Deserialize;

/// The demo account's username, documented in the README.
pub const DEMO_STAMPS_USERNAME: &str = "demo-merchant";
/// The demo account's password.
pub const DEMO_STAMPS_PASSWORD: &str = "stamps-demo-password";
/// A demo account that Stamps.com has locked: connecting it is refused.
pub const LOCKED_STAMPS_USERNAME: &str = "locked-merchant";

/// A Stamps.com login. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StampsLogin {
    pub username: String,
    pub password: String,
    /// Stamps.com locked the account (too many failed sign-ins, unpaid balance, …).
    #[serde(default)]
    pub locked: bool,
}

impl StampsLogin {
    pub fn new(username: &str, password: &str) -> Self {
        Self {
            username: username.to_owned(),
            password: password.to_owned(),
            locked: false,
        }
    }

    /// The logins every simulator starts with: the demo account and a locked one.
    pub fn demo_logins() -> Vec<Self> {
        vec![
            Self::new(DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD),
            Self {
                locked: true,
                ..Self::new(LOCKED_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD)
            },
        ]
    }
}

impl fmt::Debug for StampsLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StampsLogin")
            .field("username", &self.username)
            .field("password", &"********")
            .field("locked", &self.locked)
            .finish()
    }
}

/// Why a connection was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ConnectRefusal {
    /// No such username, or the wrong password (Stamps.com does not say which).
    WrongCredentials,
    Locked,
    /// The account is already connected, as this carrier.
    AlreadyConnected {
        carrier_id: String,
    },
}

#[derive(Debug)]
struct KnownAccount {
    login: StampsLogin,
    connected_as: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct StampsLogins {
    accounts: Vec<KnownAccount>,
}

impl StampsLogins {
    pub fn new(logins: &[StampsLogin]) -> Self {
        let mut known = Self::default();
        for login in logins {
            known.add(login.clone());
        }
        known
    }

    /// Adds an account, or replaces the login of the one with the same username.
    pub fn add(&mut self, login: StampsLogin) {
        match self
            .accounts
            .iter_mut()
            .find(|known| known.login.username == login.username)
        {
            Some(known) => known.login = login,
            None => self.accounts.push(KnownAccount {
                login,
                connected_as: None,
            }),
        }
    }

    /// The account these credentials open, if it can be connected now.
    pub fn check(&self, username: &str, password: &str) -> Result<(), ConnectRefusal> {
        let account = self
            .accounts
            .iter()
            .find(|known| known.login.username == username && known.login.password == password)
            .ok_or(ConnectRefusal::WrongCredentials)?;
        if account.login.locked {
            return Err(ConnectRefusal::Locked);
        }
        match &account.connected_as {
            Some(carrier_id) => Err(ConnectRefusal::AlreadyConnected {
                carrier_id: carrier_id.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Remembers that `username` (checked by [`Self::check`]) is now connected as `carrier_id`.
    pub fn connected(&mut self, username: &str, carrier_id: &str) {
        if let Some(account) = self
            .accounts
            .iter_mut()
            .find(|known| known.login.username == username)
        {
            account.connected_as = Some(carrier_id.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_password_of_an_unlocked_unconnected_account_connects() {
        let mut logins = StampsLogins::new(&StampsLogin::demo_logins());
        let wrong = Err(ConnectRefusal::WrongCredentials);
        assert_eq!(logins.check(DEMO_STAMPS_USERNAME, "guess"), wrong);
        assert_eq!(logins.check("nobody", DEMO_STAMPS_PASSWORD), wrong);
        assert_eq!(
            logins.check(LOCKED_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD),
            Err(ConnectRefusal::Locked)
        );
        assert_eq!(
            logins.check(DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD),
            Ok(())
        );
        logins.connected(DEMO_STAMPS_USERNAME, "se-1");
        assert_eq!(
            logins.check(DEMO_STAMPS_USERNAME, DEMO_STAMPS_PASSWORD),
            Err(ConnectRefusal::AlreadyConnected {
                carrier_id: "se-1".into()
            })
        );
    }

    #[test]
    fn adding_a_known_username_replaces_its_login() {
        let mut logins = StampsLogins::new(&StampsLogin::demo_logins());
        logins.add(StampsLogin::new(LOCKED_STAMPS_USERNAME, "new"));
        assert_eq!(logins.check(LOCKED_STAMPS_USERNAME, "new"), Ok(()));
    }

    #[test]
    fn debug_hides_the_password() {
        let debug = format!("{:?}", StampsLogin::demo_logins());
        assert!(!debug.contains(DEMO_STAMPS_PASSWORD), "{debug}");
        assert!(debug.contains(DEMO_STAMPS_USERNAME), "{debug}");
    }
}
