//! Leto behind the same load balancer as SwiftCode: requests for
//! `/leto` and `/leto/...` go to Leto's target group (gunicorn on the same
//! instances), everything else to SwiftCode.
//!
//! Owns Leto's target group, the HTTPS listener rule and Leto's
//! registration in the Auto Scaling group. The load balancer, listener and
//! group come from the `LoadBalancedAsg` construct, which serves one app.

use indexmap::IndexMap;

use hagen::constructs::load_balanced_asg::LoadBalancedAsg;
use hagen::error::SynthError;
use hagen::resources::CfnResource;
use hagen::resources::elbv2::{Attribute, Listener, Matcher, TargetGroup};
use hagen::stack::Stack;
use hagen::template::{Expr, Handle, Intrinsic};

/// The path Leto is served under; gunicorn gets it as `SCRIPT_NAME`, so
/// Django sees paths without it and builds links with it.
pub const PATH: &str = "/leto";
/// Priority of the listener rule (lower wins; SwiftCode is the default action).
pub const RULE_PRIORITY: i64 = 10;

/// `AWS::ElasticLoadBalancingV2::ListenerRule`: forward requests whose path
/// matches to a target group. hagen's L1 has no such type yet; a blueprint
/// declares any type it needs through [`CfnResource`].
pub struct PathRule {
    /// The listener the rule belongs to.
    pub listener: Handle<Listener>,
    /// Evaluation order, 1 to 50000.
    pub priority: i64,
    /// Path patterns (`/leto`, `/leto/*`).
    pub paths: Vec<String>,
    /// Where matching requests go.
    pub target_group: Handle<TargetGroup>,
}

fn map<const N: usize>(entries: [(&str, Expr); N]) -> Expr {
    Expr::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

impl CfnResource for PathRule {
    const TYPE: &'static str = "AWS::ElasticLoadBalancingV2::ListenerRule";

    fn properties(&self) -> IndexMap<String, Expr> {
        let paths = Expr::List(self.paths.iter().map(Expr::string).collect());
        let mut p = IndexMap::new();
        p.insert(
            "Actions".to_owned(),
            Expr::List(vec![map([
                ("Type", Expr::string("forward")),
                ("TargetGroupArn", self.target_group.reference().into()),
            ])]),
        );
        p.insert(
            "Conditions".to_owned(),
            Expr::List(vec![map([
                ("Field", Expr::string("path-pattern")),
                ("PathPatternConfig", map([("Values", paths)])),
            ])]),
        );
        p.insert("ListenerArn".to_owned(), self.listener.reference().into());
        p.insert("Priority".to_owned(), Expr::Int(self.priority));
        p
    }
}

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
            .target_type("instance")
            .protocol("HTTP")
            .port(port)
            .vpc_id(vpc_id)
            .health_check_enabled(true)
            .health_check_protocol("HTTP")
            .health_check_path(format!("{PATH}/"))
            .health_check_interval_seconds(15)
            .health_check_timeout_seconds(5)
            .healthy_threshold_count(2)
            .unhealthy_threshold_count(3)
            // Any answer from Django (even a 404 for an app without a root
            // page) proves gunicorn and Django are up; 5xx and silence do not.
            .matcher(Matcher::new().http_code("200-499"))
            .target_group_attributes(vec![Attribute::pair(
                "deregistration_delay.timeout_seconds",
                "60",
            )]),
    )?;
    let rule = stack.add(
        "LetoListenerRule",
        PathRule {
            listener: app.https_listener.clone(),
            priority: RULE_PRIORITY,
            paths: vec![PATH.to_owned(), format!("{PATH}/*")],
            target_group: target_group.clone(),
        },
    )?;
    // Register the group's instances with Leto's target group as well, so
    // that the ELB health check covers both applications.
    let group_id = app.auto_scaling_group.logical_id().to_owned();
    let group = stack
        .resource_mut(&group_id)
        .ok_or_else(|| SynthError::props("Leto", format!("no Auto Scaling group {group_id:?}")))?;
    // Attach only once the rule ties the target group to the load balancer.
    group.depends_on.push(rule.logical_id().to_owned());
    match group.properties.get_mut("TargetGroupARNs") {
        Some(Expr::List(arns)) => arns.push(target_group.reference().into()),
        _ => {
            return Err(SynthError::props(
                "Leto",
                format!("Auto Scaling group {group_id:?} has no TargetGroupARNs list to join"),
            ));
        }
    }
    Ok(target_group)
}
