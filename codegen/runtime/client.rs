//! The client: configuration, authentication, attribution headers, and sending requests with
//! retries.

use crate::error::{Error, Result, TimeoutPhase, retry_after};
use crate::options::{APP_CATEGORIES, APP_TITLE, HTTP_REFERER, RequestOptions, RetryPolicy};
use crate::request::{RawResponse, RequestSpec};
#[cfg(feature = "__sse")]
use crate::sse::{EventStream, StreamProtocol};
use crate::trace;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The environment variable `Client::from_env` reads the API key from.
pub const API_KEY_ENV: &str = "OPENROUTER_API_KEY";
/// The environment variable `Client::from_env` reads a base URL override from, if set.
pub const BASE_URL_ENV: &str = "OPENROUTER_BASE_URL";

/// Default time to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time allowed for each attempt of a call: the response head and, for `.send()`, the
/// whole body. Ten minutes, because a long non-streamed answer of a reasoning model can take
/// several minutes before its first byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Default longest gap between two reads of a stream. OpenRouter sends keep-alive comments
/// while a model is busy, which count as activity, so a live stream is never cut.
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(180);
/// Default cap on a response body read into memory by `.send()`: 32 MiB, about ten times the
/// largest answer the API documents (the full model list).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 32 * 1024 * 1024;

/// An API client. Cheap to clone: clones share one connection pool and configuration.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: reqwest::Url,
    /// `Bearer <key>`, marked sensitive; never printed.
    auth: Option<HeaderValue>,
    headers: HeaderMap,
    retry: RetryPolicy,
    timeout: Duration,
    max_response_size: usize,
    // Read by streaming operations only.
    #[allow(dead_code)]
    idle_timeout: Duration,
    #[allow(dead_code)]
    max_event_size: Option<usize>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("api_key", &self.inner.auth.as_ref().map(|_| "<redacted>"))
            .field("retry", &self.inner.retry)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client with custom settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client with this API key and default settings.
    pub fn new(api_key: impl Into<String>) -> Result<Self> {
        Self::builder().api_key(api_key).build()
    }

    /// A client whose API key comes from `OPENROUTER_API_KEY` (and base URL from
    /// `OPENROUTER_BASE_URL`, when set).
    pub fn from_env() -> Result<Self> {
        Self::builder().from_env()?.build()
    }

    /// The base URL every path is joined to.
    pub fn base_url(&self) -> &reqwest::Url {
        &self.inner.base_url
    }

    /// Sends a request, retrying as the policy allows, and reads the body (within the call's
    /// timeout and size cap); a non-2xx answer becomes `Error::Api`.
    pub(crate) async fn execute(
        &self,
        spec: RequestSpec,
        options: RequestOptions,
    ) -> Result<RawResponse> {
        let (response, deadline, _span) = self.send(spec, &options).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_body(response, self.max_response_size(&options), deadline).await?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// Sends a streaming request: once the answer's status is a success and its content type
    /// an event stream, its body is read event by event. The call's timeout bounds the wait for
    /// the head; the idle timeout bounds each wait for more bytes after it.
    #[cfg(feature = "__sse")]
    pub(crate) async fn execute_stream<T: serde::de::DeserializeOwned>(
        &self,
        spec: RequestSpec,
        options: RequestOptions,
        protocol: StreamProtocol,
    ) -> Result<EventStream<T>> {
        let idle = options.idle_timeout.unwrap_or(self.inner.idle_timeout);
        let max_event_size = options
            .max_event_size
            .or(self.inner.max_event_size)
            .unwrap_or(crate::sse::DEFAULT_MAX_EVENT_SIZE);
        let (response, deadline, span) = self.send(spec, &options).await?;
        let status = response.status();
        let headers = response.headers().clone();
        match media_type(&headers).as_deref() {
            // No content type at all is read as a stream, as the protocol is the only one asked for.
            None | Some("text/event-stream") => {}
            Some(other) => {
                let json = is_json(other);
                let body = read_body(response, self.max_response_size(&options), deadline).await?;
                let raw = RawResponse {
                    status,
                    headers,
                    body,
                };
                if json {
                    if let Some(api) = raw.error_envelope() {
                        return Err(api.into());
                    }
                }
                return Err(Error::NotAStream {
                    status,
                    content_type: other.to_owned(),
                    headers: Box::new(raw.headers),
                    body: raw.body,
                });
            }
        }
        Ok(EventStream::new(
            response.bytes_stream(),
            protocol,
            status,
            headers,
            Some(idle),
            max_event_size,
        )
        .traced(span))
    }

    /// Sends a request whose answer is binary: the body is handed over unread, as a stream of
    /// chunks. A JSON answer that is an error envelope is `Error::Api`.
    #[cfg(feature = "__download")]
    pub(crate) async fn execute_download(
        &self,
        spec: RequestSpec,
        options: RequestOptions,
    ) -> Result<crate::ResponseValue<crate::ByteStream>> {
        let idle = options.idle_timeout.unwrap_or(self.inner.idle_timeout);
        let (response, deadline, _span) = self.send(spec, &options).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let stream = if media_type(&headers).is_some_and(|t| is_json(&t)) {
            let body = read_body(response, self.max_response_size(&options), deadline).await?;
            let raw = RawResponse {
                status,
                headers: headers.clone(),
                body,
            };
            if let Some(api) = raw.error_envelope() {
                return Err(api.into());
            }
            crate::ByteStream::from_bytes(status, headers.clone(), raw.body)
        } else {
            crate::ByteStream::new(response, idle)
        };
        Ok(crate::ResponseValue::new(stream, status, headers))
    }

    fn max_response_size(&self, options: &RequestOptions) -> usize {
        options
            .max_response_size
            .unwrap_or(self.inner.max_response_size)
    }

    /// Sends with retries and returns the first success response, its body unread, with the
    /// deadline of the attempt that got it and the call's tracing span.
    async fn send(
        &self,
        spec: RequestSpec,
        options: &RequestOptions,
    ) -> Result<(reqwest::Response, Deadline, trace::CallSpan)> {
        if let Some(error) = spec.error {
            return Err(error);
        }
        if let Some(problem) = &options.invalid {
            return Err(Error::InvalidRequest(problem.clone()));
        }
        // `Url` would drop `.`/`..` segments and an empty one would change the route: a path
        // parameter like that would silently reach another endpoint. A control character
        // would be dropped or percent-encoded out of sight: refuse it too.
        if let Some(bad) = spec
            .segments
            .iter()
            .find(|s| s.is_empty() || *s == "." || *s == "..")
        {
            return Err(Error::InvalidRequest(format!(
                "path parameter {bad:?} cannot be sent safely"
            )));
        }
        if let Some(bad) = spec
            .segments
            .iter()
            .find(|s| s.chars().any(char::is_control))
        {
            return Err(Error::InvalidRequest(format!(
                "path parameter {bad:?} contains a control character"
            )));
        }
        if let Some((name, value)) = spec
            .query
            .iter()
            .find(|(n, v)| n.chars().chain(v.chars()).any(char::is_control))
        {
            return Err(Error::InvalidRequest(format!(
                "query parameter {name:?} = {value:?} contains a control character"
            )));
        }
        let mut url = match spec.server {
            crate::request::Server::Default => self.inner.base_url.clone(),
            crate::request::Server::Absolute(base) => reqwest::Url::parse(base)
                .map_err(|e| Error::Config(format!("invalid server URL {base:?}: {e}")))?,
            crate::request::Server::SameHost(path) => server_on_host(&self.inner.base_url, path),
        };
        url.path_segments_mut()
            .map_err(|()| {
                Error::Config(format!(
                    "base URL {} cannot take a path",
                    self.inner.base_url
                ))
            })?
            .pop_if_empty()
            .extend(spec.segments.iter());
        if !spec.query.is_empty() {
            url.query_pairs_mut().extend_pairs(spec.query.iter());
        }

        let mut headers = self.inner.headers.clone();
        if let Some(auth) = self.inner.auth.as_ref().filter(|_| !spec.anonymous) {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        merge(&mut headers, &spec.headers);
        merge(&mut headers, &options.headers);
        // `HeaderValue` admits a tab; a value with any control character is refused.
        if let Some((name, _)) = headers
            .iter()
            .find(|(_, v)| v.as_bytes().iter().any(|b| b.is_ascii_control()))
        {
            return Err(Error::InvalidRequest(format!(
                "the value of header {name} contains a control character"
            )));
        }

        let policy = options.retry.as_ref().unwrap_or(&self.inner.retry);
        let idempotent = crate::options::is_idempotent(&spec.method, &headers);
        let limit = options.timeout.unwrap_or(self.inner.timeout);
        let span = trace::call(spec.operation.0, &spec.method, spec.operation.1);
        let started = std::time::Instant::now();
        let mut attempt = 0u32;
        loop {
            let mut request = self
                .inner
                .http
                .request(spec.method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(body) = &spec.body {
                request = request.body(body.clone());
            }
            #[cfg(feature = "__multipart")]
            if let Some(form) = spec.form().await? {
                request = request.multipart(form);
            }
            let deadline = Deadline {
                at: tokio::time::Instant::now() + limit,
                timeout: limit,
            };
            // A body read from a one-shot stream cannot be sent twice.
            let retries_left = attempt < policy.max_retries() && spec.replayable();
            let (failure, retry) = match tokio::time::timeout_at(deadline.at, request.send()).await
            {
                Ok(Ok(response)) => {
                    let status = response.status();
                    if status.is_success() {
                        trace::finished(&span, attempt, Some(status.as_u16()), started.elapsed());
                        return Ok((response, deadline, span));
                    }
                    if retries_left && policy.retry_status(status, idempotent) {
                        let wait = policy.delay(attempt, retry_after(response.headers()));
                        drop(response);
                        trace::retrying(&span, attempt, wait, &status);
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    trace::finished(&span, attempt, Some(status.as_u16()), started.elapsed());
                    let headers = response.headers().clone();
                    let body =
                        read_body(response, self.max_response_size(options), deadline).await?;
                    return Err(RawResponse {
                        status,
                        headers,
                        body,
                    }
                    .into_error());
                }
                Ok(Err(error)) => {
                    let retry = retries_left && policy.retry_transport(&error, idempotent);
                    (Error::Transport(error.without_url()), retry)
                }
                Err(_elapsed) => {
                    let retry = retries_left && policy.retry_timeout(idempotent);
                    (
                        Error::Timeout {
                            phase: TimeoutPhase::Head,
                            limit,
                        },
                        retry,
                    )
                }
            };
            if !retry {
                trace::finished(&span, attempt, None, started.elapsed());
                return Err(failure);
            }
            let wait = policy.delay(attempt, None);
            trace::retrying(&span, attempt, wait, &failure);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// The base of an operation served under another path of the API's host: the client's base
/// URL with the document's default server path (`/api/v1`) taken off its end and `path` put in
/// its place. A base URL that does not end in the default path (a local mock at its root) keeps
/// its path, and `path` is added to it.
fn server_on_host(base: &reqwest::Url, path: &str) -> reqwest::Url {
    let default_path = reqwest::Url::parse(crate::DEFAULT_BASE_URL)
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let mut url = base.clone();
    let current = base.path().trim_end_matches('/');
    let kept = current
        .strip_suffix(default_path.as_str())
        .filter(|_| !default_path.is_empty())
        .unwrap_or(current);
    url.set_path(&format!("{kept}{}", path.trim_end_matches('/')));
    url
}

/// The answer's media type without parameters, in lower case (`text/event-stream`).
#[cfg(any(feature = "__sse", feature = "__download"))]
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(reqwest::header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or(value)
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Whether a media type is JSON (`application/json`, `application/problem+json`).
#[cfg(any(feature = "__sse", feature = "__download"))]
fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}

/// When an attempt must be over, and the timeout it came from (for the error).
#[derive(Clone, Copy)]
pub(crate) struct Deadline {
    at: tokio::time::Instant,
    timeout: Duration,
}

/// Reads a whole body, failing once it passes `limit` bytes (before reading it when the
/// `Content-Length` says so) or when `deadline` passes.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    deadline: Deadline,
) -> Result<bytes::Bytes> {
    let status = response.status();
    let too_large = |response: &reqwest::Response| Error::ResponseTooLarge {
        status,
        headers: Box::new(response.headers().clone()),
        limit,
    };
    let declared = response
        .content_length()
        .and_then(|n| usize::try_from(n).ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(&response));
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    loop {
        let chunk = match tokio::time::timeout_at(deadline.at, response.chunk()).await {
            Ok(Ok(Some(chunk))) => chunk,
            Ok(Ok(None)) => return Ok(body.into()),
            Ok(Err(error)) => return Err(Error::Transport(error.without_url())),
            Err(_elapsed) => {
                return Err(Error::Timeout {
                    phase: TimeoutPhase::Body,
                    limit: deadline.timeout,
                });
            }
        };
        if body.len() + chunk.len() > limit {
            return Err(too_large(&response));
        }
        body.extend_from_slice(&chunk);
    }
}

/// Copies `from` into `to`, replacing every header name `from` has.
fn merge(to: &mut HeaderMap, from: &HeaderMap) {
    for name in from.keys() {
        to.remove(name);
    }
    for (name, value) in from {
        to.append(name.clone(), value.clone());
    }
}

/// Builds a [`Client`].
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    app_url: Option<String>,
    app_title: Option<String>,
    app_categories: Vec<String>,
    user_agent: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    max_response_size: Option<usize>,
    retry: Option<RetryPolicy>,
    http: Option<reqwest::Client>,
    headers: Vec<(String, String)>,
    idle_timeout: Option<Duration>,
    max_event_size: Option<usize>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("app_url", &self.app_url)
            .field("app_title", &self.app_title)
            .field("app_categories", &self.app_categories)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API key, sent as `Authorization: Bearer <key>` and never printed.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Reads `OPENROUTER_API_KEY` (required) and `OPENROUTER_BASE_URL` (optional).
    pub fn from_env(mut self) -> Result<Self> {
        match std::env::var(API_KEY_ENV) {
            Ok(key) if !key.trim().is_empty() => self.api_key = Some(key.trim().to_owned()),
            _ => return Err(Error::Config(format!("{API_KEY_ENV} is not set"))),
        }
        if let Ok(url) = std::env::var(BASE_URL_ENV) {
            if !url.trim().is_empty() {
                self.base_url = Some(url.trim().to_owned());
            }
        }
        Ok(self)
    }

    /// Another base URL (a proxy or a test server); paths are joined to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The calling application's URL, sent as `HTTP-Referer` for attribution.
    pub fn app_url(mut self, url: impl Into<String>) -> Self {
        self.app_url = Some(url.into());
        self
    }

    /// The calling application's title, sent as `X-OpenRouter-Title`.
    pub fn app_title(mut self, title: impl Into<String>) -> Self {
        self.app_title = Some(title.into());
        self
    }

    /// The calling application's categories, sent comma-separated as `X-OpenRouter-Categories`.
    pub fn app_categories<I, S>(mut self, categories: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.app_categories = categories.into_iter().map(Into::into).collect();
        self
    }

    /// The `User-Agent` header (default: this crate's name and version).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Time allowed to open a connection ([`DEFAULT_CONNECT_TIMEOUT`], 30 s). Ignored with
    /// `http_client`: set it on that client.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed for each attempt of a call ([`DEFAULT_TIMEOUT`], 600 s): until the
    /// response head, and for `.send()` until the whole body is read. A stream's body is
    /// bounded by the idle timeout instead, so a long live stream is never cut.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Largest response body `.send()` reads into memory ([`DEFAULT_MAX_RESPONSE_SIZE`],
    /// 32 MiB); a larger one is `Error::ResponseTooLarge`.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = Some(bytes);
        self
    }

    /// Longest wait for more bytes of a stream, events or keep-alive comments
    /// ([`DEFAULT_STREAM_IDLE_TIMEOUT`], 180 s).
    pub fn stream_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Largest single event a stream accepts, in bytes (default 16 MiB).
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = Some(bytes);
        self
    }

    /// The retry policy for every call (default: `RetryPolicy::default()`).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// A `reqwest::Client` of your own (proxies, TLS roots, middleware-free pools).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// A header sent with every call.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let base = self.base_url.as_deref().unwrap_or(crate::DEFAULT_BASE_URL);
        let base_url = reqwest::Url::parse(base)
            .map_err(|e| Error::Config(format!("invalid base URL {base:?}: {e}")))?;
        if base_url.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "base URL {base:?} cannot take a path"
            )));
        }

        let mut headers = HeaderMap::new();
        let agent = self.user_agent.unwrap_or_else(|| {
            concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned()
        });
        let mut set = |name: &str, value: &str| -> Result<()> {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(format!("invalid header name {name:?}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::Config(format!("invalid value for header {name:?}")))?;
            headers.insert(header, value);
            Ok(())
        };
        set(USER_AGENT.as_str(), &agent)?;
        if let Some(url) = &self.app_url {
            set(HTTP_REFERER, url)?;
        }
        if let Some(title) = &self.app_title {
            set(APP_TITLE, title)?;
        }
        if !self.app_categories.is_empty() {
            set(APP_CATEGORIES, &self.app_categories.join(","))?;
        }
        for (name, value) in &self.headers {
            set(name, value)?;
        }
        if let Some((name, _)) = headers
            .iter()
            .find(|(_, v)| v.as_bytes().iter().any(|b| b.is_ascii_control()))
        {
            return Err(Error::Config(format!(
                "the value of header {name} contains a control character"
            )));
        }

        let auth = match self.api_key {
            Some(key) => {
                let mut value =
                    HeaderValue::from_str(&format!("Bearer {}", key.trim())).map_err(|_| {
                        Error::Config(
                            "the API key contains characters a header cannot carry".into(),
                        )
                    })?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };

        let http = match self.http {
            Some(http) => http,
            None => {
                install_crypto_provider();
                let builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT));
                #[cfg(feature = "native-tls")]
                let builder = builder.tls_backend_native();
                builder
                    .build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                auth,
                headers,
                retry: self.retry.unwrap_or_default(),
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                max_response_size: self.max_response_size.unwrap_or(DEFAULT_MAX_RESPONSE_SIZE),
                idle_timeout: self.idle_timeout.unwrap_or(DEFAULT_STREAM_IDLE_TIMEOUT),
                max_event_size: self.max_event_size,
            }),
        })
    }
}

/// rustls needs a process-wide crypto provider; install `ring` unless the program chose one.
#[cfg(feature = "rustls")]
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may win the race; either way a provider is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(not(feature = "rustls"))]
fn install_crypto_provider() {}
