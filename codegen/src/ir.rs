//! The generator's intermediate model: Rust-shaped types and operations, built from the document.

use crate::error::Pointer;
use std::collections::BTreeMap;

/// How a field, parameter or body refers to a type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    /// A type defined by the generator (by Rust name).
    Named(String),
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    /// Any JSON value.
    Json,
    Vec(Box<TypeRef>),
    /// A JSON object with arbitrary keys.
    Map(Box<TypeRef>),
    /// Raw bytes (binary request or response bodies).
    Bytes,
    /// A file part of a multipart body (`format: binary` inside `multipart/form-data`).
    Upload,
}

impl TypeRef {
    /// The type as a user reads it (also used by the API-surface listing).
    pub fn display(&self) -> String {
        match self {
            TypeRef::Named(name) => name.clone(),
            TypeRef::String => "String".into(),
            TypeRef::Bool => "bool".into(),
            TypeRef::I32 => "i32".into(),
            TypeRef::I64 => "i64".into(),
            TypeRef::F32 => "f32".into(),
            TypeRef::F64 => "f64".into(),
            TypeRef::Json => "serde_json::Value".into(),
            TypeRef::Vec(inner) => format!("Vec<{}>", inner.display()),
            TypeRef::Map(inner) => format!("BTreeMap<String, {}>", inner.display()),
            TypeRef::Bytes => "Bytes".into(),
            TypeRef::Upload => "Upload".into(),
        }
    }
}

/// A struct field.
#[derive(Debug, Clone)]
pub struct Field {
    /// A secret (`writeOnly`, `format: password` or `x-sensitive: true`): `Debug` prints
    /// `<redacted>` instead of its value.
    pub sensitive: bool,
    pub rust_name: String,
    pub wire_name: String,
    pub ty: TypeRef,
    pub required: bool,
    /// Position in the schema's `required` list (the order of `new()`'s arguments).
    pub required_rank: usize,
    pub nullable: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub default: Option<serde_json::Value>,
    /// How the field is stored; decided once for the whole API by [`decide_storage`].
    pub storage: Storage,
    /// Whether the field's type leads back to its struct without a `Vec` or map (so it is
    /// boxed); decided by [`decide_storage`].
    pub boxed: bool,
}

/// How a struct field holds its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Required and not nullable: `T`.
    Plain,
    /// `Option<T>`: nullable when required (always written, `None` as `null`), or optional
    /// (left out when `None`).
    Optional,
    /// Optional and nullable in a type the client sends: `Nullable<T>` (absent, `null` or a
    /// value), so that an explicit `null` can be sent.
    ThreeState,
}

/// One value of a string enum.
#[derive(Debug, Clone)]
pub struct EnumValue {
    pub variant: String,
    pub wire: String,
    pub doc: Option<String>,
}

/// One branch of a discriminated union.
#[derive(Debug, Clone)]
pub struct TaggedVariant {
    pub variant: String,
    /// Discriminator values that select this branch (the first is written when serializing).
    pub tags: Vec<String>,
    pub ty: TypeRef,
    /// Boxed because its type leads back to the union (see [`decide_storage`]).
    pub boxed: bool,
}

/// One branch of an untagged union.
#[derive(Debug, Clone)]
pub struct UntaggedVariant {
    pub variant: String,
    pub ty: TypeRef,
    /// Boxed because its type leads back to the union (see [`decide_storage`]).
    pub boxed: bool,
}

/// The shape of a generated type.
#[derive(Debug, Clone)]
pub enum Shape {
    Struct {
        fields: Vec<Field>,
        /// `additionalProperties` beside named properties, flattened into a map.
        additional: Option<TypeRef>,
    },
    /// A string enum: open (with `Unknown(String)`) when it has more than one value.
    Enum { values: Vec<EnumValue> },
    /// `oneOf`/`anyOf` with a discriminator; unknown tags keep the raw JSON.
    Tagged {
        property: String,
        variants: Vec<TaggedVariant>,
    },
    /// `oneOf`/`anyOf` without a discriminator, tried in order; anything else keeps the raw JSON.
    Untagged { variants: Vec<UntaggedVariant> },
    /// A root schema that is just another type (`pub type Name = ...`).
    Alias(TypeRef),
}

/// A generated type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    /// The root type whose file holds this one (itself for roots).
    pub owner: String,
    pub pointer: Pointer,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub shape: Shape,
    /// Reachable from a request body: optional-and-nullable fields become three-state.
    pub input: bool,
    /// Sent as a `multipart/form-data` body: gets a `MultipartBody` implementation.
    pub multipart: bool,
    /// The groups (their module names) whose operations reach this type: it is compiled when
    /// any of their features is on. Types no operation reaches are not emitted at all.
    pub groups: std::collections::BTreeSet<String>,
    /// Reachable from what the client sends (bodies, parameters): derives `Serialize`.
    pub sent: bool,
    /// Reachable from what the client receives (answers, error bodies, events): derives
    /// `Deserialize`. The other direction comes with the crate's `round-trip` feature.
    pub received: bool,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

/// An operation parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub wire_name: String,
    pub rust_name: String,
    pub location: ParamLocation,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
    /// The inclusive upper bound of an integer parameter, when its schema gives one.
    pub maximum: Option<i64>,
}

/// How a body travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Multipart,
    /// `application/x-www-form-urlencoded`.
    Form,
    Text,
    Binary,
    Empty,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    pub ty: TypeRef,
    pub required: bool,
    pub content_type: String,
    pub kind: BodyKind,
}

/// The success response an operation returns.
#[derive(Debug, Clone)]
pub struct Success {
    pub status: String,
    pub kind: BodyKind,
    /// `None` for an empty body.
    pub ty: Option<TypeRef>,
}

/// A documented error response.
#[derive(Debug, Clone)]
pub struct ErrorResponse {
    pub status: String,
    pub description: String,
    /// The body's type, when the document names a component schema for it.
    pub ty: Option<TypeRef>,
}

/// Paging of a list operation.
#[derive(Debug, Clone)]
pub struct Pagination {
    pub style: PageStyle,
    /// Rust name of the response field holding the items.
    pub items_field: String,
    pub item_ty: TypeRef,
}

/// How a list operation asks for the next page.
#[derive(Debug, Clone)]
pub enum PageStyle {
    /// An offset query parameter (and maybe a limit one): Rust names of the parameters, and
    /// the largest offset the document allows (the walk stops before passing it).
    /// `has_more`: Rust name of a boolean response field that says whether pages follow (then
    /// it, not the page's length, decides).
    Offset {
        offset: String,
        limit: Option<String>,
        max_offset: Option<i64>,
        has_more: Option<String>,
    },
    /// A cursor query parameter that takes a text the previous page gave.
    Cursor {
        /// Rust name of the cursor parameter.
        cursor: String,
        /// Rust name of the response field holding the next cursor (a string field).
        next: String,
        /// Rust name of a boolean response field that is `false` on the last page.
        has_more: Option<String>,
        /// Other cursor pairs, chosen by the value of one request parameter.
        by: Option<CursorBy>,
    },
}

/// Cursor pairs chosen by a request parameter's value: a listing that pages one way or another
/// depending on the format asked for.
#[derive(Debug, Clone)]
pub struct CursorBy {
    /// Rust name of the parameter (a string or string enum).
    pub param: String,
    /// Whether the builder holds the parameter as an `Option`.
    pub optional: bool,
    /// Whether the parameter is a string enum (compared through its `as_str`).
    pub is_enum: bool,
    /// Wire value, then the Rust names of its cursor parameter and next-cursor field.
    pub values: Vec<(String, String, String)>,
}

/// Server-sent-event streaming of an operation (`.stream()`).
#[derive(Debug, Clone)]
pub struct Streaming {
    /// Rust name of the request body's boolean field that switches streaming on.
    pub flag: String,
    /// Type of one event's `data` payload.
    pub item: TypeRef,
    /// A `data` payload that ends the stream (`[DONE]`).
    pub done: Option<String>,
    /// Event types after which the stream is complete.
    pub terminal: Vec<String>,
    /// Name of the stream type alias (`CreateChatCompletionStream`).
    pub type_name: String,
}

/// One API operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub operation_id: String,
    pub pointer: Pointer,
    /// Tag group module name (`api_keys`) and struct name (`ApiKeys`).
    pub group: String,
    pub group_type: String,
    /// Method on the group (`update`).
    pub method: String,
    /// Builder struct name (`UpdateApiKey`).
    pub builder: String,
    pub http_method: String,
    pub path: String,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub success: Success,
    pub errors: Vec<ErrorResponse>,
    pub summary: Option<String>,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub pagination: Option<Pagination>,
    pub streaming: Option<Streaming>,
    /// `.wait()`: polling a long-running job until it ends.
    pub wait: Option<Wait>,
    /// The operation's own server, when it has one.
    pub server: Option<OperationServer>,
    /// `security: []`: the operation takes no credentials, so none are sent.
    pub anonymous: bool,
}

/// Where an operation with its own `servers` is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationServer {
    /// Another path on the host of the document's first server (`https://openrouter.ai` beside
    /// `https://openrouter.ai/api/v1`): the path, without a trailing slash (maybe empty).
    SameHost(String),
    /// Another server altogether.
    Absolute(String),
}

/// A job-polling operation (`x-wait`): which property holds the status and which values end it.
#[derive(Debug, Clone)]
pub struct Wait {
    /// The path to the status (a string or string enum) from the answer: (type, Rust field
    /// name) per step.
    pub status: Vec<(String, String)>,
    pub succeeded: Vec<String>,
    pub failed: Vec<String>,
    /// The path to a string holding the failure's message.
    pub error: Option<Vec<(String, String)>>,
}

/// A tag group.
#[derive(Debug, Clone)]
pub struct Group {
    /// File and module name (ASCII).
    pub module: String,
    /// The cargo feature that compiles the group (`api-keys`).
    pub feature: String,
    /// The `Client` method that returns the group (`client.api_keys()`).
    pub accessor: String,
    pub type_name: String,
    pub tag: String,
    pub doc: Option<String>,
    /// Rust code showing the group in use (the tag's `x-rust-example`), a doctest.
    pub example: Option<String>,
}

/// Everything the emitters need.
#[derive(Debug, Clone)]
pub struct Api {
    pub title: String,
    pub description: Option<String>,
    /// Rust code showing the crate in use (`info.x-rust-example`), a doctest.
    pub example: Option<String>,
    pub base_url: String,
    /// Origin used to make relative links in descriptions absolute.
    pub link_origin: String,
    pub types: BTreeMap<String, TypeDef>,
    pub groups: Vec<Group>,
    pub operations: Vec<Operation>,
}

/// The most arguments a generated `new` takes. A type with more required fields gets no
/// positional constructor; it always deserializes instead, so it can be built from JSON.
pub const MAX_NEW_ARGS: usize = 3;

/// Whether a type is a one-value enum (a tag whose only documented value is its default).
pub fn is_constant(types: &std::collections::BTreeMap<String, TypeDef>, t: &TypeRef) -> bool {
    match t {
        TypeRef::Named(name) => {
            matches!(types.get(name).map(|d| &d.shape), Some(Shape::Enum { values }) if values.len() == 1)
        }
        _ => false,
    }
}

/// The arguments `new` of a struct takes: its required fields, except one-value enums (tags
/// with only one possible value).
pub fn constructor_arity(
    types: &std::collections::BTreeMap<String, TypeDef>,
    def: &TypeDef,
) -> usize {
    let Shape::Struct { fields, .. } = &def.shape else {
        return 0;
    };
    // A required one-value enum is filled in by `new` itself (unless it may also be null).
    fields
        .iter()
        .filter(|f| f.required && (f.nullable || !is_constant(types, &f.ty)))
        .count()
}

/// Decides, once for every type, how each field is stored and which fields and union branches
/// are boxed; the emitters and the API-surface listing only read the result.
pub fn decide_storage(types: &mut std::collections::BTreeMap<String, TypeDef>) {
    let boxing: Vec<(String, Vec<bool>)> = types
        .values()
        .map(|def| {
            let targets: Vec<&TypeRef> = match &def.shape {
                Shape::Struct { fields, .. } => fields.iter().map(|f| &f.ty).collect(),
                Shape::Tagged { variants, .. } => variants.iter().map(|v| &v.ty).collect(),
                Shape::Untagged { variants } => variants.iter().map(|v| &v.ty).collect(),
                Shape::Enum { .. } | Shape::Alias(_) => Vec::new(),
            };
            (
                def.name.clone(),
                targets
                    .into_iter()
                    .map(|t| leads_back(types, &def.name, t))
                    .collect(),
            )
        })
        .collect();
    for (name, boxed) in boxing {
        let Some(def) = types.get_mut(&name) else {
            continue;
        };
        let input = def.input;
        match &mut def.shape {
            Shape::Struct { fields, .. } => {
                for (field, boxed) in fields.iter_mut().zip(boxed) {
                    field.boxed = boxed;
                    field.storage = match (field.required, field.nullable) {
                        (true, false) => Storage::Plain,
                        (false, true) if input => Storage::ThreeState,
                        _ => Storage::Optional,
                    };
                }
            }
            Shape::Tagged { variants, .. } => variants
                .iter_mut()
                .zip(boxed)
                .for_each(|(v, b)| v.boxed = b),
            Shape::Untagged { variants } => variants
                .iter_mut()
                .zip(boxed)
                .for_each(|(v, b)| v.boxed = b),
            Shape::Enum { .. } | Shape::Alias(_) => {}
        }
    }
}

/// Whether `t` leads back to the type `def` without passing through a `Vec` or a map.
fn leads_back(types: &std::collections::BTreeMap<String, TypeDef>, def: &str, t: &TypeRef) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![t];
    while let Some(next) = stack.pop() {
        let TypeRef::Named(name) = next else { continue };
        if name == def {
            return true;
        }
        if !seen.insert(name.as_str()) {
            continue;
        }
        match types.get(name).map(|d| &d.shape) {
            Some(Shape::Struct { fields, .. }) => stack.extend(fields.iter().map(|f| &f.ty)),
            Some(Shape::Tagged { variants, .. }) => stack.extend(variants.iter().map(|v| &v.ty)),
            Some(Shape::Untagged { variants }) => stack.extend(variants.iter().map(|v| &v.ty)),
            Some(Shape::Alias(target)) => stack.push(target),
            _ => {}
        }
    }
    false
}
