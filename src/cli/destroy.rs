//! `hagen destroy`: its flags, and the run that turns a deletion's outcome
//! into words and an exit code.
//!
//! Thin over `crate::deploy::destroy`: builds the request from the flags
//! and the blueprint's default stack name, prints the account and region
//! (refusing a mismatch with the environment's pins), and maps outcomes to
//! the codes in [`super::exit`].

use clap::Args;

use crate::deploy::destroy::{self, DestroyOutcome, DestroyRequest};
use crate::deploy::events::WatchOptions;
use crate::deploy::{Clients, Console, DeployError, Interrupt};

use super::deploy::{
    AwsArgs, DeployContext, FormatArg, ProgressArg, conclude, record_outcome, report_error,
};
use super::exit;
use super::session::{self, ContextRecord, Session};

/// Flags of `hagen destroy` (the top-level CLI adds `--env`/`--config`).
#[derive(Debug, Clone, Default, Args)]
pub struct DestroyArgs {
    /// The stack to delete [default: the blueprint's stack for the
    /// environment, as `hagen deploy` names it].
    #[arg(value_name = "STACK")]
    pub stack: Option<String>,
    /// AWS access.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Delete without asking (for CI). Without it and without a terminal,
    /// nothing is deleted (exit 5).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Leave this resource in place and delete the rest; repeatable (or
    /// comma-separated). Only for a stack in DELETE_FAILED (CloudFormation's
    /// RetainResources): the way out when a resource blocks the deletion.
    /// Example: `--retain LogsBucket`.
    #[arg(long = "retain", value_name = "LOGICAL_ID", value_delimiter = ',')]
    pub retain: Vec<String>,
    /// How to show progress.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
    /// Output format: `text` for people, or `json`: JSON lines on stdout
    /// (`context`, `review`, `event`, `outcome` with the exit code,
    /// `error`); the text for people then goes to stderr.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
}

/// The exit code of a destroy's outcome: 0 gone (or there was nothing to
/// delete), 5 refused or declined, 6 failed or busy, 130 interrupted.
pub fn outcome_code(outcome: &DestroyOutcome) -> u8 {
    match outcome {
        DestroyOutcome::Deleted { .. } | DestroyOutcome::Absent => exit::OK,
        DestroyOutcome::Declined
        | DestroyOutcome::NeedsConfirmation
        | DestroyOutcome::Protected { .. } => exit::CHANGE_SET_REFUSED,
        DestroyOutcome::Failed { .. } | DestroyOutcome::Busy { .. } => exit::DEPLOY_FAILED,
        DestroyOutcome::Interrupted => exit::INTERRUPTED,
    }
}

/// The stack to delete: the one named, else the blueprint's for the
/// environment; a name follows CloudFormation's rule, an ARN is taken as it is.
pub fn stack_name(args: &DestroyArgs, ctx: &DeployContext) -> Result<String, DeployError> {
    session::stack_name(args.stack.as_ref(), ctx, "pass it, hagen destroy STACK")
        .map(|(stack, _)| stack)
}

/// The request the flags ask for, or why they cannot work.
pub fn request(
    args: &DestroyArgs,
    ctx: &DeployContext,
    clients: &Clients,
) -> Result<DestroyRequest, DeployError> {
    let stack = stack_name(args, ctx)?;
    let mut request = DestroyRequest::new(&stack);
    request.assume_yes = args.yes;
    request.retain = args.retain.clone();
    request.catch_ctrl_c = true;
    let profile = args
        .aws
        .profile
        .as_ref()
        .map(|p| format!(" --profile {p}"))
        .unwrap_or_default();
    request.aws_flags = format!("{profile}{}", clients.cli_flags());
    let base = if ctx.command.is_empty() {
        "hagen destroy"
    } else {
        ctx.command.as_str()
    };
    request.retry_command = format!("{base} {stack}{}", args.aws.as_flags());
    Ok(request)
}

/// Runs `hagen destroy` and returns its exit code.
pub fn run(args: &DestroyArgs, ctx: &DeployContext, console: &mut Console) -> u8 {
    run_inner(
        args,
        ctx,
        None,
        console,
        Interrupt::new(),
        WatchOptions::default(),
        true,
    )
}

/// [`run`] with AWS clients, interrupt and watch timings of the caller's:
/// what tests use to point a destroy at an emulator and press "Ctrl-C"
/// themselves (Ctrl-C itself is not caught).
pub fn run_with_clients(
    args: &DestroyArgs,
    ctx: &DeployContext,
    clients: &Clients,
    console: &mut Console,
    interrupt: Interrupt,
    watch: WatchOptions,
) -> u8 {
    run_inner(args, ctx, Some(clients), console, interrupt, watch, false)
}

fn run_inner(
    args: &DestroyArgs,
    ctx: &DeployContext,
    given: Option<&Clients>,
    console: &mut Console,
    interrupt: Interrupt,
    watch: WatchOptions,
    catch_ctrl_c: bool,
) -> u8 {
    console.set_format(args.format.into());
    let code = steps(args, ctx, given, console, interrupt, watch, catch_ctrl_c);
    conclude(console, code, true)
}

fn steps(
    args: &DestroyArgs,
    ctx: &DeployContext,
    given: Option<&Clients>,
    console: &mut Console,
    interrupt: Interrupt,
    watch: WatchOptions,
    catch_ctrl_c: bool,
) -> u8 {
    // A bad stack name is refused before any AWS setup.
    if let Err(e) = stack_name(args, ctx) {
        return report_error(console, &e, &args.aws, ctx.verbose);
    }
    let session = match Session::open(&args.aws, ctx, given, console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    args.progress.apply(console);
    let mut request = match request(args, ctx, &session.clients) {
        Ok(r) => r,
        Err(e) => return report_error(console, &e, &args.aws, ctx.verbose),
    };
    request.watch = watch;
    request.catch_ctrl_c = catch_ctrl_c;
    if let Err(code) = session.target(&request.stack_name, ctx, true, ContextRecord::Own, console) {
        return code;
    }
    let result = session.rt.block_on(destroy::destroy(
        &session.clients,
        console,
        interrupt,
        &request,
    ));
    match result {
        Ok(outcome) => {
            let code = outcome_code(&outcome);
            let stack = serde_json::json!({ "stack": request.stack_name });
            record_outcome(console, &outcome, code, stack);
            code
        }
        Err(e) => report_error(console, &e, &args.aws, ctx.verbose),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::ProgressMode;

    #[test]
    fn every_outcome_has_its_documented_code() {
        assert_eq!(
            outcome_code(&DestroyOutcome::Deleted { kept: vec![] }),
            exit::OK
        );
        assert_eq!(outcome_code(&DestroyOutcome::Absent), exit::OK);
        assert_eq!(
            outcome_code(&DestroyOutcome::NeedsConfirmation),
            exit::CHANGE_SET_REFUSED
        );
        assert_eq!(
            outcome_code(&DestroyOutcome::Protected {
                command: String::new()
            }),
            exit::CHANGE_SET_REFUSED
        );
        assert_eq!(
            outcome_code(&DestroyOutcome::Failed {
                status: "DELETE_FAILED".into(),
                failures: vec![],
                retry_command: String::new()
            }),
            exit::DEPLOY_FAILED
        );
        assert_eq!(
            outcome_code(&DestroyOutcome::Interrupted),
            exit::INTERRUPTED
        );
    }

    #[test]
    fn a_bad_or_missing_stack_name_is_bad_usage_before_any_aws_call() {
        let named = |stack: Option<&str>| DestroyArgs {
            stack: stack.map(str::to_owned),
            ..DestroyArgs::default()
        };
        let ctx = DeployContext::default();
        for args in [named(None), named(Some("web_stage"))] {
            let err = super::super::deploy::error_code(&stack_name(&args, &ctx).unwrap_err());
            assert_eq!(err, exit::USAGE);
            let out = crate::deploy::SharedBuffer::new();
            let mut console = Console::new(
                Box::new(crate::deploy::SharedBuffer::new()),
                Box::new(out.clone()),
                Box::new(crate::deploy::console::NoPrompt),
                ProgressMode::Events,
                false,
            );
            assert_eq!(run(&args, &ctx, &mut console), exit::USAGE);
            assert!(out.contents().contains("stack name"), "{}", out.contents());
        }
        let blueprint = DeployContext {
            default_stack_name: Some("swiftcode-stage".into()),
            ..DeployContext::default()
        };
        assert_eq!(
            stack_name(&named(None), &blueprint).ok().as_deref(),
            Some("swiftcode-stage")
        );
    }

    #[test]
    fn retain_takes_several_ids() {
        use clap::{CommandFactory, FromArgMatches, Parser};
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: DestroyArgs,
        }
        Cli::command().debug_assert();
        let matches = Cli::command()
            .try_get_matches_from(["hagen", "web", "--retain", "A,B", "--retain", "C"])
            .expect("the flags parse");
        let args = Cli::from_arg_matches(&matches)
            .expect("the flags parse")
            .args;
        assert_eq!(args.stack.as_deref(), Some("web"));
        assert_eq!(args.retain, ["A", "B", "C"]);
    }
}
