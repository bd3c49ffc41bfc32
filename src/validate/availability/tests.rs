use super::*;
use crate::validate::testing;
use serde_json::{Value as Json, json};

fn run(change: impl FnOnce(&mut Json)) -> Vec<(String, String)> {
    let mut v = testing::ha_stack();
    change(&mut v);
    let t = testing::template(v);
    check(&t, &Model::of(&t))
        .into_iter()
        .map(|d| (d.rule, d.path.join("/")))
        .collect()
}

#[test]
fn the_fixture_is_clean() {
    assert_eq!(run(|_| {}), vec![]);
}

#[test]
fn single_az_groups_and_load_balancers_are_found() {
    let found = run(|v| {
        v["Resources"]["Asg"]["Properties"]["VPCZoneIdentifier"] =
            json!([{"Ref": "PrivateSubnet1"}]);
        v["Resources"]["Alb"]["Properties"]["Subnets"] = json!([{"Ref": "PublicSubnet2"}]);
    });
    assert_eq!(
        found,
        vec![
            (
                "HG501".into(),
                "Resources/Asg/Properties/VPCZoneIdentifier".into()
            ),
            ("HG502".into(), "Resources/Alb/Properties/Subnets".into()),
        ]
    );
}

#[test]
fn unknown_azs_keep_the_rules_silent() {
    let found = run(|v| {
        v["Parameters"]["Subnets"] = json!({"Type": "List<AWS::EC2::Subnet::Id>"});
        v["Resources"]["Asg"]["Properties"]["VPCZoneIdentifier"] = json!({"Ref": "Subnets"});
    });
    assert_eq!(found, vec![]);
}

#[test]
fn min_size_below_the_az_count_is_found() {
    let found = run(|v| {
        v["Resources"]["Asg"]["Properties"]["MinSize"] = json!(1);
        v["Resources"]["Asg"]["UpdatePolicy"]["AutoScalingRollingUpdate"]["MinInstancesInService"] =
            json!(0);
    });
    assert_eq!(
        found,
        vec![
            ("HG503".into(), "Resources/Asg/Properties/MinSize".into()),
            ("HG508".into(), "Resources/Asg/UpdatePolicy".into()),
        ]
    );
}

#[test]
fn a_single_nat_is_a_single_point_of_failure_and_routes_cross_azs() {
    let found = run(|v| {
        v["Resources"]["PrivateRoute2"]["Properties"]["NatGatewayId"] = json!({"Ref": "Nat1"});
        let r = v["Resources"].as_object_mut().unwrap();
        r.remove("Nat2");
        r.remove("NatEip2");
    });
    assert_eq!(
        found,
        vec![
            (
                "HG504".into(),
                "Resources/PrivateRoute2/Properties/NatGatewayId".into()
            ),
            ("HG505".into(), "Resources/Nat1".into()),
        ]
    );
}

#[test]
fn databases_need_multi_az_and_retention_policies() {
    let found = run(|v| {
        let db = &mut v["Resources"]["Db"];
        db["Properties"]["MultiAZ"] = json!(false);
        db.as_object_mut().unwrap().remove("UpdateReplacePolicy");
    });
    assert_eq!(
        found,
        vec![
            ("HG506".into(), "Resources/Db/Properties/MultiAZ".into()),
            ("HG507".into(), "Resources/Db/UpdateReplacePolicy".into()),
        ]
    );
}

#[test]
fn a_group_without_update_policy_is_found() {
    let found = run(|v| {
        v["Resources"]["Asg"]
            .as_object_mut()
            .unwrap()
            .remove("UpdatePolicy");
    });
    assert_eq!(
        found,
        vec![("HG508".into(), "Resources/Asg/UpdatePolicy".into())]
    );
    let found = run(|v| {
        v["Resources"]["Asg"]["UpdatePolicy"] =
            json!({"AutoScalingReplacingUpdate": {"WillReplace": true}});
    });
    assert_eq!(found, vec![]);
}

#[test]
fn an_aurora_cluster_with_one_instance_cannot_fail_over() {
    let found = run(|v| {
        let r = v["Resources"].as_object_mut().unwrap();
        r.remove("Db");
        r.insert("Cluster".into(), json!({"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot",
            "Properties": {"Engine": "aurora-postgresql", "StorageEncrypted": true, "DBSubnetGroupName": {"Ref": "DbSubnets"}}}));
        r.insert(
            "Writer".into(),
            json!({"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "aurora-postgresql",
            "DBInstanceClass": "db.r6g.large", "DBClusterIdentifier": {"Ref": "Cluster"}}}),
        );
    });
    assert_eq!(found, vec![("HG506".into(), "Resources/Cluster".into())]);
}

#[test]
fn a_route_to_a_nat_that_does_not_exist_is_left_to_the_reference_check() {
    // Regression: found by the mutation property test; a route naming a NAT
    // gateway whose resource was cut from the template made this panic.
    let found = run(|v| {
        let r = v["Resources"].as_object_mut().unwrap();
        r.remove("Nat2");
        r.remove("NatEip2");
    });
    assert_eq!(found, vec![]);
}
