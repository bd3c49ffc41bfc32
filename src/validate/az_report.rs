//! The availability report: for each AZ the template uses, what is left if
//! that AZ is lost (application instances at minimum capacity, internet
//! egress of each private subnet, load balancer subnets, database failover),
//! and every single point of failure.
//!
//! Owns the report's content as data (serialisable to JSON); the CLI renders
//! it as a table. It reads `super::model` and assumes an Auto Scaling group
//! spreads its minimum evenly over its AZs, so the AZ lost holds the larger
//! share.

use serde::Serialize;

use super::model::{Az, DefaultRoute, Model};

/// What losing an AZ does to one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Unaffected.
    Ok,
    /// Keeps working with less capacity, or after a failover.
    Degraded,
    /// Stops working.
    Down,
    /// May stop working: the template does not say where it runs.
    AtRisk,
}

impl Status {
    /// The word used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Degraded => "degraded",
            Status::Down => "down",
            Status::AtRisk => "at risk",
        }
    }
}

/// One component's fate when an AZ is lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    /// What the component is ("Auto Scaling group", "NAT egress", ...).
    pub component: String,
    /// Its logical ID.
    pub resource: String,
    /// How it fares.
    pub status: Status,
    /// What is left, in words.
    pub detail: String,
}

/// The consequences of losing one AZ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AzLoss {
    /// The AZ, as the template identifies it ("AZ index 0", "us-east-1a").
    pub az: String,
    /// Each component's fate.
    pub impacts: Vec<Impact>,
}

/// A single point of failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SinglePoint {
    /// Its logical ID.
    pub resource: String,
    /// Why it is one.
    pub detail: String,
}

/// Whether users get through a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// Every hop admits the traffic (in every AZ, for a whole path).
    Open,
    /// Open through some AZs, closed through others (network ACLs).
    PartlyOpen,
    /// Some hop drops it.
    Closed,
    /// Some hop depends on what the template does not say (security
    /// groups from parameters, targets outside the template).
    Unknown,
}

impl Reach {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Open => "open",
            Reach::PartlyOpen => "partly open",
            Reach::Closed => "closed",
            Reach::Unknown => "unknown",
        }
    }
}

/// A path through one AZ: users entering through the load balancer's node
/// there, the targets there, and their way to the database (in any AZ).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AzReach {
    /// The AZ, as the template identifies it.
    pub az: String,
    /// Whether the path is open through it.
    pub status: Reach,
    /// Why not, or what is there; empty when simply open.
    pub detail: String,
}

/// A path users take through the stack: a listener, the targets it
/// forwards to, and the database they use, with the ports of each hop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServicePath {
    /// The hops in words: `users -> Listener 443 -> AppAsg 9000 -> Db 5432`.
    pub hops: String,
    /// The listener's logical ID.
    pub listener: String,
    /// Whether users get through, through the security groups and the
    /// network ACLs.
    pub status: Reach,
    /// Why not, or what is not known; empty when open.
    pub detail: String,
    /// The path through each AZ it spans.
    pub azs: Vec<AzReach>,
}

/// The whole report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityReport {
    /// The AZs the template's subnets are in.
    pub azs: Vec<String>,
    /// What losing each of them does.
    pub losses: Vec<AzLoss>,
    /// Every single point of failure.
    pub single_points_of_failure: Vec<SinglePoint>,
    /// The paths users take, from each listener to the targets and their
    /// database, open or closed.
    pub paths: Vec<ServicePath>,
}

impl AvailabilityReport {
    /// Whether there is anything to report: no component in a known AZ,
    /// no single point of failure and no path.
    pub fn is_empty(&self) -> bool {
        self.losses.iter().all(|l| l.impacts.is_empty())
            && self.single_points_of_failure.is_empty()
            && self.paths.is_empty()
    }
}

fn names(azs: &[Az]) -> String {
    azs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Builds the report from the template's topology.
pub fn build(model: &Model) -> AvailabilityReport {
    let azs = model.all_azs();
    let mut report = AvailabilityReport {
        azs: azs.iter().map(ToString::to_string).collect(),
        ..AvailabilityReport::default()
    };
    for lost in &azs {
        let mut impacts = Vec::new();
        compute(model, lost, &mut impacts);
        egress(model, lost, &mut impacts);
        load_balancers(model, lost, &mut impacts);
        databases(model, lost, &mut impacts);
        report.losses.push(AzLoss {
            az: lost.to_string(),
            impacts,
        });
    }
    report.single_points_of_failure = single_points(model);
    report
}

fn compute(model: &Model, lost: &Az, out: &mut Vec<Impact>) {
    for (id, c) in &model.compute {
        let azs = match (&c.subnets, &c.azs) {
            (Some(s), _) => model.azs_of(s),
            (None, Some(a)) => Some(a.clone()),
            _ => None,
        };
        let component = if c.is_asg {
            "Auto Scaling group"
        } else {
            "instance"
        };
        let Some(azs) = azs else {
            out.push(Impact {
                component: component.into(),
                resource: id.clone(),
                status: Status::AtRisk,
                detail: "its AZs are not known from the template".into(),
            });
            continue;
        };
        if !azs.contains(lost) {
            out.push(Impact {
                component: component.into(),
                resource: id.clone(),
                status: Status::Ok,
                detail: format!("runs in {}", names(&azs)),
            });
            continue;
        }
        let others: Vec<Az> = azs.iter().filter(|a| *a != lost).cloned().collect();
        let (status, detail) = if c.is_asg {
            group_fate(c.min, azs.len(), &others)
        } else {
            (Status::Down, "the instance is lost".to_string())
        };
        out.push(Impact {
            component: component.into(),
            resource: id.clone(),
            status,
            detail,
        });
    }
}

/// What losing one of its `n` AZs leaves of an Auto Scaling group with
/// minimum `min`, spread evenly (the AZ lost holds the larger share).
fn group_fate(min: Option<i64>, n: usize, others: &[Az]) -> (Status, String) {
    if others.is_empty() {
        return (
            Status::Down,
            "every instance is lost and there is no other AZ to relaunch in".to_string(),
        );
    }
    let Some(min) = min.map(|m| m.max(0)) else {
        return (
            Status::AtRisk,
            format!(
                "its minimum size is not known from the template; the group relaunches lost instances in {}",
                names(others)
            ),
        );
    };
    let n = n.max(1) as i64;
    let in_lost = (min + n - 1) / n;
    let left = min - in_lost;
    if left == 0 {
        (
            Status::Down,
            format!(
                "no instance serves until the group relaunches {} in {}",
                plural(in_lost, "instance"),
                names(others)
            ),
        )
    } else {
        (
            Status::Degraded,
            format!(
                "{left} of {min} instances keep serving; the group relaunches {in_lost} in {}",
                names(others)
            ),
        )
    }
}

fn egress(model: &Model, lost: &Az, out: &mut Vec<Impact>) {
    for subnet in model.subnets.keys() {
        let Some(DefaultRoute::Nat(nat, _)) = model.default_route(subnet) else {
            continue;
        };
        let az = model.subnet_az(subnet);
        if az == Some(lost) {
            continue; // the subnet itself is gone
        }
        let nat_az = model.nat_az(nat);
        let (status, detail) = match nat_az {
            Some(a) if a == lost => (
                Status::Down,
                format!("loses internet egress: its NAT {nat} is in {lost}"),
            ),
            Some(a) => (Status::Ok, format!("egress through {nat} in {a}")),
            None => (
                Status::AtRisk,
                format!("egress through {nat}, whose AZ is not known"),
            ),
        };
        out.push(Impact {
            component: "NAT egress".into(),
            resource: subnet.clone(),
            status,
            detail,
        });
    }
}

fn load_balancers(model: &Model, lost: &Az, out: &mut Vec<Impact>) {
    for (id, lb) in &model.load_balancers {
        let Some(azs) = lb.subnets.as_ref().and_then(|s| model.azs_of(s)) else {
            out.push(Impact {
                component: "load balancer".into(),
                resource: id.clone(),
                status: Status::AtRisk,
                detail: "its subnets' AZs are not known from the template".into(),
            });
            continue;
        };
        let others: Vec<Az> = azs.iter().filter(|a| *a != lost).cloned().collect();
        let (status, detail) = if !azs.contains(lost) {
            (Status::Ok, format!("serves from {}", names(&azs)))
        } else if others.is_empty() {
            (Status::Down, "its only AZ is lost".to_string())
        } else {
            (
                Status::Degraded,
                format!("keeps serving from {}", names(&others)),
            )
        };
        out.push(Impact {
            component: "load balancer".into(),
            resource: id.clone(),
            status,
            detail,
        });
    }
}

fn databases(model: &Model, lost: &Az, out: &mut Vec<Impact>) {
    for (id, db) in &model.databases {
        let (status, detail) = if db.multi_az {
            (
                Status::Degraded,
                "if the primary is here, RDS fails over to the standby in another AZ (typically one to two minutes)".to_string(),
            )
        } else {
            match &db.az {
                Some(a) if a == lost => (Status::Down, "the single-AZ database is lost until the AZ recovers or a snapshot is restored".to_string()),
                Some(a) => (Status::Ok, format!("runs in {a}")),
                None => (Status::AtRisk, "single-AZ: lost if RDS placed it in this AZ (the template does not pin it)".to_string()),
            }
        };
        out.push(Impact {
            component: "database".into(),
            resource: id.clone(),
            status,
            detail,
        });
    }
}

fn single_points(model: &Model) -> Vec<SinglePoint> {
    let mut out = Vec::new();
    // NATs serving private subnets in other AZs.
    for (nat, _) in &model.nats {
        let served: Vec<String> = model
            .subnets
            .keys()
            .filter(|s| matches!(model.default_route(s), Some(DefaultRoute::Nat(n, _)) if n == nat))
            .cloned()
            .collect();
        let nat_az = model.nat_az(nat);
        let foreign: Vec<&String> = served
            .iter()
            .filter(|s| model.subnet_az(s).is_some_and(|a| Some(a) != nat_az))
            .collect();
        if !foreign.is_empty() {
            out.push(SinglePoint {
                resource: nat.clone(),
                detail: format!(
                    "internet egress of {} in other AZs depends on it",
                    foreign
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    for (id, c) in &model.compute {
        if !c.is_asg {
            out.push(SinglePoint {
                resource: id.clone(),
                detail: "a single instance: nothing replaces it if it or its AZ fails".into(),
            });
            continue;
        }
        let azs = c
            .subnets
            .as_ref()
            .and_then(|s| model.azs_of(s))
            .or_else(|| c.azs.clone());
        if let Some(azs) = azs
            && azs.len() < 2
        {
            out.push(SinglePoint {
                resource: id.clone(),
                detail: format!("the Auto Scaling group runs only in {}", names(&azs)),
            });
        }
        if c.min.is_some_and(|m| m <= 1) {
            out.push(SinglePoint {
                resource: id.clone(),
                detail: "the Auto Scaling group's minimum capacity is a single instance".into(),
            });
        }
    }
    for (id, lb) in &model.load_balancers {
        if let Some(azs) = lb.subnets.as_ref().and_then(|s| model.azs_of(s))
            && azs.len() < 2
        {
            out.push(SinglePoint {
                resource: id.clone(),
                detail: format!("the load balancer is only in {}", names(&azs)),
            });
        }
    }
    for (id, db) in &model.databases {
        if !db.multi_az {
            out.push(SinglePoint {
                resource: id.clone(),
                detail: "the database has no standby in another AZ".into(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing;
    use serde_json::json;

    fn report(change: impl FnOnce(&mut serde_json::Value)) -> AvailabilityReport {
        let mut v = testing::ha_stack();
        change(&mut v);
        build(&Model::of(&testing::template(v)))
    }

    fn impact<'a>(r: &'a AvailabilityReport, az: usize, resource: &str) -> &'a Impact {
        r.losses[az]
            .impacts
            .iter()
            .find(|i| i.resource == resource)
            .unwrap()
    }

    #[test]
    fn the_ha_stack_degrades_but_keeps_serving_and_has_no_single_point() {
        let r = report(|_| {});
        assert_eq!(r.azs, vec!["AZ index 0", "AZ index 1"]);
        let asg = impact(&r, 0, "Asg");
        assert_eq!(asg.status, Status::Degraded);
        assert_eq!(
            asg.detail,
            "1 of 2 instances keep serving; the group relaunches 1 in AZ index 1"
        );
        assert_eq!(impact(&r, 0, "PrivateSubnet2").status, Status::Ok);
        assert_eq!(impact(&r, 0, "Alb").detail, "keeps serving from AZ index 1");
        assert_eq!(impact(&r, 1, "Db").status, Status::Degraded);
        assert!(
            r.single_points_of_failure.is_empty(),
            "{:#?}",
            r.single_points_of_failure
        );
    }

    #[test]
    fn a_single_nat_and_a_single_az_database_show_up() {
        let r = report(|v| {
            v["Resources"]["PrivateRoute2"]["Properties"]["NatGatewayId"] = json!({"Ref": "Nat1"});
            v["Resources"]["Db"]["Properties"]["MultiAZ"] = json!(false);
            v["Resources"]["Db"]["Properties"]["AvailabilityZone"] =
                json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]});
        });
        let egress = impact(&r, 0, "PrivateSubnet2");
        assert_eq!(egress.status, Status::Down);
        assert_eq!(
            egress.detail,
            "loses internet egress: its NAT Nat1 is in AZ index 0"
        );
        assert_eq!(impact(&r, 0, "Db").status, Status::Down);
        assert_eq!(impact(&r, 1, "Db").status, Status::Ok);
        let spofs: Vec<&str> = r
            .single_points_of_failure
            .iter()
            .map(|s| s.resource.as_str())
            .collect();
        assert_eq!(spofs, vec!["Nat1", "Db"]);
    }

    #[test]
    fn group_fate_covers_one_az_unknown_minimum_and_a_minimum_of_one() {
        let other = [Az::Index(1)];
        assert_eq!(group_fate(Some(2), 1, &[]).0, Status::Down);
        assert_eq!(group_fate(None, 2, &other).0, Status::AtRisk);
        assert_eq!(
            group_fate(Some(1), 2, &other),
            (
                Status::Down,
                "no instance serves until the group relaunches 1 instance in AZ index 1"
                    .to_string()
            )
        );
        assert_eq!(
            group_fate(Some(3), 2, &other).1,
            "1 of 3 instances keep serving; the group relaunches 2 in AZ index 1"
        );
    }

    #[test]
    fn the_report_serialises_to_json() {
        let r = report(|_| {});
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["losses"][0]["impacts"][0]["status"], json!("degraded"));
    }
}
