//! Security group verdicts for reachability: whether the groups of one
//! tier admit (and the groups of the other let out) a flow on a port.
//! Kept apart from the path walk so the rule semantics (peers, egress
//! defaults, address ranges) live in one place.

use ipnet::IpNet;

use crate::validate::model::{Addr, Model, Peer, Protocol, SgRule};

/// Who connects, as a security group rule sees them.
pub(crate) enum Who<'a> {
    /// Users of an internet-facing load balancer.
    Internet,
    /// Users of an internal load balancer.
    Vpc,
    /// Members of these groups, in these subnets.
    Members {
        /// Their security groups.
        groups: &'a [String],
        /// The address ranges of their subnets (empty when unknown).
        cidrs: Vec<Addr>,
    },
}

/// Whether a rule covers a flow's protocol and port.
fn covers(rule: &SgRule, protocol: Protocol, port: u16) -> bool {
    rule.protocol.covers(protocol) && (!protocol.has_ports() || rule.ports.contains(port))
}

/// The protocol as a security group rule is written, for hints.
pub(crate) fn proto_word(p: Protocol) -> &'static str {
    match p {
        Protocol::Udp => "udp",
        _ => "tcp",
    }
}

/// Whether a rule's peer may be `who`; the peer in words when it may.
fn peer_is(peer: &Peer, who: &Who) -> Option<String> {
    match (peer, who) {
        (Peer::Addr(a), Who::Internet) if a.is_world() => Some(String::new()),
        (Peer::Addr(a), Who::Internet | Who::Vpc) => Some(format!("only from {a}")),
        (Peer::Group(g), Who::Vpc) => Some(format!("from {g}")),
        (Peer::Group(_), Who::Internet) => None,
        (Peer::Unknown, _) => Some("from a prefix list or group outside the template".into()),
        (Peer::Group(g), Who::Members { groups, .. }) => {
            groups.contains(g).then(|| format!("from {g}"))
        }
        (Peer::Addr(a), Who::Members { cidrs, .. }) => {
            let reaches = match a {
                Addr::Expr(_) => true,
                Addr::Cidr(_) => cidrs.is_empty() || cidrs.iter().any(|c| a.overlaps(c)),
            };
            reaches.then(|| format!("from {a}"))
        }
    }
}

/// Whether `groups` admit `who` on a port.
pub(crate) fn admits(
    model: &Model,
    groups: &[String],
    protocol: Protocol,
    port: u16,
    who: &Who,
) -> Option<String> {
    admitting(model, groups, protocol, port, who).map(|(_, how)| how)
}

/// The rule's peer through which `groups` admit `who` on a port, and the
/// peer in words; a rule admitting anyone is preferred over a narrower
/// one, so a listener open to the world is not reported as restricted.
pub(super) fn admitting<'m>(
    model: &'m Model,
    groups: &[String],
    protocol: Protocol,
    port: u16,
    who: &Who,
) -> Option<(&'m Peer, String)> {
    let matches: Vec<(&Peer, String)> = groups
        .iter()
        .filter_map(|g| model.groups.get(g))
        .flat_map(|g| &g.ingress)
        .filter(|r| covers(r, protocol, port))
        .filter_map(|r| peer_is(&r.peer, who).map(|how| (&r.peer, how)))
        .collect();
    let unrestricted = matches.iter().position(|(_, how)| how.is_empty());
    matches.into_iter().nth(unrestricted.unwrap_or(0))
}

/// Whether `groups` let traffic out to `who` on a port (a group without
/// egress rules lets everything out).
pub(crate) fn sends(
    model: &Model,
    groups: &[String],
    protocol: Protocol,
    port: u16,
    who: &Who,
) -> bool {
    let sgs: Vec<_> = groups.iter().filter_map(|g| model.groups.get(g)).collect();
    sgs.iter().any(|g| !g.egress_written)
        || sgs
            .iter()
            .flat_map(|g| &g.egress)
            .filter(|r| covers(r, protocol, port))
            .any(|r| peer_is(&r.peer, who).is_some())
}

/// The address ranges of a tier's subnets, where known.
pub(crate) fn cidrs(model: &Model, subnets: Option<&Vec<String>>) -> Vec<Addr> {
    subnets
        .into_iter()
        .flatten()
        .filter_map(|s| model.subnets.get(s)?.cidr)
        .map(|c| Addr::Cidr(IpNet::V4(c)))
        .collect()
}

/// Group IDs for a message.
pub(super) fn list(groups: &[String]) -> String {
    groups.join(", ")
}
