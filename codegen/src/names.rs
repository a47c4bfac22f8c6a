//! Turns spec names into Rust identifiers: case conversion, keywords, digits and empty names.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Words that cannot be used as identifiers without the `r#` prefix.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot even be raw identifiers.
const RESERVED: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Keeps only characters that can appear in an identifier, turning the rest into word breaks.
fn clean(name: &str) -> String {
    name.chars()
        .map(|c| {
            if unicode_ident::is_xid_continue(c) && c != '_' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// Prefixes `prefix` when the name cannot start an identifier (a digit of any script, `²`).
fn start_ident(mut name: String, prefix: &str) -> String {
    if name
        .chars()
        .next()
        .is_some_and(|c| !unicode_ident::is_xid_start(c))
    {
        name.insert_str(0, prefix);
    }
    name
}

/// `PascalCase` type or variant name; `fallback` is used when nothing usable is left.
pub fn type_name(name: &str, fallback: &str) -> String {
    let mut out = clean(name).to_upper_camel_case();
    out.retain(unicode_ident::is_xid_continue);
    if out.is_empty() {
        out = fallback.to_owned();
    }
    let mut out = start_ident(out, &fallback.chars().next().unwrap_or('T').to_string());
    if RESERVED.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// `snake_case` field, parameter or method name (without any `r#`).
pub fn field_name(name: &str) -> String {
    let mut out = clean(name).to_snake_case();
    out.retain(unicode_ident::is_xid_continue);
    if out.is_empty() {
        out = "value".to_owned();
    }
    let mut out = start_ident(out, "n_");
    if RESERVED.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// An identifier token, raw (`r#type`) where the name is a keyword.
pub fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// Module names the generated code must not shadow: the crates it uses and its own modules.
const TAKEN_MODULES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "serde",
    "serde_json",
    "bytes",
    "reqwest",
    "futures_util",
    "tokio",
    "thiserror",
    "fastrand",
    "rustls",
    "types",
    "operations",
];

/// Whether a name is a keyword (callers that avoid raw identifiers append `_`).
pub fn ident_needs_suffix(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// A module/file name for a type or tag: ASCII `snake_case` (non-ASCII letters become
/// `u<hex>`), never a keyword, a crate the code uses, or its parent module's name.
pub fn module_name(name: &str) -> String {
    let snake = field_name(name);
    let mut out = String::with_capacity(snake.len());
    for c in snake.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push_str(&format!("u{:x}_", c as u32));
        }
    }
    let mut out = out.trim_end_matches('_').to_owned();
    if out.is_empty() {
        out = "module".to_owned();
    }
    if KEYWORDS.contains(&out.as_str())
        || TAKEN_MODULES.contains(&out.as_str())
        || RESERVED.contains(&out.as_str())
    {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_names() {
        assert_eq!(type_name("APIKey", "T"), "ApiKey");
        assert_eq!(type_name("byok_key", "T"), "ByokKey");
        assert_eq!(type_name("1h", "V"), "V1h");
        assert_eq!(type_name("", "Empty"), "Empty");
        assert_eq!(
            type_name("openrouter:web_search", "V"),
            "OpenrouterWebSearch"
        );
        assert_eq!(field_name("includeByokInLimit"), "include_byok_in_limit");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("2fa"), "n_2fa");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(module_name("type"), "type_");
        assert_eq!(module_name("Serde"), "serde_");
        assert_eq!(module_name("名前"), "u540d_u524d");
        assert_eq!(
            type_name("x²", "T"),
            "X²"
                .chars()
                .filter(|c| unicode_ident::is_xid_continue(*c))
                .collect::<String>()
                .replace('²', "")
        );
        assert_eq!(field_name("٣"), "n_٣");
    }
}
