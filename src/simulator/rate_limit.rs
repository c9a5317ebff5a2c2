//! Per-key rate limit over a sliding 60-second window.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// Keys tracked before idle ones are forgotten (any key is accepted when none is configured).
const MAX_TRACKED_KEYS: usize = 1_024;

#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    hits_by_key: HashMap<String, VecDeque<Instant>>,
}

impl RateLimiter {
    /// Counts a request by `key` at `now`, or refuses it with the seconds to wait (at least 1).
    pub fn admit(&mut self, key: &str, limit_per_minute: u32, now: Instant) -> Result<(), u64> {
        if self.hits_by_key.len() >= MAX_TRACKED_KEYS {
            self.hits_by_key.retain(|_, hits| {
                hits.back()
                    .is_some_and(|last| now.duration_since(*last) < WINDOW)
            });
        }
        let hits = self.hits_by_key.entry(key.to_owned()).or_default();
        while hits
            .front()
            .is_some_and(|first| now.duration_since(*first) >= WINDOW)
        {
            hits.pop_front();
        }
        if hits.len() < limit_per_minute as usize {
            hits.push_back(now);
            return Ok(());
        }
        let wait = hits.front().map_or(WINDOW, |first| {
            (*first + WINDOW).saturating_duration_since(now)
        });
        Err(wait.as_secs_f64().ceil().max(1.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_beyond_the_limit_until_the_window_slides() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        assert_eq!(limiter.admit("k", 2, start), Ok(()));
        assert_eq!(
            limiter.admit("k", 2, start + Duration::from_secs(10)),
            Ok(())
        );
        assert_eq!(
            limiter.admit("k", 2, start + Duration::from_secs(20)),
            Err(40)
        );
        assert_eq!(
            limiter.admit("k", 2, start + Duration::from_millis(59_500)),
            Err(1)
        );
        assert_eq!(
            limiter.admit("k", 2, start + Duration::from_secs(60)),
            Ok(())
        );
        assert_eq!(
            limiter.admit("k", 2, start + Duration::from_secs(61)),
            Err(9)
        );
    }

    #[test]
    fn keys_are_limited_separately() {
        let mut limiter = RateLimiter::default();
        let now = Instant::now();
        assert_eq!(limiter.admit("a", 1, now), Ok(()));
        assert_eq!(limiter.admit("a", 1, now), Err(60));
        assert_eq!(limiter.admit("b", 1, now), Ok(()));
    }

    #[test]
    fn a_zero_limit_refuses_everything() {
        let mut limiter = RateLimiter::default();
        assert_eq!(limiter.admit("k", 0, Instant::now()), Err(60));
    }

    #[test]
    fn idle_keys_are_forgotten_once_many_are_tracked() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        for n in 0..MAX_TRACKED_KEYS {
            assert_eq!(limiter.admit(&n.to_string(), 1, start), Ok(()));
        }
        let later = start + WINDOW;
        assert_eq!(limiter.admit("new", 1, later), Ok(()));
        assert_eq!(limiter.hits_by_key.len(), 1);
    }
}
