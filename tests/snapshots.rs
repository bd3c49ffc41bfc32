//! The SwiftCode templates as users get them, pinned whole: any change to
//! what `hagen synth` prints for stage or prod shows up as a snapshot diff
//! to review (by reading it) in `snapshots/`.

#[path = "../blueprints/swiftcode.rs"]
mod swiftcode;

use hagen::blueprint;
use hagen::config::Config;
use hagen::template::Template;

/// The SwiftCode template of a built-in environment.
fn synth(env: &str) -> Template {
    let bp = swiftcode::SwiftCode;
    let settings = blueprint::settings(&bp, &Config::builtin(), Some(env)).expect("built in");
    blueprint::synthesize(&bp, settings)
        .expect("SwiftCode builds")
        .template
}

/// Snapshots live in the top-level `snapshots/` folder, named after the
/// template alone.
fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
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
