//! `hagen drift`, the drift warning of `deploy` and `diff`, `deploy
//! --revert-drift` and `deploy --import-existing`, against moto.
//!
//! Neither emulator detects drift: moto 5.2 has no DetectStackDrift,
//! DescribeStackDriftDetectionStatus or DescribeStackResourceDrifts and no
//! `DriftInformation` in DescribeStacks; LocalStack's CloudFormation
//! provider reports every stack `NOT_CHECKED` and implements no drift
//! detection call. Neither makes drift-aware change sets or imports. So
//! the stacks are real (deployed to moto) and the fault proxy answers the
//! drift calls, and rewrites DescribeStacks and DescribeChangeSet, in the
//! shapes of the CloudFormation API reference.

use std::time::Duration;

use crate::support;

use hagen::cli::deploy::DeployContext;
use hagen::cli::drift::DriftArgs;
use hagen::deploy::drift::DetectOptions;
use hagen::resources::s3::Bucket;
use hagen::resources::sns::Topic;
use hagen::stack::Stack;
use hagen::template::Template;
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::fault_proxy::{Fault, FaultProxy, Rule};
use support::templates;

const NS: &str = "xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"";

/// A bucket, two topics and a third one the detection answers below leave
/// out (as CloudFormation leaves out types without drift support).
fn four_resources(bucket: &str) -> Template {
    let mut s = Stack::new("hagen drift test");
    s.add("Data", Bucket::new().bucket_name(bucket))
        .expect("bucket");
    s.add("Alerts", Topic::new().display_name("alerts"))
        .expect("topic");
    s.add("Audit", Topic::new().display_name("audit"))
        .expect("topic");
    s.add("Hook", Topic::new().display_name("hook"))
        .expect("topic");
    s.into_template().expect("template")
}

fn detect_answer() -> String {
    format!(
        "<DetectStackDriftResponse {NS}><DetectStackDriftResult><StackDriftDetectionId>b78ac9b0-dec1-11e7-a451-503a3e3b2e5d</StackDriftDetectionId></DetectStackDriftResult><ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></DetectStackDriftResponse>"
    )
}

fn status_answer(detection: &str, stack_status: &str) -> String {
    let drift = if detection == "DETECTION_IN_PROGRESS" {
        String::new()
    } else {
        format!(
            "<StackDriftStatus>{stack_status}</StackDriftStatus><DriftedStackResourceCount>2</DriftedStackResourceCount>"
        )
    };
    format!(
        "<DescribeStackDriftDetectionStatusResponse {NS}><DescribeStackDriftDetectionStatusResult><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s/1</StackId><StackDriftDetectionId>b78ac9b0-dec1-11e7-a451-503a3e3b2e5d</StackDriftDetectionId>{drift}<DetectionStatus>{detection}</DetectionStatus><Timestamp>2026-12-06T12:00:00Z</Timestamp></DescribeStackDriftDetectionStatusResult><ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></DescribeStackDriftDetectionStatusResponse>"
    )
}

fn resource_drift(id: &str, kind: &str, status: &str, differences: &str) -> String {
    format!(
        "<member><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/s/1</StackId><LogicalResourceId>{id}</LogicalResourceId><PhysicalResourceId>{}</PhysicalResourceId><ResourceType>{kind}</ResourceType><ExpectedProperties>{{}}</ExpectedProperties><ActualProperties>{{}}</ActualProperties><PropertyDifferences>{differences}</PropertyDifferences><StackResourceDriftStatus>{status}</StackResourceDriftStatus><Timestamp>2026-12-06T12:00:01Z</Timestamp></member>",
        id.to_lowercase()
    )
}

/// DescribeStackResourceDrifts: Data modified (versioning suspended by
/// hand), Alerts deleted, Audit in sync, Hook not listed.
fn drifts_answer(drifted: bool) -> String {
    let members = if drifted {
        [
            resource_drift(
                "Data",
                "AWS::S3::Bucket",
                "MODIFIED",
                "<member><PropertyPath>/VersioningConfiguration/Status</PropertyPath><ExpectedValue>Enabled</ExpectedValue><ActualValue>Suspended</ActualValue><DifferenceType>NOT_EQUAL</DifferenceType></member>",
            ),
            resource_drift("Alerts", "AWS::SNS::Topic", "DELETED", ""),
            resource_drift("Audit", "AWS::SNS::Topic", "IN_SYNC", ""),
        ]
        .concat()
    } else {
        [
            resource_drift("Data", "AWS::S3::Bucket", "IN_SYNC", ""),
            resource_drift("Alerts", "AWS::SNS::Topic", "IN_SYNC", ""),
            resource_drift("Audit", "AWS::SNS::Topic", "IN_SYNC", ""),
        ]
        .concat()
    };
    format!(
        "<DescribeStackResourceDriftsResponse {NS}><DescribeStackResourceDriftsResult><StackResourceDrifts>{members}</StackResourceDrifts></DescribeStackResourceDriftsResult><ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></DescribeStackResourceDriftsResponse>"
    )
}

/// The proxy rules of a detection that runs for one poll, then finishes
/// with `drifted` or not.
fn detection(drifted: bool) -> Vec<Rule> {
    let status = if drifted { "DRIFTED" } else { "IN_SYNC" };
    vec![
        Rule::on(
            "DetectStackDrift",
            usize::MAX,
            Fault::Answer(detect_answer()),
        ),
        Rule::on(
            "DescribeStackDriftDetectionStatus",
            1,
            Fault::Answer(status_answer("DETECTION_IN_PROGRESS", status)),
        ),
        Rule::on(
            "DescribeStackDriftDetectionStatus",
            usize::MAX,
            Fault::Answer(status_answer("DETECTION_COMPLETE", status)),
        ),
        Rule::on(
            "DescribeStackResourceDrifts",
            usize::MAX,
            Fault::Answer(drifts_answer(drifted)),
        ),
    ]
}

/// Runs `hagen drift STACK` with `flags` through the CLI layer.
fn drift(endpoint: &str, stack: &str, flags: &[&str]) -> Run {
    let args = aws::parse_flags::<DriftArgs>(&[&[stack], flags].concat());
    let (mut console, out, err, prompt) = aws::console(None);
    let code = hagen::cli::drift::run_with_clients(
        &args,
        &DeployContext::default(),
        &aws::clients(endpoint),
        DetectOptions {
            timeout: Duration::from_secs(60),
            first_poll: Duration::from_millis(100),
        },
        &mut console,
    );
    Run {
        code,
        out: out.contents(),
        err: err.contents(),
        asked: prompt.asked(),
    }
}

/// Deploys the four-resource stack straight to moto.
fn deployed(moto: &Emulator, scenario: &str) -> String {
    let stack = aws::stack_name(scenario);
    let run = aws::deploy(
        &moto.endpoint(),
        &stack,
        &four_resources(&format!("{stack}-data")),
        &["--yes"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    stack
}

#[test]
fn drift_shows_modified_and_deleted_resources_with_expected_and_actual_values() {
    let moto = Emulator::moto();
    let stack = deployed(&moto, "drifted");
    let proxy = FaultProxy::start(&moto.endpoint(), detection(true));
    let run = drift(&proxy.endpoint(), &stack, &[]);
    assert_eq!(run.code, 11, "{}", run.all());
    for line in [
        format!("Detecting drift on stack {stack}..."),
        format!(
            "Stack {stack} has drifted: 2 resources changed outside CloudFormation, 1 in sync."
        ),
        "  Data (AWS::S3::Bucket, data): MODIFIED\n    /VersioningConfiguration/Status: Enabled -> Suspended".into(),
        "  Alerts (AWS::SNS::Topic, alerts): DELETED\n    deleted outside CloudFormation".into(),
        "Not checked (1 resource: the type does not support drift detection, or CloudFormation skipped it):\n  Hook (AWS::SNS::Topic)".into(),
        format!("hagen deploy --stack-name {stack} --region us-east-1 --endpoint-url {} --changeset --revert-drift", proxy.endpoint()),
    ] {
        assert!(run.out.contains(&line), "missing {line:?}\n{}", run.all());
    }
    // Polled until complete, then read the results and the resource list.
    let actions = proxy.log();
    let polls = actions
        .iter()
        .filter(|s| s.action == "DescribeStackDriftDetectionStatus")
        .count();
    assert_eq!(polls, 2, "{actions:?}");
    assert!(
        proxy
            .requests("DetectStackDrift")
            .iter()
            .all(|body| body.contains(&format!("StackName={stack}"))),
        "{actions:?}"
    );
    assert!(
        proxy
            .forwarded_actions()
            .contains(&"ListStackResources".to_owned()),
        "{actions:?}"
    );
}

#[test]
fn drift_of_an_in_sync_stack_exits_zero() {
    let moto = Emulator::moto();
    let stack = deployed(&moto, "insync");
    let proxy = FaultProxy::start(&moto.endpoint(), detection(false));
    let run = drift(&proxy.endpoint(), &stack, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.out.contains(&format!(
            "Stack {stack} is in sync: 3 resources match the template."
        )),
        "{}",
        run.all()
    );
    assert!(!run.out.contains("--revert-drift"), "{}", run.all());
}

#[test]
fn drift_as_json_is_one_document_with_each_difference() {
    let moto = Emulator::moto();
    let stack = deployed(&moto, "driftjson");
    let proxy = FaultProxy::start(&moto.endpoint(), detection(true));
    let run = drift(&proxy.endpoint(), &stack, &["--format", "json"]);
    assert_eq!(run.code, 11, "{}", run.all());
    let lines: Vec<&str> = run.out.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.all());
    let doc: serde_json::Value = serde_json::from_str(lines[0]).expect("one JSON document");
    assert_eq!(doc["type"], "drift");
    assert_eq!(doc["stack"], stack.as_str());
    assert_eq!(doc["stack_status"], "DRIFTED");
    assert_eq!(doc["drifted_count"], 2);
    assert_eq!(doc["in_sync"], 1);
    assert_eq!(doc["exit_code"], 11);
    assert_eq!(doc["drifted"][0]["logical_id"], "Data");
    assert_eq!(doc["drifted"][0]["status"], "MODIFIED");
    assert_eq!(
        doc["drifted"][0]["differences"][0],
        serde_json::json!({
            "path": "/VersioningConfiguration/Status",
            "expected": "Enabled",
            "actual": "Suspended",
            "kind": "NOT_EQUAL",
        })
    );
    assert_eq!(doc["drifted"][1]["status"], "DELETED");
    assert_eq!(doc["unchecked"][0]["logical_id"], "Hook");
    // The text for people went to stderr.
    assert!(run.err.contains("has drifted"), "{}", run.all());
}

#[test]
fn drift_of_a_missing_stack_is_a_usage_error() {
    let moto = Emulator::moto();
    // moto answers DetectStackDrift with an unknown action; a real
    // endpoint says the stack does not exist, as the proxy does here.
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "DetectStackDrift",
            usize::MAX,
            Fault::Error {
                status: 400,
                code: "ValidationError".into(),
                message: "Stack with id hagen-nothing does not exist".into(),
            },
        )],
    );
    let run = drift(&proxy.endpoint(), "hagen-nothing", &[]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.err.contains("stack hagen-nothing does not exist"),
        "{}",
        run.all()
    );
}

/// DescribeStacks as CloudFormation answers it after a detection found
/// drift (moto has no DriftInformation at all).
fn drifted_stack() -> Rule {
    Rule::on(
        "DescribeStacks",
        usize::MAX,
        Fault::Rewrite {
            from: "</StackStatus>".into(),
            to: "</StackStatus><DriftInformation><StackDriftStatus>DRIFTED</StackDriftStatus><LastCheckTimestamp>2026-12-06T12:00:00Z</LastCheckTimestamp></DriftInformation>".into(),
        },
    )
}

#[test]
fn deploy_and_diff_warn_when_the_last_detection_found_drift() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("warn");
    let first = aws::deploy(
        &moto.endpoint(),
        &stack,
        &templates::bucket_titled(&format!("{stack}-data"), "alerts"),
        &["--yes"],
        &[],
    );
    assert_eq!(first.code, 0, "{}", first.all());
    let proxy = FaultProxy::start(&moto.endpoint(), vec![drifted_stack()]);
    let ep = proxy.endpoint();
    let warning = format!(
        "warning: stack {stack} has drifted (its last drift detection found resources changed outside CloudFormation): see them with `hagen drift {stack} --region us-east-1 --endpoint-url {ep}`"
    );
    let diff = aws::diff(
        &ep,
        &stack,
        &templates::bucket_titled(&format!("{stack}-data"), "paging"),
        &[],
    );
    assert_eq!(diff.code, 0, "{}", diff.all());
    assert_eq!(diff.err.matches(&warning).count(), 1, "{}", diff.all());
    let deploy = aws::deploy(
        &ep,
        &stack,
        &templates::bucket_titled(&format!("{stack}-data"), "paging"),
        &["--yes"],
        &[],
    );
    assert_eq!(deploy.code, 0, "{}", deploy.all());
    assert_eq!(deploy.err.matches(&warning).count(), 1, "{}", deploy.all());
    // A warning only: neither started a detection.
    assert!(
        !proxy.log().iter().any(|s| s.action == "DetectStackDrift"),
        "{:?}",
        proxy.log()
    );
}

#[test]
fn deploy_and_diff_say_nothing_about_drift_on_a_stack_never_checked() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("nowarn");
    let template = templates::bucket_titled(&format!("{stack}-data"), "alerts");
    let first = aws::deploy(&moto.endpoint(), &stack, &template, &["--yes"], &[]);
    assert_eq!(first.code, 0, "{}", first.all());
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "DescribeStacks",
            usize::MAX,
            Fault::Rewrite {
                from: "</StackStatus>".into(),
                to: "</StackStatus><DriftInformation><StackDriftStatus>NOT_CHECKED</StackDriftStatus></DriftInformation>".into(),
            },
        )],
    );
    let diff = aws::diff(&proxy.endpoint(), &stack, &template, &[]);
    assert_eq!(diff.code, 0, "{}", diff.all());
    assert!(!diff.all().contains("drift"), "{}", diff.all());
}

#[test]
fn revert_drift_makes_a_drift_aware_change_set_and_shows_what_it_overwrites() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("revert");
    let bucket = format!("{stack}-data");
    let first = aws::deploy(
        &moto.endpoint(),
        &stack,
        &templates::bucket_titled(&bucket, "alerts"),
        &["--yes"],
        &[],
    );
    assert_eq!(first.code, 0, "{}", first.all());
    // The one change (the topic's title) comes back drift-aware: someone
    // renamed the topic by hand, and the deploy sets the template's back.
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![
            drifted_stack(),
            Rule::on(
                "DescribeChangeSet",
                usize::MAX,
                Fault::Rewrite {
                    from: "</ResourceChange>".into(),
                    to: "<ResourceDriftStatus>MODIFIED</ResourceDriftStatus><Details><member><Target><Attribute>Properties</Attribute><Name>DisplayName</Name><RequiresRecreation>Never</RequiresRecreation><Path>/Properties/DisplayName</Path><BeforeValue>alerts</BeforeValue><AfterValue>paging</AfterValue><BeforeValueFrom>ACTUAL_STATE</BeforeValueFrom><Drift><PreviousValue>alerts</PreviousValue><ActualValue>renamed-by-hand</ActualValue><DriftDetectionTimestamp>2026-12-06T12:00:00Z</DriftDetectionTimestamp></Drift></Target><Evaluation>Static</Evaluation><ChangeSource>DirectModification</ChangeSource></member></Details></ResourceChange>".into(),
                },
            ),
        ],
    );
    let run = aws::deploy(
        &proxy.endpoint(),
        &stack,
        &templates::bucket_titled(&bucket, "paging"),
        &["--revert-drift", "--yes", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let create = proxy.requests("CreateChangeSet");
    assert_eq!(create.len(), 1, "{:?}", proxy.log());
    assert!(
        create[0].contains("DeploymentMode=REVERT_DRIFT"),
        "{}",
        create[0]
    );
    assert!(
        !create[0].contains("ImportExistingResources"),
        "{}",
        create[0]
    );
    for line in [
        "This deploy reverts drift: it overwrites changes made outside CloudFormation on 1 resource:",
        "  Alerts (AWS::SNS::Topic): MODIFIED",
        "    /Properties/DisplayName: renamed-by-hand (live) -> paging",
    ] {
        assert!(run.err.contains(line), "missing {line:?}\n{}", run.all());
    }
    // --revert-drift is the answer to the drift warning: no warning.
    assert!(!run.err.contains("has drifted"), "{}", run.all());
    let review: serde_json::Value = run
        .out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["type"] == "review")
        .expect("a review record");
    assert_eq!(
        review["changes"][0]["drift"],
        serde_json::json!({
            "status": "MODIFIED",
            "properties": [{
                "path": "/Properties/DisplayName",
                "actual": "renamed-by-hand",
                "template": "paging",
                "previous": "alerts",
            }],
        })
    );
}

#[test]
fn revert_drift_is_not_sent_for_a_new_stack() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(&moto.endpoint(), Vec::new());
    let stack = aws::stack_name("revertnew");
    let run = aws::deploy(
        &proxy.endpoint(),
        &stack,
        &templates::bucket(&format!("{stack}-data")),
        &["--revert-drift", "--yes"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.out.contains(&format!(
            "--revert-drift: stack {stack} does not exist yet, so there is no drift to revert; it is created as usual."
        )),
        "{}",
        run.all()
    );
    let create = proxy.requests("CreateChangeSet");
    assert_eq!(create.len(), 1, "{:?}", proxy.log());
    assert!(
        create.iter().all(|b| !b.contains("DeploymentMode")),
        "{create:?}"
    );
}

#[test]
fn import_existing_adopts_resources_and_the_review_marks_them_import() {
    let moto = Emulator::moto();
    // The change set adopts the bucket and topic that already exist, as
    // CloudFormation answers an ImportExistingResources change set.
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "DescribeChangeSet",
            usize::MAX,
            Fault::Rewrite {
                from: "<Action>Add</Action>".into(),
                to: "<Action>Import</Action>".into(),
            },
        )],
    );
    let stack = aws::stack_name("import");
    let run = aws::deploy(
        &proxy.endpoint(),
        &stack,
        &templates::bucket(&format!("{stack}-data")),
        &["--import-existing", "--no-execute"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let create = proxy.requests("CreateChangeSet");
    assert_eq!(create.len(), 1, "{:?}", proxy.log());
    assert!(
        create[0].contains("ImportExistingResources=true"),
        "{}",
        create[0]
    );
    assert!(!create[0].contains("DeploymentMode"), "{}", create[0]);
    assert!(
        run.out.contains("Adopting 2 existing resources (Import): hagen manages them from now on, as if it had created them:"),
        "{}",
        run.all()
    );
    assert!(
        run.out.contains("  Data (AWS::S3::Bucket): no DeletionPolicy: removing it from the template or deleting the stack deletes it (set DeletionPolicy: Retain to keep it)"),
        "{}",
        run.all()
    );
    assert!(run.out.contains("│ Import"), "{}", run.all());
}
