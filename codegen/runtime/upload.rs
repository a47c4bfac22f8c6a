//! `Upload`: a file sent as one part of a `multipart/form-data` body.

use crate::error::{Error, Result};
use bytes::Bytes;
use futures_util::stream::{Stream, TryStreamExt};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A file part: its content, the file name and the media type the server sees.
///
/// The content comes from memory ([`Upload::new`]), from a file read at send time
/// ([`Upload::from_path`]) or from a stream ([`Upload::from_stream`]). Bytes and files are sent
/// again on a retry (a file is reopened); a stream can be sent once, so a call with a streamed
/// upload is never retried. The media type is always sent (some servers reject a file part
/// without one).
#[derive(Clone)]
pub struct Upload {
    source: Source,
    pub(crate) file_name: String,
    pub(crate) mime_type: String,
}

type OneShot = Arc<Mutex<Option<reqwest::Body>>>;

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    Path(PathBuf),
    Stream { body: OneShot, length: Option<u64> },
}

impl Upload {
    /// A file from its bytes, name (`report.pdf`) and media type (`application/pdf`).
    pub fn new(
        data: impl Into<Bytes>,
        file_name: impl Into<String>,
        mime_type: impl Into<String>,
    ) -> Self {
        Self {
            source: Source::Bytes(data.into()),
            file_name: file_name.into(),
            mime_type: mime_type.into(),
        }
    }

    /// A file on disk, read as it is sent (and read again if the call is retried). The part's
    /// file name is the path's last component; the file is opened only when the call is sent,
    /// so a missing file is an `Error::Io` from `send`.
    pub fn from_path(path: impl Into<PathBuf>, mime_type: impl Into<String>) -> Self {
        let path = path.into();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Self {
            source: Source::Path(path),
            file_name,
            mime_type: mime_type.into(),
        }
    }

    /// A file whose bytes come from a stream, sent once: a call with a streamed upload is not
    /// retried. Give `length` when known (servers may need a `Content-Length` per part).
    pub fn from_stream<S, E>(
        stream: S,
        length: Option<u64>,
        file_name: impl Into<String>,
        mime_type: impl Into<String>,
    ) -> Self
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        let body = reqwest::Body::wrap_stream(stream.map_err(Into::into));
        Self {
            source: Source::Stream {
                body: Arc::new(Mutex::new(Some(body))),
                length,
            },
            file_name: file_name.into(),
            mime_type: mime_type.into(),
        }
    }

    /// Replaces the file name sent with the part.
    pub fn file_name_as(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = file_name.into();
        self
    }

    /// The file's bytes, for an upload made from bytes.
    pub fn data(&self) -> Option<&Bytes> {
        match &self.source {
            Source::Bytes(data) => Some(data),
            _ => None,
        }
    }

    /// The file's path, for an upload made from a path.
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            Source::Path(path) => Some(path),
            _ => None,
        }
    }

    /// The file name sent with the part.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The media type sent with the part.
    pub fn mime_type(&self) -> &str {
        &self.mime_type
    }

    /// Whether the upload can be sent again (bytes and files can, a stream cannot).
    pub fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::Stream { .. })
    }

    /// The multipart part for one attempt.
    pub(crate) async fn part(&self) -> Result<reqwest::multipart::Part> {
        let part = match &self.source {
            Source::Bytes(data) => reqwest::multipart::Part::stream_with_length(
                reqwest::Body::from(data.clone()),
                data.len() as u64,
            ),
            Source::Path(path) => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|source| Error::Io {
                        path: path.clone(),
                        source,
                    })?;
                let length = file
                    .metadata()
                    .await
                    .map_err(|source| Error::Io {
                        path: path.clone(),
                        source,
                    })?
                    .len();
                reqwest::multipart::Part::stream_with_length(reqwest::Body::from(file), length)
            }
            Source::Stream { body, length } => {
                let taken = body.lock().map(|mut slot| slot.take()).unwrap_or(None);
                let Some(body) = taken else {
                    return Err(Error::InvalidRequest(format!(
                        "the streamed upload {:?} was already sent; a stream can be sent once",
                        self.file_name
                    )));
                };
                match length {
                    Some(length) => reqwest::multipart::Part::stream_with_length(body, *length),
                    None => reqwest::multipart::Part::stream(body),
                }
            }
        };
        part.file_name(self.file_name.clone())
            .mime_str(&self.mime_type)
            .map_err(|_| Error::InvalidRequest(format!("invalid media type {:?}", self.mime_type)))
    }
}

impl PartialEq for Upload {
    /// Equal when name, media type and source are: the same bytes, the same path, or the
    /// same stream.
    fn eq(&self, other: &Self) -> bool {
        let same = match (&self.source, &other.source) {
            (Source::Bytes(a), Source::Bytes(b)) => a == b,
            (Source::Path(a), Source::Path(b)) => a == b,
            (Source::Stream { body: a, .. }, Source::Stream { body: b, .. }) => Arc::ptr_eq(a, b),
            _ => false,
        };
        same && self.file_name == other.file_name && self.mime_type == other.mime_type
    }
}

impl Eq for Upload {}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Upload");
        out.field("file_name", &self.file_name)
            .field("mime_type", &self.mime_type);
        match &self.source {
            Source::Bytes(data) => out.field("len", &data.len()),
            Source::Path(path) => out.field("path", path),
            Source::Stream { length, .. } => out.field("stream_len", length),
        };
        out.finish()
    }
}

/// In JSON (which never carries it to the server) an upload is written as its file name.
impl serde::Serialize for Upload {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.file_name)
    }
}

/// Read back from JSON, an upload has its file name and no bytes.
impl<'de> serde::Deserialize<'de> for Upload {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let file_name = <String as serde::Deserialize>::deserialize(deserializer)?;
        Ok(Self::new(
            Bytes::new(),
            file_name,
            "application/octet-stream",
        ))
    }
}
