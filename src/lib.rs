//! hagen: typed Rust blueprints of highly available AWS architectures,
//! compiled to validated CloudFormation and deployed through reviewed change
//! sets.
//!
//! Data flows one way: a blueprint (Rust DSL) builds constructs, constructs
//! write typed resources into a [`stack::Stack`], the stack yields a
//! [`template::Template`], checks run over it, and it is printed as YAML or
//! JSON or deployed.

pub mod app;
#[cfg(feature = "constructs")]
pub mod blueprint;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "constructs")]
pub mod config;
#[cfg(feature = "constructs")]
pub mod constructs;
#[cfg(feature = "deploy")]
pub mod deploy;
pub mod deploy_monitors;
pub mod error;
pub mod graph;
#[cfg(feature = "import")]
pub mod import;
pub mod input;
#[cfg(feature = "cli")]
pub mod output_file;
pub mod resources;
pub mod stack;
pub mod template;
pub mod validate;

/// `serde_json::json!`, for free-form property values (policy documents,
/// metadata) written as JSON, without a dependency on `serde_json` in the
/// blueprint's own crate: `Expr::from(hagen::json!({"Version": "2012-10-17"}))`.
pub use serde_json::json;

/// The README's Rust examples are compiled as doc tests, so they cannot rot
/// (they use the command line, so they need the `cli` feature).
#[cfg(all(doctest, feature = "cli"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
