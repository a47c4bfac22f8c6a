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

/// An object's property name, borrowed from the input when it can be.
pub struct Key<'de>(std::borrow::Cow<'de, str>);

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a property name")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                value: &'de str,
            ) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(value)))
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(value.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(value)))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// A field a serialized object leaves out: `None`, `Nullable::Absent`.
pub trait Absent {
    fn is_absent(&self) -> bool;
}

impl<T> Absent for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T> Absent for crate::Nullable<T> {
    fn is_absent(&self) -> bool {
        crate::Nullable::is_absent(self)
    }
}

/// `Deserialize` for a struct read from a JSON object: `deserialize_struct!(Type, [field "wire"
/// req|opt, ...])`. A `req` field must be present (else serde's "missing field" error); an `opt`
/// one starts as its `Default` (`None`, `Nullable::Absent`) and takes whatever value is sent,
/// `null` included. Unknown properties are skipped; of a property sent twice the last is kept.
///
/// This is what `#[derive(Deserialize)]` does for an object, without the code that reads the
/// struct from an array and the per-field identifier type: about half the code serde derives,
/// which is most of this crate's compile time (see `docs/design.md`).
///
/// `serde_struct!` takes the same list for a type the client only receives: `Deserialize`, and
/// with the `round-trip` feature a `Serialize` that leaves out absent `opt` fields.
#[allow(unused_macros)]
macro_rules! deserialize_struct {
    // Names inside are ones a generated type cannot take (`__Visitor`, `__A`), and std items
    // are spelled in full, so a type named `Visitor`, `A` or `Key` does not clash.
    ($name:ident, [$($field:ident $wire:literal $kind:ident),* $(,)?]) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<__D: serde::Deserializer<'de>>(deserializer: __D) -> ::core::result::Result<Self, __D::Error> {
                struct __Visitor;
                impl<'de> serde::de::Visitor<'de> for __Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }
                    fn visit_map<__A: serde::de::MapAccess<'de>>(self, mut map: __A) -> ::core::result::Result<$name, __A::Error> {
                        $( let mut $field = $crate::__private::deserialize_struct!(@start $kind); )*
                        while let ::core::option::Option::Some(key) = map.next_key::<$crate::__private::Key<'de>>()? {
                            match key.as_str() {
                                $( $wire => $field = $crate::__private::deserialize_struct!(@read $kind map), )*
                                _ => {
                                    map.next_value::<serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        ::core::result::Result::Ok($name { $( $field: $crate::__private::deserialize_struct!(@end $kind $field $wire), )* })
                    }
                }
                deserializer.deserialize_map(__Visitor)
            }
        }
    };
    (@start req) => { ::core::option::Option::None };
    (@start opt) => { ::core::default::Default::default() };
    (@read req $map:ident) => { ::core::option::Option::Some($map.next_value()?) };
    (@read opt $map:ident) => { $map.next_value()? };
    (@end req $field:ident $wire:literal) => { $field.ok_or_else(|| serde::de::Error::missing_field($wire))? };
    (@end opt $field:ident $wire:literal) => { $field };
    (@write req $map:ident $value:expr, $wire:literal) => { $map.serialize_entry($wire, $value)? };
    (@write opt $map:ident $value:expr, $wire:literal) => {
        if !$crate::__private::Absent::is_absent($value) {
            $map.serialize_entry($wire, $value)?;
        }
    };
}
#[allow(unused_imports)]
pub(crate) use deserialize_struct;

#[allow(unused_macros)]
macro_rules! serde_struct {
    ($name:ident, [$($field:ident $wire:literal $kind:ident),* $(,)?]) => {
        $crate::__private::deserialize_struct!($name, [$($field $wire $kind),*]);
        #[cfg(feature = "round-trip")]
        impl serde::Serialize for $name {
            fn serialize<__S: serde::Serializer>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(::core::option::Option::None)?;
                $( $crate::__private::deserialize_struct!(@write $kind map &self.$field, $wire); )*
                map.end()
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use serde_struct;

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
pub fn push_file(
    parts: &mut Vec<(&'static str, PartValue)>,
    name: &'static str,
    file: Option<&crate::Upload>,
) {
    if let Some(file) = file {
        parts.push((name, PartValue::File(file.clone())));
    }
}

/// Adds the text parts of a field: one per array item, JSON text for objects.
#[cfg(feature = "__multipart")]
pub fn push_text<T: Serialize + ?Sized>(
    parts: &mut Vec<(&'static str, PartValue)>,
    name: &'static str,
    value: &T,
) {
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
