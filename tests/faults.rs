//! The fault suite: every scenario is a loopback server that misbehaves on purpose (resets,
//! stalls, truncates, sends bad bytes or awkward answers) and a client call against it.
//!
//! Each test asserts two things: the outcome (the exact `Error` variant and fields, or the
//! decoded value) and how many requests reached the server. Most servers are a raw
//! `TcpListener` on 127.0.0.1 speaking hand-written HTTP/1.1 (see [`FaultServer`]), which is
//! the only way to reset or stall a connection at a chosen byte. Every answer carries
//! `Connection: close`, so one connection is one request and the connection count is the
//! request count.
//!
//! Every scenario runs under a hard 10 s limit ([`within_limit`]) and is built to finish in well
//! under 3 s: timeouts, backoffs and `Retry-After` waits are all a few hundred milliseconds.
//! Each test's `///` line states the expected outcome and the number of requests.

use futures::{Stream, StreamExt};
use openrouter_generated::chat::ChatMessage;
use openrouter_generated::types::{
    ChatFinishReasonEnum, ChatRequest, ChatResult, EmbeddingsInput, EmbeddingsRequest,
    MessagesMessageParam, MessagesMessageParamContent, MessagesMessageParamRole, MessagesRequest,
};
use openrouter_generated::{
    ApiErrorKind, Client, ClientBuilder, Error, ErrorCode, RequestOptions, RetryPolicy,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::fmt::Debug;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The key every client sends; no printed form of a client, builder or error may contain it.
const API_KEY: &str = "sk-or-v1-faults-5ecret-0123456789-DO-NOT-PRINT";

/// The hard limit of every scenario.
const SCENARIO_LIMIT: Duration = Duration::from_secs(10);

/// Runs one scenario, failing it if it takes longer than [`SCENARIO_LIMIT`].
async fn within_limit(scenario: impl Future<Output = ()>) {
    if tokio::time::timeout(SCENARIO_LIMIT, scenario)
        .await
        .is_err()
    {
        panic!("the scenario hung: it did not finish within {SCENARIO_LIMIT:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// The misbehaving server
// ---------------------------------------------------------------------------------------------

/// One thing the server does on a connection, in order.
#[derive(Clone)]
enum Step {
    /// Writes these bytes.
    Write(Vec<u8>),
    /// Waits before the next step.
    Pause(Duration),
    /// Aborts the connection with a TCP reset (`SO_LINGER` 0, then drop).
    Reset,
    /// Keeps the connection open without writing anything until the test ends.
    Stall,
}

/// What the server does with one connection: read the request (unless it hangs up at once),
/// run the steps, then close normally (FIN) unless a step reset or stalled it.
#[derive(Clone)]
struct Plan {
    read_request: bool,
    steps: Vec<Step>,
}

impl Plan {
    fn steps(steps: Vec<Step>) -> Self {
        Self {
            read_request: true,
            steps,
        }
    }

    /// Reads the request and writes `bytes` as the whole answer.
    fn reply(bytes: Vec<u8>) -> Self {
        Self::steps(vec![Step::Write(bytes)])
    }

    /// Reads the request and closes without answering.
    fn close() -> Self {
        Self::steps(Vec::new())
    }

    /// Reads the request and resets the connection without answering.
    fn reset() -> Self {
        Self::steps(vec![Step::Reset])
    }

    /// Reads the request and never answers.
    fn stall() -> Self {
        Self::steps(vec![Step::Stall])
    }

    /// Closes the connection as soon as it is accepted, without reading the request.
    fn hang_up_on_accept() -> Self {
        Self {
            read_request: false,
            steps: Vec::new(),
        }
    }
}

/// A request as the server read it.
struct Seen {
    at: Instant,
    head: String,
}

/// A loopback HTTP/1.1 server that plays one [`Plan`] per accepted connection, in order; the
/// last plan repeats for any further connection.
struct FaultServer {
    base: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Seen>>>,
}

impl FaultServer {
    async fn start(plans: Vec<Plan>) -> Self {
        Self::start_on("127.0.0.1", plans).await
    }

    async fn start_on(ip: &str, plans: Vec<Plan>) -> Self {
        assert!(!plans.is_empty(), "a server needs at least one plan");
        let listener = TcpListener::bind((ip, 0))
            .await
            .expect("bind a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (connections.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let index = count.fetch_add(1, Ordering::SeqCst);
                let plan = plans[index.min(plans.len() - 1)].clone();
                tokio::spawn(play(socket, plan, seen.clone()));
            }
        });
        Self {
            base,
            connections,
            requests,
        }
    }

    /// Connections accepted so far (one request each).
    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The request heads read so far, in arrival order.
    fn heads(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.head.clone())
            .collect()
    }

    /// The time between the arrival of request `a` and request `b`.
    fn gap(&self, a: usize, b: usize) -> Duration {
        let requests = self.requests.lock().unwrap();
        requests[b].at.duration_since(requests[a].at)
    }

    /// A client builder aimed at this server, with no retries unless the test sets a policy.
    fn builder(&self) -> ClientBuilder {
        Client::builder()
            .api_key(API_KEY)
            .base_url(&self.base)
            .retry_policy(RetryPolicy::none())
    }

    fn client(&self) -> Client {
        self.builder().build().expect("the test client builds")
    }
}

async fn play(mut socket: TcpStream, plan: Plan, seen: Arc<Mutex<Vec<Seen>>>) {
    if plan.read_request {
        let head = read_request(&mut socket).await;
        seen.lock().unwrap().push(Seen {
            at: Instant::now(),
            head,
        });
    }
    for step in plan.steps {
        match step {
            Step::Write(bytes) => {
                if socket.write_all(&bytes).await.is_err() {
                    return;
                }
                let _ = socket.flush().await;
            }
            Step::Pause(wait) => tokio::time::sleep(wait).await,
            Step::Reset => {
                let _ = socket.set_zero_linger();
                return;
            }
            Step::Stall => {
                // Holding the socket until the test's runtime shuts down drops it.
                std::future::pending::<()>().await;
            }
        }
    }
    let _ = socket.shutdown().await;
}

/// Reads one request (head and `Content-Length` body) and returns its head.
async fn read_request(socket: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&data).into_owned(),
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = data.len() - head_end;
    while body < length {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body += n,
        }
    }
    head
}

// ---------------------------------------------------------------------------------------------
// Hand-written answers
// ---------------------------------------------------------------------------------------------

/// A complete HTTP/1.1 answer with `Content-Length` and `Connection: close`.
fn response(status: u16, headers: &[(&str, &str)], body: impl AsRef<[u8]>) -> Vec<u8> {
    let body = body.as_ref();
    let mut out = status_line(status);
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn status_line(status: u16) -> String {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Whatever");
    format!("HTTP/1.1 {status} {reason}\r\n")
}

/// A JSON answer.
fn json_reply(status: u16, body: impl AsRef<[u8]>) -> Plan {
    Plan::reply(response(
        status,
        &[("content-type", "application/json")],
        body,
    ))
}

/// A JSON answer with one extra header.
fn json_reply_with(status: u16, header: (&str, &str), body: impl AsRef<[u8]>) -> Plan {
    Plan::reply(response(
        status,
        &[("content-type", "application/json"), header],
        body,
    ))
}

/// The head of a chunked answer of this content type.
fn chunked_head(content_type: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    )
    .into_bytes()
}

/// The head of an event stream.
fn sse_head() -> Vec<u8> {
    chunked_head("text/event-stream")
}

/// One HTTP/1.1 chunk.
fn chunk(bytes: impl AsRef<[u8]>) -> Vec<u8> {
    let bytes = bytes.as_ref();
    let mut out = format!("{:x}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
    out
}

/// The chunk that ends a chunked body.
const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// A complete event stream holding `events`.
fn sse_reply(events: impl AsRef<[u8]>) -> Plan {
    let mut bytes = sse_head();
    bytes.extend(chunk(events));
    bytes.extend_from_slice(LAST_CHUNK);
    Plan::reply(bytes)
}

const MODELS_OK: &str = r#"{"data":[]}"#;
const CREDITS_OK: &str = r#"{"data":{"total_credits":10.0,"total_usage":2.5}}"#;
const DELETED_OK: &str = r#"{"deleted":true}"#;
const DONE: &str = "data: [DONE]\n\n";
const KEEP_ALIVE: &str = ": OPENROUTER PROCESSING\n\n";
/// An error envelope in a success body.
const ENVELOPE: &str = r#"{"error":{"code":502,"message":"upstream failed","metadata":{"x":1}}}"#;

fn chat_request() -> ChatRequest {
    ChatRequest::new(vec![ChatMessage::user("hi")]).model("openai/gpt-4o")
}

fn chat_result(object: &str, finish_reason: &str) -> String {
    json!({
        "id": "gen-1", "object": object, "created": 1700000000, "model": "openai/gpt-4o",
        "system_fingerprint": null, "brand_new_field": {"nested": [1, 2]},
        "choices": [{"index": 0, "finish_reason": finish_reason, "unknown_choice_field": true,
            "message": {"role": "assistant", "content": "Hello!"}}]
    })
    .to_string()
}

/// One chat chunk as an SSE event.
fn chunk_event(content: &str) -> String {
    chunk_event_with_object("chat.completion.chunk", content)
}

fn chunk_event_with_object(object: &str, content: &str) -> String {
    let chunk = json!({"id": "gen-1", "object": object, "created": 1, "model": "openai/gpt-4o",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]});
    format!("data: {chunk}\n\n")
}

fn embeddings_request() -> EmbeddingsRequest {
    EmbeddingsRequest::new(
        EmbeddingsInput::String("hello".into()),
        "openai/text-embedding-3-small",
    )
}

fn messages_request() -> MessagesRequest {
    let turn = MessagesMessageParam::new(
        MessagesMessageParamRole::User,
        MessagesMessageParamContent::String("hi".into()),
    );
    MessagesRequest::new("anthropic/claude-sonnet-4", Some(vec![turn])).max_tokens(64)
}

/// Retries with waits of 10 ms to 100 ms.
fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy::new(max_retries)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(100))
}

/// Retries that start fast but let a `Retry-After` of a few seconds through.
fn patient_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy::new(max_retries)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_secs(5))
}

/// A base URL on which nothing listens.
async fn refused_base() -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{address}")
}

// ---------------------------------------------------------------------------------------------
// Outcome checks
// ---------------------------------------------------------------------------------------------

fn expect_api(error: Error) -> Box<openrouter_generated::ApiError> {
    match error {
        Error::Api(api) => api,
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

fn assert_transport(error: &Error) {
    assert!(
        matches!(error, Error::Transport(_)),
        "expected Error::Transport, got {error:?}"
    );
}

fn assert_timeout(error: &Error) {
    assert!(
        matches!(error, Error::Timeout { .. }),
        "expected Error::Timeout, got {error:?}"
    );
    assert!(error.to_string().contains("timed out"), "{error}");
}

/// A stream's idle timeout: `Error::Timeout`, or an `Error::Stream` that says so.
fn assert_idle_timeout(error: &Error) {
    match error {
        Error::Timeout { .. } => assert!(error.to_string().contains("timed out"), "{error}"),
        Error::Stream(message) if message.contains("idle") => {}
        other => panic!("expected an idle timeout, got {other:?}"),
    }
}

/// The error of a streaming call, whether `.stream()` itself failed (the head already told)
/// or the stream yielded it.
async fn stream_error<S, T>(opened: Result<S, Error>) -> Error
where
    S: Stream<Item = Result<T, Error>> + Unpin,
    T: Debug,
{
    let mut stream = match opened {
        Ok(stream) => stream,
        Err(error) => return error,
    };
    while let Some(item) = stream.next().await {
        if let Err(error) = item {
            return error;
        }
    }
    panic!("the stream ended without an error")
}

/// Everything a stream yields, until it ends.
async fn drain<S: Stream + Unpin>(mut stream: S) -> Vec<S::Item> {
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    items
}

/// An RFC 7231 IMF-fixdate, as `Retry-After` carries it ("Sun, 06 Nov 1994 08:49:37 GMT").
fn http_date(at: SystemTime) -> String {
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let seconds = at.duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
    let (days, time) = (seconds / 86_400, seconds % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

#[test]
fn http_date_formats_an_imf_fixdate() {
    assert_eq!(
        http_date(UNIX_EPOCH + Duration::from_secs(784_111_777)),
        "Sun, 06 Nov 1994 08:49:37 GMT"
    );
    assert_eq!(
        http_date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
        "Tue, 29 Feb 2000 00:00:00 GMT"
    );
}

// ---------------------------------------------------------------------------------------------
// Connections that break before the answer
// ---------------------------------------------------------------------------------------------

/// GET reset after the request, before the head: retried; success on the 2nd of 2 requests.
#[tokio::test]
async fn get_reset_before_the_head_is_retried() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::reset(), json_reply(200, MODELS_OK)]).await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let models = client
            .models()
            .list()
            .send()
            .await
            .expect("the retry succeeds");
        assert!(models.data.is_empty());
        assert_eq!(server.connections(), 2);
    })
    .await;
}

/// GET closed (FIN) after the request, before the head: retried; success, 2 requests.
#[tokio::test]
async fn get_closed_before_the_head_is_retried() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::close(), json_reply(200, CREDITS_OK)]).await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let credits = client
            .credits()
            .get()
            .send()
            .await
            .expect("the retry succeeds");
        assert_eq!(credits.data.total_credits, 10.0);
        assert_eq!(server.connections(), 2);
    })
    .await;
}

/// DELETE reset before the head: idempotent, so retried; success, 2 requests.
#[tokio::test]
async fn delete_reset_before_the_head_is_retried() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::reset(), json_reply(200, DELETED_OK)]).await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let deleted = client
            .api_keys()
            .delete("hash-1")
            .send()
            .await
            .expect("the retry succeeds");
        assert!(deleted.deleted);
        assert_eq!(server.connections(), 2);
        assert!(
            server.heads()[1].starts_with("DELETE /keys/hash-1 "),
            "{:?}",
            server.heads()
        );
    })
    .await;
}

/// GET reset on every attempt: Error::Transport after 1 + 2 retries = 3 requests.
#[tokio::test]
async fn get_reset_every_time_gives_up_after_the_policy() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::reset()]).await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let error = client
            .models()
            .list()
            .send()
            .await
            .expect_err("every attempt is reset");
        assert_transport(&error);
        assert_eq!(server.connections(), 3);
    })
    .await;
}

/// POST reset after the request, before the head: not re-sent; Error::Transport, 1 request.
#[tokio::test]
async fn post_reset_before_the_head_is_not_resent() {
    within_limit(async {
        let server = FaultServer::start(vec![
            Plan::reset(),
            json_reply(200, chat_result("chat.completion", "stop")),
        ])
        .await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let error = client
            .chat()
            .create(chat_request())
            .send()
            .await
            .expect_err("the reset is reported");
        assert_transport(&error);
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// POST closed (FIN) before the head: not re-sent; Error::Transport, 1 request.
#[tokio::test]
async fn post_closed_before_the_head_is_not_resent() {
    within_limit(async {
        let server =
            FaultServer::start(vec![Plan::close(), json_reply(200, r#"{"data":[]}"#)]).await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let error = client
            .embeddings()
            .create(embeddings_request())
            .send()
            .await
            .expect_err("the close is reported");
        assert_transport(&error);
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// POST to a server that hangs up on accept (after connect, so not a connect failure):
/// Error::Transport, 1 connection.
#[tokio::test]
async fn post_hung_up_on_accept_is_not_resent() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::hang_up_on_accept()]).await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let error = client
            .chat()
            .create(chat_request())
            .send()
            .await
            .expect_err("the hang-up is reported");
        assert_transport(&error);
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// Connection refused: a connect failure, so even a POST is retried; Error::Transport that
/// `is_retryable()` (no server to count requests on).
#[tokio::test]
async fn connection_refused_is_a_retryable_transport_error() {
    within_limit(async {
        let client = Client::builder()
            .api_key(API_KEY)
            .base_url(refused_base().await)
            .retry_policy(fast_retries(1))
            .build()
            .unwrap();
        let started = Instant::now();
        let error = client
            .chat()
            .create(chat_request())
            .send()
            .await
            .expect_err("nothing listens");
        assert_transport(&error);
        assert!(error.is_retryable(), "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
    })
    .await;
}

/// Garbage instead of an HTTP answer to a GET: Error::Transport, retried per policy (3 requests).
#[tokio::test]
async fn garbage_instead_of_http_fails_a_get_after_retries() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::reply(b"HELLO\r\n\r\n".to_vec())]).await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let error = client.models().list().send().await.expect_err("not HTTP");
        assert_transport(&error);
        assert_eq!(server.connections(), 3);
    })
    .await;
}

/// Garbage instead of an HTTP answer to a POST: Error::Transport, not re-sent (1 request).
#[tokio::test]
async fn garbage_instead_of_http_fails_a_post_at_once() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::reply(b"HELLO\r\n\r\n".to_vec())]).await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let error = client
            .chat()
            .create(chat_request())
            .send()
            .await
            .expect_err("not HTTP");
        assert_transport(&error);
        assert_eq!(server.connections(), 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Bodies that break
// ---------------------------------------------------------------------------------------------

/// Reset in the middle of a `.send()` body: an error (Transport or Decode, never a value),
/// 1 request.
#[tokio::test]
async fn reset_mid_body_of_send_is_an_error() {
    within_limit(async {
        let mut head = status_line(200).into_bytes();
        head.extend_from_slice(
            b"content-type: application/json\r\ncontent-length: 500\r\nconnection: close\r\n\r\n",
        );
        head.extend_from_slice(br#"{"data":{"total_credits":10.0,"#);
        let plan = Plan::steps(vec![
            Step::Write(head),
            Step::Pause(Duration::from_millis(50)),
            Step::Reset,
        ]);
        let server = FaultServer::start(vec![plan]).await;
        let error = server
            .client()
            .credits()
            .get()
            .send()
            .await
            .expect_err("the body was cut");
        assert!(
            matches!(error, Error::Transport(_) | Error::Decode { .. }),
            "{error:?}"
        );
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// Content-Length larger than what is sent, then a clean close: an error, 1 request.
#[tokio::test]
async fn truncated_body_with_content_length_is_an_error() {
    within_limit(async {
        let mut bytes = status_line(200).into_bytes();
        bytes.extend_from_slice(
            b"content-type: application/json\r\ncontent-length: 200\r\nconnection: close\r\n\r\n",
        );
        bytes.extend_from_slice(br#"{"data":{"total_cred"#);
        let server = FaultServer::start(vec![Plan::reply(bytes)]).await;
        let error = server
            .client()
            .credits()
            .get()
            .send()
            .await
            .expect_err("the body was truncated");
        assert!(
            matches!(error, Error::Transport(_) | Error::Decode { .. }),
            "{error:?}"
        );
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// Malformed JSON in a 200: Error::Decode with status 200 and the body kept, 1 request.
#[tokio::test]
async fn malformed_json_in_a_200_is_a_decode_error_keeping_the_body() {
    within_limit(async {
        let body = r#"{"data": {"total_credits": 1.0,, }"#;
        let server = FaultServer::start(vec![json_reply(200, body)]).await;
        let error = server
            .client()
            .credits()
            .get()
            .send()
            .await
            .expect_err("not JSON");
        let Error::Decode {
            status, body: kept, ..
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!(status.as_u16(), 200);
        assert_eq!(kept.as_ref(), body.as_bytes());
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// An empty 200 body where JSON is expected: Error::Decode with an empty body, 1 request.
#[tokio::test]
async fn empty_200_body_is_a_decode_error() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(200, "")]).await;
        let error = server
            .client()
            .models()
            .list()
            .send()
            .await
            .expect_err("no body");
        let Error::Decode { status, body, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!((status.as_u16(), body.len()), (200, 0));
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// HTTP 204 where a JSON body is expected: Error::Decode with status 204, 1 request.
#[tokio::test]
async fn no_content_204_where_json_is_expected_is_a_decode_error() {
    within_limit(async {
        let head = format!("{}connection: close\r\n\r\n", status_line(204));
        let server = FaultServer::start(vec![Plan::reply(head.into_bytes())]).await;
        let error = server
            .client()
            .credits()
            .get()
            .send()
            .await
            .expect_err("no body");
        let Error::Decode { status, body, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!((status.as_u16(), body.len()), (204, 0));
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// Invalid UTF-8 inside a JSON body: Error::Decode keeping the exact bytes, 1 request.
#[tokio::test]
async fn invalid_utf8_in_a_json_body_is_a_decode_error_keeping_the_body() {
    within_limit(async {
        let body: &[u8] = b"{\"data\":{\"total_credits\":1.0,\"total_usage\":0.5,\"\xff\xfe\":1}}";
        let server = FaultServer::start(vec![json_reply(200, body)]).await;
        let error = server
            .client()
            .credits()
            .get()
            .send()
            .await
            .expect_err("not UTF-8");
        let Error::Decode { body: kept, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(kept.as_ref(), body);
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// A body with Content-Length over `ClientBuilder::max_response_size`: Error::ResponseTooLarge;
/// a small body on the same client still succeeds; 2 requests.
#[tokio::test]
async fn a_body_over_the_client_size_cap_is_refused() {
    within_limit(async {
        let big = format!(r#"{{"data":[],"padding":"{}"}}"#, "x".repeat(4096));
        let server =
            FaultServer::start(vec![json_reply(200, big), json_reply(200, MODELS_OK)]).await;
        let client = server.builder().max_response_size(1024).build().unwrap();
        let error = client
            .models()
            .list()
            .send()
            .await
            .expect_err("over the cap");
        assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
        client
            .models()
            .list()
            .send()
            .await
            .expect("a small body fits");
        assert_eq!(server.connections(), 2);
    })
    .await;
}

/// A Content-Length over the cap is refused from the head alone: the server sends the head
/// and a few bytes, then stalls, and the call still ends at once with
/// Error::ResponseTooLarge (not a timeout); 1 request.
#[tokio::test]
async fn a_declared_length_over_the_cap_is_refused_before_reading() {
    within_limit(async {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\nConnection: close\r\n\r\n{\"data\":[";
        let server = FaultServer::start(vec![Plan::steps(vec![Step::Write(head.as_bytes().to_vec()), Step::Stall])]).await;
        let started = Instant::now();
        let error = server
            .client()
            .models()
            .list()
            .options(RequestOptions::new().max_response_size(1024).timeout(Duration::from_secs(5)))
            .send()
            .await
            .expect_err("over the cap");
        assert!(matches!(error, Error::ResponseTooLarge { limit: 1024, .. }), "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "refused from the head, not after a timeout");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// A chunked body (no Content-Length) over `RequestOptions::max_response_size`:
/// Error::ResponseTooLarge, 1 request.
#[tokio::test]
async fn a_chunked_body_over_the_per_call_size_cap_is_refused() {
    within_limit(async {
        let mut bytes = chunked_head("application/json");
        bytes.extend(chunk(r#"{"data":[],"padding":""#));
        for _ in 0..8 {
            bytes.extend(chunk("y".repeat(512)));
        }
        bytes.extend(chunk(r#""}"#));
        bytes.extend_from_slice(LAST_CHUNK);
        let server = FaultServer::start(vec![Plan::reply(bytes)]).await;
        let error = server
            .client()
            .models()
            .list()
            .options(RequestOptions::new().max_response_size(1024))
            .send()
            .await
            .expect_err("over the cap");
        assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------------------------

/// `.send()` whose head never comes: Error::Timeout after about the client timeout, 1 request.
#[tokio::test]
async fn slow_head_on_send_times_out() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::stall()]).await;
        let client = server
            .builder()
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let started = Instant::now();
        let error = client.credits().get().send().await.expect_err("no head");
        assert_timeout(&error);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// GET whose head never comes, with one retry: the head timeout is retried; Error::Timeout,
/// 2 requests.
#[tokio::test]
async fn slow_head_on_get_is_retried() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::stall()]).await;
        let client = server
            .builder()
            .timeout(Duration::from_millis(200))
            .retry_policy(fast_retries(1))
            .build()
            .unwrap();
        let error = client
            .models()
            .list()
            .send()
            .await
            .expect_err("no head, twice");
        assert_timeout(&error);
        assert_eq!(server.connections(), 2);
    })
    .await;
}

/// POST `.send()` whose head never comes: Error::Timeout, not re-sent (1 request).
#[tokio::test]
async fn slow_head_on_post_is_not_resent() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::stall()]).await;
        let client = server
            .builder()
            .timeout(Duration::from_millis(200))
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let error = client
            .chat()
            .create(chat_request())
            .send()
            .await
            .expect_err("no head");
        assert_timeout(&error);
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// `RequestOptions::timeout` on a client with the default (600 s) timeout: Error::Timeout
/// after about 300 ms, 1 request.
#[tokio::test]
async fn per_call_timeout_bounds_a_silent_server() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::stall()]).await;
        let started = Instant::now();
        let error = server
            .client()
            .credits()
            .get()
            .options(RequestOptions::new().timeout(Duration::from_millis(300)))
            .send()
            .await
            .expect_err("no head");
        assert_timeout(&error);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// `.send()` whose head comes but whose body stalls: Error::Timeout, 1 request.
#[tokio::test]
async fn slow_body_on_send_times_out() {
    within_limit(async {
        let mut head = status_line(200).into_bytes();
        head.extend_from_slice(b"content-type: application/json\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{\"data\":");
        let server = FaultServer::start(vec![Plan::steps(vec![Step::Write(head), Step::Stall])]).await;
        let client = server.builder().timeout(Duration::from_millis(300)).build().unwrap();
        let started = Instant::now();
        let error = client.credits().get().send().await.expect_err("the body never ends");
        assert_timeout(&error);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// `.stream()` to a server that accepts and never answers: Error::Timeout from `.stream()`
/// itself (it used to hang forever), 1 request.
#[tokio::test]
async fn slow_head_on_stream_times_out() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::stall()]).await;
        let client = server
            .builder()
            .timeout(Duration::from_millis(300))
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let started = Instant::now();
        let error = client
            .chat()
            .create(chat_request())
            .stream()
            .await
            .expect_err("no head");
        assert_timeout(&error);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// A stream that goes silent after one event: the event, then an idle timeout error; 1 request.
#[tokio::test]
async fn idle_stream_times_out() {
    within_limit(async {
        let mut head = sse_head();
        head.extend(chunk(chunk_event("Hel")));
        let server =
            FaultServer::start(vec![Plan::steps(vec![Step::Write(head), Step::Stall])]).await;
        let client = server
            .builder()
            .stream_idle_timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let started = Instant::now();
        let items = drain(
            client
                .chat()
                .create(chat_request())
                .stream()
                .await
                .expect("the head came"),
        )
        .await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(items[0].is_ok(), "{:?}", items[0]);
        assert_idle_timeout(items[1].as_ref().unwrap_err());
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// `RequestOptions::idle_timeout` on a stream that never sends an event: idle timeout error,
/// 1 request.
#[tokio::test]
async fn per_call_idle_timeout_ends_a_silent_stream() {
    within_limit(async {
        let server = FaultServer::start(vec![Plan::steps(vec![
            Step::Write(sse_head()),
            Step::Stall,
        ])])
        .await;
        let options = RequestOptions::new().idle_timeout(Duration::from_millis(300));
        let stream = server
            .client()
            .chat()
            .create(chat_request())
            .options(options)
            .stream()
            .await
            .expect("the head came");
        let items = drain(stream).await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert_idle_timeout(items[0].as_ref().unwrap_err());
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// Keep-alive comments every 100 ms for 1.2 s under a 400 ms idle timeout, then an event and
/// `[DONE]`: not cut; one chunk, success, 1 request.
#[tokio::test]
async fn keep_alive_comments_keep_a_slow_stream_alive() {
    within_limit(async {
        let mut steps = vec![Step::Write(sse_head())];
        for _ in 0..12 {
            steps.push(Step::Pause(Duration::from_millis(100)));
            steps.push(Step::Write(chunk(KEEP_ALIVE)));
        }
        steps.push(Step::Write(chunk(chunk_event("late"))));
        steps.push(Step::Write(chunk(DONE)));
        steps.push(Step::Write(LAST_CHUNK.to_vec()));
        let server = FaultServer::start(vec![Plan::steps(steps)]).await;
        let client = server
            .builder()
            .stream_idle_timeout(Duration::from_millis(400))
            .build()
            .unwrap();
        let items = drain(
            client
                .chat()
                .create(chat_request())
                .stream()
                .await
                .expect("the head came"),
        )
        .await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert!(items[0].is_ok(), "{:?}", items[0]);
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// Data events every 100 ms for 1.2 s, with a 400 ms client timeout and idle timeout: the
/// timeout bounds only the head, so all 12 chunks arrive; success, 1 request.
#[tokio::test]
async fn a_slow_but_alive_stream_outlives_the_call_timeout() {
    within_limit(async {
        let mut steps = vec![Step::Write(sse_head())];
        for i in 0..12 {
            steps.push(Step::Pause(Duration::from_millis(100)));
            steps.push(Step::Write(chunk(chunk_event(&format!("part {i}")))));
        }
        steps.push(Step::Write(chunk(DONE)));
        steps.push(Step::Write(LAST_CHUNK.to_vec()));
        let server = FaultServer::start(vec![Plan::steps(steps)]).await;
        let client = server
            .builder()
            .timeout(Duration::from_millis(400))
            .stream_idle_timeout(Duration::from_millis(400))
            .build()
            .unwrap();
        let items = drain(
            client
                .chat()
                .create(chat_request())
                .stream()
                .await
                .expect("the head came"),
        )
        .await;
        assert_eq!(items.len(), 12, "{items:?}");
        assert!(items.iter().all(Result::is_ok), "{items:?}");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Streams that break
// ---------------------------------------------------------------------------------------------

/// Reset after one event: the event, then an error; 1 request.
#[tokio::test]
async fn reset_mid_stream_yields_an_error() {
    within_limit(async {
        let mut bytes = sse_head();
        bytes.extend(chunk(chunk_event("Hel")));
        let plan = Plan::steps(vec![
            Step::Write(bytes),
            Step::Pause(Duration::from_millis(100)),
            Step::Reset,
        ]);
        let server = FaultServer::start(vec![plan]).await;
        let items = drain(
            server
                .client()
                .chat()
                .create(chat_request())
                .stream()
                .await
                .expect("the head came"),
        )
        .await;
        assert!(
            items.last().is_some_and(Result::is_err),
            "the stream must end in an error: {items:?}"
        );
        assert!(items.iter().filter(|i| i.is_ok()).count() <= 1, "{items:?}");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// A chunked stream that ends cleanly but without `[DONE]`: the event, then Error::Stream;
/// 1 request.
#[tokio::test]
async fn a_stream_closed_before_done_is_an_error() {
    within_limit(async {
        let server = FaultServer::start(vec![sse_reply(chunk_event("partial"))]).await;
        let items = drain(
            server
                .client()
                .chat()
                .create(chat_request())
                .stream()
                .await
                .expect("the head came"),
        )
        .await;
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(items[0].is_ok());
        assert!(
            matches!(&items[1], Err(Error::Stream(m)) if m.contains("[DONE]")),
            "{:?}",
            items[1]
        );
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// A 4 KiB event under `max_event_size(1024)`: Error::Stream, 1 request.
#[tokio::test]
async fn an_oversized_sse_event_is_a_stream_error() {
    within_limit(async {
        let events = format!("{}{DONE}", chunk_event(&"z".repeat(4096)));
        let server = FaultServer::start(vec![sse_reply(events)]).await;
        let client = server.builder().max_event_size(1024).build().unwrap();
        let error = stream_error(client.chat().create(chat_request()).stream().await).await;
        assert!(matches!(error, Error::Stream(_)), "{error:?}");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// Invalid UTF-8 bytes inside an SSE event (where they break the JSON either way): an error,
/// no panic; 1 request.
#[tokio::test]
async fn invalid_utf8_in_an_sse_event_is_an_error_not_a_panic() {
    within_limit(async {
        let events: &[u8] = b"data: {\"id\":\"g\",\"object\":\"chat.completion.chunk\",\"created\":1\xff\xfe,\"model\":\"m\",\"choices\":[]}\n\ndata: [DONE]\n\n";
        let server = FaultServer::start(vec![sse_reply(events)]).await;
        let error = stream_error(server.client().chat().create(chat_request()).stream().await).await;
        assert!(matches!(error, Error::Decode { .. } | Error::Stream(_)), "{error:?}");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// `.stream()` answered 200 `application/json` with an error envelope: Error::Api with status
/// 200, code 502 and the message; 1 request.
#[tokio::test]
async fn a_json_error_envelope_answering_a_stream_is_an_api_error() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(200, ENVELOPE)]).await;
        let error =
            stream_error(server.client().chat().create(chat_request()).stream().await).await;
        let api = expect_api(error);
        assert_eq!(api.status.as_u16(), 200);
        assert_eq!(api.code, Some(ErrorCode::Int(502)));
        assert_eq!(api.message, "upstream failed");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// `.stream()` answered 200 `text/html`: Error::NotAStream naming `text/html`, with the page
/// kept; 1 request.
#[tokio::test]
async fn an_html_page_answering_a_stream_is_an_error_naming_the_content_type() {
    within_limit(async {
        let page = "<html><body>Cloudflare says hi</body></html>";
        let server = FaultServer::start(vec![Plan::reply(response(
            200,
            &[("content-type", "text/html; charset=utf-8")],
            page,
        ))])
        .await;
        let error =
            stream_error(server.client().chat().create(chat_request()).stream().await).await;
        assert!(error.to_string().contains("text/html"), "{error}");
        match &error {
            Error::NotAStream {
                status,
                content_type,
                body,
                ..
            } => {
                assert_eq!(status.as_u16(), 200);
                assert_eq!(content_type, "text/html");
                assert_eq!(body.as_ref(), page.as_bytes());
            }
            other => panic!("expected Error::NotAStream, got {other:?}"),
        }
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// `.stream()` answered 200 with a whole JSON answer (a model that cannot stream):
/// Error::NotAStream whose body decodes as the `.send()` type, so the answer is not lost;
/// 1 request.
#[tokio::test]
async fn a_json_answer_to_a_stream_keeps_the_answer_in_the_error() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(
            200,
            chat_result("chat.completion", "stop"),
        )])
        .await;
        let error =
            stream_error(server.client().chat().create(chat_request()).stream().await).await;
        assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
        assert!(matches!(&error, Error::NotAStream { content_type, .. } if content_type == "application/json"), "{error:?}");
        let body = error.body().expect("the body is kept");
        let answer: ChatResult = serde_json::from_slice(body).expect("the answer decodes");
        assert_eq!(answer.id, "gen-1");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// An in-stream error whose metadata says `retryable: true`: Error::Api that `is_retryable()`;
/// 1 request.
#[tokio::test]
async fn an_in_stream_error_with_a_retryable_hint_is_retryable() {
    within_limit(async {
        let error_event = r#"data: {"error":{"code":"server_error","message":"try again","metadata":{"retryable":true}}}"#;
        let server = FaultServer::start(vec![sse_reply(format!("{}{error_event}\n\n", chunk_event("a")))]).await;
        let error = stream_error(server.client().chat().create(chat_request()).stream().await).await;
        assert!(error.is_retryable(), "{error:?}");
        let api = expect_api(error);
        assert_eq!(api.code, Some(ErrorCode::Text("server_error".into())));
        assert_eq!(server.connections(), 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Statuses and retries
// ---------------------------------------------------------------------------------------------

/// 500, 502 and 504 to a GET, then 200: all retried; success, 4 requests.
#[tokio::test]
async fn server_errors_on_get_are_retried() {
    within_limit(async {
        let failure = r#"{"error":{"code":500,"message":"boom"}}"#;
        let server = FaultServer::start(vec![
            json_reply(500, failure),
            json_reply(502, failure),
            json_reply(504, failure),
            json_reply(200, CREDITS_OK),
        ])
        .await;
        let client = server
            .builder()
            .retry_policy(fast_retries(3))
            .build()
            .unwrap();
        let credits = client
            .credits()
            .get()
            .send()
            .await
            .expect("the last attempt succeeds");
        assert_eq!(credits.data.total_usage, 2.5);
        assert_eq!(server.connections(), 4);
    })
    .await;
}

/// 500 to a POST: not retried; Error::Api 500, 1 request.
#[tokio::test]
async fn a_500_on_post_is_not_retried() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(
            500,
            r#"{"error":{"code":500,"message":"boom"}}"#,
        )])
        .await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let api = expect_api(
            client
                .chat()
                .create(chat_request())
                .send()
                .await
                .expect_err("500"),
        );
        assert_eq!((api.status.as_u16(), api.message.as_str()), (500, "boom"));
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// 503 to a POST, then 200: retried (the server did not act); success, 2 requests.
#[tokio::test]
async fn a_503_on_post_is_retried() {
    within_limit(async {
        let server = FaultServer::start(vec![
            json_reply(503, r#"{"error":{"code":503,"message":"no provider"}}"#),
            json_reply(200, chat_result("chat.completion", "stop")),
        ])
        .await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let reply = client
            .chat()
            .create(chat_request())
            .send()
            .await
            .expect("the retry succeeds");
        assert_eq!(reply.id, "gen-1");
        assert_eq!(server.connections(), 2);
    })
    .await;
}

/// 429 to a POST, then 200: retried; success, 2 requests.
#[tokio::test]
async fn a_429_on_post_is_retried() {
    within_limit(async {
        let server = FaultServer::start(vec![
            json_reply(429, r#"{"error":{"code":429,"message":"slow down"}}"#),
            json_reply(200, r#"{"object":"list","model":"m","data":[]}"#),
        ])
        .await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        client
            .embeddings()
            .create(embeddings_request())
            .send()
            .await
            .expect("the retry succeeds");
        assert_eq!(server.connections(), 2);
    })
    .await;
}

/// 429 on every attempt: Error::Api 429 (kind RateLimited, `retry_after()` from
/// `retry-after-ms`) after 3 requests.
#[tokio::test]
async fn rate_limits_exhaust_the_retries() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply_with(
            429,
            ("retry-after-ms", "20"),
            r#"{"error":{"code":429,"message":"slow down"}}"#,
        )])
        .await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let api = expect_api(client.credits().get().send().await.expect_err("always 429"));
        assert_eq!(api.status.as_u16(), 429);
        assert_eq!(api.kind(), ApiErrorKind::RateLimited);
        assert_eq!(api.retry_after(), Some(Duration::from_millis(20)));
        assert_eq!(server.connections(), 3);
    })
    .await;
}

/// 402 to a GET with retries allowed: never retried; Error::Api 402 PaymentRequired, 1 request.
#[tokio::test]
async fn a_402_is_never_retried() {
    within_limit(async {
        let server = FaultServer::start(vec![
            json_reply(
                402,
                r#"{"error":{"code":402,"message":"Insufficient credits"}}"#,
            ),
            json_reply(200, CREDITS_OK),
        ])
        .await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let api = expect_api(client.credits().get().send().await.expect_err("402"));
        assert_eq!(
            (api.status.as_u16(), api.kind()),
            (402, ApiErrorKind::PaymentRequired)
        );
        assert_eq!(api.message, "Insufficient credits");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// A 400 with `metadata.retryable: true` and a plain 400: neither retried by the client (1
/// request each, 2 in all); only the first `is_retryable()`.
#[tokio::test]
async fn a_400_with_a_retryable_hint_is_not_retried_but_is_retryable() {
    within_limit(async {
        let server = FaultServer::start(vec![
            json_reply(
                400,
                r#"{"error":{"code":400,"message":"try again","metadata":{"retryable":true}}}"#,
            ),
            json_reply(400, r#"{"error":{"code":400,"message":"bad model"}}"#),
        ])
        .await;
        let client = server
            .builder()
            .retry_policy(fast_retries(2))
            .build()
            .unwrap();
        let hinted = client.models().list().send().await.expect_err("400");
        assert!(hinted.is_retryable(), "{hinted:?}");
        assert_eq!(expect_api(hinted).kind(), ApiErrorKind::BadRequest);
        assert_eq!(server.connections(), 1);
        let plain = client.models().list().send().await.expect_err("400");
        assert!(!plain.is_retryable(), "{plain:?}");
        assert_eq!(server.connections(), 2);
    })
    .await;
}

/// A 502 with an HTML body: Error::Api 502 (BadGateway) keeping the body, message "Bad
/// Gateway"; 1 request.
#[tokio::test]
async fn a_non_json_502_is_an_api_error_keeping_the_body() {
    within_limit(async {
        let page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        let server = FaultServer::start(vec![Plan::reply(response(
            502,
            &[("content-type", "text/html")],
            page,
        ))])
        .await;
        let api = expect_api(
            server
                .client()
                .credits()
                .get()
                .send()
                .await
                .expect_err("502"),
        );
        assert_eq!(
            (api.status.as_u16(), api.kind()),
            (502, ApiErrorKind::BadGateway)
        );
        assert_eq!(api.code, None);
        assert_eq!(api.message, "Bad Gateway");
        assert_eq!(api.body.as_ref(), page.as_bytes());
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// Every documented status maps to its `ApiErrorKind` (401 Unauthorized, 499 ClientClosed,
/// 524 EdgeTimeout, 529 ProviderOverloaded, ...): one request per status, no retries.
#[tokio::test]
async fn api_error_kinds_follow_the_status() {
    within_limit(async {
        let table = [
            (400, ApiErrorKind::BadRequest),
            (401, ApiErrorKind::Unauthorized),
            (402, ApiErrorKind::PaymentRequired),
            (403, ApiErrorKind::Forbidden),
            (404, ApiErrorKind::NotFound),
            (408, ApiErrorKind::Timeout),
            (409, ApiErrorKind::Conflict),
            (413, ApiErrorKind::PayloadTooLarge),
            (422, ApiErrorKind::Unprocessable),
            (429, ApiErrorKind::RateLimited),
            (499, ApiErrorKind::ClientClosed),
            (500, ApiErrorKind::ServerError),
            (502, ApiErrorKind::BadGateway),
            (503, ApiErrorKind::Unavailable),
            (504, ApiErrorKind::GatewayTimeout),
            (524, ApiErrorKind::EdgeTimeout),
            (529, ApiErrorKind::ProviderOverloaded),
            (418, ApiErrorKind::Other),
        ];
        let plans = table
            .iter()
            .map(|(status, _)| {
                json_reply(
                    *status,
                    format!(r#"{{"error":{{"code":{status},"message":"m"}}}}"#),
                )
            })
            .collect();
        let server = FaultServer::start(plans).await;
        let client = server.client();
        for (status, kind) in table {
            let api = expect_api(
                client
                    .credits()
                    .get()
                    .send()
                    .await
                    .expect_err("an error status"),
            );
            assert_eq!((api.status.as_u16(), api.kind()), (status, kind));
        }
        assert_eq!(server.connections(), table.len());
    })
    .await;
}

/// An Anthropic-shaped error over HTTP 529 on the Messages API: Error::Api 529 with code
/// "overloaded_error", kind ProviderOverloaded; 1 request.
#[tokio::test]
async fn a_messages_529_in_anthropic_shape_is_an_api_error_with_a_text_code() {
    within_limit(async {
        let body = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        let server = FaultServer::start(vec![json_reply(529, body)]).await;
        let error = server
            .client()
            .anthropic_messages()
            .create(messages_request())
            .send()
            .await
            .expect_err("529");
        let api = expect_api(error);
        assert_eq!(api.status.as_u16(), 529);
        assert_eq!(api.code, Some(ErrorCode::Text("overloaded_error".into())));
        assert_eq!(api.message, "Overloaded");
        assert_eq!(api.kind(), ApiErrorKind::ProviderOverloaded);
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// The same Anthropic-shaped error as an `event: error` in a messages stream: Error::Api with
/// code "overloaded_error"; 1 request.
#[tokio::test]
async fn a_messages_stream_error_event_has_the_text_code() {
    within_limit(async {
        let events = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
        let server = FaultServer::start(vec![sse_reply(events)]).await;
        let error = stream_error(server.client().anthropic_messages().create(messages_request()).stream().await).await;
        let api = expect_api(error);
        assert_eq!(api.code, Some(ErrorCode::Text("overloaded_error".into())));
        assert_eq!(api.message, "Overloaded");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Retry-After
// ---------------------------------------------------------------------------------------------

/// 429 with `Retry-After: 1`, then 200: success; the 2nd of 2 requests comes ≥ ~1 s later.
#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    within_limit(async {
        let server = FaultServer::start(vec![
            json_reply_with(
                429,
                ("retry-after", "1"),
                r#"{"error":{"code":429,"message":"slow down"}}"#,
            ),
            json_reply(200, MODELS_OK),
        ])
        .await;
        let client = server
            .builder()
            .retry_policy(patient_retries(1))
            .build()
            .unwrap();
        client
            .models()
            .list()
            .send()
            .await
            .expect("the retry succeeds");
        assert_eq!(server.connections(), 2);
        assert!(
            server.gap(0, 1) >= Duration::from_millis(950),
            "{:?}",
            server.gap(0, 1)
        );
    })
    .await;
}

/// 429 with `Retry-After: <HTTP date 2 s ahead>`, then 200: success; the 2nd of 2 requests
/// comes ≥ 900 ms later (the date has whole seconds).
#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    within_limit(async {
        let date = http_date(SystemTime::now() + Duration::from_secs(2));
        let server = FaultServer::start(vec![
            json_reply_with(
                429,
                ("retry-after", &date),
                r#"{"error":{"code":429,"message":"slow down"}}"#,
            ),
            json_reply(200, MODELS_OK),
        ])
        .await;
        let client = server
            .builder()
            .retry_policy(patient_retries(1))
            .build()
            .unwrap();
        client
            .models()
            .list()
            .send()
            .await
            .expect("the retry succeeds");
        assert_eq!(server.connections(), 2);
        assert!(
            server.gap(0, 1) >= Duration::from_millis(900),
            "{:?} (Retry-After: {date})",
            server.gap(0, 1)
        );
    })
    .await;
}

/// 429 with `retry-after-ms: 300`, then 200: success; the 2nd of 2 requests comes ≥ 250 ms later.
#[tokio::test]
async fn retry_after_ms_is_honoured() {
    within_limit(async {
        let server = FaultServer::start(vec![
            json_reply_with(
                429,
                ("retry-after-ms", "300"),
                r#"{"error":{"code":429,"message":"slow down"}}"#,
            ),
            json_reply(200, MODELS_OK),
        ])
        .await;
        let client = server
            .builder()
            .retry_policy(patient_retries(1))
            .build()
            .unwrap();
        client
            .models()
            .list()
            .send()
            .await
            .expect("the retry succeeds");
        assert_eq!(server.connections(), 2);
        assert!(
            server.gap(0, 1) >= Duration::from_millis(250),
            "{:?}",
            server.gap(0, 1)
        );
    })
    .await;
}

/// 503 with `Retry-After: 3600` and a 200 ms `max_backoff`: the wait is capped; success well
/// under 2 s, 2 requests.
#[tokio::test]
async fn a_huge_retry_after_is_capped_by_max_backoff() {
    within_limit(async {
        let server = FaultServer::start(vec![
            json_reply_with(
                503,
                ("retry-after", "3600"),
                r#"{"error":{"code":503,"message":"busy"}}"#,
            ),
            json_reply(200, MODELS_OK),
        ])
        .await;
        let policy = RetryPolicy::new(1)
            .initial_backoff(Duration::from_millis(10))
            .max_backoff(Duration::from_millis(200));
        let client = server.builder().retry_policy(policy).build().unwrap();
        let started = Instant::now();
        client
            .models()
            .list()
            .send()
            .await
            .expect("the retry succeeds");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(server.connections(), 2);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Error envelopes in success answers
// ---------------------------------------------------------------------------------------------

/// Checks an `Error::Api` made from [`ENVELOPE`] in a 200.
fn assert_envelope_error(error: Error) {
    let api = expect_api(error);
    assert_eq!(api.status.as_u16(), 200);
    assert_eq!(api.code, Some(ErrorCode::Int(502)));
    assert_eq!(api.message, "upstream failed");
    assert_eq!(api.metadata, Some(json!({"x": 1})));
}

/// A 200 to `POST /embeddings` holding an error envelope (with `user_id`): Error::Api status
/// 200, code 502; 1 request.
#[tokio::test]
async fn an_error_envelope_in_a_200_embeddings_answer_is_an_api_error() {
    within_limit(async {
        let mut body: Value = serde_json::from_str(ENVELOPE).unwrap();
        body["user_id"] = json!("user-1");
        let server = FaultServer::start(vec![json_reply(200, body.to_string())]).await;
        assert_envelope_error(
            server
                .client()
                .embeddings()
                .create(embeddings_request())
                .send()
                .await
                .expect_err("envelope"),
        );
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// A 200 to `GET /credits` holding an error envelope: Error::Api status 200, code 502; 1 request.
#[tokio::test]
async fn an_error_envelope_in_a_200_credits_answer_is_an_api_error() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(200, ENVELOPE)]).await;
        assert_envelope_error(
            server
                .client()
                .credits()
                .get()
                .send()
                .await
                .expect_err("envelope"),
        );
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// A 200 to chat `.send()` holding an error envelope: Error::Api status 200, code 502; 1 request.
#[tokio::test]
async fn an_error_envelope_in_a_200_chat_answer_is_an_api_error() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(200, ENVELOPE)]).await;
        assert_envelope_error(
            server
                .client()
                .chat()
                .create(chat_request())
                .send()
                .await
                .expect_err("envelope"),
        );
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// A 200 holding `data` next to an `error` key is not an envelope: it decodes; 1 request.
#[tokio::test]
async fn a_success_body_with_an_error_key_beside_data_is_not_an_envelope() {
    within_limit(async {
        let body = r#"{"data":{"total_credits":10.0,"total_usage":2.5},"error":{"code":1,"message":"ignored"}}"#;
        let server = FaultServer::start(vec![json_reply(200, body)]).await;
        let credits = server.client().credits().get().send().await.expect("not an envelope");
        assert_eq!(credits.data.total_credits, 10.0);
        assert_eq!(server.connections(), 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Values this version does not know
// ---------------------------------------------------------------------------------------------

/// A chat answer with `object: "chat.completion.v2"`, `finish_reason: "brand_new"` and unknown
/// fields: decodes, keeping the unknown values; 1 request.
#[tokio::test]
async fn unknown_enum_values_and_fields_in_a_chat_answer_decode() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(
            200,
            chat_result("chat.completion.v2", "brand_new"),
        )])
        .await;
        let reply = server
            .client()
            .chat()
            .create(chat_request())
            .send()
            .await
            .expect("open enums decode");
        assert_eq!(reply.object.as_str(), "chat.completion.v2");
        assert_eq!(
            reply.choices[0].finish_reason,
            Some(ChatFinishReasonEnum::Unknown("brand_new".into()))
        );
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// A chat chunk with an unknown `object`: decodes, keeping it; the stream ends at `[DONE]`;
/// 1 request.
#[tokio::test]
async fn an_unknown_object_in_a_chat_chunk_decodes() {
    within_limit(async {
        let events = format!(
            "{}{DONE}",
            chunk_event_with_object("chat.completion.chunk.v2", "hi")
        );
        let server = FaultServer::start(vec![sse_reply(events)]).await;
        let items = drain(
            server
                .client()
                .chat()
                .create(chat_request())
                .stream()
                .await
                .expect("the head came"),
        )
        .await;
        assert_eq!(items.len(), 1, "{items:?}");
        let chunk = items[0].as_ref().expect("open enums decode");
        assert_eq!(chunk.object.as_str(), "chat.completion.chunk.v2");
        assert_eq!(server.connections(), 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Requests that must not be sent
// ---------------------------------------------------------------------------------------------

/// The control characters a request must never carry.
const CONTROLS: [char; 5] = ['\r', '\n', '\t', '\0', '\x7f'];

fn assert_invalid_request<T: Debug>(result: Result<T, Error>, what: &str) {
    match result {
        Err(Error::InvalidRequest(_)) => {}
        other => panic!("{what}: expected Error::InvalidRequest, got {other:?}"),
    }
}

/// CR, LF, TAB, NUL or DEL in a path parameter: Error::InvalidRequest; 0 requests.
#[tokio::test]
async fn control_characters_in_a_path_parameter_are_refused() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(200, "{}")]).await;
        let client = server.client();
        for c in CONTROLS {
            assert_invalid_request(
                client.api_keys().get(format!("key{c}1")).send().await,
                &format!("{c:?}"),
            );
        }
        assert_eq!(server.connections(), 0);
    })
    .await;
}

/// CR, LF, TAB, NUL or DEL in a query value: Error::InvalidRequest; 0 requests.
#[tokio::test]
async fn control_characters_in_a_query_value_are_refused() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(200, r#"{"data":[]}"#)]).await;
        let client = server.client();
        for c in CONTROLS {
            let result = client
                .api_keys()
                .list()
                .workspace_id(format!("ws{c}1"))
                .send()
                .await;
            assert_invalid_request(result, &format!("{c:?}"));
        }
        assert_eq!(server.connections(), 0);
    })
    .await;
}

/// CR, LF, TAB, NUL or DEL in a per-call header value or app title: Error::InvalidRequest;
/// 0 requests.
#[tokio::test]
async fn control_characters_in_a_header_value_are_refused() {
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(200, CREDITS_OK)]).await;
        let client = server.client();
        for c in CONTROLS {
            let header = RequestOptions::new().header("x-test", &format!("a{c}b"));
            assert_invalid_request(
                client.credits().get().options(header).send().await,
                &format!("header {c:?}"),
            );
            let title = RequestOptions::new().app_title(&format!("My{c}App"));
            assert_invalid_request(
                client.credits().get().options(title).send().await,
                &format!("title {c:?}"),
            );
        }
        assert_eq!(server.connections(), 0);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

/// A 302/307 (and 301/303/308) to another host: no `Authorization` header reaches that host
/// (whether the redirect is followed or refused); host 1 sees 1 request per status.
#[tokio::test]
async fn a_redirect_to_another_host_does_not_carry_the_api_key() {
    within_limit(async {
        for status in [301, 302, 303, 307, 308] {
            let other = FaultServer::start_on("127.0.0.2", vec![json_reply(200, CREDITS_OK)]).await;
            let location = format!("{}/credits", other.base);
            let server = FaultServer::start(vec![Plan::reply(response(
                status,
                &[("location", &location)],
                "",
            ))])
            .await;
            let _ = server.client().credits().get().send().await;
            assert_eq!(server.connections(), 1, "HTTP {status}");
            assert!(
                server.heads()[0]
                    .to_ascii_lowercase()
                    .contains("authorization: bearer"),
                "host 1 gets the key"
            );
            for head in other.heads() {
                assert!(
                    !head.to_ascii_lowercase().contains("authorization"),
                    "HTTP {status} leaked the key: {head}"
                );
            }
        }
    })
    .await;
}

/// The key appears in no `Debug` of a builder or client; no requests.
#[tokio::test]
async fn the_api_key_is_absent_from_client_and_builder_debug() {
    within_limit(async {
        let builder = Client::builder()
            .api_key(API_KEY)
            .base_url("http://127.0.0.1:9");
        let printed = format!("{builder:?}");
        assert!(
            !printed.contains(API_KEY) && !printed.contains("5ecret"),
            "{printed}"
        );
        let client = builder.build().unwrap();
        let printed = format!("{client:?} {client:#?}");
        assert!(
            !printed.contains(API_KEY) && !printed.contains("5ecret"),
            "{printed}"
        );
    })
    .await;
}

/// The key appears in no `Display` or `Debug` of a transport error (connection refused), a
/// 401 API error, a timeout or a decode error; the server sees 3 requests (401, stall, bad JSON).
#[tokio::test]
async fn the_api_key_is_absent_from_errors() {
    within_limit(async {
        let server = FaultServer::start(vec![
            json_reply(
                401,
                r#"{"error":{"code":401,"message":"No auth credentials found"}}"#,
            ),
            Plan::stall(),
            json_reply(200, "{not json"),
        ])
        .await;
        let refused = Client::builder()
            .api_key(API_KEY)
            .base_url(refused_base().await)
            .retry_policy(RetryPolicy::none());
        let transport = refused
            .build()
            .unwrap()
            .credits()
            .get()
            .send()
            .await
            .expect_err("refused");
        assert_transport(&transport);

        let client = server
            .builder()
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let unauthorized = client.credits().get().send().await.expect_err("401");
        assert_eq!(
            unauthorized.as_api().map(|api| api.kind()),
            Some(ApiErrorKind::Unauthorized)
        );
        let timeout = client.credits().get().send().await.expect_err("stall");
        assert_timeout(&timeout);
        let decode = client.credits().get().send().await.expect_err("bad JSON");
        assert!(matches!(decode, Error::Decode { .. }), "{decode:?}");

        for error in [transport, unauthorized, timeout, decode] {
            let printed = format!("{error} {error:?} {error:#?}");
            assert!(
                !printed.contains(API_KEY) && !printed.contains("5ecret"),
                "{printed}"
            );
        }
        assert_eq!(server.connections(), 3);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Binary answers, uploads, cursor paging
// ---------------------------------------------------------------------------------------------

/// A binary download whose body stops arriving: the stream yields Error::Timeout (phase
/// StreamIdle) after the idle timeout instead of waiting forever; the head came at once.
#[tokio::test]
async fn a_download_that_stalls_times_out_while_idle() {
    within_limit(async {
        let mut head = status_line(200).into_bytes();
        head.extend_from_slice(b"content-type: application/octet-stream\r\ncontent-length: 1000\r\nconnection: close\r\n\r\nfirst bytes");
        let server = FaultServer::start(vec![Plan::steps(vec![Step::Write(head), Step::Stall])]).await;
        let client = server.builder().stream_idle_timeout(Duration::from_millis(300)).build().unwrap();
        let mut body = client.files().download("or_file_1").send().await.expect("the head arrives");
        assert_eq!(body.content_length(), Some(1000));
        let first = body.next().await.expect("a chunk").expect("the first bytes");
        assert_eq!(&first[..], b"first bytes");
        let started = Instant::now();
        let error = body.next().await.expect("an item").expect_err("the rest never comes");
        assert!(
            matches!(error, Error::Timeout { phase: openrouter_generated::TimeoutPhase::StreamIdle, .. }),
            "{error:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        assert!(body.next().await.is_none(), "the stream ends after its error");
    })
    .await;
}

/// A download cut short (the connection closes before `content-length` bytes): the stream
/// yields a transport error, not a silently short file.
#[tokio::test]
async fn a_download_cut_short_is_an_error() {
    within_limit(async {
        let mut answer = status_line(200).into_bytes();
        answer.extend_from_slice(
            b"content-type: video/mp4\r\ncontent-length: 1000\r\nconnection: close\r\n\r\npartial",
        );
        let server = FaultServer::start(vec![Plan::reply(answer)]).await;
        let body = server
            .client()
            .video_generation()
            .download("job-1")
            .send()
            .await
            .expect("the head arrives");
        let error = body.bytes(1 << 20).await.expect_err("the body is short");
        assert_transport(&error);
    })
    .await;
}

/// A 503 answering an upload from bytes or from a file is retried with the whole body sent
/// again; an upload from a stream cannot be sent twice, so its 503 is returned as it is.
#[tokio::test]
async fn uploads_from_bytes_and_files_are_resent_and_streams_are_not() {
    use openrouter_generated::Upload;
    use openrouter_generated::types::UploadFileRequest;
    within_limit(async {
        let stored = r#"{"_shape":"openrouter","id":"or_file_1","type":"file","filename":"a.txt","mime_type":"text/plain","size_bytes":5,"created_at":"2026-01-01T00:00:00Z","downloadable":true}"#;
        let plans = || vec![json_reply(503, r#"{"error":{"code":503,"message":"busy"}}"#), json_reply(200, stored)];

        let server = FaultServer::start(plans()).await;
        let client = server.builder().retry_policy(fast_retries(2)).build().unwrap();
        let upload = Upload::new(&b"hello"[..], "a.txt", "text/plain");
        client.files().upload(UploadFileRequest::new(upload)).send().await.expect("the retry succeeds");
        assert_eq!(server.connections(), 2);

        let path = std::env::temp_dir().join(format!("openrouter-faults-upload-{}.txt", std::process::id()));
        std::fs::write(&path, b"hello").unwrap();
        let server = FaultServer::start(plans()).await;
        let client = server.builder().retry_policy(fast_retries(2)).build().unwrap();
        let upload = Upload::from_path(&path, "text/plain");
        client.files().upload(UploadFileRequest::new(upload)).send().await.expect("the file is read again");
        assert_eq!(server.connections(), 2);
        let _ = std::fs::remove_file(&path);

        let server = FaultServer::start(plans()).await;
        let client = server.builder().retry_policy(fast_retries(2)).build().unwrap();
        let chunks = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"hello"))]);
        let upload = Upload::from_stream(chunks, Some(5), "a.txt", "text/plain");
        assert!(!upload.is_replayable());
        let error = client.files().upload(UploadFileRequest::new(upload)).send().await.expect_err("not resent");
        assert_eq!(expect_api(error).status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(server.connections(), 1);
    })
    .await;
}

/// An upload from a path that does not exist is `Error::Io` naming the path; nothing is sent.
#[tokio::test]
async fn an_upload_from_a_missing_file_is_an_io_error() {
    use openrouter_generated::Upload;
    use openrouter_generated::types::UploadFileRequest;
    within_limit(async {
        let server = FaultServer::start(vec![json_reply(200, "{}")]).await;
        let missing = std::env::temp_dir().join("openrouter-faults-no-such-file.bin");
        let upload = Upload::from_path(&missing, "application/octet-stream");
        let error = server
            .client()
            .files()
            .upload(UploadFileRequest::new(upload))
            .send()
            .await
            .expect_err("no file");
        match &error {
            Error::Io { path, .. } => assert_eq!(path, &missing),
            other => panic!("expected Error::Io, got {other:?}"),
        }
        assert!(
            error
                .to_string()
                .contains("openrouter-faults-no-such-file.bin"),
            "{error}"
        );
        assert_eq!(server.connections(), 0);
    })
    .await;
}

/// A server that names, as the next cursor, the page it just gave would make a cursor walk
/// loop forever: the walk ends after that page instead.
#[tokio::test]
async fn a_cursor_that_repeats_ends_the_walk() {
    within_limit(async {
        let page = |cursor: &str| {
            format!(
                r#"{{"_shape":"openrouter","data":[{{"_shape":"openrouter","id":"or_file_1","type":"file","filename":"a","mime_type":"text/plain","size_bytes":1,"created_at":"2026-01-01T00:00:00Z","downloadable":true}}],"has_more":true,"cursor":"{cursor}"}}"#
            )
        };
        let server = FaultServer::start(vec![json_reply(200, page("c1")), json_reply(200, page("c1")), json_reply(200, page("c1"))]).await;
        let items = server.client().files().list().into_paginator().collect_items().await.expect("the walk ends");
        assert_eq!(items.len(), 2, "the first page and the one cursor c1 named");
        assert_eq!(server.connections(), 2);
        assert!(server.heads()[1].contains("cursor=c1"), "{}", server.heads()[1]);
    })
    .await;
}
