//! What a user's own crate can do with the DSL, written from outside hagen
//! as such a crate would be: any resource type with typed properties and
//! typed attributes, the raw escape hatch with its guarantees, property
//! overrides, and changing a resource after it was added.

use hagen::error::SynthError;
use hagen::resources::RawResource;
use hagen::resources::ec2::{SecurityGroup, Subnet, Vpc};
use hagen::resources::sns::Topic;
use hagen::stack::Stack;
use hagen::template::{Expr, Intrinsic};
use hagen::validate::{Options, Severity, check};

#[test]
fn attributes_are_typed_get_atts_from_another_crate() {
    let mut stack = Stack::new("user crate");
    let vpc = stack
        .add("Vpc", Vpc::new().cidr_block("10.0.0.0/16"))
        .unwrap();
    let subnet = stack
        .add(
            "Subnet",
            Subnet::new(vpc.vpc_id()).cidr_block("10.0.0.0/24"),
        )
        .unwrap();
    let group = stack
        .add("Group", SecurityGroup::new("web").vpc_id(subnet.vpc_id()))
        .unwrap();
    let t = stack.into_template().unwrap();
    assert_eq!(
        t.resources["Group"].properties["VpcId"],
        Expr::func(Intrinsic::GetAtt {
            resource: "Subnet".into(),
            attribute: "VpcId".into()
        })
    );
    assert_eq!(group.logical_id(), "Group");
}

#[test]
fn a_raw_resource_is_tagged_checked_and_validated() {
    let mut stack = Stack::new("raw");
    stack.tag("Team", "web");
    stack
        .add(
            "Queue",
            RawResource::new("AWS::SQS::Queue").property("VisibilityTimeout", Expr::Int(60)),
        )
        .unwrap();
    // A typo in the type is refused when it is added, with a suggestion.
    let err = stack
        .add("Typo", RawResource::new("AWS::SQS::Queeu"))
        .unwrap_err();
    assert!(
        matches!(&err, SynthError::InvalidResource { message, .. } if message.contains("AWS::SQS::Queue")),
        "{err}"
    );
    // A property the type's schema does not have is found by the checks
    // `hagen synth` runs.
    stack
        .add(
            "Bad",
            RawResource::new("AWS::SQS::Queue").property("VisibilityTimeoutt", Expr::Int(60)),
        )
        .unwrap();
    let template = stack.into_template().unwrap();
    assert_eq!(
        template.resources["Queue"].properties["Tags"],
        Expr::List(vec![Expr::Map(
            [
                ("Key".to_owned(), Expr::string("Team")),
                ("Value".to_owned(), Expr::string("web")),
            ]
            .into_iter()
            .collect()
        )])
    );
    let report = check(&template, &Options::default());
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(
        errors
            .iter()
            .any(|d| d.message.contains("VisibilityTimeoutt")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .all(|d| !d.message.contains("VisibilityTimeout ")),
        "{errors:?}"
    );
}

#[test]
fn overrides_and_later_changes_reach_the_template() {
    let mut stack = Stack::new("overrides");
    let topic = stack.add("Alerts", Topic::new()).unwrap();
    stack.get_mut(&topic).unwrap().display_name = Some("Ops".into());
    stack
        .add_property_override(&topic, "DeliveryStatusLogging", Expr::List(vec![]))
        .unwrap();
    stack
        .add_property_override(&topic, "ArchivePolicy.MessageRetentionPeriod", 30)
        .unwrap();
    stack
        .add_property_deletion_override(&topic, "ArchivePolicy.Unused")
        .unwrap();
    let t = stack.template().unwrap();
    let props = &t.resources["Alerts"].properties;
    assert_eq!(props["DisplayName"], Expr::string("Ops"));
    assert_eq!(
        props["ArchivePolicy"],
        Expr::Map(
            [("MessageRetentionPeriod".to_owned(), Expr::Int(30))]
                .into_iter()
                .collect()
        )
    );
    // A path into a string is refused, naming the resource and the path.
    stack
        .add_property_override(&topic, "DisplayName.Inner", 1)
        .unwrap();
    let err = stack.into_template().unwrap_err().to_string();
    assert!(
        err.contains("Alerts") && err.contains("DisplayName.Inner"),
        "{err}"
    );
}
