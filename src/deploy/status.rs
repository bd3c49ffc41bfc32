//! What a stack's status means for the next deploy.
//!
//! Owns the mapping from CloudFormation's status strings to what hagen must
//! do. Statuses are compared as strings (`.as_str()`), never matched as an
//! exhaustive SDK enum: AWS adds statuses, and some emulators send ones the
//! SDK does not know.

/// What the deploy must do about the stack as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackState {
    /// No such stack: create it.
    Absent,
    /// Created by a change set that was never executed; holds no resources:
    /// create it (ChangeSetType CREATE).
    ReviewInProgress,
    /// Its first create failed and rolled back; it cannot be updated, only
    /// deleted and created again.
    RollbackComplete,
    /// A rollback after a failed create itself failed; only deletion
    /// recovers.
    RollbackFailed,
    /// A delete failed; only another delete recovers.
    DeleteFailed,
    /// An update failed and its rollback failed too: continue the rollback
    /// (ContinueUpdateRollback), possibly skipping resources.
    UpdateRollbackFailed,
    /// A create, update or import failed with rollback disabled and is
    /// paused: roll back (RollbackStack) or fix and deploy again.
    PausedFailed(String),
    /// An operation is running: wait for it.
    InProgress(String),
    /// A settled stack that can take an update.
    Updatable(String),
}

impl StackState {
    /// Classifies a status string from DescribeStacks.
    pub fn from_status(status: &str) -> StackState {
        match status {
            "REVIEW_IN_PROGRESS" => StackState::ReviewInProgress,
            "ROLLBACK_COMPLETE" => StackState::RollbackComplete,
            "ROLLBACK_FAILED" => StackState::RollbackFailed,
            "DELETE_FAILED" => StackState::DeleteFailed,
            "UPDATE_ROLLBACK_FAILED" => StackState::UpdateRollbackFailed,
            "CREATE_FAILED" | "UPDATE_FAILED" | "IMPORT_ROLLBACK_FAILED" => {
                StackState::PausedFailed(status.to_owned())
            }
            // DELETE_COMPLETE stacks are only listed by ID; treat as gone.
            "DELETE_COMPLETE" => StackState::Absent,
            s if s.ends_with("_IN_PROGRESS") => StackState::InProgress(s.to_owned()),
            s => StackState::Updatable(s.to_owned()),
        }
    }

    /// Whether the next change set creates the stack rather than updates it.
    pub fn creates(&self) -> bool {
        matches!(self, StackState::Absent | StackState::ReviewInProgress)
    }
}

/// Whether a stack status means no operation is running any more.
pub fn is_settled(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS") || status == "REVIEW_IN_PROGRESS"
}

/// Whether a settled stack status means the operation that led to it
/// succeeded.
pub fn is_success(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE" | "DELETE_COMPLETE"
    )
}

/// Whether a resource status is final for that resource in this operation
/// (for counting progress).
pub fn resource_done(status: &str) -> bool {
    status.ends_with("_COMPLETE") || status.ends_with("_FAILED") || status.ends_with("_SKIPPED")
}

/// Whether a resource status is a failure worth reporting.
pub fn resource_failed(status: &str) -> bool {
    status.ends_with("_FAILED")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_in_progress_is_a_create_not_a_wait() {
        let s = StackState::from_status("REVIEW_IN_PROGRESS");
        assert_eq!(s, StackState::ReviewInProgress);
        assert!(s.creates());
        assert!(is_settled("REVIEW_IN_PROGRESS"));
    }

    #[test]
    fn any_other_in_progress_status_means_wait() {
        for s in [
            "CREATE_IN_PROGRESS",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            "UPDATE_ROLLBACK_IN_PROGRESS",
            "IMPORT_IN_PROGRESS",
            "SOME_FUTURE_IN_PROGRESS",
        ] {
            assert_eq!(StackState::from_status(s), StackState::InProgress(s.into()));
            assert!(!is_settled(s));
        }
    }

    #[test]
    fn failed_states_each_have_their_recovery() {
        assert_eq!(
            StackState::from_status("ROLLBACK_COMPLETE"),
            StackState::RollbackComplete
        );
        assert_eq!(
            StackState::from_status("UPDATE_ROLLBACK_FAILED"),
            StackState::UpdateRollbackFailed
        );
        assert_eq!(
            StackState::from_status("UPDATE_FAILED"),
            StackState::PausedFailed("UPDATE_FAILED".into())
        );
        assert_eq!(
            StackState::from_status("UPDATE_ROLLBACK_COMPLETE"),
            StackState::Updatable("UPDATE_ROLLBACK_COMPLETE".into())
        );
    }

    #[test]
    fn only_completed_forward_operations_are_success() {
        assert!(is_success("UPDATE_COMPLETE"));
        assert!(!is_success("UPDATE_ROLLBACK_COMPLETE"));
        assert!(!is_success("ROLLBACK_COMPLETE"));
    }
}
