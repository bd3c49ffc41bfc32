//! The `SecurityGroup` construct and the traffic and peer types that security
//! groups and network ACLs share.
//!
//! A group is created empty in a VPC; each inbound rule is its own
//! `AWS::EC2::SecurityGroupIngress` resource, so groups can refer to each
//! other (app from load balancer, database from app) without a dependency
//! cycle. Every rule carries a description. Admin and database ports open to
//! the whole internet are refused unless the caller opts in with a reason,
//! which is recorded on the stack as an override.
//!
//! This module does not decide which groups exist or who talks to whom:
//! that is the blueprint's (or a higher construct's) job.

use crate::resources::Handle;
use std::fmt;

use ipnet::{Ipv4Net, Ipv6Net};

use super::vpc::Vpc;
use crate::error::SynthError;
use crate::resources::{Tag, ec2};
use crate::stack::{Stack, check_logical_id};
use crate::template::fns::sub;
use crate::template::{Attr, Value};

/// Ports that give administrative access to a host; never open to the
/// whole internet by default.
pub const ADMIN_PORTS: [(u16, &str); 2] = [(22, "SSH"), (3389, "RDP")];

/// Ports of common databases and caches; never open to the whole internet
/// by default.
pub const DATABASE_PORTS: [(u16, &str); 6] = [
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (27017, "MongoDB"),
    (6379, "Redis"),
];

/// Longest rule or group description EC2 accepts.
pub const MAX_DESCRIPTION_LEN: usize = 255;

/// Punctuation EC2 accepts in security-group and rule descriptions, besides
/// ASCII letters, digits and spaces.
const DESCRIPTION_PUNCTUATION: &str = "._-:/()#,@[]+=&;{}!$*";

/// A kind of traffic: a protocol and, for TCP and UDP, a port range; for
/// ICMP, a type and code. Shared by security-group rules and NACL entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Traffic {
    /// TCP ports `from..=to`.
    Tcp {
        /// First port.
        from: u16,
        /// Last port.
        to: u16,
    },
    /// UDP ports `from..=to`.
    Udp {
        /// First port.
        from: u16,
        /// Last port.
        to: u16,
    },
    /// ICMP (ICMPv6 for IPv6 peers) of one type and code; `-1` means any.
    Icmp {
        /// ICMP type, or -1 for all.
        icmp_type: i16,
        /// ICMP code, or -1 for all.
        code: i16,
    },
    /// Every protocol and port.
    All,
}

impl Traffic {
    /// One TCP port.
    pub fn tcp(port: u16) -> Self {
        Traffic::Tcp {
            from: port,
            to: port,
        }
    }

    /// A TCP port range, both ends included.
    pub fn tcp_range(from: u16, to: u16) -> Self {
        Traffic::Tcp { from, to }
    }

    /// One UDP port.
    pub fn udp(port: u16) -> Self {
        Traffic::Udp {
            from: port,
            to: port,
        }
    }

    /// A UDP port range, both ends included.
    pub fn udp_range(from: u16, to: u16) -> Self {
        Traffic::Udp { from, to }
    }

    /// ICMP of one type and code (`-1` for any).
    pub fn icmp(icmp_type: i16, code: i16) -> Self {
        Traffic::Icmp { icmp_type, code }
    }

    /// Every protocol and port.
    pub fn all() -> Self {
        Traffic::All
    }

    /// The ephemeral ports clients, NAT gateways and load balancers answer
    /// on (1024-65535), over TCP.
    pub fn tcp_ephemeral() -> Self {
        Traffic::Tcp {
            from: 1024,
            to: 65535,
        }
    }

    /// Why the traffic cannot be expressed, if it cannot.
    pub fn problem(&self) -> Option<String> {
        match *self {
            Traffic::Tcp { from, to } | Traffic::Udp { from, to } if from > to => Some(format!(
                "port range {from}-{to} is reversed; write the lower port first"
            )),
            Traffic::Icmp { icmp_type, code }
                if !(-1..=255).contains(&icmp_type) || !(-1..=255).contains(&code) =>
            {
                Some(format!(
                    "ICMP type {icmp_type} code {code} is out of range; types and codes are 0 \
                     to 255, or -1 for any"
                ))
            }
            _ => None,
        }
    }

    /// Whether this traffic includes the given TCP or UDP port.
    pub fn covers_port(&self, port: u16) -> bool {
        match *self {
            Traffic::Tcp { from, to } | Traffic::Udp { from, to } => (from..=to).contains(&port),
            Traffic::All => true,
            Traffic::Icmp { .. } => false,
        }
    }

    /// The part of a logical ID that names this traffic (`Tcp443`,
    /// `Tcp1024To65535`, `Icmp3Code4`, `AllTraffic`).
    pub fn id_part(&self) -> String {
        let range = |proto: &str, from: u16, to: u16| match from == to {
            true => format!("{proto}{from}"),
            false => format!("{proto}{from}To{to}"),
        };
        let icmp_part = |n: i16| match n {
            -1 => "Any".to_owned(),
            n => n.to_string(),
        };
        match *self {
            Traffic::Tcp { from, to } => range("Tcp", from, to),
            Traffic::Udp { from, to } => range("Udp", from, to),
            Traffic::Icmp { icmp_type, code } => {
                format!("Icmp{}Code{}", icmp_part(icmp_type), icmp_part(code))
            }
            Traffic::All => "AllTraffic".to_owned(),
        }
    }
}

impl fmt::Display for Traffic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ports = |f: &mut fmt::Formatter<'_>, proto: &str, from: u16, to: u16| match from == to {
            true => write!(f, "{proto} {from}"),
            false => write!(f, "{proto} {from}-{to}"),
        };
        match *self {
            Traffic::Tcp { from, to } => ports(f, "TCP", from, to),
            Traffic::Udp { from, to } => ports(f, "UDP", from, to),
            Traffic::Icmp { icmp_type, code } => write!(f, "ICMP type {icmp_type} code {code}"),
            Traffic::All => write!(f, "all traffic"),
        }
    }
}

/// Where allowed traffic comes from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    Group(Handle<ec2::SecurityGroup>),
    Ipv4(Value<String>),
    Ipv6(Value<String>),
}

/// The source of a security-group rule, with the name that stands for it in
/// the rule's logical ID (`AppIngressTcp8080FromAlb`).
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    name: String,
    source: Source,
}

impl Peer {
    /// Members of another security group built by [`SecurityGroup::new`],
    /// named by its construct ID.
    pub fn group(group: &SecurityGroup) -> Peer {
        Peer {
            name: group.id.clone(),
            source: Source::Group(group.handle.clone()),
        }
    }

    /// Members of a security group created some other way.
    pub fn group_handle(name: &str, group: &Handle<ec2::SecurityGroup>) -> Peer {
        Peer {
            name: name.to_owned(),
            source: Source::Group(group.clone()),
        }
    }

    /// An IPv4 range: a literal (`203.0.113.0/24`) or an intrinsic such as a
    /// `Ref` to an admin CIDR parameter. `name` goes into logical IDs.
    pub fn ipv4(name: &str, cidr: impl Into<Value<String>>) -> Peer {
        Peer {
            name: name.to_owned(),
            source: Source::Ipv4(cidr.into()),
        }
    }

    /// An IPv6 range, literal or intrinsic. `name` goes into logical IDs.
    pub fn ipv6(name: &str, cidr: impl Into<Value<String>>) -> Peer {
        Peer {
            name: name.to_owned(),
            source: Source::Ipv6(cidr.into()),
        }
    }

    /// Every IPv4 address (`0.0.0.0/0`), named `Anywhere`.
    pub fn anywhere() -> Peer {
        Peer::ipv4("Anywhere", "0.0.0.0/0")
    }

    /// Every IPv6 address (`::/0`), named `AnywhereIpv6`.
    pub fn anywhere_ipv6() -> Peer {
        Peer::ipv6("AnywhereIpv6", "::/0")
    }

    /// The name used in logical IDs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks a literal CIDR and says whether it is the whole internet.
    fn world_open(&self) -> Result<Option<String>, String> {
        match &self.source {
            Source::Group(_) => Ok(None),
            Source::Ipv4(Value::Lit(text)) => {
                let net: Ipv4Net = text
                    .parse()
                    .map_err(|_| format!("{text:?} is not an IPv4 CIDR such as 10.0.0.0/16"))?;
                check_host_bits(text, net.trunc() == net, &net.trunc().to_string())?;
                Ok((net.prefix_len() == 0).then(|| text.clone()))
            }
            Source::Ipv6(Value::Lit(text)) => {
                let net: Ipv6Net = text
                    .parse()
                    .map_err(|_| format!("{text:?} is not an IPv6 CIDR such as 2001:db8::/32"))?;
                check_host_bits(text, net.trunc() == net, &net.trunc().to_string())?;
                Ok((net.prefix_len() == 0).then(|| text.clone()))
            }
            Source::Ipv4(Value::Fn(_)) | Source::Ipv6(Value::Fn(_)) => Ok(None),
        }
    }
}

fn check_host_bits(text: &str, clean: bool, truncated: &str) -> Result<(), String> {
    match clean {
        true => Ok(()),
        false => Err(format!(
            "CIDR {text} has host bits set; did you mean {truncated}?"
        )),
    }
}

/// Checks a description against EC2's rules (1 to 255 characters of
/// letters, digits, spaces and `._-:/()#,@[]+=&;{}!$*`). Intrinsics pass.
pub fn check_description(what: &str, description: &Value<String>) -> Result<(), String> {
    let Some(text) = description.literal() else {
        return Ok(());
    };
    if text.trim().is_empty() {
        return Err(format!(
            "{what} is empty; say what the rule or group is for"
        ));
    }
    if text.chars().count() > MAX_DESCRIPTION_LEN {
        return Err(format!(
            "{what} is {} characters long; EC2 accepts at most {MAX_DESCRIPTION_LEN}",
            text.chars().count()
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == ' ' || DESCRIPTION_PUNCTUATION.contains(*c)))
    {
        return Err(format!(
            "{what} {text:?} contains {c:?}, which EC2 rejects; use letters, digits, spaces and \
             {DESCRIPTION_PUNCTUATION}"
        ));
    }
    Ok(())
}

/// The admin or database ports that `traffic` includes, with their names.
pub fn sensitive_ports(traffic: &Traffic) -> Vec<(u16, &'static str)> {
    ADMIN_PORTS
        .iter()
        .chain(DATABASE_PORTS.iter())
        .filter(|(port, _)| traffic.covers_port(*port))
        .copied()
        .collect()
}

/// A security group in a VPC, to which inbound rules are added one by one.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroup {
    id: String,
    handle: Handle<ec2::SecurityGroup>,
}

impl SecurityGroup {
    /// Adds an empty group `{id}SecurityGroup` to the VPC. Outbound traffic is
    /// EC2's default (all allowed); inbound is nothing until rules are added.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        vpc: &Vpc,
        description: &str,
    ) -> Result<SecurityGroup, SynthError> {
        let who = format!("SecurityGroup {id:?}");
        check_logical_id(id, "Resources").map_err(|e| SynthError::props(&who, e.to_string()))?;
        check_description("the group description", &Value::from(description))
            .map_err(|m| SynthError::props(&who, m))?;
        let handle = stack.add(
            &format!("{id}SecurityGroup"),
            ec2::SecurityGroup::new(description)
                .vpc_id(vpc.vpc_id())
                .tags(vec![Tag::new(
                    "Name",
                    sub(format!("${{AWS::StackName}}-{id}")),
                )]),
        )?;
        Ok(SecurityGroup {
            id: id.to_owned(),
            handle,
        })
    }

    /// A group created elsewhere (an L1 `ec2::SecurityGroup` added by hand,
    /// or by another construct), to add rules to it the same way. `id` is
    /// the prefix of the rules' logical IDs and names the group as a peer.
    pub fn existing(id: &str, handle: Handle<ec2::SecurityGroup>) -> SecurityGroup {
        SecurityGroup {
            id: id.to_owned(),
            handle,
        }
    }

    /// The construct ID (`App`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The `AWS::EC2::SecurityGroup` resource.
    pub fn handle(&self) -> &Handle<ec2::SecurityGroup> {
        &self.handle
    }

    /// `Fn::GetAtt [Group, GroupId]`, for `SecurityGroupIds` properties.
    pub fn group_id(&self) -> Attr<String> {
        self.handle.group_id()
    }

    /// Allows `traffic` from `peer`, as the resource
    /// `{id}Ingress{traffic}From{peer}`. Refuses admin ports (22, 3389) and
    /// database ports open to `0.0.0.0/0` or `::/0`.
    pub fn allow_from(
        &self,
        stack: &mut Stack,
        peer: &Peer,
        traffic: Traffic,
        description: &str,
    ) -> Result<Handle<ec2::SecurityGroupIngress>, SynthError> {
        self.add_ingress(stack, peer, traffic, description, None)
    }

    /// Like [`allow_from`](Self::allow_from), but lets admin or database
    /// ports be open to the whole internet, because `reason` says why. The
    /// stack records it as an override, so the CLI reports it.
    pub fn allow_from_world_open(
        &self,
        stack: &mut Stack,
        peer: &Peer,
        traffic: Traffic,
        description: &str,
        reason: &str,
    ) -> Result<Handle<ec2::SecurityGroupIngress>, SynthError> {
        self.add_ingress(stack, peer, traffic, description, Some(reason))
    }

    fn add_ingress(
        &self,
        stack: &mut Stack,
        peer: &Peer,
        traffic: Traffic,
        description: &str,
        reason: Option<&str>,
    ) -> Result<Handle<ec2::SecurityGroupIngress>, SynthError> {
        let who = format!("SecurityGroup {:?}", self.id);
        let rule = format!("rule {description:?}");
        let err = |message: String| SynthError::props(&who, format!("{rule}: {message}"));

        check_description("the description", &Value::from(description)).map_err(err)?;
        if let Some(problem) = traffic.problem() {
            return Err(err(problem));
        }
        if peer.name.is_empty() || !peer.name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(err(format!(
                "peer name {:?} must be letters and digits only, since it is part of the \
                 rule's logical ID",
                peer.name
            )));
        }
        let open_to = peer.world_open().map_err(err)?;
        if let Some(cidr) = &open_to {
            let exposed = sensitive_ports(&traffic);
            if !exposed.is_empty() {
                let ports = exposed
                    .iter()
                    .map(|(port, name)| format!("{port} ({name})"))
                    .collect::<Vec<_>>()
                    .join(", ");
                match reason {
                    None => {
                        return Err(err(format!(
                            "{traffic} from {cidr} opens {ports} to the whole internet; admin \
                             and database ports must not be world-open. Restrict the source \
                             (a Ref to an admin CIDR parameter, or another security group), or \
                             if this is intended call allow_from_world_open with a reason, \
                             which is reported as an override"
                        )));
                    }
                    Some(reason) if reason.trim().is_empty() => {
                        return Err(err(
                            "allow_from_world_open needs a reason that says why the port must \
                             be open to everyone"
                                .to_owned(),
                        ));
                    }
                    Some(reason) => stack.record_override(
                        &who,
                        format!("{traffic} is open to {cidr}, exposing {ports}: {reason}"),
                    ),
                }
            }
        }

        let ipv6 = matches!(peer.source, Source::Ipv6(_));
        let (protocol, from, to): (&str, Option<i64>, Option<i64>) = match traffic {
            Traffic::Tcp { from, to } => ("tcp", Some(from.into()), Some(to.into())),
            Traffic::Udp { from, to } => ("udp", Some(from.into()), Some(to.into())),
            Traffic::Icmp { icmp_type, code } => (
                if ipv6 { "icmpv6" } else { "icmp" },
                Some(icmp_type.into()),
                Some(code.into()),
            ),
            Traffic::All => ("-1", None, None),
        };
        let mut ingress = ec2::SecurityGroupIngress::new(protocol).group_id(self.group_id());
        if let (Some(from), Some(to)) = (from, to) {
            ingress = ingress.from_port(from).to_port(to);
        }
        ingress = match &peer.source {
            Source::Group(group) => ingress.source_security_group_id(group.group_id()),
            Source::Ipv4(cidr) => ingress.cidr_ip(cidr.clone()),
            Source::Ipv6(cidr) => ingress.cidr_ipv6(cidr.clone()),
        };
        ingress = ingress.description(description);
        stack.add(&self.ingress_logical_id(peer, traffic), ingress)
    }

    /// The logical ID of the rule [`allow_from`](Self::allow_from) adds for
    /// `traffic` from `peer`: `{id}Ingress{traffic}From{peer}`.
    pub fn ingress_logical_id(&self, peer: &Peer, traffic: Traffic) -> String {
        format!("{}Ingress{}From{}", self.id, traffic.id_part(), peer.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constructs::vpc::VpcProps;
    use crate::template::Expr;
    use crate::template::Intrinsic;

    fn setup() -> (Stack, Vpc) {
        let mut stack = Stack::new("test");
        let vpc = Vpc::new(&mut stack, "Network", VpcProps::default()).unwrap();
        (stack, vpc)
    }

    fn getatt(resource: &str) -> Expr {
        Expr::func(Intrinsic::GetAtt {
            resource: resource.into(),
            attribute: "GroupId".into(),
        })
    }

    #[test]
    fn a_group_is_created_in_the_vpc_without_inline_rules() {
        let (mut stack, vpc) = setup();
        let app = SecurityGroup::new(&mut stack, "App", &vpc, "App instances").unwrap();
        assert_eq!(app.handle().logical_id(), "AppSecurityGroup");
        let template = stack.template().unwrap();
        let props = &template.resources["AppSecurityGroup"].properties;
        assert_eq!(
            props["VpcId"],
            Expr::func(Intrinsic::Ref("NetworkVpc".into()))
        );
        assert_eq!(props["GroupDescription"], Expr::string("App instances"));
        assert!(!props.contains_key("SecurityGroupIngress"));
    }

    #[test]
    fn groups_refer_to_each_other_through_separate_ingress_resources() {
        let (mut stack, vpc) = setup();
        let alb = SecurityGroup::new(&mut stack, "Alb", &vpc, "Load balancer").unwrap();
        let app = SecurityGroup::new(&mut stack, "App", &vpc, "App instances").unwrap();
        let rule = app
            .allow_from(
                &mut stack,
                &Peer::group(&alb),
                Traffic::tcp(8080),
                "SwiftCode from the load balancer",
            )
            .unwrap();
        assert_eq!(rule.logical_id(), "AppIngressTcp8080FromAlb");
        let template = stack.template().unwrap();
        let props = &template.resources["AppIngressTcp8080FromAlb"].properties;
        assert_eq!(props["GroupId"], getatt("AppSecurityGroup"));
        assert_eq!(props["SourceSecurityGroupId"], getatt("AlbSecurityGroup"));
        assert_eq!(props["IpProtocol"], Expr::string("tcp"));
        assert_eq!(props["FromPort"], Expr::Int(8080));
        assert_eq!(props["ToPort"], Expr::Int(8080));
        assert_eq!(
            props["Description"],
            Expr::string("SwiftCode from the load balancer")
        );
        // Both groups exist before any rule, so neither refers to the other.
        for group in ["AlbSecurityGroup", "AppSecurityGroup"] {
            let template = stack.template().unwrap();
            let p = &template.resources[group].properties;
            assert!(!p.contains_key("SecurityGroupIngress"));
        }
    }

    #[test]
    fn a_cidr_rule_can_take_a_parameter_ref() {
        let (mut stack, vpc) = setup();
        let bastion = SecurityGroup::new(&mut stack, "Bastion", &vpc, "Bastion host").unwrap();
        let admin = Peer::ipv4("AdminCidr", Intrinsic::Ref("AdminCidr".into()));
        bastion
            .allow_from(
                &mut stack,
                &admin,
                Traffic::tcp(22),
                "SSH from the admin network",
            )
            .unwrap();
        let template = stack.template().unwrap();
        let props = &template.resources["BastionIngressTcp22FromAdminCidr"].properties;
        assert_eq!(
            props["CidrIp"],
            Expr::func(Intrinsic::Ref("AdminCidr".into()))
        );
        assert!(stack.overrides().is_empty());
    }

    #[test]
    fn https_may_be_open_to_the_world() {
        let (mut stack, vpc) = setup();
        let alb = SecurityGroup::new(&mut stack, "Alb", &vpc, "Load balancer").unwrap();
        alb.allow_from(&mut stack, &Peer::anywhere(), Traffic::tcp(443), "HTTPS")
            .unwrap();
        alb.allow_from(
            &mut stack,
            &Peer::anywhere_ipv6(),
            Traffic::tcp(443),
            "HTTPS",
        )
        .unwrap();
        let template = stack.template().unwrap();
        let v6 = &template.resources["AlbIngressTcp443FromAnywhereIpv6"].properties;
        assert_eq!(v6["CidrIpv6"], Expr::string("::/0"));
        assert!(stack.overrides().is_empty());
    }

    #[test]
    fn ssh_open_to_the_world_is_refused() {
        let (mut stack, vpc) = setup();
        let bastion = SecurityGroup::new(&mut stack, "Bastion", &vpc, "Bastion").unwrap();
        let message = bastion
            .allow_from(&mut stack, &Peer::anywhere(), Traffic::tcp(22), "SSH")
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with(
                "SecurityGroup \"Bastion\": rule \"SSH\": TCP 22 from 0.0.0.0/0 opens 22 (SSH)"
            ),
            "{message}"
        );
        assert!(message.contains("allow_from_world_open"), "{message}");
        assert!(
            !stack
                .template()
                .unwrap()
                .resources
                .contains_key("BastionIngressTcp22FromAnywhere")
        );
    }

    #[test]
    fn a_range_covering_a_database_port_open_to_ipv6_everywhere_is_refused() {
        let (mut stack, vpc) = setup();
        let db = SecurityGroup::new(&mut stack, "Db", &vpc, "Database").unwrap();
        let message = db
            .allow_from(
                &mut stack,
                &Peer::anywhere_ipv6(),
                Traffic::tcp_range(5000, 6000),
                "range",
            )
            .unwrap_err()
            .to_string();
        assert!(message.contains("opens 5432 (PostgreSQL)"), "{message}");
        let message = db
            .allow_from(&mut stack, &Peer::anywhere(), Traffic::all(), "everything")
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("22 (SSH), 3389 (RDP), 3306 (MySQL)"),
            "{message}"
        );
    }

    #[test]
    fn every_listed_sensitive_port_is_refused_when_world_open() {
        let (mut stack, vpc) = setup();
        let sg = SecurityGroup::new(&mut stack, "Sg", &vpc, "Test").unwrap();
        for port in [22, 3389, 3306, 5432, 1433, 1521, 27017, 6379] {
            assert!(
                sg.allow_from(&mut stack, &Peer::anywhere(), Traffic::tcp(port), "x")
                    .is_err(),
                "port {port} accepted"
            );
        }
        sg.allow_from(
            &mut stack,
            &Peer::ipv4("Office", "198.51.100.0/24"),
            Traffic::tcp(22),
            "x",
        )
        .unwrap();
    }

    #[test]
    fn opting_in_to_a_world_open_admin_port_records_an_override() {
        let (mut stack, vpc) = setup();
        let bastion = SecurityGroup::new(&mut stack, "Bastion", &vpc, "Bastion").unwrap();
        bastion
            .allow_from_world_open(
                &mut stack,
                &Peer::anywhere(),
                Traffic::tcp(22),
                "SSH from anywhere",
                "short-lived demo environment",
            )
            .unwrap();
        let overrides = stack.overrides();
        assert_eq!(overrides.len(), 1);
        assert_eq!(overrides[0].construct, "SecurityGroup \"Bastion\"");
        assert_eq!(
            overrides[0].message,
            "TCP 22 is open to 0.0.0.0/0, exposing 22 (SSH): short-lived demo environment"
        );
        let message = bastion
            .allow_from_world_open(
                &mut stack,
                &Peer::anywhere(),
                Traffic::tcp(3389),
                "RDP",
                " ",
            )
            .unwrap_err()
            .to_string();
        assert!(message.contains("needs a reason"), "{message}");
    }

    #[test]
    fn bad_cidrs_ranges_and_descriptions_are_errors() {
        let (mut stack, vpc) = setup();
        let sg = SecurityGroup::new(&mut stack, "Sg", &vpc, "Test").unwrap();
        let mut fails = |peer: Peer, traffic: Traffic, description: &str| {
            sg.allow_from(&mut stack, &peer, traffic, description)
                .unwrap_err()
                .to_string()
        };
        let m = fails(Peer::ipv4("Bad", "10.0.0.300/16"), Traffic::tcp(80), "x");
        assert!(m.contains("is not an IPv4 CIDR"), "{m}");
        let m = fails(Peer::ipv4("Bad", "10.0.0.1/16"), Traffic::tcp(80), "x");
        assert!(m.contains("did you mean 10.0.0.0/16?"), "{m}");
        let m = fails(Peer::anywhere(), Traffic::tcp_range(443, 80), "x");
        assert!(m.contains("port range 443-80 is reversed"), "{m}");
        let m = fails(Peer::anywhere(), Traffic::tcp(443), "");
        assert!(m.contains("the description is empty"), "{m}");
        let m = fails(Peer::anywhere(), Traffic::tcp(443), "HTTPS – from users");
        assert!(m.contains("contains '–'"), "{m}");
        let m = fails(Peer::anywhere(), Traffic::tcp(443), &"x".repeat(256));
        assert!(m.contains("at most 255"), "{m}");
        let m = fails(
            Peer::ipv4("admin-net", "10.0.0.0/8"),
            Traffic::tcp(443),
            "x",
        );
        assert!(m.contains("peer name \"admin-net\""), "{m}");
    }

    #[test]
    fn all_traffic_and_icmp_rules_serialise_as_ec2_expects() {
        let (mut stack, vpc) = setup();
        let sg = SecurityGroup::new(&mut stack, "Sg", &vpc, "Test").unwrap();
        let peer = Peer::ipv4("Vpc", "10.0.0.0/16");
        sg.allow_from(&mut stack, &peer, Traffic::all(), "all from the VPC")
            .unwrap();
        sg.allow_from(
            &mut stack,
            &Peer::anywhere(),
            Traffic::icmp(3, 4),
            "path MTU",
        )
        .unwrap();
        let template = stack.template().unwrap();
        let all = &template.resources["SgIngressAllTrafficFromVpc"].properties;
        assert_eq!(all["IpProtocol"], Expr::string("-1"));
        assert!(!all.contains_key("FromPort"));
        let template = stack.template().unwrap();
        let icmp = &template.resources["SgIngressIcmp3Code4FromAnywhere"].properties;
        assert_eq!(icmp["IpProtocol"], Expr::string("icmp"));
        assert_eq!(icmp["FromPort"], Expr::Int(3));
        assert_eq!(icmp["ToPort"], Expr::Int(4));
    }

    #[test]
    fn a_bad_group_description_is_an_error_naming_the_group() {
        let (mut stack, vpc) = setup();
        let message = SecurityGroup::new(&mut stack, "App", &vpc, "app <servers>")
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("SecurityGroup \"App\": the group description"),
            "{message}"
        );
    }
}
