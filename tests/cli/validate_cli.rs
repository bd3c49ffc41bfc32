//! `hagen validate` through its library entry point (`cli::validate::run`),
//! on real files: what a user sees for a clean template, a broken one, a
//! missing file, and each output format. The top-level binary wires the same
//! `Args` and `run`.

use clap::Parser;
use hagen::cli::exit;
use hagen::cli::validate::{Args, run};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: Args,
}

fn validate(argv: &[&str]) -> (u8, String, String) {
    let mut full = vec!["hagen-validate"];
    full.extend_from_slice(argv);
    let args = Cli::parse_from(full).args;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn corpus(path: &str) -> String {
    format!(
        "{}/tests/corpus/{path}",
        crate::tools::repo_root().display()
    )
}

#[test]
fn a_valid_template_is_clean_and_gets_an_availability_report() {
    let file = corpus("valid/web-stack.yaml");
    let (code, out, err) = validate(&[&file, "--color", "never"]);
    assert_eq!(code, exit::OK, "{out}{err}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
    assert!(out.contains("If AZ index 0 is lost:"), "{out}");
    assert!(
        out.contains("Single points of failure:\n  - Bastion:"),
        "{out}"
    );
}

#[test]
fn a_broken_template_names_file_line_column_and_fix() {
    let file = corpus("broken/hg201-ref-target.yaml");
    let (code, out, _) = validate(&[&file, "--color", "never", "--no-availability"]);
    assert_eq!(code, exit::TEMPLATE_ERRORS);
    assert!(out.contains(&format!("--> {file}:12:14")), "{out}");
    assert!(
        out.contains("= at: Resources.Subnet.Properties.VpcId.Ref\n"),
        "{out}"
    );
    assert!(out.contains("= help: did you mean Network?"), "{out}");
}

#[test]
fn warnings_only_exit_3_and_strict_turns_policy_warnings_into_errors() {
    let file = corpus("broken/hg401-ssh-open.yaml");
    let (code, _, _) = validate(&[&file]);
    assert_eq!(code, exit::WARNINGS);
    let (code, _, _) = validate(&[&file, "--strict"]);
    assert_eq!(code, exit::TEMPLATE_ERRORS);
}

#[test]
fn a_missing_file_exits_4_with_a_clear_message() {
    let (code, out, err) = validate(&["/nonexistent/stack.yaml"]);
    assert_eq!(code, exit::UNREADABLE_INPUT);
    assert!(out.is_empty());
    assert!(
        err.starts_with("hagen validate: cannot read /nonexistent/stack.yaml:"),
        "{err}"
    );
}

#[test]
fn json_and_sarif_carry_the_same_findings() {
    let file = corpus("broken/hg505-single-nat.yaml");
    let (code, json, _) = validate(&[&file, "--format", "json"]);
    assert_eq!(code, exit::WARNINGS);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["HG505", "HG504"]);
    assert_eq!(
        v["availability"]["singlePointsOfFailure"][0]["resource"],
        "Nat1"
    );
    let (_, sarif, _) = validate(&[&file, "--format", "sarif"]);
    let s: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let ids: Vec<&str> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, rules);
    assert_eq!(
        s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        61
    );
}
