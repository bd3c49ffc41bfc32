//! Reading a stack: its status, parameters and outputs, its template, and
//! the failure reasons of its last operation.
//!
//! Owns the DescribeStacks / ListStackResources / GetTemplate /
//! DescribeStackEvents reads that deploy and the lifecycle commands share;
//! it changes nothing.

use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{StackResourceSummary, TemplateStage};

use super::aws::Clients;
use super::error::DeployError;
use super::events::{Failure, is_missing_stack};
use super::outputs::StackOutput;

/// What a deploy needs to know about an existing stack.
#[derive(Debug, Clone, PartialEq)]
pub struct StackInfo {
    /// Its ARN.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its status, as a string.
    pub status: String,
    /// The reason for the status, when given.
    pub status_reason: Option<String>,
    /// The names of the parameters it was deployed with.
    pub parameter_keys: Vec<String>,
    /// Those parameters with their values (`****` for NoEcho ones).
    pub parameters: Vec<(String, String)>,
    /// Its outputs.
    pub outputs: Vec<StackOutput>,
    /// Its stack tags, as key and value.
    pub tags: Vec<(String, String)>,
    /// When it last changed.
    pub last_updated: Option<DateTime>,
    /// What its last drift detection found (`DRIFTED`, `IN_SYNC`,
    /// `NOT_CHECKED`), when one ran.
    pub drift_status: Option<String>,
    /// Whether termination protection is on.
    pub termination_protection: bool,
}

/// The stack called `stack` (name or ID), or `None` when there is none.
pub async fn describe(clients: &Clients, stack: &str) -> Result<Option<StackInfo>, DeployError> {
    let out = match clients.cfn.describe_stacks().stack_name(stack).send().await {
        Ok(out) => out,
        Err(e) if is_missing_stack(&e) => return Ok(None),
        Err(e) => {
            return Err(DeployError::aws(
                format!("DescribeStacks for stack {stack:?}"),
                &e,
            ));
        }
    };
    let Some(s) = out.stacks().first() else {
        return Ok(None);
    };
    let status = s
        .stack_status()
        .map(|x| x.as_str().to_owned())
        .unwrap_or_default();
    if status == "DELETE_COMPLETE" {
        return Ok(None);
    }
    Ok(Some(StackInfo {
        id: s.stack_id().unwrap_or(stack).to_owned(),
        name: s.stack_name().unwrap_or(stack).to_owned(),
        status,
        status_reason: s.stack_status_reason().map(str::to_owned),
        parameter_keys: s
            .parameters()
            .iter()
            .filter_map(|p| p.parameter_key().map(str::to_owned))
            .collect(),
        parameters: s
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
            .collect(),
        outputs: s
            .outputs()
            .iter()
            .map(|o| StackOutput {
                key: o.output_key().unwrap_or_default().to_owned(),
                value: o.output_value().unwrap_or_default().to_owned(),
                description: o.description().map(str::to_owned),
                export_name: o.export_name().map(str::to_owned),
            })
            .collect(),
        tags: s
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_owned(),
                    t.value().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        last_updated: s.last_updated_time().or(s.creation_time()).copied(),
        drift_status: s
            .drift_information()
            .and_then(|d| d.stack_drift_status())
            .map(|d| d.as_str().to_owned()),
        termination_protection: s.enable_termination_protection().unwrap_or(false),
    }))
}

/// Every resource of the stack (ListStackResources, all pages), in the
/// order CloudFormation lists them; `None` when there is no such stack.
pub async fn resources(
    clients: &Clients,
    stack: &str,
) -> Result<Option<Vec<StackResourceSummary>>, DeployError> {
    let mut all = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = match clients
            .cfn
            .list_stack_resources()
            .stack_name(stack)
            .set_next_token(next.take())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if is_missing_stack(&e) => return Ok(None),
            Err(e) => {
                return Err(DeployError::aws(
                    format!("ListStackResources for stack {stack:?}"),
                    &e,
                ));
            }
        };
        all.extend(out.stack_resource_summaries().iter().cloned());
        match out.next_token().filter(|t| !t.is_empty()) {
            Some(t) => next = Some(t.to_owned()),
            None => return Ok(Some(all)),
        }
    }
}

/// The template of a stack (or of one of its change sets), as submitted.
pub async fn template(
    clients: &Clients,
    stack: &str,
    change_set: Option<&str>,
) -> Result<Option<String>, DeployError> {
    let out = clients
        .cfn
        .get_template()
        .stack_name(stack)
        .set_change_set_name(change_set.map(str::to_owned))
        .template_stage(TemplateStage::Original)
        .send()
        .await;
    match out {
        Ok(out) => Ok(out.template_body().map(str::to_owned)),
        Err(e) if is_missing_stack(&e) => Ok(None),
        Err(e) => Err(DeployError::aws(
            format!("GetTemplate for stack {stack:?}"),
            &e,
        )),
    }
}

/// The resource failures of the stack's most recent operation (from its
/// newest page of events), oldest first, for explaining a failed state.
pub async fn recent_failures(clients: &Clients, stack: &str) -> Vec<Failure> {
    let Ok(out) = clients
        .cfn
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
    else {
        return Vec::new();
    };
    let mut failures: Vec<Failure> = out
        .stack_events()
        .iter()
        .filter(|e| {
            e.resource_status()
                .is_some_and(|s| s.as_str().ends_with("_FAILED"))
                && e.resource_type() != Some("AWS::CloudFormation::Stack")
        })
        .map(|e| Failure {
            logical_id: e.logical_resource_id().unwrap_or("?").to_owned(),
            resource_type: e.resource_type().unwrap_or("?").to_owned(),
            status: e
                .resource_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            reason: e.resource_status_reason().unwrap_or_default().to_owned(),
        })
        .collect();
    failures.reverse();
    failures
}
