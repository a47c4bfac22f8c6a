//! Files: upload a file from disk, list the stored files page by page, download one back.
//!
//! `cargo run -p openrouter-examples --example files -- path/to/report.pdf application/pdf`

use futures::TryStreamExt;
use openrouter_generated::Upload;
use openrouter_generated::types::{FileResponse, UploadFileRequest};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = openrouter_examples::client()?;
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "Cargo.toml".to_owned());
    let mime = args.next().unwrap_or_else(|| "text/plain".to_owned());

    // The file is read as it is sent (and read again if the upload is retried).
    let uploaded = client
        .files()
        .upload(UploadFileRequest::new(Upload::from_path(&path, mime)))
        .send()
        .await?;
    let id = match &uploaded {
        FileResponse::StoredFile(file) => file.id.clone(),
        FileResponse::OpenAiFile(file) => file.id.clone(),
        other => anyhow::bail!("unexpected answer: {other:?}"),
    };
    println!("uploaded {path} as {id}");

    // Cursor paging: each request sends the cursor the previous page gave.
    let mut files = client.files().list().limit(100).into_paginator().items();
    while let Some(file) = files.try_next().await? {
        if let FileResponse::StoredFile(file) = file {
            println!(
                "{}  {:>10} bytes  {}",
                file.id, file.size_bytes, file.filename
            );
        }
    }

    // The content arrives as a stream of bytes; `save` writes it as it comes.
    let content = client.files().download(&id).send().await?;
    println!(
        "content type {:?}, length {:?}",
        content.content_type(),
        content.content_length()
    );
    let target = std::env::temp_dir().join(format!("{id}.download"));
    let written = content.save(&target).await?;
    println!("wrote {written} bytes to {}", target.display());
    Ok(())
}
