//! Shared set-up for the examples in `examples/`: a client from the environment and the model.
//!
//! Every example reads `OPENROUTER_API_KEY`, honours `OPENROUTER_BASE_URL` (a proxy or a local
//! mock) and `OPENROUTER_MODEL` (default `openai/gpt-4o-mini`). Run one with
//! `cargo run -p openrouter-examples --example chat_stream`.

use openrouter_generated::Client;

/// A client configured from the environment, with attribution headers for the examples.
pub fn client() -> anyhow::Result<Client> {
    let client = Client::builder()
        .from_env()?
        .app_url("https://github.com/openrouter-rust/examples")
        .app_title("openrouter-generated examples")
        .build()?;
    Ok(client)
}

/// The model to use: `OPENROUTER_MODEL`, or a small default.
pub fn model() -> String {
    std::env::var("OPENROUTER_MODEL").unwrap_or_else(|_| "openai/gpt-4o-mini".to_owned())
}
