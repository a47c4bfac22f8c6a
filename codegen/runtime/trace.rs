//! Optional instrumentation with `tracing` (the crate's `tracing` feature, off by default).
//!
//! One span per call, `openrouter.call`, with the operation, HTTP method, path template
//! (`/keys/{hash}`, never the filled-in path), attempt, final status and elapsed time; an event
//! for each retry (with its delay and reason) and one when a stream ends. Never recorded: the
//! API key or any other header, query values, request or response bodies.
//! Without the feature these are empty functions the compiler removes.

use std::fmt::Display;
use std::time::Duration;

/// The span of one call (a unit struct without the feature).
#[cfg(feature = "tracing")]
pub(crate) type CallSpan = tracing::Span;

/// The span of one call (a unit struct without the feature).
#[cfg(not(feature = "tracing"))]
#[derive(Debug, Clone)]
pub(crate) struct CallSpan;

/// No span (a stream made outside a call).
#[cfg(feature = "tracing")]
pub(crate) fn none() -> CallSpan {
    tracing::Span::none()
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn none() -> CallSpan {
    CallSpan
}

/// Opens the span of a call.
#[cfg(feature = "tracing")]
pub(crate) fn call(
    operation: &'static str,
    method: &reqwest::Method,
    path: &'static str,
) -> CallSpan {
    tracing::info_span!(
        "openrouter.call",
        operation,
        method = %method,
        path,
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
    )
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn call(
    _operation: &'static str,
    _method: &reqwest::Method,
    _path: &'static str,
) -> CallSpan {
    CallSpan
}

/// A retry is about to wait `delay` after attempt `attempt` (0-based) failed for `reason`.
#[cfg(feature = "tracing")]
pub(crate) fn retrying(span: &CallSpan, attempt: u32, delay: Duration, reason: &dyn Display) {
    span.in_scope(
        || tracing::warn!(attempt, delay_ms = delay.as_millis() as u64, %reason, "retrying"),
    );
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn retrying(_span: &CallSpan, _attempt: u32, _delay: Duration, _reason: &dyn Display) {}

/// The call got its answer head (`status`) or failed (`None`) after `attempt` retries.
#[cfg(feature = "tracing")]
pub(crate) fn finished(span: &CallSpan, attempt: u32, status: Option<u16>, elapsed: Duration) {
    span.record("attempt", attempt);
    if let Some(status) = status {
        span.record("status", status);
    }
    span.record("elapsed_ms", elapsed.as_millis() as u64);
    span.in_scope(|| tracing::debug!(attempt, status, "answered"));
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn finished(_span: &CallSpan, _attempt: u32, _status: Option<u16>, _elapsed: Duration) {}

/// A stream ended: `outcome` says how (`complete`, `closed`, or the error's kind).
#[cfg(feature = "tracing")]
pub(crate) fn stream_ended(span: &CallSpan, events: u64, outcome: &dyn Display) {
    span.in_scope(|| tracing::debug!(events, %outcome, "stream ended"));
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn stream_ended(_span: &CallSpan, _events: u64, _outcome: &dyn Display) {}
