//! `ByteStream`: a binary answer (a file, audio, a video) read as it arrives.

use crate::error::{Error, Result, TimeoutPhase};
use bytes::{Bytes, BytesMut};
use futures_util::stream::{BoxStream, Stream, StreamExt};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The body of a binary answer as a `Stream` of chunks, with the answer's status and headers.
///
/// Nothing is buffered: each chunk is yielded as it arrives, and dropping the stream closes the
/// connection. The wait for each chunk is bounded by the stream idle timeout (default 180 s);
/// there is no total timeout, so a large download may take as long as it needs.
/// [`bytes`](Self::bytes) collects the body in memory and [`save`](Self::save) writes it to a
/// file.
pub struct ByteStream {
    status: StatusCode,
    headers: HeaderMap,
    body: BoxStream<'static, reqwest::Result<Bytes>>,
    idle_timeout: Duration,
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
    done: bool,
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteStream")
            .field("status", &self.status)
            .field("content_type", &self.content_type())
            .field("content_length", &self.content_length())
            .finish_non_exhaustive()
    }
}

impl ByteStream {
    pub(crate) fn new(response: reqwest::Response, idle_timeout: Duration) -> Self {
        Self {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.bytes_stream().boxed(),
            idle_timeout,
            idle: None,
            done: false,
        }
    }

    /// A body already read (a JSON answer where bytes were expected).
    pub(crate) fn from_bytes(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body: futures_util::stream::once(async move { Ok(body) }).boxed(),
            idle_timeout: Duration::from_secs(24 * 60 * 60),
            idle: None,
            done: false,
        }
    }

    /// The status of the answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers of the answer.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The media type the server gave (`audio/mpeg`, `video/mp4`, ...), parameters included.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// The body's length in bytes, when the server declared it.
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
    }

    /// Reads the whole body into memory. Fails with `Error::ResponseTooLarge` once it passes
    /// `limit` bytes (before reading anything when the declared length already does).
    pub async fn bytes(mut self, limit: usize) -> Result<Bytes> {
        let too_large = |this: &Self| Error::ResponseTooLarge {
            status: this.status,
            headers: Box::new(this.headers.clone()),
            limit,
        };
        if self.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large(&self));
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            if body.len() + chunk.len() > limit {
                return Err(too_large(&self));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }

    /// Writes the body to a file (created or truncated) as it arrives; returns the number of
    /// bytes written. A failure part way leaves a partial file behind.
    pub async fn save(mut self, path: impl AsRef<Path>) -> Result<u64> {
        use tokio::io::AsyncWriteExt;
        let path = path.as_ref();
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = tokio::fs::File::create(path).await.map_err(io)?;
        let mut written = 0u64;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            file.write_all(&chunk).await.map_err(io)?;
            written += chunk.len() as u64;
        }
        file.flush().await.map_err(io)?;
        Ok(written)
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match this.body.poll_next_unpin(cx) {
            Poll::Ready(item) => {
                this.idle = None;
                match item {
                    Some(Ok(chunk)) => Poll::Ready(Some(Ok(chunk))),
                    Some(Err(error)) => {
                        this.done = true;
                        Poll::Ready(Some(Err(Error::Transport(error.without_url()))))
                    }
                    None => {
                        this.done = true;
                        Poll::Ready(None)
                    }
                }
            }
            Poll::Pending => {
                let limit = this.idle_timeout;
                let timer = this
                    .idle
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                if timer.as_mut().poll(cx).is_ready() {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Timeout {
                        phase: TimeoutPhase::StreamIdle,
                        limit,
                    })));
                }
                Poll::Pending
            }
        }
    }
}
