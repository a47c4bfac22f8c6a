//! insta snapshots of the generator on small fixture specs (`fixtures/*.yaml`), one concern each:
//! one snapshot per emitted file (the runtime files copied verbatim are pinned elsewhere) and
//! one of the warnings.

use std::collections::BTreeSet;

/// Paths of the runtime files that every generated crate carries unchanged.
fn runtime_files() -> BTreeSet<String> {
    codegen::emit::krate::RUNTIME
        .iter()
        .map(|(name, _)| format!("src/{name}.rs"))
        .collect()
}

/// A snapshot name for a file path: `src/types/mod.rs` -> `src__types__mod_rs`.
fn sanitize(path: &str) -> String {
    path.replace('/', "__").replace('.', "_")
}

/// Generates the crate of `fixtures/{name}.yaml` and asserts one snapshot per emitted file.
fn check(name: &str) {
    let path = format!("{}/fixtures/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let options = codegen::Options {
        crate_name: "fixture".into(),
        crate_version: "0.1.0".into(),
        source: format!("tests/fixtures/{name}.yaml"),
    };
    let generated = codegen::generate(&text, &options)
        .unwrap_or_else(|e| panic!("generating {name} failed: {e}"));

    let runtime = runtime_files();
    for file in &runtime {
        assert!(
            generated.files.contains_key(file),
            "{name}: runtime file {file} is missing"
        );
    }
    insta::with_settings!({
        description => format!("generated from tests/fixtures/{name}.yaml"),
        omit_expression => true,
        prepend_module_to_snapshot => false,
    }, {
        for (file, contents) in generated.files.iter().filter(|(f, _)| !runtime.contains(*f)) {
            insta::assert_snapshot!(format!("{name}__{}", sanitize(file)), contents);
        }
        let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
        let warnings = if warnings.is_empty() { "(no warnings)".to_owned() } else { warnings.join("\n") };
        insta::assert_snapshot!(format!("{name}__warnings"), warnings);
    });
}

macro_rules! fixtures {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*

        /// Every fixture file has a test, and every test a fixture file.
        #[test]
        fn every_fixture_is_tested() {
            let tested: BTreeSet<&str> = [$(stringify!($name)),*].into_iter().collect();
            let dir = format!("{}/fixtures", env!("CARGO_MANIFEST_DIR"));
            let mut on_disk = BTreeSet::new();
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {dir}: {e}")) {
                let path = entry.expect("a directory entry").path();
                if path.extension().is_some_and(|e| e == "yaml") {
                    let stem = path.file_stem().and_then(|s| s.to_str()).expect("a UTF-8 file name");
                    on_disk.insert(stem.to_owned());
                }
            }
            let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
            assert_eq!(on_disk, tested, "fixtures/*.yaml and the tests in snapshots.rs differ");
        }
    };
}

fixtures!(
    all_of,
    branch_names,
    discriminated_union,
    docs,
    errors,
    forms_and_servers,
    jobs_and_files,
    naming,
    nullable_patch,
    offset_pagination,
    open_enum,
    openapi30,
    openapi31,
    streaming,
    untagged_union,
);
