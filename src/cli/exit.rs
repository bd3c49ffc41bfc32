//! The process exit codes of every `hagen` subcommand, in one place so that
//! help text, docs and tests agree.

/// Success: template printed, template clean, deployed, or no changes.
pub const OK: u8 = 0;
/// The template has errors (synth refused to print, validate found errors,
/// deploy refused to start).
pub const TEMPLATE_ERRORS: u8 = 1;
/// Bad usage: unknown flag, missing argument (clap's own code).
pub const USAGE: u8 = 2;
/// `hagen validate` found warnings but no errors.
pub const WARNINGS: u8 = 3;
/// Input could not be read: missing file, malformed YAML/JSON or config.
pub const UNREADABLE_INPUT: u8 = 4;
/// The change set was refused: the user said no, or it would replace or
/// delete a stateful resource without `--allow-replace`.
pub const CHANGE_SET_REFUSED: u8 = 5;
/// The deploy failed or rolled back, or the stack is in a state that needs
/// recovery first.
pub const DEPLOY_FAILED: u8 = 6;
/// AWS could not be reached or refused the request (credentials, network,
/// throttling beyond retries).
pub const AWS_ERROR: u8 = 7;
/// The user stopped watching (Ctrl-C) while CloudFormation kept working.
pub const INTERRUPTED: u8 = 130;
