//! Output that CI acts on, against moto: `hagen diff --exit-code` and its
//! JSON document, `hagen deploy --format json` (JSON lines: every line an
//! object with a `type`, the outcome with its exit code, errors as
//! records), and `--outputs-file` on a deploy that changes nothing.

use crate::support;

use serde_json::Value;
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::templates;

use hagen::cli::exit;

/// Every stdout line of a JSON-lines run, parsed; fails the test when a
/// line is not a JSON object with a string `type`.
fn records(run: &Run) -> Vec<Value> {
    run.out
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}\n{}", run.all()));
            assert!(
                v["type"].is_string(),
                "a record without a type: {line}\n{}",
                run.all()
            );
            v
        })
        .collect()
}

fn of_type<'a>(records: &'a [Value], kind: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["type"] == kind).collect()
}

#[test]
fn deploy_json_lines_give_the_review_events_and_outcome_on_moto() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("json");
    let template = templates::network(None);
    let run = aws::deploy(
        &ep,
        &stack,
        &template,
        &[
            "--yes",
            "--format",
            "json",
            "--parameter",
            "ImageId=ami-0aaaaaaaaaaaaaaa1",
        ],
        &[],
    );
    assert_eq!(run.code, exit::OK, "{}", run.all());
    let all = records(&run);
    let reviews = of_type(&all, "review");
    assert_eq!(reviews.len(), 1, "{}", run.all());
    let review = reviews[0];
    assert_eq!(review["stack"], stack.as_str());
    assert_eq!(review["creates"], true);
    let rows = review["review"]["rows"].as_array().expect("rows");
    let sg = rows
        .iter()
        .find(|r| r["logical_id"] == "WebSg")
        .unwrap_or_else(|| panic!("WebSg in the review: {review}"));
    assert_eq!(sg["action"], "Add");
    assert_eq!(sg["resource_type"], "AWS::EC2::SecurityGroup");
    assert!(sg["replacement"].is_string() && sg["changed"].is_string());
    assert!(review["review"]["stateful"].is_array());
    assert!(review["review"]["security"].is_array());
    assert!(review["changes"].as_array().is_some_and(|c| !c.is_empty()));
    // moto 5.2.5 writes stack events only (no resource events).
    let events = of_type(&all, "event");
    assert!(
        events.iter().any(|e| e["logical_id"] == stack.as_str()
            && e["resource_type"] == "AWS::CloudFormation::Stack"
            && e["status"] == "CREATE_COMPLETE"
            && e["timestamp"].is_string()),
        "{}",
        run.all()
    );
    let last = all.last().expect("records");
    assert_eq!(last["type"], "outcome", "the outcome comes last");
    assert_eq!(last["outcome"], "deployed");
    assert_eq!(last["exit_code"], 0);
    assert_eq!(last["status"], "CREATE_COMPLETE");
    assert!(last["outputs"].is_array(), "{last}");
    assert!(of_type(&all, "error").is_empty(), "{}", run.all());
    // The text for people went to stderr.
    assert!(run.err.contains("CREATE_COMPLETE"), "{}", run.all());
}

#[test]
fn deploy_json_lines_report_every_error_as_a_record() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let template = templates::network(None);

    // A parameter without a default and no value: the library's error.
    let stack = aws::stack_name("json-error");
    let missing = aws::deploy(&ep, &stack, &template, &["--yes", "--format", "json"], &[]);
    assert_eq!(missing.code, exit::USAGE, "{}", missing.all());
    let all = records(&missing);
    let errors = of_type(&all, "error");
    assert_eq!(errors.len(), 1, "{}", missing.all());
    assert_eq!(errors[0]["exit_code"], exit::USAGE);
    assert!(
        errors[0]["message"].as_str().unwrap().contains("ImageId"),
        "{}",
        missing.all()
    );
    let last = all.last().expect("records");
    assert_eq!(last["type"], "outcome");
    assert_eq!(last["exit_code"], exit::USAGE);

    // A template with errors never reaches AWS; its diagnostics are text on
    // stderr, and the JSON still ends with an error and the outcome.
    let rejected = aws::deploy_with(
        &ep,
        &stack,
        None,
        &["--yes", "--format", "json"],
        &[],
        hagen::deploy::Interrupt::new(),
    );
    assert_eq!(rejected.code, exit::TEMPLATE_ERRORS, "{}", rejected.all());
    let all = records(&rejected);
    let errors = of_type(&all, "error");
    assert_eq!(errors.len(), 1, "{}", rejected.all());
    assert_eq!(errors[0]["exit_code"], exit::TEMPLATE_ERRORS);
    let last = all.last().expect("records");
    assert_eq!(
        (&last["type"], &last["exit_code"]),
        (&Value::from("outcome"), &Value::from(exit::TEMPLATE_ERRORS))
    );

    // A declined change set is an outcome, not an error (`never`: the
    // template widens access, which would otherwise be refused before the
    // question).
    let declined = aws::deploy_unattended(
        &ep,
        &stack,
        &template,
        &[
            "--require-approval",
            "never",
            "--format",
            "json",
            "--parameter",
            "ImageId=ami-0aaaaaaaaaaaaaaa1",
        ],
    );
    assert_eq!(
        declined.code,
        exit::CHANGE_SET_REFUSED,
        "{}",
        declined.all()
    );
    let all = records(&declined);
    assert!(of_type(&all, "error").is_empty(), "{}", declined.all());
    let last = all.last().expect("records");
    assert_eq!(last["outcome"], "declined");
    assert_eq!(last["exit_code"], exit::CHANGE_SET_REFUSED);
}

#[test]
fn regression_outputs_file_is_written_on_a_no_change_deploy() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("outputs");
    let template = templates::network(Some("ami-0aaaaaaaaaaaaaaa1"));
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("outputs.json");
    let path = file.to_str().expect("utf-8 path");
    let created = aws::deploy(
        &ep,
        &stack,
        &template,
        &["--yes", "--outputs-file", path],
        &[],
    );
    assert_eq!(created.code, exit::OK, "{}", created.all());
    assert!(file.is_file(), "the create wrote the outputs file");
    // A stale file, so that the test sees it rewritten.
    std::fs::write(&file, "stale").expect("stale outputs file");

    let again = aws::deploy(
        &ep,
        &stack,
        &template,
        &["--yes", "--outputs-file", path],
        &[],
    );
    assert_eq!(again.code, exit::OK, "{}", again.all());
    assert!(again.out.contains("no changes"), "{}", again.all());
    assert!(again.out.contains("Outputs written to"), "{}", again.all());
    let text = std::fs::read_to_string(&file).expect("outputs file");
    let written: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("the no-change deploy did not rewrite the file ({e}): {text}"));
    // The file holds what DescribeStacks reports. moto 5.2.5 reports no
    // outputs for a stack created through a change set, so this compares
    // with whatever it has; LocalStack's outputs are checked in
    // deploy_localstack.rs.
    let described = aws::block_on(async {
        aws::clients(&ep)
            .cfn
            .describe_stacks()
            .stack_name(&stack)
            .send()
            .await
    })
    .expect("DescribeStacks");
    let expected: serde_json::Map<String, Value> = described.stacks()[0]
        .outputs()
        .iter()
        .map(|o| {
            (
                o.output_key().unwrap_or_default().to_owned(),
                Value::from(o.output_value().unwrap_or_default()),
            )
        })
        .collect();
    assert_eq!(written, Value::Object(expected), "{}", again.all());
}

#[test]
fn regression_diff_exit_code_tells_changes_apart() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("diff");
    let template = templates::network(Some("ami-0aaaaaaaaaaaaaaa1"));

    // Not deployed yet: everything would be created.
    let absent = aws::diff(&ep, &stack, &template, &["--exit-code"]);
    assert_eq!(absent.code, exit::DIFF_CHANGES, "{}", absent.all());

    let created = aws::deploy(&ep, &stack, &template, &["--yes"], &[]);
    assert_eq!(created.code, exit::OK, "{}", created.all());

    let same = aws::diff(&ep, &stack, &template, &["--exit-code"]);
    assert_eq!(same.code, exit::OK, "{}", same.all());
    assert!(same.out.contains("No differences"), "{}", same.all());

    let changed = templates::network(Some("ami-0bbbbbbbbbbbbbbb2"));
    let differs = aws::diff(&ep, &stack, &changed, &["--exit-code"]);
    assert_eq!(differs.code, exit::DIFF_CHANGES, "{}", differs.all());
    // Without --exit-code a diff is informational and exits 0.
    let plain = aws::diff(&ep, &stack, &changed, &[]);
    assert_eq!(plain.code, exit::OK, "{}", plain.all());

    // The JSON document: one object, the change with its path.
    let json = aws::diff(&ep, &stack, &changed, &["--exit-code", "--format", "json"]);
    assert_eq!(json.code, exit::DIFF_CHANGES, "{}", json.all());
    let doc: Value = serde_json::from_str(json.out.trim()).expect("one JSON document");
    assert_eq!(doc["type"], "diff");
    assert_eq!(doc["stack"], stack.as_str());
    assert_eq!(doc["deployed"], true);
    assert_eq!(doc["changed"], true);
    let modified = doc["parameters"]["modified"]
        .as_array()
        .expect("parameters");
    assert_eq!(modified[0]["name"], "ImageId", "{doc}");
    assert_eq!(modified[0]["paths"][0], "Default", "{doc}");
    assert!(doc["resources"]["added"].as_array().unwrap().is_empty());
    assert!(doc["change_set"].is_null());

    // An error is a document too, and keeps its own exit code.
    let bad = aws::diff(
        &ep,
        "1-not-a-stack-name",
        &changed,
        &["--exit-code", "--format", "json"],
    );
    assert_eq!(bad.code, exit::USAGE, "{}", bad.all());
    let doc: Value = serde_json::from_str(bad.out.trim()).expect("an error document");
    assert_eq!(doc["type"], "error");
    assert_eq!(doc["exit_code"], exit::USAGE);
}

/// `hagen` run in a fresh directory with no AWS or hagen environment that
/// could change its behaviour.
fn binary(dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("hagen").expect("the hagen binary is built");
    cmd.current_dir(dir)
        .env_remove("HAGEN_ENV")
        .env_remove("HAGEN_CONFIG")
        .env_remove("AWS_ENDPOINT_URL")
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn a_run_stopped_by_its_configuration_still_prints_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = binary(dir.path())
        .args(["deploy", "--changeset", "--env", "nope", "--format", "json"])
        .output()
        .expect("hagen runs");
    assert_eq!(out.status.code(), Some(i32::from(exit::USAGE)), "{out:?}");
    let run = Run {
        code: exit::USAGE,
        out: String::from_utf8(out.stdout).expect("utf-8"),
        err: String::from_utf8(out.stderr).expect("utf-8"),
        asked: Vec::new(),
    };
    let all = records(&run);
    assert_eq!(
        all.iter()
            .map(|r| r["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["error", "outcome"],
        "{}",
        run.all()
    );
    assert_eq!(all[1]["exit_code"], exit::USAGE);
    assert!(
        run.err.contains("nope"),
        "the details stay on stderr: {}",
        run.all()
    );

    let out = binary(dir.path())
        .args(["diff", "--env", "nope", "--format", "json"])
        .output()
        .expect("hagen runs");
    assert_eq!(out.status.code(), Some(i32::from(exit::USAGE)), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["type"], "error");
    assert_eq!(doc["exit_code"], exit::USAGE);
}
