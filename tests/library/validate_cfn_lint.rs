//! hagen against cfn-lint 1.58.0 (the pinned venv from `tools/venv.sh`,
//! built on first use) on the same corpus (`tests/corpus/`):
//!
//! - cfn-lint reports no error on any `valid/` template (so the valid corpus
//!   really is valid CloudFormation, and hagen's "no errors" there is no
//!   false-alarm claim made in a vacuum);
//! - wherever cfn-lint reports an error of a class hagen covers (template,
//!   function, parameter, resource, output, mapping and condition rules:
//!   `E0`-`E3`, `E6`-`E8`), hagen reports an error for the same template.
//!
//! It fails loudly when the venv cannot be built or cfn-lint cannot run.

use crate::tools;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use hagen::template::parse::parse_template;
use hagen::validate::{Options, Severity, check_parsed};

/// cfn-lint rule-ID prefixes of the error classes hagen covers.
const COVERED: &[&str] = &["E0", "E1", "E2", "E3", "E6", "E7", "E8"];

fn root() -> PathBuf {
    crate::tools::repo_root()
}

fn cfn_lint() -> PathBuf {
    tools::cfn_lint()
}

fn corpus(kind: &str) -> Vec<PathBuf> {
    let dir = root().join("tests/corpus").join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            )
        })
        .collect();
    files.sort();
    files
}

/// cfn-lint's errors per file name: (rule, line, message).
fn lint(files: &[PathBuf]) -> BTreeMap<String, Vec<(String, u64, String)>> {
    let out = Command::new(cfn_lint())
        .args(["--format", "json", "--"])
        .args(files)
        .output()
        .expect("cfn-lint runs");
    // cfn-lint exits non-zero when it finds something; its output is the verdict.
    let matches: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cfn-lint printed no JSON ({e}; exit {:?}):\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut errors: BTreeMap<String, Vec<(String, u64, String)>> = BTreeMap::new();
    for m in matches.as_array().unwrap() {
        if m["Level"] != "Error" {
            continue;
        }
        let file = Path::new(m["Filename"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        errors.entry(file).or_default().push((
            m["Rule"]["Id"].as_str().unwrap().to_owned(),
            m["Location"]["Start"]["LineNumber"].as_u64().unwrap_or(0),
            m["Message"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    errors
}

/// hagen's errors for a file: (rule, line).
fn hagen_errors(path: &Path) -> Vec<(String, usize)> {
    let text = fs::read_to_string(path).unwrap();
    let Ok(parsed) = parse_template(&text, "t") else {
        return vec![("unreadable".into(), 0)];
    };
    let report = check_parsed(
        &parsed,
        &Options {
            strict: false,
            body_size: Some(text.len()),
            through_s3: false,
        },
    );
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.rule.clone(), parsed.locations.nearest(&d.path).line))
        .collect()
}

#[test]
fn hagen_reports_an_error_wherever_cfn_lint_does_and_the_valid_corpus_is_valid() {
    let valid = corpus("valid");
    let broken = corpus("broken");
    let all: Vec<PathBuf> = valid.iter().chain(&broken).cloned().collect();
    let lint_errors = lint(&all);

    let mut failures = Vec::new();
    for path in &valid {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(errors) = lint_errors.get(&name) {
            failures.push(format!("cfn-lint rejects valid/{name}: {errors:?}"));
        }
    }
    let mut compared = 0;
    for path in &broken {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(errors) = lint_errors.get(&name) else {
            continue;
        };
        let covered: Vec<&(String, u64, String)> = errors
            .iter()
            .filter(|(rule, _, _)| COVERED.iter().any(|c| rule.starts_with(c)))
            .collect();
        if covered.is_empty() {
            continue;
        }
        compared += 1;
        let ours = hagen_errors(path);
        if ours.is_empty() {
            failures.push(format!(
                "broken/{name}: cfn-lint reports {covered:?}, hagen no error"
            ));
        }
    }
    assert!(
        compared >= 20,
        "only {compared} templates compared; the corpus shrank?"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Errors CloudFormation rejects that an earlier release let through with
/// exit 0: for each, a template of the broken corpus, the rule cfn-lint
/// 1.58.0 rejects it with, and the rule hagen must reject it with. (A `Ref`
/// to a resource inside `Rules`, `broken/hg219-rule-refs-a-resource.yaml`,
/// is missing here because cfn-lint 1.58.0 does not report it;
/// CloudFormation does, and the corpus test holds hagen to it.)
const HARDENED: &[(&str, &str, &str)] = &[
    ("hg101-type-with-one-colon.yaml", "E3006", "HG101"),
    ("hg101-type-in-lower-case.yaml", "E3006", "HG101"),
    ("hg217-unknown-function-short-form.yaml", "E3012", "HG217"),
    ("hg217-unknown-function-long-form.yaml", "E3012", "HG217"),
    ("hg218-length-without-transform.yaml", "E1030", "HG218"),
    (
        "hg218-to-json-string-without-transform.yaml",
        "E1031",
        "HG218",
    ),
    ("hg218-for-each-without-transform.yaml", "E1032", "HG218"),
    ("hg219-rule-reads-an-attribute.yaml", "E8003", "HG219"),
];

#[test]
fn regression_classes_cfn_lint_rejects_are_errors_in_hagen_too() {
    let files: Vec<PathBuf> = HARDENED
        .iter()
        .map(|(f, _, _)| root().join("tests/corpus/broken").join(f))
        .collect();
    let lint_errors = lint(&files);
    let mut failures = Vec::new();
    for ((file, lint_rule, hagen_rule), path) in HARDENED.iter().zip(&files) {
        let theirs = lint_errors.get(*file).cloned().unwrap_or_default();
        if !theirs.iter().any(|(rule, _, _)| rule == lint_rule) {
            failures.push(format!(
                "{file}: cfn-lint no longer reports {lint_rule} (it reports {theirs:?}); the class lost its witness"
            ));
        }
        let ours = hagen_errors(path);
        if !ours.iter().any(|(rule, _)| rule == hagen_rule) {
            failures.push(format!(
                "{file}: hagen reports {ours:?}, not an error {hagen_rule}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
