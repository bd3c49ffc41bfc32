//! The arrows: the paths users take (listener, targets, database) first,
//! then what every security group rule admits, each checked against the
//! network ACLs of the subnets at both ends. The rules are the validator's
//! (`crate::validate::reach` for who a group admits and which databases an
//! app uses, `crate::validate::network::acls_pass` for the ACLs); this
//! module decides between which boxes the arrows go.

use indexmap::IndexMap;

use super::place::Placed;
use super::{Flow, FlowKind, Node};
use crate::template::Template;
use crate::validate::model::{self, Addr, Model, Peer, Ports, Protocol, field, target};
use crate::validate::network::{End, acls_pass};
use crate::validate::reach::groups::{Who, admits, cidrs};
use crate::validate::reach::usage::databases_of;

/// A flow being collected: its kind, labels and details.
struct Draft {
    kind: FlowKind,
    labels: Vec<String>,
    details: Vec<String>,
}

/// The arrows of a diagram, collected by (from, to) so that two rules
/// between the same boxes are one arrow with both labels.
struct Flows<'a> {
    template: &'a Template,
    model: &'a Model,
    placed: &'a mut Placed,
    drafts: IndexMap<(usize, usize), Draft>,
    /// The address each entry box stands for.
    entry_addrs: IndexMap<usize, Addr>,
}

/// More rules than this on one arrow are summarised in its label (all of
/// them are in its detail).
const MAX_LABELS: usize = 3;

/// The label of an arrow carrying several rules: `tcp 80, tcp 443`, or
/// `tcp 80, tcp 443 +12 more`.
fn summary(labels: &[String]) -> String {
    if labels.len() <= MAX_LABELS {
        return labels.join(", ");
    }
    format!(
        "{} +{} more",
        labels[..MAX_LABELS - 1].join(", "),
        labels.len() - (MAX_LABELS - 1)
    )
}

/// Protocol and ports as a label: `tcp 443`, `all traffic`.
pub fn label(protocol: Protocol, ports: Ports) -> String {
    let p = match protocol {
        Protocol::All => return "all traffic".to_owned(),
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Icmp => return "icmp".to_owned(),
        Protocol::Other(n) => return format!("protocol {n}"),
    };
    format!("{p} {ports}")
}

/// A resource's security groups, whether they are all known, and its subnets.
type Network<'m> = (&'m [String], bool, Option<&'m Vec<String>>);

/// Security groups and subnets of a resource that has them.
fn network_of<'m>(model: &'m Model, id: &str) -> Option<Network<'m>> {
    if let Some(l) = model.load_balancers.get(id) {
        return Some((&l.groups, l.groups_known, l.subnets.as_ref()));
    }
    if let Some(c) = model.compute.get(id) {
        return Some((&c.groups, c.groups_known, c.subnets.as_ref()));
    }
    model
        .databases
        .get(id)
        .map(|d| (d.groups.as_slice(), d.groups_known, d.subnets.as_ref()))
}

fn is_standby(n: &Node) -> bool {
    n.sublabel.ends_with("standby")
}

/// Builds every arrow of a template's diagram; entry boxes are added to
/// `placed` as they are needed.
pub fn flows(template: &Template, model: &Model, placed: &mut Placed) -> Vec<Flow> {
    let mut f = Flows {
        template,
        model,
        placed,
        drafts: IndexMap::new(),
        entry_addrs: IndexMap::new(),
    };
    for (id, listener) in &model.listeners {
        f.request_path(id, listener);
    }
    for (gid, group) in &model.groups {
        for rule in &group.ingress {
            f.rule(gid, rule);
        }
    }
    let mut out: Vec<Flow> = f
        .drafts
        .into_iter()
        .map(|((from, to), d)| Flow {
            from: f.placed.nodes[from].id.clone(),
            to: f.placed.nodes[to].id.clone(),
            kind: d.kind,
            label: summary(&d.labels),
            detail: if d.labels.len() > MAX_LABELS {
                format!("{}; {}", d.labels.join(", "), d.details.join("; "))
            } else {
                d.details.join("; ")
            },
        })
        .collect();
    out.sort_by_key(|fl| fl.kind != FlowKind::Request && fl.kind != FlowKind::SgOnly);
    out
}

impl Flows<'_> {
    /// The entry box for an address range.
    fn entry(&mut self, addr: &Addr) -> usize {
        let (key, label, detail) = if addr.is_world() {
            (
                "internet".to_owned(),
                "Internet users".to_owned(),
                format!("{addr}: anyone"),
            )
        } else {
            let text = addr.to_string();
            let key: String = text
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '/' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            let key = key.trim_matches('-').to_owned();
            let inside = self
                .model
                .vpcs
                .values()
                .flatten()
                .any(|v| Addr::Cidr(ipnet::IpNet::V4(*v)).covers(addr));
            let label = if inside {
                format!("VPC range {text}")
            } else if matches!(addr, Addr::Expr(_)) {
                format!("Admin network {}", text.trim_start_matches("!Ref "))
            } else {
                format!("Network {text}")
            };
            (key, label, format!("addresses {text}"))
        };
        let i = self.placed.entry(&key, &label, &detail);
        self.entry_addrs.insert(i, addr.clone());
        i
    }

    /// The boxes that receive traffic for a resource (a standby does not).
    fn receivers(&self, id: &str) -> Vec<usize> {
        self.placed
            .of(id)
            .iter()
            .copied()
            .filter(|&b| !is_standby(&self.placed.nodes[b]))
            .collect()
    }

    /// The boxes of the template's subnets inside a range of the VPC (a
    /// rule admitting "the private subnets" by their CIDRs); none for the
    /// internet, a whole VPC, or a range no subnet lies in.
    fn subnets_in(&self, addr: &Addr) -> Vec<usize> {
        let whole_vpc = self
            .model
            .vpcs
            .values()
            .flatten()
            .any(|v| addr.covers(&Addr::Cidr(ipnet::IpNet::V4(*v))));
        if whole_vpc || addr.is_world() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (id, subnet) in &self.model.subnets {
            let Some(cidr) = subnet.cidr else { continue };
            if addr.covers(&Addr::Cidr(ipnet::IpNet::V4(cidr))) {
                out.extend(self.placed.of(id).iter().copied());
            }
        }
        out
    }

    /// The boxes of every resource that uses a security group.
    fn members(&self, group: &str) -> Vec<usize> {
        let m = self.model;
        let users = m
            .load_balancers
            .iter()
            .filter(|(_, l)| l.groups.iter().any(|g| g == group))
            .map(|(id, _)| id)
            .chain(
                m.compute
                    .iter()
                    .filter(|(_, c)| c.groups.iter().any(|g| g == group))
                    .map(|(id, _)| id),
            )
            .chain(
                m.databases
                    .iter()
                    .filter(|(_, d)| d.groups.iter().any(|g| g == group))
                    .map(|(id, _)| id),
            );
        let mut out: Vec<usize> = Vec::new();
        for id in users {
            for b in self.receivers(id) {
                if !out.contains(&b) {
                    out.push(b);
                }
            }
        }
        out
    }

    /// Pairs of boxes a flow goes between: one lane's box of a resource
    /// drawn in several lanes talks to the other side's box in its own lane
    /// when there is one; any other box talks to every box of the other side.
    fn pairs(&self, from: &[usize], to: &[usize]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for &s in from {
            let spans = self.placed.nodes[s]
                .members
                .first()
                .is_some_and(|id| self.placed.of(id).len() > 1);
            let lane = self.placed.lane_of(s).filter(|_| spans);
            let same: Vec<usize> = to
                .iter()
                .copied()
                .filter(|&t| lane.is_some() && self.placed.lane_of(t) == lane)
                .collect();
            let chosen = if same.is_empty() { to.to_vec() } else { same };
            for t in chosen {
                let (a, b) = (&self.placed.nodes[s], &self.placed.nodes[t]);
                if s != t && a.members.first() != b.members.first() {
                    out.push((s, t));
                }
            }
        }
        out
    }

    /// The network ends of a box, as seen from a box in `toward`'s lane.
    fn ends(&self, node: usize, toward: usize) -> Vec<End> {
        if let Some(addr) = self.entry_addrs.get(&node) {
            return vec![End {
                subnet: None,
                addr: addr.clone(),
            }];
        }
        let n = &self.placed.nodes[node];
        let Some(id) = n.members.first() else {
            return Vec::new();
        };
        if self.model.subnets.contains_key(id) {
            return End::subnet(self.model, id).into_iter().collect();
        }
        let Some((_, _, Some(subnets))) = network_of(self.model, id) else {
            return Vec::new();
        };
        let lane = self
            .placed
            .lane_of(node)
            .or_else(|| self.placed.lane_of(toward));
        let az = lane.and_then(|l| self.placed.azs.get(l));
        let chosen: Vec<&String> = subnets
            .iter()
            .filter(|s| az.is_none() || self.model.subnet_az(s) == az)
            .collect();
        let chosen = if self.placed.lane_of(node).is_some() {
            chosen.into_iter().take(1).collect()
        } else {
            chosen
        };
        chosen
            .into_iter()
            .filter_map(|s| End::subnet(self.model, s))
            .collect()
    }

    /// Why the network ACLs drop a flow between two boxes, if they do.
    fn blocked(&self, from: usize, to: usize, protocol: Protocol, ports: Ports) -> Option<String> {
        let ports = if protocol.has_ports() {
            ports
        } else {
            Ports::ALL
        };
        for a in self.ends(from, to) {
            for b in self.ends(to, from) {
                if let Err(why) = acls_pass(self.model, &a, &b, protocol, ports) {
                    return Some(why);
                }
            }
        }
        None
    }

    fn add(&mut self, from: usize, to: usize, kind: FlowKind, label: String, detail: String) {
        let d = self.drafts.entry((from, to)).or_insert(Draft {
            kind,
            labels: Vec::new(),
            details: Vec::new(),
        });
        // The worst verdict of any rule on the arrow shows.
        if kind == FlowKind::NaclBlocked || kind == FlowKind::SgOnly {
            d.kind = kind;
        }
        if !d.labels.contains(&label) {
            d.labels.push(label);
        }
        if !detail.is_empty() && !d.details.contains(&detail) {
            d.details.push(detail);
        }
    }

    /// A request hop between boxes: drawn as a request unless the groups
    /// do not admit it or the ACLs drop it.
    fn hop(
        &mut self,
        from: usize,
        to: usize,
        port: Option<u16>,
        admitted: Option<bool>,
        label: String,
    ) {
        let (kind, detail) = match (admitted, port) {
            (Some(false), _) => (
                FlowKind::SgOnly,
                "no security group rule admits it".to_owned(),
            ),
            (_, Some(p)) => match self.blocked(from, to, Protocol::Tcp, Ports::one(p)) {
                Some(why) => (FlowKind::NaclBlocked, why),
                None => (FlowKind::Request, String::new()),
            },
            _ => (FlowKind::Request, String::new()),
        };
        self.add(from, to, kind, label, detail);
    }

    /// Users, DNS, the load balancer, its targets and their databases.
    fn request_path(&mut self, _listener_id: &str, listener: &model::Listener) {
        let m = self.model;
        let lb_id = listener.load_balancer.as_str();
        let Some(lb) = m.load_balancers.get(lb_id) else {
            return;
        };
        let lb_boxes = self.receivers(lb_id);
        let Some(&lb_box) = lb_boxes.first() else {
            return;
        };
        let port_text = listener
            .port
            .map_or_else(|| "?".to_owned(), |p| p.to_string());
        if !lb.internal {
            let users = self.entry(&Addr::Cidr(ipnet::IpNet::V4(ipnet::Ipv4Net::default())));
            let records: Vec<String> = self
                .template
                .resources
                .iter()
                .filter(|(_, r)| r.resource_type == "AWS::Route53::RecordSet")
                .filter(|(_, r)| {
                    model::prop(r, "AliasTarget")
                        .and_then(|a| field(a, "DNSName"))
                        .and_then(target)
                        == Some(lb_id)
                })
                .map(|(id, _)| id.clone())
                .collect();
            for record in records {
                for &dns in self.placed.of(&record).to_vec().iter() {
                    self.add(
                        users,
                        dns,
                        FlowKind::Request,
                        "DNS lookup".into(),
                        String::new(),
                    );
                    self.add(
                        dns,
                        lb_box,
                        FlowKind::Request,
                        "alias".into(),
                        String::new(),
                    );
                }
            }
            let admitted = (lb.groups_known && !lb.groups.is_empty()).then(|| {
                listener.port.is_none_or(|p| {
                    admits(m, &lb.groups, Protocol::Tcp, p, &Who::Internet).is_some()
                })
            });
            self.hop(
                users,
                lb_box,
                listener.port,
                admitted,
                format!("tcp {port_text}"),
            );
        }
        for tg_id in &listener.target_groups {
            let Some(tg) = m.target_groups.get(tg_id) else {
                continue;
            };
            let mut targets: Vec<&str> = m
                .compute
                .iter()
                .filter(|(_, c)| c.target_groups.iter().any(|t| t == tg_id))
                .map(|(id, _)| id.as_str())
                .collect();
            targets.extend(tg.targets.iter().map(|(id, _)| id.as_str()));
            for t in targets {
                self.targets(lb_box, lb, t, tg.port);
            }
        }
    }

    /// The hops from a load balancer to one target and from it to its databases.
    fn targets(
        &mut self,
        lb_box: usize,
        lb: &model::LoadBalancer,
        target_id: &str,
        port: Option<u16>,
    ) {
        let m = self.model;
        let Some(c) = m.compute.get(target_id) else {
            return;
        };
        let who = Who::Members {
            groups: &lb.groups,
            cidrs: cidrs(m, lb.subnets.as_ref()),
        };
        let admitted = (c.groups_known && lb.groups_known && !lb.groups.is_empty())
            .then(|| port.is_none_or(|p| admits(m, &c.groups, Protocol::Tcp, p, &who).is_some()));
        let boxes = self.receivers(target_id);
        let label = port.map_or_else(|| "tcp".to_owned(), |p| format!("tcp {p}"));
        for &b in &boxes {
            self.hop(lb_box, b, port, admitted, label.clone());
        }
        for used in databases_of(self.template, m, target_id, c) {
            let Some(db) = m.databases.get(&used.database) else {
                continue;
            };
            let who = Who::Members {
                groups: &c.groups,
                cidrs: cidrs(m, c.subnets.as_ref()),
            };
            let admitted = (db.groups_known && c.groups_known).then(|| {
                used.port
                    .is_none_or(|p| admits(m, &db.groups, Protocol::Tcp, p, &who).is_some())
            });
            let db_boxes = self.receivers(&used.database);
            let label = used
                .port
                .map_or_else(|| "tcp".to_owned(), |p| format!("tcp {p}"));
            for (s, t) in self.pairs(&boxes, &db_boxes) {
                self.hop(s, t, used.port, admitted, label.clone());
            }
        }
    }

    /// The arrows one security group ingress rule draws.
    fn rule(&mut self, group: &str, rule: &model::SgRule) {
        let targets = self.members(group);
        if targets.is_empty() {
            return;
        }
        let sources = match &rule.peer {
            Peer::Group(src) => self.members(src),
            Peer::Addr(a) => {
                let subnets = self.subnets_in(a);
                if subnets.is_empty() {
                    vec![self.entry(a)]
                } else {
                    subnets
                }
            }
            Peer::Unknown => return,
        };
        let text = label(rule.protocol, rule.ports);
        for (s, t) in self.pairs(&sources, &targets) {
            if self
                .drafts
                .get(&(s, t))
                .is_some_and(|d| d.kind == FlowKind::Request && d.labels.contains(&text))
            {
                continue;
            }
            let detail = format!("{} admits it ({})", group, rule.owner);
            match self.blocked(s, t, rule.protocol, rule.ports) {
                Some(why) => self.add(s, t, FlowKind::NaclBlocked, text.clone(), why),
                None => self.add(s, t, FlowKind::Sg, text.clone(), detail),
            }
        }
    }
}
