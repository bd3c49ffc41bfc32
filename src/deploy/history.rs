//! A stack's past operations, for `hagen events`: its events grouped by
//! the operation (create, update, delete, rollback) they belong to.
//!
//! CloudFormation's `DescribeEvents` tags every event with its operation's
//! ID and type; that is the grouping used whenever the endpoint answers it.
//! An endpoint without that call (an older region or partition, a policy
//! that does not allow it, an emulator) gets the same grouping rebuilt from
//! `DescribeStackEvents`: an operation starts at the stack's own
//! `*_IN_PROGRESS` event that a user initiated (or that only starts an
//! operation, such as `UPDATE_IN_PROGRESS`). Owns the fetching, the
//! grouping and the order events are shown in; it changes nothing.

use std::collections::HashMap;

use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{OperationEvent, ResourceStatus, StackEvent};

use super::aws::Clients;
use super::error::DeployError;
use super::status;

/// Longest page walk for one history (100 events a page).
const MAX_PAGES: usize = 20;

/// The type of the stack itself in its events.
const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

/// The stack whose events are read: its name (stack-level events carry it
/// as their logical ID) and ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackRef {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub id: String,
}

impl StackRef {
    /// Whether `e` is an event of the stack itself (not of a resource, nor
    /// of a nested stack).
    pub fn owns(&self, e: &StackEvent) -> bool {
        e.resource_type() == Some(STACK_TYPE)
            && (e.logical_resource_id() == Some(self.name.as_str())
                || e.physical_resource_id() == Some(self.id.as_str()))
    }
}

/// Where the grouping came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `DescribeEvents`: CloudFormation's own operation IDs.
    DescribeEvents,
    /// `DescribeStackEvents`, split at the stack's operation starts.
    StackEvents,
}

/// One operation on the stack and its events.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// CloudFormation's operation ID (only from `DescribeEvents`).
    pub id: Option<String>,
    /// What it was: `CREATE_STACK`, `UPDATE_STACK`, `DELETE_STACK`,
    /// `ROLLBACK`, `CONTINUE_ROLLBACK`, `CREATE_CHANGESET`, ... (from
    /// `DescribeEvents`, or from the status it started with).
    pub kind: String,
    /// Its events, oldest first.
    pub events: Vec<StackEvent>,
}

/// Whether an event reports a failure (a `*_FAILED` status, or one of
/// `DescribeEvents`' error event types).
pub fn is_failure(e: &StackEvent) -> bool {
    e.resource_status().is_some_and(|s| {
        let s = s.as_str();
        status::resource_failed(s) || s.ends_with("_ERROR")
    })
}

impl Operation {
    /// When its first event happened.
    pub fn started(&self) -> Option<&DateTime> {
        self.events.first().and_then(|e| e.timestamp())
    }

    /// The last status the stack itself reached in it.
    pub fn status(&self, stack: &StackRef) -> Option<String> {
        self.events
            .iter()
            .rev()
            .find(|e| stack.owns(e))
            .and_then(|e| e.resource_status())
            .map(|s| s.as_str().to_owned())
    }

    /// Its failed resources with their reasons, in time order (the stack's
    /// own events, which repeat them, left out).
    pub fn failures<'a>(&'a self, stack: &StackRef) -> Vec<&'a StackEvent> {
        self.events
            .iter()
            .filter(|e| is_failure(e) && !stack.owns(e))
            .collect()
    }

    /// Every event but the failures, in time order.
    pub fn rest<'a>(&'a self, stack: &StackRef) -> Vec<&'a StackEvent> {
        self.events
            .iter()
            .filter(|e| !is_failure(e) || stack.owns(e))
            .collect()
    }
}

/// A stack's recent operations.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The stack.
    pub stack: StackRef,
    /// Where the grouping came from.
    pub source: Source,
    /// Why `DescribeEvents` was not used, when it was not.
    pub fallback_reason: Option<String>,
    /// Its operations, newest first, at most the limit asked for.
    pub operations: Vec<Operation>,
    /// Whether older operations were left out.
    pub more: bool,
}

/// The operation type an operation's starting stack status stands for,
/// named as `DescribeEvents` names them.
pub fn kind_of_start(status: &str) -> String {
    match status {
        "CREATE_IN_PROGRESS" => "CREATE_STACK".into(),
        "UPDATE_IN_PROGRESS" => "UPDATE_STACK".into(),
        "DELETE_IN_PROGRESS" => "DELETE_STACK".into(),
        "REVIEW_IN_PROGRESS" => "CREATE_CHANGESET".into(),
        "IMPORT_IN_PROGRESS" => "IMPORT_STACK".into(),
        "ROLLBACK_IN_PROGRESS" => "ROLLBACK".into(),
        "UPDATE_ROLLBACK_IN_PROGRESS" => "CONTINUE_ROLLBACK".into(),
        other => other.trim_end_matches("_IN_PROGRESS").to_owned(),
    }
}

/// Whether a stack-level event starts an operation: an `*_IN_PROGRESS`
/// status a user initiated, or one that only ever starts one.
pub fn starts_operation(stack: &StackRef, e: &StackEvent) -> bool {
    if !stack.owns(e) {
        return false;
    }
    let status = e.resource_status().map(|s| s.as_str()).unwrap_or_default();
    if !status.ends_with("_IN_PROGRESS") {
        return false;
    }
    e.resource_status_reason() == Some("User Initiated")
        || matches!(
            status,
            "CREATE_IN_PROGRESS"
                | "UPDATE_IN_PROGRESS"
                | "DELETE_IN_PROGRESS"
                | "IMPORT_IN_PROGRESS"
                | "REVIEW_IN_PROGRESS"
        )
}

/// Splits `events` (newest first, as `DescribeStackEvents` lists them) into
/// operations, newest first. With `complete`, the oldest event is the
/// stack's first; otherwise events before the oldest start seen belong to
/// an operation cut off by the page limit and are left out.
pub fn split_at_starts(stack: &StackRef, events: &[StackEvent], complete: bool) -> Vec<Operation> {
    let mut operations: Vec<Operation> = Vec::new();
    let mut leading: Vec<StackEvent> = Vec::new();
    for e in events.iter().rev() {
        if starts_operation(stack, e) {
            let status = e.resource_status().map(|s| s.as_str()).unwrap_or_default();
            operations.push(Operation {
                id: None,
                kind: kind_of_start(status),
                events: vec![e.clone()],
            });
        } else if let Some(current) = operations.last_mut() {
            current.events.push(e.clone());
        } else {
            leading.push(e.clone());
        }
    }
    if complete && !leading.is_empty() {
        let kind = leading
            .iter()
            .find(|e| stack.owns(e))
            .and_then(|e| e.resource_status())
            .map(|s| kind_of_start(s.as_str()))
            .unwrap_or_else(|| "UNKNOWN".into());
        operations.insert(
            0,
            Operation {
                id: None,
                kind,
                events: leading,
            },
        );
    }
    operations.reverse();
    operations
}

/// A `DescribeEvents` event as a stack event, so that both sources print
/// and record alike. Error events without a resource status take their
/// event type as status, and a hook's or validation's reason as reason.
pub fn as_stack_event(stack: &StackRef, e: &OperationEvent) -> StackEvent {
    let status = e
        .resource_status()
        .map(|s| s.as_str().to_owned())
        .or_else(|| e.event_type().map(|t| t.as_str().to_owned()));
    let reason = e
        .resource_status_reason()
        .or(e.hook_status_reason())
        .or(e.validation_status_reason())
        .map(str::to_owned);
    StackEvent::builder()
        .set_event_id(e.event_id().map(str::to_owned))
        .stack_id(e.stack_id().unwrap_or(&stack.id))
        .stack_name(&stack.name)
        .set_logical_resource_id(e.logical_resource_id().map(str::to_owned))
        .set_physical_resource_id(e.physical_resource_id().map(str::to_owned))
        .set_resource_type(e.resource_type().map(str::to_owned))
        .set_timestamp(e.timestamp().or(e.start_time()).copied())
        .set_resource_status(status.map(|s| ResourceStatus::from(s.as_str())))
        .set_resource_status_reason(reason)
        .set_client_request_token(e.client_request_token().map(str::to_owned))
        .build()
}

/// Groups `DescribeEvents` events by operation ID: operations newest first
/// (by their first event), events oldest first.
pub fn group_by_operation(stack: &StackRef, events: &[OperationEvent]) -> Vec<Operation> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Operation> = HashMap::new();
    for e in events {
        let id = e.operation_id().unwrap_or_default().to_owned();
        let group = groups.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            Operation {
                id: Some(id.clone()).filter(|i| !i.is_empty()),
                kind: e
                    .operation_type()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_else(|| "UNKNOWN".into()),
                events: Vec::new(),
            }
        });
        group.events.push(as_stack_event(stack, e));
    }
    let mut operations: Vec<Operation> = order
        .into_iter()
        .filter_map(|id| groups.remove(&id))
        .collect();
    for op in &mut operations {
        op.events
            .sort_by_key(|e| e.timestamp().map(|t| t.as_nanos()));
    }
    operations.sort_by_key(|op| std::cmp::Reverse(op.started().map(|t| t.as_nanos())));
    operations
}

/// The last `limit` operations on `stack`: from `DescribeEvents` when the
/// endpoint answers it, else from `DescribeStackEvents`.
pub async fn fetch(
    clients: &Clients,
    stack: &StackRef,
    limit: usize,
) -> Result<History, DeployError> {
    let limit = limit.max(1);
    let fallback_reason = match from_operation_events(clients, stack, limit).await {
        Ok(Some(history)) => return Ok(history),
        Ok(None) => "DescribeEvents returned no events".to_owned(),
        Err(why) => why,
    };
    let mut history = from_stack_events(clients, stack, limit).await?;
    history.fallback_reason = Some(fallback_reason);
    Ok(history)
}

/// The history from `DescribeEvents`, `Ok(None)` when it answered with no
/// events, `Err` with the reason when it did not answer. Asked once
/// without retries: an endpoint that lacks the call should cost one
/// request, and the fallback has the usual retries.
async fn from_operation_events(
    clients: &Clients,
    stack: &StackRef,
    limit: usize,
) -> Result<Option<History>, String> {
    let mut events: Vec<OperationEvent> = Vec::new();
    let mut next: Option<String> = None;
    let mut more = false;
    for page in 0..MAX_PAGES {
        let mut request = clients
            .cfn
            .describe_events()
            .stack_name(&stack.id)
            .set_next_token(next.take())
            .customize();
        if page == 0 {
            request = request.config_override(
                aws_sdk_cloudformation::config::Builder::default()
                    .retry_config(aws_config::retry::RetryConfig::disabled()),
            );
        }
        let out = match request.send().await {
            Ok(out) => out,
            Err(e) if page == 0 => return Err(DeployError::aws("DescribeEvents", &e).to_string()),
            Err(e) => {
                return Err(format!(
                    "{} (on a later page)",
                    DeployError::aws("DescribeEvents", &e)
                ));
            }
        };
        events.extend(out.operation_events().iter().cloned());
        let operations: std::collections::HashSet<&str> =
            events.iter().filter_map(|e| e.operation_id()).collect();
        if operations.len() > limit {
            more = true;
            break;
        }
        match out.next_token().filter(|t| !t.is_empty()) {
            Some(t) => next = Some(t.to_owned()),
            None => break,
        }
        more = page + 1 == MAX_PAGES;
    }
    if events.is_empty() {
        return Ok(None);
    }
    let mut operations = group_by_operation(stack, &events);
    more |= operations.len() > limit;
    operations.truncate(limit);
    Ok(Some(History {
        stack: stack.clone(),
        source: Source::DescribeEvents,
        fallback_reason: None,
        operations,
        more,
    }))
}

/// The history from `DescribeStackEvents`, split at operation starts.
async fn from_stack_events(
    clients: &Clients,
    stack: &StackRef,
    limit: usize,
) -> Result<History, DeployError> {
    let mut events: Vec<StackEvent> = Vec::new();
    let mut next: Option<String> = None;
    let mut complete = false;
    for _ in 0..MAX_PAGES {
        let out = clients
            .cfn
            .describe_stack_events()
            .stack_name(&stack.id)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| {
                DeployError::aws(
                    format!("DescribeStackEvents for stack {:?}", stack.name),
                    &e,
                )
            })?;
        events.extend(out.stack_events().iter().cloned());
        let starts = events.iter().filter(|e| starts_operation(stack, e)).count();
        if starts > limit {
            break;
        }
        match out.next_token().filter(|t| !t.is_empty()) {
            Some(t) => next = Some(t.to_owned()),
            None => {
                complete = true;
                break;
            }
        }
    }
    let mut operations = split_at_starts(stack, &events, complete);
    let more = operations.len() > limit || !complete;
    operations.truncate(limit);
    Ok(History {
        stack: stack.clone(),
        source: Source::StackEvents,
        fallback_reason: None,
        operations,
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::types::{OperationType, ResourceStatus};

    fn web() -> StackRef {
        StackRef {
            name: "web".into(),
            id: "arn:aws:cloudformation:us-east-1:1:stack/web/1".into(),
        }
    }

    fn ev(id: &str, secs: i64, logical: &str, ty: &str, status: &str, reason: &str) -> StackEvent {
        StackEvent::builder()
            .event_id(id)
            .stack_id(web().id)
            .stack_name("web")
            .logical_resource_id(logical)
            .resource_type(ty)
            .resource_status(ResourceStatus::from(status))
            .resource_status_reason(reason)
            .timestamp(DateTime::from_secs(secs))
            .build()
    }

    fn stack_ev(id: &str, secs: i64, status: &str, reason: &str) -> StackEvent {
        ev(id, secs, "web", STACK_TYPE, status, reason)
    }

    /// A create, then an update whose subnet fails and rolls back, newest
    /// first as DescribeStackEvents lists them.
    fn create_then_failed_update() -> Vec<StackEvent> {
        let mut oldest_first = vec![
            stack_ev("1", 1, "CREATE_IN_PROGRESS", "User Initiated"),
            ev("2", 2, "Topic", "AWS::SNS::Topic", "CREATE_IN_PROGRESS", ""),
            ev("3", 3, "Topic", "AWS::SNS::Topic", "CREATE_COMPLETE", ""),
            stack_ev("4", 4, "CREATE_COMPLETE", ""),
            stack_ev("5", 10, "UPDATE_IN_PROGRESS", "User Initiated"),
            ev(
                "6",
                11,
                "Orphan",
                "AWS::EC2::Subnet",
                "CREATE_IN_PROGRESS",
                "",
            ),
            ev(
                "7",
                12,
                "Orphan",
                "AWS::EC2::Subnet",
                "CREATE_FAILED",
                "vpc does not exist",
            ),
            stack_ev("8", 13, "UPDATE_ROLLBACK_IN_PROGRESS", "failed: [Orphan]"),
            ev("9", 14, "Orphan", "AWS::EC2::Subnet", "DELETE_COMPLETE", ""),
            stack_ev("10", 15, "UPDATE_ROLLBACK_COMPLETE", ""),
        ];
        oldest_first.reverse();
        oldest_first
    }

    #[test]
    fn stack_events_split_at_user_initiated_starts_newest_first() {
        let ops = split_at_starts(&web(), &create_then_failed_update(), true);
        let kinds: Vec<&str> = ops.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(kinds, ["UPDATE_STACK", "CREATE_STACK"]);
        assert_eq!(
            ops[0].status(&web()).as_deref(),
            Some("UPDATE_ROLLBACK_COMPLETE")
        );
        assert_eq!(ops[1].events.len(), 4);
        let failures = ops[0].failures(&web());
        assert_eq!(failures.len(), 1);
        assert_eq!(
            failures[0].resource_status_reason(),
            Some("vpc does not exist")
        );
        assert_eq!(ops[0].rest(&web()).len(), 5);
        assert!(ops[1].failures(&web()).is_empty());
    }

    #[test]
    fn a_rollback_inside_an_update_starts_no_operation() {
        let e = stack_ev("8", 13, "UPDATE_ROLLBACK_IN_PROGRESS", "failed: [Orphan]");
        assert!(!starts_operation(&web(), &e));
        let continued = stack_ev("8", 13, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated");
        assert!(starts_operation(&web(), &continued));
        assert_eq!(
            kind_of_start("UPDATE_ROLLBACK_IN_PROGRESS"),
            "CONTINUE_ROLLBACK"
        );
        let nested = ev("9", 1, "Child", STACK_TYPE, "UPDATE_IN_PROGRESS", "");
        assert!(!starts_operation(&web(), &nested));
    }

    #[test]
    fn a_cut_off_operation_is_left_out_unless_the_history_is_complete() {
        let events = create_then_failed_update();
        // The newest six events: the update and the end of the create.
        let window = &events[..7];
        let ops = split_at_starts(&web(), window, false);
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].kind, "UPDATE_STACK");
        let ops = split_at_starts(&web(), window, true);
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[1].kind, "CREATE_COMPLETE");
    }

    fn op_ev(
        op: &str,
        ty: OperationType,
        secs: i64,
        logical: &str,
        status: &str,
    ) -> OperationEvent {
        OperationEvent::builder()
            .event_id(format!("{op}-{secs}"))
            .operation_id(op)
            .operation_type(ty)
            .logical_resource_id(logical)
            .resource_type(if logical == "web" {
                STACK_TYPE
            } else {
                "AWS::SNS::Topic"
            })
            .resource_status(ResourceStatus::from(status))
            .timestamp(DateTime::from_secs(secs))
            .build()
    }

    #[test]
    fn describe_events_groups_by_operation_id() {
        let events = vec![
            op_ev(
                "b",
                OperationType::UpdateStack,
                11,
                "Topic",
                "UPDATE_FAILED",
            ),
            op_ev("a", OperationType::CreateStack, 2, "web", "CREATE_COMPLETE"),
            op_ev(
                "b",
                OperationType::UpdateStack,
                10,
                "web",
                "UPDATE_IN_PROGRESS",
            ),
            op_ev(
                "a",
                OperationType::CreateStack,
                1,
                "web",
                "CREATE_IN_PROGRESS",
            ),
        ];
        let ops = group_by_operation(&web(), &events);
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0].id.as_deref(), Some("b"));
        assert_eq!(ops[0].kind, "UPDATE_STACK");
        assert_eq!(
            ops[0].events[0].resource_status().map(|s| s.as_str()),
            Some("UPDATE_IN_PROGRESS")
        );
        assert_eq!(ops[0].failures(&web()).len(), 1);
        assert_eq!(ops[1].kind, "CREATE_STACK");
        assert_eq!(ops[1].status(&web()).as_deref(), Some("CREATE_COMPLETE"));
    }
}
