//! hagen's L1 generator: reads the vendored CloudFormation resource schemas
//! (`schemas/`) and writes one typed Rust module per resource type under
//! `src/resources/services/`, the type catalogue
//! (`src/resources/catalog.rs`) and one cargo feature per service in the
//! root `Cargo.toml`.
//!
//! The pipeline: [`bundle`] reads and version-checks the schemas,
//! [`model`] turns them into Rust types (with [`overrides`], the short table
//! of deliberate exceptions), [`emit`] writes text. [`generate`] runs it in
//! memory; [`write()`] puts the result on disk; [`stale`] says which files on
//! disk differ from it (the freshness test and `--check` use it).

pub mod bundle;
pub mod docs;
pub mod emit;
pub mod model;
pub mod naming;
pub mod overrides;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use emit::File;

/// Why generation failed.
#[derive(Debug, Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{0}: {1}")]
    Io(PathBuf, String),
    /// The vendored data is damaged or inconsistent.
    #[error("the vendored schemas are unreadable: {0}")]
    Bundle(String),
    /// The schemas come from another cfn-lint than the pinned one.
    #[error(
        "the vendored schemas come from {found}, the generator is pinned to cfn-lint {pinned}; \
         vendor them with tools/vendor-schemas.sh (which refuses other versions) or update \
         the pin in crates/hagen-codegen/src/bundle.rs and review the generated diff"
    )]
    Version {
        /// What the manifest says.
        found: String,
        /// What the generator accepts.
        pinned: &'static str,
    },
    /// The root `Cargo.toml` lacks the markers around the service features.
    #[error("Cargo.toml has no `{0}` line; the generated features go between the markers")]
    Markers(&'static str),
}

/// The marker lines of the generated block in the root `Cargo.toml`.
pub const FEATURES_BEGIN: &str =
    "# @generated service features: begin (hagen-codegen; do not edit)";
/// See [`FEATURES_BEGIN`].
pub const FEATURES_END: &str = "# @generated service features: end";

/// What the generator produces for the repository at `root`.
#[derive(Debug, Clone)]
pub struct Output {
    /// Every generated source file.
    pub files: Vec<File>,
    /// The root `Cargo.toml` with its generated features block replaced.
    pub cargo_toml: String,
    /// Counts, for the report.
    pub stats: Stats,
}

/// Size of the generated layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Service modules (features).
    pub services: usize,
    /// Resource types.
    pub types: usize,
    /// Property types (structs other than resources).
    pub property_types: usize,
    /// Enums.
    pub enums: usize,
    /// Fields.
    pub fields: usize,
    /// Attribute accessors.
    pub attributes: usize,
    /// Lines of generated Rust.
    pub lines: usize,
}

/// Runs the generator in memory for the repository at `root`.
pub fn generate(root: &Path) -> Result<Output, Error> {
    let bundle = bundle::load(&root.join("schemas"))?;
    let catalog = model::build(&bundle);
    let files = emit::files(&catalog, &bundle.source);
    let cargo_path = root.join("Cargo.toml");
    let cargo = std::fs::read_to_string(&cargo_path)
        .map_err(|e| Error::Io(cargo_path.clone(), e.to_string()))?;
    let cargo_toml = splice_features(&cargo, &emit::cargo_features(&catalog))?;
    let mut stats = Stats {
        services: catalog.services.len(),
        ..Stats::default()
    };
    for s in &catalog.services {
        for t in &s.types {
            stats.types += 1;
            stats.property_types += t.structs.len() - 1;
            stats.enums += t.enums.len();
            stats.fields += t.structs.iter().map(|s| s.fields.len()).sum::<usize>();
            stats.attributes += t.attributes.len();
        }
    }
    stats.lines = files.iter().map(|f| f.text.lines().count()).sum();
    Ok(Output {
        files,
        cargo_toml,
        stats,
    })
}

fn splice_features(cargo: &str, features: &str) -> Result<String, Error> {
    let begin = cargo
        .find(FEATURES_BEGIN)
        .ok_or(Error::Markers(FEATURES_BEGIN))?;
    let after_begin = begin + FEATURES_BEGIN.len() + 1;
    let end = cargo[after_begin..]
        .find(FEATURES_END)
        .map(|i| after_begin + i)
        .ok_or(Error::Markers(FEATURES_END))?;
    Ok(format!(
        "{}{}{}",
        &cargo[..after_begin],
        features,
        &cargo[end..]
    ))
}

/// Generated files found on disk under the services directory that the
/// generator no longer writes, by their header.
fn leftovers(root: &Path, output: &Output) -> Vec<String> {
    let mut found = Vec::new();
    let dir = root.join(emit::SERVICES_DIR);
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read_to_string(&p).is_ok_and(|t| t.starts_with(emit::HEADER)) {
                let rel = p
                    .strip_prefix(root)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .replace('\\', "/");
                if !output.files.iter().any(|f| f.path == rel) {
                    found.push(rel);
                }
            }
        }
    }
    found.sort();
    found
}

/// Files on disk that differ from `output` (changed, missing, or generated
/// earlier and no longer produced), as paths relative to `root`.
pub fn stale(root: &Path, output: &Output) -> Vec<String> {
    let mut out = Vec::new();
    for f in &output.files {
        if std::fs::read_to_string(root.join(&f.path)).ok().as_deref() != Some(f.text.as_str()) {
            out.push(f.path.clone());
        }
    }
    if std::fs::read_to_string(root.join("Cargo.toml"))
        .ok()
        .as_deref()
        != Some(output.cargo_toml.as_str())
    {
        out.push("Cargo.toml".into());
    }
    out.extend(leftovers(root, output));
    out
}

/// Writes `output` under `root`: changed files only, and removes generated
/// files no longer produced. Returns how many files changed.
pub fn write(root: &Path, output: &Output) -> Result<usize, Error> {
    let mut changed = 0;
    for path in leftovers(root, output) {
        let p = root.join(&path);
        std::fs::remove_file(&p).map_err(|e| Error::Io(p.clone(), e.to_string()))?;
        changed += 1;
    }
    let mut files: Vec<(PathBuf, &str)> = output
        .files
        .iter()
        .map(|f| (root.join(&f.path), f.text.as_str()))
        .collect();
    files.push((root.join("Cargo.toml"), output.cargo_toml.as_str()));
    for (path, text) in files {
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Io(dir.to_path_buf(), e.to_string()))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::Io(path.clone(), e.to_string()))?;
        changed += 1;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository this crate lives in.
    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn the_checked_in_l1_layer_is_what_the_generator_writes() {
        let output = generate(&repo()).expect("the generator runs on the vendored schemas");
        let stale = stale(&repo(), &output);
        assert!(
            stale.is_empty(),
            "generated files are out of date ({} of them, first: {:?}); run \
             `cargo run -p hagen-codegen` and review the diff",
            stale.len(),
            stale.iter().take(10).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_generator_refuses_schemas_from_another_cfn_lint() {
        let dir = std::env::temp_dir().join(format!("hagen-codegen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let manifest = std::fs::read_to_string(repo().join("schemas/manifest.json"))
            .expect("manifest")
            .replacen("\"1.58.0\"", "\"1.59.0\"", 1);
        std::fs::write(dir.join("manifest.json"), manifest).expect("write");
        let err = bundle::load(&dir).expect_err("another version is refused");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            matches!(err, Error::Version { ref found, .. } if found == "cfn-lint 1.59.0"),
            "{err}"
        );
    }

    #[test]
    fn features_are_spliced_between_the_markers_only() {
        let cargo =
            format!("[features]\nx = []\n{FEATURES_BEGIN}\nold = []\n{FEATURES_END}\ny = []\n");
        let out = splice_features(&cargo, "new = []\n").expect("markers");
        assert_eq!(
            out,
            format!("[features]\nx = []\n{FEATURES_BEGIN}\nnew = []\n{FEATURES_END}\ny = []\n")
        );
        assert!(splice_features("[features]\n", "").is_err());
    }
}
