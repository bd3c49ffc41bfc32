//! EC2 compute resource types: launch templates and instances, with the
//! nested property types they need (block devices, metadata options, network
//! interfaces, tag specifications).
//!
//! Property names and attributes follow AWS's provider schemas for
//! `AWS::EC2::LaunchTemplate` and `AWS::EC2::Instance` (as shipped with
//! cfn-lint 1.58.0). Safe defaults (IMDSv2, encrypted volumes, no public IP)
//! are not set here: that is the constructs' job.

use crate::resources::{Tag, merge_standard_tags};
use crate::template::{List, Value};

cfn_struct! {
    /// The instance profile a launch template gives its instances (by ARN or name).
    pub struct IamInstanceProfileSpecification {
        /// Instance profile ARN (`!GetAtt Profile.Arn`).
        arn: "Arn" => String,
        /// Instance profile name (`!Ref Profile`).
        name: "Name" => String,
    }
}

cfn_struct! {
    /// Instance metadata service options, shared by launch templates and
    /// instances. `http_tokens: required` is IMDSv2 only.
    pub struct MetadataOptions {
        /// `enabled` or `disabled`: whether the metadata endpoint answers at all.
        http_endpoint: "HttpEndpoint" => String,
        /// `enabled` or `disabled`: the IPv6 endpoint.
        http_protocol_ipv6: "HttpProtocolIpv6" => String,
        /// Hops a metadata response may travel (1 = the instance only; 2 lets containers reach it).
        http_put_response_hop_limit: "HttpPutResponseHopLimit" => i64,
        /// `required` (IMDSv2, session tokens) or `optional` (IMDSv1 allowed).
        http_tokens: "HttpTokens" => String,
        /// `enabled` or `disabled`: instance tags in the metadata.
        instance_metadata_tags: "InstanceMetadataTags" => String,
    }
}

cfn_struct! {
    /// An EBS volume in a launch template's block device mapping.
    pub struct LaunchTemplateEbs {
        /// Whether the volume goes away with the instance.
        delete_on_termination: "DeleteOnTermination" => bool,
        /// Whether the volume is encrypted.
        encrypted: "Encrypted" => bool,
        /// Provisioned IOPS (gp3, io1, io2).
        iops: "Iops" => i64,
        /// KMS key for encryption (the account's default EBS key when unset).
        kms_key_id: "KmsKeyId" => String,
        /// Snapshot to create the volume from.
        snapshot_id: "SnapshotId" => String,
        /// Throughput in MiB/s (gp3).
        throughput: "Throughput" => i64,
        /// Size in GiB.
        volume_size: "VolumeSize" => i64,
        /// `gp3`, `gp2`, `io1`, `io2`, `st1`, `sc1` or `standard`.
        volume_type: "VolumeType" => String,
    }
}

cfn_struct! {
    /// A block device of instances launched from a launch template.
    pub struct LaunchTemplateBlockDeviceMapping {
        /// Device name, such as `/dev/xvda` (must match the image's root device to replace it).
        device_name: "DeviceName" => String,
        /// The EBS volume.
        ebs: "Ebs" => LaunchTemplateEbs,
        /// Suppresses a device the image maps.
        no_device: "NoDevice" => String,
        /// Instance store volume name (`ephemeral0`).
        virtual_name: "VirtualName" => String,
    }
}

cfn_struct! {
    /// A network interface of instances launched from a launch template.
    pub struct LaunchTemplateNetworkInterface {
        /// Whether the instance gets a public IPv4 address.
        associate_public_ip_address: "AssociatePublicIpAddress" => bool,
        /// Whether the interface goes away with the instance.
        delete_on_termination: "DeleteOnTermination" => bool,
        /// Description.
        description: "Description" => String,
        /// Position of the interface (0 is the primary one).
        device_index: "DeviceIndex" => i64,
        /// Security group IDs (set them here, not in `SecurityGroupIds`, when interfaces are given).
        groups: "Groups" => List<String>,
        /// IPv6 addresses to assign automatically.
        ipv6_address_count: "Ipv6AddressCount" => i64,
        /// An existing interface to attach.
        network_interface_id: "NetworkInterfaceId" => String,
        /// Subnet (left out in Auto Scaling groups, which choose the subnet).
        subnet_id: "SubnetId" => String,
    }
}

cfn_struct! {
    /// Whether detailed (one-minute) CloudWatch monitoring is on.
    pub struct LaunchTemplateMonitoring {
        /// `true` for one-minute metrics.
        enabled: "Enabled" => bool,
    }
}

cfn_struct! {
    /// CPU credit option of burstable instances in a launch template.
    pub struct LaunchTemplateCreditSpecification {
        /// `standard` or `unlimited`.
        cpu_credits: "CpuCredits" => String,
    }
}

cfn_struct! {
    /// Tags for resources created at launch (instances, volumes, interfaces).
    pub struct TagSpecification {
        /// `instance`, `volume`, `network-interface`, ...
        resource_type: "ResourceType" => String,
        /// The tags.
        tags: "Tags" => List<Tag>,
    }
}

cfn_struct! {
    /// Tags for the launch template resource itself.
    pub struct LaunchTemplateTagSpecification {
        /// Always `launch-template`.
        resource_type: "ResourceType" => String,
        /// The tags.
        tags: "Tags" => List<Tag>,
    }
}

cfn_struct! {
    /// What instances launched from a launch template look like.
    pub struct LaunchTemplateData {
        /// Block devices (the root volume and any others).
        block_device_mappings: "BlockDeviceMappings" => List<LaunchTemplateBlockDeviceMapping>,
        /// CPU credits of burstable types.
        credit_specification: "CreditSpecification" => LaunchTemplateCreditSpecification,
        /// Protects instances from being stopped through the API.
        disable_api_stop: "DisableApiStop" => bool,
        /// Protects instances from being terminated through the API.
        disable_api_termination: "DisableApiTermination" => bool,
        /// Whether instances are EBS-optimised.
        ebs_optimized: "EbsOptimized" => bool,
        /// The instance profile (the role instances run with).
        iam_instance_profile: "IamInstanceProfile" => IamInstanceProfileSpecification,
        /// The image (normally a `Ref` to an `AWS::EC2::Image::Id` parameter).
        image_id: "ImageId" => String,
        /// `stop` or `terminate` on an OS shutdown.
        instance_initiated_shutdown_behavior: "InstanceInitiatedShutdownBehavior" => String,
        /// Instance type, such as `t3.small`.
        instance_type: "InstanceType" => String,
        /// Key pair for SSH.
        key_name: "KeyName" => String,
        /// Instance metadata service options.
        metadata_options: "MetadataOptions" => MetadataOptions,
        /// Detailed monitoring.
        monitoring: "Monitoring" => LaunchTemplateMonitoring,
        /// Network interfaces.
        network_interfaces: "NetworkInterfaces" => List<LaunchTemplateNetworkInterface>,
        /// Security group IDs (only when no network interfaces are given).
        security_group_ids: "SecurityGroupIds" => List<String>,
        /// Tags for the instances and volumes launched.
        tag_specifications: "TagSpecifications" => List<TagSpecification>,
        /// Base64-encoded user data (`!Base64 ...`).
        user_data: "UserData" => String,
    }
}

cfn_resource! {
    /// `AWS::EC2::LaunchTemplate`: how an Auto Scaling group launches its
    /// instances. Stack-wide tags go into the template's tag specifications
    /// for instances and volumes (so they reach what it launches) and tag
    /// the template itself.
    pub struct LaunchTemplate = "AWS::EC2::LaunchTemplate", tags: custom {
        /// Physical name (leave unset so CloudFormation can replace it).
        launch_template_name: "LaunchTemplateName" => String,
        /// What instances look like.
        launch_template_data: "LaunchTemplateData" => LaunchTemplateData,
        /// Tags of the launch template itself.
        tag_specifications: "TagSpecifications" => List<LaunchTemplateTagSpecification>,
        /// Description of the first version.
        version_description: "VersionDescription" => String,
    }
    attributes {
        /// The default version number.
        default_version_number: "DefaultVersionNumber",
        /// The latest version number (give it to an Auto Scaling group so a
        /// change to the template rolls the instances).
        latest_version_number: "LatestVersionNumber",
        /// The launch template ID.
        launch_template_id: "LaunchTemplateId",
    }
}

/// Resource types launched from a template that receive stack-wide tags.
pub const PROPAGATED_TAG_RESOURCE_TYPES: [&str; 2] = ["instance", "volume"];

impl LaunchTemplate {
    fn apply_custom_tags(&mut self, tags: &[Tag]) {
        if tags.is_empty() {
            return;
        }
        merge_tag_specification(&mut self.tag_specifications, "launch-template", tags);
        let data = self
            .launch_template_data
            .get_or_insert_with(|| Value::Lit(LaunchTemplateData::new()));
        // A whole-data intrinsic cannot be merged into; it keeps its own tags.
        if let Value::Lit(data) = data {
            for resource_type in PROPAGATED_TAG_RESOURCE_TYPES {
                merge_tag_specification(&mut data.tag_specifications, resource_type, tags);
            }
        }
    }
}

/// The two tag specification shapes (for the template, for what it
/// launches), so one merge serves both.
trait TagSpec: Sized {
    fn make(resource_type: &str, tags: List<Tag>) -> Self;
    fn parts(&mut self) -> (Option<&str>, &mut Option<Value<List<Tag>>>);
}

impl TagSpec for TagSpecification {
    fn make(resource_type: &str, tags: List<Tag>) -> Self {
        TagSpecification::new()
            .resource_type(resource_type)
            .tags(tags)
    }
    fn parts(&mut self) -> (Option<&str>, &mut Option<Value<List<Tag>>>) {
        let rt = self.resource_type.as_ref().and_then(Value::literal);
        (rt.map(String::as_str), &mut self.tags)
    }
}

impl TagSpec for LaunchTemplateTagSpecification {
    fn make(resource_type: &str, tags: List<Tag>) -> Self {
        LaunchTemplateTagSpecification::new()
            .resource_type(resource_type)
            .tags(tags)
    }
    fn parts(&mut self) -> (Option<&str>, &mut Option<Value<List<Tag>>>) {
        let rt = self.resource_type.as_ref().and_then(Value::literal);
        (rt.map(String::as_str), &mut self.tags)
    }
}

/// Merges `tags` into the specification for `resource_type` in `specs`,
/// adding the specification when there is none. Tags already in the
/// specification win over stack-wide tags with the same key.
fn merge_tag_specification<S: TagSpec>(
    specs: &mut Option<Value<List<S>>>,
    resource_type: &str,
    tags: &[Tag],
) {
    let list = match specs.get_or_insert_with(|| Value::Lit(Vec::new())) {
        Value::Lit(list) => list,
        Value::Fn(_) => return,
    };
    for spec in list.iter_mut() {
        let Value::Lit(spec) = spec else { continue };
        let (rt, spec_tags) = spec.parts();
        if rt == Some(resource_type) {
            merge_standard_tags(spec_tags, tags);
            return;
        }
    }
    list.push(Value::Lit(S::make(
        resource_type,
        tags.iter().cloned().map(Value::Lit).collect(),
    )));
}

cfn_struct! {
    /// Which launch template (and version) to use: for instances and Auto
    /// Scaling groups.
    pub struct LaunchTemplateSpecification {
        /// The launch template ID (`!Ref LaunchTemplate`).
        launch_template_id: "LaunchTemplateId" => String,
        /// The launch template name (instead of the ID).
        launch_template_name: "LaunchTemplateName" => String,
        /// Version number, `$Latest` or `$Default`; prefer
        /// `!GetAtt LaunchTemplate.LatestVersionNumber`.
        version: "Version" => String,
    }
}

cfn_struct! {
    /// An EBS volume in an instance's block device mapping.
    pub struct InstanceEbs {
        /// Whether the volume goes away with the instance.
        delete_on_termination: "DeleteOnTermination" => bool,
        /// Whether the volume is encrypted.
        encrypted: "Encrypted" => bool,
        /// Provisioned IOPS.
        iops: "Iops" => i64,
        /// KMS key for encryption.
        kms_key_id: "KmsKeyId" => String,
        /// Snapshot to create the volume from.
        snapshot_id: "SnapshotId" => String,
        /// Size in GiB.
        volume_size: "VolumeSize" => i64,
        /// `gp3`, `gp2`, `io1`, `io2`, `st1`, `sc1` or `standard`.
        volume_type: "VolumeType" => String,
    }
}

cfn_struct! {
    /// A block device of an instance.
    pub struct InstanceBlockDeviceMapping {
        /// Device name, such as `/dev/xvda`.
        device_name: "DeviceName" => String,
        /// The EBS volume.
        ebs: "Ebs" => InstanceEbs,
        /// Instance store volume name.
        virtual_name: "VirtualName" => String,
    }
}

cfn_struct! {
    /// A network interface of an instance.
    pub struct InstanceNetworkInterface {
        /// Whether the instance gets a public IPv4 address.
        associate_public_ip_address: "AssociatePublicIpAddress" => bool,
        /// Whether the interface goes away with the instance.
        delete_on_termination: "DeleteOnTermination" => bool,
        /// Description.
        description: "Description" => String,
        /// Position of the interface; a string in the schema (`"0"` is the primary one).
        device_index: "DeviceIndex" => String,
        /// Security group IDs.
        group_set: "GroupSet" => List<String>,
        /// IPv6 addresses to assign automatically.
        ipv6_address_count: "Ipv6AddressCount" => i64,
        /// An existing interface to attach.
        network_interface_id: "NetworkInterfaceId" => String,
        /// Primary private IPv4 address.
        private_ip_address: "PrivateIpAddress" => String,
        /// The subnet.
        subnet_id: "SubnetId" => String,
    }
}

cfn_struct! {
    /// CPU credit option of a burstable instance.
    pub struct InstanceCreditSpecification {
        /// `standard` or `unlimited` (note the schema's capitalisation: `CPUCredits`).
        cpu_credits: "CPUCredits" => String,
    }
}

cfn_resource! {
    /// `AWS::EC2::Instance`: a single instance (the bastion; app instances
    /// come from a launch template through an Auto Scaling group).
    pub struct Instance = "AWS::EC2::Instance", tags: standard {
        /// Availability zone (follows the subnet when unset).
        availability_zone: "AvailabilityZone" => String,
        /// Block devices.
        block_device_mappings: "BlockDeviceMappings" => List<InstanceBlockDeviceMapping>,
        /// CPU credits of burstable types.
        credit_specification: "CreditSpecification" => InstanceCreditSpecification,
        /// Protects the instance from API termination.
        disable_api_termination: "DisableApiTermination" => bool,
        /// Whether the instance is EBS-optimised.
        ebs_optimized: "EbsOptimized" => bool,
        /// Instance profile name (`!Ref Profile`).
        iam_instance_profile: "IamInstanceProfile" => String,
        /// The image (normally a `Ref` to an `AWS::EC2::Image::Id` parameter).
        image_id: "ImageId" => String,
        /// `stop` or `terminate` on an OS shutdown.
        instance_initiated_shutdown_behavior: "InstanceInitiatedShutdownBehavior" => String,
        /// Instance type, such as `t3.micro`.
        instance_type: "InstanceType" => String,
        /// Key pair for SSH.
        key_name: "KeyName" => String,
        /// A launch template to start from.
        launch_template: "LaunchTemplate" => LaunchTemplateSpecification,
        /// Instance metadata service options.
        metadata_options: "MetadataOptions" => MetadataOptions,
        /// Detailed (one-minute) monitoring.
        monitoring: "Monitoring" => bool,
        /// Network interfaces (set the subnet and groups here, or use the top-level fields).
        network_interfaces: "NetworkInterfaces" => List<InstanceNetworkInterface>,
        /// Whether the instance's tags are copied to its volumes at creation.
        propagate_tags_to_volume_on_creation: "PropagateTagsToVolumeOnCreation" => bool,
        /// Security group IDs (only without network interfaces).
        security_group_ids: "SecurityGroupIds" => List<String>,
        /// Source/destination check (off only for NAT or routing instances).
        source_dest_check: "SourceDestCheck" => bool,
        /// The subnet (only without network interfaces).
        subnet_id: "SubnetId" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
        /// Base64-encoded user data.
        user_data: "UserData" => String,
    }
    attributes {
        /// The instance ID.
        instance_id: "InstanceId",
        /// The private DNS name.
        private_dns_name: "PrivateDnsName",
        /// The private IPv4 address.
        private_ip: "PrivateIp",
        /// The public DNS name (empty without a public address).
        public_dns_name: "PublicDnsName",
        /// The public IPv4 address.
        public_ip: "PublicIp",
        /// The VPC ID.
        vpc_id: "VpcId",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resources::CfnResource;
    use crate::template::json::to_json_value;
    use crate::template::{Expr, Handle, Intrinsic, ToExpr};

    fn props<R: CfnResource>(r: &R) -> serde_json::Value {
        to_json_value(&Expr::Map(r.properties()))
    }

    #[test]
    fn launch_template_data_serialises_with_schema_names() {
        let lt = LaunchTemplate::new().launch_template_data(
            LaunchTemplateData::new()
                .image_id(Intrinsic::Ref("AmiId".into()))
                .metadata_options(
                    MetadataOptions::new()
                        .http_tokens("required")
                        .http_put_response_hop_limit(1),
                )
                .block_device_mappings(vec![
                    LaunchTemplateBlockDeviceMapping::new()
                        .device_name("/dev/xvda")
                        .ebs(LaunchTemplateEbs::new().encrypted(true).volume_size(20)),
                ])
                .network_interfaces(vec![
                    LaunchTemplateNetworkInterface::new()
                        .device_index(0)
                        .associate_public_ip_address(false)
                        .groups(vec![Value::from(Intrinsic::Ref("Sg".into()))]),
                ])
                .monitoring(LaunchTemplateMonitoring::new().enabled(true)),
        );
        assert_eq!(
            props(&lt),
            json!({"LaunchTemplateData": {
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
                    "Ebs": {"Encrypted": true, "VolumeSize": 20}}],
                "ImageId": {"Ref": "AmiId"},
                "MetadataOptions": {"HttpPutResponseHopLimit": 1, "HttpTokens": "required"},
                "Monitoring": {"Enabled": true},
                "NetworkInterfaces": [{"AssociatePublicIpAddress": false, "DeviceIndex": 0,
                    "Groups": [{"Ref": "Sg"}]}],
            }})
        );
    }

    #[test]
    fn stack_tags_reach_instances_volumes_and_the_template_itself() {
        let mut lt = LaunchTemplate::new()
            .launch_template_data(LaunchTemplateData::new().instance_type("t3.small"));
        lt.apply_tags(&[Tag::pair("Project", "swiftcode")]);
        let p = props(&lt);
        let tag = json!([{"Key": "Project", "Value": "swiftcode"}]);
        assert_eq!(
            p["TagSpecifications"],
            json!([{"ResourceType": "launch-template", "Tags": tag}])
        );
        assert_eq!(
            p["LaunchTemplateData"]["TagSpecifications"],
            json!([
                {"ResourceType": "instance", "Tags": tag},
                {"ResourceType": "volume", "Tags": tag},
            ])
        );
    }

    #[test]
    fn tags_set_on_a_tag_specification_win_over_stack_tags() {
        let mut lt = LaunchTemplate::new().launch_template_data(
            LaunchTemplateData::new().tag_specifications(vec![
                TagSpecification::new()
                    .resource_type("instance")
                    .tags(vec![Tag::pair("Name", "web")]),
            ]),
        );
        lt.apply_tags(&[Tag::pair("Name", "stack"), Tag::pair("Env", "stage")]);
        let p = props(&lt);
        assert_eq!(
            p["LaunchTemplateData"]["TagSpecifications"][0],
            json!({"ResourceType": "instance", "Tags": [
                {"Key": "Name", "Value": "web"}, {"Key": "Env", "Value": "stage"}]})
        );
        assert_eq!(
            p["LaunchTemplateData"]["TagSpecifications"][1]["ResourceType"],
            "volume"
        );
    }

    #[test]
    fn no_stack_tags_leave_the_template_untouched() {
        let mut lt = LaunchTemplate::new();
        lt.apply_tags(&[]);
        assert_eq!(props(&lt), json!({}));
    }

    #[test]
    fn instance_uses_the_instance_schema_names() {
        let i = Instance::new()
            .instance_type("t3.micro")
            .monitoring(true)
            .credit_specification(InstanceCreditSpecification::new().cpu_credits("standard"))
            .network_interfaces(vec![
                InstanceNetworkInterface::new()
                    .device_index("0")
                    .group_set(vec![Value::from(Intrinsic::Ref("Sg".into()))]),
            ]);
        let p = props(&i);
        assert_eq!(p["CreditSpecification"], json!({"CPUCredits": "standard"}));
        assert_eq!(p["NetworkInterfaces"][0]["DeviceIndex"], "0");
        assert_eq!(
            p["NetworkInterfaces"][0]["GroupSet"],
            json!([{"Ref": "Sg"}])
        );
        assert_eq!(p["Monitoring"], true);
    }

    #[test]
    fn attributes_come_from_the_schema() {
        let lt: Handle<LaunchTemplate> = Handle::new("Lt");
        assert_eq!(
            lt.latest_version_number().to_expr(),
            Expr::func(Intrinsic::GetAtt {
                resource: "Lt".into(),
                attribute: "LatestVersionNumber".into()
            })
        );
        let i: Handle<Instance> = Handle::new("Bastion");
        assert_eq!(
            to_json_value(&i.public_ip().to_expr()),
            json!({"Fn::GetAtt": ["Bastion", "PublicIp"]})
        );
        assert_eq!(LaunchTemplate::TYPE, "AWS::EC2::LaunchTemplate");
        assert_eq!(Instance::TYPE, "AWS::EC2::Instance");
    }
}
