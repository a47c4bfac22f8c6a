//! Guardrails: create one with a spending limit, assign API keys to it, list and remove the
//! assignments, delete it. Needs a management key.
//!
//! `cargo run -p openrouter-examples --example guardrails -- <key-hash>...`

use futures::TryStreamExt;
use openrouter_generated::types::{
    CreateGuardrailRequest, GuardrailInterval, GuardrailKeysRequest, UpdateGuardrailRequest,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = openrouter_examples::client()?;
    let key_hashes: Vec<String> = std::env::args().skip(1).collect();

    let request = CreateGuardrailRequest::new("example: 10 USD a month")
        .limit_usd(Some(10.0))
        .reset_interval(GuardrailInterval::Monthly);
    let guardrail = client.guardrails().create(request).send().await?.data;
    println!("created guardrail {} ({})", guardrail.id, guardrail.name);

    // `None` sends `null`: the description is cleared, other fields stay as they are.
    client
        .guardrails()
        .update(
            &guardrail.id,
            UpdateGuardrailRequest::new().description(None),
        )
        .send()
        .await?;

    if !key_hashes.is_empty() {
        let assigned = client
            .guardrails()
            .assign_keys(&guardrail.id, GuardrailKeysRequest::new(key_hashes.clone()))
            .send()
            .await?;
        println!("assigned {} keys", assigned.assigned_count);
    }
    let mut assignments = client
        .guardrails()
        .list_key_assignments(&guardrail.id)
        .into_paginator()
        .items();
    while let Some(assignment) = assignments.try_next().await? {
        println!("key {} is under the guardrail", assignment.key_hash);
    }
    if !key_hashes.is_empty() {
        client
            .guardrails()
            .unassign_keys(&guardrail.id, GuardrailKeysRequest::new(key_hashes))
            .send()
            .await?;
    }
    client.guardrails().delete(&guardrail.id).send().await?;
    println!("deleted guardrail {}", guardrail.id);
    Ok(())
}
