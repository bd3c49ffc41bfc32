//! Runs cfn-lint (the pinned venv from `tools/venv.sh`) on templates built
//! from the network constructs (VPC with per-AZ and single NAT, web NACL
//! tiers, security groups referring to each other) and fails on any error
//! or warning. It fails loudly when the venv cannot be built.

use crate::tools;

use hagen::constructs::nacl::{NetworkAcls, WebTiers};
use hagen::constructs::security_group::{Peer, SecurityGroup, Traffic};
use hagen::constructs::vpc::{NatGateways, Vpc, VpcProps};
use hagen::stack::Stack;
use hagen::template::Parameter;

fn template(az_count: usize, nat_gateways: NatGateways) -> String {
    let mut stack = Stack::new("hagen network constructs, cfn-lint check");
    stack.tag("Project", "swiftcode");
    let admin = stack
        .parameter(
            "AdminCidr",
            Parameter {
                param_type: "String".into(),
                description: Some("Who may reach the bastion over SSH".into()),
                allowed_pattern: Some(r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$".into()),
                ..Parameter::default()
            },
        )
        .unwrap();
    let vpc = Vpc::new(
        &mut stack,
        "Network",
        VpcProps {
            az_count,
            nat_gateways,
            ..VpcProps::default()
        },
    )
    .unwrap();
    NetworkAcls::web(
        &mut stack,
        "NetworkAcl",
        &vpc,
        &WebTiers {
            admin_cidr: Some(admin.reference().into()),
            app_ports: vec![8080, 8000],
            db_port: 5432,
        },
    )
    .unwrap();
    let alb = SecurityGroup::new(&mut stack, "Alb", &vpc, "Load balancer").unwrap();
    let app = SecurityGroup::new(&mut stack, "App", &vpc, "App instances").unwrap();
    let db = SecurityGroup::new(&mut stack, "Db", &vpc, "Database").unwrap();
    let bastion = SecurityGroup::new(&mut stack, "Bastion", &vpc, "Bastion host").unwrap();
    alb.allow_from(
        &mut stack,
        &Peer::anywhere(),
        Traffic::tcp(443),
        "HTTPS from users",
    )
    .unwrap();
    alb.allow_from(
        &mut stack,
        &Peer::anywhere_ipv6(),
        Traffic::tcp(443),
        "HTTPS from users",
    )
    .unwrap();
    for (port, what) in [(8080, "SwiftCode"), (8000, "Leto")] {
        app.allow_from(
            &mut stack,
            &Peer::group(&alb),
            Traffic::tcp(port),
            &format!("{what} from the load balancer"),
        )
        .unwrap();
    }
    app.allow_from(
        &mut stack,
        &Peer::group(&bastion),
        Traffic::tcp(22),
        "SSH from the bastion",
    )
    .unwrap();
    app.allow_from(
        &mut stack,
        &Peer::anywhere(),
        Traffic::icmp(3, 4),
        "Path MTU discovery",
    )
    .unwrap();
    db.allow_from(
        &mut stack,
        &Peer::group(&app),
        Traffic::tcp(5432),
        "PostgreSQL from the app",
    )
    .unwrap();
    bastion
        .allow_from(
            &mut stack,
            &Peer::ipv4("Admin", admin.reference()),
            Traffic::tcp(22),
            "SSH from the admin network",
        )
        .unwrap();
    stack.into_template().unwrap().to_yaml()
}

#[test]
fn cfn_lint_accepts_the_network_constructs_without_errors_or_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, azs, nat) in [
        ("per-az.yaml", 2, NatGateways::PerAz),
        ("three-az.yaml", 3, NatGateways::PerAz),
        ("single-nat.yaml", 3, NatGateways::Single),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, template(azs, nat)).unwrap();
        files.push(file);
    }
    let files: Vec<&std::path::Path> = files.iter().map(|f| f.as_path()).collect();
    tools::assert_cfn_lint_clean(&files);
}
