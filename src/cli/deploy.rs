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
    ProgressMode, Synthesized, params,
};
use crate::template::Template;

use super::exit;

/// Where to reach AWS; shared by `deploy` and `diff`.
#[derive(Debug, Clone, Default, Args)]
pub struct AwsArgs {
    /// Named profile from the AWS config files (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region [default: AWS_REGION or AWS_DEFAULT_REGION, else the
    /// environment's `region` in hagen.toml, else the profile's]
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

/// Flags of `hagen deploy` (the top-level CLI adds `--env`/`--config`).
#[derive(Debug, Clone, Default, Args)]
pub struct DeployArgs {
    /// Deploy through a reviewed change set. This is the only way hagen
    /// deploys; the flag states it on the command line (`hagen deploy
    /// --changeset`), it changes nothing.
    #[arg(long)]
    pub changeset: bool,
    /// AWS access.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Stack name (default: from the blueprint and environment).
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,
    /// A stack parameter; repeatable. Parameters not given keep their
    /// deployed value on updates.
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,
    /// A stack tag; repeatable. Without any, an update keeps the stack's tags.
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
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
    /// S3 bucket for templates over 51,200 bytes (default: from config).
    #[arg(long, value_name = "BUCKET")]
    pub bucket: Option<String>,
    /// Execute without asking (for CI), and accept offered recoveries. A
    /// change set that widens access still needs a person unless
    /// `--require-approval never` (see there).
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
    /// executes it.
    #[arg(long, conflicts_with = "execute")]
    pub no_execute: bool,
    /// Execute a change set left by `--no-execute` (reviewed again first;
    /// it already holds its template, parameters and tags).
    #[arg(
        long,
        value_name = "CHANGE_SET",
        conflicts_with_all = ["parameters", "tags", "notification_arns", "bucket"]
    )]
    pub execute: Option<String>,
    /// Refuse instead of waiting when another operation is running on the stack.
    #[arg(long)]
    pub no_wait: bool,
    /// How to show progress.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
    /// Write the stack outputs as JSON to this file after a deploy.
    #[arg(long, value_name = "PATH")]
    pub outputs_file: Option<PathBuf>,
}

/// A synthesized, validated template the top-level CLI hands over.
#[derive(Debug, Clone)]
pub struct SynthOutput {
    /// The IR.
    pub template: Template,
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
    /// Region from config (`region` in `hagen.toml`), when neither
    /// `--region` nor `AWS_REGION` gives one.
    pub default_region: Option<String>,
    /// The command line (up to `deploy`'s own flags) that reaches the same
    /// blueprint and environment, for printed commands; `hagen deploy`
    /// when empty.
    pub command: String,
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
        Outcome::Failed { .. } | Outcome::NeedsRecovery { .. } | Outcome::Busy { .. } => {
            exit::DEPLOY_FAILED
        }
        Outcome::Interrupted => exit::INTERRUPTED,
    }
}

/// The exit code for an error.
pub fn error_code(err: &DeployError) -> u8 {
    match err {
        DeployError::Usage(_) => exit::USAGE,
        DeployError::TemplateRejected { .. } => exit::TEMPLATE_ERRORS,
        DeployError::Aws { .. } | DeployError::LostContact { .. } | DeployError::Timeout { .. } => {
            exit::AWS_ERROR
        }
        DeployError::Io { .. } => exit::UNREADABLE_INPUT,
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
    req.parameters = params::parse_pairs("--parameter", &args.parameters)?;
    if !args.tags.is_empty() {
        req.tags = Some(params::parse_pairs("--tag", &args.tags)?);
    }
    if !args.notification_arns.is_empty() {
        req.notification_arns = Some(args.notification_arns.clone());
    }
    req.allow_replace = args.allow_replace.clone();
    req.bucket = args.bucket.clone().or_else(|| ctx.default_bucket.clone());
    req.assume_yes = args.yes;
    req.require_approval = args.require_approval.into();
    req.no_execute = args.no_execute;
    req.wait_if_busy = !args.no_wait;
    req.outputs_file = args.outputs_file.clone();
    req.catch_ctrl_c = true;
    Ok(req)
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
    let request = match request(args, ctx) {
        Ok(r) => r,
        Err(e) => {
            console.warn(format!("error: {e}"));
            return error_code(&e);
        }
    };
    let synthesized = match prepare(args, synth, console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            console.warn(format!("error: {e}"));
            return exit::AWS_ERROR;
        }
    };
    let options = args.aws.options(ctx.default_region.as_deref());
    let config = rt.block_on(crate::deploy::aws::load(&options));
    let clients = Clients::new(&config);
    finish(
        args,
        ctx,
        &request,
        synthesized,
        &clients,
        console,
        Interrupt::new(),
        &rt,
    )
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
    let synthesized = match prepare(args, synth, console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            console.warn(format!("error: {e}"));
            return exit::AWS_ERROR;
        }
    };
    finish(
        args,
        ctx,
        &request,
        synthesized,
        clients,
        console,
        interrupt,
        &rt,
    )
}

/// Applies `--progress` and synthesizes unless `--execute` was given.
fn prepare(
    args: &DeployArgs,
    synth: &mut dyn FnMut(&mut Console) -> Result<SynthOutput, u8>,
    console: &mut Console,
) -> Result<Option<SynthOutput>, u8> {
    match args.progress {
        ProgressArg::Auto => {}
        ProgressArg::Bar => console.progress = ProgressMode::Bar,
        ProgressArg::Events => console.progress = ProgressMode::Events,
    }
    match &args.execute {
        Some(_) => Ok(None),
        None => synth(console).map(Some),
    }
}

#[allow(clippy::too_many_arguments)]
fn finish(
    args: &DeployArgs,
    ctx: &DeployContext,
    request: &DeployRequest,
    synthesized: Option<SynthOutput>,
    clients: &Clients,
    console: &mut Console,
    interrupt: Interrupt,
    rt: &tokio::runtime::Runtime,
) -> u8 {
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
                        },
                    )
                    .await
            }
            (None, None) => Err(DeployError::Usage("nothing to deploy".into())),
        }
    });
    match result {
        Ok(outcome) => {
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
                console.say(format!(
                    "Execute it with: {base} --stack-name {}{} --execute {change_set}{allow}",
                    request.stack_name,
                    args.aws.as_flags()
                ));
            }
            outcome_code(&outcome)
        }
        Err(e) => {
            console.warn(format!("error: {e}"));
            error_code(&e)
        }
    }
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
        Cli::command().debug_assert();
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
    fn a_missing_stack_name_is_a_usage_error() {
        let err = request(&DeployArgs::default(), &DeployContext::default()).unwrap_err();
        assert_eq!(error_code(&err), exit::USAGE);
    }
}
