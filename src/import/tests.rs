//! What the generated blueprint says for small templates. Whether it
//! compiles and reproduces its template is `tests/cli/import.rs`'s (it
//! builds the crates).

use super::*;
use crate::template::parse::parse_template;

fn options() -> ImportOptions {
    ImportOptions {
        name: "web".into(),
        source: "t.yaml".into(),
        hagen: HagenDependency::Version("0.1.0".into()),
        stack: None,
        constructs: false,
        standalone: true,
    }
}

fn imported(text: &str) -> ImportedCrate {
    let template = parse_template(text, "t.yaml").expect("parses").template;
    import(&template, &options()).expect("imports")
}

fn file<'a>(c: &'a ImportedCrate, name: &str) -> &'a str {
    c.files
        .iter()
        .find(|(p, _)| p.to_str() == Some(name))
        .map(|(_, t)| t.as_str())
        .expect("file written")
}

const NETWORK: &str = "
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      EnableDnsSupport: true
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
      AvailabilityZone: !Select [0, !GetAZs '']
  Queue:
    Type: AWS::SQS::Queue
    DeletionPolicy: Retain
    Properties:
      DelaySeconds: '5'
      MaximumMessageSize: 1024.0
      NotAQueueProperty: x
  Custom:
    Type: Custom::Thing
    DependsOn: Queue
    Properties:
      ServiceToken: !GetAtt Queue.Arn
";

#[test]
fn resources_are_typed_with_their_logical_ids_and_handles() {
    let c = imported(NETWORK);
    let code = file(&c, "src/blueprint.rs");
    assert!(code.contains("ec2::Vpc::new()"), "{code}");
    assert!(code.contains(".cidr_block(\"10.0.0.0/16\")"), "{code}");
    assert!(
        code.contains("ec2::Subnet::new(h.vpc.reference())"),
        "{code}"
    );
    assert!(code.contains("cidr(h.vpc.cidr_block(), 4, 8)"), "{code}");
    assert!(code.contains("vpc: Handle::new(\"Vpc\")"), "{code}");
    assert!(code.contains(".delay_seconds(5)"), "{code}");
    assert!(code.contains(".maximum_message_size(1024)"), "{code}");
    assert!(
        code.contains("Attributes::new().deletion_policy(RetentionPolicy::Retain)"),
        "{code}"
    );
    assert_eq!(c.report.typed_resources, 3);
    let toml = file(&c, "Cargo.toml");
    assert!(
        toml.contains("\"ec2\"") && toml.contains("\"sqs\""),
        "{toml}"
    );
}

#[test]
fn what_the_typed_api_cannot_hold_falls_back_with_a_reason() {
    let c = imported(NETWORK);
    let code = file(&c, "src/blueprint.rs");
    assert!(
        code.contains("stack.add_property_override(&h.queue, \"NotAQueueProperty\", \"x\")"),
        "{code}"
    );
    assert!(
        code.contains("RawResource::new(\"Custom::Thing\")"),
        "{code}"
    );
    assert!(code.contains("// Raw: a custom resource"), "{code}");
    assert_eq!(c.report.raw.len(), 1);
    assert_eq!(c.report.overrides.len(), 1);
    assert_eq!(c.report.overrides[0].what, "NotAQueueProperty");
}

#[test]
fn a_resource_naming_an_undeclared_condition_is_refused() {
    let template = parse_template(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Condition: Nope\n",
        "t.yaml",
    )
    .expect("parses")
    .template;
    let err = import(&template, &options()).expect_err("refused");
    assert!(err.to_string().contains("condition Nope"), "{err}");
}

#[test]
fn crate_names_come_from_file_and_stack_names() {
    assert_eq!(crate_name("templates/My Stack.yaml"), "my-stack");
    assert_eq!(crate_name("web-prod"), "web-prod");
    assert_eq!(crate_name("1-net.json"), "stack-1-net");
}
