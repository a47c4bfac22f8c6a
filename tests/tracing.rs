//! The `tracing` feature: one span per call with the operation, method, path template, attempt,
//! status and elapsed time; events for retries and for a stream's end; never the API key,
//! another credential or a body.
//!
//! One test in its own binary on purpose: `tracing` caches per call site whether anyone listens,
//! process-wide, so a subscriber set for one test thread would race with other tests that hit
//! the same call sites without one.

use futures::StreamExt;
use openrouter_generated::chat::ChatMessage;
use openrouter_generated::types::{ChatRequest, EmbeddingsInput, EmbeddingsRequest};
use openrouter_generated::{Client, RetryPolicy};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API_KEY: &str = "sk-or-v1-tracing-5ecret-DO-NOT-PRINT";

/// Everything the subscriber printed.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

#[tokio::test]
async fn calls_and_streams_are_traced_without_secrets_or_bodies() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber of this binary");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/embeddings"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_string(r#"{"error":{"code":429,"message":"secret-body-text"}}"#),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/embeddings"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"object":"list","model":"m","data":[]}"#),
        )
        .mount(&server)
        .await;
    let chunk = r#"{"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"secret-answer"},"finish_reason":null}]}"#;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!("data: {chunk}\n\ndata: [DONE]\n\n"),
            "text/event-stream",
        ))
        .mount(&server)
        .await;

    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::new(1).initial_backoff(Duration::from_millis(10)))
        .build()
        .expect("builds");
    let request = EmbeddingsRequest::new(EmbeddingsInput::String("secret-input".into()), "m");
    client
        .embeddings()
        .create(request)
        .send()
        .await
        .expect("the retry succeeds");
    let stream = client
        .chat()
        .create(ChatRequest::new([ChatMessage::user("secret-question")]))
        .stream()
        .await
        .expect("opens");
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 1);

    let text = captured.text();
    for expected in [
        "openrouter.call",
        "operation=\"createEmbeddings\"",
        "method=POST",
        "path=\"/embeddings\"",
        "retrying attempt=0",
        "reason=429 Too Many Requests",
        "attempt=1 status=200",
        "elapsed_ms=",
        "operation=\"createChatCompletion\"",
        "stream ended events=1 outcome=complete",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    for secret in [
        API_KEY,
        "Bearer",
        "secret-body-text",
        "secret-input",
        "secret-question",
        "secret-answer",
    ] {
        assert!(!text.contains(secret), "{secret:?} leaked into:\n{text}");
    }
}
