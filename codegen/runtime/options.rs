//! Per-call options (headers, timeout, retry policy) and the retry policy itself.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use std::time::Duration;

/// Header naming the calling application's URL (OpenRouter's app attribution).
pub(crate) const HTTP_REFERER: &str = "http-referer";
/// Header naming the calling application's title.
pub(crate) const APP_TITLE: &str = "x-openrouter-title";
/// Header listing the calling application's categories, comma-separated.
pub(crate) const APP_CATEGORIES: &str = "x-openrouter-categories";

/// Options for one call; anything set here wins over the client's settings.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Headers sent with this call, replacing client headers of the same name.
    pub headers: HeaderMap,
    /// Total time allowed for this call (each attempt), replacing the client's timeout.
    pub timeout: Option<Duration>,
    /// Retry policy for this call, replacing the client's.
    pub retry: Option<RetryPolicy>,
    /// Longest wait between two events of a stream, replacing the client's.
    pub idle_timeout: Option<Duration>,
    /// Largest single stream event accepted, in bytes, replacing the client's.
    pub max_event_size: Option<usize>,
    /// Largest response body `.send()` reads into memory, replacing the client's.
    pub max_response_size: Option<usize>,
    pub(crate) invalid: Option<String>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header (replacing a client header of the same name). An invalid name or value
    /// makes the call fail with `Error::InvalidRequest` before anything is sent.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(mut value)) => {
                // Credentials given per call stay out of `Debug` output, like the client's key.
                if matches!(
                    name.as_str(),
                    "authorization" | "proxy-authorization" | "cookie" | "x-api-key"
                ) {
                    value.set_sensitive(true);
                }
                self.headers.insert(name, value);
            }
            _ => self.invalid = Some(format!("invalid header {name:?}")),
        }
        self
    }

    /// The calling application's URL for this call (`HTTP-Referer`).
    pub fn app_url(self, url: &str) -> Self {
        self.header(HTTP_REFERER, url)
    }

    /// The calling application's title for this call (`X-OpenRouter-Title`).
    pub fn app_title(self, title: &str) -> Self {
        self.header(APP_TITLE, title)
    }

    /// The calling application's categories for this call (`X-OpenRouter-Categories`).
    pub fn app_categories<I, S>(self, categories: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let joined: Vec<String> = categories
            .into_iter()
            .map(|c| c.as_ref().to_owned())
            .collect();
        self.header(APP_CATEGORIES, &joined.join(","))
    }

    /// Time allowed for each attempt of this call: the response head, and for `.send()` the
    /// body too (a stream's body is bounded by the idle timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Longest wait between two events of a stream.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Largest single stream event accepted, in bytes.
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = Some(bytes);
        self
    }

    /// Largest response body `.send()` reads into memory for this call.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = Some(bytes);
        self
    }

    /// Retry policy for this call.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }
}

/// When and how often a failed call is tried again.
///
/// Retried for every method: 429 and 503 (the server did not act on the request) and failures
/// to connect (the request never left). Retried only for idempotent requests (GET, HEAD, PUT,
/// DELETE, OPTIONS, and any request carrying an `Idempotency-Key` header, which makes the
/// server treat a repeat as the same request): 408, 500, 502, 504, 524 and 529, timeouts, and a
/// connection that failed after the request was written (a reset before any answer), since a
/// POST may then have been acted upon. `Retry-After` (seconds or an HTTP date) and `retry-after-ms` are honoured up to
/// `max_backoff`; otherwise the wait doubles from `initial_backoff`, with jitter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Two retries, starting at 500 ms, at most 8 s apart.
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// Up to `max_retries` retries after the first attempt, with the default backoff.
    pub fn new(max_retries: u32) -> Self {
        Self {
            max_retries,
            ..Self::default()
        }
    }

    /// Never retry.
    pub fn none() -> Self {
        Self::new(0)
    }

    /// The first wait between attempts.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Retries after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// `idempotent`: see [`is_idempotent`].
    pub(crate) fn retry_status(&self, status: StatusCode, idempotent: bool) -> bool {
        match status.as_u16() {
            429 | 503 => true,
            408 | 500 | 502 | 504 | 524 | 529 => idempotent,
            _ => false,
        }
    }

    pub(crate) fn retry_transport(&self, error: &reqwest::Error, idempotent: bool) -> bool {
        error.is_connect()
            || (idempotent && (error.is_timeout() || error.is_request() || error.is_body()))
    }

    pub(crate) fn retry_timeout(&self, idempotent: bool) -> bool {
        idempotent
    }

    /// The wait before retry number `attempt` (0-based).
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_backoff);
        }
        let factor = 2u32.saturating_pow(attempt.min(16));
        let base = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        // Jitter between 75% and 100% of the computed wait keeps clients from retrying in step.
        base.mul_f64(0.75 + fastrand::f64() * 0.25)
    }
}

/// Whether sending the request twice has the effect of sending it once: an idempotent method,
/// or any request with an `Idempotency-Key` header.
pub(crate) fn is_idempotent(method: &Method, headers: &reqwest::header::HeaderMap) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    ) || headers.contains_key("idempotency-key")
}
