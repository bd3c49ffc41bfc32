//! `Bastion`: one small instance through which admins reach the private
//! app instances and the database. Either public (a public subnet and
//! address, SSH with a key pair from an admin CIDR, an Elastic IP when a
//! stable address is wanted for admin firewalls) or private (a private
//! subnet, no public address at all, reached through Session Manager
//! only). IMDSv2 only, encrypted root volume, Systems Manager core and
//! nothing more in its role; an alarm on its status checks when given a
//! topic.
//!
//! Owns the instance, its role and profile, the optional Elastic IP and the
//! status check alarm. It does not create the security group (the caller
//! passes it; only the admin CIDR may reach port 22 there, and nothing at
//! all for a private bastion) nor the subnet.
//!
//! Logical IDs are `<id>` plus `Role`, `InstanceProfile`, `Instance`, `Eip`
//! and `StatusCheckAlarm`.

use crate::constructs::checkov;
use crate::constructs::instance_role::{
    INSTANCE_PROFILE_SUFFIX, InstanceRole, InstanceRoleProps, ROLE_SUFFIX,
};
use crate::constructs::load_balanced_asg::RootVolume;
use crate::constructs::{SubnetInfo, SubnetKind};
use crate::error::SynthError;
use crate::resources::Tag;
use crate::resources::cloudwatch::Alarm;
use crate::resources::cloudwatch::alarm::{self, Dimension};
use crate::resources::ec2::instance;
use crate::resources::ec2::instance::{
    BlockDeviceMapping as InstanceBlockDeviceMapping, Ebs as InstanceEbs, MetadataOptions,
    NetworkInterface as InstanceNetworkInterface,
};
use crate::resources::ec2::{Eip, Instance, SecurityGroup};
use crate::resources::iam::{InstanceProfile, Role};
use crate::resources::sns::Topic;
use crate::resources::{CfnResource, Handle};
use crate::stack::{Attributes, Stack};
use crate::template::{Attr, Intrinsic, ToExpr, Value, fns};

/// Every logical ID suffix the construct may use, in the order resources are added.
pub const SUFFIXES: [&str; 5] = [
    ROLE_SUFFIX,
    INSTANCE_PROFILE_SUFFIX,
    "Instance",
    "Eip",
    "StatusCheckAlarm",
];

/// Props of a [`Bastion`]. Build with [`BastionProps::new`] and change the
/// public fields whose defaults do not fit.
#[derive(Debug, Clone, PartialEq)]
pub struct BastionProps {
    /// The image (normally `Ref` to an `AWS::EC2::Image::Id` parameter).
    pub image_id: Value<String>,
    /// The subnet it runs in: Public for a public bastion, Private for one
    /// reached through Session Manager only.
    pub subnet: SubnetInfo,
    /// Its security group (22 from the admin CIDR only; nothing for a
    /// private bastion).
    pub security_group: Handle<SecurityGroup>,
    /// A public address on its interface, so that admins can reach it from
    /// outside (default on). Off, it runs in a private subnet with no public
    /// address and no Elastic IP, and is reached through Session Manager,
    /// which needs no inbound port.
    pub public_address: bool,
    /// Instance type (default `t3.micro`).
    pub instance_type: Value<String>,
    /// Key pair for SSH (normally a `AWS::EC2::KeyPair::KeyName` parameter);
    /// none means Session Manager only (default none).
    pub key_name: Option<Value<String>>,
    /// Give it an Elastic IP, so its address survives a replacement (default
    /// off; only with `public_address`).
    pub elastic_ip: bool,
    /// Root volume (default `/dev/xvda`, 10 GiB, encrypted gp3).
    pub root_volume: RootVolume,
    /// One-minute instance metrics (default on).
    pub detailed_monitoring: bool,
    /// Boot script, plain text; it is base64-encoded here (default none).
    pub user_data: Option<Value<String>>,
    /// Where the alarm on failed status checks goes (the instance or its
    /// host is impaired, so admins are locked out); none writes no alarm
    /// (default none).
    pub alarm_topic: Option<Handle<Topic>>,
    /// Logical IDs the instance and address must wait for (the internet
    /// gateway attachment, or the NAT route of a private bastion, which the
    /// Systems Manager agent needs to register); add with
    /// [`BastionProps::depends_on`].
    pub dependencies: Vec<String>,
}

impl BastionProps {
    /// Props with the required parts and safe defaults for everything else.
    pub fn new(
        image_id: impl Into<Value<String>>,
        subnet: SubnetInfo,
        security_group: Handle<SecurityGroup>,
    ) -> Self {
        BastionProps {
            image_id: image_id.into(),
            subnet,
            security_group,
            instance_type: Value::from("t3.micro"),
            public_address: true,
            key_name: None,
            elastic_ip: false,
            root_volume: RootVolume {
                size_gib: 10,
                ..RootVolume::default()
            },
            detailed_monitoring: true,
            user_data: None,
            alarm_topic: None,
            dependencies: Vec::new(),
        }
    }

    /// Makes the instance (and its address) wait for another resource, such
    /// as the VPC's internet gateway attachment.
    pub fn depends_on<R: CfnResource>(mut self, other: &Handle<R>) -> Self {
        self.dependencies.push(other.logical_id().to_owned());
        self
    }
}

/// What a [`Bastion`] added to the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct Bastion {
    /// The instance (`<id>Instance`).
    pub instance: Handle<Instance>,
    /// Its role, Systems Manager core only (`<id>Role`).
    pub role: Handle<Role>,
    /// Its instance profile (`<id>InstanceProfile`).
    pub instance_profile: Handle<InstanceProfile>,
    /// Its Elastic IP (`<id>Eip`), when asked for.
    pub elastic_ip: Option<Handle<Eip>>,
    /// The alarm on its status checks (`<id>StatusCheckAlarm`), when given a topic.
    pub status_check_alarm: Option<Handle<Alarm>>,
    public_address: bool,
}

fn check(props: &BastionProps) -> Result<(), String> {
    let subnet = props.subnet.handle.logical_id();
    let kind = props.subnet.kind;
    if props.public_address && kind != SubnetKind::Public {
        return Err(format!(
            "subnet {subnet} is {}; a bastion with a public address must run in a Public subnet to be reachable (turn public_address off for one reached through Session Manager only)",
            kind.as_str()
        ));
    }
    if !props.public_address {
        if kind != SubnetKind::Private {
            return Err(format!(
                "subnet {subnet} is {}; a bastion without a public address belongs in a Private subnet, whose NAT route lets the Systems Manager agent reach Session Manager",
                kind.as_str()
            ));
        }
        if props.elastic_ip {
            return Err(
                "elastic_ip is on but public_address is off; an Elastic IP is a public address, so turn one of them around".to_owned(),
            );
        }
    }
    let rv = &props.root_volume;
    if !rv.device_name.starts_with("/dev/") {
        return Err(format!(
            "root_volume.device_name {:?} is not a device name such as /dev/xvda",
            rv.device_name
        ));
    }
    if !(1..=16384).contains(&rv.size_gib) {
        return Err(format!(
            "root_volume.size_gib is {}; a gp3 volume is 1 to 16384 GiB",
            rv.size_gib
        ));
    }
    Ok(())
}

impl Bastion {
    /// Checks the props, then adds the role, profile, instance and (when
    /// asked) the Elastic IP. Nothing is added when a check fails.
    pub fn new(stack: &mut Stack, id: &str, props: &BastionProps) -> Result<Bastion, SynthError> {
        check(props).map_err(|m| SynthError::props(format!("Bastion {id:?}"), m))?;
        for suffix in SUFFIXES {
            crate::stack::check_logical_id(&format!("{id}{suffix}"), "Resources")?;
        }
        let role = InstanceRole::new(
            stack,
            id,
            &InstanceRoleProps::ssm_only(format!("Bastion {id}: Systems Manager only")),
        )?;

        let rv = &props.root_volume;
        let mut ebs = InstanceEbs::new()
            .volume_type(instance::VolumeType::Gp3)
            .volume_size(rv.size_gib)
            .encrypted(true)
            .delete_on_termination(true);
        if let Some(key) = &rv.kms_key_id {
            ebs = ebs.kms_key_id(key.clone());
        }
        let mut instance = Instance::new()
            .image_id(props.image_id.clone())
            .instance_type(props.instance_type.clone())
            .iam_instance_profile(role.instance_profile.reference())
            .metadata_options(
                MetadataOptions::new()
                    .http_endpoint(instance::HttpEndpoint::Enabled)
                    .http_tokens(instance::HttpTokens::Required)
                    .http_put_response_hop_limit(1)
                    .instance_metadata_tags(instance::InstanceMetadataTags::Disabled),
            )
            .block_device_mappings(vec![
                InstanceBlockDeviceMapping::new(rv.device_name.as_str()).ebs(ebs),
            ])
            .network_interfaces(vec![
                InstanceNetworkInterface::new("0")
                    .subnet_id(props.subnet.handle.reference())
                    .group_set(vec![Value::from(props.security_group.group_id())])
                    .associate_public_ip_address(props.public_address)
                    .delete_on_termination(true),
            ])
            .monitoring(props.detailed_monitoring)
            .propagate_tags_to_volume_on_creation(true)
            .tags(vec![Tag::new(
                "Name",
                fns::sub(format!("${{{}}}-{id}", fns::STACK_NAME)),
            )]);
        if let Some(key) = &props.key_name {
            instance = instance.key_name(key.clone());
        }
        if let Some(user_data) = &props.user_data {
            instance = instance.user_data(fns::base64(user_data.to_expr()));
        }
        let dependencies = || {
            props.dependencies.iter().fold(Attributes::new(), |a, dep| {
                a.depends_on_logical_id(dep.as_str())
            })
        };
        // Only a public bastion has a public address for checkov to flag.
        let attributes = if props.public_address {
            dependencies().metadata(
                checkov::METADATA_KEY,
                checkov::skips(&[checkov::Skip {
                    id: "CKV_AWS_88",
                    comment: "A bastion is the one instance admins reach from outside, so it needs a public address; its security group admits SSH from the admin CIDR only",
                }]),
            )
        } else {
            dependencies()
        };
        let instance = stack.add_with(&format!("{id}Instance"), instance, attributes)?;
        let elastic_ip = if props.elastic_ip {
            Some(stack.add_with(
                &format!("{id}Eip"),
                Eip::new().domain("vpc").instance_id(instance.reference()),
                dependencies(),
            )?)
        } else {
            None
        };
        let status_check_alarm = match &props.alarm_topic {
            Some(topic) => Some(stack.add(
                &format!("{id}StatusCheckAlarm"),
                status_check_alarm(id, &instance, topic),
            )?),
            None => None,
        };
        Ok(Bastion {
            instance,
            role: role.role,
            instance_profile: role.instance_profile,
            elastic_ip,
            status_check_alarm,
            public_address: props.public_address,
        })
    }

    /// The bastion's public address: the Elastic IP when there is one, the
    /// instance's public IP otherwise; none for a bastion without a public
    /// address. For outputs.
    pub fn public_ip(&self) -> Option<Attr<String>> {
        match &self.elastic_ip {
            Some(eip) => Some(eip.public_ip()),
            None if self.public_address => Some(self.instance.public_ip()),
            None => None,
        }
    }

    /// The instance ID (`Ref <id>Instance`): the `--target` of
    /// `aws ssm start-session`. For outputs.
    pub fn instance_id(&self) -> Intrinsic {
        self.instance.reference()
    }
}

/// Seconds per datapoint of the status check alarm: one-minute checks.
const STATUS_CHECK_PERIOD_SECONDS: u32 = 60;
/// Consecutive failed minutes before the status check alarm fires.
const STATUS_CHECK_MINUTES: u32 = 2;

/// `StatusCheckFailed` (the instance's or its host's checks) failing for two
/// consecutive minutes: the bastion is impaired and admins cannot get in.
/// Notifies the topic on alarm and on recovery; a stopped bastion sends no
/// data and is not in alarm.
fn status_check_alarm(id: &str, instance: &Handle<Instance>, topic: &Handle<Topic>) -> Alarm {
    let actions = || vec![Value::from(topic.reference())];
    Alarm::new()
        .alarm_description(format!(
            "{id}: the bastion's status checks failed for {STATUS_CHECK_MINUTES} minutes (instance or host impaired)"
        ))
        .namespace("AWS/EC2")
        .metric_name("StatusCheckFailed")
        .dimensions(vec![Dimension::new("InstanceId", instance.reference())])
        .statistic(alarm::Statistic::Maximum)
        .period(STATUS_CHECK_PERIOD_SECONDS)
        .evaluation_periods(STATUS_CHECK_MINUTES)
        .threshold(1.0)
        .comparison_operator(alarm::ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data(alarm::TreatMissingData::NotBreaching)
        .alarm_actions(actions())
        .ok_actions(actions())
}

#[cfg(test)]
mod tests {
    use crate::template::Intrinsic;
    use serde_json::{Value as Json, json};

    use super::*;
    use crate::constructs::load_balanced_asg::tests::subnet;
    use crate::template::json::to_json_value;

    fn props(change: impl FnOnce(&mut BastionProps)) -> BastionProps {
        let mut p = BastionProps::new(
            Intrinsic::Ref("AmiId".into()),
            subnet("PublicA", 0, SubnetKind::Public),
            Handle::new("BastionSg"),
        );
        change(&mut p);
        p
    }

    fn build(p: &BastionProps) -> (Json, Result<Bastion, SynthError>) {
        let mut stack = Stack::new("t");
        stack.tag("Project", "swiftcode");
        let out = Bastion::new(&mut stack, "Bastion", p);
        (
            to_json_value(&stack.template().unwrap().to_expr())["Resources"].clone(),
            out,
        )
    }

    #[test]
    fn public_bastion_without_key_pair_has_safe_defaults() {
        let (r, out) = build(&props(|_| {}));
        let out = out.unwrap();
        let ids: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(
            ids,
            ["BastionRole", "BastionInstanceProfile", "BastionInstance"]
        );
        assert!(out.elastic_ip.is_none());
        assert_eq!(out.instance.logical_id(), "BastionInstance");
        assert_eq!(
            r["BastionRole"]["Properties"]["ManagedPolicyArns"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"}])
        );
        let i = &r["BastionInstance"]["Properties"];
        assert_eq!(i["ImageId"], json!({"Ref": "AmiId"}));
        assert_eq!(i["InstanceType"], "t3.micro");
        assert_eq!(
            i["IamInstanceProfile"],
            json!({"Ref": "BastionInstanceProfile"})
        );
        assert_eq!(
            i["MetadataOptions"],
            json!({"HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1,
                "HttpTokens": "required", "InstanceMetadataTags": "disabled"})
        );
        assert_eq!(
            i["BlockDeviceMappings"],
            json!([{"DeviceName": "/dev/xvda", "Ebs": {"DeleteOnTermination": true,
                "Encrypted": true, "VolumeSize": 10, "VolumeType": "gp3"}}])
        );
        assert_eq!(
            i["NetworkInterfaces"],
            json!([{"AssociatePublicIpAddress": true, "DeleteOnTermination": true,
                "DeviceIndex": "0", "GroupSet": [{"Fn::GetAtt": ["BastionSg", "GroupId"]}],
                "SubnetId": {"Ref": "PublicA"}}])
        );
        assert!(i.get("SubnetId").is_none() && i.get("SecurityGroupIds").is_none());
        assert!(i.get("KeyName").is_none());
        assert!(i.get("UserData").is_none());
        assert_eq!(i["Monitoring"], true);
        assert_eq!(i["PropagateTagsToVolumeOnCreation"], true);
        assert_eq!(
            i["Tags"],
            json!([{"Key": "Name", "Value": {"Fn::Sub": "${AWS::StackName}-Bastion"}},
                {"Key": "Project", "Value": "swiftcode"}])
        );
        assert_eq!(
            r["BastionInstance"]["Metadata"]["checkov"]["skip"][0]["id"],
            "CKV_AWS_88"
        );
        assert_eq!(
            to_json_value(&out.public_ip().expect("public").into()),
            json!({"Fn::GetAtt": ["BastionInstance", "PublicIp"]})
        );
        assert!(out.status_check_alarm.is_none());
    }

    /// Regression: with `bastion_access = "session-manager"` the bastion
    /// still had a public address (and SSH from the admin CIDR, and a
    /// checkov suppression claiming it needed one). A private bastion has
    /// no public address, no Elastic IP and no suppression.
    #[test]
    fn session_manager_bastion_has_no_public_address_and_no_suppression() {
        let route: Handle<crate::resources::ec2::Route> = Handle::new("PrivateDefaultRoute1");
        let (r, out) = build(&props(|p| {
            p.subnet = subnet("PrivateA", 0, SubnetKind::Private);
            p.public_address = false;
            *p = p.clone().depends_on(&route);
        }));
        let out = out.unwrap();
        let i = &r["BastionInstance"];
        assert_eq!(
            i["Properties"]["NetworkInterfaces"][0]["AssociatePublicIpAddress"],
            false
        );
        assert_eq!(
            i["Properties"]["NetworkInterfaces"][0]["SubnetId"],
            json!({"Ref": "PrivateA"})
        );
        assert!(i.get("Metadata").is_none(), "{i}");
        assert_eq!(i["DependsOn"], "PrivateDefaultRoute1");
        assert!(out.public_ip().is_none());
        assert!(r.get("BastionEip").is_none());
        assert_eq!(
            to_json_value(&out.instance_id().into()),
            json!({"Ref": "BastionInstance"})
        );
    }

    #[test]
    fn failed_status_checks_alarm_the_topic() {
        let (r, out) = build(&props(|p| p.alarm_topic = Some(Handle::new("Alerts"))));
        assert_eq!(
            out.unwrap().status_check_alarm.unwrap().logical_id(),
            "BastionStatusCheckAlarm"
        );
        let a = &r["BastionStatusCheckAlarm"]["Properties"];
        assert_eq!(a["Namespace"], "AWS/EC2");
        assert_eq!(a["MetricName"], "StatusCheckFailed");
        assert_eq!(
            a["Dimensions"],
            json!([{"Name": "InstanceId", "Value": {"Ref": "BastionInstance"}}])
        );
        assert_eq!(a["Statistic"], "Maximum");
        assert_eq!(
            (a["Period"].clone(), a["EvaluationPeriods"].clone()),
            (json!(60), json!(2))
        );
        assert_eq!(a["ComparisonOperator"], "GreaterThanOrEqualToThreshold");
        assert_eq!(a["AlarmActions"], json!([{"Ref": "Alerts"}]));
        assert_eq!(a["OKActions"], json!([{"Ref": "Alerts"}]));
    }

    #[test]
    fn key_pair_elastic_ip_and_dependencies() {
        let attachment: Handle<crate::resources::ec2::VpcGatewayAttachment> =
            Handle::new("VpcGatewayAttachment");
        let (r, out) = build(&props(|p| {
            p.key_name = Some(Intrinsic::Ref("KeyName".into()).into());
            p.elastic_ip = true;
            p.user_data = Some(Value::from("#!/bin/bash\n"));
            p.instance_type = Value::from("t3.nano");
            p.root_volume.kms_key_id = Some(Value::from("alias/ebs"));
            *p = p.clone().depends_on(&attachment);
        }));
        let out = out.unwrap();
        let i = &r["BastionInstance"];
        assert_eq!(i["Properties"]["KeyName"], json!({"Ref": "KeyName"}));
        assert_eq!(i["Properties"]["InstanceType"], "t3.nano");
        assert_eq!(
            i["Properties"]["UserData"],
            json!({"Fn::Base64": "#!/bin/bash\n"})
        );
        assert_eq!(
            i["Properties"]["BlockDeviceMappings"][0]["Ebs"]["KmsKeyId"],
            "alias/ebs"
        );
        assert_eq!(i["DependsOn"], "VpcGatewayAttachment");
        let eip = &r["BastionEip"];
        assert_eq!(eip["Type"], "AWS::EC2::EIP");
        assert_eq!(eip["DependsOn"], "VpcGatewayAttachment");
        assert_eq!(
            eip["Properties"],
            json!({"Domain": "vpc", "InstanceId": {"Ref": "BastionInstance"},
                "Tags": [{"Key": "Project", "Value": "swiftcode"}]})
        );
        assert_eq!(out.elastic_ip.as_ref().unwrap().logical_id(), "BastionEip");
        assert_eq!(
            to_json_value(&out.public_ip().expect("public").into()),
            json!({"Fn::GetAtt": ["BastionEip", "PublicIp"]})
        );
    }

    #[test]
    fn bad_props_are_refused() {
        for (change, expected) in [
            (
                Box::new(|p: &mut BastionProps| p.subnet.kind = SubnetKind::Private)
                    as Box<dyn FnOnce(&mut BastionProps)>,
                "subnet PublicA is Private; a bastion with a public address must run in a Public subnet",
            ),
            (
                Box::new(|p: &mut BastionProps| p.public_address = false),
                "subnet PublicA is Public; a bastion without a public address belongs in a Private subnet",
            ),
            (
                Box::new(|p: &mut BastionProps| {
                    p.public_address = false;
                    p.subnet.kind = SubnetKind::Isolated;
                }),
                "is Isolated; a bastion without a public address belongs in a Private subnet",
            ),
            (
                Box::new(|p: &mut BastionProps| {
                    p.public_address = false;
                    p.subnet.kind = SubnetKind::Private;
                    p.elastic_ip = true;
                }),
                "elastic_ip is on but public_address is off",
            ),
            (
                Box::new(|p: &mut BastionProps| p.root_volume.device_name = "sda1".into()),
                "not a device name",
            ),
            (
                Box::new(|p: &mut BastionProps| p.root_volume.size_gib = 0),
                "size_gib is 0",
            ),
        ] {
            let (r, out) = build(&props(change));
            let msg = out.expect_err("props should be refused").to_string();
            assert!(msg.starts_with("Bastion \"Bastion\": "), "{msg}");
            assert!(msg.contains(expected), "{msg}");
            assert_eq!(r, json!({}), "nothing may be written");
        }
    }
}
