//! Who must approve a change set before it runs: `--require-approval`
//! combined with `--yes` and whether a person is at a terminal.
//!
//! Owns the decision table only; the deployer asks and reports. The modes
//! follow the AWS CDK's: a widening of access needs a person unless the
//! user opted out with `--require-approval never`.

/// `--require-approval`: which change sets need a person to approve them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequireApproval {
    /// `--yes` approves every change set.
    Never,
    /// Every change set needs a person at a terminal; `--yes` is not enough.
    AnyChange,
    /// A change set that widens access needs a person at a terminal, who
    /// types the stack name; `--yes` approves the others.
    #[default]
    Broadening,
}

/// What the deployer does before executing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Execute without asking (`--yes`, nothing that needs a person).
    Execute,
    /// Ask the y/N question.
    Confirm,
    /// Ask the person to type the stack name (a widening).
    TypeStackName,
    /// Nobody can answer and `--yes` is not enough: refuse, saying why.
    Refuse(Refusal),
    /// Nobody can answer and `--yes` was not given: decline, as without
    /// `--require-approval`.
    NoTerminal,
}

/// Why a change set was refused without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// It widens access (`broadening`).
    Widens,
    /// Every change needs a person (`any-change`).
    AnyChange,
}

/// The decision for a change set: `widens` is whether it widens access,
/// `interactive` whether a person can answer.
pub fn decide(
    mode: RequireApproval,
    assume_yes: bool,
    interactive: bool,
    widens: bool,
) -> Decision {
    let needs_person = match mode {
        RequireApproval::Never => false,
        RequireApproval::AnyChange => true,
        RequireApproval::Broadening => widens,
    };
    match (needs_person, interactive, assume_yes) {
        (false, _, true) => Decision::Execute,
        (false, true, false) => Decision::Confirm,
        (false, false, false) => Decision::NoTerminal,
        (true, true, _) if widens && mode != RequireApproval::Never => Decision::TypeStackName,
        (true, true, _) => Decision::Confirm,
        (true, false, _) if mode == RequireApproval::AnyChange => {
            Decision::Refuse(Refusal::AnyChange)
        }
        (true, false, _) => Decision::Refuse(Refusal::Widens),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::*;
    use RequireApproval::*;

    #[test]
    fn regression_yes_does_not_approve_a_widening() {
        assert_eq!(
            decide(Broadening, true, false, true),
            Refuse(Refusal::Widens)
        );
        assert_eq!(decide(Broadening, true, true, true), TypeStackName);
        assert_eq!(decide(Broadening, true, false, false), Execute);
    }

    #[test]
    fn never_lets_yes_approve_everything() {
        assert_eq!(decide(Never, true, false, true), Execute);
        assert_eq!(decide(Never, false, true, true), Confirm);
        assert_eq!(decide(Never, false, false, true), NoTerminal);
    }

    #[test]
    fn any_change_needs_a_person_whatever_yes_says() {
        assert_eq!(
            decide(AnyChange, true, false, false),
            Refuse(Refusal::AnyChange)
        );
        assert_eq!(decide(AnyChange, true, true, false), Confirm);
        assert_eq!(decide(AnyChange, true, true, true), TypeStackName);
    }

    #[test]
    fn without_yes_a_terminal_is_asked_as_before() {
        assert_eq!(decide(Broadening, false, true, false), Confirm);
        assert_eq!(decide(Broadening, false, false, false), NoTerminal);
    }
}
