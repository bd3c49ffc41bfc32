//! A blueprint of your own, with the whole `hagen` command line.
//!
//! `ReportingDatabase` is a Multi-AZ PostgreSQL database for reporting
//! tools, in its own network, with alarms by e-mail. It is written against
//! hagen's public DSL only, exactly as it would be in your own crate, and
//! `main` hands it to `hagen::cli::main`, which provides `synth` (and the
//! other subcommands) with the same options, configuration and exit codes
//! as the `hagen` binary:
//!
//! ```text
//! cargo run --example custom_blueprint -- synth
//! cargo run --example custom_blueprint -- synth --env prod -o reporting.yaml
//! cargo run --example custom_blueprint -- --help
//! ```

use std::process::ExitCode;

use hagen::blueprint::{self, Blueprint};
use hagen::config::{CustomKey, CustomKind, Settings};
use hagen::constructs::SubnetKind;
use hagen::constructs::alert_topic::{AlertTopic, AlertTopicProps};
use hagen::constructs::database::{Database, DatabaseProps, EnhancedMonitoring};
use hagen::constructs::security_group::{Peer, SecurityGroup, Traffic};
use hagen::constructs::vpc::{SubnetGroup, Vpc, VpcProps};
use hagen::error::SynthError;
use hagen::resources::iam::{Role, aws_managed_policy_arn, service_trust_policy};
use hagen::stack::Stack;
use hagen::template::{Output, Parameter};

/// The blueprint: no state; everything it varies on comes from [`Settings`].
pub struct ReportingDatabase;

/// This blueprint's own key in `[environments.NAME.blueprint]` of `hagen.toml`.
const KEYS: &[CustomKey] = &[CustomKey {
    name: "database_name",
    kind: CustomKind::String,
    help: "the database created at launch (default \"reports\")",
}];

impl Blueprint for ReportingDatabase {
    fn name(&self) -> &str {
        "reporting"
    }

    fn description(&self) -> &str {
        "A Multi-AZ PostgreSQL database for reporting tools, alarms by e-mail"
    }

    fn custom_keys(&self) -> &[CustomKey] {
        KEYS
    }

    fn build(&self, settings: &Settings) -> Result<Stack, SynthError> {
        // Description and the Project/Environment (and configured) tags.
        let mut stack = blueprint::new_stack(self, settings);

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
        // isolated ones for the database; sizes and NAT from the settings.
        let vpc = Vpc::new(
            &mut stack,
            "Network",
            VpcProps {
                cidr: settings.vpc_cidr,
                az_count: usize::from(settings.az_count),
                nat_gateways: settings.nat,
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
                Traffic::tcp(settings.database.engine.default_port()),
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
        props.engine = settings.database.engine;
        props.instance_class = settings.database.instance_class.clone();
        props.allocated_storage_gib = settings.database.allocated_storage_gib;
        props.backup_retention_days = settings.database.backup_retention_days;
        props.deletion_protection = settings.deletion_protection;
        props.database_name = Some(
            settings
                .custom
                .string("database_name")
                .unwrap_or("reports")
                .to_owned(),
        );
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
