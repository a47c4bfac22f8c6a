//! Support for the serde code of generated unions; not part of the public API.

use serde::de::DeserializeOwned;
use serde::ser::Error as _;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// Serializes a union branch, adding the discriminator when the branch type does not carry it.
pub fn serialize_tagged<T: Serialize, S: Serializer>(
    value: &T,
    property: &str,
    tag: &str,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut json = serde_json::to_value(value).map_err(S::Error::custom)?;
    if let Value::Object(map) = &mut json {
        map.entry(property.to_owned())
            .or_insert_with(|| Value::String(tag.to_owned()));
    }
    json.serialize(serializer)
}

/// The discriminator of a JSON object, when it is a string.
pub fn tag_of(value: &Value, property: &str) -> Option<String> {
    value.get(property)?.as_str().map(str::to_owned)
}

/// Decodes a union branch from JSON already read, with the deserializer's error type.
pub fn from_value<T: DeserializeOwned, E: serde::de::Error>(value: Value) -> Result<T, E> {
    serde_json::from_value(value).map_err(E::custom)
}

#[cfg(feature = "__pagination")]
pub use crate::pagination::NextPage;

/// Writes the cursor of the page to ask for into a list's request builder.
#[cfg(feature = "__pagination")]
pub type SetCursor<B> = fn(&mut B, Option<String>);

/// Reads from a page the cursor of the page after it.
#[cfg(feature = "__pagination")]
pub type ReadCursor<P> = fn(&P) -> Option<String>;

/// One part of a multipart body.
#[cfg(feature = "__multipart")]
#[derive(Debug, Clone)]
pub enum PartValue {
    Text(String),
    File(crate::Upload),
}

/// A request body sent as `multipart/form-data`, one part per field.
#[cfg(feature = "__multipart")]
pub trait MultipartBody {
    /// The parts, in field order; a field that is absent or `null` has none.
    fn parts(&self) -> Vec<(&'static str, PartValue)>;
}

/// Adds a file part, when there is a file.
#[cfg(feature = "__multipart")]
pub fn push_file(parts: &mut Vec<(&'static str, PartValue)>, name: &'static str, file: Option<&crate::Upload>) {
    if let Some(file) = file {
        parts.push((name, PartValue::File(file.clone())));
    }
}

/// Adds the text parts of a field: one per array item, JSON text for objects.
#[cfg(feature = "__multipart")]
pub fn push_text<T: Serialize + ?Sized>(parts: &mut Vec<(&'static str, PartValue)>, name: &'static str, value: &T) {
    fn push(parts: &mut Vec<(&'static str, PartValue)>, name: &'static str, value: Value) {
        match value {
            Value::Null => {}
            Value::String(text) => parts.push((name, PartValue::Text(text))),
            Value::Array(items) => items.into_iter().for_each(|item| push(parts, name, item)),
            other => parts.push((name, PartValue::Text(other.to_string()))),
        }
    }
    if let Ok(value) = serde_json::to_value(value) {
        push(parts, name, value);
    }
}
