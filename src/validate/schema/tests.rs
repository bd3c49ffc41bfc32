use super::*;
use crate::validate::testing;
use serde_json::json;

#[test]
fn every_vendored_type_compiles() {
    let mut failures = Vec::new();
    for name in type_names() {
        if let Err(e) = compiled(name, &None) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} types fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The findings for one resource `R` of a template given as JSON.
fn check(v: serde_json::Value) -> Vec<Diagnostic> {
    let t = testing::template(v);
    let r = &t.resources["R"];
    check_resource(&t, "R", r)
}

fn ids(ds: &[Diagnostic]) -> Vec<(&str, String)> {
    ds.iter()
        .map(|d| (d.rule.as_str(), d.path[3..].join(".")))
        .collect()
}

#[test]
fn intrinsics_stand_wherever_a_value_may() {
    let ds = check(json!({
        "Parameters": {"Cidr": {"Type": "String"}, "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}},
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}},
            "R": {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "CidrBlock": {"Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 4, 8]}]},
                "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
                "MapPublicIpOnLaunch": {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Public"]},
                "Tags": [{"Key": "Name", "Value": {"Fn::Sub": "${AWS::StackName}-a"}}]
            }}
        }
    }));
    assert!(ds.is_empty(), "{ds:#?}");
}

#[test]
fn numbers_and_strings_are_interchangeable_as_in_cloudformation() {
    let ds = check(
        json!({"Resources": {"R": {"Type": "AWS::RDS::DBInstance", "Properties": {
            "Engine": "postgres", "DBInstanceClass": "db.t3.micro",
            "AllocatedStorage": 20, "Port": 5432, "MultiAZ": "true",
            "BackupRetentionPeriod": "7"
        }}}}),
    );
    assert!(ds.is_empty(), "{ds:#?}");
}

#[test]
fn unknown_properties_are_named_with_a_suggestion() {
    let ds = check(
        json!({"Resources": {"R": {"Type": "AWS::EC2::VPC", "Properties": {
            "CidrBlok": "10.0.0.0/16"
        }}}}),
    );
    let ds: Vec<_> = ds.into_iter().filter(|d| d.rule == "HG102").collect();
    assert_eq!(ids(&ds), vec![("HG102", "CidrBlok".to_string())]);
    assert_eq!(ds[0].hint.as_deref(), Some("did you mean CidrBlock?"));
}

#[test]
fn a_list_intrinsic_where_a_string_goes_is_a_type_error() {
    let ds = check(json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "R": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24",
            "AvailabilityZone": {"Fn::GetAZs": ""}
        }}
    }}));
    assert_eq!(ids(&ds), vec![("HG104", "AvailabilityZone".to_string())]);
    assert!(
        ds[0].message.contains("returns a list"),
        "{}",
        ds[0].message
    );
}

#[test]
fn a_string_parameter_where_a_list_goes_is_a_type_error() {
    let ds = check(json!({
        "Parameters": {"Sg": {"Type": "String"}, "Sgs": {"Type": "List<AWS::EC2::SecurityGroup::Id>"}},
        "Resources": {"R": {"Type": "AWS::EC2::Instance", "Properties": {
            "ImageId": "ami-12345678", "SecurityGroupIds": {"Ref": "Sg"}
        }}}
    }));
    assert_eq!(ids(&ds), vec![("HG104", "SecurityGroupIds".to_string())]);
    let ok = check(json!({
        "Parameters": {"Sgs": {"Type": "List<AWS::EC2::SecurityGroup::Id>"}},
        "Resources": {"R": {"Type": "AWS::EC2::Instance", "Properties": {
            "ImageId": "ami-12345678", "SecurityGroupIds": {"Ref": "Sgs"}
        }}}
    }));
    assert!(ok.is_empty(), "{ok:#?}");
}

#[test]
fn both_branches_of_an_if_are_validated() {
    let ds = check(json!({
        "Parameters": {"Env": {"Type": "String"}},
        "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": {"R": {"Type": "AWS::EC2::VPC", "Properties": {
            "CidrBlock": "10.0.0.0/16",
            "InstanceTenancy": {"Fn::If": ["Prod", "dedicated", "sideways"]}
        }}}
    }));
    assert_eq!(
        ids(&ds),
        vec![("HG105", "InstanceTenancy.Fn::If.2".to_string())]
    );
}

#[test]
fn no_value_removes_the_property() {
    let ds = check(json!({
        "Parameters": {"Env": {"Type": "String"}},
        "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": {"R": {"Type": "AWS::EC2::VPC", "Properties": {
            "CidrBlock": "10.0.0.0/16",
            "InstanceTenancy": {"Fn::If": ["Prod", "dedicated", {"Ref": "AWS::NoValue"}]}
        }}}
    }));
    assert!(ds.is_empty(), "{ds:#?}");
}

#[test]
fn required_properties_are_reported_at_the_resource() {
    let ds = check(
        json!({"Resources": {"R": {"Type": "AWS::EC2::Subnet", "Properties": {
            "CidrBlock": "10.0.0.0/24"
        }}}}),
    );
    assert_eq!(ids(&ds), vec![("HG103", String::new())]);
    assert!(ds[0].message.contains("VpcId"));
}

#[test]
fn cfn_lint_keywords_are_honoured() {
    // AWS::EC2::Instance: NetworkInterfaces excludes SubnetId (dependentExcluded).
    let ds = check(
        json!({"Resources": {"R": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "CidrIp": "10.0.0.0/8", "SourceSecurityGroupId": "sg-12345678"
        }}}}),
    );
    assert!(ds.iter().any(|d| d.rule == "HG103"), "{ds:#?}");
}

#[test]
fn unknown_types_get_a_suggestion_and_custom_ones_pass() {
    let ds = check(json!({"Resources": {"R": {"Type": "AWS::EC2::Vpc", "Properties": {}}}}));
    assert_eq!(ds[0].rule, "HG101");
    assert_eq!(ds[0].hint.as_deref(), Some("did you mean AWS::EC2::VPC?"));
    let ds =
        check(json!({"Resources": {"R": {"Type": "Custom::Thing", "Properties": {"Any": 1}}}}));
    assert!(ds.is_empty());
}

#[test]
fn regression_type_typos_outside_the_aws_namespace_are_errors_not_silence() {
    // An earlier release took anything not starting with "AWS::" for a
    // registry extension: these exited 0 with property checks off.
    for (written, meant) in [
        ("AWS:SNS::Topic", "AWS::SNS::Topic"),
        ("aws::sns::topic", "AWS::SNS::Topic"),
        ("Aws::Sns::Topic", "AWS::SNS::Topic"),
        ("AWS::SNS:Topic", "AWS::SNS::Topic"),
    ] {
        let ds =
            check(json!({"Resources": {"R": {"Type": written, "Properties": {"TopicName": "a"}}}}));
        assert_eq!(ds.len(), 1, "{written}: {ds:#?}");
        assert_eq!(ds[0].rule, "HG101", "{written}");
        assert_eq!(ds[0].severity, Severity::Error, "{written}");
        assert_eq!(ds[0].path, vec!["Resources", "R", "Type"], "{written}");
        assert_eq!(
            ds[0].hint.as_deref(),
            Some(format!("did you mean {meant}?").as_str()),
            "{written}"
        );
    }
}

#[test]
fn type_names_are_classified_as_cloudformation_accepts_them() {
    for (name, kind) in [
        ("AWS::SNS::Topic", TypeKind::Catalogued),
        ("Alexa::ASK::Skill", TypeKind::Catalogued),
        ("AWS::CloudFormation::CustomResource", TypeKind::Custom),
        ("Custom::Pinger", TypeKind::Custom),
        ("Custom::my_resource@v2-b", TypeKind::Custom),
        ("Custom::", TypeKind::Unknown),
        ("Custom::has space", TypeKind::Unknown),
        ("Custom::Sub::Type", TypeKind::Unknown),
        ("MyOrg::Network::Vpc::MODULE", TypeKind::Module),
        ("AWS::Network::Vpc::MODULE", TypeKind::Unknown),
        ("MongoDB::Atlas::Cluster", TypeKind::Registry),
        ("AWSQS::EKS::Cluster", TypeKind::Registry),
        ("Amazon::Foo::Bar", TypeKind::Unknown),
        ("dev::Foo::Bar", TypeKind::Unknown),
        ("AWS::SNS::Topik", TypeKind::Unknown),
        ("A::Foo::Bar", TypeKind::Unknown),
        ("Foo::Bar", TypeKind::Unknown),
        ("", TypeKind::Unknown),
    ] {
        assert_eq!(classify(name), kind, "{name:?}");
    }
}

#[test]
fn registry_types_are_a_note_unless_they_look_like_a_typo_of_an_aws_type() {
    let ds = check(
        json!({"Resources": {"R": {"Type": "MongoDB::Atlas::Cluster", "Properties": {"Any": 1}}}}),
    );
    assert_eq!(ds.len(), 1);
    assert_eq!(
        (ds[0].rule.as_str(), ds[0].severity),
        ("HG101", Severity::Info)
    );
    let ds = check(json!({"Resources": {"R": {"Type": "AWZ::SNS::Topic"}}}));
    assert_eq!(
        (ds[0].rule.as_str(), ds[0].severity),
        ("HG101", Severity::Warning)
    );
    assert_eq!(ds[0].hint.as_deref(), Some("did you mean AWS::SNS::Topic?"));
}

#[test]
fn custom_resource_names_outside_the_allowed_characters_are_errors() {
    let ds = check(
        json!({"Resources": {"R": {"Type": "Custom::Ping Tester", "Properties": {"ServiceToken": "x"}}}}),
    );
    assert_eq!(ds.len(), 1);
    assert_eq!(
        (ds[0].rule.as_str(), ds[0].severity),
        ("HG101", Severity::Error)
    );
    let long = format!("Custom::{}", "a".repeat(61));
    assert_eq!(
        check(json!({"Resources": {"R": {"Type": long}}}))[0].rule,
        "HG101"
    );
    let ok = format!("Custom::{}", "a".repeat(60));
    assert!(check(json!({"Resources": {"R": {"Type": ok}}})).is_empty());
}

#[test]
fn read_only_properties_are_reported() {
    let ds = check(
        json!({"Resources": {"R": {"Type": "AWS::EC2::VPC", "Properties": {
            "CidrBlock": "10.0.0.0/16", "VpcId": "vpc-1"
        }}}}),
    );
    assert_eq!(ids(&ds), vec![("HG106", "VpcId".to_string())]);
}

#[test]
fn select_and_find_in_map_with_literal_arguments_are_resolved() {
    let ds = check(json!({
        "Mappings": {"Tenancy": {"us-east-1": {"Value": "sideways"}}},
        "Resources": {"R": {"Type": "AWS::EC2::VPC", "Properties": {
            "CidrBlock": "10.0.0.0/16",
            "InstanceTenancy": {"Fn::FindInMap": ["Tenancy", "us-east-1", "Value"]}
        }}}
    }));
    assert_eq!(ids(&ds), vec![("HG105", "InstanceTenancy".to_string())]);
}
