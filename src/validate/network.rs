//! Network checks (HG601 to HG603): subnets inside their VPC and not
//! overlapping, and network ACLs that let through every flow the security
//! groups allow between tiers.
//!
//! Owns the flow analysis. A flow is what a security group rule allows: from
//! the subnets of the source group's members (load balancers, Auto Scaling
//! groups and instances, databases) to the subnets of the target group's
//! members, or from the internet (or an admin range) to members in public
//! subnets; plus each private instance's egress to the internet through its
//! NAT gateway. Each flow must pass the source subnet's ACL outbound and the
//! target subnet's ACL inbound, and its return traffic (ephemeral ports
//! 1024-65535) both ACLs the other way; through a NAT, the NAT subnet's ACL
//! too. ACL entries are evaluated in rule-number order, first match wins,
//! with the implicit deny at the end. Only TCP and UDP flows with known
//! CIDRs are checked; traffic inside one subnet never meets an ACL.

use std::collections::{BTreeMap, HashMap, HashSet};

use ipnet::Ipv4Net;

use super::diagnostic::Diagnostic;
use super::model::{Addr, DefaultRoute, Model, NaclEntry, Peer, Ports, Protocol};
use super::rules;

/// Most flows the ACL analysis examines. Flows multiply (each rule
/// naming a group is a flow from every subnet of the source group to every
/// subnet of the target's): 50 groups allowing each other, with members in
/// 50 subnets, are six million flows from a 245 KB template. Real stacks
/// have tens; past the budget the analysis stops and says so (HG006).
pub const MAX_FLOWS: usize = 20_000;

/// Runs the network checks.
pub fn check(model: &Model) -> Vec<Diagnostic> {
    let mut out = cidrs(model);
    out.extend(acls(model));
    out
}

/// Each subnet outside its VPC, and each one overlapping an earlier subnet
/// of its VPC, reported once (at the first it overlaps): a report per
/// overlapping pair grew with the square of the subnets (3,000 copies of
/// one block were 4.5 million findings and 3 GB), and so did comparing
/// every pair (10,000 subnets: 20 s); [`Blocks`] finds the first overlap
/// by lookups.
fn cidrs(model: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let subnets: Vec<(&String, &super::model::Subnet)> = model.subnets.iter().collect();
    let mut blocks = Blocks::default();
    for (i, (id, s)) in subnets.iter().enumerate() {
        let (Some(cidr), Some(vpc)) = (s.cidr, s.vpc.as_ref()) else {
            continue;
        };
        if let Some(Some(vpc_cidr)) = model.vpcs.get(vpc)
            && !vpc_cidr.contains(&cidr)
        {
            out.push(
                rules::SUBNET_OUTSIDE_VPC
                    .diag(format!(
                        "{id}'s CIDR {cidr} is not inside {vpc}'s {vpc_cidr}"
                    ))
                    .on(id.as_str())
                    .at(["Resources", id.as_str(), "Properties", "CidrBlock"])
                    .hint(format!("pick a block inside {vpc_cidr}")),
            );
        }
        let overlap = blocks.first_overlap(vpc, cidr).and_then(|j| {
            let (other_id, other) = subnets[j];
            Some((other_id, other.cidr?))
        });
        blocks.insert(vpc, cidr, i);
        if let Some((other_id, other_cidr)) = overlap {
            out.push(
                rules::SUBNET_OVERLAP
                    .diag(format!(
                        "{id}'s CIDR {cidr} overlaps {other_id}'s {other_cidr}"
                    ))
                    .on(id.as_str())
                    .at(["Resources", id.as_str(), "Properties", "CidrBlock"])
                    .hint("give each subnet of a VPC its own, non-overlapping block"),
            );
        }
    }
    out
}

/// The subnets seen so far, by block, for finding the first one a new
/// block overlaps with at most 33 lookups a side. Two blocks overlap when
/// one holds the other: an earlier block holding the new one is found by
/// its exact network at each shorter prefix; one inside the new block, by
/// every block that holds it (recorded when it was inserted).
#[derive(Default)]
struct Blocks<'m> {
    /// The first subnet with exactly this VPC, network and prefix.
    exact: HashMap<(&'m str, u32, u8), usize>,
    /// The first subnet inside this VPC, network and prefix.
    within: HashMap<(&'m str, u32, u8), usize>,
}

/// `network` cut to its first `prefix` bits.
fn masked(network: u32, prefix: u8) -> u32 {
    match prefix {
        0 => 0,
        p => network & (u32::MAX << (32 - u32::from(p.min(32)))),
    }
}

impl<'m> Blocks<'m> {
    /// The first subnet seen whose block overlaps `cidr` in `vpc`.
    fn first_overlap(&self, vpc: &'m str, cidr: Ipv4Net) -> Option<usize> {
        let (network, prefix) = (u32::from(cidr.network()), cidr.prefix_len());
        let holding = (0..=prefix).filter_map(|p| self.exact.get(&(vpc, masked(network, p), p)));
        let inside = self.within.get(&(vpc, network, prefix));
        holding.chain(inside).copied().min()
    }

    /// Records subnet `index`, with `cidr` in `vpc`.
    fn insert(&mut self, vpc: &'m str, cidr: Ipv4Net, index: usize) {
        let (network, prefix) = (u32::from(cidr.network()), cidr.prefix_len());
        self.exact.entry((vpc, network, prefix)).or_insert(index);
        for p in 0..=prefix {
            self.within
                .entry((vpc, masked(network, p), p))
                .or_insert(index);
        }
    }
}

/// One side of a flow.
#[derive(Debug, Clone)]
struct Side {
    /// The subnet, when the side is inside the template.
    subnet: Option<String>,
    /// The address range the other side sees.
    addr: Addr,
}

/// A flow some security group rule allows.
#[derive(Debug, Clone)]
struct Flow {
    from: Side,
    to: Side,
    protocol: Protocol,
    ports: Ports,
    /// What allows it, for messages.
    why: String,
}

/// A check one ACL must pass for a flow.
struct Need<'a> {
    acl: &'a str,
    egress: bool,
    protocol: Protocol,
    ports: Ports,
    peer: Addr,
    peer_name: String,
    why: String,
}

fn subnet_side(model: &Model, subnet: &str) -> Option<Side> {
    let cidr = model.subnets.get(subnet)?.cidr?;
    Some(Side {
        subnet: Some(subnet.to_owned()),
        addr: Addr::Cidr(cidr.into()),
    })
}

/// The flows the security groups allow, at most [`MAX_FLOWS`]; `true`
/// when there were more.
fn flows(model: &Model) -> (Vec<Flow>, bool) {
    let mut out = Vec::new();
    let by_group = model.subnets_by_group();
    let none = Vec::new();
    let subnets_of = |group: &str| by_group.get(group).unwrap_or(&none);
    for (group, g) in &model.groups {
        if out.len() >= MAX_FLOWS {
            return (out, true);
        }
        let members = subnets_of(group);
        for rule in &g.ingress {
            if !matches!(rule.protocol, Protocol::Tcp | Protocol::Udp) {
                continue;
            }
            match &rule.peer {
                Peer::Group(source) => {
                    for from in subnets_of(source) {
                        for to in members {
                            if from == to {
                                continue;
                            }
                            if out.len() >= MAX_FLOWS {
                                return (out, true);
                            }
                            let (Some(f), Some(t)) =
                                (subnet_side(model, from), subnet_side(model, to))
                            else {
                                continue;
                            };
                            out.push(Flow {
                                from: f,
                                to: t,
                                protocol: rule.protocol,
                                ports: rule.ports,
                                why: format!(
                                    "{} {} that {group} allows from {source}",
                                    proto(rule.protocol),
                                    rule.ports
                                ),
                            });
                        }
                    }
                }
                Peer::Addr(addr) => {
                    for to in members.iter().filter(|s| model.is_public(s)) {
                        let Some(t) = subnet_side(model, to) else {
                            continue;
                        };
                        out.push(Flow {
                            from: Side {
                                subnet: None,
                                addr: addr.clone(),
                            },
                            to: t,
                            protocol: rule.protocol,
                            ports: rule.ports,
                            why: format!(
                                "{} {} that {group} allows from {addr}",
                                proto(rule.protocol),
                                rule.ports
                            ),
                        });
                    }
                }
                Peer::Unknown => {}
            }
        }
    }
    (out, false)
}

fn proto(p: Protocol) -> &'static str {
    match p {
        Protocol::Udp => "UDP",
        _ => "TCP",
    }
}

/// The ports of an egress the instances' groups allow to the internet,
/// checked as HTTPS (443) when they allow everything.
fn internet_egress_ports(model: &Model, groups: &[String]) -> Option<Ports> {
    let https = Ports::one(443);
    for g in groups {
        let Some(sg) = model.groups.get(g) else {
            continue;
        };
        if !sg.egress_written {
            return Some(https);
        }
        for r in &sg.egress {
            let world = matches!(&r.peer, Peer::Addr(a) if a.is_world());
            if world && r.protocol.covers(Protocol::Tcp) {
                return Some(if r.ports.contains(443) {
                    https
                } else {
                    Ports::one(r.ports.from)
                });
            }
        }
    }
    None
}

/// What a NACL must let through for one leg of a flow seen from one
/// subnet: the request (`outbound` or in, on `ports`) and its reply (the
/// other way, on the ephemeral ports), both with the same peer.
#[allow(clippy::too_many_arguments)]
fn both_ways<'a>(
    needs: &mut Vec<Need<'a>>,
    acl: &'a str,
    outbound: bool,
    protocol: Protocol,
    ports: Ports,
    peer: &Addr,
    peer_name: &str,
    why: &str,
) {
    needs.push(Need {
        acl,
        egress: outbound,
        protocol,
        ports,
        peer: peer.clone(),
        peer_name: peer_name.to_owned(),
        why: format!("it is {why}"),
    });
    needs.push(Need {
        acl,
        egress: !outbound,
        protocol,
        ports: Ports::EPHEMERAL,
        peer: peer.clone(),
        peer_name: peer_name.to_owned(),
        why: format!("these are the replies to {why}"),
    });
}

fn acls(model: &Model) -> Vec<Diagnostic> {
    let mut needs: Vec<Need> = Vec::new();
    let acl_of = |s: &Option<String>| -> Option<&str> {
        s.as_ref()
            .and_then(|s| model.subnets.get(s))
            .and_then(|s| s.nacl.as_deref())
    };
    let name = |side: &Side| match &side.subnet {
        Some(s) => format!("{} ({s})", side.addr),
        None => side.addr.to_string(),
    };
    let (flows, cut_short) = flows(model);
    for f in flows {
        if let Some(acl) = acl_of(&f.from.subnet) {
            let (peer, peer_name) = (&f.to.addr, name(&f.to));
            both_ways(
                &mut needs, acl, true, f.protocol, f.ports, peer, &peer_name, &f.why,
            );
        }
        if let Some(acl) = acl_of(&f.to.subnet) {
            let (peer, peer_name) = (&f.from.addr, name(&f.from));
            both_ways(
                &mut needs, acl, false, f.protocol, f.ports, peer, &peer_name, &f.why,
            );
        }
    }
    // Private instances reaching the internet through their NAT.
    let world = Addr::Cidr("0.0.0.0/0".parse().expect("a valid CIDR literal"));
    let world_name = world.to_string();
    for (id, c) in &model.compute {
        let Some(ports) = internet_egress_ports(model, &c.groups) else {
            continue;
        };
        for subnet in c.subnets.iter().flatten() {
            let Some(DefaultRoute::Nat(nat, _)) = model.default_route(subnet) else {
                continue;
            };
            let Some(side) = subnet_side(model, subnet) else {
                continue;
            };
            let why = format!("TCP {ports} that {id} sends to the internet through {nat}");
            let tcp = Protocol::Tcp;
            if let Some(acl) = acl_of(&Some(subnet.clone())) {
                both_ways(&mut needs, acl, true, tcp, ports, &world, &world_name, &why);
            }
            let nat_subnet = model.nats.get(nat).cloned().flatten();
            if let Some(acl) = acl_of(&nat_subnet) {
                // In from the app and back to it; out to the internet and back.
                let app = name(&side);
                both_ways(&mut needs, acl, false, tcp, ports, &side.addr, &app, &why);
                both_ways(&mut needs, acl, true, tcp, ports, &world, &world_name, &why);
            }
        }
    }

    // One finding per ACL, direction and ports, listing the peers dropped.
    // A need met twice (the same peer through another rule or member) is
    // judged once.
    let mut judged: HashSet<(&str, bool, Protocol, Ports, String)> = HashSet::new();
    let mut grouped: BTreeMap<DropKey, Dropped> = BTreeMap::new();
    for n in needs {
        if !judged.insert((n.acl, n.egress, n.protocol, n.ports, n.peer_name.clone())) {
            continue;
        }
        let Some(entries) = model.nacls.get(n.acl) else {
            continue;
        };
        let Err(reason) = verdict(entries, n.egress, n.protocol, n.ports, &n.peer) else {
            continue;
        };
        let key = (
            n.acl.to_owned(),
            n.egress,
            format!("{} {}", proto(n.protocol), n.ports),
        );
        let slot = grouped
            .entry(key)
            .or_insert_with(|| (Vec::new(), n.why.clone(), reason.clone()));
        if !slot.0.contains(&n.peer_name) {
            slot.0.push(n.peer_name);
        }
    }
    let mut out: Vec<Diagnostic> = grouped
        .into_iter()
        .map(|((acl, egress, what), (peers, why, reason))| {
            let dir = if egress { "outbound" } else { "inbound" };
            let prep = if egress { "to" } else { "from" };
            rules::NACL_BLOCKS_FLOW
                .diag(format!(
                    "{acl} drops {dir} {what} {prep} {}: {reason}; {why}",
                    peers.join(", ")
                ))
                .on(acl.as_str())
                .at(["Resources", acl.as_str()])
                .hint(format!(
                    "add an allow entry (Egress: {egress}) for {what} {prep} {} with a rule number below any deny that matches",
                    peers.join(", ")
                ))
        })
        .collect();
    if cut_short {
        out.push(
            rules::CHECK_CUT_SHORT
                .diag(format!(
                    "the security groups allow more than {MAX_FLOWS} flows between subnets; network ACLs were checked against the first {MAX_FLOWS} only"
                ))
                .at(["Resources"])
                .hint("allow groups by tier (one rule per source group) rather than every group from every other"),
        );
    }
    out
}

/// One end of a flow for [`acls_pass`]: a subnet of the template, or
/// addresses outside it.
#[derive(Debug, Clone)]
pub struct End {
    /// The subnet, when the end is one of the template.
    pub subnet: Option<String>,
    /// Its address range as the other end's ACL sees it.
    pub addr: Addr,
}

impl End {
    /// A subnet of the template, when its CIDR is known.
    pub fn subnet(model: &Model, subnet: &str) -> Option<End> {
        subnet_side(model, subnet).map(|s| End {
            subnet: s.subnet,
            addr: s.addr,
        })
    }
}

/// Whether the network ACLs on both ends let a flow through, and its
/// replies back (ephemeral ports); the first ACL that drops it, and why,
/// when not. Traffic inside one subnet meets no ACL; a subnet without an
/// association uses the VPC's default ACL, which allows all.
pub fn acls_pass(
    model: &Model,
    from: &End,
    to: &End,
    protocol: Protocol,
    ports: Ports,
) -> Result<(), String> {
    if from.subnet.is_some() && from.subnet == to.subnet {
        return Ok(());
    }
    let acl_of = |end: &End| {
        end.subnet
            .as_ref()
            .and_then(|s| model.subnets.get(s))
            .and_then(|s| s.nacl.clone())
    };
    let checks = [
        (acl_of(from), true, ports, &to.addr),
        (acl_of(to), false, ports, &from.addr),
        (acl_of(to), true, Ports::EPHEMERAL, &from.addr),
        (acl_of(from), false, Ports::EPHEMERAL, &to.addr),
    ];
    for (acl, egress, ports, peer) in checks {
        let Some(acl) = acl else { continue };
        let Some(entries) = model.nacls.get(&acl) else {
            continue;
        };
        if let Err(reason) = verdict(entries, egress, protocol, ports, peer) {
            let (dir, prep) = if egress {
                ("outbound", "to")
            } else {
                ("inbound", "from")
            };
            return Err(format!(
                "{acl} drops {dir} {} {ports} {prep} {peer}: {reason}",
                proto(protocol)
            ));
        }
    }
    Ok(())
}

/// ACL, outbound?, protocol and ports.
type DropKey = (String, bool, String);
/// Peers dropped, the first reason the flow exists, and why it is dropped.
type Dropped = (Vec<String>, String, String);

/// Whether an ACL lets the whole flow through; the reason when it does not.
fn verdict(
    entries: &[NaclEntry],
    egress: bool,
    protocol: Protocol,
    ports: Ports,
    peer: &Addr,
) -> Result<(), String> {
    for e in entries.iter().filter(|e| e.egress == egress) {
        if !e.protocol.covers(protocol) {
            continue;
        }
        let e_ports = if e.protocol.has_ports() {
            e.ports
        } else {
            Ports::ALL
        };
        let full = e_ports.covers(ports) && e.cidr.covers(peer);
        let partial = e_ports.overlaps(ports) && e.cidr.overlaps(peer);
        if full {
            return if e.allow {
                Ok(())
            } else {
                Err(format!("entry {} ({}) denies it", e.rule_number, e.id))
            };
        }
        // A deny of some addresses matters for a subnet peer; against the
        // whole internet it is a block list, not a broken tier flow.
        if partial && !e.allow && !peer.is_world() {
            return Err(format!(
                "entry {} ({}) denies part of it",
                e.rule_number, e.id
            ));
        }
    }
    Err("no entry allows it, so the final deny-all applies".into())
}

#[cfg(test)]
mod tests;
