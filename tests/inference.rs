//! End-to-end tests of the inference endpoints over loopback: every operation sends what the
//! API expects and decodes realistic answers; streaming operations send `stream: true`, read
//! typed events over real HTTP and report in-stream errors, early ends and idle connections.

use anyhow::Result;
use futures::TryStreamExt;
use openrouter_generated::chat::{ChatMessage, ChatStreamAccumulator};
use openrouter_generated::types::*;
use openrouter_generated::{Client, Error, ErrorCode, RequestOptions, RetryPolicy, TimeoutPhase};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    client_at(&server.uri())
}

fn client_at(base: &str) -> Client {
    Client::builder()
        .api_key("sk-or-test")
        .base_url(base)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds")
}

async fn answer(server: &MockServer, http_method: &str, route: &str, template: ResponseTemplate) {
    Mock::given(method(http_method))
        .and(path(route))
        .respond_with(template)
        .mount(server)
        .await;
}

fn sse(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/event-stream")
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request");
    requests.remove(0)
}

fn body_of(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

fn chat_request() -> ChatRequest {
    ChatRequest::new(vec![
        ChatMessage::system("be brief"),
        ChatMessage::user("hi"),
    ])
    .model("openai/gpt-4o")
}

fn chat_result() -> Value {
    json!({
        "id": "gen-1", "object": "chat.completion", "created": 1700000000, "model": "openai/gpt-4o",
        "system_fingerprint": null,
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": "Hello!"}}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7, "cost": 0.0001}
    })
}

fn chunk(delta: Value, finish: Value) -> String {
    let chunk = json!({"id": "gen-1", "object": "chat.completion.chunk", "created": 1, "model": "openai/gpt-4o",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
    format!("data: {chunk}\n\n")
}

// ---- chat --------------------------------------------------------------------------------

#[tokio::test]
async fn chat_send_posts_stream_false_and_decodes_the_answer() -> Result<()> {
    let server = MockServer::start().await;
    answer(
        &server,
        "POST",
        "/chat/completions",
        ResponseTemplate::new(200).set_body_json(chat_result()),
    )
    .await;
    let reply = client(&server)
        .chat()
        .create(chat_request())
        .x_open_router_metadata(MetadataLevel::Enabled)
        .send()
        .await?;
    let Some(ChatAssistantMessageContent::String(text)) = reply.choices[0].message.content.as_ref()
    else {
        panic!("text content")
    };
    assert_eq!(text, "Hello!");
    assert_eq!(reply.usage.as_ref().and_then(|u| u.cost), Some(0.0001));
    let request = only_request(&server).await;
    assert_eq!(
        body_of(&request),
        json!({"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
               "model": "openai/gpt-4o", "stream": false})
    );
    assert_eq!(
        request
            .headers
            .get("x-openrouter-metadata")
            .and_then(|v| v.to_str().ok()),
        Some("enabled")
    );
    assert_eq!(
        request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer sk-or-test")
    );
    Ok(())
}

#[tokio::test]
async fn an_error_object_in_a_200_chat_body_is_an_api_error() -> Result<()> {
    let server = MockServer::start().await;
    let body = json!({"error": {"code": 502, "message": "upstream failed", "metadata": {"provider_name": "X"}}});
    answer(
        &server,
        "POST",
        "/chat/completions",
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;
    let error = client(&server)
        .chat()
        .create(chat_request())
        .send()
        .await
        .expect_err("in-band error");
    let Error::Api(api) = error else {
        panic!("{error:?}")
    };
    assert_eq!(
        (api.status.as_u16(), api.code.clone(), api.message.as_str()),
        (200, Some(ErrorCode::Int(502)), "upstream failed")
    );
    Ok(())
}

#[tokio::test]
async fn chat_stream_posts_stream_true_and_yields_typed_chunks_until_done() -> Result<()> {
    let server = MockServer::start().await;
    let usage = json!({"id": "gen-1", "object": "chat.completion.chunk", "created": 1,
        "model": "openai/gpt-4o", "choices": [],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5, "cost": 0.25}});
    let body = format!(
        ": OPENROUTER PROCESSING\r\n\r\n{}{}{}data: {usage}\n\ndata: [DONE]\r\n\r\n",
        chunk(json!({"role": "assistant", "content": "Hel"}), Value::Null)
            .replace("\n\n", "\r\n\r\n"),
        chunk(json!({"content": "lo"}), Value::Null),
        chunk(json!({}), json!("stop")),
    );
    answer(&server, "POST", "/chat/completions", sse(&body)).await;
    let mut stream = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await?;
    let mut answer = ChatStreamAccumulator::new();
    while let Some(chunk) = stream.try_next().await? {
        answer.push(&chunk);
    }
    assert_eq!(answer.chunks(), 4);
    assert_eq!(answer.content(), "Hello");
    assert_eq!(answer.finish_reason(), Some(&ChatFinishReasonEnum::Stop));
    assert_eq!(
        answer.usage().map(|u| u.total_tokens),
        Some(5),
        "usage comes from the final chunk"
    );
    assert_eq!(answer.cost(), Some(0.25));
    let request = only_request(&server).await;
    assert_eq!(body_of(&request)["stream"], json!(true));
    assert_eq!(
        request.headers.get("accept").and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    Ok(())
}

#[tokio::test]
async fn a_chat_stream_that_ends_before_done_is_an_error() -> Result<()> {
    let server = MockServer::start().await;
    answer(
        &server,
        "POST",
        "/chat/completions",
        sse(&chunk(json!({"content": "partial"}), Value::Null)),
    )
    .await;
    let items: Vec<_> = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await?
        .collect_all()
        .await;
    assert!(items[0].is_ok());
    assert!(
        matches!(&items[1], Err(Error::Stream(m)) if m.contains("[DONE]")),
        "{:?}",
        items[1]
    );
    Ok(())
}

#[tokio::test]
async fn mid_stream_errors_with_integer_and_string_codes_end_the_stream() -> Result<()> {
    for (code, expected) in [
        (json!(429), ErrorCode::Int(429)),
        (
            json!("provider_error"),
            ErrorCode::Text("provider_error".into()),
        ),
    ] {
        let server = MockServer::start().await;
        let error_chunk = json!({"id": "gen-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "error": {"code": code, "message": "rate limited upstream"},
            "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]});
        let body = format!(
            "{}data: {error_chunk}\n\n{}data: [DONE]\n\n",
            chunk(json!({"content": "a"}), Value::Null),
            chunk(json!({"content": "b"}), Value::Null)
        );
        answer(&server, "POST", "/chat/completions", sse(&body)).await;
        let items: Vec<_> = client(&server)
            .chat()
            .create(chat_request())
            .stream()
            .await?
            .collect_all()
            .await;
        assert_eq!(items.len(), 2, "the error ends the stream");
        let Err(Error::Api(api)) = &items[1] else {
            panic!("{:?}", items[1])
        };
        assert_eq!(api.code.as_ref(), Some(&expected));
        assert_eq!(api.message, "rate limited upstream");
    }
    Ok(())
}

#[tokio::test]
async fn a_non_2xx_status_before_the_stream_is_an_api_error_with_the_body() -> Result<()> {
    let server = MockServer::start().await;
    let body = json!({"error": {"code": 402, "message": "Insufficient credits"}});
    answer(
        &server,
        "POST",
        "/chat/completions",
        ResponseTemplate::new(402).set_body_json(body.clone()),
    )
    .await;
    let error = client(&server)
        .chat()
        .create(chat_request())
        .stream()
        .await
        .expect_err("402");
    let Error::Api(api) = error else {
        panic!("{error:?}")
    };
    assert_eq!(api.status.as_u16(), 402);
    assert_eq!(api.message, "Insufficient credits");
    assert_eq!(serde_json::from_slice::<Value>(&api.body)?, body);
    Ok(())
}

/// A server on loopback that sends stream headers and `events`, then keeps the connection open
/// (`hang`) or closes it.
async fn raw_stream_server(events: &'static str, hang: bool) -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = vec![0u8; 64 * 1024];
            let _ = socket.read(&mut buffer).await;
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
            let _ = socket.write_all(head.as_bytes()).await;
            let chunk = format!("{:x}\r\n{events}\r\n", events.len());
            let _ = socket.write_all(chunk.as_bytes()).await;
            if hang {
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            // Dropping the socket without the final chunk cuts the stream mid-body.
        }
    });
    Ok(format!("http://{address}"))
}

#[tokio::test]
async fn the_idle_timeout_ends_a_silent_stream() -> Result<()> {
    let base = raw_stream_server("data: {\"id\":\"g\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[]}\n\n", true).await?;
    let stream = client_at(&base)
        .chat()
        .create(chat_request())
        .options(RequestOptions::new().idle_timeout(Duration::from_millis(200)))
        .stream()
        .await?;
    let started = std::time::Instant::now();
    let items: Vec<_> = stream.collect_all().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the idle timeout, not the server, ended it"
    );
    assert!(items[0].is_ok());
    assert!(
        matches!(&items[1], Err(Error::Timeout { phase: TimeoutPhase::StreamIdle, limit }) if *limit == Duration::from_millis(200)),
        "{:?}",
        items[1]
    );
    Ok(())
}

#[tokio::test]
async fn a_connection_dropped_mid_event_is_a_stream_error() -> Result<()> {
    let base = raw_stream_server(
        "data: {\"id\":\"g\",\"object\":\"chat.completion.chunk\",\"crea",
        false,
    )
    .await?;
    let items: Vec<_> = client_at(&base)
        .chat()
        .create(chat_request())
        .stream()
        .await?
        .collect_all()
        .await;
    assert_eq!(items.len(), 1);
    assert!(matches!(&items[0], Err(Error::Stream(_))), "{:?}", items[0]);
    Ok(())
}

// ---- completions ---------------------------------------------------------------------------

#[tokio::test]
async fn completions_send_and_stream() -> Result<()> {
    let server = MockServer::start().await;
    let result = json!({"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m",
        "choices": [{"text": "world", "index": 0, "finish_reason": "stop"}]});
    answer(
        &server,
        "POST",
        "/completions",
        ResponseTemplate::new(200).set_body_json(result.clone()),
    )
    .await;
    let request = CompletionsRequest::new(CompletionsPrompt::String("hello".into())).model("m");
    let reply = client(&server)
        .completions()
        .create(request.clone())
        .send()
        .await?;
    assert_eq!(reply.choices[0].text, "world");
    assert_eq!(
        body_of(&only_request(&server).await),
        json!({"prompt": "hello", "model": "m", "stream": false})
    );

    let server = MockServer::start().await;
    answer(
        &server,
        "POST",
        "/completions",
        sse(&format!("data: {result}\n\ndata: [DONE]\n\n")),
    )
    .await;
    let chunks: Vec<CompletionsResponse> = client(&server)
        .completions()
        .create(request)
        .stream()
        .await?
        .try_collect()
        .await?;
    assert_eq!(chunks.len(), 1);
    assert_eq!(body_of(&only_request(&server).await)["stream"], json!(true));
    Ok(())
}

// ---- responses -------------------------------------------------------------------------------

fn response_object(status: &str) -> Value {
    json!({"id": "resp-1", "object": "response", "created_at": 1, "model": "openai/gpt-4o", "status": status,
        "output": [{"type": "message", "id": "msg-1", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": "Hi there", "annotations": []}]}],
        "tools": [], "tool_choice": "auto", "parallel_tool_calls": true})
}

#[tokio::test]
async fn responses_send_decodes_the_response_object() -> Result<()> {
    let server = MockServer::start().await;
    answer(
        &server,
        "POST",
        "/responses",
        ResponseTemplate::new(200).set_body_json(response_object("completed")),
    )
    .await;
    let request = ResponsesRequest::new()
        .model("openai/gpt-4o")
        .input(Inputs::String("hi".into()));
    let reply = client(&server).responses().create(request).send().await?;
    assert_eq!(reply.id, "resp-1");
    assert_eq!(reply.output.len(), 1);
    assert_eq!(
        body_of(&only_request(&server).await),
        json!({"model": "openai/gpt-4o", "input": "hi", "stream": false})
    );
    Ok(())
}

#[tokio::test]
async fn responses_stream_yields_typed_events_and_unknown_event_types() -> Result<()> {
    let server = MockServer::start().await;
    let delta = json!({"type": "response.output_text.delta", "output_index": 0, "item_id": "msg-1",
        "content_index": 0, "delta": "Hi", "logprobs": [], "sequence_number": 2});
    let body = format!(
        "event: response.created\ndata: {}\n\nevent: response.output_text.delta\ndata: {delta}\n\n\
         event: response.brand_new\ndata: {}\n\nevent: response.completed\ndata: {}\n\ndata: [DONE]\n\n",
        json!({"type": "response.created", "sequence_number": 0, "response": response_object("in_progress")}),
        json!({"type": "response.brand_new", "sequence_number": 3, "surprise": true}),
        json!({"type": "response.completed", "sequence_number": 4, "response": response_object("completed")}),
    );
    answer(&server, "POST", "/responses", sse(&body)).await;
    let request = ResponsesRequest::new()
        .model("openai/gpt-4o")
        .input(Inputs::String("hi".into()));
    let events: Vec<StreamEvents> = client(&server)
        .responses()
        .create(request)
        .stream()
        .await?
        .try_collect()
        .await?;
    assert_eq!(events.len(), 4);
    assert!(
        matches!(&events[0], StreamEvents::ResponseCreated(_)),
        "{:?}",
        events[0]
    );
    let StreamEvents::ResponseOutputTextDelta(text) = &events[1] else {
        panic!("{:?}", events[1])
    };
    assert_eq!(text.delta, "Hi");
    let StreamEvents::Unknown(raw) = &events[2] else {
        panic!("{:?}", events[2])
    };
    assert_eq!(
        raw["surprise"],
        json!(true),
        "an unknown event keeps its JSON and does not end the stream"
    );
    assert!(matches!(&events[3], StreamEvents::ResponseCompleted(_)));
    Ok(())
}

#[tokio::test]
async fn a_responses_stream_without_a_terminal_event_is_an_error() -> Result<()> {
    let server = MockServer::start().await;
    let body = format!(
        "data: {}\n\n",
        json!({"type": "response.created", "sequence_number": 0, "response": response_object("in_progress")})
    );
    answer(&server, "POST", "/responses", sse(&body)).await;
    let request = ResponsesRequest::new()
        .model("m")
        .input(Inputs::String("hi".into()));
    let items: Vec<_> = client(&server)
        .responses()
        .create(request)
        .stream()
        .await?
        .collect_all()
        .await;
    assert!(items[0].is_ok());
    assert!(
        matches!(&items[1], Err(Error::Stream(m)) if m.contains("response.completed")),
        "{:?}",
        items[1]
    );
    Ok(())
}

// ---- messages ----------------------------------------------------------------------------------

fn messages_request() -> MessagesRequest {
    let turn = MessagesMessageParam::new(
        MessagesMessageParamRole::User,
        MessagesMessageParamContent::String("hi".into()),
    );
    MessagesRequest::new("anthropic/claude-sonnet-4", Some(vec![turn])).max_tokens(64)
}

#[tokio::test]
async fn messages_send_and_stream() -> Result<()> {
    let server = MockServer::start().await;
    let message = json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "anthropic/claude-sonnet-4",
        "content": [{"type": "text", "text": "Hello"}], "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 3, "output_tokens": 1}});
    answer(
        &server,
        "POST",
        "/messages",
        ResponseTemplate::new(200).set_body_json(message.clone()),
    )
    .await;
    let reply = client(&server)
        .anthropic_messages()
        .create(messages_request())
        .send()
        .await?;
    assert_eq!(reply.id, "msg_1");
    assert_eq!(reply.usage.output_tokens, 1);
    let sent = body_of(&only_request(&server).await);
    assert_eq!(sent["stream"], json!(false));
    assert_eq!(sent["messages"], json!([{"role": "user", "content": "hi"}]));

    let server = MockServer::start().await;
    let body = format!(
        "event: message_start\ndata: {}\n\nevent: ping\ndata: {{\"type\":\"ping\"}}\n\n\
         event: content_block_delta\ndata: {}\n\nevent: message_stop\ndata: {{\"type\":\"message_stop\"}}\n\n",
        json!({"type": "message_start", "message": message}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}),
    );
    answer(&server, "POST", "/messages", sse(&body)).await;
    let events: Vec<MessagesStreamEvents> = client(&server)
        .anthropic_messages()
        .create(messages_request())
        .stream()
        .await?
        .try_collect()
        .await?;
    assert_eq!(events.len(), 4, "{events:?}");
    assert!(
        events
            .iter()
            .all(|e| !matches!(e, MessagesStreamEvents::Unknown(_))),
        "{events:?}"
    );
    assert_eq!(body_of(&only_request(&server).await)["stream"], json!(true));
    Ok(())
}

#[tokio::test]
async fn a_messages_error_event_is_an_api_error() -> Result<()> {
    let server = MockServer::start().await;
    let body = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    answer(&server, "POST", "/messages", sse(body)).await;
    let items: Vec<_> = client(&server)
        .anthropic_messages()
        .create(messages_request())
        .stream()
        .await?
        .collect_all()
        .await;
    assert_eq!(items.len(), 1);
    let Err(Error::Api(api)) = &items[0] else {
        panic!("{:?}", items[0])
    };
    assert_eq!(
        (api.code.clone(), api.message.as_str()),
        (
            Some(ErrorCode::Text("overloaded_error".into())),
            "Overloaded"
        )
    );
    Ok(())
}

// ---- embeddings, rerank, generations -----------------------------------------------------------

#[tokio::test]
async fn embeddings_create_and_list_models() -> Result<()> {
    let server = MockServer::start().await;
    answer(
        &server,
        "POST",
        "/embeddings",
        ResponseTemplate::new(200).set_body_json(json!({
            "object": "list", "model": "openai/text-embedding-3-small",
            "data": [{"object": "embedding", "embedding": [0.25, -0.5], "index": 0}],
            "usage": {"prompt_tokens": 2, "total_tokens": 2}
        })),
    )
    .await;
    let request = EmbeddingsRequest::new(
        EmbeddingsInput::String("hello".into()),
        "openai/text-embedding-3-small",
    );
    let reply = client(&server).embeddings().create(request).send().await?;
    assert_eq!(
        reply.data[0].embedding,
        EmbeddingsObjectEmbedding::List(vec![0.25, -0.5])
    );
    assert_eq!(
        body_of(&only_request(&server).await),
        json!({"input": "hello", "model": "openai/text-embedding-3-small"})
    );

    let server = MockServer::start().await;
    answer(
        &server,
        "GET",
        "/embeddings/models",
        ResponseTemplate::new(200).set_body_json(json!({"data": []})),
    )
    .await;
    let models = client(&server)
        .embeddings()
        .list_models()
        .limit(10)
        .send()
        .await?;
    assert!(models.data.is_empty());
    assert_eq!(only_request(&server).await.url.query(), Some("limit=10"));
    Ok(())
}

#[tokio::test]
async fn rerank_create() -> Result<()> {
    let server = MockServer::start().await;
    answer(
        &server,
        "POST",
        "/rerank",
        ResponseTemplate::new(200).set_body_json(json!({
            "model": "cohere/rerank-v3.5",
            "results": [{"index": 1, "relevance_score": 0.9, "document": {"text": "b"}}]
        })),
    )
    .await;
    let documents = vec![
        RerankDocument::String("a".into()),
        RerankDocument::String("b".into()),
    ];
    let reply = client(&server)
        .rerank()
        .create(RerankRequest::new(
            "cohere/rerank-v3.5",
            "which?",
            documents,
        ))
        .send()
        .await?;
    assert_eq!(
        (reply.results[0].index, reply.results[0].relevance_score),
        (1, 0.9)
    );
    assert_eq!(
        body_of(&only_request(&server).await),
        json!({"model": "cohere/rerank-v3.5", "query": "which?", "documents": ["a", "b"]})
    );
    Ok(())
}

#[tokio::test]
async fn generations_get_get_content_and_submit_feedback() -> Result<()> {
    let server = MockServer::start().await;
    answer(&server, "GET", "/generation", ResponseTemplate::new(200).set_body_json(json!({"data": {
        "id": "gen-1", "model": "openai/gpt-4o", "data_region": "global", "created_at": "2025-01-01T00:00:00Z",
        "total_cost": 0.5, "usage": 0.5, "is_byok": false, "origin": "https://example.com"
    }})))
    .await;
    let generation = client(&server).generations().get("gen-1").send().await?;
    assert_eq!(
        (generation.data.id.as_str(), generation.data.total_cost),
        ("gen-1", 0.5)
    );
    assert_eq!(only_request(&server).await.url.query(), Some("id=gen-1"));

    let server = MockServer::start().await;
    answer(
        &server,
        "GET",
        "/generation/content",
        ResponseTemplate::new(200).set_body_json(json!({"data": {
            "input": {"prompt": "hello"}, "output": {"completion": "world", "reasoning": null}
        }})),
    )
    .await;
    let content = client(&server)
        .generations()
        .get_content("gen-1")
        .send()
        .await?;
    assert_eq!(content.data.output.completion.as_deref(), Some("world"));

    let server = MockServer::start().await;
    answer(
        &server,
        "POST",
        "/generation/feedback",
        ResponseTemplate::new(200).set_body_json(json!({"data": {"success": true}})),
    )
    .await;
    let request = SubmitGenerationFeedbackRequest::new(
        "gen-1",
        SubmitGenerationFeedbackRequestCategory::Latency,
    );
    let reply = client(&server)
        .generations()
        .submit_feedback(request)
        .send()
        .await?;
    assert!(reply.data.success);
    assert_eq!(
        body_of(&only_request(&server).await),
        json!({"generation_id": "gen-1", "category": "latency"})
    );
    Ok(())
}

/// Collects a stream's items, errors included.
trait CollectAll: futures::Stream + Sized {
    async fn collect_all(self) -> Vec<Self::Item> {
        futures::StreamExt::collect(self).await
    }
}

impl<S: futures::Stream> CollectAll for S {}
