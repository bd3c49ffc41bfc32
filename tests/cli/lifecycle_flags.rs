//! The safety flags of `hagen deploy` (`--termination-protection`,
//! `--role-arn`, `--disable-rollback`, `--change-set-name`, and `protect =
//! true` environments) and `hagen rollback`, on moto.
//!
//! moto lacks UpdateTerminationProtection, RollbackStack and
//! ContinueUpdateRollback, and its stacks never end UPDATE_FAILED or
//! UPDATE_ROLLBACK_FAILED: the fault proxy answers those calls in the shape
//! of the CloudFormation API reference and rewrites DescribeStacks statuses
//! where a test needs a state moto cannot reach (each test says which). Its
//! log shows what every call sent.

use crate::support;

use std::time::Duration;

use hagen::cli::deploy::{DeployContext, SynthOutput};
use hagen::cli::rollback::RollbackArgs;
use hagen::deploy::{Console, Interrupt};
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::fault_proxy::{Fault, FaultProxy, Rule};
use support::templates;

/// Far above any expected duration; only catches hangs.
const HANG_GUARD: Duration = Duration::from_secs(600);

const ROLE: &str = "arn:aws:iam::123456789012:role/cfn-deploy";

fn answer(action: &str, result: &str) -> Fault {
    Fault::Answer(format!(
        "<{action}Response xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></{action}Response>"
    ))
}

fn status_rewrite(from: &str, to: &str) -> Fault {
    Fault::Rewrite {
        from: format!("<StackStatus>{from}</StackStatus>"),
        to: format!("<StackStatus>{to}</StackStatus>"),
    }
}

/// The bodies of the requests with `action` the proxy saw.
fn sent(proxy: &FaultProxy, action: &str) -> Vec<String> {
    proxy
        .log()
        .into_iter()
        .filter(|s| s.action == action)
        .map(|s| s.params)
        .collect()
}

/// Deploys `template` through the CLI layer with `ctx` (an environment's
/// defaults) and `flags`, without a terminal.
fn deploy_in(
    endpoint: &str,
    stack: &str,
    template: &hagen::template::Template,
    flags: &[&str],
    ctx: &DeployContext,
) -> Run {
    let mut flags = flags.to_vec();
    flags.extend(["--require-approval", "never"]);
    let args = aws::deploy_args(stack, &flags);
    let mut request = hagen::cli::deploy::request(&args, ctx)
        .unwrap_or_else(|e| panic!("request for {stack}: {e}"));
    request.watch = aws::test_watch();
    request.catch_ctrl_c = false;
    let (mut console, out, err, _) = aws::console(None);
    let clients = aws::clients(endpoint);
    let mut synth = |_: &mut Console| {
        Ok(SynthOutput {
            nested: Vec::new(),
            template: template.clone(),
            body: template.to_yaml(),
        })
    };
    let code = hagen::cli::deploy::run_with_clients(
        &args,
        ctx,
        request,
        &mut synth,
        &clients,
        &mut console,
        Interrupt::new(),
    );
    Run {
        code,
        out: out.contents(),
        err: err.contents(),
        asked: Vec::new(),
    }
}

/// Runs `hagen rollback` with `flags` (the stack first) through the CLI
/// layer, without a terminal.
fn rollback(endpoint: &str, flags: &[&str]) -> Run {
    let args = aws::parse_flags::<RollbackArgs>(flags);
    let (mut console, out, err, _) = aws::console(None);
    let clients = aws::clients(endpoint);
    let code = hagen::cli::rollback::run_with_clients(
        &args,
        &DeployContext::default(),
        &clients,
        &mut console,
        Interrupt::new(),
        aws::test_watch(),
    );
    Run {
        code,
        out: out.contents(),
        err: err.contents(),
        asked: Vec::new(),
    }
}

#[test]
fn every_safety_flag_reaches_its_call_and_protection_is_set_after_the_create() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "UpdateTerminationProtection",
            usize::MAX,
            answer("UpdateTerminationProtection", "<StackId>stack</StackId>"),
        )],
    );
    let stack = aws::stack_name("flags");
    let ep = proxy.endpoint();
    let st = stack.clone();
    let run = aws::within(HANG_GUARD, move || {
        aws::deploy(
            &ep,
            &st,
            &templates::bucket("hagen-flags-data"),
            &[
                "--yes",
                "--termination-protection",
                "--role-arn",
                ROLE,
                "--disable-rollback",
                "--change-set-name",
                "release-42",
            ],
            &[],
        )
    });
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.out
            .contains("Creating change set release-42 to create stack"),
        "{}",
        run.all()
    );
    assert!(
        run.out.contains(&format!(
            "Termination protection turned on for stack {stack}"
        )),
        "{}",
        run.all()
    );
    let create = sent(&proxy, "CreateChangeSet").join("\n");
    assert!(
        create.contains("RoleARN=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcfn-deploy"),
        "{create}"
    );
    assert!(create.contains("ChangeSetName=release-42"), "{create}");
    assert!(
        create.contains("Description=hagen%20deploy%20run%20by"),
        "still marked as this run's own: {create}"
    );
    let execute = sent(&proxy, "ExecuteChangeSet").join("\n");
    assert!(execute.contains("DisableRollback=true"), "{execute}");
    let protect = sent(&proxy, "UpdateTerminationProtection");
    assert_eq!(protect.len(), 1, "{protect:?}");
    assert!(
        protect[0].contains("EnableTerminationProtection=true"),
        "{protect:?}"
    );
    // Its order: after the stack was created.
    let actions = proxy
        .log()
        .into_iter()
        .map(|s| s.action)
        .collect::<Vec<_>>();
    let executed = actions.iter().position(|a| a == "ExecuteChangeSet");
    let protected = actions
        .iter()
        .position(|a| a == "UpdateTerminationProtection");
    assert!(executed < protected, "{actions:?}");
}

#[test]
fn a_protected_environment_is_protected_by_default_and_turning_it_off_is_reported() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![Rule::on(
            "UpdateTerminationProtection",
            usize::MAX,
            answer("UpdateTerminationProtection", "<StackId>stack</StackId>"),
        )],
    );
    let mut prod = DeployContext {
        protect: true,
        ..DeployContext::default()
    };
    prod.environment.pins.environment = Some("prod".into());
    let ep = proxy.endpoint();
    let stack = aws::stack_name("protected");
    let (st, ctx) = (stack.clone(), prod.clone());
    let run = aws::within(HANG_GUARD, move || {
        deploy_in(
            &ep,
            &st,
            &templates::bucket("hagen-prot-a"),
            &["--yes"],
            &ctx,
        )
    });
    assert_eq!(run.code, 0, "{}", run.all());
    let protect = sent(&proxy, "UpdateTerminationProtection");
    assert_eq!(protect.len(), 1, "on by default in prod: {}", run.all());
    assert!(protect[0].contains("EnableTerminationProtection=true"));
    assert!(!run.err.contains("notice:"), "{}", run.all());

    let ep = proxy.endpoint();
    let other = aws::stack_name("unprotected");
    let run = aws::within(HANG_GUARD, move || {
        deploy_in(
            &ep,
            &other,
            &templates::bucket("hagen-prot-b"),
            &["--yes", "--no-termination-protection"],
            &prod,
        )
    });
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.err.contains(
            "notice: --no-termination-protection overrides the safe default of environment prod (protect = true)"
        ),
        "{}",
        run.all()
    );
    assert_eq!(
        sent(&proxy, "UpdateTerminationProtection").len(),
        1,
        "a new stack starts unprotected: nothing to turn off"
    );
}

#[test]
fn a_change_set_name_already_on_the_stack_is_refused_and_kept() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("csname");
    let first = aws::deploy(
        &ep,
        &stack,
        &templates::bucket("hagen-cs-a"),
        &["--yes"],
        &[],
    );
    assert_eq!(first.code, 0, "{}", first.all());
    let kept = aws::deploy(
        &ep,
        &stack,
        &templates::bucket_titled("hagen-cs-a", "second"),
        &["--no-execute", "--change-set-name", "release-42"],
        &[],
    );
    assert_eq!(kept.code, 0, "{}", kept.all());
    assert!(aws::change_sets(&ep, &stack).contains(&"release-42".to_owned()));
    let clash = aws::deploy(
        &ep,
        &stack,
        &templates::bucket_titled("hagen-cs-a", "third"),
        &["--yes", "--change-set-name", "release-42"],
        &[],
    );
    assert_eq!(clash.code, hagen::cli::exit::USAGE, "{}", clash.all());
    assert!(
        clash.err.contains(&format!(
            "stack {stack} already has a change set named release-42"
        )),
        "{}",
        clash.all()
    );
    assert!(
        aws::change_sets(&ep, &stack).contains(&"release-42".to_owned()),
        "the other change set is left alone"
    );
}

#[test]
fn a_failed_update_with_rollback_disabled_says_how_to_continue_or_roll_back() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("norollback");
    let first = aws::deploy(
        &ep,
        &stack,
        &templates::bucket("hagen-nr-a"),
        &["--yes"],
        &[],
    );
    assert_eq!(first.code, 0, "{}", first.all());
    // moto completes every update: once the change set is executed, the
    // proxy reports the stack as CloudFormation leaves a failed update with
    // rollback disabled.
    let proxy = FaultProxy::start(
        &ep,
        vec![Rule {
            action: Some("DescribeStacks".into()),
            armed_by: Some("ExecuteChangeSet".into()),
            skip: 0,
            times: usize::MAX,
            fault: status_rewrite("UPDATE_COMPLETE", "UPDATE_FAILED"),
        }],
    );
    let pep = proxy.endpoint();
    let st = stack.clone();
    let run = aws::within(HANG_GUARD, move || {
        aws::deploy(
            &pep,
            &st,
            &templates::bucket_titled("hagen-nr-a", "second"),
            &["--yes", "--disable-rollback"],
            &[],
        )
    });
    assert_eq!(run.code, hagen::cli::exit::DEPLOY_FAILED, "{}", run.all());
    assert!(
        sent(&proxy, "ExecuteChangeSet")
            .join("")
            .contains("DisableRollback=true")
    );
    assert!(
        run.out
            .contains(&format!("Stack {stack} ended UPDATE_FAILED.")),
        "{}",
        run.all()
    );
    assert!(
        run.out
            .contains("fix the cause and deploy again with --disable-rollback"),
        "{}",
        run.all()
    );
    assert!(
        run.out.contains(&format!(
            "roll back to the last working state: hagen rollback {stack}"
        )),
        "{}",
        run.all()
    );
}

#[test]
fn rollback_of_an_update_failed_stack_calls_rollback_stack_and_streams_until_settled() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("rollback");
    let first = aws::deploy(
        &moto.endpoint(),
        &stack,
        &templates::bucket("hagen-rb-a"),
        &["--yes"],
        &[],
    );
    assert_eq!(first.code, 0, "{}", first.all());
    // moto has no RollbackStack and no UPDATE_FAILED: the proxy shows the
    // stack UPDATE_FAILED, answers RollbackStack, then reports the state
    // CloudFormation ends in.
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![
            Rule::on(
                "DescribeStacks",
                1,
                status_rewrite("CREATE_COMPLETE", "UPDATE_FAILED"),
            ),
            Rule::on(
                "DescribeStacks",
                usize::MAX,
                status_rewrite("CREATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"),
            ),
            Rule::on(
                "RollbackStack",
                usize::MAX,
                answer("RollbackStack", "<StackId>stack</StackId>"),
            ),
        ],
    );
    let ep = proxy.endpoint();
    let st = stack.clone();
    let run = aws::within(HANG_GUARD, move || {
        rollback(&ep, &[&st, "--yes", "--format", "json"])
    });
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(sent(&proxy, "RollbackStack").len(), 1);
    assert!(sent(&proxy, "ContinueUpdateRollback").is_empty());
    assert!(
        run.err.contains(&format!(
            "Stack {stack} is UPDATE_FAILED: an operation failed with rollback disabled"
        )),
        "{}",
        run.all()
    );
    assert!(
        run.err
            .contains(&format!("Stack {stack}: UPDATE_ROLLBACK_COMPLETE")),
        "{}",
        run.all()
    );
    let outcome = run
        .out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["type"] == "outcome")
        .unwrap_or_else(|| panic!("an outcome record: {}", run.all()));
    assert_eq!(outcome["outcome"], "rolled_back");
    assert_eq!(outcome["status"], "UPDATE_ROLLBACK_COMPLETE");
    assert_eq!(outcome["exit_code"], 0);
}

#[test]
fn rollback_continues_an_update_rollback_failed_stack_skipping_resources() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("continue");
    let first = aws::deploy(
        &moto.endpoint(),
        &stack,
        &templates::bucket("hagen-rb-b"),
        &["--yes"],
        &[],
    );
    assert_eq!(first.code, 0, "{}", first.all());
    // moto has no ContinueUpdateRollback and no UPDATE_ROLLBACK_FAILED: the
    // proxy shows the state, answers the call, then reports the end state.
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![
            Rule::on(
                "DescribeStacks",
                1,
                status_rewrite("CREATE_COMPLETE", "UPDATE_ROLLBACK_FAILED"),
            ),
            Rule::on(
                "DescribeStacks",
                usize::MAX,
                status_rewrite("CREATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"),
            ),
            Rule::on(
                "ContinueUpdateRollback",
                usize::MAX,
                answer("ContinueUpdateRollback", ""),
            ),
        ],
    );
    let ep = proxy.endpoint();
    let st = stack.clone();
    let run = aws::within(HANG_GUARD, move || {
        rollback(&ep, &[&st, "--yes", "--skip", "Data", "Alerts"])
    });
    assert_eq!(run.code, 0, "{}", run.all());
    let continued = sent(&proxy, "ContinueUpdateRollback");
    assert_eq!(continued.len(), 1, "{}", run.all());
    assert!(
        continued[0].contains("ResourcesToSkip.member.1=Data")
            && continued[0].contains("ResourcesToSkip.member.2=Alerts"),
        "{continued:?}"
    );
    assert!(sent(&proxy, "RollbackStack").is_empty());
    assert!(
        run.out
            .contains("Skipped (left as they are, marked UPDATE_COMPLETE): Data, Alerts"),
        "{}",
        run.all()
    );
}

#[test]
fn rollback_of_a_healthy_stack_does_nothing_and_says_why() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("healthy");
    let first = aws::deploy(
        &ep,
        &stack,
        &templates::bucket("hagen-rb-c"),
        &["--yes"],
        &[],
    );
    assert_eq!(first.code, 0, "{}", first.all());
    let run = rollback(&ep, &[&stack, "--yes"]);
    assert_eq!(
        run.code,
        hagen::cli::exit::CHANGE_SET_REFUSED,
        "{}",
        run.all()
    );
    assert!(
        run.out.contains(&format!(
            "Stack {stack} is CREATE_COMPLETE: its last operation succeeded or was already rolled back: there is nothing to roll back. Nothing was done."
        )),
        "{}",
        run.all()
    );
    let skip_on_paused = rollback(&ep, &["no-such-stack-here", "--yes"]);
    assert_eq!(
        skip_on_paused.code,
        hagen::cli::exit::USAGE,
        "{}",
        skip_on_paused.all()
    );
    assert!(
        skip_on_paused
            .err
            .contains("stack no-such-stack-here does not exist"),
        "{}",
        skip_on_paused.all()
    );
}
