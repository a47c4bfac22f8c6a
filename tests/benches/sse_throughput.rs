//! SSE decoding throughput over loopback: `EventStream` (the generated client's decoder)
//! against a plain baseline (reqwest's byte stream split on blank lines, each event's `data`
//! parsed with `serde_json` into the same type), side by side in one run.
//!
//! `cargo bench -p openrouter-tests --bench sse_throughput` prints events/s and MB/s for both,
//! as medians of alternating rounds, and the ratio.

use bytes::{Buf, BytesMut};
use futures::StreamExt;
use openrouter_generated::types::ChatStreamChunk as Chunk;
use openrouter_generated::{EventStream, StreamProtocol};
use std::time::{Duration, Instant};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const EVENTS: usize = 20_000;
const ROUNDS: usize = 9;

/// A realistic chat stream: keep-alive comments, content deltas, a usage chunk, `[DONE]`.
fn body() -> String {
    let mut out = String::from(": OPENROUTER PROCESSING\n\n");
    for i in 0..EVENTS {
        out.push_str(&format!(
            "data: {{\"id\":\"gen-1700000000-abcdefghij\",\"provider\":\"OpenAI\",\"model\":\"openai/gpt-4o\",\
             \"object\":\"chat.completion.chunk\",\"created\":1700000000,\"choices\":[{{\"index\":0,\
             \"delta\":{{\"role\":\"assistant\",\"content\":\"token {i} of the answer \"}},\"finish_reason\":null,\
             \"native_finish_reason\":null,\"logprobs\":null}}]}}\n\n"
        ));
        if i % 1000 == 0 {
            out.push_str(": OPENROUTER PROCESSING\n\n");
        }
    }
    out.push_str("data: [DONE]\n\n");
    out
}

async fn ours(http: &reqwest::Client, url: &str) -> usize {
    let response = http.get(url).send().await.expect("server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let stream: EventStream<Chunk> = EventStream::new(
        response.bytes_stream(),
        StreamProtocol {
            done: Some("[DONE]"),
            terminal: &[],
        },
        status,
        headers,
        None,
        1 << 20,
    );
    stream.map(|item| item.expect("decodes")).count().await
}

async fn baseline(http: &reqwest::Client, url: &str) -> usize {
    let mut body = http
        .get(url)
        .send()
        .await
        .expect("server answers")
        .bytes_stream();
    let mut buffer = BytesMut::new();
    let mut count = 0;
    while let Some(chunk) = body.next().await {
        buffer.extend_from_slice(&chunk.expect("reads"));
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            let event = buffer.split_to(end);
            buffer.advance(2);
            let Some(data) = event.strip_prefix(b"data: ") else {
                continue;
            };
            if data == b"[DONE]" {
                continue;
            }
            let _chunk: Chunk = serde_json::from_slice(data).expect("decodes");
            count += 1;
        }
    }
    count
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let body = body();
        let bytes = body.len();
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).insert_header("content-type", "text/event-stream").set_body_string(body))
            .mount(&server)
            .await;
        let url = format!("{}/stream", server.uri());
        // The workspace's reqwest uses rustls without a default crypto provider: pick ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        // Warm up both paths (connection pool, allocator).
        assert_eq!(ours(&http, &url).await, EVENTS);
        assert_eq!(baseline(&http, &url).await, EVENTS);

        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let start = Instant::now();
            assert_eq!(ours(&http, &url).await, EVENTS);
            a.push(start.elapsed());
            let start = Instant::now();
            assert_eq!(baseline(&http, &url).await, EVENTS);
            b.push(start.elapsed());
        }
        let (ours_t, base_t) = (median(a), median(b));
        let report = |name: &str, t: Duration| {
            let secs = t.as_secs_f64();
            println!(
                "{name:>9}: {:>10.0} events/s  {:>7.1} MB/s  (median of {ROUNDS}, {EVENTS} events, {:.1} MB)",
                EVENTS as f64 / secs,
                bytes as f64 / secs / 1e6,
                bytes as f64 / 1e6
            );
        };
        report("decoder", ours_t);
        report("baseline", base_t);
        println!("ratio decoder/baseline throughput: {:.2}", base_t.as_secs_f64() / ours_t.as_secs_f64());
    });
}
