//! The template and parameter flags `deploy` and `diff` share
//! (`--template FILE`, `--parameters FILE`), and the gathering of
//! parameters and tags from `hagen.toml`, files and flags into the values a
//! change set sends.
//!
//! Thin over `crate::deploy::inputs` (file shapes, precedence, unknown
//! keys): this module reads the files the flags name and turns the
//! environment's configured values into sourced ones.

use std::path::PathBuf;

use clap::Args;
use indexmap::IndexMap;

use crate::config::Environment;
use crate::deploy::DeployError;
use crate::deploy::context::Pins;
use crate::deploy::inputs::{self, InputError, Source, Sourced};
use crate::deploy::params;
use crate::template::Template;

/// `--template FILE` and `--parameters FILE`, shared by `deploy` and `diff`.
#[derive(Debug, Clone, Default, Args)]
pub struct TemplateArgs {
    /// Any CloudFormation template (JSON or YAML; - for standard input)
    /// instead of the blueprint's. Checked first, as `hagen validate`
    /// checks it: errors refuse, and nothing reaches AWS. The stack name
    /// defaults to the file name without extension (web-stage.yaml:
    /// web-stage).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Parameter values from a JSON or YAML file; repeatable (later files
    /// win). The AWS CLI's [{"ParameterKey": "K", "ParameterValue": "V"}],
    /// a list of "K=V" strings, or a map K: V. --parameter wins over files,
    /// files over [environments.NAME.parameters] in hagen.toml.
    #[arg(long = "parameters", value_name = "FILE")]
    pub parameter_files: Vec<PathBuf>,
}

/// `--tag` and `--tags FILE` for `diff` (`deploy` has its own, beside its
/// other stack options).
#[derive(Debug, Clone, Default, Args)]
pub struct TagArgs {
    /// A stack tag; repeatable. With any tag given (here, in a file, or in
    /// hagen.toml for --template), the stack's tags are compared with them.
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Stack tags from a JSON or YAML file; repeatable. The AWS CLI's
    /// [{"Key": "K", "Value": "V"}], a list of "K=V" strings, or a map K: V.
    #[arg(long = "tags", value_name = "FILE")]
    pub tag_files: Vec<PathBuf>,
}

/// What the environment in `hagen.toml` gives `deploy` and `diff`: its
/// parameter values, its tags (stack tags for a `--template` deploy), and
/// the account and region it pins.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentInputs {
    /// `[environments.NAME.parameters]`, each with its place in the file.
    pub parameters: Vec<(String, Sourced)>,
    /// Stack tags from the configuration (empty for the blueprint, which
    /// puts them on every resource itself).
    pub tags: Vec<(String, Sourced)>,
    /// The account and region the environment is for.
    pub pins: Pins,
    /// Deploy monitors the environment adds
    /// (`[environments.NAME.deploy_monitors]`).
    pub monitors: crate::deploy::triggers::MonitorSettings,
}

impl EnvironmentInputs {
    /// The inputs of a resolved environment. `stack_tags`: whether its
    /// tags become stack tags (a `--template` deploy).
    pub fn of(env: &Environment, stack_tags: bool) -> Self {
        let sourced = |prefix: &str, key: &str, value: &str| Sourced {
            value: Some(value.to_owned()),
            source: match env.origin(&format!("{prefix}.{key}")) {
                Some(o) => Source::Config {
                    place: o.location.to_string(),
                    key: o.key.clone(),
                },
                None => Source::Config {
                    place: "hagen.toml".into(),
                    key: format!("{prefix}.{key}"),
                },
            },
        };
        let place = |key: &str| env.origin(key).map(|o| o.location.to_string());
        EnvironmentInputs {
            parameters: env
                .parameters
                .iter()
                .map(|(k, v)| (k.clone(), sourced("parameters", k, v)))
                .collect(),
            tags: if stack_tags {
                env.tags
                    .iter()
                    .map(|(k, v)| (k.clone(), sourced("tags", k, v)))
                    .collect()
            } else {
                Vec::new()
            },
            pins: Pins {
                account: env.account.clone(),
                region: env.region.clone(),
                account_origin: place("account"),
                region_origin: place("region"),
                environment: Some(env.name.clone()),
            },
            monitors: crate::deploy::triggers::MonitorSettings {
                extra_alarms: env.deploy_monitors.alarms.clone(),
                monitoring_minutes: env.deploy_monitors.monitoring_minutes,
                disabled: false,
                origin: place("deploy_monitors.alarms"),
            },
        }
    }
}

/// Parameters or tags gathered from every source, with where each came from.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    /// By key, the winning value.
    pub values: IndexMap<String, Sourced>,
    /// Whether any source gave any (tags: without any, an update keeps the
    /// stack's).
    pub any: bool,
}

impl Gathered {
    /// The values to send.
    pub fn values(&self) -> IndexMap<String, String> {
        inputs::values(&self.values)
    }
}

/// Gathers parameters: `hagen.toml`, then each file in order, then the
/// `--parameter` flags.
pub fn parameters(
    configured: &[(String, Sourced)],
    files: &[PathBuf],
    flags: &[String],
) -> Result<Gathered, DeployError> {
    gather(
        configured,
        files,
        flags,
        "--parameter",
        inputs::parse_parameters_file,
    )
}

/// Gathers tags: `hagen.toml` (for a `--template` deploy), then each file
/// in order, then the `--tag` flags.
pub fn tags(
    configured: &[(String, Sourced)],
    files: &[PathBuf],
    flags: &[String],
) -> Result<Gathered, DeployError> {
    gather(configured, files, flags, "--tag", inputs::parse_tags_file)
}

type FileParser = fn(&str, &str) -> Result<Vec<(String, Sourced)>, InputError>;

fn gather(
    configured: &[(String, Sourced)],
    files: &[PathBuf],
    flags: &[String],
    flag: &'static str,
    parse: FileParser,
) -> Result<Gathered, DeployError> {
    let mut layers = vec![configured.to_vec()];
    for path in files {
        let read = inputs::read_input_file(path)
            .and_then(|text| parse(&path.display().to_string(), &text))?;
        layers.push(read);
    }
    let pairs = params::parse_pairs(flag, flags)?;
    layers.push(inputs::from_flags(flag, &pairs));
    let any = layers.iter().any(|l| !l.is_empty());
    Ok(Gathered {
        values: inputs::layer(layers),
        any,
    })
}

/// Refuses parameters the template does not declare, naming where each
/// was written.
pub fn check_parameters(template: &Template, gathered: &Gathered) -> Result<(), DeployError> {
    Ok(inputs::check_known(template, &gathered.values)?)
}
