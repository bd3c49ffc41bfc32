//! A deploy run that ends without executing leaves nothing behind: not its
//! change set, not the empty REVIEW_IN_PROGRESS stack it created. Every
//! run names its own change set, so a second run on the same stack is
//! refused instead of deleting the first one's. A change set that fails
//! CloudFormation's validation shows the findings with their template
//! paths (DescribeEvents), or its status reason where the API is missing.
//! Checked through moto's ListChangeSets and DescribeStacks.

use crate::support;

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hagen::deploy::{Interrupt, Prompt};
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::fault_proxy::{Fault, FaultProxy, Rule};
use support::templates;

/// Nothing of `stack` is left: no stack, no change set.
fn assert_nothing_left(ep: &str, stack: &str, run: &Run) {
    assert_eq!(
        aws::stack_status(ep, stack),
        None,
        "the empty stack is deleted:\n{}",
        run.all()
    );
    assert!(
        aws::change_sets(ep, stack).is_empty(),
        "no change set is left:\n{}",
        run.all()
    );
}

fn assert_cleaned_up(run: &Run) {
    let name = aws::change_set_of(run);
    let line = format!(
        "Cleaned up: deleted change set {name} and the empty stack {} (REVIEW_IN_PROGRESS) it had created.",
        run_stack(run)
    );
    assert!(run.out.contains(&line), "{line}\n{}", run.all());
}

fn run_stack(run: &Run) -> String {
    run.out
        .lines()
        .find_map(|l| l.split_once(" to create stack "))
        .map(|(_, s)| s.trim_end_matches("...").to_owned())
        .unwrap_or_default()
}

#[test]
fn regression_answering_no_leaves_no_empty_stack_or_change_set() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("no");
    let run = aws::deploy(
        &ep,
        &stack,
        &templates::network(Some("ami-1")),
        &[],
        &[false],
    );
    assert_eq!(run.code, 5, "{}", run.all());
    assert_eq!(run.asked.len(), 1, "{:?}", run.asked);
    assert!(run.out.contains("Nothing was changed"), "{}", run.all());
    assert_cleaned_up(&run);
    assert_nothing_left(&ep, &stack, &run);
}

#[test]
fn regression_no_terminal_leaves_no_empty_stack_or_change_set() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("noterm");
    // The network template opens 443 to the internet: without `never`,
    // broadening approval would refuse it before the question is reached.
    let run = aws::deploy_unattended(
        &ep,
        &stack,
        &templates::network(Some("ami-1")),
        &["--require-approval", "never"],
    );
    assert_eq!(run.code, 5, "{}", run.all());
    assert!(
        run.out.contains("no terminal to confirm on"),
        "{}",
        run.all()
    );
    assert_cleaned_up(&run);
    assert_nothing_left(&ep, &stack, &run);
}

/// A user who presses Ctrl-C while the question waits and never types.
struct PressesCtrlC(Interrupt);

impl Prompt for PressesCtrlC {
    fn interactive(&self) -> bool {
        true
    }

    fn confirm(&mut self, _question: &str) -> io::Result<bool> {
        self.0.trigger();
        // Reading a line blocks; if the interrupt were not caught the run
        // would wait here and then execute.
        std::thread::sleep(Duration::from_secs(60));
        Ok(true)
    }
}

#[test]
fn regression_ctrl_c_at_the_prompt_cleans_up() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("ctrlc");
    let interrupt = Interrupt::new();
    let (ep2, stack2, i2) = (ep.clone(), stack.clone(), interrupt.clone());
    let run = aws::within(Duration::from_secs(45), move || {
        aws::deploy_prompted(
            &ep2,
            &stack2,
            &templates::network(Some("ami-1")),
            &[],
            Box::new(PressesCtrlC(i2.clone())),
            i2,
        )
    });
    assert_eq!(run.code, 130, "{}", run.all());
    assert!(
        run.err
            .contains("Interrupted (Ctrl-C) at the prompt: nothing was executed."),
        "{}",
        run.all()
    );
    assert!(!run.out.contains("Executing"), "{}", run.all());
    assert_cleaned_up(&run);
    assert_nothing_left(&ep, &stack, &run);
}

/// A user who, while asked, starts a second deploy of the same stack in
/// another terminal, then answers yes.
struct StartsAnotherDeploy {
    endpoint: String,
    stack: String,
    second: Arc<Mutex<Option<Run>>>,
}

impl Prompt for StartsAnotherDeploy {
    fn interactive(&self) -> bool {
        true
    }

    fn confirm(&mut self, _question: &str) -> io::Result<bool> {
        let run = aws::deploy(
            &self.endpoint,
            &self.stack,
            &templates::network(Some("ami-2")),
            &["--yes"],
            &[],
        );
        if let Ok(mut second) = self.second.lock() {
            *second = Some(run);
        }
        Ok(true)
    }
}

#[test]
fn regression_a_second_deploy_does_not_delete_the_first_ones_change_set() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("twice");
    let second = Arc::new(Mutex::new(None));
    let first = aws::deploy_prompted(
        &ep,
        &stack,
        &templates::network(Some("ami-1")),
        &[],
        Box::new(StartsAnotherDeploy {
            endpoint: ep.clone(),
            stack: stack.clone(),
            second: second.clone(),
        }),
        Interrupt::new(),
    );
    let second = second
        .lock()
        .ok()
        .and_then(|s| s.clone())
        .expect("the second deploy ran while the first was asking");
    let name = aws::change_set_of(&first);
    assert_eq!(second.code, 6, "{}", second.all());
    assert!(
        second.err.contains(&format!(
            "Another deploy is running on stack {stack} (change set {name}, created"
        )),
        "{}",
        second.all()
    );
    assert!(
        second.err.contains(&format!(
            "aws cloudformation delete-change-set --stack-name {stack} --change-set-name {name}"
        )),
        "how to clear a stale one:\n{}",
        second.all()
    );
    assert!(
        !second.out.contains("Creating change set"),
        "{}",
        second.all()
    );
    assert_eq!(
        first.code,
        0,
        "the first run's change set survived:\n{}",
        first.all()
    );
    assert!(first.out.contains("CREATE_COMPLETE"), "{}", first.all());
}

#[test]
fn change_sets_kept_for_review_are_neither_deleted_nor_blocking() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("kept");
    let template = templates::network(Some("ami-1"));
    let left = aws::deploy(&ep, &stack, &template, &["--no-execute"], &[]);
    assert_eq!(left.code, 0, "{}", left.all());
    let kept = aws::change_set_of(&left);
    let declined = aws::deploy(&ep, &stack, &template, &[], &[false]);
    assert_eq!(declined.code, 5, "{}", declined.all());
    let ours = aws::change_set_of(&declined);
    assert_ne!(kept, ours);
    assert!(
        declined
            .out
            .contains(&format!("Cleaned up: deleted change set {ours}.")),
        "the stack still holds the kept change set, so it stays:\n{}",
        declined.all()
    );
    assert_eq!(aws::change_sets(&ep, &stack), std::slice::from_ref(&kept));
    assert_eq!(
        aws::stack_status(&ep, &stack).as_deref(),
        Some("REVIEW_IN_PROGRESS")
    );
    let refused = aws::deploy_with(
        &ep,
        &stack,
        None,
        &["--execute", &kept],
        &[false],
        Interrupt::new(),
    );
    assert_eq!(refused.code, 5, "{}", refused.all());
    assert!(
        refused.out.contains(&format!(
            "Change set {kept} is kept (an earlier run made it)"
        )),
        "{}",
        refused.all()
    );
    assert_eq!(aws::change_sets(&ep, &stack), [kept]);
}

/// moto answers a change set CREATE_COMPLETE; the proxy turns it into one
/// CloudFormation's early validation failed.
fn failed_validation() -> Rule {
    Rule::on(
        "DescribeChangeSet",
        usize::MAX,
        Fault::Rewrite {
            from: "<Status>CREATE_COMPLETE</Status>".into(),
            to: "<Status>FAILED</Status><StatusReason>The following hook(s)/validation failed: [AWS::EarlyValidation::PropertyValidation]. To troubleshoot Early Validation errors, use the DescribeEvents API for detailed failure information.</StatusReason>".into(),
        },
    )
}

/// A DescribeEvents answer in the shape of the API reference
/// (DescribeEventsResult / OperationEvents / OperationEvent).
const VALIDATION_EVENTS: &str = "<DescribeEventsResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><DescribeEventsResult><OperationEvents><member><EventId>11111111-2222-3333-4444-555555555555</EventId><OperationId>op-1</OperationId><OperationType>CREATE_CHANGESET</OperationType><EventType>VALIDATION_ERROR</EventType><LogicalResourceId>Vpc</LogicalResourceId><ResourceType>AWS::EC2::VPC</ResourceType><Timestamp>2026-12-06T11:00:00Z</Timestamp><ValidationFailureMode>FAIL</ValidationFailureMode><ValidationName>AWS::EarlyValidation::PropertyValidation</ValidationName><ValidationStatus>FAILED</ValidationStatus><ValidationStatusReason>CidrBlock 10.0.0.0/33 is not a valid IPv4 CIDR</ValidationStatusReason><ValidationPath>/Resources/Vpc/Properties/CidrBlock</ValidationPath></member></OperationEvents></DescribeEventsResult><ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></DescribeEventsResponse>";

#[test]
fn a_failed_validation_shows_each_finding_with_its_template_path() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![
            failed_validation(),
            Rule::on(
                "DescribeEvents",
                usize::MAX,
                Fault::Answer(VALIDATION_EVENTS.into()),
            ),
        ],
    );
    let ep = proxy.endpoint();
    let stack = aws::stack_name("findings");
    let run = aws::deploy(
        &ep,
        &stack,
        &templates::network(Some("ami-1")),
        &["--yes"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.out.contains("found 1 problem:"), "{}", run.all());
    assert!(
        run.out.contains("  - /Resources/Vpc/Properties/CidrBlock: CidrBlock 10.0.0.0/33 is not a valid IPv4 CIDR [AWS::EarlyValidation::PropertyValidation FAILED]"),
        "{}",
        run.all()
    );
    assert!(
        proxy.log().iter().any(|s| s.action == "DescribeEvents"),
        "{:?}",
        proxy.log()
    );
    assert_cleaned_up(&run);
    assert_nothing_left(&moto.endpoint(), &stack, &run);
}

#[test]
fn without_describe_events_a_failed_validation_shows_its_status_reason() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(&moto.endpoint(), vec![failed_validation()]);
    let ep = proxy.endpoint();
    let stack = aws::stack_name("nofindings");
    let run = aws::deploy(
        &ep,
        &stack,
        &templates::network(Some("ami-1")),
        &["--yes"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.err.contains("CloudFormation rejected the template: The following hook(s)/validation failed: [AWS::EarlyValidation::PropertyValidation]"),
        "{}",
        run.all()
    );
    assert!(!run.out.contains("problem"), "{}", run.all());
    assert!(
        proxy
            .log()
            .iter()
            .any(|s| s.action == "DescribeEvents" && s.outcome == "forwarded"),
        "moto was asked and could not answer: {:?}",
        proxy.log()
    );
    assert_nothing_left(&moto.endpoint(), &stack, &run);
}

#[test]
fn regression_an_error_after_creation_leaves_no_empty_stack_or_change_set() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "ExecuteChangeSet",
            1,
            Fault::Error {
                status: 403,
                code: "AccessDenied".into(),
                message: "Access Denied".into(),
            },
        )],
    );
    let ep = proxy.endpoint();
    let stack = aws::stack_name("denied");
    let run = aws::deploy(
        &ep,
        &stack,
        &templates::network(Some("ami-1")),
        &["--yes"],
        &[],
    );
    assert_eq!(run.code, 7, "{}", run.all());
    assert!(
        run.err.contains(
            "error: access denied: these credentials may not call cloudformation:ExecuteChangeSet"
        ),
        "{}",
        run.all()
    );
    assert_cleaned_up(&run);
    assert_nothing_left(&moto.endpoint(), &stack, &run);
}

/// ListChangeSets with nothing in it: what a run sees when another one
/// creates its change set at the same moment.
const NO_CHANGE_SETS: &str = "<ListChangeSetsResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><ListChangeSetsResult><Summaries/></ListChangeSetsResult><ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></ListChangeSetsResponse>";

#[test]
fn regression_of_two_deploys_started_together_the_later_gives_way() {
    let moto = Emulator::moto();
    // The second run's first look finds nothing, as if both had looked
    // before either created its change set.
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "ListChangeSets",
            1,
            Fault::Answer(NO_CHANGE_SETS.into()),
        )],
    );
    let ep = moto.endpoint();
    let stack = aws::stack_name("together");
    let second = Arc::new(Mutex::new(None));
    let first = aws::deploy_prompted(
        &ep,
        &stack,
        &templates::network(Some("ami-1")),
        &[],
        Box::new(StartsAnotherDeploy {
            endpoint: proxy.endpoint(),
            stack: stack.clone(),
            second: second.clone(),
        }),
        Interrupt::new(),
    );
    let second = second
        .lock()
        .ok()
        .and_then(|s| s.clone())
        .expect("the second deploy ran while the first was asking");
    let (first_name, second_name) = (aws::change_set_of(&first), aws::change_set_of(&second));
    assert_eq!(second.code, 6, "{}", second.all());
    assert!(
        second.err.contains(&format!(
            "Another deploy is running on stack {stack} (change set {first_name}, created"
        )),
        "{}",
        second.all()
    );
    assert!(
        second
            .out
            .contains(&format!("Cleaned up: deleted change set {second_name}.")),
        "the later run deletes only its own change set:\n{}",
        second.all()
    );
    assert_eq!(first.code, 0, "{}", first.all());
    assert!(first.out.contains("CREATE_COMPLETE"), "{}", first.all());
    assert!(
        !aws::change_sets(&ep, &stack).contains(&second_name),
        "{}",
        second.all()
    );
}

#[test]
fn regression_ctrl_c_while_the_change_set_is_created_cleans_up() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("ctrlc-early");
    // Pressed before the change set is ready: the run must not go on to
    // the review, and must delete what it made.
    let interrupt = Interrupt::new();
    interrupt.trigger();
    let run = aws::deploy_with(
        &ep,
        &stack,
        Some(&templates::network(Some("ami-1"))),
        &["--yes"],
        &[],
        interrupt,
    );
    assert_eq!(run.code, 130, "{}", run.all());
    assert!(
        run.err.contains(
            "Interrupted (Ctrl-C) while the change set was being created: nothing was executed."
        ),
        "{}",
        run.all()
    );
    assert!(!run.out.contains("Executing"), "{}", run.all());
    assert_cleaned_up(&run);
    assert_nothing_left(&ep, &stack, &run);
}
