//! Elastic Load Balancing v2 shortcuts: the usual listener actions and rule
//! conditions, and `Key`/`Value` attributes, for both listeners and
//! listener rules (whose schemas each define their own action type). Only
//! inherent methods, so nothing here is re-exported.

use crate::resources::elasticloadbalancingv2::listener_rule::{
    HostHeaderConfig, PathPatternConfig, RuleCondition,
};
use crate::resources::elasticloadbalancingv2::{listener, listener_rule};
use crate::resources::elasticloadbalancingv2::{
    listener::ListenerAttribute, load_balancer::LoadBalancerAttribute,
    target_group::TargetGroupAttribute,
};
use crate::template::Value;

macro_rules! action_shortcuts {
    ($module:ident) => {
        impl $module::Action {
            /// Forwards every request to one target group (`!Ref TargetGroup`).
            pub fn forward(target_group_arn: impl Into<Value<String>>) -> Self {
                $module::Action::new($module::Type::Forward).target_group_arn(target_group_arn)
            }

            /// Redirects the client.
            pub fn redirect(config: $module::RedirectConfig) -> Self {
                $module::Action::new($module::Type::Redirect).redirect_config(config)
            }

            /// Answers the request itself.
            pub fn fixed_response(config: $module::FixedResponseConfig) -> Self {
                $module::Action::new($module::Type::FixedResponse).fixed_response_config(config)
            }
        }
    };
}

action_shortcuts!(listener);
action_shortcuts!(listener_rule);

impl RuleCondition {
    /// Matches requests whose path matches any of `patterns`.
    pub fn path_pattern<X: Into<Value<String>>>(patterns: Vec<X>) -> Self {
        RuleCondition::new()
            .field("path-pattern")
            .path_pattern_config(PathPatternConfig::new().values(patterns))
    }

    /// Matches requests whose host matches any of `patterns`.
    pub fn host_header<X: Into<Value<String>>>(patterns: Vec<X>) -> Self {
        RuleCondition::new()
            .field("host-header")
            .host_header_config(HostHeaderConfig::new().values(patterns))
    }
}

macro_rules! attribute_pair {
    ($ty:ty) => {
        impl $ty {
            /// An attribute with a literal key and a value (always a string,
            /// also for numbers and booleans).
            pub fn pair(key: &str, value: impl Into<Value<String>>) -> Self {
                <$ty>::new().key(key).value(value)
            }
        }
    };
}

attribute_pair!(LoadBalancerAttribute);
attribute_pair!(TargetGroupAttribute);
attribute_pair!(ListenerAttribute);
