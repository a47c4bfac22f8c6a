//! Emits one file per root schema: structs with constructors and setters, open enums, unions.

use super::{Scope, doc, ty};
use crate::error::Result;
use crate::ir::{
    Api, Field, MAX_NEW_ARGS, Shape, Storage, TaggedVariant, TypeDef, TypeRef, UntaggedVariant,
};
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// The tokens of every type whose file is owned by `owner`.
pub fn file_tokens(api: &Api, owner: &str) -> Result<TokenStream> {
    let root = &api.types[owner];
    let summary = match &root.shape {
        Shape::Struct { .. } => format!(" The `{owner}` object"),
        Shape::Enum { .. } => format!(" The `{owner}` enumeration"),
        Shape::Tagged { .. } | Shape::Untagged { .. } => format!(" The `{owner}` union"),
        Shape::Alias(_) => format!(" The `{owner}` type"),
    };
    let children = api
        .types
        .values()
        .filter(|d| d.owner == owner && d.name != owner);
    let has_children = api
        .types
        .values()
        .any(|d| d.owner == owner && d.name != owner);
    let summary = if has_children {
        format!("{summary} and the types nested in it.")
    } else {
        format!("{summary}.")
    };
    let mut items = vec![type_tokens(api, root)];
    let mut defined = BTreeSet::from([owner.to_owned()]);
    let mut used: BTreeSet<String> = crate::children(&root.shape).into_iter().collect();
    for child in children {
        items.push(type_tokens(api, child));
        defined.insert(child.name.clone());
        used.extend(crate::children(&child.shape));
    }
    // Explicit imports of the types of other files this one uses.
    let imports: Vec<_> = used.difference(&defined).map(|name| ident(name)).collect();
    let imports = if imports.is_empty() {
        TokenStream::new()
    } else {
        quote! { use crate::types::{#(#imports),*}; }
    };
    Ok(quote! {
        #![doc = #summary]
        #imports
        #(#items)*
    })
}

fn type_tokens(api: &Api, def: &TypeDef) -> TokenStream {
    let mut docs = doc(def.doc.as_deref(), &api.link_origin);
    if def.deprecated {
        docs.extend(quote! { #[deprecated] });
    }
    match &def.shape {
        Shape::Struct { fields, additional } => {
            struct_tokens(api, def, docs, fields, additional.as_ref())
        }
        // A one-value enum (a `const`: an `object` or `type` tag) is a string newtype: a new
        // value from the server must not break decoding, and a newtype with derived
        // transparent serde compiles in a fraction of an open enum's impls (measured: the full
        // unit 15% faster, see docs/design.md). Its one value is its default and `VALUE`.
        Shape::Enum { values } if values.len() == 1 => {
            let name = ident(&def.name);
            let wire = &values[0].wire;
            let separator = if docs.is_empty() {
                TokenStream::new()
            } else {
                quote! { #[doc = ""] }
            };
            let value_doc = format!(
                " `{}` (the default); an answer carrying another value keeps it.",
                super::doc_inline(wire)
            );
            let serde_derives = serde_derives(def);
            quote! {
                #docs
                #separator
                #[doc = #value_doc]
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                #serde_derives
                #[serde(transparent)]
                pub struct #name(String);
                impl #name {
                    /// The documented value.
                    pub const VALUE: &'static str = #wire;
                    /// The value as sent over the wire.
                    pub fn as_str(&self) -> &str {
                        &self.0
                    }
                }
                impl Default for #name {
                    fn default() -> Self {
                        Self(Self::VALUE.to_owned())
                    }
                }
                impl std::fmt::Display for #name {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(&self.0)
                    }
                }
            }
        }
        Shape::Enum { values } => {
            let name = ident(&def.name);
            let variants: Vec<_> = values.iter().map(|v| ident(&v.variant)).collect();
            let wires: Vec<_> = values.iter().map(|v| v.wire.as_str()).collect();
            let docs_v: Vec<String> = wires
                .iter()
                .map(|w| format!(" `{}`", super::doc_inline(w)))
                .collect();
            let separator = if docs.is_empty() {
                TokenStream::new()
            } else {
                quote! { #[doc = ""] }
            };
            let (ser_gate, de_gate) = (serde_gate(def.sent), serde_gate(def.received));
            quote! {
                #docs
                #separator
                /// Open enumeration: values this version does not know decode into `Unknown`.
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                pub enum #name {
                    #( #[doc = #docs_v] #variants, )*
                    /// A value this version of the crate does not know, kept as sent.
                    Unknown(String),
                }
                impl #name {
                    /// The value as sent over the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #( Self::#variants => #wires, )*
                            Self::Unknown(value) => value,
                        }
                    }
                }
                impl From<&str> for #name {
                    fn from(value: &str) -> Self {
                        match value {
                            #( #wires => Self::#variants, )*
                            other => Self::Unknown(other.to_owned()),
                        }
                    }
                }
                impl std::str::FromStr for #name {
                    type Err = std::convert::Infallible;
                    fn from_str(value: &str) -> Result<Self, Self::Err> {
                        Ok(Self::from(value))
                    }
                }
                impl std::fmt::Display for #name {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }
                #ser_gate
                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        serializer.serialize_str(self.as_str())
                    }
                }
                #de_gate
                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        let value = <String as serde::Deserialize>::deserialize(deserializer)?;
                        Ok(Self::from(value.as_str()))
                    }
                }
            }
        }
        Shape::Tagged { property, variants } => tagged_tokens(def, docs, property, variants),
        Shape::Untagged { variants } => untagged_tokens(def, docs, variants),
        Shape::Alias(target) => {
            let name = ident(&def.name);
            let target = ty(target, Scope::Types);
            quote! {
                #docs
                pub type #name = #target;
            }
        }
    }
}

/// The serde derives a type needs: `Serialize` when the client sends it, `Deserialize` when it
/// receives it. The other direction is compiled only with the crate's `round-trip` feature
/// (loading requests from JSON, storing answers): derived serde code is most of a type's
/// compile time.
fn serde_derives(def: &TypeDef) -> TokenStream {
    let de = if def.received {
        quote! { #[derive(serde::Deserialize)] }
    } else {
        quote! { #[cfg_attr(feature = "round-trip", derive(serde::Deserialize))] }
    };
    let ser = serialize_derive(def);
    quote! { #ser #de }
}

fn serialize_derive(def: &TypeDef) -> TokenStream {
    if def.sent {
        quote! { #[derive(serde::Serialize)] }
    } else {
        quote! { #[cfg_attr(feature = "round-trip", derive(serde::Serialize))] }
    }
}

/// The condition on a hand-written serde impl of one direction: none when the client uses
/// that direction, else the `round-trip` feature.
fn serde_gate(needed: bool) -> TokenStream {
    if needed {
        TokenStream::new()
    } else {
        quote! { #[cfg(feature = "round-trip")] }
    }
}

fn default_doc(field: &Field) -> Option<String> {
    field
        .default
        .as_ref()
        .map(|v| format!(" Server default: `{v}`."))
}

fn struct_tokens(
    api: &Api,
    def: &TypeDef,
    docs: TokenStream,
    fields: &[Field],
    additional: Option<&TypeRef>,
) -> TokenStream {
    let name = ident(&def.name);
    let mut field_defs = Vec::new();
    let mut setters = Vec::new();
    let mut new_args = Vec::new();
    let mut new_inits = Vec::new();
    let mut macro_fields = Vec::new();
    let derived_serialize = additional.is_some() || def.sent;
    for field in fields {
        let fname = ident(&field.rust_name);
        let wire = &field.wire_name;
        let mut inner = ty(&field.ty, Scope::Types);
        if field.boxed {
            inner = quote! { Box<#inner> };
        }
        let mut fdoc = doc(field.doc.as_deref(), &api.link_origin);
        if let Some(d) = default_doc(field) {
            if !fdoc.is_empty() {
                fdoc.extend(quote! { #[doc = ""] });
            }
            fdoc.extend(quote! { #[doc = #d] });
        }
        if field.deprecated {
            fdoc.extend(quote! { #[deprecated] });
        }
        let rename = if field.rust_name.trim_start_matches("r#") != wire.as_str() {
            quote! { #[serde(rename = #wire)] }
        } else {
            TokenStream::new()
        };
        let setter_doc = format!(
            " Sets the `{}` field.",
            field.rust_name.trim_start_matches("r#")
        );
        let setter_deprecated = if field.deprecated {
            quote! { #[deprecated] }
        } else {
            TokenStream::new()
        };
        let (field_ty, serde_attr, setter) = match field.storage {
            Storage::Plain => (
                inner.clone(),
                TokenStream::new(),
                quote! {
                    #[doc = #setter_doc]
                    #setter_deprecated
                    pub fn #fname(mut self, value: impl Into<#inner>) -> Self {
                        self.#fname = value.into();
                        self
                    }
                },
            ),
            Storage::Optional if field.required => (
                quote! { Option<#inner> },
                TokenStream::new(),
                quote! {
                    #[doc = #setter_doc]
                    #setter_deprecated
                    pub fn #fname(mut self, value: Option<#inner>) -> Self {
                        self.#fname = value;
                        self
                    }
                },
            ),
            Storage::Optional => (
                quote! { Option<#inner> },
                quote! { #[serde(default, skip_serializing_if = "Option::is_none")] },
                quote! {
                    #[doc = #setter_doc]
                    #setter_deprecated
                    pub fn #fname(mut self, value: impl Into<#inner>) -> Self {
                        self.#fname = Some(value.into());
                        self
                    }
                },
            ),
            Storage::ThreeState => {
                let setter_doc = format!(
                    " Sets the `{}` field: `Some(value)` sends the value, `None` sends an explicit `null`.",
                    field.rust_name.trim_start_matches("r#")
                );
                (
                    quote! { crate::Nullable<#inner> },
                    quote! { #[serde(default, skip_serializing_if = "crate::Nullable::is_absent")] },
                    quote! {
                        #[doc = #setter_doc]
                        #setter_deprecated
                        pub fn #fname(mut self, value: Option<#inner>) -> Self {
                            self.#fname = value.into();
                            self
                        }
                    },
                )
            }
        };
        // The serde attributes serve a derived `Serialize`: a type the client only receives gets
        // both directions from `serde_struct!`, which needs none.
        let serde_attrs = if derived_serialize {
            quote! { #rename #serde_attr }
        } else {
            TokenStream::new()
        };
        field_defs.push(quote! {
            #fdoc
            #serde_attrs
            pub #fname: #field_ty,
        });
        let kind = if field.storage == Storage::Plain {
            ident("req")
        } else {
            ident("opt")
        };
        macro_fields.push(quote! { #fname #wire #kind });
        setters.push(setter);
        match field.storage {
            // A required one-value enum (a `type`/`role` tag) has only one possible value.
            Storage::Plain if crate::ir::is_constant(&api.types, &field.ty) => {
                new_inits.push(quote! { #fname: Default::default() });
            }
            Storage::Plain => {
                new_args.push((field.required_rank, quote! { #fname: impl Into<#inner> }));
                new_inits.push(quote! { #fname: #fname.into() });
            }
            Storage::Optional if field.required => {
                new_args.push((field.required_rank, quote! { #fname: Option<#inner> }));
                new_inits.push(quote! { #fname });
            }
            _ => new_inits.push(quote! { #fname: Default::default() }),
        }
    }
    if let Some(extra) = additional {
        let extra = ty(extra, Scope::Types);
        field_defs.push(quote! {
            /// Properties beyond the documented ones, kept as sent.
            #[serde(flatten)]
            pub additional_properties: std::collections::BTreeMap<String, #extra>,
        });
        new_inits.push(quote! { additional_properties: Default::default() });
    }
    // `new()` takes the required fields in the order of the schema's `required` list, which
    // OpenAPI documents keep stable even when they reorder properties.
    new_args.sort_by_key(|(rank, _)| *rank);
    let new_args: Vec<TokenStream> = new_args.into_iter().map(|(_, arg)| arg).collect();
    let all_optional = new_args.is_empty();
    // More than three required fields make a positional constructor easy to misuse: such a
    // type has none, and always deserializes, so it is built from JSON or taken from an answer.
    let positional = crate::ir::constructor_arity(&api.types, def) <= MAX_NEW_ARGS;
    // Objects with extra properties keep serde's derive (`flatten`); the others read objects with
    // `deserialize_struct!`, a fraction of the derive's code.
    let (serde_derives, serde_impls) = if additional.is_some() {
        (serde_derives(def), TokenStream::new())
    } else if def.sent {
        let gate = serde_gate(def.received);
        (
            serialize_derive(def),
            quote! { #gate crate::__private::deserialize_struct!(#name, [#(#macro_fields),*]); },
        )
    } else {
        (
            TokenStream::new(),
            quote! { crate::__private::serde_struct!(#name, [#(#macro_fields),*]); },
        )
    };
    let docs = if positional {
        docs
    } else {
        let note = format!(
            " It has more than {MAX_NEW_ARGS} required fields, so no positional `new`: build it from JSON \
             (`serde_json::from_value`) or take it from an answer, then change it with the setters."
        );
        let separator = if docs.is_empty() {
            TokenStream::new()
        } else {
            quote! { #[doc = ""] }
        };
        quote! { #docs #separator #[doc = #note] }
    };
    let derive_default = if all_optional {
        quote! { Default, }
    } else {
        TokenStream::new()
    };
    let new_body = if all_optional {
        quote! { <Self as Default>::default() }
    } else {
        quote! { Self { #(#new_inits),* } }
    };
    let new_doc = if all_optional {
        format!(" An empty `{}`; fill it in with the setters.", def.name)
    } else {
        format!(
            " {} `{}` from its required fields; the optional ones start empty.",
            article(&def.name),
            def.name
        )
    };
    let multipart = def.multipart.then(|| {
        let pushes = fields.iter().map(|field| {
            let fname = ident(&field.rust_name);
            let wire = &field.wire_name;
            match (&field.ty, field.storage) {
                (TypeRef::Upload, Storage::Plain) => quote! {
                    crate::__private::push_file(&mut parts, #wire, Some(&self.#fname));
                },
                (TypeRef::Upload, _) => quote! {
                    crate::__private::push_file(&mut parts, #wire, self.#fname.as_ref());
                },
                _ => quote! { crate::__private::push_text(&mut parts, #wire, &self.#fname); },
            }
        });
        quote! {
            impl crate::__private::MultipartBody for #name {
                fn parts(&self) -> Vec<(&'static str, crate::__private::PartValue)> {
                    let mut parts = Vec::new();
                    #(#pushes)*
                    parts
                }
            }
        }
    });
    // Types the client only receives get no constructor or setters: users read them (and
    // tests build them from JSON).
    let constructors = if def.sent {
        let new = if positional {
            quote! {
                #[doc = #new_doc]
                pub fn new(#(#new_args),*) -> Self {
                    #new_body
                }
            }
        } else {
            TokenStream::new()
        };
        quote! {
            impl #name {
                #new
                #(#setters)*
            }
        }
    } else {
        TokenStream::new()
    };
    // A struct holding a secret prints `<redacted>` for it.
    let (debug_derive, debug_impl) = if fields.iter().any(|f| f.sensitive) {
        let shown = fields.iter().map(|f| {
            let fname = ident(&f.rust_name);
            let label = f.rust_name.trim_start_matches("r#");
            if f.sensitive {
                quote! { .field(#label, &"<redacted>") }
            } else {
                quote! { .field(#label, &self.#fname) }
            }
        });
        let extra = additional
            .map(|_| quote! { .field("additional_properties", &self.additional_properties) });
        let type_label = def.name.as_str();
        (
            TokenStream::new(),
            quote! {
                impl std::fmt::Debug for #name {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.debug_struct(#type_label) #(#shown)* #extra .finish()
                    }
                }
            },
        )
    } else {
        (quote! { Debug, }, TokenStream::new())
    };
    quote! {
        #docs
        #[derive(#debug_derive Clone, PartialEq, #derive_default)]
        #serde_derives
        #[non_exhaustive]
        pub struct #name {
            #(#field_defs)*
        }
        #serde_impls
        #debug_impl
        #constructors
        #multipart
    }
}

/// `From<Inner>` conversions for union variants whose inner types are all distinct.
fn from_impls<'a>(
    name: &proc_macro2::Ident,
    variants: impl Iterator<Item = (&'a str, &'a TypeRef)> + Clone,
) -> TokenStream {
    let types: Vec<String> = variants.clone().map(|(_, t)| t.display()).collect();
    let distinct: BTreeSet<&String> = types.iter().collect();
    if distinct.len() != types.len() {
        return TokenStream::new();
    }
    let impls = variants
        .filter(|(_, t)| !matches!(t, TypeRef::Json))
        .map(|(variant, t)| {
            let v = ident(variant);
            let inner = ty(t, Scope::Types);
            quote! {
                impl From<#inner> for #name {
                    fn from(value: #inner) -> Self {
                        Self::#v(value)
                    }
                }
            }
        });
    quote! { #(#impls)* }
}

fn tagged_tokens(
    def: &TypeDef,
    docs: TokenStream,
    property: &str,
    variants: &[TaggedVariant],
) -> TokenStream {
    let name = ident(&def.name);
    let mut defs = Vec::new();
    let mut ser = Vec::new();
    let mut de = Vec::new();
    for v in variants {
        let vid = ident(&v.variant);
        let mut inner = ty(&v.ty, Scope::Types);
        let boxed = v.boxed;
        if boxed {
            inner = quote! { Box<#inner> };
        }
        let vdoc = super::doc_inline(&format!(" `{property}: {}`", v.tags.join("` or `")));
        let tag = &v.tags[0];
        let tags = &v.tags;
        defs.push(quote! { #[doc = #vdoc] #vid(#inner), });
        ser.push(quote! { Self::#vid(value) => crate::__private::serialize_tagged(value, #property, #tag, serializer), });
        de.push(
            quote! { Some(#(#tags)|*) => crate::__private::from_value(value).map(Self::#vid), },
        );
    }
    let froms = from_impls(
        &name,
        variants
            .iter()
            .filter(|v| !v.boxed)
            .map(|v| (v.variant.as_str(), &v.ty)),
    );
    let unknown_doc = super::doc_inline(&format!(
        " A `{property}` this version of the crate does not know; the raw JSON is kept."
    ));
    let (ser_gate, de_gate) = (serde_gate(def.sent), serde_gate(def.received));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#defs)*
            #[doc = #unknown_doc]
            Unknown(serde_json::Value),
        }
        #ser_gate
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#ser)*
                    Self::Unknown(value) => serde::Serialize::serialize(value, serializer),
                }
            }
        }
        #de_gate
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                let tag = crate::__private::tag_of(&value, #property);
                match tag.as_deref() {
                    #(#de)*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }
        #froms
    }
}

fn untagged_tokens(def: &TypeDef, docs: TokenStream, variants: &[UntaggedVariant]) -> TokenStream {
    let name = ident(&def.name);
    let serde_derives = serde_derives(def);
    let has_json = variants.iter().any(|v| v.ty == TypeRef::Json);
    let defs = variants.iter().map(|v| {
        let vid = ident(&v.variant);
        let mut inner = ty(&v.ty, Scope::Types);
        if v.boxed {
            inner = quote! { Box<#inner> };
        }
        quote! { #vid(#inner), }
    });
    let unknown = if has_json {
        TokenStream::new()
    } else {
        quote! {
            /// A shape this version of the crate does not know; the raw JSON is kept.
            Unknown(serde_json::Value),
        }
    };
    let mut froms = from_impls(
        &name,
        variants
            .iter()
            .filter(|v| !v.boxed)
            .map(|v| (v.variant.as_str(), &v.ty)),
    );
    let strings: Vec<&UntaggedVariant> = variants
        .iter()
        .filter(|v| v.ty == TypeRef::String)
        .collect();
    if let [only] = strings.as_slice() {
        let vid = ident(&only.variant);
        froms.extend(quote! {
            impl From<&str> for #name {
                fn from(value: &str) -> Self {
                    Self::#vid(value.to_owned())
                }
            }
        });
    }
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #serde_derives
        #[serde(untagged)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#defs)*
            #unknown
        }
        #froms
    }
}

/// "A" or "An" before a name.
fn article(name: &str) -> &'static str {
    if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "An"
    } else {
        "A"
    }
}
