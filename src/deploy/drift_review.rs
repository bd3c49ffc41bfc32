//! What a change set does to drift and to resources it adopts, for the
//! review: the out-of-band changes a drift-aware change set
//! (`--revert-drift`, `DeploymentMode: REVERT_DRIFT`) overwrites, and the
//! existing resources an `--import-existing` change set takes over.
//!
//! Reads the drift-aware fields of a change set's resource changes
//! (`ResourceDriftStatus`, each detail's `Target.Drift`) and words them;
//! the rest of the review is `super::review`'s.

use aws_sdk_cloudformation::types::ResourceChange;

use super::document::Document;
use super::review::Change;

/// The drift a drift-aware change set saw on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ChangeDrift {
    /// `MODIFIED`, `DELETED`, `IN_SYNC`, `UNKNOWN` or `UNSUPPORTED`.
    pub status: String,
    /// The properties changed out of band that the deploy sets back.
    pub properties: Vec<OverwrittenProperty>,
}

/// A property whose live value the deploy overwrites.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OverwrittenProperty {
    /// Where (`/Properties/VersioningConfiguration/Status`, or the
    /// property's name when no path is given).
    pub path: String,
    /// The live value, set outside CloudFormation.
    pub actual: Option<String>,
    /// The value the deploy sets (the template's), when reported.
    pub template: Option<String>,
    /// The value of the previous deployment, when reported.
    pub previous: Option<String>,
}

/// The drift-aware part of a resource change; `None` for a change set that
/// is not drift-aware (no `ResourceDriftStatus`).
pub fn of_resource_change(rc: &ResourceChange) -> Option<ChangeDrift> {
    let status = rc.resource_drift_status()?.as_str().to_owned();
    let properties = rc
        .details()
        .iter()
        .filter_map(|d| d.target())
        .filter_map(|t| {
            let drift = t.drift()?;
            Some(OverwrittenProperty {
                path: t
                    .path()
                    .or(t.name())
                    .unwrap_or_else(|| t.attribute().map(|a| a.as_str()).unwrap_or("?"))
                    .to_owned(),
                actual: drift.actual_value().map(str::to_owned),
                template: t.after_value().map(str::to_owned),
                previous: drift.previous_value().map(str::to_owned),
            })
        })
        .collect();
    Some(ChangeDrift { status, properties })
}

/// The review's lines about drift and adoption (empty when the change set
/// has neither): the out-of-band changes this deploy overwrites, resources
/// deleted out of band that it creates again, and the resources it imports
/// with what adopting them means. `new` is the template being deployed
/// (for the adopted resources' `DeletionPolicy`).
pub fn lines(changes: &[Change], new: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let drifted: Vec<(&Change, &ChangeDrift)> = changes
        .iter()
        .filter_map(|c| c.drift.as_ref().map(|d| (c, d)))
        .filter(|(_, d)| matches!(d.status.as_str(), "MODIFIED" | "DELETED"))
        .collect();
    if !drifted.is_empty() {
        out.push(format!(
            "This deploy reverts drift: it overwrites changes made outside CloudFormation on {} resource{}:",
            drifted.len(),
            if drifted.len() == 1 { "" } else { "s" }
        ));
        for (c, d) in drifted {
            if d.status == "DELETED" {
                out.push(format!(
                    "  {} ({}): DELETED outside CloudFormation; the deploy creates it again",
                    c.logical_id, c.resource_type
                ));
                continue;
            }
            out.push(format!(
                "  {} ({}): MODIFIED",
                c.logical_id, c.resource_type
            ));
            if d.properties.is_empty() {
                out.push("    (CloudFormation did not list the properties)".into());
            }
            for p in &d.properties {
                let actual = p.actual.as_deref().unwrap_or("(absent)");
                let template = p.template.as_deref().unwrap_or("the template's value");
                out.push(format!("    {}: {actual} (live) -> {template}", p.path));
            }
        }
    }
    let imports: Vec<&Change> = changes.iter().filter(|c| c.action == "Import").collect();
    if !imports.is_empty() {
        out.push(format!(
            "Adopting {} existing resource{} (Import): hagen manages {} from now on, as if it had created {}:",
            imports.len(),
            if imports.len() == 1 { "" } else { "s" },
            if imports.len() == 1 { "it" } else { "them" },
            if imports.len() == 1 { "it" } else { "them" },
        ));
        for c in imports {
            let physical = c
                .physical_id
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default();
            out.push(format!(
                "  {} ({}{physical}): {}",
                c.logical_id,
                c.resource_type,
                policy_meaning(deletion_policy(new, &c.logical_id))
            ));
        }
    }
    out
}

/// The resource's `DeletionPolicy` in `new`, when it has one.
fn deletion_policy<'a>(new: &'a Document, logical_id: &str) -> Option<&'a str> {
    new.resource(logical_id)?.get("DeletionPolicy")?.as_str()
}

/// What a `DeletionPolicy` means for an adopted resource.
fn policy_meaning(policy: Option<&str>) -> String {
    match policy {
        Some("Retain") | Some("RetainExceptOnCreate") => format!(
            "DeletionPolicy {}: kept when removed from the template or the stack is deleted",
            policy.unwrap_or_default()
        ),
        Some("Snapshot") => {
            "DeletionPolicy Snapshot: a snapshot is taken before it is deleted".into()
        }
        Some(other) => format!(
            "DeletionPolicy {other}: removing it from the template or deleting the stack deletes it"
        ),
        None => "no DeletionPolicy: removing it from the template or deleting the stack deletes it (set DeletionPolicy: Retain to keep it)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::types::{
        ChangeAction, LiveResourceDrift, ResourceChangeDetail, ResourceTargetDefinition,
        StackResourceDriftStatus,
    };

    #[test]
    fn a_plain_change_set_has_no_drift_part() {
        let rc = ResourceChange::builder()
            .action(ChangeAction::Modify)
            .logical_resource_id("Data")
            .build();
        assert_eq!(of_resource_change(&rc), None);
    }

    #[test]
    fn a_drift_aware_change_reads_live_and_template_values() {
        let rc = ResourceChange::builder()
            .action(ChangeAction::Modify)
            .logical_resource_id("Data")
            .resource_drift_status(StackResourceDriftStatus::Modified)
            .details(
                ResourceChangeDetail::builder()
                    .target(
                        ResourceTargetDefinition::builder()
                            .name("VersioningConfiguration")
                            .path("/Properties/VersioningConfiguration/Status")
                            .after_value("Enabled")
                            .drift(
                                LiveResourceDrift::builder()
                                    .actual_value("Suspended")
                                    .previous_value("Enabled")
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build();
        let drift = of_resource_change(&rc).unwrap_or_default();
        assert_eq!(drift.status, "MODIFIED");
        assert_eq!(
            drift.properties,
            [OverwrittenProperty {
                path: "/Properties/VersioningConfiguration/Status".into(),
                actual: Some("Suspended".into()),
                template: Some("Enabled".into()),
                previous: Some("Enabled".into()),
            }]
        );
        let change = Change {
            action: "Modify".into(),
            logical_id: "Data".into(),
            resource_type: "AWS::S3::Bucket".into(),
            drift: Some(drift),
            ..Change::default()
        };
        let new = Document::parse("Resources:\n  Data:\n    Type: AWS::S3::Bucket\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            lines(&[change], &new),
            [
                "This deploy reverts drift: it overwrites changes made outside CloudFormation on 1 resource:",
                "  Data (AWS::S3::Bucket): MODIFIED",
                "    /Properties/VersioningConfiguration/Status: Suspended (live) -> Enabled",
            ]
        );
    }

    #[test]
    fn an_import_says_what_its_deletion_policy_means() {
        let new = Document::parse(
            "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n  Logs:\n    Type: AWS::S3::Bucket\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let import = |id: &str| Change {
            action: "Import".into(),
            logical_id: id.into(),
            physical_id: Some(format!("{}-bucket", id.to_lowercase())),
            resource_type: "AWS::S3::Bucket".into(),
            ..Change::default()
        };
        let text = lines(&[import("Data"), import("Logs")], &new).join("\n");
        assert!(
            text.contains("Adopting 2 existing resources (Import): hagen manages them from now on"),
            "{text}"
        );
        assert!(
            text.contains("  Data (AWS::S3::Bucket, data-bucket): DeletionPolicy Retain: kept"),
            "{text}"
        );
        assert!(
            text.contains("  Logs (AWS::S3::Bucket, logs-bucket): no DeletionPolicy"),
            "{text}"
        );
    }
}
