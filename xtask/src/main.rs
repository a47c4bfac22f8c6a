//! `cargo xtask regen` writes `openrouter-generated/` from `spec/openrouter.yaml`;
//! `cargo xtask regen --check` fails, with a diff, when the checked-in crate has drifted.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: cargo xtask <regen [--check] | test>

  regen          regenerate openrouter-generated/ from spec/openrouter.yaml
  regen --check  exit non-zero (printing a diff) if openrouter-generated/ is out of date
  test           regen --check, then clippy -D warnings on every target, then every test";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["regen"] => regen(false),
        ["regen", "--check"] => regen(true),
        ["test"] => test(),
        ["help" | "--help" | "-h"] | [] => {
            println!("{USAGE}");
            Ok(true)
        }
        _ => {
            eprintln!("{USAGE}");
            Ok(false)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a cargo command in the workspace root; true when it succeeds.
fn cargo(args: &[&str]) -> Result<bool> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    println!("==> cargo {}", args.join(" "));
    let status = std::process::Command::new(cargo)
        .args(args)
        .current_dir(workspace_root())
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    Ok(status.success())
}

/// The whole check suite, in the order that fails fastest.
fn test() -> Result<bool> {
    if !regen(true)? {
        return Ok(false);
    }
    if !cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])? {
        return Ok(false);
    }
    cargo(&["test", "--workspace"])
}

fn regen(check: bool) -> Result<bool> {
    let root = workspace_root();
    let spec_path = root.join("spec/openrouter.yaml");
    let out_dir = root.join("openrouter-generated");
    let started = Instant::now();
    let text = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("reading {}", spec_path.display()))?;
    let generated = codegen::generate(&text, &codegen::Options::default())
        .with_context(|| format!("generating from {}", spec_path.display()))?;
    for warning in &generated.warnings {
        eprintln!("warning: {warning}");
    }
    if check {
        let drift = codegen::tree::check(&out_dir, &generated.files)
            .with_context(|| format!("reading {}", out_dir.display()))?;
        if drift.is_clean() {
            println!(
                "openrouter-generated/ is up to date ({} files, checked in {:.0?})",
                generated.files.len(),
                started.elapsed()
            );
            return Ok(true);
        }
        print!("{}", drift.report);
        eprintln!(
            "openrouter-generated/ is out of date: {} missing, {} extra, {} changed; run `cargo xtask regen`",
            drift.missing.len(),
            drift.extra.len(),
            drift.changed.len()
        );
        return Ok(false);
    }
    let drift = codegen::tree::write(&out_dir, &generated.files)
        .with_context(|| format!("writing {}", out_dir.display()))?;
    println!(
        "wrote openrouter-generated/: {} files ({} new, {} changed, {} removed) in {:.0?}",
        generated.files.len(),
        drift.missing.len(),
        drift.changed.len(),
        drift.extra.len(),
        started.elapsed()
    );
    Ok(true)
}
