//! The errors a blueprint can hit while it builds a template.
//!
//! Owns the typed error for synthesis; the CLI turns it into a message and an
//! exit code. Each variant names what is wrong and what to do about it.

use thiserror::Error;

/// Why a blueprint could not be turned into a template.
#[derive(Debug, Error, PartialEq)]
pub enum SynthError {
    /// A logical ID that CloudFormation would reject.
    #[error(
        "invalid logical ID {id:?} in {section}: {reason}; logical IDs are 1 to 255 letters and digits ([A-Za-z0-9])"
    )]
    InvalidLogicalId {
        /// The rejected ID.
        id: String,
        /// The template section it was meant for.
        section: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Two entries with the same logical ID.
    #[error(
        "duplicate logical ID {id:?}: {section} already has it; give one of them another ID (IDs never change once deployed, so rename the new one)"
    )]
    DuplicateLogicalId {
        /// The ID used twice.
        id: String,
        /// Where it is already used.
        section: &'static str,
    },
    /// A construct was given props that cannot describe a working stack.
    #[error("{construct}: {message}")]
    InvalidProps {
        /// The construct (with its ID) that rejected its props.
        construct: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A resource that cannot be added as it is (a raw resource of an
    /// unknown type).
    #[error("resource {id:?}: {message}")]
    InvalidResource {
        /// The logical ID it was to be added under.
        id: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A handle that names no resource of its type in this stack (built by
    /// hand, or from another stack).
    #[error(
        "no resource {id:?} of type {expected} in this stack{found}; use the handle `Stack::add` returned"
    )]
    UnknownResource {
        /// The handle's logical ID.
        id: String,
        /// The type the handle is for.
        expected: String,
        /// What the stack holds under that ID, if anything (`; it holds ...`).
        found: String,
    },
    /// A property override whose path does not fit the resource's
    /// properties.
    #[error("property override {path:?} on {id:?}: {message}")]
    PropertyOverride {
        /// The resource.
        id: String,
        /// The dotted path.
        path: String,
        /// Why it does not fit, and what to do.
        message: String,
    },
    /// A value that came from configuration cannot be built with: the
    /// blueprint (or a construct, through it) refuses it. Named by its key
    /// so that the command line points at the `hagen.toml` line that set
    /// it (`Config::explain`), and says the fix in TOML terms.
    #[error("configuration key `{key}`: {message}; {help}")]
    Config {
        /// The key, relative to the environment: `az_count`,
        /// `blueprint.asg.min`.
        key: String,
        /// What is wrong with its value, in TOML terms.
        message: String,
        /// What to write instead, and where (see `Environment::toml_table`).
        help: String,
    },
    /// An app of several stacks that cannot be deployed as declared: a
    /// stack named twice, a reference to a stack the app does not have,
    /// stacks that depend on each other in a circle.
    #[error("app: {message}")]
    App {
        /// What is wrong and what to do.
        message: String,
    },
    /// A text template under `templates/` failed to render.
    #[error("rendering {template}: {message}")]
    TextTemplate {
        /// The template's name.
        template: String,
        /// minijinja's explanation, with the line.
        message: String,
    },
}

impl SynthError {
    /// A configuration error: the value of `key` (relative to the
    /// environment: `blueprint.asg.min`, `az_count`) cannot be built with.
    /// `help` says what to write instead, in TOML terms.
    pub fn config(
        key: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        SynthError::Config {
            key: key.into(),
            message: message.into(),
            help: help.into(),
        }
    }

    /// A props error for a construct: `construct` names it (`Vpc "Network"`).
    pub fn props(construct: impl Into<String>, message: impl Into<String>) -> Self {
        SynthError::InvalidProps {
            construct: construct.into(),
            message: message.into(),
        }
    }
}
