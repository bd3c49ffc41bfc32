//! `hagen diff`: the synthesized template against the deployed one, as a
//! structured summary and a text diff, plus (with `--changeset`)
//! CloudFormation's own verdict from a read-only change set that is deleted
//! again.
//!
//! Thin over `crate::deploy::{diff, preview}`; never changes a stack.

use clap::Args;

use crate::deploy::diff::TemplateDiff;
use crate::deploy::document::Document;
use crate::deploy::preview::{Preview, preview};
use crate::deploy::status::StackState;
use crate::deploy::{Clients, Console, DeployError, Synthesized, context, params, stack};

use super::deploy::{AwsArgs, DeployContext, SynthOutput, check_stack_name, error_code, runtime};
use super::exit;
use super::inputs::{self, TagArgs, TemplateArgs};

/// Flags of `hagen diff` (the top-level CLI adds `--env`/`--config`).
#[derive(Debug, Clone, Default, Args)]
pub struct DiffArgs {
    /// AWS access.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// `--template FILE` and `--parameters FILE`.
    #[command(flatten)]
    pub inputs: TemplateArgs,
    /// `--tag` and `--tags FILE`.
    #[command(flatten)]
    pub tag_inputs: TagArgs,
    /// Stack name (default: from the blueprint and environment, or the
    /// --template file's name).
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,
    /// Also create a read-only change set (deleted afterwards) for
    /// CloudFormation's replacement verdicts.
    #[arg(long)]
    pub changeset: bool,
    /// A stack parameter; repeatable. Others keep their deployed values.
    /// Changed values are shown, with or without --changeset.
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,
    /// S3 bucket for templates over 51,200 bytes (change set only).
    #[arg(long, value_name = "BUCKET")]
    pub bucket: Option<String>,
}

/// Runs `hagen diff` and returns its exit code (0 whether or not there are
/// differences).
pub fn run(
    args: &DiffArgs,
    ctx: &DeployContext,
    synth: &mut dyn FnMut(&mut Console) -> Result<SynthOutput, u8>,
    console: &mut Console,
) -> u8 {
    run_inner(args, ctx, synth, None, console)
}

/// [`run`] with prepared AWS clients (tests point them at an emulator).
pub fn run_with_clients(
    args: &DiffArgs,
    ctx: &DeployContext,
    synth: &mut dyn FnMut(&mut Console) -> Result<SynthOutput, u8>,
    clients: &Clients,
    console: &mut Console,
) -> u8 {
    run_inner(args, ctx, synth, Some(clients), console)
}

fn run_inner(
    args: &DiffArgs,
    ctx: &DeployContext,
    synth: &mut dyn FnMut(&mut Console) -> Result<SynthOutput, u8>,
    given: Option<&Clients>,
    console: &mut Console,
) -> u8 {
    let stack = match args
        .stack_name
        .clone()
        .or_else(|| ctx.default_stack_name.clone())
    {
        Some(s) => s,
        None => {
            console.warn("error: no stack name: pass --stack-name NAME");
            return exit::USAGE;
        }
    };
    if let Err(e) = check_stack_name(&stack) {
        console.warn(format!("error: {e}"));
        return exit::USAGE;
    }
    let gathered = match inputs::parameters(
        &ctx.environment.parameters,
        &args.inputs.parameter_files,
        &args.parameters,
    ) {
        Ok(g) => g,
        Err((message, code)) => {
            console.warn(format!("error: {message}"));
            return code;
        }
    };
    let parameters = gathered.values();
    let tags = match inputs::tags(
        &ctx.environment.tags,
        &args.tag_inputs.tag_files,
        &args.tag_inputs.tags,
    ) {
        Ok(t) => t,
        Err((message, code)) => {
            console.warn(format!("error: {message}"));
            return code;
        }
    };
    let synthesized = match synth(console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err((message, code)) = inputs::check_parameters(&synthesized.template, &gathered) {
        console.warn(format!("error: {message}"));
        return code;
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            console.warn(format!("error: {e}"));
            return exit::AWS_ERROR;
        }
    };
    let options = args.aws.options(ctx.default_region.as_deref());
    let bucket = args.bucket.clone().or_else(|| ctx.default_bucket.clone());
    let clients = match given {
        Some(c) => c.clone(),
        None => Clients::new(&rt.block_on(crate::deploy::aws::load(&options))),
    };
    let target = rt.block_on(context::target(&clients, &stack));
    console.say(target.to_string());
    if let Err(e) = context::check(&target, &ctx.environment.pins) {
        console.warn(format!("error: {e}"));
        return exit::CHANGE_SET_REFUSED;
    }
    let result: Result<(), DeployError> = rt.block_on(async {
        let info = stack::describe(&clients, &stack).await?;
        let deployed = match &info {
            Some(i) if StackState::from_status(&i.status) != StackState::ReviewInProgress => {
                match stack::template(&clients, &i.id, None).await? {
                    Some(text) => Some(Document::parse(&text).map_err(|e| {
                        DeployError::Usage(format!(
                            "cannot read the deployed template of {stack}: {e}"
                        ))
                    })?),
                    None => None,
                }
            }
            _ => None,
        };
        if deployed.is_none() {
            console.say(format!(
                "Stack {stack} is not deployed: everything below would be created."
            ));
        }
        let new = Document::from_template(&synthesized.template);
        let diff = TemplateDiff::compute(deployed.as_ref(), &new);
        let text = diff.render(console.color);
        console.say(text.trim_end());
        if let Some(i) = info.as_ref().filter(|_| deployed.is_some()) {
            let changed =
                params::parameter_differences(&synthesized.template, &i.parameters, &parameters);
            if !changed.is_empty() {
                console.say(params::render_differences("Parameters", &changed).trim_end());
            }
            let retagged = params::tag_differences(&i.tags, &tags.values());
            if tags.any && !retagged.is_empty() {
                console.say(params::render_differences("Tags", &retagged).trim_end());
            }
        }
        if !args.changeset {
            return Ok(());
        }
        let Some(info) = info.filter(|_| deployed.is_some()) else {
            console.say("No change set: it would create the stack (a diff never does).");
            return Ok(());
        };
        match StackState::from_status(&info.status) {
            StackState::Updatable(_) => {}
            _ => {
                console.say(format!(
                    "No change set: stack {stack} is {} and cannot take an update now.",
                    info.status
                ));
                return Ok(());
            }
        }
        let preview = preview(
            &clients,
            &info,
            Synthesized {
                template: &synthesized.template,
                body: &synthesized.body,
            },
            &parameters,
            bucket.as_deref(),
            deployed.as_ref(),
        )
        .await?;
        match preview {
            Preview::NoChanges => console.say("CloudFormation's change set: no changes."),
            Preview::Changes(review) => {
                console.say("CloudFormation's change set (deleted again, nothing executed):");
                let text = review.render(console.color);
                console.say(text.trim_end());
            }
        }
        Ok(())
    });
    match result {
        Ok(()) => exit::OK,
        Err(e) => {
            console.warn(format!("error: {e}"));
            error_code(&e)
        }
    }
}
