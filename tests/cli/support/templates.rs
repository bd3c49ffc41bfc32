//! Small stacks for deploy scenarios, built with the public DSL
//! (`hagen::stack::Stack` and the L1 types) as a user would.

use hagen::resources::ec2::{SecurityGroup, SecurityGroupIngressRule, Subnet, Vpc};
use hagen::resources::sns::Topic;
use hagen::resources::{CfnResource, Tag};
use hagen::stack::Stack;
use hagen::template::{Expr, Intrinsic, Output, Parameter, Template};
use indexmap::IndexMap;

/// `AWS::S3::Bucket` with a physical name, declared here until the
/// project's S3 L1 lands (the L1 macro's attribute methods can only be
/// generated inside the crate).
#[derive(Debug, Clone)]
pub struct Bucket {
    /// Physical name.
    pub bucket_name: String,
}

impl CfnResource for Bucket {
    const TYPE: &'static str = "AWS::S3::Bucket";

    fn properties(&self) -> IndexMap<String, Expr> {
        let mut m = IndexMap::new();
        m.insert("BucketName".into(), Expr::string(&self.bucket_name));
        m
    }
}

fn output(value: Intrinsic, description: &str) -> Output {
    Output {
        description: Some(description.into()),
        value: Expr::func(value),
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
                .tags(vec![Tag::pair("ImageId", image.reference())]),
        )
        .expect("vpc");
    for (i, (id, cidr)) in [("SubnetA", "10.40.0.0/24"), ("SubnetB", "10.40.1.0/24")]
        .iter()
        .enumerate()
    {
        s.add(
            id,
            Subnet::new()
                .vpc_id(vpc.reference())
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
        SecurityGroup::new()
            .group_description("web tier")
            .vpc_id(vpc.reference())
            .security_group_ingress(vec![
                SecurityGroupIngressRule::new()
                    .ip_protocol("tcp")
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
    s.into_template()
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
        .add(
            "Data",
            Bucket {
                bucket_name: name.into(),
            },
        )
        .expect("bucket");
    let topic = s
        .add("Alerts", Topic::new().display_name(topic_title))
        .expect("topic");
    s.output("BucketName", output(bucket.reference(), "Data bucket"))
        .expect("output");
    s.output(
        "BucketArn",
        output(bucket.get_att("Arn"), "Data bucket ARN"),
    )
    .expect("output");
    s.output("TopicArn", output(topic.reference(), "Alerts topic"))
        .expect("output");
    s.into_template()
}

/// A stack whose subnet names a VPC that does not exist: its create fails
/// and rolls back.
pub fn broken_subnet() -> Template {
    let mut s = Stack::new("hagen deploy test: failing create");
    s.add("Alerts", Topic::new().display_name("alerts"))
        .expect("topic");
    s.add(
        "Orphan",
        Subnet::new()
            .vpc_id("vpc-0doesnotexist")
            .cidr_block("10.41.0.0/24"),
    )
    .expect("subnet");
    s.into_template()
}

/// A topic whose metadata pads the template past the inline limit.
pub fn oversized(bytes: usize) -> Template {
    let mut s = Stack::new("hagen deploy test: large template");
    s.add("Alerts", Topic::new().display_name("alerts"))
        .expect("topic");
    let pad = "x".repeat(bytes);
    if let Some(r) = s.resource_mut("Alerts") {
        r.metadata.insert("Padding".into(), Expr::string(pad));
    }
    s.into_template()
}

/// An IAM role (named when `role_name` is given) and a topic.
pub fn role(role_name: Option<&str>) -> Template {
    use hagen::resources::iam::{Role, service_trust_policy};
    let mut s = Stack::new("hagen deploy test: IAM");
    let mut role =
        Role::new().assume_role_policy_document(service_trust_policy("ec2.amazonaws.com"));
    if let Some(name) = role_name {
        role = role.role_name(name);
    }
    s.add("AppRole", role).expect("role");
    s.add("Alerts", Topic::new().display_name("alerts"))
        .expect("topic");
    s.into_template()
}
