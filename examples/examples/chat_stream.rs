//! A streamed chat completion: print text as it arrives, then the usage from the last chunk
//! (OpenRouter always sends usage in the final chunk).

use futures::TryStreamExt;
use openrouter_generated::chat::{ChatMessage, ChatStreamAccumulator};
use openrouter_generated::types::ChatRequest;
use std::io::Write;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = openrouter_examples::client()?;
    let request = ChatRequest::new(vec![ChatMessage::user("Write a haiku about Rust.")])
        .model(openrouter_examples::model());

    let mut stream = client.chat().create(request).stream().await?;
    let mut answer = ChatStreamAccumulator::new();
    while let Some(chunk) = stream.try_next().await? {
        answer.push(&chunk);
        if let Some(text) = chunk
            .choices
            .first()
            .and_then(|c| c.delta.content.as_deref())
        {
            print!("{text}");
            std::io::stdout().flush()?;
        }
    }
    println!();
    println!(
        "[finish: {:?}, cost: {:?}]",
        answer.finish_reason(),
        answer.cost()
    );
    Ok(())
}
