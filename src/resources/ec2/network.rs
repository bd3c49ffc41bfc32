//! EC2 networking resource types: VPC, subnets, gateways, routes, network
//! ACLs and security groups.

use crate::resources::Tag;
use crate::template::List;

cfn_resource! {
    /// `AWS::EC2::VPC`: a virtual private cloud.
    pub struct Vpc = "AWS::EC2::VPC", tags: standard {
        /// The IPv4 CIDR block of the VPC.
        cidr_block: "CidrBlock" => String,
        /// Whether DNS resolution through the Amazon DNS server is supported.
        enable_dns_support: "EnableDnsSupport" => bool,
        /// Whether instances get public DNS hostnames.
        enable_dns_hostnames: "EnableDnsHostnames" => bool,
        /// `default` or `dedicated` tenancy.
        instance_tenancy: "InstanceTenancy" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The primary IPv4 CIDR block.
        cidr_block: "CidrBlock",
        /// Association IDs of the IPv4 CIDR blocks.
        cidr_block_associations: "CidrBlockAssociations",
        /// ID of the default network ACL.
        default_network_acl: "DefaultNetworkAcl",
        /// ID of the default security group.
        default_security_group: "DefaultSecurityGroup",
        /// IPv6 CIDR blocks.
        ipv6_cidr_blocks: "Ipv6CidrBlocks",
        /// The VPC ID.
        vpc_id: "VpcId",
    }
}

cfn_resource! {
    /// `AWS::EC2::Subnet`: a subnet in one availability zone of a VPC.
    pub struct Subnet = "AWS::EC2::Subnet", tags: standard {
        /// The VPC the subnet belongs to.
        vpc_id: "VpcId" => String,
        /// The IPv4 CIDR block, inside the VPC's.
        cidr_block: "CidrBlock" => String,
        /// The availability zone (`!Select [i, !GetAZs '']`).
        availability_zone: "AvailabilityZone" => String,
        /// Whether instances launched here get a public IPv4 address.
        map_public_ip_on_launch: "MapPublicIpOnLaunch" => bool,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The availability zone.
        availability_zone: "AvailabilityZone",
        /// The availability zone ID.
        availability_zone_id: "AvailabilityZoneId",
        /// The IPv4 CIDR block.
        cidr_block: "CidrBlock",
        /// The network ACL associated with the subnet.
        network_acl_association_id: "NetworkAclAssociationId",
        /// The subnet ID.
        subnet_id: "SubnetId",
        /// The VPC ID.
        vpc_id: "VpcId",
    }
}

cfn_struct! {
    /// An inbound rule inline in `AWS::EC2::SecurityGroup`.
    pub struct SecurityGroupRule {
        /// `tcp`, `udp`, `icmp`, a protocol number, or `-1` for all.
        ip_protocol: "IpProtocol" => String,
        /// First port of the range.
        from_port: "FromPort" => i64,
        /// Last port of the range.
        to_port: "ToPort" => i64,
        /// Source or destination IPv4 range.
        cidr_ip: "CidrIp" => String,
        /// Source security group (ingress).
        source_security_group_id: "SourceSecurityGroupId" => String,
        /// Destination security group (egress).
        destination_security_group_id: "DestinationSecurityGroupId" => String,
        /// What the rule is for.
        description: "Description" => String,
    }
}

cfn_resource! {
    /// `AWS::EC2::SecurityGroup`: a stateful firewall for ENIs.
    pub struct SecurityGroup = "AWS::EC2::SecurityGroup", tags: standard {
        /// Description (required; cannot change without replacement).
        group_description: "GroupDescription" => String,
        /// The VPC.
        vpc_id: "VpcId" => String,
        /// Inbound rules.
        security_group_ingress: "SecurityGroupIngress" => List<SecurityGroupRule>,
        /// Outbound rules (none means allow all outbound).
        security_group_egress: "SecurityGroupEgress" => List<SecurityGroupRule>,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The security group ID.
        group_id: "GroupId",
        /// The VPC ID.
        vpc_id: "VpcId",
    }
}
