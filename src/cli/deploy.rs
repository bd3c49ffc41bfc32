//! `hagen deploy`: its flags, and the run that turns a deploy's outcome into
//! words and an exit code.
//!
//! Thin over `crate::deploy`: parses flags into a request, builds the AWS
//! clients and a runtime, and maps outcomes and errors to the codes in
//! [`super::exit`]. The top-level CLI supplies the synth step (with
//! `--env`/`--config`) as a closure, so `--execute` never synthesizes.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::deploy::approval::RequireApproval;
use crate::deploy::{
    AwsOptions, Clients, Console, DeployError, DeployRequest, Deployer, Interrupt, Outcome,
    OutputFormat, ProgressMode, Synthesized,
};
use crate::template::Template;

use super::exit;
use super::inputs::{self, EnvironmentInputs, TemplateArgs};
use super::session::{ContextRecord, Session};

/// Where to reach AWS; shared by `deploy` and `diff`.
#[derive(Debug, Clone, Default, Args)]
pub struct AwsArgs {
    /// Named profile from the AWS config files (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region [default: AWS_REGION or AWS_DEFAULT_REGION, else the
    /// environment's `region` in hagen.toml, else the profile's]. An
    /// environment with a `region` refuses any other.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every AWS request to this endpoint (a local emulator, a VPC
    /// endpoint).
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
}

impl AwsArgs {
    /// The library's view of these flags, with the region the environment's
    /// configuration names (if any) to fall back on.
    pub fn options(&self, configured_region: Option<&str>) -> AwsOptions {
        AwsOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            configured_region: configured_region.map(str::to_owned),
        }
    }

    /// The same flags as command-line text, for commands printed to the user.
    pub fn as_flags(&self) -> String {
        let mut s = String::new();
        if let Some(p) = &self.profile {
            s.push_str(&format!(" --profile {p}"));
        }
        if let Some(r) = &self.region {
            s.push_str(&format!(" --region {r}"));
        }
        if let Some(u) = &self.endpoint_url {
            s.push_str(&format!(" --endpoint-url {u}"));
        }
        s
    }
}

/// `--progress`: how stack events are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ProgressArg {
    /// A bar on a terminal, one line per event otherwise.
    #[default]
    Auto,
    /// A progress bar (resources done / total), failures printed above it.
    Bar,
    /// One line per stack event.
    Events,
}

impl ProgressArg {
    /// Sets the console's progress display (`auto` leaves the console's
    /// own choice: a bar on a terminal, lines otherwise).
    pub fn apply(self, console: &mut Console) {
        match self {
            ProgressArg::Auto => {}
            ProgressArg::Bar => console.progress = ProgressMode::Bar,
            ProgressArg::Events => console.progress = ProgressMode::Events,
        }
    }
}

/// `--format` of `diff` and `deploy`: text for people or JSON for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FormatArg {
    /// Text for people.
    #[default]
    Text,
    /// JSON on stdout (see docs/deploy.md); text for people on stderr.
    Json,
}

impl From<FormatArg> for OutputFormat {
    fn from(f: FormatArg) -> OutputFormat {
        match f {
            FormatArg::Text => OutputFormat::Text,
            FormatArg::Json => OutputFormat::Json,
        }
    }
}

/// `--require-approval`: which change sets need a person to approve them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum RequireApprovalArg {
    /// `--yes` approves every change set (without `--yes`, a terminal is
    /// asked y/N).
    Never,
    /// Every change set needs a person at a terminal; `--yes` is not enough
    /// (without a terminal the deploy is refused, exit 5).
    AnyChange,
    /// A change set that widens access (security group rules, IAM
    /// statements) needs a person at a terminal who types the stack name;
    /// `--yes` approves the others. Without a terminal a widening is
    /// refused (exit 5).
    #[default]
    Broadening,
}

impl From<RequireApprovalArg> for RequireApproval {
    fn from(arg: RequireApprovalArg) -> Self {
        match arg {
            RequireApprovalArg::Never => RequireApproval::Never,
            RequireApprovalArg::AnyChange => RequireApproval::AnyChange,
            RequireApprovalArg::Broadening => RequireApproval::Broadening,
        }
    }
}

/// Ends a run in JSON format so that a program always gets an answer: an
/// `error` record when the run failed without writing one (a template with
/// errors, a message printed by code that only said `error: ...`), then,
/// when `outcome` is set (deploy), an `outcome` record carrying the exit
/// code if none was written. Returns `code`.
pub fn conclude(console: &mut Console, code: u8, outcome: bool) -> u8 {
    if !console.is_json() {
        return code;
    }
    let failed = !matches!(code, exit::OK | exit::DIFF_CHANGES);
    if failed && !console.recorded("error") && !console.recorded("outcome") {
        let message = console.last_error().map(str::to_owned).unwrap_or_else(|| {
            exit::MEANINGS
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, m)| (*m).to_owned())
                .unwrap_or_else(|| format!("exit code {code}"))
        });
        console.record(
            "error",
            serde_json::json!({ "message": message, "exit_code": code }),
        );
    }
    if outcome && !console.recorded("outcome") {
        console.record(
            "outcome",
            serde_json::json!({ "outcome": "error", "exit_code": code }),
        );
    }
    code
}

/// Flags of `hagen deploy` (the top-level CLI adds `--env`/`--config`).
#[derive(Debug, Clone, Default, Args)]
pub struct DeployArgs {
    /// For a blueprint of several stacks: the stacks to deploy (IDs such as
    /// `network`, or stack names), with the stacks they depend on unless
    /// --exclusively [default: every stack, in dependency order]
    #[arg(value_name = "STACK", conflicts_with = "template")]
    pub stacks: Vec<String>,
    /// Deploy only the stacks named, not the stacks they depend on.
    #[arg(long, requires = "stacks")]
    pub exclusively: bool,
    /// For a blueprint of several stacks: deploy up to N stacks that do not
    /// depend on each other at the same time (needs --yes: no review can be
    /// answered for stacks side by side). Each stack's progress is printed
    /// when it ends. Example: `deploy --yes --concurrency 4`.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub concurrency: u8,
    /// Deploy through a reviewed change set. This is the only way hagen
    /// deploys; the flag states it on the command line (`hagen deploy
    /// --changeset`), it changes nothing.
    #[arg(long)]
    pub changeset: bool,
    /// AWS access.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// `--template FILE` and `--parameters FILE`.
    #[command(flatten)]
    pub inputs: TemplateArgs,
    /// Stack name (default: from the blueprint and environment, or the
    /// --template file's name).
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,
    /// A stack parameter; repeatable. Parameters not given keep their
    /// deployed value on updates.
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,
    /// A stack tag; repeatable. Without any, an update keeps the stack's tags.
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Stack tags from a JSON or YAML file; repeatable. The AWS CLI's
    /// [{"Key": "K", "Value": "V"}], a list of "K=V" strings, or a map K: V;
    /// --tag wins over files.
    #[arg(long = "tags", value_name = "FILE")]
    pub tag_files: Vec<PathBuf>,
    /// An SNS topic ARN for stack events; repeatable.
    #[arg(long = "notification-arn", value_name = "ARN")]
    pub notification_arns: Vec<String>,
    /// Allow this stateful resource (database, volume, bucket, EIP...) to be
    /// replaced or deleted; repeatable. Without it such a change stops the
    /// deploy before execution. A replacement is what the change set says or
    /// what the templates show (a changed create-only property, a changed
    /// type, an RDS engine change). Naming an ID the change set does not
    /// replace or delete is an error. Example: `--allow-replace DbInstance`.
    #[arg(long = "allow-replace", value_name = "LOGICAL_ID")]
    pub allow_replace: Vec<String>,
    /// S3 bucket for templates over 51,200 bytes [default: the
    /// environment's `template_bucket` in hagen.toml, else the bucket of the
    /// bootstrap stack (`hagen bootstrap`)].
    #[arg(long, value_name = "BUCKET")]
    pub bucket: Option<String>,
    /// The stack `hagen bootstrap` made in this account and region, whose
    /// bucket takes templates over 51,200 bytes when no bucket is given
    /// [default: hagen-bootstrap].
    #[arg(long, value_name = "NAME", env = "HAGEN_BOOTSTRAP_STACK")]
    pub bootstrap_stack: Option<String>,
    /// Execute without asking (for CI), and accept offered recoveries. A
    /// change set that widens access still needs a person unless
    /// `--require-approval never` (see there). Without it, several stacks
    /// are reviewed together first (each one's diff) and asked about once.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Which change sets need a person to approve them, whatever `--yes`
    /// says: `broadening` (default: those that widen access; the person
    /// types the stack name), `any-change` (all), `never` (`--yes` approves
    /// all). Example for CI that may open access: `--yes --require-approval
    /// never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = RequireApprovalArg::Broadening)]
    pub require_approval: RequireApprovalArg,
    /// Create and review the change set, then stop; prints the command that
    /// executes it. The change set is kept on purpose (any other run that
    /// ends without executing deletes what it created).
    #[arg(long, conflicts_with = "execute")]
    pub no_execute: bool,
    /// Execute a change set left by `--no-execute` (reviewed again first;
    /// it already holds its template, parameters and tags). Declined or
    /// refused, it is kept: this run did not create it.
    #[arg(
        long,
        value_name = "CHANGE_SET",
        conflicts_with_all = ["parameters", "tags", "notification_arns", "bucket", "template", "parameter_files", "tag_files"]
    )]
    pub execute: Option<String>,
    /// Refuse instead of waiting when another operation is running on the stack.
    #[arg(long)]
    pub no_wait: bool,
    /// Deploy without rollback triggers this once: the alarms the template
    /// marks as deploy monitors (and hagen.toml's) do not watch this run,
    /// and the stack's earlier triggers are removed until the next deploy.
    /// Said as a warning, since it lowers safety. Example, to ship a fix
    /// while an alarm is already in ALARM: `--no-rollback-triggers`.
    #[arg(long)]
    pub no_rollback_triggers: bool,
    /// How to show progress.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
    /// Write the stack outputs as JSON to this file after every successful
    /// run, a deploy that changes nothing included.
    #[arg(long, value_name = "PATH")]
    pub outputs_file: Option<PathBuf>,
    /// Make a drift-aware change set (`DeploymentMode: REVERT_DRIFT`): it
    /// sets properties changed outside CloudFormation back to the
    /// template's values, and the review lists each one it overwrites
    /// (live -> template). Updates only. See `hagen drift` first. Example:
    /// `hagen deploy --changeset --revert-drift`.
    #[arg(long, conflicts_with = "execute")]
    pub revert_drift: bool,
    /// Adopt resources with custom names (a fixed BucketName, TableName...)
    /// that already exist, instead of failing on "already exists"
    /// (`ImportExistingResources`). The review marks them `Import`; hagen
    /// manages them from then on, so their DeletionPolicy decides whether
    /// a later removal deletes them. Example: `hagen deploy --changeset
    /// --import-existing`.
    #[arg(long, conflicts_with = "execute")]
    pub import_existing: bool,
    /// Output format: `text` for people, or `json`: JSON lines on stdout,
    /// one object per record with a `type` (`context`, `review`, `event`,
    /// `outcome` with the exit code, `error`); the text for people then
    /// goes to stderr. See docs/deploy.md for the schema.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Turn the stack's termination protection on after the deploy (on a
    /// new stack once it is created; on an existing one when it is off).
    /// On by default for environments with `protect = true` in hagen.toml
    /// (the built-in prod). Example: `--termination-protection`.
    #[arg(long, overrides_with = "no_termination_protection")]
    pub termination_protection: bool,
    /// Turn the stack's termination protection off after the deploy, also
    /// in an environment with `protect = true` (hagen says so).
    #[arg(long, overrides_with = "termination_protection")]
    pub no_termination_protection: bool,
    /// The IAM role CloudFormation acts as for this stack (RoleARN of the
    /// change set) [default: the environment's `role_arn` in hagen.toml].
    /// Example: `--role-arn arn:aws:iam::123456789012:role/cfn-deploy`.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// If the operation fails, keep what succeeded and leave the stack in
    /// CREATE_FAILED/UPDATE_FAILED instead of rolling back; then fix the
    /// cause and deploy again with this flag (it continues from there), or
    /// run `hagen rollback STACK`.
    #[arg(long)]
    pub disable_rollback: bool,
    /// Name this run's change set (a letter first, then letters, digits and
    /// hyphens, at most 128) instead of `hagen-deploy-TIME-RANDOM`. Refused
    /// if the stack already has a change set of that name. Example:
    /// `--change-set-name release-42`.
    #[arg(long, value_name = "NAME", conflicts_with = "execute")]
    pub change_set_name: Option<String>,
}

impl DeployArgs {
    /// The termination protection asked for: the flags, else on for a
    /// protected environment, else `None` (left as it is).
    pub fn termination_protection(&self, protected_environment: bool) -> Option<bool> {
        if self.no_termination_protection {
            Some(false)
        } else if self.termination_protection || protected_environment {
            Some(true)
        } else {
            None
        }
    }
}

/// A synthesized, validated template the top-level CLI hands over.
#[derive(Debug, Clone)]
pub struct SynthOutput {
    /// The IR.
    pub template: Template,
    /// Its nested stacks' templates, uploaded before the change set.
    pub nested: Vec<crate::deploy::nested::NestedBody>,
    /// The text to send.
    pub body: String,
}

/// What the top-level CLI knows that deploy needs.
#[derive(Debug, Clone, Default)]
pub struct DeployContext {
    /// Stack name from the blueprint and environment, when `--stack-name`
    /// is not given.
    pub default_stack_name: Option<String>,
    /// Template bucket from config, when `--bucket` is not given.
    pub default_bucket: Option<String>,
    /// The command line (up to `deploy`'s own flags) that reaches the same
    /// blueprint and environment, for printed commands; `hagen deploy`
    /// when empty.
    pub command: String,
    /// `--verbose`: print the SDK's full detail under an AWS error.
    pub verbose: bool,
    /// The environment's parameters, stack tags and pinned account and
    /// region, from `hagen.toml` (the pinned region is also the region
    /// requests go to when neither `--region` nor `AWS_REGION` names one).
    pub environment: EnvironmentInputs,
    /// `protect = true` in `hagen.toml` (built in for prod): termination
    /// protection on unless `--no-termination-protection`.
    pub protect: bool,
    /// The environment's `role_arn`, when `--role-arn` is not given.
    pub role_arn: Option<String>,
    /// The user approved this stack's deploy in the combined review of an
    /// app's stacks (`hagen deploy` of several stacks): it is not asked
    /// again, as with `--yes`, and `--require-approval` still applies.
    pub reviewed: bool,
}

/// Prints an error as the user should see it: `error: MESSAGE` (one line),
/// the fix when hagen knows it, and with `verbose` the SDK's full detail;
/// in JSON mode also an `error` record. Returns the exit code.
pub fn report_error(console: &mut Console, err: &DeployError, aws: &AwsArgs, verbose: bool) -> u8 {
    let code = error_code(err);
    let message = err.to_string();
    console.warn(format!("error: {message}"));
    let profile = aws
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let fix = err.fix(profile.as_deref());
    if let Some(fix) = &fix {
        console.warn(format!("  to fix: {fix}"));
    }
    if let Some(detail) = err.detail() {
        if verbose {
            console.warn(format!("  detail: {detail}"));
        } else {
            console.warn("  (run with --verbose for the AWS SDK's detail)");
        }
    }
    console.record(
        "error",
        serde_json::json!({ "message": message, "fix": fix, "exit_code": code }),
    );
    code
}

/// Checks a stack name against CloudFormation's rule.
pub fn check_stack_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid stack name {name:?}: 1 to 128 characters, a letter first, then letters, digits and hyphens"
        ))
    }
}

/// The exit code for an outcome.
pub fn outcome_code(outcome: &Outcome) -> u8 {
    match outcome {
        Outcome::Deployed { .. } | Outcome::NoChanges | Outcome::LeftForReview { .. } => exit::OK,
        Outcome::Declined | Outcome::Blocked { .. } | Outcome::NeedsApproval { .. } => {
            exit::CHANGE_SET_REFUSED
        }
        Outcome::Failed { .. }
        | Outcome::NeedsRecovery { .. }
        | Outcome::Busy { .. }
        | Outcome::AnotherDeploy { .. } => exit::DEPLOY_FAILED,
        Outcome::Interrupted => exit::INTERRUPTED,
    }
}

/// The exit code for an error.
pub fn error_code(err: &DeployError) -> u8 {
    match err {
        DeployError::Usage(_) | DeployError::NoTemplateBucket { .. } => exit::USAGE,
        DeployError::TemplateRejected { .. } => exit::TEMPLATE_ERRORS,
        DeployError::ExportInUse { .. } => exit::CHANGE_SET_REFUSED,
        DeployError::Aws { .. } | DeployError::LostContact { .. } | DeployError::Timeout { .. } => {
            exit::AWS_ERROR
        }
        DeployError::Io { .. } => exit::UNREADABLE_INPUT,
        DeployError::Input(e) if e.is_unreadable() => exit::UNREADABLE_INPUT,
        DeployError::Input(_) => exit::USAGE,
    }
}

/// A tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// Builds the request from flags and context, or says what is wrong.
pub fn request(args: &DeployArgs, ctx: &DeployContext) -> Result<DeployRequest, DeployError> {
    let stack = args
        .stack_name
        .clone()
        .or_else(|| ctx.default_stack_name.clone())
        .ok_or_else(|| DeployError::Usage("no stack name: pass --stack-name NAME".into()))?;
    check_stack_name(&stack).map_err(DeployError::Usage)?;
    if let Some(path) = &args.outputs_file {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if !parent.is_dir() {
            return Err(DeployError::Usage(format!(
                "--outputs-file {}: directory {} does not exist",
                path.display(),
                parent.display()
            )));
        }
    }
    let mut req = DeployRequest::new(stack);
    req.parameters = gathered_parameters(args, ctx)?.values();
    let tags = inputs::tags(&ctx.environment.tags, &args.tag_files, &args.tags)?;
    if tags.any {
        req.tags = Some(tags.values());
    }
    if !args.notification_arns.is_empty() {
        req.notification_arns = Some(args.notification_arns.clone());
    }
    req.allow_replace = args.allow_replace.clone();
    req.bucket = args.bucket.clone().or_else(|| ctx.default_bucket.clone());
    if let Some(name) = &args.bootstrap_stack {
        check_stack_name(name)
            .map_err(|e| DeployError::Usage(format!("--bootstrap-stack: {e}")))?;
        req.bootstrap_stack = name.clone();
    }
    req.assume_yes = args.yes || ctx.reviewed;
    req.require_approval = args.require_approval.into();
    req.no_execute = args.no_execute;
    req.wait_if_busy = !args.no_wait;
    req.outputs_file = args.outputs_file.clone();
    req.catch_ctrl_c = true;
    req.monitors = ctx.environment.monitors.clone();
    req.monitors.disabled = args.no_rollback_triggers;
    safety_request(args, ctx, &mut req)?;
    req.revert_drift = args.revert_drift;
    req.import_existing = args.import_existing;
    Ok(req)
}

/// The safety flags' part of the request: termination protection (with
/// the environment's default), the service role and the change-set name,
/// checked before any AWS call.
fn safety_request(
    args: &DeployArgs,
    ctx: &DeployContext,
    req: &mut DeployRequest,
) -> Result<(), DeployError> {
    req.termination_protection = args.termination_protection(ctx.protect);
    req.role_arn = args.role_arn.clone().or_else(|| ctx.role_arn.clone());
    if let Some(arn) = &req.role_arn {
        crate::deploy::safety::check_role_arn(arn)?;
    }
    req.disable_rollback = args.disable_rollback;
    if let Some(name) = &args.change_set_name {
        crate::deploy::safety::check_change_set_name(name)?;
    }
    req.change_set_name = args.change_set_name.clone();
    Ok(())
}

/// Says when the user overrides a safe default of the environment: turning
/// termination protection off in a protected one.
fn safety_notices(args: &DeployArgs, ctx: &DeployContext, console: &mut Console) {
    if ctx.protect && args.no_termination_protection {
        let env = ctx
            .environment
            .pins
            .environment
            .as_deref()
            .unwrap_or("this environment");
        console.warn(format!(
            "notice: --no-termination-protection overrides the safe default of environment {env} (protect = true): the stack's termination protection is turned off, so one delete-stack can remove it"
        ));
        console.record(
            "notice",
            serde_json::json!({ "message": "termination protection turned off in a protected environment", "environment": env }),
        );
    }
}

/// Parameters from `hagen.toml`, `--parameters` files and `--parameter`
/// flags, with where each came from.
fn gathered_parameters(
    args: &DeployArgs,
    ctx: &DeployContext,
) -> Result<inputs::Gathered, DeployError> {
    inputs::parameters(
        &ctx.environment.parameters,
        &args.inputs.parameter_files,
        &args.parameters,
    )
}

/// Runs `hagen deploy` and returns its exit code. `synth` produces the
/// validated template (printing its own diagnostics and returning their
/// exit code on failure); it is not called for `--execute`.
pub fn run(
    args: &DeployArgs,
    ctx: &DeployContext,
    synth: &mut dyn FnMut(&mut Console) -> Result<SynthOutput, u8>,
    console: &mut Console,
) -> u8 {
    console.set_format(args.format.into());
    let code = match request(args, ctx) {
        Ok(request) => steps(args, ctx, &request, synth, None, console, Interrupt::new()),
        Err(e) => report_error(console, &e, &args.aws, ctx.verbose),
    };
    conclude(console, code, true)
}

/// [`run`] with a prepared request, AWS clients and interrupt: what tests
/// use to point a deploy at an emulator with fixed credentials, tune the
/// watch, and press "Ctrl-C" themselves.
pub fn run_with_clients(
    args: &DeployArgs,
    ctx: &DeployContext,
    request: DeployRequest,
    synth: &mut dyn FnMut(&mut Console) -> Result<SynthOutput, u8>,
    clients: &Clients,
    console: &mut Console,
    interrupt: Interrupt,
) -> u8 {
    console.set_format(args.format.into());
    let code = steps(
        args,
        ctx,
        &request,
        synth,
        Some(clients),
        console,
        interrupt,
    );
    conclude(console, code, true)
}

/// [`run`] up to its exit code, before the JSON ending: synthesize, reach
/// AWS, say where, then deploy.
fn steps(
    args: &DeployArgs,
    ctx: &DeployContext,
    request: &DeployRequest,
    synth: &mut dyn FnMut(&mut Console) -> Result<SynthOutput, u8>,
    given: Option<&Clients>,
    console: &mut Console,
    interrupt: Interrupt,
) -> u8 {
    let synthesized = match prepare(args, ctx, synth, console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let session = match Session::open(&args.aws, ctx, given, console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(code) = session.target(&request.stack_name, ctx, true, ContextRecord::Own, console) {
        return code;
    }
    safety_notices(args, ctx, console);
    finish(
        args,
        ctx,
        request,
        synthesized,
        &session,
        console,
        interrupt,
    )
}

/// Applies `--progress`, and unless `--execute` was given synthesizes (or
/// reads and validates `--template`) and checks that every parameter given
/// is one the template declares.
fn prepare(
    args: &DeployArgs,
    ctx: &DeployContext,
    synth: &mut dyn FnMut(&mut Console) -> Result<SynthOutput, u8>,
    console: &mut Console,
) -> Result<Option<SynthOutput>, u8> {
    args.progress.apply(console);
    if args.execute.is_some() {
        return Ok(None);
    }
    let synthesized = synth(console)?;
    let checked = gathered_parameters(args, ctx)
        .and_then(|g| inputs::check_parameters(&synthesized.template, &g));
    if let Err(e) = checked {
        return Err(report_error(console, &e, &args.aws, ctx.verbose));
    }
    Ok(Some(synthesized))
}

fn finish(
    args: &DeployArgs,
    ctx: &DeployContext,
    request: &DeployRequest,
    synthesized: Option<SynthOutput>,
    session: &Session,
    console: &mut Console,
    interrupt: Interrupt,
) -> u8 {
    let Session { rt, clients } = session;
    let result = rt.block_on(async {
        let mut deployer = Deployer::new(clients, console, interrupt);
        match (&args.execute, &synthesized) {
            (Some(name), _) => deployer.execute_existing(request, name).await,
            (None, Some(s)) => {
                deployer
                    .deploy(
                        request,
                        Synthesized {
                            template: &s.template,
                            body: &s.body,
                            nested: &s.nested,
                        },
                    )
                    .await
            }
            (None, None) => Err(DeployError::Usage("nothing to deploy".into())),
        }
    });
    match result {
        Ok(outcome) => {
            let mut execute = None;
            if let Outcome::LeftForReview { change_set } = &outcome {
                let base = if ctx.command.is_empty() {
                    "hagen deploy"
                } else {
                    ctx.command.as_str()
                };
                let mut allow: String = args
                    .allow_replace
                    .iter()
                    .map(|id| format!(" --allow-replace {id}"))
                    .collect();
                if let Some(value) = args
                    .require_approval
                    .to_possible_value()
                    .filter(|_| args.require_approval != RequireApprovalArg::Broadening)
                {
                    allow.push_str(&format!(" --require-approval {}", value.get_name()));
                }
                let command = format!(
                    "{base} --stack-name {}{} --execute {change_set}{allow}",
                    request.stack_name,
                    args.aws.as_flags()
                );
                console.say(format!("Execute it with: {command}"));
                execute = Some(command);
            }
            let code = outcome_code(&outcome);
            let extra = match execute {
                Some(command) => serde_json::json!({ "execute_command": command }),
                None => serde_json::Value::Null,
            };
            record_outcome(console, &outcome, code, extra);
            code
        }
        Err(e) => report_error(console, &e, &args.aws, ctx.verbose),
    }
}

/// Writes a command's `outcome` record (JSON format only): the outcome as
/// it serialises, its exit code, and `extra` fields (an object) such as the
/// command that executes a change set left for review.
pub fn record_outcome<T: serde::Serialize>(
    console: &mut Console,
    outcome: &T,
    code: u8,
    extra: serde_json::Value,
) {
    if !console.is_json() {
        return;
    }
    let mut value = serde_json::to_value(outcome)
        .unwrap_or_else(|e| serde_json::json!({ "outcome": "unknown", "message": e.to_string() }));
    value["exit_code"] = serde_json::Value::from(code);
    if let (Some(fields), serde_json::Value::Object(more)) = (value.as_object_mut(), extra) {
        fields.extend(more);
    }
    console.record("outcome", value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_names_follow_cloudformation_rules() {
        assert!(check_stack_name("web-prod-1").is_ok());
        assert!(check_stack_name("1web").is_err());
        assert!(check_stack_name("web_prod").is_err());
        assert!(check_stack_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn every_outcome_has_its_documented_code() {
        assert_eq!(outcome_code(&Outcome::NoChanges), exit::OK);
        assert_eq!(
            outcome_code(&Outcome::Blocked {
                logical_ids: vec!["Db".into()]
            }),
            exit::CHANGE_SET_REFUSED
        );
        assert_eq!(
            outcome_code(&Outcome::Failed {
                status: "ROLLBACK_COMPLETE".into(),
                failures: vec![]
            }),
            exit::DEPLOY_FAILED
        );
        assert_eq!(outcome_code(&Outcome::Interrupted), exit::INTERRUPTED);
        assert_eq!(
            error_code(&DeployError::TemplateRejected {
                message: "x".into()
            }),
            exit::TEMPLATE_ERRORS
        );
        assert_eq!(error_code(&DeployError::Usage("x".into())), exit::USAGE);
    }

    #[test]
    fn execute_takes_no_template_inputs() {
        use clap::{CommandFactory, Parser};
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: DeployArgs,
        }
        let err = Cli::command()
            .try_get_matches_from(["hagen", "--execute", "cs", "--parameter", "A=1"])
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
        for flag in ["--template", "--parameters", "--tags"] {
            let err = Cli::command()
                .try_get_matches_from(["hagen", "--execute", "cs", flag, "f.yaml"])
                .map(|_| ())
                .unwrap_err();
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::ArgumentConflict,
                "{flag}"
            );
        }
        Cli::command().debug_assert();
    }

    fn json_console() -> (Console, crate::deploy::SharedBuffer) {
        let out = crate::deploy::SharedBuffer::new();
        let mut console = Console::new(
            Box::new(out.clone()),
            Box::new(crate::deploy::SharedBuffer::new()),
            Box::new(crate::deploy::console::NoPrompt),
            ProgressMode::Events,
            false,
        );
        console.set_format(OutputFormat::Json);
        (console, out)
    }

    fn lines(out: &crate::deploy::SharedBuffer) -> Vec<serde_json::Value> {
        out.contents()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    #[test]
    fn a_failure_worded_only_as_text_still_ends_with_error_and_outcome_records() {
        let (mut console, out) = json_console();
        console.warn("error: the AWS profile \"dev\" is not in ~/.aws/config");
        assert_eq!(
            conclude(&mut console, exit::AWS_ERROR, true),
            exit::AWS_ERROR
        );
        let records = lines(&out);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0]["type"], "error");
        assert_eq!(
            records[0]["message"],
            "the AWS profile \"dev\" is not in ~/.aws/config"
        );
        assert_eq!(records[1]["type"], "outcome");
        assert_eq!(records[1]["exit_code"], exit::AWS_ERROR);

        // Without any text, the exit code's meaning is the message.
        let (mut console, out) = json_console();
        conclude(&mut console, exit::TEMPLATE_ERRORS, false);
        let records = lines(&out);
        assert_eq!(records.len(), 1, "diff writes no outcome record");
        assert!(
            records[0]["message"]
                .as_str()
                .unwrap()
                .contains("the template has errors")
        );
    }

    #[test]
    fn a_recorded_outcome_is_not_repeated_and_success_has_no_error() {
        let (mut console, out) = json_console();
        record_outcome(
            &mut console,
            &Outcome::NoChanges,
            exit::OK,
            serde_json::Value::Null,
        );
        conclude(&mut console, exit::OK, true);
        let records = lines(&out);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0]["outcome"], "no_changes");
        assert_eq!(records[0]["exit_code"], 0);
    }

    #[test]
    fn a_badly_shaped_parameters_file_is_unreadable_input_before_any_aws_call() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = dir.path().join("p.json");
        std::fs::write(&file, "[\n  {\"ParameterKey\": \"A\"}\n]\n").expect("written");
        let mut args = DeployArgs {
            stack_name: Some("web".into()),
            ..DeployArgs::default()
        };
        args.inputs.parameter_files = vec![file];
        let err = crate::deploy::SharedBuffer::new();
        let mut console = Console::new(
            Box::new(crate::deploy::SharedBuffer::new()),
            Box::new(err.clone()),
            Box::new(crate::deploy::console::NoPrompt),
            ProgressMode::Events,
            false,
        );
        let mut synth = |_: &mut Console| -> Result<SynthOutput, u8> {
            panic!("nothing is synthesized for a bad parameters file")
        };
        let code = run(&args, &DeployContext::default(), &mut synth, &mut console);
        assert_eq!(code, exit::UNREADABLE_INPUT);
        assert!(
            err.contents().contains("p.json:2: A has no ParameterValue"),
            "{}",
            err.contents()
        );
    }

    #[test]
    fn require_approval_defaults_to_broadening_and_reaches_the_request() {
        use clap::{FromArgMatches, Parser};
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: DeployArgs,
        }
        let parse = |argv: &[&str]| {
            let matches = <Cli as clap::CommandFactory>::command()
                .try_get_matches_from(argv)
                .unwrap();
            Cli::from_arg_matches(&matches).unwrap().args
        };
        let plain = parse(&["hagen", "--stack-name", "web", "--yes"]);
        let req = request(&plain, &DeployContext::default()).unwrap();
        assert_eq!(req.require_approval, RequireApproval::Broadening);
        assert!(req.assume_yes);
        let never = parse(&[
            "hagen",
            "--stack-name",
            "web",
            "--require-approval",
            "never",
        ]);
        let req = request(&never, &DeployContext::default()).unwrap();
        assert_eq!(req.require_approval, RequireApproval::Never);
        let any = parse(&[
            "hagen",
            "--stack-name",
            "w",
            "--require-approval",
            "any-change",
        ]);
        assert_eq!(any.require_approval, RequireApprovalArg::AnyChange);
        assert_eq!(
            outcome_code(&Outcome::NeedsApproval { reasons: vec![] }),
            exit::CHANGE_SET_REFUSED
        );
    }

    #[test]
    fn safety_flags_reach_the_request_with_the_environments_defaults() {
        let args = |extra: &[&str]| {
            use clap::{FromArgMatches, Parser};
            #[derive(Parser)]
            struct Cli {
                #[command(flatten)]
                args: DeployArgs,
            }
            let mut argv = vec!["hagen", "--stack-name", "web"];
            argv.extend_from_slice(extra);
            let matches = <Cli as clap::CommandFactory>::command()
                .try_get_matches_from(argv)
                .unwrap();
            Cli::from_arg_matches(&matches).unwrap().args
        };
        let prod = DeployContext {
            protect: true,
            role_arn: Some("arn:aws:iam::123456789012:role/prod-deploy".into()),
            ..DeployContext::default()
        };
        let req = request(&args(&[]), &prod).unwrap();
        assert_eq!(req.termination_protection, Some(true), "prod is protected");
        assert_eq!(
            req.role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/prod-deploy")
        );
        let req = request(&args(&["--no-termination-protection"]), &prod).unwrap();
        assert_eq!(req.termination_protection, Some(false));
        let req = request(&args(&[]), &DeployContext::default()).unwrap();
        assert_eq!(req.termination_protection, None, "left as it is");
        let req = request(
            &args(&["--disable-rollback", "--change-set-name", "release-42"]),
            &DeployContext::default(),
        )
        .unwrap();
        assert!(req.disable_rollback);
        assert_eq!(req.change_set_name.as_deref(), Some("release-42"));
    }

    #[test]
    fn a_malformed_role_arn_or_change_set_name_is_refused_before_any_aws_call() {
        let mut args = DeployArgs {
            stack_name: Some("web".into()),
            role_arn: Some("arn:aws:iam::123456789012:user/me".into()),
            ..DeployArgs::default()
        };
        let err = request(&args, &DeployContext::default()).unwrap_err();
        assert_eq!(error_code(&err), exit::USAGE);
        assert!(err.to_string().contains("is not a role"), "{err}");
        args.role_arn = None;
        args.change_set_name = Some("1st".into());
        let err = request(&args, &DeployContext::default()).unwrap_err();
        assert!(err.to_string().contains("--change-set-name"), "{err}");
    }

    #[test]
    fn a_missing_stack_name_is_a_usage_error() {
        let err = request(&DeployArgs::default(), &DeployContext::default()).unwrap_err();
        assert_eq!(error_code(&err), exit::USAGE);
    }
}
