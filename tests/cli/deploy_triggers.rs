//! Rollback triggers from the template's own alarms (deploy monitors):
//! what CreateChangeSet carries on a create and on an update, and the
//! report when a trigger rolls an update back.
//!
//! Neither moto nor LocalStack implements rollback triggers: both accept
//! a RollbackConfiguration and ignore it, and no alarm ever rolls a stack
//! back. So the requests are checked in the fault proxy's log, and a
//! trigger firing is shown to hagen by rewriting moto's answers into the
//! shapes CloudFormation's API reference gives (`UPDATE_ROLLBACK_IN_PROGRESS`
//! on the stack, its reason naming the alarm's ARN).

use crate::support;

use std::time::Duration;

use hagen::resources::cloudwatch::Alarm;
use hagen::resources::sns::Topic;
use hagen::stack::Stack;
use hagen::template::Template;
use support::aws::{self, REGION, Run};
use support::emulator::Emulator;
use support::fault_proxy::{Fault, FaultProxy, Rule};

/// Far above any expected duration; only catches hangs.
const HANG_GUARD: Duration = Duration::from_secs(600);
/// moto's account.
const ACCOUNT: &str = "123456789012";

/// A topic and two alarms on it, both marked as deploy monitors with the
/// DSL, named after the stack; `title` changes the topic (an update).
fn monitored(stack: &str, title: &str) -> Template {
    let mut s = Stack::new("hagen deploy test: rollback triggers");
    s.add("Alerts", Topic::new().display_name(title))
        .expect("topic");
    let alarm = |name: String, metric: &str| {
        Alarm::new()
            .alarm_name(name)
            .namespace("AWS/ApplicationELB")
            .metric_name(metric)
            .period(60)
            .evaluation_periods(1)
            .threshold(1.0)
            .comparison_operator(
                hagen::resources::cloudwatch::alarm::ComparisonOperator::GreaterThanOrEqualToThreshold,
            )
    };
    let errors = s
        .add(
            "Target5xxAlarm",
            alarm(format!("{stack}-5xx"), "HTTPCode_Target_5XX_Count"),
        )
        .expect("alarm");
    let unhealthy = s
        .add(
            "UnhealthyHostsAlarm",
            alarm(format!("{stack}-unhealthy"), "UnHealthyHostCount"),
        )
        .expect("alarm");
    s.monitor_deploys(&errors).expect("an alarm");
    s.monitor_deploys(&unhealthy).expect("an alarm");
    s.deploy_monitoring_minutes(15).expect("within 180");
    s.into_template().expect("template")
}

fn deploy_through(
    proxy: &FaultProxy,
    stack: &str,
    template: Template,
    flags: &'static [&'static str],
) -> Run {
    let ep = proxy.endpoint();
    let stack = stack.to_owned();
    aws::within(HANG_GUARD, move || {
        aws::deploy(&ep, &stack, &template, flags, &[])
    })
}

/// moto (5.2) creates no `AWS::CloudWatch::Alarm` in a stack (it skips
/// types it does not model), so ListStackResources lacks the alarms. This
/// rule lists them as CloudFormation would, with their names as physical
/// IDs.
fn alarms_listed(stack: &str) -> Rule {
    let member = |logical: &str, name: String| {
        format!(
            "<member><LogicalResourceId>{logical}</LogicalResourceId><PhysicalResourceId>{name}</PhysicalResourceId><ResourceType>AWS::CloudWatch::Alarm</ResourceType><LastUpdatedTimestamp>2026-01-01T00:00:00Z</LastUpdatedTimestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>"
        )
    };
    Rule::on(
        "ListStackResources",
        usize::MAX,
        Fault::Rewrite {
            from: "<StackResourceSummaries>".into(),
            to: format!(
                "<StackResourceSummaries>{}{}",
                member("Target5xxAlarm", format!("{stack}-5xx")),
                member("UnhealthyHostsAlarm", format!("{stack}-unhealthy"))
            ),
        },
    )
}

fn arn(name: &str) -> String {
    format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}")
}

#[test]
fn an_update_passes_the_marked_alarms_as_rollback_triggers_and_a_create_none() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("triggers");

    let proxy = FaultProxy::start(&moto.endpoint(), Vec::new());
    let created = deploy_through(&proxy, &stack, monitored(&stack, "one"), &["--yes"]);
    assert_eq!(created.code, 0, "{}", created.all());
    assert!(
        created.out.contains(
            "Rollback triggers: none on this first deploy: the monitored alarms (Target5xxAlarm, UnhealthyHostsAlarm) are created by it"
        ),
        "{}",
        created.all()
    );
    let sent = proxy.bodies("CreateChangeSet");
    assert_eq!(sent.len(), 1);
    assert!(
        !sent[0].contains("RollbackConfiguration"),
        "a create sends no triggers: {}",
        sent[0]
    );

    let proxy = FaultProxy::start(&moto.endpoint(), vec![alarms_listed(&stack)]);
    let updated = deploy_through(&proxy, &stack, monitored(&stack, "two"), &["--yes"]);
    assert_eq!(updated.code, 0, "{}", updated.all());
    assert!(
        updated.out.contains(
            "Rollback triggers: 2 alarms watch this deploy during the update and 15 minutes after; ALARM rolls it back:"
        ),
        "{}",
        updated.all()
    );
    assert!(
        updated.out.contains(&format!(
            "  - Target5xxAlarm ({})",
            arn(&format!("{stack}-5xx"))
        )),
        "{}",
        updated.all()
    );
    let sent = proxy.bodies("CreateChangeSet");
    assert_eq!(sent.len(), 1);
    let body = &sent[0];
    for (i, name) in [format!("{stack}-5xx"), format!("{stack}-unhealthy")]
        .iter()
        .enumerate()
    {
        let n = i + 1;
        assert!(
            body.contains(&format!(
                "RollbackConfiguration.RollbackTriggers.member.{n}.Arn={}",
                arn(name)
            )),
            "{body}"
        );
        assert!(
            body.contains(&format!(
                "RollbackConfiguration.RollbackTriggers.member.{n}.Type=AWS::CloudWatch::Alarm"
            )),
            "{body}"
        );
    }
    assert!(
        body.contains("RollbackConfiguration.MonitoringTimeInMinutes=15"),
        "{body}"
    );

    // --no-rollback-triggers: an empty list (clearing the stack's earlier
    // triggers for this run), said as a warning.
    let proxy = FaultProxy::start(&moto.endpoint(), Vec::new());
    let off = deploy_through(
        &proxy,
        &stack,
        monitored(&stack, "three"),
        &["--yes", "--no-rollback-triggers"],
    );
    assert_eq!(off.code, 0, "{}", off.all());
    assert!(
        off.err.contains(
            "Rollback triggers off (--no-rollback-triggers): Target5xxAlarm, UnhealthyHostsAlarm will not roll this deploy back."
        ),
        "{}",
        off.all()
    );
    let body = &proxy.bodies("CreateChangeSet")[0];
    assert!(!body.contains("RollbackTriggers.member"), "{body}");
    assert!(body.contains("RollbackConfiguration"), "{body}");
}

#[test]
fn an_update_rolled_back_by_a_trigger_names_the_alarm_in_the_failure_report() {
    let moto = Emulator::moto();
    let stack = aws::stack_name("fired");
    let created = aws::deploy(
        &moto.endpoint(),
        &stack,
        &monitored(&stack, "one"),
        &["--yes"],
        &[],
    );
    assert_eq!(created.code, 0, "{}", created.all());

    // What CloudFormation shows when a trigger fires: the stack's own event
    // goes UPDATE_ROLLBACK_IN_PROGRESS with a reason naming the alarm ARN,
    // and the stack ends UPDATE_ROLLBACK_COMPLETE. moto finishes the update
    // instead; the proxy turns its answers into that.
    let alarm = arn(&format!("{stack}-5xx"));
    let reason = format!("Rollback triggered by alarm(s) in ALARM state: [{alarm}]");
    let proxy = FaultProxy::start(
        &moto.endpoint(),
        vec![
            alarms_listed(&stack),
            Rule {
                action: Some("DescribeStackEvents".into()),
                armed_by: Some("ExecuteChangeSet".into()),
                skip: 0,
                times: usize::MAX,
                fault: Fault::Rewrite {
                    from: "<ResourceStatus>UPDATE_COMPLETE</ResourceStatus>".into(),
                    to: format!(
                        "<ResourceStatus>UPDATE_ROLLBACK_IN_PROGRESS</ResourceStatus><ResourceStatusReason>{reason}</ResourceStatusReason>"
                    ),
                },
            },
            Rule {
                action: Some("DescribeStacks".into()),
                armed_by: Some("ExecuteChangeSet".into()),
                skip: 0,
                times: usize::MAX,
                fault: Fault::Rewrite {
                    from: "<StackStatus>UPDATE_COMPLETE</StackStatus>".into(),
                    to: "<StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus>".into(),
                },
            },
        ],
    );
    let run = deploy_through(
        &proxy,
        &stack,
        monitored(&stack, "two"),
        &["--yes", "--progress", "events"],
    );
    assert_eq!(run.code, 6, "{}", run.all());
    assert!(
        proxy.bodies("CreateChangeSet")[0].contains(&alarm),
        "the update was watched by the alarm"
    );
    assert!(
        run.out
            .contains(&format!("Stack {stack} ended UPDATE_ROLLBACK_COMPLETE.")),
        "{}",
        run.all()
    );
    assert!(
        run.out.contains(&format!(
            "rollback trigger fired: alarm {stack}-5xx went into ALARM"
        )),
        "{}",
        run.all()
    );
}

/// SwiftCode marks its own target's 5xx and unhealthy-host alarms; the
/// mark is in the synthesized template, where `hagen deploy --template`
/// of that file finds it again.
#[test]
fn swiftcodes_synthesized_template_carries_its_two_deploy_monitors() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = assert_cmd::Command::cargo_bin("hagen")
        .expect("the hagen binary is built")
        .current_dir(dir.path())
        .env_remove("HAGEN_ENV")
        .env_remove("HAGEN_CONFIG")
        .args(["synth", "--env", "prod", "--format", "json"])
        .output()
        .expect("hagen runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let template: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("synth prints JSON");
    let monitors = &template["Metadata"]["hagen"]["DeployMonitors"];
    assert_eq!(
        monitors["Alarms"],
        serde_json::json!(["AppAlarmsTarget5xxAlarm", "AppAlarmsUnhealthyHostsAlarm"]),
        "{monitors}"
    );
    assert_eq!(
        monitors["MonitoringMinutes"],
        serde_json::json!(swiftcode::DEPLOY_MONITORING_MINUTES)
    );
    for id in ["AppAlarmsTarget5xxAlarm", "AppAlarmsUnhealthyHostsAlarm"] {
        assert_eq!(
            template["Resources"][id]["Type"], "AWS::CloudWatch::Alarm",
            "{id}"
        );
    }
}
