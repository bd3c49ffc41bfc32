//! `hagen destroy` against moto: the review of what goes and what stays
//! (a `Retain` bucket survives the stack), the typed confirmation for a
//! stateful resource, the refusals (no terminal, termination protection),
//! Ctrl-C at the prompt, a deletion that fails and its retry with
//! `--retain`, and the JSON form.
//!
//! moto deletes stacks at once and never fails a deletion, does not enforce
//! termination protection and ignores `RetainResources`; the fault proxy
//! shows hagen those states in the shapes of the CloudFormation API
//! reference, and its log shows what hagen asked for.

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hagen::cli::deploy::DeployContext;
use hagen::cli::destroy::DestroyArgs;
use hagen::deploy::console::NoPrompt;
use hagen::deploy::{Console, Interrupt, ProgressMode, Prompt, SharedBuffer};
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::fault_proxy::{Fault, FaultProxy, Rule};

/// Far above any expected duration; only catches hangs.
const HANG_GUARD: Duration = Duration::from_secs(300);

/// Deploys a YAML template with `--yes`, straight to the emulator.
fn deploy(endpoint: &str, stack: &str, yaml: &str) {
    let parsed = hagen::template::parse::parse_template(yaml, "test template")
        .unwrap_or_else(|e| panic!("test template: {e}"));
    let run = aws::deploy_body(endpoint, stack, &parsed.template, yaml, &["--yes"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

fn args(stack: &str, flags: &[&str]) -> DestroyArgs {
    aws::parse_flags::<DestroyArgs>(&[&[stack], flags].concat())
}

/// Runs `hagen destroy STACK FLAGS` through the CLI layer with `prompt`
/// (`None`: no terminal).
fn destroy_with(
    endpoint: &str,
    stack: &str,
    flags: &[&str],
    prompt: Option<Box<dyn Prompt>>,
    interrupt: Interrupt,
) -> Run {
    let args = args(stack, flags);
    let out = SharedBuffer::new();
    let err = SharedBuffer::new();
    let mut console = Console::new(
        Box::new(out.clone()),
        Box::new(err.clone()),
        prompt.unwrap_or_else(|| Box::new(NoPrompt)),
        ProgressMode::Events,
        false,
    );
    console.width = 240;
    let clients = aws::clients(endpoint);
    let code = hagen::cli::destroy::run_with_clients(
        &args,
        &DeployContext::default(),
        &clients,
        &mut console,
        interrupt,
        aws::test_watch(),
    );
    Run {
        code,
        out: out.contents(),
        err: err.contents(),
        asked: Vec::new(),
    }
}

/// [`destroy_with`] answering y/N questions from `answers`.
fn destroy(endpoint: &str, stack: &str, flags: &[&str], answers: &[bool]) -> Run {
    let prompt = hagen::deploy::ScriptedPrompt::new(answers.iter().copied());
    let ep = endpoint.to_owned();
    let (stack, flags): (String, Vec<String>) = (
        stack.to_owned(),
        flags.iter().map(|f| (*f).to_owned()).collect(),
    );
    let asked = prompt.clone();
    let mut run = aws::within(HANG_GUARD, move || {
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        destroy_with(
            &ep,
            &stack,
            &flags,
            Some(Box::new(prompt)),
            Interrupt::new(),
        )
    });
    run.asked = asked.asked();
    run
}

/// A prompt where the person types `answer` at a typed confirmation; it
/// keeps what it was asked (question and the text expected) and refuses
/// y/N questions, which these stacks must not get.
#[derive(Clone, Default)]
struct Typist {
    answer: String,
    typed: Arc<Mutex<Vec<(String, String)>>>,
    yes_no: Arc<Mutex<Vec<String>>>,
}

impl Prompt for Typist {
    fn interactive(&self) -> bool {
        true
    }

    fn confirm(&mut self, question: &str) -> std::io::Result<bool> {
        self.yes_no.lock().expect("lock").push(question.to_owned());
        Ok(false)
    }

    fn confirm_typed(&mut self, question: &str, expected: &str) -> std::io::Result<bool> {
        self.typed
            .lock()
            .expect("lock")
            .push((question.to_owned(), expected.to_owned()));
        Ok(self.answer.trim() == expected)
    }
}

/// A person who presses Ctrl-C instead of answering.
struct CtrlC(Interrupt);

impl Prompt for CtrlC {
    fn interactive(&self) -> bool {
        true
    }

    fn confirm(&mut self, _question: &str) -> std::io::Result<bool> {
        self.0.trigger();
        // The answer never comes: the interrupt must end the question.
        std::thread::sleep(Duration::from_secs(30));
        Ok(true)
    }
}

fn bucket_exists(endpoint: &str, name: &str) -> bool {
    let s3 = aws::s3(endpoint);
    aws::block_on(async { s3.head_bucket().bucket(name).send().await.is_ok() })
}

fn retained_bucket_stack(bucket: &str) -> String {
    format!(
        "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n    Properties:\n      BucketName: {bucket}\n  Alerts:\n    Type: AWS::SNS::Topic\n"
    )
}

const TOPIC_ONLY: &str = "Resources:\n  Alerts:\n    Type: AWS::SNS::Topic\n";

const QUEUE_STACK: &str =
    "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n  Alerts:\n    Type: AWS::SNS::Topic\n";

#[test]
fn destroy_keeps_a_retained_bucket_and_deletes_the_rest() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("destroy-retain");
    let bucket = format!("{stack}-logs");
    deploy(&ep, &stack, &retained_bucket_stack(&bucket));

    // --retain is only for DELETE_FAILED: refused before anything changes.
    let misuse = destroy(&ep, &stack, &["--retain", "Logs"], &[true]);
    assert_eq!(misuse.code, 2, "{}", misuse.all());
    assert!(
        misuse
            .err
            .contains("--retain is only for a stack in DELETE_FAILED"),
        "{}",
        misuse.all()
    );
    assert_eq!(
        aws::stack_status(&ep, &stack).as_deref(),
        Some("CREATE_COMPLETE")
    );

    let run = destroy(&ep, &stack, &[], &[true]);
    eprintln!("{}", run.all());
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.out.contains("Account "), "context line: {}", run.all());
    assert!(
        run.out
            .contains("Kept (left in the account, outside any stack): 1"),
        "{}",
        run.all()
    );
    let kept_line = run
        .out
        .lines()
        .find(|l| l.contains(" Logs ") && l.contains("AWS::S3::Bucket"))
        .unwrap_or_else(|| panic!("the bucket is in the review: {}", run.all()));
    assert!(
        kept_line.contains(&bucket),
        "physical ID shown: {kept_line}"
    );
    assert!(run.out.contains("DeletionPolicy Retain"), "{}", run.all());
    assert!(run.out.contains("Deleted: 1"), "{}", run.all());
    // Only a bucket (kept) is stateful here: y/N, not the name typed.
    assert_eq!(run.asked, [format!("Delete stack {stack}?")]);
    assert!(
        run.out.contains(&format!("Stack {stack}: DELETE_COMPLETE")),
        "{}",
        run.all()
    );
    assert!(
        run.out
            .contains(&format!("kept: Logs (AWS::S3::Bucket) {bucket}")),
        "{}",
        run.all()
    );
    assert_eq!(aws::stack_status(&ep, &stack), None, "the stack is gone");
    assert!(bucket_exists(&ep, &bucket), "the retained bucket stays");

    // Idempotent: a stack that does not exist is nothing to delete.
    let again = destroy(&ep, &stack, &[], &[]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(
        again
            .out
            .contains(&format!("Stack {stack} does not exist: nothing to delete.")),
        "{}",
        again.all()
    );
}

#[test]
fn deleting_a_stateful_resource_needs_the_stack_name_typed() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("destroy-typed");
    deploy(&ep, &stack, QUEUE_STACK);

    let wrong = Typist {
        answer: "yes".into(),
        ..Typist::default()
    };
    let typed = wrong.typed.clone();
    let (e, s) = (ep.clone(), stack.clone());
    let declined = aws::within(HANG_GUARD, move || {
        destroy_with(&e, &s, &[], Some(Box::new(wrong)), Interrupt::new())
    });
    assert_eq!(declined.code, 5, "{}", declined.all());
    assert!(
        declined
            .out
            .contains("stateful, lost with it: queue: unread messages go with it"),
        "{}",
        declined.all()
    );
    assert_eq!(typed.lock().expect("lock").len(), 1);
    assert_eq!(typed.lock().expect("lock")[0].1, stack, "the name to type");
    assert_eq!(
        aws::stack_status(&ep, &stack).as_deref(),
        Some("CREATE_COMPLETE"),
        "a wrong answer deletes nothing"
    );

    let right = Typist {
        answer: stack.clone(),
        ..Typist::default()
    };
    let yes_no = right.yes_no.clone();
    let (e, s) = (ep.clone(), stack.clone());
    let run = aws::within(HANG_GUARD, move || {
        destroy_with(&e, &s, &[], Some(Box::new(right)), Interrupt::new())
    });
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(yes_no.lock().expect("lock").is_empty(), "never a y/N");
    assert_eq!(aws::stack_status(&ep, &stack), None);
}

#[test]
fn without_a_terminal_or_yes_nothing_is_deleted_and_ctrl_c_at_the_prompt_too() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("destroy-noterm");
    deploy(&ep, &stack, TOPIC_ONLY);

    let (e, s) = (ep.clone(), stack.clone());
    let refused = aws::within(HANG_GUARD, move || {
        destroy_with(&e, &s, &[], None, Interrupt::new())
    });
    assert_eq!(refused.code, 5, "{}", refused.all());
    assert!(
        refused.out.contains("Not asked: no terminal to confirm on")
            && refused.out.contains("pass --yes"),
        "{}",
        refused.all()
    );
    assert_eq!(
        aws::stack_status(&ep, &stack).as_deref(),
        Some("CREATE_COMPLETE")
    );

    let interrupt = Interrupt::new();
    let prompt = CtrlC(interrupt.clone());
    let (e, s) = (ep.clone(), stack.clone());
    let stopped = aws::within(HANG_GUARD, move || {
        destroy_with(&e, &s, &[], Some(Box::new(prompt)), interrupt)
    });
    assert_eq!(stopped.code, 130, "{}", stopped.all());
    assert!(
        stopped
            .err
            .contains("Interrupted (Ctrl-C) at the prompt: nothing was executed."),
        "{}",
        stopped.all()
    );
    assert_eq!(
        aws::stack_status(&ep, &stack).as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[test]
fn termination_protection_is_refused_with_the_command_that_lifts_it() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("destroy-protected");
    deploy(&moto.endpoint(), &stack, TOPIC_ONLY);
    // moto stores the flag but does not enforce it, and hagen deploys
    // without it: the proxy answers DescribeStacks as AWS does for a
    // protected stack.
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "DescribeStacks",
            usize::MAX,
            Fault::Rewrite {
                from: "<EnableTerminationProtection>false</EnableTerminationProtection>".into(),
                to: "<EnableTerminationProtection>true</EnableTerminationProtection>".into(),
            },
        )],
    );
    let run = destroy(&proxy.endpoint(), &stack, &["--yes"], &[]);
    assert_eq!(run.code, 5, "{}", run.all());
    assert!(
        run.out.contains("has termination protection"),
        "{}",
        run.all()
    );
    assert!(
        run.out.contains(&format!(
            "aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name {stack} --region us-east-1 --endpoint-url {}",
            proxy.endpoint()
        )),
        "{}",
        run.all()
    );
    assert!(
        !proxy.forwarded_actions().iter().any(|a| a == "DeleteStack"),
        "refused before any DeleteStack: {:?}",
        proxy.log()
    );
    assert_eq!(
        aws::stack_status(&moto.endpoint(), &stack).as_deref(),
        Some("CREATE_COMPLETE")
    );
}

/// DeleteStack's answer in the shape of the API reference.
const DELETE_STACK_OK: &str = "<DeleteStackResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></DeleteStackResponse>";

/// DescribeStackEvents after a failed deletion (newest first), in the shape
/// of the API reference.
fn delete_failed_events(stack: &str) -> String {
    let event = |id: &str, logical: &str, ty: &str, time: &str, reason: &str| {
        format!(
            "<member><StackId>{stack}</StackId><EventId>{id}</EventId><StackName>{stack}</StackName><LogicalResourceId>{logical}</LogicalResourceId><PhysicalResourceId>{logical}</PhysicalResourceId><ResourceType>{ty}</ResourceType><Timestamp>{time}</Timestamp><ResourceStatus>DELETE_FAILED</ResourceStatus><ResourceStatusReason>{reason}</ResourceStatusReason></member>"
        )
    };
    format!(
        "<DescribeStackEventsResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><DescribeStackEventsResult><StackEvents>{}{}</StackEvents></DescribeStackEventsResult><ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></DescribeStackEventsResponse>",
        event(
            "e-stack",
            stack,
            "AWS::CloudFormation::Stack",
            "2099-01-01T00:00:02Z",
            "The following resource(s) failed to delete: [Logs]. "
        ),
        event(
            "e-logs",
            "Logs",
            "AWS::S3::Bucket",
            "2099-01-01T00:00:01Z",
            "The bucket you tried to delete is not empty"
        ),
    )
}

#[test]
fn regression_a_failed_delete_names_the_blocking_resources_and_retain_retries() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("destroy-failed");
    let bucket = format!("{stack}-logs");
    deploy(
        &moto.endpoint(),
        &stack,
        &format!(
            "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: {bucket}\n  Alerts:\n    Type: AWS::SNS::Topic\n"
        ),
    );
    // moto never fails a deletion: the proxy takes the DeleteStack, then
    // shows the stack DELETE_FAILED (every DescribeStacks after hagen's
    // first look) with the bucket's DELETE_FAILED event (every event page
    // after the watcher's baseline).
    let failing = FaultProxy::start(
        &moto.endpoint(),
        vec![
            Rule::on("DeleteStack", 1, Fault::Answer(DELETE_STACK_OK.into())),
            Rule::on(
                "DescribeStacks",
                usize::MAX,
                Fault::Rewrite {
                    from: "<StackStatus>CREATE_COMPLETE</StackStatus>".into(),
                    to: "<StackStatus>DELETE_FAILED</StackStatus>".into(),
                },
            )
            .after(1),
            Rule::on(
                "DescribeStackEvents",
                usize::MAX,
                Fault::Answer(delete_failed_events(&stack)),
            )
            .after(1),
        ],
    );
    let run = destroy(&failing.endpoint(), &stack, &["--yes"], &[]);
    eprintln!("{}", run.all());
    assert_eq!(run.code, 6, "{}", run.all());
    assert!(
        run.out
            .contains(&format!("Stack {stack} ended DELETE_FAILED.")),
        "{}",
        run.all()
    );
    assert!(
        run.out
            .contains("  - Logs (AWS::S3::Bucket): The bucket you tried to delete is not empty"),
        "{}",
        run.all()
    );
    assert!(
        run.out
            .contains(&format!("hagen destroy {stack} --retain Logs")),
        "{}",
        run.all()
    );
    drop(failing);

    // The retry: the stack is DELETE_FAILED (moto cannot say so: the proxy
    // does), and --retain reaches DeleteStack as RetainResources.
    let retrying = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "DescribeStacks",
            usize::MAX,
            Fault::Rewrite {
                from: "<StackStatus>CREATE_COMPLETE</StackStatus>".into(),
                to: "<StackStatus>DELETE_FAILED</StackStatus>".into(),
            },
        )],
    );
    let retry = destroy(
        &retrying.endpoint(),
        &stack,
        &["--yes", "--retain", "Logs", "--format", "json"],
        &[],
    );
    assert_eq!(retry.code, 0, "{}", retry.all());
    let delete: Vec<String> = retrying
        .log()
        .into_iter()
        .filter(|s| s.action == "DeleteStack")
        .map(|s| s.params)
        .collect();
    assert_eq!(delete.len(), 1, "{:?}", retrying.log());
    assert!(
        delete[0].contains("RetainResources.member.1=Logs"),
        "RetainResources sent: {}",
        delete[0]
    );
    assert!(delete[0].contains("ClientRequestToken="), "{}", delete[0]);
    let records: Vec<serde_json::Value> = retry
        .out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let review = records
        .iter()
        .find(|r| r["type"] == "review")
        .unwrap_or_else(|| panic!("a review record: {}", retry.out));
    let logs = review["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["logical_id"] == "Logs"))
        .unwrap_or_else(|| panic!("Logs in the review: {review}"));
    assert_eq!(logs["fate"], "keep");
    assert_eq!(logs["why"], "--retain");
    let outcome = records.last().expect("records");
    assert_eq!(outcome["type"], "outcome");
    assert_eq!(outcome["outcome"], "deleted");
    assert_eq!(outcome["exit_code"], 0);
    assert_eq!(aws::stack_status(&moto.endpoint(), &stack), None);
}

#[test]
fn destroy_in_json_writes_context_review_events_and_outcome() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("destroy-json");
    deploy(&ep, &stack, TOPIC_ONLY);
    let run = destroy(&ep, &stack, &["--yes", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let records: Vec<serde_json::Value> = run
        .out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let kinds: Vec<&str> = records.iter().filter_map(|r| r["type"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"context"), "{kinds:?}");
    assert!(kinds.contains(&"review"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"outcome"), "{kinds:?}");
    let review = records
        .iter()
        .find(|r| r["type"] == "review")
        .expect("review");
    assert_eq!(review["stack"], stack.as_str());
    assert_eq!(review["resources"][0]["fate"], "delete");
    let outcome = records.last().expect("outcome");
    assert_eq!(outcome["outcome"], "deleted");
    assert_eq!(outcome["stack"], stack.as_str());
    assert!(run.asked.is_empty(), "--yes asks nothing");
    assert!(run.err.contains("Deleting stack"), "text goes to stderr");
}

#[test]
fn destroy_help_has_examples_and_exit_codes() {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = hagen::cli::run(
        &crate::custom_blueprint::ReportingDatabase,
        ["custom_blueprint", "destroy", "--help"],
        &mut out,
        &mut err,
    );
    let help = String::from_utf8_lossy(&out);
    assert_eq!(code, 0, "{help}{}", String::from_utf8_lossy(&err));
    assert!(
        help.contains("destroy web-stage --retain LogsBucket"),
        "{help}"
    );
    assert!(
        help.contains("destroy web-stage --yes --format json"),
        "{help}"
    );
    assert!(
        help.contains("Exit codes: 0 deleted (or no such stack)"),
        "{help}"
    );
    // Flag names are styled (bold) in the help: look for the value name.
    assert!(help.contains("<LOGICAL_ID>"), "{help}");
    assert!(help.contains("[STACK]"), "{help}");
}
