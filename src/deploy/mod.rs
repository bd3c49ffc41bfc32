//! Deploying a synthesized template through reviewed change sets.
//!
//! The flow: find the stack and settle it (wait, or recover a failed state
//! with confirmation), create a change set with a name of its own per run, review
//! it (stateful replacements block without `--allow-replace`; security
//! widening is spelled out), execute after confirmation, stream events, and
//! print outputs; a run that ends without executing deletes the change set
//! (and empty stack) it created. `hagen diff` reuses the same pieces
//! read-only.
//!
//! This module talks to AWS (CloudFormation and S3) and the user (through
//! an injected [`Console`]); it holds no template logic: it takes the
//! template already synthesized and validated.

pub mod approval;
pub mod aws;
pub mod bootstrap;
pub mod capabilities;
pub mod changeset;
pub mod console;
pub mod context;
pub mod destroy;
pub mod diff;
pub mod document;
pub mod drift;
pub mod drift_review;
mod error;
pub mod events;
pub mod exports;
pub mod history;
pub mod inputs;
pub mod listing;
pub mod naming;
pub mod nested;
pub mod outputs;
pub mod params;
pub mod preview;
pub mod replacement;
pub mod review;
mod run;
pub mod safety;
pub mod security;
pub mod stack;
pub mod stateful;
pub mod status;
pub mod triggers;
pub mod upload;
pub mod width;

pub use aws::{AwsOptions, Clients};
pub use console::{
    Console, Interrupt, OutputFormat, ProgressMode, Prompt, ScriptedPrompt, SharedBuffer,
};
pub use error::{AwsProblem, DeployError};
pub use run::{DeployRequest, Deployer, Outcome, RollbackOutcome, RollbackRequest, Synthesized};
