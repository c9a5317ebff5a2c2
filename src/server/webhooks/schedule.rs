//! When a failed event is tried again, and when it is given up.

use std::time::Duration;

use crate::server::storage::NextStep;

/// No wait between two attempts is longer.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// Retries with exponential backoff, within a window from the event's creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetrySchedule {
    /// The wait after the first failure (`WEBHOOK_BACKOFF_BASE_SECS`); it doubles with each.
    pub base: Duration,
    /// How long after its creation an event is still tried (`WEBHOOK_RETRY_FOR_SECS`).
    pub retry_for: Duration,
}

impl RetrySchedule {
    /// The wait after the `failures`-th failure in a row (1 for the first): base × 2^(failures
    /// − 1), at most [`MAX_BACKOFF`], with "equal jitter": the first half fixed, the second
    /// scaled by `jitter` (0 to 1). Instances that failed together do not all retry together,
    /// and, below the cap, no wait is shorter than the one before could have been.
    pub fn backoff(&self, failures: i64, jitter: f64) -> Duration {
        let doublings = u32::try_from(failures.saturating_sub(1).clamp(0, 31)).unwrap_or(31);
        let ceiling = self
            .base
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(MAX_BACKOFF);
        let half = ceiling / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// What follows an attempt that failed at `now_ms`, the event's `failures`-th in a row,
    /// for an event created at `created_at_ms`: a retry after [`Self::backoff`], the last one
    /// at the window's end; once the window is over, giving up. (So an event found older than
    /// the window, or redelivered by an operator after it, gets one attempt.)
    pub fn after_failure(
        &self,
        failures: i64,
        created_at_ms: i64,
        now_ms: i64,
        jitter: f64,
    ) -> NextStep {
        let window_ends_ms = created_at_ms.saturating_add(millis(self.retry_for));
        if now_ms >= window_ends_ms {
            return NextStep::GiveUp;
        }
        let retry_at_ms = now_ms.saturating_add(millis(self.backoff(failures, jitter)));
        NextStep::RetryAt(retry_at_ms.min(window_ends_ms))
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEDULE: RetrySchedule = RetrySchedule {
        base: Duration::from_secs(10),
        retry_for: Duration::from_secs(3 * 24 * 3600),
    };

    #[test]
    fn the_wait_doubles_up_to_an_hour_with_half_of_it_jittered() {
        let lowest: Vec<u64> = (1..=11)
            .map(|n| SCHEDULE.backoff(n, 0.0).as_secs())
            .collect();
        assert_eq!(lowest, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1800, 1800]);
        let highest: Vec<u64> = (1..=11)
            .map(|n| SCHEDULE.backoff(n, 1.0).as_secs())
            .collect();
        assert_eq!(
            highest,
            [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
        );
        assert_eq!(SCHEDULE.backoff(1, 0.5), Duration::from_millis(7500));
        assert_eq!(SCHEDULE.backoff(i64::MAX, 1.0), MAX_BACKOFF);
        assert_eq!(SCHEDULE.backoff(0, 1.0), SCHEDULE.backoff(1, 1.0));
    }

    #[test]
    fn below_the_cap_each_wait_is_at_least_the_longest_the_one_before_could_be() {
        // 10 s × 2^8 = 2560 s is the last ceiling under an hour.
        for n in 1..9 {
            assert!(
                SCHEDULE.backoff(n + 1, 0.0) >= SCHEDULE.backoff(n, 1.0),
                "{n}"
            );
        }
    }

    #[test]
    fn retries_stop_at_the_end_of_the_window() {
        let created = 1_000_000;
        let window_ends = created + 3 * 24 * 3600 * 1000;
        assert_eq!(
            SCHEDULE.after_failure(1, created, created + 50, 1.0),
            NextStep::RetryAt(created + 50 + 10_000)
        );
        // The last retry is at the window's end, not past it.
        assert_eq!(
            SCHEDULE.after_failure(40, created, window_ends - 1000, 1.0),
            NextStep::RetryAt(window_ends)
        );
        assert_eq!(
            SCHEDULE.after_failure(41, created, window_ends, 1.0),
            NextStep::GiveUp
        );
        // Found long after its window (no URL was set then): one attempt, then given up.
        assert_eq!(
            SCHEDULE.after_failure(1, created, window_ends + 86_400_000, 0.3),
            NextStep::GiveUp
        );
    }
}
