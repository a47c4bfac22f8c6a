//! The event-stream decoder and `EventStream`: framing rules, chunking at any byte, protocol
//! ends, in-band errors, size and idle limits.

use bytes::Bytes;
use futures::{StreamExt, stream};
use openrouter_generated::{
    Error, ErrorCode, EventStream, SseDecoder, SseEvent, StreamProtocol, TimeoutPhase,
};
use proptest::prelude::*;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::time::Duration;

fn decode_chunks(chunks: &[&[u8]]) -> Vec<SseEvent> {
    let mut decoder = SseDecoder::default();
    let mut out = Vec::new();
    for chunk in chunks {
        decoder
            .feed(chunk, &mut out)
            .expect("within the size limit");
    }
    out
}

fn decode(bytes: &[u8]) -> Vec<SseEvent> {
    decode_chunks(&[bytes])
}

fn data(events: &[SseEvent]) -> Vec<&str> {
    events.iter().map(|e| e.data.as_str()).collect()
}

#[test]
fn keep_alive_comments_are_skipped() {
    let events =
        decode(b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {\"a\":1}\n\n");
    assert_eq!(data(&events), ["{\"a\":1}"]);
}

#[test]
fn lf_crlf_and_cr_line_ends_are_all_accepted() {
    let lf = decode(b"data: one\n\ndata: two\n\n");
    let crlf = decode(b"data: one\r\n\r\ndata: two\r\n\r\n");
    let cr = decode(b"data: one\r\rdata: two\r\r");
    assert_eq!(data(&lf), ["one", "two"]);
    assert_eq!(lf, crlf);
    assert_eq!(lf, cr);
}

#[test]
fn a_crlf_split_between_chunks_is_one_line_end() {
    let events = decode_chunks(&[b"data: one\r", b"\n\r", b"\ndata: two\r\n\r\n"]);
    assert_eq!(data(&events), ["one", "two"]);
}

#[test]
fn an_empty_chunk_after_a_trailing_cr_keeps_the_crlf_whole() {
    // Found by the property test: "\r" | "" | "\n" must stay one line end.
    let events = decode_chunks(&[b"event: e\r", b"", b"\ndata: x\r\n\r\n"]);
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].event.as_deref(), events[0].data.as_str()),
        (Some("e"), "x")
    );
}

#[test]
fn multi_line_data_is_joined_with_newlines() {
    let events = decode(b"data: {\"a\":\ndata: 1}\ndata:\n\n");
    assert_eq!(data(&events), ["{\"a\":\n1}\n"]);
}

#[test]
fn event_id_and_retry_fields_are_kept() {
    let events = decode(b"event: message_start\nid: 7\nretry: 1500\ndata: x\n\ndata: y\n\n");
    assert_eq!(events[0].event.as_deref(), Some("message_start"));
    assert_eq!(events[0].id.as_deref(), Some("7"));
    assert_eq!(events[0].retry, Some(1500));
    // The last id carries over; event name and retry do not.
    assert_eq!(
        (
            events[1].event.as_deref(),
            events[1].id.as_deref(),
            events[1].retry
        ),
        (None, Some("7"), None)
    );
}

#[test]
fn field_rules_follow_the_standard() {
    // No space after the colon, a field without a colon, unknown fields, empty events.
    let events = decode(b"data:tight\nignored: x\ndata\n\n\n\nevent: only-event\n\n");
    assert_eq!(data(&events), ["tight\n"]);
}

#[test]
fn an_event_split_into_one_byte_chunks_decodes_the_same() {
    let text = b": ping\r\nevent: e\r\ndata: {\"text\":\"h\xc3\xa9llo \xf0\x9f\x91\x8b\"}\r\n\r\n";
    let chunks: Vec<&[u8]> = text.chunks(1).collect();
    assert_eq!(decode_chunks(&chunks), decode(text));
    assert_eq!(decode(text)[0].data, "{\"text\":\"héllo 👋\"}");
}

#[test]
fn a_split_inside_a_multi_byte_character_is_joined() {
    let text = "data: 👋é\n\n".as_bytes();
    // Split in the middle of the 4-byte emoji and of the 2-byte é.
    let events = decode_chunks(&[&text[..8], &text[8..11], &text[11..]]);
    assert_eq!(data(&events), ["👋é"]);
}

#[test]
fn an_oversized_event_is_an_error() {
    let mut decoder = SseDecoder::new(64);
    let mut out = Vec::new();
    let big = format!("data: {}\n", "x".repeat(100));
    let error = decoder
        .feed(big.as_bytes(), &mut out)
        .expect_err("over the cap");
    assert!(
        matches!(&error, Error::Stream(m) if m.contains("64 byte")),
        "{error}"
    );
    // Events under the cap still pass.
    let mut decoder = SseDecoder::new(64);
    decoder.feed(b"data: small\n\n", &mut out).expect("fits");
    assert_eq!(data(&out), ["small"]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Any chunking of the same bytes yields the same events.
    #[test]
    fn any_chunking_yields_the_same_events(
        events in prop::collection::vec(("[a-z]{0,6}", "[ -~é👋]{0,20}", prop::bool::ANY), 0..6),
        line_end in prop::sample::select(vec!["\n", "\r\n", "\r"]),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let mut text = String::new();
        for (name, payload, comment) in &events {
            if *comment {
                text.push_str(&format!(": keep-alive{line_end}"));
            }
            if !name.is_empty() {
                text.push_str(&format!("event: {name}{line_end}"));
            }
            for line in payload.split('\n') {
                text.push_str(&format!("data: {line}{line_end}"));
            }
            text.push_str(line_end);
        }
        let bytes = text.as_bytes();
        let whole = decode(bytes);
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        points.sort_unstable();
        let mut chunks = Vec::new();
        let mut start = 0;
        for point in points {
            chunks.push(&bytes[start..point]);
            start = point;
        }
        chunks.push(&bytes[start..]);
        prop_assert_eq!(decode_chunks(&chunks), whole.clone());
        prop_assert_eq!(whole.len(), events.len());
    }
}

// ---- EventStream --------------------------------------------------------------------------

const CHAT: StreamProtocol = StreamProtocol {
    done: Some("[DONE]"),
    terminal: &[],
};
const RESPONSES: StreamProtocol = StreamProtocol {
    done: None,
    terminal: &[
        "response.completed",
        "response.incomplete",
        "response.failed",
    ],
};

fn stream_of(chunks: Vec<&'static str>, protocol: StreamProtocol) -> EventStream<Value> {
    let body = stream::iter(
        chunks
            .into_iter()
            .map(|c| Ok::<Bytes, reqwest::Error>(Bytes::from_static(c.as_bytes()))),
    );
    EventStream::new(
        body,
        protocol,
        StatusCode::OK,
        HeaderMap::new(),
        None,
        1 << 20,
    )
}

async fn collect(stream: EventStream<Value>) -> Vec<Result<Value, Error>> {
    stream.collect().await
}

#[tokio::test]
async fn done_ends_a_chat_stream() {
    let items = collect(stream_of(
        vec![
            "data: {\"n\":1}\n\n",
            ": OPENROUTER PROCESSING\n\n",
            "data: {\"n\":2}\n\ndata: [DONE]\n\n",
        ],
        CHAT,
    ))
    .await;
    let values: Vec<Value> = items.into_iter().map(|i| i.expect("ok")).collect();
    assert_eq!(values, [json!({"n": 1}), json!({"n": 2})]);
}

#[tokio::test]
async fn a_connection_that_drops_before_done_is_an_error() {
    let items = collect(stream_of(
        vec!["data: {\"n\":1}\n\n", "data: {\"n\":"],
        CHAT,
    ))
    .await;
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert!(
        matches!(&items[1], Err(Error::Stream(m)) if m.contains("[DONE]")),
        "{:?}",
        items[1]
    );
}

#[tokio::test]
async fn a_mid_stream_error_chunk_with_an_integer_code_is_an_api_error() {
    let items = collect(stream_of(
        vec![
            "data: {\"n\":1}\n\n",
            "data: {\"id\":\"x\",\"error\":{\"code\":502,\"message\":\"Provider disconnected\",\"metadata\":{\"p\":1}},\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"error\"}]}\n\n",
            "data: {\"n\":3}\n\n",
        ],
        CHAT,
    ))
    .await;
    assert_eq!(items.len(), 2, "the error ends the stream");
    let Err(Error::Api(api)) = &items[1] else {
        panic!("{:?}", items[1])
    };
    assert_eq!(api.code, Some(ErrorCode::Int(502)));
    assert_eq!(api.message, "Provider disconnected");
    assert_eq!(api.metadata, Some(json!({"p": 1})));
    assert_eq!(api.status, StatusCode::OK);
    assert!(api.body_text().contains("Provider disconnected"));
}

#[tokio::test]
async fn a_mid_stream_error_with_a_string_code_is_an_api_error() {
    let items = collect(stream_of(
        vec!["data: {\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}\n\n"],
        CHAT,
    ))
    .await;
    let Err(Error::Api(api)) = &items[0] else {
        panic!("{:?}", items[0])
    };
    assert_eq!(api.code, Some(ErrorCode::Text("server_error".into())));
    assert_eq!(api.message, "boom");
}

#[tokio::test]
async fn finish_reason_error_without_an_error_object_is_an_api_error() {
    let items = collect(stream_of(
        vec!["data: {\"choices\":[{\"finish_reason\":\"error\",\"delta\":{}}]}\n\n"],
        CHAT,
    ))
    .await;
    assert!(
        matches!(&items[0], Err(Error::Api(api)) if api.message.contains("finish_reason")),
        "{:?}",
        items[0]
    );
}

#[tokio::test]
async fn an_error_event_of_an_event_family_is_an_api_error() {
    let items = collect(stream_of(
        vec![
            "event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
            "event: error\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\"}\n\n",
        ],
        RESPONSES,
    ))
    .await;
    assert!(items[0].is_ok());
    let Err(Error::Api(api)) = &items[1] else {
        panic!("{:?}", items[1])
    };
    assert_eq!(
        api.code,
        Some(ErrorCode::Text("rate_limit_exceeded".into()))
    );
    assert_eq!(api.message, "slow down");
    // Anthropic's shape: {"type":"error","error":{"type":...,"message":...}}.
    let items = collect(stream_of(
        vec!["event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"],
        StreamProtocol { done: None, terminal: &["message_stop"] },
    ))
    .await;
    let Err(Error::Api(api)) = &items[0] else {
        panic!("{:?}", items[0])
    };
    assert_eq!(api.code, Some(ErrorCode::Text("overloaded_error".into())));
    assert_eq!(api.message, "Overloaded");
}

#[tokio::test]
async fn a_terminal_event_completes_an_event_family_and_unknown_events_pass() {
    let items = collect(stream_of(
        vec![
            "event: response.brand_new_event\ndata: {\"type\":\"response.brand_new_event\",\"x\":1}\n\n",
            "data: {\"type\":\"response.completed\",\"response\":{}}\n\n",
        ],
        RESPONSES,
    ))
    .await;
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(Result::is_ok));
    // Without the terminal event the same stream is incomplete.
    let items = collect(stream_of(
        vec!["data: {\"type\":\"response.output_text.delta\"}\n\n"],
        RESPONSES,
    ))
    .await;
    assert!(
        matches!(&items[1], Err(Error::Stream(m)) if m.contains("response.completed")),
        "{:?}",
        items[1]
    );
}

#[tokio::test]
async fn an_event_that_is_not_json_is_a_decode_error_keeping_the_data() {
    let items = collect(stream_of(vec!["data: not json\n\n"], CHAT)).await;
    let Err(Error::Decode { body, .. }) = &items[0] else {
        panic!("{:?}", items[0])
    };
    assert_eq!(&body[..], b"not json");
    assert_eq!(items.len(), 1);
}

#[tokio::test]
async fn an_oversized_event_ends_the_stream_with_an_error() {
    let body = stream::iter(vec![Ok::<Bytes, reqwest::Error>(Bytes::from(format!(
        "data: {}\n\n",
        "x".repeat(200)
    )))]);
    let stream: EventStream<Value> =
        EventStream::new(body, CHAT, StatusCode::OK, HeaderMap::new(), None, 100);
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 1);
    assert!(
        matches!(&items[0], Err(Error::Stream(m)) if m.contains("100 byte")),
        "{:?}",
        items[0]
    );
}

#[tokio::test]
async fn the_idle_timeout_ends_a_silent_stream() {
    let body = stream::iter(vec![Ok::<Bytes, reqwest::Error>(Bytes::from_static(
        b"data: {\"n\":1}\n\n",
    ))])
    .chain(stream::pending());
    let stream: EventStream<Value> = EventStream::new(
        body,
        CHAT,
        StatusCode::OK,
        HeaderMap::new(),
        Some(Duration::from_millis(50)),
        1 << 20,
    );
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2);
    assert!(
        matches!(&items[1], Err(Error::Timeout { phase: TimeoutPhase::StreamIdle, limit }) if *limit == Duration::from_millis(50)),
        "{:?}",
        items[1]
    );
}
