//! Limits on what a client can make the operator pay for: registrations (each one checks a
//! card), text messages (each one costs money) and code checks (each one spends the operator's
//! ShipEngine rate limit, and guessing must stop). Everything is decided on the server.
//!
//! Every count is a sliding window kept in the database ([`crate::server::storage`]), keyed by
//! what it protects: the registration, the phone number, the email address, the IP address, the
//! whole app. So it holds across parallel requests, sessions and instances: a fresh session, or
//! a second browser posting the same form, starts from the same counts. This module only says
//! which counts a request is checked against. Times are whole Unix seconds, passed in.

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::AppError;

/// The limits, read from `LIMIT_…` variables (see [`crate::server::config`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitConfig {
    /// The window every count below is over.
    pub window_secs: u64,
    /// Registrations attempted upstream from one IP address (an IPv6 /64).
    pub registrations_per_ip: u32,
    /// Registrations attempted upstream with one email address.
    pub registrations_per_email: u32,
    /// Registrations attempted upstream by the whole app: a cap on card testing.
    pub registrations_total: u32,
    /// Codes sent for one registration, whichever session asks.
    pub sends_per_registration: u32,
    /// Codes sent to one phone number, from anywhere.
    pub sends_per_phone: u32,
    /// Codes sent from one IP address (an IPv6 /64).
    pub sends_per_ip: u32,
    /// Codes sent by the whole app: a cap on the operator's bill.
    pub sends_total: u32,
    /// How long a registration waits between two codes; 0 for no wait.
    pub resend_cooldown_secs: u64,
    /// Checks of one code sent; then a new code must be sent.
    pub wrong_codes_per_code: u32,
    /// Code checks from one IP address (an IPv6 /64).
    pub code_checks_per_ip: u32,
    /// Code checks by the whole app: keeps a burst from spending the operator's ShipEngine rate
    /// limit for every other merchant.
    pub code_checks_total: u32,
    /// Connections of an existing Stamps.com account tried upstream from one IP address (an
    /// IPv6 /64): each one tries a password through the operator's key.
    pub connections_per_ip: u32,
    /// Connections tried upstream with one Stamps.com username: no one guesses its password.
    pub connections_per_username: u32,
    /// Addresses checked with USPS for forms sent from one IP address (an IPv6 /64): past it
    /// the registration goes on unchecked, so no one spends the operator's ShipEngine rate limit.
    pub address_checks_per_ip: u32,
}

impl Default for LimitConfig {
    fn default() -> Self {
        Self {
            window_secs: 3600,
            registrations_per_ip: 10,
            registrations_per_email: 3,
            registrations_total: 100,
            sends_per_registration: 5,
            sends_per_phone: 5,
            sends_per_ip: 10,
            sends_total: 200,
            resend_cooldown_secs: 30,
            wrong_codes_per_code: 5,
            code_checks_per_ip: 30,
            code_checks_total: 600,
            connections_per_ip: 10,
            address_checks_per_ip: 30,
            connections_per_username: 5,
        }
    }
}

/// One count a request is checked against, and bumps when it is admitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Count {
    /// For the log and the metrics, e.g. "sends per phone".
    pub name: &'static str,
    /// What is counted, e.g. `send/phone/5121112222` or `check/total`.
    pub counter: String,
    pub limit: u32,
    pub window_secs: u64,
}

/// A limit was reached: which one (for the log) and how long until the request would pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverLimit {
    pub limit: &'static str,
    pub retry_after_secs: u64,
}

impl From<OverLimit> for AppError {
    fn from(over: OverLimit) -> Self {
        AppError::RateLimited {
            retry_after_secs: over.retry_after_secs,
        }
    }
}

impl LimitConfig {
    /// A registration sent upstream from `ip` with `email`.
    pub fn registration_counts(&self, ip: IpAddr, email: &str) -> Vec<Count> {
        vec![
            self.count(
                "registrations per IP",
                format!("register/ip/{}", ip_bucket(ip)),
                self.registrations_per_ip,
            ),
            self.count(
                "registrations per email",
                format!("register/email/{}", email.to_lowercase()),
                self.registrations_per_email,
            ),
            self.count(
                "registrations in total",
                "register/total".into(),
                self.registrations_total,
            ),
        ]
    }

    /// A code texted to `phone` (ten digits) for the registration `reference`, asked from `ip`.
    pub fn send_counts(&self, reference: &str, ip: IpAddr, phone: &str) -> Vec<Count> {
        let mut counts = self.cooldown(reference).into_iter().collect::<Vec<_>>();
        counts.extend([
            self.count(
                "sends per registration",
                send_counter(reference),
                self.sends_per_registration,
            ),
            self.count(
                "sends per phone",
                format!("send/phone/{phone}"),
                self.sends_per_phone,
            ),
            self.count(
                "sends per IP",
                format!("send/ip/{}", ip_bucket(ip)),
                self.sends_per_ip,
            ),
            self.count("sends in total", "send/total".into(), self.sends_total),
        ]);
        counts
    }

    /// The wait between two codes of the registration `reference`: one send per cooldown.
    pub fn cooldown(&self, reference: &str) -> Option<Count> {
        (self.resend_cooldown_secs > 0).then(|| Count {
            name: RESEND_COOLDOWN,
            counter: send_counter(reference),
            limit: 1,
            window_secs: self.resend_cooldown_secs,
        })
    }

    /// A code checked upstream, asked from `ip`. (Checks per code sent are counted on the
    /// registration's row.)
    pub fn code_check_counts(&self, ip: IpAddr) -> Vec<Count> {
        vec![
            self.count(
                "code checks per IP",
                format!("check/ip/{}", ip_bucket(ip)),
                self.code_checks_per_ip,
            ),
            self.count(
                "code checks in total",
                "check/total".into(),
                self.code_checks_total,
            ),
        ]
    }

    /// A connection of the Stamps.com account `username` tried upstream from `ip`. The
    /// username is counted as Stamps.com reads it, whatever its case.
    pub fn connection_counts(&self, ip: IpAddr, username: &str) -> Vec<Count> {
        vec![
            self.count(
                "connections per IP",
                format!("connect/ip/{}", ip_bucket(ip)),
                self.connections_per_ip,
            ),
            self.count(
                "connections per username",
                format!("connect/username/{}", username.trim().to_lowercase()),
                self.connections_per_username,
            ),
        ]
    }

    /// An address checked with USPS for a form sent from `ip`.
    pub fn address_check_counts(&self, ip: IpAddr) -> Vec<Count> {
        vec![self.count(
            "address checks per IP",
            format!("address/ip/{}", ip_bucket(ip)),
            self.address_checks_per_ip,
        )]
    }

    /// The name of the resend wait's count, as an [`OverLimit`] gives it.
    pub fn cooldown_name(&self) -> &'static str {
        RESEND_COOLDOWN
    }

    /// How long a hit must be kept: the longest window of any count (the admin console's
    /// sign-in failures included: every admission prunes the one table).
    pub fn longest_window_secs(&self) -> u64 {
        self.window_secs
            .max(self.resend_cooldown_secs)
            .max(ADMIN_SIGN_IN_WINDOW_SECS)
    }

    fn count(&self, name: &'static str, counter: String, limit: u32) -> Count {
        Count {
            name,
            counter,
            limit,
            window_secs: self.window_secs,
        }
    }
}

const RESEND_COOLDOWN: &str = "resend cooldown";

/// The window the admin console's sign-in tries are counted over.
pub const ADMIN_SIGN_IN_WINDOW_SECS: u64 = 15 * 60;

/// A sign-in to the admin console tried from `ip`: at most `per_ip` per address (an IPv6 /64)
/// per [`ADMIN_SIGN_IN_WINDOW_SECS`], and every try counted in all ([`admin_sign_ins_in_total`]),
/// never refused by that count: past it, tries are slowed down, so no one can lock support out.
pub fn admin_sign_in_counts(ip: IpAddr, per_ip: u32) -> Vec<Count> {
    vec![
        Count {
            name: "admin sign-ins per IP",
            counter: format!("admin-sign-in/ip/{}", ip_bucket(ip)),
            limit: per_ip,
            window_secs: ADMIN_SIGN_IN_WINDOW_SECS,
        },
        admin_sign_ins_in_total(),
    ]
}

/// Every address's sign-in tries, per [`ADMIN_SIGN_IN_WINDOW_SECS`]: counted, never full.
pub fn admin_sign_ins_in_total() -> Count {
    Count {
        name: "admin sign-ins in total",
        counter: "admin-sign-in/total".into(),
        limit: u32::MAX,
        window_secs: ADMIN_SIGN_IN_WINDOW_SECS,
    }
}

/// The sends of one registration: its limit and its cooldown count the same hits.
fn send_counter(reference: &str) -> String {
    format!("send/registration/{reference}")
}

impl Count {
    /// Whether the count is full, given `freeing`: the time of the hit within the window whose
    /// leaving would make room (the `limit`-th most recent), if there is one.
    pub fn over(&self, freeing: Option<u64>, now: u64) -> Option<OverLimit> {
        let leaves_at = freeing? + self.window_secs;
        Some(OverLimit {
            limit: self.name,
            retry_after_secs: leaves_at.saturating_sub(now).max(1),
        })
    }
}

/// The unit an address is counted in: an IPv4 address, or the /64 an IPv6 address is in (one
/// subscriber usually has a whole /64, so counting single IPv6 addresses would count nothing).
fn ip_bucket(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !(u128::from(u64::MAX));
            IpAddr::V6(prefix.into())
        }
        v4 => v4,
    }
}

/// Now, in whole Unix seconds.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 7));

    fn counters(counts: &[Count]) -> Vec<(&'static str, &str, u32, u64)> {
        counts
            .iter()
            .map(|c| (c.name, c.counter.as_str(), c.limit, c.window_secs))
            .collect()
    }

    #[test]
    fn registrations_count_the_address_the_email_and_the_app() {
        let config = LimitConfig::default();
        assert_eq!(
            counters(&config.registration_counts(IP, "John.Doe@Example.com")),
            [
                ("registrations per IP", "register/ip/203.0.113.7", 10, 3600),
                (
                    "registrations per email",
                    "register/email/john.doe@example.com",
                    3,
                    3600
                ),
                ("registrations in total", "register/total", 100, 3600),
            ]
        );
    }

    #[test]
    fn sends_count_the_registration_with_its_cooldown_the_phone_the_address_and_the_app() {
        let config = LimitConfig::default();
        assert_eq!(
            counters(&config.send_counts("7KQ2-M9XD-4HTP", IP, "5121112222")),
            [
                ("resend cooldown", "send/registration/7KQ2-M9XD-4HTP", 1, 30),
                (
                    "sends per registration",
                    "send/registration/7KQ2-M9XD-4HTP",
                    5,
                    3600
                ),
                ("sends per phone", "send/phone/5121112222", 5, 3600),
                ("sends per IP", "send/ip/203.0.113.7", 10, 3600),
                ("sends in total", "send/total", 200, 3600),
            ]
        );
        let no_cooldown = LimitConfig {
            resend_cooldown_secs: 0,
            ..config
        };
        assert_eq!(no_cooldown.cooldown("R"), None);
        assert_eq!(no_cooldown.send_counts("R", IP, "5121112222").len(), 4);
    }

    #[test]
    fn code_checks_count_the_address_and_the_app() {
        assert_eq!(
            counters(&LimitConfig::default().code_check_counts(IP)),
            [
                ("code checks per IP", "check/ip/203.0.113.7", 30, 3600),
                ("code checks in total", "check/total", 600, 3600),
            ]
        );
    }

    #[test]
    fn connections_count_the_address_and_the_username() {
        assert_eq!(
            counters(&LimitConfig::default().connection_counts(IP, " Demo-Merchant ")),
            [
                ("connections per IP", "connect/ip/203.0.113.7", 10, 3600),
                (
                    "connections per username",
                    "connect/username/demo-merchant",
                    5,
                    3600
                ),
            ]
        );
    }

    #[test]
    fn a_full_count_waits_until_its_freeing_hit_leaves_the_window() {
        let count = LimitConfig::default().cooldown("R").unwrap();
        assert_eq!(count.over(None, 1000), None);
        let over = count.over(Some(990), 1000).unwrap();
        assert_eq!((over.limit, over.retry_after_secs), ("resend cooldown", 20));
        assert_eq!(count.over(Some(970), 1000).unwrap().retry_after_secs, 1);
    }

    #[test]
    fn ipv6_addresses_are_counted_per_64() {
        let config = LimitConfig::default();
        let counter = |ip: &str| {
            config.code_check_counts(ip.parse().unwrap())[0]
                .counter
                .clone()
        };
        assert_eq!(counter("2001:db8:1:2::1"), counter("2001:db8:1:2:ffff::9"));
        assert_ne!(counter("2001:db8:1:2::1"), counter("2001:db8:1:3::1"));
        assert_eq!(counter("::ffff:203.0.113.7"), counter("203.0.113.7"));
    }

    #[test]
    fn hits_are_kept_for_the_longest_window() {
        let config = LimitConfig {
            window_secs: 60,
            resend_cooldown_secs: 1200,
            ..Default::default()
        };
        assert_eq!(config.longest_window_secs(), 1200);
        let short = LimitConfig {
            window_secs: 60,
            resend_cooldown_secs: 30,
            ..Default::default()
        };
        assert_eq!(short.longest_window_secs(), ADMIN_SIGN_IN_WINDOW_SECS);
    }
}
