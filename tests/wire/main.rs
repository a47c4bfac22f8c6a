//! Wire tests of the operations added for the whole published API: for each operation, what goes
//! over the wire (method, exact path, query, headers, JSON or multipart body) and how a realistic
//! answer decodes; plus paging (offset and cursor), uploads, binary answers and job waiting.
//!
//! Every test runs against its own `MockServer` on loopback. The mock answers whatever arrives;
//! the request is checked afterwards from `received_requests()`, so a wrong path or body fails
//! the assertion instead of merely missing a mock.

mod analytics;
mod catalog;
mod guardrails;
mod media;
mod newer;
mod newer_media;

use openrouter_generated::{Client, RetryPolicy};
use serde_json::Value;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const API_KEY: &str = "sk-or-v1-wire0123456789abcdef";
pub const APP_URL: &str = "https://wire.example.com/app";
pub const APP_TITLE: &str = "Wire Suite";
pub const WS_ID: &str = "9b2f6c1e-3d4a-4e5f-8a7b-0c1d2e3f4a5b";

/// A client aimed at `server`, with attribution headers and no retries.
pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .app_url(APP_URL)
        .app_title(APP_TITLE)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("the test client builds")
}

/// A JSON answer.
pub fn json_answer(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// A server that gives `answer` to every request.
pub async fn serve(answer: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(answer).mount(&server).await;
    server
}

/// Runs one call against a server giving `answer`; returns the decoded result and the request.
pub async fn exchange<T, Fut>(
    answer: ResponseTemplate,
    call: impl FnOnce(Client) -> Fut,
) -> anyhow::Result<(T, Request)>
where
    Fut: Future<Output = openrouter_generated::Result<T>>,
{
    let server = serve(answer).await;
    let value = call(client(&server)).await?;
    Ok((value, single_request(&server).await))
}

/// Every request the server received, in order.
pub async fn requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

/// The one request the server received.
pub async fn single_request(server: &MockServer) -> Request {
    let mut all = requests(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request: {all:#?}");
    all.remove(0)
}

pub fn header(req: &Request, name: &str) -> Option<String> {
    req.headers
        .get(name)
        .map(|v| v.to_str().expect("header is text").to_owned())
}

/// Decoded query pairs, sorted (parameter order is not part of the contract).
pub fn query_of(req: &Request) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = req
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

pub fn body_of(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap_or_else(|e| {
        panic!(
            "request body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&req.body)
        )
    })
}

/// Asserts method, exact (encoded) path, exact query (no `?` at all when `query` is empty), the
/// JSON body (or no body and no content type), and the client's auth and attribution headers.
pub fn assert_request(
    req: &Request,
    verb: &str,
    route: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
) {
    assert_request_with_auth(
        req,
        verb,
        route,
        query,
        body,
        Some(format!("Bearer {API_KEY}")),
    );
}

/// Like [`assert_request`], for an operation whose `Authorization` header is `auth` (`None`
/// for one the document marks as taking no credentials).
pub fn assert_request_with_auth(
    req: &Request,
    verb: &str,
    route: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
    auth: Option<String>,
) {
    assert_eq!(req.method.as_str(), verb, "method of {}", req.url);
    assert_eq!(req.url.path(), route, "path of {}", req.url);
    if query.is_empty() {
        assert_eq!(
            req.url.query(),
            None,
            "no query string expected on {}",
            req.url
        );
    } else {
        let mut expected: Vec<_> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        expected.sort();
        assert_eq!(query_of(req), expected, "query of {}", req.url);
    }
    match body {
        Some(expected) => {
            assert_eq!(
                header(req, "content-type").as_deref(),
                Some("application/json"),
                "content type of {verb} {route}"
            );
            assert_eq!(body_of(req), expected, "body of {verb} {route}");
        }
        None => {
            assert!(
                req.body.is_empty(),
                "no body expected on {verb} {route}: {:?}",
                String::from_utf8_lossy(&req.body)
            );
            assert_eq!(
                header(req, "content-type"),
                None,
                "no content type on {verb} {route}"
            );
        }
    }
    assert_eq!(
        header(req, "authorization"),
        auth,
        "authorization of {verb} {route}"
    );
    assert_eq!(header(req, "http-referer").as_deref(), Some(APP_URL));
    assert_eq!(
        header(req, "x-openrouter-title").as_deref(),
        Some(APP_TITLE)
    );
}

/// Answers the n-th request with the n-th template, repeating the last one after that.
pub struct Sequence {
    answers: Vec<ResponseTemplate>,
    served: AtomicUsize,
}

impl Sequence {
    pub fn new(answers: Vec<ResponseTemplate>) -> Self {
        assert!(!answers.is_empty());
        Self {
            answers,
            served: AtomicUsize::new(0),
        }
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.served.fetch_add(1, Ordering::SeqCst);
        self.answers[n.min(self.answers.len() - 1)].clone()
    }
}

/// One part of a `multipart/form-data` body.
#[derive(Debug)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

impl Part {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.data).expect("a text part")
    }
}

/// Splits a multipart request body into its parts (asserting the content type says multipart).
pub fn multipart_parts(req: &Request) -> Vec<Part> {
    let content_type = header(req, "content-type").expect("a content type");
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart/form-data: {content_type}"));
    let delimiter = format!("--{boundary}").into_bytes();
    let body = &req.body[..];
    let mut starts = Vec::new();
    let mut i = 0;
    while i + delimiter.len() <= body.len() {
        if body[i..].starts_with(&delimiter) {
            starts.push(i);
            i += delimiter.len();
        } else {
            i += 1;
        }
    }
    assert!(
        body[*starts.last().expect("a delimiter") + delimiter.len()..].starts_with(b"--"),
        "closing delimiter"
    );
    starts
        .windows(2)
        .map(|w| {
            let raw = &body[w[0] + delimiter.len()..w[1]];
            let raw = raw.strip_prefix(b"\r\n").expect("CRLF after the delimiter");
            let raw = raw
                .strip_suffix(b"\r\n")
                .expect("CRLF before the next delimiter");
            let split = raw
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .expect("part headers end");
            let head = std::str::from_utf8(&raw[..split]).expect("text headers");
            let mut part = Part {
                name: String::new(),
                filename: None,
                content_type: None,
                data: raw[split + 4..].to_vec(),
            };
            for line in head.split("\r\n") {
                let (key, value) = line.split_once(':').expect("a header line");
                match key.trim().to_ascii_lowercase().as_str() {
                    "content-type" => part.content_type = Some(value.trim().to_owned()),
                    "content-disposition" => {
                        for param in value.split(';').skip(1) {
                            let (k, v) = param
                                .trim()
                                .split_once('=')
                                .expect("a disposition parameter");
                            let v = v.trim_matches('"').to_owned();
                            match k {
                                "name" => part.name = v,
                                "filename" => part.filename = Some(v),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            part
        })
        .collect()
}
