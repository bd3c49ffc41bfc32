//! AWS errors a person can act on: each condition set up as a user meets
//! it (environment variables, temporary AWS config files, an SSO session
//! with an expired cached token; AccessDenied and throttling from the
//! fault proxy, which neither emulator produces) gives one or two lines
//! with the fix and the AWS exit code, never the SDK's `Debug` dump;
//! `--verbose` adds the SDK's detail.

use crate::support;

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::fault_proxy::{Fault, FaultProxy, Rule};
use support::templates;

const AWS_ERROR: i32 = 7;

/// `hagen deploy` in `dir` with nothing of the caller's AWS setup: HOME is
/// `dir`, the AWS files are `dir/config` and `dir/credentials`, instance
/// metadata is off.
fn hagen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hagen").expect("the hagen binary is built");
    cmd.current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        // SwiftCode's template goes through S3; the bucket is never reached.
        .args(["deploy", "--changeset", "--stack-name", "hagen-errors"])
        .args(["--bucket", "hagen-templates"]);
    cmd
}

/// Runs it; (exit code, stderr, seconds taken).
fn run(cmd: &mut Command) -> (i32, String, f64) {
    let start = Instant::now();
    let out = cmd
        .timeout(Duration::from_secs(120))
        .output()
        .expect("hagen runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        start.elapsed().as_secs_f64(),
    )
}

/// The error part of stderr (synth notices come first) is one line of
/// message, one of fix and at most one hint, with no Rust `Debug` output.
fn assert_short(err: &str) -> Vec<&str> {
    let lines: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.starts_with("error: "))
        .collect();
    assert!(!lines.is_empty(), "no error line:\n{err}");
    assert!(lines.len() <= 3, "more than message, fix and hint:\n{err}");
    for dump in [
        "DispatchFailure",
        "ConnectorError",
        "source:",
        "Some(",
        " { ",
    ] {
        assert!(!err.contains(dump), "a Debug dump ({dump}):\n{err}");
    }
    lines
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

#[test]
fn regression_an_expired_sso_token_says_aws_sso_login() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("config"),
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n",
    )
    .expect("config");
    // The SDK caches a session's token under the SHA-1 of its name ("corp").
    let cache = dir.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).expect("cache dir");
    std::fs::write(
        cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        r#"{"accessToken":"expired","expiresAt":"2024-01-01T00:00:00Z","region":"eu-west-1","startUrl":"https://example.awsapps.com/start"}"#,
    )
    .expect("token");
    let (code, err, _) = run(hagen(dir.path()).args(["--profile", "dev"]));
    assert_eq!(code, AWS_ERROR, "{err}");
    let lines = assert_short(&err);
    assert!(
        lines[0].starts_with("error: the AWS SSO session has expired or was never started"),
        "{err}"
    );
    assert!(
        err.contains("to fix: run `aws sso login --profile dev`, then run hagen again"),
        "{err}"
    );
}

#[test]
fn regression_no_region_says_pass_region() {
    let dir = tempdir();
    let (code, err, _) = run(hagen(dir.path())
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret"));
    assert_eq!(code, AWS_ERROR, "{err}");
    let lines = assert_short(&err);
    assert_eq!(lines[0], "error: no AWS region is set", "{err}");
    assert!(
        err.contains("to fix: pass --region REGION, set AWS_REGION, or set `region` for the environment in hagen.toml"),
        "{err}"
    );
}

#[test]
fn regression_an_unknown_region_fails_at_once() {
    let dir = tempdir();
    let (code, err, seconds) = run(hagen(dir.path())
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .args(["--region", "us-est-1"]));
    assert_eq!(code, AWS_ERROR, "{err}");
    let lines = assert_short(&err);
    assert_eq!(lines[0], "error: unknown AWS region \"us-est-1\"", "{err}");
    assert!(err.contains("did you mean --region us-east-1?"), "{err}");
    // No request is made: far below the 5 s the DNS lookups used to take.
    assert!(seconds < 4.0, "took {seconds:.1} s");
}

#[test]
fn no_credentials_say_how_to_configure_them() {
    let dir = tempdir();
    let (code, err, _) = run(hagen(dir.path()).args(["--region", "us-east-1"]));
    assert_eq!(code, AWS_ERROR, "{err}");
    let lines = assert_short(&err);
    assert!(
        lines[0].starts_with("error: no AWS credentials found"),
        "{err}"
    );
    assert!(err.contains("`aws configure`"), "{err}");
    assert!(err.contains("--profile NAME"), "{err}");
    assert!(err.contains("AWS_ACCESS_KEY_ID"), "{err}");
}

#[test]
fn a_profile_that_does_not_exist_is_named_with_the_ones_found() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("config"),
        "[default]\nregion = us-east-1\n[profile staging]\nregion = eu-west-1\n",
    )
    .expect("config");
    let (code, err, _) = run(hagen(dir.path()).args(["--profile", "prod"]));
    assert_eq!(code, AWS_ERROR, "{err}");
    let lines = assert_short(&err);
    assert_eq!(
        lines[0], "error: AWS profile \"prod\" does not exist (profiles found: default, staging)",
        "{err}"
    );
    assert!(err.contains("--profile default"), "{err}");
}

#[test]
fn regression_aws_errors_are_not_debug_dumps() {
    let dir = tempdir();
    let unreachable = format!("http://127.0.0.1:{}", support::emulator::free_port());
    let mut cmd = hagen(dir.path());
    cmd.env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .args(["--region", "us-east-1", "--endpoint-url", &unreachable]);
    let (code, err, _) = run(&mut cmd);
    assert_eq!(code, AWS_ERROR, "{err}");
    let lines = assert_short(&err);
    assert!(
        lines[0].starts_with("error: cannot reach AWS (DescribeStacks"),
        "{err}"
    );
    assert!(lines[0].len() < 200, "one short line: {}", lines[0]);
    assert!(err.contains("to fix: check the network"), "{err}");
    assert!(err.contains("run with --verbose"), "{err}");

    let (code, verbose, _) = run(cmd.arg("--verbose"));
    assert_eq!(code, AWS_ERROR, "{verbose}");
    assert!(verbose.contains("  detail: dispatch failure"), "{verbose}");
}

fn deploy_through(proxy: &FaultProxy, scenario: &str) -> Run {
    let ep = proxy.endpoint();
    let stack = aws::stack_name(scenario);
    aws::within(Duration::from_secs(300), move || {
        aws::deploy(
            &ep,
            &stack,
            &templates::network(Some("ami-1")),
            &["--yes"],
            &[],
        )
    })
}

#[test]
fn access_denied_names_the_action_and_the_principal() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "CreateChangeSet",
            1,
            Fault::Error {
                status: 403,
                code: "AccessDenied".into(),
                message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:CreateChangeSet on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/web/* because no identity-based policy allows the cloudformation:CreateChangeSet action".into(),
            },
        )],
    );
    let run = deploy_through(&proxy, "denied");
    assert_eq!(run.code, 7, "{}", run.all());
    let lines = assert_short(&run.err);
    assert_eq!(
        lines[0],
        "error: access denied: arn:aws:iam::123456789012:user/ci may not call cloudformation:CreateChangeSet",
        "{}",
        run.all()
    );
    assert!(
        run.err
            .contains("to fix: grant cloudformation:CreateChangeSet to that principal"),
        "{}",
        run.all()
    );
}

#[test]
fn throttling_beyond_the_retries_says_to_wait() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on("DescribeStacks", usize::MAX, Fault::Throttle)],
    );
    let run = deploy_through(&proxy, "throttled");
    assert_eq!(run.code, 7, "{}", run.all());
    let lines = assert_short(&run.err);
    assert!(
        lines[0].starts_with("error: AWS kept throttling the requests after 5 attempts"),
        "{}",
        run.all()
    );
    assert!(run.err.contains("to fix: wait a minute"), "{}", run.all());
    assert_eq!(
        proxy
            .log()
            .iter()
            .filter(|s| s.action == "DescribeStacks")
            .count(),
        5
    );
}
