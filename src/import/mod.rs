//! `hagen import`: from an existing CloudFormation template (or a deployed
//! stack's) to a Rust crate whose blueprint reproduces it.
//!
//! The crate depends on hagen, calls `hagen::cli::main`, and builds every
//! resource through its typed L1 type with the template's logical IDs, so
//! deploying it changes nothing. What the typed API cannot hold falls back
//! to property overrides or `RawResource`, with a comment saying why,
//! never to a failure. [`check::round_trip`] proves the result.
//!
//! Layers: `catalog` (the generator's names), `refs` and `expr_code`
//! (intrinsics and free-form values), `typed` (typed values),
//! `blueprint_file` (the blueprint's layout), `crate_files` (the crate
//! around it), [`compare`] and [`check`] (the proof).

mod blueprint_file;
pub(crate) mod catalog;
pub mod check;
pub mod compare;
pub mod constructs;
mod crate_files;
mod error;
mod expr_code;
mod refs;
mod report;
mod rust_text;
mod typed;

use std::path::{Path, PathBuf};

pub use error::ImportError;
pub use report::{Fallback, ImportReport};

use crate::template::Template;

/// Where the imported crate takes hagen from.
#[derive(Debug, Clone, PartialEq)]
pub enum HagenDependency {
    /// A released version (`= version`).
    Version(String),
    /// A local checkout (`--hagen-path`).
    Path(PathBuf),
}

/// A deployed stack's values, for the generated `hagen.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployedStack {
    /// The stack's name: the environment deploys to it.
    pub stack_name: String,
    /// The environment's name in `hagen.toml`.
    pub environment: String,
    /// The region it was read from (pinned in the environment).
    pub region: Option<String>,
    /// Parameter values (`NoEcho` ones left out: AWS only returns `****`).
    pub parameters: Vec<(String, String)>,
    /// Stack tags.
    pub tags: Vec<(String, String)>,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The crate's name (`web-stack`): also the binary's and, with `-` for
    /// `_`, the blueprint's.
    pub name: String,
    /// Where the template came from (a path, `stack NAME`), for comments.
    pub source: String,
    /// hagen by version or by path.
    pub hagen: HagenDependency,
    /// The deployed stack, with `--stack`.
    pub stack: Option<DeployedStack>,
    /// `--constructs`: call hagen's constructs where they reproduce a
    /// group of resources exactly (proven by running them).
    pub constructs: bool,
    /// Whether `Cargo.toml` declares its own workspace (so the crate builds
    /// wherever it is written, inside another workspace's tree too).
    pub standalone: bool,
}

/// The crate's files and what the import did.
#[derive(Debug, Clone)]
pub struct ImportedCrate {
    /// Paths relative to the crate's directory, with their text.
    pub files: Vec<(PathBuf, String)>,
    /// What was typed and what fell back.
    pub report: ImportReport,
    /// Whether rustfmt laid out the blueprint (it is left as generated
    /// when rustfmt is not installed).
    pub formatted: bool,
}

/// A crate name from a file or stack name: lower-case, `-` for anything
/// else, starting with a letter (`My Stack.yaml` -> `my-stack`).
pub fn crate_name(from: &str) -> String {
    let stem = Path::new(from)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(from);
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_owned();
    if out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out
    } else {
        format!("stack-{out}").trim_end_matches('-').to_owned()
    }
}

fn check_name(name: &str) -> Result<(), ImportError> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.len() <= 64;
    if ok {
        Ok(())
    } else {
        Err(ImportError::Name(name.to_owned()))
    }
}

/// Writes the crate for `template` in memory.
pub fn import(template: &Template, options: &ImportOptions) -> Result<ImportedCrate, ImportError> {
    check_name(&options.name)?;
    let type_name = hagen_codegen::naming::camel(&options.name);
    let blueprint_name = options.name.replace('_', "-");
    let strict_findings = strict_only_findings(template);
    let written = blueprint_file::write(
        template,
        &blueprint_file::BlueprintNames {
            type_name: &type_name,
            name: &blueprint_name,
            source: &options.source,
            stack: options
                .stack
                .as_ref()
                .map(|s| (s.environment.as_str(), s.stack_name.as_str())),
            strict_findings: strict_findings.clone(),
            constructs: options.constructs,
        },
    )?;
    let formatted = crate_files::rustfmt(&written.source);
    let features: Vec<String> = written.features.iter().cloned().collect();
    let mut files = vec![
        (
            PathBuf::from("Cargo.toml"),
            crate_files::cargo_toml(
                &options.name,
                &options.source,
                &options.hagen,
                &features,
                options.standalone,
            ),
        ),
        (
            PathBuf::from("src/main.rs"),
            crate_files::main_rs(&options.name, &type_name),
        ),
        (
            PathBuf::from("src/blueprint.rs"),
            formatted.clone().unwrap_or(written.source),
        ),
        (
            PathBuf::from("README.md"),
            crate_files::readme(&options.name, &options.source, &written.report),
        ),
        (PathBuf::from(".gitignore"), "/target\n".to_owned()),
    ];
    if let Some(stack) = &options.stack {
        files.push((PathBuf::from("hagen.toml"), crate_files::hagen_toml(stack)));
    }
    let mut report = written.report;
    report.strict_findings = strict_findings;
    Ok(ImportedCrate {
        files,
        report,
        formatted: formatted.is_some(),
    })
}

/// The rules whose findings are errors only under hagen's strict checks
/// (`HG507 x6, HG402`), or `None` when there are none.
fn strict_only_findings(template: &Template) -> Option<String> {
    use crate::validate::{Options, Severity, check};
    let errors = |strict| {
        let report = check(
            template,
            &Options {
                strict,
                body_size: None,
                through_s3: false,
            },
        );
        report
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.rule, d.resource, d.path))
            .collect::<Vec<_>>()
    };
    let lenient = errors(false);
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for e in errors(true) {
        if !lenient.contains(&e) {
            *counts.entry(e.0).or_insert(0) += 1;
        }
    }
    if counts.is_empty() {
        return None;
    }
    let listed: Vec<String> = counts
        .into_iter()
        .map(|(rule, n)| if n > 1 { format!("{rule} x{n}") } else { rule })
        .collect();
    Some(listed.join(", "))
}

/// Writes an imported crate to `dir`, all or nothing; `dir` must not exist
/// or be empty.
pub fn write_crate(dir: &Path, imported: &ImportedCrate) -> Result<(), ImportError> {
    crate_files::write_all(dir, &imported.files)
}

#[cfg(test)]
mod tests;
