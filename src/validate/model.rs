//! The network and compute topology a template describes, as far as it can
//! be known before deployment: VPCs and subnets with their CIDRs and AZs,
//! route tables, NAT gateways, network ACLs, security groups and their
//! rules, and which subnets and groups load balancers, Auto Scaling groups,
//! instances and databases use.
//!
//! Owns reading that topology out of resource properties. AZ identity comes
//! from the template itself: `!Select [i, !GetAZs '']` is "AZ index i", a
//! literal AZ name is itself, `!Select [i, !Ref AzList]` is `AzList[i]`;
//! anything else is unknown, and checks that need it stay silent. `Fn::If`
//! is read through its first branch. The security, availability and network
//! checks and the availability report read this model; it judges nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use indexmap::IndexMap;
use ipnet::{IpNet, Ipv4Net};

use crate::template::{Expr, Intrinsic, Resource, Template};

/// An availability zone as the template identifies it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Az {
    /// `!Select [i, !GetAZs '']`: the i-th AZ of the stack's region.
    Index(usize),
    /// A literal name or ID (`us-east-1a`, `use1-az1`), or a parameter
    /// position (`AzList[0]`).
    Named(String),
}

impl fmt::Display for Az {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Az::Index(i) => write!(f, "AZ index {i}"),
            Az::Named(n) => f.write_str(n),
        }
    }
}

/// An address range in a rule: a literal CIDR, or an expression (a
/// parameter) compared by its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addr {
    /// A literal CIDR block.
    Cidr(IpNet),
    /// A computed range, such as `!Ref AdminCidr`, by its text.
    Expr(String),
}

impl Addr {
    /// `0.0.0.0/0` or `::/0`.
    pub fn is_world(&self) -> bool {
        matches!(self, Addr::Cidr(n) if n.prefix_len() == 0)
    }

    /// Whether every address of `other` is in `self`.
    pub fn covers(&self, other: &Addr) -> bool {
        match (self, other) {
            (Addr::Cidr(a), _) if a.prefix_len() == 0 => match other {
                Addr::Cidr(b) => a.contains(b),
                Addr::Expr(_) => true,
            },
            (Addr::Cidr(a), Addr::Cidr(b)) => a.contains(b),
            (Addr::Expr(a), Addr::Expr(b)) => a == b,
            _ => false,
        }
    }

    /// Whether some address is in both.
    pub fn overlaps(&self, other: &Addr) -> bool {
        match (self, other) {
            (Addr::Cidr(a), Addr::Cidr(b)) => a.contains(b) || b.contains(a),
            _ => true,
        }
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addr::Cidr(n) => write!(f, "{n}"),
            Addr::Expr(e) => f.write_str(e),
        }
    }
}

/// An IP protocol in a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Every protocol (`-1`).
    All,
    /// TCP (`tcp`, `6`).
    Tcp,
    /// UDP (`udp`, `17`).
    Udp,
    /// ICMP (`icmp`, `1`).
    Icmp,
    /// Another protocol number.
    Other(i64),
}

impl Protocol {
    fn parse(e: &Expr) -> Option<Protocol> {
        let text = literal(e)?;
        Some(match text.to_ascii_lowercase().as_str() {
            "-1" | "all" => Protocol::All,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            "icmp" | "1" => Protocol::Icmp,
            other => Protocol::Other(other.parse().ok()?),
        })
    }

    /// Whether a rule of this protocol applies to traffic of `other`.
    pub fn covers(self, other: Protocol) -> bool {
        self == Protocol::All || self == other
    }

    /// Whether ports mean anything for it.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }
}

/// An inclusive port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ports {
    /// First port.
    pub from: u16,
    /// Last port.
    pub to: u16,
}

impl Ports {
    /// Every port.
    pub const ALL: Ports = Ports { from: 0, to: 65535 };
    /// The ephemeral ports return traffic uses (the widest common range).
    pub const EPHEMERAL: Ports = Ports {
        from: 1024,
        to: 65535,
    };

    /// One port.
    pub fn one(p: u16) -> Ports {
        Ports { from: p, to: p }
    }

    /// Whether every port of `other` is in `self`.
    pub fn covers(self, other: Ports) -> bool {
        self.from <= other.from && other.to <= self.to
    }

    /// Whether some port is in both.
    pub fn overlaps(self, other: Ports) -> bool {
        self.from <= other.to && other.from <= self.to
    }

    /// Whether a port is in the range.
    pub fn contains(self, p: u16) -> bool {
        self.from <= p && p <= self.to
    }
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else if *self == Ports::ALL {
            f.write_str("all ports")
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// The other side of a security group rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// An address range.
    Addr(Addr),
    /// Members of a security group of this template (logical ID).
    Group(String),
    /// A group, prefix list or range hagen cannot resolve.
    Unknown,
}

/// One security group rule.
#[derive(Debug, Clone)]
pub struct SgRule {
    /// Protocol.
    pub protocol: Protocol,
    /// Ports (all ports for protocols without ports).
    pub ports: Ports,
    /// Where traffic comes from (ingress) or goes to (egress).
    pub peer: Peer,
    /// Where the rule is written in the template.
    pub path: Vec<String>,
    /// The logical ID that holds it (the group, or a standalone rule).
    pub owner: String,
}

/// A security group with its rules.
#[derive(Debug, Clone, Default)]
pub struct SecurityGroup {
    /// Ingress rules.
    pub ingress: Vec<SgRule>,
    /// Egress rules; when none are written AWS allows all egress.
    pub egress: Vec<SgRule>,
    /// Whether egress rules were written (inline or standalone).
    pub egress_written: bool,
}

/// A network ACL entry.
#[derive(Debug, Clone)]
pub struct NaclEntry {
    /// Evaluation order (lowest first).
    pub rule_number: i64,
    /// Outbound when true.
    pub egress: bool,
    /// Protocol.
    pub protocol: Protocol,
    /// Allow (true) or deny.
    pub allow: bool,
    /// Address range.
    pub cidr: Addr,
    /// Ports (all for protocols without ports).
    pub ports: Ports,
    /// The entry's logical ID.
    pub id: String,
}

/// A subnet.
#[derive(Debug, Clone)]
pub struct Subnet {
    /// Its VPC's logical ID, when it is in this template.
    pub vpc: Option<String>,
    /// Its IPv4 CIDR, when known.
    pub cidr: Option<Ipv4Net>,
    /// Its AZ, when known.
    pub az: Option<Az>,
    /// Its route table's logical ID.
    pub route_table: Option<String>,
    /// Its network ACL's logical ID (`None`: the VPC's default ACL).
    pub nacl: Option<String>,
}

/// Where a route table sends `0.0.0.0/0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultRoute {
    /// An internet gateway (a public subnet).
    InternetGateway,
    /// A NAT gateway of this template (logical ID) and the route's logical ID.
    Nat(String, String),
    /// Something else (a transit gateway, an appliance, a NAT outside the template).
    Other,
}

/// A group of instances: an Auto Scaling group or a single instance.
#[derive(Debug, Clone)]
pub struct Compute {
    /// Subnets (logical IDs); `None` when not known.
    pub subnets: Option<Vec<String>>,
    /// AZs given directly (an Auto Scaling group's `AvailabilityZones`).
    pub azs: Option<Vec<Az>>,
    /// Security groups (logical IDs of this template).
    pub groups: Vec<String>,
    /// Whether `groups` is all of them: written as a list whose every item
    /// is a group of this template (not a parameter, an ID or nothing,
    /// which leaves the VPC's default group).
    pub groups_known: bool,
    /// Target groups an Auto Scaling group registers its instances with
    /// (`TargetGroupARNs`).
    pub target_groups: Vec<String>,
    /// The launch template, when it is one of this template.
    pub launch_template: Option<String>,
    /// Minimum size (1 for an instance).
    pub min: Option<i64>,
    /// Whether it is an Auto Scaling group.
    pub is_asg: bool,
}

/// A load balancer.
#[derive(Debug, Clone)]
pub struct LoadBalancer {
    /// Subnets (logical IDs); `None` when not known.
    pub subnets: Option<Vec<String>>,
    /// Security groups.
    pub groups: Vec<String>,
    /// Whether `groups` is all of them (see [`Compute::groups_known`]).
    pub groups_known: bool,
    /// `application`, `network` or `gateway`.
    pub kind: String,
    /// `Scheme: internal`: its users are inside the VPC.
    pub internal: bool,
}

/// A load balancer listener.
#[derive(Debug, Clone)]
pub struct Listener {
    /// The load balancer's logical ID.
    pub load_balancer: String,
    /// The port it listens on, when literal.
    pub port: Option<u16>,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP` or `GENEVE`, when literal.
    pub protocol: Option<String>,
    /// Target groups it forwards to (default actions and listener rules),
    /// in order, without duplicates.
    pub target_groups: Vec<String>,
}

/// A load balancer target group.
#[derive(Debug, Clone)]
pub struct TargetGroup {
    /// The port targets receive traffic on, when literal.
    pub port: Option<u16>,
    /// The health check port, when it is a literal other than the traffic port.
    pub health_check_port: Option<u16>,
    /// `instance` (the default), `ip`, `lambda` or `alb`.
    pub target_type: String,
    /// Instances of this template registered in `Targets`, with their own
    /// port when one is given.
    pub targets: Vec<(String, Option<u16>)>,
}

/// A database instance or cluster.
#[derive(Debug, Clone)]
pub struct Database {
    /// Subnets of its DB subnet group; `None` when not known.
    pub subnets: Option<Vec<String>>,
    /// Security groups.
    pub groups: Vec<String>,
    /// Multi-AZ (an instance's `MultiAZ`; a cluster with two or more instances).
    pub multi_az: bool,
    /// The AZ of a single-AZ instance, when written.
    pub az: Option<Az>,
    /// Whether it is an Aurora-style cluster.
    pub is_cluster: bool,
    /// Whether `groups` is all of them (see [`Compute::groups_known`]).
    pub groups_known: bool,
    /// The port it listens on: `Port` when literal, else the engine's
    /// default; `None` when neither is known.
    pub port: Option<u16>,
}

/// The topology of a template.
#[derive(Debug, Default)]
pub struct Model {
    /// VPCs by logical ID, with their CIDRs.
    pub vpcs: IndexMap<String, Option<Ipv4Net>>,
    /// Subnets by logical ID.
    pub subnets: IndexMap<String, Subnet>,
    /// Default routes by route table.
    pub default_routes: IndexMap<String, DefaultRoute>,
    /// NAT gateways by logical ID, with their subnet.
    pub nats: IndexMap<String, Option<String>>,
    /// Network ACL entries by ACL logical ID.
    pub nacls: IndexMap<String, Vec<NaclEntry>>,
    /// Security groups by logical ID.
    pub groups: IndexMap<String, SecurityGroup>,
    /// Auto Scaling groups and instances by logical ID.
    pub compute: IndexMap<String, Compute>,
    /// Load balancers by logical ID.
    pub load_balancers: IndexMap<String, LoadBalancer>,
    /// Databases by logical ID.
    pub databases: IndexMap<String, Database>,
    /// Load balancer listeners by logical ID.
    pub listeners: IndexMap<String, Listener>,
    /// Target groups by logical ID.
    pub target_groups: IndexMap<String, TargetGroup>,
}

/// Follows `Fn::If` through its first branch.
pub fn settle(mut e: &Expr) -> &Expr {
    while let Some(Intrinsic::If { then, .. }) = e.as_fn() {
        e = then;
    }
    e
}

/// Every value an expression can take through its `Fn::If`s (`Ref
/// AWS::NoValue` branches included as they are).
pub fn alternatives(e: &Expr) -> Vec<&Expr> {
    match e.as_fn() {
        Some(Intrinsic::If {
            then, otherwise, ..
        }) => {
            let mut v = alternatives(then);
            v.extend(alternatives(otherwise));
            v
        }
        _ => vec![e],
    }
}

/// A literal scalar as text (`"5"`, `"true"`).
pub fn literal(e: &Expr) -> Option<String> {
    match settle(e) {
        Expr::String(s) => Some(s.clone()),
        Expr::Int(n) => Some(n.to_string()),
        Expr::Float(x) => Some(x.to_string()),
        Expr::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A literal whole number.
pub fn literal_int(e: &Expr) -> Option<i64> {
    literal(e)?.trim().parse().ok()
}

/// A literal boolean, read as CloudFormation does (`true`, `"True"`...).
pub fn literal_bool(e: &Expr) -> Option<bool> {
    match literal(e)?.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The logical ID a value points at: `!Ref X` or `!GetAtt X.Attr`.
pub fn target(e: &Expr) -> Option<&str> {
    match settle(e).as_fn() {
        Some(Intrinsic::Ref(n)) => Some(n),
        Some(Intrinsic::GetAtt { resource, .. }) => Some(resource),
        _ => None,
    }
}

/// A property of a resource, as written (its `Fn::If`s unsettled, so that
/// rules can judge every branch; the readers here settle what they read).
pub fn prop<'r>(r: &'r Resource, name: &str) -> Option<&'r Expr> {
    r.properties.get(name)
}

/// A key of a map value (the map read through its first `Fn::If` branch),
/// as written.
pub fn field<'e>(e: &'e Expr, name: &str) -> Option<&'e Expr> {
    match settle(e) {
        Expr::Map(m) => m.get(name),
        _ => None,
    }
}

/// The items of a literal list (through `Fn::If`), without `Ref AWS::NoValue`.
pub fn items(e: &Expr) -> Option<Vec<&Expr>> {
    match settle(e) {
        Expr::List(items) => Some(
            items
                .iter()
                .map(settle)
                .filter(|i| !matches!(i.as_fn(), Some(Intrinsic::Ref(n)) if n == "AWS::NoValue"))
                .collect(),
        ),
        _ => None,
    }
}

/// The smallest whole number a value can be: a literal, or the smallest of
/// the values a `Fn::FindInMap` over a literal mapping can pick (the worst
/// case for capacity).
pub fn smallest_int(template: &Template, e: &Expr) -> Option<i64> {
    if let Some(n) = literal_int(e) {
        return Some(n);
    }
    let Some(Intrinsic::FindInMap {
        map,
        top_key,
        second_key,
    }) = settle(e).as_fn()
    else {
        return None;
    };
    let m = template.mappings.get(literal(map)?.as_str())?;
    let tops: Vec<&IndexMap<String, Expr>> = match literal(top_key) {
        Some(k) => vec![m.get(&k)?],
        None => m.values().collect(),
    };
    let mut values = Vec::new();
    for top in tops {
        match literal(second_key) {
            Some(k) => values.push(literal_int(top.get(&k)?)?),
            None => {
                for v in top.values() {
                    values.push(literal_int(v)?);
                }
            }
        }
    }
    values.into_iter().min()
}

fn az_of(e: &Expr) -> Option<Az> {
    match settle(e) {
        Expr::String(s) if !s.is_empty() => Some(Az::Named(s.clone())),
        Expr::Fn(f) => match f.as_ref() {
            Intrinsic::Select { index, list } => {
                let i = literal_int(index).and_then(|i| usize::try_from(i).ok())?;
                match settle(list) {
                    Expr::Fn(inner) => match inner.as_ref() {
                        Intrinsic::GetAZs(region) => {
                            let stack_region = match settle(region) {
                                Expr::String(s) => s.is_empty(),
                                other => {
                                    matches!(other.as_fn(), Some(Intrinsic::Ref(r)) if r == "AWS::Region")
                                }
                            };
                            stack_region.then_some(Az::Index(i))
                        }
                        Intrinsic::Ref(p) => Some(Az::Named(format!("{p}[{i}]"))),
                        _ => None,
                    },
                    Expr::List(items) => items.get(i).and_then(az_of),
                    _ => None,
                }
            }
            Intrinsic::Ref(p) => Some(Az::Named(format!("!Ref {p}"))),
            _ => None,
        },
        _ => None,
    }
}

fn addr_of(e: &Expr) -> Option<Addr> {
    match settle(e) {
        Expr::String(s) => s.parse::<IpNet>().ok().map(|n| Addr::Cidr(n.trunc())),
        Expr::Fn(f) => Some(Addr::Expr(super::text::show_fn(f))),
        _ => None,
    }
}

/// Evaluates a CIDR expression: a literal, `!GetAtt Vpc.CidrBlock` of a
/// VPC with a literal CIDR, or `!Select [i, !Cidr [block, count, bits]]`.
fn cidr_of(e: &Expr, vpcs: &IndexMap<String, Option<Ipv4Net>>) -> Option<Ipv4Net> {
    match settle(e) {
        Expr::String(s) => s.parse::<Ipv4Net>().ok(),
        Expr::Fn(f) => match f.as_ref() {
            Intrinsic::GetAtt {
                resource,
                attribute,
            } if attribute == "CidrBlock" => vpcs.get(resource).copied().flatten(),
            Intrinsic::Select { index, list } => {
                let i = usize::try_from(literal_int(index)?).ok()?;
                let Some(Intrinsic::Cidr { block, count, bits }) = settle(list).as_fn() else {
                    return None;
                };
                let block = cidr_of(block, vpcs)?;
                let count = usize::try_from(literal_int(count)?).ok()?;
                let bits = u8::try_from(literal_int(bits)?).ok()?;
                let prefix = 32u8.checked_sub(bits)?;
                if i >= count || prefix < block.prefix_len() {
                    return None;
                }
                block.subnets(prefix).ok()?.nth(i)
            }
            _ => None,
        },
        _ => None,
    }
}

fn ports_of(from: Option<&Expr>, to: Option<&Expr>, protocol: Protocol) -> Ports {
    if !protocol.has_ports() {
        return Ports::ALL;
    }
    let from = from.and_then(literal_int);
    let to = to.and_then(literal_int);
    match (from, to) {
        (Some(f), Some(t)) if f == -1 || t == -1 => Ports::ALL,
        (Some(f), Some(t)) => Ports {
            from: u16::try_from(f).unwrap_or(0),
            to: u16::try_from(t).unwrap_or(65535),
        },
        _ => Ports::ALL,
    }
}

/// Whether a list of security groups is fully known: written as a
/// literal list, not empty, and every item a group of this template.
fn groups_known(e: Option<&Expr>, template: &Template) -> bool {
    let Some(list) = e.and_then(items) else {
        return false;
    };
    !list.is_empty()
        && list.iter().all(|g| {
            target(g).is_some_and(|id| {
                template
                    .resources
                    .get(id)
                    .is_some_and(|r| r.resource_type == "AWS::EC2::SecurityGroup")
            })
        })
}

/// A literal port number.
fn port(e: &Expr) -> Option<u16> {
    literal_int(e).and_then(|p| u16::try_from(p).ok())
}

/// The port an RDS engine listens on unless `Port` says otherwise.
fn engine_port(engine: &str) -> Option<u16> {
    let e = engine.to_ascii_lowercase();
    if e.contains("postgres") {
        Some(5432)
    } else if e.contains("mysql") || e.contains("mariadb") || e == "aurora" {
        Some(3306)
    } else if e.starts_with("oracle") {
        Some(1521)
    } else if e.starts_with("sqlserver") {
        Some(1433)
    } else if e.starts_with("db2") {
        Some(50000)
    } else {
        None
    }
}

fn database_port(r: &Resource) -> Option<u16> {
    match prop(r, "Port") {
        Some(p) => port(p),
        None => prop(r, "Engine")
            .and_then(literal)
            .and_then(|e| engine_port(&e)),
    }
}

/// The target groups of a listener action list (`forward` with
/// `TargetGroupArn` or `ForwardConfig.TargetGroups`).
fn forwarded(actions: Option<&Expr>, out: &mut Vec<String>) {
    for action in actions.and_then(items).unwrap_or_default() {
        let mut found: Vec<&str> = field(action, "TargetGroupArn")
            .and_then(target)
            .into_iter()
            .collect();
        if let Some(groups) = field(action, "ForwardConfig")
            .and_then(|c| field(c, "TargetGroups"))
            .and_then(items)
        {
            found.extend(
                groups
                    .into_iter()
                    .filter_map(|g| field(g, "TargetGroupArn").and_then(target)),
            );
        }
        for tg in found {
            if !out.iter().any(|t| t == tg) {
                out.push(tg.to_owned());
            }
        }
    }
}

fn ids(e: Option<&Expr>) -> Vec<String> {
    e.and_then(items)
        .map(|list| {
            list.into_iter()
                .filter_map(target)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

impl Model {
    /// Reads the topology out of a template.
    pub fn of(template: &Template) -> Model {
        let mut m = Model::default();
        let res = &template.resources;
        for (id, r) in res {
            if r.resource_type == "AWS::EC2::VPC" {
                let cidr = prop(r, "CidrBlock").and_then(|c| cidr_of(c, &IndexMap::new()));
                m.vpcs.insert(id.clone(), cidr);
            }
        }
        for (id, r) in res {
            match r.resource_type.as_str() {
                "AWS::EC2::Subnet" => {
                    let subnet = Subnet {
                        vpc: prop(r, "VpcId").and_then(target).map(str::to_owned),
                        cidr: prop(r, "CidrBlock").and_then(|c| cidr_of(c, &m.vpcs)),
                        az: prop(r, "AvailabilityZone")
                            .or_else(|| prop(r, "AvailabilityZoneId"))
                            .and_then(az_of),
                        route_table: None,
                        nacl: None,
                    };
                    m.subnets.insert(id.clone(), subnet);
                }
                "AWS::EC2::NatGateway" => {
                    let subnet = prop(r, "SubnetId").and_then(target).map(str::to_owned);
                    m.nats.insert(id.clone(), subnet);
                }
                "AWS::EC2::SecurityGroup" => {
                    let mut g = SecurityGroup::default();
                    for (key, egress) in [
                        ("SecurityGroupIngress", false),
                        ("SecurityGroupEgress", true),
                    ] {
                        let Some(list) = prop(r, key).and_then(items) else {
                            continue;
                        };
                        if egress {
                            g.egress_written = true;
                        }
                        for (i, rule) in list.into_iter().enumerate() {
                            let path = vec![
                                "Resources".into(),
                                id.clone(),
                                "Properties".into(),
                                key.into(),
                                i.to_string(),
                            ];
                            if let Some(rule) = sg_rule(rule, egress, path, id) {
                                if egress {
                                    g.egress.push(rule);
                                } else {
                                    g.ingress.push(rule);
                                }
                            }
                        }
                    }
                    m.groups.insert(id.clone(), g);
                }
                _ => {}
            }
        }
        for (id, r) in res {
            match r.resource_type.as_str() {
                "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
                    let egress = r.resource_type.ends_with("Egress");
                    let Some(group) = prop(r, "GroupId").and_then(target) else {
                        continue;
                    };
                    let path = vec!["Resources".into(), id.clone(), "Properties".into()];
                    let rule = sg_rule(&Expr::Map(r.properties.clone()), egress, path, id);
                    if let (Some(g), Some(rule)) = (m.groups.get_mut(group), rule) {
                        if egress {
                            g.egress_written = true;
                            g.egress.push(rule);
                        } else {
                            g.ingress.push(rule);
                        }
                    }
                }
                "AWS::EC2::SubnetRouteTableAssociation" => {
                    let subnet = prop(r, "SubnetId").and_then(target);
                    let table = prop(r, "RouteTableId").and_then(target);
                    if let (Some(s), Some(t)) = (subnet, table)
                        && let Some(sub) = m.subnets.get_mut(s)
                    {
                        sub.route_table = Some(t.to_owned());
                    }
                }
                "AWS::EC2::SubnetNetworkAclAssociation" => {
                    let subnet = prop(r, "SubnetId").and_then(target);
                    let acl = prop(r, "NetworkAclId").and_then(target);
                    if let (Some(s), Some(a)) = (subnet, acl)
                        && let Some(sub) = m.subnets.get_mut(s)
                    {
                        sub.nacl = Some(a.to_owned());
                    }
                }
                "AWS::EC2::Route" => {
                    let default = prop(r, "DestinationCidrBlock")
                        .and_then(literal)
                        .is_some_and(|c| c == "0.0.0.0/0");
                    let Some(table) = prop(r, "RouteTableId").and_then(target) else {
                        continue;
                    };
                    if !default {
                        continue;
                    }
                    let route = if let Some(nat) = prop(r, "NatGatewayId").and_then(target) {
                        DefaultRoute::Nat(nat.to_owned(), id.clone())
                    } else if let Some(gw) = prop(r, "GatewayId") {
                        let to_igw = target(gw)
                            .and_then(|g| res.get(g))
                            .is_none_or(|g| g.resource_type == "AWS::EC2::InternetGateway")
                            || literal(gw).is_some_and(|g| g.starts_with("igw-"));
                        if to_igw {
                            DefaultRoute::InternetGateway
                        } else {
                            DefaultRoute::Other
                        }
                    } else {
                        DefaultRoute::Other
                    };
                    m.default_routes.insert(table.to_owned(), route);
                }
                "AWS::EC2::NetworkAclEntry" => {
                    let Some(acl) = prop(r, "NetworkAclId").and_then(target) else {
                        continue;
                    };
                    if let Some(entry) = nacl_entry(id, r) {
                        m.nacls.entry(acl.to_owned()).or_default().push(entry);
                    }
                }
                "AWS::EC2::NetworkAcl" => {
                    m.nacls.entry(id.clone()).or_default();
                }
                _ => {}
            }
        }
        for entries in m.nacls.values_mut() {
            entries.sort_by_key(|e| e.rule_number);
        }

        let launch_groups = launch_template_groups(template);
        let mut cluster_members: BTreeMap<&str, usize> = BTreeMap::new();
        for r in res.values() {
            if r.resource_type == "AWS::RDS::DBInstance"
                && let Some(c) = prop(r, "DBClusterIdentifier").and_then(target)
            {
                *cluster_members.entry(c).or_default() += 1;
            }
        }
        for (id, r) in res {
            match r.resource_type.as_str() {
                "AWS::AutoScaling::AutoScalingGroup" => {
                    let subnets = prop(r, "VPCZoneIdentifier")
                        .and_then(items)
                        .and_then(|list| all_targets(list.into_iter().map(Some)));
                    let azs = prop(r, "AvailabilityZones")
                        .and_then(items)
                        .map(|list| list.into_iter().filter_map(az_of).collect());
                    let launch_template = prop(r, "LaunchTemplate")
                        .and_then(|lt| {
                            field(lt, "LaunchTemplateId")
                                .or_else(|| field(lt, "LaunchTemplateName"))
                        })
                        .and_then(target)
                        .filter(|lt| launch_groups.contains_key(*lt));
                    let (groups, known) = launch_template
                        .and_then(|lt| launch_groups.get(lt).cloned())
                        .unwrap_or_default();
                    m.compute.insert(
                        id.clone(),
                        Compute {
                            subnets,
                            azs,
                            groups,
                            groups_known: known,
                            target_groups: ids(prop(r, "TargetGroupARNs")),
                            launch_template: launch_template.map(str::to_owned),
                            min: prop(r, "MinSize").and_then(|e| smallest_int(template, e)),
                            is_asg: true,
                        },
                    );
                }
                "AWS::EC2::Instance" => {
                    // Groups come from SecurityGroupIds, each network
                    // interface's GroupSet and the launch template; they
                    // are known when some source is written and every
                    // written source is known.
                    let mut groups = ids(prop(r, "SecurityGroupIds"));
                    let mut sources: Vec<bool> = prop(r, "SecurityGroupIds")
                        .map(|g| groups_known(Some(g), template))
                        .into_iter()
                        .collect();
                    let mut subnet = prop(r, "SubnetId").and_then(target).map(str::to_owned);
                    if let Some(nics) = prop(r, "NetworkInterfaces").and_then(items) {
                        for nic in nics {
                            groups.extend(ids(field(nic, "GroupSet")));
                            sources.push(groups_known(field(nic, "GroupSet"), template));
                            if subnet.is_none() {
                                subnet = field(nic, "SubnetId").and_then(target).map(str::to_owned);
                            }
                        }
                    }
                    let launch_template = prop(r, "LaunchTemplate")
                        .and_then(|lt| field(lt, "LaunchTemplateId"))
                        .and_then(target)
                        .filter(|lt| launch_groups.contains_key(*lt));
                    if let Some((lt_groups, lt_known)) =
                        launch_template.and_then(|lt| launch_groups.get(lt))
                        && !lt_groups.is_empty()
                    {
                        groups.extend(lt_groups.iter().cloned());
                        sources.push(*lt_known);
                    }
                    let known = !sources.is_empty() && sources.iter().all(|k| *k);
                    m.compute.insert(
                        id.clone(),
                        Compute {
                            subnets: subnet.map(|s| vec![s]),
                            azs: prop(r, "AvailabilityZone").and_then(az_of).map(|a| vec![a]),
                            groups,
                            groups_known: known,
                            target_groups: Vec::new(),
                            launch_template: launch_template.map(str::to_owned),
                            min: Some(1),
                            is_asg: false,
                        },
                    );
                }
                "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                    let subnets = match prop(r, "Subnets").and_then(items) {
                        Some(list) => all_targets(list.into_iter().map(Some)),
                        None => prop(r, "SubnetMappings").and_then(items).and_then(|list| {
                            all_targets(list.into_iter().map(|m| field(m, "SubnetId")))
                        }),
                    };
                    m.load_balancers.insert(
                        id.clone(),
                        LoadBalancer {
                            subnets,
                            groups: ids(prop(r, "SecurityGroups")),
                            groups_known: groups_known(prop(r, "SecurityGroups"), template),
                            kind: prop(r, "Type")
                                .and_then(literal)
                                .unwrap_or_else(|| "application".into()),
                            internal: prop(r, "Scheme")
                                .and_then(literal)
                                .is_some_and(|s| s == "internal"),
                        },
                    );
                }
                "AWS::ElasticLoadBalancingV2::Listener" => {
                    let Some(lb) = prop(r, "LoadBalancerArn").and_then(target) else {
                        continue;
                    };
                    let mut target_groups = Vec::new();
                    forwarded(prop(r, "DefaultActions"), &mut target_groups);
                    m.listeners.insert(
                        id.clone(),
                        Listener {
                            load_balancer: lb.to_owned(),
                            port: prop(r, "Port").and_then(port),
                            protocol: prop(r, "Protocol").and_then(literal),
                            target_groups,
                        },
                    );
                }
                "AWS::ElasticLoadBalancingV2::TargetGroup" => {
                    let targets = prop(r, "Targets")
                        .and_then(items)
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|t| {
                            let id = field(t, "Id").and_then(target)?;
                            Some((id.to_owned(), field(t, "Port").and_then(port)))
                        })
                        .collect();
                    let traffic = prop(r, "Port").and_then(port);
                    m.target_groups.insert(
                        id.clone(),
                        TargetGroup {
                            port: traffic,
                            health_check_port: prop(r, "HealthCheckPort")
                                .and_then(port)
                                .filter(|p| Some(*p) != traffic),
                            target_type: prop(r, "TargetType")
                                .and_then(literal)
                                .unwrap_or_else(|| "instance".into()),
                            targets,
                        },
                    );
                }
                "AWS::RDS::DBInstance" if prop(r, "DBClusterIdentifier").is_none() => {
                    m.databases.insert(
                        id.clone(),
                        Database {
                            subnets: db_subnets(template, r),
                            groups: ids(prop(r, "VPCSecurityGroups")),
                            multi_az: prop(r, "MultiAZ").and_then(literal_bool).unwrap_or(false),
                            az: prop(r, "AvailabilityZone").and_then(az_of),
                            is_cluster: false,
                            groups_known: groups_known(prop(r, "VPCSecurityGroups"), template),
                            port: database_port(r),
                        },
                    );
                }
                "AWS::RDS::DBCluster" => {
                    let members = cluster_members.get(id.as_str()).copied().unwrap_or(0);
                    let serverless_v1 = prop(r, "EngineMode")
                        .and_then(literal)
                        .is_some_and(|m| m == "serverless");
                    let multi_az_cluster = prop(r, "DBClusterInstanceClass").is_some();
                    m.databases.insert(
                        id.clone(),
                        Database {
                            subnets: db_subnets(template, r),
                            groups: ids(prop(r, "VpcSecurityGroupIds")),
                            multi_az: members >= 2 || serverless_v1 || multi_az_cluster,
                            az: None,
                            is_cluster: true,
                            groups_known: groups_known(prop(r, "VpcSecurityGroupIds"), template),
                            port: database_port(r),
                        },
                    );
                }
                _ => {}
            }
        }
        for r in res.values() {
            if r.resource_type != "AWS::ElasticLoadBalancingV2::ListenerRule" {
                continue;
            }
            let Some(listener) = prop(r, "ListenerArn")
                .and_then(target)
                .and_then(|l| m.listeners.get_mut(l))
            else {
                continue;
            };
            forwarded(prop(r, "Actions"), &mut listener.target_groups);
        }
        m
    }

    /// The AZ of a subnet, when known.
    pub fn subnet_az(&self, subnet: &str) -> Option<&Az> {
        self.subnets.get(subnet).and_then(|s| s.az.as_ref())
    }

    /// The distinct AZs of a list of subnets; `None` when any is unknown.
    pub fn azs_of(&self, subnets: &[String]) -> Option<Vec<Az>> {
        let mut azs: Vec<Az> = Vec::new();
        for s in subnets {
            let az = self.subnet_az(s)?.clone();
            if !azs.contains(&az) {
                azs.push(az);
            }
        }
        azs.sort();
        Some(azs)
    }

    /// Where a subnet's route table sends `0.0.0.0/0`.
    pub fn default_route(&self, subnet: &str) -> Option<&DefaultRoute> {
        let table = self.subnets.get(subnet)?.route_table.as_ref()?;
        self.default_routes.get(table)
    }

    /// Whether a subnet routes to an internet gateway.
    pub fn is_public(&self, subnet: &str) -> bool {
        self.default_route(subnet) == Some(&DefaultRoute::InternetGateway)
    }

    /// The AZ of a NAT gateway, through its subnet.
    pub fn nat_az(&self, nat: &str) -> Option<&Az> {
        self.nats.get(nat)?.as_ref().and_then(|s| self.subnet_az(s))
    }

    /// Every AZ some subnet of the template is in, in order.
    pub fn all_azs(&self) -> Vec<Az> {
        let mut azs: Vec<Az> = self.subnets.values().filter_map(|s| s.az.clone()).collect();
        azs.sort();
        azs.dedup();
        azs
    }

    /// The subnets whose members use each security group (load balancers,
    /// compute, databases), in that order, without duplicates, in one pass
    /// over the members. Asked per group, the answer scanned every member
    /// for every group and every rule naming a group: quadratic in the
    /// template (and so was the duplicate check, a search of the list).
    pub fn subnets_by_group(&self) -> HashMap<&str, Vec<String>> {
        let mut lists: HashMap<&str, (Vec<String>, HashSet<&str>)> = HashMap::new();
        let members = self
            .load_balancers
            .values()
            .map(|l| (&l.groups, &l.subnets))
            .chain(self.compute.values().map(|c| (&c.groups, &c.subnets)))
            .chain(self.databases.values().map(|d| (&d.groups, &d.subnets)));
        for (groups, subnets) in members {
            let Some(subnets) = subnets else { continue };
            for g in groups {
                let (list, seen) = lists.entry(g.as_str()).or_default();
                for s in subnets {
                    if seen.insert(s.as_str()) {
                        list.push(s.clone());
                    }
                }
            }
        }
        lists.into_iter().map(|(g, (list, _))| (g, list)).collect()
    }
}

fn sg_rule(rule: &Expr, egress: bool, path: Vec<String>, owner: &str) -> Option<SgRule> {
    let protocol = Protocol::parse(field(rule, "IpProtocol")?)?;
    let ports = ports_of(field(rule, "FromPort"), field(rule, "ToPort"), protocol);
    let (cidr, cidr6, group) = if egress {
        ("CidrIp", "CidrIpv6", "DestinationSecurityGroupId")
    } else {
        ("CidrIp", "CidrIpv6", "SourceSecurityGroupId")
    };
    let peer = if let Some(a) = field(rule, cidr).or_else(|| field(rule, cidr6)) {
        addr_of(a).map_or(Peer::Unknown, Peer::Addr)
    } else if let Some(g) = field(rule, group).and_then(target) {
        Peer::Group(g.to_owned())
    } else {
        Peer::Unknown
    };
    Some(SgRule {
        protocol,
        ports,
        peer,
        path,
        owner: owner.to_owned(),
    })
}

fn nacl_entry(id: &str, r: &Resource) -> Option<NaclEntry> {
    let protocol = Protocol::parse(prop(r, "Protocol")?)?;
    let ports = match prop(r, "PortRange") {
        Some(range) if protocol.has_ports() => {
            ports_of(field(range, "From"), field(range, "To"), protocol)
        }
        _ => Ports::ALL,
    };
    let cidr = prop(r, "CidrBlock")
        .or_else(|| prop(r, "Ipv6CidrBlock"))
        .and_then(addr_of)?;
    Some(NaclEntry {
        rule_number: prop(r, "RuleNumber").and_then(literal_int)?,
        egress: prop(r, "Egress").and_then(literal_bool).unwrap_or(false),
        protocol,
        allow: prop(r, "RuleAction")
            .and_then(literal)
            .is_some_and(|a| a.eq_ignore_ascii_case("allow")),
        cidr,
        ports,
        id: id.to_owned(),
    })
}

/// The security groups each launch template gives its instances, and
/// whether they are all known (see [`Compute::groups_known`]).
fn launch_template_groups(template: &Template) -> BTreeMap<String, (Vec<String>, bool)> {
    let mut out = BTreeMap::new();
    for (id, r) in &template.resources {
        if r.resource_type != "AWS::EC2::LaunchTemplate" {
            continue;
        }
        let Some(data) = prop(r, "LaunchTemplateData") else {
            out.insert(id.clone(), (Vec::new(), false));
            continue;
        };
        let mut groups = ids(field(data, "SecurityGroupIds"));
        let mut known = groups_known(field(data, "SecurityGroupIds"), template);
        if let Some(nics) = field(data, "NetworkInterfaces").and_then(items) {
            known = !nics.is_empty() && field(data, "SecurityGroupIds").is_none();
            for nic in nics {
                groups.extend(ids(field(nic, "Groups")));
                known &= groups_known(field(nic, "Groups"), template);
            }
        }
        out.insert(id.clone(), (groups, known));
    }
    out
}

fn db_subnets(template: &Template, r: &Resource) -> Option<Vec<String>> {
    let group = prop(r, "DBSubnetGroupName").and_then(target)?;
    let g = template.resources.get(group)?;
    let list = prop(g, "SubnetIds").and_then(items)?;
    all_targets(list.into_iter().map(Some))
}

/// The resources (or parameters) a list of references names, or `None`
/// when any item is something else (an `Fn::ImportValue`, a literal ID):
/// a list known in part would make a group in two AZs look like one in
/// one AZ.
fn all_targets<'e>(list: impl Iterator<Item = Option<&'e Expr>>) -> Option<Vec<String>> {
    list.map(|e| e.and_then(target).map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests;
