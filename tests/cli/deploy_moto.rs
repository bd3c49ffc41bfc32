//! Deploy lifecycle against moto server: create through a change set, an
//! update that only changes a parameter, a redeploy with no changes; the
//! resources checked through the service APIs (EC2, SNS, Auto Scaling,
//! ELBv2, RDS). Runs a small network stack and the full SwiftCode stage
//! stack, whose prerequisites (hosted zone, ACM certificate, key pair) are
//! created in moto first, as a user has them in their account.

use crate::support;

use hagen::blueprint;
use hagen::config::Config;
use hagen::template::Template;
use hagen::template::parse::parse_template;
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::http::{self, aws_query};
use support::templates;

// CloudFormation's inline template limit.
use hagen::deploy::upload::MAX_INLINE_BYTES;

/// The resource types [`check_exists`] looks up through a service API.
const CHECKED_TYPES: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::SecurityGroup",
    "AWS::SNS::Topic",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::RDS::DBInstance",
];

/// Looks one resource up through its service's API by physical ID; types
/// not in [`CHECKED_TYPES`] are left alone.
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
        "AWS::AutoScaling::AutoScalingGroup" => (
            "autoscaling",
            vec![
                ("Action", "DescribeAutoScalingGroups"),
                ("AutoScalingGroupNames.member.1", physical),
            ],
        ),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => (
            "elasticloadbalancing",
            vec![
                ("Action", "DescribeLoadBalancers"),
                ("LoadBalancerArns.member.1", physical),
            ],
        ),
        "AWS::ElasticLoadBalancingV2::TargetGroup" => (
            "elasticloadbalancing",
            vec![
                ("Action", "DescribeTargetGroups"),
                ("TargetGroupArns.member.1", physical),
            ],
        ),
        "AWS::RDS::DBInstance" => (
            "rds",
            vec![
                ("Action", "DescribeDBInstances"),
                ("DBInstanceIdentifier", physical),
            ],
        ),
        _ => {
            assert!(!CHECKED_TYPES.contains(&resource_type));
            return;
        }
    };
    assert!(
        !physical.is_empty(),
        "{resource_type} has no physical ID in the stack's resources"
    );
    let mut params = params;
    params.push((
        "Version",
        match service {
            "ec2" => "2016-11-15",
            "autoscaling" => "2011-01-01",
            "elasticloadbalancing" => "2015-12-01",
            "rds" => "2014-10-31",
            _ => "2010-03-31",
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
    /// Rewrites the template text sent to the emulator (its quirks), or
    /// `None` to send what hagen writes.
    body: Option<fn(&str) -> String>,
}

/// Create, parameter-only update, no-change redeploy; every resource of a
/// checkable type must exist afterwards.
fn lifecycle(moto: &Emulator, s: Scenario<'_>) {
    let stack = aws::stack_name("moto");
    let (param, first, second) = s.changed;
    let template = s.template;
    let fixed: Vec<String> = s.fixed.iter().map(|(k, v)| format!("{k}={v}")).collect();
    // A template over CloudFormation's inline limit goes through an S3
    // bucket, as a user's would (SwiftCode's stage is one).
    let body_len = match s.body {
        Some(rewrite) => rewrite(&template.to_yaml()).len(),
        None => template.to_yaml().len(),
    };
    let through_s3 = body_len > MAX_INLINE_BYTES;
    // moto 5.2.5 reads a TemplateURL as path-style (bucket in the path)
    // only when it contains "localhost" (get_stack_from_s3_url in
    // moto/cloudformation/utils.py); for http://127.0.0.1:PORT/bucket/key
    // it takes the host's first label, "127", for the bucket and answers
    // "The specified bucket does not exist". hagen builds the URL from the
    // endpoint it is given, so a deploy through S3 names the emulator
    // localhost, which is the same address.
    let ep = if through_s3 {
        moto.endpoint().replace("127.0.0.1", "localhost")
    } else {
        moto.endpoint()
    };
    let mut bucket_flags = Vec::new();
    if through_s3 {
        let bucket = format!("{}-templates", stack.to_lowercase());
        aws::block_on(async { aws::s3(&ep).create_bucket().bucket(&bucket).send().await })
            .expect("template bucket in moto");
        bucket_flags = vec!["--bucket".to_owned(), bucket];
    }
    let with = |value: &str| -> Vec<String> {
        let mut flags = vec![
            "--yes".to_owned(),
            "--parameter".into(),
            format!("{param}={value}"),
        ];
        flags.extend(bucket_flags.iter().cloned());
        for f in &fixed {
            flags.push("--parameter".into());
            flags.push(f.clone());
        }
        flags
    };
    let first_flags = with(first);
    let first_flags: Vec<&str> = first_flags.iter().map(String::as_str).collect();
    let deploy = |flags: &[&str]| -> Run {
        match s.body {
            Some(rewrite) => {
                aws::deploy_body(&ep, &stack, template, &rewrite(&template.to_yaml()), flags)
            }
            None => aws::deploy(&ep, &stack, template, flags, &[]),
        }
    };
    let created = deploy(&first_flags);
    assert_eq!(created.code, 0, "create failed:\n{}", created.all());
    assert!(created.out.contains("creates stack"), "{}", created.all());
    assert!(created.out.contains("CREATE_COMPLETE"), "{}", created.all());
    let resources = aws::stack_resources(&ep, &stack);
    for ty in s.expect_types {
        assert!(
            CHECKED_TYPES.contains(ty),
            "{ty} is expected but check_exists cannot look it up"
        );
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
    let updated = deploy(&second_flags);
    assert_eq!(updated.code, 0, "update failed:\n{}", updated.all());
    assert!(updated.out.contains("updates stack"), "{}", updated.all());
    assert!(
        updated
            .out
            .contains(&format!("  {param}: {first} -> {second}")),
        "the review shows the parameter change:\n{}",
        updated.all()
    );
    for (other, _) in s.fixed {
        assert!(
            !updated.out.contains(&format!("  {other}: ")),
            "only {param} changes in the update:\n{}",
            updated.all()
        );
    }
    assert!(updated.out.contains("UPDATE_COMPLETE"), "{}", updated.all());

    // No --parameter: the deployed value is kept (UsePreviousValue), so
    // nothing changes.
    let mut again_flags = vec!["--yes"];
    again_flags.extend(bucket_flags.iter().map(String::as_str));
    let again = deploy(&again_flags);
    assert_eq!(again.code, 0, "no-change deploy failed:\n{}", again.all());
    assert_unchanged(&again, through_s3);

    // Same parameter values given explicitly: still no changes.
    let same = deploy(&second_flags);
    assert_eq!(same.code, 0, "{}", same.all());
    assert_unchanged(&same, through_s3);
}

/// A redeploy of the same template and parameters changed nothing.
///
/// moto 5.2.5 recognises an unchanged stack only when the template comes
/// as a TemplateBody (its `_validate_different_update` answers "No updates
/// are to be performed."); from a TemplateURL it creates a change set with
/// no changes in it, which CloudFormation would mark FAILED ("didn't contain
/// changes"). Through S3 the test therefore accepts that change set, as
/// long as it changes no resource and no parameter; hagen's own reading of
/// "no changes" is covered inline here (the network stack) and against
/// LocalStack.
fn assert_unchanged(run: &Run, through_s3: bool) {
    if run.out.contains("no changes") {
        assert!(!run.out.contains("Executing"), "{}", run.all());
        return;
    }
    assert!(through_s3, "expected no changes:\n{}", run.all());
    assert!(
        run.out.contains(": 0 resource changes"),
        "an unchanged redeploy must change no resource:\n{}",
        run.all()
    );
    assert!(
        !run.out.contains(" -> "),
        "no parameter may change:\n{}",
        run.all()
    );
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
            body: None,
        },
    );
}

/// What a SwiftCode deploy needs to exist in the account beforehand.
pub(crate) struct Prerequisites {
    pub(crate) hosted_zone_id: String,
    pub(crate) certificate_arn: String,
    pub(crate) key_name: String,
}

/// The text between the first `<tag>` and `</tag>` of an XML answer.
fn xml_field(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{tag}>"))? + start;
    Some(body[start..end].to_owned())
}

/// Creates the hosted zone (Route 53 REST API), the ACM certificate (JSON
/// API) and the EC2 key pair SwiftCode's parameters point at: moto checks
/// that listener certificates exist, and a user has all three before a
/// first deploy.
pub(crate) fn create_prerequisites(endpoint: &str, domain: &str) -> Prerequisites {
    let addr = endpoint.trim_start_matches("http://");
    let auth = |service: &str| {
        (
            "Authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=test/20260101/{}/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000",
                aws::REGION
            ),
        )
    };
    let zone_name = domain.split_once('.').map(|(_, z)| z).unwrap_or(domain);
    let zone = http::request(
        addr,
        "POST",
        "/2013-04-01/hostedzone",
        &[
            ("Content-Type", "application/xml".to_owned()),
            ("X-Amz-Date", "20260101T000000Z".to_owned()),
            auth("route53"),
        ],
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>{zone_name}.</Name><CallerReference>hagen-moto-test</CallerReference></CreateHostedZoneRequest>"#
        ),
    )
    .unwrap_or_else(|e| panic!("CreateHostedZone: {e}"));
    assert_eq!(zone.status, 201, "CreateHostedZone: {}", zone.body);
    let hosted_zone_id = xml_field(&zone.body, "Id")
        .and_then(|id| id.rsplit('/').next().map(str::to_owned))
        .unwrap_or_else(|| panic!("no hosted zone Id in {}", zone.body));

    let cert = http::request(
        addr,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.1".to_owned()),
            (
                "X-Amz-Target",
                "CertificateManager.RequestCertificate".to_owned(),
            ),
            ("X-Amz-Date", "20260101T000000Z".to_owned()),
            auth("acm"),
        ],
        &format!(r#"{{"DomainName":"{domain}","ValidationMethod":"DNS"}}"#),
    )
    .unwrap_or_else(|e| panic!("RequestCertificate: {e}"));
    assert_eq!(cert.status, 200, "RequestCertificate: {}", cert.body);
    let answer: serde_json::Value = serde_json::from_str(&cert.body)
        .unwrap_or_else(|e| panic!("RequestCertificate answer {}: {e}", cert.body));
    let certificate_arn = answer["CertificateArn"]
        .as_str()
        .unwrap_or_else(|| panic!("no CertificateArn in {}", cert.body))
        .to_owned();

    let key_name = "hagen-bastion".to_owned();
    let key = aws_query(
        endpoint,
        "ec2",
        &[
            ("Action", "CreateKeyPair"),
            ("KeyName", &key_name),
            ("Version", "2016-11-15"),
        ],
    );
    assert_eq!(key.status, 200, "CreateKeyPair: {}", key.body);
    Prerequisites {
        hosted_zone_id,
        certificate_arn,
        key_name,
    }
}

/// The SwiftCode stage template, as `hagen synth --env stage` builds it.
fn swiftcode_stage() -> Template {
    let bp = swiftcode::SwiftCode;
    let resolved =
        blueprint::resolve(&bp, &Config::builtin(), Some("stage")).expect("built-in stage");
    blueprint::synthesize(&bp, &resolved)
        .expect("SwiftCode builds")
        .template
}

/// moto 5.2.5 cannot create an `AWS::KMS::Key` that has `Tags`: its
/// CloudFormation handler hands the template's `Key`/`Value` tags to the
/// KMS tagger, which reads `TagKey`, and ExecuteChangeSet answers 500
/// (`KeyError: 'TagKey'` in moto/utilities/tagging_service.py). The
/// template is right (CloudFormation's KMS key tags are `Key`/`Value`), so
/// the quirk is handled here: the tags of KMS keys are dropped from the copy
/// sent to moto. Returns the logical IDs it changed.
pub(crate) fn without_kms_key_tags(template: &mut Template) -> Vec<String> {
    template
        .resources
        .iter_mut()
        .filter(|(_, r)| r.resource_type == "AWS::KMS::Key")
        .filter_map(|(id, r)| r.properties.shift_remove("Tags").map(|_| id.clone()))
        .collect()
}

/// moto 5.2.5 reads the YAML short form `!GetAtt Db.Endpoint.Address` by
/// splitting at every dot (CloudFormation splits at the first), so it asks
/// the DB instance for attribute `Endpoint` and fails ExecuteChangeSet with
/// "Template error: resource DbInstance does not support attribute type
/// Endpoint in Fn::GetAtt". The text sent to moto spells such calls in the
/// long form, `{"Fn::GetAtt": ["Db", "Endpoint.Address"]}`, which moto
/// reads right; everything else is hagen's YAML unchanged.
pub(crate) fn long_form_nested_getatt(yaml: &str) -> String {
    let nested = regex::Regex::new(r"!GetAtt ([A-Za-z0-9]+)\.([A-Za-z0-9]+\.[A-Za-z0-9.]+)")
        .expect("a valid pattern");
    let rewritten = nested.replace_all(yaml, r#"{"Fn::GetAtt": ["$1", "$2"]}"#);
    assert_ne!(rewritten, yaml, "the template has nested GetAtt attributes");
    rewritten.into_owned()
}

/// The bastion AMI the copy sent to moto defaults to.
const MOTO_BASTION_AMI: &str = "ami-0ccccccccccccccc3";

/// moto 5.2.5 resolves an SSM-typed parameter (`BastionImageId`,
/// `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`) on create, but then
/// reports the resolved AMI ID as its ParameterValue, where CloudFormation
/// keeps the SSM path (the AMI is the ResolvedValue). An update with
/// UsePreviousValue (what hagen sends for parameters not given) then looks
/// the AMI ID up as an SSM parameter and ExecuteChangeSet answers 500
/// (`AttributeError: 'NoneType' object has no attribute 'value'` in
/// moto/cloudformation/parsing.py `parse_ssm_parameter`); giving the path
/// instead shows as a parameter change on every deploy. The copy sent to
/// moto declares it a plain `AWS::EC2::Image::Id` with a fixed default.
/// Returns the parameter's type before.
pub(crate) fn without_ssm_bastion_ami(template: &mut Template) -> String {
    let p = template
        .parameters
        .get_mut("BastionImageId")
        .expect("SwiftCode stage has a bastion image parameter");
    p.default = Some(hagen::template::Expr::string(MOTO_BASTION_AMI));
    std::mem::replace(&mut p.param_type, "AWS::EC2::Image::Id".to_owned())
}

/// A secret ARN standing in for `!GetAtt DbInstance.MasterUserSecret.SecretArn`
/// in the copy sent to moto.
const MOTO_DB_SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:hagen-moto-db-AbCdEf";

/// moto 5.2.5's `AWS::RDS::DBInstance` answers only `Endpoint.Address` and
/// `Endpoint.Port` to `Fn::GetAtt`; `MasterUserSecret.SecretArn` (which
/// CloudFormation gives when `ManageMasterUserPassword` is true) fails
/// ExecuteChangeSet with "Template error: resource DbInstance does not
/// support attribute type MasterUserSecret in Fn::GetAtt". The copy sent to
/// moto gets a fixed secret ARN there instead. Returns how many places
/// changed.
pub(crate) fn without_master_user_secret_getatt(template: &mut Template) -> usize {
    fn replace(v: &mut serde_json::Value, count: &mut usize) {
        let target =
            serde_json::json!({"Fn::GetAtt": ["DbInstance", "MasterUserSecret.SecretArn"]});
        if *v == target {
            *v = serde_json::Value::String(MOTO_DB_SECRET_ARN.to_owned());
            *count += 1;
            return;
        }
        match v {
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| replace(i, count)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|i| replace(i, count)),
            _ => {}
        }
    }
    let mut json: serde_json::Value =
        serde_json::from_str(&template.to_json()).expect("hagen writes valid JSON");
    let mut count = 0;
    replace(&mut json, &mut count);
    let parsed = parse_template(&json.to_string(), "swiftcode-moto.json")
        .expect("the adapted template parses");
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    *template = parsed.template;
    count
}

#[test]
fn swiftcode_stack_create_update_and_no_change() {
    let moto = Emulator::moto();
    let domain = "app.example.com";
    let pre = create_prerequisites(&moto.endpoint(), domain);
    let mut template = swiftcode_stage();
    assert_eq!(
        without_kms_key_tags(&mut template),
        ["AlertsKey", "DbLogKey"],
        "the moto adaptation touches only the KMS keys (the alert topic's, the database logs')"
    );
    assert_eq!(
        without_ssm_bastion_ami(&mut template),
        "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    );
    assert_eq!(
        without_master_user_secret_getatt(&mut template),
        2,
        "the app role's policy and the launch template's user data name the secret"
    );
    let fixed = vec![
        ("AdminCidr", "203.0.113.10/32".to_owned()),
        ("CertificateArn", pre.certificate_arn),
        ("HostedZoneId", pre.hosted_zone_id),
        ("DomainName", domain.to_owned()),
        ("AlertEmail", "ops@example.com".to_owned()),
        ("KeyName", pre.key_name),
    ];
    // Every parameter without a default is given: a new one in the
    // blueprint must be added here, not left for the deploy to reject.
    for (name, p) in &template.parameters {
        assert!(
            p.default.is_some() || name == "ImageId" || fixed.iter().any(|(k, _)| k == name),
            "SwiftCode parameter {name} has no default and no value in this test"
        );
    }
    lifecycle(
        &moto,
        Scenario {
            template: &template,
            changed: ("ImageId", "ami-0aaaaaaaaaaaaaaa1", "ami-0bbbbbbbbbbbbbbb2"),
            fixed: &fixed,
            expect_types: &[
                "AWS::EC2::VPC",
                "AWS::EC2::Subnet",
                "AWS::EC2::SecurityGroup",
                "AWS::AutoScaling::AutoScalingGroup",
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "AWS::ElasticLoadBalancingV2::TargetGroup",
                "AWS::RDS::DBInstance",
                "AWS::SNS::Topic",
            ],
            body: Some(long_form_nested_getatt),
        },
    );
}
