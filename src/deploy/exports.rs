//! The export guard: a deploy that would remove or change an export another
//! stack still imports is refused before any change set exists (CDK's
//! "deadly embrace").
//!
//! CloudFormation refuses such an update itself, but only while executing
//! it, after the stack's other changes ran, and then rolls the whole stack
//! back. Here the deployed outputs (`DescribeStacks`) are compared with the
//! new template's: an export that disappears or is renamed, or whose value
//! expression differs from the deployed template's, is looked up with
//! `ListImports`; if any stack imports it, the deploy stops and says which
//! two deploys resolve it. Works for any stack, not only hagen's apps.

use aws_sdk_cloudformation::error::ProvideErrorMetadata;

use super::aws::Clients;
use super::error::DeployError;
use super::outputs::StackOutput;
use crate::template::{Expr, Intrinsic, Template};

/// How a deploy would affect an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportChange {
    /// The output is gone, or no longer exported, or exported under
    /// another name.
    Removed,
    /// The output's value is computed differently from the deployed one.
    Changed,
}

/// An export the deploy would remove or change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedExport {
    /// The export's name.
    pub name: String,
    /// The output that declares it in the deployed stack.
    pub output: String,
    /// What the deploy does to it.
    pub change: ExportChange,
}

/// One export in use that the deploy would break, with its importers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportInUse {
    /// The export and what would happen to it.
    pub export: AffectedExport,
    /// The stacks that import it.
    pub importers: Vec<String>,
}

/// The exports of the deployed stack that the new template removes or
/// changes. `deployed_template` is the deployed template's text, when it
/// could be read (without it, only removals are found). Export names of
/// the new template that are `Fn::Sub` of `${AWS::StackName}` are resolved
/// with `stack`; a name that cannot be resolved offline is not judged.
pub fn affected(
    stack: &str,
    deployed: &[StackOutput],
    deployed_template: Option<&Template>,
    new: &Template,
) -> Vec<AffectedExport> {
    let mut found = Vec::new();
    for o in deployed {
        let Some(name) = &o.export_name else { continue };
        let now = new.outputs.get(&o.key);
        let change = match now.map(|out| out.export_name.as_ref().map(|e| resolve_name(e, stack))) {
            // Exported under a name only AWS can work out: not judged.
            Some(Some(None)) => None,
            Some(Some(Some(new_name))) if &new_name == name => {
                let old = deployed_template.and_then(|t| t.outputs.get(&o.key));
                match (old, now) {
                    (Some(old), Some(now)) if old.value != now.value => Some(ExportChange::Changed),
                    _ => None,
                }
            }
            // Gone, no longer exported, or exported under another name.
            _ => Some(ExportChange::Removed),
        };
        if let Some(change) = change {
            found.push(AffectedExport {
                name: name.clone(),
                output: o.key.clone(),
                change,
            });
        }
    }
    found
}

/// An export name's value: a literal, or `Fn::Sub` whose only variable is
/// `${AWS::StackName}`. `None` when it needs more than that.
fn resolve_name(e: &Expr, stack: &str) -> Option<String> {
    match e {
        Expr::String(s) => Some(s.clone()),
        Expr::Fn(f) => match f.as_ref() {
            Intrinsic::Sub {
                template,
                variables,
            } if variables.is_empty() => {
                let text = template.replace("${AWS::StackName}", stack);
                (!text.contains("${")).then_some(text)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The stacks importing each affected export; only those in use are kept.
pub async fn in_use(
    clients: &Clients,
    affected: Vec<AffectedExport>,
) -> Result<Vec<ExportInUse>, DeployError> {
    let mut out = Vec::new();
    for export in affected {
        let importers = importers(clients, &export.name).await?;
        if !importers.is_empty() {
            out.push(ExportInUse { export, importers });
        }
    }
    Ok(out)
}

/// `ListImports`, every page. CloudFormation answers an export nobody
/// imports with a validation error ("is not imported by any stack"),
/// which means none here.
async fn importers(clients: &Clients, export: &str) -> Result<Vec<String>, DeployError> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let result = clients
            .cfn
            .list_imports()
            .export_name(export)
            .set_next_token(token.clone())
            .send()
            .await;
        let page = match result {
            Ok(page) => page,
            Err(e) => {
                let text = e
                    .as_service_error()
                    .and_then(ProvideErrorMetadata::message)
                    .unwrap_or_default();
                if text.contains("not imported by any stack") {
                    return Ok(names);
                }
                return Err(DeployError::aws(
                    format!("ListImports for export {export:?}"),
                    &e,
                ));
            }
        };
        names.extend(page.imports().iter().cloned());
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(names);
        }
    }
}

/// The refusal: which exports, which importers, and the two deploys that
/// resolve it.
pub fn refusal(stack: &str, in_use: &[ExportInUse]) -> String {
    let mut text = format!(
        "stack {stack} would break exports that other stacks import; CloudFormation would fail the update and roll it back, so nothing was changed:"
    );
    for u in in_use {
        let what = match u.export.change {
            ExportChange::Removed => "remove",
            ExportChange::Changed => "change the value of",
        };
        text.push_str(&format!(
            "\n  - it would {what} export {} (output {}), imported by {}",
            u.export.name,
            u.export.output,
            u.importers.join(", ")
        ));
    }
    text.push_str(&format!(
        "\nDeploy in two steps: first deploy {} so that they no longer import it (for an app: change the blueprint, then `deploy STACK --exclusively` for each); then deploy {stack}. To change a value, export the new value under a new name first, move the importers to it, then remove the old export.",
        importer_list(in_use)
    ));
    text
}

fn importer_list(in_use: &[ExportInUse]) -> String {
    let mut all: Vec<&str> = in_use
        .iter()
        .flat_map(|u| u.importers.iter().map(String::as_str))
        .collect();
    all.sort_unstable();
    all.dedup();
    all.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::parse_template;

    fn t(text: &str) -> Template {
        parse_template(text, "t.yaml").expect("parses").template
    }

    fn out(key: &str, export: &str) -> StackOutput {
        StackOutput {
            key: key.into(),
            value: "v".into(),
            description: None,
            export_name: Some(export.into()),
        }
    }

    const BASE: &str =
        "Resources:\n  A:\n    Type: AWS::SNS::Topic\n  B:\n    Type: AWS::SNS::Topic\n";

    #[test]
    fn removed_renamed_and_changed_exports_are_found_and_kept_ones_are_not() {
        let deployed = t(&format!(
            "{BASE}Outputs:\n  Keep:\n    Value: !Ref A\n    Export:\n      Name: s:Keep\n  Gone:\n    Value: !Ref A\n    Export:\n      Name: s:Gone\n  Renamed:\n    Value: !Ref A\n    Export:\n      Name: s:Old\n  Moved:\n    Value: !Ref A\n    Export:\n      Name: s:Moved\n  Sub:\n    Value: !Ref A\n    Export:\n      Name: s:Sub\n"
        ));
        let new = t(&format!(
            "{BASE}Outputs:\n  Keep:\n    Value: !Ref A\n    Export:\n      Name: s:Keep\n  Renamed:\n    Value: !Ref A\n    Export:\n      Name: s:New\n  Moved:\n    Value: !Ref B\n    Export:\n      Name: s:Moved\n  Sub:\n    Value: !Ref A\n    Export:\n      Name: !Sub '${{AWS::StackName}}:Sub'\n"
        ));
        let live = [
            out("Keep", "s:Keep"),
            out("Gone", "s:Gone"),
            out("Renamed", "s:Old"),
            out("Moved", "s:Moved"),
            out("Sub", "s:Sub"),
        ];
        let found = affected("s", &live, Some(&deployed), &new);
        let summary: Vec<(&str, ExportChange)> = found
            .iter()
            .map(|a| (a.name.as_str(), a.change.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("s:Gone", ExportChange::Removed),
                ("s:Old", ExportChange::Removed),
                ("s:Moved", ExportChange::Changed),
            ]
        );
        // Without the deployed template, only removals are known.
        assert_eq!(affected("s", &live, None, &new).len(), 2);
    }

    #[test]
    fn the_refusal_names_exports_importers_and_the_two_steps() {
        let text = refusal(
            "net",
            &[ExportInUse {
                export: AffectedExport {
                    name: "net:Vpc".into(),
                    output: "ExportVpc".into(),
                    change: ExportChange::Removed,
                },
                importers: vec!["web".into(), "data".into()],
            }],
        );
        assert!(
            text.contains("remove export net:Vpc (output ExportVpc), imported by web, data"),
            "{text}"
        );
        assert!(text.contains("first deploy data, web"), "{text}");
        assert!(text.contains("then deploy net"), "{text}");
    }
}
