//! Runs cfn-lint (the pinned venv from `tools/venv.sh`) on a small template
//! built from the data, DNS and notification constructs (database, alias
//! record, alert topic) with every engine and encryption choice, and fails
//! on any error or warning. It fails loudly when the venv cannot be built.

use crate::tools;

use hagen::constructs::alert_topic::{AlertTopic, AlertTopicProps, TopicEncryption};
use hagen::constructs::database::{Database, DatabaseProps, DbEngine};
use hagen::constructs::dns::{AliasRecord, AliasRecordProps};
use hagen::constructs::{SubnetInfo, SubnetKind};
use hagen::resources::ec2::security_group::Ingress as SecurityGroupIngressRule;
use hagen::resources::ec2::{SecurityGroup, Subnet, Vpc};
use hagen::stack::Stack;
use hagen::template::fns;

use tools::{output, parameter};

fn template() -> String {
    let mut stack = Stack::new("hagen data constructs, cfn-lint check");
    stack.tag("Project", "swiftcode");
    let email = parameter(&mut stack, "AlertEmail", "String");
    let zone = parameter(&mut stack, "HostedZoneId", "AWS::Route53::HostedZone::Id");
    let domain = parameter(&mut stack, "DomainName", "String");
    let lb_dns = parameter(&mut stack, "LbDnsName", "String");
    let lb_zone = parameter(&mut stack, "LbHostedZoneId", "String");

    let vpc = stack
        .add(
            "Vpc",
            Vpc::new()
                .cidr_block("10.0.0.0/16")
                .enable_dns_support(true)
                .enable_dns_hostnames(true),
        )
        .unwrap();
    let subnets: Vec<SubnetInfo> = (0..2)
        .map(|az| {
            let cidr = format!("10.0.{}.0/24", 20 + az);
            let handle = stack
                .add(
                    &format!("IsolatedSubnet{}", az + 1),
                    Subnet::new(vpc.reference())
                        .cidr_block(cidr.as_str())
                        .availability_zone(fns::az(az)),
                )
                .unwrap();
            SubnetInfo {
                handle,
                az_index: az,
                cidr: cidr.parse().unwrap(),
                kind: SubnetKind::Isolated,
            }
        })
        .collect();
    let db_sg = stack
        .add(
            "DbSecurityGroup",
            SecurityGroup::new("database")
                .vpc_id(vpc.reference())
                .security_group_ingress(vec![
                    SecurityGroupIngressRule::new("tcp")
                        .from_port(5432)
                        .to_port(5432)
                        .cidr_ip("10.0.0.0/16")
                        .description("PostgreSQL from the VPC"),
                ]),
        )
        .unwrap();

    let alerts = AlertTopic::new(
        &mut stack,
        "Alerts",
        &AlertTopicProps::new(email.reference()),
    )
    .unwrap();
    let mut managed = AlertTopicProps::new("ops@example.com");
    managed.encryption = TopicEncryption::AwsManagedKey;
    managed.display_name = Some("SwiftCode".into());
    AlertTopic::new(&mut stack, "Plain", &managed).unwrap();

    let pg_props = DatabaseProps::new(&subnets, db_sg.clone(), alerts.topic.clone()).production();
    let pg = Database::new(&mut stack, "Db", &pg_props).unwrap();
    let mut mysql = DatabaseProps::new(&subnets, db_sg, alerts.topic.clone());
    mysql.engine = DbEngine::MySql;
    mysql.instance_class = "db.t4g.micro".into();
    mysql.database_name = Some("leto".into());
    mysql.multi_az = false;
    Database::new(&mut stack, "Legacy", &mysql).unwrap();

    let mut alias = AliasRecordProps {
        hosted_zone_id: zone.reference().into(),
        domain_name: domain.reference().into(),
        target_dns_name: lb_dns.reference().into(),
        target_hosted_zone_id: lb_zone.reference().into(),
        ipv6: true,
    };
    AliasRecord::new(&mut stack, "Site", &alias).unwrap();
    alias.domain_name = "www.example.com".into();
    alias.ipv6 = false;
    AliasRecord::new(&mut stack, "Www", &alias).unwrap();

    output(&mut stack, "DbEndpoint", pg.endpoint_address());
    output(&mut stack, "DbPort", pg.endpoint_port());
    output(&mut stack, "DbSecretArn", pg.secret_arn());
    output(&mut stack, "TopicArn", alerts.arn());
    stack.into_template().unwrap().to_yaml()
}

#[test]
fn cfn_lint_accepts_the_data_constructs_without_errors_or_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.yaml");
    std::fs::write(&file, template()).unwrap();
    tools::assert_cfn_lint_clean(&[&file]);
}
