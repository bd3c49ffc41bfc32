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
/// delete a stateful resource without `--allow-replace`; or hagen refused
/// to create one because the credentials' account or the region is not
/// the one the environment pins in `hagen.toml`.
pub const CHANGE_SET_REFUSED: u8 = 5;
/// The deploy failed or rolled back, or the stack is in a state that needs
/// recovery first.
pub const DEPLOY_FAILED: u8 = 6;
/// AWS could not be reached or refused the request (credentials, network,
/// throttling beyond retries).
pub const AWS_ERROR: u8 = 7;
/// The output could not be written (`-o` to a missing directory, a full
/// disk); nothing partial is left behind.
pub const CANNOT_WRITE: u8 = 8;
/// `hagen diff --exit-code` found changes: the deploy would change the
/// stack (or create it). Without `--exit-code`, `diff` exits 0 either way.
pub const DIFF_CHANGES: u8 = 9;
/// `hagen drift` found resources changed outside CloudFormation (modified
/// or deleted); 0 means every checked resource is in sync.
pub const STACK_DRIFTED: u8 = 11;
/// `hagen import`: the crate it wrote does not build, or its synthesized
/// template differs from the input (the differences are listed).
pub const ROUND_TRIP_FAILED: u8 = 12;
/// The user stopped watching (Ctrl-C) while CloudFormation kept working.
pub const INTERRUPTED: u8 = 130;

/// Every exit code with its meaning, in order, for help text and docs.
pub const MEANINGS: &[(u8, &str)] = &[
    (
        OK,
        "success (template printed, template clean, deployed, or no changes)",
    ),
    (
        TEMPLATE_ERRORS,
        "the template has errors; nothing was printed or deployed",
    ),
    (
        USAGE,
        "bad usage: unknown flag, missing argument, unknown environment",
    ),
    (WARNINGS, "validate found warnings but no errors"),
    (
        UNREADABLE_INPUT,
        "input or configuration could not be read or is invalid",
    ),
    (
        CHANGE_SET_REFUSED,
        "the change set was refused, or the account or region is not the environment's",
    ),
    (
        DEPLOY_FAILED,
        "the deploy failed, rolled back, or the stack needs recovery",
    ),
    (AWS_ERROR, "AWS could not be reached or refused the request"),
    (CANNOT_WRITE, "the output file could not be written"),
    (
        DIFF_CHANGES,
        "diff --exit-code: the deploy would change the stack",
    ),
    (
        STACK_DRIFTED,
        "drift: resources were changed or deleted outside CloudFormation",
    ),
    (
        ROUND_TRIP_FAILED,
        "import: the written crate does not build or does not reproduce the template",
    ),
    (
        INTERRUPTED,
        "interrupted (Ctrl-C); CloudFormation keeps working",
    ),
];
