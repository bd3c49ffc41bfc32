//! Deploys through a fault-injecting proxy in front of an emulator:
//! throttling, 5xx bursts, dropped connections while events are polled, and
//! an endpoint that stops answering mid-operation. The deploy retries and
//! finishes, or stops with a clear message; it never hangs and never leaves
//! a running operation unmentioned.

use crate::support;

use std::time::{Duration, Instant};

use support::aws::{self, Run};
use support::emulator::Emulator;
use support::fault_proxy::{Fault, FaultProxy, Rule};
use support::templates;

/// Far above any expected duration; only catches hangs.
const HANG_GUARD: Duration = Duration::from_secs(600);

fn deploy_through(
    proxy: &FaultProxy,
    stack: &str,
    template: hagen::template::Template,
    flags: &'static [&'static str],
) -> Run {
    let ep = proxy.endpoint();
    let stack = stack.to_owned();
    aws::within(HANG_GUARD, move || {
        aws::deploy(&ep, &stack, &template, flags, &[])
    })
}

fn count(proxy: &FaultProxy, action: &str, outcome: &str) -> usize {
    proxy
        .log()
        .iter()
        .filter(|s| s.action == action && s.outcome == outcome)
        .count()
}

#[test]
fn throttled_describe_calls_are_retried_and_the_deploy_finishes() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![
            Rule::on("DescribeChangeSet", 2, Fault::Throttle),
            Rule::on("DescribeStackEvents", 3, Fault::Throttle),
            Rule::on("DescribeStacks", 2, Fault::Throttle).after(1),
        ],
    );
    let stack = aws::stack_name("throttle");
    let run = deploy_through(
        &proxy,
        &stack,
        templates::network(Some("ami-1")),
        &["--yes"],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.out.contains("CREATE_COMPLETE"), "{}", run.all());
    assert_eq!(count(&proxy, "DescribeChangeSet", "Throttle"), 2);
    assert_eq!(count(&proxy, "DescribeStackEvents", "Throttle"), 3);
    assert_eq!(count(&proxy, "DescribeStacks", "Throttle"), 2);
    assert_eq!(count(&proxy, "ExecuteChangeSet", "forwarded"), 1);
}

#[test]
fn a_burst_of_server_errors_is_retried() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule {
            action: None,
            armed_by: Some("CreateChangeSet".into()),
            skip: 0,
            times: 3,
            fault: Fault::ServerError(503),
        }],
    );
    let stack = aws::stack_name("burst");
    let run = deploy_through(
        &proxy,
        &stack,
        templates::network(Some("ami-1")),
        &["--yes"],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(proxy.faults(), 3, "{:?}", proxy.log());
    assert_eq!(count(&proxy, "ExecuteChangeSet", "forwarded"), 1);
}

#[test]
fn a_dropped_connection_while_polling_events_is_retried() {
    let ls = Emulator::localstack();
    let proxy = FaultProxy::start(
        &ls.endpoint(),
        // The first DescribeStackEvents is the baseline before execution;
        // the next ones are the watcher's polls.
        vec![Rule::on("DescribeStackEvents", 2, Fault::Drop).after(1)],
    );
    let stack = aws::stack_name("drop");
    let run = deploy_through(
        &proxy,
        &stack,
        templates::network(Some("ami-1")),
        &["--yes"],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        count(&proxy, "DescribeStackEvents", "Drop"),
        2,
        "{:?}",
        proxy.log()
    );
    for id in ["Vpc", "SubnetA", "SubnetB", "WebSg", "Alerts"] {
        assert_eq!(
            run.out
                .lines()
                .filter(|l| l.contains("CREATE_COMPLETE") && l.contains(&format!(" {id} ")))
                .count(),
            1,
            "every event shown once despite the retries:\n{}",
            run.all()
        );
    }
}

#[test]
fn when_cloudformation_stops_answering_mid_operation_the_user_is_told_it_continues() {
    let ls = Emulator::localstack();
    let proxy = FaultProxy::start(
        &ls.endpoint(),
        vec![Rule::everything_after(
            "ExecuteChangeSet",
            Fault::ServerError(503),
        )],
    );
    let stack = aws::stack_name("outage");
    let started = Instant::now();
    let run = deploy_through(
        &proxy,
        &stack,
        templates::network(Some("ami-1")),
        &["--yes"],
    );
    eprintln!("gave up after {} s", started.elapsed().as_secs());
    assert_eq!(run.code, 7, "{}", run.all());
    assert!(run.out.contains("Executing change set"), "{}", run.all());
    assert!(
        run.err.contains("lost contact with CloudFormation"),
        "{}",
        run.all()
    );
    assert!(
        run.err
            .contains("the operation continues in CloudFormation"),
        "{}",
        run.all()
    );
    assert!(
        run.err.contains(&format!(
            "aws cloudformation describe-stack-events --stack-name {stack}"
        )),
        "{}",
        run.all()
    );
    // It did continue, without hagen.
    let direct = ls.endpoint();
    let start = Instant::now();
    while aws::stack_status(&direct, &stack).is_some_and(|s| s.ends_with("_IN_PROGRESS"))
        && start.elapsed() < Duration::from_secs(120)
    {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        aws::stack_status(&direct, &stack).as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[test]
fn throttling_beyond_the_retries_stops_before_anything_runs() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on("CreateChangeSet", usize::MAX, Fault::Throttle)],
    );
    let stack = aws::stack_name("giveup");
    let run = deploy_through(
        &proxy,
        &stack,
        templates::network(Some("ami-1")),
        &["--yes"],
    );
    assert_eq!(run.code, 7, "{}", run.all());
    assert!(
        run.err.contains("CreateChangeSet for stack") && run.err.contains("Rate exceeded"),
        "{}",
        run.all()
    );
    assert_eq!(
        count(&proxy, "CreateChangeSet", "Throttle"),
        hagen::deploy::aws::MAX_ATTEMPTS as usize
    );
    assert_eq!(count(&proxy, "ExecuteChangeSet", "forwarded"), 0);
}

/// The API calls of a first deploy and of a redeploy with no changes, as
/// seen on the wire through a pass-through proxy to `endpoint`; both deploys
/// must succeed and the second must say "no changes". Prints both lists (the
/// figures in docs/deploy.md come from here).
fn calls_of_create_and_no_change(endpoint: &str, scenario: &str) -> (Vec<String>, Vec<String>) {
    let proxy = FaultProxy::start(endpoint, vec![]);
    let stack = aws::stack_name(scenario);
    let template = templates::network(Some("ami-1"));
    let created = deploy_through(&proxy, &stack, template.clone(), &["--yes"]);
    assert_eq!(created.code, 0, "{}", created.all());
    let create_calls = proxy.forwarded_actions();
    eprintln!(
        "create: {} calls: {}",
        create_calls.len(),
        create_calls.join(" ")
    );
    let again = deploy_through(&proxy, &stack, template, &["--yes"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(again.out.contains("no changes"), "{}", again.all());
    let no_change_calls = proxy.forwarded_actions()[create_calls.len()..].to_vec();
    eprintln!(
        "no change: {} calls: {}",
        no_change_calls.len(),
        no_change_calls.join(" ")
    );
    (create_calls, no_change_calls)
}

/// How often `action` occurs in `calls`.
fn occurrences(calls: &[String], action: &str) -> usize {
    calls.iter().filter(|c| *c == action).count()
}

/// Measures (and pins) the API calls of a first deploy and of a redeploy
/// with no changes, as seen on the wire (moto: synchronous execution, "no
/// changes" as a ValidationError at CreateChangeSet).
#[test]
fn api_calls_of_a_create_and_of_a_no_change_deploy() {
    let moto = Emulator::moto();
    let (create_calls, no_change_calls) = calls_of_create_and_no_change(&moto.endpoint(), "calls");
    let n = occurrences;
    assert_eq!(n(&create_calls, "CreateChangeSet"), 1);
    assert_eq!(n(&create_calls, "ExecuteChangeSet"), 1);
    // Who the credentials belong to is asked first (the context line),
    // then the stack is looked up.
    assert_eq!(
        create_calls
            .iter()
            .take(2)
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["GetCallerIdentity", "DescribeStacks"]
    );
    assert_eq!(n(&no_change_calls, "CreateChangeSet"), 1);
    assert_eq!(n(&no_change_calls, "ExecuteChangeSet"), 0);
    assert_eq!(n(&no_change_calls, "DescribeStackEvents"), 0);
}

/// Neither emulator reaches these states, so the proxy shows the SDK a real
/// stack's answer with its status rewritten; the recovery calls themselves
/// go to the emulator (which does not implement them: the error must come
/// through clearly).
#[test]
fn stacks_stuck_in_failed_states_get_their_recovery_explained_and_offered() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("stuck");
    let template = templates::network(Some("ami-1"));
    let created = aws::deploy(&moto.endpoint(), &stack, &template, &["--yes"], &[]);
    assert_eq!(created.code, 0, "{}", created.all());
    let cases = [
        (
            "UPDATE_ROLLBACK_FAILED",
            "continue-update-rollback",
            "Continue the rollback of stack",
        ),
        ("UPDATE_FAILED", "rollback-stack", "Roll back stack"),
        ("ROLLBACK_FAILED", "delete-stack", ""),
    ];
    for (status, command, question) in cases {
        let proxy = FaultProxy::start(
            &moto.endpoint(),
            vec![Rule::on(
                "DescribeStacks",
                usize::MAX,
                Fault::Rewrite {
                    from: "<StackStatus>CREATE_COMPLETE</StackStatus>".into(),
                    to: format!("<StackStatus>{status}</StackStatus>"),
                },
            )],
        );
        let ep = proxy.endpoint();
        let (st, tpl) = (stack.clone(), template.clone());
        let declined = aws::within(HANG_GUARD, move || {
            aws::deploy(&ep, &st, &tpl, &[], &[false])
        });
        assert_eq!(declined.code, 6, "{status}: {}", declined.all());
        assert!(
            declined
                .out
                .contains(&format!("Stack {stack} is {status}: ")),
            "{status}: {}",
            declined.all()
        );
        assert!(
            declined.out.contains(&format!(
                "aws cloudformation {command} --stack-name {stack}"
            )),
            "{status}: {}",
            declined.all()
        );
        if question.is_empty() {
            assert!(
                declined.asked.is_empty(),
                "{status}: only a delete recovers, nothing to offer"
            );
        } else {
            assert!(
                declined.asked[0].starts_with(question),
                "{status}: {:?}",
                declined.asked
            );
        }
        assert_eq!(count(&proxy, "CreateChangeSet", "forwarded"), 0, "{status}");
    }

    // Accepting calls ContinueUpdateRollback on the stack; moto does not
    // implement it, and that error is what the user sees.
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "DescribeStacks",
            usize::MAX,
            Fault::Rewrite {
                from: "<StackStatus>CREATE_COMPLETE</StackStatus>".into(),
                to: "<StackStatus>UPDATE_ROLLBACK_FAILED</StackStatus>".into(),
            },
        )],
    );
    let run = deploy_through(&proxy, &stack, template, &["--yes"]);
    assert_eq!(run.code, 7, "{}", run.all());
    assert!(
        run.err
            .contains(&format!("ContinueUpdateRollback \"{stack}\" failed")),
        "{}",
        run.all()
    );
    assert!(count(&proxy, "ContinueUpdateRollback", "forwarded") >= 1);
    assert_eq!(count(&proxy, "CreateChangeSet", "forwarded"), 0);
}

/// The same on LocalStack: asynchronous execution (event polls), and "no
/// changes" as a FAILED change set that is deleted again.
#[test]
fn api_calls_on_an_asynchronous_endpoint() {
    let ls = Emulator::localstack();
    let (create_calls, no_change_calls) = calls_of_create_and_no_change(&ls.endpoint(), "calls-ls");
    let n = occurrences;
    assert_eq!(n(&create_calls, "CreateChangeSet"), 1);
    assert_eq!(n(&create_calls, "ExecuteChangeSet"), 1);
    assert!(n(&create_calls, "DescribeStackEvents") >= 2);
    assert_eq!(n(&no_change_calls, "CreateChangeSet"), 1);
    assert_eq!(n(&no_change_calls, "DeleteChangeSet"), 1);
    assert_eq!(n(&no_change_calls, "ExecuteChangeSet"), 0);
}

/// An operation still running on the stack: the proxy shows the first
/// answers as `UPDATE_IN_PROGRESS`, then the real settled status.
#[test]
fn a_running_operation_is_waited_for_or_refused_with_no_wait() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("busy");
    let template = templates::network(Some("ami-1"));
    let created = aws::deploy(&moto.endpoint(), &stack, &template, &["--yes"], &[]);
    assert_eq!(created.code, 0, "{}", created.all());
    let busy = |times: usize| {
        FaultProxy::start(
            &moto.endpoint(),
            vec![Rule::on(
                "DescribeStacks",
                times,
                Fault::Rewrite {
                    from: "<StackStatus>CREATE_COMPLETE</StackStatus>".into(),
                    to: "<StackStatus>UPDATE_IN_PROGRESS</StackStatus>".into(),
                },
            )],
        )
    };

    let proxy = busy(1);
    let refused = deploy_through(&proxy, &stack, template.clone(), &["--yes", "--no-wait"]);
    assert_eq!(refused.code, 6, "{}", refused.all());
    assert!(
        refused
            .err
            .contains("is UPDATE_IN_PROGRESS: another operation is running"),
        "{}",
        refused.all()
    );
    assert_eq!(count(&proxy, "CreateChangeSet", "forwarded"), 0);

    let proxy = busy(3);
    let waited = deploy_through(&proxy, &stack, template, &["--yes"]);
    assert_eq!(waited.code, 0, "{}", waited.all());
    assert!(
        waited
            .out
            .contains("is UPDATE_IN_PROGRESS: waiting for that operation to finish"),
        "{}",
        waited.all()
    );
    assert!(waited.out.contains("no changes"), "{}", waited.all());
    assert_eq!(count(&proxy, "DescribeStacks", "rewritten"), 3);
}
