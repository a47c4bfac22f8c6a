//! Embeddings: turn sentences into vectors and compare them.

use openrouter_generated::types::{EmbeddingsInput, EmbeddingsObjectEmbedding, EmbeddingsRequest};

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = openrouter_examples::client()?;
    let model = std::env::var("OPENROUTER_EMBEDDING_MODEL")
        .unwrap_or_else(|_| "openai/text-embedding-3-small".to_owned());
    let sentences = [
        "The cat sleeps on the sofa.",
        "A kitten naps on the couch.",
        "Interest rates rose today.",
    ];
    let input = EmbeddingsInput::StringList(sentences.iter().map(|s| (*s).to_owned()).collect());

    let response = client
        .embeddings()
        .create(EmbeddingsRequest::new(input, model))
        .send()
        .await?;
    let vectors: Vec<Vec<f64>> = response
        .data
        .iter()
        .filter_map(|d| match &d.embedding {
            EmbeddingsObjectEmbedding::List(v) => Some(v.clone()),
            _ => None,
        })
        .collect();
    for (i, a) in vectors.iter().enumerate() {
        for (j, b) in vectors.iter().enumerate().skip(i + 1) {
            println!(
                "{:.3}  {:?} ~ {:?}",
                cosine(a, b),
                sentences[i],
                sentences[j]
            );
        }
    }
    Ok(())
}
