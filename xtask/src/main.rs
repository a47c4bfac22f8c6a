//! `cargo xtask regen` writes `openrouter-generated/` from `spec/openrouter.yaml`;
//! `cargo xtask regen --check` fails, with a diff, when the checked-in crate has drifted;
//! `cargo xtask spec-diff` compares `spec/openrouter.yaml` with OpenRouter's published document.

use anyhow::{Context, Result};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str =
    "usage: cargo xtask <regen [OPTIONS] | test | fmt | features | bench-build | spec-diff [OPTIONS]>

  regen          regenerate openrouter-generated/ from spec/openrouter.yaml
  regen --check  exit non-zero (printing a diff) if openrouter-generated/ is out of date
  test           regen --check, rustfmt --check on the hand-written code, clippy -D warnings
                 on every target, rustdoc -D warnings on the generated crate, features, every
                 test
  fmt            rustfmt the hand-written code (crates other than the generated one, and
                 codegen/runtime/), then regen so the generated crate's runtime copies follow
  features       clippy -D warnings on the generated crate with each API group alone and none
  bench-build [--rounds N]
                 time the generated crate's own compile unit (all groups, chat only) beside
                 async-openai 0.43 (full, chat only), alternating, N rounds (default 3)
  spec-diff      compare spec/openrouter.yaml with another OpenAPI document, per operation

spec-diff options:
  --against PATH        the other document (YAML or JSON); default $OPENROUTER_REFERENCE_SPEC,
                        else ../shared/reference/openrouter-openapi.yaml from the workspace root
  --ours PATH           our document instead of spec/openrouter.yaml
  --differences PATH    the reviewed deliberate differences instead of spec/differences.yaml
                        (the format is described at the top of that file); differences an entry
                        explains are summarized per entry, the others printed in full
  --verbose             list every explained difference under its entry, too
  --fail-on-unexplained exit non-zero when a difference or extra operation is unexplained, an
                        operation is missing, or an entry is stale (explains nothing)
  --fail-on-diff        exit non-zero when anything differs, is missing or is extra, explained
                        or not

regen options:
  --check         compare instead of writing
  --spec PATH     generate from another document (YAML or JSON) instead of spec/openrouter.yaml
  --out DIR       write (or check) that directory instead of openrouter-generated/";

/// Environment variable naming the reference document `spec-diff` compares against.
const REFERENCE_ENV: &str = "OPENROUTER_REFERENCE_SPEC";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["regen", rest @ ..] => regen_args(rest),
        ["features"] => features(),
        ["bench-build"] => xtask::bench_build::bench_build(&workspace_root(), 3).map(|()| true),
        ["bench-build", "--rounds", n] => match n.parse() {
            Ok(rounds) if rounds > 0 => {
                xtask::bench_build::bench_build(&workspace_root(), rounds).map(|()| true)
            }
            _ => {
                eprintln!("--rounds takes a positive number\n\n{USAGE}");
                Ok(false)
            }
        },
        ["test"] => test(),
        ["fmt"] => fmt(),
        ["spec-diff", rest @ ..] => spec_diff(rest),
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
    if !regen(&Regen::default_for(true))? {
        return Ok(false);
    }
    if !rustfmt(true)? {
        return Ok(false);
    }
    if !cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])? {
        return Ok(false);
    }
    // The generated crate's documentation without a rustdoc warning: every group (on by
    // default), `tracing` and `round-trip`; not `native-tls`, which documents nothing of ours
    // and would build OpenSSL. About a minute on a cold 2-core machine.
    if !cargo(&[
        "rustdoc",
        "-p",
        "openrouter-generated",
        "--lib",
        "--features",
        "tracing,round-trip",
        "--",
        "-D",
        "warnings",
    ])? {
        return Ok(false);
    }
    if !features()? {
        return Ok(false);
    }
    cargo(&["test", "--workspace"])
}

/// The crates written by hand: `cargo xtask fmt` formats them and `test` checks them with
/// rustfmt's default style. The generated crate is printed by prettyplease and pinned by
/// `regen --check`, except for the runtime sources it copies from `codegen/runtime/`, which
/// are formatted like the rest of the hand-written code.
const HAND_WRITTEN: [&str; 4] = [
    "openrouter-codegen",
    "xtask",
    "openrouter-tests",
    "openrouter-examples",
];

/// rustfmt over the hand-written crates and `codegen/runtime/` (which no crate compiles as a
/// module, so `cargo fmt` does not see it); with `check`, reports instead of rewriting.
fn rustfmt(check: bool) -> Result<bool> {
    let mut args = vec!["fmt"];
    for package in HAND_WRITTEN {
        args.extend(["-p", package]);
    }
    if check {
        args.push("--check");
    }
    let crates_ok = cargo(&args)?;
    let mut files = Vec::new();
    let mut dirs = vec![workspace_root().join("codegen/runtime")];
    while let Some(dir) = dirs.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut command = std::process::Command::new("rustfmt");
    command.args(["--edition", "2024"]);
    if check {
        command.arg("--check");
    }
    let runtime_ok = command
        .args(&files)
        .status()
        .context("running rustfmt")?
        .success();
    if check && !(crates_ok && runtime_ok) {
        eprintln!("the hand-written code is not formatted: run `cargo xtask fmt`");
    }
    Ok(crates_ok && runtime_ok)
}

/// `cargo xtask fmt`: formats the hand-written code, then regenerates so the runtime copies in
/// the generated crate follow.
fn fmt() -> Result<bool> {
    Ok(rustfmt(false)? && regen(&Regen::default_for(false))?)
}

/// The API-group features of the generated crate, from its `full` feature.
fn group_features() -> Result<Vec<String>> {
    let path = workspace_root().join("openrouter-generated/Cargo.toml");
    let manifest =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let line = manifest
        .lines()
        .find_map(|l| l.strip_prefix("full = ["))
        .with_context(|| format!("{} has no `full` feature", path.display()))?;
    Ok(line
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect())
}

/// `cargo xtask features`: the generated crate passes clippy with each API group alone and
/// with none (TLS on, everything else off), so a lean build never breaks.
fn features() -> Result<bool> {
    let groups = group_features()?;
    let sets =
        std::iter::once("rustls".to_owned()).chain(groups.iter().map(|g| format!("rustls,{g}")));
    let mut ok = true;
    for set in sets {
        ok &= cargo(&[
            "clippy",
            "--quiet",
            "-p",
            "openrouter-generated",
            "--no-default-features",
            "--features",
            &set,
            "--",
            "-D",
            "warnings",
        ])?;
    }
    Ok(ok)
}

/// What `regen` reads, where it writes, and whether it only checks.
struct Regen {
    check: bool,
    spec: PathBuf,
    out: PathBuf,
}

impl Regen {
    fn default_for(check: bool) -> Self {
        let root = workspace_root();
        Self {
            check,
            spec: root.join("spec/openrouter.yaml"),
            out: root.join("openrouter-generated"),
        }
    }
}

/// `cargo xtask regen [--check] [--spec PATH] [--out DIR]`.
fn regen_args(args: &[&str]) -> Result<bool> {
    let mut job = Regen::default_for(false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (*arg, None),
        };
        match flag {
            "--check" if inline.is_none() => job.check = true,
            "--spec" | "--out" => {
                let Some(value) = inline.or_else(|| args.next().copied()) else {
                    eprintln!("{flag} needs a path\n\n{USAGE}");
                    return Ok(false);
                };
                if flag == "--spec" {
                    job.spec = PathBuf::from(value);
                } else {
                    job.out = PathBuf::from(value);
                }
            }
            _ => {
                eprintln!("unknown regen argument `{arg}`\n\n{USAGE}");
                return Ok(false);
            }
        }
    }
    regen(&job)
}

fn regen(regen: &Regen) -> Result<bool> {
    let check = regen.check;
    let spec_path = &regen.spec;
    let out_dir = &regen.out;
    let shown = out_dir.display();
    let started = Instant::now();
    let text = std::fs::read_to_string(spec_path)
        .with_context(|| format!("reading {}", spec_path.display()))?;
    let generated = codegen::generate(&text, &codegen::Options::default())
        .with_context(|| format!("generating from {}", spec_path.display()))?;
    for warning in &generated.warnings {
        eprintln!("warning: {warning}");
    }
    if check {
        let drift = codegen::tree::check(out_dir, &generated.files)
            .with_context(|| format!("reading {}", out_dir.display()))?;
        if drift.is_clean() {
            println!(
                "{shown} is up to date ({} files, checked in {:.0?})",
                generated.files.len(),
                started.elapsed()
            );
            return Ok(true);
        }
        print!("{}", drift.report);
        eprintln!(
            "{shown} is out of date: {} missing, {} extra, {} changed; run `cargo xtask regen`",
            drift.missing.len(),
            drift.extra.len(),
            drift.changed.len()
        );
        return Ok(false);
    }
    let drift = codegen::tree::write(out_dir, &generated.files)
        .with_context(|| format!("writing {}", out_dir.display()))?;
    println!(
        "wrote {shown}: {} files ({} new, {} changed, {} removed) in {:.0?}",
        generated.files.len(),
        drift.missing.len(),
        drift.changed.len(),
        drift.extra.len(),
        started.elapsed()
    );
    Ok(true)
}

/// `cargo xtask spec-diff [--against PATH] [--ours PATH] [--differences PATH] [--verbose]
/// [--fail-on-unexplained] [--fail-on-diff]`.
fn spec_diff(args: &[&str]) -> Result<bool> {
    let root = workspace_root();
    let mut ours = root.join("spec/openrouter.yaml");
    let mut against = None;
    let mut differences = None;
    let mut fail_on_diff = false;
    let mut fail_on_unexplained = false;
    let mut verbose = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (*arg, None),
        };
        match flag {
            "--fail-on-diff" if inline.is_none() => fail_on_diff = true,
            "--fail-on-unexplained" if inline.is_none() => fail_on_unexplained = true,
            "--verbose" if inline.is_none() => verbose = true,
            "--against" | "--ours" | "--differences" => {
                let Some(value) = inline.or_else(|| args.next().copied()) else {
                    eprintln!("{flag} needs a path\n\n{USAGE}");
                    return Ok(false);
                };
                let value = PathBuf::from(value);
                match flag {
                    "--ours" => ours = value,
                    "--against" => against = Some(value),
                    _ => differences = Some(value),
                }
            }
            _ => {
                eprintln!("unknown spec-diff argument `{arg}`\n\n{USAGE}");
                return Ok(false);
            }
        }
    }
    let against = against
        .or_else(|| {
            std::env::var_os(REFERENCE_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| {
            let parent = root.parent().unwrap_or(&root);
            parent.join("shared/reference/openrouter-openapi.yaml")
        });
    if !against.is_file() {
        anyhow::bail!(
            "no document to compare with at {}; pass --against PATH or set {REFERENCE_ENV}",
            against.display()
        );
    }
    let read = |path: &Path| {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    };
    // The default file may be absent (nothing is explained then); a named one must exist.
    let named = differences.is_some();
    let differences = differences.unwrap_or_else(|| root.join("spec/differences.yaml"));
    let explanations = if named || differences.is_file() {
        xtask::spec_diff::Explanations::parse(&read(&differences)?)
            .with_context(|| format!("reading {}", differences.display()))?
    } else {
        xtask::spec_diff::Explanations::default()
    };
    let ours_text = read(&ours)?;
    let theirs_text = read(&against)?;
    let report = xtask::spec_diff::diff(&ours_text, &theirs_text)
        .with_context(|| format!("comparing {} with {}", ours.display(), against.display()))?;
    let classified = xtask::spec_diff::explain(&report, &explanations);
    let differences = if named || differences.is_file() {
        format!(
            "{} ({} entries)",
            differences.display(),
            explanations.entries.len()
        )
    } else {
        format!(
            "none ({} is absent: nothing is explained)",
            differences.display()
        )
    };
    let text = format!(
        "ours: {}\ntheirs: {}\ndifferences: {differences}\n\n{}",
        ours.display(),
        against.display(),
        classified.render(verbose)
    );
    // A reader that stops early (`| head`) is not an error.
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(e).context("writing the report");
        }
        _ => {}
    }
    Ok(classified.passes(fail_on_diff, fail_on_unexplained))
}
