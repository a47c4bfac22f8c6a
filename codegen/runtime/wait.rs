//! Waiting for long-running jobs: `.wait()` on an operation that reads a job's state polls it
//! until the job reaches a terminal status.

use crate::error::{Error, Result, TimeoutPhase};
use std::future::Future;
use std::time::Duration;

/// How `.wait()` polls: the first pause, how it grows, its cap, and the total time allowed.
///
/// Defaults: 2 s, growing by half each poll up to 30 s, at most 30 minutes in all. Errors of
/// individual polls are retried by the call's retry policy; an error that survives it ends
/// the wait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitOptions {
    interval: Duration,
    max_interval: Duration,
    multiplier: f64,
    timeout: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(2),
            max_interval: Duration::from_secs(30),
            multiplier: 1.5,
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

impl WaitOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// The pause before the second poll (the first is immediate).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest pause between two polls.
    pub fn max_interval(mut self, max_interval: Duration) -> Self {
        self.max_interval = max_interval;
        self
    }

    /// How much each pause grows over the one before (at least 1).
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The total time allowed; past it the wait fails with `Error::Timeout` (phase `Job`).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Where a job stands, as read from one poll.
#[doc(hidden)]
#[derive(Debug)]
pub enum JobState {
    Running,
    Succeeded,
    Failed {
        status: String,
        message: Option<String>,
    },
}

/// Polls `fetch` until `state` says the job is over: its last state on success,
/// `Error::JobFailed` (holding the last state) on failure, `Error::Timeout` past the limit.
#[doc(hidden)]
pub async fn poll<T, F, Fut>(
    options: WaitOptions,
    mut fetch: F,
    state: fn(&T) -> JobState,
) -> Result<T>
where
    T: Send + Sync + 'static,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let deadline = tokio::time::Instant::now() + options.timeout;
    let mut pause = options.interval;
    loop {
        let job = match tokio::time::timeout_at(deadline, fetch()).await {
            Ok(job) => job?,
            Err(_elapsed) => {
                return Err(Error::Timeout {
                    phase: TimeoutPhase::Job,
                    limit: options.timeout,
                });
            }
        };
        match state(&job) {
            JobState::Succeeded => return Ok(job),
            JobState::Failed { status, message } => {
                return Err(Error::JobFailed {
                    status,
                    message,
                    job: Box::new(job),
                });
            }
            JobState::Running => {}
        }
        if tokio::time::Instant::now() + pause >= deadline {
            return Err(Error::Timeout {
                phase: TimeoutPhase::Job,
                limit: options.timeout,
            });
        }
        tokio::time::sleep(pause).await;
        pause = pause.mul_f64(options.multiplier).min(options.max_interval);
    }
}
