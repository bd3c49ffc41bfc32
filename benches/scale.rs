//! Benchmark of how hagen's checks grow with the size of a template:
//! synthetic applications of 50 to 10,000 resources, shaped like a real
//! one, plus templates built to hit the worst cases (thousands of missing
//! `DependsOn` targets, a chain of conditions that each use the previous one
//! twice, thousands of subnets, thousands of suppressed findings).
//!
//! `cargo bench -p swiftcode --bench scale` prints, per template and stage
//! (build the IR, run every check, write YAML), the median, minimum and
//! maximum of a few rounds, then how much each stage grew from 500 to 5,000
//! resources: about 10 is linear, about 100 quadratic. Figures are for
//! reading, never asserted. Without `--bench` (as `cargo test
//! --all-targets` runs it) only the small templates run, two rounds each.

use std::hint::black_box;
use std::time::Duration;

#[path = "timing.rs"]
mod timing;

use hagen::template::{Expr, Intrinsic, Parameter, Resource, Template, fns};
use hagen::validate::{self, Options};
use serde_json::json;

/// Whether `cargo bench` started this binary (rather than `cargo test`).
fn full() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Rounds per stage: a few under `cargo bench` (the largest templates take
/// seconds), two for the smoke run.
fn rounds(resources: usize) -> usize {
    match (full(), resources) {
        (false, _) => 2,
        (true, 0..=1_000) => 11,
        (true, _) => 3,
    }
}

/// The median of each stage, for the growth line.
struct Medians {
    resources: usize,
    build: Duration,
    check: Duration,
    yaml: Duration,
}

fn main() {
    let sizes: &[usize] = if full() {
        &[50, 500, 5_000, 10_000]
    } else {
        &[50, 500]
    };
    let mut medians = Vec::new();
    for &n in sizes {
        medians.push((n, measure(&format!("app of {n} resources"), || app(n))));
    }
    let (missing, subnets) = if full() { (5_000, 8_000) } else { (50, 50) };
    measure(&format!("{missing} missing DependsOn targets"), || {
        missing_depends_on(missing)
    });
    measure("a 40-level condition chain", || condition_chain(40));
    measure(&format!("{subnets} subnets in one VPC"), || {
        many_subnets(subnets)
    });
    measure(&format!("{missing} suppressed findings"), || {
        suppressed(missing)
    });
    growth(&medians);
}

/// Times the three stages on the template `build` makes, prints them, and
/// returns their medians.
fn measure(name: &str, build: impl Fn() -> Template) -> Medians {
    let template = build();
    let yaml = template.to_yaml();
    let options = Options {
        strict: true,
        body_size: Some(yaml.len()),
        through_s3: false,
    };
    let resources = template.resources.len();
    // The first check unpacks and compiles the schemas; not what is timed.
    let report = validate::check(&template, &options);
    println!(
        "{name}: {resources} resources, {} bytes of YAML, {} findings",
        yaml.len(),
        report.diagnostics.len()
    );
    let rounds = rounds(resources);
    let build = timing::report("build the IR", rounds, || {
        black_box(build());
    });
    let check = timing::report("run every check (validate::check)", rounds, || {
        black_box(validate::check(&template, &options));
    });
    let yaml = timing::report("write YAML (to_yaml)", rounds, || {
        black_box(template.to_yaml());
    });
    Medians {
        resources,
        build,
        check,
        yaml,
    }
}

/// How much each stage grew between the two sizes compared (5,000 and 500
/// resources asked for under `cargo bench`, 500 and 50 otherwise; the
/// ratio of resources made is printed too).
fn growth(medians: &[(usize, Medians)]) {
    let (small, large) = if full() { (500, 5_000) } else { (50, 500) };
    let asked = |n: usize| medians.iter().find(|(size, _)| *size == n).map(|(_, m)| m);
    let (Some(a), Some(b)) = (asked(small), asked(large)) else {
        return;
    };
    let ratio = |x: Duration, y: Duration| y.as_secs_f64() / x.as_secs_f64().max(1e-9);
    println!(
        "growth {} -> {} resources (x{:.1}): build x{:.1}, check x{:.1}, yaml x{:.1}",
        a.resources,
        b.resources,
        b.resources as f64 / a.resources as f64,
        ratio(a.build, b.build),
        ratio(a.check, b.check),
        ratio(a.yaml, b.yaml)
    );
}

/// A resource of `kind` with these properties (JSON in CloudFormation's
/// long form; `{"Ref": ...}` becomes the intrinsic).
fn resource(kind: &str, properties: serde_json::Value) -> Resource {
    let mut r = Resource::new(kind);
    if let Expr::Map(m) = Expr::from(properties) {
        r.properties = m;
    }
    r
}

fn get_att(resource: &str, attribute: &str) -> serde_json::Value {
    json!({"Fn::GetAtt": [resource, attribute]})
}

/// A VPC with three public subnets, one per AZ, behind an internet gateway:
/// what every tier of [`app`] runs in.
fn network(t: &mut Template) {
    let mut put = |id: &str, r: Resource| {
        t.resources.insert(id.to_owned(), r);
    };
    put(
        "Vpc",
        resource(
            "AWS::EC2::VPC",
            json!({"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true, "EnableDnsSupport": true}),
        ),
    );
    put("Igw", Resource::new("AWS::EC2::InternetGateway"));
    put(
        "IgwAttach",
        resource(
            "AWS::EC2::VPCGatewayAttachment",
            json!({"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}),
        ),
    );
    put(
        "PublicRt",
        resource("AWS::EC2::RouteTable", json!({"VpcId": {"Ref": "Vpc"}})),
    );
    let mut route = resource(
        "AWS::EC2::Route",
        json!({"RouteTableId": {"Ref": "PublicRt"}, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": "Igw"}}),
    );
    route.depends_on.push("IgwAttach".into());
    put("PublicRoute", route);
    for az in 0..3 {
        let mut subnet = resource(
            "AWS::EC2::Subnet",
            json!({"VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("10.0.{az}.0/24"), "MapPublicIpOnLaunch": false}),
        );
        subnet
            .properties
            .insert("AvailabilityZone".into(), fns::az(az).into());
        put(&format!("Subnet{az}"), subnet);
        put(
            &format!("Subnet{az}Rt"),
            resource(
                "AWS::EC2::SubnetRouteTableAssociation",
                json!({"SubnetId": {"Ref": format!("Subnet{az}")}, "RouteTableId": {"Ref": "PublicRt"}}),
            ),
        );
    }
}

/// An application of about `n` resources: the shared network, then tiers of
/// ten, each a security group admitting the previous tier's, a launch
/// template and an Auto Scaling group over the subnets, a scaling policy,
/// two CPU alarms notifying an SNS topic with a subscription, and a log
/// group.
fn app(n: usize) -> Template {
    let mut t = Template {
        format_version: Some("2010-09-09".into()),
        description: Some(format!("synthetic application of about {n} resources")),
        ..Template::default()
    };
    network(&mut t);
    let tiers = n.saturating_sub(t.resources.len()) / 10;
    for k in 0..tiers {
        tier(&mut t, k);
    }
    t
}

fn tier(t: &mut Template, k: usize) {
    let sg = format!("Tier{k}Sg");
    let lt = format!("Tier{k}Lt");
    let asg = format!("Tier{k}Asg");
    let topic = format!("Tier{k}Topic");
    let mut put = |id: String, r: Resource| {
        t.resources.insert(id, r);
    };
    put(
        sg.clone(),
        resource(
            "AWS::EC2::SecurityGroup",
            json!({"GroupDescription": format!("tier {k}"), "VpcId": {"Ref": "Vpc"}}),
        ),
    );
    let source = if k == 0 {
        json!({"CidrIp": "10.0.0.0/16"})
    } else {
        json!({"SourceSecurityGroupId": get_att(&format!("Tier{}Sg", k - 1), "GroupId")})
    };
    let mut ingress = json!({"GroupId": get_att(&sg, "GroupId"), "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
        "Description": format!("from tier {}", k.saturating_sub(1))});
    if let (Some(i), Some(s)) = (ingress.as_object_mut(), source.as_object()) {
        i.extend(s.clone());
    }
    put(
        format!("Tier{k}Ingress"),
        resource("AWS::EC2::SecurityGroupIngress", ingress),
    );
    put(
        lt.clone(),
        resource(
            "AWS::EC2::LaunchTemplate",
            json!({"LaunchTemplateData": {
                "ImageId": "ami-0123456789abcdef0",
                "InstanceType": "t3.small",
                "SecurityGroupIds": [get_att(&sg, "GroupId")],
                "MetadataOptions": {"HttpTokens": "required"},
            }}),
        ),
    );
    put(
        asg.clone(),
        resource(
            "AWS::AutoScaling::AutoScalingGroup",
            json!({
                "MinSize": "2", "MaxSize": "6", "DesiredCapacity": "2",
                "VPCZoneIdentifier": [{"Ref": "Subnet0"}, {"Ref": "Subnet1"}, {"Ref": "Subnet2"}],
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": lt}, "Version": get_att(&lt, "LatestVersionNumber")},
                "HealthCheckType": "EC2", "HealthCheckGracePeriod": 120,
            }),
        ),
    );
    put(
        format!("Tier{k}Scaling"),
        resource(
            "AWS::AutoScaling::ScalingPolicy",
            json!({"AutoScalingGroupName": {"Ref": asg}, "PolicyType": "TargetTrackingScaling",
                "TargetTrackingConfiguration": {"TargetValue": 60,
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"}}}),
        ),
    );
    put(
        topic.clone(),
        resource(
            "AWS::SNS::Topic",
            json!({"KmsMasterKeyId": "alias/aws/sns"}),
        ),
    );
    put(
        format!("Tier{k}Pager"),
        resource(
            "AWS::SNS::Subscription",
            json!({"TopicArn": {"Ref": topic}, "Protocol": "email", "Endpoint": "ops@example.com"}),
        ),
    );
    for (name, operator, threshold) in [
        ("High", "GreaterThanThreshold", 85),
        ("Low", "LessThanThreshold", 5),
    ] {
        put(
            format!("Tier{k}Cpu{name}"),
            resource(
                "AWS::CloudWatch::Alarm",
                json!({"Namespace": "AWS/EC2", "MetricName": "CPUUtilization", "Statistic": "Average",
                    "Dimensions": [{"Name": "AutoScalingGroupName", "Value": {"Ref": asg}}],
                    "Period": 60, "EvaluationPeriods": 3, "Threshold": threshold,
                    "ComparisonOperator": operator, "AlarmActions": [{"Ref": topic}]}),
            ),
        );
    }
    put(
        format!("Tier{k}Logs"),
        resource("AWS::Logs::LogGroup", json!({"RetentionInDays": 30})),
    );
}

/// `n` topics, each depending on a resource that does not exist but is
/// named like one that does: every miss asks for a "did you mean" hint.
fn missing_depends_on(n: usize) -> Template {
    let mut t = Template::default();
    for i in 0..n {
        let mut r = Resource::new("AWS::SNS::Topic");
        r.depends_on.push(format!("Topik{i}"));
        t.resources.insert(format!("Topic{i}"), r);
    }
    t
}

/// `levels` conditions, each using the previous one twice, and a topic
/// whose condition and name depend on the last: evaluated naively, 2^40
/// steps.
fn condition_chain(levels: usize) -> Template {
    let mut t = Template::default();
    t.parameters.insert(
        "Env".into(),
        Parameter {
            param_type: "String".into(),
            ..Parameter::default()
        },
    );
    t.conditions
        .insert("C0".into(), fns::equals(fns::ref_("Env"), "prod").into());
    for i in 1..levels {
        let previous = || fns::condition(format!("C{}", i - 1));
        let c = fns::and([
            previous(),
            fns::or([previous(), fns::equals(fns::ref_("Env"), format!("v{i}"))]),
        ]);
        t.conditions.insert(format!("C{i}"), c.into());
    }
    let last = format!("C{}", levels.saturating_sub(1));
    let mut topic = Resource::new("AWS::SNS::Topic");
    topic.condition = Some(last.clone());
    topic.properties.insert(
        "TopicName".into(),
        Expr::func(Intrinsic::If {
            condition: last,
            then: "prod-alerts".into(),
            otherwise: fns::no_value().into(),
        }),
    );
    t.resources.insert("Alerts".into(), topic);
    t
}

/// One VPC with `n` subnets of /28 each: the network checks compare ranges.
fn many_subnets(n: usize) -> Template {
    let mut t = Template::default();
    t.resources.insert(
        "Vpc".into(),
        resource("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/8"})),
    );
    for i in 0..n {
        let cidr = format!("10.{}.{}.{}/28", i >> 12, (i >> 4) & 0xff, (i & 0xf) << 4);
        let mut subnet = resource(
            "AWS::EC2::Subnet",
            json!({"VpcId": {"Ref": "Vpc"}, "CidrBlock": cidr}),
        );
        subnet
            .properties
            .insert("AvailabilityZone".into(), fns::az(i % 3).into());
        t.resources.insert(format!("Subnet{i}"), subnet);
    }
    t
}

/// `n` unencrypted volumes, each suppressing its finding (HG408) with a
/// reason: every finding is matched against the suppressions.
fn suppressed(n: usize) -> Template {
    let mut t = Template::default();
    for i in 0..n {
        let mut volume = resource("AWS::EC2::Volume", json!({"Size": 10}));
        volume
            .properties
            .insert("AvailabilityZone".into(), fns::az(i % 3).into());
        if let Expr::Map(m) = Expr::from(json!({"hagen": {"suppress": [
            {"rule": "HG408", "reason": "scratch space, no data at rest"}]}}))
        {
            volume.metadata = m;
        }
        t.resources.insert(format!("Scratch{i}"), volume);
    }
    t
}
