//! The one error type of the client: API errors with their body kept, transport, decode,
//! invalid-request and configuration errors.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::borrow::Cow;
use std::fmt;

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
    /// The request could not be built (for example a header value that is not valid text).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client could not be configured (for example a missing API key or a bad base URL).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl Error {
    /// The HTTP status, for API and decode errors.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
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

    /// The raw response body, for API and decode errors.
    pub fn body(&self) -> Option<&Bytes> {
        match self {
            Error::Api(api) => Some(&api.body),
            Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Whether trying the same request again later may succeed (rate limits, server
    /// overload and failures, timeouts, connection problems).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => is_retryable_status(api.status),
            Error::Transport(e) => e.is_timeout() || e.is_connect(),
            _ => false,
        }
    }
}

pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
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
    /// Reads an error response: `{"error": {"code", "message", "metadata"}}` when the body has it.
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
        let message = error
            .and_then(|e| e.get("message"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
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
