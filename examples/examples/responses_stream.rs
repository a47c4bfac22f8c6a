//! The Responses API, streamed: print text deltas until the response completes.

use futures::TryStreamExt;
use openrouter_generated::types::{Inputs, ResponsesRequest, StreamEvents};
use std::io::Write;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = openrouter_examples::client()?;
    let request = ResponsesRequest::new()
        .model(openrouter_examples::model())
        .input(Inputs::String(
            "Name three prime numbers and say why they are prime.".to_owned(),
        ));

    let mut events = client.responses().create(request).stream().await?;
    while let Some(event) = events.try_next().await? {
        match event {
            StreamEvents::ResponseOutputTextDelta(delta) => {
                print!("{}", delta.delta);
                std::io::stdout().flush()?;
            }
            StreamEvents::ResponseCompleted(done) => {
                println!();
                println!("[completed: {}]", done.response.id);
            }
            // Events this example does not need, and event types newer than this crate.
            _ => {}
        }
    }
    Ok(())
}
