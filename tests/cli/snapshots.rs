//! The SwiftCode templates as users get them, pinned whole: any change to
//! what `hagen synth` prints for stage or prod shows up as a snapshot diff
//! to review (by reading it) in `snapshots/`. Every snapshot must also read
//! back (with hagen's own parser, as `hagen validate` reads it) into exactly
//! the IR it was printed from.

use hagen::blueprint;
use hagen::config::Config;
use hagen::template::Template;
use hagen::template::parse::parse_template;

/// The SwiftCode template of a built-in environment.
fn synth(env: &str) -> Template {
    let bp = swiftcode::SwiftCode;
    let resolved = blueprint::resolve(&bp, &Config::builtin(), Some(env)).expect("built in");
    blueprint::synthesize(&bp, &resolved)
        .expect("SwiftCode builds")
        .template
}

/// Snapshots live in the top-level `snapshots/` folder, named after the
/// template alone.
fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

#[test]
fn swiftcode_stage_yaml() {
    snapshot_settings()
        .bind(|| insta::assert_snapshot!("swiftcode-stage", synth("stage").to_yaml()));
}

#[test]
fn swiftcode_prod_yaml() {
    snapshot_settings().bind(|| insta::assert_snapshot!("swiftcode-prod", synth("prod").to_yaml()));
}

/// The snapshot's content: what follows insta's `---` header.
fn snapshot_body(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").expect("an insta header");
    let end = rest.find("\n---\n").expect("the end of the header");
    &rest[end + "\n---\n".len()..]
}

#[test]
fn every_snapshot_parses_back_to_the_ir_it_was_printed_from() {
    let dir = crate::tools::repo_root().join("snapshots");
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("snapshots/ exists") {
        let path = entry.expect("directory entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(env) = name
            .strip_prefix("swiftcode-")
            .and_then(|n| n.strip_suffix(".snap"))
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("readable snapshot");
        let parsed = parse_template(snapshot_body(&text), name)
            .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        assert!(parsed.problems.is_empty(), "{name}: {:?}", parsed.problems);
        assert!(
            parsed.template == synth(env),
            "{name} reads back as a different template than `synth {env}` builds"
        );
        seen.push(env.to_owned());
    }
    seen.sort();
    assert_eq!(
        seen,
        ["prod", "stage"],
        "one snapshot per built-in environment"
    );
}

#[test]
fn yaml_and_json_read_back_as_the_same_template() {
    for env in ["stage", "prod"] {
        let ir = synth(env);
        let from_yaml = parse_template(&ir.to_yaml(), "stack.yaml").expect("YAML parses");
        let from_json = parse_template(&ir.to_json(), "stack.json").expect("JSON parses");
        assert!(from_yaml.template == ir, "{env}: YAML round trip");
        assert!(from_json.template == ir, "{env}: JSON round trip");
    }
}
