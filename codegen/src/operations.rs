//! Reads the document's paths into operations grouped by tag, with their parameters,
//! bodies, success and error responses and paging.

use crate::Warning;
use crate::error::{Error, Pointer, Result};
use crate::ir::{
    Body, BodyKind, CursorBy, ErrorResponse, Group, Operation, OperationServer, PageStyle,
    Pagination, Param, ParamLocation, Shape, Streaming, Success, TypeRef, Wait,
};
use crate::names::{field_name, module_name, type_name};
use crate::schema::{RefOr, TypeSpace};
use openapiv3::{
    MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Response,
    StatusCode,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// Names the builders themselves use; a parameter may not take them.
const BUILDER_METHODS: &[&str] = &[
    "send",
    "send_with_response",
    "options",
    "into_paginator",
    "stream",
    "client",
    "body",
];

/// Names `Client` already has; a tag group may not take them.
const CLIENT_METHODS: &[&str] = &[
    "builder", "from_env", "new", "base_url", "execute", "clone", "fmt",
];

/// Paging as the document declares it, resolved once all types exist.
struct RawPagination {
    pointer: Pointer,
    /// Read from Speakeasy's extension: a shape we cannot page is a warning, not an error.
    lenient: bool,
    style: RawStyle,
    items: String,
}

/// Wire names of the paging parameters and response properties.
enum RawStyle {
    Offset {
        offset: String,
        limit: Option<String>,
        has_more: Option<String>,
    },
    Cursor {
        cursor: String,
        next: String,
        has_more: Option<String>,
        by: Option<RawCursorBy>,
    },
}

/// Other cursor pairs, chosen by the value of one request parameter (`x-pagination.by`).
struct RawCursorBy {
    pointer: Pointer,
    param: String,
    /// Parameter value, then the cursor parameter and the answer's next-cursor property.
    values: Vec<(String, String, String)>,
}

/// Builds every operation and group; defines the inline types they need in `types`.
pub fn build<'a>(
    api: &'a OpenAPI,
    types: &mut TypeSpace<'a>,
) -> Result<(Vec<Group>, Vec<Operation>)> {
    let mut ops: Vec<Operation> = Vec::new();
    let mut raw_pages: Vec<Option<RawPagination>> = Vec::new();
    let mut raw_waits: Vec<Option<RawWait>> = Vec::new();
    let mut ids: BTreeMap<String, Pointer> = BTreeMap::new();
    let paths_ptr = Pointer::root().push("paths");

    for (path, item) in &api.paths.paths {
        let path_ptr = paths_ptr.push(path);
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                return Err(Error::spec(
                    &path_ptr,
                    "path item references are not supported; inline the path item",
                ));
            }
        };
        for (method, op) in item.iter() {
            let ptr = path_ptr.push(method);
            let Some(operation_id) = op.operation_id.clone() else {
                return Err(Error::spec(
                    &ptr,
                    "every operation needs an operationId (it names the builder type)",
                ));
            };
            if let Some(first) = ids.insert(operation_id.clone(), ptr.clone()) {
                return Err(Error::spec(
                    &ptr.push("operationId"),
                    format!("duplicate operationId {operation_id:?}; it is also used at {first}"),
                ));
            }
            let tag = op
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| "Default".to_owned());
            let method_name = op
                .extensions
                .get("x-method-name")
                .or_else(|| op.extensions.get("x-speakeasy-name-override"))
                .and_then(Value::as_str)
                .map(field_name)
                .unwrap_or_else(|| field_name(&operation_id));
            let builder = type_name(&operation_id, "Op");

            // Parameters: path-level first, overridden by operation-level ones.
            let mut params: Vec<Param> = Vec::new();
            let sources = item
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| (p, path_ptr.push("parameters").push(i.to_string())))
                .chain(
                    op.parameters
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (p, ptr.push("parameters").push(i.to_string()))),
                );
            for (param, pptr) in sources {
                let Some(param) = read_param(api, types, param, &builder, &pptr)? else {
                    continue;
                };
                params
                    .retain(|p| !(p.wire_name == param.wire_name && p.location == param.location));
                if BUILDER_METHODS.contains(&param.rust_name.as_str()) {
                    return Err(Error::spec(
                        &pptr,
                        format!(
                            "parameter {:?} would clash with the builder method `{}`; rename it in the document",
                            param.wire_name, param.rust_name
                        ),
                    ));
                }
                if let Some(other) = params.iter().find(|p| p.rust_name == param.rust_name) {
                    return Err(Error::spec(
                        &pptr,
                        format!(
                            "parameters {:?} and {:?} both become the Rust name `{}`",
                            other.wire_name, param.wire_name, param.rust_name
                        ),
                    ));
                }
                params.push(param);
            }
            check_path_params(path, &params, &ptr)?;

            let (body, alternatives) = match &op.request_body {
                None => (None, Vec::new()),
                Some(body) => read_body(
                    api,
                    types,
                    body,
                    &operation_id,
                    &builder,
                    &ptr.push("requestBody"),
                )?,
            };
            let stream_ext = op.extensions.get("x-stream");
            let speakeasy_flag = op
                .extensions
                .get("x-speakeasy-stream-request-field")
                .and_then(Value::as_str);
            let wants_stream = stream_ext.is_some() || speakeasy_flag.is_some();
            let (success, errors, events) = read_responses(
                api,
                types,
                &op.responses,
                &builder,
                &ptr.push("responses"),
                wants_stream,
            )?;
            let streaming = match (stream_ext, speakeasy_flag) {
                (Some(ext), _) => Some(read_streaming(
                    ext,
                    &ptr.push("x-stream"),
                    &builder,
                    &body,
                    events,
                    types,
                )?),
                (None, Some(flag)) => {
                    let ext = serde_json::json!({
                        "flag": flag,
                        "done": events.as_ref().and_then(|e| e.sentinel.clone()),
                    });
                    match read_streaming(&ext, &ptr, &builder, &body, events, types) {
                        Ok(streaming) => Some(streaming),
                        Err(Error::Spec { pointer, message }) => {
                            types.warnings.push(Warning {
                                pointer,
                                message: format!("{message}; no .stream()"),
                            });
                            None
                        }
                        Err(e) => return Err(e),
                    }
                }
                (None, None) => None,
            };

            let pagination = match op.extensions.get("x-pagination") {
                Some(ext) => Some(read_pagination(ext, &ptr.push("x-pagination"))?),
                None => match op.extensions.get("x-speakeasy-pagination") {
                    Some(ext) => read_speakeasy_pagination(
                        ext,
                        &ptr.push("x-speakeasy-pagination"),
                        &mut types.warnings,
                    ),
                    None => None,
                },
            };
            raw_pages.push(pagination);
            raw_waits.push(match op.extensions.get("x-wait") {
                Some(ext) => Some(read_wait(ext, &ptr.push("x-wait"))?),
                None => None,
            });

            let server = operation_server(api, item, op, &path_ptr, &ptr)?;
            let operation = Operation {
                operation_id,
                pointer: ptr,
                group: module_name(&tag),
                group_type: type_name(&tag, "Group"),
                method: method_name,
                builder,
                http_method: method.to_ascii_uppercase(),
                path: path.clone(),
                params,
                body,
                success,
                errors,
                summary: op.summary.clone(),
                doc: op.description.clone(),
                deprecated: op.deprecated,
                pagination: None,
                streaming,
                wait: None,
                server,
                anonymous: op.security.as_ref().is_some_and(Vec::is_empty),
            };
            let alternatives: Vec<Operation> = alternatives
                .into_iter()
                .map(|(method, builder, body)| Operation {
                    method,
                    builder,
                    body: Some(body),
                    streaming: None,
                    ..operation.clone()
                })
                .collect();
            ops.push(operation);
            for alternative in alternatives {
                raw_pages.push(None);
                raw_waits.push(None);
                ops.push(alternative);
            }
        }
    }

    for (op, raw) in ops.iter_mut().zip(raw_waits) {
        if let Some(raw) = raw {
            op.wait = Some(resolve_wait(op, raw, types)?);
        }
    }

    for (op, raw) in ops.iter_mut().zip(raw_pages) {
        if let Some(raw) = raw {
            let lenient = raw.lenient;
            match resolve_pagination(op, raw, types) {
                Ok(pagination) => op.pagination = Some(pagination),
                Err(Error::Spec { pointer, message }) if lenient => types.warnings.push(Warning {
                    pointer,
                    message: format!("{message}; the operation has no paginator"),
                }),
                Err(e) => return Err(e),
            }
        }
    }

    let groups = build_groups(api, &ops)?;
    check_builder_names(&groups, &ops)?;
    Ok((groups, ops))
}

/// Cargo features of the generated crate that are not API groups.
const RESERVED_FEATURES: &[&str] = &[
    "default",
    "full",
    "rustls",
    "native-tls",
    "tracing",
    "round-trip",
];

fn build_groups(api: &OpenAPI, ops: &[Operation]) -> Result<Vec<Group>> {
    let mut groups: Vec<Group> = Vec::new();
    let mut methods: BTreeMap<(String, String), &Operation> = BTreeMap::new();
    for op in ops {
        let key = (op.group.clone(), op.method.clone());
        if let Some(other) = methods.insert(key, op) {
            return Err(Error::spec(
                &op.pointer,
                format!(
                    "operations {:?} and {:?} both become `client.{}().{}()`; set a distinct x-method-name",
                    other.operation_id, op.operation_id, op.group, op.method
                ),
            ));
        }
        if groups.iter().any(|g| g.module == op.group) {
            continue;
        }
        let tag_name = op_tag(api, op);
        if let Some(other) = groups.iter().find(|g| g.type_name == op.group_type) {
            return Err(Error::spec(
                &op.pointer.push("tags"),
                format!(
                    "tags {:?} and {tag_name:?} both become the group `{}`",
                    other.tag, op.group
                ),
            ));
        }
        let accessor = accessor_name(&tag_name);
        if CLIENT_METHODS.contains(&accessor.as_str()) {
            return Err(Error::spec(
                &op.pointer.push("tags"),
                format!("tag {tag_name:?} would clash with the client method `{accessor}`"),
            ));
        }
        // A group named like one of the crate's own features (operations without a tag make
        // the group `default`) gets `-api` appended.
        let mut feature = op.group.trim_matches('_').replace('_', "-");
        if feature.is_empty() {
            feature = "api".to_owned();
        } else if RESERVED_FEATURES.contains(&feature.as_str()) {
            feature.push_str("-api");
        }
        if let Some(other) = groups.iter().find(|g| g.feature == feature) {
            return Err(Error::spec(
                &op.pointer.push("tags"),
                format!(
                    "tags {:?} and {tag_name:?} both become the cargo feature `{feature}`; rename one",
                    other.tag
                ),
            ));
        }
        let tag = api.tags.iter().find(|t| t.name == tag_name);
        let doc = tag.and_then(|t| t.description.clone());
        let example = tag
            .and_then(|t| t.extensions.get("x-rust-example"))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        groups.push(Group {
            module: op.group.clone(),
            feature,
            accessor,
            type_name: op.group_type.clone(),
            tag: tag_name,
            doc,
            example,
        });
    }
    // Groups follow the order of the document's `tags` list, then first use.
    groups.sort_by_key(|g| {
        api.tags
            .iter()
            .position(|t| t.name == g.tag)
            .unwrap_or(usize::MAX)
    });
    Ok(groups)
}

/// Builders share the `operations` namespace with each other and with the group structs.
fn check_builder_names(groups: &[Group], ops: &[Operation]) -> Result<()> {
    // Names the operations code uses unqualified.
    const USED: &[&str] = &[
        "Option", "Some", "None", "String", "Vec", "Box", "Into", "Ok", "Err", "Result", "Clone",
    ];
    let mut taken: BTreeMap<&str, String> = USED
        .iter()
        .map(|n| {
            (
                *n,
                "a standard Rust name the generated code uses".to_owned(),
            )
        })
        .collect();
    for g in groups {
        if let Some(other) = taken.insert(
            g.type_name.as_str(),
            format!("the group of tag {:?}", g.tag),
        ) {
            let op = ops
                .iter()
                .find(|o| o.group == g.module)
                .map(|o| o.pointer.push("tags"))
                .unwrap_or_default();
            return Err(Error::spec(
                &op,
                format!(
                    "tag {:?} becomes the type `{}`, which is {other}; rename the tag",
                    g.tag, g.type_name
                ),
            ));
        }
    }
    for op in ops {
        if let Some(streaming) = &op.streaming {
            if let Some(other) = taken.insert(
                streaming.type_name.as_str(),
                format!("the stream type of {:?}", op.operation_id),
            ) {
                return Err(Error::spec(
                    &op.pointer.push("operationId"),
                    format!(
                        "the stream type `{}` is also {other}; choose another operationId",
                        streaming.type_name
                    ),
                ));
            }
        }
        if let Some(other) = taken.insert(
            op.builder.as_str(),
            format!("operation {:?}", op.operation_id),
        ) {
            return Err(Error::spec(
                &op.pointer.push("operationId"),
                format!(
                    "operationId {:?} becomes the builder type `{}`, which is also {other}; choose another operationId",
                    op.operation_id, op.builder
                ),
            ));
        }
    }
    Ok(())
}

/// The `Client` method of a tag group: `snake_case`, keywords suffixed with `_`.
fn accessor_name(tag: &str) -> String {
    let name = field_name(tag);
    if crate::names::ident_needs_suffix(&name) {
        format!("{name}_")
    } else {
        name
    }
}

fn op_tag(api: &OpenAPI, op: &Operation) -> String {
    api.tags
        .iter()
        .find(|t| module_name(&t.name) == op.group)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| op.group_type.clone())
}

fn check_path_params(path: &str, params: &[Param], ptr: &Pointer) -> Result<()> {
    let mut literal = path.to_owned();
    for p in params.iter().filter(|p| p.location == ParamLocation::Path) {
        literal = literal.replace(&format!("{{{}}}", p.wire_name), "");
    }
    if literal.contains(['{', '}']) {
        return Err(Error::spec(
            ptr,
            format!("path {path:?} has a `{{` or `}}` that is not part of a `{{parameter}}`"),
        ));
    }
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            return Err(Error::spec(
                ptr,
                format!("path {path:?} has an unclosed `{{`"),
            ));
        };
        let name = &rest[start + 1..start + len];
        if !params
            .iter()
            .any(|p| p.location == ParamLocation::Path && p.wire_name == name)
        {
            return Err(Error::spec(
                ptr,
                format!("path parameter {{{name}}} is not declared in `parameters`"),
            ));
        }
        rest = &rest[start + len + 1..];
    }
    Ok(())
}

fn resolve_component<'a, T>(
    map: Option<&'a indexmap::IndexMap<String, ReferenceOr<T>>>,
    prefix: &str,
    item: &'a ReferenceOr<T>,
    ptr: &Pointer,
) -> Result<&'a T> {
    match item {
        ReferenceOr::Item(value) => Ok(value),
        ReferenceOr::Reference { reference } => {
            let found = reference
                .strip_prefix(prefix)
                .and_then(|name| map.and_then(|m| m.get(name)));
            match found {
                Some(ReferenceOr::Item(value)) => Ok(value),
                _ => Err(Error::spec(ptr, format!("unresolvable $ref {reference:?}"))),
            }
        }
    }
}

fn read_param<'a>(
    api: &'a OpenAPI,
    types: &mut TypeSpace<'a>,
    param: &'a ReferenceOr<Parameter>,
    builder: &str,
    ptr: &Pointer,
) -> Result<Option<Param>> {
    let components = api.components.as_ref();
    let param = resolve_component(
        components.map(|c| &c.parameters),
        "#/components/parameters/",
        param,
        ptr,
    )?;
    let (location, data) = match param {
        Parameter::Path { parameter_data, .. } => (ParamLocation::Path, parameter_data),
        Parameter::Query { parameter_data, .. } => (ParamLocation::Query, parameter_data),
        Parameter::Header { parameter_data, .. } => (ParamLocation::Header, parameter_data),
        Parameter::Cookie { parameter_data, .. } => {
            types.warnings.push(Warning {
                pointer: ptr.clone(),
                message: format!(
                    "cookie parameter {:?} is not supported; set the Cookie header through RequestOptions",
                    parameter_data.name
                ),
            });
            return Ok(None);
        }
    };
    let ty = match &data.format {
        ParameterSchemaOrContent::Schema(schema) => {
            let ctx = format!("{builder}{}", type_name(&data.name, "Param"));
            let sptr = ptr.push("schema");
            types.type_for(RefOr::from(schema), &ctx, &ctx, &sptr)?
        }
        ParameterSchemaOrContent::Content(_) => TypeRef::String,
    };
    let maximum = match &data.format {
        ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => match &schema.schema_kind {
            openapiv3::SchemaKind::Type(openapiv3::Type::Integer(int)) => int
                .maximum
                .map(|max| if int.exclusive_maximum { max - 1 } else { max }),
            _ => None,
        },
        _ => None,
    };
    Ok(Some(Param {
        wire_name: data.name.clone(),
        rust_name: field_name(&data.name),
        location,
        ty,
        required: data.required || location == ParamLocation::Path,
        doc: data.description.clone(),
        deprecated: data.deprecated.unwrap_or(false),
        maximum,
    }))
}

/// Picks the media type a client sends or reads: JSON first, then text, then anything.
/// How a media type is read or written: JSON, text, or bytes (multipart and form bodies are
/// told apart later, by `body_of`).
fn media_kind(content_type: &str) -> BodyKind {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or(content_type)
        .trim();
    if ct == "application/json" || ct.ends_with("+json") {
        BodyKind::Json
    } else if ct.starts_with("text/") {
        BodyKind::Text
    } else {
        BodyKind::Binary
    }
}

fn pick_media(
    content: &indexmap::IndexMap<String, MediaType>,
) -> Option<(&String, &MediaType, BodyKind)> {
    content
        .iter()
        .find(|(ct, _)| media_kind(ct) == BodyKind::Json)
        .or_else(|| {
            content
                .iter()
                .find(|(ct, _)| media_kind(ct) == BodyKind::Text)
        })
        .or_else(|| content.iter().next())
        .map(|(ct, media)| (ct, media, media_kind(ct)))
}

/// A second method of an operation that sends another media type: (method, builder, body).
type SecondMethod = (String, String, Body);

/// The request body the operation's own method sends, and the other media types that name a
/// method of their own (`x-method-name` on the media type: multipart beside JSON), each as
/// (method, builder, body): those become second methods of the operation.
fn read_body<'a>(
    api: &'a OpenAPI,
    types: &mut TypeSpace<'a>,
    body: &'a ReferenceOr<RequestBody>,
    operation_id: &str,
    builder: &str,
    ptr: &Pointer,
) -> Result<(Option<Body>, Vec<SecondMethod>)> {
    let components = api.components.as_ref();
    let body = resolve_component(
        components.map(|c| &c.request_bodies),
        "#/components/requestBodies/",
        body,
        ptr,
    )?;
    let Some((content_type, media, kind)) = pick_media(&body.content) else {
        return Ok((None, Vec::new()));
    };
    let mut alternatives = Vec::new();
    for (other, other_media) in body.content.iter().filter(|(ct, _)| *ct != content_type) {
        let mptr = ptr.push("content").push(other);
        let Some(name) = other_media.extensions.get("x-method-name") else {
            types.warnings.push(Warning {
                pointer: mptr,
                message: format!(
                    "the body can also be sent as {other}; the client sends {content_type} only"
                ),
            });
            continue;
        };
        let Some(name) = name.as_str() else {
            return Err(Error::spec(
                &mptr.push("x-method-name"),
                "x-method-name must be a string",
            ));
        };
        let method = field_name(name);
        let alt_builder = type_name(&format!("{operation_id}_{method}"), "Op");
        let alt = body_of(
            types,
            other,
            other_media,
            media_kind(other),
            body.required,
            &alt_builder,
            &mptr,
        )?;
        alternatives.push((method, alt_builder, alt));
    }
    if media.extensions.contains_key("x-method-name") {
        return Err(Error::spec(
            &ptr.push("content").push(content_type).push("x-method-name"),
            "the media type the operation's own method sends cannot name a second method",
        ));
    }
    let primary = body_of(
        types,
        content_type,
        media,
        kind,
        body.required,
        builder,
        &ptr.push("content").push(content_type),
    )?;
    Ok((Some(primary), alternatives))
}

/// The body a media type describes; `mptr` points at the media type.
fn body_of<'a>(
    types: &mut TypeSpace<'a>,
    content_type: &str,
    media: &'a MediaType,
    kind: BodyKind,
    required: bool,
    builder: &str,
    mptr: &Pointer,
) -> Result<Body> {
    if content_type.starts_with("multipart/form-data") {
        let Some(schema) = &media.schema else {
            return Err(Error::spec(mptr, "a multipart body needs an object schema"));
        };
        let ctx = crate::schema::rust_name_of(RefOr::from(schema))
            .unwrap_or_else(|| format!("{builder}Request"));
        types.uploads = true;
        let ty = types.type_for(RefOr::from(schema), &ctx, &ctx, &mptr.push("schema"));
        types.uploads = false;
        let ty = ty?;
        match &ty {
            TypeRef::Named(name)
                if matches!(
                    types.defs.get(name).map(|d| &d.shape),
                    Some(Shape::Struct { .. })
                ) =>
            {
                if let Some(def) = types.defs.get_mut(name) {
                    def.multipart = true;
                }
            }
            _ => {
                return Err(Error::spec(
                    &mptr.push("schema"),
                    "a multipart body must be an object with properties",
                ));
            }
        }
        return Ok(Body {
            ty,
            required,
            content_type: "multipart/form-data".to_owned(),
            kind: BodyKind::Multipart,
        });
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let Some(schema) = &media.schema else {
            return Err(Error::spec(mptr, "a form body needs an object schema"));
        };
        let ctx = crate::schema::rust_name_of(RefOr::from(schema))
            .unwrap_or_else(|| format!("{builder}Request"));
        let ty = types.type_for(RefOr::from(schema), &ctx, &ctx, &mptr.push("schema"))?;
        if !matches!(&ty, TypeRef::Named(name) if matches!(types.defs.get(name).map(|d| &d.shape), Some(Shape::Struct { .. })))
        {
            return Err(Error::spec(
                &mptr.push("schema"),
                "a form body must be an object with properties",
            ));
        }
        return Ok(Body {
            ty,
            required,
            content_type: "application/x-www-form-urlencoded".to_owned(),
            kind: BodyKind::Form,
        });
    }
    let ty = match (kind, &media.schema) {
        (BodyKind::Json, Some(schema)) => {
            let ctx = crate::schema::rust_name_of(RefOr::from(schema))
                .unwrap_or_else(|| format!("{builder}Request"));
            types.type_for(RefOr::from(schema), &ctx, &ctx, &mptr.push("schema"))?
        }
        (BodyKind::Json, None) => TypeRef::Json,
        (BodyKind::Text, _) => TypeRef::String,
        _ => TypeRef::Bytes,
    };
    Ok(Body {
        ty,
        required,
        content_type: content_type.to_owned(),
        kind,
    })
}

fn read_responses<'a>(
    api: &'a OpenAPI,
    types: &mut TypeSpace<'a>,
    responses: &'a openapiv3::Responses,
    builder: &str,
    ptr: &Pointer,
    streaming: bool,
) -> Result<(Success, Vec<ErrorResponse>, Option<EventMedia<'a>>)> {
    let components = api.components.as_ref();
    let mut success: Option<Success> = None;
    let mut events: Option<EventMedia<'a>> = None;
    let mut errors = Vec::new();
    for (status, response) in &responses.responses {
        let (code, is_success) = match status {
            StatusCode::Code(c) => (c.to_string(), (200..300).contains(c)),
            StatusCode::Range(r) => (format!("{r}XX"), *r == 2),
        };
        let rptr = ptr.push(&code);
        let response: &Response = resolve_component(
            components.map(|c| &c.responses),
            "#/components/responses/",
            response,
            &rptr,
        )?;
        if !is_success {
            // A JSON error body that names a component schema makes that type part of the
            // crate (users may decode `ApiError::body` into it); inline ones are not typed.
            let ty = match response
                .content
                .get("application/json")
                .and_then(|m| m.schema.as_ref())
            {
                Some(openapiv3::ReferenceOr::Reference { reference }) => {
                    let mptr = rptr.push("content").push("application/json").push("schema");
                    Some(TypeRef::Named(types.resolve(reference, &mptr)?.1))
                }
                _ => None,
            };
            errors.push(ErrorResponse {
                status: code,
                description: response.description.clone(),
                ty,
            });
            continue;
        }
        if let Some(first) = &success {
            if !response.content.is_empty() {
                types.warnings.push(Warning {
                    pointer: rptr,
                    message: format!(
                        "a second success response; the client decodes the {} response's body only",
                        first.status
                    ),
                });
            }
            continue;
        }
        if let Some((chosen, _, _)) = pick_media(&response.content) {
            let sse = response
                .content
                .get_key_value("text/event-stream")
                .filter(|_| streaming && chosen != "text/event-stream");
            if let Some((key, media)) = sse {
                events = Some(EventMedia {
                    pointer: rptr.push("content").push(key),
                    schema: media.schema.as_ref(),
                    sentinel: media
                        .extensions
                        .get("x-speakeasy-sse-sentinel")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            }
            for other in response
                .content
                .keys()
                .filter(|ct| *ct != chosen && !(sse.is_some() && *ct == "text/event-stream"))
            {
                types.warnings.push(Warning {
                    pointer: rptr.push("content").push(other),
                    message: format!(
                        "the response can also come as {other}; the client reads {chosen} only"
                    ),
                });
            }
        }
        success = Some(match pick_media(&response.content) {
            None => Success {
                status: code,
                kind: BodyKind::Empty,
                ty: None,
            },
            Some((content_type, media, kind)) => {
                let mptr = rptr.push("content").push(content_type);
                let ty = match (kind, &media.schema) {
                    (BodyKind::Json, Some(schema)) => {
                        let ctx = crate::schema::rust_name_of(RefOr::from(schema))
                            .unwrap_or_else(|| format!("{builder}Response"));
                        types.type_for(RefOr::from(schema), &ctx, &ctx, &mptr.push("schema"))?
                    }
                    (BodyKind::Json, None) => TypeRef::Json,
                    (BodyKind::Text, _) => TypeRef::String,
                    _ => TypeRef::Bytes,
                };
                Success {
                    status: code,
                    kind,
                    ty: Some(ty),
                }
            }
        });
    }
    let success = success.unwrap_or(Success {
        status: "200".into(),
        kind: BodyKind::Empty,
        ty: None,
    });
    Ok((success, errors, events))
}

/// The `text/event-stream` content of a success response.
struct EventMedia<'a> {
    pointer: Pointer,
    schema: Option<&'a ReferenceOr<openapiv3::Schema>>,
    sentinel: Option<String>,
}

/// Reads `x-stream: {flag, done, terminal}` against the body and the event-stream schema.
fn read_streaming<'a>(
    ext: &Value,
    ptr: &Pointer,
    builder: &str,
    body: &Option<Body>,
    events: Option<EventMedia<'a>>,
    types: &mut TypeSpace<'a>,
) -> Result<Streaming> {
    let Some(events) = events else {
        return Err(Error::spec(
            ptr,
            "a streaming operation needs a 200 response with text/event-stream content beside JSON",
        ));
    };
    let Some(schema) = events.schema else {
        return Err(Error::spec(
            &events.pointer,
            "the event stream needs a schema for one event's data",
        ));
    };
    let flag_wire = ext.get("flag").and_then(Value::as_str).ok_or_else(|| {
        Error::spec(
            &ptr.push("flag"),
            "x-stream needs `flag`: the boolean body property that turns streaming on",
        )
    })?;
    let flag = match body {
        Some(Body {
            ty: TypeRef::Named(name),
            required: true,
            kind: BodyKind::Json,
            ..
        }) => match types.defs.get(name).map(|d| &d.shape) {
            Some(Shape::Struct { fields, .. }) => fields
                .iter()
                .find(|f| f.wire_name == flag_wire && f.ty == TypeRef::Bool)
                .map(|f| f.rust_name.clone()),
            _ => None,
        },
        _ => None,
    };
    let Some(flag) = flag else {
        return Err(Error::spec(
            &ptr.push("flag"),
            format!(
                "the required JSON request body must be an object with a boolean property {flag_wire:?}"
            ),
        ));
    };
    let done = ext.get("done").and_then(Value::as_str).map(str::to_owned);
    let terminal: Vec<String> = ext
        .get("terminal")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let ctx = format!("{builder}Event");
    let sptr = events.pointer.push("schema");
    let mut item = types.type_for(RefOr::from(schema), &ctx, &ctx, &sptr)?;
    // Speakeasy's documents describe the whole SSE message (`{data: <payload>}`): unwrap it.
    if let TypeRef::Named(name) = &item {
        if let Some(Shape::Struct { fields, .. }) = types.defs.get(name).map(|d| &d.shape) {
            let envelope = fields
                .iter()
                .all(|f| matches!(f.wire_name.as_str(), "data" | "event" | "id" | "retry"));
            if let Some(data) = fields
                .iter()
                .find(|f| f.wire_name == "data")
                .filter(|_| envelope)
            {
                item = data.ty.clone();
            }
        }
    }
    Ok(Streaming {
        flag,
        item,
        done,
        terminal,
        type_name: format!("{builder}Stream"),
    })
}

fn ext_str(ext: &Value, key: &str, ptr: &Pointer) -> Result<String> {
    ext.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::spec(
                &ptr.push(key),
                format!("x-pagination needs a string `{key}`"),
            )
        })
}

fn read_pagination(ext: &Value, ptr: &Pointer) -> Result<RawPagination> {
    let optional = |key: &str| ext.get(key).and_then(Value::as_str).map(str::to_owned);
    let style = match ext_str(ext, "style", ptr)?.as_str() {
        "offset" => RawStyle::Offset {
            offset: ext_str(ext, "offset", ptr)?,
            limit: optional("limit"),
            has_more: optional("has_more"),
        },
        "cursor" => RawStyle::Cursor {
            cursor: ext_str(ext, "cursor", ptr)?,
            next: ext_str(ext, "next", ptr)?,
            has_more: optional("has_more"),
            by: ext
                .get("by")
                .map(|by| read_cursor_by(by, &ptr.push("by")))
                .transpose()?,
        },
        other => {
            return Err(Error::spec(
                &ptr.push("style"),
                format!("unknown paging style {other:?}; `offset` and `cursor` are supported"),
            ));
        }
    };
    Ok(RawPagination {
        pointer: ptr.clone(),
        lenient: false,
        style,
        items: ext_str(ext, "items", ptr)?,
    })
}

/// `by: {param: P, values: {V: {cursor: C, next: N}, ...}}`: when parameter `P` is `V`, pages
/// are chained through `C` and `N` instead.
fn read_cursor_by(by: &Value, ptr: &Pointer) -> Result<RawCursorBy> {
    let param = ext_str(by, "param", ptr)?;
    let values = by
        .get("values")
        .and_then(Value::as_object)
        .filter(|values| !values.is_empty())
        .ok_or_else(|| {
            Error::spec(
                &ptr.push("values"),
                "x-pagination `by` needs a non-empty map `values`",
            )
        })?;
    let values = values
        .iter()
        .map(|(value, pair)| {
            let at = ptr.push("values").push(value);
            Ok((
                value.clone(),
                ext_str(pair, "cursor", &at)?,
                ext_str(pair, "next", &at)?,
            ))
        })
        .collect::<Result<_>>()?;
    Ok(RawCursorBy {
        pointer: ptr.clone(),
        param,
        values,
    })
}

/// Reads Speakeasy's paging extension (as in OpenRouter's own document) where it is offset-based.
fn read_speakeasy_pagination(
    ext: &Value,
    ptr: &Pointer,
    warnings: &mut Vec<Warning>,
) -> Option<RawPagination> {
    let kind = ext.get("type").and_then(Value::as_str).unwrap_or_default();
    let input = |t: &str| {
        ext.get("inputs")?
            .as_array()?
            .iter()
            .find(|i| i.get("type").and_then(Value::as_str) == Some(t))?
            .get("name")?
            .as_str()
            .map(str::to_owned)
    };
    let items = ext
        .pointer("/outputs/results")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("$."))
        .map(str::to_owned);
    match (kind, input("offset"), items) {
        ("offsetLimit", Some(offset), Some(items)) => Some(RawPagination {
            pointer: ptr.clone(),
            lenient: true,
            style: RawStyle::Offset {
                offset,
                limit: input("limit"),
                has_more: None,
            },
            items,
        }),
        _ => {
            warnings.push(Warning {
                pointer: ptr.clone(),
                message: format!(
                    "paging of type {kind:?} is not supported; the operation has no paginator"
                ),
            });
            None
        }
    }
}

/// The operation's own server (operation `servers`, else path-item `servers`), relative to the
/// document's first server when it is on the same host.
fn operation_server(
    api: &OpenAPI,
    item: &openapiv3::PathItem,
    op: &openapiv3::Operation,
    path_ptr: &Pointer,
    ptr: &Pointer,
) -> Result<Option<OperationServer>> {
    let (servers, sptr) = if !op.servers.is_empty() {
        (&op.servers, ptr.push("servers"))
    } else if !item.servers.is_empty() {
        (&item.servers, path_ptr.push("servers"))
    } else {
        return Ok(None);
    };
    let url = servers[0].url.trim_end_matches('/');
    if url.contains('{') {
        return Err(Error::spec(
            &sptr.push("0").push("url"),
            "server variables are not supported in an operation's server",
        ));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(Error::spec(
            &sptr.push("0").push("url"),
            format!("an operation's server must be an absolute URL, not {url:?}"),
        ));
    };
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, String::new()), |(h, p)| (h, format!("/{p}")));
    let default = api
        .servers
        .first()
        .map(|s| s.url.trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let same_host = default
        .split_once("://")
        .is_some_and(|(s, r)| s == scheme && r.split('/').next() == Some(host));
    Ok(Some(if same_host {
        OperationServer::SameHost(path)
    } else {
        OperationServer::Absolute(url.to_owned())
    }))
}

/// `x-wait` as the document declares it: wire names of the status and error properties.
struct RawWait {
    pointer: Pointer,
    status: String,
    succeeded: Vec<String>,
    failed: Vec<String>,
    error: Option<String>,
}

fn read_wait(ext: &Value, ptr: &Pointer) -> Result<RawWait> {
    let list = |key: &str| -> Result<Vec<String>> {
        let values = ext
            .get(key)
            .and_then(Value::as_array)
            .filter(|v| !v.is_empty());
        let Some(values) = values else {
            return Err(Error::spec(
                &ptr.push(key),
                format!("x-wait needs `{key}`: a non-empty list of status values"),
            ));
        };
        values
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| Error::spec(&ptr.push(key), "status values are strings"))
            })
            .collect()
    };
    let status = ext.get("status").and_then(Value::as_str).ok_or_else(|| {
        Error::spec(
            &ptr.push("status"),
            "x-wait needs `status`: the property holding the job's status",
        )
    })?;
    Ok(RawWait {
        pointer: ptr.clone(),
        status: status.to_owned(),
        succeeded: list("succeeded")?,
        failed: list("failed")?,
        error: ext.get("error").and_then(Value::as_str).map(str::to_owned),
    })
}

fn resolve_wait(op: &Operation, raw: RawWait, types: &TypeSpace<'_>) -> Result<Wait> {
    if op.http_method != "GET" || op.success.kind != BodyKind::Json {
        return Err(Error::spec(
            &raw.pointer,
            "x-wait belongs on a GET operation that answers with JSON (the job's state)",
        ));
    }
    // A property path (`status`, `data.status`) through the answer's objects.
    let path = |dotted: &str, what: &str| -> Result<(Vec<(String, String)>, TypeRef)> {
        let missing = || {
            Error::spec(
                &raw.pointer,
                format!("the success response must be an object with a {what} property {dotted:?}"),
            )
        };
        let mut ty = op.success.ty.clone().ok_or_else(missing)?;
        let mut steps = Vec::new();
        for wire in dotted.split('.') {
            let TypeRef::Named(owner) = &ty else {
                return Err(missing());
            };
            let Some(Shape::Struct { fields, .. }) = types.defs.get(owner).map(|d| &d.shape) else {
                return Err(missing());
            };
            let field = fields
                .iter()
                .find(|f| f.wire_name == wire)
                .ok_or_else(missing)?;
            steps.push((owner.clone(), field.rust_name.clone()));
            ty = field.ty.clone();
        }
        Ok((steps, ty))
    };
    let (status, status_ty) = path(&raw.status, "status")?;
    let status_is_text = match &status_ty {
        TypeRef::String => true,
        TypeRef::Named(name) => matches!(
            types.defs.get(name).map(|d| &d.shape),
            Some(Shape::Enum { .. })
        ),
        _ => false,
    };
    if !status_is_text {
        return Err(Error::spec(
            &raw.pointer.push("status"),
            "the status property must be a string or a string enum",
        ));
    }
    if let Some(overlap) = raw.succeeded.iter().find(|s| raw.failed.contains(s)) {
        return Err(Error::spec(
            &raw.pointer,
            format!("status {overlap:?} is listed as both succeeded and failed"),
        ));
    }
    let error = match &raw.error {
        Some(dotted) => {
            let (steps, ty) = path(dotted, "error")?;
            if ty != TypeRef::String {
                return Err(Error::spec(
                    &raw.pointer.push("error"),
                    "the error property must be a string",
                ));
            }
            Some(steps)
        }
        None => None,
    };
    Ok(Wait {
        status,
        succeeded: raw.succeeded,
        failed: raw.failed,
        error,
    })
}

/// Rust names of a cursor parameter and of the answer's property giving its next value.
type CursorPair = (String, String);

/// Checks the parameter that chooses the cursor pair (a string or string enum, whose listed
/// values include each one named) and resolves each pair with `pair`.
fn resolve_cursor_by(
    op: &Operation,
    by: &RawCursorBy,
    types: &TypeSpace<'_>,
    pair: &dyn Fn(&str, &str) -> Result<CursorPair>,
) -> Result<CursorBy> {
    let param = op
        .params
        .iter()
        .find(|p| p.location != ParamLocation::Path && p.wire_name == by.param)
        .ok_or_else(|| {
            Error::spec(
                &by.pointer.push("param"),
                format!(
                    "{:?} is not a query or header parameter of the operation",
                    by.param
                ),
            )
        })?;
    let not_text = || {
        Error::spec(
            &by.pointer.push("param"),
            format!("parameter {:?} must be a string or a string enum", by.param),
        )
    };
    // The values a string enum lists (`None` for a plain string, which takes any).
    let known: Option<Vec<&str>> = match &param.ty {
        TypeRef::String => None,
        TypeRef::Named(name) => match types.defs.get(name).map(|d| &d.shape) {
            Some(Shape::Enum { values }) => Some(values.iter().map(|v| v.wire.as_str()).collect()),
            _ => return Err(not_text()),
        },
        _ => return Err(not_text()),
    };
    let mut values = Vec::new();
    for (value, cursor, next) in &by.values {
        let at = by.pointer.push("values").push(value);
        if known
            .as_ref()
            .is_some_and(|known| !known.contains(&value.as_str()))
        {
            return Err(Error::spec(
                &at,
                format!("{value:?} is not a value of parameter {:?}", by.param),
            ));
        }
        let (cursor, next) = pair(cursor, next).map_err(|e| match e {
            Error::Spec { message, .. } => Error::spec(&at, message),
            other => other,
        })?;
        values.push((value.clone(), cursor, next));
    }
    Ok(CursorBy {
        param: param.rust_name.clone(),
        optional: !param.required,
        is_enum: known.is_some(),
        values,
    })
}

fn resolve_pagination(
    op: &Operation,
    raw: RawPagination,
    types: &TypeSpace<'_>,
) -> Result<Pagination> {
    let find = |wire: &str| {
        op.params
            .iter()
            .find(|p| p.location == ParamLocation::Query && p.wire_name == wire)
            .map(|p| p.rust_name.clone())
            .ok_or_else(|| {
                Error::spec(
                    &raw.pointer,
                    format!("paging parameter {wire:?} is not a query parameter of the operation"),
                )
            })
    };
    let param_is = |name: &str, want: fn(&TypeRef) -> bool, what: &str| {
        let param = op.params.iter().find(|p| p.rust_name == name);
        if param.is_some_and(|p| want(&p.ty) && !p.required) {
            Ok(())
        } else {
            Err(Error::spec(
                &raw.pointer,
                format!("paging parameter `{name}` must be an optional {what}"),
            ))
        }
    };
    let fields = match &op.success.ty {
        Some(TypeRef::Named(name)) => match types.defs.get(name).map(|d| &d.shape) {
            Some(Shape::Struct { fields, .. }) => fields.as_slice(),
            _ => &[],
        },
        _ => &[],
    };
    let field = |wire: &str, want: fn(&TypeRef) -> bool, what: &str| {
        fields
            .iter()
            .find(|f| f.wire_name == wire && want(&f.ty))
            .map(|f| f.rust_name.clone())
            .ok_or_else(|| {
                Error::spec(
                    &raw.pointer,
                    format!(
                        "the success response must be an object with a {what} property {wire:?}"
                    ),
                )
            })
    };
    let style = match &raw.style {
        RawStyle::Offset {
            offset,
            limit,
            has_more,
        } => {
            let offset = find(offset)?;
            let limit = limit.as_deref().map(find).transpose()?;
            for name in std::iter::once(&offset).chain(limit.as_ref()) {
                param_is(
                    name,
                    |t| matches!(t, TypeRef::I64 | TypeRef::I32),
                    "integer",
                )?;
            }
            let max_offset = op
                .params
                .iter()
                .find(|p| p.rust_name == offset)
                .and_then(|p| p.maximum);
            let has_more = has_more
                .as_deref()
                .map(|w| field(w, |t| *t == TypeRef::Bool, "boolean"))
                .transpose()?;
            PageStyle::Offset {
                offset,
                limit,
                max_offset,
                has_more,
            }
        }
        RawStyle::Cursor {
            cursor,
            next,
            has_more,
            by,
        } => {
            // A text parameter taking the cursor, and the text property of the answer giving it.
            let pair = |cursor: &str, next: &str| -> Result<CursorPair> {
                let cursor = find(cursor)?;
                param_is(&cursor, |t| *t == TypeRef::String, "string")?;
                Ok((cursor, field(next, |t| *t == TypeRef::String, "string")?))
            };
            let (cursor, next) = pair(cursor, next)?;
            PageStyle::Cursor {
                cursor,
                next,
                has_more: has_more
                    .as_deref()
                    .map(|w| field(w, |t| *t == TypeRef::Bool, "boolean"))
                    .transpose()?,
                by: by
                    .as_ref()
                    .map(|by| resolve_cursor_by(op, by, types, &pair))
                    .transpose()?,
            }
        }
    };
    let item = fields
        .iter()
        .find(|f| f.wire_name == raw.items && f.required && !f.nullable)
        .and_then(|f| match &f.ty {
            TypeRef::Vec(inner) => Some((f.rust_name.clone(), (**inner).clone())),
            _ => None,
        });
    let Some((items_field, item_ty)) = item else {
        return Err(Error::spec(
            &raw.pointer,
            format!(
                "the success response must be an object with a required array property {:?}",
                raw.items
            ),
        ));
    };
    Ok(Pagination {
        style,
        items_field,
        item_ty,
    })
}
