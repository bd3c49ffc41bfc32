//! `hagen destroy`: deleting a stack after a review of what goes and what
//! stays, with a confirmation that names the stack, termination protection
//! respected, the deletion watched, and a `DELETE_FAILED` explained with
//! the way out.
//!
//! Owns the review of a deletion (each resource's fate from its
//! `DeletionPolicy` and the stack's resource list) and the order of the
//! deletion's steps. The prompt and the event watcher are the deploy's
//! ([`Deployer`]); exit codes are the CLI's.

use serde::Serialize;

use super::aws::Clients;
use super::console::{Console, Interrupt, Style};
use super::document::Document;
use super::error::DeployError;
use super::events::{EventCursor, Failure, WatchEnd, WatchOptions};
use super::naming;
use super::run::{DeployRequest, Deployer};
use super::stack;
use super::stateful;

/// What a deletion does to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// Deleted with the stack.
    Delete,
    /// Left in the account, outside any stack (`DeletionPolicy: Retain` or
    /// `RetainExceptOnCreate`, or `--retain`).
    Keep,
    /// Deleted after CloudFormation takes a final snapshot, which stays.
    Snapshot,
}

/// One resource of the stack and what its deletion does to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Planned {
    /// Logical ID.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Physical ID (the name or ARN to find a kept resource by later).
    pub physical_id: Option<String>,
    /// Its current status.
    pub status: String,
    /// What happens to it.
    pub fate: Fate,
    /// Why: the deletion policy, CloudFormation's default, or `--retain`.
    pub why: String,
    /// What is lost with it, for a stateful resource that is deleted.
    pub loses: Option<String>,
    /// How to find the final snapshot once the stack is gone.
    pub find_snapshot: Option<String>,
}

/// Every resource of a stack with its fate: what `hagen destroy` shows
/// before it asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestroyReview {
    /// The stack.
    pub stack: String,
    /// Its status.
    pub status: String,
    /// Its resources, in the order ListStackResources gave them.
    pub resources: Vec<Planned>,
}

/// A resource as ListStackResources lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Logical ID.
    pub logical_id: String,
    /// Type.
    pub resource_type: String,
    /// Physical ID, when it has one.
    pub physical_id: Option<String>,
    /// Status.
    pub status: String,
}

/// The `aws` command that lists the snapshots a `Snapshot` deletion policy
/// leaves of `physical_id`, for the types CloudFormation snapshots.
/// CloudFormation documents that it takes the snapshot, not how it names
/// it, so hagen says where to look rather than guess a name.
fn snapshot_lookup(resource_type: &str, physical_id: &str) -> Option<String> {
    let command = match resource_type {
        "AWS::RDS::DBInstance" => "aws rds describe-db-snapshots --db-instance-identifier",
        "AWS::RDS::DBCluster" => "aws rds describe-db-cluster-snapshots --db-cluster-identifier",
        "AWS::Neptune::DBCluster" => {
            "aws neptune describe-db-cluster-snapshots --db-cluster-identifier"
        }
        "AWS::Redshift::Cluster" => "aws redshift describe-cluster-snapshots --cluster-identifier",
        "AWS::ElastiCache::CacheCluster" => "aws elasticache describe-snapshots --cache-cluster-id",
        "AWS::ElastiCache::ReplicationGroup" => {
            "aws elasticache describe-snapshots --replication-group-id"
        }
        "AWS::EC2::Volume" => {
            return Some(format!(
                "aws ec2 describe-snapshots --filters Name=volume-id,Values={physical_id}"
            ));
        }
        _ => return None,
    };
    Some(format!("{command} {physical_id}"))
}

/// What deleting a stateful resource loses: the deploy's stateful list
/// ([`stateful::risk`]), reworded for the few types where it speaks of a
/// replacement rather than a deletion.
fn lost_on_delete(resource_type: &str) -> Option<&'static str> {
    match resource_type {
        "AWS::S3::Bucket" => Some(
            "bucket: its objects go with it (CloudFormation cannot delete a bucket that still holds objects: the deletion fails until it is emptied)",
        ),
        "AWS::EC2::EIP" => Some(
            "Elastic IP: the address is released, breaking DNS records and allow-lists that use it",
        ),
        "AWS::Route53::HostedZone" => {
            Some("hosted zone: its records go with it, and delegation to its name servers breaks")
        }
        other => stateful::risk(other),
    }
}

/// The deletion policy a resource has: its own `DeletionPolicy`, else
/// CloudFormation's default (`Snapshot` for an RDS DB cluster, and for a DB
/// instance outside a cluster; `Delete` for everything else). The second
/// value says where the policy comes from.
fn policy(doc: Option<&Document>, logical_id: &str, resource_type: &str) -> (String, String) {
    let declared = doc.and_then(|d| d.resource(logical_id));
    if let Some(value) = declared.and_then(|r| r.get("DeletionPolicy")) {
        return match value.as_str() {
            Some(p) => (p.to_owned(), format!("DeletionPolicy {p}")),
            None => (
                "Delete".to_owned(),
                "DeletionPolicy not a plain value (read as Delete)".to_owned(),
            ),
        };
    }
    let in_cluster = declared
        .and_then(|r| r.get("Properties"))
        .and_then(|p| p.get("DBClusterIdentifier"))
        .is_some();
    let snapshot_by_default = resource_type == "AWS::RDS::DBCluster"
        || (resource_type == "AWS::RDS::DBInstance" && !in_cluster);
    if snapshot_by_default {
        (
            "Snapshot".to_owned(),
            "no DeletionPolicy: CloudFormation's default for this type is Snapshot".to_owned(),
        )
    } else if doc.is_none() {
        (
            "Delete".to_owned(),
            "deployed template unreadable: policy unknown".to_owned(),
        )
    } else {
        ("Delete".to_owned(), "no DeletionPolicy".to_owned())
    }
}

impl DestroyReview {
    /// The fate of every resource of `stack`: from the deployed template's
    /// deletion policies (`doc`, `None` when it could not be read), the
    /// listed resources, and the logical IDs the user retains.
    pub fn assess(
        stack: &str,
        status: &str,
        doc: Option<&Document>,
        listed: &[Listed],
        retain: &[String],
    ) -> DestroyReview {
        let resources = listed
            .iter()
            // Already deleted by an earlier, failed attempt.
            .filter(|r| r.status != "DELETE_COMPLETE")
            .map(|r| {
                let (policy, source) = policy(doc, &r.logical_id, &r.resource_type);
                let (fate, why) = if retain.contains(&r.logical_id) {
                    (Fate::Keep, "--retain".to_owned())
                } else if r.status == "DELETE_SKIPPED" {
                    (Fate::Keep, "already skipped by CloudFormation".to_owned())
                } else {
                    match policy.as_str() {
                        "Retain" | "RetainExceptOnCreate" => (Fate::Keep, source),
                        "Snapshot" => (Fate::Snapshot, source),
                        _ => (Fate::Delete, source),
                    }
                };
                let loses = (fate == Fate::Delete)
                    .then(|| lost_on_delete(&r.resource_type))
                    .flatten()
                    .map(str::to_owned);
                let find_snapshot = (fate == Fate::Snapshot)
                    .then(|| {
                        r.physical_id
                            .as_deref()
                            .and_then(|id| snapshot_lookup(&r.resource_type, id))
                    })
                    .flatten();
                Planned {
                    logical_id: r.logical_id.clone(),
                    resource_type: r.resource_type.clone(),
                    physical_id: r.physical_id.clone(),
                    status: r.status.clone(),
                    fate,
                    why,
                    loses,
                    find_snapshot,
                }
            })
            .collect();
        DestroyReview {
            stack: stack.to_owned(),
            status: status.to_owned(),
            resources,
        }
    }

    /// Whether a stateful resource is deleted without a snapshot: then the
    /// confirmation is the stack name typed, not y.
    pub fn deletes_stateful(&self) -> bool {
        self.resources
            .iter()
            .any(|r| r.fate == Fate::Delete && r.loses.is_some())
    }

    /// The resources with this fate.
    pub fn with(&self, fate: Fate) -> impl Iterator<Item = &Planned> {
        self.resources.iter().filter(move |r| r.fate == fate)
    }

    /// The review as text: what is deleted, then what is snapshotted, then
    /// what is kept, one resource a line with the detail under it.
    pub fn render(&self) -> String {
        let width = self
            .resources
            .iter()
            .map(|r| r.logical_id.len())
            .max()
            .unwrap_or(0);
        let type_width = self
            .resources
            .iter()
            .map(|r| r.resource_type.len())
            .max()
            .unwrap_or(0);
        let mut text = String::new();
        let groups = [
            (Fate::Delete, "Deleted"),
            (
                Fate::Snapshot,
                "Deleted after a final snapshot (the snapshot stays)",
            ),
            (Fate::Keep, "Kept (left in the account, outside any stack)"),
        ];
        for (fate, heading) in groups {
            let members: Vec<&Planned> = self.with(fate).collect();
            if members.is_empty() {
                continue;
            }
            text.push_str(&format!("{heading}: {}\n", members.len()));
            for r in members {
                let physical = r.physical_id.as_deref().unwrap_or("(no physical ID)");
                text.push_str(&format!(
                    "  {:<width$}  {:<type_width$}  {physical}\n",
                    r.logical_id, r.resource_type
                ));
                text.push_str(&format!("      {}\n", r.why));
                if let Some(loses) = &r.loses {
                    text.push_str(&format!("      stateful, lost with it: {loses}\n"));
                }
                if fate == Fate::Snapshot {
                    match &r.find_snapshot {
                        Some(find) => text.push_str(&format!(
                            "      CloudFormation names the snapshot itself; find it with: {find}\n"
                        )),
                        None => text.push_str(
                            "      CloudFormation names the snapshot itself; it stays until you delete it\n",
                        ),
                    }
                }
            }
        }
        if self.resources.is_empty() {
            text.push_str("The stack holds no resources.\n");
        }
        text
    }
}

/// What the user asked `hagen destroy` to do.
#[derive(Debug, Clone)]
pub struct DestroyRequest {
    /// The stack (name or ID).
    pub stack_name: String,
    /// `--yes`: delete without asking.
    pub assume_yes: bool,
    /// `--retain LOGICAL_ID`: resources to leave in place (only for a stack
    /// in `DELETE_FAILED`).
    pub retain: Vec<String>,
    /// Polling and patience while watching.
    pub watch: WatchOptions,
    /// Catch Ctrl-C during the prompt and the deletion (the CLI sets it;
    /// tests trigger the interrupt themselves).
    pub catch_ctrl_c: bool,
    /// Flags that make a printed `aws` command reach the same account,
    /// region and endpoint (` --profile p --region r`).
    pub aws_flags: String,
    /// The `hagen destroy` command line up to `--retain`, for the retry
    /// printed after a `DELETE_FAILED`.
    pub retry_command: String,
}

impl DestroyRequest {
    /// A request for `stack_name` with every option at its default.
    pub fn new(stack_name: impl Into<String>) -> Self {
        let stack_name = stack_name.into();
        DestroyRequest {
            retry_command: format!("hagen destroy {stack_name}"),
            stack_name,
            assume_yes: false,
            retain: Vec::new(),
            watch: WatchOptions::default(),
            catch_ctrl_c: false,
            aws_flags: String::new(),
        }
    }
}

/// How a destroy ended (errors aside). Serialized as the `outcome` record
/// of `--format json`, its kind in `outcome`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DestroyOutcome {
    /// The stack is gone (`DELETE_COMPLETE`).
    Deleted {
        /// The resources left in the account, with their physical IDs.
        kept: Vec<Planned>,
    },
    /// There was no such stack: nothing to delete.
    Absent,
    /// The user said no.
    Declined,
    /// No terminal to confirm on and no `--yes`.
    NeedsConfirmation,
    /// Termination protection is on.
    Protected {
        /// The command that turns it off.
        command: String,
    },
    /// Another operation (not a delete) is running on the stack.
    Busy {
        /// Its status.
        status: String,
    },
    /// The deletion failed: the stack is `DELETE_FAILED`.
    Failed {
        /// The final status.
        status: String,
        /// The resources that blocked it and why.
        failures: Vec<Failure>,
        /// The command that retries, retaining them.
        retry_command: String,
    },
    /// Ctrl-C: at the prompt (nothing was deleted) or while watching (the
    /// deletion continues).
    Interrupted,
}

/// Every resource of the stack (ListStackResources, all pages).
pub async fn list_resources(clients: &Clients, stack: &str) -> Result<Vec<Listed>, DeployError> {
    let all = super::stack::resources(clients, stack)
        .await?
        .unwrap_or_default();
    Ok(all
        .iter()
        .map(|r| Listed {
            logical_id: r.logical_resource_id().unwrap_or("?").to_owned(),
            resource_type: r.resource_type().unwrap_or("?").to_owned(),
            physical_id: r
                .physical_resource_id()
                .filter(|p| !p.is_empty())
                .map(str::to_owned),
            status: r
                .resource_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
        })
        .collect())
}

/// Deletes the stack of `request`: review, confirmation, DeleteStack,
/// events until it is gone or `DELETE_FAILED`.
pub async fn destroy(
    clients: &Clients,
    console: &mut Console,
    interrupt: Interrupt,
    request: &DestroyRequest,
) -> Result<DestroyOutcome, DeployError> {
    let stack = request.stack_name.as_str();
    let mut deploy_request = DeployRequest::new(stack);
    deploy_request.watch = request.watch;
    deploy_request.catch_ctrl_c = request.catch_ctrl_c;
    let mut d = Deployer::new(clients, console, interrupt);
    d.begin(&deploy_request);
    let Some(found) = super::stack::describe(clients, stack).await? else {
        d.console()
            .say(format!("Stack {stack} does not exist: nothing to delete."));
        return Ok(DestroyOutcome::Absent);
    };
    if !request.retain.is_empty() && found.status != "DELETE_FAILED" {
        return Err(DeployError::Usage(format!(
            "--retain is only for a stack in DELETE_FAILED (CloudFormation refuses RetainResources otherwise), and stack {stack} is {}; nothing was deleted",
            found.status
        )));
    }
    if found.status == "DELETE_IN_PROGRESS" {
        d.console().say(format!(
            "Stack {stack} is already being deleted (DELETE_IN_PROGRESS): following it."
        ));
        let cursor = EventCursor::start(clients, &found.id, None).await?;
        let end = d.watch(cursor, None, false).await?;
        return Ok(ended(clients, &mut d, request, end, Vec::new()).await);
    }
    if found.status.ends_with("_IN_PROGRESS") {
        d.console().warn(format!(
            "Stack {stack} is {}: another operation is running. Nothing was deleted; run hagen destroy again when it has finished (follow it: aws cloudformation describe-stack-events --stack-name {stack}{}).",
            found.status, request.aws_flags
        ));
        return Ok(DestroyOutcome::Busy {
            status: found.status,
        });
    }
    if found.termination_protection {
        let command = format!(
            "aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name {stack}{}",
            request.aws_flags
        );
        let text = format!(
            "Stack {stack} has termination protection: CloudFormation refuses to delete it. Nothing was deleted."
        );
        let painted = d.console().paint(&text, Style::Danger);
        d.console().say(painted);
        d.console().say(format!(
            "  If it really is to go, lift the protection, then run hagen destroy again:\n  {command}"
        ));
        return Ok(DestroyOutcome::Protected { command });
    }
    let text = stack::template(clients, &found.id, None).await?;
    let doc = match text.as_deref().map(Document::parse) {
        Some(Ok(doc)) => Some(doc),
        Some(Err(e)) => {
            d.console().warn(format!(
                "warning: could not read the deployed template of {stack} ({e}); deletion policies are unknown, every resource is shown as deleted"
            ));
            None
        }
        None => None,
    };
    let listed = list_resources(clients, &found.id).await?;
    let review =
        DestroyReview::assess(stack, &found.status, doc.as_ref(), &listed, &request.retain);
    let heading = format!(
        "Deleting stack {stack} ({}): {} resource{}",
        found.status,
        review.resources.len(),
        if review.resources.len() == 1 { "" } else { "s" }
    );
    let painted = d.console().paint(&heading, Style::Strong);
    d.console().say(painted);
    let rendered = review.render();
    d.console().say(rendered.trim_end());
    d.console().record_of("review", &review);
    let typed = review.deletes_stateful();
    if !request.assume_yes {
        let question = if typed {
            format!("Delete stack {stack} and the stateful resources listed above with their data?")
        } else {
            format!("Delete stack {stack}?")
        };
        if !d.console().prompt.interactive() {
            d.console().say(format!(
                "{question} Not asked: no terminal to confirm on. Nothing was deleted; pass --yes to delete without asking (CI)."
            ));
            return Ok(DestroyOutcome::NeedsConfirmation);
        }
        if typed {
            let text = "Stateful resources are deleted without a snapshot (listed above).";
            let painted = d.console().paint(text, Style::Warning);
            d.console().say(painted);
        }
        let approved = d.ask(&question, typed.then_some(stack)).await?;
        if d.interrupted_at_prompt() {
            return Ok(DestroyOutcome::Interrupted);
        }
        if !approved {
            d.console()
                .say(format!("Not deleted: stack {stack} is unchanged."));
            return Ok(DestroyOutcome::Declined);
        }
    }
    let token = naming::request_token(stack, "destroy");
    let cursor = EventCursor::start(clients, &found.id, Some(token.clone())).await?;
    clients
        .cfn
        .delete_stack()
        .stack_name(&found.id)
        .client_request_token(&token)
        .set_retain_resources((!request.retain.is_empty()).then(|| request.retain.clone()))
        .send()
        .await
        .map_err(|e| DeployError::aws(format!("DeleteStack {stack:?}"), &e))?;
    d.console().say(format!("Deleting stack {stack}..."));
    let total = u64::try_from(
        review
            .resources
            .iter()
            .filter(|r| r.fate != Fate::Keep)
            .count(),
    )
    .ok()
    .filter(|n| *n > 0);
    let end = d.watch(cursor, total, true).await?;
    let kept: Vec<Planned> = review.with(Fate::Keep).cloned().collect();
    Ok(ended(clients, &mut d, request, end, kept).await)
}

/// What the end of a watched deletion means, said to the user.
async fn ended(
    clients: &Clients,
    d: &mut Deployer<'_>,
    request: &DestroyRequest,
    end: WatchEnd,
    kept: Vec<Planned>,
) -> DestroyOutcome {
    let stack = request.stack_name.as_str();
    let flags = &request.aws_flags;
    match end {
        WatchEnd::Gone => {
            let text = format!("Stack {stack}: DELETE_COMPLETE");
            let painted = d.console().paint(&text, Style::Good);
            d.console().say(painted);
            for r in &kept {
                d.console().say(format!(
                    "  kept: {} ({}) {}",
                    r.logical_id,
                    r.resource_type,
                    r.physical_id.as_deref().unwrap_or("(no physical ID)")
                ));
            }
            DestroyOutcome::Deleted { kept }
        }
        WatchEnd::Interrupted => {
            let heading = format!(
                "Stopped watching. The deletion of stack {stack} continues in CloudFormation."
            );
            let painted = d.console().paint(&heading, Style::Warning);
            d.console().say(painted);
            d.console().say(format!(
                "  follow it: hagen destroy {stack} again (it follows a deletion in progress), or aws cloudformation describe-stack-events --stack-name {stack}{flags}"
            ));
            DestroyOutcome::Interrupted
        }
        WatchEnd::Settled { status, reason } => {
            let mut failures: Vec<Failure> = d
                .last_failures()
                .iter()
                .filter(|f| f.status == "DELETE_FAILED")
                .cloned()
                .collect();
            if failures.is_empty() {
                failures = stack::recent_failures(clients, stack)
                    .await
                    .into_iter()
                    .filter(|f| f.status == "DELETE_FAILED")
                    .collect();
            }
            let heading = format!("Stack {stack} ended {status}.");
            let painted = d.console().paint(&heading, Style::Danger);
            d.console().say(painted);
            if let Some(r) = reason {
                d.console().say(format!("Stack status reason: {r}"));
            }
            if !failures.is_empty() {
                d.console().say(format!(
                    "Blocked by {} resource{}:",
                    failures.len(),
                    if failures.len() == 1 { "" } else { "s" }
                ));
                for f in &failures {
                    let reason = if f.reason.is_empty() {
                        "(no reason given)"
                    } else {
                        &f.reason
                    };
                    d.console().say(format!(
                        "  - {} ({}): {reason}",
                        f.logical_id, f.resource_type
                    ));
                }
            }
            let retain: String = failures
                .iter()
                .map(|f| format!(" --retain {}", f.logical_id))
                .collect();
            let retry_command = format!("{}{retain}", request.retry_command);
            d.console().say("The way out, either:");
            d.console().say(format!(
                "  - keep them (left in the account, outside any stack) and delete the rest: {retry_command}"
            ));
            d.console().say(format!(
                "  - or fix what blocks them (the reasons above) and run again: {}",
                request.retry_command
            ));
            DestroyOutcome::Failed {
                status,
                failures,
                retry_command,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(id: &str, ty: &str, physical: &str) -> Listed {
        Listed {
            logical_id: id.into(),
            resource_type: ty.into(),
            physical_id: Some(physical.into()),
            status: "CREATE_COMPLETE".into(),
        }
    }

    fn doc(yaml: &str) -> Document {
        Document::parse(yaml).expect("a template")
    }

    #[test]
    fn each_deletion_policy_has_its_fate() {
        let d = doc("Resources:
  Logs:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
  Data:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: RetainExceptOnCreate
  Disk:
    Type: AWS::EC2::Volume
    DeletionPolicy: Snapshot
  Db:
    Type: AWS::RDS::DBInstance
  Member:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: c1
  Queue:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
");
        let review = DestroyReview::assess(
            "web",
            "CREATE_COMPLETE",
            Some(&d),
            &[
                listed("Logs", "AWS::S3::Bucket", "web-logs"),
                listed("Data", "AWS::DynamoDB::Table", "web-data"),
                listed("Disk", "AWS::EC2::Volume", "vol-1"),
                listed("Db", "AWS::RDS::DBInstance", "db-1"),
                listed("Member", "AWS::RDS::DBInstance", "db-2"),
                listed("Queue", "AWS::SQS::Queue", "https://q"),
                listed("Topic", "AWS::SNS::Topic", "arn:t"),
            ],
            &[],
        );
        let fate = |id: &str| {
            review
                .resources
                .iter()
                .find(|r| r.logical_id == id)
                .map(|r| r.fate)
        };
        assert_eq!(fate("Logs"), Some(Fate::Keep));
        assert_eq!(fate("Data"), Some(Fate::Keep));
        assert_eq!(fate("Disk"), Some(Fate::Snapshot));
        assert_eq!(fate("Db"), Some(Fate::Snapshot), "RDS's default policy");
        assert_eq!(fate("Member"), Some(Fate::Delete), "a cluster member");
        assert_eq!(fate("Queue"), Some(Fate::Delete));
        assert!(
            review.deletes_stateful(),
            "the queue and the cluster member"
        );
        let text = review.render();
        assert!(
            text.contains("aws ec2 describe-snapshots --filters Name=volume-id,Values=vol-1"),
            "{text}"
        );
        assert!(
            text.contains("aws rds describe-db-snapshots --db-instance-identifier db-1"),
            "{text}"
        );
        assert!(text.contains("Kept (left in the account"), "{text}");
        assert!(text.contains("web-logs"), "{text}");
    }

    #[test]
    fn retained_and_already_deleted_resources_are_not_deleted_again() {
        let d = doc(
            "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Topic:\n    Type: AWS::SNS::Topic\n",
        );
        let mut gone = listed("Topic", "AWS::SNS::Topic", "arn:t");
        gone.status = "DELETE_COMPLETE".into();
        let review = DestroyReview::assess(
            "web",
            "DELETE_FAILED",
            Some(&d),
            &[listed("Queue", "AWS::SQS::Queue", "https://q"), gone],
            &["Queue".to_owned()],
        );
        assert_eq!(review.resources.len(), 1);
        assert_eq!(review.resources[0].fate, Fate::Keep);
        assert_eq!(review.resources[0].why, "--retain");
        assert!(!review.deletes_stateful());
    }

    #[test]
    fn stateless_stacks_need_no_typed_confirmation() {
        let d = doc("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n");
        let review = DestroyReview::assess(
            "web",
            "CREATE_COMPLETE",
            Some(&d),
            &[listed("Topic", "AWS::SNS::Topic", "arn:t")],
            &[],
        );
        assert!(!review.deletes_stateful());
        assert!(review.render().starts_with("Deleted: 1\n"));
    }
}
