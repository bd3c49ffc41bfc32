//! `hagen validate [FILE|-]`: checks any CloudFormation template (JSON, or
//! YAML with short-form tags) and reports findings with file, line and
//! column, plus what losing each AZ would do.
//!
//! Thin by design: reads the input, calls `template::parse` and
//! `validate::check_parsed`, and renders with `validate::render`. Exit codes
//! come from `super::exit`: 0 clean, 3 warnings only, 1 errors, 4 unreadable
//! input.

use std::io::Write;
use std::path::PathBuf;

use crate::template::parse::{ParseError, parse_template_bytes};
use crate::validate::render::{self, Input, Position};
use crate::validate::{Options, Report, Severity, check_parsed, problem_diagnostics, rules};

use super::exit;

/// How to print the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people: each finding with its file, line, column, the
    /// offending line, the path in the template and what to do; then the
    /// availability report.
    Human,
    /// One JSON document: findings, suppressions, availability report.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

pub use super::color::Color;

/// Arguments of `hagen validate`.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = "Check a CloudFormation template against AWS's schemas and hagen's rules",
    long_about = "Check a CloudFormation template written by anyone (JSON, or YAML with short-form tags such as !Ref) before AWS does: resource properties against the AWS resource schemas (cfn-lint 1.58.0's), references and intrinsic functions, dependency cycles, quotas, CIDR math, network ACLs against security groups, and named security and availability rules. Prints what losing each availability zone would leave running.\n\nSilence a finding on purpose in the resource's Metadata, with a reason:\n  Metadata:\n    hagen:\n      suppress:\n        - rule: HG409\n          reason: Port 80 only redirects to 443.\n\nExit codes: 0 clean (notes only), 3 warnings but no errors, 1 errors, 4 the input could not be read, 2 bad usage.",
    after_help = "Examples:\n  hagen validate stack.yaml\n  hagen synth | hagen validate -\n  hagen validate --format sarif stack.json > hagen.sarif\n  hagen validate --strict --no-availability stack.yaml\n  hagen validate --list-rules"
)]
pub struct Args {
    /// Template to check: a JSON or YAML file, or - for standard input.
    #[arg(value_name = "FILE|-", default_value = "-")]
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Hold the template to hagen's own guarantees: security and
    /// availability findings become errors (as in `hagen synth`).
    #[arg(long)]
    pub strict: bool,
    /// Leave the availability report out of human output.
    #[arg(long)]
    pub no_availability: bool,
    /// Colour human output: the top-level `--color` flag, set by the CLI.
    #[arg(skip)]
    pub color: Color,
    /// Print every rule (ID, severities, title, why) and exit.
    #[arg(long)]
    pub list_rules: bool,
}

/// Runs `hagen validate`, reading a file or standard input.
pub fn run(args: &Args, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    if args.list_rules {
        return list_rules(stdout);
    }
    let (name, bytes) = match super::io::read_template_arg(&args.file) {
        Ok(read) => read,
        Err(message) => {
            let name = if args.file.as_os_str() == "-" {
                "<stdin>".to_owned()
            } else {
                args.file.display().to_string()
            };
            unreadable_document(args, &name, &message, None, stdout);
            let _ = writeln!(stderr, "hagen validate: {message}");
            return exit::UNREADABLE_INPUT;
        }
    };
    run_on(args, &name, &bytes, stdout, stderr)
}

/// Runs `hagen validate` on bytes already read (`name` is printed in
/// messages). The CLI tests call it directly.
pub fn run_on(
    args: &Args,
    name: &str,
    bytes: &[u8],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    };
    let parsed = match parse_template_bytes(bytes, name) {
        Ok(p) => p,
        Err(e) => return unreadable(&e, name, bytes, args, color, stdout, stderr),
    };
    let options = Options {
        strict: args.strict,
        body_size: Some(bytes.len()),
        through_s3: false,
    };
    let report = check_parsed(&parsed, &options);
    let text = std::str::from_utf8(bytes).ok();
    let locate = |path: &[String]| {
        let l = parsed.locations.nearest(path);
        Some(Position {
            line: l.line,
            column: l.column,
        })
    };
    let input = Input {
        name,
        text,
        locate: &locate,
    };
    let rendered = match args.format {
        Format::Human => {
            let mut s = render::human(&report, &input, color);
            if !args.no_availability {
                s.push('\n');
                s.push_str(&render::availability_table(&report.availability));
            }
            s
        }
        Format::Json => render::json(&report, &input),
        Format::Sarif => render::sarif(&report, &input),
    };
    if stdout.write_all(rendered.as_bytes()).is_err() {
        return exit::UNREADABLE_INPUT;
    }
    exit_code(&report)
}

/// The exit code for a report: 1 errors, 3 warnings only, 0 otherwise.
pub fn exit_code(report: &Report) -> u8 {
    match report.worst() {
        Some(Severity::Error) => exit::TEMPLATE_ERRORS,
        Some(Severity::Warning) => exit::WARNINGS,
        _ => exit::OK,
    }
}

fn unreadable(
    e: &ParseError,
    name: &str,
    bytes: &[u8],
    args: &Args,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    // A document with the wrong shape lists every problem like findings.
    if let ParseError::Invalid { problems, .. } = e {
        let report = Report {
            diagnostics: problem_diagnostics(problems),
            ..Report::default()
        };
        let locations: Vec<(Vec<String>, Position)> = problems
            .iter()
            .map(|p| {
                (
                    p.path.clone(),
                    Position {
                        line: p.location.line,
                        column: p.location.column,
                    },
                )
            })
            .collect();
        let locate = |path: &[String]| {
            locations
                .iter()
                .find(|(p, _)| p.as_slice() == path)
                .map(|(_, pos)| *pos)
        };
        let input = Input {
            name,
            text: std::str::from_utf8(bytes).ok(),
            locate: &locate,
        };
        let rendered = match args.format {
            Format::Human => render::human(&report, &input, color),
            Format::Json => render::json(&report, &input),
            Format::Sarif => render::sarif(&report, &input),
        };
        let _ = stdout.write_all(rendered.as_bytes());
        let _ = writeln!(
            stderr,
            "hagen validate: {name} is not a template CloudFormation can read; fix the problems above"
        );
    } else {
        unreadable_document(args, name, &e.to_string(), parse_location(e), stdout);
        let _ = writeln!(stderr, "hagen validate: {e}");
    }
    exit::UNREADABLE_INPUT
}

/// Where a parse error points, when it points somewhere.
fn parse_location(e: &ParseError) -> Option<Position> {
    let l = match e {
        ParseError::NotUtf8 { location, .. }
        | ParseError::Syntax { location, .. }
        | ParseError::AliasLimit { location, .. }
        | ParseError::TooDeep { location, .. } => location,
        ParseError::TooLarge { .. } | ParseError::Invalid { .. } => return None,
    };
    Some(Position {
        line: l.line,
        column: l.column,
    })
}

/// For `--format json` and `sarif`, the document of a template that could
/// not be read at all: one HG012 finding with the reason and, when the
/// reader knows it, the line and column (a tool reading stdout always gets
/// a document). Human output prints nothing here: stderr says it.
fn unreadable_document(
    args: &Args,
    name: &str,
    message: &str,
    at: Option<Position>,
    stdout: &mut dyn Write,
) {
    if args.format == Format::Human {
        return;
    }
    let mut finding = rules::TEMPLATE_UNREADABLE.diag(message);
    finding.hint = Some(
        "fix the file so that it reads as JSON or YAML (the position is where reading stopped), then validate again"
            .to_owned(),
    );
    let report = Report {
        diagnostics: vec![finding],
        ..Report::default()
    };
    let locate = move |path: &[String]| if path.is_empty() { at } else { None };
    let input = Input {
        name,
        text: None,
        locate: &locate,
    };
    let rendered = match args.format {
        Format::Json => render::json(&report, &input),
        Format::Sarif | Format::Human => render::sarif(&report, &input),
    };
    let _ = stdout.write_all(rendered.as_bytes());
}

fn list_rules(stdout: &mut dyn Write) -> u8 {
    let mut out = String::from("ID     severity (strict)   category      rule: why\n");
    for r in rules::ALL {
        let sev = if r.severity == r.strict {
            r.severity.to_string()
        } else {
            format!("{} ({})", r.severity, r.strict)
        };
        out.push_str(&format!(
            "{:<6} {:<19} {:<13} {}: {}\n",
            r.id,
            sev,
            r.category.as_str(),
            r.title,
            r.rationale
        ));
    }
    if stdout.write_all(out.as_bytes()).is_err() {
        return exit::UNREADABLE_INPUT;
    }
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    }

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec!["hagen-validate"];
        argv.extend_from_slice(extra);
        let cli = Cli::parse_from(argv);
        Args {
            color: cli.color,
            ..cli.args
        }
    }

    fn run_text(extra: &[&str], text: &str) -> (u8, String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let code = run_on(
            &args(extra),
            "stack.yaml",
            text.as_bytes(),
            &mut out,
            &mut err,
        );
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    const CLEAN: &str =
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n";

    #[test]
    fn a_clean_template_exits_0() {
        let (code, out, _) = run_text(&["--no-availability", "--color", "never"], CLEAN);
        assert_eq!(code, exit::OK);
        assert_eq!(out, "stack.yaml: 0 errors, 0 warnings, 0 notes\n");
    }

    #[test]
    fn errors_exit_1_and_name_the_line() {
        let text =
            "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicNam: x\n";
        let (code, out, _) = run_text(&["--no-availability", "--color", "never"], text);
        assert_eq!(code, exit::TEMPLATE_ERRORS);
        assert!(out.contains("--> stack.yaml:5:7"), "{out}");
        assert!(out.contains("did you mean TopicName?"), "{out}");
    }

    #[test]
    fn warnings_only_exit_3() {
        let text = "Parameters:\n  Unused:\n    Type: String\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n";
        let (code, out, _) = run_text(&["--no-availability", "--color", "never"], text);
        assert_eq!(code, exit::WARNINGS, "{out}");
    }

    #[test]
    fn malformed_input_exits_4_with_the_place() {
        let (code, _, err) = run_text(&[], "Resources: [\n");
        assert_eq!(code, exit::UNREADABLE_INPUT);
        assert!(err.contains("stack.yaml:"), "{err}");
    }

    #[test]
    fn a_wrongly_shaped_document_lists_its_problems() {
        let (code, out, _) = run_text(
            &["--color", "never"],
            "Resources:\n  Topic:\n    Properties: {}\n",
        );
        assert_eq!(code, exit::UNREADABLE_INPUT);
        assert!(out.contains("HG010"), "{out}");
        assert!(
            out.contains("stack.yaml:2:3") || out.contains("stack.yaml:2:"),
            "{out}"
        );
    }

    #[test]
    fn json_and_sarif_are_machine_readable() {
        let (_, out, _) = run_text(&["--format", "json"], CLEAN);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["summary"]["errors"], 0);
        let (_, out, _) = run_text(&["--format", "sarif"], CLEAN);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["version"], "2.1.0");
    }

    #[test]
    fn regression_validate_json_prints_a_document_for_a_malformed_template() {
        let (code, out, err) = run_text(&["--format", "json"], "Resources:\n  Topic: [\n");
        assert_eq!(code, exit::UNREADABLE_INPUT);
        assert!(err.contains("stack.yaml:"), "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("a JSON document");
        assert_eq!(v["summary"]["errors"], 1);
        let d = &v["diagnostics"][0];
        assert_eq!(d["rule"], "HG012");
        assert_eq!(d["file"], "stack.yaml");
        assert!(d["line"].as_u64().is_some_and(|l| l >= 2), "{d}");
        assert!(d["column"].as_u64().is_some(), "{d}");
        assert!(d["message"].as_str().unwrap().contains("malformed"), "{d}");
    }

    #[test]
    fn a_malformed_json_template_is_a_sarif_result_with_its_region() {
        let (code, out, _) = run_text(&["--format", "sarif"], "{\"Resources\": {,}}");
        assert_eq!(code, exit::UNREADABLE_INPUT);
        let v: serde_json::Value = serde_json::from_str(&out).expect("a SARIF document");
        sarif_structure(&v);
        let result = &v["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "HG012");
        assert_eq!(result["level"], "error");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "stack.yaml");
        assert_eq!(location["region"]["startLine"], 1);
        assert!(
            location["region"]["startColumn"].as_u64().is_some(),
            "{location}"
        );
    }

    #[test]
    fn an_unreadable_file_still_gets_a_document() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.yaml");
        let missing = missing.to_str().unwrap();
        for format in ["json", "sarif"] {
            let mut out = Vec::new();
            let mut err = Vec::new();
            let code = run(&args(&["--format", format, missing]), &mut out, &mut err);
            assert_eq!(code, exit::UNREADABLE_INPUT);
            let v: serde_json::Value = serde_json::from_slice(&out).expect("a document");
            let text = v.to_string();
            assert!(
                text.contains("HG012") && text.contains("missing.yaml"),
                "{text}"
            );
        }
    }

    /// The parts of SARIF 2.1.0 every consumer needs: version and schema,
    /// one run with a driver and its rules, results naming a known rule
    /// with a level, a message and locations.
    fn sarif_structure(v: &serde_json::Value) {
        assert_eq!(v["version"], "2.1.0");
        assert!(v["$schema"].as_str().unwrap().contains("sarif"));
        let run = &v["runs"][0];
        let driver = &run["tool"]["driver"];
        assert!(driver["name"].is_string());
        let ids: Vec<&str> = driver["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"HG012"));
        for r in run["results"].as_array().unwrap() {
            assert!(ids.contains(&r["ruleId"].as_str().unwrap()), "{r}");
            assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
            assert!(r["message"]["text"].is_string());
            assert!(!r["locations"].as_array().unwrap().is_empty());
        }
    }

    #[test]
    fn sarif_has_the_required_structure() {
        let text =
            "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicNam: x\n";
        let (_, out, _) = run_text(&["--format", "sarif"], text);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        sarif_structure(&v);
        let region = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 5, "{v}");
        assert_eq!(region["startColumn"], 7, "{v}");
    }

    #[test]
    fn list_rules_prints_the_catalogue() {
        let mut out = Vec::new();
        let code = run(&args(&["--list-rules"]), &mut out, &mut Vec::new());
        assert_eq!(code, exit::OK);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), rules::ALL.len() + 1);
        assert!(text.contains("HG401  warning (error)"));
    }
}
