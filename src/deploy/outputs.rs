//! Stack outputs after a deploy: printed as a table and written as JSON.
//!
//! Owns their presentation and the `--outputs-file` format (one JSON object,
//! output key to value, keys in stack order), and writing that file on every
//! successful run: after an executed change set, and after a deploy that
//! changes nothing (read from DescribeStacks), as CI scripts expect it.

use std::path::Path;

use comfy_table::{ContentArrangement, Table, presets};
use indexmap::IndexMap;

use super::aws::Clients;
use super::console::Console;
use super::error::DeployError;

/// One stack output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StackOutput {
    /// `OutputKey`.
    pub key: String,
    /// `OutputValue`.
    pub value: String,
    /// `Description`, when the template gives one.
    pub description: Option<String>,
    /// `ExportName`, when exported.
    pub export_name: Option<String>,
}

/// The outputs as a table fitted to the terminal (an empty string when
/// there are none).
pub fn render(outputs: &[StackOutput]) -> String {
    render_at(outputs, super::width::detect())
}

/// [`render`] for a terminal `width` columns wide: long values wrap inside
/// their cells.
pub fn render_at(outputs: &[StackOutput], width: usize) -> String {
    if outputs.is_empty() {
        return String::new();
    }
    let described = outputs
        .iter()
        .any(|o| o.description.is_some() || o.export_name.is_some());
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(super::width::table_width(width))
        .force_no_tty();
    if described {
        table.set_header(vec!["Output", "Value", "Description"]);
    } else {
        table.set_header(vec!["Output", "Value"]);
    }
    for o in outputs {
        if !described {
            table.add_row(vec![o.key.clone(), o.value.clone()]);
            continue;
        }
        let mut description = o.description.clone().unwrap_or_default();
        if let Some(export) = &o.export_name {
            if !description.is_empty() {
                description.push(' ');
            }
            description.push_str(&format!("(exported as {export})"));
        }
        table.add_row(vec![o.key.clone(), o.value.clone(), description]);
    }
    format!("{table}\n")
}

/// The outputs as the JSON written by `--outputs-file`.
pub fn to_json(outputs: &[StackOutput]) -> String {
    let map: IndexMap<&str, &str> = outputs
        .iter()
        .map(|o| (o.key.as_str(), o.value.as_str()))
        .collect();
    let mut text = serde_json::to_string_pretty(&map).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// Writes the outputs to `path` as JSON, by the rules of
/// `crate::output_file` (atomic for files, through for devices and pipes).
pub fn write_file(path: &Path, outputs: &[StackOutput]) -> Result<(), DeployError> {
    crate::output_file::write_output(path, to_json(outputs).as_bytes())
        .map(|_| ())
        .map_err(|e| DeployError::io(format!("writing outputs to {}", path.display()), e))
}

/// Writes `--outputs-file` for a run that executed nothing (no changes):
/// the stack's current outputs, read with DescribeStacks, so the file is
/// there after every successful run.
pub async fn write_current(
    clients: &Clients,
    stack: &str,
    path: &Path,
    console: &mut Console,
) -> Result<(), DeployError> {
    let outputs = super::stack::describe(clients, stack)
        .await?
        .map(|i| i.outputs)
        .unwrap_or_default();
    write_file(path, &outputs)?;
    console.say(format!("Outputs written to {}", path.display()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs() -> Vec<StackOutput> {
        vec![
            StackOutput {
                key: "Url".into(),
                value: "https://x".into(),
                description: Some("Site".into()),
                export_name: None,
            },
            StackOutput {
                key: "Bucket".into(),
                value: "b".into(),
                description: None,
                export_name: Some("web-bucket".into()),
            },
        ]
    }

    #[test]
    fn json_keeps_stack_order() {
        assert_eq!(
            to_json(&outputs()),
            "{\n  \"Url\": \"https://x\",\n  \"Bucket\": \"b\"\n}\n"
        );
    }

    #[test]
    fn the_table_shows_exports() {
        let t = render(&outputs());
        assert!(t.contains("(exported as web-bucket)"), "{t}");
        assert!(render(&[]).is_empty());
    }

    #[test]
    fn the_table_fits_60_and_120_columns_and_keeps_long_values() {
        let long = vec![StackOutput {
            key: "LoadBalancerDnsName".into(),
            value: "swiftcode-stage-alb-1234567890.eu-west-1.elb.amazonaws.com".into(),
            description: Some(
                "The public DNS name of the application load balancer, for the CNAME record".into(),
            ),
            export_name: Some("swiftcode-stage-LoadBalancerDnsName".into()),
        }];
        for width in [60, 120] {
            let t = render_at(&long, width);
            for l in t.lines() {
                assert!(
                    super::super::width::visible_width(l) <= width,
                    "{width}: {l:?}\n{t}"
                );
            }
            let column = |i: usize, sep: &str| -> String {
                t.lines()
                    .filter(|l| l.contains('┆') && !l.contains("Output"))
                    .filter_map(|l| l.trim_matches('│').split('┆').nth(i))
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect::<Vec<_>>()
                    .join(sep)
            };
            assert_eq!(column(1, ""), long[0].value, "{t}");
            let description = column(2, " ");
            assert!(
                description.contains("for the CNAME record")
                    || description.replace(' ', "").contains("fortheCNAMErecord"),
                "{t}"
            );
        }
    }

    #[test]
    fn no_description_column_when_no_output_has_one() {
        let bare = vec![StackOutput {
            key: "VpcId".into(),
            value: "vpc-1".into(),
            description: None,
            export_name: None,
        }];
        assert!(!render(&bare).contains("Description"));
    }
}
