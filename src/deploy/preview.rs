//! A read-only change set for `hagen diff --changeset`: CloudFormation's own
//! verdict on what would change and what would be replaced, without
//! executing anything. The change set is always deleted afterwards.
//!
//! Owns that create-describe-delete round trip; the comparison of templates
//! is `super::diff`, the review judgement `super::review`.

use std::time::Duration;

use indexmap::IndexMap;

use super::aws::Clients;
use super::capabilities;
use super::changeset::{self, ChangeSetSpec, CreateResult, TemplateSource};
use super::document::Document;
use super::error::DeployError;
use super::naming;
use super::params;
use super::review::{Review, parameter_changes};
use super::run::Synthesized;
use super::stack::StackInfo;
use super::upload;

/// What CloudFormation says about updating a stack to a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    /// Nothing would change.
    NoChanges,
    /// These changes, reviewed.
    Changes(Review),
}

/// Creates a change set updating `info`'s stack to `template`, reads it,
/// and deletes it again (also when reading fails).
pub async fn preview(
    clients: &Clients,
    info: &StackInfo,
    template: Synthesized<'_>,
    parameters: &IndexMap<String, String>,
    bucket: Option<&str>,
    deployed: Option<&Document>,
) -> Result<Preview, DeployError> {
    let stack = info.name.as_str();
    let plan = params::plan_parameters(template.template, parameters, Some(&info.parameter_keys))?;
    let source = if template.body.len() > upload::MAX_INLINE_BYTES {
        let Some(bucket) = bucket else {
            return Err(DeployError::Usage(format!(
                "the template is {} bytes, over the inline limit of {}: pass --bucket NAME for the change set",
                template.body.len(),
                upload::MAX_INLINE_BYTES
            )));
        };
        TemplateSource::Url(upload::upload(clients, bucket, stack, template.body).await?)
    } else {
        TemplateSource::Body(template.body.to_owned())
    };
    let name = naming::diff_change_set_name(stack);
    changeset::delete_if_present(clients, stack, &name).await?;
    let spec = ChangeSetSpec {
        stack: stack.to_owned(),
        name: name.clone(),
        creates: false,
        template: source,
        parameters: plan,
        capabilities: capabilities::required(template.template),
        tags: None,
        notification_arns: None,
        token: naming::request_token(stack, "diff"),
        description: "Read-only preview by hagen diff (never executed)".into(),
        rollback_configuration: None,
        role_arn: None,
        revert_drift: false,
        import_existing: false,
    };
    let created = match changeset::create(clients, &spec).await? {
        CreateResult::NoChanges => return Ok(Preview::NoChanges),
        CreateResult::Created(c) => c,
    };
    let described =
        changeset::wait_ready(clients, stack, &created.id, Duration::from_secs(600)).await;
    let cleanup = changeset::delete(clients, stack, &created.id).await;
    let described = described?;
    cleanup?;
    if described.is_no_change() {
        return Ok(Preview::NoChanges);
    }
    if described.status != "CREATE_COMPLETE" {
        return Err(DeployError::TemplateRejected {
            message: described
                .status_reason
                .unwrap_or_else(|| described.status.clone()),
        });
    }
    let new = Document::from_template(template.template);
    Ok(Preview::Changes(Review::assess(
        &described.changes,
        deployed,
        &new,
        &[],
        parameter_changes(&info.parameters, &described.parameters),
    )))
}
