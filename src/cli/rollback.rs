//! `hagen rollback`: its flags, and the run that turns a rollback's outcome
//! into words and an exit code.
//!
//! Thin over [`crate::deploy::Deployer::rollback`]: the stack from the
//! argument or the blueprint's environment (as `diff` and `deploy` name
//! it), AWS clients, and the codes in [`super::exit`].

use clap::Args;

use crate::deploy::events::WatchOptions;
use crate::deploy::{
    Clients, Console, DeployError, Deployer, Interrupt, RollbackOutcome, RollbackRequest,
};

use super::deploy::{AwsArgs, DeployContext, FormatArg, conclude, record_outcome, report_error};
use super::exit;
use super::session::{self, ContextRecord, Session};

/// Flags of `hagen rollback` (the top-level CLI adds `--env`/`--config`).
#[derive(Debug, Clone, Default, Args)]
pub struct RollbackArgs {
    /// The stack [default: the blueprint's stack for --env, as `hagen
    /// deploy` names it].
    #[arg(value_name = "STACK")]
    pub stack: Option<String>,
    /// A resource to leave as it is while the rollback of a stack in
    /// UPDATE_ROLLBACK_FAILED continues (ResourcesToSkip); repeatable.
    /// Only for resources that failed to roll back: check them first.
    /// Example: `--skip Database`.
    #[arg(long, value_name = "LOGICAL_ID", num_args = 1..)]
    pub skip: Vec<String>,
    /// Roll back without asking (for CI).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// AWS access.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Output format: `text`, or `json` (JSON lines on stdout: `context`,
    /// `event`, `outcome` with the exit code, `error`; text on stderr).
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
}

/// The exit code of a rollback's outcome.
pub fn outcome_code(outcome: &RollbackOutcome) -> u8 {
    match outcome {
        RollbackOutcome::RolledBack { .. } => exit::OK,
        RollbackOutcome::NothingToDo { .. } | RollbackOutcome::Declined => exit::CHANGE_SET_REFUSED,
        RollbackOutcome::Busy { .. } | RollbackOutcome::Failed { .. } => exit::DEPLOY_FAILED,
        RollbackOutcome::Interrupted => exit::INTERRUPTED,
    }
}

/// The request the flags and the environment make, or what is wrong.
pub fn request(args: &RollbackArgs, ctx: &DeployContext) -> Result<RollbackRequest, DeployError> {
    let (stack, _) = session::stack_name(args.stack.as_ref(), ctx, "pass STACK")?;
    let mut req = RollbackRequest::new(stack);
    req.skip = args.skip.clone();
    req.assume_yes = args.yes;
    req.catch_ctrl_c = true;
    Ok(req)
}

/// Runs `hagen rollback` and returns its exit code.
pub fn run(args: &RollbackArgs, ctx: &DeployContext, console: &mut Console) -> u8 {
    run_inner(args, ctx, None, console, Interrupt::new(), None)
}

/// [`run`] with AWS clients, watch timings and an interrupt of the
/// caller's: what tests use to point a rollback at an emulator.
pub fn run_with_clients(
    args: &RollbackArgs,
    ctx: &DeployContext,
    clients: &Clients,
    console: &mut Console,
    interrupt: Interrupt,
    watch: WatchOptions,
) -> u8 {
    run_inner(args, ctx, Some(clients), console, interrupt, Some(watch))
}

/// The run; `watch` comes with the caller's clients (tests), and then
/// Ctrl-C is theirs to press.
fn run_inner(
    args: &RollbackArgs,
    ctx: &DeployContext,
    given: Option<&Clients>,
    console: &mut Console,
    interrupt: Interrupt,
    watch: Option<WatchOptions>,
) -> u8 {
    console.set_format(args.format.into());
    let code = steps(args, ctx, given, console, interrupt, watch);
    conclude(console, code, true)
}

fn steps(
    args: &RollbackArgs,
    ctx: &DeployContext,
    given: Option<&Clients>,
    console: &mut Console,
    interrupt: Interrupt,
    watch: Option<WatchOptions>,
) -> u8 {
    let mut request = match request(args, ctx) {
        Ok(r) => r,
        Err(e) => return report_error(console, &e, &args.aws, ctx.verbose),
    };
    if let Some(watch) = watch {
        request.watch = watch;
        request.catch_ctrl_c = false;
    }
    let session = match Session::open(&args.aws, ctx, given, console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(code) = session.target(&request.stack_name, ctx, true, ContextRecord::Own, console) {
        return code;
    }
    let Session { rt, clients } = &session;
    let request = &request;
    let result = rt.block_on(async {
        let mut deployer = Deployer::new(clients, console, interrupt);
        deployer.rollback(request).await
    });
    match result {
        Ok(outcome) => {
            let code = outcome_code(&outcome);
            record_outcome(console, &outcome, code, serde_json::Value::Null);
            code
        }
        Err(e) => report_error(console, &e, &args.aws, ctx.verbose),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rollback_outcome_has_its_documented_code() {
        let code = |o: RollbackOutcome| outcome_code(&o);
        assert_eq!(
            code(RollbackOutcome::RolledBack {
                status: "UPDATE_ROLLBACK_COMPLETE".into()
            }),
            exit::OK
        );
        assert_eq!(
            code(RollbackOutcome::NothingToDo {
                status: "UPDATE_COMPLETE".into(),
                why: String::new()
            }),
            exit::CHANGE_SET_REFUSED
        );
        assert_eq!(
            code(RollbackOutcome::Busy {
                status: "UPDATE_IN_PROGRESS".into()
            }),
            exit::DEPLOY_FAILED
        );
        assert_eq!(
            code(RollbackOutcome::Failed {
                status: "UPDATE_ROLLBACK_FAILED".into(),
                failures: vec![]
            }),
            exit::DEPLOY_FAILED
        );
        assert_eq!(code(RollbackOutcome::Interrupted), exit::INTERRUPTED);
    }

    #[test]
    fn the_stack_comes_from_the_argument_else_the_environment() {
        let ctx = DeployContext {
            default_stack_name: Some("swiftcode-prod".into()),
            ..DeployContext::default()
        };
        let args = RollbackArgs::default();
        assert_eq!(request(&args, &ctx).unwrap().stack_name, "swiftcode-prod");
        let named = RollbackArgs {
            stack: Some("web".into()),
            skip: vec!["Db".into()],
            ..RollbackArgs::default()
        };
        let req = request(&named, &ctx).unwrap();
        assert_eq!((req.stack_name.as_str(), req.skip.len()), ("web", 1));
        assert!(request(&RollbackArgs::default(), &DeployContext::default()).is_err());
    }
}
