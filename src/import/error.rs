//! Why an import failed.

use std::path::PathBuf;

use thiserror::Error;

/// Why `hagen import` could not write a crate.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The embedded schemas could not be read (a broken build).
    #[error("the embedded resource schemas are unreadable: {0}")]
    Schemas(String),
    /// The template is not one CloudFormation would accept, in a way the
    /// generated code cannot reproduce.
    #[error("{0}")]
    Template(String),
    /// The output directory is in the way.
    #[error("{0} already exists and is not empty; choose another directory with -o, or remove it")]
    Exists(PathBuf),
    /// A file could not be written.
    #[error("cannot write {0}: {1}")]
    Write(PathBuf, String),
    /// The crate name is not a valid package name.
    #[error(
        "{0:?} is not a usable crate name: use lower-case letters, digits, '-' and '_', starting with a letter"
    )]
    Name(String),
}
