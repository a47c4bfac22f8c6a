//! Compiles generated crates with `cargo clippy -D warnings`, all of them in one cargo run.
//!
//! Use it from a test file with
//!
//! ```ignore
//! #[path = "support/compile.rs"]
//! mod compile;
//!
//! let generated = codegen::generate(&text, &options)?;
//! let output = compile::check_generated(&[("my-crate", &generated.files)])?;
//! output.assert_success();
//! ```
//!
//! Layout, under `<workspace>/target/generated-check/`:
//!
//! - `Cargo.toml`: a workspace (`resolver = "3"`) whose members are the crates of this call;
//! - `Cargo.lock`: a copy of the main workspace's lock file, so the generated crates build
//!   against exactly the dependency versions the checked-in client uses (`--offline` works);
//! - `crates/<name>/`: one directory per crate. Files are only rewritten when their content
//!   changed and files or crates that are no longer passed in are removed, so a second run with
//!   unchanged output is cheap;
//! - `target/`: the cargo target directory, shared by every run and every test binary, so the
//!   dependencies (reqwest, rustls, ring, tokio, ...) are checked once (about 30 s) and reused.
//!
//! The crate name passed in must be the `name` in the crate's `Cargo.toml` (what
//! `codegen::Options::crate_name` sets). One `cargo clippy --offline --workspace --all-targets
//! --keep-going --message-format=json -- -D warnings` checks every crate, so one broken crate
//! does not hide the diagnostics of the others. A crate whose manifest cargo cannot load would
//! stop the whole workspace: such crates are reported with `manifest_error` and left out of a
//! second run.
//!
//! `check_generated_in(group, ...)` does the same in `target/generated-check/groups/<group>/`
//! (own `Cargo.toml`, `Cargo.lock` and `crates/`, the same shared `target/`): a test file that
//! uses its own group does not rewrite, and so re-check, another file's crates.
//!
//! Runs in one workspace are serialized by a lock directory (`.lock` in the workspace, holding the
//! pid of its owner; a lock whose owner is gone is taken over), so test binaries and people
//! running tests at the same time do not overwrite each other's crates; cargo's own lock
//! serializes builds in the shared target directory.

// Each test binary that includes this module uses a different part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

/// The main workspace (the parent of the `tests` package).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package sits inside the workspace")
        .to_path_buf()
}

/// `<workspace>/target/generated-check`: where the generated crates are written and checked.
pub fn check_root() -> PathBuf {
    workspace_root().join("target").join("generated-check")
}

/// One compiler message (error or warning) about a generated crate.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// `error` or `warning` (with `-D warnings`, lints arrive as `error`).
    pub level: String,
    /// Lint or error code, e.g. `clippy::needless_return`, `E0425`, `dead_code`.
    pub code: Option<String>,
    pub message: String,
    /// File of the primary span, relative to the crate directory (`src/types/x.rs`).
    pub file: Option<String>,
    pub line: Option<u64>,
    /// The message as rustc prints it.
    pub rendered: String,
}

/// What happened to one crate.
#[derive(Debug, Clone)]
pub struct CrateResult {
    pub name: String,
    /// `target/generated-check/crates/<name>`.
    pub dir: PathBuf,
    /// Cargo could not load this crate's manifest (the crate was not compiled).
    pub manifest_error: Option<String>,
    /// Every compiler error and warning reported for this crate, in order.
    pub diagnostics: Vec<Diagnostic>,
}

impl CrateResult {
    /// The manifest loaded and the crate produced no error and no warning.
    pub fn is_clean(&self) -> bool {
        self.manifest_error.is_none() && self.diagnostics.is_empty()
    }

    /// Diagnostics whose primary span lies in a file of the generated crate.
    pub fn generated_code_diagnostics(&self) -> Vec<&Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.file.is_some())
            .collect()
    }

    /// Human-readable account of what went wrong (empty when clean).
    pub fn report(&self) -> String {
        let mut out = String::new();
        if let Some(e) = &self.manifest_error {
            let _ = writeln!(
                out,
                "crate `{}`: cargo could not load its manifest:\n{e}",
                self.name
            );
        }
        for d in &self.diagnostics {
            let _ = writeln!(out, "crate `{}`: {}", self.name, d.rendered.trim_end());
        }
        out
    }
}

/// The result of one `check_generated` call.
#[derive(Debug)]
pub struct CheckOutput {
    /// Cargo's exit status was success on the last run.
    pub success: bool,
    /// Exit code of the last cargo run (`None` when killed by a signal).
    pub status: Option<i32>,
    /// Cargo's stderr of every run (progress lines, manifest errors, the final summary).
    pub stderr: String,
    /// Per crate, by name, in the order of the call's names.
    pub crates: BTreeMap<String, CrateResult>,
    /// Compiler messages that could not be tied to one of the crates.
    pub other_diagnostics: Vec<Diagnostic>,
    pub elapsed: Duration,
}

impl CheckOutput {
    /// Every crate loaded and compiled without an error or a warning.
    pub fn is_clean(&self) -> bool {
        self.success
            && self.other_diagnostics.is_empty()
            && self.crates.values().all(CrateResult::is_clean)
    }

    /// Crates that failed to load or produced diagnostics.
    pub fn failed(&self) -> Vec<&CrateResult> {
        self.crates.values().filter(|c| !c.is_clean()).collect()
    }

    /// `(crate, diagnostic)` for every message whose primary span is in generated code.
    pub fn generated_warnings(&self) -> Vec<(&str, &Diagnostic)> {
        self.crates
            .values()
            .flat_map(|c| {
                c.generated_code_diagnostics()
                    .into_iter()
                    .map(move |d| (c.name.as_str(), d))
            })
            .collect()
    }

    /// The result for one crate; panics when the name was not checked.
    pub fn krate(&self, name: &str) -> &CrateResult {
        self.crates
            .get(name)
            .unwrap_or_else(|| panic!("crate `{name}` was not part of this check"))
    }

    /// Everything that went wrong, crate by crate, then cargo's stderr tail.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for c in self.failed() {
            out.push_str(&c.report());
        }
        for d in &self.other_diagnostics {
            let _ = writeln!(out, "(not in a generated crate) {}", d.rendered.trim_end());
        }
        if !self.success {
            let tail: Vec<&str> = self.stderr.lines().rev().take(30).collect();
            let _ = writeln!(out, "--- cargo stderr (last lines) ---");
            for line in tail.into_iter().rev() {
                let _ = writeln!(out, "{line}");
            }
        }
        out
    }

    /// Panics with the full report unless every crate is clean.
    #[track_caller]
    pub fn assert_success(&self) {
        assert!(
            self.is_clean(),
            "generated crates do not pass clippy -D warnings:\n{}",
            self.report()
        );
    }
}

/// Writes the crates, then runs one `cargo clippy ... -- -D warnings` over all of them.
///
/// `crates` is `(crate name, files)`, the files keyed by path relative to the crate root as
/// `codegen::Generated::files` has them. Errors are problems of the harness (bad input, I/O,
/// cargo not starting); compile failures are reported in the returned `CheckOutput`.
///
/// The crates go to `target/generated-check/crates/`, replacing those of the previous call.
pub fn check_generated(
    crates: &[(&str, &BTreeMap<String, String>)],
) -> anyhow::Result<CheckOutput> {
    check_in(&check_root(), crates)
}

/// Like `check_generated`, in a workspace of its own, `target/generated-check/groups/<group>/`
/// (same target directory, so dependencies are still shared). Test files that check different
/// crates use different groups, so running one after the other does not rewrite, and re-check,
/// the other's crates.
pub fn check_generated_in(
    group: &str,
    crates: &[(&str, &BTreeMap<String, String>)],
) -> anyhow::Result<CheckOutput> {
    anyhow::ensure!(
        !group.is_empty()
            && group
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "group name {group:?} must be ASCII letters, digits, `-` and `_`"
    );
    check_in(&check_root().join("groups").join(group), crates)
}

fn check_in(
    root: &Path,
    crates: &[(&str, &BTreeMap<String, String>)],
) -> anyhow::Result<CheckOutput> {
    let started = Instant::now();
    validate(crates)?;
    if crates.is_empty() {
        return Ok(CheckOutput {
            success: true,
            status: Some(0),
            stderr: String::new(),
            crates: BTreeMap::new(),
            other_diagnostics: Vec::new(),
            elapsed: started.elapsed(),
        });
    }
    let root = root.to_path_buf();
    std::fs::create_dir_all(root.join("crates"))?;
    let _lock = Lock::acquire(&root.join(".lock"), Duration::from_secs(30 * 60))?;

    // Crates left from earlier calls would become members of nothing; remove them.
    let wanted: BTreeSet<&str> = crates.iter().map(|(name, _)| *name).collect();
    for entry in std::fs::read_dir(root.join("crates"))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !wanted.contains(name.as_str()) {
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(&path)?;
            } else {
                std::fs::remove_file(&path)?;
            }
        }
    }
    for (name, files) in crates {
        sync_dir(&root.join("crates").join(name), files)?;
    }
    let lock_text = std::fs::read(workspace_root().join("Cargo.lock"))?;
    std::fs::write(root.join("Cargo.lock"), lock_text)?;

    let mut results: BTreeMap<String, CrateResult> = crates
        .iter()
        .map(|(name, _)| {
            let result = CrateResult {
                name: (*name).to_owned(),
                dir: root.join("crates").join(name),
                manifest_error: None,
                diagnostics: Vec::new(),
            };
            ((*name).to_owned(), result)
        })
        .collect();
    let mut stderr_all = String::new();
    let mut other = Vec::new();
    let (success, status) = loop {
        let members: Vec<&str> = crates
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| results[*name].manifest_error.is_none())
            .collect();
        write_if_changed(&root.join("Cargo.toml"), &workspace_manifest(&members))?;
        if members.is_empty() {
            break (false, None);
        }
        let run = run_clippy(&root, &check_root().join("target"))?;
        stderr_all.push_str(&run.stderr);
        if !run.status.success() && run.messages.is_empty() {
            // Cargo stopped before compiling anything: a member's manifest may be unloadable.
            let broken: Vec<&str> = members
                .iter()
                .copied()
                .filter(|name| mentions_manifest_of(&run.stderr, &root.join("crates").join(name)))
                .collect();
            if !broken.is_empty() {
                for name in broken {
                    if let Some(r) = results.get_mut(name) {
                        r.manifest_error = Some(run.stderr.trim().to_owned());
                    }
                }
                continue;
            }
        }
        for message in run.messages {
            let crate_dir = message.manifest_dir.as_deref();
            match crate_dir.and_then(|dir| results.values_mut().find(|r| same_path(&r.dir, dir))) {
                Some(result) => {
                    let mut diagnostic = message.diagnostic;
                    diagnostic.file = diagnostic
                        .file
                        .and_then(|f| relative_to(&f, &root, &result.dir));
                    // `--all-targets` checks the library twice (lib and lib test): report once.
                    let seen = result.diagnostics.iter().any(|d| {
                        (&d.code, &d.message, &d.file, d.line)
                            == (
                                &diagnostic.code,
                                &diagnostic.message,
                                &diagnostic.file,
                                diagnostic.line,
                            )
                    });
                    if !seen {
                        result.diagnostics.push(diagnostic);
                    }
                }
                None => other.push(message.diagnostic),
            }
        }
        break (run.status.success(), run.status.code());
    };

    Ok(CheckOutput {
        success,
        status,
        stderr: stderr_all,
        crates: results,
        other_diagnostics: other,
        elapsed: started.elapsed(),
    })
}

fn validate(crates: &[(&str, &BTreeMap<String, String>)]) -> anyhow::Result<()> {
    let mut names = BTreeSet::new();
    for (name, files) in crates {
        anyhow::ensure!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "crate name {name:?} must be ASCII letters, digits, `-` and `_`"
        );
        anyhow::ensure!(names.insert(*name), "crate `{name}` is passed twice");
        let manifest = files
            .get("Cargo.toml")
            .ok_or_else(|| anyhow::anyhow!("crate `{name}` has no Cargo.toml"))?;
        anyhow::ensure!(
            manifest
                .lines()
                .any(|l| l.trim() == format!("name = \"{name}\"")),
            "the Cargo.toml of crate `{name}` must say name = \"{name}\" (set Options::crate_name)"
        );
        for path in files.keys() {
            let p = Path::new(path);
            anyhow::ensure!(
                !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_))),
                "crate `{name}`: file path {path:?} must be relative and stay inside the crate"
            );
            anyhow::ensure!(
                !path.starts_with("target/") && path != "Cargo.lock",
                "crate `{name}`: file path {path:?} is reserved"
            );
        }
    }
    Ok(())
}

/// Makes `dir` hold exactly `files`: rewrites changed files only, removes the others.
fn sync_dir(dir: &Path, files: &BTreeMap<String, String>) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    for existing in list_files(dir)? {
        if !files.contains_key(&existing) {
            std::fs::remove_file(dir.join(&existing))?;
        }
    }
    remove_empty_dirs(dir)?;
    for (path, text) in files {
        write_if_changed(&dir.join(path), text)?;
    }
    Ok(())
}

fn write_if_changed(path: &Path, text: &str) -> anyhow::Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)?;
    Ok(())
}

/// Relative paths (with `/`) of every file under `dir`.
fn list_files(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let child = rel.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                stack.push(child);
            } else {
                out.push(child.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(out)
}

/// Removes empty directories below `dir`; true when `dir` itself is empty.
fn remove_empty_dirs(dir: &Path) -> anyhow::Result<bool> {
    let mut empty = true;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() && remove_empty_dirs(&entry.path())? {
            std::fs::remove_dir(entry.path())?;
        } else {
            empty = false;
        }
    }
    Ok(empty)
}

fn workspace_manifest(members: &[&str]) -> String {
    let mut text = String::from(
        "# Written by tests/support/compile.rs: generated crates checked with clippy -D warnings.\n\
         [workspace]\nresolver = \"3\"\nmembers = [\n",
    );
    for name in members {
        let _ = writeln!(text, "    \"crates/{name}\",");
    }
    text.push_str("]\n\n[profile.dev]\ndebug = false\n");
    text
}

/// Does cargo's error text name `crate_dir` (absolute, or as `crates/<name>`) as a whole path,
/// not as the prefix of a longer crate name?
fn mentions_manifest_of(stderr: &str, crate_dir: &Path) -> bool {
    let absolute = crate_dir.to_string_lossy().into_owned();
    let relative = match crate_dir.file_name() {
        Some(name) => format!("crates/{}", name.to_string_lossy()),
        None => return false,
    };
    [absolute, relative].iter().any(|needle| {
        stderr.match_indices(needle.as_str()).any(|(at, _)| {
            !stderr[at + needle.len()..]
                .starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_')
        })
    })
}

fn same_path(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// `file` (absolute, or relative to the workspace root `root`) relative to `dir`, when inside it.
fn relative_to(file: &str, root: &Path, dir: &Path) -> Option<String> {
    let path = Path::new(file);
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    let rel = match absolute.strip_prefix(dir) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => {
            let (file, dir) = (absolute.canonicalize().ok()?, dir.canonicalize().ok()?);
            file.strip_prefix(dir).ok()?.to_path_buf()
        }
    };
    Some(rel.to_string_lossy().replace('\\', "/"))
}

struct Message {
    /// Directory of the package's manifest.
    manifest_dir: Option<PathBuf>,
    diagnostic: Diagnostic,
}

struct Run {
    status: std::process::ExitStatus,
    stderr: String,
    messages: Vec<Message>,
}

fn run_clippy(root: &Path, target_dir: &Path) -> anyhow::Result<Run> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "clippy",
            "--offline",
            "--workspace",
            "--all-targets",
            "--keep-going",
            "--message-format=json",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .output()
        .map_err(|e| anyhow::anyhow!("could not run cargo clippy: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut messages = Vec::new();
    for line in stdout.lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if value["reason"] != "compiler-message" {
            continue;
        }
        let m = &value["message"];
        let level = m["level"].as_str().unwrap_or_default().to_owned();
        if !(level == "error" || level == "warning") {
            continue;
        }
        let message = m["message"].as_str().unwrap_or_default().to_owned();
        // rustc's closing summaries ("aborting due to ...", "N warnings emitted") carry no span.
        let spans = m["spans"].as_array().cloned().unwrap_or_default();
        if spans.is_empty()
            && (message.starts_with("aborting due to")
                || message.contains("warnings emitted")
                || message.contains("warning emitted"))
        {
            continue;
        }
        let primary = spans
            .iter()
            .find(|s| s["is_primary"] == true)
            .or(spans.first());
        let manifest_dir = value["manifest_path"]
            .as_str()
            .and_then(|p| Path::new(p).parent().map(Path::to_path_buf));
        messages.push(Message {
            manifest_dir,
            diagnostic: Diagnostic {
                level,
                code: m["code"]["code"].as_str().map(str::to_owned),
                message,
                file: primary
                    .and_then(|s| s["file_name"].as_str())
                    .map(str::to_owned),
                line: primary.and_then(|s| s["line_start"].as_u64()),
                rendered: m["rendered"].as_str().unwrap_or_default().to_owned(),
            },
        });
    }
    Ok(Run {
        status: output.status,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        messages,
    })
}

/// A directory used as an inter-process lock; removed on drop.
struct Lock {
    path: PathBuf,
}

impl Lock {
    fn acquire(path: &Path, timeout: Duration) -> anyhow::Result<Lock> {
        let started = Instant::now();
        loop {
            match std::fs::create_dir(path) {
                Ok(()) => {
                    std::fs::write(path.join("pid"), std::process::id().to_string())?;
                    return Ok(Lock {
                        path: path.to_path_buf(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if Self::is_stale(path) {
                        let _ = std::fs::remove_dir_all(path);
                        continue;
                    }
                }
                Err(e) => return Err(e.into()),
            }
            anyhow::ensure!(
                started.elapsed() < timeout,
                "timed out waiting for {} (remove it if no check is running)",
                path.display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The owner is gone (Linux: no `/proc/<pid>`), or the lock is older than an hour.
    fn is_stale(path: &Path) -> bool {
        let age = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .unwrap_or_default();
        if age > Duration::from_secs(60 * 60) {
            return true;
        }
        let proc_fs = Path::new("/proc/self");
        match std::fs::read_to_string(path.join("pid")) {
            Ok(pid) if proc_fs.exists() => !Path::new("/proc").join(pid.trim()).exists(),
            // No pid yet (the owner is between create_dir and write) or no /proc: wait.
            _ => false,
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
