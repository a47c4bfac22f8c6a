//! One chat completion: send a conversation, print the answer and what it cost.

use openrouter_generated::chat::ChatMessage;
use openrouter_generated::types::{ChatAssistantMessageContent, ChatRequest};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = openrouter_examples::client()?;
    let request = ChatRequest::new(vec![
        ChatMessage::system("You answer in one short sentence."),
        ChatMessage::user("Why is the sky blue?"),
    ])
    .model(openrouter_examples::model());

    let reply = client.chat().create(request).send().await?;
    for choice in &reply.choices {
        if let Some(ChatAssistantMessageContent::String(text)) = choice.message.content.as_ref() {
            println!("{text}");
        }
    }
    if let Some(usage) = &reply.usage {
        println!("[{} tokens, cost {:?}]", usage.total_tokens, usage.cost);
    }
    Ok(())
}
