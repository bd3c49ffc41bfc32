//! `hagen import --constructs`: where a group of resources is exactly what
//! a hagen construct emits, the blueprint calls the construct instead of
//! adding the resources one by one.
//!
//! Recognition is proven, not guessed: props are read off the template
//! (the VPC's CIDR, its subnets' CIDRs and zones, how many NAT gateways),
//! the construct is run into a scratch stack with them, and only when every
//! resource it emits equals the template's resource of that logical ID,
//! and it emits nothing else, is the group replaced. Otherwise the
//! resources stay L1. Today the `Vpc` construct is recognised (the one
//! most templates repeat by hand); its flow log variant is not.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::constructs::vpc::{NatGateways, SubnetGroup, Vpc, VpcProps};
use crate::constructs::{Ipv4Net, SubnetKind};
use crate::stack::Stack;
use crate::template::{Expr, Template};

use super::compare::differences;
use super::rust_text;

/// A group of resources a construct reproduces.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognised {
    /// What it is (`Vpc "Network"`), for the report.
    pub construct: String,
    /// The logical IDs the construct emits.
    pub ids: BTreeSet<String>,
    /// The statement that adds them (`Vpc::new(stack, ...)?;`).
    pub code: String,
    /// The stack tags the construct must see to tag its resources as the
    /// template does.
    pub tags: Vec<(String, String)>,
}

/// Every construct group of `template`, all sharing one set of stack tags
/// (the first one found decides).
pub(crate) fn recognise(template: &Template) -> Vec<Recognised> {
    let mut found: Vec<Recognised> = Vec::new();
    for (id, resource) in &template.resources {
        if resource.resource_type != "AWS::EC2::VPC" {
            continue;
        }
        let Some(prefix) = id.strip_suffix("Vpc").filter(|p| !p.is_empty()) else {
            continue;
        };
        if let Some(r) = vpc(template, prefix)
            && found.first().is_none_or(|f| f.tags == r.tags)
            && found.iter().all(|f| f.ids.is_disjoint(&r.ids))
        {
            found.push(r);
        }
    }
    found
}

/// The `Vpc` construct with ID `prefix`, when it reproduces the template.
fn vpc(template: &Template, prefix: &str) -> Option<Recognised> {
    let res = |suffix: &str| template.resources.get(&format!("{prefix}{suffix}"));
    let vpc = res("Vpc")?;
    if res("FlowLog").is_some() {
        return None;
    }
    let cidr: Ipv4Net = vpc.properties.get("CidrBlock")?.as_str()?.parse().ok()?;
    let tags = stack_tags(vpc.properties.get("Tags")?)?;
    let mut groups = Vec::new();
    let mut az_count = 0;
    let mut zones: Option<Vec<String>> = None;
    for kind in [
        SubnetKind::Public,
        SubnetKind::Private,
        SubnetKind::Isolated,
    ] {
        let mut cidrs = Vec::new();
        let mut group_zones = Vec::new();
        while let Some(subnet) = res(&format!("{}Subnet{}", kind.as_str(), cidrs.len() + 1)) {
            cidrs.push(
                subnet
                    .properties
                    .get("CidrBlock")?
                    .as_str()?
                    .parse::<Ipv4Net>()
                    .ok()?,
            );
            group_zones.push(subnet.properties.get("AvailabilityZone").cloned());
        }
        if cidrs.is_empty() {
            continue;
        }
        if az_count != 0 && az_count != cidrs.len() {
            return None;
        }
        az_count = cidrs.len();
        let literal: Option<Vec<String>> = group_zones
            .iter()
            .map(|z| z.as_ref().and_then(Expr::as_str).map(str::to_owned))
            .collect();
        match (&zones, literal) {
            (None, Some(z)) => zones = Some(z),
            (Some(z), Some(l)) if *z != l => return None,
            _ => {}
        }
        groups.push((kind, cidrs));
    }
    if az_count == 0 {
        return None;
    }
    let nats = (1..=az_count)
        .filter(|n| res(&format!("NatGateway{n}")).is_some())
        .count();
    let nat = match nats {
        0 => NatGateways::None,
        1 if az_count > 1 => NatGateways::Single,
        n if n == az_count => NatGateways::PerAz,
        _ => return None,
    };
    let zones = zones.unwrap_or_default();
    // Computed CIDRs read better; explicit ones hold whatever was written.
    for computed in [true, false] {
        let subnet_groups: Vec<SubnetGroup> = groups
            .iter()
            .map(|(kind, cidrs)| match (computed, uniform_prefix(cidrs)) {
                (true, Some(len)) => SubnetGroup::new(*kind, len),
                _ => SubnetGroup::with_cidrs(*kind, cidrs.clone()),
            })
            .collect();
        let props = VpcProps {
            cidr,
            az_count,
            availability_zones: zones.clone(),
            subnet_groups,
            nat_gateways: nat,
            flow_logs: None,
        };
        let Some(ids) = reproduces(template, prefix, &props, &tags) else {
            continue;
        };
        return Some(Recognised {
            construct: format!("Vpc {prefix:?}"),
            ids,
            code: vpc_code(prefix, &props),
            tags,
        });
    }
    None
}

/// The logical IDs the construct emits, when each equals the template's.
fn reproduces(
    template: &Template,
    prefix: &str,
    props: &VpcProps,
    tags: &[(String, String)],
) -> Option<BTreeSet<String>> {
    let mut scratch = Stack::new("");
    for (k, v) in tags {
        scratch.tag(k, v.as_str());
    }
    Vpc::new(&mut scratch, prefix, props.clone()).ok()?;
    let emitted = scratch.into_template().ok()?;
    let mut ids = BTreeSet::new();
    for (id, resource) in &emitted.resources {
        let original = template.resources.get(id)?;
        let one = |r: &crate::template::Resource| Template {
            resources: [(id.clone(), r.clone())].into_iter().collect(),
            ..Template::default()
        };
        if !differences(&one(original), &one(resource)).is_empty() {
            return None;
        }
        ids.insert(id.clone());
    }
    Some(ids)
}

/// The VPC's tags other than its `Name` (which the construct sets), as
/// literal stack tags.
fn stack_tags(tags: &Expr) -> Option<Vec<(String, String)>> {
    let Expr::List(items) = tags else {
        return None;
    };
    let mut out = Vec::new();
    for item in items {
        let Expr::Map(m) = item else {
            return None;
        };
        let key = m.get("Key")?;
        if key.as_str() == Some("Name") {
            continue;
        }
        out.push((
            key.as_str()?.to_owned(),
            m.get("Value")?.as_str()?.to_owned(),
        ));
    }
    Some(out)
}

fn uniform_prefix(cidrs: &[Ipv4Net]) -> Option<u8> {
    let first = cidrs.first()?.prefix_len();
    cidrs
        .iter()
        .all(|c| c.prefix_len() == first)
        .then_some(first)
}

fn net(n: Ipv4Net) -> String {
    let [a, b, c, d] = n.addr().octets();
    format!(
        "Ipv4Net::new_assert(Ipv4Addr::new({a}, {b}, {c}, {d}), {})",
        n.prefix_len()
    )
}

/// The construct call.
fn vpc_code(prefix: &str, props: &VpcProps) -> String {
    let mut groups = Vec::new();
    for g in &props.subnet_groups {
        let kind = format!("SubnetKind::{:?}", g.kind);
        groups.push(match &g.cidrs {
            crate::constructs::vpc::SubnetCidrs::Prefix(len) => {
                format!("SubnetGroup::new({kind}, {len})")
            }
            crate::constructs::vpc::SubnetCidrs::Explicit(cidrs) => {
                let cidrs: Vec<String> = cidrs.iter().map(|c| net(*c)).collect();
                format!(
                    "SubnetGroup::with_cidrs({kind}, vec![{}])",
                    cidrs.join(", ")
                )
            }
        });
    }
    let zones: Vec<String> = props
        .availability_zones
        .iter()
        .map(|z| format!("{}.to_owned()", rust_text::string(z)))
        .collect();
    let mut code = String::new();
    let _ = write!(
        code,
        "Vpc::new(\nstack,\n{},\nVpcProps {{\ncidr: {},\naz_count: {},\navailability_zones: vec![{}],\nsubnet_groups: vec![{}],\nnat_gateways: NatGateways::{:?},\nflow_logs: None,\n}},\n)?;\n",
        rust_text::string(prefix),
        net(props.cidr),
        props.az_count,
        zones.join(", "),
        groups.join(", "),
        props.nat_gateways
    );
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vpc_construct_is_recognised_only_when_it_reproduces_its_resources() {
        let mut stack = Stack::new("");
        stack.tag("Project", "shop");
        Vpc::new(&mut stack, "Network", VpcProps::default()).expect("vpc");
        let template = stack.into_template().expect("template");
        let found = recognise(&template);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].ids.len(), template.resources.len());
        assert_eq!(found[0].tags, [("Project".to_owned(), "shop".to_owned())]);
        assert!(
            found[0]
                .code
                .contains("SubnetGroup::new(SubnetKind::Private, 20)")
        );

        // One subnet changed by hand: the construct no longer reproduces it.
        let mut edited = template.clone();
        if let Some(r) = edited.resources.get_mut("NetworkPublicSubnet1") {
            r.properties.insert("EnableDns64".into(), Expr::Bool(true));
        }
        assert!(recognise(&edited).is_empty());
    }

    #[test]
    fn a_vpc_with_other_ids_stays_l1() {
        let mut stack = Stack::new("");
        Vpc::new(&mut stack, "Network", VpcProps::default()).expect("vpc");
        let mut template = stack.into_template().expect("template");
        let subnet = template
            .resources
            .shift_remove("NetworkPublicSubnet2")
            .expect("subnet");
        template.resources.insert("OtherSubnet".into(), subnet);
        assert!(recognise(&template).is_empty());
    }
}
