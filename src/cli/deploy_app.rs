//! `hagen deploy` and `hagen diff` of a blueprint of several stacks: each
//! stack in dependency order through the one-stack command, stopping at
//! the first failure and saying which stacks are done and which are not.
//!
//! Owns the order, the selection (`deploy STACK...`, `--exclusively`), the
//! flags that cannot apply to several stacks at once, and the summary. Each
//! stack's own deploy (change set, review, events, export guard) is
//! `super::deploy`'s, unchanged.

use std::io::Write as _;

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

/// The template of a one-stack blueprint when no stack is named: deployed
/// and compared exactly as before apps existed (no plan, `--stack-name`
/// and `--parameter` allowed).
fn only_stack(all: &BuiltApp, named: &[String]) -> Option<SynthOutput> {
    if !all.app.single || !named.is_empty() {
        return None;
    }
    let (stack, text) = all.app.stacks.first().zip(all.texts.first())?;
    Some(output_of(stack, text))
}

/// What one stack's deploy sends.
fn output_of(stack: &AppStack, text: &str) -> SynthOutput {
    SynthOutput {
        nested: nested_bodies(stack),
        template: stack.template.clone(),
        body: text.to_owned(),
    }
}

/// The selected stacks (indexes, in deploy order) grouped in waves: every
/// stack comes after the waves of the selected stacks it depends on, so the
/// stacks of one wave never depend on each other.
fn waves(stacks: &[(&AppStack, &String)]) -> Vec<Vec<usize>> {
    let mut level: Vec<usize> = Vec::with_capacity(stacks.len());
    for (i, (stack, _)) in stacks.iter().enumerate() {
        let after = stacks[..i]
            .iter()
            .zip(&level)
            .filter(|((s, _), _)| stack.depends_on.contains(&s.id))
            .map(|(_, l)| l + 1)
            .max()
            .unwrap_or(0);
        level.push(after);
    }
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); level.iter().max().map_or(0, |m| m + 1)];
    for (i, l) in level.into_iter().enumerate() {
        out[l].push(i);
    }
    out
}

/// A byte buffer a console of a side-by-side deploy writes into.
#[derive(Clone, Default)]
struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut v) => {
                v.extend_from_slice(bytes);
                Ok(bytes.len())
            }
            Err(_) => Err(std::io::Error::other("a console buffer was poisoned")),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Deploys the stacks `batch` names at the same time, each into a console
/// of its own (no prompt; one line per event), and prints each one's
/// output in deploy order once all have ended. Returns (index, exit code).
fn side_by_side(
    batch: &[usize],
    stacks: &[(&AppStack, &String)],
    ctx: &DeployContext,
    console: &mut Console,
    one: &DeployOne<'_>,
) -> Vec<(usize, u8)> {
    let (format, color) = (console.format(), console.color);
    let ran: Vec<(usize, u8, Vec<u8>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = batch
            .iter()
            .map(|&i| {
                let (stack, text) = stacks[i];
                scope.spawn(move || {
                    let buffer = Buffer::default();
                    let mut own = Console::new(
                        Box::new(buffer.clone()),
                        Box::new(buffer.clone()),
                        Box::new(crate::deploy::console::NoPrompt),
                        crate::deploy::console::ProgressMode::Events,
                        color,
                    );
                    own.set_format(format);
                    let code = one(&context_for(ctx, stack), &output_of(stack, text), &mut own);
                    drop(own);
                    let bytes = buffer.0.lock().map(|v| v.clone()).unwrap_or_default();
                    (i, code, bytes)
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(batch)
            .map(|(h, &i)| h.join().unwrap_or((i, exit::DEPLOY_FAILED, Vec::new())))
            .collect()
    });
    let mut codes = Vec::with_capacity(ran.len());
    for (i, code, bytes) in ran {
        console.say(format!(
            "-- stack {} ({}):",
            stacks[i].0.id, stacks[i].0.name
        ));
        let _ = console.out.write_all(&bytes);
        codes.push((i, code));
    }
    codes
}

/// The deploy context of one stack of the app.
fn context_for(ctx: &DeployContext, stack: &AppStack) -> DeployContext {
    DeployContext {
        default_stack_name: Some(stack.name.clone()),
        ..ctx.clone()
    }
}

/// Deploys the selected stacks of an app in order (a one-stack blueprint's
/// stack as it always was); the exit code of the first that fails, else 0.
pub fn deploy(args: &DeployArgs, ctx: &DeployContext, all: &BuiltApp, console: &mut Console) -> u8 {
    if let Some(output) = only_stack(all, &args.stacks) {
        let mut synth = |_: &mut Console| Ok(output.clone());
        return deploy::run(args, ctx, &mut synth, console);
    }
    let compare = review_args(args);
    deploy_each(
        args,
        ctx,
        all,
        console,
        &|ctx, output, console| {
            let mut synth = |_: &mut Console| Ok(output.clone());
            deploy::run(args, ctx, &mut synth, console)
        },
        &|ctx, output, console| {
            let mut synth = |_: &mut Console| Ok(output.clone());
            diff::run(&compare, ctx, &mut synth, console)
        },
    )
}

/// The `diff` a combined review runs for each stack: the deploy's AWS
/// access, inputs and bucket, with `--exit-code` so that the review knows
/// which stacks change.
pub fn review_args(args: &DeployArgs) -> DiffArgs {
    DiffArgs {
        aws: args.aws.clone(),
        inputs: args.inputs.clone(),
        tag_inputs: crate::cli::inputs::TagArgs {
            tags: args.tags.clone(),
            tag_files: args.tag_files.clone(),
        },
        parameters: args.parameters.clone(),
        bucket: args.bucket.clone(),
        bootstrap_stack: args.bootstrap_stack.clone(),
        exit_code: true,
        format: args.format,
        ..DiffArgs::default()
    }
}

/// What the combined review of an app's stacks decided.
enum Review {
    /// The user said yes to every stack at once.
    Approved,
    /// No stack would change.
    NothingToDo,
    /// Nothing is deployed; the exit code says why.
    Stop(u8),
}

/// `deploy` of several stacks without `--yes`: every stack compared with
/// what is deployed (`review`, a `diff`), in the order they would deploy,
/// then one question for all of them, before any is touched. A stack that
/// cannot be compared stops the run.
fn combined_review(
    ctx: &DeployContext,
    order: &[(&AppStack, &String)],
    console: &mut Console,
    review: &DeployOne<'_>,
) -> Review {
    console.say(format!(
        "Review of the {} stacks before any is deployed:",
        order.len()
    ));
    let mut changing: Vec<&str> = Vec::new();
    for (stack, text) in order {
        console.say(format!("== stack {} ({})", stack.id, stack.name));
        match review(&context_for(ctx, stack), &output_of(stack, text), console) {
            exit::OK => {}
            exit::DIFF_CHANGES => changing.push(stack.id.as_str()),
            code => {
                console.warn(format!(
                    "stack {} could not be compared with what is deployed (above); nothing was deployed",
                    stack.id
                ));
                return Review::Stop(code);
            }
        }
    }
    if changing.is_empty() {
        console.say("No stack would change: nothing to deploy.");
        return Review::NothingToDo;
    }
    let question = format!(
        "Deploy the {} stacks in this order ({} would change)?",
        order.len(),
        changing.join(", ")
    );
    if !console.prompt.interactive() {
        console.say(format!(
            "{question} Not asked: no terminal to confirm on. Nothing was deployed; pass --yes to deploy without asking (CI)."
        ));
        return Review::Stop(exit::CHANGE_SET_REFUSED);
    }
    match console.prompt.confirm(&question) {
        Ok(true) => Review::Approved,
        Ok(false) => {
            console.say("Nothing was deployed.");
            Review::Stop(exit::CHANGE_SET_REFUSED)
        }
        Err(e) => {
            console.warn(format!(
                "error: the answer could not be read ({e}); nothing was deployed"
            ));
            Review::Stop(exit::CHANGE_SET_REFUSED)
        }
    }
}

/// One stack's deploy: its context (stack name), its template, the
/// console; returns the exit code. Shared by the threads of a
/// `--concurrency` run.
pub type DeployOne<'a> = dyn Fn(&DeployContext, &SynthOutput, &mut Console) -> u8 + Sync + 'a;

/// [`deploy()`] with each stack's deploy done by `one` and each stack's
/// comparison for the combined review by `review`: what tests use to reach
/// an emulator with their own clients and watch timings.
///
/// Without `--yes` (and without `--no-execute`), several stacks are first
/// reviewed together: each one's changes, then one question. A yes deploys
/// them in order without asking again, except what `--require-approval`
/// still holds back (a change set that widens access asks for the stack's
/// name, as it would alone).
pub fn deploy_each(
    args: &DeployArgs,
    ctx: &DeployContext,
    all: &BuiltApp,
    console: &mut Console,
    one: &DeployOne<'_>,
    review: &DeployOne<'_>,
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
    // The order they run in: wave by wave (a stack after everything it
    // depends on), so the plan printed is the order that follows.
    let waves = waves(&stacks);
    let ids: Vec<&str> = waves
        .iter()
        .flatten()
        .map(|&i| stacks[i].0.id.as_str())
        .collect();
    console.say(format!(
        "Deploying {} stack{} in dependency order: {}",
        ids.len(),
        if ids.len() == 1 { "" } else { "s" },
        ids.join(" -> ")
    ));
    if args.concurrency > 1 && !args.yes {
        console.error(
            "--concurrency deploys stacks side by side, where no review can be answered: add --yes",
            exit::USAGE,
        );
        return conclude(console, exit::USAGE, true);
    }
    let mut ctx = ctx.clone();
    if stacks.len() > 1 && !args.yes && !args.no_execute {
        let order: Vec<(&AppStack, &String)> = waves.iter().flatten().map(|&i| stacks[i]).collect();
        match combined_review(&ctx, &order, console, review) {
            Review::Approved => ctx.reviewed = true,
            Review::NothingToDo => return exit::OK,
            Review::Stop(code) => return code,
        }
    }
    let ctx = &ctx;
    let mut done: Vec<&str> = Vec::new();
    let mut started = 0;
    for wave in waves {
        for batch in wave.chunks(usize::from(args.concurrency).max(1)) {
            let codes: Vec<(usize, u8)> = if let [i] = batch {
                let (stack, text) = stacks[*i];
                started += 1;
                console.say(format!(
                    "[{started}/{}] stack {} ({})",
                    stacks.len(),
                    stack.id,
                    stack.name
                ));
                let ctx = context_for(ctx, stack);
                vec![(*i, one(&ctx, &output_of(stack, text), console))]
            } else {
                let names: Vec<&str> = batch.iter().map(|&i| stacks[i].0.id.as_str()).collect();
                console.say(format!(
                    "[{}-{}/{}] stacks {} side by side (each one's progress is printed when it ends)",
                    started + 1,
                    started + batch.len(),
                    stacks.len(),
                    names.join(", ")
                ));
                started += batch.len();
                side_by_side(batch, &stacks, ctx, console, one)
            };
            let failed: Vec<(&str, u8)> = codes
                .iter()
                .filter(|(_, code)| *code != exit::OK)
                .map(|&(i, code)| (stacks[i].0.id.as_str(), code))
                .collect();
            done.extend(
                codes
                    .iter()
                    .filter(|(_, code)| *code == exit::OK)
                    .map(|&(i, _)| stacks[i].0.id.as_str()),
            );
            if let Some(&(_, code)) = failed.first() {
                let rest: Vec<&str> = ids
                    .iter()
                    .copied()
                    .filter(|id| !done.contains(id) && !failed.iter().any(|(f, _)| f == id))
                    .collect();
                let what: Vec<String> = failed
                    .iter()
                    .map(|(id, code)| format!("{id} (exit code {code})"))
                    .collect();
                let mut line = format!("did not deploy: {}", what.join(", "));
                if !done.is_empty() {
                    line.push_str(&format!("; deployed: {}", done.join(", ")));
                }
                if !rest.is_empty() {
                    line.push_str(&format!(
                        "; not started: {} (deploy them with `deploy {}` once it is fixed)",
                        rest.join(", "),
                        rest.join(" ")
                    ));
                }
                console.warn(line);
                return code;
            }
        }
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
    if let Some(output) = only_stack(all, &args.stacks) {
        let mut synth = |_: &mut Console| Ok(output.clone());
        return diff::run(args, ctx, &mut synth, console);
    }
    diff_each(args, ctx, all, console, &|ctx, output, console| {
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
    one: &DeployOne<'_>,
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
        let code = one(&ctx, &output_of(stack, text), console);
        worst = match (worst, code) {
            (exit::OK, c) => c,
            (exit::DIFF_CHANGES, exit::OK) => exit::DIFF_CHANGES,
            (exit::DIFF_CHANGES, c) => c,
            (w, _) => w,
        };
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waves_put_a_stack_after_everything_it_depends_on() {
        let stack = |id: &str, deps: &[&str]| AppStack {
            id: id.to_owned(),
            name: format!("x-{id}"),
            template: crate::template::Template::default(),
            overrides: Vec::new(),
            depends_on: deps.iter().map(|d| (*d).to_owned()).collect(),
            exports: Vec::new(),
            imports: Vec::new(),
            nested: Vec::new(),
        };
        let all = [
            stack("net", &[]),
            stack("data", &["net"]),
            stack("logs", &[]),
            stack("web", &["data", "logs"]),
            stack("jobs", &["data"]),
        ];
        let text = String::new();
        let selected: Vec<(&AppStack, &String)> = all.iter().map(|s| (s, &text)).collect();
        assert_eq!(waves(&selected), [vec![0, 2], vec![1], vec![3, 4]]);
        // A dependency left out of the selection does not hold a stack back.
        let web_only: Vec<(&AppStack, &String)> = vec![(&all[3], &text)];
        assert_eq!(waves(&web_only), [vec![0]]);
    }
}
