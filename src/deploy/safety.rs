//! The safety settings a deploy can put on a stack and its change set:
//! termination protection, the service role CloudFormation acts as, and a
//! change-set name of the user's choosing.
//!
//! Owns the local checks of those values (so a typo fails before any AWS
//! call) and the two calls about termination protection. When to apply
//! them is `super::run`'s business.

use super::aws::Clients;
use super::error::DeployError;
use super::naming::MAX_CHANGE_SET_NAME;

/// Checks `--role-arn`: an IAM role ARN, else a usage error naming the part
/// that is wrong.
pub fn check_role_arn(arn: &str) -> Result<(), DeployError> {
    crate::config::check_role_arn(arn).map_err(|why| {
        DeployError::Usage(format!(
            "--role-arn {arn:?} is not an IAM role ARN: {why} (example: arn:aws:iam::123456789012:role/cfn-deploy)"
        ))
    })
}

/// Checks `--change-set-name` against CloudFormation's rule: a letter
/// first, then letters, digits and hyphens, at most 128 characters.
pub fn check_change_set_name(name: &str) -> Result<(), DeployError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_CHANGE_SET_NAME
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(DeployError::Usage(format!(
            "--change-set-name {name:?} is not a change-set name: 1 to {MAX_CHANGE_SET_NAME} characters, a letter first, then letters, digits and hyphens"
        )))
    }
}

/// Whether the stack has termination protection on; `None` when the stack
/// does not exist.
pub async fn termination_protection(
    clients: &Clients,
    stack: &str,
) -> Result<Option<bool>, DeployError> {
    Ok(super::stack::describe(clients, stack)
        .await?
        .map(|s| s.termination_protection))
}

/// Turns the stack's termination protection on or off.
pub async fn set_termination_protection(
    clients: &Clients,
    stack: &str,
    on: bool,
) -> Result<(), DeployError> {
    clients
        .cfn
        .update_termination_protection()
        .stack_name(stack)
        .enable_termination_protection(on)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            DeployError::aws(
                format!("UpdateTerminationProtection of stack {stack:?}"),
                &e,
            )
        })
}

/// Whether `stack` already has a change set called `name` (none when the
/// stack does not exist).
pub async fn change_set_exists(
    clients: &Clients,
    stack: &str,
    name: &str,
) -> Result<bool, DeployError> {
    Ok(super::changeset::summaries(clients, stack)
        .await?
        .iter()
        .any(|s| s.change_set_name() == Some(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_set_names_follow_cloudformation_rules() {
        assert!(check_change_set_name("release-42").is_ok());
        assert!(check_change_set_name(&format!("a{}", "1".repeat(127))).is_ok());
        for bad in ["", "42-release", "release_42", "release.42"] {
            let err = check_change_set_name(bad).unwrap_err().to_string();
            assert!(err.contains("a letter first"), "{bad}: {err}");
        }
        assert!(check_change_set_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn a_role_arn_error_names_the_flag_and_the_wrong_part() {
        assert!(check_role_arn("arn:aws:iam::123456789012:role/cfn").is_ok());
        let err = check_role_arn("arn:aws:iam::123456789012:user/me")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--role-arn") && err.contains("not a role"),
            "{err}"
        );
    }
}
