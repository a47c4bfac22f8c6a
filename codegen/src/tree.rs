//! Writes a generated file set to a directory and compares a directory with one (`--check`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// How a directory differs from the generated files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Drift {
    pub missing: Vec<String>,
    pub extra: Vec<String>,
    pub changed: Vec<String>,
    /// A unified diff of every changed file, and the names of missing/extra ones.
    pub report: String,
}

impl Drift {
    /// True when the directory holds exactly the generated files.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.changed.is_empty()
    }
}

/// Every file under `dir` (relative paths with `/`), skipping `target/`.
pub fn list(dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = rel.join(&name);
            if entry.file_type()?.is_dir() {
                if !(rel.as_os_str().is_empty() && name == "target") {
                    stack.push(child);
                }
            } else {
                out.push(child.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Compares `dir` with `files`: missing, extra and changed files, with a diff.
pub fn check(dir: &Path, files: &BTreeMap<String, String>) -> io::Result<Drift> {
    let mut drift = Drift::default();
    let present = list(dir)?;
    for path in &present {
        if !files.contains_key(path) {
            drift.extra.push(path.clone());
            let _ = writeln!(drift.report, "extra file (not generated): {path}");
        }
    }
    for (path, expected) in files {
        let full = dir.join(path);
        match std::fs::read_to_string(&full) {
            Ok(actual) if &actual == expected => {}
            Ok(actual) => {
                drift.changed.push(path.clone());
                let diff = similar::TextDiff::from_lines(&actual, expected);
                let _ = write!(
                    drift.report,
                    "{}",
                    diff.unified_diff()
                        .context_radius(3)
                        .header(&format!("a/{path}"), &format!("b/{path}"))
                );
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                drift.missing.push(path.clone());
                let _ = writeln!(drift.report, "missing file: {path}");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(drift)
}

/// Writes `files` under `dir`, removing files that are no longer generated (and empty folders).
pub fn write(dir: &Path, files: &BTreeMap<String, String>) -> io::Result<Drift> {
    let drift = check(dir, files)?;
    for path in &drift.extra {
        std::fs::remove_file(dir.join(path))?;
    }
    for path in drift.missing.iter().chain(&drift.changed) {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&full, &files[path])?;
    }
    remove_empty_dirs(dir)?;
    Ok(drift)
}

fn remove_empty_dirs(dir: &Path) -> io::Result<bool> {
    let mut empty = true;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() && entry.file_name() != "target" {
            if remove_empty_dirs(&entry.path())? {
                std::fs::remove_dir(entry.path())?;
            } else {
                empty = false;
            }
        } else {
            empty = false;
        }
    }
    Ok(empty)
}
