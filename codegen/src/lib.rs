//! Generator of a typed async Rust client crate from an OpenAPI 3.0/3.1 document.
//!
//! `generate` takes the document's text and returns every file of the crate, keyed by path
//! relative to the crate root. It never panics on input; every error names a JSON pointer.

pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod names;
pub mod normalize;
pub mod operations;
pub mod schema;
pub mod surface;
pub mod tree;

pub use error::{Error, Pointer, Result};

use ir::{Api, TypeRef};
use std::collections::BTreeMap;

/// Settings that are not in the document.
#[derive(Debug, Clone)]
pub struct Options {
    /// Package name of the generated crate.
    pub crate_name: String,
    /// Package version of the generated crate.
    pub crate_version: String,
    /// How the `@generated` header names the document (a path relative to the workspace).
    pub source: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            crate_name: "openrouter-generated".into(),
            crate_version: "0.1.0".into(),
            source: "spec/openrouter.yaml".into(),
        }
    }
}

/// Something the generator could not represent exactly, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub pointer: Pointer,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// The generated crate.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Path relative to the crate root -> file contents.
    pub files: BTreeMap<String, String>,
    pub warnings: Vec<Warning>,
}

/// The stack a generator run gets. Reading a schema into the document model costs about
/// 50 KiB of stack per nesting level in a debug build; nesting is bounded
/// ([`normalize::MAX_SCHEMA_NESTING`], [`schema::MAX_SCHEMA_DEPTH`]), and this leaves a wide
/// margin above the worst case whatever stack the caller has (2 MiB for a test thread).
const GENERATOR_STACK: usize = 64 << 20;

/// Runs `work` on a thread of its own with [`GENERATOR_STACK`] bytes of stack.
fn with_generator_stack<T: Send>(work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("openrouter-codegen".into())
            .stack_size(GENERATOR_STACK)
            .spawn_scoped(scope, work)
            .map_err(Error::Thread)?;
        handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Reads the document into the intermediate model.
pub fn analyze(text: &str) -> Result<(Api, Vec<Warning>)> {
    with_generator_stack(|| analyze_here(text))
}

fn analyze_here(text: &str) -> Result<(Api, Vec<Warning>)> {
    let (doc, json) = load::load(text)?;
    let mut types = schema::TypeSpace::new(&doc)?;
    types.define_components()?;
    let (groups, operations) = operations::build(&doc, &mut types)?;
    let mut defs = std::mem::take(&mut types.defs);
    let mut warnings = std::mem::take(&mut types.warnings);
    let merged = types.merged.take();

    // Types reachable from request bodies get three-state optional-and-nullable fields.
    let bodies = operations
        .iter()
        .filter_map(|op| op.body.as_ref())
        .filter_map(|b| named(&b.ty));
    spread(&mut defs, bodies, |def| {
        !std::mem::replace(&mut def.input, true)
    });

    // Which groups reach each type, and in which direction; a type no operation reaches is
    // left out.
    for op in &operations {
        let sent = op
            .params
            .iter()
            .map(|p| &p.ty)
            .chain(op.body.as_ref().map(|b| &b.ty));
        let received = op
            .success
            .ty
            .iter()
            .chain(op.errors.iter().filter_map(|e| e.ty.as_ref()))
            .chain(op.streaming.as_ref().map(|s| &s.item));
        spread(&mut defs, sent.filter_map(named), |def| {
            def.groups.insert(op.group.clone()) | !std::mem::replace(&mut def.sent, true)
        });
        spread(&mut defs, received.filter_map(named), |def| {
            def.groups.insert(op.group.clone()) | !std::mem::replace(&mut def.received, true)
        });
    }
    // A type sent with more required fields than a constructor takes is built from JSON, so it
    // (and everything in it) deserializes.
    let heavy: Vec<String> = defs
        .values()
        .filter(|d| d.sent && ir::constructor_arity(&defs, d) > ir::MAX_NEW_ARGS)
        .map(|d| d.name.clone())
        .collect();
    spread(&mut defs, heavy, |def| {
        !std::mem::replace(&mut def.received, true)
    });
    let left_out: Vec<String> = defs
        .values()
        .filter(|d| d.groups.is_empty() && d.owner == d.name && !merged.contains(&d.name))
        .map(|d| d.name.clone())
        .collect();
    if !left_out.is_empty() {
        warnings.push(Warning {
            pointer: Pointer::root().push("components").push("schemas"),
            message: format!(
                "{} schemas are reached by no operation (nor merged into one through allOf) and are left out: {}",
                left_out.len(),
                left_out.join(", ")
            ),
        });
    }
    defs.retain(|_, d| !d.groups.is_empty());

    warnings.extend(duplicate_inline_schemas(&defs, &json));
    ir::decide_storage(&mut defs);

    // Module names must be distinct too (one file per root type).
    let mut modules: BTreeMap<String, &ir::TypeDef> = BTreeMap::new();
    for def in defs.values().filter(|d| d.owner == d.name) {
        if let Some(other) = modules.insert(names::module_name(&def.name), def) {
            return Err(Error::spec(
                &def.pointer,
                format!(
                    "types `{}` and `{}` would share one file name; rename one",
                    other.name, def.name
                ),
            ));
        }
    }

    let base_url = doc
        .servers
        .first()
        .map(|s| s.url.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| "http://localhost".to_owned());
    let link_origin = origin(&base_url);
    let api = Api {
        title: doc.info.title.clone(),
        description: doc.info.description.clone(),
        example: doc
            .info
            .extensions
            .get("x-rust-example")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        base_url,
        link_origin,
        types: defs,
        groups,
        operations,
    };
    Ok((api, warnings))
}

/// Generates the whole crate from the document's text.
pub fn generate(text: &str, options: &Options) -> Result<Generated> {
    with_generator_stack(|| {
        let (api, warnings) = analyze_here(text)?;
        let files = emit::krate::files(options, &api)?;
        Ok(Generated { files, warnings })
    })
}

pub(crate) fn named(t: &TypeRef) -> Option<String> {
    match t {
        TypeRef::Named(n) => Some(n.clone()),
        TypeRef::Vec(inner) | TypeRef::Map(inner) => named(inner),
        _ => None,
    }
}

/// Marks `roots` and every type they lead to with `mark`, which says whether it changed the
/// type: the marks only grow, so an unchanged type's children already carry them.
fn spread(
    defs: &mut BTreeMap<String, ir::TypeDef>,
    roots: impl IntoIterator<Item = String>,
    mut mark: impl FnMut(&mut ir::TypeDef) -> bool,
) {
    let mut stack: Vec<String> = roots.into_iter().collect();
    while let Some(name) = stack.pop() {
        if let Some(def) = defs.get_mut(&name) {
            if mark(def) {
                stack.extend(children(&def.shape));
            }
        }
    }
}

/// Inline schemas with the same structure as another type (an enum of four values or more,
/// a struct of two fields or more, a union): each is a warning that suggests one named schema.
/// An inline schema named with `x-rust-name` is a deliberate type of its own and not reported.
fn duplicate_inline_schemas(
    defs: &BTreeMap<String, ir::TypeDef>,
    json: &serde_json::Value,
) -> Vec<Warning> {
    let deliberate = |def: &ir::TypeDef| {
        json.pointer(def.pointer.as_str())
            .and_then(|node| node.get("x-rust-name"))
            .is_some()
    };
    let signature = |def: &ir::TypeDef| -> Option<String> {
        let ty = |t: &TypeRef| t.display();
        match &def.shape {
            ir::Shape::Enum { values } if values.len() >= 4 => Some(format!(
                "enum {}",
                values
                    .iter()
                    .map(|v| v.wire.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            )),
            ir::Shape::Struct { fields, additional } if fields.len() >= 2 => Some(format!(
                "struct {} {:?}",
                fields
                    .iter()
                    .map(|f| format!(
                        "{}:{}:{}:{}",
                        f.wire_name,
                        ty(&f.ty),
                        f.required,
                        f.nullable
                    ))
                    .collect::<Vec<_>>()
                    .join(","),
                additional.as_ref().map(ty)
            )),
            ir::Shape::Tagged { property, variants } => Some(format!(
                "tagged {property} {}",
                variants
                    .iter()
                    .map(|v| format!("{}={}", v.tags.join("/"), ty(&v.ty)))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            ir::Shape::Untagged { variants }
                if variants.iter().all(|v| !matches!(v.ty, TypeRef::Named(_))) =>
            {
                None
            }
            ir::Shape::Untagged { variants } => Some(format!(
                "untagged {}",
                variants
                    .iter()
                    .map(|v| ty(&v.ty))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            _ => None,
        }
    };
    let mut first: BTreeMap<String, &ir::TypeDef> = BTreeMap::new();
    let mut warnings = Vec::new();
    // Component schemas first, so that an inline copy of one points at it.
    let ordered = defs
        .values()
        .filter(|d| d.owner == d.name)
        .chain(defs.values().filter(|d| d.owner != d.name));
    for def in ordered {
        let Some(key) = signature(def) else { continue };
        match first.get(&key) {
            // The same schema reached twice (merged through `allOf`) is not a copy.
            Some(original) if def.owner != def.name && def.pointer != original.pointer && !deliberate(def) => warnings.push(Warning {
                pointer: def.pointer.clone(),
                message: format!(
                    "this inline schema is the same as `{}` ({}); describe it once as a component and $ref it",
                    original.name, original.pointer
                ),
            }),
            Some(_) => {}
            None => {
                first.insert(key, def);
            }
        }
    }
    warnings.dedup();
    warnings
}

/// The named types a shape refers to directly.
pub(crate) fn children(shape: &ir::Shape) -> Vec<String> {
    match shape {
        ir::Shape::Struct { fields, additional } => fields
            .iter()
            .map(|f| &f.ty)
            .chain(additional)
            .filter_map(named)
            .collect(),
        ir::Shape::Tagged { variants, .. } => {
            variants.iter().filter_map(|v| named(&v.ty)).collect()
        }
        ir::Shape::Untagged { variants } => variants.iter().filter_map(|v| named(&v.ty)).collect(),
        ir::Shape::Alias(t) => named(t).into_iter().collect(),
        ir::Shape::Enum { .. } => Vec::new(),
    }
}

/// `https://host` of a URL (used to make `/docs/...` links absolute).
fn origin(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split('/').next().unwrap_or(rest);
            format!("{scheme}://{host}")
        }
        None => url.to_owned(),
    }
}
