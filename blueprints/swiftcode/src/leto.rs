//! Leto behind the same load balancer as SwiftCode: requests for
//! `/leto` and `/leto/...` go to Leto's target group (gunicorn on the same
//! instances), everything else to SwiftCode.
//!
//! Owns Leto's target group, the HTTPS listener rule and Leto's
//! registration in the Auto Scaling group. The load balancer, listener and
//! group come from the `LoadBalancedAsg` construct, which serves one app.

use hagen::constructs::load_balanced_asg::LoadBalancedAsg;
use hagen::error::SynthError;
use hagen::resources::Handle;
use hagen::resources::elasticloadbalancingv2::listener_rule::{Action, RuleCondition};
use hagen::resources::elasticloadbalancingv2::target_group::{
    HealthCheckProtocol, Matcher, Protocol, TargetGroupAttribute, TargetType,
};
use hagen::resources::elasticloadbalancingv2::{ListenerRule, TargetGroup};
use hagen::stack::Stack;
use hagen::template::{Intrinsic, Value};

/// The path Leto is served under; gunicorn gets it as `SCRIPT_NAME`, so
/// Django sees paths without it and builds links with it.
pub const PATH: &str = "/leto";
/// Priority of the listener rule (lower wins; SwiftCode is the default action).
pub const RULE_PRIORITY: i64 = 10;

/// Serves Leto (listening on `port`) under [`PATH`] through `app`'s load
/// balancer, and makes the group replace instances whose Leto stops
/// answering too.
pub fn route(
    stack: &mut Stack,
    app: &LoadBalancedAsg,
    vpc_id: Intrinsic,
    port: u16,
) -> Result<Handle<TargetGroup>, SynthError> {
    let target_group = stack.add(
        "LetoTargetGroup",
        TargetGroup::new()
            .target_type(TargetType::Instance)
            .protocol(Protocol::Http)
            .port(port)
            .vpc_id(vpc_id)
            .health_check_enabled(true)
            .health_check_protocol(HealthCheckProtocol::Http)
            .health_check_path(format!("{PATH}/"))
            .health_check_interval_seconds(15)
            .health_check_timeout_seconds(5)
            .healthy_threshold_count(2)
            .unhealthy_threshold_count(3)
            // Any answer from Django (even a 404 for an app without a root
            // page) proves gunicorn and Django are up; 5xx and silence do not.
            .matcher(Matcher::new().http_code("200-499"))
            .target_group_attributes(vec![TargetGroupAttribute::pair(
                "deregistration_delay.timeout_seconds",
                "60",
            )]),
    )?;
    let rule = stack.add(
        "LetoListenerRule",
        ListenerRule::new(
            vec![Action::forward(target_group.reference())],
            vec![RuleCondition::path_pattern(vec![
                PATH.to_owned(),
                format!("{PATH}/*"),
            ])],
            RULE_PRIORITY,
        )
        .listener_arn(app.https_listener.reference()),
    )?;
    // Register the group's instances with Leto's target group as well, so
    // that the ELB health check covers both applications; attach only once
    // the rule ties the target group to the load balancer.
    stack
        .attributes_mut(&app.auto_scaling_group)?
        .add_dependency(&rule);
    let group = stack.get_mut(&app.auto_scaling_group)?;
    match &mut group.target_group_arns {
        Some(Value::Lit(arns)) => arns.push(target_group.reference().into()),
        _ => {
            return Err(SynthError::props(
                "Leto",
                "the Auto Scaling group has no TargetGroupARNs list to join",
            ));
        }
    }
    Ok(target_group)
}
