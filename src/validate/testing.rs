//! Test helpers: templates written as JSON (long-form intrinsics) turned
//! into the IR, so unit tests read like the templates they check.

use indexmap::IndexMap;
use serde_json::{Value as Json, json};

use crate::template::{Expr, Intrinsic, Output, Parameter, Resource, RetentionPolicy, Template};

/// The IR value of a JSON value; single-key maps named like an intrinsic
/// become that intrinsic.
pub fn expr(v: &Json) -> Expr {
    match v {
        Json::Null => Expr::Null,
        Json::Bool(b) => Expr::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map(Expr::Int)
            .unwrap_or_else(|| Expr::Float(n.as_f64().unwrap())),
        Json::String(s) => Expr::String(s.clone()),
        Json::Array(items) => Expr::List(items.iter().map(expr).collect()),
        Json::Object(m) => {
            if m.len() == 1 {
                let (k, arg) = m.iter().next().unwrap();
                if let Some(f) = intrinsic(k, arg) {
                    return Expr::func(f);
                }
            }
            Expr::Map(m.iter().map(|(k, v)| (k.clone(), expr(v))).collect())
        }
    }
}

fn s(v: &Json) -> String {
    v.as_str().unwrap().to_owned()
}

fn intrinsic(name: &str, arg: &Json) -> Option<Intrinsic> {
    let list = |i: usize| expr(&arg[i]);
    Some(match name {
        "Ref" => Intrinsic::Ref(s(arg)),
        "Condition" => Intrinsic::Condition(s(arg)),
        "Fn::GetAtt" => {
            let (r, a) = match arg {
                Json::String(t) => {
                    let (r, a) = t.split_once('.').unwrap();
                    (r.to_owned(), a.to_owned())
                }
                _ => (s(&arg[0]), s(&arg[1])),
            };
            Intrinsic::GetAtt {
                resource: r,
                attribute: a,
            }
        }
        "Fn::Sub" => match arg {
            Json::String(t) => Intrinsic::Sub {
                template: t.clone(),
                variables: IndexMap::new(),
            },
            _ => Intrinsic::Sub {
                template: s(&arg[0]),
                variables: arg[1]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), expr(v)))
                    .collect(),
            },
        },
        "Fn::Join" => Intrinsic::Join {
            delimiter: s(&arg[0]),
            values: list(1),
        },
        "Fn::Select" => Intrinsic::Select {
            index: list(0),
            list: list(1),
        },
        "Fn::Split" => Intrinsic::Split {
            delimiter: s(&arg[0]),
            source: list(1),
        },
        "Fn::GetAZs" => Intrinsic::GetAZs(expr(arg)),
        "Fn::Base64" => Intrinsic::Base64(expr(arg)),
        "Fn::ImportValue" => Intrinsic::ImportValue(expr(arg)),
        "Fn::Cidr" => Intrinsic::Cidr {
            block: list(0),
            count: list(1),
            bits: list(2),
        },
        "Fn::If" => Intrinsic::If {
            condition: s(&arg[0]),
            then: list(1),
            otherwise: list(2),
        },
        "Fn::Equals" => Intrinsic::Equals(list(0), list(1)),
        "Fn::And" => Intrinsic::And(arg.as_array().unwrap().iter().map(expr).collect()),
        "Fn::Or" => Intrinsic::Or(arg.as_array().unwrap().iter().map(expr).collect()),
        "Fn::Not" => Intrinsic::Not(list(0)),
        "Fn::FindInMap" => Intrinsic::FindInMap {
            map: list(0),
            top_key: list(1),
            second_key: list(2),
        },
        _ => return None,
    })
}

fn map(v: &Json) -> IndexMap<String, Expr> {
    v.as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), expr(v))).collect())
        .unwrap_or_default()
}

/// A template from its JSON form.
pub fn template(v: Json) -> Template {
    let mut t = Template {
        format_version: v.get("AWSTemplateFormatVersion").map(s),
        description: v.get("Description").map(s),
        metadata: map(&v["Metadata"]),
        transform: v.get("Transform").map(expr),
        ..Template::default()
    };
    if let Some(ps) = v["Parameters"].as_object() {
        for (k, p) in ps {
            let num = |key: &str| p.get(key).and_then(Json::as_f64);
            t.parameters.insert(
                k.clone(),
                Parameter {
                    param_type: s(&p["Type"]),
                    description: p.get("Description").map(s),
                    default: p.get("Default").map(expr),
                    allowed_values: p
                        .get("AllowedValues")
                        .and_then(Json::as_array)
                        .map(|a| a.iter().map(expr).collect())
                        .unwrap_or_default(),
                    allowed_pattern: p.get("AllowedPattern").map(s),
                    min_length: p.get("MinLength").and_then(Json::as_i64),
                    max_length: p.get("MaxLength").and_then(Json::as_i64),
                    min_value: num("MinValue"),
                    max_value: num("MaxValue"),
                    no_echo: p.get("NoEcho").and_then(Json::as_bool).unwrap_or(false),
                    constraint_description: p.get("ConstraintDescription").map(s),
                },
            );
        }
    }
    if let Some(ms) = v["Mappings"].as_object() {
        for (name, top) in ms {
            let top = top
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, second)| (k.clone(), map(second)))
                .collect();
            t.mappings.insert(name.clone(), top);
        }
    }
    t.conditions = map(&v["Conditions"]);
    if let Some(rs) = v["Resources"].as_object() {
        for (id, r) in rs {
            let depends_on = match &r["DependsOn"] {
                Json::String(d) => vec![d.clone()],
                Json::Array(ds) => ds.iter().map(s).collect(),
                _ => Vec::new(),
            };
            let policy = |k: &str| {
                r.get(k)
                    .and_then(Json::as_str)
                    .and_then(RetentionPolicy::parse)
            };
            t.resources.insert(
                id.clone(),
                Resource {
                    resource_type: s(&r["Type"]),
                    condition: r.get("Condition").map(s),
                    depends_on,
                    deletion_policy: policy("DeletionPolicy"),
                    update_replace_policy: policy("UpdateReplacePolicy"),
                    creation_policy: r.get("CreationPolicy").map(expr),
                    update_policy: r.get("UpdatePolicy").map(expr),
                    metadata: map(&r["Metadata"]),
                    properties: map(&r["Properties"]),
                },
            );
        }
    }
    if let Some(os) = v["Outputs"].as_object() {
        for (k, o) in os {
            t.outputs.insert(
                k.clone(),
                Output {
                    description: o.get("Description").map(s),
                    value: expr(&o["Value"]),
                    export_name: o.get("Export").map(|e| expr(&e["Name"])),
                    condition: o.get("Condition").map(s),
                },
            );
        }
    }
    t
}

/// A small, correct two-AZ web stack in the SwiftCode shape: public,
/// private and isolated subnets per AZ, a NAT per AZ, tiered network ACLs,
/// security groups referring to each other, an ALB with an HTTP redirect and
/// an HTTPS listener, a launch template and an Auto Scaling group, and a
/// Multi-AZ encrypted database with a managed password. Tests change one
/// thing in it and expect exactly one finding.
pub fn ha_stack() -> Json {
    let mut resources = serde_json::Map::new();
    let mut put = |id: &str, v: Json| {
        resources.insert(id.to_owned(), v);
    };
    put(
        "Vpc",
        json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}),
    );
    put("Igw", json!({"Type": "AWS::EC2::InternetGateway"}));
    put(
        "IgwAttach",
        json!({"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}}),
    );
    put(
        "PublicRt",
        json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}),
    );
    put(
        "PublicRoute",
        json!({"Type": "AWS::EC2::Route", "DependsOn": "IgwAttach", "Properties": {"RouteTableId": {"Ref": "PublicRt"}, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": "Igw"}}}),
    );
    put(
        "DbRt",
        json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}),
    );
    for (acl, entries) in [
        (
            "PublicAcl",
            vec![
                (100, false, 6, "0.0.0.0/0", Some((443, 443))),
                (110, false, 6, "0.0.0.0/0", Some((80, 80))),
                (120, false, 6, "0.0.0.0/0", Some((1024, 65535))),
                (100, true, -1, "0.0.0.0/0", None),
            ],
        ),
        (
            "PrivateAcl",
            vec![
                (100, false, -1, "10.0.0.0/16", None),
                (110, false, 6, "0.0.0.0/0", Some((1024, 65535))),
                (100, true, -1, "0.0.0.0/0", None),
            ],
        ),
        (
            "DbAcl",
            vec![
                (100, false, 6, "10.0.2.0/23", Some((5432, 5432))),
                (100, true, 6, "10.0.2.0/23", Some((1024, 65535))),
            ],
        ),
    ] {
        put(
            acl,
            json!({"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": {"Ref": "Vpc"}}}),
        );
        for (n, egress, proto, cidr, ports) in entries {
            let mut p = json!({"NetworkAclId": {"Ref": acl}, "RuleNumber": n, "Egress": egress,
                "Protocol": proto, "RuleAction": "allow", "CidrBlock": cidr});
            if let Some((from, to)) = ports {
                p["PortRange"] = json!({"From": from, "To": to});
            }
            let id = format!("{acl}{}{n}", if egress { "Out" } else { "In" });
            put(
                &id,
                json!({"Type": "AWS::EC2::NetworkAclEntry", "Properties": p}),
            );
        }
    }
    for az in 0..2 {
        let n = az + 1;
        for (kind, cidr, rt, acl) in [
            (
                "Public",
                format!("10.0.{az}.0/24"),
                "PublicRt".to_string(),
                "PublicAcl",
            ),
            (
                "Private",
                format!("10.0.{}.0/24", 2 + az),
                format!("PrivateRt{n}"),
                "PrivateAcl",
            ),
            (
                "Db",
                format!("10.0.{}.0/24", 4 + az),
                "DbRt".to_string(),
                "DbAcl",
            ),
        ] {
            let s = format!("{kind}Subnet{n}");
            put(
                &s,
                json!({"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": cidr,
                "AvailabilityZone": {"Fn::Select": [az, {"Fn::GetAZs": ""}]}}}),
            );
            put(
                &format!("{s}Rta"),
                json!({"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": s}, "RouteTableId": {"Ref": rt}}}),
            );
            put(
                &format!("{s}Acl"),
                json!({"Type": "AWS::EC2::SubnetNetworkAclAssociation", "Properties": {"SubnetId": {"Ref": s}, "NetworkAclId": {"Ref": acl}}}),
            );
        }
        put(
            &format!("NatEip{n}"),
            json!({"Type": "AWS::EC2::EIP", "DependsOn": "IgwAttach", "Properties": {"Domain": "vpc"}}),
        );
        put(
            &format!("Nat{n}"),
            json!({"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": format!("PublicSubnet{n}")}, "AllocationId": {"Fn::GetAtt": [format!("NatEip{n}"), "AllocationId"]}}}),
        );
        put(
            &format!("PrivateRt{n}"),
            json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}),
        );
        put(
            &format!("PrivateRoute{n}"),
            json!({"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Ref": format!("PrivateRt{n}")}, "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": {"Ref": format!("Nat{n}")}}}),
        );
    }
    put(
        "AlbSg",
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "alb", "VpcId": {"Ref": "Vpc"},
        "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}]}}),
    );
    put(
        "AppSg",
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "app", "VpcId": {"Ref": "Vpc"},
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "SourceSecurityGroupId": {"Ref": "AlbSg"}}]}}),
    );
    put(
        "DbSg",
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "db", "VpcId": {"Ref": "Vpc"},
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "SourceSecurityGroupId": {"Ref": "AppSg"}}]}}),
    );
    put(
        "Alb",
        json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
        "Subnets": [{"Ref": "PublicSubnet1"}, {"Ref": "PublicSubnet2"}], "SecurityGroups": [{"Ref": "AlbSg"}]}}),
    );
    put(
        "Tg",
        json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 8080, "Protocol": "HTTP", "VpcId": {"Ref": "Vpc"}}}),
    );
    put(
        "Http",
        json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "Alb"}, "Port": 80, "Protocol": "HTTP",
        "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]}}),
    );
    put(
        "Https",
        json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "Alb"}, "Port": 443, "Protocol": "HTTPS",
        "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "Certificates": [{"CertificateArn": {"Ref": "Cert"}}],
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}}),
    );
    put(
        "Lt",
        json!({"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
        "ImageId": {"Ref": "Ami"}, "InstanceType": "t3.small", "SecurityGroupIds": [{"Ref": "AppSg"}],
        "MetadataOptions": {"HttpTokens": "required"},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": true, "VolumeSize": 20}}]}}}),
    );
    put(
        "Asg",
        json!({"Type": "AWS::AutoScaling::AutoScalingGroup",
        "UpdatePolicy": {"AutoScalingRollingUpdate": {"MinInstancesInService": 1, "MaxBatchSize": 1}},
        "Properties": {"MinSize": "2", "MaxSize": "6", "DesiredCapacity": "2",
            "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}, "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}},
            "VPCZoneIdentifier": [{"Ref": "PrivateSubnet1"}, {"Ref": "PrivateSubnet2"}],
            "TargetGroupARNs": [{"Ref": "Tg"}]}}),
    );
    put(
        "DbSubnets",
        json!({"Type": "AWS::RDS::DBSubnetGroup", "Properties": {"DBSubnetGroupDescription": "db",
        "SubnetIds": [{"Ref": "DbSubnet1"}, {"Ref": "DbSubnet2"}]}}),
    );
    put(
        "Db",
        json!({"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot",
        "Properties": {"Engine": "postgres", "DBInstanceClass": "db.t3.micro", "AllocatedStorage": "20",
            "MasterUsername": "app", "ManageMasterUserPassword": true, "MultiAZ": true, "StorageEncrypted": true,
            "PubliclyAccessible": false, "DBSubnetGroupName": {"Ref": "DbSubnets"}, "VPCSecurityGroups": [{"Ref": "DbSg"}]}}),
    );
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Ami": {"Type": "AWS::EC2::Image::Id"}, "Cert": {"Type": "String"}},
        "Resources": Json::Object(resources)
    })
}
