//! A blueprint of your own, with the whole `hagen` command line.
//!
//! `ReportingDatabase` is a Multi-AZ PostgreSQL database for reporting
//! tools, in its own network, with alarms by e-mail. It is written against
//! hagen's public DSL only, exactly as it would be in your own crate, and
//! `main` hands it to `hagen::cli::main`, which provides `synth` (and the
//! other subcommands) with the same options, configuration and exit codes
//! as the `hagen` binary, under its own name, version and keys:
//!
//! ```text
//! cargo run --example custom_blueprint -- synth
//! cargo run --example custom_blueprint -- synth --env prod -o reporting.yaml
//! cargo run --example custom_blueprint -- --help
//! ```
//!
//! Its own `hagen.toml` keys are [`ReportsConfig`]:
//!
//! ```toml
//! [environments.prod.blueprint]
//! database_name = "analytics"
//! allocated_storage = 200
//! ```

use std::process::ExitCode;

use hagen::blueprint::{self, Blueprint};
use hagen::config::{BaseEnvironment, BlueprintConfig, ConfigIssue, Environment};
use hagen::constructs::SubnetKind;
use hagen::constructs::alert_topic::{AlertTopic, AlertTopicProps};
use hagen::constructs::database::{Database, DatabaseProps, DbEngine, EnhancedMonitoring};
use hagen::constructs::security_group::{Peer, SecurityGroup, Traffic};
use hagen::constructs::vpc::{SubnetGroup, Vpc, VpcProps};
use hagen::error::SynthError;
use hagen::resources::iam::{Role, aws_managed_policy_arn, service_trust_policy};
use hagen::stack::Stack;
use hagen::template::{Output, Parameter};
use serde::{Deserialize, Serialize};

/// The blueprint: no state; everything it varies on comes from the
/// environment and its [`ReportsConfig`].
pub struct ReportingDatabase;

/// This blueprint's own keys in `[environments.NAME.blueprint]` of
/// `hagen.toml`. Unknown keys, wrong types and the problems
/// [`check`](BlueprintConfig::check) finds are reported with file, line
/// and key; `--help` lists the keys with their built-in values.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportsConfig {
    /// The database created at launch.
    pub database_name: String,
    /// RDS instance class.
    pub instance_class: String,
    /// Allocated storage in GiB.
    pub allocated_storage: u32,
}

impl BlueprintConfig for ReportsConfig {
    /// The built-in values, written once: small for `stage`, larger for `prod`.
    fn defaults(env: &Environment) -> Self {
        let (instance_class, allocated_storage) = match env.base {
            BaseEnvironment::Stage => ("db.t4g.medium", 20),
            BaseEnvironment::Prod => ("db.m6g.large", 100),
        };
        ReportsConfig {
            database_name: "reports".to_owned(),
            instance_class: instance_class.to_owned(),
            allocated_storage,
        }
    }

    /// What RDS would refuse, reported at the line that set it.
    fn check(&self, _env: &Environment) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        let name = &self.database_name;
        let identifier = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.len() <= 63;
        if !identifier {
            issues.push(
                ConfigIssue::new(
                    "blueprint.database_name",
                    format!("\"{name}\" is not a PostgreSQL database name"),
                )
                .help("start with a letter; use letters, digits and '_' only, at most 63"),
            );
        }
        let class: Vec<&str> = self.instance_class.split('.').collect();
        let class_ok = class.len() == 3
            && class[0] == "db"
            && class[1..].iter().all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        if !class_ok {
            issues.push(
                ConfigIssue::new(
                    "blueprint.instance_class",
                    format!("\"{}\" is not an RDS instance class", self.instance_class),
                )
                .help("write it as db.family.size, for example \"db.t4g.medium\""),
            );
        }
        if !(20..=65_536).contains(&self.allocated_storage) {
            issues.push(ConfigIssue::new(
                "blueprint.allocated_storage",
                format!("{} GiB is outside 20 to 65536 GiB", self.allocated_storage),
            ));
        }
        issues
    }
}

impl Blueprint for ReportingDatabase {
    type Config = ReportsConfig;

    fn name(&self) -> &str {
        "reporting"
    }

    fn description(&self) -> &str {
        "A Multi-AZ PostgreSQL database for reporting tools, alarms by e-mail"
    }

    /// The program's name in `--help`, `--version` and printed commands:
    /// this example's binary.
    fn command_name(&self) -> &str {
        "custom_blueprint"
    }

    fn version(&self) -> Option<&str> {
        Some(env!("CARGO_PKG_VERSION"))
    }

    fn build(&self, env: &Environment, config: &ReportsConfig) -> Result<Stack, SynthError> {
        // Description and the Project/Environment (and configured) tags.
        let mut stack = blueprint::new_stack(self, env);

        // Values only known at deploy time are parameters.
        let email = stack.parameter(
            "AlertEmail",
            Parameter {
                param_type: "String".into(),
                description: Some("Where database alarms are e-mailed".into()),
                allowed_pattern: Some(r"^[^@\s]+@[^@\s]+\.[^@\s]+$".into()),
                ..Parameter::default()
            },
        )?;

        // A network with private subnets for the reporting tools and
        // isolated ones for the database, over the environment's AZs.
        let vpc = Vpc::new(
            &mut stack,
            "Network",
            VpcProps {
                az_count: usize::from(env.az_count),
                subnet_groups: vec![
                    SubnetGroup::new(SubnetKind::Public, 26),
                    SubnetGroup::new(SubnetKind::Private, 22),
                    SubnetGroup::new(SubnetKind::Isolated, 26),
                ],
                ..VpcProps::default()
            },
        )?;

        // The tools run in the private subnets; the database admits them only.
        let db_group = SecurityGroup::new(&mut stack, "Db", &vpc, "Reporting database")?;
        for (n, cidr) in vpc
            .subnet_cidrs(SubnetKind::Private)
            .into_iter()
            .enumerate()
        {
            db_group.allow_from(
                &mut stack,
                &Peer::ipv4(&format!("Tools{}", n + 1), cidr.to_string()),
                Traffic::tcp(DbEngine::Postgres.default_port()),
                "Reporting tools in a private subnet",
            )?;
        }

        let alerts = AlertTopic::new(
            &mut stack,
            "Alerts",
            &AlertTopicProps::new(email.reference()),
        )?;

        let isolated: Vec<_> = vpc
            .subnets(SubnetKind::Isolated)
            .into_iter()
            .cloned()
            .collect();
        let mut props =
            DatabaseProps::new(&isolated, db_group.handle().clone(), alerts.topic.clone());
        props.engine = DbEngine::Postgres;
        props.instance_class = config.instance_class.clone();
        props.allocated_storage_gib = config.allocated_storage;
        // Storage autoscaling up to five times the allocation.
        props.max_allocated_storage_gib = Some(config.allocated_storage.saturating_mul(5));
        props.backup_retention_days = match env.base {
            BaseEnvironment::Stage => 7,
            BaseEnvironment::Prod => 30,
        };
        props.deletion_protection = env.deletion_protection;
        props.database_name = Some(config.database_name.clone());
        // OS metrics every minute, through a role RDS assumes.
        let monitoring = stack.add(
            "ReportsMonitoringRole",
            Role::new(service_trust_policy("monitoring.rds.amazonaws.com")).managed_policy_arns(
                vec![aws_managed_policy_arn(
                    "service-role/AmazonRDSEnhancedMonitoringRole",
                )],
            ),
        )?;
        props.enhanced_monitoring = Some(EnhancedMonitoring {
            role_arn: monitoring.arn().into(),
            interval_seconds: 60,
        });
        let db = Database::new(&mut stack, "Reports", &props)?;

        stack.output(
            "DatabaseEndpoint",
            Output {
                description: Some("Host name the reporting tools connect to".into()),
                value: db.endpoint_address().into(),
                export_name: None,
                condition: None,
            },
        )?;
        stack.output(
            "DatabaseSecretArn",
            Output {
                description: Some("Secrets Manager secret with the master credentials".into()),
                value: db.secret_arn().into(),
                export_name: None,
                condition: None,
            },
        )?;
        Ok(stack)
    }
}

fn main() -> ExitCode {
    hagen::cli::main(ReportingDatabase)
}
