//! Rollback triggers: the template's deploy monitors (see
//! [`crate::deploy_monitors`]) turned into a change set's
//! RollbackConfiguration, and the words that tell the user which alarms
//! watch this deploy.
//!
//! Owns resolving each monitored alarm to its ARN on the existing stack
//! (an alarm's physical ID is its name) and deciding what a run sends: the
//! alarms on an update, nothing on a create (the alarms do not exist yet),
//! an empty list with `--no-rollback-triggers`. Sending the change set is
//! `super::changeset`'s business.

use aws_sdk_cloudformation::types::{RollbackConfiguration, RollbackTrigger};

use crate::deploy_monitors::{self, DeployMonitors};
use crate::template::Template;

use super::aws::Clients;
use super::error::DeployError;

/// The alarms a run adds to, or takes from, the template's own marks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonitorSettings {
    /// More alarms, by logical ID (`hagen.toml`'s
    /// `[environments.NAME.deploy_monitors]` `alarms`).
    pub extra_alarms: Vec<String>,
    /// A monitoring time in place of the template's.
    pub monitoring_minutes: Option<u32>,
    /// `--no-rollback-triggers`: no alarm watches this run.
    pub disabled: bool,
    /// Where `extra_alarms` were written (`hagen.toml:12:10`), for errors.
    pub origin: Option<String>,
}

/// One alarm that watches the deploy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Trigger {
    /// Its logical ID in the template.
    pub logical_id: String,
    /// Its ARN.
    pub arn: String,
    /// `AWS::CloudWatch::Alarm` or `AWS::CloudWatch::CompositeAlarm`.
    #[serde(rename = "type")]
    pub resource_type: String,
}

/// The RollbackConfiguration a change set carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RollbackConfig {
    /// The alarms (an empty list removes the stack's earlier triggers).
    pub triggers: Vec<Trigger>,
    /// `MonitoringTimeInMinutes`, when set.
    pub monitoring_minutes: Option<u32>,
}

impl RollbackConfig {
    /// The SDK's form.
    pub fn to_sdk(&self) -> RollbackConfiguration {
        let triggers = self
            .triggers
            .iter()
            .map(|t| {
                RollbackTrigger::builder()
                    .arn(&t.arn)
                    .r#type(&t.resource_type)
                    .build()
            })
            .collect();
        RollbackConfiguration::builder()
            .set_rollback_triggers(Some(triggers))
            .set_monitoring_time_in_minutes(
                self.monitoring_minutes.and_then(|m| i32::try_from(m).ok()),
            )
            .build()
    }
}

/// What a run does about rollback triggers, and the lines that say so.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// What the change set carries (`None`: no RollbackConfiguration, the
    /// stack keeps whatever it had).
    pub config: Option<RollbackConfig>,
    /// One line each for the user (which alarms watch, and why not).
    pub lines: Vec<String>,
    /// Lines that are warnings (lowered safety).
    pub warnings: Vec<String>,
}

/// The monitors of `template` with `settings` applied, checked against the
/// template and CloudFormation's limits (the error names what is wrong).
pub fn monitors(
    template: &Template,
    settings: &MonitorSettings,
) -> Result<DeployMonitors, DeployError> {
    let marked = DeployMonitors::read(template)
        .map_err(|e| DeployError::Usage(format!("{e}; {}", e.hint())))?
        .unwrap_or_default();
    let monitors = marked.with(&settings.extra_alarms, settings.monitoring_minutes);
    if let Some(problem) = monitors.problems(template).into_iter().next() {
        let from = match (&settings.origin, problem.logical_id()) {
            (Some(place), Some(id)) if settings.extra_alarms.iter().any(|a| a == id) => {
                format!(" (deploy_monitors.alarms at {place})")
            }
            _ => String::new(),
        };
        return Err(DeployError::Usage(format!(
            "{problem}{from}; {}. Nothing was created.",
            problem.hint()
        )));
    }
    Ok(monitors)
}

/// What this run sends, given the monitors, whether it creates the stack,
/// and (on an update) the stack's resources: `(logical ID, physical ID)`.
/// `account` and `region` build the ARNs.
pub fn plan(
    monitors: &DeployMonitors,
    settings: &MonitorSettings,
    creates: bool,
    physical: &[(String, String)],
    account: &str,
    region: &str,
    template: &Template,
) -> Plan {
    let mut plan = Plan::default();
    if settings.disabled {
        if !monitors.alarms.is_empty() {
            plan.warnings.push(format!(
                "Rollback triggers off (--no-rollback-triggers): {} will not roll this deploy back.",
                monitors.alarms.join(", ")
            ));
        }
        if !creates {
            plan.config = Some(RollbackConfig::default());
        }
        return plan;
    }
    if monitors.alarms.is_empty() {
        return plan;
    }
    if creates {
        plan.lines.push(format!(
            "Rollback triggers: none on this first deploy: the monitored alarms ({}) are created by it, so they cannot watch it; later updates are watched.",
            monitors.alarms.join(", ")
        ));
        return plan;
    }
    let mut config = RollbackConfig {
        triggers: Vec::new(),
        monitoring_minutes: monitors.monitoring_minutes,
    };
    let mut new = Vec::new();
    for id in &monitors.alarms {
        let Some((_, name)) = physical.iter().find(|(l, p)| l == id && !p.is_empty()) else {
            new.push(id.clone());
            continue;
        };
        let resource_type = template
            .resources
            .get(id)
            .map(|r| r.resource_type.clone())
            .unwrap_or_else(|| "AWS::CloudWatch::Alarm".into());
        config.triggers.push(Trigger {
            logical_id: id.clone(),
            arn: deploy_monitors::alarm_arn(region, account, name),
            resource_type,
        });
    }
    if !config.triggers.is_empty() {
        let how_long = match config.monitoring_minutes {
            Some(m) if m > 0 => format!(
                "during the update and {m} minute{} after",
                if m == 1 { "" } else { "s" }
            ),
            _ => "during the update".to_owned(),
        };
        plan.lines.push(format!(
            "Rollback triggers: {} alarm{} watch{} this deploy {how_long}; ALARM rolls it back:",
            config.triggers.len(),
            if config.triggers.len() == 1 { "" } else { "s" },
            if config.triggers.len() == 1 { "es" } else { "" },
        ));
        for t in &config.triggers {
            plan.lines.push(format!("  - {} ({})", t.logical_id, t.arn));
        }
    }
    if !new.is_empty() {
        plan.lines.push(format!(
            "Rollback triggers: {} {} new in this update, so {} not watch it (the next deploy is watched).",
            new.join(", "),
            if new.len() == 1 { "is" } else { "are" },
            if new.len() == 1 { "it does" } else { "they do" },
        ));
    }
    plan.config = Some(config);
    plan
}

/// Each resource of `stack` with its physical ID (ListStackResources, all
/// pages).
pub async fn physical_ids(
    clients: &Clients,
    stack: &str,
) -> Result<Vec<(String, String)>, DeployError> {
    let all = super::stack::resources(clients, stack)
        .await?
        .unwrap_or_default();
    Ok(all
        .iter()
        .map(|r| {
            (
                r.logical_resource_id().unwrap_or_default().to_owned(),
                r.physical_resource_id().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

/// The account and region of a stack, from its ARN
/// (`arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID`).
pub fn account_and_region(stack_arn: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = stack_arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "cloudformation", region, account, _]
            if !region.is_empty() && !account.is_empty() =>
        {
            Some(((*account).to_owned(), (*region).to_owned()))
        }
        _ => None,
    }
}

/// The account the credentials belong to (STS), else the stack ARN's; the
/// region requests go to, else the stack ARN's.
pub async fn where_alarms_live(
    clients: &Clients,
    stack_arn: &str,
) -> Result<(String, String), DeployError> {
    let from_arn = account_and_region(stack_arn);
    let account = match clients.sts.get_caller_identity().send().await {
        Ok(out) => out.account().map(str::to_owned),
        Err(_) => None,
    }
    .or_else(|| from_arn.as_ref().map(|(a, _)| a.clone()));
    let region = clients
        .region
        .clone()
        .or_else(|| from_arn.as_ref().map(|(_, r)| r.clone()));
    match (account, region) {
        (Some(a), Some(r)) => Ok((a, r)),
        _ => Err(DeployError::Usage(format!(
            "cannot tell the account and region of stack {stack_arn:?} to build its alarms' ARNs; pass --no-rollback-triggers to deploy without them"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::parse_template;

    fn template() -> Template {
        parse_template(
            "Metadata:\n  hagen:\n    DeployMonitors:\n      Alarms: [Errors, Unhealthy]\n      MonitoringMinutes: 10\nResources:\n  Errors:\n    Type: AWS::CloudWatch::Alarm\n  Unhealthy:\n    Type: AWS::CloudWatch::Alarm\n  Other:\n    Type: AWS::CloudWatch::Alarm\n",
            "t.yaml",
        )
        .expect("parses")
        .template
    }

    fn physical() -> Vec<(String, String)> {
        vec![
            ("Errors".into(), "web-Errors-1A".into()),
            ("Unhealthy".into(), "web-Unhealthy-2B".into()),
        ]
    }

    #[test]
    fn an_update_sends_each_alarm_arn_and_the_minutes() {
        let t = template();
        let s = MonitorSettings::default();
        let m = monitors(&t, &s).expect("valid");
        let p = plan(&m, &s, false, &physical(), "123456789012", "eu-west-1", &t);
        let config = p.config.expect("sent");
        assert_eq!(config.monitoring_minutes, Some(10));
        let arns: Vec<&str> = config.triggers.iter().map(|t| t.arn.as_str()).collect();
        assert_eq!(
            arns,
            [
                "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-Errors-1A",
                "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-Unhealthy-2B"
            ]
        );
        assert!(
            p.lines[0]
                .contains("2 alarms watch this deploy during the update and 10 minutes after"),
            "{:?}",
            p.lines
        );
        let sdk = config.to_sdk();
        assert_eq!(sdk.rollback_triggers().len(), 2);
        assert_eq!(sdk.monitoring_time_in_minutes(), Some(10));
    }

    #[test]
    fn a_create_sends_nothing_and_says_why() {
        let t = template();
        let s = MonitorSettings::default();
        let m = monitors(&t, &s).expect("valid");
        let p = plan(&m, &s, true, &[], "123456789012", "eu-west-1", &t);
        assert_eq!(p.config, None);
        assert_eq!(p.lines.len(), 1);
        assert!(p.lines[0].contains("first deploy"), "{:?}", p.lines);
    }

    #[test]
    fn an_alarm_new_in_the_update_is_named_and_left_out() {
        let t = template();
        let s = MonitorSettings {
            extra_alarms: vec!["Other".into()],
            ..MonitorSettings::default()
        };
        let m = monitors(&t, &s).expect("valid");
        let p = plan(&m, &s, false, &physical(), "123456789012", "eu-west-1", &t);
        assert_eq!(p.config.expect("sent").triggers.len(), 2);
        assert!(
            p.lines
                .last()
                .is_some_and(|l| l.starts_with("Rollback triggers: Other is new")),
            "{:?}",
            p.lines
        );
    }

    #[test]
    fn turned_off_sends_an_empty_list_and_warns() {
        let t = template();
        let s = MonitorSettings {
            disabled: true,
            ..MonitorSettings::default()
        };
        let m = monitors(&t, &s).expect("valid");
        let p = plan(&m, &s, false, &physical(), "123456789012", "eu-west-1", &t);
        assert_eq!(p.config, Some(RollbackConfig::default()));
        assert!(
            p.warnings[0].contains("--no-rollback-triggers"),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn a_configured_alarm_that_is_not_in_the_template_is_refused_by_name() {
        let t = template();
        let s = MonitorSettings {
            extra_alarms: vec!["Typo".into()],
            ..MonitorSettings::default()
        };
        let e = monitors(&t, &s).expect_err("unknown alarm");
        assert!(e.to_string().contains("\"Typo\""), "{e}");
        let s = MonitorSettings {
            origin: Some("hagen.toml:12:10".into()),
            ..s
        };
        let e = monitors(&t, &s).expect_err("unknown alarm");
        assert!(
            e.to_string()
                .contains("\"Typo\" is not a resource of the template (deploy_monitors.alarms at hagen.toml:12:10)"),
            "{e}"
        );
    }

    #[test]
    fn a_monitoring_time_over_180_minutes_is_refused() {
        let t = template();
        let s = MonitorSettings {
            monitoring_minutes: Some(200),
            ..MonitorSettings::default()
        };
        let e = monitors(&t, &s).expect_err("too long");
        assert!(e.to_string().contains("limit of 180"), "{e}");
    }

    #[test]
    fn stack_arns_give_account_and_region() {
        assert_eq!(
            account_and_region("arn:aws:cloudformation:eu-west-1:123456789012:stack/web/0b1c-2d3e"),
            Some(("123456789012".into(), "eu-west-1".into()))
        );
        assert_eq!(account_and_region("web"), None);
    }
}
