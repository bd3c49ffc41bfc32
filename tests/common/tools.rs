//! The pinned external tools tests run (cfn-lint, checkov, moto, LocalStack):
//! their venvs, built by `tools/venv.sh` on first use so that `cargo test`
//! works on a fresh machine, and a cfn-lint run that must come back clean;
//! plus the two declarations every lint template needs (a described
//! parameter, an output), so templates built for linting stay warning-free.
//!
//! Shared by both test binaries (`tests/library` and `tests/cli`), which
//! include it by path; the AWS harness stays in `tests/cli/support`.

// Each test crate uses a different part of this file.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use hagen::stack::{ParamHandle, Stack};
use hagen::template::{Expr, Output, Parameter};

/// The repository root: the nearest folder above the test's package that
/// holds `tools/venv.sh` (the library's tests run from the root, the
/// binary's from `blueprints/swiftcode`).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|dir| dir.join("tools/venv.sh").is_file())
        .unwrap_or(manifest)
        .to_path_buf()
}

/// The venv directory of a pinned tool, built by `tools/venv.sh` when
/// missing. Panics with the script's own message when it cannot be built:
/// a test that needs a tool fails loudly rather than passing.
pub fn venv(name: &str) -> PathBuf {
    let root = repo_root();
    let out = Command::new("bash")
        .arg(root.join("tools/venv.sh"))
        .arg(name)
        .current_dir(&root)
        .output()
        .unwrap_or_else(|e| panic!("cannot run tools/venv.sh {name}: {e}"));
    assert!(
        out.status.success(),
        "tools/venv.sh {name} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// The pinned cfn-lint executable.
pub fn cfn_lint() -> PathBuf {
    venv("cfn-lint").join("bin/cfn-lint")
}

/// Runs the pinned cfn-lint on `files` and fails the test on any error,
/// warning or informational finding, printing cfn-lint's report.
pub fn assert_cfn_lint_clean(files: &[&Path]) {
    let lint = Command::new(cfn_lint())
        .args(files)
        .output()
        .expect("cfn-lint runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
    assert!(
        lint.status.success() && report.trim().is_empty(),
        "cfn-lint found problems (exit {:?}):\n{report}",
        lint.status.code()
    );
}

/// Declares a parameter with a description (cfn-lint wants one).
pub fn parameter(stack: &mut Stack, name: &str, param_type: &str) -> ParamHandle {
    stack
        .parameter(
            name,
            Parameter {
                param_type: param_type.into(),
                description: Some(format!("{name} for the lint template")),
                ..Parameter::default()
            },
        )
        .unwrap()
}

/// Declares an output, so the values under test are used.
pub fn output(stack: &mut Stack, id: &str, value: impl Into<Expr>) {
    stack
        .output(
            id,
            Output {
                description: Some(id.into()),
                value: value.into(),
                export_name: None,
                condition: None,
            },
        )
        .unwrap();
}
