//! The `hagen` binary's tests, in one test binary (each test binary that
//! links the AWS SDK costs about 600 MB of `target/`): the command line,
//! the SwiftCode snapshots, the linters on every shipped template, the
//! graph's layout in headless Chromium, and deploys against local emulators
//! that the tests start and stop.
//!
//! Owned by the `swiftcode` package, which builds the binary; its
//! dev-dependencies turn on hagen's `deploy` feature for these tests.

#[path = "../common/tools.rs"]
mod tools;

mod support;

/// The example blueprints, as a user's crate would have them (their `main`
/// is not called here).
#[path = "../../examples/custom_blueprint.rs"]
#[allow(dead_code)]
mod custom_blueprint;
#[path = "../../examples/fleet.rs"]
#[allow(dead_code)]
mod fleet;
#[path = "../../examples/static_site.rs"]
#[allow(dead_code)]
mod static_site;

mod bootstrap;
mod commands;
mod deploy_app;
mod deploy_cleanup;
mod deploy_errors;
mod deploy_faults;
mod deploy_guards;
mod deploy_inputs;
mod deploy_localstack;
mod deploy_moto;
mod deploy_output;
mod deploy_triggers;
mod deploy_vs_awscli;
mod graph;
mod graph_browser;
mod import;
mod lifecycle_destroy;
mod lifecycle_drift;
mod lifecycle_flags;
mod lifecycle_ls;
mod lint;
mod snapshots;
mod terminal;
mod validate_cli;
