//! Every template hagen ships is checked by the two linters its users run:
//! cfn-lint 1.58.0 (no error, no warning) and checkov 3.3.30 (no failed
//! check that is not suppressed in the resource's Metadata with a reason).
//!
//! The tools come from the pinned venvs of `tools/venv.sh` (built on first
//! use), so `cargo test` works on a fresh machine; if a venv cannot be
//! built the test fails with the reason.

use crate::custom_blueprint;
use crate::tools;

use std::path::{Path, PathBuf};
use std::process::Command;

use hagen::blueprint::{self, Blueprint};
use hagen::config::Config;
use hagen::template::{Expr, Template};

/// Every non-default choice of SwiftCode at once, so that the code paths
/// behind them are linted too.
const VARIANTS: &str = r#"
[environments.variants]
extends = "prod"
az_count = 3
deletion_protection = false

[environments.variants.blueprint]
nat = "single"
bastion_instance_type = "t4g.micro"
domain = "app.example.com"
bastion_access = "session-manager"
scaling = "requests"
requests_per_target = 500
health_check_path = "/health"
cfn_signal = true

[environments.variants.blueprint.database]
engine = "mysql"
log_retention_days = 30

[environments.variants.blueprint.logs]
flow_logs = true
access_logs = false
retention_days = 90
"#;

fn synth<B: Blueprint>(blueprint: &B, config: &Config, env: &str) -> Template {
    let resolved = blueprint::resolve(blueprint, config, Some(env))
        .unwrap_or_else(|e| panic!("configuration of {env}: {e}"));
    blueprint::synthesize(blueprint, &resolved)
        .unwrap_or_else(|e| panic!("synth of {env}: {e}"))
        .template
}

/// (file name, template) for every template under test.
fn templates() -> Vec<(String, Template)> {
    let builtin = Config::builtin();
    let variants =
        Config::parse::<swiftcode::SwiftCodeConfig>(Path::new("variants.toml"), VARIANTS)
            .expect("the variants configuration is valid");
    vec![
        (
            "swiftcode-stage.yaml".into(),
            synth(&swiftcode::SwiftCode, &builtin, "stage"),
        ),
        (
            "swiftcode-prod.yaml".into(),
            synth(&swiftcode::SwiftCode, &builtin, "prod"),
        ),
        (
            "swiftcode-variants.yaml".into(),
            synth(&swiftcode::SwiftCode, &variants, "variants"),
        ),
        (
            "custom-blueprint-stage.yaml".into(),
            synth(&custom_blueprint::ReportingDatabase, &builtin, "stage"),
        ),
        (
            "static-site-prod.yaml".into(),
            synth(&crate::static_site::StaticSite, &builtin, "prod"),
        ),
    ]
    .into_iter()
    .chain(fleet(&builtin))
    .collect()
}

/// Every stack of the `fleet` app in stage, with `config`.
fn fleet(config: &Config) -> Vec<(String, Template)> {
    let bp = crate::fleet::Fleet;
    let resolved = blueprint::resolve(&bp, config, Some("stage"))
        .unwrap_or_else(|e| panic!("configuration of fleet: {e}"));
    blueprint::synthesize_app(&bp, &resolved)
        .unwrap_or_else(|e| panic!("synth of fleet: {e}"))
        .app
        .stacks
        .into_iter()
        .map(|s| (format!("{}.yaml", s.name), s.template))
        .collect()
}

use tools::venv;

/// Writes the templates into a fresh directory.
fn write_all(templates: &[(String, Template)]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let paths = templates
        .iter()
        .map(|(name, t)| {
            let path = dir.path().join(name);
            std::fs::write(&path, t.to_yaml()).expect("write template");
            path
        })
        .collect();
    (dir, paths)
}

/// Runs cfn-lint (with `flags`) on the templates and fails on any error or
/// warning it reports.
fn cfn_lint_accepts(templates: &[(String, Template)], flags: &[&str]) {
    let (_dir, paths) = write_all(templates);
    let out = Command::new(venv("cfn-lint").join("bin/cfn-lint"))
        .args(flags)
        .arg("--")
        .args(&paths)
        .output()
        .expect("cfn-lint runs");
    // cfn-lint's exit status is a bit mask: 2 errors, 4 warnings, 8
    // informational findings; anything else means it failed to run.
    let code = out.status.code().expect("cfn-lint exited");
    assert!(
        code & !0b1000 == 0,
        "cfn-lint exit status {code}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cfn_lint_reports_no_error_and_no_warning() {
    cfn_lint_accepts(&templates(), &[]);
}

/// cfn-lint accepts every template of a `fleet` app of 5,000 tiered
/// resources (500 tiers over 14 tier stacks and the network stack).
#[test]
fn cfn_lint_accepts_every_template_of_a_5000_resource_fleet() {
    let config = Config::parse::<crate::fleet::FleetConfig>(
        Path::new("fleet.toml"),
        "[environments.stage.blueprint]\ntiers = 500\n",
    )
    .expect("the fleet configuration is valid");
    let templates = fleet(&config);
    let resources: usize = templates.iter().map(|(_, t)| t.resources.len()).sum();
    assert!(resources >= 5_000, "{resources} resources");
    assert_eq!(templates.len(), 15);
    cfn_lint_accepts(&templates, &[]);
}

/// cfn-lint accepts a `fleet` whose tier chunks are nested stacks: the
/// parent and every child. W3002 ("may only work with package") is the
/// point of a local `TemplateURL`: the deploy uploads the child and puts
/// its S3 URL there, as `aws cloudformation package` does.
#[test]
fn cfn_lint_accepts_a_fleet_of_nested_stacks() {
    let config = Config::parse::<crate::fleet::FleetConfig>(
        Path::new("fleet.toml"),
        "[environments.stage.blueprint]\ntiers = 100\nnested = true\n",
    )
    .expect("the fleet configuration is valid");
    let bp = crate::fleet::Fleet;
    let resolved = blueprint::resolve(&bp, &config, Some("stage")).expect("stage");
    let app = blueprint::synthesize_app(&bp, &resolved)
        .expect("the app builds")
        .app;
    let mut templates = Vec::new();
    for s in app.stacks {
        for n in s.nested {
            templates.push((n.file, n.template));
        }
        templates.push((format!("{}.yaml", s.name), s.template));
    }
    assert_eq!(
        templates.len(),
        5,
        "network, the tiers parent and 3 children"
    );
    cfn_lint_accepts(&templates, &["--ignore-checks", "W3002"]);
}

/// Every checkov suppression in a template: (resource, check id, reason).
fn suppressions(template: &Template) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for (id, resource) in &template.resources {
        let Some(Expr::Map(checkov)) = resource.metadata.get("checkov") else {
            continue;
        };
        let Some(Expr::List(skips)) = checkov.get("skip") else {
            panic!("{id}: Metadata.checkov must hold a `skip` list");
        };
        for skip in skips {
            let Expr::Map(skip) = skip else {
                panic!("{id}: each checkov skip is a map of id and comment");
            };
            let field = |k: &str| skip.get(k).and_then(Expr::as_str).unwrap_or_default();
            found.push((
                id.clone(),
                field("id").to_owned(),
                field("comment").to_owned(),
            ));
        }
    }
    found
}

#[test]
fn every_checkov_suppression_carries_a_reason() {
    for (name, template) in templates() {
        for (resource, check, reason) in suppressions(&template) {
            assert!(
                check.starts_with("CKV_"),
                "{name}: {resource} suppresses {check:?}, which is not a checkov ID"
            );
            assert!(
                reason.trim().len() >= 20,
                "{name}: {resource} suppresses {check} without a real reason: {reason:?}"
            );
        }
    }
}

#[test]
fn checkov_reports_no_failed_check() {
    let templates = templates();
    let (_dir, paths) = write_all(&templates);
    let venv = venv("checkov");
    let mut failures = Vec::new();
    for path in &paths {
        let out = Command::new(venv.join("bin/checkov"))
            .arg("-f")
            .arg(path)
            .args([
                "--framework",
                "cloudformation",
                "--skip-download",
                "--output",
                "json",
            ])
            .env("BC_SKIP_MAPPING", "TRUE")
            .output()
            .expect("checkov runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let report: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "checkov printed no JSON for {} ({e}):\n{text}\n{}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        // Nothing to check in the file (no checkov check covers its
        // resource types): a bare summary, no "summary" or "results".
        // Only the fleet's network stack (VPC, subnets, routes, NAT) is
        // expected to be so; any other file must be checked.
        if report.get("summary").is_none() && report.get("parsing_errors").is_some() {
            assert_eq!(report["parsing_errors"].as_u64(), Some(0), "{text}");
            assert_eq!(report["failed"].as_u64(), Some(0), "{text}");
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            assert!(
                name.ends_with("-network.yaml"),
                "checkov checked nothing in {}:\n{text}",
                path.display()
            );
            continue;
        }
        // One framework gives one report object; several give a list.
        let reports = match report {
            serde_json::Value::Array(items) => items,
            one => vec![one],
        };
        let mut resources = 0;
        for report in &reports {
            resources += report["summary"]["resource_count"].as_u64().unwrap_or(0);
            assert_eq!(
                report["summary"]["parsing_errors"].as_u64(),
                Some(0),
                "checkov could not parse {}",
                path.display()
            );
            for check in report["results"]["failed_checks"]
                .as_array()
                .into_iter()
                .flatten()
            {
                failures.push(format!(
                    "{}: {} {} ({})",
                    path.file_name().unwrap_or_default().to_string_lossy(),
                    check["check_id"].as_str().unwrap_or("?"),
                    check["resource"].as_str().unwrap_or("?"),
                    check["check_name"].as_str().unwrap_or("?"),
                ));
            }
        }
        assert!(
            resources > 0,
            "checkov saw no resources in {}",
            path.display()
        );
    }
    assert!(
        failures.is_empty(),
        "checkov failed checks (fix them, or suppress them in the resource's Metadata with a reason):\n{}",
        failures.join("\n")
    );
}
