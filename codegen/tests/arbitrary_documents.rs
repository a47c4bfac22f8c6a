//! Property tests: arbitrary text and arbitrary OpenAPI-shaped documents (among them list
//! operations with arbitrary paging extensions) never make the loader, the normalizer or the
//! generator panic; they either generate or return an error.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Keys that steer the loader and the generator into their interesting branches.
const KEYS: &[&str] = &[
    "type",
    "nullable",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "enum",
    "const",
    "examples",
    "example",
    "format",
    "$ref",
    "discriminator",
    "propertyName",
    "mapping",
    "description",
    "deprecated",
    "default",
    "exclusiveMinimum",
    "minimum",
    "contentEncoding",
    "contentMediaType",
    "title",
    "x-pagination",
    "x-method-name",
    "prefixItems",
    "a",
    "b",
    "type ",
    "",
];

const STRINGS: &[&str] = &[
    "object",
    "string",
    "integer",
    "number",
    "boolean",
    "array",
    "null",
    "binary",
    "int32",
    "double",
    "base64",
    "#/components/schemas/A",
    "#/components/schemas/B",
    "#/nowhere",
    "A",
    "type",
    "self",
    "unknown",
    "Unknown",
    "",
    "a-b",
    "a_b",
    "*/ fn evil() {}",
    "\"]#[",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..3).prop_map(|n| json!(n)),
        prop::sample::select(STRINGS).prop_map(|s| json!(s)),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                let map: Map<String, Value> =
                    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                Value::Object(map)
            }),
        ]
    })
}

const NAMES: &[&str] = &[
    "id", "type", "self", "2fa", "userId", "user_id", "", "名前", "a-b", "Unknown",
];

/// Mostly well-formed schemas: the shapes the generator turns into types, nested.
fn schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        prop::sample::select(&["string", "integer", "number", "boolean", "null"][..])
            .prop_map(|t| json!({"type": t})),
        prop::sample::select(&["A", "B", "Missing"][..])
            .prop_map(|n| json!({"$ref": format!("#/components/schemas/{n}")})),
        prop::collection::vec(prop::sample::select(STRINGS), 1..4)
            .prop_map(|v| json!({"type": "string", "enum": v})),
        prop::sample::select(STRINGS).prop_map(|c| json!({"const": c})),
        Just(json!({"type": ["string", "null"], "format": "date-time"})),
        Just(json!({"type": ["integer", "string"]})),
        Just(json!({"type": "string", "format": "binary"})),
        value(),
    ];
    leaf.prop_recursive(3, 32, 4, |inner| {
        prop_oneof![
            (prop::collection::vec((prop::sample::select(NAMES), inner.clone()), 0..4), any::<bool>()).prop_map(
                |(props, nullable)| {
                    let names: Vec<&str> = props.iter().map(|(n, _)| *n).collect();
                    let properties: Map<String, Value> = props.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
                    json!({"type": "object", "properties": properties, "required": names, "nullable": nullable})
                }
            ),
            inner.clone().prop_map(|i| json!({"type": "array", "items": i})),
            inner.clone().prop_map(|i| json!({"type": "object", "additionalProperties": i})),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|b| json!({"oneOf": b})),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|b| json!({"anyOf": b})),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|b| json!({"allOf": b})),
            prop::collection::vec(inner, 1..3).prop_map(|b| json!({
                "oneOf": b, "discriminator": {"propertyName": "type", "mapping": {"a": "#/components/schemas/A"}}
            })),
        ]
    })
}

/// A document with arbitrary schemas and one arbitrary operation.
fn document() -> impl Strategy<Value = Value> {
    (
        prop_oneof![8 => Just("3.1.0"), 3 => Just("3.0.3"), 1 => Just("2.0")],
        schema(),
        schema(),
        schema(),
        schema(),
    )
        .prop_map(|(version, a, b, param, response)| {
            json!({
                "openapi": version,
                "info": {"title": "T", "version": "1"},
                "paths": {"/things/{id}": {"get": {
                    "operationId": "getThing",
                    "tags": ["Things"],
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                        {"name": "q", "in": "query", "schema": param}
                    ],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": response}}}}
                }}},
                "components": {"schemas": {"A": a, "B": b}}
            })
        })
}

const PAGING_WORDS: &[&str] = &[
    "cursor", "after", "kind", "next", "last_id", "has_more", "data", "a", "", "offset",
];

/// A name for one slot of `x-pagination`: mostly one that fits the document, sometimes any.
fn slot(fitting: &'static [&'static str]) -> BoxedStrategy<&'static str> {
    prop_oneof![4 => prop::sample::select(fitting), 1 => prop::sample::select(PAGING_WORDS)].boxed()
}

/// `x-pagination` as written, or nearly: cursor or offset style, maybe with a `by` choice whose
/// parameter, values and pairs are mostly names that exist, sometimes names that do not.
fn paging() -> impl Strategy<Value = Value> {
    let pair = (slot(&["cursor", "after"]), slot(&["next", "last_id"]))
        .prop_map(|(cursor, next)| json!({"cursor": cursor, "next": next}));
    let by = prop_oneof![
        4 => (slot(&["kind"]), prop::collection::vec((prop_oneof![4 => prop::sample::select(&["x", "y"][..]), 1 => prop::sample::select(&["z", "", "~/"][..])], pair), 0..3)).prop_map(
            |(param, values)| {
                let values: Map<String, Value> = values.into_iter().map(|(v, p)| (v.to_owned(), p)).collect();
                json!({"param": param, "values": values})
            }
        ),
        1 => value(),
    ];
    prop_oneof![
        4 => (slot(&["cursor", "after"]), slot(&["next", "last_id"]), slot(&["has_more"]), slot(&["data"]), prop::option::weighted(0.7, by))
            .prop_map(|(cursor, next, has_more, items, by)| {
                let mut paging = json!({"style": "cursor", "cursor": cursor, "next": next, "has_more": has_more, "items": items});
                if let Some(by) = by {
                    paging["by"] = by;
                }
                paging
            }),
        1 => (slot(&["offset"]), slot(&["data"])).prop_map(|(offset, items)| json!({"style": "offset", "offset": offset, "items": items})),
        1 => value(),
    ]
}

/// A list operation with cursor parameters (one of them a string enum or an arbitrary schema),
/// a page-shaped or arbitrary answer, and arbitrary paging.
fn paged_document() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        Just(json!({"type": "string", "enum": ["x", "y"]})),
        Just(json!({"type": "string"})),
        schema(),
    ];
    let page = prop_oneof![
        3 => Just(json!({"type": "object", "required": ["data", "has_more"], "properties": {
            "data": {"type": "array", "items": {"type": "string"}}, "has_more": {"type": "boolean"},
            "next": {"type": ["string", "null"]}, "last_id": {"type": ["string", "null"]}}})),
        1 => schema(),
    ];
    (kind, page, paging(), any::<bool>()).prop_map(|(kind, page, paging, kind_required)| {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "paths": {"/things": {"get": {
                "operationId": "listThings",
                "tags": ["Things"],
                "parameters": [
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    {"name": "after", "in": "query", "schema": {"type": "string"}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer"}},
                    {"name": "kind", "in": "query", "required": kind_required, "schema": kind}
                ],
                "x-pagination": paging,
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": page}}}}
            }}}
        })
    })
}

/// 512 cases per property, or `PROPTEST_CASES` when it is set (`PROPTEST_CASES=2048 cargo test
/// -p openrouter-codegen --test arbitrary_documents`).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

/// Documents this test once found to crash the generator, kept as fixed cases; each must now
/// end in an error naming a pointer. (The same documents are in `tests/hostile/`.)
const FOUND: &[(&str, &str)] = &[(
    // A property whose `allOf` names its own schema twice overflowed the stack (an abort).
    r##"{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {},
        "components": {"schemas": {"B": {"type": "object", "nullable": true, "required": ["type"],
        "properties": {"type": {"allOf": [{"$ref": "#/components/schemas/B"}, {"$ref": "#/components/schemas/B"}]}}}}}}"##,
    "#/components/schemas/B/properties/type",
)];

#[test]
fn documents_found_by_the_property_tests_end_in_errors() {
    for (text, pointer) in FOUND {
        let error = codegen::generate(text, &codegen::Options::default()).expect_err("rejected");
        assert_eq!(
            error.pointer().map(ToString::to_string).as_deref(),
            Some(*pointer),
            "{error}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = codegen::generate(&text, &codegen::Options::default());
    }

    #[test]
    fn arbitrary_values_never_panic_the_normalizer(doc in value()) {
        let _ = codegen::normalize::normalize(doc);
    }

    #[test]
    fn arbitrary_documents_never_panic_the_generator(doc in document()) {
        let text = serde_json::to_string(&doc).expect("serializable");
        match codegen::generate(&text, &codegen::Options::default()) {
            Ok(generated) => prop_assert!(generated.files.contains_key("src/lib.rs")),
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_paging_never_panics_the_generator(doc in paged_document()) {
        let text = serde_json::to_string(&doc).expect("serializable");
        match codegen::generate(&text, &codegen::Options::default()) {
            Ok(generated) => prop_assert!(generated.files.contains_key("src/lib.rs")),
            Err(error) => prop_assert!(error.pointer().is_some(), "an error without a pointer: {error}"),
        }
    }

    #[test]
    fn arbitrary_documents_as_yaml_never_panic(doc in document()) {
        let text = serde_norway_like(&doc);
        let _ = codegen::generate(&text, &codegen::Options::default());
    }
}

/// YAML is a superset of JSON; indenting the JSON exercises the YAML path of the loader.
fn serde_norway_like(doc: &Value) -> String {
    format!(
        "# yaml\n{}",
        serde_json::to_string_pretty(doc).expect("serializable")
    )
}
