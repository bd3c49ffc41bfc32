use super::*;
use crate::validate::testing;
use serde_json::{Value as Json, json};

/// Findings of the security rules on the HA fixture after `change`.
fn run(change: impl FnOnce(&mut Json)) -> Vec<(String, String)> {
    let mut v = testing::ha_stack();
    change(&mut v);
    let t = testing::template(v);
    check(&t, &Model::of(&t))
        .into_iter()
        .map(|d| (d.rule, d.path.join("/")))
        .collect()
}

fn res<'a>(v: &'a mut Json, id: &str) -> &'a mut Json {
    &mut v["Resources"][id]
}

#[test]
fn the_fixture_is_clean() {
    assert_eq!(run(|_| {}), vec![]);
}

#[test]
fn ssh_open_to_the_world_is_found_inline_and_standalone() {
    let found = run(|v| {
        res(v, "AppSg")["Properties"]["SecurityGroupIngress"]
            .as_array_mut()
            .unwrap()
            .push(
                json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}),
            );
        v["Resources"]["DbOpen"] = json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["DbSg", "GroupId"]}, "IpProtocol": "-1", "CidrIpv6": "::/0"}});
    });
    assert_eq!(
        found,
        vec![
            (
                "HG401".into(),
                "Resources/AppSg/Properties/SecurityGroupIngress/1".into()
            ),
            ("HG401".into(), "Resources/DbOpen/Properties".into()),
            ("HG402".into(), "Resources/DbOpen/Properties".into()),
        ]
    );
}

#[test]
fn a_parameter_defaulting_to_the_world_counts_as_open() {
    let found = run(|v| {
        v["Parameters"]["SshFrom"] = json!({"Type": "String", "Default": "0.0.0.0/0"});
        res(v, "AppSg")["Properties"]["SecurityGroupIngress"]
            .as_array_mut()
            .unwrap()
            .push(json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": {"Ref": "SshFrom"}}));
    });
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "HG401");
}

#[test]
fn database_exposure_encryption_and_passwords() {
    let found = run(|v| {
        let p = &mut res(v, "Db")["Properties"];
        p["PubliclyAccessible"] = json!("true");
        p["StorageEncrypted"] = json!(false);
        p.as_object_mut()
            .unwrap()
            .remove("ManageMasterUserPassword");
        p["MasterUserPassword"] = json!("hunter22");
    });
    assert_eq!(
        found,
        vec![
            (
                "HG403".into(),
                "Resources/Db/Properties/PubliclyAccessible".into()
            ),
            (
                "HG404".into(),
                "Resources/Db/Properties/StorageEncrypted".into()
            ),
            (
                "HG405".into(),
                "Resources/Db/Properties/MasterUserPassword".into()
            ),
        ]
    );
}

#[test]
fn a_parameter_password_is_flagged_but_a_dynamic_reference_is_not() {
    let found = run(|v| {
        v["Parameters"]["DbPassword"] = json!({"Type": "String", "NoEcho": true});
        res(v, "Db")["Properties"]["MasterUserPassword"] = json!({"Ref": "DbPassword"});
    });
    assert_eq!(
        found,
        vec![(
            "HG406".into(),
            "Resources/Db/Properties/MasterUserPassword".into()
        )]
    );
    let found = run(|v| {
        res(v, "Db")["Properties"]["MasterUserPassword"] =
            json!("{{resolve:secretsmanager:db-secret:SecretString:password}}");
    });
    assert!(found.is_empty());
}

#[test]
fn imdsv1_and_unencrypted_volumes_in_launch_templates() {
    let found = run(|v| {
        let data = &mut res(v, "Lt")["Properties"]["LaunchTemplateData"];
        data["MetadataOptions"]["HttpTokens"] = json!("optional");
        data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] = json!(false);
    });
    assert_eq!(
        found,
        vec![
            (
                "HG407".into(),
                "Resources/Lt/Properties/LaunchTemplateData/MetadataOptions/HttpTokens".into()
            ),
            (
                "HG408".into(),
                "Resources/Lt/Properties/LaunchTemplateData/BlockDeviceMappings/0/Ebs/Encrypted"
                    .into()
            ),
        ]
    );
}

#[test]
fn an_if_with_one_unsafe_branch_is_reported() {
    let found = run(|v| {
        v["Conditions"] = json!({"Prod": {"Fn::Equals": ["a", "b"]}});
        res(v, "Lt")["Properties"]["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] =
            json!({"Fn::If": ["Prod", "required", "optional"]});
    });
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "HG407");
}

#[test]
fn listeners_must_redirect_http_and_pick_a_tls_policy() {
    let found = run(|v| {
        res(v, "Http")["Properties"]["DefaultActions"] =
            json!([{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]);
        res(v, "Https")["Properties"]
            .as_object_mut()
            .unwrap()
            .remove("SslPolicy");
    });
    assert_eq!(
        found,
        vec![
            (
                "HG409".into(),
                "Resources/Http/Properties/DefaultActions".into()
            ),
            (
                "HG410".into(),
                "Resources/Https/Properties/SslPolicy".into()
            ),
        ]
    );
    let found = run(|v| {
        res(v, "Https")["Properties"]["SslPolicy"] = json!("ELBSecurityPolicy-2016-08");
    });
    assert_eq!(found.len(), 1);
}

#[test]
fn wildcard_iam_actions_are_found() {
    let found = run(|v| {
        v["Resources"]["Role"] = json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "*"},
                {"Effect": "Deny", "Action": "*", "Resource": "*"}]}}]}});
        v["Resources"]["Policy"] = json!({"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}});
    });
    assert_eq!(
        found,
        vec![
            (
                "HG411".into(),
                "Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0/Action".into()
            ),
            (
                "HG411".into(),
                "Resources/Policy/Properties/PolicyDocument/Statement/0/Action".into()
            ),
        ]
    );
}
