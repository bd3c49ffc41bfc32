//! `hagen validate` through its library entry point (`cli::validate::run`),
//! on real files: what a user sees for a clean template, a broken one, a
//! missing file, and each output format. The top-level binary wires the same
//! `Args` and `run`.

use clap::Parser;
use hagen::cli::exit;
use hagen::cli::validate::{Args, Color, run};

/// `validate`'s flags plus the top-level `--color` the binary adds.
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: Args,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

fn validate(argv: &[&str]) -> (u8, String, String) {
    let mut full = vec!["hagen-validate"];
    full.extend_from_slice(argv);
    let cli = Cli::parse_from(full);
    let args = Args {
        color: cli.color,
        ..cli.args
    };
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

/// Regression (hostile input, no size limit before reading): the 1 MB
/// check ran after the whole input was read, so `hagen validate /dev/zero`
/// grew until allocation failed. Reading stops one byte past the limit.
#[cfg(unix)]
#[test]
fn validate_of_dev_zero_stops_at_the_size_limit() {
    let (code, out, err) = validate(&["/dev/zero"]);
    assert_eq!(code, exit::UNREADABLE_INPUT);
    assert!(out.is_empty());
    assert_eq!(
        err,
        "hagen validate: /dev/zero: the template is more than 1000000 bytes (reading stopped there); CloudFormation accepts at most 1000000 bytes (uploaded to S3; 51,200 inline): split it into nested stacks\n"
    );
}

#[test]
fn a_template_file_over_the_limit_is_refused_by_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.yaml");
    std::fs::write(&path, "#".repeat(1_000_001)).unwrap();
    let file = path.display().to_string();
    let (code, _, err) = validate(&[&file]);
    assert_eq!(code, exit::UNREADABLE_INPUT);
    assert!(
        err.contains(&format!("{file}: the template is 1000001 bytes;")),
        "{err}"
    );
}

/// Regression (valid templates refused): a `Hooks` section made `hagen
/// validate` exit 4 (unreadable); an SSM list parameter was an error.
#[test]
fn a_template_with_hooks_and_ssm_list_parameters_is_readable_and_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hooks.yaml");
    std::fs::write(
        &path,
        "\
Transform: AWS::CodeDeployBlueGreen
Parameters:
  Subnets:
    Type: AWS::SSM::Parameter::Value<List<String>>
    Default: /network/subnets
Hooks:
  BlueGreen:
    Type: AWS::CodeDeploy::BlueGreen
    Properties:
      ServiceRole: CodeDeployServiceRole
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Join [',', !Ref Subnets]
",
    )
    .unwrap();
    let file = path.display().to_string();
    let (code, out, err) = validate(&[&file, "--color", "never", "--no-availability"]);
    assert!(
        code == exit::OK || code == exit::WARNINGS,
        "exit {code}\n{out}{err}"
    );
    assert!(out.contains("0 errors"), "{out}");
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

#[test]
fn swiftcode_serves_every_path_through_every_az() {
    use hagen::blueprint;
    use hagen::config::Config;
    use hagen::validate::az_report::Reach;
    use hagen::validate::{Options, Severity, check};

    for env in ["stage", "prod"] {
        let bp = swiftcode::SwiftCode;
        let resolved = blueprint::resolve(&bp, &Config::builtin(), Some(env)).expect("built in");
        let template = blueprint::synthesize(&bp, &resolved)
            .expect("the blueprint builds")
            .template;
        let report = check(
            &template,
            &Options {
                strict: true,
                body_size: None,
                through_s3: false,
            },
        );
        let worse_than_notes: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity > Severity::Info)
            .collect();
        assert!(worse_than_notes.is_empty(), "{env}: {worse_than_notes:#?}");
        let paths: Vec<(&str, Reach)> = report
            .availability
            .paths
            .iter()
            .map(|p| (p.hops.as_str(), p.status))
            .collect();
        assert_eq!(
            paths,
            vec![
                (
                    "users -> AppHttpListener 80 (redirect or fixed response)",
                    Reach::Open
                ),
                (
                    "users -> AppHttpsListener 443 -> AppAsg 9000 (AppTargetGroup) -> DbInstance 5432",
                    Reach::Open
                ),
                (
                    "users -> AppHttpsListener 443 -> AppAsg 8000 (LetoTargetGroup) -> DbInstance 5432",
                    Reach::Open
                ),
            ],
            "{env}"
        );
        for p in &report.availability.paths {
            let azs: Vec<(&str, Reach)> = p.azs.iter().map(|a| (a.az.as_str(), a.status)).collect();
            assert_eq!(
                azs,
                vec![("AZ index 0", Reach::Open), ("AZ index 1", Reach::Open)],
                "{env}: {}",
                p.hops
            );
        }
    }
}

#[test]
fn the_example_blueprints_validate_clean_even_when_strict() {
    use hagen::blueprint::{self, Blueprint};
    use hagen::config::Config;
    use hagen::template::Template;
    use hagen::validate::{Options, Severity, check};

    fn stage<B: Blueprint>(bp: &B) -> Template {
        let resolved = blueprint::resolve(bp, &Config::builtin(), Some("stage")).expect("built in");
        blueprint::synthesize(bp, &resolved)
            .expect("the blueprint builds")
            .template
    }

    for (name, template) in [
        (
            "custom_blueprint",
            stage(&crate::custom_blueprint::ReportingDatabase),
        ),
        ("static_site", stage(&crate::static_site::StaticSite)),
    ] {
        let report = check(
            &template,
            &Options {
                strict: true,
                body_size: None,
                through_s3: false,
            },
        );
        let worse_than_notes: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity > Severity::Info)
            .collect();
        assert!(worse_than_notes.is_empty(), "{name}: {worse_than_notes:#?}");
    }
}

#[test]
fn a_listener_port_closed_in_the_load_balancer_group_is_reported() {
    // This stack synthesized and validated clean, and served nobody.
    let file = corpus("broken/hg604-listener-port-closed.yaml");
    let (code, out, _) = validate(&[&file, "--color", "never"]);
    assert_eq!(code, exit::WARNINGS, "{out}");
    assert!(
        out.contains(
            "= help: add an ingress rule to BalancerGroup: tcp 443 from 0.0.0.0/0 (or the clients' range)"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "  - users -> Https 443 -> AppInstances 8080 (AppTargets) -> Database 5432: closed (the security groups of Balancer do not admit the internet on 443)\n    AZ index 0: closed; AZ index 1: closed\n"
        ),
        "{out}"
    );
    let (code, _, _) = validate(&[&file, "--strict"]);
    assert_eq!(code, exit::TEMPLATE_ERRORS);
}
