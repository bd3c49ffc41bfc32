use super::*;
use crate::validate::az_report::Reach;
use crate::validate::testing;
use serde_json::{Value, json};

/// The analysis of the two-AZ fixture after `change`.
fn analyse_with(change: impl FnOnce(&mut Value)) -> Analysis {
    let mut v = testing::ha_stack();
    change(&mut v);
    let t = testing::template(v);
    analyse(&t, &Model::of(&t))
}

fn rules_and_places(a: &Analysis) -> Vec<(String, String)> {
    a.findings
        .iter()
        .map(|d| (d.rule.clone(), d.path.join("/")))
        .collect()
}

fn path<'a>(a: &'a Analysis, hops: &str) -> &'a ServicePath {
    a.paths
        .iter()
        .find(|p| p.hops == hops)
        .unwrap_or_else(|| panic!("no path {hops:?} in {:#?}", a.paths))
}

const HTTPS: &str = "users -> Https 443 -> Asg 8080 (Tg) -> Db 5432";

#[test]
fn the_fixture_serves_every_path_open_in_both_azs() {
    let a = analyse_with(|_| {});
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    let hops: Vec<&str> = a.paths.iter().map(|p| p.hops.as_str()).collect();
    assert_eq!(
        hops,
        vec!["users -> Http 80 (redirect or fixed response)", HTTPS]
    );
    let https = path(&a, HTTPS);
    assert_eq!(https.status, Reach::Open);
    let azs: Vec<(&str, Reach)> = https
        .azs
        .iter()
        .map(|z| (z.az.as_str(), z.status))
        .collect();
    assert_eq!(
        azs,
        vec![("AZ index 0", Reach::Open), ("AZ index 1", Reach::Open)]
    );
}

#[test]
fn regression_a_listener_port_the_load_balancer_group_does_not_admit_is_reported() {
    let a = analyse_with(|v| {
        v["Resources"]["AlbSg"]["Properties"]["SecurityGroupIngress"] =
            json!([{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}]);
    });
    assert_eq!(
        rules_and_places(&a),
        vec![("HG604".into(), "Resources/Https/Properties/Port".into())]
    );
    assert_eq!(
        a.findings[0].hint.as_deref(),
        Some("add an ingress rule to AlbSg: tcp 443 from 0.0.0.0/0 (or the clients' range)")
    );
    let https = path(&a, HTTPS);
    assert_eq!(https.status, Reach::Closed);
    assert_eq!(
        https.detail,
        "the security groups of Alb do not admit the internet on 443"
    );
    assert!(https.azs.iter().all(|z| z.status == Reach::Closed));
}

#[test]
fn regression_a_target_port_the_targets_group_does_not_admit_is_reported() {
    let a = analyse_with(|v| {
        v["Resources"]["Tg"]["Properties"]["Port"] = json!(9000);
    });
    assert_eq!(
        rules_and_places(&a),
        vec![("HG605".into(), "Resources/Tg/Properties/Port".into())]
    );
    assert_eq!(
        a.findings[0].hint.as_deref(),
        Some("add an ingress rule to AppSg: tcp 9000 from security group AlbSg")
    );
    assert_eq!(
        path(&a, "users -> Https 443 -> Asg 9000 (Tg) -> Db 5432").status,
        Reach::Closed
    );
}

#[test]
fn regression_a_health_check_port_the_targets_group_does_not_admit_is_reported() {
    let a = analyse_with(|v| {
        v["Resources"]["Tg"]["Properties"]["HealthCheckPort"] = json!("8081");
    });
    assert_eq!(
        rules_and_places(&a),
        vec![(
            "HG605".into(),
            "Resources/Tg/Properties/HealthCheckPort".into()
        )]
    );
    assert!(a.findings[0].message.contains("health check"));
}

#[test]
fn load_balancer_egress_that_leaves_out_the_targets_closes_the_target_port() {
    let a = analyse_with(|v| {
        v["Resources"]["AlbSg"]["Properties"]["SecurityGroupEgress"] =
            json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]);
    });
    assert_eq!(
        rules_and_places(&a),
        vec![("HG605".into(), "Resources/Tg/Properties/Port".into())]
    );
    assert_eq!(
        a.findings[0].hint.as_deref(),
        Some("add an egress rule to AlbSg: tcp 8080 to security group AppSg")
    );
    // Egress to the targets' subnets (or their group) is enough.
    let a = analyse_with(|v| {
        v["Resources"]["AlbSg"]["Properties"]["SecurityGroupEgress"] = json!([
            {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "10.0.2.0/23"}
        ]);
    });
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
}

#[test]
fn regression_a_database_port_the_database_group_does_not_admit_is_reported() {
    // The fixture's app never refers to the database; the rule admitting
    // the app's group (on the wrong port) says that it uses it.
    let a = analyse_with(|v| {
        let rule = &mut v["Resources"]["DbSg"]["Properties"]["SecurityGroupIngress"][0];
        rule["FromPort"] = json!(3306);
        rule["ToPort"] = json!(3306);
    });
    assert_eq!(
        rules_and_places(&a),
        vec![(
            "HG606".into(),
            "Resources/Db/Properties/VPCSecurityGroups".into()
        )]
    );
    assert_eq!(
        a.findings[0].message,
        "Asg uses Db (DbSg admits AppSg on 3306), but no rule of its security groups (DbSg) admits those of Asg (AppSg) on tcp 5432 (they admit it on 3306, not 5432)"
    );
}

#[test]
fn database_use_is_read_from_what_the_instances_refer_to() {
    // No rule admits the app at all: the instance role's policy naming the
    // database's secret is the evidence.
    let a = analyse_with(|v| {
        let r = &mut v["Resources"];
        r["DbSg"]["Properties"]
            .as_object_mut()
            .expect("a map")
            .remove("SecurityGroupIngress");
        r["Lt"]["Properties"]["LaunchTemplateData"]["IamInstanceProfile"] =
            json!({"Arn": {"Fn::GetAtt": ["Profile", "Arn"]}});
        r["Profile"] = json!({"Type": "AWS::IAM::InstanceProfile",
            "Properties": {"Roles": [{"Ref": "Role"}]}});
        r["Role"] = json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {},
            "Policies": [{"PolicyName": "db", "PolicyDocument": {"Statement": [{
                "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                "Resource": {"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]}}]}}]}});
    });
    assert_eq!(
        rules_and_places(&a),
        vec![(
            "HG606".into(),
            "Resources/Db/Properties/VPCSecurityGroups".into()
        )]
    );
    assert!(
        a.findings[0].message.contains("(Role refers to Db)"),
        "{}",
        a.findings[0].message
    );
}

#[test]
fn a_database_the_instances_neither_refer_to_nor_are_admitted_by_is_off_their_path() {
    let a = analyse_with(|v| {
        v["Resources"]["DbSg"]["Properties"]["SecurityGroupIngress"][0]["SourceSecurityGroupId"] =
            json!({"Ref": "AlbSg"});
    });
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    path(&a, "users -> Https 443 -> Asg 8080 (Tg)");
}

#[test]
fn groups_outside_the_template_make_a_hop_unknown_never_closed() {
    let a = analyse_with(|v| {
        v["Parameters"]["LbGroup"] = json!({"Type": "AWS::EC2::SecurityGroup::Id"});
        v["Resources"]["Alb"]["Properties"]["SecurityGroups"] = json!([{"Ref": "LbGroup"}]);
    });
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    let https = path(&a, HTTPS);
    assert_eq!(https.status, Reach::Unknown);
    assert_eq!(
        https.detail,
        "the security groups of Alb are not all in the template"
    );
}

#[test]
fn a_range_the_author_chose_is_an_open_listener_for_those_users() {
    let a = analyse_with(|v| {
        v["Parameters"]["Office"] = json!({"Type": "String"});
        v["Resources"]["AlbSg"]["Properties"]["SecurityGroupIngress"] = json!([
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": {"Ref": "Office"}},
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": {"Ref": "Office"}}
        ]);
    });
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    let https = path(&a, HTTPS);
    assert_eq!(
        (https.status, https.detail.as_str()),
        (Reach::Open, "only from !Ref Office")
    );
}

#[test]
fn internal_load_balancers_serve_the_vpc() {
    let a = analyse_with(|v| {
        v["Resources"]["Alb"]["Properties"]["Scheme"] = json!("internal");
        v["Resources"]["AlbSg"]["Properties"]["SecurityGroupIngress"] = json!([
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "SourceSecurityGroupId": {"Ref": "AppSg"}}
        ]);
    });
    // 443 admits a group of the VPC; 80 admits nobody.
    assert_eq!(
        rules_and_places(&a),
        vec![("HG604".into(), "Resources/Http/Properties/Port".into())]
    );
    assert!(
        a.findings[0].message.contains("admits the VPC on 80"),
        "{}",
        a.findings[0].message
    );
    assert_eq!(path(&a, HTTPS).status, Reach::Open);
}

#[test]
fn a_network_acl_closing_one_az_leaves_the_path_partly_open() {
    let a = analyse_with(|v| {
        let r = &mut v["Resources"];
        r["StrictAcl"] =
            json!({"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": {"Ref": "Vpc"}}});
        r["StrictAclOut"] = json!({"Type": "AWS::EC2::NetworkAclEntry", "Properties": {
            "NetworkAclId": {"Ref": "StrictAcl"}, "RuleNumber": 100, "Egress": true,
            "Protocol": -1, "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}});
        r["PrivateSubnet2Acl"]["Properties"]["NetworkAclId"] = json!({"Ref": "StrictAcl"});
    });
    let https = path(&a, HTTPS);
    assert_eq!(https.status, Reach::PartlyOpen);
    assert_eq!(https.azs[0].status, Reach::Open);
    assert_eq!(https.azs[1].status, Reach::Closed);
    assert_eq!(
        https.azs[1].detail,
        "StrictAcl drops inbound TCP 8080 from 10.0.0.0/24: no entry allows it, so the final deny-all applies"
    );
    // The security groups are fine: the ACL is HG603's to report.
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
}

#[test]
fn targets_hagen_does_not_follow_are_unknown() {
    let a = analyse_with(|v| {
        v["Resources"]["Tg"]["Properties"]["TargetType"] = json!("ip");
    });
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    assert_eq!(
        path(&a, "users -> Https 443 -> Tg (ip targets)").status,
        Reach::Unknown
    );
}

#[test]
fn instances_registered_in_targets_are_followed_with_their_port() {
    let a = analyse_with(|v| {
        let r = &mut v["Resources"];
        r["Asg"]["Properties"]
            .as_object_mut()
            .expect("a map")
            .remove("TargetGroupARNs");
        r["Web"] = json!({"Type": "AWS::EC2::Instance", "Properties": {
            "ImageId": {"Ref": "Ami"}, "SubnetId": {"Ref": "PrivateSubnet1"},
            "SecurityGroupIds": [{"Ref": "AppSg"}]}});
        r["Tg"]["Properties"]["Targets"] = json!([{"Id": {"Ref": "Web"}, "Port": 8443}]);
    });
    assert_eq!(
        rules_and_places(&a),
        vec![("HG605".into(), "Resources/Tg/Properties/Targets".into())]
    );
}

#[test]
fn regression_a_listener_open_to_the_world_is_not_shown_as_restricted_by_a_narrower_rule() {
    // The first matching rule used to decide the words: an office range
    // listed before 0.0.0.0/0 made a public listener look restricted.
    let a = analyse_with(|v| {
        v["Resources"]["AlbSg"]["Properties"]["SecurityGroupIngress"] = json!([
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "203.0.113.0/24"},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}
        ]);
    });
    let https = path(&a, HTTPS);
    assert_eq!((https.status, https.detail.as_str()), (Reach::Open, ""));
}

#[test]
fn regression_network_acls_are_judged_against_the_range_the_listener_admits() {
    // A listener for one office range, behind an ACL that admits that
    // range only, used to be judged against the whole internet and shown
    // closed in every AZ.
    let a = analyse_with(|v| {
        let r = &mut v["Resources"];
        r["AlbSg"]["Properties"]["SecurityGroupIngress"] = json!([
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "203.0.113.0/24"},
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "203.0.113.0/24"}
        ]);
        r["PublicAclIn100"]["Properties"]["CidrBlock"] = json!("203.0.113.0/24");
        r["PublicAclIn110"]["Properties"]["CidrBlock"] = json!("203.0.113.0/24");
    });
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    let https = path(&a, HTTPS);
    assert_eq!(
        (https.status, https.detail.as_str()),
        (Reach::Open, "only from 203.0.113.0/24")
    );
    assert!(
        https.azs.iter().all(|z| z.status == Reach::Open),
        "{:#?}",
        https.azs
    );
}

#[test]
fn a_network_load_balancer_without_groups_is_unknown_and_says_why() {
    let a = analyse_with(|v| {
        let alb = &mut v["Resources"]["Alb"]["Properties"];
        alb["Type"] = json!("network");
        alb.as_object_mut().expect("a map").remove("SecurityGroups");
    });
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    let https = path(&a, HTTPS);
    assert_eq!(
        (https.status, https.detail.as_str()),
        (
            Reach::Unknown,
            "Alb has no security groups: its targets see the clients' own addresses"
        )
    );
}

#[test]
fn instances_that_depend_on_the_database_use_it() {
    let a = analyse_with(|v| {
        let r = &mut v["Resources"];
        r["DbSg"]["Properties"]
            .as_object_mut()
            .expect("a map")
            .remove("SecurityGroupIngress");
        r["Asg"]["DependsOn"] = json!("Db");
    });
    assert_eq!(
        rules_and_places(&a),
        vec![(
            "HG606".into(),
            "Resources/Db/Properties/VPCSecurityGroups".into()
        )]
    );
    assert!(
        a.findings[0].message.contains("(Asg refers to Db)"),
        "{}",
        a.findings[0].message
    );
}
