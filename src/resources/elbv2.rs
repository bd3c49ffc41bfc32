//! Elastic Load Balancing v2 resource types: load balancers, target groups
//! and listeners, with listener actions (forward, redirect, fixed response).
//!
//! Property names and attributes follow AWS's provider schemas for
//! `AWS::ElasticLoadBalancingV2::{LoadBalancer,TargetGroup,Listener}`. `Ref`
//! of each of them returns its ARN. Schemes, TLS policies and attributes are
//! chosen by the constructs.

use crate::resources::Tag;
use crate::template::{List, Value};

cfn_struct! {
    /// A `Key`/`Value` attribute of a load balancer, target group or listener
    /// (`deletion_protection.enabled`, `deregistration_delay.timeout_seconds`, ...).
    pub struct Attribute {
        /// Attribute name.
        key: "Key" => String,
        /// Attribute value (always a string, also for numbers and booleans).
        value: "Value" => String,
    }
}

impl Attribute {
    /// An attribute with a literal key and a value.
    pub fn pair(key: &str, value: impl Into<Value<String>>) -> Self {
        Attribute::new().key(key).value(value)
    }
}

cfn_struct! {
    /// A subnet of a load balancer, with optional fixed addresses.
    pub struct SubnetMapping {
        /// The subnet.
        subnet_id: "SubnetId" => String,
        /// An Elastic IP allocation (network load balancers).
        allocation_id: "AllocationId" => String,
        /// A private IPv4 address (internal network load balancers).
        private_ipv4_address: "PrivateIPv4Address" => String,
        /// An IPv6 address.
        ipv6_address: "IPv6Address" => String,
    }
}

cfn_resource! {
    /// `AWS::ElasticLoadBalancingV2::LoadBalancer`: an application, network
    /// or gateway load balancer.
    pub struct LoadBalancer = "AWS::ElasticLoadBalancingV2::LoadBalancer", tags: standard {
        /// `ipv4`, `dualstack` or `dualstack-without-public-ipv4`.
        ip_address_type: "IpAddressType" => String,
        /// Attributes (deletion protection, access logs, header handling, ...).
        load_balancer_attributes: "LoadBalancerAttributes" => List<Attribute>,
        /// Physical name (leave unset so CloudFormation can replace it).
        name: "Name" => String,
        /// `internet-facing` or `internal`.
        scheme: "Scheme" => String,
        /// Security group IDs (application load balancers).
        security_groups: "SecurityGroups" => List<String>,
        /// Subnets with fixed addresses (instead of `Subnets`).
        subnet_mappings: "SubnetMappings" => List<SubnetMapping>,
        /// Subnets, at least two availability zones for an application load balancer.
        subnets: "Subnets" => List<String>,
        /// Tags.
        tags: "Tags" => List<Tag>,
        /// `application`, `network` or `gateway`.
        load_balancer_type: "Type" => String,
    }
    attributes {
        /// Hosted zone ID for Route 53 alias records.
        canonical_hosted_zone_id: "CanonicalHostedZoneID",
        /// The DNS name.
        dns_name: "DNSName",
        /// The ARN.
        load_balancer_arn: "LoadBalancerArn",
        /// `app/<name>/<id>`: the CloudWatch dimension value.
        load_balancer_full_name: "LoadBalancerFullName",
        /// The name.
        load_balancer_name: "LoadBalancerName",
    }
}

cfn_struct! {
    /// Which HTTP or gRPC codes a health check counts as healthy.
    pub struct Matcher {
        /// HTTP codes, such as `200` or `200-399`.
        http_code: "HttpCode" => String,
        /// gRPC codes.
        grpc_code: "GrpcCode" => String,
    }
}

cfn_struct! {
    /// A target registered with a target group by hand (Auto Scaling groups
    /// register their own instances instead).
    pub struct TargetDescription {
        /// Instance ID, IP address, Lambda ARN or ALB ARN.
        id: "Id" => String,
        /// Port.
        port: "Port" => i64,
        /// Availability zone (`all` for IP targets outside the VPC).
        availability_zone: "AvailabilityZone" => String,
    }
}

cfn_resource! {
    /// `AWS::ElasticLoadBalancingV2::TargetGroup`: the targets a listener
    /// forwards to, and how their health is checked.
    pub struct TargetGroup = "AWS::ElasticLoadBalancingV2::TargetGroup", tags: standard {
        /// Whether health checks run.
        health_check_enabled: "HealthCheckEnabled" => bool,
        /// Seconds between health checks.
        health_check_interval_seconds: "HealthCheckIntervalSeconds" => i64,
        /// Path checked (HTTP, HTTPS).
        health_check_path: "HealthCheckPath" => String,
        /// Port checked (`traffic-port` by default).
        health_check_port: "HealthCheckPort" => String,
        /// Protocol of the check.
        health_check_protocol: "HealthCheckProtocol" => String,
        /// Seconds before a check counts as failed (less than the interval).
        health_check_timeout_seconds: "HealthCheckTimeoutSeconds" => i64,
        /// Successes before an unhealthy target counts as healthy.
        healthy_threshold_count: "HealthyThresholdCount" => i64,
        /// `ipv4` or `ipv6`.
        ip_address_type: "IpAddressType" => String,
        /// Codes counted as healthy.
        matcher: "Matcher" => Matcher,
        /// Physical name (leave unset).
        name: "Name" => String,
        /// Port targets receive traffic on.
        port: "Port" => i64,
        /// `HTTP`, `HTTPS`, `TCP`, ...
        protocol: "Protocol" => String,
        /// `HTTP1`, `HTTP2` or `GRPC`.
        protocol_version: "ProtocolVersion" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
        /// Attributes (deregistration delay, stickiness, ...).
        target_group_attributes: "TargetGroupAttributes" => List<Attribute>,
        /// Targets registered by hand.
        targets: "Targets" => List<TargetDescription>,
        /// `instance`, `ip`, `lambda` or `alb`.
        target_type: "TargetType" => String,
        /// Failures before a healthy target counts as unhealthy.
        unhealthy_threshold_count: "UnhealthyThresholdCount" => i64,
        /// The VPC.
        vpc_id: "VpcId" => String,
    }
    attributes {
        /// ARNs of the load balancers forwarding to the group.
        load_balancer_arns: "LoadBalancerArns",
        /// The ARN.
        target_group_arn: "TargetGroupArn",
        /// `targetgroup/<name>/<id>`: the CloudWatch dimension value.
        target_group_full_name: "TargetGroupFullName",
        /// The name.
        target_group_name: "TargetGroupName",
    }
}

cfn_struct! {
    /// A server certificate of an HTTPS listener.
    pub struct Certificate {
        /// The ACM or IAM certificate ARN.
        certificate_arn: "CertificateArn" => String,
    }
}

cfn_struct! {
    /// Where a `redirect` action sends the client. Unset parts keep the
    /// request's own (`#{host}`, `#{path}`, `#{query}`).
    pub struct RedirectConfig {
        /// Host.
        host: "Host" => String,
        /// Path, starting with `/`.
        path: "Path" => String,
        /// Port (a string, such as `"443"`).
        port: "Port" => String,
        /// `HTTP`, `HTTPS` or `#{protocol}`.
        protocol: "Protocol" => String,
        /// Query string, without the `?`.
        query: "Query" => String,
        /// `HTTP_301` (permanent) or `HTTP_302`.
        status_code: "StatusCode" => String,
    }
}

cfn_struct! {
    /// The answer of a `fixed-response` action.
    pub struct FixedResponseConfig {
        /// `text/plain`, `text/html`, `application/json`, ...
        content_type: "ContentType" => String,
        /// Body, at most 1024 characters.
        message_body: "MessageBody" => String,
        /// HTTP status code as a string (`"503"`).
        status_code: "StatusCode" => String,
    }
}

cfn_struct! {
    /// A weighted target group of a `forward` action.
    pub struct TargetGroupTuple {
        /// The target group ARN.
        target_group_arn: "TargetGroupArn" => String,
        /// Relative weight (0 to 999).
        weight: "Weight" => i64,
    }
}

cfn_struct! {
    /// Stickiness across the target groups of a weighted `forward` action.
    pub struct TargetGroupStickinessConfig {
        /// Whether clients stick to one group.
        enabled: "Enabled" => bool,
        /// Seconds they stick.
        duration_seconds: "DurationSeconds" => i64,
    }
}

cfn_struct! {
    /// A `forward` action to one or more weighted target groups.
    pub struct ForwardConfig {
        /// The target groups.
        target_groups: "TargetGroups" => List<TargetGroupTuple>,
        /// Stickiness across them.
        target_group_stickiness_config: "TargetGroupStickinessConfig" => TargetGroupStickinessConfig,
    }
}

cfn_struct! {
    /// A listener action.
    pub struct Action {
        /// `forward`, `redirect`, `fixed-response`, `authenticate-oidc`, ...
        action_type: "Type" => String,
        /// Order among the actions (1 to 50000).
        order: "Order" => i64,
        /// Target group of a simple `forward` action.
        target_group_arn: "TargetGroupArn" => String,
        /// Weighted `forward` action.
        forward_config: "ForwardConfig" => ForwardConfig,
        /// `redirect` action.
        redirect_config: "RedirectConfig" => RedirectConfig,
        /// `fixed-response` action.
        fixed_response_config: "FixedResponseConfig" => FixedResponseConfig,
    }
}

impl Action {
    /// Forwards every request to one target group (`!Ref TargetGroup`).
    pub fn forward(target_group_arn: impl Into<Value<String>>) -> Self {
        Action::new()
            .action_type("forward")
            .target_group_arn(target_group_arn)
    }

    /// Redirects the client.
    pub fn redirect(config: RedirectConfig) -> Self {
        Action::new()
            .action_type("redirect")
            .redirect_config(config)
    }

    /// Answers the request itself.
    pub fn fixed_response(config: FixedResponseConfig) -> Self {
        Action::new()
            .action_type("fixed-response")
            .fixed_response_config(config)
    }
}

cfn_resource! {
    /// `AWS::ElasticLoadBalancingV2::Listener`: a port and protocol on a load
    /// balancer, with what happens to requests there.
    pub struct Listener = "AWS::ElasticLoadBalancingV2::Listener", tags: standard {
        /// ALPN policy (TLS listeners of network load balancers).
        alpn_policy: "AlpnPolicy" => List<String>,
        /// Server certificate (exactly one here; more via ListenerCertificate).
        certificates: "Certificates" => List<Certificate>,
        /// What happens to requests that match no rule.
        default_actions: "DefaultActions" => List<Action>,
        /// Attributes.
        listener_attributes: "ListenerAttributes" => List<Attribute>,
        /// The load balancer (`!Ref LoadBalancer`).
        load_balancer_arn: "LoadBalancerArn" => String,
        /// Port, 1 to 65535.
        port: "Port" => i64,
        /// `HTTP`, `HTTPS`, `TCP`, `TLS`, ...
        protocol: "Protocol" => String,
        /// TLS policy of HTTPS and TLS listeners, such as `ELBSecurityPolicy-TLS13-1-2-2021-06`.
        ssl_policy: "SslPolicy" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The listener ARN.
        listener_arn: "ListenerArn",
    }
}

cfn_struct! {
    /// The values of a `path-pattern` or `host-header` rule condition.
    pub struct PatternValues {
        /// Patterns, such as `/leto/*` or `*.example.com` (case-sensitive for paths).
        values: "Values" => List<String>,
    }
}

cfn_struct! {
    /// One condition of a listener rule: which requests the rule matches.
    pub struct RuleCondition {
        /// `path-pattern`, `host-header`, `http-header`, `http-request-method`,
        /// `query-string` or `source-ip`.
        field: "Field" => String,
        /// Paths, when `field` is `path-pattern`.
        path_pattern_config: "PathPatternConfig" => PatternValues,
        /// Host names, when `field` is `host-header`.
        host_header_config: "HostHeaderConfig" => PatternValues,
    }
}

impl RuleCondition {
    /// Matches requests whose path matches any of `patterns`.
    pub fn path_pattern<X: Into<Value<String>>>(patterns: Vec<X>) -> Self {
        RuleCondition::new()
            .field("path-pattern")
            .path_pattern_config(PatternValues::new().values(patterns))
    }

    /// Matches requests whose host matches any of `patterns`.
    pub fn host_header<X: Into<Value<String>>>(patterns: Vec<X>) -> Self {
        RuleCondition::new()
            .field("host-header")
            .host_header_config(PatternValues::new().values(patterns))
    }
}

cfn_resource! {
    /// `AWS::ElasticLoadBalancingV2::ListenerRule`: requests a listener
    /// receives that match the conditions get these actions instead of the
    /// listener's default ones.
    pub struct ListenerRule = "AWS::ElasticLoadBalancingV2::ListenerRule", tags: standard {
        /// What happens to matching requests.
        actions: "Actions" => List<Action>,
        /// Which requests match (all conditions must hold).
        conditions: "Conditions" => List<RuleCondition>,
        /// The listener (`!Ref Listener`).
        listener_arn: "ListenerArn" => String,
        /// Evaluation order, 1 to 50000; lower goes first.
        priority: "Priority" => i64,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// Whether this is the listener's default rule.
        is_default: "IsDefault",
        /// The rule ARN.
        rule_arn: "RuleArn",
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
    fn load_balancer_type_is_written_as_type() {
        let lb = LoadBalancer::new()
            .load_balancer_type("application")
            .scheme("internet-facing")
            .load_balancer_attributes(vec![Attribute::pair("deletion_protection.enabled", "true")]);
        assert_eq!(
            props(&lb),
            json!({
                "LoadBalancerAttributes": [{"Key": "deletion_protection.enabled", "Value": "true"}],
                "Scheme": "internet-facing",
                "Type": "application",
            })
        );
    }

    #[test]
    fn listener_actions_serialise_with_their_configs() {
        let http = Listener::new()
            .port(80)
            .protocol("HTTP")
            .default_actions(vec![Action::redirect(
                RedirectConfig::new()
                    .protocol("HTTPS")
                    .port("443")
                    .status_code("HTTP_301"),
            )]);
        assert_eq!(
            props(&http)["DefaultActions"],
            json!([{"Type": "redirect", "RedirectConfig":
                {"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"}}])
        );
        let https = Listener::new()
            .certificates(vec![
                Certificate::new().certificate_arn(Intrinsic::Ref("Cert".into())),
            ])
            .default_actions(vec![
                Action::forward(Intrinsic::Ref("Tg".into())),
                Action::fixed_response(FixedResponseConfig::new().status_code("503")).order(2),
            ]);
        let p = props(&https);
        assert_eq!(
            p["Certificates"],
            json!([{"CertificateArn": {"Ref": "Cert"}}])
        );
        assert_eq!(
            p["DefaultActions"],
            json!([
                {"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}},
                {"Type": "fixed-response", "Order": 2, "FixedResponseConfig": {"StatusCode": "503"}},
            ])
        );
    }

    #[test]
    fn listener_rules_match_paths_and_forward() {
        let rule = ListenerRule::new()
            .actions(vec![Action::forward(Intrinsic::Ref("Tg".into()))])
            .conditions(vec![RuleCondition::path_pattern(vec!["/leto", "/leto/*"])])
            .listener_arn(Intrinsic::Ref("Https".into()))
            .priority(10);
        assert_eq!(
            props(&rule),
            json!({
                "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}],
                "Conditions": [{"Field": "path-pattern",
                    "PathPatternConfig": {"Values": ["/leto", "/leto/*"]}}],
                "ListenerArn": {"Ref": "Https"},
                "Priority": 10,
            })
        );
        let handle: Handle<ListenerRule> = Handle::new("Rule");
        assert_eq!(
            handle.rule_arn(),
            Intrinsic::GetAtt {
                resource: "Rule".into(),
                attribute: "RuleArn".into()
            }
        );
    }

    #[test]
    fn target_group_health_check_and_attributes() {
        let tg = TargetGroup::new()
            .port(8080)
            .protocol("HTTP")
            .health_check_path("/health")
            .matcher(Matcher::new().http_code("200"))
            .target_group_attributes(vec![Attribute::pair(
                "deregistration_delay.timeout_seconds",
                "60",
            )]);
        let p = props(&tg);
        assert_eq!(p["Port"], 8080);
        assert_eq!(p["Matcher"], json!({"HttpCode": "200"}));
        assert_eq!(
            p["TargetGroupAttributes"][0]["Key"],
            "deregistration_delay.timeout_seconds"
        );
    }

    #[test]
    fn full_names_are_attributes_for_cloudwatch_dimensions() {
        let lb: Handle<LoadBalancer> = Handle::new("Alb");
        let tg: Handle<TargetGroup> = Handle::new("Tg");
        assert_eq!(
            to_json_value(&lb.load_balancer_full_name().to_expr()),
            json!({"Fn::GetAtt": ["Alb", "LoadBalancerFullName"]})
        );
        assert_eq!(
            to_json_value(&tg.target_group_full_name().to_expr()),
            json!({"Fn::GetAtt": ["Tg", "TargetGroupFullName"]})
        );
        assert_eq!(
            to_json_value(&lb.canonical_hosted_zone_id().to_expr()),
            json!({"Fn::GetAtt": ["Alb", "CanonicalHostedZoneID"]})
        );
    }
}
