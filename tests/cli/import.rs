//! `hagen import` end to end: every template of the round-trip corpus is
//! imported by the binary, the crates are built, and each one's
//! synthesized template must equal its input (semantically: the IR of
//! both, numbers and their spelling alike). Then one crate goes through
//! the command's own `--check`, and a crate that cannot build is reported
//! with exit 12.
//!
//! The corpus: both SwiftCode snapshots, the two example blueprints'
//! snapshots, every valid template of `tests/corpus`, the CDK- and
//! troposphere-written templates and AWS's sample templates under
//! `tests/import` (see its SOURCES.md).
//!
//! Harness choices (not the product's): the imported blueprints are
//! compiled into one umbrella binary that runs each one's `synth` through
//! `hagen::cli::run`, so hagen is compiled once and one binary is linked
//! instead of one per template; the builds use their own target directory
//! under `target/`, since the outer `cargo test` holds the main one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use hagen::import::compare::differences;
use hagen::template::parse::parse_template;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A target directory of these tests' own, beside the main one.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/debug/deps/cli-HASH
    let target = exe
        .ancestors()
        .nth(3)
        .expect("the test binary is under target/<profile>/deps");
    target.join("import-round-trip")
}

/// Every template of the round-trip corpus, as (crate name, file,
/// whether to import it with `--constructs`). The snapshots of blueprints
/// built from hagen's constructs are imported both ways.
fn corpus(scratch: &Path) -> Vec<(String, PathBuf, bool)> {
    let repo = repo();
    let mut files = Vec::new();
    for snap in [
        "swiftcode-stage",
        "swiftcode-prod",
        "static-site-stage",
        "custom-blueprint-stage",
    ] {
        let text = std::fs::read_to_string(repo.join(format!("snapshots/{snap}.snap")))
            .expect("snapshot readable");
        // An insta snapshot: a `---` header, then the template.
        let body = text.splitn(3, "---\n").nth(2).expect("snapshot body");
        let path = scratch.join(format!("{snap}.yaml"));
        std::fs::write(&path, body).expect("write template");
        files.push(path);
    }
    for dir in [
        "tests/corpus/valid",
        "tests/import",
        "tests/import/aws-samples",
    ] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(repo.join(dir))
            .expect("corpus folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
            })
            .collect();
        found.sort();
        files.extend(found);
    }
    let mut out = Vec::new();
    for p in files {
        let name = format!("t-{}", hagen::import::crate_name(&p.to_string_lossy()));
        if p.starts_with(scratch) {
            out.push((format!("{name}-constructs"), p.clone(), true));
        }
        out.push((name, p, false));
    }
    out
}

fn hagen() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("hagen").expect("the hagen binary is built")
}

/// cargo, with the shared lock file so that no dependency is newer than
/// hagen's own.
fn cargo_build(dir: &Path) -> std::process::Output {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("cargo runs")
}

#[test]
fn every_corpus_template_round_trips_through_its_imported_crate() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let work = scratch.path().join("crates");
    std::fs::create_dir_all(&work).expect("mkdir");
    let corpus = corpus(scratch.path());
    assert!(corpus.len() >= 27, "the corpus shrank: {}", corpus.len());
    let mut modules = String::new();
    let mut calls = String::new();
    let mut rows = Vec::new();
    for (name, file, constructs) in &corpus {
        let started = Instant::now();
        let out = hagen()
            .arg("import")
            .arg(file)
            .args(constructs.then_some("--constructs"))
            .args(["--no-check", "--name", name, "-o"])
            .arg(work.join(name))
            .arg("--hagen-path")
            .arg(repo())
            .output()
            .expect("hagen runs");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "import of {}: {stderr}",
            file.display()
        );
        let import_ms = started.elapsed().as_millis();
        let blueprint = work.join(name).join("src/blueprint.rs");
        let code = std::fs::read_to_string(&blueprint).expect("blueprint written");
        let type_name = code
            .lines()
            .find_map(|l| l.strip_prefix("pub struct ")?.strip_suffix(';'))
            .expect("the blueprint type")
            .to_owned();
        let module = name.replace('-', "_");
        modules.push_str(&format!(
            "#[path = {:?}]\nmod {module};\n",
            blueprint.display().to_string()
        ));
        calls.push_str(&format!(
            "    synth(&{module}::{type_name}, {name:?}, &out_dir);\n"
        ));
        rows.push((name.clone(), file.clone(), stderr, import_ms));
    }
    // The umbrella crate: every service feature any imported crate asked for.
    let mut features = std::collections::BTreeSet::new();
    for (name, ..) in &rows {
        let toml = std::fs::read_to_string(work.join(name).join("Cargo.toml")).expect("toml");
        let line = toml
            .lines()
            .find(|l| l.starts_with("hagen = "))
            .expect("hagen dependency");
        let list = line.split("features = [").nth(1).expect("features");
        for f in list
            .trim_end_matches(" }")
            .trim_end_matches(']')
            .split(", ")
        {
            features.insert(f.trim_matches('"').to_owned());
        }
    }
    let umbrella = scratch.path().join("umbrella");
    std::fs::create_dir_all(umbrella.join("src")).expect("mkdir");
    let features: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    std::fs::write(
        umbrella.join("Cargo.toml"),
        format!(
            "[package]\nname = \"umbrella\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nhagen = {{ path = {:?}, features = [{}] }}\n\n[workspace]\n",
            repo().display().to_string(),
            features.join(", ")
        ),
    )
    .expect("write umbrella");
    std::fs::copy(repo().join("Cargo.lock"), umbrella.join("Cargo.lock")).expect("lock");
    std::fs::write(
        umbrella.join("src/main.rs"),
        format!(
            "#![recursion_limit = \"512\"]\n#![allow(dead_code)]\n{modules}\nfn synth<B: hagen::blueprint::Blueprint>(b: &B, name: &str, dir: &std::path::Path) {{\n    let mut out = Vec::new();\n    let mut err = Vec::new();\n    let code = hagen::cli::run(b, [\"hagen\", \"synth\", \"--format\", \"json\"], &mut out, &mut err);\n    std::fs::write(dir.join(format!(\"{{name}}.json\")), out).expect(\"write\");\n    std::fs::write(dir.join(format!(\"{{name}}.err\")), format!(\"exit {{code}}\\n{{}}\", String::from_utf8_lossy(&err))).expect(\"write\");\n}}\n\nfn main() {{\n    let out_dir = std::path::PathBuf::from(std::env::args().nth(1).expect(\"output dir\"));\n{calls}}}\n"
        ),
    )
    .expect("write main");
    let started = Instant::now();
    let build = cargo_build(&umbrella);
    assert!(
        build.status.success(),
        "the imported blueprints do not compile:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let build_s = started.elapsed().as_secs_f64();
    let out_dir = scratch.path().join("out");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let run = Command::new(target_dir().join("debug/umbrella"))
        .arg(&out_dir)
        .output()
        .expect("umbrella runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let mut failures = Vec::new();
    let mut resources = 0;
    let mut types = std::collections::BTreeSet::new();
    let mut files = std::collections::BTreeSet::new();
    eprintln!("template | resources | types | raw | overrides | import ms");
    for (name, file, stderr, import_ms) in &rows {
        let input = std::fs::read_to_string(file).expect("read");
        let expected = parse_template(&input, &file.to_string_lossy())
            .expect("corpus template parses")
            .template;
        if files.insert(file.clone()) {
            resources += expected.resources.len();
            types.extend(expected.resources.values().map(|r| r.resource_type.clone()));
        }
        let err = std::fs::read_to_string(out_dir.join(format!("{name}.err"))).expect("err");
        let json = std::fs::read_to_string(out_dir.join(format!("{name}.json"))).expect("json");
        let summary = stderr.lines().next().unwrap_or("");
        eprintln!("{} | {summary} | {import_ms}", file.display());
        if !err.starts_with("exit 0") {
            failures.push(format!("{}: synth refused: {err}", file.display()));
            continue;
        }
        let actual = parse_template(&json, "synth")
            .expect("synth prints a template")
            .template;
        let d = differences(&expected, &actual);
        if !d.is_empty() {
            failures.push(format!(
                "{}: {} differences, first: {:?}",
                file.display(),
                d.len(),
                &d[..d.len().min(5)]
            ));
        }
    }
    eprintln!(
        "{} templates ({} imports), {resources} resources, {} resource types; umbrella build {build_s:.1} s",
        files.len(),
        rows.len(),
        types.len()
    );
    assert!(
        failures.is_empty(),
        "round trip failed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn import_checks_its_own_round_trip_and_says_when_it_cannot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = repo().join("tests/import/aws-samples/LambdaSample.yaml");
    let out = hagen()
        .arg("import")
        .arg(&file)
        .arg("-o")
        .arg(dir.path().join("lambda"))
        .arg("--hagen-path")
        .arg(repo())
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("hagen runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("round trip: the crate reproduces the template"),
        "{stderr}"
    );
    assert!(
        dir.path().join("lambda/Cargo.lock").is_file(),
        "the checkout's lock is copied"
    );

    // A crate that cannot build (hagen is not where it says) is exit 12,
    // and the crate stays for the user to look at.
    let out = hagen()
        .arg("import")
        .arg(&file)
        .arg("-o")
        .arg(dir.path().join("broken"))
        .arg("--hagen-path")
        .arg(dir.path().join("no-hagen-here"))
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("hagen runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(12), "{stderr}");
    assert!(stderr.contains("failed with"), "{stderr}");
    assert!(dir.path().join("broken/src/blueprint.rs").is_file());

    // An output directory in the way is refused before anything is written.
    let out = hagen()
        .arg("import")
        .arg(&file)
        .args(["--no-check", "-o"])
        .arg(dir.path().join("lambda"))
        .output()
        .expect("hagen runs");
    assert_eq!(out.status.code(), Some(8));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

/// A small stack with a parameter, a stack tag and references between
/// resources, as a user would have deployed it by hand.
const DEPLOYED: &str = "\
Parameters:
  TopicName:
    Type: String
  Retention:
    Type: Number
    Default: 30
Resources:
  Archive:
    Type: AWS::S3::Bucket
    DeletionPolicy: Delete
    Properties:
      LifecycleConfiguration:
        Rules:
          - Id: Expire
            Status: Enabled
            ExpirationInDays: !Ref Retention
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref TopicName
      DisplayName: !Sub '${TopicName} (archive in ${Archive})'
Outputs:
  ArchiveArn:
    Value: !GetAtt Archive.Arn
";

/// `hagen` against `endpoint`, its crate builds in this test's target.
fn hagen_on(dir: &Path, endpoint: &str) -> assert_cmd::Command {
    let mut cmd = crate::support::aws::hagen_cli(dir, endpoint);
    cmd.env("CARGO_TARGET_DIR", target_dir());
    cmd
}

/// The promise on an emulator: a stack deployed by hand, imported
/// with `--stack`, deploys back with no changes. The imported crate's
/// template (its `synth`) goes through the `hagen` binary's deploy with the
/// crate's own `hagen.toml`, which is what the crate's `deploy` runs; the
/// crate is not built a second time with the AWS SDK (minutes on two
/// cores) only to link the same code.
#[test]
fn an_imported_stack_deploys_back_with_no_changes_on_localstack() {
    let ls = crate::support::emulator::Emulator::localstack();
    let ep = ls.endpoint();
    let dir = tempfile::tempdir().expect("temp dir");
    let stack = crate::support::aws::stack_name("imported");
    std::fs::write(dir.path().join("orders.yaml"), DEPLOYED).expect("write template");
    let topic = format!("{stack}-topic");
    let deployed = hagen_on(dir.path(), &ep)
        .args([
            "deploy",
            "--template",
            "orders.yaml",
            "--stack-name",
            &stack,
            "--yes",
        ])
        .args(["--parameter", &format!("TopicName={topic}")])
        .args(["--tag", "Team=orders"])
        .output()
        .expect("hagen runs");
    assert!(
        deployed.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&deployed.stdout),
        String::from_utf8_lossy(&deployed.stderr)
    );

    let imported = hagen_on(dir.path(), &ep)
        .args(["import", "--stack", &stack, "-o", "orders"])
        .arg("--hagen-path")
        .arg(repo())
        .output()
        .expect("hagen runs");
    let stderr = String::from_utf8_lossy(&imported.stderr);
    assert_eq!(imported.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("round trip: the crate reproduces the template"),
        "{stderr}"
    );
    let crate_dir = dir.path().join("orders");
    let toml = std::fs::read_to_string(crate_dir.join("hagen.toml")).expect("hagen.toml");
    assert!(toml.contains(&format!("TopicName = \"{topic}\"")), "{toml}");
    assert!(toml.contains("Retention = \"30\""), "{toml}");
    assert!(toml.contains("Team = \"orders\""), "{toml}");
    let code = std::fs::read_to_string(crate_dir.join("src/blueprint.rs")).expect("blueprint");
    assert!(
        code.contains(&format!("{stack:?}")),
        "deploys back to the same stack:\n{code}"
    );

    let synth = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["run", "--quiet", "--", "synth", "-o", "synth.yaml"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("cargo runs");
    assert!(
        synth.status.success(),
        "{}",
        String::from_utf8_lossy(&synth.stderr)
    );
    // `hagen diff` compares the YAML text with its keys in order: the
    // typed resources write their properties in their own order, so the
    // only lines it shows are the same lines moved.
    let diff = hagen_on(&crate_dir, &ep)
        .args(["diff", "--template", "synth.yaml", "--stack-name", &stack])
        .args(["-c", "hagen.toml", "-e", "imported"])
        .output()
        .expect("hagen runs");
    let out = String::from_utf8_lossy(&diff.stdout);
    let err = String::from_utf8_lossy(&diff.stderr);
    assert_eq!(diff.status.code(), Some(0), "{out}\n{err}");
    let moved = |sign: char| {
        let mut lines: Vec<String> = out
            .lines()
            .filter(|l| l.starts_with(sign) && !l.starts_with(&sign.to_string().repeat(3)))
            .map(|l| l[1..].trim().trim_start_matches("- ").to_owned())
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(
        moved('-'),
        moved('+'),
        "more than key order differs:\n{out}"
    );
    // The deploy changes no resource. CloudFormation answers a template
    // that differs only in its spelling with "no changes"; LocalStack makes
    // an empty change set instead, which hagen reports as such.
    let again = hagen_on(&crate_dir, &ep)
        .args([
            "deploy",
            "--template",
            "synth.yaml",
            "--stack-name",
            &stack,
            "--yes",
        ])
        .args(["-c", "hagen.toml", "-e", "imported"])
        .output()
        .expect("hagen runs");
    let out = String::from_utf8_lossy(&again.stdout);
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains("no changes") || out.contains(": 0 resource changes"),
        "{out}\n{err}"
    );
    for resource in ["Archive", "Topic"] {
        assert!(
            !out.lines()
                .any(|l| l.contains(&format!(" {resource} ")) && l.contains("UPDATE")),
            "{resource} was updated:\n{out}"
        );
    }
}
