//! `hagen rollback`: bring a stack that a failed operation left stuck back
//! to its last working state. `UPDATE_FAILED` / `CREATE_FAILED` (rollback
//! was disabled) roll back with RollbackStack; `UPDATE_ROLLBACK_FAILED`
//! continues with ContinueUpdateRollback, optionally skipping resources.
//!
//! A child of `run` so that it explains, asks, watches and reports failures
//! exactly as a deploy does.

use super::super::error::DeployError;
use super::super::events::{EventCursor, Failure, WatchEnd, WatchOptions};
use super::super::naming;
use super::super::stack;
use super::super::status::StackState;
use super::{DeployRequest, Deployer, Outcome, Style};

/// What `hagen rollback` was asked to do.
#[derive(Debug, Clone)]
pub struct RollbackRequest {
    /// The stack.
    pub stack_name: String,
    /// `--skip LOGICAL_ID`: resources ContinueUpdateRollback leaves as they
    /// are (only for `UPDATE_ROLLBACK_FAILED`).
    pub skip: Vec<String>,
    /// `--yes`: no confirmation prompt.
    pub assume_yes: bool,
    /// Polling and patience while watching.
    pub watch: WatchOptions,
    /// Catch Ctrl-C while the rollback runs (the CLI sets it).
    pub catch_ctrl_c: bool,
}

impl RollbackRequest {
    /// A request for `stack_name` with every option at its default.
    pub fn new(stack_name: impl Into<String>) -> Self {
        RollbackRequest {
            stack_name: stack_name.into(),
            skip: Vec::new(),
            assume_yes: false,
            watch: WatchOptions::default(),
            catch_ctrl_c: false,
        }
    }
}

/// How a rollback ended (errors aside); the `outcome` record of
/// `--format json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RollbackOutcome {
    /// The stack is back in its last working state
    /// (`UPDATE_ROLLBACK_COMPLETE`, or `ROLLBACK_COMPLETE` after a failed
    /// create).
    RolledBack {
        /// The final status.
        status: String,
    },
    /// The stack's status needs no rollback, or one hagen rollback cannot
    /// give; nothing was done.
    NothingToDo {
        /// Its status.
        status: String,
        /// Why, and what to do instead.
        why: String,
    },
    /// Another operation is running on the stack; nothing was done.
    Busy {
        /// Its status.
        status: String,
    },
    /// The user said no, or could not be asked.
    Declined,
    /// The rollback failed.
    Failed {
        /// The final status.
        status: String,
        /// The resources that failed and why.
        failures: Vec<Failure>,
    },
    /// Ctrl-C: hagen stopped watching; the rollback continues.
    Interrupted,
}

/// Which call brings the stack back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    RollbackStack,
    ContinueUpdateRollback,
}

/// Why a stack in `state` is left alone, and what to do instead; `None`
/// when hagen rollback acts on it.
fn nothing_to_do(state: &StackState, stack: &str, cli: &str) -> Option<String> {
    Some(match state {
        StackState::PausedFailed(s) if s == "IMPORT_ROLLBACK_FAILED" => format!(
            "an import's rollback failed; check the resources above, then: aws cloudformation continue-update-rollback --stack-name {stack}{cli}"
        ),
        StackState::PausedFailed(_) | StackState::UpdateRollbackFailed => return None,
        StackState::Absent => format!("stack {stack} does not exist"),
        StackState::ReviewInProgress => {
            "it has never been deployed (REVIEW_IN_PROGRESS): there is nothing to roll back".into()
        }
        StackState::RollbackComplete => {
            "its create was already rolled back; it holds no resources. hagen deploy offers to delete it and create it again".into()
        }
        StackState::RollbackFailed | StackState::DeleteFailed => format!(
            "only deleting it recovers: aws cloudformation delete-stack --stack-name {stack}{cli} (add --retain-resources for resources that cannot be deleted)"
        ),
        StackState::InProgress(s) => {
            format!("an operation is running ({s}); run hagen rollback again when it has finished")
        }
        StackState::Updatable(_) => {
            "its last operation succeeded or was already rolled back: there is nothing to roll back".into()
        }
    })
}

impl Deployer<'_> {
    /// Rolls back (`*_FAILED` with rollback disabled) or continues the
    /// rollback of (`UPDATE_ROLLBACK_FAILED`) the stack in `request`, after
    /// explaining its state and asking; watches until it settles.
    pub async fn rollback(
        &mut self,
        request: &RollbackRequest,
    ) -> Result<RollbackOutcome, DeployError> {
        let mut asked = DeployRequest::new(request.stack_name.clone());
        asked.assume_yes = request.assume_yes;
        asked.watch = request.watch;
        asked.catch_ctrl_c = request.catch_ctrl_c;
        self.begin(&asked);
        let stack = request.stack_name.as_str();
        let cli = self.cli();
        let Some(info) = stack::describe(self.clients, stack).await? else {
            return Err(DeployError::Usage(format!(
                "stack {stack} does not exist in this account and region; check --stack-name, --env and --region"
            )));
        };
        let state = StackState::from_status(&info.status);
        if let Some(why) = nothing_to_do(&state, stack, &cli) {
            let text = format!("Stack {stack} is {}: {why}. Nothing was done.", info.status);
            let painted = self.console.paint(&text, Style::Warning);
            self.console.say(painted);
            return Ok(match state {
                StackState::InProgress(status) => RollbackOutcome::Busy { status },
                _ => RollbackOutcome::NothingToDo {
                    status: info.status.clone(),
                    why,
                },
            });
        }
        let call = if state == StackState::UpdateRollbackFailed {
            Call::ContinueUpdateRollback
        } else {
            Call::RollbackStack
        };
        if call == Call::RollbackStack && !request.skip.is_empty() {
            return Err(DeployError::Usage(format!(
                "--skip applies only to a stack in UPDATE_ROLLBACK_FAILED (its rollback is continued without those resources); stack {stack} is {}, which is rolled back whole. Run again without --skip",
                info.status
            )));
        }
        let what = match call {
            Call::RollbackStack => {
                "an operation failed with rollback disabled. Rolling back (RollbackStack) returns it to its last working state."
            }
            Call::ContinueUpdateRollback => {
                "an update failed and so did its rollback. Continuing the rollback (ContinueUpdateRollback) returns it to its last working state."
            }
        };
        self.explain_failure(&info, what).await;
        if !request.skip.is_empty() {
            self.console.say(format!(
                "  Skipped (left as they are, marked UPDATE_COMPLETE): {}",
                request.skip.join(", ")
            ));
        }
        let question = format!("Roll back stack {stack} now?");
        if !self.confirm(&asked, &question).await? {
            self.console.say(format!(
                "Not rolled back: stack {stack} is left {}.",
                info.status
            ));
            return Ok(match self.after_prompt(Outcome::Declined) {
                Outcome::Interrupted => RollbackOutcome::Interrupted,
                _ => RollbackOutcome::Declined,
            });
        }
        let token = naming::request_token(stack, "rollback");
        let cursor = EventCursor::start(self.clients, &info.id, Some(token.clone())).await?;
        self.executed = true;
        let sent = match call {
            Call::RollbackStack => self
                .clients
                .cfn
                .rollback_stack()
                .stack_name(&info.id)
                .client_request_token(&token)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| DeployError::aws(format!("RollbackStack {stack:?}"), &e)),
            Call::ContinueUpdateRollback => self
                .clients
                .cfn
                .continue_update_rollback()
                .stack_name(&info.id)
                .client_request_token(&token)
                .set_resources_to_skip((!request.skip.is_empty()).then(|| request.skip.clone()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| DeployError::aws(format!("ContinueUpdateRollback {stack:?}"), &e)),
        };
        sent?;
        self.console.say(format!("Rolling back stack {stack}..."));
        match self.watch(cursor, None, true).await? {
            WatchEnd::Interrupted => {
                self.interrupted(stack, "rollback");
                Ok(RollbackOutcome::Interrupted)
            }
            WatchEnd::Gone => Ok(self.failed(stack, "DELETE_COMPLETE".into(), Vec::new())),
            WatchEnd::Settled { status, .. }
                if status == "UPDATE_ROLLBACK_COMPLETE" || status == "ROLLBACK_COMPLETE" =>
            {
                let text = format!("Stack {stack}: {status}");
                let painted = self.console.paint(&text, Style::Good);
                self.console.say(painted);
                if status == "ROLLBACK_COMPLETE" {
                    self.console.say(
                        "The create was rolled back: the stack holds no resources. hagen deploy offers to delete it and create it again.",
                    );
                } else {
                    self.console
                        .say("The stack runs its last working version again.");
                }
                Ok(RollbackOutcome::RolledBack { status })
            }
            WatchEnd::Settled { status, reason } => {
                if let Some(r) = reason {
                    self.console.say(format!("Stack status reason: {r}"));
                }
                let failures = stack::recent_failures(self.clients, &info.id).await;
                if status == "UPDATE_ROLLBACK_FAILED" && !failures.is_empty() {
                    let ids: Vec<&str> = failures.iter().map(|f| f.logical_id.as_str()).collect();
                    self.console.say(format!(
                        "After checking those resources, skip them: hagen rollback {stack} --skip {}",
                        ids.join(" ")
                    ));
                }
                Ok(self.failed(stack, status, failures))
            }
        }
    }

    fn failed(&mut self, stack: &str, status: String, failures: Vec<Failure>) -> RollbackOutcome {
        let failures = match self.report_failure(stack, status.clone(), failures) {
            Outcome::Failed { failures, .. } => failures,
            _ => Vec::new(),
        };
        RollbackOutcome::Failed { status, failures }
    }
}
