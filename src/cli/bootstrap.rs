//! `hagen bootstrap`: create or update, once per account and region, the
//! stack holding the S3 bucket that `hagen deploy` and `hagen diff` upload
//! templates over 51,200 bytes to when no `--bucket` is given.
//!
//! Thin over `crate::deploy::bootstrap` (the template, the lookup) and the
//! ordinary deploy (`super::deploy`): the bootstrap template is checked as
//! strictly as a blueprint's, then deployed through a reviewed change set
//! with the same flags, prompts and exit codes as `hagen deploy`.

use clap::Args;
use indexmap::IndexMap;

use crate::deploy::bootstrap::{self, BootstrapOptions};
use crate::deploy::{Clients, Console, Interrupt};
use crate::validate::{self, Severity, render};

use super::deploy::{
    self, AwsArgs, DeployArgs, DeployContext, FormatArg, ProgressArg, RequireApprovalArg,
    SynthOutput, conclude, report_error,
};
use super::exit;
use super::inputs::EnvironmentInputs;
use super::session::Session;

/// What `hagen bootstrap --help` says after the flags.
pub const AFTER_HELP: &str = "\
What it creates, in the account and region the flags reach (with --env NAME, those the
environment pins in hagen.toml must match, and its region is the default), stack hagen-bootstrap:
  an S3 bucket for templates, nested-stack children and assets: encrypted (SSE-S3,
  or SSE-KMS with --kms-key-id), private (all four public access blocks, ACLs off),
  versioned, TLS-only (a bucket policy denies requests without TLS), old versions
  expired after 30 days and abandoned multipart uploads after 7; DeletionPolicy and
  UpdateReplacePolicy Retain, so deleting the stack keeps the bucket and its objects.
  Outputs: BucketName, and BootstrapVersion (also the stack tag hagen:bootstrap-version).

Why: CloudFormation takes at most 51,200 bytes inline; larger templates must come from
S3. Without --bucket, hagen deploy and hagen diff look up this stack's BucketName.

Examples:
  hagen bootstrap                                   the current profile's account and region
  hagen bootstrap --region eu-west-1 --profile prod  another region and account
  hagen bootstrap --yes                             CI: create or update without asking
  hagen bootstrap --env prod                        prod's pinned account and region
  hagen bootstrap --kms-key-id arn:aws:kms:eu-west-1:123456789012:key/1234abcd-...

Running it again changes nothing when the stack is up to date (it says so).
Exit codes: 0 created, updated or no changes, 1 template rejected, 2 bad usage,
5 change set refused (or declined), 6 deploy failed, 7 AWS error, 130 stopped watching.";

/// Flags of `hagen bootstrap`.
#[derive(Debug, Clone, Default, Args)]
#[command(after_help = AFTER_HELP)]
pub struct BootstrapArgs {
    /// AWS access: the account and region to bootstrap.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The bootstrap stack's name [default: hagen-bootstrap]; deploys find
    /// it by the same name (`--bootstrap-stack`, or HAGEN_BOOTSTRAP_STACK
    /// for every command).
    #[arg(long, value_name = "NAME", env = "HAGEN_BOOTSTRAP_STACK")]
    pub stack_name: Option<String>,
    /// Encrypt the bucket with this KMS key (SSE-KMS with an S3 Bucket Key)
    /// instead of S3-managed keys (SSE-S3). A key or alias ARN; whoever
    /// deploys through the bucket then also needs kms:Decrypt and
    /// kms:GenerateDataKey on it.
    #[arg(long, value_name = "ARN")]
    pub kms_key_id: Option<String>,
    /// Execute without asking (for CI).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Which change sets need a person to approve them, whatever `--yes`
    /// says, as for `hagen deploy`: `broadening` (default), `any-change`,
    /// `never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = RequireApprovalArg::Broadening)]
    pub require_approval: RequireApprovalArg,
    /// Refuse instead of waiting when another operation is running on the
    /// stack.
    #[arg(long)]
    pub no_wait: bool,
    /// How to show progress.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
    /// Output format: `text`, or `json` (JSON lines on stdout, as `hagen
    /// deploy` writes them, then a `bootstrap` record with the bucket).
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
}

impl BootstrapArgs {
    /// The bootstrap stack's name.
    pub fn stack(&self) -> &str {
        self.stack_name
            .as_deref()
            .unwrap_or(bootstrap::DEFAULT_STACK_NAME)
    }

    /// The deploy flags this bootstrap amounts to.
    fn deploy_args(&self) -> DeployArgs {
        DeployArgs {
            changeset: true,
            aws: self.aws.clone(),
            stack_name: Some(self.stack().to_owned()),
            yes: self.yes,
            require_approval: self.require_approval,
            no_wait: self.no_wait,
            progress: self.progress,
            format: self.format,
            ..DeployArgs::default()
        }
    }
}

/// Runs `hagen bootstrap` and returns its exit code. From `env` (what the
/// top-level CLI read for `--env`/`--config`) it takes only the command
/// line and the pinned account and region: the environment's parameters,
/// tags and deploy monitors are its blueprint's, not the bootstrap stack's.
pub fn run(args: &BootstrapArgs, env: &DeployContext, console: &mut Console) -> u8 {
    run_inner(args, env, None, console)
}

/// [`run`] with the caller's AWS clients: what tests use to point it at an
/// emulator with fixed credentials.
pub fn run_with_clients(
    args: &BootstrapArgs,
    env: &DeployContext,
    clients: &Clients,
    console: &mut Console,
) -> u8 {
    run_inner(args, env, Some(clients), console)
}

fn run_inner(
    args: &BootstrapArgs,
    env: &DeployContext,
    given: Option<&Clients>,
    console: &mut Console,
) -> u8 {
    console.set_format(args.format.into());
    let deploy_args = args.deploy_args();
    let verbose = env.verbose;
    let ctx = DeployContext {
        default_stack_name: Some(args.stack().to_owned()),
        command: if env.command.is_empty() {
            "hagen bootstrap".to_owned()
        } else {
            env.command.clone()
        },
        verbose,
        environment: EnvironmentInputs {
            pins: env.environment.pins.clone(),
            ..EnvironmentInputs::default()
        },
        ..DeployContext::default()
    };
    let options = BootstrapOptions {
        kms_key_id: args.kms_key_id.clone(),
    };
    if let Some(Err(e)) = options
        .kms_key_id
        .as_deref()
        .map(bootstrap::check_kms_key_id)
    {
        console.error(e, exit::USAGE);
        return conclude(console, exit::USAGE, true);
    }
    let mut request = match deploy::request(&deploy_args, &ctx) {
        Ok(r) => r,
        Err(e) => {
            let code = report_error(console, &e, &args.aws, verbose);
            return conclude(console, code, true);
        }
    };
    request.tags = Some(IndexMap::from([(
        bootstrap::VERSION_TAG.to_owned(),
        bootstrap::VERSION.to_string(),
    )]));
    let session = match Session::open(&args.aws, &ctx, given, console) {
        Ok(s) => s,
        Err(code) => return conclude(console, code, true),
    };
    let mut synth = |c: &mut Console| synthesize(&options, c);
    let code = deploy::run_with_clients(
        &deploy_args,
        &ctx,
        request,
        &mut synth,
        &session.clients,
        console,
        Interrupt::new(),
    );
    if code != exit::OK {
        return code;
    }
    let stack = args.stack();
    match session
        .rt
        .block_on(bootstrap::find(&session.clients, stack))
    {
        Ok(Ok(bucket)) => {
            console.say(format!(
                "Template bucket: {bucket} (stack {stack}, bootstrap version {}). hagen deploy and hagen diff upload templates over 51,200 bytes there when no --bucket is given.",
                bootstrap::VERSION
            ));
            console.record(
                "bootstrap",
                serde_json::json!({ "stack": stack, "bucket": bucket, "version": bootstrap::VERSION }),
            );
            exit::OK
        }
        Ok(Err(reason)) => {
            console.error(
                format!("the bootstrap stack gives no bucket: {reason}"),
                exit::DEPLOY_FAILED,
            );
            exit::DEPLOY_FAILED
        }
        Err(e) => report_error(console, &e, &args.aws, verbose),
    }
}

/// The bootstrap template, built and checked as strictly as a blueprint's
/// (`hagen synth`): findings are printed, errors refuse it.
fn synthesize(options: &BootstrapOptions, console: &mut Console) -> Result<SynthOutput, u8> {
    let template = match bootstrap::template(options) {
        Ok(t) => t,
        Err(e) => {
            console.error(
                format!("cannot build the bootstrap template: {e}"),
                exit::TEMPLATE_ERRORS,
            );
            return Err(exit::TEMPLATE_ERRORS);
        }
    };
    let body = template.to_yaml();
    let report = validate::check(
        &template,
        &validate::Options {
            strict: true,
            body_size: Some(body.len()),
            through_s3: false,
        },
    );
    if !report.diagnostics.is_empty() {
        let nowhere = |_: &[String]| None;
        let input = render::Input {
            name: "<bootstrap>",
            text: None,
            locate: &nowhere,
        };
        console.warn(render::human(&report, &input, console.color).trim_end());
    }
    if report.worst() == Some(Severity::Error) {
        console.error(
            "the bootstrap template has errors; nothing was sent to AWS",
            exit::TEMPLATE_ERRORS,
        );
        return Err(exit::TEMPLATE_ERRORS);
    }
    Ok(SynthOutput {
        template,
        nested: Vec::new(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(argv: &[&str]) -> BootstrapArgs {
        use clap::{CommandFactory, FromArgMatches, Parser};
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: BootstrapArgs,
        }
        Cli::command().debug_assert();
        let matches = Cli::command()
            .try_get_matches_from(std::iter::once("hagen").chain(argv.iter().copied()))
            .expect("the flags parse");
        Cli::from_arg_matches(&matches)
            .expect("the flags parse")
            .args
    }

    #[test]
    fn the_flags_become_a_deploy_of_the_bootstrap_stack() {
        let args = parse(&["--yes", "--region", "eu-west-1"]);
        assert_eq!(args.stack(), bootstrap::DEFAULT_STACK_NAME);
        let deploy = args.deploy_args();
        assert_eq!(deploy.stack_name.as_deref(), Some("hagen-bootstrap"));
        assert!(deploy.yes);
        assert_eq!(deploy.require_approval, RequireApprovalArg::Broadening);
        assert_eq!(deploy.aws.region.as_deref(), Some("eu-west-1"));
        let request = deploy::request(&deploy, &DeployContext::default()).expect("a request");
        assert!(request.bucket.is_none());
        let named = parse(&["--stack-name", "team-bootstrap"]);
        assert_eq!(
            named.deploy_args().stack_name.as_deref(),
            Some("team-bootstrap")
        );
    }

    #[test]
    fn a_malformed_kms_key_is_bad_usage_before_any_aws_call() {
        let args = parse(&["--kms-key-id", "not-an-arn"]);
        let err = crate::deploy::SharedBuffer::new();
        let mut console = Console::new(
            Box::new(crate::deploy::SharedBuffer::new()),
            Box::new(err.clone()),
            Box::new(crate::deploy::console::NoPrompt),
            crate::deploy::ProgressMode::Events,
            false,
        );
        assert_eq!(
            run(&args, &DeployContext::default(), &mut console),
            exit::USAGE
        );
        assert!(
            err.contents().contains("is not a KMS key or alias ARN"),
            "{}",
            err.contents()
        );
    }

    #[test]
    fn the_bootstrap_template_passes_the_synth_gate() {
        let (mut console, err) = {
            let err = crate::deploy::SharedBuffer::new();
            let console = Console::new(
                Box::new(crate::deploy::SharedBuffer::new()),
                Box::new(err.clone()),
                Box::new(crate::deploy::console::NoPrompt),
                crate::deploy::ProgressMode::Events,
                false,
            );
            (console, err)
        };
        let out = synthesize(&BootstrapOptions::default(), &mut console).expect("no errors");
        assert!(out.body.contains("AWS::S3::Bucket"));
        assert!(out.body.len() < crate::deploy::upload::MAX_INLINE_BYTES);
        assert_eq!(err.contents(), "", "no findings at all");
    }
}
