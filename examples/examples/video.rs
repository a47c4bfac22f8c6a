//! Video generation: start a job, wait for it with growing pauses, download the video.
//!
//! `cargo run -p openrouter-examples --example video -- "a paper boat on a rainy street"`

use openrouter_generated::types::{VideoGenerationRequest, VideoGenerationResponse};
use openrouter_generated::{Error, WaitOptions};
use std::time::Duration;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = openrouter_examples::client()?;
    let prompt = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "a paper boat on a rainy street".to_owned());
    let model =
        std::env::var("OPENROUTER_VIDEO_MODEL").unwrap_or_else(|_| "google/veo-3.1".to_owned());

    let job = client
        .video_generation()
        .create(
            VideoGenerationRequest::new(model)
                .prompt(prompt)
                .duration(4),
        )
        .send()
        .await?;
    println!("job {} is {}", job.id, job.status);

    let wait = WaitOptions::new()
        .interval(Duration::from_secs(5))
        .timeout(Duration::from_secs(20 * 60));
    let done = match client.video_generation().get(&job.id).wait(wait).await {
        Ok(done) => done,
        Err(error @ Error::JobFailed { .. }) => {
            let last = error.job::<VideoGenerationResponse>();
            anyhow::bail!("{error} (last state: {last:?})");
        }
        Err(other) => return Err(other.into()),
    };
    println!(
        "finished; cost {:?}",
        done.usage.as_ref().and_then(|u| u.cost)
    );

    let video = client.video_generation().download(&job.id).send().await?;
    let target = std::env::temp_dir().join(format!("{}.mp4", job.id));
    let written = video.save(&target).await?;
    println!("wrote {written} bytes to {}", target.display());
    Ok(())
}
