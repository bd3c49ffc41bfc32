//! Who must approve a change set before it runs: `--require-approval`
//! combined with `--yes` and whether a person is at a terminal.
//!
//! Owns the decision table and what a refusal says; the deployer asks and
//! reports. The modes follow the AWS CDK's: a widening of access needs a
//! person unless the user opted out with `--require-approval never`.

use super::review::Review;
use super::security::Verdict;

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

/// What a refusal says, and the reasons the outcome carries (the widenings
/// on one line each, or that every change needs a person).
pub fn refusal(why: Refusal, review: &Review) -> (Vec<String>, &'static str) {
    match why {
        Refusal::Widens => (
            review
                .security
                .iter()
                .filter(|a| a.verdict == Verdict::Widens)
                .map(|a| a.line())
                .collect(),
            "Refused: this change set widens access (listed above) and --require-approval broadening (the default) needs a person to approve that; --yes does not. Run hagen deploy at a terminal and type the stack name, or pass --require-approval never to let --yes approve it.",
        ),
        Refusal::AnyChange => (
            vec!["every change set (--require-approval any-change)".to_owned()],
            "Refused: --require-approval any-change needs a person at a terminal to approve every change set; --yes does not. Run hagen deploy at a terminal, or choose --require-approval broadening or never.",
        ),
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
    fn a_refusal_lists_the_widenings_and_how_to_approve() {
        use crate::deploy::document::Document;
        let new = Document::parse(
            "Resources:\n  Ssh:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: sg-1\n      IpProtocol: tcp\n      FromPort: 22\n      ToPort: 22\n      CidrIp: 0.0.0.0/0\n",
        )
        .unwrap();
        let review = Review::build(&[], None, &new, &[]);
        let (reasons, text) = refusal(Refusal::Widens, &review);
        assert_eq!(reasons, ["Ssh tcp/22: none -> 0.0.0.0/0 (widens, broad)"]);
        assert!(text.contains("--require-approval never"), "{text}");
        let (_, text) = refusal(Refusal::AnyChange, &review);
        assert!(text.contains("any-change"), "{text}");
    }

    #[test]
    fn without_yes_a_terminal_is_asked_as_before() {
        assert_eq!(decide(Broadening, false, true, false), Confirm);
        assert_eq!(decide(Broadening, false, false, false), NoTerminal);
    }
}
