//! `hagen ls`: the stacks of an account and region, or the resources of
//! one stack, as a table fitted to the terminal or one JSON document.
//!
//! Thin over `crate::deploy::listing`; never changes anything.

use clap::Args;

use crate::deploy::listing::{self, ResourceRow, StackRow};
use crate::deploy::{Clients, Console, DeployError, context};

use super::deploy::{AwsArgs, DeployContext, FormatArg, check_stack_name, report_error};
use super::exit;
use super::session::{ContextRecord, Session};

/// Flags of `hagen ls` (the top-level CLI adds `--env`/`--config`).
#[derive(Debug, Clone, Default, Args)]
pub struct LsArgs {
    /// A stack (name or ARN) whose resources to list. Without it, every
    /// stack of the account and region is listed; with --env NAME (or
    /// HAGEN_ENV) and no STACK, the environment's stack's resources.
    #[arg(value_name = "STACK")]
    pub stack: Option<String>,
    /// Also list deleted stacks (DELETE_COMPLETE; CloudFormation keeps them
    /// about 90 days).
    #[arg(long, conflicts_with = "stack")]
    pub all: bool,
    /// AWS access.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Output format: `text` (a table fitted to the terminal) or `json`:
    /// one JSON document on stdout (`"type": "stacks"` with a `stacks`
    /// array, or `"type": "resources"` with a `resources` array); errors
    /// become a document with `"type": "error"`. See docs/deploy.md.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
}

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Listing {
    /// Every stack.
    Stacks,
    /// One stack's resources; `pinned` when it is the environment's
    /// (its account and region pins then apply).
    Resources { stack: String, pinned: bool },
}

/// Runs `hagen ls` and returns its exit code. `from_env` says whether an
/// environment was named (`--env`, `HAGEN_ENV`): without STACK its stack
/// is the one listed.
pub fn run(args: &LsArgs, ctx: &DeployContext, from_env: bool, console: &mut Console) -> u8 {
    run_inner(args, ctx, from_env, None, console)
}

/// [`run`] with prepared AWS clients (tests point them at an emulator).
pub fn run_with_clients(
    args: &LsArgs,
    ctx: &DeployContext,
    from_env: bool,
    clients: &Clients,
    console: &mut Console,
) -> u8 {
    run_inner(args, ctx, from_env, Some(clients), console)
}

fn run_inner(
    args: &LsArgs,
    ctx: &DeployContext,
    from_env: bool,
    given: Option<&Clients>,
    console: &mut Console,
) -> u8 {
    console.set_format(args.format.into());
    let code = list(args, ctx, from_env, given, console);
    super::deploy::conclude(console, code, false)
}

fn list(
    args: &LsArgs,
    ctx: &DeployContext,
    from_env: bool,
    given: Option<&Clients>,
    console: &mut Console,
) -> u8 {
    let what = match (&args.stack, from_env && !args.all) {
        (Some(stack), _) => Listing::Resources {
            stack: stack.clone(),
            pinned: false,
        },
        (None, true) => match &ctx.default_stack_name {
            Some(stack) => Listing::Resources {
                stack: stack.clone(),
                pinned: true,
            },
            None => Listing::Stacks,
        },
        (None, false) => Listing::Stacks,
    };
    if let Listing::Resources { stack, .. } = &what
        && !stack.starts_with("arn:")
        && let Err(e) = check_stack_name(stack)
    {
        console.error(e, exit::USAGE);
        return exit::USAGE;
    }
    let session = match Session::open(&args.aws, ctx, given, console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match what {
        Listing::Stacks => {
            let target = session.rt.block_on(context::target(&session.clients, ""));
            let rows = match session
                .rt
                .block_on(listing::stacks(&session.clients, args.all))
            {
                Ok(rows) => rows,
                Err(e) => return report_error(console, &e, &args.aws, ctx.verbose),
            };
            show_stacks(&target, &rows, args.all, console);
            exit::OK
        }
        Listing::Resources { stack, pinned } => {
            let target =
                match session.target(&stack, ctx, pinned, ContextRecord::InDocument, console) {
                    Ok(t) => t,
                    Err(code) => return code,
                };
            match session
                .rt
                .block_on(listing::resources(&session.clients, &stack))
            {
                Ok(Some(rows)) => {
                    show_resources(&target, &rows, console);
                    exit::OK
                }
                Ok(None) => {
                    let e = DeployError::Usage(format!(
                        "no stack {stack:?} in this account and region (`hagen ls` lists the stacks there)"
                    ));
                    report_error(console, &e, &args.aws, ctx.verbose)
                }
                Err(e) => report_error(console, &e, &args.aws, ctx.verbose),
            }
        }
    }
}

/// Where the listing comes from, without a stack: `Account A · Region R`.
fn place(target: &context::Target) -> String {
    let mut line = format!(
        "Account {} · Region {}",
        target.account.as_deref().unwrap_or("unknown"),
        target.region.as_deref().unwrap_or("(none)")
    );
    if let Some(endpoint) = &target.endpoint {
        line.push_str(&format!(" · Endpoint {endpoint}"));
    }
    line
}

fn show_stacks(target: &context::Target, rows: &[StackRow], all: bool, console: &mut Console) {
    if console.is_json() {
        console.record(
            "stacks",
            serde_json::json!({
                "account": target.account,
                "region": target.region,
                "endpoint": target.endpoint,
                "all": all,
                "stacks": rows,
            }),
        );
        return;
    }
    let line = console.paint(&place(target), crate::deploy::console::Style::Strong);
    console.say(line);
    if rows.is_empty() {
        console.say(if all {
            "No stacks, live or deleted."
        } else {
            "No stacks (--all to include deleted ones)."
        });
        return;
    }
    let table = listing::render_stacks(rows, console.width, console.color);
    console.say(table);
}

fn show_resources(target: &context::Target, rows: &[ResourceRow], console: &mut Console) {
    if console.is_json() {
        console.record(
            "resources",
            serde_json::json!({
                "stack": target.stack,
                "context": target,
                "resources": rows,
            }),
        );
        return;
    }
    if rows.is_empty() {
        console.say("The stack has no resources.");
        return;
    }
    let table = listing::render_resources(rows, console.width, console.color);
    console.say(table);
}
