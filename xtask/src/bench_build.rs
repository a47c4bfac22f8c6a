//! `cargo xtask bench-build`: how long the generated crate's own compile unit takes, beside
//! async-openai's, in one run.
//!
//! Four tiny binaries are set up under `target/bench-build/`, each with its own target dir:
//! the generated crate with its default features (every API group) and with only `chat`, and
//! async-openai 0.43 with `full` and with `chat-completion` only. Dependencies are built once
//! (not timed). Then, for each round, each unit is cleaned (`cargo clean -p`) and rebuilt
//! (debug), in an order that rotates every round; the wall time of that rebuild is the unit's
//! time. Medians of the rounds and the ratios are printed.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One thing to build: a name, the package whose unit is timed, and the dependency line.
struct Subject {
    name: &'static str,
    package: &'static str,
    dependency: String,
}

fn subjects(generated: &Path) -> Vec<Subject> {
    let path = generated.display().to_string().replace('\\', "/");
    vec![
        Subject {
            name: "ours-full",
            package: "openrouter-generated",
            dependency: format!(r#"openrouter-generated = {{ path = "{path}" }}"#),
        },
        Subject {
            name: "async-openai-full",
            package: "async-openai",
            dependency: r#"async-openai = { version = "=0.43.0", features = ["full"] }"#.to_owned(),
        },
        Subject {
            name: "ours-chat",
            package: "openrouter-generated",
            dependency: format!(
                r#"openrouter-generated = {{ path = "{path}", default-features = false, features = ["rustls", "chat"] }}"#
            ),
        },
        Subject {
            name: "async-openai-chat",
            package: "async-openai",
            dependency: r#"async-openai = { version = "=0.43.0", features = ["chat-completion"] }"#
                .to_owned(),
        },
        Subject {
            name: "ours-full-round-trip",
            package: "openrouter-generated",
            dependency: format!(
                r#"openrouter-generated = {{ path = "{path}", features = ["round-trip"] }}"#
            ),
        },
    ]
}

/// Writes the subject's project and builds its dependencies; returns the project directory.
fn prepare(base: &Path, subject: &Subject) -> Result<PathBuf> {
    let dir = base.join(subject.name);
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bench-{}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{}\n\n[workspace]\n",
            subject.name, subject.dependency
        ),
    )?;
    std::fs::write(dir.join("src/main.rs"), "fn main() {}\n")?;
    println!(
        "preparing {} (dependencies are built once, not timed)",
        subject.name
    );
    run(&dir, &["build", "--quiet"])?;
    Ok(dir)
}

fn run(dir: &Path, args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        // Each project keeps its own target dir, whatever the caller's environment says.
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .with_context(|| format!("running cargo {} in {}", args.join(" "), dir.display()))?;
    if !status.success() {
        bail!("cargo {} failed in {}", args.join(" "), dir.display());
    }
    Ok(())
}

/// Cleans the subject's package and times its rebuild.
fn time_unit(dir: &Path, subject: &Subject) -> Result<Duration> {
    run(dir, &["clean", "--quiet", "-p", subject.package])?;
    let started = Instant::now();
    run(dir, &["build", "--quiet"])?;
    Ok(started.elapsed())
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Runs the benchmark with `rounds` rounds and prints the table.
pub fn bench_build(root: &Path, rounds: usize) -> Result<()> {
    let base = root.join("target/bench-build");
    let subjects = subjects(&root.join("openrouter-generated"));
    let dirs: Vec<PathBuf> = subjects
        .iter()
        .map(|s| prepare(&base, s))
        .collect::<Result<_>>()?;
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); subjects.len()];
    for round in 0..rounds {
        for k in 0..subjects.len() {
            let i = (k + round) % subjects.len();
            let elapsed = time_unit(&dirs[i], &subjects[i])?;
            println!(
                "round {}: {:<20} {:>6.1} s",
                round + 1,
                subjects[i].name,
                elapsed.as_secs_f64()
            );
            times[i].push(elapsed);
        }
    }
    let medians: Vec<Duration> = times.iter().cloned().map(median).collect();
    println!("\nown compile unit, debug, median of {rounds} rounds:");
    for (subject, m) in subjects.iter().zip(&medians) {
        println!("  {:<20} {:>6.1} s", subject.name, m.as_secs_f64());
    }
    let ratio = |a: usize, b: usize| medians[a].as_secs_f64() / medians[b].as_secs_f64();
    println!("\nratios (target):");
    println!(
        "  ours-full / async-openai-full = {:.2} (at most 1.0)",
        ratio(0, 1)
    );
    println!(
        "  ours-chat / async-openai-chat = {:.2} (at most 1.5)",
        ratio(2, 3)
    );
    println!("  ours-chat / ours-full         = {:.2}", ratio(2, 0));
    println!(
        "  ours-full-round-trip / ours-full = {:.2} (what the `round-trip` feature costs)",
        ratio(4, 0)
    );
    Ok(())
}
