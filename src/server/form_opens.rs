//! The funnel's first step, "form opened", counted without a write per page view: each instance
//! keeps the day's count in memory and adds it to `form_opens_daily` every minute (and when it
//! shuts down), one upsert per day. Only a browser new to the flow (its flow owner minted by
//! this request) shown the empty form is counted.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_util::task::AbortOnDropHandle;

use crate::server::storage::{Database, now_ms};

/// How often each instance adds its counts to the database.
pub const FLUSH_EVERY: Duration = Duration::from_secs(60);

const DAY_MS: i64 = 86_400_000;

/// Forms opened and not yet written, per UTC day (days since the epoch).
#[derive(Debug, Default)]
pub struct FormOpens {
    pending: Mutex<BTreeMap<i64, i64>>,
}

impl FormOpens {
    /// One more form opened, now.
    pub fn note(&self) {
        self.note_at(now_ms());
    }

    pub fn note_at(&self, at_ms: i64) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *pending.entry(at_ms.div_euclid(DAY_MS)).or_default() += 1;
    }

    /// Adds what was counted since the last flush to the database. What could not be written is
    /// kept for the next one.
    pub async fn flush(&self, database: &Database) {
        let taken = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        for (day, opened) in taken {
            if let Err(error) = database.add_form_opens(day, opened).await {
                tracing::warn!(%error, day, opened, "forms opened not written; kept for the next flush");
                let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                *pending.entry(day).or_default() += opened;
            }
        }
    }

    /// Flushes every `every` until the handle is dropped.
    pub fn spawn(self: Arc<Self>, database: Database, every: Duration) -> AbortOnDropHandle<()> {
        AbortOnDropHandle::new(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                self.flush(&database).await;
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_kept_per_day() {
        let opens = FormOpens::default();
        opens.note_at(5);
        opens.note_at(DAY_MS - 1);
        opens.note_at(DAY_MS);
        let pending = opens.pending.lock().unwrap();
        assert_eq!(*pending, BTreeMap::from([(0, 2), (1, 1)]));
    }
}
