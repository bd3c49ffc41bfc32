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
