//! Runs cfn-lint (the pinned venv from `tools/venv.sh`) on a template built
//! from the compute constructs (load-balanced Auto Scaling groups over two
//! and three zones, both scaling modes, application alarms over two
//! targets, a log bucket taking access and flow logs, NAT gateway alarms,
//! public bastions with and without an Elastic IP and key pair, a private
//! Session Manager bastion with a status check alarm), wired to the real
//! `Vpc` and `SecurityGroup` constructs, and fails on any error or warning.
//! It fails loudly when the venv cannot be built.

use crate::tools;

use hagen::constructs::SubnetKind;
use hagen::constructs::bastion::{Bastion, BastionProps};
use hagen::constructs::load_balanced_asg::{
    AppTargetProps, AsgNetwork, Capacity, LoadBalancedAsg, LoadBalancedAsgProps, UserData,
};
use hagen::constructs::log_bucket::{LogBucket, LogBucketProps};
use hagen::constructs::monitoring::{AppAlarms, AppAlarmsProps};
use hagen::constructs::scaling::{
    CpuPolicyKind, CpuScaling, RequestCountTracking, Scaling, ScalingMode, ScalingProps,
};
use hagen::constructs::security_group::{Peer, SecurityGroup, Traffic};
use hagen::constructs::vpc::{Vpc, VpcProps};
use hagen::resources::sns::Topic;
use hagen::stack::Stack;

use tools::{output, parameter};

fn template() -> String {
    let mut stack = Stack::new("hagen compute constructs, cfn-lint check");
    stack.tag("Project", "swiftcode");
    let ami = parameter(&mut stack, "AmiId", "AWS::EC2::Image::Id");
    let cert = parameter(&mut stack, "CertificateArn", "String");
    let key = parameter(&mut stack, "KeyName", "AWS::EC2::KeyPair::KeyName");

    let admin_cidr = parameter(&mut stack, "AdminCidr", "String");

    let logs = LogBucket::new(
        &mut stack,
        "Logs",
        &LogBucketProps::new(90).with_access_logs().with_flow_logs(),
    )
    .unwrap();
    let mut vpc = Vpc::new(
        &mut stack,
        "Network",
        VpcProps {
            az_count: 3,
            flow_logs: logs.flow_logs(),
            ..VpcProps::default()
        },
    )
    .unwrap();
    let attachment = vpc.gateway_attachment().unwrap().clone();
    let public: Vec<_> = vpc
        .subnets(SubnetKind::Public)
        .into_iter()
        .cloned()
        .collect();
    let private: Vec<_> = vpc
        .subnets(SubnetKind::Private)
        .into_iter()
        .cloned()
        .collect();
    let alb = SecurityGroup::new(&mut stack, "Alb", &vpc, "Load balancer").unwrap();
    let app = SecurityGroup::new(&mut stack, "App", &vpc, "Application instances").unwrap();
    let bastion = SecurityGroup::new(&mut stack, "Bastion", &vpc, "Bastion host").unwrap();
    // The load balancer's paths (80 and 443 in, 8080 to the instances) are
    // opened by LoadBalancedAsg itself.
    app.allow_from(
        &mut stack,
        &Peer::group(&bastion),
        Traffic::tcp(22),
        "SSH from the bastion",
    )
    .unwrap();
    bastion
        .allow_from(
            &mut stack,
            &Peer::ipv4("Admin", admin_cidr.reference()),
            Traffic::tcp(22),
            "SSH from the admins",
        )
        .unwrap();
    let bastion_sg = bastion.handle().clone();
    let topic = stack
        .add("Alerts", Topic::new().kms_master_key_id("alias/aws/sns"))
        .unwrap();
    vpc.add_nat_alarms(&mut stack, &topic).unwrap();

    let network = |azs: usize| AsgNetwork {
        vpc_id: vpc.vpc_id().into(),
        public_subnets: public.to_vec(),
        private_subnets: private[..azs].to_vec(),
        load_balancer_security_group: alb.clone(),
        app_security_group: app.clone(),
    };

    // Defaults, two zones, CPU step scaling and the application alarms.
    let mut web =
        LoadBalancedAsgProps::new(network(2), ami.reference(), cert.reference(), topic.clone());
    web.user_data = Some(UserData::text("#!/bin/bash\nsystemctl start app\n"));
    let mut web = LoadBalancedAsg::new(&mut stack, "Web", &web).unwrap();
    web.add_target(
        &mut stack,
        "Admin",
        &AppTargetProps::new("Admin", 8081, vec!["/admin/*".into()], 10),
    )
    .unwrap();
    Scaling::new(
        &mut stack,
        "WebScaling",
        &ScalingProps {
            auto_scaling_group: web.auto_scaling_group.clone(),
            mode: ScalingMode::Cpu(CpuScaling::new(topic.clone())),
        },
    )
    .unwrap();
    AppAlarms::new(
        &mut stack,
        "WebAlarms",
        &AppAlarmsProps::for_app(&web, topic.clone()),
    )
    .unwrap();

    // Three zones, signals, access logs, key pair, dual stack off,
    // request-count tracking; and simple CPU policies on the same group.
    let mut api =
        LoadBalancedAsgProps::new(network(3), ami.reference(), cert.reference(), topic.clone());
    api.capacity = Capacity {
        min: 3,
        desired: 3,
        max: 9,
    };
    api.rolling_update.wait_on_resource_signals = true;
    api.key_name = Some(key.reference().into());
    api.access_logs = logs.access_logs();
    api.health_check.path = "/health".into();
    api.health_check.matcher = "200-399".into();
    api.metadata_hop_limit = 2;
    api.deletion_protection = false;
    let api = LoadBalancedAsg::new(&mut stack, "Api", &api.group_depends_on(&attachment)).unwrap();
    Scaling::new(
        &mut stack,
        "ApiTracking",
        &ScalingProps {
            auto_scaling_group: api.auto_scaling_group.clone(),
            mode: ScalingMode::RequestCount(RequestCountTracking::new(
                api.load_balancer.clone(),
                api.target_group.clone(),
                api.https_listener.clone(),
            )),
        },
    )
    .unwrap();
    let mut simple = CpuScaling::new(topic.clone());
    simple.policy_kind = CpuPolicyKind::Simple;
    Scaling::new(
        &mut stack,
        "ApiCpu",
        &ScalingProps {
            auto_scaling_group: api.auto_scaling_group.clone(),
            mode: ScalingMode::Cpu(simple),
        },
    )
    .unwrap();

    // Public without a key pair, public with a key pair and an Elastic IP,
    // and private (Session Manager only) with a status check alarm.
    let public_ssm = Bastion::new(
        &mut stack,
        "Bastion",
        &BastionProps::new(ami.reference(), public[0].clone(), bastion_sg.clone()),
    )
    .unwrap();
    let mut with_key = BastionProps::new(ami.reference(), public[1].clone(), bastion_sg.clone())
        .depends_on(&attachment);
    with_key.key_name = Some(key.reference().into());
    with_key.elastic_ip = true;
    let with_key = Bastion::new(&mut stack, "Jump", &with_key).unwrap();
    let mut private_ssm = BastionProps::new(ami.reference(), private[0].clone(), bastion_sg)
        .depends_on(&vpc.private_default_routes()[0]);
    private_ssm.public_address = false;
    private_ssm.alarm_topic = Some(topic.clone());
    let private_ssm = Bastion::new(&mut stack, "Inner", &private_ssm).unwrap();

    output(&mut stack, "SiteUrl", web.url());
    output(&mut stack, "LoadBalancerDns", web.load_balancer.dns_name());
    output(
        &mut stack,
        "BastionAddress",
        public_ssm.public_ip().unwrap(),
    );
    output(&mut stack, "JumpAddress", with_key.public_ip().unwrap());
    output(&mut stack, "InnerInstance", private_ssm.instance_id());
    stack.into_template().unwrap().to_yaml()
}

#[test]
fn cfn_lint_accepts_the_compute_constructs_without_errors_or_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("compute.yaml");
    std::fs::write(&file, template()).unwrap();
    tools::assert_cfn_lint_clean(&[&file]);
}
