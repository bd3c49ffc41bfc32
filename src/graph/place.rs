//! Which box each resource becomes, and where it sits: resources that run
//! in a subnet go in the lane of the subnet's AZ and the band of its tier
//! (an Auto Scaling group once per AZ it spans, a Multi-AZ database as
//! primary and standby); the rest go in an area around the lanes by kind.
//! Parts of another resource (ACL entries, routes, listeners, rules,
//! subscriptions...) are folded into it, and many resources of one kind in
//! one place become one group box, so that 500 resources stay readable.

use std::collections::{BTreeMap, HashMap};

use super::{Area, ENTRY_TYPE, GROUP_TYPE, Lane, Node, Place, Tier};
use crate::template::{Resource, Template};
use crate::validate::model::{self, Az, Model, items, prop, target};

/// More resources of one type than this in one place become one group box.
pub const GROUP_AT: usize = 5;

/// The boxes, and which boxes stand for which resource.
#[derive(Debug, Default)]
pub struct Placed {
    /// The lanes, in AZ order.
    pub lanes: Vec<Lane>,
    /// The bands every lane has.
    pub tiers: Vec<Tier>,
    /// Every box.
    pub nodes: Vec<Node>,
    /// The boxes standing for each logical ID (itself, its lanes, or the
    /// box it is folded into).
    pub boxes: HashMap<String, Vec<usize>>,
    /// AZ of each lane, by lane index.
    pub azs: Vec<Az>,
    /// The network ACLs of each band's subnets.
    pub acls: BTreeMap<(usize, Tier), Vec<String>>,
}

impl Placed {
    /// The boxes of a logical ID (none when it is not drawn).
    pub fn of(&self, id: &str) -> &[usize] {
        self.boxes.get(id).map_or(&[], Vec::as_slice)
    }

    /// The box of an entry point, added on first use.
    pub fn entry(&mut self, key: &str, label: &str, detail: &str) -> usize {
        let id = format!("entry:{key}");
        if let Some(&[i]) = self.boxes.get(&id).map(Vec::as_slice) {
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(Node {
            id: id.clone(),
            resource_type: ENTRY_TYPE.to_owned(),
            label: label.to_owned(),
            sublabel: "entry point".to_owned(),
            place: Place::Region(Area::Entry),
            members: Vec::new(),
            details: vec![detail.to_owned()],
            marks: Vec::new(),
        });
        self.boxes.insert(id, vec![i]);
        i
    }

    /// The lane of a node, when it is in one.
    pub fn lane_of(&self, node: usize) -> Option<usize> {
        match self.nodes.get(node)?.place {
            Place::Lane { lane, .. } => Some(lane),
            Place::Region(_) => None,
        }
    }
}

/// The part of a type after `AWS::` (`EC2::Subnet`).
pub fn short_type(t: &str) -> &str {
    t.strip_prefix("AWS::").unwrap_or(t)
}

/// The resource another one is a part of, by the property that names it.
fn part_of(template: &Template, model: &Model, id: &str, r: &Resource) -> Option<String> {
    let by = |name: &str| prop(r, name).and_then(target).map(str::to_owned);
    let owner = match r.resource_type.as_str() {
        "AWS::EC2::NetworkAclEntry" | "AWS::EC2::SubnetNetworkAclAssociation" => by("NetworkAclId"),
        "AWS::EC2::Route" | "AWS::EC2::SubnetRouteTableAssociation" => by("RouteTableId"),
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => by("GroupId"),
        "AWS::EC2::VPCGatewayAttachment" => by("InternetGatewayId").or_else(|| by("VpnGatewayId")),
        "AWS::EC2::EIP" => by("InstanceId").or_else(|| {
            template
                .resources
                .iter()
                .find(|(_, n)| {
                    n.resource_type == "AWS::EC2::NatGateway"
                        && prop(n, "AllocationId").and_then(target) == Some(id)
                })
                .map(|(n, _)| n.clone())
        }),
        "AWS::EC2::EIPAssociation" => by("InstanceId").or_else(|| by("AllocationId")),
        "AWS::ElasticLoadBalancingV2::Listener" => by("LoadBalancerArn"),
        "AWS::ElasticLoadBalancingV2::ListenerRule" => by("ListenerArn"),
        "AWS::ElasticLoadBalancingV2::ListenerCertificate" => by("ListenerArn"),
        "AWS::ElasticLoadBalancingV2::TargetGroup" => model
            .listeners
            .values()
            .find(|l| l.target_groups.iter().any(|t| t == id))
            .map(|l| l.load_balancer.clone()),
        "AWS::SNS::Subscription" => by("TopicArn"),
        "AWS::S3::BucketPolicy" => by("Bucket"),
        "AWS::Lambda::Permission" => by("FunctionName"),
        "AWS::SQS::QueuePolicy" => prop(r, "Queues")
            .and_then(items)
            .and_then(|t| t.first().and_then(|e| target(e)).map(str::to_owned)),
        "AWS::SNS::TopicPolicy" => prop(r, "Topics")
            .and_then(items)
            .and_then(|t| t.first().and_then(|e| target(e)).map(str::to_owned)),
        "AWS::AutoScaling::ScalingPolicy" | "AWS::AutoScaling::LifecycleHook" => {
            by("AutoScalingGroupName")
        }
        "AWS::EC2::LaunchTemplate" => model
            .compute
            .iter()
            .find(|(_, c)| c.launch_template.as_deref() == Some(id))
            .map(|(n, _)| n.clone()),
        "AWS::IAM::InstanceProfile" | "AWS::IAM::Policy" => prop(r, "Roles")
            .and_then(items)
            .and_then(|t| t.first().and_then(|e| target(e)).map(str::to_owned)),
        "AWS::RDS::DBSubnetGroup" => template
            .resources
            .iter()
            .find(|(_, n)| prop(n, "DBSubnetGroupName").and_then(target) == Some(id))
            .map(|(n, _)| n.clone()),
        "AWS::RDS::DBInstance" => by("DBClusterIdentifier"),
        _ => None,
    }?;
    (owner != id && template.resources.contains_key(&owner)).then_some(owner)
}

/// The resource a part finally belongs to (a rule, its listener, its load
/// balancer), following at most a few links.
fn root(owners: &BTreeMap<String, String>, id: &str) -> Option<String> {
    let mut current = owners.get(id)?;
    for _ in 0..4 {
        match owners.get(current) {
            Some(next) if next != id => current = next,
            _ => break,
        }
    }
    Some(current.clone())
}

/// The area of a regional resource type.
fn area_of(t: &str) -> Area {
    let service = t.split("::").nth(1).unwrap_or("");
    match (service, t) {
        (
            _,
            "AWS::ElasticLoadBalancingV2::LoadBalancer" | "AWS::ElasticLoadBalancing::LoadBalancer",
        ) => Area::Edge,
        (
            "Route53" | "CloudFront" | "WAFv2" | "ApiGateway" | "ApiGatewayV2"
            | "GlobalAccelerator",
            _,
        ) => Area::Edge,
        ("EC2", "AWS::EC2::SecurityGroup") => Area::Security,
        ("EC2", "AWS::EC2::LaunchTemplate" | "AWS::EC2::Instance") => Area::Compute,
        ("EC2", _) => Area::Network,
        ("AutoScaling" | "Lambda" | "ECS" | "EKS" | "Batch" | "ElasticBeanstalk", _) => {
            Area::Compute
        }
        (
            "RDS" | "DynamoDB" | "S3" | "ElastiCache" | "EFS" | "DocDB" | "Neptune"
            | "OpenSearchService" | "Elasticsearch" | "Redshift",
            _,
        ) => Area::Data,
        ("CloudWatch" | "SNS" | "Logs" | "Events" | "SQS", _) => Area::Monitoring,
        ("IAM" | "KMS" | "SecretsManager" | "SSM" | "ACM" | "CertificateManager", _) => {
            Area::Identity
        }
        _ => Area::Other,
    }
}

/// Key properties of a resource for hover text: literal scalars of a few
/// well-known names.
fn details(r: &Resource) -> Vec<String> {
    const KEYS: &[&str] = &[
        "CidrBlock",
        "InstanceType",
        "Engine",
        "DBInstanceClass",
        "MultiAZ",
        "MinSize",
        "MaxSize",
        "DesiredCapacity",
        "Port",
        "Protocol",
        "Scheme",
        "Type",
        "Name",
        "MetricName",
        "RetentionInDays",
    ];
    KEYS.iter()
        .filter_map(|k| {
            let v = model::literal(prop(r, k)?)?;
            Some(format!("{k}: {v}"))
        })
        .collect()
}

/// One box of a resource in a lane: the lane, the tier, and its role there
/// (`primary`, `standby`, or nothing).
type Spot = (usize, Tier, &'static str);

/// The resources of each (lane, tier, type), with their role there.
type Cells = BTreeMap<(usize, Tier, String), Vec<(String, &'static str)>>;

/// Where a resource runs: one (lane, tier, role) per box, or nothing for a
/// regional resource.
fn lanes_of(
    id: &str,
    r: &Resource,
    model: &Model,
    lane: &dyn Fn(&Az) -> Option<usize>,
) -> Vec<(usize, Tier, &'static str)> {
    let in_subnet = |s: &str| {
        let az = model.subnet_az(s)?;
        Some((lane(az)?, Tier::of(model, s)))
    };
    let by_lane = |subnets: &[String]| {
        let mut out: Vec<(usize, Tier, &'static str)> = Vec::new();
        for s in subnets {
            if let Some((l, t)) = in_subnet(s)
                && !out.iter().any(|(o, _, _)| *o == l)
            {
                out.push((l, t, ""));
            }
        }
        out.sort();
        out
    };
    match r.resource_type.as_str() {
        "AWS::EC2::Subnet" => in_subnet(id)
            .map(|(l, t)| vec![(l, t, "")])
            .unwrap_or_default(),
        "AWS::EC2::NatGateway" => model
            .nats
            .get(id)
            .and_then(|s| s.as_deref())
            .and_then(in_subnet)
            .map(|(l, t)| vec![(l, t, "")])
            .unwrap_or_default(),
        "AWS::EC2::Instance" | "AWS::AutoScaling::AutoScalingGroup" => model
            .compute
            .get(id)
            .and_then(|c| c.subnets.as_deref())
            .map(&by_lane)
            .unwrap_or_default(),
        "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => {
            let Some(db) = model.databases.get(id) else {
                return Vec::new();
            };
            let Some(subnets) = db.subnets.as_deref() else {
                return Vec::new();
            };
            let all = by_lane(subnets);
            if db.is_cluster {
                return all;
            }
            if db.multi_az {
                return all
                    .into_iter()
                    .take(2)
                    .enumerate()
                    .map(|(i, (l, t, _))| (l, t, if i == 0 { "primary" } else { "standby" }))
                    .collect();
            }
            let chosen = db
                .az
                .as_ref()
                .and_then(lane)
                .and_then(|l| all.iter().find(|(o, _, _)| *o == l).copied());
            match chosen {
                Some((l, t, _)) => vec![(l, t, "single AZ")],
                None => all
                    .first()
                    .map(|&(l, t, _)| vec![(l, t, "single AZ, placed by RDS")])
                    .unwrap_or_default(),
            }
        }
        _ => Vec::new(),
    }
}

/// Places every resource of a template.
pub fn place(template: &Template, model: &Model) -> Placed {
    let azs = model.all_azs();
    let lanes: Vec<Lane> = azs
        .iter()
        .enumerate()
        .map(|(i, az)| Lane {
            name: format!("AZ{}", i + 1),
            label: match az {
                Az::Index(_) => format!("AZ {}", i + 1),
                Az::Named(n) => format!("AZ {} ({n})", i + 1),
            },
        })
        .collect();
    let lane = |az: &Az| azs.iter().position(|a| a == az);

    let owners: BTreeMap<String, String> = template
        .resources
        .iter()
        .filter_map(|(id, r)| part_of(template, model, id, r).map(|o| (id.clone(), o)))
        .collect();
    let mut parts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in template.resources.keys() {
        if let Some(owner) = root(&owners, id) {
            parts.entry(owner).or_default().push(id.clone());
        }
    }

    let mut placed = Placed {
        lanes,
        azs: azs.clone(),
        ..Placed::default()
    };
    // Resources that are not parts, by where they go; alarms are always
    // one group box.
    let mut regional: BTreeMap<(Area, String), Vec<String>> = BTreeMap::new();
    let mut in_lanes: Vec<(String, Vec<Spot>)> = Vec::new();
    for (id, r) in &template.resources {
        if owners.contains_key(id) && root(&owners, id).is_some() {
            continue;
        }
        let spots = lanes_of(id, r, model, &lane);
        if spots.is_empty() {
            let area = area_of(&r.resource_type);
            regional
                .entry((area, r.resource_type.clone()))
                .or_default()
                .push(id.clone());
        } else {
            in_lanes.push((id.clone(), spots));
        }
    }

    let mut tiers: Vec<Tier> = in_lanes
        .iter()
        .flat_map(|(_, s)| s.iter().map(|(_, t, _)| *t))
        .collect();
    tiers.sort();
    tiers.dedup();
    placed.tiers = tiers;

    // Resources in lanes: many of one type in one cell become a group.
    let mut cells: Cells = BTreeMap::new();
    for (id, spots) in &in_lanes {
        let t = &template.resources[id.as_str()].resource_type;
        for &(l, tier, role) in spots {
            cells
                .entry((l, tier, t.clone()))
                .or_default()
                .push((id.clone(), role));
        }
    }
    let order = |id: &str| template.resources.get_index_of(id).unwrap_or(usize::MAX);
    let mut lane_nodes: Vec<(usize, Tier, usize, Node, Vec<String>)> = Vec::new();
    for ((l, tier, t), ids) in &cells {
        let lane_name = &placed.lanes[*l].name;
        if ids.len() > GROUP_AT {
            let members: Vec<String> = ids.iter().map(|(i, _)| i.clone()).collect();
            let first = order(&members[0]);
            lane_nodes.push((
                *l,
                *tier,
                first,
                group_node(
                    format!("group:{}@{lane_name}:{}", short_type(t), tier.as_str()),
                    t,
                    &members,
                    Place::Lane {
                        lane: *l,
                        tier: *tier,
                    },
                ),
                members,
            ));
            continue;
        }
        for (id, role) in ids {
            let r = &template.resources[id.as_str()];
            let multi = in_lanes
                .iter()
                .find(|(i, _)| i == id)
                .is_some_and(|(_, s)| s.len() > 1);
            let box_id = if multi {
                format!("{id}@{lane_name}")
            } else {
                id.clone()
            };
            lane_nodes.push((
                *l,
                *tier,
                order(id),
                resource_node(
                    box_id,
                    id,
                    r,
                    role,
                    Place::Lane {
                        lane: *l,
                        tier: *tier,
                    },
                    template,
                    &parts,
                ),
                vec![id.clone()],
            ));
        }
    }
    lane_nodes.sort_by_key(|a| (a.0, a.1, a.2));
    for (_, _, _, node, members) in lane_nodes {
        let i = placed.nodes.len();
        for m in &members {
            placed.boxes.entry(m.clone()).or_default().push(i);
        }
        placed.nodes.push(node);
    }

    // Regional resources, by area and type; alarms and large sets grouped.
    let mut by_area: BTreeMap<Area, Vec<(usize, Node, Vec<String>)>> = BTreeMap::new();
    for ((area, t), ids) in &regional {
        let place = Place::Region(*area);
        if ids.len() > GROUP_AT || t == "AWS::CloudWatch::Alarm" {
            by_area.entry(*area).or_default().push((
                order(&ids[0]),
                group_node(format!("group:{}", short_type(t)), t, ids, place),
                ids.clone(),
            ));
            continue;
        }
        for id in ids {
            let r = &template.resources[id.as_str()];
            by_area.entry(*area).or_default().push((
                order(id),
                resource_node(id.clone(), id, r, "", place, template, &parts),
                vec![id.clone()],
            ));
        }
    }
    for (_, mut nodes) in by_area {
        nodes.sort_by_key(|(o, _, _)| *o);
        for (_, node, members) in nodes {
            let i = placed.nodes.len();
            for m in &members {
                placed.boxes.entry(m.clone()).or_default().push(i);
            }
            placed.nodes.push(node);
        }
    }

    // The ACL boundary of each band.
    for (id, subnet) in &model.subnets {
        let Some(l) = subnet.az.as_ref().and_then(lane) else {
            continue;
        };
        let acl = subnet
            .nacl
            .clone()
            .unwrap_or_else(|| "(VPC default)".to_owned());
        let acls = placed.acls.entry((l, Tier::of(model, id))).or_default();
        if !acls.contains(&acl) {
            acls.push(acl);
        }
    }

    // Parts point at their owner's boxes.
    for (owner, ids) in &parts {
        let boxes = placed.of(owner).to_vec();
        for id in ids {
            placed.boxes.insert(id.clone(), boxes.clone());
        }
    }
    placed
}

fn group_node(id: String, t: &str, members: &[String], place: Place) -> Node {
    Node {
        id,
        resource_type: GROUP_TYPE.to_owned(),
        label: format!("{} × {}", members.len(), short_type(t)),
        sublabel: "group".to_owned(),
        place,
        members: members.to_vec(),
        details: vec![format!("type: {t}")],
        marks: Vec::new(),
    }
}

fn resource_node(
    box_id: String,
    id: &str,
    r: &Resource,
    role: &str,
    place: Place,
    template: &Template,
    parts: &BTreeMap<String, Vec<String>>,
) -> Node {
    let mut members = vec![id.to_owned()];
    let mut details = details(r);
    if let Some(ps) = parts.get(id) {
        members.extend(ps.iter().cloned());
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for p in ps {
            if let Some(pr) = template.resources.get(p) {
                *kinds.entry(short_type(&pr.resource_type)).or_default() += 1;
            }
        }
        for (k, n) in kinds {
            details.push(format!("with {n} × {k}"));
        }
    }
    let short = short_type(&r.resource_type);
    let sublabel = if role.is_empty() {
        short.to_owned()
    } else {
        format!("{short} · {role}")
    };
    Node {
        id: box_id,
        resource_type: r.resource_type.clone(),
        label: id.to_owned(),
        sublabel,
        place,
        members,
        details,
        marks: Vec::new(),
    }
}
