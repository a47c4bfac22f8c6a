//! The generator's error type: every failure names where in the document it happened.

use std::fmt;

/// A location inside the OpenAPI document, written as a JSON pointer (RFC 6901).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pointer(String);

impl Pointer {
    /// The document root (`""`, shown as `#`).
    pub fn root() -> Self {
        Self(String::new())
    }

    /// Parses a `#/a/b` style reference or `/a/b` pointer (no unescaping is done).
    pub fn from_ref(reference: &str) -> Self {
        Self(reference.trim_start_matches('#').to_owned())
    }

    /// This pointer extended by one segment, escaped as RFC 6901 requires.
    pub fn push(&self, segment: impl AsRef<str>) -> Self {
        let escaped = segment.as_ref().replace('~', "~0").replace('/', "~1");
        Self(format!("{}/{}", self.0, escaped))
    }

    /// The pointer text without the leading `#`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is neither valid YAML nor valid JSON.
    #[error("the document is not valid {format} (line {line}, column {column}): {message}")]
    Syntax {
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    /// The document is well-formed but something at `pointer` is not acceptable.
    #[error("{pointer}: {message}")]
    Spec { pointer: Pointer, message: String },
    /// Generated tokens did not parse as Rust (a generator bug, never an input problem).
    #[error("internal error while formatting {file}: {message}")]
    Format { file: String, message: String },
    /// The thread the generator runs on (for its larger stack) could not be started.
    #[error("could not start the generator's thread: {0}")]
    Thread(std::io::Error),
}

impl Error {
    /// A problem at a location in the document.
    pub fn spec(pointer: &Pointer, message: impl Into<String>) -> Self {
        Error::Spec {
            pointer: pointer.clone(),
            message: message.into(),
        }
    }

    /// The JSON pointer this error refers to, if any.
    pub fn pointer(&self) -> Option<&Pointer> {
        match self {
            Error::Spec { pointer, .. } => Some(pointer),
            _ => None,
        }
    }
}

/// Result alias used throughout the generator.
pub type Result<T, E = Error> = std::result::Result<T, E>;
