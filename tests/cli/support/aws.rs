//! Running deploys in-process against an emulator: SDK clients with fixed
//! test credentials, a console that captures what a user would see, and a
//! one-call `deploy`/`diff` that goes through the CLI layer (flags to exit
//! code).

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::{Credentials, SharedCredentialsProvider};
use hagen::cli::deploy::{DeployArgs, DeployContext, SynthOutput};
use hagen::cli::diff::DiffArgs;
use hagen::deploy::console::NoPrompt;
use hagen::deploy::events::WatchOptions;
use hagen::deploy::{
    Clients, Console, Interrupt, ProgressMode, Prompt, ScriptedPrompt, SharedBuffer,
};
use hagen::template::Template;

/// The region every test uses.
pub const REGION: &str = "us-east-1";

/// The `hagen` binary run in `dir` against `endpoint` with the emulators'
/// test credentials and nothing from the machine's AWS configuration.
pub fn hagen_cli(dir: &std::path::Path, endpoint: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("hagen").expect("the hagen binary is built");
    cmd.current_dir(dir)
        .env_remove("HAGEN_ENV")
        .env_remove("HAGEN_CONFIG")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_SESSION_TOKEN")
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", REGION)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("no-aws-credentials"),
        );
    cmd
}

/// What one run of the `hagen` binary printed.
pub struct Process {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub out: String,
    /// Standard error.
    pub err: String,
}

impl Process {
    /// The exit code and both streams, for assertion messages.
    pub fn all(&self) -> String {
        format!(
            "exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.out, self.err
        )
    }
}

/// Runs the `hagen` binary with `args` in `dir` against `endpoint` (see
/// [`hagen_cli`]) and collects what it printed.
pub fn run_hagen(dir: &std::path::Path, endpoint: &str, args: &[&str]) -> Process {
    let output = hagen_cli(dir, endpoint)
        .args(args)
        .output()
        .expect("the hagen binary runs");
    Process {
        code: output.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// SDK configuration for an emulator: fixed credentials, the product's
/// retry and timeout settings.
pub fn sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test",
            "test",
            None,
            None,
            "hagen-tests",
        )))
        .retry_config(hagen::deploy::aws::retry_config())
        .timeout_config(hagen::deploy::aws::timeout_config())
        .build()
}

/// Clients for an emulator.
pub fn clients(endpoint: &str) -> Clients {
    Clients::new(&sdk_config(endpoint))
}

/// An S3 client for an emulator (path-style: bucket names cannot be
/// prefixed to 127.0.0.1).
pub fn s3(endpoint: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(&sdk_config(endpoint))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// What a run printed and answered.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code.
    pub code: u8,
    /// Standard output.
    pub out: String,
    /// Standard error.
    pub err: String,
    /// The questions the prompt was asked.
    pub asked: Vec<String>,
}

impl Run {
    /// Both streams, for assertion messages.
    pub fn all(&self) -> String {
        format!("--- stdout ---\n{}\n--- stderr ---\n{}", self.out, self.err)
    }
}

/// A console writing into buffers, answering from `answers`; with
/// `answers` `None` there is no terminal to ask on.
pub fn console(answers: Option<&[bool]>) -> (Console, SharedBuffer, SharedBuffer, ScriptedPrompt) {
    let out = SharedBuffer::new();
    let err = SharedBuffer::new();
    let prompt = ScriptedPrompt::new(answers.unwrap_or_default().iter().copied());
    let mut console = Console::new(
        Box::new(out.clone()),
        Box::new(err.clone()),
        match answers {
            Some(_) => Box::new(prompt.clone()),
            None => Box::new(NoPrompt),
        },
        ProgressMode::Events,
        false,
    );
    // Wide enough that a review cell is never wrapped, so assertions can
    // match whole cells; the tables' fitting is tested at 60 and 120
    // columns beside the code and in tests/cli/terminal.rs.
    console.width = 240;
    (console, out, err, prompt)
}

/// A command's flags (`DeployArgs`, `DestroyArgs`, ...) parsed from `argv`
/// as the CLI parses them; a flag the command does not take fails the test.
pub fn parse_flags<A: clap::Args + clap::FromArgMatches>(argv: &[&str]) -> A {
    let command = A::augment_args(clap::Command::new("hagen-test"));
    let matches = command
        .try_get_matches_from(std::iter::once("hagen-test").chain(argv.iter().copied()))
        .unwrap_or_else(|e| panic!("bad test flags: {e}"));
    A::from_arg_matches(&matches).unwrap_or_else(|e| panic!("bad test flags: {e}"))
}

/// Flags for a deploy of `stack` with extra raw flags parsed as the CLI would.
pub fn deploy_args(stack: &str, extra: &[&str]) -> DeployArgs {
    parse_flags::<DeployArgs>(&[&["--stack-name", stack], extra].concat())
}

/// Watch timings for tests: quicker polls, a short lost-contact limit.
pub fn test_watch() -> WatchOptions {
    WatchOptions {
        poll_interval: Duration::from_millis(500),
        lost_contact_after: Duration::from_secs(5),
        max_pages: 20,
    }
}

/// Deploys `template` through the CLI layer with `flags`, answering the
/// prompt with `answers`; `interrupt` lets a test press "Ctrl-C".
pub fn deploy_with(
    endpoint: &str,
    stack: &str,
    template: Option<&Template>,
    flags: &[&str],
    answers: &[bool],
    interrupt: Interrupt,
) -> Run {
    deploy_full(
        endpoint,
        stack,
        template,
        flags,
        Some(answers),
        interrupt,
        false,
    )
}

/// Deploys with the product's own watch timings (2 s polls), for
/// measurements.
pub fn deploy_product_timing(
    endpoint: &str,
    stack: &str,
    template: &Template,
    flags: &[&str],
) -> Run {
    deploy_full(
        endpoint,
        stack,
        Some(template),
        flags,
        Some(&[]),
        Interrupt::new(),
        true,
    )
}

/// Deploys with no terminal to ask on (CI without `--yes`).
pub fn deploy_unattended(endpoint: &str, stack: &str, template: &Template, flags: &[&str]) -> Run {
    deploy_full(
        endpoint,
        stack,
        Some(template),
        flags,
        None,
        Interrupt::new(),
        false,
    )
}

/// Deploys `template` with `--yes`-style flags, sending `body` as the
/// template text instead of `template.to_yaml()`: for emulators that cannot
/// read some of what hagen writes (the reviewed template stays `template`).
pub fn deploy_body(
    endpoint: &str,
    stack: &str,
    template: &Template,
    body: &str,
    flags: &[&str],
) -> Run {
    deploy_full_body(
        endpoint,
        stack,
        Some(template),
        Some(body),
        flags,
        Some(&[]),
        Interrupt::new(),
        false,
    )
}

fn deploy_full(
    endpoint: &str,
    stack: &str,
    template: Option<&Template>,
    flags: &[&str],
    answers: Option<&[bool]>,
    interrupt: Interrupt,
    product_timing: bool,
) -> Run {
    deploy_full_body(
        endpoint,
        stack,
        template,
        None,
        flags,
        answers,
        interrupt,
        product_timing,
    )
}

/// The flags a scenario test deploys with: with `--yes` and no
/// `--require-approval`, `--require-approval never` is added, as a CI job
/// that deploys security groups and roles unattended must pass it. The
/// scenarios (create, update, recover) predate `--require-approval`; the
/// tests of the approval rule itself go through [`deploy_as_given`].
fn ci_flags<'a>(flags: &[&'a str]) -> Vec<&'a str> {
    let mut flags = flags.to_vec();
    let yes = flags.iter().any(|f| *f == "--yes" || *f == "-y");
    if yes && !flags.iter().any(|f| f.starts_with("--require-approval")) {
        flags.extend(["--require-approval", "never"]);
    }
    flags
}

/// Deploys with exactly `flags` (no `--require-approval` added), answering
/// from `answers` (`None`: no terminal).
pub fn deploy_as_given(
    endpoint: &str,
    stack: &str,
    template: &Template,
    flags: &[&str],
    answers: Option<&[bool]>,
) -> Run {
    run_deploy(
        endpoint,
        stack,
        Some(template),
        None,
        flags,
        answers,
        Interrupt::new(),
        false,
    )
}

#[allow(clippy::too_many_arguments)]
fn deploy_full_body(
    endpoint: &str,
    stack: &str,
    template: Option<&Template>,
    body: Option<&str>,
    flags: &[&str],
    answers: Option<&[bool]>,
    interrupt: Interrupt,
    product_timing: bool,
) -> Run {
    run_deploy(
        endpoint,
        stack,
        template,
        body,
        &ci_flags(flags),
        answers,
        interrupt,
        product_timing,
    )
}

#[allow(clippy::too_many_arguments)]
fn run_deploy(
    endpoint: &str,
    stack: &str,
    template: Option<&Template>,
    body: Option<&str>,
    flags: &[&str],
    answers: Option<&[bool]>,
    interrupt: Interrupt,
    product_timing: bool,
) -> Run {
    let args = deploy_args(stack, flags);
    let ctx = DeployContext::default();
    let mut request = hagen::cli::deploy::request(&args, &ctx)
        .unwrap_or_else(|e| panic!("request for {stack}: {e}"));
    request.watch = if product_timing {
        WatchOptions::default()
    } else {
        test_watch()
    };
    request.catch_ctrl_c = false;
    let (mut console, out, err, prompt) = console(answers);
    let clients = clients(endpoint);
    let mut synth = |_: &mut Console| match template {
        Some(t) => Ok(SynthOutput {
            nested: Vec::new(),
            template: t.clone(),
            body: body.map_or_else(|| t.to_yaml(), str::to_owned),
        }),
        None => Err(hagen::cli::exit::TEMPLATE_ERRORS),
    };
    let code = hagen::cli::deploy::run_with_clients(
        &args,
        &ctx,
        request,
        &mut synth,
        &clients,
        &mut console,
        interrupt,
    );
    Run {
        code,
        out: out.contents(),
        err: err.contents(),
        asked: prompt.asked(),
    }
}

/// Deploys `template` with a prompt of the test's own (one that never
/// answers, or that does something while it is asked).
pub fn deploy_prompted(
    endpoint: &str,
    stack: &str,
    template: &Template,
    flags: &[&str],
    prompt: Box<dyn Prompt>,
    interrupt: Interrupt,
) -> Run {
    let args = deploy_args(stack, flags);
    let ctx = DeployContext::default();
    let mut request = hagen::cli::deploy::request(&args, &ctx)
        .unwrap_or_else(|e| panic!("request for {stack}: {e}"));
    request.watch = test_watch();
    request.catch_ctrl_c = false;
    let (mut console, out, err, _) = console(Some(&[]));
    console.prompt = prompt;
    let clients = clients(endpoint);
    let mut synth = |_: &mut Console| {
        Ok(SynthOutput {
            nested: Vec::new(),
            template: template.clone(),
            body: template.to_yaml(),
        })
    };
    let code = hagen::cli::deploy::run_with_clients(
        &args,
        &ctx,
        request,
        &mut synth,
        &clients,
        &mut console,
        interrupt,
    );
    Run {
        code,
        out: out.contents(),
        err: err.contents(),
        asked: Vec::new(),
    }
}

/// The names of the change sets of `stack`; none when the stack is gone
/// (ListChangeSets then answers that it does not exist).
pub fn change_sets(endpoint: &str, stack: &str) -> Vec<String> {
    let clients = clients(endpoint);
    block_on(async {
        match clients
            .cfn
            .list_change_sets()
            .stack_name(stack)
            .send()
            .await
        {
            Ok(out) => out
                .summaries()
                .iter()
                .filter_map(|s| s.change_set_name().map(str::to_owned))
                .collect(),
            Err(e) => {
                let text = format!("{e:?}");
                assert!(
                    text.contains("does not exist") || text.contains("not found"),
                    "ListChangeSets {stack}: {text}"
                );
                Vec::new()
            }
        }
    })
}

/// The change-set name a run announced (`Creating change set NAME ...`).
pub fn change_set_of(run: &Run) -> String {
    run.out
        .lines()
        .find_map(|l| l.strip_prefix("Creating change set "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no change set announced:\n{}", run.all()))
        .to_owned()
}

/// [`deploy_with`] without an interrupt.
pub fn deploy(
    endpoint: &str,
    stack: &str,
    template: &Template,
    flags: &[&str],
    answers: &[bool],
) -> Run {
    deploy_with(
        endpoint,
        stack,
        Some(template),
        flags,
        answers,
        Interrupt::new(),
    )
}

/// Runs `hagen diff` for `stack` against `template`.
pub fn diff(endpoint: &str, stack: &str, template: &Template, flags: &[&str]) -> Run {
    let args = parse_flags::<DiffArgs>(&[&["--stack-name", stack], flags].concat());
    let (mut console, out, err, prompt) = console(Some(&[]));
    let clients = clients(endpoint);
    let mut synth = |_: &mut Console| {
        Ok(SynthOutput {
            nested: Vec::new(),
            template: template.clone(),
            body: template.to_yaml(),
        })
    };
    let code = hagen::cli::diff::run_with_clients(
        &args,
        &DeployContext::default(),
        &mut synth,
        &clients,
        &mut console,
    );
    Run {
        code,
        out: out.contents(),
        err: err.contents(),
        asked: prompt.asked(),
    }
}

/// Blocks on a future in a fresh runtime (for SDK checks in sync tests).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("test runtime")
        .block_on(f)
}

/// The physical IDs of a stack's resources, by logical ID.
pub fn stack_resources(endpoint: &str, stack: &str) -> Vec<(String, String, String)> {
    let clients = clients(endpoint);
    block_on(async {
        let out = clients
            .cfn
            .describe_stack_resources()
            .stack_name(stack)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DescribeStackResources {stack}: {e:?}"));
        out.stack_resources()
            .iter()
            .map(|r| {
                (
                    r.logical_resource_id().unwrap_or_default().to_owned(),
                    r.resource_type().unwrap_or_default().to_owned(),
                    r.physical_resource_id().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    })
}

/// The stack's status, or `None` when it does not exist.
pub fn stack_status(endpoint: &str, stack: &str) -> Option<String> {
    let clients = clients(endpoint);
    block_on(async {
        hagen::deploy::stack::describe(&clients, stack)
            .await
            .unwrap_or_else(|e| panic!("describe {stack}: {e}"))
            .map(|i| i.status)
    })
}

/// A fresh stack name per scenario: CloudFormation keeps history per name.
pub fn stack_name(scenario: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("hagen-{scenario}-{:x}", nanos ^ std::process::id())
}

/// Runs `f` on another thread and fails the test if it has not finished
/// after `limit`: a guard against hangs, far above any expected duration
/// (not a speed assertion).
pub fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => {
            let _ = handle.join();
            v
        }
        Err(_) => panic!("still running after {} s: a hang", limit.as_secs()),
    }
}
