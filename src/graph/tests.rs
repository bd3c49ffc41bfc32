//! The diagram's promises, checked on the layout model: nothing overlaps,
//! every box sits inside its band or area, every flow starts and ends on a
//! box edge, the same template gives the same bytes, and 500 resources
//! collapse into a readable number of boxes.

use serde_json::{Value as Json, json};

use super::layout::{Layout, Rect, layout};
use super::{Diagram, FlowKind, Format, GROUP_TYPE, Place, Tier, render};
use crate::template::Template;
use crate::validate::testing::{ha_stack, template};

fn ha() -> Template {
    template(ha_stack())
}

fn with(change: impl FnOnce(&mut Json)) -> Template {
    let mut t = ha_stack();
    change(&mut t);
    template(t)
}

/// Whether a point lies on a rectangle's border.
fn on_edge(r: &Rect, (x, y): (i32, i32)) -> bool {
    let inside = r.x <= x && x <= r.right() && r.y <= y && y <= r.bottom();
    inside && (x == r.x || x == r.right() || y == r.y || y == r.bottom())
}

/// Every geometric promise of the contract, on one diagram.
fn assert_laid_out(d: &Diagram, l: &Layout) {
    for (i, a) in l.boxes.iter().enumerate() {
        for (j, b) in l.boxes.iter().enumerate().skip(i + 1) {
            assert!(
                !a.overlaps(b),
                "{} and {} overlap",
                d.nodes[i].id,
                d.nodes[j].id
            );
        }
    }
    for (i, a) in l.lanes.iter().enumerate() {
        for b in l.lanes.iter().skip(i + 1) {
            assert!(!a.overlaps(b), "lanes overlap");
        }
        if let Some(r) = &l.regional {
            assert!(!a.overlaps(r), "lane {i} overlaps the regional area");
        }
        assert!(!a.overlaps(&l.legend));
    }
    for (i, a) in l.bands.iter().enumerate() {
        assert!(l.lanes[a.lane].contains(&a.rect), "band outside its lane");
        for b in l.bands.iter().skip(i + 1) {
            assert!(!a.rect.overlaps(&b.rect), "bands overlap");
        }
    }
    for (n, r) in d.nodes.iter().zip(&l.boxes) {
        assert!(r.w > 0 && r.h > 0, "{} has no box", n.id);
        match n.place {
            Place::Lane { lane, tier } => {
                let band = l
                    .bands
                    .iter()
                    .find(|b| b.lane == lane && b.tier == tier)
                    .expect("its band is drawn");
                assert!(band.rect.contains(r), "{} outside its band", n.id);
            }
            Place::Region(area) => {
                let regional = l.regional.expect("a regional area");
                assert!(regional.contains(r), "{} outside the regional area", n.id);
                let (_, a) = l.areas.iter().find(|(x, _)| *x == area).expect("area");
                assert!(a.contains(r), "{} outside its area", n.id);
            }
        }
    }
    let mut ids: Vec<&str> = d.nodes.iter().map(|n| n.id.as_str()).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "box IDs are unique");
    for (f, points) in d.flows.iter().zip(&l.flows) {
        let from = d
            .nodes
            .iter()
            .position(|n| n.id == f.from)
            .expect("from is a box");
        let to = d
            .nodes
            .iter()
            .position(|n| n.id == f.to)
            .expect("to is a box");
        let (first, last) = (points[0], points[points.len() - 1]);
        assert!(on_edge(&l.boxes[from], first), "{f:?} starts at {first:?}");
        assert!(on_edge(&l.boxes[to], last), "{f:?} ends at {last:?}");
    }
    assert!(l.legend.bottom() <= l.height && l.legend.right() <= l.width);
}

#[test]
fn a_three_tier_stack_has_lanes_bands_and_boxes_in_their_subnets() {
    let d = Diagram::of(&ha());
    let names: Vec<&str> = d.lanes.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["AZ1", "AZ2"]);
    assert_eq!(d.lanes[0].label, "AZ 1");
    assert_eq!(d.tiers, [Tier::Public, Tier::Private, Tier::Isolated]);
    let place = |id: &str| d.node(id).map(|n| n.place);
    assert_eq!(
        place("Nat2"),
        Some(Place::Lane {
            lane: 1,
            tier: Tier::Public
        })
    );
    assert_eq!(
        place("Asg@AZ1"),
        Some(Place::Lane {
            lane: 0,
            tier: Tier::Private
        })
    );
    assert!(d.node("Asg@AZ2").is_some());
    assert!(d.node("Asg").is_none(), "one box per lane, none spanning");
    let primary = d.node("Db@AZ1").expect("primary");
    let standby = d.node("Db@AZ2").expect("standby");
    assert!(primary.sublabel.ends_with("primary"), "{primary:?}");
    assert!(standby.sublabel.ends_with("standby"), "{standby:?}");
    assert_eq!(
        standby.place,
        Place::Lane {
            lane: 1,
            tier: Tier::Isolated
        }
    );
    assert_eq!(
        d.acls.get(&(1, Tier::Isolated)).map(Vec::as_slice),
        Some(["DbAcl".to_owned()].as_slice()),
        "each band names the ACL at its boundary"
    );
    // Parts are folded into what they belong to.
    let acl = d.node("PublicAcl").expect("the ACL");
    assert!(acl.members.iter().any(|m| m == "PublicAclIn100"), "{acl:?}");
    assert!(d.node("PublicAclIn100").is_none());
    let alb = d.node("Alb").expect("the load balancer");
    assert!(alb.members.iter().any(|m| m == "Https"));
    assert!(alb.members.iter().any(|m| m == "Tg"));
    assert_eq!(alb.place, Place::Region(super::Area::Edge));
    assert!(
        d.node("Nat1")
            .expect("NAT")
            .members
            .contains(&"NatEip1".to_owned())
    );
    assert_laid_out(&d, &layout(&d));
}

#[test]
fn the_request_path_goes_from_users_to_the_database() {
    let d = Diagram::of(&ha());
    let request: Vec<(&str, &str)> = d
        .flows
        .iter()
        .filter(|f| f.kind == FlowKind::Request)
        .map(|f| (f.from.as_str(), f.to.as_str()))
        .collect();
    assert!(request.contains(&("entry:internet", "Alb")), "{request:?}");
    assert!(request.contains(&("Alb", "Asg@AZ1")), "{request:?}");
    assert!(request.contains(&("Alb", "Asg@AZ2")), "{request:?}");
    assert!(request.contains(&("Asg@AZ1", "Db@AZ1")), "{request:?}");
    assert!(request.contains(&("Asg@AZ2", "Db@AZ1")), "{request:?}");
    assert!(
        !d.flows.iter().any(|f| f.to == "Db@AZ2"),
        "the standby takes no traffic"
    );
    assert_eq!(d.flows[0].kind, FlowKind::Request, "request hops first");
    // The load balancer, drawn once, reaches the app in every AZ; the app
    // in each AZ reaches the one primary.
    assert_eq!(
        d.flows
            .iter()
            .filter(|f| f.from.starts_with("Asg@") && f.to.starts_with("Db@"))
            .count(),
        2
    );
    let db = d
        .flows
        .iter()
        .find(|f| f.from == "Asg@AZ1" && f.to == "Db@AZ1");
    assert_eq!(db.map(|f| f.label.as_str()), Some("tcp 5432"));
}

#[test]
fn a_flow_the_acls_drop_is_drawn_apart() {
    // The database ACL admits 5432 from one private subnet only.
    let d = Diagram::of(&with(|t| {
        t["Resources"]["DbAclIn100"]["Properties"]["CidrBlock"] = json!("10.0.2.0/24");
    }));
    let blocked = d
        .flows
        .iter()
        .find(|f| f.from == "Asg@AZ2" && f.to == "Db@AZ1")
        .expect("the flow is drawn");
    assert_eq!(blocked.kind, FlowKind::NaclBlocked, "{blocked:?}");
    assert!(blocked.detail.contains("DbAcl"), "{blocked:?}");
    let open = d
        .flows
        .iter()
        .find(|f| f.from == "Asg@AZ1" && f.to == "Db@AZ1")
        .expect("the flow is drawn");
    assert_eq!(open.kind, FlowKind::Request, "{open:?}");
}

#[test]
fn a_request_hop_no_group_admits_is_sg_only() {
    let d = Diagram::of(&with(|t| {
        t["Resources"]["AppSg"]["Properties"]["SecurityGroupIngress"][0]["FromPort"] = json!(9090);
        t["Resources"]["AppSg"]["Properties"]["SecurityGroupIngress"][0]["ToPort"] = json!(9090);
    }));
    let hop = d
        .flows
        .iter()
        .find(|f| f.from == "Alb" && f.to == "Asg@AZ1")
        .expect("the hop is drawn");
    assert_eq!(hop.kind, FlowKind::SgOnly, "{hop:?}");
}

#[test]
fn what_can_fail_is_marked() {
    // A single NAT: every private subnet loses egress with its AZ.
    let d = Diagram::of(&with(|t| {
        t["Resources"]["PrivateRoute2"]["Properties"]["NatGatewayId"] = json!({"Ref": "Nat1"});
    }));
    let nat = d.node("Nat1").expect("NAT");
    assert!(
        nat.marks
            .iter()
            .any(|m| m.text.contains("single point of failure")),
        "{nat:?}"
    );
    assert_eq!(nat.worst(), Some(super::Severity::Error));
    let losses: Vec<&str> = d
        .nodes
        .iter()
        .flat_map(|n| &n.marks)
        .map(|m| m.text.as_str())
        .filter(|t| t.starts_with("losing "))
        .collect();
    assert!(!losses.is_empty());
    assert!(
        losses
            .iter()
            .all(|t| t.starts_with("losing AZ 1:") || t.starts_with("losing AZ 2:")),
        "AZs are named by lane: {losses:?}"
    );
    let clean = Diagram::of(&ha());
    assert!(clean.node("Nat1").expect("NAT").marks.is_empty());
}

#[test]
fn the_same_template_gives_the_same_bytes() {
    for format in [Format::Svg, Format::Html, Format::Dot, Format::Mermaid] {
        let a = render(&ha(), format);
        let b = render(&ha(), format);
        assert_eq!(a, b, "{format:?}");
        assert!(a.contains("Asg"), "{format:?}");
    }
}

#[test]
fn the_svg_follows_the_contract() {
    let svg = render(&ha(), Format::Svg);
    assert!(
        svg.contains("<g class=\"lane\" data-lane=\"AZ1\"><rect "),
        "{svg}"
    );
    assert!(svg.contains("<g class=\"lane\" data-lane=\"regional\"><rect "));
    assert!(svg.contains("<g class=\"band\" data-lane=\"AZ2\" data-band=\"isolated\"><rect "));
    assert!(svg.contains(
        "<g class=\"resource\" data-id=\"Db@AZ1\" data-type=\"AWS::RDS::DBInstance\" data-lane=\"AZ1\" data-band=\"isolated\""
    ));
    assert!(
        svg.contains("data-type=\"hagen::Entry\" data-lane=\"regional\" data-band=\"regional\"")
    );
    assert!(svg.contains(
        "<g class=\"flow\" data-from=\"entry:internet\" data-to=\"Alb\" data-kind=\"request\">"
    ));
    let html = render(&ha(), Format::Html);
    assert!(html.contains("<pre id=\"hagen-layout-report\"></pre>"));
    assert!(html.contains(super::html::MEASURE_JS));
    assert!(!html.contains("src=\"http"), "nothing is fetched");
}

#[test]
fn a_template_without_a_network_has_no_lanes() {
    let t = template(json!({"Resources": {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Queue": {"Type": "AWS::SQS::Queue"}
    }}));
    let d = Diagram::of(&t);
    assert!(d.lanes.is_empty() && d.tiers.is_empty());
    assert_eq!(d.nodes.len(), 2);
    assert_laid_out(&d, &layout(&d));
}

/// A stack of `n` resources or more: the three-tier stack plus many ACL
/// entries, routes, alarms, rules, instances, queues and log groups.
fn big(n: usize) -> Template {
    let mut t = ha_stack();
    let r = t["Resources"].as_object_mut().expect("resources");
    let mut k = 0;
    while r.len() < n {
        k += 1;
        let (id, v) = match k % 7 {
            0 => (
                format!("ExtraAclEntry{k}"),
                json!({"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": {"Ref": "PrivateAcl"},
                "RuleNumber": 200 + k, "Protocol": 6, "RuleAction": "deny", "Egress": false,
                "CidrBlock": format!("192.168.{}.0/24", k % 250), "PortRange": {"From": 22, "To": 22}}}),
            ),
            1 => (
                format!("ExtraRoute{k}"),
                json!({"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Ref": "DbRt"},
                "DestinationCidrBlock": format!("172.16.{}.0/24", k % 250), "NatGatewayId": {"Ref": "Nat1"}}}),
            ),
            2 => (
                format!("ExtraAlarm{k}"),
                json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "CPUUtilization",
                "Namespace": "AWS/EC2", "Statistic": "Average", "Period": 300, "EvaluationPeriods": 1,
                "Threshold": 90, "ComparisonOperator": "GreaterThanThreshold"}}),
            ),
            3 => (
                format!("ExtraRule{k}"),
                json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Ref": "AppSg"},
                "IpProtocol": "tcp", "FromPort": 10000 + k, "ToPort": 10000 + k, "SourceSecurityGroupId": {"Ref": "AlbSg"}}}),
            ),
            4 => (
                format!("ExtraInstance{k}"),
                json!({"Type": "AWS::EC2::Instance", "Properties": {"ImageId": {"Ref": "Ami"}, "InstanceType": "t3.micro",
                "SubnetId": {"Ref": "PrivateSubnet1"}, "SecurityGroupIds": [{"Ref": "AppSg"}]}}),
            ),
            5 => (format!("ExtraQueue{k}"), json!({"Type": "AWS::SQS::Queue"})),
            _ => (
                format!("ExtraLogs{k}"),
                json!({"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}),
            ),
        };
        r.insert(id, v);
    }
    template(t)
}

#[test]
fn five_hundred_resources_collapse_into_a_readable_diagram() {
    let t = big(500);
    assert_eq!(t.resources.len(), 500);
    let d = Diagram::of(&t);
    assert!(d.nodes.len() <= 60, "{} boxes", d.nodes.len());
    let acl = d.node("PrivateAcl").expect("the ACL");
    assert!(acl.members.len() > 60, "entries fold into their ACL");
    let alarms = d
        .nodes
        .iter()
        .find(|n| n.resource_type == GROUP_TYPE && n.label.contains("CloudWatch::Alarm"))
        .expect("alarms are one group box");
    assert!(alarms.members.len() > 60);
    let instances = d
        .nodes
        .iter()
        .find(|n| n.resource_type == GROUP_TYPE && n.label.contains("EC2::Instance"))
        .expect("instances of one subnet are one group box");
    assert_eq!(
        instances.place,
        Place::Lane {
            lane: 0,
            tier: Tier::Private
        }
    );
    let rules = d
        .flows
        .iter()
        .find(|f| f.from == "Alb" && f.to == "Asg@AZ1")
        .expect("flow");
    assert!(
        rules.label.ends_with(" more"),
        "many rules are summarised: {rules:?}"
    );
    assert!(
        rules.detail.contains("tcp 10003"),
        "rules are all in the arrow's detail: {rules:?}"
    );
    assert_laid_out(&d, &layout(&d));
    assert_eq!(render(&t, Format::Svg), render(&t, Format::Svg));
}

/// The boxes (other than its own ends) a flow's path passes through.
fn crossed(d: &Diagram, l: &Layout, k: usize) -> Vec<String> {
    let f = &d.flows[k];
    let mut out = Vec::new();
    for w in l.flows[k].windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let steps = ((x1 - x0).abs() + (y1 - y0).abs()).max(1);
        for s in 0..=steps {
            let x = x0 + (x1 - x0) * s / steps;
            let y = y0 + (y1 - y0) * s / steps;
            for (n, r) in d.nodes.iter().zip(&l.boxes) {
                let inside = r.x < x && x < r.right() && r.y < y && y < r.bottom();
                if inside && n.id != f.from && n.id != f.to && !out.contains(&n.id) {
                    out.push(n.id.clone());
                }
            }
        }
    }
    out
}

#[test]
fn flows_go_around_the_boxes_of_a_three_tier_stack() {
    for t in [ha(), big(500)] {
        let d = Diagram::of(&t);
        let l = layout(&d);
        for (k, f) in d.flows.iter().enumerate() {
            let through = crossed(&d, &l, k);
            assert!(
                through.is_empty(),
                "{} -> {} crosses {through:?}",
                f.from,
                f.to
            );
        }
    }
}

#[test]
fn dot_and_mermaid_have_a_cluster_per_az_and_tier() {
    let d = Diagram::of(&ha());
    let dot = super::dot::render(&d);
    let mermaid = super::mermaid::render(&d);
    for lane in ["AZ1", "AZ2"] {
        for tier in ["public", "private", "isolated"] {
            assert!(
                dot.contains(&format!("subgraph cluster_{lane}_{tier} {{")),
                "{dot}"
            );
            assert!(
                mermaid.contains(&format!("subgraph {lane}_{tier}[")),
                "{mermaid}"
            );
        }
    }
    assert!(
        dot.contains("\"entry:internet\" -> \"Alb\" [label=\"tcp 80, tcp 443\", class=\"request\"")
    );
    let edges = dot
        .lines()
        .filter(|l| l.contains(" -> ") && !l.contains("style=invis"))
        .count();
    assert_eq!(edges, d.flows.len());
    assert_eq!(mermaid.matches("  linkStyle ").count(), d.flows.len());
    assert_eq!(
        mermaid.matches(" ==>|").count(),
        d.flows
            .iter()
            .filter(|f| f.kind == FlowKind::Request)
            .count()
    );
}

/// Regression: the legend's box swatches were drawn plain white, because
/// the stylesheet's rule for the legend's frame (`.legend > rect`) beat
/// their presentation attributes. Each swatch now carries its look in a
/// style attribute, which no selector overrides.
#[test]
fn legend_swatches_show_the_marks_they_explain() {
    let svg = render(&ha(), Format::Svg);
    let swatches: Vec<&str> = svg
        .split("<rect class=\"swatch\"")
        .skip(1)
        .map(|s| s.split("/>").next().unwrap_or_default())
        .collect();
    assert_eq!(swatches.len(), 4, "{svg}");
    for (swatch, stroke) in swatches
        .iter()
        .zip(["#c62828", "#ef6c00", "#546e7a", "#f9a825"])
    {
        assert!(
            swatch.contains("style=\"fill:") && swatch.contains(&format!("stroke:{stroke};")),
            "swatch without its stroke in a style attribute: {swatch}"
        );
    }
}
