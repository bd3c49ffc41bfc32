//! Terminal manners of the `hagen` binary: `--color` honoured through
//! pipes and against `NO_COLOR`, shell completions and manual pages for
//! hagen's own binary and for a user's blueprint binary.

use std::path::Path;

use assert_cmd::Command;
use clap::CommandFactory;

/// `hagen` in `dir` with a clean colour environment.
fn hagen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hagen").expect("the hagen binary is built");
    cmd.current_dir(dir)
        .env_remove("HAGEN_ENV")
        .env_remove("HAGEN_CONFIG")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    cmd
}

/// A template with an error, so validate prints a coloured finding.
fn bad_template(dir: &Path) -> String {
    let path = dir.join("stack.yaml");
    std::fs::write(
        &path,
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicNam: x\n",
    )
    .expect("template written");
    path.to_str().expect("utf-8 path").to_owned()
}

fn validate_stdout(cmd: &mut Command) -> String {
    let out = cmd.output().expect("hagen runs");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

const ESC: char = '\u{1b}';

#[test]
fn regression_color_always_colours_when_piped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = bad_template(dir.path());
    // assert_cmd captures stdout: a pipe, not a terminal.
    let always = validate_stdout(hagen(dir.path()).args(["validate", "--color", "always", &file]));
    assert!(
        always.contains(ESC),
        "no colour with --color always:\n{always}"
    );
    // The flag is global: before the subcommand too.
    let before = validate_stdout(hagen(dir.path()).args(["--color=always", "validate", &file]));
    assert!(before.contains(ESC), "{before}");
    let auto = validate_stdout(hagen(dir.path()).args(["validate", &file]));
    assert!(!auto.contains(ESC), "auto must not colour a pipe:\n{auto}");
}

#[test]
fn regression_no_color_does_not_override_color_always() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = bad_template(dir.path());
    let always = validate_stdout(
        hagen(dir.path())
            .env("NO_COLOR", "1")
            .args(["validate", "--color", "always", &file]),
    );
    assert!(
        always.contains(ESC),
        "NO_COLOR beat --color always:\n{always}"
    );
    let never = validate_stdout(
        hagen(dir.path())
            .env("CLICOLOR_FORCE", "1")
            .args(["validate", "--color", "never", &file]),
    );
    assert!(!never.contains(ESC), "--color never coloured:\n{never}");
}

/// hagen's subcommands as users type them.
fn subcommands() -> Vec<String> {
    hagen::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect()
}

#[test]
fn the_bash_completion_script_mentions_every_subcommand() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = hagen(dir.path())
        .args(["completions", "bash"])
        .output()
        .expect("hagen runs");
    assert!(out.status.success(), "{out:?}");
    let script = String::from_utf8(out.stdout).expect("utf-8");
    for sub in subcommands() {
        assert!(script.contains(&sub), "{sub} missing from the bash script");
    }
    assert!(
        script.contains("--allow-replace"),
        "deploy's flags complete"
    );
    assert!(script.contains("complete -F"), "{script}");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = hagen(dir.path())
            .args(["completions", shell])
            .output()
            .expect("hagen runs");
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "{shell}: {out:?}"
        );
    }
}

#[test]
fn the_man_page_renders_and_names_every_flag_of_deploy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pages = dir.path().join("man");
    let out = hagen(dir.path())
        .args(["man", "-o", pages.to_str().expect("utf-8")])
        .output()
        .expect("hagen runs");
    assert!(out.status.success(), "{out:?}");
    let top = std::fs::read_to_string(pages.join("hagen.1")).expect("hagen.1");
    assert!(top.starts_with(".ie") || top.contains(".TH hagen"), "{top}");
    for sub in subcommands() {
        assert!(
            pages.join(format!("hagen-{sub}.1")).is_file(),
            "no page for {sub}"
        );
    }
    let deploy = std::fs::read_to_string(pages.join("hagen-deploy.1")).expect("hagen-deploy.1");
    let text = deploy.replace("\\-", "-");
    let cmd = hagen::cli::Cli::command();
    let deploy_cmd = cmd.find_subcommand("deploy").expect("deploy");
    let mut longs = 0;
    for arg in deploy_cmd.get_arguments() {
        if let Some(long) = arg.get_long() {
            longs += 1;
            assert!(
                text.contains(&format!("--{long}")),
                "--{long} missing:\n{text}"
            );
        }
    }
    assert!(longs > 15, "deploy has its flags ({longs})");
    // Without -o, the program's page goes to stdout.
    let out = hagen(dir.path()).arg("man").output().expect("hagen runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(".TH hagen"));
}

#[test]
fn a_user_blueprint_gets_completions_and_man_pages_under_its_own_name() {
    let blueprint = crate::custom_blueprint::ReportingDatabase;
    let name = hagen::blueprint::Blueprint::command_name(&blueprint).to_owned();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = hagen::cli::run(
        &blueprint,
        [name.as_str(), "completions", "bash"],
        &mut out,
        &mut err,
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let script = String::from_utf8(out).expect("utf-8");
    assert!(script.contains(&format!("complete -F _{name}")), "{script}");
    let dir = tempfile::tempdir().expect("temp dir");
    let pages = dir.path().to_str().expect("utf-8").to_owned();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = hagen::cli::run(
        &blueprint,
        [name.as_str(), "man", "-o", &pages],
        &mut out,
        &mut err,
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let top = std::fs::read_to_string(dir.path().join(format!("{name}.1"))).expect("its page");
    assert!(top.contains(&format!(".TH {name}")), "{top}");
    assert!(dir.path().join(format!("{name}-deploy.1")).is_file());
}
