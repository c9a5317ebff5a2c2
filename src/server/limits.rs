//! Limits on what a client can make the operator pay for: registrations (each one checks a card)
//! and text messages (each one costs money). Everything is decided here, on the server.
//!
//! Counts are sliding windows. Those about one address are held in this process's memory (they
//! reset on restart, which is fine for abuse control). Those that must hold across instances
//! (codes per phone number, codes in total) are counted in the database by
//! [`crate::server::storage`], from the [`SharedCount`]s made here. What belongs to one browser
//! (its sends, its resend cooldown) is kept in its session instead, as a [`SendHistory`]. Times
//! are whole Unix seconds, passed in, so the rules can be tested without waiting.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::server::storage::SharedCount;

/// The limits, read from `LIMIT_…` variables (see [`crate::server::config`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitConfig {
    /// The window every count below is over.
    pub window_secs: u64,
    /// Registrations attempted upstream from one IP address (an IPv6 /64).
    pub registrations_per_ip: u32,
    /// Codes sent from one browser session.
    pub sends_per_session: u32,
    /// Codes sent to one phone number, from anywhere.
    pub sends_per_phone: u32,
    /// Codes sent from one IP address (an IPv6 /64).
    pub sends_per_ip: u32,
    /// Codes sent by the whole app: a cap on the operator's bill.
    pub sends_total: u32,
    /// How long a session waits between two codes; 0 for no wait.
    pub resend_cooldown_secs: u64,
    /// Wrong codes accepted per code sent; then a new code must be sent.
    pub wrong_codes_per_code: u32,
}

impl Default for LimitConfig {
    fn default() -> Self {
        Self {
            window_secs: 3600,
            registrations_per_ip: 10,
            sends_per_session: 5,
            sends_per_phone: 5,
            sends_per_ip: 10,
            sends_total: 200,
            resend_cooldown_secs: 30,
            wrong_codes_per_code: 5,
        }
    }
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

/// When one session sent its codes, kept in the session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendHistory {
    /// Unix seconds, oldest first, within the last window.
    sent_at: Vec<u64>,
}

impl SendHistory {
    pub fn record(&mut self, config: &LimitConfig, now: u64) {
        self.sent_at.retain(|&at| at + config.window_secs > now);
        self.sent_at.push(now);
    }

    /// Seconds until the cooldown after the last send is over; `None` when a code can be sent.
    pub fn cooldown_left(&self, config: &LimitConfig, now: u64) -> Option<u64> {
        let last = *self.sent_at.last()?;
        let ready_at = last + config.resend_cooldown_secs;
        (ready_at > now).then(|| ready_at - now)
    }

    fn over_session_limit(&self, config: &LimitConfig, now: u64) -> Option<OverLimit> {
        let recent: Vec<u64> = self
            .sent_at
            .iter()
            .copied()
            .filter(|&at| at + config.window_secs > now)
            .collect();
        over(
            "sends per session",
            &recent,
            config.sends_per_session,
            config.window_secs,
            now,
        )
    }
}

/// The limits and the counts of this process.
#[derive(Debug)]
pub struct Limits {
    config: LimitConfig,
    windows: Mutex<SlidingWindows>,
}

impl Limits {
    pub fn new(config: LimitConfig) -> Self {
        Self {
            config,
            windows: Mutex::default(),
        }
    }

    pub fn config(&self) -> &LimitConfig {
        &self.config
    }

    /// Counts a registration from `ip`, or says why it must wait.
    pub fn admit_registration(&self, ip: IpAddr, now: u64) -> Result<(), OverLimit> {
        let counters = [(
            Counter::RegistrationsFrom(ip_bucket(ip)),
            self.config.registrations_per_ip,
        )];
        self.admit(&counters, now)
    }

    /// Counts a code sent from `ip` by the session whose `history` this is, or says why it must
    /// wait. The caller then checks the [`Self::shared_send_counts`], and records the send in
    /// the history when both admit it.
    pub fn admit_send(&self, history: &SendHistory, ip: IpAddr, now: u64) -> Result<(), OverLimit> {
        if let Some(retry_after_secs) = history.cooldown_left(&self.config, now) {
            return Err(OverLimit {
                limit: "resend cooldown",
                retry_after_secs,
            });
        }
        if let Some(over) = history.over_session_limit(&self.config, now) {
            return Err(over);
        }
        let counters = [(Counter::SendsFrom(ip_bucket(ip)), self.config.sends_per_ip)];
        self.admit(&counters, now)
    }

    /// The counts of a code sent to `phone` (ten digits) that every instance shares.
    pub fn shared_send_counts(&self, phone: &str) -> [SharedCount; 2] {
        [
            SharedCount {
                name: "sends per phone",
                counter: format!("phone:{phone}"),
                limit: self.config.sends_per_phone,
            },
            SharedCount {
                name: "sends in total",
                counter: "total".to_owned(),
                limit: self.config.sends_total,
            },
        ]
    }

    fn admit(&self, counters: &[(Counter, u32)], now: u64) -> Result<(), OverLimit> {
        // A poisoned lock only means another request panicked mid-update: the counts are
        // still plain numbers, so keep counting rather than fail every request from now on.
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        windows.admit(counters, self.config.window_secs, now)
    }
}

/// What a count is kept for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Counter {
    RegistrationsFrom(IpAddr),
    SendsFrom(IpAddr),
}

impl Counter {
    fn name(&self) -> &'static str {
        match self {
            Counter::RegistrationsFrom(_) => "registrations per IP",
            Counter::SendsFrom(_) => "sends per IP",
        }
    }
}

/// The times of the admitted requests of each counter, within the window.
#[derive(Debug, Default)]
struct SlidingWindows {
    hits: HashMap<Counter, VecDeque<u64>>,
    /// Expired counters are dropped when the map grows past this, so one-off addresses and
    /// numbers cannot grow memory without bound.
    prune_at: usize,
}

impl SlidingWindows {
    const MIN_PRUNE_AT: usize = 1024;

    /// Counts a hit on every counter if each one has room; otherwise counts none, and says how
    /// long until all of them have room.
    fn admit(
        &mut self,
        counters: &[(Counter, u32)],
        window_secs: u64,
        now: u64,
    ) -> Result<(), OverLimit> {
        let mut refusal: Option<OverLimit> = None;
        for (counter, limit) in counters {
            let Some(hits) = self.hits.get_mut(counter) else {
                continue;
            };
            while hits.front().is_some_and(|&at| at + window_secs <= now) {
                hits.pop_front();
            }
            if let Some(over) = over(
                counter.name(),
                hits.make_contiguous(),
                *limit,
                window_secs,
                now,
            ) && refusal.is_none_or(|r| over.retry_after_secs > r.retry_after_secs)
            {
                refusal = Some(over);
            }
        }
        if let Some(refusal) = refusal {
            return Err(refusal);
        }
        for (counter, _) in counters {
            self.hits.entry(counter.clone()).or_default().push_back(now);
        }
        if self.hits.len() > self.prune_at.max(Self::MIN_PRUNE_AT) {
            self.hits
                .retain(|_, hits| hits.back().is_some_and(|&at| at + window_secs > now));
            self.prune_at = self.hits.len() * 2;
        }
        Ok(())
    }
}

/// Whether `recent` (the hits within the window, oldest first) leaves no room under `limit`,
/// and if so when the hit that frees a place leaves the window.
fn over(
    limit_name: &'static str,
    recent: &[u64],
    limit: u32,
    window_secs: u64,
    now: u64,
) -> Option<OverLimit> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let freeing = recent.len().checked_sub(limit)?;
    let leaves_at = recent[freeing] + window_secs;
    Some(OverLimit {
        limit: limit_name,
        retry_after_secs: leaves_at.saturating_sub(now).max(1),
    })
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
    const OTHER_IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 9));
    const PHONE: &str = "5121112222";

    fn limits(config: LimitConfig) -> Limits {
        Limits::new(LimitConfig {
            resend_cooldown_secs: 0,
            ..config
        })
    }

    #[test]
    fn registrations_per_ip_are_limited_within_the_window() {
        let limits = limits(LimitConfig {
            registrations_per_ip: 2,
            window_secs: 100,
            ..Default::default()
        });
        assert!(limits.admit_registration(IP, 1000).is_ok());
        assert!(limits.admit_registration(IP, 1010).is_ok());
        let over = limits.admit_registration(IP, 1020).unwrap_err();
        assert_eq!(over.limit, "registrations per IP");
        assert_eq!(over.retry_after_secs, 80, "the first hit leaves at 1100");
        assert!(
            limits.admit_registration(OTHER_IP, 1020).is_ok(),
            "other addresses are counted apart"
        );
        assert!(
            limits.admit_registration(IP, 1100).is_ok(),
            "room again once the oldest hit has left the window"
        );
    }

    #[test]
    fn the_resend_cooldown_counts_from_the_last_send() {
        let config = LimitConfig {
            resend_cooldown_secs: 30,
            ..Default::default()
        };
        let limits = Limits::new(config.clone());
        let mut history = SendHistory::default();
        assert_eq!(history.cooldown_left(&config, 1000), None);
        history.record(&config, 1000);
        assert_eq!(history.cooldown_left(&config, 1010), Some(20));
        let over = limits.admit_send(&history, IP, 1010).unwrap_err();
        assert_eq!((over.limit, over.retry_after_secs), ("resend cooldown", 20));
        assert_eq!(history.cooldown_left(&config, 1030), None);
        assert!(limits.admit_send(&history, IP, 1030).is_ok());
    }

    #[test]
    fn sends_per_session_count_the_sessions_history() {
        let config = LimitConfig {
            sends_per_session: 2,
            resend_cooldown_secs: 0,
            window_secs: 100,
            ..Default::default()
        };
        let limits = Limits::new(config.clone());
        let mut history = SendHistory::default();
        for now in [1000, 1001] {
            limits.admit_send(&history, IP, now).unwrap();
            history.record(&config, now);
        }
        let over = limits.admit_send(&history, IP, 1002).unwrap_err();
        assert_eq!(
            (over.limit, over.retry_after_secs),
            ("sends per session", 98)
        );
        // Another session from the same address is not affected by this one's history.
        assert!(limits.admit_send(&SendHistory::default(), IP, 1002).is_ok());
    }

    #[test]
    fn sends_are_limited_per_ip() {
        let fresh = SendHistory::default();
        let per_ip = limits(LimitConfig {
            sends_per_ip: 1,
            ..Default::default()
        });
        per_ip.admit_send(&fresh, IP, 1).unwrap();
        let over = per_ip.admit_send(&fresh, IP, 2).unwrap_err();
        assert_eq!(over.limit, "sends per IP");
        assert!(per_ip.admit_send(&fresh, OTHER_IP, 2).is_ok());
    }

    #[test]
    fn the_shared_counts_are_the_phones_and_the_total() {
        let limits = limits(LimitConfig {
            sends_per_phone: 3,
            sends_total: 70,
            ..Default::default()
        });
        let [phone, total] = limits.shared_send_counts(PHONE);
        assert_eq!(
            (phone.name, phone.counter.as_str(), phone.limit),
            ("sends per phone", "phone:5121112222", 3)
        );
        assert_eq!(
            (total.name, total.counter.as_str(), total.limit),
            ("sends in total", "total", 70)
        );
    }

    #[test]
    fn a_refusal_counts_against_no_counter() {
        let mut windows = SlidingWindows::default();
        let both = [
            (Counter::RegistrationsFrom(IP), 1),
            (Counter::SendsFrom(IP), 2),
        ];
        windows.admit(&both, 100, 1).unwrap();
        // Refused by the first counter: the second must not move.
        windows.admit(&both, 100, 2).unwrap_err();
        assert!(
            windows
                .admit(&[(Counter::SendsFrom(IP), 2)], 100, 3)
                .is_ok()
        );
    }

    #[test]
    fn the_wait_is_until_every_exceeded_counter_has_room() {
        let mut windows = SlidingWindows::default();
        windows
            .admit(&[(Counter::SendsFrom(IP), 1)], 100, 10)
            .unwrap();
        windows
            .admit(&[(Counter::RegistrationsFrom(IP), 1)], 100, 50)
            .unwrap();
        let both = [
            (Counter::SendsFrom(IP), 1),
            (Counter::RegistrationsFrom(IP), 1),
        ];
        let over = windows.admit(&both, 100, 60).unwrap_err();
        assert_eq!(over.retry_after_secs, 90, "the later hit leaves at 150");
    }

    #[test]
    fn ipv6_addresses_are_counted_per_64() {
        let limits = limits(LimitConfig {
            registrations_per_ip: 1,
            ..Default::default()
        });
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        limits.admit_registration(a, 1).unwrap();
        assert!(limits.admit_registration(b, 2).is_err());
        assert!(limits.admit_registration(elsewhere, 2).is_ok());
    }

    #[test]
    fn expired_counters_are_pruned() {
        let mut windows = SlidingWindows::default();
        for n in 0..=SlidingWindows::MIN_PRUNE_AT as u64 {
            let counter = Counter::SendsFrom(IpAddr::from([0, 0, (n >> 8) as u8, n as u8]));
            windows.admit(&[(counter, 1)], 10, n).unwrap();
        }
        assert!(
            windows.hits.len() <= 20,
            "only the counters of the last window remain: {}",
            windows.hits.len()
        );
    }
}
