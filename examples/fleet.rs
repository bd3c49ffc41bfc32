//! A fleet of service tiers over several stacks: an app whose size is one
//! key of `hagen.toml`, for apps that outgrow one CloudFormation template.
//!
//! `Fleet` builds a `network` stack (a VPC over the environment's AZs, with
//! private subnets behind NAT) and then `tiers` service tiers, each about
//! ten resources:
//!
//! - a security group that admits the tier before it on port 8080 (the
//!   first tier admits the VPC's own range), and its ingress rule;
//! - an instance role (Systems Manager access only) and its profile;
//! - a launch template (IMDSv2 only, encrypted gp3 root volume, no public
//!   address) and an Auto Scaling group over the private subnets;
//! - CPU target tracking;
//! - an encrypted SNS topic and two alarms on it (CPU high, too few
//!   instances in service).
//!
//! The tiers are packed into stacks of at most 38 tiers (380 resources,
//! under the 80% warning of CloudFormation's 500), named `tiers-1`,
//! `tiers-2`, ...; a tier's reference to the tier before it in another
//! stack, and every tier stack's use of the network, become exports and
//! `Fn::ImportValue` through [`App::share`], and the stacks deploy in that
//! order.
//!
//! ```text
//! cargo run --example fleet -- synth --out-dir fleet.out
//! cargo run --example fleet -- synth tiers-1
//! cargo run --example fleet -- deploy --yes
//! ```
//!
//! Its own `hagen.toml` key is [`FleetConfig`]:
//!
//! ```toml
//! [environments.stage.blueprint]
//! tiers = 500   # 5,000 resources over 14 stacks
//! ```

use std::process::ExitCode;

use hagen::app::{App, NestedRef, StackRef};
use hagen::blueprint::{self, Blueprint};
use hagen::config::{BlueprintConfig, ConfigIssue, Environment};
use hagen::constructs::SubnetKind;
use hagen::constructs::vpc::{SubnetGroup, Vpc, VpcProps};
use hagen::error::SynthError;
use hagen::resources::Handle;
use hagen::resources::autoscaling::auto_scaling_group::LaunchTemplateSpecification;
use hagen::resources::autoscaling::scaling_policy::{
    self, PredefinedMetricSpecification, PredefinedMetricSpecificationPredefinedMetricType,
    TargetTrackingConfiguration,
};
use hagen::resources::autoscaling::{AutoScalingGroup, ScalingPolicy};
use hagen::resources::cloudwatch::Alarm;
use hagen::resources::cloudwatch::alarm::{self, Dimension};
use hagen::resources::ec2::launch_template::{
    self, BlockDeviceMapping, Ebs, IamInstanceProfile, LaunchTemplateData, MetadataOptions,
    NetworkInterface,
};
use hagen::resources::ec2::{LaunchTemplate, SecurityGroup, SecurityGroupIngress};
use hagen::resources::iam::{InstanceProfile, Role, aws_managed_policy_arn, service_trust_policy};
use hagen::resources::sns::Topic;
use hagen::stack::{Attributes, Stack};
use hagen::template::{Expr, Intrinsic, Parameter, Value, fns};
use serde::{Deserialize, Serialize};

/// Tiers per stack: 38 tiers of 10 resources stay under 400, the 80%
/// warning of CloudFormation's 500 resources per template.
pub const TIERS_PER_STACK: u32 = 38;

/// The port every tier serves on and admits the tier before it to.
const SERVICE_PORT: i64 = 8080;

/// Most tiers one app may declare: 10,000 tiers are 100,000 resources over
/// 264 stacks, within CloudFormation's 2,000 stacks per region.
const MAX_TIERS: u32 = 10_000;

/// The blueprint: no state; its size is [`FleetConfig::tiers`].
pub struct Fleet;

/// This blueprint's own keys in `[environments.NAME.blueprint]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FleetConfig {
    /// How many service tiers (about ten resources each).
    pub tiers: u32,
    /// The tiers' EC2 instance type.
    pub instance_type: String,
    /// Put each chunk of tiers in a nested stack (five to a top-level
    /// stack) instead of a top-level stack of its own.
    #[serde(default)]
    pub nested: bool,
}

impl BlueprintConfig for FleetConfig {
    /// Five tiers (one tier stack) in every environment.
    fn defaults(_env: &Environment) -> Self {
        FleetConfig {
            tiers: 5,
            instance_type: "t3.micro".to_owned(),
            nested: false,
        }
    }

    fn check(&self, _env: &Environment) -> Vec<ConfigIssue> {
        if (1..=MAX_TIERS).contains(&self.tiers) {
            Vec::new()
        } else {
            vec![
                ConfigIssue::new(
                    "blueprint.tiers",
                    format!("{} tiers is outside 1 to {MAX_TIERS}", self.tiers),
                )
                .help("set tiers to at least 1"),
            ]
        }
    }
}

/// What every tier stack takes from the network stack.
struct Network {
    vpc_id: Intrinsic,
    vpc_cidr: Intrinsic,
    private_subnets: Intrinsic,
}

impl Blueprint for Fleet {
    type Config = FleetConfig;

    fn name(&self) -> &str {
        "fleet"
    }

    fn description(&self) -> &str {
        "A fleet of auto-scaling service tiers over several stacks"
    }

    fn command_name(&self) -> &str {
        "fleet"
    }

    fn version(&self) -> Option<&str> {
        Some(env!("CARGO_PKG_VERSION"))
    }

    fn build_app(&self, env: &Environment, config: &FleetConfig) -> Result<App, SynthError> {
        let mut app = App::new(self.stack_name(env));
        let (network, shared) = network(self, env, &mut app)?;
        let chunks = config.tiers.div_ceil(TIERS_PER_STACK);
        // Top-level stacks: one per chunk of tiers; nested: a parent per
        // CHILDREN_PER_PARENT chunks, each chunk a nested stack of it.
        let per_parent = if config.nested {
            CHILDREN_PER_PARENT
        } else {
            1
        };
        let mut previous = Previous::None;
        for p in 0..chunks.div_ceil(per_parent) {
            let chunk_range = p * per_parent..((p + 1) * per_parent).min(chunks);
            let (first, last) = (
                chunk_range.start * TIERS_PER_STACK + 1,
                (chunk_range.end * TIERS_PER_STACK).min(config.tiers),
            );
            let mut top = blueprint::new_stack(self, env);
            top.set_description(Some(format!(
                "{} ({} environment): tiers {first} to {last}",
                self.description(),
                env.name
            )));
            let image = top
                .parameter(
                    "ImageId",
                    Parameter {
                        param_type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>".into(),
                        description: Some("The tiers' AMI (latest Amazon Linux 2023)".into()),
                        default: Some(Expr::String(
                            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
                                .into(),
                        )),
                        ..Parameter::default()
                    },
                )?
                .reference();
            if !config.nested {
                let source = previous.source_for(&mut app, None, &shared)?;
                let last_group = chunk(&mut top, first..=last, &shared, source, &image, config)?;
                let id = app.add(&format!("tiers-{}", p + 1), top)?;
                app.depends_on(&id, &network)?;
                previous = Previous::Top(id, last_group);
                continue;
            }
            let parent = app.add(&format!("tiers-{}", p + 1), top)?;
            app.depends_on(&parent, &network)?;
            for c in chunk_range {
                let (first, last) = (
                    c * TIERS_PER_STACK + 1,
                    ((c + 1) * TIERS_PER_STACK).min(config.tiers),
                );
                let source = previous.source_for(&mut app, Some(&parent), &shared)?;
                let mut child = blueprint::new_stack(self, env);
                child.set_description(Some(format!(
                    "{} ({} environment): tiers {first} to {last}, nested",
                    self.description(),
                    env.name
                )));
                let last_group = chunk(&mut child, first..=last, &shared, source, &image, config)?;
                let nested = app.nest(&parent, &format!("Tiers{first}To{last}"), child)?;
                previous = Previous::Child(parent.clone(), nested, last_group);
            }
        }
        Ok(app)
    }
}

/// Nested stacks per parent stack: five chunks of 380 resources stay under
/// the 80% warning of the 2,500 resources one operation may touch.
pub const CHILDREN_PER_PARENT: u32 = 5;

/// Where the last tier built so far lives, for the next tier's ingress.
enum Previous {
    /// No tier yet: the first admits the VPC's range.
    None,
    /// In a top-level stack.
    Top(StackRef, Handle<SecurityGroup>),
    /// In a nested stack of a top-level stack.
    Child(StackRef, NestedRef, Handle<SecurityGroup>),
}

impl Previous {
    /// What the next tier's ingress admits, as seen from a stack whose
    /// top-level stack is `parent` (`None`: a top-level stack of its own):
    /// the VPC range, the group itself, its nested output, or an import.
    fn source_for(
        &self,
        app: &mut App,
        parent: Option<&StackRef>,
        shared: &Network,
    ) -> Result<(Value<String>, bool), SynthError> {
        Ok(match self {
            Previous::None => (shared.vpc_cidr.clone().into(), false),
            Previous::Top(producer, group) => (app.share(producer, group.group_id())?.into(), true),
            Previous::Child(producer, nested, group) => {
                let out = app.nested_output(nested, "LastGroupId", group.group_id())?;
                if Some(producer) == parent {
                    (out.into(), true)
                } else {
                    (app.share(producer, out)?.into(), true)
                }
            }
        })
    }
}

/// Tiers `range` into `stack`, the first admitting `source`; returns the
/// last tier's group.
fn chunk(
    stack: &mut Stack,
    range: std::ops::RangeInclusive<u32>,
    shared: &Network,
    mut source: (Value<String>, bool),
    image: &Intrinsic,
    config: &FleetConfig,
) -> Result<Handle<SecurityGroup>, SynthError> {
    let mut last = None;
    for n in range {
        let group = tier(
            stack,
            n,
            shared,
            source,
            image.clone(),
            &config.instance_type,
        )?;
        source = (group.group_id().into(), true);
        last = Some(group);
    }
    last.ok_or_else(|| SynthError::App {
        message: "a chunk of tiers is empty".into(),
    })
}

/// The network stack, and the values every tier stack imports from it.
fn network(
    bp: &Fleet,
    env: &Environment,
    app: &mut App,
) -> Result<(StackRef, Network), SynthError> {
    let mut stack = blueprint::new_stack(bp, env);
    stack.set_description(Some(format!(
        "{} ({} environment): the network every tier uses",
        bp.description(),
        env.name
    )));
    let vpc = Vpc::new(
        &mut stack,
        "Network",
        VpcProps {
            az_count: usize::from(env.az_count),
            subnet_groups: vec![
                SubnetGroup::new(SubnetKind::Public, 24),
                SubnetGroup::new(SubnetKind::Private, 20),
            ],
            ..VpcProps::default()
        },
    )?;
    let vpc_id = vpc.vpc_id();
    let cidr = vpc.handle().get_att("CidrBlock");
    let subnets: Vec<Expr> = vpc
        .subnets(SubnetKind::Private)
        .iter()
        .map(|s| Expr::from(s.handle.reference()))
        .collect();
    let id = app.add("network", stack)?;
    let shared = Network {
        vpc_id: app.share(&id, vpc_id)?,
        vpc_cidr: app.share(&id, cidr)?,
        private_subnets: app.share_named(
            &id,
            "PrivateSubnets",
            fns::join(",", Expr::List(subnets)),
        )?,
    };
    Ok((id, shared))
}

/// One tier, `n` from 1: its ten resources. `source` is what its group
/// admits: a security group ID (`true`) or a CIDR range (`false`).
/// Returns its security group.
fn tier(
    stack: &mut Stack,
    n: u32,
    network: &Network,
    source: (Value<String>, bool),
    image: Intrinsic,
    instance_type: &str,
) -> Result<Handle<SecurityGroup>, SynthError> {
    let id = format!("Tier{n}");
    let upstream = if n == 1 {
        "the VPC".to_owned()
    } else {
        format!("tier {}", n - 1)
    };
    let group = stack.add(
        &format!("{id}Group"),
        SecurityGroup::new(format!("Tier {n}: admits {upstream} on {SERVICE_PORT}"))
            .vpc_id(network.vpc_id.clone()),
    )?;
    let mut ingress = SecurityGroupIngress::new("tcp")
        .group_id(group.group_id())
        .from_port(SERVICE_PORT)
        .to_port(SERVICE_PORT)
        .description(format!("From {upstream} to tier {n}"));
    ingress = match source {
        (value, true) => ingress.source_security_group_id(value),
        (value, false) => ingress.cidr_ip(value),
    };
    stack.add(&format!("{id}Ingress"), ingress)?;
    let role = stack.add(
        &format!("{id}Role"),
        Role::new(service_trust_policy("ec2.amazonaws.com"))
            .managed_policy_arns(vec![aws_managed_policy_arn("AmazonSSMManagedInstanceCore")]),
    )?;
    let profile = stack.add(
        &format!("{id}Profile"),
        InstanceProfile::new(vec![Value::from(role.reference())]),
    )?;
    let data = LaunchTemplateData::new()
        .image_id(image)
        .instance_type(instance_type)
        .iam_instance_profile(IamInstanceProfile::new().arn(profile.arn()))
        .metadata_options(
            MetadataOptions::new()
                .http_endpoint(launch_template::HttpEndpoint::Enabled)
                .http_tokens(launch_template::HttpTokens::Required)
                .http_put_response_hop_limit(1),
        )
        .block_device_mappings(vec![
            BlockDeviceMapping::new().device_name("/dev/xvda").ebs(
                Ebs::new()
                    .volume_type(launch_template::VolumeType::Gp3)
                    .volume_size(8)
                    .encrypted(true)
                    .delete_on_termination(true),
            ),
        ])
        .network_interfaces(vec![
            NetworkInterface::new()
                .device_index(0)
                .associate_public_ip_address(false)
                .delete_on_termination(true)
                .groups(vec![Value::from(group.group_id())]),
        ]);
    let template = stack.add(&format!("{id}Template"), LaunchTemplate::new(data))?;
    // A new launch template version replaces one instance at a time,
    // keeping one in service.
    let rolling = Expr::from(hagen::json!({
        "AutoScalingRollingUpdate": {
            "MinInstancesInService": 1,
            "MaxBatchSize": 1,
            "PauseTime": "PT5M"
        }
    }));
    let asg = stack.add_with(
        &format!("{id}Asg"),
        AutoScalingGroup::new(4, 2)
            .launch_template(
                LaunchTemplateSpecification::new(template.latest_version_number())
                    .launch_template_id(template.reference()),
            )
            .vpc_zone_identifier(fns::split(",", network.private_subnets.clone())),
        Attributes::new().update_policy(rolling),
    )?;
    stack.add(
        &format!("{id}CpuPolicy"),
        ScalingPolicy::new(asg.reference())
            .policy_type(scaling_policy::PolicyType::TargetTrackingScaling)
            .target_tracking_configuration(
                TargetTrackingConfiguration::new(50.0).predefined_metric_specification(
                    PredefinedMetricSpecification::new(
                        PredefinedMetricSpecificationPredefinedMetricType::AsgAverageCpuUtilization,
                    ),
                ),
            ),
    )?;
    let topic = stack.add(
        &format!("{id}Topic"),
        Topic::new().kms_master_key_id("alias/aws/sns"),
    )?;
    let by_group = || vec![Dimension::new("AutoScalingGroupName", asg.reference())];
    stack.add(
        &format!("{id}CpuAlarm"),
        Alarm::new()
            .alarm_description(format!("Tier {n}: CPU above 85% for 15 minutes"))
            .namespace("AWS/EC2")
            .metric_name("CPUUtilization")
            .dimensions(by_group())
            .statistic(alarm::Statistic::Average)
            .period(300)
            .evaluation_periods(3)
            .threshold(85.0)
            .comparison_operator(alarm::ComparisonOperator::GreaterThanThreshold)
            .alarm_actions(vec![Value::from(topic.reference())]),
    )?;
    stack.add(
        &format!("{id}CapacityAlarm"),
        Alarm::new()
            .alarm_description(format!("Tier {n}: fewer than 2 instances in service"))
            .namespace("AWS/AutoScaling")
            .metric_name("GroupInServiceInstances")
            .dimensions(by_group())
            .statistic(alarm::Statistic::Minimum)
            .period(60)
            .evaluation_periods(5)
            .threshold(2.0)
            .comparison_operator(alarm::ComparisonOperator::LessThanThreshold)
            .alarm_actions(vec![Value::from(topic.reference())]),
    )?;
    Ok(group)
}

fn main() -> ExitCode {
    hagen::cli::main(Fleet)
}
