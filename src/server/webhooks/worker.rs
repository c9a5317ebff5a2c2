//! The background task that empties the outbox: it takes the due events, sends them, records
//! each attempt, and schedules the retries. Its state is the database's only, so a restart,
//! or another instance, carries on where it stopped.

use std::sync::Mutex;
use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use super::WebhookConfig;
use super::schedule::RetrySchedule;
use super::sender::WebhookSender;
use crate::server::observability::metrics;
use crate::server::storage::{Database, NextStep, Settled, StorageError, now_ms};

/// Events taken at once (one per registration), sent in parallel.
const BATCH: i64 = 16;

pub struct WebhookWorker {
    database: Database,
    sender: WebhookSender,
    schedule: RetrySchedule,
    poll_every: Duration,
    /// How long a lease on the events taken lasts: longer than a batch's delivery can take.
    lease: Duration,
}

impl WebhookWorker {
    pub fn new(database: Database, config: &WebhookConfig) -> Result<Self, reqwest::Error> {
        Ok(Self {
            database,
            sender: WebhookSender::new(config)?,
            schedule: config.schedule,
            poll_every: config.poll_every,
            lease: config.timeout * 2 + Duration::from_secs(1),
        })
    }

    /// Sends one batch of due events and records how it went; how many were taken.
    pub async fn deliver_due(&self) -> Result<usize, StorageError> {
        let batch = self.database.take_due_webhooks(BATCH, self.lease).await?;
        if batch.events().is_empty() {
            return Ok(0);
        }
        let mut sending = JoinSet::new();
        for event in batch.events().iter().cloned() {
            let sender = self.sender.clone();
            sending.spawn(async move {
                let attempt = sender.send(&event.event_id, &event.payload).await;
                (event, attempt)
            });
        }
        let mut settled = Vec::with_capacity(batch.events().len());
        while let Some(sent) = sending.join_next().await {
            // A send that panicked leaves its event taken: it goes again later.
            let (event, attempt) = match sent {
                Ok(sent) => sent,
                Err(error) => {
                    tracing::error!(%error, "a webhook send failed unexpectedly");
                    continue;
                }
            };
            let next = if attempt.succeeded() {
                NextStep::Delivered
            } else {
                let failures = event.attempts + 1;
                self.schedule
                    .after_failure(failures, event.created_at_ms, now_ms(), rand::random())
            };
            settled.push(Settled {
                event,
                attempt,
                next,
            });
        }
        batch.settle(&settled).await?;
        settled.iter().for_each(report);
        Ok(settled.len())
    }

    /// Delivers until `stop` is cancelled, finishing the batch in flight; between batches it
    /// looks for due events every `poll_every`.
    pub async fn run(self, stop: CancellationToken) {
        tracing::info!("webhook delivery started");
        while !stop.is_cancelled() {
            let more = match self.deliver_due().await {
                Ok(taken) => taken > 0,
                Err(error) => {
                    tracing::error!(%error, "webhook delivery could not use the database");
                    false
                }
            };
            if !more {
                tokio::select! {
                    () = stop.cancelled() => {}
                    () = tokio::time::sleep(self.poll_every) => {}
                }
            }
        }
        tracing::info!("webhook delivery stopped");
    }

    /// Runs [`Self::run`] in a task of its own.
    pub fn spawn(self) -> RunningWebhooks {
        let stop = CancellationToken::new();
        let stop_within = self.lease;
        let task = tokio::spawn(self.run(stop.clone()));
        RunningWebhooks {
            stop,
            stop_within,
            task: Mutex::new(Some(task)),
        }
    }
}

/// The delivery task of a running app. Dropping it stops the task (after its batch in flight).
#[derive(Debug)]
pub struct RunningWebhooks {
    stop: CancellationToken,
    /// The longest [`Self::stop`] waits for the batch in flight.
    stop_within: Duration,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl RunningWebhooks {
    /// Stops the task once its batch in flight is recorded. One that takes too long is cut
    /// short: its events go again later (at least once).
    pub async fn stop(&self) {
        self.stop.cancel();
        let task = self.task.lock().ok().and_then(|mut task| task.take());
        let Some(mut task) = task else {
            return;
        };
        if tokio::time::timeout(self.stop_within, &mut task)
            .await
            .is_err()
        {
            tracing::warn!("webhook delivery did not stop in time: its batch goes again later");
            task.abort();
        }
    }
}

impl Drop for RunningWebhooks {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn report(settled: &Settled) {
    let Settled {
        event,
        attempt,
        next,
    } = settled;
    let status = attempt.status_code;
    let error = attempt.error.as_deref();
    match next {
        NextStep::Delivered => {
            metrics::webhook_attempt(true);
            tracing::info!(
                event_id = %event.event_id, reference = %event.reference,
                event_type = %event.event_type, status, "webhook delivered"
            );
        }
        NextStep::RetryAt(at_ms) => {
            metrics::webhook_attempt(false);
            tracing::info!(
                event_id = %event.event_id, reference = %event.reference, status, error,
                retry_in_ms = at_ms - now_ms(), "webhook not delivered; it will be tried again"
            );
        }
        NextStep::GiveUp => {
            metrics::webhook_attempt(false);
            metrics::webhook_given_up();
            tracing::warn!(
                event_id = %event.event_id, reference = %event.reference,
                event_type = %event.event_type, attempts = event.attempts + 1, status, error,
                "webhook given up: its retry window is over (POST it again from the admin \
                 console once the receiver works)"
            );
        }
    }
}
