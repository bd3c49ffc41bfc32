//! EC2 networking resource types: VPC, subnets, gateways, routes, network
//! ACLs and security groups.
//!
//! Property names, value types and `GetAtt` attributes follow AWS's resource
//! provider schemas as shipped with cfn-lint 1.58.0 (MIT-0); the attribute
//! lists are what cfn-lint accepts for `Fn::GetAtt` on each type. Read-only
//! properties are attributes, not settable fields. No defaults and no policy
//! here: the VPC, NACL and security-group constructs own those.

use crate::resources::Tag;
use crate::template::List;

cfn_struct! {
    /// VPC encryption controls (`VpcEncryptionControl` of `AWS::EC2::VPC`):
    /// monitor or enforce encryption in transit, with per-service exclusions
    /// (`enable` / `disable`).
    pub struct VpcEncryptionControl {
        /// `monitor` or `enforce`.
        mode: "Mode" => String,
        /// Exclude internet gateway traffic from enforcement.
        internet_gateway_exclusion: "InternetGatewayExclusion" => String,
        /// Exclude egress-only internet gateway traffic.
        egress_only_internet_gateway_exclusion: "EgressOnlyInternetGatewayExclusion" => String,
        /// Exclude NAT gateway traffic.
        nat_gateway_exclusion: "NatGatewayExclusion" => String,
        /// Exclude virtual private gateway traffic.
        virtual_private_gateway_exclusion: "VirtualPrivateGatewayExclusion" => String,
        /// Exclude VPC peering traffic.
        vpc_peering_exclusion: "VpcPeeringExclusion" => String,
        /// Exclude Lambda function traffic.
        lambda_exclusion: "LambdaExclusion" => String,
        /// Exclude VPC Lattice traffic.
        vpc_lattice_exclusion: "VpcLatticeExclusion" => String,
        /// Exclude Elastic File System traffic.
        elastic_file_system_exclusion: "ElasticFileSystemExclusion" => String,
    }
}

cfn_resource! {
    /// `AWS::EC2::VPC`: a virtual private cloud.
    pub struct Vpc = "AWS::EC2::VPC", tags: standard {
        /// The IPv4 CIDR block of the VPC (`/16` to `/28`); replacement if changed.
        cidr_block: "CidrBlock" => String,
        /// Whether DNS resolution through the Amazon DNS server is supported.
        enable_dns_support: "EnableDnsSupport" => bool,
        /// Whether instances get public DNS hostnames (needs DNS support).
        enable_dns_hostnames: "EnableDnsHostnames" => bool,
        /// `default`, `dedicated` or `host` tenancy.
        instance_tenancy: "InstanceTenancy" => String,
        /// An IPAM pool to allocate the CIDR from, instead of `CidrBlock`.
        ipv4_ipam_pool_id: "Ipv4IpamPoolId" => String,
        /// Netmask length of the CIDR taken from the IPAM pool.
        ipv4_netmask_length: "Ipv4NetmaskLength" => i64,
        /// Encryption-in-transit controls.
        vpc_encryption_control: "VpcEncryptionControl" => VpcEncryptionControl,
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

cfn_struct! {
    /// How instances launched into a subnet are named in private DNS
    /// (`PrivateDnsNameOptionsOnLaunch` of `AWS::EC2::Subnet`).
    pub struct PrivateDnsNameOptionsOnLaunch {
        /// `ip-name` or `resource-name`.
        hostname_type: "HostnameType" => String,
        /// Answer DNS A queries for resource names.
        enable_resource_name_dns_a_record: "EnableResourceNameDnsARecord" => bool,
        /// Answer DNS AAAA queries for resource names.
        enable_resource_name_dns_aaaa_record: "EnableResourceNameDnsAAAARecord" => bool,
    }
}

cfn_resource! {
    /// `AWS::EC2::Subnet`: a subnet in one availability zone of a VPC.
    pub struct Subnet = "AWS::EC2::Subnet", tags: standard {
        /// The VPC the subnet belongs to.
        vpc_id: "VpcId" => String,
        /// The IPv4 CIDR block, inside the VPC's; replacement if changed.
        cidr_block: "CidrBlock" => String,
        /// The availability zone (`!Select [i, !GetAZs '']`).
        availability_zone: "AvailabilityZone" => String,
        /// The availability zone by ID (`use1-az1`), instead of by name.
        availability_zone_id: "AvailabilityZoneId" => String,
        /// Whether instances launched here get a public IPv4 address.
        map_public_ip_on_launch: "MapPublicIpOnLaunch" => bool,
        /// An IPv6 CIDR block (a /64 of the VPC's).
        ipv6_cidr_block: "Ipv6CidrBlock" => String,
        /// Whether network interfaces created here get an IPv6 address.
        assign_ipv6_address_on_creation: "AssignIpv6AddressOnCreation" => bool,
        /// Whether this is an IPv6-only subnet.
        ipv6_native: "Ipv6Native" => bool,
        /// Whether DNS returns synthetic IPv6 addresses for IPv4-only names (DNS64).
        enable_dns64: "EnableDns64" => bool,
        /// Device position of local network interfaces (Outposts).
        enable_lni_at_device_index: "EnableLniAtDeviceIndex" => i64,
        /// An IPAM pool to allocate the IPv4 CIDR from.
        ipv4_ipam_pool_id: "Ipv4IpamPoolId" => String,
        /// Netmask length of the IPv4 CIDR taken from the IPAM pool.
        ipv4_netmask_length: "Ipv4NetmaskLength" => i64,
        /// An IPAM pool to allocate the IPv6 CIDR from.
        ipv6_ipam_pool_id: "Ipv6IpamPoolId" => String,
        /// Netmask length of the IPv6 CIDR taken from the IPAM pool.
        ipv6_netmask_length: "Ipv6NetmaskLength" => i64,
        /// ARN of the Outpost the subnet lives on.
        outpost_arn: "OutpostArn" => String,
        /// How instances here are named in private DNS.
        private_dns_name_options_on_launch: "PrivateDnsNameOptionsOnLaunch" => PrivateDnsNameOptionsOnLaunch,
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
        /// IPv6 CIDR blocks.
        ipv6_cidr_blocks: "Ipv6CidrBlocks",
        /// The network ACL association of the subnet.
        network_acl_association_id: "NetworkAclAssociationId",
        /// The Outpost ARN.
        outpost_arn: "OutpostArn",
        /// The subnet ID.
        subnet_id: "SubnetId",
        /// The VPC ID.
        vpc_id: "VpcId",
    }
}

cfn_resource! {
    /// `AWS::EC2::InternetGateway`: the VPC's door to the internet, attached
    /// with [`VpcGatewayAttachment`].
    pub struct InternetGateway = "AWS::EC2::InternetGateway", tags: standard {
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The internet gateway ID.
        internet_gateway_id: "InternetGatewayId",
    }
}

cfn_resource! {
    /// `AWS::EC2::VPCGatewayAttachment`: attaches an internet gateway (or a
    /// VPN gateway) to a VPC. Routes to the gateway and EIPs in the VPC must
    /// depend on it.
    pub struct VpcGatewayAttachment = "AWS::EC2::VPCGatewayAttachment", tags: none {
        /// The VPC (required; replacement if changed).
        vpc_id: "VpcId" => String,
        /// The internet gateway (this or `VpnGatewayId`).
        internet_gateway_id: "InternetGatewayId" => String,
        /// The virtual private gateway (this or `InternetGatewayId`).
        vpn_gateway_id: "VpnGatewayId" => String,
    }
    attributes {
        /// Whether it attaches an internet or a VPN gateway.
        attachment_type: "AttachmentType",
    }
}

cfn_resource! {
    /// `AWS::EC2::EIP`: an Elastic IP address (for a NAT gateway or a
    /// bastion). In a VPC defined in the same template it must depend on the
    /// gateway attachment.
    pub struct Eip = "AWS::EC2::EIP", tags: standard {
        /// `vpc` (or the legacy `standard`).
        domain: "Domain" => String,
        /// An instance to associate the address with.
        instance_id: "InstanceId" => String,
        /// A specific Elastic IP (or carrier IP) address to allocate.
        address: "Address" => String,
        /// An IPAM pool with public IPv4 addresses to allocate from.
        ipam_pool_id: "IpamPoolId" => String,
        /// The zones from which AWS advertises the address.
        network_border_group: "NetworkBorderGroup" => String,
        /// An address pool you own (BYOIP).
        public_ipv4_pool: "PublicIpv4Pool" => String,
        /// An address transferred from another account, to accept.
        transfer_address: "TransferAddress" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The allocation ID (what a NAT gateway takes).
        allocation_id: "AllocationId",
        /// The public IPv4 address.
        public_ip: "PublicIp",
    }
}

cfn_struct! {
    /// The zone and Elastic IPs of one zone of a regional NAT gateway
    /// (`AvailabilityZoneAddresses` of `AWS::EC2::NatGateway`).
    pub struct AvailabilityZoneAddress {
        /// The availability zone by name.
        availability_zone: "AvailabilityZone" => String,
        /// The availability zone by ID.
        availability_zone_id: "AvailabilityZoneId" => String,
        /// Allocation IDs of the Elastic IPs used in that zone.
        allocation_ids: "AllocationIds" => List<String>,
    }
}

cfn_resource! {
    /// `AWS::EC2::NatGateway`: lets private subnets reach the internet
    /// without being reachable from it.
    pub struct NatGateway = "AWS::EC2::NatGateway", tags: standard {
        /// The public subnet it lives in (zonal gateways).
        subnet_id: "SubnetId" => String,
        /// The Elastic IP's allocation ID (public zonal gateways).
        allocation_id: "AllocationId" => String,
        /// `public` (default) or `private`.
        connectivity_type: "ConnectivityType" => String,
        /// `zonal` (default) or `regional`.
        availability_mode: "AvailabilityMode" => String,
        /// Zones and addresses of a regional gateway.
        availability_zone_addresses: "AvailabilityZoneAddresses" => List<AvailabilityZoneAddress>,
        /// The VPC (regional gateways).
        vpc_id: "VpcId" => String,
        /// Seconds to wait for connections to drain before releasing addresses.
        max_drain_duration_seconds: "MaxDrainDurationSeconds" => i64,
        /// A fixed private IPv4 address.
        private_ip_address: "PrivateIpAddress" => String,
        /// Allocation IDs of secondary Elastic IPs.
        secondary_allocation_ids: "SecondaryAllocationIds" => List<String>,
        /// How many secondary private addresses to assign (private gateways).
        secondary_private_ip_address_count: "SecondaryPrivateIpAddressCount" => i64,
        /// Secondary private addresses (private gateways).
        secondary_private_ip_addresses: "SecondaryPrivateIpAddresses" => List<String>,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The NAT gateway ID.
        nat_gateway_id: "NatGatewayId",
        /// The ID of its network interface.
        eni_id: "EniId",
        /// Whether zones are provisioned automatically (regional gateways).
        auto_provision_zones: "AutoProvisionZones",
        /// Whether addresses scale automatically (regional gateways).
        auto_scaling_ips: "AutoScalingIps",
        /// The route table of a regional gateway.
        route_table_id: "RouteTableId",
    }
}

cfn_resource! {
    /// `AWS::EC2::RouteTable`: the routes of the subnets associated with it.
    pub struct RouteTable = "AWS::EC2::RouteTable", tags: standard {
        /// The VPC (required; replacement if changed).
        vpc_id: "VpcId" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The route table ID.
        route_table_id: "RouteTableId",
    }
}

cfn_resource! {
    /// `AWS::EC2::Route`: one route in a route table, to exactly one target.
    pub struct Route = "AWS::EC2::Route", tags: none {
        /// The route table (required).
        route_table_id: "RouteTableId" => String,
        /// IPv4 destination (`0.0.0.0/0` for a default route).
        destination_cidr_block: "DestinationCidrBlock" => String,
        /// IPv6 destination.
        destination_ipv6_cidr_block: "DestinationIpv6CidrBlock" => String,
        /// A managed prefix list as destination.
        destination_prefix_list_id: "DestinationPrefixListId" => String,
        /// Target: an internet gateway or virtual private gateway.
        gateway_id: "GatewayId" => String,
        /// Target: a NAT gateway (IPv4 only).
        nat_gateway_id: "NatGatewayId" => String,
        /// Target: an egress-only internet gateway (IPv6 only).
        egress_only_internet_gateway_id: "EgressOnlyInternetGatewayId" => String,
        /// Target: a NAT instance.
        instance_id: "InstanceId" => String,
        /// Target: a network interface.
        network_interface_id: "NetworkInterfaceId" => String,
        /// Target: a transit gateway.
        transit_gateway_id: "TransitGatewayId" => String,
        /// Target: a VPC peering connection.
        vpc_peering_connection_id: "VpcPeeringConnectionId" => String,
        /// Target: a Gateway Load Balancer endpoint.
        vpc_endpoint_id: "VpcEndpointId" => String,
        /// Target: a carrier gateway (Wavelength).
        carrier_gateway_id: "CarrierGatewayId" => String,
        /// Target: a local gateway (Outposts).
        local_gateway_id: "LocalGatewayId" => String,
        /// Target: a Cloud WAN core network.
        core_network_arn: "CoreNetworkArn" => String,
        /// Target: an ODB network.
        odb_network_arn: "OdbNetworkArn" => String,
    }
    attributes {
        /// The destination IPv4 CIDR block.
        cidr_block: "CidrBlock",
    }
}

cfn_resource! {
    /// `AWS::EC2::SubnetRouteTableAssociation`: puts a subnet under a route
    /// table (otherwise it uses the VPC's main route table).
    pub struct SubnetRouteTableAssociation = "AWS::EC2::SubnetRouteTableAssociation", tags: none {
        /// The route table (required).
        route_table_id: "RouteTableId" => String,
        /// The subnet (required).
        subnet_id: "SubnetId" => String,
    }
    attributes {
        /// The association ID.
        id: "Id",
    }
}

cfn_resource! {
    /// `AWS::EC2::NetworkAcl`: a stateless subnet firewall; its rules are
    /// [`NetworkAclEntry`] resources.
    pub struct NetworkAcl = "AWS::EC2::NetworkAcl", tags: standard {
        /// The VPC (required; replacement if changed).
        vpc_id: "VpcId" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The network ACL ID.
        id: "Id",
    }
}

cfn_struct! {
    /// ICMP type and code of a network ACL rule (`Icmp` of
    /// `AWS::EC2::NetworkAclEntry`, documented as `IcmpTypeCode`); required
    /// when the protocol is 1 (ICMP). `-1` means any.
    pub struct IcmpTypeCode {
        /// ICMP code.
        code: "Code" => i64,
        /// ICMP type.
        icmp_type: "Type" => i64,
    }
}

cfn_struct! {
    /// The port range of a network ACL rule (`PortRange` of
    /// `AWS::EC2::NetworkAclEntry`); required for TCP (6) and UDP (17).
    pub struct PortRange {
        /// First port.
        from: "From" => i64,
        /// Last port.
        to: "To" => i64,
    }
}

cfn_resource! {
    /// `AWS::EC2::NetworkAclEntry`: one numbered rule of a network ACL,
    /// evaluated in ascending rule-number order; the first match decides.
    pub struct NetworkAclEntry = "AWS::EC2::NetworkAclEntry", tags: none {
        /// The network ACL (required).
        network_acl_id: "NetworkAclId" => String,
        /// Rule number, 1 to 32766 (required; unique per direction).
        rule_number: "RuleNumber" => i64,
        /// `true` for an outbound rule, `false` (default) for inbound.
        egress: "Egress" => bool,
        /// Protocol number: 6 TCP, 17 UDP, 1 ICMP, -1 all (required).
        protocol: "Protocol" => i64,
        /// `allow` or `deny` (required).
        rule_action: "RuleAction" => String,
        /// IPv4 range the rule applies to (this or `Ipv6CidrBlock`).
        cidr_block: "CidrBlock" => String,
        /// IPv6 range the rule applies to.
        ipv6_cidr_block: "Ipv6CidrBlock" => String,
        /// Ports, for TCP and UDP.
        port_range: "PortRange" => PortRange,
        /// ICMP type and code, for ICMP.
        icmp: "Icmp" => IcmpTypeCode,
    }
    attributes {
        /// The entry ID.
        id: "Id",
    }
}

cfn_resource! {
    /// `AWS::EC2::SubnetNetworkAclAssociation`: puts a subnet under a network
    /// ACL (a subnet has exactly one; otherwise the VPC's default ACL).
    pub struct SubnetNetworkAclAssociation = "AWS::EC2::SubnetNetworkAclAssociation", tags: none {
        /// The network ACL (required).
        network_acl_id: "NetworkAclId" => String,
        /// The subnet (required).
        subnet_id: "SubnetId" => String,
    }
    attributes {
        /// The association ID.
        association_id: "AssociationId",
    }
}

cfn_struct! {
    /// An inbound rule inline in `AWS::EC2::SecurityGroup` (`Ingress`).
    /// Prefer separate [`SecurityGroupIngress`] resources, which let groups
    /// refer to each other without a dependency cycle.
    pub struct SecurityGroupIngressRule {
        /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for all.
        ip_protocol: "IpProtocol" => String,
        /// First port (or ICMP type; `-1` for all).
        from_port: "FromPort" => i64,
        /// Last port (or ICMP code; `-1` for all).
        to_port: "ToPort" => i64,
        /// Source IPv4 range.
        cidr_ip: "CidrIp" => String,
        /// Source IPv6 range.
        cidr_ipv6: "CidrIpv6" => String,
        /// Source managed prefix list.
        source_prefix_list_id: "SourcePrefixListId" => String,
        /// Source security group by ID.
        source_security_group_id: "SourceSecurityGroupId" => String,
        /// Source security group by name (default VPC only).
        source_security_group_name: "SourceSecurityGroupName" => String,
        /// Account that owns the source group (cross-account).
        source_security_group_owner_id: "SourceSecurityGroupOwnerId" => String,
        /// What the rule is for.
        description: "Description" => String,
    }
}

cfn_struct! {
    /// An outbound rule inline in `AWS::EC2::SecurityGroup` (`Egress`).
    /// Setting any removes the default allow-all outbound rule.
    pub struct SecurityGroupEgressRule {
        /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for all.
        ip_protocol: "IpProtocol" => String,
        /// First port (or ICMP type; `-1` for all).
        from_port: "FromPort" => i64,
        /// Last port (or ICMP code; `-1` for all).
        to_port: "ToPort" => i64,
        /// Destination IPv4 range.
        cidr_ip: "CidrIp" => String,
        /// Destination IPv6 range.
        cidr_ipv6: "CidrIpv6" => String,
        /// Destination managed prefix list.
        destination_prefix_list_id: "DestinationPrefixListId" => String,
        /// Destination security group by ID.
        destination_security_group_id: "DestinationSecurityGroupId" => String,
        /// What the rule is for.
        description: "Description" => String,
    }
}

cfn_resource! {
    /// `AWS::EC2::SecurityGroup`: a stateful firewall for network interfaces.
    pub struct SecurityGroup = "AWS::EC2::SecurityGroup", tags: standard {
        /// Description (required; replacement if changed; up to 255 of
        /// `a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*`).
        group_description: "GroupDescription" => String,
        /// Physical name (leave unset: a fixed name blocks replacement).
        group_name: "GroupName" => String,
        /// The VPC (replacement if changed).
        vpc_id: "VpcId" => String,
        /// Inline inbound rules.
        security_group_ingress: "SecurityGroupIngress" => List<SecurityGroupIngressRule>,
        /// Inline outbound rules (none means allow all outbound).
        security_group_egress: "SecurityGroupEgress" => List<SecurityGroupEgressRule>,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The security group ID.
        group_id: "GroupId",
        /// The group ID (VPC groups) or name (default VPC groups).
        id: "Id",
        /// The group name.
        group_name: "GroupName",
        /// The VPC ID.
        vpc_id: "VpcId",
    }
}

cfn_resource! {
    /// `AWS::EC2::SecurityGroupIngress`: one inbound rule of a security group
    /// as its own resource, so that two groups can refer to each other.
    pub struct SecurityGroupIngress = "AWS::EC2::SecurityGroupIngress", tags: none {
        /// The group the rule belongs to, by ID.
        group_id: "GroupId" => String,
        /// The group the rule belongs to, by name (default VPC only).
        group_name: "GroupName" => String,
        /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for all (required).
        ip_protocol: "IpProtocol" => String,
        /// First port (or ICMP type; `-1` for all).
        from_port: "FromPort" => i64,
        /// Last port (or ICMP code; `-1` for all).
        to_port: "ToPort" => i64,
        /// Source IPv4 range.
        cidr_ip: "CidrIp" => String,
        /// Source IPv6 range.
        cidr_ipv6: "CidrIpv6" => String,
        /// Source managed prefix list.
        source_prefix_list_id: "SourcePrefixListId" => String,
        /// Source security group by ID.
        source_security_group_id: "SourceSecurityGroupId" => String,
        /// Source security group by name (default VPC only).
        source_security_group_name: "SourceSecurityGroupName" => String,
        /// Account that owns the source group (cross-account).
        source_security_group_owner_id: "SourceSecurityGroupOwnerId" => String,
        /// What the rule is for (up to 255 of `a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*`).
        description: "Description" => String,
    }
    attributes {
        /// The security group rule ID.
        id: "Id",
    }
}

cfn_resource! {
    /// `AWS::EC2::SecurityGroupEgress`: one outbound rule of a security group
    /// as its own resource.
    pub struct SecurityGroupEgress = "AWS::EC2::SecurityGroupEgress", tags: none {
        /// The group the rule belongs to (required).
        group_id: "GroupId" => String,
        /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for all (required).
        ip_protocol: "IpProtocol" => String,
        /// First port (or ICMP type; `-1` for all).
        from_port: "FromPort" => i64,
        /// Last port (or ICMP code; `-1` for all).
        to_port: "ToPort" => i64,
        /// Destination IPv4 range.
        cidr_ip: "CidrIp" => String,
        /// Destination IPv6 range.
        cidr_ipv6: "CidrIpv6" => String,
        /// Destination managed prefix list.
        destination_prefix_list_id: "DestinationPrefixListId" => String,
        /// Destination security group by ID.
        destination_security_group_id: "DestinationSecurityGroupId" => String,
        /// What the rule is for.
        description: "Description" => String,
    }
    attributes {
        /// The security group rule ID.
        id: "Id",
    }
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::*;
    use crate::resources::CfnResource;
    use crate::template::fns::az;
    use crate::template::{Expr, Handle, Intrinsic};

    fn props(pairs: Vec<(&str, Expr)>) -> IndexMap<String, Expr> {
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    #[test]
    fn subnet_serialises_in_declaration_order_with_intrinsics() {
        let vpc: Handle<Vpc> = Handle::new("NetworkVpc");
        let subnet = Subnet::new()
            .vpc_id(vpc.reference())
            .cidr_block("10.0.0.0/24")
            .availability_zone(az(1))
            .map_public_ip_on_launch(false);
        assert_eq!(Subnet::TYPE, "AWS::EC2::Subnet");
        assert_eq!(
            subnet.properties(),
            props(vec![
                ("VpcId", Expr::func(Intrinsic::Ref("NetworkVpc".into()))),
                ("CidrBlock", Expr::string("10.0.0.0/24")),
                ("AvailabilityZone", Expr::func(az(1))),
                ("MapPublicIpOnLaunch", Expr::Bool(false)),
            ])
        );
    }

    #[test]
    fn network_acl_entry_nests_port_range_and_icmp() {
        let entry = NetworkAclEntry::new()
            .network_acl_id(Intrinsic::Ref("Acl".into()))
            .rule_number(100)
            .egress(true)
            .protocol(6)
            .rule_action("allow")
            .cidr_block("0.0.0.0/0")
            .port_range(PortRange::new().from(1024).to(65535));
        let p = entry.properties();
        assert_eq!(
            p.get("PortRange"),
            Some(&Expr::Map(props(vec![
                ("From", Expr::Int(1024)),
                ("To", Expr::Int(65535))
            ])))
        );
        assert_eq!(p.get("Egress"), Some(&Expr::Bool(true)));
        assert_eq!(p.get("Protocol"), Some(&Expr::Int(6)));

        let icmp = NetworkAclEntry::new()
            .protocol(1)
            .icmp(IcmpTypeCode::new().icmp_type(3).code(4));
        assert_eq!(
            icmp.properties().get("Icmp"),
            Some(&Expr::Map(props(vec![
                ("Code", Expr::Int(4)),
                ("Type", Expr::Int(3))
            ])))
        );
    }

    #[test]
    fn a_rule_number_can_be_a_parameter() {
        let entry = NetworkAclEntry::new().rule_number(Intrinsic::Ref("RuleNo".into()));
        assert_eq!(
            entry.properties().get("RuleNumber"),
            Some(&Expr::func(Intrinsic::Ref("RuleNo".into())))
        );
    }

    #[test]
    fn taggable_types_take_stack_tags_and_untaggable_ones_ignore_them() {
        let tags = [Tag::pair("Project", "swiftcode")];
        let mut nat = NatGateway::new().subnet_id(Intrinsic::Ref("Public1".into()));
        nat.apply_tags(&tags);
        assert!(nat.properties().contains_key("Tags"));

        let mut route = Route::new().route_table_id(Intrinsic::Ref("Rt".into()));
        route.apply_tags(&tags);
        assert!(!route.properties().contains_key("Tags"));
    }

    #[test]
    fn security_group_ingress_refers_to_groups_by_getatt() {
        let app: Handle<SecurityGroup> = Handle::new("AppSg");
        let alb: Handle<SecurityGroup> = Handle::new("AlbSg");
        let rule = SecurityGroupIngress::new()
            .group_id(app.group_id())
            .ip_protocol("tcp")
            .from_port(8080)
            .to_port(8080)
            .source_security_group_id(alb.group_id())
            .description("app port from the load balancer");
        let p = rule.properties();
        assert_eq!(
            p.get("SourceSecurityGroupId"),
            Some(&Expr::func(Intrinsic::GetAtt {
                resource: "AlbSg".into(),
                attribute: "GroupId".into()
            }))
        );
        assert_eq!(
            p.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "GroupId",
                "IpProtocol",
                "FromPort",
                "ToPort",
                "SourceSecurityGroupId",
                "Description"
            ]
        );
    }
}
