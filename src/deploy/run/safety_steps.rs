//! The deploy's steps for the safety flags: the change set's name when the
//! user chose it, termination protection after a successful run, and what
//! to do next when an operation with rollback disabled failed.
//!
//! A child of `run` so that it speaks through the same [`Deployer`]
//! (console, clients, AWS CLI flags for printed commands).

use super::super::error::DeployError;
use super::super::naming;
use super::super::safety;
use super::{DeployRequest, Deployer, Style};

impl Deployer<'_> {
    /// This run's change-set name: `--change-set-name` when given (refused
    /// when the stack already has a change set of that name: it is not
    /// this run's to replace or delete), else a fresh `hagen-deploy-...`.
    pub(super) async fn change_set_name(
        &mut self,
        request: &DeployRequest,
        stack_exists: bool,
    ) -> Result<String, DeployError> {
        let Some(name) = &request.change_set_name else {
            return Ok(naming::deploy_change_set_name());
        };
        safety::check_change_set_name(name)?;
        let stack = request.stack_name.as_str();
        if stack_exists && safety::change_set_exists(self.clients, stack, name).await? {
            return Err(DeployError::Usage(format!(
                "stack {stack} already has a change set named {name}: hagen neither replaces nor deletes a change set it did not make in this run. Choose another --change-set-name, or delete that one first: aws cloudformation delete-change-set --stack-name {stack} --change-set-name {name}{}",
                self.cli()
            )));
        }
        Ok(name.clone())
    }

    /// Applies the termination protection the request asks for once the
    /// stack exists and the run succeeded: on a new stack only when it is
    /// asked on (new stacks start without), on an existing one when it
    /// differs from the stack's setting. Says what it did.
    pub(super) async fn protect(
        &mut self,
        request: &DeployRequest,
        stack: &str,
        created: bool,
    ) -> Result<(), DeployError> {
        let Some(wanted) = request.termination_protection else {
            return Ok(());
        };
        let current = if created {
            Some(false)
        } else {
            safety::termination_protection(self.clients, stack).await?
        };
        let Some(current) = current else {
            return Ok(());
        };
        if current == wanted {
            return Ok(());
        }
        safety::set_termination_protection(self.clients, stack, wanted).await?;
        let name = request.stack_name.as_str();
        let text = if wanted {
            format!(
                "Termination protection turned on for stack {name}: it cannot be deleted until it is turned off (hagen deploy --no-termination-protection)."
            )
        } else {
            format!("Termination protection turned off for stack {name}: it can be deleted.")
        };
        let painted = self
            .console
            .paint(&text, if wanted { Style::Good } else { Style::Warning });
        self.console.say(painted);
        self.console.record(
            "termination_protection",
            serde_json::json!({ "stack": name, "enabled": wanted }),
        );
        Ok(())
    }

    /// What to do after an operation failed with rollback disabled: the
    /// stack keeps what succeeded and waits in `*_FAILED`.
    pub(super) fn paused_hint(&mut self, stack: &str) {
        self.console.say(format!(
            "Rollback is disabled, so the stack keeps what succeeded and waits in this state. Next, either:\n  fix the cause and deploy again with --disable-rollback (it continues from here), or\n  roll back to the last working state: hagen rollback {stack}"
        ));
    }
}
