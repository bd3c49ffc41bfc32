//! `hagen drift [STACK]`: runs CloudFormation's drift detection on a stack
//! and shows each resource changed or deleted outside CloudFormation, with
//! every property as `path: expected -> actual`.
//!
//! Thin over `crate::deploy::drift`; it changes no resource (a detection
//! only records its result on the stack).

use std::time::Duration;

use clap::Args;

use crate::deploy::drift::{self, DetectOptions, DriftReport};
use crate::deploy::{Clients, Console};

use super::deploy::{AwsArgs, DeployContext, FormatArg};
use super::exit;
use super::session::{self, ContextRecord, Session};

/// Flags of `hagen drift` (the top-level CLI adds `--env`/`--config`).
#[derive(Debug, Clone, Default, Args)]
pub struct DriftArgs {
    /// The stack (name or ARN) [default: the blueprint's stack for --env,
    /// as `hagen diff` and `hagen deploy` name it].
    #[arg(value_name = "STACK")]
    pub stack: Option<String>,
    /// AWS access.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Give up waiting for the detection after this many seconds (it keeps
    /// running in CloudFormation; its result shows on the stack).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,
    /// Output format: `text` for people, or `json`: one JSON document on
    /// stdout (`"type": "drift"`, the stack's status, each drifted
    /// resource with its property differences, the in-sync count, the
    /// resources not checked); errors become a document with
    /// `"type": "error"`. See docs/deploy.md.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
}

/// Runs `hagen drift` and returns its exit code: 0 in sync,
/// [`exit::STACK_DRIFTED`] when a resource drifted; errors keep theirs.
pub fn run(args: &DriftArgs, ctx: &DeployContext, console: &mut Console) -> u8 {
    run_inner(args, ctx, None, DetectOptions::default(), console)
}

/// [`run`] with prepared AWS clients and detection timings (tests point
/// them at an emulator and poll faster).
pub fn run_with_clients(
    args: &DriftArgs,
    ctx: &DeployContext,
    clients: &Clients,
    options: DetectOptions,
    console: &mut Console,
) -> u8 {
    run_inner(args, ctx, Some(clients), options, console)
}

fn run_inner(
    args: &DriftArgs,
    ctx: &DeployContext,
    given: Option<&Clients>,
    options: DetectOptions,
    console: &mut Console,
) -> u8 {
    console.set_format(args.format.into());
    let code = detect(args, ctx, given, options, console);
    if code == exit::STACK_DRIFTED {
        // A finding, not a failure: the `drift` document says it all.
        return code;
    }
    super::deploy::conclude(console, code, false)
}

fn detect(
    args: &DriftArgs,
    ctx: &DeployContext,
    given: Option<&Clients>,
    options: DetectOptions,
    console: &mut Console,
) -> u8 {
    let stack = match session::stack_name(
        args.stack.as_ref(),
        ctx,
        "pass it as `hagen drift STACK` or choose the blueprint's with --env",
    ) {
        Ok((stack, _)) => stack,
        Err(e) => return super::deploy::report_error(console, &e, &args.aws, ctx.verbose),
    };
    let session = match Session::open(&args.aws, ctx, given, console) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let target = match session.target(&stack, ctx, true, ContextRecord::InDocument, console) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let Session { rt, clients } = session;
    let options = DetectOptions {
        timeout: Duration::from_secs(args.timeout),
        ..options
    };
    console.say(format!("Detecting drift on stack {stack}..."));
    let mut last_said = Duration::ZERO;
    let result = rt.block_on(async {
        let mut progress = |elapsed: Duration| {
            // A line every ten seconds or so: enough to show it is alive.
            if elapsed >= last_said + Duration::from_secs(10) {
                last_said = elapsed;
                console.say(format!("  still detecting ({} s)", elapsed.as_secs()));
            }
        };
        drift::detect(&clients, &stack, options, &mut progress).await
    });
    match result {
        Ok(report) => {
            show(&report, &clients.cli_flags(), console);
            let code = if report.has_drifted() {
                exit::STACK_DRIFTED
            } else {
                exit::OK
            };
            let mut doc = serde_json::json!(report);
            doc["drifted_count"] = serde_json::Value::from(report.drifted.len());
            doc["context"] = serde_json::json!(target);
            doc["exit_code"] = serde_json::Value::from(code);
            console.record("drift", doc);
            code
        }
        Err(e) => super::deploy::report_error(console, &e, &args.aws, ctx.verbose),
    }
}

/// The report as text for people (in JSON format, on stderr).
fn show(report: &DriftReport, aws_flags: &str, console: &mut Console) {
    for line in lines(report, aws_flags) {
        console.say(line);
    }
}

/// The report's text lines.
fn lines(report: &DriftReport, aws_flags: &str) -> Vec<String> {
    let mut out = Vec::new();
    let stack = &report.stack;
    if let Some(why) = &report.failure {
        out.push(format!(
            "warning: drift detection could not check every resource: {why}"
        ));
    }
    if report.drifted.is_empty() {
        out.push(format!(
            "Stack {stack} is in sync: {} resource{} match{} the template.",
            report.in_sync,
            plural(report.in_sync),
            if report.in_sync == 1 { "es" } else { "" }
        ));
    } else {
        out.push(format!(
            "Stack {stack} has drifted: {} resource{} changed outside CloudFormation, {} in sync.",
            report.drifted.len(),
            plural(report.drifted.len()),
            report.in_sync
        ));
        for r in &report.drifted {
            let physical = r
                .physical_id
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default();
            out.push(format!(
                "  {} ({}{physical}): {}",
                r.logical_id, r.resource_type, r.status
            ));
            if r.status == "DELETED" {
                out.push("    deleted outside CloudFormation".into());
            }
            for d in &r.differences {
                out.push(format!("    {}", d.line()));
            }
        }
    }
    if !report.unchecked.is_empty() {
        out.push(format!(
            "Not checked ({} resource{}: the type does not support drift detection, or CloudFormation skipped it):",
            report.unchecked.len(),
            plural(report.unchecked.len())
        ));
        for u in &report.unchecked {
            out.push(format!("  {} ({})", u.logical_id, u.resource_type));
        }
    }
    if !report.drifted.is_empty() {
        out.push(format!(
            "To set them back to the template: hagen deploy --stack-name {stack}{aws_flags} --changeset --revert-drift (the review lists every value it overwrites); to keep them, change the template to match."
        ));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::drift::{DriftedResource, PropertyDifference, Unchecked};

    fn report() -> DriftReport {
        DriftReport {
            stack: "web".into(),
            detection_id: "d-1".into(),
            stack_status: "DRIFTED".into(),
            failure: None,
            drifted: vec![
                DriftedResource {
                    logical_id: "Data".into(),
                    physical_id: Some("web-data".into()),
                    resource_type: "AWS::S3::Bucket".into(),
                    status: "MODIFIED".into(),
                    differences: vec![PropertyDifference {
                        path: "/VersioningConfiguration/Status".into(),
                        expected: Some("Enabled".into()),
                        actual: Some("Suspended".into()),
                        kind: "NOT_EQUAL".into(),
                    }],
                },
                DriftedResource {
                    logical_id: "Alerts".into(),
                    physical_id: None,
                    resource_type: "AWS::SNS::Topic".into(),
                    status: "DELETED".into(),
                    differences: Vec::new(),
                },
            ],
            in_sync: 1,
            unchecked: vec![Unchecked {
                logical_id: "Hook".into(),
                resource_type: "Custom::Thing".into(),
            }],
        }
    }

    #[test]
    fn a_drifted_stack_lists_each_resource_and_difference() {
        let text = lines(&report(), " --region eu-west-1").join("\n");
        assert!(
            text.contains(
                "Stack web has drifted: 2 resources changed outside CloudFormation, 1 in sync."
            ),
            "{text}"
        );
        assert!(
            text.contains("  Data (AWS::S3::Bucket, web-data): MODIFIED\n    /VersioningConfiguration/Status: Enabled -> Suspended"),
            "{text}"
        );
        assert!(
            text.contains("  Alerts (AWS::SNS::Topic): DELETED"),
            "{text}"
        );
        assert!(text.contains("  Hook (Custom::Thing)"), "{text}");
        assert!(
            text.contains(
                "hagen deploy --stack-name web --region eu-west-1 --changeset --revert-drift"
            ),
            "{text}"
        );
    }

    #[test]
    fn an_in_sync_stack_says_so_and_suggests_nothing() {
        let mut r = report();
        r.drifted.clear();
        r.stack_status = "IN_SYNC".into();
        r.unchecked.clear();
        let text = lines(&r, "").join("\n");
        assert_eq!(
            text,
            "Stack web is in sync: 1 resource matches the template."
        );
    }
}
