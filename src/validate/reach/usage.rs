//! Which databases an application tier uses: read from what its
//! definition refers to, or from a database group that already admits it.
//! A database the app neither names nor is admitted by is not on its path.

use std::collections::{BTreeSet, HashSet, VecDeque};

use crate::template::Template;
use crate::validate::intrinsics::resource_references;
use crate::validate::model::{Compute, Model, Peer};

/// One database the instances use, and why hagen thinks so.
pub(crate) struct Use {
    /// The database's logical ID.
    pub(crate) database: String,
    /// The port it listens on, when known.
    pub(crate) port: Option<u16>,
    /// Why hagen thinks the instances use it, in words for the finding.
    pub(crate) evidence: String,
}

/// The resource types whose references the database search does not
/// follow: the network and the other tiers, which every tier refers to.
fn stops_search(type_name: &str) -> bool {
    [
        "AWS::EC2::",
        "AWS::ElasticLoadBalancingV2::",
        "AWS::AutoScaling::",
        "AWS::RDS::",
        "AWS::CloudWatch::",
    ]
    .iter()
    .any(|p| type_name.starts_with(p))
        && type_name != "AWS::EC2::LaunchTemplate"
}

/// The databases a compute resource uses (see the module docs).
pub(crate) fn databases_of(template: &Template, model: &Model, id: &str, c: &Compute) -> Vec<Use> {
    let mut out: Vec<Use> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<(String, usize)> = VecDeque::new();
    queue.push_back((id.to_owned(), 0));
    if let Some(lt) = &c.launch_template {
        queue.push_back((lt.clone(), 0));
    }
    while let Some((current, depth)) = queue.pop_front() {
        if !seen.insert(current.clone()) || depth > 4 {
            continue;
        }
        let Some(r) = template.resources.get(&current) else {
            continue;
        };
        let mut names: BTreeSet<String> = resource_references(r).into_iter().collect();
        if depth == 0 {
            names.extend(r.depends_on.iter().cloned());
        }
        for name in names {
            if let Some(db) = model.databases.get(&name) {
                if !out.iter().any(|u| u.database == name) {
                    out.push(Use {
                        database: name.clone(),
                        port: db.port,
                        evidence: format!("{current} refers to {name}"),
                    });
                }
                continue;
            }
            if let Some(next) = template.resources.get(&name)
                && !stops_search(&next.resource_type)
            {
                queue.push_back((name, depth + 1));
            }
        }
    }
    for (name, db) in &model.databases {
        if out.iter().any(|u| &u.database == name) {
            continue;
        }
        let rule = db
            .groups
            .iter()
            .filter_map(|g| model.groups.get(g).map(|sg| (g, sg)))
            .flat_map(|(g, sg)| sg.ingress.iter().map(move |r| (g, r)))
            .find(|(_, r)| matches!(&r.peer, Peer::Group(p) if c.groups.contains(p)));
        if let Some((g, r)) = rule {
            let source = match &r.peer {
                Peer::Group(p) => p.clone(),
                _ => String::new(),
            };
            out.push(Use {
                database: name.clone(),
                port: db.port,
                evidence: format!("{g} admits {source} on {}", r.ports),
            });
        }
    }
    out
}
