//! Change sets: create one, wait for it with backoff, read its changes,
//! recognise "no changes" in both forms AWS uses, find the ones other
//! hagen runs are working with, read CloudFormation's validation findings
//! on a failed one, and delete one.
//!
//! Owns the change-set calls; what to do with the result is
//! `super::run`'s business.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{
    Capability as SdkCapability, ChangeSetType, DeploymentMode, Parameter, Tag,
};
use indexmap::IndexMap;

use super::aws::Clients;
use super::capabilities::Capability;
use super::error::{DeployError, service_error};
use super::events::is_missing_stack;
use super::naming::RunKind;
use super::params::ParamValue;
use super::review::{Change, ChangeDetail};

/// Where CloudFormation gets the template from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource {
    /// Inline (`TemplateBody`, up to 51,200 bytes).
    Body(String),
    /// From S3 (`TemplateURL`).
    Url(String),
}

/// Everything a CreateChangeSet call sends.
#[derive(Debug, Clone)]
pub struct ChangeSetSpec {
    /// Stack name.
    pub stack: String,
    /// Change-set name.
    pub name: String,
    /// Whether it creates the stack (else updates it).
    pub creates: bool,
    /// The template.
    pub template: TemplateSource,
    /// Parameter values.
    pub parameters: IndexMap<String, ParamValue>,
    /// Capabilities to acknowledge.
    pub capabilities: Vec<Capability>,
    /// Stack tags (`None` keeps the stack's tags on update).
    pub tags: Option<IndexMap<String, String>>,
    /// SNS topics for stack events (`None` keeps the stack's on update).
    pub notification_arns: Option<Vec<String>>,
    /// Idempotency token (`ClientToken`).
    pub token: String,
    /// Description shown in the console.
    pub description: String,
    /// Rollback triggers (`None`: send none, the stack keeps its own).
    pub rollback_configuration: Option<super::triggers::RollbackConfig>,
    /// The service role CloudFormation acts as (`RoleARN`, `--role-arn`);
    /// `None` keeps the stack's role on update (the caller's credentials
    /// on create).
    pub role_arn: Option<String>,
    /// `--revert-drift`: a drift-aware change set (`DeploymentMode:
    /// REVERT_DRIFT`) that sets drifted properties back to the template's.
    pub revert_drift: bool,
    /// `--import-existing`: adopt resources with custom names that already
    /// exist (`ImportExistingResources`) instead of failing on them.
    pub import_existing: bool,
}

/// A created change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Its ARN.
    pub id: String,
    /// The stack's ARN.
    pub stack_id: String,
}

/// A change set that finished creating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub id: String,
    /// Its stack's ARN.
    pub stack_id: String,
    /// `CREATE_COMPLETE` or `FAILED`.
    pub status: String,
    /// Why it failed, when it did.
    pub status_reason: Option<String>,
    /// `AVAILABLE` when it can be executed.
    pub execution_status: String,
    /// Its resource changes, all pages.
    pub changes: Vec<Change>,
    /// The parameter values it was made with (`****` for NoEcho ones).
    pub parameters: Vec<(String, String)>,
}

impl Described {
    /// Whether CloudFormation found nothing to change.
    pub fn is_no_change(&self) -> bool {
        self.status == "FAILED" && self.status_reason.as_deref().is_some_and(is_no_change)
    }
}

/// Whether a status reason or error message is AWS's way of saying the
/// template and parameters change nothing (both forms).
pub fn is_no_change(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// The result of CreateChangeSet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateResult {
    /// The change set is being created.
    Created(Created),
    /// CloudFormation refused at once because nothing changes.
    NoChanges,
}

/// Deletes the change set `name` of `stack` when the stack has one by that
/// name (looked up with ListChangeSets, so a missing one costs no error).
pub async fn delete_if_present(
    clients: &Clients,
    stack: &str,
    name: &str,
) -> Result<(), DeployError> {
    let found = summaries(clients, stack).await?.into_iter().find(|s| {
        s.change_set_name() == Some(name)
            && (s.stack_name() == Some(stack) || s.stack_id() == Some(stack))
    });
    match found {
        Some(summary) => {
            let id = summary.change_set_id().unwrap_or(name).to_owned();
            delete(clients, stack, &id).await
        }
        None => Ok(()),
    }
}

/// A change set of another `hagen deploy` run that has not been executed
/// yet: that run is most likely still reviewing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRun {
    /// The change set's name.
    pub name: String,
    /// When it was created (ISO 8601, UTC), when the service says.
    pub created: Option<String>,
    /// Who made it (`user@host (pid N)`), from its description.
    pub by: Option<String>,
}

/// The change sets of `stack` that other `hagen deploy` runs made (known
/// by their description, see [`RunKind`]) within the last `within` and that
/// are still being created or wait for execution. Change sets kept for
/// review (`--no-execute`) and ones made by anything else do not count.
pub async fn pending_deploy_runs(
    clients: &Clients,
    stack: &str,
    within: Duration,
) -> Result<Vec<PendingRun>, DeployError> {
    let now = std::time::SystemTime::now();
    let mut found = Vec::new();
    for s in summaries(clients, stack).await? {
        let description = s.description().unwrap_or_default();
        if RunKind::of_description(description) != Some(RunKind::Deploy) {
            continue;
        }
        let status = s.status().map(|x| x.as_str()).unwrap_or_default();
        let execution = s.execution_status().map(|x| x.as_str()).unwrap_or_default();
        let waiting = matches!(
            status,
            "CREATE_PENDING" | "CREATE_IN_PROGRESS" | "CREATE_COMPLETE"
        ) && matches!(execution, "AVAILABLE" | "UNAVAILABLE" | "");
        let recent = s.creation_time().is_none_or(|t| {
            std::time::SystemTime::try_from(*t)
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_none_or(|age| age <= within)
        });
        if waiting && recent {
            found.push(PendingRun {
                name: s.change_set_name().unwrap_or_default().to_owned(),
                created: s.creation_time().and_then(|t| {
                    t.fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime)
                        .ok()
                }),
                by: RunKind::who(description).map(str::to_owned),
            });
        }
    }
    Ok(found)
}

/// How many change sets `stack` has (0 when it does not exist).
pub async fn count(clients: &Clients, stack: &str) -> Result<usize, DeployError> {
    Ok(summaries(clients, stack).await?.len())
}

/// Every change set of `stack` (ListChangeSets, all pages); none when the
/// stack does not exist.
pub async fn summaries(
    clients: &Clients,
    stack: &str,
) -> Result<Vec<aws_sdk_cloudformation::types::ChangeSetSummary>, DeployError> {
    let mut all = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = match clients
            .cfn
            .list_change_sets()
            .stack_name(stack)
            .set_next_token(next.take())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if is_missing_stack(&e) => return Ok(all),
            Err(e) => {
                return Err(DeployError::aws(
                    format!("ListChangeSets of stack {stack:?}"),
                    &e,
                ));
            }
        };
        all.extend(out.summaries().iter().cloned());
        match out.next_token() {
            Some(t) => next = Some(t.to_owned()),
            None => return Ok(all),
        }
    }
}

/// One finding of CloudFormation's own pre-deployment validation on a
/// change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationFinding {
    /// The validation (`AWS::EarlyValidation::PropertyValidation`).
    pub name: String,
    /// `FAILED` or `SKIPPED`.
    pub status: String,
    /// What is wrong.
    pub reason: String,
    /// Where in the template (`/Resources/Bucket/Properties/BucketName`).
    pub path: Option<String>,
    /// The resource it is about.
    pub logical_id: Option<String>,
}

impl ValidationFinding {
    /// One line: where, what, which validation.
    pub fn line(&self) -> String {
        let place = self
            .path
            .clone()
            .or_else(|| self.logical_id.clone())
            .unwrap_or_else(|| "(template)".into());
        format!("{place}: {} [{} {}]", self.reason, self.name, self.status)
    }
}

/// The validation findings CloudFormation recorded for a change set
/// (DescribeEvents, all pages). `None` when the endpoint cannot say: the
/// API is missing (older endpoints and emulators answer with an unknown
/// operation) or refused; the caller then falls back on the change set's
/// status reason.
pub async fn validation_findings(
    clients: &Clients,
    stack: &str,
    change_set: &str,
) -> Option<Vec<ValidationFinding>> {
    let mut findings = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = clients
            .cfn
            .describe_events()
            .stack_name(stack)
            .change_set_name(change_set)
            .set_next_token(next.take())
            .send()
            .await
            .ok()?;
        for e in out.operation_events() {
            let is_validation = e.event_type().map(|t| t.as_str()) == Some("VALIDATION_ERROR")
                || e.validation_name().is_some();
            if !is_validation {
                continue;
            }
            findings.push(ValidationFinding {
                name: e.validation_name().unwrap_or("validation").to_owned(),
                status: e
                    .validation_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_else(|| "FAILED".into()),
                reason: e
                    .validation_status_reason()
                    .or(e.resource_status_reason())
                    .unwrap_or("(no reason given)")
                    .to_owned(),
                path: e.validation_path().map(str::to_owned),
                logical_id: e.logical_resource_id().map(str::to_owned),
            });
        }
        match out.next_token() {
            Some(t) => next = Some(t.to_owned()),
            None => return Some(findings),
        }
    }
}

/// Deletes a change set (by ARN, or name with `stack`); one that is already
/// gone is not an error.
pub async fn delete(clients: &Clients, stack: &str, change_set: &str) -> Result<(), DeployError> {
    match clients
        .cfn
        .delete_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => match service_error(&e) {
            Some((code, _))
                if code == "ChangeSetNotFound" || code == "ChangeSetNotFoundException" =>
            {
                Ok(())
            }
            Some((code, msg)) if code == "ValidationError" && msg.contains("does not exist") => {
                Ok(())
            }
            _ => Err(DeployError::aws(
                format!("DeleteChangeSet {change_set:?} of stack {stack:?}"),
                &e,
            )),
        },
    }
}

/// Creates the change set.
pub async fn create(clients: &Clients, spec: &ChangeSetSpec) -> Result<CreateResult, DeployError> {
    let mut req = clients
        .cfn
        .create_change_set()
        .stack_name(&spec.stack)
        .change_set_name(&spec.name)
        .change_set_type(if spec.creates {
            ChangeSetType::Create
        } else {
            ChangeSetType::Update
        })
        .client_token(&spec.token)
        .description(&spec.description);
    req = match &spec.template {
        TemplateSource::Body(b) => req.template_body(b),
        TemplateSource::Url(u) => req.template_url(u),
    };
    for (key, value) in &spec.parameters {
        let p = Parameter::builder().parameter_key(key);
        let p = match value {
            ParamValue::Given(v) => p.parameter_value(v),
            ParamValue::UsePrevious => p.use_previous_value(true),
        };
        req = req.parameters(p.build());
    }
    for cap in &spec.capabilities {
        req = req.capabilities(SdkCapability::from(cap.as_str()));
    }
    if let Some(tags) = &spec.tags {
        let tags = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        req = req.set_tags(Some(tags));
    }
    if let Some(arns) = &spec.notification_arns {
        req = req.set_notification_arns(Some(arns.clone()));
    }
    if let Some(rollback) = &spec.rollback_configuration {
        req = req.rollback_configuration(rollback.to_sdk());
    }
    req = req.set_role_arn(spec.role_arn.clone());
    if spec.revert_drift {
        req = req.deployment_mode(DeploymentMode::RevertDrift);
    }
    if spec.import_existing {
        req = req.import_existing_resources(true);
    }
    match req.send().await {
        Ok(out) => Ok(CreateResult::Created(Created {
            id: out.id().unwrap_or(&spec.name).to_owned(),
            stack_id: out.stack_id().unwrap_or(&spec.stack).to_owned(),
        })),
        Err(e) => match service_error(&e) {
            Some((code, msg)) if code == "ValidationError" && is_no_change(&msg) => {
                Ok(CreateResult::NoChanges)
            }
            Some((code, msg))
                if code == "ValidationError" || code == "InsufficientCapabilitiesException" =>
            {
                Err(DeployError::TemplateRejected { message: msg })
            }
            _ => Err(DeployError::aws(
                format!("CreateChangeSet for stack {:?}", spec.stack),
                &e,
            )),
        },
    }
}

/// Describes a change set (all pages of changes). `change_set` is a name
/// (with `stack`) or an ARN.
pub async fn describe(
    clients: &Clients,
    stack: &str,
    change_set: &str,
) -> Result<Described, DeployError> {
    let mut changes = Vec::new();
    let mut parameters = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = clients
            .cfn
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(change_set)
            .set_next_token(next.take())
            // Before and after values: what a drift-aware change set sets.
            .include_property_values(true)
            .send()
            .await
            .map_err(|e| {
                DeployError::aws(
                    format!("DescribeChangeSet {change_set:?} of stack {stack:?}"),
                    &e,
                )
            })?;
        if parameters.is_empty() {
            parameters = out
                .parameters()
                .iter()
                .filter_map(|p| {
                    Some((
                        p.parameter_key()?.to_owned(),
                        p.resolved_value()
                            .or(p.parameter_value())
                            .unwrap_or_default()
                            .to_owned(),
                    ))
                })
                .collect();
        }
        for c in out.changes() {
            if let Some(rc) = c.resource_change() {
                changes.push(Change {
                    action: rc
                        .action()
                        .map(|a| a.as_str().to_owned())
                        .unwrap_or_default(),
                    logical_id: rc.logical_resource_id().unwrap_or_default().to_owned(),
                    physical_id: rc.physical_resource_id().map(str::to_owned),
                    resource_type: rc.resource_type().unwrap_or_default().to_owned(),
                    replacement: rc.replacement().map(|r| r.as_str().to_owned()),
                    policy_action: rc.policy_action().map(|p| p.as_str().to_owned()),
                    details: rc
                        .details()
                        .iter()
                        .filter_map(|d| d.target())
                        .map(|t| {
                            let attribute = t.attribute().map(|a| a.as_str()).unwrap_or("");
                            let name = match (attribute, t.name()) {
                                ("Properties", Some(n)) => n.to_owned(),
                                (a, Some(n)) if !a.is_empty() => format!("{a}.{n}"),
                                (a, _) => a.to_owned(),
                            };
                            ChangeDetail {
                                name,
                                requires_recreation: t
                                    .requires_recreation()
                                    .map(|r| r.as_str().to_owned()),
                            }
                        })
                        .collect(),
                    drift: super::drift_review::of_resource_change(rc),
                });
            }
        }
        let done = out.next_token().is_none();
        if done {
            return Ok(Described {
                name: out.change_set_name().unwrap_or(change_set).to_owned(),
                id: out.change_set_id().unwrap_or(change_set).to_owned(),
                stack_id: out.stack_id().unwrap_or(stack).to_owned(),
                status: out
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                status_reason: out.status_reason().map(str::to_owned),
                execution_status: out
                    .execution_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                changes,
                parameters,
            });
        }
        next = out.next_token().map(str::to_owned);
    }
}

/// Waits until the change set is created or failed, polling with backoff
/// (1 s growing to 5 s), for at most `timeout`.
pub async fn wait_ready(
    clients: &Clients,
    stack: &str,
    change_set: &str,
    timeout: Duration,
) -> Result<Described, DeployError> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(500);
    loop {
        let d = describe(clients, stack, change_set).await?;
        if matches!(
            d.status.as_str(),
            "CREATE_COMPLETE" | "FAILED" | "DELETE_COMPLETE"
        ) {
            return Ok(d);
        }
        if start.elapsed() >= timeout {
            return Err(DeployError::Timeout {
                what: format!(
                    "change set {change_set:?} to be created (status {})",
                    d.status
                ),
                seconds: timeout.as_secs(),
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay.mul_f32(1.6)).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_names_its_template_path() {
        let f = ValidationFinding {
            name: "AWS::EarlyValidation::PropertyValidation".into(),
            status: "FAILED".into(),
            reason: "BucketName is too long".into(),
            path: Some("/Resources/Data/Properties/BucketName".into()),
            logical_id: Some("Data".into()),
        };
        assert_eq!(
            f.line(),
            "/Resources/Data/Properties/BucketName: BucketName is too long [AWS::EarlyValidation::PropertyValidation FAILED]"
        );
    }

    #[test]
    fn both_no_change_forms_are_recognised() {
        assert!(is_no_change(
            "The submitted information didn't contain changes. Submit different information to create a change set."
        ));
        assert!(is_no_change("No updates are to be performed."));
        assert!(!is_no_change(
            "Template format error: Unresolved resource dependencies [X]"
        ));
    }
}
