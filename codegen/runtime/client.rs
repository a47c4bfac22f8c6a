//! The client: configuration, authentication, attribution headers, and sending requests with
//! retries.

use crate::error::{Error, Result};
use crate::options::{APP_CATEGORIES, APP_TITLE, HTTP_REFERER, RequestOptions, RetryPolicy};
use crate::request::{RawResponse, RequestSpec};
use crate::sse::{EventStream, StreamProtocol};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER, USER_AGENT};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The environment variable `Client::from_env` reads the API key from.
pub const API_KEY_ENV: &str = "OPENROUTER_API_KEY";
/// The environment variable `Client::from_env` reads a base URL override from, if set.
pub const BASE_URL_ENV: &str = "OPENROUTER_BASE_URL";

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
    timeout: Option<Duration>,
    // Read by streaming operations only.
    #[allow(dead_code)]
    idle_timeout: Option<Duration>,
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

    /// Sends a request, retrying as the policy allows; a non-2xx answer becomes `Error::Api`.
    pub(crate) async fn execute(&self, spec: RequestSpec, options: RequestOptions) -> Result<RawResponse> {
        let response = self.send(spec, &options, false).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| Error::Transport(e.without_url()))?;
        Ok(RawResponse { status, headers, body })
    }

    /// Sends a streaming request: once the answer's status is a success, its body is read
    /// event by event. No total timeout applies; the idle timeout limits the wait per event.
    // Unused in a crate whose document has no streaming operation.
    #[allow(dead_code)]
    pub(crate) async fn execute_stream<T: serde::de::DeserializeOwned>(
        &self,
        spec: RequestSpec,
        options: RequestOptions,
        protocol: StreamProtocol,
    ) -> Result<EventStream<T>> {
        let idle = options.idle_timeout.or(self.inner.idle_timeout);
        let max_event_size = options
            .max_event_size
            .or(self.inner.max_event_size)
            .unwrap_or(crate::sse::DEFAULT_MAX_EVENT_SIZE);
        let response = self.send(spec, &options, true).await?;
        let status = response.status();
        let headers = response.headers().clone();
        Ok(EventStream::new(response.bytes_stream(), protocol, status, headers, idle, max_event_size))
    }

    /// Sends with retries and returns the first success response, its body unread.
    async fn send(&self, spec: RequestSpec, options: &RequestOptions, streaming: bool) -> Result<reqwest::Response> {
        if let Some(error) = spec.error {
            return Err(error);
        }
        if let Some(problem) = &options.invalid {
            return Err(Error::InvalidRequest(problem.clone()));
        }
        // `Url` would drop `.`/`..` segments and an empty one would change the route: a path
        // parameter like that would silently reach another endpoint.
        if let Some(bad) = spec.segments.iter().find(|s| s.is_empty() || *s == "." || *s == "..") {
            return Err(Error::InvalidRequest(format!("path parameter {bad:?} cannot be sent safely")));
        }
        let mut url = self.inner.base_url.clone();
        url.path_segments_mut()
            .map_err(|()| Error::Config(format!("base URL {} cannot take a path", self.inner.base_url)))?
            .pop_if_empty()
            .extend(spec.segments.iter());
        if !spec.query.is_empty() {
            url.query_pairs_mut().extend_pairs(spec.query.iter());
        }

        let mut headers = self.inner.headers.clone();
        if let Some(auth) = &self.inner.auth {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        merge(&mut headers, &spec.headers);
        merge(&mut headers, &options.headers);

        let policy = options.retry.as_ref().unwrap_or(&self.inner.retry);
        let timeout = if streaming { None } else { options.timeout.or(self.inner.timeout) };
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
            if let Some(form) = spec.form()? {
                request = request.multipart(form);
            }
            if let Some(timeout) = timeout {
                request = request.timeout(timeout);
            }
            match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    if status.is_success() {
                        return Ok(response);
                    }
                    if attempt < policy.max_retries() && policy.retry_status(status, &spec.method) {
                        let wait = policy.delay(attempt, retry_after(response.headers()));
                        drop(response);
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    let headers = response.headers().clone();
                    let body = response.bytes().await.map_err(|e| Error::Transport(e.without_url()))?;
                    return Err(RawResponse { status, headers, body }.into_error());
                }
                Err(error) => {
                    if attempt < policy.max_retries() && policy.retry_transport(&error, &spec.method) {
                        tokio::time::sleep(policy.delay(attempt, None)).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(Error::Transport(error.without_url()));
                }
            }
        }
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

/// A `Retry-After` given in seconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    let seconds: f64 = text.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
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

    /// Time allowed to open a connection (default 30 s). Ignored with `http_client`.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed for each attempt of a call (default: none).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Longest wait between two events of a stream (default: none).
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
            return Err(Error::Config(format!("base URL {base:?} cannot take a path")));
        }

        let mut headers = HeaderMap::new();
        let agent = self
            .user_agent
            .unwrap_or_else(|| concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned());
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

        let auth = match self.api_key {
            Some(key) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", key.trim()))
                    .map_err(|_| Error::Config("the API key contains characters a header cannot carry".into()))?;
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
                    .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(30)));
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
                timeout: self.timeout,
                idle_timeout: self.idle_timeout,
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
