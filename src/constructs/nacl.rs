//! The `NetworkAcls` construct: network ACL tiers, each one ACL with
//! numbered inbound and outbound entries, associated with its subnets; and
//! [`WebTiers`], the ready-made public / private / database tiers of a
//! load-balanced web application (the SwiftCode layout).
//!
//! Network ACLs are stateless: a flow passes only if the request is allowed
//! out of one subnet and into the other, and the reply (to the client's
//! ephemeral port) is allowed back both ways. The web tiers are written so
//! that every flow their security groups allow passes; the unit tests check
//! that with an evaluator of the generated entries.
//!
//! This module owns ACLs and their entries only; it does not create subnets
//! (`super::vpc`) or security groups (`super::security_group`).

use crate::resources::Handle;
use std::collections::{HashMap, HashSet};

use ipnet::{Ipv4Net, Ipv6Net};

use super::security_group::Traffic;
use super::vpc::Vpc;
use super::{SubnetInfo, SubnetKind};
use crate::error::SynthError;
use crate::resources::{Tag, ec2};
use crate::stack::{Stack, check_logical_id};
use crate::template::Value;
use crate::template::fns::sub;

/// Lowest and highest rule numbers AWS accepts (32767 is the implicit deny).
pub const RULE_NUMBER_RANGE: std::ops::RangeInclusive<u16> = 1..=32766;

/// Most entries per direction AWS allows in one ACL, even with a raised
/// quota (the default quota is 20).
pub const MAX_ENTRIES_PER_DIRECTION: usize = 40;

/// Whether an entry lets matching traffic through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NaclAction {
    /// Let it through.
    Allow,
    /// Drop it (before any later, higher-numbered entry is considered).
    Deny,
}

impl NaclAction {
    fn as_str(self) -> &'static str {
        match self {
            NaclAction::Allow => "allow",
            NaclAction::Deny => "deny",
        }
    }
}

/// One numbered rule. Entries are evaluated from the lowest number up; the
/// first that matches decides; unmatched traffic is dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct NaclEntry {
    /// Rule number, 1 to 32766, unique per direction in the ACL.
    pub rule_number: u16,
    /// Protocol and ports (or ICMP type and code).
    pub traffic: Traffic,
    /// The remote range: the source of inbound and the destination of
    /// outbound traffic. A literal containing `:` is IPv6; anything else
    /// (including intrinsics, such as a `Ref` to a parameter) is IPv4.
    pub cidr: Value<String>,
    /// Allow or deny.
    pub action: NaclAction,
}

impl NaclEntry {
    /// An entry that allows `traffic` to or from `cidr`.
    pub fn allow(rule_number: u16, traffic: Traffic, cidr: impl Into<Value<String>>) -> Self {
        NaclEntry {
            rule_number,
            traffic,
            cidr: cidr.into(),
            action: NaclAction::Allow,
        }
    }

    /// An entry that denies `traffic` to or from `cidr`.
    pub fn deny(rule_number: u16, traffic: Traffic, cidr: impl Into<Value<String>>) -> Self {
        NaclEntry {
            action: NaclAction::Deny,
            ..NaclEntry::allow(rule_number, traffic, cidr)
        }
    }

    fn is_ipv6(&self) -> bool {
        self.cidr.literal().is_some_and(|c| c.contains(':'))
    }
}

/// One ACL: its name (part of logical IDs), the subnets it guards, and its
/// inbound and outbound entries.
#[derive(Debug, Clone, PartialEq)]
pub struct NaclTier {
    /// Letters and digits; `{id}{name}` is the ACL's logical ID.
    pub name: String,
    /// The subnets associated with this ACL (each subnet with one ACL only).
    pub subnets: Vec<SubnetInfo>,
    /// Inbound entries.
    pub ingress: Vec<NaclEntry>,
    /// Outbound entries.
    pub egress: Vec<NaclEntry>,
}

/// Network ACLs built into a stack, one per tier.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkAcls {
    id: String,
    acls: Vec<(String, Handle<ec2::NetworkAcl>)>,
}

impl NetworkAcls {
    /// Checks the tiers and adds, per tier, the ACL `{id}{tier}`, its entries
    /// `{id}{tier}Ingress{n}` / `{id}{tier}Egress{n}` (n = rule number) and
    /// one association per subnet, `{id}{tier}Association{subnet ID}`.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        vpc: &Vpc,
        tiers: Vec<NaclTier>,
    ) -> Result<NetworkAcls, SynthError> {
        let who = format!("NetworkAcls {id:?}");
        let err = |message: String| SynthError::props(&who, message);
        check_logical_id(id, "Resources").map_err(|e| err(e.to_string()))?;
        check_tiers(vpc, &tiers).map_err(err)?;

        let mut acls = Vec::new();
        for tier in &tiers {
            let acl_id = format!("{id}{}", tier.name);
            let acl = stack.add(
                &acl_id,
                ec2::NetworkAcl::new(vpc.vpc_id()).tags(vec![Tag::new(
                    "Name",
                    sub(format!(
                        "${{AWS::StackName}}-{id}-{}",
                        tier.name.to_lowercase()
                    )),
                )]),
            )?;
            for (egress, entries) in [(false, &tier.ingress), (true, &tier.egress)] {
                let direction = if egress { "Egress" } else { "Ingress" };
                for entry in entries {
                    stack.add(
                        &format!("{acl_id}{direction}{}", entry.rule_number),
                        entry_resource(&acl, egress, entry),
                    )?;
                }
            }
            for subnet in &tier.subnets {
                stack.add(
                    &format!("{acl_id}Association{}", subnet.handle.logical_id()),
                    ec2::SubnetNetworkAclAssociation::new(
                        acl.reference(),
                        subnet.handle.reference(),
                    ),
                )?;
            }
            acls.push((tier.name.clone(), acl));
        }
        Ok(NetworkAcls {
            id: id.to_owned(),
            acls,
        })
    }

    /// Builds the [`WebTiers`] for `vpc` (see there for the rules).
    pub fn web(
        stack: &mut Stack,
        id: &str,
        vpc: &Vpc,
        web: &WebTiers,
    ) -> Result<NetworkAcls, SynthError> {
        let tiers = web
            .tiers(vpc)
            .map_err(|m| SynthError::props(format!("NetworkAcls {id:?}"), m))?;
        NetworkAcls::new(stack, id, vpc, tiers)
    }

    /// The construct ID.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The ACL of a tier, by tier name.
    pub fn acl(&self, tier: &str) -> Option<&Handle<ec2::NetworkAcl>> {
        self.acls.iter().find(|(n, _)| n == tier).map(|(_, h)| h)
    }

    /// Every tier's name and ACL, in the order given.
    pub fn acls(&self) -> &[(String, Handle<ec2::NetworkAcl>)] {
        &self.acls
    }
}

fn entry_resource(
    acl: &Handle<ec2::NetworkAcl>,
    egress: bool,
    entry: &NaclEntry,
) -> ec2::NetworkAclEntry {
    let ipv6 = entry.is_ipv6();
    let protocol: i64 = match entry.traffic {
        Traffic::Tcp { .. } => 6,
        Traffic::Udp { .. } => 17,
        Traffic::Icmp { .. } if ipv6 => 58,
        Traffic::Icmp { .. } => 1,
        Traffic::All => -1,
    };
    let mut resource = ec2::NetworkAclEntry::new(
        acl.reference(),
        protocol,
        entry.action.as_str(),
        entry.rule_number,
    )
    .egress(egress);
    resource = match ipv6 {
        true => resource.ipv6_cidr_block(entry.cidr.clone()),
        false => resource.cidr_block(entry.cidr.clone()),
    };
    match entry.traffic {
        Traffic::Tcp { from, to } | Traffic::Udp { from, to } => {
            resource.port_range(ec2::network_acl_entry::PortRange::new().from_(from).to(to))
        }
        Traffic::Icmp { icmp_type, code } => resource.icmp(
            ec2::network_acl_entry::Icmp::new()
                .code(i64::from(code))
                .type_(i64::from(icmp_type)),
        ),
        Traffic::All => resource,
    }
}

fn check_tiers(vpc: &Vpc, tiers: &[NaclTier]) -> Result<(), String> {
    if tiers.is_empty() {
        return Err("there are no tiers; give at least one".to_owned());
    }
    let known: HashSet<&str> = vpc
        .all_subnets()
        .iter()
        .map(|s| s.handle.logical_id())
        .collect();
    let mut names = HashSet::new();
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for tier in tiers {
        let name = tier.name.as_str();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!(
                "tier name {name:?} must be letters and digits only, since it is part of \
                 logical IDs"
            ));
        }
        if !names.insert(name) {
            return Err(format!(
                "two tiers are named {name:?}; give each a different name"
            ));
        }
        if tier.subnets.is_empty() {
            return Err(format!(
                "tier {name:?} has no subnets; an ACL guards nothing until subnets are \
                 associated with it"
            ));
        }
        for subnet in &tier.subnets {
            let subnet_id = subnet.handle.logical_id();
            if !known.contains(subnet_id) {
                return Err(format!(
                    "tier {name:?}: subnet {subnet_id} is not a subnet of VPC {:?}",
                    vpc.id()
                ));
            }
            if let Some(previous) = owner.insert(subnet_id, name) {
                return Err(format!(
                    "subnet {subnet_id} is in tiers {previous:?} and {name:?}; a subnet has \
                     exactly one network ACL"
                ));
            }
        }
        for (direction, entries) in [("inbound", &tier.ingress), ("outbound", &tier.egress)] {
            check_entries(name, direction, entries)?;
        }
    }
    Ok(())
}

fn check_entries(tier: &str, direction: &str, entries: &[NaclEntry]) -> Result<(), String> {
    if entries.len() > MAX_ENTRIES_PER_DIRECTION {
        return Err(format!(
            "tier {tier:?} has {} {direction} entries; AWS allows at most \
             {MAX_ENTRIES_PER_DIRECTION} (20 unless the quota is raised)",
            entries.len()
        ));
    }
    let mut numbers = HashSet::new();
    for entry in entries {
        let n = entry.rule_number;
        let at = format!("tier {tier:?}, {direction} rule {n}");
        if !RULE_NUMBER_RANGE.contains(&n) {
            return Err(format!("{at}: rule numbers run from 1 to 32766"));
        }
        if !numbers.insert(n) {
            return Err(format!(
                "{at}: the number is used twice; each {direction} rule needs its own number"
            ));
        }
        if let Some(problem) = entry.traffic.problem() {
            return Err(format!("{at}: {problem}"));
        }
        if let Some(text) = entry.cidr.literal() {
            let host_bits = |truncated: String| {
                format!("{at}: CIDR {text} has host bits set; did you mean {truncated}?")
            };
            if entry.is_ipv6() {
                let net: Ipv6Net = text
                    .parse()
                    .map_err(|_| format!("{at}: {text:?} is not an IPv6 CIDR"))?;
                if net.trunc() != net {
                    return Err(host_bits(net.trunc().to_string()));
                }
            } else {
                let net: Ipv4Net = text
                    .parse()
                    .map_err(|_| format!("{at}: {text:?} is not an IPv4 CIDR"))?;
                if net.trunc() != net {
                    return Err(host_bits(net.trunc().to_string()));
                }
            }
        }
    }
    Ok(())
}

/// The three ACL tiers of a load-balanced web application whose load
/// balancer, NAT gateways and bastion sit in public subnets, app instances
/// in private subnets and the database in isolated subnets:
///
/// - **Public** in: 80 and 443 from anywhere, 22 from the admin CIDR (when
///   there is one), ephemeral 1024-65535 from anywhere (replies to the load
///   balancer, NAT gateways and bastion), ICMP "fragmentation needed" (path
///   MTU discovery). Out: 80 and 443 anywhere (NAT to the internet), 22 to
///   the VPC (a public bastion to the instances, when there is an admin
///   CIDR), the app ports to the VPC (load balancer to the instances),
///   ephemeral anywhere (replies to clients, the admin and NAT users).
/// - **Private** in: everything from the VPC, ephemeral from anywhere
///   (internet replies through the NAT), path MTU ICMP. Out: everything.
/// - **Database** in: the database port from each private subnet. Out:
///   ephemeral to each private subnet.
///
/// Rule numbers are fixed per purpose, with the variable-length lists (app
/// ports, private subnets) last, so a change to one list renumbers nothing
/// else.
#[derive(Debug, Clone, PartialEq)]
pub struct WebTiers {
    /// Who may reach a public bastion over SSH; normally a `Ref` to a
    /// parameter. `None` when no one reaches the public subnets on port 22
    /// (a bastion reached through Session Manager, or none): then neither
    /// SSH rule of the public tier is written.
    pub admin_cidr: Option<Value<String>>,
    /// The ports the load balancer sends to on the app instances.
    pub app_ports: Vec<u16>,
    /// The database port (5432 for PostgreSQL, 3306 for MySQL).
    pub db_port: u16,
}

impl WebTiers {
    /// The tiers for `vpc`: `Public` over its public subnets, `Private` over
    /// its private ones and `Database` over its isolated ones.
    pub fn tiers(&self, vpc: &Vpc) -> Result<Vec<NaclTier>, String> {
        if self.app_ports.is_empty() {
            return Err("web tiers need at least one app port".to_owned());
        }
        if self.app_ports.contains(&0) || self.db_port == 0 {
            return Err("port 0 is not a usable app or database port".to_owned());
        }
        let subnets = |kind: SubnetKind| -> Result<Vec<SubnetInfo>, String> {
            let found: Vec<SubnetInfo> = vpc.subnets(kind).into_iter().cloned().collect();
            match found.is_empty() {
                true => Err(format!(
                    "web tiers need {} subnets, and VPC {:?} has none",
                    kind.as_str(),
                    vpc.id()
                )),
                false => Ok(found),
            }
        };
        let public = subnets(SubnetKind::Public)?;
        let private = subnets(SubnetKind::Private)?;
        let isolated = subnets(SubnetKind::Isolated)?;

        let anywhere = || Value::from("0.0.0.0/0");
        let vpc_cidr = || Value::from(vpc.cidr().to_string());
        let ephemeral = Traffic::tcp_ephemeral();
        let path_mtu = Traffic::icmp(3, 4);

        let mut public_egress = vec![
            NaclEntry::allow(100, Traffic::tcp(80), anywhere()),
            NaclEntry::allow(110, Traffic::tcp(443), anywhere()),
        ];
        if self.admin_cidr.is_some() {
            public_egress.push(NaclEntry::allow(120, Traffic::tcp(22), vpc_cidr()));
        }
        public_egress.push(NaclEntry::allow(130, ephemeral, anywhere()));
        let mut public_ingress = vec![
            NaclEntry::allow(100, Traffic::tcp(80), anywhere()),
            NaclEntry::allow(110, Traffic::tcp(443), anywhere()),
        ];
        if let Some(admin) = &self.admin_cidr {
            public_ingress.push(NaclEntry::allow(120, Traffic::tcp(22), admin.clone()));
        }
        public_ingress.push(NaclEntry::allow(130, ephemeral, anywhere()));
        public_ingress.push(NaclEntry::allow(140, path_mtu, anywhere()));
        for (k, (from, to)) in port_ranges(&self.app_ports).into_iter().enumerate() {
            public_egress.push(NaclEntry::allow(
                rule_after(200, k)?,
                Traffic::tcp_range(from, to),
                vpc_cidr(),
            ));
        }
        let public_tier = NaclTier {
            name: "Public".to_owned(),
            subnets: public,
            ingress: public_ingress,
            egress: public_egress,
        };

        let private_tier = NaclTier {
            name: "Private".to_owned(),
            subnets: private.clone(),
            ingress: vec![
                NaclEntry::allow(100, Traffic::all(), vpc_cidr()),
                NaclEntry::allow(110, ephemeral, anywhere()),
                NaclEntry::allow(120, path_mtu, anywhere()),
            ],
            egress: vec![NaclEntry::allow(100, Traffic::all(), anywhere())],
        };

        let mut db_ingress = Vec::new();
        let mut db_egress = Vec::new();
        for (k, subnet) in private.iter().enumerate() {
            let cidr = Value::from(subnet.cidr.to_string());
            db_ingress.push(NaclEntry::allow(
                rule_after(100, k)?,
                Traffic::tcp(self.db_port),
                cidr.clone(),
            ));
            db_egress.push(NaclEntry::allow(rule_after(100, k)?, ephemeral, cidr));
        }
        let database_tier = NaclTier {
            name: "Database".to_owned(),
            subnets: isolated,
            ingress: db_ingress,
            egress: db_egress,
        };
        Ok(vec![public_tier, private_tier, database_tier])
    }
}

/// Rule number `base + 10 * k`, within AWS's range.
fn rule_after(base: u16, k: usize) -> Result<u16, String> {
    u16::try_from(k)
        .ok()
        .and_then(|k| k.checked_mul(10))
        .and_then(|step| base.checked_add(step))
        .filter(|n| RULE_NUMBER_RANGE.contains(n))
        .ok_or_else(|| "too many rules for one network ACL".to_owned())
}

/// Sorted, de-duplicated ports merged into contiguous ranges.
fn port_ranges(ports: &[u16]) -> Vec<(u16, u16)> {
    let mut sorted = ports.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut ranges: Vec<(u16, u16)> = Vec::new();
    for port in sorted {
        match ranges.last_mut() {
            Some((_, to)) if u32::from(*to) + 1 == u32::from(port) => *to = port,
            _ => ranges.push((port, port)),
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::constructs::vpc::VpcProps;
    use crate::template::{Expr, Intrinsic, Template};

    const APP_PORTS: [u16; 2] = [8080, 8000];
    const DB_PORT: u16 = 5432;
    /// Client ports a reply goes back to: the low and high ends of the range
    /// NAT gateways and load balancers use, Linux's default range, and
    /// Windows' and macOS's.
    const CLIENT_PORTS: [u16; 6] = [1024, 3389, 32768, 49152, 60999, 65535];

    fn admin_ref() -> Intrinsic {
        Intrinsic::Ref("AdminCidr".into())
    }

    fn build(az_count: usize) -> (Stack, Vpc, NetworkAcls) {
        let mut stack = Stack::new("test");
        let vpc = Vpc::new(
            &mut stack,
            "Network",
            VpcProps {
                az_count,
                ..VpcProps::default()
            },
        )
        .unwrap();
        let acls = NetworkAcls::web(
            &mut stack,
            "Acl",
            &vpc,
            &WebTiers {
                admin_cidr: Some(admin_ref().into()),
                app_ports: APP_PORTS.to_vec(),
                db_port: DB_PORT,
            },
        )
        .unwrap();
        (stack, vpc, acls)
    }

    /// An address as NACL entries see it: a literal IP, or the admin network
    /// (only known at deploy time, so it matches only entries naming it
    /// or covering every address).
    #[derive(Debug, Clone, Copy)]
    enum Addr {
        Ip(Ipv4Addr),
        Admin,
    }

    /// One NACL entry as read back from the template.
    #[derive(Debug)]
    struct Rule {
        number: i64,
        egress: bool,
        protocol: i64,
        allow: bool,
        cidr: Expr,
        ports: Option<(i64, i64)>,
    }

    fn int(e: &Expr) -> i64 {
        match e {
            Expr::Int(n) => *n,
            other => panic!("expected an integer, got {other:?}"),
        }
    }

    /// The entries of the ACL associated with `subnet`, sorted by number.
    fn rules_of(t: &Template, subnet: &str) -> Vec<Rule> {
        let subnet_ref = Expr::func(Intrinsic::Ref(subnet.into()));
        let acl = t
            .resources
            .values()
            .find(|r| {
                r.resource_type == "AWS::EC2::SubnetNetworkAclAssociation"
                    && r.properties["SubnetId"] == subnet_ref
            })
            .unwrap_or_else(|| panic!("{subnet} has no ACL"))
            .properties["NetworkAclId"]
            .clone();
        let mut rules: Vec<Rule> = t
            .resources
            .values()
            .filter(|r| r.resource_type == "AWS::EC2::NetworkAclEntry")
            .filter(|r| r.properties["NetworkAclId"] == acl)
            .map(|r| {
                let p = &r.properties;
                Rule {
                    number: int(&p["RuleNumber"]),
                    egress: p["Egress"] == Expr::Bool(true),
                    protocol: int(&p["Protocol"]),
                    allow: p["RuleAction"] == Expr::string("allow"),
                    cidr: p["CidrBlock"].clone(),
                    ports: p.get("PortRange").map(|range| match range {
                        Expr::Map(m) => (int(&m["From"]), int(&m["To"])),
                        other => panic!("bad PortRange {other:?}"),
                    }),
                }
            })
            .collect();
        rules.sort_by_key(|r| r.number);
        rules
    }

    fn cidr_matches(cidr: &Expr, addr: Addr) -> bool {
        if *cidr == Expr::string("0.0.0.0/0") {
            return true;
        }
        match (cidr, addr) {
            (Expr::String(text), Addr::Ip(ip)) => text.parse::<Ipv4Net>().unwrap().contains(&ip),
            (Expr::Fn(_), Addr::Admin) => *cidr == Expr::func(admin_ref()),
            _ => false,
        }
    }

    /// Whether a TCP packet to `port` from/to `peer` passes the rules in the
    /// given direction: the first matching rule by number decides; no match
    /// means the implicit deny.
    fn passes(rules: &[Rule], egress: bool, peer: Addr, port: u16) -> bool {
        rules
            .iter()
            .filter(|r| r.egress == egress)
            .find(|r| {
                (r.protocol == -1 || r.protocol == 6)
                    && r.ports
                        .is_none_or(|(from, to)| (from..=to).contains(&i64::from(port)))
                    && cidr_matches(&r.cidr, peer)
            })
            .is_some_and(|r| r.allow)
    }

    /// A host: its address and, inside the VPC, its subnet's logical ID.
    #[derive(Debug, Clone)]
    struct Host {
        addr: Addr,
        subnet: Option<String>,
    }

    fn host_in(subnet: &SubnetInfo) -> Host {
        let base = u32::from(subnet.cidr.network());
        Host {
            addr: Addr::Ip(Ipv4Addr::from(base + 10)),
            subnet: Some(subnet.handle.logical_id().to_owned()),
        }
    }

    fn internet() -> Host {
        Host {
            addr: Addr::Ip(Ipv4Addr::new(203, 0, 113, 10)),
            subnet: None,
        }
    }

    fn admin() -> Host {
        Host {
            addr: Addr::Admin,
            subnet: None,
        }
    }

    /// Why a TCP connection from `client` to `server:port` would be dropped
    /// by some ACL on the way there or back, or `None` if every ACL lets it
    /// (and its replies, to each client port) through.
    fn blocked(t: &Template, client: &Host, server: &Host, port: u16) -> Option<String> {
        if client.subnet.is_some() && client.subnet == server.subnet {
            return None; // traffic inside one subnet never meets an ACL
        }
        let out = |host: &Host, peer: Addr, port: u16| match &host.subnet {
            Some(subnet) => passes(&rules_of(t, subnet), true, peer, port),
            None => true,
        };
        let into = |host: &Host, peer: Addr, port: u16| match &host.subnet {
            Some(subnet) => passes(&rules_of(t, subnet), false, peer, port),
            None => true,
        };
        if !out(client, server.addr, port) {
            return Some(format!("request leaving {:?}", client.subnet));
        }
        if !into(server, client.addr, port) {
            return Some(format!("request entering {:?}", server.subnet));
        }
        for client_port in CLIENT_PORTS {
            if !out(server, client.addr, client_port) {
                return Some(format!(
                    "reply to port {client_port} leaving {:?}",
                    server.subnet
                ));
            }
            if !into(client, server.addr, client_port) {
                return Some(format!(
                    "reply to port {client_port} entering {:?}",
                    client.subnet
                ));
            }
        }
        None
    }

    fn assert_flows(t: &Template, client: &Host, server: &Host, port: u16, what: &str) {
        if let Some(reason) = blocked(t, client, server, port) {
            panic!("{what} ({client:?} -> {server:?}:{port}) is dropped: {reason}");
        }
    }

    /// With no admin CIDR (a bastion reached through Session Manager) the
    /// public tier opens port 22 in neither direction; everything else is
    /// numbered as before.
    #[test]
    fn without_an_admin_cidr_the_public_tier_has_no_ssh_rule() {
        let mut stack = Stack::new("test");
        let vpc = Vpc::new(&mut stack, "Network", VpcProps::default()).unwrap();
        NetworkAcls::web(
            &mut stack,
            "Acl",
            &vpc,
            &WebTiers {
                admin_cidr: None,
                app_ports: APP_PORTS.to_vec(),
                db_port: DB_PORT,
            },
        )
        .unwrap();
        let t = stack.template().unwrap();
        let public = rules_of(&t, "NetworkPublicSubnet1");
        assert!(
            public.iter().all(|r| r.ports != Some((22, 22))),
            "{public:#?}"
        );
        let numbers: Vec<(bool, i64)> = public.iter().map(|r| (r.egress, r.number)).collect();
        for expected in [
            (false, 100),
            (false, 110),
            (false, 130),
            (false, 140),
            (true, 130),
        ] {
            assert!(numbers.contains(&expected), "{numbers:?}");
        }
        assert!(!numbers.contains(&(false, 120)) && !numbers.contains(&(true, 120)));
    }

    #[test]
    fn every_flow_the_security_groups_allow_passes_every_acl_both_ways() {
        for az_count in [2, 3] {
            let (stack, vpc, _) = build(az_count);
            let t = stack.template().unwrap();
            let public = vpc.subnets(SubnetKind::Public);
            let private = vpc.subnets(SubnetKind::Private);
            let isolated = vpc.subnets(SubnetKind::Isolated);

            for alb in &public {
                for port in [80, 443] {
                    assert_flows(&t, &internet(), &host_in(alb), port, "users to the ALB");
                }
                for app in &private {
                    for port in APP_PORTS {
                        assert_flows(&t, &host_in(alb), &host_in(app), port, "ALB to app");
                    }
                }
            }
            let bastion = host_in(public[0]);
            assert_flows(&t, &admin(), &bastion, 22, "admin to bastion");
            for app in &private {
                assert_flows(&t, &bastion, &host_in(app), 22, "bastion to app");
                for db in &isolated {
                    assert_flows(&t, &host_in(app), &host_in(db), DB_PORT, "app to database");
                }
            }

            // App to the internet through the NAT gateway of its AZ: the
            // request enters the public subnet from the app and leaves it to
            // the internet; the reply comes back to the NAT's port and is
            // forwarded to the app's port with the internet source kept.
            for app in &private {
                let nat_subnet = public[app.az_index];
                let public_rules = rules_of(&t, nat_subnet.handle.logical_id());
                let app_rules = rules_of(&t, app.handle.logical_id());
                let app_addr = host_in(app).addr;
                let remote = internet().addr;
                for port in [80, 443] {
                    assert!(passes(&app_rules, true, remote, port), "app out {port}");
                    assert!(
                        passes(&public_rules, false, app_addr, port),
                        "NAT in {port}"
                    );
                    assert!(passes(&public_rules, true, remote, port), "NAT out {port}");
                    for client_port in CLIENT_PORTS {
                        assert!(
                            passes(&public_rules, false, remote, client_port),
                            "reply to NAT port {client_port}"
                        );
                        assert!(
                            passes(&public_rules, true, app_addr, client_port),
                            "NAT forwarding reply to app port {client_port}"
                        );
                        assert!(
                            passes(&app_rules, false, remote, client_port),
                            "reply entering app subnet on {client_port}"
                        );
                    }
                }
            }
        }
    }

    /// The SwiftCode security groups, built as the blueprint builds them;
    /// every inbound rule they hold is turned into flows between hosts in
    /// the subnets where each group's members live, for every AZ pairing.
    #[test]
    fn flows_read_from_the_security_group_rules_pass_every_acl() {
        use crate::constructs::security_group::{Peer, SecurityGroup};

        let (mut stack, vpc, _) = build(3);
        let alb = SecurityGroup::new(&mut stack, "Alb", &vpc, "Load balancer").unwrap();
        let app = SecurityGroup::new(&mut stack, "App", &vpc, "App instances").unwrap();
        let db = SecurityGroup::new(&mut stack, "Db", &vpc, "Database").unwrap();
        let bastion = SecurityGroup::new(&mut stack, "Bastion", &vpc, "Bastion").unwrap();
        for port in [80, 443] {
            alb.allow_from(&mut stack, &Peer::anywhere(), Traffic::tcp(port), "web")
                .unwrap();
        }
        for port in APP_PORTS {
            app.allow_from(&mut stack, &Peer::group(&alb), Traffic::tcp(port), "app")
                .unwrap();
        }
        app.allow_from(&mut stack, &Peer::group(&bastion), Traffic::tcp(22), "ssh")
            .unwrap();
        db.allow_from(&mut stack, &Peer::group(&app), Traffic::tcp(DB_PORT), "db")
            .unwrap();
        let admin_peer = Peer::ipv4("Admin", admin_ref());
        bastion
            .allow_from(&mut stack, &admin_peer, Traffic::tcp(22), "admin ssh")
            .unwrap();

        // Where each group's members live.
        let hosts_of = |group: &str| -> Vec<Host> {
            let kind = match group {
                "AlbSecurityGroup" | "BastionSecurityGroup" => SubnetKind::Public,
                "AppSecurityGroup" => SubnetKind::Private,
                "DbSecurityGroup" => SubnetKind::Isolated,
                other => panic!("unknown group {other}"),
            };
            vpc.subnets(kind).into_iter().map(host_in).collect()
        };
        let group_of = |e: &Expr| match e {
            Expr::Fn(f) => match f.as_ref() {
                Intrinsic::GetAtt { resource, .. } => resource.clone(),
                other => panic!("unexpected {other:?}"),
            },
            other => panic!("unexpected {other:?}"),
        };
        let t = stack.template().unwrap();
        let mut checked = 0;
        for rule in t
            .resources
            .values()
            .filter(|r| r.resource_type == "AWS::EC2::SecurityGroupIngress")
        {
            let p = &rule.properties;
            let port = u16::try_from(int(&p["FromPort"])).unwrap();
            assert_eq!(p["FromPort"], p["ToPort"]);
            let clients: Vec<Host> = match (p.get("SourceSecurityGroupId"), p.get("CidrIp")) {
                (Some(group), _) => hosts_of(&group_of(group)),
                (None, Some(cidr)) if *cidr == Expr::func(admin_ref()) => vec![admin()],
                (None, Some(cidr)) if *cidr == Expr::string("0.0.0.0/0") => vec![internet()],
                other => panic!("unexpected source {other:?}"),
            };
            for server in hosts_of(&group_of(&p["GroupId"])) {
                for client in &clients {
                    assert_flows(&t, client, &server, port, "a flow a security group allows");
                    checked += 1;
                }
            }
        }
        // 2 web ports x 3 ALB subnets, 2 app ports x 3 x 3, SSH 3 x 3,
        // database 3 x 3, admin 3.
        assert_eq!(checked, 6 + 18 + 9 + 9 + 3);
    }

    #[test]
    fn flows_the_security_groups_do_not_need_are_dropped() {
        let (stack, vpc, _) = build(2);
        let t = stack.template().unwrap();
        let public = host_in(vpc.subnets(SubnetKind::Public)[0]);
        let app = host_in(vpc.subnets(SubnetKind::Private)[0]);
        let db = host_in(vpc.subnets(SubnetKind::Isolated)[1]);
        assert!(blocked(&t, &internet(), &db, DB_PORT).is_some());
        assert!(
            blocked(&t, &public, &db, DB_PORT).is_some(),
            "ALB/bastion to DB"
        );
        assert!(blocked(&t, &app, &db, 22).is_some(), "app to DB over SSH");
        assert!(
            blocked(&t, &internet(), &app, 22).is_some(),
            "internet to app SSH"
        );
        assert!(
            blocked(&t, &internet(), &public, 22).is_some(),
            "internet to bastion"
        );
        assert!(
            blocked(&t, &admin(), &app, 22).is_some(),
            "admin straight to app"
        );
        assert!(
            blocked(&t, &db, &internet(), 443).is_some(),
            "database to internet"
        );
    }

    #[test]
    fn entries_are_evaluated_by_rule_number_not_by_position() {
        let mut stack = Stack::new("test");
        let vpc = Vpc::new(&mut stack, "Network", VpcProps::default()).unwrap();
        let subnet = vpc.subnets(SubnetKind::Public)[0].clone();
        NetworkAcls::new(
            &mut stack,
            "Acl",
            &vpc,
            vec![NaclTier {
                name: "Edge".into(),
                subnets: vec![subnet.clone()],
                ingress: vec![
                    NaclEntry::allow(200, Traffic::all(), "0.0.0.0/0"),
                    NaclEntry::deny(100, Traffic::tcp(22), "0.0.0.0/0"),
                ],
                egress: vec![NaclEntry::allow(100, Traffic::all(), "0.0.0.0/0")],
            }],
        )
        .unwrap();
        let rules = rules_of(&stack.template().unwrap(), subnet.handle.logical_id());
        let peer = internet().addr;
        assert!(!passes(&rules, false, peer, 22));
        assert!(passes(&rules, false, peer, 443));
        let template = stack.template().unwrap();
        let deny = &template.resources["AclEdgeIngress100"].properties;
        assert_eq!(deny["RuleAction"], Expr::string("deny"));
        assert_eq!(deny["Protocol"], Expr::Int(6));
    }

    #[test]
    fn web_tiers_cover_each_subnet_once_with_stable_ids() {
        let (stack, vpc, acls) = build(2);
        let t = stack.template().unwrap();
        for subnet in vpc.all_subnets() {
            let id = subnet.handle.logical_id();
            let count = t
                .resources
                .values()
                .filter(|r| r.resource_type == "AWS::EC2::SubnetNetworkAclAssociation")
                .filter(|r| r.properties["SubnetId"] == Expr::func(Intrinsic::Ref(id.into())))
                .count();
            assert_eq!(count, 1, "{id}");
        }
        assert_eq!(acls.acl("Database").unwrap().logical_id(), "AclDatabase");
        for id in [
            "AclPublic",
            "AclPublicIngress120",
            "AclPublicEgress200",
            "AclPublicAssociationNetworkPublicSubnet1",
            "AclPrivateIngress110",
            "AclDatabaseIngress110",
            "AclDatabaseEgress110",
            "AclDatabaseAssociationNetworkIsolatedSubnet2",
        ] {
            assert!(t.resources.contains_key(id), "missing {id}");
        }
        let ssh = &t.resources["AclPublicIngress120"].properties;
        assert_eq!(ssh["CidrBlock"], Expr::func(admin_ref()));
        let db = &t.resources["AclDatabaseIngress110"].properties;
        assert_eq!(db["CidrBlock"], Expr::string("10.0.80.0/20"));
        let mtu = &t.resources["AclPublicIngress140"].properties;
        assert_eq!(mtu["Protocol"], Expr::Int(1));
        assert!(mtu.contains_key("Icmp"));
    }

    #[test]
    fn contiguous_app_ports_share_one_rule() {
        assert_eq!(
            port_ranges(&[8081, 8000, 8080, 8080]),
            [(8000, 8000), (8080, 8081)]
        );
    }

    fn tier(name: &str, subnets: Vec<SubnetInfo>, ingress: Vec<NaclEntry>) -> NaclTier {
        NaclTier {
            name: name.into(),
            subnets,
            ingress,
            egress: vec![],
        }
    }

    fn new_error(tiers: impl FnOnce(&Vpc) -> Vec<NaclTier>) -> String {
        let mut stack = Stack::new("test");
        let vpc = Vpc::new(&mut stack, "Network", VpcProps::default()).unwrap();
        let tiers = tiers(&vpc);
        NetworkAcls::new(&mut stack, "Acl", &vpc, tiers)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_subnet_in_two_tiers_is_an_error() {
        let m = new_error(|vpc| {
            let s = vpc.subnets(SubnetKind::Public)[0].clone();
            vec![
                tier("A", vec![s.clone()], vec![]),
                tier("B", vec![s], vec![]),
            ]
        });
        assert_eq!(
            m,
            "NetworkAcls \"Acl\": subnet NetworkPublicSubnet1 is in tiers \"A\" and \"B\"; a \
             subnet has exactly one network ACL"
        );
    }

    #[test]
    fn bad_entries_are_errors_naming_tier_and_rule() {
        let m = new_error(|vpc| {
            let s = vpc.subnets(SubnetKind::Public)[0].clone();
            let e = NaclEntry::allow(100, Traffic::tcp(80), "0.0.0.0/0");
            vec![tier("Web", vec![s], vec![e.clone(), e])]
        });
        assert!(
            m.contains("tier \"Web\", inbound rule 100: the number is used twice"),
            "{m}"
        );
        let m = new_error(|vpc| {
            let s = vpc.subnets(SubnetKind::Public)[0].clone();
            vec![tier(
                "Web",
                vec![s],
                vec![NaclEntry::allow(0, Traffic::all(), "0.0.0.0/0")],
            )]
        });
        assert!(m.contains("rule numbers run from 1 to 32766"), "{m}");
        let m = new_error(|vpc| {
            let s = vpc.subnets(SubnetKind::Public)[0].clone();
            vec![tier(
                "Web",
                vec![s],
                vec![NaclEntry::allow(1, Traffic::all(), "10.0.0.1/8")],
            )]
        });
        assert!(m.contains("did you mean 10.0.0.0/8?"), "{m}");
        let m = new_error(|vpc| {
            let s = vpc.subnets(SubnetKind::Public)[0].clone();
            vec![tier(
                "Web",
                vec![s],
                vec![NaclEntry::allow(1, Traffic::tcp_range(90, 80), "0.0.0.0/0")],
            )]
        });
        assert!(m.contains("port range 90-80 is reversed"), "{m}");
        let m = new_error(|vpc| {
            let s = vpc.subnets(SubnetKind::Public)[0].clone();
            let many = (1..=41)
                .map(|n| NaclEntry::allow(n, Traffic::tcp(n), "0.0.0.0/0"))
                .collect();
            vec![tier("Web", vec![s], many)]
        });
        assert!(m.contains("has 41 inbound entries"), "{m}");
    }

    #[test]
    fn tiers_without_subnets_or_with_foreign_subnets_are_errors() {
        let m = new_error(|_| vec![tier("Empty", vec![], vec![])]);
        assert!(m.contains("tier \"Empty\" has no subnets"), "{m}");
        let m = new_error(|vpc| {
            let mut s = vpc.subnets(SubnetKind::Public)[0].clone();
            s.handle = Handle::new("OtherSubnet");
            vec![tier("Web", vec![s], vec![])]
        });
        assert!(
            m.contains("subnet OtherSubnet is not a subnet of VPC \"Network\""),
            "{m}"
        );
        let m = new_error(|_| vec![]);
        assert!(m.contains("there are no tiers"), "{m}");
    }

    #[test]
    fn web_tiers_need_every_subnet_role_and_an_app_port() {
        let mut stack = Stack::new("test");
        let vpc = Vpc::new(
            &mut stack,
            "Network",
            VpcProps {
                subnet_groups: vec![
                    crate::constructs::vpc::SubnetGroup::new(SubnetKind::Public, 24),
                    crate::constructs::vpc::SubnetGroup::new(SubnetKind::Private, 20),
                ],
                ..VpcProps::default()
            },
        )
        .unwrap();
        let web = WebTiers {
            admin_cidr: Some(admin_ref().into()),
            app_ports: vec![8080],
            db_port: DB_PORT,
        };
        let m = NetworkAcls::web(&mut stack, "Acl", &vpc, &web)
            .unwrap_err()
            .to_string();
        assert_eq!(
            m,
            "NetworkAcls \"Acl\": web tiers need Isolated subnets, and VPC \"Network\" has none"
        );
        let no_ports = WebTiers {
            app_ports: vec![],
            ..web
        };
        let m = no_ports.tiers(&vpc).unwrap_err();
        assert!(m.contains("at least one app port"), "{m}");
    }
}
