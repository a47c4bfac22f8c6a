//! `Upload`: a file sent as one part of a `multipart/form-data` body.

use bytes::Bytes;
use std::fmt;

/// A file part: its bytes, the file name and the media type the server sees.
///
/// The media type is always sent (some servers reject a file part without one).
#[derive(Clone, PartialEq, Eq)]
pub struct Upload {
    pub(crate) data: Bytes,
    pub(crate) file_name: String,
    pub(crate) mime_type: String,
}

impl Upload {
    /// A file from its bytes, name (`report.pdf`) and media type (`application/pdf`).
    pub fn new(data: impl Into<Bytes>, file_name: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Self {
            data: data.into(),
            file_name: file_name.into(),
            mime_type: mime_type.into(),
        }
    }

    /// The file's bytes.
    pub fn data(&self) -> &Bytes {
        &self.data
    }

    /// The file name sent with the part.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The media type sent with the part.
    pub fn mime_type(&self) -> &str {
        &self.mime_type
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("file_name", &self.file_name)
            .field("mime_type", &self.mime_type)
            .field("len", &self.data.len())
            .finish()
    }
}

/// In JSON (which never carries it to the server) an upload is written as its file name.
impl serde::Serialize for Upload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.file_name)
    }
}

/// Read back from JSON, an upload has its file name and no bytes.
impl<'de> serde::Deserialize<'de> for Upload {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let file_name = <String as serde::Deserialize>::deserialize(deserializer)?;
        Ok(Self::new(Bytes::new(), file_name, "application/octet-stream"))
    }
}
