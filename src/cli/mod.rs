//! The command-line interface: argument parsing and rendering, over library
//! calls. Thin by design: no template logic and no AWS logic here.
//!
//! [`main`] is the one function a blueprint's binary calls, whether it is
//! hagen's own (SwiftCode) or a user's. Each subcommand lives in its own
//! module with a clap `Args` struct and a `run` function returning an exit
//! code from [`exit`]; this module owns the top-level parser, the options
//! every blueprint command shares ([`EnvArgs`]), message styling, and
//! dispatch.

#[cfg(feature = "deploy")]
pub mod bootstrap;
pub mod color;
#[cfg(feature = "deploy")]
pub mod deploy;
#[cfg(feature = "deploy")]
pub mod deploy_app;
#[cfg(feature = "deploy")]
pub mod destroy;
#[cfg(feature = "deploy")]
pub mod diff;
#[cfg(feature = "deploy")]
pub mod drift;
#[cfg(feature = "deploy")]
pub mod events;
pub mod exit;
pub mod graph;
#[cfg(feature = "import")]
pub mod import;
#[cfg(feature = "deploy")]
pub mod inputs;
pub mod io;
#[cfg(feature = "deploy")]
pub mod ls;
pub mod manual;
#[cfg(feature = "deploy")]
pub mod rollback;
#[cfg(feature = "deploy")]
pub mod session;
pub mod synth;
pub mod synth_dir;
#[cfg(feature = "deploy")]
pub mod template_file;
pub mod validate;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use owo_colors::OwoColorize;

use crate::blueprint::{self, Blueprint, HAGEN_VERSION};
use crate::config::{BaseEnvironment, Config, ConfigError, Resolved};

/// hagen's top-level command line. Its name, about text, version and
/// examples are the blueprint's: see [`command`].
#[derive(Debug, Parser)]
#[command(
    name = "hagen",
    version,
    about = "Typed Rust blueprints of highly available AWS architectures, compiled to validated CloudFormation",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,

    /// When to colour output: auto (on a terminal, unless NO_COLOR is
    /// set), always (even through a pipe, whatever NO_COLOR says), never
    #[arg(
        long,
        value_enum,
        global = true,
        default_value_t = color::Color::Auto,
        value_name = "WHEN"
    )]
    pub color: color::Color,

    /// Show the full detail of AWS errors (every cause the SDK reports),
    /// not only the one-line message and its fix.
    #[arg(short = 'v', long, visible_alias = "debug", global = true)]
    pub verbose: bool,
}

/// hagen's subcommands. Each is `Variant(module::XxxArgs)` with a matching
/// arm in [`dispatch`] calling `module::run`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the blueprint's CloudFormation template for one environment.
    #[command(
        long_about = "Print the blueprint's CloudFormation template for one environment.\n\n\
            The template goes to stdout (or, with -o, to a file written atomically); \
            notices, warnings and errors go to stderr. Safe defaults the blueprint or \
            configuration overrides are always reported as notices."
    )]
    Synth(synth::SynthArgs),

    /// Check any CloudFormation template (JSON or YAML, short-form tags included).
    #[command(
        long_about = "Check any CloudFormation template (JSON or YAML, short-form tags \
            included) against AWS's resource schemas, references, quotas, network \
            consistency and hagen's security and availability rules, and print an \
            availability report.\n\nFindings name the file, line and column, the \
            resource and the property path, and what to do. See docs/validation.md.",
        after_help = "Examples:\n\
            \x20 hagen validate stack.yaml                 human report with file:line:col\n\
            \x20 hagen synth | hagen validate -            read the template from stdin\n\
            \x20 hagen validate --format sarif stack.json  SARIF 2.1.0 for code scanning\n\
            \x20 hagen validate --list-rules               every rule with its rationale\n\n\
            Exit codes: 0 clean, 3 warnings only, 1 errors, 4 unreadable input."
    )]
    Validate(validate::Args),

    /// Draw the architecture: AZ lanes, subnet tiers, flows, what can fail.
    #[command(
        long_about = "Draw the architecture of the blueprint's environment (or of any \
            template, with --template): one lane per availability zone, one band per subnet \
            tier (public, private, isolated, from the route tables), each resource in the \
            subnet it runs in and the regional ones around the lanes, the request path from \
            users to the database, what the security groups allow and what the network ACLs \
            drop, and the single points of failure. SVG, a self-contained HTML page, \
            Graphviz DOT or Mermaid. See docs/graph.md."
    )]
    Graph(graph::GraphArgs),

    /// Show what a deploy would change: template diff against the deployed stack.
    #[command(
        long_about = "Show what a deploy would change: the blueprint's template for the \
            environment against the template of the deployed stack, as a summary and \
            a unified diff. With --changeset, also ask CloudFormation through a \
            read-only change set (deleted afterwards) which resources it would replace.",
        after_help = "Examples:\n\
            \x20 hagen diff                         stage against the deployed stack\n\
            \x20 hagen diff --template web.yaml --parameters stage.json  any template, with its parameters\n\
            \x20 hagen diff --env prod --changeset  with CloudFormation's replacement verdicts\n\
            \x20 hagen diff --exit-code --format json > diff.json  CI: exit 9 on changes, one JSON document\n\
            \x20 hagen diff --endpoint-url http://127.0.0.1:4566  against a local emulator\n\n\
            Exit codes: 0 no changes (or no --exit-code), 9 changes (with --exit-code),\n\
            1 template rejected, 2 bad usage, 7 AWS error."
    )]
    #[cfg(feature = "deploy")]
    Diff {
        /// Which environment, from which configuration.
        #[command(flatten)]
        target: EnvArgs,
        /// Stack, AWS access and change-set options.
        #[command(flatten)]
        diff: diff::DiffArgs,
    },

    /// Show what a deploy would change (not in this build: see `--help`).
    #[cfg(not(feature = "deploy"))]
    #[command(
        long_about = "Show what a deploy would change. This hagen was built without the \
            `deploy` feature, which keeps `hagen synth` free of the AWS SDK; see \
            the message this command prints for how to build it with deploy."
    )]
    Diff(Unavailable),

    /// Deploy through a reviewed change set, with live progress.
    #[command(
        long_about = "Deploy the blueprint's template for one environment through a \
            CloudFormation change set: synthesize and validate (a template with errors \
            is never sent), create the change set, print a review of every change \
            (replacements of stateful resources and security widening flagged), ask \
            before executing, stream the stack's events, and print its outputs. \
            Failed or stuck stacks are explained, with the command that recovers them. \
            With --template FILE, any CloudFormation template (JSON or YAML) instead of \
            the blueprint's, validated as `hagen validate` does first. The account, region \
            and stack are printed before anything else, and checked against the account \
            and region the environment pins in hagen.toml. See docs/deploy.md.",
        after_help = "Examples:\n\
            \x20 hagen deploy --changeset --parameter KEY=VALUE ...  parameters the stack has no default for\n\
            \x20 hagen deploy --template web-stage.yaml --parameters stage.json  any template (stack web-stage)\n\
            \x20 hagen deploy --changeset --yes                 CI: execute without asking (a widening of access still needs a person)\n\
            \x20 hagen deploy --changeset --yes --require-approval never  CI: let --yes approve widenings too\n\
            \x20 hagen deploy --changeset --yes --format json  CI: JSON lines on stdout, text on stderr\n\
            \x20 hagen deploy --changeset --no-execute          review only; prints the command to execute it\n\
            \x20 hagen deploy --execute hagen-deploy-20261206-103005-8f2c41aa\n\
            \x20 hagen deploy --changeset --allow-replace DbInstance  accept a replacement of SwiftCode's database\n\
            \x20 hagen deploy --changeset --termination-protection --role-arn arn:aws:iam::123456789012:role/cfn-deploy\n\
            \x20 hagen deploy --changeset --disable-rollback --change-set-name release-42  keep what succeeded if it fails\n\n\
            Exit codes: 0 deployed or no changes, 1 template rejected, 2 bad usage,\n\
            5 change set refused (or wrong account/region), 6 deploy failed or rolled back, 7 AWS error, 130 stopped watching."
    )]
    #[cfg(feature = "deploy")]
    Deploy {
        /// Which environment, from which configuration.
        #[command(flatten)]
        target: EnvArgs,
        /// Stack, parameters, AWS access and review options.
        #[command(flatten)]
        deploy: deploy::DeployArgs,
    },

    /// Create, once per account and region, the S3 bucket deploys upload large templates to.
    #[command(
        long_about = "Create (or update), once per account and region, the small CloudFormation \
            stack `hagen-bootstrap` holding the S3 bucket that `hagen deploy` and `hagen diff` \
            upload templates over CloudFormation's 51,200-byte inline limit to (and nested-stack \
            children and assets) when no --bucket is given. The bucket is encrypted, private, \
            versioned and TLS-only, and is kept (DeletionPolicy Retain) when the stack is deleted. \
            The template is built with hagen's own typed resources and checked like any synth, \
            then deployed through a reviewed change set exactly as `hagen deploy` does; run again \
            on an up-to-date stack, it changes nothing and says so. See docs/deploy.md."
    )]
    #[cfg(feature = "deploy")]
    Bootstrap {
        /// The environment whose pinned account and region (in hagen.toml)
        /// the bootstrap must match; its region is also the default one.
        #[command(flatten)]
        target: EnvArgs,
        /// The bootstrap stack, its bucket's encryption, AWS access and
        /// review options.
        #[command(flatten)]
        bootstrap: bootstrap::BootstrapArgs,
    },

    /// Create the bucket for large templates (not in this build: see `--help`).
    #[cfg(not(feature = "deploy"))]
    #[command(
        long_about = "Create the S3 bucket deploys upload large templates to. This hagen was \
            built without the `deploy` feature, which keeps `hagen synth` free of the AWS SDK; \
            see the message this command prints for how to build it with deploy."
    )]
    Bootstrap(Unavailable),

    /// Delete a stack after a review of what goes and what stays.
    #[command(
        long_about = "Delete a stack (the blueprint's for the environment, or the STACK named) \
            after a review: every resource that will be deleted, every one that will be kept \
            (DeletionPolicy Retain or RetainExceptOnCreate, with its physical ID) and every one \
            deleted after a final snapshot (with where to find it), stateful resources flagged \
            with what is lost. Deleting a stateful resource without a snapshot needs the stack \
            name typed; otherwise y/N. Termination protection is respected. Events are \
            streamed; a DELETE_FAILED lists the resources that blocked it and the way out. \
            See docs/deploy.md.",
        after_help = "Examples:\n\
            \x20 hagen destroy --env stage                 the blueprint's stage stack\n\
            \x20 hagen destroy web-stage                   any stack, by name\n\
            \x20 hagen destroy web-stage --yes --format json  CI: no question, JSON lines on stdout\n\
            \x20 hagen destroy web-stage --retain LogsBucket  after a DELETE_FAILED: keep it, delete the rest\n\n\
            Exit codes: 0 deleted (or no such stack), 2 bad usage, 5 declined, not confirmed\n\
            (no terminal and no --yes), termination protection or wrong account/region,\n\
            6 DELETE_FAILED or another operation running, 7 AWS error, 130 interrupted."
    )]
    #[cfg(feature = "deploy")]
    Destroy {
        /// Which environment, from which configuration.
        #[command(flatten)]
        target: EnvArgs,
        /// Stack, AWS access and confirmation options.
        #[command(flatten)]
        destroy: destroy::DestroyArgs,
    },

    /// Delete a stack after a review (not in this build: see `--help`).
    #[cfg(not(feature = "deploy"))]
    #[command(
        long_about = "Delete a stack after a review. This hagen was built without the \
            `deploy` feature, which keeps `hagen synth` free of the AWS SDK; see \
            the message this command prints for how to build it with deploy."
    )]
    Destroy(Unavailable),

    /// Deploy through a reviewed change set (not in this build: see `--help`).
    #[cfg(not(feature = "deploy"))]
    #[command(
        long_about = "Deploy through a reviewed change set. This hagen was built without \
            the `deploy` feature, which keeps `hagen synth` free of the AWS SDK; see \
            the message this command prints for how to build it with deploy."
    )]
    Deploy(Unavailable),

    /// List the stacks of the account and region, or one stack's resources.
    #[command(
        long_about = "List the stacks of the account and region, one row each: name, status, \
            last update, drift status (from the last drift detection; - when never checked) \
            and termination protection, sorted by name. Live stacks only; --all adds deleted \
            ones. With STACK (or --env NAME and no STACK: the environment's stack), that \
            stack's resources: logical ID, type, physical ID, status (with the reason for \
            failed ones) and drift status when known. Reads only. See docs/deploy.md.",
        after_help = "Examples:\n\
            \x20 hagen ls                          the live stacks of the account and region\n\
            \x20 hagen ls --all                    deleted stacks too (DELETE_COMPLETE)\n\
            \x20 hagen ls web-stage                the resources of stack web-stage\n\
            \x20 hagen ls --env prod               the resources of the prod environment's stack\n\
            \x20 hagen ls --format json | jq '.stacks[].name'  one JSON document\n\n\
            Exit codes: 0 listed, 2 bad usage or no such stack, 5 wrong account/region for\n\
            the environment, 7 AWS error."
    )]
    #[cfg(feature = "deploy")]
    Ls {
        /// Which environment, from which configuration.
        #[command(flatten)]
        target: EnvArgs,
        /// Stack, AWS access and format options.
        #[command(flatten)]
        ls: ls::LsArgs,
    },

    /// List stacks or resources (not in this build: see `--help`).
    #[cfg(not(feature = "deploy"))]
    #[command(
        long_about = "List stacks or a stack's resources. This hagen was built without the \
            `deploy` feature; see the message this command prints for how to build it."
    )]
    Ls(Unavailable),

    /// Show a stack's events grouped by operation, failures first; --follow streams.
    #[command(
        long_about = "Show a stack's recent operations (create, update, delete, rollback), \
            newest first, each with its failed resources and their reasons first, then \
            the rest of its events in time order. Operations are CloudFormation's own \
            (DescribeEvents); where that call is not available, they are rebuilt from \
            DescribeStackEvents at each user-initiated start. With --follow, the running \
            operation is then streamed as `hagen deploy` streams it, and the command exits \
            when the stack settles, with deploy's exit codes. See docs/deploy.md.",
        after_help = "Examples:\n\
            \x20 hagen events web-stage                 the last 3 operations on web-stage\n\
            \x20 hagen events --env prod --limit 10     the prod environment's stack, 10 operations\n\
            \x20 hagen events web-stage --follow        watch a running deploy (from another terminal, CI)\n\
            \x20 hagen events web-stage -f --format json  JSON lines: operation, event, outcome records\n\n\
            Exit codes: 0 shown (with --follow: the stack settled in success), 2 bad usage or\n\
            no such stack, 5 wrong account/region for the environment, 6 (--follow) the\n\
            operation failed or rolled back, 7 AWS error, 130 stopped watching (Ctrl-C)."
    )]
    #[cfg(feature = "deploy")]
    Events {
        /// Which environment, from which configuration.
        #[command(flatten)]
        target: EnvArgs,
        /// Stack, follow, AWS access and format options.
        #[command(flatten)]
        events: events::EventsArgs,
    },

    /// Show a stack's events (not in this build: see `--help`).
    #[cfg(not(feature = "deploy"))]
    #[command(
        long_about = "Show a stack's events grouped by operation. This hagen was built \
            without the `deploy` feature; see the message this command prints for how to \
            build it."
    )]
    Events(Unavailable),

    /// Roll back a stack a failed operation left stuck, or continue its rollback.
    #[command(
        long_about = "Bring a stack that a failed operation left stuck back to its last \
            working state: a stack in UPDATE_FAILED or CREATE_FAILED (deployed with \
            --disable-rollback) is rolled back (RollbackStack); one in \
            UPDATE_ROLLBACK_FAILED has its rollback continued (ContinueUpdateRollback), \
            leaving the resources named with --skip as they are. The stack's state and \
            failures are explained first, you are asked, and its events are streamed \
            until it settles. Any other state is explained and left alone. See \
            docs/deploy.md.",
        after_help = "Examples:\n\
            \x20 hagen rollback swiftcode-prod              roll back a stack left UPDATE_FAILED\n\
            \x20 hagen rollback --env prod --yes            the blueprint's prod stack, without asking\n\
            \x20 hagen rollback web --skip Database         continue an UPDATE_ROLLBACK_FAILED rollback past Database\n\
            \x20 hagen rollback web --yes --format json     CI: JSON lines on stdout\n\n\
            Exit codes: 0 rolled back, 2 bad usage (or no such stack), 5 nothing to roll back\n\
            (the stack is not stuck) or declined, 6 the rollback failed or another operation\n\
            is running, 7 AWS error, 130 stopped watching."
    )]
    #[cfg(feature = "deploy")]
    Rollback {
        /// Which environment, from which configuration.
        #[command(flatten)]
        target: EnvArgs,
        /// Stack, resources to skip, AWS access.
        #[command(flatten)]
        rollback: rollback::RollbackArgs,
    },

    /// Roll back a stuck stack (not in this build: see `--help`).
    #[cfg(not(feature = "deploy"))]
    #[command(
        long_about = "Roll back a stuck stack. This hagen was built without the \
            `deploy` feature; see the message this command prints for how to build it."
    )]
    Rollback(Unavailable),
    /// Detect drift: resources changed or deleted outside CloudFormation.
    #[command(
        long_about = "Run CloudFormation's drift detection on a stack (the blueprint's stack \
            for --env, or STACK: any stack) and show each resource changed or deleted \
            outside CloudFormation, with every property that differs as \
            `path: expected -> actual`, how many resources are in sync, and those whose \
            type drift detection does not support. Changes no resource. `hagen deploy` and \
            `hagen diff` warn when the last detection found drift; `hagen deploy \
            --revert-drift` sets drifted properties back. See docs/deploy.md.",
        after_help = "Examples:\n\
            \x20 hagen drift                          the blueprint's stage stack\n\
            \x20 hagen drift --env prod               the blueprint's prod stack\n\
            \x20 hagen drift web-stage --region eu-west-1  any stack\n\
            \x20 hagen drift --format json > drift.json  CI: one JSON document, exit 11 on drift\n\
            \x20 hagen deploy --changeset --revert-drift  then set the drifted values back\n\n\
            Exit codes: 0 in sync, 11 drifted (resources modified or deleted),\n\
            2 bad usage or no such stack, 5 wrong account/region, 7 AWS error or timeout."
    )]
    #[cfg(feature = "deploy")]
    Drift {
        /// Which environment's stack, from which configuration.
        #[command(flatten)]
        target: EnvArgs,
        /// The stack, AWS access and output options.
        #[command(flatten)]
        drift: drift::DriftArgs,
    },

    /// Detect drift (not in this build: see `--help`).
    #[cfg(not(feature = "deploy"))]
    #[command(
        long_about = "Detect drift on a stack. This hagen was built without the \
            `deploy` feature, which keeps `hagen synth` free of the AWS SDK; see \
            the message this command prints for how to build it with deploy."
    )]
    Drift(Unavailable),

    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        long_about = "Print a completion script for a shell: subcommands, flags and \
            their values complete on Tab. Load it from the shell's start-up files.",
        after_help = "Examples:\n\
            \x20 hagen completions bash > ~/.local/share/bash-completion/completions/hagen\n\
            \x20 hagen completions zsh > ~/.zfunc/_hagen      (with fpath+=~/.zfunc in .zshrc)\n\
            \x20 hagen completions fish > ~/.config/fish/completions/hagen.fish\n\
            \x20 hagen completions powershell >> $PROFILE"
    )]
    Completions(manual::CompletionsArgs),

    /// Turn a CloudFormation template, or a deployed stack, into a Rust crate
    /// whose blueprint reproduces it.
    #[cfg(feature = "import")]
    #[command(
        long_about = "Write a Cargo crate whose blueprint reproduces a CloudFormation template \
            (any template: hand-written, CDK- or troposphere-generated, or a deployed stack's with \
            --stack): parameters, mappings, conditions, every resource through its typed L1 type \
            with its logical ID kept, policies, metadata and outputs. What the typed API cannot \
            hold stays raw, with a comment saying why. Then the crate is built and its template \
            compared with the input, so that deploying it changes nothing.",
        after_help = import::EXAMPLES
    )]
    Import(import::ImportArgs),

    /// Print or write the manual pages (roff).
    #[command(
        long_about = "Print the program's manual page (roff) on stdout, or with -o DIR \
            write it and one page per subcommand (hagen.1, hagen-deploy.1, ...) into DIR.",
        after_help = "Examples:\n\
            \x20 hagen man | man -l -                     read it now\n\
            \x20 hagen man -o ~/.local/share/man/man1     install every page"
    )]
    Man(manual::ManArgs),
}

/// The arguments of a subcommand this build leaves out, taken as they come
/// so that the user gets the explanation rather than a parse error.
#[cfg(not(feature = "deploy"))]
#[derive(Debug, Clone, Args)]
pub struct Unavailable {
    /// Whatever was given after the subcommand.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<std::ffi::OsString>,
}

/// What `hagen diff` and `hagen deploy` say in a build without them.
#[cfg(not(feature = "deploy"))]
pub const DEPLOY_NOT_BUILT: &str = "this hagen was built without the `deploy` feature \
    (left out by default so that `hagen synth` does not compile the AWS SDK)\n  \
    = help: build the full command line with `cargo install --path blueprints/swiftcode --features deploy`, \
    or run it from a checkout with `cargo run --release --features deploy -- deploy ...`; \
    a blueprint of your own gets it with `hagen = { ..., features = [\"deploy\"] }`";

/// The environment options of every command that builds the blueprint
/// (`synth`, `diff`, `deploy`): which environment, from which configuration.
#[derive(Debug, Clone, Default, Args)]
pub struct EnvArgs {
    /// Environment to build: `stage`, `prod`, or one defined in the
    /// configuration file [default: the file's `default_environment`, else stage]
    #[arg(
        long,
        short = 'e',
        value_name = "NAME",
        env = "HAGEN_ENV",
        hide_env_values = true
    )]
    pub env: Option<String>,

    /// Configuration file [default: ./hagen.toml when it exists, else the
    /// built-in defaults]; see docs/config.md
    #[arg(
        long,
        short = 'c',
        value_name = "FILE",
        env = "HAGEN_CONFIG",
        hide_env_values = true
    )]
    pub config: Option<PathBuf>,
}

impl EnvArgs {
    /// Loads the configuration (checking its `blueprint` tables against the
    /// blueprint's configuration type, and every environment it defines)
    /// and resolves the environment asked for. `dir` is where `hagen.toml`
    /// is looked for (`""`: the current directory).
    pub fn resolve<B: Blueprint + ?Sized>(
        &self,
        blueprint: &B,
        dir: &Path,
    ) -> Result<(Config, Resolved<B::Config>), ConfigError> {
        let config = Config::discover::<B::Config>(self.config.as_deref(), dir)?;
        blueprint::check(blueprint, &config)?;
        let resolved = blueprint::resolve(blueprint, &config, self.env.as_deref())?;
        Ok((config, resolved))
    }
}

/// What a subcommand runs with: the blueprint, where to write, and where
/// the user is. Tests build one over in-memory buffers.
pub struct Context<'a, B: ?Sized> {
    /// The blueprint the binary was built with.
    pub blueprint: &'a B,
    /// Where results go (the template, reports).
    pub out: &'a mut dyn Write,
    /// Where notices, warnings and errors go.
    pub err: &'a mut dyn Write,
    /// The directory `hagen.toml` is looked for in (`""`: the current one).
    pub dir: PathBuf,
    /// `--verbose`: show the full detail of AWS errors.
    pub verbose: bool,
}

impl<B: ?Sized> Context<'_, B> {
    /// Prints `error: message` to stderr.
    pub fn error(&mut self, message: impl std::fmt::Display) {
        let _ = writeln!(self.err, "{}: {message}", "error".style(style::ERROR));
    }

    /// Prints `warning: message` to stderr.
    pub fn warning(&mut self, message: impl std::fmt::Display) {
        let _ = writeln!(self.err, "{}: {message}", "warning".style(style::WARNING));
    }

    /// Prints `notice: message` to stderr.
    pub fn notice(&mut self, message: impl std::fmt::Display) {
        let _ = writeln!(self.err, "{}: {message}", "notice".style(style::NOTICE));
    }

    /// Reports a configuration error and returns its exit code: an unknown
    /// environment is bad usage, anything else unreadable input.
    pub fn config_error(&mut self, e: &ConfigError) -> u8 {
        match e.problems() {
            [] => self.error(e),
            problems => {
                for p in problems {
                    self.error(p);
                }
                if problems.len() > 1 {
                    self.error(format!(
                        "{} problems in the configuration file; nothing was built",
                        problems.len()
                    ));
                }
            }
        }
        match e {
            ConfigError::UnknownEnvironment { .. } => exit::USAGE,
            ConfigError::Read { .. }
            | ConfigError::TooLarge { .. }
            | ConfigError::Invalid { .. } => exit::UNREADABLE_INPUT,
            ConfigError::Blueprint { .. } => exit::TEMPLATE_ERRORS,
        }
    }
}

/// ANSI styles for message labels. Colour is removed downstream when the
/// stream is not a terminal or `NO_COLOR` is set (see [`main`]).
mod style {
    use owo_colors::Style;

    pub const ERROR: Style = Style::new().red().bold();
    pub const WARNING: Style = Style::new().yellow().bold();
    pub const NOTICE: Style = Style::new().cyan().bold();
}

/// The whole command line for a blueprint: parses the process's
/// arguments, runs the subcommand, and returns its exit code.
///
/// This is the one function a user's crate calls:
/// `fn main() -> ExitCode { hagen::cli::main(MyBlueprint) }`.
pub fn main<B: Blueprint>(blueprint: B) -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let choice = color::Color::from_args(&args).stream_choice();
    choice.write_global();
    let mut out = anstream::AutoStream::new(std::io::stdout(), choice);
    let mut err = anstream::AutoStream::new(std::io::stderr(), choice);
    let code = run(&blueprint, args, &mut out, &mut err);
    let _ = out.flush();
    ExitCode::from(code)
}

/// Runs one command line (`args` includes the program name) against a
/// blueprint, writing to `out` and `err`, and returns the exit code.
/// [`main`] is this over the real process; tests call it directly.
pub fn run<B: Blueprint + ?Sized>(
    blueprint: &B,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let parsed = command(blueprint)
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().ansi().to_string();
            let stream: &mut dyn Write = if e.use_stderr() { err } else { out };
            let _ = write!(stream, "{text}");
            return u8::try_from(e.exit_code()).unwrap_or(exit::USAGE);
        }
    };
    let mut cx = Context {
        blueprint,
        out,
        err,
        dir: PathBuf::new(),
        verbose: cli.verbose,
    };
    dispatch(cli.command, cli.color, &mut cx)
}

/// Runs a parsed subcommand; `color` is the top-level `--color`.
pub fn dispatch<B: Blueprint + ?Sized>(
    command: Command,
    color: color::Color,
    cx: &mut Context<'_, B>,
) -> u8 {
    match command {
        Command::Synth(args) => synth::run(&args, cx),
        Command::Validate(args) => validate::run(&validate::Args { color, ..args }, cx.out, cx.err),
        Command::Completions(args) => manual::completions(&args, cx),
        Command::Man(args) => manual::man(&args, cx),
        Command::Graph(args) => graph::run(&args, cx),
        #[cfg(feature = "import")]
        Command::Import(args) => import::run(&args, cx),
        #[cfg(not(feature = "deploy"))]
        Command::Diff(_) | Command::Deploy(_) | Command::Drift(_) => {
            cx.error(DEPLOY_NOT_BUILT);
            exit::USAGE
        }
        #[cfg(not(feature = "deploy"))]
        Command::Ls(_) | Command::Events(_) | Command::Rollback(_) | Command::Bootstrap(_) => {
            cx.error(DEPLOY_NOT_BUILT);
            exit::USAGE
        }
        #[cfg(feature = "deploy")]
        Command::Bootstrap {
            target,
            bootstrap: args,
        } => {
            let mut console = crate::deploy::Console::stdio_colored(color.forced());
            console.set_format(args.format.into());
            let context = match deploy_context(&target, None, "bootstrap", cx) {
                Ok(context) => context,
                Err(code) => return early_error(&mut console, args.format, code, true),
            };
            bootstrap::run(&args, &context, &mut console)
        }
        #[cfg(feature = "deploy")]
        Command::Ls { target, ls: args } => {
            let mut console = crate::deploy::Console::stdio_colored(color.forced());
            console.set_format(args.format.into());
            let context = match deploy_context(&target, None, "ls", cx) {
                Ok(context) => context,
                Err(code) => return early_error(&mut console, args.format, code, false),
            };
            ls::run(&args, &context, target.env.is_some(), &mut console)
        }
        #[cfg(feature = "deploy")]
        Command::Events {
            target,
            events: args,
        } => {
            let mut console = crate::deploy::Console::stdio_colored(color.forced());
            console.set_format(args.format.into());
            let context = match deploy_context(&target, None, "events", cx) {
                Ok(context) => context,
                Err(code) => return early_error(&mut console, args.format, code, true),
            };
            events::run(&args, &context, &mut console)
        }
        #[cfg(feature = "deploy")]
        Command::Rollback {
            target,
            rollback: args,
        } => {
            let mut console = crate::deploy::Console::stdio_colored(color.forced());
            console.set_format(args.format.into());
            let context = match deploy_context(&target, None, "rollback", cx) {
                Ok(context) => context,
                Err(code) => return early_error(&mut console, args.format, code, true),
            };
            rollback::run(&args, &context, &mut console)
        }
        #[cfg(feature = "deploy")]
        Command::Diff { target, diff: args } => {
            let mut console = crate::deploy::Console::stdio_colored(color.forced());
            console.set_format(args.format.into());
            let template = args.inputs.template.clone();
            let context = match deploy_context(&target, template.as_deref(), "diff", cx) {
                Ok(context) => context,
                Err(code) => return early_error(&mut console, args.format, code, false),
            };
            match template {
                Some(path) => {
                    if args.stack_name.is_none()
                        && let Err(why) = template_file::stack_name_from(&path)
                    {
                        console.error(why, exit::USAGE);
                        return deploy::conclude(&mut console, exit::USAGE, false);
                    }
                    let mut load = |c: &mut crate::deploy::Console| template_file::load(&path, c);
                    diff::run(&args, &context, &mut load, &mut console)
                }
                None => {
                    let all = match synth::build_app(&target, synth::Format::Yaml, cx) {
                        Ok(all) => all,
                        Err(code) => return early_error(&mut console, args.format, code, false),
                    };
                    deploy_app::diff(&args, &context, &all, &mut console)
                }
            }
        }
        #[cfg(feature = "deploy")]
        Command::Drift {
            target,
            drift: args,
        } => {
            let mut console = crate::deploy::Console::stdio_colored(color.forced());
            console.set_format(args.format.into());
            let context = match deploy_context(&target, None, "drift", cx) {
                Ok(context) => context,
                Err(code) => return early_error(&mut console, args.format, code, false),
            };
            drift::run(&args, &context, &mut console)
        }
        #[cfg(feature = "deploy")]
        Command::Deploy {
            target,
            deploy: args,
        } => {
            let mut console = crate::deploy::Console::stdio_colored(color.forced());
            console.set_format(args.format.into());
            let template = args.inputs.template.clone();
            let given_stack = args.stack_name.is_some() || args.execute.is_some();
            let context = match deploy_context(&target, template.as_deref(), "deploy", cx) {
                Ok(context) => context,
                Err(code) => return early_error(&mut console, args.format, code, true),
            };
            match template {
                Some(path) => {
                    if !given_stack {
                        match template_file::stack_name_from(&path) {
                            Ok(name) => console.say(format!(
                                "Stack name {name}, from the file name (--stack-name NAME to choose another)"
                            )),
                            Err(why) => {
                                console.error(why, exit::USAGE);
                                return deploy::conclude(&mut console, exit::USAGE, true);
                            }
                        }
                    }
                    let mut load = |c: &mut crate::deploy::Console| template_file::load(&path, c);
                    deploy::run(&args, &context, &mut load, &mut console)
                }
                // A change set left for review holds its template: nothing
                // to build.
                None if args.execute.is_some() => {
                    let mut synth = |_: &mut crate::deploy::Console| synthesized(&target, None, cx);
                    deploy::run(&args, &context, &mut synth, &mut console)
                }
                None => {
                    let all = match synth::build_app(&target, synth::Format::Yaml, cx) {
                        Ok(all) => all,
                        Err(code) => return early_error(&mut console, args.format, code, true),
                    };
                    deploy_app::deploy(&args, &context, &all, &mut console)
                }
            }
        }
        #[cfg(not(feature = "deploy"))]
        Command::Destroy(_) => {
            cx.error(DEPLOY_NOT_BUILT);
            exit::USAGE
        }
        #[cfg(feature = "deploy")]
        Command::Destroy {
            target,
            destroy: args,
        } => {
            let mut console = crate::deploy::Console::stdio_colored(color.forced());
            console.set_format(args.format.into());
            let context = match deploy_context(&target, None, "destroy", cx) {
                Ok(context) => context,
                Err(code) => return early_error(&mut console, args.format, code, true),
            };
            destroy::run(&args, &context, &mut console)
        }
    }
}

/// A `diff` or `deploy` that stopped before it began (its configuration
/// could not be read; the details are on stderr): in JSON format, still
/// the `error` record (and for deploy the `outcome`) a program waits for.
#[cfg(feature = "deploy")]
fn early_error(
    console: &mut crate::deploy::Console,
    format: deploy::FormatArg,
    code: u8,
    outcome: bool,
) -> u8 {
    console.set_format(format.into());
    deploy::conclude(console, code, outcome)
}

/// The synthesized and validated YAML template `diff` and `deploy` send:
/// the same checks as `hagen synth`, so a template with errors never
/// reaches AWS.
#[cfg(feature = "deploy")]
fn synthesized<B: Blueprint + ?Sized>(
    target: &EnvArgs,
    stack: Option<&str>,
    cx: &mut Context<'_, B>,
) -> Result<deploy::SynthOutput, u8> {
    synth::build(target, stack, synth::Format::Yaml, cx).map(|built| deploy::SynthOutput {
        nested: Vec::new(),
        template: built.synthesis.template,
        body: built.text,
    })
}

/// What `diff` and `deploy` take from the blueprint and configuration: the
/// default stack name and template bucket, the environment's parameters,
/// tags and pinned account and region, and the command line that reaches
/// the same environment (for commands printed to the user). With
/// `--template FILE` the stack name comes from the file name (when it is
/// one) and the environment's tags become stack tags; the blueprint is
/// never built.
#[cfg(feature = "deploy")]
fn deploy_context<B: Blueprint + ?Sized>(
    target: &EnvArgs,
    template: Option<&Path>,
    subcommand: &str,
    cx: &mut Context<'_, B>,
) -> Result<deploy::DeployContext, u8> {
    let env = match target.resolve(cx.blueprint, &cx.dir) {
        Ok((_, resolved)) => resolved.environment,
        Err(e) => return Err(cx.config_error(&e)),
    };
    let default_stack_name = match template {
        Some(path) => template_file::stack_name_from(path).ok(),
        None => Some(cx.blueprint.stack_name(&env)),
    };
    let mut command = format!("{} {subcommand}", cx.blueprint.command_name());
    if let Some(name) = &target.env {
        command.push_str(&format!(" --env {name}"));
    }
    if let Some(config) = &target.config {
        command.push_str(&format!(" --config {}", config.display()));
    }
    Ok(deploy::DeployContext {
        default_stack_name,
        default_bucket: env.template_bucket.clone(),
        command,
        verbose: cx.verbose,
        environment: inputs::EnvironmentInputs::of(&env, template.is_some()),
        protect: env.protect,
        role_arn: env.role_arn.clone(),
        reviewed: false,
    })
}

/// The clap command for a blueprint: the derived parser with the
/// blueprint's name, about text, version and examples, its configuration
/// keys in `--help`, and the exit codes listed after it. Example lines of
/// the subcommands name the blueprint's program too.
pub fn command<B: Blueprint + ?Sized>(blueprint: &B) -> clap::Command {
    let name = blueprint.command_name().to_owned();
    let codes: String = exit::MEANINGS
        .iter()
        .map(|(code, meaning)| format!("  {code:>3}  {meaning}\n"))
        .collect();
    let examples = blueprint.examples();
    let width = examples
        .iter()
        .map(|e| name.len() + 1 + e.args.len())
        .max()
        .unwrap_or(0);
    let examples: String = examples
        .iter()
        .map(|e| {
            let line = format!("{name} {}", e.args);
            format!("  {line:<width$}  {}\n", e.what)
        })
        .collect();
    let configuration = "Configuration: ./hagen.toml when present, or --config FILE (see docs/config.md).\n\
         Values only known at deploy time are CloudFormation parameters, not blueprint keys:\n\
         deploy --parameter KEY=VALUE, --parameters FILE, or [environments.NAME.parameters].";
    let short = format!("Examples:\n{examples}\n{configuration}\n\nExit codes:\n{codes}");
    let long = format!(
        "Examples:\n{examples}\n{configuration}\n\n{}\nExit codes:\n{codes}",
        keys_help(blueprint)
    );
    let long_about = if blueprint.about() == blueprint.description() {
        format!(
            "{}\n\nBuilt with hagen {HAGEN_VERSION}: typed Rust blueprints of highly available AWS \
             architectures, compiled to validated CloudFormation.",
            blueprint.about()
        )
    } else {
        format!(
            "{}\n\nBlueprint: {} - {}",
            blueprint.about(),
            blueprint.name(),
            blueprint.description()
        )
    };
    let version = match blueprint.version() {
        Some(v) => v.to_owned(),
        None => format!("(no version given; built with hagen {HAGEN_VERSION})"),
    };
    let mut cmd = Cli::command()
        .name(name.clone())
        .version(version)
        .about(blueprint.about().to_owned())
        .long_about(long_about)
        .after_help(short)
        .after_long_help(long);
    if name != "hagen" {
        let subcommands: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_owned())
            .collect();
        for sub in subcommands {
            cmd = cmd.mut_subcommand(&sub, |s| {
                let text = s.get_after_help().map(|t| rename(&t.to_string(), &name));
                match text {
                    Some(text) => s.after_help(text),
                    None => s,
                }
            });
        }
    }
    cmd
}

/// Example lines written for `hagen`, for a program of another name.
fn rename(text: &str, name: &str) -> String {
    text.replace(" hagen ", &format!(" {name} "))
}

/// The blueprint's own keys with their built-in values, from its
/// configuration type, for `--help`.
fn keys_help<B: Blueprint + ?Sized>(blueprint: &B) -> String {
    let stage = blueprint.base_environment(BaseEnvironment::Stage);
    let prod = blueprint.base_environment(BaseEnvironment::Prod);
    let keys = match crate::config::key_defaults::<B::Config>(&stage, &prod) {
        Ok(keys) => keys,
        Err(e) => return format!("The blueprint's keys cannot be listed: {e}.\n"),
    };
    if keys.is_empty() {
        return "This blueprint has no keys of its own ([environments.NAME.blueprint] takes none).\n"
            .to_owned();
    }
    let width = keys.iter().map(|k| k.key.len()).max().unwrap_or(0);
    let mut text = "Blueprint keys, under [environments.NAME.blueprint] in hagen.toml (built-in\n\
                    stage / prod values; a dotted key is a nested table):\n"
        .to_owned();
    for k in &keys {
        let values = match (&k.stage, &k.prod) {
            (Some(s), Some(p)) if s == p => s.clone(),
            (Some(s), Some(p)) => format!("{s} / {p}"),
            (None, None) => "(not set)".to_owned(),
            (s, p) => format!(
                "{} / {}",
                s.as_deref().unwrap_or("(not set)"),
                p.as_deref().unwrap_or("(not set)")
            ),
        };
        text.push_str(&format!("  {:<width$}  {values}\n", k.key));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parser_is_consistent() {
        Cli::command().debug_assert();
    }

    /// A blueprint that keeps every default: no keys, no version.
    struct Alerts;

    impl Blueprint for Alerts {
        type Config = ();
        fn name(&self) -> &str {
            "alerts"
        }
        fn description(&self) -> &str {
            "An alert topic"
        }
        fn build(
            &self,
            env: &crate::config::Environment,
            _: &(),
        ) -> Result<crate::stack::Stack, crate::error::SynthError> {
            Ok(blueprint::new_stack(self, env))
        }
    }

    fn output(args: &[&str]) -> (u8, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut argv = vec!["alerts"];
        argv.extend_from_slice(args);
        let code = run(&Alerts, argv, &mut out, &mut err);
        (code, String::from_utf8_lossy(&out).into_owned())
    }

    #[test]
    fn a_blueprint_with_every_default_is_named_after_itself_everywhere() {
        command(&Alerts).debug_assert();
        let (code, version) = output(&["--version"]);
        assert_eq!(code, exit::OK);
        assert_eq!(
            version,
            format!("alerts (no version given; built with hagen {HAGEN_VERSION})\n")
        );
        let (_, help) = output(&["--help"]);
        assert!(
            help.starts_with("An alert topic\n\nBuilt with hagen "),
            "{help}"
        );
        assert!(help.contains("  alerts synth > stack.yaml "), "{help}");
        assert!(
            help.contains("This blueprint has no keys of its own"),
            "{help}"
        );
        let (_, short) = output(&["-h"]);
        assert!(
            !short.contains("no keys of its own"),
            "keys are for --help: {short}"
        );
        let (_, validate) = output(&["validate", "--help"]);
        assert!(
            validate.contains("  alerts validate stack.yaml"),
            "{validate}"
        );
        assert!(!validate.contains("hagen validate"), "{validate}");
    }

    /// `--template` needs nothing from the blueprint: a user's binary
    /// reads, validates and refuses a template file the same way, before
    /// any AWS call.
    #[cfg(feature = "deploy")]
    #[test]
    fn a_users_blueprint_deploys_template_files_too() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let broken = dir.path().join("web.yaml");
        std::fs::write(
            &broken,
            "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicNam: x\n",
        )
        .expect("template written");
        let run_in = |args: &[&str]| {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let mut argv = vec!["alerts"];
            argv.extend_from_slice(args);
            let command = command(&Alerts)
                .try_get_matches_from(argv)
                .and_then(|m| Cli::from_arg_matches(&m))
                .expect("the flags parse");
            let mut cx = Context {
                blueprint: &Alerts,
                out: &mut out,
                err: &mut err,
                dir: dir.path().to_owned(),
                verbose: false,
            };
            dispatch(command.command, command.color, &mut cx)
        };
        let path = broken.display().to_string();
        assert_eq!(
            run_in(&["deploy", "--template", &path]),
            exit::TEMPLATE_ERRORS
        );
        assert_eq!(
            run_in(&["diff", "--template", &path]),
            exit::TEMPLATE_ERRORS
        );
        let missing = dir.path().join("missing.yaml").display().to_string();
        assert_eq!(
            run_in(&["deploy", "--template", &missing]),
            exit::UNREADABLE_INPUT
        );
        let unnamed = dir.path().join("web_stage.yaml").display().to_string();
        assert_eq!(run_in(&["deploy", "--template", &unnamed]), exit::USAGE);
    }

    #[test]
    fn every_exit_code_is_described_once() {
        let mut codes: Vec<u8> = exit::MEANINGS.iter().map(|(c, _)| *c).collect();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
