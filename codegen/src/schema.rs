//! Turns document schemas into generated types: structs, open enums, unions, aliases.

use crate::Warning;
use crate::error::{Error, Pointer, Result};
use crate::ir::{EnumValue, Field, Shape, TaggedVariant, TypeDef, TypeRef, UntaggedVariant};
use crate::names::{field_name, type_name};
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, OpenAPI, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// A schema or a reference to one, whatever box it came in.
#[derive(Clone, Copy)]
pub enum RefOr<'a> {
    Ref(&'a str),
    Schema(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for RefOr<'a> {
    fn from(value: &'a ReferenceOr<Schema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => RefOr::Ref(reference),
            ReferenceOr::Item(schema) => RefOr::Schema(schema),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for RefOr<'a> {
    fn from(value: &'a ReferenceOr<Box<Schema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => RefOr::Ref(reference),
            ReferenceOr::Item(schema) => RefOr::Schema(schema),
        }
    }
}

/// Properties gathered from an object schema or from every member of an `allOf`.
#[derive(Default)]
struct ObjectParts<'a> {
    props: Vec<(String, RefOr<'a>, Pointer)>,
    required: BTreeSet<String>,
    /// The `required` names in document order (the order of `new()`'s arguments).
    required_order: Vec<String>,
    additional: Option<&'a AdditionalProperties>,
    additional_ptr: Pointer,
    /// `$ref`s being merged, to stop at a cycle.
    visiting: Vec<String>,
}

impl<'a> ObjectParts<'a> {
    /// Adds an object schema's properties, required names and `additionalProperties` (a later
    /// schema's `additionalProperties` replaces an earlier one's; its absence keeps it).
    fn merge(
        &mut self,
        properties: &'a indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&'a AdditionalProperties>,
        ptr: &Pointer,
    ) {
        for (name, prop) in properties {
            self.add(name, RefOr::from(prop), ptr.push("properties").push(name));
        }
        self.add_required(required);
        if additional.is_some() {
            self.additional = additional;
            self.additional_ptr = ptr.push("additionalProperties");
        }
    }

    fn add_required(&mut self, names: &[String]) {
        for name in names {
            if self.required.insert(name.clone()) {
                self.required_order.push(name.clone());
            }
        }
    }

    fn add(&mut self, name: &str, schema: RefOr<'a>, ptr: Pointer) {
        // A later `allOf` member overrides an earlier property of the same name, in place.
        if let Some(slot) = self.props.iter_mut().find(|(n, _, _)| n == name) {
            slot.1 = schema;
            slot.2 = ptr;
        } else {
            self.props.push((name.to_owned(), schema, ptr));
        }
    }
}

/// How deeply schemas may nest while they are read: inline schemas inside inline schemas, and
/// properties merged in from `allOf` members. Deeper documents are rejected with a pointer
/// instead of exhausting the stack (OpenRouter's published document needs 10 levels and 5,421 inline schemas).
pub const MAX_SCHEMA_DEPTH: usize = 64;

/// How many inline schemas one document may expand to. `allOf` members that merge the same
/// schemas again and again can grow exponentially; this bounds the time spent on them.
pub const MAX_SCHEMA_VISITS: usize = 100_000;

/// The set of generated types, filled from the components and from inline schemas.
pub struct TypeSpace<'a> {
    api: &'a OpenAPI,
    pub defs: BTreeMap<String, TypeDef>,
    /// `#/components/schemas/X` -> Rust name.
    refs: BTreeMap<String, String>,
    pub warnings: Vec<Warning>,
    /// While reading a multipart body: `format: binary` strings are file parts.
    pub uploads: bool,
    /// The inline schemas being read, innermost last (by address, with where each was entered):
    /// meeting one of them again means the schema contains itself.
    expanding: Vec<(*const Schema, Pointer)>,
    /// Inline schemas read so far (see [`MAX_SCHEMA_VISITS`]).
    visits: usize,
    /// Component schemas merged into others through `allOf` (used, though not as types).
    pub merged: RefCell<BTreeSet<String>>,
}

impl<'a> TypeSpace<'a> {
    /// Names every component schema, failing on two that collide after case conversion.
    pub fn new(api: &'a OpenAPI) -> Result<Self> {
        let mut refs = BTreeMap::new();
        let mut taken: BTreeMap<String, String> = BTreeMap::new();
        let base = Pointer::root().push("components").push("schemas");
        if let Some(components) = &api.components {
            for name in components.schemas.keys() {
                let rust = type_name(name, "Schema");
                check_not_std(&rust, &base.push(name))?;
                if let Some(other) = taken.get(&rust) {
                    return Err(Error::spec(
                        &base.push(name),
                        format!(
                            "schema name {name:?} becomes the Rust type `{rust}`, as does {other:?} \
                             ({}); rename one of them",
                            base.push(other)
                        ),
                    ));
                }
                taken.insert(rust.clone(), name.clone());
                refs.insert(format!("#/components/schemas/{name}"), rust);
            }
        }
        Ok(Self {
            api,
            defs: BTreeMap::new(),
            refs,
            warnings: Vec::new(),
            uploads: false,
            expanding: Vec::new(),
            visits: 0,
            merged: RefCell::new(BTreeSet::new()),
        })
    }

    /// Defines a type for every component schema.
    pub fn define_components(&mut self) -> Result<()> {
        let Some(components) = &self.api.components else {
            return Ok(());
        };
        let base = Pointer::root().push("components").push("schemas");
        for (name, schema) in &components.schemas {
            let rust = self.refs[&format!("#/components/schemas/{name}")].clone();
            let ptr = base.push(name);
            let ty = self.type_for(RefOr::from(schema), &rust, &rust, &ptr)?;
            if ty != TypeRef::Named(rust.clone()) {
                let (doc, deprecated) = match schema {
                    ReferenceOr::Item(s) => (
                        with_note(s.schema_data.description.clone(), s),
                        s.schema_data.deprecated,
                    ),
                    ReferenceOr::Reference { .. } => (None, false),
                };
                self.insert(TypeDef {
                    name: rust.clone(),
                    owner: rust,
                    pointer: ptr,
                    doc,
                    deprecated,
                    shape: Shape::Alias(ty),
                    input: false,
                    multipart: false,
                    groups: BTreeSet::new(),
                    sent: false,
                    received: false,
                })?;
            }
        }
        Ok(())
    }

    /// Looks up a `$ref` target: its schema and its Rust name.
    pub fn resolve(&self, reference: &str, ptr: &Pointer) -> Result<(&'a Schema, String)> {
        let unresolved = |reference: &str| {
            Error::spec(
                ptr,
                format!(
                    "unresolvable $ref {reference:?}; only #/components/schemas/... references are supported"
                ),
            )
        };
        let rust = self
            .refs
            .get(reference)
            .cloned()
            .ok_or_else(|| unresolved(reference))?;
        // A component that is itself only a reference is followed (iteratively: a chain may be
        // as long as the document has components); a cycle ends in an error.
        let mut seen: Vec<&str> = Vec::new();
        let mut current = reference;
        loop {
            if seen.len() >= MAX_SCHEMA_DEPTH {
                return Err(Error::spec(
                    ptr,
                    format!(
                        "$ref {reference:?} starts a chain of more than {MAX_SCHEMA_DEPTH} references to references"
                    ),
                ));
            }
            if seen.contains(&current) {
                return Err(Error::spec(
                    ptr,
                    if seen.len() == 1 {
                        format!("$ref {current:?} refers to itself")
                    } else {
                        format!(
                            "$ref cycle: {} -> {current}; a schema must not be only a reference to another",
                            seen.join(" -> ")
                        )
                    },
                ));
            }
            seen.push(current);
            let schema = current
                .strip_prefix("#/components/schemas/")
                .and_then(|name| self.api.components.as_ref()?.schemas.get(name))
                .ok_or_else(|| unresolved(current))?;
            match schema {
                ReferenceOr::Item(schema) => return Ok((schema, rust)),
                ReferenceOr::Reference { reference: next } => current = next,
            }
        }
    }

    /// Whether a schema (or the schema a reference points to) admits `null`.
    pub fn is_nullable(&self, schema: RefOr<'a>, ptr: &Pointer) -> Result<bool> {
        Ok(match schema {
            RefOr::Ref(r) => self.resolve(r, ptr)?.0.schema_data.nullable,
            RefOr::Schema(s) => s.schema_data.nullable,
        })
    }

    fn insert(&mut self, def: TypeDef) -> Result<()> {
        check_not_std(&def.name, &def.pointer)?;
        if let Some(existing) = self.defs.get(&def.name) {
            return Err(Error::spec(
                &def.pointer,
                format!(
                    "this schema would become the Rust type `{}`, which {} already defines; \
                     give one of them a different (component) name",
                    def.name, existing.pointer
                ),
            ));
        }
        if def.name != def.owner && self.refs.values().any(|n| n == &def.name) {
            return Err(Error::spec(
                &def.pointer,
                format!(
                    "this inline schema would be named `{}`, which is also the name of a component schema; \
                     move it into components or rename the component",
                    def.name
                ),
            ));
        }
        self.defs.insert(def.name.clone(), def);
        Ok(())
    }

    /// The Rust type of a schema; schemas that need a definition are defined under `ctx`.
    ///
    /// Every walk over schemas goes through here, so this is where it is bounded: a schema met
    /// again inside itself, nesting deeper than [`MAX_SCHEMA_DEPTH`] and documents expanding to
    /// more than [`MAX_SCHEMA_VISITS`] inline schemas are errors that name the pointer.
    pub fn type_for(
        &mut self,
        schema: RefOr<'a>,
        ctx: &str,
        owner: &str,
        ptr: &Pointer,
    ) -> Result<TypeRef> {
        let schema = match schema {
            RefOr::Ref(reference) => {
                let (_, name) = self.resolve(reference, ptr)?;
                return Ok(TypeRef::Named(name));
            }
            RefOr::Schema(schema) => schema,
        };
        self.visits += 1;
        if self.visits > MAX_SCHEMA_VISITS {
            return Err(Error::spec(
                ptr,
                format!(
                    "the document expands to more than {MAX_SCHEMA_VISITS} inline schemas (allOf members that \
                     merge the same schemas over and over); move repeated parts into components"
                ),
            ));
        }
        let key: *const Schema = schema;
        if let Some((_, first)) = self.expanding.iter().find(|(k, _)| *k == key) {
            return Err(Error::spec(
                ptr,
                format!(
                    "this schema contains itself: an allOf merges in the properties of a schema that \
                     encloses it (entered first at {first}); make the recursive part a component and \
                     refer to it with $ref"
                ),
            ));
        }
        if self.expanding.len() >= MAX_SCHEMA_DEPTH {
            return Err(Error::spec(
                ptr,
                format!(
                    "schemas nest more than {MAX_SCHEMA_DEPTH} levels deep here; flatten the document"
                ),
            ));
        }
        self.expanding.push((key, ptr.clone()));

        let result = self.schema_type(schema, ctx, owner, ptr);
        self.expanding.pop();
        result
    }

    /// [`Self::type_for`] of an inline schema, once it is known to be safe to enter.
    fn schema_type(
        &mut self,
        schema: &'a Schema,
        ctx: &str,
        owner: &str,
        ptr: &Pointer,
    ) -> Result<TypeRef> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                let values: Vec<&String> = string.enumeration.iter().flatten().collect();
                let binary = matches!(
                    string.format,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
                );
                if binary && self.uploads {
                    Ok(TypeRef::Upload)
                } else if values.is_empty() {
                    Ok(TypeRef::String)
                } else {
                    self.define_enum(ctx, owner, ptr, schema, &values)
                }
            }
            SchemaKind::Type(Type::Number(number))
                if number.enumeration.iter().flatten().count() > 1 =>
            {
                self.warnings.push(Warning {
                    pointer: ptr.push("enum"),
                    message: "the allowed numbers are not enforced by the Rust type (f64)".into(),
                });
                Ok(TypeRef::F64)
            }
            SchemaKind::Type(Type::Integer(integer))
                if integer.enumeration.iter().flatten().count() > 1 =>
            {
                self.warnings.push(Warning {
                    pointer: ptr.push("enum"),
                    message: "the allowed integers are not enforced by the Rust type (i64)".into(),
                });
                Ok(TypeRef::I64)
            }
            SchemaKind::Type(Type::Number(number)) => Ok(match number.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            }),
            SchemaKind::Type(Type::Integer(integer)) => Ok(match integer.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            }),
            SchemaKind::Type(Type::Boolean(_)) => Ok(TypeRef::Bool),
            SchemaKind::Type(Type::Array(array)) => match &array.items {
                Some(items) => {
                    let item = self.type_for(
                        RefOr::from(items),
                        &format!("{ctx}Item"),
                        owner,
                        &ptr.push("items"),
                    )?;
                    Ok(TypeRef::Vec(Box::new(item)))
                }
                None => Ok(TypeRef::Vec(Box::new(TypeRef::Json))),
            },
            SchemaKind::Type(Type::Object(object)) => {
                let mut parts = ObjectParts::default();
                parts.merge(
                    &object.properties,
                    &object.required,
                    object.additional_properties.as_ref(),
                    ptr,
                );
                self.object(ctx, owner, ptr, schema, parts)
            }
            SchemaKind::AllOf { all_of } => {
                // Members that only annotate (a description, a bound) carry no shape.
                let shaped: Vec<(usize, &'a ReferenceOr<Schema>)> = all_of
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| carries_shape(m))
                    .collect();
                if let [(i, only)] = shaped.as_slice() {
                    // A wrapper around one schema (often `$ref` plus a description).
                    return self.type_for(
                        RefOr::from(*only),
                        ctx,
                        owner,
                        &ptr.push("allOf").push(i.to_string()),
                    );
                }
                let mut parts = ObjectParts::default();
                match self.collect_all_of(all_of, ptr, &mut parts, 0) {
                    Ok(()) => self.object(ctx, owner, ptr, schema, parts),
                    Err(Error::Spec { pointer, message }) => {
                        self.warnings.push(Warning {
                            pointer,
                            message: format!("{message}; the value is kept as serde_json::Value"),
                        });
                        Ok(TypeRef::Json)
                    }
                    Err(other) => Err(other),
                }
            }
            SchemaKind::OneOf { one_of } => {
                self.union(ctx, owner, &ptr.push("oneOf"), schema, one_of)
            }
            SchemaKind::AnyOf { any_of } => {
                self.union(ctx, owner, &ptr.push("anyOf"), schema, any_of)
            }
            SchemaKind::Not { .. } => {
                self.warnings.push(Warning {
                    pointer: ptr.clone(),
                    message: "`not` cannot be expressed in Rust types; the value is kept as serde_json::Value".into(),
                });
                Ok(TypeRef::Json)
            }
            SchemaKind::Any(any) => {
                if !any.properties.is_empty() || any.additional_properties.is_some() {
                    let mut parts = ObjectParts::default();
                    parts.merge(
                        &any.properties,
                        &any.required,
                        any.additional_properties.as_ref(),
                        ptr,
                    );
                    self.object(ctx, owner, ptr, schema, parts)
                } else if let Some(items) = &any.items {
                    let item = self.type_for(
                        RefOr::from(items),
                        &format!("{ctx}Item"),
                        owner,
                        &ptr.push("items"),
                    )?;
                    Ok(TypeRef::Vec(Box::new(item)))
                } else if !any.one_of.is_empty() {
                    self.union(ctx, owner, &ptr.push("oneOf"), schema, &any.one_of)
                } else if !any.any_of.is_empty() {
                    self.union(ctx, owner, &ptr.push("anyOf"), schema, &any.any_of)
                } else {
                    if any.typ.is_some() {
                        self.warnings.push(Warning {
                            pointer: ptr.clone(),
                            message: format!(
                                "schema of type {:?} could not be read precisely; kept as serde_json::Value",
                                any.typ
                            ),
                        });
                    }
                    Ok(TypeRef::Json)
                }
            }
        }
    }

    fn collect_all_of(
        &self,
        members: &'a [ReferenceOr<Schema>],
        ptr: &Pointer,
        parts: &mut ObjectParts<'a>,
        depth: usize,
    ) -> Result<()> {
        if depth > 32 {
            return Err(Error::spec(ptr, "allOf nests too deeply"));
        }
        for (i, member) in members.iter().enumerate().filter(|(_, m)| carries_shape(m)) {
            let mptr = ptr.push("allOf").push(i.to_string());
            let schema = match member {
                ReferenceOr::Reference { reference } => {
                    if parts.visiting.iter().any(|r| r == reference) {
                        return Err(Error::spec(
                            &mptr,
                            format!("allOf cycle: {reference} includes itself"),
                        ));
                    }
                    parts.visiting.push(reference.clone());
                    let (schema, name) = self.resolve(reference, &mptr)?;
                    self.merged.borrow_mut().insert(name);
                    // Members of a referenced schema are reported at their own location.
                    let target = Pointer::from_ref(reference);
                    let result = self.collect_object(schema, &target, parts, depth + 1);
                    parts.visiting.pop();
                    result?;
                    continue;
                }
                ReferenceOr::Item(schema) => schema,
            };
            self.collect_object(schema, &mptr, parts, depth + 1)?;
        }
        Ok(())
    }

    fn collect_object(
        &self,
        schema: &'a Schema,
        ptr: &Pointer,
        parts: &mut ObjectParts<'a>,
        depth: usize,
    ) -> Result<()> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => {
                parts.merge(
                    &object.properties,
                    &object.required,
                    object.additional_properties.as_ref(),
                    ptr,
                );
                Ok(())
            }
            SchemaKind::AllOf { all_of } => self.collect_all_of(all_of, ptr, parts, depth),
            SchemaKind::Any(any) if any.one_of.is_empty() && any.any_of.is_empty() => {
                parts.merge(
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                    ptr,
                );
                if !any.all_of.is_empty() {
                    self.collect_all_of(&any.all_of, ptr, parts, depth)?;
                }
                Ok(())
            }
            _ => Err(Error::spec(
                ptr,
                "an allOf member must be an object schema (or a reference to one) to be merged into a struct",
            )),
        }
    }

    fn object(
        &mut self,
        ctx: &str,
        owner: &str,
        ptr: &Pointer,
        schema: &'a Schema,
        parts: ObjectParts<'a>,
    ) -> Result<TypeRef> {
        let additional = match parts.additional {
            None | Some(AdditionalProperties::Any(false)) => None,
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Json),
            Some(AdditionalProperties::Schema(inner)) => Some(self.type_for(
                RefOr::from(inner.as_ref()),
                &format!("{ctx}Value"),
                owner,
                &parts.additional_ptr,
            )?),
        };
        if parts.props.is_empty() {
            return Ok(TypeRef::Map(Box::new(additional.unwrap_or(TypeRef::Json))));
        }
        let mut fields = Vec::with_capacity(parts.props.len());
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (wire, prop, pptr) in &parts.props {
            let rust_name = field_name(wire);
            if let Some(other) = seen.insert(rust_name.clone(), wire.clone()) {
                return Err(Error::spec(
                    pptr,
                    format!(
                        "properties {other:?} and {wire:?} both become the Rust field `{rust_name}`"
                    ),
                ));
            }
            if rust_name == "new" || (additional.is_some() && rust_name == "additional_properties")
            {
                return Err(Error::spec(
                    pptr,
                    format!(
                        "property {wire:?} clashes with a generated method or field named `{rust_name}`"
                    ),
                ));
            }
            // `x-rust-name` on an inline property schema names its type; otherwise the position does.
            let child_ctx =
                rust_name_of(*prop).unwrap_or_else(|| format!("{ctx}{}", type_name(wire, "Field")));
            let ty = self.type_for(*prop, &child_ctx, owner, pptr)?;
            let (doc, deprecated, default, sensitive) = match prop {
                RefOr::Schema(s) => (
                    with_note(s.schema_data.description.clone(), s),
                    s.schema_data.deprecated,
                    s.schema_data.default.clone(),
                    is_sensitive(s),
                ),
                RefOr::Ref(_) => (None, false, None, false),
            };
            fields.push(Field {
                sensitive,
                rust_name,
                wire_name: wire.clone(),
                ty,
                required: parts.required.contains(wire),
                required_rank: parts
                    .required_order
                    .iter()
                    .position(|n| n == wire)
                    .unwrap_or(usize::MAX),
                nullable: self.is_nullable(*prop, pptr)?,
                doc,
                deprecated,
                default,
                storage: crate::ir::Storage::Plain,
                boxed: false,
            });
        }
        for name in &parts.required {
            if !parts.props.iter().any(|(n, _, _)| n == name) && additional.is_none() {
                self.warnings.push(Warning {
                    pointer: ptr.push("required"),
                    message: format!(
                        "required property {name:?} is not described; it is not represented"
                    ),
                });
            }
        }
        self.define(
            ctx,
            owner,
            ptr,
            schema,
            Shape::Struct { fields, additional },
        )
    }

    fn define(
        &mut self,
        name: &str,
        owner: &str,
        ptr: &Pointer,
        schema: &Schema,
        shape: Shape,
    ) -> Result<TypeRef> {
        let is_root = name == owner && ptr.as_str().starts_with("/components/schemas/");
        let self_owned = name == owner;
        let mut name = name.to_owned();
        if !is_root {
            // Inline names come from their position (`<Owner><Property>`), so two positions can
            // meet on one name (`reasoning.effort` and `reasoning_effort`): number the later one.
            let base = name.clone();
            let mut n = 2;
            while self.defs.contains_key(&name) || self.refs.values().any(|r| r == &name) {
                name = format!("{base}{n}");
                n += 1;
            }
            if n > 2 {
                self.warnings.push(Warning {
                    pointer: ptr.clone(),
                    message: format!(
                        "the inline type name `{base}` is taken; this one is named `{name}`"
                    ),
                });
            }
        }
        let owner = if self_owned {
            name.clone()
        } else {
            owner.to_owned()
        };
        let name = name.as_str();
        self.insert(TypeDef {
            name: name.to_owned(),
            owner,
            pointer: ptr.clone(),
            doc: schema.schema_data.description.clone(),
            deprecated: schema.schema_data.deprecated,
            shape,
            input: false,
            multipart: false,
            groups: BTreeSet::new(),
            sent: false,
            received: false,
        })?;
        Ok(TypeRef::Named(name.to_owned()))
    }

    fn define_enum(
        &mut self,
        ctx: &str,
        owner: &str,
        ptr: &Pointer,
        schema: &Schema,
        values: &[&String],
    ) -> Result<TypeRef> {
        let mut out: Vec<EnumValue> = Vec::new();
        for (i, wire) in values.iter().enumerate() {
            if out.iter().any(|v| &v.wire == *wire) {
                continue;
            }
            let mut variant = type_name(wire, if wire.is_empty() { "Empty" } else { "V" });
            if variant == "Unknown" {
                // The fallback variant is always `Unknown(String)`; a documented "unknown" steps aside.
                variant = "UnknownValue".to_owned();
            }
            if let Some(other) = out.iter().find(|v| v.variant == variant) {
                return Err(Error::spec(
                    &ptr.push("enum").push(i.to_string()),
                    format!(
                        "enum values {:?} and {wire:?} both become the variant `{variant}`",
                        other.wire
                    ),
                ));
            }
            out.push(EnumValue {
                variant,
                wire: (*wire).clone(),
                doc: None,
            });
        }
        self.define(ctx, owner, ptr, schema, Shape::Enum { values: out })
    }

    fn union(
        &mut self,
        ctx: &str,
        owner: &str,
        ptr: &Pointer,
        schema: &'a Schema,
        branches: &'a [ReferenceOr<Schema>],
    ) -> Result<TypeRef> {
        if branches.is_empty() {
            return Ok(TypeRef::Json);
        }
        if let [only] = branches {
            return self.type_for(RefOr::from(only), ctx, owner, &ptr.push("0"));
        }
        if let Some(discriminator) = &schema.schema_data.discriminator {
            let mut variants: Vec<TaggedVariant> = Vec::new();
            for (i, branch) in branches.iter().enumerate() {
                let bptr = ptr.push(i.to_string());
                let mut tags: Vec<String> = Vec::new();
                let target = match branch {
                    ReferenceOr::Reference { reference } => {
                        let (target, name) = self.resolve(reference, &bptr)?;
                        let bare = reference.rsplit('/').next().unwrap_or_default();
                        for (tag, to) in &discriminator.mapping {
                            if to == reference || to == bare {
                                tags.push(tag.clone());
                            }
                        }
                        if tags.is_empty() {
                            tags = self.tag_values(target, &discriminator.property_name, &bptr)?;
                        }
                        if tags.is_empty() {
                            tags.push(bare.to_owned());
                        }
                        let _ = name;
                        RefOr::Ref(reference)
                    }
                    ReferenceOr::Item(inline) => {
                        tags = self.tag_values(inline, &discriminator.property_name, &bptr)?;
                        if tags.is_empty() {
                            return Err(Error::spec(
                                &bptr,
                                format!(
                                    "an inline branch of a discriminated union needs a one-value enum (or const) for `{}`",
                                    discriminator.property_name
                                ),
                            ));
                        }
                        RefOr::Schema(inline)
                    }
                };
                let mut variant = type_name(&tags[0], "V");
                if variant == "Unknown" {
                    variant = "UnknownValue".to_owned();
                }
                if variants.iter().any(|v| v.variant == variant) {
                    return Err(Error::spec(
                        &bptr,
                        format!("two union branches become the variant `{variant}`"),
                    ));
                }
                let ty = self.type_for(target, &format!("{ctx}{variant}"), owner, &bptr)?;
                variants.push(TaggedVariant {
                    variant,
                    tags,
                    ty,
                    boxed: false,
                });
            }
            return self.define(
                ctx,
                owner,
                &ptr.parent_or_self(),
                schema,
                Shape::Tagged {
                    property: discriminator.property_name.clone(),
                    variants,
                },
            );
        }
        let mut variants: Vec<UntaggedVariant> = Vec::new();
        let shapes: Vec<Option<&'static str>> = branches.iter().map(branch_shape).collect();
        for (i, branch) in branches.iter().enumerate() {
            let bptr = ptr.push(i.to_string());
            let inline_name = match branch {
                ReferenceOr::Item(s) => {
                    // The shape names the branch (`List`, `Object`) when no sibling shares it.
                    let shape = shapes[i]
                        .filter(|shape| shapes.iter().filter(|s| **s == Some(*shape)).count() == 1);
                    branch_label(s)
                        .or(shape.map(str::to_owned))
                        .map(|t| format!("{ctx}{}", type_name(&t, "Variant")))
                        .unwrap_or_else(|| format!("{ctx}Variant{}", i + 1))
                }
                ReferenceOr::Reference { .. } => String::new(),
            };
            let ty = self.type_for(RefOr::from(branch), &inline_name, owner, &bptr)?;
            let base = match &ty {
                TypeRef::Named(n) => n
                    .strip_prefix(ctx)
                    .filter(|s| !s.is_empty())
                    .unwrap_or(n)
                    .to_owned(),
                TypeRef::String => "String".into(),
                TypeRef::Bool => "Bool".into(),
                TypeRef::I32 | TypeRef::I64 => "Integer".into(),
                TypeRef::F32 | TypeRef::F64 => "Number".into(),
                TypeRef::Json => "Json".into(),
                TypeRef::Vec(inner) => match inner.as_ref() {
                    TypeRef::Named(n) => format!("{n}List"),
                    TypeRef::String => "StringList".into(),
                    _ => "List".into(),
                },
                TypeRef::Map(_) => "Map".into(),
                TypeRef::Bytes => "Bytes".into(),
                TypeRef::Upload => "Upload".into(),
            };
            let mut variant = base.clone();
            let mut n = 2;
            while variant == "Unknown" || variants.iter().any(|v| v.variant == variant) {
                variant = format!("{base}{n}");
                n += 1;
            }
            variants.push(UntaggedVariant {
                variant,
                ty,
                boxed: false,
            });
        }
        self.define(
            ctx,
            owner,
            &ptr.parent_or_self(),
            schema,
            Shape::Untagged { variants },
        )
    }

    /// The one-value enum (const) a branch gives its discriminator property, if any.
    fn tag_values(&self, schema: &'a Schema, property: &str, ptr: &Pointer) -> Result<Vec<String>> {
        let mut parts = ObjectParts::default();
        if self.collect_object(schema, ptr, &mut parts, 0).is_err() {
            return Ok(Vec::new());
        }
        let Some((_, prop, pptr)) = parts.props.iter().find(|(n, _, _)| n == property) else {
            return Ok(Vec::new());
        };
        let prop_schema = match prop {
            RefOr::Ref(r) => self.resolve(r, pptr)?.0,
            RefOr::Schema(s) => s,
        };
        Ok(match &prop_schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => s.enumeration.iter().flatten().cloned().collect(),
            _ => Vec::new(),
        })
    }
}

/// The type name an inline schema asks for with our extension `x-rust-name`, if any.
pub fn rust_name_of(schema: RefOr<'_>) -> Option<String> {
    match schema {
        RefOr::Schema(s) => s
            .schema_data
            .extensions
            .get("x-rust-name")
            .and_then(|v| v.as_str())
            .map(|n| type_name(n, "Type")),
        RefOr::Ref(_) => None,
    }
}

/// The name an inline union branch gives itself: `x-rust-name`, else its `title`, else the
/// value of a one-value enum (the branch itself, or its `type`/`kind` property).
fn branch_label(schema: &Schema) -> Option<String> {
    if let Some(name) = schema
        .schema_data
        .extensions
        .get("x-rust-name")
        .and_then(|v| v.as_str())
    {
        return Some(name.to_owned());
    }
    if let Some(title) = &schema.schema_data.title {
        return Some(title.clone());
    }
    let constant = |schema: &Schema| match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) if string.enumeration.len() == 1 => {
            string.enumeration[0].clone()
        }
        _ => None,
    };
    if let Some(value) = constant(schema) {
        return Some(value);
    }
    let properties = match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => &object.properties,
        SchemaKind::Any(any) => &any.properties,
        // A branch that extends a named schema is named after it (or after a member's tag).
        SchemaKind::AllOf { all_of } => {
            return all_of
                .iter()
                .find_map(|member| match member {
                    ReferenceOr::Reference { reference } => {
                        reference.rsplit('/').next().map(str::to_owned)
                    }
                    ReferenceOr::Item(_) => None,
                })
                .or_else(|| {
                    all_of.iter().find_map(|member| match member {
                        ReferenceOr::Item(member) => branch_label(member),
                        ReferenceOr::Reference { .. } => None,
                    })
                });
        }
        _ => return None,
    };
    ["type", "kind"]
        .iter()
        .find_map(|key| match properties.get(*key) {
            Some(ReferenceOr::Item(property)) => constant(property),
            _ => None,
        })
}

/// The kind of value an inline branch holds, to name it when nothing else does.
fn branch_shape(branch: &ReferenceOr<Schema>) -> Option<&'static str> {
    match branch {
        ReferenceOr::Item(schema) => match &schema.schema_kind {
            SchemaKind::Type(Type::Array(_)) => Some("List"),
            SchemaKind::Type(Type::Object(_)) => Some("Object"),
            SchemaKind::Any(any) if any.items.is_some() => Some("List"),
            SchemaKind::Any(any) if !any.properties.is_empty() => Some("Object"),
            _ => None,
        },
        ReferenceOr::Reference { .. } => None,
    }
}

/// "Allowed values: ..." for an enum the Rust type does not carry (numbers, booleans, mixed).
fn enum_note(schema: &Schema) -> Option<String> {
    let values: Vec<String> = match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(t)) => t
            .enumeration
            .iter()
            .flatten()
            .map(ToString::to_string)
            .collect(),
        SchemaKind::Type(Type::Number(t)) => t
            .enumeration
            .iter()
            .flatten()
            .map(ToString::to_string)
            .collect(),
        SchemaKind::Type(Type::Boolean(t)) => t
            .enumeration
            .iter()
            .flatten()
            .map(ToString::to_string)
            .collect(),
        SchemaKind::Any(any) => any
            .enumeration
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    if values.is_empty() {
        return None;
    }
    let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    Some(format!("Allowed values: {}.", list.join(", ")))
}

/// A description with an enum note appended.
fn with_note(doc: Option<String>, schema: &Schema) -> Option<String> {
    match (doc, enum_note(schema)) {
        (Some(doc), Some(note)) => Some(format!("{}\n\n{note}", doc.trim_end())),
        (doc, note) => doc.or(note),
    }
}

/// Whether an `allOf` member says anything about the value's shape (not just docs or bounds).
fn carries_shape(member: &ReferenceOr<Schema>) -> bool {
    match member {
        ReferenceOr::Reference { .. } => true,
        ReferenceOr::Item(schema) => match &schema.schema_kind {
            SchemaKind::Any(any) => {
                any.typ.is_some()
                    || !any.properties.is_empty()
                    || any.additional_properties.is_some()
                    || any.items.is_some()
                    || !any.enumeration.is_empty()
                    || !any.one_of.is_empty()
                    || !any.any_of.is_empty()
                    || !any.all_of.is_empty()
                    || any.not.is_some()
            }
            _ => true,
        },
    }
}

/// Standard names the generated code uses unqualified; a type may not shadow them.
const STD_NAMES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "From",
    "Into",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "ToString",
    "ToOwned",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Drop",
    "AsRef",
];

fn check_not_std(name: &str, ptr: &Pointer) -> Result<()> {
    if STD_NAMES.contains(&name) {
        return Err(Error::spec(
            ptr,
            format!(
                "the Rust type name `{name}` would shadow the standard `{name}`; rename the schema"
            ),
        ));
    }
    Ok(())
}

impl Pointer {
    /// The pointer without its last segment (the schema that owns a `oneOf` list).
    pub fn parent_or_self(&self) -> Pointer {
        match self.as_str().rfind('/') {
            Some(i) if i > 0 => Pointer::from_ref(&self.as_str()[..i]),
            _ => self.clone(),
        }
    }
}

/// Whether a property holds a secret: `writeOnly`, `format: password` or `x-sensitive: true`.
fn is_sensitive(schema: &Schema) -> bool {
    let password = matches!(
        &schema.schema_kind,
        openapiv3::SchemaKind::Type(openapiv3::Type::String(string))
            if matches!(&string.format, openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Password))
    );
    schema.schema_data.write_only
        || password
        || schema
            .schema_data
            .extensions
            .get("x-sensitive")
            .and_then(serde_json::Value::as_bool)
            == Some(true)
}
