//! Helpers for the chat completions API: message and content-part constructors, and
//! `ChatStreamAccumulator`, which folds a chat stream into the final message.
//!
//! Emitted when the document defines the chat types these helpers use.

use crate::types::{
    ChatAnnotation, ChatAssistantMessage, ChatAssistantMessageContent, ChatContentImage,
    ChatContentImageImageUrl, ChatContentItems, ChatContentText, ChatDeveloperMessage,
    ChatFinishReasonEnum, ChatMessages, ChatStreamChunk, ChatSystemMessage, ChatToolCall,
    ChatToolCallFunction, ChatToolMessage, ChatUsage, ChatUserMessage, ReasoningDetailUnion,
};

/// A chat message (the API's `ChatMessages` union), with constructors for each role.
pub type ChatMessage = ChatMessages;

impl ChatMessages {
    /// A system message.
    pub fn system(text: impl Into<String>) -> Self {
        Self::System(ChatSystemMessage::new(text.into()))
    }

    /// A developer message (instructions with priority over the user's).
    pub fn developer(text: impl Into<String>) -> Self {
        Self::Developer(ChatDeveloperMessage::new(text.into()))
    }

    /// A user message of plain text.
    pub fn user(text: impl Into<String>) -> Self {
        Self::User(ChatUserMessage::new(text.into()))
    }

    /// A user message made of content parts (text, images, audio, files, ...).
    pub fn user_parts(parts: impl IntoIterator<Item = ChatContentItems>) -> Self {
        Self::User(ChatUserMessage::new(parts.into_iter().collect::<Vec<_>>()))
    }

    /// An assistant message of plain text (a previous answer, replayed as history).
    pub fn assistant(text: impl Into<String>) -> Self {
        Self::Assistant(
            ChatAssistantMessage::new()
                .content(Some(ChatAssistantMessageContent::String(text.into()))),
        )
    }

    /// The result of a tool call, answering the call with id `tool_call_id`.
    pub fn tool_result(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self::Tool(ChatToolMessage::new(content.into(), tool_call_id))
    }
}

impl ChatContentItems {
    /// A text part.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(ChatContentText::new(text))
    }

    /// An image part from a web address or a `data:` URL.
    pub fn image_url(url: impl Into<String>) -> Self {
        Self::ImageUrl(ChatContentImage::new(ChatContentImageImageUrl::new(url)))
    }
}

/// A tool call being assembled from stream deltas.
#[derive(Debug, Clone, Default, PartialEq)]
struct PartialToolCall {
    index: i64,
    id: String,
    name: String,
    arguments: String,
}

/// Folds the chunks of a chat stream (first choice) into the final answer.
///
/// Text, reasoning and refusal deltas are concatenated. `reasoning_details` fragments are merged
/// by `index` into the entries a non-streamed answer has: fragments of one entry (same `index`
/// and `type`) have their `text`, `summary` and `data` concatenated, and their other fields
/// (`signature`, `id`, `format`, fields this version does not know) taken from the latest
/// fragment that has them; entries without an `index` are kept as they came. Tool calls are
/// assembled from their deltas by `index` (the id and name arrive once, the arguments in
/// pieces). Annotations (web citations) are collected in order. The finish reason, usage and
/// cost come from the chunks that carry them (usage normally from the final chunk).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatStreamAccumulator {
    id: Option<String>,
    model: Option<String>,
    content: String,
    reasoning: String,
    refusal: String,
    /// Merged entries, as JSON so that fields and types this version does not know survive.
    reasoning_details: Vec<serde_json::Value>,
    annotations: Vec<ChatAnnotation>,
    tool_calls: Vec<PartialToolCall>,
    finish_reason: Option<ChatFinishReasonEnum>,
    usage: Option<ChatUsage>,
    chunks: usize,
}

impl ChatStreamAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one chunk.
    pub fn push(&mut self, chunk: &ChatStreamChunk) {
        self.chunks += 1;
        self.id.get_or_insert_with(|| chunk.id.clone());
        self.model.get_or_insert_with(|| chunk.model.clone());
        if let Some(usage) = &chunk.usage {
            self.usage = Some(usage.clone());
        }
        let Some(choice) = chunk.choices.iter().find(|c| c.index == 0) else {
            return;
        };
        if let Some(reason) = &choice.finish_reason {
            self.finish_reason = Some(reason.clone());
        }
        let delta = &choice.delta;
        if let Some(text) = &delta.content {
            self.content.push_str(text);
        }
        if let Some(text) = &delta.reasoning {
            self.reasoning.push_str(text);
        }
        if let Some(text) = &delta.refusal {
            self.refusal.push_str(text);
        }
        for detail in delta.reasoning_details.iter().flatten() {
            // Serializing a decoded entry gives back the JSON received (unknown fields kept).
            if let Ok(fragment) = serde_json::to_value(detail) {
                merge_reasoning_detail(&mut self.reasoning_details, fragment);
            }
        }
        if let Some(annotations) = &delta.annotations {
            self.annotations.extend(annotations.iter().cloned());
        }
        for call in delta.tool_calls.iter().flatten() {
            let position = match self.tool_calls.iter().position(|c| c.index == call.index) {
                Some(position) => position,
                None => {
                    self.tool_calls.push(PartialToolCall {
                        index: call.index,
                        ..PartialToolCall::default()
                    });
                    self.tool_calls.len() - 1
                }
            };
            let entry = &mut self.tool_calls[position];
            if let Some(id) = call.id.as_ref().filter(|id| !id.is_empty()) {
                entry.id = id.clone();
            }
            if let Some(function) = &call.function {
                if let Some(name) = function.name.as_ref().filter(|name| !name.is_empty()) {
                    entry.name = name.clone();
                }
                if let Some(arguments) = &function.arguments {
                    entry.arguments.push_str(arguments);
                }
            }
        }
    }

    /// How many chunks were added.
    pub fn chunks(&self) -> usize {
        self.chunks
    }

    /// The generation id (from the first chunk).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The model that answered (from the first chunk).
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// The text so far.
    pub fn content(&self) -> &str {
        &self.content
    }

    /// The reasoning text so far.
    pub fn reasoning(&self) -> &str {
        &self.reasoning
    }

    /// The structured reasoning entries, fragments merged by `index`.
    pub fn reasoning_details(&self) -> Vec<ReasoningDetailUnion> {
        self.reasoning_details
            .iter()
            .map(|entry| {
                serde_json::from_value(entry.clone())
                    .unwrap_or_else(|_| ReasoningDetailUnion::Unknown(entry.clone()))
            })
            .collect()
    }

    /// The annotations so far (web citations and parsed files), in the order they came.
    pub fn annotations(&self) -> &[ChatAnnotation] {
        &self.annotations
    }

    /// The tool calls assembled so far, ordered by their `index`.
    pub fn tool_calls(&self) -> Vec<ChatToolCall> {
        let mut calls = self.tool_calls.clone();
        calls.sort_by_key(|c| c.index);
        calls
            .into_iter()
            .map(|c| ChatToolCall::new(c.id, ChatToolCallFunction::new(c.name, c.arguments)))
            .collect()
    }

    /// Why the generation stopped, once a chunk said so.
    pub fn finish_reason(&self) -> Option<&ChatFinishReasonEnum> {
        self.finish_reason.as_ref()
    }

    /// Token usage, once a chunk carried it (normally the last one).
    pub fn usage(&self) -> Option<&ChatUsage> {
        self.usage.as_ref()
    }

    /// The cost in credits, from the usage.
    pub fn cost(&self) -> Option<f64> {
        self.usage.as_ref().and_then(|u| u.cost)
    }

    /// The answer as an assistant message, ready to be appended to the conversation.
    pub fn message(&self) -> ChatAssistantMessage {
        let mut message = ChatAssistantMessage::new();
        if !self.content.is_empty() || self.tool_calls.is_empty() {
            message = message.content(Some(ChatAssistantMessageContent::String(
                self.content.clone(),
            )));
        }
        if !self.reasoning.is_empty() {
            message = message.reasoning(Some(self.reasoning.clone()));
        }
        if !self.refusal.is_empty() {
            message = message.refusal(Some(self.refusal.clone()));
        }
        if !self.reasoning_details.is_empty() {
            message = message.reasoning_details(self.reasoning_details());
        }
        if !self.annotations.is_empty() {
            message = message.annotations(self.annotations.clone());
        }
        if !self.tool_calls.is_empty() {
            message = message.tool_calls(self.tool_calls());
        }
        message
    }
}

/// Adds one streamed `reasoning_details` fragment to the merged entries (see
/// [`ChatStreamAccumulator`]).
fn merge_reasoning_detail(entries: &mut Vec<serde_json::Value>, fragment: serde_json::Value) {
    let key = |v: &serde_json::Value| {
        (
            v.get("index").and_then(serde_json::Value::as_i64),
            v.get("type").cloned(),
        )
    };
    let (index, kind) = key(&fragment);
    let existing = match index {
        Some(_) => entries.iter_mut().find(|e| key(e) == (index, kind.clone())),
        None => None,
    };
    let (Some(existing), serde_json::Value::Object(fragment)) = (existing, &fragment) else {
        entries.push(fragment);
        return;
    };
    let Some(existing) = existing.as_object_mut() else {
        return;
    };
    for (name, value) in fragment {
        match (name.as_str(), existing.get_mut(name), value) {
            (
                "text" | "summary" | "data",
                Some(serde_json::Value::String(so_far)),
                serde_json::Value::String(more),
            ) => {
                so_far.push_str(more);
            }
            (_, _, serde_json::Value::Null) => {
                existing
                    .entry(name.clone())
                    .or_insert(serde_json::Value::Null);
            }
            (_, _, value) => {
                existing.insert(name.clone(), value.clone());
            }
        }
    }
}
