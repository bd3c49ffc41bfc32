//! The override table: every place where generated code deliberately
//! differs from what the schemas alone would give, each with its reason.
//!
//! Keep it short. A line belongs here only when the schema is wrong for
//! users (a number typed as a string), a property must not be offered (a
//! plain-text password), or hagen's output must stay as it was (property
//! order of templates already deployed). Everything else is a rule in
//! `model.rs` that applies to every type alike.

/// One deliberate difference from the schemas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Override {
    /// A property the schema types as a digit string is an integer: the
    /// template then holds a number, which CloudFormation accepts.
    Integer {
        /// The resource type.
        type_name: &'static str,
        /// The top-level property.
        property: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A property that is not generated at all.
    Omit {
        /// The resource type.
        type_name: &'static str,
        /// The top-level property.
        property: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// Properties written first, in this order, before the others (which
    /// follow in schema order).
    Order {
        /// The resource type.
        type_name: &'static str,
        /// The property type: `""` for the resource itself, else the
        /// schema's definition name.
        within: &'static str,
        /// The properties that come first.
        first: &'static [&'static str],
        /// Why.
        reason: &'static str,
    },
    /// Stack tags reach the type through a hand-written function
    /// (`crate::resources::ext::...`) instead of its tag property.
    Tags {
        /// The resource type.
        type_name: &'static str,
        /// Path of the function, from `crate::resources::ext`.
        function: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A service module re-exports hand-written additions
    /// (`crate::resources::ext::<module>`): policy helpers, shortcuts.
    Extend {
        /// The service module (`iam`).
        service: &'static str,
        /// Why.
        reason: &'static str,
    },
}

/// Why the legacy orders exist, once.
const DEPLOYED_ORDER: &str = "the order hagen wrote before the L1 types were generated; \
    templates of deployed stacks stay byte-identical";

/// The table.
pub const OVERRIDES: &[Override] = &[
    // Digit strings as integers.
    Override::Integer {
        type_name: "AWS::AutoScaling::AutoScalingGroup",
        property: "MinSize",
        reason: "a group size is a number; the schema's digit-string type predates CloudFormation accepting numbers",
    },
    Override::Integer {
        type_name: "AWS::AutoScaling::AutoScalingGroup",
        property: "MaxSize",
        reason: "a group size is a number; the schema's digit-string type predates CloudFormation accepting numbers",
    },
    Override::Integer {
        type_name: "AWS::AutoScaling::AutoScalingGroup",
        property: "DesiredCapacity",
        reason: "a group size is a number; the schema's digit-string type predates CloudFormation accepting numbers",
    },
    Override::Integer {
        type_name: "AWS::AutoScaling::AutoScalingGroup",
        property: "Cooldown",
        reason: "seconds are a number; CloudFormation accepts one",
    },
    Override::Integer {
        type_name: "AWS::AutoScaling::ScalingPolicy",
        property: "Cooldown",
        reason: "seconds are a number; CloudFormation accepts one",
    },
    Override::Integer {
        type_name: "AWS::RDS::DBInstance",
        property: "AllocatedStorage",
        reason: "GiB are a number; the schema's digit-string pattern predates CloudFormation accepting numbers",
    },
    Override::Integer {
        type_name: "AWS::RDS::DBInstance",
        property: "Port",
        reason: "a port is a number; the schema's digit-string pattern predates CloudFormation accepting numbers",
    },
    Override::Integer {
        type_name: "AWS::Route53::RecordSet",
        property: "TTL",
        reason: "seconds are a number; CloudFormation accepts one",
    },
    // Secrets never in a template.
    Override::Omit {
        type_name: "AWS::RDS::DBInstance",
        property: "MasterUserPassword",
        reason: "a password in a template is readable by anyone who can read the stack; \
                 use ManageMasterUserPassword (the Database construct does) or a dynamic \
                 reference through a property override",
    },
    Override::Omit {
        type_name: "AWS::RDS::DBCluster",
        property: "MasterUserPassword",
        reason: "a password in a template is readable by anyone who can read the stack; \
                 use ManageMasterUserPassword or a dynamic reference through a property override",
    },
    // Tags that need more than a tag list.
    Override::Tags {
        type_name: "AWS::EC2::LaunchTemplate",
        function: "ec2::tag_launch_template",
        reason: "stack tags go on the launch template and, so that instances and their \
                 volumes carry them, into the launch template data's TagSpecifications",
    },
    // Hand-written additions.
    Override::Extend {
        service: "iam",
        reason: "policy-document helpers (trust policies, managed policy ARNs)",
    },
    Override::Extend {
        service: "ec2",
        reason: "the resource types a launch template's stack tags propagate to",
    },
    Override::Extend {
        service: "autoscaling",
        reason: "the typed UpdatePolicy and CreationPolicy of a group, and the usual notification types",
    },
    // Property order of what hagen deployed before generation.
    Override::Order {
        type_name: "AWS::EC2::VPC",
        within: "",
        first: &[
            "CidrBlock",
            "EnableDnsSupport",
            "EnableDnsHostnames",
            "Tags",
        ],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::EC2::VPCGatewayAttachment",
        within: "",
        first: &["VpcId", "InternetGatewayId"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::EC2::RouteTable",
        within: "",
        first: &["VpcId", "Tags"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::EC2::Route",
        within: "",
        first: &[
            "RouteTableId",
            "DestinationCidrBlock",
            "GatewayId",
            "NatGatewayId",
        ],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::EC2::Subnet",
        within: "",
        first: &[
            "VpcId",
            "CidrBlock",
            "AvailabilityZone",
            "MapPublicIpOnLaunch",
            "Tags",
        ],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::EC2::NatGateway",
        within: "",
        first: &["SubnetId", "AllocationId", "Tags"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::EC2::NetworkAcl",
        within: "",
        first: &["VpcId", "Tags"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::EC2::NetworkAclEntry",
        within: "",
        first: &[
            "NetworkAclId",
            "RuleNumber",
            "Egress",
            "Protocol",
            "RuleAction",
            "CidrBlock",
            "PortRange",
            "Icmp",
        ],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::EC2::SecurityGroup",
        within: "",
        first: &["GroupDescription", "VpcId", "Tags"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::EC2::SecurityGroupIngress",
        within: "",
        first: &[
            "GroupId",
            "IpProtocol",
            "FromPort",
            "ToPort",
            "CidrIp",
            "SourceSecurityGroupId",
            "Description",
        ],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::SNS::Subscription",
        within: "",
        first: &["TopicArn", "Protocol", "Endpoint"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::CloudWatch::Alarm",
        within: "",
        first: &[
            "AlarmDescription",
            "Namespace",
            "MetricName",
            "Dimensions",
            "Statistic",
            "Period",
            "EvaluationPeriods",
            "Threshold",
            "ComparisonOperator",
            "TreatMissingData",
            "AlarmActions",
            "OKActions",
            "Tags",
        ],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::IAM::Role",
        within: "Policy",
        first: &["PolicyName", "PolicyDocument"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::ElasticLoadBalancingV2::Listener",
        within: "Action",
        first: &["Type", "RedirectConfig", "TargetGroupArn"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::AutoScaling::AutoScalingGroup",
        within: "NotificationConfiguration",
        first: &["TopicARN", "NotificationTypes"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::AutoScaling::AutoScalingGroup",
        within: "TagProperty",
        first: &["Key", "Value", "PropagateAtLaunch"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::ElasticLoadBalancingV2::ListenerRule",
        within: "Action",
        first: &["Type", "TargetGroupArn"],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::AutoScaling::ScalingPolicy",
        within: "",
        first: &[
            "AutoScalingGroupName",
            "PolicyType",
            "AdjustmentType",
            "EstimatedInstanceWarmup",
            "MetricAggregationType",
            "StepAdjustments",
        ],
        reason: DEPLOYED_ORDER,
    },
    Override::Order {
        type_name: "AWS::Route53::RecordSet",
        within: "AliasTarget",
        first: &["DNSName", "HostedZoneId", "EvaluateTargetHealth"],
        reason: DEPLOYED_ORDER,
    },
];
