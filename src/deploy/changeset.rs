//! Change sets: create one (after deleting an old one of the same name),
//! wait for it with backoff, read its changes, recognise "no changes" in
//! both forms AWS uses, and delete it.
//!
//! Owns the change-set calls; what to do with the result is
//! `super::run`'s business.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{Capability as SdkCapability, ChangeSetType, Parameter, Tag};
use indexmap::IndexMap;

use super::aws::Clients;
use super::capabilities::Capability;
use super::error::{DeployError, service_error};
use super::events::is_missing_stack;
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
            Err(e) if is_missing_stack(&e) => return Ok(()),
            Err(e) => {
                return Err(DeployError::aws(
                    format!("ListChangeSets of stack {stack:?}"),
                    &e,
                ));
            }
        };
        let found = out.summaries().iter().find(|s| {
            s.change_set_name() == Some(name)
                && (s.stack_name() == Some(stack) || s.stack_id() == Some(stack))
        });
        if let Some(summary) = found {
            let id = summary.change_set_id().unwrap_or(name).to_owned();
            return delete(clients, stack, &id).await;
        }
        match out.next_token() {
            Some(t) => next = Some(t.to_owned()),
            None => return Ok(()),
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
