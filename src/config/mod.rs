//! Configuration: which environment to build and how it differs from the
//! built-in defaults.
//!
//! A blueprint runs with no configuration file at all (built-in `stage` and
//! `prod`). An optional `hagen.toml` (see `docs/config.md`) adjusts them and
//! defines more environments, each extending a built-in one. Every mistake in
//! the file is reported with its file, line and key before anything is built.
//!
//! This module owns reading and layering settings. It must not hold values
//! only known at deploy time (AMI ids, CIDRs of admins, certificates, zones,
//! addresses, key pairs): those stay CloudFormation parameters.

mod custom;
mod error;
mod file;
mod resolve;
mod settings;
mod suggest;

use std::path::Path;

pub use custom::{Custom, CustomKey, CustomKind, CustomValue};
pub use error::{ConfigError, Location, Problem, Snippet};
pub use settings::{AsgSize, BaseEnvironment, DatabaseSettings, DbEngine, NatGateways, Settings};
pub use suggest::did_you_mean;

use error::Source;
use file::FileConfig;

/// The file name looked for in the current directory when no `--config` is given.
pub const DEFAULT_FILE: &str = "hagen.toml";

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

    /// Reads and checks a configuration file. `custom_keys` are the keys the
    /// blueprint accepts in `[environments.NAME.blueprint]`.
    pub fn load(path: &Path, custom_keys: &[CustomKey]) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, text, custom_keys)
    }

    /// Checks configuration text; `path` names it in messages.
    pub fn parse(
        path: &Path,
        text: impl Into<String>,
        custom_keys: &[CustomKey],
    ) -> Result<Self, ConfigError> {
        let source = Source::new(path, text.into());
        let file = file::parse(&source, custom_keys)?;
        Ok(Config {
            source: Some(source),
            file,
        })
    }

    /// The configuration a command should use: `explicit` when given (it
    /// must exist), else `hagen.toml` in `dir` (`""` for the current
    /// directory, which keeps messages short) when there is one, else the
    /// built-in configuration.
    pub fn discover(
        explicit: Option<&Path>,
        dir: &Path,
        custom_keys: &[CustomKey],
    ) -> Result<Self, ConfigError> {
        if let Some(path) = explicit {
            return Self::load(path, custom_keys);
        }
        let candidate = dir.join(DEFAULT_FILE);
        if candidate.is_file() {
            Self::load(&candidate, custom_keys)
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

    /// The settings of an environment (`None`: the default one), starting
    /// from `defaults` of its base environment and applying the file.
    pub fn settings(
        &self,
        environment: Option<&str>,
        defaults: &dyn Fn(BaseEnvironment) -> Settings,
    ) -> Result<Settings, ConfigError> {
        let name = environment.unwrap_or_else(|| self.default_environment());
        resolve::resolve(&self.file, self.source.as_ref(), name, defaults)
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

    fn defaults(base: BaseEnvironment) -> Settings {
        Settings::builtin(base, "swiftcode")
    }

    fn config(text: &str) -> Config {
        Config::parse(Path::new("hagen.toml"), text, &[]).expect("valid config")
    }

    #[test]
    fn no_file_gives_builtin_stage() {
        let s = Config::builtin()
            .settings(None, &defaults)
            .expect("stage exists");
        assert_eq!(s, Settings::builtin(BaseEnvironment::Stage, "swiftcode"));
        assert_eq!(s.origins().count(), 0);
    }

    #[test]
    fn prod_is_built_in_too() {
        let s = Config::builtin()
            .settings(Some("prod"), &defaults)
            .expect("prod exists");
        assert!(s.deletion_protection);
    }

    #[test]
    fn a_user_environment_extends_a_builtin_and_overrides_it() {
        let c = config(
            "default_environment = \"perf\"\n\
             [environments.perf]\nextends = \"prod\"\nnat = \"single\"\n[environments.perf.asg]\nmax = 20\n",
        );
        let s = c.settings(None, &defaults).expect("perf resolves");
        assert_eq!(s.environment, "perf");
        assert_eq!(s.base, BaseEnvironment::Prod);
        assert!(s.deletion_protection, "inherited from prod");
        assert_eq!(s.nat, NatGateways::Single);
        assert_eq!(
            s.asg,
            AsgSize {
                min: 4,
                desired: 4,
                max: 20
            }
        );
        assert_eq!(s.origin("asg.max").map(|l| l.line), Some(6));
        assert_eq!(s.origin("asg.min"), None);
    }

    #[test]
    fn an_environment_without_extends_starts_from_stage() {
        let c = config("[environments.dev]\n");
        let s = c.settings(Some("dev"), &defaults).expect("dev resolves");
        assert_eq!(s.base, BaseEnvironment::Stage);
        assert_eq!(s.environment, "dev");
    }

    #[test]
    fn chains_apply_the_most_derived_last() {
        let c = config(
            "[environments.a]\nextends = \"prod\"\ninstance_type = \"m6i.xlarge\"\naz_count = 3\n\
             [environments.b]\nextends = \"a\"\ninstance_type = \"m6i.2xlarge\"\n\
             [environments.prod]\naz_count = 2\ndomain = \"example.com\"\n",
        );
        let s = c.settings(Some("b"), &defaults).expect("b resolves");
        assert_eq!(s.instance_type, "m6i.2xlarge");
        assert_eq!(s.az_count, 3);
        assert_eq!(s.domain.as_deref(), Some("example.com"));
    }

    #[test]
    fn an_unknown_environment_suggests_the_closest() {
        let err = config("[environments.perf]\n")
            .settings(Some("pref"), &defaults)
            .expect_err("unknown");
        let text = err.to_string();
        assert!(text.contains("did you mean `perf`?"), "{text}");
        assert!(text.contains("stage, prod, perf"), "{text}");
    }

    #[test]
    fn an_extends_cycle_is_reported_at_the_extends_line() {
        let c = config("[environments.a]\nextends = \"b\"\n[environments.b]\nextends = \"a\"\n");
        let err = c.settings(Some("a"), &defaults).expect_err("cycle");
        let p = &err.problems()[0];
        assert!(p.message.contains("a -> b -> a"), "{}", p.message);
        assert_eq!(p.location.line, 4);
    }

    #[test]
    fn extending_an_unknown_environment_points_at_extends() {
        let c = config("[environments.a]\nextends = \"prdo\"\n");
        let err = c
            .settings(Some("a"), &defaults)
            .expect_err("unknown parent");
        let p = &err.problems()[0];
        assert_eq!(p.location.line, 2);
        assert_eq!(p.key.as_deref(), Some("environments.a.extends"));
        assert!(p.help.as_deref().is_some_and(|h| h.contains("`prod`")));
    }

    #[test]
    fn asg_bounds_are_checked_after_layering() {
        let c = config("[environments.prod.asg]\nmax = 3\n");
        let err = c
            .settings(Some("prod"), &defaults)
            .expect_err("min 4 > max 3");
        let p = &err.problems()[0];
        assert_eq!(p.key.as_deref(), Some("environments.prod.asg.max"));
        assert_eq!(p.location.line, 2);
        // stage is untouched by prod's table
        assert!(c.settings(Some("stage"), &defaults).is_ok());
    }

    #[test]
    fn tags_merge_top_level_then_environment() {
        let c = config(
            "project = \"shop\"\n[tags]\nTeam = \"web\"\nCost = \"1\"\n[environments.prod.tags]\nCost = \"2\"\n",
        );
        let s = c.settings(Some("prod"), &defaults).expect("prod");
        assert_eq!(s.project, "shop");
        assert_eq!(
            s.stack_tags(),
            vec![
                ("Project".to_owned(), "shop".to_owned()),
                ("Environment".to_owned(), "prod".to_owned()),
                ("Team".to_owned(), "web".to_owned()),
                ("Cost".to_owned(), "2".to_owned()),
            ]
        );
    }
}
