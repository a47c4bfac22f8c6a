//! `spec-diff` on small pairs of documents in `tests/fixtures/spec_diff/<case>/`: each report is
//! pinned by a snapshot and its counts are checked; the binary's exit codes are checked too.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use xtask::spec_diff::{Explanations, Report, diff, explain};

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/spec_diff")
        .join(case)
}

/// The other document of a case: `theirs.yaml`, or `theirs.json` when there is one.
fn theirs_path(case: &str) -> PathBuf {
    let json = case_dir(case).join("theirs.json");
    if json.is_file() {
        json
    } else {
        case_dir(case).join("theirs.yaml")
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Diffs a case, pins its rendered report, and returns it for count checks.
fn run(case: &str) -> Report {
    let ours = read(&case_dir(case).join("ours.yaml"));
    let theirs = read(&theirs_path(case));
    let report = diff(&ours, &theirs).unwrap_or_else(|e| panic!("{case}: {e:#}"));
    let text = report.render();
    assert_eq!(
        text,
        diff(&ours, &theirs).unwrap().render(),
        "{case}: output is not stable"
    );
    assert_eq!(
        text.lines().last(),
        Some(report.summary().as_str()),
        "{case}: summary is not last"
    );
    assert_eq!(
        text.matches("operations compared:").count(),
        1,
        "{case}: one summary line"
    );
    insta::assert_snapshot!(case, text);
    report
}

/// (compared, identical, differ, missing, extra)
fn counts(report: &Report) -> (usize, usize, usize, usize, usize) {
    (
        report.compared,
        report.identical,
        report.differ(),
        report.missing.len(),
        report.extra.len(),
    )
}

#[test]
fn identical_documents() {
    let report = run("identical");
    assert_eq!(counts(&report), (2, 2, 0, 0, 0));
    assert!(!report.has_differences());
}

#[test]
fn prose_and_bookkeeping_are_ignored() {
    let report = run("prose_only");
    assert_eq!(counts(&report), (1, 1, 0, 0, 0));
}

#[test]
fn missing_and_extra_operations() {
    let report = run("missing_extra");
    assert_eq!(counts(&report), (2, 1, 1, 1, 1));
    assert_eq!(report.missing, ["GET /activity"]);
    assert_eq!(report.extra, ["POST /keys"]);
}

#[test]
fn parameter_requirement_type_and_location() {
    let report = run("parameters");
    assert_eq!(counts(&report), (1, 0, 1, 0, 0));
    let lines = &report.differing[0].lines();
    assert!(
        lines.contains(
            &"parameter query offset: type differs: ours integer theirs string".to_owned()
        )
    );
    assert!(lines.contains(
        &"parameter query limit: required differs: ours optional theirs required".to_owned()
    ));
    assert!(lines.contains(
        &"parameter query category: location differs: ours query theirs header".to_owned()
    ));
}

#[test]
fn enum_value_added() {
    let report = run("enum_added");
    assert_eq!(counts(&report), (1, 0, 1, 0, 0));
    assert_eq!(
        report.differing[0].lines(),
        [
            "request body application/json: field limit_reset: enum values differ: ours [daily, weekly] theirs [daily, weekly, monthly]"
        ]
    );
}

#[test]
fn field_type_change_inside_all_of() {
    let report = run("allof_type");
    assert_eq!(counts(&report), (1, 0, 1, 0, 0));
    assert_eq!(
        report.differing[0].lines(),
        ["response 201 application/json: field budget: type differs: ours integer theirs number"]
    );
}

#[test]
fn nullable_spellings_are_equivalent() {
    let report = run("nullable");
    assert_eq!(counts(&report), (1, 0, 1, 0, 0));
    assert_eq!(
        report.differing[0].lines(),
        [
            "response 200 application/json: field expires_at: nullable differs: ours not nullable theirs nullable",
            "response 200 application/json: field label: nullable differs: ours nullable theirs not nullable",
        ]
    );
}

#[test]
fn field_nested_in_referenced_array_item() {
    let report = run("nested_array_ref");
    assert_eq!(counts(&report), (1, 0, 1, 0, 0));
    let lines = &report.differing[0].lines();
    assert!(lines.iter().any(|l| {
        l.ends_with("field data[].limit_reset: required differs: ours optional theirs required")
    }));
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("field data[].tags[]: type differs: ours string theirs integer"))
    );
}

#[test]
fn union_branch_added() {
    let report = run("union_branch");
    assert_eq!(counts(&report), (1, 0, 1, 0, 0));
    let lines = &report.differing[0].lines();
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("field part: union branch audio: only in theirs (object)"))
    );
    assert!(lines.iter().any(|l| {
        l.ends_with("field part(image).url: nullable differs: ours not nullable theirs nullable")
    }));
}

#[test]
fn recursive_schemas_terminate() {
    let started = Instant::now();
    let report = run("recursive");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(counts(&report), (1, 0, 1, 0, 0));
}

#[test]
fn json_documents_are_accepted() {
    let report = run("json_theirs");
    assert_eq!(counts(&report), (2, 1, 1, 0, 0));
}

#[test]
fn unreadable_documents_are_errors() {
    assert!(diff("openapi: [", "{}").is_err());
    assert!(diff("{}", "{\"paths\": 3}").is_err());
    assert!(diff("- a list", "{}").is_err());
}

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env_remove("OPENROUTER_REFERENCE_SPEC")
        .output()
        .expect("running xtask")
}

/// Writes `text` to a file of this test run in the temporary directory.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-spec-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creating a temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writing a temporary file");
    path
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn fail_on_diff_sets_the_exit_code() {
    let ours = case_dir("enum_added").join("ours.yaml");
    let theirs = case_dir("enum_added").join("theirs.yaml");
    let (ours, theirs) = (ours.to_str().unwrap(), theirs.to_str().unwrap());
    let none = temp_file("fail_on_diff.yaml", "entries: []\n");
    let none = none.to_str().unwrap();

    let plain = xtask(&[
        "spec-diff",
        "--ours",
        ours,
        "--against",
        theirs,
        "--differences",
        none,
    ]);
    assert!(plain.status.success(), "{plain:?}");
    let text = stdout(&plain);
    assert!(
        text.ends_with("spec-diff: 1 operations compared, 0 identical, 1 differ: 1 differences, 0 explained (by 0 entries), 1 unexplained; 0 missing, 0 extra (0 explained); 0 stale entries\n"),
        "{text}"
    );

    let failing = xtask(&[
        "spec-diff",
        "--ours",
        ours,
        "--against",
        theirs,
        "--differences",
        none,
        "--fail-on-diff",
    ]);
    assert!(!failing.status.success(), "{failing:?}");
    assert_eq!(failing.stdout, plain.stdout);

    let same = case_dir("identical").join("theirs.yaml");
    let clean = xtask(&[
        "spec-diff",
        "--ours",
        ours,
        "--against",
        same.to_str().unwrap(),
        "--differences",
        none,
        "--fail-on-diff",
    ]);
    assert!(
        !clean.status.success(),
        "different operations must fail: {clean:?}"
    );
    let identical = case_dir("identical").join("ours.yaml");
    let clean = xtask(&[
        "spec-diff",
        &format!("--ours={}", identical.display()),
        "--against",
        same.to_str().unwrap(),
        &format!("--differences={none}"),
        "--fail-on-diff",
        "--fail-on-unexplained",
    ]);
    assert!(clean.status.success(), "{clean:?}");
}

/// Explains the one difference of the `enum_added` case.
const ENUM_ADDED: &str = "
entries:
  - id: reset-intervals
    category: deliberate
    operation: 'PATCH /keys/*'
    location: 'request body application/json: field limit_reset'
    kind: enum
    message: 'enum values differ: ours [daily, weekly] theirs [daily, weekly, monthly]'
    reason: We do not offer monthly resets yet.
";

#[test]
fn fail_on_unexplained_sets_the_exit_code() {
    let ours = case_dir("enum_added").join("ours.yaml");
    let theirs = case_dir("enum_added").join("theirs.yaml");
    let (ours, theirs) = (ours.to_str().unwrap(), theirs.to_str().unwrap());
    let run = |differences: &Path, more: &[&str]| {
        let mut args = vec![
            "spec-diff",
            "--ours",
            ours,
            "--against",
            theirs,
            "--differences",
        ];
        args.push(differences.to_str().unwrap());
        args.extend(more);
        xtask(&args)
    };

    // Explained: passes; the line is only counted, with the reason.
    let explained = temp_file("explained.yaml", ENUM_ADDED);
    let output = run(&explained, &["--fail-on-unexplained"]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(!text.contains("field limit_reset"), "{text}");
    assert!(text.contains("reset-intervals [deliberate]: 1 difference in 1 operation\n  We do not offer monthly resets yet.\n"), "{text}");
    assert!(text.ends_with("1 differences, 1 explained (by 1 entries), 0 unexplained; 0 missing, 0 extra (0 explained); 0 stale entries\n"), "{text}");
    // --verbose lists it under the entry; --fail-on-diff still fails on it.
    let verbose = stdout(&run(&explained, &["--verbose"]));
    assert!(verbose.contains("  PATCH /keys/{hash}\n    request body application/json: field limit_reset: enum values differ"), "{verbose}");
    assert!(
        !run(&explained, &["--fail-on-unexplained", "--fail-on-diff"])
            .status
            .success()
    );

    // Unexplained: printed in full, and fails.
    let empty = temp_file("empty.yaml", "");
    let output = run(&empty, &["--fail-on-unexplained"]);
    assert!(!output.status.success(), "{output:?}");
    assert!(stdout(&output).contains(
        "PATCH /keys/{hash}\n  request body application/json: field limit_reset: enum values differ"
    ));
    assert!(
        run(&empty, &[]).status.success(),
        "without the flag the report is only informative"
    );

    // A stale entry fails too, though everything is explained.
    let stale = temp_file(
        "stale.yaml",
        &format!(
            "{ENUM_ADDED}  - id: gone\n    category: deliberate\n    operation: GET /gone\n    kind: type\n    reason: Was true once.\n"
        ),
    );
    let output = run(&stale, &["--fail-on-unexplained"]);
    assert!(!output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("stale: entry `gone` explains nothing"),
        "{text}"
    );
    assert!(text.ends_with("; 1 stale entries\n"), "{text}");

    // A malformed file is an error naming the entry; a named file must exist.
    let bad = temp_file(
        "bad.yaml",
        &ENUM_ADDED.replace("reason: We do not offer monthly resets yet.", "reason: ''"),
    );
    let output = run(&bad, &[]);
    assert!(!output.status.success(), "{output:?}");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("entry 1 (`reset-intervals`) is malformed: `reason` is empty"),
        "{err}"
    );
    assert!(
        !run(Path::new("/nonexistent/differences.yaml"), &[])
            .status
            .success()
    );
}

#[test]
fn extra_operations_can_be_explained_but_missing_ones_fail() {
    let ours = case_dir("missing_extra").join("ours.yaml");
    let theirs = case_dir("missing_extra").join("theirs.yaml");
    let differences = temp_file(
        "extra.yaml",
        "entries:\n  - id: new-keys\n    category: newer-than-published\n    operation: POST /keys\n    kind: extra-operation\n    reason: Newer than their document.\n  - id: parameter-name\n    category: deliberate\n    operation: 'GET /keys/*'\n    kind: path\n    message: 'path differs: ours /keys/{hash} theirs /keys/{id}'\n    reason: Ours to name.\n",
    );
    let output = xtask(&[
        "spec-diff",
        "--ours",
        ours.to_str().unwrap(),
        "--against",
        theirs.to_str().unwrap(),
        "--differences",
        differences.to_str().unwrap(),
        "--fail-on-unexplained",
    ]);
    let text = stdout(&output);
    assert!(!output.status.success(), "GET /activity is missing: {text}");
    assert!(text.contains("missing: GET /activity\n"), "{text}");
    assert!(!text.contains("extra: POST /keys\n"), "{text}");
    assert!(
        text.contains("new-keys [newer-than-published]: 1 extra operation\n"),
        "{text}"
    );
    assert!(text.ends_with("1 differences, 1 explained (by 1 entries), 0 unexplained; 1 missing, 1 extra (1 explained); 0 stale entries\n"), "{text}");
}

#[test]
fn reference_comes_from_the_environment() {
    let ours = case_dir("missing_extra").join("ours.yaml");
    let none = temp_file("environment.yaml", "");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "spec-diff",
            "--ours",
            ours.to_str().unwrap(),
            "--differences",
            none.to_str().unwrap(),
        ])
        .env(
            "OPENROUTER_REFERENCE_SPEC",
            case_dir("missing_extra").join("theirs.yaml"),
        )
        .output()
        .expect("running xtask");
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.ends_with("spec-diff: 2 operations compared, 1 identical, 1 differ: 1 differences, 0 explained (by 0 entries), 1 unexplained; 1 missing, 1 extra (0 explained); 0 stale entries\n"),
        "{text}"
    );
}

#[test]
fn bad_arguments_fail() {
    assert!(!xtask(&["spec-diff", "--bogus"]).status.success());
    assert!(!xtask(&["spec-diff", "--against"]).status.success());
    assert!(!xtask(&["spec-diff", "--differences"]).status.success());
    assert!(!xtask(&["spec-diff", "--verbose=yes"]).status.success());
    assert!(
        !xtask(&["spec-diff", "--against", "/nonexistent/spec.yaml"])
            .status
            .success()
    );
}

/// The checked-in `spec/differences.yaml` is well formed (whether it is up to date depends on
/// the reference document: `cargo xtask spec-diff --fail-on-unexplained` checks that).
#[test]
fn checked_in_differences_file_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let path = root.join("spec/differences.yaml");
    let explanations = Explanations::parse(&read(&path)).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!explanations.entries.is_empty());
}

/// Our spec against OpenRouter's published document, when it is present: finishes quickly and
/// keeps its counts consistent.
#[test]
fn real_reference_document() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let reference = std::env::var_os("OPENROUTER_REFERENCE_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/reference/openrouter-openapi.yaml"));
    if !reference.is_file() {
        eprintln!(
            "skipped: no reference document at {} (set OPENROUTER_REFERENCE_SPEC)",
            reference.display()
        );
        return;
    }
    let started = Instant::now();
    let report = diff(&read(&root.join("spec/openrouter.yaml")), &read(&reference)).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(report.compared > 0);
    assert_eq!(report.compared, report.identical + report.differ());
    // Sorting by the checked-in explanations keeps every difference exactly once.
    let explanations = Explanations::parse(&read(&root.join("spec/differences.yaml"))).unwrap();
    let classified = explain(&report, &explanations);
    let total: usize = report.differing.iter().map(|op| op.differences.len()).sum();
    let explained: usize = classified.explained.iter().map(Vec::len).sum();
    let extra_explained = report.extra.len() - classified.unexplained_extra.len();
    assert_eq!(classified.total, total);
    assert_eq!(explained, classified.explained_count() + extra_explained);
    assert_eq!(
        classified.unexplained_count() + classified.explained_count(),
        total
    );
    // The checked-in file explains every difference and has no stale entry: a change to the
    // spec (or to OpenRouter's document) that nobody explained fails here, naming it.
    let output = xtask(&[
        "spec-diff",
        "--fail-on-unexplained",
        "--against",
        reference.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "unexplained or stale differences:\n{}",
        stdout(&output)
    );
}

/// A document whose one operation answers with `E0`; `E<i>` is built by `schema(i, next)`.
fn chain_document(n: usize, schema: impl Fn(usize, String) -> String) -> String {
    let mut text = String::from(
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/E0'}\ncomponents:\n  schemas:\n",
    );
    for i in 0..n {
        let body = if i + 1 < n {
            schema(i, format!("{{$ref: '#/components/schemas/E{}'}}", i + 1))
        } else {
            "{type: object, properties: {q: {type: string}}}".to_owned()
        };
        text.push_str(&format!("    E{i}: {body}\n"));
    }
    text
}

/// Runs `diff` on a thread of its own and fails if it takes longer than `limit`.
fn diff_within(ours: String, theirs: String, limit: Duration) -> Report {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(diff(&ours, &theirs).expect("both documents parse"));
    });
    rx.recv_timeout(limit).expect("spec-diff finished in time")
}

#[test]
fn all_of_members_merging_the_same_schemas_are_cut_short_with_a_note() {
    // Each schema merges the next one twice: 2^30 nodes to reduce when nothing bounds it.
    let doc = chain_document(30, |_, next| format!("{{allOf: [{next}, {next}]}}"));
    let report = diff_within(doc.clone(), doc, Duration::from_secs(20));
    let text = report.render();
    assert!(
        text.contains("ours not compared past #/components/schemas/E"),
        "{text}"
    );
    assert!(text.contains("more than 10000 schema nodes"), "{text}");
}

#[test]
fn a_schema_graph_with_exponentially_many_paths_is_cut_short_with_a_note() {
    // Two properties lead to the same next schema: 2^40 paths to compare.
    let ours = chain_document(40, |_, next| {
        format!("{{type: object, properties: {{a: {next}, b: {next}}}}}")
    });
    let theirs = ours.replace("q: {type: string}", "q: {type: integer}");
    let report = diff_within(ours, theirs, Duration::from_secs(20));
    let text = report.render();
    assert!(
        text.contains("comparison stopped here: more than 20000 schema pairs"),
        "{text}"
    );
    assert!(
        text.contains(".q: type differs: ours string theirs integer"),
        "{text}"
    );
}

#[test]
fn a_property_whose_all_of_names_its_own_schema_twice_is_compared() {
    let doc = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/B'}\ncomponents:\n  schemas:\n    B:\n      type: object\n      properties:\n        type:\n          allOf:\n            - $ref: '#/components/schemas/B'\n            - $ref: '#/components/schemas/B'\n      required: [type]\n      nullable: true\n";
    let report = diff_within(doc.to_owned(), doc.to_owned(), Duration::from_secs(20));
    assert_eq!(counts(&report), (1, 1, 0, 0, 0), "{}", report.render());
}
