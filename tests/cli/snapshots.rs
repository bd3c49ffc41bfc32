//! Every blueprint's templates as users get them, pinned whole: any change
//! to what `hagen synth` prints shows up as a snapshot diff to review (by
//! reading it) in `snapshots/`: SwiftCode's stage and prod, and the example
//! blueprints' stage (each stack of the `fleet` app). Every snapshot must also read back (with hagen's own
//! parser, as `hagen validate` reads it) into exactly the IR it was printed
//! from.

use hagen::blueprint::{self, Blueprint};
use hagen::config::Config;
use hagen::template::Template;
use hagen::template::parse::parse_template;

/// A blueprint's template in a built-in environment.
fn synth_of<B: Blueprint>(bp: &B, env: &str) -> Template {
    let resolved = blueprint::resolve(bp, &Config::builtin(), Some(env)).expect("built in");
    blueprint::synthesize(bp, &resolved)
        .expect("the blueprint builds")
        .template
}

/// The SwiftCode template of a built-in environment.
fn synth(env: &str) -> Template {
    synth_of(&swiftcode::SwiftCode, env)
}

/// The template a snapshot file is named after (`static-site-stage.snap`).
fn synth_named(name: &str) -> Option<Template> {
    let stem = name.strip_suffix(".snap")?;
    if let Some(env) = stem.strip_prefix("swiftcode-") {
        return Some(synth(env));
    }
    if let Some(env) = stem.strip_prefix("custom-blueprint-") {
        return Some(synth_of(&crate::custom_blueprint::ReportingDatabase, env));
    }
    if let Some(env) = stem.strip_prefix("static-site-") {
        return Some(synth_of(&crate::static_site::StaticSite, env));
    }
    if let Some(stack) = stem.strip_prefix("fleet-stage-") {
        return fleet_stage()
            .into_iter()
            .find(|(id, _)| id == stack)
            .map(|(_, t)| t);
    }
    None
}

/// Every stack of the `fleet` app in stage (5 tiers: `network`, `tiers-1`).
fn fleet_stage() -> Vec<(String, Template)> {
    let bp = crate::fleet::Fleet;
    let resolved = blueprint::resolve(&bp, &Config::builtin(), Some("stage")).expect("built in");
    blueprint::synthesize_app(&bp, &resolved)
        .expect("the app builds")
        .app
        .stacks
        .into_iter()
        .map(|s| (s.id, s.template))
        .collect()
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

#[test]
fn custom_blueprint_stage_yaml() {
    let t = synth_of(&crate::custom_blueprint::ReportingDatabase, "stage");
    snapshot_settings().bind(|| insta::assert_snapshot!("custom-blueprint-stage", t.to_yaml()));
}

#[test]
fn fleet_stage_yaml_per_stack() {
    let stacks = fleet_stage();
    assert_eq!(
        stacks.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ["network", "tiers-1"]
    );
    for (id, t) in stacks {
        snapshot_settings()
            .bind(|| insta::assert_snapshot!(format!("fleet-stage-{id}"), t.to_yaml()));
    }
}

#[test]
fn static_site_stage_yaml() {
    let t = synth_of(&crate::static_site::StaticSite, "stage");
    snapshot_settings().bind(|| insta::assert_snapshot!("static-site-stage", t.to_yaml()));
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
        let Some(expected) = synth_named(name) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("readable snapshot");
        let parsed = parse_template(snapshot_body(&text), name)
            .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        assert!(parsed.problems.is_empty(), "{name}: {:?}", parsed.problems);
        assert!(
            parsed.template == expected,
            "{name} reads back as a different template than its blueprint builds"
        );
        seen.push(name.to_owned());
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "custom-blueprint-stage.snap",
            "fleet-stage-network.snap",
            "fleet-stage-tiers-1.snap",
            "static-site-stage.snap",
            "swiftcode-prod.snap",
            "swiftcode-stage.snap"
        ],
        "one snapshot per blueprint and environment"
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
