//! Reads spec text (YAML or JSON, OpenAPI 3.0.x or 3.1.x) into the `openapiv3` document model.

use crate::error::{Error, Pointer, Result};
use crate::normalize::normalize;
use serde_json::Value;

/// Parses the text as JSON when it starts with `{`, otherwise as YAML.
pub fn parse_text(text: &str) -> Result<Value> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        serde_json::from_str(trimmed).map_err(|e| Error::Syntax {
            format: "JSON",
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    } else {
        let value: Value = serde_norway::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            Error::Syntax {
                format: "YAML",
                line,
                column,
                message: e.to_string(),
            }
        })?;
        if !value.is_object() {
            return Err(Error::spec(
                &Pointer::root(),
                "the document must be a mapping with `openapi`, `info` and `paths`",
            ));
        }
        Ok(value)
    }
}

/// Loads a document: parse, check the version, normalize 3.1 to the 3.0 model, deserialize.
pub fn load(text: &str) -> Result<(openapiv3::OpenAPI, Value)> {
    let raw = parse_text(text)?;
    let normalized = normalize(raw)?;
    let api: openapiv3::OpenAPI = serde_path_to_error::deserialize(&normalized).map_err(|e| {
        let mut pointer = Pointer::root();
        for segment in e.path().iter() {
            pointer = match segment {
                serde_path_to_error::Segment::Seq { index } => pointer.push(index.to_string()),
                serde_path_to_error::Segment::Map { key } => pointer.push(key),
                serde_path_to_error::Segment::Enum { variant } => pointer.push(variant),
                serde_path_to_error::Segment::Unknown => pointer,
            };
        }
        Error::spec(
            &pointer,
            format!("does not match the OpenAPI model: {}", e.into_inner()),
        )
    })?;
    Ok((api, normalized))
}
