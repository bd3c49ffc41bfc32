//! Blueprints: the L3 layer a user writes. A blueprint turns one resolved
//! environment (the generic [`Environment`] and its own typed
//! configuration) into a stack; hagen does the rest (configuration,
//! checks, output, deploy).
//!
//! Owns the [`Blueprint`] trait and the synthesis of one environment
//! ([`synthesize`]). It does not parse arguments or print anything (that is
//! `crate::cli`), and holds no resource logic (that is the blueprint's and
//! the constructs').
//!
//! A blueprint in its own crate gets the whole command line with one call,
//! `hagen::cli::main(Alerts)` (feature `cli`); the library alone
//! synthesizes it:
//!
//! ```
//! use hagen::blueprint::Blueprint;
//! use hagen::config::Environment;
//! use hagen::error::SynthError;
//! use hagen::stack::Stack;
//!
//! struct Alerts;
//!
//! impl Blueprint for Alerts {
//!     type Config = (); // no keys of its own in hagen.toml
//!     fn name(&self) -> &str { "alerts" }
//!     fn description(&self) -> &str { "An alert topic" }
//!     fn build(&self, env: &Environment, _config: &()) -> Result<Stack, SynthError> {
//!         let mut stack = hagen::blueprint::new_stack(self, env);
//!         stack.add("Alerts", hagen::resources::sns::Topic::new())?;
//!         Ok(stack)
//!     }
//! }
//!
//! let config = hagen::config::Config::builtin();
//! let resolved = hagen::blueprint::resolve(&Alerts, &config, Some("prod")).expect("built in");
//! let synthesis = hagen::blueprint::synthesize(&Alerts, &resolved).expect("builds");
//! assert_eq!(synthesis.stack_name, "alerts-prod");
//! ```

pub mod text;

use crate::app::{App, BuiltApp};
use crate::config::{BaseEnvironment, BlueprintConfig, Config, ConfigError, Environment, Resolved};
use crate::error::SynthError;
use crate::stack::{Override, Stack};
use crate::template::Template;

/// Longest stack name CloudFormation accepts.
pub const MAX_STACK_NAME_LEN: usize = 128;

/// hagen's own version, shown beside a blueprint's in `--version`.
pub const HAGEN_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One example command line for `--help`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The arguments after the program's name (`synth --env prod -o prod.yaml`).
    pub args: String,
    /// What it does, in a few words.
    pub what: String,
}

impl Example {
    /// An example: arguments after the program name, and what they do.
    pub fn new(args: impl Into<String>, what: impl Into<String>) -> Self {
        Example {
            args: args.into(),
            what: what.into(),
        }
    }
}

/// An architecture described in Rust: what a user implements to get
/// `synth`, `validate`, `diff` and `deploy` for it.
///
/// Only [`Config`](Blueprint::Config), [`name`](Blueprint::name),
/// [`description`](Blueprint::description) and one of
/// [`build`](Blueprint::build) (one stack) or
/// [`build_app`](Blueprint::build_app) (several) are required; the other
/// methods have defaults that suit most blueprints.
pub trait Blueprint {
    /// The blueprint's own keys in `hagen.toml` (`[environments.NAME.blueprint]`),
    /// as a serde type with its built-in values: see [`BlueprintConfig`].
    /// `()` when it has none.
    type Config: BlueprintConfig;

    /// Short lower-case name (`swiftcode`): the default project name, hence
    /// the `Project` tag and the stack name's prefix.
    fn name(&self) -> &str;

    /// One line saying what the architecture is; shown in `--help`.
    fn description(&self) -> &str;

    /// Builds the stack for one environment from its generic part and the
    /// blueprint's own configuration, both resolved and checked. Errors
    /// name the construct and what to change; a value from configuration
    /// that cannot be built with is a [`SynthError::Config`] naming its
    /// key, so that the user is pointed at the line to change.
    ///
    /// A blueprint of several stacks implements [`build_app`](Blueprint::build_app)
    /// instead; this default then says so if something asks for one stack.
    fn build(&self, env: &Environment, config: &Self::Config) -> Result<Stack, SynthError> {
        let _ = (env, config);
        Err(SynthError::App {
            message: format!(
                "blueprint {} implements neither build (one stack) nor build_app (several); implement one of them",
                self.name()
            ),
        })
    }

    /// Builds every stack of the environment: an [`App`] of several stacks
    /// (network, data, app...) whose references to each other become
    /// exports and imports, deployed in the order they need. Default: the
    /// one stack of [`build`](Blueprint::build), named
    /// [`stack_name`](Blueprint::stack_name). Stacks of an app are named
    /// `<stack_name>-<id>`: create it with `App::new(self.stack_name(env))`.
    fn build_app(&self, env: &Environment, config: &Self::Config) -> Result<App, SynthError> {
        Ok(App::single(self.stack_name(env), self.build(env, config)?))
    }

    /// The built-in generic values of `stage` and `prod` for this blueprint,
    /// before `hagen.toml` applies. Override to change what "no
    /// configuration" means for your architecture (its own keys' defaults
    /// are [`BlueprintConfig::defaults`]).
    fn base_environment(&self, base: BaseEnvironment) -> Environment {
        Environment::builtin(base, self.name())
    }

    /// The CloudFormation stack name `deploy` uses by default:
    /// `<project>-<environment>`.
    fn stack_name(&self, env: &Environment) -> String {
        default_stack_name(&env.project, &env.name)
    }

    /// The program's name in `--help` and `--version`, and in commands the
    /// command line prints. Default: the blueprint's name.
    fn command_name(&self) -> &str {
        self.name()
    }

    /// The first line of `--help`. Default: the description.
    fn about(&self) -> &str {
        self.description()
    }

    /// The program's version for `--version`; pass your crate's own,
    /// `Some(env!("CARGO_PKG_VERSION"))`. Default: none (`--version` then
    /// says so, with hagen's version).
    fn version(&self) -> Option<&str> {
        None
    }

    /// Whether `synth` (and so `diff` and `deploy`) holds the template to
    /// hagen's own guarantees: security and availability findings are
    /// errors that stop it. Default: yes. A blueprint that must reproduce
    /// an architecture as it runs today (one `hagen import` wrote from a
    /// template with such findings) turns it off; the findings are then
    /// printed as warnings, never hidden.
    fn strict_checks(&self) -> bool {
        true
    }

    /// Example command lines for the end of `--help`. Default: the usual
    /// `synth` invocations.
    fn examples(&self) -> Vec<Example> {
        default_examples()
    }
}

/// The examples every blueprint's `--help` shows unless it gives its own.
pub fn default_examples() -> Vec<Example> {
    vec![
        Example::new("synth > stack.yaml", "the stage template, YAML, on stdout"),
        Example::new(
            "synth --env prod -o prod.yaml",
            "the prod template, written atomically",
        ),
        Example::new("synth --format json", "JSON instead of YAML"),
        Example::new(
            "synth -c ci.toml -e perf",
            "a user-defined environment from ci.toml",
        ),
    ]
}

/// `<project>-<environment>`, cut to CloudFormation's 128 characters.
/// Both parts are checked names (lower-case letters, digits, `-`, starting
/// with a letter), so the result is a valid stack name.
pub fn default_stack_name(project: &str, environment: &str) -> String {
    let mut name = format!("{project}-{environment}");
    name.truncate(MAX_STACK_NAME_LEN);
    name
}

/// A new stack for a blueprint in one environment: its description, and
/// the stack-wide tags (`Project`, `Environment`, then the configured ones)
/// already set, so every taggable resource added afterwards carries them.
pub fn new_stack(blueprint: &(impl Blueprint + ?Sized), env: &Environment) -> Stack {
    let mut stack = Stack::new(format!(
        "{} ({} environment)",
        blueprint.description(),
        env.name
    ));
    for (key, value) in env.stack_tags() {
        stack.tag(&key, value);
    }
    stack
}

/// Reads a configuration file for a blueprint (its `blueprint` tables are
/// checked against its configuration type).
pub fn load_config<B: Blueprint + ?Sized>(
    _blueprint: &B,
    path: &std::path::Path,
) -> Result<Config, ConfigError> {
    Config::load::<B::Config>(path)
}

/// Checks every environment of a configuration for a blueprint (see
/// [`Config::check_all`]): what a command runs before building one.
pub fn check<B: Blueprint + ?Sized>(blueprint: &B, config: &Config) -> Result<(), ConfigError> {
    config.check_all::<B::Config>(&|base| blueprint.base_environment(base))
}

/// One environment for a blueprint: the blueprint's generic defaults and
/// its configuration type's defaults for the base environment, then the
/// configuration file. `environment` `None` means the configuration's
/// default environment.
pub fn resolve<B: Blueprint + ?Sized>(
    blueprint: &B,
    config: &Config,
    environment: Option<&str>,
) -> Result<Resolved<B::Config>, ConfigError> {
    config.resolve::<B::Config>(environment, &|base| blueprint.base_environment(base))
}

/// One environment of a blueprint, synthesized.
#[derive(Debug, Clone)]
pub struct Synthesis {
    /// The generic part of the environment it was built for.
    pub environment: Environment,
    /// The stack name to deploy it as.
    pub stack_name: String,
    /// The template.
    pub template: Template,
    /// Safe defaults the blueprint overrode, to be told to the user.
    pub overrides: Vec<Override>,
}

/// Every stack of one environment of a blueprint, in deploy order.
#[derive(Debug, Clone)]
pub struct AppSynthesis {
    /// The generic part of the environment it was built for.
    pub environment: Environment,
    /// The stacks, their templates and the references between them.
    pub app: BuiltApp,
}

/// Builds every stack of one environment of a blueprint (see
/// [`Blueprint::build_app`]); as [`synthesize`], the checks run afterwards.
pub fn synthesize_app<B: Blueprint + ?Sized>(
    blueprint: &B,
    resolved: &Resolved<B::Config>,
) -> Result<AppSynthesis, SynthError> {
    let env = &resolved.environment;
    let app = blueprint.build_app(env, &resolved.config)?.finish()?;
    Ok(AppSynthesis {
        environment: env.clone(),
        app,
    })
}

/// Builds one environment of a blueprint of one stack. A blueprint of
/// several stacks is an error naming them: use [`synthesize_app`].
///
/// The checks of `crate::validate` run on [`Synthesis::template`] afterwards
/// (the CLI does that before printing or deploying), so this stays a pure
/// function of the blueprint and its resolved environment.
pub fn synthesize<B: Blueprint + ?Sized>(
    blueprint: &B,
    resolved: &Resolved<B::Config>,
) -> Result<Synthesis, SynthError> {
    let AppSynthesis { environment, app } = synthesize_app(blueprint, resolved)?;
    let ids = app.ids().join(", ");
    let count = app.stacks.len();
    let mut stacks = app.stacks.into_iter();
    match (stacks.next(), stacks.next()) {
        (Some(stack), None) => Ok(Synthesis {
            stack_name: stack.name,
            environment,
            template: stack.template,
            overrides: stack.overrides,
        }),
        _ => Err(SynthError::App {
            message: format!(
                "blueprint {} has {count} stacks ({ids}); name one, or take them all",
                blueprint.name()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::sns::Topic;
    use crate::template::{Expr, ToExpr};

    struct Alerts;

    impl Blueprint for Alerts {
        type Config = ();
        fn name(&self) -> &str {
            "alerts"
        }
        fn description(&self) -> &str {
            "An alert topic"
        }
        fn build(&self, env: &Environment, _: &()) -> Result<Stack, SynthError> {
            let mut stack = new_stack(self, env);
            stack.add("Alerts", Topic::new())?;
            if env.name == "prod" {
                stack.record_override("Alerts", "no encryption key");
            }
            Ok(stack)
        }
    }

    #[test]
    fn synthesis_carries_tags_description_stack_name_and_overrides() {
        let config = Config::builtin();
        let r = resolve(&Alerts, &config, Some("prod")).expect("prod");
        let out = synthesize(&Alerts, &r).expect("builds");
        assert_eq!(out.stack_name, "alerts-prod");
        assert_eq!(
            out.template.description.as_deref(),
            Some("An alert topic (prod environment)")
        );
        let tags = &out.template.resources["Alerts"].properties["Tags"];
        assert_eq!(
            *tags,
            vec![
                crate::resources::Tag::new("Project", "alerts"),
                crate::resources::Tag::new("Environment", "prod"),
            ]
            .to_expr()
        );
        assert_eq!(out.overrides.len(), 1);
        assert!(matches!(tags, Expr::List(_)));
    }

    #[test]
    fn the_blueprint_is_usable_as_a_trait_object() {
        let b: &dyn Blueprint<Config = ()> = &Alerts;
        let r = resolve(b, &Config::builtin(), None).expect("stage");
        assert_eq!(
            synthesize(b, &r).expect("builds").stack_name,
            "alerts-stage"
        );
    }

    #[test]
    fn stack_names_are_cut_to_the_cloudformation_limit() {
        assert_eq!(default_stack_name(&"a".repeat(200), "x").len(), 128);
    }
}
