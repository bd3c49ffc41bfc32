//! Watching one stack operation: polling its events about every two
//! seconds, printing each new one once, keeping failure reasons, and
//! noticing when the stack settles, the user presses Ctrl-C, or contact
//! with CloudFormation is lost.
//!
//! Owns event de-duplication (by event ID), the filter that keeps only this
//! operation's events, progress display (bar or lines) and the failure
//! summary. It starts no operation.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::StackEvent;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::aws::Clients;
use super::console::{Console, Interrupt, ProgressMode, Style};
use super::error::DeployError;
use super::status;

/// How a watch polls and when it gives up on an unreachable service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchOptions {
    /// Time between polls.
    pub poll_interval: Duration,
    /// How long polls may keep failing (after the SDK's own retries) before
    /// hagen stops watching and says the operation goes on without it.
    pub lost_contact_after: Duration,
    /// Longest a single event page walk may go back, in pages of 100.
    pub max_pages: usize,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            poll_interval: Duration::from_secs(2),
            lost_contact_after: Duration::from_secs(180),
            max_pages: 20,
        }
    }
}

/// A resource that failed during the operation, with CloudFormation's reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// Logical ID.
    pub logical_id: String,
    /// Type.
    pub resource_type: String,
    /// The failed status (`CREATE_FAILED`, ...).
    pub status: String,
    /// Why, as CloudFormation put it.
    pub reason: String,
}

/// A stack-level rollback that a rollback trigger started: the stack's
/// own `ROLLBACK_IN_PROGRESS` / `UPDATE_ROLLBACK_IN_PROGRESS` event whose
/// reason names CloudWatch alarms by ARN. No resource failed, so without
/// this the failure summary would not say why the deploy rolled back.
pub fn trigger_failure(logical: &str, rtype: &str, status: &str, reason: &str) -> Option<Failure> {
    if !matches!(
        status,
        "ROLLBACK_IN_PROGRESS" | "UPDATE_ROLLBACK_IN_PROGRESS"
    ) {
        return None;
    }
    let alarms = crate::deploy_monitors::alarms_in(reason);
    if alarms.is_empty() {
        return None;
    }
    Some(Failure {
        logical_id: logical.to_owned(),
        resource_type: rtype.to_owned(),
        status: status.to_owned(),
        reason: format!(
            "rollback trigger fired: alarm {} went into ALARM ({reason})",
            alarms.join(", ")
        ),
    })
}

/// How a watch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEnd {
    /// The stack settled in this status.
    Settled {
        /// The final stack status.
        status: String,
        /// Its reason, when given.
        reason: Option<String>,
    },
    /// The stack no longer exists (a delete finished).
    Gone,
    /// The user pressed Ctrl-C; the operation goes on.
    Interrupted,
}

/// Which events belong to the operation being watched.
#[derive(Debug, Clone)]
pub struct EventCursor {
    stack: String,
    seen: HashSet<String>,
    since: Option<DateTime>,
    token: Option<String>,
}

impl EventCursor {
    /// A cursor that treats every event already on the stack as old. Call
    /// it just before starting the operation. `token` is the operation's
    /// client request token: events carrying another token are skipped.
    pub async fn start(
        clients: &Clients,
        stack: &str,
        token: Option<String>,
    ) -> Result<EventCursor, DeployError> {
        let mut cursor = EventCursor {
            stack: stack.to_owned(),
            seen: HashSet::new(),
            since: None,
            token,
        };
        let page = clients
            .cfn
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await;
        match page {
            Ok(out) => {
                for e in out.stack_events() {
                    if let Some(id) = e.event_id() {
                        cursor.seen.insert(id.to_owned());
                    }
                    if let Some(t) = e.timestamp()
                        && cursor.since.is_none_or(|s| *t > s)
                    {
                        cursor.since = Some(*t);
                    }
                }
            }
            // A stack that does not exist yet has no old events.
            Err(e) if is_missing_stack(&e) => {}
            Err(e) => {
                return Err(DeployError::aws(
                    format!("DescribeStackEvents for stack {stack:?}"),
                    &e,
                ));
            }
        }
        Ok(cursor)
    }

    /// A cursor over events of an operation someone else started (no token
    /// filter, nothing seen yet): shows events from `since` on.
    pub fn from_time(stack: &str, since: Option<DateTime>) -> EventCursor {
        EventCursor {
            stack: stack.to_owned(),
            seen: HashSet::new(),
            since,
            token: None,
        }
    }

    /// New events of this operation since the last call, oldest first.
    pub async fn poll(
        &mut self,
        clients: &Clients,
        max_pages: usize,
    ) -> Result<Vec<StackEvent>, DeployError> {
        let mut fresh = Vec::new();
        let mut next: Option<String> = None;
        'pages: for _ in 0..max_pages.max(1) {
            let out = clients
                .cfn
                .describe_stack_events()
                .stack_name(&self.stack)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| {
                    DeployError::aws(
                        format!("DescribeStackEvents for stack {:?}", self.stack),
                        &e,
                    )
                })?;
            for e in out.stack_events() {
                let id = e.event_id().unwrap_or_default();
                let old = self.seen.contains(id)
                    || matches!((self.since, e.timestamp()), (Some(s), Some(t)) if *t < s);
                if old {
                    break 'pages;
                }
                fresh.push(e.clone());
            }
            match out.next_token() {
                Some(t) => next = Some(t.to_owned()),
                None => break,
            }
        }
        fresh.reverse();
        let mut mine = Vec::new();
        for e in fresh {
            let id = e.event_id().unwrap_or_default().to_owned();
            if !self.seen.insert(id) {
                continue;
            }
            let other_operation = matches!(
                (&self.token, e.client_request_token()),
                (Some(ours), Some(theirs)) if ours != theirs
            );
            if !other_operation {
                mine.push(e);
            }
        }
        Ok(mine)
    }
}

/// Whether an SDK error says the stack does not exist.
pub fn is_missing_stack<E, R>(err: &aws_sdk_cloudformation::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_cloudformation::error::ProvideErrorMetadata,
{
    super::error::service_error(err)
        .is_some_and(|(code, msg)| code == "ValidationError" && msg.contains("does not exist"))
}

/// Progress display and failure bookkeeping for one operation.
pub struct Progress {
    bar: Option<ProgressBar>,
    stack_name: String,
    done: HashSet<String>,
    failures: Vec<Failure>,
}

impl Progress {
    /// Starts showing progress of an operation over `total` resources (when
    /// known) in the console's progress mode.
    pub fn new(console: &Console, stack_name: &str, total: Option<u64>) -> Progress {
        let bar = match console.progress {
            ProgressMode::Events => None,
            ProgressMode::Bar => {
                let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
                let template = if total.is_some() {
                    "{spinner} [{elapsed_precise}] [{bar:30}] {pos}/{len} resources  {msg}"
                } else {
                    "{spinner} [{elapsed_precise}] {pos} resources done  {msg}"
                };
                if let Ok(style) = ProgressStyle::with_template(template) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.enable_steady_tick(Duration::from_millis(200));
                Some(bar)
            }
        };
        Progress {
            bar,
            stack_name: stack_name.to_owned(),
            done: HashSet::new(),
            failures: Vec::new(),
        }
    }

    /// Prints a line without tearing the bar.
    pub fn line(&self, console: &mut Console, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| console.say(text)),
            None => console.say(text),
        }
    }

    /// Shows one event and records it.
    pub fn event(&mut self, console: &mut Console, e: &StackEvent) {
        console.record_of("event", &EventRecord::of(e));
        let status = e.resource_status().map(|s| s.as_str()).unwrap_or("?");
        let logical = e.logical_resource_id().unwrap_or("?");
        let rtype = e.resource_type().unwrap_or("?");
        let reason = e.resource_status_reason().unwrap_or("");
        let is_stack = rtype == "AWS::CloudFormation::Stack" && logical == self.stack_name;
        let failed = status::resource_failed(status);
        if failed && !is_stack {
            self.failures.push(Failure {
                logical_id: logical.to_owned(),
                resource_type: rtype.to_owned(),
                status: status.to_owned(),
                reason: reason.to_owned(),
            });
        }
        if is_stack && let Some(f) = trigger_failure(logical, rtype, status, reason) {
            self.failures.push(f);
        }
        if !is_stack
            && status::resource_done(status)
            && self.done.insert(logical.to_owned())
            && let Some(bar) = &self.bar
        {
            bar.inc(1);
        }
        let line = super::width::fit(&format_event(console, e), console.width, 10);
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!("{status} {logical}"));
                // Keep failures and stack-level changes above the bar; the
                // rest is summarised by the bar itself.
                if failed || is_stack {
                    bar.suspend(|| console.say(&line));
                }
            }
            None => console.say(&line),
        }
    }

    /// The failures seen so far.
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// One stack event as the `event` record of `--format json` writes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EventRecord {
    /// When it happened, RFC 3339 (UTC).
    pub timestamp: Option<String>,
    /// The resource's logical ID (the stack's name for stack events).
    pub logical_id: Option<String>,
    /// Its physical ID, once it has one.
    pub physical_id: Option<String>,
    /// Its type.
    pub resource_type: Option<String>,
    /// Its status (`CREATE_IN_PROGRESS`, `UPDATE_FAILED`, ...).
    pub status: Option<String>,
    /// CloudFormation's reason, when given.
    pub reason: Option<String>,
    /// The event's ID.
    pub event_id: Option<String>,
}

impl EventRecord {
    /// The record of an SDK event.
    pub fn of(e: &StackEvent) -> EventRecord {
        EventRecord {
            timestamp: e.timestamp().and_then(|t| {
                t.fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime)
                    .ok()
            }),
            logical_id: e.logical_resource_id().map(str::to_owned),
            physical_id: e
                .physical_resource_id()
                .filter(|p| !p.is_empty())
                .map(str::to_owned),
            resource_type: e.resource_type().map(str::to_owned),
            status: e.resource_status().map(|s| s.as_str().to_owned()),
            reason: e
                .resource_status_reason()
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
            event_id: e.event_id().map(str::to_owned),
        }
    }
}

/// `HH:MM:SS` (UTC) of an event time.
pub fn clock(t: Option<&DateTime>) -> String {
    match t {
        Some(t) => {
            let s = t.secs().rem_euclid(86_400);
            format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
        }
        None => "--:--:--".into(),
    }
}

/// One event as one line: time, status, logical ID, type, reason.
pub fn format_event(console: &Console, e: &StackEvent) -> String {
    let status = e.resource_status().map(|s| s.as_str()).unwrap_or("?");
    let style = if status.ends_with("_FAILED") {
        Some(Style::Danger)
    } else if status.contains("ROLLBACK") {
        Some(Style::Warning)
    } else if status.ends_with("_COMPLETE") {
        Some(Style::Good)
    } else {
        None
    };
    let padded = format!("{status:<28}");
    let status_text = match style {
        Some(s) => console.paint(&padded, s),
        None => padded,
    };
    let mut line = format!(
        "{}  {status_text} {:<28} {}",
        console.paint(&clock(e.timestamp()), Style::Dim),
        e.logical_resource_id().unwrap_or("?"),
        e.resource_type().unwrap_or("?"),
    );
    if let Some(reason) = e.resource_status_reason().filter(|r| !r.is_empty()) {
        line.push_str("  ");
        line.push_str(reason);
    }
    line
}

/// Watches the operation on `stack` (name or ID) until the stack settles,
/// disappears, the user interrupts, or polls keep failing for
/// `lost_contact_after`.
pub async fn watch(
    clients: &Clients,
    console: &mut Console,
    cursor: &mut EventCursor,
    progress: &mut Progress,
    interrupt: &Interrupt,
    options: WatchOptions,
) -> Result<WatchEnd, DeployError> {
    let stack = cursor.stack.clone();
    let mut last_ok = Instant::now();
    let mut warned = false;
    loop {
        let tick = async {
            let events = cursor.poll(clients, options.max_pages).await?;
            let described = clients
                .cfn
                .describe_stacks()
                .stack_name(&stack)
                .send()
                .await;
            let state = match described {
                Ok(out) => out.stacks().first().map(|s| {
                    (
                        s.stack_status()
                            .map(|x| x.as_str().to_owned())
                            .unwrap_or_default(),
                        s.stack_status_reason().map(str::to_owned),
                    )
                }),
                Err(e) if is_missing_stack(&e) => None,
                Err(e) => {
                    return Err(DeployError::aws(
                        format!("DescribeStacks for stack {stack:?}"),
                        &e,
                    ));
                }
            };
            Ok::<_, DeployError>((events, state))
        };
        let result = tokio::select! {
            r = tick => r,
            _ = interrupt.fired() => return Ok(WatchEnd::Interrupted),
        };
        match result {
            Ok((events, state)) => {
                last_ok = Instant::now();
                if warned {
                    progress.line(console, "  (back in contact with CloudFormation)");
                    warned = false;
                }
                for e in &events {
                    progress.event(console, e);
                }
                match state {
                    None => return Ok(WatchEnd::Gone),
                    Some((status, reason)) if status::is_settled(&status) => {
                        // Events can trail the status: one last look.
                        if let Ok(events) = cursor.poll(clients, options.max_pages).await {
                            for e in &events {
                                progress.event(console, e);
                            }
                        }
                        if status == "DELETE_COMPLETE" {
                            return Ok(WatchEnd::Gone);
                        }
                        return Ok(WatchEnd::Settled { status, reason });
                    }
                    Some(_) => {}
                }
            }
            Err(err) => {
                if last_ok.elapsed() >= options.lost_contact_after {
                    let name = if progress.stack_name.is_empty() {
                        stack.clone()
                    } else {
                        progress.stack_name.clone()
                    };
                    return Err(DeployError::LostContact {
                        follow: format!(
                            "aws cloudformation describe-stack-events --stack-name {name}{}",
                            clients.cli_flags()
                        ),
                        stack: name,
                        message: err.to_string(),
                    });
                }
                let text = format!("  (cannot reach CloudFormation, retrying: {err})");
                progress.line(console, &console.paint(&text, Style::Warning));
                warned = true;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(options.poll_interval) => {}
            _ = interrupt.fired() => return Ok(WatchEnd::Interrupted),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::console::{NoPrompt, SharedBuffer};
    use aws_sdk_cloudformation::types::ResourceStatus;

    fn console(mode: ProgressMode) -> (Console, SharedBuffer) {
        let out = SharedBuffer::new();
        let mut console = Console::new(
            Box::new(out.clone()),
            Box::new(SharedBuffer::new()),
            Box::new(NoPrompt),
            mode,
            false,
        );
        // Wide enough for every event on one line; fitting is tested apart.
        console.width = 200;
        (console, out)
    }

    fn event(id: &str, logical: &str, ty: &str, status: &str, reason: Option<&str>) -> StackEvent {
        StackEvent::builder()
            .event_id(id)
            .stack_id("arn:stack/web")
            .stack_name("web")
            .logical_resource_id(logical)
            .resource_type(ty)
            .resource_status(ResourceStatus::from(status))
            .set_resource_status_reason(reason.map(str::to_owned))
            .timestamp(DateTime::from_secs(0))
            .build()
    }

    fn feed(mode: ProgressMode) -> (String, Vec<Failure>) {
        let (mut c, out) = console(mode);
        let mut p = Progress::new(&c, "web", Some(2));
        for e in [
            event(
                "1",
                "web",
                "AWS::CloudFormation::Stack",
                "CREATE_IN_PROGRESS",
                None,
            ),
            event("2", "Vpc", "AWS::EC2::VPC", "CREATE_IN_PROGRESS", None),
            event("3", "Vpc", "AWS::EC2::VPC", "CREATE_COMPLETE", None),
            event(
                "4",
                "Db",
                "AWS::RDS::DBInstance",
                "CREATE_FAILED",
                Some("quota exceeded"),
            ),
            // A status the SDK does not model must not break anything.
            event(
                "5",
                "web",
                "AWS::CloudFormation::Stack",
                "SOME_NEW_STATUS",
                None,
            ),
        ] {
            p.event(&mut c, &e);
        }
        p.finish();
        (out.contents(), p.failures().to_vec())
    }

    #[test]
    fn line_mode_prints_every_event_and_keeps_failures() {
        let (text, failures) = feed(ProgressMode::Events);
        assert_eq!(text.lines().count(), 5, "{text}");
        assert!(text.contains("CREATE_FAILED                Db"), "{text}");
        assert!(text.contains("quota exceeded"), "{text}");
        assert!(text.contains("SOME_NEW_STATUS"), "{text}");
        assert_eq!(
            failures,
            [Failure {
                logical_id: "Db".into(),
                resource_type: "AWS::RDS::DBInstance".into(),
                status: "CREATE_FAILED".into(),
                reason: "quota exceeded".into(),
            }]
        );
    }

    #[test]
    fn bar_mode_prints_only_stack_events_and_failures_above_the_bar() {
        let (text, failures) = feed(ProgressMode::Bar);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[1].contains("Db") && lines[1].contains("quota exceeded"),
            "{text}"
        );
        assert!(!text.contains("Vpc"), "{text}");
        assert_eq!(failures.len(), 1);
    }

    #[test]
    fn event_records_carry_status_and_reason() {
        let r = EventRecord::of(&event(
            "4",
            "Db",
            "AWS::RDS::DBInstance",
            "CREATE_FAILED",
            Some("quota exceeded"),
        ));
        assert_eq!(r.status.as_deref(), Some("CREATE_FAILED"));
        assert_eq!(r.reason.as_deref(), Some("quota exceeded"));
        assert_eq!(r.timestamp.as_deref(), Some("1970-01-01T00:00:00Z"));
    }

    #[test]
    fn event_lines_fit_a_60_column_terminal() {
        let (mut c, out) = console(ProgressMode::Events);
        c.width = 60;
        let mut p = Progress::new(&c, "web", None);
        p.event(
            &mut c,
            &event(
                "1",
                "DatabaseSubnetGroup",
                "AWS::RDS::DBSubnetGroup",
                "CREATE_FAILED",
                Some("Some input subnets in :[subnet-1, subnet-2] are invalid."),
            ),
        );
        let text = out.contents();
        assert!(text.lines().count() > 1, "{text}");
        for l in text.lines() {
            assert!(super::super::width::visible_width(l) <= 60, "{text}");
        }
        assert!(text.contains("are invalid."), "{text}");
    }

    #[test]
    fn a_rollback_started_by_a_trigger_names_the_alarm_among_the_failures() {
        let reason = "Rollback triggered by alarm arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-Target5xx-1A in ALARM state";
        let f = trigger_failure(
            "web",
            "AWS::CloudFormation::Stack",
            "UPDATE_ROLLBACK_IN_PROGRESS",
            reason,
        )
        .expect("a trigger rollback");
        assert!(
            f.reason
                .starts_with("rollback trigger fired: alarm web-Target5xx-1A went into ALARM"),
            "{}",
            f.reason
        );
        assert_eq!(
            trigger_failure(
                "web",
                "AWS::CloudFormation::Stack",
                "UPDATE_ROLLBACK_IN_PROGRESS",
                "The following resource(s) failed to update: [Db]."
            ),
            None
        );
    }

    #[test]
    fn clock_is_utc_time_of_day() {
        assert_eq!(
            clock(Some(&DateTime::from_secs(3600 * 25 + 61))),
            "01:01:01"
        );
        assert_eq!(clock(None), "--:--:--");
    }
}
