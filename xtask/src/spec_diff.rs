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
//! up on one path, with a depth limit behind that.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// HTTP methods an OpenAPI path item can hold, in the order the specification lists them.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

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
    /// One line per difference, in a stable order.
    pub lines: Vec<String>,
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
            for line in &op.lines {
                let _ = writeln!(out, "  {line}");
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
                    lines: Vec::new(),
                    comparisons: 0,
                };
                walker.operation(o, t);
                if walker.lines.is_empty() {
                    report.identical += 1;
                } else {
                    report
                        .differing
                        .push(OperationDiff { operation: o.label(), lines: walker.lines });
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
            match node.get("$ref").and_then(Value::as_str).and_then(|r| self.lookup(r)) {
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
            let path_parameters =
                item.get("parameters").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
            for method in METHODS {
                let Some(node) = item.get(method).filter(|n| n.is_object()) else {
                    continue;
                };
                let op = Operation { method, path, node, path_parameters };
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
    path.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(name, _)| name)).collect()
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
            flat.cut = Some(chain.last().map_or_else(|| "#".to_owned(), |r| (*r).to_owned()));
            return flat;
        }
        *budget -= 1;
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            flat.names.push(ref_name(reference));
            flat.refs.push(reference);
            let target = self.lookup(reference).filter(|_| !chain.contains(&reference));
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
            flat.required.extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
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
            let property = d.get("propertyName").and_then(Value::as_str).unwrap_or("").to_owned();
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
            || (depth <= 8 && flat.branches.iter().any(|b| self.nullable(&self.flat(b), depth + 1)))
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
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

fn required_word(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

fn location_rank(location: &str) -> usize {
    ["path", "query", "header", "cookie"].iter().position(|l| *l == location).unwrap_or(4)
}

/// A parameter of one operation, after `$ref`s.
struct Param<'a> {
    name: String,
    location: String,
    required: bool,
    schema: Option<&'a Value>,
}

/// Walks one pair of operations, collecting difference lines.
struct Walker<'a> {
    ours: Doc<'a>,
    theirs: Doc<'a>,
    /// Pairs of schema nodes being compared on the current path (a cycle guard).
    stack: Vec<(usize, usize)>,
    /// `$ref`s expanded on the current path, ours and theirs (the main cycle guard).
    our_refs: Vec<&'a str>,
    their_refs: Vec<&'a str>,
    lines: Vec<String>,
    /// Schema pairs compared so far (see [`MAX_COMPARISONS`]).
    comparisons: usize,
}

impl<'a> Walker<'a> {
    fn emit(&mut self, prefix: &str, path: &str, message: impl std::fmt::Display) {
        if path.is_empty() {
            self.lines.push(format!("{prefix}{message}"));
        } else {
            self.lines.push(format!("{prefix}field {path}: {message}"));
        }
    }

    fn operation(&mut self, o: &Operation<'a>, t: &Operation<'a>) {
        if o.path != t.path {
            self.lines.push(format!("path differs: ours {} theirs {}", o.path, t.path));
        }
        self.parameters(o, t);
        self.request_body(o.node.get("requestBody"), t.node.get("requestBody"));
        self.responses(o.node.get("responses"), t.node.get("responses"));
    }

    fn params(doc: &Doc<'a>, op: &Operation<'a>, rename: &BTreeMap<&str, &str>) -> Vec<Param<'a>> {
        let mut out: Vec<Param<'a>> = Vec::new();
        let own = op.node.get("parameters").and_then(Value::as_array).map(Vec::as_slice);
        for node in op.path_parameters.iter().chain(own.unwrap_or(&[])) {
            let node = doc.deref(node);
            let (Some(name), Some(location)) =
                (node.get("name").and_then(Value::as_str), node.get("in").and_then(Value::as_str))
            else {
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
        let rename: BTreeMap<&str, &str> =
            template_names(t.path).into_iter().zip(template_names(o.path)).collect();
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
        pairs.extend((0..theirs.len()).filter(|&j| !used[j]).map(|j| (None, Some(j))));
        let sort_key = |pair: &(Option<usize>, Option<usize>)| {
            let p = match pair {
                (Some(i), _) => &ours[*i],
                (None, Some(j)) => &theirs[*j],
                (None, None) => unreachable!(),
            };
            (location_rank(&p.location), p.location.clone(), p.name.clone())
        };
        pairs.sort_by_key(sort_key);
        for pair in pairs {
            match pair {
                (Some(i), Some(j)) => {
                    let (p, q) = (&ours[i], &theirs[j]);
                    let prefix = format!("parameter {} {}: ", p.location, p.name);
                    if p.location != q.location {
                        self.lines.push(format!(
                            "{prefix}location differs: ours {} theirs {}",
                            p.location, q.location
                        ));
                    }
                    if p.required != q.required {
                        self.lines.push(format!(
                            "{prefix}required differs: ours {} theirs {}",
                            required_word(p.required),
                            required_word(q.required)
                        ));
                    }
                    self.schema_pair(&prefix, p.schema, q.schema);
                }
                (Some(i), None) => {
                    let p = &ours[i];
                    let what = self.describe(&self.ours, p.schema, p.required);
                    self.lines.push(format!(
                        "parameter {} {}: only in ours ({what})",
                        p.location, p.name
                    ));
                }
                (None, Some(j)) => {
                    let q = &theirs[j];
                    let what = self.describe(&self.theirs, q.schema, q.required);
                    self.lines.push(format!(
                        "parameter {} {}: only in theirs ({what})",
                        q.location, q.name
                    ));
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
            (Some(_), None) => self.lines.push(format!("{prefix}schema only in ours")),
            (None, Some(_)) => self.lines.push(format!("{prefix}schema only in theirs")),
            (None, None) => {}
        }
    }

    /// Media type -> schema of a `content` map (keys lower-cased).
    fn content(node: &'a Value) -> BTreeMap<String, Option<&'a Value>> {
        node.get("content")
            .and_then(Value::as_object)
            .map(|c| {
                c.iter().map(|(media, m)| (media.to_ascii_lowercase(), m.get("schema"))).collect()
            })
            .unwrap_or_default()
    }

    fn contents(&mut self, label: &str, o: &'a Value, t: &'a Value) {
        let ours = Self::content(o);
        let theirs = Self::content(t);
        let media: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
        for m in media {
            match (ours.get(m), theirs.get(m)) {
                (Some(a), Some(b)) => self.schema_pair(&format!("{label} {m}: "), *a, *b),
                (Some(_), None) => self.lines.push(format!("{label} {m}: only in ours")),
                (None, Some(_)) => self.lines.push(format!("{label} {m}: only in theirs")),
                (None, None) => {}
            }
        }
    }

    fn request_body(&mut self, o: Option<&'a Value>, t: Option<&'a Value>) {
        match (o, t) {
            (Some(o), Some(t)) => {
                let o = self.ours.deref(o);
                let t = self.theirs.deref(t);
                let ro = o.get("required") == Some(&Value::Bool(true));
                let rt = t.get("required") == Some(&Value::Bool(true));
                if ro != rt {
                    self.lines.push(format!(
                        "request body: required differs: ours {} theirs {}",
                        required_word(ro),
                        required_word(rt)
                    ));
                }
                self.contents("request body", o, t);
            }
            (Some(_), None) => self.lines.push("request body: only in ours".to_owned()),
            (None, Some(_)) => self.lines.push("request body: only in theirs".to_owned()),
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
                (Some(_), None) => self.lines.push(format!("response {status}: only in ours")),
                (None, Some(_)) => self.lines.push(format!("response {status}: only in theirs")),
                (None, None) => {}
            }
        }
    }

    /// Compares two schema nodes at `path`, unless this pair is already being compared
    /// further up the same path (a recursive schema) or the path is too deep.
    fn nodes(&mut self, prefix: &str, path: &str, o: &'a Value, t: &'a Value, skip_nullable: bool) {
        let fo = self.ours.flat(o);
        let ft = self.theirs.flat(t);
        self.guarded(prefix, path, (node_key(o), &fo), (node_key(t), &ft), skip_nullable);
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
                format_args!("comparison stopped here: more than {MAX_COMPARISONS} schema pairs in one operation"),
            );
        }
        for (side, flat) in [("ours", o), ("theirs", t)] {
            if let Some(cut) = &flat.cut {
                self.emit(
                    prefix,
                    path,
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
                    format_args!("nullable differs: ours {} theirs {}", word(no), word(nt)),
                );
            }
        }
        self.enums(prefix, path, o.enum_values.as_deref(), t.enum_values.as_deref());
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
                let mut message =
                    format!("enum values differ ({} in ours, {} in theirs):", a.len(), b.len());
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
        self.emit(prefix, path, message);
    }

    fn objects(&mut self, prefix: &str, path: &str, o: &Flat<'a>, t: &Flat<'a>) {
        let names: BTreeSet<&String> = o.properties.keys().chain(t.properties.keys()).collect();
        for name in names {
            let child = join_path(path, name);
            let ro = o.required.contains(name.as_str());
            let rt = t.required.contains(name.as_str());
            match (o.properties.get(name.as_str()), t.properties.get(name.as_str())) {
                (Some(a), Some(b)) => {
                    if ro != rt {
                        self.emit(
                            prefix,
                            &child,
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
                    self.emit(prefix, &child, format_args!("only in ours ({what})"));
                }
                (None, Some(b)) => {
                    let what = self.describe(&self.theirs, Some(b), rt);
                    self.emit(prefix, &child, format_args!("only in theirs ({what})"));
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
                let mut b = Flat { types: BTreeSet::from([t.clone()]), ..Flat::default() };
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
                let values = flat.properties.get(&d.property).and_then(|p| doc.flat(p).enum_values);
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
            consts.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
        } else if let Some(t) = &plain_type {
            t.clone()
        } else {
            format!("#{}", index + 1)
        };
        Branch { key, flat, reference, label, discriminator_values, consts, plain_type }
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
                Flat { refs: Vec::new(), ..o.clone() },
                None,
                None,
                0,
            ));
        }
        if tb.is_empty() {
            tb.push(Self::branch(
                &theirs,
                tkey,
                Flat { refs: Vec::new(), ..t.clone() },
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
        let mut only_ours: Vec<usize> =
            (0..ob.len()).filter(|i| !pairs.iter().any(|p| p.0 == *i)).collect();
        let mut only_theirs: Vec<usize> =
            (0..tb.len()).filter(|j| !pairs.iter().any(|p| p.1 == *j)).collect();
        only_ours.sort_by(|a, b| ob[*a].label.cmp(&ob[*b].label));
        only_theirs.sort_by(|a, b| tb[*a].label.cmp(&tb[*b].label));
        for i in only_ours {
            let what = render_types(&ours.types(&ob[i].flat, 0));
            self.emit(
                prefix,
                path,
                format_args!("union branch {}: only in ours ({what})", ob[i].label),
            );
        }
        for j in only_theirs {
            let what = render_types(&theirs.types(&tb[j].flat, 0));
            self.emit(
                prefix,
                path,
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
        |a, b| a.discriminator_values.iter().any(|v| b.discriminator_values.contains(v)),
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
}
