//! Listing what is deployed: the stacks of an account and region, and the
//! resources of one stack, for `hagen ls`.
//!
//! Owns the ListStacks / DescribeStacks / ListStackResources reads and the
//! rows they become. A listing costs a handful of paginated requests,
//! never one per stack: ListStacks gives every stack (deleted ones too)
//! with its drift status, one unnamed DescribeStacks walk adds termination
//! protection for the live ones. It changes nothing.

use std::collections::HashMap;

use aws_sdk_cloudformation::primitives::{DateTime, DateTimeFormat};
use aws_sdk_cloudformation::types::{StackResourceSummary, StackSummary};
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use super::aws::Clients;
use super::error::DeployError;
use super::status;

/// Longest page walk of one listing call (100 stacks a page on AWS): far
/// past any real account, short of an endless loop on a broken token.
const MAX_PAGES: usize = 1_000;

/// One stack as `hagen ls` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StackRow {
    /// Its name.
    pub name: String,
    /// Its ARN (deleted stacks are only reachable by it).
    pub id: Option<String>,
    /// Its status (`CREATE_COMPLETE`, `DELETE_COMPLETE`, ...).
    pub status: String,
    /// When it last changed (its deletion, last update or creation), RFC
    /// 3339 (UTC).
    pub last_updated: Option<String>,
    /// Drift status from the last drift detection (`DRIFTED`, `IN_SYNC`,
    /// ...), `None` when never checked.
    pub drift: Option<String>,
    /// Termination protection; `None` for deleted stacks (DescribeStacks
    /// no longer answers for them by name).
    pub termination_protection: Option<bool>,
}

/// One resource of a stack as `hagen ls STACK` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResourceRow {
    /// Its logical ID in the template.
    pub logical_id: String,
    /// Its type.
    pub resource_type: String,
    /// Its physical ID, once it has one.
    pub physical_id: Option<String>,
    /// Its status.
    pub status: String,
    /// Why, for a failed resource (CloudFormation's words).
    pub reason: Option<String>,
    /// Its drift status when drift detection has checked it.
    pub drift: Option<String>,
}

/// An RFC 3339 time, for rows and records.
fn rfc3339(t: Option<&DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
}

/// An RFC 3339 UTC time as people read it in a table: to the second,
/// a space for the `T` (`2026-12-06 12:29:28Z`).
pub fn to_the_second(rfc3339: &str) -> String {
    let mut text = rfc3339.replace('T', " ");
    if let Some(dot) = text.find('.') {
        text.truncate(dot);
        text.push('Z');
    }
    text
}

/// A drift status worth showing: `NOT_CHECKED` (and nothing) is `None`.
fn known_drift(status: Option<&str>) -> Option<String> {
    status
        .filter(|s| !s.is_empty() && *s != "NOT_CHECKED")
        .map(str::to_owned)
}

/// The row of one ListStacks summary; protection is filled in apart.
pub fn stack_row(s: &StackSummary) -> StackRow {
    StackRow {
        name: s.stack_name().unwrap_or_default().to_owned(),
        id: s.stack_id().map(str::to_owned),
        status: s
            .stack_status()
            .map(|x| x.as_str().to_owned())
            .unwrap_or_default(),
        last_updated: rfc3339(
            s.deletion_time()
                .or(s.last_updated_time())
                .or(s.creation_time()),
        ),
        drift: known_drift(
            s.drift_information()
                .and_then(|d| d.stack_drift_status())
                .map(|d| d.as_str()),
        ),
        termination_protection: None,
    }
}

/// The row of one ListStackResources summary.
pub fn resource_row(r: &StackResourceSummary) -> ResourceRow {
    let status = r
        .resource_status()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    ResourceRow {
        logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
        resource_type: r.resource_type().unwrap_or_default().to_owned(),
        physical_id: r
            .physical_resource_id()
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
        reason: r
            .resource_status_reason()
            .filter(|x| !x.is_empty() && status::resource_failed(&status))
            .map(str::to_owned),
        status,
        drift: known_drift(
            r.drift_information()
                .and_then(|d| d.stack_resource_drift_status())
                .map(|d| d.as_str()),
        ),
    }
}

/// Keeps live stacks (all of them with `all`), with protection from
/// `protected` (stack ID to flag), sorted by name; deleted stacks of the
/// same name come after the live one, newest deletion first.
pub fn arrange(
    mut rows: Vec<StackRow>,
    protected: &HashMap<String, bool>,
    all: bool,
) -> Vec<StackRow> {
    rows.retain(|r| all || r.status != "DELETE_COMPLETE");
    for r in &mut rows {
        if r.status != "DELETE_COMPLETE" {
            r.termination_protection =
                r.id.as_ref()
                    .and_then(|id| protected.get(id))
                    .or_else(|| protected.get(&r.name))
                    .copied();
        }
    }
    rows.sort_by(|a, b| {
        let deleted = |r: &StackRow| r.status == "DELETE_COMPLETE";
        a.name
            .cmp(&b.name)
            .then(deleted(a).cmp(&deleted(b)))
            .then(b.last_updated.cmp(&a.last_updated))
    });
    rows
}

/// The stacks of the account and region, sorted by name: live ones, and
/// deleted ones too with `all` (CloudFormation keeps those about 90 days).
pub async fn stacks(clients: &Clients, all: bool) -> Result<Vec<StackRow>, DeployError> {
    let mut rows = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = clients
            .cfn
            .list_stacks()
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| DeployError::aws("ListStacks", &e))?;
        rows.extend(out.stack_summaries().iter().map(stack_row));
        match out.next_token().filter(|t| !t.is_empty()) {
            Some(t) => next = Some(t.to_owned()),
            None => break,
        }
    }
    let mut protected = HashMap::new();
    if rows.iter().any(|r| r.status != "DELETE_COMPLETE") {
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let out = clients
                .cfn
                .describe_stacks()
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| DeployError::aws("DescribeStacks (every stack)", &e))?;
            for s in out.stacks() {
                let flag = s.enable_termination_protection().unwrap_or(false);
                if let Some(id) = s.stack_id() {
                    protected.insert(id.to_owned(), flag);
                }
                if let Some(name) = s.stack_name() {
                    protected.insert(name.to_owned(), flag);
                }
            }
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(t) => next = Some(t.to_owned()),
                None => break,
            }
        }
    }
    Ok(arrange(rows, &protected, all))
}

/// The resources of `stack` (name or ID), in the order CloudFormation
/// lists them, or `None` when there is no such stack.
pub async fn resources(
    clients: &Clients,
    stack: &str,
) -> Result<Option<Vec<ResourceRow>>, DeployError> {
    Ok(super::stack::resources(clients, stack)
        .await?
        .map(|all| all.iter().map(resource_row).collect()))
}

/// A table without borders fitted to `width` columns.
fn table(width: usize, color: bool, header: Vec<&str>) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(super::width::table_width(width))
        .set_header(header);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

/// The colour of a stack or resource status.
fn status_cell(status: &str) -> Cell {
    let cell = Cell::new(status);
    if status.ends_with("_FAILED") {
        cell.fg(Color::Red)
    } else if status.contains("ROLLBACK") || status.ends_with("_IN_PROGRESS") {
        cell.fg(Color::Yellow)
    } else if status.ends_with("_COMPLETE") && status != "DELETE_COMPLETE" {
        cell.fg(Color::Green)
    } else {
        cell
    }
}

/// The stacks as a table fitted to `width` columns.
pub fn render_stacks(rows: &[StackRow], width: usize, color: bool) -> String {
    let mut t = table(
        width,
        color,
        vec!["Stack", "Status", "Last update", "Drift", "Protected"],
    );
    for r in rows {
        t.add_row(vec![
            Cell::new(&r.name),
            status_cell(&r.status),
            Cell::new(
                r.last_updated
                    .as_deref()
                    .map(to_the_second)
                    .unwrap_or_else(|| "-".into()),
            ),
            Cell::new(r.drift.as_deref().unwrap_or("-")),
            Cell::new(match r.termination_protection {
                Some(true) => "yes",
                Some(false) => "no",
                None => "-",
            }),
        ]);
    }
    trimmed(&t)
}

/// The resources as a table fitted to `width` columns; a failed resource's
/// reason goes under its status.
pub fn render_resources(rows: &[ResourceRow], width: usize, color: bool) -> String {
    let mut t = table(
        width,
        color,
        vec!["Logical ID", "Type", "Physical ID", "Status", "Drift"],
    );
    for r in rows {
        let status_cell = match &r.reason {
            Some(reason) => Cell::new(format!("{}\n{reason}", r.status)).fg(Color::Red),
            None => status_cell(&r.status),
        };
        t.add_row(vec![
            Cell::new(&r.logical_id),
            Cell::new(&r.resource_type),
            Cell::new(r.physical_id.as_deref().unwrap_or("-")),
            status_cell,
            Cell::new(r.drift.as_deref().unwrap_or("-")),
        ]);
    }
    trimmed(&t)
}

/// A borderless table without the trailing spaces of its padding.
fn trimmed(t: &Table) -> String {
    t.lines()
        .map(|l| l.trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::types::{
        ResourceStatus, StackDriftInformationSummary, StackDriftStatus, StackStatus,
    };

    fn summary(name: &str, status: &str, secs: i64) -> StackSummary {
        StackSummary::builder()
            .stack_name(name)
            .stack_id(format!(
                "arn:aws:cloudformation:us-east-1:1:stack/{name}/{secs}"
            ))
            .stack_status(StackStatus::from(status))
            .creation_time(DateTime::from_secs(secs))
            .drift_information(
                StackDriftInformationSummary::builder()
                    .stack_drift_status(StackDriftStatus::NotChecked)
                    .build(),
            )
            .build()
    }

    #[test]
    fn deleted_stacks_only_with_all_and_after_the_live_one() {
        let rows: Vec<StackRow> = [
            summary("web", "DELETE_COMPLETE", 10),
            summary("api", "UPDATE_COMPLETE", 20),
            summary("web", "CREATE_COMPLETE", 30),
        ]
        .iter()
        .map(stack_row)
        .collect();
        let mut protected = HashMap::new();
        protected.insert(
            "arn:aws:cloudformation:us-east-1:1:stack/web/30".to_owned(),
            true,
        );
        let live = arrange(rows.clone(), &protected, false);
        let names: Vec<(&str, &str)> = live
            .iter()
            .map(|r| (r.name.as_str(), r.status.as_str()))
            .collect();
        assert_eq!(
            names,
            [("api", "UPDATE_COMPLETE"), ("web", "CREATE_COMPLETE")]
        );
        assert_eq!(live[1].termination_protection, Some(true));
        assert_eq!(live[0].termination_protection, None);
        let every = arrange(rows, &protected, true);
        assert_eq!(every.len(), 3);
        assert_eq!(every[2].status, "DELETE_COMPLETE");
        assert_eq!(every[2].termination_protection, None);
    }

    #[test]
    fn table_times_are_to_the_second() {
        assert_eq!(
            to_the_second("2026-12-06T12:29:28.442383Z"),
            "2026-12-06 12:29:28Z"
        );
        assert_eq!(
            to_the_second("2026-12-06T12:29:28Z"),
            "2026-12-06 12:29:28Z"
        );
    }

    #[test]
    fn not_checked_drift_is_shown_as_a_dash() {
        let row = stack_row(&summary("web", "CREATE_COMPLETE", 0));
        assert_eq!(row.drift, None);
        let text = render_stacks(&[row], 80, false);
        assert!(text.contains("web"), "{text}");
        assert!(
            text.lines().nth(1).is_some_and(|l| l.contains(" - ")),
            "{text}"
        );
    }

    #[test]
    fn failed_resources_carry_their_reason_and_fit_the_width() {
        let r = resource_row(
            &StackResourceSummary::builder()
                .logical_resource_id("Orphan")
                .resource_type("AWS::EC2::Subnet")
                .resource_status(ResourceStatus::CreateFailed)
                .resource_status_reason("The vpc ID 'vpc-0doesnotexist' does not exist")
                .last_updated_timestamp(DateTime::from_secs(0))
                .build(),
        );
        assert_eq!(
            r.reason.as_deref(),
            Some("The vpc ID 'vpc-0doesnotexist' does not exist")
        );
        let text = render_resources(std::slice::from_ref(&r), 60, false);
        for line in text.lines() {
            assert!(super::super::width::visible_width(line) <= 60, "{text}");
        }
        // Wrapped, but nothing dropped.
        let words: String = text.split_whitespace().collect();
        assert!(words.contains("exist"), "{text}");
        let wide = render_resources(std::slice::from_ref(&r), 200, false);
        assert!(wide.contains("does not exist"), "{wide}");
    }

    #[test]
    fn a_completed_resource_has_no_reason() {
        let r = resource_row(
            &StackResourceSummary::builder()
                .logical_resource_id("Topic")
                .resource_type("AWS::SNS::Topic")
                .physical_resource_id("arn:aws:sns:us-east-1:1:t")
                .resource_status(ResourceStatus::CreateComplete)
                .resource_status_reason("Resource creation Initiated")
                .last_updated_timestamp(DateTime::from_secs(0))
                .build(),
        );
        assert_eq!(r.reason, None);
        assert_eq!(r.physical_id.as_deref(), Some("arn:aws:sns:us-east-1:1:t"));
    }
}
