//! `hagen deploy` and `hagen diff` of a blueprint of several stacks: each
//! stack in dependency order through the one-stack command, stopping at
//! the first failure and saying which stacks are done and which are not.
//!
//! Owns the order, the selection (`deploy STACK...`, `--exclusively`), the
//! flags that cannot apply to several stacks at once, and the summary. Each
//! stack's own deploy (change set, review, events, export guard) is
//! `super::deploy`'s, unchanged.

use super::deploy::{self, DeployArgs, DeployContext, SynthOutput, conclude};
use super::diff::{self, DiffArgs};
use super::exit;
use super::synth::BuiltApp;
use crate::app::AppStack;
use crate::deploy::Console;

/// Which flags that describe one stack's inputs were given.
struct OneStackFlags {
    stack_name: bool,
    parameters: bool,
    outputs_file: bool,
}

/// The stacks to run, after refusing flags that cannot apply to several;
/// errors are reported and their exit code returned.
fn selected<'a>(
    all: &'a BuiltApp,
    flags: &OneStackFlags,
    wanted: &[String],
    exclusively: bool,
    console: &mut Console,
) -> Result<Vec<(&'a AppStack, &'a String)>, u8> {
    if all.app.stacks.len() > 1
        && let Some(why) = one_stack_flags(flags)
    {
        console.error(why, exit::USAGE);
        return Err(exit::USAGE);
    }
    chosen(all, wanted, exclusively, console)
}

/// Why flags that name one stack's inputs cannot be given to several.
fn one_stack_flags(flags: &OneStackFlags) -> Option<&'static str> {
    let OneStackFlags {
        stack_name,
        parameters,
        outputs_file,
    } = *flags;
    if stack_name {
        Some(
            "--stack-name names one stack; the stacks of an app are named by the blueprint (name them as STACK arguments)",
        )
    } else if parameters {
        Some(
            "--parameter and --parameters apply to one stack; with several, put the values in hagen.toml's [environments.NAME.parameters] or deploy one stack (`deploy STACK --exclusively`)",
        )
    } else if outputs_file {
        Some(
            "--outputs-file writes one stack's outputs; deploy one stack (`deploy STACK --exclusively`) to use it",
        )
    } else {
        None
    }
}

/// The stacks chosen, or the usage error already reported.
fn chosen<'a>(
    all: &'a BuiltApp,
    wanted: &[String],
    exclusively: bool,
    console: &mut Console,
) -> Result<Vec<(&'a AppStack, &'a String)>, u8> {
    match all.app.selection(wanted, exclusively) {
        Ok(stacks) => Ok(stacks
            .into_iter()
            .filter_map(|s| {
                let i = all.app.stacks.iter().position(|x| x.id == s.id)?;
                Some((s, all.texts.get(i)?))
            })
            .collect()),
        Err(why) => {
            console.error(why, exit::USAGE);
            Err(exit::USAGE)
        }
    }
}

/// The nested stacks' templates of a stack, as the deploy uploads them.
fn nested_bodies(stack: &AppStack) -> Vec<crate::deploy::nested::NestedBody> {
    stack
        .nested
        .iter()
        .map(|n| crate::deploy::nested::NestedBody {
            logical_id: n.logical_id.clone(),
            body: n.template.to_yaml(),
        })
        .collect()
}

/// The deploy context of one stack of the app.
fn context_for(ctx: &DeployContext, stack: &AppStack) -> DeployContext {
    DeployContext {
        default_stack_name: Some(stack.name.clone()),
        ..ctx.clone()
    }
}

/// Deploys the selected stacks of an app in order; the exit code of the
/// first that fails, else 0.
pub fn deploy(args: &DeployArgs, ctx: &DeployContext, all: &BuiltApp, console: &mut Console) -> u8 {
    deploy_each(args, ctx, all, console, &mut |ctx, output, console| {
        let mut synth = |_: &mut Console| Ok(output.clone());
        deploy::run(args, ctx, &mut synth, console)
    })
}

/// One stack's deploy: its context (stack name), its template, the
/// console; returns the exit code.
pub type DeployOne<'a> = dyn FnMut(&DeployContext, &SynthOutput, &mut Console) -> u8 + 'a;

/// [`deploy()`] with each stack's deploy done by `one`: what tests use to
/// reach an emulator with their own clients and watch timings.
pub fn deploy_each(
    args: &DeployArgs,
    ctx: &DeployContext,
    all: &BuiltApp,
    console: &mut Console,
    one: &mut DeployOne<'_>,
) -> u8 {
    console.set_format(args.format.into());
    let flags = OneStackFlags {
        stack_name: args.stack_name.is_some(),
        parameters: !args.parameters.is_empty() || !args.inputs.parameter_files.is_empty(),
        outputs_file: args.outputs_file.is_some(),
    };
    let stacks = match selected(all, &flags, &args.stacks, args.exclusively, console) {
        Ok(stacks) => stacks,
        Err(code) => return conclude(console, code, true),
    };
    let ids: Vec<&str> = stacks.iter().map(|(s, _)| s.id.as_str()).collect();
    console.say(format!(
        "Deploying {} stack{} in dependency order: {}",
        ids.len(),
        if ids.len() == 1 { "" } else { "s" },
        ids.join(" -> ")
    ));
    let mut done: Vec<&str> = Vec::new();
    for (n, (stack, text)) in stacks.iter().enumerate() {
        console.say(format!(
            "[{}/{}] stack {} ({})",
            n + 1,
            stacks.len(),
            stack.id,
            stack.name
        ));
        let ctx = context_for(ctx, stack);
        let output = SynthOutput {
            nested: nested_bodies(stack),
            template: stack.template.clone(),
            body: (*text).clone(),
        };
        let code = one(&ctx, &output, console);
        if code != exit::OK {
            let rest: Vec<&str> = ids[n + 1..].to_vec();
            let mut line = format!("stack {} did not deploy (exit code {code})", stack.id);
            if !done.is_empty() {
                line.push_str(&format!("; deployed: {}", done.join(", ")));
            }
            if !rest.is_empty() {
                line.push_str(&format!(
                    "; not started: {} (they come after it; deploy them with `deploy {}` once it is fixed)",
                    rest.join(", "),
                    rest.join(" ")
                ));
            }
            console.warn(line);
            return code;
        }
        done.push(&stack.id);
    }
    console.say(format!(
        "All {} stacks are deployed: {}",
        done.len(),
        done.join(", ")
    ));
    exit::OK
}

/// Compares the selected stacks of an app with what is deployed, in
/// order; the worst exit code (an error over "changes" over none).
pub fn diff(args: &DiffArgs, ctx: &DeployContext, all: &BuiltApp, console: &mut Console) -> u8 {
    diff_each(args, ctx, all, console, &mut |ctx, output, console| {
        let mut synth = |_: &mut Console| Ok(output.clone());
        diff::run(args, ctx, &mut synth, console)
    })
}

/// [`diff()`] with each stack's diff done by `one` (see [`deploy_each`]).
pub fn diff_each(
    args: &DiffArgs,
    ctx: &DeployContext,
    all: &BuiltApp,
    console: &mut Console,
    one: &mut DeployOne<'_>,
) -> u8 {
    console.set_format(args.format.into());
    let flags = OneStackFlags {
        stack_name: args.stack_name.is_some(),
        parameters: !args.parameters.is_empty() || !args.inputs.parameter_files.is_empty(),
        outputs_file: false,
    };
    let stacks = match selected(all, &flags, &args.stacks, true, console) {
        Ok(stacks) => stacks,
        Err(code) => return conclude(console, code, false),
    };
    let mut worst = exit::OK;
    for (stack, text) in stacks {
        console.say(format!("== stack {} ({})", stack.id, stack.name));
        let ctx = context_for(ctx, stack);
        let output = SynthOutput {
            nested: nested_bodies(stack),
            template: stack.template.clone(),
            body: text.clone(),
        };
        let code = one(&ctx, &output, console);
        worst = match (worst, code) {
            (exit::OK, c) => c,
            (exit::DIFF_CHANGES, exit::OK) => exit::DIFF_CHANGES,
            (exit::DIFF_CHANGES, c) => c,
            (w, _) => w,
        };
    }
    worst
}
