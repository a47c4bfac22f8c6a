//! Emits the crate around the types and operations: manifest, `lib.rs`, module files and the
//! runtime support files, which are kept as ordinary Rust sources in `codegen/runtime/`.

use super::{doc_lines, render};
use crate::Options;
use crate::error::Result;
use crate::ir::Api;
use crate::names::{ident, module_name};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{BTreeMap, BTreeSet};

/// Runtime modules copied verbatim into `src/`, in the order `lib.rs` declares them.
pub const RUNTIME: &[(&str, &str)] = &[
    ("client", include_str!("../../runtime/client.rs")),
    ("error", include_str!("../../runtime/error.rs")),
    ("nullable", include_str!("../../runtime/nullable.rs")),
    ("options", include_str!("../../runtime/options.rs")),
    ("pagination", include_str!("../../runtime/pagination.rs")),
    ("request", include_str!("../../runtime/request.rs")),
    ("response", include_str!("../../runtime/response.rs")),
    ("sse", include_str!("../../runtime/sse.rs")),
    ("trace", include_str!("../../runtime/trace.rs")),
    ("upload", include_str!("../../runtime/upload.rs")),
    ("download", include_str!("../../runtime/download.rs")),
    ("wait", include_str!("../../runtime/wait.rs")),
    ("__private", include_str!("../../runtime/private.rs")),
];

/// A helper module for a particular API, emitted (as `src/<name>.rs`, `pub mod <name>`) only
/// when the document defines every type it uses, and compiled with the groups that reach them.
pub struct Extra {
    pub name: &'static str,
    pub text: &'static str,
    /// Types the module uses.
    pub needs: &'static [&'static str],
    /// Optional dependencies (`name = "version spec"` manifest lines) only this module uses;
    /// the groups that compile it enable them.
    pub deps: &'static [(&'static str, &'static str)],
}

pub const EXTRAS: &[Extra] = &[
    Extra {
        name: "chat",
        text: include_str!("../../runtime/extras/chat.rs"),
        needs: &[
            "ChatAnnotation",
            "ChatAssistantMessage",
            "ChatAssistantMessageContent",
            "ChatContentImage",
            "ChatContentImageImageUrl",
            "ChatContentItems",
            "ChatContentText",
            "ChatDeveloperMessage",
            "ChatFinishReasonEnum",
            "ChatMessages",
            "ChatStreamChunk",
            "ChatSystemMessage",
            "ChatToolCall",
            "ChatToolCallFunction",
            "ChatToolMessage",
            "ChatUsage",
            "ChatUserMessage",
            "ReasoningDetailUnion",
        ],
        deps: &[],
    },
    Extra {
        name: "oauth",
        text: include_str!("../../runtime/extras/oauth.rs"),
        needs: &["ExchangeAuthCodeRequest", "CodeChallengeMethod"],
        deps: &[
            (
                "base64",
                r#"{ version = "0.22", optional = true, default-features = false, features = ["alloc"] }"#,
            ),
            (
                "getrandom",
                r#"{ version = "0.3", optional = true, features = ["std"] }"#,
            ),
            (
                "sha2",
                r#"{ version = "0.10", optional = true, default-features = false }"#,
            ),
        ],
    },
];

/// The extras whose types the document defines (and an operation reaches).
pub fn extras(api: &Api) -> Vec<&'static Extra> {
    EXTRAS
        .iter()
        .filter(|e| e.needs.iter().all(|n| api.types.contains_key(*n)))
        .collect()
}

/// The group sets of the types an extra needs, and the groups common to all of them.
fn needs_groups<'a>(api: &'a Api, needs: &[&str]) -> (Vec<&'a BTreeSet<String>>, Vec<&'a String>) {
    let sets: Vec<&BTreeSet<String>> = needs
        .iter()
        .filter_map(|n| api.types.get(*n))
        .map(|d| &d.groups)
        .collect();
    let common = match sets.first() {
        Some(first) => first
            .iter()
            .filter(|g| sets.iter().all(|s| s.contains(*g)))
            .collect(),
        None => Vec::new(),
    };
    (sets, common)
}

/// The groups that compile an extra: those reaching every type it needs (or, when no group
/// reaches them all, each group reaching one of them).
fn extra_groups<'a>(api: &'a Api, extra: &Extra) -> BTreeSet<&'a String> {
    let (sets, common) = needs_groups(api, extra.needs);
    if common.is_empty() {
        sets.iter().flat_map(|s| s.iter()).collect()
    } else {
        common.into_iter().collect()
    }
}

/// Runtime modules compiled only with a runtime-part feature.
const GATED_RUNTIME: &[(&str, &str)] = &[
    ("sse", "__sse"),
    ("pagination", "__pagination"),
    ("upload", "__multipart"),
    ("download", "__download"),
    ("wait", "__wait"),
];

/// The generated crate's manifest.
pub fn manifest(options: &Options, api: &Api) -> String {
    let title: String = api
        .title
        .chars()
        .map(|c| {
            if c.is_control() || c == '"' || c == '\\' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let description =
        format!("Typed async client for the {title}, generated from its OpenAPI document");
    format!(
        r#"# @generated by cargo xtask regen from {source}. Do not edit.
[package]
name = "{name}"
version = "{version}"
edition = "2024"
rust-version = "1.85"
description = "{description}"
license = "MIT OR Apache-2.0"
publish = false


[features]
default = ["rustls", "full"]
# TLS through rustls with the `ring` provider (no aws-lc-sys C build).
rustls = ["reqwest/rustls-no-provider", "dep:rustls"]
# TLS through the platform's library (OpenSSL, SChannel, Security.framework).
native-tls = ["reqwest/native-tls"]
# A `tracing` span per call and events for retries and stream ends (never keys or bodies).
tracing = ["dep:tracing"]
# Every type both serializes and deserializes: load requests from JSON, store or forward
# answers. Without it a type has only the direction the client uses (smaller, faster builds).
round-trip = []
{groups}
[dependencies]
bytes = "1"
fastrand = "2"
futures-util = {{ version = "0.3", default-features = false, features = ["std"] }}
httpdate = "1"
reqwest = {{ version = "0.13", default-features = false, features = ["charset", "http2", "multipart", "system-proxy", "stream"] }}
rustls = {{ version = "0.23", optional = true, default-features = false, features = ["ring", "std", "tls12"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
thiserror = "2"
tokio = {{ version = "1", features = ["time"] }}
tracing = {{ version = "0.1", optional = true, default-features = false, features = ["std"] }}
{extra_deps}"#,
        source = options.source,
        name = options.crate_name,
        version = options.crate_version,
        groups = group_features(api),
        extra_deps = extras(api)
            .iter()
            .flat_map(|e| e.deps.iter())
            .map(|(name, spec)| format!("{name} = {spec}\n"))
            .collect::<String>(),
    )
}

/// The `[features]` lines of the API groups: `full`, one feature per group (each enabling the
/// runtime parts its operations use), and those runtime parts.
fn group_features(api: &Api) -> String {
    let quoted = |items: &[&str]| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all: Vec<&str> = api.groups.iter().map(|g| g.feature.as_str()).collect();
    let mut out = format!(
        "# Every API group (on by default). For a smaller build, turn default features off and\n\
         # name the groups you use: `features = [\"rustls\", \"chat\"]`.\nfull = [{}]\n\
         # One feature per API group (tag): its operations, its `Client` accessor and the types it reaches.\n",
        quoted(&all)
    );
    for group in &api.groups {
        let ops = || api.operations.iter().filter(|o| o.group == group.module);
        let mut needs = Vec::new();
        if ops().any(|o| o.streaming.is_some()) {
            needs.push("__sse");
        }
        if ops().any(|o| o.pagination.is_some()) {
            needs.push("__pagination");
        }
        if ops().any(|o| {
            o.body
                .as_ref()
                .is_some_and(|b| b.kind == crate::ir::BodyKind::Multipart)
        }) {
            needs.push("__multipart");
        }
        if ops().any(|o| o.success.kind == crate::ir::BodyKind::Binary) {
            needs.push("__download");
        }
        if ops().any(|o| o.wait.is_some()) {
            needs.push("__wait");
        }
        let deps: Vec<String> = extras(api)
            .iter()
            .filter(|e| extra_groups(api, e).contains(&group.module))
            .flat_map(|e| e.deps.iter().map(|(name, _)| format!("dep:{name}")))
            .collect();
        needs.extend(deps.iter().map(String::as_str));
        out.push_str(&format!("{} = [{}]\n", group.feature, quoted(&needs)));
    }
    out.push_str(
        "# Runtime parts, enabled by the groups that use them.\n__sse = []\n__pagination = []\n\
         __multipart = [\"tokio/fs\"]\n__download = [\"tokio/fs\", \"tokio/io-util\"]\n__wait = []\n",
    );
    out
}

/// The condition under which an extra is compiled: every type it uses is compiled.
fn extra_cfg(api: &Api, needs: &[&str]) -> TokenStream {
    let (sets, common) = needs_groups(api, needs);
    if sets.is_empty() {
        return TokenStream::new();
    }
    if !common.is_empty() {
        return super::cfg_groups(api, common);
    }
    let mut distinct: Vec<&BTreeSet<String>> = Vec::new();
    for set in sets {
        if !distinct.contains(&set) {
            distinct.push(set);
        }
    }
    let conditions = distinct.iter().map(|set| {
        let features = super::features_of(api, set.iter());
        quote! { any(#(feature = #features),*) }
    });
    quote! { #[cfg(all(#(#conditions),*))] }
}

/// `src/lib.rs`: crate docs, modules, flat re-exports.
pub fn lib_rs(options: &Options, api: &Api) -> Result<String> {
    let mut lines = vec![format!(
        " Typed async client for the {}, generated from `{}`.",
        super::doc_inline(&api.title),
        super::doc_inline(&options.source)
    )];
    if let Some(description) = &api.description {
        lines.push(String::new());
        lines.extend(doc_lines(description.trim(), &api.link_origin));
    }
    lines.push(String::new());
    lines.push(
        " Operations are grouped by tag: `client.<group>().<operation>(...)` returns a builder;"
            .into(),
    );
    lines.push(
        " `.send().await` runs it. Types live flat in [`types`]. Each group is a cargo feature"
            .into(),
    );
    lines.push(" (`full`, on by default, enables them all).".into());
    if let Some(example) = &api.example {
        lines.push(String::new());
        lines.extend(super::example_lines(example));
    }
    let runtime: Vec<_> = RUNTIME
        .iter()
        .filter(|(name, _)| *name != "__private")
        .map(|(name, _)| ident(name))
        .collect();
    let base_url = &api.base_url;
    // The runtime serves any document and any set of group features: parts of it may have
    // no caller (no streaming operation, no operations at all, ...).
    let dead_code = quote! { #[allow(dead_code)] };
    let extras: Vec<_> = extras(api).iter().map(|e| ident(e.name)).collect();
    let extra_cfgs: Vec<TokenStream> = self::extras(api)
        .iter()
        .map(|e| extra_cfg(api, e.needs))
        .collect();
    // `request` already allows dead code inside itself.
    let runtime_attrs: Vec<TokenStream> = RUNTIME
        .iter()
        .filter(|(name, _)| *name != "__private")
        .map(|(name, _)| {
            let gate = match GATED_RUNTIME.iter().find(|(module, _)| module == name) {
                Some((_, feature)) => quote! { #[cfg(feature = #feature)] },
                None => TokenStream::new(),
            };
            if *name == "request" {
                gate
            } else {
                quote! { #gate #dead_code }
            }
        })
        .collect();
    let tokens = quote! {
        #( #![doc = #lines] )*
        #![forbid(unsafe_code)]
        #![allow(deprecated)]
        // Names and prose come from the API document: non-ASCII identifiers, list formatting
        // and method names such as `add` or `clone` are the API's, not a mistake here.
        #![allow(confusable_idents, mixed_script_confusables, uncommon_codepoints)]
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items, clippy::should_implement_trait)]
        // A schema may be named like its group (`types::chat::chat`).
        #![allow(clippy::module_inception)]
        // With only some API groups on, parts of the runtime have no caller.
        #![cfg_attr(not(feature = "full"), allow(dead_code, unused_imports))]

        #( #runtime_attrs mod #runtime; )*
        #[doc(hidden)]
        pub mod __private;
        pub mod operations;
        pub mod types;
        #( #extra_cfgs pub mod #extras; )*

        pub use client::{
            Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_STREAM_IDLE_TIMEOUT,
            DEFAULT_TIMEOUT,
        };
        pub use error::{ApiError, ApiErrorKind, Error, ErrorCode, Result, TimeoutPhase};
        pub use nullable::Nullable;
        pub use options::{RequestOptions, RetryPolicy};
        #[cfg(feature = "__pagination")]
        pub use pagination::Paginator;
        pub use response::ResponseValue;
        #[cfg(feature = "__sse")]
        pub use sse::{EventStream, SseDecoder, SseEvent, StreamProtocol};
        #[cfg(feature = "__multipart")]
        pub use upload::Upload;
        #[cfg(feature = "__download")]
        pub use download::ByteStream;
        #[cfg(feature = "__wait")]
        pub use wait::WaitOptions;

        /// The server the document names; `ClientBuilder::base_url` overrides it.
        pub const DEFAULT_BASE_URL: &str = #base_url;
    };
    render(&options.source, "src/lib.rs", tokens)
}

/// A `mod.rs` that declares each child module, compiled under its feature condition, and
/// re-exports its items flat.
fn mod_rs(
    options: &Options,
    file: &str,
    summary: &str,
    modules: &[(String, TokenStream)],
) -> Result<String> {
    let idents: Vec<_> = modules.iter().map(|(m, _)| ident(m)).collect();
    let cfgs: Vec<&TokenStream> = modules.iter().map(|(_, cfg)| cfg).collect();
    let tokens = quote! {
        #![doc = #summary]
        #( #cfgs mod #idents; )*
        #( #cfgs pub use self::#idents::*; )*
    };
    render(&options.source, file, tokens)
}

/// Every file of the crate, keyed by path relative to the crate root.
pub fn files(options: &Options, api: &Api) -> Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    files.insert("Cargo.toml".to_owned(), manifest(options, api));
    files.insert("src/lib.rs".to_owned(), lib_rs(options, api)?);
    for (name, text) in RUNTIME
        .iter()
        .copied()
        .chain(extras(api).iter().map(|e| (e.name, e.text)))
    {
        let file = format!("src/{name}.rs");
        files.insert(file, format!("{}{}", super::header(&options.source), text));
    }

    let owners: Vec<String> = api
        .types
        .values()
        .filter(|d| d.owner == d.name)
        .map(|d| d.name.clone())
        .collect();
    // Types reached by one group live in that group's module, the others in a shared one; all
    // are re-exported flat from `types`, so moving a file never breaks users.
    let shared = if api.groups.iter().any(|g| g.module == "shared") {
        "shared_types"
    } else {
        "shared"
    };
    let mut by_module: BTreeMap<String, Vec<(String, TokenStream)>> = BTreeMap::new();
    for owner in &owners {
        let groups = &api.types[owner].groups;
        let parent = match groups.iter().next() {
            Some(group) if groups.len() == 1 => group.clone(),
            _ => shared.to_owned(),
        };
        let module = module_name(owner);
        let file = format!("src/types/{parent}/{module}.rs");
        let tokens = super::types::file_tokens(api, owner)?;
        files.insert(file.clone(), render(&options.source, &file, tokens)?);
        // In the shared module each file is compiled when any group that reaches it is on.
        let cfg = if parent == shared {
            super::cfg_groups(api, groups)
        } else {
            TokenStream::new()
        };
        by_module.entry(parent).or_default().push((module, cfg));
    }
    let mut type_modules = Vec::new();
    for (parent, modules) in &by_module {
        let file = format!("src/types/{parent}/mod.rs");
        let summary = match api.groups.iter().find(|g| &g.module == parent) {
            Some(group) => format!(
                " Types only the `{}` group reaches (feature `{}`).",
                super::doc_inline(&group.tag),
                group.feature
            ),
            None => {
                " Types several groups reach; each is compiled when any of them is on.".to_owned()
            }
        };
        files.insert(file.clone(), mod_rs(options, &file, &summary, modules)?);
        let cfg = match api.groups.iter().find(|g| &g.module == parent) {
            Some(group) => super::cfg_groups(api, [&group.module]),
            None => TokenStream::new(),
        };
        type_modules.push((parent.clone(), cfg));
    }
    files.insert(
        "src/types/mod.rs".to_owned(),
        mod_rs(
            options,
            "src/types/mod.rs",
            " Request and response types by API group (shared ones apart), one file per schema, re-exported flat.",
            &type_modules,
        )?,
    );

    let mut op_modules = Vec::new();
    for group in &api.groups {
        let file = format!("src/operations/{}.rs", group.module);
        let tokens = super::operations::file_tokens(api, group);
        files.insert(file.clone(), render(&options.source, &file, tokens)?);
        op_modules.push((
            group.module.clone(),
            super::cfg_groups(api, [&group.module]),
        ));
    }
    files.insert(
        "src/operations/mod.rs".to_owned(),
        mod_rs(
            options,
            "src/operations/mod.rs",
            " Tag groups and their request builders, one module per tag.",
            &op_modules,
        )?,
    );
    Ok(files)
}
