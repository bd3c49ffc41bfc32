//! The generic part of one resolved environment, shared by every blueprint,
//! and the built-in `stage` and `prod` values of it.
//!
//! Owns what any architecture needs to know about where and how it is
//! deployed: the environment's name and base, the project, tags, AZ count,
//! region, deletion protection and template bucket, plus where each value
//! came from. What only one blueprint understands (instance types, group
//! sizes, databases, ...) is the blueprint's own typed section
//! (`super::section`). It does not read files (`super::file`) and does not
//! decide which layers apply (`super::resolve`). Values only known at deploy
//! time (AMI ids, admin CIDRs, certificates, e-mail addresses) are
//! deliberately absent: they are CloudFormation parameters, so one template
//! serves every account.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use indexmap::IndexMap;

use super::error::Location;

/// The most tags an environment may add to every resource: AWS allows 50
/// per resource, and hagen adds `Project`, `Environment` and, on some
/// resources, `Name`.
pub const MAX_TAGS: usize = 47;

/// The built-in environment an environment starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseEnvironment {
    /// Small, cheap, easy to tear down: deletion protection off, short backups.
    Stage,
    /// Larger instances and groups, deletion protection on, longer backups.
    Prod,
}

impl BaseEnvironment {
    /// Every built-in environment, in the order help text lists them.
    pub const ALL: [BaseEnvironment; 2] = [BaseEnvironment::Stage, BaseEnvironment::Prod];

    /// Its name (`stage`, `prod`).
    pub fn name(self) -> &'static str {
        match self {
            BaseEnvironment::Stage => "stage",
            BaseEnvironment::Prod => "prod",
        }
    }

    /// The built-in environment with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.name() == name)
    }
}

impl fmt::Display for BaseEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where one configured value was written: what errors caused by the value
/// point at, so that the user knows which line to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The value's place in the file.
    pub location: Location,
    /// The key as written, dotted from the top of the file
    /// (`environments.prod.blueprint.asg.min`, `tags.Team`).
    pub key: String,
    /// The value's bytes in the file, for the caret display.
    pub(crate) span: Range<usize>,
    /// How derived the layer that set it is: 0 the top level of the file,
    /// then each environment of the `extends` chain, the asked-for one last.
    pub(crate) rank: usize,
}

/// The generic part of an environment: what every blueprint shares.
///
/// Obtained from [`Config::resolve`](super::Config::resolve): the built-in
/// values of the base environment (see [`Environment::builtin`]), then each
/// `hagen.toml` layer. Fields are public so that blueprints read them
/// directly; [`Environment::origin`] says which values (these and the
/// blueprint's own, under `blueprint.`) came from the file, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// The environment's name (`stage`, `prod`, or a user-defined one).
    pub name: String,
    /// The built-in environment it derives from.
    pub base: BaseEnvironment,
    /// The project name: the `Project` tag and the stack name's prefix.
    pub project: String,
    /// How many availability zones to spread over.
    pub az_count: u8,
    /// The AWS region the stack is for, if the configuration says. `hagen
    /// deploy` and `diff` use it when neither `--region` nor `AWS_REGION`
    /// names one.
    pub region: Option<String>,
    /// Whether stateful resources (databases, load balancers, buckets)
    /// refuse deletion. A blueprint applies it to whatever it holds that a
    /// mistaken delete would lose.
    pub deletion_protection: bool,
    /// S3 bucket `hagen deploy` uploads templates over 51,200 bytes to,
    /// when `--bucket` is not given.
    pub template_bucket: Option<String>,
    /// Extra tags for every resource, after `Project` and `Environment`;
    /// at most [`MAX_TAGS`].
    pub tags: IndexMap<String, String>,
    /// The AWS account the environment belongs to, if the configuration
    /// pins one: `hagen deploy` and `diff` refuse to work on another.
    pub account: Option<String>,
    /// CloudFormation parameter values for this environment
    /// (`[environments.NAME.parameters]`): below `--parameters FILE` and
    /// `--parameter`, above the template's defaults.
    pub parameters: IndexMap<String, String>,
    /// Deploy monitors this environment adds to the template's own
    /// (`[environments.NAME.deploy_monitors]`): more alarms by logical ID,
    /// and a monitoring time in place of the template's.
    pub deploy_monitors: crate::deploy_monitors::DeployMonitors,
    /// Whether `hagen deploy` turns the stack's termination protection on
    /// unless `--no-termination-protection` says otherwise (`protect` in
    /// `hagen.toml`; on in the built-in `prod`), so that a production stack
    /// cannot be deleted by one mistaken command.
    pub protect: bool,
    /// The IAM role CloudFormation acts as for this environment's stack
    /// (`role_arn` in `hagen.toml`), when `--role-arn` is not given: the
    /// deploying user then needs only to pass that role, not every
    /// permission the stack's resources take.
    pub role_arn: Option<String>,
    pub(crate) origins: BTreeMap<String, Origin>,
    /// The blueprint section as it resolved, for quoting values in errors.
    pub(crate) blueprint_values: toml::Table,
}

impl Environment {
    /// The built-in generic values of a base environment, for a project.
    ///
    /// Both keep two AZs (the architecture's default; three is one line of
    /// configuration) and no region of their own; `prod` turns deletion
    /// protection on. A blueprint's own built-in values are its
    /// configuration type's [`defaults`](super::BlueprintConfig::defaults).
    pub fn builtin(base: BaseEnvironment, project: &str) -> Self {
        Environment {
            name: base.name().to_owned(),
            base,
            project: project.to_owned(),
            az_count: 2,
            region: None,
            deletion_protection: base == BaseEnvironment::Prod,
            template_bucket: None,
            tags: IndexMap::new(),
            account: None,
            parameters: IndexMap::new(),
            deploy_monitors: crate::deploy_monitors::DeployMonitors::default(),
            protect: base == BaseEnvironment::Prod,
            role_arn: None,
            origins: BTreeMap::new(),
            blueprint_values: toml::Table::new(),
        }
    }

    /// Where a value was set in the configuration file, by its key relative
    /// to the environment (`az_count`, `tags.CostCenter`,
    /// `blueprint.asg.min`), or `None` when it is a built-in default.
    pub fn origin(&self, key: &str) -> Option<&Origin> {
        self.origins.get(key)
    }

    /// Every value taken from the configuration file, by key, with where.
    pub fn origins(&self) -> impl Iterator<Item = (&str, &Origin)> {
        self.origins.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The key as the user writes it in `hagen.toml`: where it was set
    /// (`environments.prod.blueprint.asg.min` while building `perf`, which
    /// extends `prod`), else in this environment's table.
    pub fn toml_key(&self, key: &str) -> String {
        match self.origins.get(key) {
            Some(origin) => origin.key.clone(),
            None => format!("environments.{}.{key}", self.name),
        }
    }

    /// The table header a key is written under (`[environments.stage.blueprint.asg]`),
    /// for help text that says where to make a change: the table that set
    /// it, else this environment's.
    pub fn toml_table(&self, key: &str) -> String {
        let full = self.toml_key(key);
        match full.rsplit_once('.') {
            Some((table, _)) => format!("[{table}]"),
            None => "the top level".to_owned(),
        }
    }

    /// The value a key resolved to, written as TOML (`3`, `"t3.medium"`),
    /// when it has one.
    pub fn value_text(&self, key: &str) -> Option<String> {
        if let Some(rest) = key.strip_prefix("blueprint.") {
            let mut value: Option<&toml::Value> = None;
            let mut table = Some(&self.blueprint_values);
            for part in rest.split('.') {
                value = table?.get(part);
                table = value.and_then(toml::Value::as_table);
            }
            return value.map(|v| v.to_string());
        }
        let quoted = |s: &str| toml::Value::String(s.to_owned()).to_string();
        match key {
            "project" => Some(quoted(&self.project)),
            "az_count" => Some(self.az_count.to_string()),
            "region" => self.region.as_deref().map(quoted),
            "deletion_protection" => Some(self.deletion_protection.to_string()),
            "template_bucket" => self.template_bucket.as_deref().map(quoted),
            "account" => self.account.as_deref().map(quoted),
            "protect" => Some(self.protect.to_string()),
            "role_arn" => self.role_arn.as_deref().map(quoted),
            _ => match key.split_once('.') {
                Some(("tags", tag)) => self.tags.get(tag).map(|v| quoted(v)),
                Some(("parameters", name)) => self.parameters.get(name).map(|v| quoted(v)),
                _ => None,
            },
        }
    }

    /// Every tag for the stack, in order: `Project`, `Environment`, then the
    /// configured ones.
    pub fn stack_tags(&self) -> Vec<(String, String)> {
        let mut tags = vec![
            ("Project".to_owned(), self.project.clone()),
            ("Environment".to_owned(), self.name.clone()),
        ];
        tags.extend(self.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        tags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prod_is_protected_and_both_keep_two_azs() {
        let stage = Environment::builtin(BaseEnvironment::Stage, "p");
        let prod = Environment::builtin(BaseEnvironment::Prod, "p");
        assert_eq!((stage.az_count, prod.az_count), (2, 2));
        assert!(prod.deletion_protection && !stage.deletion_protection);
        assert!(prod.protect && !stage.protect, "prod's stack is protected");
        assert_eq!(prod.role_arn, None);
        assert_eq!(stage.region, None);
        assert_eq!(prod.name, "prod");
    }

    #[test]
    fn stack_tags_start_with_project_and_environment() {
        let mut e = Environment::builtin(BaseEnvironment::Stage, "swiftcode");
        e.tags.insert("CostCenter".into(), "42".into());
        let keys: Vec<_> = e.stack_tags().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["Project", "Environment", "CostCenter"]);
    }

    #[test]
    fn an_unset_key_is_written_in_the_environments_own_table() {
        let e = Environment::builtin(BaseEnvironment::Stage, "p");
        assert_eq!(
            e.toml_key("blueprint.asg.min"),
            "environments.stage.blueprint.asg.min"
        );
        assert_eq!(
            e.toml_table("blueprint.asg.min"),
            "[environments.stage.blueprint.asg]"
        );
        assert_eq!(e.toml_table("az_count"), "[environments.stage]");
        assert_eq!(e.value_text("az_count").as_deref(), Some("2"));
        assert_eq!(e.value_text("region"), None);
    }
}
