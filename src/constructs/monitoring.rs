//! `AppAlarms`: the alarms that tell people the application is in trouble:
//! 5xx answers from the targets, unhealthy targets, and CPU of the whole
//! group staying high (scaling is not keeping up, or the group is at its
//! maximum). Each notifies the alert topic, and again when it recovers.
//!
//! Owns these alarms only. Alarms that drive scaling are `super::scaling`;
//! database alarms belong with the database.
//!
//! Logical IDs are `<id>` plus `Target5xxAlarm`, `UnhealthyHostsAlarm` and
//! `CpuHighAlarm`.

use crate::constructs::scaling::check_alarm_window;
use crate::error::SynthError;
use crate::resources::Handle;
use crate::resources::autoscaling::AutoScalingGroup;
use crate::resources::cloudwatch::Alarm;
use crate::resources::cloudwatch::alarm;
use crate::resources::cloudwatch::alarm::Dimension;
use crate::resources::elasticloadbalancingv2::{LoadBalancer, TargetGroup};
use crate::resources::sns::Topic;
use crate::stack::Stack;
use crate::template::Value;

/// Every logical ID suffix the construct uses, in the order resources are added.
pub const SUFFIXES: [&str; 3] = ["Target5xxAlarm", "UnhealthyHostsAlarm", "CpuHighAlarm"];

/// Props of [`AppAlarms`]. Build with [`AppAlarmsProps::new`] and change
/// the thresholds that do not fit.
#[derive(Debug, Clone, PartialEq)]
pub struct AppAlarmsProps {
    /// The application's load balancer.
    pub load_balancer: Handle<LoadBalancer>,
    /// Its target group.
    pub target_group: Handle<TargetGroup>,
    /// The Auto Scaling group behind it.
    pub auto_scaling_group: Handle<AutoScalingGroup>,
    /// Where alarms go.
    pub notification_topic: Handle<Topic>,
    /// Alarm at this many 5xx answers from targets in one period (default 10).
    pub target_5xx_threshold: u32,
    /// Period over which 5xx answers are counted, seconds (default 300).
    pub target_5xx_period_seconds: u32,
    /// Alarm at this many unhealthy targets (default 1).
    pub unhealthy_hosts_threshold: u32,
    /// Minutes the unhealthy count must last, so an instance that is being
    /// replaced does not page anyone (default 5).
    pub unhealthy_hosts_minutes: u32,
    /// Alarm when the group's average CPU stays above this percentage
    /// (default 90, above the scale-out threshold).
    pub cpu_high_threshold: f64,
    /// Consecutive 5-minute periods CPU must stay high (default 3).
    pub cpu_high_periods: u32,
    /// Notify the topic again when an alarm returns to OK (default on).
    pub notify_on_recovery: bool,
}

impl AppAlarmsProps {
    /// Alarms with default thresholds.
    pub fn new(
        load_balancer: Handle<LoadBalancer>,
        target_group: Handle<TargetGroup>,
        auto_scaling_group: Handle<AutoScalingGroup>,
        notification_topic: Handle<Topic>,
    ) -> Self {
        AppAlarmsProps {
            load_balancer,
            target_group,
            auto_scaling_group,
            notification_topic,
            target_5xx_threshold: 10,
            target_5xx_period_seconds: 300,
            unhealthy_hosts_threshold: 1,
            unhealthy_hosts_minutes: 5,
            cpu_high_threshold: 90.0,
            cpu_high_periods: 3,
            notify_on_recovery: true,
        }
    }
}

/// What [`AppAlarms`] added to the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct AppAlarms {
    /// `<id>Target5xxAlarm`.
    pub target_5xx: Handle<Alarm>,
    /// `<id>UnhealthyHostsAlarm`.
    pub unhealthy_hosts: Handle<Alarm>,
    /// `<id>CpuHighAlarm`.
    pub cpu_high: Handle<Alarm>,
}

/// Length of the CPU alarm's periods: EC2's basic monitoring resolution.
const CPU_PERIOD_SECONDS: u32 = 300;

fn check(p: &AppAlarmsProps) -> Result<(), String> {
    if p.target_5xx_threshold == 0 {
        return Err(
            "target_5xx_threshold is 0; the alarm would always fire. Use at least 1".into(),
        );
    }
    check_alarm_window("target 5xx alarm", p.target_5xx_period_seconds, 1)?;
    if p.unhealthy_hosts_threshold == 0 {
        return Err(
            "unhealthy_hosts_threshold is 0; the alarm would always fire. Use at least 1".into(),
        );
    }
    check_alarm_window("unhealthy hosts alarm", 60, p.unhealthy_hosts_minutes)?;
    if !(p.cpu_high_threshold.is_finite()
        && p.cpu_high_threshold > 0.0
        && p.cpu_high_threshold <= 100.0)
    {
        return Err(format!(
            "cpu_high_threshold is {}; give a percentage above 0 and at most 100",
            p.cpu_high_threshold
        ));
    }
    check_alarm_window("CPU high alarm", CPU_PERIOD_SECONDS, p.cpu_high_periods)?;
    Ok(())
}

impl AppAlarms {
    /// Checks the props, then adds the three alarms. Nothing is added when a
    /// check fails.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        props: &AppAlarmsProps,
    ) -> Result<AppAlarms, SynthError> {
        check(props).map_err(|m| SynthError::props(format!("AppAlarms {id:?}"), m))?;
        for suffix in SUFFIXES {
            crate::stack::check_logical_id(&format!("{id}{suffix}"), "Resources")?;
        }
        let topic = || vec![Value::from(props.notification_topic.reference())];
        let notify = |alarm: Alarm| {
            let alarm = alarm.alarm_actions(topic());
            if props.notify_on_recovery {
                alarm.ok_actions(topic())
            } else {
                alarm
            }
        };
        let target_dimensions = || {
            vec![
                Dimension::new("TargetGroup", props.target_group.target_group_full_name()),
                Dimension::new(
                    "LoadBalancer",
                    props.load_balancer.load_balancer_full_name(),
                ),
            ]
        };

        let target_5xx = stack.add(
            &format!("{id}{}", SUFFIXES[0]),
            notify(
                Alarm::new()
                    .alarm_description(format!(
                        "The application answered {} or more requests with 5xx in {} s",
                        props.target_5xx_threshold, props.target_5xx_period_seconds
                    ))
                    .namespace("AWS/ApplicationELB")
                    .metric_name("HTTPCode_Target_5XX_Count")
                    .dimensions(target_dimensions())
                    .statistic(alarm::Statistic::Sum)
                    .period(props.target_5xx_period_seconds)
                    .evaluation_periods(1)
                    .threshold(f64::from(props.target_5xx_threshold))
                    .comparison_operator(alarm::ComparisonOperator::GreaterThanOrEqualToThreshold)
                    // No requests, no 5xx: a quiet site is not broken.
                    .treat_missing_data(alarm::TreatMissingData::NotBreaching),
            ),
        )?;
        let unhealthy_hosts = stack.add(
            &format!("{id}{}", SUFFIXES[1]),
            notify(
                Alarm::new()
                    .alarm_description(format!(
                        "{} or more targets failed health checks for {} minutes",
                        props.unhealthy_hosts_threshold, props.unhealthy_hosts_minutes
                    ))
                    .namespace("AWS/ApplicationELB")
                    .metric_name("UnHealthyHostCount")
                    .dimensions(target_dimensions())
                    .statistic(alarm::Statistic::Maximum)
                    .period(60)
                    .evaluation_periods(props.unhealthy_hosts_minutes)
                    .threshold(f64::from(props.unhealthy_hosts_threshold))
                    .comparison_operator(alarm::ComparisonOperator::GreaterThanOrEqualToThreshold)
                    .treat_missing_data(alarm::TreatMissingData::NotBreaching),
            ),
        )?;
        let cpu_high = stack.add(
            &format!("{id}{}", SUFFIXES[2]),
            notify(
                Alarm::new()
                    .alarm_description(format!(
                        "Average CPU of the group above {}% for {} periods of {} s: scaling is not keeping up or the group is at its maximum",
                        props.cpu_high_threshold, props.cpu_high_periods, CPU_PERIOD_SECONDS
                    ))
                    .namespace("AWS/EC2")
                    .metric_name("CPUUtilization")
                    .dimensions(vec![Dimension::new(
                        "AutoScalingGroupName",
                        props.auto_scaling_group.reference(),
                    )])
                    .statistic(alarm::Statistic::Average)
                    .period(CPU_PERIOD_SECONDS)
                    .evaluation_periods(props.cpu_high_periods)
                    .threshold(props.cpu_high_threshold)
                    .comparison_operator(alarm::ComparisonOperator::GreaterThanThreshold),
            ),
        )?;
        Ok(AppAlarms {
            target_5xx,
            unhealthy_hosts,
            cpu_high,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as Json, json};

    use super::*;
    use crate::template::json::to_json_value;

    fn props(change: impl FnOnce(&mut AppAlarmsProps)) -> AppAlarmsProps {
        let mut p = AppAlarmsProps::new(
            Handle::new("WebLoadBalancer"),
            Handle::new("WebTargetGroup"),
            Handle::new("WebAsg"),
            Handle::new("Alerts"),
        );
        change(&mut p);
        p
    }

    fn build(p: &AppAlarmsProps) -> (Json, Result<AppAlarms, SynthError>) {
        let mut stack = Stack::new("t");
        let out = AppAlarms::new(&mut stack, "WebAlarms", p);
        (
            to_json_value(&stack.template().unwrap().to_expr())["Resources"].clone(),
            out,
        )
    }

    fn error_of(p: &AppAlarmsProps) -> String {
        let (r, out) = build(p);
        let msg = out.expect_err("props should be refused").to_string();
        assert_eq!(r, json!({}), "nothing may be written");
        assert!(msg.starts_with("AppAlarms \"WebAlarms\": "), "{msg}");
        msg
    }

    #[test]
    fn three_alarms_notify_the_topic_and_on_recovery() {
        let (r, out) = build(&props(|_| {}));
        let out = out.unwrap();
        assert_eq!(out.target_5xx.logical_id(), "WebAlarmsTarget5xxAlarm");
        assert_eq!(
            out.unhealthy_hosts.logical_id(),
            "WebAlarmsUnhealthyHostsAlarm"
        );
        assert_eq!(out.cpu_high.logical_id(), "WebAlarmsCpuHighAlarm");
        assert_eq!(r.as_object().unwrap().len(), 3);
        let dims = json!([
            {"Name": "TargetGroup", "Value": {"Fn::GetAtt": ["WebTargetGroup", "TargetGroupFullName"]}},
            {"Name": "LoadBalancer", "Value": {"Fn::GetAtt": ["WebLoadBalancer", "LoadBalancerFullName"]}},
        ]);
        let e5 = &r["WebAlarmsTarget5xxAlarm"]["Properties"];
        assert_eq!(e5["Namespace"], "AWS/ApplicationELB");
        assert_eq!(e5["MetricName"], "HTTPCode_Target_5XX_Count");
        assert_eq!(e5["Dimensions"], dims);
        assert_eq!(e5["Statistic"], "Sum");
        assert_eq!(e5["Period"], 300);
        assert_eq!(e5["EvaluationPeriods"], 1);
        assert_eq!(e5["Threshold"], 10.0);
        assert_eq!(e5["ComparisonOperator"], "GreaterThanOrEqualToThreshold");
        assert_eq!(e5["TreatMissingData"], "notBreaching");
        assert_eq!(e5["AlarmActions"], json!([{"Ref": "Alerts"}]));
        assert_eq!(e5["OKActions"], json!([{"Ref": "Alerts"}]));
        let uh = &r["WebAlarmsUnhealthyHostsAlarm"]["Properties"];
        assert_eq!(uh["MetricName"], "UnHealthyHostCount");
        assert_eq!(uh["Dimensions"], dims);
        assert_eq!(uh["Statistic"], "Maximum");
        assert_eq!(uh["Period"], 60);
        assert_eq!(uh["EvaluationPeriods"], 5);
        assert_eq!(uh["Threshold"], 1.0);
        let cpu = &r["WebAlarmsCpuHighAlarm"]["Properties"];
        assert_eq!(cpu["Namespace"], "AWS/EC2");
        assert_eq!(
            cpu["Dimensions"],
            json!([{"Name": "AutoScalingGroupName", "Value": {"Ref": "WebAsg"}}])
        );
        assert_eq!(cpu["Threshold"], 90.0);
        assert_eq!(cpu["EvaluationPeriods"], 3);
        assert_eq!(cpu["ComparisonOperator"], "GreaterThanThreshold");
        assert!(cpu.get("TreatMissingData").is_none());
    }

    #[test]
    fn thresholds_are_configurable_and_recovery_notices_optional() {
        let (r, _) = build(&props(|p| {
            p.target_5xx_threshold = 50;
            p.unhealthy_hosts_minutes = 10;
            p.cpu_high_threshold = 95.0;
            p.notify_on_recovery = false;
        }));
        let e5 = &r["WebAlarmsTarget5xxAlarm"]["Properties"];
        assert_eq!(e5["Threshold"], 50.0);
        assert!(e5.get("OKActions").is_none());
        assert_eq!(
            r["WebAlarmsUnhealthyHostsAlarm"]["Properties"]["EvaluationPeriods"],
            10
        );
        assert_eq!(r["WebAlarmsCpuHighAlarm"]["Properties"]["Threshold"], 95.0);
    }

    #[test]
    fn bad_props_are_refused() {
        assert!(
            error_of(&props(|p| p.target_5xx_threshold = 0)).contains("target_5xx_threshold is 0")
        );
        assert!(
            error_of(&props(|p| p.target_5xx_period_seconds = 45))
                .contains("target 5xx alarm: period 45 s")
        );
        assert!(
            error_of(&props(|p| p.unhealthy_hosts_threshold = 0))
                .contains("unhealthy_hosts_threshold is 0")
        );
        assert!(
            error_of(&props(|p| p.unhealthy_hosts_minutes = 0))
                .contains("unhealthy hosts alarm: the number of periods is 0")
        );
        assert!(
            error_of(&props(|p| p.unhealthy_hosts_minutes = 1441))
                .contains("unhealthy hosts alarm: 1441 periods")
        );
        assert!(
            error_of(&props(|p| p.cpu_high_threshold = 0.0)).contains("cpu_high_threshold is 0")
        );
        assert!(
            error_of(&props(|p| p.cpu_high_threshold = 101.0))
                .contains("cpu_high_threshold is 101")
        );
        assert!(
            error_of(&props(|p| p.cpu_high_periods = 0))
                .contains("CPU high alarm: the number of periods is 0")
        );
    }
}
