//! `hagen graph` as users meet it: the drawings of SwiftCode's stage and
//! prod and of the example blueprint pinned as snapshots (SVG and DOT, in
//! `snapshots/graph-*.snap`, reviewed by reading them), and the command's
//! sources, formats, files and exit codes.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use hagen::blueprint::{self, Blueprint};
use hagen::config::Config;
use hagen::graph::{Format, render};
use hagen::template::Template;
use predicates::str::contains;

fn synth_of<B: Blueprint>(bp: &B, env: &str) -> Template {
    let resolved = blueprint::resolve(bp, &Config::builtin(), Some(env)).expect("built in");
    blueprint::synthesize(bp, &resolved)
        .expect("the blueprint builds")
        .template
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

fn pin(name: &str, template: &Template) {
    snapshot_settings().bind(|| {
        insta::assert_snapshot!(format!("graph-{name}-svg"), render(template, Format::Svg));
        insta::assert_snapshot!(format!("graph-{name}-dot"), render(template, Format::Dot));
    });
}

#[test]
fn graph_of_swiftcode_stage() {
    pin("swiftcode-stage", &synth_of(&swiftcode::SwiftCode, "stage"));
}

#[test]
fn graph_of_swiftcode_prod() {
    pin("swiftcode-prod", &synth_of(&swiftcode::SwiftCode, "prod"));
}

#[test]
fn graph_of_the_custom_blueprint() {
    pin(
        "custom-blueprint-stage",
        &synth_of(&crate::custom_blueprint::ReportingDatabase, "stage"),
    );
}

/// `hagen` run in `dir`, with no environment that could change its behaviour.
fn hagen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hagen").expect("the hagen binary is built");
    cmd.current_dir(dir)
        .env_remove("HAGEN_ENV")
        .env_remove("HAGEN_CONFIG")
        .env("NO_COLOR", "1");
    cmd
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

#[test]
fn graph_draws_the_blueprint_in_every_format() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["graph", "--env", "prod"])
        .assert()
        .success()
        .stdout(contains(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hagen-graph\"",
        ))
        .stdout(contains("data-lane=\"AZ2\""));
    hagen(dir.path())
        .args(["graph", "-f", "dot"])
        .assert()
        .success()
        .stdout(contains("digraph hagen {"))
        .stdout(contains("subgraph cluster_AZ1_private {"));
    hagen(dir.path())
        .args(["graph", "--format", "mermaid"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("flowchart TB\n"))
        .stdout(contains("subgraph AZ2_isolated[\"Isolated subnets\"]"));
}

#[test]
fn graph_writes_a_self_contained_page_named_by_its_extension() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["graph", "-o", "stack.html"])
        .assert()
        .success()
        .stdout("")
        .stderr(contains("wrote stack.html: 108 resources in "));
    let page = fs::read_to_string(dir.path().join("stack.html")).expect("written");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("<pre id=\"hagen-layout-report\"></pre>"));
    assert!(page.contains(hagen::graph::html::MEASURE_JS));
    assert!(page.contains("@media print"));
    assert!(!page.contains(" src=\"http") && !page.contains(" href=\"http"));
}

#[test]
fn graph_draws_any_template_file_or_stdin() {
    let dir = tempdir();
    let yaml = synth_of(&swiftcode::SwiftCode, "stage").to_yaml();
    fs::write(dir.path().join("stack.yaml"), &yaml).expect("written");
    let from_file = hagen(dir.path())
        .args(["graph", "--template", "stack.yaml", "-f", "dot"])
        .output()
        .expect("runs");
    assert!(from_file.status.success());
    let from_stdin = hagen(dir.path())
        .args(["graph", "-t", "-", "-f", "dot"])
        .write_stdin(yaml)
        .output()
        .expect("runs");
    assert!(from_stdin.status.success());
    assert_eq!(
        from_file.stdout, from_stdin.stdout,
        "same template, same bytes"
    );
    let blueprint = hagen(dir.path())
        .args(["graph", "-f", "dot"])
        .output()
        .expect("runs");
    assert_eq!(from_file.stdout, blueprint.stdout);
    // An environment chosen in the shell does not get in the way of a file.
    hagen(dir.path())
        .args(["graph", "--template", "stack.yaml", "-f", "dot"])
        .env("HAGEN_ENV", "prod")
        .assert()
        .success()
        .stdout(String::from_utf8(from_file.stdout).expect("utf-8"))
        .stderr(contains(
            "the environment and configuration are not used with --template",
        ));
}

#[test]
fn graph_help_names_the_formats_and_examples() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["graph", "--help"])
        .assert()
        .success()
        .stdout(contains("--template <FILE|->"))
        .stdout(contains("hagen graph --env prod -o prod.html"))
        .stdout(contains("mermaid"));
    hagen(dir.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("Draw the architecture: AZ lanes"));
}

#[test]
fn graph_exit_codes_are_the_other_commands() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["graph", "--template", "missing.yaml"])
        .assert()
        .code(4)
        .stderr(contains("cannot read missing.yaml"));
    hagen(dir.path())
        .args(["graph", "-t", "-"])
        .write_stdin("Resources: [\n")
        .assert()
        .code(4)
        .stdout("");
    hagen(dir.path())
        .args(["graph", "--env", "nowhere"])
        .assert()
        .code(2);
    hagen(dir.path())
        .args(["graph", "--bogus"])
        .assert()
        .code(2);
    hagen(dir.path())
        .args(["graph", "-o", "no/such/dir/stack.svg"])
        .assert()
        .code(8)
        .stderr(contains("nothing was written"));
}

#[test]
fn a_user_blueprint_gets_graph_through_the_library() {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = hagen::cli::run(
        &crate::custom_blueprint::ReportingDatabase,
        ["reports", "graph", "-f", "mermaid"],
        &mut out,
        &mut err,
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.starts_with("flowchart TB\n"), "{text}");
}

#[test]
fn swiftcode_flows_go_around_its_boxes() {
    use hagen::graph::{Diagram, layout::layout};
    for env in ["stage", "prod"] {
        let d = Diagram::of(&synth_of(&swiftcode::SwiftCode, env));
        let l = layout(&d);
        for (f, points) in d.flows.iter().zip(&l.flows) {
            for w in points.windows(2) {
                let ((x0, y0), (x1, y1)) = (w[0], w[1]);
                let steps = ((x1 - x0).abs() + (y1 - y0).abs()).max(1);
                for s in 0..=steps {
                    let (x, y) = (x0 + (x1 - x0) * s / steps, y0 + (y1 - y0) * s / steps);
                    for (n, r) in d.nodes.iter().zip(&l.boxes) {
                        let inside = r.x < x && x < r.right() && r.y < y && y < r.bottom();
                        assert!(
                            !inside || n.id == f.from || n.id == f.to,
                            "{env}: {} -> {} crosses {}",
                            f.from,
                            f.to,
                            n.id
                        );
                    }
                }
            }
        }
    }
}
