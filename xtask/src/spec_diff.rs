//! `cargo xtask spec-diff`: a structural comparison of two OpenAPI documents, operation by operation.
//!
//! Both documents are read into `serde_json::Value`s and walked side by side. Operations are
//! paired by HTTP method and path (path parameter names do not matter for pairing). For each
//! pair the parameters, request bodies and responses are compared, and every schema is reduced
//! to what matters on the wire: its types, nullability, enum values, properties (with `required`),
//! array items, additional properties and union branches. `$ref`s are followed, `allOf` members
//! merged, 3.1 and 3.0 spellings of the same thing (`type: [X, 'null']` / `nullable: true`,
//! `const` / one-value `enum`) treated alike, and prose (descriptions, examples, titles, ...)
//! ignored. Recursive schemas are cut off the second time the same pair of schema nodes comes
//! up on one path, with a depth limit behind that. A `text/event-stream` schema that is the
//! whole server-sent event (`{data, event}`) on one side only is opened: its `data` is compared.
//!
//! Each difference has a location, a [`Kind`] and a message. [`explain`] sorts a [`Report`]'s
//! differences by the reviewed entries of a differences file ([`Explanations`], the project's
//! is `spec/differences.yaml`, whose header describes the format): explained ones are counted
//! per entry, the rest reported in full, and entries that explain nothing reported as stale.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// HTTP methods an OpenAPI path item can hold, in the order the specification lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Deepest nesting of schema comparisons on one path; a guard behind the cycle check.
const MAX_DEPTH: usize = 64;

/// Deepest `$ref` / `allOf` / union nesting followed while reducing one schema.
const MAX_FLATTEN_DEPTH: usize = 32;

/// Most nodes visited while reducing one schema: `allOf` members that merge the same schemas
/// again and again grow exponentially, so reducing stops here and the report says where.
const MAX_FLATTEN_STEPS: usize = 10_000;

/// Most schema pairs compared for one operation (a schema graph with many shared paths can
/// otherwise take exponential time); the report says where comparing stopped.
const MAX_COMPARISONS: usize = 20_000;

/// Enum lists longer than this are reported as what was added and removed, not in full.
const SHORT_ENUM: usize = 10;

/// The outcome of [`diff`]: per-operation differences plus the counts of the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Operations present in both documents that differ, sorted by path then method.
    pub differing: Vec<OperationDiff>,
    /// Operations only in the other document (`METHOD /path`), sorted.
    pub missing: Vec<String>,
    /// Operations only in ours (`METHOD /path`), sorted.
    pub extra: Vec<String>,
    /// Operations present in both documents.
    pub compared: usize,
    /// Operations present in both documents with no difference.
    pub identical: usize,
}

/// The differences found in one operation present in both documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationDiff {
    /// `METHOD /path`, with our spelling of the path.
    pub operation: String,
    /// One entry per difference, in a stable order.
    pub differences: Vec<Difference>,
}

impl OperationDiff {
    /// The differences as report lines (`location: message`).
    pub fn lines(&self) -> Vec<String> {
        self.differences.iter().map(Difference::to_string).collect()
    }
}

/// What kind of difference a report line states. [`Kind::name`] is its spelling in
/// `spec/differences.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `path differs`: the same endpoint spelled with other parameter names.
    Path,
    /// `location differs`: a parameter sent in another place (query, header, ...).
    ParameterLocation,
    /// `required differs`: a parameter, request body or field required on one side only.
    Required,
    /// `type differs`.
    Type,
    /// `nullable differs`.
    Nullable,
    /// `enum values differ`.
    Enum,
    /// `only in ours`: a parameter, body, media type, status, field or union branch.
    OnlyInOurs,
    /// `only in theirs`: a parameter, body, media type, status, field or union branch.
    OnlyInTheirs,
    /// `additional properties differ`.
    AdditionalProperties,
    /// `discriminator differs`.
    Discriminator,
    /// `event envelope differs`: one side's `text/event-stream` schema is the whole server-sent
    /// event (`{data, event}`), the other's only the event's data; the data are compared.
    EventEnvelope,
    /// A comparison cut short (a schema too large or too deeply nested to reduce or compare).
    NotCompared,
    /// An operation only in ours (the report's `extra:` lines).
    ExtraOperation,
    /// An operation only in theirs (the report's `missing:` lines); never explainable.
    MissingOperation,
}

impl Kind {
    /// Every kind, in the order of [`Kind::name`]'s documentation.
    pub const ALL: [Kind; 14] = [
        Kind::Path,
        Kind::ParameterLocation,
        Kind::Required,
        Kind::Type,
        Kind::Nullable,
        Kind::Enum,
        Kind::OnlyInOurs,
        Kind::OnlyInTheirs,
        Kind::AdditionalProperties,
        Kind::Discriminator,
        Kind::EventEnvelope,
        Kind::NotCompared,
        Kind::ExtraOperation,
        Kind::MissingOperation,
    ];

    /// The kind's name in `spec/differences.yaml`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Path => "path",
            Kind::ParameterLocation => "parameter-location",
            Kind::Required => "required",
            Kind::Type => "type",
            Kind::Nullable => "nullable",
            Kind::Enum => "enum",
            Kind::OnlyInOurs => "only-in-ours",
            Kind::OnlyInTheirs => "only-in-theirs",
            Kind::AdditionalProperties => "additional-properties",
            Kind::Discriminator => "discriminator",
            Kind::EventEnvelope => "event-envelope",
            Kind::NotCompared => "not-compared",
            Kind::ExtraOperation => "extra-operation",
            Kind::MissingOperation => "missing-operation",
        }
    }

    /// The kind named `name` in `spec/differences.yaml`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One difference inside an operation: where, what kind, and the report's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where it is: `parameter query limit`, `request body`, `response 200 application/json`,
    /// `response 200 application/json: field data[].id`, ...; empty for a `path differs` line.
    pub location: String,
    pub kind: Kind,
    /// What differs, as the report words it: `type differs: ours integer theirs string`,
    /// `only in ours (string, optional)`, `union branch audio: only in theirs (object)`, ...
    pub message: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.location.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

impl Report {
    /// Operations present in both documents that differ.
    pub fn differ(&self) -> usize {
        self.differing.len()
    }

    /// True when anything differs, is missing or is extra.
    pub fn has_differences(&self) -> bool {
        !self.differing.is_empty() || !self.missing.is_empty() || !self.extra.is_empty()
    }

    /// `N operations compared: M identical, K differ, J missing, E extra`.
    pub fn summary(&self) -> String {
        format!(
            "{} operations compared: {} identical, {} differ, {} missing, {} extra",
            self.compared,
            self.identical,
            self.differ(),
            self.missing.len(),
            self.extra.len()
        )
    }

    /// The whole report as text: differing operations with their differences, then missing
    /// and extra operations one per line, then the summary line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for op in &self.differing {
            let _ = writeln!(out, "{}", op.operation);
            for difference in &op.differences {
                let _ = writeln!(out, "  {difference}");
            }
            out.push('\n');
        }
        for op in &self.missing {
            let _ = writeln!(out, "missing: {op}");
        }
        for op in &self.extra {
            let _ = writeln!(out, "extra: {op}");
        }
        if !self.missing.is_empty() || !self.extra.is_empty() {
            out.push('\n');
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }
}

/// Reads an OpenAPI document written as JSON (first character `{`) or YAML.
pub fn parse_document(text: &str) -> Result<Value> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let value: Value = if trimmed.starts_with('{') {
        serde_json::from_str(trimmed).context("parsing JSON")?
    } else {
        serde_norway::from_str(trimmed).context("parsing YAML")?
    };
    if !value.is_object() {
        bail!("not an OpenAPI document: the top level is not a mapping");
    }
    if value.get("paths").is_some_and(|paths| !paths.is_object()) {
        bail!("not an OpenAPI document: `paths` is not a mapping");
    }
    Ok(value)
}

/// Compares our document with theirs (both as YAML or JSON text).
pub fn diff(ours: &str, theirs: &str) -> Result<Report> {
    let ours = parse_document(ours).context("reading our document")?;
    let theirs = parse_document(theirs).context("reading their document")?;
    Ok(diff_values(&ours, &theirs))
}

/// Compares two already parsed documents.
pub fn diff_values(ours: &Value, theirs: &Value) -> Report {
    let ours = Doc { root: ours };
    let theirs = Doc { root: theirs };
    let our_ops = ours.operations();
    let their_ops = theirs.operations();
    let keys: BTreeSet<&(String, String)> = our_ops.keys().chain(their_ops.keys()).collect();
    let mut report = Report::default();
    for key in keys {
        match (our_ops.get(key), their_ops.get(key)) {
            (Some(o), Some(t)) => {
                report.compared += 1;
                let mut walker = Walker {
                    ours,
                    theirs,
                    stack: Vec::new(),
                    our_refs: Vec::new(),
                    their_refs: Vec::new(),
                    differences: Vec::new(),
                    comparisons: 0,
                };
                walker.operation(o, t);
                if walker.differences.is_empty() {
                    report.identical += 1;
                } else {
                    report.differing.push(OperationDiff {
                        operation: o.label(),
                        differences: walker.differences,
                    });
                }
            }
            (None, Some(t)) => report.missing.push(t.label()),
            (Some(o), None) => report.extra.push(o.label()),
            (None, None) => {}
        }
    }
    report
}

/// One document, for resolving `$ref`s.
#[derive(Clone, Copy)]
struct Doc<'a> {
    root: &'a Value,
}

/// An operation with the path-level parameters that apply to it.
struct Operation<'a> {
    method: &'static str,
    path: &'a str,
    node: &'a Value,
    path_parameters: &'a [Value],
}

impl Operation<'_> {
    fn label(&self) -> String {
        format!("{} {}", self.method.to_ascii_uppercase(), self.path)
    }
}

impl<'a> Doc<'a> {
    /// The node a local `$ref` (`#/json/pointer`) points at.
    fn lookup(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(&percent_decode(pointer))
    }

    /// Follows `$ref`s (for parameters, bodies and responses) until a node without one.
    fn deref(&self, mut node: &'a Value) -> &'a Value {
        for _ in 0..MAX_FLATTEN_DEPTH {
            match node
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.lookup(r))
            {
                Some(target) => node = target,
                None => break,
            }
        }
        node
    }

    /// Every operation, keyed by (path with parameter names blanked, upper-case method).
    fn operations(&self) -> BTreeMap<(String, String), Operation<'a>> {
        let mut out = BTreeMap::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else {
            return out;
        };
        for (path, item) in paths {
            let item = self.deref(item);
            let path_parameters = item
                .get("parameters")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            for method in METHODS {
                let Some(node) = item.get(method).filter(|n| n.is_object()) else {
                    continue;
                };
                let op = Operation {
                    method,
                    path,
                    node,
                    path_parameters,
                };
                let mut key = (template_key(path), method.to_ascii_uppercase());
                if out.contains_key(&key) {
                    // Two paths that differ only in parameter names: keep both, apart.
                    key.0 = path.clone();
                }
                out.insert(key, op);
            }
        }
        out
    }
}

/// `/keys/{hash}` -> `/keys/{}`: the part of a path template that identifies an endpoint.
fn template_key(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// Names of the parameters of a path template, in order.
fn template_names(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect()
}

/// Decodes `%XX` escapes in a `$ref` fragment; anything malformed is kept as written.
fn percent_decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i + 1..i + 3) {
            Some(&[hi, lo]) if bytes[i] == b'%' => hex(hi).zip(hex(lo)),
            _ => None,
        };
        if let Some((hi, lo)) = escaped {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// What `additionalProperties` allows.
#[derive(Clone, Copy, Debug)]
enum Additional<'a> {
    /// Absent, `true` or `{}`.
    Any,
    /// `false`.
    Forbidden,
    /// A schema the extra values must match.
    Schema(&'a Value),
}

/// A discriminator: the property that names the branch, and explicit value -> `$ref` mappings.
#[derive(Clone, Debug, Default)]
struct Discriminator {
    property: String,
    mapping: Vec<(String, String)>,
}

/// One schema reduced to its wire-relevant facts: `$ref`s followed, `allOf` merged, one-branch
/// unions collapsed, `null` branches and type-list entries folded into `nullable`.
#[derive(Clone, Debug, Default)]
struct Flat<'a> {
    types: BTreeSet<String>,
    nullable: bool,
    enum_values: Option<Vec<Value>>,
    properties: BTreeMap<String, &'a Value>,
    required: BTreeSet<String>,
    items: Option<&'a Value>,
    additional: Option<Additional<'a>>,
    branches: Vec<&'a Value>,
    discriminator: Option<Discriminator>,
    /// Names of the `$ref` targets passed through (innermost last), then the title: used to
    /// pair union branches, never compared.
    names: Vec<String>,
    /// Every `$ref` followed to build this (through `allOf` and collapsed unions too).
    refs: Vec<&'a str>,
    /// Where reducing stopped early (a `$ref`, or `#` for the schema itself), if it did.
    cut: Option<String>,
}

impl<'a> Flat<'a> {
    fn is_object_like(&self) -> bool {
        self.types.contains("object") || !self.properties.is_empty()
    }

    /// Merges a later `allOf` member (or sibling keywords) into this one; later wins.
    fn merge(&mut self, other: Flat<'a>) {
        self.types = match (self.types.is_empty(), other.types.is_empty()) {
            (true, _) => other.types,
            (_, true) => std::mem::take(&mut self.types),
            _ => {
                let both: BTreeSet<String> =
                    self.types.intersection(&other.types).cloned().collect();
                if both.is_empty() { other.types } else { both }
            }
        };
        self.nullable |= other.nullable;
        self.refs.extend(other.refs);
        if self.cut.is_none() {
            self.cut = other.cut;
        }
        self.enum_values = match (self.enum_values.take(), other.enum_values) {
            (Some(a), Some(b)) => Some(a.into_iter().filter(|v| b.contains(v)).collect()),
            (a, b) => a.or(b),
        };
        self.properties.extend(other.properties);
        self.required.extend(other.required);
        if other.items.is_some() {
            self.items = other.items;
        }
        if other.additional.is_some() {
            self.additional = other.additional;
        }
        if self.branches.is_empty() {
            self.branches = other.branches;
        }
        if other.discriminator.is_some() {
            self.discriminator = other.discriminator;
        }
    }
}

/// The JSON Schema type names of a value, for enums without an explicit `type`.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// True for a schema that only admits `null` (`type: 'null'`, `enum: [null]`, `const: null`).
fn is_null_schema(node: &Value) -> bool {
    let Some(map) = node.as_object() else {
        return false;
    };
    match map.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => !ts.is_empty() && ts.iter().all(|t| t == "null"),
        _ => {
            map.get("const") == Some(&Value::Null)
                || map
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_null))
        }
    }
}

/// `#/components/schemas/Key` -> `Key`.
fn ref_name(reference: &str) -> String {
    reference.rsplit('/').next().unwrap_or(reference).to_owned()
}

impl<'a> Doc<'a> {
    /// Reduces a schema node; `chain` holds the `$ref`s being expanded, to stop on cycles.
    /// `budget` counts the nodes still allowed (see [`MAX_FLATTEN_STEPS`]).
    fn flatten(&self, node: &'a Value, chain: &mut Vec<&'a str>, budget: &mut usize) -> Flat<'a> {
        let mut flat = Flat::default();
        let Some(map) = node.as_object() else {
            // `true` (anything) or `false` (nothing); neither says more.
            return flat;
        };
        if chain.len() > MAX_FLATTEN_DEPTH || *budget == 0 {
            flat.cut = Some(
                chain
                    .last()
                    .map_or_else(|| "#".to_owned(), |r| (*r).to_owned()),
            );
            return flat;
        }
        *budget -= 1;
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            flat.names.push(ref_name(reference));
            flat.refs.push(reference);
            let target = self
                .lookup(reference)
                .filter(|_| !chain.contains(&reference));
            if let Some(target) = target {
                chain.push(reference);
                let inner = self.flatten(target, chain, budget);
                chain.pop();
                flat.names.extend(inner.names.iter().cloned());
                flat.merge(inner);
            }
        }
        if let Some(members) = map.get("allOf").and_then(Value::as_array) {
            for member in members {
                let inner = self.flatten(member, chain, budget);
                flat.merge(inner);
            }
        }
        flat.merge(self.own_keywords(map));
        if let Some(title) = map.get("title").and_then(Value::as_str) {
            flat.names.push(title.to_owned());
        }
        // `anyOf: [X, {type: 'null'}]` and the like: one real branch is that branch.
        if flat.branches.len() == 1 {
            let branch = flat.branches.remove(0);
            let inner = self.flatten(branch, chain, budget);
            flat.names.extend(inner.names.iter().cloned());
            flat.merge(inner);
        }
        if flat.types.is_empty() {
            if !flat.properties.is_empty() {
                flat.types.insert("object".to_owned());
            } else if flat.items.is_some() {
                flat.types.insert("array".to_owned());
            } else if let (Some(values), true) = (&flat.enum_values, flat.branches.is_empty()) {
                flat.types = values.iter().map(|v| json_type(v).to_owned()).collect();
            }
        }
        flat
    }

    /// The keywords written on the node itself (not through `$ref` or `allOf`).
    fn own_keywords(&self, map: &'a Map<String, Value>) -> Flat<'a> {
        let mut flat = Flat::default();
        match map.get("type") {
            Some(Value::String(t)) if t == "null" => flat.nullable = true,
            Some(Value::String(t)) => {
                flat.types.insert(t.clone());
            }
            Some(Value::Array(ts)) => {
                for t in ts.iter().filter_map(Value::as_str) {
                    if t == "null" {
                        flat.nullable = true;
                    } else {
                        flat.types.insert(t.to_owned());
                    }
                }
            }
            _ => {}
        }
        if map.get("nullable") == Some(&Value::Bool(true)) {
            flat.nullable = true;
        }
        let values = match (map.get("const"), map.get("enum")) {
            (Some(c), _) => Some(vec![c.clone()]),
            (None, Some(Value::Array(e))) => Some(e.clone()),
            _ => None,
        };
        if let Some(values) = values {
            let mut kept: Vec<Value> = Vec::new();
            for v in values {
                if v.is_null() {
                    flat.nullable = true;
                } else if !kept.contains(&v) {
                    kept.push(v);
                }
            }
            flat.enum_values = Some(kept);
        }
        if let Some(props) = map.get("properties").and_then(Value::as_object) {
            for (name, schema) in props {
                flat.properties.insert(name.clone(), schema);
            }
        }
        if let Some(required) = map.get("required").and_then(Value::as_array) {
            flat.required
                .extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if let Some(items) = map.get("items") {
            flat.items = Some(items);
        }
        flat.additional = match map.get("additionalProperties") {
            None => None,
            Some(Value::Bool(false)) => Some(Additional::Forbidden),
            Some(Value::Object(m)) if !m.is_empty() => {
                Some(Additional::Schema(&map["additionalProperties"]))
            }
            Some(_) => Some(Additional::Any),
        };
        for kind in ["oneOf", "anyOf"] {
            if let Some(branches) = map.get(kind).and_then(Value::as_array) {
                for branch in branches {
                    if is_null_schema(branch) {
                        flat.nullable = true;
                    } else {
                        flat.branches.push(branch);
                    }
                }
            }
        }
        if let Some(d) = map.get("discriminator").and_then(Value::as_object) {
            let property = d
                .get("propertyName")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let mapping = d
                .get("mapping")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                        .collect()
                })
                .unwrap_or_default();
            flat.discriminator = Some(Discriminator { property, mapping });
        }
        flat
    }

    fn flat(&self, node: &'a Value) -> Flat<'a> {
        self.flatten(node, &mut Vec::new(), &mut { MAX_FLATTEN_STEPS })
    }

    /// The types a schema admits, with unions described as the union of their branches'
    /// types; empty means any type.
    fn types(&self, flat: &Flat<'a>, depth: usize) -> BTreeSet<String> {
        if !flat.types.is_empty() || flat.branches.is_empty() || depth > 8 {
            return flat.types.clone();
        }
        let mut all = BTreeSet::new();
        for branch in &flat.branches {
            let types = self.types(&self.flat(branch), depth + 1);
            if types.is_empty() {
                return BTreeSet::new();
            }
            all.extend(types);
        }
        all
    }

    /// Whether `null` is accepted, directly or by one of the union's branches.
    fn nullable(&self, flat: &Flat<'a>, depth: usize) -> bool {
        flat.nullable
            || (depth <= 8
                && flat
                    .branches
                    .iter()
                    .any(|b| self.nullable(&self.flat(b), depth + 1)))
    }
}

/// A union branch, real (a schema node) or made from one entry of a type list.
struct Branch<'a> {
    /// The node the branch came from, for the cycle guard.
    key: usize,
    flat: Flat<'a>,
    /// The `$ref` written for it, if any.
    reference: Option<&'a str>,
    label: String,
    discriminator_values: Vec<String>,
    consts: BTreeSet<(String, String)>,
    /// Type text for branches without properties (`string`, `array`, ...).
    plain_type: Option<String>,
}

fn node_key(node: &Value) -> usize {
    node as *const Value as usize
}

fn render_types(types: &BTreeSet<String>) -> String {
    if types.is_empty() {
        "any".to_owned()
    } else {
        types.iter().cloned().collect::<Vec<_>>().join(" | ")
    }
}

fn render_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn render_values<'v>(values: impl IntoIterator<Item = &'v Value>) -> String {
    let items: Vec<String> = values.into_iter().map(render_value).collect();
    format!("[{}]", items.join(", "))
}

fn join_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn required_word(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

/// The fields a server-sent event can have besides comments.
const EVENT_FIELDS: [&str; 4] = ["data", "event", "id", "retry"];

/// The schema of the data when `flat` describes a whole server-sent event: an object with a
/// required `data` property and no properties other than the event's own fields.
fn envelope_data<'a>(flat: &Flat<'a>) -> Option<&'a Value> {
    let data = flat.properties.get("data")?;
    let only_event_fields = flat
        .properties
        .keys()
        .all(|k| EVENT_FIELDS.contains(&k.as_str()));
    (only_event_fields && flat.required.contains("data")).then_some(*data)
}

/// `{data, event}`: the properties of an event envelope, in [`EVENT_FIELDS`] order.
fn envelope_fields(flat: &Flat<'_>) -> String {
    let names: Vec<&str> = EVENT_FIELDS
        .into_iter()
        .filter(|f| flat.properties.contains_key(*f))
        .collect();
    format!("{{{}}}", names.join(", "))
}

fn location_rank(location: &str) -> usize {
    ["path", "query", "header", "cookie"]
        .iter()
        .position(|l| *l == location)
        .unwrap_or(4)
}

/// A parameter of one operation, after `$ref`s.
struct Param<'a> {
    name: String,
    location: String,
    required: bool,
    schema: Option<&'a Value>,
}

/// Walks one pair of operations, collecting differences.
struct Walker<'a> {
    ours: Doc<'a>,
    theirs: Doc<'a>,
    /// Pairs of schema nodes being compared on the current path (a cycle guard).
    stack: Vec<(usize, usize)>,
    /// `$ref`s expanded on the current path, ours and theirs (the main cycle guard).
    our_refs: Vec<&'a str>,
    their_refs: Vec<&'a str>,
    differences: Vec<Difference>,
    /// Schema pairs compared so far (see [`MAX_COMPARISONS`]).
    comparisons: usize,
}

impl<'a> Walker<'a> {
    /// Records a difference at `location`.
    fn push(&mut self, location: impl Into<String>, kind: Kind, message: impl std::fmt::Display) {
        self.differences.push(Difference {
            location: location.into(),
            kind,
            message: message.to_string(),
        });
    }

    /// Records a difference in the schema at `prefix` (`response 200 application/json`, ...),
    /// at the field `path` inside it (empty for the schema itself).
    fn emit(&mut self, prefix: &str, path: &str, kind: Kind, message: impl std::fmt::Display) {
        if path.is_empty() {
            self.push(prefix, kind, message);
        } else {
            self.push(format!("{prefix}: field {path}"), kind, message);
        }
    }

    fn operation(&mut self, o: &Operation<'a>, t: &Operation<'a>) {
        if o.path != t.path {
            self.push(
                "",
                Kind::Path,
                format_args!("path differs: ours {} theirs {}", o.path, t.path),
            );
        }
        self.parameters(o, t);
        self.request_body(o.node.get("requestBody"), t.node.get("requestBody"));
        self.responses(o.node.get("responses"), t.node.get("responses"));
    }

    fn params(doc: &Doc<'a>, op: &Operation<'a>, rename: &BTreeMap<&str, &str>) -> Vec<Param<'a>> {
        let mut out: Vec<Param<'a>> = Vec::new();
        let own = op
            .node
            .get("parameters")
            .and_then(Value::as_array)
            .map(Vec::as_slice);
        for node in op.path_parameters.iter().chain(own.unwrap_or(&[])) {
            let node = doc.deref(node);
            let (Some(name), Some(location)) = (
                node.get("name").and_then(Value::as_str),
                node.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            let mut name = name.to_owned();
            if let (Some(renamed), "path") = (rename.get(name.as_str()), location) {
                name = (*renamed).to_owned();
            }
            if location == "header" {
                name = name.to_ascii_lowercase();
            }
            let schema = node.get("schema").or_else(|| {
                node.get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.values().next())
                    .and_then(|m| m.get("schema"))
            });
            let param = Param {
                required: location == "path" || node.get("required") == Some(&Value::Bool(true)),
                location: location.to_owned(),
                name,
                schema,
            };
            // An operation-level parameter replaces a path-level one of the same name and place.
            out.retain(|p| !(p.name == param.name && p.location == param.location));
            out.push(param);
        }
        out
    }

    fn parameters(&mut self, o: &Operation<'a>, t: &Operation<'a>) {
        // Their path parameters take our names, position by position.
        let rename: BTreeMap<&str, &str> = template_names(t.path)
            .into_iter()
            .zip(template_names(o.path))
            .collect();
        let ours = Self::params(&self.ours, o, &BTreeMap::new());
        let theirs = Self::params(&self.theirs, t, &rename);
        let mut used = vec![false; theirs.len()];
        let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        let mut unpaired = Vec::new();
        for (i, p) in ours.iter().enumerate() {
            match theirs
                .iter()
                .enumerate()
                .position(|(j, q)| !used[j] && q.name == p.name && q.location == p.location)
            {
                Some(j) => {
                    used[j] = true;
                    pairs.push((Some(i), Some(j)));
                }
                None => unpaired.push(i),
            }
        }
        // Same name in another place: a location change, not one removed and one added.
        for i in unpaired {
            let name = ours[i].name.to_ascii_lowercase();
            match (0..theirs.len())
                .find(|&j| !used[j] && theirs[j].name.to_ascii_lowercase() == name)
            {
                Some(j) => {
                    used[j] = true;
                    pairs.push((Some(i), Some(j)));
                }
                None => pairs.push((Some(i), None)),
            }
        }
        pairs.extend(
            (0..theirs.len())
                .filter(|&j| !used[j])
                .map(|j| (None, Some(j))),
        );
        let sort_key = |pair: &(Option<usize>, Option<usize>)| {
            let p = match pair {
                (Some(i), _) => &ours[*i],
                (None, Some(j)) => &theirs[*j],
                (None, None) => unreachable!(),
            };
            (
                location_rank(&p.location),
                p.location.clone(),
                p.name.clone(),
            )
        };
        pairs.sort_by_key(sort_key);
        for pair in pairs {
            match pair {
                (Some(i), Some(j)) => {
                    let (p, q) = (&ours[i], &theirs[j]);
                    let prefix = format!("parameter {} {}", p.location, p.name);
                    if p.location != q.location {
                        self.push(
                            prefix.as_str(),
                            Kind::ParameterLocation,
                            format_args!(
                                "location differs: ours {} theirs {}",
                                p.location, q.location
                            ),
                        );
                    }
                    if p.required != q.required {
                        self.push(
                            prefix.as_str(),
                            Kind::Required,
                            format_args!(
                                "required differs: ours {} theirs {}",
                                required_word(p.required),
                                required_word(q.required)
                            ),
                        );
                    }
                    self.schema_pair(&prefix, p.schema, q.schema);
                }
                (Some(i), None) => {
                    let p = &ours[i];
                    let what = self.describe(&self.ours, p.schema, p.required);
                    self.push(
                        format!("parameter {} {}", p.location, p.name),
                        Kind::OnlyInOurs,
                        format_args!("only in ours ({what})"),
                    );
                }
                (None, Some(j)) => {
                    let q = &theirs[j];
                    let what = self.describe(&self.theirs, q.schema, q.required);
                    self.push(
                        format!("parameter {} {}", q.location, q.name),
                        Kind::OnlyInTheirs,
                        format_args!("only in theirs ({what})"),
                    );
                }
                (None, None) => {}
            }
        }
    }

    /// `string | null, required`: a short description of a field or parameter.
    fn describe(&self, doc: &Doc<'a>, schema: Option<&'a Value>, required: bool) -> String {
        let Some(schema) = schema else {
            return required_word(required).to_owned();
        };
        let flat = doc.flat(schema);
        let mut types = render_types(&doc.types(&flat, 0));
        if doc.nullable(&flat, 0) {
            types.push_str(" | null");
        }
        format!("{types}, {}", required_word(required))
    }

    fn schema_pair(&mut self, prefix: &str, o: Option<&'a Value>, t: Option<&'a Value>) {
        match (o, t) {
            (Some(o), Some(t)) => self.nodes(prefix, "", o, t, false),
            (Some(_), None) => self.push(prefix, Kind::OnlyInOurs, "schema only in ours"),
            (None, Some(_)) => self.push(prefix, Kind::OnlyInTheirs, "schema only in theirs"),
            (None, None) => {}
        }
    }

    /// Media type -> schema of a `content` map (keys lower-cased).
    fn content(node: &'a Value) -> BTreeMap<String, Option<&'a Value>> {
        node.get("content")
            .and_then(Value::as_object)
            .map(|c| {
                c.iter()
                    .map(|(media, m)| (media.to_ascii_lowercase(), m.get("schema")))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn contents(&mut self, label: &str, o: &'a Value, t: &'a Value) {
        let ours = Self::content(o);
        let theirs = Self::content(t);
        let media: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
        for m in media {
            match (ours.get(m), theirs.get(m)) {
                (Some(a), Some(b)) => {
                    let prefix = format!("{label} {m}");
                    if m == "text/event-stream" && self.event_envelope(&prefix, *a, *b) {
                        continue;
                    }
                    self.schema_pair(&prefix, *a, *b);
                }
                (Some(_), None) => {
                    self.push(format!("{label} {m}"), Kind::OnlyInOurs, "only in ours")
                }
                (None, Some(_)) => {
                    self.push(format!("{label} {m}"), Kind::OnlyInTheirs, "only in theirs");
                }
                (None, None) => {}
            }
        }
    }

    /// Compares the `text/event-stream` schemas of one response when one side describes the
    /// whole server-sent event (an object whose required `data` property holds the event, as
    /// OpenRouter's document does) and the other only the event's data: that data is compared
    /// then, after one `event envelope differs` line. False (nothing done) when neither side or
    /// both sides are envelopes.
    fn event_envelope(&mut self, prefix: &str, o: Option<&'a Value>, t: Option<&'a Value>) -> bool {
        let (Some(o), Some(t)) = (o, t) else {
            return false;
        };
        let (fo, ft) = (self.ours.flat(o), self.theirs.flat(t));
        let (o, t, message) = match (envelope_data(&fo), envelope_data(&ft)) {
            (None, Some(data)) => (
                o,
                data,
                format!(
                    "event envelope differs: ours describes one event's data, theirs the whole event {} (compared with its data)",
                    envelope_fields(&ft)
                ),
            ),
            (Some(data), None) => (
                data,
                t,
                format!(
                    "event envelope differs: ours describes the whole event {}, theirs one event's data (compared with our data)",
                    envelope_fields(&fo)
                ),
            ),
            _ => return false,
        };
        self.push(prefix, Kind::EventEnvelope, message);
        self.nodes(prefix, "", o, t, false);
        true
    }

    fn request_body(&mut self, o: Option<&'a Value>, t: Option<&'a Value>) {
        match (o, t) {
            (Some(o), Some(t)) => {
                let o = self.ours.deref(o);
                let t = self.theirs.deref(t);
                let ro = o.get("required") == Some(&Value::Bool(true));
                let rt = t.get("required") == Some(&Value::Bool(true));
                if ro != rt {
                    self.push(
                        "request body",
                        Kind::Required,
                        format_args!(
                            "required differs: ours {} theirs {}",
                            required_word(ro),
                            required_word(rt)
                        ),
                    );
                }
                self.contents("request body", o, t);
            }
            (Some(_), None) => self.push("request body", Kind::OnlyInOurs, "only in ours"),
            (None, Some(_)) => self.push("request body", Kind::OnlyInTheirs, "only in theirs"),
            (None, None) => {}
        }
    }

    fn responses(&mut self, o: Option<&'a Value>, t: Option<&'a Value>) {
        let ours = o.and_then(Value::as_object);
        let theirs = t.and_then(Value::as_object);
        let statuses: BTreeSet<&String> = ours
            .into_iter()
            .chain(theirs)
            .flat_map(Map::keys)
            .filter(|k| !k.starts_with("x-"))
            .collect();
        for status in statuses {
            let get = |m: Option<&'a Map<String, Value>>| m.and_then(|m| m.get(status.as_str()));
            match (get(ours), get(theirs)) {
                (Some(a), Some(b)) => {
                    let a = self.ours.deref(a);
                    let b = self.theirs.deref(b);
                    self.contents(&format!("response {status}"), a, b);
                }
                (Some(_), None) => {
                    self.push(
                        format!("response {status}"),
                        Kind::OnlyInOurs,
                        "only in ours",
                    );
                }
                (None, Some(_)) => {
                    self.push(
                        format!("response {status}"),
                        Kind::OnlyInTheirs,
                        "only in theirs",
                    );
                }
                (None, None) => {}
            }
        }
    }

    /// Compares two schema nodes at `path`, unless this pair is already being compared
    /// further up the same path (a recursive schema) or the path is too deep.
    fn nodes(&mut self, prefix: &str, path: &str, o: &'a Value, t: &'a Value, skip_nullable: bool) {
        let fo = self.ours.flat(o);
        let ft = self.theirs.flat(t);
        self.guarded(
            prefix,
            path,
            (node_key(o), &fo),
            (node_key(t), &ft),
            skip_nullable,
        );
    }

    /// Compares two reduced schemas one level down the current path, unless that would go
    /// round a cycle: both sides come back to a `$ref` already expanded further up the path,
    /// or the same pair of nodes comes up again, or the path is deeper than [`MAX_DEPTH`].
    fn guarded(
        &mut self,
        prefix: &str,
        path: &str,
        (okey, o): (usize, &Flat<'a>),
        (tkey, t): (usize, &Flat<'a>),
        skip_nullable: bool,
    ) {
        let key = (okey, tkey);
        self.comparisons += 1;
        if self.comparisons == MAX_COMPARISONS {
            self.emit(
                prefix,
                path,
                Kind::NotCompared,
                format_args!("comparison stopped here: more than {MAX_COMPARISONS} schema pairs in one operation"),
            );
        }
        for (side, flat) in [("ours", o), ("theirs", t)] {
            if let Some(cut) = &flat.cut {
                self.emit(
                    prefix,
                    path,
                    Kind::NotCompared,
                    format_args!("{side} not compared past {cut}: it expands to more than {MAX_FLATTEN_STEPS} schema nodes or {MAX_FLATTEN_DEPTH} nested references"),
                );
            }
        }
        if self.comparisons >= MAX_COMPARISONS
            || self.stack.contains(&key)
            || self.stack.len() >= MAX_DEPTH
            || (o.refs.iter().any(|r| self.our_refs.contains(r))
                && t.refs.iter().any(|r| self.their_refs.contains(r)))
        {
            return;
        }
        let saved = (self.our_refs.len(), self.their_refs.len());
        self.stack.push(key);
        self.our_refs.extend(&o.refs);
        self.their_refs.extend(&t.refs);
        self.flats(prefix, path, (okey, o), (tkey, t), skip_nullable);
        self.stack.pop();
        self.our_refs.truncate(saved.0);
        self.their_refs.truncate(saved.1);
    }

    fn flats(
        &mut self,
        prefix: &str,
        path: &str,
        (okey, o): (usize, &Flat<'a>),
        (tkey, t): (usize, &Flat<'a>),
        skip_nullable: bool,
    ) {
        let (ours, theirs) = (self.ours, self.theirs);
        let to = ours.types(o, 0);
        let tt = theirs.types(t, 0);
        if to != tt {
            self.emit(
                prefix,
                path,
                Kind::Type,
                format_args!(
                    "type differs: ours {} theirs {}",
                    render_types(&to),
                    render_types(&tt)
                ),
            );
        }
        if !skip_nullable {
            let no = ours.nullable(o, 0);
            let nt = theirs.nullable(t, 0);
            if no != nt {
                let word = |n: bool| if n { "nullable" } else { "not nullable" };
                self.emit(
                    prefix,
                    path,
                    Kind::Nullable,
                    format_args!("nullable differs: ours {} theirs {}", word(no), word(nt)),
                );
            }
        }
        self.enums(
            prefix,
            path,
            o.enum_values.as_deref(),
            t.enum_values.as_deref(),
        );
        if o.is_object_like() && t.is_object_like() {
            self.objects(prefix, path, o, t);
        }
        if let (Some(a), Some(b)) = (o.items, t.items) {
            self.nodes(prefix, &format!("{path}[]"), a, b, false);
        }
        self.unions(prefix, path, (okey, o), (tkey, t));
    }

    fn enums(&mut self, prefix: &str, path: &str, o: Option<&[Value]>, t: Option<&[Value]>) {
        let same = match (o, t) {
            (Some(a), Some(b)) => {
                a.iter().all(|v| b.contains(v)) && b.iter().all(|v| a.contains(v))
            }
            (None, None) => true,
            _ => false,
        };
        if same {
            return;
        }
        let message = match (o, t) {
            (Some(a), Some(b)) if a.len() > SHORT_ENUM || b.len() > SHORT_ENUM => {
                let only_ours: Vec<&Value> = a.iter().filter(|v| !b.contains(v)).collect();
                let only_theirs: Vec<&Value> = b.iter().filter(|v| !a.contains(v)).collect();
                let mut message = format!(
                    "enum values differ ({} in ours, {} in theirs):",
                    a.len(),
                    b.len()
                );
                if !only_ours.is_empty() {
                    let _ = write!(message, " only ours {}", render_values(only_ours));
                }
                if !only_theirs.is_empty() {
                    let _ = write!(message, " only theirs {}", render_values(only_theirs));
                }
                message
            }
            _ => {
                let side = |v: Option<&[Value]>| v.map_or("(no enum)".to_owned(), render_values);
                format!("enum values differ: ours {} theirs {}", side(o), side(t))
            }
        };
        self.emit(prefix, path, Kind::Enum, message);
    }

    fn objects(&mut self, prefix: &str, path: &str, o: &Flat<'a>, t: &Flat<'a>) {
        let names: BTreeSet<&String> = o.properties.keys().chain(t.properties.keys()).collect();
        for name in names {
            let child = join_path(path, name);
            let ro = o.required.contains(name.as_str());
            let rt = t.required.contains(name.as_str());
            match (
                o.properties.get(name.as_str()),
                t.properties.get(name.as_str()),
            ) {
                (Some(a), Some(b)) => {
                    if ro != rt {
                        self.emit(
                            prefix,
                            &child,
                            Kind::Required,
                            format_args!(
                                "required differs: ours {} theirs {}",
                                required_word(ro),
                                required_word(rt)
                            ),
                        );
                    }
                    self.nodes(prefix, &child, a, b, false);
                }
                (Some(a), None) => {
                    let what = self.describe(&self.ours, Some(a), ro);
                    self.emit(
                        prefix,
                        &child,
                        Kind::OnlyInOurs,
                        format_args!("only in ours ({what})"),
                    );
                }
                (None, Some(b)) => {
                    let what = self.describe(&self.theirs, Some(b), rt);
                    self.emit(
                        prefix,
                        &child,
                        Kind::OnlyInTheirs,
                        format_args!("only in theirs ({what})"),
                    );
                }
                (None, None) => {}
            }
        }
        let kind = |doc: &Doc<'a>, a: Option<Additional<'a>>| match a {
            None | Some(Additional::Any) => "allowed".to_owned(),
            Some(Additional::Forbidden) => "not allowed".to_owned(),
            Some(Additional::Schema(s)) => {
                format!("schema {}", render_types(&doc.types(&doc.flat(s), 0)))
            }
        };
        match (o.additional, t.additional) {
            (Some(Additional::Schema(a)), Some(Additional::Schema(b))) => {
                self.nodes(prefix, &format!("{path}{{}}"), a, b, false);
            }
            (a, b) => {
                let (ka, kb) = (kind(&self.ours, a), kind(&self.theirs, b));
                if ka != kb {
                    self.emit(
                        prefix,
                        path,
                        Kind::AdditionalProperties,
                        format_args!("additional properties differ: ours {ka} theirs {kb}"),
                    );
                }
            }
        }
    }

    /// The branches of a union; a type list such as `[string, integer]` counts as a union of
    /// single-type branches. A schema that is no union gives no branches.
    fn branches(doc: &Doc<'a>, key: usize, flat: &Flat<'a>) -> Vec<Branch<'a>> {
        let disc = flat.discriminator.as_ref();
        let mut out = Vec::new();
        if !flat.branches.is_empty() {
            for (i, node) in flat.branches.iter().enumerate() {
                let reference = node.get("$ref").and_then(Value::as_str);
                let bflat = doc.flat(node);
                out.push(Self::branch(doc, node_key(node), bflat, reference, disc, i));
            }
        } else if flat.types.len() > 1 {
            for (i, t) in flat.types.iter().enumerate() {
                let mut b = Flat {
                    types: BTreeSet::from([t.clone()]),
                    ..Flat::default()
                };
                match t.as_str() {
                    "object" => {
                        b.properties = flat.properties.clone();
                        b.required = flat.required.clone();
                        b.additional = flat.additional;
                    }
                    "array" => b.items = flat.items,
                    _ => {}
                }
                b.enum_values = flat
                    .enum_values
                    .as_ref()
                    .map(|vs| {
                        vs.iter()
                            .filter(|v| json_type(v) == t || (t == "number" && v.is_number()))
                            .cloned()
                            .collect::<Vec<_>>()
                    })
                    .filter(|vs| !vs.is_empty());
                // A made-up branch has no node of its own: offset its parent's address by less
                // than the size of a `Value`, which no other node can have.
                out.push(Self::branch(doc, key + 1 + i, b, None, None, i));
            }
        }
        out
    }

    fn branch(
        doc: &Doc<'a>,
        key: usize,
        flat: Flat<'a>,
        reference: Option<&'a str>,
        disc: Option<&Discriminator>,
        index: usize,
    ) -> Branch<'a> {
        let mut discriminator_values = Vec::new();
        if let Some(d) = disc {
            if let Some(r) = reference {
                let name = ref_name(r);
                discriminator_values.extend(
                    d.mapping
                        .iter()
                        .filter(|(_, target)| *target == r || *target == name)
                        .map(|(v, _)| v.clone()),
                );
            }
            if discriminator_values.is_empty() {
                let values = flat
                    .properties
                    .get(&d.property)
                    .and_then(|p| doc.flat(p).enum_values);
                discriminator_values.extend(values.iter().flatten().map(render_value));
            }
            if discriminator_values.is_empty() {
                discriminator_values.extend(reference.map(ref_name));
            }
        }
        let mut consts = BTreeSet::new();
        for (name, prop) in &flat.properties {
            if let Some([value]) = doc.flat(prop).enum_values.as_deref() {
                consts.insert((name.clone(), render_value(value)));
            }
        }
        let plain_type = (flat.properties.is_empty() && flat.branches.is_empty())
            .then(|| render_types(&doc.types(&flat, 0)));
        let label = if let Some(v) = discriminator_values.first() {
            v.clone()
        } else if let Some(n) = flat.names.first() {
            n.clone()
        } else if !consts.is_empty() {
            consts
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        } else if let Some(t) = &plain_type {
            t.clone()
        } else {
            format!("#{}", index + 1)
        };
        Branch {
            key,
            flat,
            reference,
            label,
            discriminator_values,
            consts,
            plain_type,
        }
    }

    /// True when a branch has no structure beyond its types (a plain string, number, ...).
    fn is_plain(b: &Branch<'a>) -> bool {
        b.flat.properties.is_empty()
            && b.flat.items.is_none()
            && b.flat.branches.is_empty()
            && b.flat.enum_values.is_none()
            && !matches!(b.flat.additional, Some(Additional::Schema(_)))
    }

    fn unions(
        &mut self,
        prefix: &str,
        path: &str,
        (okey, o): (usize, &Flat<'a>),
        (tkey, t): (usize, &Flat<'a>),
    ) {
        let (ours, theirs) = (self.ours, self.theirs);
        let mut ob = Self::branches(&ours, okey, o);
        let mut tb = Self::branches(&theirs, tkey, t);
        if ob.is_empty() && tb.is_empty() {
            return;
        }
        let od = o.discriminator.as_ref().map(|d| d.property.as_str());
        let td = t.discriminator.as_ref().map(|d| d.property.as_str());
        if od != td {
            self.emit(
                prefix,
                path,
                Kind::Discriminator,
                format_args!(
                    "discriminator differs: ours {} theirs {}",
                    od.unwrap_or("(none)"),
                    td.unwrap_or("(none)")
                ),
            );
        }
        // A schema that is no union, facing a union, stands for a union of one branch.
        if ob.is_empty() {
            ob.push(Self::branch(
                &ours,
                okey,
                Flat {
                    refs: Vec::new(),
                    ..o.clone()
                },
                None,
                None,
                0,
            ));
        }
        if tb.is_empty() {
            tb.push(Self::branch(
                &theirs,
                tkey,
                Flat {
                    refs: Vec::new(),
                    ..t.clone()
                },
                None,
                None,
                0,
            ));
        }
        // Plain branches on both sides: the type line has said all there is to say.
        if ob.iter().chain(&tb).all(Self::is_plain) {
            return;
        }
        let pairs = pair_branches(&ob, &tb);
        let mut only_ours: Vec<usize> = (0..ob.len())
            .filter(|i| !pairs.iter().any(|p| p.0 == *i))
            .collect();
        let mut only_theirs: Vec<usize> = (0..tb.len())
            .filter(|j| !pairs.iter().any(|p| p.1 == *j))
            .collect();
        only_ours.sort_by(|a, b| ob[*a].label.cmp(&ob[*b].label));
        only_theirs.sort_by(|a, b| tb[*a].label.cmp(&tb[*b].label));
        for i in only_ours {
            let what = render_types(&ours.types(&ob[i].flat, 0));
            self.emit(
                prefix,
                path,
                Kind::OnlyInOurs,
                format_args!("union branch {}: only in ours ({what})", ob[i].label),
            );
        }
        for j in only_theirs {
            let what = render_types(&theirs.types(&tb[j].flat, 0));
            self.emit(
                prefix,
                path,
                Kind::OnlyInTheirs,
                format_args!("union branch {}: only in theirs ({what})", tb[j].label),
            );
        }
        let mut pairs = pairs;
        pairs.sort_by(|a, b| ob[a.0].label.cmp(&ob[b.0].label));
        for (i, j) in pairs {
            let (a, b) = (&ob[i], &tb[j]);
            let child = format!("{path}({})", a.label);
            self.guarded(prefix, &child, (a.key, &a.flat), (b.key, &b.flat), true);
        }
    }
}

/// Pairs our union branches with theirs: by discriminator value, then `$ref` name or title,
/// then the constant-valued properties (such as `type: text`), then plain type, then position.
fn pair_branches(ours: &[Branch<'_>], theirs: &[Branch<'_>]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut used_o = vec![false; ours.len()];
    let mut used_t = vec![false; theirs.len()];
    type Rule = fn(&Branch<'_>, &Branch<'_>) -> bool;
    let rules: [Rule; 6] = [
        |a, b| {
            a.discriminator_values
                .iter()
                .any(|v| b.discriminator_values.contains(v))
        },
        |a, b| {
            a.reference.is_some()
                && b.reference.is_some()
                && a.reference.map(ref_name) == b.reference.map(ref_name)
        },
        |a, b| a.flat.names.iter().any(|n| b.flat.names.contains(n)),
        |a, b| !a.consts.is_empty() && a.consts == b.consts,
        |a, b| a.consts.intersection(&b.consts).next().is_some(),
        |a, b| a.plain_type.is_some() && a.plain_type == b.plain_type,
    ];
    for rule in rules {
        for i in 0..ours.len() {
            if used_o[i] {
                continue;
            }
            if let Some(j) = (0..theirs.len()).find(|&j| !used_t[j] && rule(&ours[i], &theirs[j])) {
                used_o[i] = true;
                used_t[j] = true;
                pairs.push((i, j));
            }
        }
    }
    // What is left pairs up in order.
    let rest_o: Vec<usize> = (0..ours.len()).filter(|&i| !used_o[i]).collect();
    let rest_t: Vec<usize> = (0..theirs.len()).filter(|&j| !used_t[j]).collect();
    pairs.extend(rest_o.into_iter().zip(rest_t));
    pairs
}

// ======================================================================= explained differences
//
// `spec/differences.yaml` records, once each and with a reason, the differences our document
// has on purpose. `explain` sorts a report's differences into those an entry explains and the
// rest; an entry that explains nothing is stale. The file's format is described in its header.

/// The categories an entry can have, with what each means.
pub const CATEGORIES: [(&str, &str); 4] = [
    ("deliberate", "a modelling choice of ours"),
    (
        "published-inconsistent",
        "the published schema contradicts the published examples; ours follows the examples",
    ),
    (
        "newer-than-published",
        "ours follows newer facts than the published document (OpenRouter's newer SDKs)",
    ),
    (
        "older-revision",
        "kept from an older revision of the published document",
    ),
];

/// The keys an entry can have.
const ENTRY_KEYS: [&str; 8] = [
    "id",
    "category",
    "reason",
    "operation",
    "match",
    "kind",
    "location",
    "message",
];

/// The keys a `match` clause can have.
const CLAUSE_KEYS: [&str; 3] = ["kind", "location", "message"];

/// True when `text` matches `pattern`, where `*` stands for any run of characters (none
/// included) and everything else for itself; the whole text must match.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and how much of the text it has taken so far.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if p.get(pi) == Some(&'*') {
            star = Some((pi, ti));
            pi += 1;
        } else if p.get(pi) == Some(&t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            star = Some((sp, st + 1));
            pi = sp + 1;
            ti = st + 1;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// One kind of report line an entry covers: its kind, and patterns for its location and
/// message (any location or message when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub kind: Kind,
    /// `response * application/json: field error.code`
    pub location: Option<String>,
    /// `type differs: ours integer | string theirs integer`
    pub message: Option<String>,
}

impl Clause {
    fn covers(&self, difference: &Difference) -> bool {
        self.kind == difference.kind
            && self
                .location
                .as_deref()
                .is_none_or(|p| glob(p, &difference.location))
            && self
                .message
                .as_deref()
                .is_none_or(|p| glob(p, &difference.message))
    }

    /// `kind type, location `...`, message `...``, for stale findings.
    fn describe(&self) -> String {
        let mut out = format!("kind {}", self.kind.name());
        if let Some(location) = &self.location {
            let _ = write!(out, ", location `{location}`");
        }
        if let Some(message) = &self.message {
            let _ = write!(out, ", message `{message}`");
        }
        out
    }
}

/// One reviewed difference from `spec/differences.yaml`: which report lines it covers and why.
/// It covers a line when the line's operation matches one of `operations` and the line one
/// of `clauses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Short unique name, used in the report.
    pub id: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// Why our document differs; never empty.
    pub reason: String,
    /// `METHOD /path` patterns, or `*`.
    pub operations: Vec<String>,
    pub clauses: Vec<Clause>,
}

/// Which of an entry's operation patterns and clauses took part in a match.
#[derive(Debug, Clone, Default)]
struct Used {
    operations: Vec<bool>,
    clauses: Vec<bool>,
}

impl Entry {
    /// Marks in `used` the patterns and clauses that match, when the entry covers this one.
    fn covers(&self, operation: &str, difference: &Difference, used: &mut Used) -> bool {
        let ops: Vec<bool> = self.operations.iter().map(|p| glob(p, operation)).collect();
        let clauses: Vec<bool> = self.clauses.iter().map(|c| c.covers(difference)).collect();
        if !ops.contains(&true) || !clauses.contains(&true) {
            return false;
        }
        for (to, from) in [(&mut used.operations, ops), (&mut used.clauses, clauses)] {
            to.resize(from.len(), false);
            for (t, f) in to.iter_mut().zip(from) {
                *t |= f;
            }
        }
        true
    }
}

/// The entries of a `spec/differences.yaml`, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanations {
    pub entries: Vec<Entry>,
}

impl Explanations {
    /// Reads a differences file: a mapping whose `entries` is a list of entries (an empty
    /// document has none). Anything malformed is an error that names the entry.
    pub fn parse(text: &str) -> Result<Self> {
        let value: Value = serde_norway::from_str(text).context("parsing YAML")?;
        let entries = match &value {
            Value::Null => return Ok(Self::default()),
            Value::Object(map) => {
                if let Some(key) = map.keys().find(|k| k.as_str() != "entries") {
                    bail!("unknown top-level key `{key}` (the file holds only `entries`)");
                }
                match map.get("entries") {
                    None | Some(Value::Null) => return Ok(Self::default()),
                    Some(Value::Array(list)) => list,
                    Some(_) => bail!("`entries` is not a list"),
                }
            }
            _ => bail!("the top level is not a mapping with `entries`"),
        };
        let mut ids = BTreeSet::new();
        let mut out = Vec::with_capacity(entries.len());
        for (i, value) in entries.iter().enumerate() {
            let id = value
                .get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty());
            let name = match id {
                Some(id) => format!("entry {} (`{id}`)", i + 1),
                None => format!("entry {}", i + 1),
            };
            let entry = parse_entry(value).with_context(|| format!("{name} is malformed"))?;
            if !ids.insert(entry.id.clone()) {
                bail!(
                    "{name}: the id `{}` is used by an earlier entry too",
                    entry.id
                );
            }
            out.push(entry);
        }
        Ok(Self { entries: out })
    }
}

/// `*`, or `METHOD /path` where either part may use `*`.
fn operation_pattern_ok(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let Some((method, path)) = pattern.split_once(' ') else {
        return false;
    };
    let method_ok = method == "*" || METHODS.iter().any(|m| m.to_ascii_uppercase() == method);
    method_ok && (path.starts_with('/') || path.starts_with('*')) && !path.contains(' ')
}

/// The non-empty text under `key`, if there is one.
fn text_field(map: &Map<String, Value>, key: &str) -> Result<Option<String>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
        Some(Value::String(_)) => bail!("`{key}` is empty"),
        Some(_) => bail!("`{key}` is not text"),
    }
}

fn parse_clause(map: &Map<String, Value>) -> Result<Clause> {
    let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    let name = text_field(map, "kind")?
        .with_context(|| format!("`kind` is missing (one of {})", known.join(", ")))?;
    let kind = Kind::from_name(&name)
        .with_context(|| format!("unknown kind `{name}` (known: {})", known.join(", ")))?;
    if kind == Kind::MissingOperation {
        bail!("a missing operation cannot be explained away: our document should have it");
    }
    let location = text_field(map, "location")?;
    let message = text_field(map, "message")?;
    if kind == Kind::ExtraOperation && (location.is_some() || message.is_some()) {
        bail!("kind `extra-operation` takes no `location` or `message`");
    }
    Ok(Clause {
        kind,
        location,
        message,
    })
}

fn parse_entry(value: &Value) -> Result<Entry> {
    let Some(map) = value.as_object() else {
        bail!(
            "an entry is a mapping (id, category, reason, operation, match or kind/location/message)"
        );
    };
    if let Some(key) = map.keys().find(|k| !ENTRY_KEYS.contains(&k.as_str())) {
        bail!("unknown key `{key}` (known: {})", ENTRY_KEYS.join(", "));
    }
    let id = text_field(map, "id")?.context("`id` is missing")?;
    if id.chars().any(char::is_whitespace) {
        bail!("`id` has white space in it");
    }
    let reason = text_field(map, "reason")?.context("`reason` is missing or empty")?;
    let category = text_field(map, "category")?.context("`category` is missing")?;
    if !CATEGORIES.iter().any(|(c, _)| *c == category) {
        let known: Vec<&str> = CATEGORIES.iter().map(|(c, _)| *c).collect();
        bail!(
            "unknown category `{category}` (known: {})",
            known.join(", ")
        );
    }
    let operations = match map.get("operation") {
        None | Some(Value::Null) => {
            bail!("`operation` is missing (`METHOD /path`, a list of them, or `*`)")
        }
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .context("`operation` holds something other than text")?,
        Some(_) => bail!("`operation` is neither `METHOD /path` nor a non-empty list of them"),
    };
    if let Some(bad) = operations.iter().find(|p| !operation_pattern_ok(p)) {
        bail!("operation `{bad}` is not `METHOD /path` (upper-case method) or `*`");
    }
    let shorthand = CLAUSE_KEYS.iter().any(|k| map.contains_key(*k));
    let clauses = match map.get("match") {
        Some(_) if shorthand => {
            bail!("`match` and a top-level `kind`/`location`/`message` exclude each other")
        }
        None => vec![parse_clause(map)?],
        Some(Value::Array(items)) if !items.is_empty() => {
            let mut clauses = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let clause = item
                    .as_object()
                    .context("a clause is a mapping (kind, location, message)")
                    .and_then(|m| {
                        if let Some(key) = m.keys().find(|k| !CLAUSE_KEYS.contains(&k.as_str())) {
                            bail!("unknown key `{key}` (known: {})", CLAUSE_KEYS.join(", "));
                        }
                        parse_clause(m)
                    })
                    .with_context(|| format!("`match` clause {}", i + 1))?;
                clauses.push(clause);
            }
            clauses
        }
        Some(_) => bail!("`match` is not a non-empty list of clauses"),
    };
    Ok(Entry {
        id,
        category,
        reason,
        operations,
        clauses,
    })
}

/// A report sorted into explained and unexplained differences (see [`explain`]).
#[derive(Debug, Clone, Default)]
pub struct Classified {
    /// Operations present in both documents.
    pub compared: usize,
    /// Operations present in both documents with no difference at all.
    pub identical: usize,
    /// Operations present in both documents with at least one difference.
    pub differ: usize,
    /// Differences inside operations present in both documents.
    pub total: usize,
    /// Operations with the differences no entry explains, as in [`Report::differing`].
    pub unexplained: Vec<OperationDiff>,
    /// Operations only in theirs: never explained.
    pub missing: Vec<String>,
    /// Operations only in ours, explained or not.
    pub extra: Vec<String>,
    /// Operations only in ours that no entry explains.
    pub unexplained_extra: Vec<String>,
    /// The entries, in file order.
    pub entries: Vec<Entry>,
    /// Per entry (same order): the `(operation, difference)`s it explains; an extra operation
    /// appears as a difference of kind [`Kind::ExtraOperation`].
    pub explained: Vec<Vec<(String, Difference)>>,
    /// One line per stale finding: an entry that explains nothing, or a pattern of an entry
    /// that none of its explained differences needed.
    pub stale: Vec<String>,
    /// Entries with a stale finding.
    pub stale_entries: usize,
}

/// Sorts every difference of `report` to the first entry that covers it, or leaves it
/// unexplained; then finds the stale entries and patterns.
pub fn explain(report: &Report, explanations: &Explanations) -> Classified {
    let entries = &explanations.entries;
    let mut used = vec![Used::default(); entries.len()];
    let mut explained = vec![Vec::new(); entries.len()];
    let mut out = Classified {
        compared: report.compared,
        identical: report.identical,
        differ: report.differ(),
        missing: report.missing.clone(),
        extra: report.extra.clone(),
        entries: entries.clone(),
        ..Classified::default()
    };
    let mut first_cover = |operation: &str, difference: &Difference| -> bool {
        for (i, entry) in entries.iter().enumerate() {
            if entry.covers(operation, difference, &mut used[i]) {
                explained[i].push((operation.to_owned(), difference.clone()));
                return true;
            }
        }
        false
    };
    for op in &report.differing {
        out.total += op.differences.len();
        let left: Vec<Difference> = op
            .differences
            .iter()
            .filter(|d| !first_cover(&op.operation, d))
            .cloned()
            .collect();
        if !left.is_empty() {
            out.unexplained.push(OperationDiff {
                operation: op.operation.clone(),
                differences: left,
            });
        }
    }
    for op in &report.extra {
        let difference = Difference {
            location: String::new(),
            kind: Kind::ExtraOperation,
            message: "only in ours (extra operation)".to_owned(),
        };
        if !first_cover(op, &difference) {
            out.unexplained_extra.push(op.clone());
        }
    }
    for (i, entry) in entries.iter().enumerate() {
        let before = out.stale.len();
        if explained[i].is_empty() {
            out.stale.push(format!(
                "entry `{}` explains nothing: no difference matches it, or earlier entries explain all it matches",
                entry.id
            ));
        } else {
            for (pattern, hit) in entry.operations.iter().zip(&used[i].operations) {
                if !hit {
                    out.stale.push(format!(
                        "entry `{}`: operation `{pattern}` has none of the differences it explains",
                        entry.id
                    ));
                }
            }
            for (clause, hit) in entry.clauses.iter().zip(&used[i].clauses) {
                if !hit {
                    out.stale.push(format!(
                        "entry `{}`: the clause ({}) matches none of the differences it explains",
                        entry.id,
                        clause.describe()
                    ));
                }
            }
        }
        if out.stale.len() > before {
            out.stale_entries += 1;
        }
    }
    out.explained = explained;
    out
}

impl Classified {
    /// Differences inside compared operations that an entry explains.
    pub fn explained_count(&self) -> usize {
        self.total - self.unexplained_count()
    }

    /// Differences inside compared operations that no entry explains.
    pub fn unexplained_count(&self) -> usize {
        self.unexplained.iter().map(|op| op.differences.len()).sum()
    }

    /// Entries that explain at least one difference inside a compared operation.
    pub fn entries_explaining(&self) -> usize {
        self.explained
            .iter()
            .filter(|m| m.iter().any(|(_, d)| d.kind != Kind::ExtraOperation))
            .count()
    }

    /// True when nothing asks for attention: no unexplained difference, no missing operation,
    /// no unexplained extra operation and no stale entry.
    pub fn all_explained(&self) -> bool {
        self.unexplained.is_empty()
            && self.missing.is_empty()
            && self.unexplained_extra.is_empty()
            && self.stale.is_empty()
    }

    /// Whether spec-diff succeeds: `fail_on_diff` fails on any difference, missing or extra
    /// operation, explained or not; `fail_on_unexplained` fails unless [`Self::all_explained`].
    pub fn passes(&self, fail_on_diff: bool, fail_on_unexplained: bool) -> bool {
        let any = self.total > 0 || !self.missing.is_empty() || !self.extra.is_empty();
        let diff_ok = !fail_on_diff || !any;
        let unexplained_ok = !fail_on_unexplained || self.all_explained();
        diff_ok && unexplained_ok
    }

    /// The one summary line that ends the report.
    pub fn summary(&self) -> String {
        format!(
            "spec-diff: {} operations compared, {} identical, {} differ: {} differences, {} explained (by {} entries), {} unexplained; {} missing, {} extra ({} explained); {} stale entries",
            self.compared,
            self.identical,
            self.differ,
            self.total,
            self.explained_count(),
            self.entries_explaining(),
            self.unexplained_count(),
            self.missing.len(),
            self.extra.len(),
            self.extra.len() - self.unexplained_extra.len(),
            self.stale_entries,
        )
    }

    /// The report: unexplained differences in full (per operation, as [`Report::render`]
    /// prints them), missing and unexplained extra operations, then one paragraph per entry
    /// that explains something (its count and reason; with `verbose`, every line it explains),
    /// the stale findings, and the summary line.
    pub fn render(&self, verbose: bool) -> String {
        let mut out = String::new();
        for op in &self.unexplained {
            let _ = writeln!(out, "{}", op.operation);
            for difference in &op.differences {
                let _ = writeln!(out, "  {difference}");
            }
            out.push('\n');
        }
        for op in &self.missing {
            let _ = writeln!(out, "missing: {op}");
        }
        for op in &self.unexplained_extra {
            let _ = writeln!(out, "extra: {op}");
        }
        if !self.missing.is_empty() || !self.unexplained_extra.is_empty() {
            out.push('\n');
        }
        let used = self.explained.iter().filter(|m| !m.is_empty()).count();
        if used > 0 {
            let _ = writeln!(
                out,
                "explained, by entry ({used} of {} entries):",
                self.entries.len()
            );
            out.push('\n');
        }
        for (entry, matches) in self.entries.iter().zip(&self.explained) {
            if matches.is_empty() {
                continue;
            }
            let operations: BTreeSet<&str> = matches.iter().map(|(op, _)| op.as_str()).collect();
            let extra = matches
                .iter()
                .filter(|(_, d)| d.kind == Kind::ExtraOperation)
                .count();
            let what = if extra == matches.len() {
                plural(extra, "extra operation")
            } else {
                let differences = plural(matches.len() - extra, "difference");
                let mut what = format!(
                    "{differences} in {}",
                    plural(operations.len() - extra, "operation")
                );
                if extra > 0 {
                    let _ = write!(what, ", {}", plural(extra, "extra operation"));
                }
                what
            };
            let _ = writeln!(out, "{} [{}]: {what}", entry.id, entry.category);
            for line in wrap(&entry.reason, 96) {
                let _ = writeln!(out, "  {line}");
            }
            if verbose {
                let mut current = None;
                for (op, difference) in matches {
                    if difference.kind == Kind::ExtraOperation {
                        let _ = writeln!(out, "  extra: {op}");
                        continue;
                    }
                    if current != Some(op) {
                        let _ = writeln!(out, "  {op}");
                        current = Some(op);
                    }
                    let _ = writeln!(out, "    {difference}");
                }
            }
            out.push('\n');
        }
        for line in &self.stale {
            let _ = writeln!(out, "stale: {line}");
        }
        if !self.stale.is_empty() {
            out.push('\n');
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }
}

/// `1 difference`, `2 differences`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Splits text into lines of at most `width` characters at spaces (longer words stay whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_keys_blank_parameter_names() {
        assert_eq!(template_key("/keys/{hash}"), "/keys/{}");
        assert_eq!(template_names("/a/{x}/b/{y}"), vec!["x", "y"]);
    }

    #[test]
    fn percent_decoding_leaves_plain_text_alone() {
        assert_eq!(percent_decode("/paths/~1keys%7Bx%7D"), "/paths/~1keys{x}");
        assert_eq!(percent_decode("/a%2"), "/a%2");
    }

    // ------------------------------------------------------------- explained differences

    /// Ours: three operations whose errors have an integer-or-text `code`, a `label` field of
    /// type string on GET /a, and an extra POST /old. Theirs: integer codes, `label` an integer,
    /// a `tag` field ours lacks on GET /b, and an operation ours lacks (GET /missing) unless
    /// `with_missing` is false.
    fn documents(with_missing: bool) -> (String, String) {
        let doc = |code: &str, label: &str, extra_field: &str, extra_ops: &str| {
            format!(
                "openapi: 3.1.0
info: {{title: T, version: '1'}}
paths:
  /a:
    get:
      responses:
        '200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{label: {{type: {label}}}}}}}}}}}}}
        '401': {{$ref: '#/components/responses/Error'}}
        '500': {{$ref: '#/components/responses/Error'}}
  /b:
    get:
      responses:
        '200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{id: {{type: string}}{extra_field}}}}}}}}}}}
        '404': {{$ref: '#/components/responses/Error'}}
  /c/{{id}}:
    delete:
      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]
      responses:
        '204': {{description: gone}}
        '404': {{$ref: '#/components/responses/Error'}}
{extra_ops}components:
  responses:
    Error:
      description: failed
      content:
        application/json:
          schema:
            type: object
            properties:
              error:
                type: object
                required: [code]
                properties:
                  code: {code}
"
            )
        };
        let ours = doc(
            "{oneOf: [{type: integer}, {type: string}]}",
            "string",
            "",
            "  /old:\n    post:\n      responses:\n        '200': {description: ok}\n",
        );
        let missing = if with_missing {
            "  /missing:\n    get:\n      responses:\n        '200': {description: ok}\n"
        } else {
            ""
        };
        let theirs = doc(
            "{type: integer}",
            "integer",
            ", tag: {type: string}",
            missing,
        );
        (ours, theirs)
    }

    fn report(with_missing: bool) -> Report {
        let (ours, theirs) = documents(with_missing);
        diff(&ours, &theirs).expect("both documents parse")
    }

    const ERROR_CODE: &str = "
entries:
  - id: error-code
    category: deliberate
    operation: '*'
    location: 'response * application/json: field error.code'
    kind: type
    message: 'type differs: ours integer | string theirs integer'
    reason: Text codes come from upstream providers.
";

    const OLD_OPERATION: &str = "
  - id: old
    category: older-revision
    operation: POST /old
    kind: extra-operation
    reason: Kept from an older revision.
";

    fn explained(yaml: &str, with_missing: bool) -> Classified {
        let explanations = Explanations::parse(yaml).expect("the differences file parses");
        explain(&report(with_missing), &explanations)
    }

    fn unexplained_lines(c: &Classified) -> Vec<String> {
        c.unexplained
            .iter()
            .flat_map(|op| {
                op.lines()
                    .into_iter()
                    .map(move |l| format!("{}: {l}", op.operation))
            })
            .collect()
    }

    #[test]
    fn glob_stars_match_any_run_and_the_rest_matches_itself() {
        assert!(glob("*", ""));
        assert!(glob("*", "GET /keys"));
        assert!(glob(
            "response * application/json",
            "response 404 application/json"
        ));
        assert!(glob(
            "response 4* application/json",
            "response 429 application/json"
        ));
        assert!(!glob(
            "response 4* application/json",
            "response 500 application/json"
        ));
        assert!(glob(
            "field provider.options.*",
            "field provider.options.anthropic/2"
        ));
        assert!(glob("a*b*c", "aXbYbZc"));
        assert!(glob("(Stored*)._shape", "(StoredFileDeleted)._shape"));
        assert!(
            !glob("error.code", "error.code.x"),
            "the whole text must match"
        );
        assert!(!glob("x.code", "error.code"), "the whole text must match");
        assert!(glob("[a](b)", "[a](b)"), "brackets are plain characters");
    }

    #[test]
    fn one_entry_covers_the_same_difference_in_every_operation() {
        let c = explained(ERROR_CODE, true);
        assert_eq!(c.explained[0].len(), 4, "{:?}", c.explained);
        let ops: BTreeSet<&str> = c.explained[0].iter().map(|(op, _)| op.as_str()).collect();
        assert_eq!(ops, BTreeSet::from(["GET /a", "GET /b", "DELETE /c/{id}"]));
        // Unrelated differences, even in the same operations, stay unexplained.
        assert_eq!(
            unexplained_lines(&c),
            [
                "GET /a: response 200 application/json: field label: type differs: ours string theirs integer",
                "GET /b: response 200 application/json: field tag: only in theirs (string, optional)",
            ]
        );
        assert_eq!(c.unexplained_extra, ["POST /old"]);
        assert_eq!(c.missing, ["GET /missing"]);
        assert!(c.stale.is_empty(), "{:?}", c.stale);
    }

    #[test]
    fn a_changed_message_at_an_explained_place_is_reported_again() {
        let (ours, theirs) = documents(false);
        // Upstream now allows a number too: no longer the difference the entry describes.
        let theirs = theirs.replace("code: {type: integer}", "code: {type: [integer, number]}");
        let report = diff(&ours, &theirs).unwrap();
        let c = explain(&report, &Explanations::parse(ERROR_CODE).unwrap());
        assert_eq!(c.explained_count(), 0);
        assert!(
            unexplained_lines(&c)
                .iter()
                .any(|l| l.contains("error.code: type differs"))
        );
        assert_eq!(c.stale.len(), 1, "{:?}", c.stale);
    }

    #[test]
    fn operation_patterns_and_match_clauses_narrow_an_entry() {
        let yaml = "
entries:
  - id: narrow
    category: deliberate
    operation: [GET /a, 'DELETE /c/*']
    match:
      - kind: type
        location: 'response 401 application/json: field error.code'
      - kind: type
        location: 'response 404 application/json: field error.code'
      - kind: only-in-theirs
        location: 'response 200 application/json: field tag'
    reason: Only these.
";
        let c = explained(yaml, false);
        let covered: Vec<String> = c.explained[0]
            .iter()
            .map(|(op, d)| format!("{op}: {}", d.location))
            .collect();
        assert_eq!(
            covered,
            [
                "GET /a: response 401 application/json: field error.code",
                "DELETE /c/{id}: response 404 application/json: field error.code",
            ]
        );
        // GET /b's 404 and `tag` are outside the operations; GET /a's 500 matches no clause.
        let left = unexplained_lines(&c);
        assert!(
            left.iter().any(|l| l.starts_with("GET /b: response 404")),
            "{left:?}"
        );
        assert!(
            left.iter().any(|l| l.starts_with("GET /a: response 500")),
            "{left:?}"
        );
        // The third clause matched nothing among the operations named: stale.
        assert_eq!(c.stale_entries, 1);
        assert_eq!(
            c.stale,
            [
                "entry `narrow`: the clause (kind only-in-theirs, location `response 200 application/json: field tag`) matches none of the differences it explains"
            ]
        );
    }

    #[test]
    fn the_first_covering_entry_wins_and_an_entry_left_nothing_is_stale() {
        let yaml = format!(
            "{ERROR_CODE}
  - id: shadowed
    category: deliberate
    operation: GET /a
    kind: type
    location: 'response 401 application/json: field error.code'
    reason: Says the same as error-code.
  - id: never
    category: deliberate
    operation: GET /nowhere
    kind: nullable
    reason: Nothing like this exists.
  - id: unused-operation
    category: deliberate
    operation: [GET /a, GET /gone]
    kind: type
    location: 'response 200 application/json: field label'
    reason: One operation is gone.
"
        );
        let c = explained(&yaml, false);
        assert_eq!(c.explained[0].len(), 4);
        assert!(c.explained[1].is_empty() && c.explained[2].is_empty());
        assert_eq!(c.explained[3].len(), 1);
        assert_eq!(
            c.stale,
            [
                "entry `shadowed` explains nothing: no difference matches it, or earlier entries explain all it matches",
                "entry `never` explains nothing: no difference matches it, or earlier entries explain all it matches",
                "entry `unused-operation`: operation `GET /gone` has none of the differences it explains",
            ]
        );
        assert_eq!(c.stale_entries, 3);
    }

    #[test]
    fn extra_operations_are_explained_by_an_entry_that_names_them() {
        let c = explained(&format!("{ERROR_CODE}{OLD_OPERATION}"), false);
        assert!(c.unexplained_extra.is_empty());
        assert_eq!(c.extra, ["POST /old"]);
        assert_eq!(c.explained[1].len(), 1);
        assert_eq!(c.explained[1][0].1.kind, Kind::ExtraOperation);
        // An entry for differences inside operations (here of every operation, `*`) does not
        // cover an extra operation.
        let c = explained(ERROR_CODE, false);
        assert_eq!(c.unexplained_extra, ["POST /old"]);
    }

    #[test]
    fn the_summary_line_counts_everything() {
        let c = explained(&format!("{ERROR_CODE}{OLD_OPERATION}"), true);
        assert_eq!(
            c.summary(),
            "spec-diff: 3 operations compared, 0 identical, 3 differ: 6 differences, 4 explained (by 1 entries), 2 unexplained; 1 missing, 1 extra (1 explained); 0 stale entries"
        );
        let text = c.render(false);
        assert_eq!(text.lines().last(), Some(c.summary().as_str()));
        assert_eq!(text.matches("spec-diff: ").count(), 1);
    }

    #[test]
    fn the_report_prints_unexplained_in_full_and_explained_per_entry() {
        let c = explained(&format!("{ERROR_CODE}{OLD_OPERATION}"), true);
        let text = c.render(false);
        assert!(text.starts_with(
            "GET /a\n  response 200 application/json: field label: type differs: ours string theirs integer\n\nGET /b\n  response 200 application/json: field tag: only in theirs (string, optional)\n\nmissing: GET /missing\n\n"
        ), "{text}");
        assert!(text.contains("error-code [deliberate]: 4 differences in 3 operations\n  Text codes come from upstream providers.\n"), "{text}");
        assert!(
            text.contains("old [older-revision]: 1 extra operation\n"),
            "{text}"
        );
        assert!(
            !text.contains("field error.code"),
            "explained lines are only counted: {text}"
        );
        assert!(!text.contains("extra: POST /old"), "{text}");
        let verbose = c.render(true);
        assert!(verbose.contains("  GET /a\n    response 401 application/json: field error.code: type differs: ours integer | string theirs integer\n"), "{verbose}");
        assert!(verbose.contains("  extra: POST /old\n"), "{verbose}");
    }

    #[test]
    fn fail_on_unexplained_fails_only_when_something_is_unexplained() {
        // Everything explained: passes, though --fail-on-diff still fails.
        let all = format!(
            "{ERROR_CODE}{OLD_OPERATION}
  - id: rest
    category: deliberate
    operation: [GET /a, GET /b]
    match:
      - {{kind: type, location: 'response 200 application/json: field label', message: 'type differs: ours string theirs integer'}}
      - {{kind: only-in-theirs, location: 'response 200 application/json: field tag'}}
    reason: Both are ours to decide.
"
        );
        let c = explained(&all, false);
        assert!(c.all_explained(), "{}", c.render(false));
        assert!(c.passes(false, true));
        assert!(c.passes(false, false));
        assert!(!c.passes(true, false));
        assert!(!c.passes(true, true));
        // A missing operation fails.
        let c = explained(&all, true);
        assert!(!c.passes(false, true));
        assert!(c.passes(false, false));
        // An unexplained difference fails.
        let c = explained(&format!("{ERROR_CODE}{OLD_OPERATION}"), false);
        assert!(!c.passes(false, true));
        // So does an unexplained extra operation.
        let c = explained(&all.replace("POST /old", "POST /older"), false);
        assert_eq!(c.unexplained_extra, ["POST /old"]);
        assert!(!c.passes(false, true));
        // And a stale entry, though every difference is explained.
        let stale = format!(
            "{all}  - id: stale
    category: deliberate
    operation: GET /a
    kind: enum
    reason: Nothing.
"
        );
        let c = explained(&stale, false);
        assert_eq!(c.unexplained_count(), 0);
        assert_eq!(c.stale_entries, 1);
        assert!(!c.passes(false, true));
        assert!(c.passes(false, false));
    }

    /// The error of parsing a differences file with this one entry.
    fn malformed(entry: &str) -> String {
        let yaml = format!("{ERROR_CODE}{entry}");
        let err = Explanations::parse(&yaml).expect_err("the entry is malformed");
        format!("{err:#}")
    }

    #[test]
    fn malformed_entries_are_errors_naming_the_entry() {
        let base = "  - id: bad\n    category: deliberate\n    operation: GET /a\n    kind: type\n    reason: Why.\n";
        let cases: [(String, &str); 14] = [
            (
                base.replace("    reason: Why.\n", ""),
                "`reason` is missing",
            ),
            (
                base.replace("reason: Why.", "reason: ''"),
                "`reason` is empty",
            ),
            (
                base.replace("reason: Why.", "reason: '  '"),
                "`reason` is empty",
            ),
            (
                base.replace("deliberate", "accidental"),
                "unknown category `accidental`",
            ),
            (
                base.replace("    category: deliberate\n", ""),
                "`category` is missing",
            ),
            (
                base.replace("kind: type", "kind: colour"),
                "unknown kind `colour`",
            ),
            (
                base.replace("kind: type", "kind: missing-operation"),
                "cannot be explained away",
            ),
            (base.replace("    kind: type\n", ""), "`kind` is missing"),
            (
                base.replace("GET /a", "get /a"),
                "operation `get /a` is not `METHOD /path`",
            ),
            (
                base.replace("    operation: GET /a\n", ""),
                "`operation` is missing",
            ),
            (format!("{base}    colour: red\n"), "unknown key `colour`"),
            (
                format!("{base}    match: [{{kind: type}}]\n"),
                "`match` and a top-level `kind`/`location`/`message` exclude each other",
            ),
            (
                base.replace("kind: type", "kind: extra-operation\n    location: x"),
                "kind `extra-operation` takes no `location` or `message`",
            ),
            (
                base.replace("id: bad", "id: error-code"),
                "the id `error-code` is used by an earlier entry too",
            ),
        ];
        for (entry, expected) in cases {
            let err = malformed(&entry);
            assert!(err.contains(expected), "{entry}\n=> {err}");
            let named = if entry.contains("id: error-code") {
                "entry 2 (`error-code`)"
            } else {
                "entry 2 (`bad`)"
            };
            assert!(err.starts_with(named), "{entry}\n=> {err}");
        }
        let no_id = malformed(
            "  - category: deliberate\n    operation: GET /a\n    kind: type\n    reason: Why.\n",
        );
        assert!(
            no_id.starts_with("entry 2 is malformed") && no_id.contains("`id` is missing"),
            "{no_id}"
        );
        let clause = malformed(
            "  - id: c\n    category: deliberate\n    operation: GET /a\n    match:\n      - {kind: type}\n      - {kind: type, where: x}\n    reason: Why.\n",
        );
        assert!(
            clause.contains("entry 2 (`c`)")
                && clause.contains("`match` clause 2")
                && clause.contains("unknown key `where`"),
            "{clause}"
        );
        assert!(Explanations::parse("entries: 3").is_err());
        assert!(Explanations::parse("rules: []").is_err());
        assert!(Explanations::parse("entries: [").is_err());
        assert_eq!(Explanations::parse("").unwrap(), Explanations::default());
        assert_eq!(
            Explanations::parse("entries: []").unwrap(),
            Explanations::default()
        );
    }

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
        }
        let names: BTreeSet<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), Kind::ALL.len());
    }

    #[test]
    fn an_event_envelope_is_opened_and_its_data_compared() {
        let doc = |schema: &str| {
            format!(
                "openapi: 3.1.0
info: {{title: T, version: '1'}}
paths:
  /s:
    post:
      responses:
        '200':
          description: ok
          content:
            text/event-stream: {{schema: {schema}}}
"
            )
        };
        let ours = doc("{type: object, properties: {id: {type: string}, n: {type: integer}}}");
        let theirs = doc(
            "{type: object, required: [data], properties: {event: {type: string}, data: {type: object, properties: {id: {type: string}, n: {type: string}}}}}",
        );
        let report = diff(&ours, &theirs).unwrap();
        assert_eq!(
            report.differing[0].lines(),
            [
                "response 200 text/event-stream: event envelope differs: ours describes one event's data, theirs the whole event {data, event} (compared with its data)",
                "response 200 text/event-stream: field n: type differs: ours integer theirs string",
            ]
        );
        assert_eq!(report.differing[0].differences[0].kind, Kind::EventEnvelope);
        // The other way round too; and two envelopes (or none) are compared as they are.
        let back = diff(&theirs, &ours).unwrap();
        assert!(
            back.differing[0].lines()[0]
                .contains("ours describes the whole event {data, event}, theirs one event's data")
        );
        assert_eq!(diff(&theirs, &theirs).unwrap().identical, 1);
    }
}
