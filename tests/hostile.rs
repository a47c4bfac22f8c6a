//! Hostile and malformed OpenAPI documents (`tests/hostile/`), each with its asserted outcome:
//!
//! - rejected: a `codegen::Error` naming the exact JSON pointer (or line, for syntax errors)
//!   and saying what is wrong;
//! - generated: the crate passes `cargo clippy --all-targets -D warnings` (all such fixtures in
//!   one cargo run, see `support/compile.rs`), holds exactly the public items the document
//!   describes (compared with a listing written by hand here) and no injected text outside
//!   comments and string literals. The crates are checked in
//!   `target/generated-check/groups/hostile/`.
//!
//! The generator runs in a child process (this test binary, `child_generate`), so a panic or a
//! stack overflow on one fixture is reported as that fixture's failure instead of killing the
//! whole run.

#[path = "support/compile.rs"]
mod compile;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ---- running the generator in a child process -----------------------------------------------

const CHILD_FIXTURE: &str = "HOSTILE_CHILD_FIXTURE";
const CHILD_CRATE: &str = "HOSTILE_CHILD_CRATE";
const MARKER: &str = "@@hostile-result@@";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("hostile")
}

/// `hostile-<stem>`, the package name of a fixture's generated crate.
fn crate_name(fixture: &str) -> String {
    let stem = fixture.rsplit_once('.').map_or(fixture, |(stem, _)| stem);
    format!("hostile-{}", stem.replace('_', "-"))
}

fn options(crate_name: &str, fixture: &str) -> codegen::Options {
    codegen::Options {
        crate_name: crate_name.to_owned(),
        crate_version: "0.1.0".to_owned(),
        source: format!("tests/hostile/{fixture}"),
    }
}

/// Run by `generate` in a child process; does nothing in a normal test run.
#[test]
#[ignore = "helper: started in a child process by the other tests"]
fn child_generate() {
    let Some(fixture) = std::env::var_os(CHILD_FIXTURE) else {
        return;
    };
    let fixture = fixture.to_string_lossy().into_owned();
    let krate = std::env::var(CHILD_CRATE).expect("crate name");
    let text = std::fs::read_to_string(fixture_dir().join(&fixture)).expect("fixture is readable");
    let result = match codegen::generate(&text, &options(&krate, &fixture)) {
        Ok(generated) => serde_json::json!({
            "ok": {
                "files": generated.files,
                "warnings": generated
                    .warnings
                    .iter()
                    .map(|w| [w.pointer.to_string(), w.message.clone()])
                    .collect::<Vec<_>>(),
            }
        }),
        Err(error) => serde_json::json!({
            "err": {
                "pointer": error.pointer().map(ToString::to_string),
                "message": error.to_string(),
                "debug": format!("{error:?}"),
            }
        }),
    };
    println!("\n{MARKER}{result}");
}

/// What the generator did with a fixture.
#[derive(Debug)]
enum Outcome {
    Generated {
        files: BTreeMap<String, String>,
        /// `(pointer, message)`.
        warnings: Vec<(String, String)>,
    },
    Rejected {
        pointer: Option<String>,
        message: String,
        debug: String,
    },
    /// Panicked, overflowed its stack, hung or otherwise died.
    Crashed(String),
}

fn generate(fixture: &str) -> Outcome {
    let exe = std::env::current_exe().expect("test binary path");
    let mut child = Command::new(exe)
        .args([
            "child_generate",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_FIXTURE, fixture)
        .env(CHILD_CRATE, crate_name(fixture))
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the test binary starts");
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("child status") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let Some(status) = status else {
        return Outcome::Crashed("the generator did not finish within 120 s".to_owned());
    };
    let Some(line) = stdout
        .lines()
        .find_map(|l| l.split_once(MARKER).map(|(_, json)| json))
    else {
        let tail: String = stderr
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        return Outcome::Crashed(format!("the generator died ({status}):\n{tail}"));
    };
    let value: serde_json::Value = serde_json::from_str(line).expect("child result is JSON");
    if let Some(ok) = value.get("ok") {
        let files = serde_json::from_value(ok["files"].clone()).expect("files");
        let warnings = serde_json::from_value(ok["warnings"].clone()).expect("warnings");
        Outcome::Generated { files, warnings }
    } else {
        let err = &value["err"];
        Outcome::Rejected {
            pointer: err["pointer"].as_str().map(str::to_owned),
            message: err["message"].as_str().unwrap_or_default().to_owned(),
            debug: err["debug"].as_str().unwrap_or_default().to_owned(),
        }
    }
}

// ---- expected rejections --------------------------------------------------------------------

/// The fixture's text parsed as JSON (YAML or JSON), to check that pointers exist.
fn document(fixture: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture_dir().join(fixture)).expect("fixture is readable");
    codegen::load::parse_text(&text).expect("fixture parses")
}

/// Whether a `#/...` pointer names something in the fixture (`parent_only`: its parent does).
fn pointer_exists(fixture: &str, pointer: &str, parent_only: bool) -> bool {
    let doc = document(fixture);
    let path = pointer.trim_start_matches('#');
    let path = if parent_only {
        path.rsplit_once('/').map_or("", |(parent, _)| parent)
    } else {
        path
    };
    doc.pointer(path).is_some()
}

/// Asserts that the fixture is rejected at `pointer` with a message containing `fragment`.
#[track_caller]
fn assert_rejected(fixture: &str, pointer: &str, fragment: &str) {
    match generate(fixture) {
        Outcome::Rejected {
            pointer: Some(p),
            message,
            ..
        } => {
            assert_eq!(p, pointer, "{fixture}: wrong location in: {message}");
            assert!(
                message.contains(fragment),
                "{fixture}: {message:?} should contain {fragment:?}"
            );
            assert!(
                pointer_exists(fixture, &p, true),
                "{fixture}: {p} is not in the document"
            );
        }
        other => panic!(
            "{fixture}: expected an error at {pointer} containing {fragment:?}, got {}",
            describe(&other)
        ),
    }
}

/// Asserts a syntax error of `format` at `line`.
#[track_caller]
fn assert_syntax_error(fixture: &str, format: &str, line: usize) {
    match generate(fixture) {
        Outcome::Rejected {
            pointer: None,
            message,
            debug,
        } => {
            assert!(
                debug.starts_with("Syntax"),
                "{fixture}: expected a syntax error, got {debug}"
            );
            assert!(
                message.contains(&format!("not valid {format}")),
                "{fixture}: {message}"
            );
            let at = format!("(line {line}, column");
            assert!(
                message.contains(&at),
                "{fixture}: {message:?} should name line {line}"
            );
        }
        other => panic!(
            "{fixture}: expected a {format} syntax error at line {line}, got {}",
            describe(&other)
        ),
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Generated { files, warnings } => {
            format!(
                "a generated crate ({} files, warnings {warnings:?})",
                files.len()
            )
        }
        Outcome::Rejected {
            pointer, message, ..
        } => format!("the error {pointer:?}: {message}"),
        Outcome::Crashed(detail) => format!("a crash: {detail}"),
    }
}

macro_rules! rejects {
    ($($test:ident: $fixture:literal at $pointer:literal says $fragment:literal;)*) => {
        $(
            #[test]
            fn $test() {
                assert_rejected($fixture, $pointer, $fragment);
            }
        )*
    };
}

#[test]
fn malformed_yaml_names_line_and_column() {
    // The badly indented key is on line 12.
    assert_syntax_error("malformed.yaml", "YAML", 12);
}

#[test]
fn malformed_json_names_line_and_column() {
    // The missing comma is on line 5.
    assert_syntax_error("malformed.json", "JSON", 5);
}

#[test]
fn nesting_deeper_than_the_parser_allows_is_a_syntax_error() {
    // 3,000 nested `items` on line 9: a clear error, not a stack overflow.
    assert_syntax_error("deep_nesting.yaml", "YAML", 9);
}

rejects! {
    swagger_2_is_rejected: "swagger2.yaml"
        at "#/openapi" says "Swagger 2.0 documents are not supported";
    openapi_4_is_rejected: "openapi4.yaml"
        at "#/openapi" says "unsupported OpenAPI version \"4.0.0\"";
    unresolvable_ref_names_the_referring_schema: "unresolvable_ref.yaml"
        at "#/paths/~1things/get/responses/200/content/application~1json/schema/items"
        says "unresolvable $ref \"#/components/schemas/Missing\"";
    unresolvable_parameter_ref_names_the_parameter: "unresolvable_param_ref.yaml"
        at "#/paths/~1things/get/parameters/0" says "unresolvable $ref \"#/components/parameters/Missing\"";
    external_ref_is_rejected: "external_ref.yaml"
        at "#/components/schemas/Thing/properties/owner" says "other.yaml#/components/schemas/Owner";
    self_ref_is_rejected: "ref_self.yaml"
        at "#/components/schemas/Loop" says "refers to itself";
    ref_alias_cycle_is_rejected: "ref_alias_cycle.yaml"
        at "#/components/schemas/Ping" says "cycle";
    duplicate_operation_ids_are_rejected: "duplicate_operation_ids.yaml"
        at "#/paths/~1b/get/operationId" says "duplicate operationId \"listThings\"; it is also used at #/paths/~1a/get";
    schema_names_colliding_after_case_conversion: "schema_case_collision.yaml"
        at "#/components/schemas/ApiKey" says "as does \"api_key\"";
    property_names_colliding_after_case_conversion: "property_case_collision.yaml"
        at "#/components/schemas/User/properties/user_id" says "both become the Rust field `user_id`";
    operation_ids_colliding_after_case_conversion: "operation_id_case_collision.yaml"
        at "#/paths/~1b/get" says "both become `client.keys().list_keys()`";
    parameter_named_send: "param_send.yaml"
        at "#/paths/~1a/get/parameters/0" says "clash with the builder method `send`";
    parameter_named_options: "param_options.yaml"
        at "#/paths/~1a/get/parameters/0" says "clash with the builder method `options`";
    parameter_named_body: "param_body.yaml"
        at "#/paths/~1a/get/parameters/0" says "clash with the builder method `body`";
    enum_values_colliding_after_case_conversion: "enum_case_collision.yaml"
        at "#/components/schemas/Mode/enum/1" says "both become the variant `AB`";
    operation_id_shadowing_std_option: "std_name_operation.yaml"
        at "#/paths/~1a/get/operationId" says "`Option`";
    tag_shadowing_std_string: "std_name_tag.yaml"
        at "#/paths/~1things~1{id}/get/tags" says "`String`";
    stray_brace_in_path: "path_braces.yaml"
        at "#/paths/~1files~1x}{id}/get" says "`}`";
    all_of_naming_its_own_schema_twice: "all_of_self_twice.yaml"
        at "#/components/schemas/B/properties/type" says "this schema contains itself";
    all_of_chain_deeper_than_the_bound: "all_of_chain_too_deep.yaml"
        at "#/components/schemas/C63/properties/p" says "nest more than 64 levels";
    ref_alias_chain_longer_than_the_bound: "ref_alias_chain_too_long.yaml"
        at "#/components/schemas/A0" says "chain of more than 64 references";
    all_of_expanding_exponentially: "all_of_exponential.yaml"
        at "#/components/schemas/E19/properties/a" says "more than 100000 inline schemas";
    schemas_nested_deeper_than_the_bound: "schema_nesting_too_deep.yaml"
        at "#/components/schemas/Deep/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p/properties/p" says "nest more than 32 levels";
}

// ---- generated crates: what they must contain -----------------------------------------------

/// A generated fixture, as the checks see it.
struct Gen<'a> {
    fixture: &'a str,
    files: &'a BTreeMap<String, String>,
    /// `(pointer, message)`.
    warnings: &'a [(String, String)],
}

impl Gen<'_> {
    /// Every string/char literal of every `.rs` file, as written in the source.
    fn literals(&self) -> BTreeSet<String> {
        self.files
            .iter()
            .filter(|(p, _)| p.ends_with(".rs"))
            .flat_map(|(_, text)| strip_rust(text).1)
            .collect()
    }

    fn all_text(&self) -> String {
        self.files.values().cloned().collect::<Vec<_>>().join("\n")
    }

    fn code(&self, file: &str) -> String {
        strip_rust(self.file(file)).0
    }

    fn file(&self, file: &str) -> &str {
        self.files
            .get(file)
            .unwrap_or_else(|| panic!("{}: no file {file}", self.fixture))
    }
}

/// A fixture that must generate a crate passing clippy, and what that crate must hold.
struct Compiles {
    fixture: &'static str,
    /// Exact public surface of `src/types/` and `src/operations/` (see `surface`); `None` when
    /// the names are left to the generator (`check` then says what must hold).
    surface: Option<&'static str>,
    /// Further assertions; returns the problems found.
    check: fn(&Gen) -> Vec<String>,
}

fn no_warnings(g: &Gen) -> Vec<String> {
    if g.warnings.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "{}: unexpected warnings {:?}",
            g.fixture, g.warnings
        )]
    }
}

/// Problems unless every literal in `want` appears in the generated code as written.
fn literals_present(g: &Gen, want: &[&str]) -> Vec<String> {
    let have = g.literals();
    want.iter()
        .filter(|w| !have.contains(**w))
        .map(|w| {
            format!(
                "{}: the string literal {w} is not in the generated code",
                g.fixture
            )
        })
        .collect()
}

const COMPILES: &[Compiles] = &[
    Compiles {
        fixture: "control.yaml",
        surface: Some(
            "
            ops: impl Client { pets }
            ops: struct Pets { }
            ops: impl Pets { get }
            ops: struct GetPet { }
            ops: impl GetPet { options, send, send_with_response, verbose }
            types: struct Pet { id, kind, nickname }
            types: enum PetKind { Cat, Dog, Unknown }
            types: impl PetKind { as_str }
            ",
        ),
        check: no_warnings,
    },
    Compiles {
        fixture: "required_cycle.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_all, post_a }
            ops: struct PostA { }
            ops: impl PostA { options, send, send_with_response }
            ops: struct GetAll { }
            ops: impl GetAll { options, send, send_with_response }
            types: struct GetAllResponse { tree, wrapper }
            types: struct A { b }
            types: impl A { b, new }
            types: struct B { a }
            types: impl B { a, new }
            types: struct Node { next }
            types: struct Tree { children }
            types: struct Wrapper { inner }
            ",
        ),
        check: |g| {
            let mut problems = no_warnings(g);
            for (file, decl) in [
                ("src/types/default/a.rs", "pub b: Box<B>"),
                ("src/types/default/b.rs", "pub a: Box<A>"),
                ("src/types/default/node.rs", "pub next: Box<Node>"),
                ("src/types/default/tree.rs", "pub children: Vec<Tree>"),
                ("src/types/default/wrapper.rs", "Option<Box<Wrapper>>"),
            ] {
                if !g.code(file).contains(decl) {
                    problems.push(format!("{}: {file} should declare `{decl}`", g.fixture));
                }
            }
            problems
        },
    },
    Compiles {
        fixture: "all_of_cycle.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_left, get_right }
            ops: struct GetLeft { }
            ops: impl GetLeft { options, send, send_with_response }
            ops: struct GetRight { }
            ops: impl GetRight { options, send, send_with_response }
            types: type Left
            types: type Right
            ",
        ),
        check: |g| {
            // Kept as JSON, with a warning that names a real place in the document.
            let mut problems = Vec::new();
            for schema in ["Left", "Right"] {
                let warning = g.warnings.iter().find(|(p, _)| p.starts_with(&format!("#/components/schemas/{schema}")));
                match warning {
                    Some((pointer, message)) => {
                        if !message.contains("cycle") {
                            problems.push(format!("{}: the warning for {schema} should say `cycle`: {message}", g.fixture));
                        }
                        if !pointer_exists(g.fixture, pointer, false) {
                            problems.push(format!(
                                "{}: the warning for {schema} names {pointer}, which is not in the document \
                                 (expected the `$ref` that closes the cycle, e.g. #/components/schemas/{schema}/allOf/0)",
                                g.fixture
                            ));
                        }
                    }
                    None => problems.push(format!("{}: no warning for {schema}: {:?}", g.fixture, g.warnings)),
                }
            }
            problems
        },
    },
    Compiles {
        fixture: "keywords.yaml",
        surface: Some(
            "
            ops: impl Client { self_, type_ }
            ops: struct Type { }
            ops: impl Type { r#match }
            ops: struct Match { }
            ops: impl Match { crate_, options, r#async, r_ref, self_, send, send_with_response, super_ }
            ops: struct Self_ { }
            ops: impl Self_ { r#fn }
            ops: struct Crate { }
            ops: impl Crate { options, send, send_with_response }
            types: struct Type { r#type, r#match, self_, crate_, r#async, super_, r_type, r#gen, r#fn, r#dyn, r#await, r#try, r#union, r#static, r#yield, kind }
            types: struct Self_ { self_, r#impl, r#where, r#loop }
            types: impl Self_ { new, r#impl, r#loop, r#where, self_ }
            types: enum Crate { Type, Self_, Match, Async, Crate, Super, Fn, R, Unknown }
            types: impl Crate { as_str }
            ",
        ),
        check: |g| {
            let mut problems = no_warnings(g);
            // Wire names survive: renames where the Rust name differs, parameter names as sent.
            problems.extend(literals_present(
                g,
                &[r#""self""#, r#""Self""#, r#""crate""#, r#""super""#, r#""r#type""#, r#""r#ref""#, r#""async""#, r#""r#""#],
            ));
            problems
        },
    },
    Compiles {
        fixture: "odd_names.yaml",
        surface: Some(
            "
            ops: impl Client { n_123, value }
            ops: struct G123 { }
            ops: impl G123 { n_123go }
            ops: struct O123go { }
            ops: impl O123go { options, send, send_with_response, top, value }
            ops: struct Group { }
            ops: impl Group { value }
            ops: struct Op { }
            ops: impl Op { options, send, send_with_response }
            types: struct S123 { value, n_2fa, n_404, r#ref, r#type, proto, a_b_c, x_y_z }
            types: struct S1stPlace { n_2nd }
            types: enum S1stPlaceF2nd { V1, V25, V, Empty, Unknown }
            types: impl S1stPlaceF2nd { as_str }
            ",
        ),
        check: |g| {
            let mut problems = no_warnings(g);
            problems.extend(literals_present(g, &[r#""""#, r#""2fa""#, r#""$ref""#, r#""@type""#, r#""$top""#, r#""2nd""#, r#""2.5""#, r#""+""#]));
            problems
        },
    },
    Compiles {
        fixture: "unicode_names.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { créer_clé }
            ops: struct CréerClé { }
            ops: impl CréerClé { options, send, send_with_response, value, 名前 }
            types: struct Cafe { café, 名前, value, straße, mood }
            types: enum CafeMood { Ü, 日本, V, Naïve, Unknown }
            types: impl CafeMood { as_str }
            ",
        ),
        check: |g| {
            let mut problems = no_warnings(g);
            problems.extend(literals_present(g, &[r#""🎉""#, r#""Straße""#, r#""😀""#]));
            problems
        },
    },
    Compiles {
        fixture: "unicode_modules.yaml",
        surface: Some(
            "
            ops: impl Client { 日本語 }
            ops: struct 日本語 { }
            ops: impl 日本語 { list_names }
            ops: struct ListNames { }
            ops: impl ListNames { options, send, send_with_response }
            types: struct 名前 { value, café }
            types: struct Café { value }
            ",
        ),
        check: no_warnings,
    },
    Compiles {
        fixture: "serde_names.yaml",
        surface: None,
        check: |g| {
            let mut problems = no_warnings(g);
            let surface = surface(g.files);
            for want in ["types: struct Visitor { deserializer, f, key, map, self_ }", "types: struct A { x }", "types: struct Key { x }"] {
                if !surface.lines().any(|l| l.trim() == want) {
                    problems.push(format!("{}: expected `{want}` in:\n{surface}", g.fixture));
                }
            }
            problems
        },
    },
    Compiles {
        fixture: "unicode_non_xid.yaml",
        // How `x²`, `½` and `٣` become identifiers is the generator's choice.
        surface: None,
        check: |g| {
            let mut problems = literals_present(g, &[r#""x²""#, r#""½""#, r#""٣""#]);
            let surface = surface(g.files);
            if !surface.lines().any(|l| l.starts_with("types: struct Measure {") && l.matches(',').count() == 2) {
                problems.push(format!("{}: expected a struct Measure with three fields:\n{surface}", g.fixture));
            }
            problems
        },
    },
    Compiles {
        fixture: "unicode_confusables.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_pair }
            ops: struct GetPair { }
            ops: impl GetPair { options, send, send_with_response }
            types: struct Pair { a, а }
            ",
        ),
        check: no_warnings,
    },
    Compiles {
        fixture: "doc_injection.yaml",
        surface: Some(
            "
            ops: impl Client { notes }
            ops: struct Notes { }
            ops: impl Notes { get_note }
            ops: struct GetNote { }
            ops: impl GetNote { h_x, options, q_x, send, send_with_response }
            types: struct Note { body, mood, quote_name }
            types: enum NoteMood { Ok, ABFnEvilEnum, BackSlashTickFence, ScriptEvilScriptScript, Unknown }
            types: impl NoteMood { as_str }
            ",
        ),
        check: |g| {
            // The texts are kept (as docs), not dropped.
            let text = g.all_text();
            let mut problems = no_warnings(g);
            for marker in [
                "evil_title", "evil_info", "evil_lints", "evil_inner_doc", "evil_bracket", "evil_script", "evil_long_line",
                "evil_tag", "evil_tag_newline", "evil_path", "evil_newline", "evil_backtick", "evil_nested", "evil_param",
                "evil_schema", "evil_property", "evil_default", "evil_indent", "evil_enum",
            ] {
                if !text.contains(marker) {
                    problems.push(format!("{}: the text with `{marker}` was dropped", g.fixture));
                }
            }
            if !text.contains(&format!("{} evil_long_line();", "A".repeat(10_000))) {
                problems.push(format!("{}: the 10,000-character line was not kept whole", g.fixture));
            }
            problems
        },
    },
    Compiles {
        fixture: "doc_carriage_return.json",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_cr }
            ops: struct GetCr { }
            ops: impl GetCr { options, q_x, send, send_with_response }
            types: struct Cr { text, mode }
            types: enum CrMode { AB, C, Unknown }
            types: impl CrMode { as_str }
            ",
        ),
        check: |g| {
            let mut problems = no_warnings(g);
            for (path, text) in g.files {
                if text.contains('\r') {
                    problems.push(format!("{}: {path} contains a carriage return (a bare CR ends no doc line in Rust, and is invalid in TOML strings)", g.fixture));
                }
            }
            problems.extend(literals_present(g, &[r#""a\rb""#, r#""q\rx""#]));
            problems
        },
    },
    Compiles {
        fixture: "doc_bidi.json",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_trojan }
            ops: struct GetTrojan { }
            ops: impl GetTrojan { options, send, send_with_response }
            types: struct Trojan { level }
            types: enum TrojanLevel { User, Admin, Unknown }
            types: impl TrojanLevel { as_str }
            ",
        ),
        check: |g| {
            let mut problems = no_warnings(g);
            const BIDI: &[char] = &['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'];
            for (path, text) in g.files {
                if text.contains(BIDI) {
                    problems.push(format!("{}: {path} contains a raw bidirectional control character", g.fixture));
                }
            }
            problems
        },
    },
    Compiles {
        fixture: "doc_control_chars.json",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_ctrl }
            ops: struct GetCtrl { }
            ops: impl GetCtrl { options, send, send_with_response }
            types: struct Ctrl { v }
            types: enum CtrlV { Nul, Bell, Unknown }
            types: impl CtrlV { as_str }
            ",
        ),
        check: no_warnings,
    },
    Compiles {
        fixture: "doc_tabs.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_table }
            ops: struct GetTable { }
            ops: impl GetTable { options, send, send_with_response }
            types: struct Table { name }
            ",
        ),
        check: no_warnings,
    },
    Compiles {
        fixture: "doc_code_blocks.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_example }
            ops: struct GetExample { }
            ops: impl GetExample { options, send, send_with_response }
            types: struct Example { indented, unclosed }
            ",
        ),
        check: |g| {
            let mut problems = no_warnings(g);
            let text = g.all_text();
            for marker in ["evil_fence", "evil_rust_fence", "evil_json", "evil_tilde", "evil_indented", "evil_unclosed"] {
                if !text.contains(marker) {
                    problems.push(format!("{}: the text with `{marker}` was dropped", g.fixture));
                }
            }
            // Either no doc code block is a doctest, or the crate runs no doctests at all.
            let doctests_off = g.file("Cargo.toml").lines().any(|l| l.replace(' ', "") == "doctest=false");
            for (path, text) in g.files.iter().filter(|(p, _)| p.ends_with(".rs") && !doctests_off) {
                for test in doctests(text) {
                    problems.push(format!("{}: {path}: this doc code block is a Rust doctest: {test}", g.fixture));
                }
            }
            problems
        },
    },
    Compiles {
        fixture: "title_escapes.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_thing }
            ops: struct GetThing { }
            ops: impl GetThing { options, send, send_with_response }
            types: struct Thing { name }
            ",
        ),
        check: |g| {
            let mut problems = no_warnings(g);
            if !g.file("src/lib.rs").contains(r"C:\path\q") {
                problems.push(format!("{}: lib.rs docs should keep the title", g.fixture));
            }
            problems
        },
    },
    Compiles {
        fixture: "string_escapes.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_shape, say }
            ops: struct Say { }
            ops: impl Say { options, q_x_y, send, send_with_response, x_quoted }
            ops: struct GetShape { }
            ops: impl GetShape { options, send, send_with_response }
            types: enum Shape { CiRcle, SqUare, Unknown }
            types: struct Circle { ki_nd, radius }
            types: struct Square { ki_nd, side }
            types: struct Quoted { quote_d, back_slash, value, tone }
            types: enum QuotedTone { SayHi, BackSlash, V, N, Unknown }
            types: impl QuotedTone { as_str }
            ",
        ),
        check: |g| {
            let mut problems = no_warnings(g);
            problems.extend(literals_present(
                g,
                &[
                    r#""say \"hi\"""#,
                    r#""back\\slash""#,
                    r#""quote\"d""#,
                    r#""\"]""#,
                    r#""\\\"""#,
                    r#""\\n""#,
                    r#""\"hi\"""#,
                    r#""q\"x\\y""#,
                    r#""X-\"Quoted\"""#,
                    r#""ki\"nd\\""#,
                    r#""ci\"rcle""#,
                    r#""sq\\uare""#,
                    r#""https://api.example.com/\"v1\"\\""#,
                ],
            ));
            problems
        },
    },
    Compiles {
        fixture: "enums.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_all, get_with_empty }
            ops: struct GetWithEmpty { }
            ops: impl GetWithEmpty { options, send, send_with_response }
            ops: struct GetAll { }
            ops: impl GetAll { options, send, send_with_response }
            types: struct GetAllResponse { only_unknown, keywords, level, ratio, yes, mixed, string_or_int, toggle }
            types: enum WithEmpty { Empty, A, Unknown }
            types: impl WithEmpty { as_str }
            types: struct OnlyUnknown { }
            types: impl OnlyUnknown { as_str }
            types: enum Keywords { Self_, Type, Match, None, Some, Unknown }
            types: impl Keywords { as_str }
            types: type Level
            types: type Ratio
            types: type Yes
            types: type Mixed
            types: enum StringOrInt { A, Integer, Unknown }
            types: struct StringOrIntA { }
            types: impl StringOrIntA { as_str }
            types: enum Toggle { On, Off, Unknown }
            types: impl Toggle { as_str }
            ",
        ),
        check: |g| {
            let mut problems = literals_present(g, &[r#""""#, r#""unknown""#, r#""None""#, r#""self""#]);
            // Non-string enums become plain types; the allowed values must not vanish in
            // silence: a warning names the schema, or the type's docs list the values.
            for (schema, file, values) in [
                ("Level", "src/types/default/level.rs", &["1", "2", "3"][..]),
                ("Ratio", "src/types/default/ratio.rs", &["0.5", "1.5"][..]),
                ("Yes", "src/types/default/yes.rs", &["true"][..]),
                ("Mixed", "src/types/default/mixed.rs", &["a", "1", "true"][..]),
            ] {
                let pointer = format!("#/components/schemas/{schema}");
                let warned = g.warnings.iter().any(|(p, _)| p.starts_with(&pointer));
                let docs: String = g.file(file).lines().skip(1).filter(|l| l.trim_start().starts_with("//")).collect();
                let documented = values.iter().all(|v| docs.contains(&format!("`{v}`")));
                if !warned && !documented {
                    problems.push(format!(
                        "{}: the enum of {schema} ({values:?}) was dropped without a warning and is not documented:\n{}",
                        g.fixture,
                        g.file(file)
                    ));
                }
            }
            problems
        },
    },
    Compiles {
        fixture: "enum_unknown.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { get_state }
            ops: struct GetState { }
            ops: impl GetState { options, send, send_with_response }
            types: enum State { Known, UnknownValue, Unknown }
            types: impl State { as_str }
            ",
        ),
        check: |g| {
            let mut problems = no_warnings(g);
            if !g.code("src/types/default/state.rs").replace(' ', "").contains("=>Self::UnknownValue") {
                problems.push(format!("{}: \"Unknown\" should decode into UnknownValue", g.fixture));
            }
            problems
        },
    },
    Compiles {
        fixture: "module_names.yaml",
        surface: Some(
            "
            ops: impl Client { mod_, operations }
            ops: struct Operations { }
            ops: impl Operations { get_a }
            ops: struct GetA { }
            ops: impl GetA { options, send, send_with_response }
            ops: struct Mod { }
            ops: impl Mod { get_b }
            ops: struct GetB { }
            ops: impl GetB { options, send, send_with_response }
            types: struct Types { value, lib }
            types: struct Mod { value }
            types: struct Lib { value }
            ",
        ),
        check: no_warnings,
    },
    Compiles {
        fixture: "crate_name_modules.yaml",
        surface: Some(
            "
            ops: impl Client { default }
            ops: struct Default { }
            ops: impl Default { upload }
            ops: struct Upload { }
            ops: impl Upload { options, send, send_with_response }
            types: struct Serde { value }
            types: struct SerdeJson { value }
            types: struct Std { map, serde, serde_json, bytes, core }
            types: struct Bytes { value }
            types: enum Core { A, B, Unknown }
            types: impl Core { as_str }
            ",
        ),
        check: no_warnings,
    },
    Compiles {
        fixture: "method_names.yaml",
        surface: Some(
            "
            ops: impl Client { items }
            ops: struct Items { }
            ops: impl Items { clone, deref, eq }
            ops: struct ListItems { }
            ops: impl ListItems { clone, eq, into_paginator, limit, offset, options, send, send_with_response }
            ops: struct GetItem { }
            ops: impl GetItem { options, send, send_with_response }
            ops: struct CompareItem { }
            ops: impl CompareItem { options, send, send_with_response }
            types: struct ItemList { data }
            types: struct Item { clone, eq, add, default, next, as_str, is_active, into_inner, to_string, hash }
            types: impl Item { add, as_str, clone, default, eq, hash, into_inner, is_active, new, next, to_string }
            ",
        ),
        check: no_warnings,
    },
    Compiles {
        // Only operations reach types: with none, the component schema is left out (the crate
        // has the client runtime and no types), and one warning names it.
        fixture: "no_operations.yaml",
        surface: Some(""),
        check: |g| {
            let expected = [(
                "#/components/schemas".to_owned(),
                "1 schemas are reached by no operation (nor merged into one through allOf) and are left out: Lonely"
                    .to_owned(),
            )];
            if g.warnings == expected {
                Vec::new()
            } else {
                vec![format!("{}: expected the warning {expected:?}, got {:?}", g.fixture, g.warnings)]
            }
        },
    },
];

/// Code-only text (comments and literals removed, whitespace dropped) must not hold these.
const INJECTED: &[&str] = &[
    "fnevil",
    "#[evil",
    "#![deny",
    "<script",
    "evil_script(",
    "evil_long_line(",
];

/// Checks surface, injection and the fixture's own assertions; returns the problems found.
fn static_problems(
    spec: &Compiles,
    files: &BTreeMap<String, String>,
    warnings: &[(String, String)],
) -> Vec<String> {
    let fixture = spec.fixture;
    let mut problems = Vec::new();
    if let Some(expected) = spec.surface {
        let want = normalize_surface(expected);
        let got = surface(files);
        if want != got {
            problems.push(format!(
                "{fixture}: public surface differs.\n--- expected\n{want}\n--- generated\n{got}"
            ));
        }
    }
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        let (code, _) = strip_rust(text);
        for (n, line) in code.lines().enumerate() {
            let squeezed: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            if INJECTED.iter().any(|bad| squeezed.contains(bad)) {
                problems.push(format!(
                    "{fixture}: {path}:{}: injected text outside a comment or string literal:\n{}",
                    n + 1,
                    text.lines().nth(n).unwrap_or_default()
                ));
            }
        }
    }
    problems.extend((spec.check)(&Gen {
        fixture,
        files,
        warnings,
    }));
    problems
}

/// Generates the fixture and runs its static checks.
#[track_caller]
fn assert_generates(fixture: &str) {
    let spec = COMPILES
        .iter()
        .find(|c| c.fixture == fixture)
        .unwrap_or_else(|| panic!("{fixture} is not in COMPILES"));
    match generate(fixture) {
        Outcome::Generated { files, warnings } => {
            let problems = static_problems(spec, &files, &warnings);
            assert!(problems.is_empty(), "{}", problems.join("\n\n"));
        }
        other => panic!(
            "{fixture}: expected a generated crate, got {}",
            describe(&other)
        ),
    }
}

macro_rules! generates {
    ($($test:ident: $fixture:literal;)*) => {
        $(
            #[test]
            fn $test() {
                assert_generates($fixture);
            }
        )*
    };
}

generates! {
    control_generates_exactly_the_described_items: "control.yaml";
    required_cycles_are_boxed: "required_cycle.yaml";
    all_of_cycle_is_kept_as_json_with_a_warning: "all_of_cycle.yaml";
    rust_keywords_become_raw_or_suffixed_identifiers: "keywords.yaml";
    digit_empty_and_punctuation_names: "odd_names.yaml";
    unicode_identifiers: "unicode_names.yaml";
    unicode_schema_and_tag_names: "unicode_modules.yaml";
    alphanumeric_characters_that_are_not_identifier_characters: "unicode_non_xid.yaml";
    confusable_unicode_names: "unicode_confusables.yaml";
    injection_stays_in_comments_and_literals: "doc_injection.yaml";
    carriage_returns_in_docs_and_names: "doc_carriage_return.json";
    bidirectional_controls_in_docs: "doc_bidi.json";
    control_characters_in_docs: "doc_control_chars.json";
    tabs_in_docs: "doc_tabs.yaml";
    code_blocks_in_docs_are_not_doctests: "doc_code_blocks.yaml";
    title_with_quotes_backslashes_and_newline: "title_escapes.yaml";
    quotes_and_backslashes_in_wire_names: "string_escapes.yaml";
    enum_edge_cases: "enums.yaml";
    enum_value_unknown_gets_its_own_variant: "enum_unknown.yaml";
    modules_named_like_their_parent: "module_names.yaml";
    modules_named_like_crates: "crate_name_modules.yaml";
    methods_named_like_trait_methods: "method_names.yaml";
    document_without_operations: "no_operations.yaml";
}

/// Every "generated" fixture, in one cargo run: clippy -D warnings on all targets.
#[test]
fn generated_fixtures_pass_clippy() {
    let mut crates: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    let mut problems = Vec::new();
    for c in COMPILES {
        match generate(c.fixture) {
            Outcome::Generated { files, .. } => crates.push((crate_name(c.fixture), files)),
            other => problems.push(format!(
                "{}: did not generate: {}",
                c.fixture,
                describe(&other)
            )),
        }
    }
    let refs: Vec<(&str, &BTreeMap<String, String>)> =
        crates.iter().map(|(n, f)| (n.as_str(), f)).collect();
    let output = compile::check_generated_in("hostile", &refs).expect("the check harness runs");
    eprintln!(
        "clippy over {} generated crates took {:.1?}",
        refs.len(),
        output.elapsed
    );
    let failed: Vec<&str> = output.failed().iter().map(|c| c.name.as_str()).collect();
    for c in output.failed() {
        problems.push(c.report());
    }
    if !output.success && failed.is_empty() {
        problems.push(output.report());
    }
    assert!(
        problems.is_empty(),
        "crates failing: {failed:?}\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_fixture_has_an_asserted_outcome() {
    let source = include_str!("hostile.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(fixture_dir()).expect("tests/hostile exists") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if !source.contains(&format!("\"{name}\"")) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "fixtures without a test: {missing:?}");
}

#[test]
#[ignore = "debug aid: HOSTILE_DUMP=<part of a fixture name> [HOSTILE_DUMP_FILES=1]"]
fn dump_outcomes() {
    let filter = std::env::var("HOSTILE_DUMP").unwrap_or_default();
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir())
        .expect("tests/hostile exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names.into_iter().filter(|n| n.contains(&filter)) {
        match generate(&name) {
            Outcome::Generated { files, warnings } => {
                println!(
                    "=== {name}: generated; warnings {warnings:#?}\n{}\n",
                    surface(&files)
                );
                if std::env::var_os("HOSTILE_DUMP_FILES").is_some() {
                    for (path, text) in files.iter().filter(|(p, _)| {
                        !p.starts_with("src/")
                            || p.starts_with("src/types")
                            || p.starts_with("src/operations")
                            || *p == "src/lib.rs"
                    }) {
                        println!("--- {path}\n{text}");
                    }
                }
            }
            other => println!("=== {name}: {}\n", describe(&other)),
        }
    }
}

#[test]
#[ignore = "debug aid: HOSTILE_COMPILE=<fixture>,<fixture> runs clippy on those fixtures only"]
fn compile_listed() {
    let list = std::env::var("HOSTILE_COMPILE").unwrap_or_default();
    if list.is_empty() {
        return;
    }
    let mut crates = Vec::new();
    for fixture in list.split(',').filter(|f| !f.is_empty()) {
        match generate(fixture) {
            Outcome::Generated { files, .. } => crates.push((crate_name(fixture), files)),
            other => println!("{fixture}: {}", describe(&other)),
        }
    }
    let refs: Vec<(&str, &BTreeMap<String, String>)> =
        crates.iter().map(|(n, f)| (n.as_str(), f)).collect();
    let output = compile::check_generated_in("hostile", &refs).expect("the check harness runs");
    println!(
        "{}",
        if output.is_clean() {
            "clean".to_owned()
        } else {
            output.report()
        }
    );
}

/// Doc code blocks that rustdoc would compile as doctests: fences without a language or with
/// `rust` (or only rustdoc's test attributes), unclosed fences, and indented code blocks.
/// Reads `///` and `//!` comments (what the generator's docs print as); the doc lines of one
/// item form one Markdown text.
fn doctests(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut blocks: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        let doc = t
            .strip_prefix("///")
            .filter(|_| !t.starts_with("////"))
            .or_else(|| t.strip_prefix("//!"));
        match doc {
            Some(d) => current.push(d.to_owned()),
            // Blank lines between `///` lines do not end an item's docs.
            None if t.is_empty() => {}
            None if !current.is_empty() => blocks.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    const RUST_ATTRS: &[&str] = &[
        "rust",
        "should_panic",
        "no_run",
        "compile_fail",
        "test_harness",
        "edition2015",
        "edition2018",
        "edition2021",
        "edition2024",
    ];
    for block in blocks {
        let indent = block
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let lines: Vec<&str> = block
            .iter()
            .map(|l| l.get(indent..).unwrap_or(""))
            .collect();
        let mut fence: Option<(char, usize, bool, String)> = None;
        let mut previous_blank = true;
        for line in &lines {
            let trimmed = line.trim_start();
            let lead = line.len() - trimmed.len();
            let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
            let run = marker.map_or(0, |m| trimmed.chars().take_while(|c| *c == m).count());
            match &mut fence {
                Some((m, n, is_rust, first)) => {
                    if marker == Some(*m)
                        && run >= *n
                        && trimmed.chars().skip(run).all(char::is_whitespace)
                    {
                        if *is_rust {
                            found.push(format!("fenced block starting `{first}`"));
                        }
                        fence = None;
                    } else if first.is_empty() {
                        *first = trimmed.to_owned();
                    }
                }
                None if lead < 4 && run >= 3 => {
                    let info = trimmed[run * marker.map_or(1, char::len_utf8)..].trim();
                    let is_rust = info
                        .split(|c: char| c == ',' || c.is_whitespace())
                        .filter(|w| !w.is_empty())
                        .all(|w| RUST_ATTRS.contains(&w));
                    fence = Some((marker.unwrap_or('`'), run, is_rust, String::new()));
                }
                None if lead >= 4 && previous_blank && !trimmed.is_empty() => {
                    found.push(format!("indented block `{trimmed}`"));
                }
                None => {}
            }
            previous_blank = line.trim().is_empty();
        }
        if let Some((_, _, true, first)) = fence {
            found.push(format!("unclosed fenced block starting `{first}`"));
        }
    }
    found
}

// ---- reading generated Rust -----------------------------------------------------------------

/// Splits Rust source into code, with comments and literals blanked out (newlines kept), and
/// the source text of every string and char literal.
fn strip_rust(src: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = src.chars().collect();
    let mut code = String::with_capacity(src.len());
    let mut literals = Vec::new();
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev_ident = i > 0 && is_ident(chars[i - 1]);
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                code.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    code.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    code.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    code.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if !prev_ident && (c == 'r' || (c == 'b' && next == Some('r'))) && {
            let start = if c == 'b' { i + 2 } else { i + 1 };
            let hashes = chars[start..].iter().take_while(|&&h| h == '#').count();
            chars.get(start + hashes) == Some(&'"')
        } {
            // Raw string: r"..." / r#"..."# / br"...".
            let start = if c == 'b' { i + 2 } else { i + 1 };
            let hashes = chars[start..].iter().take_while(|&&h| h == '#').count();
            let mut j = start + hashes + 1;
            let closing: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            while j < chars.len()
                && !chars[j..]
                    .iter()
                    .take(closing.len())
                    .copied()
                    .eq(closing.chars())
            {
                j += 1;
            }
            let end = (j + closing.len()).min(chars.len());
            literals.push(chars[i..end].iter().collect());
            code.extend(chars[i..end].iter().map(|&c| blank(c)));
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            literals.push(chars[i..end].iter().collect());
            code.extend(chars[i..end].iter().map(|&c| blank(c)));
            i = end;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}'), or a lifetime ('a, '_), which is code.
            let end = if next == Some('\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                Some(j + 1)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match end {
                Some(end) => {
                    let end = end.min(chars.len());
                    literals.push(chars[i..end].iter().collect());
                    code.extend(chars[i..end].iter().map(|&c| blank(c)));
                    i = end;
                }
                None => {
                    code.push(c);
                    i += 1;
                }
            }
        } else {
            code.push(c);
            i += 1;
        }
    }
    (code, literals)
}

/// Identifier (with `r#`), lifetime or single punctuation tokens of blanked code.
fn tokens(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if is_ident(c) || (c == '\'' && chars.get(i + 1).is_some_and(|&n| is_ident(n))) {
            let start = i;
            i += 1;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            if word == "r"
                && chars.get(i) == Some(&'#')
                && chars.get(i + 1).is_some_and(|&n| is_ident(n))
            {
                let s = i + 1;
                i += 1;
                while i < chars.len() && is_ident(chars[i]) {
                    i += 1;
                }
                word = format!("r#{}", chars[s..i].iter().collect::<String>());
            }
            out.push(word);
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

/// Index just past the group that opens at `open` (`{`, `(`, `[` or `<`).
fn skip_group(t: &[String], open: usize) -> usize {
    let (o, c) = match t[open].as_str() {
        "{" => ("{", "}"),
        "(" => ("(", ")"),
        "[" => ("[", "]"),
        _ => ("<", ">"),
    };
    let mut depth = 0i32;
    let mut i = open;
    while i < t.len() {
        if t[i] == o {
            depth += 1;
        } else if t[i] == c && !(c == ">" && i > 0 && t[i - 1] == "-") {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    t.len()
}

/// The public surface of `src/types/**` (`types:`) and `src/operations/**` (`ops:`), one line per
/// item, sorted: `struct X { pub fields }`, `enum X { variants }`, `type X`, `impl X { pub fns }`
/// (inherent impls only, merged per scope; `ops: impl Client { ... }` lists the group
/// accessors), `fn x` for free functions. `mod.rs` files are skipped.
fn surface(files: &BTreeMap<String, String>) -> String {
    let mut lines: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut impls: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (path, text) in files {
        if !(path.starts_with("src/types/") || path.starts_with("src/operations/"))
            || path.ends_with("/mod.rs")
        {
            continue;
        }
        let scope = if path.starts_with("src/types/") {
            "types"
        } else {
            "ops"
        };
        let t = tokens(&strip_rust(text).0);
        let mut i = 0;
        while i < t.len() {
            // Skip attributes.
            if t[i] == "#" {
                let mut j = i + 1;
                if t.get(j).is_some_and(|x| x == "!") {
                    j += 1;
                }
                if t.get(j).is_some_and(|x| x == "[") {
                    i = skip_group(&t, j);
                    continue;
                }
            }
            if t[i] == "impl" {
                // Inherent impls only: `impl [<..>] Path [<..>] {`.
                let mut j = i + 1;
                if t.get(j).is_some_and(|x| x == "<") {
                    j = skip_group(&t, j);
                }
                let mut name = String::new();
                let mut is_trait = false;
                while j < t.len() && t[j] != "{" {
                    if t[j] == "for" {
                        is_trait = true;
                    } else if t[j] == "<" {
                        j = skip_group(&t, j);
                        continue;
                    } else if t[j].chars().next().is_some_and(char::is_alphanumeric)
                        || t[j].starts_with("r#")
                    {
                        name = t[j].clone();
                    }
                    j += 1;
                }
                let end = skip_group(&t, j);
                if !is_trait {
                    let name = format!("{scope}: impl {name}");
                    let methods = impls.entry(name.clone()).or_default();
                    let mut k = j + 1;
                    while k < end {
                        if t[k] == "{" {
                            k = skip_group(&t, k);
                            continue;
                        }
                        if t[k] == "pub" && t.get(k + 1).is_some_and(|x| x == "fn") {
                            methods.push(t[k + 2].clone());
                        } else if t[k] == "pub" && t.get(k + 1).is_some_and(|x| x == "async") {
                            methods.push(t[k + 3].clone());
                        }
                        k += 1;
                    }
                    if !order.contains(&name) {
                        order.push(name);
                    }
                }
                i = end;
                continue;
            }
            if t[i] == "pub" {
                let mut j = i + 1;
                if t.get(j).is_some_and(|x| x == "(") {
                    j = skip_group(&t, j);
                }
                let kind = t.get(j).cloned().unwrap_or_default();
                let name = t.get(j + 1).cloned().unwrap_or_default();
                match kind.as_str() {
                    "struct" | "enum" => {
                        let mut k = j + 2;
                        if t.get(k).is_some_and(|x| x == "<") {
                            k = skip_group(&t, k);
                        }
                        let members = if t.get(k).is_some_and(|x| x == "{") {
                            let end = skip_group(&t, k);
                            let members = if kind == "struct" {
                                struct_fields(&t[k + 1..end - 1])
                            } else {
                                enum_variants(&t[k + 1..end - 1])
                            };
                            i = end;
                            members
                        } else {
                            i = k;
                            Vec::new()
                        };
                        lines.insert(
                            format!("{scope}: {kind} {name} {{ {} }}", members.join(", "))
                                .replace("{  }", "{ }"),
                            BTreeSet::new(),
                        );
                        continue;
                    }
                    "type" | "fn" | "mod" | "trait" | "const" | "static" => {
                        lines.insert(format!("{scope}: {kind} {name}"), BTreeSet::new());
                    }
                    _ => {}
                }
            }
            i += 1;
        }
    }
    for name in order {
        let mut methods = impls.remove(&name).unwrap_or_default();
        methods.sort();
        lines.insert(
            format!("{name} {{ {} }}", methods.join(", ")).replace("{  }", "{ }"),
            BTreeSet::new(),
        );
    }
    lines.into_keys().collect::<Vec<_>>().join("\n")
}

/// `pub` field names of a struct body.
fn struct_fields(body: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if body[i] == "#" && body.get(i + 1).is_some_and(|x| x == "[") {
            i = skip_group(body, i + 1);
            continue;
        }
        if body[i] == "pub" && body.get(i + 2).is_some_and(|x| x == ":") {
            out.push(body[i + 1].clone());
        }
        if body[i] == "<" || body[i] == "(" || body[i] == "{" || body[i] == "[" {
            i = skip_group(body, i);
            continue;
        }
        i += 1;
    }
    out
}

/// Variant names of an enum body.
fn enum_variants(body: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut expect_name = true;
    let mut i = 0;
    while i < body.len() {
        let tok = &body[i];
        if tok == "#" && body.get(i + 1).is_some_and(|x| x == "[") {
            i = skip_group(body, i + 1);
            continue;
        }
        if tok == "(" || tok == "{" || tok == "<" || tok == "[" {
            i = skip_group(body, i);
            continue;
        }
        if tok == "," {
            expect_name = true;
        } else if expect_name {
            out.push(tok.clone());
            expect_name = false;
        }
        i += 1;
    }
    out
}

/// Trims the hand-written listing: one item per line, sorted.
fn normalize_surface(text: &str) -> String {
    let lines: BTreeSet<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            match l
                .split_once(" impl ")
                .and_then(|(scope, r)| Some((scope, r.split_once(" { ")?)))
            {
                Some((scope, (name, rest))) => {
                    let mut methods: Vec<&str> = rest
                        .trim_end_matches('}')
                        .split(',')
                        .map(str::trim)
                        .filter(|m| !m.is_empty())
                        .collect();
                    methods.sort_unstable();
                    format!("{scope} impl {name} {{ {} }}", methods.join(", "))
                        .replace("{  }", "{ }")
                }
                None => l.to_owned(),
            }
        })
        .collect();
    lines.into_iter().collect::<Vec<_>>().join("\n")
}
