//! Leto behind the same load balancer as SwiftCode: requests for
//! `/leto` and `/leto/...` go to Leto's target group (gunicorn on the same
//! instances), everything else to SwiftCode.
//!
//! Owns what is Leto's own: its path, its rule priority and its health
//! check. The target group, the listener rule, the registration of the
//! group's instances and the security-group rule come from
//! `LoadBalancedAsg::add_target`.

use hagen::constructs::load_balanced_asg::{AppTargetProps, LoadBalancedAsg, TargetHealthCheck};
use hagen::error::SynthError;
use hagen::resources::Handle;
use hagen::resources::elasticloadbalancingv2::TargetGroup;
use hagen::stack::Stack;

/// The path Leto is served under; gunicorn gets it as `SCRIPT_NAME`, so
/// Django sees paths without it and builds links with it.
pub const PATH: &str = "/leto";
/// Priority of the listener rule (lower wins; SwiftCode is the default action).
pub const RULE_PRIORITY: u16 = 10;

/// Serves Leto (listening on `port`) under [`PATH`] through `app`'s load
/// balancer. Its instances are registered with Leto's target group too, so
/// the group replaces instances whose Leto stops answering.
pub fn serve(
    stack: &mut Stack,
    app: &mut LoadBalancedAsg,
    port: u16,
) -> Result<Handle<TargetGroup>, SynthError> {
    let mut props = AppTargetProps::new(
        "Leto",
        port,
        vec![PATH.to_owned(), format!("{PATH}/*")],
        RULE_PRIORITY,
    );
    props.health_check = TargetHealthCheck {
        path: format!("{PATH}/"),
        // Any answer from Django (even a 404 for an app without a root
        // page) proves gunicorn and Django are up; 5xx and silence do not.
        matcher: "200-499".to_owned(),
        ..TargetHealthCheck::default()
    };
    app.add_target(stack, "Leto", &props)
}
