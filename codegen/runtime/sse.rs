//! Server-sent events: a spec-conformant incremental decoder and `EventStream<T>`, the typed
//! stream a streaming operation returns.
//!
//! The decoder follows the WHATWG event-stream rules: lines end in LF, CR or CRLF; `data:` lines
//! of one event are joined with `\n`; `event:`, `id:` and `retry:` fields are kept; lines that
//! start with `:` are comments (OpenRouter sends `: OPENROUTER PROCESSING` as a keep-alive); a
//! blank line ends an event. Bytes may arrive split anywhere, even inside a UTF-8 character.
//! One event may hold at most `max_event_size` bytes; past that the decoder fails.

use crate::error::{Error, Result};
use bytes::{Bytes, BytesMut};
use futures_util::stream::{BoxStream, Stream};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The default cap on one event's size: 16 MiB.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SseEvent {
    /// The `event:` field, if the event had one.
    pub event: Option<String>,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
    /// The last `id:` seen so far (it carries over to later events, as the standard says).
    pub id: Option<String>,
    /// A `retry:` reconnection time in milliseconds, if this event set one.
    pub retry: Option<u64>,
}

/// Incremental event-stream decoder: feed it bytes, take complete events out.
#[derive(Debug)]
pub struct SseDecoder {
    line: BytesMut,
    /// The previous chunk ended in CR: an LF at the start of the next one belongs to it.
    after_cr: bool,
    data: String,
    has_data: bool,
    event: Option<String>,
    last_id: Option<String>,
    retry: Option<u64>,
    pending: usize,
    max_event_size: usize,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_EVENT_SIZE)
    }
}

impl SseDecoder {
    /// A decoder that refuses events larger than `max_event_size` bytes.
    pub fn new(max_event_size: usize) -> Self {
        Self {
            line: BytesMut::new(),
            after_cr: false,
            data: String::new(),
            has_data: false,
            event: None,
            last_id: None,
            retry: None,
            pending: 0,
            max_event_size,
        }
    }

    /// Decodes `chunk`, appending every event it completes to `out`.
    pub fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<()> {
        // An empty chunk must not forget a CR that ended the previous one.
        if chunk.is_empty() {
            return Ok(());
        }
        if self.after_cr {
            self.after_cr = false;
            if chunk.first() == Some(&b'\n') {
                chunk = &chunk[1..];
            }
        }
        while let Some(end) = chunk.iter().position(|b| *b == b'\n' || *b == b'\r') {
            self.grow(end)?;
            self.line.extend_from_slice(&chunk[..end]);
            let line = self.line.split().freeze();
            self.process_line(&line, out);
            if chunk[end] == b'\r' {
                match chunk.get(end + 1) {
                    Some(b'\n') => chunk = &chunk[end + 2..],
                    Some(_) => chunk = &chunk[end + 1..],
                    None => {
                        self.after_cr = true;
                        chunk = &[];
                    }
                }
            } else {
                chunk = &chunk[end + 1..];
            }
        }
        self.grow(chunk.len())?;
        self.line.extend_from_slice(chunk);
        Ok(())
    }

    fn grow(&mut self, more: usize) -> Result<()> {
        self.pending = self.pending.saturating_add(more);
        if self.pending > self.max_event_size {
            return Err(Error::Stream(format!(
                "an event is larger than the {} byte limit (RequestOptions::max_event_size)",
                self.max_event_size
            )));
        }
        Ok(())
    }

    fn process_line(&mut self, line: &[u8], out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (name, value) = match line.iter().position(|b| *b == b':') {
            Some(i) => {
                let value = &line[i + 1..];
                (&line[..i], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        let value = String::from_utf8_lossy(value);
        match name {
            b"data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(&value);
                self.has_data = true;
            }
            b"event" => self.event = Some(value.into_owned()),
            b"id" if !value.contains('\0') => self.last_id = Some(value.into_owned()),
            b"retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok();
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        self.pending = 0;
        let event = self.event.take();
        let retry = self.retry.take();
        if !self.has_data {
            self.data.clear();
            return;
        }
        self.has_data = false;
        out.push(SseEvent {
            event,
            data: std::mem::take(&mut self.data),
            id: self.last_id.clone(),
            retry,
        });
    }
}

/// How a protocol on top of SSE ends and reports errors.
#[derive(Debug, Clone, Copy, Default)]
pub struct StreamProtocol {
    /// A `data` payload that ends the stream (`[DONE]` for chat and text completions).
    pub done: Option<&'static str>,
    /// Event types (the `event:` field or the payload's `type`) after which the stream is complete.
    pub terminal: &'static [&'static str],
}

impl StreamProtocol {
    fn has_end(&self) -> bool {
        self.done.is_some() || !self.terminal.is_empty()
    }
}

/// The `type` of an event payload, read without building a JSON tree.
#[derive(serde::Deserialize)]
struct EventKind<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<std::borrow::Cow<'a, str>>,
}

/// A typed stream of events from a streaming operation.
///
/// Yields each event decoded as `T`. An error the server sends inside the stream is yielded as
/// `Error::Api` and ends the stream; so does a connection that closes before the protocol's
/// end (`[DONE]` or a terminal event), as `Error::Stream`. Dropping the stream closes the
/// connection.
pub struct EventStream<T> {
    body: BoxStream<'static, reqwest::Result<Bytes>>,
    decoder: SseDecoder,
    queue: VecDeque<SseEvent>,
    protocol: StreamProtocol,
    status: StatusCode,
    headers: HeaderMap,
    idle_timeout: Option<Duration>,
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
    complete: bool,
    finished: bool,
    scratch: Vec<SseEvent>,
    /// The call's tracing span and the events yielded, for the stream's end event.
    span: crate::trace::CallSpan,
    events: u64,
    _item: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.status)
            .field("protocol", &self.protocol)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> EventStream<T> {
    /// A typed stream over raw body bytes.
    pub fn new(
        body: impl Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
        protocol: StreamProtocol,
        status: StatusCode,
        headers: HeaderMap,
        idle_timeout: Option<Duration>,
        max_event_size: usize,
    ) -> Self {
        Self {
            body: Box::pin(body),
            decoder: SseDecoder::new(max_event_size),
            queue: VecDeque::new(),
            protocol,
            status,
            headers,
            idle_timeout,
            idle: None,
            complete: false,
            finished: false,
            scratch: Vec::new(),
            span: crate::trace::none(),
            events: 0,
            _item: PhantomData,
        }
    }

    /// Attaches the call's tracing span (which then records how the stream ended).
    pub(crate) fn traced(mut self, span: crate::trace::CallSpan) -> Self {
        self.span = span;
        self
    }

    /// Status of the response that carries the stream.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Headers of the response that carries the stream.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    fn fail(&mut self, error: Error) -> Poll<Option<Result<T>>> {
        self.finished = true;
        crate::trace::stream_ended(&self.span, self.events, &error);
        Poll::Ready(Some(Err(error)))
    }

    /// Turns one event into an item, an error, or nothing (the end sentinel).
    fn take(&mut self, event: SseEvent) -> Option<Result<T>> {
        let data = event.data.as_str();
        if self.protocol.done.is_some_and(|done| data.trim() == done) {
            self.complete = true;
            self.finished = true;
            crate::trace::stream_ended(&self.span, self.events, &"complete");
            return None;
        }
        // Every in-band error shape has the JSON string "error" in it (a key or a value); only
        // then is the event read a second time, as a JSON tree.
        if data.contains("\"error\"") {
            if let Ok(value) = serde_json::from_str::<Value>(data) {
                if let Some(api) =
                    crate::error::in_band_error(&value, self.status, &self.headers, data.as_bytes())
                {
                    self.finished = true;
                    crate::trace::stream_ended(&self.span, self.events, &"error event");
                    return Some(Err(api.into()));
                }
            }
        }
        if !self.protocol.terminal.is_empty() {
            let named = event
                .event
                .as_deref()
                .filter(|e| !e.is_empty() && *e != "message");
            let kind = match named {
                Some(name) => Some(std::borrow::Cow::Borrowed(name)),
                None => serde_json::from_str::<EventKind<'_>>(data)
                    .ok()
                    .and_then(|k| k.kind),
            };
            if kind.is_some_and(|k| self.protocol.terminal.contains(&k.as_ref())) {
                self.complete = true;
            }
        }
        match serde_json::from_str(data) {
            Ok(item) => {
                self.events += 1;
                Some(Ok(item))
            }
            Err(source) => Some(Err(self.decode_error(event, source))),
        }
    }

    fn decode_error(&mut self, event: SseEvent, source: serde_json::Error) -> Error {
        self.finished = true;
        Error::Decode {
            status: self.status,
            headers: Box::new(self.headers.clone()),
            body: Bytes::from(event.data),
            source,
        }
    }
}

impl<T: DeserializeOwned> Stream for EventStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.finished {
                return Poll::Ready(None);
            }
            if let Some(event) = this.queue.pop_front() {
                match this.take(event) {
                    Some(item) => return Poll::Ready(Some(item)),
                    None => continue,
                }
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    this.idle = None;
                    let mut events = std::mem::take(&mut this.scratch);
                    let fed = this.decoder.feed(&chunk, &mut events);
                    this.queue.extend(events.drain(..));
                    this.scratch = events;
                    if let Err(error) = fed {
                        return this.fail(error);
                    }
                }
                Poll::Ready(Some(Err(error))) => {
                    return this.fail(Error::Stream(format!(
                        "the connection failed mid-stream: {}",
                        error.without_url()
                    )));
                }
                Poll::Ready(None) => {
                    this.finished = true;
                    if this.protocol.has_end() && !this.complete {
                        let mut ends: Vec<String> = this
                            .protocol
                            .done
                            .iter()
                            .map(|done| format!("`{done}`"))
                            .collect();
                        if !this.protocol.terminal.is_empty() {
                            ends.push(format!(
                                "a terminal event ({})",
                                this.protocol.terminal.join(", ")
                            ));
                        }
                        let end = ends.join(" or ");
                        return this.fail(Error::Stream(format!(
                            "the connection closed before {end}; the answer is incomplete"
                        )));
                    }
                    crate::trace::stream_ended(&this.span, this.events, &"closed");
                    return Poll::Ready(None);
                }
                Poll::Pending => {
                    if let Some(limit) = this.idle_timeout {
                        let timer = this
                            .idle
                            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                        if timer.as_mut().poll(cx).is_ready() {
                            return this.fail(Error::Timeout {
                                phase: crate::error::TimeoutPhase::StreamIdle,
                                limit,
                            });
                        }
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}
