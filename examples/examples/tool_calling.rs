//! Tool calling with a streamed tool call: the model asks for a tool, the call is assembled
//! from its stream deltas, the tool runs here, and its result goes back for the final answer.

use futures::TryStreamExt;
use openrouter_generated::chat::{ChatMessage, ChatStreamAccumulator};
use openrouter_generated::types::{
    ChatFunctionTool, ChatFunctionToolFunction, ChatFunctionToolFunctionFunction, ChatRequest,
};
use serde_json::json;

/// The tool: a weather lookup that always finds mild weather.
fn get_weather(arguments: &str) -> String {
    let city = serde_json::from_str::<serde_json::Value>(arguments)
        .ok()
        .and_then(|v| v.get("city").and_then(|c| c.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "somewhere".to_owned());
    json!({"city": city, "temperature_c": 21, "sky": "clear"}).to_string()
}

fn weather_tool() -> anyhow::Result<ChatFunctionTool> {
    let parameters: std::collections::BTreeMap<String, serde_json::Value> =
        serde_json::from_value(json!({
            "type": "object",
            "properties": {"city": {"type": "string", "description": "City name"}},
            "required": ["city"]
        }))?;
    let function = ChatFunctionToolFunctionFunction::new("get_weather")
        .description("Current weather in a city")
        .parameters(parameters);
    Ok(ChatFunctionToolFunction::new(function).into())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = openrouter_examples::client()?;
    let mut messages = vec![ChatMessage::user(
        "What is the weather in Lisbon? Use the tool.",
    )];
    let tools = vec![weather_tool()?];

    for _round in 0..3 {
        let request = ChatRequest::new(messages.clone())
            .model(openrouter_examples::model())
            .tools(tools.clone());
        let mut stream = client.chat().create(request).stream().await?;
        let mut answer = ChatStreamAccumulator::new();
        while let Some(chunk) = stream.try_next().await? {
            answer.push(&chunk);
        }
        let calls = answer.tool_calls();
        messages.push(answer.message().into());
        if calls.is_empty() {
            println!("{}", answer.content());
            return Ok(());
        }
        for call in calls {
            println!(
                "[tool call {} {}({})]",
                call.id, call.function.name, call.function.arguments
            );
            let result = get_weather(&call.function.arguments);
            messages.push(ChatMessage::tool_result(call.id, result));
        }
    }
    anyhow::bail!("the model kept calling tools")
}
