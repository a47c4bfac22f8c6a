//! Rewrites an OpenAPI 3.1 document (as JSON) into the 3.0 shape that `openapiv3` reads.
//!
//! A pure function over `serde_json::Value`. What it carries over:
//! `type: [X, "null"]` becomes `type: X` plus `nullable: true`; `type: [X, Y]` becomes a `oneOf`;
//! `const` becomes a one-value `enum`; schema `examples` becomes `example`; numeric
//! `exclusiveMinimum`/`exclusiveMaximum` become `minimum`/`maximum` plus the boolean flag;
//! `{"type": "null"}` branches of `oneOf`/`anyOf` become `nullable: true`; a `$ref` with sibling
//! keywords becomes `allOf: [{$ref}]` beside them; `contentEncoding: base64` becomes
//! `format: byte` and a `contentMediaType` string becomes `format: binary`.
//! Anything it cannot carry is an error naming its JSON pointer, never dropped in silence.

use crate::error::{Error, Pointer, Result};
use serde_json::{Map, Value, json};

/// JSON Schema keywords of 3.1 that the 3.0 model has no room for.
const UNSUPPORTED: &[&str] = &[
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "patternProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "propertyNames",
    "$dynamicRef",
    "$dynamicAnchor",
    "$defs",
    "contentSchema",
];

/// How deeply schemas may nest inside one another (`properties`, `items`, `allOf`, ...).
/// OpenRouter's published document nests 10 deep; reading a much deeper one into the document
/// model would exhaust the stack of a test thread, so it is rejected here with its pointer.
pub const MAX_SCHEMA_NESTING: usize = 32;

/// Keywords that annotate a schema for humans or tools and carry no shape.
const ANNOTATIONS: &[&str] = &["$schema", "$id", "$comment", "$anchor"];

/// Checks the `openapi` version and returns the document in 3.0 shape.
pub fn normalize(mut doc: Value) -> Result<Value> {
    let root = Pointer::root();
    let Some(obj) = doc.as_object_mut() else {
        return Err(Error::spec(
            &root,
            "the document must be a JSON/YAML object",
        ));
    };
    let version_ptr = root.push("openapi");
    let version = match obj.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(_) => {
            return Err(Error::spec(
                &version_ptr,
                "`openapi` must be a string such as \"3.1.0\"",
            ));
        }
        None => {
            let hint = if obj.contains_key("swagger") {
                "Swagger 2.0 documents are not supported; convert to OpenAPI 3.x first"
            } else {
                "missing `openapi` version field"
            };
            return Err(Error::spec(&version_ptr, hint));
        }
    };
    if !(version.starts_with("3.0.") || version.starts_with("3.1.")) {
        return Err(Error::spec(
            &version_ptr,
            format!("unsupported OpenAPI version {version:?}; expected 3.0.x or 3.1.x"),
        ));
    }
    if let Some(hooks) = obj.get("webhooks") {
        if hooks.as_object().is_some_and(|m| !m.is_empty()) {
            return Err(Error::spec(
                &root.push("webhooks"),
                "webhooks cannot be represented by the generator; remove them from the document",
            ));
        }
    }
    obj.remove("webhooks");
    obj.remove("jsonSchemaDialect");
    obj.insert("openapi".into(), Value::String("3.0.3".into()));

    if let Some(Value::Object(components)) = obj.get_mut("components") {
        let cptr = root.push("components");
        if let Some(Value::Object(schemas)) = components.get_mut("schemas") {
            let sptr = cptr.push("schemas");
            for (name, schema) in schemas.iter_mut() {
                normalize_schema(schema, &sptr.push(name))?;
            }
        }
        for (key, value) in components.iter_mut() {
            if key != "schemas" && key != "examples" {
                walk(value, &cptr.push(key))?;
            }
        }
    }
    if let Some(paths) = obj.get_mut("paths") {
        walk(paths, &root.push("paths"))?;
    }
    Ok(doc)
}

/// Walks non-schema parts of the document, normalizing every `schema` it finds.
fn walk(value: &mut Value, ptr: &Pointer) -> Result<()> {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let cptr = ptr.push(key);
                match key.as_str() {
                    "schema" => normalize_schema(child, &cptr)?,
                    "example" | "examples" => {}
                    _ => walk(child, &cptr)?,
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                walk(child, &ptr.push(i.to_string()))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Normalizes one schema object and, recursively, its sub-schemas.
pub fn normalize_schema(schema: &mut Value, ptr: &Pointer) -> Result<()> {
    normalize_nested(schema, ptr, 1)
}

/// [`normalize_schema`] of a schema nested `depth` levels deep.
fn normalize_nested(schema: &mut Value, ptr: &Pointer, depth: usize) -> Result<()> {
    if depth > MAX_SCHEMA_NESTING {
        return Err(Error::spec(
            ptr,
            format!(
                "schemas nest more than {MAX_SCHEMA_NESTING} levels deep here; move inner schemas into components"
            ),
        ));
    }
    match schema {
        Value::Bool(true) => {
            *schema = json!({});
            return Ok(());
        }
        Value::Bool(false) => {
            return Err(Error::spec(
                ptr,
                "the `false` schema (matches nothing) cannot be represented",
            ));
        }
        Value::Object(_) => {}
        _ => return Err(Error::spec(ptr, "a schema must be an object or a boolean")),
    }
    let Value::Object(map) = schema else {
        return Ok(());
    };
    // `propertyNames: {type: string}` says what JSON already guarantees: drop it.
    if map.get("propertyNames") == Some(&json!({"type": "string"})) {
        map.remove("propertyNames");
    }
    for keyword in UNSUPPORTED {
        if map.contains_key(*keyword) {
            return Err(Error::spec(
                &ptr.push(keyword),
                format!(
                    "the JSON Schema keyword `{keyword}` cannot be represented by the generator"
                ),
            ));
        }
    }
    for keyword in ANNOTATIONS {
        map.remove(*keyword);
    }

    // `$ref` with siblings: keep the siblings, move the reference into `allOf`.
    if map.contains_key("$ref") && map.len() > 1 {
        let reference = map.remove("$ref").unwrap_or(Value::Null);
        let mut all_of = match map.remove("allOf") {
            Some(Value::Array(items)) => items,
            Some(_) => return Err(Error::spec(&ptr.push("allOf"), "`allOf` must be a list")),
            None => Vec::new(),
        };
        all_of.insert(0, json!({ "$ref": reference }));
        map.insert("allOf".into(), Value::Array(all_of));
    }

    if let Some(examples) = map.remove("examples") {
        match examples {
            Value::Array(mut items) => {
                if !map.contains_key("example") && !items.is_empty() {
                    map.insert("example".into(), items.swap_remove(0));
                }
            }
            _ => {
                return Err(Error::spec(
                    &ptr.push("examples"),
                    "schema `examples` must be a list",
                ));
            }
        }
    }

    if let Some(value) = map.remove("const") {
        if value.is_null() {
            map.insert("nullable".into(), Value::Bool(true));
        } else {
            if !map.contains_key("type") {
                if let Some(kind) = json_kind(&value) {
                    map.insert("type".into(), Value::String(kind.into()));
                }
            }
            map.insert("enum".into(), Value::Array(vec![value]));
        }
    }

    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Number(n)) = map.get(exclusive).cloned() {
            map.insert(bound.into(), Value::Number(n));
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }

    if let Some(Value::String(encoding)) = map.remove("contentEncoding") {
        if encoding == "base64" {
            map.entry("format").or_insert(json!("byte"));
        } else {
            return Err(Error::spec(
                &ptr.push("contentEncoding"),
                format!(
                    "content encoding {encoding:?} cannot be represented; only base64 is supported"
                ),
            ));
        }
        map.remove("contentMediaType");
    }
    if map.remove("contentMediaType").is_some() {
        map.entry("format").or_insert(json!("binary"));
    }

    normalize_type(map, ptr)?;

    if let Some(Value::Array(values)) = map.get_mut("enum") {
        let before = values.len();
        values.retain(|v| !v.is_null());
        if values.len() != before {
            map.insert("nullable".into(), Value::Bool(true));
        }
    }

    for union in ["oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = map.get_mut(union) {
            let before = branches.len();
            branches.retain(|b| !is_null_schema(b));
            if branches.len() != before {
                map.insert("nullable".into(), Value::Bool(true));
            }
        }
    }

    // Recurse into sub-schemas.
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        let pptr = ptr.push("properties");
        for (name, prop) in props.iter_mut() {
            normalize_nested(prop, &pptr.push(name), depth + 1)?;
        }
    }
    for key in ["items", "not"] {
        if let Some(child) = map.get_mut(key) {
            normalize_nested(child, &ptr.push(key), depth + 1)?;
        }
    }
    if let Some(child) = map.get_mut("additionalProperties") {
        if child.is_object() {
            normalize_nested(child, &ptr.push("additionalProperties"), depth + 1)?;
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        match map.get_mut(key) {
            Some(Value::Array(branches)) => {
                let bptr = ptr.push(key);
                for (i, branch) in branches.iter_mut().enumerate() {
                    normalize_nested(branch, &bptr.push(i.to_string()), depth + 1)?;
                }
            }
            Some(_) => {
                return Err(Error::spec(
                    &ptr.push(key),
                    format!("`{key}` must be a list of schemas"),
                ));
            }
            None => {}
        }
    }
    Ok(())
}

/// Keywords that only make sense for one JSON type, moved into that type's `oneOf` branch.
fn keywords_for(kind: &str) -> &'static [&'static str] {
    match kind {
        "string" => &["format", "pattern", "minLength", "maxLength"],
        "integer" | "number" => &[
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
        "array" => &["items", "minItems", "maxItems", "uniqueItems"],
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
        ],
        _ => &[],
    }
}

fn normalize_type(map: &mut Map<String, Value>, ptr: &Pointer) -> Result<()> {
    let kinds = match map.get("type") {
        Some(Value::Array(kinds)) => kinds.clone(),
        Some(Value::String(kind)) if kind == "null" => {
            return Err(Error::spec(
                &ptr.push("type"),
                "a schema that only allows `null` cannot be represented outside a union",
            ));
        }
        Some(Value::String(_)) | None => return Ok(()),
        Some(_) => {
            return Err(Error::spec(
                &ptr.push("type"),
                "`type` must be a string or a list of strings",
            ));
        }
    };
    let mut names = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        match kind.as_str() {
            Some(name) => names.push(name.to_owned()),
            None => {
                return Err(Error::spec(
                    &ptr.push("type").push(i.to_string()),
                    "type names must be strings",
                ));
            }
        }
    }
    let nullable = names.iter().any(|k| k == "null");
    names.retain(|k| k != "null");
    names.dedup();
    if nullable {
        map.insert("nullable".into(), Value::Bool(true));
    }
    match names.len() {
        0 => Err(Error::spec(
            &ptr.push("type"),
            "a schema that only allows `null` cannot be represented outside a union",
        )),
        1 => {
            map.insert("type".into(), Value::String(names.remove(0)));
            Ok(())
        }
        _ => {
            if map.contains_key("oneOf") || map.contains_key("anyOf") {
                return Err(Error::spec(
                    &ptr.push("type"),
                    "a list of several types beside `oneOf`/`anyOf` cannot be represented",
                ));
            }
            map.remove("type");
            let enum_values = map.remove("enum");
            let mut branches = Vec::new();
            for kind in &names {
                let mut branch = Map::new();
                branch.insert("type".into(), Value::String(kind.clone()));
                for keyword in keywords_for(kind) {
                    if let Some(v) = map.get(*keyword) {
                        branch.insert((*keyword).into(), v.clone());
                    }
                }
                if let Some(Value::Array(values)) = &enum_values {
                    let own: Vec<Value> = values
                        .iter()
                        .filter(|v| {
                            json_kind(v)
                                .is_some_and(|k| k == kind || (kind == "number" && k == "integer"))
                        })
                        .cloned()
                        .collect();
                    if !own.is_empty() {
                        branch.insert("enum".into(), Value::Array(own));
                    }
                }
                branches.push(Value::Object(branch));
            }
            for kind in &names {
                for keyword in keywords_for(kind) {
                    map.remove(*keyword);
                }
            }
            map.insert("oneOf".into(), Value::Array(branches));
            Ok(())
        }
    }
}

fn is_null_schema(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(kind)) => kind == "null",
        Some(Value::Array(kinds)) => kinds.iter().all(|k| k == "null"),
        _ => {
            schema.get("enum").is_some_and(|e| e == &json!([null]))
                || schema.get("const") == Some(&Value::Null)
                    && schema.as_object().is_some_and(|m| m.len() == 1)
        }
    }
}

fn json_kind(value: &Value) -> Option<&'static str> {
    Some(match value {
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_with(schema: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "paths": {},
            "components": {"schemas": {"S": schema}}
        })
    }

    fn normalized(schema: Value) -> Value {
        let doc = normalize(doc_with(schema)).expect("normalizes");
        doc["components"]["schemas"]["S"].clone()
    }

    fn error(schema: Value) -> Error {
        normalize(doc_with(schema)).expect_err("should fail")
    }

    #[test]
    fn sets_the_version_to_3_0() {
        let doc = normalize(doc_with(json!({"type": "string"}))).expect("normalizes");
        assert_eq!(doc["openapi"], "3.0.3");
    }

    #[test]
    fn type_list_with_null_becomes_nullable() {
        assert_eq!(
            normalized(json!({"type": ["string", "null"], "format": "date-time"})),
            json!({"type": "string", "format": "date-time", "nullable": true})
        );
    }

    #[test]
    fn type_list_of_two_types_becomes_one_of() {
        assert_eq!(
            normalized(json!({"type": ["integer", "string"], "minimum": 1, "maxLength": 3})),
            json!({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": 3}]})
        );
    }

    #[test]
    fn const_becomes_a_one_value_enum() {
        assert_eq!(
            normalized(json!({"const": "list"})),
            json!({"type": "string", "enum": ["list"]})
        );
        assert_eq!(
            normalized(json!({"const": true})),
            json!({"type": "boolean", "enum": [true]})
        );
    }

    #[test]
    fn examples_become_example() {
        assert_eq!(
            normalized(json!({"type": "integer", "examples": [3, 4]})),
            json!({"type": "integer", "example": 3})
        );
    }

    #[test]
    fn numeric_exclusive_bounds_become_flags() {
        assert_eq!(
            normalized(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1})),
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn null_branches_become_nullable() {
        assert_eq!(
            normalized(json!({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]})),
            json!({"anyOf": [{"$ref": "#/components/schemas/X"}], "nullable": true})
        );
    }

    #[test]
    fn ref_with_siblings_moves_into_all_of() {
        assert_eq!(
            normalized(json!({"$ref": "#/components/schemas/X", "description": "d"})),
            json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/X"}]})
        );
    }

    #[test]
    fn nested_schemas_are_normalized() {
        let out = normalized(json!({
            "type": "object",
            "properties": {"a": {"type": ["array", "null"], "items": {"const": 1}}},
            "additionalProperties": {"type": ["boolean", "null"]}
        }));
        assert_eq!(
            out["properties"]["a"],
            json!({"type": "array", "nullable": true, "items": {"type": "integer", "enum": [1]}})
        );
        assert_eq!(
            out["additionalProperties"],
            json!({"type": "boolean", "nullable": true})
        );
    }

    #[test]
    fn schemas_in_paths_are_normalized_but_examples_are_not() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "paths": {"/a": {"get": {
                "parameters": [{"name": "q", "in": "query", "schema": {"type": ["string", "null"]}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"const": "x"},
                    "example": {"schema": {"type": ["string", "null"]}}
                }}}}
            }}}
        });
        let out = normalize(doc).expect("normalizes");
        let get = &out["paths"]["/a"]["get"];
        assert_eq!(
            get["parameters"][0]["schema"],
            json!({"type": "string", "nullable": true})
        );
        let media = &get["responses"]["200"]["content"]["application/json"];
        assert_eq!(media["schema"], json!({"type": "string", "enum": ["x"]}));
        assert_eq!(
            media["example"],
            json!({"schema": {"type": ["string", "null"]}})
        );
    }

    #[test]
    fn unsupported_keywords_name_their_pointer() {
        let e = error(
            json!({"type": "object", "properties": {"t": {"type": "array", "prefixItems": []}}}),
        );
        assert_eq!(
            e.pointer().map(ToString::to_string).as_deref(),
            Some("#/components/schemas/S/properties/t/prefixItems")
        );
    }

    #[test]
    fn only_null_is_an_error() {
        let e = error(json!({"type": "null"}));
        assert_eq!(
            e.pointer().map(ToString::to_string).as_deref(),
            Some("#/components/schemas/S/type")
        );
    }

    #[test]
    fn versions_other_than_3_0_and_3_1_are_rejected() {
        let e = normalize(json!({"swagger": "2.0", "info": {}, "paths": {}})).expect_err("fails");
        assert!(e.to_string().contains("Swagger 2.0"), "{e}");
        let e = normalize(json!({"openapi": "4.0.0"})).expect_err("fails");
        assert_eq!(
            e.pointer().map(ToString::to_string).as_deref(),
            Some("#/openapi")
        );
    }

    #[test]
    fn is_pure_on_3_0_documents() {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {},
            "components": {"schemas": {"S": {"type": "string", "nullable": true}}}
        });
        assert_eq!(normalize(doc.clone()).expect("normalizes"), doc);
    }
}
