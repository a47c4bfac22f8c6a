//! The one error type of the client: API errors with their body kept, transport, decode,
//! invalid-request and configuration errors.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// Result alias for every fallible call of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling the API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status (or an error object).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request could not be sent or the response could not be read.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// A success response whose body does not match the documented type; the body is kept.
    #[error("could not decode the HTTP {status} response body: {source}")]
    Decode {
        status: StatusCode,
        headers: Box<HeaderMap>,
        body: Bytes,
        #[source]
        source: serde_json::Error,
    },
    /// A stream broke off: the connection closed before the protocol's end, an event was too
    /// large, or no event came within the idle timeout.
    #[error("stream error: {0}")]
    Stream(String),
    /// `.stream()` got a whole answer of another media type instead of an event stream (for
    /// example the JSON answer of a model that cannot stream). The body is kept: a JSON one
    /// decodes as the operation's `.send()` type, so a paid-for answer is not lost.
    #[error(
        "expected an event stream (text/event-stream) but the server answered HTTP {status} with {content_type} ({} bytes, kept in the error)",
        body.len()
    )]
    NotAStream {
        status: StatusCode,
        headers: Box<HeaderMap>,
        /// The answer's media type (its `Content-Type` without parameters, in lower case).
        content_type: String,
        body: Bytes,
    },
    /// A phase of the call took longer than its limit (see [`TimeoutPhase`] for each phase,
    /// its default and where to change it).
    #[error("timed out: {phase} took longer than {limit:?}")]
    Timeout {
        phase: TimeoutPhase,
        limit: Duration,
    },
    /// A response body was larger than the size cap (`max_response_size`); it was not read
    /// further.
    #[error(
        "the HTTP {status} response body is larger than the {limit}-byte cap (max_response_size)"
    )]
    ResponseTooLarge {
        status: StatusCode,
        headers: Box<HeaderMap>,
        limit: usize,
    },
    /// The request could not be built or would not be sent safely (a header value that is
    /// not valid text, a control character in a path, query or header value, ...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client could not be configured (for example a missing API key or a bad base URL).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A paginator cannot follow the list further (for example a page says more items follow
    /// but gives no cursor for them); the pages before it were yielded.
    #[error("paging stopped: {0}")]
    Paging(String),
    /// A local file could not be read (an upload) or written (a download).
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A long-running job that `.wait()` watched ended in a failed state. `job` is the last
    /// state the server reported, in the operation's own type: read it with [`Error::job`].
    #[error("the job ended with status {status:?}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    JobFailed {
        status: String,
        message: Option<String>,
        job: Box<dyn std::any::Any + Send + Sync>,
    },
}

impl Error {
    /// The last state of a failed job (`Error::JobFailed`), as the type the polling operation
    /// returns (for example `client.video_generation().get(id).wait(..)` gives its answer type).
    pub fn job<T: 'static>(&self) -> Option<&T> {
        match self {
            Error::JobFailed { job, .. } => job.downcast_ref(),
            _ => None,
        }
    }

    /// The HTTP status, for API, decode and not-a-stream errors.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } | Error::NotAStream { status, .. } => Some(*status),
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The API error, if this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The raw response body, for API, decode and not-a-stream errors.
    pub fn body(&self) -> Option<&Bytes> {
        match self {
            Error::Api(api) => Some(&api.body),
            Error::Decode { body, .. } | Error::NotAStream { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Whether trying the same request again later may succeed (rate limits, server
    /// overload and failures, timeouts, connection problems, or an API error whose metadata
    /// says `"retryable": true`).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => api.is_retryable(),
            Error::Transport(e) => e.is_timeout() || e.is_connect() || e.is_request(),
            Error::Timeout { .. } => true,
            _ => false,
        }
    }
}

/// The error an event carries in-band, if any: an `error` object, a `type: "error"` event, or
/// a choice that finished with `finish_reason: "error"`.
pub(crate) fn in_band_error(
    value: &serde_json::Value,
    status: StatusCode,
    headers: &HeaderMap,
    raw: &[u8],
) -> Option<ApiError> {
    let object = value.as_object()?;
    let is_error_event = object.get("type").and_then(serde_json::Value::as_str) == Some("error");
    let error = match object.get("error") {
        Some(inner) if inner.is_object() => inner,
        _ if is_error_event => value,
        _ => {
            let failed = object
                .get("choices")
                .and_then(serde_json::Value::as_array)
                .is_some_and(|choices| {
                    choices.iter().any(|c| {
                        c.get("finish_reason").and_then(serde_json::Value::as_str) == Some("error")
                    })
                });
            if !failed {
                return None;
            }
            let mut api =
                ApiError::from_parts(status, headers.clone(), Bytes::copy_from_slice(raw));
            api.message =
                "the provider ended the generation with finish_reason \"error\"".to_owned();
            return Some(api);
        }
    };
    let mut api = ApiError::from_parts(status, headers.clone(), Bytes::copy_from_slice(raw));
    if api.code.is_none() {
        api.code = error
            .get("type")
            .and_then(serde_json::Value::as_str)
            .map(|t| ErrorCode::Text(t.to_owned()));
    }
    if let Some(message) = error.get("message").and_then(serde_json::Value::as_str) {
        api.message = message.to_owned();
    }
    api.metadata = error.get("metadata").filter(|m| !m.is_null()).cloned();
    Some(api)
}

/// Statuses that say the server may succeed later (the request was not acted upon or failed
/// on the way): timeouts, rate limits, overload and gateway failures.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504 | 524 | 529)
}

/// Which phase of a call ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Waiting for the response head (status and headers), streams included. Limit: the
    /// call's `timeout` (default 600 s).
    Head,
    /// Reading the body of a `.send()` answer. Limit: what remains of the call's `timeout`.
    Body,
    /// Waiting for the next bytes of a stream (events or keep-alive comments). Limit: the
    /// stream idle timeout (default 180 s).
    StreamIdle,
    /// Waiting for a long-running job to finish (`.wait()`). Limit: `WaitOptions::timeout`.
    Job,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Head => "waiting for the response head",
            TimeoutPhase::Job => "waiting for the job to finish",
            TimeoutPhase::Body => "reading the response body",
            TimeoutPhase::StreamIdle => "waiting for the next stream event",
        })
    }
}

/// What kind of failure an API error is, from its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400: the request is malformed or has invalid parameters.
    BadRequest,
    /// 401: the API key is missing, invalid or disabled.
    Unauthorized,
    /// 402: the account or key has too few credits.
    PaymentRequired,
    /// 403: not allowed (for example a moderation refusal or a key without the right).
    Forbidden,
    /// 404: no such resource or model.
    NotFound,
    /// 408: the request took too long.
    Timeout,
    /// 409: conflicts with the current state.
    Conflict,
    /// 413: the request is too large.
    PayloadTooLarge,
    /// 422: well-formed but not acceptable.
    Unprocessable,
    /// 429: rate limited; see [`ApiError::retry_after`].
    RateLimited,
    /// 499: the client closed the request.
    ClientClosed,
    /// 500 (and other 5xx without a kind of their own): the server failed.
    ServerError,
    /// 502: the provider or an upstream failed or answered invalidly.
    BadGateway,
    /// 503: no provider is available now.
    Unavailable,
    /// 504: an upstream did not answer in time.
    GatewayTimeout,
    /// 524: the edge gave up waiting for the origin.
    EdgeTimeout,
    /// 529: the provider is overloaded.
    ProviderOverloaded,
    /// Any other status (including a 2xx carrying an error object).
    Other,
}

impl ApiErrorKind {
    /// The kind of an HTTP status.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            402 => Self::PaymentRequired,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            408 => Self::Timeout,
            409 => Self::Conflict,
            413 => Self::PayloadTooLarge,
            422 => Self::Unprocessable,
            429 => Self::RateLimited,
            499 => Self::ClientClosed,
            502 => Self::BadGateway,
            503 => Self::Unavailable,
            504 => Self::GatewayTimeout,
            524 => Self::EdgeTimeout,
            529 => Self::ProviderOverloaded,
            500..=599 => Self::ServerError,
            _ => Self::Other,
        }
    }
}

/// How long the server asks to wait: `retry-after-ms` (milliseconds), else `Retry-After` as
/// seconds or as an HTTP date (a date in the past means no wait).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let finite = |n: f64| (n.is_finite() && n >= 0.0).then_some(n);
    if let Some(ms) = header("retry-after-ms")
        .and_then(|t| t.parse::<f64>().ok())
        .and_then(finite)
    {
        return Some(Duration::from_secs_f64((ms / 1000.0).min(u32::MAX as f64)));
    }
    let text = header("retry-after")?;
    if let Some(seconds) = text.parse::<f64>().ok().and_then(finite) {
        return Some(Duration::from_secs_f64(seconds.min(u32::MAX as f64)));
    }
    let date = httpdate::parse_http_date(text).ok()?;
    Some(
        date.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The `code` of an API error: OpenRouter sends integers, some upstream errors send strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    Int(i64),
    Text(String),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Int(code) => write!(f, "{code}"),
            ErrorCode::Text(code) => f.write_str(code),
        }
    }
}

/// An error answer from the API, with everything the server sent.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// `error.code` from the body, if present.
    pub code: Option<ErrorCode>,
    /// `error.message` from the body, or the status text when the body has none.
    pub message: String,
    /// `error.metadata` from the body (provider details, moderation reasons, ...).
    pub metadata: Option<serde_json::Value>,
    /// Response headers (rate-limit headers, request ids, ...).
    pub headers: HeaderMap,
    /// The raw response body, whatever it was.
    pub body: Bytes,
}

impl ApiError {
    /// Reads an error response: `{"error": {"code", "message", "metadata"}}` when the body has
    /// it. Without a `code`, the error's `type` is the code (Anthropic's shape for the Messages
    /// API: `{"type": "error", "error": {"type": "overloaded_error", ...}}`), over HTTP and
    /// inside streams alike.
    pub(crate) fn from_parts(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
        let error = parsed.as_ref().and_then(|v| match v.get("error") {
            Some(inner) if inner.is_object() => Some(inner),
            _ => v.get("message").map(|_| v),
        });
        let code = error.and_then(|e| e.get("code")).and_then(|c| match c {
            serde_json::Value::Number(n) => n.as_i64().map(ErrorCode::Int),
            serde_json::Value::String(s) => Some(ErrorCode::Text(s.clone())),
            _ => None,
        });
        let code = code.or_else(|| {
            let kind = error?.get("type")?.as_str()?;
            (kind != "error").then(|| ErrorCode::Text(kind.to_owned()))
        });
        // OAuth 2.0 errors (RFC 6749 section 5.2): `{"error": "<code>", "error_description": ...}`.
        let oauth = parsed.as_ref().filter(|_| error.is_none()).and_then(|v| {
            let code = v.get("error")?.as_str()?;
            let description = v
                .get("error_description")
                .and_then(serde_json::Value::as_str);
            Some((code.to_owned(), description.map(str::to_owned)))
        });
        let code = code.or_else(|| {
            oauth
                .as_ref()
                .map(|(code, _)| ErrorCode::Text(code.clone()))
        });
        let message = error
            .and_then(|e| e.get("message"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .or_else(|| oauth.map(|(code, description)| description.unwrap_or(code)))
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
        let metadata = error
            .and_then(|e| e.get("metadata"))
            .filter(|m| !m.is_null())
            .cloned();
        Self {
            status,
            code,
            message,
            metadata,
            headers,
            body,
        }
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// What kind of failure this is, from the HTTP status (for an error inside a stream or a
    /// 2xx body, from an HTTP-like numeric `code` when there is one).
    pub fn kind(&self) -> ApiErrorKind {
        match (&self.code, self.status.as_u16()) {
            (Some(ErrorCode::Int(code)), 200..=299) => {
                ApiErrorKind::from_status(u16::try_from(*code).unwrap_or(0))
            }
            (_, status) => ApiErrorKind::from_status(status),
        }
    }

    /// How long the server asked to wait before trying again (`Retry-After` in seconds or as
    /// an HTTP date, or `retry-after-ms`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }

    /// Whether trying again later may succeed: a retryable status (see [`Self::kind`]) or a
    /// `"retryable": true` hint in the error's metadata.
    pub fn is_retryable(&self) -> bool {
        let hint = self
            .metadata
            .as_ref()
            .and_then(|m| m.get("retryable"))
            .and_then(serde_json::Value::as_bool);
        match hint {
            Some(hint) => hint,
            None => match (&self.code, self.status.as_u16()) {
                (Some(ErrorCode::Int(code)), 200..=299) => {
                    u16::try_from(*code).is_ok_and(is_retryable_status)
                }
                (_, status) => is_retryable_status(status),
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error (HTTP {})", self.status.as_u16())?;
        if let Some(code) = &self.code {
            write!(f, " code {code}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<ApiError> for Error {
    fn from(value: ApiError) -> Self {
        Error::Api(Box::new(value))
    }
}
