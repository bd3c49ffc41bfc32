//! `Scaling`: how an Auto Scaling group follows the load. Either CPU alarms
//! driving step (or simple) scaling policies, one instance at a time, with
//! both alarms notifying the alert topic; or target tracking on the load
//! balancer's request count per target.
//!
//! Owns the scaling policies and the alarms that drive them. It does not
//! create the group, the load balancer or the topic, and it does not own
//! the alarms that only notify people (`super::monitoring`).
//!
//! Logical IDs are `<id>` plus `ScaleOutPolicy`, `ScaleInPolicy`,
//! `ScaleOutAlarm`, `ScaleInAlarm` (CPU) or `RequestCountPolicy` (target
//! tracking).

use crate::error::SynthError;
use crate::resources::Handle;
use crate::resources::autoscaling::scaling_policy;
use crate::resources::autoscaling::scaling_policy::{
    PredefinedMetricSpecification, StepAdjustment, TargetTrackingConfiguration,
};
use crate::resources::autoscaling::{AutoScalingGroup, ScalingPolicy};
use crate::resources::cloudwatch::Alarm;
use crate::resources::cloudwatch::alarm;
use crate::resources::cloudwatch::alarm::Dimension;
use crate::resources::elasticloadbalancingv2::{Listener, LoadBalancer, TargetGroup};
use crate::resources::sns::Topic;
use crate::stack::{Attributes, Stack};
use crate::template::{Value, fns};

/// Which kind of policy the CPU alarms trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuPolicyKind {
    /// `StepScaling`: reacts again while new instances warm up, without a
    /// cooldown lock; AWS's advice over simple scaling.
    Step,
    /// `SimpleScaling`: one adjustment, then a cooldown.
    Simple,
}

/// Scaling on the group's average CPU.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuScaling {
    /// Where both alarms also notify.
    pub notification_topic: Handle<Topic>,
    /// Add instances when average CPU is above this percentage (default 75).
    pub scale_out_above: f64,
    /// Remove instances when average CPU is below this percentage (default 10).
    pub scale_in_below: f64,
    /// Length of one alarm period in seconds, a multiple of 60 (default 300).
    pub period_seconds: u32,
    /// Consecutive periods above the threshold before scaling out (default 2).
    pub scale_out_periods: u32,
    /// Consecutive periods below the threshold before scaling in (default 2).
    pub scale_in_periods: u32,
    /// Instances added or removed per alarm (default 1).
    pub adjustment: u32,
    /// Step or simple policies (default step).
    pub policy_kind: CpuPolicyKind,
    /// Seconds a new instance needs before it counts: the warm-up of step
    /// policies, the cooldown of simple ones (default 300).
    pub warmup_seconds: u32,
}

impl CpuScaling {
    /// Out by one above 75 % for two 5-minute periods, in by one below 10 %.
    pub fn new(notification_topic: Handle<Topic>) -> Self {
        CpuScaling {
            notification_topic,
            scale_out_above: 75.0,
            scale_in_below: 10.0,
            period_seconds: 300,
            scale_out_periods: 2,
            scale_in_periods: 2,
            adjustment: 1,
            policy_kind: CpuPolicyKind::Step,
            warmup_seconds: 300,
        }
    }
}

/// Target tracking on `ALBRequestCountPerTarget`.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestCountTracking {
    /// The load balancer in front of the group.
    pub load_balancer: Handle<LoadBalancer>,
    /// The group's target group.
    pub target_group: Handle<TargetGroup>,
    /// A listener forwarding to the target group: the policy waits for it,
    /// since the metric only exists once the group is attached.
    pub listener: Handle<Listener>,
    /// Requests per target per minute to hold (default 1000).
    pub requests_per_target: f64,
    /// Seconds a new instance needs before it counts (default 300).
    pub warmup_seconds: u32,
    /// Only ever scale out (default off).
    pub disable_scale_in: bool,
}

impl RequestCountTracking {
    /// 1000 requests per target per minute, scaling both ways.
    pub fn new(
        load_balancer: Handle<LoadBalancer>,
        target_group: Handle<TargetGroup>,
        listener: Handle<Listener>,
    ) -> Self {
        RequestCountTracking {
            load_balancer,
            target_group,
            listener,
            requests_per_target: 1000.0,
            warmup_seconds: 300,
            disable_scale_in: false,
        }
    }
}

/// How the group scales.
#[derive(Debug, Clone, PartialEq)]
pub enum ScalingMode {
    /// CPU alarms and step or simple policies.
    Cpu(CpuScaling),
    /// Target tracking on request count per target.
    RequestCount(RequestCountTracking),
}

/// Props of [`Scaling`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScalingProps {
    /// The group that scales.
    pub auto_scaling_group: Handle<AutoScalingGroup>,
    /// How.
    pub mode: ScalingMode,
}

/// What [`Scaling`] added to the stack.
#[derive(Debug, Clone, PartialEq)]
pub enum Scaling {
    /// CPU alarms and their policies.
    Cpu {
        /// `<id>ScaleOutPolicy`.
        scale_out_policy: Handle<ScalingPolicy>,
        /// `<id>ScaleInPolicy`.
        scale_in_policy: Handle<ScalingPolicy>,
        /// `<id>ScaleOutAlarm` (CPU high).
        scale_out_alarm: Handle<Alarm>,
        /// `<id>ScaleInAlarm` (CPU low).
        scale_in_alarm: Handle<Alarm>,
    },
    /// The target-tracking policy (`<id>RequestCountPolicy`).
    RequestCount {
        /// The policy; AWS creates and owns its alarms.
        policy: Handle<ScalingPolicy>,
    },
}

/// Checks an alarm's period and number of periods against CloudWatch's
/// rules: a multiple of 60 seconds (EC2 and ELB metrics have no finer
/// resolution), at least one period, and a window of at most one day (seven
/// days for periods of an hour or more).
pub(crate) fn check_alarm_window(what: &str, period: u32, periods: u32) -> Result<(), String> {
    if period == 0 || !period.is_multiple_of(60) {
        return Err(format!(
            "{what}: period {period} s is not a multiple of 60 seconds; these metrics have one-minute resolution at best"
        ));
    }
    if periods == 0 {
        return Err(format!(
            "{what}: the number of periods is 0; use at least 1"
        ));
    }
    let window = u64::from(period) * u64::from(periods);
    let limit = if period < 3600 { 86_400 } else { 604_800 };
    if window > limit {
        return Err(format!(
            "{what}: {periods} periods of {period} s span {window} s, beyond CloudWatch's limit of {limit} s"
        ));
    }
    Ok(())
}

fn check_cpu(cpu: &CpuScaling) -> Result<(), String> {
    let pct = |x: f64| x.is_finite() && (0.0..=100.0).contains(&x);
    if !pct(cpu.scale_out_above) || !pct(cpu.scale_in_below) {
        return Err(format!(
            "CPU thresholds are percentages from 0 to 100; got scale_out_above {} and scale_in_below {}",
            cpu.scale_out_above, cpu.scale_in_below
        ));
    }
    if cpu.scale_in_below >= cpu.scale_out_above {
        return Err(format!(
            "scale_in_below ({}) must be below scale_out_above ({}), or the group would scale in and out at once",
            cpu.scale_in_below, cpu.scale_out_above
        ));
    }
    check_alarm_window("scale-out alarm", cpu.period_seconds, cpu.scale_out_periods)?;
    check_alarm_window("scale-in alarm", cpu.period_seconds, cpu.scale_in_periods)?;
    if cpu.adjustment == 0 {
        return Err("adjustment is 0; add and remove at least one instance".into());
    }
    Ok(())
}

fn check_tracking(t: &RequestCountTracking) -> Result<(), String> {
    if !(t.requests_per_target.is_finite() && t.requests_per_target > 0.0) {
        return Err(format!(
            "requests_per_target is {}; give a positive number of requests per target per minute",
            t.requests_per_target
        ));
    }
    Ok(())
}

impl Scaling {
    /// Checks the props, then adds the policies (and alarms). Nothing is
    /// added when a check fails.
    pub fn new(stack: &mut Stack, id: &str, props: &ScalingProps) -> Result<Scaling, SynthError> {
        let name = format!("Scaling {id:?}");
        match &props.mode {
            ScalingMode::Cpu(cpu) => {
                check_cpu(cpu).map_err(|m| SynthError::props(&name, m))?;
                for suffix in [
                    "ScaleOutPolicy",
                    "ScaleInPolicy",
                    "ScaleOutAlarm",
                    "ScaleInAlarm",
                ] {
                    crate::stack::check_logical_id(&format!("{id}{suffix}"), "Resources")?;
                }
                cpu_scaling(stack, id, &props.auto_scaling_group, cpu)
            }
            ScalingMode::RequestCount(t) => {
                check_tracking(t).map_err(|m| SynthError::props(&name, m))?;
                let policy = ScalingPolicy::new(props.auto_scaling_group.reference())
                    .policy_type(scaling_policy::PolicyType::TargetTrackingScaling)
                    .estimated_instance_warmup(t.warmup_seconds)
                    .target_tracking_configuration(
                        TargetTrackingConfiguration::new(t.requests_per_target)
                            .predefined_metric_specification(
                                PredefinedMetricSpecification::new(scaling_policy::PredefinedMetricSpecificationPredefinedMetricType::AlbRequestCountPerTarget)
                                    .resource_label(fns::sub(format!(
                                        "${{{}.LoadBalancerFullName}}/${{{}.TargetGroupFullName}}",
                                        t.load_balancer.logical_id(),
                                        t.target_group.logical_id()
                                    ))),
                            )
                            .disable_scale_in(t.disable_scale_in),
                    );
                let policy = stack.add_with(
                    &format!("{id}RequestCountPolicy"),
                    policy,
                    Attributes::new().depends_on(&t.listener),
                )?;
                Ok(Scaling::RequestCount { policy })
            }
        }
    }
}

fn cpu_scaling(
    stack: &mut Stack,
    id: &str,
    group: &Handle<AutoScalingGroup>,
    cpu: &CpuScaling,
) -> Result<Scaling, SynthError> {
    let adjustment = i64::from(cpu.adjustment);
    let policy = |out: bool| {
        let signed = if out { adjustment } else { -adjustment };
        let base = ScalingPolicy::new(group.reference())
            .adjustment_type(scaling_policy::AdjustmentType::ChangeInCapacity);
        match cpu.policy_kind {
            CpuPolicyKind::Step => {
                // Steps are relative to the alarm threshold: above it for
                // scale-out, below it for scale-in.
                let step = if out {
                    StepAdjustment::new(signed).metric_interval_lower_bound(0.0)
                } else {
                    StepAdjustment::new(signed).metric_interval_upper_bound(0.0)
                };
                let p = base
                    .policy_type(scaling_policy::PolicyType::StepScaling)
                    .metric_aggregation_type(scaling_policy::MetricAggregationType::Average)
                    .step_adjustments(vec![step]);
                if out {
                    p.estimated_instance_warmup(cpu.warmup_seconds)
                } else {
                    p
                }
            }
            CpuPolicyKind::Simple => base
                .policy_type(scaling_policy::PolicyType::SimpleScaling)
                .scaling_adjustment(signed)
                .cooldown(cpu.warmup_seconds),
        }
    };
    let scale_out_policy = stack.add(&format!("{id}ScaleOutPolicy"), policy(true))?;
    let scale_in_policy = stack.add(&format!("{id}ScaleInPolicy"), policy(false))?;

    let alarm = |policy: &Handle<ScalingPolicy>, out: bool| {
        let (operator, threshold, periods, description) = if out {
            (
                alarm::ComparisonOperator::GreaterThanThreshold,
                cpu.scale_out_above,
                cpu.scale_out_periods,
                format!(
                    "Average CPU of the group above {}% for {} periods of {} s: add {} instance(s)",
                    cpu.scale_out_above, cpu.scale_out_periods, cpu.period_seconds, cpu.adjustment
                ),
            )
        } else {
            (
                alarm::ComparisonOperator::LessThanThreshold,
                cpu.scale_in_below,
                cpu.scale_in_periods,
                format!(
                    "Average CPU of the group below {}% for {} periods of {} s: remove {} instance(s)",
                    cpu.scale_in_below, cpu.scale_in_periods, cpu.period_seconds, cpu.adjustment
                ),
            )
        };
        Alarm::new()
            .alarm_description(description)
            .namespace("AWS/EC2")
            .metric_name("CPUUtilization")
            .dimensions(vec![Dimension::new(
                "AutoScalingGroupName",
                group.reference(),
            )])
            .statistic(alarm::Statistic::Average)
            .period(cpu.period_seconds)
            .evaluation_periods(periods)
            .threshold(threshold)
            .comparison_operator(operator)
            .alarm_actions(vec![
                Value::from(policy.reference()),
                Value::from(cpu.notification_topic.reference()),
            ])
    };
    let scale_out_alarm = stack.add(
        &format!("{id}ScaleOutAlarm"),
        alarm(&scale_out_policy, true),
    )?;
    let scale_in_alarm = stack.add(&format!("{id}ScaleInAlarm"), alarm(&scale_in_policy, false))?;
    Ok(Scaling::Cpu {
        scale_out_policy,
        scale_in_policy,
        scale_out_alarm,
        scale_in_alarm,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as Json, json};

    use super::*;
    use crate::template::json::to_json_value;

    fn cpu_props(change: impl FnOnce(&mut CpuScaling)) -> ScalingProps {
        let mut cpu = CpuScaling::new(Handle::new("Alerts"));
        change(&mut cpu);
        ScalingProps {
            auto_scaling_group: Handle::new("WebAsg"),
            mode: ScalingMode::Cpu(cpu),
        }
    }

    fn tracking_props(change: impl FnOnce(&mut RequestCountTracking)) -> ScalingProps {
        let mut t = RequestCountTracking::new(
            Handle::new("WebLoadBalancer"),
            Handle::new("WebTargetGroup"),
            Handle::new("WebHttpsListener"),
        );
        change(&mut t);
        ScalingProps {
            auto_scaling_group: Handle::new("WebAsg"),
            mode: ScalingMode::RequestCount(t),
        }
    }

    fn build(props: &ScalingProps) -> (Json, Result<Scaling, SynthError>) {
        let mut stack = Stack::new("t");
        let out = Scaling::new(&mut stack, "WebScaling", props);
        (
            to_json_value(&stack.template().unwrap().to_expr())["Resources"].clone(),
            out,
        )
    }

    fn error_of(props: &ScalingProps) -> String {
        let (resources, out) = build(props);
        let msg = out.expect_err("props should be refused").to_string();
        assert_eq!(resources, json!({}), "nothing may be written");
        assert!(msg.starts_with("Scaling \"WebScaling\": "), "{msg}");
        msg
    }

    #[test]
    fn cpu_defaults_scale_out_above_75_and_in_below_10_by_one_step() {
        let (r, out) = build(&cpu_props(|_| {}));
        let ids: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(
            ids,
            [
                "WebScalingScaleOutPolicy",
                "WebScalingScaleInPolicy",
                "WebScalingScaleOutAlarm",
                "WebScalingScaleInAlarm"
            ]
        );
        let Scaling::Cpu {
            scale_out_alarm, ..
        } = out.unwrap()
        else {
            panic!("CPU mode gives CPU output")
        };
        assert_eq!(scale_out_alarm.logical_id(), "WebScalingScaleOutAlarm");
        assert_eq!(
            r["WebScalingScaleOutPolicy"]["Properties"],
            json!({
                "AutoScalingGroupName": {"Ref": "WebAsg"},
                "PolicyType": "StepScaling",
                "AdjustmentType": "ChangeInCapacity",
                "EstimatedInstanceWarmup": 300,
                "MetricAggregationType": "Average",
                "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}],
            })
        );
        assert_eq!(
            r["WebScalingScaleInPolicy"]["Properties"]["StepAdjustments"],
            json!([{"MetricIntervalUpperBound": 0.0, "ScalingAdjustment": -1}])
        );
        let high = &r["WebScalingScaleOutAlarm"]["Properties"];
        assert_eq!(high["Namespace"], "AWS/EC2");
        assert_eq!(high["MetricName"], "CPUUtilization");
        assert_eq!(
            high["Dimensions"],
            json!([{"Name": "AutoScalingGroupName", "Value": {"Ref": "WebAsg"}}])
        );
        assert_eq!(high["Statistic"], "Average");
        assert_eq!(high["Period"], 300);
        assert_eq!(high["EvaluationPeriods"], 2);
        assert_eq!(high["Threshold"], 75.0);
        assert_eq!(high["ComparisonOperator"], "GreaterThanThreshold");
        assert_eq!(
            high["AlarmActions"],
            json!([{"Ref": "WebScalingScaleOutPolicy"}, {"Ref": "Alerts"}])
        );
        let low = &r["WebScalingScaleInAlarm"]["Properties"];
        assert_eq!(low["Threshold"], 10.0);
        assert_eq!(low["ComparisonOperator"], "LessThanThreshold");
        assert_eq!(
            low["AlarmActions"],
            json!([{"Ref": "WebScalingScaleInPolicy"}, {"Ref": "Alerts"}])
        );
    }

    #[test]
    fn simple_policies_use_a_cooldown_and_configured_values() {
        let (r, _) = build(&cpu_props(|c| {
            c.policy_kind = CpuPolicyKind::Simple;
            c.adjustment = 2;
            c.warmup_seconds = 600;
            c.scale_out_above = 60.0;
            c.period_seconds = 60;
            c.scale_in_periods = 15;
        }));
        assert_eq!(
            r["WebScalingScaleInPolicy"]["Properties"],
            json!({
                "AutoScalingGroupName": {"Ref": "WebAsg"},
                "PolicyType": "SimpleScaling",
                "AdjustmentType": "ChangeInCapacity",
                "Cooldown": 600,
                "ScalingAdjustment": -2,
            })
        );
        let high = &r["WebScalingScaleOutAlarm"]["Properties"];
        assert_eq!(high["Threshold"], 60.0);
        assert_eq!(high["Period"], 60);
        assert_eq!(
            r["WebScalingScaleInAlarm"]["Properties"]["EvaluationPeriods"],
            15
        );
    }

    #[test]
    fn request_count_tracking_labels_the_target_group_and_waits_for_the_listener() {
        let (r, out) = build(&tracking_props(|t| t.requests_per_target = 500.0));
        assert!(matches!(out.unwrap(), Scaling::RequestCount { .. }));
        let policy = &r["WebScalingRequestCountPolicy"];
        assert_eq!(policy["DependsOn"], "WebHttpsListener");
        assert_eq!(
            policy["Properties"],
            json!({
                "AutoScalingGroupName": {"Ref": "WebAsg"},
                "PolicyType": "TargetTrackingScaling",
                "EstimatedInstanceWarmup": 300,
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ALBRequestCountPerTarget",
                        "ResourceLabel": {"Fn::Sub":
                            "${WebLoadBalancer.LoadBalancerFullName}/${WebTargetGroup.TargetGroupFullName}"},
                    },
                    "TargetValue": 500.0,
                    "DisableScaleIn": false,
                },
            })
        );
        assert_eq!(
            r.as_object().unwrap().len(),
            1,
            "no CPU alarms in this mode"
        );
    }

    #[test]
    fn bad_cpu_props_are_refused() {
        assert!(error_of(&cpu_props(|c| c.scale_out_above = 120.0)).contains("0 to 100"));
        assert!(error_of(&cpu_props(|c| c.scale_in_below = -1.0)).contains("0 to 100"));
        assert!(error_of(&cpu_props(|c| c.scale_in_below = f64::NAN)).contains("0 to 100"));
        assert!(
            error_of(&cpu_props(|c| c.scale_in_below = 80.0))
                .contains("scale_in_below (80) must be below scale_out_above (75)")
        );
        assert!(error_of(&cpu_props(|c| c.period_seconds = 90)).contains("not a multiple of 60"));
        assert!(error_of(&cpu_props(|c| c.period_seconds = 0)).contains("not a multiple of 60"));
        assert!(
            error_of(&cpu_props(|c| c.scale_out_periods = 0))
                .contains("scale-out alarm: the number of periods is 0")
        );
        assert!(
            error_of(&cpu_props(|c| c.scale_in_periods = 300))
                .contains("scale-in alarm: 300 periods of 300 s span 90000 s")
        );
        assert!(error_of(&cpu_props(|c| c.adjustment = 0)).contains("adjustment is 0"));
    }

    #[test]
    fn bad_tracking_props_are_refused() {
        assert!(
            error_of(&tracking_props(|t| t.requests_per_target = 0.0))
                .contains("requests_per_target is 0")
        );
        assert!(
            error_of(&tracking_props(|t| t.requests_per_target = f64::INFINITY))
                .contains("requests_per_target is inf")
        );
    }

    #[test]
    fn alarm_windows_follow_cloudwatch_limits() {
        assert!(check_alarm_window("a", 300, 288).is_ok());
        assert!(check_alarm_window("a", 300, 289).is_err());
        assert!(check_alarm_window("a", 3600, 168).is_ok());
        assert!(check_alarm_window("a", 3600, 169).is_err());
        assert!(check_alarm_window("a", 30, 1).is_err());
    }
}
