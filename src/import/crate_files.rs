//! The files of the imported crate around its blueprint: `Cargo.toml`,
//! `src/main.rs`, `hagen.toml` (with `--stack`: the deployed parameters
//! and tags as an environment), `README.md` and `.gitignore`; and writing
//! them all at once.
//!
//! Owns the crate's shape and the all-or-nothing write: the files go to a
//! sibling directory first and are renamed into place, so an interrupted
//! import never leaves half a crate.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::error::ImportError;
use super::{DeployedStack, HagenDependency};

/// `Cargo.toml`.
pub(crate) fn cargo_toml(
    name: &str,
    source: &str,
    hagen: &HagenDependency,
    features: &[String],
    standalone: bool,
) -> String {
    let mut all = vec!["cli".to_owned()];
    all.extend(features.iter().cloned());
    let features: Vec<String> = all.iter().map(|f| format!("{f:?}")).collect();
    let dependency = match hagen {
        HagenDependency::Version(v) => format!("version = \"={v}\""),
        HagenDependency::Path(p) => format!("path = {:?}", p.display().to_string()),
    };
    let mut out = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\ndescription = {description:?}\n\n[dependencies]\n# `cli` gives the binary hagen's commands (synth, validate, graph, ...); one\n# feature per AWS service the blueprint uses.\nhagen = {{ {dependency}, features = [{features}] }}\n\n[features]\n# `diff`, `deploy` and the stack's lifecycle commands: the AWS SDK, left out\n# by default so that `cargo run -- synth` compiles quickly.\ndeploy = [\"hagen/deploy\"]\n",
        description = format!("The CloudFormation template {source}, as a hagen blueprint"),
        features = features.join(", "),
    );
    if standalone {
        out.push_str("\n# Its own workspace, wherever it is written.\n[workspace]\n");
    }
    out
}

/// `src/main.rs`.
pub(crate) fn main_rs(name: &str, type_name: &str) -> String {
    format!(
        "//! `{name}`: a hagen blueprint, with hagen's command line (`synth`,\n//! `validate`, `diff`, `deploy`, ...): `cargo run -- synth`.\n\n// Large free-form values (policy documents) are written with `json!`.\n#![recursion_limit = \"512\"]\n\nmod blueprint;\n\nuse std::process::ExitCode;\n\nfn main() -> ExitCode {{\n    hagen::cli::main(blueprint::{type_name})\n}}\n"
    )
}

/// `hagen.toml`, when the template came from a deployed stack.
pub(crate) fn hagen_toml(stack: &DeployedStack) -> String {
    let mut out = format!(
        "# The stack `hagen import` read: `cargo run --features deploy -- deploy`\n# updates it in place.\ndefault_environment = {env:?}\n\n[environments.{env}]\nextends = \"stage\"\n",
        env = stack.environment
    );
    if let Some(region) = &stack.region {
        let _ = writeln!(out, "region = {region:?}");
    }
    if !stack.parameters.is_empty() {
        let _ = writeln!(out, "\n[environments.{}.parameters]", stack.environment);
        for (k, v) in &stack.parameters {
            let _ = writeln!(out, "{} = {v:?}", toml_key(k));
        }
    }
    if !stack.tags.is_empty() {
        let _ = writeln!(out, "\n[environments.{}.tags]", stack.environment);
        for (k, v) in &stack.tags {
            let _ = writeln!(out, "{} = {v:?}", toml_key(k));
        }
    }
    out
}

/// A TOML key: bare when it can be, quoted otherwise.
fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_owned()
    } else {
        format!("{k:?}")
    }
}

/// `README.md`.
pub(crate) fn readme(name: &str, source: &str, report: &super::ImportReport) -> String {
    let mut out = format!(
        "# {name}\n\nThe CloudFormation template `{source}` as a hagen blueprint, written by `hagen import`:\n{} resources, {} typed.\n\n```sh\ncargo run -- synth            # the template, checked\ncargo run --features deploy -- diff     # what a deploy would change (nothing, right after the import)\ncargo run --features deploy -- deploy --changeset\n```\n",
        report.resources, report.typed_resources
    );
    if !report.raw.is_empty() {
        out.push_str("\nKept raw (`RawResource`):\n\n");
        for f in &report.raw {
            let _ = writeln!(out, "- `{}` ({}): {}", f.id, f.what, f.why);
        }
    }
    if !report.overrides.is_empty() {
        out.push_str("\nSet as property overrides:\n\n");
        for f in &report.overrides {
            let _ = writeln!(out, "- `{}.{}`: {}", f.id, f.what, f.why);
        }
    }
    out
}

/// rustfmt's layout of `source`, or `None` when rustfmt is not there or
/// refuses it (the code compiles either way).
pub(crate) fn rustfmt(source: &str) -> Option<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let text = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()
}

/// Writes `files` under `dir`, all or nothing: into a fresh sibling
/// directory, renamed to `dir` at the end. `dir` must not exist or be
/// empty.
pub(crate) fn write_all(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), ImportError> {
    let empty = match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) => !dir.exists(),
    };
    if !empty {
        return Err(ImportError::Exists(dir.to_path_buf()));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io = |path: &Path, e: std::io::Error| ImportError::Write(path.to_path_buf(), e.to_string());
    std::fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".hagen-import-")
        .tempdir_in(&parent)
        .map_err(|e| io(&parent, e))?;
    for (path, text) in files {
        let full = staging.path().join(path);
        if let Some(p) = full.parent() {
            std::fs::create_dir_all(p).map_err(|e| io(p, e))?;
        }
        std::fs::write(&full, text).map_err(|e| io(&full, e))?;
    }
    if dir.exists() {
        std::fs::remove_dir(dir).map_err(|e| io(dir, e))?;
    }
    let staged = staging.keep();
    std::fs::rename(&staged, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staged);
        io(dir, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deployed_stack_becomes_an_environment_with_its_values() {
        let toml = hagen_toml(&DeployedStack {
            stack_name: "web-prod".into(),
            environment: "imported".into(),
            region: Some("eu-west-1".into()),
            parameters: vec![("KeyName".into(), "ops".into())],
            tags: vec![("cost center".into(), "42".into())],
        });
        assert!(
            toml.contains("default_environment = \"imported\""),
            "{toml}"
        );
        assert!(toml.contains("[environments.imported.parameters]\nKeyName = \"ops\""));
        assert!(toml.contains("\"cost center\" = \"42\""));
    }

    #[test]
    fn the_crate_is_written_whole_or_not_at_all() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("out");
        write_all(
            &dir,
            &[(PathBuf::from("src/main.rs"), "fn main() {}\n".into())],
        )
        .expect("writes");
        assert!(dir.join("src/main.rs").is_file());
        let again = write_all(&dir, &[(PathBuf::from("x"), String::new())]);
        assert!(matches!(again, Err(ImportError::Exists(_))));
        let leftovers = std::fs::read_dir(root.path()).expect("lists").count();
        assert_eq!(leftovers, 1, "no staging directory is left behind");
    }
}
