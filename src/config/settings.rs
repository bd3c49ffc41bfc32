//! The resolved settings of one environment, and the built-in `stage` and
//! `prod` defaults.
//!
//! Owns the values a blueprint builds from. It does not read files (that is
//! `super::file`) and does not decide which layers apply (`super::resolve`).
//! Values only known at deploy time (AMI id, admin CIDR, certificate ARN,
//! hosted zone, domain name, alert e-mail, key pair) are deliberately absent:
//! they are CloudFormation parameters, so one template serves every account.

use std::collections::BTreeMap;
use std::fmt;

use indexmap::IndexMap;
use ipnet::Ipv4Net;

pub use crate::constructs::database::DbEngine;
pub use crate::constructs::vpc::NatGateways;

use super::custom::Custom;
use super::error::Location;

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

/// Auto Scaling group capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsgSize {
    /// Fewest instances, also during a rolling update.
    pub min: u32,
    /// Instances at launch.
    pub desired: u32,
    /// Most instances scaling out may reach.
    pub max: u32,
}

/// Database settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSettings {
    /// Engine.
    pub engine: DbEngine,
    /// Instance class (`db.t4g.medium`).
    pub instance_class: String,
    /// Allocated storage in GiB.
    pub allocated_storage_gib: u32,
    /// Days automated backups are kept (1 to 35).
    pub backup_retention_days: u32,
}

/// Everything a blueprint needs to know about the environment it builds.
///
/// Obtained from [`Config::settings`](super::Config::settings): the built-in
/// defaults of the base environment, then each `hagen.toml` layer. Fields are
/// public so that blueprints read them directly; [`Settings::origin`] says
/// which ones came from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The environment's name (`stage`, `prod`, or a user-defined one).
    pub environment: String,
    /// The built-in environment it derives from.
    pub base: BaseEnvironment,
    /// The project name: the `Project` tag and the stack name's prefix.
    pub project: String,
    /// How many availability zones to spread over.
    pub az_count: u8,
    /// The VPC's IPv4 block.
    pub vpc_cidr: Ipv4Net,
    /// NAT gateway layout.
    pub nat: NatGateways,
    /// Instance type of the application instances.
    pub instance_type: String,
    /// Instance type of the bastion.
    pub bastion_instance_type: String,
    /// Auto Scaling group capacity.
    pub asg: AsgSize,
    /// Database settings.
    pub database: DatabaseSettings,
    /// Whether stateful resources (database, load balancer) refuse deletion.
    pub deletion_protection: bool,
    /// The site's domain name, used as the default of the domain-name
    /// parameter; the parameter can still be given at deploy time.
    pub domain: Option<String>,
    /// Extra tags for every resource, after `Project` and `Environment`.
    pub tags: IndexMap<String, String>,
    /// S3 bucket `hagen deploy` uploads templates over 51,200 bytes to,
    /// when `--bucket` is not given.
    pub template_bucket: Option<String>,
    /// The blueprint's own keys (`[environments.NAME.blueprint]`).
    pub custom: Custom,
    pub(crate) origins: BTreeMap<String, Location>,
}

impl Settings {
    /// The built-in settings of a base environment, for a project.
    ///
    /// Both keep two AZs (the architecture's default; three is one line of
    /// configuration) and a NAT gateway per AZ. `prod` gets larger instances
    /// and groups, deletion protection and month-long backups.
    pub fn builtin(base: BaseEnvironment, project: &str) -> Self {
        let (instance_type, asg, db_class, storage, backups, protect) = match base {
            BaseEnvironment::Stage => (
                "t3.medium",
                AsgSize {
                    min: 2,
                    desired: 2,
                    max: 6,
                },
                "db.t4g.medium",
                20,
                7,
                false,
            ),
            BaseEnvironment::Prod => (
                "m6i.large",
                AsgSize {
                    min: 4,
                    desired: 4,
                    max: 12,
                },
                "db.m6g.large",
                100,
                30,
                true,
            ),
        };
        Settings {
            environment: base.name().to_owned(),
            base,
            project: project.to_owned(),
            az_count: 2,
            vpc_cidr: Ipv4Net::new(std::net::Ipv4Addr::new(10, 0, 0, 0), 16)
                .unwrap_or_else(|e| unreachable!("/16 is a valid prefix: {e}")),
            nat: NatGateways::PerAz,
            instance_type: instance_type.to_owned(),
            bastion_instance_type: "t3.micro".to_owned(),
            asg,
            database: DatabaseSettings {
                engine: DbEngine::Postgres,
                instance_class: db_class.to_owned(),
                allocated_storage_gib: storage,
                backup_retention_days: backups,
            },
            deletion_protection: protect,
            domain: None,
            tags: IndexMap::new(),
            template_bucket: None,
            custom: Custom::default(),
            origins: BTreeMap::new(),
        }
    }

    /// Where a setting was set in the configuration file, by its key as
    /// written there (`asg.min`, `vpc_cidr`, `tags.CostCenter`), or `None`
    /// when it is a built-in default. Blueprints use it to point errors at
    /// the line to change.
    pub fn origin(&self, key: &str) -> Option<&Location> {
        self.origins.get(key)
    }

    /// Every setting taken from the configuration file, by key, with where.
    pub fn origins(&self) -> impl Iterator<Item = (&str, &Location)> {
        self.origins.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Every tag for the stack, in order: `Project`, `Environment`, then the
    /// configured ones.
    pub fn stack_tags(&self) -> Vec<(String, String)> {
        let mut tags = vec![
            ("Project".to_owned(), self.project.clone()),
            ("Environment".to_owned(), self.environment.clone()),
        ];
        tags.extend(self.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        tags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prod_is_larger_and_protected_but_keeps_two_azs() {
        let stage = Settings::builtin(BaseEnvironment::Stage, "p");
        let prod = Settings::builtin(BaseEnvironment::Prod, "p");
        assert_eq!(stage.az_count, 2);
        assert_eq!(prod.az_count, 2);
        assert!(prod.asg.min > stage.asg.min && prod.asg.max > stage.asg.max);
        assert!(prod.deletion_protection && !stage.deletion_protection);
        assert!(prod.database.backup_retention_days > stage.database.backup_retention_days);
        assert_eq!(
            stage.asg,
            AsgSize {
                min: 2,
                desired: 2,
                max: 6
            }
        );
    }

    #[test]
    fn stack_tags_start_with_project_and_environment() {
        let mut s = Settings::builtin(BaseEnvironment::Stage, "swiftcode");
        s.tags.insert("CostCenter".into(), "42".into());
        let keys: Vec<_> = s.stack_tags().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["Project", "Environment", "CostCenter"]);
    }
}
