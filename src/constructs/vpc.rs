//! The `Vpc` construct: a VPC over several availability zones with subnet
//! groups by role (public, private, isolated), their CIDRs computed and
//! checked, an internet gateway, NAT gateways and one route table per role
//! (per AZ for private subnets, so each reaches the NAT of its own AZ).
//!
//! It owns the network layout and its routing, the VPC's flow log when one
//! is asked for ([`VpcProps::flow_logs`], to an S3 bucket such as a
//! `super::log_bucket::LogBucket`), and the alarms on its NAT gateways
//! ([`Vpc::add_nat_alarms`]). It does not filter traffic:
//! network ACLs are `super::nacl`, security groups `super::security_group`.
//!
//! Logical IDs are the construct ID plus fixed suffixes (`NetworkVpc`,
//! `NetworkPublicSubnet1`, `NetworkNatGateway2`, `NetworkFlowLog`,
//! `NetworkNatGateway2PortAllocationAlarm`, ...), where the number is the
//! one-based AZ index, so they never depend on where the code stands.

use crate::resources::Handle;
use std::collections::HashSet;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::{SubnetInfo, SubnetKind};
use crate::error::SynthError;
use crate::resources::cloudwatch::Alarm;
use crate::resources::cloudwatch::alarm::{self, Dimension, Metric, MetricDataQuery, MetricStat};
use crate::resources::ec2::flow_log;
use crate::resources::{Tag, ec2, sns};
use crate::stack::{Attributes, Stack, check_logical_id};
use crate::template::fns::{az, sub};
use crate::template::{Intrinsic, Value};

/// The VPC CIDR used when none is given (65,536 addresses).
pub const DEFAULT_VPC_CIDR: Ipv4Net = Ipv4Net::new_assert(Ipv4Addr::new(10, 0, 0, 0), 16);

/// How many availability zones are used when nothing else is asked: the
/// least that survives the loss of one zone.
pub const DEFAULT_AZ_COUNT: usize = 2;

/// The most availability zones a VPC may span. No region offers more than
/// six (us-east-1), and `!GetAZs` may list fewer for a given account, so
/// asking for more could only fail at deploy time.
pub const MAX_AZ_COUNT: usize = 6;

/// Shortest and longest subnet and VPC prefix lengths AWS accepts (/16 to /28).
pub const PREFIX_LEN_RANGE: std::ops::RangeInclusive<u8> = 16..=28;

/// Each computed subnet group reserves room for at least this many AZs
/// (rounded up to a power of two), so that raising the AZ count later adds
/// subnets without moving, and so replacing, the existing ones.
pub const RESERVED_AZ_SLOTS: usize = 4;

/// How private subnets reach the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NatGateways {
    /// One NAT gateway (with its Elastic IP) in each AZ; each private subnet
    /// routes through the one in its own AZ, so losing an AZ costs only that AZ.
    #[default]
    PerAz,
    /// One NAT gateway in the first AZ for every private subnet: cheaper, but
    /// a single point of failure. Recorded as an override on the stack.
    Single,
    /// No NAT gateway; only valid when no subnet group is private.
    None,
}

/// Where a subnet group's CIDRs come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubnetCidrs {
    /// Computed: one subnet of this prefix length per AZ, placed in the
    /// first free block of the VPC that holds [`RESERVED_AZ_SLOTS`] of them.
    Prefix(u8),
    /// Given: the CIDR of each AZ's subnet, in AZ order. Extra entries are
    /// kept free for AZs added later.
    Explicit(Vec<Ipv4Net>),
}

/// A set of subnets with one role, one per AZ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetGroup {
    /// Name used in logical IDs (`{vpc}{name}Subnet{n}`): letters and digits.
    /// Defaults to the kind (`Public`, `Private`, `Isolated`).
    pub name: String,
    /// The role, which decides routing.
    pub kind: SubnetKind,
    /// Computed or explicit CIDRs.
    pub cidrs: SubnetCidrs,
}

impl SubnetGroup {
    /// A group named after its kind, with computed CIDRs of `prefix_len`.
    pub fn new(kind: SubnetKind, prefix_len: u8) -> Self {
        SubnetGroup {
            name: kind.as_str().to_owned(),
            kind,
            cidrs: SubnetCidrs::Prefix(prefix_len),
        }
    }

    /// A group named after its kind, with the given CIDR for each AZ.
    pub fn with_cidrs(kind: SubnetKind, cidrs: Vec<Ipv4Net>) -> Self {
        SubnetGroup {
            name: kind.as_str().to_owned(),
            kind,
            cidrs: SubnetCidrs::Explicit(cidrs),
        }
    }

    /// The same group under another name (needed when two groups share a kind).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

/// A VPC's flow log: every flow through its network interfaces, as
/// records delivered to an S3 bucket. What forensics needs after an
/// incident: who talked to what, and what was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowLogs {
    /// The S3 destination, `arn:...:s3:::bucket/folder/` (the bucket's
    /// policy must let `delivery.logs.amazonaws.com` write there, as a
    /// `LogBucket` does).
    pub destination: Value<String>,
    /// Which flows: accepted, rejected or all (default all).
    pub traffic: flow_log::TrafficType,
    /// Seconds of traffic aggregated into one record: 60 or 600 (default
    /// 600, the cheaper; 60 for finer timing).
    pub max_aggregation_interval: u32,
    /// Logical IDs the flow log must wait for: the bucket policy, which
    /// must be in place before delivery starts.
    pub dependencies: Vec<String>,
}

impl FlowLogs {
    /// All traffic to `destination` in ten-minute records, once
    /// `dependencies` exist.
    pub fn to_s3(destination: impl Into<Value<String>>, dependencies: Vec<String>) -> Self {
        FlowLogs {
            destination: destination.into(),
            traffic: flow_log::TrafficType::All,
            max_aggregation_interval: 600,
            dependencies,
        }
    }
}

/// Logical ID suffix of the flow log.
pub const FLOW_LOG_SUFFIX: &str = "FlowLog";
/// Logical ID suffix, after `<id>NatGateway<n>`, of the port allocation alarm.
pub const NAT_PORT_ALLOCATION_ALARM_SUFFIX: &str = "PortAllocationAlarm";
/// Logical ID suffix, after `<id>NatGateway<n>`, of the dropped packets alarm.
pub const NAT_PACKETS_DROPPED_ALARM_SUFFIX: &str = "PacketsDroppedAlarm";

/// Share of a NAT gateway's packets dropped, in percent, above which the
/// dropped packets alarm fires: the threshold CloudWatch's recommended
/// alarms give for `PacketsDropCount` (0.01% of the traffic).
pub const NAT_DROPPED_PERCENT: f64 = 0.01;

/// What the VPC should look like. `VpcProps::default()` is the SwiftCode
/// network: 10.0.0.0/16 over two AZs, public /24, private /20 and isolated
/// /24 subnets in each, and a NAT gateway per AZ.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcProps {
    /// The VPC's IPv4 CIDR (/16 to /28, no host bits set).
    pub cidr: Ipv4Net,
    /// How many AZs to span. AZ `i` is `!Select [i, !GetAZs '']` unless
    /// `availability_zones` names them.
    pub az_count: usize,
    /// Explicit AZ names (`eu-west-1a`, ...); empty to choose them with
    /// `!GetAZs` without an account look-up. When given, there must be
    /// exactly `az_count` of them.
    pub availability_zones: Vec<String>,
    /// The subnet groups, each spanning every AZ.
    pub subnet_groups: Vec<SubnetGroup>,
    /// NAT gateways for the private subnets.
    pub nat_gateways: NatGateways,
    /// The flow log, when the VPC's traffic is to be recorded (default none).
    pub flow_logs: Option<FlowLogs>,
}

impl Default for VpcProps {
    fn default() -> Self {
        VpcProps {
            cidr: DEFAULT_VPC_CIDR,
            az_count: DEFAULT_AZ_COUNT,
            availability_zones: Vec::new(),
            subnet_groups: vec![
                SubnetGroup::new(SubnetKind::Public, 24),
                SubnetGroup::new(SubnetKind::Private, 20),
                SubnetGroup::new(SubnetKind::Isolated, 24),
            ],
            nat_gateways: NatGateways::PerAz,
            flow_logs: None,
        }
    }
}

/// A VPC built into a stack, with what other constructs need: subnets by
/// role and AZ, their CIDRs, the gateways and route tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Vpc {
    id: String,
    handle: Handle<ec2::Vpc>,
    cidr: Ipv4Net,
    zones: Vec<Value<String>>,
    subnets: Vec<SubnetInfo>,
    subnet_groups: Vec<String>,
    internet_gateway: Option<Handle<ec2::InternetGateway>>,
    gateway_attachment: Option<Handle<ec2::VpcGatewayAttachment>>,
    nat_gateways: Vec<Handle<ec2::NatGateway>>,
    route_tables: Vec<(SubnetKind, Handle<ec2::RouteTable>)>,
    private_default_routes: Vec<Handle<ec2::Route>>,
    flow_log: Option<Handle<ec2::FlowLog>>,
    nat_alarms: Vec<Handle<Alarm>>,
}

/// A subnet group after layout: its CIDR per AZ.
struct PlannedGroup<'a> {
    group: &'a SubnetGroup,
    cidrs: Vec<Ipv4Net>,
}

impl Vpc {
    /// Checks `props` and adds the VPC and everything it needs to `stack`.
    /// `id` is the construct ID every logical ID starts with (`Network`).
    pub fn new(stack: &mut Stack, id: &str, props: VpcProps) -> Result<Vpc, SynthError> {
        let who = format!("Vpc {id:?}");
        let err = |message: String| SynthError::props(&who, message);
        check_logical_id(id, "Resources").map_err(|e| err(e.to_string()))?;

        check_vpc_cidr(props.cidr).map_err(err)?;
        let zones = zones(&props).map_err(err)?;
        let az_count = zones.len();
        check_groups(&props).map_err(err)?;
        let planned = plan_cidrs(&props, az_count).map_err(err)?;
        if let Some(flow) = &props.flow_logs
            && ![60, 600].contains(&flow.max_aggregation_interval)
        {
            return Err(err(format!(
                "flow_logs.max_aggregation_interval is {}; EC2 aggregates flows over 60 or 600 seconds",
                flow.max_aggregation_interval
            )));
        }

        let has = |kind: SubnetKind| props.subnet_groups.iter().any(|g| g.kind == kind);
        let nat_count = match (has(SubnetKind::Private), props.nat_gateways) {
            (false, _) => 0,
            (true, NatGateways::None) => {
                return Err(err(
                    "private subnet groups need a NAT gateway to reach the internet, but \
                     nat_gateways is None; use NatGateways::PerAz (or Single), or make the \
                     groups Isolated if they need no route out of the VPC"
                        .to_owned(),
                ));
            }
            (true, NatGateways::PerAz) => az_count,
            (true, NatGateways::Single) => 1,
        };
        if nat_count > 0 && !has(SubnetKind::Public) {
            return Err(err(
                "private subnet groups route through NAT gateways, which live in public \
                 subnets, but there is no Public subnet group; add one"
                    .to_owned(),
            ));
        }

        let name_tag =
            |suffix: &str| Tag::new("Name", sub(format!("${{AWS::StackName}}-{suffix}")));
        let vpc_handle = stack.add(
            &format!("{id}Vpc"),
            ec2::Vpc::new()
                .cidr_block(props.cidr.to_string())
                .enable_dns_support(true)
                .enable_dns_hostnames(true)
                .tags(vec![name_tag(id)]),
        )?;
        let vpc_ref = vpc_handle.reference();

        let mut internet_gateway = None;
        let mut gateway_attachment = None;
        if has(SubnetKind::Public) {
            let igw = stack.add(
                &format!("{id}InternetGateway"),
                ec2::InternetGateway::new().tags(vec![name_tag(id)]),
            )?;
            let attachment = stack.add(
                &format!("{id}InternetGatewayAttachment"),
                ec2::VpcGatewayAttachment::new(&vpc_ref).internet_gateway_id(igw.reference()),
            )?;
            internet_gateway = Some(igw);
            gateway_attachment = Some(attachment);
        }

        // Route tables: one for the public subnets, one per AZ for the
        // private ones (each to its own AZ's NAT), one for the isolated ones
        // (no route out; explicit so they never follow the main table).
        let mut route_tables = Vec::new();
        let mut add_table = |stack: &mut Stack, kind: SubnetKind, suffix: String, tag: String| {
            let table = stack.add(
                &format!("{id}{suffix}"),
                ec2::RouteTable::new(&vpc_ref).tags(vec![name_tag(&tag)]),
            )?;
            route_tables.push((kind, table.clone()));
            Ok::<_, SynthError>(table)
        };
        let public_table = if has(SubnetKind::Public) {
            Some(add_table(
                stack,
                SubnetKind::Public,
                "PublicRouteTable".into(),
                format!("{id}-public"),
            )?)
        } else {
            None
        };
        let mut private_tables = Vec::new();
        if has(SubnetKind::Private) {
            for n in 1..=az_count {
                private_tables.push(add_table(
                    stack,
                    SubnetKind::Private,
                    format!("PrivateRouteTable{n}"),
                    format!("{id}-private-{n}"),
                )?);
            }
        }
        let isolated_table = if has(SubnetKind::Isolated) {
            Some(add_table(
                stack,
                SubnetKind::Isolated,
                "IsolatedRouteTable".into(),
                format!("{id}-isolated"),
            )?)
        } else {
            None
        };

        if let (Some(table), Some(igw), Some(attachment)) =
            (&public_table, &internet_gateway, &gateway_attachment)
        {
            stack.add_with(
                &format!("{id}PublicDefaultRoute"),
                ec2::Route::new(table.reference())
                    .destination_cidr_block("0.0.0.0/0")
                    .gateway_id(igw.reference()),
                Attributes::new().depends_on(attachment),
            )?;
        }

        let mut subnets = Vec::new();
        let mut subnet_groups = Vec::new();
        for plan in &planned {
            let group = plan.group;
            for (index, cidr) in plan.cidrs.iter().take(az_count).enumerate() {
                let n = index + 1;
                let subnet_id = format!("{id}{}Subnet{n}", group.name);
                let handle = stack.add(
                    &subnet_id,
                    ec2::Subnet::new(&vpc_ref)
                        .cidr_block(cidr.to_string())
                        .availability_zone(zones[index].clone())
                        // Public subnets too: the load balancer and NAT
                        // gateways need no instance-level public address, and
                        // a bastion asks for one on its own interface.
                        .map_public_ip_on_launch(false)
                        .tags(vec![
                            name_tag(&format!("{id}-{}-{n}", group.name.to_lowercase())),
                            Tag::new("SubnetKind", group.kind.as_str()),
                        ]),
                )?;
                let table = match group.kind {
                    SubnetKind::Public => public_table.as_ref(),
                    SubnetKind::Private => private_tables.get(index),
                    SubnetKind::Isolated => isolated_table.as_ref(),
                };
                if let Some(table) = table {
                    stack.add(
                        &format!("{subnet_id}RouteTableAssociation"),
                        ec2::SubnetRouteTableAssociation::new(
                            table.reference(),
                            handle.reference(),
                        ),
                    )?;
                }
                subnets.push(SubnetInfo {
                    handle,
                    az_index: index,
                    cidr: *cidr,
                    kind: group.kind,
                });
                subnet_groups.push(group.name.clone());
            }
        }

        let mut nat_gateways = Vec::new();
        if let Some(attachment) = &gateway_attachment {
            let first_public: Vec<&SubnetInfo> = match props
                .subnet_groups
                .iter()
                .find(|g| g.kind == SubnetKind::Public)
            {
                Some(g) => subnets
                    .iter()
                    .zip(&subnet_groups)
                    .filter(|(_, name)| **name == g.name)
                    .map(|(s, _)| s)
                    .collect(),
                None => Vec::new(),
            };
            for (index, public) in first_public.iter().take(nat_count).enumerate() {
                let n = index + 1;
                let eip = stack.add_with(
                    &format!("{id}NatEip{n}"),
                    ec2::Eip::new()
                        .domain("vpc")
                        .tags(vec![name_tag(&format!("{id}-nat-{n}"))]),
                    Attributes::new().depends_on(attachment),
                )?;
                nat_gateways.push(
                    stack.add(
                        &format!("{id}NatGateway{n}"),
                        ec2::NatGateway::new()
                            .subnet_id(public.handle.reference())
                            .allocation_id(eip.allocation_id())
                            .tags(vec![name_tag(&format!("{id}-nat-{n}"))]),
                    )?,
                );
            }
        }
        let mut private_default_routes = Vec::new();
        for (index, table) in private_tables.iter().enumerate() {
            let nat = match props.nat_gateways {
                NatGateways::Single => nat_gateways.first(),
                _ => nat_gateways.get(index),
            };
            if let Some(nat) = nat {
                let route = stack.add(
                    &format!("{id}PrivateDefaultRoute{}", index + 1),
                    ec2::Route::new(table.reference())
                        .destination_cidr_block("0.0.0.0/0")
                        .nat_gateway_id(nat.reference()),
                )?;
                private_default_routes.push(route);
            }
        }
        let flow_log = match &props.flow_logs {
            Some(flow) => Some(
                stack.add_with(
                    &format!("{id}{FLOW_LOG_SUFFIX}"),
                    ec2::FlowLog::new(vpc_handle.reference(), flow_log::ResourceType::Vpc)
                        .log_destination_type(flow_log::LogDestinationType::S3)
                        .log_destination(flow.destination.clone())
                        .traffic_type(flow.traffic)
                        .max_aggregation_interval(i64::from(flow.max_aggregation_interval))
                        .tags(vec![name_tag(id)]),
                    flow.dependencies.iter().fold(Attributes::new(), |a, dep| {
                        a.depends_on_logical_id(dep.as_str())
                    }),
                )?,
            ),
            None => None,
        };
        if az_count == 1 {
            stack.record_override(
                &who,
                format!(
                    "the VPC spans a single AZ: when that AZ fails, everything in it fails; \
                     use az_count {DEFAULT_AZ_COUNT} or more for high availability"
                ),
            );
        }
        if nat_count == 1 && props.nat_gateways == NatGateways::Single && az_count > 1 {
            stack.record_override(
                &who,
                format!(
                    "a single NAT gateway ({id}NatGateway1, in the first AZ) serves the private \
                     subnets of all {az_count} AZs: it is a single point of failure, and when \
                     that AZ fails the private subnets of the others lose internet access; \
                     use NatGateways::PerAz for high availability"
                ),
            );
        }

        Ok(Vpc {
            id: id.to_owned(),
            handle: vpc_handle,
            cidr: props.cidr,
            zones,
            subnets,
            subnet_groups,
            internet_gateway,
            gateway_attachment,
            nat_gateways,
            route_tables,
            private_default_routes,
            flow_log,
            nat_alarms: Vec::new(),
        })
    }

    /// The construct ID (`Network`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The `AWS::EC2::VPC` resource.
    pub fn handle(&self) -> &Handle<ec2::Vpc> {
        &self.handle
    }

    /// `Ref` to the VPC: its ID, for `VpcId` properties.
    pub fn vpc_id(&self) -> Intrinsic {
        self.handle.reference()
    }

    /// The VPC's IPv4 CIDR.
    pub fn cidr(&self) -> Ipv4Net {
        self.cidr
    }

    /// How many AZs the VPC spans.
    pub fn az_count(&self) -> usize {
        self.zones.len()
    }

    /// The availability zone at a zero-based index, as subnets name it
    /// (`!Select [i, !GetAZs '']` or the given name).
    pub fn availability_zone(&self, az_index: usize) -> Option<&Value<String>> {
        self.zones.get(az_index)
    }

    /// Every subnet, group by group, in AZ order within each group.
    pub fn all_subnets(&self) -> &[SubnetInfo] {
        &self.subnets
    }

    /// The subnets of one role, in group and AZ order.
    pub fn subnets(&self, kind: SubnetKind) -> Vec<&SubnetInfo> {
        self.subnets.iter().filter(|s| s.kind == kind).collect()
    }

    /// The subnets of one named group (`Public` unless renamed), in AZ order.
    pub fn subnet_group(&self, name: &str) -> Vec<&SubnetInfo> {
        self.subnets
            .iter()
            .zip(&self.subnet_groups)
            .filter(|(_, group)| *group == name)
            .map(|(s, _)| s)
            .collect()
    }

    /// `Ref`s to the subnets of one role, for `Subnets`, `SubnetIds` and
    /// `VPCZoneIdentifier` properties.
    pub fn subnet_ids(&self, kind: SubnetKind) -> Vec<Value<String>> {
        self.subnets(kind)
            .into_iter()
            .map(|s| s.handle.reference().into())
            .collect()
    }

    /// The CIDRs of the subnets of one role.
    pub fn subnet_cidrs(&self, kind: SubnetKind) -> Vec<Ipv4Net> {
        self.subnets(kind).into_iter().map(|s| s.cidr).collect()
    }

    /// The internet gateway, when the VPC has public subnets.
    pub fn internet_gateway(&self) -> Option<&Handle<ec2::InternetGateway>> {
        self.internet_gateway.as_ref()
    }

    /// The internet gateway's attachment: an Elastic IP or a public route
    /// elsewhere in the template must depend on it.
    pub fn gateway_attachment(&self) -> Option<&Handle<ec2::VpcGatewayAttachment>> {
        self.gateway_attachment.as_ref()
    }

    /// The NAT gateways, in AZ order (one per AZ, one, or none).
    pub fn nat_gateways(&self) -> &[Handle<ec2::NatGateway>] {
        &self.nat_gateways
    }

    /// The VPC's flow log, when [`VpcProps::flow_logs`] asked for one.
    pub fn flow_log(&self) -> Option<&Handle<ec2::FlowLog>> {
        self.flow_log.as_ref()
    }

    /// Alarms on every NAT gateway, notifying `topic` on alarm and on
    /// recovery: port allocation errors (`<id>NatGateway<n>PortAllocationAlarm`)
    /// and dropped packets above [`NAT_DROPPED_PERCENT`] of its traffic
    /// (`<id>NatGateway<n>PacketsDroppedAlarm`). A NAT gateway that fails takes the private
    /// subnets' way out with it: boot scripts, package updates, calls to
    /// AWS APIs outside the VPC. Called once; a second call is an error.
    pub fn add_nat_alarms(
        &mut self,
        stack: &mut Stack,
        topic: &Handle<sns::Topic>,
    ) -> Result<&[Handle<Alarm>], SynthError> {
        if !self.nat_alarms.is_empty() {
            return Err(SynthError::props(
                format!("Vpc {:?}", self.id),
                "the NAT gateways already have their alarms",
            ));
        }
        let mut alarms = Vec::new();
        for (index, nat) in self.nat_gateways.iter().enumerate() {
            let prefix = format!("{}NatGateway{}", self.id, index + 1);
            let (ports, dropped) = nat_gateway_alarms(nat, topic);
            alarms.push(stack.add(
                &format!("{prefix}{NAT_PORT_ALLOCATION_ALARM_SUFFIX}"),
                ports,
            )?);
            alarms.push(stack.add(
                &format!("{prefix}{NAT_PACKETS_DROPPED_ALARM_SUFFIX}"),
                dropped,
            )?);
        }
        self.nat_alarms = alarms;
        Ok(&self.nat_alarms)
    }

    /// The NAT gateways' alarms, gateway by gateway (port allocation, then
    /// dropped packets), once [`Vpc::add_nat_alarms`] added them.
    pub fn nat_alarms(&self) -> &[Handle<Alarm>] {
        &self.nat_alarms
    }

    /// The private subnets' default routes through NAT, in AZ order.
    /// Instances in private subnets that need the internet at boot (package
    /// installs, SSM registration) must depend on these.
    pub fn private_default_routes(&self) -> &[Handle<ec2::Route>] {
        &self.private_default_routes
    }

    /// The route tables serving one role (one per AZ for private subnets),
    /// for gateway VPC endpoints.
    pub fn route_tables(&self, kind: SubnetKind) -> Vec<&Handle<ec2::RouteTable>> {
        self.route_tables
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, t)| t)
            .collect()
    }
}

/// The two alarms of one NAT gateway, both notifying `topic` on alarm and
/// on recovery.
///
/// - Port allocation: any `ErrorPortAllocation` in five minutes means the
///   gateway could not open a connection for an instance (too many at once
///   to one destination), so a call from the private subnets failed.
/// - Dropped packets: `PacketsDropCount` above [`NAT_DROPPED_PERCENT`] of
///   the packets the gateway received (from the instances and back from
///   the destinations) in each of five consecutive minutes, the share
///   CloudWatch's recommended alarms name; a quiet gateway has no data and
///   is not in alarm.
fn nat_gateway_alarms(nat: &Handle<ec2::NatGateway>, topic: &Handle<sns::Topic>) -> (Alarm, Alarm) {
    let actions = || vec![Value::from(topic.reference())];
    let dimensions = || vec![Dimension::new("NatGatewayId", nat.reference())];
    let ports = Alarm::new()
        .alarm_description(format!(
            "{}: could not allocate a source port (connections from the private subnets failed)",
            nat.logical_id()
        ))
        .namespace("AWS/NATGateway")
        .metric_name("ErrorPortAllocation")
        .dimensions(dimensions())
        .statistic(alarm::Statistic::Sum)
        .period(300)
        .evaluation_periods(1)
        .threshold(0.0)
        .comparison_operator(alarm::ComparisonOperator::GreaterThanThreshold)
        .treat_missing_data(alarm::TreatMissingData::NotBreaching)
        .alarm_actions(actions())
        .ok_actions(actions());
    let sum_of = |query: &str, metric: &str| {
        MetricDataQuery::new(query)
            .metric_stat(MetricStat::new(
                Metric::new()
                    .namespace("AWS/NATGateway")
                    .metric_name(metric)
                    .dimensions(dimensions()),
                60,
                "Sum",
            ))
            .return_data(false)
    };
    let dropped = Alarm::new()
        .alarm_description(format!(
            "{}: dropped more than {NAT_DROPPED_PERCENT}% of its packets for 5 minutes",
            nat.logical_id()
        ))
        .metrics(vec![
            sum_of("dropped", "PacketsDropCount"),
            sum_of("fromsource", "PacketsInFromSource"),
            sum_of("fromdestination", "PacketsInFromDestination"),
            MetricDataQuery::new("droppedpercent")
                .expression("100 * dropped / (fromsource + fromdestination)")
                .label("Packets dropped (%)")
                .return_data(true),
        ])
        .evaluation_periods(5)
        .datapoints_to_alarm(5)
        .threshold(NAT_DROPPED_PERCENT)
        .comparison_operator(alarm::ComparisonOperator::GreaterThanThreshold)
        .treat_missing_data(alarm::TreatMissingData::NotBreaching)
        .alarm_actions(actions())
        .ok_actions(actions());
    (ports, dropped)
}

fn check_vpc_cidr(cidr: Ipv4Net) -> Result<(), String> {
    if cidr.trunc() != cidr {
        return Err(format!(
            "VPC CIDR {cidr} has host bits set; did you mean {}?",
            cidr.trunc()
        ));
    }
    if !PREFIX_LEN_RANGE.contains(&cidr.prefix_len()) {
        return Err(format!(
            "VPC CIDR {cidr} is a /{}, but AWS accepts /16 to /28 for a VPC",
            cidr.prefix_len()
        ));
    }
    Ok(())
}

/// The AZ of each index: the given names, or `!Select [i, !GetAZs '']`.
fn zones(props: &VpcProps) -> Result<Vec<Value<String>>, String> {
    let count = props.az_count;
    if count == 0 {
        return Err(format!(
            "az_count is 0; a VPC needs at least one AZ, and {DEFAULT_AZ_COUNT} or more to \
             survive the loss of one"
        ));
    }
    if count > MAX_AZ_COUNT {
        return Err(format!(
            "az_count is {count}, but no region offers more than {MAX_AZ_COUNT} AZs; use \
             {MAX_AZ_COUNT} or fewer"
        ));
    }
    let names = &props.availability_zones;
    if names.is_empty() {
        return Ok((0..count).map(|i| az(i).into()).collect());
    }
    if names.len() != count {
        let listed = names.join(", ");
        return Err(if names.len() < count {
            format!(
                "az_count is {count} but only {} AZs are named ({listed}); name {count} AZs, \
                 or lower az_count to {}",
                names.len(),
                names.len()
            )
        } else {
            format!(
                "{} AZs are named ({listed}) but az_count is {count}; set az_count to {}, or \
                 name only the {count} to use",
                names.len(),
                names.len()
            )
        });
    }
    let mut seen = HashSet::new();
    for name in names {
        if name.trim().is_empty() {
            return Err("an AZ name is empty; name AZs like \"eu-west-1a\"".to_owned());
        }
        if !seen.insert(name) {
            return Err(format!(
                "AZ {name:?} is named twice; each subnet group needs a different AZ per subnet"
            ));
        }
    }
    Ok(names.iter().map(|n| n.clone().into()).collect())
}

fn check_groups(props: &VpcProps) -> Result<(), String> {
    if props.subnet_groups.is_empty() {
        return Err(
            "there are no subnet groups; add at least one (the default has Public, Private \
             and Isolated)"
                .to_owned(),
        );
    }
    let mut names = HashSet::new();
    for group in &props.subnet_groups {
        if group.name.is_empty() || !group.name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!(
                "subnet group name {:?} must be letters and digits only, since it is part of \
                 logical IDs",
                group.name
            ));
        }
        if !names.insert(group.name.as_str()) {
            return Err(format!(
                "two subnet groups are named {:?}; name one of them differently with \
                 SubnetGroup::named",
                group.name
            ));
        }
    }
    Ok(())
}

/// Lays out every group's CIDRs: explicit ones are checked and reserved
/// first, then computed groups take, in declaration order, the first free
/// block of the VPC that holds their reserved AZ slots. Adding a group or
/// raising the AZ count (up to the reserved slots) moves no existing subnet.
fn plan_cidrs(props: &VpcProps, az_count: usize) -> Result<Vec<PlannedGroup<'_>>, String> {
    let vpc = props.cidr;
    let mut taken: Vec<(Ipv4Net, String)> = Vec::new();
    let overlap = |a: &Ipv4Net, b: &Ipv4Net| a.contains(b) || b.contains(a);

    for group in &props.subnet_groups {
        let SubnetCidrs::Explicit(cidrs) = &group.cidrs else {
            continue;
        };
        let name = &group.name;
        if cidrs.len() < az_count {
            return Err(format!(
                "subnet group {name:?} gives {} CIDRs for {az_count} AZs; give one CIDR per AZ",
                cidrs.len()
            ));
        }
        for cidr in cidrs {
            if cidr.trunc() != *cidr {
                return Err(format!(
                    "subnet group {name:?}: CIDR {cidr} has host bits set; did you mean {}?",
                    cidr.trunc()
                ));
            }
            if !PREFIX_LEN_RANGE.contains(&cidr.prefix_len()) {
                return Err(format!(
                    "subnet group {name:?}: CIDR {cidr} is a /{}, but AWS accepts /16 to /28 \
                     for a subnet",
                    cidr.prefix_len()
                ));
            }
            if !vpc.contains(cidr) {
                return Err(format!(
                    "subnet group {name:?}: CIDR {cidr} is not inside the VPC CIDR {vpc}"
                ));
            }
            if let Some((other, owner)) = taken.iter().find(|(t, _)| overlap(t, cidr)) {
                return Err(format!(
                    "subnet group {name:?}: CIDR {cidr} overlaps {other} of group {owner:?}; \
                     subnets of a VPC must not overlap"
                ));
            }
            taken.push((*cidr, name.clone()));
        }
    }

    let slots = az_count.max(RESERVED_AZ_SLOTS).next_power_of_two();
    let slot_bits = slots.trailing_zeros() as u8;
    let mut planned = Vec::new();
    for group in &props.subnet_groups {
        let name = &group.name;
        let cidrs = match &group.cidrs {
            SubnetCidrs::Explicit(cidrs) => cidrs.clone(),
            SubnetCidrs::Prefix(prefix_len) => {
                let prefix_len = *prefix_len;
                if !PREFIX_LEN_RANGE.contains(&prefix_len) {
                    return Err(format!(
                        "subnet group {name:?} asks for /{prefix_len} subnets, but AWS accepts \
                         /16 to /28 for a subnet"
                    ));
                }
                let too_small = || {
                    format!(
                        "subnet group {name:?} needs room for {slots} /{prefix_len} subnets \
                         ({az_count} AZs, rounded up to {slots} so that adding AZs later moves \
                         no subnet), and that does not fit in the VPC CIDR {vpc} beside the \
                         other groups; use a longer prefix length or a larger VPC CIDR"
                    )
                };
                let block_len = prefix_len.checked_sub(slot_bits).ok_or_else(too_small)?;
                if block_len < vpc.prefix_len() {
                    return Err(too_small());
                }
                let block = vpc
                    .subnets(block_len)
                    .map_err(|_| too_small())?
                    .find(|b| !taken.iter().any(|(t, _)| overlap(t, b)))
                    .ok_or_else(too_small)?;
                taken.push((block, name.clone()));
                block
                    .subnets(prefix_len)
                    .map_err(|_| too_small())?
                    .take(az_count)
                    .collect()
            }
        };
        planned.push(PlannedGroup { group, cidrs });
    }
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Expr;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn build(props: VpcProps) -> (Stack, Vpc) {
        let mut stack = Stack::new("test");
        let vpc = Vpc::new(&mut stack, "Network", props).unwrap();
        (stack, vpc)
    }

    fn error(props: VpcProps) -> String {
        let mut stack = Stack::new("test");
        Vpc::new(&mut stack, "Network", props)
            .unwrap_err()
            .to_string()
    }

    fn prop(stack: &Stack, id: &str, key: &str) -> Expr {
        let template = stack.template().unwrap();
        let resource = template
            .resources
            .get(id)
            .unwrap_or_else(|| panic!("no resource {id}"));
        resource.properties.get(key).cloned().unwrap_or(Expr::Null)
    }

    fn reference(id: &str) -> Expr {
        Expr::func(Intrinsic::Ref(id.into()))
    }

    fn cidrs(vpc: &Vpc, kind: SubnetKind) -> Vec<String> {
        vpc.subnet_cidrs(kind)
            .iter()
            .map(|c| c.to_string())
            .collect()
    }

    #[test]
    fn private_default_routes_are_exposed_in_az_order_for_boot_dependencies() {
        let (stack, vpc) = build(VpcProps::default());
        let ids: Vec<&str> = vpc
            .private_default_routes()
            .iter()
            .map(|h| h.logical_id())
            .collect();
        assert_eq!(
            ids,
            ["NetworkPrivateDefaultRoute1", "NetworkPrivateDefaultRoute2"]
        );
        for id in ids {
            assert!(stack.template().unwrap().resources.contains_key(id));
        }
    }

    #[test]
    fn a_flow_log_records_all_traffic_to_s3_after_its_dependencies() {
        let (stack, vpc) = build(VpcProps {
            flow_logs: Some(FlowLogs::to_s3(
                Value::from("arn:aws:s3:::logs/flow-logs/"),
                vec!["LogsBucketPolicy".into()],
            )),
            ..VpcProps::default()
        });
        assert_eq!(
            vpc.flow_log().map(|h| h.logical_id()),
            Some("NetworkFlowLog")
        );
        let t = stack.template().unwrap();
        let flow = &t.resources["NetworkFlowLog"];
        assert_eq!(flow.resource_type, "AWS::EC2::FlowLog");
        assert_eq!(flow.depends_on, ["LogsBucketPolicy"]);
        let p = &flow.properties;
        assert_eq!(p["ResourceId"], reference("NetworkVpc"));
        assert_eq!(p["ResourceType"], Expr::string("VPC"));
        assert_eq!(p["LogDestinationType"], Expr::string("s3"));
        assert_eq!(
            p["LogDestination"],
            Expr::string("arn:aws:s3:::logs/flow-logs/")
        );
        assert_eq!(p["TrafficType"], Expr::string("ALL"));
        assert_eq!(p["MaxAggregationInterval"], Expr::Int(600));
        let (_, none) = build(VpcProps::default());
        assert!(none.flow_log().is_none());
        let message = error(VpcProps {
            flow_logs: Some(FlowLogs {
                max_aggregation_interval: 300,
                ..FlowLogs::to_s3(Value::from("arn:aws:s3:::logs/"), vec![])
            }),
            ..VpcProps::default()
        });
        assert!(message.contains("60 or 600 seconds"), "{message}");
    }

    /// Regression: nothing watched the NAT gateways, whose failure cuts the
    /// private subnets off the internet.
    #[test]
    fn every_nat_gateway_gets_port_allocation_and_dropped_packets_alarms() {
        let (mut stack, mut vpc) = build(VpcProps::default());
        let topic: Handle<sns::Topic> = Handle::new("Alerts");
        let ids: Vec<String> = vpc
            .add_nat_alarms(&mut stack, &topic)
            .unwrap()
            .iter()
            .map(|h| h.logical_id().to_owned())
            .collect();
        assert_eq!(
            ids,
            [
                "NetworkNatGateway1PortAllocationAlarm",
                "NetworkNatGateway1PacketsDroppedAlarm",
                "NetworkNatGateway2PortAllocationAlarm",
                "NetworkNatGateway2PacketsDroppedAlarm"
            ]
        );
        let r =
            crate::template::json::to_json_value(&stack.template().unwrap().to_expr())["Resources"]
                .clone();
        let ports = &r["NetworkNatGateway2PortAllocationAlarm"]["Properties"];
        assert_eq!(ports["Namespace"], "AWS/NATGateway");
        assert_eq!(ports["MetricName"], "ErrorPortAllocation");
        assert_eq!(
            ports["Dimensions"],
            serde_json::json!([{"Name": "NatGatewayId", "Value": {"Ref": "NetworkNatGateway2"}}])
        );
        assert_eq!(ports["ComparisonOperator"], "GreaterThanThreshold");
        assert_eq!(ports["Threshold"], 0.0);
        assert_eq!(
            ports["AlarmActions"],
            serde_json::json!([{"Ref": "Alerts"}])
        );
        assert_eq!(ports["OKActions"], serde_json::json!([{"Ref": "Alerts"}]));
        let dropped = &r["NetworkNatGateway1PacketsDroppedAlarm"]["Properties"];
        let metrics = dropped["Metrics"].as_array().unwrap();
        assert_eq!(metrics.len(), 4);
        assert_eq!(
            metrics[0]["MetricStat"]["Metric"]["MetricName"],
            "PacketsDropCount"
        );
        assert_eq!(
            metrics[3]["Expression"],
            "100 * dropped / (fromsource + fromdestination)"
        );
        assert_eq!(metrics[3]["ReturnData"], true);
        assert_eq!(dropped["Threshold"], NAT_DROPPED_PERCENT);
        assert_eq!(
            dropped["AlarmActions"],
            serde_json::json!([{"Ref": "Alerts"}])
        );
        assert!(vpc.add_nat_alarms(&mut stack, &topic).is_err(), "once only");

        let (mut stack, mut single) = build(VpcProps {
            nat_gateways: NatGateways::Single,
            ..VpcProps::default()
        });
        assert_eq!(single.add_nat_alarms(&mut stack, &topic).unwrap().len(), 2);
    }

    #[test]
    fn default_layout_puts_three_roles_in_two_azs_without_overlap() {
        let (stack, vpc) = build(VpcProps::default());
        assert_eq!(vpc.az_count(), 2);
        assert_eq!(vpc.cidr(), net("10.0.0.0/16"));
        assert_eq!(
            cidrs(&vpc, SubnetKind::Public),
            ["10.0.0.0/24", "10.0.1.0/24"]
        );
        assert_eq!(
            cidrs(&vpc, SubnetKind::Private),
            ["10.0.64.0/20", "10.0.80.0/20"]
        );
        assert_eq!(
            cidrs(&vpc, SubnetKind::Isolated),
            ["10.0.4.0/24", "10.0.5.0/24"]
        );
        let all = vpc.all_subnets();
        assert_eq!(all.len(), 6);
        for (i, a) in all.iter().enumerate() {
            assert!(vpc.cidr().contains(&a.cidr));
            for b in &all[i + 1..] {
                assert!(!a.cidr.contains(&b.cidr) && !b.cidr.contains(&a.cidr));
            }
        }
        assert_eq!(
            prop(&stack, "NetworkPublicSubnet2", "CidrBlock"),
            Expr::string("10.0.1.0/24")
        );
        assert_eq!(
            prop(&stack, "NetworkPublicSubnet2", "AvailabilityZone"),
            Expr::func(az(1))
        );
        assert_eq!(
            prop(&stack, "NetworkPublicSubnet1", "MapPublicIpOnLaunch"),
            Expr::Bool(false)
        );
        assert_eq!(
            prop(&stack, "NetworkVpc", "EnableDnsSupport"),
            Expr::Bool(true)
        );
        assert_eq!(
            prop(&stack, "NetworkVpc", "EnableDnsHostnames"),
            Expr::Bool(true)
        );
        assert!(stack.overrides().is_empty());
    }

    #[test]
    fn logical_ids_come_from_the_construct_id_and_fixed_suffixes() {
        let (stack, _) = build(VpcProps::default());
        let template = stack.template().unwrap();
        let ids: Vec<&str> = template.resources.keys().map(String::as_str).collect();
        assert_eq!(
            ids,
            [
                "NetworkVpc",
                "NetworkInternetGateway",
                "NetworkInternetGatewayAttachment",
                "NetworkPublicRouteTable",
                "NetworkPrivateRouteTable1",
                "NetworkPrivateRouteTable2",
                "NetworkIsolatedRouteTable",
                "NetworkPublicDefaultRoute",
                "NetworkPublicSubnet1",
                "NetworkPublicSubnet1RouteTableAssociation",
                "NetworkPublicSubnet2",
                "NetworkPublicSubnet2RouteTableAssociation",
                "NetworkPrivateSubnet1",
                "NetworkPrivateSubnet1RouteTableAssociation",
                "NetworkPrivateSubnet2",
                "NetworkPrivateSubnet2RouteTableAssociation",
                "NetworkIsolatedSubnet1",
                "NetworkIsolatedSubnet1RouteTableAssociation",
                "NetworkIsolatedSubnet2",
                "NetworkIsolatedSubnet2RouteTableAssociation",
                "NetworkNatEip1",
                "NetworkNatGateway1",
                "NetworkNatEip2",
                "NetworkNatGateway2",
                "NetworkPrivateDefaultRoute1",
                "NetworkPrivateDefaultRoute2",
            ]
        );
    }

    #[test]
    fn adding_an_az_moves_no_existing_subnet() {
        let (_, two) = build(VpcProps::default());
        let (_, three) = build(VpcProps {
            az_count: 3,
            ..VpcProps::default()
        });
        for kind in [
            SubnetKind::Public,
            SubnetKind::Private,
            SubnetKind::Isolated,
        ] {
            let before = cidrs(&two, kind);
            let after = cidrs(&three, kind);
            assert_eq!(after.len(), 3);
            assert_eq!(after[..2], before[..], "{kind:?} subnets moved");
        }
    }

    #[test]
    fn each_private_subnet_routes_to_the_nat_gateway_of_its_own_az() {
        let (stack, vpc) = build(VpcProps {
            az_count: 3,
            ..VpcProps::default()
        });
        assert_eq!(vpc.nat_gateways().len(), 3);
        for n in 1..=3 {
            assert_eq!(
                prop(&stack, &format!("NetworkNatGateway{n}"), "SubnetId"),
                reference(&format!("NetworkPublicSubnet{n}")),
                "NAT {n} must live in the public subnet of AZ {n}"
            );
            assert_eq!(
                prop(
                    &stack,
                    &format!("NetworkPrivateSubnet{n}RouteTableAssociation"),
                    "RouteTableId"
                ),
                reference(&format!("NetworkPrivateRouteTable{n}"))
            );
            let route = format!("NetworkPrivateDefaultRoute{n}");
            assert_eq!(
                prop(&stack, &route, "RouteTableId"),
                reference(&format!("NetworkPrivateRouteTable{n}"))
            );
            assert_eq!(
                prop(&stack, &route, "NatGatewayId"),
                reference(&format!("NetworkNatGateway{n}"))
            );
            assert_eq!(
                prop(&stack, &route, "DestinationCidrBlock"),
                Expr::string("0.0.0.0/0")
            );
        }
        let template = stack.template().unwrap();
        let eip = &template.resources["NetworkNatEip1"];
        assert_eq!(eip.depends_on, ["NetworkInternetGatewayAttachment"]);
    }

    #[test]
    fn public_subnets_route_to_the_internet_gateway_after_it_is_attached() {
        let (stack, _) = build(VpcProps::default());
        let template = stack.template().unwrap();
        let route = &template.resources["NetworkPublicDefaultRoute"];
        assert_eq!(route.depends_on, ["NetworkInternetGatewayAttachment"]);
        assert_eq!(
            route.properties["GatewayId"],
            reference("NetworkInternetGateway")
        );
        for n in 1..=2 {
            assert_eq!(
                prop(
                    &stack,
                    &format!("NetworkPublicSubnet{n}RouteTableAssociation"),
                    "RouteTableId"
                ),
                reference("NetworkPublicRouteTable")
            );
        }
    }

    #[test]
    fn isolated_subnets_have_a_route_table_without_any_route() {
        let (stack, vpc) = build(VpcProps::default());
        assert_eq!(vpc.route_tables(SubnetKind::Isolated).len(), 1);
        let routes_to_isolated = stack
            .template()
            .unwrap()
            .resources
            .values()
            .filter(|r| r.resource_type == "AWS::EC2::Route")
            .filter(|r| r.properties["RouteTableId"] == reference("NetworkIsolatedRouteTable"))
            .count();
        assert_eq!(routes_to_isolated, 0);
        assert_eq!(
            prop(
                &stack,
                "NetworkIsolatedSubnet1RouteTableAssociation",
                "RouteTableId"
            ),
            reference("NetworkIsolatedRouteTable")
        );
    }

    #[test]
    fn a_single_nat_gateway_serves_every_az_and_is_recorded_as_an_override() {
        let (stack, vpc) = build(VpcProps {
            az_count: 3,
            nat_gateways: NatGateways::Single,
            ..VpcProps::default()
        });
        assert_eq!(vpc.nat_gateways().len(), 1);
        assert!(
            !stack
                .template()
                .unwrap()
                .resources
                .contains_key("NetworkNatGateway2")
        );
        for n in 1..=3 {
            assert_eq!(
                prop(
                    &stack,
                    &format!("NetworkPrivateDefaultRoute{n}"),
                    "NatGatewayId"
                ),
                reference("NetworkNatGateway1")
            );
        }
        let overrides = stack.overrides();
        assert_eq!(overrides.len(), 1);
        assert_eq!(overrides[0].construct, "Vpc \"Network\"");
        assert!(overrides[0].message.contains("single point of failure"));
    }

    #[test]
    fn a_single_az_is_recorded_as_an_override() {
        let (stack, vpc) = build(VpcProps {
            az_count: 1,
            ..VpcProps::default()
        });
        assert_eq!(vpc.nat_gateways().len(), 1);
        let overrides = stack.overrides();
        assert_eq!(overrides.len(), 1);
        assert!(overrides[0].message.contains("spans a single AZ"));
    }

    #[test]
    fn named_azs_are_used_literally() {
        let (stack, vpc) = build(VpcProps {
            az_count: 2,
            availability_zones: vec!["eu-west-1b".into(), "eu-west-1c".into()],
            ..VpcProps::default()
        });
        assert_eq!(
            prop(&stack, "NetworkPrivateSubnet2", "AvailabilityZone"),
            Expr::string("eu-west-1c")
        );
        assert_eq!(vpc.availability_zone(0), Some(&Value::from("eu-west-1b")));
    }

    #[test]
    fn explicit_cidrs_are_kept_and_computed_groups_fit_around_them() {
        let (_, vpc) = build(VpcProps {
            subnet_groups: vec![
                SubnetGroup::with_cidrs(
                    SubnetKind::Public,
                    vec![net("10.0.0.0/22"), net("10.0.4.0/22")],
                ),
                SubnetGroup::new(SubnetKind::Private, 24),
            ],
            ..VpcProps::default()
        });
        assert_eq!(
            cidrs(&vpc, SubnetKind::Public),
            ["10.0.0.0/22", "10.0.4.0/22"]
        );
        assert_eq!(
            cidrs(&vpc, SubnetKind::Private),
            ["10.0.8.0/24", "10.0.9.0/24"]
        );
    }

    #[test]
    fn two_groups_of_one_kind_need_names_and_get_their_own_subnets() {
        let (stack, vpc) = build(VpcProps {
            subnet_groups: vec![
                SubnetGroup::new(SubnetKind::Public, 24),
                SubnetGroup::new(SubnetKind::Private, 22).named("App"),
                SubnetGroup::new(SubnetKind::Private, 24).named("Workers"),
            ],
            ..VpcProps::default()
        });
        assert_eq!(vpc.subnets(SubnetKind::Private).len(), 4);
        assert_eq!(vpc.subnet_group("Workers").len(), 2);
        assert_eq!(
            prop(
                &stack,
                "NetworkWorkersSubnet2RouteTableAssociation",
                "RouteTableId"
            ),
            reference("NetworkPrivateRouteTable2")
        );

        let same_name = error(VpcProps {
            subnet_groups: vec![
                SubnetGroup::new(SubnetKind::Public, 24),
                SubnetGroup::new(SubnetKind::Public, 24),
            ],
            ..VpcProps::default()
        });
        assert!(
            same_name.contains("two subnet groups are named \"Public\""),
            "{same_name}"
        );
    }

    #[test]
    fn an_isolated_only_vpc_has_no_gateways() {
        let (stack, vpc) = build(VpcProps {
            subnet_groups: vec![SubnetGroup::new(SubnetKind::Isolated, 24)],
            nat_gateways: NatGateways::None,
            ..VpcProps::default()
        });
        assert!(vpc.internet_gateway().is_none());
        assert!(vpc.nat_gateways().is_empty());
        assert!(
            stack
                .template()
                .unwrap()
                .resources
                .values()
                .all(|r| r.resource_type != "AWS::EC2::Route")
        );
    }

    #[test]
    fn errors_name_the_construct() {
        let message = error(VpcProps {
            az_count: 0,
            ..VpcProps::default()
        });
        assert!(message.starts_with("Vpc \"Network\": "), "{message}");
    }

    #[test]
    fn zero_azs_is_an_error() {
        let message = error(VpcProps {
            az_count: 0,
            ..VpcProps::default()
        });
        assert!(message.contains("az_count is 0"), "{message}");
    }

    #[test]
    fn more_azs_than_any_region_has_is_an_error() {
        let message = error(VpcProps {
            az_count: 7,
            ..VpcProps::default()
        });
        assert!(
            message.contains("no region offers more than 6"),
            "{message}"
        );
    }

    #[test]
    fn more_azs_than_names_given_is_an_error() {
        let message = error(VpcProps {
            az_count: 3,
            availability_zones: vec!["eu-west-1a".into(), "eu-west-1b".into()],
            ..VpcProps::default()
        });
        assert!(
            message.contains("az_count is 3 but only 2 AZs are named (eu-west-1a, eu-west-1b)"),
            "{message}"
        );
    }

    #[test]
    fn more_names_than_the_az_count_is_an_error() {
        let message = error(VpcProps {
            az_count: 2,
            availability_zones: vec!["a1".into(), "a2".into(), "a3".into()],
            ..VpcProps::default()
        });
        assert!(message.contains("3 AZs are named"), "{message}");
        assert!(message.contains("set az_count to 3"), "{message}");
    }

    #[test]
    fn an_az_named_twice_is_an_error() {
        let message = error(VpcProps {
            availability_zones: vec!["eu-west-1a".into(), "eu-west-1a".into()],
            ..VpcProps::default()
        });
        assert!(
            message.contains("\"eu-west-1a\" is named twice"),
            "{message}"
        );
    }

    #[test]
    fn a_vpc_cidr_with_host_bits_or_a_bad_size_is_an_error() {
        let message = error(VpcProps {
            cidr: net("10.0.3.0/16"),
            ..VpcProps::default()
        });
        assert!(message.contains("did you mean 10.0.0.0/16"), "{message}");
        let message = error(VpcProps {
            cidr: net("10.0.0.0/8"),
            ..VpcProps::default()
        });
        assert!(message.contains("AWS accepts /16 to /28"), "{message}");
    }

    #[test]
    fn a_subnet_cidr_outside_the_vpc_is_an_error() {
        let message = error(VpcProps {
            subnet_groups: vec![SubnetGroup::with_cidrs(
                SubnetKind::Isolated,
                vec![net("10.0.0.0/24"), net("10.1.0.0/24")],
            )],
            nat_gateways: NatGateways::None,
            ..VpcProps::default()
        });
        assert!(
            message.contains("CIDR 10.1.0.0/24 is not inside the VPC CIDR 10.0.0.0/16"),
            "{message}"
        );
    }

    #[test]
    fn overlapping_subnet_cidrs_are_an_error() {
        let message = error(VpcProps {
            subnet_groups: vec![
                SubnetGroup::with_cidrs(
                    SubnetKind::Public,
                    vec![net("10.0.0.0/24"), net("10.0.1.0/24")],
                ),
                SubnetGroup::with_cidrs(
                    SubnetKind::Private,
                    vec![net("10.0.0.0/20"), net("10.0.16.0/20")],
                ),
            ],
            ..VpcProps::default()
        });
        assert!(
            message.contains("CIDR 10.0.0.0/20 overlaps 10.0.0.0/24 of group \"Public\""),
            "{message}"
        );
    }

    #[test]
    fn fewer_explicit_cidrs_than_azs_is_an_error() {
        let message = error(VpcProps {
            az_count: 3,
            subnet_groups: vec![SubnetGroup::with_cidrs(
                SubnetKind::Isolated,
                vec![net("10.0.0.0/24"), net("10.0.1.0/24")],
            )],
            ..VpcProps::default()
        });
        assert!(message.contains("gives 2 CIDRs for 3 AZs"), "{message}");
    }

    #[test]
    fn a_vpc_too_small_for_the_az_count_is_an_error() {
        let message = error(VpcProps {
            cidr: net("10.0.0.0/20"),
            ..VpcProps::default()
        });
        assert!(
            message.contains("subnet group \"Private\" needs room for 4 /20 subnets"),
            "{message}"
        );
        let message = error(VpcProps {
            cidr: net("10.0.0.0/24"),
            az_count: 5,
            subnet_groups: vec![SubnetGroup::new(SubnetKind::Isolated, 26)],
            ..VpcProps::default()
        });
        assert!(
            message.contains("needs room for 8 /26 subnets"),
            "{message}"
        );
    }

    #[test]
    fn subnet_prefix_lengths_outside_aws_limits_are_an_error() {
        let message = error(VpcProps {
            subnet_groups: vec![SubnetGroup::new(SubnetKind::Isolated, 29)],
            ..VpcProps::default()
        });
        assert!(message.contains("asks for /29 subnets"), "{message}");
    }

    #[test]
    fn private_subnets_without_a_nat_gateway_are_an_error() {
        let message = error(VpcProps {
            nat_gateways: NatGateways::None,
            ..VpcProps::default()
        });
        assert!(message.contains("need a NAT gateway"), "{message}");
    }

    #[test]
    fn private_subnets_without_public_ones_are_an_error() {
        let message = error(VpcProps {
            subnet_groups: vec![SubnetGroup::new(SubnetKind::Private, 20)],
            ..VpcProps::default()
        });
        assert!(message.contains("no Public subnet group"), "{message}");
    }

    #[test]
    fn no_subnet_groups_or_a_bad_group_name_is_an_error() {
        let message = error(VpcProps {
            subnet_groups: vec![],
            ..VpcProps::default()
        });
        assert!(message.contains("no subnet groups"), "{message}");
        let message = error(VpcProps {
            subnet_groups: vec![SubnetGroup::new(SubnetKind::Public, 24).named("web-tier")],
            ..VpcProps::default()
        });
        assert!(
            message.contains("\"web-tier\" must be letters and digits"),
            "{message}"
        );
    }

    proptest::proptest! {
        /// Whatever the sizes, a layout that is accepted keeps every subnet
        /// inside the VPC and apart from every other, and one more AZ (up to
        /// the reserved slots) moves none of the existing subnets.
        #[test]
        fn accepted_layouts_never_overlap_and_grow_in_place(
            vpc_len in 16u8..=24,
            offsets in proptest::collection::vec(3u8..=8, 1..4),
            az_count in 1usize..=3,
        ) {
            let kinds = [SubnetKind::Isolated, SubnetKind::Isolated, SubnetKind::Isolated];
            let groups: Vec<SubnetGroup> = offsets
                .iter()
                .map(|offset| (vpc_len + offset).min(28))
                .zip(kinds)
                .enumerate()
                .map(|(i, (len, kind))| SubnetGroup::new(kind, len).named(format!("G{i}")))
                .collect();
            let props = |az_count| VpcProps {
                cidr: Ipv4Net::new(Ipv4Addr::new(10, 0, 0, 0), vpc_len).unwrap(),
                az_count,
                subnet_groups: groups.clone(),
                nat_gateways: NatGateways::None,
                ..VpcProps::default()
            };
            let mut stack = Stack::new("t");
            let accepted = Vpc::new(&mut stack, "N", props(az_count));
            // Three groups of four /(vpc+3) blocks or smaller always fit.
            proptest::prop_assert!(accepted.is_ok() || offsets.iter().any(|o| *o < 4));
            if let Ok(vpc) = accepted {
                let all = vpc.all_subnets();
                for (i, a) in all.iter().enumerate() {
                    proptest::prop_assert!(vpc.cidr().contains(&a.cidr));
                    for b in &all[i + 1..] {
                        proptest::prop_assert!(!a.cidr.contains(&b.cidr) && !b.cidr.contains(&a.cidr));
                    }
                }
                let mut bigger = Stack::new("t");
                let grown = Vpc::new(&mut bigger, "N", props(az_count + 1));
                proptest::prop_assert!(grown.is_ok(), "room was reserved for one more AZ");
                let grown = grown.unwrap();
                for subnet in all {
                    proptest::prop_assert!(grown.all_subnets().contains(subnet));
                }
            }
        }
    }

    #[test]
    fn a_bad_construct_id_is_an_error() {
        let mut stack = Stack::new("test");
        let message = Vpc::new(&mut stack, "my-net", VpcProps::default())
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("Vpc \"my-net\": invalid logical ID"),
            "{message}"
        );
    }
}
