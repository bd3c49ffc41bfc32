//! The round-trip proof: builds the imported crate with cargo, runs its
//! `synth`, and compares the template it prints with the input.
//!
//! Owns running the build and reading its result; the comparison itself is
//! [`super::compare`].

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

use super::compare::{Difference, differences};
use crate::template::Template;
use crate::template::parse::parse_template;

/// What the round trip found.
#[derive(Debug, Clone)]
pub struct RoundTrip {
    /// Differences between the input and the reproduced template; empty
    /// when the crate reproduces it.
    pub differences: Vec<Difference>,
    /// How long building the crate and running its synth took.
    pub elapsed: Duration,
}

/// Why the round trip could not be run to the end.
#[derive(Debug, Error)]
pub enum CheckError {
    /// cargo could not be started.
    #[error("cannot run cargo ({0}); is the Rust toolchain on PATH?")]
    NoCargo(String),
    /// The crate did not build, or its synth refused: cargo's or synth's
    /// own messages are on standard error above this one.
    #[error("`cargo run -- synth` in {dir} failed with {status}; its messages are above")]
    Failed {
        /// The crate.
        dir: String,
        /// Its exit status.
        status: String,
    },
    /// synth printed something that is not a template.
    #[error("the imported crate's synth printed no readable template: {0}")]
    Unreadable(String),
}

/// Builds the crate in `dir` (its own `target/`, or `CARGO_TARGET_DIR`)
/// and compares its template for the default environment with
/// `expected`. cargo's progress goes to standard error.
pub fn round_trip(dir: &Path, expected: &Template) -> Result<RoundTrip, CheckError> {
    let started = Instant::now();
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["run", "--quiet", "--", "synth", "--format", "json"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| CheckError::NoCargo(e.to_string()))?;
    if !output.status.success() {
        return Err(CheckError::Failed {
            dir: dir.display().to_string(),
            status: output.status.to_string(),
        });
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let actual =
        parse_template(&text, "synth").map_err(|e| CheckError::Unreadable(e.to_string()))?;
    Ok(RoundTrip {
        differences: differences(expected, &actual.template),
        elapsed: started.elapsed(),
    })
}
