//! Drift: what CloudFormation finds when it compares a stack's resources
//! with its template (`hagen drift`), and the one-line warning `deploy`
//! and `diff` give when the stack's last detection found drift.
//!
//! Owns the DetectStackDrift / DescribeStackDriftDetectionStatus /
//! DescribeStackResourceDrifts / ListStackResources calls and the report
//! built from them; printing is the CLI's business. The review of a
//! drift-aware change set is `super::drift_review`'s.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{StackDriftDetectionStatus, StackResourceDriftStatus};

use super::aws::Clients;
use super::error::DeployError;
use super::events::is_missing_stack;

/// One property whose live value differs from the template's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PropertyDifference {
    /// Where in the resource's properties (`/VersioningConfiguration/Status`).
    pub path: String,
    /// The value the template expects (absent when the property was added
    /// out of band).
    pub expected: Option<String>,
    /// The live value (absent when the property was removed out of band).
    pub actual: Option<String>,
    /// `ADD`, `REMOVE` or `NOT_EQUAL`.
    pub kind: String,
}

impl PropertyDifference {
    /// `path: expected -> actual`, `(absent)` for a missing side.
    pub fn line(&self) -> String {
        let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".into());
        format!(
            "{}: {} -> {}",
            self.path,
            side(&self.expected),
            side(&self.actual)
        )
    }
}

/// A resource whose live state differs from its template definition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DriftedResource {
    /// Its logical ID.
    pub logical_id: String,
    /// Its physical ID, when known.
    pub physical_id: Option<String>,
    /// Its type.
    pub resource_type: String,
    /// `MODIFIED` or `DELETED`.
    pub status: String,
    /// The properties that differ (empty for a deleted resource).
    pub differences: Vec<PropertyDifference>,
}

/// A resource drift detection did not check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unchecked {
    /// Its logical ID.
    pub logical_id: String,
    /// Its type.
    pub resource_type: String,
}

/// What one drift detection found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DriftReport {
    /// The stack's name.
    pub stack: String,
    /// The detection's ID (for `aws cloudformation
    /// describe-stack-drift-detection-status`).
    pub detection_id: String,
    /// `DRIFTED`, `IN_SYNC` or `UNKNOWN`, as CloudFormation sums it up.
    pub stack_status: String,
    /// Why the detection failed for some resources, when it did.
    pub failure: Option<String>,
    /// The resources that drifted, in the service's order.
    pub drifted: Vec<DriftedResource>,
    /// How many checked resources match their template definition.
    pub in_sync: usize,
    /// Resources whose type does not support drift detection (or that the
    /// detection could not check): neither drifted nor in sync.
    pub unchecked: Vec<Unchecked>,
}

impl DriftReport {
    /// Whether any resource drifted.
    pub fn has_drifted(&self) -> bool {
        !self.drifted.is_empty() || self.stack_status == "DRIFTED"
    }
}

/// How long to wait for a detection, and how often to ask.
#[derive(Debug, Clone, Copy)]
pub struct DetectOptions {
    /// Give up after this long.
    pub timeout: Duration,
    /// First poll interval (it grows to five seconds).
    pub first_poll: Duration,
}

impl Default for DetectOptions {
    fn default() -> Self {
        DetectOptions {
            timeout: Duration::from_secs(300),
            first_poll: Duration::from_secs(1),
        }
    }
}

/// Runs drift detection on `stack` and reads its results. `progress` is
/// called with the elapsed time while the detection runs.
pub async fn detect(
    clients: &Clients,
    stack: &str,
    options: DetectOptions,
    progress: &mut dyn FnMut(Duration),
) -> Result<DriftReport, DeployError> {
    let started = clients
        .cfn
        .detect_stack_drift()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| {
            if is_missing_stack(&e) {
                DeployError::Usage(format!(
                    "stack {stack} does not exist (check the name, --region and the account)"
                ))
            } else {
                DeployError::aws(format!("DetectStackDrift for stack {stack:?}"), &e)
            }
        })?;
    let id = started
        .stack_drift_detection_id()
        .unwrap_or_default()
        .to_owned();
    let begin = Instant::now();
    let mut delay = options.first_poll;
    let (stack_status, failure) = loop {
        let out = clients
            .cfn
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(&id)
            .send()
            .await
            .map_err(|e| {
                DeployError::aws(
                    format!("DescribeStackDriftDetectionStatus {id:?} of stack {stack:?}"),
                    &e,
                )
            })?;
        let status = out
            .stack_drift_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|| "UNKNOWN".into());
        match out.detection_status() {
            Some(StackDriftDetectionStatus::DetectionComplete) => break (status, None),
            Some(StackDriftDetectionStatus::DetectionFailed) => {
                let reason = out
                    .detection_status_reason()
                    .unwrap_or("(no reason given)")
                    .to_owned();
                break (status, Some(reason));
            }
            _ => {}
        }
        if begin.elapsed() >= options.timeout {
            return Err(DeployError::Timeout {
                what: format!("drift detection {id} on stack {stack}"),
                seconds: options.timeout.as_secs(),
            });
        }
        progress(begin.elapsed());
        tokio::time::sleep(delay).await;
        delay = delay.mul_f32(1.6).min(Duration::from_secs(5));
    };
    let (drifted, in_sync, checked) = resource_drifts(clients, stack).await?;
    let unchecked = unchecked(clients, stack, &checked).await?;
    Ok(DriftReport {
        stack: stack.to_owned(),
        detection_id: id,
        stack_status,
        failure,
        drifted,
        in_sync,
        unchecked,
    })
}

/// The drifted resources, how many are in sync, and every logical ID the
/// detection checked (DescribeStackResourceDrifts, all pages).
async fn resource_drifts(
    clients: &Clients,
    stack: &str,
) -> Result<(Vec<DriftedResource>, usize, Vec<String>), DeployError> {
    let mut drifted = Vec::new();
    let mut in_sync = 0;
    let mut checked = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = clients
            .cfn
            .describe_stack_resource_drifts()
            .stack_name(stack)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| {
                DeployError::aws(
                    format!("DescribeStackResourceDrifts of stack {stack:?}"),
                    &e,
                )
            })?;
        for d in out.stack_resource_drifts() {
            let logical_id = d.logical_resource_id().unwrap_or("?").to_owned();
            match d.stack_resource_drift_status() {
                Some(StackResourceDriftStatus::InSync) => in_sync += 1,
                Some(StackResourceDriftStatus::NotChecked) | None => continue,
                Some(status) => drifted.push(DriftedResource {
                    logical_id: logical_id.clone(),
                    physical_id: d.physical_resource_id().map(str::to_owned),
                    resource_type: d.resource_type().unwrap_or("?").to_owned(),
                    status: status.as_str().to_owned(),
                    differences: d
                        .property_differences()
                        .iter()
                        .map(|p| PropertyDifference {
                            path: p.property_path().unwrap_or("?").to_owned(),
                            expected: p.expected_value().map(str::to_owned),
                            actual: p.actual_value().map(str::to_owned),
                            kind: p
                                .difference_type()
                                .map(|t| t.as_str().to_owned())
                                .unwrap_or_default(),
                        })
                        .collect(),
                }),
            }
            checked.push(logical_id);
        }
        match out.next_token() {
            Some(t) => next = Some(t.to_owned()),
            None => return Ok((drifted, in_sync, checked)),
        }
    }
}

/// The stack's resources the detection did not check (ListStackResources,
/// all pages): types without drift support, or ones it skipped.
async fn unchecked(
    clients: &Clients,
    stack: &str,
    checked: &[String],
) -> Result<Vec<Unchecked>, DeployError> {
    let all = super::stack::resources(clients, stack)
        .await?
        .unwrap_or_default();
    Ok(all
        .iter()
        .filter_map(|r| {
            let id = r.logical_resource_id().unwrap_or("?");
            (!checked.iter().any(|c| c == id)).then(|| Unchecked {
                logical_id: id.to_owned(),
                resource_type: r.resource_type().unwrap_or("?").to_owned(),
            })
        })
        .collect())
}

/// The one-line warning for a stack whose last drift detection found
/// drift (`stack_drift_status` from DescribeStacks' DriftInformation), with
/// the command that shows it; `None` when it did not (or never ran).
/// `aws_flags` are the `--region`/`--endpoint-url` flags that reach it.
pub fn warning(stack: &str, stack_drift_status: Option<&str>, aws_flags: &str) -> Option<String> {
    (stack_drift_status == Some("DRIFTED")).then(|| {
        format!(
            "warning: stack {stack} has drifted (its last drift detection found resources changed outside CloudFormation): see them with `hagen drift {stack}{aws_flags}`"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_reads_path_expected_then_actual() {
        let d = PropertyDifference {
            path: "/VersioningConfiguration/Status".into(),
            expected: Some("Enabled".into()),
            actual: Some("Suspended".into()),
            kind: "NOT_EQUAL".into(),
        };
        assert_eq!(
            d.line(),
            "/VersioningConfiguration/Status: Enabled -> Suspended"
        );
        let added = PropertyDifference {
            expected: None,
            ..d
        };
        assert_eq!(
            added.line(),
            "/VersioningConfiguration/Status: (absent) -> Suspended"
        );
    }

    #[test]
    fn only_a_drifted_stack_gets_a_warning() {
        assert_eq!(warning("web", Some("IN_SYNC"), ""), None);
        assert_eq!(warning("web", Some("NOT_CHECKED"), ""), None);
        assert_eq!(warning("web", None, ""), None);
        let w = warning("web", Some("DRIFTED"), " --region eu-west-1").unwrap_or_default();
        assert!(w.starts_with("warning: stack web has drifted"), "{w}");
        assert!(w.contains("`hagen drift web --region eu-west-1`"), "{w}");
    }
}
