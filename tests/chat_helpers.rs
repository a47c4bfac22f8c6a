//! The chat helpers of the generated crate: message constructors serialize to the API's
//! shapes, and `ChatStreamAccumulator` folds a stream into the final answer.

use openrouter_generated::chat::{ChatMessage, ChatStreamAccumulator};
use openrouter_generated::types::{
    ChatContentItems, ChatFinishReasonEnum, ChatMessages, ChatStreamChunk, ReasoningDetailUnion,
};
use serde_json::{Value, json};

fn to_json(message: &ChatMessages) -> Value {
    serde_json::to_value(message).expect("serializes")
}

#[test]
fn message_constructors_serialize_to_the_api_shapes() {
    assert_eq!(to_json(&ChatMessage::system("be brief")), json!({"role": "system", "content": "be brief"}));
    assert_eq!(to_json(&ChatMessage::developer("use tools")), json!({"role": "developer", "content": "use tools"}));
    assert_eq!(to_json(&ChatMessage::user("hi")), json!({"role": "user", "content": "hi"}));
    assert_eq!(to_json(&ChatMessage::assistant("hello")), json!({"role": "assistant", "content": "hello"}));
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
    let back: ChatMessages = serde_json::from_value(to_json(&ChatMessage::user("hi"))).expect("decodes");
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
        delta(json!({"role": "assistant", "reasoning": "Need the ", "reasoning_details": [
            {"type": "reasoning.text", "text": "Need the ", "index": 0}
        ]})),
        delta(json!({"reasoning": "weather.", "reasoning_details": [
            {"type": "reasoning.text", "text": "weather.", "signature": "sig", "index": 0}
        ]})),
        delta(json!({"content": "Let me check"})),
        delta(json!({"content": ". "})),
        delta(json!({"tool_calls": [{"index": 0, "id": "call_a", "type": "function",
            "function": {"name": "get_weather", "arguments": ""}}]})),
        delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\":"}}]})),
        delta(json!({"tool_calls": [{"index": 1, "id": "call_b", "type": "function",
            "function": {"name": "get_time", "arguments": "{}"}}]})),
        delta(json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}}]})),
        chunk(json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})),
        chunk(json!({"choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42, "cost": 0.00042}})),
    ];
    for c in &chunks {
        acc.push(c);
    }
    assert_eq!(acc.chunks(), chunks.len());
    assert_eq!(acc.id(), Some("gen-1"));
    assert_eq!(acc.content(), "Let me check. ");
    assert_eq!(acc.reasoning(), "Need the weather.");
    // reasoning_details are kept as they arrived, not merged.
    assert_eq!(acc.reasoning_details().len(), 2);
    let ReasoningDetailUnion::ReasoningText(last) = &acc.reasoning_details()[1] else { panic!("text detail") };
    assert_eq!(last.signature.as_ref(), Some(&"sig".to_owned()));

    let calls = acc.tool_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!((calls[0].id.as_str(), calls[0].function.name.as_str()), ("call_a", "get_weather"));
    assert_eq!(calls[0].function.arguments, "{\"city\":\"Paris\"}");
    assert_eq!((calls[1].id.as_str(), calls[1].function.arguments.as_str()), ("call_b", "{}"));

    assert_eq!(acc.finish_reason(), Some(&ChatFinishReasonEnum::ToolCalls));
    let usage = acc.usage().expect("usage from the final chunk");
    assert_eq!((usage.prompt_tokens, usage.completion_tokens, usage.total_tokens), (12, 30, 42));
    assert_eq!(acc.cost(), Some(0.00042));

    // The message is ready to go back into the conversation.
    let message = serde_json::to_value(acc.message()).expect("serializes");
    assert_eq!(message["role"], "assistant");
    assert_eq!(message["content"], "Let me check. ");
    assert_eq!(message["tool_calls"][0]["function"]["arguments"], "{\"city\":\"Paris\"}");
    assert_eq!(message["tool_calls"][1]["id"], "call_b");
    assert_eq!(message["reasoning"], "Need the weather.");
    assert_eq!(message["reasoning_details"].as_array().map(Vec::len), Some(2));
}

#[test]
fn the_accumulator_ignores_other_choices_and_keeps_the_last_usage() {
    let mut acc = ChatStreamAccumulator::new();
    acc.push(&chunk(json!({"choices": [
        {"index": 1, "delta": {"content": "other"}, "finish_reason": null},
        {"index": 0, "delta": {"content": "mine"}, "finish_reason": null}
    ]})));
    acc.push(&chunk(json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}})));
    assert_eq!(acc.content(), "mine");
    assert_eq!(acc.finish_reason(), Some(&ChatFinishReasonEnum::Stop));
    assert_eq!(acc.usage().map(|u| u.total_tokens), Some(3));
    assert_eq!(acc.cost(), None);
    assert!(acc.tool_calls().is_empty());
    assert_eq!(serde_json::to_value(acc.message()).expect("serializes"), json!({"role": "assistant", "content": "mine"}));
}
