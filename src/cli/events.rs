//! `hagen events`: a stack's recent operations with their events, failures
//! first, and with `--follow` the running operation streamed as `deploy`
//! streams it, ending with the deploy's exit codes.
//!
//! Thin over `crate::deploy::history` (the grouping) and
//! `crate::deploy::events` (the watcher); never changes a stack.

use clap::Args;

use crate::deploy::events::{self, EventCursor, EventRecord, Progress, WatchEnd, WatchOptions};
use crate::deploy::history::{self, History, Operation, StackRef};
use crate::deploy::{Clients, Console, DeployError, Interrupt, stack, status, width};

use super::deploy::{AwsArgs, DeployContext, FormatArg, ProgressArg, report_error};
use super::exit;
use super::session::{self, ContextRecord, Session};

/// Flags of `hagen events` (the top-level CLI adds `--env`/`--config`).
#[derive(Debug, Clone, Default, Args)]
pub struct EventsArgs {
    /// The stack (name or ARN) [default: the environment's stack, from the
    /// blueprint and --env].
    #[arg(value_name = "STACK")]
    pub stack: Option<String>,
    /// After the history, keep streaming the running operation's events
    /// until the stack settles, and exit as `deploy` would (0 succeeded,
    /// 6 failed or rolled back, 130 Ctrl-C). A settled stack returns at
    /// once with the code its status implies.
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// How many operations to show, newest first.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    pub limit: u16,
    /// AWS access.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// How to show followed events.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
    /// Output format: `text` for people, or `json`: JSON lines on stdout
    /// (`context`, then per operation an `operation` record and its `event`
    /// records, failures first; with --follow the new `event` records; last
    /// an `outcome` record with the exit code); text goes to stderr. See
    /// docs/deploy.md.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
}

/// Runs `hagen events` and returns its exit code. `from_env` says whether
/// the stack name came from the environment (its pins then apply).
pub fn run(args: &EventsArgs, ctx: &DeployContext, console: &mut Console) -> u8 {
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

/// [`run`] with prepared AWS clients, an interrupt the caller presses and
/// watch timings (tests point them at an emulator and poll faster).
pub fn run_with_clients(
    args: &EventsArgs,
    ctx: &DeployContext,
    clients: &Clients,
    console: &mut Console,
    interrupt: Interrupt,
    watch: WatchOptions,
) -> u8 {
    run_inner(args, ctx, Some(clients), console, interrupt, watch, false)
}

fn run_inner(
    args: &EventsArgs,
    ctx: &DeployContext,
    given: Option<&Clients>,
    console: &mut Console,
    interrupt: Interrupt,
    watch: WatchOptions,
    catch_ctrl_c: bool,
) -> u8 {
    console.set_format(args.format.into());
    args.progress.apply(console);
    let code = show(args, ctx, given, console, interrupt, watch, catch_ctrl_c);
    super::deploy::conclude(console, code, true)
}

fn show(
    args: &EventsArgs,
    ctx: &DeployContext,
    given: Option<&Clients>,
    console: &mut Console,
    interrupt: Interrupt,
    watch: WatchOptions,
    catch_ctrl_c: bool,
) -> u8 {
    let (name, pinned) =
        match session::stack_name(args.stack.as_ref(), ctx, "pass STACK (or --env NAME)") {
            Ok(found) => found,
            Err(e) => return report_error(console, &e, &args.aws, ctx.verbose),
        };
    let session = match Session::open(&args.aws, ctx, given, console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(code) = session.target(&name, ctx, pinned, ContextRecord::Own, console) {
        return code;
    }
    let Session { rt, clients } = session;
    let result = rt.block_on(async {
        let Some(info) = stack::describe(&clients, &name).await? else {
            return Err(DeployError::Usage(format!(
                "no live stack {name:?} in this account and region (`hagen ls` lists them)"
            )));
        };
        let stack = StackRef {
            name: info.name.clone(),
            id: info.id.clone(),
        };
        // Events after this point are streamed by --follow; the cursor is
        // taken before the history so that none falls between the two.
        let cursor = if args.follow && !status::is_settled(&info.status) {
            Some(EventCursor::start(&clients, &stack.id, None).await?)
        } else {
            None
        };
        let past = history::fetch(&clients, &stack, usize::from(args.limit)).await?;
        Ok((info, past, cursor))
    });
    let (info, past, cursor) = match result {
        Ok(r) => r,
        Err(e) => return report_error(console, &e, &args.aws, ctx.verbose),
    };
    print_history(&past, &info.status, console);
    if !args.follow {
        outcome(console, "history", &info.status, &[], exit::OK);
        return exit::OK;
    }
    let Some(mut cursor) = cursor else {
        let code = settled_code(&info.status);
        console.say(format!(
            "Stack {} is {}: no operation to follow.",
            info.name, info.status
        ));
        outcome(console, "settled", &info.status, &[], code);
        return code;
    };
    console.say("");
    console.say(format!(
        "Following {} ({}); Ctrl-C stops watching, CloudFormation keeps going.",
        info.name, info.status
    ));
    let ended = rt.block_on(async {
        if catch_ctrl_c {
            interrupt.listen_for_ctrl_c();
        }
        let mut progress = Progress::new(console, &info.name, None);
        let end = events::watch(
            &clients,
            console,
            &mut cursor,
            &mut progress,
            &interrupt,
            watch,
        )
        .await;
        progress.finish();
        end.map(|end| (end, progress.failures().to_vec()))
    });
    match ended {
        Ok((WatchEnd::Settled { status, reason }, failures)) => {
            let code = settled_code(&status);
            let mut line = format!("Stack {} is {status}", info.name);
            if let Some(reason) = reason.filter(|r| !r.is_empty()) {
                line.push_str(&format!(": {reason}"));
            }
            console.say(line);
            for f in &failures {
                console.say(format!(
                    "  {} {} ({}): {}",
                    f.status, f.logical_id, f.resource_type, f.reason
                ));
            }
            outcome(console, "settled", &status, &failures, code);
            code
        }
        Ok((WatchEnd::Gone, _)) => {
            console.say(format!("Stack {} was deleted.", info.name));
            outcome(console, "deleted", "DELETE_COMPLETE", &[], exit::OK);
            exit::OK
        }
        Ok((WatchEnd::Interrupted, _)) => {
            console.say(format!(
                "Stopped watching; the operation goes on (hagen events {} --follow to watch again).",
                info.name
            ));
            outcome(console, "interrupted", &info.status, &[], exit::INTERRUPTED);
            exit::INTERRUPTED
        }
        Err(e) => report_error(console, &e, &args.aws, ctx.verbose),
    }
}

/// The exit code a settled stack status implies, as `deploy` would have
/// ended on it: 0 for a completed create, update, import or delete (and
/// for a stack waiting on a change set), 6 for a failure or rollback.
pub fn settled_code(status: &str) -> u8 {
    if status::is_success(status) || status == "REVIEW_IN_PROGRESS" {
        exit::OK
    } else {
        exit::DEPLOY_FAILED
    }
}

/// The final `outcome` record of `--format json`.
fn outcome(
    console: &mut Console,
    kind: &str,
    status: &str,
    failures: &[events::Failure],
    code: u8,
) {
    console.record(
        "outcome",
        serde_json::json!({
            "outcome": kind,
            "status": status,
            "failures": failures,
            "exit_code": code,
        }),
    );
}

/// One event of the history as its `event` record: the deploy's event
/// record with the operation it belongs to and whether it is a failure.
#[derive(serde::Serialize)]
struct HistoryEvent<'a> {
    operation_id: Option<&'a str>,
    failure: bool,
    #[serde(flatten)]
    event: EventRecord,
}

fn print_history(past: &History, current: &str, console: &mut Console) {
    let stack = &past.stack;
    let count = past.operations.len();
    let mut head = format!(
        "Stack {} is {current}: {count} operation{}, newest first",
        stack.name,
        if count == 1 { "" } else { "s" }
    );
    if past.more {
        head.push_str(" (older ones: --limit N)");
    }
    console.say(head);
    if let Some(why) = &past.fallback_reason {
        let note = format!(
            "  (grouped from DescribeStackEvents at each operation's start: DescribeEvents is not available here: {why})"
        );
        let note = console.paint(
            &width::fit(&note, console.width, 3),
            crate::deploy::console::Style::Dim,
        );
        console.say(note);
    }
    for op in &past.operations {
        print_operation(stack, op, console);
    }
}

fn print_operation(stack: &StackRef, op: &Operation, console: &mut Console) {
    let status = op.status(stack).unwrap_or_else(|| "-".into());
    let failures = op.failures(stack);
    let rest = op.rest(stack);
    console.record(
        "operation",
        serde_json::json!({
            "operation_id": op.id,
            "operation_type": op.kind,
            "status": status,
            "started": op.started().and_then(|t| t
                .fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime)
                .ok()),
            "failures": failures.len(),
            "events": op.events.len(),
        }),
    );
    console.say("");
    let started = op
        .started()
        .and_then(|t| {
            t.fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime)
                .ok()
        })
        .map(|t| crate::deploy::listing::to_the_second(&t))
        .unwrap_or_else(|| "-".into());
    let mut head = format!(
        "{}  started {started}  {status}",
        console.paint(&op.kind, crate::deploy::console::Style::Strong),
    );
    if let Some(id) = &op.id {
        head.push_str(&format!("  (operation {id})"));
    }
    console.say(width::fit(&head, console.width, 2));
    if !failures.is_empty() {
        console.say(console.paint(
            &format!("  Failed ({}):", failures.len()),
            crate::deploy::console::Style::Danger,
        ));
        for e in &failures {
            line(console, op, e, true);
        }
        console.say("  Events:");
    }
    for e in &rest {
        line(console, op, e, false);
    }
}

fn line(
    console: &mut Console,
    op: &Operation,
    e: &aws_sdk_cloudformation::types::StackEvent,
    failure: bool,
) {
    console.record_of(
        "event",
        &HistoryEvent {
            operation_id: op.id.as_deref(),
            failure,
            event: EventRecord::of(e),
        },
    );
    let text = format!("    {}", events::format_event(console, e));
    let fitted = width::fit(&text, console.width, 14);
    console.say(fitted);
}
