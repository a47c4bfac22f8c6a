//! Audio: transcribe a recording (uploaded as a file) and synthesize speech into a file.
//!
//! `cargo run -p openrouter-examples --example audio -- recording.wav`

use openrouter_generated::Upload;
use openrouter_generated::types::{SpeechRequest, TranscriptionFileRequest};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = openrouter_examples::client()?;
    let recording = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "recording.wav".to_owned());
    let stt_model = std::env::var("OPENROUTER_STT_MODEL")
        .unwrap_or_else(|_| "openai/whisper-large-v3".to_owned());
    let tts_model = std::env::var("OPENROUTER_TTS_MODEL")
        .unwrap_or_else(|_| "openai/gpt-4o-mini-tts".to_owned());

    let upload = Upload::from_path(&recording, "audio/wav");
    let transcript = client
        .audio()
        .transcribe_file(TranscriptionFileRequest::new(stt_model).file(upload))
        .send()
        .await?;
    println!("transcript: {}", transcript.text);

    let speech = client
        .audio()
        .speak(SpeechRequest::new(tts_model, "Hello from Rust.").voice("alloy"))
        .send()
        .await?;
    let media = speech.content_type().unwrap_or("audio/mpeg").to_owned();
    let target = std::env::temp_dir().join("openrouter-speech.audio");
    let written = speech.save(&target).await?;
    println!("wrote {written} bytes of {media} to {}", target.display());
    Ok(())
}
