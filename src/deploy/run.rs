//! The deploy state machine: find the stack, recover or wait as its status
//! requires, create the change set, review it, execute it after
//! confirmation, watch it, and report the outcome.
//!
//! Owns the order of operations and what is said at each step. It takes an
//! already synthesized and validated template (text plus IR): no template
//! logic lives here.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use indexmap::IndexMap;

use crate::template::Template;

use super::approval::{self, Decision, RequireApproval};
use super::aws::Clients;
use super::capabilities;
use super::changeset::{self, ChangeSetSpec, CreateResult, Described, TemplateSource};
use super::console::{Console, Interrupt, NoPrompt, Style};
use super::document::Document;
use super::error::DeployError;
use super::events::{self, EventCursor, Failure, Progress, WatchEnd, WatchOptions};
use super::naming::{self, RunKind};
use super::outputs::{self, StackOutput};
use super::params;
use super::review::{Review, parameter_changes};
use super::stack::{self, StackInfo};
use super::status::{self, StackState};
use super::triggers::{self, MonitorSettings};
use super::upload;

/// A template ready to deploy: already synthesized and validated.
#[derive(Debug, Clone, Copy)]
pub struct Synthesized<'a> {
    /// The IR (for capabilities, parameters and the review).
    pub template: &'a Template,
    /// The exact text sent to CloudFormation.
    pub body: &'a str,
    /// Its nested stacks' templates, uploaded before the change set.
    pub nested: &'a [super::nested::NestedBody],
}

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    /// The stack.
    pub stack_name: String,
    /// `--parameter KEY=VALUE`.
    pub parameters: IndexMap<String, String>,
    /// `--tag KEY=VALUE` (`None`: keep the stack's tags).
    pub tags: Option<IndexMap<String, String>>,
    /// `--notification-arn` (`None`: keep the stack's).
    pub notification_arns: Option<Vec<String>>,
    /// `--allow-replace LOGICAL_ID`.
    pub allow_replace: Vec<String>,
    /// `--bucket`, for templates over 51,200 bytes.
    pub bucket: Option<String>,
    /// The bootstrap stack whose bucket takes templates over 51,200 bytes
    /// when no `bucket` is given (`--bootstrap-stack`).
    pub bootstrap_stack: String,
    /// `--yes`: no confirmation prompts.
    pub assume_yes: bool,
    /// `--require-approval`: which change sets `--yes` cannot approve.
    pub require_approval: RequireApproval,
    /// `--no-execute`: create and review the change set, then stop.
    pub no_execute: bool,
    /// Wait for a running operation (else refuse, `--no-wait`).
    pub wait_if_busy: bool,
    /// `--outputs-file`.
    pub outputs_file: Option<PathBuf>,
    /// Polling and patience while watching.
    pub watch: WatchOptions,
    /// Longest wait for a change set to be created.
    pub change_set_timeout: Duration,
    /// Catch Ctrl-C while a stack operation runs (the CLI sets it; tests
    /// trigger the interrupt themselves).
    pub catch_ctrl_c: bool,
    /// Rollback triggers: alarms `hagen.toml` adds, and
    /// `--no-rollback-triggers`.
    pub monitors: MonitorSettings,
    /// The termination protection the stack should have after the deploy
    /// (`--termination-protection`, or `protect = true` in `hagen.toml`);
    /// `None` leaves it as it is.
    pub termination_protection: Option<bool>,
    /// `--role-arn`: the service role CloudFormation acts as.
    pub role_arn: Option<String>,
    /// `--disable-rollback`: a failed operation stays `*_FAILED` with what
    /// succeeded kept, for a fix and another deploy or `hagen rollback`.
    pub disable_rollback: bool,
    /// `--change-set-name`: the user's name for this run's change set
    /// instead of a generated `hagen-deploy-...` one.
    pub change_set_name: Option<String>,
    /// `--revert-drift`: a drift-aware change set (updates only).
    pub revert_drift: bool,
    /// `--import-existing`: adopt existing resources with custom names.
    pub import_existing: bool,
}

impl DeployRequest {
    /// A request for `stack_name` with every option at its default.
    pub fn new(stack_name: impl Into<String>) -> Self {
        DeployRequest {
            stack_name: stack_name.into(),
            parameters: IndexMap::new(),
            tags: None,
            notification_arns: None,
            allow_replace: Vec::new(),
            bucket: None,
            bootstrap_stack: super::bootstrap::DEFAULT_STACK_NAME.to_owned(),
            assume_yes: false,
            require_approval: RequireApproval::default(),
            no_execute: false,
            wait_if_busy: true,
            outputs_file: None,
            watch: WatchOptions::default(),
            change_set_timeout: Duration::from_secs(900),
            catch_ctrl_c: false,
            monitors: MonitorSettings::default(),
            termination_protection: None,
            role_arn: None,
            disable_rollback: false,
            change_set_name: None,
            revert_drift: false,
            import_existing: false,
        }
    }
}

/// How a deploy ended (errors aside). Serialized as the `outcome` record of
/// `--format json`, its kind in `outcome` (`deployed`, `no_changes`, ...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The change set ran and the stack is `CREATE_COMPLETE` /
    /// `UPDATE_COMPLETE`.
    Deployed {
        /// The final status.
        status: String,
        /// The stack's outputs.
        outputs: Vec<StackOutput>,
    },
    /// The template and parameters change nothing.
    NoChanges,
    /// `--no-execute`: the change set waits for review.
    LeftForReview {
        /// The change set's name.
        change_set: String,
    },
    /// The user said no, or could not be asked.
    Declined,
    /// Stateful resources would be replaced or deleted without
    /// `--allow-replace`.
    Blocked {
        /// Their logical IDs.
        logical_ids: Vec<String>,
    },
    /// `--require-approval` needs a person and none could answer (`--yes`
    /// is not enough).
    NeedsApproval {
        /// What needs approving (the widenings, or every change).
        reasons: Vec<String>,
    },
    /// The operation failed (the stack rolled back or is stuck).
    Failed {
        /// The final status.
        status: String,
        /// The resources that failed and why.
        failures: Vec<Failure>,
    },
    /// The stack is in a state the deploy cannot go past without a recovery
    /// the user declined (or that only the user can do).
    NeedsRecovery {
        /// Its status.
        status: String,
    },
    /// Another operation is running and `--no-wait` was given.
    Busy {
        /// Its status.
        status: String,
    },
    /// Ctrl-C: hagen stopped watching (the operation continues), or the
    /// user pressed it at a prompt (nothing was executed; what this run
    /// created was deleted).
    Interrupted,
    /// Another `hagen deploy` run has a change set pending on this stack.
    AnotherDeploy {
        /// That run's change set.
        change_set: String,
    },
}

/// How long a pending change set of another deploy run counts as that run
/// still going (a review can take a while; a crashed run's change set stops
/// blocking after this).
pub const ANOTHER_RUN_WINDOW: Duration = Duration::from_secs(3_600);

/// Longest wait for an empty stack this run created to be deleted.
const STACK_DELETE_TIMEOUT: Duration = Duration::from_secs(300);

/// A change set this run created (and so may delete).
#[derive(Debug, Clone)]
struct Ours {
    name: String,
    id: String,
    stack_id: String,
    /// The stack did not exist or held no resources (REVIEW_IN_PROGRESS)
    /// before: if it is left empty, this run deletes it too.
    maybe_new_stack: bool,
}

mod rollback;
mod safety_steps;

pub use rollback::{RollbackOutcome, RollbackRequest};

/// Runs deploys against one AWS account and region, talking to one console.
pub struct Deployer<'a> {
    clients: &'a Clients,
    console: &'a mut Console,
    interrupt: Interrupt,
    /// Whether Ctrl-C is already routed to `interrupt`.
    listening: bool,
    /// Whether to route Ctrl-C to `interrupt` once an operation starts.
    catch_ctrl_c: bool,
    watch_options: WatchOptions,
    stack_name: String,
    last_failures: Vec<Failure>,
    /// ExecuteChangeSet was sent (or may have been): the change set is no
    /// longer this run's to delete.
    executed: bool,
    /// The user pressed Ctrl-C at a prompt.
    interrupted_at_prompt: bool,
}

/// The largest number of recoveries (wait, delete, roll back) one deploy
/// goes through before it gives up on a stack that keeps changing state.
const MAX_STATE_STEPS: usize = 6;

impl<'a> Deployer<'a> {
    /// A deployer over `clients` that reports on `console` and stops
    /// watching when `interrupt` fires.
    pub fn new(clients: &'a Clients, console: &'a mut Console, interrupt: Interrupt) -> Self {
        Deployer {
            clients,
            console,
            interrupt,
            listening: false,
            catch_ctrl_c: false,
            watch_options: WatchOptions::default(),
            stack_name: String::new(),
            last_failures: Vec::new(),
            executed: false,
            interrupted_at_prompt: false,
        }
    }

    /// Takes the request's stack, watch timings and Ctrl-C handling (also
    /// for `hagen destroy`, which reuses the prompt and the watcher).
    pub(crate) fn begin(&mut self, request: &DeployRequest) {
        self.catch_ctrl_c = request.catch_ctrl_c;
        self.watch_options = request.watch;
        self.stack_name = request.stack_name.clone();
        self.executed = false;
        self.interrupted_at_prompt = false;
    }

    /// An outcome that ended at a prompt the user interrupted is reported
    /// as an interruption.
    fn after_prompt(&self, outcome: Outcome) -> Outcome {
        match outcome {
            Outcome::Declined | Outcome::NeedsRecovery { .. } if self.interrupted_at_prompt => {
                Outcome::Interrupted
            }
            other => other,
        }
    }

    fn cli(&self) -> String {
        self.clients.cli_flags()
    }

    /// Uploads the nested stacks' templates and returns the parent pointing
    /// at them; `None` when there are none.
    async fn package_nested(
        &mut self,
        request: &DeployRequest,
        template: &Synthesized<'_>,
    ) -> Result<Option<(crate::template::Template, String)>, DeployError> {
        if template.nested.is_empty() {
            return Ok(None);
        }
        let found = super::bootstrap::template_bucket(
            self.clients,
            request.bucket.as_deref(),
            &request.bootstrap_stack,
            super::bootstrap::nested(&request.stack_name, template.nested.len()),
        )
        .await?;
        let bucket = &found.name;
        let packaged = super::nested::package(
            self.clients,
            bucket,
            &request.stack_name,
            template.template,
            template.nested,
        )
        .await?;
        self.console.say(format!(
            "Uploaded the templates of {} nested stack{} to s3://{bucket}{}",
            template.nested.len(),
            if template.nested.len() == 1 { "" } else { "s" },
            found
                .from_stack
                .as_deref()
                .map(|s| format!(" (bucket from stack {s})"))
                .unwrap_or_default()
        ));
        Ok(Some(packaged))
    }

    /// Refuses a deploy that would remove or change an export another
    /// stack imports (see [`super::exports`]), before any change set.
    async fn guard_exports(
        &mut self,
        stack: &str,
        info: &super::stack::StackInfo,
        template: &crate::template::Template,
    ) -> Result<(), DeployError> {
        if !info.outputs.iter().any(|o| o.export_name.is_some()) {
            return Ok(());
        }
        let deployed = super::stack::template(self.clients, stack, None)
            .await?
            .and_then(|text| crate::template::parse::parse_template(&text, stack).ok())
            .map(|p| p.template);
        let affected = super::exports::affected(stack, &info.outputs, deployed.as_ref(), template);
        if affected.is_empty() {
            return Ok(());
        }
        let in_use = super::exports::in_use(self.clients, affected).await?;
        if in_use.is_empty() {
            return Ok(());
        }
        Err(DeployError::ExportInUse {
            message: super::exports::refusal(stack, &in_use),
        })
    }

    /// Deploys `template` to the stack named in `request`.
    pub async fn deploy(
        &mut self,
        request: &DeployRequest,
        template: Synthesized<'_>,
    ) -> Result<Outcome, DeployError> {
        self.begin(request);
        // Nested stacks first: their templates go to the bucket, and the
        // parent's TemplateURLs point at them before anything else reads
        // the parent.
        let packaged = self.package_nested(request, &template).await?;
        let template = match &packaged {
            Some((t, body)) => Synthesized {
                template: t,
                body,
                nested: &[],
            },
            None => template,
        };
        // Found before anything else happens, so that a missing bucket
        // stops the deploy before any recovery or change set.
        let bucket = if template.body.len() > upload::MAX_INLINE_BYTES {
            Some(
                super::bootstrap::template_bucket(
                    self.clients,
                    request.bucket.as_deref(),
                    &request.bootstrap_stack,
                    super::bootstrap::too_large(template.body.len()),
                )
                .await?,
            )
        } else {
            None
        };
        let started = Instant::now();
        let stack = request.stack_name.as_str();
        let info = match self.settle(request).await? {
            Ok(info) => info,
            Err(outcome) => return Ok(self.after_prompt(outcome)),
        };
        let state = info
            .as_ref()
            .map(|i| StackState::from_status(&i.status))
            .unwrap_or(StackState::Absent);
        let creates = state.creates();
        if let Some(line) = info.as_ref().and_then(|i| {
            super::drift::warning(stack, i.drift_status.as_deref(), &self.cli())
                .filter(|_| !request.revert_drift)
        }) {
            self.console.warn(line);
        }
        let previous = (!creates).then(|| {
            info.as_ref()
                .map(|i| i.parameter_keys.clone())
                .unwrap_or_default()
        });
        let plan =
            params::plan_parameters(template.template, &request.parameters, previous.as_deref())?;
        if let Some(info) = &info {
            self.guard_exports(stack, info, template.template).await?;
        }
        let rollback = self
            .rollback_triggers(request, template.template, info.as_ref(), creates)
            .await?;
        let source = match &bucket {
            Some(bucket) => {
                let url = upload::upload_expecting(
                    self.clients,
                    &bucket.name,
                    bucket.owner.as_deref(),
                    stack,
                    template.body,
                )
                .await?;
                let key = upload::template_key(stack, template.body);
                self.console.say(bucket.uploaded(template.body.len(), &key));
                TemplateSource::Url(url)
            }
            None => TemplateSource::Body(template.body.to_owned()),
        };
        if info.is_some()
            && let Some(other) =
                changeset::pending_deploy_runs(self.clients, stack, ANOTHER_RUN_WINDOW)
                    .await?
                    .into_iter()
                    .next()
        {
            return Ok(self.another_deploy(stack, other));
        }
        let name = self.change_set_name(request, info.is_some()).await?;
        let run_kind = if request.no_execute {
            RunKind::ForReview
        } else {
            RunKind::Deploy
        };
        let spec = ChangeSetSpec {
            stack: stack.to_owned(),
            name: name.clone(),
            creates,
            template: source,
            parameters: plan,
            capabilities: capabilities::required(template.template),
            tags: request.tags.clone(),
            notification_arns: request.notification_arns.clone(),
            token: naming::request_token(stack, "create"),
            description: run_kind.description(&naming::this_run()),
            rollback_configuration: rollback,
            role_arn: request.role_arn.clone(),
            // A new stack has nothing to drift from.
            revert_drift: request.revert_drift && !creates,
            import_existing: request.import_existing,
        };
        if request.revert_drift && creates {
            self.console.say(format!(
                "--revert-drift: stack {stack} does not exist yet, so there is no drift to revert; it is created as usual."
            ));
        }
        let kind = if creates { "create" } else { "update" };
        self.console.say(format!(
            "Creating change set {name} to {kind} stack {stack}..."
        ));
        let created = match changeset::create(self.clients, &spec).await? {
            CreateResult::NoChanges => return self.no_changes(request).await,
            CreateResult::Created(c) => c,
        };
        let ours = Ours {
            name,
            id: created.id.clone(),
            stack_id: created.stack_id.clone(),
            maybe_new_stack: creates,
        };
        let result = self
            .with_created(request, template, &ours, creates, info)
            .await;
        let kept = self.executed || matches!(result, Ok(Outcome::LeftForReview { .. }));
        if !kept {
            // "no changes" already says it all: the empty change set goes quietly.
            let quiet = matches!(result, Ok(Outcome::NoChanges));
            self.clean_up(&ours, quiet).await;
        }
        let result = result.map(|o| self.after_prompt(o));
        if matches!(result, Ok(Outcome::Deployed { .. })) {
            let elapsed = started.elapsed().as_secs_f64();
            self.console.say(format!("Done in {elapsed:.1} s."));
        }
        result
    }

    /// The rollback triggers this run sends (see [`triggers`]), said in a
    /// line or a few and recorded as `rollback_triggers` in JSON.
    async fn rollback_triggers(
        &mut self,
        request: &DeployRequest,
        template: &Template,
        info: Option<&StackInfo>,
        creates: bool,
    ) -> Result<Option<triggers::RollbackConfig>, DeployError> {
        let monitors = triggers::monitors(template, &request.monitors)?;
        let (physical, account, region) = match info {
            Some(i) if !creates && !monitors.alarms.is_empty() && !request.monitors.disabled => {
                let physical = triggers::physical_ids(self.clients, &i.id).await?;
                let (account, region) = triggers::where_alarms_live(self.clients, &i.id).await?;
                (physical, account, region)
            }
            _ => (Vec::new(), String::new(), String::new()),
        };
        let plan = triggers::plan(
            &monitors,
            &request.monitors,
            creates,
            &physical,
            &account,
            &region,
            template,
        );
        for w in &plan.warnings {
            let painted = self.console.paint(w, Style::Warning);
            self.console.warn(painted);
        }
        for line in &plan.lines {
            self.console.say(line);
        }
        if let Some(config) = &plan.config {
            self.console.record_of("rollback_triggers", config);
        }
        Ok(plan.config)
    }

    /// Everything after this run created its change set: wait for it,
    /// review it, execute it. The caller cleans up whatever way this ends
    /// short of execution.
    async fn with_created(
        &mut self,
        request: &DeployRequest,
        template: Synthesized<'_>,
        ours: &Ours,
        creates: bool,
        info: Option<StackInfo>,
    ) -> Result<Outcome, DeployError> {
        let stack = request.stack_name.as_str();
        if !request.no_execute
            && let Some(earlier) = self.earlier_run(&ours.stack_id, &ours.name).await?
        {
            return Ok(self.another_deploy(stack, earlier));
        }
        // From here Ctrl-C means "stop and clean up", not "kill hagen".
        self.catch_ctrl_c();
        let interrupt = self.interrupt.clone();
        let described = tokio::select! {
            biased;
            () = interrupt.fired() => {
                self.console.warn(
                    "Interrupted (Ctrl-C) while the change set was being created: nothing was executed.",
                );
                return Ok(Outcome::Interrupted);
            }
            described = changeset::wait_ready(
                self.clients,
                stack,
                &ours.id,
                request.change_set_timeout,
            ) => described?,
        };
        if described.is_no_change() {
            return self.no_changes(request).await;
        }
        if described.status != "CREATE_COMPLETE" {
            let reason = described
                .status_reason
                .clone()
                .unwrap_or_else(|| described.status.clone());
            self.show_validation_findings(&described).await;
            return Err(DeployError::TemplateRejected { message: reason });
        }
        let old = if creates {
            None
        } else {
            self.deployed_document(stack, None).await?
        };
        let new = Document::from_template(template.template);
        let deployed_params = info.map(|i| i.parameters).unwrap_or_default();
        self.review_and_execute(
            request,
            &described,
            old.as_ref(),
            &new,
            creates,
            &deployed_params,
        )
        .await
    }

    /// Prints CloudFormation's own validation findings on a failed change
    /// set, each with its template path, when the endpoint can list them.
    async fn show_validation_findings(&mut self, described: &Described) {
        let findings =
            changeset::validation_findings(self.clients, &described.stack_id, &described.id)
                .await
                .unwrap_or_default();
        if findings.is_empty() {
            return;
        }
        let heading = format!(
            "CloudFormation's validation of change set {} found {} problem{}:",
            described.name,
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        );
        let painted = self.console.paint(&heading, Style::Danger);
        self.console.say(painted);
        for f in &findings {
            self.console.say(format!("  - {}", f.line()));
        }
    }

    /// Another deploy run's change set made before ours (`name`), for two
    /// runs that passed the check before creating at the same time: the
    /// later one gives way.
    async fn earlier_run(
        &mut self,
        stack: &str,
        name: &str,
    ) -> Result<Option<changeset::PendingRun>, DeployError> {
        let mut runs =
            changeset::pending_deploy_runs(self.clients, stack, ANOTHER_RUN_WINDOW).await?;
        // Creation times first, then names (which start with the time).
        runs.sort_by(|a, b| (&a.created, &a.name).cmp(&(&b.created, &b.name)));
        Ok(runs.into_iter().next().filter(|first| first.name != name))
    }

    /// Refuses to start while another deploy run has a change set pending.
    fn another_deploy(&mut self, stack: &str, other: changeset::PendingRun) -> Outcome {
        let when = other
            .created
            .as_deref()
            .map(|t| format!(" at {t}"))
            .unwrap_or_default();
        let who = other
            .by
            .as_deref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default();
        let text = format!(
            "Another deploy is running on stack {stack} (change set {}, created{when}{who}). Nothing was created; run again when it has finished.",
            other.name
        );
        let painted = self.console.paint(&text, Style::Warning);
        self.console.warn(painted);
        self.console.warn(format!(
            "  If that run is gone (its change set is stale), delete it: aws cloudformation delete-change-set --stack-name {stack} --change-set-name {}{}",
            other.name,
            self.cli()
        ));
        Outcome::AnotherDeploy {
            change_set: other.name,
        }
    }

    /// Deletes the change set this run created and, when the stack it was
    /// made on is left empty in REVIEW_IN_PROGRESS with no other change
    /// set, that stack too (waiting until it is gone); says so in one line
    /// (`quiet`: only when it deleted the stack or failed).
    /// A second Ctrl-C stops the cleanup and prints the commands that
    /// finish it.
    async fn clean_up(&mut self, ours: &Ours, quiet: bool) {
        let stop = async {
            if self.catch_ctrl_c {
                // Registered now, so it sees only a Ctrl-C from here on.
                let _ = tokio::signal::ctrl_c().await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        let clients = self.clients;
        let result = tokio::select! {
            r = clean_up_steps(clients, ours) => Some(r),
            () = stop => None,
        };
        let stack = self.stack_name.clone();
        let cli = self.cli();
        let finish = format!(
            "aws cloudformation delete-change-set --change-set-name {}{cli}{}",
            ours.id,
            if ours.maybe_new_stack {
                format!(
                    "; then, if stack {stack} is empty in REVIEW_IN_PROGRESS: aws cloudformation delete-stack --stack-name {stack}{cli}"
                )
            } else {
                String::new()
            }
        );
        match result {
            Some(Ok(true)) => self.console.say(format!(
                "Cleaned up: deleted change set {} and the empty stack {stack} (REVIEW_IN_PROGRESS) it had created.",
                ours.name
            )),
            Some(Ok(false)) if quiet => {}
            Some(Ok(false)) => self
                .console
                .say(format!("Cleaned up: deleted change set {}.", ours.name)),
            Some(Err(e)) => self.console.warn(format!(
                "warning: could not clean up after this run ({e}). Finish it with: {finish}"
            )),
            None => self.console.warn(format!(
                "Cleanup stopped (Ctrl-C). Finish it with: {finish}"
            )),
        }
    }

    /// Executes a change set left earlier with `--no-execute`, after
    /// reviewing it again (the template it holds, not the local one).
    pub async fn execute_existing(
        &mut self,
        request: &DeployRequest,
        change_set: &str,
    ) -> Result<Outcome, DeployError> {
        self.begin(request);
        let stack = request.stack_name.as_str();
        let info = match self.settle(request).await? {
            Ok(Some(info)) => info,
            Ok(None) => {
                return Err(DeployError::Usage(format!(
                    "stack {stack:?} does not exist, so it has no change set {change_set:?}; run hagen deploy without --execute"
                )));
            }
            Err(outcome) => return Ok(self.after_prompt(outcome)),
        };
        let described = changeset::describe(self.clients, stack, change_set).await?;
        if described.is_no_change() {
            return self.no_changes(request).await;
        }
        if described.status != "CREATE_COMPLETE" || described.execution_status != "AVAILABLE" {
            return Err(DeployError::Usage(format!(
                "change set {change_set:?} of stack {stack:?} cannot be executed (status {}, execution status {}{}); run hagen deploy again to make a new one",
                described.status,
                described.execution_status,
                described
                    .status_reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            )));
        }
        let creates = StackState::from_status(&info.status).creates();
        let new = self
            .deployed_document(stack, Some(change_set))
            .await?
            .unwrap_or_default();
        let old = if creates {
            None
        } else {
            self.deployed_document(stack, None).await?
        };
        let result = self
            .review_and_execute(
                request,
                &described,
                old.as_ref(),
                &new,
                creates,
                &info.parameters,
            )
            .await;
        if !self.executed {
            // An earlier run made it and kept it on purpose: never ours to delete.
            self.console.say(format!(
                "Change set {} is kept (an earlier run made it). To delete it: aws cloudformation delete-change-set --stack-name {stack} --change-set-name {}{}",
                described.name,
                described.name,
                self.cli()
            ));
        }
        result.map(|o| self.after_prompt(o))
    }

    async fn deployed_document(
        &mut self,
        stack: &str,
        change_set: Option<&str>,
    ) -> Result<Option<Document>, DeployError> {
        let Some(text) = stack::template(self.clients, stack, change_set).await? else {
            return Ok(None);
        };
        match Document::parse(&text) {
            Ok(doc) => Ok(Some(doc)),
            Err(e) => {
                self.console.warn(format!(
                    "warning: could not read the deployed template of {stack} ({e}); the review cannot compare properties"
                ));
                Ok(None)
            }
        }
    }

    async fn no_changes(&mut self, request: &DeployRequest) -> Result<Outcome, DeployError> {
        let stack = request.stack_name.as_str();
        let text = format!("no changes: stack {stack} already matches the template and parameters");
        let painted = self.console.paint(&text, Style::Good);
        self.console.say(painted);
        if let Some(path) = &request.outputs_file {
            outputs::write_current(self.clients, stack, path, self.console).await?;
        }
        self.protect(request, stack, false).await?;
        Ok(Outcome::NoChanges)
    }

    /// Brings the stack to a state a change set can be made on: waits for
    /// running operations and offers the recovery each failed state needs.
    /// `Ok(Err(outcome))` ends the deploy with that outcome.
    async fn settle(
        &mut self,
        request: &DeployRequest,
    ) -> Result<Result<Option<StackInfo>, Outcome>, DeployError> {
        let stack = request.stack_name.as_str();
        for _ in 0..MAX_STATE_STEPS {
            let info = stack::describe(self.clients, stack).await?;
            let Some(current) = &info else {
                return Ok(Ok(None));
            };
            let status = current.status.clone();
            match StackState::from_status(&status) {
                StackState::Absent | StackState::ReviewInProgress | StackState::Updatable(_) => {
                    return Ok(Ok(info));
                }
                StackState::InProgress(s) => {
                    if !request.wait_if_busy {
                        self.console.warn(format!(
                            "Stack {stack} is {s}: another operation is running. Not waiting (--no-wait); run again when it has finished."
                        ));
                        return Ok(Err(Outcome::Busy { status: s }));
                    }
                    self.console.say(format!(
                        "Stack {stack} is {s}: waiting for that operation to finish before deploying..."
                    ));
                    let cursor = EventCursor::start(self.clients, &current.id, None).await?;
                    match self.watch(cursor, None, false).await? {
                        WatchEnd::Interrupted => {
                            self.console.say(format!(
                                "Stopped waiting. Nothing was changed by hagen; the running operation on {stack} continues."
                            ));
                            return Ok(Err(Outcome::Interrupted));
                        }
                        WatchEnd::Gone | WatchEnd::Settled { .. } => continue,
                    }
                }
                StackState::RollbackComplete => {
                    self.explain_failure(
                        current,
                        "its first create failed and was rolled back, so it holds no resources and cannot be updated. It must be deleted and created again.",
                    )
                    .await;
                    let question = format!("Delete stack {stack} and create it again?");
                    if !self.confirm(request, &question).await? {
                        self.console.say(format!(
                            "Left as it is. To recover yourself: aws cloudformation delete-stack --stack-name {stack}{}",
                            self.cli()
                        ));
                        return Ok(Err(Outcome::NeedsRecovery { status }));
                    }
                    let token = naming::request_token(stack, "delete");
                    let cursor =
                        EventCursor::start(self.clients, &current.id, Some(token.clone())).await?;
                    self.clients
                        .cfn
                        .delete_stack()
                        .stack_name(&current.id)
                        .client_request_token(&token)
                        .send()
                        .await
                        .map_err(|e| DeployError::aws(format!("DeleteStack {stack:?}"), &e))?;
                    self.console.say(format!("Deleting stack {stack}..."));
                    match self.watch(cursor, None, true).await? {
                        WatchEnd::Gone => continue,
                        WatchEnd::Interrupted => return Ok(Err(self.interrupted(stack, "delete"))),
                        WatchEnd::Settled { status, .. } => {
                            return Ok(Err(self.report_failure(stack, status, Vec::new())));
                        }
                    }
                }
                StackState::RollbackFailed | StackState::DeleteFailed => {
                    self.explain_failure(
                        current,
                        "CloudFormation could not clean it up. Only deleting it recovers; check the resources named above first (some may need to be deleted by hand or retained).",
                    )
                    .await;
                    self.console.say(format!(
                        "To recover: aws cloudformation delete-stack --stack-name {stack}{} (add --retain-resources for resources that cannot be deleted)",
                        self.cli()
                    ));
                    return Ok(Err(Outcome::NeedsRecovery { status }));
                }
                StackState::UpdateRollbackFailed => {
                    self.explain_failure(
                        current,
                        "an update failed and so did its rollback. Continuing the rollback (ContinueUpdateRollback) returns it to its last working state; if a resource keeps failing, fix it by hand or skip it.",
                    )
                    .await;
                    let question = format!("Continue the rollback of stack {stack} now?");
                    if !self.confirm(request, &question).await? {
                        self.console.say(format!(
                            "Left as it is. To recover yourself: aws cloudformation continue-update-rollback --stack-name {stack}{} [--resources-to-skip LOGICAL_ID ...]",
                            self.cli()
                        ));
                        return Ok(Err(Outcome::NeedsRecovery { status }));
                    }
                    let token = naming::request_token(stack, "continue");
                    let cursor =
                        EventCursor::start(self.clients, &current.id, Some(token.clone())).await?;
                    self.clients
                        .cfn
                        .continue_update_rollback()
                        .stack_name(&current.id)
                        .client_request_token(&token)
                        .send()
                        .await
                        .map_err(|e| {
                            DeployError::aws(format!("ContinueUpdateRollback {stack:?}"), &e)
                        })?;
                    match self.watch(cursor, None, true).await? {
                        WatchEnd::Settled { status, .. }
                            if status == "UPDATE_ROLLBACK_COMPLETE" =>
                        {
                            continue;
                        }
                        WatchEnd::Interrupted => {
                            return Ok(Err(self.interrupted(stack, "rollback")));
                        }
                        WatchEnd::Gone => return Ok(Ok(None)),
                        WatchEnd::Settled { status, .. } => {
                            let failures = stack::recent_failures(self.clients, &current.id).await;
                            let skip: Vec<&str> =
                                failures.iter().map(|f| f.logical_id.as_str()).collect();
                            self.console.say(format!(
                                "The rollback failed again. After checking those resources, skip them: aws cloudformation continue-update-rollback --stack-name {stack}{} --resources-to-skip {}",
                                self.cli(),
                                skip.join(" ")
                            ));
                            return Ok(Err(self.report_failure(stack, status, failures)));
                        }
                    }
                }
                StackState::PausedFailed(s) if request.disable_rollback => {
                    self.console.say(format!(
                        "Stack {stack} is {s} (an earlier deploy failed with rollback disabled): deploying again continues from there (--disable-rollback)."
                    ));
                    return Ok(Ok(info));
                }
                StackState::PausedFailed(s) => {
                    self.explain_failure(
                        current,
                        "an operation failed with rollback disabled and is paused. Rolling it back (RollbackStack) returns it to its last working state; you can also fix the cause and deploy again.",
                    )
                    .await;
                    let question = format!("Roll back stack {stack} now?");
                    if !self.confirm(request, &question).await? {
                        self.console.say(format!(
                            "Left as it is. To recover yourself: aws cloudformation rollback-stack --stack-name {stack}{}",
                            self.cli()
                        ));
                        return Ok(Err(Outcome::NeedsRecovery { status: s }));
                    }
                    let token = naming::request_token(stack, "rollback");
                    let cursor =
                        EventCursor::start(self.clients, &current.id, Some(token.clone())).await?;
                    self.clients
                        .cfn
                        .rollback_stack()
                        .stack_name(&current.id)
                        .client_request_token(&token)
                        .send()
                        .await
                        .map_err(|e| DeployError::aws(format!("RollbackStack {stack:?}"), &e))?;
                    match self.watch(cursor, None, true).await? {
                        WatchEnd::Interrupted => {
                            return Ok(Err(self.interrupted(stack, "rollback")));
                        }
                        _ => continue,
                    }
                }
            }
        }
        Err(DeployError::Usage(format!(
            "stack {stack:?} kept changing state; run hagen deploy again once it has settled"
        )))
    }

    async fn explain_failure(&mut self, info: &StackInfo, what: &str) {
        let heading = format!("Stack {} is {}: {what}", info.name, info.status);
        let painted = self.console.paint(&heading, Style::Warning);
        self.console.say(painted);
        if let Some(reason) = &info.status_reason {
            self.console.say(format!("  Stack status reason: {reason}"));
        }
        let failures = stack::recent_failures(self.clients, &info.id).await;
        for f in failures.iter().filter(|f| !f.reason.is_empty()) {
            self.console.say(format!(
                "  {} ({}) {}: {}",
                f.logical_id, f.resource_type, f.status, f.reason
            ));
        }
    }

    /// Asks `question`. Ctrl-C while the question waits is caught: it
    /// answers no and marks the run interrupted (the answer is read on a
    /// thread of its own, so the interrupt does not wait for a line).
    async fn confirm(
        &mut self,
        request: &DeployRequest,
        question: &str,
    ) -> Result<bool, DeployError> {
        if request.assume_yes {
            return Ok(true);
        }
        if !self.console.prompt.interactive() {
            self.console.say(format!(
                "{question} Not asked: no terminal to confirm on (pass --yes to answer yes)."
            ));
            return Ok(false);
        }
        self.ask(question, None).await
    }

    /// Asks `question` on the terminal, on a thread of its own so that
    /// Ctrl-C is caught while the answer is awaited (then the answer is
    /// no). With `typed`, the person must type that text (the stack name)
    /// instead of y.
    pub(crate) async fn ask(
        &mut self,
        question: &str,
        typed: Option<&str>,
    ) -> Result<bool, DeployError> {
        self.catch_ctrl_c();
        let mut prompt = std::mem::replace(&mut self.console.prompt, Box::new(NoPrompt));
        let (tx, rx) = tokio::sync::oneshot::channel();
        let asked = question.to_owned();
        let expected = typed.map(str::to_owned);
        std::thread::spawn(move || {
            let answer = match &expected {
                Some(text) => prompt.confirm_typed(&asked, text),
                None => prompt.confirm(&asked),
            };
            let _ = tx.send((prompt, answer));
        });
        let interrupt = self.interrupt.clone();
        tokio::select! {
            answered = rx => match answered {
                Ok((prompt, answer)) => {
                    self.console.prompt = prompt;
                    answer.map_err(|e| DeployError::io("reading the answer", e))
                }
                Err(_) => Err(DeployError::io(
                    "reading the answer",
                    std::io::Error::other("the prompt stopped without an answer"),
                )),
            },
            () = interrupt.fired() => {
                self.interrupted_at_prompt = true;
                // The question's line is still open on the terminal.
                self.console.warn("");
                self.console
                    .warn("Interrupted (Ctrl-C) at the prompt: nothing was executed.");
                Ok(false)
            }
        }
    }

    /// The console, for `hagen destroy`'s own lines between prompts and
    /// watches.
    pub(crate) fn console(&mut self) -> &mut Console {
        self.console
    }

    /// Whether the last prompt was answered by Ctrl-C.
    pub(crate) fn interrupted_at_prompt(&self) -> bool {
        self.interrupted_at_prompt
    }

    /// The resource failures the last watch saw.
    pub(crate) fn last_failures(&self) -> &[Failure] {
        &self.last_failures
    }

    /// Routes Ctrl-C to the interrupt (from the first prompt or operation
    /// of this run on).
    fn catch_ctrl_c(&mut self) {
        if self.catch_ctrl_c && !self.listening {
            self.interrupt.listen_for_ctrl_c();
            self.listening = true;
        }
    }

    /// Watches one operation; `ours` means hagen started it (so Ctrl-C is
    /// caught instead of killing hagen).
    pub(crate) async fn watch(
        &mut self,
        mut cursor: EventCursor,
        total: Option<u64>,
        ours: bool,
    ) -> Result<WatchEnd, DeployError> {
        if ours {
            self.catch_ctrl_c();
        }
        let mut progress = Progress::new(self.console, &self.stack_name, total);
        let end = events::watch(
            self.clients,
            self.console,
            &mut cursor,
            &mut progress,
            &self.interrupt,
            self.watch_options,
        )
        .await;
        progress.finish();
        self.last_failures = progress.failures().to_vec();
        end
    }

    /// What Ctrl-C means while an operation of ours runs: stop watching,
    /// say it goes on, and how to follow or cancel it.
    fn interrupted(&mut self, stack: &str, operation: &str) -> Outcome {
        let cli = self.cli();
        let cancel = match operation {
            "update" => format!(
                "cancel it (rolls back): aws cloudformation cancel-update-stack --stack-name {stack}{cli}"
            ),
            "create" => format!(
                "cancel it: aws cloudformation delete-stack --stack-name {stack}{cli} (deletes what was created so far)"
            ),
            _ => "it cannot be cancelled; let it finish".to_owned(),
        };
        let heading = format!(
            "Stopped watching. The {operation} of stack {stack} continues in CloudFormation."
        );
        let painted = self.console.paint(&heading, Style::Warning);
        self.console.say(painted);
        self.console.say(format!(
            "  follow it: aws cloudformation describe-stack-events --stack-name {stack}{cli}"
        ));
        self.console
            .say("  or run hagen deploy again: it waits for the operation to finish");
        self.console.say(format!("  {cancel}"));
        Outcome::Interrupted
    }

    /// Reports a failed operation: every failure reason, then what the
    /// final status means.
    fn report_failure(
        &mut self,
        stack: &str,
        status: String,
        mut failures: Vec<Failure>,
    ) -> Outcome {
        if failures.is_empty() {
            failures = self.last_failures.clone();
        }
        let heading = format!("Stack {stack} ended {status}.");
        let painted = self.console.paint(&heading, Style::Danger);
        self.console.say(painted);
        if !failures.is_empty() {
            self.console.say(format!(
                "{} failure{}:",
                failures.len(),
                if failures.len() == 1 { "" } else { "s" }
            ));
            for f in &failures {
                let reason = if f.reason.is_empty() {
                    "(no reason given)"
                } else {
                    &f.reason
                };
                self.console.say(format!(
                    "  - {} ({}) {}: {reason}",
                    f.logical_id, f.resource_type, f.status
                ));
            }
        }
        let hint = match status.as_str() {
            "ROLLBACK_COMPLETE" => Some(
                "The create was rolled back. Fix the cause and run hagen deploy again: it offers to delete the empty stack and create it anew.",
            ),
            "UPDATE_ROLLBACK_COMPLETE" => Some(
                "The update was rolled back; the stack runs its previous version. Fix the cause and deploy again.",
            ),
            "UPDATE_ROLLBACK_FAILED" => {
                Some("The rollback failed too. Run hagen deploy again to continue the rollback.")
            }
            "ROLLBACK_FAILED" | "DELETE_FAILED" => Some(
                "CloudFormation could not clean up. Delete the stack (checking the resources above) before deploying again.",
            ),
            _ => None,
        };
        if let Some(h) = hint {
            self.console.say(h);
        }
        if status.ends_with("_FAILED") && hint.is_none() {
            self.paused_hint(stack);
        }
        Outcome::Failed { status, failures }
    }

    /// Applies `--require-approval` and `--yes`: `None` when the change set
    /// may run, else the outcome that stops it (declined, or refused
    /// because no person could approve it).
    async fn approve(
        &mut self,
        request: &DeployRequest,
        review: &Review,
        question: &str,
    ) -> Result<Option<Outcome>, DeployError> {
        let stack = request.stack_name.as_str();
        let decision = approval::decide(
            request.require_approval,
            request.assume_yes,
            self.console.prompt.interactive(),
            review.widens(),
        );
        let approved = match decision {
            Decision::Execute => true,
            Decision::NoTerminal => self.confirm(request, question).await?,
            Decision::Confirm => self.ask(question, None).await?,
            Decision::TypeStackName => {
                let text = "This change set widens access (listed above).";
                let painted = self.console.paint(text, Style::Warning);
                self.console.say(painted);
                self.ask(question, Some(stack)).await?
            }
            Decision::Refuse(why) => {
                let (reasons, text) = approval::refusal(why, review);
                let painted = self.console.paint(text, Style::Danger);
                self.console.say(painted);
                return Ok(Some(Outcome::NeedsApproval { reasons }));
            }
        };
        Ok((!approved).then_some(Outcome::Declined))
    }

    /// Shows the review, stops on blocking risks, asks, executes, watches.
    async fn review_and_execute(
        &mut self,
        request: &DeployRequest,
        described: &Described,
        old: Option<&Document>,
        new: &Document,
        creates: bool,
        deployed_params: &[(String, String)],
    ) -> Result<Outcome, DeployError> {
        let stack = request.stack_name.as_str();
        let name = described.name.clone();
        let review = Review::assess(
            &described.changes,
            old,
            new,
            &request.allow_replace,
            parameter_changes(deployed_params, &described.parameters),
        );
        let heading = format!(
            "Change set {name} ({} stack {stack}): {} resource change{}",
            if creates { "creates" } else { "updates" },
            described.changes.len(),
            if described.changes.len() == 1 {
                ""
            } else {
                "s"
            }
        );
        let painted = self.console.paint(&heading, Style::Strong);
        self.console.say(painted);
        let rendered = review.render_at(self.console.color, self.console.width);
        self.console.say(rendered.trim_end());
        for line in super::drift_review::lines(&described.changes, new) {
            self.console.say(line);
        }
        self.console.record(
            "review",
            serde_json::json!({
                "stack": stack, "change_set": name, "creates": creates,
                "changes": described.changes, "review": review,
            }),
        );
        if let Some(message) = review.allowance_error() {
            return Err(DeployError::Usage(format!(
                "{message}\nNothing was changed."
            )));
        }
        let blocking: Vec<String> = review
            .blocking()
            .iter()
            .map(|r| r.logical_id.clone())
            .collect();
        if !blocking.is_empty() {
            let flags: Vec<String> = blocking
                .iter()
                .map(|id| format!("--allow-replace {id}"))
                .collect();
            let text = format!(
                "Stopped before execution: this change would replace or delete stateful resource{} {}. Nothing was changed. If that is intended, run again with {}.",
                if blocking.len() == 1 { "" } else { "s" },
                blocking.join(", "),
                flags.join(" ")
            );
            let painted = self.console.paint(&text, Style::Danger);
            self.console.say(painted);
            return Ok(Outcome::Blocked {
                logical_ids: blocking,
            });
        }
        if request.no_execute {
            self.console
                .say(format!("Change set {name} left for review (not executed)."));
            return Ok(Outcome::LeftForReview { change_set: name });
        }
        let question = format!("Execute change set {name} on stack {stack}?");
        if let Some(stopped) = self.approve(request, &review, &question).await? {
            self.console.say(format!(
                "Not executed: change set {name}. Nothing was changed."
            ));
            return Ok(stopped);
        }
        let token = naming::request_token(stack, "execute");
        let cursor =
            EventCursor::start(self.clients, &described.stack_id, Some(token.clone())).await?;
        let operation = if creates { "create" } else { "update" };
        self.catch_ctrl_c();
        self.executed = true;
        self.clients
            .cfn
            .execute_change_set()
            .stack_name(&described.stack_id)
            .change_set_name(&described.id)
            .client_request_token(&token)
            .set_disable_rollback(request.disable_rollback.then_some(true))
            .send()
            .await
            .map_err(|e| {
                // A refusal from the service means nothing started: the
                // change set is still ours to clean up.
                if e.as_service_error().is_some() {
                    self.executed = false;
                }
                DeployError::aws(
                    format!(
                        "ExecuteChangeSet {name} on stack {stack} (if unsure whether it started: aws cloudformation describe-stacks --stack-name {stack}{})",
                        self.cli()
                    ),
                    &e,
                )
            })?;
        self.console.say(format!(
            "Executing change set {name} ({operation} of stack {stack})..."
        ));
        let total = u64::try_from(described.changes.len())
            .ok()
            .filter(|n| *n > 0);
        match self.watch(cursor, total, true).await? {
            WatchEnd::Interrupted => Ok(self.interrupted(stack, operation)),
            WatchEnd::Gone => Ok(self.report_failure(stack, "DELETE_COMPLETE".into(), Vec::new())),
            WatchEnd::Settled { status, reason } => {
                if !status::is_success(&status) {
                    if let Some(r) = reason {
                        self.console.say(format!("Stack status reason: {r}"));
                    }
                    return Ok(self.report_failure(stack, status, Vec::new()));
                }
                let outputs = stack::describe(self.clients, &described.stack_id)
                    .await?
                    .map(|i| i.outputs)
                    .unwrap_or_default();
                let text = format!("Stack {stack}: {status}");
                let painted = self.console.paint(&text, Style::Good);
                self.console.say(painted);
                if !outputs.is_empty() {
                    self.console.say("Outputs:");
                    let table = outputs::render_at(&outputs, self.console.width);
                    self.console.say(table.trim_end());
                }
                if let Some(path) = &request.outputs_file {
                    outputs::write_file(path, &outputs)?;
                    self.console
                        .say(format!("Outputs written to {}", path.display()));
                }
                self.protect(request, &described.stack_id, creates).await?;
                Ok(Outcome::Deployed { status, outputs })
            }
        }
    }
}

/// The cleanup itself: delete our change set, then the stack when it is an
/// empty REVIEW_IN_PROGRESS stack with no change set left, and wait for it
/// to be gone. `Ok(true)` when the stack was deleted too.
async fn clean_up_steps(clients: &Clients, ours: &Ours) -> Result<bool, DeployError> {
    changeset::delete(clients, &ours.stack_id, &ours.id).await?;
    if !ours.maybe_new_stack {
        return Ok(false);
    }
    let Some(info) = stack::describe(clients, &ours.stack_id).await? else {
        return Ok(false);
    };
    if StackState::from_status(&info.status) != StackState::ReviewInProgress
        || changeset::count(clients, &ours.stack_id).await? > 0
    {
        return Ok(false);
    }
    clients
        .cfn
        .delete_stack()
        .stack_name(&ours.stack_id)
        .send()
        .await
        .map_err(|e| DeployError::aws(format!("DeleteStack {:?}", info.name), &e))?;
    let start = Instant::now();
    let mut delay = Duration::from_millis(300);
    while stack::describe(clients, &ours.stack_id).await?.is_some() {
        if start.elapsed() >= STACK_DELETE_TIMEOUT {
            return Err(DeployError::Timeout {
                what: format!("the empty stack {} to be deleted", info.name),
                seconds: STACK_DELETE_TIMEOUT.as_secs(),
            });
        }
        tokio::time::sleep(delay).await;
        delay = delay.mul_f32(1.5).min(Duration::from_secs(3));
    }
    Ok(true)
}
