//! A closed loop: `concurrency` virtual users, each sending its next request as soon as the last
//! one is answered, for a fixed time after a warm-up.

use std::future::Future;
use std::time::{Duration, Instant};

pub struct Load {
    pub concurrency: usize,
    pub warm_up: Duration,
    pub measure: Duration,
}

/// What one run measured.
pub struct Measured {
    /// Every answered request's latency, sorted.
    latencies: Vec<Duration>,
    pub errors: usize,
    elapsed: Duration,
}

impl Measured {
    pub fn percentile(&self, p: f64) -> Duration {
        let last = self.latencies.len().saturating_sub(1);
        let at = ((last as f64) * p / 100.0).round() as usize;
        self.latencies.get(at).copied().unwrap_or_default()
    }

    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    pub fn count(&self) -> usize {
        self.latencies.len()
    }
}

impl Load {
    /// Runs `request` (true when the answer is the expected one) in the loop.
    pub async fn run<F, Fut>(&self, request: F) -> Measured
    where
        F: Fn() -> Fut + Clone + Send + 'static,
        Fut: Future<Output = bool> + Send,
    {
        let start = Instant::now() + self.warm_up;
        let end = start + self.measure;
        let users: Vec<_> = (0..self.concurrency)
            .map(|_| {
                let request = request.clone();
                tokio::spawn(async move {
                    let (mut latencies, mut errors) = (Vec::new(), 0);
                    loop {
                        let sent = Instant::now();
                        if sent >= end {
                            return (latencies, errors);
                        }
                        let ok = request().await;
                        if sent >= start {
                            if ok {
                                latencies.push(sent.elapsed());
                            } else {
                                errors += 1;
                            }
                        }
                    }
                })
            })
            .collect();
        let mut measured = Measured {
            latencies: Vec::new(),
            errors: 0,
            elapsed: self.measure,
        };
        for user in users {
            let (latencies, errors) = user.await.expect("a virtual user never panics");
            measured.latencies.extend(latencies);
            measured.errors += errors;
        }
        measured.latencies.sort_unstable();
        measured
    }
}
