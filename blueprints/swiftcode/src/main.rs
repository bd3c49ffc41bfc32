//! The `hagen` binary: hagen's command line over the built-in SwiftCode
//! blueprint, exactly as a user's own blueprint binary is built
//! (`hagen::cli::main(MyBlueprint)`).
//!
//! Without the `deploy` feature (the default, so that `hagen synth` never
//! compiles the AWS SDK) `diff` and `deploy` explain how to get them.

fn main() -> std::process::ExitCode {
    hagen::cli::main(swiftcode::SwiftCode)
}
