//! `hagen diff`: the synthesized template against the deployed one, as a
//! structured summary and a text diff, plus (with `--changeset`)
//! CloudFormation's own verdict from a read-only change set that is deleted
//! again.
//!
//! Thin over `crate::deploy::{diff, preview}`; never changes a stack.

use clap::Args;

use crate::deploy::bootstrap;
use crate::deploy::diff::TemplateDiff;
use crate::deploy::document::Document;
use crate::deploy::preview::{Preview, preview};
use crate::deploy::status::StackState;
use crate::deploy::upload::{MAX_INLINE_BYTES, template_key};
use crate::deploy::{Clients, Console, DeployError, Synthesized, context, drift, params, stack};

use super::deploy::{AwsArgs, DeployContext, FormatArg, SynthOutput, check_stack_name};
use super::exit;
use super::inputs::{self, TagArgs, TemplateArgs};
use super::session::{ContextRecord, Session};

/// Flags of `hagen diff` (the top-level CLI adds `--env`/`--config`).
#[derive(Debug, Clone, Default, Args)]
pub struct DiffArgs {
    /// For a blueprint of several stacks: the stacks to compare (IDs such as
    /// `network`, or stack names) [default: every stack, in dependency order]
    #[arg(value_name = "STACK", conflicts_with = "template")]
    pub stacks: Vec<String>,
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
    /// S3 bucket for templates over 51,200 bytes (change set only)
    /// [default: the environment's `template_bucket` in hagen.toml, else the
    /// bucket of the bootstrap stack (`hagen bootstrap`)].
    #[arg(long, value_name = "BUCKET")]
    pub bucket: Option<String>,
    /// The stack `hagen bootstrap` made in this account and region, whose
    /// bucket takes templates over 51,200 bytes when no bucket is given
    /// [default: hagen-bootstrap].
    #[arg(long, value_name = "NAME", env = "HAGEN_BOOTSTRAP_STACK")]
    pub bootstrap_stack: Option<String>,
    /// Exit with 9 when the deploy would change the stack (or create it),
    /// 0 when it would not; errors keep their own codes. Without it,
    /// `diff` exits 0 either way. For CI: `hagen diff --exit-code || ...`.
    #[arg(long)]
    pub exit_code: bool,
    /// Output format: `text` for people, or `json`: one JSON document on
    /// stdout (the stack, the resources, parameters and outputs added,
    /// removed and modified with the paths that change, and with
    /// --changeset CloudFormation's review); errors become a document with
    /// `"type": "error"`. See docs/deploy.md.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
}

/// What CloudFormation's read-only change set said, when one was asked for.
#[derive(Debug, Clone)]
enum ChangeSetVerdict {
    /// No `--changeset`.
    NotAsked,
    /// None could be made (the reason, in words).
    NotMade(String),
    /// It holds no changes.
    NoChanges,
    /// It holds these changes.
    Changes(Box<crate::deploy::review::Review>),
}

/// Everything `hagen diff` found, for the text or JSON report.
#[derive(Debug, Clone)]
struct Findings {
    stack: String,
    /// Account, region, endpoint and stack.
    context: context::Target,
    deployed: bool,
    diff: TemplateDiff,
    /// Parameter values a deploy would change (deployed -> new).
    parameter_values: Vec<params::ValueDifference>,
    /// Stack tags a deploy would change (only when tags were given).
    tag_values: Vec<params::ValueDifference>,
    change_set: ChangeSetVerdict,
}

impl Findings {
    /// Whether a deploy would change the stack.
    fn changed(&self) -> bool {
        !self.deployed
            || !self.diff.is_empty()
            || !self.parameter_values.is_empty()
            || !self.tag_values.is_empty()
            || matches!(self.change_set, ChangeSetVerdict::Changes(_))
    }
}

/// Runs `hagen diff` and returns its exit code: 0, or with `--exit-code`
/// [`exit::DIFF_CHANGES`] when there are changes; errors keep their codes.
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
    console.set_format(args.format.into());
    let code = compare(args, ctx, synth, given, console);
    super::deploy::conclude(console, code, false)
}

fn compare(
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
            console.error("no stack name: pass --stack-name NAME", exit::USAGE);
            return exit::USAGE;
        }
    };
    if let Some(Err(e)) = args.bootstrap_stack.as_deref().map(check_stack_name) {
        console.error(format!("--bootstrap-stack: {e}"), exit::USAGE);
        return exit::USAGE;
    }
    if let Err(e) = check_stack_name(&stack) {
        console.error(e, exit::USAGE);
        return exit::USAGE;
    }
    let gathered = match inputs::parameters(
        &ctx.environment.parameters,
        &args.inputs.parameter_files,
        &args.parameters,
    ) {
        Ok(g) => g,
        Err(e) => return super::deploy::report_error(console, &e, &args.aws, ctx.verbose),
    };
    let parameters = gathered.values();
    let tags = match inputs::tags(
        &ctx.environment.tags,
        &args.tag_inputs.tag_files,
        &args.tag_inputs.tags,
    ) {
        Ok(t) => t,
        Err(e) => return super::deploy::report_error(console, &e, &args.aws, ctx.verbose),
    };
    let synthesized = match synth(console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(e) = inputs::check_parameters(&synthesized.template, &gathered) {
        return super::deploy::report_error(console, &e, &args.aws, ctx.verbose);
    }
    let bucket = args.bucket.clone().or_else(|| ctx.default_bucket.clone());
    let session = match Session::open(&args.aws, ctx, given, console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // diff prints one JSON document: the context goes into it.
    let target = match session.target(&stack, ctx, true, ContextRecord::InDocument, console) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let Session { rt, clients } = session;
    let bootstrap_stack = args
        .bootstrap_stack
        .as_deref()
        .unwrap_or(bootstrap::DEFAULT_STACK_NAME);
    let result: Result<Findings, DeployError> = rt.block_on(async {
        // Nested stacks are compared as the deploy would send them: their
        // templates in the bucket (content-addressed, so this uploads at
        // most once per version) and the parent pointing at them.
        let packaged = match (&bucket, synthesized.nested.len()) {
            (_, 0) => None,
            (Some(b), _) => Some(
                crate::deploy::nested::package(
                    &clients,
                    b,
                    &stack,
                    &synthesized.template,
                    &synthesized.nested,
                )
                .await?,
            ),
            (None, n) => {
                let found = bootstrap::template_bucket(
                    &clients,
                    None,
                    bootstrap_stack,
                    bootstrap::nested(&stack, n),
                )
                .await?;
                Some(
                    crate::deploy::nested::package(
                        &clients,
                        &found.name,
                        &stack,
                        &synthesized.template,
                        &synthesized.nested,
                    )
                    .await?,
                )
            }
        };
        let (template, body) = match &packaged {
            Some((t, b)) => (t, b.as_str()),
            None => (&synthesized.template, synthesized.body.as_str()),
        };
        let info = stack::describe(&clients, &stack).await?;
        if let Some(line) = info
            .as_ref()
            .and_then(|i| drift::warning(&stack, i.drift_status.as_deref(), &clients.cli_flags()))
        {
            console.warn(line);
        }
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
        let new = Document::from_template(template);
        let diff = TemplateDiff::compute(deployed.as_ref(), &new);
        show_diff(&diff, console);
        let mut findings = Findings {
            stack: stack.clone(),
            context: target.clone(),
            deployed: deployed.is_some(),
            diff,
            parameter_values: Vec::new(),
            tag_values: Vec::new(),
            change_set: ChangeSetVerdict::NotAsked,
        };
        if let Some(i) = info.as_ref().filter(|_| deployed.is_some()) {
            let changed = params::parameter_differences(template, &i.parameters, &parameters);
            if !changed.is_empty() && !console.is_json() {
                console.say(params::render_differences("Parameters", &changed).trim_end());
            }
            findings.parameter_values = changed;
            let retagged = params::tag_differences(&i.tags, &tags.values());
            if tags.any && !retagged.is_empty() {
                if !console.is_json() {
                    console.say(params::render_differences("Tags", &retagged).trim_end());
                }
                findings.tag_values = retagged;
            }
        }
        if !args.changeset {
            return Ok(findings);
        }
        let Some(info) = info.filter(|_| deployed.is_some()) else {
            findings.change_set =
                ChangeSetVerdict::NotMade("it would create the stack (a diff never does)".into());
            show_change_set(&findings.change_set, console);
            return Ok(findings);
        };
        if !matches!(
            StackState::from_status(&info.status),
            StackState::Updatable(_)
        ) {
            findings.change_set = ChangeSetVerdict::NotMade(format!(
                "stack {stack} is {} and cannot take an update now",
                info.status
            ));
            show_change_set(&findings.change_set, console);
            return Ok(findings);
        }
        let mut uploaded = None;
        let bucket = match bucket {
            Some(given) => Some(given),
            None if body.len() > MAX_INLINE_BYTES => {
                let found = bootstrap::template_bucket(
                    &clients,
                    None,
                    bootstrap_stack,
                    bootstrap::too_large(body.len()),
                )
                .await?;
                uploaded = Some(found.uploaded(body.len(), &template_key(&stack, body)));
                Some(found.name)
            }
            None => None,
        };
        let preview = preview(
            &clients,
            &info,
            Synthesized {
                template,
                body,
                nested: &[],
            },
            &parameters,
            bucket.as_deref(),
            deployed.as_ref(),
        )
        .await?;
        if let Some(line) = uploaded {
            console.say(line);
        }
        findings.change_set = match preview {
            Preview::NoChanges => ChangeSetVerdict::NoChanges,
            Preview::Changes(review) => ChangeSetVerdict::Changes(Box::new(review)),
        };
        show_change_set(&findings.change_set, console);
        Ok(findings)
    });
    match result {
        Ok(findings) => {
            record(&findings, console);
            if args.exit_code && findings.changed() {
                exit::DIFF_CHANGES
            } else {
                exit::OK
            }
        }
        Err(e) => super::deploy::report_error(console, &e, &args.aws, ctx.verbose),
    }
}

/// The template diff as text (text format only: JSON gets it in one
/// document at the end).
fn show_diff(diff: &TemplateDiff, console: &mut Console) {
    if console.is_json() {
        return;
    }
    let text = diff.render_at(console.color, console.width);
    console.say(text.trim_end());
}

/// CloudFormation's verdict as text (text format only).
fn show_change_set(verdict: &ChangeSetVerdict, console: &mut Console) {
    if console.is_json() {
        return;
    }
    match verdict {
        ChangeSetVerdict::NotAsked => {}
        ChangeSetVerdict::NotMade(why) => console.say(format!("No change set: {why}.")),
        ChangeSetVerdict::NoChanges => console.say("CloudFormation's change set: no changes."),
        ChangeSetVerdict::Changes(review) => {
            console.say("CloudFormation's change set (deleted again, nothing executed):");
            let text = review.render_at(console.color, console.width);
            console.say(text.trim_end());
        }
    }
}

/// The whole comparison as the one `diff` document of `--format json`.
fn record(findings: &Findings, console: &mut Console) {
    if !console.is_json() {
        return;
    }
    let mut doc = findings.diff.to_json();
    doc["stack"] = serde_json::Value::from(findings.stack.clone());
    doc["context"] = serde_json::json!(findings.context);
    doc["deployed"] = serde_json::Value::Bool(findings.deployed);
    doc["changed"] = serde_json::Value::Bool(findings.changed());
    doc["parameter_values"] = serde_json::json!(findings.parameter_values);
    doc["tag_values"] = serde_json::json!(findings.tag_values);
    doc["change_set"] = match &findings.change_set {
        ChangeSetVerdict::NotAsked => serde_json::Value::Null,
        ChangeSetVerdict::NotMade(why) => serde_json::json!({ "made": false, "reason": why }),
        ChangeSetVerdict::NoChanges => serde_json::json!({ "made": true, "changed": false }),
        ChangeSetVerdict::Changes(review) => {
            serde_json::json!({ "made": true, "changed": true, "review": review })
        }
    };
    console.record("diff", doc);
}
