//! Whether the stack can serve (rules HG604 to HG606): the paths users
//! take, from each load balancer listener through the load balancer's
//! security groups to the targets' port (and health check port) on their
//! security groups, and from the targets to the database they use, with
//! the network ACLs of each hop in each AZ.
//!
//! Owns reachability over the network model (`super::model`): who may
//! connect to whom on which port, by the security groups, and whether the
//! ACLs let it through (`super::network::acls_pass`). Findings name the
//! group that lacks a rule and the rule to add; the paths go to the
//! availability report.
//!
//! What counts as open, and what is judged at all:
//!
//! - users of an internet-facing load balancer are the internet: a listener
//!   is open when one of its load balancer's groups admits the port from
//!   some address range (the whole internet, or a range the author chose)
//!   or a prefix list; users of an internal one are the VPC, and any range
//!   or group counts;
//! - targets are the instances of the Auto Scaling groups registered with a
//!   target group (`TargetGroupARNs`) and instances in its `Targets`; a
//!   target port is open when the targets' groups admit the load balancer's
//!   group, or a range that covers the load balancer's subnets, a computed
//!   range or a prefix list, and the load balancer's groups let it out;
//! - the instances use a database when their definition refers to it
//!   (their own properties and metadata, the launch template, and what
//!   those refer to in turn outside the network resources: instance
//!   profiles, roles, parameters, secrets), or when the database's groups
//!   already admit theirs on some port (then the port must be the
//!   database's); a database port is open when the database's groups
//!   admit the instances' groups or their subnets' range;
//! - a hop whose groups are not all in the template (parameters, IDs, the
//!   VPC's default group) is unknown, never closed; so are `ip`, `lambda`
//!   and `alb` targets, and network load balancers without security groups
//!   (their targets see the clients' own addresses).

pub(crate) mod groups;
pub(crate) mod usage;

use std::collections::HashSet;

use ipnet::IpNet;

use super::az_report::{AzReach, Reach, ServicePath};
use super::diagnostic::Diagnostic;
use super::model::{Addr, Az, Model, Peer, Ports, Protocol};
use super::network::{End, acls_pass};
use super::rules;
use crate::template::Template;
use groups::{Who, admits, admitting, cidrs, list, proto_word, sends};
use usage::databases_of;

/// What the analysis found: the paths for the report and the gaps.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Every path from a listener, in template order.
    pub paths: Vec<ServicePath>,
    /// One finding per missing rule.
    pub findings: Vec<Diagnostic>,
}

/// A security group verdict on one hop.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Gate {
    /// Let through; the words say by what (for restricted audiences).
    Open(String),
    /// Dropped; the words say what is missing.
    Closed(String),
    /// Cannot be judged from the template.
    Unknown(String),
}

/// The subnets of a list in one AZ.
fn in_az<'a>(model: &Model, subnets: &'a [String], az: &Az) -> Vec<&'a String> {
    subnets
        .iter()
        .filter(|s| model.subnet_az(s) == Some(az))
        .collect()
}

const NO_TARGETS: &str = "no targets here";

/// Which hop of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HopKind {
    /// Users to the load balancer's nodes.
    Entry,
    /// The load balancer's nodes to the targets.
    Targets,
    /// The targets to a database.
    Database,
}

/// A hop whose network ACLs are checked in each AZ: from the subnets of
/// one side to the subnets of the other, on a port.
#[derive(Debug, Clone)]
struct Hop {
    kind: HopKind,
    from: Vec<String>,
    to: Vec<String>,
    protocol: Protocol,
    port: u16,
}

struct Builder<'a> {
    template: &'a Template,
    model: &'a Model,
    out: Analysis,
    reported: HashSet<String>,
}

/// Analyses every listener of the template.
pub fn analyse(template: &Template, model: &Model) -> Analysis {
    let mut b = Builder {
        template,
        model,
        out: Analysis::default(),
        reported: HashSet::new(),
    };
    for (id, _) in &model.listeners {
        b.listener(id);
    }
    b.out
}

impl Builder<'_> {
    fn report(&mut self, key: String, d: Diagnostic) {
        if self.reported.insert(key) {
            self.out.findings.push(d);
        }
    }

    fn listener(&mut self, id: &str) {
        let model = self.model;
        let Some(l) = model.listeners.get(id) else {
            return;
        };
        let Some(lb) = model.load_balancers.get(&l.load_balancer) else {
            return;
        };
        let protocol = match l.protocol.as_deref() {
            Some("GENEVE") => return,
            Some("UDP") => Protocol::Udp,
            _ => Protocol::Tcp,
        };
        if lb.kind == "gateway" {
            return;
        }
        let users = if lb.internal {
            "the VPC"
        } else {
            "the internet"
        };
        let who = if lb.internal { Who::Vpc } else { Who::Internet };
        let lb_id = l.load_balancer.clone();

        // Users to the listener.
        // The rule that admits the users, when one does: its range is who
        // the network ACLs must let in.
        let mut users_peer: Option<Peer> = None;
        let listener_gate = match l.port {
            None => Gate::Unknown(format!("the port of {id} is not a literal")),
            Some(_) if !lb.groups_known => {
                Gate::Unknown(if lb.groups.is_empty() && lb.kind == "network" {
                    format!(
                        "{lb_id} has no security groups: its targets see the clients' own addresses"
                    )
                } else {
                    format!("the security groups of {lb_id} are not all in the template")
                })
            }
            Some(port) => match admitting(model, &lb.groups, protocol, port, &who) {
                Some((peer, how)) => {
                    users_peer = Some(peer.clone());
                    Gate::Open(how)
                }
                None => {
                    let what = format!("{} {port}", proto_word(protocol));
                    let groups = list(&lb.groups);
                    let from = if lb.internal {
                        "the VPC's range (or the clients' groups)"
                    } else {
                        "0.0.0.0/0 (or the clients' range)"
                    };
                    let d = rules::LISTENER_CLOSED
                        .diag(format!(
                            "{id} listens on {what}, but no rule of the security groups of {lb_id} ({groups}) admits {users} on {port}"
                        ))
                        .on(id)
                        .at(["Resources", id, "Properties", "Port"])
                        .hint(format!(
                            "add an ingress rule to {}: {what} from {from}",
                            lb.groups.first().map_or("its security group", String::as_str)
                        ));
                    self.report(format!("604/{id}"), d);
                    Gate::Closed(format!(
                        "the security groups of {lb_id} do not admit {users} on {port}"
                    ))
                }
            },
        };
        let head = match l.port {
            Some(p) => format!("users -> {id} {p}"),
            None => format!("users -> {id}"),
        };
        let lb_subnets: Vec<String> = lb.subnets.clone().unwrap_or_default();
        // Users of an internal load balancer are some part of the VPC (or
        // networks connected to it): which part, the template does not
        // say, so their way through the ACLs is not judged. Users of an
        // internet-facing one are the range its group admits them from
        // (a computed range or a prefix list is not judged either), or the
        // whole internet.
        let users_end = match (&users_peer, lb.internal) {
            (_, true) => None,
            (Some(Peer::Addr(a @ Addr::Cidr(_))), false) => Some(a.clone()),
            (Some(_), false) => None,
            (None, false) => "0.0.0.0/0".parse::<IpNet>().ok().map(Addr::Cidr),
        };
        let entry = l.port.map(|port| Hop {
            kind: HopKind::Entry,
            from: Vec::new(),
            to: lb_subnets.clone(),
            protocol,
            port,
        });

        if l.target_groups.is_empty() {
            let hops = format!("{head} (redirect or fixed response)");
            self.path(
                id,
                hops,
                vec![listener_gate],
                entry,
                Vec::new(),
                users_end.as_ref(),
            );
            return;
        }
        for tg_id in &l.target_groups {
            let Some(tg) = model.target_groups.get(tg_id) else {
                continue;
            };
            if tg.target_type != "instance" {
                let gate = Gate::Unknown(format!(
                    "{tg_id} has {} targets, which hagen does not follow",
                    tg.target_type
                ));
                let hops = format!("{head} -> {tg_id} ({} targets)", tg.target_type);
                self.path(
                    id,
                    hops,
                    vec![listener_gate.clone(), gate],
                    entry.clone(),
                    Vec::new(),
                    users_end.as_ref(),
                );
                continue;
            }
            let mut targets: Vec<(String, Option<u16>)> = model
                .compute
                .iter()
                .filter(|(_, c)| c.target_groups.iter().any(|t| t == tg_id))
                .map(|(cid, _)| (cid.clone(), tg.port))
                .collect();
            for (t, p) in &tg.targets {
                if model.compute.contains_key(t) && !targets.iter().any(|(x, _)| x == t) {
                    targets.push((t.clone(), p.or(tg.port)));
                }
            }
            if targets.is_empty() {
                let hops = format!(
                    "{head} -> {tg_id}{} (no targets in the template)",
                    tg.port.map(|p| format!(" {p}")).unwrap_or_default()
                );
                let gate = Gate::Unknown(format!("{tg_id} has no targets in the template"));
                self.path(
                    id,
                    hops,
                    vec![listener_gate.clone(), gate],
                    entry.clone(),
                    Vec::new(),
                    users_end.as_ref(),
                );
                continue;
            }
            for (cid, port) in targets {
                self.target(
                    id,
                    &head,
                    &lb_id,
                    tg_id,
                    &cid,
                    port,
                    protocol,
                    &listener_gate,
                    entry.clone(),
                    users_end.as_ref(),
                );
            }
        }
    }

    /// One listener -> target group -> instances (-> database) path.
    #[allow(clippy::too_many_arguments)]
    fn target(
        &mut self,
        listener: &str,
        head: &str,
        lb_id: &str,
        tg_id: &str,
        cid: &str,
        port: Option<u16>,
        protocol: Protocol,
        listener_gate: &Gate,
        entry: Option<Hop>,
        users: Option<&Addr>,
    ) {
        let model = self.model;
        let (Some(lb), Some(tg), Some(c)) = (
            model.load_balancers.get(lb_id),
            model.target_groups.get(tg_id),
            model.compute.get(cid),
        ) else {
            return;
        };
        let mut gates = vec![listener_gate.clone()];
        let mut hops_text = format!("{head} -> {cid}");
        if let Some(p) = port {
            hops_text.push_str(&format!(" {p}"));
        }
        hops_text.push_str(&format!(" ({tg_id})"));
        let lb_subnets = lb.subnets.clone().unwrap_or_default();
        let c_subnets = c.subnets.clone().unwrap_or_default();
        let mut hops: Vec<Hop> = Vec::new();

        // The load balancer to the targets, on the traffic and health check ports.
        let mut ports: Vec<(u16, &str)> = port.map(|p| (p, "traffic")).into_iter().collect();
        if let Some(h) = tg.health_check_port
            && Some(h) != port
        {
            ports.push((h, "health check"));
        }
        if port.is_none() {
            gates.push(Gate::Unknown(format!(
                "the port of {tg_id} is not a literal"
            )));
        }
        for (p, what) in ports {
            hops.push(Hop {
                kind: HopKind::Targets,
                from: lb_subnets.clone(),
                to: c_subnets.clone(),
                protocol,
                port: p,
            });
            let gate = if !lb.groups_known || !c.groups_known {
                Gate::Unknown(format!(
                    "the security groups of {lb_id} or {cid} are not all in the template"
                ))
            } else {
                let from_lb = Who::Members {
                    groups: &lb.groups,
                    cidrs: cidrs(model, lb.subnets.as_ref()),
                };
                let to_targets = Who::Members {
                    groups: &c.groups,
                    cidrs: cidrs(model, c.subnets.as_ref()),
                };
                let word = proto_word(protocol);
                let field = match (
                    what,
                    tg.targets.iter().any(|(t, tp)| t == cid && tp.is_some()),
                ) {
                    ("health check", _) => "HealthCheckPort",
                    (_, true) => "Targets",
                    _ => "Port",
                };
                if admits(model, &c.groups, protocol, p, &from_lb).is_none() {
                    let d = rules::TARGET_PORT_CLOSED
                        .diag(format!(
                            "{tg_id} sends its {what} to {cid} on {word} {p}, but no rule of the security groups of {cid} ({}) admits those of {lb_id} ({})",
                            list(&c.groups),
                            list(&lb.groups)
                        ))
                        .on(tg_id)
                        .at(["Resources", tg_id, "Properties", field])
                        .hint(format!(
                            "add an ingress rule to {}: {word} {p} from security group {}",
                            c.groups.first().map_or("the targets' security group", String::as_str),
                            lb.groups.first().map_or("of the load balancer", String::as_str)
                        ));
                    self.report(format!("605/{tg_id}/{cid}/{p}/in"), d);
                    Gate::Closed(format!(
                        "the security groups of {cid} do not admit {lb_id} on {p}"
                    ))
                } else if !sends(model, &lb.groups, protocol, p, &to_targets) {
                    let d = rules::TARGET_PORT_CLOSED
                        .diag(format!(
                            "{tg_id} sends its {what} to {cid} on {word} {p}, but the security groups of {lb_id} ({}) let nothing out to it",
                            list(&lb.groups)
                        ))
                        .on(tg_id)
                        .at(["Resources", tg_id, "Properties", field])
                        .hint(format!(
                            "add an egress rule to {}: {word} {p} to security group {}",
                            lb.groups.first().map_or("the load balancer's security group", String::as_str),
                            c.groups.first().map_or("of the targets", String::as_str)
                        ));
                    self.report(format!("605/{tg_id}/{cid}/{p}/out"), d);
                    Gate::Closed(format!(
                        "the security groups of {lb_id} let nothing out to {cid} on {p}"
                    ))
                } else {
                    Gate::Open(String::new())
                }
            };
            gates.push(gate);
        }

        // The targets to their databases.
        for u in databases_of(self.template, model, cid, c) {
            let Some(db) = model.databases.get(&u.database) else {
                continue;
            };
            let Some(dport) = u.port else {
                hops_text.push_str(&format!(" -> {}", u.database));
                gates.push(Gate::Unknown(format!(
                    "the port of {} is not known",
                    u.database
                )));
                continue;
            };
            hops_text.push_str(&format!(" -> {} {dport}", u.database));
            hops.push(Hop {
                kind: HopKind::Database,
                from: c_subnets.clone(),
                to: db.subnets.clone().unwrap_or_default(),
                protocol: Protocol::Tcp,
                port: dport,
            });
            if !db.groups_known || !c.groups_known {
                gates.push(Gate::Unknown(format!(
                    "the security groups of {cid} or {} are not all in the template",
                    u.database
                )));
                continue;
            }
            let from_app = Who::Members {
                groups: &c.groups,
                cidrs: cidrs(model, c.subnets.as_ref()),
            };
            let to_db = Who::Members {
                groups: &db.groups,
                cidrs: cidrs(model, db.subnets.as_ref()),
            };
            let db_field = if db.is_cluster {
                "VpcSecurityGroupIds"
            } else {
                "VPCSecurityGroups"
            };
            let at = ["Resources", u.database.as_str(), "Properties", db_field];
            if admits(model, &db.groups, Protocol::Tcp, dport, &from_app).is_none() {
                let elsewhere = db
                    .groups
                    .iter()
                    .filter_map(|g| model.groups.get(g))
                    .flat_map(|g| &g.ingress)
                    .find(|r| matches!(&r.peer, Peer::Group(p) if c.groups.contains(p)))
                    .map(|r| format!(" (they admit it on {}, not {dport})", r.ports))
                    .unwrap_or_default();
                let d = rules::DATABASE_PORT_CLOSED
                    .diag(format!(
                        "{cid} uses {} ({}), but no rule of its security groups ({}) admits those of {cid} ({}) on tcp {dport}{elsewhere}",
                        u.database,
                        u.evidence,
                        list(&db.groups),
                        list(&c.groups)
                    ))
                    .on(u.database.clone())
                    .at(at)
                    .hint(format!(
                        "add an ingress rule to {}: tcp {dport} from security group {}",
                        db.groups.first().map_or("the database's security group", String::as_str),
                        c.groups.first().map_or("of the instances", String::as_str)
                    ));
                self.report(format!("606/{}/{cid}/in", u.database), d);
                gates.push(Gate::Closed(format!(
                    "the security groups of {} do not admit {cid} on {dport}",
                    u.database
                )));
            } else if !sends(model, &c.groups, Protocol::Tcp, dport, &to_db) {
                let d = rules::DATABASE_PORT_CLOSED
                    .diag(format!(
                        "{cid} uses {} ({}), but the security groups of {cid} ({}) let nothing out to it on tcp {dport}",
                        u.database,
                        u.evidence,
                        list(&c.groups)
                    ))
                    .on(u.database.clone())
                    .at(at)
                    .hint(format!(
                        "add an egress rule to {}: tcp {dport} to security group {}",
                        c.groups.first().map_or("the instances' security group", String::as_str),
                        db.groups.first().map_or("of the database", String::as_str)
                    ));
                self.report(format!("606/{}/{cid}/out", u.database), d);
                gates.push(Gate::Closed(format!(
                    "the security groups of {cid} let nothing out to {} on {dport}",
                    u.database
                )));
            } else {
                gates.push(Gate::Open(String::new()));
            }
        }
        self.path(listener, hops_text, gates, entry, hops, users);
    }

    /// Records a path: its security group gates, and the network ACLs of
    /// its hops in each AZ.
    fn path(
        &mut self,
        listener: &str,
        hops_text: String,
        gates: Vec<Gate>,
        entry: Option<Hop>,
        hops: Vec<Hop>,
        users: Option<&Addr>,
    ) {
        let model = self.model;
        let closed = gates.iter().find_map(|g| match g {
            Gate::Closed(why) => Some(why.clone()),
            _ => None,
        });
        let unknown = gates.iter().find_map(|g| match g {
            Gate::Unknown(why) => Some(why.clone()),
            _ => None,
        });
        let restricted: Vec<String> = gates
            .iter()
            .filter_map(|g| match g {
                Gate::Open(how) if !how.is_empty() => Some(how.clone()),
                _ => None,
            })
            .collect();

        // The AZs the path spans, through the subnets of its hops.
        let mut azs: Vec<Az> = entry
            .iter()
            .chain(&hops)
            .flat_map(|h| h.from.iter().chain(&h.to))
            .filter_map(|s| model.subnet_az(s).cloned())
            .collect();
        azs.sort();
        azs.dedup();
        let mut per_az = Vec::new();
        for az in &azs {
            per_az.push(self.through(az, entry.as_ref(), &hops, users, closed.is_some()));
        }

        let (status, detail) = if let Some(why) = closed {
            (Reach::Closed, why)
        } else if !per_az.is_empty() && per_az.iter().all(|a| a.status == Reach::Closed) {
            (
                Reach::Closed,
                format!("closed in every AZ: {}", per_az[0].detail),
            )
        } else if let Some(a) = per_az.iter().find(|a| a.status == Reach::Closed) {
            (
                Reach::PartlyOpen,
                format!("closed through {}: {}", a.az, a.detail),
            )
        } else if let Some(why) = unknown {
            (Reach::Unknown, why)
        } else {
            (Reach::Open, restricted.join("; "))
        };
        self.out.paths.push(ServicePath {
            hops: hops_text,
            listener: listener.to_owned(),
            status,
            detail,
            azs: per_az,
        });
    }

    /// The path through one AZ: users to the load balancer's nodes there,
    /// every node to the targets there, the targets there to the database.
    fn through(
        &self,
        az: &Az,
        entry: Option<&Hop>,
        hops: &[Hop],
        users: Option<&Addr>,
        closed: bool,
    ) -> AzReach {
        let model = self.model;
        let name = az.to_string();
        if closed {
            // The security groups close it everywhere; the path says why.
            return AzReach {
                az: name,
                status: Reach::Closed,
                detail: String::new(),
            };
        }
        let mut notes = Vec::new();
        if let (Some(e), Some(users)) = (entry, users) {
            let nodes = in_az(model, &e.to, az);
            if nodes.is_empty() {
                notes.push("no load balancer node here".to_owned());
            }
            let from = End {
                subnet: None,
                addr: users.clone(),
            };
            for s in nodes {
                let Some(to) = End::subnet(model, s) else {
                    continue;
                };
                if let Err(why) = acls_pass(model, &from, &to, e.protocol, Ports::one(e.port)) {
                    return AzReach {
                        az: name,
                        status: Reach::Closed,
                        detail: why,
                    };
                }
            }
        }
        for h in hops {
            // The load balancer's nodes in every AZ send to the targets
            // here (cross-zone balancing); the targets here reach the
            // database wherever its primary is.
            let (from, to): (Vec<&String>, Vec<&String>) = match h.kind {
                HopKind::Entry => continue,
                HopKind::Targets => (h.from.iter().collect(), in_az(model, &h.to, az)),
                HopKind::Database => (in_az(model, &h.from, az), h.to.iter().collect()),
            };
            if h.kind == HopKind::Targets && to.is_empty() && !notes.iter().any(|n| n == NO_TARGETS)
            {
                notes.push(NO_TARGETS.to_owned());
            }
            for f in &from {
                for t in &to {
                    let (Some(fe), Some(te)) = (End::subnet(model, f), End::subnet(model, t))
                    else {
                        continue;
                    };
                    if let Err(why) = acls_pass(model, &fe, &te, h.protocol, Ports::one(h.port)) {
                        return AzReach {
                            az: name,
                            status: Reach::Closed,
                            detail: why,
                        };
                    }
                }
            }
        }
        AzReach {
            az: name,
            status: Reach::Open,
            detail: notes.join("; "),
        }
    }
}

#[cfg(test)]
mod tests;
