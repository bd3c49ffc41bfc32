use super::*;
use crate::validate::testing;
use serde_json::{Value as Json, json};

fn run(change: impl FnOnce(&mut Json)) -> Vec<(String, String, String)> {
    let mut v = testing::ha_stack();
    change(&mut v);
    let t = testing::template(v);
    check(&Model::of(&t))
        .into_iter()
        .map(|d| (d.rule, d.path.join("/"), d.message))
        .collect()
}

fn remove(v: &mut Json, id: &str) {
    v["Resources"].as_object_mut().unwrap().remove(id);
}

#[test]
fn the_fixture_is_clean() {
    assert_eq!(run(|_| {}), vec![]);
}

#[test]
fn subnets_outside_the_vpc_or_overlapping_are_found() {
    let found = run(|v| {
        v["Resources"]["PublicSubnet2"]["Properties"]["CidrBlock"] = json!("10.1.0.0/24");
        v["Resources"]["DbSubnet2"]["Properties"]["CidrBlock"] = json!("10.0.4.128/25");
    });
    let rules: Vec<(&str, &str)> = found.iter().map(|f| (f.0.as_str(), f.1.as_str())).collect();
    assert_eq!(
        rules,
        vec![
            ("HG601", "Resources/PublicSubnet2/Properties/CidrBlock"),
            ("HG602", "Resources/DbSubnet2/Properties/CidrBlock"),
        ]
    );
}

/// Regression (hostile input, quadratic findings): every overlapping pair
/// was a finding, so 3,000 subnets with one block (260 KB of YAML) made
/// 4.5 million of them and exhausted memory. Each subnet is reported once.
#[test]
fn each_overlapping_subnet_is_reported_once() {
    let found = run(|v| {
        for i in 0..300 {
            v["Resources"][format!("Copy{i}")] = json!({"Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.200.0/24"}});
        }
    });
    let overlaps: Vec<&(String, String, String)> =
        found.iter().filter(|f| f.0 == "HG602").collect();
    assert_eq!(overlaps.len(), 299, "{:#?}", &overlaps[..3]);
    assert_eq!(
        overlaps[0].2,
        "Copy1's CIDR 10.0.200.0/24 overlaps Copy0's 10.0.200.0/24"
    );
    assert_eq!(
        overlaps[298].2,
        "Copy299's CIDR 10.0.200.0/24 overlaps Copy0's 10.0.200.0/24"
    );
}

/// Regression (hostile input, multiplying flows): 50 security groups that
/// each allow the other 49, on instances in 50 subnets, were six million
/// flows and 3 GB from a 245 KB template. The analysis stops at MAX_FLOWS
/// and says so.
#[test]
fn a_mesh_of_security_groups_stops_at_the_flow_budget() {
    let n = 30;
    let mut resources = serde_json::Map::new();
    resources.insert(
        "V".into(),
        json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}),
    );
    resources.insert(
        "Acl".into(),
        json!({"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": {"Ref": "V"}}}),
    );
    for i in 0..n {
        resources.insert(
            format!("S{i}"),
            json!({"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "V"}, "CidrBlock": format!("10.0.{i}.0/24")}}),
        );
        resources.insert(
            format!("A{i}"),
            json!({"Type": "AWS::EC2::SubnetNetworkAclAssociation",
            "Properties": {"SubnetId": {"Ref": format!("S{i}")}, "NetworkAclId": {"Ref": "Acl"}}}),
        );
        let rules: Vec<Json> = (0..n)
            .map(|h| {
                json!({"IpProtocol": "tcp", "FromPort": 80 + h, "ToPort": 80 + h,
                "SourceSecurityGroupId": {"Ref": format!("G{h}")}})
            })
            .collect();
        resources.insert(
            format!("G{i}"),
            json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "d", "VpcId": {"Ref": "V"}, "SecurityGroupIngress": rules}}),
        );
    }
    let groups: Vec<Json> = (0..n).map(|g| json!({"Ref": format!("G{g}")})).collect();
    for i in 0..n {
        resources.insert(
            format!("I{i}"),
            json!({"Type": "AWS::EC2::Instance", "Properties": {
            "ImageId": "ami-1", "SubnetId": {"Ref": format!("S{i}")}, "SecurityGroupIds": groups}}),
        );
    }
    let t = testing::template(json!({"Resources": resources}));
    let model = Model::of(&t);
    let (flows, cut_short) = flows(&model);
    assert!(cut_short);
    assert_eq!(flows.len(), MAX_FLOWS);
    let found = check(&model);
    let cut: Vec<&Diagnostic> = found.iter().filter(|d| d.rule == "HG006").collect();
    assert_eq!(cut.len(), 1);
    assert_eq!(
        cut[0].message,
        "the security groups allow more than 20000 flows between subnets; network ACLs were checked against the first 20000 only"
    );
    // The ACL (no entries: everything dropped) is reported per port, each
    // listing its peers once.
    assert!(found.len() <= 2 * n + 1, "{}", found.len());
}

#[test]
fn a_missing_return_path_for_the_database_is_found() {
    let found = run(|v| remove(v, "DbAclOut100"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].1, "Resources/DbAcl");
    assert!(found[0].2.contains("DbAcl drops outbound TCP 1024-65535 to 10.0.2.0/24 (PrivateSubnet1), 10.0.3.0/24 (PrivateSubnet2)"), "{}", found[0].2);
    assert!(
        found[0]
            .2
            .contains("the replies to TCP 5432 that DbSg allows from AppSg"),
        "{}",
        found[0].2
    );
}

#[test]
fn a_deny_before_the_allow_drops_the_flow() {
    let found = run(|v| {
        v["Resources"]["PrivateAclIn90"] = json!({"Type": "AWS::EC2::NetworkAclEntry", "Properties": {
            "NetworkAclId": {"Ref": "PrivateAcl"}, "RuleNumber": 90, "Egress": false, "Protocol": 6,
            "RuleAction": "deny", "CidrBlock": "10.0.0.0/23", "PortRange": {"From": 8000, "To": 9000}}});
    });
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].2.contains("PrivateAcl drops inbound TCP 8080"),
        "{}",
        found[0].2
    );
    assert!(
        found[0].2.contains("entry 90 (PrivateAclIn90) denies it"),
        "{}",
        found[0].2
    );
}

#[test]
fn nat_egress_needs_both_acls() {
    let found = run(|v| remove(v, "PublicAclIn120"));
    // The public ACL no longer lets ephemeral replies in: the ALB's replies
    // from the app and the NAT's replies from the internet are dropped.
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]
            .2
            .starts_with("PublicAcl drops inbound TCP 1024-65535 from"),
        "{}",
        found[0].2
    );
}

#[test]
fn subnets_without_an_acl_use_the_default_one_and_pass() {
    let found = run(|v| {
        for s in ["DbSubnet1Acl", "DbSubnet2Acl"] {
            remove(v, s);
        }
        remove(v, "DbAclOut100");
    });
    assert_eq!(found, vec![]);
}

/// The pairwise definition the lookups replace: for each subnet, the
/// first earlier subnet of the same VPC whose block holds or is held by
/// its own.
fn overlaps_pairwise(model: &Model) -> Vec<String> {
    let subnets: Vec<_> = model.subnets.iter().collect();
    let mut out = Vec::new();
    for (i, (id, s)) in subnets.iter().enumerate() {
        let (Some(cidr), Some(vpc)) = (s.cidr, s.vpc.as_ref()) else {
            continue;
        };
        let first = subnets[..i].iter().find(|(_, o)| {
            o.vpc.as_ref() == Some(vpc)
                && o.cidr
                    .is_some_and(|c| c.contains(&cidr) || cidr.contains(&c))
        });
        if let Some((other_id, other)) = first {
            let other_cidr = other.cidr.map(|c| c.to_string()).unwrap_or_default();
            out.push(format!(
                "{id}'s CIDR {cidr} overlaps {other_id}'s {other_cidr}"
            ));
        }
    }
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(11),
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Regression (hostile input, quadratic overlap check): every subnet
    /// was compared with every earlier one (10,000 subnets: 20 s). The
    /// lookups find the same first overlap as the pairwise scan.
    #[test]
    fn the_first_overlapping_subnet_is_found_without_comparing_pairs(
        subnets in proptest::collection::vec(
            (0..3usize, 0..4u8, 0..4u8, 0..8u8, 8..29u8),
            1..25,
        )
    ) {
        let mut resources = serde_json::Map::new();
        resources.insert("V".into(), json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/8"}}));
        resources.insert("W".into(), json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/8"}}));
        for (i, (vpc, a, b, c, prefix)) in subnets.into_iter().enumerate() {
            let vpc = ["V", "W", "Elsewhere"][vpc];
            resources.insert(format!("S{i}"), json!({"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": vpc},
                "CidrBlock": format!("10.{}.{}.{}/{prefix}", a * 64, b * 64, c * 32)}}));
        }
        let t = testing::template(json!({"Resources": resources}));
        let model = Model::of(&t);
        let found: Vec<String> = cidrs(&model)
            .into_iter()
            .filter(|d| d.rule == "HG602")
            .map(|d| d.message)
            .collect();
        proptest::prop_assert_eq!(found, overlaps_pairwise(&model));
    }
}
