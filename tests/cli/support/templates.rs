//! Small stacks for deploy scenarios, built with the public DSL
//! (`hagen::stack::Stack` and the L1 types) as a user would.

use hagen::resources::Tag;
use hagen::resources::ec2::security_group::Ingress as SecurityGroupIngressRule;
use hagen::resources::ec2::{SecurityGroup, Subnet, Vpc};
use hagen::resources::s3::Bucket;
use hagen::resources::sns::Topic;
use hagen::stack::Stack;
use hagen::template::{Expr, Intrinsic, Output, Parameter, Template};

fn output(value: impl Into<Expr>, description: &str) -> Output {
    Output {
        description: Some(description.into()),
        value: value.into(),
        export_name: None,
        condition: None,
    }
}

/// A VPC with two subnets, a security group, a topic, and an `ImageId`
/// parameter (standing in for the AMI: it only tags the VPC here).
pub fn network(image_id_default: Option<&str>) -> Template {
    let mut s = Stack::new("hagen deploy test: network");
    s.tag("Project", "hagen-tests");
    let image = s
        .parameter(
            "ImageId",
            Parameter {
                param_type: "String".into(),
                description: Some("AMI for the web tier".into()),
                default: image_id_default.map(Expr::string),
                ..Parameter::default()
            },
        )
        .expect("parameter");
    let vpc = s
        .add(
            "Vpc",
            Vpc::new()
                .cidr_block("10.40.0.0/16")
                .enable_dns_support(true)
                .enable_dns_hostnames(true)
                .tags(vec![Tag::new("ImageId", image.reference())]),
        )
        .expect("vpc");
    for (i, (id, cidr)) in [("SubnetA", "10.40.0.0/24"), ("SubnetB", "10.40.1.0/24")]
        .iter()
        .enumerate()
    {
        s.add(
            id,
            Subnet::new(vpc.reference())
                .cidr_block(*cidr)
                .availability_zone(Intrinsic::Select {
                    index: Expr::Int(i as i64),
                    list: Expr::func(Intrinsic::GetAZs(Expr::string(""))),
                }),
        )
        .expect("subnet");
    }
    s.add(
        "WebSg",
        SecurityGroup::new("web tier")
            .vpc_id(vpc.reference())
            .security_group_ingress(vec![
                SecurityGroupIngressRule::new("tcp")
                    .from_port(443)
                    .to_port(443)
                    .cidr_ip("0.0.0.0/0")
                    .description("HTTPS from anywhere"),
            ]),
    )
    .expect("sg");
    s.add("Alerts", Topic::new().display_name("alerts"))
        .expect("topic");
    s.output("VpcId", output(vpc.reference(), "The VPC"))
        .expect("output");
    s.into_template().expect("template")
}

/// A bucket with a fixed name, a topic and outputs.
pub fn bucket(name: &str) -> Template {
    bucket_titled(name, "alerts")
}

/// [`bucket`] with another display name for the topic (an update that
/// touches no stateful resource).
pub fn bucket_titled(name: &str, topic_title: &str) -> Template {
    let mut s = Stack::new("hagen deploy test: bucket");
    let bucket = s
        .add("Data", Bucket::new().bucket_name(name))
        .expect("bucket");
    let topic = s
        .add("Alerts", Topic::new().display_name(topic_title))
        .expect("topic");
    s.output("BucketName", output(bucket.reference(), "Data bucket"))
        .expect("output");
    s.output("BucketArn", output(bucket.arn(), "Data bucket ARN"))
        .expect("output");
    s.output("TopicArn", output(topic.reference(), "Alerts topic"))
        .expect("output");
    s.into_template().expect("template")
}

/// A stack whose subnet names a VPC that does not exist: its create fails
/// and rolls back.
pub fn broken_subnet() -> Template {
    let mut s = Stack::new("hagen deploy test: failing create");
    s.add("Alerts", Topic::new().display_name("alerts"))
        .expect("topic");
    s.add(
        "Orphan",
        Subnet::new("vpc-0doesnotexist").cidr_block("10.41.0.0/24"),
    )
    .expect("subnet");
    s.into_template().expect("template")
}

/// A topic whose metadata pads the template past the inline limit.
pub fn oversized(bytes: usize) -> Template {
    let mut s = Stack::new("hagen deploy test: large template");
    let pad = "x".repeat(bytes);
    let topic = s
        .add("Alerts", Topic::new().display_name("alerts"))
        .expect("topic");
    s.attributes_mut(&topic)
        .expect("the topic is in the stack")
        .set_metadata("Padding", Expr::string(pad));
    s.into_template().expect("template")
}

/// An IAM role (named when `role_name` is given) and a topic.
pub fn role(role_name: Option<&str>) -> Template {
    use hagen::resources::iam::{Role, service_trust_policy};
    let mut s = Stack::new("hagen deploy test: IAM");
    let mut role = Role::new(service_trust_policy("ec2.amazonaws.com"));
    if let Some(name) = role_name {
        role = role.role_name(name);
    }
    s.add("AppRole", role).expect("role");
    s.add("Alerts", Topic::new().display_name("alerts"))
        .expect("topic");
    s.into_template().expect("template")
}
