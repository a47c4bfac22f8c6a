//! Turns spec names into Rust identifiers: case conversion, keywords, digits and empty names.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Words that cannot be used as identifiers without the `r#` prefix.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do",
    "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in",
    "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "static", "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe",
    "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot even be raw identifiers.
const RESERVED: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Keeps only characters that can appear in an identifier, turning the rest into word breaks.
fn clean(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect()
}

/// `PascalCase` type or variant name; `fallback` is used when nothing usable is left.
pub fn type_name(name: &str, fallback: &str) -> String {
    let mut out = clean(name).to_upper_camel_case();
    out.retain(|c| c.is_alphanumeric() || c == '_');
    if out.is_empty() {
        out = fallback.to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, fallback.chars().next().unwrap_or('T'));
    }
    if RESERVED.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// `snake_case` field, parameter or method name (without any `r#`).
pub fn field_name(name: &str) -> String {
    let mut out = clean(name).to_snake_case();
    out.retain(|c| c.is_alphanumeric() || c == '_');
    if out.is_empty() {
        out = "value".to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "n_");
    }
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

/// A module/file name for a type or tag: `snake_case`, never a keyword.
pub fn module_name(name: &str) -> String {
    let mut out = field_name(name);
    if KEYWORDS.contains(&out.as_str()) {
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
        assert_eq!(type_name("openrouter:web_search", "V"), "OpenrouterWebSearch");
        assert_eq!(field_name("includeByokInLimit"), "include_byok_in_limit");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("2fa"), "n_2fa");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(module_name("type"), "type_");
    }
}
