//! Auto Scaling additions: the typed shapes of a group's `UpdatePolicy` and
//! `CreationPolicy` resource attributes (template attributes, in no
//! resource schema), the usual notification types, and a propagated tag.

use crate::resources::autoscaling::auto_scaling_group::TagProperty;
use crate::template::{List, Value};

/// The four notification types that cover launches, terminations and their
/// failures.
pub const LAUNCH_AND_TERMINATE_NOTIFICATIONS: [&str; 4] = [
    "autoscaling:EC2_INSTANCE_LAUNCH",
    "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
    "autoscaling:EC2_INSTANCE_TERMINATE",
    "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
];

impl TagProperty {
    /// A group tag copied to the instances the group launches.
    pub fn propagated(key: impl Into<Value<String>>, value: impl Into<Value<String>>) -> Self {
        TagProperty::new(key, true, value)
    }
}

cfn_struct! {
    /// `UpdatePolicy.AutoScalingRollingUpdate`: replace instances in batches
    /// when the launch template or subnets change.
    pub struct AutoScalingRollingUpdate {
        /// Most instances replaced at once.
        max_batch_size: "MaxBatchSize" => i64,
        /// Instances kept in service during the update (must be below `MaxSize`).
        min_instances_in_service: "MinInstancesInService" => i64,
        /// Percent of instances that must signal success (with signals).
        min_successful_instances_percent: "MinSuccessfulInstancesPercent" => i64,
        /// ISO-8601 duration to wait after a batch (or for its signals), at most `PT1H`.
        pause_time: "PauseTime" => String,
        /// Scaling processes suspended during the update.
        suspend_processes: "SuspendProcesses" => List<String>,
        /// Wait for `cfn-signal` from each new instance.
        wait_on_resource_signals: "WaitOnResourceSignals" => bool,
    }
}

cfn_struct! {
    /// `UpdatePolicy.AutoScalingScheduledAction`.
    pub struct AutoScalingScheduledAction {
        /// Keep the group's current sizes on updates that do not change them
        /// in the template (so scheduled actions and scaling are not undone).
        ignore_unmodified_group_size_properties: "IgnoreUnmodifiedGroupSizeProperties" => bool,
    }
}

cfn_struct! {
    /// The `UpdatePolicy` resource attribute of an Auto Scaling group.
    pub struct AsgUpdatePolicy {
        /// Rolling replacement of instances.
        auto_scaling_rolling_update: "AutoScalingRollingUpdate" => AutoScalingRollingUpdate,
        /// Behaviour towards scheduled actions.
        auto_scaling_scheduled_action: "AutoScalingScheduledAction" => AutoScalingScheduledAction,
    }
}

cfn_struct! {
    /// `CreationPolicy.ResourceSignal`: signals the stack waits for.
    pub struct ResourceSignal {
        /// How many success signals are needed.
        count: "Count" => i64,
        /// ISO-8601 duration to wait, at most `PT12H`.
        timeout: "Timeout" => String,
    }
}

cfn_struct! {
    /// `CreationPolicy.AutoScalingCreationPolicy`.
    pub struct AutoScalingCreationPolicy {
        /// Percent of instances that must signal success.
        min_successful_instances_percent: "MinSuccessfulInstancesPercent" => i64,
    }
}

cfn_struct! {
    /// The `CreationPolicy` resource attribute of an Auto Scaling group.
    pub struct AsgCreationPolicy {
        /// Group-level success threshold.
        auto_scaling_creation_policy: "AutoScalingCreationPolicy" => AutoScalingCreationPolicy,
        /// Signals to wait for.
        resource_signal: "ResourceSignal" => ResourceSignal,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resources::autoscaling::auto_scaling_group::{
        LaunchTemplateSpecification, MetricsCollection, NotificationConfiguration,
    };
    use crate::resources::autoscaling::scaling_policy::{
        PolicyType, PredefinedMetricSpecification,
        PredefinedMetricSpecificationPredefinedMetricType, StepAdjustment,
        TargetTrackingConfiguration,
    };
    use crate::resources::autoscaling::{AutoScalingGroup, ScalingPolicy};
    use crate::resources::{CfnResource, Handle, Tag};
    use crate::template::json::to_json_value;
    use crate::template::{Expr, Intrinsic, ToExpr};

    fn props<R: CfnResource>(r: &R) -> serde_json::Value {
        to_json_value(&Expr::Map(r.properties()))
    }

    #[test]
    fn group_sizes_are_numbers_and_can_be_refs() {
        let asg = AutoScalingGroup::new(Intrinsic::Ref("MaxSize".into()), 2)
            .desired_capacity(2)
            .vpc_zone_identifier(vec![
                Value::from(Intrinsic::Ref("A".into())),
                Value::from(Intrinsic::Ref("B".into())),
            ])
            .launch_template(
                LaunchTemplateSpecification::new(Intrinsic::GetAtt {
                    resource: "Lt".into(),
                    attribute: "LatestVersionNumber".into(),
                })
                .launch_template_id(Intrinsic::Ref("Lt".into())),
            );
        assert_eq!(
            props(&asg),
            json!({
                "DesiredCapacity": 2,
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"},
                    "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}},
                "MaxSize": {"Ref": "MaxSize"},
                "MinSize": 2,
                "VPCZoneIdentifier": [{"Ref": "A"}, {"Ref": "B"}],
            })
        );
    }

    #[test]
    fn stack_tags_propagate_at_launch_and_group_tags_win() {
        let mut asg =
            AutoScalingGroup::new(2, 1).tags(vec![TagProperty::propagated("Name", "web")]);
        asg.apply_tags(&[Tag::new("Name", "stack"), Tag::new("Env", "stage")]);
        assert_eq!(
            props(&asg)["Tags"],
            json!([
                {"Key": "Name", "PropagateAtLaunch": true, "Value": "web"},
                {"Key": "Env", "PropagateAtLaunch": true, "Value": "stage"},
            ])
        );
    }

    #[test]
    fn no_stack_tags_add_no_tags_property() {
        let mut asg = AutoScalingGroup::new(2, 1);
        asg.apply_tags(&[]);
        assert_eq!(props(&asg), json!({"MaxSize": 2, "MinSize": 1}));
    }

    #[test]
    fn notifications_and_metrics_use_schema_names() {
        let asg = AutoScalingGroup::new(2, 1)
            .notification_configurations(vec![
                NotificationConfiguration::new(Intrinsic::Ref("Topic".into()))
                    .notification_types(LAUNCH_AND_TERMINATE_NOTIFICATIONS.to_vec()),
            ])
            .metrics_collection(vec![MetricsCollection::new("1Minute")]);
        let p = props(&asg);
        assert_eq!(
            p["NotificationConfigurations"][0]["TopicARN"],
            json!({"Ref": "Topic"})
        );
        assert_eq!(
            p["NotificationConfigurations"][0]["NotificationTypes"][3],
            "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"
        );
        assert_eq!(p["MetricsCollection"], json!([{"Granularity": "1Minute"}]));
    }

    #[test]
    fn step_and_target_tracking_policies_serialise() {
        let step = ScalingPolicy::new(Intrinsic::Ref("Asg".into()))
            .policy_type(PolicyType::StepScaling)
            .step_adjustments(vec![
                StepAdjustment::new(1).metric_interval_lower_bound(0.0),
            ]);
        assert_eq!(
            props(&step)["StepAdjustments"],
            json!([{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}])
        );
        let tt = ScalingPolicy::new(Intrinsic::Ref("Asg".into())).target_tracking_configuration(
            TargetTrackingConfiguration::new(1000.0).predefined_metric_specification(
                PredefinedMetricSpecification::new(
                    PredefinedMetricSpecificationPredefinedMetricType::AlbRequestCountPerTarget,
                )
                .resource_label("app/x/1/targetgroup/y/2"),
            ),
        );
        assert_eq!(
            props(&tt)["TargetTrackingConfiguration"],
            json!({"PredefinedMetricSpecification": {
                "PredefinedMetricType": "ALBRequestCountPerTarget",
                "ResourceLabel": "app/x/1/targetgroup/y/2"}, "TargetValue": 1000.0})
        );
        let h: Handle<ScalingPolicy> = Handle::new("Up");
        assert_eq!(
            to_json_value(&h.arn().into()),
            json!({"Fn::GetAtt": ["Up", "Arn"]})
        );
    }

    #[test]
    fn update_and_creation_policies_have_cloudformation_shape() {
        let update = AsgUpdatePolicy::new()
            .auto_scaling_rolling_update(
                AutoScalingRollingUpdate::new()
                    .max_batch_size(1)
                    .min_instances_in_service(2)
                    .pause_time("PT5M")
                    .wait_on_resource_signals(true),
            )
            .auto_scaling_scheduled_action(
                AutoScalingScheduledAction::new().ignore_unmodified_group_size_properties(true),
            );
        assert_eq!(
            to_json_value(&update.to_expr()),
            json!({
                "AutoScalingRollingUpdate": {"MaxBatchSize": 1, "MinInstancesInService": 2,
                    "PauseTime": "PT5M", "WaitOnResourceSignals": true},
                "AutoScalingScheduledAction": {"IgnoreUnmodifiedGroupSizeProperties": true},
            })
        );
        let creation = AsgCreationPolicy::new()
            .resource_signal(ResourceSignal::new().count(2).timeout("PT15M"));
        assert_eq!(
            to_json_value(&creation.to_expr()),
            json!({"ResourceSignal": {"Count": 2, "Timeout": "PT15M"}})
        );
    }
}
