//! Amazon EC2 Auto Scaling resource types: groups and scaling policies, and
//! the typed shapes of the group's `UpdatePolicy` and `CreationPolicy`
//! resource attributes.
//!
//! Property names and attributes follow AWS's provider schemas for
//! `AWS::AutoScaling::AutoScalingGroup` and `AWS::AutoScaling::ScalingPolicy`.
//! The schema types `MinSize`, `MaxSize`, `DesiredCapacity` and `Cooldown` as
//! strings; CloudFormation (and cfn-lint) accept numbers there, so they are
//! integers here. Sizes and policies are chosen by the constructs.

use crate::resources::Tag;
use crate::template::{List, Value};

pub use crate::resources::ec2::LaunchTemplateSpecification;

/// The four notification types that cover launches, terminations and their
/// failures.
pub const LAUNCH_AND_TERMINATE_NOTIFICATIONS: [&str; 4] = [
    "autoscaling:EC2_INSTANCE_LAUNCH",
    "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
    "autoscaling:EC2_INSTANCE_TERMINATE",
    "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
];

cfn_struct! {
    /// A group tag; `PropagateAtLaunch` copies it to the instances launched.
    pub struct AsgTag {
        /// Tag key.
        key: "Key" => String,
        /// Tag value.
        value: "Value" => String,
        /// Whether instances launched by the group get the tag.
        propagate_at_launch: "PropagateAtLaunch" => bool,
    }
}

cfn_struct! {
    /// Which group metrics are sent to CloudWatch.
    pub struct MetricsCollection {
        /// Always `1Minute`.
        granularity: "Granularity" => String,
        /// Metric names (all group metrics when unset).
        metrics: "Metrics" => List<String>,
    }
}

cfn_struct! {
    /// Where the group sends scaling notifications.
    pub struct NotificationConfiguration {
        /// The topic ARN (`!Ref Topic`).
        topic_arn: "TopicARN" => String,
        /// Notification types, such as `autoscaling:EC2_INSTANCE_LAUNCH`.
        notification_types: "NotificationTypes" => List<String>,
    }
}

cfn_struct! {
    /// How instance replacement keeps capacity when instances are unhealthy
    /// or refreshed.
    pub struct InstanceMaintenancePolicy {
        /// Upper bound of capacity during replacement, percent of desired.
        max_healthy_percentage: "MaxHealthyPercentage" => i64,
        /// Lower bound of healthy capacity, percent of desired.
        min_healthy_percentage: "MinHealthyPercentage" => i64,
    }
}

cfn_resource! {
    /// `AWS::AutoScaling::AutoScalingGroup`: keeps a number of instances
    /// running across subnets, replaces unhealthy ones and scales. Stack-wide
    /// tags become group tags with `PropagateAtLaunch: true`, so instances
    /// carry them.
    pub struct AutoScalingGroup = "AWS::AutoScaling::AutoScalingGroup", tags: custom {
        /// Physical name (leave unset so the group can be replaced).
        auto_scaling_group_name: "AutoScalingGroupName" => String,
        /// Rebalances Spot capacity.
        capacity_rebalance: "CapacityRebalance" => bool,
        /// Seconds between simple-scaling activities.
        cooldown: "Cooldown" => i64,
        /// Seconds a new instance needs before its metrics count.
        default_instance_warmup: "DefaultInstanceWarmup" => i64,
        /// Instances wanted now.
        desired_capacity: "DesiredCapacity" => i64,
        /// Seconds after launch before health checks count.
        health_check_grace_period: "HealthCheckGracePeriod" => i64,
        /// `EC2` or `ELB` (load balancer health counts too).
        health_check_type: "HealthCheckType" => String,
        /// How replacements keep capacity.
        instance_maintenance_policy: "InstanceMaintenancePolicy" => InstanceMaintenancePolicy,
        /// The launch template and version.
        launch_template: "LaunchTemplate" => LaunchTemplateSpecification,
        /// Seconds before an instance is replaced for age.
        max_instance_lifetime: "MaxInstanceLifetime" => i64,
        /// Most instances.
        max_size: "MaxSize" => i64,
        /// Group metrics sent to CloudWatch.
        metrics_collection: "MetricsCollection" => List<MetricsCollection>,
        /// Fewest instances.
        min_size: "MinSize" => i64,
        /// Protects new instances from scale-in.
        new_instances_protected_from_scale_in: "NewInstancesProtectedFromScaleIn" => bool,
        /// Where scaling notifications go.
        notification_configurations: "NotificationConfigurations" => List<NotificationConfiguration>,
        /// Tags (with `PropagateAtLaunch`).
        tags: "Tags" => List<AsgTag>,
        /// Target groups instances register with (`!Ref TargetGroup`).
        target_group_arns: "TargetGroupARNs" => List<String>,
        /// Order in which instances are chosen for termination.
        termination_policies: "TerminationPolicies" => List<String>,
        /// Subnet IDs (one or more per availability zone).
        vpc_zone_identifier: "VPCZoneIdentifier" => List<String>,
    }
    attributes {
        /// The group ARN.
        arn: "AutoScalingGroupARN",
    }
}

impl AsgTag {
    /// A tag copied to the instances the group launches.
    pub fn propagated(key: &str, value: impl Into<Value<String>>) -> Self {
        AsgTag::new()
            .key(key)
            .value(value)
            .propagate_at_launch(true)
    }

    fn key_str(&self) -> Option<&str> {
        self.key.as_ref()?.literal().map(String::as_str)
    }
}

impl AutoScalingGroup {
    fn apply_custom_tags(&mut self, tags: &[Tag]) {
        if tags.is_empty() {
            return;
        }
        let list = match self.tags.get_or_insert_with(|| Value::Lit(Vec::new())) {
            Value::Lit(list) => list,
            // A whole-list intrinsic cannot be merged into: keep the user's.
            Value::Fn(_) => return,
        };
        let present: Vec<String> = list
            .iter()
            .filter_map(|t| t.literal().and_then(AsgTag::key_str).map(str::to_owned))
            .collect();
        for tag in tags {
            if tag
                .key_str()
                .is_some_and(|k| present.iter().any(|p| p == k))
            {
                continue;
            }
            let mut asg_tag = AsgTag::new().propagate_at_launch(true);
            asg_tag.key = tag.key.clone();
            asg_tag.value = tag.value.clone();
            list.push(Value::Lit(asg_tag));
        }
    }
}

cfn_struct! {
    /// One step of a step-scaling policy: the adjustment applied while the
    /// metric is within bounds relative to the alarm threshold.
    pub struct StepAdjustment {
        /// Lower bound (inclusive), as a difference from the threshold; unset is minus infinity.
        metric_interval_lower_bound: "MetricIntervalLowerBound" => f64,
        /// Upper bound (exclusive), as a difference from the threshold; unset is infinity.
        metric_interval_upper_bound: "MetricIntervalUpperBound" => f64,
        /// Instances to add (positive) or remove (negative).
        scaling_adjustment: "ScalingAdjustment" => i64,
    }
}

cfn_struct! {
    /// A predefined metric for target tracking.
    pub struct PredefinedMetricSpecification {
        /// `ASGAverageCPUUtilization`, `ALBRequestCountPerTarget`, ...
        predefined_metric_type: "PredefinedMetricType" => String,
        /// For `ALBRequestCountPerTarget`:
        /// `app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>`.
        resource_label: "ResourceLabel" => String,
    }
}

cfn_struct! {
    /// A target-tracking configuration: keep a metric near a target value.
    pub struct TargetTrackingConfiguration {
        /// The predefined metric tracked.
        predefined_metric_specification: "PredefinedMetricSpecification" => PredefinedMetricSpecification,
        /// The value to keep the metric at.
        target_value: "TargetValue" => f64,
        /// Only scale out, never in.
        disable_scale_in: "DisableScaleIn" => bool,
    }
}

cfn_resource! {
    /// `AWS::AutoScaling::ScalingPolicy`: how a group scales (simple, step or
    /// target tracking). `Ref` returns the policy ARN, which alarms take as an
    /// action.
    pub struct ScalingPolicy = "AWS::AutoScaling::ScalingPolicy", tags: none {
        /// The group (`!Ref Group`).
        auto_scaling_group_name: "AutoScalingGroupName" => String,
        /// `SimpleScaling`, `StepScaling`, `TargetTrackingScaling` or `PredictiveScaling`.
        policy_type: "PolicyType" => String,
        /// `ChangeInCapacity`, `ExactCapacity` or `PercentChangeInCapacity`.
        adjustment_type: "AdjustmentType" => String,
        /// Seconds after a simple-scaling activity before the next.
        cooldown: "Cooldown" => i64,
        /// Seconds a new instance needs before its metrics count (step, target tracking).
        estimated_instance_warmup: "EstimatedInstanceWarmup" => i64,
        /// `Average`, `Minimum` or `Maximum` (step scaling).
        metric_aggregation_type: "MetricAggregationType" => String,
        /// Smallest change for `PercentChangeInCapacity`.
        min_adjustment_magnitude: "MinAdjustmentMagnitude" => i64,
        /// Adjustment of a simple-scaling policy.
        scaling_adjustment: "ScalingAdjustment" => i64,
        /// Steps of a step-scaling policy.
        step_adjustments: "StepAdjustments" => List<StepAdjustment>,
        /// Target-tracking configuration.
        target_tracking_configuration: "TargetTrackingConfiguration" => TargetTrackingConfiguration,
    }
    attributes {
        /// The policy ARN.
        arn: "Arn",
        /// The policy name.
        policy_name: "PolicyName",
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
    use crate::resources::CfnResource;
    use crate::template::json::to_json_value;
    use crate::template::{Expr, Handle, Intrinsic, ToExpr};

    fn props<R: CfnResource>(r: &R) -> serde_json::Value {
        to_json_value(&Expr::Map(r.properties()))
    }

    #[test]
    fn group_sizes_are_numbers_and_can_be_refs() {
        let asg = AutoScalingGroup::new()
            .min_size(2)
            .max_size(Intrinsic::Ref("MaxSize".into()))
            .desired_capacity(2)
            .vpc_zone_identifier(vec![
                Value::from(Intrinsic::Ref("A".into())),
                Value::from(Intrinsic::Ref("B".into())),
            ])
            .launch_template(
                LaunchTemplateSpecification::new()
                    .launch_template_id(Intrinsic::Ref("Lt".into()))
                    .version(Intrinsic::GetAtt {
                        resource: "Lt".into(),
                        attribute: "LatestVersionNumber".into(),
                    }),
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
        let mut asg = AutoScalingGroup::new().tags(vec![AsgTag::propagated("Name", "web")]);
        asg.apply_tags(&[Tag::pair("Name", "stack"), Tag::pair("Env", "stage")]);
        assert_eq!(
            props(&asg)["Tags"],
            json!([
                {"Key": "Name", "Value": "web", "PropagateAtLaunch": true},
                {"Key": "Env", "Value": "stage", "PropagateAtLaunch": true},
            ])
        );
    }

    #[test]
    fn no_stack_tags_add_no_tags_property() {
        let mut asg = AutoScalingGroup::new();
        asg.apply_tags(&[]);
        assert_eq!(props(&asg), json!({}));
    }

    #[test]
    fn notifications_and_metrics_use_schema_names() {
        let asg = AutoScalingGroup::new()
            .notification_configurations(vec![
                NotificationConfiguration::new()
                    .topic_arn(Intrinsic::Ref("Topic".into()))
                    .notification_types(LAUNCH_AND_TERMINATE_NOTIFICATIONS.to_vec()),
            ])
            .metrics_collection(vec![MetricsCollection::new().granularity("1Minute")]);
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
        let step = ScalingPolicy::new()
            .auto_scaling_group_name(Intrinsic::Ref("Asg".into()))
            .policy_type("StepScaling")
            .adjustment_type("ChangeInCapacity")
            .step_adjustments(vec![
                StepAdjustment::new()
                    .metric_interval_lower_bound(0.0)
                    .scaling_adjustment(1),
            ]);
        assert_eq!(
            props(&step)["StepAdjustments"],
            json!([{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}])
        );
        let tt = ScalingPolicy::new().target_tracking_configuration(
            TargetTrackingConfiguration::new()
                .predefined_metric_specification(
                    PredefinedMetricSpecification::new()
                        .predefined_metric_type("ALBRequestCountPerTarget")
                        .resource_label("app/x/1/targetgroup/y/2"),
                )
                .target_value(1000.0),
        );
        assert_eq!(
            props(&tt)["TargetTrackingConfiguration"],
            json!({"PredefinedMetricSpecification": {
                "PredefinedMetricType": "ALBRequestCountPerTarget",
                "ResourceLabel": "app/x/1/targetgroup/y/2"}, "TargetValue": 1000.0})
        );
        let h: Handle<ScalingPolicy> = Handle::new("Up");
        assert_eq!(
            to_json_value(&h.arn().to_expr()),
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
