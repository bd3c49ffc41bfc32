//! Amazon CloudWatch resource types: metric alarms.

use crate::resources::Tag;
use crate::template::List;

cfn_struct! {
    /// A metric dimension (`Name`/`Value`), such as `AutoScalingGroupName`.
    pub struct Dimension {
        /// Dimension name.
        name: "Name" => String,
        /// Dimension value.
        value: "Value" => String,
    }
}

impl Dimension {
    /// A dimension with a literal name and a value.
    pub fn pair(name: &str, value: impl Into<crate::template::Value<String>>) -> Self {
        Dimension::new().name(name).value(value)
    }
}

cfn_resource! {
    /// `AWS::CloudWatch::Alarm`: a metric alarm that notifies or scales.
    pub struct Alarm = "AWS::CloudWatch::Alarm", tags: standard {
        /// Physical name (leave unset to let CloudFormation name it).
        alarm_name: "AlarmName" => String,
        /// What the alarm means, shown in notifications.
        alarm_description: "AlarmDescription" => String,
        /// Metric namespace, such as `AWS/EC2`.
        namespace: "Namespace" => String,
        /// Metric name, such as `CPUUtilization`.
        metric_name: "MetricName" => String,
        /// Dimensions selecting the metric.
        dimensions: "Dimensions" => List<Dimension>,
        /// `Average`, `Sum`, `Minimum`, `Maximum` or `SampleCount`.
        statistic: "Statistic" => String,
        /// Length of one evaluation period in seconds.
        period: "Period" => i64,
        /// How many periods are evaluated.
        evaluation_periods: "EvaluationPeriods" => i64,
        /// How many of them must breach (defaults to all).
        datapoints_to_alarm: "DatapointsToAlarm" => i64,
        /// The threshold.
        threshold: "Threshold" => f64,
        /// `GreaterThanThreshold`, `LessThanThreshold`, ...
        comparison_operator: "ComparisonOperator" => String,
        /// `breaching`, `notBreaching`, `ignore` or `missing`.
        treat_missing_data: "TreatMissingData" => String,
        /// Whether actions run.
        actions_enabled: "ActionsEnabled" => bool,
        /// ARNs notified or invoked when the alarm fires (topics, scaling policies).
        alarm_actions: "AlarmActions" => List<String>,
        /// ARNs notified when it returns to OK.
        ok_actions: "OKActions" => List<String>,
        /// ARNs notified when data is insufficient.
        insufficient_data_actions: "InsufficientDataActions" => List<String>,
        /// Unit of the metric.
        unit: "Unit" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The alarm ARN.
        arn: "Arn",
    }
}
