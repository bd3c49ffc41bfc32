//! The `hagen` binary: hagen's command line over the built-in SwiftCode
//! blueprint. The blueprint is compiled in from `blueprints/` and uses only
//! the public `hagen::` API, exactly as a user's own blueprint would.

#[path = "../blueprints/swiftcode.rs"]
mod swiftcode;

fn main() -> std::process::ExitCode {
    hagen::cli::main(swiftcode::SwiftCode)
}
