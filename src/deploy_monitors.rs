//! Deploy monitors: the template's own CloudWatch alarms that watch a
//! deploy and roll it back when they go into ALARM (CloudFormation's
//! rollback triggers).
//!
//! A blueprint marks alarms with [`crate::stack::Stack::monitor_deploys`];
//! the mark lives in the template's top-level `Metadata`, so that any
//! template (a blueprint's or a file given to `hagen deploy --template`)
//! carries it:
//!
//! ```yaml
//! Metadata:
//!   hagen:
//!     DeployMonitors:
//!       Alarms: [AppAlarmsTarget5xxAlarm, AppAlarmsUnhealthyHostsAlarm]
//!       MonitoringMinutes: 10
//! ```
//!
//! Owns that shape (writing and reading it), its limits, and the alarm ARN
//! CloudFormation wants. Turning the alarms into a change set's
//! RollbackConfiguration is `crate::deploy`'s business; the findings on a
//! badly marked template are `crate::validate`'s (rule HG220).

use indexmap::IndexMap;

use crate::template::{Expr, Template};

/// The top-level `Metadata` key hagen keeps its own settings under.
pub const METADATA_KEY: &str = "hagen";
/// The key under [`METADATA_KEY`] that lists the deploy monitors.
pub const MONITORS_KEY: &str = "DeployMonitors";
/// CloudFormation's limit on rollback triggers per stack operation.
pub const MAX_TRIGGERS: usize = 5;
/// CloudFormation's limit on `MonitoringTimeInMinutes`.
pub const MAX_MONITORING_MINUTES: u32 = 180;
/// The resource types CloudFormation accepts as rollback triggers.
pub const ALARM_TYPES: [&str; 2] = ["AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"];

/// The alarms that watch a deploy, by logical ID, and how long they keep
/// watching after the stack operation has deployed everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct DeployMonitors {
    /// Logical IDs of `AWS::CloudWatch::Alarm` or `CompositeAlarm`
    /// resources of the template, in the order they were marked.
    pub alarms: Vec<String>,
    /// Minutes CloudFormation keeps watching after the operation (0 to
    /// 180); `None` leaves CloudFormation's default (0: only during it).
    pub monitoring_minutes: Option<u32>,
}

/// Why the `DeployMonitors` metadata of a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonitorError {
    /// The metadata is not of the documented shape.
    #[error("Metadata.hagen.DeployMonitors{at}: {problem}")]
    Shape {
        /// Where under `DeployMonitors` (`.Alarms[2]`), or empty.
        at: String,
        /// What is wrong.
        problem: String,
    },
    /// A named logical ID is not a resource of the template.
    #[error("deploy monitor {id:?} is not a resource of the template")]
    Missing {
        /// The logical ID.
        id: String,
    },
    /// A named logical ID is a resource of another type.
    #[error("deploy monitor {id:?} is a {found}, not a CloudWatch alarm")]
    NotAnAlarm {
        /// The logical ID.
        id: String,
        /// Its type.
        found: String,
    },
    /// More alarms than CloudFormation takes.
    #[error(
        "{count} deploy monitors, but CloudFormation takes at most {MAX_TRIGGERS} rollback triggers per stack"
    )]
    TooMany {
        /// How many were named.
        count: usize,
    },
    /// A monitoring time over CloudFormation's limit.
    #[error(
        "a monitoring time of {minutes} minutes is over CloudFormation's limit of {MAX_MONITORING_MINUTES}"
    )]
    TooLong {
        /// The minutes asked for.
        minutes: u32,
    },
}

impl MonitorError {
    /// What to do about it, in one line.
    pub fn hint(&self) -> &'static str {
        match self {
            MonitorError::Shape { .. } => {
                "write Metadata: {hagen: {DeployMonitors: {Alarms: [LogicalId, ...], MonitoringMinutes: N}}}"
            }
            MonitorError::Missing { .. } | MonitorError::NotAnAlarm { .. } => {
                "name the logical ID of an AWS::CloudWatch::Alarm or AWS::CloudWatch::CompositeAlarm of this template"
            }
            MonitorError::TooMany { .. } => {
                "keep the alarms that best show a broken deploy (5xx, unhealthy hosts), or combine several into a composite alarm"
            }
            MonitorError::TooLong { .. } => "give MonitoringMinutes between 0 and 180",
        }
    }

    /// The logical ID it is about, when it is about one.
    pub fn logical_id(&self) -> Option<&str> {
        match self {
            MonitorError::Missing { id } | MonitorError::NotAnAlarm { id, .. } => Some(id),
            _ => None,
        }
    }
}

impl DeployMonitors {
    /// Whether no alarm watches and no monitoring time is set.
    pub fn is_empty(&self) -> bool {
        self.alarms.is_empty() && self.monitoring_minutes.is_none()
    }

    /// The metadata value under [`MONITORS_KEY`].
    pub fn to_expr(&self) -> Expr {
        let mut m = IndexMap::new();
        m.insert(
            "Alarms".to_owned(),
            Expr::List(self.alarms.iter().cloned().map(Expr::String).collect()),
        );
        if let Some(minutes) = self.monitoring_minutes {
            m.insert(
                "MonitoringMinutes".to_owned(),
                Expr::Int(i64::from(minutes)),
            );
        }
        Expr::Map(m)
    }

    /// Writes the mark into `template`'s top-level `Metadata` (other keys
    /// under `hagen` are kept). An empty mark writes nothing.
    pub fn write(&self, template: &mut Template) {
        if self.is_empty() {
            return;
        }
        let entry = template
            .metadata
            .entry(METADATA_KEY.to_owned())
            .or_insert_with(|| Expr::Map(IndexMap::new()));
        if !matches!(entry, Expr::Map(_)) {
            *entry = Expr::Map(IndexMap::new());
        }
        if let Expr::Map(m) = entry {
            m.insert(MONITORS_KEY.to_owned(), self.to_expr());
        }
    }

    /// Reads the mark from `template`'s `Metadata`: `Ok(None)` when there is
    /// none, an error when it is not of the documented shape.
    pub fn read(template: &Template) -> Result<Option<DeployMonitors>, MonitorError> {
        let shape = |at: &str, problem: &str| MonitorError::Shape {
            at: at.to_owned(),
            problem: problem.to_owned(),
        };
        let Some(Expr::Map(hagen)) = template.metadata.get(METADATA_KEY) else {
            return Ok(None);
        };
        let Some(value) = hagen.get(MONITORS_KEY) else {
            return Ok(None);
        };
        let Expr::Map(m) = value else {
            return Err(shape("", "must be a map with Alarms and MonitoringMinutes"));
        };
        let mut monitors = DeployMonitors::default();
        for (key, v) in m {
            match key.as_str() {
                "Alarms" => {
                    let Expr::List(items) = v else {
                        return Err(shape(".Alarms", "must be a list of logical IDs"));
                    };
                    for (i, item) in items.iter().enumerate() {
                        match item {
                            Expr::String(s) => monitors.alarms.push(s.clone()),
                            _ => {
                                return Err(shape(
                                    &format!(".Alarms[{i}]"),
                                    "must be a logical ID written as a string (not a Ref or other function)",
                                ));
                            }
                        }
                    }
                }
                "MonitoringMinutes" => {
                    let minutes = match v {
                        Expr::Int(n) => u32::try_from(*n).ok(),
                        Expr::String(s) => s.trim().parse::<u32>().ok(),
                        _ => None,
                    };
                    monitors.monitoring_minutes = Some(minutes.ok_or_else(|| {
                        shape(
                            ".MonitoringMinutes",
                            "must be a whole number of minutes, 0 to 180",
                        )
                    })?);
                }
                other => {
                    return Err(shape(
                        &format!(".{other}"),
                        "is not a key hagen knows (Alarms, MonitoringMinutes)",
                    ));
                }
            }
        }
        Ok(Some(monitors))
    }

    /// Every problem with these monitors against `template`: each alarm must
    /// be an alarm resource of it, within CloudFormation's limits.
    pub fn problems(&self, template: &Template) -> Vec<MonitorError> {
        let mut found = Vec::new();
        for id in &self.alarms {
            match template.resources.get(id) {
                None => found.push(MonitorError::Missing { id: id.clone() }),
                Some(r) if !ALARM_TYPES.contains(&r.resource_type.as_str()) => {
                    found.push(MonitorError::NotAnAlarm {
                        id: id.clone(),
                        found: r.resource_type.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        if self.alarms.len() > MAX_TRIGGERS {
            found.push(MonitorError::TooMany {
                count: self.alarms.len(),
            });
        }
        if let Some(minutes) = self
            .monitoring_minutes
            .filter(|m| *m > MAX_MONITORING_MINUTES)
        {
            found.push(MonitorError::TooLong { minutes });
        }
        found
    }

    /// These monitors with `extra` alarms added (each once) and, when given,
    /// `minutes` in place of the monitoring time: how `hagen.toml` adds to a
    /// template's own marks.
    pub fn with(mut self, extra: &[String], minutes: Option<u32>) -> DeployMonitors {
        for id in extra {
            if !self.alarms.contains(id) {
                self.alarms.push(id.clone());
            }
        }
        if minutes.is_some() {
            self.monitoring_minutes = minutes;
        }
        self
    }
}

/// The AWS partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`,
/// ...), for building ARNs.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else {
        "aws"
    }
}

/// The ARN of the CloudWatch alarm `name` (an alarm's physical ID is its
/// name) in `region` of `account`.
pub fn alarm_arn(region: &str, account: &str, name: &str) -> String {
    format!(
        "arn:{}:cloudwatch:{region}:{account}:alarm:{name}",
        partition_of(region)
    )
}

/// The alarm names a CloudFormation reason mentions by ARN
/// (`arn:...:cloudwatch:REGION:ACCOUNT:alarm:NAME`), in order: how a
/// rollback caused by a trigger names the alarm that fired.
pub fn alarms_in(reason: &str) -> Vec<String> {
    let mut names = Vec::new();
    for word in reason.split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | ',' | '"')) {
        let parts: Vec<&str> = word.splitn(7, ':').collect();
        if parts.len() == 7 && parts[0] == "arn" && parts[2] == "cloudwatch" && parts[5] == "alarm"
        {
            let name = parts[6].trim_end_matches(['.', ';', ')']);
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Resource, parse};

    fn template(yaml: &str) -> Template {
        parse::parse_template(yaml, "t.yaml")
            .expect("parses")
            .template
    }

    const TWO_ALARMS: &str = "Metadata:\n  hagen:\n    DeployMonitors:\n      Alarms: [Errors, Unhealthy]\n      MonitoringMinutes: 10\nResources:\n  Errors:\n    Type: AWS::CloudWatch::Alarm\n  Unhealthy:\n    Type: AWS::CloudWatch::CompositeAlarm\n  Topic:\n    Type: AWS::SNS::Topic\n";

    #[test]
    fn reads_the_documented_shape_and_finds_no_problem() {
        let t = template(TWO_ALARMS);
        let m = DeployMonitors::read(&t).expect("valid").expect("present");
        assert_eq!(m.alarms, ["Errors", "Unhealthy"]);
        assert_eq!(m.monitoring_minutes, Some(10));
        assert!(m.problems(&t).is_empty());
    }

    #[test]
    fn a_template_without_the_mark_has_no_monitors() {
        let t = template("Metadata:\n  Other: 1\nResources:\n  T:\n    Type: AWS::SNS::Topic\n");
        assert_eq!(DeployMonitors::read(&t), Ok(None));
    }

    #[test]
    fn written_marks_read_back_and_keep_other_hagen_keys() {
        let mut t = Template::default();
        let mut other = IndexMap::new();
        other.insert("Keep".to_owned(), Expr::Bool(true));
        t.metadata.insert(METADATA_KEY.into(), Expr::Map(other));
        let m = DeployMonitors {
            alarms: vec!["A".into()],
            monitoring_minutes: Some(5),
        };
        m.write(&mut t);
        assert_eq!(DeployMonitors::read(&t), Ok(Some(m)));
        let Some(Expr::Map(h)) = t.metadata.get(METADATA_KEY) else {
            panic!("hagen metadata is a map");
        };
        assert_eq!(h.get("Keep"), Some(&Expr::Bool(true)));
    }

    #[test]
    fn bad_shapes_say_where() {
        let t = template(
            "Metadata:\n  hagen:\n    DeployMonitors:\n      Alarms: [A, {Ref: B}]\nResources: {}\n",
        );
        let e = DeployMonitors::read(&t).expect_err("a Ref is not a logical ID");
        assert!(e.to_string().contains("DeployMonitors.Alarms[1]"), "{e}");
        let t = template(
            "Metadata:\n  hagen:\n    DeployMonitors:\n      MonitoringMinutes: -3\nResources: {}\n",
        );
        let e = DeployMonitors::read(&t).expect_err("negative minutes");
        assert!(e.to_string().contains("MonitoringMinutes"), "{e}");
        let t =
            template("Metadata:\n  hagen:\n    DeployMonitors:\n      Alarm: [A]\nResources: {}\n");
        let e = DeployMonitors::read(&t).expect_err("misspelt key");
        assert!(e.to_string().contains(".Alarm:"), "{e}");
    }

    #[test]
    fn names_that_are_not_alarms_and_limits_are_problems() {
        let mut t = template(TWO_ALARMS);
        for i in 0..4 {
            t.resources.insert(
                format!("Extra{i}"),
                Resource {
                    resource_type: "AWS::CloudWatch::Alarm".into(),
                    ..Resource::default()
                },
            );
        }
        let m = DeployMonitors {
            alarms: vec![
                "Errors".into(),
                "Topic".into(),
                "Gone".into(),
                "Extra0".into(),
                "Extra1".into(),
                "Extra2".into(),
            ],
            monitoring_minutes: Some(181),
        };
        let problems = m.problems(&t);
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "deploy monitor \"Topic\" is a AWS::SNS::Topic, not a CloudWatch alarm",
                "deploy monitor \"Gone\" is not a resource of the template",
                "6 deploy monitors, but CloudFormation takes at most 5 rollback triggers per stack",
                "a monitoring time of 181 minutes is over CloudFormation's limit of 180",
            ]
        );
        assert_eq!(problems[0].logical_id(), Some("Topic"));
    }

    #[test]
    fn configured_alarms_add_once_and_minutes_override() {
        let m = DeployMonitors {
            alarms: vec!["A".into()],
            monitoring_minutes: Some(10),
        }
        .with(&["A".into(), "B".into()], Some(30));
        assert_eq!(m.alarms, ["A", "B"]);
        assert_eq!(m.monitoring_minutes, Some(30));
        let kept = m.clone().with(&[], None);
        assert_eq!(kept, m);
    }

    #[test]
    fn alarm_arns_follow_the_region_partition() {
        assert_eq!(
            alarm_arn("eu-west-1", "123456789012", "web-5xx"),
            "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-5xx"
        );
        assert_eq!(
            alarm_arn("cn-north-1", "123456789012", "a"),
            "arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:a"
        );
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("us-east-1"), "aws");
    }

    #[test]
    fn alarm_names_are_found_in_reasons() {
        let reason = "Rollback triggered by alarm(s) in ALARM state: [arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-Target5xx-AB12, arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-Unhealthy].";
        assert_eq!(alarms_in(reason), ["web-Target5xx-AB12", "web-Unhealthy"]);
        assert!(alarms_in("Resource creation cancelled").is_empty());
    }
}
