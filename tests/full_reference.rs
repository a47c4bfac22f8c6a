//! OpenRouter's own published document, as it is, goes through the generator: the crate it
//! yields passes `cargo clippy -D warnings`, and whatever the generator cannot represent
//! exactly is listed as a warning naming its JSON pointer. The crates of the snapshot fixtures
//! are checked in the same cargo run.

#[path = "support/compile.rs"]
mod compile;

use std::path::PathBuf;
use std::time::Instant;

/// `OPENROUTER_REFERENCE_SPEC`, or `../shared/reference/openrouter-openapi.yaml` beside the checkout.
fn reference_path() -> PathBuf {
    std::env::var_os("OPENROUTER_REFERENCE_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            compile::workspace_root()
                .join("..")
                .join("shared/reference/openrouter-openapi.yaml")
        })
}

fn reference() -> Option<String> {
    let path = reference_path();
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!(
                "skipping: reference spec not found at {}; set OPENROUTER_REFERENCE_SPEC",
                path.display()
            );
            None
        }
    }
}

fn options() -> codegen::Options {
    codegen::Options {
        crate_name: "openrouter-full-reference".into(),
        crate_version: "0.1.0".into(),
        source: "shared/reference/openrouter-openapi.yaml".into(),
    }
}

/// Every fixture spec of the snapshot tests, as `(crate name, text)`.
fn fixtures() -> Vec<(String, String)> {
    let dir = compile::workspace_root().join("tests/fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/fixtures is readable") {
        let path = entry.expect("readable entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let stem = path
                .file_stem()
                .expect("a file name")
                .to_string_lossy()
                .replace('_', "-");
            let text = std::fs::read_to_string(&path).expect("readable fixture");
            out.push((format!("fixture-{stem}"), text));
        }
    }
    out.sort();
    out
}

/// One cargo run checks the reference crate and every fixture crate (shared dependency build).
#[test]
fn the_full_reference_and_every_fixture_generate_crates_that_pass_clippy() {
    let mut crates: Vec<(String, std::collections::BTreeMap<String, String>)> = Vec::new();
    if let Some(text) = reference() {
        let started = Instant::now();
        let generated =
            codegen::generate(&text, &options()).expect("the reference document generates");
        let elapsed = started.elapsed();
        let (api, _) = codegen::analyze(&text).expect("the reference document is read");
        eprintln!(
            "generated {} files ({} operations, {} types) from the reference in {elapsed:.0?}, {} warnings:",
            generated.files.len(),
            api.operations.len(),
            api.types.len(),
            generated.warnings.len()
        );
        for warning in &generated.warnings {
            eprintln!("  warning: {warning}");
            assert!(
                warning.pointer.as_str().starts_with('/'),
                "a warning names its pointer: {warning}"
            );
        }
        assert!(
            api.operations.len() >= 97,
            "every operation is generated: {}",
            api.operations.len()
        );
        crates.push(("openrouter-full-reference".to_owned(), generated.files));
    }
    for (name, text) in fixtures() {
        let options = codegen::Options {
            crate_name: name.clone(),
            ..options()
        };
        let generated =
            codegen::generate(&text, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        crates.push((name, generated.files));
    }
    let refs: Vec<(&str, &std::collections::BTreeMap<String, String>)> = crates
        .iter()
        .map(|(name, files)| (name.as_str(), files))
        .collect();
    let output = compile::check_generated(&refs).expect("the check harness runs");
    output.assert_success();
}

#[test]
fn generating_the_full_reference_is_deterministic() {
    let Some(text) = reference() else { return };
    let first = codegen::generate(&text, &options()).expect("generates");
    let second = codegen::generate(&text, &options()).expect("generates");
    assert_eq!(first.files, second.files);
    assert_eq!(first.warnings, second.warnings);
}
