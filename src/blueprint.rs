//! Blueprints: the L3 layer a user writes. A blueprint turns the settings of
//! one environment into a stack; hagen does the rest (configuration,
//! checks, output, deploy).
//!
//! Owns the [`Blueprint`] trait and the synthesis of one environment
//! ([`synthesize`]). It does not parse arguments or print anything (that is
//! `crate::cli`), and holds no resource logic (that is the blueprint's and
//! the constructs').
//!
//! A blueprint in its own crate gets the whole `hagen` command line with
//! one call, `hagen::cli::main(Alerts)` (feature `cli`); the library alone
//! synthesizes it:
//!
//! ```
//! use hagen::blueprint::Blueprint;
//! use hagen::config::Settings;
//! use hagen::error::SynthError;
//! use hagen::stack::Stack;
//!
//! struct Alerts;
//!
//! impl Blueprint for Alerts {
//!     fn name(&self) -> &str { "alerts" }
//!     fn description(&self) -> &str { "An alert topic" }
//!     fn build(&self, settings: &Settings) -> Result<Stack, SynthError> {
//!         let mut stack = hagen::blueprint::new_stack(self, settings);
//!         stack.add("Alerts", hagen::resources::sns::Topic::new())?;
//!         Ok(stack)
//!     }
//! }
//!
//! let config = hagen::config::Config::builtin();
//! let settings = hagen::blueprint::settings(&Alerts, &config, Some("prod")).expect("built in");
//! let synthesis = hagen::blueprint::synthesize(&Alerts, settings).expect("builds");
//! assert_eq!(synthesis.stack_name, "alerts-prod");
//! ```

pub mod text;

use crate::config::{BaseEnvironment, Config, ConfigError, CustomKey, Settings};
use crate::error::SynthError;
use crate::stack::{Override, Stack};
use crate::template::Template;

/// Longest stack name CloudFormation accepts.
pub const MAX_STACK_NAME_LEN: usize = 128;

/// An architecture described in Rust: what a user implements to get
/// `hagen synth`, `validate`, `diff` and `deploy` for it.
///
/// Only [`name`](Blueprint::name), [`description`](Blueprint::description)
/// and [`build`](Blueprint::build) are required; the other methods have
/// defaults that suit most blueprints.
pub trait Blueprint {
    /// Short lower-case name (`swiftcode`): the default project name, hence
    /// the `Project` tag and the stack name's prefix.
    fn name(&self) -> &str;

    /// One line saying what the architecture is; shown in `--help`.
    fn description(&self) -> &str;

    /// The keys this blueprint accepts in `[environments.NAME.blueprint]`
    /// tables of `hagen.toml`. Keys not listed are rejected when the file is
    /// loaded, with a suggestion; listed keys are type- and range-checked, so
    /// [`Settings::custom`] only ever holds well-formed values.
    fn custom_keys(&self) -> &[CustomKey] {
        &[]
    }

    /// The built-in settings of `stage` and `prod` for this blueprint,
    /// before `hagen.toml` applies. Override to change what "no
    /// configuration" means for your architecture.
    fn defaults(&self, base: BaseEnvironment) -> Settings {
        Settings::builtin(base, self.name())
    }

    /// The CloudFormation stack name `hagen deploy` uses by default:
    /// `<project>-<environment>`.
    fn stack_name(&self, settings: &Settings) -> String {
        default_stack_name(&settings.project, &settings.environment)
    }

    /// Builds the stack for one environment. Errors name the construct and
    /// what to change; they stop synthesis with nothing printed.
    fn build(&self, settings: &Settings) -> Result<Stack, SynthError>;
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
pub fn new_stack(blueprint: &(impl Blueprint + ?Sized), settings: &Settings) -> Stack {
    let mut stack = Stack::new(format!(
        "{} ({} environment)",
        blueprint.description(),
        settings.environment
    ));
    for (key, value) in settings.stack_tags() {
        stack.tag(&key, value);
    }
    stack
}

/// The settings of an environment for a blueprint: the blueprint's
/// defaults for the base environment, then the configuration file.
/// `environment` `None` means the configuration's default environment.
pub fn settings(
    blueprint: &(impl Blueprint + ?Sized),
    config: &Config,
    environment: Option<&str>,
) -> Result<Settings, ConfigError> {
    config.settings(environment, &|base| blueprint.defaults(base))
}

/// One environment of a blueprint, synthesized.
#[derive(Debug, Clone)]
pub struct Synthesis {
    /// The settings it was built from.
    pub settings: Settings,
    /// The stack name to deploy it as.
    pub stack_name: String,
    /// The template.
    pub template: Template,
    /// Safe defaults the blueprint overrode, to be told to the user.
    pub overrides: Vec<Override>,
}

/// Builds one environment of a blueprint.
///
/// The checks of `crate::validate` run on [`Synthesis::template`] afterwards
/// (the CLI does that before printing or deploying), so this stays a pure
/// function of the blueprint and its settings.
pub fn synthesize(
    blueprint: &(impl Blueprint + ?Sized),
    settings: Settings,
) -> Result<Synthesis, SynthError> {
    let stack = blueprint.build(&settings)?;
    let overrides = stack.overrides().to_vec();
    Ok(Synthesis {
        stack_name: blueprint.stack_name(&settings),
        settings,
        template: stack.into_template()?,
        overrides,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::sns::Topic;
    use crate::template::{Expr, ToExpr};

    struct Alerts;

    impl Blueprint for Alerts {
        fn name(&self) -> &str {
            "alerts"
        }
        fn description(&self) -> &str {
            "An alert topic"
        }
        fn build(&self, settings: &Settings) -> Result<Stack, SynthError> {
            let mut stack = new_stack(self, settings);
            stack.add("Alerts", Topic::new())?;
            if settings.environment == "prod" {
                stack.record_override("Alerts", "no encryption key");
            }
            Ok(stack)
        }
    }

    #[test]
    fn synthesis_carries_tags_description_stack_name_and_overrides() {
        let config = Config::builtin();
        let s = settings(&Alerts, &config, Some("prod")).expect("prod");
        let out = synthesize(&Alerts, s).expect("builds");
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
        let b: &dyn Blueprint = &Alerts;
        let s = settings(b, &Config::builtin(), None).expect("stage");
        assert_eq!(synthesize(b, s).expect("builds").stack_name, "alerts-stage");
    }

    #[test]
    fn stack_names_are_cut_to_the_cloudformation_limit() {
        assert_eq!(default_stack_name(&"a".repeat(200), "x").len(), 128);
    }
}
