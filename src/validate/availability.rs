//! Availability rules (HG501 to HG508): Auto Scaling groups and load
//! balancers over fewer than two AZs, a minimum below the AZ count, private
//! subnets routed through another AZ's NAT, a single NAT, single-AZ
//! databases, stateful resources without retention policies, and Auto
//! Scaling groups whose updates can take all capacity out of service.
//!
//! Owns the judgement; AZs, routes and members come from `super::model`.
//! Where an AZ is unknown (a subnet from a parameter, no AvailabilityZone)
//! the rule stays silent rather than guess.

use super::diagnostic::Diagnostic;
use super::model::{Az, DefaultRoute, Model, field, literal_bool, literal_int, prop};
use super::rules;
use crate::template::{RetentionPolicy, Template};

/// Resource types that hold data a delete or a replacement would destroy.
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::EC2::Volume",
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::EFS::FileSystem",
    "AWS::FSx::FileSystem",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::CacheCluster",
    "AWS::Neptune::DBCluster",
    "AWS::DocDB::DBCluster",
    "AWS::Redshift::Cluster",
    "AWS::OpenSearchService::Domain",
];

fn az_list(azs: &[Az]) -> String {
    azs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs every availability rule.
pub fn check(template: &Template, model: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (id, c) in model.compute.iter().filter(|(_, c)| c.is_asg) {
        let azs = match (&c.subnets, &c.azs) {
            (Some(subnets), _) => model.azs_of(subnets),
            (None, Some(azs)) => Some(azs.clone()),
            _ => None,
        };
        let Some(azs) = azs else { continue };
        let base = ["Resources", id.as_str(), "Properties"];
        let where_ = if c.subnets.is_some() {
            "VPCZoneIdentifier"
        } else {
            "AvailabilityZones"
        };
        if azs.len() < 2 {
            out.push(
                rules::ASG_SINGLE_AZ
                    .diag(format!(
                        "the Auto Scaling group runs in one AZ only ({})",
                        az_list(&azs)
                    ))
                    .on(id)
                    .at(base.iter().copied().chain([where_]))
                    .hint("give it a subnet in each of at least two AZs"),
            );
        } else if let Some(min) = c.min
            && min < azs.len() as i64
        {
            out.push(
                rules::ASG_MIN_BELOW_AZS
                    .diag(format!(
                        "MinSize {min} is below the {} AZs the group spans, so some AZs run no instance",
                        azs.len()
                    ))
                    .on(id)
                    .at(base.iter().copied().chain(["MinSize"]))
                    .hint(format!("set MinSize to at least {}", azs.len())),
            );
        }
    }
    for (id, lb) in &model.load_balancers {
        if lb.kind != "application" {
            continue;
        }
        let Some(azs) = lb.subnets.as_ref().and_then(|s| model.azs_of(s)) else {
            continue;
        };
        if azs.len() < 2 {
            out.push(
                rules::LB_SINGLE_AZ
                    .diag(format!(
                        "the load balancer's subnets are in one AZ only ({})",
                        az_list(&azs)
                    ))
                    .on(id)
                    .at(["Resources", id, "Properties", "Subnets"])
                    .hint("give it a public subnet in each of at least two AZs"),
            );
        }
    }
    nat_routes(model, &mut out);
    for (id, db) in &model.databases {
        if db.multi_az {
            continue;
        }
        let r = &template.resources[id];
        let replica = prop(r, "SourceDBInstanceIdentifier").is_some();
        if replica {
            continue;
        }
        let (path, hint) = if db.is_cluster {
            (
                "Resources",
                "add a second DB instance to the cluster in another AZ (an Aurora replica), so it can fail over",
            )
        } else {
            (
                "MultiAZ",
                "set MultiAZ: true, so RDS keeps a standby in another AZ and fails over to it",
            )
        };
        let mut p = vec!["Resources".to_string(), id.clone()];
        if !db.is_cluster {
            p.extend(["Properties".into(), path.into()]);
        }
        out.push(
            rules::DB_SINGLE_AZ
                .diag(if db.is_cluster {
                    "the database cluster has fewer than two instances, so it cannot fail over to another AZ".to_string()
                } else {
                    "the database is not Multi-AZ: it goes down with its AZ".to_string()
                })
                .on(id)
                .at(p)
                .hint(hint),
        );
    }
    for (id, r) in &template.resources {
        if !STATEFUL_TYPES.contains(&r.resource_type.as_str()) {
            continue;
        }
        if r.resource_type == "AWS::RDS::DBInstance" && prop(r, "DBClusterIdentifier").is_some() {
            continue; // the cluster holds the data
        }
        let keeps = |p: Option<RetentionPolicy>| p.is_some_and(|p| p != RetentionPolicy::Delete);
        let mut missing = Vec::new();
        if !keeps(r.deletion_policy) {
            missing.push("DeletionPolicy");
        }
        if !keeps(r.update_replace_policy) {
            missing.push("UpdateReplacePolicy");
        }
        if missing.is_empty() {
            continue;
        }
        let keep = if matches!(
            r.resource_type.as_str(),
            "AWS::S3::Bucket"
                | "AWS::DynamoDB::Table"
                | "AWS::DynamoDB::GlobalTable"
                | "AWS::EFS::FileSystem"
                | "AWS::FSx::FileSystem"
                | "AWS::OpenSearchService::Domain"
        ) {
            "Retain"
        } else {
            "Snapshot"
        };
        out.push(
            rules::STATEFUL_NO_POLICY
                .diag(format!(
                    "{} holds data but has no {} that keeps it",
                    r.resource_type,
                    missing.join(" or ")
                ))
                .on(id)
                .at(["Resources", id.as_str(), missing[0]])
                .hint(format!("set {} to {keep}", missing.join(" and "))),
        );
    }
    for (id, c) in model.compute.iter().filter(|(_, c)| c.is_asg) {
        let r = &template.resources[id];
        if let Some(problem) = update_policy_problem(r.update_policy.as_ref(), c.min) {
            out.push(
                rules::ASG_NO_UPDATE_POLICY
                    .diag(problem)
                    .on(id)
                    .at(["Resources", id.as_str(), "UpdatePolicy"])
                    .hint("add UpdatePolicy: {AutoScalingRollingUpdate: {MinInstancesInService: 1, MaxBatchSize: 1, WaitOnResourceSignals: true, PauseTime: PT10M}} (or AutoScalingReplacingUpdate: {WillReplace: true})"),
            );
        }
    }
    out
}

/// Why an Auto Scaling group's update policy may take all capacity out of
/// service, or `None` when it keeps some in service.
fn update_policy_problem(
    policy: Option<&crate::template::Expr>,
    min: Option<i64>,
) -> Option<String> {
    let Some(policy) = policy else {
        return Some("the Auto Scaling group has no UpdatePolicy: a new launch template version replaces no instance, or all at once".into());
    };
    if let Some(replacing) = field(policy, "AutoScalingReplacingUpdate")
        && field(replacing, "WillReplace").and_then(literal_bool) == Some(true)
    {
        return None;
    }
    if let Some(refresh) = field(policy, "AutoScalingInstanceRefresh") {
        let healthy = field(refresh, "Preferences")
            .and_then(|p| field(p, "MinHealthyPercentage"))
            .and_then(literal_int)
            .unwrap_or(90);
        return (healthy == 0).then(|| "the instance refresh allows 0% healthy capacity".into());
    }
    let Some(rolling) = field(policy, "AutoScalingRollingUpdate") else {
        return Some(
            "the UpdatePolicy has neither a rolling nor a replacing update for the group".into(),
        );
    };
    let in_service = field(rolling, "MinInstancesInService")
        .and_then(literal_int)
        .unwrap_or(0);
    if in_service >= 1 {
        return None;
    }
    let batch = field(rolling, "MaxBatchSize")
        .and_then(literal_int)
        .unwrap_or(1);
    match min {
        Some(m) if batch >= m => Some(format!(
            "the rolling update keeps no instance in service (MinInstancesInService 0) and replaces {batch} at a time, the whole minimum of {m}"
        )),
        _ => None,
    }
}

fn nat_routes(model: &Model, out: &mut Vec<Diagnostic>) {
    // Private subnets and the NAT each routes through.
    let mut by_nat: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (subnet, s) in &model.subnets {
        let Some(DefaultRoute::Nat(nat, route)) = model.default_route(subnet) else {
            continue;
        };
        match by_nat.iter_mut().find(|(n, _)| n == nat) {
            Some((_, list)) => list.push((subnet.clone(), route.clone())),
            None => by_nat.push((nat.clone(), vec![(subnet.clone(), route.clone())])),
        }
        let (Some(az), Some(nat_az)) = (s.az.as_ref(), model.nat_az(nat)) else {
            continue;
        };
        if az != nat_az {
            out.push(
                rules::NAT_CROSS_AZ
                    .diag(format!(
                        "{subnet} ({az}) reaches the internet through {nat} in {nat_az}: losing {nat_az} cuts its egress"
                    ))
                    .on(route.clone())
                    .at(["Resources", route.as_str(), "Properties", "NatGatewayId"])
                    .hint(format!("give {az} its own NAT gateway and route {subnet} to it")),
            );
        }
    }
    // Group NATs by VPC: one NAT serving private subnets in several AZs.
    // Routes to a NAT the template does not define are HG201's business.
    by_nat.retain(|(nat, _)| model.nats.contains_key(nat));
    let nat_vpc = |nat: &str| {
        model
            .nats
            .get(nat)
            .and_then(Option::as_ref)
            .and_then(|s| model.subnets.get(s))
            .and_then(|s| s.vpc.clone())
    };
    let mut vpcs: Vec<Option<String>> = Vec::new();
    for (nat, _) in &by_nat {
        let vpc = nat_vpc(nat);
        if !vpcs.contains(&vpc) {
            vpcs.push(vpc);
        }
    }
    for vpc in vpcs {
        let nats: Vec<&(String, Vec<(String, String)>)> = by_nat
            .iter()
            .filter(|(nat, _)| nat_vpc(nat) == vpc)
            .collect();
        if nats.len() != 1 {
            continue;
        }
        let (nat, served) = nats[0];
        let subnets: Vec<String> = served.iter().map(|(s, _)| s.clone()).collect();
        let Some(azs) = model.azs_of(&subnets) else {
            continue;
        };
        if azs.len() < 2 {
            continue;
        }
        out.push(
            rules::SINGLE_NAT
                .diag(format!(
                    "{nat} is the only NAT gateway for private subnets in {} AZs ({}): a single point of failure for egress",
                    azs.len(),
                    az_list(&azs)
                ))
                .on(nat.clone())
                .at(["Resources", nat.as_str()])
                .hint("run a NAT gateway in each AZ and route each private subnet to its own AZ's NAT"),
        );
    }
}

#[cfg(test)]
mod tests;
