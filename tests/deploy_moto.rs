//! Deploy lifecycle against moto server: create through a change set, an
//! update that only changes a parameter, a redeploy with no changes; the
//! resources checked through the EC2 and SNS APIs.

mod support;

use hagen::template::Template;
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::http::aws_query;
use support::templates;

/// What to check through a service API for one resource type.
fn check_exists(endpoint: &str, resource_type: &str, physical: &str) {
    let (service, params): (&str, Vec<(&str, &str)>) = match resource_type {
        "AWS::EC2::VPC" => (
            "ec2",
            vec![("Action", "DescribeVpcs"), ("VpcId.1", physical)],
        ),
        "AWS::EC2::Subnet" => (
            "ec2",
            vec![("Action", "DescribeSubnets"), ("SubnetId.1", physical)],
        ),
        "AWS::EC2::SecurityGroup" => (
            "ec2",
            vec![
                ("Action", "DescribeSecurityGroups"),
                ("GroupId.1", physical),
            ],
        ),
        "AWS::SNS::Topic" => (
            "sns",
            vec![("Action", "GetTopicAttributes"), ("TopicArn", physical)],
        ),
        _ => return,
    };
    let mut params = params;
    params.push((
        "Version",
        if service == "ec2" {
            "2016-11-15"
        } else {
            "2010-03-31"
        },
    ));
    let r = aws_query(endpoint, service, &params);
    assert_eq!(r.status, 200, "{resource_type} {physical}: {}", r.body);
    // GetTopicAttributes answers with the attributes, not the ARN we passed.
    let needle = if resource_type == "AWS::SNS::Topic" {
        "TopicArn"
    } else {
        physical
    };
    assert!(
        r.body.contains(needle),
        "{resource_type} {physical} not found: {}",
        r.body
    );
}

/// The scenario for one template: which parameter the update changes, the
/// other parameters every deploy of a new stack needs, and the resource
/// types that must exist afterwards.
struct Scenario<'a> {
    template: &'a Template,
    /// The parameter the update changes (the AMI), its first and second value.
    changed: (&'a str, &'a str, &'a str),
    /// Values for the template's other parameters without defaults.
    fixed: &'a [(&'a str, String)],
    expect_types: &'a [&'a str],
}

/// Create, parameter-only update, no-change redeploy; every resource of a
/// checkable type must exist afterwards.
fn lifecycle(moto: &Emulator, s: Scenario<'_>) {
    let ep = moto.endpoint();
    let stack = aws::stack_name("moto");
    let (param, first, second) = s.changed;
    let template = s.template;
    let fixed: Vec<String> = s.fixed.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let with = |value: &str| -> Vec<String> {
        let mut flags = vec![
            "--yes".to_owned(),
            "--parameter".into(),
            format!("{param}={value}"),
        ];
        for f in &fixed {
            flags.push("--parameter".into());
            flags.push(f.clone());
        }
        flags
    };
    let first_flags = with(first);
    let first_flags: Vec<&str> = first_flags.iter().map(String::as_str).collect();
    let created: Run = aws::deploy(&ep, &stack, template, &first_flags, &[]);
    assert_eq!(created.code, 0, "create failed:\n{}", created.all());
    assert!(created.out.contains("creates stack"), "{}", created.all());
    assert!(created.out.contains("CREATE_COMPLETE"), "{}", created.all());
    let resources = aws::stack_resources(&ep, &stack);
    for ty in s.expect_types {
        assert!(
            resources.iter().any(|(_, t, _)| t == ty),
            "no {ty} in stack resources: {resources:?}"
        );
    }
    for (_, ty, physical) in &resources {
        check_exists(&ep, ty, physical);
    }

    let second_flags = with(second);
    let second_flags: Vec<&str> = second_flags.iter().map(String::as_str).collect();
    let updated = aws::deploy(&ep, &stack, template, &second_flags, &[]);
    assert_eq!(updated.code, 0, "update failed:\n{}", updated.all());
    assert!(updated.out.contains("updates stack"), "{}", updated.all());
    assert!(
        updated
            .out
            .contains(&format!("  {param}: {first} -> {second}")),
        "the review shows the parameter change:\n{}",
        updated.all()
    );
    assert!(updated.out.contains("UPDATE_COMPLETE"), "{}", updated.all());

    // No --parameter: the deployed value is kept (UsePreviousValue), so
    // nothing changes.
    let again = aws::deploy(&ep, &stack, template, &["--yes"], &[]);
    assert_eq!(again.code, 0, "no-change deploy failed:\n{}", again.all());
    assert!(again.out.contains("no changes"), "{}", again.all());
    assert!(!again.out.contains("Executing"), "{}", again.all());

    // Same parameter values given explicitly: still no changes.
    let same = aws::deploy(&ep, &stack, template, &second_flags, &[]);
    assert_eq!(same.code, 0, "{}", same.all());
    assert!(same.out.contains("no changes"), "{}", same.all());
}

#[test]
fn network_stack_create_update_and_no_change() {
    let moto = Emulator::moto();
    lifecycle(
        &moto,
        Scenario {
            template: &templates::network(None),
            changed: ("ImageId", "ami-0aaaaaaaaaaaaaaa1", "ami-0bbbbbbbbbbbbbbb2"),
            fixed: &[],
            expect_types: &[
                "AWS::EC2::VPC",
                "AWS::EC2::Subnet",
                "AWS::EC2::SecurityGroup",
                "AWS::SNS::Topic",
            ],
        },
    );
}
