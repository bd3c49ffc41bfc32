//! `LoadBalancedAsg`: application instances in an Auto Scaling group over
//! private subnets in several availability zones, behind an internet-facing
//! Application Load Balancer that redirects HTTP to HTTPS.
//!
//! Owns the instance role and profile, the launch template (IMDSv2, no public
//! IP, encrypted gp3 root volume), the group (ELB health checks, notifications,
//! metrics, a rolling update that keeps capacity in service), the target
//! groups, the load balancer and its two listeners, and the security-group
//! rules the traffic path needs: HTTP and HTTPS from anywhere into the load
//! balancer's group, each target port from it into the instances' group (as
//! CDK's `connections` does; [`LoadBalancedAsgProps::open_ports`] turns that
//! off). It does not create the network, the security groups themselves or
//! the topic (the caller passes them), nor scaling policies and alarms
//! (`super::scaling`, `super::monitoring`).
//!
//! More applications on the same instances are more target groups, served
//! under their own paths through the HTTPS listener:
//! [`LoadBalancedAsg::add_target`].
//!
//! Logical IDs are `<id>` plus a fixed suffix: `Role`, `InstanceProfile`,
//! `LaunchTemplate`, `Asg`, `TargetGroup`, `LoadBalancer`, `HttpListener`,
//! `HttpsListener`; a target added with its own ID gets `<target
//! id>TargetGroup` and `<target id>ListenerRule`; rules are named by the
//! security group construct (`<group id>IngressTcp443From<peer>`).

use crate::resources::ec2::launch_template;
use crate::resources::elasticloadbalancingv2::listener;
use crate::resources::elasticloadbalancingv2::target_group;
use crate::resources::{CfnResource, Handle};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use crate::constructs::instance_role::{
    CLOUDWATCH_AGENT_POLICY, INSTANCE_PROFILE_SUFFIX, InstanceRole, InstanceRoleProps, ROLE_SUFFIX,
};
use crate::constructs::security_group::{self, Peer, Traffic};
use crate::constructs::vpc::Vpc;
use crate::constructs::{SubnetInfo, SubnetKind, checkov};
use crate::error::SynthError;
use crate::resources::Tag;
use crate::resources::autoscaling::auto_scaling_group::{
    LaunchTemplateSpecification, MetricsCollection, NotificationConfiguration,
};
use crate::resources::autoscaling::{
    AsgCreationPolicy, AsgUpdatePolicy, AutoScalingGroup, AutoScalingRollingUpdate,
    AutoScalingScheduledAction, LAUNCH_AND_TERMINATE_NOTIFICATIONS, ResourceSignal,
};
use crate::resources::ec2::LaunchTemplate;
use crate::resources::ec2::launch_template::{
    BlockDeviceMapping as LaunchTemplateBlockDeviceMapping, Ebs as LaunchTemplateEbs,
    IamInstanceProfile as IamInstanceProfileSpecification, LaunchTemplateData, MetadataOptions,
    Monitoring as LaunchTemplateMonitoring, NetworkInterface as LaunchTemplateNetworkInterface,
    TagSpecification,
};
use crate::resources::elasticloadbalancingv2::listener::{Action, Certificate, RedirectConfig};
use crate::resources::elasticloadbalancingv2::listener_rule::{
    Action as RuleAction, RuleCondition,
};
use crate::resources::elasticloadbalancingv2::load_balancer::{self, LoadBalancerAttribute};
use crate::resources::elasticloadbalancingv2::target_group::{Matcher, TargetGroupAttribute};
use crate::resources::elasticloadbalancingv2::{Listener, ListenerRule, LoadBalancer, TargetGroup};
use crate::resources::iam::role::Policy as InlinePolicy;
use crate::resources::iam::{InstanceProfile, Role};
use crate::resources::sns::Topic;
use crate::stack::{Attributes, Stack};
use crate::template::{Intrinsic, List, Value, fns};

/// The TLS policy HTTPS listeners get by default: TLS 1.3 and 1.2 only,
/// forward-secret ciphers.
pub const DEFAULT_TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Processes suspended during a rolling update that waits for signals (AWS's
/// advice: they would otherwise replace or rebalance instances mid-update).
pub const SUSPEND_WITH_SIGNALS: [&str; 5] = [
    "HealthCheck",
    "ReplaceUnhealthy",
    "AZRebalance",
    "AlarmNotification",
    "ScheduledActions",
];

/// Processes suspended during a rolling update without signals: scaling
/// and rebalancing, which fight the update; health replacement stays on.
pub const SUSPEND_WITHOUT_SIGNALS: [&str; 3] =
    ["AZRebalance", "AlarmNotification", "ScheduledActions"];

/// Longest `PauseTime` CloudFormation accepts in a rolling update (one hour).
pub const MAX_PAUSE_SECONDS: u64 = 3600;

/// Logical ID suffix of the Auto Scaling group. User data that calls
/// `cfn-signal --resource` needs the full ID: see [`LoadBalancedAsg::group_logical_id`].
pub const ASG_SUFFIX: &str = "Asg";

/// Every logical ID suffix the construct uses, in the order resources are added.
pub const SUFFIXES: [&str; 8] = [
    ROLE_SUFFIX,
    INSTANCE_PROFILE_SUFFIX,
    "LaunchTemplate",
    "TargetGroup",
    "LoadBalancer",
    "HttpListener",
    "HttpsListener",
    ASG_SUFFIX,
];

/// The network a [`LoadBalancedAsg`] is placed in.
#[derive(Debug, Clone, PartialEq)]
pub struct AsgNetwork {
    /// The VPC ID (`!Ref Vpc`), for the target group.
    pub vpc_id: Value<String>,
    /// Subnets of the load balancer: `Public`, at least two availability zones.
    pub public_subnets: Vec<SubnetInfo>,
    /// Subnets of the instances: `Private`, normally one per availability zone.
    pub private_subnets: Vec<SubnetInfo>,
    /// The load balancer's security group; the construct opens 80 and 443
    /// from the internet in it (unless `open_ports` is off).
    pub load_balancer_security_group: security_group::SecurityGroup,
    /// The instances' security group; the construct opens each target port
    /// from the load balancer's group in it (unless `open_ports` is off).
    pub app_security_group: security_group::SecurityGroup,
}

impl AsgNetwork {
    /// Every Public subnet of the VPC for the load balancer, every Private
    /// subnet for the instances, and the two groups' handles.
    pub fn from_vpc(
        vpc: &Vpc,
        load_balancer_security_group: &security_group::SecurityGroup,
        app_security_group: &security_group::SecurityGroup,
    ) -> AsgNetwork {
        let subnets = |kind| vpc.subnets(kind).into_iter().cloned().collect();
        AsgNetwork {
            vpc_id: vpc.vpc_id().into(),
            public_subnets: subnets(SubnetKind::Public),
            private_subnets: subnets(SubnetKind::Private),
            load_balancer_security_group: load_balancer_security_group.clone(),
            app_security_group: app_security_group.clone(),
        }
    }
}

/// Instance counts of the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// Fewest instances (default 2: one per zone of a two-zone VPC).
    pub min: u32,
    /// Instances at creation (default 2).
    pub desired: u32,
    /// Most instances (default 6).
    pub max: u32,
}

impl Default for Capacity {
    fn default() -> Self {
        Capacity {
            min: 2,
            desired: 2,
            max: 6,
        }
    }
}

/// How the load balancer checks that an instance serves.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetHealthCheck {
    /// HTTP path requested (default `/`).
    pub path: String,
    /// HTTP codes counted as healthy: `200`, `200,302`, `200-399` (default `200`).
    pub matcher: String,
    /// Seconds between checks, 5 to 300 (default 15).
    pub interval_seconds: u32,
    /// Seconds before a check fails, 2 to 120 and below the interval (default 5).
    pub timeout_seconds: u32,
    /// Successes before a target is healthy, 2 to 10 (default 2).
    pub healthy_threshold: u32,
    /// Failures before a target is unhealthy, 2 to 10 (default 3).
    pub unhealthy_threshold: u32,
}

impl Default for TargetHealthCheck {
    fn default() -> Self {
        TargetHealthCheck {
            path: "/".into(),
            matcher: "200".into(),
            interval_seconds: 15,
            timeout_seconds: 5,
            healthy_threshold: 2,
            unhealthy_threshold: 3,
        }
    }
}

/// How instances are replaced when the launch template (a new image) or the
/// subnets change: `UpdatePolicy.AutoScalingRollingUpdate`.
#[derive(Debug, Clone, PartialEq)]
pub struct RollingUpdate {
    /// Instances replaced at once (default 1).
    pub max_batch_size: u32,
    /// Instances kept in service during the update; at least the group's
    /// minimum and below its maximum (default: the minimum).
    pub min_instances_in_service: Option<u32>,
    /// ISO-8601 wait after each batch, or for its signals; at most `PT1H`
    /// (default `PT5M`, or `PT15M` when waiting for signals).
    pub pause_time: Option<String>,
    /// Wait for `cfn-signal` from each new instance, on update and on
    /// creation (then the user data must send it; default off).
    pub wait_on_resource_signals: bool,
    /// Processes suspended during the update (default
    /// [`SUSPEND_WITH_SIGNALS`] or [`SUSPEND_WITHOUT_SIGNALS`]).
    pub suspend_processes: Option<Vec<String>>,
}

impl Default for RollingUpdate {
    fn default() -> Self {
        RollingUpdate {
            max_batch_size: 1,
            min_instances_in_service: None,
            pause_time: None,
            wait_on_resource_signals: false,
            suspend_processes: None,
        }
    }
}

/// The instances' root volume: always encrypted gp3, deleted with the instance.
#[derive(Debug, Clone, PartialEq)]
pub struct RootVolume {
    /// The image's root device name (default `/dev/xvda`, as on Amazon Linux;
    /// `/dev/sda1` on Ubuntu). A wrong name adds a second volume instead.
    pub device_name: String,
    /// Size in GiB, at least the image's snapshot (default 20).
    pub size_gib: u32,
    /// KMS key for encryption (default: the account's default EBS key).
    pub kms_key_id: Option<Value<String>>,
}

impl Default for RootVolume {
    fn default() -> Self {
        RootVolume {
            device_name: "/dev/xvda".into(),
            size_gib: 20,
            kms_key_id: None,
        }
    }
}

/// Where the load balancer writes access logs: every request, with client,
/// path, status and timing, the record an incident is reconstructed from.
/// A `super::log_bucket::LogBucket` hands one out.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessLogs {
    /// The S3 bucket (its policy must let Elastic Load Balancing write).
    pub bucket: Value<String>,
    /// Key prefix inside the bucket.
    pub prefix: Option<String>,
    /// Logical IDs the load balancer must wait for: the bucket policy, since
    /// Elastic Load Balancing checks that it may write when access logs are
    /// turned on, and refuses the load balancer otherwise.
    pub dependencies: Vec<String>,
}

/// The instances' boot script (user data, plain text; the construct
/// base64-encodes it).
#[derive(Clone)]
pub enum UserData {
    /// A script known before the construct runs.
    Text(Value<String>),
    /// A script that needs the load balancer the construct creates (its DNS
    /// name, say): the construct calls the function with that load
    /// balancer's handle while it builds the launch template.
    WithLoadBalancer(Arc<LoadBalancerScript>),
}

/// Builds a boot script from the load balancer's handle.
pub type LoadBalancerScript = dyn Fn(&Handle<LoadBalancer>) -> Result<Value<String>, SynthError>;

impl UserData {
    /// A script known before the construct runs.
    pub fn text(script: impl Into<Value<String>>) -> Self {
        UserData::Text(script.into())
    }

    /// A script built from the handle of the load balancer the construct
    /// creates, so the blueprint never has to guess its logical ID.
    pub fn with_load_balancer(
        script: impl Fn(&Handle<LoadBalancer>) -> Result<Value<String>, SynthError> + 'static,
    ) -> Self {
        UserData::WithLoadBalancer(Arc::new(script))
    }

    fn render(&self, load_balancer: &Handle<LoadBalancer>) -> Result<Value<String>, SynthError> {
        match self {
            UserData::Text(text) => Ok(text.clone()),
            UserData::WithLoadBalancer(script) => script(load_balancer),
        }
    }
}

impl fmt::Debug for UserData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserData::Text(text) => f.debug_tuple("Text").field(text).finish(),
            UserData::WithLoadBalancer(_) => f.write_str("WithLoadBalancer(..)"),
        }
    }
}

impl PartialEq for UserData {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (UserData::Text(a), UserData::Text(b)) => a == b,
            (UserData::WithLoadBalancer(a), UserData::WithLoadBalancer(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl From<Value<String>> for UserData {
    fn from(text: Value<String>) -> Self {
        UserData::Text(text)
    }
}

/// A further application on the same instances, behind the same load
/// balancer: its own target group, reached through the HTTPS listener for
/// some paths ([`LoadBalancedAsg::add_target`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AppTargetProps {
    /// What it is called in rule descriptions (`Leto from the load balancer`).
    pub name: String,
    /// The port it listens on, on the instances.
    pub port: u16,
    /// Path patterns it is served under (`/leto`, `/leto/*`); 1 to 5, each
    /// starting with `/`, at most 128 characters.
    pub path_patterns: Vec<String>,
    /// The listener rule's priority, 1 to 50000, unique on the listener
    /// (lower is evaluated first).
    pub priority: u16,
    /// How the load balancer checks it; an instance failing it is replaced,
    /// since the group uses ELB health checks.
    pub health_check: TargetHealthCheck,
    /// Seconds a deregistering target keeps serving, 0 to 3600 (default 60).
    pub deregistration_delay: u32,
}

impl AppTargetProps {
    /// A target on `port` under `path_patterns`, with the default health
    /// check on the first pattern's prefix and a 60-second deregistration.
    pub fn new(name: &str, port: u16, path_patterns: Vec<String>, priority: u16) -> Self {
        AppTargetProps {
            name: name.to_owned(),
            port,
            path_patterns,
            priority,
            health_check: TargetHealthCheck::default(),
            deregistration_delay: 60,
        }
    }
}

/// A target the construct serves, for scaling and alarms that need it.
#[derive(Debug, Clone, PartialEq)]
pub struct AppTarget {
    /// The ID it was added under (the construct's own ID for the main
    /// application, the target ID for those of [`LoadBalancedAsg::add_target`]),
    /// for the logical IDs of what is built on it.
    pub id: String,
    /// The target group.
    pub target_group: Handle<TargetGroup>,
    /// The HTTPS listener's rule forwarding to it (none for the main
    /// application, which is the listener's default action).
    pub rule: Option<Handle<ListenerRule>>,
    /// The port on the instances.
    pub port: u16,
    /// The rule's priority (0 for the main application).
    pub priority: u16,
}

/// Props of a [`LoadBalancedAsg`]. Build with [`LoadBalancedAsgProps::new`]
/// and change the public fields whose defaults do not fit.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancedAsgProps {
    /// Subnets and security groups.
    pub network: AsgNetwork,
    /// The image (normally `Ref` to an `AWS::EC2::Image::Id` parameter, so a
    /// new image is a parameter change that rolls the instances).
    pub image_id: Value<String>,
    /// The HTTPS listener's certificate ARN (normally a parameter).
    pub certificate_arn: Value<String>,
    /// Where launch/terminate notifications go.
    pub notification_topic: Handle<Topic>,
    /// Instance type (default `t3.small`).
    pub instance_type: Value<String>,
    /// The boot script, plain text; it is base64-encoded here (default none).
    pub user_data: Option<UserData>,
    /// Key pair for SSH through the bastion (default none: Session Manager).
    pub key_name: Option<Value<String>>,
    /// Port the application listens on, and the target group's (default 8080).
    pub app_port: u16,
    /// What the application is called in the descriptions of the rules the
    /// construct opens (`SwiftCode from the load balancer`; default
    /// `Application`).
    pub app_name: String,
    /// Open the traffic path in the security groups: HTTP (redirected) and
    /// HTTPS from anywhere into the load balancer's group, the target ports
    /// from it into the instances' group (default on). Turn it off only
    /// when the caller opens them itself; a forgotten rule gives a stack
    /// that validates and serves nothing.
    pub open_ports: bool,
    /// Target health check.
    pub health_check: TargetHealthCheck,
    /// Instance counts.
    pub capacity: Capacity,
    /// Seconds after launch before failed health checks count (default 300).
    pub health_check_grace_period: u32,
    /// Rolling update of instances.
    pub rolling_update: RollingUpdate,
    /// Root volume.
    pub root_volume: RootVolume,
    /// IMDSv2 hop limit, 1 or 2 (2 lets containers on the instance reach the
    /// metadata service; default 1).
    pub metadata_hop_limit: u8,
    /// One-minute instance metrics (default on).
    pub detailed_monitoring: bool,
    /// Group metrics in CloudWatch (default on).
    pub group_metrics: bool,
    /// Inline policies for what the application needs, scoped to its resources.
    pub inline_policies: Vec<InlinePolicy>,
    /// TLS policy of the HTTPS listener (default [`DEFAULT_TLS_POLICY`]).
    pub tls_policy: String,
    /// Load balancer deletion protection (default on).
    pub deletion_protection: bool,
    /// Load balancer access logs (default none).
    pub access_logs: Option<AccessLogs>,
    /// Seconds a deregistering target keeps serving in-flight requests, 0 to
    /// 3600 (default 60).
    pub deregistration_delay: u32,
    /// Serve IPv6 too (the public subnets need IPv6 CIDRs; default off).
    pub dualstack: bool,
    /// Accept app subnets in a single availability zone (recorded as an
    /// override: a zone failure takes the application down).
    pub allow_single_az: bool,
    /// Accept a minimum below the number of zones (recorded as an override:
    /// some zone then runs no instance at minimum capacity).
    pub allow_min_below_az_count: bool,
    /// Logical IDs the group must wait for (such as the NAT routes the boot
    /// script needs); add with [`LoadBalancedAsgProps::group_depends_on`].
    pub group_dependencies: Vec<String>,
}

impl LoadBalancedAsgProps {
    /// Props with the required parts and safe defaults for everything else.
    pub fn new(
        network: AsgNetwork,
        image_id: impl Into<Value<String>>,
        certificate_arn: impl Into<Value<String>>,
        notification_topic: Handle<Topic>,
    ) -> Self {
        LoadBalancedAsgProps {
            network,
            image_id: image_id.into(),
            certificate_arn: certificate_arn.into(),
            notification_topic,
            instance_type: Value::from("t3.small"),
            user_data: None,
            key_name: None,
            app_port: 8080,
            app_name: "Application".into(),
            open_ports: true,
            health_check: TargetHealthCheck::default(),
            capacity: Capacity::default(),
            health_check_grace_period: 300,
            rolling_update: RollingUpdate::default(),
            root_volume: RootVolume::default(),
            metadata_hop_limit: 1,
            detailed_monitoring: true,
            group_metrics: true,
            inline_policies: Vec::new(),
            tls_policy: DEFAULT_TLS_POLICY.into(),
            deletion_protection: true,
            access_logs: None,
            deregistration_delay: 60,
            dualstack: false,
            allow_single_az: false,
            allow_min_below_az_count: false,
            group_dependencies: Vec::new(),
        }
    }

    /// Makes the Auto Scaling group wait for another resource (a NAT route,
    /// a database) before it launches instances.
    pub fn group_depends_on<R: CfnResource>(mut self, other: &Handle<R>) -> Self {
        self.group_dependencies.push(other.logical_id().to_owned());
        self
    }
}

/// What a [`LoadBalancedAsg`] added to the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancedAsg {
    /// The instances' role (`<id>Role`).
    pub role: Handle<Role>,
    /// The instance profile (`<id>InstanceProfile`).
    pub instance_profile: Handle<InstanceProfile>,
    /// The launch template (`<id>LaunchTemplate`).
    pub launch_template: Handle<LaunchTemplate>,
    /// The Auto Scaling group (`<id>Asg`).
    pub auto_scaling_group: Handle<AutoScalingGroup>,
    /// The target group (`<id>TargetGroup`).
    pub target_group: Handle<TargetGroup>,
    /// The load balancer (`<id>LoadBalancer`).
    pub load_balancer: Handle<LoadBalancer>,
    /// Port 80, redirecting to 443 (`<id>HttpListener`).
    pub http_listener: Handle<Listener>,
    /// Port 443, forwarding to the target group (`<id>HttpsListener`).
    pub https_listener: Handle<Listener>,
    /// How many availability zones the instances span.
    pub az_count: usize,
    /// Every application the instances serve: the main one first, then
    /// those added with [`LoadBalancedAsg::add_target`].
    pub targets: Vec<AppTarget>,
    /// The load balancer's security group.
    pub load_balancer_security_group: security_group::SecurityGroup,
    /// The instances' security group.
    pub app_security_group: security_group::SecurityGroup,
    id: String,
    vpc_id: Value<String>,
    open_ports: bool,
    opened_ports: BTreeSet<u16>,
}

/// What the checks worked out before anything is written.
struct Plan {
    app_azs: usize,
    min_in_service: u32,
    pause_time: String,
    overrides: Vec<String>,
}

fn azs(subnets: &[SubnetInfo]) -> BTreeSet<usize> {
    subnets.iter().map(|s| s.az_index).collect()
}

/// Seconds of an ISO-8601 duration of the form `PT#H#M#S` (the form
/// CloudFormation's update and creation policies take).
pub(crate) fn iso8601_seconds(s: &str) -> Option<u64> {
    let mut rest = s.strip_prefix("PT")?;
    if rest.is_empty() {
        return None;
    }
    let mut total = 0u64;
    let mut last_unit = 0;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let (rank, factor) = match unit {
            'H' => (1, 3600),
            'M' => (2, 60),
            'S' => (3, 1),
            _ => return None,
        };
        if rank <= last_unit {
            return None;
        }
        last_unit = rank;
        total = total.checked_add(n.checked_mul(factor)?)?;
        rest = &rest[digits + 1..];
    }
    Some(total)
}

/// Whether an ELB TLS policy name admits nothing older than TLS 1.2.
fn tls_policy_is_modern(policy: &str) -> bool {
    ["TLS13-1-2", "TLS13-1-3", "TLS-1-2", "FS-1-2"]
        .iter()
        .any(|p| policy.contains(p))
}

/// Checks an HTTP matcher: codes or ranges of codes between 200 and 499,
/// separated by commas.
fn matcher_is_valid(matcher: &str) -> bool {
    let code = |s: &str| s.parse::<u16>().is_ok_and(|c| (200..=499).contains(&c));
    !matcher.is_empty()
        && matcher.split(',').all(|part| match part.split_once('-') {
            Some((a, b)) => code(a) && code(b) && a.parse::<u16>().ok() < b.parse::<u16>().ok(),
            None => code(part),
        })
}

fn describe_subnet(s: &SubnetInfo) -> String {
    format!(
        "{} ({} subnet, AZ index {})",
        s.handle.logical_id(),
        s.kind.as_str(),
        s.az_index
    )
}

/// Checks a target health check.
fn check_health_check(hc: &TargetHealthCheck) -> Result<(), String> {
    if !hc.path.starts_with('/') || hc.path.len() > 1024 {
        return Err(format!(
            "health_check.path {:?} must start with / and be at most 1024 characters",
            hc.path
        ));
    }
    if !matcher_is_valid(&hc.matcher) {
        return Err(format!(
            "health_check.matcher {:?} is not a list of HTTP codes between 200 and 499 such as 200, 200,302 or 200-399",
            hc.matcher
        ));
    }
    if !(5..=300).contains(&hc.interval_seconds) {
        return Err(format!(
            "health_check.interval_seconds is {}; it must be 5 to 300",
            hc.interval_seconds
        ));
    }
    if !(2..=120).contains(&hc.timeout_seconds) || hc.timeout_seconds >= hc.interval_seconds {
        return Err(format!(
            "health_check.timeout_seconds is {}; it must be 2 to 120 and below interval_seconds ({})",
            hc.timeout_seconds, hc.interval_seconds
        ));
    }
    for (name, n) in [
        ("healthy_threshold", hc.healthy_threshold),
        ("unhealthy_threshold", hc.unhealthy_threshold),
    ] {
        if !(2..=10).contains(&n) {
            return Err(format!("health_check.{name} is {n}; it must be 2 to 10"));
        }
    }
    Ok(())
}

fn check_deregistration_delay(seconds: u32) -> Result<(), String> {
    if seconds > 3600 {
        return Err(format!(
            "deregistration_delay is {seconds} seconds; the most is 3600"
        ));
    }
    Ok(())
}

/// A name that goes into rule descriptions (`<name> from the load balancer`).
fn check_rule_name(field: &str, name: &str) -> Result<(), String> {
    security_group::check_description(
        field,
        &Value::from(format!("{name} from the load balancer")),
    )
}

/// Checks a further target's props against the construct's existing rules.
fn check_target(props: &AppTargetProps, priorities: &BTreeSet<u16>) -> Result<(), String> {
    check_rule_name("name", &props.name)?;
    if props.port == 0 {
        return Err("port is 0; give the port the application listens on (1 to 65535)".into());
    }
    if !(1..=50000).contains(&props.priority) {
        return Err(format!(
            "priority is {}; a listener rule's priority is 1 to 50000",
            props.priority
        ));
    }
    if priorities.contains(&props.priority) {
        return Err(format!(
            "priority {} is already used by another target of this load balancer; give each rule its own",
            props.priority
        ));
    }
    if props.path_patterns.is_empty() || props.path_patterns.len() > 5 {
        return Err(format!(
            "{} path patterns given; a path-pattern condition takes 1 to 5",
            props.path_patterns.len()
        ));
    }
    if let Some(p) = props
        .path_patterns
        .iter()
        .find(|p| !p.starts_with('/') || p.len() > 128)
    {
        return Err(format!(
            "path pattern {p:?} must start with / and be at most 128 characters"
        ));
    }
    check_health_check(&props.health_check)?;
    check_deregistration_delay(props.deregistration_delay)
}

fn check(props: &LoadBalancedAsgProps) -> Result<Plan, String> {
    let net = &props.network;
    if net.private_subnets.is_empty() {
        return Err("no private subnets given for the instances; pass the VPC's Private subnets of every availability zone".into());
    }
    if let Some(s) = net
        .private_subnets
        .iter()
        .find(|s| s.kind != SubnetKind::Private)
    {
        return Err(format!(
            "instance subnet {} is not Private; app instances belong in Private subnets (no public IP, internet through a NAT gateway)",
            describe_subnet(s)
        ));
    }
    if let Some(s) = net
        .public_subnets
        .iter()
        .find(|s| s.kind != SubnetKind::Public)
    {
        return Err(format!(
            "load balancer subnet {} is not Public; an internet-facing load balancer needs Public subnets (routed to the internet gateway)",
            describe_subnet(s)
        ));
    }
    let public_azs = azs(&net.public_subnets);
    if public_azs.len() < 2 {
        return Err(format!(
            "the load balancer has public subnets in {} availability zone(s); an Application Load Balancer needs at least 2, so pass a Public subnet of each zone",
            public_azs.len()
        ));
    }
    let app_azs = azs(&net.private_subnets);
    if let Some(az) = app_azs.iter().find(|az| !public_azs.contains(az)) {
        return Err(format!(
            "instances run in AZ index {az} but the load balancer has no public subnet there, so those instances would get no traffic; pass the Public subnet of AZ index {az} too"
        ));
    }
    let mut overrides = Vec::new();
    if app_azs.len() < 2 {
        if !props.allow_single_az {
            return Err(format!(
                "the instances' private subnets span {} availability zone; a zone failure would take the application down. Pass Private subnets in at least 2 zones, or set allow_single_az to accept the risk",
                app_azs.len()
            ));
        }
        overrides.push("instances run in a single availability zone (allow_single_az): a zone failure takes the application down".to_owned());
    }
    let Capacity { min, desired, max } = props.capacity;
    if max < 1 {
        return Err(
            "capacity.max is 0; the group must be able to run at least one instance".into(),
        );
    }
    if min > desired || desired > max {
        return Err(format!(
            "capacity must satisfy min <= desired <= max; got min {min}, desired {desired}, max {max}"
        ));
    }
    if (min as usize) < app_azs.len() {
        if !props.allow_min_below_az_count {
            return Err(format!(
                "capacity.min is {min} but the instances span {} availability zones, so at minimum capacity some zone runs no instance; raise min to {}, or set allow_min_below_az_count to accept it",
                app_azs.len(),
                app_azs.len()
            ));
        }
        overrides.push(format!(
            "capacity.min {min} is below the {} availability zones (allow_min_below_az_count): at minimum capacity some zone runs no instance",
            app_azs.len()
        ));
    }
    let ru = &props.rolling_update;
    if ru.max_batch_size < 1 {
        return Err(
            "rolling_update.max_batch_size is 0; replace at least one instance per batch".into(),
        );
    }
    let min_in_service = ru.min_instances_in_service.unwrap_or(min);
    if min_in_service < min {
        return Err(format!(
            "rolling_update.min_instances_in_service is {min_in_service}, below capacity.min {min}; updates would take capacity below the minimum"
        ));
    }
    if min_in_service >= max {
        return Err(format!(
            "rolling_update.min_instances_in_service ({min_in_service}) must be below capacity.max ({max}) so replacements can start while old instances serve; raise capacity.max"
        ));
    }
    let pause_time = ru.pause_time.clone().unwrap_or_else(|| {
        if ru.wait_on_resource_signals {
            "PT15M"
        } else {
            "PT5M"
        }
        .to_owned()
    });
    match iso8601_seconds(&pause_time) {
        Some(s) if s <= MAX_PAUSE_SECONDS => {}
        Some(_) => {
            return Err(format!(
                "rolling_update.pause_time {pause_time:?} is longer than CloudFormation's limit of PT1H"
            ));
        }
        None => {
            return Err(format!(
                "rolling_update.pause_time {pause_time:?} is not an ISO-8601 duration such as PT5M or PT1H30S"
            ));
        }
    }
    if props.app_port == 0 {
        return Err("app_port is 0; give the port the application listens on (1 to 65535)".into());
    }
    check_rule_name("app_name", &props.app_name)?;
    check_health_check(&props.health_check)?;
    if !(1..=2).contains(&props.metadata_hop_limit) {
        return Err(format!(
            "metadata_hop_limit is {}; use 1 (the instance only) or 2 (containers on it), so stolen metadata tokens cannot travel further",
            props.metadata_hop_limit
        ));
    }
    let rv = &props.root_volume;
    if !rv.device_name.starts_with("/dev/") {
        return Err(format!(
            "root_volume.device_name {:?} is not a device name such as /dev/xvda",
            rv.device_name
        ));
    }
    if !(1..=16384).contains(&rv.size_gib) {
        return Err(format!(
            "root_volume.size_gib is {}; a gp3 volume is 1 to 16384 GiB",
            rv.size_gib
        ));
    }
    check_deregistration_delay(props.deregistration_delay)?;
    if props.tls_policy.is_empty() {
        return Err(format!(
            "tls_policy is empty; use {DEFAULT_TLS_POLICY} unless old clients need another"
        ));
    }
    if !tls_policy_is_modern(&props.tls_policy) {
        overrides.push(format!(
            "the HTTPS listener uses TLS policy {} which admits protocols older than TLS 1.2",
            props.tls_policy
        ));
    }
    if !props.deletion_protection {
        overrides.push(
            "load balancer deletion protection is off: a stack update or deletion can remove it"
                .to_owned(),
        );
    }
    Ok(Plan {
        app_azs: app_azs.len(),
        min_in_service,
        pause_time,
        overrides,
    })
}

impl LoadBalancedAsg {
    /// The logical ID of the Auto Scaling group a construct with this ID
    /// creates, for user data that calls `cfn-signal --resource`.
    pub fn group_logical_id(id: &str) -> String {
        format!("{id}{ASG_SUFFIX}")
    }

    /// Checks the props, then adds every resource to the stack. Nothing is
    /// added when a check fails.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        props: &LoadBalancedAsgProps,
    ) -> Result<LoadBalancedAsg, SynthError> {
        let name = format!("LoadBalancedAsg {id:?}");
        let plan = check(props).map_err(|m| SynthError::props(&name, m))?;
        for suffix in SUFFIXES {
            crate::stack::check_logical_id(&format!("{id}{suffix}"), "Resources")?;
        }

        let net = &props.network;
        let mut opened_ports = BTreeSet::new();
        if props.open_ports {
            open_load_balancer(stack, net, props.dualstack)?;
            open_port(
                stack,
                net,
                props.app_port,
                &format!("{} from the load balancer", props.app_name),
            )?;
            opened_ports.insert(props.app_port);
        }
        let mut role_props = InstanceRoleProps::ssm_only(format!(
            "Instances of {id}: Systems Manager and the CloudWatch agent"
        ));
        role_props
            .aws_managed_policies
            .push(CLOUDWATCH_AGENT_POLICY.to_owned());
        role_props.inline_policies = props.inline_policies.clone();
        let role = InstanceRole::new(stack, id, &role_props)?;

        let user_data = match &props.user_data {
            Some(script) => Some(script.render(&Handle::new(format!("{id}LoadBalancer")))?),
            None => None,
        };
        let launch_template = stack.add(
            &format!("{id}LaunchTemplate"),
            launch_template(id, props, &role, user_data),
        )?;

        let target_group = stack.add(
            &format!("{id}TargetGroup"),
            target_group(
                &net.vpc_id,
                props.app_port,
                &props.health_check,
                props.deregistration_delay,
            ),
        )?;
        let lb_attributes = match &props.access_logs {
            Some(logs) => logs.dependencies.iter().fold(Attributes::new(), |a, dep| {
                a.depends_on_logical_id(dep.as_str())
            }),
            // Access logs are a forensic record, and nothing else stands in
            // for them: the suppression says only who turned them off.
            None => Attributes::new().metadata(
                checkov::METADATA_KEY,
                checkov::skips(&[checkov::Skip {
                    id: "CKV_AWS_91",
                    comment: ACCESS_LOGS_OFF_REASON,
                }]),
            ),
        };
        let load_balancer = stack.add_with(
            &format!("{id}LoadBalancer"),
            load_balancer(props),
            lb_attributes,
        )?;
        let http_listener = stack.add(
            &format!("{id}HttpListener"),
            Listener::new(
                vec![Action::redirect(
                    RedirectConfig::new(listener::StatusCode::Http301)
                        .protocol("HTTPS")
                        .port("443")
                        .host("#{host}")
                        .path("/#{path}")
                        .query("#{query}"),
                )],
                load_balancer.reference(),
            )
            .port(80)
            .protocol(listener::Protocol::Http),
        )?;
        let https_listener = stack.add(
            &format!("{id}HttpsListener"),
            Listener::new(
                vec![Action::forward(target_group.reference())],
                load_balancer.reference(),
            )
            .port(443)
            .protocol(listener::Protocol::Https)
            .ssl_policy(props.tls_policy.as_str())
            .certificates(vec![
                Certificate::new().certificate_arn(props.certificate_arn.clone()),
            ]),
        )?;

        let ru = &props.rolling_update;
        let suspend: Vec<String> = match &ru.suspend_processes {
            Some(list) => list.clone(),
            None if ru.wait_on_resource_signals => SUSPEND_WITH_SIGNALS.map(str::to_owned).to_vec(),
            None => SUSPEND_WITHOUT_SIGNALS.map(str::to_owned).to_vec(),
        };
        let mut rolling = AutoScalingRollingUpdate::new()
            .max_batch_size(ru.max_batch_size)
            .min_instances_in_service(plan.min_in_service)
            .pause_time(plan.pause_time.as_str())
            .wait_on_resource_signals(ru.wait_on_resource_signals);
        if !suspend.is_empty() {
            rolling = rolling.suspend_processes(suspend);
        }
        let update_policy = AsgUpdatePolicy::new()
            .auto_scaling_rolling_update(rolling)
            .auto_scaling_scheduled_action(
                AutoScalingScheduledAction::new().ignore_unmodified_group_size_properties(true),
            );
        let mut attributes = Attributes::new()
            .update_policy(crate::template::ToExpr::to_expr(&update_policy))
            .depends_on(&https_listener);
        for dep in &props.group_dependencies {
            attributes = attributes.depends_on_logical_id(dep.as_str());
        }
        if ru.wait_on_resource_signals {
            let creation = AsgCreationPolicy::new().resource_signal(
                ResourceSignal::new()
                    .count(props.capacity.desired)
                    .timeout(plan.pause_time.as_str()),
            );
            attributes = attributes.creation_policy(crate::template::ToExpr::to_expr(&creation));
        }

        let mut group = AutoScalingGroup::new(props.capacity.max, props.capacity.min)
            .launch_template(
                LaunchTemplateSpecification::new(launch_template.latest_version_number())
                    .launch_template_id(launch_template.reference()),
            )
            .desired_capacity(props.capacity.desired)
            .vpc_zone_identifier(
                net.private_subnets
                    .iter()
                    .map(|s| Value::from(s.handle.reference()))
                    .collect::<Vec<_>>(),
            )
            .target_group_arns(vec![Value::from(target_group.reference())])
            .health_check_type("ELB")
            .health_check_grace_period(props.health_check_grace_period)
            .notification_configurations(vec![
                NotificationConfiguration::new(props.notification_topic.reference())
                    .notification_types(LAUNCH_AND_TERMINATE_NOTIFICATIONS.to_vec()),
            ]);
        if props.group_metrics {
            group = group.metrics_collection(vec![MetricsCollection::new("1Minute")]);
        }
        let auto_scaling_group = stack.add_with(&Self::group_logical_id(id), group, attributes)?;

        for message in plan.overrides {
            stack.record_override(&name, message);
        }
        Ok(LoadBalancedAsg {
            role: role.role,
            instance_profile: role.instance_profile,
            launch_template,
            auto_scaling_group,
            targets: vec![AppTarget {
                id: id.to_owned(),
                target_group: target_group.clone(),
                rule: None,
                port: props.app_port,
                priority: 0,
            }],
            target_group,
            load_balancer,
            http_listener,
            https_listener,
            az_count: plan.app_azs,
            load_balancer_security_group: net.load_balancer_security_group.clone(),
            app_security_group: net.app_security_group.clone(),
            id: id.to_owned(),
            vpc_id: net.vpc_id.clone(),
            open_ports: props.open_ports,
            opened_ports,
        })
    }

    /// Serves one more application on the same instances: a target group
    /// `<target_id>TargetGroup` on its port, a rule `<target_id>ListenerRule`
    /// on the HTTPS listener that forwards its paths there, the group's
    /// instances registered with it (so a failing health check of either
    /// application replaces the instance), and, unless `open_ports` is off,
    /// its port opened from the load balancer's group. The group waits for
    /// the rule, so instances register once the target group is reachable.
    pub fn add_target(
        &mut self,
        stack: &mut Stack,
        target_id: &str,
        props: &AppTargetProps,
    ) -> Result<Handle<TargetGroup>, SynthError> {
        let name = format!("LoadBalancedAsg {:?}: target {target_id:?}", self.id);
        let priorities: BTreeSet<u16> = self
            .targets
            .iter()
            .filter_map(|t| t.rule.as_ref().map(|_| t.priority))
            .collect();
        check_target(props, &priorities).map_err(|m| SynthError::props(&name, m))?;
        if self.open_ports && !self.opened_ports.contains(&props.port) {
            let groups = AsgNetwork {
                vpc_id: self.vpc_id.clone(),
                public_subnets: Vec::new(),
                private_subnets: Vec::new(),
                load_balancer_security_group: self.load_balancer_security_group.clone(),
                app_security_group: self.app_security_group.clone(),
            };
            open_port(
                stack,
                &groups,
                props.port,
                &format!("{} from the load balancer", props.name),
            )?;
            self.opened_ports.insert(props.port);
        }
        let target_group = stack.add(
            &format!("{target_id}TargetGroup"),
            target_group(
                &self.vpc_id,
                props.port,
                &props.health_check,
                props.deregistration_delay,
            ),
        )?;
        let rule = stack.add(
            &format!("{target_id}ListenerRule"),
            ListenerRule::new(
                vec![RuleAction::forward(target_group.reference())],
                vec![RuleCondition::path_pattern(props.path_patterns.clone())],
                props.priority,
            )
            .listener_arn(self.https_listener.reference()),
        )?;
        stack
            .attributes_mut(&self.auto_scaling_group)?
            .add_dependency(&rule);
        let group = stack.get_mut(&self.auto_scaling_group)?;
        match &mut group.target_group_arns {
            Some(Value::Lit(arns)) => arns.push(target_group.reference().into()),
            other => *other = Some(vec![Value::from(target_group.reference())].into()),
        }
        self.targets.push(AppTarget {
            id: target_id.to_owned(),
            target_group: target_group.clone(),
            rule: Some(rule),
            port: props.port,
            priority: props.priority,
        });
        Ok(target_group)
    }

    /// `https://<load balancer DNS name>`, for outputs.
    pub fn url(&self) -> Intrinsic {
        fns::sub(format!(
            "https://${{{}.DNSName}}",
            self.load_balancer.logical_id()
        ))
    }
}

fn launch_template(
    id: &str,
    props: &LoadBalancedAsgProps,
    role: &InstanceRole,
    user_data: Option<Value<String>>,
) -> LaunchTemplate {
    let rv = &props.root_volume;
    let mut ebs = LaunchTemplateEbs::new()
        .volume_type(launch_template::VolumeType::Gp3)
        .volume_size(rv.size_gib)
        .encrypted(true)
        .delete_on_termination(true);
    if let Some(key) = &rv.kms_key_id {
        ebs = ebs.kms_key_id(key.clone());
    }
    let name_tag = |resource_type: launch_template::ResourceType| {
        TagSpecification::new()
            .resource_type(resource_type)
            .tags(vec![Tag::new(
                "Name",
                fns::sub(format!("${{{}}}-{id}", fns::STACK_NAME)),
            )])
    };
    let mut data = LaunchTemplateData::new()
        .image_id(props.image_id.clone())
        .instance_type(props.instance_type.clone())
        .iam_instance_profile(
            IamInstanceProfileSpecification::new().arn(role.instance_profile.arn()),
        )
        .metadata_options(
            MetadataOptions::new()
                .http_endpoint(launch_template::HttpEndpoint::Enabled)
                .http_tokens(launch_template::HttpTokens::Required)
                .http_put_response_hop_limit(props.metadata_hop_limit)
                .instance_metadata_tags(launch_template::InstanceMetadataTags::Disabled),
        )
        .block_device_mappings(vec![
            LaunchTemplateBlockDeviceMapping::new()
                .device_name(rv.device_name.as_str())
                .ebs(ebs),
        ])
        .network_interfaces(vec![
            LaunchTemplateNetworkInterface::new()
                .device_index(0)
                .associate_public_ip_address(false)
                .delete_on_termination(true)
                .groups(vec![Value::from(
                    props.network.app_security_group.group_id(),
                )]),
        ])
        .monitoring(LaunchTemplateMonitoring::new().enabled(props.detailed_monitoring))
        .tag_specifications(vec![
            name_tag(launch_template::ResourceType::Instance),
            name_tag(launch_template::ResourceType::Volume),
        ]);
    if let Some(user_data) = &user_data {
        data = data.user_data(fns::base64(crate::template::ToExpr::to_expr(user_data)));
    }
    if let Some(key) = &props.key_name {
        data = data.key_name(key.clone());
    }
    LaunchTemplate::new(data)
}

/// HTTP to `port` on the instances, checked by `hc`.
fn target_group(
    vpc_id: &Value<String>,
    port: u16,
    hc: &TargetHealthCheck,
    deregistration_delay: u32,
) -> TargetGroup {
    TargetGroup::new()
        .target_type(target_group::TargetType::Instance)
        .protocol(target_group::Protocol::Http)
        .port(port)
        .vpc_id(vpc_id.clone())
        .health_check_enabled(true)
        .health_check_protocol(target_group::HealthCheckProtocol::Http)
        .health_check_path(hc.path.as_str())
        .health_check_interval_seconds(hc.interval_seconds)
        .health_check_timeout_seconds(hc.timeout_seconds)
        .healthy_threshold_count(hc.healthy_threshold)
        .unhealthy_threshold_count(hc.unhealthy_threshold)
        .matcher(Matcher::new().http_code(hc.matcher.as_str()))
        .target_group_attributes(vec![TargetGroupAttribute::pair(
            "deregistration_delay.timeout_seconds",
            deregistration_delay.to_string(),
        )])
}

/// Why a load balancer without access logs is suppressed for checkov.
pub const ACCESS_LOGS_OFF_REASON: &str = "Access logs are off because the caller gave no log bucket \
    (LoadBalancedAsgProps::access_logs): a choice of the blueprint for this environment, which then \
    keeps no record of requests; give one (a LogBucket construct hands it out) to keep them";

/// The reason port 80 is open to the internet, for checkov.
const HTTP_REDIRECT_REASON: &str = "Port 80 on the load balancer only answers with a redirect to HTTPS \
    (the HTTP listener has no forward action), so users who type the bare domain still arrive; \
    no content is served over HTTP.";

/// HTTP (redirected) and HTTPS from the whole internet into the load
/// balancer's group, IPv6 too when the load balancer is dual-stack. A rule
/// the stack already has (another construct on the same groups, or the
/// caller's own) is the same traffic by its ID, and is kept as it is.
fn open_load_balancer(
    stack: &mut Stack,
    net: &AsgNetwork,
    dualstack: bool,
) -> Result<(), SynthError> {
    let group = &net.load_balancer_security_group;
    let mut peers = vec![Peer::anywhere()];
    if dualstack {
        peers.push(Peer::anywhere_ipv6());
    }
    for peer in &peers {
        if !stack.contains(&group.ingress_logical_id(peer, Traffic::tcp(80))) {
            let http = group.allow_from(
                stack,
                peer,
                Traffic::tcp(80),
                "HTTP from users, redirected to HTTPS",
            )?;
            stack.attributes_mut(&http)?.set_metadata(
                checkov::METADATA_KEY,
                checkov::skips(&[checkov::Skip {
                    id: "CKV_AWS_260",
                    comment: HTTP_REDIRECT_REASON,
                }]),
            );
        }
        if !stack.contains(&group.ingress_logical_id(peer, Traffic::tcp(443))) {
            group.allow_from(stack, peer, Traffic::tcp(443), "HTTPS from users")?;
        }
    }
    Ok(())
}

/// `port` from the load balancer's group into the instances' group, unless
/// the stack already has that rule.
fn open_port(
    stack: &mut Stack,
    net: &AsgNetwork,
    port: u16,
    description: &str,
) -> Result<(), SynthError> {
    let peer = Peer::group(&net.load_balancer_security_group);
    if !stack.contains(
        &net.app_security_group
            .ingress_logical_id(&peer, Traffic::tcp(port)),
    ) {
        net.app_security_group
            .allow_from(stack, &peer, Traffic::tcp(port), description)?;
    }
    Ok(())
}

fn load_balancer(props: &LoadBalancedAsgProps) -> LoadBalancer {
    let flag = |b: bool| if b { "true" } else { "false" };
    let mut attributes: List<LoadBalancerAttribute> = vec![
        Value::Lit(LoadBalancerAttribute::pair(
            "deletion_protection.enabled",
            flag(props.deletion_protection),
        )),
        Value::Lit(LoadBalancerAttribute::pair(
            "routing.http.drop_invalid_header_fields.enabled",
            "true",
        )),
    ];
    if let Some(logs) = &props.access_logs {
        attributes.push(Value::Lit(LoadBalancerAttribute::pair(
            "access_logs.s3.enabled",
            "true",
        )));
        attributes.push(Value::Lit(LoadBalancerAttribute::pair(
            "access_logs.s3.bucket",
            logs.bucket.clone(),
        )));
        if let Some(prefix) = &logs.prefix {
            attributes.push(Value::Lit(LoadBalancerAttribute::pair(
                "access_logs.s3.prefix",
                prefix.as_str(),
            )));
        }
    }
    LoadBalancer::new()
        .type_(load_balancer::Type::Application)
        .scheme(load_balancer::Scheme::InternetFacing)
        .ip_address_type(if props.dualstack {
            load_balancer::IpAddressType::Dualstack
        } else {
            load_balancer::IpAddressType::Ipv4
        })
        .subnets(
            props
                .network
                .public_subnets
                .iter()
                .map(|s| Value::from(s.handle.reference()))
                .collect::<Vec<_>>(),
        )
        .security_groups(vec![Value::from(
            props.network.load_balancer_security_group.group_id(),
        )])
        .load_balancer_attributes(attributes)
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::{Value as Json, json};

    use super::*;
    use crate::template::json::to_json_value;

    pub(crate) fn subnet(id: &str, az: usize, kind: SubnetKind) -> SubnetInfo {
        SubnetInfo {
            handle: Handle::new(id),
            az_index: az,
            cidr: format!("10.0.{}.0/24", az * 10 + kind as usize)
                .parse()
                .unwrap(),
            kind,
        }
    }

    pub(crate) fn network() -> AsgNetwork {
        AsgNetwork {
            vpc_id: Intrinsic::Ref("Vpc".into()).into(),
            public_subnets: vec![
                subnet("PublicA", 0, SubnetKind::Public),
                subnet("PublicB", 1, SubnetKind::Public),
            ],
            private_subnets: vec![
                subnet("PrivateA", 0, SubnetKind::Private),
                subnet("PrivateB", 1, SubnetKind::Private),
            ],
            load_balancer_security_group: security_group::SecurityGroup::existing(
                "Alb",
                Handle::new("AlbSecurityGroup"),
            ),
            app_security_group: security_group::SecurityGroup::existing(
                "App",
                Handle::new("AppSecurityGroup"),
            ),
        }
    }

    pub(crate) fn props() -> LoadBalancedAsgProps {
        LoadBalancedAsgProps::new(
            network(),
            Intrinsic::Ref("AmiId".into()),
            Intrinsic::Ref("CertificateArn".into()),
            Handle::new("Alerts"),
        )
    }

    fn build(props: &LoadBalancedAsgProps) -> (Stack, Result<LoadBalancedAsg, SynthError>) {
        let mut stack = Stack::new("t");
        let out = LoadBalancedAsg::new(&mut stack, "Web", props);
        (stack, out)
    }

    fn resources(stack: &Stack) -> Json {
        to_json_value(&stack.template().unwrap().to_expr())["Resources"].clone()
    }

    /// Builds with `change` applied to the default props and returns the
    /// error message; the stack must stay empty.
    fn error_of(change: impl FnOnce(&mut LoadBalancedAsgProps)) -> String {
        let mut p = props();
        change(&mut p);
        let (stack, out) = build(&p);
        let err = out.expect_err("props should be refused");
        assert!(
            stack.template().unwrap().resources.is_empty(),
            "nothing may be written when props are refused"
        );
        let msg = err.to_string();
        assert!(msg.starts_with("LoadBalancedAsg \"Web\": "), "{msg}");
        msg
    }

    #[test]
    fn logical_ids_derive_from_the_construct_id() {
        let (stack, out) = build(&props());
        let out = out.unwrap();
        let template = stack.template().unwrap();
        let ids: Vec<&str> = template.resources.keys().map(String::as_str).collect();
        let rules = [
            "AlbIngressTcp80FromAnywhere",
            "AlbIngressTcp443FromAnywhere",
            "AppIngressTcp8080FromAlb",
        ];
        assert_eq!(ids[..3], rules);
        let expected: Vec<String> = SUFFIXES.iter().map(|s| format!("Web{s}")).collect();
        assert_eq!(ids[3..], expected);
        assert_eq!(
            ids[3..],
            [
                "WebRole",
                "WebInstanceProfile",
                "WebLaunchTemplate",
                "WebTargetGroup",
                "WebLoadBalancer",
                "WebHttpListener",
                "WebHttpsListener",
                "WebAsg"
            ]
        );
        assert_eq!(out.auto_scaling_group.logical_id(), "WebAsg");
        assert_eq!(LoadBalancedAsg::group_logical_id("Web"), "WebAsg");
        assert_eq!(out.https_listener.logical_id(), "WebHttpsListener");
        assert_eq!(out.az_count, 2);
        assert!(stack.overrides().is_empty());
    }

    #[test]
    fn network_from_the_vpc_construct_takes_public_and_private_subnets() {
        let mut stack = Stack::new("t");
        let vpc = Vpc::new(
            &mut stack,
            "Net",
            crate::constructs::vpc::VpcProps::default(),
        )
        .unwrap();
        let alb = security_group::SecurityGroup::new(&mut stack, "Alb", &vpc, "lb").unwrap();
        let app = security_group::SecurityGroup::new(&mut stack, "App", &vpc, "app").unwrap();
        let net = AsgNetwork::from_vpc(&vpc, &alb, &app);
        assert_eq!(net.public_subnets.len(), 2);
        assert!(
            net.public_subnets
                .iter()
                .all(|s| s.kind == SubnetKind::Public)
        );
        assert_eq!(net.private_subnets.len(), 2);
        assert!(
            net.private_subnets
                .iter()
                .all(|s| s.kind == SubnetKind::Private)
        );
        assert_eq!(net.load_balancer_security_group.handle(), alb.handle());
        assert_eq!(net.app_security_group.handle(), app.handle());
        let mut p = props();
        p.network = net;
        let out = LoadBalancedAsg::new(&mut stack, "Web", &p).unwrap();
        assert_eq!(out.az_count, 2);
    }

    #[test]
    fn role_has_ssm_and_cloudwatch_agent_only() {
        let (stack, _) = build(&props());
        let r = resources(&stack);
        assert_eq!(
            r["WebRole"]["Properties"]["ManagedPolicyArns"],
            json!([
                {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"},
                {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/CloudWatchAgentServerPolicy"},
            ])
        );
        assert!(r["WebRole"]["Properties"].get("Policies").is_none());
    }

    #[test]
    fn launch_template_is_imdsv2_private_and_encrypted() {
        let mut p = props();
        p.user_data = Some(UserData::text("#!/bin/bash\necho hi\n"));
        let (stack, _) = build(&p);
        let data = &resources(&stack)["WebLaunchTemplate"]["Properties"]["LaunchTemplateData"];
        assert_eq!(data["ImageId"], json!({"Ref": "AmiId"}));
        assert_eq!(data["InstanceType"], "t3.small");
        assert_eq!(
            data["MetadataOptions"],
            json!({"HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1,
                "HttpTokens": "required", "InstanceMetadataTags": "disabled"})
        );
        assert_eq!(
            data["NetworkInterfaces"],
            json!([{"AssociatePublicIpAddress": false, "DeleteOnTermination": true,
                "DeviceIndex": 0, "Groups": [{"Fn::GetAtt": ["AppSecurityGroup", "GroupId"]}]}])
        );
        assert!(data.get("SecurityGroupIds").is_none());
        assert_eq!(
            data["BlockDeviceMappings"],
            json!([{"DeviceName": "/dev/xvda", "Ebs": {"DeleteOnTermination": true,
                "Encrypted": true, "VolumeSize": 20, "VolumeType": "gp3"}}])
        );
        assert_eq!(
            data["IamInstanceProfile"],
            json!({"Arn": {"Fn::GetAtt": ["WebInstanceProfile", "Arn"]}})
        );
        assert_eq!(data["Monitoring"], json!({"Enabled": true}));
        assert_eq!(
            data["UserData"],
            json!({"Fn::Base64": "#!/bin/bash\necho hi\n"})
        );
        assert!(data.get("KeyName").is_none());
        assert_eq!(
            data["TagSpecifications"][0],
            json!({"ResourceType": "instance",
                "Tags": [{"Key": "Name", "Value": {"Fn::Sub": "${AWS::StackName}-Web"}}]})
        );
        assert_eq!(data["TagSpecifications"][1]["ResourceType"], "volume");
    }

    #[test]
    fn stack_tags_reach_the_instances_twice_over() {
        let mut stack = Stack::new("t");
        stack.tag("Project", "swiftcode");
        LoadBalancedAsg::new(&mut stack, "Web", &props()).unwrap();
        let r = resources(&stack);
        let lt_specs =
            &r["WebLaunchTemplate"]["Properties"]["LaunchTemplateData"]["TagSpecifications"];
        assert_eq!(
            lt_specs[0]["Tags"][1],
            json!({"Key": "Project", "Value": "swiftcode"})
        );
        assert_eq!(
            r["WebAsg"]["Properties"]["Tags"],
            json!([{"Key": "Project", "Value": "swiftcode", "PropagateAtLaunch": true}])
        );
    }

    #[test]
    fn key_pair_and_kms_key_are_passed_through() {
        let mut p = props();
        p.key_name = Some(Intrinsic::Ref("KeyName".into()).into());
        p.root_volume.kms_key_id = Some(Value::from("alias/ebs"));
        p.metadata_hop_limit = 2;
        let (stack, _) = build(&p);
        let data = &resources(&stack)["WebLaunchTemplate"]["Properties"]["LaunchTemplateData"];
        assert_eq!(data["KeyName"], json!({"Ref": "KeyName"}));
        assert_eq!(
            data["BlockDeviceMappings"][0]["Ebs"]["KmsKeyId"],
            "alias/ebs"
        );
        assert_eq!(data["MetadataOptions"]["HttpPutResponseHopLimit"], 2);
    }

    #[test]
    fn group_spans_the_private_subnets_with_elb_health_and_notifications() {
        let (stack, _) = build(&props());
        let asg = &resources(&stack)["WebAsg"];
        let p = &asg["Properties"];
        assert_eq!(p["MinSize"], 2);
        assert_eq!(p["DesiredCapacity"], 2);
        assert_eq!(p["MaxSize"], 6);
        assert_eq!(
            p["VPCZoneIdentifier"],
            json!([{"Ref": "PrivateA"}, {"Ref": "PrivateB"}])
        );
        assert_eq!(
            p["LaunchTemplate"],
            json!({"LaunchTemplateId": {"Ref": "WebLaunchTemplate"},
                "Version": {"Fn::GetAtt": ["WebLaunchTemplate", "LatestVersionNumber"]}})
        );
        assert_eq!(p["TargetGroupARNs"], json!([{"Ref": "WebTargetGroup"}]));
        assert_eq!(p["HealthCheckType"], "ELB");
        assert_eq!(p["HealthCheckGracePeriod"], 300);
        assert_eq!(
            p["NotificationConfigurations"],
            json!([{"TopicARN": {"Ref": "Alerts"}, "NotificationTypes": [
                "autoscaling:EC2_INSTANCE_LAUNCH", "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
                "autoscaling:EC2_INSTANCE_TERMINATE", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"]}])
        );
        assert_eq!(p["MetricsCollection"], json!([{"Granularity": "1Minute"}]));
        assert_eq!(asg["DependsOn"], "WebHttpsListener");
        assert!(asg.get("CreationPolicy").is_none());
    }

    #[test]
    fn rolling_update_keeps_the_minimum_in_service() {
        let (stack, _) = build(&props());
        assert_eq!(
            resources(&stack)["WebAsg"]["UpdatePolicy"],
            json!({
                "AutoScalingRollingUpdate": {
                    "MaxBatchSize": 1,
                    "MinInstancesInService": 2,
                    "PauseTime": "PT5M",
                    "SuspendProcesses": ["AZRebalance", "AlarmNotification", "ScheduledActions"],
                    "WaitOnResourceSignals": false,
                },
                "AutoScalingScheduledAction": {"IgnoreUnmodifiedGroupSizeProperties": true},
            })
        );
    }

    #[test]
    fn signals_add_a_creation_policy_and_suspend_health_replacement() {
        let mut p = props();
        p.rolling_update.wait_on_resource_signals = true;
        p.capacity = Capacity {
            min: 2,
            desired: 3,
            max: 6,
        };
        let (stack, _) = build(&p);
        let asg = &resources(&stack)["WebAsg"];
        assert_eq!(
            asg["CreationPolicy"],
            json!({"ResourceSignal": {"Count": 3, "Timeout": "PT15M"}})
        );
        let ru = &asg["UpdatePolicy"]["AutoScalingRollingUpdate"];
        assert_eq!(ru["WaitOnResourceSignals"], true);
        assert_eq!(ru["PauseTime"], "PT15M");
        assert_eq!(ru["SuspendProcesses"][0], "HealthCheck");
    }

    #[test]
    fn extra_group_dependencies_are_listed_after_the_listener() {
        let nat_route: Handle<crate::resources::ec2::Route> = Handle::new("PrivateARoute");
        let p = props().group_depends_on(&nat_route);
        let (stack, _) = build(&p);
        assert_eq!(
            resources(&stack)["WebAsg"]["DependsOn"],
            json!(["WebHttpsListener", "PrivateARoute"])
        );
    }

    #[test]
    fn target_group_checks_the_app_port_and_path() {
        let mut p = props();
        p.health_check.path = "/health".into();
        p.health_check.matcher = "200-299".into();
        let (stack, _) = build(&p);
        let tg = &resources(&stack)["WebTargetGroup"]["Properties"];
        assert_eq!(
            *tg,
            json!({
                "HealthCheckEnabled": true,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckPath": "/health",
                "HealthCheckProtocol": "HTTP",
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "Matcher": {"HttpCode": "200-299"},
                "Port": 8080,
                "Protocol": "HTTP",
                "TargetGroupAttributes": [
                    {"Key": "deregistration_delay.timeout_seconds", "Value": "60"}],
                "TargetType": "instance",
                "UnhealthyThresholdCount": 3,
                "VpcId": {"Ref": "Vpc"},
            })
        );
    }

    #[test]
    fn load_balancer_is_internet_facing_and_drops_invalid_headers() {
        let (stack, _) = build(&props());
        let lb = &resources(&stack)["WebLoadBalancer"]["Properties"];
        assert_eq!(
            *lb,
            json!({
                "IpAddressType": "ipv4",
                "LoadBalancerAttributes": [
                    {"Key": "deletion_protection.enabled", "Value": "true"},
                    {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                ],
                "Scheme": "internet-facing",
                "SecurityGroups": [{"Fn::GetAtt": ["AlbSecurityGroup", "GroupId"]}],
                "Subnets": [{"Ref": "PublicA"}, {"Ref": "PublicB"}],
                "Type": "application",
            })
        );
    }

    #[test]
    fn without_access_logs_the_checkov_finding_is_suppressed_with_a_reason() {
        let (stack, _) = build(&props());
        let skip = &resources(&stack)["WebLoadBalancer"]["Metadata"]["checkov"]["skip"];
        assert_eq!(skip[0]["id"], "CKV_AWS_91");
        let comment = skip[0]["comment"].as_str().unwrap();
        assert!(comment.contains("access_logs"));
        // Regression: the reason argued availability for what is a forensic
        // control; it now says only whose choice it is and what it costs.
        assert!(!comment.contains("availability"), "{comment}");
        assert!(comment.contains("no record of requests"), "{comment}");
    }

    #[test]
    fn access_logs_and_dualstack_are_opt_in() {
        let mut p = props();
        p.access_logs = Some(AccessLogs {
            bucket: Intrinsic::Ref("LogBucket".into()).into(),
            prefix: Some("alb".into()),
            dependencies: vec!["LogBucketPolicy".into()],
        });
        p.dualstack = true;
        let (stack, _) = build(&p);
        assert!(
            resources(&stack)["WebLoadBalancer"]
                .get("Metadata")
                .is_none(),
            "logs on: no suppression"
        );
        assert_eq!(
            resources(&stack)["WebLoadBalancer"]["DependsOn"],
            "LogBucketPolicy",
            "Elastic Load Balancing checks the bucket policy when logging is turned on"
        );
        let lb = &resources(&stack)["WebLoadBalancer"]["Properties"];
        assert_eq!(lb["IpAddressType"], "dualstack");
        assert_eq!(
            lb["LoadBalancerAttributes"].as_array().unwrap()[2..],
            [
                json!({"Key": "access_logs.s3.enabled", "Value": "true"}),
                json!({"Key": "access_logs.s3.bucket", "Value": {"Ref": "LogBucket"}}),
                json!({"Key": "access_logs.s3.prefix", "Value": "alb"}),
            ]
        );
    }

    #[test]
    fn http_redirects_to_https_which_forwards_with_a_modern_tls_policy() {
        let (stack, out) = build(&props());
        let r = resources(&stack);
        assert_eq!(
            r["WebHttpListener"]["Properties"],
            json!({
                "DefaultActions": [{"Type": "redirect", "RedirectConfig": {
                    "Host": "#{host}", "Path": "/#{path}", "Port": "443",
                    "Protocol": "HTTPS", "Query": "#{query}", "StatusCode": "HTTP_301"}}],
                "LoadBalancerArn": {"Ref": "WebLoadBalancer"},
                "Port": 80,
                "Protocol": "HTTP",
            })
        );
        assert_eq!(
            r["WebHttpsListener"]["Properties"],
            json!({
                "Certificates": [{"CertificateArn": {"Ref": "CertificateArn"}}],
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "WebTargetGroup"}}],
                "LoadBalancerArn": {"Ref": "WebLoadBalancer"},
                "Port": 443,
                "Protocol": "HTTPS",
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            })
        );
        assert_eq!(
            to_json_value(&crate::template::ToExpr::to_expr(&out.unwrap().url())),
            json!({"Fn::Sub": "https://${WebLoadBalancer.DNSName}"})
        );
    }

    #[test]
    fn overridden_safe_defaults_are_recorded() {
        let mut p = props();
        p.deletion_protection = false;
        p.tls_policy = "ELBSecurityPolicy-2016-08".into();
        p.network.private_subnets.truncate(1);
        p.allow_single_az = true;
        p.capacity = Capacity {
            min: 0,
            desired: 1,
            max: 2,
        };
        p.allow_min_below_az_count = true;
        let (stack, out) = build(&p);
        out.unwrap();
        let messages: Vec<&str> = stack
            .overrides()
            .iter()
            .map(|o| {
                assert_eq!(o.construct, "LoadBalancedAsg \"Web\"");
                o.message.as_str()
            })
            .collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].contains("single availability zone"));
        assert!(messages[1].contains("capacity.min 0"));
        assert!(messages[2].contains("TLS"));
        assert!(messages[3].contains("deletion protection"));
        let r = resources(&stack);
        assert_eq!(
            r["WebLoadBalancer"]["Properties"]["LoadBalancerAttributes"][0]["Value"],
            "false"
        );
    }

    #[test]
    fn bad_subnets_are_refused() {
        assert!(error_of(|p| p.network.private_subnets.clear()).contains("no private subnets"));
        assert!(
            error_of(|p| p.network.private_subnets[1].kind = SubnetKind::Public)
                .contains("PrivateB (Public subnet, AZ index 1) is not Private")
        );
        assert!(
            error_of(|p| p.network.public_subnets[0].kind = SubnetKind::Isolated)
                .contains("PublicA (Isolated subnet, AZ index 0) is not Public")
        );
        assert!(
            error_of(|p| p.network.public_subnets.truncate(1))
                .contains("public subnets in 1 availability zone(s)")
        );
        assert!(
            error_of(|p| p.network.public_subnets[1].az_index = 0)
                .contains("public subnets in 1 availability zone(s)")
        );
        assert!(
            error_of(|p| p.network.private_subnets.push(subnet(
                "PrivateC",
                2,
                SubnetKind::Private
            )))
            .contains("no public subnet there")
        );
        assert!(error_of(|p| p.network.private_subnets.truncate(1)).contains("allow_single_az"));
    }

    #[test]
    fn bad_capacity_is_refused() {
        let cap = |min, desired, max| Capacity { min, desired, max };
        assert!(error_of(|p| p.capacity = cap(0, 0, 0)).contains("capacity.max is 0"));
        assert!(
            error_of(|p| p.capacity = cap(3, 2, 6)).contains("min <= desired <= max; got min 3")
        );
        assert!(
            error_of(|p| p.capacity = cap(2, 7, 6))
                .contains("min <= desired <= max; got min 2, desired 7")
        );
        assert!(error_of(|p| p.capacity = cap(1, 2, 6)).contains("allow_min_below_az_count"));
    }

    #[test]
    fn bad_rolling_updates_are_refused() {
        assert!(error_of(|p| p.rolling_update.max_batch_size = 0).contains("max_batch_size is 0"));
        assert!(
            error_of(|p| p.rolling_update.min_instances_in_service = Some(1))
                .contains("below capacity.min 2")
        );
        assert!(
            error_of(|p| p.capacity = Capacity {
                min: 2,
                desired: 2,
                max: 2
            })
            .contains("must be below capacity.max (2)")
        );
        assert!(
            error_of(|p| p.rolling_update.pause_time = Some("PT2H".into()))
                .contains("longer than CloudFormation's limit of PT1H")
        );
        assert!(
            error_of(|p| p.rolling_update.pause_time = Some("5 minutes".into()))
                .contains("not an ISO-8601 duration")
        );
    }

    #[test]
    fn bad_ports_health_checks_and_instances_are_refused() {
        assert!(error_of(|p| p.app_port = 0).contains("app_port is 0"));
        assert!(error_of(|p| p.health_check.path = "health".into()).contains("must start with /"));
        assert!(error_of(|p| p.health_check.matcher = "ok".into()).contains("matcher \"ok\""));
        assert!(error_of(|p| p.health_check.matcher = "500".into()).contains("matcher"));
        assert!(error_of(|p| p.health_check.matcher = "299-200".into()).contains("matcher"));
        assert!(
            error_of(|p| p.health_check.interval_seconds = 400).contains("interval_seconds is 400")
        );
        assert!(
            error_of(|p| p.health_check.timeout_seconds = 15)
                .contains("below interval_seconds (15)")
        );
        assert!(
            error_of(|p| p.health_check.healthy_threshold = 1).contains("healthy_threshold is 1")
        );
        assert!(
            error_of(|p| p.health_check.unhealthy_threshold = 11)
                .contains("unhealthy_threshold is 11")
        );
        assert!(error_of(|p| p.metadata_hop_limit = 3).contains("metadata_hop_limit is 3"));
        assert!(error_of(|p| p.metadata_hop_limit = 0).contains("metadata_hop_limit is 0"));
        assert!(
            error_of(|p| p.root_volume.device_name = "xvda".into()).contains("not a device name")
        );
        assert!(error_of(|p| p.root_volume.size_gib = 0).contains("size_gib is 0"));
        assert!(
            error_of(|p| p.deregistration_delay = 3601).contains("deregistration_delay is 3601")
        );
        assert!(error_of(|p| p.tls_policy.clear()).contains("tls_policy is empty"));
    }

    #[test]
    fn an_id_too_long_for_its_suffixes_writes_nothing() {
        let mut stack = Stack::new("t");
        let id = "W".repeat(242);
        let err = LoadBalancedAsg::new(&mut stack, &id, &props()).unwrap_err();
        assert!(matches!(err, SynthError::InvalidLogicalId { .. }), "{err}");
        assert!(stack.template().unwrap().resources.is_empty());
    }

    #[test]
    fn the_traffic_path_is_opened_with_the_redirect_reason_for_checkov() {
        let mut p = props();
        p.app_name = "Web".into();
        let (stack, _) = build(&p);
        let r = resources(&stack);
        let http = &r["AlbIngressTcp80FromAnywhere"];
        assert_eq!(http["Properties"]["CidrIp"], "0.0.0.0/0");
        assert_eq!(http["Metadata"]["checkov"]["skip"][0]["id"], "CKV_AWS_260");
        assert_eq!(
            r["AlbIngressTcp443FromAnywhere"]["Properties"]["Description"],
            "HTTPS from users"
        );
        let app = &r["AppIngressTcp8080FromAlb"]["Properties"];
        assert_eq!(app["FromPort"], 8080);
        assert_eq!(
            app["SourceSecurityGroupId"],
            json!({"Fn::GetAtt": ["AlbSecurityGroup", "GroupId"]})
        );
        assert_eq!(app["Description"], "Web from the load balancer");
    }

    #[test]
    fn open_ports_off_leaves_the_rules_to_the_caller() {
        let mut p = props();
        p.open_ports = false;
        let (stack, _) = build(&p);
        let r = resources(&stack);
        assert!(r.get("AlbIngressTcp443FromAnywhere").is_none());
        assert!(r.get("AppIngressTcp8080FromAlb").is_none());
    }

    #[test]
    fn a_rule_the_stack_already_has_is_kept_so_groups_can_be_shared() {
        let mut stack = Stack::new("t");
        let p = props();
        p.network
            .load_balancer_security_group
            .allow_from(&mut stack, &Peer::anywhere(), Traffic::tcp(443), "HTTPS")
            .unwrap();
        LoadBalancedAsg::new(&mut stack, "Web", &p).unwrap();
        LoadBalancedAsg::new(&mut stack, "Other", &p).unwrap();
        let r = resources(&stack);
        assert_eq!(
            r["AlbIngressTcp443FromAnywhere"]["Properties"]["Description"],
            "HTTPS"
        );
        assert!(r.get("AlbIngressTcp80FromAnywhere").is_some());
    }

    #[test]
    fn user_data_can_be_built_from_the_load_balancers_handle() {
        let mut p = props();
        p.user_data = Some(UserData::with_load_balancer(|lb| {
            Ok(Value::from(fns::sub_with(
                "echo ${Lb}",
                vec![("Lb", crate::template::Expr::from(lb.dns_name()))],
            )))
        }));
        let (stack, out) = build(&p);
        let out = out.unwrap();
        let data = &resources(&stack)["WebLaunchTemplate"]["Properties"]["LaunchTemplateData"];
        assert_eq!(
            data["UserData"]["Fn::Base64"]["Fn::Sub"][1]["Lb"],
            json!({"Fn::GetAtt": [out.load_balancer.logical_id(), "DNSName"]})
        );
    }

    #[test]
    fn a_second_target_gets_its_group_rule_port_and_registration() {
        let mut stack = Stack::new("t");
        let mut out = LoadBalancedAsg::new(&mut stack, "Web", &props()).unwrap();
        let mut leto = AppTargetProps::new("Api", 8000, vec!["/api/*".into()], 10);
        leto.health_check.path = "/api/health".into();
        let tg = out.add_target(&mut stack, "Api", &leto).unwrap();
        assert_eq!(tg.logical_id(), "ApiTargetGroup");
        assert_eq!(out.targets.len(), 2);
        let r = resources(&stack);
        assert_eq!(r["ApiTargetGroup"]["Properties"]["Port"], 8000);
        assert_eq!(
            r["ApiTargetGroup"]["Properties"]["HealthCheckPath"],
            "/api/health"
        );
        let rule = &r["ApiListenerRule"]["Properties"];
        assert_eq!(rule["Priority"], 10);
        assert_eq!(rule["ListenerArn"], json!({"Ref": "WebHttpsListener"}));
        assert_eq!(
            rule["Conditions"][0]["PathPatternConfig"]["Values"],
            json!(["/api/*"])
        );
        assert_eq!(
            r["WebAsg"]["Properties"]["TargetGroupARNs"],
            json!([{"Ref": "WebTargetGroup"}, {"Ref": "ApiTargetGroup"}])
        );
        assert_eq!(
            r["WebAsg"]["DependsOn"],
            json!(["WebHttpsListener", "ApiListenerRule"])
        );
        assert_eq!(
            r["AppIngressTcp8000FromAlb"]["Properties"]["Description"],
            "Api from the load balancer"
        );
        // The same port twice opens it once; the same priority twice is refused.
        let again = AppTargetProps::new("Api2", 8000, vec!["/v2/*".into()], 20);
        out.add_target(&mut stack, "Api2", &again).unwrap();
        let clash = AppTargetProps::new("Api3", 8001, vec!["/v3/*".into()], 20);
        let err = out
            .add_target(&mut stack, "Api3", &clash)
            .unwrap_err()
            .to_string();
        assert!(err.contains("priority 20"), "{err}");
        let bad = AppTargetProps::new("Api4", 8002, vec!["api".into()], 30);
        let err = out
            .add_target(&mut stack, "Api4", &bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("must start with /"), "{err}");
    }

    #[test]
    fn iso8601_durations_parse_in_unit_order() {
        assert_eq!(iso8601_seconds("PT5M"), Some(300));
        assert_eq!(iso8601_seconds("PT1H30M15S"), Some(5415));
        assert_eq!(iso8601_seconds("PT0S"), Some(0));
        assert_eq!(iso8601_seconds("PT"), None);
        assert_eq!(iso8601_seconds("PT5M1H"), None);
        assert_eq!(iso8601_seconds("P1D"), None);
        assert_eq!(iso8601_seconds("PTM"), None);
        assert_eq!(iso8601_seconds("PT5X"), None);
    }

    #[test]
    fn tls_policies_are_classified_by_their_lowest_protocol() {
        assert!(tls_policy_is_modern(DEFAULT_TLS_POLICY));
        assert!(tls_policy_is_modern(
            "ELBSecurityPolicy-TLS-1-2-Ext-2018-06"
        ));
        assert!(tls_policy_is_modern("ELBSecurityPolicy-FS-1-2-Res-2020-10"));
        assert!(!tls_policy_is_modern("ELBSecurityPolicy-2016-08"));
        assert!(!tls_policy_is_modern("ELBSecurityPolicy-TLS13-1-0-2021-06"));
    }
}
