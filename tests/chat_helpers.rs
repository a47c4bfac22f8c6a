//! The chat helpers of the generated crate: message constructors serialize to the API's
//! shapes, and `ChatStreamAccumulator` folds a stream into the final answer.

use openrouter_generated::chat::{ChatMessage, ChatStreamAccumulator};
use openrouter_generated::types::{
    ChatAnnotation, ChatContentItems, ChatFinishReasonEnum, ChatMessages, ChatStreamChunk,
    ReasoningDetailUnion,
};
use serde_json::{Value, json};

fn to_json(message: &ChatMessages) -> Value {
    serde_json::to_value(message).expect("serializes")
}

#[test]
fn message_constructors_serialize_to_the_api_shapes() {
    assert_eq!(
        to_json(&ChatMessage::system("be brief")),
        json!({"role": "system", "content": "be brief"})
    );
    assert_eq!(
        to_json(&ChatMessage::developer("use tools")),
        json!({"role": "developer", "content": "use tools"})
    );
    assert_eq!(
        to_json(&ChatMessage::user("hi")),
        json!({"role": "user", "content": "hi"})
    );
    assert_eq!(
        to_json(&ChatMessage::assistant("hello")),
        json!({"role": "assistant", "content": "hello"})
    );
    assert_eq!(
        to_json(&ChatMessage::tool_result("call_1", "{\"temp\":21}")),
        json!({"role": "tool", "content": "{\"temp\":21}", "tool_call_id": "call_1"})
    );
    assert_eq!(
        to_json(&ChatMessage::user_parts([
            ChatContentItems::text("what is this?"),
            ChatContentItems::image_url("https://example.com/cat.png"),
        ])),
        json!({"role": "user", "content": [
            {"type": "text", "text": "what is this?"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
        ]})
    );
    // They decode back into the same variant.
    let back: ChatMessages =
        serde_json::from_value(to_json(&ChatMessage::user("hi"))).expect("decodes");
    assert_eq!(back, ChatMessage::user("hi"));
}

fn chunk(value: Value) -> ChatStreamChunk {
    let mut base = json!({"id": "gen-1", "object": "chat.completion.chunk", "created": 1, "model": "openai/gpt-4o"});
    if let (Some(base), Some(extra)) = (base.as_object_mut(), value.as_object()) {
        base.extend(extra.clone());
    }
    serde_json::from_value(base).expect("a valid chunk")
}

fn delta(delta: Value) -> ChatStreamChunk {
    chunk(json!({"choices": [{"index": 0, "delta": delta, "finish_reason": null}]}))
}

#[test]
fn the_accumulator_assembles_text_reasoning_and_tool_calls() {
    let mut acc = ChatStreamAccumulator::new();
    let chunks = [
        delta(
            json!({"role": "assistant", "reasoning": "Need the ", "reasoning_details": [
                {"type": "reasoning.text", "text": "Need the ", "index": 0}
            ]}),
        ),
        delta(json!({"reasoning": "weather.", "reasoning_details": [
            {"type": "reasoning.text", "text": "weather.", "signature": "sig", "index": 0}
        ]})),
        delta(json!({"content": "Let me check"})),
        delta(json!({"content": ". "})),
        delta(
            json!({"tool_calls": [{"index": 0, "id": "call_a", "type": "function",
            "function": {"name": "get_weather", "arguments": ""}}]}),
        ),
        delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\":"}}]})),
        delta(
            json!({"tool_calls": [{"index": 1, "id": "call_b", "type": "function",
            "function": {"name": "get_time", "arguments": "{}"}}]}),
        ),
        delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}}]})),
        chunk(json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})),
        chunk(
            json!({"choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42, "cost": 0.00042}}),
        ),
    ];
    for c in &chunks {
        acc.push(c);
    }
    assert_eq!(acc.chunks(), chunks.len());
    assert_eq!(acc.id(), Some("gen-1"));
    assert_eq!(acc.content(), "Let me check. ");
    assert_eq!(acc.reasoning(), "Need the weather.");
    // The two fragments of entry 0 merge into one entry, as in a non-streamed answer.
    let details = acc.reasoning_details();
    assert_eq!(details.len(), 1);
    let ReasoningDetailUnion::ReasoningText(merged) = &details[0] else {
        panic!("text detail")
    };
    assert_eq!(merged.text.as_ref(), Some(&"Need the weather.".to_owned()));
    assert_eq!(merged.signature.as_ref(), Some(&"sig".to_owned()));

    let calls = acc.tool_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].id.as_str(), calls[0].function.name.as_str()),
        ("call_a", "get_weather")
    );
    assert_eq!(calls[0].function.arguments, "{\"city\":\"Paris\"}");
    assert_eq!(
        (calls[1].id.as_str(), calls[1].function.arguments.as_str()),
        ("call_b", "{}")
    );

    assert_eq!(acc.finish_reason(), Some(&ChatFinishReasonEnum::ToolCalls));
    let usage = acc.usage().expect("usage from the final chunk");
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.total_tokens
        ),
        (12, 30, 42)
    );
    assert_eq!(acc.cost(), Some(0.00042));

    // The message is ready to go back into the conversation.
    let message = serde_json::to_value(acc.message()).expect("serializes");
    assert_eq!(message["role"], "assistant");
    assert_eq!(message["content"], "Let me check. ");
    assert_eq!(
        message["tool_calls"][0]["function"]["arguments"],
        "{\"city\":\"Paris\"}"
    );
    assert_eq!(message["tool_calls"][1]["id"], "call_b");
    assert_eq!(message["reasoning"], "Need the weather.");
    assert_eq!(
        message["reasoning_details"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn the_accumulator_ignores_other_choices_and_keeps_the_last_usage() {
    let mut acc = ChatStreamAccumulator::new();
    acc.push(&chunk(json!({"choices": [
        {"index": 1, "delta": {"content": "other"}, "finish_reason": null},
        {"index": 0, "delta": {"content": "mine"}, "finish_reason": null}
    ]})));
    acc.push(&chunk(
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}),
    ));
    assert_eq!(acc.content(), "mine");
    assert_eq!(acc.finish_reason(), Some(&ChatFinishReasonEnum::Stop));
    assert_eq!(acc.usage().map(|u| u.total_tokens), Some(3));
    assert_eq!(acc.cost(), None);
    assert!(acc.tool_calls().is_empty());
    assert_eq!(
        serde_json::to_value(acc.message()).expect("serializes"),
        json!({"role": "assistant", "content": "mine"})
    );
}

/// Three streamed fragments of two reasoning entries (one text, one encrypted) merge into the
/// two entries a non-streamed answer has; an entry without an `index` stays as it came.
#[test]
fn streamed_reasoning_fragments_merge_per_index() {
    let mut acc = ChatStreamAccumulator::new();
    let delta = |details: Value| {
        chunk(
            json!({"choices": [{"index": 0, "delta": {"reasoning_details": details}, "finish_reason": null}]}),
        )
    };
    acc.push(&delta(json!([
        {"type": "reasoning.text", "index": 0, "text": "First, ", "format": "anthropic-claude-v1"}
    ])));
    acc.push(&delta(json!([
        {"type": "reasoning.text", "index": 0, "text": "add the numbers.", "signature": null},
        {"type": "reasoning.encrypted", "index": 1, "data": "abc"}
    ])));
    acc.push(&delta(json!([
        {"type": "reasoning.text", "index": 0, "text": "", "signature": "sig-1", "x_new": 7},
        {"type": "reasoning.encrypted", "index": 1, "data": "def"},
        {"type": "reasoning.summary", "summary": "no index"}
    ])));
    let merged: Vec<Value> = acc
        .reasoning_details()
        .iter()
        .map(|d| serde_json::to_value(d).unwrap())
        .collect();
    assert_eq!(
        merged,
        [
            json!({"type": "reasoning.text", "index": 0, "text": "First, add the numbers.",
                   "format": "anthropic-claude-v1", "signature": "sig-1", "x_new": 7}),
            json!({"type": "reasoning.encrypted", "index": 1, "data": "abcdef"}),
            json!({"type": "reasoning.summary", "summary": "no index"}),
        ]
    );
    let message = serde_json::to_value(acc.message()).unwrap();
    assert_eq!(message["reasoning_details"], Value::Array(merged));
}

/// An assistant message with fields, variants and values this version does not know (in the
/// message, its reasoning details, tool calls, content parts and annotations) re-encodes to
/// exactly the JSON received, so sending it back in the next turn loses nothing.
#[test]
fn what_a_conversation_sends_back_survives_the_round_trip() {
    let message = json!({
        "role": "assistant",
        "content": [
            {"type": "text", "text": "It is 21 °C [1].", "x_part_hint": {"a": 1}},
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "ultra"}, "x_seen": true}
        ],
        "reasoning_details": [
            {"type": "reasoning.text", "index": 0, "text": "think", "signature": "s", "x_budget": 3},
            {"type": "reasoning.hologram", "index": 1, "payload": {"deep": [1, 2]}}
        ],
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{}", "x_strict": true}, "x_origin": "server"}
        ],
        "annotations": [
            {"type": "url_citation", "url_citation": {"url": "https://example.com/w", "title": "Weather", "start_index": 0, "end_index": 15, "x_rank": 1}},
            {"type": "file", "file": {"hash": "h1", "name": "a.pdf", "content": [{"type": "text", "text": "page 1"}]}},
            {"type": "video_citation", "video": {"id": "v"}}
        ],
        "x_alignment": {"score": 0.9}
    });
    let answer: openrouter_generated::types::ChatResult = serde_json::from_value(json!({
        "id": "gen-1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]
    }))
    .expect("decodes");
    let echoed = serde_json::to_value(&answer.choices[0].message).expect("encodes");
    assert_eq!(echoed, message);

    // Citations are typed values.
    let annotations = answer.choices[0]
        .message
        .annotations
        .as_deref()
        .unwrap_or_default();
    let ChatAnnotation::UrlCitation(citation) = &annotations[0] else {
        panic!("a url citation: {:?}", annotations[0]);
    };
    assert_eq!(citation.url_citation.url, "https://example.com/w");
    assert_eq!(citation.url_citation.title.as_deref(), Some("Weather"));
    assert!(matches!(&annotations[2], ChatAnnotation::Unknown(_)));
}

/// Citations streamed in the last chunks end up in the accumulated message.
#[test]
fn streamed_annotations_are_collected() {
    let mut acc = ChatStreamAccumulator::new();
    acc.push(&chunk(
        json!({"choices": [{"index": 0, "delta": {"content": "Sunny."}, "finish_reason": null}]}),
    ));
    acc.push(&chunk(
        json!({"choices": [{"index": 0, "delta": {"annotations": [
        {"type": "url_citation", "url_citation": {"url": "https://example.com/w"}}
    ]}, "finish_reason": "stop"}]}),
    ));
    assert_eq!(acc.annotations().len(), 1);
    let message = serde_json::to_value(acc.message()).unwrap();
    assert_eq!(
        message["annotations"],
        json!([{"type": "url_citation", "url_citation": {"url": "https://example.com/w"}}])
    );
}
