//! Reporters for a [`Report`]: human text (file, line and
//! column, the offending line with a caret, the logical ID and property
//! path, what to do), JSON for CI, and SARIF 2.1.0 for code-scanning tools.
//!
//! Owns presentation only. Where a finding is in the file comes from the
//! caller (`Input::locate`, backed by the parser's location table), so the
//! reporters work for files, stdin and in-memory templates alike. Colour is
//! the caller's decision (`hagen` uses anstream's detection, which honours
//! `NO_COLOR` and non-terminals).

use comfy_table::{ContentArrangement, Table, presets};
use owo_colors::OwoColorize;
use serde_json::{Value as Json, json};

use super::az_report::{AvailabilityReport, Status};
use super::diagnostic::{Diagnostic, Severity};
use super::rules;
use super::{Report, schema};

/// A line and column, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

/// What the reporters know about the input.
pub struct Input<'a> {
    /// The name to print: a path, or `<stdin>`, or `<synth>`.
    pub name: &'a str,
    /// The text, for showing the offending line (`None` to skip snippets).
    pub text: Option<&'a str>,
    /// Where a template path is in the text.
    pub locate: &'a dyn Fn(&[String]) -> Option<Position>,
}

impl Input<'_> {
    fn position(&self, d: &Diagnostic) -> Option<Position> {
        (self.locate)(&d.path)
    }
}

/// The path as readers write it: `Resources.Vpc.Properties.CidrBlock`.
pub fn dotted(path: &[String]) -> String {
    path.join(".")
}

fn paint(text: &str, severity: Severity, color: bool) -> String {
    if !color {
        return text.to_owned();
    }
    match severity {
        Severity::Error => text.red().bold().to_string(),
        Severity::Warning => text.yellow().bold().to_string(),
        Severity::Info => text.cyan().bold().to_string(),
    }
}

fn dim(text: &str, color: bool) -> String {
    if color {
        text.dimmed().to_string()
    } else {
        text.to_owned()
    }
}

/// Findings as human text, each with its place, the line, the path and a hint.
pub fn human(report: &Report, input: &Input, color: bool) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        human_one(&mut out, d, input, color);
    }
    out.push_str(&summary(report, input.name, color));
    out.push('\n');
    out
}

/// One finding in human form.
pub fn human_one(out: &mut String, d: &Diagnostic, input: &Input, color: bool) {
    let head = format!("{}[{}]", d.severity, d.rule);
    out.push_str(&paint(&head, d.severity, color));
    out.push_str(": ");
    out.push_str(&d.message);
    out.push('\n');
    let pos = input.position(d);
    match pos {
        Some(p) => out.push_str(&format!("  --> {}:{}:{}\n", input.name, p.line, p.column)),
        None => out.push_str(&format!("  --> {}\n", input.name)),
    }
    if let (Some(p), Some(text)) = (pos, input.text)
        && let Some(line) = text.lines().nth(p.line.saturating_sub(1))
    {
        let number = p.line.to_string();
        let pad = " ".repeat(number.len());
        let shown: String = line.chars().take(160).collect();
        out.push_str(&format!("{pad} {}\n", dim("|", color)));
        out.push_str(&format!(
            "{} {} {shown}\n",
            dim(&number, color),
            dim("|", color)
        ));
        let caret = " ".repeat(p.column.saturating_sub(1).min(160));
        out.push_str(&format!(
            "{pad} {} {caret}{}\n",
            dim("|", color),
            paint("^", d.severity, color)
        ));
    }
    let mut at = String::new();
    if !d.path.is_empty() {
        at.push_str(&dotted(&d.path));
    }
    if let Some(r) = &d.resource
        && !d.path.iter().any(|s| s == r)
    {
        at.push_str(&format!(" ({r})"));
    }
    if !at.is_empty() {
        out.push_str(&format!("   = at: {at}\n"));
    }
    if let Some(h) = &d.hint {
        out.push_str(&format!("   = help: {h}\n"));
    }
    out.push('\n');
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The closing line: counts per severity and suppressions.
pub fn summary(report: &Report, name: &str, color: bool) -> String {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let infos = report.count(Severity::Info);
    let mut s = format!(
        "{name}: {}, {}, {}",
        paint(
            &plural(errors, "error"),
            Severity::Error,
            color && errors > 0
        ),
        paint(
            &plural(warnings, "warning"),
            Severity::Warning,
            color && warnings > 0
        ),
        plural(infos, "note"),
    );
    if !report.suppressed.is_empty() {
        s.push_str(&format!(
            " ({} suppressed with a reason)",
            report.suppressed.len()
        ));
    }
    s
}

/// The availability report as tables: one per AZ, then the single points
/// of failure.
pub fn availability_table(report: &AvailabilityReport) -> String {
    if report.is_empty() {
        return "Availability: no load balancers, instances, NAT routes or databases in known AZs; nothing to report.\n".into();
    }
    let mut out = String::from("Availability: what is left if an AZ is lost\n");
    for loss in report.losses.iter().filter(|l| !l.impacts.is_empty()) {
        out.push_str(&format!("\nIf {} is lost:\n", loss.az));
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(120)
            .set_header(["Component", "Resource", "Status", "What is left"]);
        for i in &loss.impacts {
            t.add_row([
                i.component.as_str(),
                i.resource.as_str(),
                i.status.as_str(),
                i.detail.as_str(),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out.push('\n');
    if report.single_points_of_failure.is_empty() {
        out.push_str("Single points of failure: none found.\n");
    } else {
        out.push_str("Single points of failure:\n");
        for s in &report.single_points_of_failure {
            out.push_str(&format!("  - {}: {}\n", s.resource, s.detail));
        }
    }
    if !report.paths.is_empty() {
        out.push_str("\nPaths users take (security groups and network ACLs):\n");
        for p in &report.paths {
            out.push_str(&format!("  - {}: {}", p.hops, p.status.as_str()));
            if !p.detail.is_empty() {
                out.push_str(&format!(" ({})", p.detail));
            }
            out.push('\n');
            let azs: Vec<String> = p
                .azs
                .iter()
                .map(|a| {
                    if a.detail.is_empty() {
                        format!("{}: {}", a.az, a.status.as_str())
                    } else {
                        format!("{}: {} ({})", a.az, a.status.as_str(), a.detail)
                    }
                })
                .collect();
            if !azs.is_empty() {
                out.push_str(&format!("    {}\n", azs.join("; ")));
            }
        }
    }
    out
}

fn diagnostic_json(d: &Diagnostic, input: &Input) -> Json {
    let pos = input.position(d);
    json!({
        "rule": d.rule,
        "title": rules::find(&d.rule).map(|r| r.title),
        "severity": d.severity.as_str(),
        "message": d.message,
        "resource": d.resource,
        "path": dotted(&d.path),
        "pathSegments": d.path,
        "file": input.name,
        "line": pos.map(|p| p.line),
        "column": pos.map(|p| p.column),
        "hint": d.hint,
    })
}

/// Findings, suppressions and the availability report as one JSON document.
pub fn json(report: &Report, input: &Input) -> String {
    let source = schema::source().ok();
    let doc = json!({
        "file": input.name,
        "summary": {
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "info": report.count(Severity::Info),
            "suppressed": report.suppressed.len(),
        },
        "diagnostics": report.diagnostics.iter().map(|d| diagnostic_json(d, input)).collect::<Vec<_>>(),
        "suppressed": report.suppressed.iter().map(|s| {
            let mut v = diagnostic_json(&s.diagnostic, input);
            v["reason"] = Json::from(s.reason.clone());
            v
        }).collect::<Vec<_>>(),
        "availability": report.availability,
        "schemas": source.map(|s| json!({"package": s.package, "version": s.version, "schemaDate": s.schema_date, "region": s.region})),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn sarif_result(d: &Diagnostic, input: &Input) -> Json {
    let mut location = json!({
        "physicalLocation": {"artifactLocation": {"uri": input.name}},
        "logicalLocations": [{"fullyQualifiedName": dotted(&d.path), "name": d.resource}],
    });
    if let Some(p) = input.position(d) {
        location["physicalLocation"]["region"] =
            json!({"startLine": p.line, "startColumn": p.column});
    }
    let mut text = d.message.clone();
    if let Some(h) = &d.hint {
        text.push_str(&format!(" Help: {h}"));
    }
    json!({
        "ruleId": d.rule,
        "level": sarif_level(d.severity),
        "message": {"text": text},
        "locations": [location],
    })
}

/// The report as SARIF 2.1.0, with every rule described and suppressed
/// findings marked as suppressed in source with their reason.
pub fn sarif(report: &Report, input: &Input) -> String {
    let rules: Vec<Json> = rules::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.title,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": r.rationale},
                "defaultConfiguration": {"level": sarif_level(r.severity)},
                "properties": {"category": r.category.as_str()},
            })
        })
        .collect();
    let mut results: Vec<Json> = report
        .diagnostics
        .iter()
        .map(|d| sarif_result(d, input))
        .collect();
    for s in &report.suppressed {
        let mut r = sarif_result(&s.diagnostic, input);
        r["suppressions"] = json!([{"kind": "inSource", "justification": s.reason}]);
        results.push(r);
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "hagen",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The status column's words, for docs and tests.
pub fn status_words() -> [&'static str; 4] {
    [
        Status::Ok.as_str(),
        Status::Degraded.as_str(),
        Status::Down.as_str(),
        Status::AtRisk.as_str(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{Options, check, testing};

    fn input<'a>(text: &'a str, locate: &'a dyn Fn(&[String]) -> Option<Position>) -> Input<'a> {
        Input {
            name: "stack.yaml",
            text: Some(text),
            locate,
        }
    }

    fn report() -> Report {
        let t = testing::template(
            serde_json::json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC",
            "Properties": {"CidrBlock": "10.0.0.0/16", "CidrBlok": "x"}}}}),
        );
        check(&t, &Options::default())
    }

    const TEXT: &str = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n      CidrBlok: x\n";

    #[test]
    fn human_output_names_file_line_column_path_and_fix() {
        let locate = |_: &[String]| Some(Position { line: 6, column: 7 });
        let text = human(&report(), &input(TEXT, &locate), false);
        assert_eq!(
            text,
            "error[HG102]: unknown property \"CidrBlok\"\n  --> stack.yaml:6:7\n  |\n6 |       CidrBlok: x\n  |       ^\n   = at: Resources.Vpc.Properties.CidrBlok\n   = help: did you mean CidrBlock?\n\nstack.yaml: 1 error, 0 warnings, 0 notes\n"
        );
    }

    #[test]
    fn json_output_carries_positions_and_the_schema_source() {
        let locate = |_: &[String]| Some(Position { line: 6, column: 7 });
        let v: Json = serde_json::from_str(&json(&report(), &input(TEXT, &locate))).unwrap();
        assert_eq!(v["summary"]["errors"], 1);
        assert_eq!(v["diagnostics"][0]["line"], 6);
        assert_eq!(
            v["diagnostics"][0]["path"],
            "Resources.Vpc.Properties.CidrBlok"
        );
        assert_eq!(v["schemas"]["version"], "1.58.0");
    }

    #[test]
    fn sarif_output_lists_rules_and_results() {
        let locate = |_: &[String]| None;
        let v: Json = serde_json::from_str(&sarif(&report(), &input(TEXT, &locate))).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["results"][0]["ruleId"], "HG102");
        assert_eq!(run["results"][0]["level"], "error");
        assert!(run["tool"]["driver"]["rules"].as_array().unwrap().len() == rules::ALL.len());
    }

    #[test]
    fn the_availability_table_lists_every_az() {
        let r = check(&testing::template(testing::ha_stack()), &Options::default());
        let table = availability_table(&r.availability);
        assert!(table.contains("If AZ index 0 is lost:"));
        assert!(table.contains("If AZ index 1 is lost:"));
        assert!(table.contains("Single points of failure: none found."));
        assert!(
            table.ends_with(
                "\nPaths users take (security groups and network ACLs):\n  \
             - users -> Http 80 (redirect or fixed response): open\n    \
             AZ index 0: open; AZ index 1: open\n  \
             - users -> Https 443 -> Asg 8080 (Tg) -> Db 5432: open\n    \
             AZ index 0: open; AZ index 1: open\n"
            ),
            "{table}"
        );
    }

    #[test]
    fn a_closed_path_says_why_and_json_carries_the_paths() {
        let mut v = testing::ha_stack();
        v["Resources"]["Tg"]["Properties"]["Port"] = serde_json::json!(9000);
        let r = check(&testing::template(v), &Options::default());
        let table = availability_table(&r.availability);
        assert!(table.contains(
            "  - users -> Https 443 -> Asg 9000 (Tg) -> Db 5432: closed (the security groups of Asg do not admit Alb on 9000)\n    AZ index 0: closed; AZ index 1: closed\n"
        ), "{table}");
        let locate = |_: &[String]| None;
        let v: Json = serde_json::from_str(&json(&r, &input(TEXT, &locate))).unwrap();
        assert_eq!(v["availability"]["paths"][1]["status"], "closed");
        assert_eq!(v["availability"]["paths"][1]["azs"][0]["az"], "AZ index 0");
        assert_eq!(v["diagnostics"][0]["rule"], "HG605");
    }
}
