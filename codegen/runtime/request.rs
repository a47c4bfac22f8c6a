//! What a request builder hands to the client (path, query, headers, body), and the raw
//! response it gets back, decoded into the documented type.
// Which of these helpers a crate uses depends on its document (text bodies, header
// parameters, ...); the unused ones are expected.
#![allow(dead_code)]

use crate::error::{ApiError, Error, Result};
use crate::response::ResponseValue;
use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Where an operation is served.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Server {
    /// The client's base URL.
    Default,
    /// Another path on the API's host, in place of the document's default server path.
    SameHost(&'static str),
    /// Another server altogether.
    Absolute(&'static str),
}

/// A request before it meets the client's URL, authentication and default headers.
#[derive(Debug)]
pub(crate) struct RequestSpec {
    pub(crate) method: Method,
    /// The operation id and path template (`/keys/{hash}`), for tracing.
    pub(crate) operation: (&'static str, &'static str),
    pub(crate) segments: Vec<String>,
    pub(crate) server: Server,
    /// The operation takes no credentials (`security: []`): no `Authorization` is sent.
    pub(crate) anonymous: bool,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    /// Parts of a multipart body, turned into a form for each attempt.
    #[cfg(feature = "__multipart")]
    pub(crate) parts: Option<Vec<(&'static str, crate::__private::PartValue)>>,
    /// The first problem met while building; reported before anything is sent.
    pub(crate) error: Option<Error>,
}

/// The text forms of a parameter value: nothing for `None`/`null`, one per array item.
fn texts(value: &Value) -> std::result::Result<Vec<String>, String> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Bool(b) => Ok(vec![b.to_string()]),
        Value::Number(n) => Ok(vec![n.to_string()]),
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(texts(item)?);
            }
            Ok(out)
        }
        Value::Object(_) => Err("an object cannot be sent as a parameter".to_owned()),
    }
}

impl RequestSpec {
    pub(crate) fn new(
        method: Method,
        operation: (&'static str, &'static str),
        segments: Vec<String>,
    ) -> Self {
        Self {
            method,
            operation,
            segments,
            server: Server::Default,
            anonymous: false,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            #[cfg(feature = "__multipart")]
            parts: None,
            error: None,
        }
    }

    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(Error::InvalidRequest(message));
        }
    }

    fn values<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Vec<String> {
        match serde_json::to_value(value)
            .map_err(|e| e.to_string())
            .and_then(|v| texts(&v))
        {
            Ok(values) => values,
            Err(message) => {
                self.fail(format!("parameter {name:?}: {message}"));
                Vec::new()
            }
        }
    }

    /// Adds a query parameter; `None` adds nothing and an array repeats the key.
    pub(crate) fn query<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        for text in self.values(name, value) {
            self.query.push((name.to_owned(), text));
        }
    }

    /// Adds a header parameter; `None` adds nothing and an array is comma-joined.
    pub(crate) fn header<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let values = self.values(name, value);
        if values.is_empty() {
            return;
        }
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&values.join(",")),
        ) {
            (Ok(name), Ok(value)) => {
                self.headers.insert(name, value);
            }
            _ => self.fail(format!("header {name:?} has a value that cannot be sent")),
        }
    }

    /// Sets a JSON body.
    pub(crate) fn json<T: Serialize + ?Sized>(&mut self, body: &T) {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.raw("application/json", bytes.into()),
            Err(e) => self.fail(format!("the body cannot be serialized: {e}")),
        }
    }

    /// Sets an `application/x-www-form-urlencoded` body: one pair per field (one per item of
    /// an array field); absent and `null` fields are left out; an object field is refused.
    pub(crate) fn urlencoded<T: Serialize + ?Sized>(&mut self, body: &T) {
        let fields = match serde_json::to_value(body) {
            Ok(Value::Object(fields)) => fields,
            Ok(_) => return self.fail("a form body must be an object".to_owned()),
            Err(e) => return self.fail(format!("the body cannot be serialized: {e}")),
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in fields {
            match texts(&value) {
                Ok(values) => pairs.extend(values.into_iter().map(|v| (name.clone(), v))),
                Err(message) => return self.fail(format!("form field {name:?}: {message}")),
            }
        }
        // `Url` writes a query with the form-urlencoded rules, which are those of this body.
        let mut encoder =
            reqwest::Url::parse("http://form.invalid/").expect("a constant URL parses");
        encoder.query_pairs_mut().extend_pairs(pairs);
        let text = encoder.query().unwrap_or_default().to_owned();
        self.raw("application/x-www-form-urlencoded", text.into());
    }

    /// Sets a `multipart/form-data` body.
    #[cfg(feature = "__multipart")]
    pub(crate) fn multipart<T: crate::__private::MultipartBody>(&mut self, body: &T) {
        self.parts = Some(body.parts());
    }

    /// The multipart form for one attempt (a form is consumed when sent; files are reopened).
    #[cfg(feature = "__multipart")]
    pub(crate) async fn form(&self) -> Result<Option<reqwest::multipart::Form>> {
        let Some(parts) = &self.parts else {
            return Ok(None);
        };
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in parts {
            form = match value {
                crate::__private::PartValue::Text(text) => form.text(*name, text.clone()),
                crate::__private::PartValue::File(upload) => form.part(*name, upload.part().await?),
            };
        }
        Ok(Some(form))
    }

    /// Whether the request can be sent again: false when a part is a one-shot stream.
    pub(crate) fn replayable(&self) -> bool {
        #[cfg(feature = "__multipart")]
        if let Some(parts) = &self.parts {
            return parts.iter().all(|(_, value)| match value {
                crate::__private::PartValue::File(upload) => upload.is_replayable(),
                crate::__private::PartValue::Text(_) => true,
            });
        }
        true
    }

    /// Sets a body of another content type.
    pub(crate) fn raw(&mut self, content_type: &str, body: Bytes) {
        match HeaderValue::from_str(content_type) {
            Ok(value) => {
                self.headers.insert(CONTENT_TYPE, value);
                self.body = Some(body);
            }
            Err(_) => self.fail(format!("invalid content type {content_type:?}")),
        }
    }
}

/// A success response, not yet decoded.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl RawResponse {
    /// Decodes a JSON body; a body that does not match is a `Decode` error keeping the body,
    /// and a body that is only an error object (`{"error": {...}}`, which OpenRouter may send
    /// with a 2xx status) is `Error::Api`.
    pub(crate) fn json<T: DeserializeOwned>(self) -> Result<ResponseValue<T>> {
        if let Some(api) = self.error_envelope() {
            return Err(api.into());
        }
        match serde_json::from_slice(&self.body) {
            Ok(value) => Ok(ResponseValue::new(value, self.status, self.headers)),
            Err(source) => Err(Error::Decode {
                status: self.status,
                headers: Box::new(self.headers),
                body: self.body,
                source,
            }),
        }
    }

    /// Decodes a JSON body, first turning an error object the server put in a 200 body into
    /// `Error::Api` (streaming endpoints report late failures this way).
    pub(crate) fn json_checked<T: DeserializeOwned>(self) -> Result<ResponseValue<T>> {
        if let Ok(value) = serde_json::from_slice::<Value>(&self.body) {
            if let Some(api) =
                crate::error::in_band_error(&value, self.status, &self.headers, &self.body)
            {
                return Err(api.into());
            }
        }
        self.json()
    }

    /// The API error this body is, when it is an error envelope and nothing else: an object
    /// whose only members are an `error` object and, optionally, `user_id`. (A success body
    /// may carry an `error` member among others, as a Responses API object does.)
    pub(crate) fn error_envelope(&self) -> Option<ApiError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Envelope {
            error: serde_json::Map<String, Value>,
            #[serde(default, rename = "user_id")]
            _user_id: Option<Value>,
        }
        // Every envelope has the key `"error"` in it; other bodies are not parsed twice.
        if !self.body.windows(7).any(|w| w == b"\"error\"") {
            return None;
        }
        serde_json::from_slice::<Envelope>(&self.body).ok()?;
        Some(ApiError::from_parts(
            self.status,
            self.headers.clone(),
            self.body.clone(),
        ))
    }

    /// The body as text (invalid UTF-8 replaced).
    pub(crate) fn text(self) -> Result<ResponseValue<String>> {
        let text = String::from_utf8_lossy(&self.body).into_owned();
        Ok(ResponseValue::new(text, self.status, self.headers))
    }

    /// The body as bytes.
    pub(crate) fn bytes(self) -> ResponseValue<Bytes> {
        ResponseValue::new(self.body, self.status, self.headers)
    }

    /// No body expected.
    pub(crate) fn empty(self) -> ResponseValue<()> {
        ResponseValue::new((), self.status, self.headers)
    }

    /// The error an unsuccessful response stands for.
    pub(crate) fn into_error(self) -> Error {
        ApiError::from_parts(self.status, self.headers, self.body).into()
    }
}
