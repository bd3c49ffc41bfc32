//! Security rules (HG401 to HG411): world-open admin and database ports,
//! database exposure, encryption and passwords, IMDSv1, unencrypted volumes,
//! listeners that serve plain HTTP or lack a TLS policy, and wildcard IAM
//! actions.
//!
//! Owns the judgement; the topology (security group rules) comes from
//! `super::model`. Every `Fn::If` branch is judged: a setting that is unsafe
//! in some condition scenario is reported.

use super::diagnostic::Diagnostic;
use super::model::{
    Addr, Model, Peer, Protocol, alternatives, field, items, literal, literal_bool, prop, settle,
};
use super::rules;
use crate::template::{Expr, Intrinsic, Resource, Template};

/// Administration ports: SSH and RDP.
pub const ADMIN_PORTS: &[(u16, &str)] = &[(22, "SSH"), (3389, "RDP")];
/// Database and cache ports.
pub const DB_PORTS: &[(u16, &str)] = &[
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (5439, "Redshift"),
    (6379, "Redis"),
    (9042, "Cassandra"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
    (50000, "Db2"),
];

/// Elastic Load Balancing policies that still accept TLS 1.0 or 1.1.
const WEAK_TLS_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-TLS-1-0-2015-04",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-2015-05",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-FS-1-1-2019-08",
];

/// Runs every security rule.
pub fn check(template: &Template, model: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    open_ports(template, model, &mut out);
    for (id, r) in &template.resources {
        let base = ["Resources", id.as_str(), "Properties"];
        match r.resource_type.as_str() {
            "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => database(id, r, &base, &mut out),
            "AWS::EC2::LaunchTemplate" => {
                let data = prop(r, "LaunchTemplateData");
                let mut path: Vec<&str> = base.to_vec();
                path.push("LaunchTemplateData");
                imds(
                    id,
                    data.and_then(|d| field(d, "MetadataOptions")),
                    &path,
                    &mut out,
                );
                volumes(
                    id,
                    data.and_then(|d| field(d, "BlockDeviceMappings")),
                    &path,
                    &mut out,
                );
            }
            "AWS::EC2::Instance" => {
                if prop(r, "LaunchTemplate").is_none() {
                    imds(id, prop(r, "MetadataOptions"), &base, &mut out);
                }
                volumes(id, prop(r, "BlockDeviceMappings"), &base, &mut out);
            }
            "AWS::AutoScaling::LaunchConfiguration" => {
                imds(id, prop(r, "MetadataOptions"), &base, &mut out);
                volumes(id, prop(r, "BlockDeviceMappings"), &base, &mut out);
            }
            "AWS::EC2::Volume" if !prop(r, "Encrypted").is_some_and(always_true) => {
                out.push(
                    rules::VOLUME_UNENCRYPTED
                        .diag("the volume is not encrypted")
                        .on(id)
                        .at(path(&base, &["Encrypted"]))
                        .hint("set Encrypted: true (and KmsKeyId for a customer key)"),
                );
            }
            "AWS::ElasticLoadBalancingV2::Listener" => listener(id, r, &base, &mut out),
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                if let Some(list) = prop(r, "Policies").and_then(items) {
                    for (i, p) in list.into_iter().enumerate() {
                        let i = i.to_string();
                        if let Some(doc) = field(p, "PolicyDocument") {
                            iam(
                                id,
                                doc,
                                &path(&base, &["Policies", &i, "PolicyDocument"]),
                                &mut out,
                            );
                        }
                    }
                }
            }
            "AWS::IAM::ManagedPolicy"
            | "AWS::IAM::Policy"
            | "AWS::IAM::RolePolicy"
            | "AWS::IAM::UserPolicy"
            | "AWS::IAM::GroupPolicy" => {
                if let Some(doc) = prop(r, "PolicyDocument") {
                    iam(id, doc, &path(&base, &["PolicyDocument"]), &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

fn path(base: &[&str], rest: &[&str]) -> Vec<String> {
    base.iter().chain(rest).map(|s| s.to_string()).collect()
}

/// Whether every branch of a value is literally true.
fn always_true(e: &Expr) -> bool {
    alternatives(e)
        .into_iter()
        .all(|v| literal_bool(v) == Some(true))
}

/// Whether some branch of a value is literally true.
fn sometimes_true(e: &Expr) -> bool {
    alternatives(e)
        .into_iter()
        .any(|v| literal_bool(v) == Some(true))
}

fn world_text(peer: &Peer, template: &Template) -> Option<String> {
    match peer {
        Peer::Addr(a) if a.is_world() => Some(a.to_string()),
        Peer::Addr(Addr::Expr(text)) => {
            // A parameter whose default opens the port to the world.
            let name = text.strip_prefix("!Ref ")?;
            let p = template.parameters.get(name)?;
            let d = p.default.as_ref().and_then(literal)?;
            (d == "0.0.0.0/0" || d == "::/0")
                .then(|| format!("{d} (the default of parameter {name})"))
        }
        _ => None,
    }
}

fn open_ports(template: &Template, model: &Model, out: &mut Vec<Diagnostic>) {
    for g in model.groups.values() {
        for rule in &g.ingress {
            if !matches!(rule.protocol, Protocol::Tcp | Protocol::All) {
                continue;
            }
            let Some(world) = world_text(&rule.peer, template) else {
                continue;
            };
            for (ports, r, kind, fix) in [
                (
                    ADMIN_PORTS,
                    &rules::ADMIN_PORT_OPEN,
                    "admin",
                    "allow only an admin CIDR parameter, or reach instances through a bastion group or Session Manager",
                ),
                (
                    DB_PORTS,
                    &rules::DB_PORT_OPEN,
                    "database",
                    "allow only the application's security group",
                ),
            ] {
                let hit: Vec<String> = ports
                    .iter()
                    .filter(|(p, _)| rule.ports.contains(*p))
                    .map(|(p, name)| format!("{p} ({name})"))
                    .collect();
                if hit.is_empty() {
                    continue;
                }
                out.push(
                    r.diag(format!(
                        "{kind} port{} {} open to {world}",
                        if hit.len() > 1 { "s" } else { "" },
                        hit.join(", ")
                    ))
                    .on(rule.owner.clone())
                    .at(rule.path.iter().cloned())
                    .hint(fix),
                );
            }
        }
    }
}

fn database(id: &str, r: &Resource, base: &[&str], out: &mut Vec<Diagnostic>) {
    let is_cluster = r.resource_type == "AWS::RDS::DBCluster";
    let in_cluster = !is_cluster && prop(r, "DBClusterIdentifier").is_some();
    if prop(r, "PubliclyAccessible").is_some_and(sometimes_true) {
        out.push(
            rules::DB_PUBLIC
                .diag("the database is publicly accessible")
                .on(id)
                .at(path(base, &["PubliclyAccessible"]))
                .hint("set PubliclyAccessible: false and keep it in isolated subnets"),
        );
    }
    // Storage: members of a cluster, replicas and snapshot restores inherit it.
    let inherits = in_cluster
        || [
            "SourceDBInstanceIdentifier",
            "DBSnapshotIdentifier",
            "SnapshotIdentifier",
            "SourceDBClusterIdentifier",
        ]
        .iter()
        .any(|p| prop(r, p).is_some());
    let serverless_v1 = prop(r, "EngineMode")
        .and_then(literal)
        .is_some_and(|m| m == "serverless");
    if !inherits && !serverless_v1 && !prop(r, "StorageEncrypted").is_some_and(always_true) {
        out.push(
            rules::DB_UNENCRYPTED
                .diag("the database storage is not encrypted")
                .on(id)
                .at(path(base, &["StorageEncrypted"]))
                .hint("set StorageEncrypted: true; an existing database must be copied to an encrypted snapshot and restored"),
        );
    }
    if in_cluster {
        return;
    }
    let Some(password) = r.properties.get("MasterUserPassword") else {
        return;
    };
    for v in alternatives(password) {
        let (rule, message) = match settle(v) {
            Expr::String(s) if !s.contains("{{resolve:") => (
                &rules::DB_PLAINTEXT_PASSWORD,
                "the master password is written in the template".to_string(),
            ),
            Expr::Fn(f) => match f.as_ref() {
                Intrinsic::Ref(p) if p != "AWS::NoValue" => (
                    &rules::DB_PARAMETER_PASSWORD,
                    format!("the master password comes from parameter {p}"),
                ),
                _ => continue,
            },
            _ => continue,
        };
        out.push(
            rule.diag(message)
                .on(id)
                .at(path(base, &["MasterUserPassword"]))
                .hint("remove MasterUserPassword and set ManageMasterUserPassword: true, so RDS keeps the password in Secrets Manager"),
        );
        break;
    }
}

fn imds(id: &str, options: Option<&Expr>, base: &[&str], out: &mut Vec<Diagnostic>) {
    let tokens = options.and_then(|o| field(o, "HttpTokens"));
    let required = tokens.is_some_and(|t| {
        alternatives(t)
            .into_iter()
            .all(|v| literal(v).is_some_and(|s| s == "required"))
    });
    let disabled = options
        .and_then(|o| field(o, "HttpEndpoint"))
        .and_then(literal)
        .is_some_and(|e| e == "disabled");
    if required || disabled {
        return;
    }
    out.push(
        rules::IMDS_V1
            .diag("instance metadata accepts IMDSv1 requests (HttpTokens is not required)")
            .on(id)
            .at(path(base, &["MetadataOptions", "HttpTokens"]))
            .hint("set MetadataOptions: {HttpTokens: required}"),
    );
}

fn volumes(id: &str, mappings: Option<&Expr>, base: &[&str], out: &mut Vec<Diagnostic>) {
    let Some(list) = mappings.and_then(items) else {
        return;
    };
    for (i, m) in list.into_iter().enumerate() {
        let Some(ebs) = field(m, "Ebs") else { continue };
        if field(ebs, "SnapshotId").is_some() && field(ebs, "Encrypted").is_none() {
            continue; // inherits the snapshot's encryption
        }
        if !field(ebs, "Encrypted").is_some_and(always_true) {
            let i = i.to_string();
            out.push(
                rules::VOLUME_UNENCRYPTED
                    .diag(format!(
                        "the EBS volume {} is not encrypted",
                        field(m, "DeviceName").and_then(literal).unwrap_or_default()
                    ))
                    .on(id)
                    .at(path(base, &["BlockDeviceMappings", &i, "Ebs", "Encrypted"]))
                    .hint("set Ebs: {Encrypted: true}"),
            );
        }
    }
}

fn listener(id: &str, r: &Resource, base: &[&str], out: &mut Vec<Diagnostic>) {
    let Some(protocol) = prop(r, "Protocol").and_then(literal) else {
        return;
    };
    match protocol.as_str() {
        "HTTP" => {
            let redirects = prop(r, "DefaultActions").and_then(items).is_some_and(|actions| {
                !actions.is_empty()
                    && actions.into_iter().all(|a| {
                        let kind = field(a, "Type").and_then(literal);
                        let to_https = field(a, "RedirectConfig")
                            .and_then(|c| field(c, "Protocol"))
                            .and_then(literal)
                            .is_some_and(|p| p == "HTTPS");
                        let fixed = kind.as_deref() == Some("fixed-response");
                        (kind.as_deref() == Some("redirect") && to_https) || fixed
                    })
            });
            if !redirects {
                out.push(
                    rules::HTTP_NOT_REDIRECTED
                        .diag("the HTTP listener serves traffic instead of redirecting it to HTTPS")
                        .on(id)
                        .at(path(base, &["DefaultActions"]))
                        .hint("make its default action a redirect: {Type: redirect, RedirectConfig: {Protocol: HTTPS, Port: '443', StatusCode: HTTP_301}}"),
                );
            }
        }
        "HTTPS" | "TLS" => match prop(r, "SslPolicy").and_then(literal) {
            None => out.push(
                rules::HTTPS_NO_TLS_POLICY
                    .diag(format!("the {protocol} listener sets no SslPolicy, so it gets the old default policy"))
                    .on(id)
                    .at(path(base, &["SslPolicy"]))
                    .hint("set SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06"),
            ),
            Some(p) if WEAK_TLS_POLICIES.contains(&p.as_str()) => out.push(
                rules::HTTPS_NO_TLS_POLICY
                    .diag(format!("SslPolicy {p} still accepts TLS 1.0 or 1.1"))
                    .on(id)
                    .at(path(base, &["SslPolicy"]))
                    .hint("use ELBSecurityPolicy-TLS13-1-2-2021-06"),
            ),
            Some(_) => {}
        },
        _ => {}
    }
}

fn iam(id: &str, doc: &Expr, base: &[String], out: &mut Vec<Diagnostic>) {
    let Some(statements) = field(doc, "Statement") else {
        return;
    };
    let list: Vec<&Expr> = items(statements).unwrap_or_else(|| vec![statements]);
    for (i, st) in list.into_iter().enumerate() {
        let allow = field(st, "Effect")
            .and_then(literal)
            .is_some_and(|e| e == "Allow");
        if !allow {
            continue;
        }
        let (key, actions) = match (field(st, "Action"), field(st, "NotAction")) {
            (Some(a), _) => ("Action", a),
            (None, Some(_)) => {
                let mut p = base.to_vec();
                p.extend(["Statement".into(), i.to_string(), "NotAction".into()]);
                out.push(
                    rules::IAM_WILDCARD_ACTION
                        .diag("Allow with NotAction grants every action except the listed ones")
                        .on(id)
                        .at(p)
                        .hint("list the actions the role needs with Action"),
                );
                continue;
            }
            _ => continue,
        };
        let names: Vec<String> = items(actions)
            .unwrap_or_else(|| vec![actions])
            .into_iter()
            .filter_map(literal)
            .collect();
        let wild: Vec<&String> = names
            .iter()
            .filter(|a| a.as_str() == "*" || a.ends_with(":*"))
            .collect();
        if wild.is_empty() {
            continue;
        }
        let mut p = base.to_vec();
        p.extend(["Statement".into(), i.to_string(), key.into()]);
        out.push(
            rules::IAM_WILDCARD_ACTION
                .diag(format!(
                    "the policy allows {}",
                    wild.iter().map(|w| format!("{w:?}")).collect::<Vec<_>>().join(", ")
                ))
                .on(id)
                .at(p)
                .hint("allow only the actions needed, or attach an AWS managed policy scoped to the task"),
        );
    }
}

#[cfg(test)]
mod tests;
