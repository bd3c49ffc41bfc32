use super::*;
use crate::validate::testing;
use serde_json::json;

fn run(v: serde_json::Value) -> Vec<(String, String)> {
    let t = testing::template(v);
    check(&t)
        .into_iter()
        .map(|d| (d.rule, d.path.join("/")))
        .collect()
}

fn vpc() -> serde_json::Value {
    json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}})
}

#[test]
fn placeholders_skip_escapes_and_split_attributes() {
    assert_eq!(
        placeholders("${AWS::Region}-${!Literal}-${Db.Endpoint.Address}-${Name}"),
        vec![
            Placeholder::Name("AWS::Region".into()),
            Placeholder::Attribute("Db".into(), "Endpoint.Address".into()),
            Placeholder::Name("Name".into()),
        ]
    );
    assert!(placeholders("${unclosed").is_empty());
}

#[test]
fn refs_must_name_something() {
    let found = run(
        json!({"Resources": {"Vpc": vpc(), "S": {"Type": "AWS::EC2::Subnet",
        "Properties": {"VpcId": {"Ref": "Vcp"}}}}}),
    );
    assert_eq!(
        found,
        vec![("HG201".into(), "Resources/S/Properties/VpcId/Ref".into())]
    );
}

#[test]
fn getatt_checks_resource_and_attribute() {
    let found = run(json!({"Resources": {"Vpc": vpc()}, "Outputs": {
        "A": {"Value": {"Fn::GetAtt": ["Vpc", "CidrBlok"]}},
        "B": {"Value": {"Fn::GetAtt": ["Nope", "Arn"]}},
        "C": {"Value": {"Fn::GetAtt": ["Vpc", "CidrBlock"]}}
    }}));
    assert_eq!(
        found,
        vec![
            ("HG203".into(), "Outputs/A/Value/Fn::GetAtt".into()),
            ("HG202".into(), "Outputs/B/Value/Fn::GetAtt".into()),
        ]
    );
}

#[test]
fn nested_attributes_come_from_the_schema() {
    let found = run(
        json!({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {}}},
        "Outputs": {"A": {"Value": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}},
                    "B": {"Value": {"Fn::Sub": "${Db.Endpoint.Port}"}}}}),
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn sub_variables_must_exist() {
    let found = run(json!({"Resources": {"Vpc": vpc()}, "Outputs": {
        "A": {"Value": {"Fn::Sub": "${AWS::StackName}-${Vpc}-${Missing}"}},
        "B": {"Value": {"Fn::Sub": ["${X}-${Vpc.CidrBlock}", {"X": "x"}]}}
    }}));
    assert_eq!(
        found,
        vec![("HG204".into(), "Outputs/A/Value/Fn::Sub".into())]
    );
}

#[test]
fn select_index_is_checked_where_the_list_is_known() {
    let found = run(json!({"Resources": {"Vpc": vpc()}, "Outputs": {
        "A": {"Value": {"Fn::Select": [2, ["a", "b"]]}},
        "B": {"Value": {"Fn::Select": [4, {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}]}},
        "C": {"Value": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}},
        "D": {"Value": {"Fn::Select": [-1, ["a"]]}}
    }}));
    assert_eq!(
        found,
        vec![
            ("HG207".into(), "Outputs/A/Value/Fn::Select/0".into()),
            ("HG207".into(), "Outputs/B/Value/Fn::Select/0".into()),
            ("HG207".into(), "Outputs/D/Value/Fn::Select/0".into()),
        ]
    );
}

#[test]
fn getazs_takes_a_region() {
    let found = run(json!({"Resources": {}, "Outputs": {
        "A": {"Value": {"Fn::Join": [",", {"Fn::GetAZs": "not a region"}]}},
        "B": {"Value": {"Fn::Join": [",", {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}},
        "C": {"Value": {"Fn::Join": [",", {"Fn::GetAZs": "eu-west-1"}]}}
    }}));
    assert_eq!(
        found,
        vec![(
            "HG208".into(),
            "Outputs/A/Value/Fn::Join/1/Fn::GetAZs".into()
        )]
    );
}

#[test]
fn if_conditions_must_exist_and_condition_functions_stay_in_conditions() {
    let found = run(json!({
        "Parameters": {"Env": {"Type": "String"}},
        "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                       "Bad": {"Fn::Equals": [{"Ref": "Vpc"}, "x"]}},
        "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {
            "CidrBlock": {"Fn::If": ["Prd", "10.0.0.0/16", "10.1.0.0/16"]},
            "EnableDnsSupport": {"Fn::Equals": ["a", "a"]}
        }}}
    }));
    assert_eq!(
        found,
        vec![
            ("HG209".into(), "Conditions/Bad/Fn::Equals/0/Ref".into()),
            (
                "HG206".into(),
                "Resources/Vpc/Properties/CidrBlock/Fn::If/0".into()
            ),
            (
                "HG209".into(),
                "Resources/Vpc/Properties/EnableDnsSupport/Fn::Equals".into()
            ),
        ]
    );
}

#[test]
fn find_in_map_names_must_exist() {
    let found = run(json!({
        "Mappings": {"Ami": {"us-east-1": {"Id": "ami-1"}}},
        "Resources": {}, "Outputs": {
            "A": {"Value": {"Fn::FindInMap": ["Ami", "us-east-1", "Id"]}},
            "B": {"Value": {"Fn::FindInMap": ["Amis", "us-east-1", "Id"]}},
            "C": {"Value": {"Fn::FindInMap": ["Ami", "eu-west-1", "Id"]}},
            "D": {"Value": {"Fn::FindInMap": ["Ami", {"Ref": "AWS::Region"}, "Id"]}}
        }
    }));
    assert_eq!(
        found,
        vec![
            ("HG210".into(), "Outputs/B/Value/Fn::FindInMap".into()),
            ("HG210".into(), "Outputs/C/Value/Fn::FindInMap".into()),
        ]
    );
}

#[test]
fn cidr_arguments_must_fit() {
    let found = run(json!({"Resources": {}, "Outputs": {
        "A": {"Value": {"Fn::Join": [",", {"Fn::Cidr": ["10.0.0.0/24", 4, 10]}]}},
        "B": {"Value": {"Fn::Join": [",", {"Fn::Cidr": ["10.0.0.0/24", 8, 6]}]}},
        "C": {"Value": {"Fn::Join": [",", {"Fn::Cidr": ["10.0.0.0/16", 6, 8]}]}}
    }}));
    assert_eq!(
        found,
        vec![
            ("HG209".into(), "Outputs/A/Value/Fn::Join/1/Fn::Cidr".into()),
            ("HG209".into(), "Outputs/B/Value/Fn::Join/1/Fn::Cidr".into()),
        ]
    );
}

#[test]
fn join_needs_a_list() {
    let found = run(json!({"Resources": {}, "Outputs": {
        "A": {"Value": {"Fn::Join": [",", "abc"]}},
        "B": {"Value": {"Fn::Join": [",", {"Fn::Split": [",", "a,b"]}]}}
    }}));
    assert_eq!(
        found,
        vec![("HG209".into(), "Outputs/A/Value/Fn::Join/1".into())]
    );
}

/// Regression (hostile input, quadratic hints): each missing Ref was
/// measured against every parameter and resource for its "did you mean".
/// The first misses keep their suggestion; the rest the general hint.
#[test]
fn only_the_first_missing_refs_get_a_suggestion() {
    use crate::template::{Resource, fns};
    let n = text::MAX_SUGGESTIONS + 2;
    let mut t = Template::default();
    for i in 0..n {
        let mut r = Resource::new("AWS::SNS::Topic");
        r.properties
            .insert("DisplayName".into(), fns::ref_(format!("Topik{i}")).into());
        t.resources.insert(format!("Topic{i}"), r);
    }
    let found = check(&t);
    assert_eq!(found.len(), n);
    assert_eq!(
        found[0].message,
        "!Ref Topik0 names no parameter, resource or pseudo parameter"
    );
    assert_eq!(found[0].hint.as_deref(), Some("did you mean Topic0?"));
    assert_eq!(
        found[text::MAX_SUGGESTIONS - 1].hint,
        Some(format!("did you mean Topic{}?", text::MAX_SUGGESTIONS - 1))
    );
    assert_eq!(
        found[n - 1].hint.as_deref(),
        Some("declare it under Parameters or Resources")
    );
}
