//! The template corpus under `tests/corpus/`:
//!
//! - `broken/`: one mistake per template; its header lines
//!   `# expect: HG123 at LINE:COLUMN` name every finding (warning or error)
//!   hagen must report, with the place. Nothing else may be reported.
//! - `valid/`: templates cfn-lint 1.58.0 accepts (checked by
//!   `validate_cfn_lint.rs`); hagen must report no errors on them.

use std::fs;
use std::path::{Path, PathBuf};

use hagen::template::parse::parse_template;
use hagen::validate::{Options, Severity, check_parsed};

fn corpus(kind: &str) -> Vec<PathBuf> {
    let dir = crate::tools::repo_root().join("tests/corpus").join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no templates in {}", dir.display());
    files
}

/// (rule, line, column) of every finding worth a warning or more.
fn findings(path: &Path) -> Vec<(String, usize, usize)> {
    let text = fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy();
    let parsed = parse_template(&text, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let report = check_parsed(
        &parsed,
        &Options {
            strict: false,
            body_size: Some(text.len()),
            through_s3: false,
        },
    );
    let mut found: Vec<(String, usize, usize)> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| {
            let at = parsed.locations.nearest(&d.path);
            (d.rule.clone(), at.line, at.column)
        })
        .collect();
    found.sort();
    found
}

fn expected(path: &Path) -> Vec<(String, usize, usize)> {
    let text = fs::read_to_string(path).unwrap();
    let mut out: Vec<(String, usize, usize)> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|spec| {
            let (rule, at) = spec
                .split_once(" at ")
                .unwrap_or_else(|| panic!("{}: bad expect line {spec:?}", path.display()));
            let (line, column) = at.trim().split_once(':').unwrap();
            (
                rule.trim().to_owned(),
                line.parse().unwrap(),
                column.parse().unwrap(),
            )
        })
        .collect();
    assert!(!out.is_empty(), "{}: no '# expect:' header", path.display());
    out.sort();
    out
}

#[test]
fn every_broken_template_gets_its_rule_at_its_place_and_nothing_else() {
    let mut failures = Vec::new();
    for path in corpus("broken") {
        let want = expected(&path);
        let got = findings(&path);
        if want != got {
            failures.push(format!(
                "{}:\n  expected {want:?}\n  found    {got:?}",
                path.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_broken_corpus_covers_every_rule_family() {
    let mut rules: Vec<String> = corpus("broken")
        .iter()
        .flat_map(|p| expected(p).into_iter().map(|(r, _, _)| r))
        .collect();
    rules.sort();
    rules.dedup();
    for family in ["HG0", "HG1", "HG2", "HG3", "HG4", "HG5", "HG6"] {
        assert!(
            rules.iter().any(|r| r.starts_with(family)),
            "no {family}xx template"
        );
    }
}

#[test]
fn valid_templates_get_no_errors() {
    let mut failures = Vec::new();
    for path in corpus("valid") {
        let text = fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let parsed = match parse_template(&text, &name) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let report = check_parsed(
            &parsed,
            &Options {
                strict: false,
                body_size: Some(text.len()),
                through_s3: false,
            },
        );
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
        {
            let at = parsed.locations.nearest(&d.path);
            failures.push(format!(
                "{name}:{}:{}: {} {}",
                at.line, at.column, d.rule, d.message
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "false alarms:\n{}",
        failures.join("\n")
    );
}
