//! Configuration: which environment to build and how it differs from the
//! built-in defaults.
//!
//! A blueprint runs with no configuration file at all (built-in `stage` and
//! `prod`). An optional `hagen.toml` (see `docs/config.md`) adjusts them and
//! defines more environments, each extending a built-in one. An environment
//! resolves to two parts: the generic [`Environment`] every blueprint
//! shares (name, project, tags, AZ count, region, deletion protection,
//! template bucket), and the blueprint's own typed section, read from
//! `[environments.NAME.blueprint]` into its [`BlueprintConfig`] type. Every
//! mistake in the file, in either part, is reported with its file, line and
//! key before anything is built.
//!
//! This module owns reading and layering settings. It must not hold values
//! only known at deploy time (AMI ids, CIDRs of admins, certificates, zones,
//! addresses, key pairs): those stay CloudFormation parameters.

mod environment;
mod error;
mod file;
mod resolve;
mod role_arn;
mod section;
mod suggest;

#[cfg(test)]
mod fuzz_tests;

use std::path::Path;

pub use environment::{BaseEnvironment, Environment, MAX_TAGS, Origin};
pub use error::{ConfigError, Location, Problem, Snippet};
pub use file::MAX_ENVIRONMENTS;
pub use role_arn::{MAX_ROLE_ARN, check as check_role_arn};
pub use section::{BlueprintConfig, ConfigIssue, KeyDefaults, key_defaults};
pub use suggest::did_you_mean;

use crate::input::ReadError;
use error::Source;
use file::FileConfig;

/// The file name looked for in the current directory when no `--config` is given.
pub const DEFAULT_FILE: &str = "hagen.toml";

/// The largest configuration file hagen reads: 1,000,000 bytes, a thousand
/// times a generous `hagen.toml`. Reading stops there, so `--config
/// /dev/zero` or an endless pipe is refused at once ([`ConfigError::TooLarge`]).
pub const MAX_FILE_BYTES: usize = 1_000_000;

/// One environment, resolved: the generic part and the blueprint's own
/// section, both with the file applied.
#[derive(Debug, Clone)]
pub struct Resolved<C> {
    /// The generic part, with where each value came from.
    pub environment: Environment,
    /// The blueprint's section, checked.
    pub config: C,
}

/// A loaded configuration: the built-in one, or a checked `hagen.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    source: Option<Source>,
    file: FileConfig,
}

impl Config {
    /// No file: the built-in `stage` and `prod` environments only.
    pub fn builtin() -> Self {
        Config {
            source: None,
            file: FileConfig::default(),
        }
    }

    /// Reads and checks a configuration file for a blueprint whose own
    /// section is of type `C` (its `blueprint` tables are checked against it).
    /// At most [`MAX_FILE_BYTES`] bytes are read, whatever the path names
    /// (a FIFO, `/dev/zero`): more is [`ConfigError::TooLarge`].
    pub fn load<C: BlueprintConfig>(path: &Path) -> Result<Self, ConfigError> {
        let bytes = match crate::input::read_file_limited(path, MAX_FILE_BYTES) {
            Ok(bytes) => bytes,
            Err(ReadError::TooLarge { size, .. }) => {
                return Err(ConfigError::TooLarge {
                    path: path.to_owned(),
                    bytes: size,
                });
            }
            Err(ReadError::Io(source)) => {
                return Err(ConfigError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let text = String::from_utf8(bytes).map_err(|_| ConfigError::Read {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the file is not UTF-8 text; save it as UTF-8",
            ),
        })?;
        Self::parse::<C>(path, text)
    }

    /// Checks configuration text for a blueprint whose own section is of
    /// type `C`; `path` names it in messages. Text over
    /// [`MAX_FILE_BYTES`] is [`ConfigError::TooLarge`].
    pub fn parse<C: BlueprintConfig>(
        path: &Path,
        text: impl Into<String>,
    ) -> Result<Self, ConfigError> {
        let text = text.into();
        if text.len() > MAX_FILE_BYTES {
            return Err(ConfigError::TooLarge {
                path: path.to_owned(),
                bytes: Some(text.len() as u64),
            });
        }
        let source = Source::new(path, text);
        let file = file::parse::<C>(&source)?;
        Ok(Config {
            source: Some(source),
            file,
        })
    }

    /// The configuration a command should use: `explicit` when given (it
    /// must exist), else `hagen.toml` in `dir` (`""` for the current
    /// directory, which keeps messages short) when there is one, else the
    /// built-in configuration.
    pub fn discover<C: BlueprintConfig>(
        explicit: Option<&Path>,
        dir: &Path,
    ) -> Result<Self, ConfigError> {
        if let Some(path) = explicit {
            return Self::load::<C>(path);
        }
        let candidate = dir.join(DEFAULT_FILE);
        if candidate.is_file() {
            Self::load::<C>(&candidate)
        } else {
            Ok(Self::builtin())
        }
    }

    /// The file this configuration came from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.source.as_ref().map(Source::path)
    }

    /// The environment used when none is asked for: the file's
    /// `default_environment`, else `stage`.
    pub fn default_environment(&self) -> &str {
        self.file
            .default_environment
            .as_ref()
            .map_or(BaseEnvironment::Stage.name(), |s| s.value.as_str())
    }

    /// Every environment that can be asked for: `stage`, `prod`, then the
    /// file's own, in file order.
    pub fn environments(&self) -> Vec<String> {
        resolve::environment_names(&self.file)
    }

    /// Resolves an environment (`None`: the default one): the generic part
    /// starts from `defaults` of its base environment, the blueprint's
    /// section from `C::defaults`, and the file's layers apply to both; then
    /// `C::check` runs, its issues placed at the lines that set the values.
    pub fn resolve<C: BlueprintConfig>(
        &self,
        environment: Option<&str>,
        defaults: &dyn Fn(BaseEnvironment) -> Environment,
    ) -> Result<Resolved<C>, ConfigError> {
        let name = environment.unwrap_or_else(|| self.default_environment());
        resolve::resolve(&self.file, self.source.as_ref(), name, defaults)
    }

    /// Resolves every environment the configuration defines (the built-in
    /// ones and the file's) and reports all their problems at once: what
    /// `C::check` finds in any of them, and broken `extends` chains, each
    /// once, in file order. What a command runs before building one
    /// environment, so that a mistake in `perf` is not news on the day
    /// `perf` is deployed.
    pub fn check_all<C: BlueprintConfig>(
        &self,
        defaults: &dyn Fn(BaseEnvironment) -> Environment,
    ) -> Result<(), ConfigError> {
        let mut problems: Vec<Problem> = Vec::new();
        for name in self.environments() {
            match self.resolve::<C>(Some(&name), defaults) {
                Ok(_) => {}
                Err(ConfigError::Invalid { problems: found }) => {
                    for p in found {
                        let seen = problems
                            .iter()
                            .any(|q| q.location == p.location && q.key == p.key);
                        if !seen {
                            problems.push(p);
                        }
                    }
                }
                Err(other) => return Err(other),
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        problems.sort_by_key(|p| p.location.as_ref().map(|l| (l.line, l.column)));
        Err(ConfigError::Invalid { problems })
    }

    /// A problem caused by resolved values, placed and worded for the user:
    /// at the line that set whichever of `keys` (relative to the
    /// environment: `az_count`, `blueprint.asg.min`) the most derived
    /// environment set, with the key as written and its value, or marked as
    /// a built-in default. What a blueprint's configuration error
    /// ([`SynthError::Config`](crate::error::SynthError::Config)) becomes.
    pub fn explain(
        &self,
        environment: &Environment,
        keys: &[String],
        message: &str,
        help: Option<&str>,
    ) -> Problem {
        resolve::explain(self.source.as_ref(), environment, keys, message, help)
    }
}

/// Where a configuration file path came from, for messages.
pub fn describe_source(config: &Config) -> String {
    match config.path() {
        Some(p) => p.display().to_string(),
        None => "built-in defaults (no hagen.toml)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    /// A blueprint section whose group minimum follows the AZ count.
    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Shop {
        instance_type: String,
        domain: Option<String>,
        asg: Asg,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Asg {
        min: u32,
        max: u32,
    }

    impl BlueprintConfig for Shop {
        fn defaults(env: &Environment) -> Self {
            let (instance_type, min, max) = match env.base {
                BaseEnvironment::Stage => ("t3.medium", 2, 6),
                BaseEnvironment::Prod => ("m6i.large", 4, 12),
            };
            Shop {
                instance_type: instance_type.into(),
                domain: None,
                asg: Asg {
                    min: min.max(u32::from(env.az_count)),
                    max,
                },
            }
        }

        fn check(&self, _env: &Environment) -> Vec<ConfigIssue> {
            let mut issues = Vec::new();
            if self.asg.min > self.asg.max {
                issues.push(
                    ConfigIssue::among(
                        ["blueprint.asg.min", "blueprint.asg.max"],
                        format!(
                            "min ({}) is greater than max ({})",
                            self.asg.min, self.asg.max
                        ),
                    )
                    .help("set min <= max"),
                );
            }
            issues
        }
    }

    fn defaults(base: BaseEnvironment) -> Environment {
        Environment::builtin(base, "shop")
    }

    fn config(text: &str) -> Config {
        Config::parse::<Shop>(Path::new("hagen.toml"), text).expect("valid config")
    }

    fn resolve(c: &Config, env: Option<&str>) -> Result<Resolved<Shop>, ConfigError> {
        c.resolve::<Shop>(env, &defaults)
    }

    #[test]
    fn no_file_gives_builtin_stage() {
        let r = resolve(&Config::builtin(), None).expect("stage exists");
        let builtin = Environment::builtin(BaseEnvironment::Stage, "shop");
        assert_eq!(
            (
                &r.environment.name,
                r.environment.base,
                r.environment.az_count
            ),
            (&builtin.name, builtin.base, builtin.az_count)
        );
        assert_eq!(r.config, Shop::defaults(&r.environment));
        assert_eq!(r.environment.origins().count(), 0);
    }

    #[test]
    fn an_environment_pins_its_account_and_gives_parameters_with_their_lines() {
        let c = config(
            "[environments.stage]\naccount = \"012345678901\"\n\n[environments.stage.parameters]\nImageId = \"ami-1\"\nDesiredCount = 3\nSubnets = [\"subnet-a\", \"subnet-b\"]\n\n[environments.qa]\nextends = \"stage\"\n[environments.qa.parameters]\nImageId = \"ami-2\"\n",
        );
        let stage = resolve(&c, Some("stage"))
            .expect("stage resolves")
            .environment;
        assert_eq!(stage.account.as_deref(), Some("012345678901"));
        assert_eq!(stage.parameters["ImageId"], "ami-1");
        assert_eq!(stage.parameters["DesiredCount"], "3");
        assert_eq!(stage.parameters["Subnets"], "subnet-a,subnet-b");
        let origin = stage.origin("parameters.ImageId").expect("from the file");
        assert_eq!(origin.location.line, 5);
        assert_eq!(origin.key, "environments.stage.parameters.ImageId");
        let qa = resolve(&c, Some("qa")).expect("qa resolves").environment;
        assert_eq!(qa.parameters["ImageId"], "ami-2", "the derived one wins");
        assert_eq!(qa.parameters["DesiredCount"], "3", "inherited");
        assert_eq!(qa.account.as_deref(), Some("012345678901"));
    }

    #[test]
    fn an_environment_adds_deploy_monitors_with_their_lines() {
        let c = config(
            "[environments.stage.deploy_monitors]\nalarms = [\"DbCpuAlarm\"]\nmonitoring_minutes = 20\n\n[environments.qa]\nextends = \"stage\"\n[environments.qa.deploy_monitors]\nmonitoring_minutes = 0\n",
        );
        let stage = resolve(&c, Some("stage")).expect("resolves").environment;
        assert_eq!(stage.deploy_monitors.alarms, ["DbCpuAlarm"]);
        assert_eq!(stage.deploy_monitors.monitoring_minutes, Some(20));
        let origin = stage
            .origin("deploy_monitors.alarms")
            .expect("from the file");
        assert_eq!((origin.location.line, origin.location.column), (2, 10));
        let qa = resolve(&c, Some("qa")).expect("resolves").environment;
        assert_eq!(qa.deploy_monitors.alarms, ["DbCpuAlarm"], "inherited");
        assert_eq!(qa.deploy_monitors.monitoring_minutes, Some(0), "overridden");
    }

    #[test]
    fn prod_is_built_in_too() {
        let r = resolve(&Config::builtin(), Some("prod")).expect("prod exists");
        assert!(r.environment.deletion_protection);
        assert!(
            r.environment.protect,
            "prod's stack gets termination protection"
        );
        assert_eq!(r.config.instance_type, "m6i.large");
    }

    #[test]
    fn protect_and_role_arn_are_inherited_and_overridden() {
        let c = config(
            "[environments.prod]\nrole_arn = \"arn:aws:iam::123456789012:role/deploy\"\n\
             [environments.perf]\nextends = \"prod\"\nprotect = false\n",
        );
        let perf = resolve(&c, Some("perf"))
            .expect("perf resolves")
            .environment;
        assert!(!perf.protect, "turned off in perf");
        assert_eq!(
            perf.role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/deploy"),
            "inherited from prod"
        );
        assert_eq!(
            perf.origin("protect").map(|o| o.key.as_str()),
            Some("environments.perf.protect")
        );
        let stage = resolve(&c, Some("stage")).expect("stage").environment;
        assert!(!stage.protect && stage.role_arn.is_none());
    }

    #[test]
    fn a_user_environment_extends_a_builtin_and_overrides_it() {
        let c = config(
            "default_environment = \"perf\"\n\
             [environments.perf]\nextends = \"prod\"\nregion = \"eu-west-1\"\n[environments.perf.blueprint.asg]\nmax = 20\n",
        );
        let r = resolve(&c, None).expect("perf resolves");
        let e = &r.environment;
        assert_eq!(e.name, "perf");
        assert_eq!(e.base, BaseEnvironment::Prod);
        assert!(e.deletion_protection, "inherited from prod");
        assert_eq!(e.region.as_deref(), Some("eu-west-1"));
        assert_eq!(r.config.asg, Asg { min: 4, max: 20 });
        let origin = e.origin("blueprint.asg.max").expect("set in the file");
        assert_eq!(origin.location.line, 6);
        assert_eq!(origin.key, "environments.perf.blueprint.asg.max");
        assert_eq!(e.origin("blueprint.asg.min"), None);
        assert_eq!(e.value_text("blueprint.asg.max").as_deref(), Some("20"));
    }

    #[test]
    fn an_environment_without_extends_starts_from_stage() {
        let c = config("[environments.dev]\n");
        let r = resolve(&c, Some("dev")).expect("dev resolves");
        assert_eq!(r.environment.base, BaseEnvironment::Stage);
        assert_eq!(r.environment.name, "dev");
    }

    #[test]
    fn the_blueprint_section_layers_key_by_key_top_level_then_the_chain() {
        let c = config(
            "[blueprint]\ndomain = \"example.com\"\ninstance_type = \"m6i.xlarge\"\n\
             [environments.a]\nextends = \"prod\"\naz_count = 3\n\
             [environments.a.blueprint]\ninstance_type = \"m6i.2xlarge\"\n\
             [environments.b]\nextends = \"a\"\n[environments.b.blueprint.asg]\nmax = 30\n\
             [environments.prod.blueprint.asg]\nmax = 16\n",
        );
        let r = resolve(&c, Some("b")).expect("b resolves");
        assert_eq!(
            r.config.instance_type, "m6i.2xlarge",
            "a wins over the top level"
        );
        assert_eq!(
            r.config.domain.as_deref(),
            Some("example.com"),
            "from the top level"
        );
        assert_eq!(r.config.asg, Asg { min: 4, max: 30 }, "b wins over prod");
        assert_eq!(r.environment.az_count, 3);
        let prod = resolve(&c, Some("prod")).expect("prod resolves");
        assert_eq!(prod.config.instance_type, "m6i.xlarge");
        assert_eq!(prod.config.asg.max, 16);
        let stage = resolve(&c, Some("stage")).expect("stage resolves");
        assert_eq!(stage.config.asg, Asg { min: 2, max: 6 }, "untouched");
    }

    #[test]
    fn blueprint_defaults_follow_the_generic_values_unless_the_file_sets_them() {
        let c = config(
            "[environments.stage]\naz_count = 3\n[environments.prod]\naz_count = 5\n[environments.prod.blueprint.asg]\nmin = 6\n",
        );
        let stage = resolve(&c, Some("stage")).expect("stage resolves");
        assert_eq!(stage.config.asg.min, 3, "follows az_count");
        let prod = resolve(&c, Some("prod")).expect("prod resolves");
        assert_eq!(prod.config.asg.min, 6, "the file wins");
    }

    #[test]
    fn an_unknown_environment_suggests_the_closest() {
        let err = resolve(&config("[environments.perf]\n"), Some("pref")).expect_err("unknown");
        let text = err.to_string();
        assert!(text.contains("did you mean `perf`?"), "{text}");
        assert!(text.contains("stage, prod, perf"), "{text}");
    }

    #[test]
    fn an_extends_cycle_is_reported_at_the_extends_line() {
        let c = config("[environments.a]\nextends = \"b\"\n[environments.b]\nextends = \"a\"\n");
        let err = resolve(&c, Some("a")).expect_err("cycle");
        let p = &err.problems()[0];
        assert!(p.message.contains("a -> b -> a"), "{}", p.message);
        assert_eq!(p.location.as_ref().map(|l| l.line), Some(4));
    }

    #[test]
    fn extending_an_unknown_environment_points_at_extends() {
        let c = config("[environments.a]\nextends = \"prdo\"\n");
        let err = resolve(&c, Some("a")).expect_err("unknown parent");
        let p = &err.problems()[0];
        assert_eq!(p.location.as_ref().map(|l| l.line), Some(2));
        assert_eq!(p.key.as_deref(), Some("environments.a.extends"));
        assert!(p.help.as_deref().is_some_and(|h| h.contains("`prod`")));
    }

    #[test]
    fn check_issues_are_placed_at_the_most_derived_key_involved() {
        let c = config(
            "[environments.prod.blueprint.asg]\nmax = 3\n\
             [environments.perf]\nextends = \"prod\"\n[environments.perf.blueprint.asg]\nmin = 5\n",
        );
        let err = resolve(&c, Some("prod")).expect_err("min 4 > max 3");
        let p = &err.problems()[0];
        assert_eq!(
            p.key.as_deref(),
            Some("environments.prod.blueprint.asg.max")
        );
        assert_eq!(p.value.as_deref(), Some("3"));
        assert_eq!(
            p.location.as_ref().map(|l| (l.line, l.column)),
            Some((2, 7))
        );
        assert!(p.to_string().starts_with(
            "hagen.toml:2:7: `environments.prod.blueprint.asg.max` = 3: min (4) is greater than max (3)"
        ));
        let err = resolve(&c, Some("perf")).expect_err("min 5 > max 3");
        let p = &err.problems()[0];
        assert_eq!(
            p.key.as_deref(),
            Some("environments.perf.blueprint.asg.min"),
            "perf's own line"
        );
        // stage is untouched by prod's table
        assert!(resolve(&c, Some("stage")).is_ok());
    }

    #[test]
    fn checking_every_environment_reports_each_problem_once_in_file_order() {
        let c = config(
            "[blueprint.asg]\nmax = 1\n\
             [environments.perf]\nextends = \"prod\"\n[environments.perf.blueprint.asg]\nmin = 9\nmax = 8\n",
        );
        let err = c.check_all::<Shop>(&defaults).expect_err("two problems");
        let keys: Vec<_> = err
            .problems()
            .iter()
            .filter_map(|p| p.key.clone())
            .collect();
        assert_eq!(
            keys,
            ["blueprint.asg.max", "environments.perf.blueprint.asg.min"],
            "the top-level max breaks stage and prod alike, reported once"
        );
        assert!(
            config("[environments.perf]\nextends = \"prod\"\n")
                .check_all::<Shop>(&defaults)
                .is_ok()
        );
    }

    #[test]
    fn a_problem_with_a_built_in_value_says_so_and_names_the_table_to_set_it_in() {
        let r = resolve(&Config::builtin(), Some("stage")).expect("stage");
        let p = Config::builtin().explain(
            &r.environment,
            &["blueprint.asg.min".to_owned()],
            "too small",
            Some("raise it"),
        );
        assert_eq!(p.location, None);
        assert_eq!(
            p.to_string(),
            "`environments.stage.blueprint.asg.min` = 2 (built-in default): too small\n  = help: raise it"
        );
    }

    /// Regression (hostile input, tags): 60,000 tags in an 800 KB file
    /// went onto every resource, and `hagen synth` built a 3 GB template
    /// in 18 s. An environment adds at most MAX_TAGS tags.
    #[test]
    fn more_tags_than_aws_allows_are_refused_at_the_last_layer() {
        let mut text = String::from("[tags]\n");
        for i in 0..40 {
            text.push_str(&format!("T{i} = \"v\"\n"));
        }
        text.push_str("[environments.prod.tags]\n");
        for i in 40..=MAX_TAGS {
            text.push_str(&format!("T{i} = \"v\"\n"));
        }
        let c = config(&text);
        // stage has 40 of them; prod one more than allowed.
        assert!(resolve(&c, Some("stage")).is_ok());
        let err = resolve(&c, Some("prod")).expect_err("48 tags");
        let p = &err.problems()[0];
        assert_eq!(
            p.message,
            "environment `prod` has 48 tags; AWS allows 50 per resource and hagen adds Project, Environment and Name, so at most 47 of yours"
        );
        assert_eq!(p.key.as_deref(), Some("environments.prod.tags.T40"));
        assert_eq!(p.location.as_ref().map(|l| l.line), Some(43));
    }

    /// Regression (hostile input, no size limit before reading):
    /// `--config /dev/zero` grew until allocation failed. At most
    /// MAX_FILE_BYTES + 1 bytes are read.
    #[test]
    fn a_configuration_file_over_the_limit_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hagen.toml");
        std::fs::write(&path, "#".repeat(MAX_FILE_BYTES + 1)).unwrap();
        let err = Config::load::<Shop>(&path).expect_err("too large");
        assert!(matches!(
            err,
            ConfigError::TooLarge {
                bytes: Some(1_000_001),
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            format!(
                "configuration file {} is 1000001 bytes; hagen reads at most 1000000 bytes of configuration: give the path of a hagen.toml (see docs/config.md)",
                path.display()
            )
        );
        #[cfg(unix)]
        {
            let err = Config::load::<Shop>(Path::new("/dev/zero")).expect_err("endless");
            assert_eq!(
                err.to_string(),
                "configuration file /dev/zero is more than 1000000 bytes (reading stopped there); hagen reads at most 1000000 bytes of configuration: give the path of a hagen.toml (see docs/config.md)"
            );
        }
        let err = Config::parse::<Shop>(Path::new("x.toml"), "#".repeat(MAX_FILE_BYTES + 1))
            .expect_err("too large");
        assert!(matches!(err, ConfigError::TooLarge { .. }));
        // Exactly the limit is read.
        std::fs::write(&path, "#".repeat(MAX_FILE_BYTES)).unwrap();
        assert!(Config::load::<Shop>(&path).is_ok());
    }

    #[test]
    fn a_configuration_file_that_is_not_utf8_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hagen.toml");
        std::fs::write(&path, b"project = \"caf\xe9\"\n").unwrap();
        let err = Config::load::<Shop>(&path).expect_err("not UTF-8");
        assert!(
            err.to_string()
                .ends_with("the file is not UTF-8 text; save it as UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn tags_merge_top_level_then_environment() {
        let c = config(
            "project = \"shop\"\n[tags]\nTeam = \"web\"\nCost = \"1\"\n[environments.prod.tags]\nCost = \"2\"\n",
        );
        let r = resolve(&c, Some("prod")).expect("prod");
        assert_eq!(r.environment.project, "shop");
        assert_eq!(
            r.environment.stack_tags(),
            vec![
                ("Project".to_owned(), "shop".to_owned()),
                ("Environment".to_owned(), "prod".to_owned()),
                ("Team".to_owned(), "web".to_owned()),
                ("Cost".to_owned(), "2".to_owned()),
            ]
        );
        assert_eq!(
            r.environment.origin("tags.Cost").map(|o| o.key.as_str()),
            Some("environments.prod.tags.Cost")
        );
    }
}
