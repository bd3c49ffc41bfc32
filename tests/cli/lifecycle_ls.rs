//! `hagen ls` and `hagen events` against emulators.
//!
//! moto 5 lists stacks (deleted ones too) and their resources and keeps
//! stack-level events, but has no `DescribeEvents` (it answers HTTP 500)
//! and no `UpdateTerminationProtection` (its DescribeStacks always says
//! `false`): `events` then groups DescribeStackEvents at each operation's
//! start, which is what the moto tests see; the `DescribeEvents` grouping
//! and termination protection are shown to hagen by the fault proxy in the
//! shapes of the CloudFormation API reference. moto's updates never fail,
//! so the failed update (failures first, exit 6) runs on LocalStack.

use crate::support;

use std::time::Duration;

use hagen::cli::deploy::DeployContext;
use hagen::cli::events::EventsArgs;
use hagen::cli::ls::LsArgs;
use hagen::deploy::Interrupt;
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::fault_proxy::{Fault, FaultProxy, Rule};
use support::templates;

/// Far above any expected run: a guard against hangs only.
const HANG_GUARD: Duration = Duration::from_secs(120);

fn unique(prefix: &str) -> String {
    aws::stack_name(prefix).to_lowercase()
}

/// Runs `hagen ls` with `flags` against `endpoint`.
fn ls(endpoint: &str, flags: &[&str]) -> Run {
    let args = aws::parse_flags::<LsArgs>(flags);
    let (mut console, out, err, prompt) = aws::console(None);
    let clients = aws::clients(endpoint);
    let code = hagen::cli::ls::run_with_clients(
        &args,
        &DeployContext::default(),
        false,
        &clients,
        &mut console,
    );
    Run {
        code,
        out: out.contents(),
        err: err.contents(),
        asked: prompt.asked(),
    }
}

/// Runs `hagen events` with `flags` against `endpoint`, at a width of
/// `width` columns.
fn events_at(endpoint: &str, flags: &[&str], interrupt: Interrupt, width: usize) -> Run {
    let args = aws::parse_flags::<EventsArgs>(flags);
    let (mut console, out, err, prompt) = aws::console(None);
    console.width = width;
    let clients = aws::clients(endpoint);
    let code = hagen::cli::events::run_with_clients(
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
        asked: prompt.asked(),
    }
}

fn events(endpoint: &str, flags: &[&str]) -> Run {
    events_at(endpoint, flags, Interrupt::new(), 240)
}

/// The JSON lines of a run, parsed.
fn records(run: &Run) -> Vec<serde_json::Value> {
    run.out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{}", run.all())))
        .collect()
}

/// The line of `text` that starts with `name` (a table row).
fn row<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines().find(|l| l.trim_start().starts_with(name))
}

/// Creates a stack with a bucket and a topic.
fn deployed(endpoint: &str, prefix: &str) -> String {
    let stack = aws::stack_name(prefix);
    let run = aws::deploy(
        endpoint,
        &stack,
        &templates::bucket(&unique("b")),
        &["--yes"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    stack
}

#[test]
fn ls_shows_live_stacks_with_status_and_protection_and_deleted_ones_with_all() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let kept = deployed(&ep, "kept");
    let gone = deployed(&ep, "gone");
    let clients = aws::clients(&ep);
    aws::block_on(async { clients.cfn.delete_stack().stack_name(&gone).send().await })
        .expect("DeleteStack");

    let live = ls(&ep, &[]);
    assert_eq!(live.code, 0, "{}", live.all());
    println!("{}", live.out);
    let line = row(&live.out, &kept).unwrap_or_else(|| panic!("{}", live.all()));
    assert!(line.contains("CREATE_COMPLETE"), "{line}");
    // Never drift-checked, not protected (moto cannot protect a stack).
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells.last(), Some(&"no"), "{line}");
    assert_eq!(cells[cells.len() - 2], "-", "{line}");
    assert!(row(&live.out, &gone).is_none(), "{}", live.all());
    assert!(live.out.starts_with("Account "), "{}", live.all());

    let all = ls(&ep, &["--all"]);
    assert_eq!(all.code, 0, "{}", all.all());
    println!("{}", all.out);
    let line = row(&all.out, &gone).unwrap_or_else(|| panic!("{}", all.all()));
    assert!(line.contains("DELETE_COMPLETE"), "{line}");
    assert!(line.trim_end().ends_with('-'), "{line}");

    // Termination protection as AWS reports it, through the proxy.
    let proxy = FaultProxy::start(
        &ep,
        vec![Rule::on(
            "DescribeStacks",
            usize::MAX,
            Fault::Rewrite {
                from: "<EnableTerminationProtection>false</EnableTerminationProtection>".into(),
                to: "<EnableTerminationProtection>true</EnableTerminationProtection>".into(),
            },
        )],
    );
    let protected = ls(&proxy.endpoint(), &["--format", "json"]);
    assert_eq!(protected.code, 0, "{}", protected.all());
    assert!(proxy.faults() > 0, "the answer was not rewritten");
    let doc = records(&protected);
    assert_eq!(doc.len(), 1, "one document: {}", protected.all());
    assert_eq!(doc[0]["type"], "stacks");
    let stacks = doc[0]["stacks"].as_array().expect("stacks array");
    let mine = stacks
        .iter()
        .find(|s| s["name"] == kept.as_str())
        .unwrap_or_else(|| panic!("{}", protected.all()));
    assert_eq!(mine["status"], "CREATE_COMPLETE");
    assert_eq!(mine["termination_protection"], true);
    assert!(mine["drift"].is_null());
    assert!(
        mine["last_updated"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert!(!stacks.iter().any(|s| s["name"] == gone.as_str()));
    // One ListStacks and one DescribeStacks walk, whatever the count.
    let actions = proxy.forwarded_actions();
    let describes = actions.iter().filter(|a| *a == "DescribeStacks").count();
    assert!(describes <= 1, "{actions:?}");
    let names: Vec<&str> = stacks.iter().filter_map(|s| s["name"].as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "sorted by name");
}

#[test]
fn ls_stack_lists_its_resources_in_text_and_json() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = deployed(&ep, "res");
    let run = ls(&ep, &[&stack]);
    assert_eq!(run.code, 0, "{}", run.all());
    println!("{}", run.out);
    assert!(run.out.contains(&format!("Stack {stack}")), "{}", run.all());
    let data = row(&run.out, "Data").unwrap_or_else(|| panic!("{}", run.all()));
    assert!(data.contains("AWS::S3::Bucket"), "{data}");
    assert!(data.contains("CREATE_COMPLETE"), "{data}");
    let physical: Vec<(String, String, String)> = aws::stack_resources(&ep, &stack);
    for (logical, ty, id) in &physical {
        let line = row(&run.out, logical).unwrap_or_else(|| panic!("{logical}: {}", run.all()));
        assert!(
            line.contains(ty.as_str()) && line.contains(id.as_str()),
            "{line}"
        );
    }

    let json = ls(&ep, &[&stack, "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.all());
    let doc = records(&json);
    assert_eq!(doc.len(), 1, "{}", json.all());
    assert_eq!(doc[0]["type"], "resources");
    assert_eq!(doc[0]["stack"], stack.as_str());
    let resources = doc[0]["resources"].as_array().expect("resources");
    assert_eq!(resources.len(), physical.len());
    assert!(
        resources
            .iter()
            .any(|r| r["logical_id"] == "Alerts" && r["resource_type"] == "AWS::SNS::Topic")
    );

    let missing = ls(&ep, &["hagen-no-such-stack"]);
    assert_eq!(missing.code, 2, "{}", missing.all());
    assert!(
        missing.err.contains("no stack \"hagen-no-such-stack\""),
        "{}",
        missing.all()
    );
}

#[test]
fn events_group_a_create_and_an_update_from_stack_events_when_describe_events_is_missing() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("hist");
    let name = unique("b");
    let first = aws::deploy(&ep, &stack, &templates::bucket(&name), &["--yes"], &[]);
    assert_eq!(first.code, 0, "{}", first.all());
    let second = aws::deploy(
        &ep,
        &stack,
        &templates::bucket_titled(&name, "paging"),
        &["--yes"],
        &[],
    );
    assert_eq!(second.code, 0, "{}", second.all());

    let proxy = FaultProxy::start(&ep, vec![]);
    let run = events(&proxy.endpoint(), &[&stack, "--limit", "5"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // Asked once, without retries, then the fallback.
    let actions = proxy.forwarded_actions();
    assert_eq!(
        actions.iter().filter(|a| *a == "DescribeEvents").count(),
        1,
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "DescribeStackEvents"),
        "{actions:?}"
    );
    assert!(
        run.out.contains("DescribeEvents is not available here"),
        "{}",
        run.all()
    );
    println!("{}", run.out);
    let update = run
        .out
        .find("UPDATE_STACK")
        .unwrap_or_else(|| panic!("{}", run.all()));
    let create = run
        .out
        .find("CREATE_STACK")
        .unwrap_or_else(|| panic!("{}", run.all()));
    assert!(update < create, "newest first: {}", run.all());
    assert!(
        run.out
            .contains(&format!("Stack {stack} is UPDATE_COMPLETE: ")),
        "{}",
        run.all()
    );

    let one = events(&ep, &[&stack, "--limit", "1"]);
    assert!(one.out.contains("UPDATE_STACK"), "{}", one.all());
    assert!(!one.out.contains("CREATE_STACK"), "{}", one.all());
    assert!(one.out.contains("(older ones: --limit N)"), "{}", one.all());

    let json = events(&ep, &[&stack, "--format", "json", "--limit", "5"]);
    assert_eq!(json.code, 0, "{}", json.all());
    let lines = records(&json);
    let kinds: Vec<&str> = lines.iter().filter_map(|r| r["type"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"context"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"outcome"), "{kinds:?}");
    assert_eq!(kinds[1], "operation", "{kinds:?}");
    let operations: Vec<&str> = lines
        .iter()
        .filter(|r| r["type"] == "operation")
        .filter_map(|r| r["operation_type"].as_str())
        .collect();
    assert!(operations.starts_with(&["UPDATE_STACK"]), "{operations:?}");
    assert!(operations.contains(&"CREATE_STACK"), "{operations:?}");
    let outcome = lines.last().expect("outcome");
    assert_eq!(outcome["exit_code"], 0);
    assert_eq!(outcome["status"], "UPDATE_COMPLETE");
    assert!(
        lines
            .iter()
            .any(|r| r["type"] == "event" && r["status"] == "UPDATE_COMPLETE")
    );
}

/// A `DescribeEvents` answer in the API reference's shape: an update whose
/// subnet failed (listed last, so that ordering is hagen's work) and the
/// create before it.
fn operation_events(stack: &str, stack_id: &str) -> String {
    let event = |id: &str,
                 op: &str,
                 ty: &str,
                 secs: &str,
                 logical: &str,
                 rtype: &str,
                 status: &str,
                 reason: &str| {
        format!(
            "<member><EventId>{id}</EventId><StackId>{stack_id}</StackId>\
             <OperationId>{op}</OperationId><OperationType>{ty}</OperationType>\
             <EventType>STACK_EVENT</EventType><LogicalResourceId>{logical}</LogicalResourceId>\
             <ResourceType>{rtype}</ResourceType><Timestamp>2026-12-06T10:{secs}Z</Timestamp>\
             <ResourceStatus>{status}</ResourceStatus><ResourceStatusReason>{reason}</ResourceStatusReason></member>"
        )
    };
    let s = "AWS::CloudFormation::Stack";
    let members = [
        event(
            "e5",
            "op-update-2",
            "UPDATE_STACK",
            "01:05",
            stack,
            s,
            "UPDATE_ROLLBACK_COMPLETE",
            "",
        ),
        event(
            "e1",
            "op-create-1",
            "CREATE_STACK",
            "00:01",
            stack,
            s,
            "CREATE_IN_PROGRESS",
            "User Initiated",
        ),
        event(
            "e3",
            "op-update-2",
            "UPDATE_STACK",
            "01:01",
            stack,
            s,
            "UPDATE_IN_PROGRESS",
            "User Initiated",
        ),
        event(
            "e4",
            "op-update-2",
            "UPDATE_STACK",
            "01:03",
            "Orphan",
            "AWS::EC2::Subnet",
            "CREATE_FAILED",
            "The vpc ID 'vpc-0doesnotexist' does not exist",
        ),
        event(
            "e2",
            "op-create-1",
            "CREATE_STACK",
            "00:09",
            stack,
            s,
            "CREATE_COMPLETE",
            "",
        ),
    ]
    .concat();
    format!(
        "<DescribeEventsResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\
         <DescribeEventsResult><OperationEvents>{members}</OperationEvents></DescribeEventsResult>\
         <ResponseMetadata><RequestId>hagen-test</RequestId></ResponseMetadata></DescribeEventsResponse>"
    )
}

#[test]
fn events_group_by_operation_id_when_describe_events_answers() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = deployed(&ep, "ops");
    let clients = aws::clients(&ep);
    let id = aws::block_on(hagen::deploy::stack::describe(&clients, &stack))
        .expect("DescribeStacks")
        .expect("the stack")
        .id;
    let proxy = FaultProxy::start(
        &ep,
        vec![Rule::on(
            "DescribeEvents",
            usize::MAX,
            Fault::Answer(operation_events(&stack, &id)),
        )],
    );
    let run = events(&proxy.endpoint(), &[&stack]);
    assert_eq!(run.code, 0, "{}", run.all());
    println!("{}", run.out);
    assert!(
        !proxy
            .forwarded_actions()
            .iter()
            .any(|a| a == "DescribeStackEvents"),
        "no fallback: {:?}",
        proxy.forwarded_actions()
    );
    assert!(!run.out.contains("not available here"), "{}", run.all());
    let update = run
        .out
        .find("(operation op-update-2)")
        .unwrap_or_else(|| panic!("{}", run.all()));
    let create = run
        .out
        .find("(operation op-create-1)")
        .unwrap_or_else(|| panic!("{}", run.all()));
    assert!(update < create, "newest first: {}", run.all());
    let update_part = &run.out[update..create];
    let failed = update_part
        .find("Failed (1):")
        .unwrap_or_else(|| panic!("{}", run.all()));
    let reason = update_part
        .find("The vpc ID 'vpc-0doesnotexist' does not exist")
        .unwrap_or_else(|| panic!("{}", run.all()));
    let rest = update_part
        .find("  Events:")
        .unwrap_or_else(|| panic!("{}", run.all()));
    let started = update_part
        .find("UPDATE_IN_PROGRESS")
        .unwrap_or_else(|| panic!("{}", run.all()));
    assert!(
        failed < reason && reason < rest && rest < started,
        "failures first: {update_part}"
    );
    assert!(
        run.out
            .contains("UPDATE_STACK  started 2026-12-06 10:01:01Z  UPDATE_ROLLBACK_COMPLETE"),
        "{}",
        run.all()
    );

    let json = events(&proxy.endpoint(), &[&stack, "--format", "json"]);
    let lines = records(&json);
    let failure = lines
        .iter()
        .find(|r| r["type"] == "event" && r["failure"] == true)
        .unwrap_or_else(|| panic!("{}", json.all()));
    assert_eq!(failure["operation_id"], "op-update-2");
    assert_eq!(failure["logical_id"], "Orphan");
    assert_eq!(
        failure["reason"],
        "The vpc ID 'vpc-0doesnotexist' does not exist"
    );
}

#[test]
fn events_follow_returns_at_once_on_a_settled_stack_and_follows_a_running_one() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = deployed(&ep, "follow");

    let missing = events(&ep, &["hagen-no-such-stack"]);
    assert_eq!(missing.code, 2, "{}", missing.all());
    assert!(
        missing
            .err
            .contains("no live stack \"hagen-no-such-stack\""),
        "{}",
        missing.all()
    );

    let settled = events(&ep, &[&stack, "--follow"]);
    assert_eq!(settled.code, 0, "{}", settled.all());
    assert!(
        settled
            .out
            .contains("is CREATE_COMPLETE: no operation to follow"),
        "{}",
        settled.all()
    );

    // The stack reads as updating for three DescribeStacks calls, then as
    // it is: the follow watches until then and exits as deploy would.
    let proxy = FaultProxy::start(
        &ep,
        vec![Rule::on(
            "DescribeStacks",
            3,
            Fault::Rewrite {
                from: "<StackStatus>CREATE_COMPLETE</StackStatus>".into(),
                to: "<StackStatus>UPDATE_IN_PROGRESS</StackStatus>".into(),
            },
        )],
    );
    let pe = proxy.endpoint();
    let st = stack.clone();
    let followed = aws::within(HANG_GUARD, move || {
        events(&pe, &[&st, "--follow", "--format", "json"])
    });
    assert_eq!(followed.code, 0, "{}", followed.all());
    println!("{}", followed.err);
    assert_eq!(proxy.faults(), 3);
    assert!(
        followed
            .err
            .contains(&format!("Following {stack} (UPDATE_IN_PROGRESS)")),
        "{}",
        followed.all()
    );
    let lines = records(&followed);
    let outcome = lines.last().expect("outcome");
    assert_eq!(outcome["type"], "outcome");
    assert_eq!(outcome["outcome"], "settled");
    assert_eq!(outcome["status"], "CREATE_COMPLETE");
    assert_eq!(outcome["exit_code"], 0);
}

#[test]
fn events_follow_stops_on_ctrl_c_with_130() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = deployed(&ep, "ctrlc");
    let proxy = FaultProxy::start(
        &ep,
        vec![Rule::on(
            "DescribeStacks",
            usize::MAX,
            Fault::Rewrite {
                from: "<StackStatus>CREATE_COMPLETE</StackStatus>".into(),
                to: "<StackStatus>UPDATE_IN_PROGRESS</StackStatus>".into(),
            },
        )],
    );
    let interrupt = Interrupt::new();
    let presser = interrupt.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(2));
        presser.trigger();
    });
    let pe = proxy.endpoint();
    let st = stack.clone();
    let run = aws::within(HANG_GUARD, move || {
        events_at(&pe, &[&st, "--follow"], interrupt, 240)
    });
    assert_eq!(run.code, 130, "{}", run.all());
    assert!(
        run.out.contains("Stopped watching; the operation goes on"),
        "{}",
        run.all()
    );
}

#[test]
fn events_show_a_failed_update_failures_first_and_follow_exits_6() {
    let ls = Emulator::localstack();
    let ep = ls.endpoint();
    let stack = aws::stack_name("failupd");
    let topic_only = {
        use hagen::resources::sns::Topic;
        let mut s = hagen::stack::Stack::new("hagen events test: topic");
        s.add("Alerts", Topic::new().display_name("alerts"))
            .expect("topic");
        s.into_template().expect("template")
    };
    let created = aws::deploy(&ep, &stack, &topic_only, &["--yes"], &[]);
    assert_eq!(created.code, 0, "{}", created.all());
    let failed = aws::deploy(&ep, &stack, &templates::broken_subnet(), &["--yes"], &[]);
    assert_eq!(failed.code, 6, "{}", failed.all());

    let run = events_at(&ep, &[&stack], Interrupt::new(), 120);
    assert_eq!(run.code, 0, "{}", run.all());
    println!("{}", run.out);
    let update = run
        .out
        .find("UPDATE_STACK")
        .unwrap_or_else(|| panic!("{}", run.all()));
    let create = run
        .out
        .find("CREATE_STACK")
        .unwrap_or_else(|| panic!("{}", run.all()));
    assert!(update < create, "newest first: {}", run.all());
    let update_part = &run.out[update..create];
    let failed_at = update_part
        .find("  Failed (")
        .unwrap_or_else(|| panic!("{}", run.all()));
    let orphan = update_part
        .find("Orphan")
        .unwrap_or_else(|| panic!("{}", run.all()));
    let rest = update_part
        .find("  Events:")
        .unwrap_or_else(|| panic!("{}", run.all()));
    assert!(
        failed_at < orphan && orphan < rest,
        "failures first: {update_part}"
    );
    for line in run.out.lines() {
        assert!(
            hagen::deploy::width::visible_width(line) <= 120,
            "wider than 120 columns: {line}"
        );
    }

    let follow = events(&ep, &[&stack, "--follow"]);
    assert_eq!(follow.code, 6, "{}", follow.all());
    assert!(
        follow
            .out
            .contains("is UPDATE_ROLLBACK_COMPLETE: no operation to follow"),
        "{}",
        follow.all()
    );
}

/// Issue 8: `hagen ls` and `hagen events` exited 2 with "unrecognized
/// subcommand". They parse, in a user's blueprint binary too, with their
/// examples and exit codes in `--help`, and refuse bad flags with 2.
#[test]
fn regression_ls_and_events_are_subcommands_with_help_not_unrecognized() {
    let run = |args: &[&str]| {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut argv = vec!["custom_blueprint"];
        argv.extend_from_slice(args);
        let code = hagen::cli::run(
            &crate::custom_blueprint::ReportingDatabase,
            argv,
            &mut out,
            &mut err,
        );
        (
            code,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    };
    let (code, help, _) = run(&["ls", "--help"]);
    assert_eq!(code, 0);
    assert!(help.contains("custom_blueprint ls --all"), "{help}");
    assert!(help.contains("Exit codes: 0 listed"), "{help}");
    let (code, help, _) = run(&["events", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.contains("custom_blueprint events web-stage --follow"),
        "{help}"
    );
    assert!(help.contains("130 stopped watching"), "{help}");
    let (code, _, err) = run(&["events", "web", "--limit", "0"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["ls", "web", "--all"]);
    assert_eq!(code, 2, "--all lists stacks, not resources: {err}");
}
